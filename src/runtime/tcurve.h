/* tcurve.h - per-function curves from argument-key traces (docs/curves.md): hits, calls avoided
 * and net time saved at every LRU cache size, summed over processes, with nested calls under a
 * hit counted as avoided (parent_seq), and the suggested maxsize rule. */
#ifndef GLINTEFY_TCURVE_H
#define GLINTEFY_TCURVE_H
#include <stddef.h>
#include <stdint.h>
#include "../base/hashidx.h"
#include "trace.h"

enum { TC_UNBOUNDED = -1 };

/* Which cache_clear() calls (trace X records) empty the simulated cache. PRODUCTION: those of
 * the code and of unknown origin - the clears made by tests and fixtures are left out, as they
 * do not happen in production; MEASURED: every one, as the test run itself saw it. */
enum { TC_CLEARS_PRODUCTION = 0, TC_CLEARS_MEASURED = 1 };

/* One traced function, over every process. Arrays have len = max distinct keys of a process + 1
 * entries, index = cache size (size 0: no cache); sizes past the end behave as the last. Owns
 * its strings and arrays; freed by tc_set_free. */
typedef struct TcFunc {
    char *file, *qualname;
    uint32_t line;
    int kind;                 /* TR_CANDIDATE or TR_CACHE */
    uint64_t calls;           /* recorded calls */
    uint64_t seen;            /* every call the wrappers saw (P records; = calls without them) */
    int state;                /* the least complete reach over processes: TR_COMPLETE < TR_SETTLED
                               * < TR_CUT_SHORT < TR_STOPPED (trace.h) */
    uint64_t key_ns;          /* key building/hashing time, summed (0: not measured) */
    uint64_t distinct;        /* distinct keys, summed over processes */
    uint64_t raised, unhashable, mutable_result;
    uint64_t inconsistent;    /* keys whose calls gave different result fingerprints */
    int closed;               /* in every process, no new key in the second half of its calls */
    uint64_t duration_ns;     /* sum over calls not nested in a call of the same function */
    uint32_t overhead_ns;     /* cost of one cache hit (largest over processes) */
    uint64_t clears[TR_CLEAR_ORIGINS]; /* cache_clear() calls by origin (all, whatever the mode) */
    size_t len;
    uint64_t *hits, *avoided; /* avoided: calls under a hit of a traced ancestor */
    double *gross_ns;         /* durations of the hits */
    double *net_ns;           /* gross - overhead: hit = overhead_ns, miss = 2 x overhead_ns */
    /* what processes with fewer keys than len added to every size from some index on, as
     * difference arrays (NULL: nothing pending), applied when a tc_ function reads f: so each
     * process costs time in its own trace's size, not in the longest curve's */
    struct TcTail *tail;
} TcFunc;

typedef struct TcSet {
    TcFunc *funcs;
    size_t nfuncs, cap;
    HashIdx idx; /* funcs by (file, line, qualname): a trace of 100 k functions costs linear time */
    uint64_t root_ns; /* durations of traced calls with no traced parent: a floor of run time */
    uint64_t truncated;
    int clears; /* TC_CLEARS_PRODUCTION (the zero value) or TC_CLEARS_MEASURED; set before tc_add */
} TcSet;

/* What other functions' caches are assumed to be while a function's curve is built: `size` of
 * function i of the set (by file, line, qualname), 0 none, TC_UNBOUNDED. NULL: none. */
typedef int64_t (*TcSizeFn)(const TcFunc *f, void *ctx);

/* Adds one process's trace to the set. Calls nested (parent_seq) under a call of another
 * function that hits at size_of(that function) are avoided at every size; under a call of the
 * same function they are avoided from the size at which that call hits. */
void tc_add(TcSet *set, const TrFile *t, TcSizeFn size_of, void *ctx);
void tc_set_free(TcSet *set);

uint64_t tc_hits(const TcFunc *f, int64_t size);     /* TC_UNBOUNDED: the last entry */
uint64_t tc_avoided(const TcFunc *f, int64_t size);
double tc_net_ns(const TcFunc *f, int64_t size);
/* Hit rate in percent among the lookups made (calls not avoided, hashable) at `size`. */
double tc_hit_rate(const TcFunc *f, int64_t size);

/* The suggested maxsize (docs/curves.md): the smallest size whose net saving reaches `share`
 * (0.95) of the best net saving over all sizes, raised to min_size; TC_UNBOUNDED when the key
 * set is closed and at most small_keys distinct keys; 0 when no size saves anything. */
int64_t tc_suggest(const TcFunc *f, double share, int64_t min_size, int64_t small_keys);

#endif
