/*
 * metrics.h - score-vs-label metrics of the non-ranking evaluators:
 * average precision (sklearn), Pearson and Spearman correlation (scipy), the
 * pair-classification threshold sweeps (mteb) and the classification metrics
 * of hard predictions (sklearn, as mteb calls it).  Implementations live in
 * m_ap.c, m_corr.c, m_pairclass.c and m_classif.c.
 *
 * These are pure computations: inputs are borrowed, results are written to
 * out-parameters, and the only failures are bad sizes (CE_E_INVALID_ARG) and
 * allocation of sort scratch (CE_E_NOMEM).  They take no struct ce_err.
 *
 * Labels are 0 (negative) / 1 (positive); any non-zero value counts as 1.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

/*
 * np.sum of a contiguous float64 array: np_sum_f64(a, n, 1) (np_sum.h):
 * numpy's pairwise summation (blocks of at most 128 summed with 8
 * accumulators, halves split at multiples of 8) within chunks of numpy's
 * 8192-element buffer, chunk sums added in order.
 * Used wherever the reference sums with numpy, so results match bit for bit.
 */
double metric_pairwise_sum(const double *a, size_t n);

/*
 * sklearn.metrics.average_precision_score(label, score) (sklearn 1.2):
 * items sorted by score descending, equal scores grouped into one threshold,
 * AP = sum over thresholds of (R_t - R_{t-1}) * P_t; no interpolation.  With
 * no positive label every recall is taken as 1 and AP is 0, as sklearn does
 * (it also warns).  The final sum uses numpy's pairwise summation order.
 *   [in] score [n], label [n] (n >= 1); [out] *ap
 */
enum ce_status metric_average_precision(const double *score, const uint8_t *label, size_t n, double *ap);

/*
 * scipy.stats.pearsonr(x, y)[0] (scipy 1.10): float64 means, centred vectors
 * divided by their BLAS nrm2 norms, dot product, clipped to [-1, 1].  NaN if
 * either input is constant; sign(dx)*sign(dy) for n = 2.
 *   [in] x [n], y [n] (n >= 2); [out] *r
 */
enum ce_status metric_pearson(const double *x, const double *y, size_t n, double *r);

/*
 * scipy.stats.spearmanr(x, y)[0]: Pearson correlation (numpy corrcoef form)
 * of the fractional ranks, ties sharing the average of their ranks
 * (scipy.stats.rankdata method='average').  NaN if either input is constant.
 *   [in] x [n], y [n] (n >= 2); [out] *rho
 */
enum ce_status metric_spearman(const double *x, const double *y, size_t n, double *rho);

/*
 * 1 if x[0..n) holds one value only (n <= 1 included): the case where
 * Pearson and Spearman are undefined (scipy returns NaN and warns).
 * Evaluators turn it into an error before scoring (ev_sts).
 */
int metric_is_constant(const double *x, size_t n);

/*
 * Two-sided p-value of a correlation r of n points under the t-test scipy
 * uses (pearsonr, and spearmanr on the rank correlation): t = r sqrt(df / (1 -
 * r^2)), df = n - 2, p = I_{df / (df + t^2)}(df / 2, 1 / 2).  |r| = 1 gives 0;
 * n = 2 gives 1 (scipy's pearsonr); NaN for n < 2 or a NaN r.
 */
double metric_corr_pvalue(double r, size_t n);

/*
 * The regularized incomplete beta function I_x(a, b) (a, b > 0, x in [0, 1]):
 * its continued fraction, evaluated with the modified Lentz method, on the
 * side of x where it converges fast.  NaN outside the domain.
 */
double metric_betainc(double a, double b, double x);

/*
 * Fractional ranks, 1-based, ties averaged (scipy rankdata 'average').
 *   [in] x [n]; [out] rank [n]
 */
enum ce_status metric_rank_average(const double *x, size_t n, double *rank);

/* One score type of a pair-classification task (mteb's keys in comments). */
struct pair_class_result {
	double accuracy;           /* "accuracy" */
	double accuracy_threshold; /* "accuracy_threshold" (-1 if never improved) */
	double f1;                 /* "f1" */
	double f1_threshold;       /* "f1_threshold" (0 if never improved) */
	double precision;          /* "precision" at the best F1 */
	double recall;             /* "recall" at the best F1 */
	double ap;                 /* "ap": sklearn AP of score (negated for distances) */
};

/*
 * mteb PairClassificationEvaluator for one score type
 * (find_best_acc_and_threshold / find_best_f1_and_threshold / AP):
 *   - pairs stable-sorted by score, descending when higher_is_positive
 *     (cosine, dot) and ascending for distances (euclidean, manhattan);
 *   - for i = 0 .. n-2, the first i+1 pairs are predicted positive; the first
 *     strictly better accuracy / F1 wins (F1 skipped while no true positive);
 *     threshold = (s_i + s_{i+1}) / 2 with the sum in float32, then halved in
 *     float64 (numpy float32 scalars as mteb uses them);
 *   - ap = metric_average_precision(label, score), with -score for distances.
 * Scores are float32, as the reference computes them.
 *   [in] score [n], label [n] (n >= 1); [out] *out
 */
enum ce_status metric_pair_classification(const float *score, const uint8_t *label, size_t n,
					  int higher_is_positive, struct pair_class_result *out);

/* ---- classification of hard predictions (m_classif.c, sklearn 1.2) ---- */

/* sklearn accuracy_score(y_true, y_pred): share of equal labels.  n >= 1. */
double metric_accuracy(const int64_t *y_true, const int64_t *y_pred, int64_t n);

/*
 * sklearn f1_score(y_true, y_pred, average="macro"): mean over the labels in
 * y_true U y_pred of per-label F1, 0 where precision + recall is 0
 * (zero_division -> 0); the mean sums in numpy's pairwise order.
 * *out = 0 for n <= 0.  CE_E_NOMEM.
 */
enum ce_status metric_f1_macro(const int64_t *y_true, const int64_t *y_pred, int64_t n, double *out);

/*
 * sklearn average_precision_score(y_true, y_pred) on hard 0/1 predictions as
 * MTEB calls it (positive label 1; other values count as negative).
 * With y_pred binary the score is P*R + (1-R)*base where P, R are precision
 * and recall of the predicted positives and base = positive rate; base alone
 * when everything or nothing is predicted positive.  With no positive in
 * y_true sklearn warns and returns a meaningless value; ceval returns 0 there.
 */
double metric_average_precision_hard(const int64_t *y_true, const int64_t *y_pred, int64_t n);

#endif
