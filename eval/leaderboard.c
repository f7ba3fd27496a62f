/*
 * leaderboard.c - C-MTEB tables from results folders (spec §10, §12).
 * The rules (which number of a file counts, how incomplete models are shown)
 * are documented in leaderboard.h.
 */
#include "leaderboard.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "ce_buf.h"
#include "fs_util.h"
#include "results_mteb.h"
#include "task_types.h"

const enum task_type leaderboard_type_order[TASK_TYPE_COUNT] = {
	TASK_TYPE_RETRIEVAL,	  TASK_TYPE_STS,       TASK_TYPE_PAIR_CLASSIFICATION,
	TASK_TYPE_CLASSIFICATION, TASK_TYPE_RERANKING, TASK_TYPE_CLUSTERING, TASK_TYPE_SUMMARIZATION,
};

const char *leaderboard_type_title(enum task_type t)
{
	const struct task_type_desc *d = task_type_desc(t);
	return d ? d->title : "?";
}

int leaderboard_type_shown(const struct leaderboard *lb, enum task_type t)
{
	return (int)t >= 0 && t < TASK_TYPE_COUNT && lb->type_total[t] > 0;
}

double leaderboard_round2(double x)
{
	if (!isfinite(x))
		return x;
	/* printf rounds the exact binary value to nearest, ties to even on the
	 * exact decimal expansion - the same result as CPython's round(x, 2),
	 * which is also correctly rounded from the exact value. */
	char buf[64];
	snprintf(buf, sizeof buf, "%.2f", x);
	return strtod(buf, NULL);
}

/* Both non-NULL and equal. */
static int str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

enum ce_status leaderboard_task_score(const struct task_result *r, const struct task *t, const char *path,
				      double *out, struct ce_err *err)
{
	if (!r->task_name || (strcmp(r->task_name, t->name) != 0 && !str_eq(r->task_name, results_mteb_old_name(t->name))))
		return ce_err_set(err, CE_E_FORMAT, "%s: task_name is '%s', expected '%s'", path,
				  r->task_name ? r->task_name : "(none)", t->name);
	if (r->n_scores <= 0)
		return ce_err_set(err, CE_E_FORMAT, "%s: no scores", path);
	/* the split: the first of the task's eval splits the file has */
	const char *split = NULL;
	for (int32_t k = 0; k < t->n_eval_splits && !split; k++)
		for (int32_t i = 0; i < r->n_scores && !split; i++)
			if (str_eq(r->scores[i].split, t->eval_splits[k]))
				split = t->eval_splits[k];
	if (!split)
		return ce_err_set(err, CE_E_FORMAT, "%s: no score for the task's eval split%s (the file has '%s')", path,
				  t->n_eval_splits > 1 ? "s" : "", r->scores[0].split ? r->scores[0].split : "?");
	/* the subset: the task's own, else the one Chinese subset, else a lone "default" */
	const struct result_score *e = NULL;
	for (int32_t i = 0; i < r->n_scores && !e; i++)
		if (str_eq(r->scores[i].split, split) && str_eq(r->scores[i].hf_subset, t->hf_subset))
			e = &r->scores[i];
	for (int32_t i = 0; i < r->n_scores && !e; i++) {
		const struct result_score *c = &r->scores[i];
		if (!str_eq(c->split, split) || !results_mteb_is_chinese_subset(c->hf_subset))
			continue;
		for (int32_t j = i + 1; j < r->n_scores; j++)
			if (str_eq(r->scores[j].split, split) && results_mteb_is_chinese_subset(r->scores[j].hf_subset) &&
			    !str_eq(r->scores[j].hf_subset, c->hf_subset))
				return ce_err_set(err, CE_E_FORMAT, "%s: scores.%s has two Chinese subsets, '%s' and '%s' (ambiguous)",
						  path, split, c->hf_subset, r->scores[j].hf_subset);
		e = c;
	}
	if (!e) {
		int32_t n_in_split = 0;
		const struct result_score *only = NULL;
		for (int32_t i = 0; i < r->n_scores; i++)
			if (str_eq(r->scores[i].split, split)) {
				n_in_split++;
				only = &r->scores[i];
			}
		if (n_in_split == 1 && str_eq(only->hf_subset, "default"))
			e = only;
		else
			return ce_err_set(err, CE_E_FORMAT, "%s: scores.%s has no entry for subset '%s' nor a Chinese one (%d subset%s, e.g. '%s')",
					  path, split, t->hf_subset, (int)n_in_split, n_in_split == 1 ? "" : "s",
					  only && only->hf_subset ? only->hf_subset : "?");
	}
	double v;
	/* ceval's own R3 files are scored by the task's R3 main score (what `run --compat r3` reported) */
	const char *ms = r->has_ceval && r->compat && strcmp(r->compat, "R3") == 0 ? task_main_score(t, CE_COMPAT_R3)
										  : t->main_score;
	if (!metric_set_get(&e->metrics, ms, &v)) {
		v = e->main_score;
		if (isnan(v))
			return ce_err_set(err, CE_E_FORMAT, "%s: scores.%s (%s) has no '%s' (the task's main score) and no main_score",
					  path, split, e->hf_subset, t->main_score);
	}
	if (!isfinite(v))
		return ce_err_set(err, CE_E_FORMAT, "%s: scores.%s: %s is not a finite number", path,
				  e->split ? e->split : "?", t->main_score);
	*out = v;
	return CE_OK;
}

