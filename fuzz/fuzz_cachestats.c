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
        CacheVerdict v = cache_verdict(s, &CACHE_VERDICT_DEFAULTS);
        if (!v.reason[0] || (unsigned)v.recommendation > CACHE_ADJUST_SIZE) __builtin_trap();
        if (!cache_recommendation_name(v.recommendation)) __builtin_trap();
    }
    cachestats_free(&st);
    return 0;
}
