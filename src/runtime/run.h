/* run.h - running the user's command as a shell would: stdin, stdout and stderr passed through,
 * the exit status as a shell reports it, and signals sent to glintefy passed on to the command. */
#ifndef GLINTEFY_RUNTIME_RUN_H
#define GLINTEFY_RUNTIME_RUN_H

enum { RT_STATUS_CANNOT_EXECUTE = 126, RT_STATUS_NOT_FOUND = 127 };

/* Runs argv[0] (searched on PATH) with argv and the current environment, and waits for it.
 * Signals: when glintefy runs in the foreground of a terminal the command stays in its process
 * group, so a Ctrl-C from the terminal reaches both (glintefy then waits and does not repeat
 * it); SIGINT, SIGQUIT, SIGTERM, SIGHUP sent to glintefy alone are passed on to the command.
 * Otherwise the command gets a process group of its own and those signals are passed on to that
 * whole group (the command and its children).
 * Returns the command's exit status, 128+N when signal N ended it, 127 when argv[0] was not
 * found and 126 when it could not be executed (then *exec_errno is set, else 0), or -1 when no
 * process could be started (errno set). */
int rt_run(char **argv, int *exec_errno);

#endif
