/* parse_all.h - parses every source file of a review in parallel, one arena per file. A hook
 * runs on each tree in the worker thread that parsed it; trees are then freed, or kept alive
 * for later passes (keep: costs ~15x the source size in memory, ~550 MB for the stdlib). */
#ifndef GLINTEFY_REVIEW_PARSE_ALL_H
#define GLINTEFY_REVIEW_PARSE_ALL_H
#include <stddef.h>
#include <stdio.h>
#include "../base/arena.h"
#include "../syntax/syntax.h"
#include "sources.h"

/* One parsed file. path and module point into the RvSourceList given to rv_parse_all (keep it
 * alive as long as the set). Exactly one holds: root != NULL (parsed), root == NULL and
 * read_errno == 0 (syntax error in diag), or read_errno != 0 (unreadable). */
typedef struct RvParsed {
    const char *path, *module;
    char *data;  /* the file's bytes, NUL after the end (owned; NULL if unreadable) */
    size_t len;
    Arena arena; /* owns the tree */
    AstNode *root;
    SyntaxDiag diag;
    int read_errno;
    int rejected; /* syntax error or unreadable (stays set when the tree is freed) */
    size_t arena_bytes; /* bytes the tree takes in the arena */
} RvParsed;

typedef struct RvParseSet {
    RvParsed *files; /* one per source, in the list's order */
    size_t len;
    size_t rejected; /* syntax errors + unreadable files */
    size_t bytes;    /* total bytes read */
    size_t peak_arena; /* largest arena_bytes */
    int threads;     /* threads used */
    double seconds;  /* wall time: reading and parsing */
} RvParseSet;

typedef struct RvParseOptions {
    int pyminor; /* Python 3.pyminor's grammar; 0: SYNTAX_PY_MAX */
    int jobs;    /* threads; 0: one per online core */
    int keep;    /* 1: keep every tree and its bytes until rv_parse_set_free; 0: free each
                  * file's arena and bytes right after the hook (root becomes NULL, the
                  * outcome stays readable: parsed = !rejected) */
    /* Called once per file (parsed or not) in the worker thread, files in no set order and
     * concurrently: it must only touch f and what it locks itself. May be NULL. */
    void (*hook)(RvParsed *f, void *ctx);
    void *ctx;
} RvParseOptions;

/* Reads and parses every file of `src` (paths relative to `repo`; opt may be NULL: keep all,
 * no hook). Never fails as a whole: each file's outcome is in its RvParsed. Free with
 * rv_parse_set_free. */
void rv_parse_all(const char *repo, const RvSourceList *src, const RvParseOptions *opt, RvParseSet *out);
/* Frees every arena and buffer; rv_parse_set_free(NULL) is allowed. */
void rv_parse_set_free(RvParseSet *set);
/* Writes one line per rejected file to fp: "path:line:col: message" for a syntax error,
 * "path: strerror" for an unreadable file (paths relative to the repository). */
/* The place to show for a rejected file, 1-based: CPython gives line 0 / column -1 or 0 for
 * errors that have no position (an unknown encoding); those show as 1:1. */
void rv_diag_position(const RvParsed *f, int *line, int *col);
void rv_report_rejected(FILE *fp, const RvParseSet *set);

#endif
