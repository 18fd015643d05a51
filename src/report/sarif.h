/* sarif.h - SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs): one run whose rules are the
 * analysis' whole issue table with help text, results with stable fingerprints, and files that
 * could not be analysed as tool notifications. Shared by `review cache --format sarif` and
 * `glintefy check --format sarif` (docs/ci.md describes the output). */
#ifndef GLINTEFY_SARIF_H
#define GLINTEFY_SARIF_H
#include <stddef.h>
#include "../analysis/analysis.h"
#include "../base/buf.h"

/* One hazard at a place: file repo-relative, line 1-based, col 0-based (as the analysis). */
typedef struct SarifResult {
    AnIssueKind kind;
    const char *file, *qualname, *detail;
    int line, col;
    const char *other_file; /* a related location (C206: the caller that mutates), or NULL */
    int other_line, other_col;
} SarifResult;

/* A file that was not analysed: line 0 when not about a place; col 1-based (0: unknown). */
typedef struct SarifNote {
    const char *file, *message;
    int line, col;
} SarifNote;

/* The help of a code: what it means, why it matters and what to do ("" when the code has none;
 * every code of AN_ISSUES has one, which the unit tests check). */
const char *sarif_rule_help(AnIssueKind k);
/* "error", "warning" or "note": the level of code k's results. */
const char *sarif_level(AnIssueKind k);
/* The stable fingerprint of r as 16 hex digits + NUL into out[17]: a hash of the code, the file,
 * the function's qualname and the related file, none of which moves when lines are
 * added above; `occurrence` (0, 1, ...) tells equal ones apart. */
void sarif_fingerprint(const SarifResult *r, unsigned occurrence, char out[17]);
/* Appends the whole SARIF document (and a newline) to out. */
void sarif_write(Buf *out, const SarifResult *res, size_t nres, const SarifNote *notes, size_t nnotes);

#endif
