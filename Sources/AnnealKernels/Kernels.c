// AVX-512 kernels for Anneal's dense layers (see include/AnnealKernels.h). Compiled for the baseline target
// like the rest of the package: only these functions use AVX-512, and callers check anneal_kernels_avx512()
// first, so the library still loads and runs (on the portable Swift loops) on any x86-64 or other CPU.
#define _GNU_SOURCE  // sched_getaffinity, CPU_COUNT
#include "AnnealKernels.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
// Never fuse a multiply into an add: the golden Keras runs are reproduced only with a rounded product then a
// rounded sum (with fused multiply-adds the chaotic time-based run drifts 1e-4 from Keras by epoch 20).
#pragma STDC FP_CONTRACT OFF
#define ANNEAL_HAVE_X86 1
#else
#define ANNEAL_HAVE_X86 0
#endif

static int anneal_kernels_state = -1;  // -1 unknown, 0 no, 1 yes (a benign race: every thread finds the same)

bool anneal_kernels_avx512(void) {
    int state = __atomic_load_n(&anneal_kernels_state, __ATOMIC_RELAXED);
    if (state < 0) {
        state = 0;
#if ANNEAL_HAVE_X86
        const char *choice = getenv("ANNEAL_KERNELS");
        __builtin_cpu_init();
        if (!(choice && strcmp(choice, "portable") == 0)
            && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) {
            state = 1;
        }
#endif
        __atomic_store_n(&anneal_kernels_state, state, __ATOMIC_RELAXED);
    }
    return state == 1;
}

#if ANNEAL_HAVE_X86

#define AK_TARGET __attribute__((target("avx512f,avx512vl")))
#define AK_INLINE static inline __attribute__((always_inline)) AK_TARGET

enum { AK_ROWS = 6, AK_VECTORS = 4, AK_LANES = 16 };

/// Fully unrolls a loop over rows or vectors of a register block, so the accumulators stay in registers
/// (without it the 6 x 4 block is left rolled and its accumulators live on the stack).
#if defined(__clang__)
#define AK_UNROLL _Pragma("clang loop unroll(full)")
#else
#define AK_UNROLL _Pragma("GCC unroll 8")
#endif

