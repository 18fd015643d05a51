/* advice.h - the one place where verdicts are decided (docs/evidence-rules.md). A verdict on an
 * existing cache or a candidate is a pure function of its static facts and every piece of
 * runtime evidence there is (profile row, cache_info() counters, key-trace curves with their
 * reach); reports, the terminal, summary.md, cache_recommendations.json, --validate and MCP read
 * the verdicts and decide nothing themselves. */
#ifndef GLINTEFY_ADVICE_H
#define GLINTEFY_ADVICE_H
#include <stdint.h>
#include "../analysis/analysis.h"
#include "../profile/cachestats.h"
#include "../runtime/tcurve.h"

/* The thresholds the rules use (review.cache settings, docs/configuration.md). */
typedef struct AdConfig {
    double remove_threshold;          /* % hit rate: below it a cache is poor */
    double hit_rate_threshold;        /* % hit rate a candidate needs */
    double size_adjustment_threshold; /* % utilisation below which a bounded cache looks oversized */
    double speedup_threshold;         /* % of the run a new cache must save */
    int64_t min_suggested_maxsize;
    int64_t small_keys;               /* cache_size: a closed key set this small may go unbounded */
    int64_t min_calls;                /* no REMOVE / ADJUST_SIZE / ADD_CACHE on fewer calls */
} AdConfig;

/* A cache hit's cost when the probe did not measure one (docs/evidence-rules.md): CPython's
 * lru_cache lookup of a one-argument key takes 50-100 ns; the estimate errs high. */
enum { AD_HIT_NS_ESTIMATE = 100 };

typedef enum AdAction { AD_KEEP, AD_REMOVE, AD_ADJUST_SIZE, AD_ADD_CACHE, AD_NOT_RECOMMENDED } AdAction;

/* The function's cProfile row. For a cached function cProfile sees the body only on a miss. */
typedef struct AdProfile {
    int present;
    int64_t calls;
    double cumtime; /* s */
} AdProfile;

/* Everything known about one function. Pointers are borrowed; NULL when that evidence is absent. */
typedef struct AdEvidence {
    const AnFunc *fn;        /* static facts (required) */
    const CacheStat *stats;  /* cache_info() summed over every process that reported the cache */
    AdProfile prof;
    const TcFunc *trace;     /* its key-trace curves (over every process), with their reach */
    double run_ns;           /* the run's time (profile, else the traced roots'); 0 unknown */
    uint32_t hit_ns;         /* the probe's measured cost of a hit; 0: AD_HIT_NS_ESTIMATE */
    const char *objection;   /* candidates: the first static objection a measurement cannot lift */
    int run_measured;        /* a profiled run exists (traces, cache_info() or a profile were read) */
} AdEvidence;

/* One verdict. reason is a sentence in the guide's words naming the numbers it rests on. */
typedef struct AdVerdict {
    AdAction action;
    const char *source;        /* what decided: "trace", "cache_stats", "profile", "static" */
    const char *reach;         /* trace: "complete", "settled", "cut short", "stopped"; else NULL */
    const char *note;          /* "not-exercised", "not-enough-data", "trace-cut-short", "size-set-by-factory",
                                * "maxsize-may-be-too-small", "not-measured", or NULL */
    char reason[640];
    int64_t current_maxsize;   /* existing caches: TC_UNBOUNDED or the size; 0 for candidates */
    int64_t suggested_maxsize; /* ADJUST_SIZE / ADD_CACHE: the size, TC_UNBOUNDED; 0 none */
    int64_t calls;             /* calls the verdict rests on (every call seen, not only recorded) */
    int64_t hits, misses;      /* at the current size (existing) or the suggested one (candidates) */
    double hit_rate_percent;
    double gain_s;             /* REMOVE / ADJUST_SIZE / ADD_CACHE: time saved; -1 not measured */
    int64_t entries_freed;     /* REMOVE / ADJUST_SIZE (shrink): entries the cache stops holding */
    int capped;                /* ADD_CACHE: gain_s was cut to the profile's cumulative time */
} AdVerdict;

/* KEEP / REMOVE / ADJUST_SIZE for an existing functools cache. */
AdVerdict ad_existing(const AdEvidence *e, const AdConfig *cfg);
/* ADD_CACHE / NOT_RECOMMENDED for a candidate with a trace (e->trace required). With 0 or fewer
 * than min_calls calls it is NOT_RECOMMENDED with note "not-exercised" / "not-enough-data": the
 * caller reports it as not measured, not as measured and not worth it. */
AdVerdict ad_candidate(const AdEvidence *e, const AdConfig *cfg);

/* "KEEP", "REMOVE", "ADJUST_SIZE", "ADD_CACHE", "NOT_RECOMMENDED". */
const char *ad_action_name(AdAction a);
/* The cache's size as the rules see it: TC_UNBOUNDED for functools.cache / maxsize=None; when
 * the source does not spell it out (maxsize=SOME_CONSTANT), the one the running cache reported
 * (stats, may be NULL), else 128 (a guess: lru_cache's default). */
int64_t ad_current_maxsize(const AnFunc *fn, const CacheStat *stats);
/* The bounded size suggested when a bounded cache must grow to hold `keys`: the working set
 * with a quarter headroom, rounded up to a power of two (never "unbounded"). */
int64_t ad_headroom_size(uint64_t keys);

#endif
