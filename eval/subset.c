/*
 * subset.c - deterministic stratified subsets of a dataset (rules in subset.h).
 *
 * Every choice goes through subset_stratified (one stratum for the uniform
 * draws), so there is one place where determinism is decided: members listed
 * in ascending row order, a partial Fisher-Yates over them driven by
 * splitmix64, the result sorted (distinct integers).  No hash-table order and
 * no unstable sort of equal keys is involved.
 */
#include "subset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "ce_hash.h"
#include "results.h"
#include "sorted_i64.h"
#include "task_types.h"

/* ---- PRNG ------------------------------------------------------------- */

void subset_rng_seed(struct subset_rng *r, uint64_t seed)
{
	r->state = seed;
}

/* splitmix64: the published constants (Steele, Lea, Flood 2014). */
uint64_t subset_rng_next(struct subset_rng *r)
{
	uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

uint64_t subset_rng_below(struct subset_rng *r, uint64_t bound)
{
	if (bound <= 1)
		return 0;
	/* reject the top partial block of 2^64 so every residue is equally likely */
	uint64_t limit = UINT64_MAX - (UINT64_MAX % bound + 1) % bound;
	uint64_t x;
	do
		x = subset_rng_next(r);
	while (x > limit);
	return x % bound;
}

/* ---- allocation and stratified draw ------------------------------------ */

enum ce_status subset_allocate(const int64_t *sizes, int32_t k, int64_t n, int64_t *alloc, struct ce_err *err)
{
	int64_t total = 0;
	for (int32_t i = 0; i < k; i++) {
		if (sizes[i] < 0 || sizes[i] > ((int64_t)1 << 40))
			return ce_err_set(err, CE_E_INVALID_ARG, "subset: stratum %d has a bad size %lld", (int)i,
					  (long long)sizes[i]);
		total += sizes[i];
	}
	if (n < 0 || n > total || total > ((int64_t)1 << 40))
		return ce_err_set(err, CE_E_INVALID_ARG, "subset: cannot take %lld of %lld items", (long long)n,
				  (long long)total);
	if (n == total) {
		for (int32_t i = 0; i < k; i++)
			alloc[i] = sizes[i];
		return CE_OK;
	}
	/* n, sizes < 2^40 -> products < 2^80 would overflow; use unsigned __int128 for the share */
	int64_t given = 0;
	for (int32_t i = 0; i < k; i++) {
		unsigned __int128 p = (unsigned __int128)n * (unsigned __int128)sizes[i];
		alloc[i] = (int64_t)(p / (unsigned __int128)total);
		given += alloc[i];
	}
	/* leftovers to the largest remainders, ties to the lower id; at most k rounds */
	for (int64_t left = n - given; left > 0; left--) {
		int32_t best = -1;
		int64_t best_rem = -1;
		for (int32_t i = 0; i < k; i++) {
			unsigned __int128 p = (unsigned __int128)n * (unsigned __int128)sizes[i];
			int64_t rem = (int64_t)(p % (unsigned __int128)total);
			/* a stratum that already got its +1 has alloc > floor: skip it */
			if ((unsigned __int128)alloc[i] * (unsigned __int128)total > p)
				continue;
			if (rem > best_rem) {
				best_rem = rem;
				best = i;
			}
		}
		if (best < 0)
			return ce_err_set(err, CE_E_INVALID_ARG, "subset: allocation failed");
		alloc[best]++;
	}
	return CE_OK;
}

enum ce_status subset_stratified(const int32_t *strata, int64_t n_rows, int32_t n_strata, int64_t n,
				 struct subset_rng *rng, int64_t *out, int64_t *n_out, struct ce_err *err)
{
	*n_out = 0;
	if (n_rows < 0 || n < 0 || n_strata < 1)
		return ce_err_set(err, CE_E_INVALID_ARG, "subset: bad arguments");
	if (n >= n_rows) {
		for (int64_t i = 0; i < n_rows; i++)
			out[i] = i;
		*n_out = n_rows;
		return CE_OK;
	}
	int64_t *sizes = ce_calloc((size_t)n_strata, sizeof *sizes);
	int64_t *alloc = ce_calloc((size_t)n_strata, sizeof *alloc);
	int64_t *start = ce_calloc((size_t)n_strata + 1, sizeof *start);
	int64_t *members = ce_malloc_array((size_t)(n_rows ? n_rows : 1), sizeof *members);
	enum ce_status st = CE_OK;
	if (!sizes || !alloc || !start || !members) {
		st = ce_err_set(err, CE_E_NOMEM, "subset: out of memory");
		goto out;
	}
	for (int64_t i = 0; i < n_rows; i++) {
		if (strata[i] < 0 || strata[i] >= n_strata) {
			st = ce_err_set(err, CE_E_INVALID_ARG, "subset: row %lld has stratum %d outside [0, %d)",
					(long long)i, (int)strata[i], (int)n_strata);
			goto out;
		}
		sizes[strata[i]]++;
	}
	if ((st = subset_allocate(sizes, n_strata, n, alloc, err)) != CE_OK)
		goto out;
	/* members grouped by stratum, ascending row order inside (a counting sort: stable) */
	for (int32_t k = 0; k < n_strata; k++)
		start[k + 1] = start[k] + sizes[k];
	for (int32_t k = 0; k < n_strata; k++)
		sizes[k] = 0; /* reused as fill counters */
	for (int64_t i = 0; i < n_rows; i++)
		members[start[strata[i]] + sizes[strata[i]]++] = i;
	int64_t o = 0;
	for (int32_t k = 0; k < n_strata; k++) {
		int64_t *m = members + start[k];
		int64_t cnt = start[k + 1] - start[k];
		for (int64_t j = 0; j < alloc[k]; j++) {
			int64_t r = j + (int64_t)subset_rng_below(rng, (uint64_t)(cnt - j));
			int64_t tmp = m[j];
			m[j] = m[r];
			m[r] = tmp;
			out[o++] = m[j];
		}
	}
	qsort(out, (size_t)o, sizeof *out, sorted_i64_cmp);
	*n_out = o;
out:
	ce_free(sizes);
	ce_free(alloc);
	ce_free(start);
	ce_free(members);
	return st;
}

/* ---- selection hash --------------------------------------------------- */

static uint64_t fnv_str(uint64_t h, const char *s)
{
	return ce_fnv1a64(h, s, strlen(s) + 1); /* with its NUL, as a separator */
}

/* role byte + index as 8 little-endian bytes (independent of the host's byte order) */
uint64_t subset_hash_index(uint64_t h, char role, int64_t idx)
{
	unsigned char b[9];
	b[0] = (unsigned char)role;
	for (int i = 0; i < 8; i++)
		b[1 + i] = (unsigned char)((uint64_t)idx >> (8 * i));
	return ce_fnv1a64(h, b, sizeof b);
}

void subset_hash_hex(uint64_t h, char buf[17])
{
	ce_hash_hex(h, buf);
}

/* ---- helpers over strtabs ---------------------------------------------- */

enum ce_status subset_push_row(struct strtab *dst, const struct strtab *src, int64_t i)
{
	return strtab_push(dst, strtab_get(src, i), strtab_len(src, i));
}

enum ce_status subset_pick(const struct task *t, const int32_t *strata, int64_t n_rows, int32_t n_strata, int64_t n,
			   struct subset_rng *rng, int64_t **sel, int64_t *n_sel, struct ce_err *err)
{
	*sel = ce_malloc_array((size_t)(n_rows ? n_rows : 1), sizeof **sel);
	if (!*sel)
		return NOMEM_S(t);
	enum ce_status st = subset_stratified(strata, n_rows, n_strata, n, rng, *sel, n_sel, err);
	if (st != CE_OK) {
		ce_free(*sel);
		*sel = NULL;
	}
	return st;
}

/* ---- apply ------------------------------------------------------------- */

enum ce_status subset_apply(struct dataset *ds, const struct task *t, const struct subset_spec *spec,
			    struct subset_info *info, struct ce_err *err)
{
	memset(info, 0, sizeof *info);
	if (spec->n < 0 || spec->corpus < 0)
		return ce_err_set(err, CE_E_INVALID_ARG, "%s: subset sizes must be >= 0", t->name);
	if (spec->n == 0)
		return CE_OK;
	const struct task_type_desc *d = task_type_desc(ds->type);
	if (!d)
		return ce_err_set(err, CE_E_INVALID_ARG, "%s: subset: unknown task type", t->name);
	info->n = spec->n;
	info->seed = spec->seed;
	info->rows_before = dataset_n_rows(ds);
	int64_t m = spec->corpus > 0 ? spec->corpus
		    : spec->n > INT64_MAX / SUBSET_CORPUS_FACTOR ? INT64_MAX
								 : spec->n * SUBSET_CORPUS_FACTOR;
	struct subset_rng rng;
	subset_rng_seed(&rng, spec->seed);
	uint64_t h = fnv_str(fnv_str(CE_FNV1A64_INIT, SUBSET_RULE), task_type_name(ds->type));
	struct dataset *nw = ce_calloc(1, sizeof *nw);
	if (!nw)
		return NOMEM_S(t);
	nw->type = ds->type;
	enum ce_status st = d->subset(ds, t, spec->n, m, &rng, nw, &h, info, err);
	if (st != CE_OK || !info->applied) {
		int64_t n = info->n;
		dataset_free(nw);
		if (st != CE_OK)
			memset(info, 0, sizeof *info);
		else
			info->n = n; /* asked, but everything is kept: a full run */
		info->applied = 0;
		return st;
	}
	info->hash = h;
	/* parts the subset keeps whole (classification training rows, label tables) move over */
	d->subset_keep(ds, nw);
	/* swap the bodies; the split name and content hash stay those of the full data */
	struct dataset tmp = *ds;
	*ds = *nw;
	*nw = tmp;
	ds->split = nw->split;
	nw->split = NULL;
	ds->content_hash = nw->content_hash;
	dataset_free(nw);
	return CE_OK;
}

int64_t subset_count_texts(const struct dataset *ds, const struct task *t)
{
	const struct task_type_desc *d = task_type_desc(ds->type);
	return d ? d->count_texts(ds, t) : 0;
}

/* ---- results record ---------------------------------------------------- */

enum ce_status subset_record(struct task_result *r, const struct subset_info *info, struct ce_err *err)
{
	r->has_subset = 0;
	if (!info->applied)
		return CE_OK;
	char hex[17];
	subset_hash_hex(info->hash, hex);
	CE_TRY(task_result_set_str(&r->subset_rule, SUBSET_RULE, err));
	CE_TRY(task_result_set_str(&r->subset_hash, hex, err));
	r->subset_n = info->n;
	r->subset_corpus = info->corpus;
	r->subset_seed = (int64_t)info->seed;
	r->has_subset = 1;
	return CE_OK;
}

int subset_record_matches(const struct task_result *r, const struct task *t, const struct subset_spec *spec)
{
	if (spec->n <= 0)
		return !r->has_subset;
	if (!r->has_subset || !r->subset_rule || strcmp(r->subset_rule, SUBSET_RULE) != 0)
		return 0;
	int64_t m = 0;
	const struct task_type_desc *d = task_type_desc(t->type);
	if (d && d->subset_corpus)
		m = spec->corpus > 0 ? spec->corpus : spec->n * SUBSET_CORPUS_FACTOR;
	return r->subset_n == spec->n && r->subset_corpus == m && r->subset_seed == (int64_t)spec->seed;
}
