/* thread.h - threads with a stack sized for the deepest recursion the parser and the analysis
 * accept. A default thread gets RLIMIT_STACK (or 2 MB when it is unlimited), and `ulimit -s 512`
 * would make the nesting CPython parses crash us; these threads get THREAD_STACK_BYTES or the
 * limit, whichever is larger (the pages are touched only as deep as the recursion goes). */
#ifndef GLINTEFY_THREAD_H
#define GLINTEFY_THREAD_H
#include <pthread.h>

enum { THREAD_STACK_BYTES = 64 << 20 };

/* pthread_create with that stack size; returns pthread_create's result. */
int thread_create(pthread_t *t, void *(*fn)(void *), void *arg);

/* Runs fn(arg) on a thread with that stack while the calling thread waits, and returns its
 * result; the new thread takes over the caller's signal mask, and the caller blocks every
 * signal meanwhile, so a process-directed signal reaches the thread doing the work, as if it
 * were the main thread. Runs fn on the calling thread if no thread can be started. */
int thread_run_big(int (*fn)(void *), void *arg);

#endif
