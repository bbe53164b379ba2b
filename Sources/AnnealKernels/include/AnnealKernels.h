// Internal to Anneal: the vectorized matrix kernels behind `Sources/Anneal/Kernels.swift`. Not part of the C
// API (`include/anneal.h`); nothing outside the Anneal target calls these.
//
// Every matrix is row-major `float`. The kernels sum in one order at every level (for each output element,
// the terms in increasing order of the summed index, starting from the bias or 0), each product rounded
// before it is added, except in the products anneal_kernels_product_fuses names (a million multiply-adds or
// more), whose every term is a fused multiply-add: the results are bit-identical at every level (the tests
// compare each with plain loops written in that order), and the golden Keras runs (whose products are all
// small) stay within 1e-5 on any CPU. They allocate nothing and are safe to call from several threads on
// disjoint outputs.
#ifndef ANNEAL_KERNELS_H
#define ANNEAL_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Linked into libanneal.so but not exported from it: the library's exports are exactly include/anneal.h.
#define ANNEAL_KERNELS_INTERNAL __attribute__((visibility("hidden")))

/// Products of this many multiply-adds or more are big: each of their terms is a fused multiply-add, at every
/// level (anneal_kernels_product_fuses: one instruction instead of two, which products that large, bound by
/// arithmetic, feel), and they are shared with the helper thread (anneal_kernels_product_is_shared: smaller
/// ones run on the calling thread alone, waking the helper costs a few microseconds). The golden Keras runs'
/// largest product, 116 x 34 x 34, is 134 thousand; the tutorial's are 30 thousand.
#define ANNEAL_KERNELS_BIG_PRODUCT 1000000

/// Updates, transposes and gathers of this many values or more are shared with the helper thread
/// (anneal_kernels_update_is_shared: a big model's update streams megabytes, and two cores bring twice the
/// bandwidth); models of this many parameters or more also update layer by layer, inside their
/// parameter-gradient products (Anneal's `Network.layerUpdateMinimum`, anneal_kernels_gemm_sgd).
#define ANNEAL_KERNELS_BIG_UPDATE 65536

/// A big product is shared with the helper thread only when it has this many register blocks of rows or more
/// (anneal_kernels_product_is_shared): fewer leave the two threads too few chunks to balance.
#define ANNEAL_KERNELS_SHARED_BLOCKS 4

/// A shared product whose a (rows x depth) has at most this many floats (a batch of 128 rows of 784 inputs has
/// fewer) and whose b has this many panels of columns or more (an even number of them below twice as many) is
/// shared by panels rather than by rows: each thread then reads, and packs, only its own panels of b, the big
/// operand. A 256-unit layer has 4 panels at AVX-512 (64 columns each), 16 at AVX2.
#define ANNEAL_KERNELS_PANEL_SPLIT_A 131072
#define ANNEAL_KERNELS_PANEL_SPLIT_PANELS 4

/// An instruction-set level, from the narrowest. Every function below that takes one requires a level that
/// anneal_kernels_supported() says this CPU runs.
typedef enum {
    /// The portable level without fused multiply-add instructions: what an x86-64 CPU without FMA runs (the
    /// baseline target, SSE; each fused term computed in double precision and rounded to float once, as an
    /// FMA instruction rounds it). Elsewhere the same code as ANNEAL_KERNELS_PORTABLE. Every x86-64 CPU runs
    /// it, so that the tests and benchmarks can.
    ANNEAL_KERNELS_PORTABLE_NO_FMA = 0,
    /// 128-bit vectors written with clang's portable vector types: every CPU (NEON on aarch64; on x86-64,
    /// SSE with FMA, which every CPU with AVX2 has).
    ANNEAL_KERNELS_PORTABLE = 1,
    /// 256-bit vectors (x86-64 with AVX2 and FMA).
    ANNEAL_KERNELS_AVX2 = 2,
    /// 512-bit vectors (x86-64 with AVX-512F and VL, and FMA).
    ANNEAL_KERNELS_AVX512 = 3,
} anneal_kernels_level;

/// The widest level this CPU and OS run, decided once, then cached: ANNEAL_KERNELS_PORTABLE_NO_FMA on an
/// x86-64 CPU without FMA, ANNEAL_KERNELS_PORTABLE on one without AVX2 and on every other CPU. The
/// environment variable ANNEAL_KERNELS, when set before the first call, lowers it to the level it names
/// (`avx512`, `avx2`, `portable`, `portable-no-fma`; a developer's switch, for tests and benchmarks): never
/// above what the CPU runs; an unknown name changes nothing.
ANNEAL_KERNELS_INTERNAL anneal_kernels_level anneal_kernels_best_level(void);

