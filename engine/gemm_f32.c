/*
 * gemm_f32.c - see gemm_f32.h.
 *
 * Same blocking as gemm_bf16.c's vdpbf16ps kernel: an MR × (16·NP) block of y
 * in zmm accumulators (MR ≤ 6, NP ≤ 4: 24 accumulators + 4 weight vectors +
 * one broadcast), one k at a time.  Blocking: ROW_BLOCK rows × KC of x
 * (168 KiB) and COL_BLOCK panels × KC of W (192 KiB) sit in L2, and each
 * 6-row slice of x (6 KiB, L1) meets all COL_BLOCK panels before the next
 * slice is read.  Measured on the 2-core Xeon, one thread, [1008, 768] ·
 * [768, 2304]ᵀ: 182 GFLOP/s, 82% of the FMA peak measured there (222),
 * against 135 with all panels of a K block swept for each slice.
 * y = bias, then y += Σ over each block of KC k
 * (the order of OpenBLAS's sgemm with the bias preloaded and beta = 1).
 */
#include "gemm_f32.h"

#include <string.h>

#include "ce_alloc.h"
#include "kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define GF_X86 1
/* the build targets baseline x86-64: these functions are compiled for the
 * AVX-512F CPUs they run on (and only reached when kernels.h chose avx512) */
#define GF_TARGET __attribute__((target("avx2,fma,avx512f")))
#define GF_INLINE GF_TARGET static inline __attribute__((always_inline))
#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#include <arm_neon.h>
#define GF_NEON 1
#endif

/* KC: k is summed in blocks of KC from zero and each block's sum added to y,
 * as OpenBLAS does with its K blocking; besides keeping the weight block in
 * cache, this keeps the rounding error of K = 3072 sums at OpenBLAS's level
 * (one long chain of 3072 FMAs measured 5× worse). */
enum { MR = 6, NPMAX = 4, ROW_BLOCK = 168, COL_BLOCK = 3 * NPMAX, KC = 256 };

int gf32_supported(void)
{
#if defined(GF_X86)
	return kernels_at_least(KF_AVX512);
#elif defined(GF_NEON)
	return kernels_at_least(KF_NEON);
#else
	return 0;
#endif
}

void gf32_packed_free(struct gf32_packed *p)
{
	if (!p)
		return;
	ce_free(p->data);
	memset(p, 0, sizeof *p);
}

const char *gf32_kernel_id(void)
{
#if defined(GF_NEON)
	return "f32-neon";
#else
	return "f32-avx512";
#endif
}

size_t gf32_packed_floats(int32_t out, int32_t in) { return ((size_t)out + 15u) / 16u * (size_t)in * 16u; }

void gf32_pack_view(const float *w, size_t ldw, int32_t out, int32_t in, float *dst, struct gf32_packed *p)
{
	int32_t panels = (int32_t)(((int64_t)out + 15) / 16);
	for (int32_t pn = 0; pn < panels; pn++)
		for (int32_t k = 0; k < in; k++)
			for (int32_t c = 0; c < 16; c++) {
				int32_t row = pn * 16 + c;
				dst[((size_t)pn * (size_t)in + (size_t)k) * 16u + (size_t)c] =
					row < out ? w[(size_t)row * ldw + (size_t)k] : 0.0f;
			}
	*p = (struct gf32_packed){.out = out, .in = in, .panels = panels, .data = dst};
}

void gf32_pack_t_view(const float *v, size_t ldv, int32_t out, int32_t in, float *dst, struct gf32_packed *p)
{
	int32_t panels = (int32_t)(((int64_t)out + 15) / 16);
	for (int32_t pn = 0; pn < panels; pn++) {
		int32_t cols = out - pn * 16 < 16 ? out - pn * 16 : 16;
		for (int32_t k = 0; k < in; k++) {
			float *d = dst + ((size_t)pn * (size_t)in + (size_t)k) * 16u;
			memcpy(d, v + (size_t)k * ldv + (size_t)pn * 16u, (size_t)cols * sizeof *d);
			if (cols < 16)
				memset(d + cols, 0, (size_t)(16 - cols) * sizeof *d);
		}
	}
	*p = (struct gf32_packed){.out = out, .in = in, .panels = panels, .data = dst};
}

