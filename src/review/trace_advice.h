/* trace_advice.h - `review cache` verdicts from argument-key traces (perf/traces/NAME.gtr,
 * docs/curves.md): existing caches KEEP / REMOVE / ADJUST_SIZE on their miss-ratio and
 * time-saved curves, candidates ADD_CACHE or not with the reason, and
 * cache_recommendations.json, the one list of actions. */
#ifndef GLINTEFY_TRACE_ADVICE_H
#define GLINTEFY_TRACE_ADVICE_H
#include "../report/cache_report.h"
#include "config.h"

/* Reads every perf_dir/traces/NAME.gtr (a broken one is a warning in r) and applies the verdicts to
 * r's existing caches and candidates. run_seconds: the run's time from the profile (0: unknown,
 * then the traced root calls' time is used). Returns the number of trace files read. */
size_t ta_apply(const char *perf_dir, CrReport *r, const RvConfig *cfg, double run_seconds);

/* Adds cache_recommendations.json, from r, to the output set (after ta_apply; an empty list when
 * no traces were read). Returns 0 or an error code. */
int ta_write_recommendations(const CrReport *r, FileSet *set);

#endif
