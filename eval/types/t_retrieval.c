/*
 * t_retrieval.c - the retrieval task type, BEIR layout: corpus rows (id,
 * optional title, text; corpus text = (title + " " + text).strip() as
 * MTEB/BEIR), query rows (id, text) and the judgements qrels/<split>.tsv
 * (qrels_tsv.h).  Ids are strings, or integers written in decimal (mteb casts
 * ids with str()), non-empty and distinct.  Subset: n judged queries, their
 * relevant documents, other documents up to m.  Evaluator: ev_retrieval
 * (ev_retrieval.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "qrels_tsv.h"
#include "t_common.h"
#include "task_types.h"

/* Id column: a string, or an integer written in decimal (mteb casts ids with str()). */
static enum ce_status push_id(struct record_source *s, const char *col, struct strtab *t, struct ce_err *err)
{
	struct record_value v;
	CE_TRY(record_col(s, col, &v, err));
	char num[32];
	const char *p;
	size_t len;
	if (v.kind == RECORD_STR) {
		p = v.str;
		len = v.len;
	} else if (v.kind == RECORD_INT) {
		len = (size_t)snprintf(num, sizeof num, "%" PRId64, v.i);
		p = num;
	} else {
		return record_err(s, err, "column '%s': expected a string id, found %s", col, record_kind_name(v.kind));
	}
	if (len == 0)
		return record_err(s, err, "column '%s': empty id", col);
	if (strtab_push(t, p, len) != CE_OK)
		return record_nomem(s, err);
	return CE_OK;
}

/* Check ids distinct; lines[i] is the line of id i, for the message. */
static enum ce_status check_unique_ids(const char *path, const struct strtab *ids, const int64_t *lines,
				       struct ce_err *err)
{
	struct str_index x;
	const char **ptrs = strtab_pointers(ids);
	if (!ptrs || str_index_init(&x, ids->n) != CE_OK) {
		ce_free(ptrs);
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
	}
	enum ce_status st = CE_OK;
	for (int64_t i = 0; i < ids->n && st == CE_OK; i++) {
		int64_t f = str_index_find_or_add(&x, ptrs, ptrs[i], i);
		if (f >= 0)
			st = ce_err_set(err, CE_E_FORMAT, "%s:%" PRId64 ": duplicate id '%s' (first on line %" PRId64 ")",
					path, lines[i], ptrs[i], lines[f]);
	}
	str_index_deinit(&x);
	ce_free(ptrs);
	return st;
}

/* Ids and texts of every row of s (closed here). */
static enum ce_status load_id_text(const struct task *t, const char *id_col, struct record_source *s, int with_title,
				   struct strtab *ids, struct strtab *texts, struct ce_err *err)
{
	int64_t *lines = NULL, cap = 0;
	char *tmp = NULL;
	size_t tmp_cap = 0;
	enum ce_status st = CE_OK;
	bool has_row;
	while (st == CE_OK && (st = record_next(s, &has_row, err)) == CE_OK && has_row) {
		struct record_value tv, title = {.kind = RECORD_MISSING};
		st = push_id(s, id_col, ids, err);
		if (st == CE_OK && strtab_grow((void **)&lines, &cap, ids->n, sizeof *lines) != CE_OK)
			st = record_nomem(s, err);
		if (st == CE_OK)
			lines[ids->n - 1] = record_pos(s);
		if (st == CE_OK)
			st = record_col(s, t->columns.text, &tv, err);
		if (st == CE_OK && tv.kind != RECORD_STR)
			st = record_err(s, err, "column '%s': expected a string, found %s", t->columns.text,
					record_kind_name(tv.kind));
		if (st == CE_OK && with_title) {
			/* title is optional (R3 layout); null counts as absent */
			record_get(s, t->columns.title, &title);
			if (title.kind != RECORD_MISSING && title.kind != RECORD_NULL && title.kind != RECORD_STR)
				st = record_err(s, err, "column '%s': expected a string, found %s", t->columns.title,
						record_kind_name(title.kind));
		}
		if (st == CE_OK && with_title) {
			/* MTEB/BEIR: (title + " " + text).strip(), title "" when absent */
			size_t tl = title.kind == RECORD_STR ? title.len : 0, xl = tv.len;
			size_t need = tl + 1 + xl;
			if (need > tmp_cap) {
				char *nt = ce_realloc(tmp, need);
				if (!nt) {
					st = record_nomem(s, err);
				} else {
					tmp = nt;
					tmp_cap = need;
				}
			}
			if (st == CE_OK) {
				if (tl)
					memcpy(tmp, title.str, tl);
				tmp[tl] = ' ';
				memcpy(tmp + tl + 1, tv.str, xl);
				size_t b, e;
				t_py_strip(tmp, need, &b, &e);
				if (strtab_push(texts, tmp + b, e - b) != CE_OK)
					st = record_nomem(s, err);
			}
		} else if (st == CE_OK) {
			if (strtab_push(texts, tv.str, tv.len) != CE_OK)
				st = record_nomem(s, err);
		}
	}
	if (st == CE_OK && ids->n == 0)
		st = record_empty(s, err);
	if (st == CE_OK)
		st = check_unique_ids(s->path, ids, lines, err);
	ce_free(lines);
	ce_free(tmp);
	record_source_close(s);
	return st;
}