enum ce_status gf32_pack(const float *w, int32_t out, int32_t in, struct gf32_packed *dst, struct ce_err *err)
{
	memset(dst, 0, sizeof *dst);
	CE_CHECK(out >= 1 && in >= 1, err, CE_E_INVALID_ARG, "f32 pack: bad shape [%d, %d]", out, in);
	CE_CHECK((uint64_t)(((int64_t)out + 15) / 16) * (uint64_t)in < ((uint64_t)1 << 40), err, CE_E_LIMIT,
		 "f32 pack: [%d, %d] is too large", out, in);
	float *d = ce_malloc_aligned_array(gf32_packed_floats(out, in), sizeof *d);
	CE_CHECK(d, err, CE_E_NOMEM, "f32 pack: out of memory for [%d, %d]", out, in);
	gf32_pack_view(w, (size_t)in, out, in, d, dst);
	return CE_OK;
}

void gf32_unpack(const struct gf32_packed *p, float *w)
{
	for (int32_t row = 0; row < p->out; row++)
		for (int32_t k = 0; k < p->in; k++)
			w[(size_t)row * (size_t)p->in + (size_t)k] =
				p->data[((size_t)(row / 16) * (size_t)p->in + (size_t)k) * 16u + (size_t)(row % 16)];
}

#ifdef GF_X86

/* y block (+)= Σ_{k < K} a·b; first: y = bias (or 0) + the sum, else y += the sum. */
GF_INLINE void kernel(int MR_, int NP_, const float *a, size_t lda, const float *b, size_t pstride, int32_t K,
		      const float *bias, int first, float *y, size_t ldy, __mmask16 last)
{
	__m512 acc[MR][NPMAX];
#pragma GCC unroll 8
	for (int j = 0; j < NP_; j++)
#pragma GCC unroll 8
		for (int i = 0; i < MR_; i++)
			acc[i][j] = _mm512_setzero_ps();
	for (int32_t k = 0; k < K; k++) {
		__m512 bv[NPMAX];
#pragma GCC unroll 8
		for (int j = 0; j < NP_; j++)
			bv[j] = _mm512_loadu_ps(b + (size_t)j * pstride + (size_t)k * 16u);
#pragma GCC unroll 8
		for (int i = 0; i < MR_; i++) {
			__m512 av = _mm512_set1_ps(a[(size_t)i * lda + (size_t)k]);
#pragma GCC unroll 8
			for (int j = 0; j < NP_; j++)
				acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
		}
	}
#pragma GCC unroll 8
	for (int j = 0; j < NP_; j++) {
		__mmask16 m = j == NP_ - 1 ? last : (__mmask16)0xffff;
		__m512 bj = first && bias ? _mm512_maskz_loadu_ps(m, bias + 16 * j) : _mm512_setzero_ps();
#pragma GCC unroll 8
		for (int i = 0; i < MR_; i++) {
			float *yp = y + (size_t)i * ldy + 16u * (size_t)j;
			__m512 base = first ? bj : _mm512_maskz_loadu_ps(m, yp);
			_mm512_mask_storeu_ps(yp, m, _mm512_add_ps(base, acc[i][j]));
		}
	}
}

#define GF_K(mr, np)                                                                                             \
	GF_TARGET static void kernel_##mr##_##np(const float *a, size_t lda, const float *b, size_t ps, int32_t K, \
						  const float *bias, int first, float *y, size_t ldy,             \
						  __mmask16 last)                                                 \
	{                                                                                                        \
		kernel(mr, np, a, lda, b, ps, K, bias, first, y, ldy, last);                                     \
	}
#define GF_KROW(mr) GF_K(mr, 1) GF_K(mr, 2) GF_K(mr, 3) GF_K(mr, 4)
GF_KROW(1)
GF_KROW(2)
GF_KROW(3)
GF_KROW(4)
GF_KROW(5)
GF_KROW(6)

typedef void (*kernel_fn)(const float *, size_t, const float *, size_t, int32_t, const float *, int, float *,
			  size_t, __mmask16);
#define GF_KROWP(mr) {kernel_##mr##_1, kernel_##mr##_2, kernel_##mr##_3, kernel_##mr##_4}
static const kernel_fn KERNELS[MR][NPMAX] = {GF_KROWP(1), GF_KROWP(2), GF_KROWP(3),
					     GF_KROWP(4), GF_KROWP(5), GF_KROWP(6)};

