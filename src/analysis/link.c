/* link.c - an_repo_link: the repository's call graph. Targets are looked up by qualified name
 * (following re-exports and cache aliases), impurity and unknown-ness flow from callees to callers
 * until nothing changes, recursion is found with Tarjan's algorithm (iterative), and callers that
 * mutate a result put C206 on the callee. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../base/buf.h"
#include "../base/hashidx.h"
#include "../base/xalloc.h"
#include "analysis.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

enum { MAX_HOPS = 8 };

/* A string-keyed index: keys[i] -> vals[i]. */
typedef struct Names {
    HashIdx idx;
    Array(const char *) keys;
    Array(int) vals;          /* function index, or for aliases an index into targets */
    Array(const char *) targets;
} Names;

typedef struct NameKey {
    const Names *n;
    const char *s;
    size_t len;
} NameKey;
static int name_eq(const void *ctx, uint32_t v) {
    const NameKey *k = ctx;
    const char *s = k->n->keys.items[v];
    return strncmp(s, k->s, k->len) == 0 && s[k->len] == 0;
}
/* Takes ownership of key (malloc'd). */
static void names_add(Names *n, char *key, int val, const char *target) {
    NameKey k = {n, key, strlen(key)};
    uint32_t v = hashidx_get_or_add(&n->idx, XXH3_64bits(key, k.len), (uint32_t)n->keys.len, name_eq, &k);
    if (v != n->keys.len) { free(key); return; } /* first definition wins */
    vec_push(&n->keys, key);
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
    for (size_t i = 0; i < n->keys.len; i++) free((void *)n->keys.items[i]);
    vec_free(&n->keys);
    vec_free(&n->vals);
    vec_free(&n->targets);
}

static char *join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *s = xmalloc(la + lb + 2);
    memcpy(s, a, la);
    s[la] = '.';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

typedef struct L {
    AnRepo *r;
    Names funcs, aliases, classes;
} L;

enum { R_NONE = -1, R_CLASS = -2 };

/* The repository function a qualified name stands for, R_CLASS for a class without __init__,
 * or R_NONE. */
static int resolve(L *l, const char *target) {
    char cur[1024], tmp[1024];
    snprintf(cur, sizeof cur, "%s", target);
    for (int hop = 0; hop < MAX_HOPS; hop++) {
        size_t n = strlen(cur);
        int i = names_find(&l->funcs, cur, n);
        if (i >= 0) return l->funcs.vals.items[i];
        if (names_find(&l->classes, cur, n) >= 0) {
            snprintf(tmp, sizeof tmp, "%s.__init__", cur);
            i = names_find(&l->funcs, tmp, strlen(tmp));
            return i >= 0 ? l->funcs.vals.items[i] : R_CLASS;
        }
        /* the longest prefix that is an alias: pkg.f -> pkg.impl.f */
        int found = 0;
        for (size_t k = n; k > 0; k--) {
            if (k != n && cur[k] != '.') continue;
            int a = names_find(&l->aliases, cur, k);
            if (a < 0) continue;
            snprintf(tmp, sizeof tmp, "%s%s", l->aliases.targets.items[a], cur + k);
            if (strcmp(tmp, cur) == 0) break;
            snprintf(cur, sizeof cur, "%s", tmp);
            found = 1;
            break;
        }
        if (!found) return R_NONE;
    }
    return R_NONE;
}

static AnFunc *rfunc(const AnRepo *r, int i) { return &r->files[r->funcs[i].file].funcs[r->funcs[i].func]; }

/* Issues added by linking, appended to each function's arrays at the end. */
typedef struct Add {
    int rf, hazard;
    AnIssue is;
} Add;

typedef Array(Add) AddVec;

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
    Add x = {rf, hazard, {k, loc, detail ? adup(r, rf, detail) : NULL, other_file, other}};
    vec_push(v, x);
}

