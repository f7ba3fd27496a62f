/*
 * npy_read.c - strict .npy reader (numpy NEP 1 format), float32/float64 only.
 * The header is a Python dict literal; only the exact keys numpy writes are
 * accepted, parsed with a small scanner (no eval, bounded by the header length).
 */
#include "npy_read.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "fs_util.h"

struct hscan {
	const char *p, *end;
};

static void skip_ws(struct hscan *h)
{
	while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n'))
		h->p++;
}

static int eat(struct hscan *h, char c)
{
	skip_ws(h);
	if (h->p < h->end && *h->p == c) {
		h->p++;
		return 1;
	}
	return 0;
}

/* A quoted string ('...' or "...") without escapes, into buf. */
static int scan_str(struct hscan *h, char *buf, size_t cap)
{
	skip_ws(h);
	if (h->p >= h->end || (*h->p != '\'' && *h->p != '"'))
		return 0;
	char q = *h->p++;
	size_t n = 0;
	while (h->p < h->end && *h->p != q) {
		if (*h->p == '\\' || n + 1 >= cap)
			return 0;
		buf[n++] = *h->p++;
	}
	if (h->p >= h->end)
		return 0;
	h->p++;
	buf[n] = '\0';
	return 1;
}

static int scan_word(struct hscan *h, const char *w)
{
	skip_ws(h);
	size_t n = strlen(w);
	if ((size_t)(h->end - h->p) >= n && memcmp(h->p, w, n) == 0) {
		h->p += n;
		return 1;
	}
	return 0;
}

/* Non-negative decimal below 2^53 (numpy may write "3L" in old Python 2 files: refused). */
static int scan_uint(struct hscan *h, int64_t *out)
{
	skip_ws(h);
	if (h->p >= h->end || !isdigit((unsigned char)*h->p))
		return 0;
	int64_t v = 0;
	while (h->p < h->end && isdigit((unsigned char)*h->p)) {
		v = v * 10 + (*h->p - '0');
		if (v > ((int64_t)1 << 53))
			return 0;
		h->p++;
	}
	*out = v;
	return 1;
}

