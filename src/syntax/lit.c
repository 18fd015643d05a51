/* lit.c - numeric literals to their Python values (as text) and string/bytes escape decoding,
 * matching CPython 3.11 value for value and error message for error message. The float repr is
 * the shortest round-trip form (what Python's repr(float) prints), found with printf + strtod. */
#include "lit.h"
#include "unicode.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CPython refuses to convert decimal int literals longer than this (sys.int_info). */
enum { LIT_MAX_STR_DIGITS = 4300 };

/* ---- floats ---- */

/* Turns "%.Ne" output "d.ddde[+-]xx" into bare digits and a decimal exponent; returns count. */
static int split_sci(const char *t, char *dig, int *exp10) {
    int nd = 0;
    const char *p = t;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') dig[nd++] = *p;
    *exp10 = *p == 'e' ? atoi(p + 1) : 0;
    while (nd > 1 && dig[nd - 1] == '0') nd--;
    dig[nd] = 0;
    return nd;
}

static double digits_value(const char *dig, int nd, int exp10) {
    char t[64];
    snprintf(t, sizeof t, "%c.%se%d", dig[0], nd > 1 ? dig + 1 : "0", exp10);
    return strtod(t, NULL);
}

/* Shortest digit string that reads back as d (d finite, > 0). Among strings of that length it is
 * the closest to d, as David Gay's mode 0 (which CPython uses) gives. */
static int shortest_digits(double d, char *dig, int *exp10) {
    char t[64];
    for (int prec = 0; prec < 17; prec++) {
        snprintf(t, sizeof t, "%.*e", prec, d);
        int nd = split_sci(t, dig, exp10);
        double back = strtod(t, NULL);
        if (back == d) return nd;
        /* Near a power of two the rounding interval is lopsided, so the nearest candidate can fail
         * while its neighbour on the other side of d reads back; try that neighbour. */
        if (back < d) {
            char up[24];
            int n = prec + 1, e = *exp10;
            memset(up, '0', sizeof up);
            snprintf(t, sizeof t, "%.*e", prec, d);
            int k = 0;
            for (const char *p = t; *p && *p != 'e'; p++)
                if (*p >= '0' && *p <= '9') up[k++] = *p;
            int i = n - 1;
            while (i >= 0 && up[i] == '9') up[i--] = '0';
            if (i < 0) { memmove(up + 1, up, (size_t)n); up[0] = '1'; e++; }
            else up[i]++;
            up[n] = 0;
            int m = n;
            while (m > 1 && up[m - 1] == '0') m--;
            up[m] = 0;
            if (digits_value(up, m, e) == d) {
                memcpy(dig, up, (size_t)m + 1);
                *exp10 = e;
                return m;
            }
        }
    }
    snprintf(t, sizeof t, "%.16e", d);
    return split_sci(t, dig, exp10);
}

int lit_float_repr(double d, char *buf) {
    char *o = buf;
    if (isnan(d)) return (int)(stpcpy(buf, "nan") - buf);
    if (signbit(d)) { *o++ = '-'; d = -d; }
    if (isinf(d)) return (int)(stpcpy(o, "inf") - buf);
    if (d == 0) return (int)(stpcpy(o, "0.0") - buf);
    char dig[32];
    int e;
    int nd = shortest_digits(d, dig, &e);
    if (e < -4 || e >= 16) {
        *o++ = dig[0];
        if (nd > 1) { *o++ = '.'; memcpy(o, dig + 1, (size_t)nd - 1); o += nd - 1; }
        o += sprintf(o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    } else if (e < 0) {
        *o++ = '0'; *o++ = '.';
        for (int i = 0; i < -e - 1; i++) *o++ = '0';
        memcpy(o, dig, (size_t)nd); o += nd;
    } else if (e + 1 >= nd) {
        memcpy(o, dig, (size_t)nd); o += nd;
        for (int i = nd; i < e + 1; i++) *o++ = '0';
        *o++ = '.'; *o++ = '0';
    } else {
        memcpy(o, dig, (size_t)e + 1); o += e + 1;
        *o++ = '.';
        memcpy(o, dig + e + 1, (size_t)(nd - e - 1)); o += nd - e - 1;
    }
    *o = 0;
    return (int)(o - buf);
}

/* ---- numbers ---- */

static int is_digit_in(char c, int base) {
    int v = c >= '0' && c <= '9' ? c - '0'
          : c >= 'a' && c <= 'z' ? c - 'a' + 10
          : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 99;
    return v < base ? v : -1;
}

/* Copies s[0..n) without underscores into the arena, checking that each underscore sits
 * between two digits of `base` (10 for floats, where '.', 'e', sign separate digit runs). */
static char *strip_underscores(Arena *a, const char *s, size_t n, size_t *outn, int base) {
    char *t = arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_') {
            if (i == 0 || i + 1 == n || is_digit_in(s[i - 1], base) < 0 ||
                is_digit_in(s[i + 1], base) < 0)
                return NULL;
            continue;
        }
        t[k++] = s[i];
    }
    t[k] = 0;
    *outn = k;
    return t;
}

