/* fuzz_run.c - arbitrary bytes as a run file, scored against a fixed qrels
 * with every measure and report format (output discarded). */
#include <stdio.h>

#include "fuzz.h"
#include "score.h"

static const char QRELS[] = "q1 0 a 1\nq1 0 b 2\nq1 0 c 0\nq1 0 d -1\nq2 0 x 1\nq3 0 y 3\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *out = fopen("/dev/null", "w");
	if (!out)
		return 0;
	for (int fmt = 0; fmt < 3; fmt++) {
		struct score_options o;
		score_options_init(&o);
		o.measures = "num_q,num_ret,num_rel,num_rel_ret,map,map_cut.1,3,ndcg,ndcg_cut.2,P.3,recall.2,recip_rank,success.1,mrr_cut.2";
		o.output = (enum score_output)fmt;
		o.per_query = fmt != 1;
		o.complete = fmt == 2;
		o.tie = fmt == 1 ? RL_TIE_INPUT_ORDER : RL_TIE_DOCNO_DESC;
		struct ce_err err;
		(void)score_run_mem(&o, QRELS, sizeof QRELS - 1, (const char *)data, size, out, &err);
	}
	fclose(out);
	return 0;
}
