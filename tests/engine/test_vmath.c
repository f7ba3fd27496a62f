/*
 * test_vmath.c - the vectorised kernels against libm in double precision:
 * exp and erf within 2 ulp of the correctly rounded value over every 17th
 * float of their useful ranges; GELU, softmax and LayerNorm against direct
 * double-precision formulas (torch's definitions).  On CPUs with AVX-512F,
 * the AVX-512 path against the AVX2 path: exp, erf and GELU bit for bit over
 * a sweep of all float exponents plus NaN, ±inf, subnormals and the branch
 * points, at every tail length; softmax and LayerNorm to 1 ulp (their double
 * sums are added in another order).
 */
#include <float.h>
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

/* ---- AVX-512 path vs AVX2 path ---- */

static float from_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, 4);
	return f;
}

static uint32_t to_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

/* Inputs for the bit-for-bit checks: the branch points of exp and erf (and,
 * scaled by √2, of GELU's erf argument) with their neighbours, specials,
 * subnormals, every 4099th bit pattern (all exponents, both signs, NaNs) and
 * a smooth grid over [-10, 10].  Returns the count; *out is malloc'd. */
static size_t special_inputs(float **out)
{
	static const float points[] = {0.0f, 1.0f, 2.0f, 3.92f, 4.0f, 1.5f, 3.0f, -87.33654f, 88.0f,
				       -87.0f, -88.0f, 88.5f, 89.0f, -103.0f, -126.0f * 0.6931472f, 0.3465736f,
				       1.0397208f, 10.0f, 5.6568542f, 1.4142135f, 2.8284271f, 5.5437171f};
	size_t cap = 1u << 21, n = 0;
	float *v = malloc(cap * sizeof *v);
	for (size_t p = 0; p < sizeof points / sizeof *points; p++)
		for (int s = 0; s < 2; s++) {
			float c = s ? -points[p] : points[p];
			for (int k = -24; k <= 24; k++) {
				uint32_t u = to_bits(c);
				if ((u & 0x7fffffffu) == 0 && k < 0)
					continue;
				v[n++] = from_bits(u + (uint32_t)k);
			}
		}
	const float specials[] = {NAN, -NAN, INFINITY, -INFINITY, FLT_MAX, -FLT_MAX, FLT_MIN, -FLT_MIN, 0.0f, -0.0f,
				  from_bits(0x00000001u), from_bits(0x80000001u), from_bits(0x007fffffu),
				  from_bits(0x807fffffu), from_bits(0x7fc00001u), from_bits(0xffbfffffu),
				  from_bits(0x7f800001u)};
	for (size_t i = 0; i < sizeof specials / sizeof *specials; i++)
		v[n++] = specials[i];
	for (uint64_t u = 0; u <= 0xffffffffu; u += 4099)
		v[n++] = from_bits((uint32_t)u);
	for (int i = -100000; i <= 100000; i++)
		v[n++] = (float)i * 1e-4f;
	assert_true(n <= cap);
	*out = v;
	return n;
}

#define SENTINEL 12345.0f /* fills what a kernel must not write */

/* Index of the first element whose bits differ, or n. */
static size_t first_diff(const float *a, const float *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (to_bits(a[i]) != to_bits(b[i]))
			return i;
	return n;
}

/* Both paths applied to x[0, n) at every offset/length combination that ends
 * in a partial vector, and once to all of it. */
static void check_map_bits(const char *what, void (*f2)(float *, const float *, size_t),
			   void (*f5)(float *, const float *, size_t), const float *x, size_t n)
{
	float *y2 = malloc(n * sizeof *y2), *y5 = malloc(n * sizeof *y5);
	f2(y2, x, n);
	f5(y5, x, n);
	size_t at = first_diff(y2, y5, n);
	if (at < n)
		fail_msg("%s(%a): avx2 %a, avx512 %a", what, (double)x[at], (double)y2[at], (double)y5[at]);
	/* short arrays: every tail length 0..47, from odd offsets */
	for (size_t len = 0; len < 48; len++)
		for (size_t off = 0; off + len <= n && off < 4000; off += 997) {
			float a[64], b[64];
			for (size_t i = 0; i < 64; i++)
				a[i] = b[i] = SENTINEL;
			f2(a, x + off, len);
			f5(b, x + off, len);
			assert_true(first_diff(a, b, 64) == 64); /* nothing written past len */
			assert_true(first_diff(a, y2 + off, len) == len);
			assert_true(b[len] == SENTINEL);
		}
	free(y2);
	free(y5);
}

