/* targets.c - targets.json for `review profile` (docs/trace-format.md): the same analysis as
 * `review cache` (sources -> rv_parse_all with an_file_facts_src in the hook -> an_repo_link),
 * then every existing cache and the top candidates by review cache's score. */
#include "targets.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "../profile/pstats.h"
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


/* A dunder (__hash__, __eq__, __init__ ...): the probe itself calls some of them while it builds
 * a key, and none is a place for a cache. */
static int is_dunder(const char *name) {
    size_t n = strlen(name);
    return n > 4 && name[0] == '_' && name[1] == '_' && name[n - 1] == '_' && name[n - 2] == '_';
}

int rv_traceable_candidate(const AnFunc *fn) {
    /* review cache's judge_candidate (cache_cmd.c) without the two objections a measurement
     * overrides (C210 too cheap, R305 never called): tracing anything else cannot change its
     * verdict, it only costs the user's run */
    if (fn->cache.kind != AN_NO_CACHE || fn->is_overload || fn->purity != AN_PURE || fn->is_generator || fn->is_async ||
        fn->is_nested || fn->is_property || fn->returns_mutable || is_dunder(fn->name))
        return 0;
    if (fn->is_method && !fn->is_staticmethod && !fn->is_classmethod) return 0; /* C201: a cache on a method */
    for (int i = 0; i < fn->nhazards; i++)
        if (fn->hazards[i].kind != AN_C_TOO_CHEAP) return 0;
    return 1;
}

/* ---- expected value: the previous run's profile ---------------------------------------- */

/* A profile row reduced to what ranking needs: where the function is and its cumulative time. */
typedef struct Timed {
    int64_t line;
    const char *name, *file; /* owned by the ProfStats */
    size_t name_len, file_len;
    double ct;
} Timed;

static int cmp_timed(const void *a, const void *b) {
    const Timed *x = a, *y = b;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

typedef struct Profile {
    ProfStats *st;
    Timed *rows;
    size_t n;
} Profile;

/* perf/test_profile.prof of an earlier `review profile`, if there is one (no message: it is
 * only a ranking hint; review cache reports a bad file). */
static void profile_load(const char *repo, Profile *p) {
    memset(p, 0, sizeof *p);
    char *perf = rv_output_path(repo, RV_OUTPUT_PERF);
    Buf path = {0};
    buf_printf(&path, "%s/test_profile.prof", perf);
    free(perf);
    char *data;
    size_t n;
    if (rv_read_file(AT_FDCWD, path.data, &data, &n) == 0) {
        ProfError pe;
        p->st = prof_load((const unsigned char *)data, n, &pe);
        free(data);
    }
    buf_free(&path);
    if (!p->st) return;
    p->n = prof_count(p->st);
    p->rows = xcalloc(p->n + 1, sizeof *p->rows);
    for (size_t i = 0; i < p->n; i++) {
        ProfRow r = prof_row(p->st, i);
        p->rows[i] = (Timed){r.func.line, r.func.name.s, r.func.file.s, r.func.name.len, r.func.file.len, r.ct};
    }
    qsort(p->rows, p->n, sizeof *p->rows, cmp_timed);
}

static void profile_free(Profile *p) {
    prof_free(p->st);
    free(p->rows);
}

/* The cumulative seconds of fn (file f) in the profile, -1 when it has no row (not called). */
static double profile_seconds(const Profile *p, const AnFile *f, const AnFunc *fn) {
    Timed key = {.line = fn->first_line, .name = fn->name, .name_len = strlen(fn->name)};
    Timed *hit = p->n ? bsearch(&key, p->rows, p->n, sizeof *p->rows, cmp_timed) : NULL;
    if (!hit) return -1;
    while (hit > p->rows && cmp_timed(hit - 1, &key) == 0) hit--;
    size_t plen = strlen(f->path);
    double ct = -1;
    for (; hit < p->rows + p->n && cmp_timed(hit, &key) == 0; hit++) /* file ends with "/" + path */
        if (hit->file_len > plen && hit->file[hit->file_len - plen - 1] == '/' &&
            memcmp(hit->file + hit->file_len - plen, f->path, plen) == 0)
            ct = ct < 0 ? hit->ct : ct + hit->ct;
    return ct;
}


typedef struct Ranked {
    const AnFile *file;
    const AnFunc *fn;
    double seconds; /* cumulative time in the earlier profile, -1 without a row (or a profile) */
    double score;   /* static: rv_candidate_score */
} Ranked;

/* Expected value first: profile time (a function the profile shows called before one it shows
 * not called), then the static expense score. */
static int cmp_ranked(const void *a, const void *b) {
    const Ranked *x = a, *y = b;
    if (x->seconds != y->seconds) return x->seconds < y->seconds ? 1 : -1;
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

    Profile prof;
    profile_load(repo, &prof);
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
                cand[ncand++] = (Ranked){&fc.files[i], fn, profile_seconds(&prof, &fc.files[i], fn), rv_candidate_score(fn)};
            }
        }
    if (ncand > 1) qsort(cand, ncand, sizeof *cand, cmp_ranked);
    for (size_t i = 0; i < ncand && i < RV_MAX_CANDIDATE_TARGETS; i++) {
        json_array_append_new(list, target(repo_real, cand[i].file, cand[i].fn, "candidate"));
        ++*ncandidates;
    }
    free(cand);
    profile_free(&prof);
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
