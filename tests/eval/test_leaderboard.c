/*
 * Tests of eval/leaderboard.c against the published bge C-MTEB tables
 * (../shared/spec/evaluation.md §12): tests/golden/bge-results holds one
 * results file per task written from the §12 per-task rows by
 * tools/gen_bge_results.py; aggregating them must give the §12 Summary table
 * (type averages and the 35-task overall, ±0.01 as the spec allows) and the
 * README's 31-task "Avg" of the v1 rows.  Also: the tasks/cmteb definitions
 * load, incomplete models are marked, malformed files are named.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "leaderboard.h"
#include "task.h"
#include "test_util.h"

#define TASKS_DIR "tasks"
#define BGE_DIR "tests/golden/bge-results"

/* §12 Summary: dim, overall (35), Retrieval, STS, PairCls, Cls, Rerank, Cluster */
static const struct {
	const char *model;
	int dim;
	double overall, type[TASK_TYPE_COUNT];
} summary[] = {
#define ROW(m, d, o, ret, sts, pc, cls, rr, clu) \
	{m, d, o, {[TASK_TYPE_RETRIEVAL] = ret, [TASK_TYPE_STS] = sts, [TASK_TYPE_PAIR_CLASSIFICATION] = pc, \
		   [TASK_TYPE_CLASSIFICATION] = cls, [TASK_TYPE_RERANKING] = rr, [TASK_TYPE_CLUSTERING] = clu}}
	ROW("bge-large-zh-v1.5", 1024, 64.53, 70.46, 56.25, 81.62, 69.13, 65.84, 48.99),
	ROW("bge-base-zh-v1.5", 768, 63.13, 69.49, 53.72, 79.77, 68.07, 65.40, 47.53),
	ROW("bge-small-zh-v1.5", 512, 57.82, 61.77, 49.10, 70.40, 63.96, 60.92, 44.18),
	ROW("bge-large-zh", 1024, 63.96, 71.53, 54.98, 78.94, 68.32, 65.11, 48.39),
	ROW("bge-base-zh", 768, 62.80, 69.53, 54.12, 77.50, 67.07, 64.91, 47.63),
	ROW("bge-small-zh", 512, 58.28, 63.07, 49.45, 70.35, 63.64, 61.48, 45.09),
#undef ROW
};
#define N_SUMMARY ((int)(sizeof summary / sizeof summary[0]))
#define SLACK (0.01 + 1e-9)

static struct suite *load_cmteb(void)
{
	struct suite *su = NULL;
	struct ce_err err;
	enum ce_status s = suite_load(TASKS_DIR, "cmteb", &su, &err);
	if (s != CE_OK)
		fail_msg("suite_load cmteb: %s", err.msg);
	return su;
}

static const struct lb_model *find_model(const struct leaderboard *lb, const char *name)
{
	for (int32_t i = 0; i < lb->n_models; i++)
		if (strcmp(lb->models[i].name, name) == 0)
			return &lb->models[i];
	fail_msg("model %s not in the leaderboard", name);
	return NULL;
}

static void test_cmteb_suite_definitions(void **state)
{
	(void)state;
	struct suite *su = load_cmteb();
	assert_int_equal(su->n_tasks, 35);
	/* spec §11 counts per type */
	int count[TASK_TYPE_COUNT] = {0};
	for (int32_t i = 0; i < su->n_tasks; i++) {
		const struct task *t = su->tasks[i];
		count[t->type]++;
		assert_non_null(t->hf_id);
		if (t->type == TASK_TYPE_RETRIEVAL) {
			assert_true(t->ignore_identical_ids); /* R1: all 8 */
			assert_string_equal(t->eval_splits[0], "dev");
			assert_string_equal(t->main_score, "ndcg_at_10");
		}
		assert_int_equal(t->query_instruction,
				 t->type == TASK_TYPE_RETRIEVAL || t->type == TASK_TYPE_RERANKING);
	}
	assert_int_equal(count[TASK_TYPE_RETRIEVAL], 8);
	assert_int_equal(count[TASK_TYPE_RERANKING], 4);
	assert_int_equal(count[TASK_TYPE_STS], 8);
	assert_int_equal(count[TASK_TYPE_PAIR_CLASSIFICATION], 2);
	assert_int_equal(count[TASK_TYPE_CLASSIFICATION], 9);
	assert_int_equal(count[TASK_TYPE_CLUSTERING], 4);
	/* a few per-task parameters of §6.1 / §11 */
	for (int32_t i = 0; i < su->n_tasks; i++) {
		const struct task *t = su->tasks[i];
		if (!strcmp(t->name, "IFlyTek")) {
			assert_int_equal(t->samples_per_label, 32);
			assert_int_equal(t->n_experiments, 5);
			assert_string_equal(t->eval_splits[0], "validation");
		} else if (!strcmp(t->name, "MassiveIntentClassification")) {
			assert_int_equal(t->samples_per_label, 8);
			assert_string_equal(t->hf_subset, "zh-CN");
		} else if (!strcmp(t->name, "STSB")) {
			assert_true(t->has_score_range);
			assert_true(t->score_min == 0 && t->score_max == 5);
		} else if (!strcmp(t->name, "STS22")) {
			assert_string_equal(t->hf_subset, "zh");
			assert_true(t->score_min == 1 && t->score_max == 4);
		} else if (!strcmp(t->name, "AFQMC")) {
			assert_string_equal(t->eval_splits[0], "validation");
		} else if (!strcmp(t->name, "MMarcoReranking")) {
			assert_string_equal(t->dataset_path, "C-MTEB/Mmarco-reranking");
			assert_string_equal(t->main_score, "map");
		} else if (!strcmp(t->name, "Ocnli")) {
			assert_string_equal(t->main_score, "cosine_ap");
			assert_string_equal(t->eval_splits[0], "validation");
		}
	}
	suite_free(su);
}

