/*
 * dataset.c - read one split of a task's dataset (JSON lines + qrels TSV).
 *
 * Sections: string tables and hashing, record sources (file lookup, line
 * iteration, JSON parsing, field getters), labels, one loader per task type,
 * the public entry points, de-duplication.
 */
#include "dataset.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ce_alloc.h"
#include "ce_hash.h"
#include "fs_util.h"
#include "line_reader.h"
#include "sorted_i64.h"

/* -------------------------------------------------- string tables, hashing */

enum ce_status strtab_push(struct strtab *t, const char *s, size_t len)
{
	if (t->n == t->cap_n) {
		int64_t nc = t->cap_n ? t->cap_n * 2 : 256;
		size_t *no = ce_realloc_array(t->off, (size_t)nc, sizeof *no);
		if (!no)
			return CE_E_NOMEM;
		t->off = no;
		t->cap_n = nc;
	}
	if (len > SIZE_MAX / 2 - t->len - 1)
		return CE_E_NOMEM;
	if (t->len + len + 1 > t->cap) {
		size_t nc = t->cap ? t->cap : 4096;
		while (nc < t->len + len + 1)
			nc *= 2;
		char *nb = ce_realloc(t->buf, nc);
		if (!nb)
			return CE_E_NOMEM;
		t->buf = nb;
		t->cap = nc;
	}
	memcpy(t->buf + t->len, s, len);
	t->buf[t->len + len] = '\0';
	t->off[t->n++] = t->len;
	t->len += len + 1;
	return CE_OK;
}

void strtab_deinit(struct strtab *t)
{
	ce_free(t->buf);
	ce_free(t->off);
	memset(t, 0, sizeof *t);
}

const char **strtab_pointers(const struct strtab *t)
{
	const char **p = ce_malloc_array(t->n > 0 ? (size_t)t->n : 1, sizeof *p);
	if (!p)
		return NULL;
	for (int64_t i = 0; i < t->n; i++)
		p[i] = strtab_get(t, i);
	return p;
}


/*
 * Open-addressing index of strings (held elsewhere: the getter returns string i).
 * Slots hold index + 1 (0 = empty).
 */
struct str_index {
	int64_t *slots;
	size_t mask;
};

static enum ce_status str_index_init(struct str_index *x, int64_t n)
{
	size_t cap = 16;
	while (cap < (size_t)n * 2 + 1)
		cap *= 2;
	x->slots = ce_calloc(cap, sizeof *x->slots);
	x->mask = cap - 1;
	return x->slots ? CE_OK : CE_E_NOMEM;
}

static void str_index_deinit(struct str_index *x)
{
	ce_free(x->slots);
	x->slots = NULL;
}

/*
 * Find s among strings[] via the index; if absent, insert index `i` for it.
 * Returns the index already present, or -1 when i was inserted.
 */
static int64_t str_index_find_or_add(struct str_index *x, const char *const *strings, const char *s, int64_t i)
{
	size_t h = (size_t)ce_fnv1a64(CE_FNV1A64_INIT, s, strlen(s)) & x->mask;
	for (;;) {
		int64_t v = x->slots[h];
		if (v == 0) {
			x->slots[h] = i + 1;
			return -1;
		}
		if (strcmp(strings[v - 1], s) == 0)
			return v - 1;
		h = (h + 1) & x->mask;
	}
}

/* ----------------------------------------------------------- record sources */

struct src {
	struct line_reader *r;
	const char *path; /* owned by r */
	uint64_t *hash;
	int64_t n_records;
};

/* <dir>/<rel>, else <dir>/<rel>.zst.  Hashes the role name. */
static enum ce_status src_open(struct src *s, const char *dir, const char *rel, const char *role, uint64_t *hash,
			       struct ce_err *err)
{
	memset(s, 0, sizeof *s);
	char *p = fs_join(dir, rel);
	if (!p)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	if (!fs_is_file(p)) {
		size_t n = strlen(p) + 5;
		char *z = ce_malloc(n);
		if (!z) {
			ce_free(p);
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		}
		snprintf(z, n, "%s.zst", p);
		if (!fs_is_file(z)) {
			enum ce_status st = ce_err_set(err, CE_E_NOT_FOUND, "%s: not found (nor %s)", p, z);
			ce_free(z);
			ce_free(p);
			return st;
		}
		ce_free(p);
		p = z;
	}
	s->r = line_reader_open(p, 0, err);
	ce_free(p);
	if (!s->r)
		return err ? err->code : CE_E_IO;
	s->path = line_reader_path(s->r);
	s->hash = hash;
	*hash = ce_fnv1a64(*hash, role, strlen(role) + 1);
	return CE_OK;
}

static void src_close(struct src *s)
{
	line_reader_close(s->r);
	s->r = NULL;
}

static int is_blank(const char *l, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (l[i] != ' ' && l[i] != '\t' && l[i] != '\r')
			return 0;
	return 1;
}

