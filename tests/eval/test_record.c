/*
 * Tests of the record interface (eval/data/record.h) with its JSON-lines
 * implementation, and of the line source (lines.h) and the BEIR qrels
 * reader (qrels_tsv.h): kinds and values of columns, list elements, the
 * wording of errors, positions, and the content hash (role name + every
 * line + "\n", FNV-1a 64, computed here independently).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ce_alloc.h"
#include "ce_hash.h"
#include "lines.h"
#include "qrels_tsv.h"
#include "record.h"
#include "strtab.h"
#include "test_util.h"

static char *g_dir;

static int setup(void **state)
{
	(void)state;
	g_dir = tu_mkdtemp();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rm_rf(g_dir);
	free(g_dir);
	return 0;
}

static const char *path_of(const char *rel)
{
	static char p[4200];
	snprintf(p, sizeof p, "%s/%s", g_dir, rel);
	return p;
}

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void test_record_jsonl_values(void **state)
{
	(void)state;
	static const char text[] = "{\"s\": \"ab\\u00e9\", \"i\": -7, \"r\": 2.5, \"b\": true, \"n\": null, "
				   "\"l\": [\"x\", 3], \"m\": {}}\n"
				   "  \n"
				   "{\"s\": \"\"}\n";
	tu_write_file(path_of("a.jsonl"), text, strlen(text));
	uint64_t h = CE_FNV1A64_INIT;
	struct record_source *s;
	struct ce_err err;
	assert_int_equal(record_source_find(g_dir, "a", "eval", &h, &s, &err), CE_OK);
	bool has;
	assert_int_equal(record_next(s, &has, &err), CE_OK);
	assert_true(has);
	assert_int_equal(record_pos(s), 1);
	struct record_value v;
	record_get(s, "s", &v);
	assert_int_equal(v.kind, RECORD_STR);
	assert_int_equal(v.len, 4);
	assert_memory_equal(v.str, "ab\xc3\xa9", 4);
	record_get(s, "i", &v);
	assert_int_equal(v.kind, RECORD_INT);
	assert_int_equal(v.i, -7);
	assert_true(v.num == -7.0);
	record_get(s, "r", &v);
	assert_int_equal(v.kind, RECORD_REAL);
	assert_true(v.num == 2.5);
	record_get(s, "b", &v);
	assert_int_equal(v.kind, RECORD_BOOL);
	assert_true(v.b);
	record_get(s, "n", &v);
	assert_int_equal(v.kind, RECORD_NULL);
	record_get(s, "m", &v);
	assert_int_equal(v.kind, RECORD_MAP);
	record_get(s, "absent", &v);
	assert_int_equal(v.kind, RECORD_MISSING);
	record_get(s, "l", &v);
	assert_int_equal(v.kind, RECORD_LIST);
	assert_int_equal(v.n, 2);
	struct record_value e;
	record_elem(s, &v, 0, &e);
	assert_int_equal(e.kind, RECORD_STR);
	assert_memory_equal(e.str, "x", 1);
	record_elem(s, &v, 1, &e);
	assert_int_equal(e.kind, RECORD_INT);
	assert_int_equal(e.i, 3);
	/* checked getters */
	double x;
	assert_int_equal(record_get_num(s, "i", &x, &err), CE_OK);
	assert_true(x == -7.0);
	assert_int_equal(record_get_num(s, "s", &x, &err), CE_E_FORMAT);
	char want[4400];
	snprintf(want, sizeof want, "%s:1: column 's': expected a number, found a string", path_of("a.jsonl"));
	assert_string_equal(err.msg, want);
	const char *p;
	size_t len;
	assert_int_equal(record_get_str(s, "absent", &p, &len, &err), CE_E_FORMAT);
	snprintf(want, sizeof want, "%s:1: missing column 'absent'", path_of("a.jsonl"));
	assert_string_equal(err.msg, want);
	struct strtab t = {0};
	int64_t n = -1;
	assert_int_equal(record_get_str_list(s, "l", &t, &n, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, ":1: column 'l'[1]: expected a string, found an integer"));
	assert_int_equal(record_get_str_list(s, "m", &t, &n, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "column 'm': expected an array of strings, found an object"));
	strtab_deinit(&t);
	/* the blank line is skipped, but positions count it */
	assert_int_equal(record_next(s, &has, &err), CE_OK);
	assert_true(has);
	assert_int_equal(record_pos(s), 3);
	assert_int_equal(record_get_str(s, "s", &p, &len, &err), CE_OK);
	assert_int_equal(len, 0);
	assert_int_equal(record_next(s, &has, &err), CE_OK);
	assert_false(has);
	assert_int_equal(s->n_rows, 2);
	record_source_close(s);
	/* hash = role + NUL, then every line and "\n" */
	uint64_t want_h = fnv(CE_FNV1A64_INIT, "eval", 5);
	want_h = fnv(want_h, text, strlen(text));
	assert_true(h == want_h);
	record_source_close(NULL);
}

