/* fuzz_marshal.c - libFuzzer entry point for the .prof reader (marshal, then the pstats model).
 * An accepted input is written back, read again and must give the same rows; its table and
 * hotspots are built too. A crash, a sanitizer report, a hang or a leak is a bug; a rejection
 * must say where and why. Build and run with `make fuzz FUZZ_TARGET=marshal`. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../src/base/arena.h"
#include "../src/base/buf.h"
#include "../src/profile/marshal.h"
#include "../src/profile/pstats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_rows(const ProfStats *a, const ProfStats *b) {
    if (prof_count(a) != prof_count(b)) __builtin_trap();
    for (size_t i = 0; i < prof_count(a); i++) {
        ProfRow x = prof_row(a, i), y = prof_row(b, i);
        if (x.cc != y.cc || x.nc != y.nc || x.ncallers != y.ncallers || x.func.line != y.func.line ||
            x.func.file.len != y.func.file.len || memcmp(x.func.file.s, y.func.file.s, x.func.file.len) != 0)
            __builtin_trap();
        if (memcmp(&x.tt, &y.tt, sizeof x.tt) != 0 || memcmp(&x.ct, &y.ct, sizeof x.ct) != 0) __builtin_trap();
        ProfCaller *cx = malloc((x.ncallers + 1) * sizeof *cx), *cy = malloc((y.ncallers + 1) * sizeof *cy);
        if (prof_callers(a, i, cx) != x.ncallers || prof_callers(b, i, cy) != y.ncallers) __builtin_trap();
        for (size_t j = 0; j < x.ncallers; j++)
            if (cx[j].is_count != cy[j].is_count || cx[j].nc != cy[j].nc || cx[j].func.line != cy[j].func.line) __builtin_trap();
        free(cx);
        free(cy);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Arena arena;
    arena_init(&arena);
    MarshalError merr;
    if (!marshal_load(&arena, data, size, &merr) && (merr.msg[0] == 0 || merr.offset > size)) __builtin_trap();
    arena_free(&arena);

    ProfError err;
    ProfStats *st = prof_load(data, size, &err);
    if (!st) {
        if (err.msg[0] == 0 || err.offset > (long long)size) __builtin_trap();
        return 0;
    }
    Buf out = {0};
    prof_write(st, &out);
    ProfStats *again = prof_load((const unsigned char *)out.data, out.len, &err);
    if (!again) __builtin_trap(); /* what we write, we read */
    same_rows(st, again);
    if (prof_add(again, st, &err) == 0 && prof_count(again) != prof_count(st)) __builtin_trap();
    buf_free(&out);
    prof_print_table(st, PROF_SORT_STDNAME, 50, &out);
    ProfHotspot *hs = malloc((prof_count(st) + 1) * sizeof *hs);
    prof_hotspots(st, &PROF_HOTSPOT_DEFAULTS, hs);
    free(hs);
    buf_free(&out);
    prof_free(again);
    prof_free(st);
    return 0;
}
