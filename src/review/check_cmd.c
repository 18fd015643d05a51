/* check_cmd.c - `glintefy check [PATHS...]`: the static half of `review cache` as a linter.
 * Sources -> parse + facts (parser threads) -> repository linking -> the hazards of existing
 * caches, filtered by --select/--ignore ([tool.glintefy.check] in pyproject.toml) and by the
 * PATHS given, printed as path:line:col: CODE message (or JSON, or SARIF). Nothing is written
 * to disk, no profile or statistics are read: fast and deterministic for pre-commit and CI.
 * The whole repository is always read, because hazards cross files (C204 impurity propagated
 * over the call graph, C206 a caller elsewhere mutating the result); PATHS only choose what is
 * reported. docs/ci.md describes the command. */
#include "check.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "../analysis/analysis.h"
#include "../base/buf.h"
#include "../base/fileio.h"
#include "../base/xalloc.h"
#include "../report/sarif.h"
#include "../version.h"
#include "cli.h"
#include "facts_hook.h"
#include "files.h"
#include "parse_all.h"
#include "sources.h"
#include "toml.h"

#define CHECK_TABLE "tool.glintefy.check"

const char CHECK_HELP[] =
    "Usage: glintefy check [--repo DIR] [OPTIONS] [PATH...]\n"
    "\n"
    "Reports the hazards of the existing functools caches of DIR, static analysis only, one per\n"
    "line as PATH:LINE:COL: CODE message; writes no files, reads no profile. DIR defaults to\n"
    "the nearest directory upwards holding pyproject.toml or .git (else the current one).\n"
    "With PATHs (files or directories) only hazards in them are reported; the whole repository\n"
    "is still read, since a hazard can come from another file (C204, C206).\n"
    "\n"
    "  --select CODES      report only these: comma-separated codes (C201), prefixes (C2),\n"
    "                      names (cache-on-method) or ALL; default every hazard (C2xx)\n"
    "  --ignore CODES      never report these (same forms)\n"
    "  --format FMT        text (default), json, sarif (SARIF 2.1.0 for code scanning),\n"
    "                      gitlab (GitLab Code Quality report)\n"
    "  --exit-zero         exit 0 even when hazards are found\n"
    "  --explain CODE      what CODE means and what to do about it (ALL: every code)\n"
    "  -q, --quiet         no summary line\n"
    "  --jobs N            threads (default: one per online core)\n"
    "\n"
    "Settings: select and ignore in [" CHECK_TABLE "] of DIR/pyproject.toml (a flag replaces\n"
    "the setting of the same name); include/exclude globs and the review settings flags as for\n"
    "'review cache'. '# glintefy: ignore[CODE]' on the def or a decorator line suppresses CODE\n"
    "for that function (bare '# glintefy: ignore': every code).\n"
    "\n"
    "Exit status: 0 no hazard; 1 hazards found, or a file of PATHS has a syntax error; 2 usage or\n"
    "configuration error, or the repository cannot be read.\n";

static const char HINT[] = "glintefy check --help";

typedef unsigned long long Mask; /* bit (1ull << AnIssueKind) */

static Mask hazard_codes(void) {
    Mask m = 0;
    for (int k = 0; k < AN__ISSUE_COUNT; k++)
        if (an_issue_desc[k].code[0] == 'C') m |= 1ull << k;
    return m;
}

/* The kinds one token selects: "ALL", a code or a prefix of codes ("C2"), or a name. 0 after
 * writing a message to err when it selects nothing. */
