/* thread.c - threads with a stack big enough for the parser's recursion limit (see thread.h). */
#include "thread.h"
#include <signal.h>
#include <stddef.h>
#include <sys/resource.h>

static size_t stack_bytes(void) {
    struct rlimit r;
    size_t want = THREAD_STACK_BYTES;
    if (getrlimit(RLIMIT_STACK, &r) == 0 && r.rlim_cur != RLIM_INFINITY && r.rlim_cur > want)
        want = (size_t)r.rlim_cur;
    return want;
}

int thread_create(pthread_t *t, void *(*fn)(void *), void *arg) {
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return pthread_create(t, NULL, fn, arg);
    int e = pthread_attr_setstacksize(&attr, stack_bytes());
    e = e ? pthread_create(t, NULL, fn, arg) : pthread_create(t, &attr, fn, arg);
    pthread_attr_destroy(&attr);
    return e;
}

typedef struct BigRun {
    int (*fn)(void *);
    void *arg;
    sigset_t mask;
    int result;
} BigRun;

static void *big_main(void *p) {
    BigRun *r = p;
    pthread_sigmask(SIG_SETMASK, &r->mask, NULL);
    r->result = r->fn(r->arg);
    return NULL;
}

int thread_run_big(int (*fn)(void *), void *arg) {
    BigRun r = {.fn = fn, .arg = arg};
    sigset_t all;
    sigfillset(&all);
    if (pthread_sigmask(SIG_BLOCK, &all, &r.mask) != 0) return fn(arg);
    pthread_t t;
    if (thread_create(&t, big_main, &r) != 0) {
        pthread_sigmask(SIG_SETMASK, &r.mask, NULL);
        return fn(arg);
    }
    pthread_join(t, NULL);
    pthread_sigmask(SIG_SETMASK, &r.mask, NULL);
    return r.result;
}
