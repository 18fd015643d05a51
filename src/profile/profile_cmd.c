/* profile_cmd.c - `glintefy profile show|merge|hotspots`: read .prof files (cProfile or profile
 * module), add them in the order given (as pstats.Stats(first).add(second)...), and print a
 * table, write the merged .prof, or list the hotspots. */
#include "profile_cmd.h"
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../base/buf.h"
#include "../base/fileio.h"
#include "../cli.h"
#include "pstats.h"

const char PROFILE_HELP[] =
    "Usage: glintefy profile SUBCOMMAND [ARGS...]\n"
    "\n"
    "Works on .prof files written by cProfile, profile or pstats (Python 3.8 to 3.14):\n"
    "  show [--sort KEY] [--top N] FILE...            the table of pstats' print_stats\n"
    "  merge -o OUT FILE...                           add profiles into one .prof\n"
    "  hotspots [--min-calls N] [--min-cumtime S] [--json] FILE...\n"
    "                                                 hot functions of your own code\n"
    "\n"
    "Several FILEs are added in order, as pstats.Stats(FILE1).add(FILE2)... does.\n"
    "A broken file is reported as FILE: offset N: what is wrong (exit status 1).\n"
    "See docs/profile.md and 'glintefy help profile SUBCOMMAND'.\n";

static const char SHOW_HELP[] =
    "Usage: glintefy profile show [--sort KEY] [--top N] FILE...\n"
    "\n"
    "Prints the profile as pstats' print_stats does: totals, then one row per function,\n"
    "  ncalls  tottime  percall  cumtime  percall filename:lineno(function)\n"
    "with ncalls as TOTAL/PRIMITIVE for recursive functions.\n"
    "\n"
    "  --sort KEY   cumtime (default), tottime, ncalls, pcalls, name, file, line, nfl,\n"
    "               stdname, or pstats' other names (cumulative, time, calls, filename,\n"
    "               module); none keeps the file's order\n"
    "  --top N      only the first N rows (default: all)\n";

static const char MERGE_HELP[] =
    "Usage: glintefy profile merge -o OUT FILE...\n"
    "\n"
    "Adds the profiles in order, exactly as pstats.Stats(FILE1).add(FILE2)... and writes\n"
    "the sum to OUT (- for stdout) as a .prof that pstats.Stats and snakeviz read. OUT is\n"
    "written to a temporary file first and renamed: a failed merge leaves it untouched.\n";

static const char HOTSPOTS_HELP[] =
    "Usage: glintefy profile hotspots [OPTIONS] FILE...\n"
    "\n"
    "Lists the functions with at least --min-calls calls and --min-cumtime seconds of\n"
    "cumulative time, leaving out built-ins, <frozen>/<string> code, the standard library\n"
    "and site-packages; by cumulative time, each with a priority:\n"
    "HIGH (at least 500 calls and 1.0 s), MEDIUM (at least 200 calls or 0.5 s), else LOW.\n"
    "\n"
    "  --min-calls N     default 100\n"
    "  --min-cumtime S   default 0.1 (seconds)\n"
    "  --json            one JSON array: file, line, function, calls, primitive_calls,\n"
    "                    tottime, cumtime, percall, priority\n";

/* ---- shared --------------------------------------------------------------------------- */

/* Reads and adds the profiles in order; NULL after printing what went wrong. */
static ProfStats *load_all(char **files, int n) {
    ProfStats *sum = NULL;
    for (int k = 0; k < n; k++) {
        char *data;
        size_t len;
        int e = file_read_all(files[k], &data, &len);
        if (e) {
            fprintf(stderr, "glintefy: %s: %s\n", cli_display_name(files[k]), file_strerror(e));
            prof_free(sum);
            return NULL;
        }
        ProfError err;
        ProfStats *st = prof_load((const unsigned char *)data, len, &err);
        free(data);
        if (st && sum && prof_add(sum, st, &err) != 0) {
            prof_free(st);
            st = NULL;
        }
        if (!st) {
            if (err.offset >= 0) fprintf(stderr, "%s: offset %lld: %s\n", cli_display_name(files[k]), err.offset, err.msg);
            else fprintf(stderr, "%s: %s\n", cli_display_name(files[k]), err.msg);
            prof_free(sum);
            return NULL;
        }
        if (sum) prof_free(st);
        else sum = st;
    }
    return sum;
}

static int flush_stdout(void) {
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "glintefy: stdout: %s\n", strerror(errno));
        return EXIT_REJECTED;
    }
    return 0;
}

/* Parses a non-negative decimal integer; 0 if `s` is not one. */
static int parse_count(const char *s, long long *v) {
    char *end;
    errno = 0;
    if (!*s || *s == '-' || *s == '+') return 0;
    *v = strtoll(s, &end, 10);
    return !*end && errno == 0;
}

static int parse_seconds(const char *s, double *v) {
    char *end;
    if (!*s) return 0;
    *v = strtod(s, &end);
    return !*end && *v >= 0 && *v == *v;
}

