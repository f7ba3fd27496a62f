/*
 * ce_hash.h - the non-cryptographic hashes of ceval, in one place.
 *
 * ce_hash64 is the hash: 8 bytes per step (xxHash64's primes and round,
 * murmur3's final avalanche), fast enough for model weights and cache
 * payloads.  Chain calls through the seed to hash several pieces:
 * h = ce_hash64(b, nb, ce_hash64(a, na, seed)).
 *
 * ce_fnv1a64 is 64-bit FNV-1a, byte by byte.  It is kept only for the
 * identifiers already written into results files and compared against
 * committed references (ceval.dataset_hash, ceval.subset.selection_hash,
 * the vocabulary digest inside model fingerprints): changing their values
 * would make every stored result look foreign.  Streaming: start from
 * CE_FNV1A64_INIT and feed pieces in order.
 *
 * Neither guards against an adversary; they tell inputs apart and catch
 * truncation and bit rot.  Pure functions, no state.
 */
#ifndef CE_HASH_H
#define CE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CE_FNV1A64_INIT 0xcbf29ce484222325ull

/* 64-bit hash of data[0..len) with seed (any value). */
uint64_t ce_hash64(const void *data, size_t len, uint64_t seed);

/* FNV-1a 64 of data[0..len) continuing from h (CE_FNV1A64_INIT to start). */
uint64_t ce_fnv1a64(uint64_t h, const void *data, size_t len);

/* h as 16 lowercase hex digits into buf[17]. */
void ce_hash_hex(uint64_t h, char buf[17]);

#endif
