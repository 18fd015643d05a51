/* fuzz_patch.c - libFuzzer entry point for the source editor of `review cache --diff/--fix`
 * (src/report/patch.c), which edits the user's Python files. The input is a source file; every
 * action kind is tried on a function `f` at lines 1..12. An edit that succeeds on a file that
 * parses must give a file that parses (the editor may refuse, never break code). A crash, a
 * sanitizer report, a hang or a leak is a bug. Build and run with `make fuzz FUZZ_TARGET=patch`. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "../src/base/arena.h"
#include "../src/base/buf.h"
#include "../src/report/patch.h"
#include "../src/syntax/syntax.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int parses(const char *d, size_t n) {
    Arena a;
    arena_init(&a);
    SyntaxDiag diag;
    int ok = syntax_parse(&a, d, n, SYNTAX_PY_MAX, &diag) != NULL;
    arena_free(&a);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const kinds[] = {
        "\"recommendation\": \"ADD_CACHE\", \"suggested_maxsize\": \"unbounded\", \"decorator\": \"@functools.cache\"",
        "\"recommendation\": \"ADD_CACHE\", \"suggested_maxsize\": 64",
        "\"recommendation\": \"ADJUST_SIZE\", \"suggested_maxsize\": 7",
        "\"recommendation\": \"ADJUST_SIZE\", \"suggested_maxsize\": \"unbounded\"",
        "\"recommendation\": \"REMOVE\", \"suggested_maxsize\": null",
    };
    const char *src = (const char *)data;
    if (!parses(src, size)) return 0;
    for (int line = 1; line <= 12; line++)
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
            char acts[512];
            snprintf(acts, sizeof acts, "[{\"file\": \"m.py\", \"function\": \"f\", \"line\": %d, %s}]", line, kinds[k]);
            Buf out = {0};
            if (rp_edit_text(src, size, acts, &out) == 0 && !parses(out.data ? out.data : "", out.len)) __builtin_trap();
            buf_free(&out);
        }
    return 0;
}
