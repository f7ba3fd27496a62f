#include "ce_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static long fail_countdown = -1; /* test instrumentation only */
static long alloc_calls;
static volatile int any_failed; /* set from any thread; only ever goes 0 -> 1 */

static int should_fail(void)
{
	alloc_calls++;
	if (fail_countdown < 0)
		return 0;
	if (fail_countdown == 0) {
		any_failed = 1;
		return 1; /* stays failing until reset */
	}
	fail_countdown--;
	return 0;
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

void ce_alloc_fail_after(long n) { fail_countdown = n; }
long ce_alloc_count(void) { return alloc_calls; }

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
