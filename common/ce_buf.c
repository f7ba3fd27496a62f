/* ce_buf.c - a growing text buffer (ce_buf.h). */
#include "ce_buf.h"

#include <stdarg.h>
#include <stdio.h>

#include "ce_alloc.h"

void ce_buf_printf(struct ce_buf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = 1;
			return;
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t nc = b->cap ? b->cap * 2 : 4096;
		while (nc < b->len + (size_t)n + 1)
			nc *= 2;
		char *g = ce_realloc(b->p, nc);
		if (!g) {
			b->oom = 1;
			return;
		}
		b->p = g;
		b->cap = nc;
	}
}

enum ce_status ce_buf_finish(struct ce_buf *b, const char *what, char **out, size_t *len, struct ce_err *err)
{
	if (!b->oom && !b->p) /* nothing written: an empty text */
		ce_buf_printf(b, "%s", "");
	if (b->oom) {
		ce_free(b->p);
		*b = (struct ce_buf){0};
		*out = NULL;
		*len = 0;
		return ce_err_set(err, CE_E_NOMEM, "out of memory writing %s", what);
	}
	*out = b->p;
	*len = b->len;
	*b = (struct ce_buf){0};
	return CE_OK;
}
