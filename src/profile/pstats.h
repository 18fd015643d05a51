/* pstats.h - the pstats model of a profile: {(file, line, funcname): (cc, nc, tt, ct, callers)},
 * callers {(file, line, funcname): (nc, cc, tt, ct)} or, from the pure-Python `profile` module,
 * a plain call count. Load from .prof bytes, add (as pstats.Stats.add), write, sort, hotspots. */
#ifndef GLINTEFY_PSTATS_H
#define GLINTEFY_PSTATS_H
#include <stddef.h>
#include <stdint.h>
#include "../base/buf.h"
#include "../base/str.h"

typedef struct ProfStats ProfStats;

/* An error in a profile: `offset` is the byte it concerns, or -1 when it is not about one. */
typedef struct ProfError {
    long long offset;
    char msg[256];
} ProfError;

typedef struct ProfFunc {
    Str file;     /* as the code object has it; "~" for built-ins */
    int64_t line; /* co_firstlineno: a decorated function's first decorator line */
    Str name;     /* co_name, not the qualified name */
} ProfFunc;

/* One row of the stats: cc primitive calls, nc all calls, tt own time, ct cumulative time. */
typedef struct ProfRow {
    ProfFunc func;
    int64_t cc, nc;
    double tt, ct;
    size_t ncallers;
} ProfRow;

/* One caller of a row. When is_count (profile module), only nc is meaningful. */
typedef struct ProfCaller {
    ProfFunc func;
    int is_count;
    int64_t nc, cc;
    double tt, ct;
} ProfCaller;

/* Returns a new, empty profile (owned by the caller; free with prof_free). */
ProfStats *prof_new(void);
/* Frees a profile; prof_free(NULL) is allowed. */
void prof_free(ProfStats *st);

/* Reads a .prof file's bytes (marshal of the pstats dict). Returns a new profile owned by the
 * caller, or NULL with *err set. The profile does not refer to `data` afterwards. */
ProfStats *prof_load(const unsigned char *data, size_t n, ProfError *err);

/* Adds src into dst exactly as pstats' dst.add(src): sums the tuples of equal functions and
 * merges callers element-wise; new functions and callers go at the end, in src's order.
 * Returns 0, or -1 with *err set (dst unchanged) when a caller is a count in one profile and
 * a tuple in the other, or when a call count would overflow 64 bits. */
int prof_add(ProfStats *dst, const ProfStats *src, ProfError *err);

/* Appends the profile as marshal version 4 (what pstats.Stats reads) to *out. */
void prof_write(const ProfStats *st, Buf *out);

size_t prof_count(const ProfStats *st);
/* Row i (0 <= i < prof_count), in the profile's order; strings belong to st. */
ProfRow prof_row(const ProfStats *st, size_t i);
/* Fills out[0..prof_row(st, i).ncallers) with the callers of row i, in order; returns the count. */
size_t prof_callers(const ProfStats *st, size_t i, ProfCaller *out);

/* pstats' totals: sum of nc ("function calls"), of cc ("primitive calls"), of tt (seconds). */
void prof_totals(const ProfStats *st, int64_t *calls, int64_t *prim_calls, double *tt);

/* ---- tables --------------------------------------------------------------------------- */

/* Sort keys of pstats' sort_stats, each with the name print_stats shows. */
#define PROF_SORT_KEYS(X)                                                 \
    X(PROF_SORT_CALLS, "calls", "call count")                             \
    X(PROF_SORT_NCALLS, "ncalls", "call count")                           \
    X(PROF_SORT_CUMTIME, "cumtime", "cumulative time")                    \
    X(PROF_SORT_CUMULATIVE, "cumulative", "cumulative time")              \
    X(PROF_SORT_FILENAME, "filename", "file name")                        \
    X(PROF_SORT_FILE, "file", "file name")                                \
    X(PROF_SORT_MODULE, "module", "file name")                            \
    X(PROF_SORT_LINE, "line", "line number")                              \
    X(PROF_SORT_NAME, "name", "function name")                            \
    X(PROF_SORT_NFL, "nfl", "name/file/line")                             \
    X(PROF_SORT_PCALLS, "pcalls", "primitive call count")                 \
    X(PROF_SORT_STDNAME, "stdname", "standard name")                      \
    X(PROF_SORT_TIME, "time", "internal time")                            \
    X(PROF_SORT_TOTTIME, "tottime", "internal time")

typedef enum ProfSortKey {
#define X(k, name, title) k,
    PROF_SORT_KEYS(X)
#undef X
    PROF_SORT_NONE /* the profile's own order */
} ProfSortKey;

/* Returns the key for a name of pstats' sort_stats ("cumtime", ...), or -1. */
int prof_sort_key(const char *name);
/* Fills order[0..prof_count) with row indices sorted as pstats.sort_stats(key) (stable). */
void prof_sort(const ProfStats *st, ProfSortKey key, size_t *order);

/* Appends the table of pstats' sort_stats(key).print_stats(top) without its file list: totals,
 * ordering, then "ncalls tottime percall cumtime percall filename:lineno(function)" for the
 * first `top` rows (all when top < 0). */
void prof_print_table(const ProfStats *st, ProfSortKey key, long top, Buf *out);

/* pstats' func_std_string: "file:line(name)", or "{built-in ...}" for '~' rows. */
void prof_func_string(ProfFunc f, Buf *out);

/* ---- hotspots ------------------------------------------------------------------------- */

typedef enum ProfPriority { PROF_LOW, PROF_MEDIUM, PROF_HIGH } ProfPriority;

/* Hotspot thresholds (glintefy's review.cache settings). A row is a hotspot when it has at
 * least min_calls calls (nc) and min_cumtime cumulative seconds, and is not a built-in, nor in
 * the standard library or site-packages (see prof_is_library). */
typedef struct ProfHotspotConfig {
    int64_t min_calls;
    double min_cumtime;
    int64_t high_calls;   /* HIGH: at least high_calls and high_time */
    double high_time;
    int64_t medium_calls; /* MEDIUM: at least medium_calls or medium_time */
    double medium_time;
} ProfHotspotConfig;

extern const ProfHotspotConfig PROF_HOTSPOT_DEFAULTS; /* 100, 0.1 s, 500 & 1.0 s, 200 | 0.5 s */

typedef struct ProfHotspot {
    size_t row; /* index for prof_row */
    ProfPriority priority;
} ProfHotspot;

/* Fills out[0..returned) with the hotspots, by cumulative time (highest first, stable);
 * `out` needs room for prof_count rows. */
size_t prof_hotspots(const ProfStats *st, const ProfHotspotConfig *cfg, ProfHotspot *out);
const char *prof_priority_name(ProfPriority p); /* "HIGH", "MEDIUM", "LOW" */
/* 1 if the file is a built-in ('~'), frozen or generated (<...>), the standard library
 * (.../lib/python3.X/..., .../lib64/python...) or site-packages/dist-packages. */
int prof_is_library(Str file);

#endif
