/*
 * test_vmath.c - the vectorised kernels against libm in double precision:
 * exp and erf within 2 ulp of the correctly rounded value over every 17th
 * float of their useful ranges; GELU, softmax and LayerNorm against direct
 * double-precision formulas (torch's definitions).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vmath.h"

/* Distance in ulps between a float result and the exact value ref. */
static double ulp_err(float got, double ref)
{
	float r = (float)ref;
	if (got == r)
		return 0;
	double ulp = fabs((double)nextafterf(r, INFINITY) - (double)r);
	if (ulp == 0 || !isfinite(ulp))
		ulp = fabs((double)r - (double)nextafterf(r, 0));
	return fabs((double)got - ref) / ulp;
}

/* Every `step`-th float between lo and hi (same sign region walked by bit pattern). */
static size_t float_grid(float lo, float hi, uint32_t step, float **out)
{
	size_t cap = 1 << 20, n = 0;
	float *v = malloc(cap * sizeof *v);
	for (float x = lo; x <= hi && n < cap;) {
		v[n++] = x;
		uint32_t u;
		memcpy(&u, &x, 4);
		if (x < 0)
			u = u > step + 0x80000000u ? u - step : 0; /* toward zero */
		else
			u += step;
		memcpy(&x, &u, 4);
	}
	*out = v;
	return n;
}

static void test_vm_erf(void **state)
{
	(void)state;
	float *x;
	double worst = 0;
	float at = 0;
	const float ranges[][2] = {{-6.0f, -1e-30f}, {0.0f, 6.0f}};
	for (int r = 0; r < 2; r++) {
		size_t n = float_grid(ranges[r][0], ranges[r][1], 17, &x);
		float *y = malloc(n * sizeof *y);
		vm_erf(y, x, n);
		for (size_t i = 0; i < n; i++) {
			double e = ulp_err(y[i], erf((double)x[i]));
			if (e > worst) {
				worst = e;
				at = x[i];
			}
		}
		free(y);
		free(x);
	}
	printf("    vm_erf: max error %.2f ulp (at %.9g)\n", worst, at);
	assert_true(worst <= 2.0);
	float special[4] = {0.0f, -0.0f, INFINITY, -INFINITY}, out[4];
	vm_erf(out, special, 4);
	assert_true(out[0] == 0 && out[1] == 0 && out[2] == 1 && out[3] == -1);
}

static void test_vm_exp(void **state)
{
	(void)state;
	float *x;
	size_t n = float_grid(-87.0f, 87.0f, 37, &x);
	float *y = malloc(n * sizeof *y);
	vm_exp(y, x, n);
	double worst = 0;
	float at = 0;
	for (size_t i = 0; i < n; i++) {
		double e = ulp_err(y[i], exp((double)x[i]));
		if (e > worst) {
			worst = e;
			at = x[i];
		}
	}
	printf("    vm_exp: max error %.2f ulp (at %.9g)\n", worst, at);
	assert_true(worst <= 2.0);
	float under[3] = {-100.0f, -INFINITY, 0.0f}, out[3];
	vm_exp(out, under, 3);
	assert_true(out[0] == 0 && out[1] == 0 && out[2] == 1);
	free(x);
	free(y);
}

static void test_vm_gelu_softmax_ln(void **state)
{
	(void)state;
	enum { ROWS = 3, COLS = 37 }; /* odd width exercises the tails */
	float v[ROWS * COLS], bias[COLS], g[COLS], b[COLS], res[COLS], ref[ROWS * COLS];
	srand(7);
	for (int j = 0; j < COLS; j++) {
		bias[j] = (float)rand() / RAND_MAX - 0.5f;
		g[j] = 0.5f + (float)rand() / RAND_MAX;
		b[j] = (float)rand() / RAND_MAX - 0.5f;
		res[j] = 4.0f * ((float)rand() / RAND_MAX - 0.5f);
	}
	for (int i = 0; i < ROWS * COLS; i++)
		v[i] = 12.0f * ((float)rand() / RAND_MAX - 0.5f);
	memcpy(ref, v, sizeof v);
	vm_bias_gelu(v, bias, ROWS, COLS);
	for (int i = 0; i < ROWS * COLS; i++) {
		double a = (double)(ref[i] + bias[i % COLS]);
		double want = 0.5 * a * (1.0 + erf(a / sqrt(2.0)));
		assert_true(fabs(v[i] - want) <= 4e-7 * fmax(1.0, fabs(want)));
	}
	/* softmax over a row with a wide spread; x - max is rounded to float as in torch */
	memcpy(v, ref, sizeof v);
	vm_softmax_row(v, COLS);
	double mx = -INFINITY, s = 0;
	for (int j = 0; j < COLS; j++)
		mx = fmax(mx, ref[j]);
	for (int j = 0; j < COLS; j++)
		s += exp((double)(float)(ref[j] - (float)mx));
	for (int j = 0; j < COLS; j++) {
		double want = exp((double)(float)(ref[j] - (float)mx)) / s;
		assert_true(fabs(v[j] - want) <= 3e-7 * want + 1e-12);
	}
	/* residual + bias + LayerNorm */
	memcpy(v, ref, sizeof v);
	vm_add_layer_norm(v, bias, res, g, b, COLS, 1e-12f);
	double x[COLS], mean = 0, var = 0;
	for (int j = 0; j < COLS; j++) {
		x[j] = (double)(float)((float)(ref[j] + bias[j]) + res[j]);
		mean += x[j];
	}
	mean /= COLS;
	for (int j = 0; j < COLS; j++)
		var += (x[j] - mean) * (x[j] - mean);
	var /= COLS;
	for (int j = 0; j < COLS; j++) {
		double want = (x[j] - mean) / sqrt(var + 1e-12) * g[j] + b[j];
		assert_true(fabs(v[j] - want) <= 1e-6);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_erf),
		cmocka_unit_test(test_vm_exp),
		cmocka_unit_test(test_vm_gelu_softmax_ln),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
