/* profile_run.c - `glintefy review profile [--name S] -- CMD ARGS...`: runs CMD with the probe in
 * every Python process (src/runtime/), then merges the per-process profiles and cache counters
 * into perf/test_profile.prof (or perf/S_profile.prof) and perf/cache_stats.json. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/file.h>
#include <unistd.h>
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "../profile/cachestats.h"
#include "../profile/pstats.h"
#include "../runtime/probe.h"
#include "../runtime/run.h"
#include "../runtime/trace.h"
#include "cli.h"
#include "files.h"
#include "targets.h"
#include "../base/clock.h"

const char RV_PROFILE_HELP[] =
    "Runs CMD (found on PATH) with stdin, stdout and stderr passed through, and profiles\n"
    "every Python process it starts (scripts, -m, console scripts, shell scripts,\n"
    "subprocess and multiprocessing children, threads) through a probe on PYTHONPATH.\n"
    "No file of the repository is changed. Writes under DIR/" RV_OUTPUT_ROOT "/perf/:\n"
    "  test_profile.prof    all processes merged (pstats format)\n"
    "  cache_stats.json     cache_info() of every functools cache of the repository\n"
    "  traces/*.gtr         argument-key traces of the repository's caches and of the\n"
    "                       candidates static analysis selects (docs/trace-format.md)\n"
    "With --name S: S_profile.prof and S_cache_stats.json, and test_profile.prof and\n"
    "cache_stats.json become the merge of every saved scenario.\n"
    "Exit status: CMD's (128+N when signal N ended it; 127 when CMD is not found).\n"
    "\n"
    "  --name S   save this run as scenario S (letters, digits, '.', '_', '-')\n"
    "\n"
    "Next step: glintefy review cache. See docs/review-profile.md.\n";

static int valid_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '.' || strcmp(s, "test") == 0) return 0;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* ---- directory listings ---------------------------------------------------------------- */

typedef struct Names {
    char **items;
    size_t len, cap;
} Names;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int has_suffix(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* The names in `dir` ending in `suffix` (not hidden), sorted; 0 or an errno value. */
static int list_dir(const char *dir, const char *suffix, Names *out) {
    memset(out, 0, sizeof *out);
    DIR *d = file_opendir(dir);
    if (!d) return errno;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !has_suffix(e->d_name, suffix)) continue;
        if (out->len == out->cap) {
            out->cap = out->cap ? 2 * out->cap : 16;
            out->items = xrealloc(out->items, out->cap * sizeof *out->items);
        }
        out->items[out->len++] = xstrndup(e->d_name, strlen(e->d_name));
    }
    closedir(d);
    if (out->len) qsort(out->items, out->len, sizeof *out->items, cmp_str);
    return 0;
}

static void names_free(Names *n) {
    for (size_t i = 0; i < n->len; i++) free(n->items[i]);
    free(n->items);
    memset(n, 0, sizeof *n);
}

static char *path_join(const char *a, const char *b) {
    Buf x = {0};
    buf_printf(&x, "%s/%s", a, b);
    return x.data;
}

/* ---- profiles -------------------------------------------------------------------------- */

/* Adds dir/names[...] into *sum (created on first use); a file that cannot be read or added
 * is reported and skipped. Returns the number added. */
static size_t add_profiles(const char *dir, const Names *names, ProfStats **sum) {
    size_t added = 0;
    for (size_t i = 0; i < names->len; i++) {
        char *path = path_join(dir, names->items[i]), *data;
        size_t n;
        int e = rv_read_file(AT_FDCWD, path, &data, &n);
        if (e) {
            fprintf(stderr, "glintefy: %s: %s (skipped)\n", path, file_strerror(e));
            free(path);
            continue;
        }
        ProfError err;
        ProfStats *st = prof_load((const unsigned char *)data, n, &err);
        free(data);
        if (!st) {
            fprintf(stderr, "glintefy: %s: offset %lld: %s (skipped)\n", path, err.offset, err.msg);
        } else if (!*sum) {
            *sum = st;
            added++;
        } else {
            if (prof_add(*sum, st, &err)) fprintf(stderr, "glintefy: %s: %s (skipped)\n", path, err.msg);
            else added++;
            prof_free(st);
        }
        free(path);
    }
    return added;
}

static int write_profile(const char *path, const ProfStats *st) {
    Buf out = {0};
    prof_write(st, &out);
    int e = rv_write_atomic(path, out.data, out.len);
    buf_free(&out);
    if (e) fprintf(stderr, "glintefy: cannot write %s: %s\n", path, file_strerror(e));
    return e;
}

/* ---- cache statistics ------------------------------------------------------------------ */

/* Rows gathered from several files; summed per cache (file, line, qualname) by caches_sum. */
typedef struct CacheRows {
    CacheStat *items;
    size_t len, cap;
    CacheStats *owners; /* the parsed files whose strings items[] borrow */
    size_t nowners, capowners;
} CacheRows;

