/* test_trace.c - the .gtr reader (src/runtime/trace.c) on hand-built byte strings: a valid trace
 * read back field by field and sorted by seq; every truncation point, garbage and each limit
 * rejected with an offset. */
#include <stdlib.h>
#include <string.h>
#include "../../src/runtime/trace.h"
#include "unit.h"

typedef struct Bytes {
    unsigned char d[1024];
    size_t n;
} Bytes;

static void put(Bytes *b, uint64_t v, int size) {
    for (int i = 0; i < size; i++) b->d[b->n++] = (unsigned char)(v >> (8 * i));
}
static void header(Bytes *b, uint32_t pid, uint32_t overhead) {
    memcpy(b->d + b->n, "GTR1", 4);
    b->n += 4;
    put(b, 1, 2);
    put(b, 0, 2);
    put(b, pid, 4);
    put(b, overhead, 4);
}
static void func(Bytes *b, uint32_t fid, uint32_t line, int kind, const char *file, const char *qual) {
    put(b, 'F', 1);
    put(b, fid, 4);
    put(b, line, 4);
    put(b, (uint64_t)kind, 1);
    put(b, strlen(file), 2);
    memcpy(b->d + b->n, file, strlen(file));
    b->n += strlen(file);
    put(b, strlen(qual), 2);
    memcpy(b->d + b->n, qual, strlen(qual));
    b->n += strlen(qual);
}
static void call(Bytes *b, uint32_t fid, uint64_t seq, uint64_t parent, uint64_t key, uint64_t dur, uint64_t fp, int flags) {
    put(b, 'C', 1);
    put(b, fid, 4);
    put(b, seq, 8);
    put(b, parent, 8);
    put(b, key, 8);
    put(b, dur, 8);
    put(b, fp, 8);
    put(b, (uint64_t)flags, 1);
}

/* fib(2) -> fib(1), fib(0) as the probe writes them (end order), then a T record. */
static Bytes sample(void) {
    Bytes b = {.n = 0};
    header(&b, 4242, 57);
    func(&b, 0, 3, TR_CANDIDATE, "/r/m.py", "fib");
    call(&b, 0, 2, 1, 1, 100, 1, 0);
    func(&b, 1, 9, TR_CACHE, "/r/m.py", "C.g");
    call(&b, 1, 3, 1, (uint64_t)-7, 50, 0, TR_RAISED);
    call(&b, 0, 1, 0, 2, 400, 2, TR_MUTABLE_RESULT);
    call(&b, 1, 4, 0, 0, 10, 5, TR_UNHASHABLE);
    put(&b, 'T', 1);
    put(&b, 12, 8);
    return b;
}

static void summary(Bytes *b, uint32_t fid, uint64_t calls, uint64_t recorded, int state, uint64_t key_ns) {
    put(b, 'P', 1);
    put(b, fid, 4);
    put(b, calls, 8);
    put(b, recorded, 8);
    put(b, (uint64_t)state, 1);
    put(b, key_ns, 8);
}

static int load(const Bytes *b, size_t n, TrFile *t, char *err) { return tr_load(b->d, n, t, err, 200); }
static void expect_error(Bytes *b, const char *what);

TEST(trace_reads_sample) {
    Bytes b = sample();
    TrFile t;
    char err[200];
    CHECK(load(&b, b.n, &t, err) == 0);
    CHECK(t.pid == 4242 && t.overhead_ns == 57 && t.truncated == 12);
    CHECK(t.nfuncs == 2 && t.ncalls == 4);
    if (t.nfuncs == 2) {
        CHECK(strcmp(t.funcs[0].file, "/r/m.py") == 0 && strcmp(t.funcs[0].qualname, "fib") == 0);
        CHECK(t.funcs[0].line == 3 && t.funcs[0].kind == TR_CANDIDATE);
        CHECK(strcmp(t.funcs[1].qualname, "C.g") == 0 && t.funcs[1].line == 9 && t.funcs[1].kind == TR_CACHE);
    }
    if (t.ncalls == 4) {
        for (size_t i = 0; i < 4; i++) CHECK(t.calls[i].seq == i + 1); /* sorted by seq */
        CHECK(t.calls[0].fid == 0 && t.calls[0].parent_seq == 0 && t.calls[0].key_hash == 2);
        CHECK(t.calls[0].duration_ns == 400 && t.calls[0].result_fp == 2 && t.calls[0].flags == TR_MUTABLE_RESULT);
        CHECK(t.calls[1].parent_seq == 1 && t.calls[1].key_hash == 1);
        CHECK(t.calls[2].fid == 1 && t.calls[2].key_hash == (uint64_t)-7 && t.calls[2].flags == TR_RAISED);
        CHECK(t.calls[3].flags == TR_UNHASHABLE && t.calls[3].key_hash == 0);
    }
    tr_free(&t);
    tr_free(NULL);
}

