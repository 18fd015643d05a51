/* test_arena.c - the bump allocator: alignment, zeroing, growth, strndup, reset, free. */
#include <stdint.h>
#include <string.h>
#include "../../src/base/arena.h"
#include "unit.h"

TEST(arena_alloc_aligned_and_zeroed) {
    Arena a;
    arena_init(&a);
    for (size_t n = 0; n < 100; n++) {
        unsigned char *p = arena_alloc(&a, n);
        CHECK(p != NULL);
        CHECK((uintptr_t)p % 8 == 0);
        for (size_t i = 0; i < n; i++) CHECK(p[i] == 0);
        memset(p, 0xAB, n);
    }
    arena_free(&a);
}

TEST(arena_grows_for_large_objects) {
    Arena a;
    arena_init(&a);
    char *small = arena_alloc(&a, 16);
    char *big = arena_alloc(&a, 40u << 20); /* larger than the biggest chunk */
    CHECK(small && big);
    big[(40u << 20) - 1] = 1;
    CHECK(a.total >= (40u << 20));
    for (int i = 0; i < 1000; i++) CHECK(arena_alloc(&a, 1000) != NULL);
    arena_free(&a);
    CHECK(a.cur == NULL && a.total == 0);
}

TEST(arena_strndup_copies_with_nul) {
    Arena a;
    arena_init(&a);
    char *s = arena_strndup(&a, "hello\0world", 11);
    CHECK(memcmp(s, "hello\0world", 11) == 0 && s[11] == 0);
    char *e = arena_strndup(&a, NULL, 0);
    CHECK(e && e[0] == 0);
    arena_free(&a);
    arena_free(NULL);
}

TEST(arena_reset_keeps_largest_chunk_zeroed) {
    Arena a;
    arena_init_sized(&a, 1024);
    for (int i = 0; i < 200; i++) memset(arena_alloc(&a, 100), 0xCD, 100); /* several chunks */
    size_t before = a.total;
    CHECK(before > 1024);
    arena_reset(&a);
    CHECK(arena_used(&a) == 0);
    CHECK(a.total > 0 && a.total < before);
    /* every byte handed out again is zero, across the kept chunk and new ones */
    for (int i = 0; i < 400; i++) {
        unsigned char *p = arena_alloc(&a, 100);
        for (int k = 0; k < 100; k++) CHECK(p[k] == 0);
    }
    arena_reset(&a);
    arena_free(&a);
    Arena empty;
    arena_init(&empty);
    arena_reset(&empty); /* nothing to keep */
    CHECK(empty.cur == NULL && empty.total == 0);
}
