/*
 * record.h - rows of a dataset file read by column name, whatever the file
 * format.  Task-type loaders (eval/types/t_*.c) read only through this
 * interface; JSON lines (jsonl.c) is the first implementation.
 *
 * A record source yields rows (record_next); in the current row a column is a
 * struct record_value: missing, null, bool, integer, real, string, list (read
 * element by element with record_elem) or map.  The checked getters
 * (record_get_str, record_get_num, record_get_str_list, record_col) word
 * their errors the one way every loader uses:
 *   "<file>:<pos>: missing column 'x'"
 *   "<file>:<pos>: column 'x': expected a string, found an integer"
 * where <pos> is the 1-based line of the row (JSONL) or its row number for
 * formats without lines.
 *
 * Content hash: a source folds the bytes it reads into *hash (FNV-1a 64,
 * ce_fnv1a64) as it reads them; record_source_find first folds in the
 * role name and its NUL.  For JSONL that is every line, blank or not, each
 * followed by "\n" (decompressed bytes), so the hash recorded in results is
 * the same for x.jsonl and x.jsonl.zst.
 *
 * Adding a format: write <fmt>.c with a struct record_ops and a constructor
 * like jsonl_source_open, and add its file name rule to record_source_open
 * (and the names tried to record_source_find).  No loader changes.
 *
 * Ownership: record_source_close frees the source (accepts NULL).  Strings
 * in a record_value are borrowed: valid until the next record_next or close.
 */
#ifndef RECORD_H
#define RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"
#include "strtab.h"

enum record_kind {
	RECORD_MISSING = 0, /* the row has no such column */
	RECORD_NULL,
	RECORD_BOOL,
	RECORD_INT,
	RECORD_REAL,
	RECORD_STR,
	RECORD_LIST,
	RECORD_MAP,
	RECORD_KIND_COUNT
};

/* "an integer", "a string", ... (for "expected X, found <kind>" messages). */
const char *record_kind_name(enum record_kind k);

struct record_value {
	enum record_kind kind;
	const char *str; /* RECORD_STR: bytes (no NUL inside), borrowed */
	size_t len;      /* RECORD_STR: length in bytes */
	int64_t i;       /* RECORD_INT */
	double num;      /* RECORD_INT and RECORD_REAL: the value as a double */
	bool b;          /* RECORD_BOOL */
	size_t n;        /* RECORD_LIST: number of elements */
	const void *impl; /* RECORD_LIST: the implementation's handle for record_elem */
};

struct record_source;

/* What an implementation provides. */
struct record_ops {
	const char *format; /* "jsonl" */
	/* Advance to the next row; *has_row = false at the end. */
	enum ce_status (*next)(struct record_source *s, bool *has_row, struct ce_err *err);
	/* Column col of the current row (kind RECORD_MISSING when absent). */
	void (*get)(struct record_source *s, const char *col, struct record_value *out);
	/* Element i (< list->n) of a RECORD_LIST value of the current row. */
	void (*elem)(struct record_source *s, const struct record_value *list, size_t i, struct record_value *out);
	/* Position of the current row for messages: 1-based line (or row); at the end, the last line read. */
	int64_t (*pos)(const struct record_source *s);
	void (*close)(struct record_source *s);
};

/* The common head of every source (implementations embed it first). */
struct record_source {
	const struct record_ops *ops;
	const char *path; /* for messages; owned by the implementation */
	int64_t n_rows;   /* rows returned so far */
};

/*
 * Open path with the implementation its name selects: "*.jsonl" and
 * "*.jsonl.zst" (and any other name: the line reader detects zstd by its
 * magic) are JSON lines; "*.parquet" is Parquet (record_parquet.c).  hash
 * may be NULL.  [out] *out.
 */
enum ce_status record_source_open(const char *path, uint64_t *hash, struct record_source **out, struct ce_err *err);

/*
 * Open the rows <dir>/<stem>.jsonl, else <dir>/<stem>.jsonl.zst, folding
 * role (with its NUL) into *hash first.  CE_E_NOT_FOUND names both paths
 * ("<p>: not found (nor <p>.zst)").
 */
