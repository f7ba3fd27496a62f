/*
 * Tests of eval/task.c: the 20 cmteb-mini task files and their suite, the
 * defaults, and every class of invalid file with the expected line:col.
 * Expected per-task values come from the brief and spec §4-§7/§11
 * (STS score ranges, classification parameters) and from the file names of
 * ../shared/data/cmteb-mini (splits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ce_alloc.h"
#include "fs_util.h"
#include "task.h"
#include "test_util.h"

struct expect {
	const char *name;
	enum task_type type;
	const char *split;
	const char *main_score;
	int samples_per_label, n_experiments; /* classification */
	double smin, smax;                    /* sts */
};

static const struct expect expected[] = {
	{"LCQMC-mini", TASK_TYPE_STS, "test", "cosine_spearman", 0, 0, 0, 1},
	{"AFQMC-mini", TASK_TYPE_STS, "test", "cosine_spearman", 0, 0, 0, 1},
	{"ATEC-mini", TASK_TYPE_STS, "test", "cosine_spearman", 0, 0, 0, 1},
	{"BQ-mini", TASK_TYPE_STS, "test", "cosine_spearman", 0, 0, 0, 1},
	{"PAWSX-mini", TASK_TYPE_STS, "test", "cosine_spearman", 0, 0, 0, 1},
	{"STSB-mini", TASK_TYPE_STS, "test", "cosine_spearman", 0, 0, 0, 5},
	{"QBQTC-mini", TASK_TYPE_STS, "test", "cosine_spearman", 0, 0, 0, 2},
	{"Ocnli-mini", TASK_TYPE_PAIR_CLASSIFICATION, "test", "cosine_ap", 0, 0, 0, 0},
	{"Cmnli-mini", TASK_TYPE_PAIR_CLASSIFICATION, "test", "cosine_ap", 0, 0, 0, 0},
	{"Waimai-mini", TASK_TYPE_CLASSIFICATION, "test", "accuracy", 32, 10, 0, 0},
	{"OnlineShopping-mini", TASK_TYPE_CLASSIFICATION, "test", "accuracy", 32, 10, 0, 0},
	{"ChnSentiCorp-mini", TASK_TYPE_CLASSIFICATION, "test", "accuracy", 32, 10, 0, 0},
	{"TNews-mini", TASK_TYPE_CLASSIFICATION, "test", "accuracy", 32, 10, 0, 0},
	{"IFlyTek-mini", TASK_TYPE_CLASSIFICATION, "test", "accuracy", 32, 5, 0, 0},
	{"EPRSTMT-mini", TASK_TYPE_CLASSIFICATION, "test", "accuracy", 32, 10, 0, 0},
	{"CLSClusteringS2S-mini", TASK_TYPE_CLUSTERING, "test", "v_measure", 0, 0, 0, 0},
	{"ThuNewsClusteringS2S-mini", TASK_TYPE_CLUSTERING, "test", "v_measure", 0, 0, 0, 0},
	{"MedDialogReranking-mini", TASK_TYPE_RERANKING, "test", "map", 0, 0, 0, 0},
	{"MedDialogRetrieval-mini", TASK_TYPE_RETRIEVAL, "test", "ndcg_at_10", 0, 0, 0, 0},
	{"CmrcRetrieval-mini", TASK_TYPE_RETRIEVAL, "dev", "ndcg_at_10", 0, 0, 0, 0},
};
#define N_EXPECTED ((int)(sizeof expected / sizeof expected[0]))

static void check_task(const struct task *t, const struct expect *e)
{
	assert_string_equal(t->name, e->name);
	assert_int_equal(t->type, e->type);
	assert_int_equal(t->n_eval_splits, 1);
	assert_string_equal(t->eval_splits[0], e->split);
	assert_string_equal(t->main_score, e->main_score);
	char path[256];
	snprintf(path, sizeof path, "cmteb-mini/%s", e->name);
	assert_string_equal(t->dataset_path, path);
	assert_int_equal(t->n_languages, 1);
	assert_string_equal(t->languages[0], "cmn-Hans");
	assert_string_equal(t->hf_subset, "default");
	int q = e->type == TASK_TYPE_RETRIEVAL || e->type == TASK_TYPE_RERANKING;
	assert_int_equal(t->query_instruction, q);
	if (e->type == TASK_TYPE_CLASSIFICATION) {
		assert_string_equal(t->train_split, "train");
		assert_int_equal(t->samples_per_label, e->samples_per_label);
		assert_int_equal(t->n_experiments, e->n_experiments);
	} else {
		assert_null(t->train_split);
	}
	if (e->type == TASK_TYPE_STS) {
		assert_true(t->has_score_range);
		assert_true(t->score_min == e->smin && t->score_max == e->smax);
	} else {
		assert_false(t->has_score_range);
	}
	if (e->type == TASK_TYPE_RETRIEVAL) {
		static const int32_t k[] = {1, 3, 5, 10, 100, 1000};
		assert_true(t->ignore_identical_ids);
		assert_int_equal(t->n_k_values, 6);
		assert_memory_equal(t->k_values, k, sizeof k);
	}
}