/// Whether this CPU and OS run `level` (whatever ANNEAL_KERNELS says): lets tests compare the levels.
ANNEAL_KERNELS_INTERNAL bool anneal_kernels_supported(anneal_kernels_level level);

/// Whether a product of this shape (c `rows` x `columns`, summed over `depth`) adds each term as a fused
/// multiply-add, at every level: those of ANNEAL_KERNELS_BIG_PRODUCT multiply-adds or more. The small products
/// of the golden Keras runs keep the rounding that reproduces them (fused, the time-based run drifts from Keras).
ANNEAL_KERNELS_INTERNAL bool anneal_kernels_product_fuses(ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth);

/// `c[m][n] = (init ? init[n] : 0) + Σ_k a(m, k) * b(k, n)` for `m < rows`, `n < columns`, `k < depth`, where
/// `a(m, k) = a[m * a_row_stride + k * a_depth_stride]`, `b(k, n) = b[k * b_depth_stride + n * b_column_stride]`
/// and `c` has row stride `c_stride`. Products of ANNEAL_KERNELS_BIG_PRODUCT multiply-adds or more are shared
/// with the helper thread. A b whose columns are not adjacent (b_column_stride != 1, e.g. a kernel read transposed), and the
/// b of a big product, are first copied into panels in a buffer of the calling thread (grown when needed,
/// kept for the next call, freed at thread exit). A b that cannot be read in place (b_column_stride != 1) and
/// could not be copied for lack of memory is read element by element instead: slower, the same bits.
ANNEAL_KERNELS_INTERNAL void anneal_kernels_gemm(
    anneal_kernels_level level,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride,
    const float *b, ptrdiff_t b_depth_stride, ptrdiff_t b_column_stride,
    const float *init,
    float *c, ptrdiff_t c_stride,
    ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth);

/// The product of anneal_kernels_gemm (without init) used at once as the gradient of the parameters `w`
/// (row stride `w_stride`): instead of storing `c[m][n]`, applies anneal_kernels_sgd's update to `w[m][n]` and
/// its velocity `v[m][n]` (`v` laid out like `w`; not read when momentum is 0) with `c[m][n]` as the
/// gradient, giving the same bits as the product then the update, without writing or reading the gradient.
/// Each thread updates the rows it computed. When `packed_w` is not NULL, each updated parameter is also
/// written there, as anneal_kernels_pack lays out w (`rows` x `columns`, row stride `columns`).
ANNEAL_KERNELS_INTERNAL void anneal_kernels_gemm_sgd(
    anneal_kernels_level level,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride,
    const float *b, ptrdiff_t b_depth_stride, ptrdiff_t b_column_stride,
    float *w, float *v, ptrdiff_t w_stride, float *packed_w,
    ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth,
    float rate, float momentum, bool nesterov);

/// The floats of the copy of b that anneal_kernels_gemm makes at `level` for a product of this shape whose b
/// has adjacent rows and columns (b_depth_stride == columns, b_column_stride 1), or 0 when it reads such a b
/// in place. A caller that computes the same b's products again can keep that copy itself
/// (anneal_kernels_pack, anneal_kernels_gemm_packed), updated by anneal_kernels_gemm_sgd.
ANNEAL_KERNELS_INTERNAL ptrdiff_t anneal_kernels_packed_size(anneal_kernels_level level, ptrdiff_t rows,
                                                             ptrdiff_t columns, ptrdiff_t depth);

/// Copies b (`depth` x `columns`, row stride `columns`) into `packed` (anneal_kernels_packed_size floats):
/// panels of the level's register block width, each panel's rows contiguous.
ANNEAL_KERNELS_INTERNAL void anneal_kernels_pack(anneal_kernels_level level, const float *b, ptrdiff_t columns,
                                                 ptrdiff_t depth, float *packed);

/// anneal_kernels_gemm with b given as anneal_kernels_pack's copy `packed_b`: the same bits, without copying b.
ANNEAL_KERNELS_INTERNAL void anneal_kernels_gemm_packed(
    anneal_kernels_level level,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride,
    const float *packed_b, const float *init,
    float *c, ptrdiff_t c_stride,
    ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth);