enum ce_status record_source_find(const char *dir, const char *stem, const char *role, uint64_t *hash,
				  struct record_source **out, struct ce_err *err);
void record_source_close(struct record_source *s);

static inline enum ce_status record_next(struct record_source *s, bool *has_row, struct ce_err *err)
{
	return s->ops->next(s, has_row, err);
}
static inline void record_get(struct record_source *s, const char *col, struct record_value *out)
{
	s->ops->get(s, col, out);
}
static inline void record_elem(struct record_source *s, const struct record_value *list, size_t i,
			       struct record_value *out)
{
	s->ops->elem(s, list, i, out);
}
static inline int64_t record_pos(const struct record_source *s)
{
	return s->ops->pos(s);
}

/* CE_E_FORMAT "<path>:<pos>: <fmt...>". */
enum ce_status record_err(const struct record_source *s, struct ce_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* CE_E_NOMEM "<path>: out of memory". */
enum ce_status record_nomem(const struct record_source *s, struct ce_err *err);
/* CE_E_FORMAT "<path>:<pos>: no records (empty split)". */
enum ce_status record_empty(const struct record_source *s, struct ce_err *err);

/* Column col, present (any kind but RECORD_MISSING), else "missing column 'col'". */
enum ce_status record_col(struct record_source *s, const char *col, struct record_value *v, struct ce_err *err);
/* A string column. */
enum ce_status record_get_str(struct record_source *s, const char *col, const char **str, size_t *len,
			      struct ce_err *err);
/* A number column (integer or real). */
enum ce_status record_get_num(struct record_source *s, const char *col, double *x, struct ce_err *err);
/* A list-of-strings column, each element pushed onto t; *count = the list's length. */
enum ce_status record_get_str_list(struct record_source *s, const char *col, struct strtab *t, int64_t *count,
				   struct ce_err *err);

/* ---- for implementations ----------------------------------------------- */

/* JSON lines (jsonl.c): one object per line, blank lines skipped, duplicate keys rejected. */
enum ce_status jsonl_source_open(const char *path, uint64_t *hash, struct record_source **out, struct ce_err *err);

/*
 * Parquet (record_parquet.c): one file, or shards read one after the other
 * as one source (paths copied).  Values and content hash: see
 * record_parquet.c.  Columns this reader cannot decode read as missing.
 */
enum ce_status parquet_source_open(const char *path, uint64_t *hash, struct record_source **out, struct ce_err *err);
enum ce_status parquet_source_open_shards(const char *const *paths, size_t n, uint64_t *hash,
					  struct record_source **out, struct ce_err *err);

/*
 * Explode rows that hold parallel lists (the 2023 C-MTEB OCNLI / CMNLI form:
 * one row whose columns are lists): when cols[0] of an inner row is a list,
 * every cols[i] must be a list of the same length (cols[2] and later may
 * also be absent from the row), and the row yields one
 * row per element, where cols[i] reads as its element (other columns as in
 * the inner row); a row where cols[0] is not a list passes through as is.
 * Takes ownership of in (closed on failure too).  pos is the inner row's.
 */
enum ce_status record_source_explode(struct record_source *in, const char *const *cols, int n_cols,
				     struct record_source **out, struct ce_err *err);

/*
 * The rows of (config, split) of a Hugging Face dataset snapshot folder, its
 * files found by hub_layout.h (config NULL: "default"; a config with one
 * split answers for any split name); Parquet shards are read in order as one
 * source.  Folds role (with its NUL) into *hash like record_source_find.
 * CE_E_NOT_FOUND when the snapshot has no such config or split.
 */
enum ce_status record_source_hub(const char *snapshot, const char *config, const char *split, const char *role,
				 uint64_t *hash, struct record_source **out, struct ce_err *err);
/* 1 when the snapshot's layout has a config of that name (0 also when unreadable). */
int record_hub_has_config(const char *snapshot, const char *config);

/* <dir>/<rel> if it is a file, else <dir>/<rel>.zst; [out] *path (ce_free). */
enum ce_status record_find_file(const char *dir, const char *rel, char **path, struct ce_err *err);

#endif