/* Parses a float literal without underscores: digits [. digits] [e [+-] digits]. */
static int float_value(const char *t, size_t n, double *v) {
    size_t i = 0, nd = 0;
    while (i < n && t[i] >= '0' && t[i] <= '9') i++, nd++;
    if (i < n && t[i] == '.') {
        i++;
        while (i < n && t[i] >= '0' && t[i] <= '9') i++, nd++;
    }
    if (nd == 0) return -1;
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < n && (t[i] == '+' || t[i] == '-')) i++;
        size_t ed = 0;
        while (i < n && t[i] >= '0' && t[i] <= '9') i++, ed++;
        if (ed == 0) return -1;
    }
    if (i != n) return -1;
    *v = strtod(t, NULL);
    return 0;
}

/* Value of digits t[0..n) in base 2, 8 or 16, as decimal text in the arena. Limbs hold 10^9. */
static Str radix_to_decimal(Arena *a, const char *t, size_t n, int base) {
    int bits = base == 16 ? 4 : base == 8 ? 3 : 1;
    int per = 28 / bits; /* digits per step: the multiplier stays below 2^28 */
    size_t cap = n * (size_t)bits / 29 + 2;
    uint32_t *limb = calloc(cap, sizeof *limb);
    size_t nl = 0;
    for (size_t i = 0; i < n;) {
        uint64_t chunk = 0, mul = 1;
        for (int k = 0; k < per && i < n; k++, i++) {
            chunk = chunk * (uint64_t)base + (uint64_t)is_digit_in(t[i], base);
            mul *= (uint64_t)base;
        }
        uint64_t carry = chunk;
        for (size_t j = 0; j < nl; j++) {
            uint64_t x = (uint64_t)limb[j] * mul + carry;
            limb[j] = (uint32_t)(x % 1000000000u);
            carry = x / 1000000000u;
        }
        while (carry) {
            limb[nl++] = (uint32_t)(carry % 1000000000u);
            carry /= 1000000000u;
        }
    }
    if (nl == 0) { free(limb); return STR_LIT("0"); }
    char *out = arena_alloc(a, nl * 9 + 1);
    int len = sprintf(out, "%u", (unsigned)limb[nl - 1]);
    for (size_t j = nl - 1; j-- > 0;) len += sprintf(out + len, "%09u", (unsigned)limb[j]);
    free(limb);
    return (Str){out, (size_t)len};
}

/* The decimal form of a base-2/8/16 literal, unless it would have more than
 * LIT_MAX_STR_DIGITS digits: CPython's str(int) refuses those (so its ast.dump does too), and
 * the schoolbook conversion is quadratic (a 1 M-digit hex literal took 21 s). Then the value is
 * kept exactly as its literal text: prefix, digits without underscores or leading zeros. */
static Str radix_or_literal(Arena *a, const char *t, size_t n, int base) {
    size_t z = 0;
    while (z < n && t[z] == '0') z++;
    int bits = base == 16 ? 4 : base == 8 ? 3 : 1;
    /* 14,300 bits make at most 4,305 decimal digits; fewer bits are converted, then measured */
    if ((n - z) * (size_t)bits <= 14300 + 4) {
        Str d = radix_to_decimal(a, t + z, n - z, base);
        if (d.len <= LIT_MAX_STR_DIGITS) return d;
    }
    char *o = arena_alloc(a, n - z + 3);
    o[0] = '0';
    o[1] = base == 16 ? 'x' : base == 8 ? 'o' : 'b';
    for (size_t i = z; i < n; i++) o[2 + i - z] = (char)(t[i] >= 'A' && t[i] <= 'F' ? t[i] - 'A' + 'a' : t[i]);
    return (Str){o, n - z + 2};
}