/* ------------------------------------------------------------ loading */

/*
 * 1 when a file of a task with a Chinese hf_subset holds, in the task's eval splits, only entries
 * of other languages (not Chinese, not "default"): the model was run on another language's subset
 * of a multilingual task (e.g. the English bge files' STS22.json under --suite cmteb), so the task
 * counts as missing for it, as if there were no file.
 */
static int file_is_other_language(const struct task_result *r, const struct task *t)
{
	if (!results_mteb_is_chinese_subset(t->hf_subset))
		return 0;
	int n = 0;
	for (int32_t i = 0; i < r->n_scores; i++)
		for (int32_t k = 0; k < t->n_eval_splits; k++)
			if (str_eq(r->scores[i].split, t->eval_splits[k])) {
				const char *sub = r->scores[i].hf_subset;
				if (!sub || results_mteb_is_chinese_subset(sub) || strcmp(sub, "default") == 0)
					return 0;
				n++;
			}
	return n > 0;
}

void leaderboard_free(struct leaderboard *lb)
{
	if (!lb)
		return;
	for (int32_t i = 0; i < lb->n_models; i++) {
		ce_free(lb->models[i].name);
		ce_free(lb->models[i].folder);
		ce_free(lb->models[i].score);
	}
	ce_free(lb->models);
	ce_free(lb);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the sub-folders of dir (not starting with '.'). */
static enum ce_status list_subdirs(const char *dir, char ***names, int32_t *n, struct ce_err *err)
{
	*names = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d) {
		int e = errno;
		return ce_err_set(err, e == ENOENT ? CE_E_NOT_FOUND : CE_E_IO, "%s: cannot open results folder: %s", dir,
				  strerror(e));
	}
	enum ce_status s = CE_OK;
	int32_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *p = fs_join(dir, de->d_name);
		int is_dir = p && fs_is_dir(p);
		ce_free(p);
		if (!is_dir)
			continue;
		if (*n == cap) {
			int32_t nc = cap ? cap * 2 : 16;
			char **g = ce_realloc_array(*names, (size_t)nc, sizeof *g);
			if (!g) {
				s = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
				break;
			}
			*names = g;
			cap = nc;
		}
		if (!((*names)[*n] = ce_strdup(de->d_name))) {
			s = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
			break;
		}
		(*n)++;
	}
	closedir(d);
	if (s == CE_OK && *n > 1)
		qsort(*names, (size_t)*n, sizeof **names, cmp_str);
	return s;
}

