/* Tests of common/: line reader (plain and zstd), fs helpers, error records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include <sys/stat.h>

#include "ce_alloc.h"
#include "ce_json.h"
#include "ce_status.h"
#include "fs_util.h"
#include "line_reader.h"
#include "test_util.h"

static void read_all_lines(const char *path, char ***out, size_t *n_out, int64_t *last_lineno)
{
	struct ce_err err;
	struct line_reader *r = line_reader_open(path, 0, &err);
	assert_non_null(r);
	size_t n = 0;
	char **lines = NULL;
	for (;;) {
		const char *l;
		size_t len;
		int eof;
		assert_int_equal(line_reader_next(r, &l, &len, &eof, &err), CE_OK);
		if (eof)
			break;
		lines = realloc(lines, (n + 1) * sizeof *lines);
		lines[n++] = strndup(l, len);
	}
	*last_lineno = line_reader_lineno(r);
	line_reader_close(r);
	*out = lines;
	*n_out = n;
}

static void test_line_reader_plain_and_zstd(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	/* a long line forces buffer growth */
	size_t big = 200000;
	char *content = malloc(big + 100);
	strcpy(content, "first\nsecond\r\n\n");
	size_t off = strlen(content);
	memset(content + off, 'x', big);
	off += big;
	strcpy(content + off, "\nlast-no-newline");
	size_t len = strlen(content);

	char plain[4200], zst[4200];
	snprintf(plain, sizeof plain, "%s/a.jsonl", dir);
	snprintf(zst, sizeof zst, "%s/a.jsonl.zst", dir);
	tu_write_file(plain, content, len);
	size_t cap = ZSTD_compressBound(len);
	char *comp = malloc(cap);
	size_t clen = ZSTD_compress(comp, cap, content, len, 3);
	assert_false(ZSTD_isError(clen));
	tu_write_file(zst, comp, clen);

	const char *paths[2] = {plain, zst};
	for (int k = 0; k < 2; k++) {
		char **lines;
		size_t n;
		int64_t lineno;
		read_all_lines(paths[k], &lines, &n, &lineno);
		assert_int_equal(n, 5);
		assert_int_equal(lineno, 5);
		assert_string_equal(lines[0], "first");
		assert_string_equal(lines[1], "second\r");
		assert_string_equal(lines[2], "");
		assert_int_equal(strlen(lines[3]), big);
		assert_string_equal(lines[4], "last-no-newline");
		tu_lines_free(lines, n);
	}

	/* truncated zstd stream is an error naming the file, not a short read */
	tu_write_file(zst, comp, clen / 2);
	struct ce_err err;
	struct line_reader *r = line_reader_open(zst, 0, &err);
	assert_non_null(r);
	enum ce_status s = CE_OK;
	for (;;) {
		const char *l;
		size_t ll;
		int eof;
		s = line_reader_next(r, &l, &ll, &eof, &err);
		if (s != CE_OK || eof)
			break;
	}
	assert_int_equal(s, CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "a.jsonl.zst"));
	line_reader_close(r);

	/* line limit */
	r = line_reader_open(plain, 1000, &err);
	const char *l;
	size_t ll;
	int eof;
	assert_int_equal(line_reader_next(r, &l, &ll, &eof, &err), CE_OK);
	assert_int_equal(line_reader_next(r, &l, &ll, &eof, &err), CE_OK);
	assert_int_equal(line_reader_next(r, &l, &ll, &eof, &err), CE_OK);
	assert_int_equal(line_reader_next(r, &l, &ll, &eof, &err), CE_E_LIMIT);
	assert_non_null(strstr(err.msg, ":4:"));
	line_reader_close(r);

	free(comp);
	free(content);
	tu_rm_rf(dir);
	free(dir);
}

static void test_line_reader_missing_file(void **state)
{
	(void)state;
	struct ce_err err;
	assert_null(line_reader_open("/nonexistent/x.jsonl", 0, &err));
	assert_int_equal(err.code, CE_E_NOT_FOUND);
	assert_non_null(strstr(err.msg, "/nonexistent/x.jsonl"));
}

static void test_fs_atomic_write_and_read(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *sub = fs_join(dir, "a/b/c");
	struct ce_err err;
	assert_int_equal(fs_mkdir_p(sub, &err), CE_OK);
	assert_true(fs_is_dir(sub));
	char *f = fs_join(sub, "x.json");
	assert_int_equal(fs_write_atomic(f, "hello", 5, &err), CE_OK);
	char *data;
	size_t len;
	assert_int_equal(fs_read_file(f, 100, &data, &len, &err), CE_OK);
	assert_int_equal(len, 5);
	assert_string_equal(data, "hello");
	ce_free(data);
	assert_int_equal(fs_read_file(f, 3, &data, &len, &err), CE_E_LIMIT);
	char *b = fs_basename("/x/y/model-dir//");
	assert_string_equal(b, "model-dir");
	ce_free(b);
	ce_free(f);
	ce_free(sub);
	tu_rm_rf(dir);
	free(dir);
}

