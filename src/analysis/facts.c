/* facts.c - an_file_facts: one walk over a module's tree gathers, per function, its bindings,
 * effects, expense and caching hazards. Whatever needs the whole module (a call to a function
 * defined further down, a name that turns out to be local, globals mutated anywhere) is kept as
 * an event and settled in one pass at the end, so the cost stays linear in the tree. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* the hashes here are of short names: inlined, they cost a fraction of a library call */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "../base/buf.h"
#include "../base/hashidx.h"
#include "analysis.h"
#include "an_internal.h"

/* names longer than the fixed buffers are cut short on purpose */
#pragma GCC diagnostic ignored "-Wformat-truncation"

enum { MAX_DEPTH = 400, MAX_CHAIN = 32 };

typedef enum { SC_MODULE, SC_CLASS, SC_FUNC, SC_LAMBDA, SC_COMP } ScopeKind;

/* A scope; func is the function whose effects the code here has (-1: runs at import time). */
typedef struct Scope {
    ScopeKind kind;
    int parent, func;
    const char *prefix; /* qualname prefix for what is defined inside ("C.", "f.<locals>.") */
} Scope;

enum {
    B_LOCAL = 1, B_PARAM = 2, B_GLOBAL = 4, B_NONLOCAL = 8, B_IMPORT = 16, B_DEF = 32, B_CLASS = 64,
    B_SELF = 128, B_MUTABLE = 256, B_C208 = 512, B_CONST = 1024, B_MULTI = 2048
};

/* A name bound in a scope. target: the import's qualified name, the def's or class's qualified
 * name, or for B_SELF the class's qualified name. */
typedef struct Bind {
    Str name;
    int scope;
    unsigned flags;
    const char *target;
    int func; /* B_DEF: the function */
    int call; /* the call whose result the name holds, or -1 */
    long value; /* B_CONST */
} Bind;

typedef enum { EV_READ, EV_CALL, EV_MUT } EvKind;
typedef enum { MUT_ITEM, MUT_ATTR, MUT_METHOD, MUT_ARG } MutKind;

/* Something settled at the end of the module. */
typedef struct Ev {
    EvKind kind;
    MutKind mkind;
    int scope, func, call;
    Str head;
    uint64_t hh;      /* name_hash(head); 0 without a head */
    const char *rest; /* ".a.b" after the head, or "" (tmp or output arena) */
    AnLoc loc;
} Ev;

/* Per-function walk state beside its AnFunc. */
typedef struct FuncTmp {
    int scope, loop_depth, has_value_return, has_yield, has_await;
    AnLoc yield_loc, await_loc, mutret_loc;
    const AstNode *node;
} FuncTmp;

typedef struct CallTmp {
    int returned; /* the function returns this call's result */
    Str arg0;     /* first argument when it is a plain name */
    AnLoc ret_loc;
} CallTmp;

typedef struct Iss {
    int func;
    AnIssue is;
} Iss;

typedef struct MutName {
    Str name;
    AnLoc loc;
} MutName;

/* self.NAME = lru_cache(..)(self.NAME) seen in a method: settled at the end of the module, when
 * every method of the class is known. */
/* A module-level NAME = f(...): the call is settled at the end of the module. */
typedef struct CallAlias {
    const char *name;
    int call;
} CallAlias;

typedef struct PendingCache {
    const char *qualified; /* "module.Class.NAME" */
    AnCache cache;
} PendingCache;

typedef struct W {
    AnFile *out;
    Arena *a, tmp;
    const char *module, *package;
    const char *src;
    size_t nsrc;
    Array(Scope) scopes;
    Array(Bind) binds;
    HashIdx bidx;
    Array(AnFunc) funcs;
    Array(FuncTmp) ftmp;
    Array(AnCall) calls;
    Array(CallTmp) ctmp;
    Array(Ev) evs;
    Array(Iss) reasons, hazards;
    HashIdx rdedup;
    Array(MutName) mutated;
    HashIdx midx;
    Array(AnAlias) aliases;
    Array(const char *) classes;
    Array(int) class_lines;
    Array(AnDecoUse) deco_uses;
    Array(CallAlias) call_aliases;
    Array(PendingCache) pending;
    int cur, depth, star_functools;
} W;

/* ---- small helpers ---------------------------------------------------------------------- */

static AnLoc loc_of(const AstNode *n) { return (AnLoc){n->lineno, n->col_offset}; }

/* ---- text from pieces ----------------------------------------------------------------------
 * Names and details are joined from byte spans instead of printf (which was a quarter of this
 * pass). The pieces are identifiers, module names and fixed words, which never hold a NUL byte,
 * so copying a span's bytes prints what "%.*s" printed. A result is cut short at cap - 1 bytes,
 * exactly as snprintf into a char[cap] cut it: names longer than that are cut on purpose. */
enum { TXT_CAP = 512 }; /* names and details made in arenas are cut to TXT_CAP - 1 bytes */

#define L(lit) STR_LIT(lit)
#define Z(s) str_z(s)

static const char *join_arena(Arena *a, const Str *p, size_t np) {
    size_t n = str_join_len(p, np, TXT_CAP);
    char *d = arena_alloc(a, n + 1);
    str_join(d, n + 1, p, np);
    return d;
}

/* BJOIN(buf, pieces...): the pieces (Str values: L("lit"), Z(cstr), a Str) joined into the array
 * buf, cut to sizeof buf - 1. AJOIN(arena, pieces...): the same, in the arena, cut to TXT_CAP - 1. */
#define BJOIN(buf, ...) (str_join((buf), sizeof(buf), STR_PIECES(__VA_ARGS__)), (const char *)(buf))
#define AJOIN(arena, ...) join_arena((arena), STR_PIECES(__VA_ARGS__))

/* a + b, NUL-terminated, in arena ar, not cut */
static const char *cat2(Arena *ar, const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    char *p = arena_alloc(ar, n + m + 1);
    memcpy(p, a, n);
    memcpy(p + n, b, m);
    p[n + m] = 0;
    return p;
}

/* A binding's key is (scope, name). The name is hashed once (name_hash) and the scope mixed in
 * cheaply (bind_hash), so that a lookup through a chain of scopes, and an event that saved its
 * head's hash, do not hash the name again for every scope. */
static uint64_t name_hash(Str name) { return XXH3_64bits(name.s, name.len); }
static uint64_t bind_hash(int scope, uint64_t nh) {
    uint64_t h = nh ^ ((uint64_t)(unsigned)scope * 0x9E3779B97F4A7C15ull);
    h ^= h >> 31; /* the index takes the low bits: fold the scope's high bits down */
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 29);
}

typedef struct BindKey {
    const W *w;
    int scope;
    Str name;
} BindKey;
static int bind_eq(const void *ctx, uint32_t v) {
    const BindKey *k = ctx;
    const Bind *b = &k->w->binds.items[v];
    return b->scope == k->scope && b->name.len == k->name.len && memcmp(b->name.s, k->name.s, k->name.len) == 0;
}

/* bind_find with the name's hash nh already made. The probe is hashidx_find's, written out so
 * that the key comparison is inlined (this is the walk's most frequent question). */
static Bind *bind_find_h(W *w, int scope, Str name, uint64_t nh) {
    const HashIdx *h = &w->bidx;
    if (!h->cap) return NULL;
    uint64_t hash = bind_hash(scope, nh);
    size_t mask = h->cap - 1;
    for (size_t i = (size_t)hash & mask; h->val[i] != HASHIDX_NONE; i = (i + 1) & mask) {
        if (h->hash[i] != hash) continue;
        Bind *b = &w->binds.items[h->val[i]];
        if (b->scope == scope && b->name.len == name.len && memcmp(b->name.s, name.s, name.len) == 0) return b;
    }
    return NULL;
}
static Bind *bind_find(W *w, int scope, Str name) { return bind_find_h(w, scope, name, name_hash(name)); }

static Bind *bind_get(W *w, int scope, Str name) {
    BindKey k = {w, scope, name};
    uint32_t v = hashidx_get_or_add(&w->bidx, bind_hash(scope, name_hash(name)), (uint32_t)w->binds.len, bind_eq, &k);
    if (v == w->binds.len) vec_push(&w->binds, ((Bind){name, scope, 0, NULL, -1, -1, 0}));
    return &w->binds.items[v];
}

/* The binding a name refers to from `scope`, as Python resolves it: the scope itself, then the
 * enclosing function scopes (class bodies are skipped), then the module. NULL: a builtin or
 * unbound name. */
static Bind *lookup_h(W *w, int scope, Str name, uint64_t nh) {
    int first = 1;
    for (int s = scope; s >= 0; s = w->scopes.items[s].parent, first = 0) {
        if (!first && w->scopes.items[s].kind == SC_CLASS) continue;
        Bind *b = bind_find_h(w, s, name, nh);
        if (!b) continue;
        if (b->flags & B_GLOBAL) return bind_find_h(w, 0, name, nh);
        if (b->flags & B_NONLOCAL) continue;
        if (b->flags & (B_LOCAL | B_PARAM | B_IMPORT | B_DEF | B_CLASS)) return b;
    }
    return NULL;
}
static Bind *lookup(W *w, int scope, Str name) { return lookup_h(w, scope, name, name_hash(name)); }

/* The function scope that owns assignments made in `scope` (comprehensions assign to their own
 * targets only; a walrus goes to the enclosing function). */
static int owner_scope(W *w, int scope) {
    while (w->scopes.items[scope].kind == SC_COMP) scope = w->scopes.items[scope].parent;
    return scope;
}

static int cur_func(W *w) { return w->scopes.items[w->cur].func; }

/* Splits a Name/Attribute chain into its head name and ".a.b" (in buf). Returns 0 otherwise. */
static int dotted(const AstNode *e, Str *head, char *buf, size_t cap) {
    const Str *attrs[MAX_CHAIN];
    int n = 0;
    while (e->kind == AST_Attribute) {
        if (n == MAX_CHAIN) return 0;
        attrs[n++] = &e->v.Attribute.attr;
        e = e->v.Attribute.value;
    }
    if (e->kind != AST_Name) return 0;
    *head = e->v.Name.id;
    size_t len = 0;
    for (int i = n - 1; i >= 0; i--) {
        if (len + attrs[i]->len + 2 > cap) return 0;
        buf[len++] = '.';
        memcpy(buf + len, attrs[i]->s, attrs[i]->len);
        len += attrs[i]->len;
    }
    buf[len] = 0;
    return 1;
}

/* The name at the bottom of x.a[i].b (through attributes and subscripts), or an empty Str. */
static Str base_name(const AstNode *e) {
    for (int guard = 0; guard < 1000; guard++) {
        if (e->kind == AST_Attribute) e = e->v.Attribute.value;
        else if (e->kind == AST_Subscript) e = e->v.Subscript.value;
        else break;
    }
    return e->kind == AST_Name ? e->v.Name.id : (Str){NULL, 0};
}

