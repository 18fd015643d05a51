/* cache_report.h - the result of `review cache` as plain data (existing caches with verdicts,
 * candidates with ranks and reasons, profile notes, counts, timings) and its writers: the JSON
 * files under review/cache/, summary.md, the terminal summary and SARIF 2.1.0
 * (docs/review-cache.md describes every format). The writers only read the report. */
#ifndef GLINTEFY_CACHE_REPORT_H
#define GLINTEFY_CACHE_REPORT_H
#include <stdint.h>
#include <stdio.h>
#include "../advice/advice.h"
#include "../analysis/analysis.h"
#include "../base/buf.h"
#include "../base/fileio.h"

enum { CR_FORMAT_VERSION = 1 };

/* One existing functools cache and the advice on it. fn/file point into the linked AnRepo. */
typedef struct CrExisting {
    const AnFile *file;
    const AnFunc *fn;
    const char *recommendation; /* "KEEP", "REMOVE", "ADJUST_SIZE" */
    char reason[760]; /* the verdict's reason and the words on cache_clear() calls (trace_advice.c) */
    int64_t suggested_maxsize;  /* 0: none */
    const char *source;         /* "static", "cache_stats", "trace", "profile" */
    int64_t hits, misses, currsize, maxsize_seen; /* from cache_stats.json (0 when static) */
    double hit_rate_percent, utilization_percent; /* utilization -1: unknown/unbounded */
    const char *rating;         /* cache_stats only: "Excellent", ... "Not exercised"; else NULL */
    const char *note;           /* AdVerdict.note: "not-exercised", "not-enough-data", ... or NULL */
    char *trace_evidence;       /* source "trace": the evidence object as JSON text (owned), else NULL */
    /* the evidence gathered for the advice stage, and its verdict (src/advice) */
    CacheStat stat;             /* cache_info() summed over the processes that reported it (no strings) */
    int has_stat;
    AdProfile prof;             /* the profile row of its body (cache misses) */
    size_t cand;                /* index of its own entry in CrReport.candidates before sorting */
    int decided;                /* ad_existing ran with a trace (trace_advice.c) */
    AdVerdict verdict;          /* what the report shows: recommendation/reason/... are copies */
} CrExisting;

/* Reasons to reject a candidate that are not analysis issues (those are AN_ISSUES codes):
 * X(ENUM, "CODE", "name", "message"). */
#define CR_REJECTS(X)                                                                                     \
    X(ALREADY_CACHED, "R301", "already-cached", "has a functools cache already (see existing_cache_evaluations.json)") \
    X(NOT_PURE, "R302", "not-pure", "is not pure")                                                      \
    X(PURITY_UNKNOWN, "R303", "purity-unknown", "purity could not be established")                      \
    X(PROPERTY, "R304", "property", "is a property: functools.cached_property is the cache for it")     \
    X(NEVER_CALLED, "R305", "never-called", "is not called anywhere in the repository: no sign of repeated calls") \
    X(NESTED, "R306", "nested-function", "is defined inside a function: its cache would start empty on every outer call") \
    X(TRACE_NOT_WORTH, "R307", "measured-not-worth-it", "its traced calls show a cache would not pay off (see trace)") \
    X(UNHASHABLE_LOOKING, "R308", "unhashable-looking", "a parameter looks unhashable (annotated dict/list/set, or **kwargs): lru_cache would raise TypeError; a trace can show otherwise")

typedef enum CrRejectKind {
#define X(e, code, name, msg) CR_##e,
    CR_REJECTS(X)
#undef X
    CR__REJECT_COUNT
} CrRejectKind;
extern const AnIssueDesc cr_reject_desc[CR__REJECT_COUNT];

/* A reason not to add a cache: a stable code and a sentence; loc.line 0 when not about a place. */
typedef struct CrReject {
    const char *code, *name, *message, *detail;
    AnLoc loc;
} CrReject;

