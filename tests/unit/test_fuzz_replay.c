/* test_fuzz_replay.c - replays what the MCP and cache_stats.json fuzzers keep
 * (tests/mcp/fuzz-regressions, tests/profile/cachestats-fuzz-regressions; `make fuzz
 * FUZZ_TARGET=mcp|cachestats`) through the same entry points, with the fuzzers' checks. The unit
 * tests run from the repository. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../src/mcp/mcp.h"
#include "../../src/advice/advice.h"
#include "../../src/profile/cachestats.h"
#include "unit.h"

/* Calls fn on the bytes of every file in dir but README.md; returns how many. */
static int replay(const char *dir, void (*fn)(const char *data, size_t n, void *ctx), void *ctx) {
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return 0;
    struct dirent *e;
    int count = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        CHECK(fp != NULL);
        if (!fp) continue;
        static char buf[1 << 20];
        size_t len = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        char *exact = malloc(len ? len : 1); /* exactly len bytes: ASan sees a read past the end */
        memcpy(exact, buf, len);
        fn(exact, len, ctx);
        free(exact);
        count++;
    }
    closedir(d);
    return count;
}

static void one_cachestats(const char *data, size_t n, void *ctx) {
    (void)ctx;
    CacheStats st;
    CacheStatsError err;
    memset(&err, 0, sizeof err);
    if (cachestats_parse(data, n, &st, &err) != 0) {
        CHECK(err.msg[0] && (err.line > 0 || err.path[0]));
        return;
    }
    for (size_t i = 0; i < st.len; i++) {
        const CacheStat *s = &st.items[i];
        CHECK(s->maxsize >= CACHE_UNBOUNDED && s->hits >= 0 && s->misses >= 0 && s->currsize >= 0);
        AnFunc fn;
        memset(&fn, 0, sizeof fn);
        fn.cache.kind = s->maxsize == CACHE_UNBOUNDED ? AN_CACHE : AN_LRU_CACHE;
        fn.cache.maxsize = AN_MAXSIZE_UNKNOWN; /* the running cache's own maxsize is used */
        AdEvidence e = {.fn = &fn, .stats = s, .run_measured = 1};
        static const AdConfig cfg = {10, 20, 50, 5, 16, 128, 100};
        AdVerdict v = ad_existing(&e, &cfg);
        CHECK(v.reason[0] != 0 && ad_action_name(v.action) != NULL);
    }
    cachestats_free(&st);
}

TEST(cachestats_fuzz_regressions) {
    CHECK(replay("tests/profile/cachestats-fuzz-regressions", one_cachestats, NULL) > 0);
}

static void one_mcp(const char *data, size_t n, void *ctx) { mcp_fuzz_input(data, n, ctx); }

TEST(mcp_fuzz_regressions) {
    char repo[] = "/tmp/glintefy-unit-mcp-XXXXXX";
    CHECK(mkdtemp(repo) != NULL);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY);
    CHECK(saved >= 0 && null >= 0 && dup2(null, STDOUT_FILENO) >= 0);
    int count = replay("tests/mcp/fuzz-regressions", one_mcp, repo);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(null);
    rmdir(repo);
    CHECK(count > 0);
}
