/* mrc.c - Mattson stack distances with a Fenwick tree over time slots. Every key owns the slot of
 * its last access (marked 1 in the tree); the distance of an access is 1 + the number of marked
 * slots after the key's slot. Slots run out after `cap` accesses: the live slots are then
 * renumbered 1..distinct in order (compaction) and the tree rebuilt in linear time, with cap kept
 * at least twice the distinct keys, so compaction costs O(1) amortised per access. */
#include "mrc.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../base/xalloc.h"

enum { MRC_MIN_CAP = 1024 };
#define MRC_EMPTY UINT32_MAX

/* Invariant: ids 0..nkeys) are the distinct keys seen; slot[id] in 1..now) is marked in tree;
 * owner[slot[id]] == id; tree is a Fenwick tree over 1..cap of the marked slots; the hash table
 * (tkey/tid, 2^bits entries, at most half full) maps each key to its id. */
struct MrcStack {
    uint32_t *tree, *owner; /* cap + 1 entries */
    uint32_t cap, now;      /* next free slot */
    uint32_t *slot;         /* per id */
    uint32_t nkeys, ids_cap;
    uint64_t *tkey;
    uint32_t *tid;
    unsigned bits;
};

static uint32_t tbl_index(uint64_t key, unsigned bits) {
    return (uint32_t)((mrc_mix(key) * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}

static void tbl_init(MrcStack *s, unsigned bits) {
    s->bits = bits;
    s->tkey = xmalloc(sizeof *s->tkey << bits);
    s->tid = xmalloc(sizeof *s->tid << bits);
    memset(s->tid, 0xff, sizeof *s->tid << bits);
}

static void tbl_grow(MrcStack *s) {
    uint64_t *ok = s->tkey;
    uint32_t *oid = s->tid;
    size_t on = (size_t)1 << s->bits;
    tbl_init(s, s->bits + 1);
    uint32_t mask = ((uint32_t)1 << s->bits) - 1;
    for (size_t i = 0; i < on; i++) {
        if (oid[i] == MRC_EMPTY) continue;
        uint32_t j = tbl_index(ok[i], s->bits);
        while (s->tid[j] != MRC_EMPTY) j = (j + 1) & mask;
        s->tkey[j] = ok[i];
        s->tid[j] = oid[i];
    }
    free(ok);
    free(oid);
}

/* Rebuilds the tree with slots 1..k marked, in a tree of cap slots. */
static void tree_ones(uint32_t *tree, uint32_t cap, uint32_t k) {
    tree[0] = 0;
    for (uint32_t i = 1; i <= cap; i++) {
        uint32_t lo = i - (i & -i); /* the node covers (lo, i] */
        uint32_t hi = i < k ? i : k;
        tree[i] = hi > lo ? hi - lo : 0;
    }
}

MrcStack *mrc_stack_new(size_t expected_keys) {
    MrcStack *s = xcalloc(1, sizeof *s);
    size_t cap = expected_keys * 2 > MRC_MIN_CAP ? expected_keys * 2 : MRC_MIN_CAP;
    if (cap > UINT32_MAX / 4) cap = UINT32_MAX / 4;
    s->cap = (uint32_t)cap;
    s->tree = xcalloc(cap + 1, sizeof *s->tree);
    s->owner = xmalloc((cap + 1) * sizeof *s->owner);
    s->now = 1;
    s->ids_cap = (uint32_t)(expected_keys > 64 ? expected_keys : 64);
    s->slot = xmalloc(s->ids_cap * sizeof *s->slot);
    unsigned bits = 7;
    while (((size_t)1 << bits) < expected_keys * 2) bits++;
    tbl_init(s, bits);
    return s;
}

void mrc_stack_free(MrcStack *s) {
    if (!s) return;
    free(s->tree);
    free(s->owner);
    free(s->slot);
    free(s->tkey);
    free(s->tid);
    free(s);
}

size_t mrc_stack_distinct(const MrcStack *s) { return s->nkeys; }

/* Renumbers the live slots 1..nkeys in time order; grows cap to keep it >= 2 * nkeys. */
static void compact(MrcStack *s) {
    uint32_t k = 0;
    for (uint32_t i = 1; i < s->now; i++) {
        uint32_t id = s->owner[i];
        if (id != MRC_EMPTY && s->slot[id] == i) {
            s->owner[++k] = id;
            s->slot[id] = k;
        }
    }
    uint64_t want = (uint64_t)k * 2 > MRC_MIN_CAP ? (uint64_t)k * 2 : MRC_MIN_CAP;
    if (want > s->cap) {
        if (want > UINT32_MAX - 2) abort(); /* 2^31 distinct keys: beyond any trace */
        s->cap = (uint32_t)want;
        s->tree = xrealloc(s->tree, ((size_t)s->cap + 1) * sizeof *s->tree);
        s->owner = xrealloc(s->owner, ((size_t)s->cap + 1) * sizeof *s->owner);
    }
    tree_ones(s->tree, s->cap, k);
    s->now = k + 1;
}

uint64_t mrc_access(MrcStack *s, uint64_t key) {
    uint32_t mask = ((uint32_t)1 << s->bits) - 1;
    uint32_t j = tbl_index(key, s->bits);
    uint32_t id;
    for (;;) {
        id = s->tid[j];
        if (id == MRC_EMPTY || s->tkey[j] == key) break;
        j = (j + 1) & mask;
    }
    uint64_t dist = 0;
    uint32_t *tree = s->tree;
    if (id != MRC_EMPTY) {
        uint32_t old = s->slot[id], before = 0;
        for (uint32_t i = old; i; i &= i - 1) before += tree[i];
        dist = (uint64_t)s->nkeys - before + 1; /* marked slots after old, plus the key itself */
        for (uint32_t i = old; i <= s->cap; i += i & -i) tree[i]--;
        /* owner[old] may stay: compaction checks slot[owner] == slot */
    } else {
        if (s->nkeys == s->ids_cap) {
            s->ids_cap *= 2;
            s->slot = xrealloc(s->slot, (size_t)s->ids_cap * sizeof *s->slot);
        }
        id = s->nkeys++;
        s->tkey[j] = key;
        s->tid[j] = id;
        if ((size_t)s->nkeys * 2 > ((size_t)1 << s->bits)) tbl_grow(s);
    }
    if (s->now > s->cap) {
        s->slot[id] = 0; /* not live during compaction */
        compact(s);
        tree = s->tree;
    }
    uint32_t t = s->now++;
    s->slot[id] = t;
    s->owner[t] = id;
    for (uint32_t i = t; i <= s->cap; i += i & -i) tree[i]++;
    return dist;
}

/* ---- curves ------------------------------------------------------------------------------- */

void mrc_curve_from_hist(const uint64_t *hist, uint64_t distinct, uint64_t requests, MrcCurve *out) {
    out->requests = requests;
    out->distinct = distinct;
    out->sample_rate = 1;
    out->hits = xmalloc((size_t)(distinct + 1) * sizeof *out->hits);
    uint64_t h = 0;
    out->hits[0] = 0;
    for (uint64_t d = 1; d <= distinct; d++) out->hits[d] = h += hist[d];
}

void mrc_curve(const uint64_t *keys, size_t n, MrcCurve *out) {
    MrcStack *s = mrc_stack_new(0);
    size_t hcap = 1024;
    uint64_t *hist = xcalloc(hcap, sizeof *hist);
    for (size_t i = 0; i < n; i++) {
        uint64_t d = mrc_access(s, keys[i]);
        if (d >= hcap) { /* d <= distinct, which grew */
            size_t nc = hcap * 2 > d + 1 ? hcap * 2 : (size_t)d + 1;
            hist = xrealloc(hist, nc * sizeof *hist);
            memset(hist + hcap, 0, (nc - hcap) * sizeof *hist);
            hcap = nc;
        }
        hist[d]++;
    }
    uint64_t distinct = mrc_stack_distinct(s);
    if (distinct + 1 > hcap) {
        hist = xrealloc(hist, (size_t)(distinct + 1) * sizeof *hist);
        memset(hist + hcap, 0, (size_t)(distinct + 1 - hcap) * sizeof *hist);
    }
    mrc_curve_from_hist(hist, distinct, n, out);
    free(hist);
    mrc_stack_free(s);
}

enum { SHARDS_BITS = 24 };

void mrc_curve_shards(const uint64_t *keys, size_t n, double rate, MrcCurve *out) {
    if (!(rate > 0) || rate >= 1) {
        mrc_curve(keys, n, out);
        return;
    }
    uint64_t thresh = (uint64_t)(rate * (double)(1u << SHARDS_BITS));
    if (thresh == 0) thresh = 1;
    double r = (double)thresh / (double)(1u << SHARDS_BITS); /* the rate really applied */
    MrcStack *s = mrc_stack_new(0);
    size_t hcap = 1024;
    uint64_t *hist = xcalloc(hcap, sizeof *hist);
    uint64_t sampled = 0;
    for (size_t i = 0; i < n; i++) {
        /* a different mix from the table's, so sampling and probing are independent */
        if ((mrc_mix(keys[i] ^ 0x5851f42d4c957f2dull) >> (64 - SHARDS_BITS)) >= thresh) continue;
        sampled++;
        uint64_t d = mrc_access(s, keys[i]);
        if (d >= hcap) {
            size_t nc = hcap * 2 > d + 1 ? hcap * 2 : (size_t)d + 1;
            hist = xrealloc(hist, nc * sizeof *hist);
            memset(hist + hcap, 0, (nc - hcap) * sizeof *hist);
            hcap = nc;
        }
        hist[d]++;
    }
    uint64_t sdistinct = mrc_stack_distinct(s);
    uint64_t distinct = (uint64_t)llround((double)sdistinct / r);
    if (distinct > n) distinct = n;
    /* scaled histogram over the full size range; SHARDS-adj: the shortfall of sampled requests
     * against n*r goes to the smallest distance (it is where hot keys, over- or under-sampled,
     * weigh most). */
    double *w = xcalloc((size_t)distinct + 2, sizeof *w);
    double adj = (double)n * r - (double)sampled;
    int adjusted = 0;
    for (uint64_t d = 1; d < hcap && d <= sdistinct; d++) {
        if (!hist[d]) continue;
        double cnt = (double)hist[d];
        if (!adjusted) { cnt += adj; adjusted = 1; }
        /* a sampled distance d stands for true distances in ((d-1)/r, d/r]: spread its weight
         * evenly there, instead of putting it all at d/r (which leaves sizes below 1/r with no
         * hits at all, SHARDS' worst error) */
        double lo = (double)(d - 1) / r, hi = (double)d / r, dens = cnt / r / (hi - lo);
        for (uint64_t c = (uint64_t)lo + 1; c <= distinct && (double)c - 1 < hi; c++) {
            double a = (double)c - 1 > lo ? (double)c - 1 : lo, b = (double)c < hi ? (double)c : hi;
            if (b > a) w[c] += (b - a) * dens;
        }
    }
    out->requests = n;
    out->distinct = distinct;
    out->sample_rate = r;
    out->hits = xmalloc((size_t)(distinct + 1) * sizeof *out->hits);
    out->hits[0] = 0;
    double acc = 0, cap = (double)n - (double)distinct;
    for (uint64_t c = 1; c <= distinct; c++) {
        acc += w[c];
        double h = acc < 0 ? 0 : acc > cap ? cap : acc;
        uint64_t v = (uint64_t)llround(h);
        out->hits[c] = v < out->hits[c - 1] ? out->hits[c - 1] : v;
    }
    free(w);
    free(hist);
    mrc_stack_free(s);
}

void mrc_curve_free(MrcCurve *c) {
    if (!c) return;
    free(c->hits);
    c->hits = NULL;
}

uint64_t mrc_hits_at(const MrcCurve *c, uint64_t size) {
    if (!c->hits) return 0;
    return c->hits[size < c->distinct ? size : c->distinct];
}

double mrc_miss_ratio(const MrcCurve *c, uint64_t size) {
    if (!c->requests) return 1;
    return 1.0 - (double)mrc_hits_at(c, size) / (double)c->requests;
}

void mrc_zipf_keys(size_t n, uint64_t nkeys, double alpha, uint64_t seed, uint64_t *out) {
    if (!nkeys) return;
    double *cdf = xmalloc((size_t)nkeys * sizeof *cdf);
    double acc = 0;
    for (uint64_t k = 1; k <= nkeys; k++) cdf[k - 1] = acc += pow((double)k, -alpha);
    uint64_t state = seed;
    for (size_t i = 0; i < n; i++) {
        /* splitmix64 */
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        double u = (double)(z >> 11) * 0x1p-53 * acc;
        size_t lo = 0, hi = (size_t)nkeys - 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cdf[mid] > u) hi = mid;
            else lo = mid + 1;
        }
        out[i] = lo + 1;
    }
    free(cdf);
}
