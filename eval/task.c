/*
 * task.c - task and suite YAML files, read with libyaml's document API.
 *
 * The document API gives a node tree with a start mark per node, which is all
 * the validation needs (strict schema, messages with line:col).  libyaml does
 * not reject duplicate mapping keys, so this file does.  Aliases are resolved
 * by libyaml as shared nodes; the schema is shallow and every node is visited
 * at most once per key, so alias fan-out cannot blow up.
 *
 * Sections: enum helpers, error and scalar helpers, task schema, suite files.
 */
#include "task.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "ce_alloc.h"
#include "fs_util.h"
#include "task_types.h"

#define TASK_FILE_MAX ((size_t)1 << 20)
#define TASK_NAME_MAX 200

/* ------------------------------------------------------------------ enums */

/* Names and defaults come from the task-type table (eval/types/task_types.c). */

const char *task_type_name(enum task_type t)
{
	const struct task_type_desc *d = task_type_desc(t);
	return d ? d->name : "?";
}

enum ce_status task_type_from_name(const char *s, enum task_type *out)
{
	for (int i = 0; i < TASK_TYPE_COUNT; i++) {
		if (strcmp(s, task_types[i]->name) == 0) {
			*out = (enum task_type)i;
			return CE_OK;
		}
	}
	return CE_E_NOT_FOUND;
}

const char *task_type_default_main_score(enum task_type t)
{
	const struct task_type_desc *d = task_type_desc(t);
	return d ? d->default_main_score : "?";
}

const char *task_type_default_main_score_r3(enum task_type t)
{
	const struct task_type_desc *d = task_type_desc(t);
	return d ? d->default_main_score_r3 : "?";
}

const char *ce_compat_name(enum ce_compat c)
{
	return c == CE_COMPAT_R1 ? "R1" : c == CE_COMPAT_R3 ? "R3" : "?";
}

const char *task_main_score(const struct task *t, enum ce_compat c)
{
	return c == CE_COMPAT_R3 && t->main_score_r3 ? t->main_score_r3 : t->main_score;
}

void task_type_list(char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < TASK_TYPE_COUNT && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", task_types[i]->name);
}

/* Names of the types whose descriptor has flag set ("a", "a and b", "a, b and c"), for messages. */
enum type_flag { FLAG_QUERY_INSTRUCTION, FLAG_TRAIN_SPLIT, FLAG_SUBSET_CORPUS };
static int has_flag(const struct task_type_desc *d, enum type_flag f)
{
	return f == FLAG_QUERY_INSTRUCTION ? d->query_instruction : f == FLAG_TRAIN_SPLIT ? d->train_split
											 : d->subset_corpus;
}
static const char *types_with(enum type_flag f, char *buf, size_t cap)
{
	int n = 0, k = 0;
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		n += has_flag(task_types[i], f);
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < TASK_TYPE_COUNT && o < cap; i++) {
		if (!has_flag(task_types[i], f))
			continue;
		const char *sep = k == 0 ? "" : k == n - 1 ? " and " : ", ";
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", sep, task_types[i]->name);
		k++;
	}
	return buf;
}

/* Does the type accept parameter key? */
static int type_has_param(const struct task_type_desc *d, const char *key)
{
	for (const char *const *p = d->params; *p; p++)
		if (strcmp(*p, key) == 0)
			return 1;
	return 0;
}

/* The type a parameter applies to (for the message), "?" if none. */
static const char *param_owner(const char *key)
{
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		if (type_has_param(task_types[i], key))
			return task_types[i]->name;
	return "?";
}

/* R1 k list (BEIR / mteb 1.1.1, spec §0). */
static const int32_t default_k[] = {1, 3, 5, 10, 100, 1000};


const char *const *task_type_metric_names(enum task_type t)
{
	static const char *const none[] = {NULL};
	const struct task_type_desc *d = task_type_desc(t);
	return d ? d->metrics : none;
}

enum ce_status task_check_k_values(const struct task *t, int64_t n_corpus, struct ce_err *err)
{
	if (t->type != TASK_TYPE_RETRIEVAL || t->n_k_values < 1 || n_corpus < 1)
		return CE_OK;
	int32_t nd = (int32_t)(sizeof default_k / sizeof default_k[0]);
	if (t->n_k_values == nd && memcmp(t->k_values, default_k, sizeof default_k) == 0)
		return CE_OK; /* R1's cut-offs, as MTEB applies them to every corpus */
	int32_t kmax = t->k_values[t->n_k_values - 1];
	if (kmax <= n_corpus)
		return CE_OK;
	return ce_err_set(err, CE_E_FORMAT,
			  "%s: parameters.k_values: %d is beyond the corpus of %lld documents (k_values above %lld "
			  "rank nothing more)",
			  t->source_path ? t->source_path : t->name, (int)kmax, (long long)n_corpus, (long long)n_corpus);
}

bool task_reports_metric(const struct task *t, const char *metric)
{
	const char *const *names = task_type_metric_names(t->type);
	for (int i = 0; names[i]; i++) {
		if (t->type != TASK_TYPE_RETRIEVAL) {
			if (strcmp(metric, names[i]) == 0)
				return true;
			continue;
		}
		size_t n = strlen(names[i]);
		if (strncmp(metric, names[i], n) != 0 || metric[n] != '_')
			continue;
		for (int32_t k = 0; k < t->n_k_values; k++) {
			char num[16];
			snprintf(num, sizeof num, "%d", (int)t->k_values[k]);
			if (strcmp(metric + n + 1, num) == 0)
				return true;
		}
	}
	return false;
}

/* ------------------------------------------------- errors and scalar helpers */

struct yctx {
	const char *path;
	yaml_document_t *doc;
	struct ce_err *err;
	int is_part; /* loading a part of an aggregate: a nested aggregate is refused (no cycles) */
	int is_buffer; /* task_load_buffer: no folder to find an aggregate's parts in */
};

