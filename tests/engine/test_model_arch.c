/*
 * test_model_arch.c - the engine's seams: the architecture table that
 * config.json's model_type selects from, checkpoint naming as architecture
 * data, the tokenizer interface, engine.h's tokenizer-only API, and the
 * warning for checkpoint layers the config does not use.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ce_alloc.h"
#include "engine.h"
#include "fs_util.h"
#include "model_arch.h"
#include "model_config.h"
#include "safetensors.h"
#include "test_util.h"
#include "tok_iface.h"
#include "tokenizer.h"

#define FIXTURE "models/tiny-zh-cls-f32" /* 3 encoder layers */

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */

/* A temp folder holding links to every file of the fixture except
 * config.json, which gets the fixture's text with `from` replaced by `to`. */
static char *fixture_with_config(const char *from, const char *to)
{
	const char *src = tu_fixture(FIXTURE);
	char *dir = tu_mkdtemp();
	static const char *const files[] = {"1_Pooling",		"2_Normalize",		   "model.safetensors",
					    "modules.json",		"sentence_bert_config.json", "special_tokens_map.json",
					    "tokenizer_config.json", "vocab.txt"};
	char a[4096], b[4096];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(a, sizeof a, "%s/%s", src, files[i]);
		snprintf(b, sizeof b, "%s/%s", dir, files[i]);
		if (symlink(a, b) != 0)
			fail_msg("symlink %s -> %s failed", b, a);
	}
	snprintf(a, sizeof a, "%s/config.json", src);
	char *text;
	size_t len;
	struct ce_err err = {0};
	assert_int_equal(fs_read_file(a, 1 << 20, &text, &len, &err), CE_OK);
	char *at = strstr(text, from);
	if (!at)
		fail_msg("%s: '%s' not found", a, from);
	snprintf(b, sizeof b, "%s/config.json", dir);
	tu_write_text(b, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	ce_free(text);
	return dir;
}

