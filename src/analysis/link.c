/* link.c - an_repo_link: the repository's call graph. Targets are looked up by qualified name
 * (following re-exports and cache aliases), impurity and unknown-ness flow from callees to callers
 * until nothing changes, recursion is found with Tarjan's algorithm (iterative), and callers that
 * mutate a result put C206 on the callee. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* the keys hashed here are short names: inlined, XXH3 costs a fraction of a library call */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "../base/buf.h"
#include "../base/hashidx.h"
#include "../base/xalloc.h"
#include "analysis.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

enum { MAX_HOPS = 8, C204_MAX = 1200 /* a C204 detail's buffer */ };

/* A string-keyed index: keys[i] -> vals[i]. The keys' bytes live in `text`. */
typedef struct Names {
    HashIdx idx;
    Array(Str) keys;
    Array(int) vals;          /* function index, or for aliases an index into targets */
    Array(const char *) targets;
    Arena text;
} Names;

typedef struct NameKey {
    const Names *n;
    const char *s;
    size_t len;
} NameKey;
static int name_eq(const void *ctx, uint32_t v) {
    const NameKey *k = ctx;
    Str s = k->n->keys.items[v];
    return s.len == k->len && memcmp(s.s, k->s, k->len) == 0;
}
/* Room for `extra` more keys. */
static void names_reserve(Names *n, size_t extra) {
    hashidx_reserve(&n->idx, extra);
    vec_grow(&n->keys, n->keys.len + extra);
    vec_grow(&n->vals, n->vals.len + extra);
    vec_grow(&n->targets, n->targets.len + extra);
}
/* Adds "a.b" -> val; the first definition of a key wins (a later one's bytes stay unused in
 * `text`, freed with it). */
static void names_add(Names *n, const char *a, const char *b, int val, const char *target) {
    size_t la = strlen(a), lb = strlen(b);
    char *key = arena_alloc(&n->text, la + lb + 2);
    memcpy(key, a, la);
    key[la] = '.';
    memcpy(key + la + 1, b, lb);
    NameKey k = {n, key, la + 1 + lb};
    uint32_t v = hashidx_get_or_add(&n->idx, XXH3_64bits(key, k.len), (uint32_t)n->keys.len, name_eq, &k);
    if (v != n->keys.len) return;
    vec_push(&n->keys, ((Str){key, k.len}));
    vec_push(&n->vals, val);
    vec_push(&n->targets, target);
}
static int names_find(const Names *n, const char *s, size_t len) {
    NameKey k = {n, s, len};
    uint32_t v = hashidx_find(&n->idx, XXH3_64bits(s, len), name_eq, &k);
    return v == HASHIDX_NONE ? -1 : (int)v;
}
static void names_free(Names *n) {
    hashidx_free(&n->idx);
    vec_free(&n->keys);
    vec_free(&n->vals);
    vec_free(&n->targets);
    arena_free(&n->text);
}

/* a[0..na) + b[0..nb) into dst[cap], cut at cap - 1 bytes as snprintf("%s%s") was; returns the
 * length written. */
static size_t join_cut(char *dst, size_t cap, const char *a, size_t na, const char *b, size_t nb) {
    return str_join(dst, cap, STR_PIECES((Str){a, na}, (Str){b, nb}));
}

/* resolve()'s answers by target: many calls name the same target */
typedef struct Memo {
    HashIdx idx;
    Array(Str) keys;
    Array(int) vals;
} Memo;

typedef struct L {
    AnRepo *r;
    Names funcs, aliases, classes;
    Names call_aliases; /* "module.NAME" of NAME = f(...) -> f's qualified name */
    Memo memo;
} L;

enum { R_NONE = -1, R_CLASS = -2 };

/* One re-export hop: replaces the longest prefix of cur[0..*n) that is an alias by its target
 * (pkg.f -> pkg.impl.f); returns 0 when no prefix is an alias or the name would not change. */
