/*
 * parquet.c - the reader: file mapping and footer, schema → top-level
 * columns, column chunks decoded page by page into per-row-group buffers,
 * row assembly from repetition / definition levels, getters and the JSON
 * rendering used by `ceval cat`.
 *
 * Sections: file and footer | schema | page decoding | row groups and rows |
 * getters | JSON | shard ordering.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ce_alloc.h"
#include "parquet.h"
#include "parquet_int.h"

#define PQ_MAX_SCHEMA_DEPTH 64
#define PQ_MAX_PAGE_VALUES ((int64_t)1 << 28)

enum store { ST_I64, ST_F64, ST_SPAN };

struct pq_col {
	const char *name;
	enum parquet_kind kind;
	int is_list;
	int leaf;           /* column chunk index */
	char why[200];      /* reason when kind == PARQUET_KIND_UNSUPPORTED */
	int ptype;          /* physical type of the leaf */
	int32_t type_length;
	int max_def, max_rep;
	int d_list;         /* list: def level from which the list is not null */
	int d_rep;          /* list: def level from which the list has an element */
	int ts_unit;        /* TIMESTAMP: enum pq_time_unit */
	int is_unsigned;
	int selected;       /* index into chunks + 1, 0 when not selected */
};

/* One selected column's decoded chunk of the current row group. */
struct pq_chunk {
	int col;
	enum store store;
	int16_t *def, *rep;
	size_t n_slots, cap_slots;
	void *vals; /* int64_t / double / struct pq_span */
	size_t n_vals, cap_vals;
	void *dict;
	size_t n_dict, cap_dict;
	int have_dict;
	uint32_t *idx; /* scratch for dictionary indices */
	size_t cap_idx;
	void **blocks; /* buffers the spans point into; freed per row group */
	size_t n_blocks, cap_blocks;
	/* cursor and current row */
	size_t slot, val;
	int row_null;     /* flat: null value / list: null list */
	size_t row_val;   /* flat: index of the value */
	int64_t *elem;    /* list: value index per element, -1 for a null element */
	size_t n_elem, cap_elem;
};

struct parquet {
	char *name;
	const uint8_t *data;
	size_t size;
	int mapped;
	struct parquet_options opt;
	struct pq_file_meta meta;
	struct pq_col *cols;
	int n_cols;
	int n_leaves;
	struct pq_chunk *chunks;
	int n_chunks;
	int selected;          /* parquet_select was called */
	int rg;                /* current row group, -1 before the first */
	int64_t rg_row, rg_rows;
	size_t rg_bytes;       /* decoded bytes held for the current row group */
	int failed;            /* a previous next_row failed: keep failing */
	size_t footer_start;   /* offset of the Thrift footer: column data ends before it */
};

/* ================= small helpers ================= */

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 1;
	size_t nc = *cap ? *cap : 64;
	while (nc < need) {
		if (nc > SIZE_MAX / 2)
			return 0;
		nc *= 2;
	}
	void *n = ce_realloc_array(*arr, nc, elem);
	if (!n)
		return 0;
	*arr = n;
	*cap = nc;
	return 1;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

void parquet_options_init(struct parquet_options *opt)
{
	opt->verify_crc = 1;
	opt->max_row_group_bytes = 0;
}

/* ================= schema ================= */

static int is_list_annot(const struct pq_schema_elem *e)
{
	return e->converted == PQC_LIST || e->logical == PQL_LIST;
}

static int is_map_annot(const struct pq_schema_elem *e)
{
	return e->converted == PQC_MAP || e->converted == PQC_MAP_KEY_VALUE || e->logical == PQL_MAP;
}

/* Skip the subtree at *idx, counting its leaves; 0 on a malformed tree. */
static int skip_subtree(const struct pq_file_meta *m, int32_t *idx, int *leaves, int depth)
{
	if (depth > PQ_MAX_SCHEMA_DEPTH || *idx >= m->n_schema)
		return 0;
	const struct pq_schema_elem *e = &m->schema[(*idx)++];
	if (e->num_children < 0)
		return 0;
	if (e->num_children == 0) {
		if (e->type < 0)
			return 0; /* a leaf must have a physical type */
		(*leaves)++;
		return 1;
	}
	if (e->num_children > m->n_schema - *idx)
		return 0;
	for (int32_t i = 0; i < e->num_children; i++)
		if (!skip_subtree(m, idx, leaves, depth + 1))
			return 0;
	return 1;
}

static void set_kind(struct pq_col *c, const struct pq_schema_elem *e)
{
	c->ptype = e->type;
	c->type_length = e->type_length;
	int conv = e->converted, lg = e->logical;
	int is_decimal = conv == PQC_DECIMAL || lg == PQL_DECIMAL;
	if (is_decimal) {
		snprintf(c->why, sizeof c->why, "DECIMAL values are not supported");
		return;
	}
	switch (e->type) {
	case PQT_BOOLEAN: c->kind = PARQUET_KIND_BOOL; return;
	case PQT_INT32:
	case PQT_INT64:
		if (conv == PQC_DATE || lg == PQL_DATE) {
			c->kind = e->type == PQT_INT32 ? PARQUET_KIND_DATE : PARQUET_KIND_UNSUPPORTED;
		} else if (conv == PQC_TIMESTAMP_MILLIS || conv == PQC_TIMESTAMP_MICROS || lg == PQL_TIMESTAMP) {
			c->ts_unit = lg == PQL_TIMESTAMP ? e->time_unit : conv == PQC_TIMESTAMP_MILLIS ? PQU_MILLIS : PQU_MICROS;
			c->kind = e->type == PQT_INT64 && c->ts_unit ? PARQUET_KIND_TIMESTAMP : PARQUET_KIND_UNSUPPORTED;
		} else if (conv == PQC_TIME_MILLIS || conv == PQC_TIME_MICROS || lg == PQL_TIME || conv == PQC_INTERVAL) {
			c->kind = PARQUET_KIND_UNSUPPORTED;
		} else if ((conv >= PQC_UINT_8 && conv <= PQC_UINT_64) || (lg == PQL_INTEGER && !e->int_signed)) {
			c->kind = PARQUET_KIND_UINT;
			c->is_unsigned = 1;
		} else {
			c->kind = PARQUET_KIND_INT;
		}
		if (c->kind == PARQUET_KIND_UNSUPPORTED)
			snprintf(c->why, sizeof c->why, "time, interval or odd date/timestamp annotation is not supported");
		return;
	case PQT_INT96:
		snprintf(c->why, sizeof c->why, "INT96 (legacy timestamp) values are not supported");
		return;
	case PQT_FLOAT:
	case PQT_DOUBLE: c->kind = PARQUET_KIND_DOUBLE; return;
	case PQT_BYTE_ARRAY:
		c->kind = (conv == PQC_UTF8 || conv == PQC_ENUM || conv == PQC_JSON || lg == PQL_STRING || lg == PQL_ENUM ||
			   lg == PQL_JSON)
				  ? PARQUET_KIND_STRING
				  : PARQUET_KIND_BINARY;
		return;
	case PQT_FLBA:
		if (e->type_length <= 0) {
			snprintf(c->why, sizeof c->why, "FIXED_LEN_BYTE_ARRAY without a positive length");
		} else if (lg == PQL_UUID || lg == PQL_FLOAT16 || conv == PQC_INTERVAL) {
			snprintf(c->why, sizeof c->why, "UUID, FLOAT16 and INTERVAL values are not supported");
		} else {
			c->kind = PARQUET_KIND_BINARY;
		}
		return;
	default:
		snprintf(c->why, sizeof c->why, "unknown physical type %d", e->type);
	}
}

/*
 * Classify one top-level field at *idx (and skip its subtree): flat
 * primitive, one of the list forms, or unsupported with a reason.
 */