static void test_vm_avx512_exp_erf_bits(void **state)
{
	(void)state;
	const struct vm_kernels *k2 = vm_kernels_get(VM_ISA_AVX2), *k5 = vm_kernels_get(VM_ISA_AVX512);
	if (!k2 || !k5)
		skip();
	float *x;
	size_t n = special_inputs(&x);
	if (n % 16 == 0)
		n--; /* keep a tail */
	printf("    %zu inputs\n", n);
	check_map_bits("exp", k2->exp, k5->exp, x, n);
	check_map_bits("erf", k2->erf, k5->erf, x, n);
	/* the dispatching entry points take the AVX-512 path here */
	float *y = malloc(n * sizeof *y), *y5 = malloc(n * sizeof *y5);
	vm_erf(y, x, n);
	k5->erf(y5, x, n);
	assert_true(first_diff(y, y5, n) == n);
	free(y);
	free(y5);
	free(x);
}

static void test_vm_avx512_gelu_bits(void **state)
{
	(void)state;
	const struct vm_kernels *k2 = vm_kernels_get(VM_ISA_AVX2), *k5 = vm_kernels_get(VM_ISA_AVX512);
	if (!k2 || !k5)
		skip();
	float *x;
	size_t n = special_inputs(&x);
	float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), bias[3072 + 5];
	srand(11);
	for (size_t j = 0; j < sizeof bias / sizeof *bias; j++)
		bias[j] = (float)rand() / RAND_MAX - 0.5f;
	/* the whole sweep as one row (a tail at the end), without and with a bias */
	for (int with_bias = 0; with_bias < 2; with_bias++) {
		int32_t cols = with_bias ? 3072 + 5 : (int32_t)(n % 16 ? n : n - 1);
		int32_t rows = with_bias ? (int32_t)(n / (size_t)cols) : 1;
		size_t m = (size_t)rows * (size_t)cols;
		memcpy(a, x, m * sizeof *a);
		memcpy(b, x, m * sizeof *b);
		k2->bias_gelu(a, with_bias ? bias : NULL, rows, cols);
		k5->bias_gelu(b, with_bias ? bias : NULL, rows, cols);
		size_t at = first_diff(a, b, m);
		if (at < m)
			fail_msg("gelu(%a + bias %d): avx2 %a, avx512 %a", (double)x[at], with_bias, (double)a[at],
				 (double)b[at]);
	}
	/* every width 1..40 (tails of both paths), 3 rows each */
	for (int32_t cols = 1; cols <= 40; cols++) {
		size_t m = 3 * (size_t)cols, off = (size_t)cols * 131;
		memcpy(a, x + off, m * sizeof *a);
		memcpy(b, x + off, m * sizeof *b);
		for (size_t i = m; i < m + 16; i++)
			a[i] = b[i] = SENTINEL;
		k2->bias_gelu(a, bias, 3, cols);
		k5->bias_gelu(b, bias, 3, cols);
		assert_true(first_diff(a, b, m + 16) == m + 16);
		assert_true(b[m] == SENTINEL);
	}
	free(a);
	free(b);
	free(x);
}

/* 1 when a and b are equal or adjacent floats of the same sign. */
static double ulp_dist(float a, float b)
{
	if (a == b)
		return 0;
	if (isnan(a) || isnan(b) || (a < 0) != (b < 0))
		return INFINITY;
	uint32_t ua = to_bits(a) & 0x7fffffffu, ub = to_bits(b) & 0x7fffffffu;
	return ua > ub ? ua - ub : ub - ua;
}

