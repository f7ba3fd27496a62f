/*
 * parquet_thrift.c - the Thrift compact protocol, just enough of it to read
 * Parquet's FileMetaData and PageHeader (field ids from parquet.thrift).
 *
 * The decoder is a cursor over [p, end) with a sticky error: every primitive
 * read checks the remaining bytes and, once something is wrong, returns zeros
 * so the struct loops terminate; the first problem is the one reported.
 * Unknown fields are skipped by type; nesting is limited to PQ_MAX_DEPTH and
 * every list / string length is checked against the bytes left before any
 * allocation, so a hostile footer cannot make us allocate more than a small
 * multiple of its own size.
 */
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "parquet_int.h"

#define PQ_MAX_DEPTH 32

enum { CT_STOP = 0, CT_TRUE = 1, CT_FALSE = 2, CT_BYTE = 3, CT_I16 = 4, CT_I32 = 5, CT_I64 = 6, CT_DOUBLE = 7,
       CT_BINARY = 8, CT_LIST = 9, CT_SET = 10, CT_MAP = 11, CT_STRUCT = 12 };

struct tr {
	const uint8_t *p, *end, *start;
	int depth;
	const char *bad; /* first problem, NULL while fine */
	size_t bad_at;
	struct pq_file_meta *meta; /* where strings and arrays are allocated (NULL: page header) */
};

static void tr_fail(struct tr *t, const char *what)
{
	if (!t->bad) {
		t->bad = what;
		t->bad_at = (size_t)(t->p - t->start);
	}
	t->p = t->end;
}

static uint64_t tr_varint(struct tr *t)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (t->p >= t->end) {
			tr_fail(t, "truncated varint");
			return 0;
		}
		uint8_t b = *t->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	tr_fail(t, "varint longer than 10 bytes");
	return 0;
}