static int build_column(struct parquet *pq, int32_t *idx, int *leaves, struct pq_col *c)
{
	const struct pq_file_meta *m = &pq->meta;
	int32_t at = *idx;
	int first_leaf = *leaves;
	if (!skip_subtree(m, idx, leaves, 1))
		return 0;
	const struct pq_schema_elem *top = &m->schema[at];
	c->name = top->name;
	c->leaf = first_leaf;
	c->kind = PARQUET_KIND_UNSUPPORTED;
	int top_opt = top->repetition == PQR_OPTIONAL;
	if (top->repetition < 0 || top->repetition > 2) {
		snprintf(c->why, sizeof c->why, "invalid repetition %d", top->repetition);
		return 1;
	}
	if (top->num_children == 0) {
		set_kind(c, top);
		if (top->repetition == PQR_REPEATED) { /* bare repeated primitive: a list that is never null */
			c->is_list = 1;
			c->max_rep = 1;
			c->max_def = 1;
			c->d_list = 0;
			c->d_rep = 1;
		} else {
			c->max_def = top_opt;
		}
		return 1;
	}
	if (top->repetition == PQR_REPEATED) {
		snprintf(c->why, sizeof c->why, "repeated groups are not supported");
		return 1;
	}
	if (is_map_annot(top)) {
		snprintf(c->why, sizeof c->why, "maps are not supported");
		return 1;
	}
	if (!is_list_annot(top)) {
		snprintf(c->why, sizeof c->why, "structs (groups) are not supported");
		return 1;
	}
	const struct pq_schema_elem *r = &m->schema[at + 1];
	if (top->num_children != 1 || r->repetition != PQR_REPEATED) {
		snprintf(c->why, sizeof c->why, "LIST group without one repeated child is not supported");
		return 1;
	}
	c->is_list = 1;
	c->max_rep = 1;
	c->d_list = top_opt;
	c->d_rep = top_opt + 1;
	if (r->num_children == 0) { /* 2-level: the repeated field is the element */
		set_kind(c, r);
		c->max_def = c->d_rep;
		return 1;
	}
	/* Backward-compatibility rules (LogicalTypes.md): a repeated group named "array" or
	 * "<name>_tuple", or with several fields, is itself the element (a struct). */
	char tuple[300];
	snprintf(tuple, sizeof tuple, "%s_tuple", top->name);
	const struct pq_schema_elem *e = &m->schema[at + 2];
	if (r->num_children != 1 || !strcmp(r->name, "array") || !strcmp(r->name, tuple)) {
		snprintf(c->why, sizeof c->why, "lists of structs and legacy nested lists are not supported");
		return 1;
	}
	if (e->num_children != 0 || e->repetition == PQR_REPEATED) {
		snprintf(c->why, sizeof c->why, "nested lists, lists of structs and lists of maps are not supported");
		return 1;
	}
	set_kind(c, e);
	c->max_def = c->d_rep + (e->repetition == PQR_OPTIONAL);
	return 1;
}

static enum ce_status build_schema(struct parquet *pq, struct ce_err *err)
{
	const struct pq_file_meta *m = &pq->meta;
	if (m->n_schema < 1 || m->schema[0].num_children < 0 || m->schema[0].num_children > m->n_schema - 1)
		return ce_err_set(err, CE_E_FORMAT, "%s: corrupt schema (root has %d children of %d elements)", pq->name,
				  m->n_schema ? m->schema[0].num_children : 0, m->n_schema);
	int n = m->schema[0].num_children;
	pq->cols = ce_calloc(n ? (size_t)n : 1, sizeof *pq->cols);
	if (!pq->cols)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", pq->name);
	int32_t idx = 1;
	int leaves = 0;
	for (int i = 0; i < n; i++) {
		if (!build_column(pq, &idx, &leaves, &pq->cols[i]))
			return ce_err_set(err, CE_E_FORMAT, "%s: corrupt schema (element %d: child counts or types wrong)",
					  pq->name, idx);
		pq->n_cols++;
	}
	if (idx != m->n_schema)
		return ce_err_set(err, CE_E_FORMAT, "%s: corrupt schema (%d elements, %d reachable from the root)",
				  pq->name, m->n_schema, idx);
	pq->n_leaves = leaves;
	int64_t total = 0;
	for (int g = 0; g < m->n_row_groups; g++) {
		const struct pq_row_group *rg = &m->row_groups[g];
		if (rg->n_columns != leaves)
			return ce_err_set(err, CE_E_FORMAT, "%s: row group %d has %d column chunks, the schema %d leaves",
					  pq->name, g, rg->n_columns, leaves);
		if (rg->num_rows < 0 || rg->num_rows > INT64_MAX - total)
			return ce_err_set(err, CE_E_FORMAT, "%s: row group %d has an invalid row count", pq->name, g);
		total += rg->num_rows;
	}
	if (total != m->num_rows)
		return ce_err_set(err, CE_E_FORMAT, "%s: footer says %lld rows, its row groups hold %lld", pq->name,
				  (long long)m->num_rows, (long long)total);
	/* per column: the chunk metadata must agree with the schema */
	for (int i = 0; i < pq->n_cols; i++) {
		struct pq_col *c = &pq->cols[i];
		if (c->kind == PARQUET_KIND_UNSUPPORTED)
			continue;
		for (int g = 0; g < m->n_row_groups; g++) {
			const struct pq_column_chunk *cc = &m->row_groups[g].columns[c->leaf];
			if (cc->encrypted) {
				snprintf(c->why, sizeof c->why, "encrypted columns are not supported");
			} else if (cc->has_file_path) {
				snprintf(c->why, sizeof c->why, "column data in an external file is not supported");
			} else if (!pq_codec_supported(cc->codec)) {
				snprintf(c->why, sizeof c->why, "compression codec %s (%d) is not supported",
					 pq_codec_name(cc->codec), cc->codec);
			} else if (!cc->has_meta) {
				return ce_err_set(err, CE_E_FORMAT, "%s: column '%s': row group %d has no column metadata",
						  pq->name, c->name, g);
			} else if (cc->type != c->ptype) {
				return ce_err_set(err, CE_E_FORMAT,
						  "%s: column '%s': row group %d stores type %d, the schema says %d", pq->name,
						  c->name, g, cc->type, c->ptype);
			} else {
				continue;
			}
			c->kind = PARQUET_KIND_UNSUPPORTED;
			break;
		}
	}
	return CE_OK;
}

/* ================= open / close ================= */

static struct parquet *open_common(struct parquet *pq, const struct parquet_options *opt, struct ce_err *err)
{
	if (opt)
		pq->opt = *opt;
	else
		parquet_options_init(&pq->opt);
	if (!pq->opt.max_row_group_bytes)
		pq->opt.max_row_group_bytes = (size_t)8 << 30;
	pq->rg = -1;
	const uint8_t *d = pq->data;
	size_t n = pq->size;
	if (n < 12 || (memcmp(d, "PAR1", 4) && memcmp(d, "PARE", 4))) {
		ce_err_set(err, CE_E_FORMAT, "%s: not a Parquet file (no PAR1 magic at the start)", pq->name);
		goto fail;
	}
	if (!memcmp(d + n - 4, "PARE", 4)) {
		ce_err_set(err, CE_E_UNSUPPORTED, "%s: encrypted Parquet files are not supported", pq->name);
		goto fail;
	}
	if (memcmp(d + n - 4, "PAR1", 4)) {
		ce_err_set(err, CE_E_FORMAT, "%s: not a Parquet file or truncated (no PAR1 magic at the end)", pq->name);
		goto fail;
	}
	uint32_t flen = le32(d + n - 8);
	if (flen > n - 12) {
		ce_err_set(err, CE_E_FORMAT, "%s: footer length %u larger than the file (%zu bytes)", pq->name, flen, n);
		goto fail;
	}
	pq->footer_start = n - 8 - flen;
	if (pq_thrift_file_meta(d + n - 8 - flen, flen, &pq->meta, err) != CE_OK) {
		ce_err_prefix(err, "%s", pq->name);
		goto fail;
	}
	if (pq->meta.encrypted) {
		ce_err_set(err, CE_E_UNSUPPORTED, "%s: encrypted Parquet files are not supported", pq->name);
		goto fail;
	}
	if (build_schema(pq, err) != CE_OK)
		goto fail;
	return pq;
fail:
	parquet_close(pq);
	return NULL;
}

struct parquet *parquet_open_memory(const void *data, size_t len, const char *name,
				    const struct parquet_options *opt, struct ce_err *err)
{
	struct parquet *pq = ce_calloc(1, sizeof *pq);
	if (!pq || !(pq->name = ce_strdup(name ? name : "<memory>"))) {
		ce_free(pq);
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", name ? name : "<memory>");
		return NULL;
	}
	pq->data = data;
	pq->size = len;
	return open_common(pq, opt, err);
}

