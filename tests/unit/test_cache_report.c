/* test_cache_report.c - the review cache writer on a synthetic report larger than one chunk of
 * the per-function lists: the files are the same bytes for 1 and 4 threads, parse as JSON with
 * an entry per function (per pure function), and keep their layout (an entry per line, the
 * first without a comma) whatever chunk the first entry falls in. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/base/fileio.h"
#include "../../src/report/cache_report.h"
#include "unit.h"

enum { NFUNCS = 2000 };

typedef struct Fake {
    AnFile files[3];
    AnFunc funcs[NFUNCS];
    CrCandidate cands[NFUNCS];
    CrReject rejects[NFUNCS];
    char names[NFUNCS][32];
    CrReport r;
} Fake;

/* pure_from: index of the first pure function (none before it, every 7th after it) */
static void fake_report(Fake *f, size_t pure_from) {
    memset(f, 0, sizeof *f);
    static const char *const paths[3] = {"pkg/a.py", "pkg/\"quoted\"\\b.py", "pkg/caf\xc3\xa9\x01\xff.py"};
    static const char *const modules[3] = {"pkg.a", "pkg.\"quoted\"\\b", "pkg.caf\xc3\xa9"};
    for (int i = 0; i < 3; i++) {
        f->files[i].path = paths[i];
        f->files[i].module = modules[i];
    }
    for (size_t i = 0; i < NFUNCS; i++) {
        AnFunc *fn = &f->funcs[i];
        snprintf(f->names[i], sizeof f->names[i], "f%zu\t\xe2\x82\xac", i);
        fn->name = fn->qualname = f->names[i];
        fn->line = (int)i + 1;
        fn->purity = i >= pure_from && i % 7 == 0 ? AN_PURE : i % 3 ? AN_IMPURE : AN_UNKNOWN;
        fn->call_sites = (int)(i % 11);
        fn->expense.statements = (int)(i % 5) + 1;
        CrCandidate *c = &f->cands[i];
        c->file = &f->files[i % 3];
        c->fn = fn;
        c->accepted = i < 40;
        c->rank = c->accepted ? (int)i + 1 : 0;
        c->score = 1000.0 / (double)(i + 1) - (i % 2 ? 0.005 : 0);
        c->expense_score = (double)(i % 100) / 8;
        if (!c->accepted) {
            f->rejects[i] = (CrReject){cr_reject_desc[i % CR__REJECT_COUNT].code, NULL, NULL, i % 2 ? "a \"detail\"" : NULL,
                                       {(int)i + 1, 4}};
            c->rejects = &f->rejects[i];
            c->nrejects = 1;
        }
    }
    CrReport *r = &f->r;
    r->repo = ".";
    r->mode = "static";
    r->candidates = f->cands;
    r->ncandidates = r->functions = NFUNCS;
    r->naccepted = 40;
}

static char *slurp(const char *dir, const char *name, size_t *n) {
    char path[512], *data = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (file_read_all(path, &data, n) != 0) return NULL;
    return data;
}

/* Writes with 1 and 4 threads; checks identity, shapes and counts of both lists. */
static int check_lists(Fake *f, size_t npure) {
    int ok = 1;
    char dirs[2][64];
    for (int t = 0; t < 2; t++) {
        snprintf(dirs[t], sizeof dirs[t], "/tmp/glintefy-unit-XXXXXX");
        ok &= mkdtemp(dirs[t]) != NULL;
        f->r.output_dir = dirs[t];
        f->r.threads = t ? 4 : 1;
        const char *failed = NULL;
        FileSet set;
        ok &= cr_write_files(&f->r, &set, &failed) == 0 && file_set_commit(&set) == 0;
        file_set_free(&set);
    }
    static const char *const files[2] = {"cache_candidates.json", "pure_functions.json"};
    static const char *const keys[2] = {"candidates", "functions"};
    for (int k = 0; k < 2 && ok; k++) {
        size_t n1 = 0, n4 = 0;
        char *one = slurp(dirs[0], files[k], &n1), *four = slurp(dirs[1], files[k], &n4);
        ok &= one && four && n1 == n4 && memcmp(one, four, n1) == 0;
        json_error_t err;
        json_t *doc = one ? json_loadb(one, n1, 0, &err) : NULL;
        size_t want = k ? npure : NFUNCS;
        ok &= doc && json_array_size(json_object_get(doc, keys[k])) == want;
        /* "KEY": [ then an entry per line, commas after all but the last, "  ]" (or "[]") */
        char head[64];
        snprintf(head, sizeof head, "\"%s\": [%s", keys[k], want ? "\n    {\"file\": " : "]\n}\n");
        ok &= one && strstr(one, head) != NULL;
        size_t lines = 0;
        for (const char *p = one; p && (p = strstr(p, "\n    {\"file\": ")) != NULL; p++) lines++;
        ok &= lines == want;
        if (!ok) printf("  %s: %zu entries, %zu lines, want %zu\n", files[k], doc ? json_array_size(json_object_get(doc, keys[k])) : 0, lines, want);
        json_decref(doc);
        free(one);
        free(four);
    }
    for (int t = 0; t < 2; t++) {
        for (int i = 0; i < 6; i++) {
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[t], i < 5 ? CR_FILES[i] : "cache_recommendations.json");
            unlink(path);
        }
        rmdir(dirs[t]);
    }
    return ok;
}

TEST(cache_report_lists_in_chunks) {
    Fake *f = malloc(sizeof *f);
    /* pure functions from the start; only in a late chunk; none at all */
    static const size_t pure_from[3] = {0, 1500, NFUNCS};
    for (int i = 0; i < 3; i++) {
        fake_report(f, pure_from[i]);
        size_t npure = 0;
        for (size_t j = 0; j < NFUNCS; j++) npure += f->funcs[j].purity == AN_PURE;
        CHECK(check_lists(f, npure));
    }
    free(f);
}