static void test_vm_avx512_softmax_ln(void **state)
{
	(void)state;
	const struct vm_kernels *k2 = vm_kernels_get(VM_ISA_AVX2), *k5 = vm_kernels_get(VM_ISA_AVX512);
	if (!k2 || !k5)
		skip();
	enum { NMAX = 1100 };
	float *a = malloc((NMAX + 16) * sizeof *a), *b = malloc((NMAX + 16) * sizeof *b);
	float *src = malloc(NMAX * sizeof *src);
	float *bias = malloc(NMAX * sizeof *bias), *res = malloc(NMAX * sizeof *res);
	float *g = malloc(NMAX * sizeof *g), *beta = malloc(NMAX * sizeof *beta);
	srand(5);
	for (int j = 0; j < NMAX; j++) {
		bias[j] = (float)rand() / RAND_MAX - 0.5f;
		res[j] = 4.0f * ((float)rand() / RAND_MAX - 0.5f);
		g[j] = 0.5f + (float)rand() / RAND_MAX;
		beta[j] = (float)rand() / RAND_MAX - 0.5f;
	}
	double worst_sm = 0, worst_ln = 0;
	for (int32_t n = 1; n <= NMAX; n = n < 80 ? n + 1 : n * 5 / 4) {
		for (int kind = 0; kind < 4; kind++) {
			for (int32_t j = 0; j < n; j++) {
				float u = (float)rand() / RAND_MAX - 0.5f;
				src[j] = kind == 0 ? 8.0f * u : kind == 1 ? 60.0f * u : kind == 2 ? 1.0f : 1e-3f * u;
			}
			if (kind == 3 && n > 2)
				src[n / 2] = -INFINITY; /* a masked score */
			/* softmax: exps are bit-identical, only 1/sum may round differently */
			memcpy(a, src, (size_t)n * sizeof *a);
			memcpy(b, src, (size_t)n * sizeof *b);
			for (int32_t j = n; j < n + 16; j++)
				a[j] = b[j] = SENTINEL;
			k2->softmax_row(a, n);
			k5->softmax_row(b, n);
			for (int32_t j = n; j < n + 16; j++)
				assert_true(a[j] == SENTINEL && b[j] == SENTINEL);
			for (int32_t j = 0; j < n; j++) {
				double d = ulp_dist(a[j], b[j]);
				worst_sm = d > worst_sm ? d : worst_sm;
				if (d > 1)
					fail_msg("softmax n=%d kind %d [%d]: avx2 %a, avx512 %a", n, kind, j,
						 (double)a[j], (double)b[j]);
			}
			memcpy(a, src, (size_t)n * sizeof *a);
			vm_softmax_row(a, n); /* dispatch: the AVX-512 path */
			assert_true(first_diff(a, b, (size_t)n) == (size_t)n);
			/* LayerNorm, with and without bias / residual: the normalised value may
			 * differ by 1 ulp before the fma with g and b, then by its rounding */
			for (int opt = 0; opt < 3; opt++) {
				const float *pb = opt == 1 ? NULL : bias, *pr = opt == 2 ? NULL : res;
				memcpy(a, src, (size_t)n * sizeof *a);
				memcpy(b, src, (size_t)n * sizeof *b);
				if (kind == 3 && n > 2)
					a[n / 2] = b[n / 2] = 0.5f;
				k2->add_layer_norm(a, pb, pr, g, beta, n, 1e-12f);
				k5->add_layer_norm(b, pb, pr, g, beta, n, 1e-12f);
				for (int32_t j = n; j < n + 16; j++)
					assert_true(a[j] == SENTINEL && b[j] == SENTINEL);
				for (int32_t j = 0; j < n; j++) {
					double tol = 1.2e-7 * fabs((double)a[j] - beta[j]) +
						     fabs((double)nextafterf(a[j], INFINITY) - a[j]);
					double d = fabs((double)a[j] - b[j]);
					double r = d / tol;
					worst_ln = r > worst_ln ? r : worst_ln;
					if (d > tol)
						fail_msg("layernorm n=%d kind %d opt %d [%d]: avx2 %a, avx512 %a", n,
							 kind, opt, j, (double)a[j], (double)b[j]);
				}
			}
		}
	}
	printf("    softmax: max %.0f ulp apart; layernorm: max %.2f of the tolerance\n", worst_sm, worst_ln);
	free(a);
	free(b);
	free(src);
	free(bias);
	free(res);
	free(g);
	free(beta);
}

/* vm_scale: every path (this build and CPU) gives the scalar product's bits, tails
 * included, and writes nothing past n */
static void test_vm_scale_paths(void **state)
{
	(void)state;
	enum { NMAX = 600 };
	float src[NMAX], want[NMAX + 16], got[NMAX + 16];
	srand(11);
	for (int j = 0; j < NMAX; j++)
		src[j] = 200.0f * ((float)rand() / RAND_MAX - 0.5f);
	src[3] = -INFINITY; /* a masked score stays -inf */
	src[5] = 1e-38f;    /* subnormal product */
	const float s = 0.125f * 1.0905077f;
	int paths = 0;
	for (int isa = 0; isa < VM_ISA_COUNT; isa++) {
		const struct vm_kernels *k = vm_kernels_get((enum vm_isa)isa);
		if (!k)
			continue;
		paths++;
		for (int32_t n = 0; n <= NMAX; n = n < 40 ? n + 1 : n * 3 / 2) {
			for (int32_t j = 0; j < n + 16; j++)
				want[j] = got[j] = j < n ? src[j] : SENTINEL;
			for (int32_t j = 0; j < n; j++)
				want[j] = src[j] * s;
			k->scale(got, n, s);
			if (memcmp(want, got, (size_t)(n + 16) * sizeof *got) != 0)
				fail_msg("vm_scale path %d n=%d differs from the scalar product", isa, (int)n);
		}
	}
	for (int32_t j = 0; j < 100; j++)
		got[j] = src[j];
	vm_scale(got, 100, s); /* dispatch */
	for (int32_t j = 0; j < 100; j++)
		assert_true(got[j] == src[j] * s || (isnan(got[j]) && isnan(src[j] * s)));
	printf("    vm_scale: %d path(s) bit-identical to the scalar product\n", paths);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vm_erf),
		cmocka_unit_test(test_vm_exp),
		cmocka_unit_test(test_vm_gelu_softmax_ln),
		cmocka_unit_test(test_vm_avx512_exp_erf_bits),
		cmocka_unit_test(test_vm_avx512_gelu_bits),
		cmocka_unit_test(test_vm_avx512_softmax_ln),
		cmocka_unit_test(test_vm_scale_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