static void test_bge_summary_35(void **state)
{
	(void)state;
	struct suite *su = load_cmteb();
	struct leaderboard *lb = NULL;
	struct ce_err err;
	if (leaderboard_load(BGE_DIR, su, &lb, &err) != CE_OK)
		fail_msg("leaderboard_load: %s", err.msg);
	assert_int_equal(lb->n_models, N_SUMMARY);
	for (int i = 0; i < N_SUMMARY; i++) {
		const struct lb_model *m = find_model(lb, summary[i].model);
		assert_int_equal(m->n_present, 35);
		assert_int_equal(m->dim, summary[i].dim);
		if (fabs(m->avg - summary[i].overall) > SLACK)
			fail_msg("%s overall %.4f, published %.2f", m->name, m->avg, summary[i].overall);
		for (int t = 0; t < TASK_TYPE_COUNT; t++)
			if (fabs(m->type_avg[t] - summary[i].type[t]) > SLACK)
				fail_msg("%s %s %.4f, published %.2f", m->name, task_type_name((enum task_type)t),
					 m->type_avg[t], summary[i].type[t]);
	}
	/* complete models are ranked by overall average */
	for (int32_t i = 1; i < lb->n_models; i++)
		assert_true(lb->models[i - 1].avg >= lb->models[i].avg);
	assert_string_equal(lb->models[0].name, "bge-large-zh-v1.5");

	char *md = NULL;
	size_t len = 0;
	assert_int_equal(leaderboard_to_markdown(lb, &md, &len, &err), CE_OK);
	assert_int_equal(strlen(md), len);
	assert_non_null(strstr(md, "| Model | Embedding dimension | Avg | Retrieval | STS | PairClassification "
				   "| Classification | Reranking | Clustering |"));
	/* §12 rows whose averages are not at a rounding tie print exactly */
	assert_non_null(strstr(md, "| bge-large-zh-v1.5 | 1024 | 64.53 | 70.46 | 56.25 | 81.62 | 69.13 | 65.84 | 48.99 |"));
	assert_non_null(strstr(md, "| bge-small-zh | 512 | 58.28 | 63.07 | 49.45 | 70.35 | 63.64 | 61.48 | 45.09 |"));
	/* per-type table: published per-task values */
	assert_non_null(strstr(md, "## Reranking\n\n| Model | T2Reranking | MMarcoReranking | CMedQAv1-reranking | "
				   "CMedQAv2-reranking | Avg |"));
	assert_non_null(strstr(md, "| bge-large-zh-v1.5 | 65.74 | 28.74 | 83.45 | 85.44 | 65.84 |"));
	assert_null(strstr(md, "* |"));
	assert_null(strstr(md, "Incomplete results"));
	ce_free(md);
	leaderboard_free(lb);
	suite_free(su);
}