static void test_task_cmteb_mini_files(void **state)
{
	(void)state;
	for (int i = 0; i < N_EXPECTED; i++) {
		char path[256];
		snprintf(path, sizeof path, "tasks/cmteb-mini/%s.yaml", expected[i].name);
		struct task *t;
		struct ce_err err;
		enum ce_status s = task_load_file(path, &t, &err);
		if (s != CE_OK)
			fail_msg("%s: %s", path, err.msg);
		check_task(t, &expected[i]);
		/* the dataset folder it names exists in ../shared/data */
		char data[512];
		snprintf(data, sizeof data, "data/%s", t->dataset_path);
		assert_true(fs_is_dir(tu_shared(data)));
		task_free(t);
	}
}

static void test_task_suite_cmteb_mini(void **state)
{
	(void)state;
	struct suite *su;
	struct ce_err err;
	enum ce_status s = suite_load("tasks", "cmteb-mini", &su, &err);
	if (s != CE_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(su->name, "cmteb-mini");
	assert_int_equal(su->n_tasks, N_EXPECTED);
	for (int i = 0; i < N_EXPECTED; i++)
		check_task(su->tasks[i], &expected[i]);
	suite_free(su);
	suite_free(NULL);
	task_free(NULL);
}

static void test_task_defaults(void **state)
{
	(void)state;
	const char *y = "name: T\ntype: retrieval\ndataset: {path: a/b}\neval_splits: [dev]\n";
	struct task *t;
	struct ce_err err;
	assert_int_equal(task_load_buffer("t.yaml", y, strlen(y), &t, &err), CE_OK);
	assert_string_equal(t->main_score, "ndcg_at_10");
	assert_string_equal(t->description, "");
	assert_null(t->hf_id);
	assert_null(t->revision);
	assert_true(t->query_instruction);
	assert_true(t->ignore_identical_ids);
	assert_string_equal(t->columns.id, "_id");
	assert_string_equal(t->columns.title, "title");
	assert_string_equal(t->columns.text, "text");
	assert_string_equal(t->source_path, "t.yaml");
	task_free(t);

	y = "name: C\ntype: classification\ndataset:\n  path: x\n  hf_id: C-MTEB/x\n  revision: abc\n"
	    "eval_splits: [validation, test]\ncolumns: {text: sentence, label: label_desc}\n"
	    "languages: [cmn-Hans, eng-Latn]\nhf_subset: zh\nquery_instruction: false\n";
	assert_int_equal(task_load_buffer("c.yaml", y, strlen(y), &t, &err), CE_OK);
	assert_string_equal(t->main_score, "accuracy");
	assert_int_equal(t->samples_per_label, 8);
	assert_int_equal(t->n_experiments, 10);
	assert_int_equal(t->fast_sample, 0);
	assert_string_equal(t->train_split, "train");
	assert_string_equal(t->hf_id, "C-MTEB/x");
	assert_string_equal(t->revision, "abc");
	assert_int_equal(t->n_eval_splits, 2);
	assert_string_equal(t->eval_splits[1], "test");
	assert_string_equal(t->columns.text, "sentence");
	assert_string_equal(t->columns.label, "label_desc");
	assert_string_equal(t->columns.sentence1, "sentence1");
	assert_string_equal(t->languages[1], "eng-Latn");
	assert_string_equal(t->hf_subset, "zh");
	assert_false(t->query_instruction);
	task_free(t);
	/* summarization: its column keys, cosine_spearman at R1 and R3 */
	y = "name: S\ntype: summarization\ndataset: {path: x}\neval_splits: [test]\n"
	    "columns: {human_summaries: refs, machine_summaries: outs, relevance: rel}\n";
	assert_int_equal(task_load_buffer("s.yaml", y, strlen(y), &t, &err), CE_OK);
	assert_int_equal(t->type, TASK_TYPE_SUMMARIZATION);
	assert_string_equal(t->main_score, "cosine_spearman");
	assert_string_equal(t->main_score_r3, "cosine_spearman");
	assert_string_equal(t->columns.human_summaries, "refs");
	assert_string_equal(t->columns.machine_summaries, "outs");
	assert_string_equal(t->columns.relevance, "rel");
	assert_string_equal(t->columns.text, "text");
	task_free(t);
	y = "name: V\ntype: clustering\ndataset: {path: x}\neval_splits: [test]\nparameters: {fast_sample: 2048}\n";
	assert_int_equal(task_load_buffer("v.yaml", y, strlen(y), &t, &err), CE_OK);
	assert_int_equal(t->fast_sample, 2048);
	assert_null(t->hf_id_r3);
	assert_int_equal(t->n_eval_splits_r3, 0);
	task_free(t);
	y = "name: A\ntype: sts\ndataset: {path: x}\neval_splits: [test]\n"
	    "dataset_r3:\n  hf_id: C-MTEB/ATEC\n  revision: 0f31\n  eval_splits: [validation, test]\n";
	assert_int_equal(task_load_buffer("a.yaml", y, strlen(y), &t, &err), CE_OK);
	assert_string_equal(t->hf_id_r3, "C-MTEB/ATEC");
	assert_string_equal(t->revision_r3, "0f31");
	assert_int_equal(t->n_eval_splits_r3, 2);
	assert_string_equal(t->eval_splits_r3[0], "validation");
	assert_string_equal(t->eval_splits_r3[1], "test");
	assert_int_equal(t->n_eval_splits, 1);
	task_free(t);
}

static void test_task_enum_helpers(void **state)
{
	(void)state;
	for (int i = 0; i < TASK_TYPE_COUNT; i++) {
		enum task_type t;
		assert_int_equal(task_type_from_name(task_type_name((enum task_type)i), &t), CE_OK);
		assert_int_equal(t, i);
	}
	enum task_type t;
	assert_int_equal(task_type_from_name("STS", &t), CE_E_NOT_FOUND);
	assert_string_equal(task_type_name(TASK_TYPE_COUNT), "?");
	assert_string_equal(task_type_default_main_score(TASK_TYPE_PAIR_CLASSIFICATION), "cosine_ap");
	assert_string_equal(task_type_default_main_score(TASK_TYPE_RERANKING), "map");
}

struct bad_case {
	const char *yaml;
	const char *msg; /* expected prefix after "bad.yaml:" */
};

#define HEAD "name: T\ntype: sts\ndataset: {path: d}\neval_splits: [test]\n"

static const struct bad_case bad[] = {
	/* unknown key, line 5 col 1 */
	{HEAD "colour: red\n", "5:1: task: unknown key"},
	/* unknown key inside dataset */
	{"name: T\ntype: sts\ndataset: {path: d, url: x}\neval_splits: [test]\n", "3:20: dataset: unknown key"},
	/* wrong type: eval_splits a scalar */
	{"name: T\ntype: sts\ndataset: {path: d}\neval_splits: test\n", "4:14: eval_splits: expected a sequence"},
	/* wrong type: samples_per_label a string */
	{"name: T\ntype: classification\ndataset: {path: d}\neval_splits: [test]\nparameters:\n  samples_per_label: many\n",
	 "6:22: parameters.samples_per_label: expected an integer"},
	/* wrong type: boolean quoted */
	{HEAD "query_instruction: \"false\"\n", "5:20: query_instruction: expected a boolean"},
	/* wrong type: name is a mapping */
	{"name: {a: b}\ntype: sts\ndataset: {path: d}\neval_splits: [test]\n", "1:7: name: expected a non-empty string"},
	/* missing required key (reported at the mapping start) */
	{"name: T\ntype: sts\neval_splits: [test]\n", "1:1: task: missing required key 'dataset'"},
	{"name: T\ntype: sts\ndataset: {hf_id: x}\neval_splits: [test]\n", "3:10: dataset: missing required key 'path'"},
	/* bad enum value */
	{"name: T\ntype: regression\ndataset: {path: d}\neval_splits: [test]\n", "2:7: type: expected one of retrieval"},
	/* duplicate key */
	{HEAD "name: U\n", "5:1: task: duplicate key 'name' (first at line 1)"},
	/* parameter of another type */
	{HEAD "parameters:\n  k_values: [1, 10]\n", "6:3: parameters.k_values: applies only to retrieval tasks"},
	{HEAD "train_split: train\n", "5:1: train_split: applies only to classification tasks"},
	{HEAD "dataset_r3: {revision: abc}\n", "5:13: dataset_r3: missing required key 'hf_id'"},
	{HEAD "dataset_r3: {hf_id: x, splits: [a]}\n", "5:24: dataset_r3: unknown key"},
	{HEAD "dataset_r3: {hf_id: x, eval_splits: []}\n", "5:37: dataset_r3.eval_splits: expected a non-empty sequence"},
	{HEAD "parameters: {fast_sample: 2048}\n", "5:14: parameters.fast_sample: applies only to clustering tasks"},
	{"name: T\ntype: clustering\ndataset: {path: d}\neval_splits: [test]\nparameters: {fast_sample: 0}\n",
	 "5:27: parameters.fast_sample: expected an integer in [1, 100000000]"},
	{HEAD "query_instruction: true\n", "5:20: query_instruction: true applies only to retrieval and reranking"},
	/* k_values not ascending */
	{"name: T\ntype: retrieval\ndataset: {path: d}\neval_splits: [dev]\nparameters: {k_values: [10, 5]}\n",
	 "5:29: parameters.k_values: expected values in ascending order"},
	{"name: T\ntype: retrieval\ndataset: {path: d}\neval_splits: [dev]\nparameters: {k_values: [0]}\n",
	 "5:25: parameters.k_values: expected an integer in [1, 1000000]"},
	/* score range incomplete / inverted */
	{HEAD "parameters: {score_min: 0}\n", "5:14: parameters: score_min given without score_max"},
	{HEAD "parameters: {score_min: 5, score_max: 1}\n", "5:39: parameters.score_max: expected a value above"},
	{HEAD "parameters: {score_min: nan, score_max: 1}\n", "5:25: parameters.score_min: expected a number"},
	/* unsafe names */
	{"name: ../x\ntype: sts\ndataset: {path: d}\neval_splits: [test]\n", "1:7: name: expected a name usable"},
	{"name: T\ntype: sts\ndataset: {path: ../d}\neval_splits: [test]\n", "3:17: dataset.path: expected a relative path"},
	{"name: T\ntype: sts\ndataset: {path: d}\neval_splits: [test, test]\n", "4:21: eval_splits: 'test' is listed twice"},
	{"name: T\ntype: sts\ndataset: {path: d}\neval_splits: []\n", "4:14: eval_splits: expected a non-empty sequence"},
	{HEAD "main_score: Cosine Spearman\n", "5:13: main_score: expected a metric name"},
	/* a main score the type does not report: said at load, so list and run say it before encoding */
	{HEAD "main_score: cosine_spearmann\n", "5:13: main_score: 'cosine_spearmann' is not a score of sts tasks ("},
	{"name: T\ntype: retrieval\ndataset: {path: d}\neval_splits: [dev]\nmain_score: ndcg_at_20\n",
	 "5:13: main_score: 'ndcg_at_20' is not a score of retrieval tasks (ndcg_at_K"},
	/* integers beyond 32 bits are "out of range", naming the value */
	{"name: T\ntype: retrieval\ndataset: {path: d}\neval_splits: [dev]\nparameters: {k_values: [4294967296]}\n",
	 "5:25: parameters.k_values: 4294967296 is out of range [1, 1000000]"},
	{"name: T\ntype: retrieval\ndataset: {path: d}\neval_splits: [dev]\nparameters: {k_values: [99999999999999999999]}\n",
	 "5:25: parameters.k_values: 99999999999999999999 is out of range [1, 1000000]"},
	/* YAML syntax error, empty file, two documents, top level not a mapping */
	{"name: T\ntype: [sts\n", "3:1: YAML syntax error"},
	{"", "1:1: expected a YAML mapping, found an empty file"},
	{HEAD "---\nname: U\n", "6:1: expected a single YAML document"},
	{"- a\n- b\n", "1:1: task: expected a mapping, found a sequence"},
	/* NUL byte in a double-quoted string */
	{"name: \"a\\0b\"\ntype: sts\ndataset: {path: d}\neval_splits: [test]\n", "1:7: name: expected a string, found one containing a NUL"},
};

static void test_task_invalid_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct task *t = (struct task *)&t; /* must be reset to NULL */
		struct ce_err err;
		enum ce_status s = task_load_buffer("bad.yaml", bad[i].yaml, strlen(bad[i].yaml), &t, &err);
		if (s != CE_E_FORMAT)
			fail_msg("case %zu: status %d (%s), expected CE_E_FORMAT", i, (int)s, err.msg);
		assert_null(t);
		char want[512];
		snprintf(want, sizeof want, "bad.yaml:%s", bad[i].msg);
		if (strncmp(err.msg, want, strlen(want)) != 0)
			fail_msg("case %zu:\n got: %s\nwant: %s...", i, err.msg, want);
		assert_null(strchr(err.msg, '\n'));
	}
}

