/* patch.h - the actions of cache_recommendations.json as edits of the sources: a unified diff
 * (`review cache --diff`) or the files rewritten in place (`--fix`, atomic per file). Reads only
 * that JSON file, source_hashes.json and the sources, so it does not depend on how the verdicts
 * were reached. Rules: docs/review-cache.md, "The patch". */
#ifndef GLINTEFY_PATCH_H
#define GLINTEFY_PATCH_H
#include <stdio.h>
#include "../base/buf.h"

/* Writes outdir/source_hashes.json: an XXH3-64 hash of every file named in
 * outdir/cache_recommendations.json, as read now (right after the analysis). Returns 0 or an
 * errno value. */
int rp_record_hashes(const char *repo, const char *outdir);

typedef struct RpOptions {
    int fix;                 /* rewrite the files (else only the diff) */
    const char *only_validated; /* path of validation_results.json: apply only its validated actions; or NULL */
} RpOptions;

/* Builds the diff of every action of outdir/cache_recommendations.json on the files under repo
 * and appends it to *diff (paths repo-relative, a/ and b/ prefixes, as git writes them); with
 * o->fix also writes the changed files. A file that changed since the analysis (hash differs
 * from source_hashes.json) or an action that cannot be done is reported on err and left out.
 * nactions, nfiles: the actions done and files changed. Returns 0, or 1 when an action was
 * left out or a file could not be written, or 2 when the recommendations cannot be read. */
int rp_patch(const char *repo, const char *outdir, const RpOptions *o, Buf *diff, FILE *err, int *nactions,
             int *nfiles);

/* The edit of one source text, for the tests and the fuzzer: applies the actions (a JSON array
 * of cache_recommendations.json entries, all for this file) to data[0..n). Returns 0 with the new
 * text in *out, or -1 with a message in *out. */
int rp_edit_text(const char *data, size_t n, const char *actions_json, Buf *out);

/* `glintefy debug patch FILE ACTIONS.json`: prints FILE with the actions applied (rp_edit_text). */
extern const char RP_DEBUG_PATCH_HELP[];
int rp_cmd_debug_patch(int argc, char **argv);

#endif
