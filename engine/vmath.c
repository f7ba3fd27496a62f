/*
 * vmath.c - see vmath.h.
 *
 * exp: Cody-Waite reduction x = n·ln2 + r (|r| ≤ ln2/2, ln2 split in a short
 * high part and a low correction), exp(r) by its Taylor polynomial to degree 7
 * (truncation < 3e-9 relative), then scaling by 2^n through the exponent bits.
 * erf (odd, so on |x|): three polynomial pieces fitted by tools/fit_erf.py,
 *   |x| < 1:      erf(x)  = x·P(x²)
 *   1 ≤ |x| < 2:  erfc(x) = exp(-x²)·Q1(x - 1.5)
 *   2 ≤ |x| < 4:  erfc(x) = exp(-x²)·Q2(x - 3)      (|x| ≥ 3.92: erf = ±1 in float)
 * with exp(-x²) taken as exp(-h)·(1 - l) where x² = h + l exactly (fma), so
 * the rounding of x² does not leak into erfc.
 *
 * Sections: AVX2 kernels; the same on AVX-512F (16 lanes, compiled for it per
 * function); scalar fallback (no AVX2 at build time); run-time dispatch.
 */
#include "vmath.h"

#include <math.h>
#include <string.h>

#include "kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define VM_X86 1
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#define VM_NEON 1
#endif

#define EXP_LO (-87.33654f) /* below: exp underflows to subnormals; we return 0 */
#define EXP_HI 88.0f
#define LN2_HI 0.693359375f
#define LN2_LO (-2.12194440e-4f)
#define LOG2E 1.44269504088896341f

/* Taylor coefficients of exp(r), highest degree first: 1/7!, ..., 1/1!, 1/0!. */
static const float EXP_C[8] = {1.0f / 5040, 1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f};

/* tools/fit_erf.py output; lowest degree first. */
/* ERF_P: degree 6, max relative error 1.35e-09 */
static const float ERF_P[7] = {1.128379167e+00f, -3.761262884e-01f, 1.128361243e-01f, -2.685480854e-02f,
			       5.190053578e-03f, -8.024354129e-04f, 7.898210209e-05f};
/* ERF_Q1: degree 7, max relative error 2.38e-08 (padded with a zero to degree 8) */
static const float ERF_Q1[9] = {3.215854096e-01f,  -1.636229326e-01f, 7.615193691e-02f,
				-3.293064480e-02f, 1.335928785e-02f,  -5.144530444e-03f,
				2.001234930e-03f,  -6.891439449e-04f, 0.0f};
/* ERF_Q2: degree 8, max relative error 3.34e-08 */
static const float ERF_Q2[9] = {1.790011502e-01f,  -5.437221308e-02f, 1.588439227e-02f,
				-4.480065120e-03f, 1.223025539e-03f,  -3.218410885e-04f,
				8.328039447e-05f,  -2.398397986e-05f, 5.716106021e-06f};

#ifdef VM_X86

/* The build targets baseline x86-64: this section is compiled for AVX2 + FMA
 * and only reached when kernels.h chose avx2 (or vm_kernels_get's caller
 * checked the CPU). */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

static inline __m256 exp8(__m256 x)
{
	__m256 under = _mm256_cmp_ps(x, _mm256_set1_ps(EXP_LO), _CMP_LT_OQ);
	x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(EXP_LO)), _mm256_set1_ps(EXP_HI));
	__m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	__m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(LN2_HI), x);
	r = _mm256_fnmadd_ps(n, _mm256_set1_ps(LN2_LO), r);
	__m256 p = _mm256_set1_ps(EXP_C[0]);
	for (int k = 1; k < 8; k++)
		p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(EXP_C[k]));
	/* 2^n: n in [-126, 127] after the clamps; n = -126 needs two steps to stay normal */
	__m256i ni = _mm256_cvtps_epi32(n);
	__m256i half = _mm256_srai_epi32(ni, 1);
	__m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, _mm256_set1_epi32(127)), 23));
	__m256 s2 = _mm256_castsi256_ps(
		_mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, half), _mm256_set1_epi32(127)), 23));
	__m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
	return _mm256_andnot_ps(under, y);
}

