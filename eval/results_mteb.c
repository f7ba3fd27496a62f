/*
 * results_mteb.c - MTEB results files of every shape into a struct
 * task_result (rules in results_mteb.h).
 */
#include "results_mteb.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "fs_util.h"

#define MTEB_FILE_MAX ((size_t)64 << 20)

const char *results_shape_name(enum results_shape s)
{
	switch (s) {
	case RESULTS_SHAPE_CEVAL:
		return "ceval";
	case RESULTS_SHAPE_MTEB_R1:
		return "mteb 1.0-1.1";
	case RESULTS_SHAPE_MTEB:
		return "mteb >= 1.12";
	}
	return "?";
}

/* Task names of the 2023 C-MTEB files that mteb renamed since. */
static const char *const alias_old[] = {"CMedQAv1", "CMedQAv2"};
static const char *const alias_new[] = {"CMedQAv1-reranking", "CMedQAv2-reranking"};

const char *results_mteb_task_alias(const char *name)
{
	for (size_t i = 0; i < sizeof alias_old / sizeof alias_old[0]; i++)
		if (strcmp(name, alias_old[i]) == 0)
			return alias_new[i];
	return name;
}

/*
 * MTEB English tasks whose mteb name is also a C-MTEB task (zh subset): ceval names the English
 * ones "<Task>.en" (tasks/mteb-en/) so their results files never overwrite the Chinese ones; the
 * published/mteb files of the English task are "<Task>.json".
 */
static const char *const en_task[] = {"STS22.en", "AmazonReviewsClassification.en",
				      "MassiveIntentClassification.en", "MassiveScenarioClassification.en"};
static const char *const en_file[] = {"STS22", "AmazonReviewsClassification", "MassiveIntentClassification",
				      "MassiveScenarioClassification"};

const char *results_mteb_old_name(const char *task)
{
	for (size_t i = 0; i < sizeof en_task / sizeof en_task[0]; i++)
		if (strcmp(task, en_task[i]) == 0)
			return en_file[i];
	for (size_t i = 0; i < sizeof alias_new / sizeof alias_new[0]; i++)
		if (strcmp(task, alias_new[i]) == 0)
			return alias_old[i];
	return NULL;
}

int results_mteb_is_chinese_subset(const char *s)
{
	return s && (strcmp(s, "zh") == 0 || strcmp(s, "zh-CN") == 0 || strcmp(s, "cmn-Hans") == 0 ||
		     strcmp(s, "cmo-Hans") == 0);
}

/* ------------------------------------------------------------ bare NaN */

static int ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

/*
 * Copy of data with the bare tokens NaN, Infinity and -Infinity outside
 * strings replaced by null (Python's json.dump writes them, jansson rejects
 * them).  [out] *out (ce_free), *out_len.  NULL data only on allocation failure.
 */
static char *replace_bare_nan(const char *data, size_t len, size_t *out_len)
{
	static const char *const tok[] = {"-Infinity", "Infinity", "NaN"};
	/* worst case: every 3 bytes are "NaN" and become 4 */
	char *o = ce_malloc(len + len / 3 + 2);
	if (!o)
		return NULL;
	size_t j = 0;
	int in_str = 0;
	for (size_t i = 0; i < len;) {
		char ch = data[i];
		if (in_str) {
			o[j++] = ch;
			if (ch == '\\' && i + 1 < len) {
				o[j++] = data[i + 1];
				i += 2;
				continue;
			}
			if (ch == '"')
				in_str = 0;
			i++;
			continue;
		}
		if (ch == '"') {
			in_str = 1;
			o[j++] = ch;
			i++;
			continue;
		}
		size_t hit = 0;
		if (i == 0 || !ident_char(data[i - 1]))
			for (size_t k = 0; k < sizeof tok / sizeof tok[0] && !hit; k++) {
				size_t n = strlen(tok[k]);
				if (i + n <= len && memcmp(data + i, tok[k], n) == 0 && (i + n == len || !ident_char(data[i + n])))
					hit = n;
			}
		if (hit) {
			memcpy(o + j, "null", 4);
			j += 4;
			i += hit;
			continue;
		}
		o[j++] = ch;
		i++;
	}
	o[j] = '\0';
	*out_len = j;
	return o;
}