static enum ce_status yerr_at(struct yctx *c, yaml_mark_t m, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static enum ce_status yerr_at(struct yctx *c, yaml_mark_t m, const char *fmt, ...)
{
	char msg[CE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ce_err_set(c->err, CE_E_FORMAT, "%s:%zu:%zu: %s", c->path, m.line + 1, m.column + 1, msg);
}

/* Short printable description of a node, for "found ..." (scalars truncated, control bytes escaped). */
static void describe(const yaml_node_t *n, char *buf, size_t cap)
{
	if (!n) {
		snprintf(buf, cap, "nothing");
		return;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		if (n->data.scalar.length == 0) {
			snprintf(buf, cap, "an empty value");
			return;
		}
		char v[48];
		size_t o = 0;
		for (size_t i = 0; i < n->data.scalar.length && o + 5 < sizeof v; i++) {
			unsigned char ch = n->data.scalar.value[i];
			if (ch < 0x20 || ch == 0x7f)
				o += (size_t)snprintf(v + o, sizeof v - o, "\\x%02x", ch);
			else
				v[o++] = (char)ch;
		}
		v[o] = '\0';
		const char *more = (o + 5 >= sizeof v) ? "..." : "";
		int quoted = n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		snprintf(buf, cap, "%s '%s%s'", quoted ? "the string" : "the scalar", v, more);
		return;
	}
	case YAML_SEQUENCE_NODE:
		snprintf(buf, cap, "a sequence");
		return;
	case YAML_MAPPING_NODE:
		snprintf(buf, cap, "a mapping");
		return;
	default:
		snprintf(buf, cap, "an empty node");
		return;
	}
}

static enum ce_status expected(struct yctx *c, const yaml_node_t *n, const char *key, const char *what)
{
	char found[96];
	describe(n, found, sizeof found);
	return yerr_at(c, n->start_mark, "%s: expected %s, found %s", key, what, found);
}

/* A non-empty string scalar without NUL bytes; copied into *out (replacing any previous value). */
static enum ce_status get_str(struct yctx *c, const yaml_node_t *n, const char *key, char **out)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.length == 0)
		return expected(c, n, key, "a non-empty string");
	const char *v = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	if (memchr(v, '\0', len))
		return yerr_at(c, n->start_mark, "%s: expected a string, found one containing a NUL byte", key);
	char *s = ce_strndup(v, len);
	if (!s)
		return ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
	ce_free(*out);
	*out = s;
	return CE_OK;
}

/* YAML 1.2 core-schema booleans, plain scalars only (a quoted "true" is a string). */
static enum ce_status get_bool(struct yctx *c, const yaml_node_t *n, const char *key, bool *out)
{
	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		const char *v = (const char *)n->data.scalar.value;
		if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE")) {
			*out = true;
			return CE_OK;
		}
		if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE")) {
			*out = false;
			return CE_OK;
		}
	}
	return expected(c, n, key, "a boolean (true or false)");
}

/* Plain decimal integer in [lo, hi]. */
static enum ce_status get_int(struct yctx *c, const yaml_node_t *n, const char *key, int64_t lo, int64_t hi,
			      int32_t *out)
{
	char what[96];
	snprintf(what, sizeof what, "an integer in [%lld, %lld]", (long long)lo, (long long)hi);
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    n->data.scalar.length == 0)
		return expected(c, n, key, what);
	const char *v = (const char *)n->data.scalar.value;
	size_t i = 0, len = n->data.scalar.length;
	if (len > 19) { /* too long for int64: out of range if it is a number at all */
		size_t d = v[0] == '+' || v[0] == '-';
		while (d < len && v[d] >= '0' && v[d] <= '9')
			d++;
		if (d < len)
			return expected(c, n, key, what);
		return yerr_at(c, n->start_mark, "%s: %.40s%s is out of range [%lld, %lld]", key, v, len > 40 ? "..." : "",
			       (long long)lo, (long long)hi);
	}
	int neg = 0;
	if (v[0] == '+' || v[0] == '-') {
		neg = v[0] == '-';
		i = 1;
	}
	if (i == len)
		return expected(c, n, key, what);
	int64_t x = 0;
	for (; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return expected(c, n, key, what);
		x = x * 10 + (v[i] - '0'); /* at most 18 digits: no overflow */
	}
	if (neg)
		x = -x;
	if (x < INT32_MIN || x > INT32_MAX) /* does not even fit the 32-bit field */
		return yerr_at(c, n->start_mark, "%s: %lld is out of range [%lld, %lld]", key, (long long)x, (long long)lo,
			       (long long)hi);
	if (x < lo || x > hi)
		return expected(c, n, key, what);
	*out = (int32_t)x;
	return CE_OK;
}

/* Plain finite decimal number (no hex, inf or nan, which strtod would take). */
static enum ce_status get_double(struct yctx *c, const yaml_node_t *n, const char *key, double *out)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    n->data.scalar.length == 0 || n->data.scalar.length > 64)
		return expected(c, n, key, "a number");
	const char *v = (const char *)n->data.scalar.value;
	for (size_t i = 0; i < n->data.scalar.length; i++)
		if (!strchr("0123456789+-.eE", v[i]))
			return expected(c, n, key, "a number");
	char *end = NULL;
	double x = strtod(v, &end);
	if (end != v + n->data.scalar.length || !isfinite(x))
		return expected(c, n, key, "a number");
	*out = x;
	return CE_OK;
}

/* A file-name-safe identifier (task name, split): no '/', no leading '.', no control bytes. */
static enum ce_status check_component(struct yctx *c, const yaml_node_t *n, const char *key, const char *s)
{
	size_t len = strlen(s);
	int bad = len == 0 || len > TASK_NAME_MAX || s[0] == '.' || strchr(s, '/') || strchr(s, '\\');
	for (size_t i = 0; !bad && i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			bad = 1;
	if (bad)
		return expected(c, n, key, "a name usable as a file name (no '/', no leading '.', no control characters)");
	return CE_OK;
}

static void free_list(char **v, int32_t n)
{
	if (!v)
		return;
	for (int32_t i = 0; i < n; i++)
		ce_free(v[i]);
	ce_free(v);
}

/* Sequence of 1..max distinct non-empty strings. */
static enum ce_status get_str_list(struct yctx *c, const yaml_node_t *n, const char *key, int32_t max, int components,
				   char ***out, int32_t *n_out)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return expected(c, n, key, "a sequence of strings");
	yaml_node_item_t *b = n->data.sequence.items.start, *e = n->data.sequence.items.top;
	ptrdiff_t cnt = e - b;
	if (cnt < 1)
		return expected(c, n, key, "a non-empty sequence of strings");
	if (cnt > max) {
		char what[64];
		snprintf(what, sizeof what, "at most %d items", (int)max);
		return yerr_at(c, n->start_mark, "%s: expected %s, found %td", key, what, cnt);
	}
	char **v = ce_calloc((size_t)cnt, sizeof *v);
	if (!v)
		return ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
	enum ce_status s = CE_OK;
	for (ptrdiff_t i = 0; i < cnt && s == CE_OK; i++) {
		yaml_node_t *it = yaml_document_get_node(c->doc, b[i]);
		if (!it) {
			s = yerr_at(c, n->start_mark, "%s: broken sequence item", key);
			break;
		}
		s = get_str(c, it, key, &v[i]);
		if (s == CE_OK && components)
			s = check_component(c, it, key, v[i]);
		for (ptrdiff_t j = 0; s == CE_OK && j < i; j++)
			if (strcmp(v[j], v[i]) == 0)
				s = yerr_at(c, it->start_mark, "%s: '%s' is listed twice", key, v[i]);
	}
	if (s != CE_OK) {
		free_list(v, (int32_t)cnt);
		return s;
	}
	free_list(*out, *n_out);
	*out = v;
	*n_out = (int32_t)cnt;
	return CE_OK;
}

