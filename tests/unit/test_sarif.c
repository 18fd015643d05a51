/* SARIF pieces (src/report/sarif.c): every code has help and a level; fingerprints ignore
 * positions and tell codes, files, functions, related files and occurrences apart. */
#include <string.h>
#include "../../src/report/sarif.h"
#include "unit.h"

TEST(sarif_every_code_has_help) {
    for (int k = 0; k < AN__ISSUE_COUNT; k++) {
        CHECK(strlen(sarif_rule_help((AnIssueKind)k)) > 60);
        const char *l = sarif_level((AnIssueKind)k);
        CHECK(!strcmp(l, "note") || !strcmp(l, "warning") || !strcmp(l, "error"));
    }
    CHECK(!strcmp(sarif_level(AN_C_MUTATED_RESULT), "error"));
    CHECK(!strcmp(sarif_level(AN_P_IO), "note"));
}

TEST(sarif_fingerprints) {
    SarifResult a = {AN_C_MUTABLE_RETURN, "pkg/a.py", "items", "x", 17, 4, NULL, 0, 0};
    SarifResult b = a;
    char fa[17], fb[17];
    sarif_fingerprint(&a, 0, fa);
    b.line = 40;
    b.col = 8;
    b.detail = "moved";
    sarif_fingerprint(&b, 0, fb);
    CHECK(strlen(fa) == 16 && !strcmp(fa, fb)); /* positions and detail do not count */
    sarif_fingerprint(&a, 1, fb);
    CHECK(strcmp(fa, fb) != 0); /* occurrence does */
    b = a;
    b.kind = AN_C_MUTATED_RESULT;
    sarif_fingerprint(&b, 0, fb);
    CHECK(strcmp(fa, fb) != 0);
    b = a;
    b.file = "pkg/b.py";
    sarif_fingerprint(&b, 0, fb);
    CHECK(strcmp(fa, fb) != 0);
    b = a;
    b.qualname = "items2";
    sarif_fingerprint(&b, 0, fb);
    CHECK(strcmp(fa, fb) != 0);
    b = a;
    b.other_file = "pkg/use.py";
    sarif_fingerprint(&b, 0, fb);
    CHECK(strcmp(fa, fb) != 0);
    /* the parts are separated: "pkg/a.py" + "items" differs from "pkg/a.pyi" + "tems" */
    b = a;
    b.file = "pkg/a.pyi";
    b.qualname = "tems";
    sarif_fingerprint(&b, 0, fb);
    CHECK(strcmp(fa, fb) != 0);
}
