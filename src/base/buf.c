/* buf.c - growable byte buffer. */
#include "buf.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void buf_reserve(Buf *b, size_t extra) {
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_vprintf(Buf *b, const char *fmt, va_list ap) {
    /* one pass when the text fits the spare room (the usual case), a second after growing */
    if (b->cap - b->len < 64) buf_reserve(b, 64);
    va_list ap2;
    va_copy(ap2, ap);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data + b->len, room, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->data[b->len] = 0;
        return;
    }
    if ((size_t)n >= room) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    }
    b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

/* 53-bit mantissa times 10^9 needs 83 bits. */
__extension__ typedef unsigned __int128 U128;

void buf_put_fixed(Buf *b, double v, int dec) {
    static const uint64_t P10[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
    double a = fabs(v);
    if (!(a < 1e9) || dec < 0 || dec > 9) { /* NaN, inf, large values, many decimals */
        buf_printf(b, "%.*f", dec, v);
        return;
    }
    /* a = m * 2^-k exactly (k > 0 since a < 2^30); q = a * 10^dec rounded half to even */
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int bexp = (int)(bits >> 52);
    uint64_t m = bits & ((1ull << 52) - 1);
    if (bexp) m |= 1ull << 52;
    else bexp = 1; /* subnormal */
    int k = 1075 - bexp;
    U128 p = (U128)m * P10[dec];
    uint64_t q = 0;
    if (k < 128) { /* else a * 10^dec < 2^83 / 2^128: rounds to 0 */
        U128 rem = p & (((U128)1 << k) - 1), half = (U128)1 << (k - 1);
        q = (uint64_t)(p >> k);
        if (rem > half || (rem == half && (q & 1))) q++;
    }
    /* q < 10^18 + 1: the digits, a point before the last dec of them, at least one before it */
    char t[32], *e = t + sizeof t, *s = e;
    for (int i = 0; i < dec; i++, q /= 10) *--s = (char)('0' + q % 10);
    if (dec) *--s = '.';
    do *--s = (char)('0' + q % 10);
    while (q /= 10);
    if (signbit(v)) *--s = '-';
    buf_put(b, s, (size_t)(e - s));
}

void buf_put_utf8(Buf *b, unsigned cp) {
    char t[4];
    size_t n;
    if (cp < 0x80) { t[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { t[0] = (char)(0xC0 | (cp >> 6)); t[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12)); t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18)); t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    buf_put(b, t, n);
}

void buf_free(Buf *b) {
    if (!b) return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
