/* source.c - source bytes to UTF-8 text as CPython 3.11's ast.parse(bytes) does it: BOM, PEP 263
 * coding declarations (resolved through Python's codec aliases, decoded with glibc iconv), and
 * UTF-8 validation with CPython's error messages. Valid UTF-8 without a declaration is not copied. */
#include "source.h"
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SRC_ICONV, SRC_UTF8, SRC_NOT_TEXT, SRC_UNSUPPORTED };
#include "encodings_table.h"

/* ---- UTF-8 validation ---- */

/* One UTF-8 error as CPython's decoder reports it: bytes [start, end) of the input and why. */
typedef struct Utf8Err {
    size_t start, end;
    const char *why;
} Utf8Err;

static int is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Returns the length of the valid sequence at s[0..n) (n > 0, s[0] >= 0x80), or 0 and *e (with
 * offsets relative to s) when it is invalid, following CPython's stringlib/codecs.h exactly. */
static size_t utf8_seq(const unsigned char *s, size_t n, Utf8Err *e) {
    unsigned c = s[0];
    size_t need = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    e->start = 0;
    if (need == 0) { e->end = 1; e->why = "invalid start byte"; return 0; }
    for (size_t k = 1; k < need; k++) {
        if (k >= n) { e->end = n; e->why = "unexpected end of data"; return 0; }
        unsigned d = s[k];
        int ok = is_cont((unsigned char)d);
        if (k == 1 && ok) {
            if (c == 0xE0) ok = d >= 0xA0;
            else if (c == 0xED) ok = d < 0xA0;
            else if (c == 0xF0) ok = d >= 0x90;
            else if (c == 0xF4) ok = d < 0x90;
        }
        if (!ok) { e->end = k; e->why = "invalid continuation byte"; return 0; }
    }
    return need;
}

/* Returns the offset of the first invalid sequence in s[0..n) (filling *e, offsets relative to
 * s), or n. ASCII goes 8 bytes at a time: that is where source files spend their bytes. */
static size_t utf8_check(const unsigned char *s, size_t n, Utf8Err *e) {
    size_t i = 0;
    for (;;) {
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull) break;
            i += 8;
        }
        while (i < n && s[i] < 0x80) i++;
        if (i >= n) return n;
        /* a run of non-ASCII text (say, a comment in Cyrillic) stays in this loop */
        while (i < n && s[i] >= 0x80) {
            size_t k = utf8_seq(s + i, n - i, e);
            if (!k) { e->start += i; e->end += i; return i; }
            i += k;
        }
    }
}

static void utf8_message(Buf *b, const char *prefix, const char *codec, const unsigned char *s,
                         const Utf8Err *e, size_t base) {
    if (e->end - e->start == 1)
        buf_printf(b, "%s'%s' codec can't decode byte 0x%02x in position %zu: %s", prefix, codec,
                   s[e->start], e->start - base, e->why);
    else
        buf_printf(b, "%s'%s' codec can't decode bytes in position %zu-%zu: %s", prefix, codec,
                   e->start - base, e->end - 1 - base, e->why);
}

/* ---- invalid UTF-8 without a declaration ---- */

/* CPython 3.11 does not validate undeclared UTF-8 up front: bytes in comments pass, and a bad
 * byte is reported by whatever decodes its token (the string parser, relative to the string body
 * or, when the body has escapes, to the run of non-ASCII bytes; the identifier check, relative to
 * the name). This walks tokens just far enough to tell those cases apart (3.11 rules: an f-string
 * is one token). Invalid bytes in comments become '?' in a copy, which keeps every offset. */
static int line_at(const char *s, size_t n, size_t i) {
    int line = 1;
    for (size_t k = 0; k < i && k < n; k++)
        if (s[k] == '\n' || (s[k] == '\r' && (k + 1 == n || s[k + 1] != '\n'))) line++;
    return line;
}

static int is_name_byte(unsigned char c) {
    return isalnum(c) || c == '_' || c >= 0x80;
}