static void model_averages(const struct leaderboard *lb, struct lb_model *m)
{
	double sum = 0, tsum[TASK_TYPE_COUNT] = {0};
	m->n_present = 0;
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		m->type_present[i] = 0;
	for (int32_t k = 0; k < lb->suite->n_tasks; k++) {
		if (isnan(m->score[k]))
			continue;
		enum task_type ty = lb->suite->tasks[k]->type;
		sum += m->score[k];
		tsum[ty] += m->score[k];
		m->type_present[ty]++;
		m->n_present++;
	}
	m->avg = m->n_present ? sum / m->n_present : NAN;
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		m->type_avg[i] = m->type_present[i] ? tsum[i] / m->type_present[i] : NAN;
}

/*
 * The results file of task t in folder dir: <dir>/<Task>.json or, for tasks
 * mteb renamed, <dir>/<old name>.json.  *path NULL when neither exists;
 * CE_E_FORMAT when both do (which one counts would be a guess).
 */
static enum ce_status task_file(const char *dir, const struct task *t, char **path, struct ce_err *err)
{
	*path = NULL;
	const char *names[2] = {t->name, results_mteb_old_name(t->name)};
	char *found[2] = {NULL, NULL};
	for (int i = 0; i < 2; i++) {
		if (!names[i])
			continue;
		char file[300];
		snprintf(file, sizeof file, "%s.json", names[i]);
		char *p = fs_join(dir, file);
		if (!p) {
			ce_free(found[0]);
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		}
		if (fs_is_file(p))
			found[i] = p;
		else
			ce_free(p);
	}
	if (found[0] && found[1]) {
		enum ce_status s = ce_err_set(err, CE_E_FORMAT, "%s and %s: two results files for task %s (ambiguous)",
					      found[0], found[1], t->name);
		ce_free(found[0]);
		ce_free(found[1]);
		return s;
	}
	*path = found[0] ? found[0] : found[1];
	return CE_OK;
}

/* Load one model folder (the files of model_dir, shown as label); *m->score all NaN when nothing of the suite is there. */
/* Bit of a compatibility level ("R1" 1, "R2" 2, "R3" 4, unknown / NULL 8). */
static int level_bit(const char *compat)
{
	if (!compat)
		return 8;
	return !strcmp(compat, "R1") ? 1 : !strcmp(compat, "R2") ? 2 : !strcmp(compat, "R3") ? 4 : 8;
}

static const char *bit_level(int bit)
{
	return bit == 1 ? "R1" : bit == 2 ? "R2" : bit == 4 ? "R3" : NULL;
}

static int level_rank(const char *compat)
{
	int b = level_bit(compat);
	return b == 1 ? 0 : b == 2 ? 1 : b == 4 ? 2 : 3;
}

/* Load one model folder, counting only the files whose level bit is in `levels`. */
static enum ce_status load_model(const struct leaderboard *lb, const char *model_dir, const char *label,
				 struct lb_model *m, int levels, struct ce_err *err)
{
	const struct suite *su = lb->suite;
	m->score = ce_malloc_array((size_t)(su->n_tasks ? su->n_tasks : 1), sizeof *m->score);
	if (!m->score || !(m->folder = ce_strdup(label)))
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	for (int32_t k = 0; k < su->n_tasks; k++)
		m->score[k] = NAN;
	enum ce_status s = CE_OK;
	int32_t n_loaded = 0;
	for (int32_t k = 0; k < su->n_tasks && s == CE_OK; k++) {
		const struct task *t = su->tasks[k];
		char *path = NULL;
		s = task_file(model_dir, t, &path, err);
		if (s != CE_OK || !path)
			continue;
		struct task_result r;
		task_result_init(&r);
		s = results_mteb_read_file(path, &r, NULL, err);
		double v = NAN;
		int counted = s == CE_OK && (level_bit(r.compat) & levels) && !file_is_other_language(&r, t);
		if (counted)
			s = leaderboard_task_score(&r, t, path, &v, err);
		if (s == CE_OK && counted) {
			m->score[k] = leaderboard_round2(v * 100.0);
			n_loaded++;
			if (r.has_ceval) {
				if (!m->name && r.model_name && !(m->name = ce_strdup(r.model_name)))
					s = ce_err_set(err, CE_E_NOMEM, "out of memory");
				if (m->dim == 0)
					m->dim = r.model_dim;
				else if (m->dim != r.model_dim)
					m->dim = -1;
			}
		}
		task_result_deinit(&r);
		ce_free(path);
	}
	if (s == CE_OK && n_loaded > 0 && (!m->name || m->dim == 0)) {
		/* mteb's model_meta.json beside the files: name and embed_dim */
		char *meta_name = NULL;
		int32_t meta_dim = 0;
		s = results_mteb_read_model_meta(model_dir, &meta_name, &meta_dim, err);
		if (s == CE_OK && !m->name)
			m->name = meta_name, meta_name = NULL;
		if (s == CE_OK && m->dim == 0)
			m->dim = meta_dim;
		ce_free(meta_name);
	}
	if (s == CE_OK && !m->name) {
		/* "org__model" (mteb's folder name for "org/model") is shown as org/model */
		const char *us = strstr(label, "__");
		if (!(m->name = ce_strdup(label)))
			s = ce_err_set(err, CE_E_NOMEM, "out of memory");
		else if (us) {
			size_t at = (size_t)(us - label);
			m->name[at] = '/';
			memmove(m->name + at + 1, m->name + at + 2, strlen(m->name + at + 2) + 1);
		}
	}
	return s;
}

