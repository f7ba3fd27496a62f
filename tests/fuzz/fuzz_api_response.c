/* fuzz_api_response.c - arbitrary bytes as an embeddings API answer (api_parse_embeddings). */
#include <stdint.h>

#include "api_json.h"
#include "ce_alloc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int64_t n = data[0] % 8; /* texts asked for */
	const char *buf = (const char *)data + 1;
	size -= 1;
	struct ce_err err;
	int32_t dim = 0;
	if (api_parse_embeddings(buf, size, n, 0, NULL, &dim, &err) != CE_OK)
		return 0;
	CE_ASSERT(n == 0 || dim > 0);
	/* a checked answer fills every row */
	float *out = n ? ce_malloc_array((size_t)n * (size_t)dim, sizeof *out) : NULL;
	if (n && !out)
		return 0;
	int32_t dim2 = dim;
	CE_ASSERT(api_parse_embeddings(buf, size, n, 0, out, &dim2, &err) == CE_OK && dim2 == dim);
	/* a known, different dimension is refused */
	int32_t other = dim + 1;
	CE_ASSERT(n == 0 || api_parse_embeddings(buf, size, n, 0, NULL, &other, &err) != CE_OK);
	ce_free(out);
	return 0;
}
