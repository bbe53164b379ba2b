// The portable level: KernelsISA.h written with clang's vector types (KernelsPortable.h), for every CPU.
// Compiled for the baseline target, as the rest of the library: an aarch64 build runs it on NEON. On x86-64,
// the baseline has no fused multiply-add instruction, so that build computes its fused terms in double
// precision (ak_f4_fma_by_doubles: the same bits), and the same source is compiled a second time with FMA
// allowed: ANNEAL_KERNELS_PORTABLE runs that copy, which makes it, on an x86-64 CPU, what an aarch64 build
// runs (128-bit vectors with fused multiply-adds), and ANNEAL_KERNELS_PORTABLE_NO_FMA the first, what a CPU
// without FMA runs.
#include "KernelsInternal.h"

#pragma STDC FP_CONTRACT OFF

#define AK_NAME(x) ak_portable_##x
#define AK_TARGET
#define AK_PORTABLE_FMA_BY_DOUBLES ANNEAL_HAVE_X86
#include "KernelsPortable.h"
#include "KernelsISA.h"
#undef AK_PORTABLE_FMA_BY_DOUBLES
#if ANNEAL_HAVE_X86
#define AK_NAME(x) ak_portable_fma_##x
#define AK_TARGET __attribute__((target("fma")))
#include "KernelsPortable.h"
#include "KernelsISA.h"
#endif
