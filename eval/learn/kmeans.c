/* kmeans.c - sklearn 1.2.1 MiniBatchKMeans on float32 data (see kmeans.h). */
#include "kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "mt19937.h"
#include "np_sum.h"

void kmeans_params_default(struct kmeans_params *p, int32_t n_clusters)
{
	p->n_clusters = n_clusters;
	p->batch_size = 500;
	p->max_iter = 100;
	p->max_no_improvement = 10;
	p->reassignment_ratio = 0.01;
	p->seed = 42;
}

/* ---------------------------------------------------------------- distances */

static double dot_f64(const float *a, const float *b, int32_t d)
{
	double s = 0.0;
	for (int32_t j = 0; j < d; j++)
		s += (double)a[j] * (double)b[j];
	return s;
}

/*
 * Squared distance as sklearn's _euclidean_distances computes it for float32
 * inputs (_euclidean_distances_upcast): in float64, -2*x.y + ||x||^2 + ||y||^2,
 * then cast to float32 and clipped at 0.  Used by k-means++.
 */
static float dist_upcast(const float *a, double aa, const float *b, double bb, int32_t d)
{
	double v = -2.0 * dot_f64(a, b, d);
	v += aa;
	v += bb;
	float f = (float)v;
	return f > 0.0f ? f : 0.0f;
}

/*
 * Squared distance of sklearn's _euclidean_dense_dense (float32, unrolled by
 * four: each group of four squared differences is summed left to right and
 * then added), used by _inertia_dense.
 */
static float dist_dense_f32(const float *a, const float *b, int32_t d)
{
	float r = 0.0f;
	int32_t q = d / 4, j = 0;
	for (int32_t i = 0; i < q; i++, j += 4) {
		float t0 = a[j] - b[j], t1 = a[j + 1] - b[j + 1];
		float t2 = a[j + 2] - b[j + 2], t3 = a[j + 3] - b[j + 3];
		r += t0 * t0 + t1 * t1 + t2 * t2 + t3 * t3;
	}
	for (; j < d; j++) {
		float t = a[j] - b[j];
		r += t * t;
	}
	return r;
}

/*
 * Nearest center of each row (sklearn lloyd_iter_chunked_dense without the
 * update): argmin_j ||c_j||^2 - 2 x.c_j in float32, first minimum wins.
 * sklearn forms this with sgemm; we accumulate the dot product in double and
 * round once, which differs from any BLAS only below float32 resolution.
 */
static void assign_labels(const float *x, const int64_t *rows, int64_t n, const float *c, int32_t k, int32_t d,
			  const float *c_sq, int32_t *labels)
{
	for (int64_t i = 0; i < n; i++) {
		const float *xi = x + (rows ? rows[i] : i) * (int64_t)d;
		int32_t best = 0;
		float best_v = 0.0f;
		for (int32_t j = 0; j < k; j++) {
			float dotf = (float)dot_f64(xi, c + (int64_t)j * d, d);
			float v = -2.0f * dotf + c_sq[j];
			if (j == 0 || v < best_v) {
				best_v = v;
				best = j;
			}
		}
		labels[i] = best;
	}
}

static void center_sq_norms(const float *c, int32_t k, int32_t d, float *out)
{
	for (int32_t j = 0; j < k; j++)
		out[j] = (float)dot_f64(c + (int64_t)j * d, c + (int64_t)j * d, d);
}

/* ---------------------------------------------------------------- k-means++ */

/*
 * sklearn _kmeans_plusplus on the rows sub[0..ns) of x: first center
 * randint(ns); then per center n_local_trials uniform draws scaled by the
 * float32 potential, searchsorted in the float64 cumulative sum, and the
 * candidate with the smallest float32 pairwise-summed potential wins.
 */
