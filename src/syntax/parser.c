/* parser.c - recursive descent over the token array, one function per rule of CPython's
 * Grammar/python.gram (named in the comment above it). Node positions follow pegen's EXTRA: a node
 * spans from the first token its rule consumed to the last non-whitespace token it consumed.
 * Errors longjmp to parse_module, which turns them into a SyntaxDiag; the arena owns everything. */
#include "parser.h"
#include <setjmp.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lexer.h"
#include "lit.h"
#include "unicode.h"

enum { MAX_DEPTH = 3000 };

typedef struct Parser {
    Arena *a;
    const char *src;
    size_t n;
    Token *t;      /* tokens, ending with ENDMARKER or ERRORTOKEN */
    size_t nt, i;  /* count, current index */
    size_t maxi;   /* furthest token looked at, where "invalid syntax" points */
    Token *last;   /* last consumed token other than NEWLINE/INDENT/DEDENT */
    int pyminor;
    int depth;
    int lexfailed;
    LexError lexerr;
    jmp_buf *jb;
    int speculating; /* >0 inside a trial parse: errors only unwind */
    /* the error */
    size_t err_off;
    int err_line, err_col; /* when err_line > 0 it is used instead of err_off */
    char err_msg[512];
    int in_fstring;   /* >0 while parsing a replacement field */
    Token *after_strings; /* the token after the string run being parsed: 3.11 reports f-string errors there */
    size_t probe_end;     /* where the last lookahead rule stopped */
} Parser;

static AstNode *expression(Parser *p);
static AstNode *named_expression(Parser *p);
static AstNode *named_expression_impl(Parser *p, int hints);
static const char *expr_name(const AstNode *e);
static AstNode *star_expressions(Parser *p);
static AstNode *yield_expr(Parser *p);
static AstNode *bitwise_or(Parser *p);
static AstNode *disjunction(Parser *p);
static AstNode *primary(Parser *p);
static AstNode *atom(Parser *p);
static AstList *block(Parser *p, const char *what, int line);
static AstNode *statement_into(Parser *p, AstList **body);
static AstNode *star_targets(Parser *p);
static AstNode *pattern(Parser *p);
static AstNode *slices(Parser *p);
static void set_ctx(Parser *p, AstNode *e, AstKind ctx);
static AstNode *annotated_rhs(Parser *p);

/* ---- errors ---- */

static void raise_at_tok(Parser *p, const Token *t, const char *fmt, ...) __attribute__((format(printf, 3, 4), noreturn));
static void raise_lex(Parser *p) __attribute__((noreturn));

/* After a parser error CPython tokenises the rest of the source: a tokenizer error found there
 * wins, and so does a bracket left open at the end when the error is on a later line. */
static void lex_override(Parser *p, int err_line) {
    if (!p->lexfailed || p->speculating) return;
    if (p->lexerr.overrides) raise_lex(p);
    if (strstr(p->lexerr.msg, "' was never closed")) {
        int line, col;
        lex_line_col(p->src, p->n, p->lexerr.offset, &line, &col);
        if (err_line > line) raise_lex(p);
    }
}

static void raise_at_tok(Parser *p, const Token *t, const char *fmt, ...) {
    lex_override(p, t->line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err_msg, sizeof p->err_msg, fmt, ap);
    va_end(ap);
    p->err_off = t->start;
    p->err_line = t->line;
    p->err_col = t->col;
    longjmp(*p->jb, 1);
}

static void raise_at_node(Parser *p, const AstNode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4), noreturn));
static void raise_at_node(Parser *p, const AstNode *n, const char *fmt, ...) {
    lex_override(p, n->lineno);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err_msg, sizeof p->err_msg, fmt, ap);
    va_end(ap);
    p->err_line = n->lineno;
    p->err_col = n->col_offset;
    longjmp(*p->jb, 1);
}

static Token *tok(Parser *p) {
    if (p->i > p->maxi) p->maxi = p->i;
    return &p->t[p->i];
}

/* A token the lexer could not make: its error is the one to report. */
static void raise_lex(Parser *p) {
    snprintf(p->err_msg, sizeof p->err_msg, "%s", p->lexerr.msg);
    p->err_off = p->lexerr.offset;
    p->err_line = 0;
    longjmp(*p->jb, 1);
}

static void raise_syntax(Parser *p) __attribute__((noreturn));
static void raise_syntax(Parser *p) {
    Token *t = &p->t[p->maxi];
    if (t->type == T_ERRORTOKEN) raise_lex(p);
    /* CPython reports these at once, without checking the rest of the source */
    if (t->type == T_INDENT || t->type == T_DEDENT) {
        p->lexfailed = 0;
        raise_at_tok(p, t, t->type == T_INDENT ? "unexpected indent" : "unexpected unindent");
    }
    raise_at_tok(p, t, "invalid syntax");
}

static inline int at(Parser *p, TokType ty) {
    Token *t = tok(p);
    if (t->type == T_ERRORTOKEN && !p->speculating) raise_lex(p);
    return t->type == ty;
}
static inline int peek_is(Parser *p, size_t k, TokType ty) {
    size_t j = p->i + k;
    if (j >= p->nt) j = p->nt - 1;
    if (j > p->maxi) p->maxi = j;
    return p->t[j].type == ty;
}
static inline Token *advance(Parser *p) {
    Token *t = &p->t[p->i];
    if (t->type == T_ERRORTOKEN) raise_lex(p);
    if (t->type != T_NEWLINE && t->type != T_INDENT && t->type != T_DEDENT) p->last = t;
    if (p->i + 1 < p->nt) p->i++;
    return t;
}
static inline int accept(Parser *p, TokType ty) {
    if (at(p, ty)) { advance(p); return 1; }
    return 0;
}
static Token *expect(Parser *p, TokType ty) {
    if (!at(p, ty)) {
        if (ty == T_COLON && at(p, T_NEWLINE) && !p->in_fstring) raise_at_tok(p, tok(p), "expected ':'");
        raise_syntax(p);
    }
    return advance(p);
}
static int at_soft(Parser *p, const char *kw) {
    Token *t = tok(p);
    return t->type == T_NAME && t->end - t->start == strlen(kw) && memcmp(p->src + t->start, kw, t->end - t->start) == 0;
}

static void enter(Parser *p) {
    if (++p->depth > MAX_DEPTH) raise_at_tok(p, tok(p), "too deeply nested: more than %d levels", MAX_DEPTH);
}
static void leave(Parser *p) { p->depth--; }

static int token_starts_expression(TokType t) {
    switch (t) {
    case T_NAME: case T_NUMBER: case T_STRING: case T_FSTRING_START: case T_LPAR: case T_LSQB: case T_LBRACE:
    case T_KW_TRUE: case T_KW_FALSE: case T_KW_NONE: case T_ELLIPSIS: case T_MINUS: case T_PLUS: case T_TILDE:
    case T_KW_NOT: case T_KW_LAMBDA: case T_KW_AWAIT: case T_STAR:
        return 1;
    default: return 0;
    }
}

/* ---- node construction ---- */

static AstNode *mk(Parser *p, AstKind k, const Token *start) {
    AstNode *n = ast_new(p->a, k);
    n->lineno = start->line;
    n->col_offset = start->col;
    const Token *e = p->last ? p->last : start;
    n->end_lineno = e->end_line;
    n->end_col_offset = e->end_col;
    return n;
}

/* A Starred in Load context, spanning from the '*' token to the last token consumed. */
static AstNode *mk_starred(Parser *p, Token *star, AstNode *value) {
    AstNode *n = mk(p, AST_Starred, star);
    n->v.Starred.value = value;
    n->v.Starred.ctx = ast_singleton(AST_Load);
    return n;
}

/* Gives n the span of its rule: from token start to the last token consumed. */
static void set_span(Parser *p, AstNode *n, const Token *start) {
    n->lineno = start->line;
    n->col_offset = start->col;
    const Token *e = p->last ? p->last : start;
    n->end_lineno = e->end_line;
    n->end_col_offset = e->end_col;
}

static void push(Parser *p, AstList **l, AstNode *x) { ast_list_push(p->a, l, x); }

static Str tok_text(Parser *p, const Token *t) { return (Str){p->src + t->start, t->end - t->start}; }

static Str ident(Parser *p, const Token *t) {
    const char *s = p->src + t->start;
    size_t n = t->end - t->start;
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)s[k] >= 128) return uni_nfkc(p->a, s, n);
    return (Str){s, n};
}
static AstNode *identifier_node(Parser *p, Str s) {
    AstNode *n = ast_new(p->a, AST__Identifier);
    n->v._Identifier.value = s;
    return n;
}

static AstNode *name_from(Parser *p, Token *t, AstKind ctx) {
    AstNode *n = ast_new(p->a, AST_Name);
    n->lineno = t->line;
    n->col_offset = t->col;
    n->end_lineno = t->end_line;
    n->end_col_offset = t->end_col;
    n->v.Name.id = ident(p, t);
    n->v.Name.ctx = ast_singleton(ctx);
    return n;
}

static Token *expect_name(Parser *p) {
    if (!at(p, T_NAME)) raise_syntax(p);
    return advance(p);
}

/* ---- speculation: try a rule, and rewind if it fails ---- */

typedef struct Mark {
    size_t i;
    Token *last;
    int depth;
    jmp_buf *jb;
} Mark;

#define TRY(p, m, jbuf)                                                           \
    (m.i = (p)->i, m.last = (p)->last, m.depth = (p)->depth, m.jb = (p)->jb,       \
     (p)->jb = &(jbuf), (p)->speculating++, setjmp(jbuf) == 0)
static void try_end(Parser *p, Mark *m) {
    p->jb = m->jb;
    p->speculating--;
}
static void try_rewind(Parser *p, Mark *m) {
    p->jb = m->jb;
    p->speculating--;
    p->i = m->i;
    p->last = m->last;
    p->depth = m->depth;
}

/* Runs rule(p) as a trial and rewinds: returns 1 if it parsed, with *end_level the bracket level
 * after its last token (for CPython's "inside brackets" tests). */
static int lookahead_parses(Parser *p, AstNode *(*rule)(Parser *), int skip, uint8_t *end_level) {
    Mark m;
    jmp_buf jb;
    volatile int ok = 0;
    if (TRY(p, m, jb)) {
        for (int k = 0; k < skip; k++) advance(p);
        rule(p);
        if (end_level) *end_level = p->last->level;
        ok = 1;
    }
    try_rewind(p, &m);
    return ok;
}

/* ---- strings ---- */

/* A growable byte buffer in the arena: a parse that unwinds with longjmp leaves nothing to
 * free. Outgrown copies stay in the arena (at most as much again as the final size). */
typedef struct ABuf {
    char *data;
    size_t len, cap;
} ABuf;

static void abuf_put(Arena *a, ABuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n + 1) cap *= 2;
        char *d = arena_alloc(a, cap);
        if (b->len) memcpy(d, b->data, b->len);
        b->data = d;
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}
static Str abuf_str(ABuf *b) { return (Str){b->data ? b->data : "", b->len}; }

static int tok_is_u(Parser *p, const Token *t) { return p->src[t->start] == 'u'; }

/* Decodes the body of a STRING token; *is_bytes says which kind it was. */
static Str decode_string_token(Parser *p, Token *t, int *is_bytes) {
    const char *s = p->src + t->start;
    size_t n = t->end - t->start, k = 0;
    while (s[k] != '\'' && s[k] != '"') k++;
    size_t q = (t->flags & TF_TRIPLE) ? 3 : 1;
    const char *body = s + k + q;
    size_t blen = n - k - 2 * q;
    unsigned flags = ((t->flags & TF_RAW) ? LIT_RAW : 0) | ((t->flags & TF_BYTES) ? LIT_BYTES : 0);
    *is_bytes = (t->flags & TF_BYTES) != 0;
    if (*is_bytes) {
        for (size_t j = 0; j < blen; j++)
            if ((unsigned char)body[j] >= 128) raise_at_tok(p, t, "bytes can only contain ASCII literal characters");
    }
    Str out;
    const char *msg;
    size_t off;
    if (lit_decode(p->a, body, blen, flags, &out, &msg, &off) != 0) raise_at_tok(p, t, "%s", msg);
    return out;
}

/* Decodes an FSTRING_MIDDLE piece: doubled braces become one (outside format specs), then
 * escapes as for a string. */
static Str decode_fstring_middle(Parser *p, Token *t, int raw, int in_spec) {
    const char *s = p->src + t->start;
    size_t n = t->end - t->start;
    int has_brace = 0;
    for (size_t k = 0; k < n; k++)
        if (s[k] == '{' || s[k] == '}') { has_brace = 1; break; }
    const char *body = s;
    size_t blen = n;
    if (has_brace && !in_spec) {
        char *d = arena_alloc(p->a, n + 1);
        size_t j = 0;
        for (size_t k = 0; k < n; k++) {
            if (!raw && s[k] == '\\' && k + 2 < n && s[k + 1] == 'N' && s[k + 2] == '{') {
                while (k < n && s[k] != '}') d[j++] = s[k++];
                if (k < n) d[j++] = s[k];
                continue;
            }
            d[j++] = s[k];
            if ((s[k] == '{' || s[k] == '}') && k + 1 < n && s[k + 1] == s[k]) k++;
        }
        body = d;
        blen = j;
    }
    Str out;
    const char *msg;
    size_t off;
    if (lit_decode(p->a, body, blen, raw ? LIT_RAW : 0, &out, &msg, &off) != 0) raise_at_tok(p, t, "%s", msg);
    return out;
}