struct parquet *parquet_open(const char *path, const struct parquet_options *opt, struct ce_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ce_err_set(err, CE_E_IO, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		int e = errno;
		close(fd);
		ce_err_set(err, CE_E_IO, "%s: not a regular file%s%s", path, e ? ": " : "", e ? strerror(e) : "");
		return NULL;
	}
	if (st.st_size < 12) {
		close(fd);
		ce_err_set(err, CE_E_FORMAT, "%s: not a Parquet file (%lld bytes)", path, (long long)st.st_size);
		return NULL;
	}
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	int e = errno;
	close(fd);
	if (map == MAP_FAILED) {
		ce_err_set(err, CE_E_IO, "%s: cannot map: %s", path, strerror(e));
		return NULL;
	}
	struct parquet *pq = ce_calloc(1, sizeof *pq);
	if (!pq || !(pq->name = ce_strdup(path))) {
		ce_free(pq);
		munmap(map, (size_t)st.st_size);
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
		return NULL;
	}
	pq->data = map;
	pq->size = (size_t)st.st_size;
	pq->mapped = 1;
	return open_common(pq, opt, err);
}

static void chunk_release_blocks(struct parquet *pq, struct pq_chunk *ch)
{
	for (size_t i = 0; i < ch->n_blocks; i++)
		ce_free(ch->blocks[i]);
	ch->n_blocks = 0;
	(void)pq;
}

void parquet_close(struct parquet *pq)
{
	if (!pq)
		return;
	for (int i = 0; i < pq->n_chunks; i++) {
		struct pq_chunk *ch = &pq->chunks[i];
		chunk_release_blocks(pq, ch);
		ce_free(ch->blocks);
		ce_free(ch->def);
		ce_free(ch->rep);
		ce_free(ch->vals);
		ce_free(ch->dict);
		ce_free(ch->idx);
		ce_free(ch->elem);
	}
	ce_free(pq->chunks);
	ce_free(pq->cols);
	pq_file_meta_free(&pq->meta);
	if (pq->mapped)
		munmap((void *)pq->data, pq->size);
	ce_free(pq->name);
	ce_free(pq);
}

/* ================= accessors ================= */

int64_t parquet_num_rows(const struct parquet *pq) { return pq->meta.num_rows; }
int parquet_num_row_groups(const struct parquet *pq) { return pq->meta.n_row_groups; }
const char *parquet_created_by(const struct parquet *pq) { return pq->meta.created_by; }
int parquet_num_columns(const struct parquet *pq) { return pq->n_cols; }

const char *parquet_metadata(const struct parquet *pq, const char *key, size_t *len)
{
	for (int i = 0; i < pq->meta.n_kv; i++)
		if (!strcmp(pq->meta.kv[i].key, key) && pq->meta.kv[i].value) {
			if (len)
				*len = pq->meta.kv[i].value_len;
			return pq->meta.kv[i].value;
		}
	return NULL;
}

const char *parquet_column_name(const struct parquet *pq, int col)
{
	return col >= 0 && col < pq->n_cols ? pq->cols[col].name : NULL;
}

int parquet_column_find(const struct parquet *pq, const char *name)
{
	for (int i = 0; i < pq->n_cols; i++)
		if (!strcmp(pq->cols[i].name, name))
			return i;
	return -1;
}

enum parquet_kind parquet_column_kind(const struct parquet *pq, int col)
{
	return col >= 0 && col < pq->n_cols ? pq->cols[col].kind : PARQUET_KIND_UNSUPPORTED;
}

int parquet_column_is_list(const struct parquet *pq, int col)
{
	return col >= 0 && col < pq->n_cols && pq->cols[col].is_list;
}

enum ce_status parquet_column_check(const struct parquet *pq, int col, struct ce_err *err)
{
	if (col < 0 || col >= pq->n_cols)
		return ce_err_set(err, CE_E_INVALID_ARG, "%s: no column %d", pq->name, col);
	if (pq->cols[col].kind == PARQUET_KIND_UNSUPPORTED)
		return ce_err_set(err, CE_E_UNSUPPORTED, "%s: column '%s': %s", pq->name, pq->cols[col].name,
				  pq->cols[col].why);
	return CE_OK;
}

enum ce_status parquet_select(struct parquet *pq, const int *cols, int n, struct ce_err *err)
{
	if (pq->rg >= 0 || pq->selected)
		return ce_err_set(err, CE_E_INVALID_ARG, "%s: columns must be selected once, before the first row",
				  pq->name);
	for (int i = 0; i < n; i++) {
		CE_TRY(parquet_column_check(pq, cols[i], err));
		if (pq->cols[cols[i]].selected)
			return ce_err_set(err, CE_E_INVALID_ARG, "%s: column '%s' selected twice", pq->name,
					  pq->cols[cols[i]].name);
		pq->cols[cols[i]].selected = i + 1;
	}
	pq->chunks = ce_calloc(n ? (size_t)n : 1, sizeof *pq->chunks);
	if (!pq->chunks)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", pq->name);
	pq->n_chunks = n;
	for (int i = 0; i < n; i++) {
		struct pq_chunk *ch = &pq->chunks[i];
		const struct pq_col *c = &pq->cols[cols[i]];
		ch->col = cols[i];
		ch->store = c->kind == PARQUET_KIND_DOUBLE ? ST_F64
			    : (c->kind == PARQUET_KIND_STRING || c->kind == PARQUET_KIND_BINARY) ? ST_SPAN
												     : ST_I64;
	}
	pq->selected = 1;
	return CE_OK;
}

/* ================= page decoding ================= */

struct dec { /* context of one column chunk's decoding, for messages */
	struct parquet *pq;
	struct pq_chunk *ch;
	const struct pq_col *c;
	int rg;
	struct ce_err *err;
};