TEST(trace_v1_defaults) {
    /* a version 1 file: calls = recorded = its C records; a T record makes every function CUT_SHORT */
    Bytes b = sample();
    TrFile t;
    char err[200];
    CHECK(load(&b, b.n, &t, err) == 0);
    CHECK(t.version == 1 && t.nfuncs == 2);
    if (t.nfuncs == 2) {
        CHECK(t.funcs[0].calls == 2 && t.funcs[0].recorded == 2 && t.funcs[0].state == TR_CUT_SHORT);
        CHECK(t.funcs[1].calls == 2 && !t.funcs[1].has_summary && t.funcs[1].key_ns == 0);
    }
    tr_free(&t);
    b.n -= 9; /* without the T record */
    CHECK(load(&b, b.n, &t, err) == 0);
    CHECK(t.nfuncs == 2 && t.funcs[0].state == TR_COMPLETE && t.funcs[1].state == TR_COMPLETE);
    tr_free(&t);
    /* a P record is a version 2 record */
    summary(&b, 0, 2, 2, TR_COMPLETE, 0);
    expect_error(&b, "P record in a version 1 file");
}

TEST(trace_v2_summaries) {
    Bytes b = {.n = 0};
    header(&b, 7, 0);
    b.d[4] = 2;
    func(&b, 0, 3, TR_CANDIDATE, "/r/m.py", "fib");
    func(&b, 1, 9, TR_CACHE, "/r/m.py", "C.g");
    func(&b, 2, 20, TR_CANDIDATE, "/r/m.py", "h");
    call(&b, 0, 1, 0, 2, 400, 2, 0);
    call(&b, 1, 2, 0, 3, 40, 2, 0);
    summary(&b, 0, 1000, 1, TR_SETTLED, 123456);
    summary(&b, 1, 5, 1, TR_STOPPED, 0);
    call(&b, 2, 3, 0, 3, 40, 2, 0); /* h has no P record: the process died before its summary */
    TrFile t;
    char err[200];
    CHECK(load(&b, b.n, &t, err) == 0);
    CHECK(t.version == 2 && t.nfuncs == 3 && t.ncalls == 3);
    if (t.nfuncs == 3) {
        CHECK(t.funcs[0].calls == 1000 && t.funcs[0].recorded == 1 && t.funcs[0].state == TR_SETTLED);
        CHECK(t.funcs[0].key_ns == 123456 && t.funcs[0].has_summary);
        CHECK(t.funcs[1].calls == 5 && t.funcs[1].state == TR_STOPPED);
        CHECK(t.funcs[2].calls == 1 && t.funcs[2].recorded == 1 && t.funcs[2].state == TR_CUT_SHORT);
        CHECK(!t.funcs[2].has_summary);
    }
    tr_free(&t);

    size_t end = b.n;
    summary(&b, 0, 1000, 1, TR_SETTLED, 0);
    expect_error(&b, "second P record for fid 0");
    b.n = end;
    call(&b, 0, 9, 0, 2, 400, 2, 0);
    expect_error(&b, "C record for fid 0 after its P record");
    b.n = end;
    summary(&b, 3, 1, 1, TR_COMPLETE, 0);
    expect_error(&b, "P record for fid 3, but 3 functions");
    b.n = end;
    summary(&b, 2, 1, 1, 4, 0);
    expect_error(&b, "P record state 4");
    b.n = end;
    summary(&b, 2, 1, 2, TR_COMPLETE, 0);
    expect_error(&b, "2 calls recorded of 1");
    b.n = end;
    summary(&b, 2, 9, 3, TR_COMPLETE, 0);
    expect_error(&b, "P record of fid 2 says 3 calls recorded, the file has 1");
    b.n = end;
    summary(&b, 2, 9, 1, TR_CUT_SHORT, 0);
    put(&b, 'T', 1);
    put(&b, 8, 8);
    CHECK(load(&b, b.n, &t, err) == 0);
    CHECK(t.truncated == 8 && t.nfuncs == 3 && t.funcs[2].calls == 9 && t.funcs[2].state == TR_CUT_SHORT);
    tr_free(&t);
}

TEST(trace_header_only_and_empty) {
    Bytes b = {.n = 0};
    header(&b, 1, 0);
    TrFile t;
    char err[200];
    CHECK(load(&b, b.n, &t, err) == 0);
    CHECK(t.nfuncs == 0 && t.ncalls == 0 && t.truncated == 0);
    tr_free(&t);
    CHECK(tr_load(NULL, 0, &t, err, sizeof err) == -1);
    CHECK(strstr(err, "offset 0: truncated header") == err);
}

