/*
 * jsonl.c - JSON lines as a record source (record.h), read with jansson.
 *
 * One JSON object per line; lines with only spaces, tabs or CRs are skipped
 * (but hashed).  Duplicate keys are rejected, and so are strings holding NUL
 * (U+0000): texts go to the tokenizer as C strings, so jansson's default
 * refusal of "\u0000" is kept.  Extra keys are ignored.
 */
#include <inttypes.h>
#include <string.h>

#include <jansson.h>

#include "ce_alloc.h"
#include "ce_json.h"
#include "lines.h"
#include "jsonl.h"
#include "record.h"

struct jsonl_source {
	struct record_source base; /* first: the record_source * is this */
	struct line_src src;
	char *path; /* owned copy */
	uint64_t *hash;
	json_t *row; /* the current object, or NULL */
};

enum record_kind jsonl_kind(const json_t *v)
{
	if (!v)
		return RECORD_MISSING;
	switch (json_typeof(v)) {
	case JSON_OBJECT: return RECORD_MAP;
	case JSON_ARRAY: return RECORD_LIST;
	case JSON_STRING: return RECORD_STR;
	case JSON_INTEGER: return RECORD_INT;
	case JSON_REAL: return RECORD_REAL;
	case JSON_TRUE:
	case JSON_FALSE: return RECORD_BOOL;
	case JSON_NULL: return RECORD_NULL;
	}
	return RECORD_MISSING;
}

static void fill(const json_t *j, struct record_value *v)
{
	memset(v, 0, sizeof *v);
	v->kind = jsonl_kind(j);
	switch (v->kind) {
	case RECORD_LIST:
		v->n = json_array_size(j);
		v->impl = j;
		break;
	case RECORD_STR:
		v->str = json_string_value(j);
		v->len = json_string_length(j);
		break;
	case RECORD_INT:
		v->i = (int64_t)json_integer_value(j);
		v->num = json_number_value(j);
		break;
	case RECORD_REAL: v->num = json_real_value(j); break;
	case RECORD_BOOL: v->b = json_is_true(j); break;
	default: break;
	}
}

static enum ce_status jl_next(struct record_source *base, bool *has_row, struct ce_err *err)
{
	struct jsonl_source *s = (struct jsonl_source *)base;
	json_decref(s->row);
	s->row = NULL;
	*has_row = false;
	const char *line;
	size_t len;
	int eof;
	CE_TRY(line_src_next_data(&s->src, s->hash, &line, &len, &eof, err));
	if (eof)
		return CE_OK;
	json_error_t je;
	/* No JSON_ALLOW_NUL: texts go to the tokenizer as C strings. */
	json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return ce_err_set(err, ce_json_status(&je), "%s:%" PRId64 ":%d: bad JSON: %s", base->path,
				  s->src.lineno, je.column > 0 ? je.column : 1, ce_json_text(&je));
	if (!json_is_object(j)) {
		json_decref(j);
		return record_err(base, err, "expected a JSON object, found another JSON value");
	}
	s->row = j;
	base->n_rows++;
	*has_row = true;
	return CE_OK;
}

static void jl_get(struct record_source *base, const char *col, struct record_value *out)
{
	struct jsonl_source *s = (struct jsonl_source *)base;
	fill(s->row ? json_object_get(s->row, col) : NULL, out);
}

static void jl_elem(struct record_source *base, const struct record_value *list, size_t i, struct record_value *out)
{
	(void)base;
	fill(json_array_get((const json_t *)list->impl, i), out);
}

static int64_t jl_pos(const struct record_source *base)
{
	return ((const struct jsonl_source *)base)->src.lineno;
}

static void jl_close(struct record_source *base)
{
	struct jsonl_source *s = (struct jsonl_source *)base;
	json_decref(s->row);
	line_src_close(&s->src);
	ce_free(s->path);
	ce_free(s);
}

static const struct record_ops jsonl_ops = {
	.format = "jsonl",
	.next = jl_next,
	.get = jl_get,
	.elem = jl_elem,
	.pos = jl_pos,
	.close = jl_close,
};

enum ce_status jsonl_source_open(const char *path, uint64_t *hash, struct record_source **out, struct ce_err *err)
{
	*out = NULL;
	struct jsonl_source *s = ce_calloc(1, sizeof *s);
	if (!s)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
	if (!(s->path = ce_strdup(path))) {
		ce_free(s);
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
	}
	s->src.name = s->src.path = s->path;
	enum ce_status st = line_src_open(&s->src, err);
	if (st != CE_OK) {
		ce_free(s->path);
		ce_free(s);
		return st;
	}
	s->base.ops = &jsonl_ops;
	s->base.path = s->src.name;
	s->hash = hash;
	*out = &s->base;
	return CE_OK;
}
