/* patch.c - cache_recommendations.json's actions as source edits (patch.h). Each action becomes
 * byte-range replacements found on the file's own syntax tree (decorator and import positions),
 * so every byte outside them - comments, tabs, CRLF, a BOM - stays as it was; the diff is made
 * from those replacements, whole lines at a time, with 3 lines of context. */
#include "patch.h"
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>
#include "../base/arena.h"
#include "../base/fileio.h"
#include "../base/xalloc.h"
#include "../syntax/ast.h"
#include "../syntax/syntax.h"

/* ---- the source as lines ------------------------------------------------------------------ */

typedef struct Src {
    const char *d;
    size_t n, bom;
    size_t *ls; /* ls[1..nl]: offset of each line; ls[nl + 1] = n */
    int nl;
} Src;

static void src_init(Src *s, const char *d, size_t n) {
    s->d = d;
    s->n = n;
    s->bom = n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    size_t cap = 16;
    s->ls = xmalloc(cap * sizeof *s->ls);
    s->nl = 0;
    size_t i = 0;
    while (i < n) {
        if ((size_t)s->nl + 3 >= cap) s->ls = xrealloc(s->ls, (cap *= 2) * sizeof *s->ls);
        s->ls[++s->nl] = i;
        while (i < n && d[i] != '\n' && d[i] != '\r') i++;
        if (i < n && d[i] == '\r' && i + 1 < n && d[i + 1] == '\n') i += 2;
        else if (i < n) i++;
    }
    if ((size_t)s->nl + 3 >= cap) s->ls = xrealloc(s->ls, (cap + 4) * sizeof *s->ls);
    s->ls[s->nl + 1] = n;
}

static size_t line_start(const Src *s, int line) { return line < 1 ? 0 : line > s->nl ? s->n : s->ls[line]; }
/* Where a line's text begins: after the BOM on line 1, so that nothing is put before it. */
static size_t text_start(const Src *s, int line) { return line_start(s, line) + (line == 1 ? s->bom : 0); }
static size_t line_end(const Src *s, int line) { return line_start(s, line + 1); } /* after its terminator */
static size_t off_of(const Src *s, int line, int col) { return line_start(s, line) + (size_t)col + (line == 1 ? s->bom : 0); }
static int line_of(const Src *s, size_t off) { /* the line holding off (off == n: a line past the end) */
    int lo = 1, hi = s->nl;
    if (off >= s->n) return s->nl + 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (s->ls[mid] <= off) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}
/* The terminator of a line ("" for an unterminated last line). */
static Str line_eol(const Src *s, int line) {
    size_t a = line_start(s, line), b = line_end(s, line), e = b;
    while (e > a && (s->d[e - 1] == '\n' || s->d[e - 1] == '\r')) e--;
    return (Str){s->d + e, b - e};
}
static Str file_eol(const Src *s) {
    for (int l = 1; l <= s->nl; l++) {
        Str e = line_eol(s, l);
        if (e.len) return e;
    }
    return STR_LIT("\n");
}
static int blank(const char *p, const char *e) {
    for (; p < e; p++)
        if (*p != ' ' && *p != '\t' && *p != '\f') return 0;
    return 1;
}
/* Only spaces and maybe a comment from off to the end of its line. */
static int rest_blank(const Src *s, size_t off) {
    for (; off < s->n && s->d[off] != '\n' && s->d[off] != '\r'; off++) {
        if (s->d[off] == '#') return 1;
        if (s->d[off] != ' ' && s->d[off] != '\t' && s->d[off] != '\f') return 0;
    }
    return 1;
}

/* ---- edits ---------------------------------------------------------------------------------- */

typedef struct Edit {
    size_t a, b; /* data[a..b) becomes text */
    int first;   /* of insertions at one place, these go first (an import before a decorator) */
    Buf text;
} Edit;
typedef struct Edits {
    Edit *v;
    int n, cap;
} Edits;

static void edit_add(Edits *e, size_t a, size_t b, const char *t, size_t tn) {
    if (e->n == e->cap) e->v = xrealloc(e->v, (size_t)(e->cap = e->cap ? e->cap * 2 : 8) * sizeof *e->v);
    Edit *x = &e->v[e->n++];
    x->a = a;
    x->b = b;
    x->first = 0;
    memset(&x->text, 0, sizeof x->text);
    buf_put(&x->text, t, tn);
}
static void edits_free(Edits *e) {
    for (int i = 0; i < e->n; i++) buf_free(&e->v[i].text);
    free(e->v);
}
static int cmp_edit(const void *x, const void *y) {
    const Edit *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    if (a->b != b->b) return a->b < b->b ? -1 : 1;
    return b->first - a->first;
}

/* ---- the tree -------------------------------------------------------------------------------- */

