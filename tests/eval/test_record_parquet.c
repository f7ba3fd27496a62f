/*
 * Tests of the Parquet record source (eval/data/record_parquet.c): values of
 * every kind through the record interface, lists with null elements, null
 * values, shards read in order, the content hash (values only: the same for
 * a copy, different for other data), the explode wrapper, and the rows of a
 * hub snapshot's (config, split) on tests/fixtures/hub.  Files: the Apache
 * parquet-testing files in ../shared (values as in parquet-testing/expected).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ce_alloc.h"
#include "ce_hash.h"
#include "record.h"
#include "test_util.h"

static const char *pt(const char *name)
{
	static char buf[4][4096];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/parquet-testing/data/%s", tu_shared_dir(), name);
	return buf[k];
}

static struct record_source *must_open(const char *path, uint64_t *hash)
{
	struct ce_err err;
	struct record_source *s = NULL;
	if (record_source_open(path, hash, &s, &err) != CE_OK)
		fail_msg("%s", err.msg);
	return s;
}

static void next(struct record_source *s, bool want)
{
	struct ce_err err;
	bool has = !want;
	if (record_next(s, &has, &err) != CE_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(has, want);
}

static void assert_str(struct record_source *s, const char *col, const char *want)
{
	struct record_value v;
	record_get(s, col, &v);
	assert_int_equal(v.kind, RECORD_STR);
	assert_int_equal(v.len, strlen(want));
	assert_memory_equal(v.str, want, v.len);
}

static void assert_int_list(struct record_source *s, const char *col, const int64_t *want, const int *is_null,
			    size_t n)
{
	struct record_value v, e;
	record_get(s, col, &v);
	assert_int_equal(v.kind, RECORD_LIST);
	assert_int_equal(v.n, n);
	for (size_t i = 0; i < n; i++) {
		record_elem(s, &v, i, &e);
		if (is_null && is_null[i]) {
			assert_int_equal(e.kind, RECORD_NULL);
		} else {
			assert_int_equal(e.kind, RECORD_INT);
			assert_int_equal(e.i, want[i]);
			assert_true(e.num == (double)want[i]);
		}
	}
}

/* datapage_v2.snappy: {"a":"abc","b":1,"c":2.0,"d":true,"e":[1,2,3]}, {"a":"abc","b":2,"c":3.0,"d":true,"e":null},
 * {"a":"abc","b":3,...,"e":null}, {"a":null,"b":4,"c":5.0,"d":false,"e":[1,2,3]}, {"a":"abc","b":5,"c":2.0,"d":true,"e":[1,2]} */
static void test_values_and_nulls(void **state)
{
	(void)state;
	struct record_source *s = must_open(pt("datapage_v2.snappy.parquet"), NULL);
	assert_string_equal(s->ops->format, "parquet");
	struct record_value v;
	next(s, true);
	assert_int_equal(record_pos(s), 1);
	assert_str(s, "a", "abc");
	record_get(s, "b", &v);
	assert_int_equal(v.kind, RECORD_INT);
	assert_int_equal(v.i, 1);
	record_get(s, "c", &v);
	assert_int_equal(v.kind, RECORD_REAL);
	assert_true(v.num == 2.0);
	record_get(s, "d", &v);
	assert_int_equal(v.kind, RECORD_BOOL);
	assert_true(v.b);
	assert_int_list(s, "e", (const int64_t[]){1, 2, 3}, NULL, 3);
	record_get(s, "nosuch", &v);
	assert_int_equal(v.kind, RECORD_MISSING);
	next(s, true);
	record_get(s, "e", &v);
	assert_int_equal(v.kind, RECORD_NULL); /* a null list */
	next(s, true);
	next(s, true);
	assert_int_equal(record_pos(s), 4);
	record_get(s, "a", &v);
	assert_int_equal(v.kind, RECORD_NULL);
	record_get(s, "d", &v);
	assert_int_equal(v.kind, RECORD_BOOL);
	assert_false(v.b);
	/* the checked getters word a null like any other wrong kind */
	struct ce_err err;
	const char *str;
	size_t len;
	assert_int_equal(record_get_str(s, "a", &str, &len, &err), CE_E_FORMAT);
	char want[4400];
	snprintf(want, sizeof want, "%s:4: column 'a': expected a string, found null", pt("datapage_v2.snappy.parquet"));
	assert_string_equal(err.msg, want);
	next(s, true);
	assert_int_list(s, "e", (const int64_t[]){1, 2}, NULL, 2);
	next(s, false);
	assert_int_equal(s->n_rows, 5);
	record_source_close(s);
}