static void add_issue(W *w, int hazard, int func, AnIssueKind kind, AnLoc loc, const char *detail) {
    if (func < 0) return;
    /* one reason per (function, kind, detail) */
    uint64_t h = XXH3_64bits_withSeed(detail ? detail : "", detail ? strlen(detail) : 0,
                                      ((uint64_t)func << 8) ^ (uint64_t)kind ^ ((uint64_t)hazard << 62) ^
                                          (hazard ? ((uint64_t)loc.line << 32) ^ ((uint64_t)loc.col << 20) : 0));
    /* the dedup index stores the hash only: equal 64-bit hashes are taken as equal keys */
    {
        HashIdx *d = &w->rdedup;
        hashidx_reserve(d, 1);
        size_t mask = d->cap - 1, i = (size_t)h & mask;
        for (; d->val[i] != HASHIDX_NONE; i = (i + 1) & mask)
            if (d->hash[i] == h) return;
        d->hash[i] = h;
        d->val[i] = 1;
        d->len++;
    }
    Iss x = {func, {kind, loc, detail ? arena_strndup(w->a, detail, strlen(detail)) : NULL, NULL, {0, 0}}};
    if (hazard) vec_push(&w->hazards, x);
    else vec_push(&w->reasons, x);
}

static void reason(W *w, int func, AnIssueKind k, AnLoc loc, const char *detail) { add_issue(w, 0, func, k, loc, detail); }
static void hazard(W *w, int func, AnIssueKind k, AnLoc loc, const char *detail) { add_issue(w, 1, func, k, loc, detail); }

typedef struct MutKey {
    const W *w;
    Str name;
} MutKey;
static int mut_eq(const void *ctx, uint32_t v) {
    const MutKey *k = ctx;
    const MutName *m = &k->w->mutated.items[v];
    return m->name.len == k->name.len && memcmp(m->name.s, k->name.s, k->name.len) == 0;
}
static void mark_mutated(W *w, Str name, AnLoc loc) {
    MutKey k = {w, name};
    uint32_t v = hashidx_get_or_add(&w->midx, name_hash(name), (uint32_t)w->mutated.len, mut_eq, &k);
    if (v == w->mutated.len) vec_push(&w->mutated, ((MutName){name, loc}));
}
static const MutName *find_mutated(W *w, Str name) {
    if (!w->mutated.len) return NULL; /* the usual case: no hashing for every read */
    MutKey k = {w, name};
    uint32_t v = hashidx_find(&w->midx, name_hash(name), mut_eq, &k);
    return v == HASHIDX_NONE ? NULL : &w->mutated.items[v];
}

/* A copy of an event's text in the tmp arena; the usual "" (a plain name) is not copied. */
static const char *ev_text(W *w, const char *s) { return s[0] ? arena_strndup(&w->tmp, s, strlen(s)) : ""; }

/* hh: name_hash(head), when the caller has it; else 0 */
static void push_ev(W *w, EvKind kind, MutKind mk, Str head, uint64_t hh, const char *rest, AnLoc loc, int call) {
    if (head.s && !hh) hh = name_hash(head);
    vec_push(&w->evs, ((Ev){kind, mk, w->cur, cur_func(w), call, head, hh, rest ? rest : "", loc}));
}

static int push_scope(W *w, ScopeKind kind, int func, const char *prefix) {
    vec_push(&w->scopes, ((Scope){kind, w->cur, func, prefix}));
    return w->cur = (int)w->scopes.len - 1;
}

/* ---- eager resolution (decorators, cache assignments) ------------------------------------- */

/* The library name an expression stands for here ("functools.lru_cache"), in buf; "" if it is a
 * name bound in the module or a function. */
static const char *lib_name(W *w, const AstNode *e, char *buf, size_t cap) {
    Str head;
    char rest[256];
    buf[0] = 0;
    if (!dotted(e, &head, rest, sizeof rest)) return buf;
    Bind *b = lookup(w, w->cur, head);
    if (b && (b->flags & B_IMPORT)) str_join(buf, cap, STR_PIECES(Z(b->target), Z(rest)));
    else if (!b && w->star_functools && (str_eq(head, "lru_cache") || str_eq(head, "cache") || str_eq(head, "cached_property")))
        str_join(buf, cap, STR_PIECES(L("functools."), head, Z(rest)));
    else if (!b) str_join(buf, cap, STR_PIECES(head, Z(rest)));
    return buf;
}

/* An int constant (a literal, -literal, or a module-level NAME = literal); 0 if not one. */
static int const_int(W *w, const AstNode *e, long *v) {
    int neg = 0;
    if (e->kind == AST_UnaryOp && e->v.UnaryOp.op->kind == AST_USub) { neg = 1; e = e->v.UnaryOp.operand; }
    if (e->kind == AST_Constant && e->v.Constant.value.kind == CONST_INT) {
        Str t = e->v.Constant.value.text;
        if (t.len > 18) { *v = neg ? 0 : 1L << 60; return 1; }
        char buf[24];
        memcpy(buf, t.s, t.len);
        buf[t.len] = 0;
        *v = strtol(buf, NULL, 10);
        if (neg) *v = -*v;
        return 1;
    }
    if (!neg && e->kind == AST_Name) {
        Bind *b = lookup(w, w->cur, e->v.Name.id);
        if (b && b->scope == 0 && (b->flags & B_CONST) && !(b->flags & B_MULTI)) { *v = b->value; return 1; }
    }
    return 0;
}

static int is_none(const AstNode *e) { return e->kind == AST_Constant && e->v.Constant.value.kind == CONST_NONE; }

/* lru_cache's arguments: (maxsize, typed) positionally or by keyword. */
static void lru_args(W *w, const AstNode *call, AnCache *c) {
    const AstList *args = call->v.Call.args, *kws = call->v.Call.keywords;
    c->maxsize = 128;
    const AstNode *ms = ast_list_len(args) > 0 ? args->items[0] : NULL;
    const AstNode *ty = ast_list_len(args) > 1 ? args->items[1] : NULL;
    for (int i = 0; i < ast_list_len(kws); i++) {
        const AstNode *k = kws->items[i];
        if (str_eq(k->v.keyword.arg, "maxsize")) ms = k->v.keyword.value;
        else if (str_eq(k->v.keyword.arg, "typed")) ty = k->v.keyword.value;
    }
    long v;
    if (ms) {
        if (is_none(ms)) c->maxsize = AN_UNBOUNDED;
        else if (const_int(w, ms, &v)) c->maxsize = v < 0 ? 0 : v;
        else c->maxsize = AN_MAXSIZE_UNKNOWN;
    }
    if (ty) c->typed = !(ty->kind == AST_Constant && (ty->v.Constant.value.kind == CONST_FALSE || ty->v.Constant.value.kind == CONST_NONE));
}

static int is_mutable_display(const AstNode *e) {
    switch (e->kind) {
    case AST_BinOp: /* [x] * n, a_list + [y] */
        return (e->v.BinOp.op->kind == AST_Mult || e->v.BinOp.op->kind == AST_Add) &&
               (is_mutable_display(e->v.BinOp.left) || is_mutable_display(e->v.BinOp.right));
    case AST_List: case AST_Dict: case AST_Set: case AST_ListComp: case AST_DictComp: case AST_SetComp: return 1;
    default: return 0;
    }
}

/* list() / dict(...) / set() / bytearray() / collections.* constructors, as seen here. */
static int is_mutable_ctor(W *w, const AstNode *e) {
    if (e->kind != AST_Call) return 0;
    char buf[256];
    const char *q = lib_name(w, e->v.Call.func, buf, sizeof buf);
    return strcmp(q, "list") == 0 || strcmp(q, "dict") == 0 || strcmp(q, "set") == 0 || strcmp(q, "bytearray") == 0 ||
           strcmp(q, "collections.defaultdict") == 0 || strcmp(q, "collections.OrderedDict") == 0 ||
           strcmp(q, "collections.deque") == 0 || strcmp(q, "collections.Counter") == 0;
}

/* ---- the walk ----------------------------------------------------------------------------- */

static void walk(W *w, const AstNode *n);

static void walk_list(W *w, const AstList *l) {
    for (int i = 0; i < ast_list_len(l); i++) walk(w, l->items[i]);
}

/* Every child, for node kinds without their own rule. */
static void walk_children(W *w, const AstNode *n) {
    const AstKindDesc *k = &ast_kinds[n->kind];
    for (int i = 0; i < k->nfields; i++) {
        const AstFieldDesc *f = &ast_fields[k->first_field + i];
        const char *p = (const char *)n + f->offset;
        if (f->kind == AF_NODE || f->kind == AF_OPT) {
            const AstNode *c = *(AstNode *const *)p;
            if (c) walk(w, c);
        } else if (f->kind == AF_LIST) {
            walk_list(w, *(AstList *const *)p);
        }
    }
}

/* A mutation of `x` (x[i] = v, x.a = v, x.append(...)): the caller that mutates a stored result,
 * instance state (eagerly), and an event for the rest. */
static void note_mutation(W *w, Str name, AnLoc loc, MutKind mk, const char *what) {
    if (!name.s) return;
    uint64_t nh = name_hash(name);
    Bind *own = bind_find_h(w, owner_scope(w, w->cur), name, nh);
    if (own && (own->flags & B_LOCAL) && own->call >= 0 && !w->calls.items[own->call].result_mutated) {
        w->calls.items[own->call].result_mutated = 1;
        w->calls.items[own->call].mutation_loc = loc;
    }
    Bind *b = lookup_h(w, w->cur, name, nh);
    if (b && (b->flags & B_SELF)) {
        reason(w, cur_func(w), AN_P_MUTATES_SELF, loc, what);
        return;
    }
    if (cur_func(w) < 0) return;
    /* parameters are bound on entry, so this is their final meaning here (a later rebinding
     * must not hide the mutation) */
    if (b && (b->flags & B_PARAM) && w->scopes.items[b->scope].kind == SC_FUNC && w->scopes.items[b->scope].func == cur_func(w)) {
        int f = cur_func(w);
        char d[TXT_CAP];
        reason(w, f, AN_P_MUTATES_PARAM, loc, BJOIN(d, L("mutates argument '"), name, L("': "), Z(what)));
        if (mk != MUT_ATTR && !(b->flags & B_C208)) {
            b->flags |= B_C208;
            hazard(w, f, AN_C_UNHASHABLE_ARG, loc, BJOIN(d, L("parameter '"), name, L("' is used as a list/dict: "), Z(what)));
        }
        return;
    }
    push_ev(w, EV_MUT, mk, name, nh, ev_text(w, what), loc, -1);
}