typedef void (*VisitFn)(const AstNode *n, void *ctx);
static void walk(const AstNode *n, VisitFn fn, void *ctx) {
    if (!n) return;
    fn(n, ctx);
    const AstKindDesc *k = &ast_kinds[n->kind];
    for (int i = 0; i < k->nfields; i++) {
        const AstFieldDesc *f = &ast_fields[k->first_field + i];
        const char *p = (const char *)n + f->offset;
        if (f->kind == AF_NODE || f->kind == AF_OPT) walk(*(AstNode *const *)p, fn, ctx);
        else if (f->kind == AF_LIST) {
            const AstList *l = *(AstList *const *)p;
            for (int j = 0; j < ast_list_len(l); j++) walk(l->items[j], fn, ctx);
        }
    }
}

typedef struct FindFn {
    int line;
    const char *name;
    const AstNode *found;
} FindFn;
static void find_fn(const AstNode *n, void *ctx) {
    FindFn *f = ctx;
    if (f->found || n->lineno != f->line) return;
    if (n->kind == AST_FunctionDef && str_eq(n->v.FunctionDef.name, f->name)) f->found = n;
    if (n->kind == AST_AsyncFunctionDef && str_eq(n->v.AsyncFunctionDef.name, f->name)) f->found = n;
}
static const AstList *decorators(const AstNode *fn) {
    return fn->kind == AST_FunctionDef ? fn->v.FunctionDef.decorator_list : fn->v.AsyncFunctionDef.decorator_list;
}

typedef struct Uses {
    const char *name;
    int n;
} Uses;
static void count_uses(const AstNode *n, void *ctx) {
    Uses *u = ctx;
    if (n->kind == AST_Name && str_eq(n->v.Name.id, u->name)) u->n++;
    if ((n->kind == AST_FunctionDef && str_eq(n->v.FunctionDef.name, u->name)) ||
        (n->kind == AST_AsyncFunctionDef && str_eq(n->v.AsyncFunctionDef.name, u->name)) ||
        (n->kind == AST_ClassDef && str_eq(n->v.ClassDef.name, u->name)))
        u->n++;
}
static int uses(const AstNode *mod, const char *name) {
    Uses u = {name, 0};
    walk(mod, count_uses, &u);
    return u.n;
}

/* How the module reaches functools: `import functools [as M]` and the first `from functools
 * import ...` among the module's own statements. */
typedef struct Binding {
    const AstNode *imp;       /* the Import statement binding the module, or NULL */
    const AstNode *imp_alias; /* its alias */
    char mod[128];            /* the name it is bound to */
    const AstNode *from;      /* ImportFrom functools (level 0), or NULL */
} Binding;

static Str alias_local(const AstNode *al) { return al->v.alias.asname.s ? al->v.alias.asname : al->v.alias.name; }

static void find_binding(const AstNode *mod, Binding *b) {
    memset(b, 0, sizeof *b);
    const AstList *body = mod->v.Module.body;
    for (int i = 0; i < ast_list_len(body); i++) {
        const AstNode *st = body->items[i];
        if (st->kind == AST_Import && !b->imp) {
            const AstList *al = st->v.Import.names;
            for (int j = 0; j < ast_list_len(al); j++)
                if (str_eq(al->items[j]->v.alias.name, "functools")) {
                    Str l = alias_local(al->items[j]);
                    if (l.len >= sizeof b->mod) continue;
                    memcpy(b->mod, l.s, l.len);
                    b->mod[l.len] = 0;
                    b->imp = st;
                    b->imp_alias = al->items[j];
                    break;
                }
        }
        if (st->kind == AST_ImportFrom && !b->from && st->v.ImportFrom.level == 0 &&
            str_eq(st->v.ImportFrom.module, "functools"))
            b->from = st;
    }
}
/* The local name `from functools import attr [as x]` binds, or an empty Str. */
static Str from_local(const Binding *b, const char *attr) {
    if (!b->from) return (Str){0};
    const AstList *al = b->from->v.ImportFrom.names;
    for (int j = 0; j < ast_list_len(al); j++)
        if (str_eq(al->items[j]->v.alias.name, attr)) return alias_local(al->items[j]);
    return (Str){0};
}

/* A decorator that is a functools cache: 1 lru_cache, 2 cache, 0 neither. *root: the name the
 * expression starts from (the module's or the function's local name). */
static int cache_kind(const AstNode *e, const Binding *b, const AstNode **func) {
    if (e->kind == AST_Call) e = e->v.Call.func;
    *func = e;
    if (e->kind == AST_Attribute && e->v.Attribute.value->kind == AST_Name) {
        if (str_eq(e->v.Attribute.attr, "lru_cache")) return 1;
        if (str_eq(e->v.Attribute.attr, "cache")) return 2;
    }
    if (e->kind == AST_Name) {
        Str l = from_local(b, "lru_cache"), c = from_local(b, "cache");
        if ((l.s && e->v.Name.id.len == l.len && !memcmp(e->v.Name.id.s, l.s, l.len)) || str_eq(e->v.Name.id, "lru_cache"))
            return 1;
        if ((c.s && e->v.Name.id.len == c.len && !memcmp(e->v.Name.id.s, c.s, c.len)) || str_eq(e->v.Name.id, "cache"))
            return 2;
    }
    return 0;
}
static Str root_name(const AstNode *func) {
    while (func->kind == AST_Attribute) func = func->v.Attribute.value;
    return func->kind == AST_Name ? func->v.Name.id : (Str){0};
}
/* Decorators that must stay outermost: they make a descriptor out of the function, which a cache
 * above them would hide. */
