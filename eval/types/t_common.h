/*
 * t_common.h - what the task-type loaders (t_*.c) share: reading every row
 * of a split file through a row function, class labels mapped to dense ids,
 * and Python's str.strip.  Reads only through record.h (no file format here).
 */
#ifndef T_COMMON_H
#define T_COMMON_H

#include <stdint.h>

#include "ce_status.h"
#include "dataset.h"
#include "record.h"
#include "task.h"

/* What a row function fills: the task's columns say where to read, ds (or
 * texts and acc) where to write; cap and cap2 are the capacities of the
 * growable arrays it appends to. */
struct t_rows {
	const struct task *t;
	struct dataset *ds;
	struct strtab *texts;     /* classification: the texts of the file being read */
	struct t_label_acc *acc;  /* classification, clustering */
	int64_t cap, cap2, cap3;
};

/* Append the current row of s; errors name the row's file and line. */
typedef enum ce_status (*t_row_fn)(struct record_source *s, struct t_rows *c, struct ce_err *err);

/*
 * Open the rows of split `stem`: <loc->dir>/<stem>.jsonl (.zst), or in a hub
 * snapshot the files of (config, stem) (config NULL: "default").  Hashed as
 * role.
 */
enum ce_status t_open_rows(const struct data_location *loc, const char *config, const char *stem, const char *role,
			   uint64_t *hash, struct record_source **out, struct ce_err *err);
/* Every row of s through row, then close s; no rows is an error. */
enum ce_status t_read_rows(struct record_source *s, t_row_fn row, struct t_rows *c, struct ce_err *err);
/* Every row of split stem (t_open_rows with the task's hf_subset as config) through row. */
enum ce_status t_load_rows(const struct data_location *loc, const char *stem, const char *role, t_row_fn row,
			   struct t_rows *c, struct ce_err *err);

/* Raw labels in row order, before mapping to dense ids (zero-initialise). */
struct t_label_acc {
	int kind;              /* 0 none yet, 1 integers, 2 strings */
	char *first_path;      /* where the first label was seen */
	int64_t first_line;
	struct strtab strs;    /* kind 2: one entry per row */
	int64_t *ints;         /* kind 1: one entry per row */
	int64_t n, cap;
};
void t_label_acc_deinit(struct t_label_acc *a);
/* Add label v (an integer or a string) of column col of the current row. */
enum ce_status t_label_add(const struct record_source *s, struct t_label_acc *a, const struct record_value *v,
			   const char *col, struct ce_err *err);
/* Map rows [0, a->n) to dense sorted ids in ids[]; fill out (dataset.h, struct ds_labels). */
enum ce_status t_label_finish(struct t_label_acc *a, struct ds_labels *out, int32_t *ids, struct ce_err *err);
void t_labels_deinit(struct ds_labels *l);

/* Python str.strip() on a UTF-8 buffer: [*b, *e) is the kept range. */
void t_py_strip(const char *s, size_t len, size_t *b, size_t *e);

#endif
