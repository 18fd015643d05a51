/* main.c - runs every TEST listed in build/unit/list.h (generated from the TEST lines of tests/unit).
 * Exit status 1 if any test failed. */
#include <string.h>
#include "unit.h"

int unit_failed;

#define X(name) void unit_test_##name(void);
#include "list.h"
#undef X

typedef struct UnitTest { const char *name; void (*fn)(void); } UnitTest;
static const UnitTest TESTS[] = {
#define X(name) {#name, unit_test_##name},
#include "list.h"
#undef X
    {NULL, NULL},
};

int main(int argc, char **argv) {
    int failures = 0;
    for (const UnitTest *t = TESTS; t->name; t++) {
        if (argc > 1 && strcmp(argv[1], t->name) != 0) continue;
        unit_failed = 0;
        t->fn();
        printf("%s %s\n", unit_failed ? "FAIL" : "ok", t->name);
        failures += unit_failed;
    }
    return failures ? 1 : 0;
}
