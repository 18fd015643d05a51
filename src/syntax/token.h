/* token.h - the token table (one X-macro) and the token record the lexer produces. */
#ifndef GLINTEFY_TOKEN_H
#define GLINTEFY_TOKEN_H
#include <stdint.h>

/* X(enum name, spelling) - operators first, then keywords, then the rest. */
#define TOKEN_OPS(X)                                                                          \
    X(LPAR, "(") X(RPAR, ")") X(LSQB, "[") X(RSQB, "]") X(COLON, ":") X(COMMA, ",")           \
    X(SEMI, ";") X(PLUS, "+") X(MINUS, "-") X(STAR, "*") X(SLASH, "/") X(VBAR, "|")           \
    X(AMPER, "&") X(LESS, "<") X(GREATER, ">") X(EQUAL, "=") X(DOT, ".") X(PERCENT, "%")      \
    X(LBRACE, "{") X(RBRACE, "}") X(EQEQUAL, "==") X(NOTEQUAL, "!=") X(LESSEQUAL, "<=")       \
    X(GREATEREQUAL, ">=") X(TILDE, "~") X(CIRCUMFLEX, "^") X(LEFTSHIFT, "<<")                 \
    X(RIGHTSHIFT, ">>") X(DOUBLESTAR, "**") X(PLUSEQUAL, "+=") X(MINEQUAL, "-=")              \
    X(STAREQUAL, "*=") X(SLASHEQUAL, "/=") X(PERCENTEQUAL, "%=") X(AMPEREQUAL, "&=")          \
    X(VBAREQUAL, "|=") X(CIRCUMFLEXEQUAL, "^=") X(LEFTSHIFTEQUAL, "<<=")                      \
    X(RIGHTSHIFTEQUAL, ">>=") X(DOUBLESTAREQUAL, "**=") X(DOUBLESLASH, "//")                  \
    X(DOUBLESLASHEQUAL, "//=") X(AT, "@") X(ATEQUAL, "@=") X(RARROW, "->")                    \
    X(ELLIPSIS, "...") X(COLONEQUAL, ":=") X(EXCLAMATION, "!")

#define TOKEN_KEYWORDS(X)                                                                     \
    X(KW_FALSE, "False") X(KW_NONE, "None") X(KW_TRUE, "True") X(KW_AND, "and")              \
    X(KW_AS, "as") X(KW_ASSERT, "assert") X(KW_ASYNC, "async") X(KW_AWAIT, "await")           \
    X(KW_BREAK, "break") X(KW_CLASS, "class") X(KW_CONTINUE, "continue") X(KW_DEF, "def")     \
    X(KW_DEL, "del") X(KW_ELIF, "elif") X(KW_ELSE, "else") X(KW_EXCEPT, "except")             \
    X(KW_FINALLY, "finally") X(KW_FOR, "for") X(KW_FROM, "from") X(KW_GLOBAL, "global")       \
    X(KW_IF, "if") X(KW_IMPORT, "import") X(KW_IN, "in") X(KW_IS, "is")                       \
    X(KW_LAMBDA, "lambda") X(KW_NONLOCAL, "nonlocal") X(KW_NOT, "not") X(KW_OR, "or")         \
    X(KW_PASS, "pass") X(KW_RAISE, "raise") X(KW_RETURN, "return") X(KW_TRY, "try")           \
    X(KW_WHILE, "while") X(KW_WITH, "with") X(KW_YIELD, "yield")

#define TOKEN_OTHER(X)                                                                        \
    X(ENDMARKER, "end of file") X(NAME, "name") X(NUMBER, "number") X(STRING, "string")      \
    X(NEWLINE, "newline") X(INDENT, "indent") X(DEDENT, "dedent")                             \
    X(FSTRING_START, "f-string start") X(FSTRING_MIDDLE, "f-string middle")                   \
    X(FSTRING_END, "f-string end") X(BADCHAR, "character") X(ERRORTOKEN, "error")

typedef enum TokType {
#define X(name, spelling) T_##name,
    TOKEN_OPS(X) TOKEN_KEYWORDS(X) TOKEN_OTHER(X)
#undef X
    T__COUNT
} TokType;

/* A token: its byte span in the (decoded, newline-normalised) text and its positions as CPython
 * reports them: 1-based lines, 0-based columns in UTF-8 bytes. */
typedef struct Token {
    uint8_t type;  /* TokType */
    uint8_t flags; /* TF_* */
    uint8_t level; /* brackets open after this token (capped at 255), as CPython's tok->level */
    uint32_t start, end;
    int32_t line, col, end_line, end_col;
} Token;

enum {
    TF_TSTRING = 1,  /* FSTRING_START/END of a t-string */
    TF_RAW = 2,      /* string or f-string with an r prefix */
    TF_BYTES = 4,    /* STRING with a b prefix */
    TF_UPREFIX = 8,  /* STRING with a u prefix (Constant.kind == "u") */
    TF_TRIPLE = 16,  /* triple-quoted */
};

extern const char *const tok_spelling[T__COUNT];

#endif
