#include "test_util.h"

#include <errno.h>
#include <jansson.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *tu_shared_dir(void)
{
	const char *e = getenv("CEVAL_SHARED");
	return e && *e ? e : "../shared";
}

const char *tu_shared(const char *rel)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next];
	next = (next + 1) % 8;
	snprintf(b, sizeof bufs[0], "%s/%s", tu_shared_dir(), rel);
	return b;
}

const char *tu_fixtures_dir(void)
{
	const char *e = getenv("CEVAL_FIXTURES");
	return e && *e ? e : "build/fixtures";
}

const char *tu_fixture(const char *rel)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next];
	next = (next + 1) % 8;
	snprintf(b, sizeof bufs[0], "%s/%s", tu_fixtures_dir(), rel);
	return b;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read %s", path);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

void tu_npy_load(const char *path, struct tu_npy *out)
{
	size_t len;
	char *buf = slurp(path, &len);
	if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
		fail_msg("%s: not a .npy file", path);
	int major = (unsigned char)buf[6];
	size_t hlen, off;
	if (major == 1) {
		hlen = (unsigned char)buf[8] | ((size_t)(unsigned char)buf[9] << 8);
		off = 10;
	} else {
		hlen = (unsigned char)buf[8] | ((size_t)(unsigned char)buf[9] << 8) |
		       ((size_t)(unsigned char)buf[10] << 16) | ((size_t)(unsigned char)buf[11] << 24);
		off = 12;
	}
	char *hdr = strndup(buf + off, hlen);
	int is_f8 = strstr(hdr, "'<f8'") != NULL;
	if (!is_f8 && !strstr(hdr, "'<f4'"))
		fail_msg("%s: dtype is not <f4/<f8: %s", path, hdr);
	if (strstr(hdr, "'fortran_order': True"))
		fail_msg("%s: fortran order", path);
	char *sh = strstr(hdr, "'shape': (");
	if (!sh)
		fail_msg("%s: no shape", path);
	long long r = 0, c = 0;
	int k = sscanf(sh, "'shape': (%lld, %lld)", &r, &c);
	if (k == 1) {
		c = r;
		r = 1;
	}
	free(hdr);
	out->rows = r;
	out->cols = c;
	size_t n = (size_t)(r * c);
	out->data = malloc(n * sizeof(float) + 1);
	const char *p = buf + off + hlen;
	if ((size_t)(p - buf) + n * (is_f8 ? 8 : 4) > len)
		fail_msg("%s: truncated data", path);
	if (is_f8) {
		for (size_t i = 0; i < n; i++) {
			double d;
			memcpy(&d, p + 8 * i, 8);
			out->data[i] = (float)d;
		}
	} else {
		memcpy(out->data, p, n * 4);
	}
	free(buf);
}

void tu_npy_free(struct tu_npy *a)
{
	free(a->data);
	a->data = NULL;
}

char **tu_read_lines(const char *path, size_t *n_lines)
{
	size_t len;
	char *buf = slurp(path, &len);
	size_t cap = 16, n = 0;
	char **lines = malloc(cap * sizeof *lines);
	char *p = buf, *end = buf + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n == cap) {
			cap *= 2;
			lines = realloc(lines, cap * sizeof *lines);
		}
		lines[n++] = strndup(p, l);
		p += l + (nl ? 1 : 0);
	}
	free(buf);
	*n_lines = n;
	return lines;
}

void tu_lines_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

char *tu_mkdtemp(void)
{
	const char *t = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof tmpl, "%s/ceval-test-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpl))
		fail_msg("mkdtemp: %s", strerror(errno));
	return strdup(tmpl);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tu_rm_rf(const char *path)
{
	if (path)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	if (len && fwrite(data, 1, len, f) != len)
		fail_msg("short write %s", path);
	fclose(f);
}

void tu_write_text(const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		fail_msg("vasprintf");
	va_end(ap);
	tu_write_file(path, s, strlen(s));
	free(s);
}

double tu_cosine(const float *a, const float *b, int64_t n)
{
	double ab = 0, aa = 0, bb = 0;
	for (int64_t i = 0; i < n; i++) {
		ab += (double)a[i] * b[i];
		aa += (double)a[i] * a[i];
		bb += (double)b[i] * b[i];
	}
	if (aa == 0 || bb == 0)
		return aa == bb ? 1.0 : 0.0;
	return ab / sqrt(aa * bb);
}

json_t *tu_json_member(json_t **doc, const char *path, const char *key)
{
	if (!*doc) {
		json_error_t e;
		*doc = json_load_file(path, 0, &e);
		if (!*doc)
			fail_msg("%s:%d:%d: %s", path, e.line, e.column, e.text);
	}
	json_t *v = json_object_get(*doc, key);
	if (!v)
		fail_msg("%s: no member \"%s\"", path, key);
	return v;
}
