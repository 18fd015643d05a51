/* parser.h - recursive-descent parser for Python 3.8-3.14 over the lexer's token array, building
 * the same tree as CPython's ast.parse (see python.gram; each function names the rule it parses). */
#ifndef GLINTEFY_PARSER_H
#define GLINTEFY_PARSER_H
#include "ast.h"
#include "syntax.h"

/* Parses decoded, newline-normalised text[0..n) as a module. Returns the Module node, or NULL
 * with *diag filled (1-based line, 1-based character column, CPython's message). */
AstNode *parse_module(Arena *a, const char *text, size_t n, int pyminor, SyntaxDiag *diag);

#endif
