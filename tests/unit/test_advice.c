/* test_advice.c - the advice stage's rules on cache_info() counters, the profile and static
 * facts (docs/evidence-rules.md), as a table: evidence -> action, source, note, gain. The trace
 * rules are tested end to end with golden files (tests/curves/evidence). */
#include <stdlib.h>
#include <string.h>
#include "../../src/advice/advice.h"
#include "../../src/runtime/trace.h"
#include "unit.h"

static const AdConfig CFG = {10, 20, 50, 5, 16, 128, 100};

static const struct {
    int64_t hits, misses, maxsize, currsize; /* maxsize CACHE_UNBOUNDED: None */
    int prof;                                /* a profile row of the body (misses) */
    double cumtime;
    AdAction action;
    const char *note;
    int64_t freed;
    int timed; /* gain_s >= 0 */
    const char *says;
} CASES[] = {
    /* 0 calls: never REMOVE */
    {0, 0, 128, 0, 0, 0, AD_KEEP, "not-exercised", 0, 0, "0 calls"},
    /* fewer than min_calls */
    {0, 10, CACHE_UNBOUNDED, 10, 0, 0, AD_KEEP, "not-enough-data", 0, 0, "need min_calls = 100"},
    {1, 2, 128, 2, 0, 0, AD_KEEP, "not-enough-data", 0, 0, "3 calls"},
    /* poor, not full, no profile: REMOVE frees the entries; time not measured */
    {1, 99, CACHE_UNBOUNDED, 99, 0, 0, AD_REMOVE, NULL, 99, 0, "frees 99 entries"},
    /* poor, not full, but each hit skips 1 ms of work: it pays, KEEP */
    {5, 95, CACHE_UNBOUNDED, 95, 1, 0.095, AD_KEEP, NULL, 0, 0, "the cache saves"},
    /* poor, not full, cheap body: REMOVE with a time gain */
    {5, 95, CACHE_UNBOUNDED, 95, 1, 0.0000019, AD_REMOVE, NULL, 95, 1, "saves"},
    /* full at 0 hits: decided by the profile's cost per call against a hit's */
    {0, 5000, 128, 128, 1, 0.0002, AD_REMOVE, NULL, 128, 1, "less than a cache hit"},
    {0, 5000, 128, 128, 1, 0.5, AD_KEEP, "maxsize-may-be-too-small", 0, 0, "To settle it"},
    {0, 5000, 128, 128, 0, 0, AD_KEEP, "maxsize-may-be-too-small", 0, 0, "no profile row"},
    /* 12 keys in 1024 at 99.9%: a smaller maxsize frees nothing: KEEP */
    {11988, 12, 1024, 12, 0, 0, AD_KEEP, NULL, 0, 0, "free nothing"},
    /* between the thresholds: monitor */
    {15, 85, 64, 40, 0, 0, AD_KEEP, NULL, 0, 0, "monitor"},
    {90, 10, 16, 10, 0, 0, AD_KEEP, NULL, 0, 0, "Excellent hit rate (90.0% over 100 calls)"},
};

TEST(advice_existing_from_counters) {
    AnFunc fn;
    memset(&fn, 0, sizeof fn);
    fn.name = fn.qualname = "f";
    fn.cache.kind = AN_LRU_CACHE;
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        CacheStat s = {0};
        s.hits = CASES[k].hits;
        s.misses = CASES[k].misses;
        s.maxsize = CASES[k].maxsize;
        s.currsize = CASES[k].currsize;
        fn.cache.maxsize = CASES[k].maxsize == CACHE_UNBOUNDED ? AN_UNBOUNDED : CASES[k].maxsize;
        AdEvidence e = {.fn = &fn, .stats = &s, .prof = {CASES[k].prof, CASES[k].misses, CASES[k].cumtime}};
        AdVerdict v = ad_existing(&e, &CFG);
        int ok = v.action == CASES[k].action && !strcmp(v.source, "cache_stats") &&
                 (CASES[k].note ? v.note && !strcmp(v.note, CASES[k].note) : !v.note) &&
                 v.entries_freed == CASES[k].freed && (v.gain_s >= 0) == CASES[k].timed && strstr(v.reason, CASES[k].says) &&
                 v.calls == CASES[k].hits + CASES[k].misses;
        /* no gain, no action */
        if (v.action == AD_REMOVE || v.action == AD_ADJUST_SIZE) ok = ok && (v.gain_s > 0 || v.entries_freed > 0);
        if (!ok)
            printf("  case %zu: %s note %s freed %lld gain %f: %s\n", k, ad_action_name(v.action), v.note ? v.note : "-",
                   (long long)v.entries_freed, v.gain_s, v.reason);
        CHECK(ok);
    }
}

