/*
 * gemm_bf16.c - see gemm_bf16.h.
 *
 * The micro-kernel keeps an MR × (16·NP) block of y in zmm accumulators
 * (MR ≤ 6 rows, NP ≤ 4 panels: 24 accumulators + 4 weight vectors + one
 * broadcast fit the 32 zmm registers).  For each k pair it loads one 32-bf16
 * vector per panel and broadcasts the pair {x[r][2k], x[r][2k+1]} of each row
 * as one 32-bit value; vdpbf16ps then adds both products to every lane.
 * Rows are taken in blocks of ROW_BLOCK so that the converted activations of
 * a block stay in L2 while all column panels stream past them.
 *
 * Measured on the 2-core Xeon (AMX, AVX512_BF16) this was written on, one
 * thread, 2048 × 768 → 3072: vdpbf16ps runs at about one per two cycles, so
 * this kernel reaches ~80 GFLOP/s, no more than OpenBLAS's Haswell sgemm;
 * the AMX kernel below reaches ~400 GFLOP/s and is used wherever it can be.
 *
 * The kernels are compiled for AVX512_BF16 with a target attribute (the rest
 * of the build targets baseline x86-64) and only reached after gbf_supported().
 */
#include "gemm_bf16.h"

#include <string.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "ce_alloc.h"
#include "kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define GBF_X86 1
#define GBF_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#define GBF_INLINE GBF_TARGET static inline __attribute__((always_inline))
#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#include <arm_neon.h>
#define GBF_NEON 1
/* the build targets baseline armv8-a: BFDOT is compiled for FEAT_BF16 here
 * (arm_neon.h declares the bf16 intrinsics under this same target) */
#define GBF_TARGET __attribute__((target("arch=armv8.2-a+bf16")))
#define GBF_INLINE GBF_TARGET static inline __attribute__((always_inline))
#endif

enum { MR = 6, NPMAX = 4, ROW_BLOCK = 192 };

int gbf_supported(void)
{
#if defined(GBF_X86)
	return kernels_at_least(KF_AVX512BF16);
#elif defined(GBF_NEON)
	return kernels_at_least(KF_NEONBF16);
#else
	return 0;
#endif
}

int gbf_amx_usable(void)
{
#if defined(GBF_X86) && defined(__linux__) && defined(SYS_arch_prctl)
	/* kernels.h checks the AMX-BF16 and AMX-TILE CPUID bits */
	if (!kernels_at_least(KF_AMX))
		return 0;
	/* Linux ≥ 5.16 hands out the 8 KiB tile state only on request
	 * (Documentation/arch/x86/xstate.rst); 0x1023 = ARCH_REQ_XCOMP_PERM,
	 * 18 = XFEATURE_XTILEDATA.  The grant is per process and idempotent. */
	return syscall(SYS_arch_prctl, 0x1023, 18) == 0;
#else
	return 0;
#endif
}

const char *gbf_kernel_id(void)
{
#if defined(GBF_NEON)
	return "bf16-neonbf16";
#else
	return gbf_amx_usable() ? "bf16-amx" : "bf16-avx512bf16";
#endif
}

uint16_t gbf_from_f32(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN: keep the sign, force quiet */
		return (uint16_t)((u >> 16) | 0x0040u);
	/* round to nearest, ties to even, on the 16 dropped bits (as vcvtne2ps2bf16) */
	u += 0x7fffu + ((u >> 16) & 1u);
	return (uint16_t)(u >> 16);
}

