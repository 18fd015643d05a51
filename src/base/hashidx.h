/* hashidx.h - an open-addressing hash index: maps keys, identified by a 64-bit hash and an
 * equality callback, to uint32 values (usually positions in an Array). The index stores no keys:
 * the caller's arrays do. Linear probing, power-of-two capacity, at most half full. */
#ifndef GLINTEFY_HASHIDX_H
#define GLINTEFY_HASHIDX_H
#include <stddef.h>
#include <stdint.h>

enum { HASHIDX_NONE = UINT32_MAX };

/* Invariant: cap is 0 or a power of two; len <= cap / 2; an empty slot has val HASHIDX_NONE. */
typedef struct HashIdx {
    uint64_t *hash;
    uint32_t *val;
    size_t cap, len;
} HashIdx;

/* Makes room for `extra` more values without growing during the next `extra` inserts. */
void hashidx_reserve(HashIdx *h, size_t extra);
/* Frees the slots; the index may be reused. hashidx_free on a zeroed index is allowed. */
void hashidx_free(HashIdx *h);

/* Returns the value whose key `eq(ctx, value)` says equal, or inserts `val` under `hash` and
 * returns it when there is none. */
static inline uint32_t hashidx_get_or_add(HashIdx *h, uint64_t hash, uint32_t val,
                                          int (*eq)(const void *ctx, uint32_t v), const void *ctx) {
    hashidx_reserve(h, 1);
    size_t mask = h->cap - 1, i = (size_t)hash & mask;
    for (; h->val[i] != HASHIDX_NONE; i = (i + 1) & mask)
        if (h->hash[i] == hash && eq(ctx, h->val[i])) return h->val[i];
    h->hash[i] = hash;
    h->val[i] = val;
    h->len++;
    return val;
}

/* Returns the value for the key, or HASHIDX_NONE. */
static inline uint32_t hashidx_find(const HashIdx *h, uint64_t hash,
                                    int (*eq)(const void *ctx, uint32_t v), const void *ctx) {
    if (!h->cap) return HASHIDX_NONE;
    size_t mask = h->cap - 1, i = (size_t)hash & mask;
    for (; h->val[i] != HASHIDX_NONE; i = (i + 1) & mask)
        if (h->hash[i] == hash && eq(ctx, h->val[i])) return h->val[i];
    return HASHIDX_NONE;
}

#endif
