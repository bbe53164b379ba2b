/* The arithmetic floor of this machine: the rate of single-precision fused multiply-adds that one core, and
 * both cores together, sustain with every operand in registers (no memory traffic, no dependency stalls), at
 * each vector level Anneal's kernels use that this CPU has (AVX2: 8 lanes, AVX-512: 16 lanes).
 *
 *   cc -std=gnu11 -O2 benchmarks/c/fma_peak.c -o benchmarks/out/fma_peak -lpthread
 *   benchmarks/out/fma_peak [-s seconds] [-r repeats] [-j]
 *
 * A multiply-add counts 2 flops. Each thread runs ACCUMULATORS independent chains of vfmadd, more than the
 * latency (4 cycles) times the FMA ports (2) of any current core, so the loop is limited by the FMA ports
 * alone. Each rate counts the multiply-adds per second of the thread's own CPU time: what the core does while
 * the thread runs, also when other processes share the machine and take turns on it (the wall-time rate is
 * printed beside it, in brackets, and shows how much of the machine this process got). Every rate is the
 * best of -r repeats (default 5) of -s seconds (default 0.1). "two cores" runs one thread on each of the
 * first two CPUs this process may use, pinned, at the same time, and adds their rates: below twice one core
 * when the two CPUs share a core's FMA units (hyperthreads) or a frequency limit. -j prints one JSON line
 * per level instead of the table. benchmarks/run.py builds and runs it. */
#define _GNU_SOURCE  // sched_getaffinity, pthread_setaffinity_np, CPU_SET
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpus.h"
#include "timing.h"

enum { ACCUMULATORS = 12, STEPS = 100000 };  // multiply-adds per chain between two looks at the clock

/// Vector multiply-adds per second of the calling thread's CPU time (what its core does while it runs it,
/// however often another process took the core meanwhile), and per second of wall time.
struct rate {
    double per_cpu_second, per_second;
};

/// The calling thread's CPU time in seconds.
static double cpu_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/// One step of each of the 12 independent chains: register i += register 12 * register 13, at width `reg`
/// ("ymm" or "zmm"). Written in assembly so that the compiler can neither keep an accumulator in memory nor
/// drop a chain.
#define FMA12(reg)                                                                                             \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "0\n\t"                                                    \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "1\n\t"                                                    \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "2\n\t"                                                    \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "3\n\t"                                                    \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "4\n\t"                                                    \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "5\n\t"                                                    \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "6\n\t"                                                    \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "7\n\t"                                                    \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "8\n\t"                                                    \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "9\n\t"                                                    \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "10\n\t"                                                   \
    "vfmadd231ps %%" reg "12, %%" reg "13, %%" reg "11\n\t"

