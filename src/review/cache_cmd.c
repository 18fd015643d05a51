/* cache_cmd.c - `glintefy review cache`: sources -> parse (facts extracted in the parser's
 * threads, trees freed at once) -> repository linking -> verdicts on existing caches (static
 * rules, or cache_stats.json) and ranked candidates (static, joined with a cProfile profile when
 * there is one) -> the report writers. The rules are documented in docs/review-cache.md. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "../analysis/analysis.h"
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "../profile/cachestats.h"
#include "../profile/pstats.h"
#include "../report/cache_report.h"
#include "../report/html.h"
#include "../report/patch.h"
#include "cli.h"
#include "files.h"
#include "facts_hook.h"
#include "parse_all.h"
#include "sources.h"
#include "trace_advice.h"
#include "targets.h"
#include "validate.h"
#include "../base/clock.h"
#include <unistd.h>
#include <jansson.h>

const char RV_CACHE_HELP[] =
    "Finds the functions of DIR worth caching and judges the functools caches it already\n"
    "has. Without runtime data the verdicts rest on static analysis (purity, expense, call\n"
    "sites); with DIR/" RV_OUTPUT_ROOT "/perf/test_profile.prof (or --profile) hot pure\n"
    "functions become profile-backed candidates, and with perf/cache_stats.json existing caches\n"
    "are judged on their hit rates. Writes existing_cache_evaluations.json, pure_functions.json,\n"
    "cache_candidates.json, cache_analysis.json and summary.md (docs/review-cache.md) and\n"
    "prints a summary. Files with syntax errors are reported (path:line:col) and skipped.\n"
    "Exit status 0 when the analysis ran, whatever it found.\n"
    "\n"
    "  --format FMT        what goes to stdout: text (default), json (cache_analysis.json),\n"
    "                      sarif (SARIF 2.1.0: hazards of existing caches)\n"
    "  --output-dir DIR    write the files there (default DIR/" RV_OUTPUT_ROOT "/cache)\n"
    "  --profile FILE      a cProfile/pstats file to use (repeatable: added together);\n"
    "                      default perf/test_profile.prof when it exists\n"
    "  --top N             candidates and caches shown in the text summary (default 10)\n"
    "  --jobs N            threads (default: one per online core)\n"
    "  -q, --quiet         no text summary (files are still written; errors still shown)\n"
    "  --validate -- CMD   then run CMD num_runs times as it is and num_runs times with the\n"
    "                      actions of cache_recommendations.json applied in memory by the probe;\n"
    "                      compares median wall time, stdout and exit status and writes\n"
    "                      validation_results.json (docs/curves.md, Validation)\n"
    "  --diff              no new analysis: print the actions of the last one\n"
    "                      (cache_recommendations.json) as a unified diff of the sources\n"
    "  --fix               apply that diff to the files (atomic per file); a file changed\n"
    "                      since the analysis is refused. With --validate [-- CMD]: only the\n"
    "                      actions the validation runs confirm\n"
    "  --html PATH         write the HTML report there (default: report.html beside the files)\n"
    "  --no-html           no HTML report\n";

static void add_warning(CrReport *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_warning(CrReport *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Buf b = {0};
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    r->warnings = xrealloc(r->warnings, (r->nwarnings + 1) * sizeof *r->warnings);
    r->warnings[r->nwarnings++] = b.data ? b.data : xstrndup("", 0);
}

/* ---- facts in the parser's threads ----------------------------------------------------- */


/* ---- existing caches --------------------------------------------------------------------- */

static int has_hazard(const AnFunc *fn, AnIssueKind k) {
    for (int i = 0; i < fn->nhazards; i++)
        if (fn->hazards[i].kind == k) return 1;
    return 0;
}

/* The static verdict (docs/review-cache.md, "Existing caches without runtime data"). */
static void static_verdict(CrExisting *x) {
    const AnFunc *fn = x->fn;
    x->source = "static";
    if (has_hazard(fn, AN_C_GENERATOR) || fn->is_generator || (fn->is_async && fn->cache.kind != AN_CACHED_PROPERTY)) {
        x->recommendation = "REMOVE";
        snprintf(x->reason, sizeof x->reason,
                 "Static analysis: cache on a %s - it caches a one-shot object, later hits get it exhausted",
                 fn->is_async ? "coroutine function" : "generator function");
    } else if (fn->cache.kind == AN_CACHED_PROPERTY) {
        x->recommendation = "KEEP";
        snprintf(x->reason, sizeof x->reason,
                 "Static analysis: cached_property computes its value once per instance - kept");
    } else if (fn->call_sites >= 2) {
        x->recommendation = "KEEP";
        snprintf(x->reason, sizeof x->reason,
                 "Static analysis: Function called %d times in codebase - likely benefits from caching", fn->call_sites);
    } else if (fn->call_sites == 1) {
        x->recommendation = "KEEP";
        snprintf(x->reason, sizeof x->reason,
                 "Static analysis: Function called 1 time in codebase - benefit uncertain (one call site may run "
                 "many times, e.g. in a loop); profile to decide");
    } else {
        x->recommendation = "KEEP";
        snprintf(x->reason, sizeof x->reason,
                 "Static analysis: Function not called in codebase - public API or called dynamically; "
                 "profile to decide");
    }
}

