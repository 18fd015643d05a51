/* fuzz_mcp.c - libFuzzer entry point for the MCP server's message reader (src/mcp/server.c):
 * the input is what a client writes on the server's stdin, split into lines, parsed as JSON-RPC
 * and answered on stdout (sent to /dev/null here; logs are silent); tools/call is checked and its command line
 * built, but no tool is started. A crash, a sanitizer report, a hang or a leak is a bug. Build
 * and run with `make fuzz FUZZ_TARGET=mcp`. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "../src/mcp/mcp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char repo[] = "/tmp/glintefy-fuzz-mcp-XXXXXX";

static void remove_repo(void) { rmdir(repo); }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    if (!mkdtemp(repo)) abort();
    atexit(remove_repo);
    int null = open("/dev/null", O_WRONLY);
    if (null < 0 || dup2(null, STDOUT_FILENO) < 0) abort();
    close(null);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mcp_fuzz_input((const char *)data, size, repo);
    return 0;
}
