/* cli.c - `glintefy review`: common options (--repo, settings flags), the subcommand table and
 * its generated help; `review clean`; and the debug commands `debug sources`, `debug config`. */
#include "cli.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../base/buf.h"
#include "../syntax/syntax.h"
#include "clean.h"
#include "files.h"
#include "parse_all.h"
#include "sources.h"
#include "../base/clock.h"

typedef struct RvCommand {
    const char *name;
    const char *usage;    /* after "glintefy review [--repo DIR] " */
    const char *synopsis; /* one line for the list */
    const char *help;     /* the rest of `help review NAME` */
    int (*run)(RvContext *ctx, int argc, char **argv);
} RvCommand;

static const char CLEAN_HELP[] =
    "Deletes what 'glintefy review' wrote under DIR/" RV_OUTPUT_ROOT "/, and nothing\n"
    "else: symlinks are deleted themselves, never followed. Lists every path it deletes\n"
    "(or would delete, with --dry-run); having nothing to delete is fine.\n"
    "\n"
    "  -s, --scope SCOPE   what to delete (default all):\n"
    "%s" /* the scopes, from rv_clean_scopes */
    "  --dry-run           list what would be deleted; delete nothing\n";

/* One row per subcommand; `glintefy review --help` lists exactly these. */
static const RvCommand RV_COMMANDS[] = {
    {"cache", "cache [--format F] [--profile P] [--validate -- CMD...]", "judge existing caches, rank new ones", RV_CACHE_HELP, rv_cmd_cache},
    {"clean", "clean [-s SCOPE] [--dry-run]", "delete review output", CLEAN_HELP, rv_cmd_clean},
    {"merge", "merge PERF...", "merge the perf/ folders of CI shards into one", RV_MERGE_HELP, rv_cmd_merge},
    {"profile", "profile [--name S] -- CMD [ARGS...]", "run a command, profile its Python processes", RV_PROFILE_HELP, rv_cmd_profile},
};
enum { RV_NCOMMANDS = sizeof RV_COMMANDS / sizeof RV_COMMANDS[0] };

/* ---- shared helpers ------------------------------------------------------------------ */

int rv_value_option(const char *name, int argc, char **argv, int *i, const char **val) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strcmp(a, name) == 0) {
        if (*i + 1 >= argc) return -1;
        *val = argv[++*i];
        return 1;
    }
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    return 0;
}

int rv_context_option(RvContext *ctx, int argc, char **argv, int *i) {
    const char *val;
    int r = rv_value_option("--repo", argc, argv, i, &val);
    if (r < 0) { cli_usage_error(ctx->hint, "--repo needs a directory"); return -1; }
    if (r > 0) {
        if (!*val) { cli_usage_error(ctx->hint, "--repo needs a directory"); return -1; }
        ctx->repo = val;
        return 1;
    }
    char err[512];
    r = rv_config_flag(&ctx->flags, argc, argv, i, err, sizeof err);
    if (r < 0) { cli_usage_error(ctx->hint, "%s", err); return -1; }
    return r;
}

int rv_context_config(RvContext *ctx, RvConfig *cfg) {
    char err[1024];
    int r = rv_config_load(cfg, ctx->repo, &ctx->flags, err, sizeof err);
    for (size_t i = 0; i < cfg->warnings.len; i++) fprintf(stderr, "glintefy: %s\n", cfg->warnings.items[i]);
    if (r) {
        fprintf(stderr, "glintefy: %s\n", err);
        return -1;
    }
    return 0;
}

static void settings_help(Buf *b) {
    buf_puts(b, "Settings (over GLINTEFY_REVIEW_CACHE_<KEY> and pyproject.toml\n"
                "[tool.glintefy.review.cache]; see docs/configuration.md):\n");
    for (int k = 0; k < RV_CFG_NKEYS; k++) {
        const RvConfigKey *d = &rv_config_keys[k];
        char left[64];
        snprintf(left, sizeof left, "%s %s", d->flag, d->type == RV_CFG_LIST ? "GLOB" : d->type == RV_CFG_INT ? "N" : "X");
        buf_printf(b, "  %-24s %s", left, d->help);
        if (d->type == RV_CFG_LIST) buf_puts(b, " (repeatable)\n");
        else buf_printf(b, " (default %g)\n", d->def);
    }
}