static void rows_take(CacheRows *r, CacheStats *st) {
    if (r->nowners == r->capowners) {
        r->capowners = r->capowners ? 2 * r->capowners : 8;
        r->owners = xrealloc(r->owners, r->capowners * sizeof *r->owners);
    }
    r->owners[r->nowners++] = *st;
    for (size_t i = 0; i < st->len; i++) {
        if (r->len == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 16;
            r->items = xrealloc(r->items, r->cap * sizeof *r->items);
        }
        r->items[r->len++] = st->items[i];
    }
    memset(st, 0, sizeof *st);
}

static void rows_free(CacheRows *r) {
    for (size_t i = 0; i < r->nowners; i++) cachestats_free(&r->owners[i]);
    free(r->owners);
    free(r->items);
    memset(r, 0, sizeof *r);
}

static int strcmp0(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

static int cmp_cache(const void *pa, const void *pb) {
    const CacheStat *a = pa, *b = pb;
    int c = strcmp0(a->file, b->file);
    if (c) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    c = strcmp0(a->qualname, b->qualname);
    return c ? c : strcmp0(a->function, b->function);
}

/* Sorts the rows by (file, line, qualname) and sums equal ones in place: hits and misses add
 * up; currsize is the largest one process held (each process has its own cache, bounded by
 * maxsize); maxsize the largest (unbounded wins). */
static void caches_sum(CacheRows *r) {
    if (!r->len) return;
    qsort(r->items, r->len, sizeof *r->items, cmp_cache);
    size_t w = 0;
    for (size_t i = 1; i < r->len; i++) {
        CacheStat *a = &r->items[w], *b = &r->items[i];
        if (cmp_cache(a, b) == 0) {
            a->hits = cache_counter_add(a->hits, b->hits);
            a->misses = cache_counter_add(a->misses, b->misses);
            if (b->currsize > a->currsize) a->currsize = b->currsize;
            if (a->maxsize != CACHE_UNBOUNDED && (b->maxsize == CACHE_UNBOUNDED || b->maxsize > a->maxsize)) a->maxsize = b->maxsize;
        } else {
            r->items[++w] = *b;
        }
    }
    r->len = w + 1;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* Two decimals, without libm (not linked). */
static double round2(double x) { return (double)(int64_t)(x * 100.0 + 0.5) / 100.0; }

static int write_caches(const char *path, const CacheRows *r, long processes) {
    json_t *root = json_object(), *list = json_array();
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "processes", json_integer(processes));
    for (size_t i = 0; i < r->len; i++) {
        const CacheStat *s = &r->items[i];
        json_t *o = json_object();
        json_object_set_new(o, "file", str_or_null(s->file));
        json_object_set_new(o, "line", s->line ? json_integer(s->line) : json_null());
        json_object_set_new(o, "qualname", str_or_null(s->qualname));
        json_object_set_new(o, "module", str_or_null(s->module));
        json_object_set_new(o, "function", str_or_null(s->function));
        json_object_set_new(o, "hits", json_integer(s->hits));
        json_object_set_new(o, "misses", json_integer(s->misses));
        json_object_set_new(o, "maxsize", s->maxsize == CACHE_UNBOUNDED ? json_null() : json_integer(s->maxsize));
        json_object_set_new(o, "currsize", json_integer(s->currsize));
        int64_t calls = cache_stat_calls(s);
        json_object_set_new(o, "hit_rate_percent", json_real(calls ? round2(100.0 * (double)s->hits / (double)calls) : 0.0));
        json_object_set_new(o, "utilization_percent",
                            s->maxsize == CACHE_UNBOUNDED ? json_null()
                            : json_real(s->maxsize ? round2(100.0 * (double)s->currsize / (double)s->maxsize) : 0.0));
        json_array_append_new(list, o);
    }
    json_object_set_new(root, "caches", list);
    int e = rv_write_json(path, root);
    json_decref(root);
    if (e) fprintf(stderr, "glintefy: cannot write %s: %s\n", path, file_strerror(e));
    return e;
}

/* Parses one cache_stats-shaped file into r; reports and skips a bad one. *processes gets its
 * "processes" (1 when absent), *seconds its "seconds" (0 when absent). */
/* The probe's note that the program replaced its profiler (sys.setprofile, cProfile): at most
 * this many bytes of it are kept for the message. */
enum { REPLACED_MSG = 200 };

static void read_caches(const char *path, CacheRows *r, long *processes, double *seconds, char *replaced) {
    char *data;
    size_t n;
    *processes = 0;
    *seconds = 0;
    replaced[0] = 0;
    if (rv_read_file(AT_FDCWD, path, &data, &n)) {
        fprintf(stderr, "glintefy: %s: cannot read (skipped)\n", path);
        return;
    }
    json_t *root = json_loadb(data, n, 0, NULL);
    json_t *p = root ? json_object_get(root, "processes") : NULL;
    json_t *s = root ? json_object_get(root, "seconds") : NULL;
    *processes = json_is_integer(p) ? (long)json_integer_value(p) : 1;
    *seconds = json_is_number(s) ? json_number_value(s) : 0;
    json_t *lost = root ? json_object_get(root, "profiler_replaced") : NULL;
    if (json_is_string(lost)) {
        snprintf(replaced, REPLACED_MSG, "%s", json_string_value(lost));
        for (char *q = replaced; *q; q++) /* the probe's own words, but printed on a terminal */
            if ((unsigned char)*q < 0x20 || *q == 0x7f) *q = '?';
    }
    json_decref(root);
    CacheStats st;
    CacheStatsError err;
    if (cachestats_parse(data, n, &st, &err) == 0) rows_take(r, &st);
    else fprintf(stderr, "glintefy: %s: %s %s (skipped)\n", path, err.path, err.msg);
    free(data);
}

/* ---- argument-key traces --------------------------------------------------------------- */

typedef struct TraceSummary {
    size_t files;       /* .gtr files kept */
    size_t functions;   /* distinct traced functions (file, line, qualname) over all files */
    size_t called;      /* of which called at least once */
    size_t calls;       /* call records */
    uint64_t dropped;   /* calls not recorded (size bound) */
    size_t settled, cut_short, stopped; /* functions per process by P state (docs/trace-format.md) */
} TraceSummary;

/* Checks every .gtr file of raw/ with tr_load and copies the good ones to perf/traces/SCEN-NAME,
 * after removing that scenario's previous files. One file per process (docs/review-profile.md). */
static void save_traces(const char *raw, const char *repo, const char *scen, TraceSummary *ts) {
    memset(ts, 0, sizeof *ts);
    Names gtr;
    list_dir(raw, ".gtr", &gtr);
    char *perf = rv_output_path(repo, RV_OUTPUT_PERF);
    char *dir = path_join(perf, "traces");
    Buf prefix = {0};
    buf_printf(&prefix, "%s-trace-", scen);
    Names old;
    if (list_dir(dir, ".gtr", &old) == 0)
        for (size_t i = 0; i < old.len; i++)
            if (strncmp(old.items[i], prefix.data, prefix.len) == 0) {
                char *p = path_join(dir, old.items[i]);
                file_unlink(p);
                free(p);
            }
    names_free(&old);
    Names keys = {0}; /* "called\tfile\tline\tqualname" per function and file */
    int e = gtr.len ? rv_mkdirs(dir) : 0;
    if (e) fprintf(stderr, "glintefy: cannot create %s: %s\n", dir, file_strerror(e));
    for (size_t i = 0; i < gtr.len && !e; i++) {
        char *src = path_join(raw, gtr.items[i]), *data;
        size_t n;
        if (rv_read_file(AT_FDCWD, src, &data, &n)) {
            free(src);
            continue;
        }
        TrFile t;
        char err[300];
        if (tr_load((const unsigned char *)data, n, &t, err, sizeof err)) {
            fprintf(stderr, "glintefy: %s: %s (trace skipped)\n", gtr.items[i], err);
        } else {
            Buf dst = {0};
            buf_printf(&dst, "%s/%s%s", dir, prefix.data, gtr.items[i] + (strncmp(gtr.items[i], "trace-", 6) ? 0 : 6));
            int we = rv_write_atomic(dst.data, data, n);
            if (we) fprintf(stderr, "glintefy: cannot write %s: %s\n", dst.data, file_strerror(we));
            buf_free(&dst);
            ts->files += !we;
            ts->calls += t.ncalls;
            ts->dropped += t.truncated;
            unsigned char *called = xcalloc(t.nfuncs + 1, 1);
            for (size_t k = 0; k < t.ncalls; k++) called[t.calls[k].fid] = 1;
            for (size_t k = 0; k < t.nfuncs; k++) {
                ts->settled += t.funcs[k].state == TR_SETTLED;
                ts->cut_short += t.funcs[k].state == TR_CUT_SHORT;
                ts->stopped += t.funcs[k].state == TR_STOPPED;
                if (keys.len == keys.cap) {
                    keys.cap = keys.cap ? 2 * keys.cap : 64;
                    keys.items = xrealloc(keys.items, keys.cap * sizeof *keys.items);
                }
                Buf key = {0};
                buf_printf(&key, "%s\t%u\t%s\t%d", t.funcs[k].file, t.funcs[k].line, t.funcs[k].qualname, called[k]);
                keys.items[keys.len++] = key.data;
            }
            free(called);
            tr_free(&t);
        }
        free(data);
        free(src);
    }
    /* distinct functions: equal keys but for the called flag (the last character) are adjacent */
    if (keys.len) qsort(keys.items, keys.len, sizeof *keys.items, cmp_str);
    for (size_t i = 0; i < keys.len;) {
        size_t cut = strlen(keys.items[i]) - 1, j = i;
        int called = 0;
        for (; j < keys.len && strlen(keys.items[j]) == cut + 1 && strncmp(keys.items[i], keys.items[j], cut) == 0; j++)
            called |= keys.items[j][cut] == '1';
        ts->functions++;
        ts->called += (size_t)called;
        i = j;
    }
    names_free(&keys);
    names_free(&gtr);
    buf_free(&prefix);
    free(dir);
    free(perf);
}

/* ---- the command ----------------------------------------------------------------------- */

/* True while process pid lives (a zombie has ended: its data is saved or never will be). */
static int process_alive(long pid) {
    if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno != EPERM)) return 0;
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 1;
    buf[n] = 0;
    const char *rp = strrchr(buf, ')'); /* "pid (comm) S ..." */
    return !(rp && rp[1] == ' ' && rp[2] == 'Z');
}

