/*
 * embed_cache.h - an on-disk cache of text embeddings, and an embedder that
 * puts it in front of another one.
 *
 * One cache folder per model identity: <root>/<fingerprint>-<precision>-L<max
 * length>-d<dim>-b<batch>-t<threads>[-<kernels>]/.  The fingerprint covers
 * weights, tokenizer, pooling and max length; precision changes the
 * arithmetic; batch size and thread count change the last bits of the
 * encoder's output (measured: OpenBLAS picks other kernels for other matrix
 * shapes and splits); and so do the engine's kernels and their revision (a
 * newer build, another CPU), so all of them are part of the key - a cached
 * vector is always byte-identical to what this run would compute.
 *
 * For the same reason the unit of reuse is an encoder chunk, not a lone
 * text: an embed call's texts are ordered as the backend orders them
 * (struct embedder's order function; the local encoder: longest first, then
 * input order) and cut into chunks of a multiple of the batch size; each chunk is one file named by the hash of its texts' keys (a text's
 * key is a 128-bit hash of the exact bytes encoded, so a query instruction is
 * part of it).  A chunk found on disk is reused whole; otherwise it is
 * encoded, with exactly the batches an uncached run uses, and written
 * atomically (temp file + fsync + rename) before the next is encoded.  A run
 * killed at any moment loses at most the chunk in flight (the group of
 * chunks in flight when group_chunks > 1).
 *
 * Chunk file layout (little-endian; floats in host order, x86):
 *   header, 64 bytes: "CEVEMB01", u32 version, u32 dim, u64 count,
 *     u64 payload bytes, u64 keys hash, u64 payload hash, u64 raw bytes,
 *     u64 header hash (of the 56 bytes before it)
 *   count x 16-byte text keys
 *   one zstd frame holding count x dim float32 rows, in key order
 * A file whose size, hashes, keys or frame disagree is reported with a
 * warning, deleted and recomputed: never read as vectors.
 *
 * The cache never evicts.  Ownership: embed_cache_open returns an object
 * freed by embed_cache_close (NULL accepted).  The cached embedder borrows
 * its inner embedder and cache.
 */
#ifndef EMBED_CACHE_H
#define EMBED_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"
#include "embedder.h"

struct embed_cache;

/*
 * Default cache root: $XDG_CACHE_HOME/ceval, else $HOME/.cache/ceval, else
 * ".ceval-cache".  New string (ce_free); NULL when out of memory.
 */
char *embed_cache_default_root(void);

/*
 * Open (creating it) the cache folder of the embedder identity `key` under
 * root (the key is fingerprint, precision, max_length, dim, batch_size,
 * threads and kernels; embedder.h says why each); temp files left by killed
 * writers are removed.  Returns NULL and fills err (CE_E_IO when the folder
 * cannot be made or written, CE_E_INVALID_ARG for a bad key, CE_E_NOMEM).
 */
struct embed_cache *embed_cache_open(const char *root, const struct embedder_identity *key, struct ce_err *err);
void embed_cache_close(struct embed_cache *c);

/* Folder of this cache; valid until embed_cache_close. */
const char *embed_cache_dir(const struct embed_cache *c);

/*
 * Fetch the chunk made of exactly texts[0..n), in this order: fills out[n *
 * dim] and sets *found = 1, or *found = 0 when it is not cached.  A file that
 * fails any check is warned about, deleted and reported as not found.
 * Errors: CE_E_NOMEM only.
 */
enum ce_status embed_cache_get(struct embed_cache *c, const char *const *texts, int64_t n, float *out, int *found,
			       struct ce_err *err);

/*
 * Store vecs[n * dim] as the chunk of texts[0..n), written atomically.
 * Errors: CE_E_IO (disk full, not writable), CE_E_NOMEM, CE_E_LIMIT.
 */
enum ce_status embed_cache_put(struct embed_cache *c, const char *const *texts, int64_t n, const float *vecs,
			       struct ce_err *err);

/* ---- an embedder with the cache in front ------------------------------- */

struct cached_embedder {
	struct embedder emb;          /* give &emb to evaluators */
	const struct embedder *inner; /* does the real encoding (borrowed) */
	struct embed_cache *cache;    /* NULL = pass through (borrowed) */
	int64_t chunk_texts;          /* texts per chunk: a multiple of the inner batch size */
	int64_t group_chunks;         /* missing chunks encoded per inner call (0 or 1: one; see below) */
	int64_t n_from_cache;         /* texts served from the cache so far */
	int64_t n_encoded;            /* texts encoded by inner so far */
	int64_t miss_done, miss_total; /* progress over the texts to encode in the current call */
	int write_failed;             /* a store failed: warned once, no more stores */
};

/*
 * [out] ce set up over inner and cache (may be NULL = pass through);
 * chunk_texts <= 0 means 8 batches of inner->id->batch_size (256 without an
 * identity).  Give a multiple of the backend's batch size so that chunked
 * encoding uses the batches of one uncached call.  A failed store is warned
 * about once and encoding goes on without storing; a chunk holding a NaN or
 * infinite value is never stored.  ce->emb carries inner's identity.
 *
 * Set ce->group_chunks > 1 after init to hand the inner embedder up to that
 * many missing chunks in one call (each still stored as its own chunk file,
 * with the same bits): a backend that shares a call out among several
 * workers (MPI) then has enough batches per call that no worker waits at
 * the end of each chunk.  A run killed then loses the group in flight.
 */
void cached_embedder_init(struct cached_embedder *ce, const struct embedder *inner, struct embed_cache *cache,
			  int64_t chunk_texts);

#endif