static int invalid_utf8(const char *in, size_t n, size_t bad, Buf *scratch, const char **text,
                        size_t *len, const char **errmsg, int *errline) {
    const unsigned char *u = (const unsigned char *)in;
    char *copy = NULL;
    size_t i = 0;
    Utf8Err e;
    while (i < n) {
        unsigned char c = u[i];
        if (c == '#') {
            size_t j = i;
            while (j < n && u[j] != '\n' && u[j] != '\r') j++;
            for (size_t k = i; k < j;) {
                size_t b = k + utf8_check(u + k, j - k, &e);
                if (b >= j) break;
                if (!copy) {
                    scratch->len = 0;
                    buf_put(scratch, in, n);
                    copy = scratch->data;
                }
                for (size_t q = e.start + k; q < e.end + k; q++) copy[q] = '?';
                k = e.end + k;
            }
            i = j;
        } else if (c == '\'' || c == '"') {
            size_t p = i;
            while (p > 0 && isalpha(u[p - 1])) p--;
            int raw = 0, bytes = 0, fstr = 0;
            if (i - p <= 2 && (p == 0 || !is_name_byte(u[p - 1])))
                for (size_t k = p; k < i; k++) {
                    int l = tolower(u[k]);
                    if (!strchr("rbuf", l)) { raw = bytes = fstr = 0; break; }
                    raw |= l == 'r', bytes |= l == 'b', fstr |= l == 'f';
                }
            int triple = i + 2 < n && u[i + 1] == c && u[i + 2] == c;
            size_t b0 = i + (triple ? 3 : 1), j = b0, b1;
            int has_bs = 0;
            for (;;) {
                if (j >= n || (!triple && (u[j] == '\n' || u[j] == '\r'))) { b1 = j; break; }
                if (u[j] == '\\') { has_bs = 1; j += 2; continue; }
                if (u[j] == c && (!triple || (j + 2 < n && u[j + 1] == c && u[j + 2] == c))) {
                    b1 = j;
                    j += triple ? 3 : 1;
                    break;
                }
                j++;
            }
            if (j > n) j = n;
            if (b1 > n) b1 = n;
            if (bad < j) {
                if (bytes) {
                    *errmsg = "bytes can only contain ASCII literal characters";
                    *errline = line_at(in, n, p);
                    return -1;
                }
                size_t r0 = b0, r1 = b1;
                if (fstr) { /* 3.11 decodes the literal pieces between replacement fields */
                    for (size_t k = b0; k < bad; k++) if (u[k] == '{' || u[k] == '}') r0 = k + 1;
                    for (size_t k = bad; k < b1; k++) if (u[k] == '{' || u[k] == '}') { r1 = k; break; }
                }
                if (has_bs && !raw) {
                    r0 = bad, r1 = bad;
                    while (r0 > b0 && u[r0 - 1] >= 0x80) r0--;
                    while (r1 < b1 && u[r1] >= 0x80) r1++;
                }
                utf8_check(u + r0, r1 - r0, &e);
                e.start += r0, e.end += r0;
                scratch->len = 0;
                utf8_message(scratch, "(unicode error) ", "utf-8", u, &e, r0);
                *errmsg = scratch->data;
                *errline = line_at(in, n, j > i ? j - 1 : i);
                return -1;
            }
            i = j;
        } else if (c >= 0x80 || isalpha(c) || c == '_') {
            size_t j = i;
            while (j < n && is_name_byte(u[j])) j++;
            if (bad < j) {
                utf8_check(u + i, j - i, &e);
                e.start += i, e.end += i;
                scratch->len = 0;
                utf8_message(scratch, "(unicode error) ", "utf-8", u, &e, i);
                *errmsg = scratch->data;
                *errline = line_at(in, n, bad);
                return -1;
            }
            i = j;
        } else {
            i++;
        }
        if (i > bad) {
            size_t nb = i + utf8_check(u + i, n - i, &e);
            if (nb >= n) break;
            bad = nb;
        }
    }
    *text = copy ? copy : in;
    *len = n;
    return 0;
}

/* ---- coding declarations ---- */

/* CPython's get_coding_spec: the line must be a comment; the first "coding[:=]" followed by
 * a name wins. Returns the name's length (0: none) and its start in *name. */
