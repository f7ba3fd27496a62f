/*
 * t_summarization.c - the summarization task type (SummEval): a text, its
 * human summaries and its machine summaries, each machine summary with a
 * human relevance score.
 * Rows (<split>.jsonl): columns text (a string), human_summaries and
 * machine_summaries (arrays of strings), relevance (an array of numbers, one
 * per machine summary).
 * Subset: rows drawn uniformly (one stratum).
 *
 * Evaluator (mteb SummarizationEvaluator): every human and machine summary is
 * embedded; machine summary m of text i is predicted max_h cos(m, h) (and
 * max_h <m, h> for dot) over the text's human summaries h.  A text is skipped
 * when its relevance scores, its dot predictions or its cosine predictions
 * hold a single value (exact equality, as mteb's len(set(...)) == 1).  Per
 * kept text, Spearman and Pearson of (relevance, prediction); the scores are
 * means over the kept texts.
 *
 * R1 reproduces the bug of mteb 1.x (issue #1156): it averages scipy's
 * (correlation, p-value) result tuples, so each score is the mean over kept
 * texts of (rho_i + p_i) / 2, p_i the two-sided t-test p-value
 * (metric_corr_pvalue).  R3 is the same: mteb 2.x still evaluates SummEval
 * with DeprecatedSummarizationEvaluator (the tuple mean); only its
 * SummEvalSummarization.v2 uses the fixed evaluator.
 * Predictions are computed in double precision (tools/summ_reference.py).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "metrics.h"
#include "results.h"
#include "t_common.h"
#include "task_types.h"

/* the number list col, appended to *x (capacity *cap, n_have used); *count = its length */
static enum ce_status get_num_list(struct record_source *s, const char *col, double **x, int64_t *cap, int64_t n_have,
				   int64_t *count, struct ce_err *err)
{
	struct record_value v;
	CE_TRY(record_col(s, col, &v, err));
	if (v.kind != RECORD_LIST)
		return record_err(s, err, "column '%s': expected an array of numbers, found %s", col,
				  record_kind_name(v.kind));
	if (strtab_grow((void **)x, cap, n_have + (int64_t)v.n + 1, sizeof **x) != CE_OK)
		return record_nomem(s, err);
	for (size_t i = 0; i < v.n; i++) {
		struct record_value e;
		record_elem(s, &v, i, &e);
		if (e.kind != RECORD_INT && e.kind != RECORD_REAL)
			return record_err(s, err, "column '%s'[%zu]: expected a number, found %s", col, i,
					  record_kind_name(e.kind));
		if (!isfinite(e.num))
			return record_err(s, err, "column '%s'[%zu]: not a finite number", col, i);
		(*x)[n_have + (int64_t)i] = e.num;
	}
	*count = (int64_t)v.n;
	return CE_OK;
}

static enum ce_status summ_row(struct record_source *s, struct t_rows *c, struct ce_err *err)
{
	const struct task *t = c->t;
	struct ds_summarization *d = &c->ds->summarization;
	const char *p;
	size_t len;
	int64_t nh = 0, nm = 0, nr = 0;
	CE_TRY(record_get_str(s, t->columns.text, &p, &len, err));
	if (strtab_push(&d->text, p, len) != CE_OK)
		return record_nomem(s, err);
	CE_TRY(record_get_str_list(s, t->columns.human_summaries, &d->human, &nh, err));
	CE_TRY(record_get_str_list(s, t->columns.machine_summaries, &d->machine, &nm, err));
	CE_TRY(get_num_list(s, t->columns.relevance, &d->relevance, &d->rel_cap, d->machine.n - nm, &nr, err));
	if (nr != nm)
		return record_err(s, err, "task %s: column '%s' has %lld scores but '%s' has %lld summaries", t->name,
				  t->columns.relevance, (long long)nr, t->columns.machine_summaries, (long long)nm);
	if (nh < 1)
		return record_err(s, err, "task %s: column '%s' is empty (a text needs a human summary)", t->name,
				  t->columns.human_summaries);
	if (nm < 3)
		return record_err(s, err, "task %s: column '%s' has %lld summaries, at least 3 are needed", t->name,
				  t->columns.machine_summaries, (long long)nm);
	int64_t n = d->text.n;
	if (strtab_grow((void **)&d->h_off, &c->cap, n + 1, sizeof(int64_t)) != CE_OK ||
	    strtab_grow((void **)&d->m_off, &c->cap2, n + 1, sizeof(int64_t)) != CE_OK)
		return record_nomem(s, err);
	d->h_off[0] = d->m_off[0] = 0;
	d->h_off[n] = d->human.n;
	d->m_off[n] = d->machine.n;
	return CE_OK;
}

