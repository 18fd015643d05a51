/* facts_hook.h - per-file facts in the parser's threads: the rv_parse_all hook that runs
 * an_file_facts_src on each tree before it is freed (shared by `review cache` and the target
 * choice of `review profile`). */
#ifndef GLINTEFY_REVIEW_FACTS_HOOK_H
#define GLINTEFY_REVIEW_FACTS_HOOK_H
#include "../analysis/analysis.h"
#include "parse_all.h"
#include "sources.h"

/* files[i] and done[i] belong to src->items[i]; allocate both with src->len (+1) zeroed entries. */
typedef struct RvFactsCtx {
    const RvSourceList *src;
    AnFile *files;
    unsigned char *done; /* 1 once files[i] holds the file's facts */
} RvFactsCtx;

/* The hook: ctx is an RvFactsCtx. Thread-safe: each call writes only its own file's slot. */
void rv_facts_hook(RvParsed *f, void *ctx);

#endif
