/*
 * t_common.c - helpers shared by the task-type loaders (t_common.h).
 */
#include "t_common.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "sorted_i64.h"

enum ce_status t_open_rows(const struct data_location *loc, const char *config, const char *stem, const char *role,
			   uint64_t *hash, struct record_source **out, struct ce_err *err)
{
	if (loc->snapshot)
		return record_source_hub(loc->snapshot, config, stem, role, hash, out, err);
	return record_source_find(loc->dir, stem, role, hash, out, err);
}

enum ce_status t_read_rows(struct record_source *s, t_row_fn row, struct t_rows *c, struct ce_err *err)
{
	enum ce_status st = CE_OK;
	bool has_row;
	while (st == CE_OK && (st = record_next(s, &has_row, err)) == CE_OK && has_row)
		st = row(s, c, err);
	if (st == CE_OK && s->n_rows == 0)
		st = record_empty(s, err);
	record_source_close(s);
	return st;
}

enum ce_status t_load_rows(const struct data_location *loc, const char *stem, const char *role, t_row_fn row,
			   struct t_rows *c, struct ce_err *err)
{
	struct record_source *s;
	CE_TRY(t_open_rows(loc, c->t->hf_subset, stem, role, &c->ds->content_hash, &s, err));
	return t_read_rows(s, row, c, err);
}

/* ------------------------------------------------------------------ labels */

void t_label_acc_deinit(struct t_label_acc *a)
{
	ce_free(a->first_path);
	strtab_deinit(&a->strs);
	ce_free(a->ints);
	memset(a, 0, sizeof *a);
}

enum ce_status t_label_add(const struct record_source *s, struct t_label_acc *a, const struct record_value *v,
			   const char *col, struct ce_err *err)
{
	int kind = v->kind == RECORD_INT ? 1 : v->kind == RECORD_STR ? 2 : 0;
	if (!kind)
		return record_err(s, err, "column '%s': expected an integer or a string label, found %s", col,
				  record_kind_name(v->kind));
	if (a->kind == 0) {
		a->kind = kind;
		a->first_line = record_pos(s);
		if (!(a->first_path = ce_strdup(s->path)))
			return record_nomem(s, err);
	} else if (a->kind != kind) {
		return record_err(s, err, "column '%s': mixed label types: %s here, but %s at %s:%" PRId64, col,
				  kind == 1 ? "an integer" : "a string", a->kind == 1 ? "an integer" : "a string",
				  a->first_path, a->first_line);
	}
	if (kind == 2) {
		if (strtab_push(&a->strs, v->str, v->len) != CE_OK)
			return record_nomem(s, err);
	} else {
		if (strtab_grow((void **)&a->ints, &a->cap, a->n + 1, sizeof *a->ints) != CE_OK)
			return record_nomem(s, err);
		a->ints[a->n] = v->i;
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

enum ce_status t_label_finish(struct t_label_acc *a, struct ds_labels *out, int32_t *ids, struct ce_err *err)
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

void t_labels_deinit(struct ds_labels *l)
{
	strtab_deinit(&l->names);
	ce_free(l->values);
	memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------ str.strip() */

/* Python str.isspace(): bidi types WS/B/S or category Zs (CPython's _PyUnicode_IsWhitespace table). */
static int py_isspace(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	       c == 0x3000;
}

/* Decode one UTF-8 code point at p (valid UTF-8: the record source checked it); *n = its byte length. */
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

void t_py_strip(const char *s, size_t len, size_t *b, size_t *e)
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
