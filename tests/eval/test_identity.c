/*
 * test_identity.c - the identity of a task result (eval/identity.h): each
 * recorded input, when changed, gives its own one-line reason; the identity
 * survives a write/read round trip; files written before it existed are
 * recomputed, never kept.  And the evaluator side of issue 21: a NaN or an
 * infinity in an embedding stops the task naming the text, and an undefined
 * correlation (constant gold scores) is an error, not a null score.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ce_alloc.h"
#include "ce_hash.h"
#include "dataset.h"
#include "evaluator.h"
#include "identity.h"
#include "results.h"
#include "task.h"
#include "test_util.h"

/* ---- identity ------------------------------------------------------------ */

static struct task *sts_task(const char *dir)
{
	char y[512];
	snprintf(y, sizeof y,
		 "name: STS-x\ntype: sts\ndataset: {path: %s, revision: r1}\neval_splits: [test]\n"
		 "parameters: {score_min: 0, score_max: 5}\n",
		 dir);
	struct task *t;
	struct ce_err err;
	if (task_load_buffer("t.yaml", y, strlen(y), &t, &err) != CE_OK)
		fail_msg("%s", err.msg);
	return t;
}

static void fill(struct task_result *r, const struct task *t)
{
	struct ce_err err;
	task_result_init(r);
	assert_int_equal(task_result_set_task(r, t, &err), CE_OK);
	struct metric_set m;
	metric_set_init(&m);
	assert_int_equal(metric_set_add(&m, "cosine_spearman", 0.5), CE_OK);
	assert_int_equal(task_result_add_split(r, t, "test", &m, &err), CE_OK);
	metric_set_deinit(&m);
	r->has_ceval = r->has_identity = 1;
	r->scoring_rev = CEVAL_SCORING_REV;
	r->model_dim = 128;
	r->model_max_seq_length = 512;
	assert_int_equal(task_result_set_str(&r->ceval_version, "0.1.0", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->compat, "R1", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->model_name, "m", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->model_fingerprint, "00112233aabbccdd", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->query_instruction, "为这个句子生成表示：", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->backend, "local", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->precision, "f32", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->kernels, "r3-f32-avx512", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->task_hash, "0123456789abcdef", &err), CE_OK);
	assert_int_equal(task_result_set_str(&r->data_hash, "fedcba9876543210", &err), CE_OK);
}

/* old = want, through the JSON writer and the reader */
static void roundtrip(const struct task_result *in, struct task_result *out)
{
	char *json;
	size_t len;
	struct ce_err err;
	assert_int_equal(results_to_json(in, &json, &len, &err), CE_OK);
	if (results_read_buffer("x.json", json, len, out, &err) != CE_OK)
		fail_msg("%s", err.msg);
	ce_free(json);
}

static void test_identity_roundtrip_matches(void **state)
{
	(void)state;
	struct task *t = sts_task("d");
	struct task_result want, old;
	fill(&want, t);
	roundtrip(&want, &old);
	assert_true(old.has_identity);
	assert_int_equal(old.scoring_rev, CEVAL_SCORING_REV);
	assert_string_equal(old.precision, "f32");
	assert_string_equal(old.kernels, "r3-f32-avx512");
	assert_string_equal(old.backend, "local");
	assert_string_equal(old.task_hash, "0123456789abcdef");
	assert_string_equal(old.data_hash, "fedcba9876543210");
	assert_string_equal(old.dataset_revision, "r1");
	assert_null(identity_diff(&old, &want, IDENTITY_ALL));
	task_result_deinit(&old);
	task_result_deinit(&want);
	task_free(t);
}