static enum ce_status dec_fail(struct dec *d, enum ce_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum ce_status dec_fail(struct dec *d, enum ce_status code, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ce_err_set(d->err, code, "%s: column '%s', row group %d: %s", d->pq->name, d->c->name, d->rg, msg);
}

/* Re-wrap a decoder's err message with the file / column prefix. */
static enum ce_status dec_wrap(struct dec *d, enum ce_status code)
{
	char msg[CE_ERR_MSG_MAX];
	snprintf(msg, sizeof msg, "%s", d->err->msg);
	return dec_fail(d, code, "%s", msg);
}

static void *block_alloc(struct dec *d, size_t n)
{
	struct pq_chunk *ch = d->ch;
	if (d->pq->rg_bytes + n > d->pq->opt.max_row_group_bytes || n > d->pq->opt.max_row_group_bytes)
		return NULL;
	if (!grow((void **)&ch->blocks, &ch->cap_blocks, ch->n_blocks + 1, sizeof *ch->blocks))
		return NULL;
	void *b = ce_malloc(n ? n : 1);
	if (!b)
		return NULL;
	ch->blocks[ch->n_blocks++] = b;
	d->pq->rg_bytes += n;
	return b;
}

static enum ce_status oom_or_limit(struct dec *d, size_t n)
{
	if (d->pq->rg_bytes + n > d->pq->opt.max_row_group_bytes || n > d->pq->opt.max_row_group_bytes)
		return dec_fail(d, CE_E_LIMIT, "row group needs more than %zu bytes decoded",
				d->pq->opt.max_row_group_bytes);
	return dec_fail(d, CE_E_NOMEM, "out of memory");
}

static size_t store_size(enum store s)
{
	return s == ST_SPAN ? sizeof(struct pq_span) : 8;
}

/* Room for n more values in vals (or in dict when to_dict). */
static enum ce_status reserve_vals(struct dec *d, int to_dict, size_t n)
{
	struct pq_chunk *ch = d->ch;
	size_t es = store_size(ch->store);
	void **arr = to_dict ? &ch->dict : &ch->vals;
	size_t *cap = to_dict ? &ch->cap_dict : &ch->cap_vals;
	size_t have = to_dict ? ch->n_dict : ch->n_vals;
	if (n > SIZE_MAX / es - have)
		return dec_fail(d, CE_E_LIMIT, "too many values");
	size_t before = *cap;
	if (!grow(arr, cap, have + n + 1, es)) /* + 1: never a NULL array, even for 0 values */
		return oom_or_limit(d, (have + n) * es);
	d->pq->rg_bytes += (*cap - before) * es;
	if (d->pq->rg_bytes > d->pq->opt.max_row_group_bytes)
		return oom_or_limit(d, 0);
	return CE_OK;
}

/* PLAIN values: n of them from [p, end) appended to vals or dict. */
static enum ce_status decode_plain(struct dec *d, const uint8_t *p, const uint8_t *end, size_t n, int to_dict)
{
	struct pq_chunk *ch = d->ch;
	const struct pq_col *c = d->c;
	CE_TRY(reserve_vals(d, to_dict, n));
	size_t base = to_dict ? ch->n_dict : ch->n_vals;
	size_t avail = (size_t)(end - p);
	int64_t *i64 = (int64_t *)(to_dict ? ch->dict : ch->vals) + base;
	double *f64 = (double *)(to_dict ? ch->dict : ch->vals) + base;
	struct pq_span *sp = (struct pq_span *)(to_dict ? ch->dict : ch->vals) + base;
	switch (c->ptype) {
	case PQT_BOOLEAN:
		if ((n + 7) / 8 > avail)
			return dec_fail(d, CE_E_FORMAT, "PLAIN booleans: %zu values need %zu bytes, %zu left", n,
					(n + 7) / 8, avail);
		for (size_t i = 0; i < n; i++)
			i64[i] = (p[i >> 3] >> (i & 7)) & 1;
		break;
	case PQT_INT32:
		if (n > avail / 4)
			return dec_fail(d, CE_E_FORMAT, "PLAIN INT32: %zu values need %zu bytes, %zu left", n, n * 4, avail);
		if (c->is_unsigned)
			for (size_t i = 0; i < n; i++)
				i64[i] = (int64_t)le32(p + 4 * i);
		else
			for (size_t i = 0; i < n; i++)
				i64[i] = (int32_t)le32(p + 4 * i);
		break;
	case PQT_INT64:
		if (n > avail / 8)
			return dec_fail(d, CE_E_FORMAT, "PLAIN INT64: %zu values need %zu bytes, %zu left", n, n * 8, avail);
		for (size_t i = 0; i < n; i++)
			i64[i] = (int64_t)le64(p + 8 * i);
		break;
	case PQT_FLOAT:
		if (n > avail / 4)
			return dec_fail(d, CE_E_FORMAT, "PLAIN FLOAT: %zu values need %zu bytes, %zu left", n, n * 4, avail);
		for (size_t i = 0; i < n; i++) {
			uint32_t u = le32(p + 4 * i);
			float f;
			memcpy(&f, &u, 4);
			f64[i] = f;
		}
		break;
	case PQT_DOUBLE:
		if (n > avail / 8)
			return dec_fail(d, CE_E_FORMAT, "PLAIN DOUBLE: %zu values need %zu bytes, %zu left", n, n * 8, avail);
		if (n)
			memcpy(f64, p, n * 8);
		break;
	case PQT_BYTE_ARRAY:
		for (size_t i = 0; i < n; i++) {
			if (end - p < 4)
				return dec_fail(d, CE_E_FORMAT, "PLAIN BYTE_ARRAY: data ends at value %zu of %zu", i, n);
			uint32_t len = le32(p);
			p += 4;
			if (len > (size_t)(end - p))
				return dec_fail(d, CE_E_FORMAT, "PLAIN BYTE_ARRAY: value %zu of %u bytes past the end", i, len);
			sp[i].p = p;
			sp[i].len = len;
			p += len;
		}
		break;
	case PQT_FLBA: {
		size_t w = (size_t)c->type_length;
		if (n > avail / w)
			return dec_fail(d, CE_E_FORMAT, "PLAIN FIXED_LEN_BYTE_ARRAY: %zu values of %zu bytes, %zu left", n,
					w, avail);
		for (size_t i = 0; i < n; i++) {
			sp[i].p = p + i * w;
			sp[i].len = (uint32_t)w;
		}
		break;
	}
	default:
		return dec_fail(d, CE_E_UNSUPPORTED, "physical type %d", c->ptype);
	}
	if (to_dict)
		ch->n_dict += n;
	else
		ch->n_vals += n;
	return CE_OK;
}

static enum ce_status decode_dict_indices(struct dec *d, const uint8_t *p, const uint8_t *end, size_t n)
{
	struct pq_chunk *ch = d->ch;
	if (!ch->have_dict)
		return dec_fail(d, CE_E_FORMAT, "dictionary-encoded page without a dictionary page");
	if (n == 0)
		return CE_OK;
	if (p >= end)
		return dec_fail(d, CE_E_FORMAT, "dictionary indices: no bit width byte");
	int bw = *p++;
	if (bw > 32)
		return dec_fail(d, CE_E_FORMAT, "dictionary index bit width %d", bw);
	/* Bit width 0 means "every index is 0"; with a larger dictionary it is a writer bug (Arrow
	 * GH-43605, bad_data/ARROW-GH-43605.parquet) and the values would silently be wrong. */
	if (bw == 0 && ch->n_dict > 1)
		return dec_fail(d, CE_E_FORMAT, "dictionary indices of bit width 0 for a dictionary of %zu values",
				ch->n_dict);
	if (!grow((void **)&ch->idx, &ch->cap_idx, n + 1, sizeof *ch->idx))
		return oom_or_limit(d, n * 4);
	if (pq_rle_decode(p, end, bw, ch->idx, n, d->err) != CE_OK)
		return dec_wrap(d, CE_E_FORMAT);
	CE_TRY(reserve_vals(d, 0, n));
	size_t es = store_size(ch->store);
	uint8_t *dst = (uint8_t *)ch->vals + ch->n_vals * es;
	const uint8_t *src = ch->dict;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = ch->idx[i];
		if (k >= ch->n_dict)
			return dec_fail(d, CE_E_FORMAT, "dictionary index %u out of range (dictionary of %zu)", k,
					ch->n_dict);
		memcpy(dst + i * es, src + (size_t)k * es, es);
	}
	ch->n_vals += n;
	return CE_OK;
}

static enum ce_status decode_bool_rle(struct dec *d, const uint8_t *p, const uint8_t *end, size_t n)
{
	struct pq_chunk *ch = d->ch;
	if (end - p < 4)
		return dec_fail(d, CE_E_FORMAT, "RLE booleans: no length prefix");
	uint32_t len = le32(p);
	p += 4;
	if (len > (size_t)(end - p))
		return dec_fail(d, CE_E_FORMAT, "RLE booleans: length %u past the end of the page", len);
	if (!grow((void **)&ch->idx, &ch->cap_idx, n ? n : 1, sizeof *ch->idx))
		return oom_or_limit(d, n * 4);
	if (pq_rle_decode(p, p + len, 1, ch->idx, n, d->err) != CE_OK)
		return dec_wrap(d, CE_E_FORMAT);
	CE_TRY(reserve_vals(d, 0, n));
	int64_t *out = (int64_t *)ch->vals + ch->n_vals;
	for (size_t i = 0; i < n; i++)
		out[i] = ch->idx[i];
	ch->n_vals += n;
	return CE_OK;
}

/* DELTA_BINARY_PACKED into a temporary int64 array (a block of the chunk). */
static enum ce_status delta_ints(struct dec *d, const uint8_t *p, const uint8_t *end, size_t n, int is32,
				 int64_t **out, size_t *consumed)
{
	if (n > (size_t)PQ_MAX_PAGE_VALUES)
		return dec_fail(d, CE_E_FORMAT, "DELTA_BINARY_PACKED: %zu values", n);
	int64_t *v = block_alloc(d, n * 8);
	if (!v)
		return oom_or_limit(d, n * 8);
	size_t got;
	if (pq_delta_decode(p, end, is32, v, n, &got, consumed, d->err) != CE_OK)
		return dec_wrap(d, CE_E_FORMAT);
	if (got != n)
		return dec_fail(d, CE_E_FORMAT, "DELTA_BINARY_PACKED holds %zu values, the page needs %zu", got, n);
	*out = v;
	return CE_OK;
}

