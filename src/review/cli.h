/* cli.h - the `review` command and its subcommand table, and the review's debug commands.
 * A subcommand is one row of RV_COMMANDS in cli.c: name, usage, synopsis, help, run. */
#ifndef GLINTEFY_REVIEW_CLI_H
#define GLINTEFY_REVIEW_CLI_H
#include "../cli.h"
#include "config.h"

/* What every review subcommand gets: the repository and the settings flags seen so far
 * (`glintefy review --repo DIR --cache-size 64 cache` and `... cache --repo DIR` alike). */
typedef struct RvContext {
    const char *repo;      /* --repo; default "." */
    RvConfigFlags flags;   /* settings flags, applied over pyproject.toml and environment */
    const char *hint;      /* "glintefy help review NAME", for usage errors */
} RvContext;

/* Recognises argv[*i] as `--name VALUE` or `--name=VALUE`: 1 (the value in *val; *i moved onto it
 * when it is a separate argument),
 * 0 another argument, -1 the value is missing. */
int rv_value_option(const char *name, int argc, char **argv, int *i, const char **val);
/* Recognises --repo DIR / --repo=DIR and the settings flags (--cache-size, ...) at argv[*i].
 * Returns 1 if consumed (advancing *i), 0 if not one of them, -1 after printing a usage error. */
int rv_context_option(RvContext *ctx, int argc, char **argv, int *i);
/* Loads the configuration of ctx->repo (rv_config_load), printing its warnings to stderr.
 * Returns 0, or -1 after printing the error ("glintefy: pyproject.toml:3:1: ..."). */
int rv_context_config(RvContext *ctx, RvConfig *cfg);

/* Subcommands (each in its own file; rows of RV_COMMANDS in cli.c). */
int rv_cmd_clean(RvContext *ctx, int argc, char **argv);
int rv_cmd_profile(RvContext *ctx, int argc, char **argv); /* profile_run.c */
extern const char RV_PROFILE_HELP[];
int rv_cmd_merge(RvContext *ctx, int argc, char **argv); /* profile_run.c */
extern const char RV_MERGE_HELP[];
int rv_cmd_cache(RvContext *ctx, int argc, char **argv); /* cache_cmd.c */
extern const char RV_CACHE_HELP[];

/* `glintefy review ...` (argv after "review"). */
int review_main(int argc, char **argv);
/* `glintefy help review [SUBCOMMAND]` (argv after "review"). */
int review_help(int argc, char **argv);

/* `glintefy debug sources ...` and `glintefy debug config ...` (argv after the name). */
int rv_cmd_debug_sources(int argc, char **argv);
int rv_cmd_debug_config(int argc, char **argv);
extern const char RV_DEBUG_SOURCES_HELP[];
extern const char RV_DEBUG_CONFIG_HELP[];

#endif