static enum ce_status kmeans_plusplus(const float *x, const int64_t *sub, int64_t ns, int32_t d, int32_t k,
				      struct mt19937 *mt, float *centers)
{
	int n_trials = 2 + (int)log((double)k);
	enum ce_status st = CE_E_NOMEM;
	double *norms = ce_malloc_array((size_t)ns, sizeof *norms);
	float *closest = ce_malloc_array((size_t)ns, sizeof *closest);
	float *cand = ce_malloc_array((size_t)ns * (size_t)n_trials, sizeof *cand);
	double *cum = ce_malloc_array((size_t)ns, sizeof *cum);
	int64_t *cand_ids = ce_malloc_array((size_t)n_trials, sizeof *cand_ids);
	float *cand_pot = ce_malloc_array((size_t)n_trials, sizeof *cand_pot);
	if (!norms || !closest || !cand || !cum || !cand_ids || !cand_pot)
		goto out;
#define ROW(i) (x + (sub ? sub[i] : (i)) * (int64_t)d)
	for (int64_t i = 0; i < ns; i++)
		norms[i] = dot_f64(ROW(i), ROW(i), d);

	int64_t first;
	mt19937_randint(mt, 0, ns, &first, 1);
	memcpy(centers, ROW(first), (size_t)d * sizeof *centers);
	for (int64_t i = 0; i < ns; i++)
		closest[i] = dist_upcast(ROW(first), norms[first], ROW(i), norms[i], d);
	float pot = np_sum_f32(closest, (size_t)ns, 1);

	for (int32_t c = 1; c < k; c++) {
		double run = 0.0; /* stable_cumsum: float64 running sum */
		for (int64_t i = 0; i < ns; i++) {
			run += (double)closest[i];
			cum[i] = run;
		}
		for (int t = 0; t < n_trials; t++) {
			double r = mt19937_next_double(mt) * (double)pot;
			/* searchsorted(side="left"): first i with cum[i] >= r */
			int64_t lo = 0, hi = ns;
			while (lo < hi) {
				int64_t mid = lo + (hi - lo) / 2;
				if (cum[mid] < r)
					lo = mid + 1;
				else
					hi = mid;
			}
			cand_ids[t] = lo < ns - 1 ? lo : ns - 1;
		}
		for (int t = 0; t < n_trials; t++) {
			const float *cx = ROW(cand_ids[t]);
			double cn = norms[cand_ids[t]];
			float *row = cand + (size_t)t * (size_t)ns;
			for (int64_t i = 0; i < ns; i++) {
				float v = dist_upcast(cx, cn, ROW(i), norms[i], d);
				row[i] = closest[i] < v ? closest[i] : v;
			}
			cand_pot[t] = np_sum_f32(row, (size_t)ns, 1);
		}
		int best = 0;
		for (int t = 1; t < n_trials; t++)
			if (cand_pot[t] < cand_pot[best])
				best = t;
		pot = cand_pot[best];
		memcpy(closest, cand + (size_t)best * (size_t)ns, (size_t)ns * sizeof *closest);
		memcpy(centers + (int64_t)c * d, ROW(cand_ids[best]), (size_t)d * sizeof *centers);
	}
#undef ROW
	st = CE_OK;
out:
	ce_free(norms);
	ce_free(closest);
	ce_free(cand);
	ce_free(cum);
	ce_free(cand_ids);
	ce_free(cand_pot);
	return st;
}

/* ---------------------------------------------------------------- fit */

struct kmeans_work {
	int64_t *batch;    /* batch row indices */
	int32_t *blabels;  /* labels of the batch rows */
	int64_t *perm;     /* permutation scratch for reassignment */
	float *c_sq;       /* center squared norms */
	float *counts;     /* per-center weight sums (float32, as sklearn) */
	float *cent_new;   /* k * d */
	int64_t *init_idx; /* init subsample indices */
	int64_t *order;    /* argsort scratch */
	char *reassign;    /* k flags */
};

static void work_free(struct kmeans_work *w)
{
	ce_free(w->batch);
	ce_free(w->blabels);
	ce_free(w->perm);
	ce_free(w->c_sq);
	ce_free(w->counts);
	ce_free(w->cent_new);
	ce_free(w->init_idx);
	ce_free(w->order);
	ce_free(w->reassign);
}


static int cmp_by_count(const void *a, const void *b, void *ctx)
{
	const float *cnt = ctx;
	int64_t i = *(const int64_t *)a, j = *(const int64_t *)b;
	if (cnt[i] != cnt[j])
		return cnt[i] < cnt[j] ? -1 : 1;
	return (i > j) - (i < j);
}

/*
 * One _mini_batch_step: assign the batch, update the centers with
 * per-center learning rate 1/count, optionally reassign low-count centers.
 * Returns the batch inertia (float32 sum, as sklearn's _inertia_dense).
 */
