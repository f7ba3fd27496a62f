/*
 * kernels.c - see kernels.h.
 */
#include "kernels.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define KF_X86 1
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP2_BF16
#define HWCAP2_BF16 (1ul << 14) /* arch/arm64/include/uapi/asm/hwcap.h */
#endif
#endif

static const char *const NAMES[KF_COUNT] = {"portable", "avx2", "avx512", "avx512bf16", "amx", "neon", "neonbf16"};

/* The families of this architecture, narrowest first. */
#if defined(KF_X86)
static const enum kernel_family ARCH_FAMILIES[] = {KF_PORTABLE, KF_AVX2, KF_AVX512, KF_AVX512BF16, KF_AMX};
#elif defined(__aarch64__)
static const enum kernel_family ARCH_FAMILIES[] = {KF_PORTABLE, KF_NEON, KF_NEONBF16};
#else
static const enum kernel_family ARCH_FAMILIES[] = {KF_PORTABLE};
#endif
enum { N_ARCH = (int)(sizeof ARCH_FAMILIES / sizeof ARCH_FAMILIES[0]) };

/* Position of f in ARCH_FAMILIES, or -1 when this architecture lacks it. */
static int rank_of(enum kernel_family f)
{
	for (int i = 0; i < N_ARCH; i++)
		if (ARCH_FAMILIES[i] == f)
			return i;
	return -1;
}

static enum kernel_family detect_cpu(void)
{
#if defined(KF_X86)
	/* __builtin_cpu_supports also checks that the OS saves the ymm / zmm state */
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
		return KF_PORTABLE;
	if (!__builtin_cpu_supports("avx512f"))
		return KF_AVX2;
	if (!__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512vl") ||
	    !__builtin_cpu_supports("avx512bf16"))
		return KF_AVX512;
	/* CPUID.(EAX=7,ECX=0):EDX bit 22 = AMX-BF16, bit 24 = AMX-TILE (clang 14's
	 * __builtin_cpu_supports does not know the AMX names); the OS grant of the
	 * tile state is asked for where AMX is first used (gbf_amx_usable) */
	unsigned a, b, c, d;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(d & (1u << 22)) || !(d & (1u << 24)))
		return KF_AVX512BF16;
	return KF_AMX;
#elif defined(__aarch64__)
	/* Advanced SIMD is part of every AArch64 CPU; BFDOT (FEAT_BF16) is
	 * optional, and Linux reports it (and that it may be used) in AT_HWCAP2 */
#if defined(__linux__)
	if (getauxval(AT_HWCAP2) & HWCAP2_BF16)
		return KF_NEONBF16;
#endif
	return KF_NEON;
#else
	return KF_PORTABLE;
#endif
}

/* The parsed CEVAL_KERNELS: -1 unset, -2 unknown name, else a family. */
static int parse_env(void)
{
	const char *v = getenv("CEVAL_KERNELS");
	if (!v || !*v)
		return -1;
	for (int i = 0; i < KF_COUNT; i++)
		if (strcmp(v, NAMES[i]) == 0)
			return i;
	return -2;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static enum kernel_family cpu_family, family;
static int env_family;

static void select_once(void)
{
	cpu_family = detect_cpu();
	env_family = parse_env();
	family = cpu_family;
	if (env_family >= 0 && rank_of((enum kernel_family)env_family) >= 0 &&
	    rank_of((enum kernel_family)env_family) <= rank_of(cpu_family))
		family = (enum kernel_family)env_family;
}

enum kernel_family kernels_family(void)
{
	pthread_once(&once, select_once);
	return family;
}

enum kernel_family kernels_cpu_family(void)
{
	pthread_once(&once, select_once);
	return cpu_family;
}

int kernels_at_least(enum kernel_family f)
{
	int r = rank_of(f);
	return r >= 0 && r <= rank_of(kernels_family());
}

int kernels_cpu_has(enum kernel_family f)
{
	int r = rank_of(f);
	return r >= 0 && r <= rank_of(kernels_cpu_family());
}

const char *kernels_family_name(enum kernel_family f)
{
	return (int)f >= 0 && f < KF_COUNT ? NAMES[f] : "?";
}

static void list_families(char *buf, size_t n, int upto)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 0; i <= upto && i < N_ARCH && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", NAMES[ARCH_FAMILIES[i]]);
}

enum ce_status kernels_check(struct ce_err *err)
{
	pthread_once(&once, select_once);
	if (env_family == -1)
		return CE_OK;
	char have[96];
	list_families(have, sizeof have, rank_of(cpu_family));
	if (env_family == -2)
		return ce_err_set(err, CE_E_INVALID_ARG, "CEVAL_KERNELS='%s': unknown kernel family; this CPU has: %s",
				  getenv("CEVAL_KERNELS"), have);
	if (rank_of((enum kernel_family)env_family) < 0)
		return ce_err_set(err, CE_E_UNSUPPORTED,
				  "CEVAL_KERNELS=%s: not a kernel family of this architecture; this CPU has: %s",
				  NAMES[env_family], have);
	if (rank_of((enum kernel_family)env_family) > rank_of(cpu_family))
		return ce_err_set(err, CE_E_UNSUPPORTED, "CEVAL_KERNELS=%s: this CPU lacks it; it has: %s",
				  NAMES[env_family], have);
	return CE_OK;
}

/* ---- engine.h ---- */

const char *engine_kernel_family(void) { return kernels_family_name(kernels_family()); }

void engine_kernels_line(char *buf, size_t n)
{
	char have[96];
	list_families(have, sizeof have, rank_of(kernels_cpu_family()));
	snprintf(buf, n, "%s (CPU: %s%s)", engine_kernel_family(), have,
		 getenv("CEVAL_KERNELS") && *getenv("CEVAL_KERNELS") ? "; capped by CEVAL_KERNELS" : "");
}

enum ce_status engine_kernels_check(struct ce_err *err) { return kernels_check(err); }
