/* validate.c - `glintefy review cache --validate -- CMD ARGS...`: runs CMD num_runs times as it is
 * and num_runs times with the actions of cache_recommendations.json (ADD_CACHE, ADJUST_SIZE,
 * REMOVE) applied in memory by the probe (GLINTEFY_PROBE_APPLY; no file edited, no profiling),
 * alternating; compares median wall times, stdout and exit status. stdout is captured (compared,
 * not shown), stderr passes through. See docs/curves.md, "Validation". */
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

int rv_cache_validate(const char *repo, const char *outdir, const RvConfig *cfg, char **cmd, int ncmd) {
    char repo_real[PATH_MAX], err[512];
    if (!realpath(repo, repo_real)) {
        fprintf(stderr, "glintefy: %s: %s\n", repo, strerror(errno));
        return 1;
    }
    Buf p = {0};
    buf_printf(&p, "%s/cache_recommendations.json", outdir);
    json_error_t je;
    json_t *recs = json_load_file(p.data, 0, &je);
    json_t *list = recs ? json_object_get(recs, "recommendations") : NULL;
    json_t *apply = json_array(), *per = json_array();
    size_t k;
    json_t *rec;
    json_array_foreach(list, k, rec) {
        const char *what = json_string_value(json_object_get(rec, "recommendation"));
        const char *action = !what ? NULL : !strcmp(what, "ADD_CACHE") ? "add" : !strcmp(what, "ADJUST_SIZE") ? "resize"
                                          : !strcmp(what, "REMOVE") ? "remove" : NULL;
        const char *file = json_string_value(json_object_get(rec, "file"));
        if (!action || !file) continue;
        json_t *sz = json_object_get(rec, "suggested_maxsize");
        Buf abs = {0};
        if (file[0] == '/') buf_puts(&abs, file);
        else buf_printf(&abs, "%s/%s", repo_real, file);
        json_t *a = json_object();
        json_object_set_new(a, "file", json_string(abs.data));
        json_object_set(a, "line", json_object_get(rec, "line"));
        json_object_set(a, "qualname", json_object_get(rec, "qualname"));
        json_object_set_new(a, "action", json_string(action));
        json_object_set_new(a, "maxsize", json_is_integer(sz) && strcmp(action, "remove") ? json_copy(sz) : json_null());
        json_array_append(apply, a);
        json_t *pr = json_object();
        json_object_set_new(pr, "file", json_string(file));
        json_object_set(pr, "line", json_object_get(rec, "line"));
        json_object_set(pr, "qualname", json_object_get(rec, "qualname"));
        json_object_set_new(pr, "recommendation", json_string(what));
        json_object_set(pr, "maxsize", json_object_get(a, "maxsize"));
        json_array_append_new(per, pr);
        json_decref(a);
        buf_free(&abs);
    }
    json_decref(recs);
    if (json_array_size(apply) == 0) {
        fprintf(stderr, "glintefy: validation: nothing to validate: no ADD_CACHE, ADJUST_SIZE or REMOVE action in %s "
                        "(actions need argument-key traces: run 'glintefy review profile -- CMD' first)\n", p.data);
        json_decref(apply);
        json_decref(per);
        buf_free(&p);
        return 0;
    }

    RtProbe probe;
    if (rt_probe_prepare(&probe, err, sizeof err)) {
        fprintf(stderr, "glintefy: %s\n", err);
        json_decref(apply);
        json_decref(per);
        buf_free(&p);
        return 1;
    }
    rt_probe_environment(&probe, repo_real);
    unsetenv("GLINTEFY_PROBE_DIR"); /* validation runs: no profile, no traces */
    Buf none = {0}, changed = {0};
    buf_printf(&none, "%s/apply-none.json", probe.top);
    buf_printf(&changed, "%s/apply.json", probe.top);
    json_t *doc = json_pack("{s:o}", "apply", json_array());
    write_json(none.data, doc);
    json_decref(doc);
    doc = json_pack("{s:O}", "apply", apply);
    write_json(changed.data, doc);
    json_decref(doc);

    int n = cfg->num_runs > 0 ? cfg->num_runs : 3, rc = 0;
    double *tb = xcalloc((size_t)n, sizeof *tb), *tc = xcalloc((size_t)n, sizeof *tc);
    Buf ref = {0};
    int ref_status = -1, same_out = 1, same_status = 1, changed_status = -1;
    char **argv = xmalloc(((size_t)ncmd + 1) * sizeof *argv);
    memcpy(argv, cmd, (size_t)ncmd * sizeof *argv);
    argv[ncmd] = NULL;
    fprintf(stderr, "glintefy: validation: %d run%s as it is and %d with %zu change%s applied, alternating\n", n,
            n == 1 ? "" : "s", n, json_array_size(apply), json_array_size(apply) == 1 ? "" : "s");
    for (int i = 0; i < 2 * n && !rc; i++) {
        int base = i % 2 == 0;
        setenv("GLINTEFY_PROBE_APPLY", base ? none.data : changed.data, 1);
        Buf out = {0};
        double w = 0;
        int st = run_capture(argv, &out, &w);
        if (st < 0 || st == 127 || st == 126) {
            if (st < 0 || i == 0) {
                fprintf(stderr, "glintefy: validation: cannot run %s%s\n", cmd[0], st == 127 ? ": command not found" : "");
                rc = 1;
            }
        }
        if (base) tb[i / 2] = w;
        else tc[i / 2] = w;
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

    double mb = median(tb, n), mc = median(tc, n);
    double speedup = mb > 0 ? (mb - mc) / mb * 100.0 : 0;
    const char *verdict = !same_out || !same_status ? "rejected" : speedup >= cfg->speedup_threshold ? "validated" : "not significant";
    json_t *res = json_object();
    json_object_set_new(res, "version", json_integer(1));
    json_object_set_new(res, "kind", json_string("validation_results"));
    json_t *cmdj = json_array();
    for (int i = 0; i < ncmd; i++) json_array_append_new(cmdj, json_string(cmd[i]));
    json_object_set_new(res, "command", cmdj);
    json_object_set_new(res, "runs", json_integer(n));
    json_object_set_new(res, "baseline_seconds", times_json(tb, n));
    json_object_set_new(res, "changed_seconds", times_json(tc, n));
    json_object_set_new(res, "baseline_median_seconds", json_real(mb));
    json_object_set_new(res, "changed_median_seconds", json_real(mc));
    json_object_set_new(res, "speedup_percent", json_real(speedup));
    json_object_set_new(res, "speedup_threshold", json_real(cfg->speedup_threshold));
    json_object_set_new(res, "outputs_identical", json_boolean(same_out));
    json_object_set_new(res, "exit_status_identical", json_boolean(same_status));
    json_object_set_new(res, "baseline_exit_status", json_integer(ref_status));
    json_object_set_new(res, "changed_exit_status", json_integer(changed_status));
    json_object_set_new(res, "verdict", json_string(verdict));
    json_array_foreach(per, k, rec) json_object_set_new(rec, "verdict", json_string(verdict));
    json_object_set(res, "recommendations", per);
    Buf path = {0};
    buf_printf(&path, "%s/validation_results.json", outdir);
    int e = write_json(path.data, res);
    json_decref(res);
    Buf line = {0};
    buf_printf(&line, "Validation: %s - %zu change%s, median %.3f s -> %.3f s (speedup %.1f%%, threshold %g%%), %s, %d run%s each way\n",
               verdict, json_array_size(apply), json_array_size(apply) == 1 ? "" : "s", mb, mc, speedup, cfg->speedup_threshold,
               !same_out ? "stdout changed" : !same_status ? "exit status changed" : "same stdout and exit status", n, n == 1 ? "" : "s");
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
    buf_free(&line);
    buf_free(&path);
done:
    buf_free(&ref);
    free(tb);
    free(tc);
    buf_free(&none);
    buf_free(&changed);
    buf_free(&p);
    json_decref(apply);
    json_decref(per);
    return rc;
}
