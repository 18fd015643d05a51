/* main.c - the glintefy command line: reads arguments and dispatches to commands.
 * Exit status: 0 success, 1 an input was rejected or could not be read, 2 usage error.
 * Commands are a table; each takes the arguments after its own name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/thread.h"
#include "base/xalloc.h"
#include "syntax/syntax.h"
#include "cli.h"
#include "mcp/mcp.h"
#include "analysis/facts_json.h"
#include "runtime/trace_cmd.h"
#include "profile/profile_cmd.h"
#include "review/check.h"
#include "review/cli.h"
#include "report/patch.h"
#include "version.h"
#include "base/clock.h"

enum { DEFAULT_PYMINOR = SYNTAX_PY_MAX };

typedef struct Command {
    const char *name;
    const char *synopsis; /* one line, shown in lists */
    const char *help;     /* full text for `glintefy help ...` */
    int (*run)(int argc, char **argv);
} Command;

static const char MAIN_HELP[] =
    "glintefy " GLINTEFY_VERSION " - finds the Python functions worth caching, with evidence.\n"
    "\n"
    "Usage: glintefy COMMAND [ARGS...]\n"
    "\n"
    "Commands:\n"
    "  check [OPTIONS] [PATH...]         report the hazards of existing caches; exit 1 if any (CI)\n"
    "  debug ast [--python X.Y] FILE     print FILE's syntax tree as JSON (- reads stdin)\n"
    "  debug parse [OPTIONS] FILE...     parse many files; report errors and speed\n"
    "  debug sources [--repo DIR]        list a repository's Python files, modules, parse status\n"
    "  debug config [--repo DIR]         show the review settings and where each came from\n"
    "  debug facts [--repo DIR | FILE...] print the static analysis facts of every function\n"
    "  debug trace FILE                  print a .gtr argument-key trace as JSON\n"
    "  help [COMMAND...]                 show help for a command\n"
    "  mcp [--repo DIR]                  serve the Model Context Protocol on stdio (AI assistants)\n"
    "  profile show|merge|hotspots ...   read, add and summarise cProfile .prof files\n"
    "  review [--repo DIR] SUBCOMMAND    review a repository's caches ('glintefy review --help')\n"
    "\n"
    "Options:\n"
    "  -h, --help       show this help\n"
    "  -V, --version    show the version\n"
    "\n"
    "Exit status: 0 success, 1 invalid or unreadable input, 2 usage error.\n";

static const char DEBUG_HELP[] =
    "Usage: glintefy debug SUBCOMMAND [ARGS...]\n"
    "\n"
    "Tools for looking inside glintefy:\n"
    "  ast [--python X.Y] FILE     print FILE's syntax tree as JSON (- reads stdin)\n"
    "  parse [OPTIONS] FILE...     parse many files; report errors and speed\n"
    "  sources [--repo DIR]        list a repository's Python files, modules, parse status\n"
    "  config [--repo DIR]         show the review settings and where each came from\n"
    "  facts [--repo DIR | FILE...] print the static analysis facts of every function (JSON)\n"
    "  trace FILE                  print a .gtr argument-key trace (review profile) as JSON\n"
    "  patch FILE ACTIONS          print FILE with cache actions (a JSON list) applied\n"
    "\n"
    "See 'glintefy help debug ast' and 'glintefy help debug parse'.\n";

static const char AST_HELP[] =
    "Usage: glintefy debug ast [--python X.Y] FILE\n"
    "\n"
    "Parses FILE (- reads stdin) and prints its syntax tree as one line of JSON, in the\n"
    "form of CPython's ast module (see docs/ast-json.md). On a syntax error prints\n"
    "FILE:LINE:COL: message on stderr, nothing on stdout, and exits with status 1.\n"
    "\n"
    "  --python X.Y   the Python version whose grammar and tree shapes are followed:\n"
    "                 3.8 to 3.14 (also written py311); default 3.14\n";

static const char PARSE_HELP[] =
    "Usage: glintefy debug parse [--python X.Y] [--quiet] [--time] [--dump] FILE...\n"
    "\n"
    "Parses every FILE in one process; @LIST reads file names from LIST, one a line.\n"
    "Syntax errors are reported as FILE:LINE:COL: message; the exit status is 1 if any\n"
    "file was rejected or unreadable.\n"
    "\n"
    "  --python X.Y   Python version, as for 'debug ast'; default 3.14\n"
    "  --quiet        do not report each rejected file\n"
    "  --time         print files, bytes, parse seconds, MB/s (10^6 bytes) and the arena\n"
    "                 bytes used by the largest file\n"
    "  --dump         also build each tree's JSON text (counted in the time)\n";

