/*
 * parquet_encoding.c - the integer encodings of Parquet that several value
 * types share: the RLE / bit-packed hybrid (levels, dictionary indices,
 * booleans) and DELTA_BINARY_PACKED (integers, and the lengths inside
 * DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY).  Bit packing is LSB first
 * (Encodings.md).  Reads never pass `end`; a short buffer is CE_E_FORMAT.
 */
#include <string.h>

#include "parquet_int.h"

int pq_bit_width(uint64_t max)
{
	int w = 0;
	while (max) {
		w++;
		max >>= 1;
	}
	return w;
}

static int read_uvarint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t r = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return 0;
		uint8_t b = *p++;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*v = r;
			return 1;
		}
	}
	return 0;
}

/* Unpack n values of bw bits (<= 64) from p (which holds at least ceil(n*bw/8) bytes). */
static void unpack64(const uint8_t *p, size_t nbytes, int bw, uint64_t *out, size_t n)
{
	if (bw == 0) {
		memset(out, 0, n * sizeof *out);
		return;
	}
	uint64_t mask = bw == 64 ? ~(uint64_t)0 : ((uint64_t)1 << bw) - 1;
	size_t bit = 0;
	for (size_t i = 0; i < n; i++, bit += (size_t)bw) {
		size_t byte = bit >> 3;
		int shift = (int)(bit & 7);
		uint64_t v = 0;
		/* gather up to 9 bytes: bw + shift <= 71 bits */
		size_t need = ((size_t)shift + (size_t)bw + 7) >> 3;
		if (byte + 8 <= nbytes) {
			memcpy(&v, p + byte, 8);
			v >>= shift;
			if (need > 8)
				v |= (uint64_t)p[byte + 8] << (64 - shift);
		} else {
			for (size_t k = 0; k < need && byte + k < nbytes; k++) {
				if (k == 0)
					v = (uint64_t)p[byte] >> shift;
				else
					v |= (uint64_t)p[byte + k] << (8 * k - (size_t)shift);
			}
		}
		out[i] = v & mask;
	}
}

static void unpack32(const uint8_t *p, size_t nbytes, int bw, uint32_t *out, size_t n)
{
	if (bw == 0) {
		memset(out, 0, n * sizeof *out);
		return;
	}
	uint32_t mask = bw == 32 ? ~(uint32_t)0 : ((uint32_t)1 << bw) - 1;
	size_t bit = 0;
	for (size_t i = 0; i < n; i++, bit += (size_t)bw) {
		size_t byte = bit >> 3;
		int shift = (int)(bit & 7);
		uint64_t v = 0;
		if (byte + 8 <= nbytes) {
			memcpy(&v, p + byte, 8); /* bw + shift <= 39 bits: one load */
			v >>= shift;
		} else {
			size_t need = ((size_t)shift + (size_t)bw + 7) >> 3;
			for (size_t k = 0; k < need && byte + k < nbytes; k++)
				v |= (uint64_t)p[byte + k] << (8 * k);
			v >>= shift;
		}
		out[i] = (uint32_t)v & mask;
	}
}

enum ce_status pq_rle_decode(const uint8_t *p, const uint8_t *end, int bw, uint32_t *out, size_t n,
			     struct ce_err *err)
{
	if (bw < 0 || bw > 32)
		return ce_err_set(err, CE_E_FORMAT, "RLE bit width %d out of range", bw);
	size_t i = 0;
	size_t vbytes = ((size_t)bw + 7) / 8;
	while (i < n) {
		uint64_t h;
		if (!read_uvarint(&p, end, &h))
			return ce_err_set(err, CE_E_FORMAT, "RLE data ends after %zu of %zu values", i, n);
		if (h & 1) { /* bit-packed: (h >> 1) groups of 8 values */
			uint64_t groups = h >> 1;
			if (groups == 0 || groups > ((uint64_t)1 << 40))
				return ce_err_set(err, CE_E_FORMAT, "RLE bit-packed run of %llu groups",
						  (unsigned long long)groups);
			uint64_t count = groups * 8;
			uint64_t nbytes = groups * (uint64_t)bw;
			size_t avail = (size_t)(end - p);
			/* the last run may be cut short by the writer (values beyond n are padding) */
			size_t take = count > n - i ? n - i : (size_t)count;
			size_t need = (take * (size_t)bw + 7) / 8;
			if (need > avail)
				return ce_err_set(err, CE_E_FORMAT, "RLE bit-packed run past the end of the data");
			unpack32(p, avail < nbytes ? avail : (size_t)nbytes, bw, out + i, take);
			i += take;
			p += nbytes > avail ? avail : nbytes;
		} else {
			uint64_t count = h >> 1;
			if (count == 0)
				return ce_err_set(err, CE_E_FORMAT, "RLE run of length 0");
			if ((size_t)(end - p) < vbytes)
				return ce_err_set(err, CE_E_FORMAT, "RLE run value past the end of the data");
			uint32_t v = 0;
			for (size_t k = 0; k < vbytes; k++)
				v |= (uint32_t)p[k] << (8 * k);
			p += vbytes;
			if (bw < 32 && v >> bw)
				return ce_err_set(err, CE_E_FORMAT, "RLE run value %u wider than %d bits", v, bw);
			size_t take = count > n - i ? n - i : (size_t)count;
			for (size_t k = 0; k < take; k++)
				out[i + k] = v;
			i += take;
		}
	}
	return CE_OK;
}

