/*
 * logreg.c - sklearn 1.2.1 LogisticRegression(lbfgs) on top of a port of the
 * unconstrained path of scipy's L-BFGS-B 3.0 (see logreg.h).
 *
 * Sections: objective (sklearn LinearModelLoss + HalfBinomial/HalfMultinomial
 * loss), L-BFGS-B (compact limited-memory matrix, direct subspace step,
 * dcsrch line search, scipy driver's iteration limit), fit/predict.
 */
#include "logreg.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "np_sum.h"
#include "sorted_i64.h"

void logreg_params_default(struct logreg_params *p)
{
	p->max_iter = 100;
	p->C = 1.0;
	p->tol = 1e-4;
}

/* ================================================================ objective */

struct lr_problem {
	const double *x; /* n * dim */
	int64_t n;
	int32_t dim;
	int32_t k;       /* classes; 2 = binary loss */
	const int32_t *yi; /* encoded labels 0..k-1 */
	double l2;       /* 1 / C */
	double *raw;     /* n * kk scratch (kk = 1 binary, k otherwise) */
	double *gp;      /* n * kk pointwise gradients */
	double *loss;    /* n pointwise losses */
};

/*
 * Binary: sklearn HalfBinomialLoss closed forms (branches at 0, 18 and -37
 * as in sklearn's _loss.pyx), y in {0,1}, w = [coef, intercept].
 */
static void lr_binary(struct lr_problem *pb, const double *w, double *f, double *g)
{
	int32_t d = pb->dim;
	for (int64_t i = 0; i < pb->n; i++) {
		const double *xi = pb->x + i * d;
		double s = 0.0;
		for (int32_t j = 0; j < d; j++)
			s += xi[j] * w[j];
		double r = s + w[d];
		double y = (double)pb->yi[i];
		double e, l, gr;
		if (r <= 0.0) {
			e = exp(r);
			l = (r <= -37.0 ? e : log1p(e)) - y * r;
			gr = ((1.0 - y) * e - y) / (1.0 + e);
		} else {
			e = exp(-r);
			l = (r <= 18.0 ? log1p(e) : e) + (1.0 - y) * r;
			gr = ((1.0 - y) - y * e) / (1.0 + e);
		}
		pb->loss[i] = l;
		pb->gp[i] = gr;
	}
	double ww = 0.0;
	for (int32_t j = 0; j < d; j++)
		ww += w[j] * w[j];
	*f = np_sum_f64(pb->loss, (size_t)pb->n, 1) + 0.5 * pb->l2 * ww;
	for (int32_t j = 0; j < d; j++) {
		double s = 0.0;
		for (int64_t i = 0; i < pb->n; i++)
			s += pb->x[i * d + j] * pb->gp[i];
		g[j] = s + pb->l2 * w[j];
	}
	g[d] = np_sum_f64(pb->gp, (size_t)pb->n, 1);
}

/*
 * Multinomial: w is the (k, dim+1) matrix in Fortran order (w[j*k + c]),
 * as sklearn ravels it; loss_i = logsumexp(raw_i) - raw_i[y_i] computed with
 * the max shift of sklearn's HalfMultinomialLoss.
 */
static void lr_multi(struct lr_problem *pb, const double *w, double *f, double *g)
{
	int32_t d = pb->dim, k = pb->k;
	for (int64_t i = 0; i < pb->n; i++) {
		const double *xi = pb->x + i * d;
		double *ri = pb->raw + i * k;
		for (int32_t c = 0; c < k; c++) {
			double s = 0.0;
			for (int32_t j = 0; j < d; j++)
				s += xi[j] * w[(int64_t)j * k + c];
			ri[c] = s + w[(int64_t)d * k + c];
		}
		double mx = ri[0];
		for (int32_t c = 1; c < k; c++)
			if (mx < ri[c])
				mx = ri[c];
		double *pi = pb->gp + i * k;
		double se = 0.0;
		for (int32_t c = 0; c < k; c++) {
			pi[c] = exp(ri[c] - mx);
			se += pi[c];
		}
		double l = log(se) + mx;
		for (int32_t c = 0; c < k; c++) {
			if (pb->yi[i] == c)
				l -= ri[c];
			pi[c] /= se;
			pi[c] = pi[c] - (pb->yi[i] == c ? 1.0 : 0.0);
		}
		pb->loss[i] = l;
	}
	double ww = 0.0;
	for (int32_t j = 0; j < d; j++)
		for (int32_t c = 0; c < k; c++)
			ww += w[(int64_t)j * k + c] * w[(int64_t)j * k + c];
	*f = np_sum_f64(pb->loss, (size_t)pb->n, 1) + 0.5 * pb->l2 * ww;
	for (int32_t c = 0; c < k; c++) {
		for (int32_t j = 0; j < d; j++) {
			double s = 0.0;
			for (int64_t i = 0; i < pb->n; i++)
				s += pb->gp[i * k + c] * pb->x[i * d + j];
			g[(int64_t)j * k + c] = s + pb->l2 * w[(int64_t)j * k + c];
		}
		double s = 0.0; /* sum over axis 0: sequential, as numpy */
		for (int64_t i = 0; i < pb->n; i++)
			s += pb->gp[i * k + c];
		g[(int64_t)d * k + c] = s;
	}
}