/* Binds an assignment target, walking what it reads. */
static void bind_store(W *w, Str name, AnLoc loc) {
    int s = owner_scope(w, w->cur);
    Bind *b = bind_get(w, s, name);
    if (b->flags & (B_GLOBAL | B_NONLOCAL)) {
        int f = w->scopes.items[s].func;
        char d[TXT_CAP];
        if (b->flags & B_GLOBAL) {
            reason(w, f, AN_P_WRITES_GLOBAL, loc, BJOIN(d, L("assigns global '"), name, L("'")));
            mark_mutated(w, name, loc);
        } else {
            reason(w, f, AN_P_WRITES_GLOBAL, loc, BJOIN(d, L("assigns enclosing variable '"), name, L("'")));
        }
        return;
    }
    if (b->flags & (B_LOCAL | B_DEF | B_CLASS | B_IMPORT)) b->flags |= B_MULTI;
    b->flags = (b->flags | B_LOCAL) & ~(unsigned)(B_MUTABLE | B_CONST | B_SELF | B_PARAM);
    b->call = -1;
}

static void walk_target(W *w, const AstNode *t) {
    switch (t->kind) {
    case AST_Name:
        bind_store(w, t->v.Name.id, loc_of(t));
        break;
    case AST_Tuple: case AST_List:
        for (int i = 0; i < ast_list_len(t->v.Tuple.elts); i++) walk_target(w, t->v.Tuple.elts->items[i]);
        break;
    case AST_Starred:
        walk_target(w, t->v.Starred.value);
        break;
    case AST_Attribute: {
        walk(w, t->v.Attribute.value);
        Str nm = base_name(t);
        char what[300];
        BJOIN(what, L("assigns "), nm, L("."), t->v.Attribute.attr);
        note_mutation(w, nm, loc_of(t), MUT_ATTR, what);
        break;
    }
    case AST_Subscript: {
        walk(w, t->v.Subscript.value);
        walk(w, t->v.Subscript.slice);
        Str nm = base_name(t);
        char what[300];
        BJOIN(what, L("assigns "), nm, L("[...]"));
        note_mutation(w, nm, loc_of(t), MUT_ITEM, what);
        break;
    }
    default:
        walk(w, t);
    }
}

/* After `name = value`: remembers a stored call result, a fresh mutable object, an int constant. */
static void note_value(W *w, const AstNode *target, const AstNode *value, int call_idx) {
    if (target->kind != AST_Name || !value) return;
    Bind *b = bind_find(w, owner_scope(w, w->cur), target->v.Name.id);
    if (!b || !(b->flags & B_LOCAL) || (b->flags & (B_GLOBAL | B_NONLOCAL))) return;
    if (value->kind == AST_Call) b->call = call_idx;
    if (is_mutable_display(value) || is_mutable_ctor(w, value)) b->flags |= B_MUTABLE;
    long v;
    if (b->scope == 0 && !(b->flags & B_MULTI) && value->kind == AST_Constant && const_int(w, value, &v)) {
        b->flags |= B_CONST;
        b->value = v;
    }
}

static void walk_comprehension(W *w, const AstNode *n, const AstList *gens, const AstNode *elt, const AstNode *val) {
    int f = cur_func(w);
    if (f >= 0) w->funcs.items[f].expense.comprehensions++;
    int saved = w->cur;
    /* the first iterable is evaluated outside */
    if (ast_list_len(gens) > 0) walk(w, gens->items[0]->v.comprehension.iter);
    push_scope(w, SC_COMP, f, w->scopes.items[saved].prefix);
    int depth0 = f >= 0 ? w->ftmp.items[f].loop_depth : 0;
    for (int i = 0; i < ast_list_len(gens); i++) {
        const AstNode *g = gens->items[i];
        if (i > 0) walk(w, g->v.comprehension.iter);
        walk_target(w, g->v.comprehension.target);
        walk_list(w, g->v.comprehension.ifs);
        if (f >= 0) {
            FuncTmp *t = &w->ftmp.items[f];
            t->loop_depth++;
            if (t->loop_depth > w->funcs.items[f].expense.loop_depth) w->funcs.items[f].expense.loop_depth = t->loop_depth;
        }
    }
    if (elt) walk(w, elt);
    if (val) walk(w, val);
    if (f >= 0) w->ftmp.items[f].loop_depth = depth0;
    w->cur = saved;
    (void)n;
}

static void bind_param(W *w, const AstNode *arg, int self, const char *cls) {
    Bind *b = bind_get(w, w->cur, arg->v.arg.arg);
    b->flags |= B_PARAM | B_LOCAL;
    if (self) { b->flags |= B_SELF; b->target = cls; }
}

static void walk_args_defaults(W *w, const AstNode *args, int f) {
    if (!args) return;
    const AstList *d = args->v.arguments.defaults, *kd = args->v.arguments.kw_defaults;
    for (int pass = 0; pass < 2; pass++) {
        const AstList *l = pass ? kd : d;
        for (int i = 0; i < ast_list_len(l); i++) {
            const AstNode *e = l->items[i];
            if (!e) continue;
            walk(w, e);
            if (f >= 0 && (is_mutable_display(e) || is_mutable_ctor(w, e)))
                hazard(w, f, AN_C_MUTABLE_DEFAULT, loc_of(e), "a default evaluated once and shared by every call");
        }
    }
}

/* Whether an annotation names a mutable container (dict, list, set, typing's Dict/List/Set/
 * MutableMapping..., subscripted or not, "X | None" too): an argument of that type makes
 * lru_cache raise TypeError. */
static int mutable_annotation(W *w, const AstNode *e, int depth) {
    if (!e || depth > 8) return 0;
    if (e->kind == AST_Subscript) return mutable_annotation(w, e->v.Subscript.value, depth + 1);
    if (e->kind == AST_BinOp) return mutable_annotation(w, e->v.BinOp.left, depth + 1) || mutable_annotation(w, e->v.BinOp.right, depth + 1);
    if (e->kind != AST_Name && e->kind != AST_Attribute) return 0;
    char buf[256];
    const char *q = lib_name(w, e, buf, sizeof buf);
    static const char *const MUT[] = {"dict", "list", "set", "bytearray", "typing.Dict", "typing.List", "typing.Set",
                                      "typing.MutableMapping", "typing.MutableSequence", "typing.MutableSet",
                                      "typing.DefaultDict", "typing.OrderedDict", "collections.defaultdict",
                                      "collections.OrderedDict", "collections.abc.MutableMapping",
                                      "collections.abc.MutableSequence", "collections.abc.MutableSet"};
    for (size_t i = 0; i < sizeof MUT / sizeof MUT[0]; i++)
        if (strcmp(q, MUT[i]) == 0) return 1;
    return 0;
}

/* The unhashable-looking hint: a parameter annotated as a mutable container, or **kwargs (a
 * cache key of keyword arguments is only as hashable as their values, which a pass-through
 * cannot promise). Not a hazard: a trace measures whether calls really are unhashable. */
static void unhashable_annotations(W *w, const AstNode *args, int f) {
    if (!args || f < 0) return;
    const AstList *pl[3] = {args->v.arguments.posonlyargs, args->v.arguments.args, args->v.arguments.kwonlyargs};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < ast_list_len(pl[k]); i++) {
            const AstNode *a = pl[k]->items[i];
            if (mutable_annotation(w, a->v.arg.annotation, 0)) {
                w->funcs.items[f].unhashable_hint =
                    AJOIN(w->a, L("parameter '"), a->v.arg.arg, L("' is annotated as a mutable container"));
                return;
            }
        }
    const AstNode *kw = args->v.arguments.kwarg;
    if (kw)
        w->funcs.items[f].unhashable_hint =
            AJOIN(w->a, L("'**"), kw->v.arg.arg, L("' takes any keyword arguments: their values may be unhashable"));
}

static void bind_params(W *w, const AstNode *args, int self, const char *cls) {
    if (!args) return;
    int first = 1;
    const AstList *pl[3] = {args->v.arguments.posonlyargs, args->v.arguments.args, args->v.arguments.kwonlyargs};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < ast_list_len(pl[k]); i++) {
            bind_param(w, pl[k]->items[i], self && first && k < 2, cls);
            if (k < 2) first = 0;
        }
    if (args->v.arguments.vararg) bind_param(w, args->v.arguments.vararg, 0, NULL);
    if (args->v.arguments.kwarg) bind_param(w, args->v.arguments.kwarg, 0, NULL);
}

static int count_params(const AstNode *args) {
    if (!args) return 0;
    return ast_list_len(args->v.arguments.posonlyargs) + ast_list_len(args->v.arguments.args) +
           ast_list_len(args->v.arguments.kwonlyargs) + (args->v.arguments.vararg != NULL) + (args->v.arguments.kwarg != NULL);
}

enum { D_PROPERTY = 1, D_STATIC = 2, D_CLASS = 4, D_CACHED_PROPERTY = 8, D_CACHE = 16, D_OVERLOAD = 32 };

/* What a decorator is: D_* bits; fills *c for a cache decorator. */
static int classify_decorator(W *w, const AstNode *d, AnCache *c) {
    const AstNode *e = d->kind == AST_Call ? d->v.Call.func : d;
    char buf[256];
    const char *q = lib_name(w, e, buf, sizeof buf);
    if (strcmp(q, "functools.lru_cache") == 0) {
        c->kind = AN_LRU_CACHE;
        c->maxsize = 128;
        if (d->kind == AST_Call) lru_args(w, d, c);
        return D_CACHE;
    }
    if (strcmp(q, "functools.cache") == 0) { c->kind = AN_CACHE; c->maxsize = AN_UNBOUNDED; return D_CACHE; }
    if (strcmp(q, "functools.cached_property") == 0) { c->kind = AN_CACHED_PROPERTY; c->maxsize = AN_UNBOUNDED; return D_CACHED_PROPERTY; }
    if (strcmp(q, "property") == 0 || strcmp(q, "abc.abstractproperty") == 0) return D_PROPERTY;
    if (strcmp(q, "staticmethod") == 0 || strcmp(q, "abc.abstractstaticmethod") == 0) return D_STATIC;
    if (strcmp(q, "classmethod") == 0 || strcmp(q, "abc.abstractclassmethod") == 0) return D_CLASS;
    if (strcmp(q, "typing.overload") == 0 || strcmp(q, "typing_extensions.overload") == 0) return D_OVERLOAD;
    if (e->kind == AST_Attribute && (str_eq(e->v.Attribute.attr, "setter") || str_eq(e->v.Attribute.attr, "getter") ||
                                     str_eq(e->v.Attribute.attr, "deleter")))
        return D_PROPERTY;
    return 0;
}

static void finish_func(W *w, int f, const AstNode *n, const int *dk, int ndk);

/* A decorator that is not a library one: kept for an_repo_link, which finds whether it is a cache
 * decorator of the repository (`@memo`, `@make_cache(64)`, `@cacheit` with cacheit = f(...)). */
