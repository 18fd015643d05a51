/* mrc.h - LRU miss-ratio curves (docs/curves.md): the exact curve of a key stream from Mattson
 * stack distances (one pass, a Fenwick tree over time slots, O(N log N)), hits at every cache
 * size at once; and a SHARDS-style hash-sampled approximation for very long streams. */
#ifndef GLINTEFY_MRC_H
#define GLINTEFY_MRC_H
#include <stddef.h>
#include <stdint.h>

/* ---- stack distances, one access at a time ------------------------------------------------ */

/* The LRU stack of one key stream. Opaque; free with mrc_stack_free (NULL allowed). */
typedef struct MrcStack MrcStack;

/* A new, empty stack; expected_keys is a hint (0: unknown). Never NULL (aborts on no memory). */
MrcStack *mrc_stack_new(size_t expected_keys);
void mrc_stack_free(MrcStack *s);
/* Accesses `key` and returns its stack distance: the number of distinct keys accessed since its
 * previous access, itself included (1 = the key just used), or 0 on its first access (a cold
 * miss). An LRU cache of size c hits exactly the accesses with 1 <= distance <= c. */
uint64_t mrc_access(MrcStack *s, uint64_t key);
/* Distinct keys seen so far. */
size_t mrc_stack_distinct(const MrcStack *s);

/* ---- curves ------------------------------------------------------------------------------- */

/* Hits at every size. Invariant: hits[0] = 0, hits is non-decreasing, hits[distinct] is the
 * hits of an unbounded cache = requests - distinct (exact curve); sizes above distinct hit as
 * much as unbounded. Owns hits; free with mrc_curve_free (a zeroed curve may be freed). */
typedef struct MrcCurve {
    uint64_t requests;
    uint64_t distinct; /* exact; for a sampled curve, the estimate */
    uint64_t *hits;    /* distinct + 1 entries */
    double sample_rate; /* 1 for the exact curve */
} MrcCurve;

/* The exact curve of keys[0..n). */
void mrc_curve(const uint64_t *keys, size_t n, MrcCurve *out);
/* The curve from a histogram of distances: hist[d] accesses at distance d (1..distinct), plus
 * `cold` first accesses; hist is read, not kept. */
void mrc_curve_from_hist(const uint64_t *hist, uint64_t distinct, uint64_t requests, MrcCurve *out);
/* SHARDS (Waldspurger et al., FAST'15), fixed rate with the -adj correction: only keys whose
 * hash falls below rate * 2^24 are tracked; their distances are scaled by 1/rate and counted
 * 1/rate times; the shortfall of sampled requests against n * rate is added at the smallest
 * distance. rate in (0, 1]; rate 1 gives the exact curve. Error: see docs/curves.md. */
void mrc_curve_shards(const uint64_t *keys, size_t n, double rate, MrcCurve *out);
void mrc_curve_free(MrcCurve *c);

/* Hits of an LRU cache of `size` entries (size 0 hits nothing; size >= distinct: unbounded). */
uint64_t mrc_hits_at(const MrcCurve *c, uint64_t size);
/* Miss ratio at `size`: 1 - hits/requests (1 for an empty stream). */
double mrc_miss_ratio(const MrcCurve *c, uint64_t size);

/* The benchmark and test trace (docs/curves.md): n keys drawn from Zipf(alpha) over keys
 * 1..nkeys (P(k) proportional to 1/k^alpha), by inverse CDF (binary search in the cumulative
 * weights, summed in double from k = 1) over uniform numbers u = (splitmix64(seed) >> 11) * 2^-53.
 * Writes out[0..n). Deterministic for a given (n, nkeys, alpha, seed). */
void mrc_zipf_keys(size_t n, uint64_t nkeys, double alpha, uint64_t seed, uint64_t *out);

/* The 64-bit mixer used for hashing keys (splitmix64's finaliser); exposed for tests. */
static inline uint64_t mrc_mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

#endif