/*
 * Collect the values of a mapping whose keys must come from keys[0..nk).
 * vals[i]/knodes[i] are set for present keys, NULL otherwise.
 */
static enum ce_status collect(struct yctx *c, const yaml_node_t *map, const char *ctx, const char *const *keys, int nk,
			      yaml_node_t **knodes, yaml_node_t **vals)
{
	if (map->type != YAML_MAPPING_NODE)
		return expected(c, map, ctx, "a mapping");
	for (int i = 0; i < nk; i++)
		knodes[i] = vals[i] = NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		if (!k || !v)
			return yerr_at(c, map->start_mark, "%s: broken mapping", ctx);
		if (k->type != YAML_SCALAR_NODE)
			return expected(c, k, ctx, "a key (a plain string)");
		const char *ks = (const char *)k->data.scalar.value;
		int idx = -1;
		for (int i = 0; i < nk; i++)
			if (k->data.scalar.length == strlen(keys[i]) && memcmp(ks, keys[i], k->data.scalar.length) == 0)
				idx = i;
		if (idx < 0) {
			char list[512];
			size_t o = 0;
			for (int i = 0; i < nk && o < sizeof list; i++)
				o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", keys[i]);
			char found[96];
			describe(k, found, sizeof found);
			return yerr_at(c, k->start_mark, "%s: unknown key: expected one of %s, found %s", ctx, list,
				       found);
		}
		if (vals[idx])
			return yerr_at(c, k->start_mark, "%s: duplicate key '%s' (first at line %zu)", ctx, keys[idx],
				       knodes[idx]->start_mark.line + 1);
		knodes[idx] = k;
		vals[idx] = v;
	}
	return CE_OK;
}

/* ------------------------------------------------------------ task schema */

enum tkey {
	K_NAME, K_TYPE, K_DESCRIPTION, K_DATASET, K_HF_SUBSET, K_EVAL_SPLITS, K_TRAIN_SPLIT, K_MAIN_SCORE,
	K_LANGUAGES, K_COLUMNS, K_QUERY_INSTRUCTION, K_PARAMETERS, K_MAIN_SCORE_R3, K_DATASET_R3, K_AGGREGATE,
	K_COUNT
};
static const char *const tkeys[K_COUNT] = {
	"name", "type", "description", "dataset", "hf_subset", "eval_splits", "train_split", "main_score",
	"languages", "columns", "query_instruction", "parameters", "main_score_r3", "dataset_r3", "aggregate",
};

enum dkey { D_PATH, D_HF_ID, D_REVISION, D_QRELS_HF_ID, D_QRELS_REVISION, D_COUNT };
static const char *const dkeys[D_COUNT] = {"path", "hf_id", "revision", "qrels_hf_id", "qrels_revision"};

enum rkey { R_HF_ID, R_REVISION, R_EVAL_SPLITS, R_COUNT };
static const char *const rkeys[R_COUNT] = {"hf_id", "revision", "eval_splits"};

enum pkey { P_SAMPLES_PER_LABEL, P_N_EXPERIMENTS, P_IGNORE_IDENTICAL_IDS, P_K_VALUES, P_SCORE_MIN, P_SCORE_MAX,
	    P_IGNORE_IDENTICAL_IDS_R3, P_FAST_SAMPLE, P_COUNT };
static const char *const pkeys[P_COUNT] = {"samples_per_label", "n_experiments", "ignore_identical_ids",
					   "k_values", "score_min", "score_max", "ignore_identical_ids_r3",
					   "fast_sample"};
/* Which type accepts which parameter: task_types[type]->params. */

#define N_COLUMNS 15
static const char *const ckeys[N_COLUMNS] = {"sentence1", "sentence2", "score", "label",    "text", "sentences",
					     "labels",    "query",     "positive", "negative", "id",   "title",
					     "human_summaries", "machine_summaries", "relevance"};
static char **column_slot(struct task_columns *cols, int i)
{
	char **slots[N_COLUMNS] = {&cols->sentence1, &cols->sentence2, &cols->score,     &cols->label,
				   &cols->text,      &cols->sentences, &cols->labels,    &cols->query,
				   &cols->positive,  &cols->negative,  &cols->id,        &cols->title,
				   &cols->human_summaries, &cols->machine_summaries, &cols->relevance};
	return slots[i];
}
static const char *const column_defaults[N_COLUMNS] = {"sentence1", "sentence2", "score",    "label",
						       "text",      "sentences", "labels",   "query",
						       "positive",  "negative",  "_id",      "title",
						       "human_summaries", "machine_summaries", "relevance"};

void task_free(struct task *t)
{
	if (!t)
		return;
	ce_free(t->name);
	ce_free(t->description);
	ce_free(t->dataset_path);
	ce_free(t->hf_id);
	ce_free(t->revision);
	ce_free(t->qrels_hf_id);
	ce_free(t->qrels_revision);
	ce_free(t->hf_id_r3);
	ce_free(t->revision_r3);
	free_list(t->eval_splits_r3, t->n_eval_splits_r3);
	ce_free(t->hf_subset);
	free_list(t->eval_splits, t->n_eval_splits);
	ce_free(t->train_split);
	ce_free(t->main_score);
	ce_free(t->main_score_r3);
	free_list(t->languages, t->n_languages);
	for (int i = 0; i < N_COLUMNS; i++)
		ce_free(*column_slot(&t->columns, i));
	ce_free(t->k_values);
	ce_free(t->source_path);
	for (int32_t i = 0; i < t->n_parts; i++)
		task_free(t->parts[i]);
	ce_free(t->parts);
	ce_free(t);
}

