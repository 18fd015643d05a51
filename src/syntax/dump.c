/* dump.c - the AST as JSON in the form of tests/tools/ast_to_json.py (docs/ast-json.md): driven
 * by the generated field table, so it never lists node kinds by hand. */
#include <stdio.h>
#include "ast.h"
#include "syntax.h"

static void dump_str(Buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    buf_reserve(b, n + 2);
    buf_putc(b, '"');
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            size_t j = i + 1;
            while (j < n) {
                unsigned char d = (unsigned char)s[j];
                if (d < 0x20 || d == '"' || d == '\\' || d >= 0x80) break;
                j++;
            }
            buf_put(b, s + i, j - i);
            i = j;
            continue;
        }
        if (c == 0xED && i + 2 < n && ((unsigned char)s[i + 1] & 0xE0) == 0xA0) {
            /* a lone surrogate kept as WTF-8: JSON can only spell it as an escape */
            unsigned cp = 0xD000u | (((unsigned char)s[i + 1] & 0x3Fu) << 6) | ((unsigned char)s[i + 2] & 0x3Fu);
            char e[7] = {'\\', 'u', hex[cp >> 12], hex[(cp >> 8) & 15], hex[(cp >> 4) & 15], hex[cp & 15], 0};
            buf_put(b, e, 6);
            i += 3;
            continue;
        }
        if (c >= 0x80) { buf_putc(b, (char)c); i++; continue; }
        switch (c) {
        case '"': buf_put(b, "\\\"", 2); break;
        case '\\': buf_put(b, "\\\\", 2); break;
        case '\n': buf_put(b, "\\n", 2); break;
        case '\t': buf_put(b, "\\t", 2); break;
        case '\r': buf_put(b, "\\r", 2); break;
        default: {
            char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            buf_put(b, e, 6);
        }
        }
        i++;
    }
    buf_putc(b, '"');
}

static void dump_int(Buf *b, long long v) { buf_printf(b, "{\"int\":\"%lld\"}", v); }

static void dump_const(Buf *b, const AstConst *c) {
    static const char hex[] = "0123456789abcdef";
    switch (c->kind) {
    case CONST_NONE: buf_puts(b, "null"); break;
    case CONST_TRUE: buf_puts(b, "true"); break;
    case CONST_FALSE: buf_puts(b, "false"); break;
    case CONST_ELLIPSIS: buf_puts(b, "{\"ellipsis\":true}"); break;
    case CONST_INT: buf_puts(b, "{\"int\":\""); buf_put(b, c->text.s, c->text.len); buf_puts(b, "\"}"); break;
    case CONST_FLOAT: buf_puts(b, "{\"float\":\""); buf_put(b, c->text.s, c->text.len); buf_puts(b, "\"}"); break;
    case CONST_COMPLEX: buf_puts(b, "{\"complex\":\""); buf_put(b, c->text.s, c->text.len); buf_puts(b, "\"}"); break;
    case CONST_STR: dump_str(b, c->text.s, c->text.len); break;
    case CONST_BYTES:
        buf_puts(b, "{\"bytes\":\"");
        buf_reserve(b, c->text.len * 2 + 2);
        for (size_t i = 0; i < c->text.len; i++) {
            unsigned char x = (unsigned char)c->text.s[i];
            buf_putc(b, hex[x >> 4]);
            buf_putc(b, hex[x & 15]);
        }
        buf_puts(b, "\"}");
        break;
    }
}

static void dump_node(Buf *b, const AstNode *n, int pyminor);

static void dump_list(Buf *b, const AstList *l, int pyminor) {
    buf_putc(b, '[');
    for (int i = 0; l && i < l->len; i++) {
        if (i) buf_putc(b, ',');
        const AstNode *x = l->items[i];
        if (!x) buf_puts(b, "null");
        else if (x->kind == AST__Identifier) dump_str(b, x->v._Identifier.value.s, x->v._Identifier.value.len);
        else dump_node(b, x, pyminor);
    }
    buf_putc(b, ']');
}

static void dump_node(Buf *b, const AstNode *n, int pyminor) {
    const AstKindDesc *k = &ast_kinds[n->kind];
    buf_puts(b, "{\"_type\":\"");
    buf_puts(b, k->name);
    buf_putc(b, '"');
    for (int i = 0; i < k->nfields; i++) {
        const AstFieldDesc *f = &ast_fields[k->first_field + i];
        if (f->since > pyminor) continue;
        const char *p = (const char *)n + f->offset;
        buf_puts(b, ",\"");
        buf_puts(b, f->name);
        buf_puts(b, "\":");
        switch (f->kind) {
        case AF_NODE:
        case AF_OPT: {
            const AstNode *c = *(AstNode *const *)p;
            if (c) dump_node(b, c, pyminor);
            else buf_puts(b, "null");
            break;
        }
        case AF_LIST: dump_list(b, *(AstList *const *)p, pyminor); break;
        case AF_IDENT:
        case AF_OPT_IDENT: {
            const Str *s = (const Str *)p;
            if (s->s) dump_str(b, s->s, s->len);
            else buf_puts(b, "null");
            break;
        }
        case AF_CONST: dump_const(b, (const AstConst *)p); break;
        case AF_INT: dump_int(b, *(const int *)p); break;
        }
    }
    if (k->has_pos) {
        buf_printf(b, ",\"lineno\":{\"int\":\"%d\"},\"col_offset\":{\"int\":\"%d\"},"
                      "\"end_lineno\":{\"int\":\"%d\"},\"end_col_offset\":{\"int\":\"%d\"}",
                   n->lineno, n->col_offset, n->end_lineno, n->end_col_offset);
    }
    buf_putc(b, '}');
}

void syntax_dump_json(Buf *out, const AstNode *root, int pyminor) { dump_node(out, root, pyminor); }
