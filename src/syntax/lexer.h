/* lexer.h - Python tokenizer: decoded source text in, an array of tokens out (INDENT/DEDENT,
 * NEWLINE, PEP 701 f-string tokens), as CPython's tokenizer produces them. */
#ifndef GLINTEFY_LEXER_H
#define GLINTEFY_LEXER_H
#include <stddef.h>
#include "../base/buf.h"
#include "token.h"

/* A lexing error: byte offset in the text and message. */
typedef struct LexError {
    size_t offset;
    int overrides; /* CPython raises it while checking the whole source after a parser error,
                      so it replaces that error (all but indentation and end-of-input errors) */
    char msg[256];
} LexError;

typedef Array(Token) TokenArray;

/* Tokenises text[0..n) (UTF-8, newlines already normalised to '\n'). Appends the tokens to *out,
 * ending with ENDMARKER, or with ERRORTOKEN after filling *err. `pyminor` gates version-specific
 * rules. Returns 0 on success, -1 on error (tokens before the error are kept, so that the parser
 * can report an earlier syntax error first, as CPython does). */
int lex_tokenize(const char *text, size_t n, int pyminor, TokenArray *out, LexError *err);

/* Returns the 1-based line and the 0-based byte column of offset `off` in text. */
void lex_line_col(const char *text, size_t n, size_t off, int *line, int *col);

#endif