/* The README's v1 "Avg" is over the original 31 tasks (no STS22, Amazon, Massive x2): §10, §12. */
static void test_bge_v1_31_task_average(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char path[4096];
	snprintf(path, sizeof path, "%s/cmteb31.yaml", dir);
	struct suite *full = load_cmteb();
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "suite: cmteb31\ntasks:\n");
	int n = 0;
	for (int32_t i = 0; i < full->n_tasks; i++) {
		const char *name = full->tasks[i]->name;
		if (!strcmp(name, "STS22") || !strcmp(name, "AmazonReviewsClassification") ||
		    !strcmp(name, "MassiveIntentClassification") || !strcmp(name, "MassiveScenarioClassification"))
			continue;
		fprintf(f, "  - %s\n", name);
		n++;
	}
	fclose(f);
	suite_free(full);
	assert_int_equal(n, 31);
	struct suite *su = NULL;
	struct ce_err err;
	if (suite_load(TASKS_DIR, path, &su, &err) != CE_OK)
		fail_msg("%s", err.msg);
	struct leaderboard *lb = NULL;
	assert_int_equal(leaderboard_load(BGE_DIR, su, &lb, &err), CE_OK);
	static const struct {
		const char *model;
		double avg31;
	} published[] = {{"bge-large-zh", 64.20}, {"bge-base-zh", 62.96}, {"bge-small-zh", 58.27}};
	for (int i = 0; i < 3; i++) {
		const struct lb_model *m = find_model(lb, published[i].model);
		assert_int_equal(m->n_present, 31);
		if (fabs(m->avg - published[i].avg31) > SLACK)
			fail_msg("%s 31-task avg %.4f, published %.2f", m->name, m->avg, published[i].avg31);
	}
	leaderboard_free(lb);
	suite_free(su);
	tu_rm_rf(dir);
	free(dir);
}

static void copy_model(const char *from_dir, const char *to_dir, const char *skip)
{
	struct suite *su = load_cmteb();
	for (int32_t i = 0; i < su->n_tasks; i++) {
		const char *name = su->tasks[i]->name;
		if (skip && strstr(skip, name) && strlen(name) > 0) {
			/* skip list is ",A,B," */
			char key[256];
			snprintf(key, sizeof key, ",%s,", name);
			if (strstr(skip, key))
				continue;
		}
		char src[4096], dst[4096];
		snprintf(src, sizeof src, "%s/%s.json", from_dir, name);
		snprintf(dst, sizeof dst, "%s/%s.json", to_dir, name);
		FILE *in = fopen(src, "rb");
		assert_non_null(in);
		char buf[65536];
		size_t got = fread(buf, 1, sizeof buf, in);
		fclose(in);
		tu_write_file(dst, buf, got);
	}
	suite_free(su);
}

static void test_incomplete_model_is_marked(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char mdir[4096];
	snprintf(mdir, sizeof mdir, "%s/partial", dir);
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s' '%s/empty-folder'", mdir, dir);
	assert_int_equal(system(cmd), 0);
	copy_model(BGE_DIR "/bge-base-zh", mdir, ",T2Retrieval,Ocnli,");
	struct suite *su = load_cmteb();
	struct leaderboard *lb = NULL;
	struct ce_err err;
	assert_int_equal(leaderboard_load(dir, su, &lb, &err), CE_OK);
	assert_int_equal(lb->n_models, 1); /* the empty folder is not a model */
	const struct lb_model *m = &lb->models[0];
	assert_int_equal(m->n_present, 33);
	assert_int_equal(m->type_present[TASK_TYPE_RETRIEVAL], 7);
	assert_int_equal(m->type_present[TASK_TYPE_PAIR_CLASSIFICATION], 1);
	/* the mean over what is there, from §12's per-task rows: Cmnli alone */
	assert_true(fabs(m->type_avg[TASK_TYPE_PAIR_CLASSIFICATION] - 81.69) < 1e-9);
	assert_true(fabs(m->type_avg[TASK_TYPE_RETRIEVAL] -
			 (79.11 + 86.02 + 72.07 + 41.77 + 63.53 + 56.64 + 73.76) / 7) < 1e-9);
	char *md = NULL;
	size_t len;
	assert_int_equal(leaderboard_to_markdown(lb, &md, &len, &err), CE_OK);
	assert_non_null(strstr(md, "| bge-base-zh | 768 | "));
	assert_non_null(strstr(md, "| 81.69* |"));                /* PairClassification column */
	assert_null(strstr(md, "| 77.50 |")); /* never the complete value */
	assert_non_null(strstr(md, "- bge-base-zh: 2 of 35 tasks missing (Retrieval 1, PairClassification 1): "
				   "T2Retrieval, Ocnli"));
	ce_free(md);
	leaderboard_free(lb);
	suite_free(su);
	tu_rm_rf(dir);
	free(dir);
}

