/*
 * ev_classification.c - Classification (spec evaluation.md §6, R1 = R3 here):
 * per experiment, undersample the training split with numpy's
 * RandomState(42) shuffle carried across experiments, fit sklearn's
 * LogisticRegression(max_iter=100) on the embeddings, and score accuracy,
 * macro-F1 and (binary tasks) AP of the hard predictions on the eval split.
 * Scores are means over experiments; <metric>_stderr is the population std
 * over experiments, as mteb 1.1 writes it.
 *
 * Only training rows that some experiment selects are embedded (the
 * undersampling does not depend on embeddings), each text once.
 */
#include <math.h>
#include <string.h>

#include "ce_alloc.h"
#include "evaluator.h"
#include "logreg.h"
#include "metrics.h"
#include "undersample.h"

struct exp_rows {
	int64_t *rows;
	int64_t n;
};

static void mean_std(const double *v, int n, double *mean, double *std)
{
	double s = 0, ss = 0;
	for (int i = 0; i < n; i++)
		s += v[i];
	*mean = s / n;
	for (int i = 0; i < n; i++)
		ss += (v[i] - *mean) * (v[i] - *mean);
	*std = sqrt(ss / n);
}

enum ce_status ev_classification(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
				 struct ce_err *err)
{
	const struct task *t = ctx->task;
	const struct ds_classification *c = &ds->classification;
	int32_t dim = ctx->emb->dim;
	int n_exp = t->n_experiments;
	int64_t n_train = c->train_texts.n, n_eval = c->eval_texts.n;
	enum ce_status st = CE_OK;

	struct undersample us = {0};
	struct exp_rows *exps = ce_calloc((size_t)n_exp, sizeof *exps);
	int64_t *train_labels = ce_malloc_array((size_t)n_train, sizeof *train_labels);
	int64_t *eval_labels = ce_malloc_array((size_t)n_eval, sizeof *eval_labels);
	int64_t *pos_of_row = ce_malloc_array((size_t)n_train, sizeof *pos_of_row);
	int64_t *pred = ce_malloc_array((size_t)n_eval, sizeof *pred);
	double *acc = ce_calloc((size_t)n_exp, sizeof *acc), *f1 = ce_calloc((size_t)n_exp, sizeof *f1),
	       *ap = ce_calloc((size_t)n_exp, sizeof *ap);
	const char **eval_ptrs = strtab_pointers(&c->eval_texts);
	const char **sel_texts = NULL;
	float *eval_vec = NULL, *sel_vec = NULL;
	double *x_eval = NULL, *x_train = NULL;
	int64_t *y_train = NULL;
	struct logreg_model model = {0};
	if (!exps || !train_labels || !eval_labels || !pos_of_row || !pred || !acc || !f1 || !ap || !eval_ptrs) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	for (int64_t i = 0; i < n_train; i++) {
		train_labels[i] = c->train_labels[i];
		pos_of_row[i] = -1;
	}
	for (int64_t i = 0; i < n_eval; i++)
		eval_labels[i] = c->eval_labels[i];

	/* 1. the training rows of every experiment, and their union */
	if ((st = undersample_init(&us, n_train)) != CE_OK) {
		ce_err_set(err, st, "%s: out of memory", t->name);
		goto out;
	}
	int64_t n_sel = 0;
	for (int e = 0; e < n_exp; e++) {
		exps[e].rows = ce_malloc_array((size_t)(n_train ? n_train : 1), sizeof(int64_t));
		if (!exps[e].rows || undersample_next(&us, train_labels, t->samples_per_label, exps[e].rows,
						      &exps[e].n) != CE_OK) {
			st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
			goto out;
		}
		for (int64_t k = 0; k < exps[e].n; k++)
			if (pos_of_row[exps[e].rows[k]] < 0)
				pos_of_row[exps[e].rows[k]] = n_sel++;
	}
	sel_texts = ce_malloc_array((size_t)(n_sel ? n_sel : 1), sizeof *sel_texts);
	if (!sel_texts) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	for (int64_t i = 0; i < n_train; i++)
		if (pos_of_row[i] >= 0)
			sel_texts[pos_of_row[i]] = strtab_get(&c->train_texts, i);

