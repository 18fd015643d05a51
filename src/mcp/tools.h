/* tools.h - the tools of `glintefy mcp`: one table (name, description, arguments, output schema,
 * annotations), argument checking, the glintefy command line each tool runs as a child process,
 * and how that child's output becomes an MCP tool result. No I/O happens here except opening the
 * files arguments name, inside the repository, for the child. */
#ifndef GLINTEFY_MCP_TOOLS_H
#define GLINTEFY_MCP_TOOLS_H
#include <jansson.h>
#include <stddef.h>
#include "../base/buf.h"

typedef enum { MCP_ARG_STRING, MCP_ARG_INT, MCP_ARG_NUMBER, MCP_ARG_BOOL, MCP_ARG_STRINGS } McpArgType;

/* One argument of a tool; the inputSchema is generated from these rows. Bounds are inclusive
 * (numbers) or count items (MCP_ARG_STRINGS: lo = fewest items). */
typedef struct McpArg {
    const char *name;
    McpArgType type;
    int required;
    double lo, hi;
    const char *const *choices; /* NULL-terminated enum of a string, or NULL */
    const char *help;
} McpArg;

/* A child run to start: argv (malloc'd strings, NULL-terminated), its time limit, and when
 * `passing` a file opened here that the child gets as descriptor 3 (MCP_PASSED_FILE). */
typedef struct McpCall {
    Array(char *) argv;
    double limit; /* seconds */
    int pass_fd, passing;
} McpCall;
#define MCP_PASSED_FILE "/dev/fd/3"
#define MCP_PASSED_FD 3

/* What a finished child left. */
typedef struct McpRun {
    int status;     /* exit status, or 128 + signal number */
    int timed_out;  /* stopped at its time limit */
    const char *out, *err;
    size_t out_len, err_len;
    int out_truncated;
    double seconds;
    double limit;
} McpRun;

typedef struct McpTool {
    const char *name, *title, *description;
    const McpArg *args;
    size_t nargs;
    const char *output_schema; /* JSON text of the structuredContent's schema */
    int read_only, destructive, idempotent, open_world;
    /* Fills *call from checked arguments. Returns NULL, or a malloc'd message when the call is
     * refused (a path outside the repository...): the server answers with isError. */
    char *(*build)(json_t *args, McpCall *call);
    /* Returns the tool result (content, structuredContent, isError) of a finished run. */
    json_t *(*result)(json_t *args, const McpRun *run);
} McpTool;

extern const McpTool mcp_tools[];
extern const size_t mcp_ntools;

/* Sets the repository every path is confined to (a real path, no trailing slash). */
void mcp_tools_set_repo(const char *realrepo);
/* Returns the tool called `name`, or NULL. */
const McpTool *mcp_tool(const char *name);
/* Returns the tools/list entry of `t` (new reference); modern: protocol 2025-06-18 or later
 * (title, outputSchema). */
json_t *mcp_tool_describe(const McpTool *t, int modern);
/* Checks args (an object, or NULL for none) against t's table. Returns 0, or -1 with a message
 * in err (answered with JSON-RPC error -32602). */
int mcp_tool_check(const McpTool *t, json_t *args, char *err, size_t errlen);
/* A JSON string of s[0..n), invalid UTF-8 replaced by U+FFFD (new reference). */
json_t *mcp_json_text(const char *s, size_t n);
/* A tool result {content: [text], isError: true} (new reference). */
json_t *mcp_tool_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mcp_call_free(McpCall *c);

#endif
