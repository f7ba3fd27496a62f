/*
 * knn.c - exact top-k search: blocked cblas_sgemm + one bounded min-heap per
 * query whose root is the worst kept hit (lowest score; among equal scores the
 * smallest doc id, which trec_eval would rank last).
 */
#include "knn.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"

void knn_options_init(struct knn_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->k = 1000;
	opt->metric = KNN_METRIC_DOT;
	opt->q_block = 256;
	opt->d_block = 4096;
}

/* Read-only context shared by the heap operations. */
struct knn_ctx {
	const char *const *doc_ids;
};

/* 1 if hit a ranks strictly before hit b (score desc, then doc id desc). */
static int better(const struct knn_ctx *c, struct knn_hit a, struct knn_hit b)
{
	if (a.score != b.score)
		return a.score > b.score;
	if (c->doc_ids) {
		int s = strcmp(c->doc_ids[a.doc], c->doc_ids[b.doc]);
		if (s)
			return s > 0;
	}
	/* no ids, or two docs sharing an id: the larger index ranks first */
	return a.doc > b.doc;
}

/* Restore the heap property below position i (root = worst). */
static void sift_down(const struct knn_ctx *c, struct knn_hit *h, int64_t n, int64_t i)
{
	for (;;) {
		int64_t l = 2 * i + 1, r = l + 1, w = i;
		if (l < n && better(c, h[w], h[l]))
			w = l;
		if (r < n && better(c, h[w], h[r]))
			w = r;
		if (w == i)
			return;
		struct knn_hit t = h[i];
		h[i] = h[w];
		h[w] = t;
		i = w;
	}
}

