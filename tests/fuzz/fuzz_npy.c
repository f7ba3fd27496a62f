/* fuzz_npy.c - the .npy reader of `ceval check --embeddings` on arbitrary bytes. */
#include <stdint.h>

#include "ce_alloc.h"
#include "fuzz.h"
#include "npy_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	float *m = NULL;
	int64_t rows = 0, cols = 0;
	struct ce_err err;
	if (npy_parse_f32("fuzz.npy", data, size, &m, &rows, &cols, &err) == CE_OK) {
		/* touch every value: a wrong size computation shows up under ASan */
		volatile float sink = 0;
		for (int64_t i = 0; i < rows * cols; i++)
			sink += m[i];
		(void)sink;
	}
	ce_free(m);
	return 0;
}