static inline __m256 erf8(__m256 x)
{
	const __m256 sign_mask = _mm256_set1_ps(-0.0f);
	__m256 sign = _mm256_and_ps(x, sign_mask);
	__m256 a = _mm256_andnot_ps(sign_mask, x);
	/* |x| < 1 */
	__m256 t = _mm256_mul_ps(a, a);
	__m256 p = _mm256_set1_ps(ERF_P[6]);
	for (int k = 5; k >= 0; k--)
		p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(ERF_P[k]));
	__m256 small = _mm256_mul_ps(a, p);
	/* 1 ≤ |x| < 4: erfc by the piece's polynomial times exp(-x²) */
	__m256 ac = _mm256_min_ps(a, _mm256_set1_ps(4.0f));
	__m256 hi = _mm256_cmp_ps(ac, _mm256_set1_ps(2.0f), _CMP_GE_OQ);
	__m256 u = _mm256_sub_ps(ac, _mm256_blendv_ps(_mm256_set1_ps(1.5f), _mm256_set1_ps(3.0f), hi));
	__m256 q = _mm256_blendv_ps(_mm256_set1_ps(ERF_Q1[8]), _mm256_set1_ps(ERF_Q2[8]), hi);
	for (int k = 7; k >= 0; k--)
		q = _mm256_fmadd_ps(q, u, _mm256_blendv_ps(_mm256_set1_ps(ERF_Q1[k]), _mm256_set1_ps(ERF_Q2[k]), hi));
	__m256 h = _mm256_mul_ps(ac, ac);
	__m256 l = _mm256_fmsub_ps(ac, ac, h);
	__m256 e = _mm256_mul_ps(exp8(_mm256_sub_ps(_mm256_setzero_ps(), h)),
				 _mm256_sub_ps(_mm256_set1_ps(1.0f), l));
	__m256 big = _mm256_fnmadd_ps(e, q, _mm256_set1_ps(1.0f));
	__m256 r = _mm256_blendv_ps(big, small, _mm256_cmp_ps(a, _mm256_set1_ps(1.0f), _CMP_LT_OQ));
	/* NaN stays NaN */
	r = _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
	return _mm256_or_ps(r, sign);
}

static inline __m256 gelu8(__m256 v)
{
	__m256 z = _mm256_mul_ps(v, _mm256_set1_ps((float)M_SQRT1_2));
	__m256 e = erf8(z);
	return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), v), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

/* Apply f to n floats; a tail of < 8 goes through a padded buffer so every
 * value takes the same vector path. */
#define VM_MAP(y, x, n, f)                                                                                             \
	do {                                                                                                           \
		size_t i_ = 0;                                                                                         \
		for (; i_ + 8 <= (n); i_ += 8)                                                                         \
			_mm256_storeu_ps((y) + i_, f(_mm256_loadu_ps((x) + i_)));                                      \
		if (i_ < (n)) {                                                                                        \
			float buf_[8] = {0};                                                                           \
			memcpy(buf_, (x) + i_, ((n) - i_) * sizeof(float));                                            \
			_mm256_storeu_ps(buf_, f(_mm256_loadu_ps(buf_)));                                              \
			memcpy((y) + i_, buf_, ((n) - i_) * sizeof(float));                                            \
		}                                                                                                      \
	} while (0)

static void exp_avx2(float *y, const float *x, size_t n) { VM_MAP(y, x, n, exp8); }
static void erf_avx2(float *y, const float *x, size_t n) { VM_MAP(y, x, n, erf8); }

static void bias_gelu_avx2(float *v, const float *bias, int32_t rows, int32_t cols)
{
	for (int32_t r = 0; r < rows; r++) {
		float *row = v + (size_t)r * (size_t)cols;
		int32_t j = 0;
		for (; j + 8 <= cols; j += 8) {
			__m256 a = _mm256_loadu_ps(row + j);
			if (bias)
				a = _mm256_add_ps(a, _mm256_loadu_ps(bias + j));
			_mm256_storeu_ps(row + j, gelu8(a));
		}
		if (j < cols) {
			float buf[8] = {0};
			for (int32_t k = j; k < cols; k++)
				buf[k - j] = row[k] + (bias ? bias[k] : 0.0f);
			_mm256_storeu_ps(buf, gelu8(_mm256_loadu_ps(buf)));
			memcpy(row + j, buf, (size_t)(cols - j) * sizeof(float));
		}
	}
}

/* Sum of 8 floats as doubles. */
static inline __m256d add8_pd(__m256d acc, __m256 v)
{
	acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
	return _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}

static inline double hsum_pd(__m256d v)
{
	double t[4];
	_mm256_storeu_pd(t, v);
	return (t[0] + t[1]) + (t[2] + t[3]);
}

static void scale_avx2(float *x, int32_t n, float s)
{
	int32_t j = 0;
	__m256 s8 = _mm256_set1_ps(s);
	for (; j + 8 <= n; j += 8)
		_mm256_storeu_ps(x + j, _mm256_mul_ps(_mm256_loadu_ps(x + j), s8));
	for (; j < n; j++)
		x[j] *= s;
}

