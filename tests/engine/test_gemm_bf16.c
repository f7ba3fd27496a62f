/*
 * test_gemm_bf16.c - the bf16 linear layer (engine/gemm_bf16.h):
 *  - float → bf16 rounding against an independent round-to-nearest-even
 *    computed in double (ties, overflow to infinity, NaN);
 *  - gbf_linear, with both the AVX512_BF16 and the AMX kernel where the CPU
 *    has them (the BFDOT kernel on AArch64 with FEAT_BF16, under qemu in
 *    tests/portability.sh), against a double-precision product of the
 *    bf16-rounded operands, on shapes with every kind of tail (rows, k, columns);
 *  - a row's result does not depend on the other rows of the call (the
 *    encoder's bf16 batching relies on it).
 * Skipped where the CPU lacks AVX512_BF16 (FEAT_BF16), or CEVAL_KERNELS caps it.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gemm_bf16.h"
#include "test_util.h"

static uint32_t f2u(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

static float u2f(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

/* Nearest bf16 by comparing distances in double; ties to the even one. */
static uint16_t ref_round(float f)
{
	uint32_t u = f2u(f);
	uint32_t lo = u & 0xffff0000u, hi = lo + 0x10000u; /* neighbours toward and away from zero */
	/* past the largest bf16 the next value up is ±2^128, i.e. infinity */
	double vhi = isinf(u2f(hi)) ? copysign(0x1p128, (double)f) : (double)u2f(hi);
	double dlo = fabs((double)f - (double)u2f(lo)), dhi = fabs(vhi - (double)f);
	if (dlo < dhi || (dlo == dhi && !(lo & 0x10000u)))
		return (uint16_t)(lo >> 16);
	return (uint16_t)(hi >> 16);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd32(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 32);
}
static float rnd_unit(void) { return (float)((double)rnd32() / 4294967296.0 * 2.0 - 1.0); }

static void test_round(void **state)
{
	(void)state;
	for (int i = 0; i < 200000; i++) {
		uint32_t u = rnd32();
		if ((u & 0x7f800000u) == 0x7f800000u) /* inf / NaN: checked below */
			continue;
		float f = u2f(u);
		uint16_t got = gbf_from_f32(f), want = ref_round(f);
		if (got != want)
			fail_msg("bf16(%a) = 0x%04x, expected 0x%04x", (double)f, got, want);
	}
	/* exact ties: 1 + 2^-8 lies between 1 and 1 + 2^-7, rounds to the even 1 */
	assert_int_equal(gbf_from_f32(1.0f + 0x1p-8f), 0x3f80);
	assert_int_equal(gbf_from_f32(1.0f + 3 * 0x1p-8f), 0x3f82); /* tie, rounds up to even */
	assert_int_equal(gbf_from_f32(-1.0f - 0x1p-8f), 0xbf80);
	assert_int_equal(gbf_from_f32(INFINITY), 0x7f80);
	assert_int_equal(gbf_from_f32(-INFINITY), 0xff80);
	assert_int_equal(gbf_from_f32(0x1.fffffep127f), 0x7f80); /* FLT_MAX rounds to inf, as torch */
	assert_int_equal(gbf_from_f32(0x1.fefffep127f), 0x7f7f); /* just below the halfway point */
	uint16_t qn = gbf_from_f32(u2f(0x7f800001u));         /* signalling NaN stays a NaN */
	assert_true(isnan(gbf_to_f32(qn)));
	assert_float_equal(gbf_to_f32(0x3fc0), 1.5f, 0);
}

struct shape {
	int32_t rows, in, out;
};

