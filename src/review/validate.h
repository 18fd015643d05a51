/* validate.h - `review cache --validate -- CMD`: CMD run as it is and with the recommended cache
 * changes applied in memory by the probe (GLINTEFY_PROBE_APPLY), timed and compared; each changed
 * run reports which changes took effect (docs/curves.md, "Validation"). */
#ifndef GLINTEFY_REVIEW_VALIDATE_H
#define GLINTEFY_REVIEW_VALIDATE_H
#include "../analysis/analysis.h"
#include "../base/buf.h"
#include "config.h"

/* What `review cache` knows when there is nothing to apply, so the message names the cause. */
typedef struct RvValidateCtx {
    const AnFile *files; /* the repository's facts: a recommendation's def line -> co_firstlineno */
    int nfiles;
    size_t ntraces;      /* argument-key traces read */
    size_t nprofiles;    /* profiles read */
    int have_cache_stats;
    const char *actions; /* --actions FILE: these actions instead of outdir/cache_recommendations.json */
} RvValidateCtx;

/* Reads outdir/cache_recommendations.json, runs cmd (ncmd > 0) cfg->num_runs times each way,
 * alternating, writes outdir/validation_results.json and appends a line to outdir/summary.md;
 * prints that line on stderr. Returns 0, or 1 on an error (message printed). */
int rv_cache_validate(const char *repo, const char *outdir, const RvConfig *cfg, char **cmd, int ncmd,
                      const RvValidateCtx *ctx);

/* cmd as one shell-quoted line (for messages), in out. */
void rv_command_line(char **cmd, int ncmd, Buf *out);

#endif
