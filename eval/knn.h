/*
 * knn.h - exact top-k retrieval by blocked matrix products.
 *
 * What it does: for every query row of Q [nq x dim] it finds the k corpus rows
 * of D [nd x dim] with the highest score (dot product, or cosine), as BEIR's
 * DenseRetrievalExactSearch / mteb's exact search do, without ever forming the
 * nq x nd score matrix: queries and documents are processed in blocks with a
 * bounded scratch (q_block x d_block floats), each block scored by one
 * cblas_sgemm, and every query keeps its best k.  Query blocks are searched
 * by `threads` workers in parallel; results do not depend on their number.
 *
 * Order and ties: a hit ranks before another if its score is higher, or, for
 * equal float32 scores, if its doc id is larger by strcmp (trec_eval's
 * comp_sim_docno order).  The kept set is therefore exactly the first k of the
 * full list sorted that way, and the returned list is in that order.  Without
 * doc ids the doc index plays the id's role (larger index first).  NaN scores
 * count as -1, as BEIR does.
 *
 * Identical-id filtering (BEIR ignore_identical_ids): when enabled, a doc whose
 * id equals the query's id is dropped before it can enter the heap, so the
 * query still receives k other docs.
 *
 * What it does not do: encode, score against qrels, or own inputs.
 * Ownership: inputs are borrowed for the call; results go to caller memory.
 */
#ifndef KNN_H
#define KNN_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

enum knn_metric {
	KNN_METRIC_DOT = 0,    /* a . b (bge embeddings are unit length, so = cosine) */
	KNN_METRIC_COSINE = 1  /* a . b / (|a| |b|), rows normalised in float32 first (torch cos_sim) */
};

struct knn_options {
	int64_t k;                     /* hits per query (default 1000) */
	enum knn_metric metric;        /* default KNN_METRIC_DOT */
	int64_t q_block;               /* queries per sgemm block (default 512) */
	int64_t d_block;               /* documents per sgemm block (default 4096) */
	const char *const *query_ids;  /* [nq] or NULL; needed for exclude_identical_ids */
	const char *const *doc_ids;    /* [nd] or NULL (ties then by doc index) */
	int exclude_identical_ids;     /* 1: drop doc whose id equals the query id */
	int threads;                   /* workers; 0 = OpenBLAS's thread count (default) */
};

/* One retrieved document. */
struct knn_hit {
	int32_t doc;  /* row index in D */
	float score;
};

/* Fill opt with the defaults above. */
void knn_options_init(struct knn_options *opt);

/*
 * Search.
 *   [in]  queries [nq x dim], docs [nd x dim]: float32, row-major
 *   [in]  opt (NULL = defaults)
 *   [out] hits [nq x opt->k]: row q holds query q's hits, best first
 *   [out] n_hits [nq]: hits found for each query (min(k, eligible docs))
 * To bound memory for a very large query set, call it on slices of the
 * queries (pointer offset, query_ids offset the same way).
 * Errors: CE_E_INVALID_ARG (k < 1, dim < 1, exclusion without both id
 * arrays, blocks < 1), CE_E_LIMIT (nd > INT32_MAX or a block too large),
 * CE_E_NOMEM.
 */
enum ce_status knn_search(const float *queries, int64_t nq, const float *docs, int64_t nd, int64_t dim,
			  const struct knn_options *opt, struct knn_hit *hits, int64_t *n_hits,
			  struct ce_err *err);

#endif