static enum ce_status summ_load(const struct task *t, const struct data_location *loc, const char *split,
				struct dataset *ds, struct ce_err *err)
{
	struct t_rows c = {.t = t, .ds = ds};
	return t_load_rows(loc, split, "eval", summ_row, &c, err);
}

static int64_t summ_n_rows(const struct dataset *ds)
{
	return ds->summarization.text.n;
}

static void summ_deinit(struct dataset *ds)
{
	struct ds_summarization *d = &ds->summarization;
	strtab_deinit(&d->text);
	strtab_deinit(&d->human);
	strtab_deinit(&d->machine);
	ce_free(d->relevance);
	ce_free(d->h_off);
	ce_free(d->m_off);
	d->relevance = NULL;
	d->h_off = d->m_off = NULL;
	d->rel_cap = 0;
}

static enum ce_status summ_subset(const struct dataset *ds, const struct task *t, int64_t n, int64_t m,
				  struct subset_rng *rng, struct dataset *nw, uint64_t *h, struct subset_info *info,
				  struct ce_err *err)
{
	(void)m;
	const struct ds_summarization *s = &ds->summarization;
	struct ds_summarization *o = &nw->summarization;
	int64_t rows = s->text.n;
	int32_t *strata = ce_calloc((size_t)(rows ? rows : 1), sizeof *strata);
	if (!strata)
		return NOMEM_S(t);
	int64_t *sel = NULL, k = 0;
	enum ce_status st = subset_pick(t, strata, rows, 1, n, rng, &sel, &k, err);
	ce_free(strata);
	if (st != CE_OK)
		return st;
	if (!(o->h_off = ce_malloc_array((size_t)k + 1, sizeof *o->h_off)) ||
	    !(o->m_off = ce_malloc_array((size_t)k + 1, sizeof *o->m_off)) ||
	    !(o->relevance = ce_malloc_array((size_t)(s->machine.n ? s->machine.n : 1), sizeof *o->relevance)))
		st = NOMEM_S(t);
	if (st == CE_OK)
		o->h_off[0] = o->m_off[0] = 0;
	for (int64_t j = 0; j < k && st == CE_OK; j++) {
		int64_t r = sel[j];
		*h = subset_hash_index(*h, 'r', r);
		if (subset_push_row(&o->text, &s->text, r) != CE_OK)
			st = NOMEM_S(t);
		for (int64_t q = s->h_off[r]; q < s->h_off[r + 1] && st == CE_OK; q++)
			if (subset_push_row(&o->human, &s->human, q) != CE_OK)
				st = NOMEM_S(t);
		for (int64_t q = s->m_off[r]; q < s->m_off[r + 1] && st == CE_OK; q++) {
			o->relevance[o->machine.n] = s->relevance[q];
			if (subset_push_row(&o->machine, &s->machine, q) != CE_OK)
				st = NOMEM_S(t);
		}
		if (st == CE_OK) {
			o->h_off[j + 1] = o->human.n;
			o->m_off[j + 1] = o->machine.n;
		}
	}
	info->applied = k < rows;
	info->rows_after = k;
	ce_free(sel);
	return st;
}

static void summ_subset_keep(struct dataset *ds, struct dataset *nw)
{
	(void)ds;
	(void)nw;
}

static int64_t summ_count_texts(const struct dataset *ds, const struct task *t)
{
	(void)t;
	return ds->summarization.human.n + ds->summarization.machine.n;
}

/* 1 if x[0..n) is a single value (exact comparison, as Python's set) */
static int all_equal(const double *x, int64_t n)
{
	for (int64_t i = 1; i < n; i++)
		if (x[i] != x[0])
			return 0;
	return 1;
}

enum { S_COS_SP, S_COS_PE, S_DOT_SP, S_DOT_PE, S_N };