	/* 2. embeddings (no instruction for classification) */
	if ((st = ev_embed_texts(ctx, "train", sel_texts, n_sel, NULL, &sel_vec, err)) != CE_OK)
		goto out;
	if ((st = ev_embed_texts(ctx, "test", eval_ptrs, n_eval, NULL, &eval_vec, err)) != CE_OK)
		goto out;

	/* sklearn casts float32 inputs to float64 (exact) */
	x_eval = ce_malloc_array((size_t)n_eval * (size_t)dim, sizeof *x_eval);
	x_train = ce_malloc_array((size_t)(n_train ? n_train : 1) * (size_t)dim, sizeof *x_train);
	y_train = ce_malloc_array((size_t)(n_train ? n_train : 1), sizeof *y_train);
	if (!x_eval || !x_train || !y_train) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	for (int64_t i = 0; i < n_eval * dim; i++)
		x_eval[i] = eval_vec[i];

	/* 3. experiments */
	struct logreg_params lp;
	logreg_params_default(&lp);
	int binary = c->labels.n_classes == 2;
	for (int e = 0; e < n_exp; e++) {
		int64_t n = exps[e].n;
		for (int64_t k = 0; k < n; k++) {
			int64_t r = exps[e].rows[k];
			const float *v = sel_vec + (size_t)pos_of_row[r] * (size_t)dim;
			for (int32_t j = 0; j < dim; j++)
				x_train[(size_t)k * (size_t)dim + (size_t)j] = v[j];
			y_train[k] = train_labels[r];
		}
		if ((st = logreg_fit(x_train, n, dim, y_train, &lp, &model)) != CE_OK) {
			ce_err_set(err, st, "%s: logistic regression failed (%s)", t->name, ce_status_str(st));
			goto out;
		}
		logreg_predict(&model, x_eval, n_eval, pred);
		logreg_model_deinit(&model);
		memset(&model, 0, sizeof model);
		acc[e] = metric_accuracy(eval_labels, pred, n_eval);
		if ((st = metric_f1_macro(eval_labels, pred, n_eval, &f1[e])) != CE_OK) {
			ce_err_set(err, st, "%s: out of memory", t->name);
			goto out;
		}
		if (binary)
			ap[e] = metric_average_precision_hard(eval_labels, pred, n_eval);
	}
	double m, sd;
	mean_std(acc, n_exp, &m, &sd);
	if ((st = metric_set_add(out, "accuracy", m)) || (st = metric_set_add(out, "accuracy_stderr", sd)))
		goto add_fail;
	mean_std(f1, n_exp, &m, &sd);
	if ((st = metric_set_add(out, "f1", m)) || (st = metric_set_add(out, "f1_stderr", sd)))
		goto add_fail;
	if (binary) {
		mean_std(ap, n_exp, &m, &sd);
		if ((st = metric_set_add(out, "ap", m)) || (st = metric_set_add(out, "ap_stderr", sd)))
			goto add_fail;
	}
	goto out;
add_fail:
	ce_err_set(err, st, "%s: cannot record metrics", t->name);
out:
	logreg_model_deinit(&model);
	if (exps)
		for (int e = 0; e < n_exp; e++)
			ce_free(exps[e].rows);
	ce_free(exps);
	undersample_deinit(&us);
	ce_free(train_labels);
	ce_free(eval_labels);
	ce_free(pos_of_row);
	ce_free(pred);
	ce_free(acc);
	ce_free(f1);
	ce_free(ap);
	ce_free(eval_ptrs);
	ce_free(sel_texts);
	ce_free(eval_vec);
	ce_free(sel_vec);
	ce_free(x_eval);
	ce_free(x_train);
	ce_free(y_train);
	return st;
}