struct qrel_key {
	int64_t q, d, line;
};

static int cmp_qrel_key(const void *a, const void *b)
{
	const struct qrel_key *x = a, *y = b;
	if (x->q != y->q)
		return (x->q > y->q) - (x->q < y->q);
	if (x->d != y->d)
		return (x->d > y->d) - (x->d < y->d);
	return (x->line > y->line) - (x->line < y->line);
}

/* The judgements of q (closed here). */
static enum ce_status load_qrels(struct qrels_tsv *q, struct ds_retrieval *d, struct ce_err *err)
{
	const char *path = qrels_tsv_path(q);
	struct str_index xq = {0}, xd = {0};
	const char **pq = strtab_pointers(&d->query_ids), **pd = strtab_pointers(&d->corpus_ids);
	struct qrel_key *keys = NULL;
	int64_t cap_q = 0, cap_d = 0, cap_s = 0, cap_k = 0;
	enum ce_status st = CE_OK;
	if (!pq || !pd || str_index_init(&xq, d->query_ids.n) != CE_OK || str_index_init(&xd, d->corpus_ids.n) != CE_OK)
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
	for (int64_t i = 0; st == CE_OK && i < d->query_ids.n; i++)
		str_index_find_or_add(&xq, pq, pq[i], i);
	for (int64_t i = 0; st == CE_OK && i < d->corpus_ids.n; i++)
		str_index_find_or_add(&xd, pd, pd[i], i);
	while (st == CE_OK) {
		const char *qs, *ds;
		size_t ql, dl;
		bool has_row;
		st = qrels_tsv_next(q, &qs, &ql, &ds, &dl, &has_row, err);
		if (st != CE_OK || !has_row)
			break;
		int64_t qi = str_index_find(&xq, pq, qs, ql);
		if (qi < 0) {
			st = qrels_tsv_err(q, err, "query id '%.*s' is not in queries.jsonl", (int)(ql > 200 ? 200 : ql), qs);
			break;
		}
		int64_t di = str_index_find(&xd, pd, ds, dl);
		if (di < 0) {
			st = qrels_tsv_err(q, err, "corpus id '%.*s' is not in corpus.jsonl", (int)(dl > 200 ? 200 : dl), ds);
			break;
		}
		int32_t v;
		if ((st = qrels_tsv_score(q, &v, err)) != CE_OK)
			break;
		int64_t n = d->n_qrels;
		if (strtab_grow((void **)&d->qrel_query, &cap_q, n + 1, sizeof *d->qrel_query) != CE_OK ||
		    strtab_grow((void **)&d->qrel_doc, &cap_d, n + 1, sizeof *d->qrel_doc) != CE_OK ||
		    strtab_grow((void **)&d->qrel_score, &cap_s, n + 1, sizeof *d->qrel_score) != CE_OK ||
		    strtab_grow((void **)&keys, &cap_k, n + 1, sizeof *keys) != CE_OK) {
			st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
			break;
		}
		d->qrel_query[n] = qi;
		d->qrel_doc[n] = di;
		d->qrel_score[n] = v;
		keys[n] = (struct qrel_key){qi, di, qrels_tsv_lineno(q)};
		d->n_qrels++;
	}
	if (st == CE_OK && d->n_qrels == 0)
		st = ce_err_set(err, CE_E_FORMAT, "%s:%" PRId64 ": no records (empty split)", path, qrels_tsv_lineno(q));
	if (st == CE_OK) {
		/* a repeated (query, doc) pair would silently overwrite in BEIR's dict: reject it */
		qsort(keys, (size_t)d->n_qrels, sizeof *keys, cmp_qrel_key);
		for (int64_t i = 1; i < d->n_qrels && st == CE_OK; i++)
			if (keys[i].q == keys[i - 1].q && keys[i].d == keys[i - 1].d)
				st = ce_err_set(err, CE_E_FORMAT,
						"%s:%" PRId64 ": duplicate judgement for query '%s' and corpus id '%s' (first on line %" PRId64 ")",
						path, keys[i].line, pq[keys[i].q], pd[keys[i].d], keys[i - 1].line);
	}
	str_index_deinit(&xq);
	str_index_deinit(&xd);
	ce_free(pq);
	ce_free(pd);
	ce_free(keys);
	qrels_tsv_close(q);
	return st;
}

