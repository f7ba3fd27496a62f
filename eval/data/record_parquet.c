/*
 * record_parquet.c - Parquet as a record source (record.h), over one file or
 * several shards read in order, on the streaming reader of parquet.h; the
 * "explode" wrapper for rows that hold parallel lists; and the rows of one
 * (config, split) of a hub dataset snapshot (hub_layout.h).
 *
 * Values: BOOL -> RECORD_BOOL; signed and unsigned integers, dates and
 * timestamps -> RECORD_INT (unsigned past INT64_MAX -> RECORD_REAL); FLOAT /
 * DOUBLE -> RECORD_REAL; strings and binary -> RECORD_STR; a list column ->
 * RECORD_LIST of those; null -> RECORD_NULL.  Columns this reader cannot
 * read (structs, maps, nested lists) are left out: asking for one gives
 * RECORD_MISSING.  A string holding a NUL byte is an error (texts reach the
 * tokenizer as C strings), as in jsonl.c.
 *
 * Content hash: for every row, every readable column in schema order, folded
 * as: name, NUL, then a tag and the value - 'N' (null), 'b' + 1 byte, 'i' +
 * int64 little-endian, 'u' + uint64 LE, 'd' + the IEEE bits LE, 's' + length
 * (uint64 LE) + bytes, 'l' + count (uint64 LE) + each element in the same
 * form.  So the hash depends on the values only (not on the file's
 * encoding, compression, row groups, sharding or path), and changes when
 * any value does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "ce_hash.h"
#include "hub_layout.h"
#include "parquet.h"
#include "record.h"

struct pq_source {
	struct record_source base; /* first */
	char **paths;
	size_t n_paths, cur; /* cur: index of the open shard (n_paths once all are read) */
	struct parquet *pq;
	int *cols;     /* selected (readable) columns of the open shard */
	int n_cols;
	int64_t row;   /* 1-based row in the open shard */
	uint64_t *hash;
};

static void fold(struct pq_source *s, const void *p, size_t n)
{
	if (s->hash)
		*s->hash = ce_fnv1a64(*s->hash, p, n);
}

static void fold_u64(struct pq_source *s, char tag, uint64_t v)
{
	unsigned char b[9];
	b[0] = (unsigned char)tag;
	for (int i = 0; i < 8; i++)
		b[1 + i] = (unsigned char)(v >> (8 * i));
	fold(s, b, 9);
}

/* Fold element k (k == SIZE_MAX: the flat value) of column c; check strings for NUL. */
static enum ce_status fold_value(struct pq_source *s, int c, size_t k, struct ce_err *err)
{
	const struct parquet *pq = s->pq;
	int ok = 0;
	switch (parquet_column_kind(pq, c)) {
	case PARQUET_KIND_BOOL: {
		int v;
		if ((ok = k == SIZE_MAX ? parquet_get_bool(pq, c, &v) : parquet_list_get_bool(pq, c, k, &v))) {
			unsigned char b[2] = {'b', (unsigned char)(v != 0)};
			fold(s, b, 2);
		}
		break;
	}
	case PARQUET_KIND_UINT: {
		uint64_t v;
		if ((ok = k == SIZE_MAX ? parquet_get_u64(pq, c, &v) : parquet_list_get_u64(pq, c, k, &v)))
			fold_u64(s, 'u', v);
		break;
	}
	case PARQUET_KIND_INT:
	case PARQUET_KIND_DATE:
	case PARQUET_KIND_TIMESTAMP: {
		int64_t v;
		if ((ok = k == SIZE_MAX ? parquet_get_i64(pq, c, &v) : parquet_list_get_i64(pq, c, k, &v)))
			fold_u64(s, 'i', (uint64_t)v);
		break;
	}
	case PARQUET_KIND_DOUBLE: {
		double v;
		if ((ok = k == SIZE_MAX ? parquet_get_f64(pq, c, &v) : parquet_list_get_f64(pq, c, k, &v))) {
			uint64_t bits;
			memcpy(&bits, &v, sizeof bits);
			fold_u64(s, 'd', bits);
		}
		break;
	}
	case PARQUET_KIND_STRING:
	case PARQUET_KIND_BINARY: {
		const char *p;
		size_t n;
		if ((ok = k == SIZE_MAX ? parquet_get_str(pq, c, &p, &n) : parquet_list_get_str(pq, c, k, &p, &n))) {
			if (memchr(p, 0, n))
				return record_err(&s->base, err, "column '%s': string holds a NUL byte",
						  parquet_column_name(pq, c));
			fold_u64(s, 's', n);
			fold(s, p, n);
		}
		break;
	}
	default: break;
	}
	if (!ok)
		fold(s, "N", 1);
	return CE_OK;
}

