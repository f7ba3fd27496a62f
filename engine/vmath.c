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
 */
#include "vmath.h"

#include <math.h>
#include <string.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define VM_AVX2 1
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

#ifdef VM_AVX2

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

void vm_exp(float *y, const float *x, size_t n) { VM_MAP(y, x, n, exp8); }
void vm_erf(float *y, const float *x, size_t n) { VM_MAP(y, x, n, erf8); }

void vm_bias_gelu(float *v, const float *bias, int32_t rows, int32_t cols)
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

void vm_softmax_row(float *row, int32_t n)
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

void vm_add_layer_norm(float *y, const float *bias, const float *res, const float *g, const float *b, int32_t n,
		       float eps)
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

#else /* scalar fallback: the same formulas */

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

void vm_exp(float *y, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = exp1(x[i]);
}

void vm_erf(float *y, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = erf1(x[i]);
}

void vm_bias_gelu(float *v, const float *bias, int32_t rows, int32_t cols)
{
	for (int32_t r = 0; r < rows; r++)
		for (int32_t j = 0; j < cols; j++) {
			float *p = v + (size_t)r * (size_t)cols + j;
			float a = *p + (bias ? bias[j] : 0.0f);
			*p = 0.5f * a * (1.0f + erf1(a * (float)M_SQRT1_2));
		}
}

void vm_softmax_row(float *row, int32_t n)
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

void vm_add_layer_norm(float *y, const float *bias, const float *res, const float *g, const float *b, int32_t n,
		       float eps)
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

#endif
