/*
 * tokenizer.h - BERT WordPiece tokenizer with the behaviour of Hugging Face's
 * fast (Rust) BertTokenizer, configured from a model folder's files.
 *
 * What it reproduces (spec: ../shared/spec/encoder.md §1): added special tokens
 * split out of raw text, clean_text, CJK isolation with the Rust ranges,
 * strip_accents (NFD, drop Mn) and per-char lowercase when configured,
 * whitespace + punctuation pre-tokenisation, greedy longest-match WordPiece
 * with "##" and the 100-char limit, [CLS] ... [SEP] and right truncation.
 * When sentence_bert_config.json says do_lower_case, the text is first
 * lower-cased with Python str.lower() semantics (as sentence-transformers does)
 * and stripped.
 *
 * It is the first implementation of the tokenizer interface (tok_iface.h:
 * tok_kind_wordpiece); the encoder reaches it only through that interface.
 *
 * Ownership: tokenizer_open_dir returns an object freed by tokenizer_free.
 * tokenizer_encode writes into caller-provided arrays and is safe to call from
 * several threads at once on the same tokenizer (it keeps no mutable state).
 */
#ifndef TOKENIZER_H
#define TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct tokenizer;

/*
 * Load vocab.txt (required), tokenizer_config.json (required),
 * special_tokens_map.json, tokenizer.json (normalizer settings, if present),
 * sentence_bert_config.json (do_lower_case, max_seq_length, if present) from dir.
 * NULL + err (naming the file and problem) on failure.
 */
struct tokenizer *tokenizer_open_dir(const char *dir, struct ce_err *err);

/* Load from an explicit vocab file with explicit settings (tests, fuzzing). */
struct tokenizer_settings {
	int lowercase;          /* BertNormalizer lowercase */
	int strip_accents;      /* -1 = follow lowercase, 0 = no, 1 = yes */
	int handle_chinese_chars;
	int clean_text;
	int st_lowercase;       /* sentence-transformers str.lower() before tokenizing */
	int32_t max_input_chars_per_word; /* 100 */
	int32_t model_max_length;         /* token limit incl. specials the files state; 0 = none */
};
void tokenizer_settings_init(struct tokenizer_settings *s); /* HF defaults, lowercase on */
struct tokenizer *tokenizer_create(const char *vocab_path, const struct tokenizer_settings *s, struct ce_err *err);
/* Same from an in-memory vocab (bytes of vocab.txt); name is used in messages. */
struct tokenizer *tokenizer_create_from_buffer(const char *name, const char *vocab, size_t len,
					       const struct tokenizer_settings *s, struct ce_err *err);

void tokenizer_free(struct tokenizer *tok);

/*
 * Tokenize len bytes of UTF-8 text (invalid bytes count as U+FFFD, which
 * clean_text deletes) into ids = [CLS] pieces [SEP], keeping at most
 * max_len ids in total (max_len >= 2; pieces beyond max_len - 2 are dropped).
 * [out] ids must have room for max_len ids; [out] *n_ids.
 * Errors: CE_E_NOMEM; CE_E_INVALID_ARG if max_len < 2 (nothing written, *n_ids = 0).
 */
enum ce_status tokenizer_encode(const struct tokenizer *tok, const char *text, size_t len, int32_t max_len,
				int32_t *ids, int32_t *n_ids);

/* Token limit stated by the files (sentence_bert max_seq_length, else model_max_length); 0 if none. */
int32_t tokenizer_max_length(const struct tokenizer *tok);
int32_t tokenizer_vocab_size(const struct tokenizer *tok);
/* id of a token string, or -1. */
int32_t tokenizer_token_id(const struct tokenizer *tok, const char *token);
/* token string of an id (valid until tokenizer_free), or NULL. */
const char *tokenizer_id_token(const struct tokenizer *tok, int32_t id);
/* ids of [PAD], [CLS], [SEP], [UNK] as configured. */
int32_t tokenizer_pad_id(const struct tokenizer *tok);
/* Digest of vocab + settings, 16 hex chars, for fingerprints. */
const char *tokenizer_fingerprint(const struct tokenizer *tok);

#endif
