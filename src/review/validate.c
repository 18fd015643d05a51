/* validate.c - `glintefy review cache --validate -- CMD`: runs CMD num_runs times as it is
 * and num_runs times with the actions of cache_recommendations.json (ADD_CACHE, ADJUST_SIZE,
 * REMOVE) applied in memory by the probe (GLINTEFY_PROBE_APPLY; no file edited, no profiling),
 * alternating; compares median wall times, stdout and exit status. Each changed run reports which
 * actions took effect (the probe's report file): a verdict covers only changes that were made.
 * stdout is captured (compared, not shown), stderr passes through. See docs/curves.md,
 * "Validation". */
#include "validate.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "../runtime/probe.h"
#include "files.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Runs argv with stdout into a fresh buffer; returns the shell-style status, -1 if it could not
 * start (errno). */
static int run_capture(char **argv, Buf *out, double *wall) {
    FILE *tmp = tmpfile();
    if (!tmp) return -1;
    fflush(NULL);
    double t0 = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fileno(tmp), 1);
        execvp(argv[0], argv);
        _exit(errno == ENOENT ? 127 : 126);
    }
    if (pid < 0) { fclose(tmp); return -1; }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    *wall = now_s() - t0;
    rewind(tmp);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, tmp)) > 0) buf_put(out, chunk, n);
    fclose(tmp);
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 1;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(const double *v, int n) {
    double *s = xmalloc((size_t)n * sizeof *s);
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_d);
    double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    free(s);
    return m;
}

static int write_json(const char *path, json_t *j) {
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) return ENOMEM;
    size_t n = strlen(text);
    char *t2 = xmalloc(n + 2);
    memcpy(t2, text, n);
    t2[n] = '\n';
    int e = rv_write_atomic(path, t2, n + 1);
    free(t2);
    free(text);
    return e;
}

static json_t *times_json(const double *v, int n) {
    json_t *a = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(a, json_real(v[i]));
    return a;
}

/* One action of cache_recommendations.json as applied. */
typedef struct VAction {
    const char *file;      /* as the recommendation names it (repo-relative) */
    const char *qualname;
    const char *what;      /* ADD_CACHE / ADJUST_SIZE / REMOVE */
    const char *action;    /* add / resize / remove */
    long long line;        /* the def line (the recommendation's) */
    long long first_line;  /* co_firstlineno: what the probe matches */
    json_t *maxsize;       /* borrowed: integer or null */
    const char *why_not;   /* known before running why it cannot be applied, or NULL */
    int applied_runs;      /* changed runs in which the change was made */
    int called_runs;       /* changed runs in which a cache the probe made was called */
    long long calls;       /* calls of the caches the probe made, all changed runs */
} VAction;

/* The function of file/line/qualname in the facts (line: the def line or co_firstlineno). */
static const AnFunc *find_func(const RvValidateCtx *ctx, const char *file, long long line, const char *qualname) {
    for (int i = 0; ctx && i < ctx->nfiles; i++) {
        const AnFile *f = &ctx->files[i];
        if (!f->path || strcmp(f->path, file) != 0) continue;
        for (int k = 0; k < f->nfuncs; k++) {
            const AnFunc *fn = &f->funcs[k];
            if ((fn->line == line || fn->first_line == line) && (!qualname || !strcmp(fn->qualname, qualname))) return fn;
        }
    }
    return NULL;
}

/* Reads the probe's report file of one changed run: "A <id>" (change made), "C <id> <calls>". */
static void read_report(const char *path, VAction *acts, size_t nact) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[128];
    int *seen_a = xcalloc(nact ? nact : 1, sizeof *seen_a), *seen_c = xcalloc(nact ? nact : 1, sizeof *seen_c);
    while (fgets(line, sizeof line, f)) {
        char kind = 0;
        long long id = -1, calls = 0;
        int n = sscanf(line, "%c %lld %lld", &kind, &id, &calls);
        if (n < 2 || id < 0 || (size_t)id >= nact) continue;
        if (kind == 'A' && !seen_a[id]) {
            seen_a[id] = 1;
            acts[id].applied_runs++;
        } else if (kind == 'C' && n == 3 && calls > 0) {
            acts[id].calls += calls;
            if (!seen_c[id]) {
                seen_c[id] = 1;
                acts[id].called_runs++;
            }
        }
    }
    free(seen_a);
    free(seen_c);
    fclose(f);
}