float gbf_to_f32(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

void gbf_packed_free(struct gbf_packed *p)
{
	if (!p)
		return;
	ce_free(p->data);
	memset(p, 0, sizeof *p);
}

enum ce_status gbf_pack(const float *w, int32_t out, int32_t in, struct gbf_packed *dst, struct ce_err *err)
{
	memset(dst, 0, sizeof *dst);
	CE_CHECK(out >= 1 && in >= 1, err, CE_E_INVALID_ARG, "bf16 pack: bad shape [%d, %d]", out, in);
	int32_t kpairs = (int32_t)(((int64_t)in + 1) / 2), kpad = (kpairs + 15) / 16 * 16;
	int32_t panels = (int32_t)(((int64_t)out + 31) / 32 * 2);
	CE_CHECK((uint64_t)panels * (uint64_t)kpad < ((uint64_t)1 << 40), err, CE_E_LIMIT,
		 "bf16 pack: [%d, %d] is too large", out, in);
	size_t n = (size_t)panels * (size_t)kpad * 32u;
	uint16_t *d = ce_malloc_aligned_array(n, sizeof *d);
	CE_CHECK(d, err, CE_E_NOMEM, "bf16 pack: out of memory for [%d, %d]", out, in);
	for (int32_t p = 0; p < panels; p++)
		for (int32_t k = 0; k < kpad; k++)
			for (int32_t c = 0; c < 16; c++)
				for (int32_t e = 0; e < 2; e++) {
					int32_t row = p * 16 + c, col = 2 * k + e;
					float v = row < out && col < in ? w[(size_t)row * (size_t)in + (size_t)col] : 0.0f;
					d[(((size_t)p * (size_t)kpad + (size_t)k) * 16u + (size_t)c) * 2u + (size_t)e] =
						gbf_from_f32(v);
				}
	*dst = (struct gbf_packed){.out = out,
				   .in = in,
				   .kpairs = kpairs,
				   .kpad = kpad,
				   .panels = panels,
#if defined(GBF_NEON)
				   .kernel = GBF_KERNEL_NEONBF16,
#else
				   .kernel = gbf_amx_usable() ? GBF_KERNEL_AMX : GBF_KERNEL_AVX512,
#endif
				   .data = d};
	return CE_OK;
}

#ifdef GBF_X86

GBF_TARGET void gbf_convert_rows(uint16_t *dst, const float *x, int32_t rows, int32_t in)
{
	size_t stride = gbf_row_stride(in);
	for (int32_t r = 0; r < rows; r++) {
		const float *s = x + (size_t)r * (size_t)in;
		uint16_t *o = dst + (size_t)r * stride;
		for (size_t k = 0; k < stride; k += 32) {
			size_t left = (size_t)in - k; /* ≥ 1: k < stride < in + 32 and k, stride are multiples of 32 */
			__mmask16 mlo = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1u);
			__mmask16 mhi = left >= 32 ? (__mmask16)0xffff
					: left > 16 ? (__mmask16)((1u << (left - 16)) - 1u)
						    : (__mmask16)0;
			__m512 lo = _mm512_maskz_loadu_ps(mlo, s + k);
			__m512 hi = _mm512_maskz_loadu_ps(mhi, s + k + 16);
			__m512bh b = _mm512_cvtne2ps_pbh(hi, lo);
			size_t sl = stride - k;
			__mmask32 ms = sl >= 32 ? (__mmask32)0xffffffffu : (__mmask32)((1u << sl) - 1u);
			_mm512_mask_storeu_epi16(o + k, ms, (__m512i)b);
		}
	}
}

/* One MR_ × 16·NP_ block of y over all k pairs; the last panel stores only `last` columns. */
GBF_INLINE void kernel(int MR_, int NP_, const uint16_t *a, size_t lda, const uint16_t *b, size_t pstride,
		       int32_t kpairs, const float *bias, float *y, size_t ldy, __mmask16 last)
{
	__m512 acc[MR][NPMAX];
#pragma GCC unroll 8
	for (int j = 0; j < NP_; j++) {
		__mmask16 m = j == NP_ - 1 ? last : (__mmask16)0xffff;
		__m512 bj = bias ? _mm512_maskz_loadu_ps(m, bias + 16 * j) : _mm512_setzero_ps();
#pragma GCC unroll 8
		for (int i = 0; i < MR_; i++)
			acc[i][j] = bj;
	}
	for (int32_t k = 0; k < kpairs; k++) {
		__m512i bv[NPMAX];
#pragma GCC unroll 8
		for (int j = 0; j < NP_; j++)
			bv[j] = _mm512_loadu_si512((const void *)(b + (size_t)j * pstride + (size_t)k * 32u));
#pragma GCC unroll 8
		for (int i = 0; i < MR_; i++) {
			int32_t pair;
			memcpy(&pair, a + (size_t)i * lda + 2u * (size_t)k, sizeof pair);
			__m512i av = _mm512_set1_epi32(pair);
#pragma GCC unroll 8
			for (int j = 0; j < NP_; j++)
				acc[i][j] = _mm512_dpbf16_ps(acc[i][j], (__m512bh)av, (__m512bh)bv[j]);
		}
	}
#pragma GCC unroll 8
	for (int i = 0; i < MR_; i++)
#pragma GCC unroll 8
		for (int j = 0; j < NP_; j++)
			_mm512_mask_storeu_ps(y + (size_t)i * ldy + 16u * (size_t)j,
					      j == NP_ - 1 ? last : (__mmask16)0xffff, acc[i][j]);
}