/* Python processes of the command may outlive it by a moment and save their data then
 * (multiprocessing's resource tracker, a pool worker being terminated): waits, up to
 * STRAGGLER_WAIT seconds, until every process that started (PID-NS.start) has saved (PID-NS.json)
 * or is gone. Returns how many were still running when it gave up. */
enum { STRAGGLER_WAIT = 3 };
static long wait_stragglers(const char *raw) {
    double t0 = now_seconds();
    int told = 0;
    for (;;) {
        Names starts;
        list_dir(raw, ".start", &starts);
        long running = 0;
        for (size_t i = 0; i < starts.len; i++) {
            char *name = starts.items[i];
            strcpy(name + strlen(name) - strlen(".start"), ".json"); /* PID-NS.json: its facts */
            char *facts = path_join(raw, name);
            if (access(facts, F_OK) != 0 && process_alive(strtol(name, NULL, 10))) running++;
            free(facts);
        }
        names_free(&starts);
        double waited = now_seconds() - t0;
        if (!running || waited >= STRAGGLER_WAIT) return running;
        if (!told && waited >= 0.5) {
            fprintf(stderr, "glintefy: waiting for %ld Python process%s of the command to save (at most %d s)\n", running,
                    running == 1 ? "" : "es", STRAGGLER_WAIT);
            told = 1;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

typedef struct Collected {
    long started, saved;  /* .start markers, .json facts: processes that started, that saved */
    size_t profiles;      /* .prof files merged */
    double seconds;       /* sum of the processes' profiled seconds */
    ProfStats *prof;
    CacheRows caches;
    long replaced;                   /* processes whose profiler the program replaced */
    char replaced_msg[REPLACED_MSG]; /* the first one's note */
} Collected;

static void collect(const char *raw, Collected *c) {
    memset(c, 0, sizeof *c);
    Names starts, facts, profs;
    list_dir(raw, ".start", &starts);
    list_dir(raw, ".json", &facts);
    for (size_t i = 0; i < facts.len; i++) /* the probe's input, not a process's facts */
        if (strcmp(facts.items[i], "targets.json") == 0) {
            free(facts.items[i]);
            memmove(&facts.items[i], &facts.items[i + 1], (facts.len - i - 1) * sizeof *facts.items);
            facts.len--;
            break;
        }
    list_dir(raw, ".prof", &profs);
    c->started = (long)starts.len;
    for (size_t i = 0; i < facts.len; i++) {
        char *path = path_join(raw, facts.items[i]);
        long p;
        double s;
        char lost[REPLACED_MSG];
        read_caches(path, &c->caches, &p, &s, lost);
        if (lost[0] && !c->replaced++) memcpy(c->replaced_msg, lost, sizeof lost);
        c->saved++;
        c->seconds += s;
        free(path);
    }
    c->profiles = add_profiles(raw, &profs, &c->prof);
    caches_sum(&c->caches);
    names_free(&starts);
    names_free(&facts);
    names_free(&profs);
}

/* test_profile.prof and cache_stats.json as the merge of every saved scenario in perf/. */
static int merge_scenarios(const char *perf, size_t *nscen) {
    Names profs, stats;
    list_dir(perf, "_profile.prof", &profs);
    list_dir(perf, "_cache_stats.json", &stats);
    Names keep = {0};
    for (size_t i = 0; i < profs.len; i++) {
        if (strcmp(profs.items[i], "test_profile.prof") == 0) continue;
        if (keep.len == keep.cap) {
            keep.cap = keep.cap ? 2 * keep.cap : 8;
            keep.items = xrealloc(keep.items, keep.cap * sizeof *keep.items);
        }
        keep.items[keep.len++] = profs.items[i];
    }
    *nscen = keep.len;
    ProfStats *sum = NULL;
    add_profiles(perf, &keep, &sum);
    int e = 0;
    if (sum) {
        char *out = path_join(perf, "test_profile.prof");
        e = write_profile(out, sum);
        free(out);
        prof_free(sum);
    }
    free(keep.items);
    CacheRows rows = {0};
    long processes = 0;
    for (size_t i = 0; i < stats.len; i++) {
        char *path = path_join(perf, stats.items[i]);
        long p;
        double s;
        char lost[REPLACED_MSG];
        read_caches(path, &rows, &p, &s, lost);
        processes += p;
        free(path);
    }
    caches_sum(&rows);
    if (stats.len) {
        char *out = path_join(perf, "cache_stats.json");
        e |= write_caches(out, &rows, processes);
        free(out);
    }
    rows_free(&rows);
    names_free(&profs);
    names_free(&stats);
    return e;
}

/* Writes this run's files; returns 0 or -1 (messages printed). */
static int save_outputs(const char *repo, const char *name, Collected *c, size_t *nscen) {
    char *perf = rv_output_path(repo, RV_OUTPUT_PERF);
    int e = rv_mkdirs(perf);
    if (e) {
        fprintf(stderr, "glintefy: cannot create %s: %s\n", perf, file_strerror(e));
        free(perf);
        return -1;
    }
    Buf pp = {0}, cp = {0};
    buf_printf(&pp, "%s/%s_profile.prof", perf, name ? name : "test");
    buf_printf(&cp, "%s/%s%scache_stats.json", perf, name ? name : "", name ? "_" : "");
    if (!c->prof) c->prof = prof_new();
    /* each "wrote" only for a file that was written (a full disk fails one and not the other) */
    e = write_profile(pp.data, c->prof);
    if (!e) fprintf(stderr, "glintefy: wrote %s (%zu functions)\n", pp.data, prof_count(c->prof));
    int ec = write_caches(cp.data, &c->caches, c->saved);
    if (!ec) fprintf(stderr, "glintefy: wrote %s (%zu caches of the repository)\n", cp.data, c->caches.len);
    e |= ec;
    if (!e && name) e = merge_scenarios(perf, nscen);
    if (!e && name && *nscen)
        fprintf(stderr, "glintefy: %s/test_profile.prof and cache_stats.json: merge of %zu scenarios\n", perf, *nscen);
    buf_free(&pp);
    buf_free(&cp);
    free(perf);
    return e ? -1 : 0;
}

static void quote_command(Buf *b, char **argv, int argc) {
    for (int i = 0; i < argc && b->len < 200; i++) buf_printf(b, "%s%s", i ? " " : "", argv[i]);
    if (b->len >= 200) buf_puts(b, " ...");
}

/* perf/command.json: the command and where it ran, so that `review cache --validate` can run
 * the same workload again without being told it. */
static int save_command(const char *repo, char **cmd, int ncmd) {
    json_t *root = json_object(), *args = json_array();
    for (int i = 0; i < ncmd; i++) json_array_append_new(args, json_string(cmd[i]));
    char cwd[4096];
    json_object_set_new(root, "version", json_integer(1));
    json_object_set_new(root, "argv", args);
    json_object_set_new(root, "cwd", getcwd(cwd, sizeof cwd) ? json_string(cwd) : json_null());
    char *perf = rv_output_path(repo, RV_OUTPUT_PERF);
    char *path = path_join(perf, "command.json");
    int e = rv_write_json(path, root);
    if (e) fprintf(stderr, "glintefy: %s: %s\n", path, file_strerror(e));
    free(path);
    free(perf);
    json_decref(root);
    return e;
}

int rv_cmd_profile(RvContext *ctx, int argc, char **argv) {
    const char *name = NULL;
    int i = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) { i++; break; }
        if (strcmp(a, "--name") == 0 || strncmp(a, "--name=", 7) == 0) {
            const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || !valid_name(v))
                return cli_usage_error(ctx->hint, "--name needs a scenario name (letters, digits, '.', '_', '-'; not 'test')");
            name = v;
            continue;
        }
        int r = rv_context_option(ctx, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r > 0) continue;
        if (a[0] == '-') return cli_usage_error(ctx->hint, "profile: unknown option '%s' (put the command after --)", a);
        break;
    }
    if (i >= argc) return cli_usage_error(ctx->hint, "profile needs a command: glintefy review profile -- CMD [ARGS...]");
    char **cmd = argv + i;
    int ncmd = argc - i;

    char repo_real[PATH_MAX];
    if (!realpath(ctx->repo, repo_real)) {
        fprintf(stderr, "glintefy: %s: %s\n", ctx->repo, strerror(errno));
        return EXIT_REJECTED;
    }
    /* The output root, checked before the command runs: a symlink in it, a read-only
     * repository or a file in the way is said now, not after the user's program ran. */
    {
        char *perf = rv_output_path(ctx->repo, RV_OUTPUT_PERF), *traces = path_join(perf, "traces");
        int e = file_check_writable(traces);
        if (e) fprintf(stderr, "glintefy: cannot write %s: %s; the command was not run\n", traces, file_strerror(e));
        free(traces);
        free(perf);
        if (e) return EXIT_REJECTED;
    }
    RtProbe probe;
    char err[512];
    if (rt_probe_prepare(&probe, err, sizeof err)) {
        fprintf(stderr, "glintefy: %s\n", err);
        return EXIT_REJECTED;
    }
    rt_probe_environment(&probe, repo_real);

    /* what to trace: the analysis review cache runs, before the command starts */
    size_t ncaches = 0, ncands = 0;
    double ta = now_seconds();
    {
        RvConfig cfg;
        int have_cfg = rv_context_config(ctx, &cfg) == 0;
        char *tpath = path_join(probe.raw, "targets.json");
        if (rv_write_targets(ctx->repo, repo_real, have_cfg ? &cfg : NULL, tpath, &ncaches, &ncands, err, sizeof err))
            fprintf(stderr, "glintefy: no argument-key traces: %s\n", err);
        free(tpath);
        rv_config_free(&cfg);
    }
    ta = now_seconds() - ta;

    /* argv must be NULL-terminated for exec: the caller's argv is (main's argv). */
    char **cmdv = xmalloc(((size_t)ncmd + 1) * sizeof *cmdv);
    memcpy(cmdv, cmd, (size_t)ncmd * sizeof *cmdv);
    cmdv[ncmd] = NULL;
    fflush(NULL);
    double t0 = now_seconds();
    int exec_errno = 0;
    int status = rt_run(cmdv, &exec_errno);
    double wall = now_seconds() - t0;
    free(cmdv);
    if (status < 0) {
        fprintf(stderr, "glintefy: cannot start %s: %s\n", cmd[0], strerror(errno));
        rt_probe_remove(&probe);
        return EXIT_REJECTED;
    }
    if (exec_errno) {
        fprintf(stderr, "glintefy: %s: %s\n", cmd[0], exec_errno == ENOENT ? "command not found" : strerror(exec_errno));
        rt_probe_remove(&probe);
        return status;
    }

    long running = wait_stragglers(probe.raw);
    if (running)
        fprintf(stderr, "glintefy: %ld Python process%s still running %d s after the command ended: %s data is not included\n",
                running, running == 1 ? "" : "es", STRAGGLER_WAIT, running == 1 ? "its" : "their");
    Collected c;
    collect(probe.raw, &c);
    /* One run at a time writes perf/: two runs saving at once would mix their traces (each
     * removes the scenario's old ones, then copies its own). */
    int perf_fd = -1;
    {
        char *perf = rv_output_path(ctx->repo, RV_OUTPUT_PERF);
        int e = file_open_dir(perf, c.saved > 0, &perf_fd);
        if (e && e != ENOENT) fprintf(stderr, "glintefy: cannot write %s: %s\n", perf, file_strerror(e));
        free(perf);
    }
    if (perf_fd >= 0 && flock(perf_fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "glintefy: waiting for another review profile of this repository to finish writing perf/\n");
        while (flock(perf_fd, LOCK_EX) != 0 && errno == EINTR) {}
    }
    TraceSummary ts;
    save_traces(probe.raw, ctx->repo, name ? name : "test", &ts);
    rt_probe_remove(&probe);
    Buf what = {0};
    quote_command(&what, cmd, ncmd);
    if (c.saved == 0) {
        fprintf(stderr, "glintefy: no Python process saved profile data under '%s'%s; nothing written.\n"
                        "glintefy: (a python started with -E, -I or -S, or with a cleaned environment, cannot be profiled)\n",
                what.data, c.started ? " (some started but were killed first)" : " (no Python process ran)");
    } else {
        fprintf(stderr, "glintefy: profiled %ld Python process%s (%zu profile%s) in %.2f s; command exit status %d\n",
                c.saved, c.saved == 1 ? "" : "es", c.profiles, c.profiles == 1 ? "" : "s", wall, status);
        if (c.replaced)
            fprintf(stderr, "glintefy: %ld process%s: %s; the profile misses %s calls after that moment\n", c.replaced,
                    c.replaced == 1 ? "" : "es", c.replaced_msg, c.replaced == 1 ? "its" : "their");
        if (c.started > c.saved)
            fprintf(stderr, "glintefy: %ld Python process%s started but saved nothing (killed by a signal it could not catch?)\n",
                    c.started - c.saved, c.started - c.saved == 1 ? "" : "es");
        size_t nscen = 0;
        if (ts.files) {
            char *perf = rv_output_path(ctx->repo, RV_OUTPUT_PERF);
            fprintf(stderr, "glintefy: traced %zu function%s (%zu called, %zu calls) -> %s/traces/ (%zu file%s; targets: %zu caches,"
                            " %zu candidates, chosen in %.2f s)\n",
                    ts.functions, ts.functions == 1 ? "" : "s", ts.called, ts.calls, perf, ts.files, ts.files == 1 ? "" : "s",
                    ncaches, ncands, ta);
            if (ts.settled + ts.cut_short + ts.stopped)
                fprintf(stderr, "glintefy: traces: %zu settled (later calls only counted), %zu cut short by the trace budget,"
                                " %zu stopped for safety (deep recursion, calls from a key's __hash__)\n",
                        ts.settled, ts.cut_short, ts.stopped);
            if (ts.dropped)
                fprintf(stderr, "glintefy: %llu calls not traced: size bound GLINTEFY_TRACE_MAX_BYTES reached\n",
                        (unsigned long long)ts.dropped);
            free(perf);
        } else if (ncaches + ncands) {
            fprintf(stderr, "glintefy: no traced function ran (targets: %zu caches, %zu candidates; functions of the main"
                            " script are not traced)\n", ncaches, ncands);
        }
        if (save_outputs(ctx->repo, name, &c, &nscen) == 0 && save_command(ctx->repo, cmd, ncmd) == 0)
            fprintf(stderr, "glintefy: next step: glintefy review%s%s cache\n", strcmp(ctx->repo, ".") ? " --repo " : "",
                    strcmp(ctx->repo, ".") ? ctx->repo : "");
        else if (status == 0)
            status = EXIT_REJECTED;
    }
    buf_free(&what);
    prof_free(c.prof);
    rows_free(&c.caches);
    if (perf_fd >= 0) close(perf_fd); /* and the lock with it */
    return status;
}