enum ce_status npy_parse_f32(const char *name, const void *buf, size_t len, float **data, int64_t *rows, int64_t *cols,
			     struct ce_err *err)
{
	*data = NULL;
	*rows = *cols = 0;
	const unsigned char *b = buf;
	if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0)
		return ce_err_set(err, CE_E_FORMAT, "%s: not a .npy file (no \\x93NUMPY magic)", name);
	unsigned major = b[6];
	size_t hlen, hoff;
	if (major == 1) {
		hlen = (size_t)b[8] | (size_t)b[9] << 8;
		hoff = 10;
	} else if (major == 2 || major == 3) {
		if (len < 12)
			return ce_err_set(err, CE_E_FORMAT, "%s: truncated .npy header", name);
		hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
		hoff = 12;
	} else {
		return ce_err_set(err, CE_E_UNSUPPORTED, "%s: .npy format version %u.%u is not supported", name, major,
				  b[7]);
	}
	if (hlen > len - hoff)
		return ce_err_set(err, CE_E_FORMAT, "%s: .npy header length %zu runs past the end of the file (%zu bytes)",
				  name, hlen, len);
	struct hscan h = {(const char *)b + hoff, (const char *)b + hoff + hlen};
	char descr[16] = "";
	int have_descr = 0, have_fortran = 0, have_shape = 0, fortran = 0;
	int64_t dims[2] = {0, 0};
	int ndim = 0;
	if (!eat(&h, '{'))
		return ce_err_set(err, CE_E_FORMAT, "%s: .npy header is not a dict", name);
	while (!eat(&h, '}')) {
		char key[32];
		if (!scan_str(&h, key, sizeof key) || !eat(&h, ':'))
			return ce_err_set(err, CE_E_FORMAT, "%s: .npy header: expected 'key': value", name);
		if (strcmp(key, "descr") == 0 && !have_descr) {
			if (!scan_str(&h, descr, sizeof descr))
				return ce_err_set(err, CE_E_FORMAT, "%s: .npy header: descr is not a string", name);
			have_descr = 1;
		} else if (strcmp(key, "fortran_order") == 0 && !have_fortran) {
			if (scan_word(&h, "True"))
				fortran = 1;
			else if (!scan_word(&h, "False"))
				return ce_err_set(err, CE_E_FORMAT, "%s: .npy header: fortran_order is not True/False", name);
			have_fortran = 1;
		} else if (strcmp(key, "shape") == 0 && !have_shape) {
			if (!eat(&h, '('))
				return ce_err_set(err, CE_E_FORMAT, "%s: .npy header: shape is not a tuple", name);
			while (!eat(&h, ')')) {
				int64_t d;
				if (!scan_uint(&h, &d))
					return ce_err_set(err, CE_E_FORMAT, "%s: .npy header: bad shape entry", name);
				if (ndim == 2)
					return ce_err_set(err, CE_E_UNSUPPORTED, "%s: array has more than 2 dimensions", name);
				dims[ndim++] = d;
				if (!eat(&h, ',')) {
					if (!eat(&h, ')'))
						return ce_err_set(err, CE_E_FORMAT, "%s: .npy header: bad shape tuple", name);
					break;
				}
			}
			have_shape = 1;
		} else {
			return ce_err_set(err, CE_E_FORMAT, "%s: .npy header: unexpected or repeated key '%s'", name, key);
		}
		if (!eat(&h, ',')) {
			if (!eat(&h, '}'))
				return ce_err_set(err, CE_E_FORMAT, "%s: .npy header: expected ',' or '}'", name);
			break;
		}
	}
	if (!have_descr || !have_fortran || !have_shape)
		return ce_err_set(err, CE_E_FORMAT, "%s: .npy header lacks descr, fortran_order or shape", name);
	size_t item;
	if (strcmp(descr, "<f4") == 0 || strcmp(descr, "=f4") == 0 || strcmp(descr, "|f4") == 0)
		item = 4;
	else if (strcmp(descr, "<f8") == 0 || strcmp(descr, "=f8") == 0 || strcmp(descr, "|f8") == 0)
		item = 8;
	else
		return ce_err_set(err, CE_E_UNSUPPORTED, "%s: dtype '%s' is not supported (float32 or float64, little-endian)",
				  name, descr);
	if (fortran)
		return ce_err_set(err, CE_E_UNSUPPORTED, "%s: Fortran-order arrays are not supported", name);
	if (ndim == 0)
		return ce_err_set(err, CE_E_UNSUPPORTED, "%s: a 0-d array is not a matrix", name);
	int64_t r = ndim == 2 ? dims[0] : 1, c = ndim == 2 ? dims[1] : dims[0];
	/* both below 2^53: the product check below cannot overflow in unsigned 128-free form */
	if (c != 0 && (uint64_t)r > (uint64_t)(NPY_READ_MAX_BYTES / item) / (uint64_t)c)
		return ce_err_set(err, CE_E_LIMIT, "%s: shape (%lld, %lld) is too large", name, (long long)r, (long long)c);
	size_t n = (size_t)r * (size_t)c;
	size_t doff = hoff + hlen;
	if (len - doff != n * item)
		return ce_err_set(err, CE_E_FORMAT, "%s: data is %zu bytes, shape (%lld, %lld) of %s needs %zu", name,
				  len - doff, (long long)r, (long long)c, descr, n * item);
	float *out = NULL;
	if (n) {
		out = ce_malloc_array(n, sizeof *out);
		if (!out)
			return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", name);
		const unsigned char *d = b + doff;
		for (size_t i = 0; i < n; i++) {
			if (item == 4) {
				memcpy(&out[i], d + 4 * i, 4);
			} else {
				double v;
				memcpy(&v, d + 8 * i, 8);
				out[i] = (float)v;
			}
		}
	}
	*data = out;
	*rows = r;
	*cols = c;
	return CE_OK;
}

enum ce_status npy_read_f32(const char *path, float **data, int64_t *rows, int64_t *cols, struct ce_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	*data = NULL;
	CE_TRY(fs_read_file(path, NPY_READ_MAX_BYTES, &buf, &len, err));
	enum ce_status s = npy_parse_f32(path, buf, len, data, rows, cols, err);
	ce_free(buf);
	return s;
}