/* Instantiate the kernel for every (rows, panels) shape so that the loops above unroll into registers. */
#define GBF_K(mr, np)                                                                                            \
	GBF_TARGET static void kernel_##mr##_##np(const uint16_t *a, size_t lda, const uint16_t *b, size_t ps,   \
						   int32_t kp, const float *bias, float *y, size_t ldy,          \
						   __mmask16 last)                                              \
	{                                                                                                        \
		kernel(mr, np, a, lda, b, ps, kp, bias, y, ldy, last);                                           \
	}
#define GBF_KROW(mr) GBF_K(mr, 1) GBF_K(mr, 2) GBF_K(mr, 3) GBF_K(mr, 4)
GBF_KROW(1)
GBF_KROW(2)
GBF_KROW(3)
GBF_KROW(4)
GBF_KROW(5)
GBF_KROW(6)

typedef void (*kernel_fn)(const uint16_t *, size_t, const uint16_t *, size_t, int32_t, const float *, float *, size_t,
			  __mmask16);
#define GBF_KROWP(mr) {kernel_##mr##_1, kernel_##mr##_2, kernel_##mr##_3, kernel_##mr##_4}
static const kernel_fn KERNELS[MR][NPMAX] = {GBF_KROWP(1), GBF_KROWP(2), GBF_KROWP(3),
					     GBF_KROWP(4), GBF_KROWP(5), GBF_KROWP(6)};

GBF_TARGET static void avx512_linear(float *y, const uint16_t *xb, const struct gbf_packed *w, const float *bias,
				      int32_t rows)
{
	const size_t lda = gbf_row_stride(w->in), ldy = (size_t)w->out, pstride = (size_t)w->kpad * 32u;
	const int32_t panels = (w->out + 15) / 16;         /* without the AMX padding panel */
	const int32_t rem = w->out - 16 * (panels - 1);     /* 1..16 columns in the last panel */
	const __mmask16 tail = rem == 16 ? (__mmask16)0xffff : (__mmask16)((1u << rem) - 1u);
	for (int32_t r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
		int32_t r1 = rows - r0 < ROW_BLOCK ? rows : r0 + ROW_BLOCK;
		for (int32_t p = 0; p < panels; p += NPMAX) {
			int32_t np = panels - p < NPMAX ? panels - p : NPMAX;
			__mmask16 last = p + np == panels ? tail : (__mmask16)0xffff;
			const uint16_t *b = w->data + (size_t)p * pstride;
			const float *bp = bias ? bias + 16 * (size_t)p : NULL;
			for (int32_t r = r0; r < r1; r += MR) {
				int32_t mr = r1 - r < MR ? r1 - r : MR;
				KERNELS[mr - 1][np - 1](xb + (size_t)r * lda, lda, b, pstride, w->kpairs, bp,
							y + (size_t)r * ldy + 16 * (size_t)p, ldy, last);
			}
		}
	}
}

/* AMX: tiles 0-3 accumulate a 32 × 32 block of y (2 × 2 tiles of 16 × 16
 * fp32), tiles 4-5 hold 16 rows × 32 k of x each, tiles 6-7 hold 16 k pairs of
 * two column panels (the packed layout is already the pair-interleaved one
 * TDPBF16PS wants for its second operand).  Blocks are always whole: x has
 * room for 32-row blocks and W has an even number of zero-padded panels; only
 * the valid part of each block is copied out (with the bias added). */
struct amx_tilecfg {
	uint8_t palette, start_row;
	uint8_t reserved[14];
	uint16_t colsb[16];
	uint8_t rows[16];
};

#define GBF_AMX_TARGET __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512bf16")))

