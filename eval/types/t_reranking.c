/*
 * t_reranking.c - the reranking task type: a query with lists of positive
 * and negative candidates.  Rows (<split>.jsonl): query (a string, or in
 * every row a list of strings: MindSmallReranking's click histories),
 * positive and negative (lists of strings, may be empty: the evaluator drops
 * such samples).  Subset: n of the usable samples, uniformly.  Evaluator:
 * ev_reranking (ev_reranking.c).
 *
 * Hub snapshots: the 2023 C-MTEB layout is the same rows (default config,
 * eval split).  The MTEB 2.x layout (configs corpus, queries, default,
 * top_ranked) is turned into those rows: one sample per top_ranked row
 * (query-id, corpus-ids), in file order; positives = its candidates whose
 * judgement in default (query-id, corpus-id, score) is > 0, negatives = the
 * others, both in top_ranked order.  A document's text is its text, or
 * (title + " " + text).strip() when it has a non-empty title.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "t_common.h"
#include "task_types.h"

static enum ce_status rerank_row(struct record_source *s, struct t_rows *c, struct ce_err *err)
{
	const struct task *t = c->t;
	struct ds_reranking *d = &c->ds->reranking;
	int64_t np = 0, nn = 0, nq = 0;
	int64_t n = ds_reranking_n(d) + 1; /* this row's sample is sample n - 1 */
	struct record_value qv;
	CE_TRY(record_col(s, t->columns.query, &qv, err));
	/* the first row decides, as mteb looks at samples[0]; mixing the two is refused */
	int as_list = qv.kind == RECORD_LIST;
	if (n > 1 && as_list != (d->q_off != NULL))
		return record_err(s, err, "column '%s': %s here, but the earlier rows hold %s", t->columns.query,
				  as_list ? "a list" : record_kind_name(qv.kind), d->q_off ? "lists" : "strings");
	if (as_list) {
		CE_TRY(record_get_str_list(s, t->columns.query, &d->queries, &nq, err));
		if (strtab_grow((void **)&d->q_off, &c->cap3, n + 1, sizeof(int64_t)) != CE_OK)
			return record_nomem(s, err);
		d->q_off[0] = 0;
		d->q_off[n] = d->queries.n;
		d->n_lists = n;
	} else {
		const char *p;
		size_t len;
		CE_TRY(record_get_str(s, t->columns.query, &p, &len, err));
		if (strtab_push(&d->queries, p, len) != CE_OK)
			return record_nomem(s, err);
	}
	CE_TRY(record_get_str_list(s, t->columns.positive, &d->positives, &np, err));
	CE_TRY(record_get_str_list(s, t->columns.negative, &d->negatives, &nn, err));
	n = ds_reranking_n(d);
	if (strtab_grow((void **)&d->pos_off, &c->cap, n + 1, sizeof(int64_t)) != CE_OK ||
	    strtab_grow((void **)&d->neg_off, &c->cap2, n + 1, sizeof(int64_t)) != CE_OK)
		return record_nomem(s, err);
	d->pos_off[0] = d->neg_off[0] = 0; /* n + 1 offsets; the first is set with the first sample */
	d->pos_off[n] = d->positives.n;
	d->neg_off[n] = d->negatives.n;
	return CE_OK;
}

/* ids and texts of every row of s (closed here); with_title: corpus text rule above */
static enum ce_status read_id_text(struct record_source *s, int with_title, struct strtab *ids, struct strtab *texts,
				   struct ce_err *err)
{
	enum ce_status st = CE_OK;
	bool has_row;
	char *tmp = NULL;
	while (st == CE_OK && (st = record_next(s, &has_row, err)) == CE_OK && has_row) {
		const char *id, *tx;
		size_t il, tl;
		struct record_value title = {.kind = RECORD_MISSING};
		if ((st = record_get_str(s, "_id", &id, &il, err)) != CE_OK ||
		    (st = record_get_str(s, "text", &tx, &tl, err)) != CE_OK)
			break;
		if (with_title)
			record_get(s, "title", &title);
		if (strtab_push(ids, id, il) != CE_OK) {
			st = record_nomem(s, err);
		} else if (title.kind == RECORD_STR && title.len > 0) {
			char *nt = ce_realloc(tmp, title.len + 1 + tl);
			if (!nt) {
				st = record_nomem(s, err);
				break;
			}
			tmp = nt;
			memcpy(tmp, title.str, title.len);
			tmp[title.len] = ' ';
			memcpy(tmp + title.len + 1, tx, tl);
			size_t b, e;
			t_py_strip(tmp, title.len + 1 + tl, &b, &e);
			if (strtab_push(texts, tmp + b, e - b) != CE_OK)
				st = record_nomem(s, err);
		} else if (strtab_push(texts, tx, tl) != CE_OK) {
			st = record_nomem(s, err);
		}
	}
	if (st == CE_OK && ids->n == 0)
		st = record_empty(s, err);
	ce_free(tmp);
	record_source_close(s);
	return st;
}