static void note_deco_use(W *w, int scope, int f, int index, const AstNode *d) {
    const AstNode *e = d->kind == AST_Call ? d->v.Call.func : d;
    Str head;
    char rest[256];
    if (!dotted(e, &head, rest, sizeof rest)) return;
    Bind *b = lookup(w, scope, head);
    if (!b) return;
    AnDecoUse u = {.func = f, .index = index, .called = d->kind == AST_Call, .call = -1, .loc = loc_of(d)};
    if ((b->flags & (B_IMPORT | B_DEF)) && b->target) u.target = AJOIN(w->a, Z(b->target), Z(rest));
    else if (b->scope == 0 && !(b->flags & (B_PARAM | B_CLASS | B_MULTI)) && b->call >= 0 && !rest[0]) {
        u.call = b->call;
        u.called++;
    } else {
        return;
    }
    vec_push(&w->deco_uses, u);
}

static void walk_funcdef(W *w, const AstNode *n) {
    int is_async = n->kind == AST_AsyncFunctionDef;
    /* FunctionDef and AsyncFunctionDef have the same layout */
    Str name = is_async ? n->v.AsyncFunctionDef.name : n->v.FunctionDef.name;
    const AstNode *args = is_async ? n->v.AsyncFunctionDef.args : n->v.FunctionDef.args;
    const AstList *body = is_async ? n->v.AsyncFunctionDef.body : n->v.FunctionDef.body;
    const AstList *decos = is_async ? n->v.AsyncFunctionDef.decorator_list : n->v.FunctionDef.decorator_list;
    int outer = w->cur;
    walk_list(w, decos);
    const Scope *ps = &w->scopes.items[outer];

    int f = (int)w->funcs.len;
    AnFunc fn;
    memset(&fn, 0, sizeof fn);
    fn.name = arena_strndup(w->a, name.s, name.len);
    fn.qualname = AJOIN(w->a, Z(ps->prefix), name);
    fn.line = n->lineno;
    fn.first_line = ast_list_len(decos) ? decos->items[0]->lineno : n->lineno;
    fn.end_line = n->end_lineno;
    fn.col = n->col_offset;
    fn.is_async = is_async;
    fn.is_nested = ps->kind != SC_MODULE && ps->kind != SC_CLASS;
    fn.is_method = ps->kind == SC_CLASS;
    fn.nparams = count_params(args);
    vec_push(&w->funcs, fn);
    FuncTmp ft;
    memset(&ft, 0, sizeof ft);
    ft.node = n;
    vec_push(&w->ftmp, ft);

    int dk[64], ndk = 0;
    for (int i = 0; i < ast_list_len(decos); i++) {
        AnCache c = {0};
        int k = classify_decorator(w, decos->items[i], &c);
        if (ndk < 64) dk[ndk++] = k;
        AnFunc *fp = &w->funcs.items[f];
        if ((k & (D_CACHE | D_CACHED_PROPERTY)) && fp->cache.kind == AN_NO_CACHE) {
            c.loc = loc_of(decos->items[i]);
            c.index = i;
            c.via = "decorator";
            fp->cache = c;
        }
        if (!k) note_deco_use(w, outer, f, i, decos->items[i]);
        if (k & (D_PROPERTY | D_CACHED_PROPERTY)) fp->is_property = 1;
        if (k & D_STATIC) fp->is_staticmethod = 1;
        if (k & D_CLASS) fp->is_classmethod = 1;
        if (k & D_OVERLOAD) fp->is_overload = 1;
    }
    walk_args_defaults(w, args, f);
    unhashable_annotations(w, args, f);
    ps = &w->scopes.items[outer];

    /* the name is bound in the enclosing scope */
    const char *qualified = AJOIN(w->a, Z(w->module), L("."), Z(w->funcs.items[f].qualname));
    Bind *b = bind_get(w, owner_scope(w, outer), name);
    b->flags = (b->flags & (B_GLOBAL | B_NONLOCAL)) | B_LOCAL | B_DEF;
    b->target = qualified;
    b->func = f;
    b->call = -1;

    /* the class of a method, for self.method() */
    const char *cls = NULL;
    int self = 0;
    if (ps->kind == SC_CLASS && !w->funcs.items[f].is_staticmethod) {
        size_t pl = strlen(ps->prefix);
        cls = AJOIN(w->a, Z(w->module), L("."), ((Str){ps->prefix, pl ? pl - 1 : 0}));
        self = 1;
    }
    const char *prefix = AJOIN(&w->tmp, Z(w->funcs.items[f].qualname), L(".<locals>."));
    push_scope(w, SC_FUNC, f, prefix);
    w->ftmp.items[f].scope = w->cur;
    bind_params(w, args, self, cls);
    walk_list(w, body);
    w->cur = outer;
    finish_func(w, f, n, dk, ndk);
}

/* What a function's own walk settles: generator/coroutine, return value, hazards that depend on
 * its decorators. Purity and C204/C206 come at the end of the module and in linking. */
static void finish_func(W *w, int f, const AstNode *n, const int *dk, int ndk) {
    AnFunc *fn = &w->funcs.items[f];
    FuncTmp *t = &w->ftmp.items[f];
    AnLoc def = loc_of(n);
    if (t->has_yield) {
        fn->is_generator = 1;
        reason(w, f, AN_P_GENERATOR, t->yield_loc, NULL);
    }
    if (fn->is_async) reason(w, f, AN_P_COROUTINE, t->has_await ? t->await_loc : def, NULL);
    if (!t->has_value_return && !t->has_yield && !fn->is_async)
        reason(w, f, AN_P_RAISES_ONLY, def, NULL);
    if (fn->returns_mutable) hazard(w, f, AN_C_MUTABLE_RETURN, t->mutret_loc, NULL);
    const AnCache *c = &fn->cache;
    /* @property over @lru_cache still keys the cache on self */
    int instance = fn->is_method && !fn->is_staticmethod && !fn->is_classmethod;
    if (c->kind == AN_LRU_CACHE || c->kind == AN_CACHE) {
        if (instance && c->maxsize == AN_UNBOUNDED) hazard(w, f, AN_C_UNBOUNDED_METHOD, c->loc, NULL);
        else if (instance) hazard(w, f, AN_C_METHOD_CACHE, c->loc, NULL);
    }
    if (c->kind != AN_NO_CACHE && (fn->is_generator || fn->is_async))
        hazard(w, f, AN_C_GENERATOR, c->loc, fn->is_async ? "caches the coroutine object, which can be awaited once" : "caches the generator object, which is exhausted after one use");
    /* decorator order, as CPython 3.11 behaves: a cache above @property/@classmethod/
     * @cached_property raises TypeError when the class is made; above @staticmethod it works
     * through the class but binds the instance as first argument through an instance. */
    if (c->kind != AN_NO_CACHE && c->index >= 0) {
        for (int i = c->index + 1; i < ndk; i++) {
            const char *what = NULL;
            if (dk[i] & D_PROPERTY) what = "above @property: TypeError when the class is created (the property object is not callable)";
            else if (dk[i] & D_CLASS) what = "above @classmethod: TypeError when the class is created (classmethod objects are not callable)";
            else if (dk[i] & D_CACHED_PROPERTY) what = "above @cached_property: TypeError when the class is created";
            else if ((dk[i] & D_STATIC) && c->kind == AN_CACHED_PROPERTY) what = "@cached_property above @staticmethod: the instance is passed as an argument";
            else if (dk[i] & D_STATIC) what = "above @staticmethod: calls through an instance pass the instance as first argument";
            if (what) { hazard(w, f, AN_C_DECORATOR_ORDER, c->loc, what); break; }
        }
    }
}

static void walk_classdef(W *w, const AstNode *n) {
    walk_list(w, n->v.ClassDef.decorator_list);
    walk_list(w, n->v.ClassDef.bases);
    walk_list(w, n->v.ClassDef.keywords);
    Scope *ps = &w->scopes.items[w->cur];
    Str name = n->v.ClassDef.name;
    const char *qual = AJOIN(w->a, Z(ps->prefix), name);
    vec_push(&w->classes, qual);
    /* the class body's code object starts at the first decorator, as a function's does */
    int first_line = ast_list_len(n->v.ClassDef.decorator_list) ? n->v.ClassDef.decorator_list->items[0]->lineno : n->lineno;
    vec_push(&w->class_lines, first_line);
    Bind *b = bind_get(w, owner_scope(w, w->cur), name);
    b->flags = (b->flags & (B_GLOBAL | B_NONLOCAL)) | B_LOCAL | B_CLASS;
    b->target = AJOIN(w->a, Z(w->module), L("."), Z(qual));
    b->call = -1;
    int outer = w->cur;
    push_scope(w, SC_CLASS, -1, AJOIN(&w->tmp, Z(qual), L(".")));
    walk_list(w, n->v.ClassDef.body);
    w->cur = outer;
}

/* `from ..x import y` -> the absolute module name. */
static const char *import_base(W *w, Str mod, int level) {
    if (level == 0) return AJOIN(&w->tmp, mod);
    const char *p = w->package;
    size_t len = strlen(p);
    for (int i = 1; i < level; i++) {
        while (len > 0 && p[len - 1] != '.') len--;
        if (len > 0) len--;
    }
    if (mod.len == 0) return AJOIN(&w->tmp, ((Str){p, len}));
    if (len == 0) return AJOIN(&w->tmp, mod);
    return AJOIN(&w->tmp, ((Str){p, len}), L("."), mod);
}

static void bind_import(W *w, Str name, const char *target) {
    Bind *b = bind_get(w, owner_scope(w, w->cur), name);
    b->flags = (b->flags & (B_GLOBAL | B_NONLOCAL)) | B_LOCAL | B_IMPORT;
    b->target = arena_strndup(w->a, target, strlen(target));
    b->call = -1;
    if (w->cur == 0) vec_push(&w->aliases, ((AnAlias){arena_strndup(w->a, name.s, name.len), b->target}));
}

static void walk_import(W *w, const AstNode *n) {
    const AstList *names = n->v.Import.names;
    for (int i = 0; i < ast_list_len(names); i++) {
        const AstNode *a = names->items[i];
        Str nm = a->v.alias.name, as = a->v.alias.asname;
        char t[TXT_CAP];
        if (as.s && as.len) {
            bind_import(w, as, BJOIN(t, nm));
        } else {
            size_t k = 0;
            while (k < nm.len && nm.s[k] != '.') k++;
            bind_import(w, (Str){nm.s, k}, BJOIN(t, ((Str){nm.s, k})));
        }
    }
}

