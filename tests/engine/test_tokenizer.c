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

/* ceval-tiny-zh ships tokenizer.json (normalizer, added_tokens, model.vocab): same ids as zh-cased. */
static void test_golden_zh_cased_via_tokenizer_json(void **state)
{
	(void)state;
	struct ce_err err;
	struct tokenizer *tok = tokenizer_open_dir(tu_shared("models/ceval-tiny-zh"), &err);
	if (!tok)
		fail_msg("open ceval-tiny-zh: %s", err.msg);
	size_t n_lines;
	char **lines = tu_read_lines(tu_shared("golden/tokenizer/zh-cased.jsonl"), &n_lines);
	int32_t ids[MAXLEN];
	size_t ok = 0;
	for (size_t i = 0; i < n_lines; i++) {
		json_error_t je;
		json_t *rec = json_loads(lines[i], JSON_ALLOW_NUL, &je);
		assert_non_null(rec);
		json_t *text = json_object_get(rec, "text"), *exp = json_object_get(rec, "input_ids");
		int32_t n;
		assert_int_equal(tokenizer_encode(tok, json_string_value(text), json_string_length(text), MAXLEN, ids, &n),
				 CE_OK);
		int same = (size_t)n == json_array_size(exp);
		for (size_t k = 0; same && k < (size_t)n; k++)
			same = json_integer_value(json_array_get(exp, k)) == ids[k];
		ok += same;
		json_decref(rec);
	}
	assert_int_equal(ok, n_lines);
	tu_lines_free(lines, n_lines);
	tokenizer_free(tok);
}

/* ------------------------------------------------------------------------ */
/* Hand-derived cases                                                       */

/* id of a token = its 0-based line in the vocab file, read independently of vocab.c */
static int32_t line_id(const char *vocab_rel, const char *token)
{
	size_t n;
	char **lines = tu_read_lines(tu_shared(vocab_rel), &n);
	int32_t id = -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(lines[i], token) == 0) {
			id = (int32_t)i;
			break;
		}
	tu_lines_free(lines, n);
	if (id < 0)
		fail_msg("%s: no token %s", vocab_rel, token);
	return id;
}

#define ZH "vocab/bert-base-chinese-vocab.txt"
#define EN "vocab/bert-base-uncased-vocab.txt"

static void expect_ids(const struct tokenizer *tok, const char *text, size_t len, int32_t max_len,
		       const int32_t *exp, int32_t n_exp)
{
	int32_t ids[MAXLEN];
	int32_t n = -1;
	assert_int_equal(tokenizer_encode(tok, text, len, max_len, ids, &n), CE_OK);
	int same = n == n_exp;
	for (int32_t k = 0; same && k < n; k++)
		same = ids[k] == exp[k];
	if (!same) {
		fprintf(stderr, "text \"%.*s\"\n  expected:", (int)(len > 200 ? 200 : len), text);
		for (int32_t k = 0; k < n_exp; k++)
			fprintf(stderr, " %d", exp[k]);
		fprintf(stderr, "\n  actual:  ");
		for (int32_t k = 0; k < n; k++)
			fprintf(stderr, " %d", ids[k]);
		fprintf(stderr, "\n");
		fail();
	}
}
#define EXPECT(tok, text, ...)                                                              \
	do {                                                                                \
		const int32_t exp_[] = {__VA_ARGS__};                                       \
		expect_ids((tok), (text), strlen(text), MAXLEN, exp_, (int32_t)(sizeof exp_ / sizeof exp_[0])); \
	} while (0)

static struct tokenizer *open_fixture(const char *cfg)
{
	char rel[256];
	snprintf(rel, sizeof rel, "models/tokenizers/%s", cfg);
	struct ce_err err;
	struct tokenizer *tok = tokenizer_open_dir(tu_fixture(rel), &err);
	if (!tok)
		fail_msg("open %s: %s", cfg, err.msg);
	return tok;
}

