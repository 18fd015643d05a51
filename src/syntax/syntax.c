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
    size_t nn;
    const char *norm = normalise_newlines(a, text, len, &nn);
    AstNode *m = parse_module(a, norm, nn, pyminor, diag);
    buf_free(&scratch);
    return m;
}