/* ---- option helpers ------------------------------------------------------------------ */

/* Parses "3.N" or "py3N" into the minor version; returns 0 if it is not one we follow. */
static int parse_pyversion(const char *s, int *minor) {
    const char *d;
    if (strncmp(s, "3.", 2) == 0) d = s + 2;
    else if (strncmp(s, "py3", 3) == 0) d = s + 3;
    else return 0;
    if (!*d || strlen(d) > 2) return 0;
    int v = 0;
    for (; *d; d++) {
        if (*d < '0' || *d > '9') return 0;
        v = v * 10 + (*d - '0');
    }
    if (v < SYNTAX_PY_MIN || v > SYNTAX_PY_MAX) return 0;
    *minor = v;
    return 1;
}

/* Recognises --python X.Y / --python=X.Y at argv[*i]. Returns 1 if consumed (advancing *i),
 * 0 if argv[*i] is another argument, -1 after printing a usage error. */
static int python_option(int argc, char **argv, int *i, int *minor, const char *hint) {
    const char *a = argv[*i], *val;
    if (strcmp(a, "--python") == 0) {
        if (*i + 1 >= argc) { cli_usage_error(hint, "--python needs a version such as 3.11"); return -1; }
        val = argv[++*i];
    } else if (strncmp(a, "--python=", 9) == 0) {
        val = a + 9;
    } else {
        return 0;
    }
    if (!parse_pyversion(val, minor)) {
        cli_usage_error(hint, "--python: unsupported version '%s'; use 3.%d to 3.%d", val,
                    SYNTAX_PY_MIN, SYNTAX_PY_MAX);
        return -1;
    }
    return 1;
}

/* ---- debug ast ----------------------------------------------------------------------- */

static int report_diag(const char *path, const SyntaxDiag *d) {
    fprintf(stderr, "%s:%d:%d: %s\n", cli_display_name(path), d->line, d->col, d->msg);
    return EXIT_REJECTED;
}

static int cmd_debug_ast(int argc, char **argv) {
    const char *hint = "glintefy help debug ast";
    int minor = DEFAULT_PYMINOR, opts = 1;
    const char *file = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (opts && strcmp(a, "--") == 0) { opts = 0; continue; }
        if (opts && cli_is_help(a)) { fputs(AST_HELP, stdout); return 0; }
        if (opts) {
            int r = python_option(argc, argv, &i, &minor, hint);
            if (r < 0) return EXIT_USAGE;
            if (r > 0) continue;
            if (a[0] == '-' && a[1]) return cli_usage_error(hint, "debug ast: unknown option '%s'", a);
        }
        if (file) return cli_usage_error(hint, "debug ast takes one FILE");
        file = a;
    }
    if (!file) return cli_usage_error(hint, "debug ast needs a FILE, or - for stdin");

    char *data;
    size_t n;
    int e = file_read_all(file, &data, &n);
    if (e) {
        fprintf(stderr, "glintefy: %s: %s\n", cli_display_name(file), file_strerror(e));
        return EXIT_REJECTED;
    }
    Arena arena;
    arena_init(&arena);
    SyntaxDiag diag = {0};
    AstNode *root = syntax_parse(&arena, data, n, minor, &diag);
    int status = 0;
    if (!root) {
        status = report_diag(file, &diag);
    } else {
        Buf out = {0};
        syntax_dump_json(&out, root, minor);
        buf_putc(&out, '\n');
        fwrite(out.data, 1, out.len, stdout);
        buf_free(&out);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "glintefy: stdout: %s\n", strerror(errno));
            status = EXIT_REJECTED;
        }
    }
    arena_free(&arena);
    free(data);
    return status;
}

/* ---- debug parse --------------------------------------------------------------------- */

typedef Array(char *) PathList;

