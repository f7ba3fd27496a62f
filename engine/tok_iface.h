/*
 * tok_iface.h - the tokenizer seam: one descriptor (struct tok_kind) per
 * tokenization algorithm, a table of them, and a handle (struct tok) the
 * encoder uses without knowing which algorithm is behind it.
 *
 * Kinds: WordPiece (tokenizer.c: Hugging Face's fast BertTokenizer).  A
 * folder's kind is the first in the table whose probe_dir recognises its
 * files; when none does, the first kind's open_dir reports what is missing.
 * Adding a kind (e.g. SentencePiece Unigram for XLM-RoBERTa) = a file that
 * defines a struct tok_kind, its extern declaration below and one line in
 * tok_iface.c's table (doc/extending-engine.md).
 *
 * Every kind produces the full model input: its begin token, the pieces and
 * its end token ([CLS] ... [SEP] for WordPiece), right-truncated to max_len.
 *
 * Ownership: tok_open_dir returns a handle freed by tok_free (NULL is fine);
 * strings it returns are valid until then.  tok_encode keeps no mutable state
 * and may run on several threads at once on one handle.
 */
#ifndef TOK_IFACE_H
#define TOK_IFACE_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

/* Special token ids (-1 = the vocabulary has none). */
struct tok_special {
	int32_t bos; /* begins every sequence: [CLS], <s> */
	int32_t eos; /* ends every sequence: [SEP], </s> */
	int32_t pad;
	int32_t unk;
};

struct tok_kind {
	const char *name;       /* "wordpiece" */
	const char *vocab_file; /* the file its vocabulary is read from, for messages ("vocab.txt") */
	/* Nonzero when dir holds this kind's files. */
	int (*probe_dir)(const char *dir);
	/* Read dir's tokenizer files; NULL + err (naming the file) on failure. */
	void *(*open_dir)(const char *dir, struct ce_err *err);
	void (*free)(void *impl);
	/* len bytes of UTF-8 text → at most max_len (≥ 2) ids incl. the special
	 * ones, into [out] ids (room for max_len), [out] *n_ids.
	 * Errors: CE_E_NOMEM, CE_E_INVALID_ARG (max_len < 2). */
	enum ce_status (*encode)(const void *impl, const char *text, size_t len, int32_t max_len, int32_t *ids,
				 int32_t *n_ids);
	/* Token limit incl. specials the files state; 0 = none. */
	int32_t (*max_length)(const void *impl);
	int32_t (*vocab_size)(const void *impl);
	void (*special_ids)(const void *impl, struct tok_special *out);
	/* Digest of vocabulary + settings (16 hex chars), part of encoder fingerprints. */
	const char *(*fingerprint)(const void *impl);
	/* One line of settings for humans, e.g. "wordpiece vocab=21128 lowercase=no". */
	void (*describe)(const void *impl, char *buf, size_t cap);
};

/* The table's entries. */
extern const struct tok_kind tok_kind_wordpiece; /* tokenizer.c */

struct tok;

/* Open dir's tokenizer with the kind its files call for (see above). */
struct tok *tok_open_dir(const char *dir, struct ce_err *err);
void tok_free(struct tok *t);

const struct tok_kind *tok_kind_of(const struct tok *t);
/* As struct tok_kind's functions. */
enum ce_status tok_encode(const struct tok *t, const char *text, size_t len, int32_t max_len, int32_t *ids,
			  int32_t *n_ids);
int32_t tok_max_length(const struct tok *t);
int32_t tok_vocab_size(const struct tok *t);
struct tok_special tok_special_ids(const struct tok *t);
const char *tok_fingerprint(const struct tok *t);
/* Valid until tok_free. */
const char *tok_describe(const struct tok *t);

#endif
