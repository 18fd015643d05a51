/* test_tcurve.c - per-function curves from hand-built traces: hits and savings by size, calls
 * nested under a hit avoided (recursion and another traced function), overhead, consistency,
 * the suggested maxsize rule. */
#include <stdlib.h>
#include <string.h>
#include "../../src/runtime/tcurve.h"
#include "unit.h"

static TrFunc FUNCS[2] = {{.file = "/r/m.py", .qualname = "f", .line = 3, .kind = TR_CANDIDATE},
                          {.file = "/r/m.py", .qualname = "g", .line = 9, .kind = TR_CANDIDATE}};

static TrFile trace(TrCall *calls, size_t n, uint32_t overhead) {
    TrFile t = {.pid = 1, .overhead_ns = overhead, .funcs = FUNCS, .nfuncs = 2, .calls = calls, .ncalls = n};
    return t;
}

TEST(tcurve_flat) {
    /* f: 1 2 1 2 1, 100 ns each, no nesting */
    TrCall c[5];
    uint64_t keys[] = {1, 2, 1, 2, 1};
    for (int i = 0; i < 5; i++) c[i] = (TrCall){.fid = 0, .seq = (uint64_t)i + 1, .key_hash = keys[i], .duration_ns = 100, .result_fp = keys[i] * 7};
    TrFile t = trace(c, 5, 0);
    TcSet set = {0};
    tc_add(&set, &t, NULL, NULL);
    CHECK(set.nfuncs == 2 && set.funcs[1].calls == 0); /* g is listed, never called */
    const TcFunc *f = &set.funcs[0];
    CHECK(f->calls == 5 && f->distinct == 2 && f->len == 3 && f->inconsistent == 0);
    CHECK(tc_hits(f, 1) == 0 && tc_hits(f, 2) == 3 && tc_hits(f, TC_UNBOUNDED) == 3 && tc_hits(f, 99) == 3);
    CHECK(tc_net_ns(f, 2) == 300);
    CHECK(tc_hit_rate(f, 2) == 60.0);
    CHECK(set.root_ns == 500 && f->duration_ns == 500);
    /* closed (no new key in the second half) and 2 keys: unbounded */
    CHECK(tc_suggest(f, 0.95, 16, 128) == TC_UNBOUNDED);
    CHECK(tc_suggest(f, 0.95, 1, 1) == 2);
    tc_set_free(&set);
    /* overhead: hit costs 10, miss 20: at size 2, 3 hits 2 misses -> 300 - 30 - 40 */
    t = trace(c, 5, 10);
    tc_add(&set, &t, NULL, NULL);
    CHECK(tc_net_ns(&set.funcs[0], 2) == 230);
    /* a second process adds its own stream */
    tc_add(&set, &t, NULL, NULL);
    CHECK(set.nfuncs == 2 && set.funcs[0].calls == 10 && tc_hits(&set.funcs[0], 2) == 6 && set.funcs[0].distinct == 4);
    tc_set_free(&set);
}

TEST(tcurve_nested_recursion) {
    /* f(A) [f(B)], f(A) [f(B)]: the second f(A) hits from size 2; its child is then avoided,
     * neither a hit nor a saving of its own */
    TrCall c[4] = {
        {.fid = 0, .seq = 1, .parent_seq = 0, .key_hash = 10, .duration_ns = 1000, .result_fp = 1},
        {.fid = 0, .seq = 2, .parent_seq = 1, .key_hash = 20, .duration_ns = 600, .result_fp = 2},
        {.fid = 0, .seq = 3, .parent_seq = 0, .key_hash = 10, .duration_ns = 1000, .result_fp = 1},
        {.fid = 0, .seq = 4, .parent_seq = 3, .key_hash = 20, .duration_ns = 600, .result_fp = 2},
    };
    TrFile t = trace(c, 4, 0);
    TcSet set = {0};
    tc_add(&set, &t, NULL, NULL);
    const TcFunc *f = &set.funcs[0];
    CHECK(tc_hits(f, 1) == 0 && tc_avoided(f, 1) == 0);
    CHECK(tc_hits(f, 2) == 1 && tc_avoided(f, 2) == 1);
    CHECK(tc_net_ns(f, 2) == 1000);
    CHECK(f->duration_ns == 2000); /* nested same-function time is inside the parent's */
    tc_set_free(&set);
}

static int64_t g_cached(const TcFunc *f, void *ctx) {
    (void)ctx;
    return strcmp(f->qualname, "g") == 0 ? TC_UNBOUNDED : 0;
}

