/* fuzz_trace.c - libFuzzer entry point for the .gtr trace reader (src/runtime/trace.c). An
 * accepted input must satisfy the reader's invariants (calls sorted by strictly increasing seq,
 * fids in range, parents started earlier); a rejection must say where and why. A crash, a
 * sanitizer report, a hang or a leak is a bug. Build and run with `make fuzz FUZZ_TARGET=trace`. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../src/runtime/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    TrFile t;
    char err[256];
    if (tr_load(data, size, &t, err, sizeof err) != 0) {
        if (strncmp(err, "offset ", 7) != 0) __builtin_trap();
        if (t.funcs || t.calls || t.nfuncs || t.ncalls || t.clears || t.bounds) __builtin_trap();
        return 0;
    }
    for (size_t i = 0; i < t.ncalls; i++) {
        const TrCall *c = &t.calls[i];
        if (c->fid >= t.nfuncs || c->parent_seq >= c->seq) __builtin_trap();
        if (i && t.calls[i - 1].seq >= c->seq) __builtin_trap();
    }
    for (size_t i = 0; i < t.nclears; i++) {
        const TrClear *x = &t.clears[i];
        if (x->fid >= t.nfuncs || x->origin >= TR_CLEAR_ORIGINS || !x->seq || !x->nodeid) __builtin_trap();
        if (i && t.clears[i - 1].seq > x->seq) __builtin_trap();
    }
    for (size_t i = 0; i < t.nbounds; i++)
        if (t.bounds[i].phase > TR_TEST_END || !t.bounds[i].nodeid || (i && t.bounds[i - 1].seq > t.bounds[i].seq)) __builtin_trap();
    for (size_t i = 0; i < t.nfuncs; i++)
        if (!t.funcs[i].file || !t.funcs[i].qualname || t.funcs[i].kind > TR_CACHE) __builtin_trap();
    tr_free(&t);
    return 0;
}
