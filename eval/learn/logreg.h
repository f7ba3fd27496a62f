/*
 * logreg.h - sklearn 1.2.1 LogisticRegression(max_iter=100, C=1, lbfgs) for
 * the classification evaluator (evaluation spec section 6.3), plus the
 * per-experiment metrics MTEB reports.
 *
 * Reproduced: float64 inputs; classes = sorted distinct labels; two classes
 * use sklearn's binary logistic loss on w in R^(dim+1) (positive class =
 * classes[1]); more use the multinomial softmax loss on a (k, dim+1)
 * matrix flattened in Fortran order; objective = sum of per-sample losses
 * + ||W||^2 / (2C) (intercepts not penalised), zero start, minimised by a
 * port of scipy's L-BFGS-B 3.0 (m = 10, factr = 1e7, pgtol = tol, maxls = 20,
 * Moré-Thuente dcsrch line search) with no bounds, stopped after max_iter
 * iterations as scipy's driver does.  Results agree with sklearn to
 * rounding-level differences (BLAS summation orders differ), which 100
 * unconverged iterations can amplify; see tests/eval/test_learn.c for the
 * achieved agreement.
 *
 * Ownership: logreg_fit fills a caller-owned struct logreg_model whose arrays
 * it allocates; free them with logreg_model_deinit (accepts zeroed/half-built).
 */
#ifndef LOGREG_H
#define LOGREG_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct logreg_params {
	int32_t max_iter; /* L-BFGS-B iterations (MTEB: 100) */
	double C;         /* inverse L2 strength (1.0) */
	double tol;       /* projected-gradient tolerance, scipy pgtol (1e-4) */
};

/* [out] p: max_iter 100, C 1.0, tol 1e-4. */
void logreg_params_default(struct logreg_params *p);

struct logreg_model {
	int32_t n_classes; /* distinct training labels (>= 2) */
	int32_t n_rows;    /* rows of coef: 1 when n_classes == 2, else n_classes */
	int32_t dim;       /* features */
	int64_t *classes;  /* n_classes sorted labels */
	double *coef;      /* n_rows * dim, row-major (sklearn coef_) */
	double *intercept; /* n_rows (sklearn intercept_) */
	int32_t n_iter;    /* iterations run (sklearn n_iter_) */
	int converged;     /* 1 if L-BFGS-B stopped on its own tests before max_iter */
};

/*
 * Fit on n rows of x (n * dim, row-major float64) with labels y.
 * CE_E_INVALID_ARG (n < 1, dim < 1, fewer than 2 classes, bad params),
 * CE_E_NOMEM.  On error the model is left deinitialised.
 */
enum ce_status logreg_fit(const double *x, int64_t n, int32_t dim, const int64_t *y, const struct logreg_params *p,
			  struct logreg_model *model);

void logreg_model_deinit(struct logreg_model *model);

/*
 * Predicted labels (sklearn predict: argmax of x.coef^T + intercept, first
 * maximum on ties; binary: classes[1] iff the score is > 0).
 * [in] x: n * dim float64.  [out] pred: n labels from model->classes.
 */
void logreg_predict(const struct logreg_model *model, const double *x, int64_t n, int64_t *pred);

/* ---- metrics (sklearn semantics) ---- */

/* sklearn accuracy_score. n >= 1. */
double logreg_accuracy(const int64_t *y_true, const int64_t *y_pred, int64_t n);

/*
 * sklearn f1_score(average="macro"): mean over labels in y_true U y_pred of
 * per-label F1, 0 where precision + recall is 0 (zero_division -> 0).
 * CE_E_NOMEM.
 */
enum ce_status logreg_f1_macro(const int64_t *y_true, const int64_t *y_pred, int64_t n, double *out);

/*
 * sklearn average_precision_score(y_true, y_pred) on hard 0/1 predictions as
 * MTEB calls it (positive label 1; y values must be 0 or 1).
 * With y_pred binary the score is P*R + (1-R)*base where P, R are precision
 * and recall of the predicted positives and base = positive rate.
 * With no positive in y_true sklearn warns and returns a meaningless value;
 * ceval returns 0 there.
 */
double logreg_average_precision_hard(const int64_t *y_true, const int64_t *y_pred, int64_t n);

#endif