static void softmax_row_avx2(float *row, int32_t n)
{
	int32_t j = 0;
	__m256 mx8 = _mm256_set1_ps(-INFINITY);
	for (; j + 8 <= n; j += 8)
		mx8 = _mm256_max_ps(mx8, _mm256_loadu_ps(row + j));
	float m[8];
	_mm256_storeu_ps(m, mx8);
	float mx = m[0];
	for (int k = 1; k < 8; k++)
		mx = m[k] > mx ? m[k] : mx;
	for (; j < n; j++)
		mx = row[j] > mx ? row[j] : mx;
	__m256 vmx = _mm256_set1_ps(mx);
	__m256d acc = _mm256_setzero_pd();
	for (j = 0; j + 8 <= n; j += 8) {
		__m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(row + j), vmx));
		_mm256_storeu_ps(row + j, e);
		acc = add8_pd(acc, e);
	}
	double sum = hsum_pd(acc);
	if (j < n) {
		float buf[8] = {0};
		for (int32_t k = j; k < n; k++)
			buf[k - j] = row[k] - mx;
		_mm256_storeu_ps(buf, exp8(_mm256_loadu_ps(buf)));
		for (int32_t k = j; k < n; k++) {
			row[k] = buf[k - j];
			sum += buf[k - j];
		}
	}
	__m256 inv = _mm256_set1_ps((float)(1.0 / sum));
	for (j = 0; j + 8 <= n; j += 8)
		_mm256_storeu_ps(row + j, _mm256_mul_ps(_mm256_loadu_ps(row + j), inv));
	for (; j < n; j++)
		row[j] *= (float)(1.0 / sum);
}

static void add_layer_norm_avx2(float *y, const float *bias, const float *res, const float *g, const float *b,
			       int32_t n, float eps)
{
	int32_t j = 0;
	__m256d acc = _mm256_setzero_pd();
	for (; j + 8 <= n; j += 8) {
		__m256 v = _mm256_loadu_ps(y + j);
		if (bias)
			v = _mm256_add_ps(v, _mm256_loadu_ps(bias + j));
		if (res)
			v = _mm256_add_ps(v, _mm256_loadu_ps(res + j));
		_mm256_storeu_ps(y + j, v);
		acc = add8_pd(acc, v);
	}
	double sum = hsum_pd(acc);
	for (; j < n; j++) {
		float v = y[j];
		if (bias)
			v += bias[j];
		if (res)
			v += res[j];
		y[j] = v;
		sum += v;
	}
	double mean = sum / n;
	__m256d vmean = _mm256_set1_pd(mean);
	__m256d vacc = _mm256_setzero_pd();
	for (j = 0; j + 4 <= n; j += 4) {
		__m256d d = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(y + j)), vmean);
		vacc = _mm256_fmadd_pd(d, d, vacc);
	}
	double var = hsum_pd(vacc);
	for (; j < n; j++) {
		double d = y[j] - mean;
		var += d * d;
	}
	var /= n;
	double inv = 1.0 / sqrt(var + (double)eps);
	__m256d vinv = _mm256_set1_pd(inv);
	for (j = 0; j + 4 <= n; j += 4) {
		__m256d d = _mm256_mul_pd(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(y + j)), vmean), vinv);
		__m128 f = _mm256_cvtpd_ps(d);
		_mm_storeu_ps(y + j, _mm_fmadd_ps(f, _mm_loadu_ps(g + j), _mm_loadu_ps(b + j)));
	}
	for (; j < n; j++)
		y[j] = fmaf((float)((y[j] - mean) * inv), g[j], b[j]);
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

/* ---- AVX-512F: the AVX2 kernels on 16 lanes ----
 *
 * Built with target("avx512f") and only called when kernels.h found that
 * the CPU (and OS) have it.  Per lane, every function below is the same
 * sequence of float operations as its 8-lane twin above (same constants,
 * same FMAs in the same order, vroundps → vrndscaleps with the same rounding,
 * blends → mask moves), so exp, erf and GELU give bit-identical results on
 * both paths (test_vmath checks this).  Tails use masked loads and stores
 * with zero fill, the equivalent of the AVX2 path's zero-padded buffer.  Only
 * the double sums of softmax and LayerNorm differ from the AVX2 path, in
 * their summation order (two accumulators of 8 doubles instead of one of 4). */

#define V5_TARGET __attribute__((target("avx2,fma,avx512f")))
#define V5_INLINE V5_TARGET static inline __attribute__((always_inline))

/* _mm512_and_ps and friends are AVX512DQ; these are AVX512F. */
V5_INLINE __m512 and16(__m512 a, __m512 b)
{
	return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
}

V5_INLINE __m512 or16(__m512 a, __m512 b)
{
	return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
}

V5_INLINE __mmask16 tail_mask(size_t left)
{
	return left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1u);
}

V5_INLINE __m512 exp16(__m512 x)
{
	__mmask16 under = _mm512_cmp_ps_mask(x, _mm512_set1_ps(EXP_LO), _CMP_LT_OQ);
	x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(EXP_LO)), _mm512_set1_ps(EXP_HI));
	__m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(LOG2E)),
					_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	__m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_HI), x);
	r = _mm512_fnmadd_ps(n, _mm512_set1_ps(LN2_LO), r);
	__m512 p = _mm512_set1_ps(EXP_C[0]);