/* Option with a value, as "--opt VALUE" or "--opt=VALUE": 1 consumed (*val set), 0 not this
 * option, -1 value missing (after printing a usage error). */
static int option_value(int argc, char **argv, int *i, const char *opt, const char **val, const char *hint) {
    size_t n = strlen(opt);
    const char *a = argv[*i];
    if (strncmp(a, opt, n) != 0) return 0;
    if (a[n] == '=') { *val = a + n + 1; return 1; }
    if (a[n]) return 0;
    if (*i + 1 >= argc) { cli_usage_error(hint, "%s needs a value", opt); return -1; }
    *val = argv[++*i];
    return 1;
}

/* ---- show ----------------------------------------------------------------------------- */

static int cmd_show(int argc, char **argv) {
    const char *hint = "glintefy help profile show", *val;
    int sort = PROF_SORT_CUMTIME, nfiles = 0, opts = 1, r;
    long long top = -1;
    char **files = xmalloc(((size_t)argc + 1) * sizeof *files);
    int status = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (opts && strcmp(a, "--") == 0) { opts = 0; continue; }
        if (opts && cli_is_help(a)) { fputs(SHOW_HELP, stdout); goto done; }
        if (opts && (r = option_value(argc, argv, &i, "--sort", &val, hint)) != 0) {
            if (r < 0) { status = EXIT_USAGE; goto done; }
            sort = strcmp(val, "none") == 0 ? PROF_SORT_NONE : prof_sort_key(val);
            if (sort < 0) { status = cli_usage_error(hint, "--sort: unknown key '%s'", val); goto done; }
            continue;
        }
        if (opts && (r = option_value(argc, argv, &i, "--top", &val, hint)) != 0) {
            if (r < 0) { status = EXIT_USAGE; goto done; }
            if (!parse_count(val, &top) || top > (long long)INT32_MAX) {
                status = cli_usage_error(hint, "--top needs a count, not '%s'", val);
                goto done;
            }
            continue;
        }
        if (opts && a[0] == '-' && a[1]) { status = cli_usage_error(hint, "profile show: unknown option '%s'", a); goto done; }
        files[nfiles++] = argv[i];
    }
    if (!nfiles) { status = cli_usage_error(hint, "profile show needs at least one FILE"); goto done; }
    ProfStats *st = load_all(files, nfiles);
    if (!st) { status = EXIT_REJECTED; goto done; }
    Buf out = {0};
    prof_print_table(st, (ProfSortKey)sort, (long)top, &out);
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    prof_free(st);
    status = flush_stdout();
done:
    free(files);
    return status;
}

/* ---- merge ---------------------------------------------------------------------------- */

static int cmd_merge(int argc, char **argv) {
    const char *hint = "glintefy help profile merge", *out_path = NULL, *val;
    int nfiles = 0, opts = 1, r, status = 0;
    char **files = xmalloc(((size_t)argc + 1) * sizeof *files);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (opts && strcmp(a, "--") == 0) { opts = 0; continue; }
        if (opts && cli_is_help(a)) { fputs(MERGE_HELP, stdout); goto done; }
        if (opts && ((r = option_value(argc, argv, &i, "-o", &val, hint)) != 0 ||
                     (r = option_value(argc, argv, &i, "--output", &val, hint)) != 0)) {
            if (r < 0) { status = EXIT_USAGE; goto done; }
            if (out_path) { status = cli_usage_error(hint, "profile merge takes one -o OUT"); goto done; }
            out_path = val;
            continue;
        }
        if (opts && a[0] == '-' && a[1]) { status = cli_usage_error(hint, "profile merge: unknown option '%s'", a); goto done; }
        files[nfiles++] = argv[i];
    }
    if (!out_path) { status = cli_usage_error(hint, "profile merge needs -o OUT"); goto done; }
    if (!nfiles) { status = cli_usage_error(hint, "profile merge needs at least one FILE"); goto done; }
    ProfStats *st = load_all(files, nfiles);
    if (!st) { status = EXIT_REJECTED; goto done; }
    Buf out = {0};
    prof_write(st, &out);
    int e = file_write_atomic(out_path, out.data, out.len);
    if (e) {
        fprintf(stderr, "glintefy: %s: %s\n", out_path, file_strerror(e));
        status = EXIT_REJECTED;
    }
    buf_free(&out);
    prof_free(st);
done:
    free(files);
    return status;
}

/* ---- hotspots ------------------------------------------------------------------------- */

static json_t *json_str(Str s) { return json_stringn(s.s, s.len); }