static void test_alloc_fail_hook(void **state)
{
	(void)state;
	ce_alloc_fail_after(1);
	void *a = ce_malloc(8);
	void *b = ce_malloc(8);
	ce_alloc_fail_after(-1);
	assert_non_null(a);
	assert_null(b);
	ce_free(a);
	assert_null(ce_malloc_array(SIZE_MAX / 2, 4));
}

static void test_err_format(void **state)
{
	(void)state;
	struct ce_err err;
	ce_err_clear(&err);
	assert_int_equal(ce_err_set(&err, CE_E_FORMAT, "%s:%d:%d: bad", "f.yaml", 3, 7), CE_E_FORMAT);
	ce_err_prefix(&err, "task %s", "X");
	assert_string_equal(err.msg, "task X: f.yaml:3:7: bad");
	assert_string_equal(ce_status_str(CE_E_NOMEM), "out of memory");
}

/* A UTF-8 BOM is skipped; a directory is refused at open, by name */
static void test_line_reader_bom_and_directory(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *f = fs_join(dir, "bom.jsonl");
	struct ce_err err;
	static const char content[] = "\xef\xbb\xbf{\"a\": 1}\n\xef\xbb\xbfx\n";
	assert_int_equal(fs_write_atomic(f, content, sizeof content - 1, &err), CE_OK);
	struct line_reader *r = line_reader_open(f, 0, &err);
	assert_non_null(r);
	const char *l;
	size_t ll;
	int eof;
	assert_int_equal(line_reader_next(r, &l, &ll, &eof, &err), CE_OK);
	assert_int_equal(ll, 8);
	assert_memory_equal(l, "{\"a\": 1}", 8);
	assert_int_equal(line_reader_next(r, &l, &ll, &eof, &err), CE_OK);
	assert_int_equal(ll, 4); /* only the file's first bytes are a byte-order mark */
	line_reader_close(r);
	assert_null(line_reader_open(dir, 0, &err));
	assert_non_null(strstr(err.msg, "is a directory, not a file"));
	ce_free(f);
	tu_rm_rf(dir);
	free(dir);
}

/* Folders, FIFOs and devices in a file's place: named, never opened (a FIFO would block) */
static void test_fs_require_regular(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *fifo = fs_join(dir, "pipe");
	char *missing = fs_join(dir, "nothing");
	struct ce_err err;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(fs_require_regular(fifo, &err), CE_E_IO);
	assert_non_null(strstr(err.msg, "is a FIFO (named pipe), not a file"));
	char *data = NULL;
	size_t len;
	assert_int_equal(fs_read_file(fifo, 100, &data, &len, &err), CE_E_IO); /* returns at once */
	assert_non_null(strstr(err.msg, "FIFO"));
	assert_int_equal(fs_require_regular(dir, &err), CE_E_IO);
	assert_non_null(strstr(err.msg, "is a directory"));
	assert_int_equal(fs_read_file(dir, 100, &data, &len, &err), CE_E_IO);
	assert_non_null(strstr(err.msg, "is a directory"));
	assert_int_equal(fs_require_regular("/dev/null", &err), CE_E_IO);
	assert_non_null(strstr(err.msg, "is a device"));
	assert_int_equal(fs_require_regular(missing, &err), CE_OK);
	ce_free(fifo);
	ce_free(missing);
	tu_rm_rf(dir);
	free(dir);
}

/* jansson's messages, reworded: never empty, no flag names, the BOM named */
static void test_json_error_text(void **state)
{
	(void)state;
	json_error_t je;
	memset(&je, 0, sizeof je);
	je.line = je.column = -1; /* what jansson leaves when an allocation failed */
	assert_int_equal(ce_json_status(&je), CE_E_NOMEM);
	assert_string_equal(ce_json_text(&je), "out of memory while parsing JSON");
	assert_null(json_loads("{\"a\": \"x\\u0000\"}", 0, &je));
	assert_int_equal(ce_json_status(&je), CE_E_FORMAT);
	assert_string_equal(ce_json_text(&je), "text contains a NUL character (\\u0000), which is not supported");
	assert_null(json_loads("\xef\xbb\xbf{}", 0, &je));
	assert_non_null(strstr(ce_json_text(&je), "UTF-8 byte-order mark at start of file"));
	assert_null(json_loads("{\"a\" 1}", 0, &je));
	assert_string_equal(ce_json_text(&je), je.text);
}

static void test_alloc_failed_and_reserve(void **state)
{
	(void)state;
	assert_true(ce_alloc_can_reserve((size_t)1 << 20));
	assert_false(ce_alloc_can_reserve(SIZE_MAX / 2));
	ce_alloc_fail_after(0);
	assert_null(ce_malloc(8));
	ce_alloc_fail_after(-1);
	assert_true(ce_alloc_failed());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_reader_plain_and_zstd),
		cmocka_unit_test(test_line_reader_missing_file),
		cmocka_unit_test(test_fs_atomic_write_and_read),
		cmocka_unit_test(test_alloc_fail_hook),
		cmocka_unit_test(test_err_format),
		cmocka_unit_test(test_line_reader_bom_and_directory),
		cmocka_unit_test(test_fs_require_regular),
		cmocka_unit_test(test_json_error_text),
		cmocka_unit_test(test_alloc_failed_and_reserve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
