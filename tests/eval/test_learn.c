/*
 * Tests of the learning components of eval/ against goldens made by
 * tools/gen_learn_goldens.py with Debian numpy / scikit-learn 1.2.1
 * (tests/golden/learn/learn.json): the RandomState stream, MTEB
 * undersampling, logistic regression, MiniBatchKMeans and V-measure.
 * Input data is regenerated here from the same RandomState streams.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans.h"
#include "logreg.h"
#include "metrics.h"
#include "mt19937.h"
#include "test_util.h"
#include "undersample.h"
#include "vmeasure.h"

static json_t *g_doc;

static json_t *golden(const char *key)
{
	return tu_json_member(&g_doc, "tests/golden/learn/learn.json", key);
}

/* Golden floats are Python repr strings: strtod round-trips them exactly. */
static double jnum(json_t *v)
{
	if (json_is_string(v))
		return strtod(json_string_value(v), NULL);
	if (json_is_integer(v))
		return (double)json_integer_value(v);
	assert_true(json_is_real(v));
	return json_real_value(v);
}

static int64_t jint(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static int64_t *jint_array(json_t *arr, size_t *n)
{
	assert_true(json_is_array(arr));
	*n = json_array_size(arr);
	int64_t *out = malloc((*n ? *n : 1) * sizeof *out);
	for (size_t i = 0; i < *n; i++)
		out[i] = json_integer_value(json_array_get(arr, i));
	return out;
}

/* The generator's make_blobs(): centers U*10, labels randint(0,k,n), x = c + (U-0.5)*spread. */
static void make_blobs(uint32_t seed, int64_t n, int32_t d, int32_t k, double spread, double *x64, float *x32,
		       int64_t *labels)
{
	struct mt19937 mt;
	mt19937_seed(&mt, seed);
	double *c = malloc((size_t)k * (size_t)d * sizeof *c);
	for (int64_t i = 0; i < (int64_t)k * d; i++)
		c[i] = mt19937_next_double(&mt) * 10.0;
	mt19937_randint(&mt, 0, k, labels, (size_t)n);
	for (int64_t i = 0; i < n; i++)
		for (int32_t j = 0; j < d; j++) {
			double v = c[labels[i] * d + j] + (mt19937_next_double(&mt) - 0.5) * spread;
			if (x64)
				x64[i * d + j] = v;
			if (x32)
				x32[i * d + j] = (float)v;
		}
	free(c);
}

/* ------------------------------------------------------------ RandomState */

static void test_mt19937_stream(void **state)
{
	(void)state;
	json_t *g = golden("stream");
	struct mt19937 mt;
	mt19937_seed(&mt, 42);
	json_t *u32 = json_object_get(g, "u32");
	for (size_t i = 0; i < json_array_size(u32); i++)
		assert_int_equal(mt19937_next_u32(&mt), json_integer_value(json_array_get(u32, i)));
	mt19937_seed(&mt, 42);
	json_t *dbl = json_object_get(g, "double");
	for (size_t i = 0; i < json_array_size(dbl); i++)
		assert_true(mt19937_next_double(&mt) == jnum(json_array_get(dbl, i)));
	/* randint(0,1000,10), randint(5,6,3) (no draws), randint(0,2**33,3) (64-bit) */
	mt19937_seed(&mt, 42);
	size_t n;
	int64_t *want = jint_array(json_object_get(g, "randint"), &n);
	assert_int_equal(n, 16);
	int64_t got[16];
	mt19937_randint(&mt, 0, 1000, got, 10);
	mt19937_randint(&mt, 5, 6, got + 10, 3);
	mt19937_randint(&mt, 0, INT64_C(1) << 33, got + 13, 3);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
	free(want);
}

static void check_perm_digest(const int64_t *p, int64_t n, json_t *exp)
{
	json_t *head = json_object_get(exp, "head"), *tail = json_object_get(exp, "tail");
	size_t nh = json_array_size(head), nt = json_array_size(tail);
	for (size_t i = 0; i < nh; i++)
		assert_int_equal(p[i], json_integer_value(json_array_get(head, i)));
	for (size_t i = 0; i < nt; i++)
		assert_int_equal(p[n - (int64_t)nt + (int64_t)i], json_integer_value(json_array_get(tail, i)));
	const unsigned __int128 mod = (((unsigned __int128)1) << 61) - 1;
	unsigned __int128 w = 0;
	for (int64_t i = 0; i < n; i++)
		w = (w + (unsigned __int128)i * (unsigned __int128)p[i]) % mod;
	assert_true((uint64_t)w == (uint64_t)jint(exp, "weighted_sum"));
}

static void test_undersample_shuffles(void **state)
{
	(void)state;
	json_t *g = golden("shuffles");
	for (size_t c = 0; c < json_array_size(g); c++) {
		json_t *cs = json_array_get(g, c);
		int64_t n = jint(cs, "n");
		struct undersample u;
		assert_int_equal(undersample_init(&u, n), CE_OK);
		json_t *exps = json_object_get(cs, "experiments");
		for (size_t e = 0; e < json_array_size(exps); e++) {
			undersample_shuffle(&u, 42);
			check_perm_digest(u.idxs, n, json_array_get(exps, e));
		}
		undersample_deinit(&u);
	}
	undersample_deinit(NULL);
}

static void test_undersample_selection(void **state)
{
	(void)state;
	json_t *g = golden("undersampling");
	for (size_t c = 0; c < json_array_size(g); c++) {
		json_t *cs = json_array_get(g, c);
		int64_t n = jint(cs, "n"), nl = jint(cs, "n_labels"), spl = jint(cs, "samples_per_label");
		struct mt19937 mt;
		mt19937_seed(&mt, (uint32_t)jint(cs, "label_seed"));
		int64_t *y = malloc((size_t)n * sizeof *y), *rows = malloc((size_t)n * sizeof *rows);
		mt19937_randint(&mt, 0, nl, y, (size_t)n);
		for (int64_t i = 0; i < n; i++)
			y[i] = y[i] * 3 - 5;
		struct undersample u;
		assert_int_equal(undersample_init(&u, n), CE_OK);
		json_t *exps = json_object_get(cs, "experiments");
		for (size_t e = 0; e < json_array_size(exps); e++) {
			int64_t n_rows;
			assert_int_equal(undersample_next(&u, y, spl, rows, &n_rows), CE_OK);
			size_t nw;
			int64_t *want = jint_array(json_array_get(exps, e), &nw);
			assert_int_equal(n_rows, nw);
			for (size_t i = 0; i < nw; i++)
				assert_int_equal(rows[i], want[i]);
			free(want);
		}
		undersample_deinit(&u);
		free(y);
		free(rows);
	}
}

/* ------------------------------------------------------------ V-measure */

static void test_vmeasure_golden(void **state)
{
	(void)state;
	json_t *g = golden("vmeasure");
	for (size_t c = 0; c < json_array_size(g); c++) {
		json_t *cs = json_array_get(g, c);
		size_t n, n2;
		int64_t *yt = jint_array(json_object_get(cs, "y_true"), &n);
		int64_t *yp = jint_array(json_object_get(cs, "y_pred"), &n2);
		assert_int_equal(n, n2);
		struct vmeasure vm;
		assert_int_equal(vmeasure_compute(yt, yp, n, &vm), CE_OK);
		assert_true(fabs(vm.homogeneity - jnum(json_object_get(cs, "h"))) <= 1e-12);
		assert_true(fabs(vm.completeness - jnum(json_object_get(cs, "c"))) <= 1e-12);
		assert_true(fabs(vm.v_measure - jnum(json_object_get(cs, "v"))) <= 1e-12);
		free(yt);
		free(yp);
	}
	struct vmeasure vm;
	assert_int_equal(vmeasure_compute(NULL, NULL, 0, &vm), CE_OK);
	assert_true(vm.v_measure == 1.0);
}

/* ------------------------------------------------------------ k-means */

static void test_kmeans_golden(void **state)
{
	(void)state;
	json_t *g = golden("kmeans");
	for (size_t c = 0; c < json_array_size(g); c++) {
		json_t *cs = json_array_get(g, c);
		int64_t n = jint(cs, "n");
		int32_t d = (int32_t)jint(cs, "d"), k = (int32_t)jint(cs, "n_clusters");
		float *x = malloc((size_t)(n * d) * sizeof *x);
		int64_t *truth = malloc((size_t)n * sizeof *truth);
		make_blobs((uint32_t)jint(cs, "seed"), n, d, (int32_t)jint(cs, "k_true"),
			   jnum(json_object_get(cs, "spread")), NULL, x, truth);
		struct kmeans_params p;
		kmeans_params_default(&p, k);
		p.batch_size = (int32_t)jint(cs, "batch_size");
		int32_t *labels = malloc((size_t)n * sizeof *labels);
		float *centers = malloc((size_t)k * (size_t)d * sizeof *centers);
		int64_t steps;
		assert_int_equal(kmeans_minibatch_fit(x, n, d, &p, labels, centers, &steps), CE_OK);
		size_t nl;
		int64_t *want = jint_array(json_object_get(cs, "labels"), &nl);
		assert_int_equal(nl, n);
		int64_t diff = 0;
		for (int64_t i = 0; i < n; i++)
			diff += labels[i] != want[i];
		double max_rel = 0.0;
		json_t *wc = json_object_get(cs, "centers");
		for (int32_t j = 0; j < k; j++)
			for (int32_t f = 0; f < d; f++) {
				double w = jnum(json_array_get(json_array_get(wc, (size_t)j), (size_t)f));
				double r = fabs(centers[j * d + f] - w) / (fabs(w) > 1.0 ? fabs(w) : 1.0);
				max_rel = r > max_rel ? r : max_rel;
			}
		fprintf(stderr, "kmeans %s: steps %lld (sklearn %lld), %lld/%lld labels differ, centers max rel diff %.3g\n",
			json_string_value(json_object_get(cs, "name")), (long long)steps,
			(long long)jint(cs, "n_steps"), (long long)diff, (long long)n, max_rel);
		assert_int_equal(steps, jint(cs, "n_steps"));
		assert_int_equal(diff, 0);
		assert_true(max_rel <= 1e-5);
		free(want);
		free(x);
		free(truth);
		free(labels);
		free(centers);
	}
}

/* ------------------------------------------------------------ logistic regression */

/* Max |a-b| / max(|b|, 1e-3 * max|b|): relative error, small entries judged against the largest. */
static double rel_diff(const double *a, const double *b, size_t n)
{
	double scale = 0.0, worst = 0.0;
	for (size_t i = 0; i < n; i++)
		scale = fmax(scale, fabs(b[i]));
	for (size_t i = 0; i < n; i++)
		worst = fmax(worst, fabs(a[i] - b[i]) / fmax(fabs(b[i]), 1e-3 * scale));
	return worst;
}

/*
 * Tolerance on coefficients and intercepts relative to sklearn.  The
 * objective, start point, L-BFGS-B steps and stopping rules are the same;
 * what differs is BLAS summation order.  When L-BFGS-B converges the results
 * agree to ~1e-10; a run stopped by max_iter = 100 far from the optimum
 * amplifies the 1e-16 differences (measured on multi5: 1e-15 after 3
 * iterations, 1e-12 after 30, 1e-10 after 60, 3e-4 after 100), so those get
 * a looser bound.  Predictions must agree exactly in both cases.
 */
#define LOGREG_COEF_RTOL 1e-6
#define LOGREG_COEF_RTOL_UNCONVERGED 2e-3

static void test_logreg_golden(void **state)
{
	(void)state;
	json_t *g = golden("logreg");
	for (size_t c = 0; c < json_array_size(g); c++) {
		json_t *cs = json_array_get(g, c);
		int64_t n = jint(cs, "n"), nt = jint(cs, "n_test");
		int32_t d = (int32_t)jint(cs, "d"), k = (int32_t)jint(cs, "k");
		double *x = malloc((size_t)((n + nt) * d) * sizeof *x);
		int64_t *y = malloc((size_t)(n + nt) * sizeof *y);
		make_blobs((uint32_t)jint(cs, "seed"), n + nt, d, k, jnum(json_object_get(cs, "spread")), x, NULL, y);
		for (int64_t i = 0; i < n + nt; i++)
			y[i] = y[i] * 2 + 1;
		struct logreg_params p;
		logreg_params_default(&p);
		struct logreg_model m;
		assert_int_equal(logreg_fit(x, n, d, y, &p, &m), CE_OK);
		int32_t rows = m.n_rows;
		assert_int_equal(rows, k == 2 ? 1 : k);
		double *wc = malloc((size_t)rows * (size_t)d * sizeof *wc), wi[64];
		json_t *jc = json_object_get(cs, "coef"), *ji = json_object_get(cs, "intercept");
		for (int32_t r = 0; r < rows; r++) {
			for (int32_t j = 0; j < d; j++)
				wc[r * d + j] = jnum(json_array_get(json_array_get(jc, (size_t)r), (size_t)j));
			wi[r] = jnum(json_array_get(ji, (size_t)r));
		}
		double rc = rel_diff(m.coef, wc, (size_t)rows * (size_t)d);
		double ri = rel_diff(m.intercept, wi, (size_t)rows);
		int64_t *pred = malloc((size_t)nt * sizeof *pred);
		logreg_predict(&m, x + n * d, nt, pred);
		size_t np_;
		int64_t *want = jint_array(json_object_get(cs, "pred_test"), &np_);
		int64_t diff = 0;
		for (int64_t i = 0; i < nt; i++)
			diff += pred[i] != want[i];
		fprintf(stderr, "logreg %s: n_iter %d (sklearn %lld), coef rel diff %.3g, intercept rel diff %.3g, %lld/%lld predictions differ\n",
			json_string_value(json_object_get(cs, "name")), m.n_iter, (long long)jint(cs, "n_iter"), rc, ri,
			(long long)diff, (long long)nt);
		assert_int_equal(m.n_iter, jint(cs, "n_iter"));
		assert_int_equal(diff, 0);
		double tol = m.converged ? LOGREG_COEF_RTOL : LOGREG_COEF_RTOL_UNCONVERGED;
		assert_true(rc <= tol);
		assert_true(ri <= tol);
		double acc = metric_accuracy(y + n, pred, nt), f1;
		assert_int_equal(metric_f1_macro(y + n, pred, nt, &f1), CE_OK);
		assert_true(acc == jnum(json_object_get(cs, "accuracy")));
		assert_true(fabs(f1 - jnum(json_object_get(cs, "f1_macro"))) <= 1e-12);
		logreg_model_deinit(&m);
		free(want);
		free(pred);
		free(wc);
		free(x);
		free(y);
	}
}

static void test_logreg_metrics(void **state)
{
	(void)state;
	json_t *g = golden("metrics");
	for (size_t c = 0; c < json_array_size(g); c++) {
		json_t *cs = json_array_get(g, c);
		size_t n, n2;
		int64_t *yt = jint_array(json_object_get(cs, "y_true"), &n);
		int64_t *yp = jint_array(json_object_get(cs, "y_pred"), &n2);
		assert_int_equal(n, n2);
		double f1;
		assert_true(metric_accuracy(yt, yp, (int64_t)n) == jnum(json_object_get(cs, "accuracy")));
		assert_int_equal(metric_f1_macro(yt, yp, (int64_t)n, &f1), CE_OK);
		assert_true(fabs(f1 - jnum(json_object_get(cs, "f1_macro"))) <= 1e-12);
		json_t *jb = json_object_get(cs, "y_pred_bin");
		if (jb) {
			size_t nb;
			int64_t *yb = jint_array(jb, &nb);
			assert_true(fabs(metric_average_precision_hard(yt, yb, (int64_t)n) - jnum(json_object_get(cs, "ap"))) <= 1e-12);
			assert_int_equal(metric_f1_macro(yt, yb, (int64_t)n, &f1), CE_OK);
			assert_true(fabs(f1 - jnum(json_object_get(cs, "f1_macro_bin"))) <= 1e-12);
			free(yb);
		}
		free(yt);
		free(yp);
	}
}

static void test_logreg_invalid(void **state)
{
	(void)state;
	double x[3] = {1, 2, 3};
	int64_t y[3] = {4, 4, 4};
	struct logreg_params p;
	logreg_params_default(&p);
	struct logreg_model m;
	assert_int_equal(logreg_fit(x, 3, 1, y, &p, &m), CE_E_INVALID_ARG); /* one class */
	assert_null(m.coef);
	logreg_model_deinit(&m);
	logreg_model_deinit(NULL);
}

static void test_kmeans_invalid(void **state)
{
	(void)state;
	float x[4] = {0, 1, 2, 3};
	int32_t labels[4];
	struct kmeans_params p;
	kmeans_params_default(&p, 5);
	assert_int_equal(kmeans_minibatch_fit(x, 4, 1, &p, labels, NULL, NULL), CE_E_INVALID_ARG);
	kmeans_params_default(&p, 4); /* k == n: every point its own center */
	assert_int_equal(kmeans_minibatch_fit(x, 4, 1, &p, labels, NULL, NULL), CE_OK);
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			assert_int_not_equal(labels[i], labels[j]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mt19937_stream),
		cmocka_unit_test(test_undersample_shuffles),
		cmocka_unit_test(test_undersample_selection),
		cmocka_unit_test(test_vmeasure_golden),
		cmocka_unit_test(test_kmeans_golden),
		cmocka_unit_test(test_kmeans_invalid),
		cmocka_unit_test(test_logreg_golden),
		cmocka_unit_test(test_logreg_metrics),
		cmocka_unit_test(test_logreg_invalid),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	json_decref(g_doc);
	return rc;
}
