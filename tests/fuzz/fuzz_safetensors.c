/*
 * fuzz_safetensors.c - arbitrary bytes as a model.safetensors image: the
 * parser must accept or reject without crashing, and every tensor it accepts
 * must lie inside the buffer and convert cleanly; read without any
 * architecture's naming, names stay as stored.
 */
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "fuzz.h"
#include "safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct safetensors *st = NULL;
	struct ce_err err;
	if (safetensors_parse_buffer("fuzz.safetensors", data, size, &st, &err) != CE_OK)
		return 0;
	for (size_t i = 0; i < safetensors_count(st); i++) {
		const struct st_tensor *t = safetensors_get(st, i);
		if (t->data < data || t->data + t->nbytes > data + size)
			abort();
		/* keep conversions small so the fuzzer stays fast */
		if (t->numel <= (1u << 16) &&
		    (t->dtype == ST_DTYPE_F32 || t->dtype == ST_DTYPE_F16 || t->dtype == ST_DTYPE_BF16)) {
			float *f = NULL;
			if (safetensors_to_f32(st, t, &f, &err) == CE_OK)
				ce_free(f);
		}
		if (!t->ignored && safetensors_find(st, t->name) != t)
			abort();
	}
	safetensors_close(st);
	/* the format alone (no architecture's naming): raw names, each found as itself */
	if (safetensors_parse_buffer_named("fuzz.safetensors", data, size, NULL, &st, &err) != CE_OK)
		return 0;
	for (size_t i = 0; i < safetensors_count(st); i++) {
		const struct st_tensor *t = safetensors_get(st, i);
		if (t->ignored || strcmp(t->name, t->raw_name) != 0 || safetensors_find(st, t->name) != t)
			abort();
	}
	safetensors_close(st);
	return 0;
}