#pragma GCC unroll 8
	for (int k = 1; k < 8; k++)
		p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(EXP_C[k]));
	__m512i ni = _mm512_cvtps_epi32(n);
	__m512i half = _mm512_srai_epi32(ni, 1);
	__m512 s1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(half, _mm512_set1_epi32(127)), 23));
	__m512 s2 = _mm512_castsi512_ps(
		_mm512_slli_epi32(_mm512_add_epi32(_mm512_sub_epi32(ni, half), _mm512_set1_epi32(127)), 23));
	__m512 y = _mm512_mul_ps(_mm512_mul_ps(p, s1), s2);
	return _mm512_maskz_mov_ps((__mmask16)~under, y);
}

/* erf8 on 16 lanes.  Both branches are computed for every vector, as in
 * erf8.  Measured alternatives (GELU, [64 × 3072] in L2, ns per value, this
 * version 0.74 on every input spread): returning early when all 16 |x| < 1
 * gave 0.26 on N(0, 0.5) inputs but 0.77-0.80 on N(0, 1), N(-1, 2) and
 * U(-6, 6); skipping the Q1/Q2 blends when all lanes with |x| ≥ 1 take the
 * same piece gave 0.67 on N(0, 1) but 0.81 on N(-1, 2) and U(-6, 6); both
 * together made [4096 × 3072] out of cache 2× slower on the wide inputs
 * (mispredictions there stall the memory stream).  BERT's GELU inputs are
 * wide, so no branches.  The unroll pragmas: 15% faster than gcc's choice. */
V5_INLINE __m512 erf16(__m512 x)
{
	const __m512 sign_mask = _mm512_set1_ps(-0.0f);
	__m512 sign = and16(x, sign_mask);
	__m512 a = and16(x, _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff)));
	/* |x| < 1 */
	__m512 t = _mm512_mul_ps(a, a);
	__m512 p = _mm512_set1_ps(ERF_P[6]);
#pragma GCC unroll 8
	for (int k = 5; k >= 0; k--)
		p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(ERF_P[k]));
	__m512 small = _mm512_mul_ps(a, p);
	/* 1 ≤ |x| < 4 */
	__m512 ac = _mm512_min_ps(a, _mm512_set1_ps(4.0f));
	__mmask16 hi = _mm512_cmp_ps_mask(ac, _mm512_set1_ps(2.0f), _CMP_GE_OQ);
	__m512 u = _mm512_sub_ps(ac, _mm512_mask_blend_ps(hi, _mm512_set1_ps(1.5f), _mm512_set1_ps(3.0f)));
	__m512 q = _mm512_mask_blend_ps(hi, _mm512_set1_ps(ERF_Q1[8]), _mm512_set1_ps(ERF_Q2[8]));
#pragma GCC unroll 8
	for (int k = 7; k >= 0; k--)
		q = _mm512_fmadd_ps(q, u,
				    _mm512_mask_blend_ps(hi, _mm512_set1_ps(ERF_Q1[k]), _mm512_set1_ps(ERF_Q2[k])));
	__m512 h = _mm512_mul_ps(ac, ac);
	__m512 l = _mm512_fmsub_ps(ac, ac, h);
	__m512 e = _mm512_mul_ps(exp16(_mm512_sub_ps(_mm512_setzero_ps(), h)), _mm512_sub_ps(_mm512_set1_ps(1.0f), l));
	__m512 big = _mm512_fnmadd_ps(e, q, _mm512_set1_ps(1.0f));
	__m512 r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(1.0f), _CMP_LT_OQ), big, small);
	/* NaN stays NaN */
	r = _mm512_mask_mov_ps(r, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
	return or16(r, sign);
}

