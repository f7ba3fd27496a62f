#include "line_reader.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zstd.h>

#include "ce_alloc.h"

struct line_reader {
	FILE *fp;
	char *path;
	int is_zstd;
	ZSTD_DStream *zds;
	/* compressed input buffer (zstd only) */
	unsigned char *in_buf;
	size_t in_cap;
	ZSTD_inBuffer zin;
	int in_eof;
	size_t last_frame_hint; /* ZSTD_decompressStream's return: 0 = frame complete */
	/* decoded bytes not yet returned: buf[pos..end) */
	char *buf;
	size_t cap, pos, end;
	int src_eof;
	size_t max_line;
	int64_t lineno;
	uint64_t bytes;
};

static const unsigned char zstd_magic[4] = {0x28, 0xB5, 0x2F, 0xFD};

struct line_reader *line_reader_open(const char *path, size_t max_line, struct ce_err *err)
{
	struct line_reader *r = ce_calloc(1, sizeof *r);
	if (!r) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
		return NULL;
	}
	r->max_line = max_line ? max_line : LINE_READER_DEFAULT_MAX_LINE;
	r->path = ce_strdup(path);
	r->cap = 1 << 16;
	r->buf = ce_malloc(r->cap);
	if (!r->path || !r->buf) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
		goto fail;
	}
	r->fp = fopen(path, "rb");
	if (!r->fp) {
		int e = errno;
		ce_err_set(err, e == ENOENT ? CE_E_NOT_FOUND : CE_E_IO, "%s: cannot open: %s", path, strerror(e));
		goto fail;
	}
	struct stat st;
	if (fstat(fileno(r->fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		ce_err_set(err, CE_E_IO, "%s: is a directory, not a file", path);
		goto fail;
	}
	unsigned char head[4];
	size_t n = fread(head, 1, 4, r->fp);
	if (n == 4 && memcmp(head, zstd_magic, 4) == 0) {
		r->is_zstd = 1;
		r->zds = ZSTD_createDStream();
		r->in_cap = ZSTD_DStreamInSize();
		r->in_buf = ce_malloc(r->in_cap);
		if (!r->zds || !r->in_buf) {
			ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
			goto fail;
		}
		ZSTD_initDStream(r->zds);
		memcpy(r->in_buf, head, 4);
		r->zin.src = r->in_buf;
		r->zin.size = 4;
		r->zin.pos = 0;
	} else {
		memcpy(r->buf, head, n);
		r->end = n;
	}
	return r;
fail:
	line_reader_close(r);
	return NULL;
}

/* Append more decoded bytes to buf[end..cap). Sets src_eof when nothing more. */
static enum ce_status fill(struct line_reader *r, struct ce_err *err)
{
	if (r->end == r->cap) {
		/* make room: first compact, then grow */
		if (r->pos > 0) {
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
			r->end -= r->pos;
			r->pos = 0;
		} else {
			size_t ncap = r->cap * 2;
			char *nb = ce_realloc(r->buf, ncap);
			if (!nb)
				return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", r->path);
			r->buf = nb;
			r->cap = ncap;
		}
	}
	if (!r->is_zstd) {
		size_t n = fread(r->buf + r->end, 1, r->cap - r->end, r->fp);
		if (n == 0) {
			if (ferror(r->fp))
				return ce_err_set(err, CE_E_IO, "%s: read failed: %s", r->path, strerror(errno));
			r->src_eof = 1;
		}
		r->end += n;
		return CE_OK;
	}
	for (;;) {
		if (r->zin.pos == r->zin.size && !r->in_eof) {
			size_t n = fread(r->in_buf, 1, r->in_cap, r->fp);
			if (n == 0) {
				if (ferror(r->fp))
					return ce_err_set(err, CE_E_IO, "%s: read failed: %s", r->path, strerror(errno));
				r->in_eof = 1;
			}
			r->zin.src = r->in_buf;
			r->zin.size = n;
			r->zin.pos = 0;
		}
		if (r->zin.pos == r->zin.size && r->in_eof) {
			if (r->last_frame_hint != 0)
				return ce_err_set(err, CE_E_FORMAT, "%s: truncated zstd stream", r->path);
			r->src_eof = 1;
			return CE_OK;
		}
		ZSTD_outBuffer out = {r->buf + r->end, r->cap - r->end, 0};
		size_t ret = ZSTD_decompressStream(r->zds, &out, &r->zin);
		if (ZSTD_isError(ret))
			return ce_err_set(err, CE_E_FORMAT, "%s: corrupt zstd stream: %s", r->path, ZSTD_getErrorName(ret));
		r->last_frame_hint = ret;
		r->end += out.pos;
		if (out.pos > 0)
			return CE_OK;
	}
}

/* A UTF-8 byte-order mark before the first line (Windows editors write one) is not content. */
static void skip_bom(const struct line_reader *r, const char **line, size_t *len)
{
	if (r->lineno == 0 && *len >= 3 && memcmp(*line, "\xef\xbb\xbf", 3) == 0) {
		*line += 3;
		*len -= 3;
	}
}

enum ce_status line_reader_next(struct line_reader *r, const char **line, size_t *len, int *eof, struct ce_err *err)
{
	size_t scan = r->pos;
	for (;;) {
		char *nl = memchr(r->buf + scan, '\n', r->end - scan);
		if (nl) {
			size_t n = (size_t)(nl - (r->buf + r->pos));
			if (n > r->max_line)
				return ce_err_set(err, CE_E_LIMIT, "%s:%lld: line longer than %zu bytes", r->path,
						  (long long)r->lineno + 1, r->max_line);
			*line = r->buf + r->pos;
			*len = n;
			*eof = 0;
			r->pos += n + 1;
			r->bytes += n + 1;
			skip_bom(r, line, len);
			r->lineno++;
			return CE_OK;
		}
		if (r->end - r->pos > r->max_line)
			return ce_err_set(err, CE_E_LIMIT, "%s:%lld: line longer than %zu bytes", r->path,
					  (long long)r->lineno + 1, r->max_line);
		if (r->src_eof) {
			if (r->end > r->pos) { /* last line without '\n' */
				*line = r->buf + r->pos;
				*len = r->end - r->pos;
				*eof = 0;
				r->bytes += *len;
				r->pos = r->end;
				skip_bom(r, line, len);
				r->lineno++;
				return CE_OK;
			}
			*line = NULL;
			*len = 0;
			*eof = 1;
			return CE_OK;
		}
		size_t off = r->end - r->pos; /* already scanned; pos may move in fill() */
		CE_TRY(fill(r, err));
		scan = r->pos + off;
	}
}

int64_t line_reader_lineno(const struct line_reader *r) { return r->lineno; }
const char *line_reader_path(const struct line_reader *r) { return r->path; }
uint64_t line_reader_bytes(const struct line_reader *r) { return r->bytes; }

void line_reader_close(struct line_reader *r)
{
	if (!r)
		return;
	if (r->fp)
		fclose(r->fp);
	if (r->zds)
		ZSTD_freeDStream(r->zds);
	ce_free(r->in_buf);
	ce_free(r->buf);
	ce_free(r->path);
	ce_free(r);
}