static size_t coding_spec(const char *s, size_t size, const char **name) {
    size_t i = 0;
    for (; i + 6 < size; i++) {
        if (s[i] == '#') break;
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\f') return 0;
    }
    for (; i + 6 < size; i++) {
        if (memcmp(s + i, "coding", 6) != 0) continue;
        const char *t = s + i + 6, *end = s + size;
        if (t >= end || (*t != ':' && *t != '=')) continue;
        do t++; while (t < end && (*t == ' ' || *t == '\t'));
        const char *b = t;
        while (t < end && (isalnum((unsigned char)*t) || *t == '-' || *t == '_' || *t == '.')) t++;
        if (t > b) { *name = b; return (size_t)(t - b); }
    }
    return 0;
}

static int blank_or_comment(const char *s, size_t size) {
    for (size_t i = 0; i < size; i++) {
        if (s[i] == '#') return 1;
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\f') return 0;
    }
    return 1;
}

/* CPython's get_normal_name: the spellings of utf-8 and latin-1 that the tokenizer knows. */
static const char *normal_name(const char *s) {
    char b[13];
    size_t i = 0;
    for (; i < 12 && s[i]; i++) b[i] = s[i] == '_' ? '-' : (char)tolower((unsigned char)s[i]);
    b[i] = 0;
    if (!strcmp(b, "utf-8") || !strncmp(b, "utf-8-", 6)) return "utf-8";
    if (!strcmp(b, "latin-1") || !strcmp(b, "iso-8859-1") || !strcmp(b, "iso-latin-1") ||
        !strncmp(b, "latin-1-", 8) || !strncmp(b, "iso-8859-1-", 11) ||
        !strncmp(b, "iso-latin-1-", 12))
        return "iso-8859-1";
    return s;
}

/* Python's codec lookup: encodings.normalize_encoding, then the alias table, then the module. */
static int find_codec(const char *name) {
    char norm[128];
    size_t k = 0;
    int punct = 0;
    for (const char *p = name; *p && k + 2 < sizeof norm; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) || c == '.') {
            if (punct && k) norm[k++] = '_';
            norm[k++] = (char)tolower(c);
            punct = 0;
        } else {
            punct = 1;
        }
    }
    norm[k] = 0;
    const char *codec = norm;
    size_t na = sizeof SRC_ALIASES / sizeof SRC_ALIASES[0];
    for (int pass = 0; pass < 2; pass++) {
        char alt[128];
        strcpy(alt, norm);
        if (pass) for (char *p = alt; *p; p++) if (*p == '.') *p = '_';
        size_t lo = 0, hi = na;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int c = strcmp(SRC_ALIASES[mid].alias, alt);
            if (c == 0) { codec = SRC_ALIASES[mid].codec; pass = 2; break; }
            if (c < 0) lo = mid + 1; else hi = mid;
        }
    }
    if (strchr(codec, '.')) return -1;
    for (size_t i = 0; i < sizeof SRC_CODECS / sizeof SRC_CODECS[0]; i++)
        if (!strcmp(SRC_CODECS[i].codec, codec)) return (int)i;
    return -1;
}

/* Decodes in[0..n) from the codec with iconv into scratch; CPython decodes the whole text. */
static int decode_iconv(int ci, const char *in, size_t n, Buf *scratch, const char **text,
                        size_t *len, const char **errmsg, int *errline) {
    iconv_t cd = iconv_open("UTF-8", SRC_CODECS[ci].iconv);
    if (cd == (iconv_t)-1) {
        scratch->len = 0;
        buf_printf(scratch, "unknown encoding: %s", SRC_CODECS[ci].pyname);
        *errmsg = scratch->data;
        *errline = 1;
        return -1;
    }
    scratch->len = 0;
    buf_reserve(scratch, n * 4 + 16);
    char *ip = (char *)in, *op = scratch->data;
    size_t il = n, ol = scratch->cap - 1;
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    if (r != (size_t)-1) r = iconv(cd, NULL, NULL, &op, &ol);
    int err = errno;
    iconv_close(cd);
    if (r == (size_t)-1) {
        size_t pos = (size_t)(ip - in);
        unsigned char c = (unsigned char)in[pos < n ? pos : n - 1];
        const char *py = SRC_CODECS[ci].pyname;
        Buf m = {0};
        if (!strcmp(py, "ascii"))
            buf_printf(&m, "'ascii' codec can't decode byte 0x%02x in position %zu: ordinal not "
                           "in range(128)", c, pos);
        else if (err == EINVAL)
            buf_printf(&m, "'%s' codec can't decode byte 0x%02x in position %zu: incomplete "
                           "multibyte sequence", py, c, pos);
        else
            buf_printf(&m, "'%s' codec can't decode byte 0x%02x in position %zu: illegal "
                           "multibyte sequence", py, c, pos);
        *errline = line_at(in, n, pos);
        buf_free(scratch);
        *scratch = m;
        *errmsg = scratch->data;
        return -1;
    }
    scratch->len = (size_t)(op - scratch->data);
    scratch->data[scratch->len] = 0;
    *text = scratch->data;
    *len = scratch->len;
    return 0;
}

