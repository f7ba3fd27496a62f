/*
 * lines.c - line sources over files or memory (lines.h).
 */
#include "ce_hash.h"
#include "lines.h"

#include <string.h>

#include "line_reader.h"
#include "strtab.h"

enum ce_status line_src_open(struct line_src *s, struct ce_err *err)
{
	s->lineno = 0;
	s->pos = 0;
	if (s->path) {
		s->lr = line_reader_open(s->path, 0, err);
		if (!s->lr)
			return err ? err->code : CE_E_IO;
	}
	return CE_OK;
}

void line_src_close(struct line_src *s)
{
	line_reader_close(s->lr);
	s->lr = NULL;
}

enum ce_status line_src_next(struct line_src *s, const char **line, size_t *len, int *eof, struct ce_err *err)
{
	if (s->lr) {
		CE_TRY(line_reader_next(s->lr, line, len, eof, err));
		s->lineno = line_reader_lineno(s->lr);
		return CE_OK;
	}
	if (s->pos >= s->len) {
		*eof = 1;
		return CE_OK;
	}
	const char *start = s->buf + s->pos;
	const char *nl = memchr(start, '\n', s->len - s->pos);
	size_t n = nl ? (size_t)(nl - start) : s->len - s->pos;
	s->pos += n + (nl != NULL);
	s->lineno++;
	*line = start;
	*len = n;
	*eof = 0;
	return CE_OK;
}

static int is_blank(const char *l, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (l[i] != ' ' && l[i] != '\t' && l[i] != '\r')
			return 0;
	return 1;
}

enum ce_status line_src_next_data(struct line_src *s, uint64_t *hash, const char **line, size_t *len, int *eof,
				  struct ce_err *err)
{
	for (;;) {
		CE_TRY(line_src_next(s, line, len, eof, err));
		if (*eof)
			return CE_OK;
		if (hash) {
			*hash = ce_fnv1a64(*hash, *line, *len);
			*hash = ce_fnv1a64(*hash, "\n", 1);
		}
		if (!is_blank(*line, *len))
			return CE_OK;
	}
}
