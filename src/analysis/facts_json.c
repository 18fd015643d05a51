/* facts_json.c - `glintefy debug facts`: every function's facts as JSON, for tests and for the
 * commands built on the analysis. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/fileio.h"
#include "../base/xalloc.h"
#include "../cli.h"
#include "../review/parse_all.h"
#include "../review/sources.h"
#include "../syntax/syntax.h"
#include "facts_json.h"
#include "../base/clock.h"

const char AN_DEBUG_FACTS_HELP[] =
    "Usage: glintefy debug facts [--calls] [--only-cached] [--time] [--quiet] [--repo DIR | FILE...]\n"
    "\n"
    "Prints what the static analysis knows about every function as JSON (docs/analysis.md):\n"
    "existing caches, purity with reasons, expense, caching hazards, call sites. With --repo\n"
    "reads the repository's Python files (as 'review' does) and links them; FILEs are taken\n"
    "as one repository whose modules are named by their file names.\n"
    "\n"
    "  --calls        also list every call site with its resolved target\n"
    "  --only-cached  list only functions with an existing cache\n"
    "  --time         print files, functions, caches and seconds on stderr\n"
    "  --quiet        no JSON (with --time: timing only)\n";

static void put_loc(json_t *o, const char *l, const char *c, AnLoc loc) {
    json_object_set_new(o, l, json_integer(loc.line));
    json_object_set_new(o, c, json_integer(loc.col));
}

static json_t *issues_json(const AnIssue *v, int n) {
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        const AnIssue *is = &v[i];
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(an_issue_desc[is->kind].code));
        json_object_set_new(o, "name", json_string(an_issue_desc[is->kind].name));
        put_loc(o, "line", "col", is->loc);
        if (is->detail) json_object_set_new(o, "detail", json_string(is->detail));
        if (is->other_file) json_object_set_new(o, "other_file", json_string(is->other_file));
        if (is->other_loc.line) json_object_set_new(o, "other_line", json_integer(is->other_loc.line));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *maxsize_json(long m) {
    if (m == AN_UNBOUNDED) return json_string("unbounded");
    if (m == AN_MAXSIZE_UNKNOWN) return json_string("unknown");
    return json_integer(m);
}

static json_t *func_json(const AnFunc *fn) {
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(fn->name));
    json_object_set_new(o, "qualname", json_string(fn->qualname));
    json_object_set_new(o, "line", json_integer(fn->line));
    json_object_set_new(o, "first_line", json_integer(fn->first_line));
    json_object_set_new(o, "end_line", json_integer(fn->end_line));
    const char *mk = !fn->is_method ? NULL : fn->is_staticmethod ? "static" : fn->is_classmethod ? "class"
                     : fn->is_property ? "property" : "instance";
    json_object_set_new(o, "method", mk ? json_string(mk) : json_null());
    json_object_set_new(o, "async", json_boolean(fn->is_async));
    json_object_set_new(o, "generator", json_boolean(fn->is_generator));
    json_object_set_new(o, "nested", json_boolean(fn->is_nested));
    json_object_set_new(o, "params", json_integer(fn->nparams));
    if (fn->cache.kind == AN_NO_CACHE) {
        json_object_set_new(o, "cache", json_null());
    } else {
        json_t *c = json_object();
        json_object_set_new(c, "kind", json_string(an_cache_kind_name(fn->cache.kind)));
        json_object_set_new(c, "maxsize", maxsize_json(fn->cache.maxsize));
        json_object_set_new(c, "typed", json_boolean(fn->cache.typed));
        put_loc(c, "line", "col", fn->cache.loc);
        json_object_set_new(c, "index", json_integer(fn->cache.index));
        if (fn->cache.via) json_object_set_new(c, "via", json_string(fn->cache.via));
        if (fn->cache.factory) json_object_set_new(c, "factory", json_string(fn->cache.factory));
        if (fn->cache.made_at) json_object_set_new(c, "made_at", json_string(fn->cache.made_at));
        json_object_set_new(o, "cache", c);
    }
    if (fn->makes_cache_level) {
        /* a cache decorator (1) or a factory of them (2): its uses are caches */
        json_t *c = json_object();
        json_object_set_new(c, "level", json_integer(fn->makes_cache_level));
        json_object_set_new(c, "kind", json_string(an_cache_kind_name(fn->makes_cache.kind)));
        json_object_set_new(c, "maxsize", maxsize_json(fn->makes_cache.maxsize));
        json_object_set_new(c, "typed", json_boolean(fn->makes_cache.typed));
        put_loc(c, "line", "col", fn->makes_cache.loc);
        json_object_set_new(o, "makes_cache", c);
    }
    json_object_set_new(o, "purity", json_string(an_purity_name(fn->purity)));
    json_t *e = json_object();
    json_object_set_new(e, "loop_depth", json_integer(fn->expense.loop_depth));
    json_object_set_new(e, "loops", json_integer(fn->expense.loops));
    json_object_set_new(e, "comprehensions", json_integer(fn->expense.comprehensions));
    json_object_set_new(e, "recursive", json_boolean(fn->expense.recursive));
    json_object_set_new(e, "heavy_calls", json_integer(fn->expense.heavy_calls));
    json_object_set_new(e, "statements", json_integer(fn->expense.statements));
    json_object_set_new(o, "expense", e);
    json_object_set_new(o, "returns_mutable", json_boolean(fn->returns_mutable));
    json_object_set_new(o, "call_sites", json_integer(fn->call_sites));
    json_object_set_new(o, "reasons", issues_json(fn->reasons, fn->nreasons));
    json_object_set_new(o, "hazards", issues_json(fn->hazards, fn->nhazards));
    if (fn->suppressed) {
        json_t *s = json_array();
        if (fn->suppressed == ~0ull) json_array_append_new(s, json_string("all"));
        else
            for (int k = 0; k < AN__ISSUE_COUNT; k++)
                if (fn->suppressed & (1ull << k)) json_array_append_new(s, json_string(an_issue_desc[k].code));
        json_object_set_new(o, "suppressed", s);
    }
    return o;
}