struct rr_tables {
	struct strtab doc_ids, doc_texts, q_ids, q_texts, judged; /* judged: "qid\x1fdid" of score > 0 */
	struct str_index xd, xq, xj;
	const char **pd, **pq, **pj;
};

static void rr_tables_free(struct rr_tables *r)
{
	strtab_deinit(&r->doc_ids);
	strtab_deinit(&r->doc_texts);
	strtab_deinit(&r->q_ids);
	strtab_deinit(&r->q_texts);
	strtab_deinit(&r->judged);
	str_index_deinit(&r->xd);
	str_index_deinit(&r->xq);
	str_index_deinit(&r->xj);
	ce_free(r->pd);
	ce_free(r->pq);
	ce_free(r->pj);
}

static enum ce_status index_of(const struct strtab *t, struct str_index *x, const char ***p, struct ce_err *err)
{
	if (!(*p = strtab_pointers(t)) || str_index_init(x, t->n) != CE_OK)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	for (int64_t i = 0; i < t->n; i++)
		str_index_find_or_add(x, *p, (*p)[i], i);
	return CE_OK;
}

/* the positive judgements of default, as "qid\x1fdid" keys */
static enum ce_status read_judged(struct record_source *s, struct strtab *judged, struct ce_err *err)
{
	enum ce_status st = CE_OK;
	bool has_row;
	char *tmp = NULL;
	while (st == CE_OK && (st = record_next(s, &has_row, err)) == CE_OK && has_row) {
		const char *q, *d;
		size_t ql, dl;
		double sc;
		if ((st = record_get_str(s, "query-id", &q, &ql, err)) != CE_OK ||
		    (st = record_get_str(s, "corpus-id", &d, &dl, err)) != CE_OK ||
		    (st = record_get_num(s, "score", &sc, err)) != CE_OK)
			break;
		if (!(sc > 0))
			continue;
		char *nt = ce_realloc(tmp, ql + 1 + dl);
		if (!nt) {
			st = record_nomem(s, err);
			break;
		}
		tmp = nt;
		memcpy(tmp, q, ql);
		tmp[ql] = '\x1f';
		memcpy(tmp + ql + 1, d, dl);
		if (strtab_push(judged, tmp, ql + 1 + dl) != CE_OK)
			st = record_nomem(s, err);
	}
	ce_free(tmp);
	record_source_close(s);
	return st;
}

/* one sample per top_ranked row; c->ds->reranking filled as rerank_row does */
static enum ce_status read_top_ranked(struct record_source *s, struct rr_tables *r, struct t_rows *c,
				      struct ce_err *err)
{
	struct ds_reranking *d = &c->ds->reranking;
	enum ce_status st = CE_OK;
	bool has_row;
	char *key = NULL;
	size_t key_cap = 0;
	while (st == CE_OK && (st = record_next(s, &has_row, err)) == CE_OK && has_row) {
		const char *q;
		size_t ql;
		struct record_value list;
		if ((st = record_get_str(s, "query-id", &q, &ql, err)) != CE_OK ||
		    (st = record_col(s, "corpus-ids", &list, err)) != CE_OK)
			break;
		if (list.kind != RECORD_LIST) {
			st = record_err(s, err, "column 'corpus-ids': expected an array of strings, found %s",
					record_kind_name(list.kind));
			break;
		}
		int64_t qi = str_index_find(&r->xq, r->pq, q, ql);
		if (qi < 0) {
			st = record_err(s, err, "query id '%.*s' is not in the queries", (int)(ql > 200 ? 200 : ql), q);
			break;
		}
		if (strtab_push(&d->queries, strtab_get(&r->q_texts, qi), strtab_len(&r->q_texts, qi)) !=
		    CE_OK) {
			st = record_nomem(s, err);
			break;
		}
		for (int pass = 0; pass < 2 && st == CE_OK; pass++) {
			for (size_t k = 0; k < list.n && st == CE_OK; k++) {
				struct record_value e;
				record_elem(s, &list, k, &e);
				if (e.kind != RECORD_STR) {
					st = record_err(s, err, "column 'corpus-ids'[%zu]: expected a string, found %s", k,
							record_kind_name(e.kind));
					break;
				}
				int64_t di = str_index_find(&r->xd, r->pd, e.str, e.len);
				if (di < 0) {
					st = record_err(s, err, "corpus id '%.*s' is not in the corpus",
							(int)(e.len > 200 ? 200 : e.len), e.str);
					break;
				}
				if (ql + 1 + e.len > key_cap) {
					char *nk = ce_realloc(key, ql + 1 + e.len);
					if (!nk) {
						st = record_nomem(s, err);
						break;
					}
					key = nk;
					key_cap = ql + 1 + e.len;
				}
				memcpy(key, q, ql);
				key[ql] = '\x1f';
				memcpy(key + ql + 1, e.str, e.len);
				int pos = str_index_find(&r->xj, r->pj, key, ql + 1 + e.len) >= 0;
				if (pos != (pass == 0))
					continue;
				struct strtab *dst = pass == 0 ? &d->positives : &d->negatives;
				if (strtab_push(dst, strtab_get(&r->doc_texts, di), strtab_len(&r->doc_texts, di)) != CE_OK)
					st = record_nomem(s, err);
			}
		}
		int64_t n = d->queries.n;
		if (st == CE_OK && (strtab_grow((void **)&d->pos_off, &c->cap, n + 1, sizeof(int64_t)) != CE_OK ||
				    strtab_grow((void **)&d->neg_off, &c->cap2, n + 1, sizeof(int64_t)) != CE_OK))
			st = record_nomem(s, err);
		if (st == CE_OK) {
			d->pos_off[0] = d->neg_off[0] = 0;
			d->pos_off[n] = d->positives.n;
			d->neg_off[n] = d->negatives.n;
		}
	}
	if (st == CE_OK && s->n_rows == 0)
		st = record_empty(s, err);
	ce_free(key);
	record_source_close(s);
	return st;
}

