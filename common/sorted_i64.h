/*
 * sorted_i64.h - the few operations eval/ needs on sorted int64_t arrays
 * (label values, class lists, contingency cells): a qsort comparator, sort
 * with duplicates dropped (numpy.unique on an int64 array), and the index of
 * a value known to be present.  Pure computations on caller-owned arrays; no
 * allocation, no errors.
 */
#ifndef SORTED_I64_H
#define SORTED_I64_H

#include <stddef.h>
#include <stdint.h>

/* qsort/bsearch comparator: ascending int64_t. */
int sorted_i64_cmp(const void *a, const void *b);

/*
 * [in,out] a: sorted ascending, and its distinct values moved to a[0..k) (the
 * rest of a[0..n) is left unspecified).  Returns k (0 when n == 0).
 */
size_t sorted_i64_unique(int64_t *a, size_t n);

/*
 * Index of v in s[0..n), which is sorted ascending without duplicates.
 * Precondition (asserted): n >= 1 and v is one of s[0..n).
 */
size_t sorted_i64_find(const int64_t *s, size_t n, int64_t v);

#endif
