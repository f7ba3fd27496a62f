/*
 * ev_clustering.c - Clustering, legacy C-MTEB tasks (spec evaluation.md §7.1):
 * for each set, MiniBatchKMeans(n_clusters = distinct gold labels of the set,
 * batch_size 500, k-means++, n_init 1, RandomState(42)) on the set's
 * embeddings, then V-measure against the gold labels.  Task v_measure = mean
 * over sets, v_measure_std = population std.  Every sentence of the split is
 * embedded once, even when it appears in several sets.
 */
#include <math.h>
#include <string.h>

#include "ce_alloc.h"
#include "evaluator.h"
#include "kmeans.h"
#include "vmeasure.h"

enum ce_status ev_clustering(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
			     struct ce_err *err)
{
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
