/* parse_all.c - a pool of pthreads takes files off a shared counter; each reads its file and
 * parses it into the file's own arena, so threads share nothing but the counter. */
#include "parse_all.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../base/thread.h"
#include "../base/xalloc.h"
#include "files.h"
#include "../base/clock.h"

enum { MAX_THREADS = 64 };

typedef struct Work {
    RvParseSet *set;
    int repo_fd;
    RvParseOptions opt;
    atomic_size_t next;
} Work;

/* spare: the worker's arena, reused file after file when trees are not kept */
static void parse_one(Work *w, RvParsed *f, Arena *spare) {
    if (w->opt.keep) arena_init(&f->arena);
    else f->arena = *spare;
    int e = rv_read_file(w->repo_fd, f->path, &f->data, &f->len);
    if (e) f->read_errno = e;
    else f->root = syntax_parse(&f->arena, f->data, f->len, w->opt.pyminor, &f->diag);
    f->rejected = f->root == NULL;
    f->arena_bytes = arena_used(&f->arena);
    if (w->opt.hook) w->opt.hook(f, w->opt.ctx);
    if (!w->opt.keep) {
        *spare = f->arena;
        arena_reset(spare);
        arena_init(&f->arena);
        free(f->data);
        f->data = NULL;
        f->root = NULL;
    }
}

static void *worker(void *arg) {
    Work *w = arg;
    Arena spare;
    arena_init(&spare);
    for (;;) {
        size_t i = atomic_fetch_add(&w->next, 1);
        if (i >= w->set->len) break;
        parse_one(w, &w->set->files[i], &spare);
    }
    arena_free(&spare);
    return NULL;
}

void rv_parse_all(const char *repo, const RvSourceList *src, const RvParseOptions *opt, RvParseSet *out) {
    memset(out, 0, sizeof *out);
    RvParseOptions o = opt ? *opt : (RvParseOptions){.keep = 1};
    if (!o.pyminor) o.pyminor = SYNTAX_PY_MAX;
    int jobs = o.jobs;
    double t0 = now_seconds();
    out->len = src->len;
    out->files = xcalloc(src->len ? src->len : 1, sizeof *out->files);
    for (size_t i = 0; i < src->len; i++) {
        out->files[i].path = src->items[i].path;
        out->files[i].module = src->items[i].module;
    }
    Work w = {.set = out, .opt = o};
    atomic_init(&w.next, 0);
    w.repo_fd = open(repo, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (w.repo_fd < 0) {
        int e = errno;
        for (size_t i = 0; i < out->len; i++) {
            arena_init(&out->files[i].arena);
            out->files[i].read_errno = e;
            out->files[i].rejected = 1;
        }
    } else {
        if (jobs <= 0) {
            long n = sysconf(_SC_NPROCESSORS_ONLN);
            jobs = n > 0 ? (int)n : 1;
        }
        if (jobs > MAX_THREADS) jobs = MAX_THREADS;
        if ((size_t)jobs > src->len) jobs = src->len ? (int)src->len : 1;
        pthread_t tids[MAX_THREADS];
        int started = 0;
        /* this thread works too: jobs - 1 helpers */
        for (int t = 1; t < jobs; t++)
            if (thread_create(&tids[started], worker, &w) == 0) started++;
        worker(&w);
        for (int t = 0; t < started; t++) pthread_join(tids[t], NULL);
        out->threads = started + 1;
        close(w.repo_fd);
    }
    for (size_t i = 0; i < out->len; i++) {
        out->bytes += out->files[i].len;
        if (out->files[i].rejected) out->rejected++;
        if (out->files[i].arena_bytes > out->peak_arena) out->peak_arena = out->files[i].arena_bytes;
    }
    out->seconds = now_seconds() - t0;
}

void rv_parse_set_free(RvParseSet *set) {
    if (!set) return;
    for (size_t i = 0; i < set->len; i++) {
        arena_free(&set->files[i].arena);
        free(set->files[i].data);
    }
    free(set->files);
    set->files = NULL;
    set->len = 0;
}

void rv_diag_position(const RvParsed *f, int *line, int *col) {
    *line = f->diag.line > 0 ? f->diag.line : 1;
    *col = f->diag.line > 0 && f->diag.col > 0 ? f->diag.col : 1;
}

void rv_report_rejected(FILE *fp, const RvParseSet *set) {
    for (size_t i = 0; i < set->len; i++) {
        const RvParsed *f = &set->files[i];
        if (!f->rejected) continue;
        if (f->read_errno) fprintf(fp, "%s: %s\n", f->path, file_strerror(f->read_errno));
        else {
            int line, col;
            rv_diag_position(f, &line, &col);
            fprintf(fp, "%s:%d:%d: %s\n", f->path, line, col, f->diag.msg);
        }
    }
}
