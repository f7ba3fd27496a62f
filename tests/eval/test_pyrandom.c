/*
 * Tests of eval/learn/pyrandom.c against CPython's own random.Random:
 * tests/golden/learn/pyrandom.json, written by tools/gen_pyrandom_golden.py
 * (seeds 0, 42, two-word and 64-bit seeds; random, getrandbits 0..64,
 * _randbelow, sample on both of its algorithms, choices, shuffle, and the
 * sample-then-choices sequence mteb 2.x's fast clustering draws).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyrandom.h"
#include "test_util.h"

static uint64_t jstr_u64(json_t *v)
{
	assert_true(json_is_string(v));
	return strtoull(json_string_value(v), NULL, 10);
}

static void replay(json_t *c)
{
	const char *name = json_string_value(json_object_get(c, "name"));
	struct pyrandom r;
	pyrandom_seed(&r, jstr_u64(json_object_get(c, "seed")));
	json_t *calls = json_object_get(c, "calls"), *want = json_object_get(c, "want");
	assert_int_equal(json_array_size(calls), json_array_size(want));
	size_t n_checked = 0;
	for (size_t i = 0; i < json_array_size(calls); i++) {
		json_t *call = json_array_get(calls, i), *w = json_array_get(want, i);
		const char *op = json_string_value(json_array_get(call, 0));
		int64_t a = json_integer_value(json_array_get(call, 1));
		int64_t b = json_array_size(call) > 2 ? json_integer_value(json_array_get(call, 2)) : 0;
		size_t nw = json_array_size(w);
		if (!strcmp(op, "random")) {
			assert_int_equal(nw, (size_t)a);
			for (size_t j = 0; j < nw; j++) {
				double got = pyrandom_random(&r);
				if (got != json_real_value(json_array_get(w, j)))
					fail_msg("%s: random()[%zu] = %.17g, Python %.17g", name, j, got,
						 json_real_value(json_array_get(w, j)));
			}
		} else if (!strcmp(op, "getrandbits") || !strcmp(op, "randbelow")) {
			assert_int_equal(nw, (size_t)b);
			for (size_t j = 0; j < nw; j++) {
				uint64_t got = !strcmp(op, "getrandbits") ? pyrandom_getrandbits(&r, (int)a)
									 : pyrandom_randbelow(&r, (uint64_t)a);
				uint64_t exp = jstr_u64(json_array_get(w, j));
				if (got != exp)
					fail_msg("%s: %s(%lld)[%zu] = %llu, Python %llu", name, op, (long long)a, j,
						 (unsigned long long)got, (unsigned long long)exp);
			}
		} else {
			size_t n = !strcmp(op, "shuffle") ? (size_t)a : (size_t)b;
			assert_int_equal(nw, n);
			int64_t *got = calloc(n ? n : 1, sizeof *got);
			assert_non_null(got);
			if (!strcmp(op, "sample")) {
				assert_int_equal(pyrandom_sample(&r, a, b, got), CE_OK);
			} else if (!strcmp(op, "choices")) {
				pyrandom_choices(&r, a, b, got);
			} else {
				assert_string_equal(op, "shuffle");
				for (size_t j = 0; j < n; j++)
					got[j] = (int64_t)j;
				pyrandom_shuffle_i64(&r, got, n);
			}
			for (size_t j = 0; j < n; j++)
				if ((uint64_t)got[j] != jstr_u64(json_array_get(w, j)))
					fail_msg("%s: %s(%lld, %lld)[%zu] = %lld, Python %s", name, op, (long long)a,
						 (long long)b, j, (long long)got[j],
						 json_string_value(json_array_get(w, j)));
			free(got);
		}
		n_checked += nw;
	}
	assert_true(n_checked > 0 || !strcmp(name, "never"));
}

static void test_pyrandom_golden(void **state)
{
	(void)state;
	json_error_t e;
	json_t *doc = json_load_file("tests/golden/learn/pyrandom.json", 0, &e);
	if (!doc)
		fail_msg("tests/golden/learn/pyrandom.json:%d:%d: %s", e.line, e.column, e.text);
	json_t *cases = json_object_get(doc, "cases");
	assert_true(json_array_size(cases) >= 10);
	for (size_t i = 0; i < json_array_size(cases); i++)
		replay(json_array_get(cases, i));
	json_decref(doc);
}

static void test_pyrandom_invalid(void **state)
{
	(void)state;
	struct pyrandom r;
	int64_t out[4];
	pyrandom_seed(&r, 42);
	assert_int_equal(pyrandom_sample(&r, 3, 4, out), CE_E_INVALID_ARG);
	assert_int_equal(pyrandom_sample(&r, -1, 0, out), CE_E_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pyrandom_golden),
		cmocka_unit_test(test_pyrandom_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