/* list_columns: int64_list [1,2,3] / [null,1] / [4]; utf8_list ["abc","efg","hij"] / null / ["efg",null,"hij","xyz"] */
static void test_list_elements_and_str_list(void **state)
{
	(void)state;
	struct record_source *s = must_open(pt("list_columns.parquet"), NULL);
	struct ce_err err;
	struct strtab t = {0};
	int64_t n = 0;
	next(s, true);
	assert_int_equal(record_get_str_list(s, "utf8_list", &t, &n, &err), CE_OK);
	assert_int_equal(n, 3);
	assert_string_equal(strtab_get(&t, 0), "abc");
	assert_string_equal(strtab_get(&t, 2), "hij");
	next(s, true);
	assert_int_list(s, "int64_list", (const int64_t[]){0, 1}, (const int[]){1, 0}, 2);
	next(s, true);
	/* a null element of a string list is named with its index */
	assert_int_equal(record_get_str_list(s, "utf8_list", &t, &n, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, ":3: column 'utf8_list'[1]: expected a string, found null"));
	strtab_deinit(&t);
	record_source_close(s);
}

static uint64_t hash_all(const char *const *paths, size_t n, int64_t *rows)
{
	uint64_t h = CE_FNV1A64_INIT;
	struct record_source *s;
	struct ce_err err;
	if (parquet_source_open_shards(paths, n, &h, &s, &err) != CE_OK)
		fail_msg("%s", err.msg);
	bool has = true;
	while (has)
		if (record_next(s, &has, &err) != CE_OK)
			fail_msg("%s", err.msg);
	*rows = s->n_rows;
	record_source_close(s);
	return h;
}

/* Shards are one source, read in the order given; the hash is of the values only. */
static void test_shards_in_order_and_hash(void **state)
{
	(void)state;
	const char *a = pt("list_columns.parquet"), *b = pt("datapage_v2.snappy.parquet");
	const char *ab[] = {a, b}, *ba[] = {b, a};
	struct record_source *s;
	struct ce_err err;
	assert_int_equal(parquet_source_open_shards(ab, 2, NULL, &s, &err), CE_OK);
	struct record_value v;
	for (int i = 0; i < 3; i++)
		next(s, true);
	assert_string_equal(s->path, a);
	assert_int_equal(record_pos(s), 3);
	assert_int_list(s, "int64_list", (const int64_t[]){4}, NULL, 1);
	next(s, true); /* the first row of the second shard: its own path and row numbers */
	assert_string_equal(s->path, b);
	assert_int_equal(record_pos(s), 1);
	assert_str(s, "a", "abc");
	record_get(s, "int64_list", &v);
	assert_int_equal(v.kind, RECORD_MISSING);
	for (int i = 0; i < 4; i++)
		next(s, true);
	next(s, false);
	assert_int_equal(s->n_rows, 8);
	assert_string_equal(s->path, b);
	record_source_close(s);

	int64_t rows;
	uint64_t h_ab = hash_all(ab, 2, &rows);
	assert_int_equal(rows, 8);
	uint64_t h_ba = hash_all(ba, 2, &rows);
	uint64_t h_a = hash_all(&a, 1, &rows);
	assert_int_equal(rows, 3);
	assert_true(h_ab != h_ba);
	assert_true(h_ab != h_a);
	/* a copy elsewhere (another path, a plain copy of a hub blob) hashes the same */
	char *dir = tu_mkdtemp();
	char copy[4200];
	snprintf(copy, sizeof copy, "%s/copy.parquet", dir);
	size_t len;
	FILE *f = fopen(a, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 20);
	len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	tu_write_file(copy, buf, len);
	const char *c = copy;
	assert_true(hash_all(&c, 1, &rows) == h_a);
	/* one changed value changes the hash: the same column names and row count, other data */
	uint64_t h_other = hash_all((const char *const[]){pt("datapage_v2.snappy.parquet")}, 1, &rows);
	assert_true(h_other != h_a);
	free(buf);
	tu_rm_rf(dir);
	ce_free(dir);
}