/* Next non-blank line (hashed).  *eof = 1 at the end. */
static enum ce_status src_line(struct src *s, const char **line, size_t *len, int *eof, struct ce_err *err)
{
	for (;;) {
		CE_TRY(line_reader_next(s->r, line, len, eof, err));
		if (*eof)
			return CE_OK;
		*s->hash = ce_fnv1a64(*s->hash, *line, *len);
		*s->hash = ce_fnv1a64(*s->hash, "\n", 1);
		if (!is_blank(*line, *len))
			return CE_OK;
	}
}

static enum ce_status src_err(const struct src *s, struct ce_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum ce_status src_err(const struct src *s, struct ce_err *err, const char *fmt, ...)
{
	char msg[CE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ce_err_set(err, CE_E_FORMAT, "%s:%" PRId64 ": %s", s->path, line_reader_lineno(s->r), msg);
}

/* Next JSON object; *obj is a new reference (json_decref) or NULL at eof. */
static enum ce_status src_json(struct src *s, json_t **obj, struct ce_err *err)
{
	*obj = NULL;
	const char *line;
	size_t len;
	int eof;
	CE_TRY(src_line(s, &line, &len, &eof, err));
	if (eof)
		return CE_OK;
	json_error_t je;
	/* No JSON_ALLOW_NUL: texts go to the tokenizer as C strings (see dataset.h). */
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return ce_err_set(err, CE_E_FORMAT, "%s:%" PRId64 ":%d: bad JSON: %s", s->path,
				  line_reader_lineno(s->r), je.column > 0 ? je.column : 1, je.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return src_err(s, err, "expected a JSON object, found another JSON value");
	}
	s->n_records++;
	*obj = j;
	return CE_OK;
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

static enum ce_status get_field(const struct src *s, json_t *o, const char *col, json_t **v, struct ce_err *err)
{
	*v = json_object_get(o, col);
	if (!*v)
		return src_err(s, err, "missing column '%s'", col);
	return CE_OK;
}

/* String column pushed onto t. */
static enum ce_status push_str_field(const struct src *s, json_t *o, const char *col, struct strtab *t,
				     struct ce_err *err)
{
	json_t *v;
	CE_TRY(get_field(s, o, col, &v, err));
	if (!json_is_string(v))
		return src_err(s, err, "column '%s': expected a string, found %s", col, json_kind(v));
	if (strtab_push(t, json_string_value(v), json_string_length(v)) != CE_OK)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", s->path);
	return CE_OK;
}

/* Array-of-strings column pushed onto t; *count = its length. */
static enum ce_status push_str_array(const struct src *s, json_t *o, const char *col, struct strtab *t,
				     int64_t *count, struct ce_err *err)
{
	json_t *v;
	CE_TRY(get_field(s, o, col, &v, err));
	if (!json_is_array(v))
		return src_err(s, err, "column '%s': expected an array of strings, found %s", col, json_kind(v));
	size_t n = json_array_size(v);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);
		if (!json_is_string(e))
			return src_err(s, err, "column '%s'[%zu]: expected a string, found %s", col, i, json_kind(e));
		if (strtab_push(t, json_string_value(e), json_string_length(e)) != CE_OK)
			return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", s->path);
	}
	*count = (int64_t)n;
	return CE_OK;
}

/* Growable arrays of fixed-size items. */
static enum ce_status grow(void **p, int64_t *cap, int64_t need, size_t item)
{
	if (need <= *cap)
		return CE_OK;
	int64_t nc = *cap ? *cap : 256;
	while (nc < need)
		nc *= 2;
	void *np = ce_realloc_array(*p, (size_t)nc, item);
	if (!np)
		return CE_E_NOMEM;
	*p = np;
	*cap = nc;
	return CE_OK;
}

/* ------------------------------------------------------------------ labels */

/* Raw labels in row order, before mapping to dense ids. */
struct label_acc {
	int kind;              /* 0 none yet, 1 integers, 2 strings */
	char *first_path;      /* where the first label was seen */
	int64_t first_line;
	struct strtab strs;    /* kind 2: one entry per row */
	int64_t *ints;         /* kind 1: one entry per row */
	int64_t n, cap;
};

static void label_acc_deinit(struct label_acc *a)
{
	ce_free(a->first_path);
	strtab_deinit(&a->strs);
	ce_free(a->ints);
	memset(a, 0, sizeof *a);
}

static enum ce_status label_add(const struct src *s, struct label_acc *a, json_t *v, const char *col,
				struct ce_err *err)
{
	int kind = json_is_integer(v) ? 1 : json_is_string(v) ? 2 : 0;
	if (!kind)
		return src_err(s, err, "column '%s': expected an integer or a string label, found %s", col,
			       json_kind(v));
	if (a->kind == 0) {
		a->kind = kind;
		a->first_line = line_reader_lineno(s->r);
		if (!(a->first_path = ce_strdup(s->path)))
			return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", s->path);
	} else if (a->kind != kind) {
		return src_err(s, err, "column '%s': mixed label types: %s here, but %s at %s:%" PRId64, col,
			       kind == 1 ? "an integer" : "a string", a->kind == 1 ? "an integer" : "a string",
			       a->first_path, a->first_line);
	}
	if (kind == 2) {
		if (strtab_push(&a->strs, json_string_value(v), json_string_length(v)) != CE_OK)
			return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", s->path);
	} else {
		if (grow((void **)&a->ints, &a->cap, a->n + 1, sizeof *a->ints) != CE_OK)
			return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", s->path);
		a->ints[a->n] = (int64_t)json_integer_value(v);
	}
	a->n++;
	return CE_OK;
}

struct sorted_str {
	const char *s;
	int64_t first; /* row of first occurrence */
};

static int cmp_sorted_str(const void *a, const void *b)
{
	/* strcmp compares as unsigned char: UTF-8 byte order = code point order (numpy.unique on str) */
	return strcmp(((const struct sorted_str *)a)->s, ((const struct sorted_str *)b)->s);
}

/* Map rows [0, a->n) to dense sorted ids in ids[]; fill out. */
static enum ce_status label_finish(struct label_acc *a, struct ds_labels *out, int32_t *ids, struct ce_err *err)
{
	memset(out, 0, sizeof *out);
	if (a->kind == 1) {
		int64_t *u = ce_malloc_array((size_t)a->n, sizeof *u);
		if (!u)
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		memcpy(u, a->ints, (size_t)a->n * sizeof *u);
		int64_t nu = (int64_t)sorted_i64_unique(u, (size_t)a->n);
		if (nu > INT32_MAX) {
			ce_free(u);
			return ce_err_set(err, CE_E_LIMIT, "%s: more than %d distinct labels", a->first_path, INT32_MAX);
		}
		for (int64_t i = 0; i < a->n; i++)
			ids[i] = (int32_t)sorted_i64_find(u, (size_t)nu, a->ints[i]);
		out->values = u;
		out->n_classes = (int32_t)nu;
		return CE_OK;
	}
	/* strings: unique by hash, then sort the uniques */
	struct str_index x;
	const char **ptrs = strtab_pointers(&a->strs);
	struct sorted_str *u = ce_malloc_array((size_t)a->n, sizeof *u);
	int32_t *rank = ce_malloc_array((size_t)a->n, sizeof *rank); /* by first row */
	int64_t *uniq_of = ce_malloc_array((size_t)a->n, sizeof *uniq_of);
	enum ce_status st = CE_OK;
	if (!ptrs || !u || !rank || !uniq_of || str_index_init(&x, a->n) != CE_OK) {
		ce_free(ptrs);
		ce_free(u);
		ce_free(rank);
		ce_free(uniq_of);
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	int64_t nu = 0;
	for (int64_t i = 0; i < a->n; i++) {
		int64_t f = str_index_find_or_add(&x, ptrs, ptrs[i], i);
		if (f < 0) {
			uniq_of[i] = nu;
			u[nu].s = ptrs[i];
			u[nu].first = i;
			nu++;
		} else {
			uniq_of[i] = uniq_of[f];
		}
	}
	if (nu > INT32_MAX)
		st = ce_err_set(err, CE_E_LIMIT, "%s: more than %d distinct labels", a->first_path, INT32_MAX);
	if (st == CE_OK) {
		qsort(u, (size_t)nu, sizeof *u, cmp_sorted_str);
		/* rank[k] = sorted position of the unique whose first row is ... via uniq_of of that row */
		for (int64_t k = 0; k < nu; k++)
			rank[uniq_of[u[k].first]] = (int32_t)k;
		for (int64_t i = 0; i < a->n; i++)
			ids[i] = rank[uniq_of[i]];
		for (int64_t k = 0; k < nu && st == CE_OK; k++)
			if (strtab_push(&out->names, u[k].s, strlen(u[k].s)) != CE_OK)
				st = ce_err_set(err, CE_E_NOMEM, "out of memory");
		out->is_string = 1;
		out->n_classes = (int32_t)nu;
	}
	str_index_deinit(&x);
	ce_free(ptrs);
	ce_free(u);
	ce_free(rank);
	ce_free(uniq_of);
	return st;
}

static void labels_deinit(struct ds_labels *l)
{
	strtab_deinit(&l->names);
	ce_free(l->values);
	memset(l, 0, sizeof *l);
}

/* -------------------------------------------------------- per-type loaders */

static enum ce_status empty_err(const struct src *s, struct ce_err *err)
{
	return ce_err_set(err, CE_E_FORMAT, "%s:%" PRId64 ": no records (empty split)", s->path,
			  line_reader_lineno(s->r));
}

#define NOMEM(s) ce_err_set(err, CE_E_NOMEM, "%s: out of memory", (s)->path)

/* What a row function fills: the task's columns say where to read, ds (or
 * texts and acc) where to write; cap and cap2 are the capacities of the
 * growable arrays it appends to. */
struct rows {
	const struct task *t;
	struct dataset *ds;
	struct strtab *texts;  /* classification: the texts of the file being read */
	struct label_acc *acc; /* classification, clustering */
	int64_t cap, cap2;
};

/* Append one record; errors name the record's file and line. */
typedef enum ce_status (*row_fn)(const struct src *s, json_t *o, struct rows *c, struct ce_err *err);

/* Every record of <dir>/<split>.jsonl (hashed as role) through row; no records is an error. */
static enum ce_status load_rows(const char *dir, const char *split, const char *role, row_fn row, struct rows *c,
				struct ce_err *err)
{
	char rel[256];
	snprintf(rel, sizeof rel, "%s.jsonl", split);
	struct src s;
	CE_TRY(src_open(&s, dir, rel, role, &c->ds->content_hash, err));
	enum ce_status st = CE_OK;
	json_t *o;
	while (st == CE_OK && (st = src_json(&s, &o, err)) == CE_OK && o) {
		st = row(&s, o, c, err);
		json_decref(o);
	}
	if (st == CE_OK && s.n_records == 0)
		st = empty_err(&s, err);
	src_close(&s);
	return st;
}

static enum ce_status sts_row(const struct src *s, json_t *o, struct rows *c, struct ce_err *err)
{
	const struct task *t = c->t;
	struct ds_sts *d = &c->ds->sts;
	json_t *v;
	CE_TRY(push_str_field(s, o, t->columns.sentence1, &d->s1, err));
	CE_TRY(push_str_field(s, o, t->columns.sentence2, &d->s2, err));
	CE_TRY(get_field(s, o, t->columns.score, &v, err));
	if (!json_is_number(v))
		return src_err(s, err, "column '%s': expected a number, found %s", t->columns.score, json_kind(v));
	if (grow((void **)&d->score, &c->cap, d->s1.n, sizeof *d->score) != CE_OK)
		return NOMEM(s);
	double x = json_number_value(v);
	/* the range is a sanity check: out-of-range gold scores mean a wrong file or column */
	if (t->has_score_range && !(x >= t->score_min && x <= t->score_max))
		return src_err(s, err, "column '%s': expected a score in [%g, %g], found %g", t->columns.score,
			       t->score_min, t->score_max, x);
	d->score[d->s1.n - 1] = x;
	return CE_OK;
}

static enum ce_status pair_row(const struct src *s, json_t *o, struct rows *c, struct ce_err *err)
{
	const struct task *t = c->t;
	struct ds_pair *d = &c->ds->pair;
	json_t *v;
	CE_TRY(push_str_field(s, o, t->columns.sentence1, &d->s1, err));
	CE_TRY(push_str_field(s, o, t->columns.sentence2, &d->s2, err));
	CE_TRY(get_field(s, o, t->columns.label, &v, err));
	if (!(json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)))
		return src_err(s, err, "column '%s': expected the integer 0 or 1, found %s", t->columns.label,
			       json_kind(v));
	if (grow((void **)&d->label, &c->cap, d->s1.n, sizeof *d->label) != CE_OK)
		return NOMEM(s);
	d->label[d->s1.n - 1] = (int32_t)json_integer_value(v);
	return CE_OK;
}

/* Classification record: text onto c->texts, label onto c->acc. */
static enum ce_status class_row(const struct src *s, json_t *o, struct rows *c, struct ce_err *err)
{
	json_t *v;
	CE_TRY(push_str_field(s, o, c->t->columns.text, c->texts, err));
	CE_TRY(get_field(s, o, c->t->columns.label, &v, err));
	return label_add(s, c->acc, v, c->t->columns.label, err);
}

static enum ce_status load_classification(const struct task *t, const char *dir, const char *split,
					  struct dataset *ds, struct ce_err *err)
{
	struct ds_classification *d = &ds->classification;
	struct label_acc acc;
	memset(&acc, 0, sizeof acc);
	const char *train = t->train_split ? t->train_split : "train";
	struct rows c = {.t = t, .ds = ds, .texts = &d->train_texts, .acc = &acc};
	enum ce_status st = load_rows(dir, train, "train", class_row, &c, err);
	c.texts = &d->eval_texts;
	if (st == CE_OK)
		st = load_rows(dir, split, "eval", class_row, &c, err);
	if (st == CE_OK) {
		int32_t *ids = ce_malloc_array((size_t)acc.n, sizeof *ids);
		d->train_labels = ce_malloc_array((size_t)d->train_texts.n, sizeof *d->train_labels);
		d->eval_labels = ce_malloc_array((size_t)d->eval_texts.n, sizeof *d->eval_labels);
		if (!ids || !d->train_labels || !d->eval_labels)
			st = ce_err_set(err, CE_E_NOMEM, "out of memory");
		if (st == CE_OK)
			st = label_finish(&acc, &d->labels, ids, err);
		if (st == CE_OK) {
			memcpy(d->train_labels, ids, (size_t)d->train_texts.n * sizeof *ids);
			memcpy(d->eval_labels, ids + d->train_texts.n, (size_t)d->eval_texts.n * sizeof *ids);
		}
		ce_free(ids);
	}
	label_acc_deinit(&acc);
	return st;
}

static enum ce_status cluster_row(const struct src *s, json_t *o, struct rows *c, struct ce_err *err)
{
	const struct task *t = c->t;
	struct ds_clustering *d = &c->ds->clustering;
	int64_t n_sent = 0;
	json_t *lv;
	CE_TRY(push_str_array(s, o, t->columns.sentences, &d->sentences, &n_sent, err));
	if (n_sent == 0)
		return src_err(s, err, "column '%s': empty list (a clustering set needs texts)", t->columns.sentences);
	CE_TRY(get_field(s, o, t->columns.labels, &lv, err));
	if (!json_is_array(lv))
		return src_err(s, err, "column '%s': expected an array of labels, found %s", t->columns.labels,
			       json_kind(lv));
	if ((int64_t)json_array_size(lv) != n_sent)
		return src_err(s, err, "column '%s' has %zu labels but '%s' has %" PRId64 " texts", t->columns.labels,
			       json_array_size(lv), t->columns.sentences, n_sent);
	for (size_t i = 0; i < json_array_size(lv); i++)
		CE_TRY(label_add(s, c->acc, json_array_get(lv, i), t->columns.labels, err));
	if (grow((void **)&d->set_off, &c->cap, d->n_sets + 2, sizeof *d->set_off) != CE_OK)
		return NOMEM(s);
	d->set_off[0] = 0; /* n_sets + 1 offsets; the first is set with the first set */
	d->set_off[++d->n_sets] = d->sentences.n;
	return CE_OK;
}

static enum ce_status load_clustering(const struct task *t, const char *dir, const char *split, struct dataset *ds,
				      struct ce_err *err)
{
	struct ds_clustering *d = &ds->clustering;
	struct label_acc acc;
	memset(&acc, 0, sizeof acc);
	struct rows c = {.t = t, .ds = ds, .acc = &acc};
	enum ce_status st = load_rows(dir, split, "eval", cluster_row, &c, err);
	if (st == CE_OK) {
		/* every set has labels, so acc.first_path is the path of the file just read */
		d->labels = ce_malloc_array((size_t)acc.n, sizeof *d->labels);
		st = d->labels ? label_finish(&acc, &d->label_set, d->labels, err)
			       : ce_err_set(err, CE_E_NOMEM, "%s: out of memory", acc.first_path);
	}
	label_acc_deinit(&acc);
	return st;
}

static enum ce_status rerank_row(const struct src *s, json_t *o, struct rows *c, struct ce_err *err)
{
	const struct task *t = c->t;
	struct ds_reranking *d = &c->ds->reranking;
	int64_t np = 0, nn = 0;
	CE_TRY(push_str_field(s, o, t->columns.query, &d->queries, err));
	CE_TRY(push_str_array(s, o, t->columns.positive, &d->positives, &np, err));
	CE_TRY(push_str_array(s, o, t->columns.negative, &d->negatives, &nn, err));
	int64_t n = d->queries.n;
	if (grow((void **)&d->pos_off, &c->cap, n + 1, sizeof(int64_t)) != CE_OK ||
	    grow((void **)&d->neg_off, &c->cap2, n + 1, sizeof(int64_t)) != CE_OK)
		return NOMEM(s);
	d->pos_off[0] = d->neg_off[0] = 0; /* n + 1 offsets; the first is set with the first sample */
	d->pos_off[n] = d->positives.n;
	d->neg_off[n] = d->negatives.n;
	return CE_OK;
}

/* ---- retrieval */

/* Python str.isspace(): bidi types WS/B/S or category Zs (CPython's _PyUnicode_IsWhitespace table). */
static int py_isspace(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	       c == 0x3000;
}

/* Decode one UTF-8 code point at p (valid UTF-8: jansson checked it); *n = its byte length. */
static uint32_t utf8_at(const unsigned char *p, size_t left, size_t *n)
{
	unsigned char b = p[0];
	size_t k = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
	if (k > left)
		k = 1;
	uint32_t c = k == 1 ? b : k == 2 ? (b & 0x1Fu) : k == 3 ? (b & 0x0Fu) : (b & 0x07u);
	for (size_t i = 1; i < k; i++)
		c = (c << 6) | (p[i] & 0x3Fu);
	*n = k;
	return c;
}

/* Python str.strip() on a UTF-8 buffer: [*b, *e) is the kept range. */
static void py_strip(const char *s, size_t len, size_t *b, size_t *e)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	while (i < len && py_isspace(utf8_at(p + i, len - i, &n)))
		i += n;
	size_t j = len;
	while (j > i) {
		size_t k = j - 1;
		while (k > i && (p[k] & 0xC0) == 0x80)
			k--;
		if (!py_isspace(utf8_at(p + k, j - k, &n)))
			break;
		j = k;
	}
	*b = i;
	*e = j;
}