/* ------------------------------------------------------------ entries */

struct mctx {
	const char *name;
	struct ce_err *err;
	struct task_result *r;
	int32_t cap;
};

static enum ce_status oom(struct mctx *c)
{
	return ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->name);
}

/* A new zeroed entry for split/subset at the end of r->scores. */
static enum ce_status new_entry(struct mctx *c, const char *split, const char *subset, struct result_score **out)
{
	struct task_result *r = c->r;
	if (r->n_scores == c->cap) {
		int32_t nc = c->cap ? c->cap * 2 : 4;
		struct result_score *g = ce_realloc_array(r->scores, (size_t)nc, sizeof *g);
		if (!g)
			return oom(c);
		r->scores = g;
		c->cap = nc;
	}
	struct result_score *e = &r->scores[r->n_scores];
	memset(e, 0, sizeof *e);
	r->n_scores++;
	e->main_score = NAN;
	if (!(e->split = ce_strdup(split)) || !(e->hf_subset = ce_strdup(subset)))
		return oom(c);
	*out = e;
	return CE_OK;
}

static enum ce_status add_metric(struct mctx *c, struct result_score *e, const char *where, const char *name,
				 const json_t *v)
{
	double x = json_is_null(v) ? NAN : json_number_value(v);
	if (strlen(name) >= METRIC_NAME_MAX)
		return CE_OK; /* no metric of interest has such a name */
	enum ce_status s = metric_set_add(&e->metrics, name, x);
	if (s == CE_E_NOMEM)
		return oom(c);
	if (s != CE_OK)
		return ce_err_set(c->err, CE_E_FORMAT, "%s: %s: metric '%s' appears twice (ambiguous)", c->name, where,
				  name);
	return CE_OK;
}

/* mteb 1.0-1.1 keys of nested metric dicts -> prefix of the flattened name. */
static const char *r1_dict_prefix(const char *key)
{
	static const char *const from[] = {"cos_sim", "cosine", "euclidean", "manhattan", "dot", "max", "similarity"};
	static const char *const to[] = {"cosine", "cosine", "euclidean", "manhattan", "dot", "max", "similarity"};
	for (size_t i = 0; i < sizeof from / sizeof from[0]; i++)
		if (strcmp(key, from[i]) == 0)
			return to[i];
	return NULL;
}

/* Metrics of one R1 metric dict (split level or language level) into e. */
static enum ce_status r1_metrics(struct mctx *c, const char *where, json_t *obj, struct result_score *e)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "evaluation_time") == 0)
			continue;
		if (strcmp(k, "main_score") == 0) {
			if (json_is_number(v))
				e->main_score = json_number_value(v);
			else if (!json_is_null(v))
				return ce_err_set(c->err, CE_E_FORMAT, "%s: %s.main_score is not a number", c->name, where);
			continue;
		}
		if (json_is_number(v) || json_is_null(v)) {
			CE_TRY(add_metric(c, e, where, k, v));
		} else if (json_is_object(v)) {
			const char *pre = r1_dict_prefix(k);
			if (!pre)
				return ce_err_set(c->err, CE_E_FORMAT, "%s: %s.%s: unexpected object (not a metric dict)",
						  c->name, where, k);
			const char *k2;
			json_t *v2;
			json_object_foreach(v, k2, v2) {
				if (!json_is_number(v2) && !json_is_null(v2))
					continue;
				char nm[METRIC_NAME_MAX];
				snprintf(nm, sizeof nm, "%s_%s", pre, k2);
				CE_TRY(add_metric(c, e, where, nm, v2));
			}
		}
		/* strings, lists (per-experiment scores) are not metrics */
	}
	return CE_OK;
}

