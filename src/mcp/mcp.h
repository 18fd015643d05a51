/* mcp.h - `glintefy mcp`: a Model Context Protocol server (JSON-RPC 2.0, one message a line on
 * stdin/stdout) whose tools run this same binary's review and profile commands. */
#ifndef GLINTEFY_MCP_H
#define GLINTEFY_MCP_H
#include <stddef.h>

extern const char MCP_HELP[];

/* Runs `glintefy mcp ARGS...` (argv after "mcp") until end of input or SIGTERM; returns the
 * exit status. */
int mcp_main(int argc, char **argv);

/* For the fuzzer (fuzz/fuzz_mcp.c): data[0..n) as the server's whole input, in two reads,
 * every line answered on stdout as mcp_main would, but no tool is started (a tools/call is
 * checked and built, then answered "not started"). `repo` is where tool paths must lie. */
void mcp_fuzz_input(const char *data, size_t n, const char *repo);

#endif