/* Id column: a string, or an integer written in decimal (mteb casts ids with str()). */
static enum ce_status push_id(const struct src *s, json_t *o, const char *col, struct strtab *t, struct ce_err *err)
{
	json_t *v;
	CE_TRY(get_field(s, o, col, &v, err));
	char num[32];
	const char *p;
	size_t len;
	if (json_is_string(v)) {
		p = json_string_value(v);
		len = json_string_length(v);
	} else if (json_is_integer(v)) {
		len = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		p = num;
	} else {
		return src_err(s, err, "column '%s': expected a string id, found %s", col, json_kind(v));
	}
	if (len == 0)
		return src_err(s, err, "column '%s': empty id", col);
	if (strtab_push(t, p, len) != CE_OK)
		return NOMEM(s);
	return CE_OK;
}

/* Check ids distinct; record the line of each for the message. */
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

static enum ce_status load_id_text(const struct task *t, const char *dir, const char *rel, const char *role,
				   int with_title, struct strtab *ids, struct strtab *texts, uint64_t *hash,
				   struct ce_err *err)
{
	struct src s;
	CE_TRY(src_open(&s, dir, rel, role, hash, err));
	int64_t *lines = NULL, cap = 0;
	char *tmp = NULL;
	size_t tmp_cap = 0;
	enum ce_status st = CE_OK;
	json_t *o;
	while (st == CE_OK && (st = src_json(&s, &o, err)) == CE_OK && o) {
		json_t *tv, *title = NULL;
		st = push_id(&s, o, t->columns.id, ids, err);
		if (st == CE_OK && grow((void **)&lines, &cap, ids->n, sizeof *lines) != CE_OK)
			st = NOMEM(&s);
		if (st == CE_OK)
			lines[ids->n - 1] = line_reader_lineno(s.r);
		if (st == CE_OK)
			st = get_field(&s, o, t->columns.text, &tv, err);
		if (st == CE_OK && !json_is_string(tv))
			st = src_err(&s, err, "column '%s': expected a string, found %s", t->columns.text, json_kind(tv));
		if (st == CE_OK && with_title) {
			/* title is optional (R3 layout); null counts as absent */
			title = json_object_get(o, t->columns.title);
			if (title && json_is_null(title))
				title = NULL;
			if (title && !json_is_string(title))
				st = src_err(&s, err, "column '%s': expected a string, found %s", t->columns.title,
					     json_kind(title));
		}
		if (st == CE_OK && with_title) {
			/* MTEB/BEIR: (title + " " + text).strip(), title "" when absent */
			size_t tl = title ? json_string_length(title) : 0, xl = json_string_length(tv);
			size_t need = tl + 1 + xl;
			if (need > tmp_cap) {
				char *nt = ce_realloc(tmp, need);
				if (!nt) {
					st = NOMEM(&s);
				} else {
					tmp = nt;
					tmp_cap = need;
				}
			}
			if (st == CE_OK) {
				if (tl)
					memcpy(tmp, json_string_value(title), tl);
				tmp[tl] = ' ';
				memcpy(tmp + tl + 1, json_string_value(tv), xl);
				size_t b, e;
				py_strip(tmp, need, &b, &e);
				if (strtab_push(texts, tmp + b, e - b) != CE_OK)
					st = NOMEM(&s);
			}
		} else if (st == CE_OK) {
			if (strtab_push(texts, json_string_value(tv), json_string_length(tv)) != CE_OK)
				st = NOMEM(&s);
		}
		json_decref(o);
	}
	if (st == CE_OK && ids->n == 0)
		st = empty_err(&s, err);
	if (st == CE_OK)
		st = check_unique_ids(s.path, ids, lines, err);
	ce_free(lines);
	ce_free(tmp);
	src_close(&s);
	return st;
}

