// Internal to Anneal: the AVX-512 matrix kernels behind `Sources/Anneal/Kernels.swift`. Not part of the C API
// (`include/anneal.h`); nothing outside the Anneal target calls these.
//
// Every matrix is row-major `float`. The kernels sum in the same order as Anneal's portable Swift loops
// (for each output element, the terms in increasing order of the summed index, starting from the bias or 0),
// each product rounded before it is added (no fused multiply-add): the results are bit-identical to the
// portable loops, which is what keeps the golden Keras runs within 1e-5. They allocate nothing and are safe to call from several threads on
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

/// Whether this CPU and OS run the AVX-512 kernels below (AVX-512F and VL); checked once, then cached.
/// Setting the environment variable ANNEAL_KERNELS=portable before the first call makes it false.
ANNEAL_KERNELS_INTERNAL bool anneal_kernels_avx512(void);

/// `c[m][n] = (init ? init[n] : 0) + Σ_k a(m, k) * b[k][n]` for `m < rows`, `n < columns`, `k < depth`, where
/// `a(m, k) = a[m * a_row_stride + k * a_depth_stride]`, `b` has row stride `b_stride` and `c` row stride
/// `c_stride`. Requires anneal_kernels_avx512().
ANNEAL_KERNELS_INTERNAL void anneal_kernels_gemm_avx512(
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride,
    const float *b, ptrdiff_t b_stride,
    const float *init,
    float *c, ptrdiff_t c_stride,
    ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth);

/// `sums[n] = Σ_r x[r][n]` (r in increasing order) for `n < columns`, `r < rows`, row stride `columns`.
/// Requires anneal_kernels_avx512().
ANNEAL_KERNELS_INTERNAL void anneal_kernels_column_sums_avx512(const float *x, ptrdiff_t rows, ptrdiff_t columns, float *sums);

/// `gradient[i] = 0` where `z[i] <= 0` (ReLU's backward step, in place), for `i < count`.
/// Requires anneal_kernels_avx512().
ANNEAL_KERNELS_INTERNAL void anneal_kernels_relu_backward_avx512(float *gradient, const float *z, ptrdiff_t count);

/// One SGD update, each product rounded before it is used (as `SGD.update`'s Swift loop):
/// momentum 0: `w -= rate * g`; otherwise `v = momentum * v - rate * g` then `w += v`, or with `nesterov`
/// `w += momentum * v - rate * g`. `v` is not read when momentum is 0. Requires anneal_kernels_avx512().
ANNEAL_KERNELS_INTERNAL void anneal_kernels_sgd_avx512(float *w, float *v, const float *g, ptrdiff_t count, float rate, float momentum,
                               bool nesterov);

/// Copies row `rows[k]` of `source` (row width `width`) to row `k` of `destination`, for `k < count`.
/// Requires anneal_kernels_avx512().
ANNEAL_KERNELS_INTERNAL void anneal_kernels_gather_rows_avx512(float *destination, const float *source, ptrdiff_t width,
                                       const ptrdiff_t *rows, ptrdiff_t count);

/// `destination[j][i] = source[i][j]` for a `rows x columns` source. Requires anneal_kernels_avx512().
ANNEAL_KERNELS_INTERNAL void anneal_kernels_transpose_avx512(float *destination, const float *source, ptrdiff_t rows,
                                                             ptrdiff_t columns);

#ifdef __cplusplus
}
#endif

#endif
