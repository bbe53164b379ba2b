/* How far apart the first two CPUs this process may use are: the round trip of one cache line between a thread
 * pinned to each, in nanoseconds (a write on one CPU, seen and answered by a write on the other; the first
 * tenth of each run not timed).
 *
 *   cc -std=gnu11 -O2 benchmarks/c/core_distance.c -o benchmarks/out/core_distance -lpthread
 *   benchmarks/out/core_distance [-n round_trips] [-j]
 *
 * On one core complex (a shared L3) a round trip takes tens of nanoseconds; between core complexes or sockets,
 * hundreds. A virtual machine's two CPUs can move between the two within seconds, as the host places them, and
 * far apart every line one thread wrote and the other reads costs that much more: the two threads of a shared
 * product then wait for each other's data (benchmarks/RESULTS.md). benchmarks/run.py builds it and samples it
 * while it measures two threads against one. Prints the median of 5 runs of -n round trips (default 20000), or
 * with -j one JSON line. */
#define _GNU_SOURCE  // sched_getaffinity, pthread_setaffinity_np, CPU_SET
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpus.h"
#include "timing.h"

/// The line the two threads pass: odd values written by the first thread, even ones by the second.
static _Alignas(64) volatile long ball;
static long round_trips = 20000;

static void *answer(void *cpu) {
    pin_to((int)(long)cpu);
    ball = 0;  // running on its CPU: the first thread may begin
    for (long i = 0; i < round_trips; i++) {
        while (ball != 2 * i + 1) {
        }
        ball = 2 * i + 2;
    }
    return NULL;
}

/// One run: `round_trips` round trips between `first` and `second`; returns nanoseconds per round trip.
static double run(int first, int second) {
    pthread_t other;
    pin_to(first);
    ball = -1;
    if (pthread_create(&other, NULL, answer, (void *)(long)second) != 0) {
        fprintf(stderr, "core_distance: pthread_create failed\n");
        exit(1);
    }
    while (ball != 0) {
    }
    // The first tenth not timed: the caches and the CPUs' clocks settle.
    long warm = round_trips / 10;
    double start = 0;
    for (long i = 0; i < round_trips; i++) {
        if (i == warm) start = seconds();
        ball = 2 * i + 1;
        while (ball != 2 * i + 2) {
        }
    }
    double elapsed = seconds() - start;
    pthread_join(other, NULL);
    return elapsed / (double)(round_trips - warm) * 1e9;
}

int main(int argc, char **argv) {
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            round_trips = atol(argv[++i]);
        } else if (strcmp(argv[i], "-j") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "usage: %s [-n round_trips] [-j]\n", argv[0]);
            return 2;
        }
    }
    if (round_trips < 1) {
        fprintf(stderr, "core_distance: -n must be at least 1\n");
        return 2;
    }
    int cpus[2];
    if (first_two_cpus(cpus) < 2) {
        fprintf(stderr, "core_distance: this process may run on one CPU only\n");
        return 1;
    }
    double runs[5];
    for (int r = 0; r < 5; r++) runs[r] = run(cpus[0], cpus[1]);
    qsort(runs, 5, sizeof runs[0], compare);
    if (json) {
        printf("{\"cpus\": [%d, %d], \"round_trip_ns\": %.1f}\n", cpus[0], cpus[1], runs[2]);
    } else {
        printf("CPUs %d and %d: a cache line's round trip %.0f ns (median of 5 runs of %ld)\n", cpus[0], cpus[1],
               runs[2], round_trips);
    }
    return 0;
}
