/*
 * parquet.h - a streaming Apache Parquet reader (no Arrow: Thrift footer,
 * pages, codecs and encodings are decoded here, the codecs through Debian's
 * snappy / zlib / zstd / lz4 / brotli libraries).
 *
 * Model: a file has top-level columns in schema order.  A column is either
 * flat (one primitive value or null per row) or a list of primitives (the
 * 3-level LIST form `name (LIST) → repeated group list → element`, the legacy
 * 2-level form `name (LIST) → repeated T element`, or a bare `repeated T
 * name`).  Anything else (maps, structs, lists of lists, INT96, decimals,
 * encrypted columns, LZO) is listed with its name but refused with a one-line
 * CE_E_UNSUPPORTED error naming the file and the column when selected.
 *
 * Rows are read row group by row group: selecting columns and calling
 * parquet_next_row decodes the selected column chunks of one row group at a
 * time (pages decompressed into buffers the reader owns), so memory is
 * bounded by the largest row group's selected columns, not the file.
 *
 * Ownership: the reader owns everything it returns.  Strings from the getters
 * are valid until the next parquet_next_row() or parquet_close(); column names
 * until parquet_close().  Input is treated as hostile: every length and offset
 * is checked and a corrupt file is CE_E_FORMAT naming the file (and column).
 */
#ifndef PARQUET_H
#define PARQUET_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct parquet;

/* What a column's values are, as the getters deliver them. */
enum parquet_kind {
	PARQUET_KIND_UNSUPPORTED = 0, /* listed, but selecting it is an error */
	PARQUET_KIND_BOOL,            /* parquet_get_bool */
	PARQUET_KIND_INT,             /* signed integer (INT32, INT64, INT(8..64, signed)): parquet_get_i64 */
	PARQUET_KIND_UINT,            /* unsigned integer: parquet_get_u64 (parquet_get_i64 fails past INT64_MAX) */
	PARQUET_KIND_DOUBLE,          /* FLOAT (widened) or DOUBLE: parquet_get_f64 */
	PARQUET_KIND_STRING,          /* UTF8 / STRING / ENUM / JSON byte arrays: parquet_get_str */
	PARQUET_KIND_BINARY,          /* other byte arrays and fixed-length byte arrays: parquet_get_str */
	PARQUET_KIND_DATE,            /* days since 1970-01-01, parquet_get_i64 */
	PARQUET_KIND_TIMESTAMP,       /* microseconds since 1970-01-01 (UTC or local), parquet_get_i64 */
	PARQUET_KIND_COUNT
};

struct parquet_options {
	int verify_crc;             /* check page CRCs where the writer stored them (default 1) */
	size_t max_row_group_bytes; /* decoded bytes one row group may take (0: 8 GiB) */
};

/* Defaults: verify_crc = 1, max_row_group_bytes = 0. */
void parquet_options_init(struct parquet_options *opt);

/*
 * Open a file (memory-mapped, read-only) and parse its footer.  opt may be
 * NULL for the defaults.  Returns NULL with err set: CE_E_IO (cannot open),
 * CE_E_FORMAT (not Parquet, corrupt footer), CE_E_UNSUPPORTED (encrypted
 * footer), CE_E_NOMEM.  Messages start with the path.
 */
struct parquet *parquet_open(const char *path, const struct parquet_options *opt, struct ce_err *err);

/*
 * The same over a caller-owned buffer, which must outlive the reader; name is
 * used in messages.  For fuzzing and for data already in memory.
 */
struct parquet *parquet_open_memory(const void *data, size_t len, const char *name,
				    const struct parquet_options *opt, struct ce_err *err);

/* Release everything; NULL is fine. */
void parquet_close(struct parquet *pq);

/* Rows in the file (the footer's count; checked against the row groups). */
int64_t parquet_num_rows(const struct parquet *pq);
int parquet_num_row_groups(const struct parquet *pq);
/* The footer's created_by, or NULL. */
const char *parquet_created_by(const struct parquet *pq);
/*
 * Value of a footer key-value entry (e.g. "huggingface", "ARROW:schema"), or
 * NULL when absent; *len (may be NULL) gets its length.  Valid until close.
 */
const char *parquet_metadata(const struct parquet *pq, const char *key, size_t *len);