GF_TARGET void gf32_gemm(float *y, size_t ldy, const float *x, size_t lda, const struct gf32_packed *w,
			 const float *bias, int32_t rows)
{
	const size_t pstride = (size_t)w->in * 16u;
	const int32_t rem = w->out - 16 * (w->panels - 1); /* 1..16 columns in the last panel */
	const __mmask16 tail = rem == 16 ? (__mmask16)0xffff : (__mmask16)((1u << rem) - 1u);
	for (int32_t r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
		int32_t r1 = rows - r0 < ROW_BLOCK ? rows : r0 + ROW_BLOCK;
		for (int32_t k0 = 0; k0 < w->in; k0 += KC) {
			int32_t kc = w->in - k0 < KC ? w->in - k0 : KC;
			for (int32_t c0 = 0; c0 < w->panels; c0 += COL_BLOCK) {
				int32_t c1 = w->panels - c0 < COL_BLOCK ? w->panels : c0 + COL_BLOCK;
				for (int32_t r = r0; r < r1; r += MR) {
					int32_t mr = r1 - r < MR ? r1 - r : MR;
					for (int32_t p = c0; p < c1; p += NPMAX) {
						int32_t np = c1 - p < NPMAX ? c1 - p : NPMAX;
						__mmask16 last = p + np == w->panels ? tail : (__mmask16)0xffff;
						KERNELS[mr - 1][np - 1](x + (size_t)r * lda + (size_t)k0, lda,
									w->data + (size_t)p * pstride + (size_t)k0 * 16u,
									pstride, kc, bias ? bias + 16 * (size_t)p : NULL,
									k0 == 0, y + (size_t)r * ldy + 16 * (size_t)p, ldy,
									last);
					}
				}
			}
		}
	}
}

#elif defined(GF_NEON)

enum { NMR = 5 };

/* AArch64: one 16-column panel per call (four q registers per row), NMR ≤ 5
 * rows: 20 accumulators, the rows' next four k in five registers (each k
 * taken with vfmaq_laneq_f32) and one k's four weight vectors, within the 32
 * vector registers (with 6 rows gcc 12 spilled accumulators inside the k
 * loop; not timed on arm64 hardware).  The blocking, the KC split of k and
 * the order of every sum are those of the AVX-512F kernel above: y = bias +
 * Σ over the first KC block, then y += Σ over each next block, each Σ one
 * fused multiply-add per k in increasing k, so a row's result does not
 * depend on the batch it is in.  (The gemm's bits are AVX-512F's; the
 * family's other kernels, vmath.h, differ, hence a kernel id of its own.) */

/* acc[i][0..3] += a_i[lane] · b[0..15] for the k whose weights are at b. */
#define GF_STEP(lane, bk)                                                                        \
	do {                                                                                     \
		_Pragma("GCC unroll 4") for (int j = 0; j < 4; j++)                              \
		{                                                                                \
			float32x4_t bv = vld1q_f32((bk) + 4 * j);                                \
			_Pragma("GCC unroll 5") for (int i = 0; i < MR_; i++) acc[i][j] =        \
				vfmaq_laneq_f32(acc[i][j], bv, av[i], lane);                     \
		}                                                                                \
	} while (0)

