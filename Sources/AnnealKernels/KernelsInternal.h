// What the kernels' source files share, and nothing outside Sources/AnnealKernels sees: the jobs (the unit of
// work the helper thread shares), each level's table of kernels, and the few functions one file calls in
// another. Every file here includes it first.
//
//   Dispatch.c       the choice of level, the tables, and the entry points that are one call into a table
//   Products.c       the products' plan (pack b or not, split by rows or by panels) and their entry points
//   Packing.c        packing b into panels, the thread's packing buffer, and the x86 transposes
//   Helper.c         the helper thread: sharing a job's chunks, tasks, judging whether sharing pays
//   LevelAVX2.c, LevelAVX512.c, LevelPortable.c   KernelsISA.h compiled once per level
#ifndef ANNEAL_KERNELS_INTERNAL_H
#define ANNEAL_KERNELS_INTERNAL_H

#include "AnnealKernels.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// The compiler never fuses a multiply into an add: the golden Keras runs are reproduced only with a rounded
// product then a rounded sum (with fused multiply-adds the chaotic time-based run drifts 1e-4 from Keras by
// epoch 20). The big products fuse them on purpose, with the FMA intrinsics and builtins
// (anneal_kernels_product_fuses). Each source file repeats the pragma after including this header, so that
// it holds whatever the compiler does with a pragma at the end of a header.
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__)
#define ANNEAL_HAVE_X86 1
#else
#define ANNEAL_HAVE_X86 0
#endif

/// Fully unrolls a loop over rows or vectors of a register block, so the accumulators stay in registers
/// (without it the 6 x 4 block is left rolled and its accumulators live on the stack).
#if defined(__clang__)
#define AK_UNROLL _Pragma("clang loop unroll(full)")
#else
#define AK_UNROLL _Pragma("GCC unroll 8")
#endif

/// The most columns of a product that the row-vectorized kernels (KernelsISA.h's row_panel) sum whole, as two
/// panels of at most 6 (2 vectors of rows by 6 columns of accumulators fit AVX2's 16 registers).
#define AK_ROW_PANEL_COLUMNS 12

// --- Jobs -------------------------------------------------------------------------------------------------------

/// A matrix product, as anneal_kernels_gemm describes it, or, when `update`, anneal_kernels_gemm_sgd's.
struct ak_product {
    const float *a;
    ptrdiff_t a_row_stride, a_depth_stride;      // a(m, k) = a[m * a_row_stride + k * a_depth_stride]
    const float *b;
    ptrdiff_t b_depth_stride, b_column_stride;   // b(k, n) = b[k * b_depth_stride + n * b_column_stride]
    const float *packed;  // b in panels (ak_pack_part), or NULL to read b in place
    const float *init;    // c's first term per column, or NULL for 0
    float *c;
    ptrdiff_t c_stride, rows, columns, depth;
    bool fused;           // each term a fused multiply-add (anneal_kernels_product_fuses)
    /// Split by panels (AK_JOB_PRODUCT_PANELS): each thread packs its own panels of b into `packed` before it
    /// computes them, by 8 x 8 blocks in AVX2 registers when `packs_by_blocks` (see struct ak_packing).
    bool packs_panels, packs_by_blocks;
    /// An updating product: c holds parameters that each c[m][n] updates as their gradient, by anneal_kernels_sgd's
    /// rule (rate, momentum, nesterov), with the velocities `v` laid out like c; each updated parameter also goes
    /// to `packed_w` (in the panels a product reading c packs) when it is not NULL.
    bool update;
    float rate, momentum;
    bool nesterov;
    float *v;
    float *packed_w;
};

/// Copies b (`depth` x `columns`, b(k, n) as in struct ak_product) into panels of `panel` columns at `packed`:
/// the panel of columns [n, n + w) at `packed + n * depth`, its rows w apart.
struct ak_packing {
    const float *b;
    ptrdiff_t b_depth_stride, b_column_stride;
    float *packed;
    ptrdiff_t columns, depth, panel;
    /// b read transposed with its depth contiguous, packed 8 x 8 in AVX2 registers (the x86 levels only).
    bool by_blocks;
};

/// anneal_kernels_sgd's update of `w` (and `v`, not read when momentum is 0) by the gradients `g`.
struct ak_sgd {
    float *w, *v;
    const float *g;
    float rate, momentum;
    bool nesterov;
};