/* Split a TSV line into exactly 3 fields (trailing '\r' dropped). */
static int split3(const char *line, size_t len, const char *f[3], size_t fl[3])
{
	if (len && line[len - 1] == '\r')
		len--;
	size_t start = 0;
	int k = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == '\t') {
			if (k == 3)
				return 0;
			f[k] = line + start;
			fl[k] = i - start;
			k++;
			start = i + 1;
		}
	}
	return k == 3;
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

/* Look s[0..len) up in an index over ids; -1 if absent. */
static int64_t lookup(struct str_index *x, const char *const *ptrs, char *buf, const char *s, size_t len)
{
	memcpy(buf, s, len);
	buf[len] = '\0';
	size_t h = (size_t)ce_fnv1a64(CE_FNV1A64_INIT, buf, len) & x->mask;
	for (;;) {
		int64_t v = x->slots[h];
		if (v == 0)
			return -1;
		if (strcmp(ptrs[v - 1], buf) == 0)
			return v - 1;
		h = (h + 1) & x->mask;
	}
}

static enum ce_status load_qrels(const char *dir, const char *split, struct ds_retrieval *d, uint64_t *hash,
				 struct ce_err *err)
{
	char rel[256];
	snprintf(rel, sizeof rel, "qrels/%s.tsv", split);
	struct src s;
	CE_TRY(src_open(&s, dir, rel, "qrels", hash, err));
	struct str_index xq = {0}, xd = {0};
	const char **pq = strtab_pointers(&d->query_ids), **pd = strtab_pointers(&d->corpus_ids);
	struct qrel_key *keys = NULL;
	int64_t cap_q = 0, cap_d = 0, cap_s = 0, cap_k = 0;
	char *buf = NULL;
	enum ce_status st = CE_OK;
	if (!pq || !pd || str_index_init(&xq, d->query_ids.n) != CE_OK || str_index_init(&xd, d->corpus_ids.n) != CE_OK)
		st = NOMEM(&s);
	for (int64_t i = 0; st == CE_OK && i < d->query_ids.n; i++)
		str_index_find_or_add(&xq, pq, pq[i], i);
	for (int64_t i = 0; st == CE_OK && i < d->corpus_ids.n; i++)
		str_index_find_or_add(&xd, pd, pd[i], i);
	int header = 1;
	while (st == CE_OK) {
		const char *line;
		size_t len;
		int eof;
		st = src_line(&s, &line, &len, &eof, err);
		if (st != CE_OK || eof)
			break;
		const char *f[3];
		size_t fl[3];
		if (!split3(line, len, f, fl)) {
			st = src_err(&s, err, "expected 3 tab-separated fields (query-id, corpus-id, score)");
			break;
		}
		if (header) {
			/* BEIR's loader skips the first row; require it to be the header so a
			   missing header does not silently drop a judgement */
			if (!(fl[0] == 8 && !memcmp(f[0], "query-id", 8) && fl[1] == 9 && !memcmp(f[1], "corpus-id", 9) &&
			      fl[2] == 5 && !memcmp(f[2], "score", 5)))
				st = src_err(&s, err, "expected the header 'query-id<TAB>corpus-id<TAB>score'");
			header = 0;
			continue;
		}
		char *nb = ce_realloc(buf, len + 1);
		if (!nb) {
			st = NOMEM(&s);
			break;
		}
		buf = nb;
		int64_t qi = lookup(&xq, pq, buf, f[0], fl[0]);
		if (qi < 0) {
			st = src_err(&s, err, "query id '%.*s' is not in queries.jsonl", (int)(fl[0] > 200 ? 200 : fl[0]), f[0]);
			break;
		}
		int64_t di = lookup(&xd, pd, buf, f[1], fl[1]);
		if (di < 0) {
			st = src_err(&s, err, "corpus id '%.*s' is not in corpus.jsonl", (int)(fl[1] > 200 ? 200 : fl[1]), f[1]);
			break;
		}
		/* integer relevance (pytrec_eval requires ints): optional sign, digits, int32 range */
		const char *p = f[2];
		size_t pl = fl[2], i = 0;
		int neg = 0;
		if (pl && (p[0] == '-' || p[0] == '+')) {
			neg = p[0] == '-';
			i = 1;
		}
		int64_t v = 0;
		int ok = i < pl && pl - i <= 10;
		for (; ok && i < pl; i++) {
			if (p[i] < '0' || p[i] > '9')
				ok = 0;
			else
				v = v * 10 + (p[i] - '0');
		}
		if (neg)
			v = -v;
		if (!ok || v > INT32_MAX || v < INT32_MIN) {
			st = src_err(&s, err, "score: expected an integer, found '%.*s'", (int)(pl > 40 ? 40 : pl), p);
			break;
		}
		int64_t n = d->n_qrels;
		if (grow((void **)&d->qrel_query, &cap_q, n + 1, sizeof *d->qrel_query) != CE_OK ||
		    grow((void **)&d->qrel_doc, &cap_d, n + 1, sizeof *d->qrel_doc) != CE_OK ||
		    grow((void **)&d->qrel_score, &cap_s, n + 1, sizeof *d->qrel_score) != CE_OK ||
		    grow((void **)&keys, &cap_k, n + 1, sizeof *keys) != CE_OK) {
			st = NOMEM(&s);
			break;
		}
		d->qrel_query[n] = qi;
		d->qrel_doc[n] = di;
		d->qrel_score[n] = (int32_t)v;
		keys[n] = (struct qrel_key){qi, di, line_reader_lineno(s.r)};
		d->n_qrels++;
	}
	if (st == CE_OK && d->n_qrels == 0)
		st = empty_err(&s, err);
	if (st == CE_OK) {
		/* a repeated (query, doc) pair would silently overwrite in BEIR's dict: reject it */
		qsort(keys, (size_t)d->n_qrels, sizeof *keys, cmp_qrel_key);
		for (int64_t i = 1; i < d->n_qrels && st == CE_OK; i++)
			if (keys[i].q == keys[i - 1].q && keys[i].d == keys[i - 1].d)
				st = ce_err_set(err, CE_E_FORMAT,
						"%s:%" PRId64 ": duplicate judgement for query '%s' and corpus id '%s' (first on line %" PRId64 ")",
						s.path, keys[i].line, pq[keys[i].q], pd[keys[i].d], keys[i - 1].line);
	}
	str_index_deinit(&xq);
	str_index_deinit(&xd);
	ce_free(pq);
	ce_free(pd);
	ce_free(keys);
	ce_free(buf);
	src_close(&s);
	return st;
}

