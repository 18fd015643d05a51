/* uni_driver.c - line-oriented front to unicode.c for check_unicode.py. Input lines:
 * "X <cp hex>" -> "<xid_start> <xid_continue> <printable>", "K <utf-8 as hex>" -> NFKC as hex
 * (prefixed "=" when the input itself came back), "N <name>" -> code point in hex or -1. */
#include "../../src/syntax/unicode.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    static char line[1 << 16];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\n");
        line[n] = 0;
        if (line[0] == 'X') {
            uint32_t cp = (uint32_t)strtoul(line + 2, NULL, 16);
            printf("%d %d %d\n", uni_is_xid_start(cp), uni_is_xid_continue(cp), uni_is_printable(cp));
        } else if (line[0] == 'K') {
            size_t hn = (n - 2) / 2;
            char *s = malloc(hn + 1);
            for (size_t i = 0; i < hn; i++) {
                unsigned v;
                sscanf(line + 2 + 2 * i, "%2x", &v);
                s[i] = (char)v;
            }
            Arena a;
            arena_init(&a);
            Str r = uni_nfkc(&a, s, hn);
            if (r.s == s) printf("=");
            for (size_t i = 0; i < r.len; i++) printf("%02x", (unsigned char)r.s[i]);
            printf("\n");
            arena_free(&a);
            free(s);
        } else {
            int32_t cp = uni_lookup_name(line + 2, n - 2);
            if (cp < 0) printf("-1\n"); else printf("%X\n", (unsigned)cp);
        }
    }
    return 0;
}
