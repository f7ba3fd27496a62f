/*
 * bert.h - fp32 BertModel forward pass + sentence-transformers pooling and
 * normalisation (spec encoder.md §2, §3.3, §3.4), on OpenBLAS sgemm.
 *
 * Sequences are processed at their true length: a batch is a packed token
 * matrix [sum of lengths, H] for the dense layers, attention runs per
 * sequence.  Since padded keys get probability exactly 0 in the reference,
 * this equals HF's padded computation up to float summation order (§2.6).
 *
 * Ownership: bert_create copies every weight into owned fp32 arrays (the
 * safetensors object may be closed afterwards); bert_free releases them.
 * With AVX-512F (x86-64) or NEON (AArch64, kernel family neon and wider) the
 * linear layers' matrices are kept repacked for gemm_f32.h instead of
 * row-major, and run there rather than in OpenBLAS (whose pinned Haswell
 * kernels use half the vector width), as does attention.
 * A bert_workspace holds all scratch memory of bert_forward, sized once for a
 * token budget, so the forward pass never allocates.  A struct bert is
 * read-only after creation and may be shared by threads; a workspace may not.
 * OpenBLAS's thread count is not changed here (the encoder sets it).
 */
#ifndef BERT_H
#define BERT_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"
#include "model_config.h"

struct safetensors;
struct bert;
struct bert_workspace;

/*
 * Check every tensor BertModel needs against cfg and convert it to fp32.
 * Errors (naming the tensor, the file and both shapes): CE_E_NOT_FOUND
 * (tensor missing), CE_E_MISMATCH (wrong shape), CE_E_UNSUPPORTED (dtype),
 * CE_E_NOMEM.
 */
enum ce_status bert_create(const struct model_config *cfg, const struct safetensors *st, struct bert **out,
			   struct ce_err *err);
void bert_free(struct bert *b);

/*
 * Switch the four linear layers of every encoder layer to bf16 weights and
 * activations with fp32 accumulation (gemm_bf16.h); embeddings, attention,
 * bias, GELU, LayerNorm and pooling stay fp32.  Frees the fp32 copies of those
 * weights.  Call before creating workspaces.  Errors: CE_E_UNSUPPORTED (the
 * CPU lacks AVX512_BF16, or FEAT_BF16 on AArch64), CE_E_NOMEM (b is then
 * unchanged).
 */
enum ce_status bert_use_bf16(struct bert *b, struct ce_err *err);

/* 1 when every linear layer computes each row independently of the others
 * (bf16, or fp32 through gemm_f32.h), so that a row's result does
 * not depend on the batch it is in; 0 on the OpenBLAS path. */
int bert_rows_independent(const struct bert *b);
/* The kernel family the forward pass runs on, e.g. "f32-avx512", "f32-neon" or "bf16-amx"
 * (other kernels sum in another order: the last bits of the output differ). */
const char *bert_kernels(const struct bert *b);

const struct model_config *bert_config(const struct bert *b);
/* Output dimension after pooling (hidden × number of pooling modes). */
int32_t bert_dim(const struct bert *b);

/*
 * Scratch for forward passes of at most max_tokens tokens in total, each
 * sequence at most max_seq_len (≤ max_position_embeddings) tokens.
 * Errors: CE_E_INVALID_ARG (bad sizes), CE_E_LIMIT (sizes overflow int), CE_E_NOMEM.
 */
enum ce_status bert_workspace_create(const struct bert *b, int32_t max_tokens, int32_t max_seq_len,
				     struct bert_workspace **out, struct ce_err *err);
void bert_workspace_free(struct bert_workspace *ws);

/* Wall time the forward passes on ws have taken so far, and the part of it
 * spent inside matrix products (linear layers and attention's two products);
 * a profile for `ceval embed --profile` and `make bench`. */
void bert_workspace_times(const struct bert_workspace *ws, double *forward_s, double *matmul_s);

/*
 * Forward n_seq sequences given back to back: [in] ids (sum of lens ids),
 * [in] lens[n_seq] (each ≥ 1), [out] out[n_seq * bert_dim] pooled vectors,
 * L2-normalised when normalize is nonzero (v / max(‖v‖, 1e-12)).
 * Errors: CE_E_INVALID_ARG (id out of vocabulary, length 0 or over the
 * workspace limits).  Deterministic for a fixed OpenBLAS thread count.
 */
enum ce_status bert_forward(const struct bert *b, struct bert_workspace *ws, const int32_t *ids, const int32_t *lens,
			    int32_t n_seq, int normalize, float *out, struct ce_err *err);

#endif