/* ---- review merge DIR... ------------------------------------------------------------------ */

const char RV_MERGE_HELP[] =
    "Merges the perf/ folders of several runs - the shards of a test suite split over CI\n"
    "machines or jobs - into DIR/" RV_OUTPUT_ROOT "/perf/ (--repo, default .), so that\n"
    "`glintefy review cache` judges them as one run:\n"
    "  test_profile.prof   the shards' profiles added up (as pstats' Stats.add does)\n"
    "  cache_stats.json    the shards' cache statistics summed per cache\n"
    "  traces/*.gtr        every shard's traces, kept one file per process (renamed\n"
    "                      shardK-NAME: each process had its own caches)\n"
    "Those three are replaced; other files there are left alone. Each PERF is a perf/\n"
    "folder, or a repository whose " RV_OUTPUT_ROOT "/perf/ is used. A file that cannot be\n"
    "read is reported and skipped. Exit status 0, 1 when no PERF held any data, 2 for a\n"
    "usage error (no PERF, a PERF that is not a directory, or the output folder itself).\n"
    "See docs/pytest.md (CI matrix).\n";

/* PERF as given, or PERF/LLM-CONTEXT/glintefy/review/perf when that exists. */
static char *shard_perf(const char *arg) {
    char *inner = rv_output_path(arg, RV_OUTPUT_PERF);
    struct stat st;
    if (stat(inner, &st) == 0 && S_ISDIR(st.st_mode)) return inner;
    free(inner);
    return xstrndup(arg, strlen(arg));
}

