// Anneal's dense-layer kernels (see include/AnnealKernels.h): the instruction-set levels and their choice at
// run time, the helper thread that shares big products, and the entry points. The kernels themselves are in
// KernelsISA.h, compiled here once per level: AVX2 and AVX-512 (x86-64 only), and the portable level, written
// with clang's vector types (KernelsPortable.h), which every CPU runs. The file is compiled for the baseline
// target like the rest of the package: only the kernels use the wider sets, and callers pass a level that
// anneal_kernels_best_level() found, so the library loads and runs on any x86-64 or other CPU.
#define _GNU_SOURCE  // sched_getaffinity, CPU_COUNT
#include "AnnealKernels.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// The compiler never fuses a multiply into an add: the golden Keras runs are reproduced only with a rounded
// product then a rounded sum (with fused multiply-adds the chaotic time-based run drifts 1e-4 from Keras by
// epoch 20). The big products fuse them on purpose, with the FMA intrinsics and builtins
// (anneal_kernels_product_fuses).
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__)
#include <immintrin.h>
#define ANNEAL_HAVE_X86 1
/// What a thread does in each round of polling: lets the other hyperthread of the core run.
#define AK_SPIN_WAIT() _mm_pause()
#else
#define ANNEAL_HAVE_X86 0
#if defined(__aarch64__)
#define AK_SPIN_WAIT() __asm__ __volatile__("yield")
#else
#define AK_SPIN_WAIT() ((void)0)
#endif
#endif

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

bool anneal_kernels_product_fuses(ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth) {
    return (double)rows * (double)columns * (double)depth >= ANNEAL_KERNELS_BIG_PRODUCT;
}

/// A matrix product (as anneal_kernels_gemm describes it), an SGD update or a task, cut into row ranges that
/// `part` computes: the unit of work the helper thread shares.
struct ak_job {
    void (*part)(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count);
    ptrdiff_t rows;  // product: rows of c (split by columns: panels); update: parameters
    ptrdiff_t product_rows;  // product split by columns: rows of c
    const float *a;
    ptrdiff_t a_row_stride, a_depth_stride;
    const float *b;
    ptrdiff_t b_depth_stride, b_column_stride;  // b(k, n) = b[k * b_depth_stride + n * b_column_stride]
    const float *init;
    float *c;
    ptrdiff_t c_stride, columns, depth;
    const float *packed;  // product: b in panels (ak_pack_part), or NULL to read b in place
    /// product split by columns: packs each thread's panels of b into `packed` before it computes them, or NULL
    void (*pack)(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count);
    ptrdiff_t panel;      // packing: columns per panel (the job's rows are panels; it writes them to c)
    float *w, *v;  // update: parameters w, velocities v, gradients g
    const float *g;
    float rate, momentum;
    bool nesterov;
    bool update;  // product: c holds parameters that each c[m][n] updates (rate, momentum, nesterov, v) as their gradient
    bool fused;   // product: each term a fused multiply-add (anneal_kernels_product_fuses)
    float *packed_w;  // update: also receives each updated parameter, in the panels a product reading w packs
    const ptrdiff_t *row_indices;  // gather: row k of c (`columns` wide) is row row_indices[k] of b
    float *transposed;             // gather: also receives the rows as columns (row stride `rows`), or NULL
    void (*task)(void *context);  // a task (anneal_kernels_task_start): one row, run by ak_task_part
    void *context;
};

/// One parameter's SGD step with gradient `g`, for a product that updates (`update`): `w` lies in `job->c`,
/// its velocity at the same place in `job->v`. The same operations, in the same order, as the vectorized
/// update (KernelsISA.h's sgd_step), so a parameter gets the same bits whichever computes it.
static inline void ak_update_one(const struct ak_job *job, ptrdiff_t panel, float *w, float g) {
    float step = job->rate * g;
    float *v = job->v + (w - job->c);
    float updated;
    if (job->momentum == 0) {
        updated = *w - step;
    } else {
        float velocity = job->momentum * *v - step;
        *v = velocity;
        updated = *w + (job->nesterov ? job->momentum * velocity - step : velocity);
    }
    *w = updated;
    if (job->packed_w) {
        // Parameter (i, j) of the panel of `panel` columns from column n sits at n * rows + i * width + j - n.
        ptrdiff_t offset = w - job->c, i = offset / job->c_stride, j = offset % job->c_stride, n = j - j % panel;
        ptrdiff_t width = job->columns - n < panel ? job->columns - n : panel;
        job->packed_w[n * job->rows + i * width + (j - n)] = updated;
    }
}

/// The most columns of a product that the row-vectorized kernels (KernelsISA.h's row_panel) sum whole, as two
/// panels of at most 6 (2 vectors of rows by 6 columns of accumulators fit AVX2's 16 registers).
#define AK_ROW_PANEL_COLUMNS 12

/// Fully unrolls a loop over rows or vectors of a register block, so the accumulators stay in registers
/// (without it the 6 x 4 block is left rolled and its accumulators live on the stack).
#if defined(__clang__)
#define AK_UNROLL _Pragma("clang loop unroll(full)")
#else
#define AK_UNROLL _Pragma("GCC unroll 8")
#endif

/// One level's kernels (each instantiation of KernelsISA.h ends with its table): the parts of its jobs, its
/// elementwise kernels, and the shape of its register block.
struct ak_kernels {
    ptrdiff_t panel_columns;  // columns per panel of a packed b: a register block's
    ptrdiff_t block_rows;     // rows of a register block: a shared product is cut into chunks of whole blocks
    void (*gemm_part)(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count);
    void (*gemm_columns_part)(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count);
    void (*sgd_part)(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count);
    void (*gather_part)(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count);
    void (*gather_transposed_part)(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count);
    void (*transpose_part)(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count);
    void (*column_sums)(const float *x, ptrdiff_t rows, ptrdiff_t columns, float *sums);
    void (*relu_forward)(float *a, const float *z, ptrdiff_t count);
    void (*relu_backward)(float *gradient, const float *z, ptrdiff_t count);
};

#if ANNEAL_HAVE_X86

// --- AVX2: 8 lanes, 16 registers: a block of 6 rows by 2 vectors (12 accumulators) -----------------------
// A mask is a lane count. Masked loads use vmaskmovps; masked stores go through a stack copy instead,
// because vmaskmovps to memory is slow on AMD's cores (it showed in the batch gather and the block stores).

