/*
 * Tests of eval/results.c: metric sets, the MTEB 2.x layout of spec §9.2
 * (key order and nesting checked with jansson), write/read round trip,
 * atomic write, error cases.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ce_alloc.h"
#include "fs_util.h"
#include "results.h"
#include "task.h"
#include "test_util.h"

static struct task *sts_task(void)
{
	const char *y = "name: ATEC\ntype: sts\ndataset: {path: d, revision: 0f319b11}\neval_splits: [test]\n";
	struct task *t;
	struct ce_err err;
	assert_int_equal(task_load_buffer("t.yaml", y, strlen(y), &t, &err), CE_OK);
	return t;
}

static void fill(struct task_result *r, const struct task *t)
{
	struct ce_err err;
	task_result_init(r);
	assert_int_equal(task_result_set_task(r, t, &err), CE_OK);
	struct metric_set m;
	metric_set_init(&m);
	assert_int_equal(metric_set_add(&m, "cosine_pearson", 0.5012), CE_OK);
	assert_int_equal(metric_set_add(&m, "cosine_spearman", 0.49543210987654321), CE_OK);
	assert_int_equal(metric_set_add(&m, "manhattan_spearman", NAN), CE_OK);
	assert_int_equal(metric_set_add(&m, "euclidean_spearman", 1e-300), CE_OK);
	assert_int_equal(task_result_add_split(r, t, "test", &m, &err), CE_OK);
	assert_int_equal(m.n, 0); /* moved */
	metric_set_deinit(&m);
	r->evaluation_time = 41.7;
	assert_int_equal(task_result_set_str(&r->date, "2025-01-31T12:00:00Z", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->ceval_version, "0.1.0", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->compat, "R1", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->dataset_hash, "0123456789abcdef", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->model_name, "BAAI/bge-small-zh-v1.5", &err), CE_OK);
	r->model_dim = 512;
	r->model_max_seq_length = 512;
	assert_int_equal(task_result_set_str(&r->query_instruction, "为这个句子生成表示以用于检索相关文章：", &err), CE_OK);
}