/* The metric names per type, main scores, and k_values against a corpus */
static void test_task_metrics_and_k_values(void **state)
{
	(void)state;
	struct task *t = NULL;
	struct ce_err err;
	const char *y = "name: T\ntype: retrieval\ndataset: {path: d}\neval_splits: [dev]\nmain_score: recall_at_50\n"
			"parameters: {k_values: [1, 50]}\n";
	assert_int_equal(task_load_buffer("r.yaml", y, strlen(y), &t, &err), CE_OK);
	assert_true(task_reports_metric(t, "recall_at_50"));
	assert_true(task_reports_metric(t, "mrr_at_1"));
	assert_false(task_reports_metric(t, "ndcg_at_10"));
	assert_false(task_reports_metric(t, "ndcg_at_"));
	assert_int_equal(task_check_k_values(t, 50, &err), CE_OK);
	assert_int_equal(task_check_k_values(t, 49, &err), CE_E_FORMAT);
	assert_string_equal(err.msg, "r.yaml: parameters.k_values: 50 is beyond the corpus of 49 documents (k_values "
				     "above 49 rank nothing more)");
	task_free(t);
	/* R1's default list is applied to any corpus, as MTEB does */
	y = "name: T\ntype: retrieval\ndataset: {path: d}\neval_splits: [dev]\n";
	assert_int_equal(task_load_buffer("d.yaml", y, strlen(y), &t, &err), CE_OK);
	assert_int_equal(task_check_k_values(t, 3, &err), CE_OK);
	task_free(t);
	/* every type's default main score is one it reports */
	for (int ty = 0; ty < TASK_TYPE_COUNT; ty++) {
		const char *const *names = task_type_metric_names((enum task_type)ty);
		assert_non_null(names[0]);
		if (ty == TASK_TYPE_RETRIEVAL)
			continue;
		int found = 0;
		for (int i = 0; names[i]; i++)
			found |= strcmp(names[i], task_type_default_main_score((enum task_type)ty)) == 0;
		assert_true(found);
	}
}

