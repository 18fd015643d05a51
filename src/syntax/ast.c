/* ast.c - node allocation and the generated node/field tables. */
#include "ast.h"
#include <string.h>
#include "ast_tables.h"

const AstFieldDesc *const ast_fields = ast_field_table;
const AstKindDesc *const ast_kinds = ast_kind_table;

AstNode *ast_new(Arena *a, AstKind kind) {
    /* only the kind's own fields are allocated: a Name takes 48 bytes, not the 96 of the
     * largest node; code must read only the fields of a node's kind */
    AstNode *n = arena_alloc(a, ast_node_size[kind]);
    n->kind = (uint16_t)kind;
    return n;
}

AstNode *ast_singleton(AstKind kind) {
    return &ast_singleton_table[kind];
}

void ast_list_push(Arena *a, AstList **lp, AstNode *x) {
    AstList *l = *lp;
    if (!l) {
        l = arena_alloc(a, sizeof *l);
        *lp = l;
    }
    if (l->len == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        AstNode **items = arena_alloc(a, (size_t)cap * sizeof *items);
        if (l->len) memcpy(items, l->items, (size_t)l->len * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->len++] = x;
}
