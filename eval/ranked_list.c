/*
 * ranked_list.c - build one query's ranked relevance list (trec_eval's
 * te_form_res_rels, usnistgov/trec_eval:form_res_rels.c, re-derived).
 */
#include "ranked_list.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"

/* ---------------------------------------------------------------- setup */

void ranked_list_init(struct ranked_list *rl)
{
	memset(rl, 0, sizeof *rl);
}

void ranked_list_deinit(struct ranked_list *rl)
{
	if (!rl)
		return;
	ce_free(rl->rels);
	ce_free(rl->ideal);
	ce_free(rl->scratch);
	ce_free(rl->qscratch);
	memset(rl, 0, sizeof *rl);
}

/* Grow *p to hold n elements of size sz (keeps nothing). */
static enum ce_status ensure_cap(void **p, size_t *cap, size_t n, size_t sz)
{
	if (n <= *cap)
		return CE_OK;
	size_t want = *cap ? *cap : 16;
	while (want < n)
		want = want > SIZE_MAX / 2 ? n : want * 2;
	void *q = ce_malloc_array(want, sz);
	if (!q)
		return CE_E_NOMEM;
	ce_free(*p);
	*p = q;
	*cap = want;
	return CE_OK;
}

/* ---------------------------------------------------------------- sorting */

struct ranked_doc {
	const char *docno;
	double score;
	size_t idx; /* position in the input run */
};

/* trec_eval comp_sim_docno: score descending, then docno descending (strcmp). */
static int cmp_score_docno(const void *a, const void *b)
{
	const struct ranked_doc *x = a, *y = b;
	if (x->score > y->score)
		return -1;
	if (x->score < y->score)
		return 1;
	int c = strcmp(y->docno, x->docno);
	if (c)
		return c;
	/* only for duplicates, which are rejected below; keeps qsort deterministic */
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Stable sort on score only (Python's sorted(key=score, reverse=True)). */
static int cmp_score_input(const void *a, const void *b)
{
	const struct ranked_doc *x = a, *y = b;
	if (x->score > y->score)
		return -1;
	if (x->score < y->score)
		return 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_docptr(const void *a, const void *b)
{
	const struct ranked_doc *const *x = a, *const *y = b;
	return strcmp((*x)->docno, (*y)->docno);
}

static int cmp_judgement_docno(const void *a, const void *b)
{
	const struct rl_judgement *x = a, *y = b;
	return strcmp(x->docno, y->docno);
}

static int cmp_int32_desc(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x < y) - (x > y);
}

/* ---------------------------------------------------------------- build */

enum ce_status ranked_list_build(struct ranked_list *rl, const struct rl_entry *run, size_t n_run,
				 const struct rl_judgement *qrels, size_t n_qrels, enum rl_tie tie,
				 struct ce_err *err)
{
	rl->n_ret = rl->n_rel = rl->n_rel_ret = rl->n_ideal = 0;
	/* scratch holds n_run ranked_docs followed by n_run pointers */
	size_t per = sizeof(struct ranked_doc) + sizeof(struct ranked_doc *);
	if (ensure_cap(&rl->scratch, &rl->cap_scratch, n_run, per) != CE_OK ||
	    ensure_cap(&rl->qscratch, &rl->cap_qscratch, n_qrels, sizeof(struct rl_judgement)) != CE_OK ||
	    ensure_cap((void **)&rl->rels, &rl->cap_rels, n_run, sizeof(int32_t)) != CE_OK ||
	    ensure_cap((void **)&rl->ideal, &rl->cap_ideal, n_qrels, sizeof(int32_t)) != CE_OK)
		return ce_err_set(err, CE_E_NOMEM, "ranked list: out of memory for %zu results", n_run);

	struct ranked_doc *docs = rl->scratch;
	struct ranked_doc **byname = (struct ranked_doc **)(docs + n_run);
	for (size_t i = 0; i < n_run; i++) {
		if (isnan(run[i].score))
			return ce_err_set(err, CE_E_INVALID_ARG, "score of doc '%s' is NaN", run[i].docno);
		docs[i].docno = run[i].docno;
		docs[i].score = run[i].score;
		docs[i].idx = i;
	}
	if (n_run > 1)
		qsort(docs, n_run, sizeof *docs, tie == RL_TIE_INPUT_ORDER ? cmp_score_input : cmp_score_docno);

	/* Duplicate docnos make trec_eval refuse the query (form_res_rels.c,
	 * "duplicate docs"); detect them on a docno-sorted view. */
	for (size_t i = 0; i < n_run; i++)
		byname[i] = &docs[i];
	if (n_run > 1)
		qsort(byname, n_run, sizeof *byname, cmp_docptr);
	for (size_t i = 1; i < n_run; i++)
		if (strcmp(byname[i - 1]->docno, byname[i]->docno) == 0)
			return ce_err_set(err, CE_E_FORMAT, "duplicate docno '%s' in the run", byname[i]->docno);

	struct rl_judgement *q = rl->qscratch;
	if (n_qrels)
		memcpy(q, qrels, n_qrels * sizeof *q);
	if (n_qrels > 1)
		qsort(q, n_qrels, sizeof *q, cmp_judgement_docno);
	for (size_t i = 1; i < n_qrels; i++)
		if (strcmp(q[i - 1].docno, q[i].docno) == 0)
			return ce_err_set(err, CE_E_FORMAT, "duplicate docno '%s' in the qrels", q[i].docno);

	/* R and the ideal gain vector come from the qrels alone (retrieved or not). */
	int64_t n_rel = 0, n_ideal = 0;
	for (size_t i = 0; i < n_qrels; i++) {
		if (q[i].rel >= 1)
			n_rel++;
		if (q[i].rel > 0)
			rl->ideal[n_ideal++] = q[i].rel;
	}
	if (n_ideal > 1)
		qsort(rl->ideal, (size_t)n_ideal, sizeof *rl->ideal, cmp_int32_desc);

	/* Merge the docno-sorted run with the docno-sorted qrels. */
	int64_t n_rel_ret = 0;
	size_t j = 0;
	for (size_t i = 0; i < n_run; i++) {
		const struct ranked_doc *d = byname[i];
		while (j < n_qrels && strcmp(q[j].docno, d->docno) < 0)
			j++;
		int32_t rel;
		if (j < n_qrels && strcmp(q[j].docno, d->docno) == 0)
			rel = q[j].rel < 0 ? RL_REL_UNJUDGED : q[j].rel;
		else
			rel = RL_REL_NONPOOL;
		size_t rank0 = (size_t)(d - docs);
		rl->rels[rank0] = rel;
		if (rel >= 1)
			n_rel_ret++;
	}
	rl->n_ret = (int64_t)n_run;
	rl->n_rel = n_rel;
	rl->n_rel_ret = n_rel_ret;
	rl->n_ideal = n_ideal;
	return CE_OK;
}