static float minibatch_step(const float *x, int32_t d, int32_t k, const struct kmeans_params *p,
			    struct kmeans_work *w, int64_t bs, const float *cent, float *cent_new,
			    int do_reassign, struct mt19937 *mt)
{
	center_sq_norms(cent, k, d, w->c_sq);
	assign_labels(x, w->batch, bs, cent, k, d, w->c_sq, w->blabels);
	float inertia = 0.0f;
	for (int64_t i = 0; i < bs; i++)
		inertia += dist_dense_f32(x + w->batch[i] * (int64_t)d, cent + (int64_t)w->blabels[i] * d, d) * 1.0f;

	/* _minibatch_update_dense, center by center */
	for (int32_t c = 0; c < k; c++) {
		float *cn = cent_new + (int64_t)c * d;
		const float *co = cent + (int64_t)c * d;
		float wsum = 0.0f;
		for (int64_t i = 0; i < bs; i++)
			if (w->blabels[i] == c)
				wsum += 1.0f;
		if (wsum > 0.0f) {
			for (int32_t j = 0; j < d; j++)
				cn[j] = co[j] * w->counts[c];
			for (int64_t i = 0; i < bs; i++) {
				if (w->blabels[i] != c)
					continue;
				const float *xi = x + w->batch[i] * (int64_t)d;
				for (int32_t j = 0; j < d; j++)
					cn[j] += xi[j] * 1.0f;
			}
			w->counts[c] += wsum;
			float alpha = 1.0f / w->counts[c];
			for (int32_t j = 0; j < d; j++)
				cn[j] *= alpha;
		} else {
			memcpy(cn, co, (size_t)d * sizeof *cn);
		}
	}

	if (do_reassign && p->reassignment_ratio > 0.0) {
		float mx = w->counts[0];
		for (int32_t c = 1; c < k; c++)
			if (w->counts[c] > mx)
				mx = w->counts[c];
		/* sklearn compares the float32 counts with a float64 scalar; numpy's
		 * value-based casting rounds the scalar to float32 first. */
		float thr = (float)(p->reassignment_ratio * (double)mx);
		int64_t n_re = 0;
		for (int32_t c = 0; c < k; c++) {
			w->reassign[c] = w->counts[c] < thr;
			n_re += w->reassign[c];
		}
		if ((double)n_re > 0.5 * (double)bs) {
			/* keep only the int(0.5*bs) lowest counts (numpy argsort; ties
			 * broken by index here) */
			for (int32_t c = 0; c < k; c++)
				w->order[c] = c;
			qsort_r(w->order, (size_t)k, sizeof *w->order, cmp_by_count, w->counts);
			for (int64_t r = (int64_t)(0.5 * (double)bs); r < k; r++)
				w->reassign[w->order[r]] = 0;
			n_re = 0;
			for (int32_t c = 0; c < k; c++)
				n_re += w->reassign[c];
		}
		if (n_re > 0) {
			/* RandomState.choice(bs, replace=False, size=n_re) = permutation(bs)[:n_re] */
			for (int64_t i = 0; i < bs; i++)
				w->perm[i] = i;
			mt19937_shuffle_i64(mt, w->perm, (size_t)bs);
			int64_t r = 0;
			for (int32_t c = 0; c < k; c++) {
				if (!w->reassign[c])
					continue;
				memcpy(cent_new + (int64_t)c * d, x + w->batch[w->perm[r++]] * (int64_t)d,
				       (size_t)d * sizeof *cent_new);
			}
		}
		/* reset reassigned counts to the smallest kept count */
		float mn = 0.0f;
		int have = 0;
		for (int32_t c = 0; c < k; c++)
			if (!w->reassign[c] && (!have || w->counts[c] < mn)) {
				mn = w->counts[c];
				have = 1;
			}
		if (have)
			for (int32_t c = 0; c < k; c++)
				if (w->reassign[c])
					w->counts[c] = mn;
	}
	return inertia;
}

