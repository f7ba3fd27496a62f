/*
 * The shipped published results (published/, product data) reproduce the
 * published tables exactly, at the published 2 decimals:
 *   - the original C-MTEB table (FlagEmbedding C_MTEB/README.md at commit
 *     1dc9bee, 2023-08-06: ten models, 31 tasks) from suite cmteb-v1.  One
 *     cell cannot: m3e-large Classification is 71.22 in the table and 71.21
 *     from the files, because the table took Waimai as 86.1 where the file
 *     has 86.08 (checked below too);
 *   - the v1.5 rows of the current C-MTEB README (35 tasks) from suite cmteb.
 * The published tables average per-task scores already rounded to 2
 * decimals, which is what the leaderboard does.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "leaderboard.h"
#include "task.h"
#include "test_util.h"

struct row {
	const char *model;
	int dim;
	double avg, ret, sts, pc, cls, rr, clu;
};

/* C_MTEB/README.md @ 1dc9bee, "Embedding dimension | Avg | Retrieval | STS | PairClassification |
 * Classification | Reranking | Clustering", in its row order */
static const struct row original[] = {
	{"BAAI/bge-large-zh", 1024, 64.20, 71.53, 53.23, 78.94, 72.26, 65.11, 48.39},
	{"BAAI/bge-large-zh-noinstruct", 1024, 63.53, 70.55, 50.98, 76.77, 72.49, 64.91, 50.01},
	{"BAAI/bge-base-zh", 768, 62.96, 69.53, 52.05, 77.5, 70.98, 64.91, 47.63},
	{"BAAI/bge-small-zh", 512, 58.27, 63.07, 46.87, 70.35, 67.78, 61.48, 45.09},
	{"moka-ai/m3e-base", 768, 57.10, 56.91, 48.15, 63.99, 70.28, 59.34, 47.68},
	{"moka-ai/m3e-large", 1024, 57.05, 54.75, 48.64, 64.3, 71.22, 59.66, 48.88},
	{"openai/text-embedding-ada-002", 1536, 53.02, 52.0, 40.61, 69.56, 67.38, 54.28, 45.68},
	{"silk-road/luotuo-bert-medium", 1024, 49.37, 44.4, 39.41, 66.62, 65.29, 49.25, 44.39},
	{"shibing624/text2vec-base-chinese", 768, 47.63, 38.79, 41.71, 67.41, 65.18, 49.45, 37.66},
	{"GanymedeNil/text2vec-large-chinese", 1024, 47.36, 41.94, 41.98, 70.86, 63.42, 49.16, 30.02},
};

/* research/C_MTEB/README.md (current), the three v1.5 rows, 35 tasks */
static const struct row v15[] = {
	{"BAAI/bge-large-zh-v1.5", 1024, 64.53, 70.46, 56.25, 81.6, 69.13, 65.84, 48.99},
	{"BAAI/bge-base-zh-v1.5", 768, 63.13, 69.49, 53.72, 79.75, 68.07, 65.39, 47.53},
	{"BAAI/bge-small-zh-v1.5", 512, 57.82, 61.77, 49.11, 70.41, 63.96, 60.92, 44.18},
};

static struct leaderboard *load_published(const char *suite_name, struct suite **su)
{
	struct ce_err err;
	struct leaderboard *lb = NULL;
	if (suite_load("tasks", suite_name, su, &err) != CE_OK || leaderboard_create(*su, &lb, &err) != CE_OK ||
	    leaderboard_add(lb, "published", 1, &err) != CE_OK)
		fail_msg("%s", err.msg);
	leaderboard_sort(lb);
	return lb;
}

static const struct lb_model *find(const struct leaderboard *lb, const char *name)
{
	for (int32_t i = 0; i < lb->n_models; i++)
		if (strcmp(lb->models[i].name, name) == 0)
			return &lb->models[i];
	fail_msg("%s not found", name);
	return NULL;
}

/* The value as the table prints it: 2 decimals. */
static int same2(double got, double want)
{
	char a[32], b[32];
	snprintf(a, sizeof a, "%.2f", got);
	snprintf(b, sizeof b, "%.2f", want);
	return strcmp(a, b) == 0;
}

static int check_row(const struct leaderboard *lb, const struct row *w, const char *skip_type)
{
	const struct lb_model *m = find(lb, w->model);
	assert_true(lb_model_complete(lb, m));
	assert_true(m->published);
	assert_int_equal(m->dim, w->dim);
	const double want[TASK_TYPE_COUNT] = {[TASK_TYPE_RETRIEVAL] = w->ret, [TASK_TYPE_STS] = w->sts,
					      [TASK_TYPE_PAIR_CLASSIFICATION] = w->pc, [TASK_TYPE_CLASSIFICATION] = w->cls,
					      [TASK_TYPE_RERANKING] = w->rr, [TASK_TYPE_CLUSTERING] = w->clu};
	int bad = 0;
	if (!same2(m->avg, w->avg)) {
		print_message("%s Avg: %.2f, published %.2f\n", w->model, m->avg, w->avg);
		bad++;
	}
	for (int t = 0; t < TASK_TYPE_COUNT; t++) {
		if (skip_type && strcmp(skip_type, leaderboard_type_title((enum task_type)t)) == 0)
			continue;
		if (!leaderboard_type_shown(lb, (enum task_type)t)) { /* no task of the type (C-MTEB: summarization) */
			assert_true(isnan(m->type_avg[t]));
			continue;
		}
		if (!same2(m->type_avg[t], want[t])) {
			print_message("%s %s: %.2f, published %.2f\n", w->model, leaderboard_type_title((enum task_type)t),
				      m->type_avg[t], want[t]);
			bad++;
		}
	}
	return bad;
}

static void test_original_cmteb_table(void **state)
{
	(void)state;
	struct suite *su = NULL;
	struct leaderboard *lb = load_published("cmteb-v1", &su);
	assert_int_equal(su->n_tasks, 31);
	int bad = 0;
	for (size_t i = 0; i < sizeof original / sizeof original[0]; i++)
		bad += check_row(lb, &original[i], strcmp(original[i].model, "moka-ai/m3e-large") == 0 ? "Classification"
													  : NULL);
	assert_int_equal(bad, 0);
	/* the one cell that cannot match, and why */
	const struct lb_model *m3e = find(lb, "moka-ai/m3e-large");
	assert_true(same2(m3e->type_avg[TASK_TYPE_CLASSIFICATION], 71.21));
	for (int32_t k = 0; k < su->n_tasks; k++)
		if (strcmp(su->tasks[k]->name, "Waimai") == 0)
			assert_true(m3e->score[k] == 86.08);
	/* the table's row order is the Avg order */
	for (size_t i = 0, j = 0; i < (size_t)lb->n_models; i++) {
		if (strstr(lb->models[i].name, "-v1.5"))
			continue;
		assert_string_equal(lb->models[i].name, original[j++].model);
	}
	leaderboard_free(lb);
	suite_free(su);
}

static void test_v15_rows_35_tasks(void **state)
{
	(void)state;
	struct suite *su = NULL;
	struct leaderboard *lb = load_published("cmteb", &su);
	assert_int_equal(su->n_tasks, 35);
	assert_int_equal(lb->n_models, 13);
	int bad = 0;
	for (size_t i = 0; i < sizeof v15 / sizeof v15[0]; i++)
		bad += check_row(lb, &v15[i], NULL);
	assert_int_equal(bad, 0);
	leaderboard_free(lb);
	suite_free(su);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_original_cmteb_table),
		cmocka_unit_test(test_v15_rows_35_tasks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
