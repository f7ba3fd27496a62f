/*
 * fuzz_tokenizer.c - arbitrary bytes as text through tokenizer_encode.
 * The first byte picks the settings (lowercase, strip_accents, CJK, clean_text,
 * sentence-transformers lowercase) and max_len; the tokenizer is built from a
 * small in-memory vocabulary (no files).  Checks the output contract:
 * [CLS] first, [SEP] last, length within max_len, ids inside the vocabulary.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tokenizer.h"

static const char vocab[] =
	"[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"
	"a\n##a\nb\n##b\nab\n##ab\nthe\n##s\n"
	"\xe4\xb8\xad\n"             /* 中 */
	"\xef\xbc\x8c\n"             /* ， */
	"i\n##\xcc\x87\n"            /* ##U+0307 */
	"caf\xc3\xa9\ncafe\n"
	"\xcf\x83\n\xcf\x82\n"       /* σ ς */
	"[\n]\n.\n,\n#\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t cfg = data[0];
	struct tokenizer_settings s;
	tokenizer_settings_init(&s);
	s.lowercase = cfg & 1;
	s.strip_accents = (int)((cfg >> 1) & 3) % 3 - 1;
	s.handle_chinese_chars = !(cfg & 8);
	s.clean_text = !(cfg & 16);
	s.st_lowercase = (cfg & 32) != 0;
	s.max_input_chars_per_word = (cfg & 64) ? 3 : 100;
	int32_t max_len = (cfg & 128) ? 8 : 512;
	struct ce_err err;
	struct tokenizer *t = tokenizer_create_from_buffer("fuzz", vocab, sizeof vocab - 1, &s, &err);
	if (!t)
		abort();
	int32_t ids[512];
	int32_t n = -1;
	if (tokenizer_encode(t, (const char *)data + 1, size - 1, max_len, ids, &n) != CE_OK)
		abort();
	if (n < 2 || n > max_len || ids[0] != 2 || ids[n - 1] != 3)
		abort();
	for (int32_t i = 0; i < n; i++)
		if (ids[i] < 0 || ids[i] >= tokenizer_vocab_size(t))
			abort();
	tokenizer_free(t);
	return 0;
}