TEST(tcurve_nested_other_function) {
    /* g(1)[f(5)], g(1)[f(5)]: f's second call hits at size 1; with g cached it never happens */
    TrCall c[4] = {
        {.fid = 1, .seq = 1, .key_hash = 1, .duration_ns = 900, .result_fp = 3},
        {.fid = 0, .seq = 2, .parent_seq = 1, .key_hash = 5, .duration_ns = 500, .result_fp = 4},
        {.fid = 1, .seq = 3, .key_hash = 1, .duration_ns = 900, .result_fp = 3},
        {.fid = 0, .seq = 4, .parent_seq = 3, .key_hash = 5, .duration_ns = 500, .result_fp = 4},
    };
    TrFile t = trace(c, 4, 0);
    TcSet set = {0};
    tc_add(&set, &t, NULL, NULL);
    CHECK(set.nfuncs == 2);
    CHECK(tc_hits(&set.funcs[0], 1) == 1 && tc_net_ns(&set.funcs[0], 1) == 500);
    tc_set_free(&set);
    tc_add(&set, &t, g_cached, NULL);
    CHECK(tc_hits(&set.funcs[0], 1) == 0 && tc_avoided(&set.funcs[0], 1) == 1);
    CHECK(tc_hits(&set.funcs[1], 1) == 1 && tc_net_ns(&set.funcs[1], 1) == 900);
    tc_set_free(&set);
}

TEST(tcurve_consistency_and_flags) {
    TrCall c[4] = {
        {.fid = 0, .seq = 1, .key_hash = 1, .duration_ns = 10, .result_fp = 3},
        {.fid = 0, .seq = 2, .key_hash = 1, .duration_ns = 10, .result_fp = 4}, /* same key, other result */
        {.fid = 0, .seq = 3, .key_hash = 2, .duration_ns = 10, .flags = TR_RAISED},
        {.fid = 0, .seq = 4, .key_hash = 0, .duration_ns = 10, .flags = TR_UNHASHABLE},
    };
    TrFile t = trace(c, 4, 0);
    TcSet set = {0};
    tc_add(&set, &t, NULL, NULL);
    const TcFunc *f = &set.funcs[0];
    CHECK(f->inconsistent == 1 && f->raised == 1 && f->unhashable == 1 && f->distinct == 2);
    CHECK(tc_hit_rate(f, TC_UNBOUNDED) > 33.3 && tc_hit_rate(f, TC_UNBOUNDED) < 33.4);
    tc_set_free(&set);
    tc_set_free(NULL);
}

TEST(tcurve_suggest_rule) {
    /* keys 0..199 cycling (a working set of 200, open: new keys until the end? no: closed),
     * then 50 new keys at the end: open; the curve jumps at 200 */
    size_t n = 2250;
    TrCall *c = calloc(n, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = i < 2000 ? i % 200 : 1000 + i;
        c[i] = (TrCall){.fid = 0, .seq = i + 1, .key_hash = k, .duration_ns = 1000, .result_fp = k};
    }
    TrFile t = trace(c, n, 5);
    TcSet set = {0};
    tc_add(&set, &t, NULL, NULL);
    const TcFunc *f = &set.funcs[0];
    CHECK(!f->closed);
    CHECK(tc_suggest(f, 0.95, 16, 128) == 200);
    CHECK(tc_suggest(f, 0.95, 500, 128) == 500);
    CHECK(tc_hits(f, 199) == 0 && tc_hits(f, 200) == 1800);
    tc_set_free(&set);
    free(c);
}

/* cache_clear() calls (X records): in production mode the tests' and fixtures' clears are left
 * out, the code's and unknown ones empty the cache; in measured mode every one does. */