V5_INLINE __m512 gelu16(__m512 v)
{
	__m512 z = _mm512_mul_ps(v, _mm512_set1_ps((float)M_SQRT1_2));
	__m512 e = erf16(z);
	return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

#define V5_MAP(y, x, n, f)                                                                                             \
	do {                                                                                                           \
		for (size_t i_ = 0; i_ < (n); i_ += 16) {                                                              \
			__mmask16 m_ = tail_mask((n) - i_);                                                            \
			_mm512_mask_storeu_ps((y) + i_, m_, f(_mm512_maskz_loadu_ps(m_, (x) + i_)));                   \
		}                                                                                                      \
	} while (0)

V5_TARGET static void exp_avx512(float *y, const float *x, size_t n) { V5_MAP(y, x, n, exp16); }
V5_TARGET static void erf_avx512(float *y, const float *x, size_t n) { V5_MAP(y, x, n, erf16); }

V5_TARGET static void bias_gelu_avx512(float *v, const float *bias, int32_t rows, int32_t cols)
{
	for (int32_t r = 0; r < rows; r++) {
		float *row = v + (size_t)r * (size_t)cols;
		for (int32_t j = 0; j < cols; j += 16) {
			__mmask16 m = tail_mask((size_t)(cols - j));
			__m512 a = _mm512_maskz_loadu_ps(m, row + j);
			if (bias)
				a = _mm512_add_ps(a, _mm512_maskz_loadu_ps(m, bias + j));
			_mm512_mask_storeu_ps(row + j, m, gelu16(a));
		}
	}
}

/* The 16 floats of v as 8 + 8 doubles. */
V5_INLINE __m512d lo8_pd(__m512 v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
V5_INLINE __m512d hi8_pd(__m512 v)
{
	return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

V5_TARGET static void scale_avx512(float *x, int32_t n, float s)
{
	int32_t j = 0;
	__m512 s16 = _mm512_set1_ps(s);
	for (; j + 16 <= n; j += 16)
		_mm512_storeu_ps(x + j, _mm512_mul_ps(_mm512_loadu_ps(x + j), s16));
	if (j < n) {
		__mmask16 k = (__mmask16)((1u << (n - j)) - 1u);
		_mm512_mask_storeu_ps(x + j, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + j), s16));
	}
}

/* Two accumulators (low and high 8 lanes) in the sums below: one chain of
 * double adds would bound the loops at 4 cycles per 8 floats. */
V5_TARGET static void softmax_row_avx512(float *row, int32_t n)
{
	__m512 mx0 = _mm512_set1_ps(-INFINITY), mx1 = mx0;
	int32_t j = 0;
	for (; j + 32 <= n; j += 32) {
		mx0 = _mm512_max_ps(mx0, _mm512_loadu_ps(row + j));
		mx1 = _mm512_max_ps(mx1, _mm512_loadu_ps(row + j + 16));
	}
	for (; j < n; j += 16) {
		__mmask16 m = tail_mask((size_t)(n - j));
		mx0 = _mm512_max_ps(mx0, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), m, row + j));
	}
	__m512 vmx = _mm512_set1_ps(_mm512_reduce_max_ps(_mm512_max_ps(mx0, mx1)));
	__m512d acc0 = _mm512_setzero_pd(), acc1 = acc0;
	for (j = 0; j < n; j += 16) {
		__mmask16 m = tail_mask((size_t)(n - j));
		__m512 e = _mm512_maskz_mov_ps(m, exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, row + j), vmx)));
		_mm512_mask_storeu_ps(row + j, m, e);
		acc0 = _mm512_add_pd(acc0, lo8_pd(e));
		acc1 = _mm512_add_pd(acc1, hi8_pd(e));
	}
	__m512 inv = _mm512_set1_ps((float)(1.0 / _mm512_reduce_add_pd(_mm512_add_pd(acc0, acc1))));
	for (j = 0; j < n; j += 16) {
		__mmask16 m = tail_mask((size_t)(n - j));
		_mm512_mask_storeu_ps(row + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, row + j), inv));
	}
}

V5_TARGET static void add_layer_norm_avx512(float *y, const float *bias, const float *res, const float *g,
					    const float *b, int32_t n, float eps)
{
	__m512d acc0 = _mm512_setzero_pd(), acc1 = acc0;
	for (int32_t j = 0; j < n; j += 16) {
		__mmask16 m = tail_mask((size_t)(n - j));
		__m512 v = _mm512_maskz_loadu_ps(m, y + j);
		if (bias)
			v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, bias + j));
		if (res)
			v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, res + j));
		_mm512_mask_storeu_ps(y + j, m, v);
		acc0 = _mm512_add_pd(acc0, lo8_pd(v));
		acc1 = _mm512_add_pd(acc1, hi8_pd(v));
	}
	double mean = _mm512_reduce_add_pd(_mm512_add_pd(acc0, acc1)) / n;
	__m512d vmean = _mm512_set1_pd(mean);
	acc0 = acc1 = _mm512_setzero_pd();
	for (int32_t j = 0; j < n; j += 16) {
		__mmask16 m = tail_mask((size_t)(n - j));
		__m512 v = _mm512_maskz_loadu_ps(m, y + j);
		/* lanes past n: 0 - mean, zeroed */
		__m512d d0 = _mm512_maskz_sub_pd((__mmask8)m, lo8_pd(v), vmean);
		__m512d d1 = _mm512_maskz_sub_pd((__mmask8)(m >> 8), hi8_pd(v), vmean);
		acc0 = _mm512_fmadd_pd(d0, d0, acc0);
		acc1 = _mm512_fmadd_pd(d1, d1, acc1);
	}
	double var = _mm512_reduce_add_pd(_mm512_add_pd(acc0, acc1)) / n;
	__m512d vinv = _mm512_set1_pd(1.0 / sqrt(var + (double)eps));
	for (int32_t j = 0; j < n; j += 16) {
		__mmask16 m = tail_mask((size_t)(n - j));
		__m512 v = _mm512_maskz_loadu_ps(m, y + j);
		__m256 lo = _mm512_cvtpd_ps(_mm512_mul_pd(_mm512_sub_pd(lo8_pd(v), vmean), vinv));
		__m256 hi = _mm512_cvtpd_ps(_mm512_mul_pd(_mm512_sub_pd(hi8_pd(v), vmean), vinv));
		__m512 f = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(lo)),
							       _mm256_castps_pd(hi), 1));
		__m512 gj = _mm512_maskz_loadu_ps(m, g + j), bj = _mm512_maskz_loadu_ps(m, b + j);
		_mm512_mask_storeu_ps(y + j, m, _mm512_fmadd_ps(f, gj, bj));
	}
}

