/* source_driver.c - runs source_decode on each file named on the command line, for
 * check_source.py: prints "OK <decoded text as hex>" or "ERR <line> <message>" per file. */
#include "../../src/syntax/source.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) { perror(argv[i]); return 2; }
        Buf in = {0};
        char chunk[65536];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) buf_put(&in, chunk, k);
        fclose(f);
        Buf scratch = {0};
        const char *text, *msg;
        size_t len;
        int line;
        if (source_decode(in.data ? in.data : "", in.len, &scratch, &text, &len, &msg, &line) == 0) {
            printf("OK ");
            for (size_t j = 0; j < len; j++) printf("%02x", (unsigned char)text[j]);
            printf("\n");
        } else {
            printf("ERR %d %s\n", line, msg);
        }
        buf_free(&scratch);
        buf_free(&in);
    }
    return 0;
}