/* An R1 split: either a metric dict, or language keys each holding one. */
static enum ce_status r1_split(struct mctx *c, const char *split, json_t *obj)
{
	int n_lang = 0, n_metric = 0;
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "evaluation_time") == 0)
			continue;
		if (json_is_object(v) && !r1_dict_prefix(k))
			n_lang++;
		else if (json_is_number(v) || json_is_object(v))
			n_metric++;
	}
	if (n_lang && n_metric)
		return ce_err_set(c->err, CE_E_FORMAT,
				  "%s: %s: both metrics and language keys at one level (ambiguous mteb 1.x split)", c->name,
				  split);
	struct result_score *e;
	if (!n_lang) {
		CE_TRY(new_entry(c, split, "default", &e));
		return r1_metrics(c, split, obj, e);
	}
	json_object_foreach(obj, k, v) {
		if (!json_is_object(v))
			continue;
		char where[256];
		snprintf(where, sizeof where, "%s.%s", split, k);
		CE_TRY(new_entry(c, split, k, &e));
		CE_TRY(r1_metrics(c, where, v, e));
	}
	return CE_OK;
}

/*
 * mteb 1.12-1.3x flat keys "cos_sim_<m>" (files converted from model cards, e.g. the English bge
 * results) name what ceval calls "cosine_<m>": add "cosine_<m>" where the file lacks it, so a
 * task whose main score is cosine_ap reads the cosine AP and not the file's main_score (max_ap).
 */
static enum ce_status m_cos_sim_aliases(struct mctx *c, const char *where, struct result_score *e)
{
	int32_t n = e->metrics.n; /* the aliases appended below are not revisited */
	for (int32_t i = 0; i < n; i++) {
		const char *nm = e->metrics.names[i];
		if (strncmp(nm, "cos_sim_", 8) != 0)
			continue;
		char alias[METRIC_NAME_MAX];
		snprintf(alias, sizeof alias, "cosine_%s", nm + 8); /* shorter than nm: never truncated */
		double x;
		if (metric_set_get(&e->metrics, alias, &x))
			continue;
		if (metric_set_add(&e->metrics, alias, e->metrics.values[i]) != CE_OK)
			return ce_err_set(c->err, CE_E_NOMEM, "%s: %s: out of memory", c->name, where);
	}
	return CE_OK;
}

/* One entry of scores[split] (mteb >= 1.12). */
static enum ce_status m_entry(struct mctx *c, const char *split, size_t idx, json_t *obj)
{
	char where[160];
	snprintf(where, sizeof where, "scores.%s[%zu]", split, idx);
	if (!json_is_object(obj))
		return ce_err_set(c->err, CE_E_FORMAT, "%s: %s: expected an object", c->name, where);
	json_t *sub = json_object_get(obj, "hf_subset");
	if (!json_is_string(sub))
		return ce_err_set(c->err, CE_E_FORMAT, "%s: %s: no hf_subset string", c->name, where);
	struct result_score *e;
	CE_TRY(new_entry(c, split, json_string_value(sub), &e));
	json_t *langs = json_object_get(obj, "languages");
	if (json_is_array(langs) && json_array_size(langs) > 0) {
		size_t n = json_array_size(langs);
		if (!(e->languages = ce_calloc(n, sizeof *e->languages)))
			return oom(c);
		for (size_t i = 0; i < n; i++) {
			json_t *l = json_array_get(langs, i);
			if (!json_is_string(l))
				continue;
			if (!(e->languages[e->n_languages] = ce_strdup(json_string_value(l))))
				return oom(c);
			e->n_languages++;
		}
	}
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		if (strcmp(k, "hf_subset") == 0 || strcmp(k, "languages") == 0 || strcmp(k, "mteb_version") == 0 ||
		    strcmp(k, "evaluation_time") == 0)
			continue;
		if (strcmp(k, "main_score") == 0) {
			if (json_is_number(v))
				e->main_score = json_number_value(v);
			else if (!json_is_null(v))
				return ce_err_set(c->err, CE_E_FORMAT, "%s: %s.main_score is not a number", c->name, where);
			continue;
		}
		if (json_is_number(v) || json_is_null(v))
			CE_TRY(add_metric(c, e, where, k, v));
	}
	return m_cos_sim_aliases(c, where, e);
}