/// One register block: RB rows of c by NF full vectors of 16 columns plus a masked tail of `tail` columns
/// held in a 4-, 8- or 16-lane register (TK = 1, 2, 3; 0 for none), summing over the whole depth with the
/// accumulators in registers. RB, NF and TK are constants at every call site. A narrow tail in a narrow
/// register matters on cores that split 512-bit operations: the tutorial's 34 columns are 16 + 16 + 2 and its
/// one-unit output layer is all tail.
AK_INLINE void ak_block(
    const int RB, const int NF, const int TK,
    const float *a, ptrdiff_t ars, ptrdiff_t ads,
    const float *b, ptrdiff_t bs, const float *init,
    float *c, ptrdiff_t cs, ptrdiff_t depth, __mmask16 tail)
{
    __m512 acc[AK_ROWS][AK_VECTORS];
    __m512 t16[AK_ROWS];
    __m256 t8[AK_ROWS];
    __m128 t4[AK_ROWS];
    const float *bt = b + NF * AK_LANES;
    AK_UNROLL
    for (int v = 0; v < NF; v++) {
        __m512 start = init ? _mm512_loadu_ps(init + v * AK_LANES) : _mm512_setzero_ps();
        AK_UNROLL
        for (int r = 0; r < RB; r++) acc[r][v] = start;
    }
    if (TK == 3) {
        __m512 start = init ? _mm512_maskz_loadu_ps(tail, init + NF * AK_LANES) : _mm512_setzero_ps();
        AK_UNROLL
        for (int r = 0; r < RB; r++) t16[r] = start;
    } else if (TK == 2) {
        __m256 start = init ? _mm256_maskz_loadu_ps((__mmask8)tail, init + NF * AK_LANES) : _mm256_setzero_ps();
        AK_UNROLL
        for (int r = 0; r < RB; r++) t8[r] = start;
    } else if (TK == 1) {
        __m128 start = init ? _mm_maskz_loadu_ps((__mmask8)tail, init + NF * AK_LANES) : _mm_setzero_ps();
        AK_UNROLL
        for (int r = 0; r < RB; r++) t4[r] = start;
    }
    for (ptrdiff_t k = 0; k < depth; k++) {
        const float *bk = b + k * bs;
        __m512 bv[AK_VECTORS];
        AK_UNROLL
        for (int v = 0; v < NF; v++) bv[v] = _mm512_loadu_ps(bk + v * AK_LANES);
        __m512 b16 = _mm512_setzero_ps();
        __m256 b8 = _mm256_setzero_ps();
        __m128 b4 = _mm_setzero_ps();
        if (TK == 3) b16 = _mm512_maskz_loadu_ps(tail, bt + k * bs);
        if (TK == 2) b8 = _mm256_maskz_loadu_ps((__mmask8)tail, bt + k * bs);
        if (TK == 1) b4 = _mm_maskz_loadu_ps((__mmask8)tail, bt + k * bs);
        const float *ak = a + k * ads;
        AK_UNROLL
        for (int r = 0; r < RB; r++) {
            float xs = ak[r * ars];
            if (NF > 0 || TK == 3) {
                __m512 x = _mm512_set1_ps(xs);
                AK_UNROLL
                for (int v = 0; v < NF; v++) acc[r][v] = _mm512_add_ps(acc[r][v], _mm512_mul_ps(x, bv[v]));
                if (TK == 3) t16[r] = _mm512_add_ps(t16[r], _mm512_mul_ps(x, b16));
            }
            if (TK == 2) t8[r] = _mm256_add_ps(t8[r], _mm256_mul_ps(_mm256_set1_ps(xs), b8));
            if (TK == 1) t4[r] = _mm_add_ps(t4[r], _mm_mul_ps(_mm_set1_ps(xs), b4));
        }
    }
    AK_UNROLL
    for (int r = 0; r < RB; r++) {
        float *out = c + r * cs;
        AK_UNROLL
        for (int v = 0; v < NF; v++) _mm512_storeu_ps(out + v * AK_LANES, acc[r][v]);
        if (TK == 3) _mm512_mask_storeu_ps(out + NF * AK_LANES, tail, t16[r]);
        if (TK == 2) _mm256_mask_storeu_ps(out + NF * AK_LANES, (__mmask8)tail, t8[r]);
        if (TK == 1) _mm_mask_storeu_ps(out + NF * AK_LANES, (__mmask8)tail, t4[r]);
    }
}

#define AK_ROWS_CASES(NF, TK)                                                                               \
    switch (rb) {                                                                                           \
    case 6: ak_block(6, NF, TK, a, ars, ads, b, bs, init, c, cs, depth, tail); break;                      \
    case 5: ak_block(5, NF, TK, a, ars, ads, b, bs, init, c, cs, depth, tail); break;                      \
    case 4: ak_block(4, NF, TK, a, ars, ads, b, bs, init, c, cs, depth, tail); break;                      \
    case 3: ak_block(3, NF, TK, a, ars, ads, b, bs, init, c, cs, depth, tail); break;                      \
    case 2: ak_block(2, NF, TK, a, ars, ads, b, bs, init, c, cs, depth, tail); break;                      \
    default: ak_block(1, NF, TK, a, ars, ads, b, bs, init, c, cs, depth, tail); break;                     \
    }

#define AK_TAIL_CASES(NF)                                                                                   \
    switch (tk) {                                                                                           \
    case 3: AK_ROWS_CASES(NF, 3) break;                                                                     \
    case 2: AK_ROWS_CASES(NF, 2) break;                                                                     \
    case 1: AK_ROWS_CASES(NF, 1) break;                                                                     \
    default: AK_ROWS_CASES(NF, 0) break;                                                                    \
    }

static AK_TARGET void ak_dispatch(
    int rb, int nf, int tk,
    const float *a, ptrdiff_t ars, ptrdiff_t ads,
    const float *b, ptrdiff_t bs, const float *init,
    float *c, ptrdiff_t cs, ptrdiff_t depth, __mmask16 tail)
{
    switch (nf) {
    case 4: AK_ROWS_CASES(4, 0) break;
    case 3: AK_TAIL_CASES(3) break;
    case 2: AK_TAIL_CASES(2) break;
    case 1: AK_TAIL_CASES(1) break;
    default: AK_TAIL_CASES(0) break;
    }
}