static void test_malformed_file_is_named(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char mdir[4096], bad[4200];
	snprintf(mdir, sizeof mdir, "%s/m", dir);
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", mdir);
	assert_int_equal(system(cmd), 0);
	snprintf(bad, sizeof bad, "%s/ATEC.json", mdir);
	tu_write_text(bad, "{\"task_name\": \"ATEC\", \"scores\": {\"test\": [ {\"main_score\": ");
	struct suite *su = load_cmteb();
	struct leaderboard *lb = NULL;
	struct ce_err err;
	ce_err_clear(&err);
	assert_int_equal(leaderboard_load(dir, su, &lb, &err), CE_E_FORMAT);
	assert_null(lb);
	assert_non_null(strstr(err.msg, bad));

	/* a well-formed file of another task under this name */
	copy_model(BGE_DIR "/bge-base-zh", mdir, NULL);
	char src[4096];
	snprintf(src, sizeof src, "%s/BQ.json", mdir);
	assert_int_equal(rename(src, bad), 0);
	ce_err_clear(&err);
	assert_int_equal(leaderboard_load(dir, su, &lb, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "task_name is 'BQ', expected 'ATEC'"));
	suite_free(su);
	tu_rm_rf(dir);
	free(dir);
}

static void test_missing_results_dir(void **state)
{
	(void)state;
	struct suite *su = load_cmteb();
	struct leaderboard *lb = NULL;
	struct ce_err err;
	assert_int_equal(leaderboard_load("tests/golden/no-such-dir", su, &lb, &err), CE_E_NOT_FOUND);
	assert_non_null(strstr(err.msg, "tests/golden/no-such-dir"));
	suite_free(su);
}

static void test_task_score_rules(void **state)
{
	(void)state;
	struct task *t = NULL;
	struct ce_err err;
	static const char y[] = "name: Amz\ntype: classification\ndataset: {path: x}\nhf_subset: zh\n"
				"eval_splits: [test]\n";
	assert_int_equal(task_load_buffer("amz.yaml", y, sizeof y - 1, &t, &err), CE_OK);
	struct task_result r;
	task_result_init(&r);
	r.task_name = ce_strdup("Amz");
	r.n_scores = 3;
	r.scores = ce_calloc(3, sizeof *r.scores);
	const char *subsets[3] = {"de", "zh", "zh"};
	const char *splits[3] = {"test", "validation", "test"};
	for (int i = 0; i < 3; i++) {
		r.scores[i].split = ce_strdup(splits[i]);
		r.scores[i].hf_subset = ce_strdup(subsets[i]);
		r.scores[i].main_score = 0.1 * (i + 1);
		metric_set_init(&r.scores[i].metrics);
	}
	double v = 0;
	/* the entry of the task's eval split (test, not the validation entry written first) and subset */
	assert_int_equal(leaderboard_task_score(&r, t, "f.json", &v, &err), CE_OK);
	assert_true(v == 0.30000000000000004);
	/* the task's main_score metric wins over the file's main_score */
	assert_int_equal(metric_set_add(&r.scores[2].metrics, "accuracy", 0.75), CE_OK);
	assert_int_equal(leaderboard_task_score(&r, t, "f.json", &v, &err), CE_OK);
	assert_true(v == 0.75);
	/* several subsets, none the task's: refused */
	ce_free(r.scores[1].hf_subset);
	r.scores[1].hf_subset = ce_strdup("fr");
	ce_free(r.scores[2].hf_subset);
	r.scores[2].hf_subset = ce_strdup("fr");
	assert_int_equal(leaderboard_task_score(&r, t, "f.json", &v, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "f.json: scores.test has no entry for subset 'zh' nor a Chinese one"));
	task_result_deinit(&r);
	task_free(t);
	assert_true(leaderboard_round2(65.395) == 65.39 || leaderboard_round2(65.395) == 65.40);
	assert_true(leaderboard_round2(2.675) == 2.67); /* binary 2.67499999..., as Python round() */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmteb_suite_definitions),
		cmocka_unit_test(test_bge_summary_35),
		cmocka_unit_test(test_bge_v1_31_task_average),
		cmocka_unit_test(test_incomplete_model_is_marked),
		cmocka_unit_test(test_malformed_file_is_named),
		cmocka_unit_test(test_missing_results_dir),
		cmocka_unit_test(test_task_score_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
