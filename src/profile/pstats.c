/* pstats.c - the pstats model: interned strings and functions in hash indexes (xxHash), rows in
 * the profile's order, callers as per-row lists with one index over (row, caller). Loading
 * checks the shape of the marshal tree and reports the offset of the first thing that is wrong. */
#include "pstats.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "../base/arena.h"
#include "../base/hashidx.h"
#include "marshal.h"

typedef struct PStr { const char *s; size_t len; uint64_t hash; } PStr;
typedef struct PFunc { uint32_t file, name; int64_t line; uint64_t hash; } PFunc;
/* Invariant: callers of one entry form a list through `next`, first to last in insertion order. */
typedef struct PCaller {
    uint32_t entry, func, next;
    uint8_t is_count;
    int64_t nc, cc;
    double tt, ct;
} PCaller;
typedef struct PEntry {
    uint32_t func, first, last, ncallers;
    int64_t cc, nc;
    double tt, ct;
} PEntry;

/* Invariant: every id stored anywhere indexes the matching array; entry_of[f] is the entry of
 * function f or HASHIDX_NONE; each index holds exactly the positions of its array. */
struct ProfStats {
    Arena text; /* string bytes */
    Array(PStr) strs;
    Array(PFunc) funcs;
    Array(uint32_t) entry_of;
    Array(PEntry) entries;
    Array(PCaller) callers;
    HashIdx str_index, func_index, caller_index;
    int has_tuples, has_counts; /* kinds of caller values present */
};

ProfStats *prof_new(void) {
    ProfStats *st = xcalloc(1, sizeof *st);
    arena_init(&st->text);
    return st;
}

void prof_free(ProfStats *st) {
    if (!st) return;
    arena_free(&st->text);
    vec_free(&st->strs);
    vec_free(&st->funcs);
    vec_free(&st->entry_of);
    vec_free(&st->entries);
    vec_free(&st->callers);
    hashidx_free(&st->str_index);
    hashidx_free(&st->func_index);
    hashidx_free(&st->caller_index);
    free(st);
}

/* ---- interning ------------------------------------------------------------------------ */

typedef struct StrKey { const ProfStats *st; const char *s; size_t len; } StrKey;
static int pstr_eq(const void *ctx, uint32_t v) {
    const StrKey *k = ctx;
    const PStr *p = &k->st->strs.items[v];
    return p->len == k->len && memcmp(p->s, k->s, k->len) == 0;
}

static uint32_t intern_str(ProfStats *st, const char *s, size_t len, uint64_t hash) {
    StrKey k = {st, s, len};
    uint32_t id = hashidx_get_or_add(&st->str_index, hash, (uint32_t)st->strs.len, pstr_eq, &k);
    if (id == st->strs.len) {
        PStr p = {arena_strndup(&st->text, s, len), len, hash};
        vec_push(&st->strs, p);
    }
    return id;
}

typedef struct FuncKey { const ProfStats *st; uint32_t file, name; int64_t line; } FuncKey;
static int func_eq(const void *ctx, uint32_t v) {
    const FuncKey *k = ctx;
    const PFunc *f = &k->st->funcs.items[v];
    return f->file == k->file && f->name == k->name && f->line == k->line;
}

static uint64_t func_hash(uint32_t file, uint32_t name, int64_t line) {
    struct { uint32_t file, name; int64_t line; } key = {file, name, line};
    return XXH3_64bits(&key, sizeof key);
}

static uint32_t intern_func(ProfStats *st, uint32_t file, int64_t line, uint32_t name) {
    FuncKey k = {st, file, name, line};
    uint64_t h = func_hash(file, name, line);
    uint32_t id = hashidx_get_or_add(&st->func_index, h, (uint32_t)st->funcs.len, func_eq, &k);
    if (id == st->funcs.len) {
        PFunc f = {file, name, line, h};
        vec_push(&st->funcs, f);
        vec_push(&st->entry_of, HASHIDX_NONE);
    }
    return id;
}

