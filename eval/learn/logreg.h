/*
 * logreg.h - sklearn 1.2.1 LogisticRegression(max_iter=100, C=1, lbfgs) for
 * the classification evaluator (evaluation spec section 6.3).  The
 * per-experiment metrics MTEB reports are in metrics.h (m_classif.c).
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

#endif
