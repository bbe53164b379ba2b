// The AVX2 level: KernelsISA.h with 8-lane vectors and 16 registers, a register block of 6 rows by 2 vectors
// (12 accumulators); and the narrow panels summed across rows through 8 x 8 transposes, which the AVX-512
// level uses too.
#include "KernelsInternal.h"

#pragma STDC FP_CONTRACT OFF

#if ANNEAL_HAVE_X86
#include "KernelsX86.h"

/// A panel of W <= 4 columns with no full vector beside it when a's rows lie apart and each row's depth is
/// contiguous (a_depth_stride 1: the forward products x · W): the tutorial's last 2 of 34 columns and its
/// one-unit output layer. G groups of 8 rows at a time, a slab of depth is first transposed, 8 x 8 in
/// registers, into `across` (one vector per group and step of depth), then summed like the row-vectorized
/// panels in KernelsISA.h, the G groups side by side so that their W chains of dependent adds hide each
/// other's latency. Each c[m][n] sums over k in increasing order like every other block. (Vectorized across
/// columns, such a panel would leave most lanes idle and broadcast every a(m, k) alone.) Both vector levels
/// use it (AVX-512 CPUs have AVX2).
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

__attribute__((noinline, target("avx2,fma"))) void ak_avx2_transposed_panel(
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
#define AK_TRANSPOSE_PART ak_transpose_rows_avx2
#define AK_TRANSPOSED_PANEL ak_avx2_transposed_panel
#include "KernelsISA.h"

#endif  // ANNEAL_HAVE_X86
