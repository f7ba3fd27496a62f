/*
 * The ranking-measure registry (rank_measures[], eval/metrics/m_ranking.c)
 * against the key names results use: every entry is found by its name and
 * parses to the trec_eval names `ceval score` prints; the entries with a
 * result key give, in registry order and at the task's k values, exactly the
 * retrieval keys of MTEB's results (tests/golden/cmteb-mini-reference.json,
 * made by tools/mteb_reference.py); Reranking's trec values get the keys
 * spec/evaluation.md section 3.3 names.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ranked_list.h"
#include "ce_alloc.h"
#include "task.h"
#include "test_util.h"

/* every result key the registry gives for the k list, in the order Retrieval writes them */
static size_t registry_keys(const int32_t *k_values, int32_t nk, char keys[][RANK_MEAS_NAME_MAX], size_t cap)
{
	size_t n = 0;
	for (size_t m = 0; m < rank_measures_count; m++) {
		const struct rank_measure *rm = &rank_measures[m];
		for (int32_t k = 0; rm->result_key && k < (rm->has_cutoffs ? nk : 1); k++) {
			assert_true(n < cap);
			assert_int_equal(rank_measure_result_key(rm, rm->has_cutoffs ? k_values[k] : 0, keys[n],
								 sizeof keys[n]),
					 0);
			n++;
		}
	}
	return n;
}

static void test_registry_names(void **state)
{
	(void)state;
	struct ce_err err;
	assert_true(rank_measures_count > 0);
	for (size_t m = 0; m < rank_measures_count; m++) {
		const struct rank_measure *rm = &rank_measures[m];
		assert_ptr_equal(rank_measure_find(rm->name), rm);
		assert_non_null(rm->fn);
		/* `ceval score -m <name>`: the trec_eval name, or name_k per default cutoff */
		struct rank_meas_inst *inst;
		size_t n;
		assert_int_equal(rank_measures_parse(rm->name, &inst, &n, &err), CE_OK);
		assert_int_equal(n, rm->has_cutoffs ? rm->n_default_cutoffs : 1);
		for (size_t i = 0; i < n; i++) {
			char want[RANK_MEAS_NAME_MAX], key[RANK_MEAS_NAME_MAX];
			assert_ptr_equal(inst[i].m, rm);
			if (rm->has_cutoffs) {
				assert_int_equal(inst[i].k, rm->default_cutoffs[i]);
				snprintf(want, sizeof want, "%s_%lld", rm->name, (long long)inst[i].k);
			} else {
				snprintf(want, sizeof want, "%s", rm->name);
			}
			assert_string_equal(inst[i].name, want);
			/* `ceval run`: result_key[_k], or none */
			if (rm->result_key) {
				assert_int_equal(rank_measure_result_key(rm, inst[i].k, key, sizeof key), 0);
				if (rm->has_cutoffs)
					snprintf(want, sizeof want, "%s_%lld", rm->result_key, (long long)inst[i].k);
				else
					snprintf(want, sizeof want, "%s", rm->result_key);
				assert_string_equal(key, want);
			} else {
				assert_int_equal(rank_measure_result_key(rm, inst[i].k, key, sizeof key), -1);
				assert_string_equal(key, "");
			}
		}
		ce_free(inst);
		/* two entries never write the same results key prefix */
		for (size_t o = 0; o < m && rm->result_key; o++) {
			const char *other = rank_measures[o].result_key;
			assert_true(!other || strcmp(other, rm->result_key) != 0);
		}
	}
	/* a buffer too small is refused, not truncated */
	const struct rank_measure *nd = rank_measure_find("ndcg_cut");
	char small[8];
	assert_non_null(nd);
	assert_int_equal(rank_measure_result_key(nd, 1000, small, sizeof small), -1);
	assert_string_equal(small, "");
}

static void test_registry_retrieval_keys(void **state)
{
	(void)state;
	json_error_t je;
	json_t *ref = json_load_file("tests/golden/cmteb-mini-reference.json", 0, &je);
	if (!ref)
		fail_msg("cmteb-mini-reference.json:%d: %s", je.line, je.text);
	static const char *const tasks[] = {"MedDialogRetrieval-mini", "CmrcRetrieval-mini"};
	for (size_t ti = 0; ti < sizeof tasks / sizeof tasks[0]; ti++) {
		char path[256];
		snprintf(path, sizeof path, "tasks/cmteb-mini/%s.yaml", tasks[ti]);
		struct task *t = NULL;
		struct ce_err err;
		if (task_load_file(path, &t, &err) != CE_OK)
			fail_msg("%s: %s", path, err.msg);
		char keys[128][RANK_MEAS_NAME_MAX];
		size_t n = registry_keys(t->k_values, t->n_k_values, keys, 128);
		json_t *metrics = json_object_get(json_object_get(ref, tasks[ti]), "metrics");
		assert_true(json_is_object(metrics));
		/* same keys in the same order (jansson keeps insertion order) */
		size_t i = 0;
		const char *name;
		json_t *v;
		json_object_foreach(metrics, name, v)
		{
			if (i >= n)
				fail_msg("%s: reference key %s is not produced by the registry", tasks[ti], name);
			if (strcmp(keys[i], name) != 0)
				fail_msg("%s: key %zu is %s, the reference has %s", tasks[ti], i, keys[i], name);
			i++;
		}
		assert_int_equal(i, n);
		task_free(t);
	}
	json_decref(ref);
}

static void test_registry_reranking_keys(void **state)
{
	(void)state;
	/* ev_reranking.c's trec measures (RERANK_TREC_MEASURES) */
	static const char *const want[] = {"map_at_1000", "mrr_at_10", "ndcg_at_10"};
	struct rank_meas_inst *inst;
	size_t n;
	struct ce_err err;
	assert_int_equal(rank_measures_parse("map_cut.1000,mrr_cut.10,ndcg_cut.10", &inst, &n, &err), CE_OK);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		char key[RANK_MEAS_NAME_MAX];
		assert_int_equal(rank_measure_result_key(inst[i].m, inst[i].k, key, sizeof key), 0);
		assert_string_equal(key, want[i]);
	}
	ce_free(inst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_names),
		cmocka_unit_test(test_registry_retrieval_keys),
		cmocka_unit_test(test_registry_reranking_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
