/*
 * ev_pairs.c - the two pair-wise evaluators.
 *
 * STS (spec evaluation.md §4): gold scores min-max normalised with the task's
 * range (linear: correlations unchanged), predicted similarity = cosine,
 * -manhattan and -euclidean between the two sentences' embeddings, then
 * scipy's Pearson and Spearman.  Main score cosine_spearman.
 *
 * Pair classification (§5): cosine and dot (higher = positive), manhattan and
 * euclidean distance (lower = positive); per type the best accuracy, best F1
 * (with precision/recall) and their thresholds as mteb sweeps them, and
 * sklearn AP; max_* over the types.  Main score (R1): cosine_ap.
 *
 * Scores are rounded to float32, as the reference computes them with
 * float32 embeddings (sklearn paired distances / torch), so float32 ties
 * behave the same.  Every distinct sentence is embedded once.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "evaluator.h"
#include "metrics.h"

/* Embed s1[i] and s2[i] (all distinct texts once); *v1, *v2 point into *all. */
static enum ce_status embed_pairs(const struct eval_ctx *ctx, const struct strtab *s1, const struct strtab *s2,
				  float **all, struct ce_err *err)
{
	int64_t n = s1->n;
	const char **texts = ce_malloc_array((size_t)(n > 0 ? 2 * n : 1), sizeof *texts);
	if (!texts)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", ctx->task->name);
	for (int64_t i = 0; i < n; i++) {
		texts[i] = strtab_get(s1, i);
		texts[n + i] = strtab_get(s2, i);
	}
	enum ce_status st = ev_embed_texts(ctx, "sentences", texts, 2 * n, NULL, all, err);
	ce_free(texts);
	return st;
}

enum ce_status ev_sts(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out, struct ce_err *err)
{
	const struct task *t = ctx->task;
	const struct ds_sts *d = &ds->sts;
	int64_t n = d->s1.n;
	int32_t dim = ctx->emb->dim;
	float *all = NULL;
	double *gold = ce_malloc_array((size_t)n, sizeof *gold);
	double *sim[3];
	for (int k = 0; k < 3; k++)
		sim[k] = ce_malloc_array((size_t)n, sizeof(double));
	enum ce_status st = CE_OK;
	if (!gold || !sim[0] || !sim[1] || !sim[2]) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	if (n < 2) {
		st = ce_err_set(err, CE_E_FORMAT, "%s: STS needs at least 2 pairs, the split has %lld", t->name,
				(long long)n);
		goto out;
	}
	if ((st = embed_pairs(ctx, &d->s1, &d->s2, &all, err)) != CE_OK)
		goto out;
	for (int64_t i = 0; i < n; i++) {
		const float *a = all + (size_t)i * (size_t)dim, *b = all + (size_t)(n + i) * (size_t)dim;
		gold[i] = t->has_score_range ? (d->score[i] - t->score_min) / (t->score_max - t->score_min) : d->score[i];
		sim[0][i] = (float)ev_cosine(a, b, dim);
		sim[1][i] = -(double)(float)ev_manhattan(a, b, dim);
		sim[2][i] = -(double)(float)ev_euclidean(a, b, dim);
	}
	static const char *const names[3] = {"cosine", "manhattan", "euclidean"};
	/* undefined or non-finite inputs are errors here, not a null score later */
	for (int64_t i = 0; i < n; i++) {
		if (!isfinite(gold[i]))
			st = ce_err_set(err, CE_E_FORMAT, "gold score of pair %lld is not finite", (long long)i);
		for (int k = 0; k < 3 && st == CE_OK; k++)
			if (!isfinite(sim[k][i]))
				st = ce_err_set(err, CE_E_FORMAT, "%s similarity of pair %lld is not finite", names[k],
						(long long)i);
		if (st != CE_OK)
			goto out;
	}
	if (metric_is_constant(gold, (size_t)n)) {
		st = ce_err_set(err, CE_E_FORMAT, "correlation undefined: gold scores are constant (all %.17g)",
				gold[0]);
		goto out;
	}
	for (int k = 0; k < 3; k++) {
		if (metric_is_constant(sim[k], (size_t)n)) {
			st = ce_err_set(err, CE_E_FORMAT,
					"correlation undefined: every pair has the same %s similarity (%.17g)", names[k],
					sim[k][0]);
			goto out;
		}
	}
	for (int k = 0; k < 3; k++) {
		double p, s;
		char key[64];
		if ((st = metric_pearson(gold, sim[k], (size_t)n, &p)) != CE_OK ||
		    (st = metric_spearman(gold, sim[k], (size_t)n, &s)) != CE_OK) {
			ce_err_set(err, st, "%s: correlation failed (%s)", t->name, ce_status_str(st));
			goto out;
		}
		snprintf(key, sizeof key, "%s_pearson", names[k]);
		if ((st = metric_set_add(out, key, p)) != CE_OK)
			break;
		snprintf(key, sizeof key, "%s_spearman", names[k]);
		if ((st = metric_set_add(out, key, s)) != CE_OK)
			break;
		if (k == 0 && ((st = metric_set_add(out, "pearson", p)) != CE_OK ||
			       (st = metric_set_add(out, "spearman", s)) != CE_OK))
			break;
	}
	if (st != CE_OK && err->code == CE_OK)
		ce_err_set(err, st, "%s: cannot record metrics", t->name);
out:
	ce_free(all);
	ce_free(gold);
	for (int k = 0; k < 3; k++)
		ce_free(sim[k]);
	return st;
}

