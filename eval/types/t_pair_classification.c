/*
 * t_pair_classification.c - the pair-classification task type: sentence
 * pairs labelled 0 or 1.  Rows (<split>.jsonl): sentence1, sentence2
 * (strings), label (the JSON integer 0 or 1); a row whose sentence1 is a
 * list holds parallel lists of pairs (the 2023 C-MTEB OCNLI / CMNLI form)
 * and is exploded (record_source_explode).  Subset: stratified by label.
 * Evaluator: ev_pair_classification (ev_pairs.c).
 */
#include <inttypes.h>
#include <string.h>

#include "ce_alloc.h"
#include "t_common.h"
#include "task_types.h"

static enum ce_status pair_row(struct record_source *s, struct t_rows *c, struct ce_err *err)
{
	const struct task *t = c->t;
	struct ds_pair *d = &c->ds->pair;
	const char *p;
	size_t len;
	struct record_value v;
	CE_TRY(record_get_str(s, t->columns.sentence1, &p, &len, err));
	if (strtab_push(&d->s1, p, len) != CE_OK)
		return record_nomem(s, err);
	CE_TRY(record_get_str(s, t->columns.sentence2, &p, &len, err));
	if (strtab_push(&d->s2, p, len) != CE_OK)
		return record_nomem(s, err);
	record_get(s, t->columns.label, &v);
	if (v.kind == RECORD_MISSING && strcmp(t->columns.label, "label") == 0)
		record_get(s, "labels", &v); /* the hub OCNLI / CMNLI name, when the task keeps the default */
	if (v.kind == RECORD_MISSING)
		return record_err(s, err, "missing column '%s'", t->columns.label);
	if (v.kind == RECORD_INT && v.i != 0 && v.i != 1)
		return record_err(s, err, "column '%s': %" PRId64 " is out of range: expected the integer 0 or 1",
				  t->columns.label, (int64_t)v.i);
	if (!(v.kind == RECORD_INT && (v.i == 0 || v.i == 1)))
		return record_err(s, err, "column '%s': expected the integer 0 or 1, found %s", t->columns.label,
				  record_kind_name(v.kind));
	if (strtab_grow((void **)&d->label, &c->cap, d->s1.n, sizeof *d->label) != CE_OK)
		return record_nomem(s, err);
	d->label[d->s1.n - 1] = (int32_t)v.i;
	return CE_OK;
}

static enum ce_status pair_load(const struct task *t, const struct data_location *loc, const char *split,
				     struct dataset *ds, struct ce_err *err)
{
	struct t_rows c = {.t = t, .ds = ds};
	/* the 2023 C-MTEB OCNLI / CMNLI files (and their to_json exports) hold one row of parallel
	   lists: explode them; rows of scalars pass through unchanged */
	struct record_source *in, *s;
	CE_TRY(t_open_rows(loc, t->hf_subset, split, "eval", &ds->content_hash, &in, err));
	const char *cols[4] = {t->columns.sentence1, t->columns.sentence2, t->columns.label, "labels"};
	CE_TRY(record_source_explode(in, cols, strcmp(t->columns.label, "label") == 0 ? 4 : 3, &s, err));
	return t_read_rows(s, pair_row, &c, err);
}

static int64_t pair_n_rows(const struct dataset *ds)
{
	return ds->pair.s1.n;
}

static void pair_deinit(struct dataset *ds)
{
	strtab_deinit(&ds->pair.s1);
	strtab_deinit(&ds->pair.s2);
	ce_free(ds->pair.label);
	ds->pair.label = NULL;
}

static enum ce_status pair_subset(const struct dataset *ds, const struct task *t, int64_t n, int64_t m, struct subset_rng *rng,
			       struct dataset *nw, uint64_t *h, struct subset_info *info, struct ce_err *err)
{
	(void)m;
	const struct ds_pair *p = &ds->pair;
	int64_t rows = p->s1.n, *sel = NULL, k = 0;
	/* labels are 0/1 (dataset.h), so the label is the stratum */
	enum ce_status st = subset_pick(t, p->label, rows, 2, n, rng, &sel, &k, err);
	if (st != CE_OK)
		return st;
	if (!(nw->pair.label = ce_malloc_array((size_t)(k ? k : 1), sizeof *nw->pair.label)))
		st = NOMEM_S(t);
	for (int64_t j = 0; j < k && st == CE_OK; j++) {
		*h = subset_hash_index(*h, 'r', sel[j]);
		nw->pair.label[j] = p->label[sel[j]];
		if (subset_push_row(&nw->pair.s1, &p->s1, sel[j]) != CE_OK || subset_push_row(&nw->pair.s2, &p->s2, sel[j]) != CE_OK)
			st = NOMEM_S(t);
	}
	info->applied = k < rows;
	info->rows_after = k;
	ce_free(sel);
	return st;
}

static void pair_subset_keep(struct dataset *ds, struct dataset *nw)
{
	(void)ds;
	(void)nw;
}

static int64_t pair_count_texts(const struct dataset *ds, const struct task *t)
{
	(void)t;
	return 2 * ds->pair.s1.n;
}

static const char *const pair_params[] = {NULL};
static const char *const pair_columns[] = {"sentence1", "sentence2", "label", NULL};

/* the scores its evaluator (ev_*.c) reports: keep in step */
static const char *const pair_metrics[] = {
	"cosine_accuracy",    "cosine_accuracy_threshold",    "cosine_f1",    "cosine_f1_threshold",
	"cosine_precision",   "cosine_recall",                "cosine_ap",    "manhattan_accuracy",
	"manhattan_accuracy_threshold", "manhattan_f1",       "manhattan_f1_threshold", "manhattan_precision",
	"manhattan_recall",   "manhattan_ap",                 "euclidean_accuracy", "euclidean_accuracy_threshold",
	"euclidean_f1",       "euclidean_f1_threshold",       "euclidean_precision", "euclidean_recall",
	"euclidean_ap",       "dot_accuracy",                 "dot_accuracy_threshold", "dot_f1",
	"dot_f1_threshold",   "dot_precision",                "dot_recall",   "dot_ap",
	"max_accuracy",       "max_f1",                       "max_precision", "max_recall",
	"max_ap",             NULL};

const struct task_type_desc task_type_pair_classification = {
	.type = TASK_TYPE_PAIR_CLASSIFICATION,
	.name = "pair_classification",
	.title = "PairClassification",
	.default_main_score = "cosine_ap",
	.default_main_score_r3 = "max_accuracy",
	.query_instruction = false,
	.train_split = false,
	.subset_corpus = false,
	.params = pair_params,
	.columns = pair_columns,
	.metrics = pair_metrics,
	.load = pair_load,
	.n_rows = pair_n_rows,
	.deinit = pair_deinit,
	.subset = pair_subset,
	.subset_keep = pair_subset_keep,
	.count_texts = pair_count_texts,
	.evaluator = {TASK_TYPE_PAIR_CLASSIFICATION, "pair_classification", ev_pair_classification},
};