#endif /* VM_X86 */

/* ---- scalar: the same formulas, for every target ---- */

static float exp1(float x)
{
	if (x < EXP_LO)
		return 0.0f;
	x = x > EXP_HI ? EXP_HI : x;
	float n = nearbyintf(x * LOG2E);
	float r = fmaf(-n, LN2_LO, fmaf(-n, LN2_HI, x));
	float p = EXP_C[0];
	for (int k = 1; k < 8; k++)
		p = fmaf(p, r, EXP_C[k]);
	return ldexpf(p, (int)n);
}

static float erf1(float x)
{
	if (isnan(x))
		return x;
	float a = fabsf(x), r;
	if (a < 1.0f) {
		float t = a * a, p = ERF_P[6];
		for (int k = 5; k >= 0; k--)
			p = fmaf(p, t, ERF_P[k]);
		r = a * p;
	} else {
		float ac = a < 4.0f ? a : 4.0f;
		const float *Q = ac >= 2.0f ? ERF_Q2 : ERF_Q1;
		float u = ac - (ac >= 2.0f ? 3.0f : 1.5f), q = Q[8];
		for (int k = 7; k >= 0; k--)
			q = fmaf(q, u, Q[k]);
		float h = ac * ac, l = fmaf(ac, ac, -h);
		float e = exp1(-h) * (1.0f - l);
		r = fmaf(-e, q, 1.0f);
	}
	return copysignf(r, x);
}

static void exp_scalar(float *y, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = exp1(x[i]);
}

static void erf_scalar(float *y, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = erf1(x[i]);
}

static void bias_gelu_scalar(float *v, const float *bias, int32_t rows, int32_t cols)
{
	for (int32_t r = 0; r < rows; r++)
		for (int32_t j = 0; j < cols; j++) {
			float *p = v + (size_t)r * (size_t)cols + j;
			float a = *p + (bias ? bias[j] : 0.0f);
			*p = 0.5f * a * (1.0f + erf1(a * (float)M_SQRT1_2));
		}
}

static void scale_scalar(float *x, int32_t n, float s)
{
	for (int32_t j = 0; j < n; j++)
		x[j] *= s;
}

static void softmax_row_scalar(float *row, int32_t n)
{
	float mx = row[0];
	for (int32_t j = 1; j < n; j++)
		mx = row[j] > mx ? row[j] : mx;
	double sum = 0;
	for (int32_t j = 0; j < n; j++) {
		row[j] = exp1(row[j] - mx);
		sum += row[j];
	}
	float inv = (float)(1.0 / sum);
	for (int32_t j = 0; j < n; j++)
		row[j] *= inv;
}

static void add_layer_norm_scalar(float *y, const float *bias, const float *res, const float *g, const float *b,
				  int32_t n, float eps)
{
	double sum = 0;
	for (int32_t j = 0; j < n; j++) {
		float v = y[j];
		if (bias)
			v += bias[j];
		if (res)
			v += res[j];
		y[j] = v;
		sum += v;
	}
	double mean = sum / n, var = 0;
	for (int32_t j = 0; j < n; j++) {
		double d = y[j] - mean;
		var += d * d;
	}
	double inv = 1.0 / sqrt(var / n + (double)eps);
	for (int32_t j = 0; j < n; j++)
		y[j] = fmaf((float)((y[j] - mean) * inv), g[j], b[j]);
}


#ifdef VM_NEON

/* ---- NEON (AArch64): the AVX2 kernels on 4 lanes ----
 * Per lane the same float operations as exp8 / erf8 (vfmaq is a fused
 * multiply-add like vfmadd, vrndnq rounds to nearest-even like vroundps);
 * softmax sums in double in the scalar path's order; LayerNorm is the
 * scalar one (its moments are double arithmetic).  test_vmath checks the
 * accuracy against libm under qemu-aarch64 (tests/portability.sh). */