/// -1 then 0: the 8 ints from `ak_avx2_lanes + 8 - n` select the first n lanes.
static const int32_t ak_avx2_lanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

static inline __attribute__((always_inline, target("avx2"))) __m256i ak_avx2_first(int n) {
    return _mm256_loadu_si256((const __m256i *)(ak_avx2_lanes + 8 - n));
}

/// Stores the first `n` lanes of `v` (n <= 4) at `p`, in whole 1-, 2- or 4-lane stores.
static inline __attribute__((always_inline, target("avx2"))) void ak_avx2_store_first4(float *p, int n, __m128 v) {
    if (n >= 4) {
        _mm_storeu_ps(p, v);
    } else if (n >= 2) {
        _mm_storel_pi((__m64 *)p, v);
        if (n == 3) _mm_store_ss(p + 2, _mm_movehl_ps(v, v));
    } else if (n == 1) {
        _mm_store_ss(p, v);
    }
}

/// Stores the first `n` lanes of `v` (n <= 8) at `p`.
static inline __attribute__((always_inline, target("avx2"))) void ak_avx2_store_first(float *p, int n, __m256 v) {
    if (n >= 8) {
        _mm256_storeu_ps(p, v);
    } else if (n >= 4) {
        _mm_storeu_ps(p, _mm256_castps256_ps128(v));
        ak_avx2_store_first4(p + 4, n - 4, _mm256_extractf128_ps(v, 1));
    } else {
        ak_avx2_store_first4(p, n, _mm256_castps256_ps128(v));
    }
}

