/* syntax.c - the front end's entry: bytes -> decoded text -> normalised newlines -> tree. */
#include "syntax.h"
#include <stdio.h>
#include <string.h>
#include "parser.h"
#include "source.h"

/* Returns a copy of the text in the arena (the tree points into it), read with universal
 * newlines as CPython does: "\r\n" and "\r" both become "\n". */
static const char *normalise_newlines(Arena *a, const char *s, size_t n, size_t *out_n) {
    char *d = arena_alloc(a, n + 1);
    if (!memchr(s, '\r', n)) {
        memcpy(d, s, n);
        *out_n = n;
        return d;
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') {
            d[j++] = '\n';
            if (i + 1 < n && s[i + 1] == '\n') i++;
        } else {
            d[j++] = s[i];
        }
    }
    *out_n = j;
    return d;
}

/* Offset of the first byte that is not part of valid UTF-8 (no surrogates, no overlongs), or n. */
static size_t first_invalid_utf8(const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        if (c < 0x80) { i++; continue; }
        size_t len;
        unsigned min;
        if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; }
        else return i;
        if (i + len > n) return i;
        unsigned cp = c & (0x7F >> len);
        for (size_t k = 1; k < len; k++) {
            if ((u[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return n;
}

/* A BOM or a "coding" declaration in the first two lines: the decoder's own rules apply then. */
static int has_coding_or_bom(const char *s, size_t n) {
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) return 1;
    size_t end = 0;
    for (int line = 0; line < 2 && end < n; line++) {
        const char *nl = memchr(s + end, '\n', n - end);
        size_t e = nl ? (size_t)(nl - s) : n;
        for (size_t i = end; i + 6 <= e; i++)
            if (memcmp(s + i, "coding", 6) == 0) return 1;
        end = e + 1;
    }
    return 0;
}

AstNode *syntax_parse(Arena *a, const char *data, size_t n, int pyminor, SyntaxDiag *diag) {
    memset(diag, 0, sizeof *diag);
    if (memchr(data, 0, n)) {
        diag->line = 0;
        diag->col = 0;
        snprintf(diag->msg, sizeof diag->msg, "source code string cannot contain null bytes");
        return NULL;
    }
    Buf scratch = {0};
    const char *text;
    size_t len;
    const char *err;
    int errline;
    if (pyminor >= 12 && !has_coding_or_bom(data, n)) {
        /* 3.12+ checks the whole file as UTF-8 before tokenising */
        size_t bad = first_invalid_utf8(data, n);
        if (bad < n) {
            int line = 1;
            size_t ls = 0;
            for (size_t i = 0; i < bad; i++)
                if (data[i] == '\n') { line++; ls = i + 1; }
            diag->line = line;
            diag->col = (int)(bad - ls) + 1;
            snprintf(diag->msg, sizeof diag->msg,
                     "Non-UTF-8 code starting with '\\x%02x' on line %d, but no encoding declared; "
                     "see https://peps.python.org/pep-0263/ for details",
                     (unsigned char)data[bad], line);
            return NULL;
        }
    }
    if (source_decode(data, n, &scratch, &text, &len, &err, &errline) != 0) {
        diag->line = errline;
        diag->col = 0;
        if (strncmp(err, "unknown encoding", 16) == 0 || (pyminor < 12 && strncmp(err, "encoding problem", 16) == 0)) {
            /* CPython raises these before it has a position */
            diag->line = 0;
            diag->col = -1;
        }
        snprintf(diag->msg, sizeof diag->msg, "%s", err);
        buf_free(&scratch);
        return NULL;
    }
    /* the tree takes about three times the source (2.3 MB for the stdlib's largest file, 0.76 MB):
     * one chunk for a big file instead of a doubling series that leaves up to half unused */
    arena_reserve(a, 3 * len + 4096);
    size_t nn;
    const char *norm = normalise_newlines(a, text, len, &nn);
    AstNode *m = parse_module(a, norm, nn, pyminor, diag);
    buf_free(&scratch);
    return m;
}