static void pq_close_shard(struct pq_source *s)
{
	parquet_close(s->pq);
	s->pq = NULL;
	ce_free(s->cols);
	s->cols = NULL;
	s->n_cols = 0;
}

static enum ce_status pq_open_shard(struct pq_source *s, struct ce_err *err)
{
	s->base.path = s->paths[s->cur];
	s->row = 0;
	if (!(s->pq = parquet_open(s->paths[s->cur], NULL, err)))
		return err && err->code ? err->code : CE_E_FORMAT;
	int nc = parquet_num_columns(s->pq);
	if (!(s->cols = ce_malloc_array(nc ? (size_t)nc : 1, sizeof *s->cols)))
		return record_nomem(&s->base, err);
	for (int c = 0; c < nc; c++)
		if (parquet_column_kind(s->pq, c) != PARQUET_KIND_UNSUPPORTED)
			s->cols[s->n_cols++] = c;
	return parquet_select(s->pq, s->cols, s->n_cols, err);
}

static enum ce_status pq_next(struct record_source *base, bool *has_row, struct ce_err *err)
{
	struct pq_source *s = (struct pq_source *)base;
	*has_row = false;
	while (s->cur < s->n_paths) {
		if (!s->pq)
			CE_TRY(pq_open_shard(s, err));
		int has = 0;
		CE_TRY(parquet_next_row(s->pq, &has, err));
		if (has) {
			s->row++;
			for (int i = 0; i < s->n_cols; i++) {
				int c = s->cols[i];
				const char *name = parquet_column_name(s->pq, c);
				fold(s, name, strlen(name) + 1);
				if (parquet_column_is_list(s->pq, c)) {
					if (parquet_is_null(s->pq, c)) {
						fold(s, "N", 1);
						continue;
					}
					size_t n = parquet_list_len(s->pq, c);
					fold_u64(s, 'l', n);
					for (size_t k = 0; k < n; k++)
						CE_TRY(fold_value(s, c, k, err));
				} else {
					CE_TRY(fold_value(s, c, SIZE_MAX, err));
				}
			}
			s->base.n_rows++;
			*has_row = true;
			return CE_OK;
		}
		if (s->cur + 1 == s->n_paths)
			break; /* keep the last shard open: pos and path stay meaningful */
		pq_close_shard(s);
		s->cur++;
	}
	return CE_OK;
}

/* Value of column c (element k, or the flat value when k == SIZE_MAX). */
static void pq_fill(const struct parquet *pq, int c, size_t k, struct record_value *out)
{
	memset(out, 0, sizeof *out);
	out->kind = RECORD_NULL;
	switch (parquet_column_kind(pq, c)) {
	case PARQUET_KIND_BOOL: {
		int v;
		if (k == SIZE_MAX ? parquet_get_bool(pq, c, &v) : parquet_list_get_bool(pq, c, k, &v)) {
			out->kind = RECORD_BOOL;
			out->b = v != 0;
		}
		break;
	}
	case PARQUET_KIND_UINT: {
		uint64_t v;
		if (k == SIZE_MAX ? parquet_get_u64(pq, c, &v) : parquet_list_get_u64(pq, c, k, &v)) {
			if (v <= INT64_MAX) {
				out->kind = RECORD_INT;
				out->i = (int64_t)v;
			} else {
				out->kind = RECORD_REAL;
			}
			out->num = (double)v;
		}
		break;
	}
	case PARQUET_KIND_INT:
	case PARQUET_KIND_DATE:
	case PARQUET_KIND_TIMESTAMP: {
		int64_t v;
		if (k == SIZE_MAX ? parquet_get_i64(pq, c, &v) : parquet_list_get_i64(pq, c, k, &v)) {
			out->kind = RECORD_INT;
			out->i = v;
			out->num = (double)v;
		}
		break;
	}
	case PARQUET_KIND_DOUBLE: {
		double v;
		if (k == SIZE_MAX ? parquet_get_f64(pq, c, &v) : parquet_list_get_f64(pq, c, k, &v)) {
			out->kind = RECORD_REAL;
			out->num = v;
		}
		break;
	}
	case PARQUET_KIND_STRING:
	case PARQUET_KIND_BINARY: {
		const char *p;
		size_t n;
		if (k == SIZE_MAX ? parquet_get_str(pq, c, &p, &n) : parquet_list_get_str(pq, c, k, &p, &n)) {
			out->kind = RECORD_STR;
			out->str = p;
			out->len = n;
		}
		break;
	}
	default: out->kind = RECORD_MISSING; break;
	}
}