/* Whether module name `ours` is `theirs` or ends with "." + theirs (stats written relative to a
 * package, as the guide's "database.get_user"). */
static int module_matches(const char *ours, const char *theirs) {
    if (!theirs || !*theirs) return 1;
    size_t a = strlen(ours), b = strlen(theirs);
    if (a == b) return strcmp(ours, theirs) == 0;
    return a > b && ours[a - b - 1] == '.' && strcmp(ours + a - b, theirs) == 0;
}

/* Whether path `ours` (repo-relative) is `theirs`, or `theirs` ends with "/" + ours. */
static int path_matches(const char *ours, const char *theirs) {
    size_t a = strlen(ours), b = strlen(theirs);
    if (strncmp(theirs, "./", 2) == 0) { theirs += 2; b -= 2; }
    if (a == b) return strcmp(ours, theirs) == 0;
    return b > a && theirs[b - a - 1] == '/' && strcmp(theirs + b - a, ours) == 0;
}

static int stat_matches(const CacheStat *s, const CrExisting *x) {
    const AnFunc *fn = x->fn;
    if (s->file && s->line) {
        if (!path_matches(x->file->path, s->file)) return 0;
        if (s->line != fn->line && s->line != fn->first_line) return 0;
        return !s->qualname || strcmp(s->qualname, fn->qualname) == 0;
    }
    if (!module_matches(x->file->module, s->module)) return 0;
    if (s->qualname) return strcmp(s->qualname, fn->qualname) == 0;
    return s->function && (strcmp(s->function, fn->qualname) == 0 || strcmp(s->function, fn->name) == 0);
}

static void stats_verdict(CrExisting *x, const CacheStat *s, const RvConfig *cfg) {
    CacheVerdictConfig vc = CACHE_VERDICT_DEFAULTS;
    vc.remove_threshold = cfg->remove_threshold;
    vc.hit_rate_threshold = cfg->hit_rate_threshold;
    vc.size_adjustment_threshold = cfg->size_adjustment_threshold;
    vc.min_suggested_maxsize = cfg->min_suggested_maxsize;
    CacheVerdict v = cache_verdict(s, &vc);
    x->source = "cache_stats";
    x->recommendation = cache_recommendation_name(v.recommendation);
    snprintf(x->reason, sizeof x->reason, "%s", v.reason);
    x->suggested_maxsize = v.suggested_maxsize;
    x->hits = s->hits;
    x->misses = s->misses;
    x->currsize = s->currsize;
    x->maxsize_seen = s->maxsize;
    x->have_stats = 1;
    x->hit_rate_percent = v.hit_rate_percent;
    x->utilization_percent = v.utilization_percent;
    x->rating = v.rating;
    x->note = v.note == CACHE_NOTE_NOT_EXERCISED ? "not-exercised"
              : v.note == CACHE_NOTE_MAY_BE_TOO_SMALL ? "maxsize-may-be-too-small" : NULL;
}

/* Reads perf/cache_stats.json if present; a malformed file is a warning (static verdicts stay). */
static int load_cache_stats(const char *perf_dir, CrReport *r, CacheStats *st, char **path_out) {
    char *path = xmalloc(strlen(perf_dir) + 32);
    sprintf(path, "%s/cache_stats.json", perf_dir);
    char *data;
    size_t n;
    int e = rv_read_file(AT_FDCWD, path, &data, &n);
    if (e) {
        if (e != ENOENT) add_warning(r, "%s: %s (cache statistics not used)", path, strerror(e));
        free(path);
        return 0;
    }
    CacheStatsError err;
    int bad = cachestats_parse(data, n, st, &err);
    free(data);
    if (bad) {
        if (err.line) add_warning(r, "%s:%d:%d: %s (cache statistics not used)", path, err.line, err.column, err.msg);
        else add_warning(r, "%s: %s: %s (cache statistics not used)", path, err.path, err.msg);
        free(path);
        return 0;
    }
    *path_out = path;
    return 1;
}

/* ---- candidates ------------------------------------------------------------------------ */

/* Expense score: what makes a function worth a cache lookup (docs/review-cache.md). */
static double expense_score(const AnExpense *e) { return rv_expense_score(e); } /* targets.c */
enum { MIN_EXPENSE_SCORE = 2 };

static void reject(CrCandidate *c, const char *code, const char *name, const char *message, const char *detail,
                   AnLoc loc) {
    c->rejects = xrealloc(c->rejects, (size_t)(c->nrejects + 1) * sizeof *c->rejects);
    c->rejects[c->nrejects++] = (CrReject){code, name, message, detail, loc};
}
static void reject_kind(CrCandidate *c, CrRejectKind k, AnLoc loc) {
    reject(c, cr_reject_desc[k].code, cr_reject_desc[k].name, cr_reject_desc[k].message, NULL, loc);
}
static void reject_issue(CrCandidate *c, const AnIssue *is) {
    const AnIssueDesc *d = &an_issue_desc[is->kind];
    reject(c, d->code, d->name, d->message, is->detail, is->loc);
}