static inline float32x4_t exp4(float32x4_t x)
{
	uint32x4_t under = vcltq_f32(x, vdupq_n_f32(EXP_LO));
	x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(EXP_LO)), vdupq_n_f32(EXP_HI));
	float32x4_t n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(LOG2E)));
	float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(LN2_HI));
	r = vfmsq_f32(r, n, vdupq_n_f32(LN2_LO));
	float32x4_t p = vdupq_n_f32(EXP_C[0]);
	for (int k = 1; k < 8; k++)
		p = vfmaq_f32(vdupq_n_f32(EXP_C[k]), p, r);
	int32x4_t ni = vcvtnq_s32_f32(n);
	int32x4_t half = vshrq_n_s32(ni, 1);
	float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(half, vdupq_n_s32(127)), 23));
	float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vsubq_s32(ni, half), vdupq_n_s32(127)), 23));
	float32x4_t y = vmulq_f32(vmulq_f32(p, s1), s2);
	return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(y), under));
}

static inline float32x4_t erf4(float32x4_t x)
{
	uint32x4_t sign = vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x80000000u));
	float32x4_t a = vabsq_f32(x);
	float32x4_t t = vmulq_f32(a, a);
	float32x4_t p = vdupq_n_f32(ERF_P[6]);
	for (int k = 5; k >= 0; k--)
		p = vfmaq_f32(vdupq_n_f32(ERF_P[k]), p, t);
	float32x4_t small = vmulq_f32(a, p);
	float32x4_t ac = vminq_f32(a, vdupq_n_f32(4.0f));
	uint32x4_t hi = vcgeq_f32(ac, vdupq_n_f32(2.0f));
	float32x4_t u = vsubq_f32(ac, vbslq_f32(hi, vdupq_n_f32(3.0f), vdupq_n_f32(1.5f)));
	float32x4_t q = vbslq_f32(hi, vdupq_n_f32(ERF_Q2[8]), vdupq_n_f32(ERF_Q1[8]));
	for (int k = 7; k >= 0; k--)
		q = vfmaq_f32(vbslq_f32(hi, vdupq_n_f32(ERF_Q2[k]), vdupq_n_f32(ERF_Q1[k])), q, u);
	float32x4_t h = vmulq_f32(ac, ac);
	float32x4_t l = vnegq_f32(vfmsq_f32(h, ac, ac)); /* ac·ac - h, exact */
	float32x4_t e = vmulq_f32(exp4(vnegq_f32(h)), vsubq_f32(vdupq_n_f32(1.0f), l));
	float32x4_t big = vfmsq_f32(vdupq_n_f32(1.0f), e, q);
	float32x4_t r = vbslq_f32(vcltq_f32(a, vdupq_n_f32(1.0f)), small, big);
	r = vbslq_f32(vceqq_f32(x, x), r, x); /* NaN stays NaN */
	return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(r), sign));
}

static inline float32x4_t gelu4(float32x4_t v)
{
	float32x4_t e = erf4(vmulq_f32(v, vdupq_n_f32((float)M_SQRT1_2)));
	return vmulq_f32(vmulq_f32(vdupq_n_f32(0.5f), v), vaddq_f32(vdupq_n_f32(1.0f), e));
}

#define NEON_MAP(y, x, n, f)                                                                                           \
	do {                                                                                                           \
		size_t i_ = 0;                                                                                         \
		for (; i_ + 4 <= (n); i_ += 4)                                                                         \
			vst1q_f32((y) + i_, f(vld1q_f32((x) + i_)));                                                   \
		if (i_ < (n)) {                                                                                        \
			float buf_[4] = {0};                                                                           \
			memcpy(buf_, (x) + i_, ((n) - i_) * sizeof(float));                                            \
			vst1q_f32(buf_, f(vld1q_f32(buf_)));                                                           \
			memcpy((y) + i_, buf_, ((n) - i_) * sizeof(float));                                            \
		}                                                                                                      \
	} while (0)

static void exp_neon(float *y, const float *x, size_t n) { NEON_MAP(y, x, n, exp4); }
static void erf_neon(float *y, const float *x, size_t n) { NEON_MAP(y, x, n, erf4); }

static void bias_gelu_neon(float *v, const float *bias, int32_t rows, int32_t cols)
{
	for (int32_t r = 0; r < rows; r++) {
		float *row = v + (size_t)r * (size_t)cols;
		int32_t j = 0;
		for (; j + 4 <= cols; j += 4) {
			float32x4_t a = vld1q_f32(row + j);
			if (bias)
				a = vaddq_f32(a, vld1q_f32(bias + j));
			vst1q_f32(row + j, gelu4(a));
		}
		if (j < cols) {
			float buf[4] = {0};
			for (int32_t k = j; k < cols; k++)
				buf[k - j] = row[k] + (bias ? bias[k] : 0.0f);
			vst1q_f32(buf, gelu4(vld1q_f32(buf)));
			memcpy(row + j, buf, (size_t)(cols - j) * sizeof(float));
		}
	}
}

static void scale_neon(float *x, int32_t n, float s)
{
	int32_t j = 0;
	for (; j + 4 <= n; j += 4)
		vst1q_f32(x + j, vmulq_n_f32(vld1q_f32(x + j), s));
	for (; j < n; j++)
		x[j] *= s;
}

