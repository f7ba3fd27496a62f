/*
 * embed_cache.h - an on-disk cache of text embeddings, and an embedder that
 * puts it in front of another one.
 *
 * One cache folder per model identity: <root>/<fingerprint>-<precision>-L<max
 * length>-d<dim>/ (the fingerprint covers weights, tokenizer, pooling and max
 * length; precision changes the arithmetic, so it is part of the key too).
 * Inside it, append-only chunk files "<hash>.cev", each written atomically
 * (temp file + fsync + rename) as encoding proceeds, so a run killed at any
 * moment loses at most the chunk in flight.  Texts are keyed by a 128-bit
 * hash of the exact bytes that were encoded (a query instruction is part of
 * those bytes).
 *
 * Chunk layout (little-endian host, checked by the magic):
 *   header, 64 bytes: "CEVEMB01", u32 version, u32 dim, u64 count,
 *     u64 payload bytes, u64 keys hash, u64 payload hash, u64 raw bytes,
 *     u64 header hash (of the 56 bytes before it)
 *   count x 16-byte text keys, uncompressed (so opening reads only keys)
 *   one zstd frame holding count x dim float32 rows, in key order
 * A file whose size, hashes, or frame disagree is reported with a warning,
 * deleted and its texts treated as misses: never read as vectors.
 *
 * What the cache does NOT do: evict, or share one file between processes
 * (two runs on one folder each write their own chunks; first key wins).
 *
 * Ownership: embed_cache_open returns an object freed by embed_cache_close
 * (NULL accepted).  The cached embedder borrows its inner embedder and cache.
 */
#ifndef EMBED_CACHE_H
#define EMBED_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"
#include "evaluator.h"

struct embed_cache;

/* What decides whether two vectors are interchangeable. */
struct embed_cache_key {
	const char *fingerprint; /* encoder_fingerprint(): weights + tokenizer + pooling + max length */
	const char *precision;   /* "f32" or "bf16" */
	int32_t max_length;      /* encoder_max_seq_length() */
	int32_t dim;             /* embedding dimension */
};

/*
 * Default cache root: $XDG_CACHE_HOME/ceval, else $HOME/.cache/ceval, else
 * ".ceval-cache".  New string (ce_free); NULL when out of memory.
 */
char *embed_cache_default_root(void);

/*
 * Open (creating it) the cache folder of key under root, and index the keys
 * of every valid chunk; broken chunks are warned about and deleted.
 * Returns NULL and fills err (CE_E_IO when the folder cannot be made,
 * CE_E_INVALID_ARG for a bad key, CE_E_NOMEM).
 */
struct embed_cache *embed_cache_open(const char *root, const struct embed_cache_key *key, struct ce_err *err);
void embed_cache_close(struct embed_cache *c);

/* Folder of this cache; valid until embed_cache_close. */
const char *embed_cache_dir(const struct embed_cache *c);
/* Number of distinct texts indexed. */
int64_t embed_cache_size(const struct embed_cache *c);

/*
 * Look up texts[0..n): row i of out[n * dim] is filled and hit[i] set to 1
 * for each text found in a valid chunk, hit[i] = 0 otherwise.  A chunk found
 * corrupt while reading is warned about, deleted and its rows become misses.
 * [out] *n_hit.  Errors: CE_E_NOMEM only.
 */
enum ce_status embed_cache_lookup(struct embed_cache *c, const char *const *texts, int64_t n, float *out,
				  uint8_t *hit, int64_t *n_hit, struct ce_err *err);

/*
 * Store n vectors (vecs[n * dim], row i for texts[i]) as one new chunk file,
 * written atomically.  Errors: CE_E_IO (disk full, not writable), CE_E_NOMEM,
 * CE_E_LIMIT (n too large for one chunk).
 */
enum ce_status embed_cache_store(struct embed_cache *c, const char *const *texts, int64_t n, const float *vecs,
				 struct ce_err *err);

/* ---- an embedder with the cache in front ------------------------------- */

struct cached_embedder {
	struct embedder emb;          /* give &emb to evaluators */
	const struct embedder *inner; /* does the real encoding (borrowed) */
	struct embed_cache *cache;    /* NULL = pass through (borrowed) */
	int64_t chunk_texts;          /* misses encoded and stored per chunk */
	int64_t n_from_cache;         /* texts served from the cache so far */
	int64_t n_encoded;            /* texts encoded by inner so far */
	int64_t miss_done, miss_total; /* progress over the misses of the current call */
	int write_failed;             /* a store failed: warned once, no more stores */
};

/*
 * [out] ce set up over inner and cache (may be NULL); chunk_texts <= 0 means
 * 256.  Misses are encoded longest first, chunk_texts at a time, and each
 * chunk is stored before the next is encoded.  A failed store is warned
 * about once and encoding goes on without storing.
 */
void cached_embedder_init(struct cached_embedder *ce, const struct embedder *inner, struct embed_cache *cache,
			  int64_t chunk_texts);

#endif