/* Whether a change took effect in every changed run; else why not, in why. */
static int took_effect(const VAction *a, int n, Buf *why) {
    if (a->applied_runs < n) {
        if (a->why_not) buf_printf(why, "not applied: %s", a->why_not);
        else if (a->applied_runs == 0)
            buf_printf(why, "not applied: the probe never met %s (line %lld) while CMD ran - another copy of the code, a "
                            "module not imported, or a function the program does not define",
                       a->qualname, a->first_line);
        else buf_printf(why, "applied in %d of %d changed runs only", a->applied_runs, n);
        return 0;
    }
    if (strcmp(a->action, "remove") != 0 && a->called_runs < n) {
        buf_printf(why, "applied, but the new cache was %s", a->called_runs ? "not called in every changed run" : "never called");
        return 0;
    }
    return 1;
}

void rv_command_line(char **cmd, int ncmd, Buf *out) {
    for (int i = 0; i < ncmd; i++) {
        const char *a = cmd[i];
        if (i) buf_putc(out, ' ');
        int plain = *a != 0;
        for (const char *c = a; *c; c++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%", *c)) plain = 0;
        if (plain) {
            buf_puts(out, a);
            continue;
        }
        buf_putc(out, '\'');
        for (const char *c = a; *c; c++) {
            if (*c == '\'') buf_puts(out, "'\\''");
            else buf_putc(out, *c);
        }
        buf_putc(out, '\'');
    }
}

static double vmin(const double *v, int n) {
    double m = v[0];
    for (int i = 1; i < n; i++) m = v[i] < m ? v[i] : m;
    return m;
}

static double vmax(const double *v, int n) {
    double m = v[0];
    for (int i = 1; i < n; i++) m = v[i] > m ? v[i] : m;
    return m;
}

/* Why there is nothing to apply, from what review cache read. */
static void nothing_message(const RvValidateCtx *ctx, const char *path, size_t nrecs) {
    fprintf(stderr, "glintefy: validation: nothing to validate: no ADD_CACHE, ADJUST_SIZE or REMOVE action in %s", path);
    if (!ctx || (!ctx->ntraces && !ctx->have_cache_stats && !ctx->nprofiles))
        fprintf(stderr, " (no measurements: run 'glintefy review profile -- CMD' first)\n");
    else if (ctx->ntraces)
        fprintf(stderr, " (%zu argument-key trace%s read: the measured calls support no change; %zu recommendation%s, all KEEP or none"
                        " - see summary.md)\n",
                ctx->ntraces, ctx->ntraces == 1 ? "" : "s", nrecs, nrecs == 1 ? "" : "s");
    else
        fprintf(stderr, " (the profile%s read support%s no change; argument-key traces, which ADD_CACHE needs, were not"
                        " recorded - 'glintefy review profile -- CMD' records them for the functions it targets)\n",
                ctx->have_cache_stats ? " and cache_stats.json" : "", ctx->have_cache_stats ? "" : "s");
}

int rv_cache_validate(const char *repo, const char *outdir, const RvConfig *cfg, char **cmd, int ncmd,
                      const RvValidateCtx *ctx) {
    char repo_real[PATH_MAX], err[512];
    if (!realpath(repo, repo_real)) {
        fprintf(stderr, "glintefy: %s: %s\n", repo, strerror(errno));
        return 1;
    }
    Buf p = {0};
    if (ctx && ctx->actions) buf_puts(&p, ctx->actions);
    else buf_printf(&p, "%s/cache_recommendations.json", outdir);
    json_error_t je;
    json_t *recs = json_load_file(p.data, 0, &je);
    if (!recs) {
        fprintf(stderr, "glintefy: validation: %s: %s\n", p.data, je.text);
        buf_free(&p);
        return 1;
    }
    json_t *list = json_object_get(recs, "recommendations");
    size_t nrecs = json_array_size(list), nact = 0;
    VAction *acts = xcalloc(nrecs ? nrecs : 1, sizeof *acts);
    json_t *apply = json_array();
    size_t k;
    json_t *rec;
    json_array_foreach(list, k, rec) {
        const char *what = json_string_value(json_object_get(rec, "recommendation"));
        const char *action = !what ? NULL : !strcmp(what, "ADD_CACHE") ? "add" : !strcmp(what, "ADJUST_SIZE") ? "resize"
                                          : !strcmp(what, "REMOVE") ? "remove" : NULL;
        const char *file = json_string_value(json_object_get(rec, "file"));
        const char *qualname = json_string_value(json_object_get(rec, "qualname"));
        json_t *jl = json_object_get(rec, "line");
        if (!action || !file || !qualname || !json_is_integer(jl)) continue;
        VAction *a = &acts[nact];
        a->file = file;
        a->qualname = qualname;
        a->what = what;
        a->action = action;
        a->line = json_integer_value(jl);
        /* the probe names a function by co_firstlineno (a decorated function's first decorator
         * line), as traces do; the recommendation by its def line */
        json_t *jf = json_object_get(rec, "first_line");
        const AnFunc *fn = find_func(ctx, file, a->line, qualname);
        a->first_line = json_is_integer(jf) ? json_integer_value(jf) : fn ? fn->first_line : a->line;
        json_t *sz = json_object_get(rec, "suggested_maxsize");
        a->maxsize = json_is_integer(sz) && strcmp(action, "remove") ? sz : NULL;
        if (fn && fn->is_nested && !strcmp(action, "add"))
            a->why_not = "a nested function is made anew at each call of the function around it; the probe wraps only"
                         " functions of a module or class";
        else if (!strcmp(action, "add") && fn && fn->cache.kind != AN_NO_CACHE)
            a->why_not = "the function already has a cache";
        Buf abs = {0};
        if (file[0] == '/') buf_puts(&abs, file);
        else buf_printf(&abs, "%s/%s", repo_real, file);
        json_t *item = json_pack("{s:I, s:s, s:I, s:s, s:s, s:O?}", "id", (json_int_t)nact, "file", abs.data, "line",
                                 (json_int_t)a->first_line, "qualname", qualname, "action", action, "maxsize",
                                 a->maxsize ? a->maxsize : json_null());
        /* a cache a factory makes inside its own code (sympy's cacheit keeps cfunc.cache_info):
         * removing it means removing the decorator, which keeps nothing of the cache, so the probe
         * makes a cache that stores nothing (maxsize 0) instead of taking the cache object away */
        if (fn && fn->cache.via && !strcmp(fn->cache.via, "factory") && !strcmp(action, "remove"))
            json_object_set_new(item, "keep_api", json_true());
        json_array_append_new(apply, item);
        buf_free(&abs);
        nact++;
    }
    if (nact == 0) {
        nothing_message(ctx, p.data, nrecs);
        json_decref(apply);
        json_decref(recs);
        free(acts);
        buf_free(&p);
        return 0;
    }

    RtProbe probe;
    if (rt_probe_prepare(&probe, err, sizeof err)) {
        fprintf(stderr, "glintefy: %s\n", err);
        json_decref(apply);
        json_decref(recs);
        free(acts);
        buf_free(&p);
        return 1;
    }
    rt_probe_environment(&probe, repo_real);
    unsetenv("GLINTEFY_PROBE_DIR"); /* validation runs: no profile, no traces */
    Buf none = {0}, changed = {0}, report = {0};
    buf_printf(&none, "%s/apply-none.json", probe.top);
    buf_printf(&changed, "%s/apply.json", probe.top);
    buf_printf(&report, "%s/applied.txt", probe.top);
    json_t *doc = json_pack("{s:o}", "apply", json_array());
    int we = write_json(none.data, doc);
    json_decref(doc);
    doc = json_pack("{s:s, s:O}", "report", report.data, "apply", apply);
    if (!we) we = write_json(changed.data, doc);
    json_decref(doc);

    int n = cfg->num_runs > 0 ? cfg->num_runs : 3, rc = 0;
    double *tb = xcalloc((size_t)n, sizeof *tb), *tc = xcalloc((size_t)n, sizeof *tc);
    Buf ref = {0}, cmdline = {0};
    rv_command_line(cmd, ncmd, &cmdline);
    int ref_status = -1, same_out = 1, same_status = 1, changed_status = -1;
    char **argv = xmalloc(((size_t)ncmd + 1) * sizeof *argv);
    memcpy(argv, cmd, (size_t)ncmd * sizeof *argv);
    argv[ncmd] = NULL;
    if (we) {
        fprintf(stderr, "glintefy: validation: %s: %s\n", changed.data, strerror(we));
        rc = 1;
    } else {
        fprintf(stderr, "glintefy: validation: %s: %d run%s as it is and %d with %zu change%s applied, alternating\n",
                cmdline.data, n, n == 1 ? "" : "s", n, nact, nact == 1 ? "" : "s");
    }
    for (int i = 0; i < 2 * n && !rc; i++) {
        int base = i % 2 == 0;
        setenv("GLINTEFY_PROBE_APPLY", base ? none.data : changed.data, 1);
        if (!base) unlink(report.data);
        Buf out = {0};
        double w = 0;
        int st = run_capture(argv, &out, &w);
        if (st < 0 || ((st == 127 || st == 126) && i == 0)) {
            fprintf(stderr, "glintefy: validation: cannot run %s%s\n", cmdline.data,
                    st == 127 ? ": command not found" : st == 126 ? ": not executable" : "");
            rc = 1;
        }
        if (base) tb[i / 2] = w;
        else {
            tc[i / 2] = w;
            read_report(report.data, acts, nact);
        }
        if (i == 0) {
            ref = out;
            ref_status = st;
            continue;
        }
        if (out.len != ref.len || (out.len && memcmp(out.data, ref.data, out.len))) same_out = 0;
        if (st != ref_status) same_status = 0;
        if (!base) changed_status = st;
        buf_free(&out);
    }
    unsetenv("GLINTEFY_PROBE_APPLY");
    rt_probe_remove(&probe);
    free(argv);
    if (rc) goto done;

    /* what took effect */
    size_t neffect = 0;
    json_t *per = json_array();
    Buf missing = {0};
    for (size_t i = 0; i < nact; i++) {
        VAction *a = &acts[i];
        Buf why = {0};
        int ok = took_effect(a, n, &why);
        neffect += (size_t)ok;
        json_t *pr = json_pack("{s:s, s:I, s:I, s:s, s:s, s:O?, s:b, s:i, s:I}", "file", a->file, "line", (json_int_t)a->line,
                               "first_line", (json_int_t)a->first_line, "qualname", a->qualname, "recommendation", a->what,
                               "maxsize", a->maxsize ? a->maxsize : json_null(), "applied", ok, "applied_runs", a->applied_runs,
                               "calls", (json_int_t)a->calls);
        if (!ok) {
            json_object_set_new(pr, "not_applied_reason", json_string(why.data));
            if (missing.len < 600)
                buf_printf(&missing, "  %s %s (%s:%lld): %s\n", a->what, a->qualname, a->file, a->line,
                           why.data);
        }
        json_array_append_new(per, pr);
        buf_free(&why);
    }

    double mb = median(tb, n), mc = median(tc, n);
    double speedup = mb > 0 ? (mb - mc) / mb * 100.0 : 0;
    double bmin = vmin(tb, n), bmax = vmax(tb, n), cmin = vmin(tc, n), cmax = vmax(tc, n);
    /* a difference counts when the medians differ by the threshold and, with 2+ runs each way,
     * the runs do not overlap (every changed run faster, or every one slower) */
    int faster = speedup >= cfg->speedup_threshold && (n < 2 || cmax < bmin);
    int slower = -speedup >= cfg->speedup_threshold && (n < 2 || cmin > bmax);
    const char *verdict = !same_out || !same_status ? "output changed"
                          : neffect < nact          ? "incomplete"
                          : slower                  ? "slower"
                          : faster                  ? "validated"
                                                    : "not significant";
    json_t *res = json_object();
    json_object_set_new(res, "version", json_integer(2));
    json_object_set_new(res, "kind", json_string("validation_results"));
    json_t *cmdj = json_array();
    for (int i = 0; i < ncmd; i++) json_array_append_new(cmdj, json_string(cmd[i]));
    json_object_set_new(res, "command", cmdj);
    json_object_set_new(res, "runs", json_integer(n));
    json_object_set_new(res, "baseline_seconds", times_json(tb, n));
    json_object_set_new(res, "changed_seconds", times_json(tc, n));
    json_object_set_new(res, "baseline_median_seconds", json_real(mb));
    json_object_set_new(res, "changed_median_seconds", json_real(mc));
    json_object_set_new(res, "baseline_range_seconds", json_pack("[f, f]", bmin, bmax));
    json_object_set_new(res, "changed_range_seconds", json_pack("[f, f]", cmin, cmax));
    json_object_set_new(res, "speedup_percent", json_real(speedup));
    json_object_set_new(res, "speedup_threshold", json_real(cfg->speedup_threshold));
    json_object_set_new(res, "outputs_identical", json_boolean(same_out));
    json_object_set_new(res, "exit_status_identical", json_boolean(same_status));
    json_object_set_new(res, "baseline_exit_status", json_integer(ref_status));
    json_object_set_new(res, "changed_exit_status", json_integer(changed_status));
    json_object_set_new(res, "actions", json_integer((json_int_t)nact));
    json_object_set_new(res, "actions_applied", json_integer((json_int_t)neffect));
    json_object_set_new(res, "verdict", json_string(verdict));
    json_array_foreach(per, k, rec) json_object_set_new(rec, "verdict", json_string(verdict));
    json_object_set_new(res, "recommendations", per);
    Buf path = {0};
    buf_printf(&path, "%s/validation_results.json", outdir);
    int e = write_json(path.data, res);
    json_decref(res);
    Buf line = {0};
    buf_printf(&line, "Validation: %s - %zu of %zu change%s applied, median %.3f s -> %.3f s (%s %.1f%%, threshold %g%%; "
                      "runs %.3f-%.3f s as it is, %.3f-%.3f s changed), %s, %d run%s each way\n",
               verdict, neffect, nact, nact == 1 ? "" : "s", mb, mc, speedup >= 0 ? "speedup" : "slowdown",
               speedup >= 0 ? speedup : -speedup, cfg->speedup_threshold, bmin, bmax, cmin, cmax,
               !same_out ? "stdout changed" : !same_status ? "exit status changed" : "same stdout and exit status", n,
               n == 1 ? "" : "s");
    if (missing.len) buf_printf(&line, "%s", missing.data);
    if (e) {
        fprintf(stderr, "glintefy: %s: %s\n", path.data, file_strerror(e));
        rc = 1;
    } else {
        Buf sm = {0};
        buf_printf(&sm, "%s/summary.md", outdir);
        /* appended by rewriting it: an append would follow a symlink summary.md */
        char *old;
        size_t on;
        if (file_read_all(sm.data, &old, &on) == 0) {
            Buf all = {0};
            buf_put(&all, old, on);
            buf_printf(&all, "\n%s", line.data);
            int we = file_write_atomic(sm.data, all.data, all.len);
            if (we) fprintf(stderr, "glintefy: %s: %s\n", sm.data, file_strerror(we));
            buf_free(&all);
            free(old);
        }
        buf_free(&sm);
        fprintf(stderr, "glintefy: %s", line.data);
        fprintf(stderr, "glintefy: validation results -> %s\n", path.data);
    }
    buf_free(&missing);
    buf_free(&line);
    buf_free(&path);
done:
    buf_free(&ref);
    buf_free(&cmdline);
    free(tb);
    free(tc);
    buf_free(&none);
    buf_free(&changed);
    buf_free(&report);
    buf_free(&p);
    json_decref(apply);
    json_decref(recs);
    free(acts);
    return rc;
}
