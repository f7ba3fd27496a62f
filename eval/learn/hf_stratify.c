/* hf_stratify.c - datasets' stratified train_test_split on numpy's PCG64 Generator (see hf_stratify.h). */
#include "hf_stratify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"

/* SeedSequence hash constants (O'Neill's seed_seq_fe, as numpy uses them). */
#define SS_INIT_A 0x43b0d7e5U
#define SS_MULT_A 0x931e8875U
#define SS_INIT_B 0x8b51f9ddU
#define SS_MULT_B 0x58f38dedU
#define SS_MIX_L 0xca01f9ddU
#define SS_MIX_R 0x4973f715U
#define SS_POOL 4

static uint32_t ss_hashmix(uint32_t v, uint32_t *hc)
{
	v ^= *hc;
	*hc *= SS_MULT_A;
	v *= *hc;
	v ^= v >> 16;
	return v;
}

static uint32_t ss_mix(uint32_t x, uint32_t y)
{
	uint32_t r = SS_MIX_L * x - SS_MIX_R * y;
	return r ^ (r >> 16);
}

#define PCG_MULT (((unsigned __int128)2549297995355413924ULL << 64) | 4865540595714422341ULL)

static void pcg_step(struct npgen *g)
{
	g->state = g->state * PCG_MULT + g->inc;
}

void npgen_seed(struct npgen *g, uint32_t seed)
{
	/* SeedSequence(seed): entropy [seed] (one 32-bit word; 0 gives [0]). */
	uint32_t pool[SS_POOL], hc = SS_INIT_A;
	for (int i = 0; i < SS_POOL; i++)
		pool[i] = ss_hashmix(i == 0 ? seed : 0U, &hc);
	for (int s = 0; s < SS_POOL; s++)
		for (int d = 0; d < SS_POOL; d++)
			if (s != d)
				pool[d] = ss_mix(pool[d], ss_hashmix(pool[s], &hc));
	/* generate_state(4, uint64) = 8 uint32 words, paired little-endian. */
	uint32_t w[8];
	uint32_t hb = SS_INIT_B;
	for (int i = 0; i < 8; i++) {
		uint32_t v = pool[i % SS_POOL];
		v ^= hb;
		hb *= SS_MULT_B;
		v *= hb;
		v ^= v >> 16;
		w[i] = v;
	}
	uint64_t v64[4];
	for (int i = 0; i < 4; i++)
		v64[i] = (uint64_t)w[2 * i] | ((uint64_t)w[2 * i + 1] << 32);
	/* pcg64_set_seed: initstate = (v0 << 64) | v1, initseq = (v2 << 64) | v3; srandom_r. */
	unsigned __int128 initstate = ((unsigned __int128)v64[0] << 64) | v64[1];
	unsigned __int128 initseq = ((unsigned __int128)v64[2] << 64) | v64[3];
	g->state = 0;
	g->inc = (initseq << 1) | 1U;
	pcg_step(g);
	g->state += initstate;
	pcg_step(g);
	g->has_u32 = 0;
	g->u32 = 0;
}

uint64_t npgen_next_u64(struct npgen *g)
{
	pcg_step(g);
	uint64_t x = (uint64_t)(g->state >> 64) ^ (uint64_t)g->state;
	unsigned rot = (unsigned)(g->state >> 122);
	return (x >> rot) | (x << ((64U - rot) & 63U));
}

uint32_t npgen_next_u32(struct npgen *g)
{
	if (g->has_u32) {
		g->has_u32 = 0;
		return g->u32;
	}
	uint64_t v = npgen_next_u64(g);
	g->has_u32 = 1;
	g->u32 = (uint32_t)(v >> 32);
	return (uint32_t)v;
}