/* y from gbf_linear vs Σ bf16(x)·bf16(w) in double (+ bias). */
static void check_shape(struct shape s, enum gbf_kernel kernel, int with_bias)
{
	size_t nx = (size_t)s.rows * (size_t)s.in, nw = (size_t)s.out * (size_t)s.in;
	float *x = malloc(nx * sizeof *x), *w = malloc(nw * sizeof *w), *bias = malloc((size_t)s.out * sizeof *bias);
	float *y = malloc((size_t)s.rows * (size_t)s.out * sizeof *y);
	float *y1 = malloc((size_t)s.out * sizeof *y1);
	uint16_t *xb = calloc(gbf_rows_alloc(s.rows) * gbf_row_stride(s.in), sizeof *xb);
	uint16_t *xb1 = calloc(gbf_rows_alloc(1) * gbf_row_stride(s.in), sizeof *xb1);
	assert_true(x && w && bias && y && y1 && xb && xb1);
	for (size_t i = 0; i < nx; i++)
		x[i] = rnd_unit();
	for (size_t i = 0; i < nw; i++)
		w[i] = rnd_unit() * 0.5f;
	for (int32_t i = 0; i < s.out; i++)
		bias[i] = rnd_unit();
	struct gbf_packed p;
	struct ce_err err = {0};
	assert_int_equal(gbf_pack(w, s.out, s.in, &p, &err), CE_OK);
	p.kernel = kernel;
	gbf_convert_rows(xb, x, s.rows, s.in);
	/* converted rows: the bf16 values, then zeros up to the stride */
	for (int32_t r = 0; r < s.rows; r++)
		for (size_t k = 0; k < gbf_row_stride(s.in); k++)
			assert_int_equal(xb[(size_t)r * gbf_row_stride(s.in) + k],
					 k < (size_t)s.in ? ref_round(x[(size_t)r * (size_t)s.in + k]) : 0);
	gbf_linear(y, xb, &p, with_bias ? bias : NULL, s.rows);
	for (int32_t r = 0; r < s.rows; r++) {
		for (int32_t o = 0; o < s.out; o++) {
			double acc = with_bias ? bias[o] : 0, mag = fabs(acc);
			for (int32_t k = 0; k < s.in; k++) {
				double t = (double)gbf_to_f32(ref_round(x[(size_t)r * (size_t)s.in + k])) *
					   (double)gbf_to_f32(ref_round(w[(size_t)o * (size_t)s.in + k]));
				acc += t;
				mag += fabs(t);
			}
			/* fp32 accumulation of exact products: error ≪ K·2^-24·Σ|terms|;
			 * 1e-6·Σ|terms| is 16× the worst seen and far below bf16 rounding (4e-3) */
			double got = y[(size_t)r * (size_t)s.out + o];
			if (fabs(got - acc) > 1e-6 * mag + 1e-30)
				fail_msg("kernel %d, %d×%d→%d, y[%d][%d] = %.9g, expected %.9g", (int)kernel, s.rows, s.in,
					 s.out, r, o, got, acc);
		}
	}
	/* each row alone gives the same bits as within the whole block */
	for (int32_t r = 0; r < s.rows; r += 1 + s.rows / 5) {
		gbf_convert_rows(xb1, x + (size_t)r * (size_t)s.in, 1, s.in);
		gbf_linear(y1, xb1, &p, with_bias ? bias : NULL, 1);
		assert_memory_equal(y1, y + (size_t)r * (size_t)s.out, (size_t)s.out * sizeof *y1);
	}
	gbf_packed_free(&p);
	gbf_packed_free(&p); /* idempotent */
	gbf_packed_free(NULL);
	free(x), free(w), free(bias), free(y), free(y1), free(xb), free(xb1);
}

static const struct shape SHAPES[] = {
	{1, 1, 1},    {5, 3, 17},   {7, 33, 16},  {37, 100, 45},  {33, 64, 32},
	{6, 513, 64}, {70, 768, 130}, {17, 31, 2}, {200, 128, 384}, {3, 2048, 48},
	/* BFDOT tails: k pairs not a multiple of 4 (1, 3, 5), 1 / 15 / 33 columns */
	{11, 2, 1},   {7, 5, 33},   {13, 9, 15},
};

static void run_kernel(enum gbf_kernel kernel)
{
	for (size_t i = 0; i < sizeof SHAPES / sizeof SHAPES[0]; i++) {
		check_shape(SHAPES[i], kernel, 1);
		check_shape(SHAPES[i], kernel, 0);
	}
}

/* The vector kernel: vdpbf16ps on x86-64, BFDOT on AArch64. */
static void test_linear_vector(void **state)
{
	(void)state;
	if (!gbf_supported())
		skip();
#if defined(__aarch64__)
	run_kernel(GBF_KERNEL_NEONBF16);
#else
	run_kernel(GBF_KERNEL_AVX512);
#endif
}

static void test_linear_amx(void **state)
{
	(void)state;
	if (!gbf_amx_usable())
		skip();
	run_kernel(GBF_KERNEL_AMX);
}

static void test_pack_errors(void **state)
{
	(void)state;
	struct gbf_packed p;
	struct ce_err err = {0};
	float w = 1;
	assert_int_equal(gbf_pack(&w, 0, 1, &p, &err), CE_E_INVALID_ARG);
	assert_null(p.data);
	assert_int_equal(gbf_pack(&w, 1, -3, &p, &err), CE_E_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round),
		cmocka_unit_test(test_pack_errors),
		cmocka_unit_test(test_linear_vector),
		cmocka_unit_test(test_linear_amx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