static int is_split_name(const char *k)
{
	return strcmp(k, "dev") == 0 || strcmp(k, "test") == 0 || strcmp(k, "validation") == 0 ||
	       strcmp(k, "train") == 0;
}

static enum ce_status read_foreign(struct mctx *c, json_t *root, enum results_shape *shape)
{
	struct task_result *r = c->r;
	json_t *tn = json_object_get(root, "task_name"), *dn = json_object_get(root, "mteb_dataset_name");
	const char *name = json_is_string(tn) ? json_string_value(tn) : NULL;
	const char *dname = json_is_string(dn) ? json_string_value(dn) : NULL;
	if (name && dname && strcmp(name, dname) != 0)
		return ce_err_set(c->err, CE_E_FORMAT, "%s: task_name '%s' and mteb_dataset_name '%s' differ", c->name,
				  name, dname);
	if (!name)
		name = dname;
	if (!name || !*name)
		return ce_err_set(c->err, CE_E_FORMAT,
				  "%s: not a results file: no task_name (mteb >= 1.12) or mteb_dataset_name (mteb 1.x)",
				  c->name);
	if (!(r->task_name = ce_strdup(results_mteb_task_alias(name))))
		return oom(c);
	json_t *rev = json_object_get(root, "dataset_revision");
	if (json_is_string(rev) && strcmp(json_string_value(rev), "None") != 0 &&
	    !(r->dataset_revision = ce_strdup(json_string_value(rev))))
		return oom(c);
	json_t *et = json_object_get(root, "evaluation_time");
	r->evaluation_time = json_is_number(et) ? json_number_value(et) : 0;
	json_t *scores = json_object_get(root, "scores");
	const char *k;
	json_t *v;
	if (scores) {
		if (!json_is_object(scores))
			return ce_err_set(c->err, CE_E_FORMAT, "%s: scores is not an object", c->name);
		json_object_foreach(root, k, v) {
			if (json_is_object(v) && is_split_name(k))
				return ce_err_set(c->err, CE_E_FORMAT,
						  "%s: both 'scores' and a top-level split '%s' (two mteb shapes in one file)",
						  c->name, k);
		}
		json_object_foreach(scores, k, v) {
			if (!json_is_array(v))
				return ce_err_set(c->err, CE_E_FORMAT, "%s: scores.%s is not a list", c->name, k);
			for (size_t i = 0; i < json_array_size(v); i++)
				CE_TRY(m_entry(c, k, i, json_array_get(v, i)));
		}
		*shape = RESULTS_SHAPE_MTEB;
	} else {
		json_object_foreach(root, k, v) {
			if (json_is_object(v))
				CE_TRY(r1_split(c, k, v));
		}
		*shape = RESULTS_SHAPE_MTEB_R1;
	}
	if (r->n_scores == 0)
		return ce_err_set(c->err, CE_E_FORMAT, "%s: no scores (neither 'scores' nor top-level split objects)",
				  c->name);
	/* the level the file's mteb version implies (spec §0); the 1.0-1.1 shape is R1 whatever it says */
	json_t *mv = json_object_get(root, "mteb_version");
	const char *level = *shape == RESULTS_SHAPE_MTEB_R1 ? "R1"
			    : json_is_string(mv)              ? results_mteb_compat_of_version(json_string_value(mv))
							      : NULL;
	if (level && !(r->compat = ce_strdup(level)))
		return oom(c);
	return CE_OK;
}

const char *results_mteb_compat_of_version(const char *v)
{
	if (!v)
		return NULL;
	/* "1.1.1", "1.12.3", "2.1.0", "2.0.0.dev1": major.minor, the rest ignored */
	char *end;
	errno = 0;
	long major = strtol(v, &end, 10);
	if (end == v || errno || major < 0)
		return NULL;
	long minor = 0;
	if (*end == '.') {
		const char *m = end + 1;
		minor = strtol(m, &end, 10);
		if (end == m || errno || minor < 0)
			return NULL;
	}
	if (major >= 2)
		return "R3";
	if (major == 1)
		return minor < 12 ? "R1" : "R2";
	return "R1"; /* 0.x: before 1.12 */
}

