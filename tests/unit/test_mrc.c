/* test_mrc.c - miss-ratio curves against a brute-force LRU simulation (every size, random small
 * traces, traces that force compaction and growth), and the SHARDS approximation's error. */
#include <stdlib.h>
#include <string.h>
#include "../../src/runtime/mrc.h"
#include "unit.h"

/* Hits of an LRU cache of `size` entries over keys[0..n), simulated with a recency array. */
static uint64_t brute_lru(const uint64_t *keys, size_t n, size_t size) {
    uint64_t *lru = malloc((size + 1) * sizeof *lru); /* lru[0] most recent */
    size_t len = 0;
    uint64_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < len && lru[j] != keys[i]) j++;
        if (j < len) hits++;
        else if (len < size) j = len++;
        else j = len - 1; /* evict the least recent */
        memmove(lru + 1, lru, j * sizeof *lru);
        lru[0] = keys[i];
    }
    free(lru);
    return hits;
}

static uint64_t rng_state = 12345;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Checks the exact curve at every size 0..distinct+2 against brute_lru. */
static int curve_matches_brute(const uint64_t *keys, size_t n) {
    MrcCurve c;
    mrc_curve(keys, n, &c);
    int ok = c.requests == n && c.hits[0] == 0;
    for (uint64_t s = 1; ok && s <= c.distinct + 2; s++) ok = mrc_hits_at(&c, s) == brute_lru(keys, n, (size_t)s);
    ok = ok && c.hits[c.distinct] == n - c.distinct;
    mrc_curve_free(&c);
    return ok;
}

TEST(mrc_small_known) {
    /* a b c a b d a: distances 0 0 0 3 3 0 3 */
    uint64_t k[] = {1, 2, 3, 1, 2, 4, 1};
    MrcStack *s = mrc_stack_new(0);
    uint64_t want[] = {0, 0, 0, 3, 3, 0, 3};
    for (int i = 0; i < 7; i++) CHECK(mrc_access(s, k[i]) == want[i]);
    CHECK(mrc_stack_distinct(s) == 4);
    CHECK(mrc_access(s, 1) == 1);
    mrc_stack_free(s);
    MrcCurve c;
    mrc_curve(k, 7, &c);
    CHECK(c.distinct == 4 && c.hits[1] == 0 && c.hits[2] == 0 && c.hits[3] == 3 && c.hits[4] == 3);
    CHECK(mrc_hits_at(&c, 1000) == 3);
    mrc_curve_free(&c);
    mrc_curve(k, 0, &c);
    CHECK(c.distinct == 0 && mrc_miss_ratio(&c, 5) == 1.0);
    mrc_curve_free(&c);
    mrc_stack_free(NULL);
}

TEST(mrc_random_vs_brute) {
    /* 200 random traces: uniform and skewed keys, including key 0 and huge keys */
    for (int t = 0; t < 200; t++) {
        size_t n = 1 + rnd() % 600;
        uint64_t nk = 1 + rnd() % (t % 3 == 0 ? 8 : 120);
        uint64_t *k = malloc(n * sizeof *k);
        for (size_t i = 0; i < n; i++) {
            uint64_t r = rnd() % nk;
            if (t % 2) r = r * r % nk; /* skew */
            k[i] = t % 5 == 0 ? r * 0x9e3779b97f4a7c15ull : r;
        }
        CHECK(curve_matches_brute(k, n));
        free(k);
    }
}

TEST(mrc_compaction_and_growth) {
    /* few keys, long trace: the 1024-slot tree compacts hundreds of times */
    size_t n = 40000;
    uint64_t *k = malloc(n * sizeof *k);
    for (size_t i = 0; i < n; i++) k[i] = rnd() % 50;
    CHECK(curve_matches_brute(k, n));
    /* keys keep arriving: the tree and the table grow while compacting */
    for (size_t i = 0; i < n; i++) k[i] = i % 3 ? rnd() % (1 + i / 4) : i;
    MrcCurve c;
    mrc_curve(k, n, &c);
    static const size_t sizes[] = {1, 7, 100, 1000, 3000, 9000};
    for (size_t j = 0; j < sizeof sizes / sizeof *sizes; j++) CHECK(mrc_hits_at(&c, sizes[j]) == brute_lru(k, n, sizes[j]));
    CHECK(c.hits[c.distinct] == n - c.distinct);
    mrc_curve_free(&c);
    free(k);
}

TEST(mrc_zipf_small_vs_brute) {
    size_t n = 200000;
    uint64_t *k = malloc(n * sizeof *k);
    mrc_zipf_keys(n, 2000, 0.9, 42, k);
    MrcCurve c;
    mrc_curve(k, n, &c);
    static const size_t sizes[] = {1, 10, 100, 500, 1999, 2000};
    for (size_t j = 0; j < sizeof sizes / sizeof *sizes; j++) CHECK(mrc_hits_at(&c, sizes[j]) == brute_lru(k, n, sizes[j]));
    mrc_curve_free(&c);
    free(k);
}

TEST(mrc_shards_error) {
    /* Zipf(0.9), 1M requests over 20k keys, 10% sampling, bounds of docs/curves.md on the miss
     * ratio over sizes 1..distinct: mean |error| <= 0.01, max <= 0.2 (at small sizes, where one
     * hot key sampled or not weighs most), max <= 0.05 from size 10/rate up */
    size_t n = 1000000;
    uint64_t *k = malloc(n * sizeof *k);
    mrc_zipf_keys(n, 20000, 0.9, 7, k);
    MrcCurve ex, ap;
    mrc_curve(k, n, &ex);
    mrc_curve_shards(k, n, 0.1, &ap);
    double maxe = 0, maxe_big = 0, sum = 0;
    for (uint64_t s = 1; s <= ex.distinct; s++) {
        double e = mrc_miss_ratio(&ex, s) - mrc_miss_ratio(&ap, s);
        if (e < 0) e = -e;
        if (e > maxe) maxe = e;
        if (s >= 100 && e > maxe_big) maxe_big = e;
        sum += e;
    }
    double mean = sum / (double)ex.distinct;
    if (maxe > 0.2 || mean > 0.01 || maxe_big > 0.05)
        printf("  shards: max error %.4f (%.4f from size 100), mean %.4f\n", maxe, maxe_big, mean);
    CHECK(maxe <= 0.2);
    CHECK(maxe_big <= 0.05);
    CHECK(mean <= 0.01);
    CHECK(ap.distinct > ex.distinct * 8 / 10 && ap.distinct < ex.distinct * 12 / 10);
    mrc_curve_free(&ap);
    /* rate 1 is the exact curve */
    mrc_curve_shards(k, n, 1.0, &ap);
    CHECK(ap.distinct == ex.distinct && memcmp(ap.hits, ex.hits, (ex.distinct + 1) * sizeof *ex.hits) == 0);
    mrc_curve_free(&ap);
    mrc_curve_free(&ex);
    free(k);
}