/*
 * Hub layouts (spec hub-datasets.md §3):
 *   MTEB 2.x (mteb/X): configs "corpus" (_id, title, text), "queries" (or
 *     "query"; _id, text) and "default" (qrels: query-id, corpus-id, score),
 *     each read at the eval split (a config with one split: that split);
 *   2023 C-MTEB (C-MTEB/X): splits "corpus" and "queries" of the default
 *     config (id, text), qrels in the second repo C-MTEB/X-qrels at the eval
 *     split (qid, pid, score).
 * The id / title / text columns are the task's (columns:), except that the
 * BEIR default "_id" reads as "id" in the 2023 layout.
 */
static enum ce_status retrieval_load_hub(const struct task *t, const struct data_location *loc, const char *split,
					 struct dataset *ds, struct ce_err *err)
{
	struct ds_retrieval *d = &ds->retrieval;
	uint64_t *h = &ds->content_hash;
	struct record_source *s;
	struct qrels_tsv *q;
	const char *id_col = t->columns.id;
	if (record_hub_has_config(loc->snapshot, "corpus")) {
		const char *qc = record_hub_has_config(loc->snapshot, "queries") ? "queries" : "query";
		CE_TRY(t_open_rows(loc, "corpus", split, "corpus", h, &s, err));
		CE_TRY(load_id_text(t, id_col, s, 1, &d->corpus_ids, &d->corpus_texts, err));
		CE_TRY(t_open_rows(loc, qc, split, "queries", h, &s, err));
		CE_TRY(load_id_text(t, id_col, s, 0, &d->query_ids, &d->query_texts, err));
		CE_TRY(t_open_rows(loc, "default", split, "qrels", h, &s, err));
		CE_TRY(qrels_tsv_from_records(s, "query-id", "corpus-id", "score", &q, err));
		return load_qrels(q, d, err);
	}
	if (strcmp(id_col, "_id") == 0)
		id_col = "id"; /* the 2023 layout's name when the task keeps the BEIR default */
	CE_TRY(t_open_rows(loc, t->hf_subset, "corpus", "corpus", h, &s, err));
	CE_TRY(load_id_text(t, id_col, s, 1, &d->corpus_ids, &d->corpus_texts, err));
	CE_TRY(t_open_rows(loc, t->hf_subset, "queries", "queries", h, &s, err));
	CE_TRY(load_id_text(t, id_col, s, 0, &d->query_ids, &d->query_texts, err));
	if (!loc->qrels_snapshot)
		return ce_err_set(err, CE_E_NOT_FOUND,
				  "%s: the corpus and queries are here, but the qrels repo (dataset.qrels_hf_id) is not",
				  loc->snapshot);
	struct data_location ql = {.snapshot = loc->qrels_snapshot};
	CE_TRY(t_open_rows(&ql, NULL, split, "qrels", h, &s, err));
	CE_TRY(qrels_tsv_from_records(s, "qid", "pid", "score", &q, err));
	return load_qrels(q, d, err);
}

