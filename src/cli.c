/* cli.c - message helpers shared by the commands (main.c and each module's commands). */
#include "cli.h"
#include <stdarg.h>
#include <stdio.h>

int cli_usage_error(const char *hint, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("glintefy: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (try '%s')\n", hint);
    va_end(ap);
    return EXIT_USAGE;
}