/* Top-level columns in schema order. */
int parquet_num_columns(const struct parquet *pq);
const char *parquet_column_name(const struct parquet *pq, int col);
/* Index of the top-level column called name, or -1. */
int parquet_column_find(const struct parquet *pq, const char *name);
enum parquet_kind parquet_column_kind(const struct parquet *pq, int col);
/* 1 when the column is a list of values of its kind, 0 when flat. */
int parquet_column_is_list(const struct parquet *pq, int col);
/*
 * CE_OK when the column can be read; otherwise CE_E_UNSUPPORTED with
 * "path: column 'x': why" in err.
 */
enum ce_status parquet_column_check(const struct parquet *pq, int col, struct ce_err *err);

/*
 * Choose the columns parquet_next_row decodes (indices from
 * parquet_column_find; n = 0 selects none: rows are still counted).  Must be
 * called before the first parquet_next_row.  Fails with CE_E_UNSUPPORTED
 * naming the first column that cannot be read, CE_E_INVALID_ARG for a bad
 * index or a repeated selection.
 */
enum ce_status parquet_select(struct parquet *pq, const int *cols, int n, struct ce_err *err);

/*
 * Advance to the next row: *has_row = 1 and CE_OK for a row, *has_row = 0
 * and CE_OK at the end, or an error (CE_E_FORMAT for corrupt data, naming the
 * file, row group and column; CE_E_UNSUPPORTED for an encoding this reader
 * does not know; CE_E_LIMIT when a row group exceeds max_row_group_bytes).
 * Selects every supported-or-not column first if parquet_select was never
 * called (so an unsupported column fails here).
 */
enum ce_status parquet_next_row(struct parquet *pq, int *has_row, struct ce_err *err);

/*
 * Getters for the current row.  col is a selected column's index.  Flat
 * getters return 1 with the value, or 0 when the value is null (or the column
 * is a list, or of another kind).  *s is not NUL-terminated; it is valid until
 * the next parquet_next_row / parquet_close.  parquet_get_f64 converts
 * integers; parquet_get_i64 accepts INT, UINT (<= INT64_MAX), BOOL, DATE and
 * TIMESTAMP columns.
 */
int parquet_is_null(const struct parquet *pq, int col);
int parquet_get_str(const struct parquet *pq, int col, const char **s, size_t *len);
int parquet_get_i64(const struct parquet *pq, int col, int64_t *v);
int parquet_get_u64(const struct parquet *pq, int col, uint64_t *v);
int parquet_get_f64(const struct parquet *pq, int col, double *v);
int parquet_get_bool(const struct parquet *pq, int col, int *v);

/*
 * Lists: parquet_is_null tells a null list from an empty one (length 0).
 * parquet_list_len is the number of elements (0 for null); elements are read
 * with the same getters plus an index k < len, returning 0 for a null element.
 */
size_t parquet_list_len(const struct parquet *pq, int col);
int parquet_list_get_str(const struct parquet *pq, int col, size_t k, const char **s, size_t *len);
int parquet_list_get_i64(const struct parquet *pq, int col, size_t k, int64_t *v);
int parquet_list_get_u64(const struct parquet *pq, int col, size_t k, uint64_t *v);
int parquet_list_get_f64(const struct parquet *pq, int col, size_t k, double *v);
int parquet_list_get_bool(const struct parquet *pq, int col, size_t k, int *v);

/*
 * Sort dataset shard paths in place the way `datasets` numbers them
 * (`train-00002-of-00010.parquet`): by the text before the shard number,
 * then by the number as a number, then by the whole path.
 */
void parquet_shards_sort(const char **paths, size_t n);

/*
 * Write a value as DuckDB's JSON export renders it (the reference of our
 * conformance tests): dates "YYYY-MM-DD", timestamps "YYYY-MM-DD
 * HH:MM:SS[.ffffff]", doubles shortest round-trip ("1.0", NaN, Infinity),
 * binary bytes outside printable ASCII as "\\xNN".  Used by `ceval cat`.
 * The writer is fputs-like: out is a FILE *.
 */
#include <stdio.h>
void parquet_write_json_value(const struct parquet *pq, int col, FILE *out);

#endif
