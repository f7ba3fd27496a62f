/*
 * results.c - metric sets and the per-task results JSON (MTEB 2.x shape,
 * spec §9.2), written and read with jansson.
 *
 * Sections: metric_set, task_result building, paths, writer, reader.
 */
#include "results.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ce_alloc.h"
#include "ce_json.h"
#include "fs_util.h"
#include "jsonl.h"

#define RESULTS_FILE_MAX ((size_t)64 << 20)

/* --------------------------------------------------------------- metric_set */

void metric_set_init(struct metric_set *m)
{
	memset(m, 0, sizeof *m);
}

void metric_set_deinit(struct metric_set *m)
{
	ce_free(m->names);
	ce_free(m->values);
	memset(m, 0, sizeof *m);
}

/* Keys of a score entry that are not metrics (mteb 2.x task_result.py). */
static int reserved_key(const char *name)
{
	return !strcmp(name, "main_score") || !strcmp(name, "hf_subset") || !strcmp(name, "languages") ||
	       !strcmp(name, "mteb_version");
}

enum ce_status metric_set_add(struct metric_set *m, const char *name, double value)
{
	size_t len = strlen(name);
	if (len == 0 || len >= METRIC_NAME_MAX || reserved_key(name))
		return CE_E_INVALID_ARG;
	double tmp;
	if (metric_set_get(m, name, &tmp))
		return CE_E_INVALID_ARG;
	if (m->n == m->cap) {
		int32_t nc = m->cap ? m->cap * 2 : 16;
		if (nc < m->cap)
			return CE_E_NOMEM;
		void *nn = ce_realloc_array(m->names, (size_t)nc, sizeof *m->names);
		if (!nn)
			return CE_E_NOMEM;
		m->names = nn;
		double *nv = ce_realloc_array(m->values, (size_t)nc, sizeof *nv);
		if (!nv)
			return CE_E_NOMEM;
		m->values = nv;
		m->cap = nc;
	}
	memcpy(m->names[m->n], name, len + 1);
	m->values[m->n] = value;
	m->n++;
	return CE_OK;
}

int metric_set_get(const struct metric_set *m, const char *name, double *value)
{
	for (int32_t i = 0; i < m->n; i++) {
		if (strcmp(m->names[i], name) == 0) {
			*value = m->values[i];
			return 1;
		}
	}
	return 0;
}

/* -------------------------------------------------------------- task_result */

void task_result_init(struct task_result *r)
{
	memset(r, 0, sizeof *r);
}

static void free_strs(char **v, int32_t n)
{
	if (!v)
		return;
	for (int32_t i = 0; i < n; i++)
		ce_free(v[i]);
	ce_free(v);
}

static void score_deinit(struct result_score *s)
{
	ce_free(s->split);
	ce_free(s->hf_subset);
	free_strs(s->languages, s->n_languages);
	metric_set_deinit(&s->metrics);
}

void task_result_deinit(struct task_result *r)
{
	ce_free(r->task_name);
	ce_free(r->dataset_revision);
	ce_free(r->date);
	ce_free(r->main_score_name);
	for (int32_t i = 0; i < r->n_scores; i++)
		score_deinit(&r->scores[i]);
	ce_free(r->scores);
	ce_free(r->ceval_version);
	ce_free(r->compat);
	ce_free(r->dataset_hash);
	ce_free(r->dataset_source);
	ce_free(r->model_name);
	ce_free(r->model_fingerprint);
	ce_free(r->model_endpoint);
	ce_free(r->query_instruction);
	ce_free(r->subset_rule);
	ce_free(r->subset_hash);
	ce_free(r->backend);
	ce_free(r->precision);
	ce_free(r->kernels);
	ce_free(r->task_hash);
	ce_free(r->data_hash);
	memset(r, 0, sizeof *r);
}

enum ce_status task_result_set_str(char **field, const char *s, struct ce_err *err)
{
	char *c = NULL;
	if (s && !(c = ce_strdup(s)))
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	ce_free(*field);
	*field = c;
	return CE_OK;
}

