/* test_lexer.c - token streams: kinds, positions, and how a stream ends. */
#include <string.h>
#include "../../src/syntax/lexer.h"
#include "unit.h"

static int lex(const char *src, TokenArray *out, LexError *err) {
    memset(out, 0, sizeof *out);
    return lex_tokenize(src, strlen(src), 14, out, err);
}

/* Every text that lexes cleanly ends with exactly one ENDMARKER and no error token, whatever
 * trails it (blank lines, spaces, a comment without a newline). Once a blank last line made
 * the tokenizer report "no progress" after the ENDMARKER and run a slow error path per file. */
TEST(lexer_clean_end_of_input) {
    const char *cases[] = {"x = 1\n", "x = 1", "x = 1\n\n", "x = 1\n   ", "x = 1\n# c", "if x:\n    y\n\n",
                           "", "\n", "# only\n", "(\n1\n)\n"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TokenArray t;
        LexError e;
        CHECK(lex(cases[i], &t, &e) == 0);
        CHECK(t.len > 0 && t.items[t.len - 1].type == T_ENDMARKER);
        for (size_t k = 0; k + 1 < t.len; k++) CHECK(t.items[k].type != T_ENDMARKER && t.items[k].type != T_ERRORTOKEN);
        vec_free(&t);
    }
}

TEST(lexer_indent_dedent_positions) {
    TokenArray t;
    LexError e;
    CHECK(lex("if x:\n    y = 1\nz\n", &t, &e) == 0);
    int indents = 0, dedents = 0;
    for (size_t k = 0; k < t.len; k++) {
        if (t.items[k].type == T_INDENT) indents++;
        if (t.items[k].type == T_DEDENT) dedents++;
    }
    CHECK(indents == 1 && dedents == 1);
    /* y starts at line 2, column 4 */
    for (size_t k = 0; k < t.len; k++)
        if (t.items[k].type == T_NAME && t.items[k].line == 2) { CHECK(t.items[k].col == 4); break; }
    vec_free(&t);
}

TEST(lexer_fstring_tokens) {
    TokenArray t;
    LexError e;
    CHECK(lex("f'a{b!r:>{w}}c'\n", &t, &e) == 0);
    TokType want[] = {T_FSTRING_START, T_FSTRING_MIDDLE, T_LBRACE, T_NAME, T_EXCLAMATION, T_NAME, T_COLON,
                      T_FSTRING_MIDDLE, T_LBRACE, T_NAME, T_RBRACE, T_RBRACE, T_FSTRING_MIDDLE, T_FSTRING_END,
                      T_NEWLINE, T_ENDMARKER};
    CHECK(t.len == sizeof want / sizeof want[0]);
    for (size_t k = 0; k < t.len && k < sizeof want / sizeof want[0]; k++) CHECK(t.items[k].type == want[k]);
    vec_free(&t);
}

TEST(lexer_errors_stop_the_stream) {
    TokenArray t;
    LexError e;
    CHECK(lex("x = 'abc\n", &t, &e) == -1);
    CHECK(t.items[t.len - 1].type == T_ERRORTOKEN);
    CHECK(strstr(e.msg, "unterminated string literal") != NULL);
    vec_free(&t);
    CHECK(lex("if x:\n        a\n    b\n", &t, &e) == -1);
    CHECK(strstr(e.msg, "unindent does not match") != NULL);
    vec_free(&t);
}
