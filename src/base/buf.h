/* buf.h - growable byte buffer and a generic growable array (tree-sitter's Array(T) idea). */
#ifndef GLINTEFY_BUF_H
#define GLINTEFY_BUF_H
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "xalloc.h"

/* Invariant: data[len] == 0 whenever data != NULL; cap > len. Owns data (free with buf_free). */
typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

void buf_reserve(Buf *b, size_t extra);
static inline void buf_putc(Buf *b, char c) {
    if (b->len + 2 > b->cap) buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = 0;
}
static inline void buf_put(Buf *b, const void *s, size_t n) {
    if (b->len + n + 1 > b->cap) buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}
static inline void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap);
/* Appends v as printf("%.*f", dec, v) would (C locale, round-to-nearest), without printf for
 * |v| < 1e9 and dec <= 9: the exact binary value is rounded half to even, as glibc does. */
void buf_put_fixed(Buf *b, double v, int dec);
/* Appends the UTF-8 (surrogates allowed, as WTF-8) encoding of code point cp. */
void buf_put_utf8(Buf *b, unsigned cp);
void buf_free(Buf *b);

/* Array(T): a struct with items/len/cap; use with the vec_* macros. */
#define Array(T) struct { T *items; size_t len, cap; }
#define vec_grow(v, need)                                                              \
    do {                                                                               \
        if ((need) > (v)->cap) {                                                       \
            size_t nc_ = (v)->cap ? (v)->cap * 2 : 8;                                  \
            while (nc_ < (need)) nc_ *= 2;                                             \
            (v)->items = xrealloc((v)->items, nc_ * sizeof(*(v)->items));              \
            (v)->cap = nc_;                                                            \
        }                                                                              \
    } while (0)
#define vec_push(v, x)                     \
    do {                                   \
        vec_grow((v), (v)->len + 1);       \
        (v)->items[(v)->len++] = (x);      \
    } while (0)
#define vec_free(v) do { free((v)->items); (v)->items = NULL; (v)->len = (v)->cap = 0; } while (0)

#endif
