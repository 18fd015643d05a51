/* test_cachestats.c - cache_stats.json in each accepted shape, its error messages (the
 * verdicts from them are tested in test_advice.c). */
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