static void walk_import_from(W *w, const AstNode *n) {
    const char *base = import_base(w, n->v.ImportFrom.module, n->v.ImportFrom.level);
    const AstList *names = n->v.ImportFrom.names;
    for (int i = 0; i < ast_list_len(names); i++) {
        const AstNode *a = names->items[i];
        Str nm = a->v.alias.name, as = a->v.alias.asname;
        if (str_eq(nm, "*")) {
            if (strcmp(base, "functools") == 0) w->star_functools = 1;
            continue;
        }
        char t[TXT_CAP];
        if (*base) BJOIN(t, Z(base), L("."), nm);
        else BJOIN(t, nm);
        bind_import(w, (as.s && as.len) ? as : nm, t);
    }
}

/* The function a call makes a functools cache of - lru_cache(32)(g), lru_cache(g),
 * functools.cache(g) - with the cache in *c; NULL if the call is not one of these. */
static const AstNode *cache_call_arg(W *w, const AstNode *value, AnCache *c) {
    if (value->kind != AST_Call || ast_list_len(value->v.Call.args) != 1 || ast_list_len(value->v.Call.keywords)) return NULL;
    const AstNode *fn = value->v.Call.func;
    char buf[256];
    memset(c, 0, sizeof *c);
    if (fn->kind == AST_Call) {
        const char *q = lib_name(w, fn->v.Call.func, buf, sizeof buf);
        if (strcmp(q, "functools.lru_cache") != 0) return NULL;
        c->kind = AN_LRU_CACHE;
        lru_args(w, fn, c);
    } else {
        const char *q = lib_name(w, fn, buf, sizeof buf);
        if (strcmp(q, "functools.lru_cache") == 0) { c->kind = AN_LRU_CACHE; c->maxsize = 128; }
        else if (strcmp(q, "functools.cache") == 0) { c->kind = AN_CACHE; c->maxsize = AN_UNBOUNDED; }
        else return NULL;
    }
    return value->v.Call.args->items[0];
}

static int same_str(Str a, Str b) { return a.len == b.len && a.len && memcmp(a.s, b.s, a.len) == 0; }

/* The name of function f's first parameter (the one a decorator gets the function in). */
static Str first_param(W *w, int f) {
    const AstNode *n = w->ftmp.items[f].node;
    const AstNode *args = n->kind == AST_AsyncFunctionDef ? n->v.AsyncFunctionDef.args : n->v.FunctionDef.args;
    if (!args) return (Str){0};
    if (ast_list_len(args->v.arguments.posonlyargs)) return args->v.arguments.posonlyargs->items[0]->v.arg.arg;
    if (ast_list_len(args->v.arguments.args)) return args->v.arguments.args->items[0]->v.arg.arg;
    return (Str){0};
}

/* lru_cache(n)(f) of a function imported from another module: linking finds it. */
static void note_imported_cache(W *w, const Bind *b, const AnCache *c) {
    if (!(b->flags & B_IMPORT) || !b->target) return;
    AnDecoUse u = {.func = -1, .cache = *c, .target = b->target, .call = -1, .loc = c->loc};
    char at[TXT_CAP];
    snprintf(at, sizeof at, "%s:%d", w->out->path, c->loc.line);
    u.cache.made_at = arena_strndup(w->a, at, strlen(at));
    vec_push(&w->deco_uses, u);
}

/* A cache made by a call inside a function or class body (module level: cache_assignment):
 * - lru_cache(..)(func) of the function's first parameter: the function is a cache decorator;
 * - x = lru_cache(..)(f) of a function defined here: f is cached (a cache per call of the
 *   function around it);
 * - lru_cache(..)(self.NAME): the method NAME is cached, one cache per instance. */
static void note_cache_call(W *w, const AstNode *n) {
    AnCache c;
    const AstNode *x = cache_call_arg(w, n, &c);
    if (!x) {
        /* deco(f) / deco(args)(f) of a function defined here (`is_diag = cacheit(is_diag)` in a
         * class body): a use of deco, which linking may find is a cache decorator */
        if (n->kind == AST_Call && ast_list_len(n->v.Call.args) == 1 && !ast_list_len(n->v.Call.keywords) &&
            n->v.Call.args->items[0]->kind == AST_Name) {
            Bind *g = lookup(w, w->cur, n->v.Call.args->items[0]->v.Name.id);
            if (g && (g->flags & B_DEF) && g->func >= 0) note_deco_use(w, w->cur, g->func, -1, n->v.Call.func);
        }
        return;
    }
    if (w->cur == 0) return;
    c.loc = loc_of(n);
    c.index = -1;
    int f = cur_func(w);
    if (x->kind == AST_Name) {
        Bind *b = lookup(w, w->cur, x->v.Name.id);
        if (!b) return;
        if ((b->flags & B_PARAM) && !(b->flags & B_SELF) && f >= 0 && b->scope == w->ftmp.items[f].scope &&
            same_str(first_param(w, f), x->v.Name.id)) {
            AnFunc *fn = &w->funcs.items[f];
            if (!fn->makes_cache_level) {
                c.via = "factory";
                fn->makes_cache = c;
                fn->makes_cache_level = 1;
            }
        } else if ((b->flags & B_DEF) && b->func >= 0 && w->funcs.items[b->func].cache.kind == AN_NO_CACHE) {
            c.via = "local assignment";
            w->funcs.items[b->func].cache = c;
        } else {
            c.via = "local assignment";
            note_imported_cache(w, b, &c);
        }
    } else if (x->kind == AST_Attribute && x->v.Attribute.value->kind == AST_Name) {
        Bind *b = lookup(w, w->cur, x->v.Attribute.value->v.Name.id);
        if (b && (b->flags & B_SELF) && b->target) {
            c.via = "instance assignment";
            vec_push(&w->pending, ((PendingCache){AJOIN(w->a, Z(b->target), L("."), x->v.Attribute.attr), c}));
        }
    }
}

/* f = lru_cache(32)(g) / f = functools.cache(g) / f = lru_cache(g) */
static void cache_assignment(W *w, const AstNode *stmt, const AstNode *target, const AstNode *value) {
    if (target->kind != AST_Name) return;
    AnCache c;
    const AstNode *wrapped = cache_call_arg(w, value, &c);
    if (!wrapped || wrapped->kind != AST_Name) return;
    c.via = "assignment";
    Bind *g = lookup(w, w->cur, wrapped->v.Name.id);
    if (g && (g->flags & B_IMPORT)) {
        c.loc = loc_of(stmt);
        c.index = -1;
        note_imported_cache(w, g, &c);
        return;
    }
    if (!g || !(g->flags & B_DEF) || g->func < 0) return;
    int f = g->func;
    const char *qualified = g->target;
    if (w->funcs.items[f].cache.kind == AN_NO_CACHE) {
        c.loc = loc_of(stmt);
        c.index = -1;
        w->funcs.items[f].cache = c;
    }
    /* calls to the new name reach the cached function */
    Bind *b = bind_find(w, owner_scope(w, w->cur), target->v.Name.id);
    if (b) {
        b->flags = (b->flags & ~(unsigned)(B_MUTABLE | B_CONST)) | B_DEF;
        b->target = qualified;
        b->func = f;
        b->call = -1;
    }
    if (w->cur == 0 && !str_eq(target->v.Name.id, w->funcs.items[f].name))
        vec_push(&w->aliases, ((AnAlias){arena_strndup(w->a, target->v.Name.id.s, target->v.Name.id.len), qualified}));
}

static void walk_call(W *w, const AstNode *n) {
    note_cache_call(w, n);
    int idx = (int)w->calls.len;
    AnCall c;
    memset(&c, 0, sizeof c);
    c.loc = loc_of(n);
    c.func = cur_func(w);
    c.resolved = -1;
    c.target = "";
    vec_push(&w->calls, c);
    CallTmp ct;
    memset(&ct, 0, sizeof ct);
    const AstList *args = n->v.Call.args;
    if (ast_list_len(args) > 0 && args->items[0]->kind == AST_Name) ct.arg0 = args->items[0]->v.Name.id;
    vec_push(&w->ctmp, ct);

    const AstNode *fe = n->v.Call.func;
    Str head;
    char rest[512];
    if (dotted(fe, &head, rest, sizeof rest)) {
        uint64_t hh = name_hash(head);
        Bind *b = lookup_h(w, w->cur, head, hh);
        /* self.x.append(...) and friends: mutations of what the chain names */
        if (fe->kind == AST_Attribute) {
            Str m = fe->v.Attribute.attr;
            const AnKnown *k = an_known_method(m.s, m.len);
            if (k && (k->flags & AN_F_MUTATES) && !(b && (b->flags & B_IMPORT))) {
                const char *dot = strrchr(rest, '.');
                char what[600];
                BJOIN(what, head, Z(rest), L("(...)"));
                /* self.append() is a method of the instance, not a list */
                if (dot != rest || !(b && (b->flags & B_SELF))) note_mutation(w, head, c.loc, MUT_METHOD, what);
            }
        }
        if (b && (b->flags & B_SELF) && fe->kind == AST_Attribute && strchr(rest + 1, '.')) {
            /* self.x.m(): reads self.x */
            const char *d2 = strchr(rest + 1, '.');
            char d[TXT_CAP];
            reason(w, cur_func(w), AN_P_READS_SELF, c.loc, BJOIN(d, L("reads "), head, ((Str){rest, (size_t)(d2 - rest)})));
        }
        push_ev(w, EV_CALL, MUT_ARG, head, hh, ev_text(w, rest), c.loc, idx);
    } else {
        walk(w, fe);
        /* a method on an expression ("".join(x), f(x).split()) */
        if (fe->kind == AST_Attribute) {
            Str m = fe->v.Attribute.attr;
            const AnKnown *k = an_known_method(m.s, m.len);
            const char *target = AJOIN(w->a, L("."), m);
            w->calls.items[idx].target = target;
            if (k && (k->flags & AN_F_MUTATES)) {
                Str nm = base_name(fe->v.Attribute.value);
                char what[TXT_CAP];
                if (nm.s) note_mutation(w, nm, c.loc, MUT_METHOD, BJOIN(what, nm, L("..."), m, L("(...)")));
            }
            /* the event's ".m" is the target's (same text; the output arena outlives the tmp one) */
            push_ev(w, EV_CALL, MUT_ARG, (Str){NULL, 0}, 0, target, c.loc, idx);
        } else {
            w->calls.items[idx].origin = AN_CALL_UNKNOWN;
            w->calls.items[idx].target = "<expression>";
            reason(w, cur_func(w), AN_P_CALLS_UNKNOWN, c.loc, "calls the result of an expression");
        }
    }
    walk_list(w, args);
    for (int i = 0; i < ast_list_len(n->v.Call.keywords); i++) walk(w, n->v.Call.keywords->items[i]->v.keyword.value);
}

