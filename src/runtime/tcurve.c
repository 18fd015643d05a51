/* tcurve.c - from one process's calls (sorted by seq) to per-function curves: stack distances
 * per function (mrc), then each call's nearest same-function ancestor (the sizes at which it is
 * avoided) and whether an ancestor of another function hits at that function's assumed size
 * (avoided at every size), as difference arrays over sizes, summed into the set. */
#include "tcurve.h"
#include <xxhash.h>
#include <stdlib.h>
#include <string.h>
#include "../base/xalloc.h"
#include "mrc.h"

#define TC_INF UINT64_MAX
#define TC_NONE SIZE_MAX
enum { TC_MAX_WALK = 4096 }; /* ancestors looked at per call (deeper: treated as a root) */

static char *dupstr(const char *s) { return xstrndup(s ? s : "", s ? strlen(s) : 0); }

static uint64_t func_hash(const char *file, uint32_t line, const char *qualname) {
    uint64_t h = XXH3_64bits(file, strlen(file)) ^ ((uint64_t)line * 0x9E3779B97F4A7C15u);
    return h ^ XXH3_64bits_withSeed(qualname, strlen(qualname), 1);
}

typedef struct FindCtx {
    const TcSet *set;
    const char *file, *qualname;
    uint32_t line;
} FindCtx;

static int func_eq(const void *vctx, uint32_t i) {
    const FindCtx *c = vctx;
    const TcFunc *f = &c->set->funcs[i];
    return f->line == c->line && !strcmp(f->file, c->file) && !strcmp(f->qualname, c->qualname);
}

static size_t find_or_add(TcSet *set, const TrFunc *tf) {
    FindCtx c = {set, tf->file ? tf->file : "", tf->qualname ? tf->qualname : "", tf->line};
    uint32_t i = hashidx_get_or_add(&set->idx, func_hash(c.file, c.line, c.qualname), (uint32_t)set->nfuncs,
                                    func_eq, &c);
    if (i != set->nfuncs) return i;
    if (set->nfuncs == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 16;
        set->funcs = xrealloc(set->funcs, set->cap * sizeof *set->funcs);
    }
    TcFunc *f = &set->funcs[set->nfuncs];
    memset(f, 0, sizeof *f);
    f->file = dupstr(tf->file);
    f->qualname = dupstr(tf->qualname);
    f->line = tf->line;
    f->kind = tf->kind;
    f->closed = 1;
    return set->nfuncs++;
}

/* Pending additions to every size from index j on, as difference arrays of f->len entries. */
typedef struct TcTail {
    uint64_t *hits, *avoided;
    double *gross_ns, *net_ns;
    int pending; /* something to apply */
} TcTail;

static TcTail *tail_of(TcFunc *f) {
    if (!f->tail) {
        f->tail = xcalloc(1, sizeof *f->tail);
        f->tail->hits = xcalloc(f->len, sizeof *f->tail->hits);
        f->tail->avoided = xcalloc(f->len, sizeof *f->tail->avoided);
        f->tail->gross_ns = xcalloc(f->len, sizeof *f->tail->gross_ns);
        f->tail->net_ns = xcalloc(f->len, sizeof *f->tail->net_ns);
    }
    return f->tail;
}

static void tail_free(TcTail *t) {
    if (!t) return;
    free(t->hits);
    free(t->avoided);
    free(t->gross_ns);
    free(t->net_ns);
    free(t);
}

/* Applies what is pending (f is const for readers; its arrays are not). */
static void settle(const TcFunc *f) {
    TcTail *t = f->tail;
    if (!t || !t->pending) return;
    t->pending = 0;
    uint64_t h = 0, av = 0;
    double g = 0, net = 0;
    for (size_t s = 0; s < f->len; s++) {
        h += t->hits[s];
        av += t->avoided[s];
        g += t->gross_ns[s];
        net += t->net_ns[s];
        f->hits[s] += h;
        f->avoided[s] += av;
        f->gross_ns[s] += g;
        f->net_ns[s] += net;
    }
    memset(t->hits, 0, f->len * sizeof *t->hits);
    memset(t->avoided, 0, f->len * sizeof *t->avoided);
    memset(t->gross_ns, 0, f->len * sizeof *t->gross_ns);
    memset(t->net_ns, 0, f->len * sizeof *t->net_ns);
}

