/* targets.c - targets.json for `review profile` (docs/trace-format.md): the same analysis as
 * `review cache` (sources -> rv_parse_all with an_file_facts_src in the hook -> an_repo_link),
 * then every existing cache and the top candidates by review cache's score. */
#include "targets.h"
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "files.h"
#include "facts_hook.h"
#include "parse_all.h"
#include "sources.h"

double rv_expense_score(const AnExpense *e) {
    return 4.0 * (e->recursive != 0) + 3.0 * e->loop_depth + 1.0 * e->loops + 2.0 * e->comprehensions +
           2.0 * e->heavy_calls + e->statements / 10.0;
}

/* floor(log2(n)) + 1 for n > 0, 0 for 0: how call sites weigh (1 -> 1, 2-3 -> 2, 4-7 -> 3 ...). */
static int bit_length(unsigned n) {
    int b = 0;
    for (; n; n >>= 1) b++;
    return b;
}

double rv_candidate_score(const AnFunc *fn) {
    return rv_expense_score(&fn->expense) * (1.0 + bit_length(fn->call_sites > 0 ? (unsigned)fn->call_sites : 0));
}

static int has_hazard(const AnFunc *fn, AnIssueKind k) {
    for (int i = 0; i < fn->nhazards; i++)
        if (fn->hazards[i].kind == k) return 1;
    return 0;
}

int rv_traceable_candidate(const AnFunc *fn) {
    return fn->cache.kind == AN_NO_CACHE && !fn->is_overload && fn->purity == AN_PURE && !fn->is_generator && !fn->is_async &&
           !fn->is_nested && !fn->is_property && !fn->returns_mutable && !has_hazard(fn, AN_C_MUTABLE_RETURN) &&
           !has_hazard(fn, AN_C_MUTATED_RESULT) && !has_hazard(fn, AN_C_UNHASHABLE_ARG);
}


typedef struct Ranked {
    const AnFile *file;
    const AnFunc *fn;
    double score;
} Ranked;

static int cmp_ranked(const void *a, const void *b) {
    const Ranked *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    int c = strcmp(x->file->path, y->file->path);
    return c ? c : x->fn->line - y->fn->line;
}

static json_t *target(const char *repo_real, const AnFile *f, const AnFunc *fn, const char *kind) {
    Buf path = {0};
    buf_printf(&path, "%s/%s", repo_real, f->path);
    json_t *o = json_pack("{s:s, s:i, s:s, s:s}", "file", path.data, "line", fn->first_line, "qualname", fn->qualname,
                          "kind", kind);
    buf_free(&path);
    return o;
}

int rv_write_targets(const char *repo, const char *repo_real, const RvConfig *cfg, const char *path,
                     size_t *ncaches, size_t *ncandidates, char *err, size_t errlen) {
    *ncaches = *ncandidates = 0;
    RvSourceList src;
    if (rv_find_sources(repo, cfg, &src, err, errlen)) {
        rv_sources_free(&src);
        return -1;
    }
    RvFactsCtx fc = {.src = &src, .files = xcalloc(src.len + 1, sizeof(AnFile)), .done = xcalloc(src.len + 1, 1)};
    RvParseSet set;
    RvParseOptions po = {.keep = 0, .hook = rv_facts_hook, .ctx = &fc};
    rv_parse_all(repo, &src, &po, &set);
    int nfiles = 0;
    for (size_t i = 0; i < set.len; i++) {
        if (set.files[i].rejected || !fc.done[i]) continue; /* review cache reports these */
        fc.files[nfiles++] = fc.files[i];
    }
    rv_parse_set_free(&set);
    AnRepo an;
    an_repo_link(&an, fc.files, nfiles);

    json_t *list = json_array();
    Ranked *cand = xcalloc((size_t)an.nfuncs + 1, sizeof *cand);
    size_t ncand = 0;
    for (int i = 0; i < nfiles; i++)
        for (int k = 0; k < fc.files[i].nfuncs; k++) {
            const AnFunc *fn = &fc.files[i].funcs[k];
            if (fn->cache.kind == AN_LRU_CACHE || fn->cache.kind == AN_CACHE) {
                if (!fn->is_nested && *ncaches < RV_MAX_CACHE_TARGETS) {
                    json_array_append_new(list, target(repo_real, &fc.files[i], fn, "cache"));
                    ++*ncaches;
                }
            } else if (rv_traceable_candidate(fn)) {
                cand[ncand++] = (Ranked){&fc.files[i], fn, rv_candidate_score(fn)};
            }
        }
    if (ncand > 1) qsort(cand, ncand, sizeof *cand, cmp_ranked);
    for (size_t i = 0; i < ncand && i < RV_MAX_CANDIDATE_TARGETS; i++) {
        json_array_append_new(list, target(repo_real, cand[i].file, cand[i].fn, "candidate"));
        ++*ncandidates;
    }
    free(cand);
    json_t *root = json_pack("{s:i, s:o}", "version", 1, "targets", list);
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER); /* compact: the probe parses it in every process */
    int e = text ? rv_write_atomic(path, text, strlen(text)) : ENOMEM;
    free(text);
    json_decref(root);
    an_repo_free(&an);
    for (int i = 0; i < nfiles; i++) an_file_free(&fc.files[i]);
    free(fc.files);
    free(fc.done);
    rv_sources_free(&src);
    if (e) {
        snprintf(err, errlen, "cannot write %s: %s", path, file_strerror(e));
        return -1;
    }
    return 0;
}