static void softmax_row_neon(float *row, int32_t n)
{
	float32x4_t mx4 = vdupq_n_f32(-INFINITY);
	int32_t j = 0;
	for (; j + 4 <= n; j += 4)
		mx4 = vmaxq_f32(mx4, vld1q_f32(row + j));
	float mx = vmaxvq_f32(mx4);
	for (; j < n; j++)
		mx = row[j] > mx ? row[j] : mx;
	float32x4_t vmx = vdupq_n_f32(mx);
	float64x2_t acc = vdupq_n_f64(0.0);
	for (j = 0; j + 4 <= n; j += 4) {
		float32x4_t e = exp4(vsubq_f32(vld1q_f32(row + j), vmx));
		vst1q_f32(row + j, e);
		acc = vaddq_f64(acc, vcvt_f64_f32(vget_low_f32(e)));
		acc = vaddq_f64(acc, vcvt_high_f64_f32(e));
	}
	double sum = vaddvq_f64(acc);
	if (j < n) {
		float buf[4] = {0};
		for (int32_t k = j; k < n; k++)
			buf[k - j] = row[k] - mx;
		vst1q_f32(buf, exp4(vld1q_f32(buf)));
		for (int32_t k = j; k < n; k++)
			sum += (row[k] = buf[k - j]);
	}
	float32x4_t inv = vdupq_n_f32((float)(1.0 / sum));
	for (j = 0; j + 4 <= n; j += 4)
		vst1q_f32(row + j, vmulq_f32(vld1q_f32(row + j), inv));
	for (; j < n; j++)
		row[j] *= (float)(1.0 / sum);
}

#endif /* VM_NEON */


/* ---- dispatch ---- */

static const struct vm_kernels KERNELS_SCALAR = {exp_scalar, erf_scalar, bias_gelu_scalar, softmax_row_scalar,
						 add_layer_norm_scalar, scale_scalar};
#ifdef VM_X86
static const struct vm_kernels KERNELS_AVX2 = {exp_avx2, erf_avx2, bias_gelu_avx2, softmax_row_avx2,
					       add_layer_norm_avx2, scale_avx2};
static const struct vm_kernels KERNELS_AVX512 = {exp_avx512, erf_avx512, bias_gelu_avx512, softmax_row_avx512,
						 add_layer_norm_avx512, scale_avx512};
#endif
#ifdef VM_NEON
static const struct vm_kernels KERNELS_NEON = {exp_neon, erf_neon, bias_gelu_neon, softmax_row_neon,
					       add_layer_norm_scalar, scale_neon};
#endif

const struct vm_kernels *vm_kernels_get(enum vm_isa isa)
{
	switch (isa) {
	case VM_ISA_SCALAR:
		return &KERNELS_SCALAR;
#ifdef VM_X86
	case VM_ISA_AVX2:
		return kernels_cpu_has(KF_AVX2) ? &KERNELS_AVX2 : NULL;
	case VM_ISA_AVX512:
		return kernels_cpu_has(KF_AVX512) ? &KERNELS_AVX512 : NULL;
#endif
#ifdef VM_NEON
	case VM_ISA_NEON:
		return &KERNELS_NEON;
#endif
	default:
		return NULL;
	}
}

/* The path of the kernel family in use (kernels.h: chosen once, then a load
 * and a switch per call). */
static const struct vm_kernels *best(void)
{
	switch (kernels_family()) {
#ifdef VM_X86
	case KF_AVX2:
		return &KERNELS_AVX2;
	case KF_AVX512:
	case KF_AVX512BF16:
	case KF_AMX:
		return &KERNELS_AVX512;
#endif
#ifdef VM_NEON
	case KF_NEON:
	case KF_NEONBF16:
		return &KERNELS_NEON;
#endif
	default:
		return &KERNELS_SCALAR;
	}
}

const char *vm_path_name(void)
{
	const struct vm_kernels *k = best();
#ifdef VM_X86
	if (k == &KERNELS_AVX2)
		return "avx2";
	if (k == &KERNELS_AVX512)
		return "avx512";
#endif
#ifdef VM_NEON
	if (k == &KERNELS_NEON)
		return "neon";
#endif
	return "scalar";
}

void vm_exp(float *y, const float *x, size_t n) { best()->exp(y, x, n); }
void vm_erf(float *y, const float *x, size_t n) { best()->erf(y, x, n); }
void vm_bias_gelu(float *v, const float *bias, int32_t rows, int32_t cols) { best()->bias_gelu(v, bias, rows, cols); }
void vm_softmax_row(float *row, int32_t n) { best()->softmax_row(row, n); }
void vm_scale(float *x, int32_t n, float s) { best()->scale(x, n, s); }

void vm_add_layer_norm(float *y, const float *bias, const float *res, const float *g, const float *b, int32_t n,
		       float eps)
{
	best()->add_layer_norm(y, bias, res, g, b, n, eps);
}