/* y block (+)= Σ_{k < K} a·b over ncol ≤ 16 columns; first: y = bias (or 0) + the sum, else y += the sum. */
static inline __attribute__((always_inline)) void kernel(int MR_, const float *a, size_t lda, const float *b,
							 int32_t K, const float *bias, int first, float *y,
							 size_t ldy, int ncol)
{
	float32x4_t acc[NMR][4];
#pragma GCC unroll 5
	for (int i = 0; i < MR_; i++)
#pragma GCC unroll 4
		for (int j = 0; j < 4; j++)
			acc[i][j] = vdupq_n_f32(0.0f);
	int32_t k = 0;
	for (; k + 4 <= K; k += 4) {
		float32x4_t av[NMR];
#pragma GCC unroll 5
		for (int i = 0; i < MR_; i++)
			av[i] = vld1q_f32(a + (size_t)i * lda + (size_t)k);
		const float *bk = b + (size_t)k * 16u;
		GF_STEP(0, bk);
		GF_STEP(1, bk + 16);
		GF_STEP(2, bk + 32);
		GF_STEP(3, bk + 48);
	}
	for (; k < K; k++) {
		const float *bk = b + (size_t)k * 16u;
#pragma GCC unroll 4
		for (int j = 0; j < 4; j++) {
			float32x4_t bv = vld1q_f32(bk + 4 * j);
#pragma GCC unroll 5
			for (int i = 0; i < MR_; i++)
				acc[i][j] = vfmaq_n_f32(acc[i][j], bv, a[(size_t)i * lda + (size_t)k]);
		}
	}
	float bb[16] = {0};
	if (first && bias)
		memcpy(bb, bias, (size_t)ncol * sizeof *bb);
#pragma GCC unroll 5
	for (int i = 0; i < MR_; i++) {
		float *yp = y + (size_t)i * ldy;
		if (ncol == 16) {
#pragma GCC unroll 4
			for (int j = 0; j < 4; j++) {
				float32x4_t base = first ? vld1q_f32(bb + 4 * j) : vld1q_f32(yp + 4 * j);
				vst1q_f32(yp + 4 * j, vaddq_f32(base, acc[i][j]));
			}
		} else {
			float t[16];
#pragma GCC unroll 4
			for (int j = 0; j < 4; j++)
				vst1q_f32(t + 4 * j, acc[i][j]);
			for (int c = 0; c < ncol; c++)
				yp[c] = (first ? bb[c] : yp[c]) + t[c];
		}
	}
}
#undef GF_STEP

#define GF_K(mr)                                                                                           \
	static void kernel_##mr(const float *a, size_t lda, const float *b, int32_t K, const float *bias,  \
				int first, float *y, size_t ldy, int ncol)                                 \
	{                                                                                                  \
		kernel(mr, a, lda, b, K, bias, first, y, ldy, ncol);                                       \
	}
GF_K(1)
GF_K(2)
GF_K(3)
GF_K(4)
GF_K(5)

typedef void (*kernel_fn)(const float *, size_t, const float *, int32_t, const float *, int, float *, size_t, int);
static const kernel_fn KERNELS[NMR] = {kernel_1, kernel_2, kernel_3, kernel_4, kernel_5};

void gf32_gemm(float *y, size_t ldy, const float *x, size_t lda, const struct gf32_packed *w, const float *bias,
	       int32_t rows)
{
	const size_t pstride = (size_t)w->in * 16u;
	const int32_t rem = w->out - 16 * (w->panels - 1); /* 1..16 columns in the last panel */
	for (int32_t r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
		int32_t r1 = rows - r0 < ROW_BLOCK ? rows : r0 + ROW_BLOCK;
		for (int32_t k0 = 0; k0 < w->in; k0 += KC) {
			int32_t kc = w->in - k0 < KC ? w->in - k0 : KC;
			for (int32_t c0 = 0; c0 < w->panels; c0 += COL_BLOCK) {
				int32_t c1 = w->panels - c0 < COL_BLOCK ? w->panels : c0 + COL_BLOCK;
				for (int32_t r = r0; r < r1; r += NMR) {
					int32_t mr = r1 - r < NMR ? r1 - r : NMR;
					for (int32_t p = c0; p < c1; p++)
						KERNELS[mr - 1](x + (size_t)r * lda + (size_t)k0, lda,
								w->data + (size_t)p * pstride + (size_t)k0 * 16u, kc,
								bias ? bias + 16 * (size_t)p : NULL, k0 == 0,
								y + (size_t)r * ldy + 16 * (size_t)p, ldy,
								p == w->panels - 1 ? rem : 16);
				}
			}
		}
	}
}

#else /* neither x86-64 nor AArch64: gf32_supported() is 0, so this is never reached */

void gf32_gemm(float *y, size_t ldy, const float *x, size_t lda, const struct gf32_packed *w, const float *bias,
	       int32_t rows)
{
	(void)y, (void)ldy, (void)x, (void)lda, (void)w, (void)bias, (void)rows;
	CE_ASSERT(0);
}

#endif

void gf32_linear(float *y, const float *x, const struct gf32_packed *w, const float *bias, int32_t rows)
{
	gf32_gemm(y, (size_t)w->out, x, (size_t)w->in, w, bias, rows);
}
