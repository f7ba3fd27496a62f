/*
 * hub_sha.h - SHA-1 and SHA-256 (FIPS 180-4), streaming, for checking what
 * the hub sends: an LFS file's name in the cache is the sha256 of its
 * content, a plain git file's is its git blob id, sha1("blob <len>\0" + content).
 *
 * No allocation; the context structs are caller-owned (_init, _update, _final).
 */
#ifndef HUB_SHA_H
#define HUB_SHA_H

#include <stddef.h>
#include <stdint.h>

struct hub_sha256 {
	uint32_t h[8];
	uint64_t n_bytes;     /* total bytes hashed */
	unsigned char buf[64];
	size_t n_buf;         /* bytes waiting in buf */
};

struct hub_sha1 {
	uint32_t h[5];
	uint64_t n_bytes;
	unsigned char buf[64];
	size_t n_buf;
};

void hub_sha256_init(struct hub_sha256 *s);
void hub_sha256_update(struct hub_sha256 *s, const void *data, size_t len);
/* [out] hex: 64 lowercase hex digits + NUL. */
void hub_sha256_final(struct hub_sha256 *s, char hex[65]);

void hub_sha1_init(struct hub_sha1 *s);
void hub_sha1_update(struct hub_sha1 *s, const void *data, size_t len);
/* [out] hex: 40 lowercase hex digits + NUL. */
void hub_sha1_final(struct hub_sha1 *s, char hex[41]);

#endif