static void test_results_metric_set(void **state)
{
	(void)state;
	struct metric_set m;
	metric_set_init(&m);
	for (int i = 0; i < 100; i++) {
		char name[32];
		snprintf(name, sizeof name, "m%d", i);
		assert_int_equal(metric_set_add(&m, name, i * 0.5), CE_OK);
	}
	double v;
	assert_true(metric_set_get(&m, "m37", &v));
	assert_true(v == 18.5);
	assert_false(metric_set_get(&m, "m100", &v));
	assert_string_equal(m.names[99], "m99"); /* insertion order */
	assert_int_equal(metric_set_add(&m, "m5", 1), CE_E_INVALID_ARG);
	assert_int_equal(metric_set_add(&m, "main_score", 1), CE_E_INVALID_ARG);
	assert_int_equal(metric_set_add(&m, "", 1), CE_E_INVALID_ARG);
	char longname[METRIC_NAME_MAX + 1];
	memset(longname, 'a', METRIC_NAME_MAX);
	longname[METRIC_NAME_MAX] = '\0';
	assert_int_equal(metric_set_add(&m, longname, 1), CE_E_INVALID_ARG);
	assert_int_equal(m.n, 100);
	metric_set_deinit(&m);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void test_results_write_read_roundtrip(void **state)
{
	(void)state;
	struct task *t = sts_task();
	struct task_result r, back;
	fill(&r, t);
	char *dir = tu_mkdtemp();
	char *path;
	struct ce_err err;
	assert_false(results_exists(dir, "BAAI/bge-small-zh-v1.5", "ATEC"));
	assert_int_equal(results_write(dir, &r, &path, &err), CE_OK);
	char want[4200];
	snprintf(want, sizeof want, "%s/BAAI__bge-small-zh-v1.5/ATEC.json", dir);
	assert_string_equal(path, want);
	assert_true(results_exists(dir, "BAAI/bge-small-zh-v1.5", "ATEC"));
	/* atomic write: only the final file in the folder, no temp file left */
	snprintf(want, sizeof want, "%s/BAAI__bge-small-zh-v1.5", dir);
	assert_int_equal(count_entries(want), 1);

	/* layout of spec §9.2: top-level key order, scores.test is a list of one dict */
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	assert_non_null(j);
	static const char *const order[] = {"dataset_revision", "task_name", "mteb_version", "evaluation_time",
					    "kg_co2_emissions", "date", "scores", "ceval"};
	const char *k;
	json_t *v;
	size_t i = 0;
	json_object_foreach(j, k, v) {
		assert_true(i < 8);
		assert_string_equal(k, order[i]);
		i++;
	}
	assert_int_equal(i, 8);
	assert_string_equal(json_string_value(json_object_get(j, "dataset_revision")), "0f319b11");
	assert_true(json_is_null(json_object_get(j, "mteb_version")));
	assert_true(json_is_null(json_object_get(j, "kg_co2_emissions")));
	json_t *e = json_array_get(json_object_get(json_object_get(j, "scores"), "test"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "hf_subset")), "default");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "languages"), 0)), "cmn-Hans");
	assert_true(json_real_value(json_object_get(e, "main_score")) == 0.49543210987654321);
	assert_true(json_is_null(json_object_get(e, "manhattan_spearman")));
	json_t *ce = json_object_get(j, "ceval");
	assert_string_equal(json_string_value(json_object_get(ce, "compat")), "R1");
	assert_string_equal(json_string_value(json_object_get(ce, "main_score")), "cosine_spearman");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(ce, "model"), "dim")), 512);
	json_decref(j);

	assert_int_equal(results_read_file(path, &back, &err), CE_OK);
	assert_string_equal(back.task_name, "ATEC");
	assert_string_equal(back.dataset_revision, "0f319b11");
	assert_true(back.evaluation_time == 41.7);
	assert_string_equal(back.date, "2025-01-31T12:00:00Z");
	assert_string_equal(back.main_score_name, "cosine_spearman");
	assert_int_equal(back.n_scores, 1);
	assert_string_equal(back.scores[0].split, "test");
	assert_string_equal(back.scores[0].hf_subset, "default");
	assert_int_equal(back.scores[0].n_languages, 1);
	assert_true(back.scores[0].main_score == 0.49543210987654321); /* 17 digits: exact round trip */
	assert_int_equal(back.scores[0].metrics.n, 4);
	for (int32_t m = 0; m < 4; m++) {
		assert_string_equal(back.scores[0].metrics.names[m], r.scores[0].metrics.names[m]);
		double a = back.scores[0].metrics.values[m], b = r.scores[0].metrics.values[m];
		assert_true(a == b || (isnan(a) && isnan(b)));
	}
	assert_true(back.has_ceval);
	assert_string_equal(back.model_name, "BAAI/bge-small-zh-v1.5");
	assert_int_equal(back.model_dim, 512);
	assert_null(back.model_fingerprint);
	assert_string_equal(back.query_instruction, "为这个句子生成表示以用于检索相关文章：");
	assert_string_equal(back.dataset_hash, "0123456789abcdef");

	/* overwrite in place: still one file */
	r.evaluation_time = 1.0;
	assert_int_equal(results_write(dir, &r, NULL, &err), CE_OK);
	assert_int_equal(count_entries(want), 1);

	task_result_deinit(&back);
	task_result_deinit(&r);
	task_result_deinit(&r); /* safe twice: zeroed */
	ce_free(path);
	tu_rm_rf(dir);
	free(dir);
	task_free(t);
}

static void test_results_write_errors(void **state)
{
	(void)state;
	struct task *t = sts_task();
	struct task_result r;
	fill(&r, t);
	char *dir = tu_mkdtemp();
	struct ce_err err;
	/* the results "folder" is a regular file: cannot create the model folder */
	char p[4200];
	snprintf(p, sizeof p, "%s/file", dir);
	tu_write_text(p, "x");
	assert_int_equal(results_write(p, &r, NULL, &err), CE_E_IO);
	assert_null(strchr(err.msg, '\n'));
	/* a read-only folder (only meaningful when not root) */
	if (geteuid() != 0) {
		snprintf(p, sizeof p, "%s/ro", dir);
		mkdir(p, 0555);
		assert_int_equal(results_write(p, &r, NULL, &err), CE_E_IO);
	}
	/* unusable names */
	ce_free(r.model_name);
	r.model_name = ce_strdup("..");
	assert_int_equal(results_write(dir, &r, NULL, &err), CE_E_INVALID_ARG);
	assert_null(results_path(dir, "m", "a/b", &err));
	assert_int_equal(err.code, CE_E_INVALID_ARG);
	/* main score missing from the metrics */
	struct metric_set m;
	metric_set_init(&m);
	assert_int_equal(metric_set_add(&m, "cosine_pearson", 0.1), CE_OK);
	assert_int_equal(task_result_add_split(&r, t, "dev", &m, &err), CE_E_INVALID_ARG);
	assert_int_equal(m.n, 1); /* not moved on error */
	metric_set_deinit(&m);
	task_result_deinit(&r);
	tu_rm_rf(dir);
	free(dir);
	task_free(t);
}