static Mask token_mask(const char *tok, size_t n, char *err, size_t errlen) {
    char up[64];
    if (n == 0 || n >= sizeof up) goto bad;
    for (size_t i = 0; i < n; i++) up[i] = (char)(tok[i] >= 'a' && tok[i] <= 'z' ? tok[i] - 32 : tok[i]);
    up[n] = 0;
    if (strcmp(up, "ALL") == 0) return hazard_codes();
    Mask m = 0;
    int purity = 0;
    for (int k = 0; k < AN__ISSUE_COUNT; k++) {
        const AnIssueDesc *d = &an_issue_desc[k];
        if (strncmp(d->code, up, n) == 0 || (strlen(d->name) == n && strncmp(d->name, tok, n) == 0)) {
            if (d->code[0] == 'C') m |= 1ull << k;
            else purity = 1;
        }
    }
    if (m) return m;
    if (purity) {
        snprintf(err, errlen, "'%.*s' is a purity reason (P1xx), not a hazard: check reports C201-C210", (int)n, tok);
        return 0;
    }
bad:
    snprintf(err, errlen, "unknown code '%.*s' (codes: C201-C210, a prefix such as C2, a name, or ALL; "
                          "glintefy check --explain ALL lists them)", (int)(n < 60 ? n : 60), tok);
    return 0;
}

/* Comma-separated tokens. Returns 0 with the union in *out, or -1 with a message. */
static int parse_codes(const char *s, Mask *out, char *err, size_t errlen) {
    Mask m = 0;
    while (*s) {
        while (*s == ' ' || *s == ',') s++;
        const char *e = s;
        while (*e && *e != ',' && *e != ' ') e++;
        if (e > s) {
            Mask t = token_mask(s, (size_t)(e - s), err, errlen);
            if (!t) return -1;
            m |= t;
        }
        s = e;
    }
    *out = m;
    return 0;
}

typedef struct CheckOpts {
    const char *format;
    const char *select, *ignore; /* from flags, or NULL */
    int exit_zero, quiet, jobs;
    char **paths;
    int npaths;
} CheckOpts;

/* [tool.glintefy.check] select/ignore: a list of strings (or one comma-separated string).
 * Returns 0 (the masks set when present), or -1 after printing the error. */
static int load_settings(const char *repo, int *have_sel, Mask *sel, int *have_ign, Mask *ign) {
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/pyproject.toml", repo);
    const char *shown = strcmp(repo, ".") == 0 ? "pyproject.toml" : path;
    char *data;
    size_t n;
    int e = rv_read_file(AT_FDCWD, path, &data, &n);
    if (e == ENOENT) return 0;
    if (e) { fprintf(stderr, "glintefy: %s: %s\n", shown, strerror(e)); return -1; }
    Arena a;
    arena_init(&a);
    TomlError te;
    int status = 0;
    const TomlValue *root = toml_parse(&a, data, n, &te);
    const TomlValue *t = root ? toml_get_path(root, CHECK_TABLE) : NULL;
    if (!root) {
        /* rv_context_config has already said why; this is only reached if it did not run */
        fprintf(stderr, "glintefy: %s:%d:%d: malformed TOML: %s\n", shown, te.line, te.col, te.msg);
        status = -1;
    } else if (t && t->kind != TOML_TABLE) {
        fprintf(stderr, "glintefy: %s:%d:%d: [" CHECK_TABLE "] must be a table, got %s\n", shown, t->line, t->col,
                toml_kind_name(t->kind));
        status = -1;
    }
    for (size_t i = 0; !status && t && t->kind == TOML_TABLE && i < t->v.tab.len; i++) {
        const char *key = t->v.tab.keys[i];
        const TomlValue *v = t->v.tab.vals[i];
        int is_sel = strcmp(key, "select") == 0, is_ign = strcmp(key, "ignore") == 0;
        if (!is_sel && !is_ign) {
            fprintf(stderr, "glintefy: %s:%d:%d: warning: unknown key '%s' in [" CHECK_TABLE "] (ignored)\n", shown,
                    v->line, v->col, key);
            continue;
        }
        Mask m = 0;
        char err[300];
        if (v->kind == TOML_STRING) {
            if (parse_codes(v->v.str.s, &m, err, sizeof err)) status = -1;
        } else if (v->kind == TOML_ARRAY) {
            for (size_t j = 0; j < v->v.arr.len && !status; j++) {
                const TomlValue *x = v->v.arr.items[j];
                Mask one;
                if (x->kind != TOML_STRING) {
                    snprintf(err, sizeof err, "expected strings, got %s", toml_kind_name(x->kind));
                    status = -1;
                } else if (parse_codes(x->v.str.s, &one, err, sizeof err)) status = -1;
                else m |= one;
            }
        } else {
            snprintf(err, sizeof err, "expected a list of codes, got %s", toml_kind_name(v->kind));
            status = -1;
        }
        if (status) fprintf(stderr, "glintefy: %s:%d:%d: %s: %s\n", shown, v->line, v->col, key, err);
        else if (is_sel) { *have_sel = 1; *sel = m; }
        else { *have_ign = 1; *ign = m; }
    }
    arena_free(&a);
    free(data);
    return status;
}

