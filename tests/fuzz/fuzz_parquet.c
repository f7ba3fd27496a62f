/*
 * fuzz_parquet.c - arbitrary bytes as a Parquet file, read from memory:
 * footer, schema, every readable column's pages, all getters.  Decoded
 * memory per row group is capped so that a hostile size field is an error,
 * not an out-of-memory kill.
 */
#include <stdlib.h>

#include "ce_alloc.h"
#include "fuzz.h"
#include "parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parquet_options opt;
	parquet_options_init(&opt);
	opt.verify_crc = size & 1; /* both paths: with CRC checks most mutations stop early */
	opt.max_row_group_bytes = (size_t)64 << 20;
	struct ce_err err;
	struct parquet *pq = parquet_open_memory(data, size, "fuzz.parquet", &opt, &err);
	if (!pq)
		return 0;
	int n = parquet_num_columns(pq);
	int *cols = ce_malloc_array(n ? (size_t)n : 1, sizeof *cols);
	int k = 0;
	if (!cols)
		abort();
	for (int i = 0; i < n; i++)
		if (parquet_column_check(pq, i, &err) == CE_OK)
			cols[k++] = i;
	(void)parquet_metadata(pq, "huggingface", NULL);
	if (parquet_select(pq, cols, k, &err) == CE_OK) {
		int has;
		int64_t rows = 0;
		while (parquet_next_row(pq, &has, &err) == CE_OK && has) {
			rows++;
			for (int j = 0; j < k; j++) {
				const char *s;
				size_t len;
				int64_t v;
				double d;
				int b;
				(void)parquet_is_null(pq, cols[j]);
				if (parquet_get_str(pq, cols[j], &s, &len) && len)
					CE_ASSERT(s[0] == s[0] && s[len - 1] == s[len - 1]); /* readable (ASan) */
				(void)parquet_get_i64(pq, cols[j], &v);
				(void)parquet_get_f64(pq, cols[j], &d);
				(void)parquet_get_bool(pq, cols[j], &b);
				size_t m = parquet_list_len(pq, cols[j]);
				for (size_t e = 0; e < m; e++) {
					if (parquet_list_get_str(pq, cols[j], e, &s, &len) && len)
						CE_ASSERT(s[len - 1] == s[len - 1]);
					(void)parquet_list_get_f64(pq, cols[j], e, &d);
				}
			}
		}
		CE_ASSERT(rows <= parquet_num_rows(pq));
	}
	ce_free(cols);
	parquet_close(pq);
	return 0;
}
