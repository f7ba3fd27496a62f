/*
 * Tests of eval/learn/hf_stratify.c against numpy 1.24's real default_rng and
 * the datasets stratified split written over it (tools/hf_stratify_ref.py):
 * tests/golden/learn/hf_stratify.json from tools/gen_hf_stratify_golden.py.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf_stratify.h"
#include "test_util.h"

static json_t *g_doc;

static json_t *golden(const char *key)
{
	return tu_json_member(&g_doc, "tests/golden/learn/hf_stratify.json", key);
}

static void test_raw_stream(void **state)
{
	(void)state;
	struct npgen g;
	const char *keys[] = {"u64_seed42", "u64_seed0"};
	uint32_t seeds[] = {42, 0};
	for (int k = 0; k < 2; k++) {
		npgen_seed(&g, seeds[k]);
		json_t *w = golden(keys[k]);
		assert_true(json_array_size(w) >= 3);
		for (size_t i = 0; i < json_array_size(w); i++) {
			uint64_t want = strtoull(json_string_value(json_array_get(w, i)), NULL, 10);
			uint64_t got = npgen_next_u64(&g);
			if (got != want)
				fail_msg("default_rng(%u) raw[%zu] = %llu, numpy %llu", seeds[k], i,
					 (unsigned long long)got, (unsigned long long)want);
		}
	}
}

static void check_list(const char *what, size_t idx, const int64_t *got, json_t *w)
{
	for (size_t i = 0; i < json_array_size(w); i++)
		if (got[i] != json_integer_value(json_array_get(w, i)))
			fail_msg("%s case %zu [%zu]: %lld, numpy %lld", what, idx, i, (long long)got[i],
				 (long long)json_integer_value(json_array_get(w, i)));
}

static void test_generator_draws(void **state)
{
	(void)state;
	struct npgen g;
	int64_t buf[4000];
	npgen_seed(&g, 42);
	json_t *perm = golden("perm");
	for (size_t c = 0; c < json_array_size(perm); c++) {
		json_t *w = json_array_get(perm, c);
		size_t n = json_array_size(w);
		for (size_t i = 0; i < n; i++)
			buf[i] = (int64_t)i;
		npgen_shuffle_i64(&g, buf, n);
		check_list("permutation", c, buf, w);
	}
	npgen_seed(&g, 42);
	static const int64_t pk[][2] = {{5, 5}, {30, 3}, {10, 1}, {50, 49}, {20000, 1000}, {20000, 10}};
	json_t *ch = golden("choice");
	assert_int_equal(json_array_size(ch), 6);
	for (size_t c = 0; c < 6; c++) {
		assert_int_equal(npgen_choice_noreplace(&g, pk[c][0], pk[c][1], buf), CE_OK);
		check_list("choice", c, buf, json_array_get(ch, c));
	}
	assert_int_equal(npgen_choice_noreplace(&g, 3, 4, buf), CE_E_INVALID_ARG);
	npgen_seed(&g, 7);
	static const uint64_t mx[] = {1, 6, 1000, 4294967294ULL, 1099511627776ULL};
	json_t *bd = golden("bounded");
	for (size_t c = 0; c < 5; c++)
		for (size_t i = 0; i < 5; i++) {
			uint64_t got = npgen_bounded(&g, mx[c]);
			assert_int_equal(got, json_integer_value(json_array_get(json_array_get(bd, c), i)));
		}
}

static void test_stratified_split(void **state)
{
	(void)state;
	json_t *cases = golden("stratify");
	assert_int_equal(json_array_size(cases), 4);
	for (size_t c = 0; c < json_array_size(cases); c++) {
		json_t *k = json_array_get(cases, c), *jl = json_object_get(k, "labels");
		int64_t n = (int64_t)json_array_size(jl), n_test = json_integer_value(json_object_get(k, "n_test"));
		int32_t *lab = malloc((size_t)n * sizeof *lab);
		int64_t *test = malloc((size_t)n_test * sizeof *test);
		assert_non_null(lab);
		assert_non_null(test);
		for (int64_t i = 0; i < n; i++)
			lab[i] = (int32_t)json_integer_value(json_array_get(jl, (size_t)i));
		const char *why;
		assert_int_equal(hf_stratified_test_indices(lab, n, (int32_t)json_integer_value(json_object_get(k, "n_classes")),
							    42, n_test, test, &why),
				 CE_OK);
		json_t *w = json_object_get(k, "test");
		assert_int_equal(json_array_size(w), (size_t)n_test);
		check_list("stratify", c, test, w);
		free(lab);
		free(test);
	}
}

static void test_stratified_refusals(void **state)
{
	(void)state;
	int32_t lab[6] = {0, 0, 1, 1, 2, 0};
	int64_t test[6];
	const char *why;
	assert_int_equal(hf_stratified_test_indices(lab, 6, 3, 42, 6, test, &why), CE_E_INVALID_ARG);
	assert_int_equal(hf_stratified_test_indices(lab, 6, 3, 42, 3, test, &why), CE_E_INVALID_ARG);
	assert_non_null(strstr(why, "only 1 member"));
	lab[5] = 2;
	assert_int_equal(hf_stratified_test_indices(lab, 6, 3, 42, 2, test, &why), CE_E_INVALID_ARG);
	assert_int_equal(hf_stratified_test_indices(lab, 6, 3, 42, 3, test, &why), CE_OK);
	lab[0] = 7;
	assert_int_equal(hf_stratified_test_indices(lab, 6, 3, 42, 3, test, &why), CE_E_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_stream),
		cmocka_unit_test(test_generator_draws),
		cmocka_unit_test(test_stratified_split),
		cmocka_unit_test(test_stratified_refusals),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	json_decref(g_doc);
	return rc;
}
