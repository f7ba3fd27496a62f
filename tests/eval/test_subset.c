/*
 * Tests of eval/subset.c: the CI subset rules of subset.h.
 *
 * Goldens come from tests/golden/subset_golden.py, an independent Python
 * model of the rule written from its description (splitmix64, largest
 * remainder, partial Fisher-Yates, sorted); the splitmix64 sequence for seed
 * 1234567 is the published reference output of Vigna's splitmix64.c.
 * Properties (stratification within one item, relevant documents kept,
 * corpus size rule) are checked on synthetic datasets built here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "dataset.h"
#include "results.h"
#include "subset.h"
#include "test_util.h"

static struct task *mk_task(enum task_type type)
{
	struct task *t = ce_calloc(1, sizeof *t);
	assert_non_null(t);
	t->name = ce_strdup("T");
	t->type = type;
	t->n_experiments = 10;
	t->samples_per_label = 8;
	return t;
}

static struct dataset *mk_ds(enum task_type type)
{
	struct dataset *ds = ce_calloc(1, sizeof *ds);
	assert_non_null(ds);
	ds->type = type;
	ds->split = ce_strdup("test");
	ds->content_hash = 0x1234;
	return ds;
}

static void push(struct strtab *t, const char *fmt, long long i)
{
	char b[64];
	int n = snprintf(b, sizeof b, fmt, i);
	assert_int_equal(strtab_push(t, b, (size_t)n), CE_OK);
}

static long long num_of(const struct strtab *t, int64_t i)
{
	return atoll(strtab_get(t, i) + 1); /* "s17" -> 17 */
}

/* ---- generator and allocation ------------------------------------------ */

static void test_splitmix64_reference(void **state)
{
	(void)state;
	/* splitmix64.c (Vigna), seed 1234567: first five outputs */
	static const uint64_t want[5] = {6457827717110365317ULL, 3203168211198807973ULL, 9817491932198370423ULL,
					 4593380528125082431ULL, 16408922859458223821ULL};
	struct subset_rng r;
	subset_rng_seed(&r, 1234567);
	for (int i = 0; i < 5; i++)
		assert_true(subset_rng_next(&r) == want[i]);
	/* below() stays in range */
	subset_rng_seed(&r, 42);
	for (int i = 0; i < 1000; i++)
		assert_true(subset_rng_below(&r, 7) < 7);
	assert_true(subset_rng_below(&r, 1) == 0);
}

static void test_allocate_golden_and_bounds(void **state)
{
	(void)state;
	struct ce_err err;
	int64_t a[5];
	static const int64_t s1[5] = {10, 3, 7, 0, 1};
	assert_int_equal(subset_allocate(s1, 5, 9, a, &err), CE_OK);
	static const int64_t g1[5] = {4, 1, 3, 0, 1}; /* subset_golden.py */
	for (int i = 0; i < 5; i++)
		assert_int_equal(a[i], g1[i]);
	static const int64_t s2[3] = {5, 5, 5};
	assert_int_equal(subset_allocate(s2, 3, 7, a, &err), CE_OK);
	assert_true(a[0] == 3 && a[1] == 2 && a[2] == 2); /* tie -> lower id */
	/* every stratum within one item of its exact share, sum exact */
	struct subset_rng r;
	subset_rng_seed(&r, 7);
	for (int trial = 0; trial < 200; trial++) {
		int64_t sz[8], al[8], tot = 0;
		int k = 1 + (int)subset_rng_below(&r, 8);
		for (int i = 0; i < k; i++)
			tot += sz[i] = (int64_t)subset_rng_below(&r, 50);
		if (tot == 0)
			continue;
		int64_t n = (int64_t)subset_rng_below(&r, (uint64_t)tot + 1), sum = 0;
		assert_int_equal(subset_allocate(sz, k, n, al, &err), CE_OK);
		for (int i = 0; i < k; i++) {
			double exact = (double)n * (double)sz[i] / (double)tot;
			assert_true(fabs((double)al[i] - exact) < 1.0);
			assert_true(al[i] <= sz[i]);
			sum += al[i];
		}
		assert_int_equal(sum, n);
	}
	assert_int_equal(subset_allocate(s1, 5, 22, a, &err), CE_E_INVALID_ARG);
}