TEST(tcurve_clears) {
    /* f: keys 1 2 | clear(fixture) | 1 2 | clear(code) | 1 2 | clear(test) | 1 2 | clear(unknown) | 1 */
    TrCall c[9];
    TrClear x[4] = {{0, TR_CLEAR_FIXTURE, 3, (char *)""}, {0, TR_CLEAR_CODE, 6, (char *)""},
                    {0, TR_CLEAR_TEST, 9, (char *)""}, {0, TR_CLEAR_UNKNOWN, 12, (char *)""}};
    uint64_t seqs[] = {1, 2, 4, 5, 7, 8, 10, 11, 13};
    for (int i = 0; i < 9; i++) c[i] = (TrCall){.fid = 0, .seq = seqs[i], .key_hash = (uint64_t)(i % 2) + 1, .duration_ns = 100, .result_fp = 5};
    TrFile t = trace(c, 9, 0);
    t.clears = x;
    t.nclears = 4;
    TcSet prod = {0}, meas = {.clears = TC_CLEARS_MEASURED};
    tc_add(&prod, &t, NULL, NULL);
    tc_add(&meas, &t, NULL, NULL);
    const TcFunc *p = &prod.funcs[0], *m = &meas.funcs[0];
    CHECK(p->clears[TR_CLEAR_CODE] == 1 && p->clears[TR_CLEAR_TEST] == 1 && p->clears[TR_CLEAR_FIXTURE] == 1 &&
          p->clears[TR_CLEAR_UNKNOWN] == 1 && m->clears[TR_CLEAR_FIXTURE] == 1);
    /* production: epochs [1 2 1 2] [1 2 1 2] [1]: 4 hits unbounded; at size 1 none */
    CHECK(tc_hits(p, TC_UNBOUNDED) == 4 && tc_hits(p, 1) == 0 && tc_hits(p, 2) == 4);
    /* measured: every clear empties the cache: no key repeats within an epoch */
    CHECK(tc_hits(m, TC_UNBOUNDED) == 0);
    /* no clears: the old behaviour, 7 hits */
    t.nclears = 0;
    TcSet none = {0};
    tc_add(&none, &t, NULL, NULL);
    CHECK(tc_hits(&none.funcs[0], TC_UNBOUNDED) == 7);
    tc_set_free(&prod);
    tc_set_free(&meas);
    tc_set_free(&none);
}

/* A process with fewer keys than the curve is long adds its totals to every larger size, as
 * pending differences (not by walking the whole curve): the same numbers as adding them
 * entry by entry, here against the first process's own curve plus constants. */
TEST(tcurve_short_process_after_long) {
    enum { N = 1000 };
    TrCall *c = calloc(N, sizeof *c);
    for (int i = 0; i < N; i++) /* keys 0..499 twice: hits at every size from 500 on */
        c[i] = (TrCall){.fid = 0, .seq = (uint64_t)i + 1, .key_hash = (uint64_t)(i % 500), .duration_ns = 10, .result_fp = 1};
    TrFile t = trace(c, N, 1);
    TcSet set = {0};
    tc_add(&set, &t, NULL, NULL);
    const TcFunc *f = &set.funcs[0];
    uint64_t h499 = tc_hits(f, 499), h500 = tc_hits(f, 500);
    double n500 = tc_net_ns(f, 500), n2 = tc_net_ns(f, 2);
    CHECK(h499 == 0 && h500 == 500 && f->len == 501);
    /* a short process: f(7) f(7) -> 1 hit at every size from 1 on */
    TrCall s[2] = {{.fid = 0, .seq = 1, .key_hash = 7, .duration_ns = 100, .result_fp = 1},
                   {.fid = 0, .seq = 2, .key_hash = 7, .duration_ns = 100, .result_fp = 1}};
    TrFile u = trace(s, 2, 1);
    for (int k = 0; k < 3; k++) tc_add(&set, &u, NULL, NULL);
    f = &set.funcs[0];
    /* per process: hit 100 ns - overhead (1 hit x 1 + 1 miss x 2) = 97 at sizes >= 1 */
    CHECK(tc_hits(f, 1) == 3 && tc_hits(f, 499) == 3 && tc_hits(f, 500) == h500 + 3);
    CHECK(tc_hits(f, TC_UNBOUNDED) == h500 + 3 && tc_hits(f, 100000) == h500 + 3);
    CHECK(tc_net_ns(f, 500) == n500 + 3 * 97.0 && tc_net_ns(f, 2) == n2 + 3 * 97.0);
    CHECK(tc_net_ns(f, 0) == -2.0 * N - 3 * 4.0);
    /* then a longer one again: the pending sums are applied before the curve grows */
    TrCall *l = calloc(2 * N, sizeof *l);
    for (int i = 0; i < 2 * N; i++)
        l[i] = (TrCall){.fid = 0, .seq = (uint64_t)i + 1, .key_hash = (uint64_t)(i % N), .duration_ns = 10, .result_fp = 1};
    TrFile w = trace(l, 2 * N, 0);
    tc_add(&set, &w, NULL, NULL);
    f = &set.funcs[0];
    CHECK(f->len == N + 1 && tc_hits(f, 499) == 3 && tc_hits(f, 500) == h500 + 3 && tc_hits(f, N) == h500 + 3 + N);
    tc_set_free(&set);
    free(c);
    free(l);
}