/* The static rules of a candidate; profile evidence is applied later. */
static void judge_candidate(CrCandidate *c) {
    const AnFunc *fn = c->fn;
    AnLoc none = {0, 0};
    c->expense_score = expense_score(&fn->expense);
    c->score = rv_candidate_score(fn);
    if (fn->cache.kind != AN_NO_CACHE) {
        reject_kind(c, CR_ALREADY_CACHED, fn->cache.loc);
        return;
    }
    if (fn->purity != AN_PURE) {
        if (fn->nreasons)
            for (int i = 0; i < fn->nreasons; i++) reject_issue(c, &fn->reasons[i]);
        else
            reject_kind(c, fn->purity == AN_IMPURE ? CR_NOT_PURE : CR_PURITY_UNKNOWN, none);
    }
    if (fn->is_property)
        reject_kind(c, CR_PROPERTY, (AnLoc){fn->line, fn->col});
    if (fn->is_method && !fn->is_staticmethod && !fn->is_classmethod && !has_hazard(fn, AN_C_METHOD_CACHE)) {
        const AnIssueDesc *d = &an_issue_desc[AN_C_METHOD_CACHE];
        reject(c, d->code, d->name, d->message, NULL, (AnLoc){fn->line, fn->col});
    }
    if (fn->is_nested) reject_kind(c, CR_NESTED, (AnLoc){fn->line, fn->col});
    for (int i = 0; i < fn->nhazards; i++) reject_issue(c, &fn->hazards[i]);
    if (fn->returns_mutable && !has_hazard(fn, AN_C_MUTABLE_RETURN)) {
        const AnIssueDesc *d = &an_issue_desc[AN_C_MUTABLE_RETURN];
        reject(c, d->code, d->name, d->message, NULL, (AnLoc){fn->line, fn->col});
    }
    if (c->expense_score < MIN_EXPENSE_SCORE && !has_hazard(fn, AN_C_TOO_CHEAP)) {
        const AnIssueDesc *d = &an_issue_desc[AN_C_TOO_CHEAP];
        reject(c, d->code, d->name, d->message, NULL, none);
    }
    if (fn->call_sites == 0)
        reject_kind(c, CR_NEVER_CALLED, none);
}

/* Rejections that profile evidence overrides: a hot function is not too cheap, and its calls
 * are real even when the code shows no call site. */
static int only_static_rejections(const CrCandidate *c) {
    for (int i = 0; i < c->nrejects; i++)
        if (strcmp(c->rejects[i].code, "C210") != 0 && strcmp(c->rejects[i].code, cr_reject_desc[CR_NEVER_CALLED].code) != 0) return 0;
    return 1;
}

static int cmp_candidates(const void *a, const void *b) {
    const CrCandidate *x = a, *y = b;
    if (x->accepted != y->accepted) return y->accepted - x->accepted;
    /* measured ADD_CACHE first, by expected saving */
    int xt = x->accepted && x->trace_verdict > 0, yt = y->accepted && y->trace_verdict > 0;
    if (xt != yt) return yt - xt;
    if (xt && x->trace_saving_s != y->trace_saving_s) return x->trace_saving_s < y->trace_saving_s ? 1 : -1;
    int xp = x->accepted && x->hot, yp = y->accepted && y->hot;
    if (xp != yp) return yp - xp;
    if (xp && x->cumtime != y->cumtime) return x->cumtime < y->cumtime ? 1 : -1;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    int c = strcmp(x->file->path, y->file->path);
    return c ? c : x->fn->line - y->fn->line;
}

/* ---- profile ------------------------------------------------------------------------------ */

typedef struct Linked {
    AnFile *files;
    int nfiles;
} Linked;

/* The file whose path `pfile` names: equal, or a '/'-suffix of an absolute/other-root path. */
static int find_file(const Linked *L, const char *pfile, size_t len) {
    char *tmp = xstrndup(pfile, len);
    const char *p = tmp;
    if (strncmp(p, "./", 2) == 0) p += 2;
    int found = -1;
    for (;;) {
        int lo = 0, hi = L->nfiles - 1;
        while (lo <= hi) {
            int mid = (lo + hi) / 2, c = strcmp(p, L->files[mid].path);
            if (!c) { found = mid; break; }
            if (c < 0) hi = mid - 1;
            else lo = mid + 1;
        }
        if (found >= 0) break;
        const char *slash = strchr(p, '/');
        if (!slash) break;
        p = slash + 1;
    }
    free(tmp);
    return found;
}

static int read_profile(const char *path, ProfStats *into, char *err, size_t errlen) {
    char *data;
    size_t n;
    int e = rv_read_file(AT_FDCWD, path, &data, &n);
    if (e) {
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -1;
    }
    ProfError pe;
    ProfStats *st = prof_load((const unsigned char *)data, n, &pe);
    free(data);
    if (!st) {
        if (pe.offset >= 0) snprintf(err, errlen, "%s: offset %lld: %s", path, pe.offset, pe.msg);
        else snprintf(err, errlen, "%s: %s", path, pe.msg);
        return -1;
    }
    int r = prof_add(into, st, &pe);
    prof_free(st);
    if (r) {
        snprintf(err, errlen, "%s: %s", path, pe.msg);
        return -1;
    }
    return 0;
}