static void expect_read_fail(const char *json, const char *want)
{
	struct task_result r;
	struct ce_err err;
	enum ce_status s = results_read_buffer("r.json", json, strlen(json), &r, &err);
	task_result_deinit(&r);
	if (s != CE_E_FORMAT)
		fail_msg("status %d: %s", (int)s, err.msg);
	if (strncmp(err.msg, want, strlen(want)) != 0)
		fail_msg("got: %s\nwant: %s", err.msg, want);
}

#define SC "\"scores\": {\"test\": [{\"hf_subset\": \"default\", \"languages\": [\"cmn-Hans\"], \"main_score\": 0.5, \"accuracy\": 0.5"

static void test_results_read_errors(void **state)
{
	(void)state;
	/* a foreign mteb 2.x file (no ceval object, list-valued extras) is accepted */
	const char *ok = "{\"dataset_revision\": null, \"task_name\": \"T\", \"mteb_version\": \"2.1.0\", \"evaluation_time\": 3,"
			 " \"kg_co2_emissions\": null, " SC ", \"scores_per_experiment\": [{\"accuracy\": 0.4}],"
			 " \"mteb_version\": \"2.1.0\"}]}}";
	struct task_result r;
	struct ce_err err;
	assert_int_equal(results_read_buffer("r.json", ok, strlen(ok), &r, &err), CE_OK);
	assert_false(r.has_ceval);
	assert_int_equal(r.scores[0].metrics.n, 1);
	assert_null(r.dataset_revision);
	task_result_deinit(&r);

	expect_read_fail("{\"task_name\": \"T\",\n \"evaluation_time\": 1, " SC "}}", "r.json:2:");
	expect_read_fail("{\"task_name\": \"T\", \"evaluation_time\": 1, \"colour\": 1, " SC "}]}}",
			 "r.json: top level: unknown key 'colour'");
	expect_read_fail("{\"task_name\": 5, \"evaluation_time\": 1, " SC "}]}}",
			 "r.json: task_name: expected a string, found an integer");
	expect_read_fail("{\"task_name\": \"T\", \"evaluation_time\": 1, " SC ", \"f1\": \"x\"}]}}",
			 "r.json: scores.test[0].f1: expected a number, found a string");
	expect_read_fail("{\"task_name\": \"T\", \"evaluation_time\": 1, \"scores\": {\"test\": []}}",
			 "r.json: scores.test: expected a non-empty array");
	expect_read_fail("{\"task_name\": \"T\", \"evaluation_time\": 1, " SC "}]},"
			 " \"ceval\": {\"version\": \"x\", \"compat\": \"R1\", \"main_score\": \"f1\", \"dataset_hash\": null,"
			 " \"model\": {\"name\": \"m\", \"dim\": 8, \"fingerprint\": null, \"max_seq_length\": 8,"
			 " \"query_instruction\": null}}}",
			 "r.json: ceval.main_score: metric 'f1' is missing from scores.test");
	expect_read_fail("{\"task_name\": \"T\", \"evaluation_time\": 1, " SC "}]},"
			 " \"ceval\": {\"version\": \"x\", \"compat\": \"R1\", \"main_score\": \"accuracy\", \"dataset_hash\": null,"
			 " \"model\": {\"name\": \"m\", \"dim\": -8, \"fingerprint\": null, \"max_seq_length\": 8,"
			 " \"query_instruction\": null}}}",
			 "r.json: ceval.model.dim: expected a non-negative integer");
	expect_read_fail("{\"task_name\": \"T\", " SC "}]}}", "r.json: evaluation_time: missing");
	expect_read_fail("{\"task_name\": \"T\", \"task_name\": \"U\", \"evaluation_time\": 1, " SC "}]}}", "r.json:1:");

	assert_int_equal(results_read_file("/nonexistent/x.json", &r, &err), CE_E_NOT_FOUND);
	task_result_deinit(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_results_metric_set),
		cmocka_unit_test(test_results_write_read_roundtrip),
		cmocka_unit_test(test_results_write_errors),
		cmocka_unit_test(test_results_read_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