static int cmp_models(const void *pa, const void *pb, void *ctx)
{
	const struct leaderboard *lb = ctx;
	const struct lb_model *a = pa, *b = pb;
	if (lb->mixed && level_rank(a->compat) != level_rank(b->compat)) /* levels kept apart: R1 rows first */
		return level_rank(a->compat) - level_rank(b->compat);
	int ca = lb_model_complete(lb, a), cb = lb_model_complete(lb, b);
	if (ca != cb)
		return cb - ca;
	if (!ca && a->n_present != b->n_present)
		return b->n_present - a->n_present;
	if (a->avg != b->avg)
		return a->avg > b->avg ? -1 : 1;
	return strcmp(a->folder, b->folder);
}

enum ce_status leaderboard_create(const struct suite *suite, struct leaderboard **out, struct ce_err *err)
{
	*out = NULL;
	struct leaderboard *lb = ce_calloc(1, sizeof *lb);
	if (!lb)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	lb->suite = suite;
	for (int32_t k = 0; k < suite->n_tasks; k++)
		lb->type_total[suite->tasks[k]->type]++;
	*out = lb;
	return CE_OK;
}

/* 1 if dir holds a results file of some task of the suite (under its name or old name). */
static int dir_has_suite_file(const struct leaderboard *lb, const char *dir)
{
	for (int32_t k = 0; k < lb->suite->n_tasks; k++) {
		const struct task *t = lb->suite->tasks[k];
		const char *names[2] = {t->name, results_mteb_old_name(t->name)};
		for (int i = 0; i < 2; i++) {
			if (!names[i])
				continue;
			char file[300];
			snprintf(file, sizeof file, "%s.json", names[i]);
			char *p = fs_join(dir, file);
			int ok = p && fs_is_file(p);
			ce_free(p);
			if (ok)
				return 1;
		}
	}
	return 0;
}

/* The level bits of the suite files in dir (level_bit). */
static enum ce_status folder_levels(const struct leaderboard *lb, const char *dir, int *bits, struct ce_err *err)
{
	*bits = 0;
	enum ce_status s = CE_OK;
	for (int32_t k = 0; k < lb->suite->n_tasks && s == CE_OK; k++) {
		char *path = NULL;
		s = task_file(dir, lb->suite->tasks[k], &path, err);
		if (s != CE_OK || !path)
			continue;
		struct task_result r;
		task_result_init(&r);
		s = results_mteb_read_file(path, &r, NULL, err);
		if (s == CE_OK)
			*bits |= level_bit(r.compat);
		task_result_deinit(&r);
		ce_free(path);
	}
	return s;
}

static enum ce_status add_model_levels(struct leaderboard *lb, const char *dir, const char *label, int published,
				       int levels, const char *compat, struct ce_err *err);

/*
 * One row per compatibility level: R1, R2 and R3 results are never averaged
 * into one row.  Files of unknown level (no mteb_version) join the row of
 * the folder's one known level, or make a row of their own beside several.
 */
