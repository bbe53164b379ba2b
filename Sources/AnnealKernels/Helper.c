// The helper thread: one more compute thread beside the caller's, which shares big jobs (products, updates,
// gathers) chunk by chunk and runs tasks, and the judge that stops sharing where it loses time.
#define _GNU_SOURCE  // sched_getaffinity, sched_getcpu, CPU_COUNT
#include "KernelsInternal.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#pragma STDC FP_CONTRACT OFF

#if ANNEAL_HAVE_X86
#include <immintrin.h>
/// What a thread does in each round of polling: lets the other hyperthread of the core run.
#define AK_SPIN_WAIT() _mm_pause()
#elif defined(__aarch64__)
#define AK_SPIN_WAIT() __asm__ __volatile__("yield")
#else
#define AK_SPIN_WAIT() ((void)0)
#endif

// --- Two cores: big products, and tasks ----------------------------------------------------------------------
// One helper thread (created on first need, only when this process may run on 2 or more CPUs and
// ANNEAL_THREADS is not 1) shares big products with the caller: the rows are cut into chunks that both
// threads claim one at a time (the caller from the first, the helper from the last), so when the other core
// is busy (a shared machine) the caller simply does more of the chunks itself instead of waiting for a fixed
// half. Each output row is computed exactly as in the serial code, so the split never changes a result. Or
// it runs a whole task beside the caller (a small model's validation while the next epoch trains,
// anneal_kernels_task_start), which the caller takes back and runs itself if the helper has not begun it when
// the caller needs its result. One caller at a time uses the helper; a concurrent caller (another model
// training on another thread) computes alone, so Anneal never runs more than two compute threads of its own.
// Where sharing loses time (the helper's core busy with another process, or the helper on the caller's own
// CPU), the caller notices and computes alone for a while (ak_judge, ak_helper_cpu).

static pthread_mutex_t ak_owner = PTHREAD_MUTEX_INITIALIZER;   // held by the caller using the helper
static pthread_mutex_t ak_mutex = PTHREAD_MUTEX_INITIALIZER;   // guards ak_posted and the helper's sleep
static pthread_cond_t ak_cond = PTHREAD_COND_INITIALIZER;       // a product was posted
static pthread_cond_t ak_done = PTHREAD_COND_INITIALIZER;       // the helper finished a product's last chunk
static int ak_helper_state = 0;                                 // 0 not started, 1 running, -1 unavailable
// The shared product, written under ak_mutex by ak_owner's holder only (who may read it without the mutex).
static struct ak_job ak_posted;
static ptrdiff_t ak_posted_chunk_rows, ak_posted_chunks;
static uint32_t ak_posted_generation = 0;        // written under ak_mutex, polled without it
/// (generation << 32) | (chunks claimed from the front << 16) | chunks claimed from the back: a chunk is claimed
/// only while its product is the current one. The caller claims from the front, the helper from the back, so
/// that on a quiet machine each thread gets about the same rows of every product, batch after batch: the
/// parameters a thread updated stay in its core's cache for its share of the next batch's products, instead
/// of half of them moving to the other core (taken in turns, each thread's rows changed from batch to batch).
/// A product has at most about 48 chunks (ak_run), far below the 16 bits each count has.
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
        uint64_t next;
        do {
            ptrdiff_t front = (ptrdiff_t)((claim >> 16) & 0xFFFFu), back = (ptrdiff_t)(claim & 0xFFFFu);
            if ((uint32_t)(claim >> 32) != generation || front + back >= chunks) return done;
            chunk = helper ? chunks - 1 - back : front;
            next = helper ? claim + 1 : claim + (1u << 16);
        } while (!__atomic_compare_exchange_n(&ak_claims, &claim, next, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
        ptrdiff_t first = chunk * chunk_rows;
        ptrdiff_t rows = job->items - first < chunk_rows ? job->items - first : chunk_rows;
        ak_job_run(job, first, rows);
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

// --- One core each ---
// When another process keeps the second CPU busy, the scheduler mostly runs the helper on the caller's CPU.
// The two then take turns on one core: the helper's polling takes the caller's time slices, and a task the
// helper has begun waits for the caller's slice to end, so two threads train slower than one. A task's wait
// cannot be judged by its time alone (a quiet machine's helper, polling, also misses tasks now and then, and
// pausing for those loses the overlap). So each side records the CPU it last ran on: the helper stops polling
// when it finds itself on the caller's CPU, and the caller does not share with a helper that last ran on its
// own CPU, pausing as it does after a shared job that lost time (ak_judge); the first post after the pause
// wakes the helper wherever it slept, and the scheduler places it anew.
static int ak_helper_cpu = -1;  // written by the helper
static int ak_caller_cpu = -1;  // written by ak_owner's holder

/// Polling rounds between two looks at the helper's CPU.
enum { AK_CPU_CHECK_ROUNDS = 64 };

/// Records the CPU the helper runs on; returns whether it is the caller's.
static bool ak_helper_on_callers_cpu(void) {
    int cpu = sched_getcpu();
    __atomic_store_n(&ak_helper_cpu, cpu, __ATOMIC_RELAXED);
    return cpu >= 0 && cpu == __atomic_load_n(&ak_caller_cpu, __ATOMIC_RELAXED);
}

// --- Kept off the caller's CPU ---
// The helper is of no use on the caller's CPU: there the two only take turns. Yet a thread the caller creates
// or wakes can wait there: measured on a 2-CPU guest, a thread created by a busy thread first ran after about
// 3 ms in 5 of 6 processes (in 3 of them on the creator's CPU), and after about 0.1 ms, on the other CPU, in
// each of 6 when created with the creator's CPU left out of its affinity. (Inferred, not seen: an idle virtual
// CPU counts as preempted, so the scheduler queues the new thread beside the busy one until a load balance
// moves it.) So the helper is created, and goes to sleep, with the caller's CPU left out of its affinity: the
// next post then wakes it on another CPU. It never needs the caller's CPU back: where the other CPUs are busy,
// the caller computes alone (ak_judge).

/// The CPUs this process could use when the helper started (its affinity then).
static cpu_set_t ak_process_cpus;
static int ak_helper_avoided_cpu = -1;  // the CPU left out of the helper's affinity, -1: none (helper-owned)

/// The process's CPUs less `cpu` in `set`; false when that leaves none.
static bool ak_cpus_but(int cpu, cpu_set_t *set) {
    *set = ak_process_cpus;
    if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, set)) return false;
    CPU_CLR(cpu, set);
    return CPU_COUNT(set) > 0;
}