static void test_task_file_errors(void **state)
{
	(void)state;
	struct task *t;
	struct ce_err err;
	assert_int_equal(task_load_file("tasks/no-such-file.yaml", &t, &err), CE_E_NOT_FOUND);
	assert_null(t);
	/* 1 MiB limit */
	size_t big = ((size_t)1 << 20) + 1;
	char *buf = malloc(big);
	memset(buf, '#', big);
	assert_int_equal(task_load_buffer("big.yaml", buf, big, &t, &err), CE_E_LIMIT);
	free(buf);
}

static void test_task_find_and_suite_errors(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char p[4096];
	snprintf(p, sizeof p, "%s/a", dir);
	mkdir(p, 0777);
	snprintf(p, sizeof p, "%s/b", dir);
	mkdir(p, 0777);
	snprintf(p, sizeof p, "%s/suites", dir);
	mkdir(p, 0777);
	snprintf(p, sizeof p, "%s/a/X.yaml", dir);
	tu_write_text(p, "name: X\ntype: sts\ndataset: {path: d}\neval_splits: [test]\n");
	snprintf(p, sizeof p, "%s/b/X.yaml", dir);
	tu_write_text(p, "name: X\ntype: sts\ndataset: {path: d}\neval_splits: [test]\n");
	snprintf(p, sizeof p, "%s/b/Y.yaml", dir);
	tu_write_text(p, "name: Z\ntype: sts\ndataset: {path: d}\neval_splits: [test]\n");
	snprintf(p, sizeof p, "%s/b/W.yaml", dir);
	tu_write_text(p, "name: W\ntype: sts\ndataset: {path: d}\neval_splits: [test]\n");

	char *path;
	struct ce_err err;
	assert_int_equal(task_find_file(dir, "X", &path, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "defined twice"));
	assert_int_equal(task_find_file(dir, "Q", &path, &err), CE_E_NOT_FOUND);
	assert_int_equal(task_find_file(dir, "../X", &path, &err), CE_E_INVALID_ARG);
	assert_int_equal(task_find_file(dir, "W", &path, &err), CE_OK);
	snprintf(p, sizeof p, "%s/b/W.yaml", dir);
	assert_string_equal(path, p);
	ce_free(path);

	struct suite *su;
	/* name mismatch: Y.yaml says name: Z */
	snprintf(p, sizeof p, "%s/suites/s1.yaml", dir);
	tu_write_text(p, "suite: s1\ntasks: [W, Y]\n");
	assert_int_equal(suite_load(dir, "s1", &su, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "name: expected 'Y' (the file name), found 'Z'"));
	/* a missing task names the suite line:col */
	tu_write_text(p, "suite: s1\ntasks:\n  - W\n  - Nope\n");
	assert_int_equal(suite_load(dir, "s1", &su, &err), CE_E_NOT_FOUND);
	snprintf(p, sizeof p, "%s/suites/s1.yaml:4:5: ", dir);
	assert_non_null(strstr(err.msg, p));
	/* listed twice (by name and by path) */
	snprintf(p, sizeof p, "%s/suites/s1.yaml", dir);
	tu_write_text(p, "suite: s1\ntasks:\n  - W\n  - ../b/W.yaml\n");
	assert_int_equal(suite_load(dir, "s1", &su, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "s1.yaml:4:5: tasks: task 'W' is listed twice"));
	/* by path works; unknown key in suite */
	tu_write_text(p, "suite: s1\ntasks:\n  - ../b/W.yaml\n");
	assert_int_equal(suite_load(dir, p, &su, &err), CE_OK);
	assert_int_equal(su->n_tasks, 1);
	assert_string_equal(su->tasks[0]->name, "W");
	suite_free(su);
	tu_write_text(p, "suite: s1\ntask: [W]\n");
	assert_int_equal(suite_load(dir, "s1", &su, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "s1.yaml:2:1: suite file: unknown key"));
	assert_int_equal(suite_load(dir, "nosuite", &su, &err), CE_E_NOT_FOUND);
	tu_rm_rf(dir);
	free(dir);
}