/// `transposed[n][m] = matrix[m][n]` for a `rows` x `columns` matrix (row strides `columns` and `rows`).
struct ak_transpose {
    const float *matrix;
    float *transposed;
    ptrdiff_t rows, columns;
};

/// anneal_kernels_gather_rows: row k of `destination` is row rows[k] of `source` (`width` wide), for k < count,
/// and, when `transposed` is not NULL, also its column k.
struct ak_gather {
    float *destination, *transposed;
    const float *source;
    ptrdiff_t width;
    const ptrdiff_t *rows;
    ptrdiff_t count;
};

/// A task (anneal_kernels_task_start): `run(context)`.
struct ak_task {
    void (*run)(void *context);
    void *context;
};

/// What a job computes, and which member of its union describes it.
enum ak_job_kind {
    AK_JOB_PRODUCT,           // product: its rows, by the level's blocks
    AK_JOB_PRODUCT_PANELS,    // product: its panels of columns, all rows of each
    AK_JOB_PRODUCT_UNPACKED,  // product: its rows, one c[m][n] at a time (a transposed b that could not be packed)
    AK_JOB_PACKING,           // packing: its panels
    AK_JOB_SGD,               // sgd: its parameters
    AK_JOB_TRANSPOSE,         // transpose: the rows of its matrix
    AK_JOB_GATHER,            // gather: the rows it gathers
    AK_JOB_TASK,              // task: one item, the whole task
};

/// A unit of work that the helper thread can share: `items` that any thread computes any range of
/// (ak_job_run), in chunks (ak_run), at the level whose table is `kernels`.
struct ak_job {
    enum ak_job_kind kind;
    const struct ak_kernels *kernels;
    ptrdiff_t items;
    union {
        struct ak_product product;
        struct ak_packing packing;
        struct ak_sgd sgd;
        struct ak_transpose transpose;
        struct ak_gather gather;
        struct ak_task task;
    };
};

// --- Levels -----------------------------------------------------------------------------------------------------

/// One level's kernels (each instantiation of KernelsISA.h ends with its table), and the shape of its register
/// block.
struct ak_kernels {
    ptrdiff_t panel_columns;  // columns per panel of a packed b: a register block's
    ptrdiff_t block_rows;     // rows of a register block: a shared product is cut into chunks of whole blocks
    void (*product_rows)(const struct ak_product *product, ptrdiff_t first, ptrdiff_t count);
    void (*product_panels)(const struct ak_product *product, ptrdiff_t first, ptrdiff_t count);
    void (*sgd)(const struct ak_sgd *sgd, ptrdiff_t first, ptrdiff_t count);
    void (*transpose)(const struct ak_transpose *transpose, ptrdiff_t first, ptrdiff_t count);
    void (*gather)(const struct ak_gather *gather, ptrdiff_t first, ptrdiff_t count);
    void (*column_sums)(const float *x, ptrdiff_t rows, ptrdiff_t columns, float *sums);
    void (*relu_forward)(float *a, const float *z, ptrdiff_t count);
    void (*relu_backward)(float *gradient, const float *z, ptrdiff_t count);
};

/// The tables (LevelAVX2.c, LevelAVX512.c, LevelPortable.c). On x86-64 the portable source is compiled twice:
/// ak_portable_kernels for the baseline target (ANNEAL_KERNELS_PORTABLE_NO_FMA), ak_portable_fma_kernels
/// with FMA (ANNEAL_KERNELS_PORTABLE); elsewhere ak_portable_kernels serves both.
#if ANNEAL_HAVE_X86
ANNEAL_KERNELS_INTERNAL extern const struct ak_kernels ak_avx512_kernels;
ANNEAL_KERNELS_INTERNAL extern const struct ak_kernels ak_avx2_kernels;
ANNEAL_KERNELS_INTERNAL extern const struct ak_kernels ak_portable_fma_kernels;
#endif
ANNEAL_KERNELS_INTERNAL extern const struct ak_kernels ak_portable_kernels;

/// The table of `level` (Dispatch.c).
ANNEAL_KERNELS_INTERNAL const struct ak_kernels *ak_kernels_at(anneal_kernels_level level);

