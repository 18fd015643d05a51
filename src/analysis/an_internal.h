/* an_internal.h - what the analysis's own files share: the tables of known names (analysis.c). */
#ifndef GLINTEFY_AN_INTERNAL_H
#define GLINTEFY_AN_INTERNAL_H
#include <stddef.h>

enum {
    AN_F_PURE = 1,     /* no effect the analysis cares about */
    AN_F_EFFECT = 2,   /* an effect: the AnIssueKind is in the bits above AN_F_KIND_SHIFT */
    AN_F_HEAVY = 4,    /* costly (counts in AnExpense.heavy_calls) */
    AN_F_MUTRET = 8,   /* returns a fresh mutable object */
    AN_F_MUTATES = 16, /* a method that mutates its receiver */
    AN_F_MUTARG0 = 32, /* a function that mutates its first argument (heapq.heappush) */
    AN_F_KIND_SHIFT = 8
};

typedef struct AnKnown {
    const char *name;
    unsigned flags;
} AnKnown;

static inline int an_known_kind(const AnKnown *k) { return (int)(k->flags >> AN_F_KIND_SHIFT); }

/* Thread-safe lookups (the index is built once). Return NULL for names not in the tables. */
const AnKnown *an_known_call(const char *qualified);   /* "time.time", "len", "os.path.join" */
const AnKnown *an_known_attr(const char *qualified);   /* "os.environ" */
const AnKnown *an_known_method(const char *name, size_t n); /* "append" */

#endif
