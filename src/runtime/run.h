/* run.h - running the user's command as a shell would: stdin, stdout and stderr passed through,
 * the exit status as a shell reports it, and signals sent to glintefy passed on to the command. */
#ifndef GLINTEFY_RUNTIME_RUN_H
#define GLINTEFY_RUNTIME_RUN_H

#include <stddef.h>
#include <sys/types.h>

enum { RT_STATUS_CANNOT_EXECUTE = 126, RT_STATUS_NOT_FOUND = 127 };
/* seconds a command may take to end after a passed-on stop signal before it is killed */
enum { RT_KILL_GRACE = 2 };

/* Runs argv[0] (searched on PATH) with argv and the current environment, and waits for it.
 * Signals: when glintefy runs in the foreground of a terminal the command stays in its process
 * group, so a Ctrl-C from the terminal reaches both (glintefy then waits and does not repeat
 * it); SIGINT, SIGQUIT, SIGTERM, SIGHUP sent to glintefy alone are passed on to the command.
 * Otherwise the command gets a process group of its own and those signals are passed on to that
 * whole group (the command and its children).
 * Returns the command's exit status, 128+N when signal N ended it, 127 when argv[0] was not
 * found and 126 when it could not be executed (then *exec_errno is set, else 0), or -1 when no
 * process could be started (errno set).
 * A stop passed on (not a Ctrl-C the terminal sent to both) that the command has not obeyed
 * within RT_KILL_GRACE seconds is followed by SIGKILL to its group; after a stop, every process
 * the command left behind (forked, double-forked or setsid: this process is their subreaper)
 * is killed too, so no temporary directory or profile data is left to a survivor. */
int rt_run(char **argv, int *exec_errno);

/* Kills (SIGSTOP, then SIGKILL) every descendant of this process but those in keep[0..nkeep),
 * and reaps those that were its children; returns how many were killed. A process that made
 * itself a subreaper (PR_SET_CHILD_SUBREAPER) finds setsid and double-forked ones too. With
 * nkeep == 0 every zombie child is reaped as well. */
int rt_kill_descendants_except(const pid_t *keep, size_t nkeep);
int rt_kill_descendants(void);

#endif