/// anneal_kernels_product_fuses and _is_shared (for the level whose table is `kernels`), inline: every product
/// asks both.
static inline bool ak_product_fuses(ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth) {
    return (double)rows * (double)columns * (double)depth >= ANNEAL_KERNELS_BIG_PRODUCT;
}

static inline bool ak_product_is_shared(const struct ak_kernels *kernels, ptrdiff_t rows, ptrdiff_t columns,
                                        ptrdiff_t depth) {
    return ak_product_fuses(rows, columns, depth) && rows >= ANNEAL_KERNELS_SHARED_BLOCKS * kernels->block_rows;
}

// --- Between the files ------------------------------------------------------------------------------------------

/// Computes items `[first, first + count)` of `job` (Dispatch.c): the one place a job's kind is read.
ANNEAL_KERNELS_INTERNAL void ak_job_run(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count);

/// Runs `job` split over the caller and the helper thread when `shared` and the helper is free, else alone
/// (Helper.c). `granule` is the smallest piece worth a chunk of its own (a register block's rows, ...).
ANNEAL_KERNELS_INTERNAL void ak_run(const struct ak_job *job, bool shared, ptrdiff_t granule);

/// Room for `count` floats in the calling thread's packing buffer, or NULL when memory is short (Packing.c).
ANNEAL_KERNELS_INTERNAL float *ak_pack_buffer(size_t count);

/// Panels `[first, first + count)` of a packing (Packing.c).
ANNEAL_KERNELS_INTERNAL void ak_pack_panels(const struct ak_packing *packing, ptrdiff_t first, ptrdiff_t count);

/// Rows `[first, first + count)` of a transpose, one value at a time: the portable levels' (Packing.c).
ANNEAL_KERNELS_INTERNAL void ak_transpose_rows(const struct ak_transpose *transpose, ptrdiff_t first,
                                               ptrdiff_t count);

/// Rows `[first, first + count)` of a product, one c[m][n] at a time, over k in increasing order from init, each
/// term rounded or fused as in the blocks; `panel`: the level's panel width, where an updated parameter goes in
/// packed_w (Products.c).
ANNEAL_KERNELS_INTERNAL void ak_product_unpacked_rows(const struct ak_product *product, ptrdiff_t panel,
                                                      ptrdiff_t first, ptrdiff_t count);

#if ANNEAL_HAVE_X86
/// Rows of a transpose, 8 x 8 in AVX2 registers: both x86 levels' (Packing.c).
ANNEAL_KERNELS_INTERNAL void ak_transpose_rows_avx2(const struct ak_transpose *transpose, ptrdiff_t first,
                                                    ptrdiff_t count);

/// A narrow panel of a product whose a has its depth contiguous, summed across rows through 8 x 8 transposes
/// (LevelAVX2.c): both x86 levels use it.
ANNEAL_KERNELS_INTERNAL void ak_avx2_transposed_panel(int width, bool fused, const float *a, ptrdiff_t ars,
                                                      ptrdiff_t depth, const float *b, ptrdiff_t bs,
                                                      const float *init, float *c, ptrdiff_t cs, ptrdiff_t count);
#endif

/// One parameter's SGD step with gradient `g`, in an updating product: `w` lies in `product->c`, its velocity
/// at the same place in `product->v`. The same operations, in the same order, as the vectorized update
/// (KernelsISA.h's sgd_step), so a parameter gets the same bits whichever computes it. `panel`: the width of
/// the panels of packed_w.
static inline void ak_update_one(const struct ak_product *product, ptrdiff_t panel, float *w, float g) {
    float step = product->rate * g;
    float *v = product->v + (w - product->c);
    float updated;
    if (product->momentum == 0) {
        updated = *w - step;
    } else {
        float velocity = product->momentum * *v - step;
        *v = velocity;
        updated = *w + (product->nesterov ? product->momentum * velocity - step : velocity);
    }
    *w = updated;
    if (product->packed_w) {
        // Parameter (i, j) of the panel of `panel` columns from column n sits at n * rows + i * width + j - n.
        ptrdiff_t offset = w - product->c, i = offset / product->c_stride, j = offset % product->c_stride;
        ptrdiff_t n = j - j % panel;
        ptrdiff_t width = product->columns - n < panel ? product->columns - n : panel;
        product->packed_w[n * product->rows + i * width + (j - n)] = updated;
    }
}

#endif