/* Whether a profile row is the body of a class defined in f: co_name is the class's name and
 * co_firstlineno its first decorator's (or the class statement's) line. */
static int is_class_body(const AnFile *f, const ProfRow *row) {
    for (int k = 0; k < f->nclasses; k++) {
        if (f->class_lines[k] != row->func.line) continue;
        const char *q = f->classes[k], *dot = strrchr(q, '.');
        const char *name = dot ? dot + 1 : q;
        if (str_eq(row->func.name, name)) return 1;
    }
    return 0;
}

/* Joins profile rows to candidates by file, first line and co_name; marks hot ones; warns about
 * stale rows, an old profile and files changed after it. cand_of[file][func] -> candidate. */
static void apply_profile(const ProfStats *ps, double newest_mtime, const Linked *L, CrCandidate **cand_of,
                          const RvConfig *cfg, const char *repo, CrReport *r) {
    size_t n = prof_count(ps);
    r->profile_rows = n;
    ProfHotspotConfig hc = PROF_HOTSPOT_DEFAULTS;
    hc.min_calls = cfg->min_calls;
    hc.min_cumtime = cfg->min_cumtime;
    ProfHotspot *hot = xmalloc((n ? n : 1) * sizeof *hot);
    size_t nhot = prof_hotspots(ps, &hc, hot);
    ProfPriority *prio = xmalloc((n ? n : 1) * sizeof *prio);
    unsigned char *is_hot = xcalloc(n ? n : 1, 1);
    for (size_t i = 0; i < nhot; i++) {
        is_hot[hot[i].row] = 1;
        prio[hot[i].row] = hot[i].priority;
    }
    size_t missing = 0;
    Buf examples = {0};
    unsigned char *file_seen = xcalloc((size_t)L->nfiles + 1, 1);
    for (size_t i = 0; i < n; i++) {
        ProfRow row = prof_row(ps, i);
        if (row.func.file.len == 1 && row.func.file.s[0] == '~') continue;
        int fi = find_file(L, row.func.file.s, row.func.file.len);
        if (fi < 0) continue;
        file_seen[fi] = 1;
        const AnFile *f = &L->files[fi];
        int hit = -1;
        for (int k = 0; k < f->nfuncs && hit < 0; k++) {
            const AnFunc *fn = &f->funcs[k];
            if ((fn->first_line == row.func.line || fn->line == row.func.line) && str_eq(row.func.name, fn->name)) hit = k;
        }
        if (hit < 0) {
            if (row.func.name.len && row.func.name.s[0] == '<') continue; /* <module>, <lambda>, <listcomp> ... */
            if (is_class_body(f, &row)) continue; /* a class statement's body runs as a code object too */
            if (missing < 3)
                buf_printf(&examples, "%s%s:%lld(%.*s)", missing ? ", " : "", f->path, (long long)row.func.line,
                           (int)row.func.name.len, row.func.name.s);
            missing++;
            continue;
        }
        r->profile_rows_joined++;
        CrCandidate *c = cand_of[fi] ? &cand_of[fi][hit] : NULL;
        if (!c) continue;
        c->profiled = 1;
        c->calls += row.nc;
        c->primitive_calls += row.cc;
        c->tottime += row.tt;
        c->cumtime += row.ct;
        c->percall = c->calls ? c->cumtime / (double)c->calls : 0;
        if (is_hot[i]) {
            c->hot = 1;
            c->priority = prof_priority_name(prio[i]);
        }
    }
    if (missing)
        add_warning(r, "profile rows point at %zu function%s that no longer exist%s (%s): re-profile", missing,
                    missing == 1 ? "" : "s", missing == 1 ? "s" : "", examples.data);
    buf_free(&examples);
    /* age and changes since */
    time_t now = time(NULL);
    double age_h = ((double)now - newest_mtime) / 3600.0;
    if (age_h > cfg->max_profile_age_hours)
        add_warning(r, "the profile is %.1f hours old (max_profile_age_hours %g): re-profile for current data", age_h,
                    cfg->max_profile_age_hours);
    size_t changed = 0;
    Buf names = {0};
    char path[PATH_MAX];
    for (int fi = 0; fi < L->nfiles; fi++) {
        if (!file_seen[fi]) continue;
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", repo, L->files[fi].path);
        if (stat(path, &sb) != 0) continue;
        double mt = (double)sb.st_mtim.tv_sec + sb.st_mtim.tv_nsec * 1e-9;
        if (mt > newest_mtime) {
            if (changed < 3) buf_printf(&names, "%s%s", changed ? ", " : "", L->files[fi].path);
            changed++;
        }
    }
    if (changed)
        add_warning(r, "%zu profiled source file%s changed after the profile was taken (%s%s): re-profile", changed,
                    changed == 1 ? "" : "s", names.data, changed > 3 ? ", ..." : "");
    buf_free(&names);
    free(file_seen);
    free(hot);
    free(prio);
    free(is_hot);
}