static enum ce_status add_model(struct leaderboard *lb, const char *dir, const char *label, int published,
				struct ce_err *err)
{
	int bits = 0;
	CE_TRY(folder_levels(lb, dir, &bits, err));
	int known = bits & 7;
	if ((known & (known - 1)) == 0) /* at most one known level */
		return add_model_levels(lb, dir, label, published, bits ? bits : 15, bit_level(known), err);
	for (int b = 1; b <= 8; b <<= 1)
		if (bits & b)
			CE_TRY(add_model_levels(lb, dir, label, published, b, bit_level(b), err));
	return CE_OK;
}

static enum ce_status add_model_levels(struct leaderboard *lb, const char *dir, const char *label, int published,
				       int levels, const char *compat, struct ce_err *err)
{
	if (lb->n_models == lb->models_cap) {
		int32_t nc = lb->models_cap ? lb->models_cap * 2 : 16;
		struct lb_model *g = ce_realloc_array(lb->models, (size_t)nc, sizeof *g);
		if (!g)
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		lb->models = g;
		lb->models_cap = nc;
	}
	struct lb_model *m = &lb->models[lb->n_models];
	memset(m, 0, sizeof *m);
	lb->n_models++; /* counted before loading so leaderboard_free releases a half-loaded model */
	m->published = published;
	m->compat = compat;
	enum ce_status s = load_model(lb, dir, label, m, levels, err);
	if (s != CE_OK)
		return s;
	model_averages(lb, m);
	if (m->n_present == 0) { /* not a results folder of this suite */
		ce_free(m->name);
		ce_free(m->folder);
		ce_free(m->score);
		memset(m, 0, sizeof *m);
		lb->n_models--;
	}
	return CE_OK;
}

/* A model folder of the results repository: its files, or its revision folders. */
static enum ce_status add_model_folder(struct leaderboard *lb, const char *dir, const char *label, int published,
				       struct ce_err *err)
{
	if (dir_has_suite_file(lb, dir))
		return add_model(lb, dir, label, published, err);
	char **revs = NULL;
	int32_t n = 0;
	enum ce_status s = list_subdirs(dir, &revs, &n, err);
	char **with = n ? ce_calloc((size_t)n, sizeof *with) : NULL;
	int32_t n_with = 0;
	if (s == CE_OK && n && !with)
		s = ce_err_set(err, CE_E_NOMEM, "out of memory");
	for (int32_t i = 0; i < n && s == CE_OK; i++) {
		char *p = fs_join(dir, revs[i]);
		if (!p)
			s = ce_err_set(err, CE_E_NOMEM, "out of memory");
		else if (dir_has_suite_file(lb, p))
			with[n_with++] = p;
		else
			ce_free(p);
	}
	/* one revision: the model; several: one row per revision (which one counts is not guessed) */
	for (int32_t i = 0; i < n_with && s == CE_OK; i++) {
		char lab[512];
		if (n_with == 1)
			snprintf(lab, sizeof lab, "%s", label);
		else
			snprintf(lab, sizeof lab, "%s@%s", label, strrchr(with[i], '/') + 1);
		s = add_model(lb, with[i], lab, published, err);
	}
	for (int32_t i = 0; i < n_with; i++)
		ce_free(with[i]);
	ce_free(with);
	for (int32_t i = 0; i < n; i++)
		ce_free(revs[i]);
	ce_free(revs);
	return s;
}