/* Runs encoder_open(dir) with stderr going to a file; returns what it wrote (free). */
static char *open_capturing_stderr(const char *dir, struct encoder **enc, struct ce_err *err)
{
	char *tmp = tu_mkdtemp();
	char path[4096];
	snprintf(path, sizeof path, "%s/stderr", tmp);
	fflush(stderr);
	int saved = dup(2);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	*enc = encoder_open(dir, NULL, err);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char *text;
	size_t len;
	struct ce_err e2 = {0};
	assert_int_equal(fs_read_file(path, 1 << 20, &text, &len, &e2), CE_OK);
	tu_rm_rf(tmp);
	free(tmp);
	return text;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ------------------------------------------------------------------------ */
/* architecture table                                                       */

static void test_model_arch_table(void **state)
{
	(void)state;
	const struct model_arch *a = model_arch_find("bert");
	assert_non_null(a);
	assert_ptr_equal(a, &model_arch_bert);
	assert_ptr_equal(model_arch_default(), a);
	assert_string_equal(a->name, "bert");
	assert_null(model_arch_find("xlm-roberta"));
	assert_null(model_arch_find("BERT"));
	assert_null(model_arch_find(""));
	char buf[64];
	model_arch_list_types(buf, sizeof buf);
	assert_string_equal(buf, "\"bert\"");
	/* truncation keeps a terminated string */
	model_arch_list_types(buf, 3);
	assert_string_equal(buf, "\"b");
}

/* config.json's model_type picks the entry; an unknown one is one clear error. */
static void test_model_arch_config_dispatch(void **state)
{
	(void)state;
	struct model_config cfg;
	struct ce_err err = {0};
	const char *ok = "{\"model_type\": \"bert\", \"hidden_size\": 8, \"num_attention_heads\": 2,"
			 " \"num_hidden_layers\": 1, \"intermediate_size\": 16, \"max_position_embeddings\": 8,"
			 " \"vocab_size\": 10}";
	memset(&cfg, 0, sizeof cfg);
	assert_int_equal(model_config_parse("config.json", ok, strlen(ok), &cfg, &err), CE_OK);
	assert_ptr_equal(cfg.arch, &model_arch_bert);
	assert_int_equal(cfg.hidden, 8);
	assert_int_equal(cfg.type_vocab, 2); /* BertConfig default, set by the BERT entry */

	const char *xlmr = "{\"model_type\": \"xlm-roberta\", \"hidden_size\": 8}";
	memset(&cfg, 0, sizeof cfg);
	assert_int_equal(model_config_parse("dir/config.json", xlmr, strlen(xlmr), &cfg, &err), CE_E_UNSUPPORTED);
	assert_string_equal(err.msg,
			    "dir/config.json: \"model_type\" is \"xlm-roberta\"; only \"bert\" models are supported");
	assert_null(cfg.arch);
	const char *none = "{\"hidden_size\": 8}";
	assert_int_equal(model_config_parse("config.json", none, strlen(none), &cfg, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "model_type"));

	/* the same through encoder_open: one message naming the file and the value */
	char *dir = fixture_with_config("\"model_type\": \"bert\"", "\"model_type\": \"xlm-roberta\"");
	struct encoder *enc = (struct encoder *)1;
	char *log = open_capturing_stderr(dir, &enc, &err);
	assert_null(enc);
	assert_int_equal(err.code, CE_E_UNSUPPORTED);
	char want[4200];
	snprintf(want, sizeof want, "%s/config.json: \"model_type\" is \"xlm-roberta\"; only \"bert\" models are supported",
		 dir);
	assert_string_equal(err.msg, want);
	assert_string_equal(log, "");
	ce_free(log);
	tu_rm_rf(dir);
	free(dir);
}

/* ------------------------------------------------------------------------ */
/* checkpoint naming                                                        */

/* A safetensors image of the given header with data_len zero bytes (free). */
static uint8_t *st_image(const char *h, size_t data_len, size_t *len)
{
	size_t hl = strlen(h);
	*len = 8 + hl + data_len;
	uint8_t *buf = calloc(1, *len);
	for (int i = 0; i < 8; i++)
		buf[i] = (uint8_t)((uint64_t)hl >> (8 * i));
	memcpy(buf + 8, h, hl);
	return buf;
}

static void test_model_arch_naming_is_data(void **state)
{
	(void)state;
	const char *h = "{\"bert.encoder.layer.0.output.LayerNorm.gamma\":{\"dtype\":\"F32\",\"shape\":[1],"
			"\"data_offsets\":[0,4]},"
			"\"cls.predictions.decoder.weight\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[4,12]}}";
	size_t len;
	uint8_t *buf = st_image(h, 12, &len);
	struct safetensors *st = NULL;
	struct ce_err err = {0};
	/* with BERT's naming: prefix stripped, gamma read as weight, the head ignored (its F64 is fine) */
	assert_int_equal(safetensors_parse_buffer_named("mem", buf, len, model_arch_bert.naming, &st, &err), CE_OK);
	const struct st_tensor *t = safetensors_find(st, "encoder.layer.0.output.LayerNorm.weight");
	assert_non_null(t);
	assert_string_equal(t->raw_name, "bert.encoder.layer.0.output.LayerNorm.gamma");
	assert_null(safetensors_find(st, "cls.predictions.decoder.weight"));
	safetensors_close(st);
	/* safetensors_parse_buffer applies the default architecture's naming */
	assert_int_equal(safetensors_parse_buffer("mem", buf, len, &st, &err), CE_OK);
	assert_non_null(safetensors_find(st, "encoder.layer.0.output.LayerNorm.weight"));
	safetensors_close(st);
	/* the reader alone knows no model names: the head's F64 is a used tensor's dtype */
	assert_int_equal(safetensors_parse_buffer_named("mem", buf, len, NULL, &st, &err), CE_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "'cls.predictions.decoder.weight': unsupported dtype F64"));
	free(buf);

	h = "{\"bert.x.gamma\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
	buf = st_image(h, 4, &len);
	assert_int_equal(safetensors_parse_buffer_named("mem", buf, len, NULL, &st, &err), CE_OK);
	assert_non_null(safetensors_find(st, "bert.x.gamma"));
	assert_null(safetensors_find(st, "x.weight"));
	safetensors_close(st);
	free(buf);
}

/* A checkpoint with more layers than config.json uses: one warning line, and
 * the vectors are those of the first layers (the model still works). */