static enum ce_status decode_delta_lengths(struct dec *d, const uint8_t *p, const uint8_t *end, size_t n,
					   struct pq_span *sp, const uint8_t **rest)
{
	int64_t *lens;
	size_t used;
	CE_TRY(delta_ints(d, p, end, n, 1, &lens, &used));
	p += used;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] < 0 || (uint64_t)lens[i] > (size_t)(end - p))
			return dec_fail(d, CE_E_FORMAT, "DELTA_LENGTH_BYTE_ARRAY: value %zu of length %lld past the end", i,
					(long long)lens[i]);
		sp[i].p = p;
		sp[i].len = (uint32_t)lens[i];
		p += lens[i];
	}
	*rest = p;
	return CE_OK;
}

static enum ce_status decode_values(struct dec *d, int encoding, const uint8_t *p, const uint8_t *end, size_t n)
{
	struct pq_chunk *ch = d->ch;
	const struct pq_col *c = d->c;
	switch (encoding) {
	case PQE_PLAIN:
		return decode_plain(d, p, end, n, 0);
	case PQE_PLAIN_DICTIONARY:
	case PQE_RLE_DICTIONARY:
		return decode_dict_indices(d, p, end, n);
	case PQE_RLE:
		if (c->ptype != PQT_BOOLEAN)
			break;
		return decode_bool_rle(d, p, end, n);
	case PQE_DELTA_BINARY_PACKED: {
		if (c->ptype != PQT_INT32 && c->ptype != PQT_INT64)
			break;
		int64_t *v;
		size_t used;
		CE_TRY(delta_ints(d, p, end, n, c->ptype == PQT_INT32, &v, &used));
		CE_TRY(reserve_vals(d, 0, n));
		int64_t *out = (int64_t *)ch->vals + ch->n_vals;
		for (size_t i = 0; i < n; i++)
			out[i] = c->is_unsigned && c->ptype == PQT_INT32 ? (int64_t)(uint32_t)v[i] : v[i];
		ch->n_vals += n;
		return CE_OK;
	}
	case PQE_DELTA_LENGTH_BYTE_ARRAY: {
		if (c->ptype != PQT_BYTE_ARRAY)
			break;
		CE_TRY(reserve_vals(d, 0, n));
		const uint8_t *rest;
		CE_TRY(decode_delta_lengths(d, p, end, n, (struct pq_span *)ch->vals + ch->n_vals, &rest));
		ch->n_vals += n;
		return CE_OK;
	}
	case PQE_DELTA_BYTE_ARRAY: {
		if (c->ptype != PQT_BYTE_ARRAY && c->ptype != PQT_FLBA)
			break;
		int64_t *pre;
		size_t used;
		CE_TRY(delta_ints(d, p, end, n, 1, &pre, &used));
		p += used;
		CE_TRY(reserve_vals(d, 0, n));
		struct pq_span *sp = (struct pq_span *)ch->vals + ch->n_vals;
		const uint8_t *rest;
		CE_TRY(decode_delta_lengths(d, p, end, n, sp, &rest));
		/* sizes first, then one buffer for the whole page's values */
		uint64_t total = 0, prev = 0;
		for (size_t i = 0; i < n; i++) {
			if (pre[i] < 0 || (uint64_t)pre[i] > prev)
				return dec_fail(d, CE_E_FORMAT, "DELTA_BYTE_ARRAY: prefix %lld longer than the previous value",
						(long long)pre[i]);
			prev = (uint64_t)pre[i] + sp[i].len;
			if (prev > UINT32_MAX)
				return dec_fail(d, CE_E_FORMAT, "DELTA_BYTE_ARRAY: value longer than 4 GiB");
			total += prev;
		}
		if (total > SIZE_MAX / 2)
			return dec_fail(d, CE_E_LIMIT, "DELTA_BYTE_ARRAY: page too large");
		uint8_t *buf = block_alloc(d, (size_t)total);
		if (!buf)
			return oom_or_limit(d, (size_t)total);
		uint8_t *w = buf;
		const uint8_t *last = NULL;
		for (size_t i = 0; i < n; i++) {
			size_t pl = (size_t)pre[i];
			if (pl)
				memcpy(w, last, pl);
			if (sp[i].len)
				memcpy(w + pl, sp[i].p, sp[i].len);
			sp[i].p = w;
			sp[i].len = (uint32_t)(pl + sp[i].len);
			last = w;
			w += sp[i].len;
		}
		if (c->ptype == PQT_FLBA)
			for (size_t i = 0; i < n; i++)
				if (sp[i].len != (uint32_t)c->type_length)
					return dec_fail(d, CE_E_FORMAT, "DELTA_BYTE_ARRAY: value of %u bytes in a %d-byte column",
							sp[i].len, c->type_length);
		ch->n_vals += n;
		return CE_OK;
	}
	case PQE_BYTE_STREAM_SPLIT: {
		size_t w = c->ptype == PQT_FLOAT || c->ptype == PQT_INT32 ? 4
			   : c->ptype == PQT_DOUBLE || c->ptype == PQT_INT64 ? 8
			   : c->ptype == PQT_FLBA			     ? (size_t)c->type_length
									     : 0;
		if (!w)
			break;
		size_t avail = (size_t)(end - p);
		if (n > avail / w)
			return dec_fail(d, CE_E_FORMAT, "BYTE_STREAM_SPLIT: %zu values of %zu bytes, %zu left", n, w, avail);
		/* reassemble into one buffer laid out as PLAIN, then decode that */
		uint8_t *buf = block_alloc(d, n * w);
		if (!buf)
			return oom_or_limit(d, n * w);
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < w; k++)
				buf[i * w + k] = p[k * n + i];
		return decode_plain(d, buf, buf + n * w, n, 0);
	}
	default:
		break;
	}
	return dec_fail(d, CE_E_UNSUPPORTED, "encoding %d is not supported for this column's type", encoding);
}

/* Levels of one page: n values of max level `max` into out. */
static enum ce_status decode_levels(struct dec *d, int encoding, const uint8_t *p, const uint8_t *end, int max,
				    int16_t *out, size_t n, const char *what)
{
	struct pq_chunk *ch = d->ch;
	int bw = pq_bit_width((uint64_t)max);
	if (!grow((void **)&ch->idx, &ch->cap_idx, n ? n : 1, sizeof *ch->idx))
		return oom_or_limit(d, n * 4);
	if (encoding == PQE_RLE) {
		if (pq_rle_decode(p, end, bw, ch->idx, n, d->err) != CE_OK) {
			ce_err_prefix(d->err, "%s levels", what);
			return dec_wrap(d, CE_E_FORMAT);
		}
	} else if (encoding == PQE_BIT_PACKED) { /* deprecated: MSB-first packing */
		size_t need = (n * (size_t)bw + 7) / 8;
		if (need > (size_t)(end - p))
			return dec_fail(d, CE_E_FORMAT, "BIT_PACKED %s levels past the end of the page", what);
		for (size_t i = 0; i < n; i++) {
			uint32_t v = 0;
			for (int b = 0; b < bw; b++) {
				size_t bit = i * (size_t)bw + (size_t)b;
				v = v << 1 | ((p[bit >> 3] >> (7 - (bit & 7))) & 1);
			}
			ch->idx[i] = v;
		}
	} else {
		return dec_fail(d, CE_E_UNSUPPORTED, "%s level encoding %d", what, encoding);
	}
	for (size_t i = 0; i < n; i++) {
		if (ch->idx[i] > (uint32_t)max)
			return dec_fail(d, CE_E_FORMAT, "%s level %u above the maximum %d", what, ch->idx[i], max);
		out[i] = (int16_t)ch->idx[i];
	}
	return CE_OK;
}

/* v1 levels: a 4-byte length then the RLE data (RLE), or bare bit-packed bytes (BIT_PACKED). */
static enum ce_status levels_v1(struct dec *d, int encoding, const uint8_t **pp, const uint8_t *end, int max,
				int16_t *out, size_t n, const char *what)
{
	const uint8_t *p = *pp;
	if (encoding == PQE_RLE) {
		if (end - p < 4)
			return dec_fail(d, CE_E_FORMAT, "%s levels: no length prefix", what);
		uint32_t len = le32(p);
		p += 4;
		if (len > (size_t)(end - p))
			return dec_fail(d, CE_E_FORMAT, "%s levels: length %u past the end of the page", what, len);
		CE_TRY(decode_levels(d, encoding, p, p + len, max, out, n, what));
		*pp = p + len;
		return CE_OK;
	}
	CE_TRY(decode_levels(d, encoding, p, end, max, out, n, what));
	*pp = p + (n * (size_t)pq_bit_width((uint64_t)max) + 7) / 8;
	return CE_OK;
}

