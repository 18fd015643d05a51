/* validate.h - `review cache --validate -- CMD`: CMD run as it is and with the recommended cache
 * changes applied in memory by the probe (GLINTEFY_PROBE_APPLY), timed and compared
 * (docs/curves.md, "Validation"). */
#ifndef GLINTEFY_REVIEW_VALIDATE_H
#define GLINTEFY_REVIEW_VALIDATE_H
#include "config.h"

/* Reads outdir/cache_recommendations.json, runs cmd (NULL-terminated, ncmd > 0) cfg->num_runs
 * times each way, alternating, writes outdir/validation_results.json and appends a line to
 * outdir/summary.md; prints that line on stderr. Returns 0, or EXIT_REJECTED-like 1 on an error
 * (message printed). */
int rv_cache_validate(const char *repo, const char *outdir, const RvConfig *cfg, char **cmd, int ncmd);

#endif