static void print_hotspots_json(const ProfStats *st, const ProfHotspot *hs, size_t n) {
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++) {
        ProfRow r = prof_row(st, hs[k].row);
        json_t *o = json_object();
        json_object_set_new(o, "file", json_str(r.func.file));
        json_object_set_new(o, "line", json_integer(r.func.line));
        json_object_set_new(o, "function", json_str(r.func.name));
        json_object_set_new(o, "calls", json_integer(r.nc));
        json_object_set_new(o, "primitive_calls", json_integer(r.cc));
        json_object_set_new(o, "tottime", json_real(r.tt));
        json_object_set_new(o, "cumtime", json_real(r.ct));
        json_object_set_new(o, "percall", json_real(r.nc ? r.ct / (double)r.nc : 0.0));
        json_object_set_new(o, "priority", json_string(prof_priority_name(hs[k].priority)));
        json_array_append_new(arr, o);
    }
    char *text = json_dumps(arr, JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_ENSURE_ASCII);
    if (text) {
        fputs(text, stdout);
        fputc('\n', stdout);
    }
    free(text);
    json_decref(arr);
}

static void print_hotspots_table(const ProfStats *st, const ProfHotspot *hs, size_t n) {
    Buf out = {0};
    buf_puts(&out, "priority    ncalls  cumtime  percall filename:lineno(function)\n");
    for (size_t k = 0; k < n; k++) {
        ProfRow r = prof_row(st, hs[k].row);
        buf_printf(&out, "%-8s %9" PRId64 " %8.3f %8.3f ", prof_priority_name(hs[k].priority), r.nc, r.ct,
                   r.nc ? r.ct / (double)r.nc : 0.0);
        prof_func_string(r.func, &out);
        buf_putc(&out, '\n');
    }
    if (!n) buf_puts(&out, "(no hotspots)\n");
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
}

static int cmd_hotspots(int argc, char **argv) {
    const char *hint = "glintefy help profile hotspots", *val;
    int nfiles = 0, opts = 1, r, status = 0, json = 0;
    ProfHotspotConfig cfg = PROF_HOTSPOT_DEFAULTS;
    char **files = xmalloc(((size_t)argc + 1) * sizeof *files);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (opts && strcmp(a, "--") == 0) { opts = 0; continue; }
        if (opts && cli_is_help(a)) { fputs(HOTSPOTS_HELP, stdout); goto done; }
        if (opts && strcmp(a, "--json") == 0) { json = 1; continue; }
        if (opts && (r = option_value(argc, argv, &i, "--min-calls", &val, hint)) != 0) {
            long long v;
            if (r < 0) { status = EXIT_USAGE; goto done; }
            if (!parse_count(val, &v)) { status = cli_usage_error(hint, "--min-calls needs a count, not '%s'", val); goto done; }
            cfg.min_calls = v;
            continue;
        }
        if (opts && (r = option_value(argc, argv, &i, "--min-cumtime", &val, hint)) != 0) {
            if (r < 0) { status = EXIT_USAGE; goto done; }
            if (!parse_seconds(val, &cfg.min_cumtime)) {
                status = cli_usage_error(hint, "--min-cumtime needs seconds, not '%s'", val);
                goto done;
            }
            continue;
        }
        if (opts && a[0] == '-' && a[1]) { status = cli_usage_error(hint, "profile hotspots: unknown option '%s'", a); goto done; }
        files[nfiles++] = argv[i];
    }
    if (!nfiles) { status = cli_usage_error(hint, "profile hotspots needs at least one FILE"); goto done; }
    ProfStats *st = load_all(files, nfiles);
    if (!st) { status = EXIT_REJECTED; goto done; }
    ProfHotspot *hs = xmalloc((prof_count(st) + 1) * sizeof *hs);
    size_t n = prof_hotspots(st, &cfg, hs);
    if (json) print_hotspots_json(st, hs, n);
    else print_hotspots_table(st, hs, n);
    free(hs);
    prof_free(st);
    status = flush_stdout();
done:
    free(files);
    return status;
}

/* ---- dispatch ------------------------------------------------------------------------- */

static const struct {
    const char *name, *help;
    int (*run)(int argc, char **argv);
} SUBCOMMANDS[] = {
    {"show", SHOW_HELP, cmd_show},
    {"merge", MERGE_HELP, cmd_merge},
    {"hotspots", HOTSPOTS_HELP, cmd_hotspots},
};
enum { N_SUB = sizeof SUBCOMMANDS / sizeof SUBCOMMANDS[0] };

int profile_cmd_help(const char *sub) {
    if (!sub) { fputs(PROFILE_HELP, stdout); return 0; }
    for (int i = 0; i < N_SUB; i++)
        if (strcmp(SUBCOMMANDS[i].name, sub) == 0) { fputs(SUBCOMMANDS[i].help, stdout); return 0; }
    return -1;
}

int profile_cmd(int argc, char **argv) {
    const char *hint = "glintefy help profile";
    if (argc == 0) return cli_usage_error(hint, "profile needs a subcommand (show, merge, hotspots)");
    if (cli_is_help(argv[0])) { fputs(PROFILE_HELP, stdout); return 0; }
    for (int i = 0; i < N_SUB; i++)
        if (strcmp(SUBCOMMANDS[i].name, argv[0]) == 0) return SUBCOMMANDS[i].run(argc - 1, argv + 1);
    return cli_usage_error(hint, "unknown profile subcommand '%s'", argv[0]);
}