static void test_zh_vocab_cases(void **state)
{
	(void)state;
	struct tokenizer *cased = open_fixture("zh-cased");
	struct tokenizer *lower = open_fixture("zh-lower");
	int32_t unk = line_id(ZH, "[UNK]"), cls = line_id(ZH, "[CLS]"), sep = line_id(ZH, "[SEP]");
	int32_t hello = line_id(ZH, "hello");
	/* the zh vocab has no upper-case ASCII: a cased word is one [UNK] without lower-casing */
	EXPECT(cased, "Hello", cls, unk, sep);
	EXPECT(lower, "Hello", cls, hello, sep);
	/* full-width punctuation is Po and split off; CJK ideographs are isolated */
	EXPECT(cased, "你好，世界！", cls, line_id(ZH, "你"), line_id(ZH, "好"), line_id(ZH, "，"), line_id(ZH, "世"),
	       line_id(ZH, "界"), line_id(ZH, "！"), sep);
	/* U+200B ZERO WIDTH SPACE is Cf: deleted, not a separator, so "hello" stays one word */
	EXPECT(cased, "hel\xe2\x80\x8blo", cls, hello, sep);
	/* added tokens are matched in the raw text, before normalization */
	EXPECT(cased, "hello[SEP]hello", cls, hello, sep, hello, sep);
	/* ... so with lower-casing "[sep]" is ordinary text: "[" "sep" "]" are not special */
	int32_t lb = line_id(ZH, "["), rb = line_id(ZH, "]");
	EXPECT(lower, "[Sep]", cls, lb, line_id(ZH, "sep"), rb, sep);
	/* accents are stripped only when lower-casing (strip_accents null follows lowercase) */
	int32_t cafe = line_id(ZH, "cafe");
	EXPECT(lower, "CAF\xc3\x89", cls, cafe, sep);
	EXPECT(lower, "cafe\xcc\x81", cls, cafe, sep);
	EXPECT(cased, "caf\xc3\xa9", cls, unk, sep);
	/*
	 * U+2B820..U+2B91F (CJK Ext E start) are not isolated by the Rust
	 * tokenizer (range starts at 0x2B920): two of them are one word -> one
	 * [UNK]; two of U+2B920.. are two words -> two [UNK].
	 */
	EXPECT(cased, "\xf0\xab\xa0\xa0\xf0\xab\xa0\xa1", cls, unk, sep);
	EXPECT(cased, "\xf0\xab\xa4\xa0\xf0\xab\xa4\xa1", cls, unk, unk, sep);
	tokenizer_free(cased);
	tokenizer_free(lower);
}

static void test_en_vocab_cases(void **state)
{
	(void)state;
	struct tokenizer *en = open_fixture("en-lower");
	int32_t cls = line_id(EN, "[CLS]"), sep = line_id(EN, "[SEP]");
	int32_t hello = line_id(EN, "hello"), world = line_id(EN, "world");
	/* NBSP and U+3000 are White_Space -> separators; controls are deleted */
	EXPECT(en, "hello\xc2\xa0world", cls, hello, world, sep);
	EXPECT(en, "hello\xe3\x80\x80world", cls, hello, world, sep);
	EXPECT(en, "hel\x01lo", cls, hello, sep);
	/* truncation keeps [CLS] + max_len-2 pieces + [SEP] */
	const int32_t exp[] = {cls, hello, world, hello, sep};
	const char *t = "hello world hello world hello";
	expect_ids(en, t, strlen(t), 5, exp, 5);
	const int32_t exp2[] = {cls, sep};
	expect_ids(en, t, strlen(t), 2, exp2, 2);
	int32_t ids[4], n = 7;
	assert_int_equal(tokenizer_encode(en, t, strlen(t), 1, ids, &n), CE_E_INVALID_ARG);
	assert_int_equal(n, 0);
	tokenizer_free(en);
}