static const char *qualified(const AnRepo *r, int rf, char *buf, size_t cap) {
    const AnFile *f = &r->files[r->funcs[rf].file];
    snprintf(buf, cap, "%s.%s", f->module, rfunc(r, rf)->qualname);
    return buf;
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

static int cmp_from(const void *a, const void *b) {
    const Edge *x = a, *y = b;
    return (x->from > y->from) - (x->from < y->from);
}
static int cmp_to(const void *a, const void *b) {
    const Edge *x = a, *y = b;
    return (x->to > y->to) - (x->to < y->to);
}

static int is_effect(AnIssueKind k) {
    return k != AN_P_GENERATOR && k != AN_P_COROUTINE && k != AN_P_CALLS_UNKNOWN && k != AN_P_RAISES_ONLY;
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
    for (int i = 0; i < nfiles; i++) {
        const AnFile *f = &files[i];
        for (int j = 0; j < f->nfuncs; j++) {
            int rf = repo->file_base[i] + j;
            repo->funcs[rf] = (AnFuncRef){i, j};
            names_add(&l.funcs, join(f->module, f->funcs[j].qualname), rf, NULL);
        }
        for (int j = 0; j < f->naliases; j++) names_add(&l.aliases, join(f->module, f->aliases[j].name), 0, f->aliases[j].target);
        for (int j = 0; j < f->nclasses; j++) names_add(&l.classes, join(f->module, f->classes[j]), 0, NULL);
    }

    AddVec adds = {0};
    Array(Edge) edges = {0};
    HashIdx seen = {0};
    char qb[1024];
    for (int i = 0; i < nfiles; i++) {
        AnFile *f = &files[i];
        for (int j = 0; j < f->ncalls; j++) {
            AnCall *c = &f->calls[j];
            c->resolved = -1;
            if (c->origin != AN_CALL_REPO) continue;
            int caller = c->func >= 0 ? repo->file_base[i] + c->func : -1;
            int t = resolve(&l, c->target);
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
                snprintf(d, sizeof d, "calls %s(), which is not in the repository", c->target);
                add(repo, &adds, caller, 0, AN_P_CALLS_UNKNOWN, c->loc, d, NULL, (AnLoc){0, 0});
            }
        }
    }
    hashidx_free(&seen);

    /* forward (caller-sorted) and backward (callee-sorted) adjacency */
    size_t ne = edges.len;
    Edge *fwd = xmalloc((ne + 1) * sizeof *fwd), *bwd = xmalloc((ne + 1) * sizeof *bwd);
    if (ne) { memcpy(fwd, edges.items, ne * sizeof *fwd); memcpy(bwd, edges.items, ne * sizeof *bwd); }
    qsort(fwd, ne, sizeof *fwd, cmp_from);
    qsort(bwd, ne, sizeof *bwd, cmp_to);
    int *out_start = xcalloc((size_t)total + 2, sizeof(int)), *in_start = xcalloc((size_t)total + 2, sizeof(int));
    for (size_t e = 0; e < ne; e++) { out_start[fwd[e].from + 1]++; in_start[bwd[e].to + 1]++; }
    for (int v = 0; v < total; v++) { out_start[v + 1] += out_start[v]; in_start[v + 1] += in_start[v]; }
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
                snprintf(d, sizeof d, pass == 1 ? "calls %s, which is not pure" : "calls %s, whose purity is unknown",
                         qualified(repo, u, qb, sizeof qb));
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

    /* append what linking found (counting sort by function) */
    int *na = xcalloc((size_t)total + 1, sizeof(int)), *nh = xcalloc((size_t)total + 1, sizeof(int));
    for (size_t k = 0; k < adds.len; k++) (adds.items[k].hazard ? nh : na)[adds.items[k].rf]++;
    for (int v = 0; v < total; v++) {
        AnFunc *fn = rfunc(repo, v);
        Arena *a = &files[repo->funcs[v].file].arena;
        if (na[v]) {
            AnIssue *arr = arena_alloc(a, (size_t)(fn->nreasons + na[v]) * sizeof *arr);
            if (fn->nreasons) memcpy(arr, fn->reasons, (size_t)fn->nreasons * sizeof *arr);
            fn->reasons = arr;
        }
        /* C204 needs the final purity; one spare slot */
        AnIssue *arr = arena_alloc(a, (size_t)(fn->nhazards + nh[v] + 1) * sizeof *arr);
        if (fn->nhazards) memcpy(arr, fn->hazards, (size_t)fn->nhazards * sizeof *arr);
        fn->hazards = arr;
    }
    for (size_t k = 0; k < adds.len; k++) {
        AnFunc *fn = rfunc(repo, adds.items[k].rf);
        if (adds.items[k].hazard) fn->hazards[fn->nhazards++] = adds.items[k].is;
        else fn->reasons[fn->nreasons++] = adds.items[k].is;
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
        char d[1200];
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
    names_free(&l.funcs);
    names_free(&l.aliases);
    names_free(&l.classes);
}

void an_repo_free(AnRepo *repo) {
    if (!repo) return;
    free(repo->funcs);
    free(repo->file_base);
    memset(repo, 0, sizeof *repo);
}
