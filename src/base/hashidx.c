/* hashidx.c - growth of the hash index; lookups are inline in hashidx.h. */
#include "hashidx.h"
#include <stdlib.h>
#include "xalloc.h"

void hashidx_reserve(HashIdx *h, size_t extra) {
    size_t need = (h->len + extra) * 2;
    if (need <= h->cap) return;
    size_t cap = h->cap ? h->cap : 16;
    while (cap < need) cap *= 2;
    uint64_t *hash = xmalloc(cap * sizeof *hash);
    uint32_t *val = xmalloc(cap * sizeof *val);
    for (size_t i = 0; i < cap; i++) val[i] = HASHIDX_NONE;
    for (size_t i = 0; i < h->cap; i++) {
        if (h->val[i] == HASHIDX_NONE) continue;
        size_t j = (size_t)h->hash[i] & (cap - 1);
        while (val[j] != HASHIDX_NONE) j = (j + 1) & (cap - 1);
        hash[j] = h->hash[i];
        val[j] = h->val[i];
    }
    free(h->hash);
    free(h->val);
    h->hash = hash;
    h->val = val;
    h->cap = cap;
}

void hashidx_free(HashIdx *h) {
    free(h->hash);
    free(h->val);
    h->hash = NULL;
    h->val = NULL;
    h->cap = h->len = 0;
}