/* Grows f's arrays to n entries, repeating the last value (sizes past a process's keys). */
static void grow(TcFunc *f, size_t n) {
    if (n <= f->len) return;
    if (f->tail) { /* the pending differences go on past the old end: settle first */
        settle(f);
        tail_free(f->tail);
        f->tail = NULL;
    }
    f->hits = xrealloc(f->hits, n * sizeof *f->hits);
    f->avoided = xrealloc(f->avoided, n * sizeof *f->avoided);
    f->gross_ns = xrealloc(f->gross_ns, n * sizeof *f->gross_ns);
    f->net_ns = xrealloc(f->net_ns, n * sizeof *f->net_ns);
    for (size_t i = f->len; i < n; i++) {
        f->hits[i] = f->len ? f->hits[f->len - 1] : 0;
        f->avoided[i] = f->len ? f->avoided[f->len - 1] : 0;
        f->gross_ns[i] = f->len ? f->gross_ns[f->len - 1] : 0;
        f->net_ns[i] = f->len ? f->net_ns[f->len - 1] : 0;
    }
    f->len = n;
}

static size_t parent_index(const TrFile *t, uint64_t pseq, size_t before) {
    if (!pseq) return TC_NONE;
    size_t lo = 0, hi = before;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->calls[mid].seq < pseq) lo = mid + 1;
        else hi = mid;
    }
    return lo < before && t->calls[lo].seq == pseq ? lo : TC_NONE;
}

static int hits_at(uint64_t dist, int64_t size) {
    if (dist == 0 || dist == TC_INF || size == 0) return 0;
    return size < 0 || dist <= (uint64_t)size;
}

