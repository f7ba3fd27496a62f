#include "texts_input.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "ce_json.h"
#include "fs_util.h"
#include "line_reader.h"

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

enum ce_status texts_input_load(const char *path, const char *field, struct texts_input *out, struct ce_err *err)
{
	memset(out, 0, sizeof *out);
	struct line_reader *r = line_reader_open(path, 0, err);
	if (!r)
		return err ? err->code : CE_E_IO;
	enum ce_status st = CE_OK;
	int64_t cap = 0;
	for (;;) {
		const char *line;
		size_t len;
		int eof;
		st = line_reader_next(r, &line, &len, &eof, err);
		if (st != CE_OK || eof)
			break;
		if (is_blank(line, len))
			continue;
		json_error_t jerr;
		/* U+0000 is allowed: the tokenizer's clean_text deletes it, as the reference does */
		json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
		long long ln = (long long)line_reader_lineno(r);
		if (!obj) {
			st = ce_err_set(err, ce_json_status(&jerr), "%s:%lld:%d: invalid JSON: %s", path, ln,
					jerr.column > 0 ? jerr.column : 1, ce_json_text(&jerr));
			break;
		}
		json_t *t = json_is_object(obj) ? json_object_get(obj, field) : NULL;
		if (!json_is_string(t)) {
			st = ce_err_set(err, CE_E_FORMAT, "%s:%lld: expected an object with a string \"%s\" member", path, ln,
					field);
			json_decref(obj);
			break;
		}
		if (out->n == cap) {
			int64_t ncap = cap ? cap * 2 : 256;
			char **nt = ce_realloc_array(out->texts, (size_t)ncap, sizeof *nt);
			if (nt)
				out->texts = nt;
			size_t *nl = nt ? ce_realloc_array(out->lens, (size_t)ncap, sizeof *nl) : NULL;
			if (nl)
				out->lens = nl;
			if (!nt || !nl) {
				json_decref(obj);
				st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
				break;
			}
			cap = ncap;
		}
		size_t sl = json_string_length(t);
		out->texts[out->n] = ce_strndup(json_string_value(t), sl);
		json_decref(obj);
		if (!out->texts[out->n]) {
			st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
			break;
		}
		out->lens[out->n] = sl;
		out->n++;
	}
	line_reader_close(r);
	if (st != CE_OK)
		texts_input_free(out);
	return st;
}

void texts_input_free(struct texts_input *in)
{
	if (!in)
		return;
	for (int64_t i = 0; i < in->n; i++)
		ce_free(in->texts[i]);
	ce_free(in->texts);
	ce_free(in->lens);
	in->texts = NULL;
	in->lens = NULL;
	in->n = 0;
}

enum ce_status npy_write_f32(const char *path, const float *data, int64_t rows, int64_t cols, struct ce_err *err)
{
	char dict[128];
	int dl = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld, %lld), }",
			  (long long)rows, (long long)cols);
	/* header (magic 6 + version 2 + len 2 + dict + pad + '\n') is a multiple of 64 */
	size_t total = 10 + (size_t)dl + 1;
	size_t pad = (64 - total % 64) % 64;
	size_t hlen = (size_t)dl + pad + 1;
	size_t body = (size_t)rows * (size_t)cols * sizeof(float);
	char *buf = ce_malloc(10 + hlen + body);
	if (!buf)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	buf[8] = (char)(hlen & 0xff);
	buf[9] = (char)(hlen >> 8);
	memcpy(buf + 10, dict, (size_t)dl);
	memset(buf + 10 + dl, ' ', pad);
	buf[10 + hlen - 1] = '\n';
	if (body)
		memcpy(buf + 10 + hlen, data, body);
	enum ce_status st = CE_OK;
	if (strcmp(path, "-") == 0) { /* stdout: binary, whole or an error */
		if (fwrite(buf, 1, 10 + hlen + body, stdout) != 10 + hlen + body || fflush(stdout) != 0)
			st = ce_err_set(err, CE_E_IO, "stdout: write failed: %s", strerror(errno));
	} else {
		st = fs_write_atomic(path, buf, 10 + hlen + body, err);
	}
	ce_free(buf);
	return st;
}