static enum ce_status load_retrieval(const struct task *t, const char *dir, const char *split, struct dataset *ds,
				     struct ce_err *err)
{
	struct ds_retrieval *d = &ds->retrieval;
	CE_TRY(load_id_text(t, dir, "corpus.jsonl", "corpus", 1, &d->corpus_ids, &d->corpus_texts, &ds->content_hash,
			    err));
	CE_TRY(load_id_text(t, dir, "queries.jsonl", "queries", 0, &d->query_ids, &d->query_texts, &ds->content_hash,
			    err));
	return load_qrels(dir, split, d, &ds->content_hash, err);
}

/* ------------------------------------------------------------ entry points */

void dataset_free(struct dataset *ds)
{
	if (!ds)
		return;
	ce_free(ds->split);
	struct ds_retrieval *r = &ds->retrieval;
	strtab_deinit(&r->corpus_ids);
	strtab_deinit(&r->corpus_texts);
	strtab_deinit(&r->query_ids);
	strtab_deinit(&r->query_texts);
	ce_free(r->qrel_query);
	ce_free(r->qrel_doc);
	ce_free(r->qrel_score);
	struct ds_reranking *k = &ds->reranking;
	strtab_deinit(&k->queries);
	strtab_deinit(&k->positives);
	strtab_deinit(&k->negatives);
	ce_free(k->pos_off);
	ce_free(k->neg_off);
	strtab_deinit(&ds->sts.s1);
	strtab_deinit(&ds->sts.s2);
	ce_free(ds->sts.score);
	strtab_deinit(&ds->pair.s1);
	strtab_deinit(&ds->pair.s2);
	ce_free(ds->pair.label);
	struct ds_classification *c = &ds->classification;
	strtab_deinit(&c->train_texts);
	strtab_deinit(&c->eval_texts);
	ce_free(c->train_labels);
	ce_free(c->eval_labels);
	labels_deinit(&c->labels);
	struct ds_clustering *u = &ds->clustering;
	ce_free(u->set_off);
	strtab_deinit(&u->sentences);
	ce_free(u->labels);
	labels_deinit(&u->label_set);
	ce_free(ds);
}