static enum ce_status retrieval_load(const struct task *t, const struct data_location *loc, const char *split,
				     struct dataset *ds, struct ce_err *err)
{
	if (loc->snapshot)
		return retrieval_load_hub(t, loc, split, ds, err);
	struct ds_retrieval *d = &ds->retrieval;
	struct record_source *s;
	const char *id_col = t->columns.id;
	CE_TRY(record_source_find(loc->dir, "corpus", "corpus", &ds->content_hash, &s, err));
	CE_TRY(load_id_text(t, id_col, s, 1, &d->corpus_ids, &d->corpus_texts, err));
	CE_TRY(record_source_find(loc->dir, "queries", "queries", &ds->content_hash, &s, err));
	CE_TRY(load_id_text(t, id_col, s, 0, &d->query_ids, &d->query_texts, err));
	struct qrels_tsv *q;
	CE_TRY(qrels_tsv_open(loc->dir, split, &ds->content_hash, &q, err));
	return load_qrels(q, d, err);
}

static int64_t retrieval_n_rows(const struct dataset *ds)
{
	return ds->retrieval.query_ids.n;
}

static void retrieval_deinit(struct dataset *ds)
{
	struct ds_retrieval *r = &ds->retrieval;
	strtab_deinit(&r->corpus_ids);
	strtab_deinit(&r->corpus_texts);
	strtab_deinit(&r->query_ids);
	strtab_deinit(&r->query_texts);
	ce_free(r->qrel_query);
	ce_free(r->qrel_doc);
	ce_free(r->qrel_score);
	r->qrel_query = r->qrel_doc = NULL;
	r->qrel_score = NULL;
}

static enum ce_status retrieval_subset(const struct dataset *ds, const struct task *t, int64_t n, int64_t m,
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
	if ((st = subset_pick(t, zero, nc, 1, n, rng, &sel, &k, err)) != CE_OK)
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
	if ((st = subset_pick(t, zero, nc, 1, target - n_rel, rng, &sel, &k, err)) != CE_OK)
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
		*h = subset_hash_index(*h, 'q', q);
		if (subset_push_row(&r->query_ids, &d->query_ids, q) != CE_OK ||
		    subset_push_row(&r->query_texts, &d->query_texts, q) != CE_OK)
			st = NOMEM_S(t);
	}
	for (int64_t x = 0; x < nd && st == CE_OK; x++) {
		dmap[x] = -1;
		if (!d_in[x])
			continue;
		dmap[x] = r->corpus_ids.n;
		*h = subset_hash_index(*h, 'd', x);
		if (subset_push_row(&r->corpus_ids, &d->corpus_ids, x) != CE_OK ||
		    subset_push_row(&r->corpus_texts, &d->corpus_texts, x) != CE_OK)
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

static void retrieval_subset_keep(struct dataset *ds, struct dataset *nw)
{
	(void)ds;
	(void)nw;
}

static int64_t retrieval_count_texts(const struct dataset *ds, const struct task *t)
{
	(void)t;
	return ds->retrieval.query_ids.n + ds->retrieval.corpus_ids.n;
}

static const char *const retrieval_params[] = {"ignore_identical_ids", "k_values", "ignore_identical_ids_r3", NULL};
static const char *const retrieval_columns[] = {"id", "title", "text", NULL};

/* the scores its evaluator (ev_*.c) reports: keep in step */
/* the reported scores are these prefixes + _K for each K of parameters.k_values */
static const char *const retrieval_metrics[] = {"ndcg_at", "map_at", "recall_at", "precision_at", "mrr_at", NULL};

const struct task_type_desc task_type_retrieval = {
	.type = TASK_TYPE_RETRIEVAL,
	.name = "retrieval",
	.title = "Retrieval",
	.default_main_score = "ndcg_at_10",
	.default_main_score_r3 = "ndcg_at_10",
	.query_instruction = true,
	.train_split = false,
	.subset_corpus = true,
	.params = retrieval_params,
	.columns = retrieval_columns,
	.metrics = retrieval_metrics,
	.load = retrieval_load,
	.n_rows = retrieval_n_rows,
	.deinit = retrieval_deinit,
	.subset = retrieval_subset,
	.subset_keep = retrieval_subset_keep,
	.count_texts = retrieval_count_texts,
	.evaluator = {TASK_TYPE_RETRIEVAL, "retrieval", ev_retrieval},
};
