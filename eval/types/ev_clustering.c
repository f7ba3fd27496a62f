/*
 * ev_clustering.c - Clustering, legacy C-MTEB tasks (spec evaluation.md §7.1):
 * for each set, MiniBatchKMeans(n_clusters = distinct gold labels of the set,
 * batch_size 500, k-means++, n_init 1, RandomState(42)) on the set's
 * embeddings, then V-measure against the gold labels.  Task v_measure = mean
 * over sets, v_measure_std = population std.  Every sentence of the split is
 * embedded once, even when it appears in several sets.
 *
 * A task with parameters.fast_sample N is mteb 2.x's fast clustering (the
 * `.v2` tasks, spec §7.2, mteb/abstasks/clustering.py): every set flattened
 * into one list; when it holds more than N rows, datasets' stratified
 * train_test_split(test_size=N, seed=42) keeps its "test" rows
 * (hf_stratify.h); random.Random(42).sample(range(rows), min(rows, N)) picks
 * and orders the documents to embed (pyrandom.h); then 10 rounds, each
 * clustering rng.choices(range(docs), k=16384) (the same Random object) with
 * MiniBatchKMeans(n_clusters = distinct labels of the documents, batch_size
 * 512, k-means++, n_init 1, RandomState(42)) and scoring V-measure on the
 * drawn sample.  v_measure = mean over rounds, v_measure_std = population
 * std.  (mteb also reports AMI there; ceval does not.)
 */
#include <math.h>
#include <string.h>

#include "ce_alloc.h"
#include "evaluator.h"
#include "hf_stratify.h"
#include "kmeans.h"
#include "pyrandom.h"
#include "vmeasure.h"

#define FAST_SEED 42
#define FAST_ROUNDS 10
#define FAST_DRAWS 16384
#define FAST_BATCH 512