enum ce_status dataset_load(const struct task *t, const char *data_root, const char *split, struct dataset **out,
			    struct ce_err *err)
{
	*out = NULL;
	/* split names become file names: same rule as the task loader */
	if (!split[0] || split[0] == '.' || strchr(split, '/') || strlen(split) > 200)
		return ce_err_set(err, CE_E_INVALID_ARG, "'%s': not a valid split name", split);
	char *dir = fs_join(data_root, t->dataset_path);
	struct dataset *ds = ce_calloc(1, sizeof *ds);
	if (!dir || !ds || !(ds->split = ce_strdup(split))) {
		ce_free(dir);
		dataset_free(ds);
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	ds->type = t->type;
	ds->content_hash = CE_FNV1A64_INIT;
	enum ce_status st;
	struct rows c = {.t = t, .ds = ds};
	switch (t->type) {
	case TASK_TYPE_RETRIEVAL: st = load_retrieval(t, dir, split, ds, err); break;
	case TASK_TYPE_RERANKING: st = load_rows(dir, split, "eval", rerank_row, &c, err); break;
	case TASK_TYPE_STS: st = load_rows(dir, split, "eval", sts_row, &c, err); break;
	case TASK_TYPE_PAIR_CLASSIFICATION: st = load_rows(dir, split, "eval", pair_row, &c, err); break;
	case TASK_TYPE_CLASSIFICATION: st = load_classification(t, dir, split, ds, err); break;
	case TASK_TYPE_CLUSTERING: st = load_clustering(t, dir, split, ds, err); break;
	default: st = ce_err_set(err, CE_E_INVALID_ARG, "task %s: bad type %d", t->name, (int)t->type); break;
	}
	ce_free(dir);
	if (st != CE_OK) {
		dataset_free(ds);
		return st;
	}
	*out = ds;
	return CE_OK;
}

int64_t dataset_n_rows(const struct dataset *ds)
{
	switch (ds->type) {
	case TASK_TYPE_RETRIEVAL: return ds->retrieval.query_ids.n;
	case TASK_TYPE_RERANKING: return ds->reranking.queries.n;
	case TASK_TYPE_STS: return ds->sts.s1.n;
	case TASK_TYPE_PAIR_CLASSIFICATION: return ds->pair.s1.n;
	case TASK_TYPE_CLASSIFICATION: return ds->classification.eval_texts.n;
	case TASK_TYPE_CLUSTERING: return ds->clustering.n_sets;
	default: return 0;
	}
}

void dataset_hash_hex(const struct dataset *ds, char buf[17])
{
	snprintf(buf, 17, "%016" PRIx64, ds->content_hash);
}

/* -------------------------------------------------------- de-duplication */

enum ce_status dataset_dedup(const char *const *texts, int64_t n, int64_t **uniq, int64_t *n_uniq, int64_t **map,
			     struct ce_err *err)
{
	*uniq = NULL;
	*map = NULL;
	*n_uniq = 0;
	if (n < 0)
		return ce_err_set(err, CE_E_INVALID_ARG, "dataset_dedup: negative count %" PRId64, n);
	int64_t *u = ce_malloc_array(n ? (size_t)n : 1, sizeof *u);
	int64_t *m = ce_malloc_array(n ? (size_t)n : 1, sizeof *m);
	struct str_index x = {0};
	if (!u || !m || str_index_init(&x, n) != CE_OK) {
		ce_free(u);
		ce_free(m);
		return ce_err_set(err, CE_E_NOMEM, "dataset_dedup: out of memory for %" PRId64 " texts", n);
	}
	int64_t nu = 0;
	for (int64_t i = 0; i < n; i++) {
		int64_t f = str_index_find_or_add(&x, texts, texts[i], i);
		if (f < 0) {
			m[i] = nu;
			u[nu++] = i;
		} else {
			m[i] = m[f];
		}
	}
	str_index_deinit(&x);
	*uniq = u;
	*map = m;
	*n_uniq = nu;
	return CE_OK;
}
