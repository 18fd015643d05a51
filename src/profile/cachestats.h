/* cachestats.h - cache statistics from `cache_info()` (perf/cache_stats.json, every shape the
 * guide shows plus the richer one with file/line/qualname), and the verdict on an existing cache
 * from them: KEEP, REMOVE or ADJUST_SIZE, with the reason and the numbers it rests on. */
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

/* ---- verdicts ------------------------------------------------------------------------- */

/* Thresholds, in percent (glintefy's review.cache settings), and the guide's hit-rate table. */
typedef struct CacheVerdictConfig {
    double remove_threshold;          /* below: REMOVE (unless the cache is full) */
    double hit_rate_threshold;        /* at or above: KEEP or ADJUST_SIZE */
    double size_adjustment_threshold; /* utilisation below this: ADJUST_SIZE */
    int64_t min_suggested_maxsize;    /* floor of the suggested maxsize */
    double excellent_above, good_from, marginal_from; /* >80 excellent, 50-80 good, 20-50 marginal */
} CacheVerdictConfig;

extern const CacheVerdictConfig CACHE_VERDICT_DEFAULTS; /* 10, 20, 50, 16; 80, 50, 20 */

typedef enum CacheRecommendation { CACHE_KEEP, CACHE_REMOVE, CACHE_ADJUST_SIZE } CacheRecommendation;

/* What a report should add beside the recommendation. */
typedef enum CacheNote {
    CACHE_NOTE_NONE,
    CACHE_NOTE_NOT_EXERCISED, /* 0 hits and 0 misses: the workload never reached it */
    CACHE_NOTE_MAY_BE_TOO_SMALL, /* full with a low hit rate: evictions, not useless arguments? */
} CacheNote;

typedef struct CacheVerdict {
    CacheRecommendation recommendation;
    CacheNote note;
    double hit_rate_percent;    /* 0 when not exercised */
    double utilization_percent; /* currsize / maxsize; -1 when unbounded */
    int64_t suggested_maxsize;  /* ADJUST_SIZE only, else 0 */
    const char *rating;         /* "Excellent", "Good", "Marginal", "Poor", or "Not exercised" */
    char reason[320];           /* "Production data: Good hit rate (85.3%)" ... */
} CacheVerdict;

/* The verdict for one cache: a pure function of its counters and the configuration. */
CacheVerdict cache_verdict(const CacheStat *s, const CacheVerdictConfig *cfg);
const char *cache_recommendation_name(CacheRecommendation r); /* "KEEP", "REMOVE", "ADJUST_SIZE" */

#endif