int rv_cmd_merge(RvContext *ctx, int argc, char **argv) {
    int first = -1;
    for (int i = 0; i < argc; i++) {
        int r = rv_context_option(ctx, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r > 0) continue;
        if (argv[i][0] == '-' && strcmp(argv[i], "--") != 0) return cli_usage_error(ctx->hint, "merge: unknown option '%s'", argv[i]);
        first = strcmp(argv[i], "--") == 0 ? i + 1 : i;
        break;
    }
    if (first < 0 || first >= argc) return cli_usage_error(ctx->hint, "merge needs the perf/ folders to merge: glintefy review merge PERF...");
    char *out = rv_output_path(ctx->repo, RV_OUTPUT_PERF);
    char out_real[PATH_MAX] = "";
    int have_out = realpath(out, out_real) != NULL;
    int nin = argc - first;
    char **in = xcalloc((size_t)nin + 1, sizeof *in);
    int rc = 0;
    for (int k = 0; k < nin && !rc; k++) {
        const char *arg = argv[first + k];
        struct stat st;
        if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode)) {
            rc = cli_usage_error(ctx->hint, "merge: %s: not a directory", arg);
            break;
        }
        in[k] = shard_perf(arg);
        char r[PATH_MAX];
        if (have_out && realpath(in[k], r) && strcmp(r, out_real) == 0)
            rc = cli_usage_error(ctx->hint, "merge: %s is the output folder itself (merge into another --repo)", arg);
    }
    if (rc) {
        for (int k = 0; k < nin; k++) free(in[k]);
        free(in);
        free(out);
        return rc;
    }
    /* read everything first: nothing in the output changes when nothing is there to merge */
    ProfStats *prof = NULL;
    size_t nprof = 0, nstats = 0;
    CacheRows rows = {0};
    long processes = 0;
    Names *gtr = xcalloc((size_t)nin + 1, sizeof *gtr);
    size_t ntraces = 0;
    for (int k = 0; k < nin; k++) {
        Names one = {0};
        struct stat st;
        char *pp = path_join(in[k], "test_profile.prof");
        if (stat(pp, &st) == 0) {
            one.items = xmalloc(sizeof *one.items);
            one.items[0] = xstrndup("test_profile.prof", 17);
            one.len = one.cap = 1;
            nprof += add_profiles(in[k], &one, &prof);
            names_free(&one);
        }
        free(pp);
        char *cp = path_join(in[k], "cache_stats.json");
        if (stat(cp, &st) == 0) {
            long p;
            double s;
            size_t before = rows.nowners;
            char lost[REPLACED_MSG];
            read_caches(cp, &rows, &p, &s, lost);
            if (rows.nowners > before) {
                processes += p;
                nstats++;
            }
        }
        free(cp);
        char *td = path_join(in[k], "traces");
        if (list_dir(td, ".gtr", &gtr[k]) == 0) ntraces += gtr[k].len;
        free(td);
    }
    if (!prof && !nstats && !ntraces) {
        fprintf(stderr, "glintefy: merge: no profile, cache statistics or traces in the %d folder%s given\n", nin, nin == 1 ? "" : "s");
        rc = EXIT_REJECTED;
        goto done;
    }
    int out_fd = -1, e = file_open_dir(out, 1, &out_fd);
    if (e) {
        fprintf(stderr, "glintefy: cannot create %s: %s\n", out, file_strerror(e));
        rc = EXIT_REJECTED;
        goto done;
    }
    /* as review profile: one writer of perf/ at a time */
    if (flock(out_fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "glintefy: waiting for another glintefy of this repository to finish writing perf/\n");
        while (flock(out_fd, LOCK_EX) != 0 && errno == EINTR) {}
    }
    if (prof) {
        char *p = path_join(out, "test_profile.prof");
        if (write_profile(p, prof)) rc = EXIT_REJECTED;
        else fprintf(stderr, "glintefy: wrote %s (%zu profiles, %zu functions)\n", p, nprof, prof_count(prof));
        free(p);
    }
    if (nstats) {
        caches_sum(&rows);
        char *p = path_join(out, "cache_stats.json");
        if (write_caches(p, &rows, processes)) rc = EXIT_REJECTED;
        else fprintf(stderr, "glintefy: wrote %s (%zu caches, %ld processes, from %zu folders)\n", p, rows.len, processes, nstats);
        free(p);
    }
    /* traces: the output's old ones go, each shard's are checked and copied under shardK- */
    char *td = path_join(out, "traces");
    Names old;
    if (list_dir(td, ".gtr", &old) == 0)
        for (size_t i = 0; i < old.len; i++) {
            char *p = path_join(td, old.items[i]);
            file_unlink(p);
            free(p);
        }
    names_free(&old);
    size_t copied = 0;
    if (ntraces && (e = rv_mkdirs(td)) != 0) {
        fprintf(stderr, "glintefy: cannot create %s: %s\n", td, file_strerror(e));
        rc = EXIT_REJECTED;
    }
    for (int k = 0; k < nin && !e; k++)
        for (size_t i = 0; i < gtr[k].len; i++) {
            char *sd = path_join(in[k], "traces"), *src = path_join(sd, gtr[k].items[i]), *data;
            size_t n;
            free(sd);
            if (rv_read_file(AT_FDCWD, src, &data, &n)) {
                fprintf(stderr, "glintefy: %s: cannot read (skipped)\n", src);
                free(src);
                continue;
            }
            TrFile t;
            char err[300];
            if (tr_load((const unsigned char *)data, n, &t, err, sizeof err)) {
                fprintf(stderr, "glintefy: %s: %s (skipped)\n", src, err);
            } else {
                tr_free(&t);
                Buf dst = {0};
                buf_printf(&dst, "%s/shard%d-%s", td, k + 1, gtr[k].items[i]);
                int we = rv_write_atomic(dst.data, data, n);
                if (we) {
                    fprintf(stderr, "glintefy: cannot write %s: %s\n", dst.data, file_strerror(we));
                    rc = EXIT_REJECTED;
                }
                copied += !we;
                buf_free(&dst);
            }
            free(data);
            free(src);
        }
    if (ntraces) fprintf(stderr, "glintefy: wrote %s/ (%zu traces, one per process)\n", td, copied);
    free(td);
    if (!rc) fprintf(stderr, "glintefy: next step: glintefy review cache\n");
    close(out_fd); /* and the lock with it */
done:
    for (int k = 0; k < nin; k++) {
        free(in[k]);
        names_free(&gtr[k]);
    }
    free(gtr);
    free(in);
    free(out);
    if (prof) prof_free(prof);
    rows_free(&rows);
    return rc;
}