static enum ce_status ev_summarization(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
				       struct ce_err *err)
{
	static const char *const names[S_N] = {"cosine_spearman", "cosine_pearson", "dot_spearman", "dot_pearson"};
	const struct task *t = ctx->task;
	const struct ds_summarization *d = &ds->summarization;
	int64_t rows = d->text.n;
	int32_t dim = ctx->emb->dim;
	float *vh = NULL, *vm = NULL;
	const char **ph = strtab_pointers(&d->human), **pm = strtab_pointers(&d->machine);
	int64_t maxm = 0;
	for (int64_t i = 0; i < rows; i++)
		if (d->m_off[i + 1] - d->m_off[i] > maxm)
			maxm = d->m_off[i + 1] - d->m_off[i];
	double *cos = ce_malloc_array((size_t)maxm + 1, sizeof *cos), *dot = ce_malloc_array((size_t)maxm + 1, sizeof *dot);
	double sum[S_N] = {0};
	int64_t kept = 0;
	enum ce_status st = CE_OK;
	if (!ph || !pm || !cos || !dot) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	if ((st = ev_embed_texts(ctx, "human summaries", ph, d->human.n, NULL, &vh, err)) != CE_OK ||
	    (st = ev_embed_texts(ctx, "machine summaries", pm, d->machine.n, NULL, &vm, err)) != CE_OK)
		goto out;
	for (int64_t i = 0; i < rows; i++) {
		int64_t m0 = d->m_off[i], nm = d->m_off[i + 1] - m0;
		int64_t h0 = d->h_off[i], nh = d->h_off[i + 1] - h0;
		const double *gold = d->relevance + m0;
		for (int64_t j = 0; j < nm; j++) {
			const float *a = vm + (size_t)(m0 + j) * (size_t)dim;
			cos[j] = dot[j] = -INFINITY;
			for (int64_t q = 0; q < nh; q++) {
				const float *b = vh + (size_t)(h0 + q) * (size_t)dim;
				cos[j] = fmax(cos[j], ev_cosine(a, b, dim));
				dot[j] = fmax(dot[j], ev_dot(a, b, dim));
			}
			if (!isfinite(cos[j]) || !isfinite(dot[j])) {
				st = ce_err_set(err, CE_E_FORMAT, "%s: text %lld: machine summary %lld has a non-finite similarity",
						t->name, (long long)i, (long long)j);
				goto out;
			}
		}
		if (all_equal(gold, nm) || all_equal(dot, nm) || all_equal(cos, nm))
			continue;
		const double *pred[S_N] = {cos, cos, dot, dot};
		for (int k = 0; k < S_N; k++) {
			double r;
			st = (k % 2 == 0) ? metric_spearman(gold, pred[k], (size_t)nm, &r)
					  : metric_pearson(gold, pred[k], (size_t)nm, &r);
			if (st != CE_OK) {
				ce_err_set(err, st, "%s: correlation failed (%s)", t->name, ce_status_str(st));
				goto out;
			}
			/* R1 and R3 alike: the mean of scipy's (statistic, p-value) tuple (header comment) */
			sum[k] += (r + metric_corr_pvalue(r, (size_t)nm)) / 2.0;
		}
		kept++;
	}
	if (kept == 0) {
		st = ce_err_set(err, CE_E_FORMAT,
				"%s: every text was skipped (constant relevance or predictions): no correlation", t->name);
		goto out;
	}
	for (int k = 0; k < S_N && st == CE_OK; k++)
		st = metric_set_add(out, names[k], sum[k] / (double)kept);
	if (st != CE_OK)
		ce_err_set(err, st, "%s: cannot record metrics", t->name);
out:
	ce_free(vh);
	ce_free(vm);
	ce_free(ph);
	ce_free(pm);
	ce_free(cos);
	ce_free(dot);
	return st;
}

static const char *const summ_params[] = {NULL};
static const char *const summ_columns[] = {"text", "human_summaries", "machine_summaries", "relevance", NULL};
static const char *const summ_metrics[] = {"cosine_spearman", "cosine_pearson", "dot_spearman", "dot_pearson", NULL};

const struct task_type_desc task_type_summarization = {
	.type = TASK_TYPE_SUMMARIZATION,
	.name = "summarization",
	.title = "Summarization",
	.default_main_score = "cosine_spearman",
	.default_main_score_r3 = "cosine_spearman",
	.query_instruction = false,
	.train_split = false,
	.subset_corpus = false,
	.params = summ_params,
	.columns = summ_columns,
	.metrics = summ_metrics,
	.load = summ_load,
	.n_rows = summ_n_rows,
	.deinit = summ_deinit,
	.subset = summ_subset,
	.subset_keep = summ_subset_keep,
	.count_texts = summ_count_texts,
	.evaluator = {TASK_TYPE_SUMMARIZATION, "summarization", ev_summarization},
};