/* Appends the non-empty lines of list file `path` to *paths; the strings are malloc'd. */
static int read_list(const char *path, PathList *paths) {
    char *data;
    size_t n;
    int e = file_read_all(path, &data, &n);
    if (e) {
        fprintf(stderr, "glintefy: %s: %s\n", path, file_strerror(e));
        return -1;
    }
    for (char *p = data, *end = data + n; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        size_t len = (size_t)(nl - p);
        if (len && p[len - 1] == '\r') len--;
        if (len) vec_push(paths, xstrndup(p, len));
        p = nl + 1;
    }
    free(data);
    return 0;
}

static int cmd_debug_parse(int argc, char **argv) {
    const char *hint = "glintefy help debug parse";
    int minor = DEFAULT_PYMINOR, opts = 1, quiet = 0, timing = 0, dump = 0, status = 0;
    PathList paths = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (opts && strcmp(a, "--") == 0) { opts = 0; continue; }
        if (opts) {
            if (cli_is_help(a)) { fputs(PARSE_HELP, stdout); goto done; }
            if (strcmp(a, "--quiet") == 0) { quiet = 1; continue; }
            if (strcmp(a, "--time") == 0) { timing = 1; continue; }
            if (strcmp(a, "--dump") == 0) { dump = 1; continue; }
            int r = python_option(argc, argv, &i, &minor, hint);
            if (r < 0) { status = EXIT_USAGE; goto done; }
            if (r > 0) continue;
            if (a[0] == '-' && a[1]) {
                status = cli_usage_error(hint, "debug parse: unknown option '%s'", a);
                goto done;
            }
            if (a[0] == '@') {
                if (read_list(a + 1, &paths) < 0) { status = EXIT_REJECTED; goto done; }
                continue;
            }
        }
        vec_push(&paths, xstrndup(a, strlen(a)));
    }
    if (paths.len == 0) {
        status = cli_usage_error(hint, "debug parse needs at least one FILE");
        goto done;
    }

    size_t total_bytes = 0, rejected = 0, largest = 0, largest_arena = 0;
    const char *largest_path = NULL;
    double seconds = 0;
    for (size_t k = 0; k < paths.len; k++) {
        const char *file = paths.items[k];
        char *data;
        size_t n;
        int e = file_read_all(file, &data, &n);
        if (e) {
            if (!quiet) fprintf(stderr, "glintefy: %s: %s\n", cli_display_name(file), file_strerror(e));
            rejected++;
            continue;
        }
        Arena arena;
        arena_init(&arena);
        SyntaxDiag diag = {0};
        Buf out = {0};
        double t0 = now_seconds();
        AstNode *root = syntax_parse(&arena, data, n, minor, &diag);
        if (root && dump) syntax_dump_json(&out, root, minor);
        seconds += now_seconds() - t0;
        if (!root) {
            if (!quiet) report_diag(file, &diag);
            rejected++;
        }
        total_bytes += n;
        if (!largest_path || n > largest) {
            largest = n;
            largest_path = file;
            largest_arena = arena_used(&arena);
        }
        buf_free(&out);
        arena_free(&arena);
        free(data);
    }
    if (timing) {
        printf("files: %zu (%zu rejected)\n", paths.len, rejected);
        printf("bytes: %zu\n", total_bytes);
        printf("seconds: %.6f\n", seconds);
        printf("MB/s: %.1f\n", seconds > 0 ? (double)total_bytes / 1e6 / seconds : 0.0);
        if (largest_path) {
            printf("largest file: %s (%zu bytes)\n", cli_display_name(largest_path), largest);
            printf("largest file arena bytes: %zu\n", largest_arena);
        }
    }
    status = rejected ? EXIT_REJECTED : 0;
done:
    for (size_t k = 0; k < paths.len; k++) free(paths.items[k]);
    vec_free(&paths);
    return status;
}

/* ---- dispatch ------------------------------------------------------------------------ */

static const Command DEBUG_COMMANDS[] = {
    {"ast", "print a file's syntax tree as JSON", AST_HELP, cmd_debug_ast},
    {"parse", "parse many files; report errors and speed", PARSE_HELP, cmd_debug_parse},
    {"sources", "list a repository's Python files", RV_DEBUG_SOURCES_HELP, rv_cmd_debug_sources},
    {"config", "show the review settings", RV_DEBUG_CONFIG_HELP, rv_cmd_debug_config},
    {"facts", "print the static analysis facts", AN_DEBUG_FACTS_HELP, an_cmd_debug_facts},
    {"trace", "print an argument-key trace", TR_DEBUG_TRACE_HELP, tr_cmd_debug_trace},
    {"patch", "apply cache actions to one file", RP_DEBUG_PATCH_HELP, rp_cmd_debug_patch},
};
enum { N_DEBUG = sizeof DEBUG_COMMANDS / sizeof DEBUG_COMMANDS[0] };