/* explode: parallel lists become one row per element; scalar rows pass through */
static void test_explode(void **state)
{
	(void)state;
	struct ce_err err;
	struct record_source *in = must_open(pt("list_columns.parquet"), NULL), *s;
	const char *one[] = {"int64_list"};
	assert_int_equal(record_source_explode(in, one, 1, &s, &err), CE_OK);
	static const int64_t want[] = {1, 2, 3, 0, 1, 4};
	struct record_value v;
	for (int i = 0; i < 6; i++) {
		next(s, true);
		record_get(s, "int64_list", &v);
		if (i == 3) {
			assert_int_equal(v.kind, RECORD_NULL);
		} else {
			assert_int_equal(v.kind, RECORD_INT);
			assert_int_equal(v.i, want[i]);
		}
		/* the other columns read as in the inner row */
		record_get(s, "utf8_list", &v);
		assert_int_equal(v.kind, i < 3 ? RECORD_LIST : i < 5 ? RECORD_NULL : RECORD_LIST);
		assert_int_equal(record_pos(s), i < 3 ? 1 : i < 5 ? 2 : 3);
	}
	next(s, false);
	assert_int_equal(s->n_rows, 6);
	record_source_close(s);

	/* lists of different lengths (or a null in place of a list) are an error naming the row */
	in = must_open(pt("list_columns.parquet"), NULL);
	const char *two[] = {"int64_list", "utf8_list"};
	assert_int_equal(record_source_explode(in, two, 2, &s, &err), CE_OK);
	for (int i = 0; i < 3; i++)
		next(s, true);
	bool has;
	assert_int_equal(record_next(s, &has, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "list_columns.parquet:2: column 'utf8_list': expected a list of 2 elements"));
	record_source_close(s);

	/* JSON lines with scalar columns pass through unchanged; a row of lists explodes */
	char *dir = tu_mkdtemp();
	char p[4200];
	snprintf(p, sizeof p, "%s/x.jsonl", dir);
	tu_write_text(p, "{\"a\": \"x\", \"b\": 1}\n{\"a\": [\"y\", \"z\"], \"b\": [2, 3]}\n{\"a\": [], \"b\": []}\n");
	in = must_open(p, NULL);
	const char *ab[] = {"a", "b"};
	assert_int_equal(record_source_explode(in, ab, 2, &s, &err), CE_OK);
	next(s, true);
	assert_str(s, "a", "x");
	next(s, true);
	assert_str(s, "a", "y");
	record_get(s, "b", &v);
	assert_int_equal(v.i, 2);
	next(s, true);
	assert_str(s, "a", "z");
	record_get(s, "b", &v);
	assert_int_equal(v.i, 3);
	next(s, false); /* a row of empty lists yields nothing */
	assert_int_equal(s->n_rows, 3);
	record_source_close(s);
	tu_rm_rf(dir);
	ce_free(dir);
}

/* the rows of (config, split) of a hub snapshot, symlinked into blobs/ */
static void test_hub_split(void **state)
{
	(void)state;
	const char *snap = "tests/fixtures/hub/datasets--C-MTEB--Ocnli-mini/snapshots/7ccf4f01c879397aa5e76f2774585970b2eeb30c";
	struct ce_err err;
	struct record_source *in, *s;
	uint64_t h = CE_FNV1A64_INIT;
	assert_int_equal(record_source_hub(snap, NULL, "test", "eval", &h, &in, &err), CE_OK);
	const char *cols[] = {"sent1", "sent2", "labels"};
	assert_int_equal(record_source_explode(in, cols, 3, &s, &err), CE_OK);
	bool has = true;
	int64_t ones = 0;
	struct record_value v;
	next(s, true);
	assert_str(s, "sent2", "书店不想让社会知道自己的营业和存在");
	do {
		record_get(s, "labels", &v);
		assert_int_equal(v.kind, RECORD_INT);
		ones += v.i;
		if (record_next(s, &has, &err) != CE_OK)
			fail_msg("%s", err.msg);
	} while (has);
	assert_int_equal(s->n_rows, 1000);
	assert_true(ones > 0 && ones < 1000);
	record_source_close(s);
	assert_true(h != CE_FNV1A64_INIT);
	assert_int_equal(record_hub_has_config(snap, "default"), 1);
	assert_int_equal(record_hub_has_config(snap, "corpus"), 0);
	/* no such split: not found, naming the snapshot, config and split */
	assert_int_equal(record_source_hub(snap, "corpus", "test", "eval", NULL, &s, &err), CE_E_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no config 'corpus' with split 'test'"));
	/* MTEB 2.x: a config with one split answers for the eval split's name */
	const char *v2 = "tests/fixtures/hub/datasets--mteb--CmrcRetrieval-mini/snapshots/ca85d77943f5e0c3a0402592278defd16011d663";
	assert_int_equal(record_source_hub(v2, "corpus", "dev", "corpus", NULL, &s, &err), CE_OK);
	next(s, true);
	record_get(s, "_id", &v);
	assert_int_equal(v.kind, RECORD_STR);
	record_get(s, "title", &v);
	assert_int_equal(v.kind, RECORD_STR);
	record_source_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_and_nulls),
		cmocka_unit_test(test_list_elements_and_str_list),
		cmocka_unit_test(test_shards_in_order_and_hash),
		cmocka_unit_test(test_explode),
		cmocka_unit_test(test_hub_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
