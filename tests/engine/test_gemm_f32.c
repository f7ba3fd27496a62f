/*
 * test_gemm_f32.c - ceval's fp32 linear layer (engine/gemm_f32.h: AVX-512F
 * on x86-64, NEON on AArch64, where tests/portability.sh runs it under qemu)
 * against a double-precision product, on shapes with row, k (including more
 * than one k block, k = 1 and k below one 4-wide NEON step) and column
 * tails of both tiles (6 × 64 on AVX-512F, 6 × 16 on NEON); a row alone gives
 * the same bits as within a block; the bits are those of the documented
 * summation order (fmaf in increasing k per KC block); pack/unpack round
 * trip.  Skipped where the kernels are not in use (CEVAL_KERNELS=portable).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_f32.h"
#include "test_util.h"

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static float rnd_unit(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (float)((double)(uint32_t)(rng_state >> 32) / 4294967296.0 * 2.0 - 1.0);
}

static void check_shape(int32_t rows, int32_t in, int32_t out, int with_bias)
{
	size_t nx = (size_t)rows * (size_t)in, nw = (size_t)out * (size_t)in;
	float *x = malloc(nx * sizeof *x), *w = malloc(nw * sizeof *w), *w2 = malloc(nw * sizeof *w2);
	float *bias = malloc((size_t)out * sizeof *bias), *y = malloc((size_t)rows * (size_t)out * sizeof *y);
	float *y1 = malloc((size_t)out * sizeof *y1);
	assert_true(x && w && w2 && bias && y && y1);
	for (size_t i = 0; i < nx; i++)
		x[i] = rnd_unit();
	for (size_t i = 0; i < nw; i++)
		w[i] = rnd_unit() * 0.5f;
	for (int32_t i = 0; i < out; i++)
		bias[i] = rnd_unit();
	struct gf32_packed p;
	struct ce_err err = {0};
	assert_int_equal(gf32_pack(w, out, in, &p, &err), CE_OK);
	gf32_unpack(&p, w2);
	assert_memory_equal(w, w2, nw * sizeof *w);
	gf32_linear(y, x, &p, with_bias ? bias : NULL, rows);
	for (int32_t r = 0; r < rows; r++)
		for (int32_t o = 0; o < out; o++) {
			double acc = with_bias ? bias[o] : 0, mag = fabs(acc);
			for (int32_t k = 0; k < in; k++) {
				double t = (double)x[(size_t)r * (size_t)in + k] * (double)w[(size_t)o * (size_t)in + k];
				acc += t;
				mag += fabs(t);
			}
			/* fp32 sums of ≤ 256 terms per block: |error| ≤ ~256·2^-24·Σ|t| in the worst
			 * case; 2e-6·Σ|t| is well above what random data reaches (≤ 2e-7·Σ|t|) */
			double got = y[(size_t)r * (size_t)out + o];
			if (fabs(got - acc) > 2e-6 * mag + 1e-30)
				fail_msg("%d×%d→%d, y[%d][%d] = %.9g, expected %.9g", rows, in, out, r, o, got, acc);
		}
	for (int32_t r = 0; r < rows; r += 1 + rows / 4) {
		gf32_linear(y1, x + (size_t)r * (size_t)in, &p, with_bias ? bias : NULL, 1);
		assert_memory_equal(y1, y + (size_t)r * (size_t)out, (size_t)out * sizeof *y1);
	}
	gf32_packed_free(&p);
	gf32_packed_free(&p);
	gf32_packed_free(NULL);
	free(x), free(w), free(w2), free(bias), free(y), free(y1);
}

/* The bits of the documented order (gemm_f32.c): y = bias (or 0) + the
 * fused-multiply-add sum over the first block of 256 k, then y += the sum
 * over each next block, each sum in increasing k from zero. */
static void check_order(int32_t rows, int32_t in, int32_t out)
{
	enum { KC = 256 };
	float *x = malloc((size_t)rows * (size_t)in * sizeof *x), *w = malloc((size_t)out * (size_t)in * sizeof *w);
	float *bias = malloc((size_t)out * sizeof *bias), *y = malloc((size_t)rows * (size_t)out * sizeof *y);
	assert_true(x && w && bias && y);
	for (size_t i = 0; i < (size_t)rows * (size_t)in; i++)
		x[i] = rnd_unit();
	for (size_t i = 0; i < (size_t)out * (size_t)in; i++)
		w[i] = rnd_unit();
	for (int32_t i = 0; i < out; i++)
		bias[i] = rnd_unit();
	struct gf32_packed p;
	struct ce_err err = {0};
	assert_int_equal(gf32_pack(w, out, in, &p, &err), CE_OK);
	gf32_linear(y, x, &p, bias, rows);
	for (int32_t r = 0; r < rows; r++)
		for (int32_t o = 0; o < out; o++) {
			float acc = 0;
			for (int32_t k0 = 0; k0 < in; k0 += KC) {
				float s = 0;
				for (int32_t k = k0; k < in && k < k0 + KC; k++)
					s = fmaf(x[(size_t)r * (size_t)in + k], w[(size_t)o * (size_t)in + k], s);
				acc = (k0 == 0 ? bias[o] : acc) + s;
			}
			float got = y[(size_t)r * (size_t)out + o];
			if (memcmp(&got, &acc, sizeof got) != 0)
				fail_msg("%d×%d→%d, y[%d][%d] = %a, the documented order gives %a", rows, in, out, r, o,
					 (double)got, (double)acc);
		}
	gf32_packed_free(&p);
	free(x), free(w), free(bias), free(y);
}

