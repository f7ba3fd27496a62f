/*
 * parquet_codec.c - page decompression through the Debian codec libraries:
 * snappy (snappy-c.h), zlib (GZIP, concatenated members too), zstd, lz4
 * (LZ4_RAW blocks and the Hadoop-framed LZ4 that parquet-mr writes as codec
 * LZ4) and brotli.  LZO is not supported (no Debian development package with
 * a usable license in our dependency set).
 *
 * Every decoder must produce exactly the page header's uncompressed size;
 * anything else is a corrupt page (CE_E_FORMAT).
 */
#include <brotli/decode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "parquet_int.h"

int pq_codec_supported(int codec)
{
	return codec == PQZ_UNCOMPRESSED || codec == PQZ_SNAPPY || codec == PQZ_GZIP || codec == PQZ_BROTLI ||
	       codec == PQZ_LZ4 || codec == PQZ_ZSTD || codec == PQZ_LZ4_RAW;
}

const char *pq_codec_name(int codec)
{
	static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"};
	return codec >= 0 && codec < 8 ? names[codec] : "unknown codec";
}

static enum ce_status size_mismatch(struct ce_err *err, const char *codec, size_t got, size_t want)
{
	return ce_err_set(err, CE_E_FORMAT, "%s page decompressed to %zu bytes, the page header says %zu", codec, got,
			  want);
}

static enum ce_status gunzip(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len, struct ce_err *err)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 15 + 32) != Z_OK) /* 15 + 32: zlib or gzip header, detected */
		return ce_err_set(err, CE_E_NOMEM, "zlib inflateInit2 failed");
	zs.next_in = (Bytef *)src;
	zs.next_out = dst;
	size_t in_left = src_len, out_left = dst_len;
	enum ce_status st = CE_OK;
	for (;;) {
		/* avail_in/out are uInt: feed at most 1 GiB at a time */
		uInt ci = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
		uInt co = out_left > (1u << 30) ? (1u << 30) : (uInt)out_left;
		zs.avail_in = ci;
		zs.avail_out = co;
		int rc = inflate(&zs, Z_NO_FLUSH);
		in_left -= ci - zs.avail_in;
		out_left -= co - zs.avail_out;
		if (rc == Z_STREAM_END) {
			/* concatenated gzip members (several writers emit them): continue after the end */
			if (in_left == 0)
				break;
			if (inflateReset(&zs) != Z_OK) {
				st = ce_err_set(err, CE_E_FORMAT, "GZIP page: cannot restart after a member");
				break;
			}
			continue;
		}
		if (rc == Z_BUF_ERROR) { /* no progress possible */
			st = ce_err_set(err, CE_E_FORMAT, "GZIP page: %s",
					in_left == 0 ? "data ends early" : "decompresses to more than the page header says");
			break;
		}
		if (rc != Z_OK) {
			st = ce_err_set(err, CE_E_FORMAT, "GZIP page: %s", zs.msg ? zs.msg : "corrupt deflate data");
			break;
		}
	}
	inflateEnd(&zs);
	if (st == CE_OK && out_left != 0)
		st = size_mismatch(err, "GZIP", dst_len - out_left, dst_len);
	return st;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Codec LZ4 (deprecated): parquet-mr's Hadoop framing, a sequence of
 * [be32 uncompressed size][be32 compressed size][LZ4 block]...; some writers
 * wrote plain LZ4 blocks instead, so like Arrow we fall back to one raw block
 * when the framing does not add up.
 */
static int lz4_hadoop(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
	size_t in = 0, out = 0;
	while (in < src_len) {
		if (src_len - in < 8)
			return 0;
		uint32_t usz = be32(src + in), csz = be32(src + in + 4);
		in += 8;
		if (csz > src_len - in || usz > dst_len - out || csz > INT32_MAX || usz > INT32_MAX)
			return 0;
		int n = LZ4_decompress_safe((const char *)src + in, (char *)dst + out, (int)csz, (int)usz);
		if (n < 0 || (uint32_t)n != usz)
			return 0;
		in += csz;
		out += usz;
	}
	return out == dst_len;
}

enum ce_status pq_decompress(int codec, const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
			     struct ce_err *err)
{
	switch (codec) {
	case PQZ_UNCOMPRESSED:
		if (src_len != dst_len)
			return size_mismatch(err, "UNCOMPRESSED", src_len, dst_len);
		if (dst_len)
			memcpy(dst, src, dst_len);
		return CE_OK;
	case PQZ_SNAPPY: {
		size_t n;
		if (snappy_uncompressed_length((const char *)src, src_len, &n) != SNAPPY_OK)
			return ce_err_set(err, CE_E_FORMAT, "SNAPPY page: corrupt length header");
		if (n != dst_len)
			return size_mismatch(err, "SNAPPY", n, dst_len);
		if (snappy_uncompress((const char *)src, src_len, (char *)dst, &n) != SNAPPY_OK || n != dst_len)
			return ce_err_set(err, CE_E_FORMAT, "SNAPPY page: corrupt data");
		return CE_OK;
	}
	case PQZ_GZIP:
		return gunzip(src, src_len, dst, dst_len, err);
	case PQZ_ZSTD: {
		size_t n = ZSTD_decompress(dst, dst_len, src, src_len);
		if (ZSTD_isError(n))
			return ce_err_set(err, CE_E_FORMAT, "ZSTD page: %s", ZSTD_getErrorName(n));
		if (n != dst_len)
			return size_mismatch(err, "ZSTD", n, dst_len);
		return CE_OK;
	}
	case PQZ_BROTLI: {
		size_t n = dst_len;
		if (BrotliDecoderDecompress(src_len, src, &n, dst) != BROTLI_DECODER_RESULT_SUCCESS)
			return ce_err_set(err, CE_E_FORMAT, "BROTLI page: corrupt data or larger than the page header says");
		if (n != dst_len)
			return size_mismatch(err, "BROTLI", n, dst_len);
		return CE_OK;
	}
	case PQZ_LZ4:
		if (lz4_hadoop(src, src_len, dst, dst_len))
			return CE_OK;
		/* not Hadoop-framed: a raw LZ4 block */
		__attribute__((fallthrough));
	case PQZ_LZ4_RAW: {
		if (src_len > INT32_MAX || dst_len > INT32_MAX)
			return ce_err_set(err, CE_E_LIMIT, "LZ4 page larger than 2 GiB");
		int n = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len, (int)dst_len);
		if (n < 0)
			return ce_err_set(err, CE_E_FORMAT, "%s page: corrupt data", pq_codec_name(codec));
		if ((size_t)n != dst_len)
			return size_mismatch(err, pq_codec_name(codec), (size_t)n, dst_len);
		return CE_OK;
	}
	default:
		return ce_err_set(err, CE_E_UNSUPPORTED, "compression codec %s (%d) is not supported",
				  pq_codec_name(codec), codec);
	}
}
