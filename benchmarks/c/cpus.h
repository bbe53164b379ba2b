// The CPUs the C benchmarks run their threads on: the first two this process may use, and pinning the calling
// thread to one. Include after defining _GNU_SOURCE (sched_getaffinity, pthread_setaffinity_np, CPU_SET).
#ifndef ANNEAL_BENCH_CPUS_H
#define ANNEAL_BENCH_CPUS_H

#include <pthread.h>
#include <sched.h>

/// Fills `cpus` with the first two CPUs this process may use (-1 where there is none); returns how many.
static inline int first_two_cpus(int cpus[2]) {
    cpu_set_t allowed;
    int found = 0;
    cpus[0] = cpus[1] = -1;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
        for (int cpu = 0; cpu < CPU_SETSIZE && found < 2; cpu++) {
            if (CPU_ISSET(cpu, &allowed)) cpus[found++] = cpu;
        }
    }
    return found;
}

/// Pins the calling thread to `cpu`.
static inline void pin_to(int cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
}

#endif
