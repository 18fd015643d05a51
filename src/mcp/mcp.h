/* mcp.h - `glintefy mcp`: a Model Context Protocol server (JSON-RPC 2.0, one message a line on
 * stdin/stdout) whose tools run this same binary's review and profile commands. */
#ifndef GLINTEFY_MCP_H
#define GLINTEFY_MCP_H

extern const char MCP_HELP[];

/* Runs `glintefy mcp ARGS...` (argv after "mcp") until end of input or SIGTERM; returns the
 * exit status. */
int mcp_main(int argc, char **argv);

#endif