/* Every allocation failure point returns CE_E_NOMEM (or succeeds) and leaks nothing (run under ASan). */
static void test_task_alloc_failures(void **state)
{
	(void)state;
	const char *y = "name: C\ntype: classification\ndataset: {path: x, revision: r}\neval_splits: [test]\n"
			"columns: {text: t}\nlanguages: [a, b]\nparameters: {samples_per_label: 4}\n";
	for (long n = 0; n < 200; n++) {
		struct task *t;
		struct ce_err err;
		ce_alloc_fail_after(n);
		enum ce_status s = task_load_buffer("a.yaml", y, strlen(y), &t, &err);
		ce_alloc_fail_after(-1);
		if (s == CE_OK) {
			assert_int_equal(t->samples_per_label, 4);
			task_free(t);
			return;
		}
		assert_int_equal(s, CE_E_NOMEM);
		assert_null(t);
	}
	fail_msg("never succeeded");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_cmteb_mini_files),
		cmocka_unit_test(test_task_suite_cmteb_mini),
		cmocka_unit_test(test_task_defaults),
		cmocka_unit_test(test_task_enum_helpers),
		cmocka_unit_test(test_task_invalid_files),
		cmocka_unit_test(test_task_metrics_and_k_values),
		cmocka_unit_test(test_task_file_errors),
		cmocka_unit_test(test_task_find_and_suite_errors),
		cmocka_unit_test(test_task_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