static int pq_selected(const struct pq_source *s, int c)
{
	for (int i = 0; i < s->n_cols; i++)
		if (s->cols[i] == c)
			return 1;
	return 0;
}

static void pq_get(struct record_source *base, const char *col, struct record_value *out)
{
	struct pq_source *s = (struct pq_source *)base;
	memset(out, 0, sizeof *out);
	out->kind = RECORD_MISSING;
	if (!s->pq || s->row == 0)
		return;
	int c = parquet_column_find(s->pq, col);
	if (c < 0 || !pq_selected(s, c))
		return;
	if (parquet_column_is_list(s->pq, c)) {
		if (parquet_is_null(s->pq, c)) {
			out->kind = RECORD_NULL;
			return;
		}
		out->kind = RECORD_LIST;
		out->n = parquet_list_len(s->pq, c);
		out->impl = (const void *)(intptr_t)(c + 1);
		return;
	}
	pq_fill(s->pq, c, SIZE_MAX, out);
}

static void pq_elem(struct record_source *base, const struct record_value *list, size_t i, struct record_value *out)
{
	struct pq_source *s = (struct pq_source *)base;
	pq_fill(s->pq, (int)((intptr_t)list->impl - 1), i, out);
}

static int64_t pq_pos(const struct record_source *base)
{
	const struct pq_source *s = (const struct pq_source *)base;
	return s->row;
}

static void pq_free(struct record_source *base)
{
	struct pq_source *s = (struct pq_source *)base;
	pq_close_shard(s);
	for (size_t i = 0; i < s->n_paths; i++)
		ce_free(s->paths[i]);
	ce_free(s->paths);
	ce_free(s);
}

static const struct record_ops pq_ops = {"parquet", pq_next, pq_get, pq_elem, pq_pos, pq_free};

