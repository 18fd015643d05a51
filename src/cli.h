/* cli.h - what every command of the command line shares: exit statuses and message forms. */
#ifndef GLINTEFY_CLI_H
#define GLINTEFY_CLI_H
#include <string.h>

enum { EXIT_REJECTED = 1, EXIT_USAGE = 2 };

/* Prints "glintefy: <message> (try '<hint>')" and returns EXIT_USAGE. */
int cli_usage_error(const char *hint, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline int cli_is_help(const char *a) { return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0; }
static inline const char *cli_display_name(const char *path) { return strcmp(path, "-") == 0 ? "<stdin>" : path; }

#endif