static AstNode *mk_const_str(Parser *p, Str s, const Token *a, const Token *b, int u) {
    AstNode *c = ast_new(p->a, AST_Constant);
    c->v.Constant.value.kind = CONST_STR;
    c->v.Constant.value.text = s;
    if (u) c->v.Constant.kind = STR_LIT("u");
    c->lineno = a->line;
    c->col_offset = a->col;
    c->end_lineno = b->end_line;
    c->end_col_offset = b->end_col;
    return c;
}

/* State while building one JoinedStr/TemplateStr from a run of string tokens. */
typedef struct FState {
    ABuf lit;           /* pending literal text */
    int has_lit;
    Token *lit_start;   /* first and last token of the pending literal (3.12+ positions) */
    Token *lit_end;
    AstList *values;
    Token *first, *lastt;   /* the whole concatenation (3.11 positions) */
    int u_first;
} FState;

static void fs_add_lit(Parser *p, FState *fs, Str s, Token *from, Token *to) {
    if (s.len == 0) return;
    if (!fs->has_lit) {
        fs->lit_start = from;
        fs->lit.data = NULL; /* a fresh buffer: the previous literal's Constant keeps its text */
        fs->lit.len = fs->lit.cap = 0;
    }
    fs->has_lit = 1;
    fs->lit_end = to;
    abuf_put(p->a, &fs->lit, s.s, s.len);
}

static void fs_flush(Parser *p, FState *fs) {
    if (!fs->has_lit) return;
    Str s = abuf_str(&fs->lit);
    AstNode *c;
    if (p->pyminor < 12) c = mk_const_str(p, s, fs->first, fs->lastt, fs->u_first);
    else c = mk_const_str(p, s, fs->lit_start, fs->lit_end, 0);
    push(p, &fs->values, c);
    fs->lit.len = 0;
    fs->has_lit = 0;
}

static AstNode *fstring_replacement_field(Parser *p, FState *fs, Token *owner, int raw, int spec_level, int tstring);

/* fstring_format_spec*: literal pieces and nested fields up to the closing '}' of a field. */
static AstNode *fstring_format_spec(Parser *p, Token *colon, FState *outer, Token *owner, int raw, int spec_level) {
    FState fs;
    memset(&fs, 0, sizeof fs);
    fs.first = outer->first;
    fs.lastt = outer->lastt;
    fs.u_first = outer->u_first;
    Token *spec_first = NULL, *spec_last = colon;
    for (;;) {
        if (at(p, T_FSTRING_MIDDLE)) {
            Token *t = advance(p);
            if (!spec_first) spec_first = t;
            spec_last = t;
            Str s = decode_fstring_middle(p, t, raw, 1);
            fs_add_lit(p, &fs, s, t, t);
        } else if (at(p, T_LBRACE)) {
            if (p->pyminor < 12 && spec_level >= 1) raise_at_tok(p, tok(p), "f-string: expressions nested too deeply");
            if (!spec_first) spec_first = tok(p);
            /* fields nested in a spec are FormattedValue even in a t-string */
            AstNode *f = fstring_replacement_field(p, &fs, owner, raw, spec_level + 1, 0);
            push(p, &fs.values, f);
            spec_last = p->last;
        } else {
            break;
        }
    }
    AstNode *js = ast_new(p->a, AST_JoinedStr);
    if (p->pyminor < 12) {
        /* 3.11: the trailing literal and the spec itself take the position of the token */
        if (fs.has_lit) {
            push(p, &fs.values, mk_const_str(p, abuf_str(&fs.lit), owner, owner, 0));
        }
        js->lineno = owner->line;
        js->col_offset = owner->col;
        js->end_lineno = owner->end_line;
        js->end_col_offset = owner->end_col;
    } else {
        fs_flush(p, &fs);
        /* the spec spans from its ':' to the closing '}' */
        (void)spec_last;
        js->lineno = colon->line;
        js->col_offset = colon->col;
        js->end_lineno = tok(p)->line;
        js->end_col_offset = tok(p)->col;
    }
    js->v.JoinedStr.values = fs.values;
    return js;
}

/* Before 3.12 a replacement field could not hold a backslash, a comment or the enclosing quote. */
static void fstring_field_check_311(Parser *p, Token *lb) {
    int depth = 0;
    for (size_t k = p->i; k < p->nt; k++) {
        Token *t = &p->t[k];
        if (t->type == T_LBRACE || t->type == T_LPAR || t->type == T_LSQB) depth++;
        else if (t->type == T_RBRACE || t->type == T_RPAR || t->type == T_RSQB) {
            if (depth-- == 0) {
                for (size_t o = lb->end; o < t->start; o++)
                    if (p->src[o] == '\\') raise_at_tok(p, p->after_strings, "f-string expression part cannot include a backslash");
                return;
            }
        } else if (t->type == T_ENDMARKER || t->type == T_ERRORTOKEN) {
            return;
        }
    }
}

