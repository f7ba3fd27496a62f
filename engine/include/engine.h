/*
 * engine.h - ceval's built-in text encoder: the only public header of engine/.
 *
 * An encoder is opened from a folder in Hugging Face / sentence-transformers
 * layout (config.json, vocab.txt, tokenizer_config.json, model.safetensors,
 * optional modules.json, sentence_bert_config.json, 1_Pooling/config.json)
 * and turns texts into float32 embeddings exactly as
 * SentenceTransformer(folder).encode(texts) does (fp32, CPU).
 *
 * This header lives alone in engine/include/ so that code outside engine/
 * (cli/) gets only it on its include path (Makefile INC_cli).
 *
 * Ownership: engine functions never take ownership of their arguments.
 * Objects returned by *_open are freed with the matching *_close.  Strings
 * returned by getters are valid until the object is closed.
 * One encoder must not be used by two threads at once; open one per thread.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct encoder;

/* The compute kernels (engine/kernels.h): the family in use, chosen once per
 * process from the CPU and capped by the environment variable CEVAL_KERNELS
 * (portable, avx2, avx512, avx512bf16, amx on x86-64; portable, neon on
 * AArch64).  engine_kernels_line writes e.g. "avx512 (CPU: portable, avx2,
 * avx512, avx512bf16)" for --version and bench reports.
 * engine_kernels_check fails with a one-line message when CEVAL_KERNELS is
 * unknown or names a family this CPU lacks (encoder_open checks it too). */
const char *engine_kernel_family(void);
void engine_kernels_line(char *buf, size_t n);
enum ce_status engine_kernels_check(struct ce_err *err);

enum encoder_precision {
	ENCODER_PRECISION_F32 = 0, /* reference: matches HF to ~1e-6 */
	ENCODER_PRECISION_BF16,    /* bf16 weights/activations, fp32 accumulation */
	ENCODER_PRECISION_COUNT
};

/* Progress callback: done/total texts so far. Return nonzero to stop (CE_E_INTERRUPTED). */
typedef int (*encoder_progress_fn)(void *user, int64_t done, int64_t total);

struct encoder_options {
	int32_t batch_size;     /* texts per forward batch; 0 = default (32) */
	int32_t threads;        /* compute threads; 0 = all online CPUs */
	int32_t max_seq_length; /* 0 = what the model files say; else min(this, model limit) */
	enum encoder_precision precision;
	encoder_progress_fn progress; /* may be NULL */
	void *progress_user;
};

/* Defaults for every field (all zero / F32 / no progress). */
void encoder_options_init(struct encoder_options *opt);

/*
 * Open a model folder.  [in] dir, [in] opt (NULL = defaults).
 * Returns NULL and fills err (message names the file and the problem) on
 * missing files (CE_E_NOT_FOUND), malformed files (CE_E_FORMAT), unsupported
 * architectures (CE_E_UNSUPPORTED), tensor shape errors (CE_E_MISMATCH).
 */
struct encoder *encoder_open(const char *dir, const struct encoder_options *opt, struct ce_err *err);
void encoder_close(struct encoder *enc);

/* Embedding dimension (after pooling). */
int32_t encoder_dim(const struct encoder *enc);
/* Token limit per text including [CLS]/[SEP]: min(max_seq_length, max_position_embeddings). */
int32_t encoder_max_seq_length(const struct encoder *enc);
/* Hex digest identifying weights + config.json (its bytes) + tokenizer + pooling
 * + normalisation + max length (stable across runs). */
const char *encoder_fingerprint(const struct encoder *enc);
/* Texts per forward batch and compute threads actually used (defaults
 * resolved: batch 32, threads = online CPUs). */
int32_t encoder_batch_size(const struct encoder *enc);
int32_t encoder_threads(const struct encoder *enc);
/*
 * 1 when a text's vector does not depend on the other texts of the call
 * (bf16, or fp32 on the AVX-512 kernels of gemm_f32.h): then texts of
 * several calls may be merged into one call with the same bits.  0 on the
 * fp32 OpenBLAS path, whose rows depend on the batch they are computed in.
 */
