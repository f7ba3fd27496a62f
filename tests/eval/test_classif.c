/*
 * Hand-worked cases for the classification metrics of metrics.h
 * (m_classif.c): sklearn 1.2 accuracy_score, f1_score(average="macro") and
 * average_precision_score on hard 0/1 predictions, as MTEB's
 * logistic-regression evaluator calls them.  Every expected value is derived
 * in the comment next to it.  tests/eval/test_learn.c checks the same
 * functions against sklearn's own output (tests/golden/learn/learn.json).
 */
#include <math.h>

#include "metrics.h"
#include "test_util.h"

#define TOL 1e-15
#define assert_near(a, b) assert_true(fabs((a) - (b)) <= TOL)

static void test_accuracy(void **state)
{
	(void)state;
	/* equal at 0, 2, 3, 5: 4 / 6 */
	const int64_t yt[] = {0, 0, 1, 1, 1, 2}, yp[] = {0, 1, 1, 1, 2, 2};
	assert_true(metric_accuracy(yt, yp, 6) == 4.0 / 6.0);
	assert_true(metric_accuracy(yt, yt, 6) == 1.0);
	/* labels are compared as values, not positions */
	const int64_t a[] = {7, -3}, b[] = {-3, 7};
	assert_true(metric_accuracy(a, b, 2) == 0.0);
}

static void test_f1_macro(void **state)
{
	(void)state;
	double f1 = -1;
	/*
	 * y_true 0 0 1 1 1 2, y_pred 0 1 1 1 2 2:
	 *   label 0: tp 1, predicted 1, true 2: P 1,   R 1/2, F1 2/3
	 *   label 1: tp 2, predicted 3, true 3: P 2/3, R 2/3, F1 2/3
	 *   label 2: tp 1, predicted 2, true 1: P 1/2, R 1,   F1 2/3
	 * macro = 2/3
	 */
	const int64_t yt[] = {0, 0, 1, 1, 1, 2}, yp[] = {0, 1, 1, 1, 2, 2};
	assert_int_equal(metric_f1_macro(yt, yp, 6, &f1), CE_OK);
	assert_near(f1, 2.0 / 3.0);
	/*
	 * A label only predicted counts (sklearn: labels = y_true U y_pred) with F1 0:
	 * y_true 0 0 1 1, y_pred 0 3 1 1: label 0 F1 2/3, label 1 F1 1, label 3
	 * P 0/1, R 0/0 -> 0: macro = (2/3 + 1 + 0) / 3 = 5/9
	 */
	const int64_t yt2[] = {0, 0, 1, 1}, yp2[] = {0, 3, 1, 1};
	assert_int_equal(metric_f1_macro(yt2, yp2, 4, &f1), CE_OK);
	assert_near(f1, 5.0 / 9.0);
	/* all wrong on two labels: both F1 0 (zero_division -> 0) */
	const int64_t yt3[] = {0, 1}, yp3[] = {1, 0};
	assert_int_equal(metric_f1_macro(yt3, yp3, 2, &f1), CE_OK);
	assert_true(f1 == 0.0);
	/* perfect */
	assert_int_equal(metric_f1_macro(yt, yt, 6, &f1), CE_OK);
	assert_true(f1 == 1.0);
	/* empty input: 0 */
	f1 = -1;
	assert_int_equal(metric_f1_macro(yt, yp, 0, &f1), CE_OK);
	assert_true(f1 == 0.0);
}

static void test_average_precision_hard(void **state)
{
	(void)state;
	/*
	 * y_true 1 0 1 1 0, y_pred 1 1 0 1 0: positives 3 of 5 (base 3/5);
	 * predicted positive 3, of which 2 right: P 2/3, R 2/3.
	 * sklearn: thresholds 1 -> (P 2/3, R 2/3), 0 -> (P 3/5, R 1):
	 * AP = (2/3 - 0) * 2/3 + (1 - 2/3) * 3/5 = 4/9 + 1/5 = 29/45
	 */
	const int64_t yt[] = {1, 0, 1, 1, 0}, yp[] = {1, 1, 0, 1, 0};
	assert_near(metric_average_precision_hard(yt, yp, 5), 29.0 / 45.0);
	/* everything or nothing predicted positive: one threshold, AP = base rate */
	const int64_t ones[] = {1, 1, 1, 1, 1}, zeros[] = {0, 0, 0, 0, 0};
	assert_near(metric_average_precision_hard(yt, ones, 5), 3.0 / 5.0);
	assert_near(metric_average_precision_hard(yt, zeros, 5), 3.0 / 5.0);
	/* perfect predictions: P = R = 1 -> 1 */
	assert_true(metric_average_precision_hard(yt, yt, 5) == 1.0);
	/* no positive in y_true: sklearn's value is meaningless, ceval returns 0 */
	assert_true(metric_average_precision_hard(zeros, yp, 5) == 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accuracy),
		cmocka_unit_test(test_f1_macro),
		cmocka_unit_test(test_average_precision_hard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