static void note_return(W *w, const AstNode *n) {
    int f = cur_func(w);
    if (f < 0 || w->scopes.items[w->cur].kind != SC_FUNC) return;
    const AstNode *v = n->v.Return.value;
    FuncTmp *t = &w->ftmp.items[f];
    if (v && !is_none(v)) t->has_value_return = 1;
    if (!v) return;
    AnFunc *fn = &w->funcs.items[f];
    if (is_mutable_display(v)) {
        if (!fn->returns_mutable) { fn->returns_mutable = 1; t->mutret_loc = loc_of(n); }
    } else if (v->kind == AST_Name) {
        Bind *b = bind_find(w, w->cur, v->v.Name.id);
        if (b && (b->flags & B_LOCAL) && !(b->flags & (B_GLOBAL | B_NONLOCAL))) {
            if (b->flags & B_MUTABLE) {
                if (!fn->returns_mutable) { fn->returns_mutable = 1; t->mutret_loc = loc_of(n); }
            } else if (b->call >= 0 && !w->ctmp.items[b->call].returned) {
                w->ctmp.items[b->call].returned = 1;
                w->ctmp.items[b->call].ret_loc = loc_of(n);
            }
        }
    }
}

static void loop_enter(W *w) {
    int f = cur_func(w);
    if (f < 0) return;
    AnFunc *fn = &w->funcs.items[f];
    FuncTmp *t = &w->ftmp.items[f];
    fn->expense.loops++;
    if (++t->loop_depth > fn->expense.loop_depth) fn->expense.loop_depth = t->loop_depth;
}
static void loop_leave(W *w) {
    int f = cur_func(w);
    if (f >= 0) w->ftmp.items[f].loop_depth--;
}

static int is_stmt(AstKind k) { return k >= AST_FunctionDef && k <= AST_Continue; }

static void walk(W *w, const AstNode *n) {
    if (!n || w->depth > MAX_DEPTH) return;
    w->depth++;
    int f = cur_func(w);
    if (f >= 0 && is_stmt(n->kind) && w->scopes.items[w->cur].kind == SC_FUNC) w->funcs.items[f].expense.statements++;
    switch (n->kind) {
    case AST_FunctionDef: case AST_AsyncFunctionDef:
        walk_funcdef(w, n);
        break;
    case AST_ClassDef:
        walk_classdef(w, n);
        break;
    case AST_Return:
        if (n->v.Return.value && n->v.Return.value->kind == AST_Call && f >= 0 && w->scopes.items[w->cur].kind == SC_FUNC) {
            int idx = (int)w->calls.len;
            walk(w, n->v.Return.value);
            if (idx < (int)w->ctmp.len) { w->ctmp.items[idx].returned = 1; w->ctmp.items[idx].ret_loc = loc_of(n); }
        } else {
            walk(w, n->v.Return.value);
            const AstNode *rv = n->v.Return.value;
            /* returns a nested cache decorator: a factory of cache decorators */
            if (rv && rv->kind == AST_Name && f >= 0 && !w->funcs.items[f].makes_cache_level) {
                Bind *b = lookup(w, w->cur, rv->v.Name.id);
                if (b && (b->flags & B_DEF) && b->func > f && w->funcs.items[b->func].makes_cache_level == 1) {
                    w->funcs.items[f].makes_cache = w->funcs.items[b->func].makes_cache;
                    w->funcs.items[f].makes_cache_level = 2;
                }
            }
        }
        note_return(w, n);
        break;
    case AST_Assign: {
        const AstNode *v = n->v.Assign.value;
        int idx = (int)w->calls.len;
        walk(w, v);
        const AstList *ts = n->v.Assign.targets;
        for (int i = 0; i < ast_list_len(ts); i++) {
            walk_target(w, ts->items[i]);
            note_value(w, ts->items[i], v, idx);
        }
        if (ast_list_len(ts) == 1 && w->cur == 0) cache_assignment(w, n, ts->items[0], v);
        /* NAME = f(...) at module level: NAME may be a cache decorator f makes (linking decides) */
        if (ast_list_len(ts) == 1 && w->cur == 0 && ts->items[0]->kind == AST_Name && v->kind == AST_Call &&
            idx < (int)w->calls.len) {
            Str nm = ts->items[0]->v.Name.id;
            vec_push(&w->call_aliases, ((CallAlias){arena_strndup(w->a, nm.s, nm.len), idx}));
        }
        break;
    }
    case AST_AnnAssign:
        if (n->v.AnnAssign.value) {
            int idx = (int)w->calls.len;
            walk(w, n->v.AnnAssign.value);
            walk_target(w, n->v.AnnAssign.target);
            note_value(w, n->v.AnnAssign.target, n->v.AnnAssign.value, idx);
        } else if (n->v.AnnAssign.target->kind != AST_Name) {
            walk(w, n->v.AnnAssign.target);
        }
        break;
    case AST_AugAssign: {
        walk(w, n->v.AugAssign.value);
        const AstNode *t = n->v.AugAssign.target;
        if (t->kind == AST_Name) {
            walk(w, t); /* reads it too */
            Bind *b = bind_find(w, owner_scope(w, w->cur), t->v.Name.id);
            if (b && (b->flags & (B_GLOBAL | B_NONLOCAL))) bind_store(w, t->v.Name.id, loc_of(t));
            else if (b) b->flags &= ~(unsigned)B_CONST;
            else {
                /* x += 1 without a binding here: x is local (UnboundLocalError) unless declared */
                bind_store(w, t->v.Name.id, loc_of(t));
            }
        } else {
            walk_target(w, t);
        }
        break;
    }
    case AST_Delete:
        for (int i = 0; i < ast_list_len(n->v.Delete.targets); i++) walk_target(w, n->v.Delete.targets->items[i]);
        break;
    case AST_For: case AST_AsyncFor:
        walk(w, n->v.For.iter);
        walk_target(w, n->v.For.target);
        loop_enter(w);
        walk_list(w, n->v.For.body);
        loop_leave(w);
        walk_list(w, n->v.For.orelse);
        break;
    case AST_While:
        walk(w, n->v.While.test);
        loop_enter(w);
        walk_list(w, n->v.While.body);
        loop_leave(w);
        walk_list(w, n->v.While.orelse);
        break;
    case AST_With: case AST_AsyncWith:
        for (int i = 0; i < ast_list_len(n->v.With.items); i++) {
            const AstNode *it = n->v.With.items->items[i];
            walk(w, it->v.withitem.context_expr);
            if (it->v.withitem.optional_vars) walk_target(w, it->v.withitem.optional_vars);
        }
        walk_list(w, n->v.With.body);
        break;
    case AST_ExceptHandler:
        walk(w, n->v.ExceptHandler.type);
        if (n->v.ExceptHandler.name.s && n->v.ExceptHandler.name.len) bind_store(w, n->v.ExceptHandler.name, loc_of(n));
        walk_list(w, n->v.ExceptHandler.body);
        break;
    case AST_Import:
        walk_import(w, n);
        break;
    case AST_ImportFrom:
        walk_import_from(w, n);
        break;
    case AST_Global: case AST_Nonlocal: {
        const AstList *names = n->v.Global.names;
        for (int i = 0; i < ast_list_len(names); i++) {
            const AstNode *id = names->items[i];
            Str nm = id->v._Identifier.value;
            Bind *b = bind_get(w, owner_scope(w, w->cur), nm);
            b->flags |= n->kind == AST_Global ? B_GLOBAL : B_NONLOCAL;
        }
        break;
    }
    case AST_NamedExpr:
        walk(w, n->v.NamedExpr.value);
        walk_target(w, n->v.NamedExpr.target);
        break;
    case AST_Lambda: {
        walk_args_defaults(w, n->v.Lambda.args, -1);
        int outer = w->cur;
        push_scope(w, SC_LAMBDA, f, w->scopes.items[outer].prefix);
        bind_params(w, n->v.Lambda.args, 0, NULL);
        walk(w, n->v.Lambda.body);
        w->cur = outer;
        break;
    }
    case AST_ListComp: case AST_SetComp: case AST_GeneratorExp:
        walk_comprehension(w, n, n->v.ListComp.generators, n->v.ListComp.elt, NULL);
        break;
    case AST_DictComp:
        walk_comprehension(w, n, n->v.DictComp.generators, n->v.DictComp.key, n->v.DictComp.value);
        break;
    case AST_Yield: case AST_YieldFrom:
        if (f >= 0 && w->scopes.items[w->cur].kind != SC_LAMBDA && !w->ftmp.items[f].has_yield) {
            w->ftmp.items[f].has_yield = 1;
            w->ftmp.items[f].yield_loc = loc_of(n);
        }
        walk(w, n->v.Yield.value);
        break;
    case AST_Await:
        if (f >= 0 && !w->ftmp.items[f].has_await) {
            w->ftmp.items[f].has_await = 1;
            w->ftmp.items[f].await_loc = loc_of(n);
        }
        walk(w, n->v.Await.value);
        break;
    case AST_Call:
        walk_call(w, n);
        break;
    case AST_Attribute: case AST_Name: {
        if (f < 0) { if (n->kind == AST_Attribute) walk(w, n->v.Attribute.value); break; }
        Str head;
        char rest[512];
        if (dotted(n, &head, rest, sizeof rest)) {
            uint64_t hh = name_hash(head);
            Bind *b = lookup_h(w, w->cur, head, hh);
            if (b && (b->flags & B_SELF) && rest[0]) {
                const char *d2 = strchr(rest + 1, '.');
                size_t len = d2 ? (size_t)(d2 - rest) : strlen(rest);
                char d[TXT_CAP];
                reason(w, f, AN_P_READS_SELF, loc_of(n), BJOIN(d, L("reads "), head, ((Str){rest, len})));
            } else if (!b || (b->scope == 0 && !(b->flags & (B_DEF | B_CLASS))) || (b->flags & B_IMPORT)) {
                /* possibly module state (settled at the end, when every binding is known) */
                push_ev(w, EV_READ, MUT_ARG, head, hh, ev_text(w, rest), loc_of(n), -1);
            } else if (w->scopes.items[b->scope].func != f && w->scopes.items[b->scope].kind != SC_MODULE && !(b->flags & B_DEF)) {
                /* a closure variable: fine */
            }
        } else if (n->kind == AST_Attribute) {
            walk(w, n->v.Attribute.value);
        }
        break;
    }
    case AST_MatchAs:
        walk(w, n->v.MatchAs.pattern);
        if (n->v.MatchAs.name.s && n->v.MatchAs.name.len) bind_store(w, n->v.MatchAs.name, loc_of(n));
        break;
    case AST_MatchStar:
        if (n->v.MatchStar.name.s && n->v.MatchStar.name.len) bind_store(w, n->v.MatchStar.name, loc_of(n));
        break;
    case AST_MatchMapping:
        walk_children(w, n);
        if (n->v.MatchMapping.rest.s && n->v.MatchMapping.rest.len) bind_store(w, n->v.MatchMapping.rest, loc_of(n));
        break;
    case AST_Constant: case AST_Pass: case AST_Break: case AST_Continue:
        break;
    default:
        walk_children(w, n);
    }
    w->depth--;
}

