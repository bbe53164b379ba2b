// The x86 levels' shared AVX2 helpers (AVX-512 CPUs have AVX2): masks as lane counts, stores of a vector's
// first lanes, the 8 x 8 transpose in registers, and the narrow tails' 8- and 4-lane arithmetic of
// KernelsISA.h. Included by LevelAVX2.c, LevelAVX512.c and Packing.c, on x86-64 only.
#ifndef ANNEAL_KERNELS_X86_H
#define ANNEAL_KERNELS_X86_H

#include <immintrin.h>
#include <stdint.h>

// A mask is a lane count. Masked loads use vmaskmovps; masked stores go through whole 1-, 2-, 4- and 8-lane
// stores instead, because vmaskmovps to memory is slow on AMD's cores.

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

#endif
