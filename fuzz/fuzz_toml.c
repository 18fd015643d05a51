/* fuzz_toml.c - libFuzzer entry point for the TOML reader (src/review/toml.c), which reads the
 * user's pyproject.toml. An accepted document must be a well-formed tree (distinct keys in each
 * table, strings NUL-terminated at their length, positions from 1); a rejection must carry a
 * position and a message. A crash, a sanitizer report, a hang or a leak is a bug. Build and run
 * with `make fuzz FUZZ_TARGET=toml`. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../src/base/arena.h"
#include "../src/review/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const TomlValue *v, int depth) {
    if (!v || v->line < 1 || v->col < 1 || depth > 100000) __builtin_trap();
    switch (v->kind) {
    case TOML_STRING:
    case TOML_DATETIME:
        if (!v->v.str.s || v->v.str.s[v->v.str.len] != 0) __builtin_trap();
        break;
    case TOML_ARRAY:
        for (size_t i = 0; i < v->v.arr.len; i++) check(v->v.arr.items[i], depth + 1);
        break;
    case TOML_TABLE:
        for (size_t i = 0; i < v->v.tab.len; i++) {
            if (!v->v.tab.keys[i]) __builtin_trap();
            for (size_t j = 0; j < i; j++)
                if (strcmp(v->v.tab.keys[i], v->v.tab.keys[j]) == 0) __builtin_trap();
            if (toml_get(v, v->v.tab.keys[i]) != v->v.tab.vals[i]) __builtin_trap();
            check(v->v.tab.vals[i], depth + 1);
        }
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Arena a;
    arena_init(&a);
    TomlError err;
    memset(&err, 0, sizeof err);
    const TomlValue *root = toml_parse(&a, (const char *)data, size, &err);
    if (!root) {
        if (err.line < 1 || err.col < 1 || !err.msg[0]) __builtin_trap();
    } else {
        if (root->kind != TOML_TABLE) __builtin_trap();
        check(root, 0);
        (void)toml_get_path(root, "tool.glintefy.review.cache");
    }
    arena_free(&a);
    return 0;
}
