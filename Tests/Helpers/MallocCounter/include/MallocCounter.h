// Counts the heap allocations of the process it is linked into, while counting is switched on: the malloc
// family is replaced (forwarding to glibc's __libc_* functions). A helper of AllocationTests; only the
// anneal-allocation-count executable links it.
#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H

#include <stdbool.h>
#include <stdint.h>

/// Whether allocations are counted in this build (not under a sanitizer, which owns malloc; glibc only).
bool malloc_counter_available(void);

/// Starts (true) or stops (false) counting, from any thread.
void malloc_counter_enable(bool on);

/// Allocations (malloc, calloc, realloc, memalign, posix_memalign, aligned_alloc) counted so far.
int64_t malloc_counter_count(void);

#endif