int lit_number(Arena *a, const char *s, size_t n, LitNumKind *kind, Str *out, const char **msg) {
    *msg = "invalid decimal literal";
    if (n == 0) return -1;
    if (s[n - 1] == 'j' || s[n - 1] == 'J') {
        size_t m;
        double v;
        char *t = strip_underscores(a, s, n - 1, &m, 10);
        if (!t || float_value(t, m, &v) < 0) return -1;
        char *r = arena_alloc(a, 32);
        *kind = LIT_IMAG;
        *out = (Str){r, (size_t)lit_float_repr(v, r)};
        return 0;
    }
    if (n > 1 && s[0] == '0' && strchr("xXoObB", s[1])) {
        int base = s[1] == 'x' || s[1] == 'X' ? 16 : s[1] == 'o' || s[1] == 'O' ? 8 : 2;
        *msg = base == 16 ? "invalid hexadecimal literal"
             : base == 8 ? "invalid octal literal" : "invalid binary literal";
        size_t i = 2, m = 0;
        char *t = arena_alloc(a, n);
        if (i < n && s[i] == '_') i++;
        if (i == n) return -1;
        for (; i < n; i++) {
            if (s[i] == '_' && i + 1 < n && s[i + 1] != '_' && s[i - 1] != '_') continue;
            if (is_digit_in(s[i], base) < 0) return -1;
            t[m++] = s[i];
        }
        *kind = LIT_INT;
        *out = radix_or_literal(a, t, m, base);
        return 0;
    }
    size_t m;
    int is_float = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '.' || s[i] == 'e' || s[i] == 'E') is_float = 1;
    char *t = strip_underscores(a, s, n, &m, 10);
    if (!t) return -1;
    if (is_float) {
        double v;
        if (float_value(t, m, &v) < 0) return -1;
        char *r = arena_alloc(a, 32);
        *kind = LIT_FLOAT;
        *out = (Str){r, (size_t)lit_float_repr(v, r)};
        return 0;
    }
    for (size_t i = 0; i < m; i++)
        if (t[i] < '0' || t[i] > '9') return -1;
    size_t z = 0;
    while (z < m && t[z] == '0') z++;
    if (z > 0 && z < m) {
        *msg = "leading zeros in decimal integer literals are not permitted; "
               "use an 0o prefix for octal integers";
        return -1;
    }
    *kind = LIT_INT;
    if (z == m) { *out = STR_LIT("0"); return 0; }
    if (m > LIT_MAX_STR_DIGITS) {
        char *e = arena_alloc(a, 320);
        snprintf(e, 320,
                 "Exceeds the limit (%d digits) for integer string conversion: value has %zu "
                 "digits; use sys.set_int_max_str_digits() to increase the limit - Consider "
                 "hexadecimal for huge integer literals to avoid decimal conversion limits.",
                 LIT_MAX_STR_DIGITS, m);
        *msg = e;
        return -1;
    }
    *out = (Str){t, m};
    return 0;
}

/* ---- string and bytes escapes ---- */

static char *put_utf8(char *o, uint32_t cp) {
    if (cp < 0x80) { *o++ = (char)cp; }
    else if (cp < 0x800) { *o++ = (char)(0xC0 | (cp >> 6)); *o++ = (char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12)); *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18)); *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F)); *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* CPython 3.11 decodes a str body by first rewriting every non-ASCII character as a 10-byte
 * "\UXXXXXXXX" (and a backslash before one as "\u005c") and then running the unicode-escape
 * codec; its error positions count bytes of that rewritten text. This maps offset i of s to it. */
static size_t cpython_pos(const char *s, size_t n, size_t i) {
    size_t p = 0, k = 0;
    while (k < i) {
        if (s[k] == '\\') {
            p++, k++;
            if (k >= n) { p += 5; break; }
            if (s[k] & 0x80) p += 5;
            if (k >= i) break;
        }
        if (s[k] & 0x80) {
            p += 10, k++;
            while (k < n && (s[k] & 0xC0) == 0x80) k++;
        } else {
            p++, k++;
        }
    }
    return p;
}

static int hexval(char c) { return is_digit_in(c, 16); }

