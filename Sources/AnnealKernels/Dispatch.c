// The choice of instruction-set level and the dispatch to its kernels: which level this CPU runs (and how
// ANNEAL_KERNELS lowers it), the table of each level, the one switch over a job's kind, the thresholds'
// predicates, and the entry points that are one call into a level's table (ReLU, column sums, SGD, transposes,
// gathers). Compiled for the baseline target like the rest of the package: only the levels' own files use the
// wider sets, and callers pass a level that anneal_kernels_best_level() found, so the library loads and runs on
// any x86-64 or other CPU.
#include "KernelsInternal.h"

#include <stdlib.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF

// --- The level ---------------------------------------------------------------------------------------------------

static int anneal_kernels_state = -1;  // -1 unknown, else the level (a benign race: every thread finds the same)

/// The widest level this CPU and OS run.
static anneal_kernels_level ak_cpu_level(void) {
#if ANNEAL_HAVE_X86
    __builtin_cpu_init();
    // Both vector levels use FMA too (every CPU with AVX-512 or AVX2 from Intel and AMD has it).
    if (!__builtin_cpu_supports("fma")) return ANNEAL_KERNELS_PORTABLE_NO_FMA;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) return ANNEAL_KERNELS_AVX512;
    if (__builtin_cpu_supports("avx2")) return ANNEAL_KERNELS_AVX2;
#endif
    return ANNEAL_KERNELS_PORTABLE;
}

/// The names ANNEAL_KERNELS takes, by level.
static const char *const ak_level_names[] = {
    [ANNEAL_KERNELS_PORTABLE_NO_FMA] = "portable-no-fma",
    [ANNEAL_KERNELS_PORTABLE] = "portable",
    [ANNEAL_KERNELS_AVX2] = "avx2",
    [ANNEAL_KERNELS_AVX512] = "avx512",
};

anneal_kernels_level anneal_kernels_best_level(void) {
    int state = __atomic_load_n(&anneal_kernels_state, __ATOMIC_RELAXED);
    if (state < 0) {
        anneal_kernels_level level = ak_cpu_level();
        const char *choice = getenv("ANNEAL_KERNELS");
        for (int named = 0; choice && named < (int)(sizeof ak_level_names / sizeof *ak_level_names); named++) {
            if (strcmp(choice, ak_level_names[named]) == 0 && named < (int)level) level = (anneal_kernels_level)named;
        }
        state = (int)level;
        __atomic_store_n(&anneal_kernels_state, state, __ATOMIC_RELAXED);
    }
    return (anneal_kernels_level)state;
}

bool anneal_kernels_supported(anneal_kernels_level level) { return level <= ak_cpu_level(); }

const struct ak_kernels *ak_kernels_at(anneal_kernels_level level) {
    switch (level) {
#if ANNEAL_HAVE_X86
    case ANNEAL_KERNELS_AVX512: return &ak_avx512_kernels;
    case ANNEAL_KERNELS_AVX2: return &ak_avx2_kernels;
    case ANNEAL_KERNELS_PORTABLE: return &ak_portable_fma_kernels;
#endif
    default: return &ak_portable_kernels;
    }
}

// --- Jobs --------------------------------------------------------------------------------------------------------

void ak_job_run(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count) {
    switch (job->kind) {
    case AK_JOB_PRODUCT: job->kernels->product_rows(&job->product, first, count); break;
    case AK_JOB_PRODUCT_PANELS: job->kernels->product_panels(&job->product, first, count); break;
    case AK_JOB_PRODUCT_UNPACKED:
        ak_product_unpacked_rows(&job->product, job->kernels->panel_columns, first, count);
        break;
    case AK_JOB_PACKING: ak_pack_panels(&job->packing, first, count); break;
    case AK_JOB_SGD: job->kernels->sgd(&job->sgd, first, count); break;
    case AK_JOB_TRANSPOSE: job->kernels->transpose(&job->transpose, first, count); break;
    case AK_JOB_GATHER: job->kernels->gather(&job->gather, first, count); break;
    case AK_JOB_TASK: job->task.run(job->task.context); break;
    }
}

// --- Thresholds ----------------------------------------------------------------------------------------------

bool anneal_kernels_product_fuses(ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth) {
    return ak_product_fuses(rows, columns, depth);
}

bool anneal_kernels_product_is_shared(anneal_kernels_level level, ptrdiff_t rows, ptrdiff_t columns,
                                      ptrdiff_t depth) {
    return ak_product_is_shared(ak_kernels_at(level), rows, columns, depth);
}

bool anneal_kernels_update_is_shared(ptrdiff_t count) { return count >= ANNEAL_KERNELS_BIG_UPDATE; }

// --- Entry points that are one call into the level's table ------------------------------------------------------

void anneal_kernels_sgd(anneal_kernels_level level, float *w, float *v, const float *g, ptrdiff_t count,
                        float rate, float momentum, bool nesterov) {
    struct ak_job job = {.kind = AK_JOB_SGD, .kernels = ak_kernels_at(level), .items = count,
                         .sgd = {.w = w, .v = v, .g = g, .rate = rate, .momentum = momentum, .nesterov = nesterov}};
    ak_run(&job, anneal_kernels_update_is_shared(count), 64);
}

void anneal_kernels_column_sums(anneal_kernels_level level, const float *x, ptrdiff_t rows, ptrdiff_t columns,
                                float *sums) {
    ak_kernels_at(level)->column_sums(x, rows, columns, sums);
}

void anneal_kernels_relu_forward(anneal_kernels_level level, float *a, const float *z, ptrdiff_t count) {
    ak_kernels_at(level)->relu_forward(a, z, count);
}

void anneal_kernels_relu_backward(anneal_kernels_level level, float *gradient, const float *z, ptrdiff_t count) {
    ak_kernels_at(level)->relu_backward(gradient, z, count);
}

void anneal_kernels_transpose(anneal_kernels_level level, const float *matrix, ptrdiff_t rows, ptrdiff_t columns,
                              float *transposed) {
    struct ak_job job = {.kind = AK_JOB_TRANSPOSE, .kernels = ak_kernels_at(level), .items = rows,
                         .transpose = {.matrix = matrix, .transposed = transposed, .rows = rows, .columns = columns}};
    // In pieces of 16 rows: 64 bytes of each transposed row, so the threads never write the same cache line.
    ak_run(&job, anneal_kernels_update_is_shared(rows * columns), 16);
}

void anneal_kernels_gather_rows(anneal_kernels_level level, float *destination, float *transposed,
                                const float *source, ptrdiff_t width, const ptrdiff_t *rows, ptrdiff_t count) {
    struct ak_job job = {.kind = AK_JOB_GATHER, .kernels = ak_kernels_at(level), .items = count,
                         .gather = {.destination = destination, .transposed = transposed, .source = source,
                                    .width = width, .rows = rows, .count = count}};
    // A big batch's rows lie all over a big data set: two threads wait for memory side by side, so the
    // waits overlap. Transposed, in pieces of 16 rows like anneal_kernels_transpose.
    ak_run(&job, anneal_kernels_update_is_shared(width * count), transposed ? 16 : 1);
}
