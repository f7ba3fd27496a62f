/*
 * ce_alloc.h - the allocation functions every ceval module uses.
 *
 * They behave like malloc/calloc/realloc/free, plus overflow-checked array
 * forms.  Tests can make the Nth allocation from now fail
 * (ce_alloc_fail_after) to prove that every error path frees what it holds.
 * The counter is process-global test instrumentation, not program state.
 */
#ifndef CE_ALLOC_H
#define CE_ALLOC_H

#include <stddef.h>

void *ce_malloc(size_t n);
void *ce_calloc(size_t count, size_t size);
void *ce_realloc(void *p, size_t n);
/* malloc(count * size) with overflow check; NULL on overflow. */
void *ce_malloc_array(size_t count, size_t size);
/* Like ce_malloc_array, but the block starts on a CE_ALLOC_ALIGN-byte
 * boundary (a cache line: a 512-bit load from it never spans two lines).
 * Free it with ce_free. */
#define CE_ALLOC_ALIGN 64
void *ce_malloc_aligned_array(size_t count, size_t size);
/* realloc(p, count * size) with overflow check; NULL on overflow (p untouched). */
void *ce_realloc_array(void *p, size_t count, size_t size);
char *ce_strdup(const char *s);
char *ce_strndup(const char *s, size_t n);
void ce_free(void *p);

/*
 * 1 once an allocation of this process has failed (malloc returned NULL or
 * the test hook fired).  The CLI then leaves by _exit: OpenBLAS threads
 * that could not get their work buffer spin in its allocator forever, and
 * its exit-time destructor waits for them.
 */
int ce_alloc_failed(void);

/*
 * 1 if `bytes` of address space can be mapped right now (mapped and
 * unmapped at once, nothing touched).  Used before handing work to a
 * library that loops instead of failing when its own allocation fails.
 */
int ce_alloc_can_reserve(size_t bytes);

/* Test hook: the (n+1)-th allocation from now fails; n < 0 disables. */
void ce_alloc_fail_after(long n);
/* Number of allocation calls so far (for the hook's loops). */
long ce_alloc_count(void);

#endif