/* A small in-memory vocabulary whose ids are known by construction. */
static const char small_vocab[] =
	"[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n" /* 0-4 */
	"a\n##a\nab\n##cd\n$\n"                 /* 5-9 */
	"i\n##\xcc\x87\n"                       /* 10 i, 11 ##U+0307 */
	"\xce\xbf\xce\xb4\xce\xbf\xcf\x82\n"    /* 12 οδος (final sigma) */
	"\xce\xbf\xce\xb4\xce\xbf\xcf\x83\n"    /* 13 οδοσ */
	"\xcf\x83\xce\xb1\n"                    /* 14 σα */
	"[\nsep\n]\n";                          /* 15 [, 16 sep, 17 ] */

static struct tokenizer *small_tok(int lowercase, int strip, int st_lower)
{
	struct tokenizer_settings s;
	tokenizer_settings_init(&s);
	s.lowercase = lowercase;
	s.strip_accents = strip;
	s.st_lowercase = st_lower;
	struct ce_err err;
	struct tokenizer *t = tokenizer_create_from_buffer("small", small_vocab, sizeof small_vocab - 1, &s, &err);
	if (!t)
		fail_msg("%s", err.msg);
	return t;
}

static void test_small_vocab_cases(void **state)
{
	(void)state;
	struct tokenizer *t = small_tok(1, -1, 0);
	/* max_input_chars_per_word = 100: 100 chars are WordPiece'd, 101 are one [UNK] */
	char w[102];
	memset(w, 'a', 101);
	w[101] = '\0';
	int32_t exp[102];
	exp[0] = 2;
	exp[1] = 5;
	for (int i = 2; i <= 100; i++)
		exp[i] = 6;
	exp[101] = 3;
	expect_ids(t, w, 100, MAXLEN, exp, 102);
	EXPECT(t, w, 2, 1, 3);
	/* a word fails as a whole: "ab" matches, "x" does not -> one [UNK], not "ab" + [UNK] */
	EXPECT(t, "abx a", 2, 1, 5, 3);
	/* "##" continuation pieces */
	EXPECT(t, "abcd aa", 2, 7, 8, 5, 6, 3);
	/* ASCII symbols are punctuation for BERT, non-ASCII symbols (U+20AC) are not */
	EXPECT(t, "a$a", 2, 5, 9, 5, 3);
	EXPECT(t, "a\xe2\x82\xac" "a", 2, 1, 3);
	/* [MASK] literal is special; lowercase "[sep]" is not */
	EXPECT(t, "a[MASK]a", 2, 5, 4, 5, 3);
	EXPECT(t, "[sep]", 2, 15, 16, 17, 3);
	/* invalid UTF-8 decodes to U+FFFD, which clean_text deletes (no split): "aa" -> a ##a */
	EXPECT(t, "a\xff\xc3" "a", 2, 5, 6, 3);
	tokenizer_free(t);

	/* U+0130: strip_accents first (NFD -> I + U+0307, Mn dropped) gives "i" */
	t = small_tok(1, -1, 0);
	EXPECT(t, "\xc4\xb0", 2, 10, 3);
	tokenizer_free(t);
	/* without strip_accents, Rust's to_lowercase gives "i" + U+0307 */
	t = small_tok(1, 0, 0);
	EXPECT(t, "\xc4\xb0", 2, 10, 11, 3);
	/* the tokenizer's own lowercase has no Final_Sigma rule: ΟΔΟΣ -> οδοσ */
	EXPECT(t, "\xce\x9f\xce\x94\xce\x9f\xce\xa3", 2, 13, 3);
	tokenizer_free(t);
	/* sentence-transformers' Python str.lower() applies Final_Sigma */
	t = small_tok(0, 0, 1);
	EXPECT(t, "\xce\x9f\xce\x94\xce\x9f\xce\xa3", 2, 12, 3);
	EXPECT(t, "  \xce\x9f\xce\x94\xce\x9f\xce\xa3.  ", 2, 12, 1, 3); /* "." after is case-ignorable, then end */
	EXPECT(t, "\xce\xa3\xce\x91", 2, 14, 3);                        /* not final: a cased letter follows */
	/* st lower-casing spares the special tokens (reference: golden text 69) ... */
	EXPECT(t, "[SEP]", 2, 3, 3);
	/* ... but a lower-case spelling is plain text (golden text 70) */
	EXPECT(t, "[sep]", 2, 15, 16, 17, 3);
	tokenizer_free(t);
}