static void test_model_arch_extra_layers_warn(void **state)
{
	(void)state;
	struct ce_err err = {0};
	struct encoder *enc = NULL;
	/* the fixture as it is: no warning */
	char *log = open_capturing_stderr(tu_fixture(FIXTURE), &enc, &err);
	if (!enc)
		fail_msg("%s", err.msg);
	assert_string_equal(log, "");
	ce_free(log);
	encoder_close(enc);

	char *dir = fixture_with_config("\"num_hidden_layers\": 3", "\"num_hidden_layers\": 1");
	log = open_capturing_stderr(dir, &enc, &err);
	if (!enc)
		fail_msg("%s", err.msg);
	char want[4300];
	snprintf(want, sizeof want,
		 "ceval: warning: %s/model.safetensors has 3 encoder layers, config.json uses 1; the extra weights are "
		 "ignored\n",
		 dir);
	assert_string_equal(log, want);
	assert_int_equal(count_lines(log), 1);
	ce_free(log);
	assert_non_null(strstr(encoder_describe(enc), "bert H=24 L=1 "));
	const char *texts[] = {"今天天气怎么样？"};
	float v1[24], v3[24];
	assert_int_equal(encoder_dim(enc), 24);
	assert_int_equal(encoder_embed(enc, texts, 1, v1, &err), CE_OK);
	encoder_close(enc);
	enc = encoder_open(tu_fixture(FIXTURE), NULL, &err);
	assert_non_null(enc);
	assert_int_equal(encoder_embed(enc, texts, 1, v3, &err), CE_OK);
	encoder_close(enc);
	/* one layer is not three: the config's layer count is what runs */
	assert_true(memcmp(v1, v3, sizeof v1) != 0);
	tu_rm_rf(dir);
	free(dir);
}

/* ------------------------------------------------------------------------ */
/* tokenizer interface and engine.h's tokenizer-only API                    */

static void test_model_arch_tokenizer_interface(void **state)
{
	(void)state;
	const char *dir = tu_fixture(FIXTURE);
	struct ce_err err = {0};
	struct tok *t = tok_open_dir(dir, &err);
	if (!t)
		fail_msg("%s", err.msg);
	struct tokenizer *wp = tokenizer_open_dir(dir, &err);
	assert_non_null(wp);
	assert_ptr_equal(tok_kind_of(t), &tok_kind_wordpiece);
	assert_string_equal(tok_kind_of(t)->vocab_file, "vocab.txt");
	assert_string_equal(tok_fingerprint(t), tokenizer_fingerprint(wp));
	assert_int_equal(tok_vocab_size(t), 21128);
	assert_int_equal(tok_max_length(t), tokenizer_max_length(wp));
	struct tok_special sp = tok_special_ids(t);
	assert_int_equal(sp.bos, tokenizer_token_id(wp, "[CLS]"));
	assert_int_equal(sp.eos, tokenizer_token_id(wp, "[SEP]"));
	assert_int_equal(sp.pad, tokenizer_pad_id(wp));
	assert_int_equal(sp.unk, tokenizer_token_id(wp, "[UNK]"));
	assert_int_equal(strncmp(tok_describe(t), "wordpiece vocab=21128 ", 22), 0);
	const char *text = "Hello 世界, ceval!";
	int32_t a[16], b[16], na, nb;
	assert_int_equal(tok_encode(t, text, strlen(text), 16, a, &na), CE_OK);
	assert_int_equal(tokenizer_encode(wp, text, strlen(text), 16, b, &nb), CE_OK);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, (size_t)na * sizeof *a);
	assert_int_equal(a[0], sp.bos);
	assert_int_equal(a[na - 1], sp.eos);
	tokenizer_free(wp);
	tok_free(t);
	tok_free(NULL);

	/* a folder without tokenizer files: the WordPiece kind names what is missing */
	char *empty = tu_mkdtemp();
	assert_null(tok_open_dir(empty, &err));
	assert_int_equal(err.code, CE_E_NOT_FOUND);
	assert_non_null(strstr(err.msg, "vocab.txt"));
	tu_rm_rf(empty);
	free(empty);
}

