/*
 * Tests of eval/results_mteb.c: real results files of every shape, each with
 * a value checked by hand against the file (the main score as the C-MTEB
 * tables take it: the task's eval split, its Chinese subset, its main metric).
 *   - mteb 1.0-1.1: published/results (product data; results repo commit 2d8f542)
 *   - mteb 1.18 with bare NaN, mteb 2.18 with date and evaluation_phases,
 *     "external" model-card files (mteb_version null, cmo-Hans), a German-only
 *     file: tests/fixtures/mteb-shapes (copied unchanged, see its README.md).
 * Plus hostile buffers: two shapes at once, two Chinese subsets, no task name.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "leaderboard.h"
#include "results_mteb.h"
#include "task.h"
#include "test_util.h"

#define PUB "published/results/BAAI__bge-base-zh-v1.5/no_revision_available/"
#define SHAPES "tests/fixtures/mteb-shapes/results/"

static struct task *load_task(const char *name)
{
	char *path = NULL;
	struct task *t = NULL;
	struct ce_err err;
	if (task_find_file("tasks", name, &path, &err) != CE_OK || task_load_file(path, &t, &err) != CE_OK)
		fail_msg("task %s: %s", name, err.msg);
	ce_free(path);
	return t;
}

/* The C-MTEB score of task `task` in file `path`, and its shape. */
static double score_of(const char *path, const char *task, enum results_shape want_shape)
{
	struct task *t = load_task(task);
	struct task_result r;
	enum results_shape shape;
	struct ce_err err;
	if (results_mteb_read_file(path, &r, &shape, &err) != CE_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(shape, want_shape);
	assert_string_equal(r.task_name, task);
	double v = NAN;
	if (leaderboard_task_score(&r, t, path, &v, &err) != CE_OK)
		fail_msg("%s", err.msg);
	task_result_deinit(&r);
	task_free(t);
	return v;
}

static void test_mteb_1_1_published(void **state)
{
	(void)state;
	/* "dev": {"ndcg_at_10": 0.83712} */
	assert_true(score_of(PUB "T2Retrieval.json", "T2Retrieval", RESULTS_SHAPE_MTEB_R1) == 0.83712);
	/* "test": {"cos_sim": {"spearman": 0.481674114304493}}; no main_score in the file */
	assert_true(score_of(PUB "ATEC.json", "ATEC", RESULTS_SHAPE_MTEB_R1) == 0.481674114304493);
	/* "test": {"zh": {"cos_sim": {"spearman": 0.6800543471804072}}} among other languages */
	assert_true(score_of(PUB "STS22.json", "STS22", RESULTS_SHAPE_MTEB_R1) == 0.6800543471804072);
	/* "validation": {"cos_sim": {"ap": 0.7541204808304739}} (max.ap is 0.75426...) */
	assert_true(score_of(PUB "Ocnli.json", "Ocnli", RESULTS_SHAPE_MTEB_R1) == 0.7541204808304739);
	/* "test": {"zh-CN": {"accuracy": 0.6793207800941493}}; the table uses test, the file has validation too */
	assert_true(score_of(PUB "MassiveIntentClassification.json", "MassiveIntentClassification",
			     RESULTS_SHAPE_MTEB_R1) == 0.6793207800941493);
	/* old task name: mteb_dataset_name "CMedQAv1", "test": {"map": 0.8046716790288921} */
	assert_true(score_of(PUB "CMedQAv1.json", "CMedQAv1-reranking", RESULTS_SHAPE_MTEB_R1) == 0.8046716790288921);
}

static void test_mteb_1_18_bare_nan(void **state)
{
	(void)state;
	/* nauc_recall_at_1000_* are bare NaN; "dev": [{"ndcg_at_10": 0.81041, ...}] */
	const char *p = SHAPES "Alibaba-NLP__gte-Qwen2-7B-instruct/e26182b2122f4435e8b3ebecbf363990f409b45b/CovidRetrieval.json";
	assert_true(score_of(p, "CovidRetrieval", RESULTS_SHAPE_MTEB) == 0.81041);
	struct task_result r;
	struct ce_err err;
	assert_int_equal(results_mteb_read_file(p, &r, NULL, &err), CE_OK);
	double v = 0;
	assert_true(metric_set_get(&r.scores[0].metrics, "nauc_recall_at_1000_max", &v));
	assert_true(isnan(v));
	task_result_deinit(&r);
}

static void test_mteb_2_date_and_phases(void **state)
{
	(void)state;
	/* mteb 2.18.0, "date": 1784283491.465904, "evaluation_phases": [...]; the file's main_score is
	   max_accuracy 0.518138, the C-MTEB main score cosine_ap is 0.500963 */
	const char *p = SHAPES "axiotic__ogma-mini/580266301b651f100b19c928a65352e5fb57518a/Ocnli.json";
	assert_true(score_of(p, "Ocnli", RESULTS_SHAPE_MTEB) == 0.500963);
}

static void test_external_model_card(void **state)
{
	(void)state;
	/* mteb_version null, evaluation_time null; "test": [{hf_subset default, cosine_spearman 0.5403230997664373}] */
	assert_true(score_of(SHAPES "Alibaba-NLP__gme-Qwen2-VL-2B-Instruct/external/ATEC.json", "ATEC",
			     RESULTS_SHAPE_MTEB) == 0.5403230997664373);
	/* "test": [{en, eng-Latn, 0.8003...}, {zh-CN, cmo-Hans, accuracy 0.7698722259583053}] */
	assert_true(score_of(SHAPES "Alibaba-NLP__gme-Qwen2-VL-2B-Instruct/external/MassiveScenarioClassification.json",
			     "MassiveScenarioClassification", RESULTS_SHAPE_MTEB) == 0.7698722259583053);
}

/* compat of a file read (NULL when unknown) */
static char *compat_of(const char *path)
{
	struct task_result r;
	struct ce_err err;
	if (results_mteb_read_file(path, &r, NULL, &err) != CE_OK)
		fail_msg("%s", err.msg);
	char *c = r.compat ? ce_strdup(r.compat) : NULL;
	task_result_deinit(&r);
	return c;
}

static void test_compat_level(void **state)
{
	(void)state;
	/* spec §0: before 1.12 R1, 1.12 up to 2.0 R2, 2.x R3 */
	assert_string_equal(results_mteb_compat_of_version("1.1.1"), "R1");
	assert_string_equal(results_mteb_compat_of_version("1.11.9"), "R1");
	assert_string_equal(results_mteb_compat_of_version("0.9"), "R1");
	assert_string_equal(results_mteb_compat_of_version("1.12.0"), "R2");
	assert_string_equal(results_mteb_compat_of_version("1.39.7"), "R2");
	assert_string_equal(results_mteb_compat_of_version("2.0.0"), "R3");
	assert_string_equal(results_mteb_compat_of_version("2.18.0"), "R3");
	assert_string_equal(results_mteb_compat_of_version("10.1"), "R3");
	assert_null(results_mteb_compat_of_version(NULL));
	assert_null(results_mteb_compat_of_version("dev"));
	assert_null(results_mteb_compat_of_version(""));
	/* files: the mteb 1.0-1.1 shape, mteb 1.18, mteb 2.18, a model-card file without a version */
	char *c = compat_of(PUB "ATEC.json");
	assert_string_equal(c, "R1");
	ce_free(c);
	c = compat_of(SHAPES "Alibaba-NLP__gte-Qwen2-7B-instruct/e26182b2122f4435e8b3ebecbf363990f409b45b/CovidRetrieval.json");
	assert_string_equal(c, "R2");
	ce_free(c);
	c = compat_of(SHAPES "axiotic__ogma-mini/580266301b651f100b19c928a65352e5fb57518a/Ocnli.json");
	assert_string_equal(c, "R3");
	ce_free(c);
	c = compat_of(SHAPES "Alibaba-NLP__gme-Qwen2-VL-2B-Instruct/external/ATEC.json");
	assert_null(c);
}

static void test_no_chinese_subset_is_named(void **state)
{
	(void)state;
	/* mteb 1.29 file of bge-base-zh-v1.5 holding only "de": no score, and no guess */
	const char *p = SHAPES "BAAI__bge-base-zh-v1.5/f03589ceff5aac7111bd60cfc7d497ca17ecac65/MassiveScenarioClassification.json";
	struct task *t = load_task("MassiveScenarioClassification");
	struct task_result r;
	struct ce_err err;
	assert_int_equal(results_mteb_read_file(p, &r, NULL, &err), CE_OK);
	double v = 0;
	assert_int_equal(leaderboard_task_score(&r, t, p, &v, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, p));
	assert_non_null(strstr(err.msg, "'de'"));
	assert_null(strchr(err.msg, '\n'));
	task_result_deinit(&r);
	task_free(t);
}

static enum ce_status read_buf(const char *text, struct task_result *r, struct ce_err *err)
{
	return results_mteb_read_buffer("x.json", text, strlen(text), r, NULL, err);
}

static void test_hostile_and_ambiguous(void **state)
{
	(void)state;
	struct task_result r;
	struct ce_err err;
	/* two shapes in one file */
	assert_int_equal(read_buf("{\"task_name\": \"ATEC\", \"scores\": {\"test\": []}, \"test\": {\"cos_sim\": {}}}", &r,
				  &err),
			 CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "x.json: both 'scores' and a top-level split 'test'"));
	task_result_deinit(&r);
	/* no task name */
	assert_int_equal(read_buf("{\"test\": {\"accuracy\": 0.5}}", &r, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "no task_name"));
	task_result_deinit(&r);
	/* the two names disagree */
	assert_int_equal(read_buf("{\"task_name\": \"A\", \"mteb_dataset_name\": \"B\", \"test\": {\"x\": 1}}", &r, &err),
			 CE_E_FORMAT);
	task_result_deinit(&r);
	/* metrics and language keys at one level */
	assert_int_equal(read_buf("{\"mteb_dataset_name\": \"STS22\", \"test\": {\"zh\": {\"x\": 1}, \"accuracy\": 0.5}}",
				  &r, &err),
			 CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "ambiguous"));
	task_result_deinit(&r);
	/* not JSON, not an object */
	assert_int_equal(read_buf("{\"task_name\": ", &r, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "x.json:1:"));
	task_result_deinit(&r);
	assert_int_equal(read_buf("[1, 2]", &r, &err), CE_E_FORMAT);
	task_result_deinit(&r);
	/* NaN inside a string is text, and -Infinity / Infinity are NaN too */
	assert_int_equal(read_buf("{\"task_name\": \"NaN\", \"scores\": {\"test\": [{\"hf_subset\": \"default\", "
				  "\"main_score\": NaN, \"a\": -Infinity, \"b\": Infinity, \"c\": 0.5}]}}",
				  &r, &err),
			 CE_OK);
	assert_string_equal(r.task_name, "NaN");
	assert_true(isnan(r.scores[0].main_score));
	double v = 0;
	assert_true(metric_set_get(&r.scores[0].metrics, "a", &v) && isnan(v));
	assert_true(metric_set_get(&r.scores[0].metrics, "c", &v) && v == 0.5);
	task_result_deinit(&r);
	/* two Chinese subsets of one split: ambiguous for a task whose own subset is neither */
	struct task *t = load_task("STS22");
	assert_int_equal(read_buf("{\"task_name\": \"STS22\", \"scores\": {\"test\": [{\"hf_subset\": \"zh-CN\", "
				  "\"cosine_spearman\": 0.1}, {\"hf_subset\": \"cmn-Hans\", \"cosine_spearman\": 0.2}]}}",
				  &r, &err),
			 CE_OK);
	assert_int_equal(leaderboard_task_score(&r, t, "x.json", &v, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "two Chinese subsets"));
	task_result_deinit(&r);
	/* R1 file without the main metric and without main_score: named, not guessed */
	assert_int_equal(read_buf("{\"mteb_dataset_name\": \"STS22\", \"test\": {\"zh\": {\"euclidean\": {\"spearman\": 0.3}}}}",
				  &r, &err),
			 CE_OK);
	assert_int_equal(leaderboard_task_score(&r, t, "x.json", &v, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "no 'cosine_spearman'"));
	task_result_deinit(&r);
	task_free(t);
}

