/* str.h - a byte span with a length (Python strings may hold NUL bytes). */
#ifndef GLINTEFY_STR_H
#define GLINTEFY_STR_H
#include <stddef.h>
#include <string.h>
typedef struct Str {
    const char *s;
    size_t len;
} Str;
#define STR_LIT(lit) ((Str){(lit), sizeof(lit) - 1})
static inline int str_eq(Str a, const char *b) { size_t n = strlen(b); return a.len == n && memcmp(a.s, b, n) == 0; }
static inline Str str_z(const char *s) { return (Str){s, strlen(s)}; }

/* The joined length of pieces p[0..np), cut to cap - 1 (cap >= 1): what snprintf("%s%s...")
 * into a char[cap] would have written. */
static inline size_t str_join_len(const Str *p, size_t np, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i < np; i++) n += p[i].len;
    return n < cap ? n : cap - 1;
}
/* The pieces joined into dst[cap], cut to cap - 1 bytes, NUL-terminated (no piece may overlap
 * dst); returns the length written. */
static inline size_t str_join(char *dst, size_t cap, const Str *p, size_t np) {
    size_t n = str_join_len(p, np, cap), left = n;
    char *o = dst;
    for (size_t i = 0; i < np && left; i++) {
        size_t k = p[i].len < left ? p[i].len : left;
        if (k) memcpy(o, p[i].s, k);
        o += k;
        left -= k;
    }
    *o = 0;
    return n;
}
/* STR_PIECES(a, b, ...): an array of Str and its length, for str_join. */
#define STR_PIECES(...) (const Str[]){__VA_ARGS__}, sizeof((const Str[]){__VA_ARGS__}) / sizeof(Str)
#endif
