/*
 * m_corr.c - Pearson (scipy.stats.pearsonr) and Spearman (scipy.stats.spearmanr)
 * correlation, reproducing scipy 1.10's operation order.  Dot products and
 * norms go through BLAS (ddot, dnrm2) because numpy/scipy call BLAS there.
 */
#include "metrics.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#include "ce_alloc.h"

static int is_constant(const double *x, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (x[i] != x[0])
			return 0;
	return 1;
}

int metric_is_constant(const double *x, size_t n)
{
	return is_constant(x, n);
}

static double sign(double v)
{
	return (v > 0) - (v < 0);
}

static double clip1(double r)
{
	return r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r;
}

enum ce_status metric_pearson(const double *x, const double *y, size_t n, double *r)
{
	if (n < 2 || n > (size_t)INT32_MAX)
		return CE_E_INVALID_ARG;
	if (is_constant(x, n) || is_constant(y, n)) {
		*r = NAN; /* scipy: ConstantInputWarning, r = nan */
		return CE_OK;
	}
	if (n == 2) {
		*r = sign(x[1] - x[0]) * sign(y[1] - y[0]);
		return CE_OK;
	}
	double *xm = ce_malloc_array(n, sizeof *xm), *ym = ce_malloc_array(n, sizeof *ym);
	if (!xm || !ym) {
		ce_free(xm);
		ce_free(ym);
		return CE_E_NOMEM;
	}
	double xmean = metric_pairwise_sum(x, n) / (double)n;
	double ymean = metric_pairwise_sum(y, n) / (double)n;
	for (size_t i = 0; i < n; i++) {
		xm[i] = x[i] - xmean;
		ym[i] = y[i] - ymean;
	}
	double nx = cblas_dnrm2((int)n, xm, 1), ny = cblas_dnrm2((int)n, ym, 1);
	/* r = dot(xm / |xm|, ym / |ym|) */
	for (size_t i = 0; i < n; i++) {
		xm[i] /= nx;
		ym[i] /= ny;
	}
	*r = clip1(cblas_ddot((int)n, xm, 1, ym, 1));
	ce_free(xm);
	ce_free(ym);
	return CE_OK;
}

struct ranked_val {
	double v;
	size_t idx;
};

static int cmp_val(const void *a, const void *b)
{
	const struct ranked_val *x = a, *y = b;
	if (x->v < y->v)
		return -1;
	if (x->v > y->v)
		return 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

enum ce_status metric_rank_average(const double *x, size_t n, double *rank)
{
	struct ranked_val *s = ce_malloc_array(n ? n : 1, sizeof *s);
	if (!s)
		return CE_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		s[i].v = x[i];
		s[i].idx = i;
	}
	qsort(s, n, sizeof *s, cmp_val);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && s[j].v == s[i].v)
			j++;
		/* ranks i+1 .. j share their mean (exact: a multiple of 1/2) */
		double avg = 0.5 * (double)(i + 1 + j);
		for (size_t m = i; m < j; m++)
			rank[s[m].idx] = avg;
		i = j;
	}
	ce_free(s);
	return CE_OK;
}

enum ce_status metric_spearman(const double *x, const double *y, size_t n, double *rho)
{
	if (n < 2 || n > (size_t)INT32_MAX)
		return CE_E_INVALID_ARG;
	if (is_constant(x, n) || is_constant(y, n)) {
		*rho = NAN;
		return CE_OK;
	}
	double *rx = ce_malloc_array(n, sizeof *rx), *ry = ce_malloc_array(n, sizeof *ry);
	enum ce_status st = CE_E_NOMEM;
	if (!rx || !ry)
		goto out;
	if ((st = metric_rank_average(x, n, rx)) != CE_OK || (st = metric_rank_average(y, n, ry)) != CE_OK)
		goto out;
	/* numpy.corrcoef: cov with ddof 1 (c *= 1/(n-1)), then c[1,0] divided by
	 * stddev[1] and then by stddev[0]. */
	double mx = metric_pairwise_sum(rx, n) / (double)n, my = metric_pairwise_sum(ry, n) / (double)n;
	for (size_t i = 0; i < n; i++) {
		rx[i] -= mx;
		ry[i] -= my;
	}
	double f = 1.0 / (double)(n - 1);
	double cxx = cblas_ddot((int)n, rx, 1, rx, 1) * f;
	double cyy = cblas_ddot((int)n, ry, 1, ry, 1) * f;
	double cyx = cblas_ddot((int)n, ry, 1, rx, 1) * f;
	cyx /= sqrt(cyy);
	cyx /= sqrt(cxx);
	*rho = clip1(cyx);
	st = CE_OK;
out:
	ce_free(rx);
	ce_free(ry);
	return st;
}

/* One term of the modified Lentz recurrence: updates C and D for the
 * partial numerator num and returns the factor C*D of the running value. */
static double lentz_step(double num, double *c, double *d)
{
	const double tiny = 1e-300;
	*d = 1.0 + num * *d;
	if (fabs(*d) < tiny)
		*d = tiny;
	*c = 1.0 + num / *c;
	if (fabs(*c) < tiny)
		*c = tiny;
	*d = 1.0 / *d;
	return *d * *c;
}


/* continued fraction of I_x(a, b) (the factor x^a (1-x)^b / (a B(a, b)) left out), modified Lentz */
static double betainc_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-16;
	double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	double f = d;
	for (int m = 1; m <= 1000; m++) {
		double m2 = 2.0 * m;
		/* even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)) */
		double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
		f *= lentz_step(num, &c, &d);
		/* odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)) */
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
		double step = lentz_step(num, &c, &d);
		f *= step;
		if (fabs(step - 1.0) < eps)
			break;
	}
	return f;
}

double metric_betainc(double a, double b, double x)
{
	if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1))
		return NAN;
	if (x == 0 || x == 1)
		return x;
	double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1.0) / (a + b + 2.0))
		return exp(lfront) * betainc_cf(a, b, x) / a;
	/* I_x(a, b) = 1 - I_{1-x}(b, a) */
	return 1.0 - exp(lfront) * betainc_cf(b, a, 1.0 - x) / b;
}

double metric_corr_pvalue(double r, size_t n)
{
	if (n < 2 || isnan(r))
		return NAN;
	if (n == 2)
		return 1.0;
	if (fabs(r) >= 1.0)
		return 0.0;
	double df = (double)(n - 2);
	/* df / (df + t^2) with t^2 = r^2 df / (1 - r^2) is 1 - r^2 */
	return metric_betainc(df / 2.0, 0.5, 1.0 - r * r);
}
