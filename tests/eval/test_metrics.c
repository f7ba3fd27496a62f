/*
 * Tests of eval/metrics.h against goldens made by tools/gen_metric_goldens.py
 * with Debian's sklearn 1.2.1 / scipy 1.10.1 (tests/golden/metrics/ap.json, corr.json, pairclass.json).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "metrics.h"
#include "test_util.h"

#define TOL 1e-12

static json_t *load_cases(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "tests/golden/metrics/%s.json", name);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root)
		fail_msg("%s:%d: %s", path, je.line, je.text);
	json_t *cases = json_object_get(root, "cases");
	assert_true(json_is_array(cases) && json_array_size(cases) > 0);
	json_incref(cases);
	json_decref(root);
	return cases;
}

static double *get_doubles(json_t *c, const char *key, size_t *n)
{
	json_t *a = json_object_get(c, key);
	assert_true(json_is_array(a));
	*n = json_array_size(a);
	double *v = malloc((*n + 1) * sizeof *v);
	for (size_t i = 0; i < *n; i++)
		v[i] = json_number_value(json_array_get(a, i));
	return v;
}

static uint8_t *get_labels(json_t *c, size_t n)
{
	json_t *a = json_object_get(c, "label");
	assert_int_equal(json_array_size(a), n);
	uint8_t *v = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		v[i] = (uint8_t)json_integer_value(json_array_get(a, i));
	return v;
}

/* Expected value (NaN for JSON null) compared within TOL. */
static void check(json_t *c, const char *key, double got)
{
	json_t *e = json_object_get(c, key);
	const char *name = json_string_value(json_object_get(c, "name"));
	if (json_is_null(e)) {
		if (!isnan(got))
			fail_msg("%s.%s: expected NaN, got %.17g", name, key, got);
		return;
	}
	double want = json_number_value(e);
	if (!(fabs(got - want) <= TOL))
		fail_msg("%s.%s: expected %.17g, got %.17g", name, key, want, got);
}

static void test_metric_average_precision_golden(void **state)
{
	(void)state;
	json_t *cases = load_cases("ap");
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c) {
		size_t n;
		double *s = get_doubles(c, "score", &n);
		uint8_t *l = get_labels(c, n);
		double ap = -1;
		assert_int_equal(metric_average_precision(s, l, n, &ap), CE_OK);
		check(c, "ap", ap);
		free(s);
		free(l);
	}
	json_decref(cases);
	double ap;
	assert_int_equal(metric_average_precision(NULL, NULL, 0, &ap), CE_E_INVALID_ARG);
}

static void test_metric_corr_golden(void **state)
{
	(void)state;
	json_t *cases = load_cases("corr");
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c) {
		size_t n, m;
		double *x = get_doubles(c, "x", &n), *y = get_doubles(c, "y", &m);
		assert_int_equal(n, m);
		double r = 0, rho = 0;
		assert_int_equal(metric_pearson(x, y, n, &r), CE_OK);
		assert_int_equal(metric_spearman(x, y, n, &rho), CE_OK);
		check(c, "pearson", r);
		check(c, "spearman", rho);
		free(x);
		free(y);
	}
	json_decref(cases);
}

static void test_metric_rank_average_ties(void **state)
{
	(void)state;
	/* scipy.stats.rankdata([3, 1, 3, 2, 3, 1]) = [5, 1.5, 5, 3, 5, 1.5] */
	const double x[] = {3, 1, 3, 2, 3, 1};
	const double want[] = {5, 1.5, 5, 3, 5, 1.5};
	double r[6];
	assert_int_equal(metric_rank_average(x, 6, r), CE_OK);
	for (int i = 0; i < 6; i++)
		assert_true(r[i] == want[i]);
}

static void test_metric_pair_classification_golden(void **state)
{
	(void)state;
	json_t *cases = load_cases("pairclass");
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c) {
		size_t n;
		double *sd = get_doubles(c, "score", &n);
		uint8_t *l = get_labels(c, n);
		float *s = malloc(n * sizeof *s);
		for (size_t j = 0; j < n; j++)
			s[j] = (float)sd[j]; /* the golden holds float32 values exactly */
		int hi = json_is_true(json_object_get(c, "higher_is_positive"));
		struct pair_class_result res;
		assert_int_equal(metric_pair_classification(s, l, n, hi, &res), CE_OK);
		check(c, "accuracy", res.accuracy);
		check(c, "accuracy_threshold", res.accuracy_threshold);
		check(c, "f1", res.f1);
		check(c, "f1_threshold", res.f1_threshold);
		check(c, "precision", res.precision);
		check(c, "recall", res.recall);
		check(c, "ap", res.ap);
		free(sd);
		free(l);
		free(s);
	}
	json_decref(cases);
}

static void test_metric_pairwise_sum_order(void **state)
{
	(void)state;
	/* 1e16 + 1 + 1 ... : naive left-to-right loses the ones, pairwise keeps
	 * some: numpy gives np.sum([1e16] + [1.0]*15) = 1.0000000000000014e+16 */
	double a[16];
	a[0] = 1e16;
	for (int i = 1; i < 16; i++)
		a[i] = 1.0;
	assert_true(metric_pairwise_sum(a, 16) == 1.0000000000000014e+16);
	double naive = 0;
	for (int i = 0; i < 16; i++)
		naive += a[i];
	assert_true(naive != 1.0000000000000014e+16); /* the test distinguishes the orders */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metric_average_precision_golden),
		cmocka_unit_test(test_metric_corr_golden),
		cmocka_unit_test(test_metric_rank_average_ties),
		cmocka_unit_test(test_metric_pair_classification_golden),
		cmocka_unit_test(test_metric_pairwise_sum_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