TEST(trace_every_truncation_rejected) {
    Bytes b = sample();
    TrFile t;
    char err[200];
    /* cut anywhere except at a record boundary: rejected with an offset, nothing leaks */
    size_t ok = 0;
    for (size_t n = 0; n < b.n; n++) {
        if (load(&b, n, &t, err) == 0) {
            ok++;
            tr_free(&t);
        } else {
            CHECK(strncmp(err, "offset ", 7) == 0);
            CHECK(t.funcs == NULL && t.calls == NULL);
        }
    }
    CHECK(ok == 7); /* header, after each of the 2 F and 4 C records (the T record needs its 8 bytes) */
}

static void expect_error(Bytes *b, const char *what) {
    TrFile t;
    char err[200];
    int r = load(b, b->n, &t, err);
    CHECK(r == -1);
    if (r == -1 && !strstr(err, what)) printf("  got: %s (wanted %s)\n", err, what);
    CHECK(r == -1 && strstr(err, what) != NULL);
    if (r == 0) tr_free(&t);
}

TEST(trace_garbage_rejected) {
    Bytes b = sample();
    b.d[0] = 'X';
    expect_error(&b, "offset 0: not a .gtr trace");
    b = sample();
    b.d[4] = 3;
    expect_error(&b, "offset 4: format version 3");
    b = sample();
    b.d[6] = 1;
    expect_error(&b, "offset 6: header flags");
    b = sample();
    b.d[16] = 'Z';
    expect_error(&b, "offset 16: unknown record type 0x5a");

    Bytes c = {.n = 0};
    header(&c, 1, 0);
    func(&c, 1, 3, 0, "/a.py", "f"); /* fids must be 0, 1, 2 ... */
    expect_error(&c, "offset 16: F record with fid 1, expected 0");
    c.n = 16;
    func(&c, 0, 3, 7, "/a.py", "f");
    expect_error(&c, "function kind 7");
    c.n = 16;
    func(&c, 0, 3, 0, "/a.py", "f");
    c.d[16 + 12 + 2] = 0; /* a NUL inside the file name */
    expect_error(&c, "file contains a NUL byte");
    c.n = 16;
    func(&c, 0, 3, 0, "/a.py", "f");
    c.d[16 + 10] = 0xff; /* file length beyond the data */
    c.d[16 + 11] = 0xff;
    expect_error(&c, "truncated file: needs 65535 bytes");

    c.n = 16;
    func(&c, 0, 3, 0, "/a.py", "f");
    size_t fend = c.n;
    call(&c, 1, 1, 0, 0, 0, 0, 0);
    expect_error(&c, "C record for fid 1, but 1 functions were declared");
    c.n = fend;
    call(&c, 0, 0, 0, 0, 0, 0, 0);
    expect_error(&c, "seq 0");
    c.n = fend;
    call(&c, 0, 3, 3, 0, 0, 0, 0);
    expect_error(&c, "call 3 has parent_seq 3");
    c.n = fend;
    call(&c, 0, 3, 0, 0, 0, 0, 8);
    expect_error(&c, "unknown bits");
    c.n = fend;
    call(&c, 0, 3, 0, 9, 0, 0, TR_UNHASHABLE);
    expect_error(&c, "UNHASHABLE call with a key_hash");
    c.n = fend;
    call(&c, 0, 3, 0, 9, 0, 4, TR_RAISED);
    expect_error(&c, "RAISED call with a result_fp");
    c.n = fend;
    call(&c, 0, 3, 0, 9, 0, 4, 0);
    call(&c, 0, 3, 0, 9, 0, 4, 0);
    char want[64];
    snprintf(want, sizeof want, "offset %zu: seq 3 is used by two calls", fend + 46);
    expect_error(&c, want);
    c.n = fend;
    put(&c, 'T', 1);
    put(&c, 0, 8);
    expect_error(&c, "T record with 0 calls");
    c.n = fend;
    put(&c, 'T', 1);
    put(&c, 5, 8);
    put(&c, 'C', 1);
    expect_error(&c, "1 bytes after the T record");
}

TEST(trace_random_bytes_never_crash) {
    /* a cheap stand-in for the fuzzer in the unit run: mutate the sample byte by byte */
    Bytes base = sample();
    unsigned x = 12345;
    for (int round = 0; round < 3000; round++) {
        Bytes b = base;
        for (int k = 0; k < 3; k++) {
            x = x * 1103515245u + 12345u;
            b.d[(x >> 8) % b.n] = (unsigned char)(x >> 20);
        }
        TrFile t;
        char err[200];
        if (load(&b, b.n, &t, err) == 0) {
            for (size_t i = 1; i < t.ncalls; i++) CHECK(t.calls[i - 1].seq < t.calls[i].seq);
            for (size_t i = 0; i < t.ncalls; i++) CHECK(t.calls[i].fid < t.nfuncs);
            tr_free(&t);
        } else {
            CHECK(strncmp(err, "offset ", 7) == 0);
        }
    }
}