/* Each input, changed alone, is caught with its own reason. */
static void test_identity_each_field(void **state)
{
	(void)state;
	struct task *t = sts_task("d");
	struct ce_err err;
	static const struct {
		const char *field, *value, *why;
	} cases[] = {
		{"precision", "bf16", "precision changed"},
		{"kernels", "r3-f32-avx2", "kernels changed"},
		{"kernels", NULL, "kernels changed"},
		{"backend", "http", "embedding backend changed"},
		{"fingerprint", "00112233aabbccde", "model files changed"},
		{"instruction", "query: ", "query instruction changed"},
		{"instruction", NULL, "query instruction changed"},
		{"task_hash", "0123456789abcdee", "task definition changed"},
		{"revision", "r2", "dataset revision changed"},
		{"revision", NULL, "dataset revision changed"},
		{"main_score", "cosine_pearson", "main score changed"},
		{"data_hash", "fedcba9876543211", "data changed"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct task_result want, old;
		fill(&want, t);
		roundtrip(&want, &old);
		char **f = NULL;
		const char *name = cases[i].field;
		if (!strcmp(name, "precision")) f = &want.precision;
		else if (!strcmp(name, "kernels")) f = &want.kernels;
		else if (!strcmp(name, "backend")) f = &want.backend;
		else if (!strcmp(name, "fingerprint")) f = &want.model_fingerprint;
		else if (!strcmp(name, "instruction")) f = &want.query_instruction;
		else if (!strcmp(name, "task_hash")) f = &want.task_hash;
		else if (!strcmp(name, "revision")) f = &want.dataset_revision;
		else if (!strcmp(name, "main_score")) f = &want.main_score_name;
		else if (!strcmp(name, "data_hash")) f = &want.data_hash;
		assert_non_null(f);
		assert_int_equal(task_result_set_str(f, cases[i].value, &err), CE_OK);
		const char *why = identity_diff(&old, &want, IDENTITY_ALL);
		if (!why || strcmp(why, cases[i].why) != 0)
			fail_msg("%s -> %s: got '%s', want '%s'", name, cases[i].value ? cases[i].value : "null",
				 why ? why : "(same)", cases[i].why);
		/* the data hash is compared only once the data is loaded */
		if (!strcmp(name, "data_hash"))
			assert_null(identity_diff(&old, &want, IDENTITY_BEFORE_DATA));
		task_result_deinit(&old);
		task_result_deinit(&want);
	}
	/* integers */
	struct task_result want, old;
	fill(&want, t);
	roundtrip(&want, &old);
	want.model_max_seq_length = 64;
	assert_string_equal(identity_diff(&old, &want, IDENTITY_BEFORE_DATA), "max length changed");
	want.model_max_seq_length = 512;
	want.model_dim = 64;
	assert_string_equal(identity_diff(&old, &want, IDENTITY_BEFORE_DATA), "embedding dimension changed");
	want.model_dim = 128;
	want.scoring_rev = CEVAL_SCORING_REV + 1;
	assert_string_equal(identity_diff(&old, &want, IDENTITY_BEFORE_DATA), "scoring revision changed");
	want.scoring_rev = CEVAL_SCORING_REV;
	assert_null(identity_diff(&old, &want, IDENTITY_ALL));
	task_result_deinit(&old);
	task_result_deinit(&want);
	task_free(t);
}

/* A results file written before identity recording (no ceval.identity) is
 * read without error and never kept. */
static void test_identity_old_file(void **state)
{
	(void)state;
	struct task *t = sts_task("d");
	struct task_result want, old;
	fill(&want, t);
	want.has_identity = 0;
	char *json;
	size_t len;
	struct ce_err err;
	assert_int_equal(results_to_json(&want, &json, &len, &err), CE_OK);
	assert_null(strstr(json, "\"identity\""));
	assert_int_equal(results_read_buffer("old.json", json, len, &old, &err), CE_OK);
	assert_false(old.has_identity);
	want.has_identity = 1;
	assert_string_equal(identity_diff(&old, &want, IDENTITY_BEFORE_DATA), "results predate identity recording");
	ce_free(json);
	task_result_deinit(&old);
	/* a foreign mteb file (no ceval object at all) */
	const char *mteb = "{\"dataset_revision\": null, \"task_name\": \"STS-x\", \"mteb_version\": \"1.12\", "
			   "\"evaluation_time\": 1.0, \"scores\": {\"test\": [{\"hf_subset\": \"default\", "
			   "\"languages\": [\"cmn-Hans\"], \"main_score\": 0.5, \"cosine_spearman\": 0.5}]}}";
	assert_int_equal(results_read_buffer("mteb.json", mteb, strlen(mteb), &old, &err), CE_OK);
	assert_string_equal(identity_diff(&old, &want, IDENTITY_ALL), "results predate identity recording");
	task_result_deinit(&old);
	/* unknown keys inside ceval.identity are rejected like everywhere else */
	assert_int_equal(results_to_json(&want, &json, &len, &err), CE_OK);
	char *p = strstr(json, "\"scoring_rev\"");
	assert_non_null(p);
	memcpy(p, "\"scoring_rex\"", 13);
	assert_int_equal(results_read_buffer("bad.json", json, len, &old, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "ceval.identity"));
	ce_free(json);
	task_result_deinit(&old);
	task_result_deinit(&want);
	task_free(t);
}

static void test_identity_data_hash(void **state)
{
	(void)state;
	uint64_t a = identity_data_hash_add(CE_FNV1A64_INIT, "test", 1);
	uint64_t b = identity_data_hash_add(CE_FNV1A64_INIT, "test", 2);
	uint64_t c = identity_data_hash_add(CE_FNV1A64_INIT, "dev", 1);
	assert_true(a != b && a != c && b != c);
	/* two splits: order matters, and the second split's content counts */
	uint64_t ab = identity_data_hash_add(a, "dev", 5), ab2 = identity_data_hash_add(a, "dev", 6);
	assert_true(ab != ab2);
}

/* ---- non-finite embeddings and undefined correlations ---------------------- */

/* A deterministic fake embedder: a vector from the text's bytes, with a NaN
 * (or +inf) for any text that contains `poison`. */
struct fake {
	const char *poison;
	float bad;
};

static enum ce_status fake_embed(void *self, const char *const *texts, int64_t n, float *out, struct ce_err *err)
{
	(void)err;
	struct fake *f = self;
	for (int64_t i = 0; i < n; i++) {
		uint64_t h = ce_hash64(texts[i], strlen(texts[i]), 7);
		for (int d = 0; d < 8; d++)
			out[i * 8 + d] = (float)((h >> (d * 8)) & 0xff) / 255.0f - 0.5f;
		if (f->poison && strstr(texts[i], f->poison))
			out[i * 8 + 5] = f->bad;
	}
	return CE_OK;
}

/* An STS split of n pairs in a temp folder; scores[i] given. */
static struct dataset *sts_data(const char *root, struct task **tp, const double *scores, int n)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/sts", root);
	char cmd[4300];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
	char buf[8192];
	size_t o = 0;
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o,
				      "{\"sentence1\": \"第%d句：今天天气很好%s\", \"sentence2\": \"第%d句的另一种说法\", \"score\": %g}\n",
				      i, i == 2 ? "，这一句会变坏，而且它很长很长很长很长很长很长很长很长很长很长很长很长很长" : "", i,
				      scores[i]);
	snprintf(path, sizeof path, "%s/sts/test.jsonl", root);
	tu_write_file(path, buf, o);
	*tp = sts_task("sts");
	struct dataset *ds;
	struct ce_err err;
	if (dataset_load(*tp, root, "test", &ds, &err) != CE_OK)
		fail_msg("%s", err.msg);
	return ds;
}