/* ------------------------------------------------------------------------ */
/* Unicode helpers                                                          */

static void test_unicode(void **state)
{
	(void)state;
	const uint8_t s[] = {'a', 0xC3, 0xA9, 0xE0, 0x80, 0xF0, 0x9F, 0x98, 0x80, 0xED, 0xA0, 0x80, 0xF0, 0x9F};
	size_t pos = 0;
	uint32_t got[16];
	size_t n = 0;
	while (pos < sizeof s)
		got[n++] = unicode_decode(s, sizeof s, &pos);
	/* a, é, E0 (80 not allowed after E0) -> FFFD, 80 -> FFFD, U+1F600, ED A0 (surrogate) -> FFFD x3, F0 9F -> FFFD */
	const uint32_t exp[] = {'a', 0xE9, 0xFFFD, 0xFFFD, 0x1F600, 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD};
	assert_int_equal(n, sizeof exp / sizeof exp[0]);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], exp[i]);
	assert_true(unicode_is_punct(0xFF0C)); /* ， Po */
	assert_false(unicode_is_punct(0xFFE5)); /* ￥ Sc */
	assert_true(unicode_is_punct('^'));
	assert_true(unicode_is_control(0x200B));
	assert_true(unicode_is_control(0xE000));
	assert_false(unicode_is_control('\t'));
	assert_false(unicode_is_control(0x0378)); /* unassigned: not in the crate's is_other() */
	assert_true(unicode_is_whitespace(0x3000));
	assert_false(unicode_is_whitespace(0x200B));
	assert_true(unicode_is_cjk(0x2B81F));
	assert_false(unicode_is_cjk(0x2B820));
	assert_true(unicode_is_cjk(0x2B920));
	uint8_t out[64];
	const char *in = "\xc4\xb0STANBUL \xce\x9f\xce\xa3 \xce\xa3";
	size_t m = unicode_py_lower((const uint8_t *)in, strlen(in), out);
	/* İ -> i + U+0307; "ΟΣ" -> "ος" (final); a lone "Σ" has no cased letter before it -> σ */
	const char *want = "i\xcc\x87stanbul \xce\xbf\xcf\x82 \xcf\x83";
	assert_int_equal(m, strlen(want));
	assert_memory_equal(out, want, m);
}

/* sentence_bert_config.json: do_lower_case (Python lower before added tokens) and max_seq_length */
static void test_sentence_bert_config(void **state)
{
	(void)state;
	struct ce_err err;
	struct tokenizer *t = tokenizer_open_dir(tu_fixture("models/tiny-en-mean-bf16"), &err);
	if (!t)
		fail_msg("%s", err.msg);
	assert_int_equal(tokenizer_max_length(t), 128);
	assert_int_equal(tokenizer_pad_id(t), line_id(EN, "[PAD]"));
	EXPECT(t, "[SEP] Hello", line_id(EN, "[CLS]"), line_id(EN, "[SEP]"), line_id(EN, "hello"), line_id(EN, "[SEP]"));
	EXPECT(t, "[Sep] Hello", line_id(EN, "[CLS]"), line_id(EN, "["), line_id(EN, "sep"), line_id(EN, "]"),
	       line_id(EN, "hello"), line_id(EN, "[SEP]"));
	assert_int_equal(strlen(tokenizer_fingerprint(t)), 16);
	struct tokenizer *plain = open_fixture("en-lower");
	/* same vocab, different settings -> different fingerprint */
	assert_string_not_equal(tokenizer_fingerprint(t), tokenizer_fingerprint(plain));
	tokenizer_free(plain);
	tokenizer_free(t);
}

/* ------------------------------------------------------------------------ */
/* Error cases                                                              */