static enum ce_status set_defaults(struct yctx *c, struct task *t)
{
	t->description = ce_strdup("");
	t->hf_subset = ce_strdup("default");
	t->languages = ce_calloc(1, sizeof *t->languages);
	if (t->languages) {
		t->languages[0] = ce_strdup("cmn-Hans");
		t->n_languages = 1;
	}
	int ok = t->description && t->hf_subset && t->languages && t->languages[0];
	for (int i = 0; i < N_COLUMNS && ok; i++)
		ok = (*column_slot(&t->columns, i) = ce_strdup(column_defaults[i])) != NULL;
	t->samples_per_label = 8;
	t->n_experiments = 10;
	t->ignore_identical_ids = true;
	t->k_values = ce_malloc(sizeof default_k);
	if (t->k_values) {
		memcpy(t->k_values, default_k, sizeof default_k);
		t->n_k_values = (int32_t)(sizeof default_k / sizeof default_k[0]);
	}
	if (!ok || !t->k_values)
		return ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
	return CE_OK;
}

/* dataset.path: relative, no "." or ".." components, no control bytes. */
static enum ce_status check_rel_path(struct yctx *c, const yaml_node_t *n, const char *s)
{
	int bad = s[0] == '/';
	for (const char *p = s; !bad && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '\\')
			bad = 1;
	const char *p = s;
	while (!bad && *p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			bad = 1;
		p += len + (e ? 1 : 0);
		if (e && !*p)
			bad = 1; /* trailing slash */
	}
	if (bad)
		return expected(c, n, "dataset.path",
				"a relative path below the data root (no leading '/', no '.' or '..' parts)");
	return CE_OK;
}

/* main_score: a metric key as evaluators name them ([a-z0-9_]). */
static enum ce_status check_metric_name(struct yctx *c, const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);
	int bad = len == 0 || len > 100;
	for (size_t i = 0; !bad && i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			bad = 1;
	if (bad)
		return expected(c, n, "main_score", "a metric name of [a-z0-9_] (e.g. ndcg_at_10)");
	return CE_OK;
}

static enum ce_status parse_k_values(struct yctx *c, const yaml_node_t *n, struct task *t)
{
	const char *key = "parameters.k_values";
	if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top == n->data.sequence.items.start)
		return expected(c, n, key, "a non-empty sequence of integers");
	ptrdiff_t cnt = n->data.sequence.items.top - n->data.sequence.items.start;
	if (cnt > TASK_MAX_K_VALUES)
		return yerr_at(c, n->start_mark, "%s: expected at most %d values, found %td", key, TASK_MAX_K_VALUES,
			       cnt);
	int32_t *k = ce_malloc_array((size_t)cnt, sizeof *k);
	if (!k)
		return ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
	for (ptrdiff_t i = 0; i < cnt; i++) {
		yaml_node_t *it = yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
		enum ce_status s = it ? get_int(c, it, key, 1, 1000000, &k[i])
				      : yerr_at(c, n->start_mark, "%s: broken sequence", key);
		if (s == CE_OK && i > 0 && k[i] <= k[i - 1])
			s = yerr_at(c, it->start_mark, "%s: expected values in ascending order without repeats, found %d after %d",
				    key, (int)k[i], (int)k[i - 1]);
		if (s != CE_OK) {
			ce_free(k);
			return s;
		}
	}
	ce_free(t->k_values);
	t->k_values = k;
	t->n_k_values = (int32_t)cnt;
	return CE_OK;
}

static enum ce_status task_load_file_as(const char *path, int is_part, struct task **out, struct ce_err *err);
static char *dir_of(const char *path);

/*
 * aggregate: [Part, ...]: the part tasks, each <folder of this file>/<Part>.yaml.
 * Each must load, be of the aggregate's type, report its main scores and
 * evaluate every split it names; an error names this file, the line and the part.
 */
static enum ce_status load_parts(struct yctx *c, const yaml_node_t *node, struct task *t)
{
	char **names = NULL;
	int32_t n = 0;
	CE_TRY(get_str_list(c, node, "aggregate", TASK_MAX_PARTS, 1, &names, &n));
	enum ce_status s = CE_OK;
	char *dir = dir_of(c->path);
	if (!dir || !(t->parts = ce_calloc((size_t)n, sizeof *t->parts)))
		s = ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
	for (int32_t i = 0; s == CE_OK && i < n; i++) {
		const char *pn = names[i];
		if (strcmp(pn, t->name) == 0) {
			s = yerr_at(c, node->start_mark, "aggregate: '%s' names the aggregate itself", pn);
			break;
		}
		size_t len = strlen(dir) + strlen(pn) + 8;
		char *path = ce_malloc(len);
		if (!path) {
			s = ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
			break;
		}
		snprintf(path, len, "%s/%s.yaml", dir, pn);
		struct task *p = NULL;
		struct ce_err perr;
		ce_err_clear(&perr);
		if (task_load_file_as(path, 1, &p, &perr) != CE_OK) {
			s = yerr_at(c, node->start_mark, "aggregate: part '%s': %s", pn, perr.msg);
		} else {
			t->parts[t->n_parts++] = p;
			if (strcmp(p->name, pn) != 0)
				s = yerr_at(c, node->start_mark, "aggregate: %s: name: expected '%s' (the file name), found '%s'",
					    path, pn, p->name);
			else if (p->type != t->type)
				s = yerr_at(c, node->start_mark, "aggregate: part '%s' is a %s task, the aggregate is %s", pn,
					    task_type_name(p->type), task_type_name(t->type));
			else if (strcmp(p->main_score, t->main_score) != 0 ||
				 strcmp(p->main_score_r3, t->main_score_r3) != 0)
				s = yerr_at(c, node->start_mark,
					    "aggregate: part '%s' has main score %s (R3 %s), the aggregate %s (R3 %s): "
					    "a mean of main scores needs one", pn, p->main_score, p->main_score_r3,
					    t->main_score, t->main_score_r3);
			else if (p->query_instruction != t->query_instruction)
				s = yerr_at(c, node->start_mark, "aggregate: part '%s' has query_instruction %s, the aggregate %s",
					    pn, p->query_instruction ? "true" : "false", t->query_instruction ? "true" : "false");
			for (int32_t k = 0; s == CE_OK && k < t->n_eval_splits; k++) {
				int has = 0;
				for (int32_t j = 0; j < p->n_eval_splits && !has; j++)
					has = strcmp(p->eval_splits[j], t->eval_splits[k]) == 0;
				if (!has)
					s = yerr_at(c, node->start_mark, "aggregate: part '%s' does not evaluate split '%s'",
						    pn, t->eval_splits[k]);
			}
		}
		ce_free(path);
	}
	ce_free(dir);
	free_list(names, n);
	return s;
}

static enum ce_status parse_task(struct yctx *c, const yaml_node_t *root, struct task *t)
{
	yaml_node_t *kn[K_COUNT], *v[K_COUNT];
	CE_TRY(collect(c, root, "task", tkeys, K_COUNT, kn, v));
	CE_TRY(set_defaults(c, t));

