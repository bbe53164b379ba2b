// The portable level's definitions for KernelsISA.h: clang's vector types (`ext_vector_type`) and builtins, no
// instruction-set intrinsics and no target attribute, so that any target's compiler turns them into its own
// vector instructions (aarch64: NEON fmul and fadd for the rounded products, fmla for the fused ones).
// LevelPortable.c includes this file before each portable instantiation of KernelsISA.h (which undefines the
// macros at its end), with its own AK_NAME and AK_TARGET.
//
// Vectors of 4 floats, a 128-bit register on every vector unit. A register block of 6 rows by 2 vectors fits
// x86's 16 vector registers (12 accumulators, the row of b and a broadcast); aarch64's 32 hold 6 by 4.
// Each operation rounds as the x86 intrinsics do (IEEE single precision, one rounding per add, multiply or
// fused multiply-add), and the blocks sum in the same order at every level, so this level gives their bits.
#if !defined(__clang__)
#error "the portable kernels use clang's vector extensions: build AnnealKernels with clang"
#endif

#ifndef ANNEAL_KERNELS_PORTABLE_H
#define ANNEAL_KERNELS_PORTABLE_H

typedef float ak_f4 __attribute__((ext_vector_type(4)));
typedef int ak_i4 __attribute__((ext_vector_type(4)));

#define AK_PORTABLE_INLINE static inline __attribute__((always_inline))

