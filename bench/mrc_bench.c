/* mrc_bench.c - the miss-ratio curve of a Zipf trace (docs/curves.md's generator): times the
 * exact curve and SHARDS at 1%, prints them as one JSON line, and writes the keys (raw uint64,
 * little-endian) to KEYFILE so that bench/mrc_bench.py can simulate one size in Python on the
 * very same trace. Usage: mrc-bench N KEYS ALPHA SEED KEYFILE SIZE... */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "../src/runtime/mrc.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: mrc-bench N KEYS ALPHA SEED KEYFILE SIZE...\n");
        return 2;
    }
    size_t n = strtoull(argv[1], NULL, 10);
    uint64_t nkeys = strtoull(argv[2], NULL, 10);
    double alpha = strtod(argv[3], NULL);
    uint64_t seed = strtoull(argv[4], NULL, 10);
    uint64_t *keys = malloc(n * sizeof *keys);
    if (!keys) return 1;
    double t0 = now();
    mrc_zipf_keys(n, nkeys, alpha, seed, keys);
    double t_gen = now() - t0;
    FILE *f = fopen(argv[5], "wb");
    if (!f || fwrite(keys, sizeof *keys, n, f) != n || fclose(f)) {
        perror(argv[5]);
        return 1;
    }
    MrcCurve ex, ap;
    double best = 1e9;
    for (int run = 0; run < 3; run++) {
        t0 = now();
        mrc_curve(keys, n, &ex);
        double t = now() - t0;
        if (t < best) best = t;
        if (run < 2) mrc_curve_free(&ex);
    }
    t0 = now();
    mrc_curve_shards(keys, n, 0.01, &ap);
    double t_shards = now() - t0;
    double maxe = 0, sum = 0;
    for (uint64_t s = 1; s <= ex.distinct; s++) {
        double e = mrc_miss_ratio(&ex, s) - mrc_miss_ratio(&ap, s);
        e = e < 0 ? -e : e;
        if (e > maxe) maxe = e;
        sum += e;
    }
    printf("{\"requests\": %zu, \"distinct\": %llu, \"generate_s\": %.3f, \"curve_s\": %.4f, \"shards_s\": %.4f, "
           "\"shards_max_error\": %.4f, \"shards_mean_error\": %.5f, \"points\": {",
           n, (unsigned long long)ex.distinct, t_gen, best, t_shards, maxe, ex.distinct ? sum / (double)ex.distinct : 0);
    for (int i = 6; i < argc; i++) {
        uint64_t s = strtoull(argv[i], NULL, 10);
        printf("%s\"%llu\": {\"hits\": %llu, \"miss_ratio\": %.7f}", i > 6 ? ", " : "", (unsigned long long)s,
               (unsigned long long)mrc_hits_at(&ex, s), mrc_miss_ratio(&ex, s));
    }
    printf("}}\n");
    mrc_curve_free(&ex);
    mrc_curve_free(&ap);
    free(keys);
    return 0;
}
