/* toml.h - a TOML 1.0 reader for pyproject.toml (Debian 12 packages no C TOML library).
 * The whole document becomes a tree of values in an arena; errors carry line and column. */
#ifndef GLINTEFY_TOML_H
#define GLINTEFY_TOML_H
#include <stddef.h>
#include <stdint.h>
#include "../base/arena.h"

typedef enum { TOML_STRING, TOML_INT, TOML_FLOAT, TOML_BOOL, TOML_DATETIME, TOML_ARRAY, TOML_TABLE } TomlKind;

typedef struct TomlValue TomlValue;
/* Invariant: a TABLE's keys are distinct; `line`/`col` are where the value (or header) starts. */
struct TomlValue {
    TomlKind kind;
    int line, col;
    int flags; /* TOML_F_*: how a table or array came to be, for redefinition checks */
    union {
        struct { const char *s; size_t len; } str; /* STRING (UTF-8, NUL-terminated); DATETIME text */
        int64_t i;
        double f;
        int b;
        struct { TomlValue **items; size_t len, cap; } arr;
        /* idx: open-addressing index of keys (position + 1, 0 = empty), from 8 keys on */
        struct { const char **keys; TomlValue **vals; size_t len, cap; uint32_t *idx; size_t idx_cap; } tab;
    } v;
};

/* A parse error: 1-based line and column (in bytes) and a message without the position. */
typedef struct TomlError {
    int line, col;
    char msg[256];
} TomlError;

/* Parses data[0..n) as a TOML document. Returns the root table (owned by `a`), or NULL with
 * *err filled. */
TomlValue *toml_parse(Arena *a, const char *data, size_t n, TomlError *err);

/* Returns the value under `key` in table t, or NULL (also when t is NULL or not a table). */
const TomlValue *toml_get(const TomlValue *t, const char *key);
/* Follows a dotted path of bare keys ("tool.glintefy.review.cache"); NULL if any step is missing. */
const TomlValue *toml_get_path(const TomlValue *t, const char *dotted);
/* The kind's name as TOML documentation writes it ("string", "integer", ...). */
const char *toml_kind_name(TomlKind k);

#endif