enum ce_status leaderboard_add(struct leaderboard *lb, const char *path, int published, struct ce_err *err)
{
	if (dir_has_suite_file(lb, path)) { /* one model's folder */
		char *base = fs_basename(path);
		if (!base)
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		enum ce_status s = add_model(lb, path, base, published, err);
		ce_free(base);
		return s;
	}
	/* the results repository's root holds results/<org>__<model>/<revision>/ */
	char *root = fs_join(path, "results");
	if (!root)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	if (!fs_is_dir(root)) {
		ce_free(root);
		if (!(root = ce_strdup(path)))
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	char **names = NULL;
	int32_t n = 0;
	enum ce_status s = list_subdirs(root, &names, &n, err);
	for (int32_t i = 0; i < n && s == CE_OK; i++) {
		char *p = fs_join(root, names[i]);
		s = p ? add_model_folder(lb, p, names[i], published, err) : ce_err_set(err, CE_E_NOMEM, "out of memory");
		ce_free(p);
	}
	for (int32_t i = 0; i < n; i++)
		ce_free(names[i]);
	ce_free(names);
	ce_free(root);
	return s;
}

enum ce_status leaderboard_sort_marked(struct leaderboard *lb, struct ce_err *err)
{
	int bits = 0;
	for (int32_t i = 0; i < lb->n_models; i++)
		if (lb->models[i].compat)
			bits |= level_bit(lb->models[i].compat);
	lb->mixed = (bits & (bits - 1)) != 0;
	leaderboard_sort(lb);
	if (!lb->mixed)
		return CE_OK;
	/* mark every row with its level, so an R1 number is never read as an R3 one */
	for (int32_t i = 0; i < lb->n_models; i++) {
		struct lb_model *m = &lb->models[i];
		if (m->marked)
			continue;
		const char *lv = m->compat ? m->compat : "level unknown";
		size_t n = strlen(m->name) + strlen(lv) + 4;
		char *nm = ce_malloc(n);
		if (!nm)
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		snprintf(nm, n, "%s [%s]", m->name, lv);
		ce_free(m->name);
		m->name = nm;
		m->marked = 1;
	}
	return CE_OK;
}

void leaderboard_sort(struct leaderboard *lb)
{
	int bits = 0;
	for (int32_t i = 0; i < lb->n_models; i++)
		if (lb->models[i].compat)
			bits |= level_bit(lb->models[i].compat);
	lb->mixed = (bits & (bits - 1)) != 0;
	if (lb->n_models > 1)
		qsort_r(lb->models, (size_t)lb->n_models, sizeof *lb->models, cmp_models, lb);
}

enum ce_status leaderboard_load(const char *results_dir, const struct suite *suite, struct leaderboard **out,
				struct ce_err *err)
{
	*out = NULL;
	struct leaderboard *lb = NULL;
	CE_TRY(leaderboard_create(suite, &lb, err));
	enum ce_status s = leaderboard_add(lb, results_dir, 0, err);
	if (s != CE_OK) {
		leaderboard_free(lb);
		return s;
	}
	if ((s = leaderboard_sort_marked(lb, err)) != CE_OK) {
		leaderboard_free(lb);
		return s;
	}
	*out = lb;
	return CE_OK;
}

/* ------------------------------------------------------------ markdown */

/* Markdown table cell text: '|' would split the cell, newlines the row. */
static void sb_cell(struct ce_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			ce_buf_printf(b, "\\|");
		else if (*s == '\n' || *s == '\r')
			ce_buf_printf(b, " ");
		else
			ce_buf_printf(b, "%c", *s);
	}
}

static void sb_score(struct ce_buf *b, double v, int partial)
{
	if (isnan(v))
		ce_buf_printf(b, " - |");
	else
		ce_buf_printf(b, " %.2f%s |", v, partial ? "*" : "");
}

