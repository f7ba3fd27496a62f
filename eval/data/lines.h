/*
 * lines.h - text lines from a (plain or zstd) file, through
 * common/line_reader.h, or from a memory buffer, with line numbers: the one
 * line source of the dataset readers (jsonl.c, qrels_tsv.c) and of
 * `ceval score` (score.c).
 *
 * Fill in name and either path (file mode) or buf/len (memory mode), then
 * line_src_open.  A returned line is valid until the next call or close.
 */
#ifndef LINES_H
#define LINES_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct line_reader;

struct line_src {
	const char *name;         /* used in messages */
	const char *path;         /* file mode when non-NULL */
	struct line_reader *lr;
	const char *buf;          /* memory mode */
	size_t len, pos;
	int64_t lineno;           /* 1-based number of the line last returned (0 before the first) */
};

enum ce_status line_src_open(struct line_src *s, struct ce_err *err);
/* Next line (without '\n'); *eof = 1 at the end. */
enum ce_status line_src_next(struct line_src *s, const char **line, size_t *len, int *eof, struct ce_err *err);
/* Next line with a non-blank character (blank: space, tab, CR); every line
 * read, blank or not, is folded into *hash (FNV-1a, if hash) followed by "\n". */
enum ce_status line_src_next_data(struct line_src *s, uint64_t *hash, const char **line, size_t *len, int *eof,
				  struct ce_err *err);
void line_src_close(struct line_src *s);

#endif