/* ---- the command ------------------------------------------------------------------------- */

typedef struct CacheOpts {
    const char *format;
    const char *output_dir;
    const char **profiles;
    int nprofiles;
    int quiet, top, jobs;
    int validate;  /* --validate [-- CMD ARGS...] */
    int diff, fix, no_html; /* --diff, --fix (src/report/patch.c), --no-html */
    const char *html;       /* --html PATH */
    char **cmd;
    int ncmd;
} CacheOpts;

static int parse_opts(RvContext *ctx, int argc, char **argv, CacheOpts *o) {
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val;
        int r;
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) { o->quiet = 1; continue; }
        if (strcmp(a, "--validate") == 0) { o->validate = 1; continue; }
        if (strcmp(a, "--diff") == 0) { o->diff = 1; continue; }
        if (strcmp(a, "--fix") == 0) { o->fix = 1; continue; }
        if (strcmp(a, "--no-html") == 0) { o->no_html = 1; continue; }
        if ((r = rv_value_option("--html", argc, argv, &i, &val)) != 0) {
            if (r < 0) return cli_usage_error(ctx->hint, "--html needs a path");
            o->html = val;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            if (!o->validate) return cli_usage_error(ctx->hint, "cache: a command after -- needs --validate");
            o->cmd = argv + i + 1;
            o->ncmd = argc - i - 1;
            break;
        }
        if ((r = rv_value_option("--format", argc, argv, &i, &val)) != 0) {
            if (r < 0 || (strcmp(val, "text") && strcmp(val, "json") && strcmp(val, "sarif")))
                return cli_usage_error(ctx->hint, "--format needs text, json or sarif");
            o->format = val;
            continue;
        }
        if ((r = rv_value_option("--output-dir", argc, argv, &i, &val)) != 0) {
            if (r < 0 || !*val) return cli_usage_error(ctx->hint, "--output-dir needs a directory");
            o->output_dir = val;
            continue;
        }
        if ((r = rv_value_option("--profile", argc, argv, &i, &val)) != 0) {
            if (r < 0 || !*val) return cli_usage_error(ctx->hint, "--profile needs a file");
            o->profiles = xrealloc(o->profiles, (size_t)(o->nprofiles + 1) * sizeof *o->profiles);
            o->profiles[o->nprofiles++] = val;
            continue;
        }
        if ((r = rv_value_option("--top", argc, argv, &i, &val)) != 0 || (r = rv_value_option("--jobs", argc, argv, &i, &val)) != 0) {
            int is_top = strncmp(a, "--top", 5) == 0;
            char *end;
            long v = r > 0 ? strtol(val, &end, 10) : -1;
            if (r < 0 || *end || v < (is_top ? 0 : 1) || v > (is_top ? 100000 : 64))
                return cli_usage_error(ctx->hint, is_top ? "--top needs a number from 0" : "--jobs needs a number from 1 to 64");
            if (is_top) o->top = (int)v;
            else o->jobs = (int)v;
            continue;
        }
        r = rv_context_option(ctx, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r > 0) continue;
        return cli_usage_error(ctx->hint, "cache: unexpected argument '%s'", a);
    }
    return 0;
}

/* The command `review profile` recorded in perf/command.json, when it ran from the current
 * directory (so its relative paths still hold); NULL otherwise. The array and strings are
 * malloc'd. */
static char **recorded_command(const char *perfdir, int *n) {
    Buf path = {0};
    buf_printf(&path, "%s/command.json", perfdir);
    json_error_t err;
    json_t *root = json_load_file(path.data, 0, &err);
    buf_free(&path);
    if (!root) return NULL;
    json_t *argv = json_object_get(root, "argv"), *cwd = json_object_get(root, "cwd");
    char here[4096];
    char **out = NULL;
    if (json_is_array(argv) && json_array_size(argv) > 0 && json_is_string(cwd) && getcwd(here, sizeof here) &&
        strcmp(here, json_string_value(cwd)) == 0) {
        size_t k = json_array_size(argv);
        out = xcalloc(k + 1, sizeof *out);
        for (size_t i = 0; i < k; i++) {
            const char *a = json_string_value(json_array_get(argv, i));
            out[i] = xstrndup(a ? a : "", a ? strlen(a) : 0);
        }
        *n = (int)k;
    }
    json_decref(root);
    return out;
}

/* --diff / --fix: the actions of the last analysis (cache_recommendations.json) as a patch; with
 * --validate only those the validation runs confirm. No new analysis: the patch is what the
 * report showed, and a file changed since then is refused (src/report/patch.c). */