static enum ce_status run_sts(struct fake *f, const double *scores, int n, struct ce_err *err)
{
	char *root = tu_mkdtemp();
	struct task *t;
	struct dataset *ds = sts_data(root, &t, scores, n);
	struct embedder emb = {fake_embed, f, 8, NULL, NULL, NULL};
	struct eval_ctx ctx = {.task = t, .emb = &emb, .query_instruction = "", .threads = 1};
	struct metric_set ms;
	metric_set_init(&ms);
	ce_err_clear(err);
	enum ce_status st = evaluator_for(TASK_TYPE_STS)->run(&ctx, ds, &ms, err);
	metric_set_deinit(&ms);
	dataset_free(ds);
	task_free(t);
	tu_rm_rf(root);
	ce_free(root);
	return st;
}

static void test_nan_embedding_names_text(void **state)
{
	(void)state;
	const double scores[] = {0, 1, 2, 3, 4, 5};
	struct ce_err err;
	struct fake ok = {NULL, 0};
	assert_int_equal(run_sts(&ok, scores, 6, &err), CE_OK);
	struct fake nan = {"变坏", NAN};
	assert_int_equal(run_sts(&nan, scores, 6, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "NaN"));
	assert_non_null(strstr(err.msg, "\"第2句：今天天气很好，这一句会变坏"));
	assert_non_null(strstr(err.msg, "...\"")); /* cut to ~60 bytes, at a character boundary */
	assert_null(strchr(err.msg, '\n'));
	struct fake inf = {"第4句的另一种说法", INFINITY};
	assert_int_equal(run_sts(&inf, scores, 6, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "an infinity"));
	assert_non_null(strstr(err.msg, "\"第4句的另一种说法\""));
}

static void test_sts_constant_gold_is_error(void **state)
{
	(void)state;
	const double scores[] = {3, 3, 3, 3, 3};
	struct ce_err err;
	struct fake ok = {NULL, 0};
	assert_int_equal(run_sts(&ok, scores, 5, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "undefined: gold scores are constant"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_roundtrip_matches),
		cmocka_unit_test(test_identity_each_field),
		cmocka_unit_test(test_identity_old_file),
		cmocka_unit_test(test_identity_data_hash),
		cmocka_unit_test(test_nan_embedding_names_text),
		cmocka_unit_test(test_sts_constant_gold_is_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
