/*
 * embedder.h - what evaluators, the embedding cache and the runner see of a
 * text encoder: a function that turns texts into vectors, and the identity
 * of those vectors.
 *
 * A backend (the built-in BERT encoder in cli/backend_local.c; later an HTTP
 * or MPI client) builds a struct embedder and fills its struct
 * embedder_identity once, before the first embed call.  Everything else -
 * `ceval run`, the cache (embed_cache.h) and the results writer - only reads
 * it, so a new backend is added without touching them.
 *
 * The backend contract:
 *   - embed(texts[0..n)) writes out[n * dim], row i = texts[i], and gives the
 *     same bits for the same text whatever else is in the call, as long as
 *     the call is cut into the same batches (see order below).  It may
 *     return CE_E_INTERRUPTED (stop requested), CE_E_NOMEM, CE_E_IO (a
 *     remote backend), or any status with err filled; it never returns
 *     partial rows as success.  It need not check for NaN/Inf: the
 *     evaluators do (ev_embed_texts).
 *   - id names the model (name, describe) and describes every input that
 *     can change a vector:
 *       fingerprint: lowercase hex, unique to the model files (weights,
 *         config, tokenizer, pooling, normalisation, max length) AND to the
 *         backend - two backends must never produce the same fingerprint
 *         for vectors that differ (a remote backend hashes its endpoint and
 *         model name into it);
 *       precision and kernels: the arithmetic ([a-z0-9] and [a-z0-9-]);
 *       max_length, dim;
 *       batch_size and threads: the cache key includes them because they
 *         can change the last bits of a vector (a backend whose vectors do
 *         not depend on them sets both to 1).
 *     The strings live as long as the embedder.
 *   - order (may be NULL): the permutation in which the backend processes
 *     one call's texts; batches are consecutive runs of id->batch_size texts
 *     of it.  The cache cuts calls into chunks along this order so that a
 *     chunk is batched exactly as in an uncached call.  NULL means input
 *     order, and then vectors must not depend on batch composition.
 *   - set_phase (may be NULL): a label for progress lines, called by
 *     evaluators before each embed call.
 *
 * Ownership: an embedder borrows nothing from its callers; texts are
 * borrowed for the duration of one call.
 */
#ifndef EMBEDDER_H
#define EMBEDDER_H

#include <stdint.h>

#include "ce_status.h"

/* Everything a vector depends on (filled by the backend; see above). */
struct embedder_identity {
	const char *backend;     /* "local", "http", ...: [a-z0-9-] */
	const char *name;        /* model name for results folders and summaries ("bge-small-zh-v1.5") */
	const char *describe;    /* one human line for logs ("bert H=768 L=12 ...") */
	int32_t dim;             /* floats per vector */
	const char *fingerprint; /* lowercase hex: model files + backend */
	const char *precision;   /* "f32", "bf16", ... ([a-z0-9]) */
	const char *kernels;     /* arithmetic revision + kernel family ([a-z0-9-]); NULL = not known */
	int32_t max_length;      /* token limit per text, special tokens included */
	int32_t batch_size;      /* texts per backend batch (> 0) */
	int32_t threads;         /* compute threads in use (> 0) */
};

struct embedder {
	/* Embeds texts into out[n * dim] (row i = texts[i]). */
	enum ce_status (*embed)(void *self, const char *const *texts, int64_t n, float *out, struct ce_err *err);
	void *self;
	int32_t dim;
	/* "phase" label for progress lines ("corpus", "queries", ...); set by evaluators */
	void (*set_phase)(void *self, const char *phase);
	/* NULL for test fakes; the backend's identity otherwise (borrowed) */
	const struct embedder_identity *id;
	/* [out] order[n]: processing order of one call (NULL = input order); CE_E_NOMEM */
	enum ce_status (*order)(void *self, const char *const *texts, int64_t n, int64_t *order, struct ce_err *err);
};

#endif
