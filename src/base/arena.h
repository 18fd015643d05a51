/* arena.h - bump allocator: one per parsed file; freeing the arena frees every object in it.
 * Objects are never freed one by one. */
#ifndef GLINTEFY_ARENA_H
#define GLINTEFY_ARENA_H
#include <stddef.h>

typedef struct ArenaChunk ArenaChunk;
/* Invariant: `cur` is the chunk being filled; chunks form a list through `prev`. */
typedef struct Arena {
    ArenaChunk *cur;
    size_t total; /* bytes obtained for chunks (address space), for memory figures */
    size_t first; /* size of the first chunk (0: 64 KiB) */
} Arena;

void arena_init(Arena *a);
/* Like arena_init, with a first chunk of `first` bytes: for the many small arenas that outlive a
 * file (its facts), where 64 KiB each would be most of the process's memory. */
void arena_init_sized(Arena *a, size_t first);
/* Returns zeroed memory aligned to 8 bytes (enough for pointers, sizes and doubles); aborts on
 * out-of-memory. */
void *arena_alloc(Arena *a, size_t n);
/* Makes the next n bytes of allocations come from one chunk (a hint, to avoid growing chunk by
 * chunk when the size is known roughly). */
void arena_reserve(Arena *a, size_t n);
/* Returns the bytes handed out so far (the memory the objects really use). */
size_t arena_used(const Arena *a);
/* Returns a copy of s[0..n) with a NUL after it, owned by the arena. */
char *arena_strndup(Arena *a, const char *s, size_t n);
/* Forgets every object but keeps the largest chunk (zeroed again) for the next user: a worker
 * that parses file after file reuses warm memory instead of faulting in fresh pages. */
void arena_reset(Arena *a);
/* Frees every chunk; the arena may be reused after arena_init. arena_free(NULL) is allowed. */
void arena_free(Arena *a);

#endif