static void test_record_open_errors(void **state)
{
	(void)state;
	struct record_source *s = (struct record_source *)&s;
	struct ce_err err;
	assert_int_equal(record_source_find(g_dir, "nosuch", "eval", NULL, &s, &err), CE_E_NOT_FOUND);
	assert_null(s);
	char want[4400];
	snprintf(want, sizeof want, "%s/nosuch.jsonl: not found (nor %s/nosuch.jsonl.zst)", g_dir, g_dir);
	assert_string_equal(err.msg, want);
	/* a .parquet name goes to the Parquet reader, which refuses a file that is not Parquet */
	tu_write_file(path_of("x.parquet"), "PAR1", 4);
	assert_int_equal(record_source_open(path_of("x.parquet"), NULL, &s, &err), CE_E_FORMAT);
	assert_null(s);
	assert_non_null(strstr(err.msg, "x.parquet"));
	/* a bad line names file, line and column */
	tu_write_file(path_of("b.jsonl"), "{\"a\": 1}\n{\"a\": }\n", 18);
	assert_int_equal(record_source_open(path_of("b.jsonl"), NULL, &s, &err), CE_OK);
	bool has;
	assert_int_equal(record_next(s, &has, &err), CE_OK);
	assert_int_equal(record_next(s, &has, &err), CE_E_FORMAT);
	snprintf(want, sizeof want, "%s:2:", path_of("b.jsonl"));
	assert_int_equal(strncmp(err.msg, want, strlen(want)), 0);
	assert_non_null(strstr(err.msg, "bad JSON"));
	record_source_close(s);
	assert_string_equal(record_kind_name(RECORD_REAL), "a real number");
	assert_string_equal(record_kind_name(RECORD_LIST), "an array");
}

static void test_lines_memory_and_qrels(void **state)
{
	(void)state;
	struct line_src m = {.name = "<mem>", .buf = "a\n\n b\r\nc", .len = 8};
	struct ce_err err;
	const char *l;
	size_t len;
	int eof;
	uint64_t h = CE_FNV1A64_INIT;
	assert_int_equal(line_src_open(&m, &err), CE_OK);
	assert_int_equal(line_src_next_data(&m, &h, &l, &len, &eof, &err), CE_OK);
	assert_int_equal(len, 1);
	assert_int_equal(m.lineno, 1);
	assert_int_equal(line_src_next_data(&m, &h, &l, &len, &eof, &err), CE_OK);
	assert_int_equal(m.lineno, 3); /* the empty line 2 is skipped */
	assert_memory_equal(l, " b\r", 3);
	assert_int_equal(line_src_next(&m, &l, &len, &eof, &err), CE_OK);
	assert_false(eof);
	assert_memory_equal(l, "c", 1);
	assert_int_equal(line_src_next(&m, &l, &len, &eof, &err), CE_OK);
	assert_true(eof);
	line_src_close(&m);
	assert_true(h == fnv(CE_FNV1A64_INIT, "a\n\n b\r\n", 7));

	char dir[4200];
	snprintf(dir, sizeof dir, "%s/qrels", g_dir);
	assert_int_equal(mkdir(dir, 0777), 0);
	static const char qr[] = "query-id\tcorpus-id\tscore\nq 1\td1\t-2\r\nq2\td2\tx\n";
	tu_write_file(path_of("qrels/t.tsv"), qr, strlen(qr));
	struct qrels_tsv *q;
	assert_int_equal(qrels_tsv_open(g_dir, "t", NULL, &q, &err), CE_OK);
	const char *qs, *ds;
	size_t ql, dl;
	bool has;
	int32_t sc;
	assert_int_equal(qrels_tsv_next(q, &qs, &ql, &ds, &dl, &has, &err), CE_OK);
	assert_true(has);
	assert_int_equal(qrels_tsv_lineno(q), 2);
	assert_int_equal(ql, 3);
	assert_memory_equal(qs, "q 1", 3); /* ids may hold spaces */
	assert_memory_equal(ds, "d1", 2);
	assert_int_equal(qrels_tsv_score(q, &sc, &err), CE_OK);
	assert_int_equal(sc, -2);
	assert_int_equal(qrels_tsv_next(q, &qs, &ql, &ds, &dl, &has, &err), CE_OK);
	assert_int_equal(qrels_tsv_score(q, &sc, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "t.tsv:3: score: expected an integer, found 'x'"));
	assert_int_equal(qrels_tsv_next(q, &qs, &ql, &ds, &dl, &has, &err), CE_OK);
	assert_false(has);
	qrels_tsv_close(q);
	qrels_tsv_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_jsonl_values),
		cmocka_unit_test(test_record_open_errors),
		cmocka_unit_test(test_lines_memory_and_qrels),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
