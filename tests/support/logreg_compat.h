/*
 * logreg_compat.h - the names the classification metrics had while they
 * lived in logreg.h (logreg_accuracy, logreg_f1_macro,
 * logreg_average_precision_hard), for tests/eval/test_learn.c, whose test
 * bodies were kept as they were when the metrics moved to metrics.h
 * (eval/metrics/m_classif.c).  Test-only; library code calls metric_*.
 */
#ifndef LOGREG_COMPAT_H
#define LOGREG_COMPAT_H

#include <stdint.h>

#include "metrics.h"

static inline double logreg_accuracy(const int64_t *y_true, const int64_t *y_pred, int64_t n)
{
	return metric_accuracy(y_true, y_pred, n);
}

static inline enum ce_status logreg_f1_macro(const int64_t *y_true, const int64_t *y_pred, int64_t n, double *out)
{
	return metric_f1_macro(y_true, y_pred, n, out);
}

static inline double logreg_average_precision_hard(const int64_t *y_true, const int64_t *y_pred, int64_t n)
{
	return metric_average_precision_hard(y_true, y_pred, n);
}

#endif