typedef struct CallerKey { const ProfStats *st; uint32_t entry, func; } CallerKey;
static int caller_eq(const void *ctx, uint32_t v) {
    const CallerKey *k = ctx;
    const PCaller *c = &k->st->callers.items[v];
    return c->entry == k->entry && c->func == k->func;
}
static uint64_t caller_hash(uint32_t entry, uint32_t func) {
    uint32_t key[2] = {entry, func};
    return XXH3_64bits(key, sizeof key);
}

/* Returns the caller `func` of `entry`, appending a zeroed one if there is none (*added = 1). */
static PCaller *get_caller(ProfStats *st, uint32_t entry, uint32_t func, int *added) {
    CallerKey k = {st, entry, func};
    uint32_t id = hashidx_get_or_add(&st->caller_index, caller_hash(entry, func), (uint32_t)st->callers.len, caller_eq, &k);
    *added = id == st->callers.len;
    if (*added) {
        PCaller c = {entry, func, HASHIDX_NONE, 0, 0, 0, 0, 0};
        vec_push(&st->callers, c);
        PEntry *e = &st->entries.items[entry];
        if (e->ncallers) st->callers.items[e->last].next = id;
        else e->first = id;
        e->last = id;
        e->ncallers++;
    }
    return &st->callers.items[id];
}

/* Returns the entry of `func`, appending a zeroed one if there is none (*added = 1). */
static PEntry *get_entry(ProfStats *st, uint32_t func, int *added) {
    uint32_t e = st->entry_of.items[func];
    *added = e == HASHIDX_NONE;
    if (*added) {
        e = (uint32_t)st->entries.len;
        PEntry n = {func, HASHIDX_NONE, HASHIDX_NONE, 0, 0, 0, 0, 0};
        vec_push(&st->entries, n);
        st->entry_of.items[func] = e;
    }
    return &st->entries.items[e];
}

/* ---- loading -------------------------------------------------------------------------- */

