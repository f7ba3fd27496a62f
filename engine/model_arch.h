/*
 * model_arch.h - the architecture seam: one descriptor per model family the
 * engine can run, and the table config.json's "model_type" is looked up in.
 *
 * An architecture owns everything that differs between model families: which
 * config.json model_type values it runs and how it reads their keys, how its
 * checkpoints name tensors (struct st_naming, applied by the safetensors
 * reader), and its forward pass (weights → pooled vectors).  The encoder
 * (encoder.c) knows only this interface.  Entries: BERT (bert_arch.c).
 * Adding one = a new <name>_arch.c defining a struct model_arch, its extern
 * declaration below and one line in model_arch.c's table
 * (doc/extending-engine.md).
 *
 * Ownership: descriptors are static and immutable.  A model made by create is
 * freed by the same descriptor's free and is read-only afterwards (threads may
 * share it); a workspace belongs to one thread at a time.  Model and workspace
 * are opaque to callers (void *); only the descriptor that made them may be
 * given them.
 */
#ifndef MODEL_ARCH_H
#define MODEL_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"
#include "model_config.h"
#include "safetensors.h"

struct json_t;

struct model_arch {
	const char *name;               /* first word of encoder_describe, e.g. "bert" */
	const char *const *model_types; /* config.json "model_type" values it runs, NULL-terminated */
	const struct st_naming *naming; /* checkpoint tensor names → the names create asks for */

	/* Read this architecture's keys of config.json (object [in] config; name
	 * is the path for messages) into cfg: hidden, heads, layers,
	 * intermediate, max_position, type_vocab, vocab, act, layer_norm_eps.
	 * Errors: CE_E_FORMAT, CE_E_UNSUPPORTED, naming the file and the key. */
	enum ce_status (*parse_config)(const char *name, const struct json_t *config, struct model_config *cfg,
				       struct ce_err *err);

	/* Check every tensor cfg implies in st (opened with .naming) and copy it
	 * into a new model [out] *model; st may be closed afterwards.  Tensors
	 * the config does not use are ignored (with a warning on stderr where
	 * the architecture can tell, e.g. extra layers).  Errors name the tensor
	 * and the file: CE_E_NOT_FOUND, CE_E_MISMATCH, CE_E_UNSUPPORTED, CE_E_NOMEM. */
	enum ce_status (*create)(const struct model_config *cfg, const struct safetensors *st, void **model,
				 struct ce_err *err);
	void (*free)(void *model); /* NULL is fine */

	/* Switch to bf16 linear layers before any workspace exists.
	 * Errors: CE_E_UNSUPPORTED (CPU), CE_E_NOMEM (model unchanged). */
	enum ce_status (*use_bf16)(void *model, struct ce_err *err);
	/* 1 when a row's output does not depend on the other rows of its batch. */
	int (*rows_independent)(const void *model);
	/* Kernel family, e.g. "f32-avx512" ([a-z0-9-] only; see encoder_kernels). */
	const char *(*kernels)(const void *model);
	/* Output dimension after pooling. */
	int32_t (*dim)(const void *model);

	/* Forward scratch per token of a workspace, in bytes (sizes the token budget). */
	int64_t (*ws_bytes_per_token)(const struct model_config *cfg);
	/* Scratch for forward calls of at most max_tokens tokens, each sequence
	 * at most max_seq_len.  Errors: CE_E_INVALID_ARG, CE_E_LIMIT, CE_E_NOMEM. */
	enum ce_status (*ws_create)(const void *model, int32_t max_tokens, int32_t max_seq_len, void **ws,
				    struct ce_err *err);
	void (*ws_free)(void *ws); /* NULL is fine */
	/* Seconds of forward passes on ws so far, and of those inside matrix products. */
	void (*ws_times)(const void *ws, double *forward_s, double *matmul_s);

	/* Forward n_seq sequences given back to back ([in] ids, [in] lens) into
	 * [out] out[n_seq * dim] pooled vectors, L2-normalised when normalize.
	 * Errors: CE_E_INVALID_ARG (id out of vocabulary, bad length). */
	enum ce_status (*forward)(const void *model, void *ws, const int32_t *ids, const int32_t *lens,
				  int32_t n_seq, int normalize, float *out, struct ce_err *err);
};

/* The table's entries. */
extern const struct model_arch model_arch_bert; /* bert_arch.c */

/* The entry that runs config.json's model_type, or NULL. */
const struct model_arch *model_arch_find(const char *model_type);
/* The first entry (BERT): the naming safetensors_open applies when no
 * config.json is involved. */
const struct model_arch *model_arch_default(void);
/* Every model_type the table runs, for messages: "\"bert\"", or
 * "\"a\", \"b\" and \"c\"" (truncated to cap bytes, NUL-terminated). */
void model_arch_list_types(char *buf, size_t cap);

#endif