static void test_stratified_golden_deterministic(void **state)
{
	(void)state;
	int32_t strata[40];
	for (int i = 0; i < 40; i++)
		strata[i] = (i * 7) % 11 % 3;
	static const int64_t golden[13] = {2, 4, 7, 12, 13, 15, 23, 29, 30, 31, 32, 36, 37}; /* subset_golden.py */
	for (int rep = 0; rep < 2; rep++) {
		int64_t out[40], n = 0;
		struct subset_rng r;
		struct ce_err err;
		subset_rng_seed(&r, 42);
		assert_int_equal(subset_stratified(strata, 40, 3, 13, &r, out, &n, &err), CE_OK);
		assert_int_equal(n, 13);
		for (int i = 0; i < 13; i++)
			assert_int_equal(out[i], golden[i]);
	}
	/* n >= rows: everything */
	int64_t out[40], n = 0;
	struct subset_rng r;
	struct ce_err err;
	subset_rng_seed(&r, 42);
	assert_int_equal(subset_stratified(strata, 40, 3, 40, &r, out, &n, &err), CE_OK);
	assert_int_equal(n, 40);
	strata[3] = 5;
	assert_int_equal(subset_stratified(strata, 40, 3, 10, &r, out, &n, &err), CE_E_INVALID_ARG);
}

/* ---- per type ---------------------------------------------------------- */

static struct dataset *mk_sts(void)
{
	struct dataset *ds = mk_ds(TASK_TYPE_STS);
	ds->sts.score = ce_malloc_array(25, sizeof(double));
	for (int i = 0; i < 25; i++) {
		push(&ds->sts.s1, "a%lld", i);
		push(&ds->sts.s2, "b%lld", i);
		ds->sts.score[i] = (double)(i * 37 % 26) / 5.0;
	}
	return ds;
}

static void test_sts_golden(void **state)
{
	(void)state;
	struct task *t = mk_task(TASK_TYPE_STS);
	t->has_score_range = true;
	t->score_min = 0;
	t->score_max = 5;
	static const int64_t golden[10] = {1, 7, 10, 11, 13, 17, 19, 21, 23, 24}; /* subset_golden.py */
	uint64_t h[2];
	for (int rep = 0; rep < 2; rep++) {
		struct dataset *ds = mk_sts();
		struct subset_spec sp = {10, 0, SUBSET_SEED};
		struct subset_info info;
		struct ce_err err;
		assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
		assert_true(info.applied);
		assert_int_equal(ds->sts.s1.n, 10);
		for (int i = 0; i < 10; i++) {
			assert_int_equal(num_of(&ds->sts.s1, i), golden[i]);
			assert_int_equal(num_of(&ds->sts.s2, i), golden[i]);
			assert_true(ds->sts.score[i] == (double)(golden[i] * 37 % 26) / 5.0);
		}
		assert_true(ds->content_hash == 0x1234);
		assert_string_equal(ds->split, "test");
		h[rep] = info.hash;
		dataset_free(ds);
	}
	assert_true(h[0] == h[1]);
	/* another N: another selection hash */
	struct dataset *ds = mk_sts();
	struct subset_spec sp = {11, 0, SUBSET_SEED};
	struct subset_info info;
	struct ce_err err;
	assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
	assert_true(info.hash != h[0]);
	dataset_free(ds);
	/* N covering everything: untouched, not applied */
	ds = mk_sts();
	sp.n = 25;
	assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
	assert_false(info.applied);
	assert_int_equal(ds->sts.s1.n, 25);
	dataset_free(ds);
	task_free(t);
}