GBF_AMX_TARGET static void amx_linear(float *y, const uint16_t *xb, const struct gbf_packed *w, const float *bias,
				      int32_t rows)
{
	const size_t lda = gbf_row_stride(w->in), pstride = (size_t)w->kpad * 32u;
	struct amx_tilecfg cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.palette = 1;
	for (int t = 0; t < 8; t++) {
		cfg.colsb[t] = 64;
		cfg.rows[t] = 16;
	}
	_tile_loadconfig(&cfg);
	_Alignas(64) float cb[4][16 * 16];
	for (int32_t r0 = 0; r0 < rows; r0 += 32) {
		const uint16_t *a = xb + (size_t)r0 * lda;
		for (int32_t p = 0; p < w->panels; p += 2) {
			const uint16_t *b = w->data + (size_t)p * pstride;
			_tile_zero(0);
			_tile_zero(1);
			_tile_zero(2);
			_tile_zero(3);
			for (int32_t kb = 0; kb < w->kpad; kb += 16) {
				_tile_loadd(4, a + 2 * (size_t)kb, lda * 2);
				_tile_loadd(5, a + 16 * lda + 2 * (size_t)kb, lda * 2);
				_tile_loadd(6, b + (size_t)kb * 32u, 64);
				_tile_loadd(7, b + pstride + (size_t)kb * 32u, 64);
				_tile_dpbf16ps(0, 4, 6);
				_tile_dpbf16ps(1, 4, 7);
				_tile_dpbf16ps(2, 5, 6);
				_tile_dpbf16ps(3, 5, 7);
			}
			_tile_stored(0, cb[0], 64);
			_tile_stored(1, cb[1], 64);
			_tile_stored(2, cb[2], 64);
			_tile_stored(3, cb[3], 64);
			for (int t = 0; t < 4; t++) {
				int32_t rb = r0 + 16 * (t >> 1), cbase = 16 * (p + (t & 1));
				int32_t nr = rows - rb < 16 ? rows - rb : 16, nc = w->out - cbase < 16 ? w->out - cbase : 16;
				if (nr <= 0 || nc <= 0)
					continue;
				__mmask16 m = nc == 16 ? (__mmask16)0xffff : (__mmask16)((1u << nc) - 1u);
				__m512 bv = bias ? _mm512_maskz_loadu_ps(m, bias + cbase) : _mm512_setzero_ps();
				for (int32_t i = 0; i < nr; i++)
					_mm512_mask_storeu_ps(y + (size_t)(rb + i) * (size_t)w->out + (size_t)cbase, m,
							      _mm512_add_ps(_mm512_load_ps(cb[t] + 16 * i), bv));
			}
		}
	}
	_tile_release();
}

void gbf_linear(float *y, const uint16_t *xb, const struct gbf_packed *w, const float *bias, int32_t rows)
{
	if (w->kernel == GBF_KERNEL_AMX)
		amx_linear(y, xb, w, bias, rows);
	else
		avx512_linear(y, xb, w, bias, rows);
}

#else /* not x86-64 */

/* gbf_from_f32's rounding (the rule vcvtne2ps2bf16 follows on x86-64), row by row */
void gbf_convert_rows(uint16_t *dst, const float *x, int32_t rows, int32_t in)
{
	size_t stride = gbf_row_stride(in);
	for (int32_t r = 0; r < rows; r++)
		for (size_t k = 0; k < stride; k++)
			dst[(size_t)r * stride + k] = k < (size_t)in ? gbf_from_f32(x[(size_t)r * (size_t)in + k]) : 0;
}

#if defined(GBF_NEON)

enum { NMR = 5 };

/* AArch64 with FEAT_BF16: BFDOT on the packed layout above, read as four
 * vectors of 8 bf16 per k pair (columns 4j..4j+3, each with its pair), with
 * the rows' next four pairs in one vector each (vbfdotq_laneq_f32 picks the
 * pair).  NMR ≤ 5 rows × one 16-column panel: 20 accumulators, as
 * gemm_f32.c's NEON kernel.  Every output starts at the bias and adds one
 * BFDOT per k pair, in increasing k, whatever the rows: batch-independent.
 * BFDOT itself (Arm ARM, FPCR.EBF = 0) adds the pair's two exact products
 * and then the accumulator, rounding each sum to odd with denormals flushed,
 * where vdpbf16ps does two round-to-nearest FMAs: the last bits differ from
 * the x86-64 kernels, the inputs (rounded by gbf_convert_rows, as there) do
 * not.  k pairs are taken four at a time: the rows' stride and the packed
 * kpad are multiples of 16 pairs and both are zero past the end. */

#define GBF_STEP(lane, bk)                                                                       \
	do {                                                                                     \
		_Pragma("GCC unroll 4") for (int j = 0; j < 4; j++)                              \
		{                                                                                \
			bfloat16x8_t bv = vreinterpretq_bf16_u16(vld1q_u16((bk) + 8 * j));       \
			_Pragma("GCC unroll 5") for (int i = 0; i < MR_; i++) acc[i][j] =        \
				vbfdotq_laneq_f32(acc[i][j], bv, av[i], lane);                   \
		}                                                                                \
	} while (0)