/* ---- settling events ---------------------------------------------------------------------- */

/* Whether binding b is a local of the function `func` itself (its own scope or a lambda /
 * comprehension inside it). */
static int own_local(W *w, const Bind *b, int func) {
    const Scope *s = &w->scopes.items[b->scope];
    return s->kind != SC_MODULE && s->kind != SC_CLASS && s->func == func;
}

/* nh: name_hash(name) */
static void settle_mutation(W *w, int scope, int func, Str name, uint64_t nh, AnLoc loc, MutKind mk, const char *what) {
    Bind *b = lookup_h(w, scope, name, nh);
    char d[TXT_CAP];
    if (!b || b->scope == 0) {
        reason(w, func, AN_P_WRITES_GLOBAL, loc, BJOIN(d, L("mutates module-level '"), name, L("': "), Z(what)));
        if (!b || !(b->flags & B_IMPORT)) mark_mutated(w, name, loc);
        return;
    }
    if (b->flags & B_SELF) {
        reason(w, func, AN_P_MUTATES_SELF, loc, what);
        return;
    }
    if (!own_local(w, b, func)) {
        if (w->scopes.items[b->scope].kind != SC_CLASS)
            reason(w, func, AN_P_WRITES_GLOBAL, loc, BJOIN(d, L("mutates enclosing variable '"), name, L("': "), Z(what)));
        return;
    }
    if ((b->flags & B_PARAM) && w->scopes.items[b->scope].kind == SC_FUNC) {
        reason(w, func, AN_P_MUTATES_PARAM, loc, BJOIN(d, L("mutates argument '"), name, L("': "), Z(what)));
        if (mk != MUT_ATTR && !(b->flags & B_C208)) {
            b->flags |= B_C208;
            hazard(w, func, AN_C_UNHASHABLE_ARG, loc, BJOIN(d, L("parameter '"), name, L("' is used as a list/dict: "), Z(what)));
        }
    }
}

static void settle_call(W *w, const Ev *e) {
    AnCall *c = &w->calls.items[e->call];
    CallTmp *ct = &w->ctmp.items[e->call];
    int f = e->func;
    const AnKnown *k = NULL;
    char tb[768], show[TXT_CAP], d[TXT_CAP];
    /* how the call is shown in a reason ("time.time()"): made only when a reason needs it, and
     * cut to TXT_CAP - 1 before it goes into the detail (as the detail itself is) */
    const char *show_pre = "", *show_mid = "";
#define SHOW() BJOIN(show, Z(show_pre), Z(show_mid), L("()"))
    if (!e->head.s) {
        /* method on an expression */
        k = an_known_method(e->rest + 1, strlen(e->rest + 1));
        show_pre = "...";
        show_mid = e->rest;
        c->origin = k ? AN_CALL_KNOWN : AN_CALL_UNKNOWN;
        if (!k) reason(w, f, AN_P_CALLS_UNKNOWN, e->loc, BJOIN(d, L("calls "), Z(SHOW()), L(" on an object it cannot see")));
        goto apply;
    }
    Bind *b = lookup_h(w, e->scope, e->head, e->hh);
    const char *last = strrchr(e->rest, '.');
    {
        size_t hn = e->head.len < sizeof tb - 1 ? e->head.len : sizeof tb - 1;
        size_t rn = strlen(e->rest);
        if (rn > sizeof tb - 1 - hn) rn = sizeof tb - 1 - hn;
        memcpy(tb, e->head.s, hn);
        memcpy(tb + hn, e->rest, rn);
        tb[hn + rn] = 0;
    }
    show_mid = tb;
    if (!b || (b->flags & B_IMPORT) || (b->flags & (B_DEF | B_CLASS))) {
        const char *q;
        if (b) q = cat2(w->a, b->target, e->rest);
        else if (w->star_functools && !e->rest[0] && (str_eq(e->head, "lru_cache") || str_eq(e->head, "cache")))
            q = AJOIN(w->a, L("functools."), Z(tb));
        else q = arena_strndup(w->a, tb, strlen(tb));
        c->target = q;
        show_mid = q;
        if (!b || (b->flags & B_IMPORT)) k = an_known_call(q);
        if (k) { c->origin = AN_CALL_KNOWN; goto apply; }
        if (!b && !e->rest[0]) {
            size_t n = e->head.len;
            const char *s = e->head.s;
            if ((n > 5 && memcmp(s + n - 5, "Error", 5) == 0) || (n > 9 && memcmp(s + n - 9, "Exception", 9) == 0) ||
                (n > 7 && memcmp(s + n - 7, "Warning", 7) == 0) || str_eq(e->head, "StopIteration") ||
                str_eq(e->head, "NotImplementedError") || str_eq(e->head, "KeyboardInterrupt") || str_eq(e->head, "SystemExit")) {
                c->origin = AN_CALL_KNOWN;
                return;
            }
        }
        if (!b && e->rest[0] && last) {
            /* str.join, dict.fromkeys, object.__setattr__ ... on a builtin type */
            k = an_known_method(last + 1, strlen(last + 1));
            c->origin = k ? AN_CALL_KNOWN : AN_CALL_REPO;
            if (k) goto apply;
            return;
        }
        c->origin = AN_CALL_REPO;
        return;
    }
    if (b->flags & B_SELF) {
        if (e->rest[0] && last == e->rest) {
            c->target = cat2(w->a, b->target, e->rest);
            c->origin = AN_CALL_REPO;
            return;
        }
    }
    c->target = arena_strndup(w->a, tb, strlen(tb));
    if (b->scope == 0 && !e->rest[0]) {
        /* a module-level variable holding a callable */
        c->target = AJOIN(w->a, Z(w->module), L("."), Z(tb));
        c->origin = AN_CALL_REPO;
        return;
    }
    if (e->rest[0]) k = an_known_method(last + 1, strlen(last + 1));
    c->origin = k ? AN_CALL_KNOWN : AN_CALL_UNKNOWN;
    if (!k) {
        if (e->rest[0]) BJOIN(d, L("calls "), Z(SHOW()), L(" on an object it cannot see"));
        else BJOIN(d, L("calls '"), Z(tb), L("', a parameter or local"));
        reason(w, f, AN_P_CALLS_UNKNOWN, e->loc, d);
        return;
    }
apply:
    if (!k) return;
    if (f >= 0) {
        if (k->flags & AN_F_EFFECT) reason(w, f, (AnIssueKind)an_known_kind(k), e->loc, BJOIN(d, L("calls "), Z(SHOW())));
        if (k->flags & AN_F_HEAVY) w->funcs.items[f].expense.heavy_calls++;
        if ((k->flags & AN_F_MUTRET) && ct->returned && !w->funcs.items[f].returns_mutable) {
            w->funcs.items[f].returns_mutable = 1;
            hazard(w, f, AN_C_MUTABLE_RETURN, ct->ret_loc, BJOIN(d, L("returns the result of "), Z(SHOW())));
        }
        if ((k->flags & AN_F_MUTARG0) && ct->arg0.s)
            settle_mutation(w, e->scope, f, ct->arg0, name_hash(ct->arg0), e->loc, MUT_METHOD, SHOW());
    }
#undef SHOW
}

static void settle_read(W *w, const Ev *e) {
    Bind *b = lookup_h(w, e->scope, e->head, e->hh);
    if (b && b->scope != 0 && !(b->flags & B_IMPORT)) return;
    if (b && (b->flags & B_IMPORT)) {
        if (!e->rest[0]) return;
        char q[768];
        size_t n = strlen(b->target) + strlen(e->rest);
        if (n >= sizeof q) return;
        str_join(q, sizeof q, STR_PIECES(Z(b->target), Z(e->rest)));
        /* every prefix that goes past the import: os.environ.copy -> os.environ */
        size_t tl = strlen(b->target);
        for (size_t i = tl + 1; i <= (size_t)n; i++) {
            if (i < (size_t)n && q[i] != '.') continue;
            char save = q[i];
            q[i] = 0;
            const AnKnown *k = an_known_attr(q);
            if (k) {
                char d[TXT_CAP];
                reason(w, e->func, (AnIssueKind)an_known_kind(k), e->loc, BJOIN(d, L("reads "), Z(q)));
                q[i] = save;
                return;
            }
            q[i] = save;
        }
        return;
    }
    const MutName *m = find_mutated(w, e->head);
    if (m) {
        char d[300];
        snprintf(d, sizeof d, "reads '%.*s', which is changed at line %d", (int)e->head.len, e->head.s, m->loc.line);
        size_t before = w->reasons.len;
        reason(w, e->func, AN_P_READS_MUTABLE_GLOBAL, e->loc, d);
        if (w->reasons.len > before) w->reasons.items[w->reasons.len - 1].is.other_loc = m->loc;
    }
}

/* ---- suppression -------------------------------------------------------------------------- */

/* Bits for `# glintefy: ignore[...]` on one line (0: none). */
static unsigned long long line_suppression(const char *s, const char *e) {
    for (const char *p = s; p < e; p++) {
        if (*p != '#') continue;
        const char *q = p + 1;
        while (q < e && (*q == ' ' || *q == '\t')) q++;
        if ((size_t)(e - q) < 9 || memcmp(q, "glintefy:", 9) != 0) continue;
        q += 9;
        while (q < e && (*q == ' ' || *q == '\t')) q++;
        if ((size_t)(e - q) < 6 || memcmp(q, "ignore", 6) != 0) continue;
        q += 6;
        if (q >= e || *q != '[') return ~0ull;
        unsigned long long bits = 0;
        q++;
        while (q < e && *q != ']') {
            while (q < e && (*q == ' ' || *q == ',')) q++;
            const char *t = q;
            while (q < e && *q != ',' && *q != ']' && *q != ' ') q++;
            if (q > t) {
                int k = an_issue_lookup(t, (size_t)(q - t));
                if (k >= 0) bits |= 1ull << k;
            }
        }
        return bits;
    }
    return 0;
}

static void find_suppressions(W *w) {
    if (!w->src || !w->funcs.len) return;
    /* a suppression needs "glintefy:" on its line: most files have none, and one memmem over the
     * source is much cheaper than indexing every line */
    if (!memmem(w->src, w->nsrc, "glintefy:", 9)) return;
    /* line starts, once */
    Array(size_t) ls = {0};
    vec_push(&ls, (size_t)0);
    for (size_t i = 0; i < w->nsrc; i++)
        if (w->src[i] == '\n') vec_push(&ls, i + 1);
    for (size_t f = 0; f < w->funcs.len; f++) {
        AnFunc *fn = &w->funcs.items[f];
        for (int l = fn->first_line; l <= fn->line; l++) {
            if (l < 1 || (size_t)l > ls.len) continue;
            const char *s = w->src + ls.items[l - 1];
            const char *e = (size_t)l < ls.len ? w->src + ls.items[l] : w->src + w->nsrc;
            fn->suppressed |= line_suppression(s, e);
        }
    }
    vec_free(&ls);
}