static void test_pair_stratified(void **state)
{
	(void)state;
	struct task *t = mk_task(TASK_TYPE_PAIR_CLASSIFICATION);
	struct dataset *ds = mk_ds(TASK_TYPE_PAIR_CLASSIFICATION);
	ds->pair.label = ce_malloc_array(100, sizeof(int32_t));
	for (int i = 0; i < 100; i++) {
		push(&ds->pair.s1, "a%lld", i);
		push(&ds->pair.s2, "b%lld", i);
		ds->pair.label[i] = i % 10 < 3; /* 30 positives */
	}
	struct subset_spec sp = {23, 0, SUBSET_SEED};
	struct subset_info info;
	struct ce_err err;
	assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
	assert_int_equal(ds->pair.s1.n, 23);
	int pos = 0;
	for (int i = 0; i < 23; i++) {
		long long k = num_of(&ds->pair.s1, i);
		assert_int_equal(ds->pair.label[i], k % 10 < 3); /* labels follow their rows */
		assert_int_equal(num_of(&ds->pair.s2, i), k);
		if (i)
			assert_true(k > num_of(&ds->pair.s1, i - 1)); /* file order kept */
		pos += ds->pair.label[i];
	}
	assert_true(fabs(pos - 23 * 0.3) < 1.0); /* exact share 6.9 -> 7 */
	dataset_free(ds);
	task_free(t);
}

static void test_classification_stratified_train_kept(void **state)
{
	(void)state;
	struct task *t = mk_task(TASK_TYPE_CLASSIFICATION);
	struct dataset *ds = mk_ds(TASK_TYPE_CLASSIFICATION);
	struct ds_classification *c = &ds->classification;
	c->labels.n_classes = 3;
	c->labels.values = ce_malloc_array(3, sizeof(int64_t));
	for (int i = 0; i < 3; i++)
		c->labels.values[i] = 10 * i;
	c->eval_labels = ce_malloc_array(100, sizeof(int32_t));
	c->train_labels = ce_malloc_array(40, sizeof(int32_t));
	for (int i = 0; i < 100; i++) {
		push(&c->eval_texts, "e%lld", i);
		c->eval_labels[i] = i < 50 ? 0 : i < 80 ? 1 : 2;
	}
	for (int i = 0; i < 40; i++) {
		push(&c->train_texts, "t%lld", i);
		c->train_labels[i] = i % 3;
	}
	struct subset_spec sp = {15, 0, SUBSET_SEED};
	struct subset_info info;
	struct ce_err err;
	assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
	c = &ds->classification;
	assert_int_equal(c->eval_texts.n, 15);
	int cnt[3] = {0};
	for (int i = 0; i < 15; i++) {
		long long k = num_of(&c->eval_texts, i);
		assert_int_equal(c->eval_labels[i], k < 50 ? 0 : k < 80 ? 1 : 2);
		cnt[c->eval_labels[i]]++;
	}
	/* exact shares 7.5, 4.5, 3 */
	assert_true(fabs(cnt[0] - 7.5) < 1 && fabs(cnt[1] - 4.5) < 1 && cnt[2] == 3);
	assert_int_equal(c->train_texts.n, 40);
	for (int i = 0; i < 40; i++) {
		assert_int_equal(num_of(&c->train_texts, i), i);
		assert_int_equal(c->train_labels[i], i % 3);
	}
	assert_int_equal(c->labels.n_classes, 3);
	assert_true(c->labels.values[2] == 20);
	/* texts to encode: 15 eval + min(count, 10 x 8) train per label = 15 + 40 */
	assert_int_equal(subset_count_texts(ds, t), 55);
	dataset_free(ds);
	task_free(t);
}

static void test_clustering_per_set(void **state)
{
	(void)state;
	struct task *t = mk_task(TASK_TYPE_CLUSTERING);
	struct dataset *ds = mk_ds(TASK_TYPE_CLUSTERING);
	struct ds_clustering *c = &ds->clustering;
	c->n_sets = 2;
	c->set_off = ce_malloc_array(3, sizeof(int64_t));
	c->labels = ce_malloc_array(68, sizeof(int32_t));
	c->label_set.n_classes = 4;
	c->label_set.values = ce_calloc(4, sizeof(int64_t));
	c->set_off[0] = 0;
	c->set_off[1] = 60;
	c->set_off[2] = 68; /* second set: 8 sentences, kept whole */
	for (int i = 0; i < 68; i++) {
		push(&c->sentences, "s%lld", i);
		c->labels[i] = i < 60 ? (i < 30 ? 0 : i < 50 ? 1 : 2) : 3;
	}
	struct subset_spec sp = {12, 0, SUBSET_SEED};
	struct subset_info info;
	struct ce_err err;
	assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
	c = &ds->clustering;
	assert_int_equal(c->n_sets, 2);
	assert_int_equal(c->set_off[1], 12);
	assert_int_equal(c->set_off[2], 20);
	int cnt[4] = {0};
	for (int i = 0; i < 20; i++) {
		long long k = num_of(&c->sentences, i);
		assert_int_equal(c->labels[i], k < 60 ? (k < 30 ? 0 : k < 50 ? 1 : 2) : 3);
		assert_true(i < 12 ? k < 60 : k >= 60);
		cnt[c->labels[i]]++;
	}
	assert_true(cnt[0] == 6 && cnt[1] == 4 && cnt[2] == 2 && cnt[3] == 8); /* 12 x 30/60, 20/60, 10/60 */
	assert_int_equal(c->label_set.n_classes, 4);
	dataset_free(ds);
	task_free(t);
}