static void review_usage(Buf *b) {
    buf_puts(b, "Usage: glintefy review [--repo DIR] [SETTINGS] SUBCOMMAND [ARGS...]\n"
                "\n"
                "Reviews the caching of the Python repository DIR; output goes under\n"
                "DIR/" RV_OUTPUT_ROOT "/.\n"
                "\n"
                "Subcommands:\n");
    for (int i = 0; i < RV_NCOMMANDS; i++) buf_printf(b, "  %-30s %s\n", RV_COMMANDS[i].usage, RV_COMMANDS[i].synopsis);
    buf_puts(b, "\n"
                "Options:\n"
                "  --repo DIR                 the repository (default: the current directory)\n"
                "  -h, --help                 show this help\n"
                "\n");
    settings_help(b);
    buf_puts(b, "\nSee 'glintefy help review SUBCOMMAND'.\n");
}

static void command_help(const RvCommand *c, Buf *b) {
    buf_printf(b, "Usage: glintefy review [--repo DIR] %s\n\n", c->usage);
    if (c->run == rv_cmd_clean) {
        Buf scopes = {0};
        for (size_t i = 0; i < rv_clean_nscopes; i++)
            buf_printf(&scopes, "                        %-8s %s\n", rv_clean_scopes[i].name, rv_clean_scopes[i].what);
        buf_printf(b, c->help, scopes.data);
        buf_free(&scopes);
    } else {
        buf_puts(b, c->help);
    }
}

static void print_buf(Buf *b) {
    if (b->data) fputs(b->data, stdout);
    buf_free(b);
}

static const RvCommand *find_command(const char *name) {
    for (int i = 0; i < RV_NCOMMANDS; i++)
        if (strcmp(RV_COMMANDS[i].name, name) == 0) return &RV_COMMANDS[i];
    return NULL;
}

int review_help(int argc, char **argv) {
    Buf b = {0};
    if (argc == 0) {
        review_usage(&b);
    } else {
        const RvCommand *c = find_command(argv[0]);
        if (!c || argc > 1) return cli_usage_error("glintefy review --help", "no help for 'review %s'", argv[0]);
        command_help(c, &b);
    }
    print_buf(&b);
    return 0;
}

int review_main(int argc, char **argv) {
    RvContext ctx = {.repo = ".", .hint = "glintefy review --help"};
    int status;
    int i = 0;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) { status = review_help(0, NULL); goto done; }
        int r = rv_context_option(&ctx, argc, argv, &i);
        if (r < 0) { status = EXIT_USAGE; goto done; }
        if (r > 0) continue;
        if (a[0] == '-') { status = cli_usage_error(ctx.hint, "review: unknown option '%s'", a); goto done; }
        break;
    }
    if (i >= argc) {
        status = cli_usage_error(ctx.hint, "review needs a subcommand");
        goto done;
    }
    const RvCommand *c = find_command(argv[i]);
    if (!c) {
        status = cli_usage_error(ctx.hint, "unknown review subcommand '%s'", argv[i]);
        goto done;
    }
    char hint[128];
    snprintf(hint, sizeof hint, "glintefy help review %s", c->name);
    ctx.hint = hint;
    for (int j = i + 1; j < argc; j++)
        if (strcmp(argv[j], "--") == 0) break;
        else if (cli_is_help(argv[j])) { status = review_help(1, &argv[i]); goto done; }
    status = c->run(&ctx, argc - i - 1, argv + i + 1);
done:
    rv_config_flags_free(&ctx.flags);
    return status;
}

/* ---- review clean -------------------------------------------------------------------- */

