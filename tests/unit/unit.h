/* unit.h - a tiny test runner. Write `TEST(name) { CHECK(expr); ... }` in any .c file of tests/unit;
 * the Makefile lists every TEST into build/unit/list.h and main.c runs them all, printing
 * "ok NAME" or "FAIL NAME: file:line: expr" per test. */
#ifndef GLINTEFY_UNIT_H
#define GLINTEFY_UNIT_H
#include <stdio.h>

extern int unit_failed; /* set by CHECK in the running test */
#define TEST(name) void unit_test_##name(void); void unit_test_##name(void)
#define CHECK(expr)                                                                  \
    do {                                                                             \
        if (!(expr)) {                                                               \
            fprintf(stdout, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #expr); \
            unit_failed = 1;                                                         \
        }                                                                            \
    } while (0)
#endif
