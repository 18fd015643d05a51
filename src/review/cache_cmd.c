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
#include "../advice/advice.h"
#include "targets.h"
#include "validate.h"
#include "../base/clock.h"
#include <unistd.h>
#include <jansson.h>

/* report.html is written by default up to this many functions (see where it is written). */
enum { CC_HTML_AUTO_MAX = 20000 };

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
    "  --actions FILE      with --validate: apply the actions of FILE (a cache_recommendations.json,\n"
    "                      e.g. one edited to keep some actions) instead of the one just written\n"
    "  --diff              no new analysis: print the actions of the last one\n"
    "                      (cache_recommendations.json) as a unified diff of the sources\n"
    "  --fix               apply that diff to the files (atomic per file); a file changed\n"
    "                      since the analysis is refused. With --validate [-- CMD]: only the\n"
    "                      actions the validation runs confirm\n"
    "  --html PATH         write the HTML report there (default: report.html beside the files;\n"
    "                      by default not written past 20,000 functions, --html writes it)\n"
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

/* Adds one process's counters to x's (the file may hold one entry per process or workload). */
static void stats_add(CrExisting *x, const CacheStat *s) {
    if (!x->has_stat) {
        x->stat = (CacheStat){.hits = s->hits, .misses = s->misses, .maxsize = s->maxsize, .currsize = s->currsize};
        x->has_stat = 1;
        return;
    }
    x->stat.hits = cache_counter_add(x->stat.hits, s->hits);
    x->stat.misses = cache_counter_add(x->stat.misses, s->misses);
    if (s->currsize > x->stat.currsize) x->stat.currsize = s->currsize;
}

