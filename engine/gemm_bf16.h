/*
 * gemm_bf16.h - bfloat16 linear layers with fp32 accumulation (engine
 * internal), on AVX512_BF16's vdpbf16ps.
 *
 * y[rows, out] = x[rows, in] · Wᵀ (+ bias), W stored [out, in] as
 * torch.nn.Linear.  W is rounded to bf16 once (gbf_pack) into column panels
 * of 16 outputs whose k values are interleaved in pairs, the layout vdpbf16ps
 * consumes: panel p, pair k → 32 bf16 {W[16p+c][2k], W[16p+c][2k+1]} for
 * c = 0..15.  x is rounded to bf16 per call (gbf_convert_rows); products of
 * two bf16 values are exact in fp32 and are summed in fp32, so the only
 * precision lost is the rounding of the inputs (relative 2^-9 each).
 *
 * Two kernels compute the same products (and the same fp32 sums, up to
 * their order): AMX (TDPBF16PS on 16×16 tiles) where the CPU has AMX-BF16
 * and Linux grants the tile state, else AVX512_BF16's vdpbf16ps on zmm
 * registers.  Each sums every output over k in an order that does not depend
 * on the row's position in x or on the number of rows, so a row's result does
 * not depend on the batch it is computed in.
 *
 * On AArch64 CPUs with FEAT_BF16 (kernels.h family neonbf16) a third kernel
 * runs on the same packed layout with BFDOT (gemm_bf16.c says how its
 * sums round); the activations are rounded by the same rule.
 *
 * Rounding is to nearest even, as torch's float → bfloat16 conversion.
 * Every function except gbf_supported and gbf_packed_free needs a CPU for
 * which gbf_supported() returns 1; callers check it first.
 */
#ifndef GEMM_BF16_H
#define GEMM_BF16_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

/* What bf16 precision needs, for error messages: the CPU feature and the
 * kernels.h family that enables it. */
#if defined(__aarch64__)
#define GBF_CPU_NEEDS "FEAT_BF16 (BFDOT)"
#define GBF_FAMILY "neonbf16"
#else
#define GBF_CPU_NEEDS "AVX512_BF16 (vdpbf16ps)"
#define GBF_FAMILY "avx512bf16"
#endif

enum gbf_kernel { GBF_KERNEL_AVX512 = 0, GBF_KERNEL_AMX, GBF_KERNEL_NEONBF16 };

struct gbf_packed {
	int32_t out, in;        /* logical shape of W */
	int32_t kpairs;         /* ceil(in / 2): pairs the AVX-512 kernel visits */
	int32_t kpad;           /* kpairs rounded up to 16 (one AMX tile of k) */
	int32_t panels;         /* ceil(out / 16) rounded up to even (AMX takes two) */
	enum gbf_kernel kernel; /* chosen by gbf_pack; tests may switch it to AVX512 (x86-64) */
	uint16_t *data;         /* [panels][kpad][16][2] bf16, zero padded */
};

/* 1 when the bf16 kernels are in use: AVX512F + AVX512BW + AVX512_BF16 on
 * x86-64 (family avx512bf16 or wider), FEAT_BF16 on AArch64 (family
 * neonbf16); else 0. */
int gbf_supported(void);
/* The kernel id of the path (bert_kernels): "bf16-amx", "bf16-avx512bf16" or "bf16-neonbf16". */
const char *gbf_kernel_id(void);
/* 1 when AMX-BF16 is there and Linux lets this process use the tile state
 * (arch_prctl ARCH_REQ_XCOMP_PERM, idempotent), else 0. */
int gbf_amx_usable(void);

/* Round w[out, in] to bf16 into a packed copy.  Errors: CE_E_LIMIT (size), CE_E_NOMEM. */
enum ce_status gbf_pack(const float *w, int32_t out, int32_t in, struct gbf_packed *dst, struct ce_err *err);
void gbf_packed_free(struct gbf_packed *p); /* accepts NULL and zeroed structs */

/* Elements of one converted row: in rounded up to 32 (one AMX tile row). */
static inline size_t gbf_row_stride(int32_t in) { return ((size_t)in + 31u) / 32u * 32u; }
/* Rows a converted buffer must have room for (the AMX kernel reads whole
 * 32-row blocks; the extra rows must hold initialised values, e.g. zeros). */
static inline size_t gbf_rows_alloc(int32_t rows) { return ((size_t)rows + 31u) / 32u * 32u; }

/* dst[rows][gbf_row_stride(in)] = bf16(x[rows][in]), tails padded with 0. */
void gbf_convert_rows(uint16_t *dst, const float *x, int32_t rows, int32_t in);

/* y[rows, w->out] = xb · Wᵀ + bias (bias may be NULL); xb from
 * gbf_convert_rows with in = w->in, allocated for gbf_rows_alloc(rows) rows. */
void gbf_linear(float *y, const uint16_t *xb, const struct gbf_packed *w, const float *bias, int32_t rows);

/* Scalar round-to-nearest-even float → bf16 (NaN stays a quiet NaN); exposed for tests. */
uint16_t gbf_from_f32(float f);
float gbf_to_f32(uint16_t h);

#endif