/// On the helper: leaves the caller's last CPU out of the helper's affinity, moving it off that CPU now when it
/// runs there; returns whether the helper's affinity changed. A failure (the process's CPUs changed since, a
/// CPU set the system refuses) changes nothing: the caller's checks still keep it from waiting on the helper.
static bool ak_helper_avoid_callers_cpu(void) {
    int cpu = __atomic_load_n(&ak_caller_cpu, __ATOMIC_RELAXED);
    cpu_set_t set;
    if (cpu == ak_helper_avoided_cpu || !ak_cpus_but(cpu, &set)) return false;
    if (sched_setaffinity(0, sizeof set, &set) != 0) return false;
    ak_helper_avoided_cpu = cpu;
    (void)ak_helper_on_callers_cpu();  // records the CPU it runs on now
    return true;
}

static void *ak_helper_main(void *start) {
    // Waits for generations after the one current when it was created (passed in: reading it here would
    // race with the first product, posted right after creation).
    uint32_t seen = (uint32_t)(uintptr_t)start;
    for (;;) {
        for (int round = 0; round < AK_SPIN_ROUNDS; round++) {
            if (__atomic_load_n(&ak_posted_generation, __ATOMIC_ACQUIRE) != seen) break;
            // Polling on the caller's CPU takes its time: move, or sleep.
            if (round % AK_CPU_CHECK_ROUNDS == 0 && ak_helper_on_callers_cpu() && !ak_helper_avoid_callers_cpu()) break;
            AK_SPIN_WAIT();
        }
        // To sleep, off the caller's CPU: the post that wakes it will not queue it there.
        if (__atomic_load_n(&ak_posted_generation, __ATOMIC_ACQUIRE) == seen) ak_helper_avoid_callers_cpu();
        pthread_mutex_lock(&ak_mutex);
        while (ak_posted_generation == seen) pthread_cond_wait(&ak_cond, &ak_mutex);
        seen = ak_posted_generation;
        struct ak_job job = ak_posted;
        ptrdiff_t chunk_rows = ak_posted_chunk_rows, chunks = ak_posted_chunks;
        pthread_mutex_unlock(&ak_mutex);
        ak_helper_on_callers_cpu();  // where the scheduler woke it
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
    ak_helper_cpu = ak_caller_cpu = ak_helper_avoided_cpu = -1;
}

/// Creates the helper thread, detached, on `cpus` when not NULL; returns pthread_create's result.
static int ak_create_helper(uintptr_t start, const cpu_set_t *cpus) {
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    int failed = cpus ? pthread_attr_setaffinity_np(&attributes, sizeof *cpus, cpus) : 0;
    pthread_t thread;
    if (!failed) failed = pthread_create(&thread, &attributes, ak_helper_main, (void *)start);
    pthread_attr_destroy(&attributes);
    return failed;
}

/// Starts the helper if it may and has not been; called with ak_owner held. Returns whether it runs.
static bool ak_helper_available(void) {
    if (ak_helper_state != 0) return ak_helper_state == 1;
    ak_helper_state = -1;
    const char *threads = getenv("ANNEAL_THREADS");
    if (threads && strcmp(threads, "1") == 0) return false;
    if (sched_getaffinity(0, sizeof ak_process_cpus, &ak_process_cpus) != 0 || CPU_COUNT(&ak_process_cpus) < 2) {
        return false;
    }
    // The helper blocks every signal, so that SIGINT and friends still reach the caller's threads.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_mutex_lock(&ak_mutex);
    uintptr_t start = (uintptr_t)ak_posted_generation;
    pthread_mutex_unlock(&ak_mutex);
    // Started off the caller's CPU (see ak_process_cpus), or anywhere when the system refuses that.
    int caller = sched_getcpu();
    cpu_set_t others;
    bool avoiding = ak_cpus_but(caller, &others);
    if (avoiding) {
        ak_helper_avoided_cpu = caller;  // before the thread exists, which then owns it
        __atomic_store_n(&ak_caller_cpu, caller, __ATOMIC_RELAXED);
    }
    int failed = ak_create_helper(start, avoiding ? &others : NULL);
    if (failed && avoiding) {
        ak_helper_avoided_cpu = -1;
        failed = ak_create_helper(start, NULL);
    }
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
// (ak_alone_until), then tries again; each loss doubles the next pause, and jobs that pay halve it once they
// have earned back the time lost (ak_debt). Halving on every job that paid let a busy core win: there the
// helper pays for some tens of jobs (woken, it is given the core first: inferred), then loses a time slice to
// the other process, more than those jobs saved, and the pause stays short. Measured on a 2-CPU guest with a
// busy loop on the second CPU, big network: 67 and 109 losses against 3997 and 4682 jobs that paid, the lost
// jobs taking 0.21 and 0.46 s of the 0.74 and 0.91 s spent in shared jobs. The pause decides only who computes
// the rows, never how: the results stay the same bits.

/// The shortest and longest pause in sharing after a shared job lost time, in nanoseconds: a few batches of
/// the big network, and half a second (a loss costs about a time slice, a few milliseconds, so retrying that
/// rarely costs about 1 % when the helper's core stays busy).
enum { AK_PAUSE_LEAST = 2000000, AK_PAUSE_MOST = 500000000 };
// Written by ak_owner's holder only.
static uint64_t ak_alone_until = 0;         // no sharing before this time (ak_now), 0: none
static uint64_t ak_pause = AK_PAUSE_LEAST;  // the next pause
/// The time lost by shared jobs that later ones have not yet saved, in nanoseconds (at most AK_PAUSE_MOST):
/// while any is left, a job that pays repays it instead of halving the next pause.
static uint64_t ak_debt = 0;

/// A monotonic clock, in nanoseconds.
static uint64_t ak_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/// Sharing lost `lost` nanoseconds: computes alone from `now` for the current pause, doubles the next one, and
/// adds the loss to the debt. Called with ak_owner held.
static void ak_pause_sharing(uint64_t now, uint64_t lost) {
    ak_alone_until = now + ak_pause;
    ak_pause = ak_pause * 2 < AK_PAUSE_MOST ? ak_pause * 2 : AK_PAUSE_MOST;
    ak_debt = lost < AK_PAUSE_MOST - ak_debt ? ak_debt + lost : AK_PAUSE_MOST;
}

/// Sharing paid, saving `saved` nanoseconds: repays the debt, and once none is left halves the next pause.
/// Called with ak_owner held.
static void ak_sharing_paid(uint64_t saved) {
    if (saved < ak_debt) {
        ak_debt -= saved;
        return;
    }
    ak_debt = 0;
    ak_pause = ak_pause / 2 > AK_PAUSE_LEAST ? ak_pause / 2 : AK_PAUSE_LEAST;
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
    double took = (double)(end - start), alone = chunk * (double)chunks;
    if (mine == 0 || took > chunk * (double)(chunks + 1)) {
        ak_pause_sharing(end, (uint64_t)(mine == 0 ? took : took - alone));
    } else {
        ak_sharing_paid(took < alone ? (uint64_t)(alone - took) : 0);
    }
}

/// Whether the calling thread computes alone, never using the helper (anneal_kernels_set_alone).
static __thread bool ak_thread_alone = false;

void anneal_kernels_set_alone(bool alone) { ak_thread_alone = alone; }

bool anneal_kernels_alone(void) { return ak_thread_alone; }

/// Takes the helper for the calling thread (ak_owner), starting it on first use; false when the calling thread
/// computes alone, the helper is busy with another caller, there is none, or sharing is paused (the caller then
/// computes alone).
static bool ak_take_helper(void) {
    if (ak_thread_alone) return false;
    if (pthread_mutex_trylock(&ak_owner) != 0) return false;
    if (ak_helper_available() && (ak_alone_until == 0 || ak_now() >= ak_alone_until)) {
        // After a pause the helper is posted to whatever CPU it last ran on: waking, the scheduler places it anew.
        bool paused = ak_alone_until != 0;
        ak_alone_until = 0;
        int cpu = sched_getcpu();
        __atomic_store_n(&ak_caller_cpu, cpu, __ATOMIC_RELAXED);
        if (paused || cpu < 0 || cpu != __atomic_load_n(&ak_helper_cpu, __ATOMIC_RELAXED)) return true;
        ak_pause_sharing(ak_now(), 0);  // the helper last ran on this CPU (see ak_helper_cpu)
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
    ak_posted_chunks = (job->items + chunk_rows - 1) / chunk_rows;
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
    if (start) {
        ak_judge(start, posted, own, ak_now(), mine, chunks);
    } else if (mine == 0 && __atomic_load_n(&ak_helper_cpu, __ATOMIC_RELAXED) != ak_caller_cpu) {
        ak_sharing_paid(0);  // a task the helper ran on its own CPU (a process of small models shares only tasks)
    }
    pthread_mutex_unlock(&ak_owner);
}

// ak_run: declared in KernelsInternal.h.
void ak_run(const struct ak_job *job, bool shared, ptrdiff_t granule) {
    if (!shared || !ak_take_helper()) {
        ak_job_run(job, 0, job->items);
        return;
    }
    // About 48 chunks, each a whole number of granules: the thread that finishes first waits for at most
    // one chunk of the other's, small beside the whole (a few chunks would split a 128-row product unevenly,
    // 6 chunks against 5). A claim costs well under a microsecond, so many chunks cost less than an uneven
    // split.
    ptrdiff_t granules = (job->items + granule - 1) / granule;
    uint64_t start = ak_now();
    ak_post(job, ((granules + 47) / 48) * granule);
    uint64_t posted = ak_now();
    ak_finish_posted(start, posted);
}

bool anneal_kernels_task_start(void (*task)(void *context), void *context) {
    if (!ak_take_helper()) return false;
    // A job of one item: whichever thread claims it first runs the task, so the caller takes back a task the
    // helper has not begun by anneal_kernels_task_finish.
    struct ak_job job = {.kind = AK_JOB_TASK, .items = 1, .task = {.run = task, .context = context}};
    ak_post(&job, 1);
    return true;  // ak_owner stays held until anneal_kernels_task_finish
}

void anneal_kernels_task_finish(void) { ak_finish_posted(0, 0); }
