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
#endif
