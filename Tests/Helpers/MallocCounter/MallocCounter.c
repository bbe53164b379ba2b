// See include/MallocCounter.h. Defining malloc and friends in the executable interposes them for every
// library in the process (ELF symbol interposition), the Swift runtime and libanneal's core included.
#include "MallocCounter.h"

#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define MALLOC_COUNTER_SANITIZED 1
#endif
#endif

#if defined(__GLIBC__) && !defined(MALLOC_COUNTER_SANITIZED)

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static int counting = 0;
static int64_t counted = 0;

static void note(void) {
    if (__atomic_load_n(&counting, __ATOMIC_RELAXED)) __atomic_add_fetch(&counted, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t size) { note(); return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { note(); return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { note(); return __libc_realloc(pointer, size); }
void *memalign(size_t alignment, size_t size) { note(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { note(); return __libc_memalign(alignment, size); }
void free(void *pointer) { __libc_free(pointer); }

int posix_memalign(void **out, size_t alignment, size_t size) {
    note();
    void *pointer = __libc_memalign(alignment, size);
    if (!pointer) return 12;  // ENOMEM
    *out = pointer;
    return 0;
}

bool malloc_counter_available(void) { return true; }

#else

static int counting = 0;
static int64_t counted = 0;

bool malloc_counter_available(void) { return false; }

#endif

void malloc_counter_enable(bool on) { __atomic_store_n(&counting, on ? 1 : 0, __ATOMIC_RELAXED); }

int64_t malloc_counter_count(void) { return __atomic_load_n(&counted, __ATOMIC_RELAXED); }
