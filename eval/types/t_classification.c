/*
 * t_classification.c - the classification task type: texts with a class
 * label, a training split (train_split, "train" by default) and an eval
 * split.  Rows: text (a string), label (an integer or a string; one kind per
 * task), label ids shared by both splits (dataset.h, struct ds_labels).
 * Subset: eval rows stratified by label; the training rows stay whole.
 * Evaluator: ev_classification (ev_classification.c).
 */
#include <string.h>

#include "ce_alloc.h"
#include "t_common.h"
#include "task_types.h"

/* Classification record: text onto c->texts, label onto c->acc. */
static enum ce_status class_row(struct record_source *s, struct t_rows *c, struct ce_err *err)
{
	const char *p;
	size_t len;
	struct record_value v;
	CE_TRY(record_get_str(s, c->t->columns.text, &p, &len, err));
	if (strtab_push(c->texts, p, len) != CE_OK)
		return record_nomem(s, err);
	CE_TRY(record_col(s, c->t->columns.label, &v, err));
	return t_label_add(s, c->acc, &v, c->t->columns.label, err);
}

static enum ce_status classification_load(const struct task *t, const struct data_location *loc, const char *split,
				     struct dataset *ds, struct ce_err *err)
{
	struct ds_classification *d = &ds->classification;
	struct t_label_acc acc;
	memset(&acc, 0, sizeof acc);
	const char *train = t->train_split ? t->train_split : "train";
	struct t_rows c = {.t = t, .ds = ds, .texts = &d->train_texts, .acc = &acc};
	enum ce_status st = t_load_rows(loc, train, "train", class_row, &c, err);
	c.texts = &d->eval_texts;
	if (st == CE_OK)
		st = t_load_rows(loc, split, "eval", class_row, &c, err);
	if (st == CE_OK) {
		int32_t *ids = ce_malloc_array((size_t)acc.n, sizeof *ids);
		d->train_labels = ce_malloc_array((size_t)d->train_texts.n, sizeof *d->train_labels);
		d->eval_labels = ce_malloc_array((size_t)d->eval_texts.n, sizeof *d->eval_labels);
		if (!ids || !d->train_labels || !d->eval_labels)
			st = ce_err_set(err, CE_E_NOMEM, "out of memory");
		if (st == CE_OK)
			st = t_label_finish(&acc, &d->labels, ids, err);
		if (st == CE_OK) {
			memcpy(d->train_labels, ids, (size_t)d->train_texts.n * sizeof *ids);
			memcpy(d->eval_labels, ids + d->train_texts.n, (size_t)d->eval_texts.n * sizeof *ids);
		}
		ce_free(ids);
	}
	t_label_acc_deinit(&acc);
	return st;
}

static int64_t classification_n_rows(const struct dataset *ds)
{
	return ds->classification.eval_texts.n;
}

static void classification_deinit(struct dataset *ds)
{
	struct ds_classification *c = &ds->classification;
	strtab_deinit(&c->train_texts);
	strtab_deinit(&c->eval_texts);
	ce_free(c->train_labels);
	ce_free(c->eval_labels);
	c->train_labels = c->eval_labels = NULL;
	t_labels_deinit(&c->labels);
}

static enum ce_status classification_subset(const struct dataset *ds, const struct task *t, int64_t n, int64_t m,
					 struct subset_rng *rng, struct dataset *nw, uint64_t *h,
					 struct subset_info *info, struct ce_err *err)
{
	(void)m;
	const struct ds_classification *c = &ds->classification;
	int64_t rows = c->eval_texts.n, *sel = NULL, k = 0;
	int32_t ncls = c->labels.n_classes > 0 ? c->labels.n_classes : 1;
	enum ce_status st = subset_pick(t, c->eval_labels, rows, ncls, n, rng, &sel, &k, err);
	if (st != CE_OK)
		return st;
	if (!(nw->classification.eval_labels = ce_malloc_array((size_t)(k ? k : 1), sizeof(int32_t))))
		st = NOMEM_S(t);
	for (int64_t j = 0; j < k && st == CE_OK; j++) {
		*h = subset_hash_index(*h, 'r', sel[j]);
		nw->classification.eval_labels[j] = c->eval_labels[sel[j]];
		if (subset_push_row(&nw->classification.eval_texts, &c->eval_texts, sel[j]) != CE_OK)
			st = NOMEM_S(t);
	}
	info->applied = k < rows;
	info->rows_after = k;
	ce_free(sel);
	return st;
}

/* the training rows and the label table are kept whole */
static void classification_subset_keep(struct dataset *ds, struct dataset *nw)
{
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
}

static int64_t classification_count_texts(const struct dataset *ds, const struct task *t)
{
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

static const char *const classification_params[] = {"samples_per_label", "n_experiments", NULL};
static const char *const classification_columns[] = {"text", "label", NULL};

/* the scores its evaluator (ev_*.c) reports: keep in step */
/* ap / ap_stderr only when the task has two labels */
static const char *const classification_metrics[] = {"accuracy", "accuracy_stderr", "f1", "f1_stderr",
						     "ap",       "ap_stderr",       NULL};

const struct task_type_desc task_type_classification = {
	.type = TASK_TYPE_CLASSIFICATION,
	.name = "classification",
	.title = "Classification",
	.default_main_score = "accuracy",
	.default_main_score_r3 = "accuracy",
	.query_instruction = false,
	.train_split = true,
	.subset_corpus = false,
	.params = classification_params,
	.columns = classification_columns,
	.metrics = classification_metrics,
	.load = classification_load,
	.n_rows = classification_n_rows,
	.deinit = classification_deinit,
	.subset = classification_subset,
	.subset_keep = classification_subset_keep,
	.count_texts = classification_count_texts,
	.evaluator = {TASK_TYPE_CLASSIFICATION, "classification", ev_classification},
};
