/* trace_cmd.h - `glintefy debug trace FILE`: a .gtr argument-key trace as JSON. */
#ifndef GLINTEFY_RUNTIME_TRACE_CMD_H
#define GLINTEFY_RUNTIME_TRACE_CMD_H

extern const char TR_DEBUG_TRACE_HELP[];
int tr_cmd_debug_trace(int argc, char **argv);

#endif