static int explain(const char *what) {
    int all = strcmp(what, "ALL") == 0 || strcmp(what, "all") == 0, found = 0;
    if (all) fputs("# glintefy codes\n\n"
                   "Generated by `glintefy check --explain ALL`. `glintefy check` reports the C2xx hazards of\n"
                   "existing caches; P1xx are the purity reasons `review cache` gives (SARIF lists both).\n"
                   "Suppress a code for one function with `# glintefy: ignore[CODE]` on its `def` or a\n"
                   "decorator line.\n", stdout);
    for (int k = 0; k < AN__ISSUE_COUNT; k++) {
        const AnIssueDesc *d = &an_issue_desc[k];
        if (!all && strcasecmp(d->code, what) != 0 && strcmp(d->name, what) != 0) continue;
        found = 1;
        printf("%s## %s\n\n**%s** (`%s`, level %s): %s.\n\n%s\n", all || found > 1 ? "\n" : "", d->code, d->code,
               d->name, sarif_level((AnIssueKind)k), d->message, sarif_rule_help((AnIssueKind)k));
    }
    if (!found) return cli_usage_error(HINT, "--explain: unknown code '%s'", what);
    return 0;
}

static int parse_opts(int argc, char **argv, CheckOpts *o, RvContext *ctx) {
    int opts = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val;
        if (opts && strcmp(a, "--") == 0) { opts = 0; continue; }
        if (opts && a[0] == '-' && a[1]) {
            if (cli_is_help(a)) { fputs(CHECK_HELP, stdout); return -1; }
            int r = rv_context_option(ctx, argc, argv, &i);
            if (r < 0) return EXIT_USAGE;
            if (r > 0) continue;
            if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) { o->quiet = 1; continue; }
            if (!strcmp(a, "--exit-zero")) { o->exit_zero = 1; continue; }
            if ((r = rv_value_option("--select", argc, argv, &i, &val)) != 0) {
                if (r < 0) return cli_usage_error(HINT, "--select needs codes");
                o->select = val;
                continue;
            }
            if ((r = rv_value_option("--ignore", argc, argv, &i, &val)) != 0) {
                if (r < 0) return cli_usage_error(HINT, "--ignore needs codes");
                o->ignore = val;
                continue;
            }
            if ((r = rv_value_option("--explain", argc, argv, &i, &val)) != 0) {
                if (r < 0) return cli_usage_error(HINT, "--explain needs a code (or ALL)");
                int st = explain(val);
                return st ? st : -1;
            }
            if ((r = rv_value_option("--format", argc, argv, &i, &val)) != 0) {
                if (r < 0 || (strcmp(val, "text") && strcmp(val, "json") && strcmp(val, "sarif") && strcmp(val, "gitlab")))
                    return cli_usage_error(HINT, "--format must be text, json, sarif or gitlab");
                o->format = val;
                continue;
            }
            if ((r = rv_value_option("--jobs", argc, argv, &i, &val)) != 0) {
                char *end;
                long j = r > 0 ? strtol(val, &end, 10) : 0;
                if (r < 0 || *end || j < 1 || j > 1024) return cli_usage_error(HINT, "--jobs needs a number from 1 to 1024");
                o->jobs = (int)j;
                continue;
            }
            return cli_usage_error(HINT, "unknown option '%s'", a);
        }
        o->paths[o->npaths++] = argv[i];
    }
    return 0;
}