typedef struct KeyFp { uint32_t fid; uint64_t key, fp; } KeyFp;
static int cmp_keyfp(const void *a, const void *b) {
    const KeyFp *x = a, *y = b;
    if (x->fid != y->fid) return x->fid < y->fid ? -1 : 1;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

void tc_add(TcSet *set, const TrFile *t, TcSizeFn size_of, void *ctx) {
    set->truncated += t->truncated;
    size_t nf = t->nfuncs, n = t->ncalls;
    size_t *map = xmalloc((nf + 1) * sizeof *map);
    for (size_t i = 0; i < nf; i++) {
        map[i] = find_or_add(set, &t->funcs[i]);
        /* reach: the worst state wins (one cut-short process makes the whole curve partial) */
        TcFunc *sf = &set->funcs[map[i]];
        sf->seen += t->funcs[i].calls;
        sf->key_ns += t->funcs[i].key_ns;
        if (t->funcs[i].state > sf->state) sf->state = t->funcs[i].state;
    }
    int64_t *assumed = xcalloc(nf + 1, sizeof *assumed);
    if (size_of)
        for (size_t i = 0; i < nf; i++) assumed[i] = size_of(&set->funcs[map[i]], ctx);

    /* stack distances per function, in lookup order. One function at a time, its calls
     * gathered by a counting sort, so only one stack exists at once (one each for 100 k
     * functions took a gigabyte). A cache_clear() that applies (set->clears) starts a new epoch
     * of its function: keys are then mixed with the epoch, so each key's first access after the
     * clear is a cold miss, and the keys of earlier epochs, never accessed again, do not
     * lengthen any later distance - exactly an LRU cache emptied. */
    uint64_t *dist = xmalloc((n + 1) * sizeof *dist);
    uint64_t *cnt = xcalloc(nf + 1, sizeof *cnt), *lastnew = xcalloc(nf + 1, sizeof *lastnew);
    uint64_t *unhashable = xcalloc(nf + 1, sizeof *unhashable);
    uint64_t *D = xcalloc(nf + 1, sizeof *D);
    size_t *from = xcalloc(nf + 2, sizeof *from), *order = xmalloc((n + 1) * sizeof *order);
    /* epoch of each call (only when the trace has clears) */
    uint64_t *epoch = NULL, *ep = NULL;
    if (t->nclears) {
        epoch = xcalloc(nf + 1, sizeof *epoch);
        ep = xcalloc(n + 1, sizeof *ep);
    }
    for (size_t k = 0; k < t->nclears; k++)
        if (t->clears[k].fid < nf) set->funcs[map[t->clears[k].fid]].clears[t->clears[k].origin]++;
    size_t nextclear = 0;
    for (size_t i = 0; i < n; i++) {
        const TrCall *c = &t->calls[i];
        for (; nextclear < t->nclears && t->clears[nextclear].seq < c->seq; nextclear++) {
            const TrClear *x = &t->clears[nextclear];
            int by_tests = x->origin == TR_CLEAR_TEST || x->origin == TR_CLEAR_FIXTURE;
            if (x->fid < nf && (set->clears == TC_CLEARS_MEASURED || !by_tests)) epoch[x->fid]++;
        }
        dist[i] = TC_INF;
        if (c->fid >= nf) continue;
        if (c->flags & TR_UNHASHABLE) { unhashable[c->fid]++; continue; }
        if (ep) ep[i] = epoch[c->fid];
        from[c->fid + 1]++;
    }
    for (size_t f = 0; f < nf; f++) from[f + 1] += from[f];
    {
        size_t *fill = xmalloc((nf + 1) * sizeof *fill);
        memcpy(fill, from, (nf + 1) * sizeof *fill);
        for (size_t i = 0; i < n; i++) {
            const TrCall *c = &t->calls[i];
            if (c->fid < nf && !(c->flags & TR_UNHASHABLE)) order[fill[c->fid]++] = i;
        }
        free(fill);
    }
    for (size_t f = 0; f < nf; f++) {
        if (from[f] == from[f + 1]) continue;
        MrcStack *st = mrc_stack_new(0);
        for (size_t k = from[f]; k < from[f + 1]; k++) {
            size_t i = order[k];
            uint64_t key = ep && ep[i] ? mrc_mix(t->calls[i].key_hash ^ mrc_mix(ep[i])) : t->calls[i].key_hash;
            dist[i] = mrc_access(st, key);
            if (!dist[i]) lastnew[f] = cnt[f];
            cnt[f]++;
        }
        D[f] = mrc_stack_distinct(st);
        mrc_stack_free(st);
    }
    free(from);
    free(order);

    /* ancestors: samemin = smallest distance of a same-function ancestor (TC_INF: none hits) */
    uint64_t *samemin = xmalloc((n + 1) * sizeof *samemin);
    unsigned char *other = xcalloc(n + 1, 1), *nested_same = xcalloc(n + 1, 1);
    size_t *par = xmalloc((n + 1) * sizeof *par);
    for (size_t i = 0; i < n; i++) {
        const TrCall *c = &t->calls[i];
        par[i] = parent_index(t, c->parent_seq, i);
        samemin[i] = TC_INF;
        if (par[i] == TC_NONE) set->root_ns += c->duration_ns;
        size_t a = par[i];
        for (int steps = 0; a != TC_NONE && steps < TC_MAX_WALK; steps++, a = par[a]) {
            const TrCall *p = &t->calls[a];
            if (p->fid == c->fid) {
                uint64_t e = dist[a] == 0 ? TC_INF : dist[a];
                samemin[i] = e < samemin[a] ? e : samemin[a];
                other[i] = other[a];
                nested_same[i] = 1;
                break;
            }
            if (p->fid < nf && hits_at(dist[a], assumed[p->fid])) { other[i] = 1; break; }
        }
    }

    /* difference arrays per function over sizes 0..D+1 */
    int64_t **dh = xcalloc(nf + 1, sizeof *dh), **da = xcalloc(nf + 1, sizeof *da);
    double **dg = xcalloc(nf + 1, sizeof *dg);
    for (size_t f = 0; f < nf; f++) {
        dh[f] = xcalloc(D[f] + 2, sizeof **dh);
        da[f] = xcalloc(D[f] + 2, sizeof **da);
        dg[f] = xcalloc(D[f] + 2, sizeof **dg);
    }
    KeyFp *kf = xmalloc((n + 1) * sizeof *kf);
    size_t nkf = 0;
    for (size_t i = 0; i < n; i++) {
        const TrCall *c = &t->calls[i];
        if (c->fid >= nf) continue;
        uint32_t f = c->fid;
        TcFunc *tf = &set->funcs[map[f]];
        tf->calls++;
        tf->raised += (c->flags & TR_RAISED) != 0;
        tf->unhashable += (c->flags & TR_UNHASHABLE) != 0;
        tf->mutable_result += (c->flags & TR_MUTABLE_RESULT) != 0;
        if (!nested_same[i]) tf->duration_ns += c->duration_ns;
        if (!(c->flags & (TR_RAISED | TR_UNHASHABLE))) kf[nkf++] = (KeyFp){f, c->key_hash, c->result_fp};
        if (other[i]) { da[f][0]++; continue; }
        uint64_t A = samemin[i] > D[f] + 1 ? D[f] + 1 : samemin[i];
        uint64_t d = dist[i];
        if (d != 0 && d != TC_INF && d < A && !(c->flags & TR_RAISED)) {
            dh[f][d]++;
            dh[f][A]--;
            dg[f][d] += (double)c->duration_ns;
            dg[f][A] -= (double)c->duration_ns;
        }
        if (A <= D[f]) da[f][A]++;
    }
    /* same key, different result: a cache would change what the program computes */
    qsort(kf, nkf, sizeof *kf, cmp_keyfp);
    for (size_t i = 0; i < nkf;) {
        size_t j = i + 1;
        int differs = 0;
        while (j < nkf && kf[j].fid == kf[i].fid && kf[j].key == kf[i].key) differs |= kf[j++].fp != kf[i].fp;
        set->funcs[map[kf[i].fid]].inconsistent += (uint64_t)differs;
        i = j;
    }
    /* prefix sums, net saving, into the set */
    for (size_t f = 0; f < nf; f++) {
        TcFunc *tf = &set->funcs[map[f]];
        tf->distinct += D[f];
        if (cnt[f] && lastnew[f] * 2 >= cnt[f]) tf->closed = 0;
        if (t->overhead_ns > tf->overhead_ns) tf->overhead_ns = t->overhead_ns;
        grow(tf, D[f] + 1);
        int64_t h = 0, av = 0;
        double g = 0, ov = (double)t->overhead_ns;
        for (size_t s = 0; s <= D[f]; s++) {
            h += dh[f][s];
            av += da[f][s];
            g += dg[f][s];
            double lookups = (double)cnt[f] - (double)av; /* cnt: hashable calls */
            double misses = lookups - (double)h;
            tf->hits[s] += (uint64_t)h;
            tf->avoided[s] += (uint64_t)av;
            tf->gross_ns[s] += g;
            tf->net_ns[s] += g - ov * (lookups + misses);
        }
        if (tf->len > D[f] + 1) { /* the same amounts at every larger size: pending */
            double lookups = (double)cnt[f] - (double)av, misses = lookups - (double)h;
            TcTail *tl = tail_of(tf);
            size_t j = D[f] + 1;
            tl->hits[j] += (uint64_t)h;
            tl->avoided[j] += (uint64_t)av;
            tl->gross_ns[j] += g;
            tl->net_ns[j] += g - ov * (lookups + misses);
            tl->pending = 1;
        }
        free(dh[f]);
        free(da[f]);
        free(dg[f]);
    }
    free(kf);
    free(dh);
    free(da);
    free(dg);
    free(par);
    free(other);
    free(nested_same);
    free(samemin);
    free(D);
    free(unhashable);
    free(epoch);
    free(ep);
    free(cnt);
    free(lastnew);
    free(dist);
    free(assumed);
    free(map);
}

void tc_set_free(TcSet *set) {
    if (!set) return;
    for (size_t i = 0; i < set->nfuncs; i++) {
        TcFunc *f = &set->funcs[i];
        free(f->file);
        free(f->qualname);
        free(f->hits);
        free(f->avoided);
        free(f->gross_ns);
        free(f->net_ns);
        tail_free(f->tail);
    }
    free(set->funcs);
    hashidx_free(&set->idx);
    memset(set, 0, sizeof *set);
}

static size_t at(const TcFunc *f, int64_t size) {
    settle(f);
    if (!f->len) return 0;
    if (size < 0 || (uint64_t)size >= f->len) return f->len - 1;
    return (size_t)size;
}
uint64_t tc_hits(const TcFunc *f, int64_t size) { return f->len ? f->hits[at(f, size)] : 0; }
uint64_t tc_avoided(const TcFunc *f, int64_t size) { return f->len ? f->avoided[at(f, size)] : 0; }
double tc_net_ns(const TcFunc *f, int64_t size) {
    return f->len ? f->net_ns[at(f, size)] : -(double)f->overhead_ns * 2 * (double)f->calls;
}
double tc_hit_rate(const TcFunc *f, int64_t size) {
    double lookups = (double)f->calls - (double)f->unhashable - (double)tc_avoided(f, size);
    return lookups > 0 ? 100.0 * (double)tc_hits(f, size) / lookups : 0;
}

int64_t tc_suggest(const TcFunc *f, double share, int64_t min_size, int64_t small_keys) {
    settle(f);
    if (f->len < 2) return 0;
    double best = f->net_ns[1];
    for (size_t s = 2; s < f->len; s++)
        if (f->net_ns[s] > best) best = f->net_ns[s];
    if (!(best > 0)) return 0;
    if (f->closed && f->len - 1 <= (uint64_t)small_keys) return TC_UNBOUNDED;
    size_t s = 1;
    while (s < f->len - 1 && f->net_ns[s] < share * best) s++;
    return (int64_t)s < min_size ? min_size : (int64_t)s;
}