uint64_t npgen_bounded(struct npgen *g, uint64_t max)
{
	if (max == 0)
		return 0;
	if (max <= 0xffffffffULL) {
		if (max == 0xffffffffULL)
			return npgen_next_u32(g);
		uint32_t excl = (uint32_t)max + 1U;
		uint64_t m = (uint64_t)npgen_next_u32(g) * excl;
		uint32_t left = (uint32_t)m;
		if (left < excl) {
			uint32_t thr = (uint32_t)(0U - excl) % excl;
			while (left < thr) {
				m = (uint64_t)npgen_next_u32(g) * excl;
				left = (uint32_t)m;
			}
		}
		return m >> 32;
	}
	if (max == UINT64_MAX)
		return npgen_next_u64(g);
	uint64_t excl = max + 1U;
	unsigned __int128 m = (unsigned __int128)npgen_next_u64(g) * excl;
	uint64_t left = (uint64_t)m;
	if (left < excl) {
		uint64_t thr = (0U - excl) % excl;
		while (left < thr) {
			m = (unsigned __int128)npgen_next_u64(g) * excl;
			left = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

/* numpy's random_interval: masked rejection, 32-bit draws while max fits. */
static uint64_t npgen_interval(struct npgen *g, uint64_t max)
{
	if (max == 0)
		return 0;
	uint64_t mask = max, v;
	for (int s = 1; s < 64; s <<= 1)
		mask |= mask >> s;
	if (max <= 0xffffffffULL) {
		while ((v = (npgen_next_u32(g) & mask)) > max)
			;
	} else {
		while ((v = (npgen_next_u64(g) & mask)) > max)
			;
	}
	return v;
}

/* Generator.shuffle / permutation (random_interval) when lemire == 0; the
 * integer shuffle inside choice (bounded Lemire draws) when lemire == 1. */
static void shuffle_from(struct npgen *g, int64_t *a, size_t n, size_t first, int lemire)
{
	for (size_t i = n; i-- > first;) {
		size_t j = (size_t)(lemire ? npgen_bounded(g, (uint64_t)i) : npgen_interval(g, (uint64_t)i));
		int64_t t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

void npgen_shuffle_i64(struct npgen *g, int64_t *a, size_t n)
{
	shuffle_from(g, a, n, 1, 0);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

enum ce_status npgen_choice_noreplace(struct npgen *g, int64_t pop, int64_t size, int64_t *out)
{
	if (size < 0 || pop < 0 || size > pop)
		return CE_E_INVALID_ARG;
	if (size == 0)
		return CE_OK;
	if (pop > 10000 && size > pop / 50) {
		/* tail shuffle of arange(pop), keep the last size */
		int64_t *idx = ce_malloc_array((size_t)pop, sizeof *idx);
		if (!idx)
			return CE_E_NOMEM;
		for (int64_t i = 0; i < pop; i++)
			idx[i] = i;
		shuffle_from(g, idx, (size_t)pop, (size_t)(pop - size > 1 ? pop - size : 1), 1);
		memcpy(out, idx + (pop - size), (size_t)size * sizeof *out);
		ce_free(idx);
		return CE_OK;
	}
	/* Floyd: for j in [pop-size, pop): v = bounded(j); take v unless taken, else j. */
	int64_t *seen = ce_malloc_array((size_t)size, sizeof *seen);
	if (!seen)
		return CE_E_NOMEM;
	for (int64_t j = pop - size, k = 0; j < pop; j++, k++) {
		int64_t v = (int64_t)npgen_bounded(g, (uint64_t)j);
		/* membership among the k values taken so far (sorted copy in seen) */
		if (k && bsearch(&v, seen, (size_t)k, sizeof *seen, cmp_i64))
			v = j;
		out[k] = v;
		/* insert v into the sorted list */
		int64_t p = k;
		while (p > 0 && seen[p - 1] > v) {
			seen[p] = seen[p - 1];
			p--;
		}
		seen[p] = v;
	}
	ce_free(seen);
	shuffle_from(g, out, (size_t)size, 1, 1);
	return CE_OK;
}

/* datasets.utils.stratify.approximate_mode; [out] drawn: per-class counts. */
static enum ce_status approximate_mode(struct npgen *g, const int64_t *counts, int32_t nc, int64_t n_draws,
				       int64_t *drawn)
{
	enum ce_status st = CE_OK;
	int64_t total = 0;
	for (int32_t c = 0; c < nc; c++)
		total += counts[c];
	double *rem = ce_malloc_array((size_t)nc, sizeof *rem);
	double *vals = ce_malloc_array((size_t)nc, sizeof *vals);
	int64_t *inds = ce_malloc_array((size_t)nc, sizeof *inds);
	int64_t *pick = ce_malloc_array((size_t)nc, sizeof *pick);
	if (!rem || !vals || !inds || !pick) {
		st = CE_E_NOMEM;
		goto out;
	}
	double floored_sum = 0;
	for (int32_t c = 0; c < nc; c++) {
		double cont = (double)(n_draws * counts[c]) / (double)total;
		double fl = floor(cont);
		drawn[c] = (int64_t)fl;
		rem[c] = cont - fl;
		floored_sum += fl;
	}
	int64_t need = (int64_t)((double)n_draws - floored_sum);
	if (need > 0) {
		/* distinct remainders, descending */
		int32_t nv = 0;
		for (int32_t c = 0; c < nc; c++) {
			int dup = 0;
			for (int32_t v = 0; v < nv && !dup; v++)
				dup = vals[v] == rem[c];
			if (!dup)
				vals[nv++] = rem[c];
		}
		for (int32_t a = 1; a < nv; a++)
			for (int32_t b = a; b > 0 && vals[b - 1] < vals[b]; b--) {
				double t = vals[b];
				vals[b] = vals[b - 1];
				vals[b - 1] = t;
			}
		for (int32_t v = 0; v < nv && need > 0; v++) {
			int64_t ni = 0;
			for (int32_t c = 0; c < nc; c++)
				if (rem[c] == vals[v])
					inds[ni++] = c;
			int64_t add = ni < need ? ni : need;
			if ((st = npgen_choice_noreplace(g, ni, add, pick)) != CE_OK)
				goto out;
			for (int64_t i = 0; i < add; i++)
				drawn[inds[pick[i]]]++;
			need -= add;
		}
	}
out:
	ce_free(rem);
	ce_free(vals);
	ce_free(inds);
	ce_free(pick);
	return st;
}

enum ce_status hf_stratified_test_indices(const int32_t *labels, int64_t n, int32_t n_classes, uint64_t seed,
					  int64_t n_test, int64_t *test, const char **why)
{
	static const char *no_why = "";
	enum ce_status st = CE_OK;
	*why = no_why;
	if (n_classes < 1 || n_test <= 0 || n_test >= n || seed > 0xffffffffULL) {
		*why = "test size must be positive and smaller than the number of rows";
		return CE_E_INVALID_ARG;
	}
	int64_t n_train = n - n_test;
	int64_t *counts = ce_calloc((size_t)n_classes, sizeof *counts);
	int64_t *start = ce_calloc((size_t)n_classes + 1, sizeof *start);
	int64_t *by_class = ce_malloc_array((size_t)n, sizeof *by_class);
	int64_t *n_i = ce_calloc((size_t)n_classes, sizeof *n_i);
	int64_t *t_i = ce_calloc((size_t)n_classes, sizeof *t_i);
	int64_t *left = ce_calloc((size_t)n_classes, sizeof *left);
	int64_t *perm = ce_malloc_array((size_t)n, sizeof *perm);
	int64_t *train = ce_malloc_array((size_t)n, sizeof *train);
	if (!counts || !start || !by_class || !n_i || !t_i || !left || !perm || !train) {
		st = CE_E_NOMEM;
		goto out;
	}
	for (int64_t i = 0; i < n; i++) {
		if (labels[i] < 0 || labels[i] >= n_classes) {
			*why = "label out of range";
			st = CE_E_INVALID_ARG;
			goto out;
		}
		counts[labels[i]]++;
	}
	for (int32_t c = 0; c < n_classes; c++) {
		if (counts[c] < 2) {
			*why = "the least populated class has only 1 member (or none)";
			st = CE_E_INVALID_ARG;
			goto out;
		}
		start[c + 1] = start[c] + counts[c];
	}
	if (n_train < n_classes || n_test < n_classes) {
		*why = "train and test sizes must be at least the number of classes";
		st = CE_E_INVALID_ARG;
		goto out;
	}
	/* np.argsort(labels, kind="mergesort") split by class: ascending row ids per class */
	{
		int64_t *fill = left; /* reused as a cursor, reset below */
		for (int32_t c = 0; c < n_classes; c++)
			fill[c] = start[c];
		for (int64_t i = 0; i < n; i++)
			by_class[fill[labels[i]]++] = i;
	}
	struct npgen g;
	npgen_seed(&g, (uint32_t)seed);
	if ((st = approximate_mode(&g, counts, n_classes, n_train, n_i)) != CE_OK)
		goto out;
	for (int32_t c = 0; c < n_classes; c++)
		left[c] = counts[c] - n_i[c];
	if ((st = approximate_mode(&g, left, n_classes, n_test, t_i)) != CE_OK)
		goto out;
	int64_t ntr = 0, nte = 0;
	for (int32_t c = 0; c < n_classes; c++) {
		int64_t m = counts[c];
		for (int64_t i = 0; i < m; i++)
			perm[i] = i;
		npgen_shuffle_i64(&g, perm, (size_t)m);
		const int64_t *ci = by_class + start[c];
		for (int64_t i = 0; i < n_i[c]; i++)
			train[ntr++] = ci[perm[i]];
		for (int64_t i = n_i[c]; i < n_i[c] + t_i[c] && i < m; i++)
			test[nte++] = ci[perm[i]];
	}
	if (nte != n_test) {
		*why = "class allocation does not add up to the test size";
		st = CE_E_INVALID_ARG;
		goto out;
	}
	npgen_shuffle_i64(&g, train, (size_t)ntr); /* rng.permutation(train): drawn, then dropped */
	npgen_shuffle_i64(&g, test, (size_t)nte);
out:
	ce_free(counts);
	ce_free(start);
	ce_free(by_class);
	ce_free(n_i);
	ce_free(t_i);
	ce_free(left);
	ce_free(perm);
	ce_free(train);
	return st;
}