static enum ce_status ev_clustering_fast(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
					 struct ce_err *err)
{
	const struct task *t = ctx->task;
	const struct ds_clustering *c = &ds->clustering;
	int32_t dim = ctx->emb->dim;
	int64_t n_all = c->sentences.n, n_keep = n_all, n_docs;
	enum ce_status st = CE_OK;
	const char **ptrs = strtab_pointers(&c->sentences);
	int64_t *rows = ce_malloc_array((size_t)(n_all ? n_all : 1), sizeof *rows);
	int64_t *order = ce_malloc_array((size_t)(n_all ? n_all : 1), sizeof *order);
	const char **texts = ce_malloc_array((size_t)(n_all ? n_all : 1), sizeof *texts);
	int32_t *doc_label = ce_malloc_array((size_t)(n_all ? n_all : 1), sizeof *doc_label);
	int64_t *draw = ce_malloc_array(FAST_DRAWS, sizeof *draw);
	int64_t *truth = ce_malloc_array(FAST_DRAWS, sizeof *truth);
	int64_t *pred = ce_malloc_array(FAST_DRAWS, sizeof *pred);
	int32_t *pred32 = ce_malloc_array(FAST_DRAWS, sizeof *pred32);
	uint8_t *seen = ce_calloc((size_t)(c->label_set.n_classes ? c->label_set.n_classes : 1), 1);
	float *vec = NULL, *xs = NULL;
	if (!ptrs || !rows || !order || !texts || !doc_label || !draw || !truth || !pred || !pred32 || !seen) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	/* 1-2: flattened rows (set order), stratified down-sample when above N */
	if (n_all > t->fast_sample) {
		const char *why;
		n_keep = t->fast_sample;
		st = hf_stratified_test_indices(c->labels, n_all, c->label_set.n_classes, FAST_SEED, n_keep, rows,
						&why);
		if (st == CE_E_NOMEM) {
			ce_err_set(err, st, "%s: out of memory", t->name);
			goto out;
		}
		if (st != CE_OK) {
			ce_err_set(err, st, "%s: cannot down-sample %lld texts to %d by label: %s", t->name,
				   (long long)n_all, t->fast_sample, why);
			goto out;
		}
	} else {
		for (int64_t i = 0; i < n_all; i++)
			rows[i] = i;
	}
	/* 3: the documents to embed, in random.Random(42).sample order */
	struct pyrandom rng;
	pyrandom_seed(&rng, FAST_SEED);
	n_docs = n_keep < t->fast_sample ? n_keep : t->fast_sample;
	if ((st = pyrandom_sample(&rng, n_keep, n_docs, order)) != CE_OK) {
		ce_err_set(err, st, "%s: out of memory", t->name);
		goto out;
	}
	int32_t k = 0;
	for (int64_t j = 0; j < n_docs; j++) {
		int64_t r = rows[order[j]];
		texts[j] = ptrs[r];
		doc_label[j] = c->labels[r];
		if (!seen[doc_label[j]]) {
			seen[doc_label[j]] = 1;
			k++;
		}
	}
	if ((st = ev_embed_texts(ctx, "sentences", texts, n_docs, NULL, &vec, err)) != CE_OK)
		goto out;
	if (!(xs = ce_malloc_array((size_t)FAST_DRAWS * (size_t)dim, sizeof *xs))) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	/* 4-5: bootstrap rounds */
	double v[FAST_ROUNDS], mean = 0, ss = 0;
	for (int round = 0; round < FAST_ROUNDS; round++) {
		pyrandom_choices(&rng, n_docs, FAST_DRAWS, draw);
		for (int64_t i = 0; i < FAST_DRAWS; i++) {
			memcpy(xs + (size_t)i * (size_t)dim, vec + (size_t)draw[i] * (size_t)dim,
			       (size_t)dim * sizeof *xs);
			truth[i] = doc_label[draw[i]];
		}
		struct kmeans_params kp;
		kmeans_params_default(&kp, k);
		kp.batch_size = FAST_BATCH;
		st = kmeans_minibatch_fit(xs, FAST_DRAWS, dim, &kp, pred32, NULL, NULL);
		if (st != CE_OK) {
			ce_err_set(err, st, "%s: k-means on bootstrap round %d failed (%s)", t->name, round,
				   ce_status_str(st));
			goto out;
		}
		for (int64_t i = 0; i < FAST_DRAWS; i++)
			pred[i] = pred32[i];
		struct vmeasure vm;
		if ((st = vmeasure_compute(truth, pred, FAST_DRAWS, &vm)) != CE_OK) {
			ce_err_set(err, st, "%s: out of memory", t->name);
			goto out;
		}
		v[round] = vm.v_measure;
	}
	for (int i = 0; i < FAST_ROUNDS; i++)
		mean += v[i];
	mean /= FAST_ROUNDS;
	for (int i = 0; i < FAST_ROUNDS; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	if ((st = metric_set_add(out, "v_measure", mean)) != CE_OK ||
	    (st = metric_set_add(out, "v_measure_std", sqrt(ss / FAST_ROUNDS))) != CE_OK)
		ce_err_set(err, st, "%s: cannot record metrics", t->name);
out:
	ce_free(ptrs);
	ce_free(rows);
	ce_free(order);
	ce_free(texts);
	ce_free(doc_label);
	ce_free(draw);
	ce_free(truth);
	ce_free(pred);
	ce_free(pred32);
	ce_free(seen);
	ce_free(vec);
	ce_free(xs);
	return st;
}

enum ce_status ev_clustering(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
			     struct ce_err *err)
{
	if (ctx->task->fast_sample > 0)
		return ev_clustering_fast(ctx, ds, out, err);
	const struct task *t = ctx->task;
	const struct ds_clustering *c = &ds->clustering;
	int32_t dim = ctx->emb->dim;
	enum ce_status st;
	float *vec = NULL;
	int64_t *truth = NULL;
	int32_t *pred32 = NULL;
	int64_t *pred = NULL;
	double *v = ce_calloc((size_t)(c->n_sets ? c->n_sets : 1), sizeof *v);
	const char **ptrs = strtab_pointers(&c->sentences);
	int64_t n_all = c->sentences.n;
	truth = ce_malloc_array((size_t)(n_all ? n_all : 1), sizeof *truth);
	pred32 = ce_malloc_array((size_t)(n_all ? n_all : 1), sizeof *pred32);
	pred = ce_malloc_array((size_t)(n_all ? n_all : 1), sizeof *pred);
	uint8_t *seen = ce_calloc((size_t)(c->label_set.n_classes ? c->label_set.n_classes : 1), 1);
	if (!v || !ptrs || !truth || !pred32 || !pred || !seen) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	if ((st = ev_embed_texts(ctx, "sentences", ptrs, n_all, NULL, &vec, err)) != CE_OK)
		goto out;
	for (int64_t s = 0; s < c->n_sets; s++) {
		int64_t lo = c->set_off[s], n = c->set_off[s + 1] - lo;
		memset(seen, 0, (size_t)c->label_set.n_classes);
		int32_t k = 0;
		for (int64_t i = 0; i < n; i++) {
			int32_t l = c->labels[lo + i];
			truth[i] = l;
			if (!seen[l]) {
				seen[l] = 1;
				k++;
			}
		}
		struct kmeans_params kp;
		kmeans_params_default(&kp, k);
		st = kmeans_minibatch_fit(vec + (size_t)lo * (size_t)dim, n, dim, &kp, pred32, NULL, NULL);
		if (st != CE_OK) {
			ce_err_set(err, st, "%s: k-means on set %lld failed (%s)", t->name, (long long)s,
				   ce_status_str(st));
			goto out;
		}
		for (int64_t i = 0; i < n; i++)
			pred[i] = pred32[i];
		struct vmeasure vm;
		if ((st = vmeasure_compute(truth, pred, (size_t)n, &vm)) != CE_OK) {
			ce_err_set(err, st, "%s: out of memory", t->name);
			goto out;
		}
		v[s] = vm.v_measure;
	}
	double mean = 0, ss = 0;
	for (int64_t s = 0; s < c->n_sets; s++)
		mean += v[s];
	mean /= (double)c->n_sets;
	for (int64_t s = 0; s < c->n_sets; s++)
		ss += (v[s] - mean) * (v[s] - mean);
	if ((st = metric_set_add(out, "v_measure", mean)) != CE_OK ||
	    (st = metric_set_add(out, "v_measure_std", sqrt(ss / (double)c->n_sets))) != CE_OK)
		ce_err_set(err, st, "%s: cannot record metrics", t->name);
out:
	ce_free(v);
	ce_free(ptrs);
	ce_free(truth);
	ce_free(pred32);
	ce_free(pred);
	ce_free(seen);
	ce_free(vec);
	return st;
}
