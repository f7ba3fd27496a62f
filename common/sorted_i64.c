/* sorted_i64.c - operations on sorted int64 arrays (see sorted_i64.h). */
#include "sorted_i64.h"

#include <stdlib.h>

#include "ce_status.h"

int sorted_i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

size_t sorted_i64_unique(int64_t *a, size_t n)
{
	if (n == 0)
		return 0; /* a may be NULL; qsort's base is declared nonnull */
	qsort(a, n, sizeof *a, sorted_i64_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || a[k - 1] != a[i])
			a[k++] = a[i];
	return k;
}

size_t sorted_i64_find(const int64_t *s, size_t n, int64_t v)
{
	CE_ASSERT(n >= 1);
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s[mid] <= v)
			lo = mid;
		else
			hi = mid;
	}
	CE_ASSERT(s[lo] == v);
	return lo;
}
