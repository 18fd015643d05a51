/* trace.h - reading argument-key traces (.gtr, docs/trace-format.md): the writer is the probe,
 * this is the contract for the reader (trace.c) and for the miss-ratio curves built on it. */
#ifndef GLINTEFY_TRACE_H
#define GLINTEFY_TRACE_H
#include <stddef.h>
#include <stdint.h>

enum { TR_RAISED = 1, TR_UNHASHABLE = 2, TR_MUTABLE_RESULT = 4 };
enum { TR_CANDIDATE = 0, TR_CACHE = 1 };
/* How far a function's C records describe its calls (P record, format version 2). */
enum { TR_COMPLETE = 0, TR_SETTLED = 1, TR_CUT_SHORT = 2, TR_STOPPED = 3 };

typedef struct TrFunc {
    char *file, *qualname; /* owned by the TrFile */
    uint32_t line;         /* co_firstlineno */
    int kind;              /* TR_CANDIDATE or TR_CACHE */
    /* From the function's P record (v2). Without one: calls = recorded = its C records, state
     * TR_COMPLETE for a v1 file (TR_CUT_SHORT if it has a T record), TR_CUT_SHORT for a v2 file
     * (the process died before its summary). */
    uint64_t calls;    /* every call the wrapper saw, recorded or not */
    uint64_t recorded; /* C records written */
    uint64_t key_ns;   /* ns spent building and hashing keys (a Python __hash__/__eq__'s cost), 0 unknown */
    int state;         /* TR_COMPLETE, TR_SETTLED, TR_CUT_SHORT or TR_STOPPED */
    int has_summary;   /* a P record was read */
} TrFunc;

/* One call. Invariant after tr_load: calls are sorted by seq (cache lookup order). */
typedef struct TrCall {
    uint32_t fid;
    uint8_t flags;
    uint64_t seq, parent_seq;
    uint64_t key_hash;
    uint64_t duration_ns;
    uint64_t result_fp;
} TrCall;

/* Version 2 records (docs/trace-format.md): a cache_clear() call on a traced cache and who made
 * it, and the start or end of a test (the pytest plugin). A clear empties the cache for the
 * calls with a larger seq. */
enum { TR_CLEAR_CODE = 0, TR_CLEAR_TEST = 1, TR_CLEAR_FIXTURE = 2, TR_CLEAR_UNKNOWN = 3, TR_CLEAR_ORIGINS = 4 };
enum { TR_TEST_START = 0, TR_TEST_END = 1 };
typedef struct TrClear {
    uint32_t fid;
    int origin;   /* TR_CLEAR_* */
    uint64_t seq; /* the seq counter when it was called */
    char *nodeid; /* the test running then ("" if none); owned by the TrFile */
} TrClear;
typedef struct TrBoundary {
    int phase; /* TR_TEST_START or TR_TEST_END */
    uint64_t seq;
    char *nodeid;
} TrBoundary;

/* One process's trace. Free with tr_free (tr_free(NULL) is allowed). */
typedef struct TrFile {
    uint32_t pid;
    uint32_t overhead_ns;
    TrFunc *funcs;
    size_t nfuncs;
    TrCall *calls;
    size_t ncalls;
    uint64_t truncated; /* calls not recorded after the size bound, 0 if none */
    int version;        /* 1 or 2 */
    TrClear *clears;    /* sorted by seq (ties: file order) */
    size_t nclears;
    TrBoundary *bounds; /* sorted by seq */
    size_t nbounds;
} TrFile;

/* Reads a .gtr file's bytes. Returns 0, or -1 with "offset N: what is wrong" in err (the caller
 * prefixes the file name). Never crashes or hangs on hostile input. */
int tr_load(const unsigned char *data, size_t n, TrFile *out, char *err, size_t errlen);
void tr_free(TrFile *t);

#endif
