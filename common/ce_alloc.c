#include "ce_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static long fail_countdown = -1; /* test instrumentation only */
static long alloc_calls;
static volatile int any_failed; /* set from any thread; only ever goes 0 -> 1 */

/* Atomic: allocations happen on worker threads too (the encoder pool, the server). */
static int should_fail(void)
{
	__atomic_fetch_add(&alloc_calls, 1, __ATOMIC_RELAXED);
	long c = __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);
	while (c > 0 && !__atomic_compare_exchange_n(&fail_countdown, &c, c - 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	if (c != 0)
		return 0; /* disarmed (< 0), or counted down one (> 0) */
	any_failed = 1;
	return 1; /* stays failing until reset */
}

static void *noted(void *p)
{
	if (!p)
		any_failed = 1;
	return p;
}

int ce_alloc_failed(void) { return any_failed; }

int ce_alloc_can_reserve(size_t bytes)
{
	void *p = mmap(NULL, bytes ? bytes : 1, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 0;
	munmap(p, bytes ? bytes : 1);
	return 1;
}

void ce_alloc_fail_after(long n) { __atomic_store_n(&fail_countdown, n, __ATOMIC_RELAXED); }
long ce_alloc_count(void) { return __atomic_load_n(&alloc_calls, __ATOMIC_RELAXED); }

void *ce_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return noted(malloc(n ? n : 1));
}

void *ce_calloc(size_t count, size_t size)
{
	if (should_fail())
		return NULL;
	if (count == 0 || size == 0)
		return noted(calloc(1, 1));
	return noted(calloc(count, size));
}

void *ce_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return noted(realloc(p, n ? n : 1));
}

void *ce_malloc_array(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	return ce_malloc(count * size);
}

void *ce_malloc_aligned_array(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	if (should_fail())
		return NULL;
	size_t n = count * size;
	void *p = NULL;
	/* CE_ALLOC_ALIGN is a power of two and a multiple of sizeof(void *), as posix_memalign wants */
	if (posix_memalign(&p, CE_ALLOC_ALIGN, n ? n : 1) != 0)
		return noted(NULL);
	return p;
}

void *ce_realloc_array(void *p, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	return ce_realloc(p, count * size);
}

char *ce_strndup(const char *s, size_t n)
{
	char *d = ce_malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *ce_strdup(const char *s) { return ce_strndup(s, strlen(s)); }

void ce_free(void *p) { free(p); }