/* A function considered for a new cache. */
typedef struct CrCandidate {
    const AnFile *file;
    const AnFunc *fn;
    int accepted;          /* verdict ADD_CACHE; else REJECTED with rejects */
    double expense_score, score;
    int rank;              /* 1-based among accepted, 0 when rejected */
    CrReject *rejects;     /* owned (malloc'd array) */
    int nrejects;
    int profiled;          /* a profile row joined to it */
    int hot;               /* that row is a hotspot (min_calls, min_cumtime) */
    const char *priority;  /* "HIGH", "MEDIUM", "LOW" when hot */
    int64_t calls, primitive_calls;
    double tottime, cumtime, percall;
    char *trace_json;      /* verdict from traces {recommendation, reason, evidence} as JSON (owned), or NULL */
    int trace_verdict;     /* from traces: 1 ADD_CACHE, -1 not recommended, 0 not traced */
    char *trace_reason;    /* that verdict's reason, in the guide's words (owned), or NULL */
    double trace_saving_s; /* expected saving at the suggested size (ADD_CACHE) */
    AdVerdict trace_v;     /* the advice stage's verdict when traced (trace_verdict != 0) */
    char *trace_evidence;  /* its evidence object as JSON (owned), for cache_recommendations.json */
    const char *not_measured; /* after profiling, an untraced candidate: why it was not traced */
} CrCandidate;

/* A file that could not be analysed: path:line:col: message (line 0: unreadable). */
typedef struct CrSkipped {
    const char *path;
    int line, col;
    char msg[512];
} CrSkipped;

typedef struct CrReport {
    const char *repo;          /* as given */
    const char *output_dir;    /* where the files go */
    size_t files, bytes;
    int threads;
    CrSkipped *skipped;
    size_t nskipped;
    size_t functions, pure, impure, unknown;
    size_t overloads;          /* typing.overload stubs, not counted as functions */
    CrExisting *existing;
    size_t nexisting;
    CrCandidate *candidates;   /* in rank order: accepted first by score, then rejected */
    size_t ncandidates, naccepted, nprofile_backed;
    /* runtime data */
    const char *mode;          /* "static" or "production" */
    char **profiles;           /* profile paths read (display form) */
    size_t nprofiles;
    size_t profile_rows, profile_rows_joined;
    const char *cache_stats_path; /* NULL when none */
    size_t cache_stats_entries, cache_stats_matched;
    char **warnings;           /* owned strings: stale profile, changed files, missing functions */
    size_t nwarnings;
    /* argument-key traces (perf/traces/NAME.gtr, docs/curves.md; src/review/trace_advice.c) */
    size_t ntraces, nrecommendations;
    uint64_t trace_calls;
    double trace_run_seconds;
    uint32_t hit_ns;            /* the probe's measured cost of a cache hit (largest over traces), 0 unknown */
    /* settings used */
    double hit_rate_threshold, remove_threshold, size_adjustment_threshold;
    long long min_suggested_maxsize, cache_size, min_calls;
    double min_cumtime, max_profile_age_hours;
    /* wall seconds */
    double t_discover, t_parse, t_link, t_advice, t_write, t_total;
} CrReport;

/* The output files, in the order they are written. */
extern const char *const CR_FILES[5];

/* Writes the five files into *set, begun here on r->output_dir (created if missing): nothing
 * replaces the old files until the caller's file_set_commit, so a full disk leaves the old set
 * whole. Returns 0, or an error code (file_strerror) with the failing path in *failed (points
 * into static storage or r's strings). t_write/t_total are read from r as they are when called.
 * The caller frees *set (file_set_free) in every case. */
int cr_write_files(const CrReport *r, FileSet *set, const char **failed);

/* Appends cache_analysis.json's text (everything) to *out. */
void cr_analysis_json(const CrReport *r, Buf *out);
/* Appends SARIF 2.1.0 (one run, rules from the AN_ISSUES table, one result per hazard on an
 * existing cache) to *out. */
void cr_sarif(const CrReport *r, Buf *out);
/* Appends the terminal summary to *out: counts, existing caches and their verdicts, top
 * candidates, hazards, profile notes, and where the files went. */
void cr_text(const CrReport *r, int top, Buf *out);
/* Appends summary.md to *out. */
void cr_summary_md(const CrReport *r, Buf *out);

/* Takes the advice stage's verdict into x (recommendation, reason, source, counters). */
void cr_existing_take(CrExisting *x, const AdVerdict *v);
/* Whether x's verdict is an action (cache_recommendations.json, Actions): not KEEP. */
int cr_existing_is_action(const CrExisting *x);
/* Whether c is a measured ADD_CACHE action. */
int cr_candidate_is_action(const CrCandidate *c);

/* Frees what the report owns (rejects, skipped, profiles, warnings, arrays). */
void cr_report_free(CrReport *r);

#endif
