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
static uint64_t fnv_index(uint64_t h, char role, int64_t idx)
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

static enum ce_status push_row(struct strtab *dst, const struct strtab *src, int64_t i)
{
	return strtab_push(dst, strtab_get(src, i), strtab_len(src, i));
}

#define NOMEM_S(t) ce_err_set(err, CE_E_NOMEM, "%s: subset: out of memory", (t)->name)

/* Sample n of rows 0..n_rows-1 with the given strata; [out] *sel (ce_free), *n_sel. */
static enum ce_status pick(const struct task *t, const int32_t *strata, int64_t n_rows, int32_t n_strata, int64_t n,
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

/* ---- per type ---------------------------------------------------------- */

static enum ce_status sub_sts(const struct dataset *ds, const struct task *t, int64_t n, struct subset_rng *rng,
			      struct dataset *nw, uint64_t *h, struct subset_info *info, struct ce_err *err)
{
	const struct ds_sts *s = &ds->sts;
	int64_t rows = s->s1.n;
	int32_t *strata = ce_malloc_array((size_t)(rows ? rows : 1), sizeof *strata);
	if (!strata)
		return NOMEM_S(t);
	double lo = INFINITY, hi = -INFINITY;
	if (t->has_score_range) {
		lo = t->score_min;
		hi = t->score_max;
	} else {
		for (int64_t i = 0; i < rows; i++) {
			lo = fmin(lo, s->score[i]);
			hi = fmax(hi, s->score[i]);
		}
	}
	for (int64_t i = 0; i < rows; i++) {
		int32_t b = 0;
		if (hi > lo) {
			double f = floor((s->score[i] - lo) / (hi - lo) * SUBSET_STS_BUCKETS);
			b = f < 0 ? 0 : f >= SUBSET_STS_BUCKETS ? SUBSET_STS_BUCKETS - 1 : (int32_t)f;
		}
		strata[i] = b;
	}
	int64_t *sel = NULL, k = 0;
	enum ce_status st = pick(t, strata, rows, SUBSET_STS_BUCKETS, n, rng, &sel, &k, err);
	ce_free(strata);
	if (st != CE_OK)
		return st;
	if (!(nw->sts.score = ce_malloc_array((size_t)(k ? k : 1), sizeof *nw->sts.score)))
		st = NOMEM_S(t);
	for (int64_t j = 0; j < k && st == CE_OK; j++) {
		*h = fnv_index(*h, 'r', sel[j]);
		nw->sts.score[j] = s->score[sel[j]];
		if (push_row(&nw->sts.s1, &s->s1, sel[j]) != CE_OK || push_row(&nw->sts.s2, &s->s2, sel[j]) != CE_OK)
			st = NOMEM_S(t);
	}
	info->applied = k < rows;
	info->rows_after = k;
	ce_free(sel);
	return st;
}

static enum ce_status sub_pair(const struct dataset *ds, const struct task *t, int64_t n, struct subset_rng *rng,
			       struct dataset *nw, uint64_t *h, struct subset_info *info, struct ce_err *err)
{
	const struct ds_pair *p = &ds->pair;
	int64_t rows = p->s1.n, *sel = NULL, k = 0;
	/* labels are 0/1 (dataset.h), so the label is the stratum */
	enum ce_status st = pick(t, p->label, rows, 2, n, rng, &sel, &k, err);
	if (st != CE_OK)
		return st;
	if (!(nw->pair.label = ce_malloc_array((size_t)(k ? k : 1), sizeof *nw->pair.label)))
		st = NOMEM_S(t);
	for (int64_t j = 0; j < k && st == CE_OK; j++) {
		*h = fnv_index(*h, 'r', sel[j]);
		nw->pair.label[j] = p->label[sel[j]];
		if (push_row(&nw->pair.s1, &p->s1, sel[j]) != CE_OK || push_row(&nw->pair.s2, &p->s2, sel[j]) != CE_OK)
			st = NOMEM_S(t);
	}
	info->applied = k < rows;
	info->rows_after = k;
	ce_free(sel);
	return st;
}

static enum ce_status sub_classification(const struct dataset *ds, const struct task *t, int64_t n,
					 struct subset_rng *rng, struct dataset *nw, uint64_t *h,
					 struct subset_info *info, struct ce_err *err)
{
	const struct ds_classification *c = &ds->classification;
	int64_t rows = c->eval_texts.n, *sel = NULL, k = 0;
	int32_t ncls = c->labels.n_classes > 0 ? c->labels.n_classes : 1;
	enum ce_status st = pick(t, c->eval_labels, rows, ncls, n, rng, &sel, &k, err);
	if (st != CE_OK)
		return st;
	if (!(nw->classification.eval_labels = ce_malloc_array((size_t)(k ? k : 1), sizeof(int32_t))))
		st = NOMEM_S(t);
	for (int64_t j = 0; j < k && st == CE_OK; j++) {
		*h = fnv_index(*h, 'r', sel[j]);
		nw->classification.eval_labels[j] = c->eval_labels[sel[j]];
		if (push_row(&nw->classification.eval_texts, &c->eval_texts, sel[j]) != CE_OK)
			st = NOMEM_S(t);
	}
	info->applied = k < rows;
	info->rows_after = k;
	ce_free(sel);
	return st;
}

static enum ce_status sub_clustering(const struct dataset *ds, const struct task *t, int64_t n,
				     struct subset_rng *rng, struct dataset *nw, uint64_t *h,
				     struct subset_info *info, struct ce_err *err)
{
	const struct ds_clustering *c = &ds->clustering;
	int32_t ncls = c->label_set.n_classes > 0 ? c->label_set.n_classes : 1;
	struct ds_clustering *u = &nw->clustering;
	u->n_sets = c->n_sets;
	u->set_off = ce_calloc((size_t)c->n_sets + 1, sizeof *u->set_off);
	u->labels = ce_malloc_array((size_t)(c->sentences.n ? c->sentences.n : 1), sizeof *u->labels);
	if (!u->set_off || !u->labels)
		return NOMEM_S(t);
	enum ce_status st = CE_OK;
	int64_t o = 0;
	info->rows_before = c->sentences.n;
	for (int64_t s = 0; s < c->n_sets && st == CE_OK; s++) {
		int64_t b = c->set_off[s], rows = c->set_off[s + 1] - b, *sel = NULL, k = 0;
		st = pick(t, c->labels + b, rows, ncls, n, rng, &sel, &k, err);
		if (st != CE_OK)
			break;
		*h = fnv_index(*h, 's', s);
		for (int64_t j = 0; j < k && st == CE_OK; j++) {
			*h = fnv_index(*h, 'i', sel[j]);
			u->labels[o++] = c->labels[b + sel[j]];
			if (push_row(&u->sentences, &c->sentences, b + sel[j]) != CE_OK)
				st = NOMEM_S(t);
		}
		u->set_off[s + 1] = o;
		ce_free(sel);
	}
	info->applied = o < c->sentences.n;
	info->rows_after = o;
	return st;
}

static enum ce_status sub_reranking(const struct dataset *ds, const struct task *t, int64_t n,
				    struct subset_rng *rng, struct dataset *nw, uint64_t *h,
				    struct subset_info *info, struct ce_err *err)
{
	const struct ds_reranking *d = &ds->reranking;
	int64_t rows = d->queries.n;
	int64_t *usable = ce_malloc_array((size_t)(rows ? rows : 1), sizeof *usable);
	int32_t *zero = ce_calloc((size_t)(rows ? rows : 1), sizeof *zero);
	int64_t n_usable = 0, *sel = NULL, k = 0;
	enum ce_status st = CE_OK;
	if (!usable || !zero)
		st = NOMEM_S(t);
	for (int64_t i = 0; i < rows && st == CE_OK; i++)
		if (d->pos_off[i + 1] > d->pos_off[i] && d->neg_off[i + 1] > d->neg_off[i])
			usable[n_usable++] = i;
	if (st == CE_OK)
		st = pick(t, zero, n_usable, 1, n, rng, &sel, &k, err);
	struct ds_reranking *r = &nw->reranking;
	if (st == CE_OK) {
		r->pos_off = ce_calloc((size_t)k + 1, sizeof *r->pos_off);
		r->neg_off = ce_calloc((size_t)k + 1, sizeof *r->neg_off);
		if (!r->pos_off || !r->neg_off)
			st = NOMEM_S(t);
	}
	for (int64_t j = 0; j < k && st == CE_OK; j++) {
		int64_t i = usable[sel[j]];
		*h = fnv_index(*h, 'r', i);
		if (push_row(&r->queries, &d->queries, i) != CE_OK)
			st = NOMEM_S(t);
		for (int64_t x = d->pos_off[i]; x < d->pos_off[i + 1] && st == CE_OK; x++)
			if (push_row(&r->positives, &d->positives, x) != CE_OK)
				st = NOMEM_S(t);
		for (int64_t x = d->neg_off[i]; x < d->neg_off[i + 1] && st == CE_OK; x++)
			if (push_row(&r->negatives, &d->negatives, x) != CE_OK)
				st = NOMEM_S(t);
		r->pos_off[j + 1] = r->positives.n;
		r->neg_off[j + 1] = r->negatives.n;
	}
	/* whole when every sample is kept (unusable ones are only dropped if some usable one is too) */
	info->applied = k < rows;
	info->rows_after = k;
	ce_free(usable);
	ce_free(zero);
	ce_free(sel);
	return st;
}

static enum ce_status sub_retrieval(const struct dataset *ds, const struct task *t, int64_t n, int64_t m,
				    struct subset_rng *rng, struct dataset *nw, uint64_t *h,
				    struct subset_info *info, struct ce_err *err)
{
	const struct ds_retrieval *d = &ds->retrieval;
	int64_t nq = d->query_ids.n, nd = d->corpus_ids.n;
	uint8_t *q_in = ce_calloc((size_t)(nq ? nq : 1), 1);     /* 1 = in qrels, 2 = chosen */
	uint8_t *d_in = ce_calloc((size_t)(nd ? nd : 1), 1);     /* 1 = chosen */
	int64_t *cand = ce_malloc_array((size_t)(nq > nd ? (nq ? nq : 1) : (nd ? nd : 1)), sizeof *cand);
	int32_t *zero = ce_calloc((size_t)(nq > nd ? (nq ? nq : 1) : (nd ? nd : 1)), sizeof *zero);
	int64_t *qmap = ce_malloc_array((size_t)(nq ? nq : 1), sizeof *qmap);
	int64_t *dmap = ce_malloc_array((size_t)(nd ? nd : 1), sizeof *dmap);
	int64_t *sel = NULL, k = 0;
	enum ce_status st = CE_OK;
	if (!q_in || !d_in || !cand || !zero || !qmap || !dmap) {
		st = NOMEM_S(t);
		goto out;
	}
	/* 1. N queries among those the qrels name */
	for (int64_t i = 0; i < d->n_qrels; i++)
		q_in[d->qrel_query[i]] = 1;
	int64_t nc = 0;
	for (int64_t q = 0; q < nq; q++)
		if (q_in[q])
			cand[nc++] = q;
	if ((st = pick(t, zero, nc, 1, n, rng, &sel, &k, err)) != CE_OK)
		goto out;
	for (int64_t j = 0; j < k; j++)
		q_in[cand[sel[j]]] = 2;
	ce_free(sel);
	sel = NULL;
	/* 2. every document in the qrels of a chosen query */
	int64_t n_rel = 0;
	for (int64_t i = 0; i < d->n_qrels; i++)
		if (q_in[d->qrel_query[i]] == 2 && !d_in[d->qrel_doc[i]]) {
			d_in[d->qrel_doc[i]] = 1;
			n_rel++;
		}
	/* 3. other documents up to max(M, #relevant) in all */
	int64_t target = m > n_rel ? m : n_rel;
	if (target > nd)
		target = nd;
	nc = 0;
	for (int64_t x = 0; x < nd; x++)
		if (!d_in[x])
			cand[nc++] = x;
	if ((st = pick(t, zero, nc, 1, target - n_rel, rng, &sel, &k, err)) != CE_OK)
		goto out;
	for (int64_t j = 0; j < k; j++)
		d_in[cand[sel[j]]] = 1;
	/* 4. the new tables, in file order, and the qrels of the chosen queries */
	struct ds_retrieval *r = &nw->retrieval;
	for (int64_t q = 0; q < nq && st == CE_OK; q++) {
		qmap[q] = -1;
		if (q_in[q] != 2)
			continue;
		qmap[q] = r->query_ids.n;
		*h = fnv_index(*h, 'q', q);
		if (push_row(&r->query_ids, &d->query_ids, q) != CE_OK ||
		    push_row(&r->query_texts, &d->query_texts, q) != CE_OK)
			st = NOMEM_S(t);
	}
	for (int64_t x = 0; x < nd && st == CE_OK; x++) {
		dmap[x] = -1;
		if (!d_in[x])
			continue;
		dmap[x] = r->corpus_ids.n;
		*h = fnv_index(*h, 'd', x);
		if (push_row(&r->corpus_ids, &d->corpus_ids, x) != CE_OK ||
		    push_row(&r->corpus_texts, &d->corpus_texts, x) != CE_OK)
			st = NOMEM_S(t);
	}
	if (st != CE_OK)
		goto out;
	int64_t nr = 0;
	for (int64_t i = 0; i < d->n_qrels; i++)
		nr += q_in[d->qrel_query[i]] == 2;
	r->qrel_query = ce_malloc_array((size_t)(nr ? nr : 1), sizeof *r->qrel_query);
	r->qrel_doc = ce_malloc_array((size_t)(nr ? nr : 1), sizeof *r->qrel_doc);
	r->qrel_score = ce_malloc_array((size_t)(nr ? nr : 1), sizeof *r->qrel_score);
	if (!r->qrel_query || !r->qrel_doc || !r->qrel_score) {
		st = NOMEM_S(t);
		goto out;
	}
	for (int64_t i = 0; i < d->n_qrels; i++) {
		if (q_in[d->qrel_query[i]] != 2)
			continue;
		r->qrel_query[r->n_qrels] = qmap[d->qrel_query[i]];
		r->qrel_doc[r->n_qrels] = dmap[d->qrel_doc[i]];
		r->qrel_score[r->n_qrels] = d->qrel_score[i];
		r->n_qrels++;
	}
	info->corpus = m;
	info->corpus_before = nd;
	info->corpus_after = r->corpus_ids.n;
	info->rows_after = r->query_ids.n;
	info->applied = r->query_ids.n < nq || r->corpus_ids.n < nd;
out:
	ce_free(q_in);
	ce_free(d_in);
	ce_free(cand);
	ce_free(zero);
	ce_free(qmap);
	ce_free(dmap);
	ce_free(sel);
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
	enum ce_status st;
	switch (ds->type) {
	case TASK_TYPE_STS: st = sub_sts(ds, t, spec->n, &rng, nw, &h, info, err); break;
	case TASK_TYPE_PAIR_CLASSIFICATION: st = sub_pair(ds, t, spec->n, &rng, nw, &h, info, err); break;
	case TASK_TYPE_CLASSIFICATION: st = sub_classification(ds, t, spec->n, &rng, nw, &h, info, err); break;
	case TASK_TYPE_CLUSTERING: st = sub_clustering(ds, t, spec->n, &rng, nw, &h, info, err); break;
	case TASK_TYPE_RERANKING: st = sub_reranking(ds, t, spec->n, &rng, nw, &h, info, err); break;
	case TASK_TYPE_RETRIEVAL: st = sub_retrieval(ds, t, spec->n, m, &rng, nw, &h, info, err); break;
	default: st = ce_err_set(err, CE_E_INVALID_ARG, "%s: subset: unknown task type", t->name); break;
	}
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
	/* parts the subset keeps whole move over: classification training rows and label tables */
	if (ds->type == TASK_TYPE_CLASSIFICATION) {
		struct ds_classification *a = &ds->classification, *b = &nw->classification;
		struct strtab tt = a->train_texts;
		a->train_texts = b->train_texts;
		b->train_texts = tt;
		int32_t *tl = a->train_labels;
		a->train_labels = b->train_labels;
		b->train_labels = tl;
		struct ds_labels l = a->labels;
		a->labels = b->labels;
		b->labels = l;
	} else if (ds->type == TASK_TYPE_CLUSTERING) {
		struct ds_labels l = ds->clustering.label_set;
		ds->clustering.label_set = nw->clustering.label_set;
		nw->clustering.label_set = l;
	}
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
	switch (ds->type) {
	case TASK_TYPE_STS: return 2 * ds->sts.s1.n;
	case TASK_TYPE_PAIR_CLASSIFICATION: return 2 * ds->pair.s1.n;
	case TASK_TYPE_CLUSTERING: return ds->clustering.sentences.n;
	case TASK_TYPE_RETRIEVAL: return ds->retrieval.query_ids.n + ds->retrieval.corpus_ids.n;
	case TASK_TYPE_RERANKING: {
		const struct ds_reranking *d = &ds->reranking;
		int64_t n = 0;
		for (int64_t i = 0; i < d->queries.n; i++) {
			int64_t np = d->pos_off[i + 1] - d->pos_off[i], nn = d->neg_off[i + 1] - d->neg_off[i];
			if (np > 0 && nn > 0)
				n += 1 + np + nn;
		}
		return n;
	}
	case TASK_TYPE_CLASSIFICATION: {
		const struct ds_classification *c = &ds->classification;
		int32_t k = c->labels.n_classes;
		int64_t cap = (int64_t)t->n_experiments * t->samples_per_label, n = c->eval_texts.n;
		int64_t *cnt = k > 0 ? ce_calloc((size_t)k, sizeof *cnt) : NULL;
		if (!cnt)
			return n + c->train_texts.n;
		for (int64_t i = 0; i < c->train_texts.n; i++)
			if (c->train_labels[i] >= 0 && c->train_labels[i] < k)
				cnt[c->train_labels[i]]++;
		for (int32_t i = 0; i < k; i++)
			n += cnt[i] < cap ? cnt[i] : cap;
		ce_free(cnt);
		return n;
	}
	default: return 0;
	}
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
	if (t->type == TASK_TYPE_RETRIEVAL)
		m = spec->corpus > 0 ? spec->corpus : spec->n * SUBSET_CORPUS_FACTOR;
	return r->subset_n == spec->n && r->subset_corpus == m && r->subset_seed == (int64_t)spec->seed;
}
