/* fuzz_task_yaml.c - arbitrary bytes as a task YAML file (task_load_buffer). */
#include <stdint.h>

#include "fuzz.h"
#include "task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct task *t = NULL;
	struct ce_err err;
	if (task_load_buffer("fuzz.yaml", (const char *)data, size, &t, &err) == CE_OK) {
		/* a loaded task must be self-consistent */
		CE_ASSERT(t->name && t->dataset_path && t->main_score && t->n_eval_splits >= 1);
		CE_ASSERT(t->type < TASK_TYPE_COUNT && t->n_k_values >= 1);
		task_free(t);
	} else {
		CE_ASSERT(t == NULL && err.code != CE_OK);
	}
	return 0;
}