enum ce_status leaderboard_to_markdown(const struct leaderboard *lb, char **md, size_t *len, struct ce_err *err)
{
	*md = NULL;
	*len = 0;
	const struct suite *su = lb->suite;
	struct ce_buf b = {0};
	ce_buf_printf(&b, "# Leaderboard: %s (%d tasks)\n\n", su->name, (int)su->n_tasks);
	ce_buf_printf(&b, "Scores are each task's main score x 100, rounded to 2 decimals. Avg is the mean over all %d "
		      "tasks of the suite; a type column is the mean over the tasks of that type (tables below). A value marked * is "
		      "the mean over only the tasks the model has (listed below) and is not comparable with complete "
		      "rows.\n\n",
		  (int)su->n_tasks);
	ce_buf_printf(&b, "| Model | Embedding dimension | Avg |");
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		if (leaderboard_type_shown(lb, leaderboard_type_order[i]))
			ce_buf_printf(&b, " %s |", leaderboard_type_title(leaderboard_type_order[i]));
	ce_buf_printf(&b, "\n|---|---:|---:|");
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		if (leaderboard_type_shown(lb, leaderboard_type_order[i]))
			ce_buf_printf(&b, "---:|");
	ce_buf_printf(&b, "\n");
	int n_incomplete = 0;
	for (int32_t j = 0; j < lb->n_models; j++) {
		const struct lb_model *m = &lb->models[j];
		ce_buf_printf(&b, "| ");
		sb_cell(&b, m->name);
		if (m->published)
			ce_buf_printf(&b, " (published)");
		if (m->dim > 0)
			ce_buf_printf(&b, " | %d |", (int)m->dim);
		else
			ce_buf_printf(&b, " | %s |", m->dim < 0 ? "mixed" : "-");
		int complete = lb_model_complete(lb, m);
		n_incomplete += !complete;
		sb_score(&b, m->avg, !complete);
		for (int i = 0; i < TASK_TYPE_COUNT; i++) {
			enum task_type ty = leaderboard_type_order[i];
			if (leaderboard_type_shown(lb, ty))
				sb_score(&b, m->type_avg[ty], m->type_present[ty] < lb->type_total[ty]);
		}
		ce_buf_printf(&b, "\n");
	}
	if (lb->n_models == 0)
		ce_buf_printf(&b, "\n(no results of this suite's tasks were found)\n");
	if (n_incomplete) {
		ce_buf_printf(&b, "\n\\* Incomplete results:\n\n");
		for (int32_t j = 0; j < lb->n_models; j++) {
			const struct lb_model *m = &lb->models[j];
			if (lb_model_complete(lb, m))
				continue;
			ce_buf_printf(&b, "- ");
			sb_cell(&b, m->name);
			ce_buf_printf(&b, ": %d of %d tasks missing (", (int)(su->n_tasks - m->n_present), (int)su->n_tasks);
			int first = 1;
			for (int i = 0; i < TASK_TYPE_COUNT; i++) {
				enum task_type ty = leaderboard_type_order[i];
				int miss = lb->type_total[ty] - m->type_present[ty];
				if (miss) {
					ce_buf_printf(&b, "%s%s %d", first ? "" : ", ", leaderboard_type_title(ty), miss);
					first = 0;
				}
			}
			ce_buf_printf(&b, "):");
			for (int32_t k = 0, c = 0; k < su->n_tasks; k++)
				if (isnan(m->score[k]))
					ce_buf_printf(&b, "%s %s", c++ ? "," : "", su->tasks[k]->name);
			ce_buf_printf(&b, "\n");
		}
	}
	for (int i = 0; i < TASK_TYPE_COUNT; i++) {
		enum task_type ty = leaderboard_type_order[i];
		if (lb->type_total[ty] == 0)
			continue;
		ce_buf_printf(&b, "\n## %s\n\n| Model |", leaderboard_type_title(ty));
		for (int32_t k = 0; k < su->n_tasks; k++)
			if (su->tasks[k]->type == ty) {
				ce_buf_printf(&b, " ");
				sb_cell(&b, su->tasks[k]->name);
				ce_buf_printf(&b, " |");
			}
		ce_buf_printf(&b, " Avg |\n|---|");
		for (int32_t k = 0; k <= lb->type_total[ty] - 1; k++)
			ce_buf_printf(&b, "---:|");
		ce_buf_printf(&b, "---:|\n");
		for (int32_t j = 0; j < lb->n_models; j++) {
			const struct lb_model *m = &lb->models[j];
			ce_buf_printf(&b, "| ");
			sb_cell(&b, m->name);
			ce_buf_printf(&b, "%s |", m->published ? " (published)" : "");
			for (int32_t k = 0; k < su->n_tasks; k++)
				if (su->tasks[k]->type == ty)
					sb_score(&b, m->score[k], 0);
			sb_score(&b, m->type_avg[ty], m->type_present[ty] < lb->type_total[ty]);
			ce_buf_printf(&b, "\n");
		}
	}
	return ce_buf_finish(&b, "the leaderboard", md, len, err);
}