/* One hazard to report. */
typedef struct Diag {
    const AnFile *file;
    const AnFunc *fn;
    const AnIssue *is;
} Diag;

static int cmp_diag(const void *pa, const void *pb) {
    const Diag *a = pa, *b = pb;
    int c = strcmp(a->file->path, b->file->path);
    if (c) return c;
    if (a->is->loc.line != b->is->loc.line) return a->is->loc.line < b->is->loc.line ? -1 : 1;
    if (a->is->loc.col != b->is->loc.col) return a->is->loc.col < b->is->loc.col ? -1 : 1;
    return strcmp(an_issue_desc[a->is->kind].code, an_issue_desc[b->is->kind].code);
}

/* A PATH argument as a prefix of repository-relative paths ("" for the whole repository), or
 * NULL after printing why (missing, or outside the repository). */
static char *scope_of(const char *repo_real, const char *arg) {
    char real[PATH_MAX];
    if (!realpath(arg, real)) {
        fprintf(stderr, "glintefy: %s: %s\n", arg, strerror(errno));
        return NULL;
    }
    size_t n = strlen(repo_real);
    if (strcmp(real, repo_real) == 0) return xstrndup("", 0);
    if (strncmp(real, repo_real, n) != 0 || (real[n] != '/' && strcmp(repo_real, "/") != 0)) {
        fprintf(stderr, "glintefy: %s: not inside the repository %s (use --repo)\n", arg, repo_real);
        return NULL;
    }
    const char *rel = real + n + (strcmp(repo_real, "/") != 0);
    return xstrndup(rel, strlen(rel));
}

static int in_scope(const char *path, char **scopes, int nscopes, unsigned char *used) {
    if (nscopes == 0) return 1;
    int hit = 0;
    for (int i = 0; i < nscopes; i++) {
        size_t n = strlen(scopes[i]);
        if (n == 0 || (strncmp(path, scopes[i], n) == 0 && (path[n] == 0 || path[n] == '/'))) {
            used[i] = 1;
            hit = 1;
        }
    }
    return hit;
}

/* The default repository: the nearest directory upwards from the current one that holds a
 * pyproject.toml or .git, as "." or "../.." (so paths print relative to the current directory,
 * as a linter's do); "." when there is none. Returns a malloc'd string. */
static char *find_repo(void) {
    Buf up = {0};
    buf_puts(&up, ".");
    for (int depth = 0; depth < 64; depth++) {
        char probe[PATH_MAX];
        struct stat sb;
        snprintf(probe, sizeof probe, "%s/pyproject.toml", up.data);
        int found = stat(probe, &sb) == 0;
        snprintf(probe, sizeof probe, "%s/.git", up.data);
        found = found || stat(probe, &sb) == 0;
        if (found) return up.data;
        char here[PATH_MAX], parent[PATH_MAX];
        snprintf(probe, sizeof probe, "%s/..", up.data);
        if (!realpath(up.data, here) || !realpath(probe, parent) || strcmp(here, parent) == 0) break;
        if (depth == 0) { buf_free(&up); buf_puts(&up, ".."); }
        else buf_puts(&up, "/..");
    }
    buf_free(&up);
    return xstrndup(".", 1);
}

static void shown_path(Buf *b, const char *repo, const char *path) {
    if (strcmp(repo, ".") != 0) {
        buf_puts(b, repo);
        if (repo[strlen(repo) - 1] != '/') buf_putc(b, '/');
    }
    buf_puts(b, path);
}

/* The fingerprints of the diagnostics, as sarif_write gives them (equal ones told apart by
 * their occurrence), so every format names a hazard the same way. */