static int patch_mode(RvContext *ctx, CacheOpts *o, const RvConfig *cfg, const char *outdir, const char *perfdir) {
    char *vpath = NULL;
    if (o->validate) {
        char **recorded = NULL, **cmd = o->cmd;
        int nrecorded = 0, ncmd = o->ncmd;
        if (!ncmd && (recorded = recorded_command(perfdir, &nrecorded)) != NULL) {
            cmd = recorded;
            ncmd = nrecorded;
        }
        int rc = 0;
        if (!ncmd) {
            fprintf(stderr, "glintefy: validation: no command to run: glintefy review cache --validate --fix -- CMD [ARGS...]\n");
            rc = EXIT_REJECTED;
        } else if (rv_cache_validate(ctx->repo, outdir, cfg, cmd, ncmd))
            rc = EXIT_REJECTED;
        for (int i = 0; i < nrecorded; i++) free(recorded[i]);
        free(recorded);
        if (rc) return rc;
        vpath = xmalloc(strlen(outdir) + 32);
        sprintf(vpath, "%s/validation_results.json", outdir);
    }
    RpOptions po = {.fix = o->fix, .only_validated = vpath};
    Buf d = {0};
    int nact, nfiles;
    int rc = rp_patch(ctx->repo, outdir, &po, &d, stderr, &nact, &nfiles);
    if (d.len && (o->diff || !o->fix)) fwrite(d.data, 1, d.len, stdout);
    if (rc != 2) {
        if (o->fix) fprintf(stderr, "glintefy: applied %d action%s to %d file%s\n", nact, nact == 1 ? "" : "s", nfiles, nfiles == 1 ? "" : "s");
        else if (!o->quiet) fprintf(stderr, "glintefy: diff of %d action%s in %d file%s (apply it with --fix or git apply)\n", nact, nact == 1 ? "" : "s", nfiles, nfiles == 1 ? "" : "s");
    }
    buf_free(&d);
    free(vpath);
    return rc ? EXIT_REJECTED : 0;
}

