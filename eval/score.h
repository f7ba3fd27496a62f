/*
 * score.h - trec_eval-compatible scoring of a run file against a qrels file:
 * the library behind `ceval score` (the command file only parses argv).
 *
 * Inputs (plain or zstd, read with common/line_reader.h):
 *   - qrels, TREC:  "qid iter docno rel"   (whitespace separated, 4 fields)
 *   - qrels, BEIR:  "query-id<TAB>corpus-id<TAB>score" header, then one
 *                   tab-separated line per judgement (the header is skipped)
 *   - run, TREC:    "qid Q0 docno rank score tag" (>= 6 fields; rank, tag and
 *                   anything after are ignored; ranks come from the scores, as
 *                   trec_eval's get_trec_results.c)
 * Blank lines and lines whose first non-blank character is '#' are skipped
 * (trec_eval skips both in runs and '#' lines in qrels).  Anything else that
 * is malformed is CE_E_FORMAT "file:line: what is wrong".  Relevance values
 * must be integers in int32 range; scores must parse fully as numbers (not NaN).
 * A docno repeated within one query of the run, or a (qid, docno) repeated in
 * the qrels, is an error, as trec_eval refuses "duplicate docs".
 *
 * Query set (trec_eval semantics): a query is evaluated when it is in both
 * the run and the qrels (run queries without any qrels line are skipped);
 * with complete = 1 (trec_eval -c) every qrels query is evaluated, an absent
 * one as an empty ranking.  A query whose qrels lines are all <= 0 is still
 * evaluated (its R is 0, so most measures are 0), as in trec_eval.
 * Summary: mean over evaluated queries summed in strcmp order of qid (the
 * order trec_eval accumulates in), except num_* which are sums.
 *
 * Memory: when the run is grouped by query (every query's lines contiguous,
 * the normal case) only one query's list is held at a time, plus one small
 * record per query; otherwise the run is read again and held whole.
 *
 * Ownership: nothing returned by score_run* outlives the call; struct qrels
 * owns all its strings (borrowed pointers valid until qrels_free).
 */
#ifndef SCORE_H
#define SCORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ce_status.h"
#include "ranked_list.h"

enum score_qrels_format {
	SCORE_QRELS_AUTO = 0, /* BEIR if the first content line has 3 tab-separated fields, else TREC */
	SCORE_QRELS_TREC = 1,
	SCORE_QRELS_BEIR = 2
};

enum score_output {
	SCORE_OUTPUT_TREC = 0,  /* trec_eval: "%-22s\t%s\t%6.4f" (counts "%ld"), qid or "all" */
	SCORE_OUTPUT_JSON = 1,  /* {"num_q":N,"all":{...},"per_query":{qid:{...}}} full precision */
	SCORE_OUTPUT_TABLE = 2  /* aligned text table for people */
};

/* Measures used when score_options.measures is NULL. */
#define SCORE_DEFAULT_MEASURES "num_q,num_ret,num_rel,num_rel_ret,map,recip_rank,ndcg,ndcg_cut.10,P.10,recall.100"

struct score_options {
	const char *qrels_path;            /* file, or name used in messages by score_run_mem */
	const char *run_path;              /* idem */
	const char *measures;              /* trec_eval -m list (rank_measures_parse); NULL = default */
	enum score_qrels_format qrels_format;
	enum score_output output;
	int per_query;                     /* 1: also print each query (trec_eval -q) */
	int complete;                      /* 1: evaluate every qrels query (trec_eval -c) */
	enum rl_tie tie;                   /* tie rule for equal scores; default trec's docno desc */
};

/* Defaults: AUTO qrels, TREC output, no per-query, not complete, trec ties. */
void score_options_init(struct score_options *opt);

/*
 * Read opt->qrels_path and opt->run_path, evaluate, and write the report to out.
 * Errors: CE_E_NOT_FOUND / CE_E_IO (files), CE_E_FORMAT (file:line: ...),
 * CE_E_INVALID_ARG (bad measure list), CE_E_MISMATCH (no query has both
 * results and judgements), CE_E_LIMIT, CE_E_NOMEM.  Nothing is written to out
 * on error.
 */
enum ce_status score_run(const struct score_options *opt, FILE *out, struct ce_err *err);

/* The same over in-memory file contents (tests, fuzzing); the paths in opt
 * are used only to name the inputs in messages. */
enum ce_status score_run_mem(const struct score_options *opt, const char *qrels_data, size_t qrels_len,
			     const char *run_data, size_t run_len, FILE *out, struct ce_err *err);

/* ---------------------------------------------------------------- qrels */

struct qrels;

/* Load a qrels file (plain or .zst). NULL + err on failure (codes as score_run). */
struct qrels *qrels_load(const char *path, enum score_qrels_format fmt, struct ce_err *err);
/* Parse qrels held in memory; name is used in messages. */
struct qrels *qrels_parse_mem(const char *name, const char *data, size_t len, enum score_qrels_format fmt,
			      struct ce_err *err);
/* Number of distinct query ids. */
size_t qrels_n_queries(const struct qrels *q);
/* Query id i (0 <= i < n), queries in strcmp order. Valid until qrels_free. */
const char *qrels_query_id(const struct qrels *q, size_t i);
/* Judgements of query i, sorted by docno; returns their count. Valid until qrels_free. */
size_t qrels_judgements(const struct qrels *q, size_t i, const struct rl_judgement **out);
/* Index of qid, or -1 when the qrels have no line for it. */
int64_t qrels_find(const struct qrels *q, const char *qid);
/* The format that was parsed (TREC or BEIR, never AUTO). */
enum score_qrels_format qrels_format(const struct qrels *q);
void qrels_free(struct qrels *q);

#endif