json_t *an_file_json(const AnFile *f, const AnRepo *repo, int flags) {
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(f->path));
    json_object_set_new(o, "module", json_string(f->module));
    json_t *fs = json_array();
    for (int i = 0; i < f->nfuncs; i++)
        if (!(flags & AN_JSON_ONLY_CACHED) || f->funcs[i].cache.kind != AN_NO_CACHE) json_array_append_new(fs, func_json(&f->funcs[i]));
    json_object_set_new(o, "functions", fs);
    if (flags & AN_JSON_CALLS) {
        static const char *const origin[] = {"repo", "known", "unknown"};
        json_t *cs = json_array();
        for (int i = 0; i < f->ncalls; i++) {
            const AnCall *c = &f->calls[i];
            json_t *x = json_object();
            json_object_set_new(x, "target", json_string(c->target));
            put_loc(x, "line", "col", c->loc);
            json_object_set_new(x, "caller", c->func >= 0 ? json_string(f->funcs[c->func].qualname) : json_null());
            json_object_set_new(x, "origin", json_string(origin[c->origin]));
            if (repo && c->resolved >= 0) {
                const AnFuncRef *r = &repo->funcs[c->resolved];
                const AnFile *rf = &repo->files[r->file];
                char *q = xmalloc(strlen(rf->module) + strlen(rf->funcs[r->func].qualname) + 2);
                sprintf(q, "%s.%s", rf->module, rf->funcs[r->func].qualname);
                json_object_set_new(x, "resolved", json_string(q));
                free(q);
            } else {
                json_object_set_new(x, "resolved", json_null());
            }
            json_object_set_new(x, "result_mutated", json_boolean(c->result_mutated));
            if (c->result_mutated) json_object_set_new(x, "mutation_line", json_integer(c->mutation_loc.line));
            json_array_append_new(cs, x);
        }
        json_object_set_new(o, "calls", cs);
    }
    return o;
}

json_t *an_repo_json(const AnRepo *repo, int flags) {
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(1));
    int caches = 0;
    json_t *fs = json_array();
    for (int i = 0; i < repo->nfiles; i++) {
        caches += repo->files[i].ncaches;
        json_array_append_new(fs, an_file_json(&repo->files[i], repo, flags));
    }
    json_object_set_new(o, "functions", json_integer(repo->nfuncs));
    json_object_set_new(o, "caches", json_integer(caches));
    json_object_set_new(o, "files", fs);
    return o;
}

/* ---- the command ------------------------------------------------------------------------- */

typedef struct HookCtx {
    const RvSourceList *src;
    AnFile *files;
    char *ok;
} HookCtx;

static void facts_hook(RvParsed *p, void *vctx) {
    HookCtx *ctx = vctx;
    size_t lo = 0, hi = ctx->src->len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(ctx->src->items[mid].path, p->path);
        if (c == 0) { lo = mid; break; }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo >= ctx->src->len || !p->root) return;
    an_file_facts_src(&ctx->files[lo], p->root, p->path, p->module, p->data, p->len);
    ctx->ok[lo] = 1;
}

