/* ast.h - the syntax tree: one node struct for every kind (see tools/gen_ast.py for the table),
 * allocated in the file's arena. Field names follow CPython's ast module. */
#ifndef GLINTEFY_AST_H
#define GLINTEFY_AST_H
#include <stddef.h>
#include <stdint.h>
#include "../base/arena.h"
#include "../base/str.h"

typedef struct AstNode AstNode;

/* A list of child nodes; NULL stands for the empty list. */
typedef struct AstList {
    int len, cap;
    AstNode **items;
} AstList;

typedef enum { CONST_NONE, CONST_TRUE, CONST_FALSE, CONST_ELLIPSIS, CONST_INT, CONST_FLOAT, CONST_COMPLEX,
               CONST_STR, CONST_BYTES } ConstKind;

/* Constant.value: for INT decimal digits, FLOAT/COMPLEX Python's repr, STR UTF-8 (WTF-8 for lone
 * surrogates), BYTES raw bytes. */
typedef struct AstConst {
    ConstKind kind;
    Str text;
} AstConst;

#include "ast_gen.h"

/* Positions as CPython reports them: 1-based lines, 0-based columns in UTF-8 bytes. */
struct AstNode {
    uint16_t kind;  /* AstKind */
    uint16_t flags; /* AN_* */
    int32_t lineno, col_offset, end_lineno, end_col_offset;
    AST_NODE_UNION v;
};

enum { AN_PARENS = 1 /* the expression was written in parentheses */ };

typedef enum { AF_NODE, AF_OPT, AF_LIST, AF_IDENT, AF_OPT_IDENT, AF_CONST, AF_INT } AstFieldKind;
typedef struct AstFieldDesc {
    const char *name;
    AstFieldKind kind;
    int since; /* first Python 3.x minor version with this field; 0 = always */
    size_t offset;
} AstFieldDesc;
typedef struct AstKindDesc {
    const char *name;
    int has_pos;
    int first_field, nfields;
    int since;
} AstKindDesc;

extern const AstFieldDesc *const ast_fields;
extern const AstKindDesc *const ast_kinds;

/* Returns a new zeroed node of `kind` in arena a. */
AstNode *ast_new(Arena *a, AstKind kind);
/* Returns the shared node of a kind without fields (Load, Add, Eq...). */
AstNode *ast_singleton(AstKind kind);
/* Appends x to *l (allocating the list in a when *l is NULL). */
void ast_list_push(Arena *a, AstList **l, AstNode *x);
static inline int ast_list_len(const AstList *l) { return l ? l->len : 0; }

#endif