/* One MR_ × 16 block of y (ncol ≤ 16 columns stored) over kp4 k pairs. */
GBF_INLINE void neon_kernel(int MR_, const uint16_t *a, size_t lda, const uint16_t *b, int32_t kp4,
			    const float *bias, float *y, size_t ldy, int ncol)
{
	float32x4_t acc[NMR][4];
	float bb[16] = {0};
	if (bias)
		memcpy(bb, bias, (size_t)ncol * sizeof *bb);
#pragma GCC unroll 4
	for (int j = 0; j < 4; j++) {
		float32x4_t bj = vld1q_f32(bb + 4 * j);
#pragma GCC unroll 5
		for (int i = 0; i < MR_; i++)
			acc[i][j] = bj;
	}
	for (int32_t k = 0; k < kp4; k += 4) {
		bfloat16x8_t av[NMR];
#pragma GCC unroll 5
		for (int i = 0; i < MR_; i++)
			av[i] = vreinterpretq_bf16_u16(vld1q_u16(a + (size_t)i * lda + 2u * (size_t)k));
		const uint16_t *bk = b + (size_t)k * 32u;
		GBF_STEP(0, bk);
		GBF_STEP(1, bk + 32);
		GBF_STEP(2, bk + 64);
		GBF_STEP(3, bk + 96);
	}
#pragma GCC unroll 5
	for (int i = 0; i < MR_; i++) {
		float *yp = y + (size_t)i * ldy;
		if (ncol == 16) {
#pragma GCC unroll 4
			for (int j = 0; j < 4; j++)
				vst1q_f32(yp + 4 * j, acc[i][j]);
		} else {
			float t[16];
#pragma GCC unroll 4
			for (int j = 0; j < 4; j++)
				vst1q_f32(t + 4 * j, acc[i][j]);
			memcpy(yp, t, (size_t)ncol * sizeof *yp);
		}
	}
}
#undef GBF_STEP

#define GBF_K(mr)                                                                                         \
	GBF_TARGET static void kernel_##mr(const uint16_t *a, size_t lda, const uint16_t *b, int32_t kp4, \
					   const float *bias, float *y, size_t ldy, int ncol)             \
	{                                                                                                 \
		neon_kernel(mr, a, lda, b, kp4, bias, y, ldy, ncol);                                      \
	}
GBF_K(1)
GBF_K(2)
GBF_K(3)
GBF_K(4)
GBF_K(5)

typedef void (*kernel_fn)(const uint16_t *, size_t, const uint16_t *, int32_t, const float *, float *, size_t, int);
static const kernel_fn KERNELS[NMR] = {kernel_1, kernel_2, kernel_3, kernel_4, kernel_5};

void gbf_linear(float *y, const uint16_t *xb, const struct gbf_packed *w, const float *bias, int32_t rows)
{
	const size_t lda = gbf_row_stride(w->in), ldy = (size_t)w->out, pstride = (size_t)w->kpad * 32u;
	const int32_t panels = (w->out + 15) / 16;     /* without the AMX padding panel */
	const int32_t rem = w->out - 16 * (panels - 1); /* 1..16 columns in the last panel */
	const int32_t kp4 = (w->kpairs + 3) / 4 * 4;    /* ≤ kpad and ≤ lda / 2 */
	for (int32_t r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
		int32_t r1 = rows - r0 < ROW_BLOCK ? rows : r0 + ROW_BLOCK;
		for (int32_t p = 0; p < panels; p++) {
			const uint16_t *b = w->data + (size_t)p * pstride;
			const float *bp = bias ? bias + 16 * (size_t)p : NULL;
			for (int32_t r = r0; r < r1; r += NMR) {
				int32_t mr = r1 - r < NMR ? r1 - r : NMR;
				KERNELS[mr - 1](xb + (size_t)r * lda, lda, b, kp4, bp, y + (size_t)r * ldy + 16 * (size_t)p,
						ldy, p == panels - 1 ? rem : 16);
			}
		}
	}
}

#else /* neither x86-64 nor AArch64: gbf_supported() is 0, so this is never reached */

void gbf_linear(float *y, const uint16_t *xb, const struct gbf_packed *w, const float *bias, int32_t rows)
{
	(void)y, (void)xb, (void)w, (void)bias, (void)rows; /* gbf_supported() is 0 here */
	CE_ASSERT(0);
}

#endif
#endif
