/*
 * fuzz_vocab.c - arbitrary bytes as vocab.txt content.  Either an error with
 * a message, or a tokenizer whose id <-> token maps are consistent and which
 * can encode its own tokens.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tokenizer_settings s;
	tokenizer_settings_init(&s);
	struct ce_err err;
	ce_err_clear(&err);
	struct tokenizer *t = tokenizer_create_from_buffer("fuzz-vocab.txt", (const char *)data, size, &s, &err);
	if (!t) {
		if (err.code == CE_OK || err.msg[0] == '\0')
			abort();
		return 0;
	}
	int32_t n = tokenizer_vocab_size(t);
	int32_t ids[64], m;
	for (int32_t id = 0; id < n && id < 256; id++) {
		const char *tok = tokenizer_id_token(t, id);
		if (!tok || tokenizer_token_id(t, tok) != id)
			abort();
		if (tokenizer_encode(t, tok, strlen(tok), 64, ids, &m) != CE_OK || m < 2 || m > 64)
			abort();
	}
	tokenizer_free(t);
	return 0;
}
