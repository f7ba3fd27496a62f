/* mt19937.c - numpy legacy RandomState stream (see mt19937.h). */
#include "mt19937.h"

#include "ce_status.h"

/* Twister constants (Matsumoto & Nishimura 1998). */
#define MT_M 397
#define MT_MATRIX_A 0x9908b0dfU
#define MT_UPPER 0x80000000U
#define MT_LOWER 0x7fffffffU

void mt19937_seed(struct mt19937 *mt, uint32_t seed)
{
	/* init_genrand: x[i] = 1812433253 * (x[i-1] ^ (x[i-1] >> 30)) + i, mod 2^32.
	 * numpy's RandomState(int) uses this for seeds < 2^32 (legacy seeding). */
	mt->key[0] = seed;
	for (int i = 1; i < MT19937_N; i++) {
		uint32_t p = mt->key[i - 1];
		mt->key[i] = 1812433253U * (p ^ (p >> 30)) + (uint32_t)i;
	}
	mt->pos = MT19937_N;
}

static void mt_regenerate(struct mt19937 *mt)
{
	uint32_t *k = mt->key;
	for (int i = 0; i < MT19937_N; i++) {
		uint32_t y = (k[i] & MT_UPPER) | (k[(i + 1) % MT19937_N] & MT_LOWER);
		k[i] = k[(i + MT_M) % MT19937_N] ^ (y >> 1) ^ ((y & 1U) ? MT_MATRIX_A : 0U);
	}
	mt->pos = 0;
}

uint32_t mt19937_next_u32(struct mt19937 *mt)
{
	if (mt->pos >= MT19937_N)
		mt_regenerate(mt);
	uint32_t y = mt->key[mt->pos++];
	/* tempering */
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680U;
	y ^= (y << 15) & 0xefc60000U;
	y ^= y >> 18;
	return y;
}

uint64_t mt19937_next_u64(struct mt19937 *mt)
{
	uint64_t hi = mt19937_next_u32(mt);
	uint64_t lo = mt19937_next_u32(mt);
	return (hi << 32) | lo;
}

double mt19937_next_double(struct mt19937 *mt)
{
	int32_t a = (int32_t)(mt19937_next_u32(mt) >> 5);
	int32_t b = (int32_t)(mt19937_next_u32(mt) >> 6);
	return (a * 67108864.0 + b) / 9007199254740992.0;
}

/* Smallest all-ones mask covering v (numpy's gen_mask). */
static uint64_t mask_of(uint64_t v)
{
	v |= v >> 1;
	v |= v >> 2;
	v |= v >> 4;
	v |= v >> 8;
	v |= v >> 16;
	v |= v >> 32;
	return v;
}

/* Masked rejection on [0, rng]; 32-bit outputs while rng fits in 32 bits. */
static uint64_t bounded_masked(struct mt19937 *mt, uint64_t rng)
{
	if (rng == 0)
		return 0;
	uint64_t mask = mask_of(rng);
	uint64_t v;
	if (rng <= 0xffffffffULL) {
		if (rng == 0xffffffffULL)
			return mt19937_next_u32(mt);
		while ((v = (mt19937_next_u32(mt) & mask)) > rng)
			;
	} else {
		if (rng == UINT64_MAX)
			return mt19937_next_u64(mt);
		while ((v = (mt19937_next_u64(mt) & mask)) > rng)
			;
	}
	return v;
}

uint64_t mt19937_interval(struct mt19937 *mt, uint64_t max)
{
	return bounded_masked(mt, max);
}

void mt19937_randint(struct mt19937 *mt, int64_t low, int64_t high, int64_t *out, size_t n)
{
	CE_ASSERT(high > low);
	uint64_t rng = (uint64_t)high - 1U - (uint64_t)low;
	for (size_t i = 0; i < n; i++)
		out[i] = (int64_t)((uint64_t)low + bounded_masked(mt, rng));
}

void mt19937_shuffle_i64(struct mt19937 *mt, int64_t *a, size_t n)
{
	if (n < 2)
		return;
	for (size_t i = n - 1; i >= 1; i--) {
		size_t j = (size_t)mt19937_interval(mt, i);
		int64_t t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}
