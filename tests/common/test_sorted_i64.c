/* Tests of common/sorted_i64.c: comparator order (extremes included), sort-unique and lookup. */
#include <stdint.h>
#include <stdlib.h>

#include "sorted_i64.h"
#include "test_util.h"

static void test_sorted_i64_cmp_orders_extremes(void **state)
{
	(void)state;
	/* a subtraction-based comparator would overflow on these */
	int64_t a[] = {INT64_MAX, 0, INT64_MIN, -1, 1, INT64_MIN + 1, INT64_MAX - 1, 0};
	int64_t want[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 0, 1, INT64_MAX - 1, INT64_MAX};
	size_t n = sizeof a / sizeof *a;
	qsort(a, n, sizeof *a, sorted_i64_cmp);
	for (size_t i = 0; i < n; i++)
		assert_true(a[i] == want[i]);
	int64_t x = 5, y = 5;
	assert_int_equal(sorted_i64_cmp(&x, &y), 0);
}

static void test_sorted_i64_unique(void **state)
{
	(void)state;
	int64_t a[] = {3, -1, 3, 3, 0, -1, INT64_MAX, 0};
	int64_t want[] = {-1, 0, 3, INT64_MAX};
	size_t k = sorted_i64_unique(a, sizeof a / sizeof *a);
	assert_int_equal(k, 4);
	for (size_t i = 0; i < k; i++)
		assert_true(a[i] == want[i]);
	int64_t one = 7;
	assert_int_equal(sorted_i64_unique(&one, 1), 1);
	assert_int_equal(sorted_i64_unique(NULL, 0), 0);
}

static void test_sorted_i64_find_every_position(void **state)
{
	(void)state;
	int64_t s[] = {INT64_MIN, -7, 0, 3, 4, 100, INT64_MAX};
	for (size_t n = 1; n <= sizeof s / sizeof *s; n++)
		for (size_t i = 0; i < n; i++)
			assert_int_equal(sorted_i64_find(s, n, s[i]), i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_i64_cmp_orders_extremes),
		cmocka_unit_test(test_sorted_i64_unique),
		cmocka_unit_test(test_sorted_i64_find_every_position),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
