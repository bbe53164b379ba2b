/* Times the training workload's matrix products through Anneal's own kernel and through OpenBLAS's
 * cblas_sgemm, on the same operands, and prints GFLOP/s for each and their ratio. Measurement only: OpenBLAS is
 * not part of Anneal.
 *
 *   clang -std=gnu11 -O2 -ffp-contract=off -I Sources/AnnealKernels/include $(pkg-config --cflags openblas) \
 *       benchmarks/c/bench_gemm.c $(find Sources/AnnealKernels -name '*.c') -o benchmarks/out/bench_gemm \
 *       $(pkg-config --libs openblas) -lpthread -lm
 *   benchmarks/out/bench_gemm [-t threads] [-s seconds] [-i anneal|openblas] [-j]
 *
 * Anneal's kernel is internal to the library (hidden, not exported by libanneal.so), so its source is compiled
 * into this program, with the compiler (the Swift toolchain's clang) and -O2 that SwiftPM's release build uses
 * (-ffp-contract=off only matters under GCC, which ignores the file's FP_CONTRACT pragma). -t 1 (the default) sets
 * ANNEAL_THREADS=1 (Anneal's helper thread stays off) and openblas_set_num_threads(1); -t 2 lets both use two
 * threads (Anneal shares only products of a million multiply-adds or more). -s is the time spent per shape and
 * implementation (default 0.4). -i times one implementation only (both are still run once for the check), with
 * the other one's threads off: with two threads, OpenBLAS's idle workers spin for a while after each call and
 * would take the core Anneal's helper needs (and the other way round), so run.py times the two-thread column
 * in one process per implementation. -j prints one JSON line per shape instead of the table. benchmarks/run.py
 * builds and runs it when an OpenBLAS cblas header and library are found.
 *
 * Each shape is a product in the form Anneal's layers call it (see Sources/Anneal/Kernels.swift): a forward
 * product x · W, or a parameter gradient xᵀ · delta where xᵀ is read in place (cblas: CblasTrans). No bias is
 * added (init NULL, beta 0). Time per call is the median over batches of calls (a batch takes one to two
 * milliseconds), Anneal's and OpenBLAS's batches interleaved so that a burst of load hits both alike.
 *
 * Check: both results are compared with a double-precision product; the program fails if either is off by
 * more than 1e-4 of the largest output, and reports max |Anneal - OpenBLAS| / max |c| (OpenBLAS uses
 * fused multiply-adds and its own summation order, Anneal fused multiply-adds only in products of a million
 * multiply-adds or more and the order of its portable loops, so they differ in the last bits). */
#define _GNU_SOURCE  // setenv, clock_gettime
#include "AnnealKernels.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"

// Declared by OpenBLAS's cblas.h; repeated for cblas headers that do not (a link error names the problem).
void openblas_set_num_threads(int threads);
char *openblas_get_config(void);

struct shape {
    const char *name;
    int rows, columns, depth;  // c is rows x columns, summed over depth
    int transposed;            // a is stored depth x rows and read transposed (xᵀ · delta)
};

static const struct shape shapes[] = {
    {"tutorial forward 28x34 . 34x34", 28, 34, 34, 0},
    {"tutorial gradient 34x28 . 28x34", 34, 34, 28, 1},
    {"tutorial validation 116x34 . 34x34", 116, 34, 34, 0},
    {"big forward 128x784 . 784x256", 128, 256, 784, 0},
    {"big forward 128x256 . 256x256", 128, 256, 256, 0},
    {"big gradient 784x128 . 128x256", 784, 256, 128, 1},
};

static void *allocate(size_t count) {
    void *p = NULL;
    if (posix_memalign(&p, 64, count * sizeof(float) + 64) != 0) {
        fprintf(stderr, "bench_gemm: out of memory\n");
        exit(1);
    }
    return p;
}