static int perr(ProfError *err, const MValue *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(ProfError *err, const MValue *at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    err->offset = at ? (long long)at->off : -1;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *kind(const MValue *v) { return marshal_kind_name((MKind)v->kind); }

static int get_count(const MValue *v, const char *what, int64_t *out, ProfError *err) {
    if (v->kind == M_INT) { *out = v->u.i; return 0; }
    if (v->kind == M_BIGINT) return perr(err, v, "%s: count does not fit in 64 bits", what);
    return perr(err, v, "%s: expected an int, found %s", what, kind(v));
}

static int get_time(const MValue *v, const char *what, double *out, ProfError *err) {
    if (v->kind == M_FLOAT || v->kind == M_BIGINT) { *out = v->u.f; return 0; }
    if (v->kind == M_INT) { *out = (double)v->u.i; return 0; }
    return perr(err, v, "%s: expected a number, found %s", what, kind(v));
}

static int get_tuple(const MValue *v, size_t n, const char *what, ProfError *err) {
    if (v->kind != M_TUPLE) return perr(err, v, "%s: expected a tuple, found %s", what, kind(v));
    if (v->u.seq.len != n) return perr(err, v, "%s: expected %zu items, found %zu", what, n, v->u.seq.len);
    return 0;
}

/* A string node, interned once: `aux` caches its id (+1), as marshal shares strings by reference. */
static int get_str(ProfStats *st, MValue *v, const char *what, uint32_t *id, ProfError *err) {
    if (v->kind != M_STR) return perr(err, v, "%s: expected a str, found %s", what, kind(v));
    if (!v->aux) v->aux = intern_str(st, v->u.str.s, v->u.str.len, XXH3_64bits(v->u.str.s, v->u.str.len)) + 1;
    *id = v->aux - 1;
    return 0;
}

/* function key: (file: str, line: int, name: str) */
static int load_func(ProfStats *st, MValue *v, const char *what, uint32_t *func, ProfError *err) {
    if (v->kind == M_TUPLE && v->aux) { *func = v->aux - 1; return 0; } /* a string's aux is a string id */
    char w[64];
    snprintf(w, sizeof w, "%s (file, line, name)", what);
    if (get_tuple(v, 3, w, err)) return -1;
    uint32_t file, name;
    int64_t line;
    MValue **it = v->u.seq.items;
    if (get_str(st, it[0], "file name", &file, err)) return -1;
    if (it[1]->kind != M_INT) return perr(err, it[1], "line number: expected an int, found %s", kind(it[1]));
    line = it[1]->u.i;
    if (get_str(st, it[2], "function name", &name, err)) return -1;
    *func = intern_func(st, file, line, name);
    v->aux = *func + 1;
    return 0;
}

/* caller value: (nc, cc, tt, ct), or a plain count (profile module) */
static int load_caller(ProfStats *st, uint32_t entry, MValue *key, MValue *val, ProfError *err) {
    uint32_t func;
    if (load_func(st, key, "caller key", &func, err)) return -1;
    int added;
    PCaller *c = get_caller(st, entry, func, &added);
    if (!added) return perr(err, key, "caller key appears twice in one callers dict");
    if (val->kind == M_INT || val->kind == M_BIGINT) {
        c->is_count = 1;
        st->has_counts = 1;
        return get_count(val, "caller count", &c->nc, err);
    }
    if (val->kind != M_TUPLE)
        return perr(err, val, "caller value: expected a tuple (nc, cc, tt, ct) or a call count, found %s", kind(val));
    if (get_tuple(val, 4, "caller value (nc, cc, tt, ct)", err)) return -1;
    st->has_tuples = 1;
    MValue **it = val->u.seq.items;
    if (get_count(it[0], "caller nc", &c->nc, err) || get_count(it[1], "caller cc", &c->cc, err) ||
        get_time(it[2], "caller tt", &c->tt, err) || get_time(it[3], "caller ct", &c->ct, err))
        return -1;
    return 0;
}

/* entry: key -> (cc, nc, tt, ct, callers) */
static int load_entry(ProfStats *st, MValue *key, MValue *val, ProfError *err) {
    uint32_t func;
    if (load_func(st, key, "function key", &func, err)) return -1;
    int added;
    uint32_t e = (uint32_t)st->entries.len;
    PEntry *en = get_entry(st, func, &added);
    if (!added) return perr(err, key, "function key appears twice in the profile");
    if (get_tuple(val, 5, "stats (cc, nc, tt, ct, callers)", err)) return -1;
    MValue **it = val->u.seq.items;
    if (get_count(it[0], "cc", &en->cc, err) || get_count(it[1], "nc", &en->nc, err) ||
        get_time(it[2], "tt", &en->tt, err) || get_time(it[3], "ct", &en->ct, err))
        return -1;
    MValue *callers = it[4];
    if (callers->kind != M_DICT) return perr(err, callers, "callers: expected a dict, found %s", kind(callers));
    for (size_t k = 0; k < callers->u.seq.len; k++)
        if (load_caller(st, e, callers->u.seq.items[2 * k], callers->u.seq.items[2 * k + 1], err)) return -1;
    return 0;
}

ProfStats *prof_load(const unsigned char *data, size_t n, ProfError *err) {
    Arena arena;
    arena_init(&arena);
    MarshalError merr;
    ProfStats *st = NULL;
    MValue *root = marshal_load(&arena, data, n, &merr);
    if (!root) {
        err->offset = (long long)merr.offset;
        snprintf(err->msg, sizeof err->msg, "%s", merr.msg);
        goto done;
    }
    if (root->kind != M_DICT) {
        perr(err, root, "not a profile: expected a dict of functions, found %s", kind(root));
        goto done;
    }
    st = prof_new();
    for (size_t k = 0; k < root->u.seq.len; k++) {
        if (load_entry(st, root->u.seq.items[2 * k], root->u.seq.items[2 * k + 1], err)) {
            prof_free(st);
            st = NULL;
            break;
        }
    }
done:
    arena_free(&arena);
    return st;
}

/* ---- adding --------------------------------------------------------------------------- */

static uint32_t import_func(ProfStats *dst, const ProfStats *src, uint32_t f, uint32_t *str_map) {
    const PFunc *pf = &src->funcs.items[f];
    uint32_t ids[2] = {pf->file, pf->name};
    for (int k = 0; k < 2; k++) {
        uint32_t s = ids[k];
        if (str_map[s] == HASHIDX_NONE) {
            const PStr *ps = &src->strs.items[s];
            str_map[s] = intern_str(dst, ps->s, ps->len, ps->hash);
        }
        ids[k] = str_map[s];
    }
    return intern_func(dst, ids[0], pf->line, ids[1]);
}

static void func_label(const ProfStats *st, uint32_t f, char *buf, size_t size) {
    const PFunc *pf = &st->funcs.items[f];
    const PStr *file = &st->strs.items[pf->file], *name = &st->strs.items[pf->name];
    snprintf(buf, size, "%.*s:%" PRId64 "(%.*s)", (int)(file->len > 100 ? 100 : file->len), file->s, pf->line,
             (int)(name->len > 60 ? 60 : name->len), name->s);
}

static int sum_overflows(int64_t a, int64_t b) { int64_t r; return __builtin_add_overflow(a, b, &r); }

/* Checks everything prof_add could refuse before anything changes. */
static int check_add(const ProfStats *dst, const ProfStats *src, const uint32_t *func_map, ProfError *err) {
    for (size_t i = 0; i < src->entries.len; i++) {
        const PEntry *se = &src->entries.items[i];
        uint32_t df = func_map[se->func];
        uint32_t de = df == HASHIDX_NONE || df >= dst->entry_of.len ? HASHIDX_NONE : dst->entry_of.items[df];
        if (de == HASHIDX_NONE) continue;
        const PEntry *e = &dst->entries.items[de];
        char label[200];
        if (sum_overflows(e->cc, se->cc) || sum_overflows(e->nc, se->nc)) {
            func_label(src, se->func, label, sizeof label);
            return perr(err, NULL, "call count of %s overflows 64 bits", label);
        }
        for (uint32_t c = se->first; c != HASHIDX_NONE; c = src->callers.items[c].next) {
            const PCaller *sc = &src->callers.items[c];
            uint32_t cf = func_map[sc->func];
            CallerKey k = {dst, de, cf};
            uint32_t dc = cf == HASHIDX_NONE ? HASHIDX_NONE : hashidx_find(&dst->caller_index, caller_hash(de, cf), caller_eq, &k);
            if (dc == HASHIDX_NONE) continue;
            const PCaller *d = &dst->callers.items[dc];
            func_label(src, se->func, label, sizeof label);
            if (d->is_count != sc->is_count)
                return perr(err, NULL, "cannot add a caller %s of %s to a caller %s: one profile comes from "
                            "the 'profile' module, the other from 'cProfile'",
                            sc->is_count ? "count" : "tuple", label, d->is_count ? "count" : "tuple");
            if (sum_overflows(d->nc, sc->nc) || sum_overflows(d->cc, sc->cc))
                return perr(err, NULL, "caller call count of %s overflows 64 bits", label);
        }
    }
    return 0;
}

int prof_add(ProfStats *dst, const ProfStats *src, ProfError *err) {
    /* Functions are mapped without adding them to dst first: a refused add leaves dst as it was. */
    uint32_t *str_map = xmalloc((src->strs.len + 1) * sizeof *str_map);
    uint32_t *func_map = xmalloc((src->funcs.len + 1) * sizeof *func_map);
    for (size_t s = 0; s < src->strs.len; s++) {
        const PStr *ps = &src->strs.items[s];
        StrKey k = {dst, ps->s, ps->len};
        str_map[s] = hashidx_find(&dst->str_index, ps->hash, pstr_eq, &k);
    }
    for (size_t f = 0; f < src->funcs.len; f++) {
        const PFunc *pf = &src->funcs.items[f];
        uint32_t file = str_map[pf->file], name = str_map[pf->name];
        FuncKey k = {dst, file, name, pf->line};
        func_map[f] = file == HASHIDX_NONE || name == HASHIDX_NONE ? HASHIDX_NONE
                    : hashidx_find(&dst->func_index, func_hash(file, name, pf->line), func_eq, &k);
    }
    int rc = 0;
    if (dst->entries.len) rc = check_add(dst, src, func_map, err);
    if (rc == 0) {
        for (size_t f = 0; f < src->funcs.len; f++)
            if (func_map[f] == HASHIDX_NONE) func_map[f] = import_func(dst, src, (uint32_t)f, str_map);
        hashidx_reserve(&dst->caller_index, src->callers.len);
        for (size_t i = 0; i < src->entries.len; i++) {
            const PEntry *se = &src->entries.items[i];
            int added;
            uint32_t de = (uint32_t)(get_entry(dst, func_map[se->func], &added) - dst->entries.items);
            PEntry *e = &dst->entries.items[de];
            e->cc += se->cc;
            e->nc += se->nc;
            e->tt += se->tt;
            e->ct += se->ct;
            for (uint32_t c = se->first; c != HASHIDX_NONE; c = src->callers.items[c].next) {
                const PCaller *sc = &src->callers.items[c];
                PCaller *d = get_caller(dst, de, func_map[sc->func], &added);
                d->is_count = sc->is_count;
                d->nc += sc->nc;
                d->cc += sc->cc;
                d->tt += sc->tt;
                d->ct += sc->ct;
            }
        }
        dst->has_counts |= src->has_counts;
        dst->has_tuples |= src->has_tuples;
    }
    free(str_map);
    free(func_map);
    return rc;
}

/* ---- writing -------------------------------------------------------------------------- */

/* Writes each string and each function key once, flagged, and back-references after that. */
typedef struct Writer {
    Buf *out;
    uint32_t next_ref, *str_ref, *func_ref;
} Writer;

static void write_str(Writer *w, const ProfStats *st, uint32_t s) {
    if (w->str_ref[s] != HASHIDX_NONE) { marshal_w_ref(w->out, w->str_ref[s]); return; }
    w->str_ref[s] = w->next_ref++;
    marshal_w_str(w->out, st->strs.items[s].s, st->strs.items[s].len, 1);
}

static void write_func(Writer *w, const ProfStats *st, uint32_t f) {
    if (w->func_ref[f] != HASHIDX_NONE) { marshal_w_ref(w->out, w->func_ref[f]); return; }
    w->func_ref[f] = w->next_ref++;
    const PFunc *pf = &st->funcs.items[f];
    marshal_w_tuple(w->out, 3, 1);
    write_str(w, st, pf->file);
    marshal_w_int(w->out, pf->line);
    write_str(w, st, pf->name);
}

void prof_write(const ProfStats *st, Buf *out) {
    Writer w = {out, 0, xmalloc((st->strs.len + 1) * sizeof(uint32_t)), xmalloc((st->funcs.len + 1) * sizeof(uint32_t))};
    for (size_t s = 0; s < st->strs.len; s++) w.str_ref[s] = HASHIDX_NONE;
    for (size_t f = 0; f < st->funcs.len; f++) w.func_ref[f] = HASHIDX_NONE;
    marshal_w_dict_begin(out, 0);
    for (size_t i = 0; i < st->entries.len; i++) {
        const PEntry *e = &st->entries.items[i];
        write_func(&w, st, e->func);
        marshal_w_tuple(out, 5, 0);
        marshal_w_int(out, e->cc);
        marshal_w_int(out, e->nc);
        marshal_w_float(out, e->tt);
        marshal_w_float(out, e->ct);
        marshal_w_dict_begin(out, 0);
        for (uint32_t c = e->first; c != HASHIDX_NONE; c = st->callers.items[c].next) {
            const PCaller *pc = &st->callers.items[c];
            write_func(&w, st, pc->func);
            if (pc->is_count) {
                marshal_w_int(out, pc->nc);
                continue;
            }
            marshal_w_tuple(out, 4, 0);
            marshal_w_int(out, pc->nc);
            marshal_w_int(out, pc->cc);
            marshal_w_float(out, pc->tt);
            marshal_w_float(out, pc->ct);
        }
        marshal_w_dict_end(out);
    }
    marshal_w_dict_end(out);
    free(w.str_ref);
    free(w.func_ref);
}

/* ---- access --------------------------------------------------------------------------- */

static ProfFunc func_view(const ProfStats *st, uint32_t f) {
    const PFunc *pf = &st->funcs.items[f];
    const PStr *file = &st->strs.items[pf->file], *name = &st->strs.items[pf->name];
    return (ProfFunc){{file->s, file->len}, pf->line, {name->s, name->len}};
}

size_t prof_count(const ProfStats *st) { return st->entries.len; }

ProfRow prof_row(const ProfStats *st, size_t i) {
    const PEntry *e = &st->entries.items[i];
    return (ProfRow){func_view(st, e->func), e->cc, e->nc, e->tt, e->ct, e->ncallers};
}

size_t prof_callers(const ProfStats *st, size_t i, ProfCaller *out) {
    size_t n = 0;
    for (uint32_t c = st->entries.items[i].first; c != HASHIDX_NONE; c = st->callers.items[c].next) {
        const PCaller *pc = &st->callers.items[c];
        out[n++] = (ProfCaller){func_view(st, pc->func), pc->is_count, pc->nc, pc->cc, pc->tt, pc->ct};
    }
    return n;
}

void prof_totals(const ProfStats *st, int64_t *calls, int64_t *prim_calls, double *tt) {
    int64_t nc = 0, cc = 0;
    double t = 0;
    for (size_t i = 0; i < st->entries.len; i++) {
        const PEntry *e = &st->entries.items[i];
        nc = (int64_t)((uint64_t)nc + (uint64_t)e->nc); /* wraps instead of overflowing */
        cc = (int64_t)((uint64_t)cc + (uint64_t)e->cc);
        t += e->tt;
    }
    *calls = nc;
    *prim_calls = cc;
    *tt = t;
}

/* ---- tables --------------------------------------------------------------------------- */

static const struct { const char *name, *title; } SORT_KEYS[] = {
#define X(k, name, title) {name, title},
    PROF_SORT_KEYS(X)
#undef X
};

int prof_sort_key(const char *name) {
    for (size_t k = 0; k < sizeof SORT_KEYS / sizeof SORT_KEYS[0]; k++)
        if (strcmp(SORT_KEYS[k].name, name) == 0) return (int)k;
    return -1;
}

void prof_func_string(ProfFunc f, Buf *out) {
    if (f.line == 0 && f.file.len == 1 && f.file.s[0] == '~') {
        if (f.name.len >= 2 && f.name.s[0] == '<' && f.name.s[f.name.len - 1] == '>') {
            buf_putc(out, '{');
            buf_put(out, f.name.s + 1, f.name.len - 2);
            buf_putc(out, '}');
        } else {
            buf_put(out, f.name.s, f.name.len);
        }
        return;
    }
    buf_put(out, f.file.s, f.file.len);
    buf_printf(out, ":%" PRId64 "(", f.line);
    buf_put(out, f.name.s, f.name.len);
    buf_putc(out, ')');
}

typedef struct SortCtx {
    const ProfStats *st;
    ProfSortKey key;
    Buf *stdnames; /* for stdname: every row's string, NUL-separated */
    size_t *stdname_at;
} SortCtx;

static int cmp_str(Str a, Str b) {
    int c = memcmp(a.s, b.s, a.len < b.len ? a.len : b.len);
    return c ? c : (a.len > b.len) - (a.len < b.len);
}
#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* Compares rows i and j as pstats' TupleComp does for `key` (0 = equal; ties keep order). */
static int cmp_rows(const SortCtx *s, size_t i, size_t j) {
    const PEntry *a = &s->st->entries.items[i], *b = &s->st->entries.items[j];
    ProfFunc fa = func_view(s->st, a->func), fb = func_view(s->st, b->func);
    int c;
    switch (s->key) {
    case PROF_SORT_CALLS: case PROF_SORT_NCALLS: return CMP(b->nc, a->nc);
    case PROF_SORT_PCALLS: return CMP(b->cc, a->cc);
    case PROF_SORT_CUMTIME: case PROF_SORT_CUMULATIVE: return CMP(b->ct, a->ct);
    case PROF_SORT_TIME: case PROF_SORT_TOTTIME: return CMP(b->tt, a->tt);
    case PROF_SORT_FILENAME: case PROF_SORT_FILE: case PROF_SORT_MODULE: return cmp_str(fa.file, fb.file);
    case PROF_SORT_LINE: return CMP(fa.line, fb.line);
    case PROF_SORT_NAME: return cmp_str(fa.name, fb.name);
    case PROF_SORT_NFL:
        if ((c = cmp_str(fa.name, fb.name))) return c;
        if ((c = cmp_str(fa.file, fb.file))) return c;
        return CMP(fa.line, fb.line);
    case PROF_SORT_STDNAME: {
        Str sa = {s->stdnames->data + s->stdname_at[i], s->stdname_at[i + 1] - s->stdname_at[i] - 1};
        Str sb = {s->stdnames->data + s->stdname_at[j], s->stdname_at[j + 1] - s->stdname_at[j] - 1};
        return cmp_str(sa, sb);
    }
    case PROF_SORT_NONE: return 0;
    }
    return 0;
}

/* A stable merge sort (pstats relies on Python's stable sort for ties). */
static void merge_sort(const SortCtx *s, size_t *a, size_t *tmp, size_t n) {
    if (n < 2) return;
    size_t h = n / 2;
    merge_sort(s, a, tmp, h);
    merge_sort(s, a + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = cmp_rows(s, a[j], a[i]) < 0 ? a[j++] : a[i++];
    while (i < h) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

void prof_sort(const ProfStats *st, ProfSortKey key, size_t *order) {
    size_t n = st->entries.len;
    for (size_t i = 0; i < n; i++) order[i] = i;
    if (key == PROF_SORT_NONE) return;
    Buf names = {0};
    size_t *at = NULL;
    if (key == PROF_SORT_STDNAME) {
        at = xmalloc((n + 1) * sizeof *at);
        for (size_t i = 0; i < n; i++) {
            at[i] = names.len;
            prof_func_string(func_view(st, st->entries.items[i].func), &names);
            buf_putc(&names, 0);
        }
        at[n] = names.len;
    }
    SortCtx s = {st, key, &names, at};
    size_t *tmp = xmalloc((n + 1) * sizeof *tmp);
    merge_sort(&s, order, tmp, n);
    free(tmp);
    free(at);
    buf_free(&names);
}

static void put_f8(Buf *out, double x) { buf_printf(out, "%8.3f", x); }

void prof_print_table(const ProfStats *st, ProfSortKey key, long top, Buf *out) {
    int64_t calls, prim;
    double tt;
    prof_totals(st, &calls, &prim, &tt);
    buf_printf(out, "         %" PRId64 " function calls ", calls);
    if (calls != prim) buf_printf(out, "(%" PRId64 " primitive calls) ", prim);
    buf_printf(out, "in %.3f seconds\n\n", tt);
    size_t n = prof_count(st);
    if (n == 0) return;
    size_t shown = top >= 0 && (size_t)top < n ? (size_t)top : n;
    if (shown == 0) return;
    if (key == PROF_SORT_NONE) buf_puts(out, "   Random listing order was used\n");
    else buf_printf(out, "   Ordered by: %s\n", SORT_KEYS[key].title);
    if (shown != n) buf_printf(out, "   List reduced from %zu to %zu due to restriction <%ld>\n", n, shown, top);
    buf_puts(out, "\n   ncalls  tottime  percall  cumtime  percall filename:lineno(function)\n");
    size_t *order = xmalloc((n + 1) * sizeof *order);
    prof_sort(st, key, order);
    for (size_t k = 0; k < shown; k++) {
        const PEntry *e = &st->entries.items[order[k]];
        char calls_s[48];
        if (e->nc != e->cc) snprintf(calls_s, sizeof calls_s, "%" PRId64 "/%" PRId64, e->nc, e->cc);
        else snprintf(calls_s, sizeof calls_s, "%" PRId64, e->nc);
        buf_printf(out, "%9s ", calls_s);
        put_f8(out, e->tt);
        buf_putc(out, ' ');
        if (e->nc == 0) buf_puts(out, "        ");
        else put_f8(out, e->tt / (double)e->nc);
        buf_putc(out, ' ');
        put_f8(out, e->ct);
        buf_putc(out, ' ');
        if (e->cc == 0) buf_puts(out, "        ");
        else put_f8(out, e->ct / (double)e->cc);
        buf_putc(out, ' ');
        prof_func_string(func_view(st, e->func), out);
        buf_putc(out, '\n');
    }
    buf_puts(out, "\n\n");
    free(order);
}

/* ---- hotspots ------------------------------------------------------------------------- */

const ProfHotspotConfig PROF_HOTSPOT_DEFAULTS = {
    .min_calls = 100, .min_cumtime = 0.1,
    .high_calls = 500, .high_time = 1.0,
    .medium_calls = 200, .medium_time = 0.5,
};

const char *prof_priority_name(ProfPriority p) {
    return p == PROF_HIGH ? "HIGH" : p == PROF_MEDIUM ? "MEDIUM" : "LOW";
}

/* Path pieces that mark code that is not the user's (both / and \ separators). */
static const char *const LIBRARY_MARKS[] = {
    "/site-packages/", "/dist-packages/", "\\site-packages\\", "\\dist-packages\\",
    "/lib/python", "/lib64/python", "\\Lib\\",
};

static int contains(Str hay, const char *needle) {
    size_t n = strlen(needle);
    if (n > hay.len) return 0;
    for (size_t i = 0; i + n <= hay.len; i++)
        if (memcmp(hay.s + i, needle, n) == 0) return 1;
    return 0;
}

int prof_is_library(Str file) {
    if (file.len == 0 || (file.len == 1 && file.s[0] == '~') || file.s[0] == '<') return 1;
    for (size_t k = 0; k < sizeof LIBRARY_MARKS / sizeof LIBRARY_MARKS[0]; k++)
        if (contains(file, LIBRARY_MARKS[k])) return 1;
    return 0;
}

size_t prof_hotspots(const ProfStats *st, const ProfHotspotConfig *cfg, ProfHotspot *out) {
    size_t n = prof_count(st), found = 0;
    size_t *order = xmalloc((n + 1) * sizeof *order);
    prof_sort(st, PROF_SORT_CUMULATIVE, order);
    for (size_t k = 0; k < n; k++) {
        ProfRow r = prof_row(st, order[k]);
        if (r.nc < cfg->min_calls || r.ct < cfg->min_cumtime || prof_is_library(r.func.file)) continue;
        ProfPriority p = r.nc >= cfg->high_calls && r.ct >= cfg->high_time ? PROF_HIGH
                       : r.nc >= cfg->medium_calls || r.ct >= cfg->medium_time ? PROF_MEDIUM
                       : PROF_LOW;
        out[found++] = (ProfHotspot){order[k], p};
    }
    free(order);
    return found;
}
