// The clock and the sort order the C benchmarks share: wall seconds from a monotonic clock, and doubles in
// increasing order for qsort (medians).
#ifndef ANNEAL_BENCH_TIMING_H
#define ANNEAL_BENCH_TIMING_H

#include <time.h>

static inline double seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static inline int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