enum ce_status kmeans_minibatch_fit(const float *x, int64_t n, int32_t dim, const struct kmeans_params *p,
				    int32_t *labels, float *centers, int64_t *n_steps)
{
	int32_t k = p->n_clusters;
	if (k < 1 || dim < 1 || n < k || p->batch_size < 1 || p->max_iter < 0 || p->reassignment_ratio < 0.0)
		return CE_E_INVALID_ARG;
	int64_t bs = p->batch_size < n ? p->batch_size : n;
	int64_t init_size = 3 * bs;
	if (init_size < k)
		init_size = 3 * (int64_t)k;
	if (init_size > n)
		init_size = n;

	struct kmeans_work w = {0};
	float *cent = ce_malloc_array((size_t)k * (size_t)dim, sizeof *cent);
	w.batch = ce_malloc_array((size_t)(bs > init_size ? bs : init_size), sizeof *w.batch);
	w.blabels = ce_malloc_array((size_t)bs, sizeof *w.blabels);
	w.perm = ce_malloc_array((size_t)bs, sizeof *w.perm);
	w.c_sq = ce_malloc_array((size_t)k, sizeof *w.c_sq);
	w.counts = ce_calloc((size_t)k, sizeof *w.counts);
	w.cent_new = ce_malloc_array((size_t)k * (size_t)dim, sizeof *w.cent_new);
	w.init_idx = ce_malloc_array((size_t)init_size, sizeof *w.init_idx);
	w.order = ce_malloc_array((size_t)k, sizeof *w.order);
	w.reassign = ce_calloc((size_t)k, 1);
	enum ce_status st = CE_E_NOMEM;
	if (!cent || !w.batch || !w.blabels || !w.perm || !w.c_sq || !w.counts || !w.cent_new || !w.init_idx ||
	    !w.order || !w.reassign)
		goto out;

	struct mt19937 mt;
	mt19937_seed(&mt, p->seed);
	/* validation subset for choosing among inits: with n_init = 1 only its
	 * draws matter */
	mt19937_randint(&mt, 0, n, w.batch, (size_t)init_size);
	const int64_t *sub = NULL;
	int64_t ns = n;
	if (init_size < n) {
		mt19937_randint(&mt, 0, n, w.init_idx, (size_t)init_size);
		sub = w.init_idx;
		ns = init_size;
	}
	st = kmeans_plusplus(x, sub, ns, dim, k, &mt, cent);
	if (st != CE_OK)
		goto out;

	int64_t steps = (int64_t)p->max_iter * n / bs;
	int64_t since_reassign = 0, no_improvement = 0, i;
	int have_ewa = 0, have_min = 0;
	double ewa = 0.0, ewa_min = 0.0;
	float *cur = cent, *nxt = w.cent_new;
	for (i = 0; i < steps; i++) {
		mt19937_randint(&mt, 0, n, w.batch, (size_t)bs);
		/* _random_reassign: every 10*k samples, or whenever a center is empty */
		since_reassign += bs;
		int any_empty = 0;
		for (int32_t c = 0; c < k; c++)
			any_empty |= w.counts[c] == 0.0f;
		int do_re = 0;
		if (any_empty || since_reassign >= 10 * (int64_t)k) {
			since_reassign = 0;
			do_re = 1;
		}
		float inertia = minibatch_step(x, dim, k, p, &w, bs, cur, nxt, do_re, &mt);
		float *t = cur;
		cur = nxt;
		nxt = t;

		/* _mini_batch_convergence (tol = 0): EWA of the per-sample batch
		 * inertia in double, skipping the first step */
		double bi = (double)inertia / (double)bs;
		if (i == 0)
			continue;
		if (!have_ewa) {
			ewa = bi;
			have_ewa = 1;
		} else {
			double alpha = (double)bs * 2.0 / (double)(n + 1);
			if (alpha > 1.0)
				alpha = 1.0;
			ewa = ewa * (1.0 - alpha) + bi * alpha;
		}
		if (!have_min || ewa < ewa_min) {
			no_improvement = 0;
			ewa_min = ewa;
			have_min = 1;
		} else {
			no_improvement++;
		}
		if (p->max_no_improvement > 0 && no_improvement >= p->max_no_improvement) {
			i++;
			break;
		}
	}
	if (n_steps)
		*n_steps = i;
	center_sq_norms(cur, k, dim, w.c_sq);
	assign_labels(x, NULL, n, cur, k, dim, w.c_sq, labels);
	if (centers)
		memcpy(centers, cur, (size_t)k * (size_t)dim * sizeof *centers);
	st = CE_OK;
out:
	ce_free(cent);
	work_free(&w);
	return st;
}