static int str_error(Arena *a, const char *s, size_t n, size_t start, size_t end, const char *why,
                     const char **msg, size_t *err_off) {
    char *m = arena_alloc(a, 200);
    snprintf(m, 200,
             "(unicode error) 'unicodeescape' codec can't decode bytes in position %zu-%zu: %s",
             cpython_pos(s, n, start), cpython_pos(s, n, end) - 1, why);
    *msg = m;
    *err_off = start;
    return -1;
}

int lit_decode(Arena *a, const char *s, size_t n, unsigned flags, Str *out, const char **msg,
               size_t *err_off) {
    int bytes = (flags & LIT_BYTES) != 0;
    if (bytes) {
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] >= 0x80) {
                *msg = "bytes can only contain ASCII literal characters";
                *err_off = i;
                return -1;
            }
    }
    const char *bs = (flags & LIT_RAW) ? NULL : memchr(s, '\\', n);
    if (!bs) { *out = (Str){s, n}; return 0; }
    /* Every escape is at least as long as what it produces, so n bytes suffice. */
    char *buf = arena_alloc(a, n + 1), *o = buf;
    size_t pre = (size_t)(bs - s);
    memcpy(o, s, pre);
    o += pre;
    for (size_t i = pre; i < n;) {
        if (s[i] != '\\') { *o++ = s[i++]; continue; }
        size_t start = i++;
        if (i >= n) {
            if (bytes) { *msg = "(value error) Trailing \\ in string"; *err_off = start; return -1; }
            *o++ = '\\'; /* CPython rewrites a final backslash as "\u005c" */
            break;
        }
        char c = s[i++];
        switch (c) {
        case '\n': break;
        case '\\': *o++ = '\\'; break;
        case '\'': *o++ = '\''; break;
        case '"': *o++ = '"'; break;
        case 'a': *o++ = '\a'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'v': *o++ = '\v'; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            uint32_t v = (uint32_t)(c - '0');
            for (int k = 0; k < 2 && i < n && s[i] >= '0' && s[i] <= '7'; k++)
                v = v * 8 + (uint32_t)(s[i++] - '0');
            if (bytes) *o++ = (char)(v & 0xFF);
            else o = put_utf8(o, v);
            break;
        }
        case 'x':
        case 'u':
        case 'U': {
            if (bytes && c != 'x') { *o++ = '\\'; *o++ = c; break; }
            int count = c == 'x' ? 2 : c == 'u' ? 4 : 8;
            uint32_t v = 0;
            for (; count; count--, i++) {
                int h = i < n ? hexval(s[i]) : -1;
                if (h < 0) break;
                v = v * 16 + (uint32_t)h;
            }
            if (count) {
                if (bytes) {
                    char *m = arena_alloc(a, 80);
                    snprintf(m, 80, "(value error) invalid \\x escape at position %zu", start);
                    *msg = m;
                    *err_off = start;
                    return -1;
                }
                return str_error(a, s, n, start, i,
                                 c == 'x' ? "truncated \\xXX escape"
                                 : c == 'u' ? "truncated \\uXXXX escape"
                                 : "truncated \\UXXXXXXXX escape",
                                 msg, err_off);
            }
            if (v > 0x10FFFF) return str_error(a, s, n, start, i, "illegal Unicode character", msg, err_off);
            if (bytes) *o++ = (char)v;
            else o = put_utf8(o, v);
            break;
        }
        case 'N': {
            if (bytes) { *o++ = '\\'; *o++ = 'N'; break; }
            const char *why = "malformed \\N character escape";
            if (i >= n || s[i] != '{') return str_error(a, s, n, start, i, why, msg, err_off);
            size_t name = ++i;
            while (i < n && s[i] != '}') i++;
            if (i >= n || i == name) return str_error(a, s, n, start, i, why, msg, err_off);
            int32_t cp = uni_lookup_name(s + name, i - name);
            i++;
            if (cp < 0)
                return str_error(a, s, n, start, i, "unknown Unicode character name", msg, err_off);
            o = put_utf8(o, (uint32_t)cp);
            break;
        }
        default:
            /* Unknown escapes (and a backslash before a non-ASCII character) stay as written. */
            *o++ = '\\';
            i--;
            break;
        }
    }
    *o = 0;
    *out = (Str){buf, (size_t)(o - buf)};
    return 0;
}
