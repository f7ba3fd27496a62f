/*
 * ce_buf.h - a growing text buffer for reports (markdown, CSV, HTML): append
 * with printf, take the bytes at the end.  An allocation failure is sticky:
 * later appends do nothing and ce_buf_finish reports CE_E_NOMEM, so writers
 * check once, at the end.
 *
 * Ownership: the buffer owns its bytes until ce_buf_finish hands them to the
 * caller (ce_free), or frees them on failure.
 */
#ifndef CE_BUF_H
#define CE_BUF_H

#include <stddef.h>

#include "ce_status.h"

struct ce_buf {
	char *p;    /* NUL-terminated once anything was written */
	size_t len; /* bytes written, without the NUL */
	size_t cap; /* bytes allocated */
	int oom;    /* an allocation failed */
};

/* Append printf-formatted text. */
void ce_buf_printf(struct ce_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* [out] *out (ce_free), *len: the text, also when empty ("").  On an earlier
 * allocation failure: frees the buffer, CE_E_NOMEM "out of memory writing <what>". */
enum ce_status ce_buf_finish(struct ce_buf *b, const char *what, char **out, size_t *len, struct ce_err *err);

#endif
