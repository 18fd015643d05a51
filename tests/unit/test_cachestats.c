/* test_cachestats.c - cache_stats.json in each accepted shape, its error messages, and the
 * verdict rules for existing caches (a table: counters -> recommendation, note, size, reason). */
#include <stdlib.h>
#include <string.h>
#include "../../src/profile/cachestats.h"
#include "unit.h"

static int parse(const char *json, CacheStats *st, CacheStatsError *err) {
    return cachestats_parse(json, strlen(json), st, err);
}

TEST(cachestats_list_shape) {
    /* the guide's Method 1, with an "error" item for a function that is not a cache */
    const char *j = "[{\"module\": \"myapp.database\", \"function\": \"get_user\", \"hits\": 1234, \"misses\": 56,"
                    " \"hit_rate_percent\": 95.66, \"maxsize\": 128, \"currsize\": 56, \"utilization_percent\": 43.75},"
                    " {\"error\": \"load_settings is not an lru_cache decorated function\"},"
                    " {\"module\": \"m\", \"function\": \"f\", \"hits\": 0, \"misses\": 0, \"maxsize\": null, \"currsize\": 0}]";
    CacheStats st;
    CacheStatsError err;
    CHECK(parse(j, &st, &err) == 0);
    CHECK(st.len == 2);
    if (st.len == 2) {
        CHECK(strcmp(st.items[0].module, "myapp.database") == 0 && strcmp(st.items[0].function, "get_user") == 0);
        CHECK(st.items[0].hits == 1234 && st.items[0].misses == 56 && st.items[0].maxsize == 128 && st.items[0].currsize == 56);
        CHECK(st.items[1].maxsize == CACHE_UNBOUNDED && st.items[1].file == NULL);
    }
    cachestats_free(&st);
}

TEST(cachestats_keyed_shape) {
    /* the guide's Method 2: keyed by "module.function", with "hit_rate" */
    const char *j = "{\"database.get_user\": {\"hits\": 10, \"misses\": 5, \"hit_rate\": 66.67, \"maxsize\": 128, \"currsize\": 5},"
                    " \"plain\": {\"hits\": 1, \"misses\": 1, \"maxsize\": 0, \"currsize\": 0}}";
    CacheStats st;
    CacheStatsError err;
    CHECK(parse(j, &st, &err) == 0);
    CHECK(st.len == 2);
    if (st.len == 2) {
        CHECK(strcmp(st.items[0].module, "database") == 0 && strcmp(st.items[0].function, "get_user") == 0);
        CHECK(st.items[1].module == NULL && strcmp(st.items[1].function, "plain") == 0);
    }
    cachestats_free(&st);
}

TEST(cachestats_rich_shape) {
    const char *j = "{\"version\": 1, \"caches\": [{\"file\": \"src/app/util.py\", \"line\": 12, \"qualname\": \"Parser.tokens\","
                    " \"module\": \"app.util\", \"function\": \"tokens\", \"hits\": 3, \"misses\": 1, \"maxsize\": 32, \"currsize\": 1}]}";
    CacheStats st;
    CacheStatsError err;
    CHECK(parse(j, &st, &err) == 0);
    CHECK(st.len == 1 && st.items[0].line == 12 && strcmp(st.items[0].qualname, "Parser.tokens") == 0 &&
          strcmp(st.items[0].file, "src/app/util.py") == 0);
    cachestats_free(&st);
}

static int parse_fails(const char *json, int line, const char *path, const char *msg) {
    CacheStats st;
    CacheStatsError err;
    int ok = parse(json, &st, &err) == -1 && err.line == line && strcmp(err.path, path) == 0 && strcmp(err.msg, msg) == 0;
    if (!ok) printf("  got line %d path '%s': %s\n", err.line, err.path, err.msg);
    return ok;
}

TEST(cachestats_errors) {
    CHECK(parse_fails("[{\"hits\": 1,", 1, "", "string or '}' expected near end of file"));
    CHECK(parse_fails("42", 0, "$", "expected a list of caches or an object keyed by \"module.function\""));
    CHECK(parse_fails("[{\"function\": \"f\", \"misses\": 1, \"maxsize\": 1, \"currsize\": 1}]", 0, "$[0]", "missing \"hits\""));
    CHECK(parse_fails("[{\"function\": \"f\", \"hits\": -1, \"misses\": 1, \"maxsize\": 1, \"currsize\": 1}]", 0, "$[0]",
                      "\"hits\" must be a non-negative integer"));
    CHECK(parse_fails("[{\"function\": \"f\", \"hits\": 1, \"misses\": 1, \"currsize\": 1}]", 0, "$[0]",
                      "missing \"maxsize\" (null for an unbounded cache)"));
    CHECK(parse_fails("{\"a.b\": [1]}", 0, "$[\"a.b\"]", "expected an object with hits, misses, maxsize, currsize"));
    CHECK(parse_fails("{\"caches\": {}}", 0, "$.caches", "expected a list of caches"));
    CHECK(parse_fails("[{\"hits\": 1, \"misses\": 1, \"maxsize\": 1, \"currsize\": 1}]", 0, "$[0]",
                      "needs \"function\" or \"qualname\" to name the cache"));
    CHECK(parse_fails("[{\"function\": 3, \"hits\": 1, \"misses\": 1, \"maxsize\": 1, \"currsize\": 1}]", 0, "$[0]",
                      "\"function\" must be a string"));
}

