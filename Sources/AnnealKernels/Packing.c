// Where the products read b from, and the transposes: the calling thread's packing buffer, packing b into
// panels (one float at a time, or 8 x 8 in AVX2 registers at the x86 levels), and the transposes of a matrix
// (one value at a time at the portable levels, 8 x 8 in AVX2 registers at the x86 ones). A copy gives the same
// values whichever way it is made, so the levels may copy differently.
#include "KernelsInternal.h"

#include <pthread.h>
#include <stdlib.h>

#pragma STDC FP_CONTRACT OFF

#if ANNEAL_HAVE_X86
#include "KernelsX86.h"
#endif

// --- Packing b -----------------------------------------------------------------------------------------------
// A big product's b (a 784 x 256 kernel: 800 kB) read in place puts each step of depth on another cache line
// and, every 4 kB, on another page; copied into panels whose rows are contiguous, each panel is read as one
// stream, and the copy costs one pass over b against the many passes of the product. A b read transposed
// (the input gradient's kernel) is packed whatever its size: the copy is the transpose. Only where b is read
// changes, so the sums do not.

/// The calling thread's packing buffer: grown when a product needs more and kept, so that steady training
/// allocates nothing; freed when the thread exits.
static __thread float *ak_pack_data = NULL;
static __thread size_t ak_pack_capacity = 0;
static pthread_key_t ak_pack_key;
static pthread_once_t ak_pack_key_once = PTHREAD_ONCE_INIT;

static void ak_pack_key_create(void) { pthread_key_create(&ak_pack_key, free); }

// ak_pack_buffer: room for `count` floats in the calling thread's buffer, or NULL when memory is short (the
// product then reads b in place, or element by element).
float *ak_pack_buffer(size_t count) {
    if (count <= ak_pack_capacity) return ak_pack_data;
    pthread_once(&ak_pack_key_once, ak_pack_key_create);
    void *grown = NULL;
    if (posix_memalign(&grown, 64, count * sizeof(float)) != 0) return NULL;
    free(ak_pack_data);
    ak_pack_data = grown;
    ak_pack_capacity = count;
    pthread_setspecific(ak_pack_key, grown);  // the key's destructor frees it at thread exit
    return grown;
}

/// Panels `[first, first + count)` of a packing, one float at a time. The inner loop walks whichever of b's
/// strides is 1, so the reads stay sequential.
static void ak_pack_floats(const struct ak_packing *packing, ptrdiff_t first, ptrdiff_t count) {
    const float *restrict b = packing->b;
    float *restrict packed = packing->packed;
    const ptrdiff_t ks = packing->b_depth_stride, ns = packing->b_column_stride, depth = packing->depth;
    const ptrdiff_t panel = packing->panel, columns = packing->columns;
    for (ptrdiff_t n = first * panel; n < (first + count) * panel && n < columns; n += panel) {
        ptrdiff_t width = columns - n < panel ? columns - n : panel;
        float *to = packed + n * depth;
        if (ns == 1) {
            for (ptrdiff_t k = 0; k < depth; k++) {
                for (ptrdiff_t j = 0; j < width; j++) to[k * width + j] = b[k * ks + n + j];
            }
        } else {
            for (ptrdiff_t j = 0; j < width; j++) {
                for (ptrdiff_t k = 0; k < depth; k++) to[k * width + j] = b[k * ks + (n + j) * ns];
            }
        }
    }
}

#if ANNEAL_HAVE_X86

