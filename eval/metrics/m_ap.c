/*
 * m_ap.c - sklearn's average_precision_score (binary, sklearn 1.2) and
 * metric_pairwise_sum (np.sum, through np_sum.h).
 */
#include "metrics.h"

#include <stdlib.h>

#include "ce_alloc.h"
#include "np_sum.h"

double metric_pairwise_sum(const double *a, size_t n)
{
	return np_sum_f64(a, n, 1);
}

struct scored {
	double score;
	uint8_t pos;
};

static int cmp_score_desc(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->score, y = ((const struct scored *)b)->score;
	return (x < y) - (x > y);
}

enum ce_status metric_average_precision(const double *score, const uint8_t *label, size_t n, double *ap)
{
	if (n == 0)
		return CE_E_INVALID_ARG;
	struct scored *s = ce_malloc_array(n, sizeof *s);
	/* tps/fps per distinct threshold, then the reversed precision/recall terms */
	double *prec = ce_malloc_array(n + 1, sizeof *prec);
	double *rec = ce_malloc_array(n + 1, sizeof *rec);
	double *term = ce_malloc_array(n, sizeof *term);
	if (!s || !prec || !rec || !term) {
		ce_free(s);
		ce_free(prec);
		ce_free(rec);
		ce_free(term);
		return CE_E_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		s[i].score = score[i];
		s[i].pos = label[i] != 0;
	}
	/* Order inside a tie block is irrelevant: the block is one threshold
	 * (sklearn _binary_clf_curve keeps only the last index of each block). */
	qsort(s, n, sizeof *s, cmp_score_desc);

	size_t t = 0;
	double tps = 0.0;
	for (size_t i = 0; i < n; i++) {
		tps += s[i].pos;
		if (i + 1 == n || s[i + 1].score != s[i].score) {
			double fps = (double)(i + 1) - tps; /* 1 + threshold_idx - tps */
			prec[t] = tps / (tps + fps);
			rec[t] = tps; /* divided by the total below */
			t++;
		}
	}
	double total = tps;
	for (size_t i = 0; i < t; i++)
		rec[i] = total == 0.0 ? 1.0 : rec[i] / total;
	/* precision_recall_curve reverses both arrays and appends (1, 0); AP is
	 * -sum(diff(recall) * precision[:-1]) over the reversed arrays. */
	for (size_t j = 0; j < t; j++) {
		size_t fj = t - 1 - j;                       /* reversed index j */
		double r_next = j + 1 < t ? rec[fj - 1] : 0.0; /* reversed j+1 */
		term[j] = (r_next - rec[fj]) * prec[fj];
	}
	*ap = -metric_pairwise_sum(term, t);
	ce_free(s);
	ce_free(prec);
	ce_free(rec);
	ce_free(term);
	return CE_OK;
}
