/* config.h - the cache review's settings: one table of keys (name, type, bounds, default, flag,
 * help), read from, highest first: CLI flags, GLINTEFY_REVIEW_CACHE_<KEY> environment
 * variables, pyproject.toml [tool.glintefy.review.cache], defaults (docs/configuration.md). */
#ifndef GLINTEFY_REVIEW_CONFIG_H
#define GLINTEFY_REVIEW_CONFIG_H
#include <stddef.h>
#include "../advice/advice.h"

/* X(name, type, default, min, max, flag, help); type INT, FLOAT or LIST (of strings).
 * Bounds are inclusive; a LIST's default, min and max are unused. */
#define RV_CONFIG_KEYS(X)                                                                                 \
    X(cache_size, INT, 128, 1, 1e9, "--cache-size", "maxsize used when testing a new cache")             \
    X(hit_rate_threshold, FLOAT, 20, 0, 100, "--hit-rate", "hit rate (%) a new candidate needs")           \
    X(remove_threshold, FLOAT, 10, 0, 100, "--remove-threshold", "hit rate (%) below which a cache goes")   \
    X(size_adjustment_threshold, FLOAT, 50, 0, 100, "--size-threshold",                                  \
      "maxsize use (%) that warrants a resize")                                                          \
    X(min_suggested_maxsize, INT, 16, 1, 1e9, "--min-maxsize", "smallest maxsize ever suggested")          \
    X(speedup_threshold, FLOAT, 5, 0, 1e6, "--speedup", "speedup (%) a new cache must bring")              \
    X(min_calls, INT, 100, 0, 1e15, "--min-calls", "calls that make a profiled function hot")             \
    X(min_cumtime, FLOAT, 0.1, 0, 1e9, "--min-cumtime", "cumulative seconds that make it hot")            \
    X(max_profile_age_hours, FLOAT, 24, 0, 1e9, "--max-profile-age", "hours before a profile is stale")    \
    X(num_runs, INT, 3, 1, 1000, "--num-runs", "runs averaged per speedup measurement")                   \
    X(test_timeout, FLOAT, 300, 1, 1e7, "--test-timeout", "seconds one workload run may take")            \
    X(include, LIST, 0, 0, 0, "--include", "review only files these globs select")                        \
    X(exclude, LIST, 0, 0, 0, "--exclude", "leave out files these globs select")

typedef enum { RV_CFG_INT, RV_CFG_FLOAT, RV_CFG_LIST } RvConfigType;

enum {
#define X(name, type, def, lo, hi, flag, help) RV_CFG_##name,
    RV_CONFIG_KEYS(X)
#undef X
    RV_CFG_NKEYS
};

/* A list of malloc'd strings (owned by the config). */
typedef struct RvStrList {
    char **items;
    size_t len, cap;
} RvStrList;

#define RV_CTYPE_INT long long
#define RV_CTYPE_FLOAT double
#define RV_CTYPE_LIST RvStrList

/* Invariant: every value is within its key's bounds; origin[k] says where key k came from
 * ("default", "pyproject.toml:12", "GLINTEFY_REVIEW_CACHE_CACHE_SIZE", "--cache-size").
 * Free with rv_config_free. */
typedef struct RvConfig {
#define X(name, type, def, lo, hi, flag, help) RV_CTYPE_##type name;
    RV_CONFIG_KEYS(X)
#undef X
    char origin[RV_CFG_NKEYS][64];
    RvStrList warnings; /* e.g. unknown keys in pyproject.toml, as "file:line:col: warning: ..." */
} RvConfig;

/* One key of the table. */
typedef struct RvConfigKey {
    const char *name;
    RvConfigType type;
    double def, lo, hi;
    const char *flag;
    const char *help;
    size_t offset; /* of the value in RvConfig */
} RvConfigKey;

extern const RvConfigKey rv_config_keys[RV_CFG_NKEYS];

/* Command-line settings, collected before the files are read; applied last (they win). */
typedef struct RvConfigFlags {
    struct { int key; char *value; } *items; /* value is malloc'd */
    size_t len, cap;
} RvConfigFlags;

/* Recognises a config flag at argv[*i] ("--cache-size 64" or "--cache-size=64"), checking its
 * value. Returns 1 if consumed (advancing *i), 0 if argv[*i] is not a config flag, -1 with a
 * message in err (a usage error) if the value is missing or bad. */
int rv_config_flag(RvConfigFlags *f, int argc, char **argv, int *i, char *err, size_t errlen);
void rv_config_flags_free(RvConfigFlags *f);

/* Fills *c with the defaults. */
void rv_config_defaults(RvConfig *c);
/* Loads the configuration for repository `repo`: defaults, then <repo>/pyproject.toml (if any),
 * then the environment, then `flags` (may be NULL). Returns 0, or -1 with a message naming the
 * source and line in err ("pyproject.toml:4:15: cache_size: expected an integer, got string").
 * *c is always initialised and must be freed with rv_config_free. */
int rv_config_load(RvConfig *c, const char *repo, const RvConfigFlags *flags, char *err, size_t errlen);
void rv_config_free(RvConfig *c);
/* The environment variable of key k: "GLINTEFY_REVIEW_CACHE_" + upper-case name. */
void rv_config_env_name(int k, char *out, size_t outlen);
/* Writes key k's value as text (lists comma-separated) into out. */
void rv_config_format(const RvConfig *c, int k, char *out, size_t outlen);

/* The thresholds of the advice stage (src/advice/) from these settings. */
AdConfig rv_advice_config(const RvConfig *cfg);

#endif
