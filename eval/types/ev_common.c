/*
 * ev_common.c - what every evaluator shares: embedding a list of texts once
 * each (with an optional instruction prefix), the evaluator lookup (the
 * registry is the task-type table, task_types.c), and
 * row-wise similarity helpers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "evaluator.h"
#include "task_types.h"

const struct evaluator *evaluator_for(enum task_type type)
{
	const struct task_type_desc *d = task_type_desc(type);
	return d ? &d->evaluator : NULL;
}

/* Copy at most max bytes of s into buf (room for max + 4), cut at a UTF-8
 * character boundary, with "..." when cut. */
static void text_excerpt(const char *s, size_t max, char *buf)
{
	size_t n = strlen(s);
	if (n <= max) {
		memcpy(buf, s, n + 1);
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	memcpy(buf, s, max);
	memcpy(buf + max, "...", 4);
}

enum ce_status ev_check_finite(const struct eval_ctx *ctx, const char *const *texts, int64_t n, const float *vec,
			       struct ce_err *err)
{
	size_t dim = (size_t)ctx->emb->dim;
	for (int64_t i = 0; i < n; i++) {
		const float *v = vec + (size_t)i * dim;
		for (size_t d = 0; d < dim; d++) {
			if (isfinite(v[d]))
				continue;
			char excerpt[64 + 4];
			text_excerpt(texts[i] ? texts[i] : "", 60, excerpt);
			return ce_err_set(err, CE_E_FORMAT, "the embedding of \"%s\" holds %s (dimension %zu); the model "
					  "produced a non-finite value, so no score is computed",
					  excerpt, isnan(v[d]) ? "NaN" : "an infinity", d);
		}
	}
	return CE_OK;
}

enum ce_status ev_embed_texts(const struct eval_ctx *ctx, const char *phase, const char *const *texts, int64_t n,
			      const char *prefix, float **out, struct ce_err *err)
{
	*out = NULL;
	int32_t dim = ctx->emb->dim;
	int64_t *uniq = NULL, *map = NULL, n_uniq = 0;
	char **prefixed = NULL;
	const char **batch = NULL;
	float *uvec = NULL, *vec = NULL;
	enum ce_status st = dataset_dedup(texts, n, &uniq, &n_uniq, &map, err);
	if (st != CE_OK)
		return st;
	int has_prefix = prefix && *prefix;
	batch = ce_malloc_array((size_t)(n_uniq ? n_uniq : 1), sizeof *batch);
	if (has_prefix)
		prefixed = ce_calloc((size_t)(n_uniq ? n_uniq : 1), sizeof *prefixed);
	uvec = ce_malloc_array((size_t)(n_uniq ? n_uniq : 1) * (size_t)dim, sizeof *uvec);
	vec = ce_malloc_array((size_t)(n ? n : 1) * (size_t)dim, sizeof *vec);
	if (!batch || (has_prefix && !prefixed) || !uvec || !vec) {
		st = ce_err_set(err, CE_E_NOMEM, "out of memory embedding %lld texts", (long long)n);
		goto out;
	}
	size_t pl = has_prefix ? strlen(prefix) : 0;
	for (int64_t i = 0; i < n_uniq; i++) {
		const char *t = texts[uniq[i]];
		if (has_prefix) {
			size_t tl = strlen(t);
			prefixed[i] = ce_malloc(pl + tl + 1);
			if (!prefixed[i]) {
				st = ce_err_set(err, CE_E_NOMEM, "out of memory");
				goto out;
			}
			memcpy(prefixed[i], prefix, pl);
			memcpy(prefixed[i] + pl, t, tl + 1);
			batch[i] = prefixed[i];
		} else {
			batch[i] = t;
		}
	}
	if (ctx->emb->set_phase)
		ctx->emb->set_phase(ctx->emb->self, phase);
	st = ctx->emb->embed(ctx->emb->self, batch, n_uniq, uvec, err);
	if (st != CE_OK)
		goto out;
	if ((st = ev_check_finite(ctx, batch, n_uniq, uvec, err)) != CE_OK)
		goto out;
	for (int64_t i = 0; i < n; i++)
		memcpy(vec + (size_t)i * (size_t)dim, uvec + (size_t)map[i] * (size_t)dim, sizeof(float) * (size_t)dim);
	*out = vec;
	vec = NULL;
out:
	if (prefixed)
		for (int64_t i = 0; i < n_uniq; i++)
			ce_free(prefixed[i]);
	ce_free(prefixed);
	ce_free(batch);
	ce_free(uvec);
	ce_free(vec);
	ce_free(uniq);
	ce_free(map);
	return st;
}

double ev_dot(const float *a, const float *b, int32_t dim)
{
	double s = 0;
	for (int32_t i = 0; i < dim; i++)
		s += (double)a[i] * b[i];
	return s;
}

double ev_cosine(const float *a, const float *b, int32_t dim)
{
	double ab = 0, aa = 0, bb = 0;
	for (int32_t i = 0; i < dim; i++) {
		ab += (double)a[i] * b[i];
		aa += (double)a[i] * a[i];
		bb += (double)b[i] * b[i];
	}
	/* as torch/sklearn: a zero vector has cosine 0 with everything */
	if (aa == 0 || bb == 0)
		return 0.0;
	return ab / (sqrt(aa) * sqrt(bb));
}

double ev_euclidean(const float *a, const float *b, int32_t dim)
{
	double s = 0;
	for (int32_t i = 0; i < dim; i++) {
		double d = (double)a[i] - b[i];
		s += d * d;
	}
	return sqrt(s);
}

double ev_manhattan(const float *a, const float *b, int32_t dim)
{
	double s = 0;
	for (int32_t i = 0; i < dim; i++)
		s += fabs((double)a[i] - b[i]);
	return s;
}