static int alias_hop(L *l, char *cur, size_t cap, size_t *n) {
    char tmp[1024];
    for (size_t k = *n; k > 0; k--) {
        if (k != *n && cur[k] != '.') continue;
        int a = names_find(&l->aliases, cur, k);
        if (a < 0) continue;
        const char *t = l->aliases.targets.items[a];
        size_t m = join_cut(tmp, sizeof tmp < cap ? sizeof tmp : cap, t, strlen(t), cur + k, *n - k);
        if (m == *n && memcmp(tmp, cur, *n) == 0) return 0;
        memcpy(cur, tmp, m + 1);
        *n = m;
        return 1;
    }
    return 0;
}

/* The repository function a qualified name stands for, R_CLASS for a class without __init__,
 * or R_NONE. */
static int resolve(L *l, const char *target) {
    char cur[1024], tmp[1024];
    size_t n = join_cut(cur, sizeof cur, target, strlen(target), "", 0);
    for (int hop = 0; hop < MAX_HOPS; hop++) {
        int i = names_find(&l->funcs, cur, n);
        if (i >= 0) return l->funcs.vals.items[i];
        if (names_find(&l->classes, cur, n) >= 0) {
            size_t m = join_cut(tmp, sizeof tmp, cur, n, ".__init__", 9);
            i = names_find(&l->funcs, tmp, m);
            return i >= 0 ? l->funcs.vals.items[i] : R_CLASS;
        }
        /* the longest prefix that is an alias: pkg.f -> pkg.impl.f */
        if (!alias_hop(l, cur, sizeof cur, &n)) return R_NONE;
    }
    return R_NONE;
}

typedef struct MemoKey {
    const Memo *m;
    Str s;
} MemoKey;
static int memo_eq(const void *ctx, uint32_t v) {
    const MemoKey *k = ctx;
    Str s = k->m->keys.items[v];
    return s.len == k->s.len && memcmp(s.s, k->s.s, s.len) == 0;
}

/* resolve(), once per distinct target (the target strings outlive the link) */
static int resolve_memo(L *l, const char *target) {
    Memo *m = &l->memo;
    MemoKey k = {m, {target, strlen(target)}};
    uint32_t v = hashidx_get_or_add(&m->idx, XXH3_64bits(k.s.s, k.s.len), (uint32_t)m->keys.len, memo_eq, &k);
    if (v != m->keys.len) return m->vals.items[v];
    vec_push(&m->keys, k.s);
    vec_push(&m->vals, resolve(l, target));
    return m->vals.items[v];
}

static AnFunc *rfunc(const AnRepo *r, int i) { return &r->files[r->funcs[i].file].funcs[r->funcs[i].func]; }

/* Issues added by linking, appended to each function's arrays at the end. Until then a detail
 * lives in the link's own text arena (dlen: its length), so that the files' arenas get what
 * linking adds to them in one chunk of the right size. */
typedef struct Add {
    int rf, hazard;
    size_t dlen;
    AnIssue is;
} Add;

typedef struct AddVec {
    Add *items;
    size_t len, cap;
    Arena text;
} AddVec;

typedef struct Edge {
    int from, to; /* repo function indexes: caller -> callee */
    AnLoc loc;
} Edge;

static const char *adup(AnRepo *r, int rf, const char *s) {
    Arena *a = &r->files[r->funcs[rf].file].arena;
    return arena_strndup(a, s, strlen(s));
}

static void add(AnRepo *r, AddVec *v, int rf, int hazard, AnIssueKind k, AnLoc loc, const char *detail,
                const char *other_file, AnLoc other) {
    if (hazard && (rfunc(r, rf)->suppressed & (1ull << k))) return;
    size_t n = detail ? strlen(detail) : 0;
    Add x = {rf, hazard, n, {k, loc, detail ? arena_strndup(&v->text, detail, n) : NULL, other_file, other}};
    vec_push(v, x);
}

static size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }

/* The bytes appending adds to function v takes in its file's arena (arena_alloc rounds each
 * object to 8 bytes): the grown arrays, and room for a C204 detail on a cached function. */
