/* fuzz_results.c - arbitrary bytes as a results JSON file (results_read_buffer). */
#include <stdint.h>

#include "ce_alloc.h"
#include "fuzz.h"
#include "results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct task_result r;
	struct ce_err err;
	if (results_read_buffer("fuzz.json", (const char *)data, size, &r, &err) == CE_OK) {
		CE_ASSERT(r.task_name && r.n_scores >= 1);
		/* whatever was read must serialise again when it has a model */
		if (r.model_name && r.main_score_name) {
			char *json;
			size_t len;
			if (results_to_json(&r, &json, &len, &err) == CE_OK)
				ce_free(json);
		}
	}
	task_result_deinit(&r);
	return 0;
}
