/*
 * ce_hash.c - ce_hash64 and ce_fnv1a64 (ce_hash.h).
 */
#include "ce_hash.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define H_P1 0x9E3779B185EBCA87ull
#define H_P2 0xC2B2AE3D27D4EB4Full
#define H_P3 0x165667B19E3779F9ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

uint64_t ce_hash64(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data;
	uint64_t h = seed ^ ((uint64_t)len * H_P3);
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = rotl64(h ^ (w * H_P2), 31) * H_P1;
		p += 8;
		len -= 8;
	}
	while (len--) {
		h ^= (uint64_t)*p++ * H_P3;
		h = rotl64(h, 11) * H_P1;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

uint64_t ce_fnv1a64(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	return h;
}

void ce_hash_hex(uint64_t h, char buf[17])
{
	snprintf(buf, 17, "%016" PRIx64, h);
}
