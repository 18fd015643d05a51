/* cachestats.h - cache statistics from `cache_info()` (perf/cache_stats.json, every shape the
 * guide shows plus the richer one with file/line/qualname). */
#ifndef GLINTEFY_CACHESTATS_H
#define GLINTEFY_CACHESTATS_H
#include <stddef.h>
#include <stdint.h>

enum { CACHE_UNBOUNDED = -1 }; /* maxsize None (functools.cache, lru_cache(maxsize=None)) */

/* One cache's counters. Strings are owned by the CacheStats that holds it; absent ones are NULL. */
typedef struct CacheStat {
    char *module, *function; /* "module.function" keys are split at the last dot */
    char *file, *qualname;   /* richer shape only */
    int64_t line;            /* richer shape only; 0 when absent */
    int64_t hits, misses;
    int64_t maxsize;         /* CACHE_UNBOUNDED, or >= 0 */
    int64_t currsize;
} CacheStat;

/* Counters are non-negative but may be as large as a hostile file makes them: they are added
 * with saturation at INT64_MAX (a sum that overflowed would be undefined, then negative). */
static inline int64_t cache_counter_add(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }
/* hits + misses, saturated. */
static inline int64_t cache_stat_calls(const CacheStat *s) { return cache_counter_add(s->hits, s->misses); }

/* Invariant: items[0..len) are valid; owns every string in them. */
typedef struct CacheStats {
    CacheStat *items;
    size_t len;
} CacheStats;

/* An error in the file: at line:column for JSON syntax, else at a JSON path ("$[2].hits"). */
typedef struct CacheStatsError {
    int line, column; /* 0 when the error is not about JSON syntax */
    char path[96];
    char msg[160];
} CacheStatsError;

/* Parses cache_stats.json from data[0..n). Accepted shapes (see docs/profile.md):
 *  - a list of {module, function, hits, misses, maxsize, currsize, ...}
 *  - an object {"module.function": {hits, misses, maxsize, currsize, ...}, ...}
 *  - an object {"version": 1, "caches": [{file, line, qualname, module, function, hits, ...}]}
 * hit rates and utilisation in the file are ignored: they are recomputed from the counters.
 * List items that only carry "error" (the guide's script writes them for non-caches) are skipped.
 * Returns 0 with *out filled (free with cachestats_free), or -1 with *err set. */
int cachestats_parse(const char *data, size_t n, CacheStats *out, CacheStatsError *err);
/* Frees what cachestats_parse filled; a zeroed CacheStats may be freed too. */
void cachestats_free(CacheStats *st);

/* The verdict on a cache is not decided here: src/advice (docs/evidence-rules.md). */

#endif