/// Transposes the 8 x 8 block in t (t[i] holds row i) in registers: afterwards t[q] holds column q.
static inline __attribute__((always_inline, target("avx2"))) void ak_avx2_transpose8(__m256 t[8]) {
    __m256 u0 = _mm256_unpacklo_ps(t[0], t[1]), u1 = _mm256_unpackhi_ps(t[0], t[1]);
    __m256 u2 = _mm256_unpacklo_ps(t[2], t[3]), u3 = _mm256_unpackhi_ps(t[2], t[3]);
    __m256 u4 = _mm256_unpacklo_ps(t[4], t[5]), u5 = _mm256_unpackhi_ps(t[4], t[5]);
    __m256 u6 = _mm256_unpacklo_ps(t[6], t[7]), u7 = _mm256_unpackhi_ps(t[6], t[7]);
    __m256 s0 = _mm256_shuffle_ps(u0, u2, _MM_SHUFFLE(1, 0, 1, 0)), s1 = _mm256_shuffle_ps(u0, u2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s2 = _mm256_shuffle_ps(u1, u3, _MM_SHUFFLE(1, 0, 1, 0)), s3 = _mm256_shuffle_ps(u1, u3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s4 = _mm256_shuffle_ps(u4, u6, _MM_SHUFFLE(1, 0, 1, 0)), s5 = _mm256_shuffle_ps(u4, u6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s6 = _mm256_shuffle_ps(u5, u7, _MM_SHUFFLE(1, 0, 1, 0)), s7 = _mm256_shuffle_ps(u5, u7, _MM_SHUFFLE(3, 2, 3, 2));
    t[0] = _mm256_permute2f128_ps(s0, s4, 0x20); t[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    t[1] = _mm256_permute2f128_ps(s1, s5, 0x20); t[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    t[2] = _mm256_permute2f128_ps(s2, s6, 0x20); t[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    t[3] = _mm256_permute2f128_ps(s3, s7, 0x20); t[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/// A panel of W <= 4 columns with no full vector beside it when a's rows lie apart and each row's depth is
/// contiguous (a_depth_stride 1: the forward products x · W): the tutorial's last 2 of 34 columns and its
/// one-unit output layer. G groups of 8 rows at a time, a slab of depth is first transposed, 8 x 8 in
/// registers, into `across` (one vector per group and step of depth), then summed like the row-vectorized
/// panels in KernelsISA.h, the G groups side by side so that their W chains of dependent adds hide each
/// other's latency. Each c[m][n] sums over k in increasing order like every other block. (Column-vectorized,
/// these panels idled most lanes and broadcast every a(m, k) alone.) Both vector levels use it (AVX-512 CPUs
/// have AVX2).
enum { AK_SLAB = 64 };

static inline __attribute__((always_inline, target("avx2,fma"))) void ak_avx2_transposed_panel_wg(
    const int W, const int G, const bool FUSED, const float *a, ptrdiff_t ars, ptrdiff_t depth, const float *b,
    ptrdiff_t bs, const float *init, float *c, ptrdiff_t cs, ptrdiff_t rows)
{
    __attribute__((aligned(32))) float across[AK_SLAB][32];
    __m256 acc[4][4];
    AK_UNROLL
    for (int g = 0; g < G; g++) {
        AK_UNROLL
        for (int j = 0; j < W; j++) acc[g][j] = init ? _mm256_set1_ps(init[j]) : _mm256_setzero_ps();
    }
    for (ptrdiff_t k0 = 0; k0 < depth; k0 += AK_SLAB) {
        ptrdiff_t slab = depth - k0 < AK_SLAB ? depth - k0 : AK_SLAB;
        for (int g = 0; g < G; g++) {
            // Rows past the end repeat the last one; their lanes are computed and dropped.
            const float *row[8];
            for (int i = 0; i < 8; i++) row[i] = a + (8 * g + i < rows ? 8 * g + i : rows - 1) * ars + k0;
            for (ptrdiff_t k = 0; k < slab; k += 8) {
                __m256 t[8];
                if (slab - k >= 8) {
                    AK_UNROLL
                    for (int i = 0; i < 8; i++) t[i] = _mm256_loadu_ps(row[i] + k);
                } else {
                    __m256i first = ak_avx2_first((int)(slab - k));
                    AK_UNROLL
                    for (int i = 0; i < 8; i++) t[i] = _mm256_maskload_ps(row[i] + k, first);
                }
                ak_avx2_transpose8(t);
                AK_UNROLL
                for (int q = 0; q < 8; q++) _mm256_store_ps(across[k + q] + 8 * g, t[q]);
            }
        }
        const float *bk = b + k0 * bs;
        for (ptrdiff_t k = 0; k < slab; k++, bk += bs) {
            __m256 bj[4];
            AK_UNROLL
            for (int j = 0; j < W; j++) bj[j] = _mm256_set1_ps(bk[j]);
            AK_UNROLL
            for (int g = 0; g < G; g++) {
                __m256 av = _mm256_load_ps(across[k] + 8 * g);
                AK_UNROLL
                for (int j = 0; j < W; j++) {
                    acc[g][j] = FUSED ? _mm256_fmadd_ps(av, bj[j], acc[g][j])
                                      : _mm256_add_ps(acc[g][j], _mm256_mul_ps(av, bj[j]));
                }
            }
        }
    }
    AK_UNROLL
    for (int g = 0; g < G; g++) {
        AK_UNROLL
        for (int j = 0; j < W; j++) {
            float values[8];
            _mm256_storeu_ps(values, acc[g][j]);
            for (int i = 0; i < 8 && 8 * g + i < rows; i++) c[(8 * g + i) * cs + j] = values[i];
        }
    }
}

/// Groups of 8 rows side by side for a panel of W columns (G x W accumulators within the registers).
#define AK_TRANSPOSED_GROUPS(W) ((W) <= 2 ? 4 : 3)
#define AK_TRANSPOSED_CASE(W, G) \
    case G: ak_avx2_transposed_panel_wg(W, G, FUSED, a + m * ars, ars, depth, b, bs, init, c + m * cs, cs, rows); break;
#define AK_TRANSPOSED_W(W)                                                                                  \
    for (ptrdiff_t m = 0; m < count;) {                                                                     \
        ptrdiff_t groups = (count - m + 7) / 8;                                                             \
        int g = (int)(groups < AK_TRANSPOSED_GROUPS(W) ? groups : AK_TRANSPOSED_GROUPS(W));                 \
        ptrdiff_t rows = count - m < 8 * g ? count - m : 8 * g;                                             \
        switch (g) {                                                                                        \
        AK_TRANSPOSED_CASE(W, 4) AK_TRANSPOSED_CASE(W, 3) AK_TRANSPOSED_CASE(W, 2)                          \
        default: ak_avx2_transposed_panel_wg(W, 1, FUSED, a + m * ars, ars, depth, b, bs, init, c + m * cs, cs, rows); break; \
        }                                                                                                   \
        m += rows;                                                                                          \
    }

#define AK_TRANSPOSED_WIDTHS                                                                                \
    switch (width) {                                                                                        \
    case 4: AK_TRANSPOSED_W(4) break;                                                                       \
    case 3: AK_TRANSPOSED_W(3) break;                                                                       \
    case 2: AK_TRANSPOSED_W(2) break;                                                                       \
    default: AK_TRANSPOSED_W(1) break;                                                                      \
    }

static __attribute__((noinline, target("avx2,fma"))) void ak_avx2_transposed_panel(
    int width, bool fused, const float *a, ptrdiff_t ars, ptrdiff_t depth, const float *b, ptrdiff_t bs,
    const float *init, float *c, ptrdiff_t cs, ptrdiff_t count)
{
    if (fused) {
        const bool FUSED = true;
        AK_TRANSPOSED_WIDTHS
    } else {
        const bool FUSED = false;
        AK_TRANSPOSED_WIDTHS
    }
}

#undef AK_TRANSPOSED_GROUPS
#undef AK_TRANSPOSED_CASE
#undef AK_TRANSPOSED_W
#undef AK_TRANSPOSED_WIDTHS

// The narrow tails' 8- and 4-lane arithmetic, the same at both x86 levels (their masked loads and stores
// differ).
#define ak_v8 __m256
#define ak_v4 __m128
#define AK_8_ZERO() _mm256_setzero_ps()
#define AK_8_SET1(x) _mm256_set1_ps(x)
#define AK_8_ADD(x, y) _mm256_add_ps(x, y)
#define AK_8_MUL(x, y) _mm256_mul_ps(x, y)
#define AK_8_FMA(x, y, z) _mm256_fmadd_ps(x, y, z)
#define AK_8_STORE(p, v) _mm256_storeu_ps(p, v)
#define AK_4_ZERO() _mm_setzero_ps()
#define AK_4_SET1(x) _mm_set1_ps(x)
#define AK_4_ADD(x, y) _mm_add_ps(x, y)
#define AK_4_MUL(x, y) _mm_mul_ps(x, y)
#define AK_4_FMA(x, y, z) _mm_fmadd_ps(x, y, z)
#define AK_4_STORE(p, v) _mm_storeu_ps(p, v)

/// Rows of a transpose job, 8 x 8 in registers (defined with the packing below).
static __attribute__((target("avx2"))) void ak_transpose_part(const struct ak_job *job, ptrdiff_t first,
                                                              ptrdiff_t count);

#define AK_NAME(x) ak_avx2_##x
#define AK_TARGET __attribute__((target("avx2,fma")))
#define AK_LANES 8
#define AK_BLOCK_ROWS 6
#define AK_BLOCK_VECTORS 2
#define ak_v __m256
#define ak_mask int
#define AK_MASK(n) ((n) < 8 ? (int)(n) : 8)
#define AK_MASK_LANES(m) (m)
#define AK_V_ZERO() _mm256_setzero_ps()
#define AK_V_LOAD(p) _mm256_loadu_ps(p)
#define AK_V_STORE(p, v) _mm256_storeu_ps(p, v)
#define AK_V_SET1(x) _mm256_set1_ps(x)
#define AK_V_ADD(x, y) _mm256_add_ps(x, y)
#define AK_V_SUB(x, y) _mm256_sub_ps(x, y)
#define AK_V_MUL(x, y) _mm256_mul_ps(x, y)
#define AK_V_FMA(x, y, z) _mm256_fmadd_ps(x, y, z)
#define AK_V_LOADM(p, m) _mm256_maskload_ps(p, ak_avx2_first(m))
#define AK_V_STOREM(p, m, v) ak_avx2_store_first(p, m, v)
#define AK_8_LOADM(p, m) _mm256_maskload_ps(p, ak_avx2_first(m))
#define AK_8_STOREM(p, m, v) ak_avx2_store_first(p, m, v)
#define AK_4_LOADM(p, m) _mm_maskload_ps(p, _mm256_castsi256_si128(ak_avx2_first(m)))
#define AK_4_STOREM(p, m, v) ak_avx2_store_first4(p, m, v)
#define AK_V_RELU_MASK(g, z) _mm256_andnot_ps(_mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_LE_OQ), g)
#define AK_TRANSPOSE_PART ak_transpose_part
#define AK_TRANSPOSED_PANEL ak_avx2_transposed_panel
#include "KernelsISA.h"

// --- AVX-512: 16 lanes, 32 registers: a block of 6 rows by 4 vectors (24 accumulators) --------------------
#define AK_NAME(x) ak_avx512_##x
#define AK_TARGET __attribute__((target("avx512f,avx512vl,fma")))
#define AK_LANES 16
#define AK_BLOCK_ROWS 6
#define AK_BLOCK_VECTORS 4
#define ak_v __m512
#define ak_mask __mmask16
#define AK_MASK(n) ((__mmask16)((n) >= 16 ? 0xFFFFu : (1u << (n)) - 1u))
#define AK_MASK_LANES(m) __builtin_popcount((unsigned)(m))
#define AK_V_ZERO() _mm512_setzero_ps()
#define AK_V_LOAD(p) _mm512_loadu_ps(p)
#define AK_V_STORE(p, v) _mm512_storeu_ps(p, v)
#define AK_V_SET1(x) _mm512_set1_ps(x)
#define AK_V_ADD(x, y) _mm512_add_ps(x, y)
#define AK_V_SUB(x, y) _mm512_sub_ps(x, y)
#define AK_V_MUL(x, y) _mm512_mul_ps(x, y)
#define AK_V_FMA(x, y, z) _mm512_fmadd_ps(x, y, z)
#define AK_V_LOADM(p, m) _mm512_maskz_loadu_ps(m, p)
#define AK_V_STOREM(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define AK_8_LOADM(p, m) _mm256_maskz_loadu_ps((__mmask8)(m), p)
#define AK_8_STOREM(p, m, v) _mm256_mask_storeu_ps(p, (__mmask8)(m), v)
#define AK_4_LOADM(p, m) _mm_maskz_loadu_ps((__mmask8)(m), p)
#define AK_4_STOREM(p, m, v) _mm_mask_storeu_ps(p, (__mmask8)(m), v)
#define AK_V_RELU_MASK(g, z) \
    _mm512_mask_mov_ps(g, _mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_LE_OQ), _mm512_setzero_ps())
// Both vector levels transpose with AVX2 (AVX-512 CPUs have it).
#define AK_TRANSPOSE_PART ak_transpose_part
#define AK_TRANSPOSED_PANEL ak_avx2_transposed_panel
#include "KernelsISA.h"
#undef ak_v8
#undef ak_v4
#undef AK_8_ZERO
#undef AK_8_SET1
#undef AK_8_ADD
#undef AK_8_MUL
#undef AK_8_FMA
#undef AK_8_STORE
#undef AK_4_ZERO
#undef AK_4_SET1
#undef AK_4_ADD
#undef AK_4_MUL
#undef AK_4_FMA
#undef AK_4_STORE

#endif  // ANNEAL_HAVE_X86

// --- Portable: clang's vector types (KernelsPortable.h), on every CPU ----------------------------------------
// Compiled for the baseline target, as the rest of the library: an aarch64 build runs it on NEON. On x86-64,
// a fused multiply-add of that build is a libm call per lane (correct, slow: the baseline has no FMA), so the
// same source is compiled a second time with FMA allowed; the portable level runs that copy where the CPU has
// FMA, which makes it, on such a CPU, what an aarch64 build runs: 128-bit vectors with fused multiply-adds.

/// Rows of a transpose job, one value at a time (the portable level's: a copy is the same whichever way it is
/// made).
static void ak_transpose_part_scalar(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count) {
    const float *b = job->b;
    float *c = job->c;
    for (ptrdiff_t n = 0; n < job->columns; n++) {
        for (ptrdiff_t m = first; m < first + count; m++) c[n * job->rows + m] = b[m * job->columns + n];
    }
}

#define AK_NAME(x) ak_portable_##x
#define AK_TARGET
#include "KernelsPortable.h"
#include "KernelsISA.h"
#if ANNEAL_HAVE_X86
#define AK_NAME(x) ak_portable_fma_##x
#define AK_TARGET __attribute__((target("fma")))
#include "KernelsPortable.h"
#include "KernelsISA.h"
#endif

// --- Two cores: big products, and tasks ----------------------------------------------------------------------
// One helper thread (created on first need, only when this process may run on 2 or more CPUs and
// ANNEAL_THREADS is not 1) shares big products with the caller: the rows are cut into chunks that both
// threads claim one at a time, so when the other core is busy (a shared machine) the caller simply does more
// of the chunks itself instead of waiting for a fixed half. Each output row is computed exactly as in the
// serial code, so the split never changes a result. Or it runs a whole task beside the caller (a small
// model's validation while the next epoch trains, anneal_kernels_task_start), which the caller takes back and
// runs itself if the helper has not begun it when the caller needs its result. One caller at a time uses the
// helper; a concurrent caller (another model training on another thread) computes alone, so Anneal never runs
// more than two compute threads of its own. Where sharing loses time (the helper's core busy with another
// process), the caller notices and computes alone for a while (ak_judge).

static pthread_mutex_t ak_owner = PTHREAD_MUTEX_INITIALIZER;   // held by the caller using the helper
static pthread_mutex_t ak_mutex = PTHREAD_MUTEX_INITIALIZER;   // guards ak_posted and the helper's sleep
static pthread_cond_t ak_cond = PTHREAD_COND_INITIALIZER;       // a product was posted
static pthread_cond_t ak_done = PTHREAD_COND_INITIALIZER;       // the helper finished a product's last chunk
static int ak_helper_state = 0;                                 // 0 not started, 1 running, -1 unavailable
// The shared product, written under ak_mutex by ak_owner's holder only (who may read it without the mutex).
static struct ak_job ak_posted;
static ptrdiff_t ak_posted_chunk_rows, ak_posted_chunks;
static uint32_t ak_posted_generation = 0;        // written under ak_mutex, polled without it
/// (generation << 32) | next chunk to claim: a chunk is claimed only while its product is the current one.
static uint64_t ak_claims = 0;
/// Chunks of the current product finished (by either thread).
static ptrdiff_t ak_finished = 0;

/// Claims and computes chunks of product `generation` until none is left; `helper`: on the helper thread, which
/// then wakes the caller after the last chunk (the caller, finishing it, has nobody to wake). Returns how many
/// chunks this thread computed.
static ptrdiff_t ak_work(uint32_t generation, const struct ak_job *job, ptrdiff_t chunk_rows, ptrdiff_t chunks,
                         bool helper) {
    for (ptrdiff_t done = 0;; done++) {
        uint64_t claim = __atomic_load_n(&ak_claims, __ATOMIC_ACQUIRE);
        ptrdiff_t chunk;
        do {
            if ((uint32_t)(claim >> 32) != generation || (ptrdiff_t)(claim & 0xFFFFFFFFu) >= chunks) return done;
            chunk = (ptrdiff_t)(claim & 0xFFFFFFFFu);
        } while (!__atomic_compare_exchange_n(&ak_claims, &claim, claim + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
        ptrdiff_t first = chunk * chunk_rows;
        ptrdiff_t rows = job->rows - first < chunk_rows ? job->rows - first : chunk_rows;
        job->part(job, first, rows);
        if (__atomic_add_fetch(&ak_finished, 1, __ATOMIC_ACQ_REL) == chunks && helper) {
            // The helper finished the product's last chunk: wake the caller if it went to sleep waiting.
            pthread_mutex_lock(&ak_mutex);
            pthread_cond_broadcast(&ak_done);
            pthread_mutex_unlock(&ak_mutex);
        }
    }
}

/// How long the helper keeps polling for the next product before it sleeps: a batch's products come tens of
/// microseconds apart, and a futex wake-up costs about as much again on a busy machine.
enum { AK_SPIN_ROUNDS = 4000, AK_WAIT_ROUNDS = 2000 };

static void *ak_helper_main(void *start) {
    // Waits for generations after the one current when it was created (passed in: reading it here would
    // race with the first product, posted right after creation).
    uint32_t seen = (uint32_t)(uintptr_t)start;
    for (;;) {
        for (int round = 0; round < AK_SPIN_ROUNDS; round++) {
            if (__atomic_load_n(&ak_posted_generation, __ATOMIC_ACQUIRE) != seen) break;
            AK_SPIN_WAIT();
        }
        pthread_mutex_lock(&ak_mutex);
        while (ak_posted_generation == seen) pthread_cond_wait(&ak_cond, &ak_mutex);
        seen = ak_posted_generation;
        struct ak_job job = ak_posted;
        ptrdiff_t chunk_rows = ak_posted_chunk_rows, chunks = ak_posted_chunks;
        pthread_mutex_unlock(&ak_mutex);
        ak_work(seen, &job, chunk_rows, chunks, true);
    }
    return NULL;
}

static void ak_after_fork_in_child(void) {
    // The helper does not exist in a forked child: start afresh there.
    pthread_mutex_init(&ak_owner, NULL);
    pthread_mutex_init(&ak_mutex, NULL);
    pthread_cond_init(&ak_cond, NULL);
    pthread_cond_init(&ak_done, NULL);
    ak_helper_state = 0;
}

/// Starts the helper if it may and has not been; called with ak_owner held. Returns whether it runs.
static bool ak_helper_available(void) {
    if (ak_helper_state != 0) return ak_helper_state == 1;
    ak_helper_state = -1;
    const char *threads = getenv("ANNEAL_THREADS");
    if (threads && strcmp(threads, "1") == 0) return false;
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof cpus, &cpus) != 0 || CPU_COUNT(&cpus) < 2) return false;
    // The helper blocks every signal, so that SIGINT and friends still reach the caller's threads.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    pthread_mutex_lock(&ak_mutex);
    uintptr_t start = (uintptr_t)ak_posted_generation;
    pthread_mutex_unlock(&ak_mutex);
    int failed = pthread_create(&thread, &attributes, ak_helper_main, (void *)start);
    pthread_attr_destroy(&attributes);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (failed) return false;
    static int registered = 0;
    if (!registered) {
        pthread_atfork(NULL, NULL, ak_after_fork_in_child);
        registered = 1;
    }
    ak_helper_state = 1;
    return true;
}

// --- Sharing only where it pays ---
// A shared job is only as fast as the slower thread's last chunk. When another process holds part of the
// helper's core, the scheduler may take that core from the helper in the middle of a chunk and give it back
// only a time slice (milliseconds) later: the caller, out of chunks, waits for that one chunk far longer than
// it would have taken to compute the whole job alone, and two threads train slower than one. Chunks the helper
// has not claimed never hold the caller up (it claims them itself), so only a claimed chunk can; and only the
// caller's clock can tell. So the caller
// judges every shared job by its own pace: had it computed all the chunks at the rate it computed its own,
// would the job have ended sooner? Then sharing lost time, and the caller computes alone for a while
// (ak_alone_until), then tries again; each loss in a row doubles the pause, each job that paid halves it. The
// pause decides only who computes the rows, never how: the results stay the same bits.

/// The shortest and longest pause in sharing after a shared job lost time, in nanoseconds: a few batches of
/// the big network, and half a second (a loss costs about a time slice, a few milliseconds, so retrying that
/// rarely costs about 1 % when the helper's core stays busy).
enum { AK_PAUSE_LEAST = 2000000, AK_PAUSE_MOST = 500000000 };
// Written by ak_owner's holder only.
static uint64_t ak_alone_until = 0;         // no sharing before this time (ak_now), 0: none
static uint64_t ak_pause = AK_PAUSE_LEAST;  // the next pause

/// A monotonic clock, in nanoseconds.
static uint64_t ak_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/// Judges a shared job that began at `start` and was posted by `posted`, where the caller computed `mine` of
/// its `chunks` by `own` and the last chunk ended at `end` (see above). A job lost when it ended more than one
/// of the caller's chunks later than the caller alone would have, at the pace of its own chunks: a helper that
/// arrives late (woken from its sleep) and takes the last chunk costs about one chunk, which is no reason to
/// stop; a helper taken off its core costs a time slice, hundreds of chunks. A job the caller computed none of
/// lost too: the caller was off its core from the post to the end (on a loaded machine the helper, woken by
/// the post, can take the caller's own core: the two threads then take turns on one core, and the post itself
/// lasts a time slice). Called with ak_owner held.
static void ak_judge(uint64_t start, uint64_t posted, uint64_t own, uint64_t end, ptrdiff_t mine,
                     ptrdiff_t chunks) {
    if (mine == chunks) return;  // the helper took no part
    double chunk = mine > 0 ? (double)(own - posted) / (double)mine : 0;
    if (mine == 0 || (double)(end - start) > chunk * (double)(chunks + 1)) {
        ak_alone_until = end + ak_pause;
        ak_pause = ak_pause * 2 < AK_PAUSE_MOST ? ak_pause * 2 : AK_PAUSE_MOST;
    } else {
        ak_pause = ak_pause / 2 > AK_PAUSE_LEAST ? ak_pause / 2 : AK_PAUSE_LEAST;
    }
}

/// Takes the helper for the calling thread (ak_owner), starting it on first use; false when it is busy with
/// another caller, there is none, or sharing is paused (the caller then computes alone).
static bool ak_take_helper(void) {
    if (pthread_mutex_trylock(&ak_owner) != 0) return false;
    if (ak_helper_available()) {
        if (ak_alone_until == 0) return true;
        if (ak_now() >= ak_alone_until) {
            ak_alone_until = 0;
            return true;
        }
    }
    pthread_mutex_unlock(&ak_owner);
    return false;
}

/// Posts `job` to the helper in chunks of `chunk_rows` rows (the caller holds ak_owner); returns its generation.
static uint32_t ak_post(const struct ak_job *job, ptrdiff_t chunk_rows) {
    pthread_mutex_lock(&ak_mutex);
    uint32_t generation = ak_posted_generation + 1;
    ak_posted = *job;
    ak_posted_chunk_rows = chunk_rows;
    ak_posted_chunks = (job->rows + chunk_rows - 1) / chunk_rows;
    __atomic_store_n(&ak_finished, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&ak_claims, (uint64_t)generation << 32, __ATOMIC_RELEASE);
    __atomic_store_n(&ak_posted_generation, generation, __ATOMIC_RELEASE);  // last: the helper may be polling it
    pthread_cond_signal(&ak_cond);
    pthread_mutex_unlock(&ak_mutex);
    return generation;
}

/// Computes the posted job's chunks that the helper has not claimed, waits for those it has, and frees the
/// helper. Polls briefly, then sleeps: if another process has taken the helper's core, sleeping frees this
/// core for the scheduler to move the helper here.
/// `start` and `posted`: when the job began and when it was posted, to judge it by (ak_judge), or 0 not to
/// (a task).
static void ak_finish_posted(uint64_t start, uint64_t posted) {
    uint32_t generation = __atomic_load_n(&ak_posted_generation, __ATOMIC_ACQUIRE);
    ptrdiff_t chunks = ak_posted_chunks;
    ptrdiff_t mine = ak_work(generation, &ak_posted, ak_posted_chunk_rows, chunks, false);
    uint64_t own = start ? ak_now() : 0;
    for (int round = 0; round < AK_WAIT_ROUNDS && __atomic_load_n(&ak_finished, __ATOMIC_ACQUIRE) != chunks; round++) {
        AK_SPIN_WAIT();
    }
    if (__atomic_load_n(&ak_finished, __ATOMIC_ACQUIRE) != chunks) {
        pthread_mutex_lock(&ak_mutex);
        while (__atomic_load_n(&ak_finished, __ATOMIC_ACQUIRE) != chunks) pthread_cond_wait(&ak_done, &ak_mutex);
        pthread_mutex_unlock(&ak_mutex);
    }
    if (start) ak_judge(start, posted, own, ak_now(), mine, chunks);
    pthread_mutex_unlock(&ak_owner);
}

/// Runs `job` split over the caller and the helper when `shared` and the helper is free, else alone.
/// `granule` is the smallest piece worth its own chunk (a register block's rows; a vector's lanes).
static void ak_run(const struct ak_job *job, bool shared, ptrdiff_t granule) {
    if (!shared || !ak_take_helper()) {
        job->part(job, 0, job->rows);
        return;
    }
    // About 48 chunks, each a whole number of granules: the thread that finishes first waits for at most
    // one chunk of the other's, small beside the whole (with 16, a 128-row product had 11 chunks of 12 rows:
    // 6 against 5). A claim costs well under a microsecond, so many chunks cost less than an uneven split.
    ptrdiff_t granules = (job->rows + granule - 1) / granule;
    uint64_t start = ak_now();
    ak_post(job, ((granules + 47) / 48) * granule);
    uint64_t posted = ak_now();
    ak_finish_posted(start, posted);
}

/// A task is a job of one row: whichever thread claims that row first runs it, so the caller takes back a
/// task the helper has not begun by anneal_kernels_task_finish.
static void ak_task_part(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count) {
    (void)first;
    (void)count;
    job->task(job->context);
}

bool anneal_kernels_task_start(void (*task)(void *context), void *context) {
    if (!ak_take_helper()) return false;
    struct ak_job job = {.part = ak_task_part, .rows = 1, .task = task, .context = context};
    ak_post(&job, 1);
    return true;  // ak_owner stays held until anneal_kernels_task_finish
}

void anneal_kernels_task_finish(void) { ak_finish_posted(0, 0); }

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

/// Room for `count` floats in the calling thread's buffer, or NULL when memory is short (the product then
/// reads b in place).
static float *ak_pack_buffer(size_t count) {
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

/// Panels `[first, first + count)` of a packing job: copies b(k, n) into panels of `panel` columns, the panel
/// of columns [n, n + w) at `c + n * depth` with its rows w apart. The inner loop walks whichever of b's
/// strides is 1, so the reads stay sequential.
static void ak_pack_part(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count) {
    const float *restrict b = job->b;
    float *restrict packed = job->c;
    const ptrdiff_t ks = job->b_depth_stride, ns = job->b_column_stride, depth = job->depth;
    for (ptrdiff_t n = first * job->panel; n < (first + count) * job->panel && n < job->columns; n += job->panel) {
        ptrdiff_t width = job->columns - n < job->panel ? job->columns - n : job->panel;
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

/// Panels `[first, first + count)` of a packing job whose b is read transposed with its depth contiguous
/// (b_depth_stride 1: a kernel in the input gradient's product delta · Wᵀ), 8 x 8 in registers: copied one
/// float at a time, each store would go to another cache line; transposed by blocks, each store is a whole
/// row of 8, and the packing costs little beside the product it serves.
static __attribute__((target("avx2"))) void ak_pack_transposed_part(const struct ak_job *job, ptrdiff_t first,
                                                                    ptrdiff_t count) {
    const float *restrict b = job->b;
    float *restrict packed = job->c;
    const ptrdiff_t ns = job->b_column_stride, depth = job->depth;
    for (ptrdiff_t n = first * job->panel; n < (first + count) * job->panel && n < job->columns; n += job->panel) {
        ptrdiff_t width = job->columns - n < job->panel ? job->columns - n : job->panel;
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

/// The packing of panels at `level` for a b with these strides.
static void (*ak_pack_part_for(anneal_kernels_level level, ptrdiff_t b_depth_stride,
                               ptrdiff_t b_column_stride))(const struct ak_job *, ptrdiff_t, ptrdiff_t) {
#if ANNEAL_HAVE_X86
    if (level >= ANNEAL_KERNELS_AVX2 && b_depth_stride == 1 && b_column_stride != 1) return ak_pack_transposed_part;
#else
    (void)level; (void)b_depth_stride; (void)b_column_stride;
#endif
    return ak_pack_part;
}

// --- Transposes -------------------------------------------------------------------------------------------------
// A gradient product reads its a transposed (xᵀ · delta). Copied transposed once per batch, its rows are read
// in order: the updating product then streams a instead of taking a new cache line at every step of depth.

#if ANNEAL_HAVE_X86

/// Rows `[first, first + count)` of a transpose job: `c[n][m] = b[m][n]` for those rows m of b (`rows` x
/// `columns`, row stride `columns`; c's row stride `rows`), 8 x 8 in registers (AVX2, which AVX-512 CPUs have).
static __attribute__((target("avx2"))) void ak_transpose_part(const struct ak_job *job, ptrdiff_t first,
                                                              ptrdiff_t count) {
    const float *b = job->b;
    float *c = job->c;
    const ptrdiff_t rows = job->rows, columns = job->columns;
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

// --- Entry points: the level picks the instruction set ------------------------------------------------------

/// The kernels of `level`. On x86-64 the portable level's source is compiled twice (see the portable section):
/// ANNEAL_KERNELS_PORTABLE runs the copy with FMA, ANNEAL_KERNELS_PORTABLE_NO_FMA the baseline one.
static const struct ak_kernels *ak_kernels_at(anneal_kernels_level level) {
    switch (level) {
#if ANNEAL_HAVE_X86
    case ANNEAL_KERNELS_AVX512: return &ak_avx512_kernels;
    case ANNEAL_KERNELS_AVX2: return &ak_avx2_kernels;
    case ANNEAL_KERNELS_PORTABLE: return &ak_portable_fma_kernels;
#endif
    default: return &ak_portable_kernels;
    }
}

bool anneal_kernels_product_is_shared(anneal_kernels_level level, ptrdiff_t rows, ptrdiff_t columns,
                                      ptrdiff_t depth) {
    ptrdiff_t block_rows = ak_kernels_at(level)->block_rows;
    return (double)rows * (double)columns * (double)depth >= ANNEAL_KERNELS_BIG_PRODUCT && rows >= 4 * block_rows;
}

bool anneal_kernels_update_is_shared(ptrdiff_t count) { return count >= ANNEAL_KERNELS_BIG_UPDATE; }

/// Copies b (depth x columns) into panels at `packed` (see ak_pack_part), shared with the helper when `shared`.
static void ak_pack(anneal_kernels_level level, const float *b, ptrdiff_t b_depth_stride, ptrdiff_t b_column_stride,
                    ptrdiff_t columns, ptrdiff_t depth, float *packed, bool shared) {
    ptrdiff_t panel = ak_kernels_at(level)->panel_columns;
    // A big product's b is packed by both threads, panel by panel: that also has the helper running when the
    // product comes.
    struct ak_job pack = {.part = ak_pack_part_for(level, b_depth_stride, b_column_stride),
                          .rows = (columns + panel - 1) / panel, .b = b,
                          .b_depth_stride = b_depth_stride, .b_column_stride = b_column_stride, .c = packed,
                          .columns = columns, .depth = depth, .panel = panel};
    ak_run(&pack, shared, 1);
}

/// Whether a product of this shape copies b into panels when b's columns are adjacent (b_column_stride 1,
/// rows `b_depth_stride` apart); a b read transposed is always copied.
static bool ak_packs_b(anneal_kernels_level level, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth,
                       ptrdiff_t b_depth_stride) {
    return anneal_kernels_product_is_shared(level, rows, columns, depth) &&
           (columns > ak_kernels_at(level)->panel_columns || b_depth_stride != columns);
}

/// The largest a (rows x depth, floats) of a product shared by panels of columns (a batch of 128 rows of 784
/// inputs is under it).
static const double ak_column_split_a = 128.0 * 1024.0;

/// Rows `[first, first + count)` of a product whose b is read transposed and could not be packed for lack of
/// memory (rare: the blocks read b's rows in place only when its columns are adjacent): each c[m][n] summed
/// alone, over k in increasing order from init, each term rounded or fused as in the blocks (job->panel:
/// the level's panel width, where an updated parameter goes in packed_w).
static void ak_gemm_unpacked_part(const struct ak_job *job, ptrdiff_t first, ptrdiff_t count) {
    for (ptrdiff_t m = first; m < first + count; m++) {
        for (ptrdiff_t n = 0; n < job->columns; n++) {
            float sum = job->init ? job->init[n] : 0.0f;
            for (ptrdiff_t k = 0; k < job->depth; k++) {
                float x = job->a[m * job->a_row_stride + k * job->a_depth_stride];
                float y = job->b[k * job->b_depth_stride + n * job->b_column_stride];
                sum = job->fused ? __builtin_fmaf(x, y, sum) : sum + x * y;
            }
            float *out = job->c + m * job->c_stride + n;
            if (job->update) {
                ak_update_one(job, job->panel, out, sum);
            } else {
                *out = sum;
            }
        }
    }
}

/// Computes the product `job` describes (its operands and shape set, and `packed` when b comes packed
/// already; `part` is set here).
static void ak_gemm(anneal_kernels_level level, struct ak_job *job) {
    const struct ak_kernels *kernels = ak_kernels_at(level);
    job->part = kernels->gemm_part;
    job->fused = anneal_kernels_product_fuses(job->rows, job->columns, job->depth);
    bool big = anneal_kernels_product_is_shared(level, job->rows, job->columns, job->depth);
    bool in_place = job->b_column_stride == 1;
    // A product with a small a (a batch's rows) and many columns is shared by panels of columns: each thread
    // then reads only its panels of b, the big operand (half the memory traffic each), and packs them itself
    // when b needs packing, so the packing is shared too. A big a is shared by rows instead, so that it is
    // read once.
    ptrdiff_t panels = (job->columns + kernels->panel_columns - 1) / kernels->panel_columns;
    bool by_columns =
        big && !job->update && panels >= 8 && (double)job->rows * (double)job->depth <= ak_column_split_a;
    if (!job->packed &&
        (!in_place || ak_packs_b(level, job->rows, job->columns, job->depth, job->b_depth_stride))) {
        float *packed = ak_pack_buffer((size_t)job->depth * (size_t)job->columns);
        if (packed) {
            if (by_columns) {
                job->pack = ak_pack_part_for(level, job->b_depth_stride, job->b_column_stride);
            } else {
                ak_pack(level, job->b, job->b_depth_stride, job->b_column_stride, job->columns, job->depth, packed,
                        big);
            }
            job->packed = packed;
        } else if (!in_place) {
            job->part = ak_gemm_unpacked_part;
            job->panel = kernels->panel_columns;
            ak_run(job, false, 1);
            return;
        }
    }
    if (by_columns) {
        struct ak_job by_panels = *job;
        by_panels.part = kernels->gemm_columns_part;
        by_panels.product_rows = job->rows;
        by_panels.rows = panels;
        ak_run(&by_panels, true, 1);
        return;
    }
    // Shared in chunks of whole register blocks.
    ak_run(job, big, kernels->block_rows);
}

void anneal_kernels_gemm(
    anneal_kernels_level level,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride,
    const float *b, ptrdiff_t b_depth_stride, ptrdiff_t b_column_stride,
    const float *init,
    float *c, ptrdiff_t c_stride,
    ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth)
{
    struct ak_job job = {
        .rows = rows, .a = a, .a_row_stride = a_row_stride, .a_depth_stride = a_depth_stride, .b = b,
        .b_depth_stride = b_depth_stride, .b_column_stride = b_column_stride, .init = init, .c = c,
        .c_stride = c_stride, .columns = columns, .depth = depth};
    ak_gemm(level, &job);
}

ptrdiff_t anneal_kernels_packed_size(anneal_kernels_level level, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth) {
    return ak_packs_b(level, rows, columns, depth, columns) ? columns * depth : 0;
}

void anneal_kernels_pack(anneal_kernels_level level, const float *b, ptrdiff_t columns, ptrdiff_t depth,
                         float *packed) {
    ak_pack(level, b, columns, 1, columns, depth, packed, anneal_kernels_update_is_shared(columns * depth));
}

void anneal_kernels_gemm_packed(
    anneal_kernels_level level,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride,
    const float *packed_b, const float *init,
    float *c, ptrdiff_t c_stride,
    ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth)
{
    struct ak_job job = {
        .rows = rows, .a = a, .a_row_stride = a_row_stride, .a_depth_stride = a_depth_stride, .b = packed_b,
        .b_column_stride = 1, .packed = packed_b, .init = init, .c = c, .c_stride = c_stride, .columns = columns,
        .depth = depth};
    ak_gemm(level, &job);
}

void anneal_kernels_gemm_sgd(
    anneal_kernels_level level,
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride,
    const float *b, ptrdiff_t b_depth_stride, ptrdiff_t b_column_stride,
    float *w, float *v, ptrdiff_t w_stride, float *packed_w,
    ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth,
    float rate, float momentum, bool nesterov)
{
    struct ak_job job = {
        .rows = rows, .a = a, .a_row_stride = a_row_stride, .a_depth_stride = a_depth_stride, .b = b,
        .b_depth_stride = b_depth_stride, .b_column_stride = b_column_stride, .c = w, .c_stride = w_stride,
        .columns = columns, .depth = depth, .update = true, .v = v, .rate = rate, .momentum = momentum,
        .nesterov = nesterov, .packed_w = packed_w};
    ak_gemm(level, &job);
}

void anneal_kernels_sgd(anneal_kernels_level level, float *w, float *v, const float *g, ptrdiff_t count,
                        float rate, float momentum, bool nesterov) {
    struct ak_job job = {.part = ak_kernels_at(level)->sgd_part, .rows = count, .w = w, .v = v, .g = g,
                         .rate = rate, .momentum = momentum, .nesterov = nesterov};
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
    struct ak_job job = {.part = ak_kernels_at(level)->transpose_part, .rows = rows, .columns = columns,
                         .b = matrix, .c = transposed};
    // In pieces of 16 rows: 64 bytes of each transposed row, so the threads never write the same cache line.
    ak_run(&job, anneal_kernels_update_is_shared(rows * columns), 16);
}

void anneal_kernels_gather_rows(anneal_kernels_level level, float *destination, float *transposed,
                                const float *source, ptrdiff_t width, const ptrdiff_t *rows, ptrdiff_t count) {
    const struct ak_kernels *kernels = ak_kernels_at(level);
    struct ak_job job = {.part = transposed ? kernels->gather_transposed_part : kernels->gather_part,
                         .rows = count, .b = source, .c = destination, .columns = width, .row_indices = rows,
                         .transposed = transposed};
    // A big batch's rows lie all over a big data set: two threads wait for memory side by side, so the
    // waits overlap. Transposed, in pieces of 16 rows like anneal_kernels_transpose.
    ak_run(&job, anneal_kernels_update_is_shared(width * count), transposed ? 16 : 1);
}