/* ---- putting it together ------------------------------------------------------------------ */

static const char *package_of(Arena *a, const char *path, const char *module) {
    size_t pl = strlen(path);
    if (pl >= 11 && strcmp(path + pl - 11, "__init__.py") == 0) return module;
    const char *dot = strrchr(module, '.');
    return dot ? arena_strndup(a, module, (size_t)(dot - module)) : "";
}

/* Copies the per-function issues into the arena, bucketed by function. */
static void bucket(W *w, const Iss *v, size_t n, int hazards) {
    size_t nf = w->funcs.len;
    int *cnt = xcalloc(nf + 1, sizeof *cnt);
    for (size_t i = 0; i < n; i++) {
        const AnFunc *fn = &w->funcs.items[v[i].func];
        if (hazards && (fn->suppressed & (1ull << v[i].is.kind))) continue;
        cnt[v[i].func]++;
    }
    for (size_t f = 0; f < nf; f++) {
        AnFunc *fn = &w->funcs.items[f];
        AnIssue *arr = cnt[f] ? arena_alloc(w->a, (size_t)cnt[f] * sizeof(AnIssue)) : NULL;
        if (hazards) { fn->hazards = arr; fn->nhazards = 0; }
        else { fn->reasons = arr; fn->nreasons = 0; }
    }
    for (size_t i = 0; i < n; i++) {
        AnFunc *fn = &w->funcs.items[v[i].func];
        if (hazards) {
            if (fn->suppressed & (1ull << v[i].is.kind)) continue;
            fn->hazards[fn->nhazards++] = v[i].is;
        } else {
            fn->reasons[fn->nreasons++] = v[i].is;
        }
    }
    free(cnt);
}

/* Room for what a module of n source bytes usually holds (counts per KiB on the standard
 * library, rounded up), so that the vectors and indexes seldom grow during the walk. */
static void presize(W *w, size_t n) {
    size_t kb = n / 1024 + 1;
    vec_grow(&w->evs, kb * 16);
    vec_grow(&w->calls, kb * 12);
    vec_grow(&w->ctmp, kb * 12);
    vec_grow(&w->binds, kb * 10);
    hashidx_reserve(&w->bidx, kb * 10);
    vec_grow(&w->reasons, kb * 6);
    hashidx_reserve(&w->rdedup, kb * 6);
    vec_grow(&w->scopes, kb * 3);
    vec_grow(&w->funcs, kb * 2);
    vec_grow(&w->ftmp, kb * 2);
}

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

/* The bytes the copies at the end take in the output arena (bucket's issue arrays at most), so
 * that they go into one chunk of the right size instead of doubling ones. */
static size_t final_bytes(const W *w) {
    return round8((w->reasons.len + w->hazards.len) * sizeof(AnIssue)) + w->funcs.len * 8 +
           round8(w->funcs.len * sizeof(AnFunc)) + round8(w->calls.len * sizeof(AnCall)) +
           round8(w->aliases.len * sizeof(AnAlias)) + round8(w->classes.len * sizeof(char *)) +
           round8(w->class_lines.len * sizeof(int)) + round8(w->deco_uses.len * sizeof(AnDecoUse)) +
           round8(w->call_aliases.len * sizeof(AnAlias));
}

/* self.NAME = lru_cache(..)(self.NAME): the method NAME of the class, once all are known. */
static void settle_pending_caches(W *w) {
    for (size_t i = 0; i < w->pending.len; i++) {
        const PendingCache *p = &w->pending.items[i];
        size_t ml = strlen(w->module);
        if (strncmp(p->qualified, w->module, ml) != 0 || p->qualified[ml] != '.') continue;
        for (size_t f = 0; f < w->funcs.len; f++) {
            AnFunc *fn = &w->funcs.items[f];
            if (fn->is_method && fn->cache.kind == AN_NO_CACHE && !strcmp(fn->qualname, p->qualified + ml + 1)) {
                fn->cache = p->cache;
                break;
            }
        }
    }
}

void an_file_facts_src(AnFile *out, const AstNode *module, const char *path, const char *module_name,
                       const char *src, size_t n) {
    memset(out, 0, sizeof *out);
    /* facts outlive the file: small first chunks (most files need a few KiB); the walk takes
     * about n * 3/4 of it, the copies at the end are reserved exactly */
    arena_init_sized(&out->arena, n > 0 ? n * 3 / 4 + 1024 : 4096);
    W w;
    memset(&w, 0, sizeof w);
    w.out = out;
    w.a = &out->arena;
    /* names and event texts: about n/4 */
    arena_init_sized(&w.tmp, n / 4 + 1024);
    presize(&w, n);
    w.src = src;
    w.nsrc = n;
    out->path = arena_strndup(w.a, path, strlen(path));
    out->module = arena_strndup(w.a, module_name, strlen(module_name));
    w.module = out->module;
    w.package = package_of(w.a, path, out->module);
    vec_push(&w.scopes, ((Scope){SC_MODULE, -1, -1, ""}));
    w.cur = 0;
    if (module && module->kind == AST_Module) walk_list(&w, module->v.Module.body);

    /* mutations first (they make the set of mutated globals), then calls (which may mutate an
     * argument), then reads */
    for (size_t i = 0; i < w.evs.len; i++) {
        const Ev *e = &w.evs.items[i];
        if (e->kind == EV_MUT) settle_mutation(&w, e->scope, e->func, e->head, e->hh, e->loc, e->mkind, e->rest);
    }
    for (size_t i = 0; i < w.evs.len; i++)
        if (w.evs.items[i].kind == EV_CALL) settle_call(&w, &w.evs.items[i]);
    for (size_t i = 0; i < w.evs.len; i++) {
        const Ev *e = &w.evs.items[i];
        if (e->kind == EV_READ && e->func >= 0) settle_read(&w, e);
        else if (e->kind == EV_CALL && e->func >= 0 && e->head.s) {
            /* the callee's own name is read too (a module-level object's method) */
            Bind *b = lookup_h(&w, e->scope, e->head, e->hh);
            if (b && b->scope == 0 && !(b->flags & (B_DEF | B_CLASS | B_IMPORT))) {
                Ev r = *e;
                r.rest = "";
                settle_read(&w, &r);
            }
        }
    }
    settle_pending_caches(&w);
    find_suppressions(&w);
    arena_reserve(w.a, final_bytes(&w));
    bucket(&w, w.reasons.items, w.reasons.len, 0);
    bucket(&w, w.hazards.items, w.hazards.len, 1);

    for (size_t f = 0; f < w.funcs.len; f++) {
        AnFunc *fn = &w.funcs.items[f];
        int impure = 0, unknown = 0;
        for (int i = 0; i < fn->nreasons; i++) {
            AnIssueKind k = fn->reasons[i].kind;
            if (k == AN_P_CALLS_UNKNOWN) unknown = 1;
            else if (k != AN_P_RAISES_ONLY) impure = 1;
        }
        fn->purity = impure ? AN_IMPURE : unknown ? AN_UNKNOWN : AN_PURE;
        fn->call_sites = 0;
        if (fn->cache.kind != AN_NO_CACHE) out->ncaches++;
    }
    out->nfuncs = (int)w.funcs.len;
    out->funcs = w.funcs.len ? arena_alloc(w.a, w.funcs.len * sizeof(AnFunc)) : NULL;
    if (w.funcs.len) memcpy(out->funcs, w.funcs.items, w.funcs.len * sizeof(AnFunc));
    out->ncalls = (int)w.calls.len;
    out->calls = w.calls.len ? arena_alloc(w.a, w.calls.len * sizeof(AnCall)) : NULL;
    if (w.calls.len) memcpy(out->calls, w.calls.items, w.calls.len * sizeof(AnCall));
    out->naliases = (int)w.aliases.len;
    out->aliases = w.aliases.len ? arena_alloc(w.a, w.aliases.len * sizeof(AnAlias)) : NULL;
    if (w.aliases.len) memcpy(out->aliases, w.aliases.items, w.aliases.len * sizeof(AnAlias));
    out->nclasses = (int)w.classes.len;
    out->classes = w.classes.len ? arena_alloc(w.a, w.classes.len * sizeof(char *)) : NULL;
    if (w.classes.len) memcpy(out->classes, w.classes.items, w.classes.len * sizeof(char *));
    out->class_lines = w.class_lines.len ? arena_alloc(w.a, w.class_lines.len * sizeof(int)) : NULL;
    if (w.class_lines.len) memcpy(out->class_lines, w.class_lines.items, w.class_lines.len * sizeof(int));
    /* decorator uses through a name that holds a call: the call's target, now settled */
    for (size_t i = 0; i < w.deco_uses.len; i++) {
        AnDecoUse *u = &w.deco_uses.items[i];
        if (u->call >= 0 && u->call < (int)w.calls.len && w.calls.items[u->call].target[0]) u->target = w.calls.items[u->call].target;
    }
    out->ndeco_uses = (int)w.deco_uses.len;
    out->deco_uses = w.deco_uses.len ? arena_alloc(w.a, w.deco_uses.len * sizeof(AnDecoUse)) : NULL;
    if (w.deco_uses.len) memcpy(out->deco_uses, w.deco_uses.items, w.deco_uses.len * sizeof(AnDecoUse));
    out->ncall_aliases = (int)w.call_aliases.len;
    out->call_aliases = w.call_aliases.len ? arena_alloc(w.a, w.call_aliases.len * sizeof(AnAlias)) : NULL;
    for (size_t i = 0; i < w.call_aliases.len; i++) {
        const CallAlias *c = &w.call_aliases.items[i];
        out->call_aliases[i] = (AnAlias){c->name, c->call < (int)w.calls.len ? w.calls.items[c->call].target : ""};
    }

    vec_free(&w.scopes);
    vec_free(&w.binds);
    hashidx_free(&w.bidx);
    vec_free(&w.funcs);
    vec_free(&w.ftmp);
    vec_free(&w.calls);
    vec_free(&w.ctmp);
    vec_free(&w.evs);
    vec_free(&w.reasons);
    vec_free(&w.hazards);
    hashidx_free(&w.rdedup);
    vec_free(&w.mutated);
    hashidx_free(&w.midx);
    vec_free(&w.aliases);
    vec_free(&w.classes);
    vec_free(&w.class_lines);
    vec_free(&w.deco_uses);
    vec_free(&w.call_aliases);
    vec_free(&w.pending);
    arena_free(&w.tmp);
}

void an_file_facts(AnFile *out, const AstNode *module, const char *path, const char *module_name) {
    an_file_facts_src(out, module, path, module_name, NULL, 0);
}
