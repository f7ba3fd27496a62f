/*
 * line_reader.h - streaming reader of text lines from a plain or
 * zstd-compressed file (detected by the zstd frame magic, so `x.jsonl.zst`
 * and a mis-named file both work), counting line numbers.
 *
 * Lines are split on '\n' only; a trailing '\r' is kept (callers decide).
 * A UTF-8 byte-order mark at the start of the content is skipped.  A
 * directory is refused at open ("is a directory, not a file"); FIFOs and
 * devices are read (`--input -` reads /dev/stdin).
 * A line longer than the reader's limit is an error (CE_E_LIMIT) naming the
 * file and line, never a silent truncation.  NUL bytes are passed through:
 * the returned length is authoritative.
 *
 * Ownership: the reader owns its buffers; a returned line is valid until the
 * next line_reader_next() or line_reader_close().
 */
#ifndef LINE_READER_H
#define LINE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct line_reader;

#define LINE_READER_DEFAULT_MAX_LINE ((size_t)64 << 20) /* 64 MiB */

/* Open path; max_line = 0 means LINE_READER_DEFAULT_MAX_LINE. NULL + err on failure. */
struct line_reader *line_reader_open(const char *path, size_t max_line, struct ce_err *err);

/*
 * Read the next line (without '\n') into *line / *len.
 * Returns CE_OK with *eof = 0 for a line, CE_OK with *eof = 1 at end of file,
 * or an error (CE_E_IO, CE_E_FORMAT for a corrupt zstd stream, CE_E_LIMIT, CE_E_NOMEM).
 */
enum ce_status line_reader_next(struct line_reader *r, const char **line, size_t *len, int *eof, struct ce_err *err);

/* 1-based number of the line last returned (0 before the first). */
int64_t line_reader_lineno(const struct line_reader *r);
/* The path given to open (valid until close). */
const char *line_reader_path(const struct line_reader *r);
/* Total bytes of decompressed content consumed so far. */
uint64_t line_reader_bytes(const struct line_reader *r);

void line_reader_close(struct line_reader *r);

#endif
