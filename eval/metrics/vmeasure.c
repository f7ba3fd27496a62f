/* vmeasure.c - sklearn v_measure_score semantics (see vmeasure.h). */
#include "vmeasure.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "ce_alloc.h"
#include "np_sum.h"
#include "sorted_i64.h"

struct vm_pair {
	int64_t v;
	size_t i;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct vm_pair *x = a, *y = b;
	if (x->v != y->v)
		return (x->v > y->v) - (x->v < y->v);
	return (x->i > y->i) - (x->i < y->i);
}

/* Dense ids in sorted-value order (np.unique return_inverse); returns #distinct or -1 on OOM. */
static int64_t dense_ids(const int64_t *labels, size_t n, int64_t *ids)
{
	struct vm_pair *p = ce_malloc_array(n, sizeof *p);
	if (!p)
		return -1;
	for (size_t i = 0; i < n; i++) {
		p[i].v = labels[i];
		p[i].i = i;
	}
	qsort(p, n, sizeof *p, cmp_pair);
	int64_t k = -1;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || p[i].v != p[i - 1].v)
			k++;
		ids[p[i].i] = k;
	}
	ce_free(p);
	return k + 1;
}

/* sklearn's entropy(): -sum((pi/N) * (log(pi) - log(N))) over non-empty classes. */
static double entropy_of_counts(const int64_t *cnt, int64_t k, int64_t n_total, double *tmp)
{
	if (k == 1)
		return 0.0;
	double sum = (double)n_total;
	double lsum = log(sum);
	for (int64_t c = 0; c < k; c++)
		tmp[c] = ((double)cnt[c] / sum) * (log((double)cnt[c]) - lsum);
	return -np_sum_f64(tmp, (size_t)k, 1);
}

enum ce_status vmeasure_compute(const int64_t *labels_true, const int64_t *labels_pred, size_t n,
				struct vmeasure *out)
{
	out->homogeneity = out->completeness = out->v_measure = 1.0;
	if (n == 0)
		return CE_OK;
	enum ce_status st = CE_E_NOMEM;
	int64_t *ci = ce_malloc_array(n, sizeof *ci);
	int64_t *ki = ce_malloc_array(n, sizeof *ki);
	int64_t *cells = ce_malloc_array(n, sizeof *cells);
	int64_t *nc = ce_calloc(n, sizeof *nc);
	int64_t *nk = ce_calloc(n, sizeof *nk);
	double *tmp = ce_malloc_array(n, sizeof *tmp);
	if (!ci || !ki || !cells || !nc || !nk || !tmp)
		goto out;
	int64_t n_c = dense_ids(labels_true, n, ci);
	int64_t n_k = dense_ids(labels_pred, n, ki);
	if (n_c < 0 || n_k < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		nc[ci[i]]++;
		nk[ki[i]]++;
	}
	double h_c = entropy_of_counts(nc, n_c, (int64_t)n, tmp);
	double h_k = entropy_of_counts(nk, n_k, (int64_t)n, tmp);

	double mi = 0.0;
	if (n_c > 1 && n_k > 1) {
		/* Non-zero contingency cells in row-major (class, cluster) order, as
		 * scipy.sparse.find on the CSR contingency matrix returns them. */
		for (size_t i = 0; i < n; i++)
			cells[i] = ci[i] * n_k + ki[i];
		qsort(cells, n, sizeof *cells, sorted_i64_cmp);
		double total = (double)n;
		double ltotal = log(total);
		size_t n_nz = 0;
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && cells[j] == cells[i])
				j++;
			int64_t c = cells[i] / n_k, k = cells[i] % n_k;
			double v = (double)(j - i);
			double nm = v / total;
			int64_t outer = nc[c] * nk[k];
			double log_outer = -log((double)outer) + ltotal + ltotal;
			double t = nm * (log(v) - ltotal) + nm * log_outer;
			tmp[n_nz++] = fabs(t) < DBL_EPSILON ? 0.0 : t;
			i = j;
		}
		mi = np_sum_f64(tmp, n_nz, 1);
		if (mi < 0.0)
			mi = 0.0;
	}
	double h = h_c != 0.0 ? mi / h_c : 1.0;
	double c = h_k != 0.0 ? mi / h_k : 1.0;
	out->homogeneity = h;
	out->completeness = c;
	out->v_measure = (h + c == 0.0) ? 0.0 : (2.0 * h * c / (h + c));
	st = CE_OK;
out:
	ce_free(ci);
	ce_free(ki);
	ce_free(cells);
	ce_free(nc);
	ce_free(nk);
	ce_free(tmp);
	return st;
}