/// `sums[n] = Σ_r x[r][n]` (r in increasing order) for `n < columns`, `r < rows`, row stride `columns`.
ANNEAL_KERNELS_INTERNAL void anneal_kernels_column_sums(anneal_kernels_level level, const float *x, ptrdiff_t rows,
                                                        ptrdiff_t columns, float *sums);

/// `a[i] = z[i] <= 0 ? +0 : z[i]` (ReLU, as Swift's `max(z[i], 0)`: NaN stays NaN, -0 becomes +0), for
/// `i < count`.
ANNEAL_KERNELS_INTERNAL void anneal_kernels_relu_forward(anneal_kernels_level level, float *a, const float *z,
                                                         ptrdiff_t count);

/// `gradient[i] = 0` where `z[i] <= 0` (ReLU's backward step, in place), for `i < count`.
ANNEAL_KERNELS_INTERNAL void anneal_kernels_relu_backward(anneal_kernels_level level, float *gradient, const float *z,
                                                          ptrdiff_t count);

/// One SGD update, each product rounded before it is used:
/// momentum 0: `w -= rate * g`; otherwise `v = momentum * v - rate * g` then `w += v`, or with `nesterov`
/// `w += momentum * v - rate * g`. `v` is not read when momentum is 0. Updates of ANNEAL_KERNELS_BIG_UPDATE
/// parameters or more are shared with the helper thread.
ANNEAL_KERNELS_INTERNAL void anneal_kernels_sgd(anneal_kernels_level level, float *w, float *v, const float *g,
                                                ptrdiff_t count, float rate, float momentum, bool nesterov);

/// `transposed[n][m] = matrix[m][n]` for `matrix` `rows` x `columns` (row strides `columns` and `rows`).
/// Transposes of ANNEAL_KERNELS_BIG_UPDATE values or more are shared with the helper thread.
ANNEAL_KERNELS_INTERNAL void anneal_kernels_transpose(anneal_kernels_level level, const float *matrix, ptrdiff_t rows,
                                                      ptrdiff_t columns, float *transposed);

/// Copies row `rows[k]` of `source` (row width `width`) to row `k` of `destination`, for `k < count`, and
/// when `transposed` is not NULL also to its column k (`transposed[n * count + k]`, as anneal_kernels_transpose
/// of `destination` would). Gathers of ANNEAL_KERNELS_BIG_UPDATE values or more are shared with the helper
/// thread.
ANNEAL_KERNELS_INTERNAL void anneal_kernels_gather_rows(anneal_kernels_level level, float *destination,
                                                        float *transposed, const float *source, ptrdiff_t width,
                                                        const ptrdiff_t *rows, ptrdiff_t count);

/// Whether anneal_kernels_gemm at `level` shares a product of this shape with the helper thread, and
/// anneal_kernels_sgd an update of `count` parameters.
ANNEAL_KERNELS_INTERNAL bool anneal_kernels_product_is_shared(anneal_kernels_level level, ptrdiff_t rows,
                                                              ptrdiff_t columns, ptrdiff_t depth);
ANNEAL_KERNELS_INTERNAL bool anneal_kernels_update_is_shared(ptrdiff_t count);

/// Starts `task(context)` on the helper thread and returns true, or returns false, having started nothing,
/// when there is no helper (one CPU, ANNEAL_THREADS=1) or another caller is using it: the caller
/// then runs the task itself. Until the caller's anneal_kernels_task_finish, the helper is the task's, and the
/// caller's own products and updates are computed alone. The task may call any kernel (also alone).
ANNEAL_KERNELS_INTERNAL bool anneal_kernels_task_start(void (*task)(void *context), void *context);

/// Makes the calling thread compute alone (`alone`: its products, updates and tasks never use the helper
/// thread, as under ANNEAL_THREADS=1) or share again (the default); other threads are unaffected. For threads
/// that train side by side, one per core, where the helper would only take CPU from the others. The results
/// are the same either way.
ANNEAL_KERNELS_INTERNAL void anneal_kernels_set_alone(bool alone);
/// Whether the calling thread computes alone (anneal_kernels_set_alone).
ANNEAL_KERNELS_INTERNAL bool anneal_kernels_alone(void);

/// Waits for the task of the calling thread's successful anneal_kernels_task_start to return (everything it
/// wrote is then visible to the caller), and frees the helper.
ANNEAL_KERNELS_INTERNAL void anneal_kernels_task_finish(void);

#ifdef __cplusplus
}
#endif

#endif