int rv_cmd_clean(RvContext *ctx, int argc, char **argv) {
    const RvCleanScope *sc = rv_clean_scope("all");
    int dry_run = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val;
        if (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0) { dry_run = 1; continue; }
        int r = rv_value_option("-s", argc, argv, &i, &val);
        if (!r) r = rv_value_option("--scope", argc, argv, &i, &val);
        if (r < 0) return cli_usage_error(ctx->hint, "%s needs a scope (all, cache, perf, profile)", a);
        if (r > 0) {
            if (!(sc = rv_clean_scope(val)))
                return cli_usage_error(ctx->hint, "clean: unknown scope '%s' (all, cache, perf, profile)", val);
            continue;
        }
        r = rv_context_option(ctx, argc, argv, &i);
        if (r < 0) return EXIT_USAGE;
        if (r > 0) continue;
        return cli_usage_error(ctx->hint, "clean: unexpected argument '%s'", a);
    }
    return rv_clean(ctx->repo, sc, dry_run, stdout);
}

/* ---- debug sources / debug config ---------------------------------------------------- */

const char RV_DEBUG_SOURCES_HELP[] =
    "Usage: glintefy debug sources [--repo DIR] [--time] [--quiet] [--keep] [--jobs N]\n"
    "                              [--python X.Y] [--include GLOB] [--exclude GLOB] ...\n"
    "\n"
    "Finds the Python files a review of DIR reads (git ls-files when DIR is in a git work\n"
    "tree, else a walk; environments, build output and LLM-CONTEXT/ skipped; include/exclude\n"
    "from the settings) and parses them all in parallel. Prints one line per file:\n"
    "PATH<TAB>MODULE<TAB>ok|syntax-error|unreadable. Syntax errors also go to stderr as\n"
    "PATH:LINE:COL: message. Exit status 0 unless DIR or the settings cannot be read.\n"
    "\n"
    "  --repo DIR     the repository (default: the current directory)\n"
    "  --time         after the list, print files, bytes, threads, discovery and parse\n"
    "                 wall times and MB/s\n"
    "  --quiet        no per-file lines and no syntax errors (with --time: timings only)\n"
    "  --keep         keep every tree in memory until the end (as a multi-pass analysis\n"
    "                 would), instead of freeing each after it is parsed\n"
    "  --jobs N       parse with N threads (default: one per online core)\n"
    "  --python X.Y   the Python grammar (3.8 to 3.14; default 3.14)\n";

const char RV_DEBUG_CONFIG_HELP[] =
    "Usage: glintefy debug config [--repo DIR] [SETTINGS...]\n"
    "\n"
    "Prints every setting of the cache review as KEY = VALUE  (SOURCE), where SOURCE is\n"
    "default, FILE:LINE of pyproject.toml, the environment variable, or the flag.\n"
    "Settings flags are those of 'glintefy review --help'.\n";

static int parse_pyminor(const char *s, int *minor) {
    const char *d = strncmp(s, "3.", 2) == 0 ? s + 2 : strncmp(s, "py3", 3) == 0 ? s + 3 : NULL;
    if (!d || !*d || strlen(d) > 2 || strspn(d, "0123456789") != strlen(d)) return 0;
    int v = atoi(d);
    if (v < SYNTAX_PY_MIN || v > SYNTAX_PY_MAX) return 0;
    *minor = v;
    return 1;
}