/* Reads perf/cache_stats.json if present; a malformed file is a warning (static verdicts stay). */
static int load_cache_stats(const char *perf_dir, CrReport *r, CacheStats *st, char **path_out) {
    char *path = xmalloc(strlen(perf_dir) + 32);
    sprintf(path, "%s/cache_stats.json", perf_dir);
    char *data;
    size_t n;
    int e = rv_read_file(AT_FDCWD, path, &data, &n);
    if (e) {
        if (e != ENOENT) add_warning(r, "%s: %s (cache statistics not used)", path, file_strerror(e));
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
    if (fn->unhashable_hint) {
        const AnIssueDesc *d = &cr_reject_desc[CR_UNHASHABLE_LOOKING];
        reject(c, d->code, d->name, d->message, fn->unhashable_hint, (AnLoc){fn->line, fn->col});
    }
}

/* Rejections that runtime evidence overrides: a hot function is not too cheap, and its calls are
 * real even when the code shows no call site; a trace (traced = 1) also measures whether its
 * arguments really are unhashable (R308 is a look, not a fact). */
static int only_static_rejections(const CrCandidate *c, int traced) {
    for (int i = 0; i < c->nrejects; i++) {
        const char *k = c->rejects[i].code;
        if (strcmp(k, "C210") != 0 && strcmp(k, cr_reject_desc[CR_NEVER_CALLED].code) != 0 &&
            (!traced || strcmp(k, cr_reject_desc[CR_UNHASHABLE_LOOKING].code) != 0))
            return 0;
    }
    return 1;
}

static void drop_reject(CrCandidate *c, const char *code) {
    int k = 0;
    for (int i = 0; i < c->nrejects; i++)
        if (strcmp(c->rejects[i].code, code) != 0) c->rejects[k++] = c->rejects[i];
    c->nrejects = k;
}

static int cmp_score(const void *a, const void *b) {
    const CrCandidate *x = *(CrCandidate *const *)a, *y = *(CrCandidate *const *)b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    int c = strcmp(x->file->path, y->file->path);
    return c ? c : x->fn->line - y->fn->line;
}

/* After profiling, a statically accepted candidate without a trace was not measured: say why,
 * the way review profile chose its targets (targets.c: traceable, best RV_MAX_CANDIDATE_TARGETS
 * by score). */
static void mark_not_measured(CrReport *r) {
    CrCandidate **tr = xcalloc(r->ncandidates + 1, sizeof *tr);
    size_t n = 0;
    for (size_t i = 0; i < r->ncandidates; i++)
        if (rv_traceable_candidate(r->candidates[i].fn)) tr[n++] = &r->candidates[i];
    qsort(tr, n, sizeof *tr, cmp_score);
    for (size_t i = 0; i < n; i++) tr[i]->rank = -(int)(i + 1); /* its place among the traced; reset below */
    for (size_t i = 0; i < r->ncandidates; i++) {
        CrCandidate *c = &r->candidates[i];
        int place = -c->rank;
        c->rank = 0;
        if (!c->accepted || c->trace_verdict) {
            if (!c->accepted) c->not_measured = NULL; /* rejected statically: its rejections say why */
            continue;
        }
        if (c->not_measured) {
            c->not_measured = !strcmp(c->trace_v.note, "not-exercised")
                                  ? "traced, but the workload never called it"
                                  : c->trace_reason; /* "...not enough data (N calls; need min_calls = M)" */
        } else if (!place)
            c->not_measured = c->fn->returns_mutable ? "not traced: it returns a new mutable object"
                              : "not traced: review profile traces pure, non-nested functions with hashable-looking arguments";
        else if (place > RV_MAX_CANDIDATE_TARGETS)
            c->not_measured = "not traced: below the 200 best-scored candidates review profile traces";
        else
            c->not_measured = "in the trace targets, but the workload never imported its module";
    }
    free(tr);
}

static int cmp_candidates(const void *a, const void *b) {
    const CrCandidate *x = a, *y = b;
    if (x->accepted != y->accepted) return y->accepted - x->accepted;
    /* measured ADD_CACHE first, by expected saving */
    int xt = x->accepted && x->trace_verdict > 0, yt = y->accepted && y->trace_verdict > 0;
    if (xt != yt) return yt - xt;
    if (xt && x->trace_saving_s != y->trace_saving_s) return x->trace_saving_s < y->trace_saving_s ? 1 : -1;
    /* measured ones before the ones profiling did not reach */
    if (!x->not_measured != !y->not_measured) return x->not_measured ? 1 : -1;
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
        snprintf(err, errlen, "%s: %s", path, file_strerror(e));
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
    const char *actions; /* --actions FILE */
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
        if ((r = rv_value_option("--actions", argc, argv, &i, &val)) != 0) {
            if (r < 0 || !*val) return cli_usage_error(ctx->hint, "--actions needs a file");
            o->actions = val;
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
    if (o->actions && !o->validate) return cli_usage_error(ctx->hint, "cache: --actions needs --validate");
    return 0;
}

/* The command `review profile` recorded in perf/command.json, when it ran from the current
 * directory (so its relative paths still hold); NULL otherwise. The array and strings are
 * malloc'd. */
/* The command `review profile` recorded (perf/command.json), when glintefy runs from the directory
 * it ran in (relative paths in it hold only there); else NULL, with the reason in why (empty when
 * nothing was recorded). */
static char **recorded_command(const char *perfdir, int *n, Buf *why) {
    Buf path = {0};
    buf_printf(&path, "%s/command.json", perfdir);
    json_error_t err;
    json_t *root = json_load_file(path.data, 0, &err);
    buf_free(&path);
    if (!root) return NULL;
    json_t *argv = json_object_get(root, "argv"), *cwd = json_object_get(root, "cwd");
    char here[4096];
    char **out = NULL;
    size_t k = json_array_size(argv);
    if (k > 0 && json_is_string(cwd)) {
        out = xcalloc(k + 1, sizeof *out);
        for (size_t i = 0; i < k; i++) {
            const char *a = json_string_value(json_array_get(argv, i));
            out[i] = xstrndup(a ? a : "", a ? strlen(a) : 0);
        }
        *n = (int)k;
        if (!getcwd(here, sizeof here) || strcmp(here, json_string_value(cwd)) != 0) {
            buf_printf(why, "perf/command.json records '");
            rv_command_line(out, (int)k, why);
            buf_printf(why, "' run from %s, and glintefy runs from %s: run it from there, or give the command after --",
                       json_string_value(cwd), getcwd(here, sizeof here) ? here : "another directory");
            for (size_t i = 0; i < k; i++) free(out[i]);
            free(out);
            out = NULL;
            *n = 0;
        }
    }
    json_decref(root);
    return out;
}

/* --diff / --fix: the actions of the last analysis (cache_recommendations.json) as a patch, made
 * and applied by src/report/patch.c from that file and the sources. Without --validate there is
 * no new analysis: the patch is what the report showed, and a file changed since then is
 * refused. With --validate the analysis and validation run first (rv_cmd_cache) and vpath names
 * their validation_results.json: only the validated actions are used. */
static int patch_mode(RvContext *ctx, const CacheOpts *o, const char *outdir, const char *vpath) {
    RpOptions po = {.fix = o->fix, .only_validated = vpath};
    Buf d = {0};
    int nact, nfiles;
    int rc = rp_patch(ctx->repo, outdir, &po, &d, stderr, &nact, &nfiles);
    if (d.len && (o->diff || !o->fix)) fwrite(d.data, 1, d.len, stdout);
    fflush(stdout);
    if (rc != 2) {
        if (o->fix) fprintf(stderr, "glintefy: applied %d action%s to %d file%s\n", nact, nact == 1 ? "" : "s", nfiles, nfiles == 1 ? "" : "s");
        else if (!o->quiet) fprintf(stderr, "glintefy: diff of %d action%s in %d file%s (apply it with --fix or git apply)\n", nact, nact == 1 ? "" : "s", nfiles, nfiles == 1 ? "" : "s");
    }
    buf_free(&d);
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
    if ((o.diff || o.fix) && !o.validate) {
        status = patch_mode(ctx, &o, outdir, NULL);
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
            if (f->read_errno) snprintf(s->msg, sizeof s->msg, "%s", file_strerror(f->read_errno));
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
            if (fn->is_overload) { r.overloads++; continue; } /* a signature, not a function */
            if (fn->purity == AN_PURE) r.pure++;
            else if (fn->purity == AN_IMPURE) r.impure++;
            else r.unknown++;
        }
    }
    r.functions = nfuncs - r.overloads;
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
                x->cand = r.ncandidates - 1;
                x->recommendation = "KEEP";
                x->source = "static";
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
            for (size_t i = 0; i < r.nexisting && !matched; i++)
                if (stat_matches(&cs.items[s], &r.existing[i])) {
                    /* a maxsize the code gives by a parameter (a cache factory's) or an expression: the
                     * run's cache_info() says what it was (the facts belong to this command) */
                    AnFunc *fn = (AnFunc *)r.existing[i].fn;
                    if (fn->cache.maxsize == AN_MAXSIZE_UNKNOWN && (cs.items[s].maxsize >= 0 || cs.items[s].maxsize == CACHE_UNBOUNDED))
                        fn->cache.maxsize = cs.items[s].maxsize == CACHE_UNBOUNDED ? AN_UNBOUNDED : (long)cs.items[s].maxsize;
                    stats_add(&r.existing[i], &cs.items[s]);
                    matched = 1;
                }
            r.cache_stats_matched += (size_t)matched;
            if (!matched && s - r.cache_stats_matched < 3)
                add_warning(&r, "%s: no cache in the repository matches %s%s%s", cs_path,
                            cs.items[s].module ? cs.items[s].module : "", cs.items[s].module ? "." : "",
                            cs.items[s].qualname ? cs.items[s].qualname : cs.items[s].function ? cs.items[s].function : "?");
        }
    }
    if (ps) apply_profile(ps, prof_mtime, &L, cand_of, &cfg, ctx->repo, &r);
    for (size_t i = 0; i < r.nexisting; i++) {
        const CrCandidate *own = &r.candidates[r.existing[i].cand];
        r.existing[i].prof = (AdProfile){own->profiled, own->calls, own->cumtime};
    }
    for (size_t i = 0; i < r.ncandidates; i++) {
        CrCandidate *c = &r.candidates[i];
        if (c->profiled && c->calls > 0) drop_reject(c, cr_reject_desc[CR_NEVER_CALLED].code); /* it was called */
        if (!c->nrejects) c->accepted = 1;
        else if (c->hot && c->fn->purity == AN_PURE && only_static_rejections(c, 0)) {
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
    /* the advice stage for the existing caches no trace decided */
    {
        AdConfig ac = rv_advice_config(&cfg);
        for (size_t i = 0; i < r.nexisting; i++) {
            CrExisting *x = &r.existing[i];
            if (x->decided) continue;
            AdEvidence e = {.fn = x->fn, .stats = x->has_stat ? &x->stat : NULL, .prof = x->prof, .hit_ns = r.hit_ns,
                            .run_measured = r.nprofiles || r.cache_stats_path || r.ntraces};
            AdVerdict v = ad_existing(&e, &ac);
            cr_existing_take(x, &v);
        }
    }
    /* measured calls overrule the static and profile ranking: a traced candidate is accepted
     * when its curve says a cache pays off (the static doubts it measured, C210 and R305, yield;
     * every other objection already made the trace verdict NOT_RECOMMENDED), rejected otherwise */
    for (size_t i = 0; i < r.ncandidates; i++) {
        CrCandidate *c = &r.candidates[i];
        if (c->trace_verdict > 0 && !c->accepted && only_static_rejections(c, 1)) {
            c->accepted = 1;
            free(c->rejects);
            c->rejects = NULL;
            c->nrejects = 0;
        }
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
    {
        /* typing.overload stubs had an entry only so that cand_of indexes by function: drop them */
        size_t k = 0;
        for (size_t i = 0; i < r.ncandidates; i++) {
            if (r.candidates[i].fn->is_overload) {
                free(r.candidates[i].rejects);
                free(r.candidates[i].trace_json);
                free(r.candidates[i].trace_reason);
                free(r.candidates[i].trace_evidence);
                continue;
            }
            r.candidates[k++] = r.candidates[i];
        }
        r.ncandidates = k;
    }
    if (r.ntraces) mark_not_measured(&r);
    qsort(r.candidates, r.ncandidates, sizeof *r.candidates, cmp_candidates);
    /* after profiling, only measured candidates are ranked; the untraced ones are "not measured" */
    for (size_t i = 0; i < r.ncandidates && r.candidates[i].accepted && !r.candidates[i].not_measured; i++)
        r.candidates[i].rank = (int)i + 1;
    r.mode = r.nprofiles || r.cache_stats_path || r.ntraces ? "production" : "static";
    r.t_advice = now_seconds() - t0;

    /* outputs */
    t0 = now_seconds();
    r.t_total = now_seconds() - t_start;
    const char *failed = NULL;
    FileSet out; /* the six files replace the old ones together, or not at all */
    int e = cr_write_files(&r, &out, &failed);
    if (!e && (e = ta_write_recommendations(&r, &out)) != 0) failed = "cache_recommendations.json";
    if (!e && (e = file_set_commit(&out)) != 0) failed = r.output_dir;
    file_set_free(&out);
    if (e) fprintf(stderr, "glintefy: nothing written to %s (the previous files, if any, are unchanged)\n", r.output_dir);
    if (!e && (e = rp_record_hashes(ctx->repo, outdir)) != 0) failed = "source_hashes.json";
    char *html = NULL;
    /* The page is read back from the files just written, so its cost grows with the per-function
     * lists: on the standard library (58,752 functions) it took 1.9 s and 370 MB against 0.6 s for
     * the whole analysis. Past CC_HTML_AUTO_MAX functions it is written only when asked for. */
    int html_skipped = !o.html && !o.no_html && r.functions > CC_HTML_AUTO_MAX;
    if (html_skipped) {
        char *old = xmalloc(strlen(outdir) + 16);
        sprintf(old, "%s/report.html", outdir);
        file_unlink(old); /* a page of an earlier run would no longer match these files */
        free(old);
    }
    if (!e && !o.no_html && !html_skipped) { /* the page is read from the files just written (src/report/html.c) */
        html = o.html ? xstrndup(o.html, strlen(o.html)) : xmalloc(strlen(outdir) + 16);
        if (!o.html) sprintf(html, "%s/report.html", outdir);
        if ((e = html_write_report(ctx->repo, outdir, perfdir, html, NULL)) != 0) failed = html;
    }
    r.t_write = now_seconds() - t0;
    r.t_total = now_seconds() - t_start;
    if (e) {
        fprintf(stderr, "glintefy: %s: %s\n", failed, file_strerror(e));
        status = EXIT_REJECTED;
    } else {
        Buf b = {0};
        if (!strcmp(o.format, "json")) cr_analysis_json(&r, &b);
        else if (!strcmp(o.format, "sarif")) cr_sarif(&r, &b);
        else if (!o.quiet && !o.diff) cr_text(&r, o.top, &b); /* --diff --validate: stdout is the diff */
        if (b.data) fwrite(b.data, 1, b.len, stdout);
        buf_free(&b);
        fflush(stdout);
        if (html && !o.quiet && !strcmp(o.format, "text")) fprintf(stderr, "glintefy: report: %s\n", html);
        if (html_skipped && !o.quiet)
            fprintf(stderr,
                    "glintefy: report.html not written: %zu functions (over %d; it would take longer than the "
                    "analysis) - --html PATH writes it\n",
                    r.functions, CC_HTML_AUTO_MAX);
        if (!o.quiet && strcmp(o.format, "text") != 0)
            for (size_t i = 0; i < r.nwarnings; i++) fprintf(stderr, "glintefy: warning: %s\n", r.warnings[i]);
        char **recorded = NULL;
        int nrecorded = 0;
        Buf why = {0};
        int vran = 0;
        if (o.validate && !o.ncmd) recorded = recorded_command(perfdir, &nrecorded, &why);
        if (recorded) {
            o.cmd = recorded;
            o.ncmd = nrecorded;
            fprintf(stderr, "glintefy: validation: the command review profile ran (perf/command.json)\n");
        }
        RvValidateCtx vctx = {fc.files, nfiles, r.ntraces, r.nprofiles, r.cache_stats_path != NULL, o.actions};
        if (o.validate && !o.ncmd && why.len)
            fprintf(stderr, "glintefy: validation: no command to run: %s\n", why.data);
        else if (o.validate && !o.ncmd)
            fprintf(stderr, "glintefy: validation: no command to run: glintefy review cache --validate -- CMD [ARGS...]"
                            " (or profile one first: perf/command.json records it)\n");
        else if (o.validate && rv_cache_validate(ctx->repo, outdir, &cfg, o.cmd, o.ncmd, &vctx))
            status = EXIT_REJECTED;
        else if (o.validate && (o.diff || o.fix)) { /* only what this validation confirmed */
            char *vpath = xmalloc(strlen(outdir) + 32);
            sprintf(vpath, "%s/validation_results.json", outdir);
            status = patch_mode(ctx, &o, outdir, vpath);
            free(vpath);
            vran = 1;
        }
        if (o.validate && (o.diff || o.fix) && !vran)
            fprintf(stderr, "glintefy: %s: nothing done, the validation did not run through\n", o.fix ? "--fix" : "--diff");
        buf_free(&why);
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
