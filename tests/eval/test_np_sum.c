/*
 * numpy's summation order (np_sum.h) and metric_pairwise_sum (metrics.h)
 * against np.sum of Debian's numpy 1.24, values printed by
 * tools/gen_np_sum_values.py.  Above 8192 elements numpy sums pairwise within
 * chunks of its 8192-element buffer and adds the chunk sums in order, which a
 * pairwise sum over the whole array does not reproduce (n = 100000 below
 * differs in the last bit).
 */
#include <stdlib.h>

#include "metrics.h"
#include "np_sum.h"
#include "test_util.h"

static const struct {
	size_t n;
	double sum;
} np_sums[] = {
	{100, 0x1.1d00e47d84692p-3},      /* 0.13916185863540825 */
	{8192, -0x1.d01eae1626beap-2},    /* -0.45324203500939453 */
	{8193, -0x1.d03513c95f8b4p-2},    /* -0.45332747379860483 */
	{20000, -0x1.24fd934dfb4b0p-1},   /* -0.5722471268360518 */
	{100000, -0x1.92db7308d4351p-1},  /* -0.7868305156972416 */
};

/* a[i] = (1 / (i + 1)) * (1 or -0.7), as the generator builds it */
static double *series(size_t n)
{
	double *a = malloc(n * sizeof *a);
	assert_non_null(a);
	for (size_t i = 0; i < n; i++)
		a[i] = 1.0 / (double)(i + 1) * (i % 3 == 0 ? 1.0 : -0.7);
	return a;
}

static void test_np_sum_matches_numpy(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof np_sums / sizeof np_sums[0]; c++) {
		size_t n = np_sums[c].n;
		double *a = series(n);
		if (np_sum_f64(a, n, 1) != np_sums[c].sum)
			fail_msg("np_sum_f64 n=%zu: %a, numpy %a", n, np_sum_f64(a, n, 1), np_sums[c].sum);
		double pw = metric_pairwise_sum(a, n);
		if (pw != np_sums[c].sum)
			fail_msg("metric_pairwise_sum n=%zu: %a, numpy %a", n, pw, np_sums[c].sum);
		/* the same elements read with a stride */
		double *b = calloc(2 * n, sizeof *b);
		assert_non_null(b);
		for (size_t i = 0; i < n; i++)
			b[2 * i] = a[i];
		assert_true(np_sum_f64(b, n, 2) == np_sums[c].sum);
		free(b);
		free(a);
	}
}

static void test_np_sum_small(void **state)
{
	(void)state;
	assert_true(np_sum_f64(NULL, 0, 1) == 0.0);
	assert_true(metric_pairwise_sum(NULL, 0) == 0.0);
	const double a[3] = {0.5, 0.25, 0.125};
	assert_true(np_sum_f64(a, 3, 1) == 0.875);
	assert_true(metric_pairwise_sum(a, 3) == 0.875);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_np_sum_matches_numpy),
		cmocka_unit_test(test_np_sum_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