static int descriptor_decorator(const AstNode *e) {
    if (e->kind == AST_Call) return 0;
    Str id = e->kind == AST_Name ? e->v.Name.id : e->kind == AST_Attribute ? e->v.Attribute.attr : (Str){0};
    static const char *const names[] = {"staticmethod", "classmethod", "property", "abstractmethod", "setter",
                                        "getter", "deleter", "overload", "override"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (str_eq(id, names[i])) return 1;
    return 0;
}

/* ---- one file ------------------------------------------------------------------------------ */

typedef struct FileEdit {
    Src s;
    const AstNode *mod;
    Binding b;
    Edits e;
    /* import changes, decided after every action */
    int add_import;             /* add `import functools` */
    const char *from_add[2];    /* names to add to the from-import */
    int nfrom_add;
    struct { char name[64]; int removed; } gone[8]; /* names whose uses decorators lost */
    int ngone;
    char needed[4][64]; /* names the new decorators use: their imports stay */
    int nneeded;
    Buf err;
} FileEdit;

static void lost_use(FileEdit *f, Str name) {
    if (!name.s || name.len >= 64) return;
    for (int i = 0; i < f->ngone; i++)
        if (strlen(f->gone[i].name) == name.len && !memcmp(f->gone[i].name, name.s, name.len)) {
            f->gone[i].removed++;
            return;
        }
    if (f->ngone == 8) return;
    memcpy(f->gone[f->ngone].name, name.s, name.len);
    f->gone[f->ngone].name[name.len] = 0;
    f->gone[f->ngone++].removed = 1;
}

static void need(FileEdit *f, const char *p, size_t n) {
    if (f->nneeded == 4 || n >= 64) return;
    memcpy(f->needed[f->nneeded], p, n);
    f->needed[f->nneeded++][n] = 0;
}
static int is_needed(const FileEdit *f, const char *name) {
    for (int i = 0; i < f->nneeded; i++)
        if (!strcmp(f->needed[i], name)) return 1;
    return 0;
}

/* How this file spells functools.<attr>, deciding the import change it needs. */
static void spell(FileEdit *f, const char *attr, Buf *out) {
    if (f->b.imp) {
        need(f, f->b.mod, strlen(f->b.mod));
        buf_printf(out, "%s.%s", f->b.mod, attr);
        return;
    }
    Str l = from_local(&f->b, attr);
    if (l.s) {
        need(f, l.s, l.len);
        buf_put(out, l.s, l.len);
        return;
    }
    if (f->b.from && !uses(f->mod, attr)) { /* add to the file's from-import, when the name is free */
        int have = 0;
        for (int i = 0; i < f->nfrom_add; i++) have |= !strcmp(f->from_add[i], attr);
        if (!have && f->nfrom_add < 2) f->from_add[f->nfrom_add++] = attr;
        buf_puts(out, attr);
        return;
    }
    f->add_import = 1;
    buf_printf(out, "functools.%s", attr);
}

static void fail(FileEdit *f, const char *fmt, const char *what, int line) {
    buf_printf(&f->err, fmt, what, line);
}

/* The '@' of a decorator; (size_t)-1 when not alone at the start of its line. */
static size_t at_sign(const Src *s, const AstNode *dec) {
    size_t o = off_of(s, dec->lineno, dec->col_offset), ls = line_start(s, dec->lineno);
    while (o > ls && s->d[o - 1] != '@') o--;
    if (o == ls || !blank(s->d + ls + (dec->lineno == 1 ? s->bom : 0), s->d + o - 1)) return (size_t)-1;
    return o - 1;
}

static void size_text(json_t *v, Buf *out) {
    if (json_is_integer(v)) buf_printf(out, "%lld", (long long)json_integer_value(v));
    else buf_puts(out, "None");
}

static int do_action(FileEdit *f, json_t *rec) {
    const char *kind = json_string_value(json_object_get(rec, "recommendation"));
    const char *name = json_string_value(json_object_get(rec, "function"));
    json_t *jl = json_object_get(rec, "line");
    if (!kind || !name || !json_is_integer(jl)) {
        buf_printf(&f->err, "an entry without recommendation, function or line");
        return -1;
    }
    int line = (int)json_integer_value(jl);
    FindFn ff = {line, name, NULL};
    walk(f->mod, find_fn, &ff);
    if (!ff.found) {
        fail(f, "no function %s at line %d (the file changed since the analysis?)", name, line);
        return -1;
    }
    const AstNode *fn = ff.found;
    const AstList *decs = decorators(fn);
    json_t *sug = json_object_get(rec, "suggested_maxsize");
    const Src *s = &f->s;
    if (!strcmp(kind, "ADD_CACHE")) {
        const AstNode *func;
        for (int i = 0; i < ast_list_len(decs); i++)
            if (cache_kind(decs->items[i], &f->b, &func)) {
                fail(f, "%s at line %d has a cache already", name, line);
                return -1;
            }
        int at = 0;
        while (at < ast_list_len(decs) && descriptor_decorator(decs->items[at])) at++;
        size_t ins;
        if (at < ast_list_len(decs)) {
            ins = at_sign(s, decs->items[at]);
            if (ins == (size_t)-1) {
                fail(f, "a decorator of %s (line %d) shares its line with other code", name, line);
                return -1;
            }
            ins = text_start(s, line_of(s, ins));
        } else
            ins = text_start(s, fn->lineno);
        Buf t = {0};
        size_t ds = line_start(s, fn->lineno) + (fn->lineno == 1 ? s->bom : 0);
        buf_put(&t, s->d + ds, off_of(s, fn->lineno, fn->col_offset) - ds); /* the def's own indent */
        buf_putc(&t, '@');
        if (json_is_integer(sug)) {
            spell(f, "lru_cache", &t);
            buf_printf(&t, "(maxsize=%lld)", (long long)json_integer_value(sug));
        } else {
            const char *dec = json_string_value(json_object_get(rec, "decorator"));
            if (dec && strstr(dec, "lru_cache")) { /* the writer chose lru_cache(maxsize=None) */
                spell(f, "lru_cache", &t);
                buf_puts(&t, "(maxsize=None)");
            } else
                spell(f, "cache", &t);
        }
        Str eol = line_eol(s, fn->lineno);
        if (!eol.len) eol = file_eol(s);
        buf_put(&t, eol.s, eol.len);
        edit_add(&f->e, ins, ins, t.data, t.len);
        buf_free(&t);
        return 0;
    }
    /* REMOVE and ADJUST_SIZE work on the existing cache decorator */
    const AstNode *dec = NULL, *func = NULL;
    int ck = 0;
    for (int i = 0; i < ast_list_len(decs) && !dec; i++)
        if ((ck = cache_kind(decs->items[i], &f->b, &func)) != 0) dec = decs->items[i];
    if (!dec) {
        fail(f, "%s at line %d has no functools cache decorator (done already?)", name, line);
        return -1;
    }
    if (!strcmp(kind, "REMOVE")) {
        size_t at = at_sign(s, dec), end = off_of(s, dec->end_lineno, dec->end_col_offset);
        if (at == (size_t)-1 || !rest_blank(s, end)) {
            fail(f, "the cache decorator of %s (line %d) shares its line with other code", name, line);
            return -1;
        }
        edit_add(&f->e, text_start(s, line_of(s, at)), line_end(s, dec->end_lineno), "", 0);
        lost_use(f, root_name(func));
        return 0;
    }
    if (strcmp(kind, "ADJUST_SIZE") != 0) {
        fail(f, "unknown action for %s (line %d)", name, line);
        return -1;
    }
    Buf t = {0};
    size_text(sug, &t);
    int unbounded = !json_is_integer(sug);
    if (ck == 2) { /* functools.cache: unbounded already; a bound needs lru_cache */
        if (unbounded) {
            buf_free(&t);
            fail(f, "%s at line %d is unbounded already", name, line);
            return -1;
        }
        Buf r = {0};
        if (func->kind == AST_Attribute) {
            Str m = root_name(func);
            buf_put(&r, m.s, m.len);
            buf_puts(&r, ".lru_cache");
        } else {
            spell(f, "lru_cache", &r);
            lost_use(f, func->v.Name.id);
        }
        buf_printf(&r, "(maxsize=%s)", t.data);
        size_t a = off_of(s, func->lineno, func->col_offset), b = off_of(s, func->end_lineno, func->end_col_offset);
        edit_add(&f->e, a, b, r.data, r.len);
        buf_free(&r);
        buf_free(&t);
        return 0;
    }
    if (dec->kind != AST_Call) { /* bare @lru_cache: maxsize 128 by default */
        size_t b = off_of(s, dec->end_lineno, dec->end_col_offset);
        Buf r = {0};
        buf_printf(&r, "(maxsize=%s)", t.data);
        edit_add(&f->e, b, b, r.data, r.len);
        buf_free(&r);
        buf_free(&t);
        return 0;
    }
    const AstList *kw = dec->v.Call.keywords, *args = dec->v.Call.args;
    const AstNode *val = NULL;
    for (int i = 0; i < ast_list_len(kw); i++)
        if (str_eq(kw->items[i]->v.keyword.arg, "maxsize")) val = kw->items[i]->v.keyword.value;
    if (!val && ast_list_len(args) > 0) val = args->items[0];
    if (val) {
        edit_add(&f->e, off_of(s, val->lineno, val->col_offset), off_of(s, val->end_lineno, val->end_col_offset), t.data,
                 t.len);
    } else { /* lru_cache() or lru_cache(typed=True): maxsize goes first */
        size_t p = off_of(s, func->end_lineno, func->end_col_offset);
        while (p < s->n && s->d[p] != '(') p++;
        if (p == s->n) {
            buf_free(&t);
            fail(f, "cannot read the decorator of %s (line %d)", name, line);
            return -1;
        }
        Buf r = {0};
        buf_printf(&r, "maxsize=%s%s", t.data, ast_list_len(kw) ? ", " : "");
        edit_add(&f->e, p + 1, p + 1, r.data, r.len);
        buf_free(&r);
    }
    buf_free(&t);
    return 0;
}

/* A statement alone on its lines: [line start, end of its last line). */
static int whole_lines(const Src *s, const AstNode *st, size_t *a, size_t *b) {
    size_t o = off_of(s, st->lineno, st->col_offset), e = off_of(s, st->end_lineno, st->end_col_offset);
    size_t ls = line_start(s, st->lineno) + (st->lineno == 1 ? s->bom : 0);
    if (!blank(s->d + ls, s->d + o) || !rest_blank(s, e)) return 0;
    *a = text_start(s, st->lineno);
    *b = line_end(s, st->end_lineno);
    return 1;
}
static size_t node_start(const Src *s, const AstNode *n) { return off_of(s, n->lineno, n->col_offset); }
static size_t node_end(const Src *s, const AstNode *n) { return off_of(s, n->end_lineno, n->end_col_offset); }

/* Removes alias i of an import's names (with a comma) or the whole statement when it is the only one. */
static void drop_alias(FileEdit *f, const AstNode *st, const AstList *al, int i) {
    const Src *s = &f->s;
    size_t a, b;
    if (ast_list_len(al) == 1) {
        if (whole_lines(s, st, &a, &b)) edit_add(&f->e, a, b, "", 0);
        return;
    }
    if (i > 0) edit_add(&f->e, node_end(s, al->items[i - 1]), node_end(s, al->items[i]), "", 0);
    else edit_add(&f->e, node_start(s, al->items[0]), node_start(s, al->items[1]), "", 0);
}

static void fix_imports(FileEdit *f) {
    const Src *s = &f->s;
    /* names whose last use went with a decorator */
    for (int g = 0; g < f->ngone; g++) {
        if (is_needed(f, f->gone[g].name) || uses(f->mod, f->gone[g].name) > f->gone[g].removed) continue;
        if (f->b.imp && !strcmp(f->b.mod, f->gone[g].name)) {
            const AstList *al = f->b.imp->v.Import.names;
            for (int i = 0; i < ast_list_len(al); i++)
                if (al->items[i] == f->b.imp_alias) drop_alias(f, f->b.imp, al, i);
            continue;
        }
        if (!f->b.from) continue;
        const AstList *al = f->b.from->v.ImportFrom.names;
        for (int i = 0; i < ast_list_len(al); i++) {
            Str l = alias_local(al->items[i]);
            if (l.len != strlen(f->gone[g].name) || memcmp(l.s, f->gone[g].name, l.len)) continue;
            if (f->nfrom_add > 0) { /* a name to add: it takes the place of the one that goes */
                const char *nw = f->from_add[--f->nfrom_add];
                edit_add(&f->e, node_start(s, al->items[i]), node_end(s, al->items[i]), nw, strlen(nw));
            } else if (ast_list_len(al) > 1 || f->nfrom_add == 0)
                drop_alias(f, f->b.from, al, i);
        }
    }
    if (f->nfrom_add) {
        const AstList *al = f->b.from->v.ImportFrom.names;
        size_t e = node_end(s, al->items[ast_list_len(al) - 1]);
        Buf t = {0};
        for (int i = 0; i < f->nfrom_add; i++) buf_printf(&t, ", %s", f->from_add[i]);
        edit_add(&f->e, e, e, t.data, t.len);
        buf_free(&t);
    }
    if (f->add_import) {
        /* after the leading imports (and docstring), else before the first statement */
        const AstList *body = f->mod->v.Module.body;
        const AstNode *after = NULL;
        for (int i = 0; i < ast_list_len(body); i++) {
            const AstNode *st = body->items[i];
            if (st->kind == AST_Import || st->kind == AST_ImportFrom) after = st;
            else if (i == 0 && st->kind == AST_Expr && st->v.Expr.value->kind == AST_Constant) after = st;
            else break;
        }
        size_t at;
        if (after) at = line_end(s, after->end_lineno);
        else {
            const AstNode *first = ast_list_len(body) ? body->items[0] : NULL;
            int l = first ? first->lineno : 1;
            if (first && (first->kind == AST_FunctionDef || first->kind == AST_AsyncFunctionDef || first->kind == AST_ClassDef)) {
                const AstList *d = first->kind == AST_ClassDef ? first->v.ClassDef.decorator_list : decorators(first);
                if (ast_list_len(d)) l = d->items[0]->lineno;
            }
            at = text_start(s, l);
        }
        Buf t = {0};
        Str eol = file_eol(s);
        if (at == s->n && s->n && !line_eol(s, s->nl).len) buf_put(&t, eol.s, eol.len);
        buf_puts(&t, "import functools");
        buf_put(&t, eol.s, eol.len);
        edit_add(&f->e, at, at, t.data, t.len);
        f->e.v[f->e.n - 1].first = 1;
        buf_free(&t);
    }
}

/* Applies f's edits (sorted, not overlapping) to the text. */
static int apply_edits(FileEdit *f, Buf *out) {
    qsort(f->e.v, (size_t)f->e.n, sizeof *f->e.v, cmp_edit);
    size_t at = 0;
    for (int i = 0; i < f->e.n; i++) {
        const Edit *x = &f->e.v[i];
        if (x->a < at) return -1;
        buf_put(out, f->s.d + at, x->a - at);
        buf_put(out, x->text.data ? x->text.data : "", x->text.len);
        at = x->b;
    }
    buf_put(out, f->s.d + at, f->s.n - at);
    return 0;
}

/* Edits one file's text; 0, or -1 with f->err set. */
static int edit_file(FileEdit *f, const char *data, size_t n, json_t *actions, int *done) {
    memset(f, 0, sizeof *f);
    src_init(&f->s, data, n);
    Arena a;
    arena_init(&a);
    SyntaxDiag diag;
    f->mod = syntax_parse(&a, data, n, SYNTAX_PY_MAX, &diag);
    int rc = 0;
    *done = 0;
    if (!f->mod) {
        buf_printf(&f->err, "does not parse any more (line %d: %s)", diag.line, diag.msg);
        rc = -1;
    } else {
        find_binding(f->mod, &f->b);
        size_t i;
        json_t *rec;
        json_array_foreach(actions, i, rec) {
            if (do_action(f, rec) == 0) ++*done;
            else {
                buf_puts(&f->err, "\n");
                rc = -1;
            }
        }
        fix_imports(f);
    }
    arena_free(&a);
    return rc;
}
static void file_edit_free(FileEdit *f) {
    edits_free(&f->e);
    free(f->s.ls);
    buf_free(&f->err);
}

int rp_edit_text(const char *data, size_t n, const char *actions_json, Buf *out) {
    json_error_t je;
    json_t *acts = json_loads(actions_json, 0, &je);
    if (!json_is_array(acts)) {
        json_decref(acts);
        buf_printf(out, "actions: %s", je.text);
        return -1;
    }
    FileEdit f;
    int done;
    int rc = edit_file(&f, data, n, acts, &done);
    if (rc) buf_put(out, f.err.data ? f.err.data : "", f.err.len);
    else if (apply_edits(&f, out)) {
        buf_puts(out, "overlapping edits");
        rc = -1;
    }
    file_edit_free(&f);
    json_decref(acts);
    return rc;
}

/* ---- the diff ---------------------------------------------------------------------------- */

typedef struct Chunk { /* old lines [la, lb) become the bytes text */
    int la, lb;
    Buf text;
} Chunk;

static int count_lines(const char *p, size_t n) {
    int k = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\n' || (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n'))) k++;
    if (n && p[n - 1] != '\n' && p[n - 1] != '\r') k++;
    return k;
}
static void put_line(Buf *d, char tag, const char *p, size_t n) {
    buf_putc(d, tag);
    buf_put(d, p, n);
    if (!n || (p[n - 1] != '\n' && p[n - 1] != '\r')) buf_puts(d, "\n\\ No newline at end of file\n");
}
static void put_text_lines(Buf *d, char tag, const char *p, size_t n) {
    size_t a = 0;
    for (size_t i = 0; i < n; i++) {
        int end = p[i] == '\n' || (p[i] == '\r' && (i + 1 == n || p[i + 1] != '\n'));
        if (end) {
            put_line(d, tag, p + a, i + 1 - a);
            a = i + 1;
        }
    }
    if (a < n) put_line(d, tag, p + a, n - a);
}