	static const enum tkey required[] = {K_NAME, K_TYPE, K_DATASET, K_EVAL_SPLITS};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!v[required[i]] && !(required[i] == K_DATASET && v[K_AGGREGATE]))
			return yerr_at(c, root->start_mark, "task: missing required key '%s'", tkeys[required[i]]);
	if (v[K_AGGREGATE]) {
		/* the data and its rules are the parts' own: nothing of that on the aggregate */
		static const enum tkey parts_own[] = {K_DATASET, K_DATASET_R3, K_HF_SUBSET, K_TRAIN_SPLIT,
						      K_COLUMNS, K_PARAMETERS};
		for (size_t i = 0; i < sizeof parts_own / sizeof parts_own[0]; i++)
			if (v[parts_own[i]])
				return yerr_at(c, kn[parts_own[i]]->start_mark,
					       "%s: not allowed in an aggregate task (it belongs in the part task files)",
					       tkeys[parts_own[i]]);
		if (c->is_part)
			return yerr_at(c, kn[K_AGGREGATE]->start_mark,
				       "aggregate: this file is itself a part of an aggregate; aggregates do not nest");
		if (c->is_buffer)
			return yerr_at(c, kn[K_AGGREGATE]->start_mark,
				       "aggregate: an aggregate task is loaded from its file (its parts are found beside it)");
	}

	/* type first: other keys are checked against it */
	char *type = NULL;
	CE_TRY(get_str(c, v[K_TYPE], "type", &type));
	enum ce_status s = task_type_from_name(type, &t->type);
	ce_free(type);
	if (s != CE_OK) {
		char names[200], one_of[256];
		task_type_list(names, sizeof names);
		snprintf(one_of, sizeof one_of, "one of %s", names);
		return expected(c, v[K_TYPE], "type", one_of);
	}
	const struct task_type_desc *td = task_types[t->type];
	const char *tn = td->name;
	char names[200]; /* types_with */
	int is_query_type = td->query_instruction;

	CE_TRY(get_str(c, v[K_NAME], "name", &t->name));
	CE_TRY(check_component(c, v[K_NAME], "name", t->name));
	if (v[K_DESCRIPTION]) {
		/* an empty description is allowed */
		if (v[K_DESCRIPTION]->type == YAML_SCALAR_NODE && v[K_DESCRIPTION]->data.scalar.length == 0) {
		} else {
			CE_TRY(get_str(c, v[K_DESCRIPTION], "description", &t->description));
		}
	}

	yaml_node_t *dkn[D_COUNT], *dv[D_COUNT] = {NULL};
	if (v[K_DATASET]) {
		CE_TRY(collect(c, v[K_DATASET], "dataset", dkeys, D_COUNT, dkn, dv));
		if (!dv[D_PATH])
			return yerr_at(c, v[K_DATASET]->start_mark, "dataset: missing required key 'path'");
		CE_TRY(get_str(c, dv[D_PATH], "dataset.path", &t->dataset_path));
		CE_TRY(check_rel_path(c, dv[D_PATH], t->dataset_path));
	}
	if (dv[D_HF_ID])
		CE_TRY(get_str(c, dv[D_HF_ID], "dataset.hf_id", &t->hf_id));
	if (dv[D_REVISION])
		CE_TRY(get_str(c, dv[D_REVISION], "dataset.revision", &t->revision));
	if (dv[D_QRELS_HF_ID])
		CE_TRY(get_str(c, dv[D_QRELS_HF_ID], "dataset.qrels_hf_id", &t->qrels_hf_id));
	if (dv[D_QRELS_REVISION])
		CE_TRY(get_str(c, dv[D_QRELS_REVISION], "dataset.qrels_revision", &t->qrels_revision));
	if (v[K_DATASET_R3]) {
		yaml_node_t *rkn[R_COUNT], *rv[R_COUNT];
		CE_TRY(collect(c, v[K_DATASET_R3], "dataset_r3", rkeys, R_COUNT, rkn, rv));
		if (!rv[R_HF_ID])
			return yerr_at(c, v[K_DATASET_R3]->start_mark, "dataset_r3: missing required key 'hf_id'");
		CE_TRY(get_str(c, rv[R_HF_ID], "dataset_r3.hf_id", &t->hf_id_r3));
		if (rv[R_REVISION])
			CE_TRY(get_str(c, rv[R_REVISION], "dataset_r3.revision", &t->revision_r3));
		if (rv[R_EVAL_SPLITS])
			CE_TRY(get_str_list(c, rv[R_EVAL_SPLITS], "dataset_r3.eval_splits", TASK_MAX_SPLITS, 1,
					    &t->eval_splits_r3, &t->n_eval_splits_r3));
	}

	if (v[K_HF_SUBSET])
		CE_TRY(get_str(c, v[K_HF_SUBSET], "hf_subset", &t->hf_subset));
	CE_TRY(get_str_list(c, v[K_EVAL_SPLITS], "eval_splits", TASK_MAX_SPLITS, 1, &t->eval_splits,
			    &t->n_eval_splits));
	if (td->train_split) {
		if (v[K_TRAIN_SPLIT]) {
			CE_TRY(get_str(c, v[K_TRAIN_SPLIT], "train_split", &t->train_split));
			CE_TRY(check_component(c, v[K_TRAIN_SPLIT], "train_split", t->train_split));
		} else if (!(t->train_split = ce_strdup("train"))) {
			return ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
		}
		for (int32_t i = 0; i < t->n_eval_splits; i++)
			if (strcmp(t->eval_splits[i], t->train_split) == 0)
				return yerr_at(c, v[K_EVAL_SPLITS]->start_mark,
					       "eval_splits: the train split '%s' cannot also be an eval split",
					       t->train_split);
	} else if (v[K_TRAIN_SPLIT]) {
		return yerr_at(c, kn[K_TRAIN_SPLIT]->start_mark,
			       "train_split: applies only to %s tasks, this task is %s",
			       types_with(FLAG_TRAIN_SPLIT, names, sizeof names), tn);
	}
	if (v[K_MAIN_SCORE]) {
		CE_TRY(get_str(c, v[K_MAIN_SCORE], "main_score", &t->main_score));
		CE_TRY(check_metric_name(c, v[K_MAIN_SCORE], t->main_score));
	} else if (!(t->main_score = ce_strdup(task_type_default_main_score(t->type)))) {
		return ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
	}
	if (v[K_MAIN_SCORE_R3]) {
		CE_TRY(get_str(c, v[K_MAIN_SCORE_R3], "main_score_r3", &t->main_score_r3));
		CE_TRY(check_metric_name(c, v[K_MAIN_SCORE_R3], t->main_score_r3));
	} else if (!(t->main_score_r3 = ce_strdup(task_type_default_main_score_r3(t->type)))) {
		return ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
	}
	if (v[K_LANGUAGES])
		CE_TRY(get_str_list(c, v[K_LANGUAGES], "languages", 64, 0, &t->languages, &t->n_languages));

	if (v[K_COLUMNS]) {
		yaml_node_t *ckn[N_COLUMNS], *cv[N_COLUMNS];
		CE_TRY(collect(c, v[K_COLUMNS], "columns", ckeys, N_COLUMNS, ckn, cv));
		for (int i = 0; i < N_COLUMNS; i++) {
			if (!cv[i])
				continue;
			char key[64];
			snprintf(key, sizeof key, "columns.%s", ckeys[i]);
			CE_TRY(get_str(c, cv[i], key, column_slot(&t->columns, i)));
		}
	}

	t->query_instruction = is_query_type;
	if (v[K_QUERY_INSTRUCTION]) {
		CE_TRY(get_bool(c, v[K_QUERY_INSTRUCTION], "query_instruction", &t->query_instruction));
		if (t->query_instruction && !is_query_type)
			return yerr_at(c, v[K_QUERY_INSTRUCTION]->start_mark,
				       "query_instruction: true applies only to %s tasks, this task is %s",
				       types_with(FLAG_QUERY_INSTRUCTION, names, sizeof names), tn);
	}

	if (v[K_PARAMETERS]) {
		yaml_node_t *pkn[P_COUNT], *pv[P_COUNT];
		CE_TRY(collect(c, v[K_PARAMETERS], "parameters", pkeys, P_COUNT, pkn, pv));
		for (int i = 0; i < P_COUNT; i++)
			if (pv[i] && !type_has_param(td, pkeys[i]))
				return yerr_at(c, pkn[i]->start_mark,
					       "parameters.%s: applies only to %s tasks, this task is %s", pkeys[i],
					       param_owner(pkeys[i]), tn);
		if (pv[P_SAMPLES_PER_LABEL])
			CE_TRY(get_int(c, pv[P_SAMPLES_PER_LABEL], "parameters.samples_per_label", 1, 1000000,
				       &t->samples_per_label));
		if (pv[P_N_EXPERIMENTS])
			CE_TRY(get_int(c, pv[P_N_EXPERIMENTS], "parameters.n_experiments", 1, 1000, &t->n_experiments));
		if (pv[P_IGNORE_IDENTICAL_IDS])
			CE_TRY(get_bool(c, pv[P_IGNORE_IDENTICAL_IDS], "parameters.ignore_identical_ids",
					&t->ignore_identical_ids));
		if (pv[P_IGNORE_IDENTICAL_IDS_R3])
			CE_TRY(get_bool(c, pv[P_IGNORE_IDENTICAL_IDS_R3], "parameters.ignore_identical_ids_r3",
					&t->ignore_identical_ids_r3));
		if (pv[P_K_VALUES])
			CE_TRY(parse_k_values(c, pv[P_K_VALUES], t));
		if (pv[P_FAST_SAMPLE])
			CE_TRY(get_int(c, pv[P_FAST_SAMPLE], "parameters.fast_sample", 1, 100000000, &t->fast_sample));
		if (!pv[P_SCORE_MIN] != !pv[P_SCORE_MAX]) {
			int have_min = pv[P_SCORE_MIN] != NULL;
			return yerr_at(c, pkn[have_min ? P_SCORE_MIN : P_SCORE_MAX]->start_mark,
				       "parameters: %s given without %s (give both or neither)",
				       have_min ? "score_min" : "score_max", have_min ? "score_max" : "score_min");
		}
		if (pv[P_SCORE_MIN]) {
			CE_TRY(get_double(c, pv[P_SCORE_MIN], "parameters.score_min", &t->score_min));
			CE_TRY(get_double(c, pv[P_SCORE_MAX], "parameters.score_max", &t->score_max));
			if (!(t->score_min < t->score_max))
				return yerr_at(c, pv[P_SCORE_MAX]->start_mark,
					       "parameters.score_max: expected a value above score_min (%g), found %g",
					       t->score_min, t->score_max);
			t->has_score_range = true;
		}
	}
	if (v[K_MAIN_SCORE] && !task_reports_metric(t, t->main_score)) {
		/* caught here, so `list` and `run` say it before anything is encoded */
		char known[640] = "";
		size_t o = 0;
		const char *const *metric_names = task_type_metric_names(t->type);
		for (int i = 0; metric_names[i] && o < sizeof known; i++)
			o += (size_t)snprintf(known + o, sizeof known - o, "%s%s%s", i ? ", " : "", metric_names[i],
					      t->type == TASK_TYPE_RETRIEVAL ? "_K" : "");
		return yerr_at(c, v[K_MAIN_SCORE]->start_mark, "main_score: '%s' is not a score of %s tasks (%s%s)",
			       t->main_score, tn, known,
			       t->type == TASK_TYPE_RETRIEVAL ? ", K one of parameters.k_values" : "");
	}
	if (v[K_MAIN_SCORE_R3] && !task_reports_metric(t, t->main_score_r3))
		return yerr_at(c, v[K_MAIN_SCORE_R3]->start_mark, "main_score_r3: '%s' is not a score of %s tasks",
			       t->main_score_r3, tn);
	if (v[K_AGGREGATE])
		CE_TRY(load_parts(c, v[K_AGGREGATE], t));
	return CE_OK;
}