static void sift_up(const struct knn_ctx *c, struct knn_hit *h, int64_t i)
{
	while (i > 0) {
		int64_t p = (i - 1) / 2;
		if (!better(c, h[p], h[i]))
			return;
		struct knn_hit t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

/* Normalise n rows of src into dst (float32 math on a double-accumulated norm). */
static void normalise_rows(const float *src, float *dst, int64_t n, int64_t dim)
{
	for (int64_t i = 0; i < n; i++) {
		const float *s = src + (size_t)i * (size_t)dim;
		float *d = dst + (size_t)i * (size_t)dim;
		double ss = 0.0;
		for (int64_t j = 0; j < dim; j++)
			ss += (double)s[j] * (double)s[j];
		float norm = (float)sqrt(ss);
		if (norm < 1e-12f) /* torch.nn.functional.normalize's eps */
			norm = 1e-12f;
		for (int64_t j = 0; j < dim; j++)
			d[j] = s[j] / norm;
	}
}

enum ce_status knn_search(const float *queries, int64_t nq, const float *docs, int64_t nd, int64_t dim,
			  const struct knn_options *opt_in, struct knn_hit *hits, int64_t *n_hits,
			  struct ce_err *err)
{
	struct knn_options opt;
	if (opt_in)
		opt = *opt_in;
	else
		knn_options_init(&opt);
	CE_CHECK(opt.k >= 1, err, CE_E_INVALID_ARG, "knn: k must be >= 1 (got %lld)", (long long)opt.k);
	CE_CHECK(dim >= 1 && dim <= INT_MAX, err, CE_E_INVALID_ARG, "knn: bad dimension %lld", (long long)dim);
	CE_CHECK(nq >= 0 && nd >= 0, err, CE_E_INVALID_ARG, "knn: negative row count");
	CE_CHECK(opt.q_block >= 1 && opt.d_block >= 1, err, CE_E_INVALID_ARG, "knn: block sizes must be >= 1");
	CE_CHECK(!opt.exclude_identical_ids || (opt.query_ids && opt.doc_ids), err, CE_E_INVALID_ARG,
		 "knn: identical-id filtering needs query and doc ids");
	CE_CHECK(nd <= INT32_MAX, err, CE_E_LIMIT, "knn: corpus of %lld docs exceeds %d", (long long)nd,
		 INT32_MAX);
	if (nq == 0)
		return CE_OK;

	int64_t qb = opt.q_block < nq ? opt.q_block : nq;
	int64_t db = opt.d_block < nd ? opt.d_block : nd;
	if (db < 1)
		db = 1;
	int64_t k = opt.k;
	CE_CHECK(qb <= INT_MAX && db <= INT_MAX && (uint64_t)qb * (uint64_t)db <= (1ULL << 34) &&
			 (uint64_t)qb * (uint64_t)k <= (1ULL << 36),
		 err, CE_E_LIMIT, "knn: block sizes too large (q_block %lld, d_block %lld, k %lld)",
		 (long long)qb, (long long)db, (long long)k);

	enum ce_status st = CE_OK;
	float *sc = ce_malloc_array((size_t)qb * (size_t)db, sizeof *sc);
	struct knn_hit *heap = ce_malloc_array((size_t)qb * (size_t)k, sizeof *heap);
	int64_t *hn = ce_calloc((size_t)qb, sizeof *hn);
	float *qn = NULL, *dn = NULL;
	if (opt.metric == KNN_METRIC_COSINE) {
		qn = ce_malloc_array((size_t)qb * (size_t)dim, sizeof *qn);
		dn = ce_malloc_array((size_t)db * (size_t)dim, sizeof *dn);
	}
	if (!sc || !heap || !hn || (opt.metric == KNN_METRIC_COSINE && (!qn || !dn))) {
		st = ce_err_set(err, CE_E_NOMEM, "knn: out of memory for the scratch blocks");
		goto out;
	}

	struct knn_ctx ctx = {opt.doc_ids};
	for (int64_t q0 = 0; q0 < nq; q0 += qb) {
		int64_t mq = nq - q0 < qb ? nq - q0 : qb;
		const float *qblk = queries + (size_t)q0 * (size_t)dim;
		if (qn) {
			normalise_rows(qblk, qn, mq, dim);
			qblk = qn;
		}
		memset(hn, 0, (size_t)mq * sizeof *hn);
		for (int64_t d0 = 0; d0 < nd; d0 += db) {
			int64_t md = nd - d0 < db ? nd - d0 : db;
			const float *dblk = docs + (size_t)d0 * (size_t)dim;
			if (dn) {
				normalise_rows(dblk, dn, md, dim);
				dblk = dn;
			}
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)mq, (int)md, (int)dim, 1.0f, qblk,
				    (int)dim, dblk, (int)dim, 0.0f, sc, (int)md);
			for (int64_t i = 0; i < mq; i++) {
				struct knn_hit *h = heap + (size_t)i * (size_t)k;
				const float *row = sc + (size_t)i * (size_t)md;
				const char *qid = opt.exclude_identical_ids ? opt.query_ids[q0 + i] : NULL;
				for (int64_t j = 0; j < md; j++) {
					struct knn_hit c = {(int32_t)(d0 + j), row[j]};
					if (isnan(c.score))
						c.score = -1.0f; /* BEIR: torch.nan_to_num(scores, nan=-1) */
					if (hn[i] == k && c.score < h[0].score)
						continue; /* cheap reject before any string compare */
					/* identical-id filter before the heap (BEIR skips the
					 * doc at search time, so k other docs still fill it);
					 * after the cheap reject, so strcmp runs rarely */
					if (qid && strcmp(opt.doc_ids[c.doc], qid) == 0)
						continue;
					if (hn[i] < k) {
						h[hn[i]] = c;
						sift_up(&ctx, h, hn[i]);
						hn[i]++;
					} else if (better(&ctx, c, h[0])) {
						h[0] = c;
						sift_down(&ctx, h, k, 0);
					}
				}
			}
		}
		/* Pop worst-first into the output from the back: best first. */
		for (int64_t i = 0; i < mq; i++) {
			struct knn_hit *h = heap + (size_t)i * (size_t)k;
			struct knn_hit *o = hits + (size_t)(q0 + i) * (size_t)k;
			int64_t n = hn[i];
			n_hits[q0 + i] = n;
			for (int64_t m = n; m > 0; m--) {
				o[m - 1] = h[0];
				h[0] = h[m - 1];
				sift_down(&ctx, h, m - 1, 0);
			}
		}
	}
out:
	ce_free(sc);
	ce_free(heap);
	ce_free(hn);
	ce_free(qn);
	ce_free(dn);
	return st;
}