static enum ce_status decode_data_page(struct dec *d, const struct pq_page_header *h, const uint8_t *raw,
				       size_t raw_len, int codec)
{
	struct pq_chunk *ch = d->ch;
	const struct pq_col *c = d->c;
	if (!h->has_body)
		return dec_fail(d, CE_E_FORMAT, "data page without its data page header");
	if (h->num_values < 0 || h->num_values > PQ_MAX_PAGE_VALUES)
		return dec_fail(d, CE_E_FORMAT, "data page with %d values", h->num_values);
	size_t n = (size_t)h->num_values;
	size_t old_cap = ch->cap_slots;
	if (!grow((void **)&ch->def, &ch->cap_slots, ch->n_slots + n + 1, sizeof(int16_t)))
		return oom_or_limit(d, n * 4);
	if (c->max_rep > 0 && (!ch->rep || old_cap != ch->cap_slots)) {
		int16_t *nr = ce_realloc_array(ch->rep, ch->cap_slots, sizeof(int16_t));
		if (!nr)
			return oom_or_limit(d, n * 4);
		ch->rep = nr;
	}
	d->pq->rg_bytes += n * 4;
	if (d->pq->rg_bytes > d->pq->opt.max_row_group_bytes)
		return oom_or_limit(d, 0);
	int16_t *def = ch->def + ch->n_slots;
	int16_t *rep = c->max_rep ? ch->rep + ch->n_slots : NULL;
	const uint8_t *p, *end;
	if (h->type == PQP_DATA) {
		const uint8_t *buf = raw;
		if (codec == PQZ_UNCOMPRESSED) { /* no copy: values point into the file */
			if (raw_len != (size_t)h->uncompressed_size)
				return dec_fail(d, CE_E_FORMAT, "uncompressed page of %zu bytes, the header says %d", raw_len,
						h->uncompressed_size);
		} else {
			uint8_t *dst = block_alloc(d, (size_t)h->uncompressed_size);
			if (!dst)
				return oom_or_limit(d, (size_t)h->uncompressed_size);
			if (pq_decompress(codec, raw, raw_len, dst, (size_t)h->uncompressed_size, d->err) != CE_OK)
				return dec_wrap(d, d->err->code);
			buf = dst;
		}
		p = buf;
		end = buf + h->uncompressed_size;
		if (c->max_rep > 0)
			CE_TRY(levels_v1(d, h->rep_encoding, &p, end, c->max_rep, rep, n, "repetition"));
		if (c->max_def > 0)
			CE_TRY(levels_v1(d, h->def_encoding, &p, end, c->max_def, def, n, "definition"));
	} else {
		if (h->rep_len < 0 || h->def_len < 0 || (size_t)h->rep_len + (size_t)h->def_len > raw_len ||
		    h->rep_len + (int64_t)h->def_len > h->uncompressed_size)
			return dec_fail(d, CE_E_FORMAT, "data page v2 level lengths %d + %d larger than the page", h->rep_len,
					h->def_len);
		if (c->max_rep > 0)
			CE_TRY(decode_levels(d, PQE_RLE, raw, raw + h->rep_len, c->max_rep, rep, n, "repetition"));
		if (c->max_def > 0)
			CE_TRY(decode_levels(d, PQE_RLE, raw + h->rep_len, raw + h->rep_len + h->def_len, c->max_def, def, n,
					     "definition"));
		const uint8_t *vsrc = raw + h->rep_len + h->def_len;
		size_t vlen = raw_len - (size_t)h->rep_len - (size_t)h->def_len;
		size_t ulen = (size_t)h->uncompressed_size - (size_t)h->rep_len - (size_t)h->def_len;
		uint8_t *buf = block_alloc(d, ulen);
		if (!buf)
			return oom_or_limit(d, ulen);
		if (ulen > 0 || !h->v2_compressed) {
			if (pq_decompress(h->v2_compressed ? codec : PQZ_UNCOMPRESSED, vsrc, vlen, buf, ulen, d->err) != CE_OK)
				return dec_wrap(d, d->err->code);
		}
		p = buf;
		end = buf + ulen;
	}
	if (c->max_def == 0)
		memset(def, 0, n * sizeof *def);
	if (c->max_rep > 0 && n > 0 && ch->n_slots == 0 && rep[0] != 0)
		return dec_fail(d, CE_E_FORMAT, "repetition levels start with %d, not 0", rep[0]);
	size_t present = 0;
	for (size_t i = 0; i < n; i++)
		present += def[i] == c->max_def;
	if (h->type == PQP_DATA_V2 && h->num_nulls >= 0 && c->max_rep == 0 && (size_t)h->num_nulls != n - present)
		return dec_fail(d, CE_E_FORMAT, "data page v2 says %d nulls, its levels %zu", h->num_nulls, n - present);
	CE_TRY(decode_values(d, h->encoding, p, end, present));
	ch->n_slots += n;
	return CE_OK;
}

static enum ce_status decode_chunk(struct parquet *pq, struct pq_chunk *ch, int rg, struct ce_err *err)
{
	const struct pq_col *c = &pq->cols[ch->col];
	const struct pq_column_chunk *cc = &pq->meta.row_groups[rg].columns[c->leaf];
	struct dec d = {pq, ch, c, rg, err};
	ch->n_slots = ch->n_vals = ch->n_dict = 0;
	ch->have_dict = 0;
	ch->slot = ch->val = 0;
	int64_t begin = cc->data_page_offset;
	if (cc->dictionary_page_offset > 0 && cc->dictionary_page_offset < begin)
		begin = cc->dictionary_page_offset;
	int64_t limit = (int64_t)pq->footer_start;
	if (begin < 4 || begin >= limit || cc->total_compressed_size < 0 ||
	    cc->total_compressed_size > limit - begin)
		return dec_fail(&d, CE_E_FORMAT, "column chunk [%lld, +%lld) outside the file", (long long)begin,
				(long long)cc->total_compressed_size);
	if (cc->num_values < 0)
		return dec_fail(&d, CE_E_FORMAT, "negative value count");
	/* Pages are read until the metadata's value count is reached.  Some writers understate
	 * total_compressed_size (nation.dict-malformed.parquet leaves the dictionary page out), so
	 * like parquet-mr and DuckDB the pages may run on up to the footer. */
	const uint8_t *p = pq->data + begin, *end = pq->data + pq->footer_start;
	while ((int64_t)ch->n_slots < cc->num_values && p < end) {
		struct pq_page_header h;
		size_t hl;
		if (pq_thrift_page_header(p, (size_t)(end - p), &h, &hl, err) != CE_OK)
			return dec_wrap(&d, CE_E_FORMAT);
		p += hl;
		if ((size_t)h.compressed_size > (size_t)(end - p))
			return dec_fail(&d, CE_E_FORMAT, "page of %d bytes past the end of the column data", h.compressed_size);
		const uint8_t *raw = p;
		p += h.compressed_size;
		if (h.has_crc && pq->opt.verify_crc) {
			uint32_t crc = (uint32_t)crc32(0L, raw, (uInt)h.compressed_size);
			if (crc != h.crc)
				return dec_fail(&d, CE_E_FORMAT, "page CRC mismatch (stored %08x, computed %08x)", h.crc, crc);
		}
		if (h.type == PQP_DICT) {
			if (ch->have_dict || ch->n_slots)
				return dec_fail(&d, CE_E_FORMAT, "dictionary page %s",
						ch->have_dict ? "repeated" : "after data pages");
			if (!h.has_body || h.num_values < 0 || h.num_values > PQ_MAX_PAGE_VALUES)
				return dec_fail(&d, CE_E_FORMAT, "dictionary page with %d values", h.num_values);
			if (h.encoding != PQE_PLAIN && h.encoding != PQE_PLAIN_DICTIONARY)
				return dec_fail(&d, CE_E_UNSUPPORTED, "dictionary page encoding %d", h.encoding);
			uint8_t *buf = block_alloc(&d, (size_t)h.uncompressed_size);
			if (!buf)
				return oom_or_limit(&d, (size_t)h.uncompressed_size);
			if (pq_decompress(cc->codec, raw, (size_t)h.compressed_size, buf, (size_t)h.uncompressed_size, err) !=
			    CE_OK)
				return dec_wrap(&d, err->code);
			CE_TRY(decode_plain(&d, buf, buf + h.uncompressed_size, (size_t)h.num_values, 1));
			ch->have_dict = 1;
		} else if (h.type == PQP_DATA || h.type == PQP_DATA_V2) {
			CE_TRY(decode_data_page(&d, &h, raw, (size_t)h.compressed_size, cc->codec));
		} /* index pages and unknown page types are skipped */
	}
	if ((int64_t)ch->n_slots != cc->num_values)
		return dec_fail(&d, CE_E_FORMAT, "pages hold %zu values, the column metadata says %lld", ch->n_slots,
				(long long)cc->num_values);
	int64_t rows = 0;
	if (c->max_rep == 0) {
		rows = (int64_t)ch->n_slots;
	} else {
		for (size_t i = 0; i < ch->n_slots; i++)
			rows += ch->rep[i] == 0;
	}
	if (rows != pq->meta.row_groups[rg].num_rows)
		return dec_fail(&d, CE_E_FORMAT, "column has %lld rows, the row group %lld", (long long)rows,
				(long long)pq->meta.row_groups[rg].num_rows);
	return CE_OK;
}