int encoder_rows_independent(const struct encoder *enc);
/*
 * The order in which encoder_embed processes texts[0..n): [out] order[n], a
 * permutation of 0..n-1 (longest text first, equal lengths in input order);
 * batches are consecutive runs of encoder_batch_size() texts of it.  A
 * caller that cuts a call into chunks along this order and a multiple of the
 * batch size gets the batches - and so the bits - of one uncached call.
 * Errors: CE_E_NOMEM, CE_E_LIMIT.
 */
enum ce_status encoder_batch_order(const struct encoder *enc, const char *const *texts, int64_t n, int64_t *order,
				   struct ce_err *err);
/* Which arithmetic produced the vectors: the engine's arithmetic revision and
 * kernel family, e.g. "r2-f32-avx512" ([a-z0-9-] only).  Two encoders with
 * the same fingerprint, settings and kernels give bit-identical vectors. */
const char *encoder_kernels(const struct encoder *enc);
/* One-line human description: "bert H=768 L=12 heads=12 pooling=cls normalize=yes max_len=512". */
const char *encoder_describe(const struct encoder *enc);

/*
 * Embed n texts (NUL-terminated UTF-8) into out[n * dim], row i = texts[i].
 * Texts are batched internally by length; output keeps input order.
 * Errors: CE_E_NOMEM, CE_E_INTERRUPTED (progress callback asked to stop).
 */
enum ce_status encoder_embed(struct encoder *enc, const char *const *texts, int64_t n, float *out, struct ce_err *err);

/*
 * The same with explicit byte lengths: texts[i] holds lens[i] bytes and may
 * contain NUL bytes (clean_text deletes U+0000, as the reference does with a
 * Python string that contains "\0"); it need not be NUL-terminated.
 */
enum ce_status encoder_embed_len(struct encoder *enc, const char *const *texts, const size_t *lens, int64_t n,
				 float *out, struct ce_err *err);

/* Profile since the encoder was opened, summed over its threads: seconds in
 * forward passes and, of those, seconds inside matrix products. */
void encoder_times(const struct encoder *enc, double *forward_s, double *matmul_s);

/*
 * Token ids exactly as the encoder feeds them ([CLS] ... [SEP], truncated).
 * [out] ids has room for cap ids; *n_ids receives the count (≤ cap, ≤ max_seq_length).
 */
enum ce_status encoder_tokenize(struct encoder *enc, const char *text, int32_t *ids, int32_t cap, int32_t *n_ids,
				struct ce_err *err);

/*
 * A model folder's tokenizer alone, for `ceval tokenize`: the folder needs
 * only the tokenizer files (vocab.txt and tokenizer_config.json for
 * WordPiece); config.json is optional and may be of any architecture.
 */
struct encoder_tokenizer;

/*
 * Open dir's tokenizer.  [in] max_length: token limit including the special
 * tokens; 0 = what the files say (sentence_bert_config.json max_seq_length,
 * else tokenizer_config.json model_max_length), capped by config.json's
 * max_position_embeddings when present, else 512.  The limit is at least 2.
 * config.json is read only when max_length is 0.  Returns NULL and fills err
 * (naming the file) when the tokenizer files are missing or malformed, or
 * config.json is malformed (CE_E_NOT_FOUND, CE_E_FORMAT, CE_E_IO, CE_E_NOMEM).
 */
struct encoder_tokenizer *encoder_tokenizer_open(const char *dir, int32_t max_length, struct ce_err *err);
void encoder_tokenizer_close(struct encoder_tokenizer *tok);

/* The token limit chosen at open (>= 2). */
int32_t encoder_tokenizer_max_length(const struct encoder_tokenizer *tok);

/*
 * Token ids of len bytes of UTF-8 text (may contain NUL bytes) as an encoder
 * of the same folder and limit feeds them ([CLS] ... [SEP], right-truncated).
 * [out] ids has room for encoder_tokenizer_max_length ids; [out] *n_ids.
 * Errors: CE_E_NOMEM.
 */
enum ce_status encoder_tokenizer_encode(const struct encoder_tokenizer *tok, const char *text, size_t len,
					int32_t *ids, int32_t *n_ids, struct ce_err *err);

#endif
