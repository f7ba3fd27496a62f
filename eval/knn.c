/*
 * knn.c - exact top-k search: blocked cblas_sgemm, then per query a candidate
 * buffer of up to 2k hits with a rising threshold.  A score below the
 * threshold (the k-th best kept so far) is rejected with one compare; when
 * the buffer fills, a quickselect keeps the best k and raises the threshold.
 * Every candidate costs O(1) amortised (a bounded heap paid ~log2 k
 * compares per insertion).  At the end the k kept are heap-sorted.
 *
 * Threads: query blocks are shared out to `threads` workers, each with its
 * own scratch, running single-threaded sgemm calls, so the top-k work runs in
 * parallel with everything else.  A score does not depend on the block or
 * thread it is computed in (OpenBLAS sums every entry over k in the same
 * order), so results do not depend on the thread count.
 */
#include "knn.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"

/* OpenBLAS's per-thread work buffer: BUFFER_SIZE is 128 MiB in Debian's
 * DYNAMIC_ARCH x86-64 build (seen as its mmap of 134217728 bytes), plus slack. */
#define KNN_BLAS_BUFFER_BYTES ((size_t)130 << 20)

void knn_options_init(struct knn_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->k = 1000;
	opt->metric = KNN_METRIC_DOT;
	opt->q_block = 512;
	opt->d_block = 4096;
}

/* Read-only context shared by the comparisons. */
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

static void swap_hits(struct knn_hit *a, struct knn_hit *b)
{
	struct knn_hit t = *a;
	*a = *b;
	*b = t;
}

/* Reorder h[0, n) so that h[0, k) are its k best hits (in no particular
 * order); 1 <= k < n.  Quickselect with a median-of-three pivot; `better` is
 * a strict total order on one query's hits (doc indices differ), so no
 * partition is degenerate because of equal keys. */
