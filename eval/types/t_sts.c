/*
 * t_sts.c - the STS task type: sentence pairs with a gold similarity score.
 * Rows (<split>.jsonl): columns sentence1, sentence2 (strings), score (a
 * number, checked against parameters score_min/score_max when given).
 * Subset: stratified over SUBSET_STS_BUCKETS equal-width score buckets.
 * Evaluator: ev_sts (ev_pairs.c).
 */
#include <math.h>
#include <string.h>

#include "ce_alloc.h"
#include "t_common.h"
#include "task_types.h"

static enum ce_status sts_row(struct record_source *s, struct t_rows *c, struct ce_err *err)
{
	const struct task *t = c->t;
	struct ds_sts *d = &c->ds->sts;
	const char *p;
	size_t len;
	double x;
	CE_TRY(record_get_str(s, t->columns.sentence1, &p, &len, err));
	if (strtab_push(&d->s1, p, len) != CE_OK)
		return record_nomem(s, err);
	CE_TRY(record_get_str(s, t->columns.sentence2, &p, &len, err));
	if (strtab_push(&d->s2, p, len) != CE_OK)
		return record_nomem(s, err);
	CE_TRY(record_get_num(s, t->columns.score, &x, err));
	if (strtab_grow((void **)&d->score, &c->cap, d->s1.n, sizeof *d->score) != CE_OK)
		return record_nomem(s, err);
	/* the range is a sanity check: out-of-range gold scores mean a wrong file or column */
	if (t->has_score_range && !(x >= t->score_min && x <= t->score_max))
		return record_err(s, err, "column '%s': expected a score in [%g, %g], found %g", t->columns.score,
				  t->score_min, t->score_max, x);
	d->score[d->s1.n - 1] = x;
	return CE_OK;
}

static enum ce_status sts_load(const struct task *t, const struct data_location *loc, const char *split,
				     struct dataset *ds, struct ce_err *err)
{
	struct t_rows c = {.t = t, .ds = ds};
	return t_load_rows(loc, split, "eval", sts_row, &c, err);
}

static int64_t sts_n_rows(const struct dataset *ds)
{
	return ds->sts.s1.n;
}

static void sts_deinit(struct dataset *ds)
{
	strtab_deinit(&ds->sts.s1);
	strtab_deinit(&ds->sts.s2);
	ce_free(ds->sts.score);
	ds->sts.score = NULL;
}

static enum ce_status sts_subset(const struct dataset *ds, const struct task *t, int64_t n, int64_t m, struct subset_rng *rng,
			      struct dataset *nw, uint64_t *h, struct subset_info *info, struct ce_err *err)
{
	(void)m;
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
	enum ce_status st = subset_pick(t, strata, rows, SUBSET_STS_BUCKETS, n, rng, &sel, &k, err);
	ce_free(strata);
	if (st != CE_OK)
		return st;
	if (!(nw->sts.score = ce_malloc_array((size_t)(k ? k : 1), sizeof *nw->sts.score)))
		st = NOMEM_S(t);
	for (int64_t j = 0; j < k && st == CE_OK; j++) {
		*h = subset_hash_index(*h, 'r', sel[j]);
		nw->sts.score[j] = s->score[sel[j]];
		if (subset_push_row(&nw->sts.s1, &s->s1, sel[j]) != CE_OK || subset_push_row(&nw->sts.s2, &s->s2, sel[j]) != CE_OK)
			st = NOMEM_S(t);
	}
	info->applied = k < rows;
	info->rows_after = k;
	ce_free(sel);
	return st;
}

static void sts_subset_keep(struct dataset *ds, struct dataset *nw)
{
	(void)ds;
	(void)nw;
}

static int64_t sts_count_texts(const struct dataset *ds, const struct task *t)
{
	(void)t;
	return 2 * ds->sts.s1.n;
}

static const char *const sts_params[] = {"score_min", "score_max", NULL};
static const char *const sts_columns[] = {"sentence1", "sentence2", "score", NULL};

/* the scores its evaluator (ev_*.c) reports: keep in step */
static const char *const sts_metrics[] = {"cosine_pearson",    "cosine_spearman",   "manhattan_pearson", "manhattan_spearman",
					  "euclidean_pearson", "euclidean_spearman", "pearson",          "spearman",
					  NULL};

const struct task_type_desc task_type_sts = {
	.type = TASK_TYPE_STS,
	.name = "sts",
	.title = "STS",
	.default_main_score = "cosine_spearman",
	.default_main_score_r3 = "cosine_spearman",
	.query_instruction = false,
	.train_split = false,
	.subset_corpus = false,
	.params = sts_params,
	.columns = sts_columns,
	.metrics = sts_metrics,
	.load = sts_load,
	.n_rows = sts_n_rows,
	.deinit = sts_deinit,
	.subset = sts_subset,
	.subset_keep = sts_subset_keep,
	.count_texts = sts_count_texts,
	.evaluator = {TASK_TYPE_STS, "sts", ev_sts},
};
