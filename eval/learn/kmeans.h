/*
 * kmeans.h - sklearn 1.2.1 MiniBatchKMeans (dense float32 input) reproduced
 * step by step, for the clustering evaluator (evaluation spec section 7).
 *
 * Reproduced: init="k-means++" (greedy, 2 + int(ln k) local trials) on an
 * init_size = 3 * batch_size random subsample, n_init = 1, mini-batches
 * drawn with RandomState.randint, per-center count-based learning rate,
 * random reassignment of low-count centers (RandomState.permutation), the
 * exponentially weighted inertia early stop (max_no_improvement), tol = 0,
 * then labels_ = nearest final center for every sample.  Every draw from the
 * numpy RandomState(seed) stream happens in sklearn's order, so labels match
 * sklearn's whenever no distance is within rounding of a tie (sklearn's own
 * BLAS-dependent rounding is approximated by double accumulation; see
 * kmeans.c).  sklearn with several OpenMP threads sums the batch inertia in
 * per-thread parts; ceval follows the single-thread order.
 *
 * Not reproduced: sparse input, sample weights other than 1, init arrays.
 * Ownership: outputs are caller-provided arrays; scratch is allocated and
 * freed inside the call.
 */
#ifndef KMEANS_H
#define KMEANS_H

#include <stdint.h>

#include "ce_status.h"

struct kmeans_params {
	int32_t n_clusters;         /* k >= 1 */
	int32_t batch_size;         /* sklearn default 1024; MTEB passes 500 (v2 tasks: 512) */
	int32_t max_iter;           /* passes over the data (100) */
	int32_t max_no_improvement; /* early stop patience on the EWA inertia (10); <= 0 disables */
	double reassignment_ratio;  /* 0.01 */
	uint32_t seed;              /* numpy RandomState seed (42) */
};

/* [out] p: MTEB's settings: k, batch_size 500, max_iter 100, patience 10, ratio 0.01, seed 42. */
void kmeans_params_default(struct kmeans_params *p, int32_t n_clusters);

/*
 * Fit MiniBatchKMeans on x and assign every sample.
 * [in] x: n * dim float32, row-major.  n >= n_clusters, dim >= 1.
 * [out] labels: n cluster ids in [0, k).
 * [out] centers: k * dim final cluster_centers_, or NULL.
 * [out] n_steps: number of mini-batch steps run (sklearn n_steps_), or NULL.
 * CE_E_INVALID_ARG (bad sizes/params), CE_E_NOMEM.
 */
enum ce_status kmeans_minibatch_fit(const float *x, int64_t n, int32_t dim, const struct kmeans_params *p,
				    int32_t *labels, float *centers, int64_t *n_steps);

#endif
