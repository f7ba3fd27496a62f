/*
 * parquet_int.h - private to eval/data/parquet*.c: the Thrift-decoded footer
 * and page structures, the codec and encoding decoders.  Not a public header.
 *
 * Everything here works on bounded byte ranges (p, end); every length read
 * from a file is checked against the range before use.  Decoders report
 * failure by returning a non-OK ce_status and filling err with what was wrong;
 * the caller (parquet.c) prefixes the file and column name.
 */
#ifndef PARQUET_INT_H
#define PARQUET_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

/* ---- format enums (values from parquet.thrift) ---- */
enum pq_type { PQT_BOOLEAN = 0, PQT_INT32 = 1, PQT_INT64 = 2, PQT_INT96 = 3, PQT_FLOAT = 4, PQT_DOUBLE = 5,
	       PQT_BYTE_ARRAY = 6, PQT_FLBA = 7 };
enum pq_rep { PQR_REQUIRED = 0, PQR_OPTIONAL = 1, PQR_REPEATED = 2 };
enum pq_conv { PQC_NONE = -1, PQC_UTF8 = 0, PQC_MAP = 1, PQC_MAP_KEY_VALUE = 2, PQC_LIST = 3, PQC_ENUM = 4,
	       PQC_DECIMAL = 5, PQC_DATE = 6, PQC_TIME_MILLIS = 7, PQC_TIME_MICROS = 8, PQC_TIMESTAMP_MILLIS = 9,
	       PQC_TIMESTAMP_MICROS = 10, PQC_UINT_8 = 11, PQC_UINT_16 = 12, PQC_UINT_32 = 13, PQC_UINT_64 = 14,
	       PQC_INT_8 = 15, PQC_INT_16 = 16, PQC_INT_32 = 17, PQC_INT_64 = 18, PQC_JSON = 19, PQC_BSON = 20,
	       PQC_INTERVAL = 21 };
/* LogicalType union member ids (field ids of the union). */
enum pq_logical { PQL_NONE = 0, PQL_STRING = 1, PQL_MAP = 2, PQL_LIST = 3, PQL_ENUM = 4, PQL_DECIMAL = 5,
		  PQL_DATE = 6, PQL_TIME = 7, PQL_TIMESTAMP = 8, PQL_INTEGER = 10, PQL_UNKNOWN = 11, PQL_JSON = 12,
		  PQL_BSON = 13, PQL_UUID = 14, PQL_FLOAT16 = 15, PQL_OTHER = 99 };
enum pq_codec { PQZ_UNCOMPRESSED = 0, PQZ_SNAPPY = 1, PQZ_GZIP = 2, PQZ_LZO = 3, PQZ_BROTLI = 4, PQZ_LZ4 = 5,
		PQZ_ZSTD = 6, PQZ_LZ4_RAW = 7 };
enum pq_page_type { PQP_DATA = 0, PQP_INDEX = 1, PQP_DICT = 2, PQP_DATA_V2 = 3 };
enum pq_encoding { PQE_PLAIN = 0, PQE_PLAIN_DICTIONARY = 2, PQE_RLE = 3, PQE_BIT_PACKED = 4,
		   PQE_DELTA_BINARY_PACKED = 5, PQE_DELTA_LENGTH_BYTE_ARRAY = 6, PQE_DELTA_BYTE_ARRAY = 7,
		   PQE_RLE_DICTIONARY = 8, PQE_BYTE_STREAM_SPLIT = 9 };
enum pq_time_unit { PQU_NONE = 0, PQU_MILLIS = 1, PQU_MICROS = 2, PQU_NANOS = 3 };

/* ---- footer ---- */
struct pq_schema_elem {
	int type;             /* enum pq_type, -1 for a group */
	int32_t type_length;  /* FIXED_LEN_BYTE_ARRAY width */
	int repetition;       /* enum pq_rep; REQUIRED when absent */
	const char *name;     /* NUL-terminated copy, owned by the metadata arena */
	int32_t num_children; /* 0 for a leaf */
	int converted;        /* enum pq_conv, PQC_NONE when absent */
	int logical;          /* enum pq_logical */
	int int_bits;         /* LogicalType INTEGER bitWidth */
	int int_signed;       /* LogicalType INTEGER isSigned */
	int time_unit;        /* LogicalType TIMESTAMP/TIME unit */
};