/* ================= rows ================= */

static void release_row_group(struct parquet *pq)
{
	for (int i = 0; i < pq->n_chunks; i++)
		chunk_release_blocks(pq, &pq->chunks[i]);
	pq->rg_bytes = 0;
	/* drop the previous row group's pages from the page cache mapping (memory bounded by one row group) */
	if (pq->mapped && pq->rg >= 0 && pq->rg < pq->meta.n_row_groups) {
		long ps = sysconf(_SC_PAGESIZE);
		const struct pq_row_group *rg = &pq->meta.row_groups[pq->rg];
		for (int i = 0; i < pq->n_chunks; i++) {
			const struct pq_column_chunk *cc = &rg->columns[pq->cols[pq->chunks[i].col].leaf];
			int64_t b = cc->data_page_offset;
			if (cc->dictionary_page_offset > 0 && cc->dictionary_page_offset < b)
				b = cc->dictionary_page_offset;
			int64_t e = b + cc->total_compressed_size;
			int64_t ab = (b + ps - 1) / ps * ps, ae = e / ps * ps;
			if (ps > 0 && b >= 0 && e <= (int64_t)pq->size && ae > ab)
				madvise((void *)(pq->data + ab), (size_t)(ae - ab), MADV_DONTNEED);
		}
	}
}

static enum ce_status row_advance_chunk(struct parquet *pq, struct pq_chunk *ch)
{
	const struct pq_col *c = &pq->cols[ch->col];
	if (!c->is_list) {
		int present = ch->def[ch->slot] == c->max_def;
		ch->row_null = !present;
		ch->row_val = ch->val;
		ch->val += present;
		ch->slot++;
		return CE_OK;
	}
	size_t s = ch->slot;
	int d0 = ch->def[s];
	ch->n_elem = 0;
	ch->row_null = d0 < c->d_list;
	if (d0 < c->d_rep) {
		ch->slot++;
		return CE_OK; /* null or empty list: one slot, no value */
	}
	size_t e = s + 1;
	while (e < ch->n_slots && ch->rep[e] != 0)
		e++;
	if (!grow((void **)&ch->elem, &ch->cap_elem, e - s, sizeof *ch->elem))
		return CE_E_NOMEM;
	for (size_t i = s; i < e; i++) {
		if (ch->def[i] == c->max_def)
			ch->elem[ch->n_elem++] = (int64_t)ch->val++;
		else
			ch->elem[ch->n_elem++] = -1;
	}
	ch->slot = e;
	return CE_OK;
}

enum ce_status parquet_next_row(struct parquet *pq, int *has_row, struct ce_err *err)
{
	*has_row = 0;
	if (pq->failed)
		return ce_err_set(err, CE_E_INVALID_ARG, "%s: reading already failed", pq->name);
	if (!pq->selected) {
		int *all = ce_malloc_array(pq->n_cols ? (size_t)pq->n_cols : 1, sizeof *all);
		if (!all)
			return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", pq->name);
		for (int i = 0; i < pq->n_cols; i++)
			all[i] = i;
		enum ce_status s = parquet_select(pq, all, pq->n_cols, err);
		ce_free(all);
		if (s != CE_OK) {
			pq->failed = 1;
			return s;
		}
	}
	while (pq->rg < 0 || pq->rg_row >= pq->rg_rows) {
		release_row_group(pq);
		if (pq->rg + 1 >= pq->meta.n_row_groups) {
			pq->rg = pq->meta.n_row_groups;
			return CE_OK;
		}
		pq->rg++;
		pq->rg_row = 0;
		pq->rg_rows = pq->meta.row_groups[pq->rg].num_rows;
		if (pq->rg_rows == 0)
			continue;
		for (int i = 0; i < pq->n_chunks; i++) {
			enum ce_status s = decode_chunk(pq, &pq->chunks[i], pq->rg, err);
			if (s != CE_OK) {
				pq->failed = 1;
				return s;
			}
		}
	}
	for (int i = 0; i < pq->n_chunks; i++)
		if (row_advance_chunk(pq, &pq->chunks[i]) != CE_OK) {
			pq->failed = 1;
			return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", pq->name);
		}
	pq->rg_row++;
	*has_row = 1;
	return CE_OK;
}

/* ================= getters ================= */

static const struct pq_chunk *chunk_of(const struct parquet *pq, int col)
{
	if (col < 0 || col >= pq->n_cols || !pq->cols[col].selected || pq->rg < 0 ||
	    pq->rg >= pq->meta.n_row_groups)
		return NULL;
	return &pq->chunks[pq->cols[col].selected - 1];
}

int parquet_is_null(const struct parquet *pq, int col)
{
	const struct pq_chunk *ch = chunk_of(pq, col);
	return !ch || ch->row_null;
}

/* Value index of the current flat value, or -1. */
static int64_t flat_index(const struct parquet *pq, int col, const struct pq_chunk **chp)
{
	const struct pq_chunk *ch = chunk_of(pq, col);
	if (!ch || pq->cols[col].is_list || ch->row_null)
		return -1;
	*chp = ch;
	return (int64_t)ch->row_val;
}

static int64_t elem_index(const struct parquet *pq, int col, size_t k, const struct pq_chunk **chp)
{
	const struct pq_chunk *ch = chunk_of(pq, col);
	if (!ch || !pq->cols[col].is_list || k >= ch->n_elem)
		return -1;
	*chp = ch;
	return ch->elem[k];
}

static int val_str(const struct pq_chunk *ch, int64_t i, const char **s, size_t *len)
{
	if (i < 0 || ch->store != ST_SPAN)
		return 0;
	const struct pq_span *sp = (const struct pq_span *)ch->vals + i;
	*s = (const char *)sp->p;
	*len = sp->len;
	return 1;
}

static int val_i64(const struct parquet *pq, const struct pq_chunk *ch, int64_t i, int64_t *v)
{
	if (i < 0 || ch->store != ST_I64)
		return 0;
	int64_t x = ((const int64_t *)ch->vals)[i];
	if (pq->cols[ch->col].kind == PARQUET_KIND_UINT && pq->cols[ch->col].ptype == PQT_INT64 && x < 0)
		return 0;
	*v = x;
	return 1;
}

static int val_f64(const struct parquet *pq, const struct pq_chunk *ch, int64_t i, double *v)
{
	if (i < 0 || ch->store == ST_SPAN)
		return 0;
	if (ch->store == ST_F64) {
		*v = ((const double *)ch->vals)[i];
		return 1;
	}
	int64_t x = ((const int64_t *)ch->vals)[i];
	const struct pq_col *c = &pq->cols[ch->col];
	*v = c->kind == PARQUET_KIND_UINT && c->ptype == PQT_INT64 ? (double)(uint64_t)x : (double)x;
	return 1;
}

int parquet_get_str(const struct parquet *pq, int col, const char **s, size_t *len)
{
	const struct pq_chunk *ch = NULL;
	int64_t i = flat_index(pq, col, &ch);
	return ch ? val_str(ch, i, s, len) : 0;
}

