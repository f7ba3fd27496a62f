/*
 * t_reranking.c - the reranking task type: a query with lists of positive
 * and negative candidates.  Rows (<split>.jsonl): query (a string), positive
 * and negative (lists of strings, may be empty: the evaluator drops such
 * samples).  Subset: n of the usable samples, uniformly.  Evaluator:
 * ev_reranking (ev_reranking.c).
 */
#include <string.h>

#include "ce_alloc.h"
#include "t_common.h"
#include "task_types.h"

static enum ce_status rerank_row(struct record_source *s, struct t_rows *c, struct ce_err *err)
{
	const struct task *t = c->t;
	struct ds_reranking *d = &c->ds->reranking;
	int64_t np = 0, nn = 0;
	const char *p;
	size_t len;
	CE_TRY(record_get_str(s, t->columns.query, &p, &len, err));
	if (strtab_push(&d->queries, p, len) != CE_OK)
		return record_nomem(s, err);
	CE_TRY(record_get_str_list(s, t->columns.positive, &d->positives, &np, err));
	CE_TRY(record_get_str_list(s, t->columns.negative, &d->negatives, &nn, err));
	int64_t n = d->queries.n;
	if (strtab_grow((void **)&d->pos_off, &c->cap, n + 1, sizeof(int64_t)) != CE_OK ||
	    strtab_grow((void **)&d->neg_off, &c->cap2, n + 1, sizeof(int64_t)) != CE_OK)
		return record_nomem(s, err);
	d->pos_off[0] = d->neg_off[0] = 0; /* n + 1 offsets; the first is set with the first sample */
	d->pos_off[n] = d->positives.n;
	d->neg_off[n] = d->negatives.n;
	return CE_OK;
}

static enum ce_status reranking_load(const struct task *t, const char *dir, const char *split, struct dataset *ds,
				     struct ce_err *err)
{
	struct t_rows c = {.t = t, .ds = ds};
	return t_load_rows(dir, split, "eval", rerank_row, &c, err);
}

static int64_t reranking_n_rows(const struct dataset *ds)
{
	return ds->reranking.queries.n;
}

static void reranking_deinit(struct dataset *ds)
{
	struct ds_reranking *k = &ds->reranking;
	strtab_deinit(&k->queries);
	strtab_deinit(&k->positives);
	strtab_deinit(&k->negatives);
	ce_free(k->pos_off);
	ce_free(k->neg_off);
	k->pos_off = k->neg_off = NULL;
}

static enum ce_status reranking_subset(const struct dataset *ds, const struct task *t, int64_t n, int64_t m,
				    struct subset_rng *rng, struct dataset *nw, uint64_t *h,
				    struct subset_info *info, struct ce_err *err)
{
	(void)m;
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
		st = subset_pick(t, zero, n_usable, 1, n, rng, &sel, &k, err);
	struct ds_reranking *r = &nw->reranking;
	if (st == CE_OK) {
		r->pos_off = ce_calloc((size_t)k + 1, sizeof *r->pos_off);
		r->neg_off = ce_calloc((size_t)k + 1, sizeof *r->neg_off);
		if (!r->pos_off || !r->neg_off)
			st = NOMEM_S(t);
	}
	for (int64_t j = 0; j < k && st == CE_OK; j++) {
		int64_t i = usable[sel[j]];
		*h = subset_hash_index(*h, 'r', i);
		if (subset_push_row(&r->queries, &d->queries, i) != CE_OK)
			st = NOMEM_S(t);
		for (int64_t x = d->pos_off[i]; x < d->pos_off[i + 1] && st == CE_OK; x++)
			if (subset_push_row(&r->positives, &d->positives, x) != CE_OK)
				st = NOMEM_S(t);
		for (int64_t x = d->neg_off[i]; x < d->neg_off[i + 1] && st == CE_OK; x++)
			if (subset_push_row(&r->negatives, &d->negatives, x) != CE_OK)
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

static void reranking_subset_keep(struct dataset *ds, struct dataset *nw)
{
	(void)ds;
	(void)nw;
}

static int64_t reranking_count_texts(const struct dataset *ds, const struct task *t)
{
	(void)t;
	const struct ds_reranking *d = &ds->reranking;
	int64_t n = 0;
	for (int64_t i = 0; i < d->queries.n; i++) {
		int64_t np = d->pos_off[i + 1] - d->pos_off[i], nn = d->neg_off[i + 1] - d->neg_off[i];
		if (np > 0 && nn > 0)
			n += 1 + np + nn;
	}
	return n;
}

static const char *const reranking_params[] = {NULL};
static const char *const reranking_columns[] = {"query", "positive", "negative", NULL};

/* the scores its evaluator (ev_*.c) reports: keep in step */
static const char *const reranking_metrics[] = {"map", "mrr", "map_at_1000", "mrr_at_10", "ndcg_at_10", NULL};

const struct task_type_desc task_type_reranking = {
	.type = TASK_TYPE_RERANKING,
	.name = "reranking",
	.title = "Reranking",
	.default_main_score = "map",
	.default_main_score_r3 = "map_at_1000",
	.query_instruction = true,
	.train_split = false,
	.subset_corpus = false,
	.params = reranking_params,
	.columns = reranking_columns,
	.metrics = reranking_metrics,
	.load = reranking_load,
	.n_rows = reranking_n_rows,
	.deinit = reranking_deinit,
	.subset = reranking_subset,
	.subset_keep = reranking_subset_keep,
	.count_texts = reranking_count_texts,
	.evaluator = {TASK_TYPE_RERANKING, "reranking", ev_reranking},
};
