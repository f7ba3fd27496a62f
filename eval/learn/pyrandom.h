/*
 * pyrandom.h - CPython's `random.Random(int)` stream, reproduced bit for bit
 * (mteb 2.x draws its clustering samples with it, evaluation spec §7.2).
 *
 * What it is: the same MT19937 twister as mt19937.h, seeded the way
 * `random.seed(n)` seeds it for a non-negative integer n (init_genrand(19650218)
 * then init_by_array over the 32-bit words of n, least significant first;
 * n = 0 gives the one-word key [0]), and the derived draws mteb uses:
 * random(), getrandbits(k), _randbelow (getrandbits rejection), sample()
 * over range(n), choices() over range(n) without weights, and shuffle().
 * Each function consumes the same 32-bit outputs, in the same order, as
 * CPython 3.11's Lib/random.py and Modules/_randommodule.c.
 *
 * What it is not: seeding from str/bytes/float/negative ints, weighted
 * choices, other distributions.
 *
 * Ownership: struct pyrandom is a caller-owned value (no heap);
 * pyrandom_sample allocates scratch and returns CE_E_NOMEM when it cannot.
 */
#ifndef PYRANDOM_H
#define PYRANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"
#include "mt19937.h"

struct pyrandom {
	struct mt19937 mt;
};

/* [out] r: seeded as random.Random(seed). */
void pyrandom_seed(struct pyrandom *r, uint64_t seed);

/* random.random(): (a>>5, b>>6) 53-bit double in [0, 1). */
double pyrandom_random(struct pyrandom *r);

/* random.getrandbits(k) for 0 <= k <= 64 (k = 0 draws nothing and returns 0). */
uint64_t pyrandom_getrandbits(struct pyrandom *r, int k);

/* Random._randbelow_with_getrandbits(n): uniform in [0, n), n >= 1. */
uint64_t pyrandom_randbelow(struct pyrandom *r, uint64_t n);

/*
 * random.sample(range(n), k): k distinct values of [0, n) in draw order,
 * with CPython's choice between the pool and the set algorithm.
 * [out] out: k values.  CE_E_INVALID_ARG when k > n, CE_E_NOMEM.
 */
enum ce_status pyrandom_sample(struct pyrandom *r, int64_t n, int64_t k, int64_t *out);

/* random.choices(range(n), k=k): out[i] = floor(random() * n), n >= 1. */
void pyrandom_choices(struct pyrandom *r, int64_t n, int64_t k, int64_t *out);

/* random.shuffle(a): for i = n-1 .. 1, swap a[i] with a[randbelow(i+1)].  [in,out] a. */
void pyrandom_shuffle_i64(struct pyrandom *r, int64_t *a, size_t n);

#endif