/* ------------------------------------------------------- document loading */

/* 1-based line/col of a byte offset (reader errors give only an offset). */
static void offset_to_linecol(const char *data, size_t len, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (data[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * Parse exactly one YAML document from data into *doc (caller deletes it on CE_OK).
 * An empty stream or a second document is an error.
 */
static enum ce_status load_doc(const char *name, const char *data, size_t len, yaml_document_t *doc, struct ce_err *err)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", name);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	enum ce_status s = CE_OK;
	if (!yaml_parser_load(&p, doc)) {
		size_t line, col;
		if (p.error == YAML_MEMORY_ERROR) {
			s = ce_err_set(err, CE_E_NOMEM, "%s: out of memory parsing YAML", name);
		} else {
			if (p.error == YAML_READER_ERROR) {
				offset_to_linecol(data, len, p.problem_offset, &line, &col);
			} else {
				line = p.problem_mark.line + 1;
				col = p.problem_mark.column + 1;
			}
			s = ce_err_set(err, CE_E_FORMAT, "%s:%zu:%zu: YAML syntax error: %s%s%s", name, line, col,
				       p.problem ? p.problem : "unknown problem", p.context ? " " : "",
				       p.context ? p.context : "");
		}
		yaml_parser_delete(&p);
		return s;
	}
	if (!yaml_document_get_root_node(doc)) {
		yaml_document_delete(doc);
		yaml_parser_delete(&p);
		return ce_err_set(err, CE_E_FORMAT, "%s:1:1: expected a YAML mapping, found an empty file", name);
	}
	yaml_document_t extra;
	if (!yaml_parser_load(&p, &extra)) {
		s = ce_err_set(err, CE_E_FORMAT, "%s:%zu:%zu: YAML syntax error after the first document: %s", name,
			       p.problem_mark.line + 1, p.problem_mark.column + 1, p.problem ? p.problem : "unknown");
	} else {
		yaml_node_t *r = yaml_document_get_root_node(&extra);
		if (r)
			s = ce_err_set(err, CE_E_FORMAT, "%s:%zu:%zu: expected a single YAML document, found a second one",
				       name, r->start_mark.line + 1, r->start_mark.column + 1);
		yaml_document_delete(&extra);
	}
	yaml_parser_delete(&p);
	if (s != CE_OK)
		yaml_document_delete(doc);
	return s;
}

/* is_part: 0 = a task file, 1 = a part of an aggregate, 2 = a buffer (task_load_buffer) */
static enum ce_status task_load_buffer_as(const char *name, const char *data, size_t len, int is_part,
					  struct task **out, struct ce_err *err)
{
	*out = NULL;
	if (len > TASK_FILE_MAX)
		return ce_err_set(err, CE_E_LIMIT, "%s: %zu bytes, more than the %zu-byte limit for a task file", name,
				  len, TASK_FILE_MAX);
	yaml_document_t doc;
	CE_TRY(load_doc(name, data, len, &doc, err));
	struct task *t = ce_calloc(1, sizeof *t);
	enum ce_status s;
	if (!t || !(t->source_path = ce_strdup(name))) {
		s = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", name);
	} else {
		struct yctx c = {.path = name, .doc = &doc, .err = err, .is_part = is_part == 1,
				  .is_buffer = is_part == 2};
		s = parse_task(&c, yaml_document_get_root_node(&doc), t);
	}
	yaml_document_delete(&doc);
	if (s != CE_OK) {
		task_free(t);
		return s;
	}
	*out = t;
	return CE_OK;
}

enum ce_status task_load_buffer(const char *name, const char *data, size_t len, struct task **out, struct ce_err *err)
{
	return task_load_buffer_as(name, data, len, 2, out, err);
}

static enum ce_status task_load_file_as(const char *path, int is_part, struct task **out, struct ce_err *err)
{
	*out = NULL;
	char *data;
	size_t len;
	CE_TRY(fs_read_file(path, TASK_FILE_MAX, &data, &len, err));
	enum ce_status s = task_load_buffer_as(path, data, len, is_part, out, err);
	ce_free(data);
	return s;
}

enum ce_status task_load_file(const char *path, struct task **out, struct ce_err *err)
{
	return task_load_file_as(path, 0, out, err);
}

/* ---------------------------------------------------------- finding tasks */

#define FIND_DEPTH_MAX 8

/* Depth-first search of dir for <file>; matches appended to found[0..2) (stops after 2). */
static enum ce_status find_rec(const char *dir, const char *file, int depth, char **found, int *n_found,
			       struct ce_err *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		int e = errno;
		return ce_err_set(err, e == ENOENT ? CE_E_NOT_FOUND : CE_E_IO, "%s: cannot open folder: %s", dir,
				  strerror(e));
	}
	enum ce_status s = CE_OK;
	struct dirent *de;
	while (s == CE_OK && *n_found < 2 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (depth == 0 && strcmp(de->d_name, "suites") == 0)
			continue;
		char *p = fs_join(dir, de->d_name);
		if (!p) {
			s = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
			break;
		}
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (depth + 1 < FIND_DEPTH_MAX)
				s = find_rec(p, file, depth + 1, found, n_found, err);
			ce_free(p);
		} else if (strcmp(de->d_name, file) == 0 && fs_is_file(p)) {
			found[(*n_found)++] = p;
		} else {
			ce_free(p);
		}
	}
	closedir(d);
	return s;
}

