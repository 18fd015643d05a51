/* targets.h - the functions `review profile` traces (docs/trace-format.md, targets.json): every
 * existing functools cache of the repository and the best candidates static analysis finds,
 * chosen with the same pipeline and score as `review cache`. */
#ifndef GLINTEFY_REVIEW_TARGETS_H
#define GLINTEFY_REVIEW_TARGETS_H
#include <stddef.h>
#include "../analysis/analysis.h"
#include "config.h"

enum { RV_MAX_CANDIDATE_TARGETS = 200, RV_MAX_CACHE_TARGETS = 1000 };

/* Expense score: what makes a function worth a cache lookup (docs/review-cache.md). */
double rv_expense_score(const AnExpense *e);
/* A candidate's rank: the expense score weighted by its static call sites (review cache's). */
double rv_candidate_score(const AnFunc *fn);
/* Whether a function may be traced as a candidate: one whose only static objections are those a
 * measurement overrides (C210 too cheap, R305 never called; docs/curves.md) - pure, a plain
 * function, staticmethod or classmethod (not a method: C201), not nested, a property, a dunder,
 * a generator or coroutine, not cached already, no caching hazard. */
int rv_traceable_candidate(const AnFunc *fn);

/* Analyses the repository (sources -> parse with facts -> link) and writes targets.json to
 * `path`: every cache (kind "cache", not nested, not cached_property) and the
 * RV_MAX_CANDIDATE_TARGETS best candidates by expected value (cumulative time in the repository's
 * perf/test_profile.prof from an earlier run, then the static score); files as repo_real + "/" + the relative path.
 * cfg may be NULL. Returns 0 with the counts, or -1 with a message in err. */
int rv_write_targets(const char *repo, const char *repo_real, const RvConfig *cfg, const char *path,
                     size_t *ncaches, size_t *ncandidates, char *err, size_t errlen);

#endif