static void test_summation_order(void **state)
{
	(void)state;
	if (!gf32_supported())
		skip();
	static const int32_t shapes[][3] = {{1, 1, 1}, {7, 3, 17}, {13, 300, 33}, {6, 517, 16}};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
		check_order(shapes[i][0], shapes[i][1], shapes[i][2]);
}

static void test_linear(void **state)
{
	(void)state;
	if (!gf32_supported())
		skip();
	static const int32_t shapes[][3] = {{1, 1, 1},     {5, 3, 17},    {7, 33, 16},   {37, 100, 45}, {97, 256, 64},
					    {6, 257, 70},  {13, 768, 130}, {200, 64, 384}, {3, 3072, 48}, {101, 600, 31},
					    /* NEON tile tails: k = 1, 2, 3, 5, 259; 1, 15, 17, 33 columns */
					    {7, 1, 15},    {11, 2, 17},   {13, 3, 33},   {4, 5, 1},     {9, 259, 47},
					    {175, 7, 20}};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		check_shape(shapes[i][0], shapes[i][1], shapes[i][2], 1);
		check_shape(shapes[i][0], shapes[i][1], shapes[i][2], 0);
	}
}

/* Views with row strides (attention's use): K and V as column slices of a
 * wider row, y written into a column slice; the same bits as gf32_linear on
 * contiguous copies, and the columns around the slice are left alone. */
static void check_views(int32_t n, int32_t d)
{
	const int32_t ld = 3 * d + 5; /* q | k | v | 5 more floats per row */
	float *buf = malloc((size_t)n * (size_t)ld * sizeof *buf);
	float *kc = malloc((size_t)n * (size_t)d * sizeof *kc), *vt = malloc((size_t)d * (size_t)n * sizeof *vt);
	float *kp = malloc(gf32_packed_floats(n, d) * sizeof *kp), *vp = malloc(gf32_packed_floats(d, n) * sizeof *vp);
	float *s1 = malloc((size_t)n * (size_t)n * sizeof *s1), *s2 = malloc((size_t)n * (size_t)n * sizeof *s2);
	float *c1 = malloc((size_t)n * (size_t)d * sizeof *c1), *c2 = malloc((size_t)n * (size_t)ld * sizeof *c2);
	assert_true(buf && kc && vt && kp && vp && s1 && s2 && c1 && c2);
	for (size_t i = 0; i < (size_t)n * (size_t)ld; i++)
		buf[i] = rnd_unit();
	for (int32_t t = 0; t < n; t++)
		for (int32_t j = 0; j < d; j++) {
			kc[(size_t)t * (size_t)d + j] = buf[(size_t)t * (size_t)ld + (size_t)d + j];
			vt[(size_t)j * (size_t)n + t] = buf[(size_t)t * (size_t)ld + 2 * (size_t)d + j];
		}
	struct gf32_packed kv, vv, kref, vref;
	struct ce_err err = {0};
	gf32_pack_view(buf + d, (size_t)ld, n, d, kp, &kv);
	gf32_pack_t_view(buf + 2 * d, (size_t)ld, d, n, vp, &vv);
	assert_int_equal(gf32_pack(kc, n, d, &kref, &err), CE_OK);
	assert_int_equal(gf32_pack(vt, d, n, &vref, &err), CE_OK);
	assert_memory_equal(kp, kref.data, gf32_packed_floats(n, d) * sizeof *kp);
	assert_memory_equal(vp, vref.data, gf32_packed_floats(d, n) * sizeof *vp);
	/* scores = Q·Kᵀ with Q read in place, then ctx = S·V into a column slice */
	gf32_gemm(s1, (size_t)n, buf, (size_t)ld, &kv, NULL, n);
	float *qc = malloc((size_t)n * (size_t)d * sizeof *qc);
	assert_non_null(qc);
	for (int32_t t = 0; t < n; t++)
		memcpy(qc + (size_t)t * (size_t)d, buf + (size_t)t * (size_t)ld, (size_t)d * sizeof *qc);
	gf32_linear(s2, qc, &kref, NULL, n);
	assert_memory_equal(s1, s2, (size_t)n * (size_t)n * sizeof *s1);
	for (size_t i = 0; i < (size_t)n * (size_t)ld; i++)
		c2[i] = -7.0f;
	gf32_gemm(c2 + 3, (size_t)ld, s1, (size_t)n, &vv, NULL, n);
	gf32_linear(c1, s1, &vref, NULL, n);
	for (int32_t t = 0; t < n; t++)
		for (int32_t j = 0; j < ld; j++) {
			float got = c2[(size_t)t * (size_t)ld + j];
			if (j >= 3 && j < 3 + d)
				assert_true(got == c1[(size_t)t * (size_t)d + (size_t)(j - 3)]);
			else
				assert_true(got == -7.0f);
		}
	gf32_packed_free(&kref);
	gf32_packed_free(&vref);
	free(buf), free(kc), free(vt), free(kp), free(vp), free(s1), free(s2), free(c1), free(c2), free(qc);
}

static void test_strided_views(void **state)
{
	(void)state;
	if (!gf32_supported())
		skip();
	static const int32_t shapes[][2] = {{1, 1}, {5, 6}, {17, 16}, {48, 64}, {130, 8}, {300, 64}, {512, 32}};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
		check_views(shapes[i][0], shapes[i][1]);
}

static void test_pack_errors(void **state)
{
	(void)state;
	struct gf32_packed p;
	struct ce_err err = {0};
	float w = 1;
	assert_int_equal(gf32_pack(&w, 0, 1, &p, &err), CE_E_INVALID_ARG);
	assert_null(p.data);
	assert_int_equal(gf32_pack(&w, 2, 0, &p, &err), CE_E_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pack_errors),
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_summation_order),
		cmocka_unit_test(test_strided_views),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
