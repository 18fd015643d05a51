/* lit_driver.c - line-oriented front to lit_number/lit_decode for check_literals.py.
 * Input lines: "N <literal text>" or "S <flags> <body as hex>". Output one line per input:
 * "OK <kind> <text>" / "OK <hex>", or "ERR <offset> <message>". */
#include "../../src/syntax/lit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_hex(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) printf("%02x", (unsigned char)s[i]);
}

int main(void) {
    static char line[1 << 20];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\n");
        line[n] = 0;
        Arena a;
        arena_init(&a);
        const char *msg;
        Str out;
        if (line[0] == 'N') {
            LitNumKind k;
            if (lit_number(&a, line + 2, n - 2, &k, &out, &msg) == 0)
                printf("OK %s %.*s\n", k == LIT_INT ? "int" : k == LIT_FLOAT ? "float" : "imag",
                       (int)out.len, out.s);
            else
                printf("ERR 0 %s\n", msg);
        } else {
            char *p;
            unsigned flags = (unsigned)strtoul(line + 2, &p, 10);
            p++;
            size_t hn = strlen(p) / 2;
            char *body = malloc(hn + 1);
            for (size_t i = 0; i < hn; i++) {
                unsigned v;
                sscanf(p + 2 * i, "%2x", &v);
                body[i] = (char)v;
            }
            size_t off;
            if (lit_decode(&a, body, hn, flags, &out, &msg, &off) == 0) {
                printf("OK ");
                put_hex(out.s, out.len);
                printf("\n");
            } else {
                printf("ERR %zu %s\n", off, msg);
            }
            free(body);
        }
        arena_free(&a);
    }
    return 0;
}
