/* fuzz_cachestats.c - libFuzzer entry point for the cache_stats.json reader
 * (src/profile/cachestats.c), which reads perf/cache_stats.json, a file any workload (or a
 * cloned repository) can write. An accepted file must give well-formed entries, each with a
 * verdict and a reason; a rejection must say where (line:column or a JSON path) and why. A
 * crash, a sanitizer report (UBSan: overflow in the arithmetic on hostile counters), a hang or
 * a leak is a bug. Build and run with `make fuzz FUZZ_TARGET=cachestats`. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../src/profile/cachestats.h"
#include "../src/advice/advice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    CacheStats st;
    CacheStatsError err;
    memset(&err, 0, sizeof err);
    if (cachestats_parse((const char *)data, size, &st, &err) != 0) {
        if (!err.msg[0] || (err.line == 0 && !err.path[0])) __builtin_trap();
        if (!memchr(err.msg, 0, sizeof err.msg) || !memchr(err.path, 0, sizeof err.path)) __builtin_trap();
        return 0;
    }
    for (size_t i = 0; i < st.len; i++) {
        const CacheStat *s = &st.items[i];
        if (s->maxsize < CACHE_UNBOUNDED || s->hits < 0 || s->misses < 0 || s->currsize < 0) __builtin_trap();
        /* the one advice stage judges what was read (docs/evidence-rules.md) */
        AnFunc fn;
        memset(&fn, 0, sizeof fn);
        fn.cache.kind = s->maxsize == CACHE_UNBOUNDED ? AN_CACHE : AN_LRU_CACHE;
        fn.cache.maxsize = AN_MAXSIZE_UNKNOWN; /* the running cache's own maxsize is used */
        AdEvidence e = {.fn = &fn, .stats = s, .run_measured = 1};
        static const AdConfig cfg = {10, 20, 50, 5, 16, 128, 100};
        AdVerdict v = ad_existing(&e, &cfg);
        if (!v.reason[0] || (unsigned)v.action > AD_NOT_RECOMMENDED || !ad_action_name(v.action)) __builtin_trap();
    }
    cachestats_free(&st);
    return 0;
}