static char (*fingerprints(const Diag *diags, size_t nd))[17] {
    char(*fp)[17] = xcalloc(nd + 1, sizeof *fp);
    for (size_t i = 0; i < nd; i++) {
        const Diag *d = &diags[i];
        SarifResult r = {d->is->kind, d->file->path, d->fn->qualname, d->is->detail, 0, 0, d->is->other_file, 0, 0};
        sarif_fingerprint(&r, 0, fp[i]);
        unsigned occ = 0;
        for (size_t j = 0; j < i; j++) {
            const Diag *e = &diags[j];
            SarifResult q = {e->is->kind, e->file->path, e->fn->qualname, e->is->detail, 0, 0, e->is->other_file, 0, 0};
            char base[17];
            sarif_fingerprint(&q, 0, base);
            occ += strcmp(base, fp[i]) == 0;
        }
        if (occ) sarif_fingerprint(&r, occ, fp[i]);
    }
    return fp;
}

static void message(Buf *b, const Diag *d) {
    buf_printf(b, "%s: %s", d->fn->qualname, an_issue_desc[d->is->kind].message);
    if (d->is->detail) buf_printf(b, " (%s)", d->is->detail);
}

int check_main(int argc, char **argv) {
    RvContext ctx = {.repo = NULL, .hint = HINT};
    CheckOpts o = {.format = "text", .paths = xcalloc((size_t)argc + 1, sizeof(char *))};
    int status = parse_opts(argc, argv, &o, &ctx);
    char *found = NULL;
    if (!status && !ctx.repo) ctx.repo = found = find_repo();
    if (status) {
        free(o.paths);
        rv_config_flags_free(&ctx.flags);
        return status < 0 ? 0 : status;
    }
    Mask sel = hazard_codes(), ign = 0;
    int have_sel = 0, have_ign = 0;
    char err[1024];
    RvConfig cfg;
    int cfg_loaded = 0;
    RvSourceList src = {0};
    char **scopes = xcalloc((size_t)o.npaths + 1, sizeof *scopes);
    unsigned char *used = xcalloc((size_t)o.npaths + 1, 1);
    int nscopes = 0;
    status = EXIT_USAGE;
    if (o.select && parse_codes(o.select, &sel, err, sizeof err)) { cli_usage_error(HINT, "--select: %s", err); goto out; }
    if (o.ignore && parse_codes(o.ignore, &ign, err, sizeof err)) { cli_usage_error(HINT, "--ignore: %s", err); goto out; }
    if (rv_context_config(&ctx, &cfg)) { cfg_loaded = 1; goto out; }
    cfg_loaded = 1;
    {
        Mask fsel = 0, fign = 0;
        if (load_settings(ctx.repo, &have_sel, &fsel, &have_ign, &fign)) goto out;
        if (have_sel && !o.select) sel = fsel;
        if (have_ign && !o.ignore) ign = fign;
    }
    char repo_real[PATH_MAX];
    if (!realpath(ctx.repo, repo_real)) {
        fprintf(stderr, "glintefy: %s: %s\n", ctx.repo, strerror(errno));
        goto out;
    }
    for (int i = 0; i < o.npaths; i++) {
        if (!(scopes[nscopes] = scope_of(repo_real, o.paths[i]))) goto out;
        nscopes++;
    }
    if (rv_find_sources(ctx.repo, &cfg, &src, err, sizeof err)) {
        fprintf(stderr, "glintefy: %s\n", err);
        goto out;
    }
    status = 0;

    RvFactsCtx fc = {.src = &src, .files = xcalloc(src.len + 1, sizeof(AnFile)), .done = xcalloc(src.len + 1, 1)};
    RvParseSet set;
    RvParseOptions po = {.jobs = o.jobs, .keep = 0, .hook = rv_facts_hook, .ctx = &fc};
    rv_parse_all(ctx.repo, &src, &po, &set);
    SarifNote *notes = xcalloc(set.rejected + 1, sizeof *notes);
    char (*msgs)[600] = xcalloc(set.rejected + 1, sizeof *msgs);
    size_t nnotes = 0, checked = 0;
    int nfiles = 0;
    Buf errs = {0};
    for (size_t i = 0; i < set.len; i++) {
        const RvParsed *f = &set.files[i];
        int mine = in_scope(src.items[i].path, scopes, nscopes, used);
        if (f->rejected || !fc.done[i]) {
            if (!mine) continue; /* outside PATHS: only context for linking, not our business here */
            SarifNote *n = &notes[nnotes];
            n->file = src.items[i].path;
            n->message = msgs[nnotes];
            if (f->read_errno) snprintf(msgs[nnotes], sizeof msgs[nnotes], "%s", strerror(f->read_errno));
            else {
                rv_diag_position(f, &n->line, &n->col);
                snprintf(msgs[nnotes], sizeof msgs[nnotes], "%s", f->diag.msg);
            }
            Buf p = {0};
            shown_path(&p, ctx.repo, n->file);
            if (f->read_errno) buf_printf(&errs, "%s: cannot read, not checked: %s\n", p.data, n->message);
            else
                buf_printf(&errs, "%s:%d:%d: syntax error, not checked: %s\n", p.data, n->line > 0 ? n->line : 1,
                           n->col > 0 ? n->col : 1, n->message);
            buf_free(&p);
            nnotes++;
            continue;
        }
        checked += (size_t)mine;
        fc.files[nfiles++] = fc.files[i];
    }
    rv_parse_set_free(&set);
    for (int i = 0; i < o.npaths; i++) {
        size_t n = strlen(o.paths[i]);
        struct stat sb;
        /* a .py file given but not among the sources: say so rather than pass it silently */
        if (!used[i] && n > 3 && strcmp(o.paths[i] + n - 3, ".py") == 0 && stat(o.paths[i], &sb) == 0 && S_ISREG(sb.st_mode))
            fprintf(stderr, "glintefy: warning: %s is not among the repository's Python files (excluded by the "
                            "include/exclude settings, or ignored by git): not checked\n", o.paths[i]);
    }

    AnRepo repo;
    an_repo_link(&repo, fc.files, nfiles);
    size_t cap = 16, nd = 0;
    Diag *diags = xmalloc(cap * sizeof *diags);
    for (int i = 0; i < nfiles; i++) {
        const AnFile *f = &fc.files[i];
        if (!in_scope(f->path, scopes, nscopes, used)) continue;
        for (int k = 0; k < f->nfuncs; k++) {
            const AnFunc *fn = &f->funcs[k];
            if (fn->cache.kind == AN_NO_CACHE) continue;
            for (int h = 0; h < fn->nhazards; h++) {
                Mask bit = 1ull << fn->hazards[h].kind;
                if (!(sel & bit) || (ign & bit)) continue;
                if (nd == cap) diags = xrealloc(diags, (cap *= 2) * sizeof *diags);
                diags[nd++] = (Diag){f, fn, &fn->hazards[h]};
            }
        }
    }
    qsort(diags, nd, sizeof *diags, cmp_diag);

    Buf out = {0};
    char(*fp)[17] = fingerprints(diags, nd);
    size_t nfiles_hit = 0;
    for (size_t i = 0; i < nd; i++) nfiles_hit += i == 0 || diags[i].file != diags[i - 1].file;
    if (!strcmp(o.format, "sarif")) {
        SarifResult *res = xcalloc(nd + 1, sizeof *res);
        for (size_t i = 0; i < nd; i++) {
            const AnIssue *is = diags[i].is;
            res[i] = (SarifResult){is->kind, diags[i].file->path, diags[i].fn->qualname, is->detail, is->loc.line,
                                   is->loc.col, is->other_file, is->other_loc.line, is->other_loc.col};
        }
        sarif_write(&out, res, nd, notes, nnotes);
        free(res);
    } else if (!strcmp(o.format, "gitlab")) {
        /* GitLab Code Quality (Code Climate subset): description, check_name, fingerprint,
         * severity, location.path (relative to the project root, as GitLab wants) and lines */
        json_t *arr = json_array();
        for (size_t i = 0; i < nd; i++) {
            const Diag *d = &diags[i];
            Buf p = {0}, m = {0};
            shown_path(&p, ctx.repo, d->file->path);
            buf_printf(&m, "%s ", an_issue_desc[d->is->kind].code);
            message(&m, d);
            const char *lvl = sarif_level(d->is->kind);
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:{s:i}}}", "description", m.data, "check_name",
                                                 an_issue_desc[d->is->kind].code, "fingerprint", fp[i], "severity",
                                                 !strcmp(lvl, "error") ? "critical" : !strcmp(lvl, "warning") ? "major" : "info",
                                                 "location", "path", p.data, "lines", "begin", d->is->loc.line));
            buf_free(&p);
            buf_free(&m);
        }
        char *s = json_dumps(arr, JSON_INDENT(1) | JSON_ENSURE_ASCII);
        buf_puts(&out, s);
        buf_putc(&out, '\n');
        free(s);
        json_decref(arr);
    } else if (!strcmp(o.format, "json")) {
        json_t *arr = json_array();
        for (size_t i = 0; i < nd; i++) {
            const Diag *d = &diags[i];
            Buf p = {0}, m = {0};
            shown_path(&p, ctx.repo, d->file->path);
            message(&m, d);
            json_t *o1 = json_pack("{s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:s,s:s}", "file", p.data, "line", d->is->loc.line, "col",
                                   d->is->loc.col + 1, "code", an_issue_desc[d->is->kind].code, "name",
                                   an_issue_desc[d->is->kind].name, "qualname", d->fn->qualname, "message", m.data,
                                   "level", sarif_level(d->is->kind), "fingerprint", fp[i]);
            if (d->is->other_file) {
                Buf q = {0};
                shown_path(&q, ctx.repo, d->is->other_file);
                json_object_set_new(o1, "related", json_pack("{s:s,s:i,s:i}", "file", q.data, "line", d->is->other_loc.line,
                                                              "col", d->is->other_loc.col + 1));
                buf_free(&q);
            }
            json_array_append_new(arr, o1);
            buf_free(&p);
            buf_free(&m);
        }
        json_t *doc = json_pack("{s:i,s:s,s:s,s:i,s:o}", "version", 1, "tool", "glintefy " GLINTEFY_VERSION, "kind", "check",
                                "files_checked", (int)checked, "hazards", arr);
        char *s = json_dumps(doc, JSON_INDENT(1) | JSON_ENSURE_ASCII);
        buf_puts(&out, s);
        buf_putc(&out, '\n');
        free(s);
        json_decref(doc);
    } else {
        for (size_t i = 0; i < nd; i++) {
            const Diag *d = &diags[i];
            shown_path(&out, ctx.repo, d->file->path);
            buf_printf(&out, ":%d:%d: %s ", d->is->loc.line, d->is->loc.col + 1, an_issue_desc[d->is->kind].code);
            message(&out, d);
            buf_putc(&out, '\n');
        }
        if (!o.quiet) {
            if (nd)
                buf_printf(&out, "Found %zu hazard%s in %zu file%s (%zu file%s checked; 'glintefy check --explain CODE' "
                                 "says why and what to do).\n", nd, nd == 1 ? "" : "s", nfiles_hit, nfiles_hit == 1 ? "" : "s",
                           checked, checked == 1 ? "" : "s");
            else
                buf_printf(&out, "No hazards (%zu file%s checked).\n", checked, checked == 1 ? "" : "s");
        }
    }
    fflush(stdout);
    if (errs.data) fputs(errs.data, stderr);
    if (out.data) fwrite(out.data, 1, out.len, stdout);
    if ((nd || nnotes) && !o.exit_zero) status = EXIT_REJECTED;
    buf_free(&out);
    buf_free(&errs);
    free(diags);
    free(fp);
    free(notes);
    free(msgs);
    an_repo_free(&repo);
    for (int i = 0; i < nfiles; i++) an_file_free(&fc.files[i]);
    free(fc.files);
    free(fc.done);
out:
    rv_sources_free(&src);
    if (cfg_loaded) rv_config_free(&cfg);
    for (int i = 0; i < nscopes; i++) free(scopes[i]);
    free(scopes);
    free(used);
    free(o.paths);
    free(found);
    rv_config_flags_free(&ctx.flags);
    return status;
}