/* Version 2: X (cache_clear) and B (test boundary) records. */
static void str(Bytes *b, const char *s) {
    put(b, strlen(s), 2);
    memcpy(b->d + b->n, s, strlen(s));
    b->n += strlen(s);
}
static void clear(Bytes *b, uint32_t fid, uint64_t seq, int origin, const char *nodeid) {
    put(b, 'X', 1);
    put(b, fid, 4);
    put(b, seq, 8);
    put(b, (uint64_t)origin, 1);
    str(b, nodeid);
}
static void bound(Bytes *b, int phase, uint64_t seq, const char *nodeid) {
    put(b, 'B', 1);
    put(b, (uint64_t)phase, 1);
    put(b, seq, 8);
    str(b, nodeid);
}
static Bytes sample2(void) {
    Bytes b = {.n = 0};
    header(&b, 7, 50);
    b.d[4] = 2;
    func(&b, 0, 3, TR_CACHE, "/r/m.py", "price");
    bound(&b, TR_TEST_START, 1, "t.py::a");
    clear(&b, 0, 2, TR_CLEAR_FIXTURE, "t.py::a");
    call(&b, 0, 3, 0, 1, 100, 1, 0);
    clear(&b, 0, 5, TR_CLEAR_CODE, "t.py::a"); /* written out of seq order: sorted on reading */
    clear(&b, 0, 4, TR_CLEAR_TEST, "t.py::a");
    bound(&b, TR_TEST_END, 6, "t.py::a");
    clear(&b, 0, 7, TR_CLEAR_UNKNOWN, "");
    return b;
}

TEST(trace_v2_clears_and_tests) {
    Bytes b = sample2();
    TrFile t;
    char err[200];
    CHECK(load(&b, b.n, &t, err) == 0);
    CHECK(t.version == 2 && t.ncalls == 1 && t.nclears == 4 && t.nbounds == 2);
    if (t.nclears == 4) {
        CHECK(t.clears[0].seq == 2 && t.clears[0].origin == TR_CLEAR_FIXTURE && !strcmp(t.clears[0].nodeid, "t.py::a"));
        CHECK(t.clears[1].seq == 4 && t.clears[1].origin == TR_CLEAR_TEST);
        CHECK(t.clears[2].seq == 5 && t.clears[2].origin == TR_CLEAR_CODE);
        CHECK(t.clears[3].seq == 7 && t.clears[3].origin == TR_CLEAR_UNKNOWN && t.clears[3].nodeid[0] == 0);
    }
    if (t.nbounds == 2) CHECK(t.bounds[0].phase == TR_TEST_START && t.bounds[1].phase == TR_TEST_END && t.bounds[1].seq == 6);
    tr_free(&t);
    /* every cut that is not a record boundary is rejected, nothing leaks */
    size_t ok = 0;
    for (size_t n = 0; n < b.n; n++) {
        if (load(&b, n, &t, err) == 0) {
            ok++;
            tr_free(&t);
        } else CHECK(strncmp(err, "offset ", 7) == 0);
    }
    CHECK(ok == 8); /* header, then after each of the 8 records but the last */
}

TEST(trace_v2_garbage_rejected) {
    Bytes b = sample2();
    b.d[4] = 1; /* the records need version 2 */
    expect_error(&b, "B record in a version 1 file");
    b = (Bytes){.n = 0};
    header(&b, 7, 0);
    b.d[4] = 2;
    func(&b, 0, 3, TR_CACHE, "/r/m.py", "price");
    size_t base = b.n;
    clear(&b, 1, 2, 0, "");
    expect_error(&b, "X record for fid 1, but 1 functions");
    b.n = base;
    clear(&b, 0, 0, 0, "");
    expect_error(&b, "X record with seq 0");
    b.n = base;
    clear(&b, 0, 2, 4, "");
    expect_error(&b, "X record origin 4");
    b.n = base;
    bound(&b, 2, 2, "");
    expect_error(&b, "B record phase 2");
    b.n = base;
    bound(&b, 0, 0, "");
    expect_error(&b, "B record with seq 0");
    b.n = base;
    bound(&b, 0, 3, "a");
    b.d[b.n - 1] = 0;
    expect_error(&b, "node id contains a NUL byte");
}