static int valid_name(const char *name)
{
	if (!name[0] || name[0] == '.' || strchr(name, '/') || strlen(name) > TASK_NAME_MAX)
		return 0;
	return 1;
}

enum ce_status task_find_file(const char *tasks_root, const char *name, char **path, struct ce_err *err)
{
	*path = NULL;
	if (!valid_name(name))
		return ce_err_set(err, CE_E_INVALID_ARG, "'%s': not a valid task name", name);
	size_t n = strlen(name) + 6;
	char *file = ce_malloc(n);
	if (!file)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	snprintf(file, n, "%s.yaml", name);
	char *found[2] = {NULL, NULL};
	int n_found = 0;
	enum ce_status s = find_rec(tasks_root, file, 0, found, &n_found, err);
	ce_free(file);
	if (s == CE_OK && n_found == 0)
		s = ce_err_set(err, CE_E_NOT_FOUND, "%s: no task named '%s' (no file %s.yaml below it)", tasks_root,
			       name, name);
	if (s == CE_OK && n_found > 1)
		s = ce_err_set(err, CE_E_FORMAT, "%s: task '%s' is defined twice: %s and %s", tasks_root, name,
			       found[0], found[1]);
	if (s == CE_OK) {
		*path = found[0];
		return CE_OK;
	}
	ce_free(found[0]);
	ce_free(found[1]);
	return s;
}

/* ------------------------------------------------------------ suite files */

