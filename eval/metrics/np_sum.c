/* np_sum.c - numpy pairwise summation (see np_sum.h). */
#include "np_sum.h"

/*
 * numpy reduces in chunks of at most the ufunc buffer size (8192 elements);
 * within a chunk it sums pairwise: n < 8 sequentially, n <= 128 with eight
 * strided accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)),
 * larger n split at n/2 rounded down to a multiple of 8.
 */
#define NP_PW_BLOCK 128
#define NP_BUFSIZE 8192

#define DEFINE_PAIRWISE(name, T)                                                      \
	static T name(const T *a, size_t n, size_t s)                                 \
	{                                                                             \
		if (n < 8) {                                                          \
			T res = 0;                                                    \
			for (size_t i = 0; i < n; i++)                                \
				res += a[i * s];                                      \
			return res;                                                   \
		}                                                                     \
		if (n <= NP_PW_BLOCK) {                                               \
			T r[8];                                                       \
			for (int j = 0; j < 8; j++)                                   \
				r[j] = a[(size_t)j * s];                              \
			size_t i;                                                     \
			for (i = 8; i < n - (n % 8); i += 8)                          \
				for (int j = 0; j < 8; j++)                           \
					r[j] += a[(i + (size_t)j) * s];               \
			T res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7])); \
			for (; i < n; i++)                                            \
				res += a[i * s];                                      \
			return res;                                                   \
		}                                                                     \
		size_t n2 = n / 2;                                                    \
		n2 -= n2 % 8;                                                         \
		return name(a, n2, s) + name(a + n2 * s, n - n2, s);                  \
	}

DEFINE_PAIRWISE(pairwise_f64, double)
DEFINE_PAIRWISE(pairwise_f32, float)

double np_sum_f64(const double *a, size_t n, size_t stride)
{
	double acc = 0.0;
	for (size_t off = 0; off < n; off += NP_BUFSIZE) {
		size_t len = n - off < NP_BUFSIZE ? n - off : NP_BUFSIZE;
		acc += pairwise_f64(a + off * stride, len, stride);
	}
	return acc;
}

float np_sum_f32(const float *a, size_t n, size_t stride)
{
	float acc = 0.0f;
	for (size_t off = 0; off < n; off += NP_BUFSIZE) {
		size_t len = n - off < NP_BUFSIZE ? n - off : NP_BUFSIZE;
		acc += pairwise_f32(a + off * stride, len, stride);
	}
	return acc;
}