/// Deterministic values in [-1, 1).
static void fill(float *x, size_t count, unsigned seed) {
    unsigned long long state = 0x9E3779B97F4A7C15ull * (seed + 1);
    for (size_t i = 0; i < count; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)((double)(state >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
    }
}

struct operands {
    const struct shape *s;
    anneal_kernels_level level;
    float *a, *b, *c_anneal, *c_blas;
};

static void run_anneal(const struct operands *o) {
    const struct shape *s = o->s;
    // a(m, k) = a[m * a_row_stride + k * a_depth_stride]: rows x depth in place, or depth x rows read down columns.
    ptrdiff_t row_stride = s->transposed ? 1 : s->depth, depth_stride = s->transposed ? s->rows : 1;
    anneal_kernels_gemm(o->level, o->a, row_stride, depth_stride, o->b, s->columns, 1, NULL, o->c_anneal, s->columns,
                        s->rows, s->columns, s->depth);
}

static void run_blas(const struct operands *o) {
    const struct shape *s = o->s;
    cblas_sgemm(CblasRowMajor, s->transposed ? CblasTrans : CblasNoTrans, CblasNoTrans, s->rows, s->columns,
                s->depth, 1.0f, o->a, s->transposed ? s->rows : s->depth, o->b, s->columns, 0.0f, o->c_blas,
                s->columns);
}

/// Seconds per call of `f`, `calls` calls in a row.
static double batch(void (*f)(const struct operands *), const struct operands *o, long calls) {
    double start = seconds();
    for (long i = 0; i < calls; i++) f(o);
    return (seconds() - start) / (double)calls;
}

int main(int argc, char **argv) {
    int threads = 1, json = 0, time_anneal = 1, time_blas = 1;
    double budget = 0.4;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
            budget = atof(argv[++i]);
        } else if (strcmp(argv[i], "-i") == 0 && i + 1 < argc && strcmp(argv[i + 1], "anneal") == 0) {
            time_blas = 0;
            i++;
        } else if (strcmp(argv[i], "-i") == 0 && i + 1 < argc && strcmp(argv[i + 1], "openblas") == 0) {
            time_anneal = 0;
            i++;
        } else if (strcmp(argv[i], "-j") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "usage: %s [-t threads (1 or 2)] [-s seconds per shape] [-i anneal|openblas] [-j]\n",
                    argv[0]);
            return 2;
        }
    }
    if (threads != 1 && threads != 2) {
        fprintf(stderr, "bench_gemm: -t must be 1 or 2\n");
        return 2;
    }
    if (budget <= 0) budget = 0.4;
    // Anneal reads ANNEAL_THREADS when its first big product starts the helper: before any call here.
    if (threads == 1 || !time_anneal) {
        setenv("ANNEAL_THREADS", "1", 1);
    } else {
        unsetenv("ANNEAL_THREADS");
    }
    openblas_set_num_threads(time_blas ? threads : 1);
    // The widest level, or the one ANNEAL_KERNELS names.
    anneal_kernels_level level = anneal_kernels_best_level();
    const char *level_name = level == ANNEAL_KERNELS_AVX512 ? "avx512"
                             : level == ANNEAL_KERNELS_AVX2 ? "avx2"
                             : level == ANNEAL_KERNELS_PORTABLE ? "portable" : "portable-no-fma";

    if (!json) {
        printf("Matrix products, %d thread%s, Anneal level %s, %s\n", threads, threads == 1 ? "" : "s", level_name,
               openblas_get_config());
        printf("| %-36s | %8s | %14s | %16s | %15s | %13s |\n", "product", "MFLOP", "Anneal GFLOP/s",
               "OpenBLAS GFLOP/s", "Anneal/OpenBLAS", "max rel diff");
        printf("|%s|%s:|%s:|%s:|%s:|%s:|\n", "--------------------------------------", "---------",
               "---------------", "-----------------", "----------------", "--------------");
    }
    int failures = 0;
    for (size_t n = 0; n < sizeof shapes / sizeof shapes[0]; n++) {
        const struct shape *s = &shapes[n];
        size_t a_count = (size_t)s->rows * s->depth, b_count = (size_t)s->depth * s->columns;
        size_t c_count = (size_t)s->rows * s->columns;
        struct operands o = {s, level, allocate(a_count), allocate(b_count), allocate(c_count), allocate(c_count)};
        fill(o.a, a_count, 2 * (unsigned)n);
        fill(o.b, b_count, 2 * (unsigned)n + 1);

        // The check, on the first results.
        run_anneal(&o);
        run_blas(&o);
        double largest = 0, anneal_error = 0, blas_error = 0, difference = 0;
        for (int m = 0; m < s->rows; m++) {
            for (int j = 0; j < s->columns; j++) {
                double exact = 0;
                for (int k = 0; k < s->depth; k++) {
                    float a = s->transposed ? o.a[(size_t)k * s->rows + m] : o.a[(size_t)m * s->depth + k];
                    exact += (double)a * (double)o.b[(size_t)k * s->columns + j];
                }
                float x = o.c_anneal[(size_t)m * s->columns + j], y = o.c_blas[(size_t)m * s->columns + j];
                if (fabs(exact) > largest) largest = fabs(exact);
                if (!(fabs(x - exact) <= anneal_error)) anneal_error = fabs(x - exact);  // NaN sticks
                if (!(fabs(y - exact) <= blas_error)) blas_error = fabs(y - exact);
                if (!(fabs((double)x - y) <= difference)) difference = fabs((double)x - y);
            }
        }
        double relative = difference / largest;
        if (!(anneal_error <= 1e-4 * largest) || !(blas_error <= 1e-4 * largest) || !(relative <= 1e-4)) {
            fprintf(stderr, "bench_gemm: %s: results disagree (largest |c| %g; max error Anneal %g, OpenBLAS %g, "
                            "max |Anneal - OpenBLAS| %g)\n", s->name, largest, anneal_error, blas_error, difference);
            failures++;
        }

        // Calls per batch: about 2 ms for the timed implementations together.
        double once = (time_anneal ? batch(run_anneal, &o, 3) : 0) + (time_blas ? batch(run_blas, &o, 3) : 0);
        long calls = (long)(2e-3 / (once > 1e-9 ? once : 1e-9)) + 1;
        enum { max_batches = 2000 };
        static double anneal_times[max_batches], blas_times[max_batches];
        int batches = 0;
        double start = seconds();
        double timed = (double)(time_anneal + time_blas);
        while (batches < max_batches && (batches < 11 || seconds() - start < timed * budget)) {
            if (time_anneal) anneal_times[batches] = batch(run_anneal, &o, calls);
            if (time_blas) blas_times[batches] = batch(run_blas, &o, calls);
            batches++;
        }
        qsort(anneal_times, (size_t)batches, sizeof(double), compare);
        qsort(blas_times, (size_t)batches, sizeof(double), compare);
        double flop = 2.0 * s->rows * s->columns * s->depth;
        // GFLOP/s of the median batch; 0 for an implementation not timed.
        double anneal_gflops = time_anneal ? flop / anneal_times[batches / 2] * 1e-9 : 0;
        double blas_gflops = time_blas ? flop / blas_times[batches / 2] * 1e-9 : 0;
        if (json) {
            printf("{\"shape\": \"%s\", \"rows\": %d, \"columns\": %d, \"depth\": %d, \"transposed\": %s, "
                   "\"threads\": %d, \"level\": \"%s\", \"flop\": %.0f, \"anneal_gflops\": %.3f, "
                   "\"openblas_gflops\": %.3f, \"max_abs_diff\": %.3g, \"max_rel_diff\": %.3g, "
                   "\"anneal_max_error\": %.3g, \"openblas_max_error\": %.3g, \"batches\": %d, "
                   "\"calls_per_batch\": %ld, \"openblas\": \"%s\"}\n",
                   s->name, s->rows, s->columns, s->depth, s->transposed ? "true" : "false", threads, level_name,
                   flop, anneal_gflops, blas_gflops, difference, relative, anneal_error, blas_error, batches, calls,
                   openblas_get_config());
        } else {
            printf("| %-36s | %8.3f | %14.1f | %16.1f | %15.2f | %13.2e |\n", s->name, flop * 1e-6, anneal_gflops,
                   blas_gflops, time_anneal && time_blas ? anneal_gflops / blas_gflops : 0.0, relative);
        }
        fflush(stdout);
        free(o.a);
        free(o.b);
        free(o.c_anneal);
        free(o.c_blas);
    }
    return failures ? 1 : 0;
}