static void select_best(const struct knn_ctx *c, struct knn_hit *h, int64_t n, int64_t k)
{
	int64_t lo = 0, hi = n - 1;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		/* order lo, mid, hi best first, then use mid as the pivot, parked at hi */
		if (better(c, h[mid], h[lo]))
			swap_hits(&h[mid], &h[lo]);
		if (better(c, h[hi], h[lo]))
			swap_hits(&h[hi], &h[lo]);
		if (better(c, h[hi], h[mid]))
			swap_hits(&h[hi], &h[mid]);
		swap_hits(&h[mid], &h[hi]);
		struct knn_hit pivot = h[hi];
		int64_t store = lo;
		for (int64_t j = lo; j < hi; j++)
			if (better(c, h[j], pivot))
				swap_hits(&h[store++], &h[j]);
		swap_hits(&h[store], &h[hi]);
		if (store == k - 1)
			return;
		if (store < k - 1)
			lo = store + 1;
		else
			hi = store - 1;
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

/* The search shared by the workers: inputs, outputs and the next query block. */
struct knn_job {
	const float *queries, *docs;
	int64_t nq, nd, dim, k, qb, db;
	const struct knn_options *opt;
	struct knn_hit *hits;
	int64_t *n_hits;
	pthread_mutex_t mu;
	int64_t next_block; /* under mu */
	int failed;         /* under mu: a worker ran out of memory */
};

/* One worker's scratch. */
struct knn_scratch {
	float *sc;            /* [qb, db] scores of one block pair */
	struct knn_hit *cand; /* [qb, 2k] candidates of each query */
	int64_t *cn;          /* [qb] candidates held */
	float *thr;           /* [qb] the k-th best score after the last selection */
	float *qn, *dn;       /* cosine: normalised rows */
};

static void scratch_free(struct knn_scratch *s)
{
	ce_free(s->sc);
	ce_free(s->cand);
	ce_free(s->cn);
	ce_free(s->thr);
	ce_free(s->qn);
	ce_free(s->dn);
}

static int scratch_alloc(const struct knn_job *j, struct knn_scratch *s)
{
	memset(s, 0, sizeof *s);
	s->sc = ce_malloc_aligned_array((size_t)j->qb * (size_t)j->db, sizeof *s->sc);
	s->cand = ce_malloc_array((size_t)j->qb * (size_t)(2 * j->k), sizeof *s->cand);
	s->cn = ce_malloc_array((size_t)j->qb, sizeof *s->cn);
	s->thr = ce_malloc_array((size_t)j->qb, sizeof *s->thr);
	if (j->opt->metric == KNN_METRIC_COSINE) {
		s->qn = ce_malloc_array((size_t)j->qb * (size_t)j->dim, sizeof *s->qn);
		s->dn = ce_malloc_array((size_t)j->db * (size_t)j->dim, sizeof *s->dn);
	}
	if (!s->sc || !s->cand || !s->cn || !s->thr || (j->opt->metric == KNN_METRIC_COSINE && (!s->qn || !s->dn))) {
		scratch_free(s);
		return 0;
	}
	return 1;
}

/* Offer row[0, md) (docs d0 ...) to query q's candidates c[*cn] (capacity 2k). */
static void offer_row(const struct knn_job *j, const struct knn_ctx *ctx, int64_t q, const float *row, int64_t d0,
		      int64_t md, struct knn_hit *c, int64_t *cn, float *thr)
{
	const struct knn_options *opt = j->opt;
	const char *qid = opt->exclude_identical_ids ? opt->query_ids[q] : NULL;
	const int64_t k = j->k;
	float t = *thr;
	int64_t n = *cn;
	for (int64_t i = 0; i < md; i++) {
		float s = row[i];
		if (s < t)
			continue; /* the common case: one compare (NaN falls through) */
		if (isnan(s)) {
			s = -1.0f; /* BEIR: torch.nan_to_num(scores, nan=-1) */
			if (s < t)
				continue;
		}
		/* identical-id filter before keeping (BEIR skips the doc at search
		 * time, so k other docs still fill the list); after the threshold,
		 * so strcmp runs rarely */
		if (qid && strcmp(opt->doc_ids[d0 + i], qid) == 0)
			continue;
		c[n++] = (struct knn_hit){(int32_t)(d0 + i), s};
		if (n == 2 * k) {
			select_best(ctx, c, n, k);
			n = k;
			/* c[k - 1] is now the k-th best: a lower score can never enter */
			t = c[k - 1].score;
		}
	}
	*cn = n;
	*thr = t;
}

/* Queries [q0, q0 + mq): score against every doc block, keep the best k, write them out best first. */
static void search_block(const struct knn_job *j, struct knn_scratch *s, int64_t q0, int64_t mq)
{
	const struct knn_options *opt = j->opt;
	const struct knn_ctx ctx = {opt->doc_ids};
	const int64_t k = j->k, dim = j->dim;
	const float *qblk = j->queries + (size_t)q0 * (size_t)dim;
	if (s->qn) {
		normalise_rows(qblk, s->qn, mq, dim);
		qblk = s->qn;
	}
	for (int64_t i = 0; i < mq; i++) {
		s->cn[i] = 0;
		s->thr[i] = -INFINITY;
	}
	for (int64_t d0 = 0; d0 < j->nd; d0 += j->db) {
		int64_t md = j->nd - d0 < j->db ? j->nd - d0 : j->db;
		const float *dblk = j->docs + (size_t)d0 * (size_t)dim;
		if (s->dn) {
			normalise_rows(dblk, s->dn, md, dim);
			dblk = s->dn;
		}
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)mq, (int)md, (int)dim, 1.0f, qblk, (int)dim,
			    dblk, (int)dim, 0.0f, s->sc, (int)md);
		for (int64_t i = 0; i < mq; i++)
			offer_row(j, &ctx, q0 + i, s->sc + (size_t)i * (size_t)md, d0, md,
				  s->cand + (size_t)i * (size_t)(2 * k), &s->cn[i], &s->thr[i]);
	}
	for (int64_t i = 0; i < mq; i++) {
		struct knn_hit *h = s->cand + (size_t)i * (size_t)(2 * k);
		int64_t n = s->cn[i];
		if (n > k) {
			select_best(&ctx, h, n, k);
			n = k;
		}
		/* heap-sort: a heap whose root is the worst, popped into the output from the back */
		for (int64_t p = n / 2 - 1; p >= 0; p--)
			sift_down(&ctx, h, n, p);
		struct knn_hit *o = j->hits + (size_t)(q0 + i) * (size_t)k;
		j->n_hits[q0 + i] = n;
		for (int64_t m = n; m > 0; m--) {
			o[m - 1] = h[0];
			h[0] = h[m - 1];
			sift_down(&ctx, h, m - 1, 0);
		}
	}
}