enum ce_status results_mteb_read_buffer(const char *name, const char *data, size_t len, struct task_result *out,
					enum results_shape *shape, struct ce_err *err)
{
	task_result_init(out);
	enum results_shape sh_local;
	if (!shape)
		shape = &sh_local;
	*shape = RESULTS_SHAPE_MTEB;
	if (len > MTEB_FILE_MAX)
		return ce_err_set(err, CE_E_LIMIT, "%s: %zu bytes, over the %zu-byte limit", name, len, MTEB_FILE_MAX);
	size_t n2 = 0;
	char *clean = replace_bare_nan(data, len, &n2);
	if (!clean)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", name);
	json_error_t je;
	json_t *root = json_loadb(clean, n2, JSON_REJECT_DUPLICATES, &je);
	enum ce_status s = CE_OK;
	if (!root) {
		s = ce_err_set(err, CE_E_FORMAT, "%s:%d:%d: bad JSON: %s", name, je.line > 0 ? je.line : 1,
			       je.column > 0 ? je.column : 1, je.text);
	} else if (!json_is_object(root)) {
		s = ce_err_set(err, CE_E_FORMAT, "%s: not a results file: the top level is not an object", name);
	} else if (json_object_get(root, "ceval")) {
		*shape = RESULTS_SHAPE_CEVAL;
		s = results_read_buffer(name, clean, n2, out, err);
	} else {
		struct mctx c = {.name = name, .err = err, .r = out};
		s = read_foreign(&c, root, shape);
	}
	json_decref(root);
	ce_free(clean);
	return s;
}

enum ce_status results_mteb_read_file(const char *path, struct task_result *out, enum results_shape *shape,
				      struct ce_err *err)
{
	task_result_init(out);
	char *data;
	size_t len;
	CE_TRY(fs_read_file(path, MTEB_FILE_MAX, &data, &len, err));
	enum ce_status s = results_mteb_read_buffer(path, data, len, out, shape, err);
	ce_free(data);
	return s;
}

enum ce_status results_mteb_read_model_meta(const char *dir, char **name, int32_t *dim, struct ce_err *err)
{
	*name = NULL;
	*dim = 0;
	char *path = fs_join(dir, "model_meta.json");
	if (!path)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	if (!fs_is_file(path)) {
		ce_free(path);
		return CE_OK;
	}
	char *data = NULL;
	size_t len = 0;
	enum ce_status s = fs_read_file(path, (size_t)1 << 20, &data, &len, err);
	json_t *root = NULL;
	if (s == CE_OK) {
		json_error_t je;
		root = json_loadb(data, len, 0, &je);
		if (!root || !json_is_object(root))
			s = ce_err_set(err, CE_E_FORMAT, "%s:%d:%d: not a JSON object%s%s", path, je.line > 0 ? je.line : 1,
				       je.column > 0 ? je.column : 1, root ? "" : ": ", root ? "" : je.text);
	}
	if (s == CE_OK) {
		json_t *n = json_object_get(root, "name"), *d = json_object_get(root, "embed_dim");
		if ((n && !json_is_string(n) && !json_is_null(n)) || (d && !json_is_integer(d) && !json_is_null(d)))
			s = ce_err_set(err, CE_E_FORMAT, "%s: name must be a string and embed_dim an integer", path);
		else {
			if (json_is_integer(d) && json_integer_value(d) > 0 && json_integer_value(d) < INT32_MAX)
				*dim = (int32_t)json_integer_value(d);
			if (json_is_string(n) && !(*name = ce_strdup(json_string_value(n))))
				s = ce_err_set(err, CE_E_NOMEM, "out of memory");
		}
	}
	json_decref(root);
	ce_free(data);
	ce_free(path);
	return s;
}