static int64_t tr_zigzag(struct tr *t)
{
	uint64_t v = tr_varint(t);
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Length-prefixed binary: returns a pointer into the buffer and its length. */
static const uint8_t *tr_binary(struct tr *t, size_t *len)
{
	uint64_t n = tr_varint(t);
	if (n > (uint64_t)(t->end - t->p)) {
		tr_fail(t, "string length past the end of the footer");
		*len = 0;
		return NULL;
	}
	const uint8_t *s = t->p;
	t->p += n;
	*len = (size_t)n;
	return s;
}

static void *meta_alloc(struct tr *t, size_t count, size_t size)
{
	struct pq_file_meta *m = t->meta;
	if (t->bad)
		return NULL;
	if (m->n_blocks == m->cap_blocks) {
		size_t nc = m->cap_blocks ? m->cap_blocks * 2 : 16;
		void **nb = ce_realloc_array(m->blocks, nc, sizeof *nb);
		if (!nb) {
			tr_fail(t, "out of memory");
			return NULL;
		}
		m->blocks = nb;
		m->cap_blocks = nc;
	}
	void *b = ce_calloc(count ? count : 1, size);
	if (!b) {
		tr_fail(t, "out of memory");
		return NULL;
	}
	m->blocks[m->n_blocks++] = b;
	return b;
}

static const char *tr_string(struct tr *t)
{
	size_t len;
	const uint8_t *s = tr_binary(t, &len);
	if (!s)
		return NULL;
	char *c = meta_alloc(t, len + 1, 1);
	if (!c)
		return NULL;
	memcpy(c, s, len);
	c[len] = 0;
	return c;
}

static void tr_skip(struct tr *t, int type);

static void tr_skip_struct(struct tr *t)
{
	if (++t->depth > PQ_MAX_DEPTH) {
		tr_fail(t, "structures nested too deeply");
		return;
	}
	for (;;) {
		if (t->p >= t->end) {
			tr_fail(t, "truncated struct");
			break;
		}
		uint8_t b = *t->p++;
		int type = b & 0x0f;
		if (type == CT_STOP)
			break;
		if (!(b >> 4))
			(void)tr_zigzag(t);
		tr_skip(t, type);
		if (t->bad)
			break;
	}
	t->depth--;
}

/* List header: element type and count (count checked against bytes left: every element is >= 1 byte,
 * except booleans in a list, which are also one byte each). */
static size_t tr_list_header(struct tr *t, int *elem_type)
{
	if (t->p >= t->end) {
		tr_fail(t, "truncated list");
		return 0;
	}
	uint8_t b = *t->p++;
	*elem_type = b & 0x0f;
	uint64_t n = b >> 4;
	if (n == 15)
		n = tr_varint(t);
	if (n > (uint64_t)(t->end - t->p)) {
		tr_fail(t, "list longer than the bytes left");
		return 0;
	}
	return (size_t)n;
}

static void tr_skip(struct tr *t, int type)
{
	switch (type) {
	case CT_TRUE:
	case CT_FALSE:
		break;
	case CT_BYTE:
		if (t->p >= t->end)
			tr_fail(t, "truncated byte");
		else
			t->p++;
		break;
	case CT_I16:
	case CT_I32:
	case CT_I64:
		(void)tr_varint(t);
		break;
	case CT_DOUBLE:
		if (t->end - t->p < 8)
			tr_fail(t, "truncated double");
		else
			t->p += 8;
		break;
	case CT_BINARY: {
		size_t len;
		(void)tr_binary(t, &len);
		break;
	}
	case CT_LIST:
	case CT_SET: {
		int et;
		size_t n = tr_list_header(t, &et);
		if (++t->depth > PQ_MAX_DEPTH) {
			tr_fail(t, "structures nested too deeply");
			break;
		}
		for (size_t i = 0; i < n && !t->bad; i++) {
			if (et == CT_TRUE || et == CT_FALSE) /* booleans in lists are one byte each */
				tr_skip(t, CT_BYTE);
			else
				tr_skip(t, et);
		}
		t->depth--;
		break;
	}
	case CT_MAP: {
		uint64_t n = tr_varint(t);
		if (n == 0)
			break;
		if (t->p >= t->end || n > (uint64_t)(t->end - t->p)) {
			tr_fail(t, "map longer than the bytes left");
			break;
		}
		uint8_t kv = *t->p++;
		if (++t->depth > PQ_MAX_DEPTH) {
			tr_fail(t, "structures nested too deeply");
			break;
		}
		for (uint64_t i = 0; i < n && !t->bad; i++) {
			int kt = kv >> 4, vt = kv & 15;
			tr_skip(t, kt == CT_TRUE || kt == CT_FALSE ? CT_BYTE : kt);
			tr_skip(t, vt == CT_TRUE || vt == CT_FALSE ? CT_BYTE : vt);
		}
		t->depth--;
		break;
	}
	case CT_STRUCT:
		tr_skip_struct(t);
		break;
	default:
		tr_fail(t, "unknown field type");
	}
}

/*
 * Field iteration: returns the next field's type (CT_STOP at the end) and
 * sets *id.  last_id carries the previous id for the delta encoding.
 */
static int tr_field(struct tr *t, int16_t *last_id, int16_t *id)
{
	if (t->bad)
		return CT_STOP;
	if (t->p >= t->end) {
		tr_fail(t, "truncated struct");
		return CT_STOP;
	}
	uint8_t b = *t->p++;
	int type = b & 0x0f;
	if (type == CT_STOP)
		return CT_STOP;
	int delta = b >> 4;
	int64_t fid = delta ? *last_id + delta : tr_zigzag(t);
	if (fid < INT16_MIN || fid > INT16_MAX) {
		tr_fail(t, "field id out of range");
		return CT_STOP;
	}
	*id = *last_id = (int16_t)fid;
	return type;
}

static int tr_enter(struct tr *t)
{
	if (++t->depth > PQ_MAX_DEPTH) {
		tr_fail(t, "structures nested too deeply");
		return 0;
	}
	return 1;
}

/* Read an integer field of any integer type (the writer's choice is checked loosely). */
static int64_t tr_int_field(struct tr *t, int type)
{
	if (type == CT_I16 || type == CT_I32 || type == CT_I64)
		return tr_zigzag(t);
	if (type == CT_BYTE) {
		if (t->p >= t->end) {
			tr_fail(t, "truncated byte");
			return 0;
		}
		return (int8_t)*t->p++;
	}
	tr_fail(t, "integer field has a non-integer type");
	return 0;
}

static int32_t tr_i32_field(struct tr *t, int type)
{
	int64_t v = tr_int_field(t, type);
	if (v < INT32_MIN || v > INT32_MAX) {
		tr_fail(t, "i32 field out of range");
		return 0;
	}
	return (int32_t)v;
}

/* ================= FileMetaData ================= */

static void read_int_type(struct tr *t, struct pq_schema_elem *e)
{
	int16_t last = 0, id;
	int type;
	if (!tr_enter(t))
		return;
	while ((type = tr_field(t, &last, &id)) != CT_STOP) {
		if (id == 1)
			e->int_bits = (int)tr_int_field(t, type);
		else if (id == 2 && (type == CT_TRUE || type == CT_FALSE))
			e->int_signed = type == CT_TRUE;
		else
			tr_skip(t, type);
	}
	t->depth--;
}

static void read_time_unit(struct tr *t, struct pq_schema_elem *e)
{
	int16_t last = 0, id;
	int type;
	if (!tr_enter(t))
		return;
	while ((type = tr_field(t, &last, &id)) != CT_STOP) {
		if (id >= 1 && id <= 3 && type == CT_STRUCT)
			e->time_unit = id;
		tr_skip(t, type);
	}
	t->depth--;
}

static void read_time_like(struct tr *t, struct pq_schema_elem *e)
{
	int16_t last = 0, id;
	int type;
	if (!tr_enter(t))
		return;
	while ((type = tr_field(t, &last, &id)) != CT_STOP) {
		if (id == 2 && type == CT_STRUCT)
			read_time_unit(t, e);
		else
			tr_skip(t, type);
	}
	t->depth--;
}

static void read_logical(struct tr *t, struct pq_schema_elem *e)
{
	int16_t last = 0, id;
	int type;
	if (!tr_enter(t))
		return;
	while ((type = tr_field(t, &last, &id)) != CT_STOP) {
		if (type != CT_STRUCT) {
			tr_skip(t, type);
			continue;
		}
		if (id == PQL_INTEGER) {
			e->logical = PQL_INTEGER;
			read_int_type(t, e);
		} else if (id == PQL_TIMESTAMP || id == PQL_TIME) {
			e->logical = id;
			read_time_like(t, e);
		} else {
			e->logical = (id >= 1 && id <= 15 && id != 9) ? id : PQL_OTHER;
			tr_skip(t, type);
		}
	}
	t->depth--;
}

static void read_schema_elem(struct tr *t, struct pq_schema_elem *e)
{
	int16_t last = 0, id;
	int type;
	e->type = -1;
	e->repetition = PQR_REQUIRED;
	e->converted = PQC_NONE;
	e->name = "";
	if (!tr_enter(t))
		return;
	while ((type = tr_field(t, &last, &id)) != CT_STOP) {
		switch (id) {
		case 1: e->type = tr_i32_field(t, type); break;
		case 2: e->type_length = tr_i32_field(t, type); break;
		case 3: e->repetition = tr_i32_field(t, type); break;
		case 4:
			if (type == CT_BINARY) {
				const char *s = tr_string(t);
				if (s)
					e->name = s;
			} else {
				tr_fail(t, "schema name is not a string");
			}
			break;
		case 5: e->num_children = tr_i32_field(t, type); break;
		case 6: e->converted = tr_i32_field(t, type); break;
		case 10:
			if (type == CT_STRUCT)
				read_logical(t, e);
			else
				tr_skip(t, type);
			break;
		default: tr_skip(t, type);
		}
	}
	t->depth--;
}

static void read_column_meta(struct tr *t, struct pq_column_chunk *c)
{
	int16_t last = 0, id;
	int type;
	if (!tr_enter(t))
		return;
	c->has_meta = 1;
	while ((type = tr_field(t, &last, &id)) != CT_STOP) {
		switch (id) {
		case 1: c->type = tr_i32_field(t, type); break;
		case 4: c->codec = tr_i32_field(t, type); break;
		case 5: c->num_values = tr_int_field(t, type); break;
		case 7: c->total_compressed_size = tr_int_field(t, type); break;
		case 9: c->data_page_offset = tr_int_field(t, type); break;
		case 11: c->dictionary_page_offset = tr_int_field(t, type); break;
		default: tr_skip(t, type);
		}
	}
	t->depth--;
}

static void read_column_chunk(struct tr *t, struct pq_column_chunk *c)
{
	int16_t last = 0, id;
	int type;
	c->dictionary_page_offset = -1;
	if (!tr_enter(t))
		return;
	while ((type = tr_field(t, &last, &id)) != CT_STOP) {
		if (id == 1 && type == CT_BINARY) {
			c->has_file_path = 1;
			tr_skip(t, type);
		} else if (id == 3 && type == CT_STRUCT) {
			read_column_meta(t, c);
		} else if (id == 8 || id == 9) {
			c->encrypted = 1;
			tr_skip(t, type);
		} else {
			tr_skip(t, type);
		}
	}
	t->depth--;
}

static void read_row_group(struct tr *t, struct pq_row_group *rg)
{
	int16_t last = 0, id;
	int type;
	if (!tr_enter(t))
		return;
	while ((type = tr_field(t, &last, &id)) != CT_STOP) {
		if (id == 1 && type == CT_LIST) {
			int et;
			size_t n = tr_list_header(t, &et);
			if (t->bad)
				break;
			if (et != CT_STRUCT || n > INT32_MAX) {
				tr_fail(t, "row group columns are not a list of structs");
				break;
			}
			rg->columns = meta_alloc(t, n, sizeof *rg->columns);
			if (!rg->columns)
				break;
			rg->n_columns = (int32_t)n;
			for (size_t i = 0; i < n && !t->bad; i++)
				read_column_chunk(t, &rg->columns[i]);
		} else if (id == 3) {
			rg->num_rows = tr_int_field(t, type);
		} else {
			tr_skip(t, type);
		}
	}
	t->depth--;
}

static void read_kv(struct tr *t, struct pq_kv *kv)
{
	int16_t last = 0, id;
	int type;
	kv->key = "";
	if (!tr_enter(t))
		return;
	while ((type = tr_field(t, &last, &id)) != CT_STOP) {
		if ((id == 1 || id == 2) && type == CT_BINARY) {
			size_t len;
			const uint8_t *s = tr_binary(t, &len);
			char *c = s ? meta_alloc(t, len + 1, 1) : NULL;
			if (!c)
				break;
			memcpy(c, s, len);
			if (id == 1) {
				kv->key = c;
			} else {
				kv->value = c;
				kv->value_len = len;
			}
		} else {
			tr_skip(t, type);
		}
	}
	t->depth--;
}

/* A list<struct> field: header checks, allocation, then the reader per element. */
#define READ_STRUCT_LIST(t, type, arr, count, reader, what)                                  \
	do {                                                                                 \
		int et_;                                                                     \
		struct tr *tt_ = (t);                                                                     \
		if ((type) != CT_LIST) {                                                     \
			tr_fail(tt_, what " is not a list");                                   \
			break;                                                               \
		}                                                                            \
		size_t n_ = tr_list_header(tt_, &et_);                                         \
		if (tt_->bad)                                                                  \
			break;                                                               \
		if (et_ != CT_STRUCT || n_ > INT32_MAX) {                                    \
			tr_fail(tt_, what " is not a list of structs");                        \
			break;                                                               \
		}                                                                            \
		arr = meta_alloc(tt_, n_, sizeof *(arr));                                      \
		if (!(arr))                                                                  \
			break;                                                               \
		count = (int32_t)n_;                                                         \
		for (size_t i_ = 0; i_ < n_ && !tt_->bad; i_++)                                \
			reader(tt_, &(arr)[i_]);                                               \
	} while (0)

void pq_file_meta_free(struct pq_file_meta *meta)
{
	if (!meta)
		return;
	for (size_t i = 0; i < meta->n_blocks; i++)
		ce_free(meta->blocks[i]);
	ce_free(meta->blocks);
	memset(meta, 0, sizeof *meta);
}

enum ce_status pq_thrift_file_meta(const uint8_t *p, size_t len, struct pq_file_meta *meta, struct ce_err *err)
{
	memset(meta, 0, sizeof *meta);
	struct tr t = {p, p + len, p, 0, NULL, 0, meta};
	int16_t last = 0, id;
	int type;
	int have_schema = 0;
	while ((type = tr_field(&t, &last, &id)) != CT_STOP) {
		switch (id) {
		case 2:
			READ_STRUCT_LIST(&t, type, meta->schema, meta->n_schema, read_schema_elem, "schema");
			have_schema = 1;
			break;
		case 3: meta->num_rows = tr_int_field(&t, type); break;
		case 4:
			READ_STRUCT_LIST(&t, type, meta->row_groups, meta->n_row_groups, read_row_group, "row_groups");
			break;
		case 5: READ_STRUCT_LIST(&t, type, meta->kv, meta->n_kv, read_kv, "key_value_metadata"); break;
		case 6:
			if (type == CT_BINARY)
				meta->created_by = tr_string(&t);
			else
				tr_skip(&t, type);
			break;
		case 8:
			meta->encrypted = 1;
			tr_skip(&t, type);
			break;
		default: tr_skip(&t, type);
		}
	}
	if (!t.bad && !have_schema)
		tr_fail(&t, "no schema");
	if (t.bad) {
		enum ce_status code = strcmp(t.bad, "out of memory") ? CE_E_FORMAT : CE_E_NOMEM;
		ce_err_set(err, code, "corrupt footer (Thrift FileMetaData): %s at byte %zu of %zu", t.bad, t.bad_at,
			   len);
		pq_file_meta_free(meta);
		return code;
	}
	return CE_OK;
}

/* ================= PageHeader ================= */

static void read_data_page_header(struct tr *t, struct pq_page_header *h, int v2)
{
	int16_t last = 0, id;
	int type;
	if (!tr_enter(t))
		return;
	h->has_body = 1;
	while ((type = tr_field(t, &last, &id)) != CT_STOP) {
		if ((type == CT_TRUE || type == CT_FALSE) && !(v2 && id == 7)) {
			continue; /* DictionaryPageHeader.is_sorted and the like */
		} else if (id == 1) {
			h->num_values = tr_i32_field(t, type);
		} else if (!v2 && id == 2) {
			h->encoding = tr_i32_field(t, type);
		} else if (!v2 && id == 3) {
			h->def_encoding = tr_i32_field(t, type);
		} else if (!v2 && id == 4) {
			h->rep_encoding = tr_i32_field(t, type);
		} else if (v2 && id == 2) {
			h->num_nulls = tr_i32_field(t, type);
		} else if (v2 && id == 3) {
			h->num_rows = tr_i32_field(t, type);
		} else if (v2 && id == 4) {
			h->encoding = tr_i32_field(t, type);
		} else if (v2 && id == 5) {
			h->def_len = tr_i32_field(t, type);
		} else if (v2 && id == 6) {
			h->rep_len = tr_i32_field(t, type);
		} else if (v2 && id == 7 && (type == CT_TRUE || type == CT_FALSE)) {
			h->v2_compressed = type == CT_TRUE;
		} else {
			tr_skip(t, type);
		}
	}
	t->depth--;
}

enum ce_status pq_thrift_page_header(const uint8_t *p, size_t avail, struct pq_page_header *h, size_t *used,
				     struct ce_err *err)
{
	memset(h, 0, sizeof *h);
	h->type = -1;
	h->v2_compressed = 1;
	h->def_encoding = h->rep_encoding = PQE_RLE;
	struct tr t = {p, p + avail, p, 0, NULL, 0, NULL};
	int16_t last = 0, id;
	int type;
	while ((type = tr_field(&t, &last, &id)) != CT_STOP) {
		switch (id) {
		case 1: h->type = tr_i32_field(&t, type); break;
		case 2: h->uncompressed_size = tr_i32_field(&t, type); break;
		case 3: h->compressed_size = tr_i32_field(&t, type); break;
		case 4:
			h->has_crc = 1;
			h->crc = (uint32_t)tr_i32_field(&t, type);
			break;
		case 5:
		case 8:
			if (type == CT_STRUCT && h->type == (id == 5 ? PQP_DATA : PQP_DATA_V2))
				read_data_page_header(&t, h, id == 8);
			else
				tr_skip(&t, type);
			break;
		case 7:
			if (type == CT_STRUCT && h->type == PQP_DICT)
				read_data_page_header(&t, h, 0); /* num_values = 1, encoding = 2: same ids */
			else
				tr_skip(&t, type);
			break;
		default: tr_skip(&t, type);
		}
	}
	if (t.bad)
		return ce_err_set(err, CE_E_FORMAT, "corrupt page header: %s", t.bad);
	if (h->uncompressed_size < 0 || h->compressed_size < 0)
		return ce_err_set(err, CE_E_FORMAT, "page header has a negative page size");
	*used = (size_t)(t.p - p);
	return CE_OK;
}
