/*
 * test_gemm_f32.c - the AVX-512F fp32 linear layer (engine/gemm_f32.h)
 * against a double-precision product, on shapes with row, k (including more
 * than one k block) and column tails; a row alone gives the same bits as
 * within a block; pack/unpack round trip.  Skipped without AVX-512F.
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

static void test_linear(void **state)
{
	(void)state;
	if (!gf32_supported())
		skip();
	static const int32_t shapes[][3] = {{1, 1, 1},     {5, 3, 17},    {7, 33, 16},   {37, 100, 45}, {97, 256, 64},
					    {6, 257, 70},  {13, 768, 130}, {200, 64, 384}, {3, 3072, 48}, {101, 600, 31}};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		check_shape(shapes[i][0], shapes[i][1], shapes[i][2], 1);
		check_shape(shapes[i][0], shapes[i][1], shapes[i][2], 0);
	}
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
