/*
 * encoder_tok.c - engine.h's tokenizer-only API (`ceval tokenize`): a
 * tokenizer from the tokenizer table and the token limit an encoder of the
 * same folder would use, without loading a model.
 */
#include "engine.h"

#include "ce_alloc.h"
#include "model_config.h"
#include "tok_iface.h"

/* Limit when neither the tokenizer files nor config.json state one. */
#define TOKENIZE_DEFAULT_MAX 512

struct encoder_tokenizer {
	struct tok *tok;
	int32_t max_len;
};

struct encoder_tokenizer *encoder_tokenizer_open(const char *dir, int32_t max_length, struct ce_err *err)
{
	struct encoder_tokenizer *et = ce_calloc(1, sizeof *et);
	if (!et) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
		return NULL;
	}
	et->tok = tok_open_dir(dir, err);
	if (!et->tok) {
		ce_free(et);
		return NULL;
	}
	int32_t max_len = max_length;
	if (max_len <= 0) {
		max_len = tok_max_length(et->tok);
		/* The encoder caps at max_position_embeddings; tokenize shows the same ids.
		 * config.json is optional here (0 = absent), but a broken one is an error. */
		int32_t mp;
		if (model_config_read_max_position(dir, &mp, err) != CE_OK) {
			encoder_tokenizer_close(et);
			return NULL;
		}
		if (max_len <= 0 || (mp > 0 && mp < max_len))
			max_len = mp;
		if (max_len <= 0)
			max_len = TOKENIZE_DEFAULT_MAX;
	}
	if (max_len < 2)
		max_len = 2;
	et->max_len = max_len;
	return et;
}

void encoder_tokenizer_close(struct encoder_tokenizer *tok)
{
	if (!tok)
		return;
	tok_free(tok->tok);
	ce_free(tok);
}

int32_t encoder_tokenizer_max_length(const struct encoder_tokenizer *tok) { return tok->max_len; }

enum ce_status encoder_tokenizer_encode(const struct encoder_tokenizer *tok, const char *text, size_t len,
					int32_t *ids, int32_t *n_ids, struct ce_err *err)
{
	enum ce_status s = tok_encode(tok->tok, text, len, tok->max_len, ids, n_ids);
	if (s != CE_OK)
		return ce_err_set(err, s, "encoder_tokenizer_encode: %s", ce_status_str(s));
	return CE_OK;
}