int parquet_get_i64(const struct parquet *pq, int col, int64_t *v)
{
	const struct pq_chunk *ch = NULL;
	int64_t i = flat_index(pq, col, &ch);
	return ch ? val_i64(pq, ch, i, v) : 0;
}

int parquet_get_u64(const struct parquet *pq, int col, uint64_t *v)
{
	const struct pq_chunk *ch = NULL;
	int64_t i = flat_index(pq, col, &ch);
	if (!ch || i < 0 || ch->store != ST_I64)
		return 0;
	*v = (uint64_t)((const int64_t *)ch->vals)[i];
	return 1;
}

int parquet_get_f64(const struct parquet *pq, int col, double *v)
{
	const struct pq_chunk *ch = NULL;
	int64_t i = flat_index(pq, col, &ch);
	return ch ? val_f64(pq, ch, i, v) : 0;
}

int parquet_get_bool(const struct parquet *pq, int col, int *v)
{
	int64_t x;
	if (parquet_column_kind(pq, col) != PARQUET_KIND_BOOL || !parquet_get_i64(pq, col, &x))
		return 0;
	*v = x != 0;
	return 1;
}

size_t parquet_list_len(const struct parquet *pq, int col)
{
	const struct pq_chunk *ch = chunk_of(pq, col);
	return ch && pq->cols[col].is_list ? ch->n_elem : 0;
}

int parquet_list_get_str(const struct parquet *pq, int col, size_t k, const char **s, size_t *len)
{
	const struct pq_chunk *ch = NULL;
	int64_t i = elem_index(pq, col, k, &ch);
	return ch ? val_str(ch, i, s, len) : 0;
}

int parquet_list_get_i64(const struct parquet *pq, int col, size_t k, int64_t *v)
{
	const struct pq_chunk *ch = NULL;
	int64_t i = elem_index(pq, col, k, &ch);
	return ch ? val_i64(pq, ch, i, v) : 0;
}

int parquet_list_get_u64(const struct parquet *pq, int col, size_t k, uint64_t *v)
{
	const struct pq_chunk *ch = NULL;
	int64_t i = elem_index(pq, col, k, &ch);
	if (!ch || i < 0 || ch->store != ST_I64)
		return 0;
	*v = (uint64_t)((const int64_t *)ch->vals)[i];
	return 1;
}

int parquet_list_get_f64(const struct parquet *pq, int col, size_t k, double *v)
{
	const struct pq_chunk *ch = NULL;
	int64_t i = elem_index(pq, col, k, &ch);
	return ch ? val_f64(pq, ch, i, v) : 0;
}

int parquet_list_get_bool(const struct parquet *pq, int col, size_t k, int *v)
{
	int64_t x;
	if (parquet_column_kind(pq, col) != PARQUET_KIND_BOOL || !parquet_list_get_i64(pq, col, k, &x))
		return 0;
	*v = x != 0;
	return 1;
}

/* ================= JSON (DuckDB's rendering) ================= */

static void json_double(double v, FILE *out)
{
	if (isnan(v)) {
		fputs("NaN", out);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "Infinity" : "-Infinity", out);
		return;
	}
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, out);
	if (!strpbrk(buf, ".eE"))
		fputs(".0", out);
}

static void json_string(const char *s, size_t len, int binary, FILE *out)
{
	static const char hex[] = "0123456789ABCDEF";
	putc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (binary && (ch < 32 || ch > 126 || ch == '\\' || ch == '\'' || ch == '"')) {
			/* DuckDB's BLOB to text: \xNN, whose backslash JSON escapes */
			fprintf(out, "\\\\x%c%c", hex[ch >> 4], hex[ch & 15]);
		} else if (ch == '"' || ch == '\\') {
			putc('\\', out);
			putc(ch, out);
		} else if (ch < 0x20) {
			switch (ch) {
			case '\n': fputs("\\n", out); break;
			case '\t': fputs("\\t", out); break;
			case '\r': fputs("\\r", out); break;
			case '\b': fputs("\\b", out); break;
			case '\f': fputs("\\f", out); break;
			default: fprintf(out, "\\u%04x", ch);
			}
		} else {
			putc(ch, out);
		}
	}
	putc('"', out);
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil inverse). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static void json_scalar(const struct parquet *pq, const struct pq_chunk *ch, int64_t i, FILE *out)
{
	const struct pq_col *c = &pq->cols[ch->col];
	if (i < 0) {
		fputs("null", out);
		return;
	}
	if (ch->store == ST_SPAN) {
		const struct pq_span *sp = (const struct pq_span *)ch->vals + i;
		json_string((const char *)sp->p, sp->len, c->kind == PARQUET_KIND_BINARY, out);
		return;
	}
	if (ch->store == ST_F64) {
		json_double(((const double *)ch->vals)[i], out);
		return;
	}
	int64_t x = ((const int64_t *)ch->vals)[i];
	switch (c->kind) {
	case PARQUET_KIND_BOOL: fputs(x ? "true" : "false", out); break;
	case PARQUET_KIND_UINT: fprintf(out, "%llu", (unsigned long long)(c->ptype == PQT_INT64 ? (uint64_t)x : (uint64_t)(uint32_t)x)); break;
	case PARQUET_KIND_DATE: {
		int64_t y;
		unsigned m, d;
		civil(x, &y, &m, &d);
		fprintf(out, "\"%04lld-%02u-%02u\"", (long long)y, m, d);
		break;
	}
	case PARQUET_KIND_TIMESTAMP: {
		int64_t per_s = c->ts_unit == PQU_MILLIS ? 1000 : c->ts_unit == PQU_MICROS ? 1000000 : 1000000000;
		int64_t sec = x / per_s, frac = x % per_s;
		if (frac < 0) {
			frac += per_s;
			sec--;
		}
		int64_t days = sec / 86400, rem = sec % 86400;
		if (rem < 0) {
			rem += 86400;
			days--;
		}
		int64_t y;
		unsigned m, d;
		civil(days, &y, &m, &d);
		fprintf(out, "\"%04lld-%02u-%02u %02d:%02d:%02d", (long long)y, m, d, (int)(rem / 3600),
			(int)(rem / 60 % 60), (int)(rem % 60));
		if (frac) {
			int digits = c->ts_unit == PQU_MILLIS ? 3 : c->ts_unit == PQU_MICROS ? 6 : 9;
			char fb[16];
			snprintf(fb, sizeof fb, "%0*lld", digits, (long long)frac);
			for (int k = digits - 1; k > 0 && fb[k] == '0'; k--)
				fb[k] = 0;
			fprintf(out, ".%s", fb);
		}
		putc('"', out);
		break;
	}
	default: fprintf(out, "%lld", (long long)x);
	}
}

void parquet_write_json_value(const struct parquet *pq, int col, FILE *out)
{
	const struct pq_chunk *ch = chunk_of(pq, col);
	if (!ch || ch->row_null) {
		fputs("null", out);
		return;
	}
	if (!pq->cols[col].is_list) {
		json_scalar(pq, ch, (int64_t)ch->row_val, out);
		return;
	}
	putc('[', out);
	for (size_t k = 0; k < ch->n_elem; k++) {
		if (k)
			putc(',', out);
		json_scalar(pq, ch, ch->elem[k], out);
	}
	putc(']', out);
}

/* ================= shard ordering ================= */

/* Split "…-00002-of-00010…" into the prefix length and the shard number; -1 when no such part. */
static long long shard_number(const char *s, size_t *prefix)
{
	const char *of = strstr(s, "-of-");
	while (of) {
		const char *b = of;
		while (b > s && isdigit((unsigned char)b[-1]))
			b--;
		if (b < of && b > s && b[-1] == '-') {
			*prefix = (size_t)(b - s);
			return strtoll(b, NULL, 10);
		}
		of = strstr(of + 1, "-of-");
	}
	*prefix = strlen(s);
	return -1;
}

static int shard_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t px, py;
	long long nx = shard_number(x, &px), ny = shard_number(y, &py);
	size_t pm = px < py ? px : py;
	int c = strncmp(x, y, pm);
	if (c)
		return c;
	if (px != py)
		return px < py ? -1 : 1;
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(x, y);
}

void parquet_shards_sort(const char **paths, size_t n)
{
	if (n > 1)
		qsort(paths, n, sizeof *paths, shard_cmp);
}