void suite_free(struct suite *s)
{
	if (!s)
		return;
	ce_free(s->name);
	ce_free(s->description);
	for (int32_t i = 0; i < s->n_tasks; i++)
		task_free(s->tasks[i]);
	ce_free(s->tasks);
	ce_free(s->subset_n);
	ce_free(s->subset_corpus);
	ce_free(s->source_path);
	ce_free(s);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Folder part of path ("." when none), new string. */
static char *dir_of(const char *path)
{
	const char *sl = strrchr(path, '/');
	if (!sl)
		return ce_strdup(".");
	if (sl == path)
		return ce_strdup("/");
	return ce_strndup(path, (size_t)(sl - path));
}

static enum ce_status suite_add_task(struct yctx *c, const yaml_node_t *item, const char *tasks_root,
				     const char *suite_dir, struct suite *su)
{
	char *entry = NULL;
	int32_t sub_n = 0, sub_m = 0;
	const yaml_node_t *m_node = NULL;
	if (item->type == YAML_MAPPING_NODE) {
		/* {task: T, subset: N, subset_corpus: M} */
		static const char *const ekeys[] = {"task", "subset", "subset_corpus"};
		yaml_node_t *kn[3], *v[3];
		CE_TRY(collect(c, item, "tasks entry", ekeys, 3, kn, v));
		if (!v[0])
			return yerr_at(c, item->start_mark, "tasks entry: missing required key 'task'");
		if (v[2] && !v[1])
			return yerr_at(c, kn[2]->start_mark, "tasks entry: subset_corpus needs subset");
		if (v[1])
			CE_TRY(get_int(c, v[1], "subset", 1, INT32_MAX, &sub_n));
		if (v[2]) {
			CE_TRY(get_int(c, v[2], "subset_corpus", 1, INT32_MAX, &sub_m));
			m_node = kn[2];
		}
		item = v[0];
	}
	CE_TRY(get_str(c, item, "tasks", &entry));
	char *path = NULL;
	enum ce_status s;
	int by_path = ends_with(entry, ".yaml");
	if (by_path) {
		path = entry[0] == '/' ? ce_strdup(entry) : fs_join(suite_dir, entry);
		s = path ? CE_OK : ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
	} else {
		s = task_find_file(tasks_root, entry, &path, c->err);
		if (s != CE_OK)
			ce_err_prefix(c->err, "%s:%zu:%zu", c->path, item->start_mark.line + 1,
				      item->start_mark.column + 1);
	}
	struct task *t = NULL;
	if (s == CE_OK)
		s = task_load_file(path, &t, c->err);
	if (s == CE_OK && !by_path && strcmp(t->name, entry) != 0)
		s = ce_err_set(c->err, CE_E_FORMAT, "%s: name: expected '%s' (the file name), found '%s'", path, entry,
			       t->name);
	for (int32_t i = 0; s == CE_OK && i < su->n_tasks; i++)
		if (strcmp(su->tasks[i]->name, t->name) == 0)
			s = yerr_at(c, item->start_mark, "tasks: task '%s' is listed twice", t->name);
	char names[200];
	if (s == CE_OK && m_node && !task_types[t->type]->subset_corpus)
		s = yerr_at(c, m_node->start_mark, "subset_corpus: only for %s tasks; '%s' is %s",
			    types_with(FLAG_SUBSET_CORPUS, names, sizeof names), t->name,
			    task_type_name(t->type));
	ce_free(path);
	ce_free(entry);
	if (s != CE_OK) {
		task_free(t);
		return s;
	}
	su->subset_n[su->n_tasks] = sub_n;
	su->subset_corpus[su->n_tasks] = sub_m;
	su->tasks[su->n_tasks++] = t;
	return CE_OK;
}

static enum ce_status parse_suite(struct yctx *c, const yaml_node_t *root, const char *tasks_root, struct suite *su)
{
	static const char *const skeys[] = {"suite", "description", "tasks"};
	yaml_node_t *kn[3], *v[3];
	CE_TRY(collect(c, root, "suite file", skeys, 3, kn, v));
	for (int i = 0; i < 3; i += 2)
		if (!v[i])
			return yerr_at(c, root->start_mark, "suite file: missing required key '%s'", skeys[i]);
	CE_TRY(get_str(c, v[0], "suite", &su->name));
	if (v[1] && !(v[1]->type == YAML_SCALAR_NODE && v[1]->data.scalar.length == 0))
		CE_TRY(get_str(c, v[1], "description", &su->description));
	const yaml_node_t *tl = v[2];
	if (tl->type != YAML_SEQUENCE_NODE || tl->data.sequence.items.top == tl->data.sequence.items.start)
		return expected(c, tl, "tasks", "a non-empty sequence of task names, paths or {task: ..., subset: N} mappings");
	ptrdiff_t cnt = tl->data.sequence.items.top - tl->data.sequence.items.start;
	if (cnt > 100000)
		return yerr_at(c, tl->start_mark, "tasks: more than 100000 entries");
	su->tasks = ce_calloc((size_t)cnt, sizeof *su->tasks);
	su->subset_n = ce_calloc((size_t)cnt, sizeof *su->subset_n);
	su->subset_corpus = ce_calloc((size_t)cnt, sizeof *su->subset_corpus);
	if (!su->tasks || !su->subset_n || !su->subset_corpus)
		return ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
	char *sdir = dir_of(c->path);
	if (!sdir)
		return ce_err_set(c->err, CE_E_NOMEM, "%s: out of memory", c->path);
	enum ce_status s = CE_OK;
	for (ptrdiff_t i = 0; i < cnt && s == CE_OK; i++) {
		yaml_node_t *it = yaml_document_get_node(c->doc, tl->data.sequence.items.start[i]);
		s = it ? suite_add_task(c, it, tasks_root, sdir, su) : yerr_at(c, tl->start_mark, "tasks: broken sequence");
	}
	ce_free(sdir);
	return s;
}

enum ce_status suite_load(const char *tasks_root, const char *suite_name, struct suite **out, struct ce_err *err)
{
	*out = NULL;
	char *path;
	if (strchr(suite_name, '/') || ends_with(suite_name, ".yaml")) {
		path = ce_strdup(suite_name);
	} else {
		if (!valid_name(suite_name))
			return ce_err_set(err, CE_E_INVALID_ARG, "'%s': not a valid suite name", suite_name);
		size_t n = strlen(tasks_root) + strlen(suite_name) + 16;
		path = ce_malloc(n);
		if (path)
			snprintf(path, n, "%s/suites/%s.yaml", tasks_root, suite_name);
	}
	if (!path)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	char *data = NULL;
	size_t len = 0;
	enum ce_status s = fs_read_file(path, TASK_FILE_MAX, &data, &len, err);
	if (s != CE_OK) {
		ce_free(path);
		return s;
	}
	yaml_document_t doc;
	s = load_doc(path, data, len, &doc, err);
	ce_free(data);
	if (s != CE_OK) {
		ce_free(path);
		return s;
	}
	struct suite *su = ce_calloc(1, sizeof *su);
	if (!su || !(su->description = ce_strdup(""))) {
		s = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
	} else {
		su->source_path = path;
		path = NULL;
		struct yctx c = {.path = su->source_path, .doc = &doc, .err = err};
		s = parse_suite(&c, yaml_document_get_root_node(&doc), tasks_root, su);
	}
	yaml_document_delete(&doc);
	ce_free(path);
	if (s != CE_OK) {
		suite_free(su);
		return s;
	}
	*out = su;
	return CE_OK;
}
