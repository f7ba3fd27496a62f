/*
 * check.c - `ceval check` library: results-vs-baseline comparison and
 * embedding cosine comparison (rules in check.h).
 */
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "fs_util.h"
#include "leaderboard.h"
#include "npy_read.h"
#include "results.h"
#include "results_mteb.h"

const char *check_verdict_name(enum check_verdict v)
{
	switch (v) {
	case CHECK_OK:
		return "ok";
	case CHECK_IMPROVED:
		return "improved";
	case CHECK_REGRESSED:
		return "REGRESSED";
	case CHECK_MISSING_CURRENT:
		return "MISSING in results";
	case CHECK_MISSING_BASELINE:
		return "MISSING in baseline";
	case CHECK_DATA_MISMATCH:
		return "DATA MISMATCH";
	}
	return "?";
}

/* Measured defaults for a published baseline; the measurements are in check.h. */
static const double published_tolerance[TASK_TYPE_COUNT] = {
	[TASK_TYPE_RETRIEVAL] = 0.15,
	[TASK_TYPE_RERANKING] = 0.15,
	[TASK_TYPE_STS] = 0.05,
	[TASK_TYPE_PAIR_CLASSIFICATION] = 0.05,
	[TASK_TYPE_CLASSIFICATION] = 1.1,
	[TASK_TYPE_CLUSTERING] = 1.1,
	[TASK_TYPE_SUMMARIZATION] = 0.5, /* not measured yet: the global default (check.h) */
};

double check_published_tolerance(enum task_type t)
{
	return (int)t >= 0 && t < TASK_TYPE_COUNT ? published_tolerance[t] : 0.5;
}

void check_opts_published_defaults(struct check_opts *o)
{
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		if (o->type_tolerance[i] < 0)
			o->type_tolerance[i] = published_tolerance[i];
}

void check_opts_init(struct check_opts *o)
{
	memset(o, 0, sizeof *o);
	o->tolerance = 0.5;
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		o->type_tolerance[i] = -1;
}

enum ce_status check_opts_type_tolerance(struct check_opts *o, const char *spec, struct ce_err *err)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec)
		return ce_err_set(err, CE_E_INVALID_ARG, "--tolerance-type expects TYPE=POINTS (e.g. clustering=2), got '%s'",
				  spec);
	char type[64];
	size_t tl = (size_t)(eq - spec);
	if (tl >= sizeof type)
		tl = sizeof type - 1;
	memcpy(type, spec, tl);
	type[tl] = '\0';
	enum task_type t;
	if (task_type_from_name(type, &t) != CE_OK) {
		char names[200];
		task_type_list(names, sizeof names);
		return ce_err_set(err, CE_E_INVALID_ARG, "--tolerance-type: unknown task type '%s' (%s)", type, names);
	}
	char *end = NULL;
	errno = 0;
	double v = strtod(eq + 1, &end);
	if (errno || end == eq + 1 || *end || !isfinite(v) || v < 0)
		return ce_err_set(err, CE_E_INVALID_ARG, "--tolerance-type %s: expected a number of points >= 0, got '%s'",
				  type, eq + 1);
	o->type_tolerance[t] = v;
	return CE_OK;
}

/* ---- one side: a folder or a file ------------------------------------- */

struct side_entry {
	char *task;
	char *path;
	double score; /* x100 */
	char *hash;   /* ceval.dataset_hash or NULL */
	char *subset; /* subset_describe() */
	char *compat; /* "R1" / "R2" / "R3" or NULL (unknown) */
	int has_type;
	enum task_type type;
};

struct side {
	struct side_entry *e;
	int32_t n, cap;
};

static void side_free(struct side *s)
{
	for (int32_t i = 0; i < s->n; i++) {
		ce_free(s->e[i].task);
		ce_free(s->e[i].path);
		ce_free(s->e[i].hash);
		ce_free(s->e[i].subset);
		ce_free(s->e[i].compat);
	}
	ce_free(s->e);
	memset(s, 0, sizeof *s);
}