enum ce_status task_result_set_task(struct task_result *r, const struct task *t, struct ce_err *err)
{
	CE_TRY(task_result_set_str(&r->task_name, t->name, err));
	CE_TRY(task_result_set_str(&r->dataset_revision, t->revision, err));
	return task_result_set_str(&r->main_score_name, t->main_score, err);
}

/* Append an empty entry; returns it or NULL on NOMEM. */
static struct result_score *push_score(struct task_result *r)
{
	struct result_score *ns = ce_realloc_array(r->scores, (size_t)r->n_scores + 1, sizeof *ns);
	if (!ns)
		return NULL;
	r->scores = ns;
	struct result_score *s = &ns[r->n_scores++];
	memset(s, 0, sizeof *s);
	return s;
}

enum ce_status task_result_add_split(struct task_result *r, const struct task *t, const char *split,
				     struct metric_set *metrics, struct ce_err *err)
{
	double main;
	if (!metric_set_get(metrics, t->main_score, &main))
		return ce_err_set(err, CE_E_INVALID_ARG, "task %s split %s: main score '%s' is not among the %d metrics",
				  t->name, split, t->main_score, (int)metrics->n);
	struct result_score *s = push_score(r);
	if (!s)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	s->split = ce_strdup(split);
	s->hf_subset = ce_strdup(t->hf_subset);
	s->languages = ce_calloc((size_t)t->n_languages, sizeof *s->languages);
	int ok = s->split && s->hf_subset && s->languages;
	if (s->languages)
		s->n_languages = t->n_languages;
	for (int32_t i = 0; ok && i < t->n_languages; i++)
		ok = (s->languages[i] = ce_strdup(t->languages[i])) != NULL;
	if (!ok) {
		score_deinit(s);
		r->n_scores--;
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	s->main_score = main;
	s->metrics = *metrics;
	metric_set_init(metrics);
	return CE_OK;
}

void results_now_iso8601(char buf[21])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* -------------------------------------------------------------------- paths */

char *results_path(const char *dir, const char *model, const char *task, struct ce_err *err)
{
	if (!model[0] || !strcmp(model, ".") || !strcmp(model, "..") || strstr(model, "/../") ||
	    !strncmp(model, "../", 3) || model[0] == '/') {
		ce_err_set(err, CE_E_INVALID_ARG, "'%s': not a usable model name for a results folder", model);
		return NULL;
	}
	if (!task[0] || task[0] == '.' || strchr(task, '/')) {
		ce_err_set(err, CE_E_INVALID_ARG, "'%s': not a usable task name for a results file", task);
		return NULL;
	}
	/* "org/model" -> "org__model", as mteb names its results folders */
	size_t ml = strlen(model), slashes = 0;
	for (size_t i = 0; i < ml; i++)
		slashes += model[i] == '/';
	size_t n = strlen(dir) + 1 + ml + slashes + 1 + strlen(task) + 6;
	char *p = ce_malloc(n);
	if (!p) {
		ce_err_set(err, CE_E_NOMEM, "out of memory");
		return NULL;
	}
	size_t o = (size_t)snprintf(p, n, "%s/", dir);
	for (size_t i = 0; i < ml; i++) {
		if (model[i] == '/') {
			p[o++] = '_';
			p[o++] = '_';
		} else {
			p[o++] = model[i];
		}
	}
	snprintf(p + o, n - o, "/%s.json", task);
	return p;
}

int results_exists(const char *dir, const char *model, const char *task)
{
	char *p = results_path(dir, model, task, NULL);
	int ok = p && fs_is_file(p);
	ce_free(p);
	return ok;
}

/* ------------------------------------------------------------------- writer */

/* JSON has no NaN/Infinity: write null (read back as NaN). */
static json_t *num_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* json_object_set_new that records allocation failure in *ok. */
static void put(json_t *o, const char *k, json_t *v, int *ok)
{
	if (!v || !o || json_object_set_new(o, k, v) != 0)
		*ok = 0;
}

enum ce_status results_to_json(const struct task_result *r, char **json, size_t *len, struct ce_err *err)
{
	*json = NULL;
	*len = 0;
	if (!r->task_name || !r->model_name || !r->main_score_name || r->n_scores == 0)
		return ce_err_set(err, CE_E_INVALID_ARG, "results: task name, model name, main score and scores are required");
	int ok = 1;
	json_t *root = json_object();
	put(root, "dataset_revision", str_or_null(r->dataset_revision), &ok);
	put(root, "task_name", json_string(r->task_name), &ok);
	put(root, "mteb_version", json_null(), &ok);
	put(root, "evaluation_time", num_or_null(r->evaluation_time), &ok);
	put(root, "kg_co2_emissions", json_null(), &ok);
	put(root, "date", str_or_null(r->date), &ok);
	json_t *scores = json_object();
	put(root, "scores", scores ? json_incref(scores) : NULL, &ok);
	for (int32_t i = 0; ok && i < r->n_scores; i++) {
		const struct result_score *s = &r->scores[i];
		json_t *list = json_object_get(scores, s->split);
		if (!list) {
			list = json_array();
			put(scores, s->split, list, &ok);
			if (!ok)
				break;
		}
		json_t *e = json_object();
		put(e, "hf_subset", json_string(s->hf_subset), &ok);
		json_t *langs = json_array();
		for (int32_t k = 0; langs && k < s->n_languages; k++)
			if (json_array_append_new(langs, json_string(s->languages[k])) != 0)
				ok = 0;
		put(e, "languages", langs, &ok);
		put(e, "main_score", num_or_null(s->main_score), &ok);
		for (int32_t k = 0; k < s->metrics.n; k++)
			put(e, s->metrics.names[k], num_or_null(s->metrics.values[k]), &ok);
		if (!e || json_array_append_new(list, e) != 0)
			ok = 0;
	}
	json_decref(scores);
	json_t *ce = json_object();
	put(ce, "version", str_or_null(r->ceval_version), &ok);
	put(ce, "compat", str_or_null(r->compat), &ok);
	put(ce, "main_score", json_string(r->main_score_name), &ok);
	put(ce, "dataset_hash", str_or_null(r->dataset_hash), &ok);
	if (r->dataset_source)
		put(ce, "dataset_source", json_string(r->dataset_source), &ok);
	if (r->has_subset) {
		json_t *sub = json_object();
		put(sub, "rule", str_or_null(r->subset_rule), &ok);
		put(sub, "n", json_integer(r->subset_n), &ok);
		put(sub, "corpus", r->subset_corpus > 0 ? json_integer(r->subset_corpus) : json_null(), &ok);
		put(sub, "seed", json_integer(r->subset_seed), &ok);
		put(sub, "selection_hash", str_or_null(r->subset_hash), &ok);
		put(ce, "subset", sub, &ok);
	} else {
		put(ce, "subset", json_null(), &ok);
	}
	json_t *model = json_object();
	put(model, "name", json_string(r->model_name), &ok);
	put(model, "dim", json_integer(r->model_dim), &ok);
	put(model, "fingerprint", str_or_null(r->model_fingerprint), &ok);
	put(model, "max_seq_length", json_integer(r->model_max_seq_length), &ok);
	put(model, "query_instruction", str_or_null(r->query_instruction), &ok);
	if (r->model_endpoint)
		put(model, "endpoint", json_string(r->model_endpoint), &ok);
	put(ce, "model", model, &ok);
	if (r->has_identity) {
		json_t *id = json_object();
		put(id, "scoring_rev", json_integer(r->scoring_rev), &ok);
		put(id, "backend", str_or_null(r->backend), &ok);
		put(id, "precision", str_or_null(r->precision), &ok);
		put(id, "kernels", str_or_null(r->kernels), &ok);
		put(id, "task_hash", str_or_null(r->task_hash), &ok);
		put(id, "data_hash", str_or_null(r->data_hash), &ok);
		put(ce, "identity", id, &ok);
	}
	put(root, "ceval", ce, &ok);
	char *text = ok ? json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) : NULL;
	json_decref(root);
	if (!text)
		return ce_err_set(err, CE_E_NOMEM, "results %s: out of memory (or a string that is not UTF-8)",
				  r->task_name);
	size_t n = strlen(text);
	char *out = ce_malloc(n + 2);
	if (!out) {
		free(text); /* jansson's allocator */
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	memcpy(out, text, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	free(text);
	*json = out;
	*len = n + 1;
	return CE_OK;
}

char *results_model_folder(const char *model, const char *compat)
{
	if (!model)
		return NULL;
	if (!compat || strcmp(compat, "R1") == 0)
		return ce_strdup(model);
	size_t n = strlen(model) + strlen(compat) + 2;
	char *f = ce_malloc(n);
	if (f)
		snprintf(f, n, "%s@%s", model, compat);
	return f;
}

enum ce_status results_write(const char *dir, const struct task_result *r, char **path_out, struct ce_err *err)
{
	if (path_out)
		*path_out = NULL;
	if (!r->model_name || !r->task_name)
		return ce_err_set(err, CE_E_INVALID_ARG, "results: model and task name are required");
	char *model = results_model_folder(r->model_name, r->compat);
	if (!model)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	char *path = results_path(dir, model, r->task_name, err);
	ce_free(model);
	if (!path)
		return err ? err->code : CE_E_INVALID_ARG;
	char *json = NULL;
	size_t len = 0;
	enum ce_status s = results_to_json(r, &json, &len, err);
	if (s == CE_OK) {
		char *folder = ce_strndup(path, (size_t)(strrchr(path, '/') - path));
		s = folder ? fs_mkdir_p(folder, err) : ce_err_set(err, CE_E_NOMEM, "out of memory");
		ce_free(folder);
	}
	if (s == CE_OK)
		s = fs_write_atomic(path, json, len, err);
	ce_free(json);
	if (s == CE_OK && path_out)
		*path_out = path;
	else
		ce_free(path);
	return s;
}

/* ------------------------------------------------------------------- reader */

struct rctx {
	const char *name;
	struct ce_err *err;
};

static enum ce_status rerr(struct rctx *c, const char *where, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static enum ce_status rerr(struct rctx *c, const char *where, const char *fmt, ...)
{
	char msg[CE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ce_err_set(c->err, CE_E_FORMAT, "%s: %s: %s", c->name, where, msg);
}

/* JSON kinds are worded once, by the record interface (record.h, jsonl.h). */
static const char *kind(const json_t *v)
{
	return v ? record_kind_name(jsonl_kind(v)) : "nothing (missing)";
}

#define NOMEM_R(c) ce_err_set((c)->err, CE_E_NOMEM, "%s: out of memory", (c)->name)

/* String (or null when nullable) into *out. */
static enum ce_status rd_str(struct rctx *c, json_t *v, const char *where, int nullable, char **out)
{
	if (nullable && (!v || json_is_null(v)))
		return CE_OK;
	if (!json_is_string(v))
		return rerr(c, where, "expected a string%s, found %s", nullable ? " or null" : "", kind(v));
	if (!(*out = ce_strdup(json_string_value(v))))
		return NOMEM_R(c);
	return CE_OK;
}

static enum ce_status rd_num(struct rctx *c, json_t *v, const char *where, double *out)
{
	if (json_is_null(v)) {
		*out = NAN;
		return CE_OK;
	}
	if (!json_is_number(v))
		return rerr(c, where, "expected a number, found %s", kind(v));
	*out = json_number_value(v);
	return CE_OK;
}

static enum ce_status rd_int32(struct rctx *c, json_t *v, const char *where, int32_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
		return rerr(c, where, "expected a non-negative integer, found %s", kind(v));
	*out = (int32_t)json_integer_value(v);
	return CE_OK;
}

static enum ce_status rd_entry(struct rctx *c, json_t *e, const char *split, size_t idx, struct result_score *s)
{
	char where[256];
	snprintf(where, sizeof where, "scores.%.100s[%zu]", split, idx);
	if (!json_is_object(e))
		return rerr(c, where, "expected an object, found %s", kind(e));
	if (!(s->split = ce_strdup(split)))
		return NOMEM_R(c);
	char w2[400];
	snprintf(w2, sizeof w2, "%s.hf_subset", where);
	CE_TRY(rd_str(c, json_object_get(e, "hf_subset"), w2, 0, &s->hf_subset));
	snprintf(w2, sizeof w2, "%s.languages", where);
	json_t *langs = json_object_get(e, "languages");
	if (!json_is_array(langs))
		return rerr(c, w2, "expected an array of strings, found %s", kind(langs));
	size_t nl = json_array_size(langs);
	if (nl > 1000)
		return rerr(c, w2, "more than 1000 languages");
	s->languages = ce_calloc(nl ? nl : 1, sizeof *s->languages);
	if (!s->languages)
		return NOMEM_R(c);
	for (size_t i = 0; i < nl; i++) {
		CE_TRY(rd_str(c, json_array_get(langs, i), w2, 0, &s->languages[i]));
		s->n_languages++;
	}
	snprintf(w2, sizeof w2, "%s.main_score", where);
	json_t *ms = json_object_get(e, "main_score");
	if (!ms)
		return rerr(c, w2, "missing");
	CE_TRY(rd_num(c, ms, w2, &s->main_score));
	const char *k;
	json_t *v;
	json_object_foreach(e, k, v) {
		if (reserved_key(k)) {
			if (!strcmp(k, "mteb_version") && !json_is_string(v) && !json_is_null(v))
				return rerr(c, where, "mteb_version: expected a string, found %s", kind(v));
			continue;
		}
		/* mteb writes per-experiment lists and nested dicts next to the metrics: skip them */
		if (json_is_array(v) || json_is_object(v))
			continue;
		snprintf(w2, sizeof w2, "%s.%.100s", where, k);
		double x;
		CE_TRY(rd_num(c, v, w2, &x));
		enum ce_status st = metric_set_add(&s->metrics, k, x);
		if (st == CE_E_NOMEM)
			return NOMEM_R(c);
		if (st != CE_OK)
			return rerr(c, w2, "not a usable metric name (empty or %d bytes or more)", METRIC_NAME_MAX);
	}
	return CE_OK;
}

/* ceval.subset: null/absent (whole dataset) or the record of subset.h. */
static enum ce_status rd_subset(struct rctx *c, json_t *sub, struct task_result *r)
{
	static const char *const keys[] = {"rule", "n", "corpus", "seed", "selection_hash"};
	if (!sub || json_is_null(sub))
		return CE_OK;
	if (!json_is_object(sub))
		return rerr(c, "ceval.subset", "expected an object or null, found %s", kind(sub));
	const char *k;
	json_t *v;
	json_object_foreach(sub, k, v) {
		int known = 0;
		for (size_t i = 0; i < 5; i++)
			known |= !strcmp(k, keys[i]);
		if (!known)
			return rerr(c, "ceval.subset", "unknown key '%.100s'", k);
	}
	r->has_subset = 1;
	CE_TRY(rd_str(c, json_object_get(sub, "rule"), "ceval.subset.rule", 0, &r->subset_rule));
	CE_TRY(rd_str(c, json_object_get(sub, "selection_hash"), "ceval.subset.selection_hash", 0, &r->subset_hash));
	json_t *n = json_object_get(sub, "n"), *m = json_object_get(sub, "corpus"), *s = json_object_get(sub, "seed");
	if (!json_is_integer(n) || json_integer_value(n) < 1)
		return rerr(c, "ceval.subset.n", "expected a positive integer, found %s", kind(n));
	if (!json_is_null(m) && (!json_is_integer(m) || json_integer_value(m) < 1))
		return rerr(c, "ceval.subset.corpus", "expected a positive integer or null, found %s", kind(m));
	if (!json_is_integer(s) || json_integer_value(s) < 0)
		return rerr(c, "ceval.subset.seed", "expected a non-negative integer, found %s", kind(s));
	r->subset_n = json_integer_value(n);
	r->subset_corpus = json_is_integer(m) ? json_integer_value(m) : 0;
	r->subset_seed = json_integer_value(s);
	return CE_OK;
}

/* ceval.identity: absent in files written before identity recording. */
static enum ce_status rd_identity(struct rctx *c, json_t *id, struct task_result *r)
{
	static const char *const keys[] = {"scoring_rev", "backend", "precision", "kernels", "task_hash", "data_hash"};
	if (!id)
		return CE_OK;
	if (!json_is_object(id))
		return rerr(c, "ceval.identity", "expected an object, found %s", kind(id));
	const char *k;
	json_t *v;
	json_object_foreach(id, k, v) {
		int known = 0;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			known |= !strcmp(k, keys[i]);
		if (!known)
			return rerr(c, "ceval.identity", "unknown key '%.100s'", k);
	}
	r->has_identity = 1;
	CE_TRY(rd_int32(c, json_object_get(id, "scoring_rev"), "ceval.identity.scoring_rev", &r->scoring_rev));
	CE_TRY(rd_str(c, json_object_get(id, "backend"), "ceval.identity.backend", 0, &r->backend));
	CE_TRY(rd_str(c, json_object_get(id, "precision"), "ceval.identity.precision", 0, &r->precision));
	CE_TRY(rd_str(c, json_object_get(id, "kernels"), "ceval.identity.kernels", 1, &r->kernels));
	CE_TRY(rd_str(c, json_object_get(id, "task_hash"), "ceval.identity.task_hash", 1, &r->task_hash));
	return rd_str(c, json_object_get(id, "data_hash"), "ceval.identity.data_hash", 1, &r->data_hash);
}

static enum ce_status rd_ceval(struct rctx *c, json_t *ce, struct task_result *r)
{
	static const char *const keys[] = {"version", "compat", "main_score", "dataset_hash", "model", "subset",
					   "identity", "dataset_source"};
	static const char *const mkeys[] = {"name", "dim", "fingerprint", "max_seq_length", "query_instruction",
					    "endpoint"};
	if (!json_is_object(ce))
		return rerr(c, "ceval", "expected an object, found %s", kind(ce));
	const char *k;
	json_t *v;
	json_object_foreach(ce, k, v) {
		int known = 0;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			known |= !strcmp(k, keys[i]);
		if (!known)
			return rerr(c, "ceval", "unknown key '%.100s'", k);
	}
	r->has_ceval = 1;
	CE_TRY(rd_identity(c, json_object_get(ce, "identity"), r));
	CE_TRY(rd_str(c, json_object_get(ce, "version"), "ceval.version", 1, &r->ceval_version));
	CE_TRY(rd_str(c, json_object_get(ce, "compat"), "ceval.compat", 1, &r->compat));
	CE_TRY(rd_str(c, json_object_get(ce, "main_score"), "ceval.main_score", 0, &r->main_score_name));
	CE_TRY(rd_str(c, json_object_get(ce, "dataset_hash"), "ceval.dataset_hash", 1, &r->dataset_hash));
	if (json_object_get(ce, "dataset_source"))
		CE_TRY(rd_str(c, json_object_get(ce, "dataset_source"), "ceval.dataset_source", 0, &r->dataset_source));
	CE_TRY(rd_subset(c, json_object_get(ce, "subset"), r));
	json_t *m = json_object_get(ce, "model");
	if (!json_is_object(m))
		return rerr(c, "ceval.model", "expected an object, found %s", kind(m));
	json_object_foreach(m, k, v) {
		int known = 0;
		for (size_t i = 0; i < sizeof mkeys / sizeof mkeys[0]; i++)
			known |= !strcmp(k, mkeys[i]);
		if (!known)
			return rerr(c, "ceval.model", "unknown key '%.100s'", k);
	}
	CE_TRY(rd_str(c, json_object_get(m, "name"), "ceval.model.name", 0, &r->model_name));
	CE_TRY(rd_int32(c, json_object_get(m, "dim"), "ceval.model.dim", &r->model_dim));
	CE_TRY(rd_str(c, json_object_get(m, "fingerprint"), "ceval.model.fingerprint", 1, &r->model_fingerprint));
	CE_TRY(rd_int32(c, json_object_get(m, "max_seq_length"), "ceval.model.max_seq_length",
			&r->model_max_seq_length));
	if (json_object_get(m, "endpoint"))
		CE_TRY(rd_str(c, json_object_get(m, "endpoint"), "ceval.model.endpoint", 0, &r->model_endpoint));
	return rd_str(c, json_object_get(m, "query_instruction"), "ceval.model.query_instruction", 1,
		      &r->query_instruction);
}

static enum ce_status rd_root(struct rctx *c, json_t *root, struct task_result *r)
{
	static const char *const keys[] = {"dataset_revision", "task_name", "mteb_version", "evaluation_time",
					   "kg_co2_emissions", "date", "evaluation_phases", "scores", "ceval"};
	if (!json_is_object(root))
		return rerr(c, "top level", "expected an object, found %s", kind(root));
	const char *k;
	json_t *v;
	json_object_foreach(root, k, v) {
		int known = 0;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			known |= !strcmp(k, keys[i]);
		if (!known)
			return rerr(c, "top level", "unknown key '%.100s'", k);
	}
	CE_TRY(rd_str(c, json_object_get(root, "task_name"), "task_name", 0, &r->task_name));
	CE_TRY(rd_str(c, json_object_get(root, "dataset_revision"), "dataset_revision", 1, &r->dataset_revision));
	v = json_object_get(root, "mteb_version");
	if (v && !json_is_string(v) && !json_is_null(v))
		return rerr(c, "mteb_version", "expected a string or null, found %s", kind(v));
	v = json_object_get(root, "evaluation_time");
	if (!v)
		return rerr(c, "evaluation_time", "missing");
	CE_TRY(rd_num(c, v, "evaluation_time", &r->evaluation_time));
	v = json_object_get(root, "kg_co2_emissions");
	if (v && !json_is_number(v) && !json_is_null(v))
		return rerr(c, "kg_co2_emissions", "expected a number or null, found %s", kind(v));
	v = json_object_get(root, "date");
	if (v && !json_is_number(v)) /* mteb may store a timestamp number: not kept */
		CE_TRY(rd_str(c, v, "date", 1, &r->date));

	json_t *scores = json_object_get(root, "scores");
	if (!json_is_object(scores))
		return rerr(c, "scores", "expected an object of split -> list, found %s", kind(scores));
	json_object_foreach(scores, k, v) {
		char where[160];
		snprintf(where, sizeof where, "scores.%.100s", k);
		if (!json_is_array(v) || json_array_size(v) == 0)
			return rerr(c, where, "expected a non-empty array, found %s", kind(v));
		for (size_t i = 0; i < json_array_size(v); i++) {
			struct result_score *s = push_score(r);
			if (!s)
				return NOMEM_R(c);
			CE_TRY(rd_entry(c, json_array_get(v, i), k, i, s));
		}
	}
	if (r->n_scores == 0)
		return rerr(c, "scores", "no splits");
	json_t *ce = json_object_get(root, "ceval");
	if (ce) {
		CE_TRY(rd_ceval(c, ce, r));
		/* main_score must be a copy of the metric it names */
		for (int32_t i = 0; i < r->n_scores; i++) {
			double x;
			const struct result_score *s = &r->scores[i];
			if (!metric_set_get(&s->metrics, r->main_score_name, &x))
				return rerr(c, "ceval.main_score", "metric '%.100s' is missing from scores.%.100s",
					    r->main_score_name, s->split);
			if (!(x == s->main_score || (isnan(x) && isnan(s->main_score))))
				return rerr(c, "ceval.main_score", "scores.%.100s main_score %.17g differs from %.100s %.17g",
					    s->split, s->main_score, r->main_score_name, x);
		}
	}
	return CE_OK;
}

enum ce_status results_read_buffer(const char *name, const char *data, size_t len, struct task_result *out,
				   struct ce_err *err)
{
	task_result_init(out);
	if (len > RESULTS_FILE_MAX)
		return ce_err_set(err, CE_E_LIMIT, "%s: %zu bytes, over the %zu-byte limit", name, len, RESULTS_FILE_MAX);
	json_error_t je;
	/* JSON_DISABLE_EOF_CHECK off: trailing garbage is an error; NUL in strings rejected by default */
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return ce_err_set(err, ce_json_status(&je), "%s:%d:%d: bad JSON: %s", name, je.line > 0 ? je.line : 1,
				  je.column > 0 ? je.column : 1, ce_json_text(&je));
	struct rctx c = {.name = name, .err = err};
	enum ce_status s = rd_root(&c, root, out);
	json_decref(root);
	return s;
}

enum ce_status results_read_file(const char *path, struct task_result *out, struct ce_err *err)
{
	task_result_init(out);
	char *data;
	size_t len;
	CE_TRY(fs_read_file(path, RESULTS_FILE_MAX, &data, &len, err));
	enum ce_status s = results_read_buffer(path, data, len, out, err);
	ce_free(data);
	return s;
}