/* fstring_replacement_field: '{' annotated_rhs ['='] ['!' NAME] [':' fstring_format_spec*] '}' */
static AstNode *fstring_replacement_field(Parser *p, FState *fs, Token *owner, int raw, int spec_level, int tstring) {
    Token *lb = expect(p, T_LBRACE);
    p->in_fstring++;
    if (p->pyminor < 12) fstring_field_check_311(p, lb);
    if (at(p, T_RBRACE) || at(p, T_EXCLAMATION) || at(p, T_COLON) || at(p, T_EQUAL)) {
        Token *t = tok(p);
        if (p->pyminor < 12) {
            if (at(p, T_RBRACE)) raise_at_tok(p, p->after_strings, "f-string: empty expression not allowed");
            raise_at_tok(p, p->after_strings, "f-string: expression required before '%s'", tok_spelling[t->type]);
        }
        raise_at_tok(p, t, "f-string: valid expression required before '%s'", tok_spelling[t->type]);
    }
    AstNode *value = annotated_rhs(p);
    Token *expr_end = p->last;
    if (p->pyminor < 12 && value->kind == AST_Tuple && !(value->flags & AN_PARENS)) {
        /* 3.11 parsed the field as "(" expr ")" in place of the braces: a bare tuple takes
         * them, from the '{' to just past the character that ends the expression */
        Token *term = tok(p);
        const char *q = p->src + lb->end;
        while (*q == ' ' || *q == '\t' || *q == '\f') q++;
        if (*q == '\n') {
            value->lineno = lb->line;
            value->col_offset = lb->line == owner->line ? owner->col : 0;
        } else {
            value->lineno = lb->line;
            value->col_offset = lb->col;
        }
        value->end_lineno = term->line;
        value->end_col_offset = term->col + 1;
    }
    int conversion = -1;
    Str debug = {0, 0};
    int debug_end_line = 0, debug_end_col = 0;
    if (at(p, T_EQUAL)) {
        Token *eq = advance(p);
        /* the debug text: source from after '{' to the next token, whitespace included */
        size_t from = lb->end, to = tok(p)->start;
        (void)eq;
        debug_end_line = tok(p)->line;
        debug_end_col = tok(p)->col;
        debug = (Str){p->src + from, to - from};
    }
    if (accept(p, T_EXCLAMATION)) {
        Token *bang = p->last;
        if (!at(p, T_NAME)) {
            raise_at_tok(p, tok(p), "f-string: invalid conversion character %s",
                         p->pyminor < 12 ? ": expected 's', 'r', or 'a'" : "'' : expected 's', 'r', or 'a'");
        }
        Token *c = tok(p);
        Str cs = tok_text(p, c);
        if (c->start != bang->end && p->pyminor >= 12)
            raise_at_tok(p, c, "f-string: conversion type must come right after the exclamanation mark");
        if (cs.len != 1 || (cs.s[0] != 's' && cs.s[0] != 'r' && cs.s[0] != 'a')) {
            if (p->pyminor < 12) raise_at_tok(p, c, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
            raise_at_tok(p, c, "f-string: invalid conversion character '%.*s': expected 's', 'r', or 'a'", (int)cs.len,
                         cs.s);
        }
        advance(p);
        conversion = (unsigned char)cs.s[0];
    }
    AstNode *spec = NULL;
    if (at(p, T_COLON)) {
        Token *colon = advance(p);
        p->in_fstring--;
        spec = fstring_format_spec(p, colon, fs, owner, raw, spec_level);
        p->in_fstring++;
    }
    if (!at(p, T_RBRACE)) {
        if (p->pyminor < 12) raise_at_tok(p, tok(p), "f-string: expecting '}'");
        raise_at_tok(p, tok(p), "f-string: expecting '}'");
    }
    Token *rb = advance(p);
    p->in_fstring--;
    if (debug.s && conversion == -1 && !spec) conversion = 'r';
    if (debug.s) {
        /* the debug text's Constant spans the text itself: from after '{' to what follows '=' */
        Token *dt = arena_alloc(p->a, sizeof *dt);
        dt->line = lb->end_line;
        dt->col = lb->end_col;
        dt->end_line = debug_end_line;
        dt->end_col = debug_end_col;
        fs_add_lit(p, fs, debug, dt, dt);
    }
    AstNode *fv;
    if (tstring) {
        fv = ast_new(p->a, AST_Interpolation);
        fv->v.Interpolation.value = value;
        size_t from = lb->end, to = expr_end->end;
        /* the expression's source text, without surrounding whitespace */
        while (from < to && (p->src[from] == ' ' || p->src[from] == '\t' || p->src[from] == '\n')) from++;
        fv->v.Interpolation.str = (Str){p->src + from, to - from};
        fv->v.Interpolation.conversion = conversion;
        fv->v.Interpolation.format_spec = spec;
    } else {
        fv = ast_new(p->a, AST_FormattedValue);
        fv->v.FormattedValue.value = value;
        fv->v.FormattedValue.conversion = conversion;
        fv->v.FormattedValue.format_spec = spec;
    }
    if (p->pyminor < 12) {
        fv->lineno = fs->first->line;
        fv->col_offset = fs->first->col;
        fv->end_lineno = fs->lastt->end_line;
        fv->end_col_offset = fs->lastt->end_col;
    } else {
        fv->lineno = lb->line;
        fv->col_offset = lb->col;
        fv->end_lineno = rb->end_line;
        fv->end_col_offset = rb->end_col;
    }
    /* pending literal text (with the debug text) goes before the field */
    fs_flush(p, fs);
    return fv;
}

/* strings: (STRING | fstring | tstring)+ - implicit concatenation */
static AstNode *strings(Parser *p) {
    Token *first = tok(p);
    /* find the run of string tokens first: 3.11 positions need its last token */
    size_t j = p->i;
    Token *lastt = first;
    int any_f = 0, any_t = 0, any_bytes = 0, any_str = 0;
    while (j < p->nt) {
        Token *t = &p->t[j];
        if (t->type == T_STRING) {
            if (t->flags & TF_BYTES) any_bytes = 1; else any_str = 1;
            lastt = t;
            j++;
        } else if (t->type == T_FSTRING_START) {
            if (t->flags & TF_TSTRING) any_t = 1; else any_f = 1;
            any_str = 1;
            /* skip to the matching FSTRING_END */
            int d = 0;
            for (; j < p->nt; j++) {
                if (p->t[j].type == T_FSTRING_START) d++;
                else if (p->t[j].type == T_FSTRING_END && --d == 0) break;
                else if (p->t[j].type == T_ERRORTOKEN) break;
            }
            if (j >= p->nt || p->t[j].type != T_FSTRING_END) break;
            lastt = &p->t[j];
            j++;
        } else {
            break;
        }
    }
    Token *after = &p->t[j < p->nt ? j : p->nt - 1];
    if (any_bytes && any_str) raise_at_tok(p, after, "cannot mix bytes and nonbytes literals");
    if (any_t) {
        /* a t-string may only be concatenated with t-strings */
        for (size_t k = p->i; k < j; k++)
            if (p->t[k].type == T_STRING || (p->t[k].type == T_FSTRING_START && !(p->t[k].flags & TF_TSTRING)))
                raise_at_tok(p, first, "cannot mix t-string literals with string or bytes literals");
    }
    Token *saved_after = p->after_strings;
    p->after_strings = after;
    FState fs;
    memset(&fs, 0, sizeof fs);
    fs.first = first;
    fs.lastt = lastt;
    fs.u_first = tok_is_u(p, first);
    ABuf bytes = {0};
    while (p->i < j) {
        Token *t = tok(p);
        if (t->type == T_STRING) {
            advance(p);
            int isb;
            Str s = decode_string_token(p, t, &isb);
            if (isb) abuf_put(p->a, &bytes, s.s, s.len);
            else fs_add_lit(p, &fs, s, t, t);
            continue;
        }
        /* FSTRING_START ... FSTRING_END; 3.11 positions some parts by the whole string token */
        Token *start = advance(p);
        Token *whole = arena_alloc(p->a, sizeof *whole);
        *whole = *start;
        {
            int d = 1;
            for (size_t k = p->i; k < j; k++) {
                if (p->t[k].type == T_FSTRING_START) d++;
                else if (p->t[k].type == T_FSTRING_END && --d == 0) {
                    whole->end = p->t[k].end;
                    whole->end_line = p->t[k].end_line;
                    whole->end_col = p->t[k].end_col;
                    break;
                }
            }
        }
        int raw = (start->flags & TF_RAW) != 0;
        int ts = (start->flags & TF_TSTRING) != 0;
        for (;;) {
            if (at(p, T_FSTRING_MIDDLE)) {
                Token *m = advance(p);
                Str s = decode_fstring_middle(p, m, raw, 0);
                fs_add_lit(p, &fs, s, m, m);
            } else if (at(p, T_LBRACE)) {
                AstNode *f = fstring_replacement_field(p, &fs, whole, raw, 0, ts);
                push(p, &fs.values, f);
            } else {
                break;
            }
        }
        expect(p, T_FSTRING_END);
    }
    p->after_strings = saved_after;
    if (any_bytes) {
        AstNode *c = mk(p, AST_Constant, first);
        c->v.Constant.value.kind = CONST_BYTES;
        c->v.Constant.value.text = abuf_str(&bytes);
        return c;
    }
    if (!any_f && !any_t) {
        Str s = abuf_str(&fs.lit);
        AstNode *c = mk(p, AST_Constant, first);
        c->v.Constant.value.kind = CONST_STR;
        c->v.Constant.value.text = s;
        if (fs.u_first) c->v.Constant.kind = STR_LIT("u");
        return c;
    }
    fs_flush(p, &fs);
    AstNode *js = mk(p, any_t ? AST_TemplateStr : AST_JoinedStr, first);
    if (any_t) js->v.TemplateStr.values = fs.values;
    else js->v.JoinedStr.values = fs.values;
    return js;
}

/* ---- atoms ---- */

static AstNode *mk_const(Parser *p, ConstKind k, Token *t) {
    AstNode *c = mk(p, AST_Constant, t);
    c->v.Constant.value.kind = k;
    return c;
}

static AstNode *number(Parser *p) {
    Token *t = advance(p);
    LitNumKind k;
    Str out;
    const char *msg;
    if (lit_number(p->a, p->src + t->start, t->end - t->start, &k, &out, &msg) != 0) raise_at_tok(p, t, "%s", msg);
    AstNode *c = mk(p, AST_Constant, t);
    c->v.Constant.value.kind = k == LIT_INT ? CONST_INT : k == LIT_FLOAT ? CONST_FLOAT : CONST_COMPLEX;
    c->v.Constant.value.text = out;
    return c;
}

static AstList *for_if_clauses(Parser *p);
static int at_comprehension(Parser *p) { return at(p, T_KW_FOR) || (at(p, T_KW_ASYNC) && peek_is(p, 1, T_KW_FOR)); }

static AstNode *star_named_expression(Parser *p) {
    if (at(p, T_STAR)) {
        Token *s = advance(p);
        AstNode *v = bitwise_or(p);
        AstNode *n = mk_starred(p, s, v);
        return n;
    }
    return named_expression(p);
}

/* tuple | group | genexp */
static AstNode *paren_atom(Parser *p) {
    Token *lp = advance(p);
    if (accept(p, T_RPAR)) {
        AstNode *t = mk(p, AST_Tuple, lp);
        t->v.Tuple.ctx = ast_singleton(AST_Load);
        return t;
    }
    if (at(p, T_KW_YIELD)) {
        AstNode *y = yield_expr(p);
        expect(p, T_RPAR);
        y->flags |= AN_PARENS;
        return y;
    }
    AstNode *first = star_named_expression(p);
    if (at_comprehension(p)) {
        if (first->kind == AST_Starred) raise_at_node(p, first, "iterable unpacking cannot be used in comprehension");
        AstList *gens = for_if_clauses(p);
        expect(p, T_RPAR);
        AstNode *g = mk(p, AST_GeneratorExp, lp);
        g->v.GeneratorExp.elt = first;
        g->v.GeneratorExp.generators = gens;
        return g;
    }
    if (at(p, T_RPAR)) {
        advance(p);
        if (first->kind == AST_Starred) raise_at_node(p, first, "cannot use starred expression here");
        first->flags |= AN_PARENS;
        return first;
    }
    if (!at(p, T_COMMA)) raise_syntax(p);
    AstList *elts = NULL;
    push(p, &elts, first);
    while (accept(p, T_COMMA)) {
        if (at(p, T_RPAR)) break;
        push(p, &elts, star_named_expression(p));
    }
    expect(p, T_RPAR);
    AstNode *t = mk(p, AST_Tuple, lp);
    t->v.Tuple.elts = elts;
    t->v.Tuple.ctx = ast_singleton(AST_Load);
    t->flags |= AN_PARENS;
    return t;
}

/* The rest of a list or set display after its first element: a comprehension (listcomp,
 * setcomp), or more star_named_expressions up to the closing bracket. ListComp/SetComp and
 * List/Set have the same layout (elt, generators / elts), so one builder serves both. */
_Static_assert(offsetof(AstNode, v.ListComp.elt) == offsetof(AstNode, v.SetComp.elt) &&
                   offsetof(AstNode, v.ListComp.generators) == offsetof(AstNode, v.SetComp.generators),
               "ListComp and SetComp share a layout");
static AstNode *display_rest(Parser *p, Token *open, AstNode *first, TokType close, AstKind comp, AstKind display) {
    if (at_comprehension(p)) {
        if (first->kind == AST_Starred) raise_at_node(p, first, "iterable unpacking cannot be used in comprehension");
        AstList *gens = for_if_clauses(p);
        expect(p, close);
        AstNode *c = mk(p, comp, open);
        c->v.ListComp.elt = first;
        c->v.ListComp.generators = gens;
        return c;
    }
    AstList *elts = NULL;
    push(p, &elts, first);
    while (accept(p, T_COMMA)) {
        if (at(p, close)) break;
        push(p, &elts, star_named_expression(p));
    }
    expect(p, close);
    AstNode *d = mk(p, display, open);
    if (display == AST_List) {
        d->v.List.elts = elts;
        d->v.List.ctx = ast_singleton(AST_Load);
    } else {
        d->v.Set.elts = elts;
    }
    return d;
}

/* list | listcomp */
static AstNode *list_atom(Parser *p) {
    Token *lb = advance(p);
    if (at(p, T_RSQB)) {
        advance(p);
        AstNode *l = mk(p, AST_List, lb);
        l->v.List.ctx = ast_singleton(AST_Load);
        return l;
    }
    return display_rest(p, lb, star_named_expression(p), T_RSQB, AST_ListComp, AST_List);
}

/* invalid_kvpair: CPython points at the key's last character */
static void raise_key_colon(Parser *p, AstNode *k) __attribute__((noreturn));
static void raise_key_colon(Parser *p, AstNode *k) {
    lex_override(p, k->lineno);
    snprintf(p->err_msg, sizeof p->err_msg, "':' expected after dictionary key");
    p->err_line = k->lineno;
    p->err_col = k->end_col_offset - 1;
    longjmp(*p->jb, 1);
}

/* dict | set | dictcomp | setcomp */
static AstNode *brace_atom(Parser *p) {
    Token *lb = advance(p);
    if (accept(p, T_RBRACE)) return mk(p, AST_Dict, lb);
    AstList *keys = NULL, *values = NULL;
    if (at(p, T_DOUBLESTAR) || (!at(p, T_STAR))) {
        AstNode *k = NULL, *v;
        if (accept(p, T_DOUBLESTAR)) {
            v = bitwise_or(p);
        } else {
            k = star_named_expression(p);
            if (!at(p, T_COLON)) goto set_display_with_first;
            advance(p);
            v = expression(p);
            if (at_comprehension(p)) {
                AstList *gens = for_if_clauses(p);
                expect(p, T_RBRACE);
                AstNode *c = mk(p, AST_DictComp, lb);
                c->v.DictComp.key = k;
                c->v.DictComp.value = v;
                c->v.DictComp.generators = gens;
                return c;
            }
        }
        push(p, &keys, k);
        push(p, &values, v);
        while (accept(p, T_COMMA)) {
            if (at(p, T_RBRACE)) break;
            if (accept(p, T_DOUBLESTAR)) {
                push(p, &keys, NULL);
                push(p, &values, bitwise_or(p));
            } else {
                AstNode *k2 = expression(p);
                if (!at(p, T_COLON)) {
                    p->err_line = 0;
                    raise_key_colon(p, k2);
                }
                Token *colon = advance(p);
                if (at(p, T_STAR)) raise_at_tok(p, tok(p), "cannot use a starred expression in a dictionary value");
                if (at(p, T_RBRACE) || at(p, T_COMMA))
                    raise_at_tok(p, colon, "expression expected after dictionary key and ':'");
                push(p, &keys, k2);
                push(p, &values, expression(p));
            }
        }
        expect(p, T_RBRACE);
        AstNode *d = mk(p, AST_Dict, lb);
        d->v.Dict.keys = keys;
        d->v.Dict.values = values;
        return d;
    set_display_with_first:
        return display_rest(p, lb, k, T_RBRACE, AST_SetComp, AST_Set);
    }
    /* starts with '*': a set */
    return display_rest(p, lb, star_named_expression(p), T_RBRACE, AST_SetComp, AST_Set);
}

/* atom: NAME | 'True' | 'False' | 'None' | strings | NUMBER | tuple/group/genexp | list/listcomp
 *     | dict/set/dictcomp/setcomp | '...' */
static AstNode *atom(Parser *p) {
    Token *t = tok(p);
    switch (t->type) {
    case T_NAME: advance(p); return name_from(p, t, AST_Load);
    case T_KW_TRUE: advance(p); return mk_const(p, CONST_TRUE, t);
    case T_KW_FALSE: advance(p); return mk_const(p, CONST_FALSE, t);
    case T_KW_NONE: advance(p); return mk_const(p, CONST_NONE, t);
    case T_ELLIPSIS: advance(p); return mk_const(p, CONST_ELLIPSIS, t);
    case T_NUMBER: return number(p);
    case T_STRING:
    case T_FSTRING_START: return strings(p);
    case T_LPAR: return paren_atom(p);
    case T_LSQB: return list_atom(p);
    case T_LBRACE: return brace_atom(p);
    case T_ERRORTOKEN: raise_lex(p);
    default: raise_syntax(p);
    }
}

/* ---- calls and subscripts ---- */

static AstNode *keyword_node(Parser *p, Token *start, Str *arg, AstNode *value) {
    AstNode *k = mk(p, AST_keyword, start);
    if (arg) k->v.keyword.arg = *arg;
    k->v.keyword.value = value;
    return k;
}

/* arguments: args [','] &')' - fills args/keywords of a Call */
static void call_arguments(Parser *p, AstNode *call, TokType close) {
    AstList *args = NULL, *kws = NULL;
    int seen_kw = 0, seen_dstar = 0;
    while (!at(p, close)) {
        Token *st = tok(p);
        if (at(p, T_STAR)) {
            advance(p);
            AstNode *v = expression(p);
            AstNode *s = mk_starred(p, st, v);
            if (seen_dstar) raise_at_tok(p, st - 1, "iterable argument unpacking follows keyword argument unpacking");
            push(p, &args, s);
        } else if (at(p, T_DOUBLESTAR)) {
            advance(p);
            AstNode *v = expression(p);
            push(p, &kws, keyword_node(p, st, NULL, v));
            seen_dstar = 1;
        } else if (at(p, T_NAME) && peek_is(p, 1, T_EQUAL)) {
            Token *nt = advance(p);
            advance(p);
            Str id = ident(p, nt);
            AstNode *v = expression(p);
            push(p, &kws, keyword_node(p, st, &id, v));
            seen_kw = 1;
        } else {
            AstNode *e = named_expression_impl(p, 0);
            if (at_comprehension(p)) {
                AstList *gens = for_if_clauses(p);
                AstNode *g = ast_new(p->a, AST_GeneratorExp);
                g->v.GeneratorExp.elt = e;
                g->v.GeneratorExp.generators = gens;
                /* the generator takes the call's parentheses */
                if (args || kws || !at(p, close)) {
                    if (at(p, T_COMMA) && (args || kws))
                        raise_at_node(p, e, "Generator expression must be parenthesized");
                    if (args || kws) raise_at_node(p, e, "Generator expression must be parenthesized");
                    if (at(p, T_COMMA) && !peek_is(p, 1, close))
                        raise_at_node(p, e, "Generator expression must be parenthesized");
                }
                Token *open = &p->t[0];
                (void)open;
                push(p, &args, g);
                if (at(p, T_COMMA) && peek_is(p, 1, close)) {
                    if (p->pyminor < 12 || 1) raise_at_node(p, e, "Generator expression must be parenthesized");
                }
                break;
            }
            if (at(p, T_EQUAL)) {
                raise_at_node(p, e, "expression cannot contain assignment, perhaps you meant \"==\"?");
            }
            if (seen_dstar) raise_at_node(p, e, "positional argument follows keyword argument unpacking");
            if (seen_kw) raise_at_node(p, e, "positional argument follows keyword argument");
            push(p, &args, e);
        }
        if (!accept(p, T_COMMA)) break;
    }
    call->v.Call.args = args;
    call->v.Call.keywords = kws;
}

/* slice: [expression] ':' [expression] [':' [expression]] | named_expression */
static AstNode *slice_item(Parser *p) {
    Token *st = tok(p);
    AstNode *lower = NULL, *upper = NULL, *step = NULL;
    if (!at(p, T_COLON)) {
        if (at(p, T_STAR)) {
            Token *s = advance(p);
            AstNode *v = bitwise_or(p);
            AstNode *n = mk_starred(p, s, v);
            return n;
        }
        lower = named_expression(p);
        if (!at(p, T_COLON)) return lower;
        if (lower->kind == AST_NamedExpr && !(lower->flags & AN_PARENS)) raise_syntax(p);
    }
    expect(p, T_COLON);
    if (!at(p, T_COLON) && !at(p, T_COMMA) && !at(p, T_RSQB)) upper = expression(p);
    if (accept(p, T_COLON)) {
        if (!at(p, T_COMMA) && !at(p, T_RSQB)) step = expression(p);
    }
    AstNode *s = mk(p, AST_Slice, st);
    s->v.Slice.lower = lower;
    s->v.Slice.upper = upper;
    s->v.Slice.step = step;
    return s;
}

/* slices: slice !',' | ','.(slice | starred_expression)+ [','] */
static AstNode *slices(Parser *p) {
    Token *st = tok(p);
    AstNode *first = slice_item(p);
    if (!at(p, T_COMMA)) {
        if (first->kind == AST_Starred) {
            AstNode *t = mk(p, AST_Tuple, st);
            push(p, &t->v.Tuple.elts, first);
            t->v.Tuple.ctx = ast_singleton(AST_Load);
            return t;
        }
        return first;
    }
    AstList *elts = NULL;
    push(p, &elts, first);
    while (accept(p, T_COMMA)) {
        if (at(p, T_RSQB)) break;
        push(p, &elts, slice_item(p));
    }
    AstNode *t = mk(p, AST_Tuple, st);
    t->v.Tuple.elts = elts;
    t->v.Tuple.ctx = ast_singleton(AST_Load);
    return t;
}

/* primary: primary '.' NAME | primary genexp | primary '(' [arguments] ')' | primary '[' slices ']' | atom */
static AstNode *primary(Parser *p) {
    Token *st = tok(p);
    AstNode *e = atom(p);
    int chain = 0;
    for (;;) {
        if (at(p, T_DOT)) {
            advance(p);
            Token *nt = expect_name(p);
            AstNode *a = mk(p, AST_Attribute, st);
            a->v.Attribute.value = e;
            a->v.Attribute.attr = ident(p, nt);
            a->v.Attribute.ctx = ast_singleton(AST_Load);
            e = a;
        } else if (at(p, T_LPAR)) {
            Token *lp = advance(p);
            AstNode *c = ast_new(p->a, AST_Call);
            c->v.Call.func = e;
            call_arguments(p, c, T_RPAR);
            expect(p, T_RPAR);
            set_span(p, c, st);
            /* a lone generator argument spans the call's parentheses */
            if (ast_list_len(c->v.Call.args) == 1 && !c->v.Call.keywords) {
                AstNode *g = c->v.Call.args->items[0];
                if (g->kind == AST_GeneratorExp && g->lineno == 0) {
                    g->lineno = lp->line;
                    g->col_offset = lp->col;
                    g->end_lineno = p->last->end_line;
                    g->end_col_offset = p->last->end_col;
                }
            }
            e = c;
        } else if (at(p, T_LSQB)) {
            advance(p);
            AstNode *sl = slices(p);
            expect(p, T_RSQB);
            AstNode *s = mk(p, AST_Subscript, st);
            s->v.Subscript.value = e;
            s->v.Subscript.slice = sl;
            s->v.Subscript.ctx = ast_singleton(AST_Load);
            e = s;
        } else {
            break;
        }
        if (++chain + p->depth > MAX_DEPTH * 2) raise_at_tok(p, tok(p), "too deeply nested: more than %d levels", MAX_DEPTH);
    }
    return e;
}

/* await_primary: 'await' primary | primary */
static AstNode *await_primary(Parser *p) {
    if (at(p, T_KW_AWAIT)) {
        Token *st = advance(p);
        AstNode *v = primary(p);
        AstNode *a = mk(p, AST_Await, st);
        a->v.Await.value = v;
        return a;
    }
    return primary(p);
}

static AstNode *factor(Parser *p);

/* power: await_primary '**' factor | await_primary */
static AstNode *power(Parser *p) {
    Token *st = tok(p);
    AstNode *l = await_primary(p);
    if (at(p, T_DOUBLESTAR)) {
        advance(p);
        enter(p);
        AstNode *r = factor(p);
        leave(p);
        AstNode *b = mk(p, AST_BinOp, st);
        b->v.BinOp.left = l;
        b->v.BinOp.op = ast_singleton(AST_Pow);
        b->v.BinOp.right = r;
        return b;
    }
    return l;
}

/* factor: '+' factor | '-' factor | '~' factor | power */
static AstNode *factor(Parser *p) {
    Token *st = tok(p);
    AstKind op;
    switch (st->type) {
    case T_PLUS: op = AST_UAdd; break;
    case T_MINUS: op = AST_USub; break;
    case T_TILDE: op = AST_Invert; break;
    default: return power(p);
    }
    advance(p);
    enter(p);
    AstNode *v = factor(p);
    leave(p);
    AstNode *u = mk(p, AST_UnaryOp, st);
    u->v.UnaryOp.op = ast_singleton(op);
    u->v.UnaryOp.operand = v;
    return u;
}

/* Binary operators and their precedence, from bitwise_or (0) to term (5); -1 = none. */
static int binop_info(TokType t, AstKind *op) {
    switch (t) {
    case T_VBAR: *op = AST_BitOr; return 0;
    case T_CIRCUMFLEX: *op = AST_BitXor; return 1;
    case T_AMPER: *op = AST_BitAnd; return 2;
    case T_LEFTSHIFT: *op = AST_LShift; return 3;
    case T_RIGHTSHIFT: *op = AST_RShift; return 3;
    case T_PLUS: *op = AST_Add; return 4;
    case T_MINUS: *op = AST_Sub; return 4;
    case T_STAR: *op = AST_Mult; return 5;
    case T_SLASH: *op = AST_Div; return 5;
    case T_DOUBLESLASH: *op = AST_FloorDiv; return 5;
    case T_PERCENT: *op = AST_Mod; return 5;
    case T_AT: *op = AST_MatMult; return 5;
    default: return -1;
    }
}

/* bitwise_or, bitwise_xor, bitwise_and, shift_expr, sum, term: six left-associative levels,
 * parsed by precedence climbing (one call per operand instead of one per level). Each BinOp
 * spans from the first token of its left operand, as pegen's EXTRA does. */
static AstNode *binary_prec(Parser *p, int minprec) {
    Token *st = tok(p);
    AstNode *l = factor(p);
    int chain = 0;
    for (;;) {
        AstKind op;
        int prec = binop_info((TokType)tok(p)->type, &op);
        if (prec < minprec) break;
        advance(p);
        enter(p);
        AstNode *r = prec == 5 ? factor(p) : binary_prec(p, prec + 1);
        leave(p);
        AstNode *b = mk(p, AST_BinOp, st);
        b->v.BinOp.left = l;
        b->v.BinOp.op = ast_singleton(op);
        b->v.BinOp.right = r;
        l = b;
        if (++chain + p->depth > MAX_DEPTH) raise_at_tok(p, tok(p), "too deeply nested: more than %d levels", MAX_DEPTH);
    }
    return l;
}
static AstNode *bitwise_or(Parser *p) { return binary_prec(p, 0); }

/* comparison: bitwise_or compare_op_bitwise_or_pair+ */
static AstNode *comparison(Parser *p) {
    Token *st = tok(p);
    AstNode *l = bitwise_or(p);
    AstList *ops = NULL, *cmps = NULL;
    for (;;) {
        AstKind op;
        switch (tok(p)->type) {
        case T_EQEQUAL: op = AST_Eq; break;
        case T_NOTEQUAL: op = AST_NotEq; break;
        case T_LESS: op = AST_Lt; break;
        case T_LESSEQUAL: op = AST_LtE; break;
        case T_GREATER: op = AST_Gt; break;
        case T_GREATEREQUAL: op = AST_GtE; break;
        case T_KW_IN: op = AST_In; break;
        case T_KW_NOT:
            if (!peek_is(p, 1, T_KW_IN)) goto done;
            advance(p);
            op = AST_NotIn;
            break;
        case T_KW_IS:
            if (peek_is(p, 1, T_KW_NOT)) { advance(p); op = AST_IsNot; }
            else op = AST_Is;
            break;
        default: goto done;
        }
        if (tok(p)->type == T_NOTEQUAL) {
            Str s = tok_text(p, tok(p));
            if (s.s[0] == '<') raise_at_tok(p, tok(p), "invalid syntax");
        }
        advance(p);
        push(p, &ops, ast_singleton(op));
        push(p, &cmps, bitwise_or(p));
    }
done:
    if (!ops) return l;
    AstNode *c = mk(p, AST_Compare, st);
    c->v.Compare.left = l;
    c->v.Compare.ops = ops;
    c->v.Compare.comparators = cmps;
    return c;
}

/* inversion: 'not' inversion | comparison */
static AstNode *inversion(Parser *p) {
    if (at(p, T_KW_NOT)) {
        Token *st = advance(p);
        enter(p);
        AstNode *v = inversion(p);
        leave(p);
        AstNode *u = mk(p, AST_UnaryOp, st);
        u->v.UnaryOp.op = ast_singleton(AST_Not);
        u->v.UnaryOp.operand = v;
        return u;
    }
    return comparison(p);
}

/* conjunction: inversion ('and' inversion)+ ; disjunction: conjunction ('or' conjunction)+ */
static AstNode *bool_level(Parser *p, int is_or) {
    Token *st = tok(p);
    AstNode *first = is_or ? bool_level(p, 0) : inversion(p);
    TokType kw = is_or ? T_KW_OR : T_KW_AND;
    if (!at(p, kw)) return first;
    AstList *vals = NULL;
    push(p, &vals, first);
    while (accept(p, kw)) push(p, &vals, is_or ? bool_level(p, 0) : inversion(p));
    AstNode *b = mk(p, AST_BoolOp, st);
    b->v.BoolOp.op = ast_singleton(is_or ? AST_Or : AST_And);
    b->v.BoolOp.values = vals;
    return b;
}
static AstNode *disjunction(Parser *p) { return bool_level(p, 1); }

/* ---- parameters (def and lambda) ---- */

static AstNode *param_arg(Parser *p, int annotations, int star_annotation) {
    Token *nt = expect_name(p);
    AstNode *a = mk(p, AST_arg, nt);
    a->v.arg.arg = ident(p, nt);
    if (annotations && accept(p, T_COLON)) {
        if (star_annotation && at(p, T_STAR)) {
            Token *s = advance(p);
            AstNode *v = expression(p);
            AstNode *st = mk_starred(p, s, v);
            a->v.arg.annotation = st;
        } else {
            a->v.arg.annotation = expression(p);
        }
        set_span(p, a, nt);
    }
    return a;
}

/* parameters / lambda_parameters: the positional, '/', '*', keyword-only and '**' sections */
static AstNode *parameters(Parser *p, TokType close, int annotations) {
    AstNode *args = ast_new(p->a, AST_arguments);
    AstList *pos = NULL, *defaults = NULL;
    int seen_default = 0, seen_slash = 0, seen_star = 0, seen_kwarg = 0;
    while (!at(p, close)) {
        Token *t = tok(p);
        if (seen_kwarg) {
            if (at(p, T_NAME) || at(p, T_STAR) || at(p, T_DOUBLESTAR) || at(p, T_SLASH))
                raise_at_tok(p, t, "arguments cannot follow var-keyword argument");
            raise_syntax(p);
        }
        if (at(p, T_SLASH)) {
            if (seen_slash) raise_at_tok(p, t, "/ may appear only once");
            if (seen_star) raise_at_tok(p, t, "/ must be ahead of *");
            if (!pos) raise_at_tok(p, t, "at least one argument must precede /");
            advance(p);
            seen_slash = 1;
            args->v.arguments.posonlyargs = pos;
            pos = NULL;
        } else if (at(p, T_STAR)) {
            if (seen_star) raise_at_tok(p, t, "* argument may appear only once");
            advance(p);
            seen_star = 1;
            if (at(p, T_COMMA)) {
                if (peek_is(p, 1, close) || peek_is(p, 1, T_DOUBLESTAR)) raise_at_tok(p, t, "named arguments must follow bare *");
            } else if (at(p, close)) {
                raise_at_tok(p, t, "named arguments must follow bare *");
            } else {
                args->v.arguments.vararg = param_arg(p, annotations, 1);
                if (at(p, T_EQUAL)) raise_at_tok(p, tok(p), "var-positional argument cannot have default value");
            }
        } else if (at(p, T_DOUBLESTAR)) {
            advance(p);
            args->v.arguments.kwarg = param_arg(p, annotations, 0);
            if (at(p, T_EQUAL)) raise_at_tok(p, tok(p), "var-keyword argument cannot have default value");
            seen_kwarg = 1;
        } else {
            AstNode *a = param_arg(p, annotations, 0);
            AstNode *def = NULL;
            if (accept(p, T_EQUAL)) def = expression(p);
            if (seen_star) {
                push(p, &args->v.arguments.kwonlyargs, a);
                push(p, &args->v.arguments.kw_defaults, def);
            } else {
                if (def) {
                    seen_default = 1;
                    push(p, &defaults, def);
                } else if (seen_default) {
                    raise_at_node(p, a, p->pyminor >= 12 ? "parameter without a default follows parameter with a default"
                                                         : "non-default argument follows default argument");
                }
                push(p, &pos, a);
            }
        }
        if (!accept(p, T_COMMA)) break;
    }
    args->v.arguments.args = pos;
    args->v.arguments.defaults = defaults;
    return args;
}

/* lambdef: 'lambda' [lambda_params] ':' expression */
static AstNode *lambdef(Parser *p) {
    Token *st = advance(p);
    AstNode *args = parameters(p, T_COLON, 0);
    expect(p, T_COLON);
    AstNode *body = expression(p);
    AstNode *l = mk(p, AST_Lambda, st);
    l->v.Lambda.args = args;
    l->v.Lambda.body = body;
    return l;
}

static int is_soft_keyword(Parser *p, const Token *t) {
    if (t->type != T_NAME) return 0;
    Str s = tok_text(p, t);
    return str_eq(s, "match") || str_eq(s, "case") || str_eq(s, "type") || str_eq(s, "_");
}

/* invalid_legacy_expression and invalid_expression: an expression directly followed by another
 * one ("print x"; "[a b]") gets CPython's hint instead of "invalid syntax". */
static void invalid_expression(Parser *p, Token *st, AstNode *a) {
    int legacy = a->kind == AST_Name && st == p->last && !at(p, T_LPAR) &&
                 (str_eq(a->v.Name.id, "print") || str_eq(a->v.Name.id, "exec"));
    int comma = !(a->kind == AST_Name && st == p->last && (at(p, T_STRING) || at(p, T_FSTRING_START))) &&
                !is_soft_keyword(p, st);
    if (!legacy && !comma) return;
    uint8_t level = 0;
    if (!lookahead_parses(p, legacy ? star_expressions : expression, 0, &level)) return;
    if (legacy)
        raise_at_node(p, a, "Missing parentheses in call to '%.*s'. Did you mean %.*s(...)?", (int)a->v.Name.id.len,
                      a->v.Name.id.s, (int)a->v.Name.id.len, a->v.Name.id.s);
    if (level > 0) raise_at_node(p, a, "invalid syntax. Perhaps you forgot a comma?");
}

/* expression: disjunction 'if' disjunction 'else' expression | disjunction | lambdef */
static AstNode *expression(Parser *p) {
    if (at(p, T_KW_LAMBDA)) {
        enter(p);
        AstNode *l = lambdef(p);
        leave(p);
        return l;
    }
    enter(p);
    Token *st = tok(p);
    AstNode *body = disjunction(p);
    if (!p->speculating && token_starts_expression((TokType)tok(p)->type)) invalid_expression(p, st, body);
    if (at(p, T_KW_IF)) {
        advance(p);
        AstNode *test = disjunction(p);
        if (!at(p, T_KW_ELSE)) {
            if (!at(p, T_COLON)) raise_at_node(p, body, "expected 'else' after 'if' expression");
            raise_syntax(p);
        }
        advance(p);
        AstNode *orelse = expression(p);
        AstNode *e = mk(p, AST_IfExp, st);
        e->v.IfExp.test = test;
        e->v.IfExp.body = body;
        e->v.IfExp.orelse = orelse;
        body = e;
    }
    leave(p);
    return body;
}

static AstNode *bitwise_or_then_mark(Parser *p) {
    AstNode *e = bitwise_or(p);
    p->probe_end = p->i;
    return e;
}

/* invalid_named_expression: "if x = 1:" reads like a comparison */
static void invalid_named_assignment(Parser *p, Token *st, AstNode *e) {
    if (p->speculating || !token_starts_expression((TokType)p->t[p->i + 1 < p->nt ? p->i + 1 : p->i].type)) return;
    int k = e->kind;
    int name = k == AST_Name && st == p->last;
    int constant_kw = k == AST_Constant && (e->v.Constant.value.kind == CONST_NONE ||
                                            e->v.Constant.value.kind == CONST_TRUE ||
                                            e->v.Constant.value.kind == CONST_FALSE);
    int bitwise = !(k == AST_Compare || k == AST_BoolOp || k == AST_IfExp || k == AST_Lambda ||
                    (k == AST_UnaryOp && e->v.UnaryOp.op->kind == AST_Not));
    int excluded = k == AST_List || k == AST_Tuple || k == AST_GeneratorExp || constant_kw;
    if (!name && (!bitwise || excluded)) return;
    /* '=' bitwise_or !('=' | ':=') */
    size_t save = p->i;
    Token *save_last = p->last;
    if (!lookahead_parses(p, bitwise_or_then_mark, 1, NULL)) return;
    int ok = !(p->t[p->probe_end].type == T_EQUAL || p->t[p->probe_end].type == T_COLONEQUAL);
    p->i = save;
    p->last = save_last;
    if (!ok) return;
    if (name) raise_at_node(p, e, "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
    raise_at_node(p, e, "cannot assign to %s here. Maybe you meant '==' instead of '='?", expr_name(e));
}

static AstNode *named_expression(Parser *p) { return named_expression_impl(p, 1); }

/* named_expression: NAME ':=' ~ expression | expression !':=' */
static AstNode *named_expression_impl(Parser *p, int hints) {
    if (at(p, T_NAME) && peek_is(p, 1, T_COLONEQUAL)) {
        Token *nt = advance(p);
        advance(p);
        AstNode *v = expression(p);
        AstNode *n = mk(p, AST_NamedExpr, nt);
        n->v.NamedExpr.target = name_from(p, nt, AST_Store);
        n->v.NamedExpr.value = v;
        return n;
    }
    Token *st = tok(p);
    AstNode *e = expression(p);
    if (hints && at(p, T_EQUAL)) invalid_named_assignment(p, st, e);
    if (at(p, T_COLONEQUAL) && token_starts_expression((TokType)p->t[p->i + 1 < p->nt ? p->i + 1 : p->i].type)) {
        const char *what = e->kind == AST_Attribute ? "attribute" : e->kind == AST_Subscript ? "subscript" : NULL;
        if (what) raise_at_node(p, e, "cannot use assignment expressions with %s", what);
        raise_at_node(p, e, "cannot use assignment expressions with expression");
    }
    return e;
}

/* star_expression: '*' bitwise_or | expression ; star_expressions: star_expression (',' ...)* [','] */
static AstNode *star_expression(Parser *p) {
    if (at(p, T_STAR)) {
        Token *s = advance(p);
        AstNode *v = bitwise_or(p);
        AstNode *n = mk_starred(p, s, v);
        return n;
    }
    return expression(p);
}

static int starts_expression(Parser *p) { return token_starts_expression((TokType)tok(p)->type); }

static AstNode *star_expressions(Parser *p) {
    Token *st = tok(p);
    AstNode *first = star_expression(p);
    if (!at(p, T_COMMA)) return first;
    AstList *elts = NULL;
    push(p, &elts, first);
    while (accept(p, T_COMMA)) {
        if (!starts_expression(p)) break;
        push(p, &elts, star_expression(p));
    }
    AstNode *t = mk(p, AST_Tuple, st);
    t->v.Tuple.elts = elts;
    t->v.Tuple.ctx = ast_singleton(AST_Load);
    return t;
}

/* yield_expr: 'yield' 'from' expression | 'yield' [star_expressions] */
static AstNode *yield_expr(Parser *p) {
    Token *st = advance(p);
    if (accept(p, T_KW_FROM)) {
        AstNode *v = expression(p);
        AstNode *y = mk(p, AST_YieldFrom, st);
        y->v.YieldFrom.value = v;
        return y;
    }
    AstNode *v = starts_expression(p) ? star_expressions(p) : NULL;
    AstNode *y = mk(p, AST_Yield, st);
    y->v.Yield.value = v;
    return y;
}

static AstNode *annotated_rhs(Parser *p) { return at(p, T_KW_YIELD) ? yield_expr(p) : star_expressions(p); }

/* ---- targets ---- */

static const char *expr_name(const AstNode *e) {
    switch (e->kind) {
    case AST_Attribute: return "attribute";
    case AST_Subscript: return "subscript";
    case AST_Starred: return "starred";
    case AST_Name: return "name";
    case AST_List: return "list";
    case AST_Tuple: return "tuple";
    case AST_Lambda: return "lambda";
    case AST_Call: return "function call";
    case AST_BoolOp: case AST_BinOp: case AST_UnaryOp: return "expression";
    case AST_GeneratorExp: return "generator expression";
    case AST_Yield: case AST_YieldFrom: return "yield expression";
    case AST_Await: return "await expression";
    case AST_ListComp: return "list comprehension";
    case AST_SetComp: return "set comprehension";
    case AST_DictComp: return "dict comprehension";
    case AST_Dict: return "dict literal";
    case AST_Set: return "set display";
    case AST_JoinedStr: case AST_TemplateStr: return "f-string expression";
    case AST_Constant:
        if (e->v.Constant.value.kind == CONST_NONE) return "None";
        if (e->v.Constant.value.kind == CONST_TRUE) return "True";
        if (e->v.Constant.value.kind == CONST_FALSE) return "False";
        if (e->v.Constant.value.kind == CONST_ELLIPSIS) return "ellipsis";
        return "literal";
    case AST_Compare: return "comparison";
    case AST_IfExp: return "conditional expression";
    case AST_NamedExpr: return "named expression";
    default: return "expression";
    }
}

/* Turns a parsed expression into an assignment (Store) or deletion (Del) target, rejecting what
 * cannot be one with CPython's message. */
static void set_ctx(Parser *p, AstNode *e, AstKind ctx) {
    switch (e->kind) {
    case AST_Name: e->v.Name.ctx = ast_singleton(ctx); return;
    case AST_Attribute: e->v.Attribute.ctx = ast_singleton(ctx); return;
    case AST_Subscript: e->v.Subscript.ctx = ast_singleton(ctx); return;
    case AST_Starred:
        if (ctx == AST_Del) raise_at_node(p, e, "cannot delete starred");
        e->v.Starred.ctx = ast_singleton(ctx);
        set_ctx(p, e->v.Starred.value, ctx);
        return;
    case AST_List:
        e->v.List.ctx = ast_singleton(ctx);
        for (int k = 0; k < ast_list_len(e->v.List.elts); k++) set_ctx(p, e->v.List.elts->items[k], ctx);
        return;
    case AST_Tuple:
        e->v.Tuple.ctx = ast_singleton(ctx);
        for (int k = 0; k < ast_list_len(e->v.Tuple.elts); k++) set_ctx(p, e->v.Tuple.elts->items[k], ctx);
        return;
    default:
        if (ctx == AST_Del) raise_at_node(p, e, "cannot delete %s", expr_name(e));
        raise_at_node(p, e, "cannot assign to %s", expr_name(e));
    }
}

/* star_targets / for-loop and comprehension targets: star_target (',' star_target)* [','] */
static AstNode *target_item(Parser *p) {
    if (at(p, T_STAR)) {
        Token *s = advance(p);
        if (at(p, T_STAR)) raise_syntax(p);
        AstNode *v = target_item(p);
        AstNode *n = mk_starred(p, s, v);
        return n;
    }
    return primary(p);
}

static AstNode *star_targets(Parser *p) {
    Token *st = tok(p);
    AstNode *first = target_item(p);
    if (!at(p, T_COMMA)) {
        set_ctx(p, first, AST_Store);
        return first;
    }
    AstList *elts = NULL;
    push(p, &elts, first);
    while (accept(p, T_COMMA)) {
        if (!(at(p, T_NAME) || at(p, T_LPAR) || at(p, T_LSQB) || at(p, T_STAR))) break;
        push(p, &elts, target_item(p));
    }
    AstNode *t = mk(p, AST_Tuple, st);
    t->v.Tuple.elts = elts;
    t->v.Tuple.ctx = ast_singleton(AST_Load);
    set_ctx(p, t, AST_Store);
    return t;
}

/* for_if_clauses: ('async'? 'for' star_targets 'in' ~ disjunction ('if' disjunction)*)+ */
static AstList *for_if_clauses(Parser *p) {
    AstList *gens = NULL;
    while (at_comprehension(p)) {
        int is_async = accept(p, T_KW_ASYNC);
        advance(p); /* for */
        AstNode *c = ast_new(p->a, AST_comprehension);
        c->v.comprehension.target = star_targets(p);
        if (!at(p, T_KW_IN)) raise_syntax(p);
        advance(p);
        c->v.comprehension.iter = disjunction(p);
        while (accept(p, T_KW_IF)) push(p, &c->v.comprehension.ifs, disjunction(p));
        c->v.comprehension.is_async = is_async;
        push(p, &gens, c);
    }
    return gens;
}

/* ---- statements ---- */

static AstNode *mk_stmt(Parser *p, AstKind k, Token *st) { return mk(p, k, st); }

static void expect_newline(Parser *p) {
    if (accept(p, T_NEWLINE)) return;
    raise_syntax(p);
}

/* import_stmt */
static Str dotted_name(Parser *p) {
    Token *first = expect_name(p);
    Str s = ident(p, first);
    if (!at(p, T_DOT)) return s;
    ABuf b = {0};
    abuf_put(p->a, &b, s.s, s.len);
    while (accept(p, T_DOT)) {
        Token *nt = expect_name(p);
        Str part = ident(p, nt);
        abuf_put(p->a, &b, ".", 1);
        abuf_put(p->a, &b, part.s, part.len);
    }
    return abuf_str(&b);
}

static AstNode *alias_node(Parser *p, int dotted) {
    Token *st = tok(p);
    AstNode *al = ast_new(p->a, AST_alias);
    if (dotted) al->v.alias.name = dotted_name(p);
    else al->v.alias.name = ident(p, expect_name(p));
    if (accept(p, T_KW_AS)) al->v.alias.asname = ident(p, expect_name(p));
    set_span(p, al, st);
    return al;
}

static AstNode *import_stmt(Parser *p) {
    Token *st = tok(p);
    if (accept(p, T_KW_IMPORT)) {
        AstList *names = NULL;
        do push(p, &names, alias_node(p, 1));
        while (accept(p, T_COMMA));
        AstNode *s = mk_stmt(p, AST_Import, st);
        s->v.Import.names = names;
        return s;
    }
    advance(p); /* from */
    int level = 0;
    for (;;) {
        if (accept(p, T_DOT)) level++;
        else if (accept(p, T_ELLIPSIS)) level += 3;
        else break;
    }
    Str module = {0, 0};
    if (!at(p, T_KW_IMPORT)) module = dotted_name(p);
    else if (level == 0) raise_syntax(p);
    expect(p, T_KW_IMPORT);
    AstList *names = NULL;
    if (at(p, T_STAR)) {
        Token *s = advance(p);
        AstNode *al = mk(p, AST_alias, s);
        al->v.alias.name = STR_LIT("*");
        push(p, &names, al);
    } else if (accept(p, T_LPAR)) {
        do {
            if (at(p, T_RPAR) && names) break;
            push(p, &names, alias_node(p, 0));
        } while (accept(p, T_COMMA));
        expect(p, T_RPAR);
    } else {
        do push(p, &names, alias_node(p, 0));
        while (accept(p, T_COMMA) && !(at(p, T_NEWLINE) && (raise_at_tok(p, tok(p), "trailing comma not allowed without surrounding parentheses"), 0)));
    }
    AstNode *s = mk_stmt(p, AST_ImportFrom, st);
    s->v.ImportFrom.module = module;
    s->v.ImportFrom.names = names;
    s->v.ImportFrom.level = level;
    return s;
}

static int is_augassign(TokType t, AstKind *op) {
    switch (t) {
    case T_PLUSEQUAL: *op = AST_Add; return 1;
    case T_MINEQUAL: *op = AST_Sub; return 1;
    case T_STAREQUAL: *op = AST_Mult; return 1;
    case T_ATEQUAL: *op = AST_MatMult; return 1;
    case T_SLASHEQUAL: *op = AST_Div; return 1;
    case T_PERCENTEQUAL: *op = AST_Mod; return 1;
    case T_AMPEREQUAL: *op = AST_BitAnd; return 1;
    case T_VBAREQUAL: *op = AST_BitOr; return 1;
    case T_CIRCUMFLEXEQUAL: *op = AST_BitXor; return 1;
    case T_LEFTSHIFTEQUAL: *op = AST_LShift; return 1;
    case T_RIGHTSHIFTEQUAL: *op = AST_RShift; return 1;
    case T_DOUBLESTAREQUAL: *op = AST_Pow; return 1;
    case T_DOUBLESLASHEQUAL: *op = AST_FloorDiv; return 1;
    default: return 0;
    }
}

static int assignable(const AstNode *e) {
    switch (e->kind) {
    case AST_Name: case AST_Attribute: case AST_Subscript: case AST_Starred: case AST_List: case AST_Tuple: return 1;
    default: return 0;
    }
}

/* After "target =": does the value run into another '=' (a chain)? Scans to the end of the
 * statement at bracket depth 0. */
static int peek_is_assign_chain(Parser *p) {
    int depth = 0;
    for (size_t k = p->i + 1; k < p->nt; k++) {
        TokType ty = (TokType)p->t[k].type;
        if (ty == T_LPAR || ty == T_LSQB || ty == T_LBRACE) depth++;
        else if (ty == T_RPAR || ty == T_RSQB || ty == T_RBRACE) depth--;
        else if (depth == 0 && (ty == T_NEWLINE || ty == T_SEMI || ty == T_ENDMARKER)) return 0;
        else if (depth == 0 && ty == T_EQUAL) return 1;
        if (depth < 0) return 0;
    }
    return 0;
}

/* assignment | star_expressions: an expression statement, or an assignment of one of its kinds */
static AstNode *expr_or_assign_stmt(Parser *p) {
    Token *st = tok(p);
    AstNode *e = annotated_rhs(p);
    if (at(p, T_COLON)) {
        /* annotated assignment */
        if (!token_starts_expression((TokType)p->t[p->i + 1 < p->nt ? p->i + 1 : p->i].type)) {
            advance(p);
            raise_syntax(p);
        }
        int simple = e->kind == AST_Name && !(e->flags & AN_PARENS);
        if (e->kind == AST_Tuple) raise_at_node(p, e, "only single target (not tuple) can be annotated");
        if (e->kind == AST_List) raise_at_node(p, e, "only single target (not list) can be annotated");
        if (e->kind != AST_Name && e->kind != AST_Attribute && e->kind != AST_Subscript)
            raise_at_node(p, e, "illegal target for annotation");
        advance(p);
        set_ctx(p, e, AST_Store);
        AstNode *ann = expression(p);
        AstNode *value = NULL;
        if (accept(p, T_EQUAL)) value = annotated_rhs(p);
        AstNode *s = mk_stmt(p, AST_AnnAssign, st);
        s->v.AnnAssign.target = e;
        s->v.AnnAssign.annotation = ann;
        s->v.AnnAssign.value = value;
        s->v.AnnAssign.simple = simple;
        return s;
    }
    AstKind op;
    if (is_augassign((TokType)tok(p)->type, &op)) {
        if (e->kind != AST_Name && e->kind != AST_Attribute && e->kind != AST_Subscript)
            raise_at_node(p, e, "'%s' is an illegal expression for augmented assignment", expr_name(e));
        advance(p);
        set_ctx(p, e, AST_Store);
        AstNode *v = annotated_rhs(p);
        AstNode *s = mk_stmt(p, AST_AugAssign, st);
        s->v.AugAssign.target = e;
        s->v.AugAssign.op = ast_singleton(op);
        s->v.AugAssign.value = v;
        return s;
    }
    if (at(p, T_EQUAL)) {
        AstList *targets = NULL;
        AstNode *value = e;
        if (!assignable(e) && !peek_is_assign_chain(p)) {
            /* invalid_named_expression: "x + 1 = 2" reads like a comparison */
            int k = e->kind;
            int literal_kw = k == AST_Constant && (e->v.Constant.value.kind == CONST_NONE ||
                                                   e->v.Constant.value.kind == CONST_TRUE ||
                                                   e->v.Constant.value.kind == CONST_FALSE);
            if (!literal_kw && k != AST_Compare && k != AST_BoolOp && k != AST_IfExp && k != AST_Lambda &&
                !(k == AST_UnaryOp && e->v.UnaryOp.op->kind == AST_Not) && k != AST_GeneratorExp &&
                k != AST_Yield && k != AST_YieldFrom && k != AST_NamedExpr && k != AST_Starred)
                raise_at_node(p, e, "cannot assign to %s here. Maybe you meant '==' instead of '='?", expr_name(e));
        }
        while (accept(p, T_EQUAL)) {
            if (value->kind == AST_Yield || value->kind == AST_YieldFrom)
                raise_at_node(p, value, "assignment to yield expression not possible");
            set_ctx(p, value, AST_Store);
            push(p, &targets, value);
            value = annotated_rhs(p);
        }
        AstNode *s = mk_stmt(p, AST_Assign, st);
        s->v.Assign.targets = targets;
        s->v.Assign.value = value;
        return s;
    }
    AstNode *s = mk_stmt(p, AST_Expr, st);
    s->v.Expr.value = e;
    return s;
}

/* del_stmt: 'del' del_targets &(';' | NEWLINE) */
static AstNode *del_stmt(Parser *p) {
    Token *st = advance(p);
    AstList *targets = NULL;
    do {
        if (at(p, T_NEWLINE) || at(p, T_SEMI)) break;
        AstNode *t = primary(p);
        set_ctx(p, t, AST_Del);
        push(p, &targets, t);
    } while (accept(p, T_COMMA));
    if (!targets) raise_syntax(p);
    AstNode *s = mk_stmt(p, AST_Delete, st);
    s->v.Delete.targets = targets;
    return s;
}

/* type_params: '[' ','.type_param+ [','] ']' */
static AstList *type_params(Parser *p) {
    AstList *l = NULL;
    Token *lb = expect(p, T_LSQB);
    if (p->pyminor < 12) raise_at_tok(p, lb, "invalid syntax");
    do {
        if (at(p, T_RSQB) && l) break;
        Token *st = tok(p);
        AstNode *tp;
        if (accept(p, T_STAR)) {
            Token *nt = expect_name(p);
            tp = ast_new(p->a, AST_TypeVarTuple);
            tp->v.TypeVarTuple.name = ident(p, nt);
            if (at(p, T_COLON)) raise_at_tok(p, tok(p), "cannot use bound with TypeVarTuple");
            if (accept(p, T_EQUAL)) tp->v.TypeVarTuple.default_value = star_expression(p);
        } else if (accept(p, T_DOUBLESTAR)) {
            Token *nt = expect_name(p);
            tp = ast_new(p->a, AST_ParamSpec);
            tp->v.ParamSpec.name = ident(p, nt);
            if (at(p, T_COLON)) raise_at_tok(p, tok(p), "cannot use bound with ParamSpec");
            if (accept(p, T_EQUAL)) tp->v.ParamSpec.default_value = expression(p);
        } else {
            Token *nt = expect_name(p);
            tp = ast_new(p->a, AST_TypeVar);
            tp->v.TypeVar.name = ident(p, nt);
            if (accept(p, T_COLON)) tp->v.TypeVar.bound = expression(p);
            if (accept(p, T_EQUAL)) tp->v.TypeVar.default_value = expression(p);
        }
        set_span(p, tp, st);
        push(p, &l, tp);
    } while (accept(p, T_COMMA));
    expect(p, T_RSQB);
    return l;
}

static AstNode *simple_stmt(Parser *p) {
    Token *st = tok(p);
    switch (st->type) {
    case T_KW_PASS: advance(p); return mk_stmt(p, AST_Pass, st);
    case T_KW_BREAK: advance(p); return mk_stmt(p, AST_Break, st);
    case T_KW_CONTINUE: advance(p); return mk_stmt(p, AST_Continue, st);
    case T_KW_RETURN: {
        advance(p);
        AstNode *v = starts_expression(p) ? star_expressions(p) : NULL;
        AstNode *s = mk_stmt(p, AST_Return, st);
        s->v.Return.value = v;
        return s;
    }
    case T_KW_RAISE: {
        advance(p);
        AstNode *exc = NULL, *cause = NULL;
        if (starts_expression(p)) {
            exc = expression(p);
            if (accept(p, T_KW_FROM)) cause = expression(p);
        }
        AstNode *s = mk_stmt(p, AST_Raise, st);
        s->v.Raise.exc = exc;
        s->v.Raise.cause = cause;
        return s;
    }
    case T_KW_GLOBAL:
    case T_KW_NONLOCAL: {
        advance(p);
        AstList *names = NULL;
        do push(p, &names, identifier_node(p, ident(p, expect_name(p))));
        while (accept(p, T_COMMA));
        AstNode *s = mk_stmt(p, st->type == T_KW_GLOBAL ? AST_Global : AST_Nonlocal, st);
        if (st->type == T_KW_GLOBAL) s->v.Global.names = names;
        else s->v.Nonlocal.names = names;
        return s;
    }
    case T_KW_DEL: return del_stmt(p);
    case T_KW_ASSERT: {
        advance(p);
        AstNode *test = expression(p), *msg = NULL;
        if (accept(p, T_COMMA)) msg = expression(p);
        AstNode *s = mk_stmt(p, AST_Assert, st);
        s->v.Assert.test = test;
        s->v.Assert.msg = msg;
        return s;
    }
    case T_KW_IMPORT:
    case T_KW_FROM: return import_stmt(p);
    case T_NAME:
        /* type_alias: "type" NAME [type_params] '=' expression */
        if (p->pyminor >= 12 && at_soft(p, "type") && peek_is(p, 1, T_NAME) &&
            (peek_is(p, 2, T_EQUAL) || peek_is(p, 2, T_LSQB))) {
            advance(p);
            Token *nt = advance(p);
            AstNode *s = ast_new(p->a, AST_TypeAlias);
            s->v.TypeAlias.name = name_from(p, nt, AST_Store);
            if (at(p, T_LSQB)) s->v.TypeAlias.type_params = type_params(p);
            expect(p, T_EQUAL);
            s->v.TypeAlias.value = expression(p);
            set_span(p, s, st);
            return s;
        }
        return expr_or_assign_stmt(p);
    default: return expr_or_assign_stmt(p);
    }
}

/* simple_stmts: simple_stmt !';' NEWLINE | ';'.simple_stmt+ [';'] NEWLINE */
static void simple_stmts(Parser *p, AstList **body) {
    for (;;) {
        push(p, body, simple_stmt(p));
        if (!accept(p, T_SEMI)) break;
        if (at(p, T_NEWLINE)) break;
    }
    expect_newline(p);
}

static const char *block_what_fmt(const char *what) { return what; }

/* block: NEWLINE INDENT statements DEDENT | simple_stmts */
static AstList *block(Parser *p, const char *what, int line) {
    AstList *body = NULL;
    if (accept(p, T_NEWLINE)) {
        if (!at(p, T_INDENT)) {
            Token *t = tok(p);
            if (t->type == T_ERRORTOKEN) raise_lex(p);
            raise_at_tok(p, t, "expected an indented block after %s on line %d", block_what_fmt(what), line);
        }
        advance(p);
        enter(p);
        while (!at(p, T_DEDENT) && !at(p, T_ENDMARKER)) statement_into(p, &body);
        leave(p);
        accept(p, T_DEDENT);
        return body;
    }
    simple_stmts(p, &body);
    return body;
}

static void expect_colon(Parser *p) { expect(p, T_COLON); }

/* decorators: ('@' f=named_expression NEWLINE)+ */
static AstList *decorators(Parser *p) {
    AstList *l = NULL;
    while (accept(p, T_AT)) {
        push(p, &l, named_expression(p));
        expect_newline(p);
    }
    return l;
}

/* function_def_raw: ['async'] 'def' NAME [type_params] '(' [params] ')' ['->' expression] ':' block */
static AstNode *function_def(Parser *p, AstList *decos) {
    Token *st = tok(p);
    int is_async = accept(p, T_KW_ASYNC);
    expect(p, T_KW_DEF);
    Token *nt = expect_name(p);
    AstList *tps = NULL;
    if (at(p, T_LSQB) && p->pyminor >= 12) tps = type_params(p);
    if (!at(p, T_LPAR)) raise_at_tok(p, tok(p), "expected '('");
    advance(p);
    AstNode *args = parameters(p, T_RPAR, 1);
    expect(p, T_RPAR);
    AstNode *ret = NULL;
    if (accept(p, T_RARROW)) ret = expression(p);
    expect_colon(p);
    AstList *body = block(p, "function definition", st->line);
    AstNode *f = mk_stmt(p, is_async ? AST_AsyncFunctionDef : AST_FunctionDef, st);
    f->v.FunctionDef.name = ident(p, nt);
    f->v.FunctionDef.args = args;
    f->v.FunctionDef.body = body;
    f->v.FunctionDef.decorator_list = decos;
    f->v.FunctionDef.returns = ret;
    f->v.FunctionDef.type_params = tps;
    return f;
}

/* class_def_raw: 'class' NAME [type_params] ['(' [arguments] ')'] ':' block */
static AstNode *class_def(Parser *p, AstList *decos) {
    Token *st = advance(p);
    Token *nt = expect_name(p);
    AstList *tps = NULL;
    if (at(p, T_LSQB)) tps = type_params(p);
    AstNode *call = ast_new(p->a, AST_Call);
    if (accept(p, T_LPAR)) {
        call_arguments(p, call, T_RPAR);
        expect(p, T_RPAR);
    }
    expect_colon(p);
    AstList *body = block(p, "class definition", st->line);
    AstNode *c = mk_stmt(p, AST_ClassDef, st);
    c->v.ClassDef.name = ident(p, nt);
    c->v.ClassDef.bases = call->v.Call.args;
    c->v.ClassDef.keywords = call->v.Call.keywords;
    c->v.ClassDef.body = body;
    c->v.ClassDef.decorator_list = decos;
    c->v.ClassDef.type_params = tps;
    return c;
}

/* if_stmt: 'if' named_expression ':' block elif_stmt | 'if' named_expression ':' block [else_block] */
static AstNode *if_stmt(Parser *p) {
    Token *st = advance(p);
    AstNode *test = named_expression(p);
    expect_colon(p);
    AstList *body = block(p, st->type == T_KW_IF ? "'if' statement" : "'elif' statement", st->line);
    AstList *orelse = NULL;
    if (at(p, T_KW_ELIF)) {
        enter(p);
        push(p, &orelse, if_stmt(p));
        leave(p);
    } else if (at(p, T_KW_ELSE)) {
        Token *e = advance(p);
        expect_colon(p);
        orelse = block(p, "'else' statement", e->line);
    }
    AstNode *s = mk_stmt(p, AST_If, st);
    s->v.If.test = test;
    s->v.If.body = body;
    s->v.If.orelse = orelse;
    return s;
}

static AstList *else_block(Parser *p) {
    if (!at(p, T_KW_ELSE)) return NULL;
    Token *e = advance(p);
    expect_colon(p);
    return block(p, "'else' statement", e->line);
}

static AstNode *while_stmt(Parser *p) {
    Token *st = advance(p);
    AstNode *test = named_expression(p);
    expect_colon(p);
    AstList *body = block(p, "'while' statement", st->line);
    AstList *orelse = else_block(p);
    AstNode *s = mk_stmt(p, AST_While, st);
    s->v.While.test = test;
    s->v.While.body = body;
    s->v.While.orelse = orelse;
    return s;
}

/* for_stmt: ['async'] 'for' star_targets 'in' ~ star_expressions ':' [TYPE_COMMENT] block [else_block] */
static AstNode *for_stmt(Parser *p) {
    Token *st = tok(p);
    int is_async = accept(p, T_KW_ASYNC);
    expect(p, T_KW_FOR);
    AstNode *target = star_targets(p);
    if (!at(p, T_KW_IN)) raise_syntax(p);
    advance(p);
    AstNode *iter = star_expressions(p);
    expect_colon(p);
    AstList *body = block(p, "'for' statement", st->line);
    AstList *orelse = else_block(p);
    AstNode *s = mk_stmt(p, is_async ? AST_AsyncFor : AST_For, st);
    s->v.For.target = target;
    s->v.For.iter = iter;
    s->v.For.body = body;
    s->v.For.orelse = orelse;
    return s;
}

/* with_item: expression 'as' star_target &(',' | ')' | ':') | expression */
static AstNode *with_item(Parser *p) {
    AstNode *w = ast_new(p->a, AST_withitem);
    w->v.withitem.context_expr = expression(p);
    if (accept(p, T_KW_AS)) {
        AstNode *t = target_item(p);
        set_ctx(p, t, AST_Store);
        if (!(at(p, T_COMMA) || at(p, T_RPAR) || at(p, T_COLON))) raise_syntax(p);
        w->v.withitem.optional_vars = t;
    }
    return w;
}

/* with_stmt: ['async'] 'with' ( '(' ','.with_item+ ','? ')' | ','.with_item+ ) ':' block */
static AstNode *with_stmt(Parser *p) {
    Token *st = tok(p);
    int is_async = accept(p, T_KW_ASYNC);
    expect(p, T_KW_WITH);
    AstList *items = NULL;
    int done = 0;
    if (at(p, T_LPAR)) {
        Mark m;
        jmp_buf jb;
        if (TRY(p, m, jb)) {
            advance(p);
            AstList *l = NULL;
            do {
                if (at(p, T_RPAR) && l) break;
                push(p, &l, with_item(p));
            } while (accept(p, T_COMMA));
            expect(p, T_RPAR);
            if (!at(p, T_COLON)) raise_syntax(p);
            try_end(p, &m);
            items = l;
            done = 1;
        } else {
            try_rewind(p, &m);
        }
    }
    if (!done) {
        do push(p, &items, with_item(p));
        while (accept(p, T_COMMA));
    }
    expect_colon(p);
    AstList *body = block(p, "'with' statement", st->line);
    AstNode *s = mk_stmt(p, is_async ? AST_AsyncWith : AST_With, st);
    s->v.With.items = items;
    s->v.With.body = body;
    return s;
}

/* try_stmt with except_block / except_star_block / finally_block */
static AstNode *try_stmt(Parser *p) {
    Token *st = advance(p);
    expect_colon(p);
    AstList *body = block(p, "'try' statement", st->line);
    AstList *handlers = NULL;
    int star = -1;
    while (at(p, T_KW_EXCEPT)) {
        Token *et = advance(p);
        int is_star = accept(p, T_STAR);
        if (star >= 0 && star != is_star)
            raise_at_tok(p, et, "cannot have both 'except' and 'except*' on the same 'try'");
        star = is_star;
        AstNode *h = ast_new(p->a, AST_ExceptHandler);
        if (!at(p, T_COLON)) {
            Token *ts = tok(p);
            AstNode *type = expression(p);
            if (at(p, T_COMMA)) {
                /* except A, B: - a tuple without parentheses (3.14) */
                AstList *elts = NULL;
                push(p, &elts, type);
                while (accept(p, T_COMMA)) push(p, &elts, expression(p));
                AstNode *t = mk(p, AST_Tuple, ts);
                t->v.Tuple.elts = elts;
                t->v.Tuple.ctx = ast_singleton(AST_Load);
                if (at(p, T_KW_AS))
                    raise_at_node(p, t, p->pyminor >= 14 ? "multiple exception types must be parenthesized when using 'as'"
                                                         : "multiple exception types must be parenthesized");
                if (p->pyminor < 14) raise_at_node(p, t, "multiple exception types must be parenthesized");
                type = t;
            }
            h->v.ExceptHandler.type = type;
            if (accept(p, T_KW_AS)) h->v.ExceptHandler.name = ident(p, expect_name(p));
        } else if (is_star) {
            raise_at_tok(p, tok(p), "expected one or more exception types");
        }
        expect_colon(p);
        h->v.ExceptHandler.body = block(p, is_star ? "'except*' statement" : "'except' statement", et->line);
        set_span(p, h, et);
        push(p, &handlers, h);
    }
    AstList *orelse = NULL, *finalbody = NULL;
    if (handlers) orelse = else_block(p);
    if (at(p, T_KW_FINALLY)) {
        Token *ft = advance(p);
        expect_colon(p);
        finalbody = block(p, "'finally' statement", ft->line);
    }
    if (!handlers && !finalbody) {
        raise_at_tok(p, tok(p), "expected 'except' or 'finally' block");
    }
    AstNode *s = mk_stmt(p, star == 1 ? AST_TryStar : AST_Try, st);
    s->v.Try.body = body;
    s->v.Try.handlers = handlers;
    s->v.Try.orelse = orelse;
    s->v.Try.finalbody = finalbody;
    return s;
}

/* ---- match statement (PEP 634) ---- */

static AstNode *mk_pat(Parser *p, AstKind k, Token *st) { return mk(p, k, st); }

/* signed_number / complex_number / attr / strings used as a value pattern */
static AstNode *literal_or_value(Parser *p) {
    Token *st = tok(p);
    if (at(p, T_MINUS) || at(p, T_NUMBER)) {
        AstNode *v;
        if (accept(p, T_MINUS)) {
            if (!at(p, T_NUMBER)) raise_syntax(p);
            AstNode *n = number(p);
            v = mk(p, AST_UnaryOp, st);
            v->v.UnaryOp.op = ast_singleton(AST_USub);
            v->v.UnaryOp.operand = n;
        } else {
            v = number(p);
        }
        if (at(p, T_PLUS) || at(p, T_MINUS)) {
            int plus = at(p, T_PLUS);
            advance(p);
            if (!at(p, T_NUMBER)) raise_syntax(p);
            AstNode *im = number(p);
            if (im->v.Constant.value.kind != CONST_COMPLEX) raise_at_node(p, im, "imaginary number required in complex literal");
            AstNode *b = mk(p, AST_BinOp, st);
            b->v.BinOp.left = v;
            b->v.BinOp.op = ast_singleton(plus ? AST_Add : AST_Sub);
            b->v.BinOp.right = im;
            v = b;
        }
        return v;
    }
    if (at(p, T_STRING) || at(p, T_FSTRING_START)) {
        AstNode *s = strings(p);
        if (s->kind == AST_JoinedStr || s->kind == AST_TemplateStr) raise_at_node(p, s, "patterns may only match literals and attribute lookups");
        return s;
    }
    raise_syntax(p);
}

/* closed_pattern: literal | capture | wildcard | value | group | sequence | mapping | class */
static AstNode *closed_pattern(Parser *p) {
    Token *st = tok(p);
    switch (st->type) {
    case T_KW_NONE:
    case T_KW_TRUE:
    case T_KW_FALSE: {
        advance(p);
        AstNode *n = mk_pat(p, AST_MatchSingleton, st);
        n->v.MatchSingleton.value.kind = st->type == T_KW_NONE ? CONST_NONE : st->type == T_KW_TRUE ? CONST_TRUE : CONST_FALSE;
        return n;
    }
    case T_MINUS:
    case T_NUMBER:
    case T_STRING:
    case T_FSTRING_START: {
        AstNode *v = literal_or_value(p);
        AstNode *n = mk_pat(p, AST_MatchValue, st);
        n->v.MatchValue.value = v;
        return n;
    }
    case T_LPAR:
    case T_LSQB: {
        TokType close = st->type == T_LPAR ? T_RPAR : T_RSQB;
        advance(p);
        AstList *pats = NULL;
        int comma = 0;
        while (!at(p, close)) {
            push(p, &pats, pattern(p));
            if (!accept(p, T_COMMA)) break;
            comma = 1;
        }
        expect(p, close);
        if (st->type == T_LPAR && ast_list_len(pats) == 1 && !comma && pats->items[0]->kind != AST_MatchStar) {
            return pats->items[0]; /* group_pattern */
        }
        AstNode *n = mk_pat(p, AST_MatchSequence, st);
        n->v.MatchSequence.patterns = pats;
        return n;
    }
    case T_LBRACE: {
        advance(p);
        AstNode *n = ast_new(p->a, AST_MatchMapping);
        while (!at(p, T_RBRACE)) {
            if (accept(p, T_DOUBLESTAR)) {
                n->v.MatchMapping.rest = ident(p, expect_name(p));
                accept(p, T_COMMA);
                break;
            }
            AstNode *key;
            if (at(p, T_NAME)) {
                Token *kst = tok(p);
                AstNode *v = name_from(p, advance(p), AST_Load);
                if (!at(p, T_DOT)) raise_syntax(p);
                while (accept(p, T_DOT)) {
                    Token *at_ = expect_name(p);
                    AstNode *a = mk(p, AST_Attribute, kst);
                    a->v.Attribute.value = v;
                    a->v.Attribute.attr = ident(p, at_);
                    a->v.Attribute.ctx = ast_singleton(AST_Load);
                    v = a;
                }
                key = v;
            } else if (at(p, T_KW_NONE) || at(p, T_KW_TRUE) || at(p, T_KW_FALSE)) {
                Token *t = advance(p);
                key = mk_const(p, t->type == T_KW_NONE ? CONST_NONE : t->type == T_KW_TRUE ? CONST_TRUE : CONST_FALSE, t);
            } else {
                key = literal_or_value(p);
            }
            expect(p, T_COLON);
            push(p, &n->v.MatchMapping.keys, key);
            push(p, &n->v.MatchMapping.patterns, pattern(p));
            if (!accept(p, T_COMMA)) break;
        }
        expect(p, T_RBRACE);
        set_span(p, n, st);
        return n;
    }
    case T_NAME: {
        /* capture, wildcard, value (dotted name) or class pattern */
        Token *nt = advance(p);
        AstNode *v = NULL;
        if (at(p, T_DOT) || at(p, T_LPAR)) {
            v = name_from(p, nt, AST_Load);
            while (accept(p, T_DOT)) {
                Token *at_ = expect_name(p);
                AstNode *a = mk(p, AST_Attribute, st);
                a->v.Attribute.value = v;
                a->v.Attribute.attr = ident(p, at_);
                a->v.Attribute.ctx = ast_singleton(AST_Load);
                v = a;
            }
        }
        if (v && accept(p, T_LPAR)) {
            AstNode *n = ast_new(p->a, AST_MatchClass);
            n->v.MatchClass.cls = v;
            int seen_kw = 0;
            while (!at(p, T_RPAR)) {
                if (at(p, T_NAME) && peek_is(p, 1, T_EQUAL)) {
                    Token *kt = advance(p);
                    advance(p);
                    push(p, &n->v.MatchClass.kwd_attrs, identifier_node(p, ident(p, kt)));
                    push(p, &n->v.MatchClass.kwd_patterns, pattern(p));
                    seen_kw = 1;
                } else {
                    AstNode *pt = pattern(p);
                    if (seen_kw) raise_at_node(p, pt, "positional patterns follow keyword patterns");
                    push(p, &n->v.MatchClass.patterns, pt);
                }
                if (!accept(p, T_COMMA)) break;
            }
            expect(p, T_RPAR);
            set_span(p, n, st);
            return n;
        }
        if (v) {
            if (v->kind == AST_Name) raise_syntax(p);
            AstNode *n = mk_pat(p, AST_MatchValue, st);
            n->v.MatchValue.value = v;
            return n;
        }
        AstNode *n = mk_pat(p, AST_MatchAs, st);
        Str id = ident(p, nt);
        if (!(id.len == 1 && id.s[0] == '_')) n->v.MatchAs.name = id;
        return n;
    }
    default: raise_syntax(p);
    }
}

/* or_pattern: '|'.closed_pattern+ */
static AstNode *or_pattern(Parser *p) {
    Token *st = tok(p);
    enter(p);
    AstNode *first = closed_pattern(p);
    if (!at(p, T_VBAR)) { leave(p); return first; }
    AstList *alts = NULL;
    push(p, &alts, first);
    while (accept(p, T_VBAR)) push(p, &alts, closed_pattern(p));
    leave(p);
    AstNode *n = mk_pat(p, AST_MatchOr, st);
    n->v.MatchOr.patterns = alts;
    return n;
}

/* pattern: as_pattern | or_pattern ; also star_pattern inside sequences */
static AstNode *pattern(Parser *p) {
    Token *st = tok(p);
    if (at(p, T_STAR)) {
        advance(p);
        Token *nt = expect_name(p);
        AstNode *n = mk_pat(p, AST_MatchStar, st);
        Str id = ident(p, nt);
        if (!(id.len == 1 && id.s[0] == '_')) n->v.MatchStar.name = id;
        return n;
    }
    AstNode *pt = or_pattern(p);
    if (accept(p, T_KW_AS)) {
        Token *nt = expect_name(p);
        Str id = ident(p, nt);
        if (id.len == 1 && id.s[0] == '_') raise_at_tok(p, nt, "cannot use '_' as a target");
        AstNode *n = mk_pat(p, AST_MatchAs, st);
        n->v.MatchAs.pattern = pt;
        n->v.MatchAs.name = id;
        return n;
    }
    return pt;
}

/* patterns: open_sequence_pattern | pattern */
static AstNode *patterns(Parser *p) {
    Token *st = tok(p);
    AstNode *first = pattern(p);
    if (!at(p, T_COMMA)) return first;
    AstList *pats = NULL;
    push(p, &pats, first);
    while (accept(p, T_COMMA)) {
        if (at(p, T_COLON) || at_soft(p, "if")) break;
        if (at(p, T_KW_IF)) break;
        push(p, &pats, pattern(p));
    }
    AstNode *n = mk_pat(p, AST_MatchSequence, st);
    n->v.MatchSequence.patterns = pats;
    return n;
}

/* match_stmt: "match" subject_expr ':' NEWLINE INDENT case_block+ DEDENT */
static AstNode *match_stmt(Parser *p) {
    Token *st = advance(p);
    Token *sst = tok(p);
    AstNode *subject;
    {
        AstNode *first = star_named_expression(p);
        if (at(p, T_COMMA)) {
            AstList *elts = NULL;
            push(p, &elts, first);
            while (accept(p, T_COMMA)) {
                if (at(p, T_COLON)) break;
                push(p, &elts, star_named_expression(p));
            }
            subject = mk(p, AST_Tuple, sst);
            subject->v.Tuple.elts = elts;
            subject->v.Tuple.ctx = ast_singleton(AST_Load);
        } else {
            subject = first;
        }
    }
    expect(p, T_COLON);
    if (!accept(p, T_NEWLINE)) raise_syntax(p);
    if (!at(p, T_INDENT)) raise_at_tok(p, tok(p), "expected an indented block after 'match' statement on line %d", st->line);
    advance(p);
    AstList *cases = NULL;
    while (!at(p, T_DEDENT) && !at(p, T_ENDMARKER)) {
        if (!at_soft(p, "case")) raise_syntax(p);
        Token *ct = advance(p);
        AstNode *c = ast_new(p->a, AST_match_case);
        c->v.match_case.pattern = patterns(p);
        if (accept(p, T_KW_IF)) c->v.match_case.guard = named_expression(p);
        expect_colon(p);
        c->v.match_case.body = block(p, "'case' statement", ct->line);
        push(p, &cases, c);
    }
    if (!cases) raise_syntax(p);
    accept(p, T_DEDENT);
    AstNode *s = mk_stmt(p, AST_Match, st);
    s->v.Match.subject = subject;
    s->v.Match.cases = cases;
    return s;
}

/* Is the soft keyword 'match' at the cursor the start of a match statement? Tries the subject
 * and the colon; the rest is committed. */
static int looks_like_match(Parser *p) {
    if (p->pyminor < 10 || !at_soft(p, "match")) return 0;
    if (!starts_expression(p) && 0) return 0;
    Mark m;
    jmp_buf jb;
    int ok = 0;
    if (TRY(p, m, jb)) {
        advance(p);
        if (!starts_expression(p) || at(p, T_KW_LAMBDA) || at(p, T_KW_NOT)) {
            if (!(at(p, T_KW_NOT) && 0)) { ok = 0; goto out; }
        }
        AstNode *first = star_named_expression(p);
        (void)first;
        while (accept(p, T_COMMA)) {
            if (at(p, T_COLON)) break;
            star_named_expression(p);
        }
        ok = at(p, T_COLON) && peek_is(p, 1, T_NEWLINE);
    out:
        try_rewind(p, &m);
    } else {
        try_rewind(p, &m);
    }
    return ok;
}

/* statement: compound_stmt | simple_stmts */
static AstNode *statement_into(Parser *p, AstList **body) {
    Token *t = tok(p);
    switch (t->type) {
    case T_KW_DEF: push(p, body, function_def(p, NULL)); return NULL;
    case T_KW_CLASS: push(p, body, class_def(p, NULL)); return NULL;
    case T_KW_IF: push(p, body, if_stmt(p)); return NULL;
    case T_KW_WHILE: push(p, body, while_stmt(p)); return NULL;
    case T_KW_FOR: push(p, body, for_stmt(p)); return NULL;
    case T_KW_WITH: push(p, body, with_stmt(p)); return NULL;
    case T_KW_TRY: push(p, body, try_stmt(p)); return NULL;
    case T_AT: {
        AstList *decos = decorators(p);
        if (at(p, T_KW_CLASS)) push(p, body, class_def(p, decos));
        else if (at(p, T_KW_DEF) || (at(p, T_KW_ASYNC) && peek_is(p, 1, T_KW_DEF))) push(p, body, function_def(p, decos));
        else raise_syntax(p);
        return NULL;
    }
    case T_KW_ASYNC:
        if (peek_is(p, 1, T_KW_DEF)) push(p, body, function_def(p, NULL));
        else if (peek_is(p, 1, T_KW_FOR)) push(p, body, for_stmt(p));
        else if (peek_is(p, 1, T_KW_WITH)) push(p, body, with_stmt(p));
        else { advance(p); raise_syntax(p); }
        return NULL;
    case T_INDENT: raise_syntax(p);
    case T_NAME:
        if (looks_like_match(p)) { push(p, body, match_stmt(p)); return NULL; }
        break;
    default: break;
    }
    simple_stmts(p, body);
    return NULL;
}

/* file: [statements] ENDMARKER */
static AstNode *file_rule(Parser *p) {
    AstNode *m = ast_new(p->a, AST_Module);
    while (!at(p, T_ENDMARKER)) {
        if (at(p, T_NEWLINE)) { advance(p); continue; }
        statement_into(p, &m->v.Module.body);
    }
    return m;
}

/* Converts a byte column on a line to CPython's 1-based character offset. */
static int char_col(const char *text, size_t n, int line, int bytecol) {
    size_t off = 0;
    int l = 1;
    while (l < line && off < n) {
        if (text[off] == '\n') l++;
        off++;
    }
    int chars = 0;
    for (int k = 0; k < bytecol && off + (size_t)k < n; k++)
        if (((unsigned char)text[off + (size_t)k] & 0xC0) != 0x80) chars++;
    return chars + 1;
}

AstNode *parse_module(Arena *a, const char *text, size_t n, int pyminor, SyntaxDiag *diag) {
    Parser p;
    memset(&p, 0, sizeof p);
    p.a = a;
    p.src = text;
    p.n = n;
    p.pyminor = pyminor;
    TokenArray toks = {0};
    p.lexfailed = lex_tokenize(text, n, pyminor, &toks, &p.lexerr) != 0;
    p.t = toks.items;
    p.nt = toks.len;
    jmp_buf jb;
    p.jb = &jb;
    AstNode *m = NULL;
    if (setjmp(jb) == 0) {
        m = file_rule(&p);
    } else {
        m = NULL;
        int line, col;
        if (p.err_line > 0) {
            line = p.err_line;
            col = p.err_col;
        } else {
            lex_line_col(text, n, p.err_off, &line, &col);
        }
        diag->line = line;
        diag->col = pyminor < 12 ? col + 1 : char_col(text, n, line, col);
        snprintf(diag->msg, sizeof diag->msg, "%s", p.err_msg);
    }
    vec_free(&toks);
    return m;
}