/* The subset record as one comparable string: "full" or the rule and its parameters. */
static char *subset_describe(const struct task_result *r)
{
	if (!r->has_subset)
		return ce_strdup("full");
	char buf[512];
	char m[32] = "-";
	if (r->subset_corpus > 0)
		snprintf(m, sizeof m, "%lld", (long long)r->subset_corpus);
	snprintf(buf, sizeof buf, "%.100s n=%lld corpus=%s seed=%lld selection=%.64s",
		 r->subset_rule ? r->subset_rule : "?", (long long)r->subset_n, m, (long long)r->subset_seed,
		 r->subset_hash ? r->subset_hash : "?");
	return ce_strdup(buf);
}

static enum ce_status side_add_file(struct side *s, const char *path, const char *tasks_dir, struct ce_err *err)
{
	struct task_result r;
	task_result_init(&r);
	enum ce_status st = results_mteb_read_file(path, &r, NULL, err);
	struct task *t = NULL;
	if (st == CE_OK && !r.task_name)
		st = ce_err_set(err, CE_E_FORMAT, "%s: no task_name", path);
	if (st == CE_OK && tasks_dir) {
		char *tp = NULL;
		struct ce_err terr;
		/* a task without a definition is still compared, on its main_score */
		if (task_find_file(tasks_dir, r.task_name, &tp, &terr) == CE_OK)
			st = task_load_file(tp, &t, err);
		ce_free(tp);
	}
	double v = NAN;
	if (st == CE_OK) {
		if (t) {
			st = leaderboard_task_score(&r, t, path, &v, err);
		} else if (r.n_scores <= 0 || !isfinite(r.scores[0].main_score)) {
			st = ce_err_set(err, CE_E_FORMAT, "%s: no finite main_score", path);
		} else {
			v = r.scores[0].main_score;
		}
	}
	for (int32_t i = 0; st == CE_OK && i < s->n; i++)
		if (strcmp(s->e[i].task, r.task_name) == 0)
			st = ce_err_set(err, CE_E_FORMAT, "%s: task '%s' also in %s", path, r.task_name, s->e[i].path);
	if (st == CE_OK && s->n == s->cap) {
		int32_t nc = s->cap ? s->cap * 2 : 32;
		struct side_entry *g = ce_realloc_array(s->e, (size_t)nc, sizeof *g);
		if (!g)
			st = ce_err_set(err, CE_E_NOMEM, "out of memory");
		else {
			s->e = g;
			s->cap = nc;
		}
	}
	if (st == CE_OK) {
		struct side_entry *e = &s->e[s->n];
		memset(e, 0, sizeof *e);
		e->task = ce_strdup(r.task_name);
		e->path = ce_strdup(path);
		e->hash = r.dataset_hash ? ce_strdup(r.dataset_hash) : NULL;
		e->subset = subset_describe(&r);
		e->compat = r.compat ? ce_strdup(r.compat) : NULL;
		e->score = v * 100.0;
		e->has_type = t != NULL;
		e->type = t ? t->type : TASK_TYPE_RETRIEVAL;
		s->n++;
		if (!e->task || !e->path || !e->subset || (r.dataset_hash && !e->hash) || (r.compat && !e->compat))
			st = ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	task_free(t);
	task_result_deinit(&r);
	return st;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum ce_status side_load(const char *path, const char *tasks_dir, struct side *s, struct ce_err *err)
{
	if (fs_is_file(path))
		return side_add_file(s, path, tasks_dir, err);
	DIR *d = opendir(path);
	if (!d) {
		int e = errno;
		return ce_err_set(err, e == ENOENT ? CE_E_NOT_FOUND : CE_E_IO, "%s: cannot open: %s", path, strerror(e));
	}
	char **names = NULL;
	int32_t n = 0, cap = 0;
	enum ce_status st = CE_OK;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".json") || strcmp(de->d_name, "model_meta.json") == 0)
			continue;
		if (n == cap) {
			int32_t nc = cap ? cap * 2 : 64;
			char **g = ce_realloc_array(names, (size_t)nc, sizeof *g);
			if (!g) {
				st = ce_err_set(err, CE_E_NOMEM, "out of memory");
				break;
			}
			names = g;
			cap = nc;
		}
		if (!(names[n] = fs_join(path, de->d_name))) {
			st = ce_err_set(err, CE_E_NOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, (size_t)n, sizeof *names, cmp_cstr);
	for (int32_t i = 0; i < n && st == CE_OK; i++)
		if (fs_is_file(names[i]))
			st = side_add_file(s, names[i], tasks_dir, err);
	for (int32_t i = 0; i < n; i++)
		ce_free(names[i]);
	ce_free(names);
	if (st == CE_OK && s->n == 0) {
		/* a model folder of the MTEB results repository: its one revision folder */
		char *rev = n == 0 ? fs_only_subdir(path) : NULL;
		if (rev)
			st = side_load(rev, tasks_dir, s, err);
		else
			st = ce_err_set(err, CE_E_NOT_FOUND, "%s: no results files (<Task>.json) in this folder", path);
		ce_free(rev);
	}
	return st;
}

/* ---- comparison -------------------------------------------------------- */

void check_report_free(struct check_report *r)
{
	if (!r)
		return;
	for (int32_t i = 0; i < r->n; i++) {
		ce_free(r->rows[i].task);
		ce_free(r->rows[i].base_subset);
		ce_free(r->rows[i].cur_subset);
	}
	ce_free(r->rows);
	ce_free(r);
}

static int cmp_rows(const void *a, const void *b)
{
	return strcmp(((const struct check_row *)a)->task, ((const struct check_row *)b)->task);
}

static const struct side_entry *side_find(const struct side *s, const char *task)
{
	for (int32_t i = 0; i < s->n; i++)
		if (strcmp(s->e[i].task, task) == 0)
			return &s->e[i];
	return NULL;
}

enum ce_status check_results(const char *results, const char *baseline, const struct check_opts *o,
			     struct check_report **out, struct ce_err *err)
{
	*out = NULL;
	struct side cur = {0}, base = {0};
	enum ce_status st = side_load(results, o->tasks_dir, &cur, err);
	if (st == CE_OK)
		st = side_load(baseline, o->tasks_dir, &base, err);
	/* a single baseline file checks only its task */
	int only_base = st == CE_OK && fs_is_file(baseline);
	struct check_report *r = NULL;
	if (st == CE_OK) {
		r = ce_calloc(1, sizeof *r);
		if (r)
			r->rows = ce_calloc((size_t)(cur.n + base.n), sizeof *r->rows);
		if (!r || !r->rows)
			st = ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	for (int pass = 0; pass < 2 && st == CE_OK; pass++) {
		const struct side *s = pass == 0 ? &base : &cur;
		for (int32_t i = 0; i < s->n && st == CE_OK; i++) {
			const struct side_entry *b = pass == 0 ? &s->e[i] : side_find(&base, s->e[i].task);
			const struct side_entry *c = pass == 0 ? side_find(&cur, s->e[i].task) : &s->e[i];
			if (pass == 1 && (b || only_base))
				continue; /* already handled, or outside a single-file baseline */
			struct check_row *row = &r->rows[r->n];
			if (!(row->task = ce_strdup(s->e[i].task))) {
				st = ce_err_set(err, CE_E_NOMEM, "out of memory");
				break;
			}
			r->n++;
			const struct side_entry *any = b ? b : c;
			row->has_type = any->has_type;
			row->type = any->type;
			row->tolerance = o->tolerance;
			if (row->has_type && o->type_tolerance[row->type] >= 0)
				row->tolerance = o->type_tolerance[row->type];
			row->baseline = b ? b->score : NAN;
			row->current = c ? c->score : NAN;
			row->delta = row->current - row->baseline;
			row->data_differs = b && c && b->hash && c->hash && strcmp(b->hash, c->hash) != 0;
			row->subset_differs = b && c && strcmp(b->subset, c->subset) != 0;
			/* R1 and R3 numbers are different quantities: a level known on both sides must agree */
			row->compat_differs = b && c && b->compat && c->compat && strcmp(b->compat, c->compat) != 0;
			if (row->compat_differs) {
				snprintf(row->base_compat, sizeof row->base_compat, "%s", b->compat);
				snprintf(row->cur_compat, sizeof row->cur_compat, "%s", c->compat);
			}
			if ((b && !(row->base_subset = ce_strdup(b->subset))) ||
			    (c && !(row->cur_subset = ce_strdup(c->subset)))) {
				st = ce_err_set(err, CE_E_NOMEM, "out of memory");
				break;
			}
			if (!c)
				row->verdict = CHECK_MISSING_CURRENT;
			else if (!b)
				row->verdict = CHECK_MISSING_BASELINE;
			else if ((row->data_differs || row->subset_differs || row->compat_differs) && !o->allow_mismatch)
				row->verdict = CHECK_DATA_MISMATCH;
			/* 1e-9: a drop of exactly the tolerance, up to rounding of x100, is not a regression */
			else if (row->delta < -(row->tolerance + 1e-9))
				row->verdict = CHECK_REGRESSED;
			else if (row->delta > row->tolerance + 1e-9)
				row->verdict = CHECK_IMPROVED;
			else
				row->verdict = CHECK_OK;
			switch (row->verdict) {
			case CHECK_OK:
				r->n_ok++;
				break;
			case CHECK_IMPROVED:
				r->n_improved++;
				break;
			case CHECK_REGRESSED:
				r->n_regressed++;
				break;
			case CHECK_MISSING_CURRENT:
			case CHECK_MISSING_BASELINE:
				r->n_missing++;
				break;
			case CHECK_DATA_MISMATCH:
				r->n_mismatch++;
				break;
			}
		}
	}
	side_free(&cur);
	side_free(&base);
	if (st != CE_OK) {
		check_report_free(r);
		return st;
	}
	if (r->n > 1)
		qsort(r->rows, (size_t)r->n, sizeof *r->rows, cmp_rows);
	*out = r;
	return CE_OK;
}

int check_exit_code(const struct check_report *r)
{
	if (r->n_missing || r->n_mismatch)
		return 3;
	return r->n_regressed ? 1 : 0;
}

static void fmt_score(char *buf, size_t cap, double v)
{
	if (isnan(v))
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%.2f", v);
}

void check_report_print(const struct check_report *r, FILE *out)
{
	fprintf(out, "%-34s %-20s %9s %9s %8s %6s  %s\n", "Task", "Type", "Baseline", "New", "Delta", "Tol", "Verdict");
	for (int32_t i = 0; i < r->n; i++) {
		const struct check_row *w = &r->rows[i];
		char b[32], c[32], d[32];
		fmt_score(b, sizeof b, w->baseline);
		fmt_score(c, sizeof c, w->current);
		if (isnan(w->delta))
			snprintf(d, sizeof d, "-");
		else
			snprintf(d, sizeof d, "%+.2f", w->delta);
		fprintf(out, "%-34s %-20s %9s %9s %8s %6.2f  %s%s\n", w->task, w->has_type ? task_type_name(w->type) : "?",
			b, c, d, w->tolerance, check_verdict_name(w->verdict),
			w->data_differs ? (w->verdict == CHECK_DATA_MISMATCH
						   ? " (dataset_hash differs: scores come from different data; "
						     "--allow-mismatch to compare anyway)"
						   : " (dataset_hash differs, allowed)")
					: "");
		if (w->compat_differs)
			fprintf(out, "    compatibility level differs%s: baseline %s, results %s (R1 and R3 compute different "
				"numbers for the same embeddings)\n",
				w->verdict == CHECK_DATA_MISMATCH ? " (--allow-mismatch to compare anyway)" : ", allowed",
				w->base_compat, w->cur_compat);
		if (w->subset_differs)
			fprintf(out, "    subset differs%s: baseline %s; results %s\n",
				w->verdict == CHECK_DATA_MISMATCH ? " (--allow-mismatch to compare anyway)" : ", allowed",
				w->base_subset, w->cur_subset);
	}
	fprintf(out, "\n%d task(s): %d ok, %d improved, %d regressed, %d missing, %d data mismatch\n", (int)r->n,
		(int)r->n_ok, (int)r->n_improved, (int)r->n_regressed, (int)r->n_missing, (int)r->n_mismatch);
}

/* ---- embeddings -------------------------------------------------------- */

void emb_check_deinit(struct emb_check *e)
{
	if (!e)
		return;
	ce_free(e->cosine);
	memset(e, 0, sizeof *e);
}

enum ce_status check_embeddings(const char *a, const char *b, double min_cosine, struct emb_check *out,
				struct ce_err *err)
{
	memset(out, 0, sizeof *out);
	float *da = NULL, *db = NULL;
	int64_t ra, ca, rb, cb;
	enum ce_status st = npy_read_f32(a, &da, &ra, &ca, err);
	if (st == CE_OK)
		st = npy_read_f32(b, &db, &rb, &cb, err);
	if (st == CE_OK && (ra != rb || ca != cb))
		st = ce_err_set(err, CE_E_MISMATCH, "shape mismatch: %s is (%lld, %lld), %s is (%lld, %lld)", a,
				(long long)ra, (long long)ca, b, (long long)rb, (long long)cb);
	if (st == CE_OK && ra > 0 && !(out->cosine = ce_malloc_array((size_t)ra, sizeof *out->cosine)))
		st = ce_err_set(err, CE_E_NOMEM, "out of memory");
	if (st == CE_OK) {
		out->rows = ra;
		out->cols = ca;
		out->min_cosine = ra > 0 ? INFINITY : NAN;
		double sum = 0;
		for (int64_t i = 0; i < ra; i++) {
			const float *x = da + i * ca, *y = db + i * ca;
			double xy = 0, xx = 0, yy = 0;
			for (int64_t j = 0; j < ca; j++) {
				xy += (double)x[j] * y[j];
				xx += (double)x[j] * x[j];
				yy += (double)y[j] * y[j];
			}
			double c;
			if (!isfinite(xy) || !isfinite(xx) || !isfinite(yy))
				c = NAN;
			else if (xx == 0 && yy == 0)
				c = 1.0;
			else if (xx == 0 || yy == 0)
				c = 0.0;
			else
				c = xy / (sqrt(xx) * sqrt(yy));
			out->cosine[i] = c;
			sum += c;
			if (!(c >= min_cosine))
				out->n_below++;
			if (isnan(c) || c < out->min_cosine)
				out->min_cosine = isnan(out->min_cosine) ? out->min_cosine : c;
		}
		out->mean_cosine = ra > 0 ? sum / (double)ra : NAN;
	}
	ce_free(da);
	ce_free(db);
	if (st != CE_OK)
		emb_check_deinit(out);
	return st;
}

void emb_check_print(const struct emb_check *e, double min_cosine, int worst, FILE *out)
{
	fprintf(out, "rows %lld, dim %lld: min cosine %.6f, mean %.6f; %lld row(s) below %.6f\n", (long long)e->rows,
		(long long)e->cols, e->min_cosine, e->mean_cosine, (long long)e->n_below, min_cosine);
	/* selection of the `worst` lowest rows (NaN first), without sorting everything */
	int64_t shown = 0;
	int64_t *pick = worst > 0 && e->rows > 0 ? ce_malloc_array((size_t)worst, sizeof *pick) : NULL;
	if (!pick)
		return;
	for (int64_t k = 0; k < worst && k < e->rows; k++) {
		int64_t best = -1;
		for (int64_t i = 0; i < e->rows; i++) {
			int used = 0;
			for (int64_t u = 0; u < shown && !used; u++)
				used = pick[u] == i;
			if (used)
				continue;
			double c = e->cosine[i];
			if (best < 0 || (isnan(c) && !isnan(e->cosine[best])) ||
			    (!isnan(e->cosine[best]) && c < e->cosine[best]))
				best = i;
		}
		pick[shown++] = best;
	}
	fprintf(out, "worst rows:\n");
	for (int64_t u = 0; u < shown; u++)
		fprintf(out, "  row %lld: cosine %.6f%s\n", (long long)pick[u], e->cosine[pick[u]],
			e->cosine[pick[u]] >= min_cosine ? "" : "  (below)");
	ce_free(pick);
}
