/* syntax.h - the front end's public face: Python source text in, AST (in an arena) out. */
#ifndef GLINTEFY_SYNTAX_H
#define GLINTEFY_SYNTAX_H
#include <stddef.h>
#include "../base/arena.h"
#include "../base/buf.h"

typedef struct AstNode AstNode;

/* A syntax error as CPython reports it: 1-based line, 1-based column in characters. */
typedef struct SyntaxDiag {
    int line, col;
    char msg[512];
} SyntaxDiag;

/* Oldest and newest Python minor versions (3.x) whose syntax and tree shapes we follow. */
enum { SYNTAX_PY_MIN = 8, SYNTAX_PY_MAX = 14 };

/* Parses source bytes data[0..n) (any encoding CPython accepts) as a module. `pyminor` selects
 * the Python version (3.pyminor) whose rules and tree shapes are followed. Returns the Module
 * node (owned by `a`), or NULL with *diag filled. */
AstNode *syntax_parse(Arena *a, const char *data, size_t n, int pyminor, SyntaxDiag *diag);

/* Appends the tree as one line of JSON in the form documented in docs/ast-json.md. */
void syntax_dump_json(Buf *out, const AstNode *root, int pyminor);

#endif
