/* fuzz_parse.c - libFuzzer entry point for the front end (decoding, lexer, parser, JSON dump).
 * Every input is parsed as Python 3.11 and as 3.14, each with a fresh arena; a crash, a
 * sanitizer report, a hang or a leak is a bug. Build and run with `make fuzz`. */
#include <stddef.h>
#include <stdint.h>
#include "../src/base/arena.h"
#include "../src/base/buf.h"
#include "../src/syntax/syntax.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_one(const uint8_t *data, size_t size, int pyminor) {
    Arena arena;
    arena_init(&arena);
    SyntaxDiag diag = {0};
    AstNode *root = syntax_parse(&arena, (const char *)data, size, pyminor, &diag);
    if (root) {
        Buf out = {0};
        syntax_dump_json(&out, root, pyminor);
        buf_free(&out);
    } else if (diag.msg[0] == 0 || diag.line < 0) {
        __builtin_trap(); /* a rejection must say where and why */
    }
    arena_free(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    parse_one(data, size, 11);
    parse_one(data, size, SYNTAX_PY_MAX);
    return 0;
}