static void test_reranking_whole_samples(void **state)
{
	(void)state;
	struct task *t = mk_task(TASK_TYPE_RERANKING);
	struct dataset *ds = mk_ds(TASK_TYPE_RERANKING);
	struct ds_reranking *d = &ds->reranking;
	d->pos_off = ce_malloc_array(21, sizeof(int64_t));
	d->neg_off = ce_malloc_array(21, sizeof(int64_t));
	d->pos_off[0] = d->neg_off[0] = 0;
	for (int i = 0; i < 20; i++) {
		push(&d->queries, "q%lld", i);
		int np = i == 0 ? 0 : 1 + i % 2, nn = 3; /* sample 0 has no positive: never chosen */
		for (int k = 0; k < np; k++)
			push(&d->positives, "p%lld", i * 10 + k);
		for (int k = 0; k < nn; k++)
			push(&d->negatives, "n%lld", i * 10 + k);
		d->pos_off[i + 1] = d->positives.n;
		d->neg_off[i + 1] = d->negatives.n;
	}
	struct subset_spec sp = {5, 0, SUBSET_SEED};
	struct subset_info info;
	struct ce_err err;
	assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
	d = &ds->reranking;
	assert_int_equal(d->queries.n, 5);
	for (int j = 0; j < 5; j++) {
		long long q = num_of(&d->queries, j);
		assert_true(q != 0);
		assert_int_equal(d->pos_off[j + 1] - d->pos_off[j], 1 + q % 2);
		assert_int_equal(d->neg_off[j + 1] - d->neg_off[j], 3);
		for (int64_t k = d->pos_off[j]; k < d->pos_off[j + 1]; k++)
			assert_int_equal(num_of(&d->positives, k) / 10, q);
		for (int64_t k = d->neg_off[j]; k < d->neg_off[j + 1]; k++)
			assert_int_equal(num_of(&d->negatives, k) / 10, q);
	}
	dataset_free(ds);
	task_free(t);
}

/* 20 queries (q19 has no qrels), 200 docs; query i is judged on docs 3i, 3i+1 (the latter score 0). */
static struct dataset *mk_retrieval(void)
{
	struct dataset *ds = mk_ds(TASK_TYPE_RETRIEVAL);
	struct ds_retrieval *r = &ds->retrieval;
	for (int i = 0; i < 20; i++) {
		push(&r->query_ids, "q%lld", i);
		push(&r->query_texts, "Q%lld", i);
	}
	for (int i = 0; i < 200; i++) {
		push(&r->corpus_ids, "d%lld", i);
		push(&r->corpus_texts, "D%lld", i);
	}
	r->qrel_query = ce_malloc_array(38, sizeof(int64_t));
	r->qrel_doc = ce_malloc_array(38, sizeof(int64_t));
	r->qrel_score = ce_malloc_array(38, sizeof(int32_t));
	for (int i = 0; i < 19; i++)
		for (int k = 0; k < 2; k++) {
			r->qrel_query[r->n_qrels] = i;
			r->qrel_doc[r->n_qrels] = 3 * i + k;
			r->qrel_score[r->n_qrels] = k == 0;
			r->n_qrels++;
		}
	return ds;
}