int source_decode(const char *in, size_t n, Buf *scratch, const char **text, size_t *len,
                  const char **errmsg, int *errline) {
    /* compile() and ast.parse() refuse NUL bytes before they look at anything else */
    const char *nul = memchr(in, 0, n);
    if (nul) {
        *errmsg = "source code string cannot contain null bytes";
        *errline = line_at(in, n, (size_t)(nul - in));
        return -1;
    }
    int bom = n >= 3 && !memcmp(in, "\xef\xbb\xbf", 3);
    if (bom) in += 3, n -= 3;
    /* Lines 1 and 2 (CPython has turned \r\n and \r into \n by then). */
    const char *decl = NULL;
    size_t dn = 0, l1 = 0;
    while (l1 < n && in[l1] != '\n' && in[l1] != '\r') l1++;
    dn = coding_spec(in, l1, &decl);
    if (!dn && blank_or_comment(in, l1) && l1 < n) {
        size_t s2 = l1 + (in[l1] == '\r' && l1 + 1 < n && in[l1 + 1] == '\n' ? 2 : 1), l2 = s2;
        while (l2 < n && in[l2] != '\n' && in[l2] != '\r') l2++;
        dn = coding_spec(in + s2, l2 - s2, &decl);
    }
    const char *enc = "utf-8";
    char name[64];
    if (dn) {
        if (dn >= sizeof name) dn = sizeof name - 1;
        memcpy(name, decl, dn);
        name[dn] = 0;
        enc = normal_name(name);
        if (bom && strcmp(enc, "utf-8") != 0) {
            scratch->len = 0;
            buf_printf(scratch, "encoding problem: %s with BOM", enc);
            *errmsg = scratch->data;
            *errline = 1;
            return -1;
        }
    }
    if (!strcmp(enc, "utf-8")) {
        Utf8Err e;
        size_t bad = utf8_check((const unsigned char *)in, n, &e);
        if (bad == n) { *text = in; *len = n; return 0; }
        return invalid_utf8(in, n, bad, scratch, text, len, errmsg, errline);
    }
    int ci = find_codec(enc);
    if (ci < 0 || SRC_CODECS[ci].how == SRC_UNSUPPORTED) {
        scratch->len = 0;
        buf_printf(scratch, "unknown encoding: %s", enc);
        *errmsg = scratch->data;
        *errline = 1;
        return -1;
    }
    if (SRC_CODECS[ci].how == SRC_NOT_TEXT) {
        scratch->len = 0;
        buf_printf(scratch, "'%s' is not a text encoding; use codecs.decode() to handle arbitrary "
                            "codecs", enc);
        *errmsg = scratch->data;
        *errline = 1;
        return -1;
    }
    if (SRC_CODECS[ci].how == SRC_UTF8) { /* e.g. "utf8": the whole text is decoded strictly */
        Utf8Err e;
        size_t bad = utf8_check((const unsigned char *)in, n, &e);
        if (bad == n) { *text = in; *len = n; return 0; }
        scratch->len = 0;
        utf8_message(scratch, "", "utf-8", (const unsigned char *)in, &e, 0);
        *errmsg = scratch->data;
        *errline = line_at(in, n, bad);
        return -1;
    }
    return decode_iconv(ci, in, n, scratch, text, len, errmsg, errline);
}
