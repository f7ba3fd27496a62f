/*
 * eval/knn.h: blocked top-k against a brute-force full sort by
 * (score desc, doc id desc) on data whose dot products are exact in float32
 * (small integers), so forced ties are real ties in both computations.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knn.h"
#include "test_util.h"

struct cand {
	int32_t doc;
	double score;
};

static const char *const *g_ids; /* for the qsort comparator */

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (g_ids) {
		int c = strcmp(g_ids[y->doc], g_ids[x->doc]);
		if (c)
			return c;
	}
	return (y->doc > x->doc) - (y->doc < x->doc);
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return rng_state >> 8;
}

/* Compare knn_search with brute force for one configuration. */
static void check_config(int64_t nq, int64_t nd, int64_t dim, int64_t k, int64_t qb, int64_t db, int use_ids,
			 int exclude)
{
	float *Q = malloc((size_t)(nq * dim) * sizeof *Q), *D = malloc((size_t)(nd * dim) * sizeof *D);
	/* values in {-1, 0, 1}: dot products are small integers -> many ties */
	for (int64_t i = 0; i < nq * dim; i++)
		Q[i] = (float)((int)(rnd() % 3) - 1);
	for (int64_t i = 0; i < nd * dim; i++)
		D[i] = (float)((int)(rnd() % 3) - 1);
	char **dids = malloc((size_t)nd * sizeof *dids), **qids = malloc((size_t)nq * sizeof *qids);
	for (int64_t j = 0; j < nd; j++) {
		dids[j] = malloc(16);
		/* ids not in index order, so id order and index order disagree */
		snprintf(dids[j], 16, "d%03u", (unsigned)((j * 37 + 11) % 997));
	}
	for (int64_t i = 0; i < nq; i++) {
		qids[i] = malloc(16);
		/* every other query shares its id with some doc */
		if (i % 2 == 0)
			snprintf(qids[i], 16, "%s", dids[(i * 7) % nd]);
		else
			snprintf(qids[i], 16, "q%lld", (long long)i);
	}
	struct knn_options opt;
	knn_options_init(&opt);
	opt.k = k;
	opt.q_block = qb;
	opt.d_block = db;
	opt.doc_ids = use_ids ? (const char *const *)dids : NULL;
	opt.query_ids = (const char *const *)qids;
	opt.exclude_identical_ids = exclude;
	struct knn_hit *hits = malloc((size_t)(nq * k) * sizeof *hits);
	int64_t *nh = malloc((size_t)nq * sizeof *nh);
	struct ce_err err;
	struct cand *all = malloc((size_t)nd * sizeof *all);
	g_ids = opt.doc_ids;
	/* one worker, two, and more workers than query blocks */
	for (int th = 1; th <= 3; th++) {
		opt.threads = th == 3 ? (int)nq + 2 : th;
		if (knn_search(Q, nq, D, nd, dim, &opt, hits, nh, &err) != CE_OK)
			fail_msg("knn_search: %s", err.msg);
		for (int64_t i = 0; i < nq; i++) {
			int64_t n = 0;
			for (int64_t j = 0; j < nd; j++) {
				if (exclude && strcmp(dids[j], qids[i]) == 0)
					continue;
				double s = 0;
				for (int64_t t = 0; t < dim; t++)
					s += (double)Q[i * dim + t] * (double)D[j * dim + t];
				all[n].doc = (int32_t)j;
				all[n].score = s;
				n++;
			}
			qsort(all, (size_t)n, sizeof *all, cmp_cand);
			int64_t want = n < k ? n : k;
			assert_int_equal(nh[i], want);
			for (int64_t r = 0; r < want; r++) {
				const struct knn_hit *h = &hits[i * k + r];
				if (h->doc != all[r].doc || (double)h->score != all[r].score)
					fail_msg("nq=%lld nd=%lld k=%lld qb=%lld db=%lld ids=%d excl=%d: query %lld rank %lld: got doc %d (%g), want %d (%g)",
						 (long long)nq, (long long)nd, (long long)k, (long long)qb, (long long)db, use_ids,
						 exclude, (long long)i, (long long)r, h->doc, (double)h->score, all[r].doc,
						 all[r].score);
			}
		}
	}
	free(all);
	free(hits);
	free(nh);
	for (int64_t j = 0; j < nd; j++)
		free(dids[j]);
	for (int64_t i = 0; i < nq; i++)
		free(qids[i]);
	free(dids);
	free(qids);
	free(Q);
	free(D);
}