static size_t append_bytes(const AnFunc *fn, int na, int nh) {
    size_t b = 0;
    int spare = fn->cache.kind != AN_NO_CACHE;
    if (na) b += (size_t)(fn->nreasons + na) * sizeof(AnIssue);
    if (nh || spare) b += (size_t)(fn->nhazards + nh + spare) * sizeof(AnIssue);
    if (spare) b += C204_MAX;
    return b;
}

/* a + b + c into dst[cap], cut at cap - 1 bytes as snprintf("%s%s%s") was */
static const char *join3(char *dst, size_t cap, const char *a, const char *b, const char *c) {
    str_join(dst, cap, STR_PIECES(str_z(a), str_z(b), str_z(c)));
    return dst;
}

static const char *qualified(const AnRepo *r, int rf, char *buf, size_t cap) {
    const AnFile *f = &r->files[r->funcs[rf].file];
    return join3(buf, cap, f->module, ".", rfunc(r, rf)->qualname);
}

/* Marks every function in a cycle of the call graph (Tarjan, without recursion). */
static void find_recursion(AnRepo *r, const int *out_start, const Edge *fwd) {
    int n = r->nfuncs;
    int *index = xmalloc((size_t)n * sizeof *index), *low = xmalloc((size_t)n * sizeof *low);
    int *onstack = xcalloc((size_t)n, sizeof *onstack), *stack = xmalloc((size_t)n * sizeof *stack);
    int *cstack = xmalloc((size_t)n * sizeof *cstack), *citer = xmalloc((size_t)n * sizeof *citer);
    for (int i = 0; i < n; i++) index[i] = -1;
    int next = 0, sp = 0;
    for (int root = 0; root < n; root++) {
        if (index[root] >= 0) continue;
        int csp = 0;
        cstack[csp] = root;
        citer[csp++] = out_start[root];
        index[root] = low[root] = next++;
        stack[sp++] = root;
        onstack[root] = 1;
        while (csp > 0) {
            int v = cstack[csp - 1];
            if (citer[csp - 1] < out_start[v + 1]) {
                int w = fwd[citer[csp - 1]++].to;
                if (w == v) { rfunc(r, v)->expense.recursive = 1; continue; }
                if (index[w] < 0) {
                    index[w] = low[w] = next++;
                    stack[sp++] = w;
                    onstack[w] = 1;
                    cstack[csp] = w;
                    citer[csp++] = out_start[w];
                } else if (onstack[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) {
                int size = 0, base = sp;
                do { size++; base--; } while (stack[base] != v);
                for (int k = base; k < sp; k++) {
                    onstack[stack[k]] = 0;
                    if (size > 1) rfunc(r, stack[k])->expense.recursive = 1;
                }
                sp = base;
            }
            csp--;
            if (csp > 0) {
                int u = cstack[csp - 1];
                if (low[v] < low[u]) low[u] = low[v];
            }
        }
    }
    free(index); free(low); free(onstack); free(stack); free(cstack); free(citer);
}

static int is_effect(AnIssueKind k) {
    return k != AN_P_GENERATOR && k != AN_P_COROUTINE && k != AN_P_CALLS_UNKNOWN && k != AN_P_RAISES_ONLY;
}

/* The call alias (NAME = f(...)) a qualified name stands for, following re-exports as resolve()
 * does; -1 if none. */
static int find_call_alias(L *l, const char *target) {
    char cur[1024];
    size_t n = join_cut(cur, sizeof cur, target, strlen(target), "", 0);
    for (int hop = 0; hop < MAX_HOPS; hop++) {
        int a = names_find(&l->call_aliases, cur, n);
        if (a >= 0) return a;
        if (!alias_hop(l, cur, sizeof cur, &n)) return -1;
    }
    return -1;
}

/* Uses of the repository's cache decorators (AnFunc.makes_cache_level): `@memo` where memo's body
 * makes lru_cache(..)(func), `@make_cache(64)` and `@cacheit` (cacheit = make_cache(64)) where
 * make_cache returns such a decorator. The decorated function gets the cache the decorator makes,
 * with the hazards that depend on the function (an instance method's cache, a generator's). */
static void link_cache_decorators(L *l, AnRepo *repo, AddVec *adds) {
    char qb[1024];
    for (int i = 0; i < repo->nfiles; i++) {
        AnFile *f = &repo->files[i];
        for (int k = 0; k < f->ndeco_uses; k++) {
            const AnDecoUse *u = &f->deco_uses[k];
            const char *t = u->target;
            int called = u->called;
            if (!t || !*t) continue;
            if (u->func < 0) { /* lru_cache(n)(imported_function) */
                int r = resolve_memo(l, t);
                if (r < 0) continue;
                AnFunc *fn = rfunc(repo, r);
                if (fn->cache.kind != AN_NO_CACHE) continue;
                fn->cache = u->cache;
                fn->cache.loc = (AnLoc){fn->line, fn->col};
                fn->cache.made_at = adup(repo, r, u->cache.made_at);
                repo->files[repo->funcs[r].file].ncaches++;
                continue;
            }
            int r = resolve_memo(l, t);
            if (r < 0) { /* a name holding a call's result (reached through re-exports) */
                int a = find_call_alias(l, t);
                if (a < 0) continue;
                t = l->call_aliases.targets.items[a];
                called++;
                if (!t || !*t || (r = resolve_memo(l, t)) < 0) continue;
            }
            const AnFunc *d = rfunc(repo, r);
            AnFunc *fn = &f->funcs[u->func];
            if (d->makes_cache_level != called + 1 || fn->cache.kind != AN_NO_CACHE) continue;
            int rf = repo->file_base[i] + u->func;
            fn->cache = d->makes_cache;
            fn->cache.loc = u->loc;
            fn->cache.index = u->index;
            fn->cache.via = "factory";
            fn->cache.factory = adup(repo, rf, qualified(repo, r, qb, sizeof qb));
            f->ncaches++;
            int instance = fn->is_method && !fn->is_staticmethod && !fn->is_classmethod;
            if (instance)
                add(repo, adds, rf, 1, fn->cache.maxsize == AN_UNBOUNDED ? AN_C_UNBOUNDED_METHOD : AN_C_METHOD_CACHE,
                    u->loc, NULL, NULL, (AnLoc){0, 0});
            if (fn->is_generator || fn->is_async)
                add(repo, adds, rf, 1, AN_C_GENERATOR, u->loc,
                    fn->is_async ? "caches the coroutine object, which can be awaited once"
                                 : "caches the generator object, which is exhausted after one use",
                    NULL, (AnLoc){0, 0});
        }
    }
}

void an_repo_link(AnRepo *repo, AnFile *files, int nfiles) {
    memset(repo, 0, sizeof *repo);
    repo->files = files;
    repo->nfiles = nfiles;
    repo->file_base = xmalloc(((size_t)nfiles + 1) * sizeof(int));
    int total = 0;
    for (int i = 0; i < nfiles; i++) { repo->file_base[i] = total; total += files[i].nfuncs; }
    repo->file_base[nfiles] = total;
    repo->nfuncs = total;
    repo->funcs = xmalloc(((size_t)total + 1) * sizeof(AnFuncRef));
    L l;
    memset(&l, 0, sizeof l);
    l.r = repo;
    size_t naliases = 0, nclasses = 0, nrepo_calls = 0;
    for (int i = 0; i < nfiles; i++) {
        naliases += (size_t)files[i].naliases;
        nclasses += (size_t)files[i].nclasses;
        for (int j = 0; j < files[i].ncalls; j++) nrepo_calls += files[i].calls[j].origin == AN_CALL_REPO;
    }
    names_reserve(&l.funcs, (size_t)total);
    names_reserve(&l.aliases, naliases);
    names_reserve(&l.classes, nclasses);
    for (int i = 0; i < nfiles; i++) {
        const AnFile *f = &files[i];
        for (int j = 0; j < f->nfuncs; j++) {
            int rf = repo->file_base[i] + j;
            repo->funcs[rf] = (AnFuncRef){i, j};
            /* a call of an overloaded name reaches the implementation, not a typing.overload stub */
            if (!f->funcs[j].is_overload) names_add(&l.funcs, f->module, f->funcs[j].qualname, rf, NULL);
        }
        for (int j = 0; j < f->naliases; j++) names_add(&l.aliases, f->module, f->aliases[j].name, 0, f->aliases[j].target);
        for (int j = 0; j < f->nclasses; j++) names_add(&l.classes, f->module, f->classes[j], 0, NULL);
        for (int j = 0; j < f->ncall_aliases; j++)
            names_add(&l.call_aliases, f->module, f->call_aliases[j].name, 0, f->call_aliases[j].target);
    }

    AddVec adds = {0};
    arena_init_sized(&adds.text, 1u << 20);
    Array(Edge) edges = {0};
    HashIdx seen = {0};
    /* a call makes at most one edge, or one P115 */
    vec_grow(&edges, nrepo_calls + 1);
    vec_grow(&adds, nrepo_calls + 1);
    link_cache_decorators(&l, repo, &adds);
    char qb[1024];
    for (int i = 0; i < nfiles; i++) {
        AnFile *f = &files[i];
        for (int j = 0; j < f->ncalls; j++) {
            AnCall *c = &f->calls[j];
            c->resolved = -1;
            if (c->origin != AN_CALL_REPO) continue;
            int caller = c->func >= 0 ? repo->file_base[i] + c->func : -1;
            int t = resolve_memo(&l, c->target);
            if (t >= 0) {
                c->resolved = t;
                AnFunc *callee = rfunc(repo, t);
                callee->call_sites++;
                if (caller >= 0) vec_push(&edges, ((Edge){caller, t, c->loc}));
                if (c->result_mutated) {
                    char d[1200];
                    snprintf(d, sizeof d, "%s mutates the result at %s:%d", caller >= 0 ? qualified(repo, caller, qb, sizeof qb) : f->module,
                             f->path, c->mutation_loc.line);
                    AnLoc at = callee->cache.kind != AN_NO_CACHE ? callee->cache.loc : (AnLoc){callee->line, callee->col};
                    add(repo, &adds, t, 1, AN_C_MUTATED_RESULT, at, d, f->path, c->mutation_loc);
                }
            } else if (t == R_NONE && caller >= 0) {
                /* one P115 per (function, target) */
                uint64_t h = XXH3_64bits_withSeed(c->target, strlen(c->target), (uint64_t)caller);
                hashidx_reserve(&seen, 1);
                size_t mask = seen.cap - 1, k = (size_t)h & mask;
                int dup = 0;
                for (; seen.val[k] != HASHIDX_NONE; k = (k + 1) & mask)
                    if (seen.hash[k] == h) { dup = 1; break; }
                if (dup) continue;
                seen.hash[k] = h;
                seen.val[k] = 1;
                seen.len++;
                char d[1100];
                join3(d, sizeof d, "calls ", c->target, "(), which is not in the repository");
                add(repo, &adds, caller, 0, AN_P_CALLS_UNKNOWN, c->loc, d, NULL, (AnLoc){0, 0});
            }
        }
    }
    hashidx_free(&seen);

    /* forward (caller-sorted) and backward (callee-sorted) adjacency */
    size_t ne = edges.len;
    Edge *fwd = xmalloc((ne + 1) * sizeof *fwd), *bwd = xmalloc((ne + 1) * sizeof *bwd);
    int *out_start = xcalloc((size_t)total + 2, sizeof(int)), *in_start = xcalloc((size_t)total + 2, sizeof(int));
    for (size_t e = 0; e < ne; e++) { out_start[edges.items[e].from + 1]++; in_start[edges.items[e].to + 1]++; }
    for (int v = 0; v < total; v++) { out_start[v + 1] += out_start[v]; in_start[v + 1] += in_start[v]; }
    /* counting sort by caller and by callee: stable, so edges with one key keep the order they
     * were found in (what a stable qsort gave, in linear time) */
    int *pos_out = xmalloc(((size_t)total + 1) * sizeof(int)), *pos_in = xmalloc(((size_t)total + 1) * sizeof(int));
    memcpy(pos_out, out_start, ((size_t)total + 1) * sizeof(int));
    memcpy(pos_in, in_start, ((size_t)total + 1) * sizeof(int));
    for (size_t e = 0; e < ne; e++) {
        const Edge *x = &edges.items[e];
        fwd[pos_out[x->from]++] = *x;
        bwd[pos_in[x->to]++] = *x;
    }
    free(pos_out);
    free(pos_in);
    find_recursion(repo, out_start, fwd);

    /* impurity, then unknown-ness, flow from callees to callers */
    unsigned char *state = xcalloc((size_t)total + 1, 1); /* 1 effect, 2 unknown */
    int *queue = xmalloc(((size_t)total + 1) * sizeof(int));
    int qh = 0, qt = 0;
    for (int v = 0; v < total; v++) {
        const AnFunc *fn = rfunc(repo, v);
        for (int k = 0; k < fn->nreasons; k++)
            if (is_effect(fn->reasons[k].kind)) { state[v] = 1; break; }
        if (state[v]) queue[qt++] = v;
    }
    for (int pass = 1; pass <= 2; pass++) {
        if (pass == 2) {
            qh = qt = 0;
            for (size_t k = 0; k < adds.len; k++)
                if (adds.items[k].is.kind == AN_P_CALLS_UNKNOWN && !state[adds.items[k].rf]) state[adds.items[k].rf] = 2;
            for (int v = 0; v < total; v++) {
                const AnFunc *fn = rfunc(repo, v);
                if (!state[v])
                    for (int k = 0; k < fn->nreasons; k++)
                        if (fn->reasons[k].kind == AN_P_CALLS_UNKNOWN) { state[v] = 2; break; }
                if (state[v] == 2) queue[qt++] = v;
            }
        }
        while (qh < qt) {
            int u = queue[qh++];
            for (int e = in_start[u]; e < in_start[u + 1]; e++) {
                int v = bwd[e].from;
                if (state[v]) continue;
                state[v] = (unsigned char)pass;
                queue[qt++] = v;
                const AnFile *uf = &files[repo->funcs[u].file];
                const AnFunc *uc = rfunc(repo, u);
                char d[1200];
                join3(d, sizeof d, "calls ", qualified(repo, u, qb, sizeof qb),
                      pass == 1 ? ", which is not pure" : ", whose purity is unknown");
                add(repo, &adds, v, 0, pass == 1 ? AN_P_CALLS_IMPURE : AN_P_CALLS_UNKNOWN, bwd[e].loc, d, uf->path,
                    (AnLoc){uc->line, uc->col});
            }
        }
    }

    for (int v = 0; v < total; v++) {
        AnFunc *fn = rfunc(repo, v);
        int gen = 0;
        for (int k = 0; k < fn->nreasons; k++)
            if (fn->reasons[k].kind == AN_P_GENERATOR || fn->reasons[k].kind == AN_P_COROUTINE) gen = 1;
        fn->purity = (state[v] == 1 || gen) ? AN_IMPURE : state[v] == 2 ? AN_UNKNOWN : AN_PURE;
    }

    /* append what linking found (counting sort by function), each file's part reserved at once */
    int *na = xcalloc((size_t)total + 1, sizeof(int)), *nh = xcalloc((size_t)total + 1, sizeof(int));
    size_t *need = xcalloc((size_t)nfiles + 1, sizeof(size_t));
    for (size_t k = 0; k < adds.len; k++) {
        const Add *x = &adds.items[k];
        (x->hazard ? nh : na)[x->rf]++;
        if (x->is.detail) need[repo->funcs[x->rf].file] += round8(x->dlen + 1);
    }
    for (int v = 0; v < total; v++) need[repo->funcs[v].file] += append_bytes(rfunc(repo, v), na[v], nh[v]);
    for (int i = 0; i < nfiles; i++)
        if (need[i]) arena_reserve(&files[i].arena, need[i]);
    free(need);
    for (int v = 0; v < total; v++) {
        AnFunc *fn = rfunc(repo, v);
        Arena *a = &files[repo->funcs[v].file].arena;
        if (na[v]) {
            AnIssue *arr = arena_alloc(a, (size_t)(fn->nreasons + na[v]) * sizeof *arr);
            if (fn->nreasons) memcpy(arr, fn->reasons, (size_t)fn->nreasons * sizeof *arr);
            fn->reasons = arr;
        }
        /* C204 needs the final purity: one spare slot on a cached function */
        int spare = fn->cache.kind != AN_NO_CACHE;
        if (!nh[v] && !spare) continue;
        AnIssue *arr = arena_alloc(a, (size_t)(fn->nhazards + nh[v] + spare) * sizeof *arr);
        if (fn->nhazards) memcpy(arr, fn->hazards, (size_t)fn->nhazards * sizeof *arr);
        fn->hazards = arr;
    }
    for (size_t k = 0; k < adds.len; k++) {
        Add *x = &adds.items[k];
        AnFunc *fn = rfunc(repo, x->rf);
        if (x->is.detail) x->is.detail = arena_strndup(&files[repo->funcs[x->rf].file].arena, x->is.detail, x->dlen);
        if (x->hazard) fn->hazards[fn->nhazards++] = x->is;
        else fn->reasons[fn->nreasons++] = x->is;
    }
    for (int v = 0; v < total; v++) {
        AnFunc *fn = rfunc(repo, v);
        if (fn->cache.kind == AN_NO_CACHE || (fn->suppressed & (1ull << AN_C_IMPURE))) continue;
        int gen = 0;
        for (int k = 0; k < fn->nhazards; k++) if (fn->hazards[k].kind == AN_C_GENERATOR) gen = 1;
        if (gen) continue;
        const AnIssue *why = NULL;
        for (int k = 0; k < fn->nreasons && !why; k++) {
            AnIssueKind kk = fn->reasons[k].kind;
            if (!is_effect(kk)) continue;
            /* a cached_property exists to read its instance once */
            if (fn->cache.kind == AN_CACHED_PROPERTY && kk == AN_P_READS_SELF) continue;
            if (fn->cache.kind == AN_CACHED_PROPERTY && kk == AN_P_CALLS_IMPURE) continue;
            why = &fn->reasons[k];
        }
        if (!why) continue;
        char d[C204_MAX];
        snprintf(d, sizeof d, "%s %s%s%s", an_issue_desc[why->kind].code, an_issue_desc[why->kind].message,
                 why->detail ? ": " : "", why->detail ? why->detail : "");
        AnIssue is = {AN_C_IMPURE, fn->cache.loc, adup(repo, v, d), NULL, why->loc};
        fn->hazards[fn->nhazards++] = is;
    }
    free(na);
    free(nh);
    free(state);
    free(queue);
    free(out_start);
    free(in_start);
    free(fwd);
    free(bwd);
    vec_free(&edges);
    vec_free(&adds);
    arena_free(&adds.text);
    hashidx_free(&l.memo.idx);
    vec_free(&l.memo.keys);
    vec_free(&l.memo.vals);
    names_free(&l.funcs);
    names_free(&l.aliases);
    names_free(&l.classes);
    names_free(&l.call_aliases);
}

void an_repo_free(AnRepo *repo) {
    if (!repo) return;
    free(repo->funcs);
    free(repo->file_base);
    memset(repo, 0, sizeof *repo);
}