enum ce_status parquet_source_open_shards(const char *const *paths, size_t n, uint64_t *hash,
					  struct record_source **out, struct ce_err *err)
{
	*out = NULL;
	if (n == 0)
		return ce_err_set(err, CE_E_INVALID_ARG, "parquet_source_open_shards: no files");
	struct pq_source *s = ce_calloc(1, sizeof *s);
	if (!s || !(s->paths = ce_calloc(n, sizeof *s->paths))) {
		ce_free(s);
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	s->base.ops = &pq_ops;
	s->hash = hash;
	for (size_t i = 0; i < n; i++) {
		if (!(s->paths[i] = ce_strdup(paths[i]))) {
			pq_free(&s->base);
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		}
		s->n_paths++;
	}
	s->base.path = s->paths[0];
	/* open the first shard now, so a file that is not Parquet fails at open */
	enum ce_status st = pq_open_shard(s, err);
	if (st != CE_OK) {
		pq_free(&s->base);
		return st;
	}
	*out = &s->base;
	return CE_OK;
}

enum ce_status parquet_source_open(const char *path, uint64_t *hash, struct record_source **out, struct ce_err *err)
{
	return parquet_source_open_shards(&path, 1, hash, out, err);
}

/* ------------------------------------------------------------------ explode */

struct explode_source {
	struct record_source base; /* first */
	struct record_source *in;
	char **cols;
	int n_cols;
	int listed;   /* the current inner row holds lists (exploded), else passed through */
	size_t k, n;  /* element k of n of the current inner row */
	bool started;
};

static int ex_is_col(const struct explode_source *s, const char *col)
{
	for (int i = 0; i < s->n_cols; i++)
		if (strcmp(s->cols[i], col) == 0)
			return 1;
	return 0;
}

static enum ce_status ex_next(struct record_source *base, bool *has_row, struct ce_err *err)
{
	struct explode_source *s = (struct explode_source *)base;
	*has_row = false;
	if (s->started && s->listed && s->k + 1 < s->n) {
		s->k++;
		s->base.n_rows++;
		*has_row = true;
		return CE_OK;
	}
	for (;;) {
		bool has;
		CE_TRY(record_next(s->in, &has, err));
		s->base.path = s->in->path;
		if (!has)
			return CE_OK;
		s->started = true;
		struct record_value v;
		record_get(s->in, s->cols[0], &v);
		s->listed = v.kind == RECORD_LIST;
		s->k = 0;
		s->n = s->listed ? v.n : 1;
		for (int i = 1; s->listed && i < s->n_cols; i++) {
			struct record_value w;
			record_get(s->in, s->cols[i], &w);
			if (w.kind == RECORD_MISSING && i >= 2)
				continue; /* an optional column (past the first two) the row does not have */
			if (w.kind != RECORD_LIST || w.n != s->n)
				return record_err(s->in, err,
						  "column '%s': expected a list of %zu elements like column '%s', found %s",
						  s->cols[i], s->n, s->cols[0],
						  w.kind == RECORD_LIST ? "a list of another length" : record_kind_name(w.kind));
		}
		if (s->n == 0)
			continue; /* a row of empty lists yields no rows */
		s->base.n_rows++;
		*has_row = true;
		return CE_OK;
	}
}

static void ex_get(struct record_source *base, const char *col, struct record_value *out)
{
	struct explode_source *s = (struct explode_source *)base;
	if (!s->listed || !ex_is_col(s, col)) {
		record_get(s->in, col, out);
		return;
	}
	struct record_value list;
	record_get(s->in, col, &list);
	record_elem(s->in, &list, s->k, out);
}

static void ex_elem(struct record_source *base, const struct record_value *list, size_t i, struct record_value *out)
{
	struct explode_source *s = (struct explode_source *)base;
	record_elem(s->in, list, i, out);
}

static int64_t ex_pos(const struct record_source *base)
{
	const struct explode_source *s = (const struct explode_source *)base;
	return record_pos(s->in);
}

static void ex_close(struct record_source *base)
{
	struct explode_source *s = (struct explode_source *)base;
	record_source_close(s->in);
	for (int i = 0; i < s->n_cols; i++)
		ce_free(s->cols[i]);
	ce_free(s->cols);
	ce_free(s);
}

static const struct record_ops ex_ops = {"explode", ex_next, ex_get, ex_elem, ex_pos, ex_close};

enum ce_status record_source_explode(struct record_source *in, const char *const *cols, int n_cols,
				     struct record_source **out, struct ce_err *err)
{
	*out = NULL;
	struct explode_source *s = ce_calloc(1, sizeof *s);
	if (!s || n_cols <= 0 || !(s->cols = ce_calloc((size_t)n_cols, sizeof *s->cols))) {
		ce_free(s);
		record_source_close(in);
		return n_cols <= 0 ? ce_err_set(err, CE_E_INVALID_ARG, "record_source_explode: no columns")
				   : ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	s->base.ops = &ex_ops;
	s->in = in;
	s->base.path = in->path;
	for (int i = 0; i < n_cols; i++) {
		if (!(s->cols[i] = ce_strdup(cols[i]))) {
			ex_close(&s->base);
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		}
		s->n_cols++;
	}
	*out = &s->base;
	return CE_OK;
}

/* -------------------------------------------------------------- hub splits */

enum ce_status record_source_hub(const char *snapshot, const char *config, const char *split, const char *role,
				 uint64_t *hash, struct record_source **out, struct ce_err *err)
{
	*out = NULL;
	struct hub_layout *l;
	CE_TRY(hub_layout_read(snapshot, &l, err));
	const struct hub_split *hs = hub_layout_find(l, config, split);
	enum ce_status st;
	if (!hs || hs->n_files == 0) {
		st = ce_err_set(err, CE_E_NOT_FOUND, "%s: the dataset has no config '%s' with split '%s'", snapshot,
				config ? config : "default", split);
	} else {
		int all_pq = 1;
		for (int32_t i = 0; i < hs->n_files; i++) {
			size_t n = strlen(hs->files[i]);
			if (n < 8 || strcmp(hs->files[i] + n - 8, ".parquet") != 0)
				all_pq = 0;
		}
		if (all_pq)
			st = parquet_source_open_shards((const char *const *)hs->files, (size_t)hs->n_files, hash, out,
							err);
		else if (hs->n_files == 1)
			st = record_source_open(hs->files[0], hash, out, err);
		else
			st = ce_err_set(err, CE_E_UNSUPPORTED,
					"%s: config '%s' split '%s' has %d files that are not all Parquet", snapshot,
					hs->config, hs->split, (int)hs->n_files);
	}
	hub_layout_free(l);
	if (st == CE_OK && hash)
		*hash = ce_fnv1a64(*hash, role, strlen(role) + 1);
	return st;
}

int record_hub_has_config(const char *snapshot, const char *config)
{
	struct hub_layout *l;
	struct ce_err e = {0};
	if (hub_layout_read(snapshot, &l, &e) != CE_OK)
		return 0;
	int r = hub_layout_has_config(l, config);
	hub_layout_free(l);
	return r;
}