static void test_aliases(void **state)
{
	(void)state;
	assert_string_equal(results_mteb_task_alias("CMedQAv2"), "CMedQAv2-reranking");
	assert_string_equal(results_mteb_task_alias("ATEC"), "ATEC");
	assert_string_equal(results_mteb_old_name("CMedQAv1-reranking"), "CMedQAv1");
	assert_null(results_mteb_old_name("ATEC"));
	assert_true(results_mteb_is_chinese_subset("cmo-Hans") && results_mteb_is_chinese_subset("zh"));
	assert_false(results_mteb_is_chinese_subset("zh-TW") || results_mteb_is_chinese_subset("default"));
	char *name = NULL;
	int32_t dim = 0;
	struct ce_err err;
	assert_int_equal(results_mteb_read_model_meta("published/results/shibing624__text2vec-large-chinese/"
						      "no_revision_available",
						      &name, &dim, &err),
			 CE_OK);
	assert_string_equal(name, "GanymedeNil/text2vec-large-chinese");
	assert_int_equal(dim, 1024);
	ce_free(name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mteb_1_1_published),
		cmocka_unit_test(test_mteb_1_18_bare_nan),
		cmocka_unit_test(test_mteb_2_date_and_phases),
		cmocka_unit_test(test_external_model_card),
		cmocka_unit_test(test_no_chinese_subset_is_named),
		cmocka_unit_test(test_hostile_and_ambiguous),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_compat_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
