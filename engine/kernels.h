/*
 * kernels.h - which compute kernels the engine runs (engine internal; the
 * public face is engine.h's engine_kernels_*).
 *
 * The build targets the baseline of its architecture (x86-64, or AArch64);
 * the wider kernels are compiled for their own instruction sets and one
 * family is chosen once per process, from what the CPU has (CPUID on x86-64;
 * on AArch64 NEON is architectural and FEAT_BF16 is read from the kernel's
 * AT_HWCAP2), capped by the environment variable
 * CEVAL_KERNELS when it is set.  Families, narrowest first:
 *
 *   x86-64:  portable < avx2 < avx512 < avx512bf16 < amx
 *   AArch64: portable < neon < neonbf16
 *
 *   portable    fp32 gemm, attention and k-NN on OpenBLAS, vector maths in C
 *   avx2        + AVX2/FMA vector maths
 *   avx512      + ceval's AVX-512F fp32 gemm and attention, AVX-512 vector maths
 *   avx512bf16  + bf16 precision (vdpbf16ps)
 *   amx         + bf16 linear layers on AMX tiles
 *   neon        + NEON vector maths, ceval's NEON fp32 gemm and attention
 *                 (the AVX-512F family's blocking and summation order)
 *   neonbf16    + bf16 precision (BFDOT, FEAT_BF16)
 *
 * CEVAL_KERNELS is a ceiling, never a promise: naming a family this CPU (or
 * architecture) lacks, or an unknown name, is an error (kernels_check says
 * which, and encoder_open fails with it), so that a test or bug report never
 * silently runs another path than the one it asked for.
 */
#ifndef KERNELS_H
#define KERNELS_H

#include "ce_status.h"

enum kernel_family {
	KF_PORTABLE = 0,
	KF_AVX2,
	KF_AVX512,
	KF_AVX512BF16,
	KF_AMX,
	KF_NEON,
	KF_NEONBF16,
	KF_COUNT
};

/* The family in use: the widest the CPU has, at most CEVAL_KERNELS (an
 * invalid CEVAL_KERNELS counts as unset here; kernels_check reports it). */
enum kernel_family kernels_family(void);
/* The widest family the CPU has, ignoring CEVAL_KERNELS. */
enum kernel_family kernels_cpu_family(void);
/* 1 when family f is in use or narrower than the one in use on this
 * architecture (e.g. kernels_at_least(KF_AVX512) on x86-64). */
int kernels_at_least(enum kernel_family f);
/* 1 when the CPU has family f (CEVAL_KERNELS aside). */
int kernels_cpu_has(enum kernel_family f);
const char *kernels_family_name(enum kernel_family f);
/* CE_OK, or CE_E_INVALID_ARG / CE_E_UNSUPPORTED with a one-line message when
 * CEVAL_KERNELS is unknown or more than this CPU has. */
enum ce_status kernels_check(struct ce_err *err);

#endif
