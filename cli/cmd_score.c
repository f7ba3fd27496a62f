/* cmd_score.c - `ceval score`: trec_eval-compatible scoring of any run file (eval/score.h). */
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "cli.h"
#include "score.h"

static struct {
	const char *qrels, *run, *measures, *format, *qrels_format, *run_format, *ties;
	int per_query, complete;
} args;

static const struct cli_opt *score_options(void)
{
	static const struct cli_opt opts[] = {
		{"qrels", 'q', CLI_OPT_STRING, &args.qrels, "FILE",
		 "Relevance judgements: TREC qrels (qid iter docno rel) or BEIR TSV (query-id, corpus-id, score with a "
		 "header line); plain or .zst.",
		 NULL, 0, 0, 1},
		{"run", 'r', CLI_OPT_STRING, &args.run, "FILE",
		 "Ranking to score: TREC run lines (qid Q0 docno rank score tag). The rank column is ignored: documents "
		 "are ranked by score, ties by docno descending, as trec_eval does.",
		 NULL, 0, 0, 1},
		{"measures", 'm', CLI_OPT_STRING, &args.measures, "LIST",
		 "Comma-separated trec_eval measures: ndcg, ndcg_cut.K, map, map_cut.K, P.K, recall.K, recip_rank, "
		 "success.K, num_q, num_ret, num_rel, num_rel_ret, mrr_cut.K (MTEB mrr_at_K; also accepted as "
		 "mrr_at_K). Several cutoffs: ndcg_cut.5,10,100.",
		 SCORE_DEFAULT_MEASURES, 0, 0, 0},
		{"per-query", 0, CLI_OPT_FLAG, &args.per_query, NULL, "Also print every query's values (trec_eval -q).",
		 NULL, 0, 0, 0},
		{"complete", 'c', CLI_OPT_FLAG, &args.complete, NULL,
		 "Evaluate every query of the qrels, counting one missing from the run as an empty ranking (trec_eval "
		 "-c).",
		 NULL, 0, 0, 0},
		{"format", 'f', CLI_OPT_STRING, &args.format, "trec|json|table",
		 "Output: trec = trec_eval's lines (measure, qid|all, value with 4 decimals) to diff against trec_eval.",
		 "table", 0, 0, 0},
		{"qrels-format", 0, CLI_OPT_STRING, &args.qrels_format, "auto|trec|beir", "Qrels file format.", "auto", 0,
		 0, 0},
		{"run-format", 0, CLI_OPT_STRING, &args.run_format, "trec", "Run file format.", "trec", 0, 0, 0},
		{"ties", 0, CLI_OPT_STRING, &args.ties, "trec|input",
		 "Order of equal scores: trec = docno descending (trec_eval, mteb 2.x MRR); input = file order (BEIR / "
		 "mteb 1.x MRR).",
		 "trec", 0, 0, 0},
		CLI_OPT_END,
	};
	return opts;
}

/* "mrr_at_10" -> "mrr_cut.10" so MTEB's metric names work too. */
static char *translate_measures(const char *in)
{
	size_t n = strlen(in);
	char *out = ce_malloc(2 * n + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		if (strncmp(in + i, "mrr_at_", 7) == 0 && (i == 0 || in[i - 1] == ',')) {
			memcpy(out + o, "mrr_cut.", 8);
			o += 8;
			i += 7;
		} else {
			out[o++] = in[i++];
		}
	}
	out[o] = '\0';
	return out;
}

static int run_score(const struct cli_command *self, int argc, char **argv)
{
	memset(&args, 0, sizeof args);
	args.format = "table";
	args.qrels_format = "auto";
	args.run_format = "trec";
	args.ties = "trec";
	enum cli_parse_result pr = cli_parse(self, score_options(), argc, argv, NULL, 0, NULL);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	struct score_options opt;
	score_options_init(&opt);
	opt.qrels_path = args.qrels;
	opt.run_path = args.run;
	opt.per_query = args.per_query;
	opt.complete = args.complete;
	if (strcmp(args.format, "trec") == 0)
		opt.output = SCORE_OUTPUT_TREC;
	else if (strcmp(args.format, "json") == 0)
		opt.output = SCORE_OUTPUT_JSON;
	else if (strcmp(args.format, "table") == 0)
		opt.output = SCORE_OUTPUT_TABLE;
	else
		return cli_usage_error(self, "--format must be trec, json or table, got '%s'", args.format);
	if (strcmp(args.qrels_format, "auto") == 0)
		opt.qrels_format = SCORE_QRELS_AUTO;
	else if (strcmp(args.qrels_format, "trec") == 0)
		opt.qrels_format = SCORE_QRELS_TREC;
	else if (strcmp(args.qrels_format, "beir") == 0)
		opt.qrels_format = SCORE_QRELS_BEIR;
	else
		return cli_usage_error(self, "--qrels-format must be auto, trec or beir, got '%s'", args.qrels_format);
	if (strcmp(args.run_format, "trec") != 0)
		return cli_usage_error(self, "--run-format: only trec runs are supported, got '%s'", args.run_format);
	if (strcmp(args.ties, "trec") == 0)
		opt.tie = RL_TIE_DOCNO_DESC;
	else if (strcmp(args.ties, "input") == 0)
		opt.tie = RL_TIE_INPUT_ORDER;
	else
		return cli_usage_error(self, "--ties must be trec or input, got '%s'", args.ties);
	char *measures = NULL;
	if (args.measures) {
		measures = translate_measures(args.measures);
		if (!measures)
			return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
		opt.measures = measures;
	}
	struct ce_err err;
	ce_err_clear(&err);
	enum ce_status st = score_run(&opt, stdout, &err);
	ce_free(measures);
	if (st == CE_E_INVALID_ARG)
		return cli_usage_error(self, "%s", err.msg);
	if (st != CE_OK)
		return cli_report(&err);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : cli_report(&(struct ce_err){CE_E_IO, "writing standard output failed"});
}

const struct cli_command cmd_score = {
	"score",
	"Score a retrieval/reranking run against qrels with trec_eval's semantics",
	"ceval score --qrels FILE --run FILE [--measures LIST] [--per-query] [--format trec|json|table]",
	"Computes ranking measures exactly as trec_eval (and pytrec_eval) define them, for runs from any system "
	"(BM25, hybrid search, an ANN index, a reranker). nDCG uses the graded qrels value as gain; relevance level "
	"is 1; queries without judgements are skipped unless --complete. The same code computes the retrieval "
	"metrics of `ceval run`. Large runs grouped by query are streamed.",
	"ceval score --qrels qrels/test.tsv --run bm25.run\n"
	"ceval score -q qrels.txt -r run.txt -m ndcg_cut.10,map,recall.100 --format trec > ceval.txt\n"
	"ceval score -q qrels.txt -r run.txt -m mrr_at_10 --ties input --per-query",
	score_options,
	run_score,
};