TEST(advice_existing_without_counters) {
    AnFunc fn;
    memset(&fn, 0, sizeof fn);
    fn.name = fn.qualname = "f";
    fn.cache.kind = AN_LRU_CACHE;
    fn.cache.maxsize = 128;
    fn.call_sites = 3;
    AdEvidence e = {.fn = &fn};
    AdVerdict v = ad_existing(&e, &CFG);
    CHECK(v.action == AD_KEEP && !strcmp(v.source, "static") && strstr(v.reason, "called 3 times"));
    e.run_measured = 1;
    v = ad_existing(&e, &CFG);
    CHECK(v.action == AD_KEEP && strstr(v.reason, "not measured"));
    e.prof = (AdProfile){1, 500, 0.25};
    v = ad_existing(&e, &CFG);
    CHECK(v.action == AD_KEEP && !strcmp(v.source, "profile") && v.calls == 500 && strstr(v.reason, "hit rate is unknown"));
    /* a cache on a generator goes, whatever the numbers */
    fn.is_generator = 1;
    CacheStat s = {.hits = 900, .misses = 100, .maxsize = 128, .currsize = 100};
    e.stats = &s;
    v = ad_existing(&e, &CFG);
    CHECK(v.action == AD_REMOVE && !strcmp(v.source, "static") && strstr(v.reason, "correct results"));
}

TEST(advice_headroom) {
    CHECK(ad_headroom_size(30) == 64);
    CHECK(ad_headroom_size(12) == 16);
    CHECK(ad_headroom_size(100) == 128);
    CHECK(ad_headroom_size(103) == 256); /* 103 + 26 > 128 */
    CHECK(ad_headroom_size(1) == 2);
}

/* A trace that asks to shrink a maxsize=1024 cache: 4 hot keys called 4,000 times, then 200 keys
 * once each. On a plain decorator that is ADJUST_SIZE down; on a site of a cache factory
 * (@cacheit: one size for all sites, nothing to edit here) it is KEEP with the size it would
 * take, and the factory named. */
TEST(advice_factory_site_keeps_its_size) {
    enum { HOT = 4000, COLD = 200 };
    static TrFunc funcs[1] = {{.file = (char *)"/r/m.py", .qualname = (char *)"f", .line = 1, .kind = TR_CACHE, .state = TR_COMPLETE}};
    TrCall *c = calloc(HOT + COLD, sizeof *c);
    for (int i = 0; i < HOT + COLD; i++)
        c[i] = (TrCall){.fid = 0, .seq = (uint64_t)i + 1, .key_hash = i < HOT ? (uint64_t)(i % 4) : (uint64_t)(100 + i),
                        .duration_ns = 20000, .result_fp = 1};
    TrFile t = {.pid = 1, .overhead_ns = 50, .funcs = funcs, .nfuncs = 1, .calls = c, .ncalls = HOT + COLD};
    TcSet set = {0};
    tc_add(&set, &t, NULL, NULL);
    AnFunc fn;
    memset(&fn, 0, sizeof fn);
    fn.name = fn.qualname = "f";
    fn.cache.kind = AN_LRU_CACHE;
    fn.cache.maxsize = 1024;
    AdEvidence e = {.fn = &fn, .trace = &set.funcs[0], .run_measured = 1};
    AdVerdict v = ad_existing(&e, &CFG);
    CHECK(v.action == AD_ADJUST_SIZE && v.suggested_maxsize > 0 && v.suggested_maxsize < 1024 && v.entries_freed > 0);
    fn.cache.via = "factory";
    fn.cache.factory = "pkg.core.cacheit";
    AdVerdict w = ad_existing(&e, &CFG);
    CHECK(w.action == AD_KEEP && w.note && !strcmp(w.note, "size-set-by-factory") && w.suggested_maxsize == 0);
    CHECK(strstr(w.reason, "pkg.core.cacheit") && strstr(w.reason, "would do best at maxsize"));
    tc_set_free(&set);
    free(c);
}

/* Hostile counters (cache_stats.json is any file a workload or a clone writes): hits + misses
 * saturates at INT64_MAX instead of overflowing (UBSan found INT64_MAX + INT64_MAX here). */
TEST(advice_counters_saturate) {
    AnFunc fn;
    memset(&fn, 0, sizeof fn);
    fn.name = fn.qualname = "f";
    fn.cache.kind = AN_LRU_CACHE;
    fn.cache.maxsize = 128;
    CacheStat s = {.hits = INT64_MAX, .misses = INT64_MAX, .maxsize = 128, .currsize = 128};
    AdEvidence e = {.fn = &fn, .stats = &s, .run_measured = 1};
    AdVerdict v = ad_existing(&e, &CFG);
    CHECK(v.calls == INT64_MAX && v.reason[0]);
    CHECK(cache_counter_add(INT64_MAX - 1, 5) == INT64_MAX && cache_counter_add(2, 3) == 5);
}