static void lr_eval(struct lr_problem *pb, const double *w, double *f, double *g)
{
	if (pb->k == 2)
		lr_binary(pb, w, f, g);
	else
		lr_multi(pb, w, f, g);
}

/* ================================================================ L-BFGS-B */

#define LB_M 10
#define LB_MAXLS 20
#define LB_FACTR 1e7 /* scipy default ftol 2.22e-9 / DBL_EPSILON */

static double vdot(const double *a, const double *b, int64_t n)
{
	double s = 0.0;
	for (int64_t i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/* LINPACK dpofa on the leading n x n upper triangle of a (column-major, lda). 0 ok, else failing column. */
static int dpofa(double *a, int lda, int n)
{
#define A(i, j) a[(size_t)((j) - 1) * (size_t)lda + (size_t)((i) - 1)]
	for (int j = 1; j <= n; j++) {
		double s = 0.0;
		for (int k = 1; k <= j - 1; k++) {
			double dk = 0.0;
			for (int q = 1; q <= k - 1; q++)
				dk += A(q, k) * A(q, j);
			double t = A(k, j) - dk;
			t = t / A(k, k);
			A(k, j) = t;
			s = s + t * t;
		}
		s = A(j, j) - s;
		if (s <= 0.0)
			return j;
		A(j, j) = sqrt(s);
	}
	return 0;
#undef A
}

/* LINPACK dtrsl for upper-triangular t: trans = 1 solves t' x = b, 0 solves t x = b. */
static int dtrsl_upper(const double *t, int ldt, int n, double *b, int trans)
{
#define T(i, j) t[(size_t)((j) - 1) * (size_t)ldt + (size_t)((i) - 1)]
	for (int i = 1; i <= n; i++)
		if (T(i, i) == 0.0)
			return i;
	if (trans) {
		b[0] = b[0] / T(1, 1);
		for (int j = 2; j <= n; j++) {
			double s = 0.0;
			for (int q = 1; q <= j - 1; q++)
				s += T(q, j) * b[q - 1];
			b[j - 1] = b[j - 1] - s;
			b[j - 1] = b[j - 1] / T(j, j);
		}
	} else {
		b[n - 1] = b[n - 1] / T(n, n);
		for (int jj = 2; jj <= n; jj++) {
			int j = n - jj + 1;
			double tmp = -b[j];
			for (int q = 1; q <= j; q++)
				b[q - 1] += tmp * T(q, j + 1);
			b[j - 1] = b[j - 1] / T(j, j);
		}
	}
	return 0;
#undef T
}

/* MINPACK-2 dcstep: safeguarded cubic/quadratic step and interval update. */
static void dcstep(double *stx, double *fx, double *dx, double *sty, double *fy, double *dy, double *stp,
		   double fp, double dp, int *brackt, double stpmin, double stpmax)
{
	double sgnd = dp * (*dx / fabs(*dx));
	double theta, s, gamma, p, q, r, stpc, stpq, stpf;
	if (fp > *fx) {
		theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
		s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
		gamma = s * sqrt((theta / s) * (theta / s) - (*dx / s) * (dp / s));
		if (*stp < *stx)
			gamma = -gamma;
		p = (gamma - *dx) + theta;
		q = ((gamma - *dx) + gamma) + dp;
		r = p / q;
		stpc = *stx + r * (*stp - *stx);
		stpq = *stx + ((*dx / ((*fx - fp) / (*stp - *stx) + *dx)) / 2.0) * (*stp - *stx);
		if (fabs(stpc - *stx) < fabs(stpq - *stx))
			stpf = stpc;
		else
			stpf = stpc + (stpq - stpc) / 2.0;
		*brackt = 1;
	} else if (sgnd < 0.0) {
		theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
		s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
		gamma = s * sqrt((theta / s) * (theta / s) - (*dx / s) * (dp / s));
		if (*stp > *stx)
			gamma = -gamma;
		p = (gamma - dp) + theta;
		q = ((gamma - dp) + gamma) + *dx;
		r = p / q;
		stpc = *stp + r * (*stx - *stp);
		stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
		if (fabs(stpc - *stp) > fabs(stpq - *stp))
			stpf = stpc;
		else
			stpf = stpq;
		*brackt = 1;
	} else if (fabs(dp) < fabs(*dx)) {
		theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
		s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
		gamma = s * sqrt(fmax(0.0, (theta / s) * (theta / s) - (*dx / s) * (dp / s)));
		if (*stp > *stx)
			gamma = -gamma;
		p = (gamma - dp) + theta;
		q = (gamma + (*dx - dp)) + gamma;
		r = p / q;
		if (r < 0.0 && gamma != 0.0)
			stpc = *stp + r * (*stx - *stp);
		else if (*stp > *stx)
			stpc = stpmax;
		else
			stpc = stpmin;
		stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
		if (*brackt) {
			stpf = fabs(stpc - *stp) < fabs(stpq - *stp) ? stpc : stpq;
			if (*stp > *stx)
				stpf = fmin(*stp + 0.66 * (*sty - *stp), stpf);
			else
				stpf = fmax(*stp + 0.66 * (*sty - *stp), stpf);
		} else {
			stpf = fabs(stpc - *stp) > fabs(stpq - *stp) ? stpc : stpq;
			stpf = fmin(stpmax, stpf);
			stpf = fmax(stpmin, stpf);
		}
	} else {
		if (*brackt) {
			theta = 3.0 * (fp - *fy) / (*sty - *stp) + *dy + dp;
			s = fmax(fabs(theta), fmax(fabs(*dy), fabs(dp)));
			gamma = s * sqrt((theta / s) * (theta / s) - (*dy / s) * (dp / s));
			if (*stp > *sty)
				gamma = -gamma;
			p = (gamma - dp) + theta;
			q = ((gamma - dp) + gamma) + *dy;
			r = p / q;
			stpc = *stp + r * (*sty - *stp);
			stpf = stpc;
		} else if (*stp > *stx) {
			stpf = stpmax;
		} else {
			stpf = stpmin;
		}
	}
	if (fp > *fx) {
		*sty = *stp;
		*fy = fp;
		*dy = dp;
	} else {
		if (sgnd < 0.0) {
			*sty = *stx;
			*fy = *fx;
			*dy = *dx;
		}
		*stx = *stp;
		*fx = fp;
		*dx = dp;
	}
	*stp = stpf;
}

enum ls_task { LS_FG, LS_CONV, LS_WARN };

/* MINPACK-2 dcsrch state (More-Thuente line search). */
struct dcsrch {
	int brackt, stage;
	double ginit, gtest, gx, gy, finit, fx, fy, stx, sty, stmin, stmax, width, width1;
	double ftol, gtol, xtol, stpmin, stpmax;
};

static void dcsrch_start(struct dcsrch *s, double f, double g, double stp)
{
	s->brackt = 0;
	s->stage = 1;
	s->finit = f;
	s->ginit = g;
	s->gtest = s->ftol * s->ginit;
	s->width = s->stpmax - s->stpmin;
	s->width1 = s->width / 0.5;
	s->stx = 0.0;
	s->fx = s->finit;
	s->gx = s->ginit;
	s->sty = 0.0;
	s->fy = s->finit;
	s->gy = s->ginit;
	s->stmin = 0.0;
	s->stmax = stp + 4.0 * stp;
}

static enum ls_task dcsrch_step(struct dcsrch *s, double f, double g, double *stp)
{
	double ftest = s->finit + *stp * s->gtest;
	if (s->stage == 1 && f <= ftest && g >= 0.0)
		s->stage = 2;
	enum ls_task task = LS_FG;
	if (s->brackt && (*stp <= s->stmin || *stp >= s->stmax))
		task = LS_WARN;
	if (s->brackt && s->stmax - s->stmin <= s->xtol * s->stmax)
		task = LS_WARN;
	if (*stp == s->stpmax && f <= ftest && g <= s->gtest)
		task = LS_WARN;
	if (*stp == s->stpmin && (f > ftest || g >= s->gtest))
		task = LS_WARN;
	if (f <= ftest && fabs(g) <= s->gtol * (-s->ginit))
		task = LS_CONV;
	if (task != LS_FG)
		return task;
	if (s->stage == 1 && f <= s->fx && f > ftest) {
		double fm = f - *stp * s->gtest;
		double fxm = s->fx - s->stx * s->gtest, fym = s->fy - s->sty * s->gtest;
		double gm = g - s->gtest, gxm = s->gx - s->gtest, gym = s->gy - s->gtest;
		dcstep(&s->stx, &fxm, &gxm, &s->sty, &fym, &gym, stp, fm, gm, &s->brackt, s->stmin, s->stmax);
		s->fx = fxm + s->stx * s->gtest;
		s->fy = fym + s->sty * s->gtest;
		s->gx = gxm + s->gtest;
		s->gy = gym + s->gtest;
	} else {
		dcstep(&s->stx, &s->fx, &s->gx, &s->sty, &s->fy, &s->gy, stp, f, g, &s->brackt, s->stmin, s->stmax);
	}
	if (s->brackt) {
		if (fabs(s->sty - s->stx) >= 0.66 * s->width1)
			*stp = s->stx + 0.5 * (s->sty - s->stx);
		s->width1 = s->width;
		s->width = fabs(s->sty - s->stx);
	}
	if (s->brackt) {
		s->stmin = fmin(s->stx, s->sty);
		s->stmax = fmax(s->stx, s->sty);
	} else {
		s->stmin = *stp + 1.1 * (*stp - s->stx);
		s->stmax = *stp + 4.0 * (*stp - s->stx);
	}
	*stp = fmax(*stp, s->stpmin);
	*stp = fmin(*stp, s->stpmax);
	if ((s->brackt && (*stp <= s->stmin || *stp >= s->stmax)) ||
	    (s->brackt && s->stmax - s->stmin <= s->xtol * s->stmax))
		*stp = s->stx;
	return LS_FG;
}

struct lbfgsb {
	int64_t n;
	double *ws, *wy;    /* n x m, column j = correction j (1-based slots) */
	double sy[LB_M * LB_M], ss[LB_M * LB_M], wt[LB_M * LB_M];
	double wn[4 * LB_M * LB_M], wn1[4 * LB_M * LB_M];
	double *z, *r, *d, *t, *g;
	double wv[2 * LB_M];
	int col, head, itail, iupdat, updatd;
	double theta;
};

/* 1-based accessors on column-major arrays, as the Fortran reference lays them out. */
#define WS(s, i, j) (s)->ws[(size_t)((j) - 1) * (size_t)(s)->n + (size_t)((i) - 1)]
#define WY(s, i, j) (s)->wy[(size_t)((j) - 1) * (size_t)(s)->n + (size_t)((i) - 1)]
#define SY(s, i, j) (s)->sy[((j) - 1) * LB_M + ((i) - 1)]
#define SS(s, i, j) (s)->ss[((j) - 1) * LB_M + ((i) - 1)]
#define WT(s, i, j) (s)->wt[((j) - 1) * LB_M + ((i) - 1)]
#define WN(s, i, j) (s)->wn[((j) - 1) * 2 * LB_M + ((i) - 1)]
#define WN1(s, i, j) (s)->wn1[((j) - 1) * 2 * LB_M + ((i) - 1)]

static void lb_reset(struct lbfgsb *s)
{
	s->col = 0;
	s->head = 1;
	s->theta = 1.0;
	s->iupdat = 0;
	s->updatd = 0;
}

/* formk with every variable free (no bounds): the LEL' factorisation of the middle matrix. */
static int lb_formk(struct lbfgsb *s)
{
	int m = LB_M, col = s->col, head = s->head;
	int64_t n = s->n;
	int upcl;
	if (s->updatd) {
		if (s->iupdat > m) {
			/* shift old part of WN1 (column copies as in the reference) */
			for (int jy = 1; jy <= m - 1; jy++) {
				int js = m + jy;
				for (int q = 0; q < m - jy; q++)
					WN1(s, jy + q, jy) = WN1(s, jy + 1 + q, jy + 1);
				for (int q = 0; q < m - jy; q++)
					WN1(s, js + q, js) = WN1(s, js + 1 + q, js + 1);
				for (int q = 0; q < m - 1; q++)
					WN1(s, m + 1 + q, jy) = WN1(s, m + 2 + q, jy + 1);
			}
		}
		int iy = col, is = m + col;
		int ipntr = head + col - 1;
		if (ipntr > m)
			ipntr -= m;
		int jpntr = head;
		for (int jy = 1; jy <= col; jy++) {
			int js = m + jy;
			double t1 = 0.0;
			for (int64_t k = 1; k <= n; k++)
				t1 += WY(s, k, ipntr) * WY(s, k, jpntr);
			WN1(s, iy, jy) = t1;
			WN1(s, is, js) = 0.0; /* S'AA'S: no active variables */
			WN1(s, is, jy) = 0.0; /* L_a */
			jpntr = jpntr % m + 1;
		}
		int jy = col;
		jpntr = head + col - 1;
		if (jpntr > m)
			jpntr -= m;
		ipntr = head;
		for (int i = 1; i <= col; i++) {
			int is2 = m + i;
			double t3 = 0.0;
			for (int64_t k = 1; k <= n; k++)
				t3 += WS(s, k, ipntr) * WY(s, k, jpntr);
			ipntr = ipntr % m + 1;
			WN1(s, is2, jy) = t3;
		}
		upcl = col - 1;
	} else {
		upcl = col;
	}
	(void)upcl; /* no variable enters or leaves the free set */
	for (int iy = 1; iy <= col; iy++) {
		int is = col + iy, is1 = m + iy;
		for (int jy = 1; jy <= iy; jy++) {
			int js = col + jy, js1 = m + jy;
			WN(s, jy, iy) = WN1(s, iy, jy) / s->theta;
			WN(s, js, is) = WN1(s, is1, js1) * s->theta;
		}
		for (int jy = 1; jy <= iy - 1; jy++)
			WN(s, jy, is) = -WN1(s, is1, jy);
		for (int jy = iy; jy <= col; jy++)
			WN(s, jy, is) = WN1(s, is1, jy);
		WN(s, iy, iy) = WN(s, iy, iy) + SY(s, iy, iy);
	}
	if (dpofa(s->wn, 2 * m, col) != 0)
		return -1;
	for (int js = col + 1; js <= 2 * col; js++)
		if (dtrsl_upper(s->wn, 2 * m, col, &WN(s, 1, js), 1) != 0)
			return -1;
	for (int is = col + 1; is <= 2 * col; is++)
		for (int js = is; js <= 2 * col; js++) {
			double dd = 0.0;
			for (int q = 1; q <= col; q++)
				dd += WN(s, q, is) * WN(s, q, js);
			WN(s, is, js) = WN(s, is, js) + dd;
		}
	if (dpofa(&WN(s, col + 1, col + 1), 2 * m, col) != 0)
		return -2;
	return 0;
}

/* subsm for the unconstrained case: z = x + d with d = -(B^-1) g via the compact form. */
static int lb_subsm(struct lbfgsb *s, const double *x)
{
	int m = LB_M, col = s->col;
	int64_t n = s->n;
	double *d = s->r; /* r = -g on entry (cmprlb) */
	int pointr = s->head;
	for (int i = 1; i <= col; i++) {
		double t1 = 0.0, t2 = 0.0;
		for (int64_t j = 1; j <= n; j++) {
			t1 += WY(s, j, pointr) * d[j - 1];
			t2 += WS(s, j, pointr) * d[j - 1];
		}
		s->wv[i - 1] = t1;
		s->wv[col + i - 1] = s->theta * t2;
		pointr = pointr % m + 1;
	}
	if (dtrsl_upper(s->wn, 2 * m, 2 * col, s->wv, 1) != 0)
		return -1;
	for (int i = 0; i < col; i++)
		s->wv[i] = -s->wv[i];
	if (dtrsl_upper(s->wn, 2 * m, 2 * col, s->wv, 0) != 0)
		return -1;
	pointr = s->head;
	for (int jy = 1; jy <= col; jy++) {
		int js = col + jy;
		for (int64_t i = 1; i <= n; i++)
			d[i - 1] = d[i - 1] + WY(s, i, pointr) * s->wv[jy - 1] / s->theta + WS(s, i, pointr) * s->wv[js - 1];
		pointr = pointr % m + 1;
	}
	double sc = 1.0 / s->theta;
	for (int64_t i = 0; i < n; i++)
		d[i] *= sc;
	for (int64_t i = 0; i < n; i++)
		s->z[i] = x[i] + d[i];
	return 0;
}

static void lb_matupd(struct lbfgsb *s, double rr, double dr, double stp, double dtd)
{
	int m = LB_M;
	int64_t n = s->n;
	if (s->iupdat <= m) {
		s->col = s->iupdat;
		s->itail = (s->head + s->iupdat - 2) % m + 1;
	} else {
		s->itail = s->itail % m + 1;
		s->head = s->head % m + 1;
	}
	memcpy(&WS(s, 1, s->itail), s->d, (size_t)n * sizeof(double));
	memcpy(&WY(s, 1, s->itail), s->r, (size_t)n * sizeof(double));
	s->theta = rr / dr;
	int col = s->col;
	if (s->iupdat > m) {
		for (int j = 1; j <= col - 1; j++) {
			for (int q = 0; q < j; q++)
				SS(s, 1 + q, j) = SS(s, 2 + q, j + 1);
			for (int q = 0; q < col - j; q++)
				SY(s, j + q, j) = SY(s, j + 1 + q, j + 1);
		}
	}
	int pointr = s->head;
	for (int j = 1; j <= col - 1; j++) {
		SY(s, col, j) = vdot(s->d, &WY(s, 1, pointr), n);
		SS(s, j, col) = vdot(&WS(s, 1, pointr), s->d, n);
		pointr = pointr % m + 1;
	}
	SS(s, col, col) = stp == 1.0 ? dtd : stp * stp * dtd;
	SY(s, col, col) = dr;
}

static int lb_formt(struct lbfgsb *s)
{
	int col = s->col;
	for (int j = 1; j <= col; j++)
		WT(s, 1, j) = s->theta * SS(s, 1, j);
	for (int i = 2; i <= col; i++)
		for (int j = i; j <= col; j++) {
			int k1 = (i < j ? i : j) - 1;
			double dd = 0.0;
			for (int k = 1; k <= k1; k++)
				dd = dd + SY(s, i, k) * SY(s, j, k) / SY(s, k, k);
			WT(s, i, j) = dd + s->theta * SS(s, i, j);
		}
	return dpofa(s->wt, LB_M, col);
}

static double inf_norm(const double *g, int64_t n)
{
	double m = 0.0;
	for (int64_t i = 0; i < n; i++)
		m = fmax(m, fabs(g[i]));
	return m;
}

/*
 * Minimise pb's objective from w (in: start, out: result) as
 * scipy.optimize.minimize(method="L-BFGS-B", jac=True, options={gtol, maxiter})
 * does with no bounds.  Returns the iteration count; *converged as scipy's
 * warnflag == 0.
 */
static int64_t lbfgsb_run(struct lr_problem *pb, struct lbfgsb *s, double *x, int32_t maxiter, double pgtol,
			  int *converged)
{
	int64_t n = s->n;
	const double epsmch = DBL_EPSILON, tol = LB_FACTR * DBL_EPSILON;
	double f, fold = 0.0, gd = 0.0, gdold = 0.0, stp = 0.0, dtd = 0.0;
	double *g = s->g;
	int64_t iter = 0, n_iterations = 0;
	*converged = 0;
	lb_reset(s);
	s->itail = 0;
	lr_eval(pb, x, &f, g);
	if (inf_norm(g, n) <= pgtol) {
		*converged = 1;
		return 0;
	}
	for (;;) {
		/* ---- search direction (222 .. 555) */
		if (s->col > 0) {
			int wrk = s->updatd;
			if (wrk && lb_formk(s) != 0) {
				lb_reset(s);
				continue;
			}
			for (int64_t i = 0; i < n; i++)
				s->r[i] = -g[i];
			if (lb_subsm(s, x) != 0) {
				lb_reset(s);
				continue;
			}
		} else {
			/* generalized Cauchy point with B = theta*I and no breakpoints */
			double f1 = 0.0;
			for (int64_t i = 0; i < n; i++) {
				double neggi = -g[i];
				s->d[i] = neggi;
				f1 = f1 - neggi * neggi;
			}
			double f2 = -s->theta * f1;
			double dtm = -f1 / f2;
			if (dtm <= 0.0)
				dtm = 0.0;
			double tsum = 0.0 + dtm;
			for (int64_t i = 0; i < n; i++)
				s->z[i] = x[i] + tsum * s->d[i];
		}
		for (int64_t i = 0; i < n; i++)
			s->d[i] = s->z[i] - x[i];

		/* ---- line search (lnsrlb + dcsrch) */
		dtd = vdot(s->d, s->d, n);
		double dnorm = sqrt(dtd);
		double stpmx = 1e10;
		stp = iter == 0 ? fmin(1.0 / dnorm, stpmx) : 1.0;
		memcpy(s->t, x, (size_t)n * sizeof *x);
		memcpy(s->r, g, (size_t)n * sizeof *g);
		fold = f;
		int ifun = 0, iback = 0, failed = 0;
		struct dcsrch ls = {.ftol = 1e-3, .gtol = 0.9, .xtol = 0.1, .stpmin = 0.0, .stpmax = stpmx};
		for (;;) {
			gd = vdot(g, s->d, n);
			if (ifun == 0) {
				gdold = gd;
				if (gd >= 0.0) {
					failed = 1; /* ascent direction: info = -4 */
					break;
				}
				dcsrch_start(&ls, f, gd, stp);
			} else if (dcsrch_step(&ls, f, gd, &stp) != LS_FG) {
				break;
			}
			ifun++;
			iback = ifun - 1;
			if (stp == 1.0)
				memcpy(x, s->z, (size_t)n * sizeof *x);
			else
				for (int64_t i = 0; i < n; i++)
					x[i] = stp * s->d[i] + s->t[i];
			if (iback >= LB_MAXLS) {
				failed = 1;
				break;
			}
			lr_eval(pb, x, &f, g);
		}
		if (failed) {
			memcpy(x, s->t, (size_t)n * sizeof *x);
			memcpy(g, s->r, (size_t)n * sizeof *g);
			f = fold;
			if (s->col == 0)
				return n_iterations; /* ABNORMAL_TERMINATION_IN_LNSRCH */
			lb_reset(s);
			continue;
		}

		/* ---- NEW_X: scipy's driver counts the iteration and applies maxiter */
		iter++;
		double sbgnrm = inf_norm(g, n);
		n_iterations++;
		if (n_iterations >= maxiter)
			return n_iterations;
		if (sbgnrm <= pgtol) {
			*converged = 1;
			return n_iterations;
		}
		double ddum = fmax(fabs(fold), fmax(fabs(f), 1.0));
		if (fold - f <= tol * ddum) {
			*converged = 1;
			return n_iterations;
		}

		/* ---- limited-memory update */
		for (int64_t i = 0; i < n; i++)
			s->r[i] = g[i] - s->r[i];
		double rr = vdot(s->r, s->r, n), dr;
		if (stp == 1.0) {
			dr = gd - gdold;
			ddum = -gdold;
		} else {
			dr = (gd - gdold) * stp;
			for (int64_t i = 0; i < n; i++)
				s->d[i] *= stp;
			ddum = -gdold * stp;
		}
		if (dr <= epsmch * ddum) {
			s->updatd = 0;
			continue;
		}
		s->updatd = 1;
		s->iupdat++;
		lb_matupd(s, rr, dr, stp, dtd);
		if (lb_formt(s) != 0)
			lb_reset(s);
	}
}

/* ================================================================ fit / predict */

void logreg_model_deinit(struct logreg_model *m)
{
	if (!m)
		return;
	ce_free(m->classes);
	ce_free(m->coef);
	ce_free(m->intercept);
	memset(m, 0, sizeof *m);
}

enum ce_status logreg_fit(const double *x, int64_t n, int32_t dim, const int64_t *y, const struct logreg_params *p,
			  struct logreg_model *model)
{
	memset(model, 0, sizeof *model);
	if (n < 1 || dim < 1 || p->max_iter < 1 || !(p->C > 0.0) || !(p->tol >= 0.0))
		return CE_E_INVALID_ARG;
	enum ce_status st = CE_E_NOMEM;
	struct lr_problem pb = {.x = x, .n = n, .dim = dim, .l2 = 1.0 / p->C};
	struct lbfgsb s = {0};
	int32_t *yi = NULL;
	double *w = NULL;
	int64_t *cls = ce_malloc_array((size_t)n, sizeof *cls);
	if (!cls)
		goto out;
	memcpy(cls, y, (size_t)n * sizeof *cls);
	int64_t k = (int64_t)sorted_i64_unique(cls, (size_t)n);
	if (k < 2 || k > INT32_MAX / 2) {
		st = CE_E_INVALID_ARG;
		goto out;
	}
	model->classes = cls;
	cls = NULL;
	model->n_classes = (int32_t)k;
	model->n_rows = k == 2 ? 1 : (int32_t)k;
	model->dim = dim;
	pb.k = (int32_t)k;
	int64_t kk = model->n_rows;
	int64_t nvar = kk * ((int64_t)dim + 1);

	yi = ce_malloc_array((size_t)n, sizeof *yi);
	pb.raw = ce_malloc_array((size_t)(n * kk), sizeof *pb.raw);
	pb.gp = ce_malloc_array((size_t)(n * kk), sizeof *pb.gp);
	pb.loss = ce_malloc_array((size_t)n, sizeof *pb.loss);
	w = ce_calloc((size_t)nvar, sizeof *w);
	s.n = nvar;
	s.ws = ce_calloc((size_t)nvar * LB_M, sizeof *s.ws);
	s.wy = ce_calloc((size_t)nvar * LB_M, sizeof *s.wy);
	s.z = ce_malloc_array((size_t)nvar, sizeof *s.z);
	s.r = ce_malloc_array((size_t)nvar, sizeof *s.r);
	s.d = ce_malloc_array((size_t)nvar, sizeof *s.d);
	s.t = ce_malloc_array((size_t)nvar, sizeof *s.t);
	s.g = ce_malloc_array((size_t)nvar, sizeof *s.g);
	model->coef = ce_malloc_array((size_t)(kk * dim), sizeof *model->coef);
	model->intercept = ce_malloc_array((size_t)kk, sizeof *model->intercept);
	if (!yi || !pb.raw || !pb.gp || !pb.loss || !w || !s.ws || !s.wy || !s.z || !s.r || !s.d || !s.t || !s.g ||
	    !model->coef || !model->intercept)
		goto out;
	for (int64_t i = 0; i < n; i++)
		yi[i] = (int32_t)sorted_i64_find(model->classes, (size_t)k, y[i]);
	pb.yi = yi;

	int conv;
	model->n_iter = (int32_t)lbfgsb_run(&pb, &s, w, p->max_iter, p->tol, &conv);
	model->converged = conv;
	if (k == 2) {
		memcpy(model->coef, w, (size_t)dim * sizeof *w);
		model->intercept[0] = w[dim];
	} else {
		for (int64_t c = 0; c < k; c++) {
			for (int32_t j = 0; j < dim; j++)
				model->coef[c * dim + j] = w[(int64_t)j * k + c];
			model->intercept[c] = w[(int64_t)dim * k + c];
		}
	}
	st = CE_OK;
out:
	ce_free(cls);
	ce_free(yi);
	ce_free(pb.raw);
	ce_free(pb.gp);
	ce_free(pb.loss);
	ce_free(w);
	ce_free(s.ws);
	ce_free(s.wy);
	ce_free(s.z);
	ce_free(s.r);
	ce_free(s.d);
	ce_free(s.t);
	ce_free(s.g);
	if (st != CE_OK)
		logreg_model_deinit(model);
	return st;
}

void logreg_predict(const struct logreg_model *m, const double *x, int64_t n, int64_t *pred)
{
	int32_t d = m->dim;
	for (int64_t i = 0; i < n; i++) {
		const double *xi = x + i * d;
		int32_t best = 0;
		double best_v = 0.0;
		for (int32_t c = 0; c < m->n_rows; c++) {
			double s = 0.0;
			for (int32_t j = 0; j < d; j++)
				s += xi[j] * m->coef[(int64_t)c * d + j];
			s += m->intercept[c];
			if (c == 0 || s > best_v) {
				best_v = s;
				best = c;
			}
		}
		if (m->n_rows == 1)
			best = best_v > 0.0 ? 1 : 0;
		pred[i] = m->classes[best];
	}
}