/// Panels `[first, first + count)` of a packing whose b is read transposed with its depth contiguous
/// (b_depth_stride 1: a kernel in the input gradient's product delta · Wᵀ), 8 x 8 in registers: copied one
/// float at a time, each store would go to another cache line; transposed by blocks, each store is a whole
/// row of 8, and the packing costs little beside the product it serves.
static __attribute__((target("avx2"))) void ak_pack_blocks(const struct ak_packing *packing, ptrdiff_t first,
                                                           ptrdiff_t count) {
    const float *restrict b = packing->b;
    float *restrict packed = packing->packed;
    const ptrdiff_t ns = packing->b_column_stride, depth = packing->depth;
    const ptrdiff_t panel = packing->panel, columns = packing->columns;
    for (ptrdiff_t n = first * panel; n < (first + count) * panel && n < columns; n += panel) {
        ptrdiff_t width = columns - n < panel ? columns - n : panel;
        float *to = packed + n * depth;
        ptrdiff_t j = 0;
        for (; j + 8 <= width; j += 8) {
            const float *from = b + (n + j) * ns;  // b(k, n + j + i) = from[i * ns + k]
            ptrdiff_t k = 0;
            for (; k + 8 <= depth; k += 8) {
                __m256 t[8];
                for (int i = 0; i < 8; i++) t[i] = _mm256_loadu_ps(from + i * ns + k);
                ak_avx2_transpose8(t);
                for (int q = 0; q < 8; q++) _mm256_storeu_ps(to + (k + q) * width + j, t[q]);
            }
            for (; k < depth; k++) {
                for (int i = 0; i < 8; i++) to[k * width + j + i] = from[i * ns + k];
            }
        }
        for (; j < width; j++) {
            for (ptrdiff_t k = 0; k < depth; k++) to[k * width + j] = b[(n + j) * ns + k];
        }
    }
}

#endif  // ANNEAL_HAVE_X86

void ak_pack_panels(const struct ak_packing *packing, ptrdiff_t first, ptrdiff_t count) {
#if ANNEAL_HAVE_X86
    if (packing->by_blocks) {
        ak_pack_blocks(packing, first, count);
        return;
    }
#endif
    ak_pack_floats(packing, first, count);
}

// --- Transposes -------------------------------------------------------------------------------------------------
// A gradient product reads its a transposed (xᵀ · delta). Copied transposed once per batch, its rows are read
// in order: the updating product then streams a instead of taking a new cache line at every step of depth.

/// Rows `[first, first + count)` of a transpose, one value at a time (the portable levels').
void ak_transpose_rows(const struct ak_transpose *transpose, ptrdiff_t first, ptrdiff_t count) {
    const float *b = transpose->matrix;
    float *c = transpose->transposed;
    for (ptrdiff_t n = 0; n < transpose->columns; n++) {
        for (ptrdiff_t m = first; m < first + count; m++) c[n * transpose->rows + m] = b[m * transpose->columns + n];
    }
}

#if ANNEAL_HAVE_X86

/// Rows `[first, first + count)` of a transpose: `c[n][m] = b[m][n]` for those rows m of b (`rows` x
/// `columns`, row stride `columns`; c's row stride `rows`), 8 x 8 in registers (AVX2, which AVX-512 CPUs have).
__attribute__((target("avx2"))) void ak_transpose_rows_avx2(const struct ak_transpose *transpose, ptrdiff_t first,
                                                            ptrdiff_t count) {
    const float *b = transpose->matrix;
    float *c = transpose->transposed;
    const ptrdiff_t rows = transpose->rows, columns = transpose->columns;
    for (ptrdiff_t m = first; m < first + count; m += 8) {
        int height = (int)(first + count - m < 8 ? first + count - m : 8);
        ptrdiff_t n = 0;
        for (; n + 8 <= columns; n += 8) {
            __m256 t[8];
            // Rows past the end repeat the last one; their lanes are not stored.
            for (int i = 0; i < 8; i++) t[i] = _mm256_loadu_ps(b + (m + (i < height ? i : height - 1)) * columns + n);
            ak_avx2_transpose8(t);
            for (int q = 0; q < 8; q++) ak_avx2_store_first(c + (n + q) * rows + m, height, t[q]);
        }
        for (; n < columns; n++) {
            for (int i = 0; i < height; i++) c[n * rows + m + i] = b[(m + i) * columns + n];
        }
    }
}

#endif  // ANNEAL_HAVE_X86