/// Runs STEPS steps of the 12 chains at width `reg` between two looks at the clock, for about `duration`
/// seconds; returns vector multiply-adds per second. The registers start at zero (xor), so the
/// sums stay zero: no overflow, no denormal, the same speed as any other value.
#define FMA_RATE(reg)                                                                                          \
    double start = seconds(), cpu_start = cpu_seconds(), now;                                                  \
    long long rounds = 0;                                                                                      \
    do {                                                                                                       \
        long steps = STEPS;                                                                                    \
        __asm__ volatile(                                                                                      \
            "vxorps %%xmm0, %%xmm0, %%xmm0\n\t" "vxorps %%xmm1, %%xmm1, %%xmm1\n\t"                            \
            "vxorps %%xmm2, %%xmm2, %%xmm2\n\t" "vxorps %%xmm3, %%xmm3, %%xmm3\n\t"                            \
            "vxorps %%xmm4, %%xmm4, %%xmm4\n\t" "vxorps %%xmm5, %%xmm5, %%xmm5\n\t"                            \
            "vxorps %%xmm6, %%xmm6, %%xmm6\n\t" "vxorps %%xmm7, %%xmm7, %%xmm7\n\t"                            \
            "vxorps %%xmm8, %%xmm8, %%xmm8\n\t" "vxorps %%xmm9, %%xmm9, %%xmm9\n\t"                            \
            "vxorps %%xmm10, %%xmm10, %%xmm10\n\t" "vxorps %%xmm11, %%xmm11, %%xmm11\n\t"                      \
            "vxorps %%xmm12, %%xmm12, %%xmm12\n\t" "vxorps %%xmm13, %%xmm13, %%xmm13\n\t"                      \
            "1:\n\t" FMA12(reg) "dec %0\n\t" "jnz 1b\n\t" "vzeroupper"                                         \
            : "+r"(steps)                                                                                      \
            :                                                                                                  \
            : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",        \
              "xmm11", "xmm12", "xmm13", "cc");                                                                \
        rounds++;                                                                                              \
        now = seconds();                                                                                       \
    } while (now - start < duration);                                                                          \
    double operations = (double)rounds * STEPS * ACCUMULATORS;                                                 \
    return (struct rate){operations / (cpu_seconds() - cpu_start), operations / (now - start)};

/// The FMA loop on 8-lane vectors for about `duration` seconds.
static __attribute__((target("avx2,fma"))) struct rate avx2_rate(double duration) { FMA_RATE("ymm") }

/// The same on 16-lane vectors.
static __attribute__((target("avx512f,fma"))) struct rate avx512_rate(double duration) { FMA_RATE("zmm") }

struct worker {
    struct rate (*rate)(double);
    double duration;
    struct rate result;
    int cpu;  // -1: not pinned
};

static void *work(void *argument) {
    struct worker *w = argument;
    if (w->cpu >= 0) pin_to(w->cpu);
    w->result = w->rate(w->duration);
    return NULL;
}

/// The rates of `threads` threads (1 or 2) running `rate` at once on `cpus`, summed.
static struct rate together(struct rate (*rate)(double), double duration, int threads, const int cpus[2]) {
    struct worker workers[2];
    pthread_t ids[2];
    for (int t = 0; t < threads; t++) {
        workers[t] = (struct worker){rate, duration, {0, 0}, threads == 1 ? -1 : cpus[t]};
        if (pthread_create(&ids[t], NULL, work, &workers[t]) != 0) {
            fprintf(stderr, "fma_peak: pthread_create failed\n");
            exit(1);
        }
    }
    struct rate sum = {0, 0};
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        sum.per_cpu_second += workers[t].result.per_cpu_second;
        sum.per_second += workers[t].result.per_second;
    }
    return sum;
}

int main(int argc, char **argv) {
    double duration = 0.1;
    int repeats = 5, json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            duration = atof(argv[++i]);
        } else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc) {
            repeats = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-j") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "usage: %s [-s seconds] [-r repeats] [-j]\n", argv[0]);
            return 2;
        }
    }
    if (duration <= 0 || repeats < 1) {
        fprintf(stderr, "fma_peak: -s must be positive and -r at least 1\n");
        return 2;
    }
    int cpus[2];
    int found = first_two_cpus(cpus);
    __builtin_cpu_init();
    struct {
        const char *name;
        struct rate (*rate)(double);
        int lanes, present;
    } levels[] = {
        {"avx2", avx2_rate, 8, __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")},
        {"avx512", avx512_rate, 16, __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")},
    };
    if (!json) {
        printf("GFLOP/s (2 flops per lane of a multiply-add), best of %d x %.2f s: per second of each thread's CPU "
               "time, and [per second of wall time]\n", repeats, duration);
        printf("| level  | lanes | one core       | two cores      |\n|--------|------:|---------------:|---------------:|\n");
    }
    for (size_t l = 0; l < sizeof levels / sizeof levels[0]; l++) {
        if (!levels[l].present) continue;
        struct rate one = {0, 0}, two = {0, 0};
        for (int r = 0; r < repeats; r++) {  // alternated, so that a burst of load hits both alike
            struct rate x = together(levels[l].rate, duration, 1, cpus);
            if (x.per_cpu_second > one.per_cpu_second) one.per_cpu_second = x.per_cpu_second;
            if (x.per_second > one.per_second) one.per_second = x.per_second;
            if (found == 2) {
                struct rate y = together(levels[l].rate, duration, 2, cpus);
                if (y.per_cpu_second > two.per_cpu_second) two.per_cpu_second = y.per_cpu_second;
                if (y.per_second > two.per_second) two.per_second = y.per_second;
            }
        }
        double scale = 2.0 * levels[l].lanes / 1e9;
        if (json) {
            char both[96] = "\"gflops_two_cores\": null, \"gflops_two_cores_wall\": null";
            if (found == 2) {
                snprintf(both, sizeof both, "\"gflops_two_cores\": %.3f, \"gflops_two_cores_wall\": %.3f",
                         two.per_cpu_second * scale, two.per_second * scale);
            }
            printf("{\"level\": \"%s\", \"lanes\": %d, \"gflops_one_core\": %.3f, \"gflops_one_core_wall\": %.3f, "
                   "%s}\n", levels[l].name, levels[l].lanes, one.per_cpu_second * scale, one.per_second * scale, both);
        } else {
            printf("| %-6s | %5d | %6.1f [%5.1f] | ", levels[l].name, levels[l].lanes, one.per_cpu_second * scale,
                   one.per_second * scale);
            if (found == 2) {
                printf("%6.1f [%5.1f] |\n", two.per_cpu_second * scale, two.per_second * scale);
            } else {
                printf("             - |\n");
            }
        }
    }
    return 0;
}