enum ce_status ev_pair_classification(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
				      struct ce_err *err)
{
	const struct task *t = ctx->task;
	const struct ds_pair *d = &ds->pair;
	int64_t n = d->s1.n;
	int32_t dim = ctx->emb->dim;
	float *all = NULL;
	float *score = ce_malloc_array((size_t)n, sizeof *score);
	uint8_t *label = ce_malloc_array((size_t)n, sizeof *label);
	enum ce_status st = CE_OK;
	if (!score || !label) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	if ((st = embed_pairs(ctx, &d->s1, &d->s2, &all, err)) != CE_OK)
		goto out;
	for (int64_t i = 0; i < n; i++)
		label[i] = d->label[i] != 0;
	static const char *const names[4] = {"cosine", "manhattan", "euclidean", "dot"};
	static const int higher[4] = {1, 0, 0, 1};
	struct pair_class_result best = {-INFINITY, 0, -INFINITY, 0, -INFINITY, -INFINITY, -INFINITY};
	for (int k = 0; k < 4; k++) {
		for (int64_t i = 0; i < n; i++) {
			const float *a = all + (size_t)i * (size_t)dim, *b = all + (size_t)(n + i) * (size_t)dim;
			double v = k == 0 ? ev_cosine(a, b, dim)
				   : k == 1 ? ev_manhattan(a, b, dim)
				   : k == 2 ? ev_euclidean(a, b, dim)
					    : ev_dot(a, b, dim);
			score[i] = (float)v;
			if (!isfinite(score[i])) { /* finite vectors can still overflow a float score */
				st = ce_err_set(err, CE_E_FORMAT, "%s score of pair %lld is not finite", names[k], (long long)i);
				goto out;
			}
		}
		struct pair_class_result r;
		if ((st = metric_pair_classification(score, label, (size_t)n, higher[k], &r)) != CE_OK) {
			ce_err_set(err, st, "%s: pair classification failed (%s)", t->name, ce_status_str(st));
			goto out;
		}
		const char *fields[7] = {"accuracy", "accuracy_threshold", "f1", "f1_threshold", "precision", "recall",
					 "ap"};
		double vals[7] = {r.accuracy, r.accuracy_threshold, r.f1, r.f1_threshold, r.precision, r.recall, r.ap};
		for (int f = 0; f < 7; f++) {
			char key[64];
			snprintf(key, sizeof key, "%s_%s", names[k], fields[f]);
			if ((st = metric_set_add(out, key, vals[f])) != CE_OK) {
				ce_err_set(err, st, "%s: cannot record metrics", t->name);
				goto out;
			}
		}
		best.accuracy = fmax(best.accuracy, r.accuracy);
		best.f1 = fmax(best.f1, r.f1);
		best.precision = fmax(best.precision, r.precision);
		best.recall = fmax(best.recall, r.recall);
		best.ap = fmax(best.ap, r.ap);
	}
	if ((st = metric_set_add(out, "max_accuracy", best.accuracy)) != CE_OK ||
	    (st = metric_set_add(out, "max_f1", best.f1)) != CE_OK ||
	    (st = metric_set_add(out, "max_precision", best.precision)) != CE_OK ||
	    (st = metric_set_add(out, "max_recall", best.recall)) != CE_OK ||
	    (st = metric_set_add(out, "max_ap", best.ap)) != CE_OK)
		ce_err_set(err, st, "%s: cannot record metrics", t->name);
out:
	ce_free(all);
	ce_free(score);
	ce_free(label);
	return st;
}
