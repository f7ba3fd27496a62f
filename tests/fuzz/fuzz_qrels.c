/* fuzz_qrels.c - arbitrary bytes as a qrels file (TREC and BEIR, autodetected
 * and forced), through qrels_parse_mem and its accessors. */
#include <string.h>

#include "fuzz.h"
#include "score.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum score_qrels_format fmts[] = {SCORE_QRELS_AUTO, SCORE_QRELS_TREC, SCORE_QRELS_BEIR};
	for (size_t f = 0; f < 3; f++) {
		struct ce_err err;
		struct qrels *q = qrels_parse_mem("fuzz", (const char *)data, size, fmts[f], &err);
		if (!q)
			continue;
		size_t total = 0;
		for (size_t i = 0; i < qrels_n_queries(q); i++) {
			const struct rl_judgement *j;
			size_t n = qrels_judgements(q, i, &j);
			total += n;
			if (qrels_find(q, qrels_query_id(q, i)) != (int64_t)i)
				__builtin_trap();
			for (size_t k = 1; k < n; k++)
				if (strcmp(j[k - 1].docno, j[k].docno) >= 0)
					__builtin_trap(); /* sorted, no duplicates */
		}
		(void)total;
		qrels_free(q);
	}
	return 0;
}