/// One matrix product, as anneal_kernels_gemm_avx512 describes it.
struct ak_job {
    int kind;  // AK_JOB_GEMM or AK_JOB_SGD
    const float *a;
    ptrdiff_t a_row_stride, a_depth_stride;
    const float *b;
    ptrdiff_t b_stride;
    const float *init;
    float *c;
    ptrdiff_t c_stride, rows, columns, depth;
    // AK_JOB_SGD: parameters w, velocities v, gradients g, `rows` of them.
    float *w, *v;
    const float *g;
    float rate, momentum;
    bool nesterov;
};

enum { AK_JOB_GEMM = 0, AK_JOB_SGD = 1 };

static AK_TARGET void ak_sgd_serial(float *w, float *v, const float *g, ptrdiff_t count, float rate, float momentum,
                          bool nesterov);

static AK_TARGET void ak_gemm_serial(const struct ak_job *job) {
    const float *a = job->a, *b = job->b, *init = job->init;
    float *c = job->c;
    ptrdiff_t a_row_stride = job->a_row_stride, a_depth_stride = job->a_depth_stride, b_stride = job->b_stride;
    ptrdiff_t c_stride = job->c_stride, rows = job->rows, columns = job->columns, depth = job->depth;

    const ptrdiff_t panel = AK_VECTORS * AK_LANES;
    for (ptrdiff_t n = 0; n < columns; n += panel) {
        ptrdiff_t width = columns - n < panel ? columns - n : panel;
        int nf = (int)(width / AK_LANES);
        int rest = (int)(width - (ptrdiff_t)nf * AK_LANES);
        int tk = rest == 0 ? 0 : rest <= 4 ? 1 : rest <= 8 ? 2 : 3;
        __mmask16 tail = (__mmask16)((1u << rest) - 1);
        for (ptrdiff_t m = 0; m < rows; m += AK_ROWS) {
            int rb = (int)(rows - m < AK_ROWS ? rows - m : AK_ROWS);
            ak_dispatch(rb, nf, tk, a + m * a_row_stride, a_row_stride, a_depth_stride, b + n, b_stride,
                        init ? init + n : NULL, c + m * c_stride + n, c_stride, depth, tail);
        }
    }
}


// --- Two cores for big products ----------------------------------------------------------------------------
// One helper thread (created on first need, only when this process may run on 2 or more CPUs and
// ANNEAL_THREADS is not 1) shares big products with the caller: the rows are cut into chunks that both
// threads claim one at a time, so when the other core is busy (a shared machine) the caller simply does more
// of the chunks itself instead of waiting for a fixed half. Each output row is computed exactly as in the
// serial code, so the split never changes a result. One caller at a time uses the helper; a concurrent
// caller (another model training on another thread) computes alone, so Anneal never runs more than two
// compute threads of its own.

/// Products smaller than this many multiply-adds run on the calling thread alone (waking the helper costs
/// a few microseconds; the tutorial's products are 30 thousand).
static const double ak_split_threshold = 1.0e6;

static pthread_mutex_t ak_owner = PTHREAD_MUTEX_INITIALIZER;   // held by the caller using the helper
static pthread_mutex_t ak_mutex = PTHREAD_MUTEX_INITIALIZER;   // guards ak_posted and the helper's sleep
static pthread_cond_t ak_cond = PTHREAD_COND_INITIALIZER;       // a product was posted
static pthread_cond_t ak_done = PTHREAD_COND_INITIALIZER;       // the helper finished a product's last chunk
static pthread_t ak_caller;                                     // the thread that posted the current product
static int ak_helper_state = 0;                                 // 0 not started, 1 running, -1 unavailable
static struct ak_job ak_posted;                                 // the shared product
static ptrdiff_t ak_posted_chunk_rows, ak_posted_chunks;
static uint32_t ak_posted_generation = 0;        // written under ak_mutex, polled without it
/// (generation << 32) | next chunk to claim: a chunk is claimed only while its product is the current one.
static uint64_t ak_claims = 0;
/// Chunks of the current product finished (by either thread).
static ptrdiff_t ak_finished = 0;

