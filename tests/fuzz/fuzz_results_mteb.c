/* fuzz_results_mteb.c - arbitrary bytes as an MTEB results file of any shape (results_mteb_read_buffer),
 * then the C-MTEB score of a fixed task from it (leaderboard_task_score). */
#include <stdint.h>
#include <string.h>

#include "ce_alloc.h"
#include "fuzz.h"
#include "leaderboard.h"
#include "results_mteb.h"
#include "task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char y[] = "name: STS22\ntype: sts\ndataset: {path: x}\nhf_subset: zh\neval_splits: [test]\n";
	struct task *t = NULL;
	struct ce_err err;
	CE_ASSERT(task_load_buffer("sts22.yaml", y, sizeof y - 1, &t, &err) == CE_OK);
	struct task_result r;
	enum results_shape shape;
	if (results_mteb_read_buffer("fuzz.json", (const char *)data, size, &r, &shape, &err) == CE_OK) {
		CE_ASSERT(r.task_name && r.n_scores >= 1);
		for (int32_t i = 0; i < r.n_scores; i++)
			CE_ASSERT(r.scores[i].split && r.scores[i].hf_subset);
		double v;
		if (strcmp(r.task_name, "STS22") == 0)
			(void)leaderboard_task_score(&r, t, "fuzz.json", &v, &err);
	}
	task_result_deinit(&r);
	task_free(t);
	return 0;
}