static void *knn_worker(void *arg)
{
	struct knn_job *j = arg;
	struct knn_scratch s;
	int ok = scratch_alloc(j, &s);
	for (;;) {
		pthread_mutex_lock(&j->mu);
		if (!ok)
			j->failed = 1;
		int64_t b = j->failed ? -1 : j->next_block++;
		pthread_mutex_unlock(&j->mu);
		int64_t q0 = b * j->qb;
		if (b < 0 || q0 >= j->nq)
			break;
		search_block(j, &s, q0, j->nq - q0 < j->qb ? j->nq - q0 : j->qb);
	}
	if (ok)
		scratch_free(&s);
	return NULL;
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
	CE_CHECK(opt.threads >= 0, err, CE_E_INVALID_ARG, "knn: threads must be >= 0 (got %d)", opt.threads);
	CE_CHECK(!opt.exclude_identical_ids || (opt.query_ids && opt.doc_ids), err, CE_E_INVALID_ARG,
		 "knn: identical-id filtering needs query and doc ids");
	CE_CHECK(nd <= INT32_MAX, err, CE_E_LIMIT, "knn: corpus of %lld docs exceeds %d", (long long)nd,
		 INT32_MAX);
	if (nq == 0)
		return CE_OK;

	int threads = opt.threads ? opt.threads : openblas_get_num_threads();
	if (threads < 1)
		threads = 1;
	int64_t qb = opt.q_block < nq ? opt.q_block : nq;
	/* enough blocks for every worker (a score does not depend on the block size) */
	if (threads > 1 && qb > (nq + threads - 1) / threads)
		qb = (nq + threads - 1) / threads;
	int64_t n_blocks = (nq + qb - 1) / qb;
	if (threads > n_blocks)
		threads = (int)n_blocks;
	int64_t db = opt.d_block < nd ? opt.d_block : nd;
	if (db < 1)
		db = 1;
	int64_t k = opt.k;
	CE_CHECK(qb <= INT_MAX && db <= INT_MAX && (uint64_t)qb * (uint64_t)db <= (1ULL << 34) &&
			 (uint64_t)qb * (uint64_t)k <= (1ULL << 35),
		 err, CE_E_LIMIT, "knn: block sizes too large (q_block %lld, d_block %lld, k %lld)",
		 (long long)qb, (long long)db, (long long)k);

	/* OpenBLAS takes a work buffer per calling thread on first use, and when
	 * it cannot map one it retries forever (blas_memory_alloc in 0.3.21):
	 * under a memory limit the search would hang instead of failing.  So
	 * check first that that much address space is there. */
	CE_CHECK(ce_alloc_can_reserve((size_t)threads * KNN_BLAS_BUFFER_BYTES), err, CE_E_NOMEM,
		 "knn: out of memory: OpenBLAS needs %d work buffer(s) of %zu MiB", threads,
		 KNN_BLAS_BUFFER_BYTES >> 20);
	struct knn_job job = {.queries = queries, .docs = docs, .nq = nq, .nd = nd, .dim = dim, .k = k, .qb = qb,
			      .db = db, .opt = &opt, .hits = hits, .n_hits = n_hits};
	if (pthread_mutex_init(&job.mu, NULL) != 0)
		return ce_err_set(err, CE_E_NOMEM, "knn: cannot create a mutex");
	pthread_t *tids = threads > 1 ? ce_calloc((size_t)threads - 1, sizeof *tids) : NULL;
	int started = 0;
	/* the workers call sgemm concurrently, each single-threaded */
	int blas_threads = openblas_get_num_threads();
	if (threads > 1)
		openblas_set_num_threads(1);
	for (int t = 0; tids && t < threads - 1; t++) {
		if (pthread_create(&tids[t], NULL, knn_worker, &job) != 0)
			break; /* fewer helpers: the calling thread takes their blocks */
		started++;
	}
	knn_worker(&job);
	for (int t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	if (threads > 1)
		openblas_set_num_threads(blas_threads);
	ce_free(tids);
	pthread_mutex_destroy(&job.mu);
	if (job.failed)
		return ce_err_set(err, CE_E_NOMEM, "knn: out of memory for the scratch blocks");
	return CE_OK;
}