static void unified_diff(FileEdit *f, const char *path, Buf *d) {
    const Src *s = &f->s;
    Chunk *ch = xcalloc((size_t)f->e.n + 1, sizeof *ch);
    int nch = 0;
    for (int i = 0; i < f->e.n; i++) {
        const Edit *x = &f->e.v[i];
        int la = line_of(s, x->a), lb;
        if (x->a == x->b && x->a == line_start(s, la)) lb = la;
        else if (x->b > x->a && x->b == line_start(s, line_of(s, x->b))) lb = line_of(s, x->b);
        else lb = line_of(s, x->b) + 1;
        if (lb > s->nl + 1) lb = s->nl + 1;
        if (nch && la < ch[nch - 1].lb) { /* shares a line with the chunk before: one chunk */
            Chunk *c = &ch[nch - 1];
            const Edit *p = &f->e.v[i - 1];
            buf_put(&c->text, s->d + p->b, x->a - p->b);
            buf_put(&c->text, x->text.data ? x->text.data : "", x->text.len);
            if (lb > c->lb) c->lb = lb;
            /* the tail is added once the chunk is closed */
            continue;
        }
        if (nch) {
            Chunk *c = &ch[nch - 1];
            const Edit *p = &f->e.v[i - 1];
            buf_put(&c->text, s->d + p->b, line_start(s, c->lb) - p->b);
        }
        Chunk *c = &ch[nch++];
        c->la = la;
        c->lb = lb;
        buf_put(&c->text, s->d + line_start(s, la), x->a - line_start(s, la));
        buf_put(&c->text, x->text.data ? x->text.data : "", x->text.len);
    }
    if (nch) {
        Chunk *c = &ch[nch - 1];
        const Edit *p = &f->e.v[f->e.n - 1];
        buf_put(&c->text, s->d + p->b, line_start(s, c->lb) - p->b);
    }
    if (nch) {
        buf_printf(d, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", path, path, path, path);
        enum { CTX = 3 };
        int delta = 0;
        for (int i = 0; i < nch;) {
            int j = i;
            while (j + 1 < nch && ch[j + 1].la - ch[j].lb <= 2 * CTX) j++;
            int oa = ch[i].la - CTX < 1 ? 1 : ch[i].la - CTX;
            int ob = ch[j].lb + CTX > s->nl + 1 ? s->nl + 1 : ch[j].lb + CTX;
            int oldn = ob - oa, newn = oldn;
            for (int k = i; k <= j; k++) newn += count_lines(ch[k].text.data, ch[k].text.len) - (ch[k].lb - ch[k].la);
            int na = oa + delta;
            buf_printf(d, "@@ -%d,%d +%d,%d @@\n", oldn ? oa : oa - 1, oldn, newn ? na : na - 1, newn);
            int l = oa;
            for (int k = i; k <= j; k++) {
                for (; l < ch[k].la; l++) put_line(d, ' ', s->d + line_start(s, l), line_end(s, l) - line_start(s, l));
                for (; l < ch[k].lb; l++) put_line(d, '-', s->d + line_start(s, l), line_end(s, l) - line_start(s, l));
                put_text_lines(d, '+', ch[k].text.data, ch[k].text.len);
            }
            for (; l < ob; l++) put_line(d, ' ', s->d + line_start(s, l), line_end(s, l) - line_start(s, l));
            delta += newn - oldn;
            i = j + 1;
        }
    }
    for (int i = 0; i < nch; i++) buf_free(&ch[i].text);
    free(ch);
}

/* ---- the files ------------------------------------------------------------------------------ */

static void hash_hex(const char *d, size_t n, char out[32]) {
    snprintf(out, 32, "xxh3:%016llx", (unsigned long long)XXH3_64bits(d, n));
}

static char *join(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

static json_t *load_recs(const char *outdir, FILE *err) {
    char *p = join(outdir, "cache_recommendations.json");
    json_error_t je;
    json_t *root = json_load_file(p, 0, &je);
    json_t *recs = json_object_get(root, "recommendations");
    if (!json_is_array(recs)) {
        if (err)
            fprintf(err, "glintefy: %s: %s (run 'glintefy review cache' first)\n", p,
                    root ? "no \"recommendations\" list" : je.text);
        json_decref(root);
        free(p);
        return NULL;
    }
    json_incref(recs);
    json_decref(root);
    free(p);
    return recs;
}

static int safe_path(const char *f) {
    return f && *f && f[0] != '/' && strstr(f, "..") == NULL;
}

int rp_record_hashes(const char *repo, const char *outdir) {
    json_t *recs = load_recs(outdir, NULL);
    json_t *files = json_object();
    size_t i;
    json_t *rec;
    json_array_foreach(recs, i, rec) {
        const char *f = json_string_value(json_object_get(rec, "file"));
        if (!safe_path(f) || json_object_get(files, f)) continue;
        char *p = join(repo, f), *data;
        size_t n;
        if (file_read_all(p, &data, &n) == 0) {
            char h[32];
            hash_hex(data, n, h);
            json_object_set_new(files, f, json_string(h));
            free(data);
        }
        free(p);
    }
    json_decref(recs);
    json_t *root = json_pack("{s:i, s:s, s:o}", "version", 1, "kind", "source_hashes", "files", files);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    char *p = join(outdir, "source_hashes.json");
    size_t tn = strlen(text);
    text = xrealloc(text, tn + 2);
    text[tn] = '\n';
    int e = file_write_atomic(p, text, tn + 1);
    free(p);
    free(text);
    return e;
}

/* 1 when the recommendation is among validation_results.json's validated ones. */
static int validated(json_t *vres, json_t *rec) {
    json_t *list = json_object_get(vres, "recommendations"), *v;
    size_t i;
    json_array_foreach(list, i, v) {
        const char *vs = json_string_value(json_object_get(v, "verdict"));
        if (vs && !strcmp(vs, "validated") && json_equal(json_object_get(v, "file"), json_object_get(rec, "file")) &&
            json_equal(json_object_get(v, "line"), json_object_get(rec, "line")) &&
            json_equal(json_object_get(v, "qualname"), json_object_get(rec, "qualname")))
            return 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int rp_patch(const char *repo, const char *outdir, const RpOptions *o, Buf *diff, FILE *err, int *nactions,
             int *nfiles) {
    *nactions = *nfiles = 0;
    json_t *recs = load_recs(outdir, err);
    if (!recs) return 2;
    char *hp = join(outdir, "source_hashes.json");
    json_t *hroot = json_load_file(hp, 0, NULL), *hashes = json_object_get(hroot, "files");
    json_t *vres = NULL;
    if (o->only_validated) {
        vres = json_load_file(o->only_validated, 0, NULL);
        if (!vres) {
            fprintf(err, "glintefy: %s: cannot read the validation results\n", o->only_validated);
            free(hp);
            json_decref(recs);
            json_decref(hroot);
            return 2;
        }
    }
    /* the files, in path order */
    json_t *by_file = json_object();
    size_t i;
    json_t *rec;
    int status = 0, skipped_unvalidated = 0;
    json_array_foreach(recs, i, rec) {
        const char *f = json_string_value(json_object_get(rec, "file"));
        if (!safe_path(f)) {
            fprintf(err, "glintefy: cache_recommendations.json: entry %zu: bad file name\n", i);
            status = 1;
            continue;
        }
        if (vres && !validated(vres, rec)) {
            skipped_unvalidated++;
            continue;
        }
        json_t *l = json_object_get(by_file, f);
        if (!l) json_object_set_new(by_file, f, l = json_array());
        json_array_append(l, rec);
    }
    size_t nf = json_object_size(by_file), k = 0;
    const char **names = xcalloc(nf + 1, sizeof *names);
    const char *key;
    json_t *val;
    json_object_foreach(by_file, key, val) names[k++] = key;
    qsort(names, nf, sizeof *names, cmp_str);
    for (k = 0; k < nf; k++) {
        json_t *acts = json_object_get(by_file, names[k]);
        char *p = join(repo, names[k]), *data = NULL;
        size_t n;
        int e = file_read_all(p, &data, &n);
        if (e) {
            fprintf(err, "glintefy: %s: %s\n", p, strerror(e));
            status = 1;
            free(p);
            continue;
        }
        char h[32];
        hash_hex(data, n, h);
        const char *want = json_string_value(json_object_get(hashes, names[k]));
        if (!want || strcmp(want, h) != 0) {
            fprintf(err, "glintefy: %s: %s; run 'glintefy review cache' again%s\n", names[k],
                    want ? "changed since the analysis" : "no hash recorded by the analysis (source_hashes.json)",
                    o->fix ? " (file left as it is)" : " (left out of the diff)");
            status = 1;
            free(data);
            free(p);
            continue;
        }
        FileEdit fe;
        int done;
        if (edit_file(&fe, data, n, acts, &done)) {
            fprintf(err, "glintefy: %s: %s", names[k], fe.err.data ? fe.err.data : "cannot edit\n");
            status = 1;
        }
        Buf out = {0};
        if (apply_edits(&fe, &out)) {
            fprintf(err, "glintefy: %s: two actions edit the same place; file left out\n", names[k]);
            status = 1;
        } else if (fe.e.n) {
            unified_diff(&fe, names[k], diff);
            *nactions += done;
            if (o->fix) {
                struct stat sb;
                int st = stat(p, &sb);
                int we = file_write_atomic(p, out.data, out.len);
                if (we) {
                    fprintf(err, "glintefy: %s: %s\n", p, strerror(we));
                    status = 1;
                } else {
                    if (st == 0) chmod(p, sb.st_mode & 07777);
                    ++*nfiles;
                }
            } else
                ++*nfiles;
        }
        buf_free(&out);
        file_edit_free(&fe);
        free(data);
        free(p);
    }
    if (skipped_unvalidated)
        fprintf(err, "glintefy: %d action%s not validated: left out\n", skipped_unvalidated,
                skipped_unvalidated == 1 ? "" : "s");
    free(names);
    json_decref(by_file);
    json_decref(vres);
    json_decref(hroot);
    free(hp);
    json_decref(recs);
    return status;
}

const char RP_DEBUG_PATCH_HELP[] =
    "Usage: glintefy debug patch FILE ACTIONS.json\n"
    "\n"
    "Prints FILE with the actions applied as `review cache --fix` would: ACTIONS.json is a list\n"
    "of cache_recommendations.json entries (file, function, line, recommendation,\n"
    "suggested_maxsize, decorator). Nothing is written; no hash is checked. Exit status 1 when\n"
    "an action cannot be done (message on stderr).\n";

int rp_cmd_debug_patch(int argc, char **argv) {
    if (argc == 1 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
        fputs(RP_DEBUG_PATCH_HELP, stdout);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "glintefy: debug patch needs FILE and ACTIONS.json\n(see: glintefy help debug patch)\n");
        return 2;
    }
    char *data, *acts;
    size_t n, an;
    int e = file_read_all(argv[0], &data, &n);
    if (e) {
        fprintf(stderr, "glintefy: %s: %s\n", argv[0], strerror(e));
        return 1;
    }
    if ((e = file_read_all(argv[1], &acts, &an)) != 0) {
        fprintf(stderr, "glintefy: %s: %s\n", argv[1], strerror(e));
        free(data);
        return 1;
    }
    Buf out = {0};
    int rc = rp_edit_text(data, n, acts, &out);
    if (rc) fprintf(stderr, "glintefy: %s: %s\n", argv[0], out.data ? out.data : "");
    else fwrite(out.data ? out.data : "", 1, out.len, stdout);
    buf_free(&out);
    free(data);
    free(acts);
    return rc ? 1 : 0;
}