static void check_retrieval(const struct dataset *ds, int64_t n_queries, int64_t n_docs)
{
	const struct ds_retrieval *r = &ds->retrieval;
	assert_int_equal(r->query_ids.n, n_queries);
	assert_int_equal(r->corpus_ids.n, n_docs);
	assert_int_equal(r->n_qrels, 2 * n_queries);
	/* every judged doc of every chosen query is present, at the right place */
	int seen_docs = 0;
	for (int64_t i = 0; i < r->n_qrels; i++) {
		long long q = num_of(&r->query_ids, r->qrel_query[i]);
		long long d = num_of(&r->corpus_ids, r->qrel_doc[i]);
		assert_true(q < 19);
		assert_true(d == 3 * q || d == 3 * q + 1);
		assert_int_equal(r->qrel_score[i], d == 3 * q);
		assert_int_equal(atoll(strtab_get(&r->corpus_texts, r->qrel_doc[i]) + 1), d);
		seen_docs++;
	}
	assert_int_equal(seen_docs, 2 * n_queries);
	for (int64_t i = 1; i < r->corpus_ids.n; i++)
		assert_true(num_of(&r->corpus_ids, i) > num_of(&r->corpus_ids, i - 1));
}

static void test_retrieval_relevant_kept_and_corpus_rule(void **state)
{
	(void)state;
	struct task *t = mk_task(TASK_TYPE_RETRIEVAL);
	struct ce_err err;
	struct subset_info info;
	/* default M = 10 x N = 50 documents, 10 of them relevant */
	struct dataset *ds = mk_retrieval();
	struct subset_spec sp = {5, 0, SUBSET_SEED};
	assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
	assert_true(info.applied);
	assert_int_equal(info.corpus, 50);
	check_retrieval(ds, 5, 50);
	assert_int_equal(subset_count_texts(ds, t), 55);
	uint64_t h = info.hash;
	dataset_free(ds);
	/* same again: same selection */
	ds = mk_retrieval();
	assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
	assert_true(info.hash == h);
	dataset_free(ds);
	/* M below the relevant count: never fewer than the relevant ones */
	ds = mk_retrieval();
	sp = (struct subset_spec){5, 3, SUBSET_SEED};
	assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
	check_retrieval(ds, 5, 10);
	dataset_free(ds);
	/* M over the corpus: the whole corpus */
	ds = mk_retrieval();
	sp = (struct subset_spec){7, 1000, SUBSET_SEED};
	assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
	check_retrieval(ds, 7, 200);
	dataset_free(ds);
	/* N over the qrels queries (19): all of them; the unjudged q19 goes */
	ds = mk_retrieval();
	sp = (struct subset_spec){100, 0, SUBSET_SEED};
	assert_int_equal(subset_apply(ds, t, &sp, &info, &err), CE_OK);
	assert_true(info.applied);
	check_retrieval(ds, 19, 200);
	dataset_free(ds);
	task_free(t);
}

static void test_record_roundtrip(void **state)
{
	(void)state;
	struct task *t = mk_task(TASK_TYPE_RETRIEVAL);
	struct subset_info info = {.applied = 1, .n = 200, .corpus = 2000, .seed = 42, .hash = 0xabcdef0123456789ULL};
	struct task_result r;
	task_result_init(&r);
	struct ce_err err;
	assert_int_equal(subset_record(&r, &info, &err), CE_OK);
	assert_string_equal(r.subset_hash, "abcdef0123456789");
	struct subset_spec sp = {200, 0, 42};
	assert_true(subset_record_matches(&r, t, &sp));
	sp.corpus = 3000;
	assert_false(subset_record_matches(&r, t, &sp));
	sp = (struct subset_spec){0, 0, 42};
	assert_false(subset_record_matches(&r, t, &sp));
	task_result_deinit(&r);
	task_result_init(&r);
	assert_true(subset_record_matches(&r, t, &sp));
	task_result_deinit(&r);
	task_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splitmix64_reference),
		cmocka_unit_test(test_allocate_golden_and_bounds),
		cmocka_unit_test(test_stratified_golden_deterministic),
		cmocka_unit_test(test_sts_golden),
		cmocka_unit_test(test_pair_stratified),
		cmocka_unit_test(test_classification_stratified_train_kept),
		cmocka_unit_test(test_clustering_per_set),
		cmocka_unit_test(test_reranking_whole_samples),
		cmocka_unit_test(test_retrieval_relevant_kept_and_corpus_rule),
		cmocka_unit_test(test_record_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