static void test_knn_blocked_equals_brute_force(void **state)
{
	(void)state;
	/* block sizes that do not divide the sizes; k below, at and above nd */
	const int64_t ks[] = {1, 5, 17, 101, 150};
	for (size_t a = 0; a < sizeof ks / sizeof ks[0]; a++)
		for (int ids = 0; ids <= 1; ids++) {
			check_config(13, 101, 7, ks[a], 4, 9, ids, 0);
			check_config(13, 101, 7, ks[a], 5, 1000, ids, 0);
			check_config(3, 64, 5, ks[a], 1, 1, ids, 0);
		}
}

static void test_knn_identical_id_exclusion(void **state)
{
	(void)state;
	check_config(13, 101, 7, 10, 4, 9, 1, 1);
	check_config(13, 101, 7, 100, 3, 11, 1, 1); /* k = nd - 1: exactly the others */
	check_config(13, 101, 7, 150, 3, 11, 1, 1);
}

static void test_knn_cosine(void **state)
{
	(void)state;
	/* rows of different lengths: cosine must ignore length, dot must not */
	const float Q[2 * 2] = {1, 0, 0, 3};
	const float D[3 * 2] = {10, 0, 1, 1, 0, 0.5f};
	struct knn_options opt;
	knn_options_init(&opt);
	opt.k = 3;
	opt.metric = KNN_METRIC_COSINE;
	struct knn_hit h[6];
	int64_t n[2];
	struct ce_err err;
	assert_int_equal(knn_search(Q, 2, D, 3, 2, &opt, h, n, &err), CE_OK);
	/* query 0 = x axis: cos = 1 (doc 0), 1/sqrt2 (doc 1), 0 (doc 2) */
	assert_int_equal(h[0].doc, 0);
	assert_true(fabs(h[0].score - 1.0) < 1e-6);
	assert_int_equal(h[1].doc, 1);
	assert_true(fabs(h[1].score - 1.0 / sqrt(2.0)) < 1e-6);
	/* query 1 = y axis: doc 2 (cos 1), doc 1, doc 0 */
	assert_int_equal(h[3].doc, 2);
	assert_true(fabs(h[3].score - 1.0) < 1e-6);
	assert_int_equal(h[5].doc, 0);
	opt.metric = KNN_METRIC_DOT;
	assert_int_equal(knn_search(Q, 2, D, 3, 2, &opt, h, n, &err), CE_OK);
	assert_true(h[0].doc == 0 && h[0].score == 10.0f);
}

static void test_knn_bad_args(void **state)
{
	(void)state;
	const float x[4] = {0};
	struct knn_hit h[4];
	int64_t n[2];
	struct ce_err err;
	struct knn_options opt;
	knn_options_init(&opt);
	opt.k = 0;
	assert_int_equal(knn_search(x, 1, x, 1, 2, &opt, h, n, &err), CE_E_INVALID_ARG);
	knn_options_init(&opt);
	opt.exclude_identical_ids = 1; /* without ids */
	assert_int_equal(knn_search(x, 1, x, 1, 2, &opt, h, n, &err), CE_E_INVALID_ARG);
	knn_options_init(&opt);
	opt.threads = -1;
	assert_int_equal(knn_search(x, 1, x, 1, 2, &opt, h, n, &err), CE_E_INVALID_ARG);
	knn_options_init(&opt);
	opt.k = 2;
	assert_int_equal(knn_search(x, 1, x, 0, 2, &opt, h, n, &err), CE_OK); /* empty corpus */
	assert_int_equal(n[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_knn_blocked_equals_brute_force),
		cmocka_unit_test(test_knn_identical_id_exclusion),
		cmocka_unit_test(test_knn_cosine),
		cmocka_unit_test(test_knn_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