static void test_model_arch_encoder_tokenizer(void **state)
{
	(void)state;
	const char *dir = tu_fixture(FIXTURE);
	struct ce_err err = {0};
	struct encoder *enc = encoder_open(dir, NULL, &err);
	assert_non_null(enc);
	struct encoder_tokenizer *et = encoder_tokenizer_open(dir, 0, &err);
	if (!et)
		fail_msg("%s", err.msg);
	/* the limit an encoder of the folder uses */
	assert_int_equal(encoder_tokenizer_max_length(et), encoder_max_seq_length(enc));
	char text[2000];
	size_t o = 0;
	while (o + 16 < sizeof text)
		o += (size_t)snprintf(text + o, sizeof text - o, "中文句子测试。");
	int32_t *a = calloc(1024, sizeof *a), *b = calloc(1024, sizeof *b);
	int32_t na, nb;
	assert_int_equal(encoder_tokenizer_encode(et, text, strlen(text), a, &na, &err), CE_OK);
	assert_int_equal(encoder_tokenize(enc, text, b, 1024, &nb, &err), CE_OK);
	assert_int_equal(na, encoder_max_seq_length(enc));
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, (size_t)na * sizeof *a);
	encoder_tokenizer_close(et);
	encoder_close(enc);

	/* an explicit limit wins and config.json is not read */
	char *d2 = fixture_with_config("{", "{,");
	et = encoder_tokenizer_open(d2, 5, &err);
	assert_non_null(et);
	assert_int_equal(encoder_tokenizer_max_length(et), 5);
	assert_int_equal(encoder_tokenizer_encode(et, text, strlen(text), a, &na, &err), CE_OK);
	assert_int_equal(na, 5);
	encoder_tokenizer_close(et);
	/* limit 0 reads it: broken is an error naming the file */
	assert_null(encoder_tokenizer_open(d2, 0, &err));
	assert_int_equal(err.code, CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "config.json"));
	/* the limit is at least 2 */
	et = encoder_tokenizer_open(d2, 1, &err);
	assert_int_equal(encoder_tokenizer_max_length(et), 2);
	encoder_tokenizer_close(et);
	encoder_tokenizer_close(NULL);
	tu_rm_rf(d2);
	free(d2);
	free(a);
	free(b);
}

/* Every allocation failure while opening returns CE_E_NOMEM and frees what it
 * held (run under ASan): the encoder through both tables, and the
 * tokenizer-only API. */
static void test_model_arch_open_allocation_failures(void **state)
{
	(void)state;
	const char *dir = tu_fixture(FIXTURE);
	struct encoder_options opt;
	encoder_options_init(&opt);
	opt.threads = 1;
	int enc_ok = 0, tok_ok = 0;
	for (long k = 0; k < 100000 && !(enc_ok && tok_ok); k++) {
		struct ce_err err = {0};
		if (!enc_ok) {
			ce_alloc_fail_after(k);
			struct encoder *enc = encoder_open(dir, &opt, &err);
			ce_alloc_fail_after(-1);
			if (enc)
				enc_ok = 1;
			else if (err.code != CE_E_NOMEM)
				fail_msg("encoder_open, allocation %ld fails: %s", k, err.msg);
			encoder_close(enc);
		}
		if (!tok_ok) {
			ce_alloc_fail_after(k);
			struct encoder_tokenizer *et = encoder_tokenizer_open(dir, 0, &err);
			ce_alloc_fail_after(-1);
			if (et)
				tok_ok = 1;
			else if (err.code != CE_E_NOMEM)
				fail_msg("encoder_tokenizer_open, allocation %ld fails: %s", k, err.msg);
			encoder_tokenizer_close(et);
		}
	}
	assert_true(enc_ok && tok_ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_arch_table),
		cmocka_unit_test(test_model_arch_config_dispatch),
		cmocka_unit_test(test_model_arch_naming_is_data),
		cmocka_unit_test(test_model_arch_extra_layers_warn),
		cmocka_unit_test(test_model_arch_tokenizer_interface),
		cmocka_unit_test(test_model_arch_encoder_tokenizer),
		cmocka_unit_test(test_model_arch_open_allocation_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
