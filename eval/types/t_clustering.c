/*
 * t_clustering.c - the clustering task type: sets of texts with cluster
 * labels.  Rows (<split>.jsonl): sentences (a non-empty list of strings),
 * labels (a list of integer or string labels, as long as sentences); label
 * ids shared over the split.  Subset: within every set, n texts stratified
 * by label.  Evaluator: ev_clustering (ev_clustering.c).
 */
#include <inttypes.h>
#include <string.h>

#include "ce_alloc.h"
#include "t_common.h"
#include "task_types.h"

static enum ce_status cluster_row(struct record_source *s, struct t_rows *c, struct ce_err *err)
{
	const struct task *t = c->t;
	struct ds_clustering *d = &c->ds->clustering;
	int64_t n_sent = 0;
	struct record_value lv;
	CE_TRY(record_get_str_list(s, t->columns.sentences, &d->sentences, &n_sent, err));
	if (n_sent == 0)
		return record_err(s, err, "column '%s': empty list (a clustering set needs texts)", t->columns.sentences);
	CE_TRY(record_col(s, t->columns.labels, &lv, err));
	if (lv.kind != RECORD_LIST)
		return record_err(s, err, "column '%s': expected an array of labels, found %s", t->columns.labels,
				  record_kind_name(lv.kind));
	if ((int64_t)lv.n != n_sent)
		return record_err(s, err, "column '%s' has %zu labels but '%s' has %" PRId64 " texts", t->columns.labels,
				  lv.n, t->columns.sentences, n_sent);
	for (size_t i = 0; i < lv.n; i++) {
		struct record_value e;
		record_elem(s, &lv, i, &e);
		CE_TRY(t_label_add(s, c->acc, &e, t->columns.labels, err));
	}
	if (strtab_grow((void **)&d->set_off, &c->cap, d->n_sets + 2, sizeof *d->set_off) != CE_OK)
		return record_nomem(s, err);
	d->set_off[0] = 0; /* n_sets + 1 offsets; the first is set with the first set */
	d->set_off[++d->n_sets] = d->sentences.n;
	return CE_OK;
}

static enum ce_status clustering_load(const struct task *t, const struct data_location *loc, const char *split,
				     struct dataset *ds, struct ce_err *err)
{
	struct ds_clustering *d = &ds->clustering;
	struct t_label_acc acc;
	memset(&acc, 0, sizeof acc);
	struct t_rows c = {.t = t, .ds = ds, .acc = &acc};
	enum ce_status st = t_load_rows(loc, split, "eval", cluster_row, &c, err);
	if (st == CE_OK) {
		/* every set has labels, so acc.first_path is the path of the file just read */
		d->labels = ce_malloc_array((size_t)acc.n, sizeof *d->labels);
		st = d->labels ? t_label_finish(&acc, &d->label_set, d->labels, err)
			       : ce_err_set(err, CE_E_NOMEM, "%s: out of memory", acc.first_path);
	}
	t_label_acc_deinit(&acc);
	return st;
}

static int64_t clustering_n_rows(const struct dataset *ds)
{
	return ds->clustering.n_sets;
}

static void clustering_deinit(struct dataset *ds)
{
	struct ds_clustering *u = &ds->clustering;
	ce_free(u->set_off);
	u->set_off = NULL;
	strtab_deinit(&u->sentences);
	ce_free(u->labels);
	u->labels = NULL;
	t_labels_deinit(&u->label_set);
}

static enum ce_status clustering_subset(const struct dataset *ds, const struct task *t, int64_t n, int64_t m,
				     struct subset_rng *rng, struct dataset *nw, uint64_t *h,
				     struct subset_info *info, struct ce_err *err)
{
	(void)m;
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
		st = subset_pick(t, c->labels + b, rows, ncls, n, rng, &sel, &k, err);
		if (st != CE_OK)
			break;
		*h = subset_hash_index(*h, 's', s);
		for (int64_t j = 0; j < k && st == CE_OK; j++) {
			*h = subset_hash_index(*h, 'i', sel[j]);
			u->labels[o++] = c->labels[b + sel[j]];
			if (subset_push_row(&u->sentences, &c->sentences, b + sel[j]) != CE_OK)
				st = NOMEM_S(t);
		}
		u->set_off[s + 1] = o;
		ce_free(sel);
	}
	info->applied = o < c->sentences.n;
	info->rows_after = o;
	return st;
}

/* the label table is kept whole */
static void clustering_subset_keep(struct dataset *ds, struct dataset *nw)
{
	struct ds_labels l = ds->clustering.label_set;
	ds->clustering.label_set = nw->clustering.label_set;
	nw->clustering.label_set = l;
}

static int64_t clustering_count_texts(const struct dataset *ds, const struct task *t)
{
	(void)t;
	return ds->clustering.sentences.n;
}

static const char *const clustering_params[] = {"fast_sample", NULL};
static const char *const clustering_columns[] = {"sentences", "labels", NULL};

/* the scores its evaluator (ev_*.c) reports: keep in step */
static const char *const clustering_metrics[] = {"v_measure", "v_measure_std", NULL};

const struct task_type_desc task_type_clustering = {
	.type = TASK_TYPE_CLUSTERING,
	.name = "clustering",
	.title = "Clustering",
	.default_main_score = "v_measure",
	.default_main_score_r3 = "v_measure",
	.query_instruction = false,
	.train_split = false,
	.subset_corpus = false,
	.params = clustering_params,
	.columns = clustering_columns,
	.metrics = clustering_metrics,
	.load = clustering_load,
	.n_rows = clustering_n_rows,
	.deinit = clustering_deinit,
	.subset = clustering_subset,
	.subset_keep = clustering_subset_keep,
	.count_texts = clustering_count_texts,
	.evaluator = {TASK_TYPE_CLUSTERING, "clustering", ev_clustering},
};
