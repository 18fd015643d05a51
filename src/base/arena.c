/* arena.c - bump allocator with geometrically growing chunks. */
#include "arena.h"
#include "xalloc.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ArenaChunk {
    ArenaChunk *prev;
    size_t used, cap;
    max_align_t data[];
};

void arena_init(Arena *a) { a->cur = NULL; a->total = 0; }

void *arena_alloc(Arena *a, size_t n) {
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) & ~(align - 1);
    if (n == 0) n = align;
    ArenaChunk *c = a->cur;
    if (!c || c->cap - c->used < n) {
        size_t cap = c ? c->cap * 2 : 64 * 1024;
        if (cap > 16u << 20) cap = 16u << 20;
        if (cap < n) cap = n;
        /* chunks come zeroed (fresh pages for big ones), so allocations need no memset */
        ArenaChunk *nc = xcalloc(1, sizeof(ArenaChunk) + cap);
        nc->prev = c;
        nc->used = 0;
        nc->cap = cap;
        a->total += sizeof(ArenaChunk) + cap;
        a->cur = c = nc;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    if (n) memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void arena_free(Arena *a) {
    if (!a) return;
    ArenaChunk *c = a->cur;
    while (c) {
        ArenaChunk *p = c->prev;
        free(c);
        c = p;
    }
    a->cur = NULL;
    a->total = 0;
}