static const Command *find_debug(const char *name) {
    for (int i = 0; i < N_DEBUG; i++)
        if (strcmp(DEBUG_COMMANDS[i].name, name) == 0) return &DEBUG_COMMANDS[i];
    return NULL;
}

static int cmd_debug(int argc, char **argv) {
    if (argc == 0) return cli_usage_error("glintefy help debug", "debug needs a subcommand (ast, parse, sources, config, facts, trace)");
    if (cli_is_help(argv[0])) { fputs(DEBUG_HELP, stdout); return 0; }
    const Command *c = find_debug(argv[0]);
    if (!c) return cli_usage_error("glintefy help debug", "unknown debug subcommand '%s'", argv[0]);
    return c->run(argc - 1, argv + 1);
}

/* help [debug [ast|parse]] */
static int cmd_help(int argc, char **argv) {
    if (argc == 0) { fputs(MAIN_HELP, stdout); return 0; }
    if (strcmp(argv[0], "help") == 0 && argc == 1) {
        fputs("Usage: glintefy help [COMMAND...]\n\nShows help for a command.\n", stdout);
        return 0;
    }
    if (strcmp(argv[0], "debug") == 0) {
        if (argc == 1) { fputs(DEBUG_HELP, stdout); return 0; }
        const Command *c = find_debug(argv[1]);
        if (c && argc == 2) { fputs(c->help, stdout); return 0; }
    }
    if (strcmp(argv[0], "review") == 0) return review_help(argc - 1, argv + 1);
    if (strcmp(argv[0], "mcp") == 0 && argc == 1) { fputs(MCP_HELP, stdout); return 0; }
    if (strcmp(argv[0], "check") == 0 && argc == 1) { fputs(CHECK_HELP, stdout); return 0; }
    if (strcmp(argv[0], "profile") == 0 && argc <= 2 && profile_cmd_help(argc == 2 ? argv[1] : NULL) == 0) return 0;
    /* `glintefy help ast` is a fair guess at `help debug ast` */
    const Command *c = argc == 1 ? find_debug(argv[0]) : NULL;
    if (c) { fputs(c->help, stdout); return 0; }
    return cli_usage_error("glintefy --help", "no help for '%s%s'", argv[0], argc > 1 ? " ..." : "");
}

static const Command COMMANDS[] = {
    {"check", "report the hazards of existing caches", CHECK_HELP, check_main},
    {"debug", "tools for looking inside glintefy", DEBUG_HELP, cmd_debug},
    {"help", "show help for a command", MAIN_HELP, cmd_help},
    {"mcp", "serve the Model Context Protocol on stdio", MCP_HELP, mcp_main},
    {"profile", "read, add and summarise .prof files", PROFILE_HELP, profile_cmd},
    {"review", "review a repository's caches", NULL, review_main},
};
enum { N_COMMANDS = sizeof COMMANDS / sizeof COMMANDS[0] };

typedef struct MainArgs { int argc; char **argv; } MainArgs;

static int main_dispatch(void *p) {
    int argc = ((MainArgs *)p)->argc;
    char **argv = ((MainArgs *)p)->argv;
    if (argc < 2) return cli_usage_error("glintefy --help", "no command given");
    const char *a = argv[1];
    if (cli_is_help(a)) { fputs(MAIN_HELP, stdout); return 0; }
    if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
        puts("glintefy " GLINTEFY_VERSION);
        return 0;
    }
    for (int i = 0; i < N_COMMANDS; i++)
        if (strcmp(COMMANDS[i].name, a) == 0) return COMMANDS[i].run(argc - 2, argv + 2);
    if (a[0] == '-') return cli_usage_error("glintefy --help", "unknown option '%s'", a);
    return cli_usage_error("glintefy --help", "unknown command '%s'", a);
}

/* The commands run on a thread with a large stack: the main thread has only RLIMIT_STACK, and
 * at `ulimit -s 512` the nesting the parser accepts (and CPython parses) would overflow it. */
int main(int argc, char **argv) {
    MainArgs m = {argc, argv};
    return thread_run_big(main_dispatch, &m);
}
