/* clean.h - `review clean`: deletes what the review wrote, only inside the output root, never
 * through a symlink. */
#ifndef GLINTEFY_REVIEW_CLEAN_H
#define GLINTEFY_REVIEW_CLEAN_H
#include <stddef.h>
#include <stdio.h>

/* A scope of `clean -s`: what it deletes, relative to the output root. */
typedef struct RvCleanScope {
    const char *name;   /* all, cache, perf, profile */
    const char *dir;    /* directory under the output root; NULL: the output root itself */
    const char *suffix; /* if set, only the files of `dir` (not recursive) whose names end so */
    const char *what;   /* for help and messages */
} RvCleanScope;

extern const RvCleanScope rv_clean_scopes[];
extern const size_t rv_clean_nscopes;
/* Returns the scope called `name`, or NULL. */
const RvCleanScope *rv_clean_scope(const char *name);

/* Deletes (or with dry_run only lists) what scope `sc` covers under <repo>/LLM-CONTEXT/glintefy/
 * review, printing one line per path to out ("deleted P" / "would delete P", P relative to the
 * repository) and a closing summary line. A symlink met on the way is deleted itself, never
 * followed; a symlink in place of the output root or one of its parents stops the clean.
 * Returns 0, or 1 after printing what could not be deleted to stderr. */
int rv_clean(const char *repo, const RvCleanScope *sc, int dry_run, FILE *out);

#endif