int rv_cmd_cache(RvContext *ctx, int argc, char **argv) {
    double t_start = now_seconds();
    CacheOpts o = {.format = "text", .top = 10};
    int status = parse_opts(ctx, argc, argv, &o);
    if (status) { free(o.profiles); return status; }

    RvConfig cfg;
    if (rv_context_config(ctx, &cfg)) {
        rv_config_free(&cfg);
        free(o.profiles);
        return EXIT_REJECTED;
    }
    CrReport r = {0};
    char *outdir = o.output_dir ? xstrndup(o.output_dir, strlen(o.output_dir)) : rv_output_path(ctx->repo, RV_OUTPUT_CACHE);
    char *perfdir = rv_output_path(ctx->repo, RV_OUTPUT_PERF);
    r.repo = ctx->repo;
    r.output_dir = outdir;
    r.hit_rate_threshold = cfg.hit_rate_threshold;
    r.remove_threshold = cfg.remove_threshold;
    r.size_adjustment_threshold = cfg.size_adjustment_threshold;
    r.min_suggested_maxsize = cfg.min_suggested_maxsize;
    r.cache_size = cfg.cache_size;
    r.min_calls = cfg.min_calls;
    r.min_cumtime = cfg.min_cumtime;
    r.max_profile_age_hours = cfg.max_profile_age_hours;
    if (o.diff || o.fix) {
        status = patch_mode(ctx, &o, &cfg, outdir, perfdir);
        free(outdir);
        free(perfdir);
        free(o.profiles);
        rv_config_free(&cfg);
        return status;
    }

    /* The profile first: a broken --profile is an error before any work. */
    ProfStats *ps = NULL;
    double prof_mtime = 0;
    {
        char *def = xmalloc(strlen(perfdir) + 32);
        sprintf(def, "%s/test_profile.prof", perfdir);
        int explicit = o.nprofiles > 0;
        struct stat sb;
        if (!explicit && stat(def, &sb) == 0) {
            o.profiles = xrealloc(o.profiles, sizeof *o.profiles);
            o.profiles[o.nprofiles++] = def;
        }
        if (o.nprofiles) ps = prof_new();
        for (int i = 0; i < o.nprofiles; i++) {
            char err[600];
            if (read_profile(o.profiles[i], ps, err, sizeof err)) {
                if (explicit) {
                    fprintf(stderr, "glintefy: %s\n", err);
                    status = EXIT_REJECTED;
                    break;
                }
                add_warning(&r, "%s (profile not used; check it with 'glintefy profile show')", err);
                prof_free(ps);
                ps = NULL;
                break;
            }
            if (stat(o.profiles[i], &sb) == 0) {
                double mt = (double)sb.st_mtim.tv_sec + sb.st_mtim.tv_nsec * 1e-9;
                if (mt > prof_mtime) prof_mtime = mt;
            }
            r.profiles = xrealloc(r.profiles, (r.nprofiles + 1) * sizeof *r.profiles);
            r.profiles[r.nprofiles++] = xstrndup(o.profiles[i], strlen(o.profiles[i]));
        }
        if (o.nprofiles && o.profiles[o.nprofiles - 1] == def) o.nprofiles--;
        free(def);
        if (status) goto out;
    }

    /* sources, parse + facts */
    RvSourceList src;
    char err[1024];
    double t0 = now_seconds();
    if (rv_find_sources(ctx->repo, &cfg, &src, err, sizeof err)) {
        fprintf(stderr, "glintefy: %s\n", err);
        rv_sources_free(&src);
        status = EXIT_REJECTED;
        goto out;
    }
    r.t_discover = now_seconds() - t0;
    t0 = now_seconds();
    RvFactsCtx fc = {.src = &src, .files = xcalloc(src.len + 1, sizeof(AnFile)), .done = xcalloc(src.len + 1, 1)};
    RvParseSet set;
    RvParseOptions po = {.jobs = o.jobs, .keep = 0, .hook = rv_facts_hook, .ctx = &fc};
    rv_parse_all(ctx->repo, &src, &po, &set);
    r.t_parse = now_seconds() - t0;
    r.files = set.len;
    r.bytes = set.bytes;
    r.threads = set.threads;
    rv_report_rejected(stderr, &set);
    r.skipped = xcalloc(set.rejected + 1, sizeof *r.skipped);
    int nfiles = 0;
    for (size_t i = 0; i < set.len; i++) {
        const RvParsed *f = &set.files[i];
        if (f->rejected || !fc.done[i]) {
            CrSkipped *s = &r.skipped[r.nskipped++];
            s->path = src.items[i].path;
            if (f->read_errno) snprintf(s->msg, sizeof s->msg, "%s", strerror(f->read_errno));
            else {
                rv_diag_position(f, &s->line, &s->col);
                snprintf(s->msg, sizeof s->msg, "%s", f->diag.msg);
            }
            continue;
        }
        fc.files[nfiles++] = fc.files[i]; /* keep the parsed ones, still sorted by path */
    }
    rv_parse_set_free(&set);

    /* link */
    t0 = now_seconds();
    AnRepo repo;
    an_repo_link(&repo, fc.files, nfiles);
    r.t_link = now_seconds() - t0;

    /* advice */
    t0 = now_seconds();
    Linked L = {fc.files, nfiles};
    size_t nfuncs = 0, ncached = 0;
    for (int i = 0; i < nfiles; i++) {
        nfuncs += (size_t)fc.files[i].nfuncs;
        for (int k = 0; k < fc.files[i].nfuncs; k++) {
            const AnFunc *fn = &fc.files[i].funcs[k];
            ncached += fn->cache.kind != AN_NO_CACHE;
            if (fn->purity == AN_PURE) r.pure++;
            else if (fn->purity == AN_IMPURE) r.impure++;
            else r.unknown++;
        }
    }
    r.functions = nfuncs;
    r.existing = xcalloc(ncached + 1, sizeof *r.existing);
    r.candidates = xcalloc(nfuncs + 1, sizeof *r.candidates);
    CrCandidate **cand_of = xcalloc((size_t)nfiles + 1, sizeof *cand_of);
    for (int i = 0; i < nfiles; i++) {
        cand_of[i] = &r.candidates[r.ncandidates];
        for (int k = 0; k < fc.files[i].nfuncs; k++) {
            const AnFunc *fn = &fc.files[i].funcs[k];
            CrCandidate *c = &r.candidates[r.ncandidates++];
            c->file = &fc.files[i];
            c->fn = fn;
            judge_candidate(c);
            if (fn->cache.kind != AN_NO_CACHE) {
                CrExisting *x = &r.existing[r.nexisting++];
                x->file = &fc.files[i];
                x->fn = fn;
                x->utilization_percent = -1;
                static_verdict(x);
            }
        }
    }
    CacheStats cs = {0};
    char *cs_path = NULL;
    if (load_cache_stats(perfdir, &r, &cs, &cs_path)) {
        r.cache_stats_path = cs_path;
        r.cache_stats_entries = cs.len;
        for (size_t s = 0; s < cs.len; s++) {
            int matched = 0;
            for (size_t i = 0; i < r.nexisting; i++)
                if (!strcmp(r.existing[i].source, "static") && stat_matches(&cs.items[s], &r.existing[i])) {
                    stats_verdict(&r.existing[i], &cs.items[s], &cfg);
                    matched = 1;
                    break;
                }
            r.cache_stats_matched += (size_t)matched;
            if (!matched && s - r.cache_stats_matched < 3)
                add_warning(&r, "%s: no cache in the repository matches %s%s%s", cs_path,
                            cs.items[s].module ? cs.items[s].module : "", cs.items[s].module ? "." : "",
                            cs.items[s].qualname ? cs.items[s].qualname : cs.items[s].function ? cs.items[s].function : "?");
        }
    }
    if (ps) apply_profile(ps, prof_mtime, &L, cand_of, &cfg, ctx->repo, &r);
    for (size_t i = 0; i < r.ncandidates; i++) {
        CrCandidate *c = &r.candidates[i];
        if (!c->nrejects) c->accepted = 1;
        else if (c->hot && c->fn->purity == AN_PURE && only_static_rejections(c)) {
            /* measured: hot in the profile, so the static doubts (cheap, no call site) yield */
            c->accepted = 1;
            free(c->rejects);
            c->rejects = NULL;
            c->nrejects = 0;
        }
        r.naccepted += (size_t)c->accepted;
        r.nprofile_backed += (size_t)(c->accepted && c->hot);
    }
    {
        /* argument-key traces: verdicts from miss-ratio and time-saved curves (docs/curves.md) */
        double run_s = 0;
        if (ps) {
            int64_t calls, prim;
            prof_totals(ps, &calls, &prim, &run_s);
        }
        if (ta_apply(perfdir, &r, &cfg, run_s)) r.mode = "production";
    }
    /* measured calls overrule the static and profile ranking: a traced candidate is accepted only
     * when its curve says a cache pays off */
    for (size_t i = 0; i < r.ncandidates; i++) {
        CrCandidate *c = &r.candidates[i];
        if (c->trace_verdict >= 0 || !c->accepted) continue;
        c->accepted = 0;
        const AnIssueDesc *d = &cr_reject_desc[CR_TRACE_NOT_WORTH];
        reject(c, d->code, d->name, d->message, c->trace_reason, (AnLoc){c->fn->line, c->fn->col});
    }
    r.naccepted = r.nprofile_backed = 0;
    for (size_t i = 0; i < r.ncandidates; i++) {
        r.naccepted += (size_t)r.candidates[i].accepted;
        r.nprofile_backed += (size_t)(r.candidates[i].accepted && r.candidates[i].hot);
    }
    qsort(r.candidates, r.ncandidates, sizeof *r.candidates, cmp_candidates);
    for (size_t i = 0; i < r.ncandidates && r.candidates[i].accepted; i++) r.candidates[i].rank = (int)i + 1;
    r.mode = r.nprofiles || r.cache_stats_path || r.ntraces ? "production" : "static";
    r.t_advice = now_seconds() - t0;

    /* outputs */
    t0 = now_seconds();
    r.t_total = now_seconds() - t_start;
    const char *failed = NULL;
    int e = cr_write_files(&r, &failed);
    if (!e && (e = ta_write_recommendations(&r)) != 0) failed = "cache_recommendations.json";
    if (!e && (e = rp_record_hashes(ctx->repo, outdir)) != 0) failed = "source_hashes.json";
    char *html = NULL;
    if (!e && !o.no_html) { /* the page is read from the files just written (src/report/html.c) */
        html = o.html ? xstrndup(o.html, strlen(o.html)) : xmalloc(strlen(outdir) + 16);
        if (!o.html) sprintf(html, "%s/report.html", outdir);
        if ((e = html_write_report(ctx->repo, outdir, perfdir, html, NULL)) != 0) failed = html;
    }
    r.t_write = now_seconds() - t0;
    r.t_total = now_seconds() - t_start;
    if (e) {
        fprintf(stderr, "glintefy: %s: %s\n", failed, strerror(e));
        status = EXIT_REJECTED;
    } else {
        Buf b = {0};
        if (!strcmp(o.format, "json")) cr_analysis_json(&r, &b);
        else if (!strcmp(o.format, "sarif")) cr_sarif(&r, &b);
        else if (!o.quiet) cr_text(&r, o.top, &b);
        if (b.data) fwrite(b.data, 1, b.len, stdout);
        buf_free(&b);
        fflush(stdout);
        if (html && !o.quiet && !strcmp(o.format, "text")) fprintf(stderr, "glintefy: report: %s\n", html);
        if (!o.quiet && strcmp(o.format, "text") != 0)
            for (size_t i = 0; i < r.nwarnings; i++) fprintf(stderr, "glintefy: warning: %s\n", r.warnings[i]);
        char **recorded = NULL;
        int nrecorded = 0;
        if (o.validate && !o.ncmd) recorded = recorded_command(perfdir, &nrecorded);
        if (recorded) {
            o.cmd = recorded;
            o.ncmd = nrecorded;
            fprintf(stderr, "glintefy: validation: the command review profile ran (perf/command.json): %s%s\n", recorded[0],
                    nrecorded > 1 ? " ..." : "");
        }
        if (o.validate && !o.ncmd)
            fprintf(stderr, "glintefy: validation: no command to run: glintefy review cache --validate -- CMD [ARGS...]"
                            " (or profile one first: perf/command.json records it)\n");
        else if (o.validate && !r.ntraces)
            fprintf(stderr, "glintefy: validation: nothing to validate: no argument-key traces, so no ADD_CACHE, ADJUST_SIZE"
                            " or REMOVE action (run 'glintefy review profile -- CMD' first)\n");
        else if (o.validate && rv_cache_validate(ctx->repo, outdir, &cfg, o.cmd, o.ncmd))
            status = EXIT_REJECTED;
        if (recorded) {
            for (int i = 0; i < nrecorded; i++) free(recorded[i]);
            free(recorded);
        }
    }

    free(html);
    cachestats_free(&cs);
    free(cs_path);
    free(cand_of);
    an_repo_free(&repo);
    for (int i = 0; i < nfiles; i++) an_file_free(&fc.files[i]);
    free(fc.files);
    free(fc.done);
    rv_sources_free(&src);
out:
    prof_free(ps);
    cr_report_free(&r);
    free(outdir);
    free(perfdir);
    free(o.profiles);
    rv_config_free(&cfg);
    return status;
}