/// Claims and computes chunks of product `generation` until none is left.
static AK_TARGET void ak_work(uint32_t generation, const struct ak_job *job, ptrdiff_t chunk_rows, ptrdiff_t chunks) {
    for (;;) {
        uint64_t claim = __atomic_load_n(&ak_claims, __ATOMIC_ACQUIRE);
        ptrdiff_t chunk;
        do {
            if ((uint32_t)(claim >> 32) != generation || (ptrdiff_t)(claim & 0xFFFFFFFFu) >= chunks) return;
            chunk = (ptrdiff_t)(claim & 0xFFFFFFFFu);
        } while (!__atomic_compare_exchange_n(&ak_claims, &claim, claim + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
        ptrdiff_t first = chunk * chunk_rows;
        ptrdiff_t rows = job->rows - first < chunk_rows ? job->rows - first : chunk_rows;
        if (job->kind == AK_JOB_SGD) {
            ak_sgd_serial(job->w + first, job->v + first, job->g + first, rows, job->rate, job->momentum,
                          job->nesterov);
        } else {
            struct ak_job part = *job;
            part.a = job->a + first * job->a_row_stride;
            part.c = job->c + first * job->c_stride;
            part.rows = rows;
            ak_gemm_serial(&part);
        }
        if (__atomic_add_fetch(&ak_finished, 1, __ATOMIC_ACQ_REL) == chunks && !pthread_equal(pthread_self(), ak_caller)) {
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

static AK_TARGET void ak_work_alone(const struct ak_job *job) {
    if (job->kind == AK_JOB_SGD) {
        ak_sgd_serial(job->w, job->v, job->g, job->rows, job->rate, job->momentum, job->nesterov);
    } else {
        ak_gemm_serial(job);
    }
}

static void *ak_helper_main(void *start) {
    // Waits for generations after the one current when it was created (passed in: reading it here would
    // race with the first product, posted right after creation).
    uint32_t seen = (uint32_t)(uintptr_t)start;
    for (;;) {
        for (int round = 0; round < AK_SPIN_ROUNDS; round++) {
            if (__atomic_load_n(&ak_posted_generation, __ATOMIC_ACQUIRE) != seen) break;
            _mm_pause();
        }
        pthread_mutex_lock(&ak_mutex);
        while (ak_posted_generation == seen) pthread_cond_wait(&ak_cond, &ak_mutex);
        seen = ak_posted_generation;
        struct ak_job job = ak_posted;
        ptrdiff_t chunk_rows = ak_posted_chunk_rows, chunks = ak_posted_chunks;
        pthread_mutex_unlock(&ak_mutex);
        ak_work(seen, &job, chunk_rows, chunks);
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

/// Runs `job` split over the caller and the helper when `shared` and the helper is free, else alone.
/// `granule` is the smallest piece worth its own chunk (a register block's rows; a vector's lanes).
static AK_TARGET void ak_run(const struct ak_job *job, bool shared, ptrdiff_t granule) {
    if (!shared || pthread_mutex_trylock(&ak_owner) != 0) {
        ak_work_alone(job);
        return;
    }
    if (!ak_helper_available()) {
        pthread_mutex_unlock(&ak_owner);
        ak_work_alone(job);
        return;
    }
    // About 16 chunks, each a whole number of granules.
    ptrdiff_t granules = (job->rows + granule - 1) / granule;
    ptrdiff_t chunk_rows = ((granules + 15) / 16) * granule;
    ptrdiff_t chunks = (job->rows + chunk_rows - 1) / chunk_rows;
    pthread_mutex_lock(&ak_mutex);
    uint32_t generation = ak_posted_generation + 1;
    ak_caller = pthread_self();
    ak_posted = *job;
    ak_posted_chunk_rows = chunk_rows;
    ak_posted_chunks = chunks;
    __atomic_store_n(&ak_finished, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&ak_claims, (uint64_t)generation << 32, __ATOMIC_RELEASE);
    __atomic_store_n(&ak_posted_generation, generation, __ATOMIC_RELEASE);  // last: the helper may be polling it
    pthread_cond_signal(&ak_cond);
    pthread_mutex_unlock(&ak_mutex);
    ak_work(generation, job, chunk_rows, chunks);
    // Every chunk is claimed; wait for the helper's last one. Poll briefly, then sleep: if another process
    // has taken the helper's core, sleeping frees this core for the scheduler to move the helper here.
    for (int round = 0; round < AK_WAIT_ROUNDS && __atomic_load_n(&ak_finished, __ATOMIC_ACQUIRE) != chunks; round++) {
        _mm_pause();
    }
    if (__atomic_load_n(&ak_finished, __ATOMIC_ACQUIRE) != chunks) {
        pthread_mutex_lock(&ak_mutex);
        while (__atomic_load_n(&ak_finished, __ATOMIC_ACQUIRE) != chunks) pthread_cond_wait(&ak_done, &ak_mutex);
        pthread_mutex_unlock(&ak_mutex);
    }
    pthread_mutex_unlock(&ak_owner);
}

AK_TARGET void anneal_kernels_gemm_avx512(
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride,
    const float *b, ptrdiff_t b_stride,
    const float *init,
    float *c, ptrdiff_t c_stride,
    ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth)
{
    struct ak_job job = {AK_JOB_GEMM, a, a_row_stride, a_depth_stride, b, b_stride, init, c, c_stride, rows, columns,
                         depth, NULL, NULL, NULL, 0, 0, false};
    bool big = (double)rows * (double)columns * (double)depth >= ak_split_threshold && rows >= 4 * AK_ROWS;
    ak_run(&job, big, AK_ROWS);
}

AK_TARGET void anneal_kernels_column_sums_avx512(const float *x, ptrdiff_t rows, ptrdiff_t columns, float *sums) {
    for (ptrdiff_t n = 0; n < columns; n += AK_LANES) {
        ptrdiff_t width = columns - n < AK_LANES ? columns - n : AK_LANES;
        __mmask16 mask = (__mmask16)(width == AK_LANES ? 0xFFFF : ((1u << width) - 1));
        __m512 sum = _mm512_setzero_ps();
        for (ptrdiff_t r = 0; r < rows; r++) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(mask, x + r * columns + n));
        _mm512_mask_storeu_ps(sums + n, mask, sum);
    }
}

AK_TARGET void anneal_kernels_relu_backward_avx512(float *gradient, const float *z, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i += AK_LANES) {
        ptrdiff_t width = count - i < AK_LANES ? count - i : AK_LANES;
        __mmask16 mask = (__mmask16)(width == AK_LANES ? 0xFFFF : ((1u << width) - 1));
        __mmask16 off = _mm512_mask_cmp_ps_mask(mask, _mm512_maskz_loadu_ps(mask, z + i), _mm512_setzero_ps(), _CMP_LE_OQ);
        _mm512_mask_storeu_ps(gradient + i, off, _mm512_setzero_ps());
    }
}

static inline __mmask16 ak_mask(ptrdiff_t remaining) {
    return (__mmask16)(remaining >= AK_LANES ? 0xFFFF : ((1u << remaining) - 1));
}

AK_INLINE void ak_sgd_step(float *w, float *v, const float *g, __mmask16 k, __m512 r, __m512 m, bool momentum,
                           bool nesterov) {
    __m512 wi = _mm512_maskz_loadu_ps(k, w);
    __m512 step = _mm512_mul_ps(r, _mm512_maskz_loadu_ps(k, g));
    if (!momentum) {
        wi = _mm512_sub_ps(wi, step);
    } else {
        __m512 vi = _mm512_sub_ps(_mm512_mul_ps(m, _mm512_maskz_loadu_ps(k, v)), step);
        _mm512_mask_storeu_ps(v, k, vi);
        wi = _mm512_add_ps(wi, nesterov ? _mm512_sub_ps(_mm512_mul_ps(m, vi), step) : vi);
    }
    _mm512_mask_storeu_ps(w, k, wi);
}

static AK_TARGET void ak_sgd_serial(float *w, float *v, const float *g, ptrdiff_t count, float rate,
                                    float momentum, bool nesterov) {
    const __m512 r = _mm512_set1_ps(rate), m = _mm512_set1_ps(momentum);
    ptrdiff_t full = count / AK_LANES * AK_LANES;
    if (momentum == 0) {
        for (ptrdiff_t i = 0; i < full; i += AK_LANES) ak_sgd_step(w + i, v + i, g + i, 0xFFFF, r, m, false, false);
        if (full < count) ak_sgd_step(w + full, v + full, g + full, ak_mask(count - full), r, m, false, false);
    } else if (nesterov) {
        for (ptrdiff_t i = 0; i < full; i += AK_LANES) ak_sgd_step(w + i, v + i, g + i, 0xFFFF, r, m, true, true);
        if (full < count) ak_sgd_step(w + full, v + full, g + full, ak_mask(count - full), r, m, true, true);
    } else {
        for (ptrdiff_t i = 0; i < full; i += AK_LANES) ak_sgd_step(w + i, v + i, g + i, 0xFFFF, r, m, true, false);
        if (full < count) ak_sgd_step(w + full, v + full, g + full, ak_mask(count - full), r, m, true, false);
    }
}

AK_TARGET void anneal_kernels_gather_rows_avx512(float *destination, const float *source, ptrdiff_t width,
                                                 const ptrdiff_t *rows, ptrdiff_t count) {
    if (width == 1) {
        for (ptrdiff_t k = 0; k < count; k++) destination[k] = source[rows[k]];
        return;
    }
    for (ptrdiff_t k = 0; k < count; k++) {
        const float *from = source + rows[k] * width;
        float *to = destination + k * width;
        ptrdiff_t i = 0;
        for (; i + AK_LANES <= width; i += AK_LANES) _mm512_storeu_ps(to + i, _mm512_loadu_ps(from + i));
        if (i < width) {
            __mmask16 mask = ak_mask(width - i);
            _mm512_mask_storeu_ps(to + i, mask, _mm512_maskz_loadu_ps(mask, from + i));
        }
    }
}

AK_TARGET void anneal_kernels_sgd_avx512(float *w, float *v, const float *g, ptrdiff_t count, float rate,
                                         float momentum, bool nesterov) {
    struct ak_job job = {AK_JOB_SGD, NULL, 0, 0, NULL, 0, NULL, NULL, 0, count, 0, 0, w, v, g, rate, momentum, nesterov};
    // A big model's update streams megabytes: two cores bring twice the bandwidth.
    ak_run(&job, count >= 65536, AK_LANES * 4);
}

AK_TARGET void anneal_kernels_transpose_avx512(float *destination, const float *source, ptrdiff_t rows,
                                               ptrdiff_t columns) {
    // 16 x 16 tiles, so both sides of each tile stay in cache.
    for (ptrdiff_t i0 = 0; i0 < rows; i0 += AK_LANES) {
        ptrdiff_t i1 = i0 + AK_LANES < rows ? i0 + AK_LANES : rows;
        for (ptrdiff_t j0 = 0; j0 < columns; j0 += AK_LANES) {
            ptrdiff_t j1 = j0 + AK_LANES < columns ? j0 + AK_LANES : columns;
            for (ptrdiff_t i = i0; i < i1; i++) {
                for (ptrdiff_t j = j0; j < j1; j++) destination[j * rows + i] = source[i * columns + j];
            }
        }
    }
}

#else

void anneal_kernels_transpose_avx512(float *destination, const float *source, ptrdiff_t rows, ptrdiff_t columns) {
    (void)destination; (void)source; (void)rows; (void)columns;
    abort();
}

void anneal_kernels_sgd_avx512(float *w, float *v, const float *g, ptrdiff_t count, float rate, float momentum,
                               bool nesterov) {
    (void)w; (void)v; (void)g; (void)count; (void)rate; (void)momentum; (void)nesterov;
    abort();
}

void anneal_kernels_gather_rows_avx512(float *destination, const float *source, ptrdiff_t width,
                                       const ptrdiff_t *rows, ptrdiff_t count) {
    (void)destination; (void)source; (void)width; (void)rows; (void)count;
    abort();
}

void anneal_kernels_relu_backward_avx512(float *gradient, const float *z, ptrdiff_t count) {
    (void)gradient; (void)z; (void)count;
    abort();
}

void anneal_kernels_gemm_avx512(
    const float *a, ptrdiff_t a_row_stride, ptrdiff_t a_depth_stride, const float *b, ptrdiff_t b_stride,
    const float *init, float *c, ptrdiff_t c_stride, ptrdiff_t rows, ptrdiff_t columns, ptrdiff_t depth)
{
    (void)a; (void)a_row_stride; (void)a_depth_stride; (void)b; (void)b_stride; (void)init; (void)c;
    (void)c_stride; (void)rows; (void)columns; (void)depth;
    abort();  // unreachable: anneal_kernels_avx512() is false here
}

void anneal_kernels_column_sums_avx512(const float *x, ptrdiff_t rows, ptrdiff_t columns, float *sums) {
    (void)x; (void)rows; (void)columns; (void)sums;
    abort();
}

#endif