static void expect_vocab_error(const char *content, const char *needle)
{
	struct tokenizer_settings s;
	tokenizer_settings_init(&s);
	struct ce_err err;
	ce_err_clear(&err);
	struct tokenizer *t = tokenizer_create_from_buffer("myvocab.txt", content, strlen(content), &s, &err);
	assert_null(t);
	assert_int_equal(err.code, CE_E_FORMAT);
	if (!strstr(err.msg, "myvocab.txt") || !strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
}

static void test_vocab_errors(void **state)
{
	(void)state;
	expect_vocab_error("", "empty");
	expect_vocab_error("[PAD]\n[UNK]\n[CLS]\n[SEP]\nab\ncd\nab\n", "myvocab.txt:7: duplicate token \"ab\" (first on line 5)");
	expect_vocab_error("[PAD]\n[CLS]\n[SEP]\nab\n", "unk_token \"[UNK]\" is not in the vocabulary");
	expect_vocab_error("[PAD]\n[UNK]\n[CLS]\n[SEP]\na\xff\n", "myvocab.txt:5:2: invalid UTF-8");
	expect_vocab_error("[PAD]\n[UNK]\n[CLS]\n[SEP]\na\rb\n", "myvocab.txt:5:2: carriage return");
	/* CRLF line ends are fine and stripped; no final newline is fine */
	const char ok[] = "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nab";
	struct tokenizer_settings s;
	tokenizer_settings_init(&s);
	struct ce_err err;
	struct tokenizer *t = tokenizer_create_from_buffer("ok", ok, sizeof ok - 1, &s, &err);
	assert_non_null(t);
	assert_int_equal(tokenizer_vocab_size(t), 5);
	assert_int_equal(tokenizer_token_id(t, "[SEP]"), 3);
	assert_int_equal(tokenizer_token_id(t, "ab"), 4);
	assert_string_equal(tokenizer_id_token(t, 4), "ab");
	assert_null(tokenizer_id_token(t, 5));
	tokenizer_free(t);
	/* a vocab file that does not exist */
	t = tokenizer_create("/nonexistent/vocab.txt", &s, &err);
	assert_null(t);
	assert_int_equal(err.code, CE_E_NOT_FOUND);
}

static const char mini_vocab[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n";

/* A temp tokenizer folder with the given tokenizer_config.json (NULL = none) and extra file. */
static char *make_dir(const char *config, const char *extra_name, const char *extra)
{
	char *dir = tu_mkdtemp();
	char path[4096];
	snprintf(path, sizeof path, "%s/vocab.txt", dir);
	tu_write_file(path, mini_vocab, sizeof mini_vocab - 1);
	if (config) {
		snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
		tu_write_text(path, "%s", config);
	}
	if (extra_name) {
		snprintf(path, sizeof path, "%s/%s", dir, extra_name);
		tu_write_text(path, "%s", extra);
	}
	return dir;
}

static void expect_dir_error(const char *config, const char *extra_name, const char *extra, enum ce_status code,
			     const char *needle)
{
	char *dir = make_dir(config, extra_name, extra);
	struct ce_err err;
	ce_err_clear(&err);
	struct tokenizer *t = tokenizer_open_dir(dir, &err);
	assert_null(t);
	if (err.code != code || !strstr(err.msg, needle))
		fail_msg("got %d \"%s\", expected %d with \"%s\"", err.code, err.msg, code, needle);
	tu_rm_rf(dir);
	free(dir);
}

static void test_config_errors(void **state)
{
	(void)state;
	expect_dir_error(NULL, NULL, NULL, CE_E_NOT_FOUND, "tokenizer_config.json: missing");
	expect_dir_error("{\"do_lower_case\": true,", NULL, NULL, CE_E_FORMAT, "tokenizer_config.json:1:");
	expect_dir_error("[1, 2]", NULL, NULL, CE_E_FORMAT, "tokenizer_config.json: top level");
	expect_dir_error("{\"do_lower_case\": \"yes\"}", NULL, NULL, CE_E_FORMAT,
			 "tokenizer_config.json: key \"do_lower_case\": expected true or false");
	expect_dir_error("{\"model_max_length\": 12.5}", NULL, NULL, CE_E_FORMAT,
			 "tokenizer_config.json: key \"model_max_length\"");
	expect_dir_error("{\"unk_token\": 3}", NULL, NULL, CE_E_FORMAT, "tokenizer_config.json: key \"unk_token\"");
	expect_dir_error("{\"cls_token\": \"<s>\"}", NULL, NULL, CE_E_FORMAT, "cls_token \"<s>\" is not in the vocabulary");
	expect_dir_error("{\"tokenizer_class\": \"XLMRobertaTokenizer\"}", NULL, NULL, CE_E_UNSUPPORTED, "tokenizer_class");
	expect_dir_error("{}", "sentence_bert_config.json", "{\"max_seq_length\": \"512\"}", CE_E_FORMAT,
			 "sentence_bert_config.json: key \"max_seq_length\"");
	expect_dir_error("{}", "special_tokens_map.json", "{\"sep_token\": []}", CE_E_FORMAT,
			 "special_tokens_map.json: key \"sep_token\"");
	expect_dir_error("{}", "tokenizer.json", "{\"normalizer\": {\"type\": \"Lowercase\"}}", CE_E_UNSUPPORTED,
			 "tokenizer.json: normalizer type \"Lowercase\"");
	expect_dir_error("{}", "tokenizer.json", "{\"normalizer\": {\"type\": \"BertNormalizer\", \"lowercase\": 1}}",
			 CE_E_FORMAT, "tokenizer.json: key \"lowercase\"");
	expect_dir_error("{}", "tokenizer.json", "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0}}}",
			 CE_E_MISMATCH, "tokenizer.json: model.vocab has 1 tokens");

	/* a valid folder: model_max_length = int(1e30) means "no limit"; tokenizer.json normalizer wins */
	char *dir = make_dir("{\"do_lower_case\": false, \"model_max_length\": 1000000000000000019884624838656}",
			     "tokenizer.json", "{\"normalizer\": {\"type\": \"BertNormalizer\", \"lowercase\": true}}");
	struct ce_err err;
	struct tokenizer *t = tokenizer_open_dir(dir, &err);
	if (!t)
		fail_msg("%s", err.msg);
	assert_int_equal(tokenizer_max_length(t), 0);
	EXPECT(t, "A", 2, 5, 3);
	tokenizer_free(t);
	tu_rm_rf(dir);
	free(dir);
}

/* Every allocation failure is reported as such and leaks nothing (checked under ASan). */
static void test_alloc_failures(void **state)
{
	(void)state;
	int32_t ids[16], n;
	for (long k = 0; k < 200; k++) {
		struct ce_err err;
		ce_alloc_fail_after(k);
		struct tokenizer *t = tokenizer_open_dir(tu_fixture("models/tiny-en-mean-bf16"), &err);
		if (t) {
			enum ce_status st = tokenizer_encode(t, "Hello World", 11, 16, ids, &n);
			ce_alloc_fail_after(-1);
			assert_true(st == CE_OK || st == CE_E_NOMEM);
			tokenizer_free(t);
			if (st == CE_OK)
				break;
		} else {
			ce_alloc_fail_after(-1);
			assert_int_equal(err.code, CE_E_NOMEM);
		}
	}
	ce_alloc_fail_after(-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_zh_cased),
		cmocka_unit_test(test_golden_zh_lower),
		cmocka_unit_test(test_golden_en_lower),
		cmocka_unit_test(test_golden_zh_cased_via_tokenizer_json),
		cmocka_unit_test(test_zh_vocab_cases),
		cmocka_unit_test(test_en_vocab_cases),
		cmocka_unit_test(test_small_vocab_cases),
		cmocka_unit_test(test_unicode),
		cmocka_unit_test(test_sentence_bert_config),
		cmocka_unit_test(test_vocab_errors),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
