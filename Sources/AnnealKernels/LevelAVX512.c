// The AVX-512 level: KernelsISA.h with 16-lane vectors and 32 registers, a register block of 6 rows by 4
// vectors (24 accumulators), masks in mask registers.
#include "KernelsInternal.h"

#pragma STDC FP_CONTRACT OFF

#if ANNEAL_HAVE_X86
#include "KernelsX86.h"

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
// A product's term with a's value broadcast inside the multiply ({1to16}, AVX-512's embedded broadcast): a
// vbroadcastss into a register takes the vector pipes on Zen 4 for about a cycle, which a register block pays
// once per row and step of depth (the tutorial's 6-row block of 2 vectors and a 4-lane tail: 3.5 cycles per
// row and step with it, 2.5 without, in a loop of just those instructions). In inline assembly because clang
// loads a value used by several multiplies once, into a register.
#define AK_BROADCAST_TERM(WIDTH, TYPE, LANES)                                                                  \
    static inline __attribute__((always_inline, target("avx512f,avx512vl,fma")))                                \
    TYPE ak_avx512_mul_at_##WIDTH(const float *p, TYPE y) {                                                    \
        TYPE product;                                                                                          \
        __asm__("vmulps %1%{1to" #LANES "%}, %2, %0" : "=v"(product) : "m"(*p), "v"(y));                      \
        return product;                                                                                        \
    }                                                                                                          \
    static inline __attribute__((always_inline, target("avx512f,avx512vl,fma")))                                \
    TYPE ak_avx512_fma_at_##WIDTH(const float *p, TYPE y, TYPE acc) {                                          \
        __asm__("vfmadd231ps %1%{1to" #LANES "%}, %2, %0" : "+v"(acc) : "m"(*p), "v"(y));                     \
        return acc;                                                                                            \
    }
AK_BROADCAST_TERM(16, __m512, 16)
AK_BROADCAST_TERM(8, __m256, 8)
AK_BROADCAST_TERM(4, __m128, 4)
#undef AK_BROADCAST_TERM
#define AK_V_MUL_AT(p, y) ak_avx512_mul_at_16(p, y)
#define AK_V_FMA_AT(p, y, z) ak_avx512_fma_at_16(p, y, z)
#define AK_8_MUL_AT(p, y) ak_avx512_mul_at_8(p, y)
#define AK_8_FMA_AT(p, y, z) ak_avx512_fma_at_8(p, y, z)
#define AK_4_MUL_AT(p, y) ak_avx512_mul_at_4(p, y)
#define AK_4_FMA_AT(p, y, z) ak_avx512_fma_at_4(p, y, z)
// Both vector levels transpose with AVX2 (AVX-512 CPUs have it).
#define AK_TRANSPOSE_PART ak_transpose_rows_avx2
#define AK_TRANSPOSED_PANEL ak_avx2_transposed_panel
#include "KernelsISA.h"

#endif  // ANNEAL_HAVE_X86
