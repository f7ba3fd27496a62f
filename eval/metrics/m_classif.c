/*
 * m_classif.c - classification metrics of hard predictions, as MTEB's
 * logistic-regression evaluator calls sklearn 1.2 on them: accuracy_score,
 * f1_score(average="macro") and average_precision_score on 0/1 predictions.
 */
#include "metrics.h"

#include <string.h>

#include "ce_alloc.h"
#include "np_sum.h"
#include "sorted_i64.h"

double metric_accuracy(const int64_t *y_true, const int64_t *y_pred, int64_t n)
{
	int64_t ok = 0;
	for (int64_t i = 0; i < n; i++)
		ok += y_true[i] == y_pred[i];
	return (double)ok / (double)n;
}

enum ce_status metric_f1_macro(const int64_t *y_true, const int64_t *y_pred, int64_t n, double *out)
{
	*out = 0.0;
	if (n <= 0)
		return CE_OK;
	int64_t *lab = ce_malloc_array((size_t)(2 * n), sizeof *lab);
	int64_t *cnt = ce_calloc((size_t)(6 * n), sizeof *cnt); /* tp, n_true, n_pred per label */
	double *f = ce_malloc_array((size_t)(2 * n), sizeof *f);
	if (!lab || !cnt || !f) {
		ce_free(lab);
		ce_free(cnt);
		ce_free(f);
		return CE_E_NOMEM;
	}
	memcpy(lab, y_true, (size_t)n * sizeof *lab);
	memcpy(lab + n, y_pred, (size_t)n * sizeof *lab);
	int64_t k = (int64_t)sorted_i64_unique(lab, (size_t)(2 * n));
	int64_t *tp = cnt, *nt = cnt + 2 * n, *np = cnt + 4 * n;
	for (int64_t i = 0; i < n; i++) {
		int32_t a = (int32_t)sorted_i64_find(lab, (size_t)k, y_true[i]);
		int32_t b = (int32_t)sorted_i64_find(lab, (size_t)k, y_pred[i]);
		nt[a]++;
		np[b]++;
		tp[a] += a == b;
	}
	/* sklearn precision_recall_fscore_support: 0 for 0/0, denominator
	 * beta^2*P + R replaced by 1 when 0 */
	for (int64_t c = 0; c < k; c++) {
		double pr = np[c] ? (double)tp[c] / (double)np[c] : 0.0;
		double rc = nt[c] ? (double)tp[c] / (double)nt[c] : 0.0;
		double den = 1.0 * pr + rc;
		if (den == 0.0)
			den = 1.0;
		f[c] = (1.0 + 1.0) * pr * rc / den;
	}
	*out = np_sum_f64(f, (size_t)k, 1) / (double)k;
	ce_free(lab);
	ce_free(cnt);
	ce_free(f);
	return CE_OK;
}

double metric_average_precision_hard(const int64_t *y_true, const int64_t *y_pred, int64_t n)
{
	int64_t pos = 0, tp = 0, pp = 0;
	for (int64_t i = 0; i < n; i++) {
		pos += y_true[i] == 1;
		pp += y_pred[i] == 1;
		tp += y_true[i] == 1 && y_pred[i] == 1;
	}
	if (pos == 0 || n == 0)
		return 0.0;
	double base = (double)pos / (double)n;
	if (pp == 0 || pp == n)
		return base; /* one threshold: everything (or nothing) predicted positive */
	/* two thresholds: sklearn's -sum(diff(recall) * precision[:-1]) over
	 * the points (base, 1), (P, R), (1, 0) */
	double prec = (double)tp / (double)pp, rec = (double)tp / (double)pos;
	double terms[2] = {(rec - 1.0) * base, (0.0 - rec) * prec};
	return -(terms[0] + terms[1]);
}