int rv_cmd_debug_sources(int argc, char **argv) {
    RvContext ctx = {.repo = ".", .hint = "glintefy help debug sources"};
    int timing = 0, quiet = 0, keep = 0, jobs = 0, minor = SYNTAX_PY_MAX, status = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val;
        if (cli_is_help(a)) { fputs(RV_DEBUG_SOURCES_HELP, stdout); goto done; }
        if (strcmp(a, "--time") == 0) { timing = 1; continue; }
        if (strcmp(a, "--quiet") == 0) { quiet = 1; continue; }
        if (strcmp(a, "--keep") == 0) { keep = 1; continue; }
        int r = rv_value_option("--jobs", argc, argv, &i, &val);
        if (r) {
            char *end;
            long n = r > 0 ? strtol(val, &end, 10) : 0;
            if (r < 0 || *end || n < 1 || n > 64) {
                status = cli_usage_error(ctx.hint, "--jobs needs a number from 1 to 64");
                goto done;
            }
            jobs = (int)n;
            continue;
        }
        if ((r = rv_value_option("--python", argc, argv, &i, &val)) != 0) {
            if (r < 0 || !parse_pyminor(val, &minor)) {
                status = cli_usage_error(ctx.hint, "--python needs a version from 3.%d to 3.%d", SYNTAX_PY_MIN, SYNTAX_PY_MAX);
                goto done;
            }
            continue;
        }
        r = rv_context_option(&ctx, argc, argv, &i);
        if (r < 0) { status = EXIT_USAGE; goto done; }
        if (r > 0) continue;
        status = cli_usage_error(ctx.hint, "debug sources: unexpected argument '%s'", a);
        goto done;
    }
    RvConfig cfg;
    if (rv_context_config(&ctx, &cfg)) {
        rv_config_free(&cfg);
        status = EXIT_REJECTED;
        goto done;
    }
    RvSourceList src;
    char err[1024];
    double t0 = now_seconds();
    int r = rv_find_sources(ctx.repo, &cfg, &src, err, sizeof err);
    double t_find = now_seconds() - t0;
    if (r) {
        fprintf(stderr, "glintefy: %s\n", err);
        status = EXIT_REJECTED;
    } else {
        RvParseSet set;
        RvParseOptions po = {.pyminor = minor, .jobs = jobs, .keep = keep};
        rv_parse_all(ctx.repo, &src, &po, &set);
        if (!quiet) {
            rv_report_rejected(stderr, &set);
            for (size_t i = 0; i < set.len; i++) {
                const RvParsed *f = &set.files[i];
                printf("%s\t%s\t%s\n", f->path, f->module, !f->rejected ? "ok" : f->read_errno ? "unreadable" : "syntax-error");
            }
        }
        if (timing) {
            printf("files: %zu (%zu rejected)\n", set.len, set.rejected);
            printf("listed by: %s\n", src.from_git ? "git ls-files" : "directory walk");
            printf("bytes: %zu\n", set.bytes);
            printf("threads: %d\n", set.threads);
            printf("discover seconds: %.6f\n", t_find);
            printf("parse seconds: %.6f\n", set.seconds);
            printf("MB/s: %.1f\n", set.seconds > 0 ? (double)set.bytes / 1e6 / set.seconds : 0.0);
            printf("largest arena bytes: %zu\n", set.peak_arena);
        }
        rv_parse_set_free(&set);
    }
    rv_sources_free(&src);
    rv_config_free(&cfg);
done:
    rv_config_flags_free(&ctx.flags);
    return status;
}

int rv_cmd_debug_config(int argc, char **argv) {
    RvContext ctx = {.repo = ".", .hint = "glintefy help debug config"};
    int status = 0;
    for (int i = 0; i < argc; i++) {
        if (cli_is_help(argv[i])) { fputs(RV_DEBUG_CONFIG_HELP, stdout); goto done; }
        int r = rv_context_option(&ctx, argc, argv, &i);
        if (r < 0) { status = EXIT_USAGE; goto done; }
        if (r > 0) continue;
        status = cli_usage_error(ctx.hint, "debug config: unexpected argument '%s'", argv[i]);
        goto done;
    }
    RvConfig cfg;
    if (rv_context_config(&ctx, &cfg)) {
        status = EXIT_REJECTED;
    } else {
        for (int k = 0; k < RV_CFG_NKEYS; k++) {
            char v[2048];
            rv_config_format(&cfg, k, v, sizeof v);
            printf("%s = %s  (%s)\n", rv_config_keys[k].name, v, cfg.origin[k]);
        }
    }
    rv_config_free(&cfg);
done:
    rv_config_flags_free(&ctx.flags);
    return status;
}
