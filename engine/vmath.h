/*
 * vmath.h - vectorised float kernels of the fp32 forward pass (engine
 * internal): exp, erf, exact-erf GELU, softmax, fused residual + LayerNorm.
 *
 * Accuracy (checked by tests/engine/test_vmath.c against libm in double):
 * vm_exp and vm_erf are within 2 ulp of the correctly rounded result, so the
 * forward pass stays at the reference's float rounding level (1e-7); the
 * tanh-approximated GELU (1e-3 off) is never used for "gelu".
 *
 * Paths: AVX2 + FMA and AVX-512F on x86-64 (each compiled for its own
 * target; the build targets baseline x86-64), NEON on AArch64, and the same
 * formulas in scalar C everywhere; the kernel family of kernels.h (the CPU,
 * capped by CEVAL_KERNELS) picks one.  The AVX-512 path computes exp, erf and GELU bit-identically
 * to the AVX2 path; softmax and LayerNorm differ from it only by the order of
 * their double sums.  Results do not depend on where a value sits in an
 * array (tails go through the same vector code), so they are deterministic.
 * No state: every function is safe to call from any number of threads.
 */
#ifndef VMATH_H
#define VMATH_H

#include <stddef.h>
#include <stdint.h>

/* y[i] = exp(x[i]); y may equal x. */
void vm_exp(float *y, const float *x, size_t n);
/* y[i] = erf(x[i]); y may equal x. */
void vm_erf(float *y, const float *x, size_t n);

/* In place, row-wise: v = gelu(v + bias) for rows x cols, exact erf GELU
 * 0.5·v·(1 + erf(v/√2)) as torch.nn.functional.gelu (approximate='none').
 * bias may be NULL. */
void vm_bias_gelu(float *v, const float *bias, int32_t rows, int32_t cols);

/* Row softmax in place (max-subtracted, as torch.softmax), sum in double. */
void vm_softmax_row(float *row, int32_t n);

/* x[i] *= s for i < n: one rounded float product each, the same bits on every path. */
void vm_scale(float *x, int32_t n, float s);

/* In place y = LayerNorm(y + bias + res) over n features (biased variance,
 * eps inside the sqrt, as torch.nn.LayerNorm), moments in double.
 * bias and res may be NULL. */
void vm_add_layer_norm(float *y, const float *bias, const float *res, const float *g, const float *b, int32_t n,
		       float eps);

/* ---- test hook: one instruction-set path on its own ----
 * The functions above dispatch to the widest path this build and CPU offer.
 * vm_kernels_get returns the kernels of one path (same contracts as above), so
 * tests can compare paths bit for bit; NULL when this build or CPU lacks it
 * (SCALAR always; on x86-64 AVX2 and AVX512 where the CPU has them, whatever
 * CEVAL_KERNELS says; NEON on AArch64).  The table is static: valid for the
 * life of the program. */
enum vm_isa { VM_ISA_SCALAR, VM_ISA_AVX2, VM_ISA_AVX512, VM_ISA_NEON, VM_ISA_COUNT };

struct vm_kernels {
	void (*exp)(float *y, const float *x, size_t n);
	void (*erf)(float *y, const float *x, size_t n);
	void (*bias_gelu)(float *v, const float *bias, int32_t rows, int32_t cols);
	void (*softmax_row)(float *row, int32_t n);
	void (*add_layer_norm)(float *y, const float *bias, const float *res, const float *g, const float *b,
			       int32_t n, float eps);
	void (*scale)(float *x, int32_t n, float s);
};

const struct vm_kernels *vm_kernels_get(enum vm_isa isa);

/* The path the functions above take: "scalar", "avx2", "avx512" or "neon". */
const char *vm_path_name(void);

#endif