/* The module name of a FILE argument: its stem ("pkg/util.py" -> "util"). */
static char *stem(const char *path) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 3 && strcmp(b + n - 3, ".py") == 0) n -= 3;
    return xstrndup(b, n);
}

int an_cmd_debug_facts(int argc, char **argv) {
    const char *hint = "glintefy help debug facts", *repo_dir = NULL;
    int flags = 0, timing = 0, quiet = 0, status = 0, nfiles = 0;
    char **paths = xcalloc((size_t)argc + 1, sizeof *paths);
    int npaths = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) { fputs(AN_DEBUG_FACTS_HELP, stdout); free(paths); return 0; }
        if (strcmp(a, "--calls") == 0) flags |= AN_JSON_CALLS;
        else if (strcmp(a, "--only-cached") == 0) flags |= AN_JSON_ONLY_CACHED;
        else if (strcmp(a, "--time") == 0) timing = 1;
        else if (strcmp(a, "--quiet") == 0) quiet = 1;
        else if (strcmp(a, "--repo") == 0 && i + 1 < argc) repo_dir = argv[++i];
        else if (strncmp(a, "--repo=", 7) == 0) repo_dir = a + 7;
        else if (a[0] == '-' && a[1]) { free(paths); return cli_usage_error(hint, "debug facts: unknown option '%s'", a); }
        else paths[npaths++] = argv[i];
    }
    if (!!repo_dir == !!npaths) {
        free(paths);
        return cli_usage_error(hint, "debug facts needs --repo DIR or FILEs (not both)");
    }
    double t0 = now_seconds(), t_parse = 0, t_link;
    AnFile *files = NULL;
    RvSourceList src = {0};
    if (repo_dir) {
        char err[1024];
        if (rv_find_sources(repo_dir, NULL, &src, err, sizeof err)) {
            fprintf(stderr, "glintefy: %s\n", err);
            rv_sources_free(&src);
            free(paths);
            return EXIT_REJECTED;
        }
        files = xcalloc(src.len + 1, sizeof *files);
        HookCtx ctx = {&src, files, xcalloc(src.len + 1, 1)};
        RvParseOptions po = {.hook = facts_hook, .ctx = &ctx};
        RvParseSet set;
        rv_parse_all(repo_dir, &src, &po, &set);
        rv_report_rejected(stderr, &set);
        /* keep the analysed files together, in path order */
        for (size_t i = 0; i < src.len; i++)
            if (ctx.ok[i]) files[nfiles++] = files[i];
        rv_parse_set_free(&set);
        free(ctx.ok);
    } else {
        files = xcalloc((size_t)npaths + 1, sizeof *files);
        for (int i = 0; i < npaths; i++) {
            char *data;
            size_t n;
            int e = file_read_all(paths[i], &data, &n);
            if (e) {
                fprintf(stderr, "glintefy: %s: %s\n", cli_display_name(paths[i]), file_strerror(e));
                status = EXIT_REJECTED;
                continue;
            }
            Arena a;
            arena_init(&a);
            SyntaxDiag d;
            AstNode *root = syntax_parse(&a, data, n, SYNTAX_PY_MAX, &d);
            if (!root) {
                fprintf(stderr, "%s:%d:%d: %s\n", cli_display_name(paths[i]), d.line, d.col, d.msg);
                status = EXIT_REJECTED;
            } else {
                char *mod = stem(paths[i]);
                an_file_facts_src(&files[nfiles++], root, paths[i], mod, data, n);
                free(mod);
            }
            arena_free(&a);
            free(data);
        }
    }
    t_parse = now_seconds() - t0;
    double t1 = now_seconds();
    AnRepo repo;
    an_repo_link(&repo, files, nfiles);
    t_link = now_seconds() - t1;
    if (!quiet) {
        json_t *j = an_repo_json(&repo, flags);
        json_dumpf(j, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(j);
    }
    if (timing) {
        int caches = 0;
        for (int i = 0; i < nfiles; i++) caches += files[i].ncaches;
        fprintf(stderr, "files: %d\nfunctions: %d\ncaches: %d\nparse+facts seconds: %.6f\nlink seconds: %.6f\n", nfiles,
                repo.nfuncs, caches, t_parse, t_link);
    }
    an_repo_free(&repo);
    for (int i = 0; i < nfiles; i++) an_file_free(&files[i]);
    free(files);
    rv_sources_free(&src);
    free(paths);
    return status;
}
