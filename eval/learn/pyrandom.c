/* pyrandom.c - CPython random.Random stream (see pyrandom.h). */
#include "pyrandom.h"

#include <math.h>
#include <string.h>

#include "ce_alloc.h"

void pyrandom_seed(struct pyrandom *r, uint64_t seed)
{
	/* init_by_array over the 32-bit words of seed (one word when it fits,
	 * [0] for 0), after init_genrand(19650218): _randommodule.c. */
	uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
	int keylen = (seed >> 32) ? 2 : 1;
	uint32_t *mt = r->mt.key;
	mt19937_seed(&r->mt, 19650218U);
	int i = 1, j = 0;
	for (int k = MT19937_N > keylen ? MT19937_N : keylen; k; k--) {
		mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint32_t)j;
		i++;
		j++;
		if (i >= MT19937_N) {
			mt[0] = mt[MT19937_N - 1];
			i = 1;
		}
		if (j >= keylen)
			j = 0;
	}
	for (int k = MT19937_N - 1; k; k--) {
		mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - (uint32_t)i;
		i++;
		if (i >= MT19937_N) {
			mt[0] = mt[MT19937_N - 1];
			i = 1;
		}
	}
	mt[0] = 0x80000000U; /* MSB is 1, assuring a non-zero initial array */
	r->mt.pos = MT19937_N;
}

double pyrandom_random(struct pyrandom *r)
{
	uint32_t a = mt19937_next_u32(&r->mt) >> 5, b = mt19937_next_u32(&r->mt) >> 6;
	return ((double)a * 67108864.0 + (double)b) * (1.0 / 9007199254740992.0);
}

uint64_t pyrandom_getrandbits(struct pyrandom *r, int k)
{
	if (k <= 0)
		return 0;
	if (k <= 32)
		return mt19937_next_u32(&r->mt) >> (32 - k);
	/* Words fill from the least significant; the last one keeps its top bits. */
	uint64_t lo = mt19937_next_u32(&r->mt);
	uint64_t hi = mt19937_next_u32(&r->mt) >> (64 - k);
	return lo | (hi << 32);
}

static int bit_length(uint64_t n)
{
	int k = 0;
	while (n) {
		k++;
		n >>= 1;
	}
	return k;
}

uint64_t pyrandom_randbelow(struct pyrandom *r, uint64_t n)
{
	int k = bit_length(n);
	uint64_t v = pyrandom_getrandbits(r, k);
	while (v >= n)
		v = pyrandom_getrandbits(r, k);
	return v;
}

enum ce_status pyrandom_sample(struct pyrandom *r, int64_t n, int64_t k, int64_t *out)
{
	if (n < 0 || k < 0 || k > n)
		return CE_E_INVALID_ARG;
	if (k == 0)
		return CE_OK;
	/* setsize = 21, plus 4 ** ceil(log(3k, 4)) when k > 5 (Lib/random.py). */
	double setsize = 21;
	if (k > 5)
		setsize += pow(4.0, ceil(log((double)(k * 3)) / log(4.0)));
	if ((double)n <= setsize) {
		int64_t *pool = ce_malloc_array((size_t)n, sizeof *pool);
		if (!pool)
			return CE_E_NOMEM;
		for (int64_t i = 0; i < n; i++)
			pool[i] = i;
		for (int64_t i = 0; i < k; i++) {
			int64_t j = (int64_t)pyrandom_randbelow(r, (uint64_t)(n - i));
			out[i] = pool[j];
			pool[j] = pool[n - i - 1];
		}
		ce_free(pool);
		return CE_OK;
	}
	uint8_t *selected = ce_calloc((size_t)n, 1);
	if (!selected)
		return CE_E_NOMEM;
	for (int64_t i = 0; i < k; i++) {
		int64_t j = (int64_t)pyrandom_randbelow(r, (uint64_t)n);
		while (selected[j])
			j = (int64_t)pyrandom_randbelow(r, (uint64_t)n);
		selected[j] = 1;
		out[i] = j;
	}
	ce_free(selected);
	return CE_OK;
}

void pyrandom_choices(struct pyrandom *r, int64_t n, int64_t k, int64_t *out)
{
	double dn = (double)n;
	for (int64_t i = 0; i < k; i++)
		out[i] = (int64_t)floor(pyrandom_random(r) * dn);
}

void pyrandom_shuffle_i64(struct pyrandom *r, int64_t *a, size_t n)
{
	for (size_t i = n; i-- > 1;) {
		size_t j = (size_t)pyrandom_randbelow(r, (uint64_t)i + 1);
		int64_t t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}