struct pq_column_chunk {
	int has_meta;
	int has_file_path;     /* data in another file: unsupported */
	int encrypted;         /* crypto_metadata / encrypted_column_metadata present */
	int type;
	int codec;
	int64_t num_values;
	int64_t total_compressed_size;
	int64_t data_page_offset;
	int64_t dictionary_page_offset; /* -1 when absent */
};

struct pq_row_group {
	int64_t num_rows;
	int32_t n_columns;
	struct pq_column_chunk *columns;
};

struct pq_kv {
	const char *key, *value; /* value may be NULL */
	size_t value_len;
};

struct pq_file_meta {
	int64_t num_rows;
	int32_t n_schema;
	struct pq_schema_elem *schema;
	int32_t n_row_groups;
	struct pq_row_group *row_groups;
	int32_t n_kv;
	struct pq_kv *kv;
	const char *created_by;
	int encrypted; /* encryption_algorithm present */
	/* all of the above lives in these blocks */
	void **blocks;
	size_t n_blocks, cap_blocks;
};

/* Decode the FileMetaData struct in [p, p+len). On error meta is freed. */
enum ce_status pq_thrift_file_meta(const uint8_t *p, size_t len, struct pq_file_meta *meta, struct ce_err *err);
void pq_file_meta_free(struct pq_file_meta *meta);

struct pq_page_header {
	int type;
	int32_t uncompressed_size, compressed_size;
	int has_crc;
	uint32_t crc;
	/* data page v1 / v2 / dictionary page */
	int32_t num_values;
	int encoding;
	int def_encoding, rep_encoding; /* v1 */
	int32_t num_nulls, num_rows;    /* v2 */
	int32_t def_len, rep_len;       /* v2 */
	int v2_compressed;              /* v2 is_compressed (default 1) */
	int has_body;                   /* the type-specific header was present */
};

/* Decode a PageHeader at p (at most avail bytes); *used = its size. */
enum ce_status pq_thrift_page_header(const uint8_t *p, size_t avail, struct pq_page_header *h, size_t *used,
				     struct ce_err *err);

/* ---- codecs (parquet_codec.c) ---- */
/* Is the codec one this build decodes? */
int pq_codec_supported(int codec);
const char *pq_codec_name(int codec);
/* Decompress src into dst, which must come out exactly dst_len bytes. */
enum ce_status pq_decompress(int codec, const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
			     struct ce_err *err);

/* ---- encodings (parquet_encoding.c) ---- */
/* One byte-array value: a view into a buffer the column chunk owns. */
struct pq_span {
	const uint8_t *p;
	uint32_t len;
};

/*
 * RLE / bit-packed hybrid: decode n values of bit width bw (0..32) from
 * [p, end) into out.  Fails when the data ends before n values.
 */
enum ce_status pq_rle_decode(const uint8_t *p, const uint8_t *end, int bw, uint32_t *out, size_t n,
			     struct ce_err *err);

/*
 * DELTA_BINARY_PACKED: decode up to n values (exactly n, or the count the
 * header gives when want_all) into out (int64, INT32 values wrap at 32 bits
 * when is32).  *n_out = values decoded; *consumed = bytes used.
 */
enum ce_status pq_delta_decode(const uint8_t *p, const uint8_t *end, int is32, int64_t *out, size_t n,
			       size_t *n_out, size_t *consumed, struct ce_err *err);
/* Number of values a DELTA_BINARY_PACKED header announces. */
enum ce_status pq_delta_count(const uint8_t *p, const uint8_t *end, size_t *count, struct ce_err *err);

/* Bit width of values 0..max (0 for max 0). */
int pq_bit_width(uint64_t max);

#endif