// Whole vectors from and to memory with no alignment required (one unaligned load or store instruction).
AK_PORTABLE_INLINE ak_f4 ak_f4_load(const float *p) {
    ak_f4 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

AK_PORTABLE_INLINE void ak_f4_store(float *p, ak_f4 v) { __builtin_memcpy(p, &v, sizeof v); }

// A mask is a lane count, as at AVX2: the first n lanes are loaded (the others 0) or stored, one float at a
// time, never touching memory past them.
AK_PORTABLE_INLINE ak_f4 ak_f4_load_first(const float *p, int n) {
    if (n >= 4) return ak_f4_load(p);
    ak_f4 v = 0.0f;
    for (int i = 0; i < n; i++) v[i] = p[i];
    return v;
}

AK_PORTABLE_INLINE void ak_f4_store_first(float *p, int n, ak_f4 v) {
    if (n >= 4) {
        ak_f4_store(p, v);
        return;
    }
    for (int i = 0; i < n; i++) p[i] = v[i];
}

typedef double ak_d4 __attribute__((ext_vector_type(4)));
typedef long long ak_l4 __attribute__((ext_vector_type(4)));

/// x * y + z rounded once, as a fused multiply-add instruction rounds it, on a CPU without one (x86-64's
/// baseline), with the double-precision arithmetic every such CPU has: in vector registers, many times faster
/// than the libm call per lane that a fused multiply-add of the baseline otherwise compiles to.
/// The product of two floats is exact in double (24 + 24 bits <= 53, and no overflow or underflow at float
/// exponents). Its sum with z is rounded to odd (Boldo and Melquiond: round to nearest, then, when the sum was
/// inexact and the result's last bit is even, step one unit toward the error that TwoSum recovers exactly),
/// and a value rounded to odd with at least two bits more than float's 24 rounds to float as the exact value
/// would: the one rounding of a fused multiply-add. A sum that is not finite (an infinite or NaN operand) is
/// left as IEEE arithmetic made it.
AK_PORTABLE_INLINE ak_f4 ak_f4_fma_by_doubles(ak_f4 x, ak_f4 y, ak_f4 z) {
    ak_d4 product = __builtin_convertvector(x, ak_d4) * __builtin_convertvector(y, ak_d4);
    ak_d4 addend = __builtin_convertvector(z, ak_d4);
    ak_d4 sum = product + addend;
    // TwoSum (Knuth): sum + error == product + addend exactly.
    ak_d4 product_part = sum - addend, addend_part = sum - product_part;
    ak_d4 error = (product - product_part) + (addend - addend_part);
    ak_l4 bits = (ak_l4)sum;
    // Masks from comparisons of doubles (all-ones lanes where true; cast, as their element type is `long` or
    // `long long` by platform) and integer arithmetic without comparisons, which x86-64's baseline (SSE2) lacks
    // for 64-bit lanes.
    ak_l4 inexact = (ak_l4)(error != 0.0), finite = (ak_l4)(__builtin_elementwise_abs(sum) < __builtin_inf());
    ak_l4 even = (bits & 1) - 1;                                  // all ones where the last bit is 0
    ak_l4 toward_error = ((ak_l4)(error * sum > 0.0) & 2) - 1;  // +1 (away from zero) where the signs agree
    bits += inexact & finite & even & toward_error;
    return __builtin_convertvector((ak_d4)bits, ak_f4);
}

/// g with its lanes set to +0 where z <= 0 (a comparison's lanes are all ones where true): NaN in z keeps g.
AK_PORTABLE_INLINE ak_f4 ak_f4_relu_mask(ak_f4 g, ak_f4 z) { return (ak_f4)((ak_i4)g & ~(z <= 0.0f)); }

#undef AK_PORTABLE_INLINE

#endif  // ANNEAL_KERNELS_PORTABLE_H

#define AK_LANES 4
#define AK_BLOCK_ROWS 6
#if defined(__aarch64__)
#define AK_BLOCK_VECTORS 4
#else
#define AK_BLOCK_VECTORS 2
#endif
// A tail of 4 lanes: at this width a panel's tail is 3 columns at most, so the 8-lane tail of the template
// never runs; it gets the 4-lane type too (an 8-float vector would need AVX on x86-64) and is dropped as dead.
#define ak_v ak_f4
#define ak_v4 ak_f4
#define ak_v8 ak_f4
#define ak_mask int
#define AK_MASK(n) ((n) < 4 ? (int)(n) : 4)
#define AK_MASK_LANES(m) (m)
#define AK_V_ZERO() ((ak_f4)0.0f)
#define AK_V_LOAD(p) ak_f4_load(p)
#define AK_V_STORE(p, v) ak_f4_store(p, v)
#define AK_V_SET1(x) ((ak_f4)(float)(x))
#define AK_V_ADD(x, y) ((x) + (y))
#define AK_V_SUB(x, y) ((x) - (y))
#define AK_V_MUL(x, y) ((x) * (y))
#if defined(AK_PORTABLE_FMA_BY_DOUBLES) && AK_PORTABLE_FMA_BY_DOUBLES
#define AK_V_FMA(x, y, z) ak_f4_fma_by_doubles(x, y, z)
#else
#define AK_V_FMA(x, y, z) __builtin_elementwise_fma(x, y, z)
#endif
#define AK_V_LOADM(p, m) ak_f4_load_first(p, m)
#define AK_V_STOREM(p, m, v) ak_f4_store_first(p, m, v)
#define AK_4_ZERO AK_V_ZERO
#define AK_4_SET1 AK_V_SET1
#define AK_4_ADD AK_V_ADD
#define AK_4_MUL AK_V_MUL
#define AK_4_FMA AK_V_FMA
#define AK_4_STORE AK_V_STORE
#define AK_4_LOADM AK_V_LOADM
#define AK_4_STOREM AK_V_STOREM
#define AK_8_ZERO AK_V_ZERO
#define AK_8_SET1 AK_V_SET1
#define AK_8_ADD AK_V_ADD
#define AK_8_MUL AK_V_MUL
#define AK_8_FMA AK_V_FMA
#define AK_8_STORE AK_V_STORE
#define AK_8_LOADM AK_V_LOADM
#define AK_8_STOREM AK_V_STOREM
#define AK_V_RELU_MASK(g, z) ak_f4_relu_mask(g, z)
#define AK_TRANSPOSE_PART ak_transpose_rows
