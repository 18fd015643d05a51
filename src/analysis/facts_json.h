/* facts_json.h - the analysis facts as JSON (jansson), and `glintefy debug facts`. The JSON form
 * is documented in docs/analysis.md. */
#ifndef GLINTEFY_FACTS_JSON_H
#define GLINTEFY_FACTS_JSON_H
#include <jansson.h>
#include "analysis.h"

enum { AN_JSON_CALLS = 1, AN_JSON_ONLY_CACHED = 2 };

/* Returns a new reference: {"path", "module", "functions": [...], "calls": [...] (with
 * AN_JSON_CALLS)}. repo may be NULL (before linking: no resolved targets). */
json_t *an_file_json(const AnFile *f, const AnRepo *repo, int flags);
/* Returns a new reference: {"version": 1, "files": [...], "functions": N, "caches": N}. */
json_t *an_repo_json(const AnRepo *repo, int flags);

/* `glintefy debug facts ...` (argv after "facts"). */
int an_cmd_debug_facts(int argc, char **argv);
extern const char AN_DEBUG_FACTS_HELP[];

#endif
