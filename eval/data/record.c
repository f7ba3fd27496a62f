/*
 * record.c - the record interface (record.h): opening a source by file
 * name, the checked getters and their messages, and the line helpers that
 * line-based formats share.
 */
#include "record.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "ce_hash.h"
#include "fs_util.h"

const char *record_kind_name(enum record_kind k)
{
	switch (k) {
	case RECORD_MISSING: return "nothing";
	case RECORD_NULL: return "null";
	case RECORD_BOOL: return "a boolean";
	case RECORD_INT: return "an integer";
	case RECORD_REAL: return "a real number";
	case RECORD_STR: return "a string";
	case RECORD_LIST: return "an array";
	case RECORD_MAP: return "an object";
	case RECORD_KIND_COUNT: break;
	}
	return "?";
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

enum ce_status record_source_open(const char *path, uint64_t *hash, struct record_source **out, struct ce_err *err)
{
	*out = NULL;
	if (ends_with(path, ".parquet"))
		return parquet_source_open(path, hash, out, err);
	return jsonl_source_open(path, hash, out, err);
}

enum ce_status record_find_file(const char *dir, const char *rel, char **path, struct ce_err *err)
{
	*path = NULL;
	char *p = fs_join(dir, rel);
	if (!p)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	/* a folder, FIFO or device in a file's place is named as such (and a FIFO never read) */
	if (fs_require_regular(p, err) != CE_OK) {
		ce_free(p);
		return CE_E_IO;
	}
	if (!fs_is_file(p)) {
		size_t n = strlen(p) + 5;
		char *z = ce_malloc(n);
		if (!z) {
			ce_free(p);
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		}
		snprintf(z, n, "%s.zst", p);
		if (fs_require_regular(z, err) != CE_OK) {
			ce_free(z);
			ce_free(p);
			return CE_E_IO;
		}
		if (!fs_is_file(z)) {
			enum ce_status st = ce_err_set(err, CE_E_NOT_FOUND, "%s: not found (nor %s)", p, z);
			ce_free(z);
			ce_free(p);
			return st;
		}
		ce_free(p);
		p = z;
	}
	*path = p;
	return CE_OK;
}

enum ce_status record_source_find(const char *dir, const char *stem, const char *role, uint64_t *hash,
				  struct record_source **out, struct ce_err *err)
{
	*out = NULL;
	char rel[256];
	snprintf(rel, sizeof rel, "%s.jsonl", stem);
	char *p;
	CE_TRY(record_find_file(dir, rel, &p, err));
	enum ce_status st = record_source_open(p, hash, out, err);
	ce_free(p);
	if (st == CE_OK && hash)
		*hash = ce_fnv1a64(*hash, role, strlen(role) + 1);
	return st;
}

void record_source_close(struct record_source *s)
{
	if (s)
		s->ops->close(s);
}

enum ce_status record_err(const struct record_source *s, struct ce_err *err, const char *fmt, ...)
{
	char msg[CE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ce_err_set(err, CE_E_FORMAT, "%s:%" PRId64 ": %s", s->path, record_pos(s), msg);
}

enum ce_status record_nomem(const struct record_source *s, struct ce_err *err)
{
	return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", s->path);
}

enum ce_status record_empty(const struct record_source *s, struct ce_err *err)
{
	return ce_err_set(err, CE_E_FORMAT, "%s:%" PRId64 ": no records (empty split)", s->path, record_pos(s));
}

enum ce_status record_col(struct record_source *s, const char *col, struct record_value *v, struct ce_err *err)
{
	record_get(s, col, v);
	if (v->kind == RECORD_MISSING)
		return record_err(s, err, "missing column '%s'", col);
	return CE_OK;
}

enum ce_status record_get_str(struct record_source *s, const char *col, const char **str, size_t *len,
			      struct ce_err *err)
{
	struct record_value v;
	CE_TRY(record_col(s, col, &v, err));
	if (v.kind != RECORD_STR)
		return record_err(s, err, "column '%s': expected a string, found %s", col, record_kind_name(v.kind));
	*str = v.str;
	*len = v.len;
	return CE_OK;
}

enum ce_status record_get_num(struct record_source *s, const char *col, double *x, struct ce_err *err)
{
	struct record_value v;
	CE_TRY(record_col(s, col, &v, err));
	if (v.kind != RECORD_INT && v.kind != RECORD_REAL)
		return record_err(s, err, "column '%s': expected a number, found %s", col, record_kind_name(v.kind));
	*x = v.num;
	return CE_OK;
}

enum ce_status record_get_str_list(struct record_source *s, const char *col, struct strtab *t, int64_t *count,
				   struct ce_err *err)
{
	struct record_value v;
	CE_TRY(record_col(s, col, &v, err));
	if (v.kind != RECORD_LIST)
		return record_err(s, err, "column '%s': expected an array of strings, found %s", col,
				  record_kind_name(v.kind));
	for (size_t i = 0; i < v.n; i++) {
		struct record_value e;
		record_elem(s, &v, i, &e);
		if (e.kind != RECORD_STR)
			return record_err(s, err, "column '%s'[%zu]: expected a string, found %s", col, i,
					  record_kind_name(e.kind));
		if (strtab_push(t, e.str, e.len) != CE_OK)
			return record_nomem(s, err);
	}
	*count = (int64_t)v.n;
	return CE_OK;
}