static enum ce_status reranking_load_v2(const struct task *t, const struct data_location *loc, const char *split,
					struct dataset *ds, struct ce_err *err)
{
	struct rr_tables r;
	memset(&r, 0, sizeof r);
	struct t_rows c = {.t = t, .ds = ds};
	uint64_t *h = &ds->content_hash;
	const char *qc = record_hub_has_config(loc->snapshot, "queries") ? "queries" : "query";
	struct record_source *s;
	enum ce_status st = t_open_rows(loc, "corpus", split, "corpus", h, &s, err);
	if (st == CE_OK)
		st = read_id_text(s, 1, &r.doc_ids, &r.doc_texts, err);
	if (st == CE_OK && (st = t_open_rows(loc, qc, split, "queries", h, &s, err)) == CE_OK)
		st = read_id_text(s, 0, &r.q_ids, &r.q_texts, err);
	if (st == CE_OK && (st = t_open_rows(loc, "default", split, "qrels", h, &s, err)) == CE_OK)
		st = read_judged(s, &r.judged, err);
	if (st == CE_OK && (st = index_of(&r.doc_ids, &r.xd, &r.pd, err)) == CE_OK &&
	    (st = index_of(&r.q_ids, &r.xq, &r.pq, err)) == CE_OK)
		st = index_of(&r.judged, &r.xj, &r.pj, err);
	if (st == CE_OK && (st = t_open_rows(loc, "top_ranked", split, "eval", h, &s, err)) == CE_OK)
		st = read_top_ranked(s, &r, &c, err);
	rr_tables_free(&r);
	return st;
}

static enum ce_status reranking_load(const struct task *t, const struct data_location *loc, const char *split,
				     struct dataset *ds, struct ce_err *err)
{
	if (loc->snapshot && record_hub_has_config(loc->snapshot, "top_ranked"))
		return reranking_load_v2(t, loc, split, ds, err);
	struct t_rows c = {.t = t, .ds = ds};
	return t_load_rows(loc, split, "eval", rerank_row, &c, err);
}

static int64_t reranking_n_rows(const struct dataset *ds)
{
	return ds_reranking_n(&ds->reranking);
}

static void reranking_deinit(struct dataset *ds)
{
	struct ds_reranking *k = &ds->reranking;
	strtab_deinit(&k->queries);
	strtab_deinit(&k->positives);
	strtab_deinit(&k->negatives);
	ce_free(k->pos_off);
	ce_free(k->neg_off);
	ce_free(k->q_off);
	k->pos_off = k->neg_off = k->q_off = NULL;
}

static enum ce_status reranking_subset(const struct dataset *ds, const struct task *t, int64_t n, int64_t m,
				    struct subset_rng *rng, struct dataset *nw, uint64_t *h,
				    struct subset_info *info, struct ce_err *err)
{
	(void)m;
	const struct ds_reranking *d = &ds->reranking;
	int64_t rows = ds_reranking_n(d);
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
		if (d->q_off && (r->q_off = ce_calloc((size_t)k + 1, sizeof *r->q_off)) != NULL)
			r->n_lists = k;
		if (!r->pos_off || !r->neg_off || (d->q_off && !r->q_off))
			st = NOMEM_S(t);
	}
	for (int64_t j = 0; j < k && st == CE_OK; j++) {
		int64_t i = usable[sel[j]];
		*h = subset_hash_index(*h, 'r', i);
		int64_t q0, q1;
		ds_reranking_queries(d, i, &q0, &q1);
		for (int64_t x = q0; x < q1 && st == CE_OK; x++)
			if (subset_push_row(&r->queries, &d->queries, x) != CE_OK)
				st = NOMEM_S(t);
		if (r->q_off)
			r->q_off[j + 1] = r->queries.n;
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
	for (int64_t i = 0; i < ds_reranking_n(d); i++) {
		int64_t np = d->pos_off[i + 1] - d->pos_off[i], nn = d->neg_off[i + 1] - d->neg_off[i];
		int64_t q0, q1;
		ds_reranking_queries(d, i, &q0, &q1);
		if (np > 0 && nn > 0)
			n += (q1 - q0) + np + nn;
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
