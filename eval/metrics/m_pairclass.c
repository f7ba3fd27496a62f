/*
 * m_pairclass.c - pair classification threshold sweeps, as mteb's
 * PairClassificationEvaluator (find_best_acc_and_threshold,
 * find_best_f1_and_threshold) plus sklearn AP of the same scores.
 */
#include "metrics.h"

#include <stdlib.h>

#include "ce_alloc.h"

struct pc_row {
	float score;
	uint8_t pos;
	size_t idx;
};

/* Python sorted(rows, key=score, reverse=...) is stable in both directions:
 * equal scores keep input order, hence the index as second key. */
static int cmp_desc(const void *a, const void *b)
{
	const struct pc_row *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static int cmp_asc(const void *a, const void *b)
{
	const struct pc_row *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* (rows[i][0] + rows[i+1][0]) / 2 with numpy float32 scalars: the sum is
 * rounded to float32, the division by the Python int 2 happens in float64. */
static double midpoint(float a, float b)
{
	float s = a + b;
	return (double)s / 2;
}

enum ce_status metric_pair_classification(const float *score, const uint8_t *label, size_t n,
					  int higher_is_positive, struct pair_class_result *out)
{
	if (n == 0)
		return CE_E_INVALID_ARG;
	struct pc_row *rows = ce_malloc_array(n, sizeof *rows);
	double *ap_score = ce_malloc_array(n, sizeof *ap_score);
	if (!rows || !ap_score) {
		ce_free(rows);
		ce_free(ap_score);
		return CE_E_NOMEM;
	}
	size_t n_pos = 0;
	for (size_t i = 0; i < n; i++) {
		rows[i].score = score[i];
		rows[i].pos = label[i] != 0;
		rows[i].idx = i;
		n_pos += rows[i].pos;
	}
	qsort(rows, n, sizeof *rows, higher_is_positive ? cmp_desc : cmp_asc);

	/* best accuracy: starts at 0 / -1, first strict improvement wins */
	double max_acc = 0.0, acc_thr = -1.0;
	size_t pos_so_far = 0, neg_left = n - n_pos;
	for (size_t i = 0; i + 1 < n; i++) {
		if (rows[i].pos)
			pos_so_far++;
		else
			neg_left--;
		double acc = (double)(pos_so_far + neg_left) / (double)n;
		if (acc > max_acc) {
			max_acc = acc;
			acc_thr = midpoint(rows[i].score, rows[i + 1].score);
		}
	}

	/* best F1: skipped while no true positive; 0s if never improved */
	double best_f1 = 0.0, best_p = 0.0, best_r = 0.0, f1_thr = 0.0;
	size_t nextract = 0, ncorrect = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		nextract++;
		if (rows[i].pos)
			ncorrect++;
		if (ncorrect > 0) {
			double p = (double)ncorrect / (double)nextract;
			double r = (double)ncorrect / (double)n_pos;
			double f1 = 2 * p * r / (p + r);
			if (f1 > best_f1) {
				best_f1 = f1;
				best_p = p;
				best_r = r;
				f1_thr = midpoint(rows[i].score, rows[i + 1].score);
			}
		}
	}

	for (size_t i = 0; i < n; i++)
		ap_score[i] = higher_is_positive ? (double)score[i] : -(double)score[i];
	double ap;
	enum ce_status st = metric_average_precision(ap_score, label, n, &ap);
	ce_free(rows);
	ce_free(ap_score);
	if (st != CE_OK)
		return st;
	out->accuracy = max_acc;
	out->accuracy_threshold = acc_thr;
	out->f1 = best_f1;
	out->f1_threshold = f1_thr;
	out->precision = best_p;
	out->recall = best_r;
	out->ap = ap;
	return CE_OK;
}
