/*
 * gemm_f32.h - fp32 linear layers on AVX-512F or AArch64 NEON (engine
 * internal).
 *
 * y[rows, out] = x[rows, in] · Wᵀ (+ bias), W stored [out, in] as
 * torch.nn.Linear, repacked once (gf32_pack) into column panels of 16
 * outputs: panel p, k → 16 floats W[16p + c][k].  Every output is
 * bias + Σ_k x·w summed with fused multiply-adds in increasing k, in
 * fp32, whatever the number of rows or the row's position, so a row's result
 * does not depend on the batch it is in (OpenBLAS's does, slightly).
 *
 * Why not OpenBLAS: the environment pins OpenBLAS 0.3.21 to its Haswell
 * (AVX2) kernels (it does not know recent CPUs); on AVX-512 hardware with
 * two 512-bit FMA ports this kernel does twice the FMAs per instruction.
 * On AArch64 the same blocking runs on NEON (vfmaq_laneq_f32), so that the
 * neon family's rows are batch-independent as avx512's are; OpenBLAS stays
 * the portable family's path there.  Only reached after gf32_supported().
 */
#ifndef GEMM_F32_H
#define GEMM_F32_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct gf32_packed {
	int32_t out, in; /* logical shape of W */
	int32_t panels;  /* ceil(out / 16) */
	float *data;     /* [panels][in][16], zero padded */
};

/* 1 when the kernels are in use: AVX-512F on x86-64 (kernels.h family
 * avx512 or wider), NEON on AArch64 (family neon or wider); else 0. */
int gf32_supported(void);
/* The kernel id of the path (bert_kernels): "f32-avx512" or "f32-neon". */
const char *gf32_kernel_id(void);

/* Repack w[out, in].  Errors: CE_E_INVALID_ARG (shape), CE_E_LIMIT, CE_E_NOMEM. */
enum ce_status gf32_pack(const float *w, int32_t out, int32_t in, struct gf32_packed *dst, struct ce_err *err);
void gf32_packed_free(struct gf32_packed *p); /* accepts NULL and zeroed structs */
/* The inverse of gf32_pack: w[out, in] from the panels. */
void gf32_unpack(const struct gf32_packed *p, float *w);

/* y[rows, w->out] = x[rows, w->in] · Wᵀ + bias (bias may be NULL). */
void gf32_linear(float *y, const float *x, const struct gf32_packed *w, const float *bias, int32_t rows);
/* The same with row strides: x rows lda floats apart, y rows ldy apart. */
void gf32_gemm(float *y, size_t ldy, const float *x, size_t lda, const struct gf32_packed *w, const float *bias,
	       int32_t rows);

/* Packing into caller memory (for operands that change every call, such as
 * attention's keys and values): dst holds gf32_packed_floats(out, in) floats
 * (64-byte aligned is fastest); *p describes it and does not own it (never
 * gf32_packed_free a view).  gf32_pack_view packs W = w[out, in] (rows ldw
 * apart); gf32_pack_t_view packs W = vᵀ for v[in, out] (rows ldv apart). */
size_t gf32_packed_floats(int32_t out, int32_t in);
void gf32_pack_view(const float *w, size_t ldw, int32_t out, int32_t in, float *dst, struct gf32_packed *p);
void gf32_pack_t_view(const float *v, size_t ldv, int32_t out, int32_t in, float *dst, struct gf32_packed *p);

#endif
