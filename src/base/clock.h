/* clock.h - seconds on the monotonic clock, for the timings the commands report. */
#ifndef GLINTEFY_CLOCK_H
#define GLINTEFY_CLOCK_H
#include <time.h>

static inline double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