/* hits, misses, maxsize, currsize -> recommendation, note, suggested maxsize, reason */
static const struct {
    int64_t hits, misses, maxsize, currsize;
    CacheRecommendation rec;
    CacheNote note;
    int64_t suggested;
    const char *reason;
} VERDICTS[] = {
    {853, 147, 128, 100, CACHE_KEEP, CACHE_NOTE_NONE, 0, "Production data: Excellent hit rate (85.3%)"},
    {60, 40, 128, 100, CACHE_KEEP, CACHE_NOTE_NONE, 0, "Production data: Good hit rate (60.0%)"},
    {30, 70, CACHE_UNBOUNDED, 70, CACHE_KEEP, CACHE_NOTE_NONE, 0, "Production data: Marginal hit rate (30.0%)"},
    {95, 5, 128, 128, CACHE_KEEP, CACHE_NOTE_NONE, 0,
     "Production data: Excellent hit rate (95.0%); the cache is full (128/128), a larger maxsize may raise it further"},
    {90, 10, 1024, 10, CACHE_ADJUST_SIZE, CACHE_NOTE_NONE, 20,
     "Production data: Excellent hit rate (90.0%) but maxsize is larger than needed (using 10/1024, 1.0%) - can reduce to 20"},
    {90, 10, 1024, 3, CACHE_ADJUST_SIZE, CACHE_NOTE_NONE, 16,
     "Production data: Excellent hit rate (90.0%) but maxsize is larger than needed (using 3/1024, 0.3%) - can reduce to 16"},
    {90, 10, 16, 3, CACHE_KEEP, CACHE_NOTE_NONE, 0, "Production data: Excellent hit rate (90.0%)"}, /* 16 is no smaller */
    {5, 95, 128, 95, CACHE_REMOVE, CACHE_NOTE_NONE, 0,
     "Production data: Poor hit rate (5.0%), below remove_threshold (10%) - cache not beneficial"},
    {5, 95, CACHE_UNBOUNDED, 95, CACHE_REMOVE, CACHE_NOTE_NONE, 0,
     "Production data: Poor hit rate (5.0%), below remove_threshold (10%) - cache not beneficial"},
    {5, 995, 128, 128, CACHE_KEEP, CACHE_NOTE_MAY_BE_TOO_SMALL, 0,
     "Production data: Poor hit rate (0.5%) but the cache is full (128/128): maxsize may be too small, evicting "
     "entries before they are reused; hit rates at larger sizes (a key trace, or a run with a larger maxsize) would "
     "settle whether to enlarge or remove it"},
    {15, 85, 64, 40, CACHE_KEEP, CACHE_NOTE_NONE, 0,
     "Production data: Poor hit rate (15.0%), between remove_threshold (10%) and hit_rate_threshold (20%) - monitor performance"},
    {15, 85, 64, 64, CACHE_KEEP, CACHE_NOTE_MAY_BE_TOO_SMALL, 0,
     "Production data: Poor hit rate (15.0%), between remove_threshold (10%) and hit_rate_threshold (20%) - monitor "
     "performance; the cache is full (64/64), maxsize may be too small"},
    {0, 0, 128, 0, CACHE_KEEP, CACHE_NOTE_NOT_EXERCISED, 0,
     "No runtime data: 0 hits and 0 misses - the workload never called it, its module was not imported, or "
     "cache_clear() ran; kept until a workload exercises it"},
    {0, 50, 0, 0, CACHE_KEEP, CACHE_NOTE_MAY_BE_TOO_SMALL, 0, NULL}, /* maxsize=0 caches nothing: full */
};

TEST(cache_verdict_rules) {
    for (size_t k = 0; k < sizeof VERDICTS / sizeof VERDICTS[0]; k++) {
        CacheStat s = {0};
        s.function = "f";
        s.hits = VERDICTS[k].hits;
        s.misses = VERDICTS[k].misses;
        s.maxsize = VERDICTS[k].maxsize;
        s.currsize = VERDICTS[k].currsize;
        CacheVerdict v = cache_verdict(&s, &CACHE_VERDICT_DEFAULTS);
        int ok = v.recommendation == VERDICTS[k].rec && v.note == VERDICTS[k].note &&
                 v.suggested_maxsize == VERDICTS[k].suggested &&
                 (!VERDICTS[k].reason || strcmp(v.reason, VERDICTS[k].reason) == 0);
        if (!ok) printf("  case %zu: %s note %d size %lld: %s\n", k, cache_recommendation_name(v.recommendation),
                        (int)v.note, (long long)v.suggested_maxsize, v.reason);
        CHECK(ok);
    }
}

TEST(cache_verdict_config_is_data) {
    CacheVerdictConfig cfg = CACHE_VERDICT_DEFAULTS;
    cfg.remove_threshold = 50;
    cfg.hit_rate_threshold = 70;
    CacheStat s = {0};
    s.function = "f";
    s.hits = 40;
    s.misses = 60;
    s.maxsize = 128;
    s.currsize = 60;
    CacheVerdict v = cache_verdict(&s, &cfg);
    CHECK(v.recommendation == CACHE_REMOVE && strcmp(v.rating, "Marginal") == 0 && v.hit_rate_percent == 40.0);
    CHECK(v.utilization_percent > 46.8 && v.utilization_percent < 46.9);
}