struct delta_hdr {
	uint64_t block_size, n_mini, total;
	int64_t first;
};

static enum ce_status delta_header(const uint8_t **pp, const uint8_t *end, struct delta_hdr *h, struct ce_err *err)
{
	uint64_t first;
	if (!read_uvarint(pp, end, &h->block_size) || !read_uvarint(pp, end, &h->n_mini) ||
	    !read_uvarint(pp, end, &h->total) || !read_uvarint(pp, end, &first))
		return ce_err_set(err, CE_E_FORMAT, "DELTA_BINARY_PACKED header truncated");
	h->first = (int64_t)(first >> 1) ^ -(int64_t)(first & 1);
	if (h->block_size == 0 || h->block_size % 128 || h->block_size > 65536 || h->n_mini == 0 ||
	    h->block_size % h->n_mini || (h->block_size / h->n_mini) % 32)
		return ce_err_set(err, CE_E_FORMAT, "DELTA_BINARY_PACKED block size %llu / %llu miniblocks invalid",
				  (unsigned long long)h->block_size, (unsigned long long)h->n_mini);
	return CE_OK;
}

enum ce_status pq_delta_count(const uint8_t *p, const uint8_t *end, size_t *count, struct ce_err *err)
{
	struct delta_hdr h;
	CE_TRY(delta_header(&p, end, &h, err));
	if (h.total > (size_t)end - (size_t)p + ((uint64_t)1 << 32))
		return ce_err_set(err, CE_E_FORMAT, "DELTA_BINARY_PACKED count %llu implausible", (unsigned long long)h.total);
	*count = (size_t)h.total;
	return CE_OK;
}

enum ce_status pq_delta_decode(const uint8_t *p, const uint8_t *end, int is32, int64_t *out, size_t n,
			       size_t *n_out, size_t *consumed, struct ce_err *err)
{
	const uint8_t *start = p;
	struct delta_hdr h;
	CE_TRY(delta_header(&p, end, &h, err));
	size_t total = h.total < n ? (size_t)h.total : n;
	size_t per_mini = (size_t)(h.block_size / h.n_mini);
	uint64_t cur = (uint64_t)h.first;
	size_t i = 0;
	if (h.total > 0 && n > 0)
		out[i++] = is32 ? (int64_t)(int32_t)(uint32_t)cur : (int64_t)cur;
	uint64_t buf[64];
	/* Blocks follow while values remain (of the header's total, not just the n we want), so that
	 * *consumed lands after the whole encoded run. */
	size_t remaining = h.total > 0 ? (size_t)h.total - 1 : 0;
	if (h.total > 0 && (uint64_t)remaining != h.total - 1)
		return ce_err_set(err, CE_E_FORMAT, "DELTA_BINARY_PACKED count too large");
	while (remaining > 0) {
		uint64_t md;
		if (!read_uvarint(&p, end, &md))
			return ce_err_set(err, CE_E_FORMAT, "DELTA_BINARY_PACKED block header truncated");
		int64_t min_delta = (int64_t)(md >> 1) ^ -(int64_t)(md & 1);
		if ((uint64_t)(end - p) < h.n_mini)
			return ce_err_set(err, CE_E_FORMAT, "DELTA_BINARY_PACKED bit widths truncated");
		const uint8_t *widths = p;
		p += h.n_mini;
		for (uint64_t m = 0; m < h.n_mini && remaining > 0; m++) {
			int bw = widths[m];
			if (bw > 64)
				return ce_err_set(err, CE_E_FORMAT, "DELTA_BINARY_PACKED bit width %d", bw);
			size_t nbytes = per_mini * (size_t)bw / 8;
			size_t avail = (size_t)(end - p);
			size_t take = remaining < per_mini ? remaining : per_mini;
			/* the final miniblock may be truncated by writers when it holds padding only */
			size_t need = (take * (size_t)bw + 7) / 8;
			if (need > avail)
				return ce_err_set(err, CE_E_FORMAT, "DELTA_BINARY_PACKED miniblock past the end of the data");
			for (size_t done = 0; done < take;) {
				size_t chunk = take - done > 64 ? 64 : take - done;
				size_t off = done * (size_t)bw / 8; /* done is a multiple of 64: byte aligned */
				unpack64(p + off, avail - off, bw, buf, chunk);
				for (size_t k = 0; k < chunk; k++) {
					cur += (uint64_t)min_delta + buf[k];
					if (i < total)
						out[i++] = is32 ? (int64_t)(int32_t)(uint32_t)cur : (int64_t)cur;
				}
				done += chunk;
			}
			remaining -= take;
			p += nbytes > avail ? avail : nbytes;
		}
	}
	*n_out = i;
	*consumed = (size_t)(p - start);
	return CE_OK;
}
