/*
 * mt19937.h - numpy's legacy RandomState(seed) stream, reproduced bit for bit.
 *
 * What it is: the 32-bit Mersenne Twister seeded the way numpy's legacy
 * `np.random.RandomState(int)` seeds it (Matsumoto-Nishimura init_genrand,
 * Knuth multiplier 1812433253), plus the few derived draws ceval needs:
 * RandomState.shuffle / permutation (masked rejection "random_interval"),
 * RandomState.randint (masked rejection via random_bounded_uint64_fill),
 * RandomState.random_sample / uniform (53-bit double from two outputs).
 * Every function consumes exactly as many 32-bit outputs, in the same order,
 * as numpy 1.24 does, so a sequence of calls mirrors a sequence of numpy
 * calls on the same RandomState.
 *
 * What it is not: seeding from arrays, Generator/PCG64, other distributions.
 *
 * Ownership: struct mt19937 is a plain caller-owned value (no heap); copy it
 * to fork a stream.  Pure computations: no ce_err.
 */
#ifndef MT19937_H
#define MT19937_H

#include <stddef.h>
#include <stdint.h>

#define MT19937_N 624

struct mt19937 {
	uint32_t key[MT19937_N]; /* twister state */
	int pos;                 /* next output index into key; N = regenerate */
};

/* [out] mt: seeded as numpy RandomState(seed) (init_genrand(seed & 0xffffffff)). */
void mt19937_seed(struct mt19937 *mt, uint32_t seed);

/* Next raw 32-bit output (numpy's next_uint32 for MT19937). */
uint32_t mt19937_next_u32(struct mt19937 *mt);

/* Next 64-bit output: high word drawn first, as numpy's mt19937_next64. */
uint64_t mt19937_next_u64(struct mt19937 *mt);

/* Uniform double in [0,1): (a>>5, b>>6) 53-bit formula = RandomState.random_sample(). */
double mt19937_next_double(struct mt19937 *mt);

/*
 * Uniform integer in [0, max] by masked rejection: numpy's random_interval,
 * used by RandomState.shuffle/permutation.  max == 0 draws nothing.
 */
uint64_t mt19937_interval(struct mt19937 *mt, uint64_t max);

/*
 * RandomState.randint(low, high, size=n) with the default int64 dtype:
 * out[i] = low + masked-rejection draw in [0, high-1-low].  Requires
 * high > low.  (numpy's legacy path: use_masked=True.)
 */
void mt19937_randint(struct mt19937 *mt, int64_t low, int64_t high, int64_t *out, size_t n);

/*
 * RandomState.shuffle on a 1-D array of n int64 (Fisher-Yates from the end,
 * j = interval(i) for i = n-1 .. 1).  [in,out] a.
 */
void mt19937_shuffle_i64(struct mt19937 *mt, int64_t *a, size_t n);

#endif
