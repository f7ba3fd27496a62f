/*
 * ranked_list.h - one query's ranking joined with its relevance judgements,
 * with trec_eval semantics, and the registry of ranking measures read from it.
 *
 * What it does: ranked_list_build() orders a query's run (docno, score) the
 * way trec_eval's form_res_rels.c does (score descending, ties by docno
 * descending with byte-wise strcmp) or, for MTEB's R1 MRR, by score only
 * keeping the given order inside a tie; it then attaches to each rank the
 * qrels value of that doc and keeps the ideal gain vector for nDCG.  The
 * measure functions (rank_measures[], m_ranking.c) read only this summary.
 *
 * What it does not do: read files (score.h), aggregate over queries (the
 * caller; rank_round5() reproduces the 5-decimal rounding of BEIR/mteb R1).
 *
 * Conventions reproduced (trec_eval 9.0.x, pytrec_eval defaults):
 *   - relevance_level = 1: a doc is relevant iff its qrels value >= 1;
 *   - a qrels value 0 is judged non-relevant; a negative value is "in the pool
 *     but unjudged": counted nowhere (not in R, no gain), as form_res_rels.c;
 *   - nDCG gain is the qrels value itself (linear), discount log2(rank + 1);
 *     the ideal vector holds every qrels value > 0 of the query, retrieved or
 *     not, sorted descending;
 *   - a docno that appears twice in one query's run (or twice in its qrels) is
 *     an error: trec_eval's form_res_rels.c stops with "duplicate docs" and
 *     computes nothing, so we refuse instead of guessing (CE_E_FORMAT).
 *
 * Ownership: struct ranked_list is caller-owned (init/deinit); it owns its
 * arrays and reuses them across ranked_list_build() calls.  Docno strings are
 * borrowed only during the build call.
 */
#ifndef RANKED_LIST_H
#define RANKED_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

/* rels[] value of a retrieved doc that is not in the query's qrels. */
#define RL_REL_NONPOOL (-1)
/* rels[] value of a retrieved doc whose qrels value is negative. */
#define RL_REL_UNJUDGED (-2)

/* How equal scores are ordered. */
enum rl_tie {
	RL_TIE_DOCNO_DESC = 0, /* trec_eval / pytrec_eval, mteb R3 MRR: docno descending (strcmp) */
	RL_TIE_INPUT_ORDER = 1 /* BEIR/mteb R1-R2 MRR: stable sort on score, given order kept */
};

/* One retrieved document of a query's run. */
struct rl_entry {
	const char *docno; /* NUL-terminated id */
	double score;      /* higher ranks first; must not be NaN */
};

/* One qrels line of a query. */
struct rl_judgement {
	const char *docno;
	int32_t rel; /* graded relevance; 0 = judged non-relevant, < 0 = unjudged */
};

struct ranked_list {
	int32_t *rels;     /* [n_ret] qrels value per rank (rank r at rels[r-1]) or RL_REL_* */
	int64_t n_ret;     /* retrieved docs (run length) */
	int64_t n_rel;     /* qrels entries with value >= 1 (trec "num_rel", R) */
	int64_t n_rel_ret; /* retrieved docs with value >= 1 */
	int32_t *ideal;    /* [n_ideal] qrels values > 0, descending (IDCG gains) */
	int64_t n_ideal;
	/* private scratch, reused across builds */
	size_t cap_rels, cap_ideal, cap_scratch, cap_qscratch;
	void *scratch;
	void *qscratch;
};

/* Zero the struct (no allocation). */
void ranked_list_init(struct ranked_list *rl);
/* Free the arrays; rl may be NULL or already deinitialised. */
void ranked_list_deinit(struct ranked_list *rl);

/*
 * Build rl from one query's run and qrels.
 *   [in] run, n_run: retrieved docs in any order (n_run may be 0, run NULL then)
 *   [in] qrels, n_qrels: judgements of this query (n_qrels may be 0)
 *   [in] tie: tie rule for equal scores
 * Errors: CE_E_FORMAT (duplicate docno in run or qrels; message names it),
 *         CE_E_INVALID_ARG (NaN score), CE_E_NOMEM.  On error rl is left empty.
 */
enum ce_status ranked_list_build(struct ranked_list *rl, const struct rl_entry *run, size_t n_run,
				 const struct rl_judgement *qrels, size_t n_qrels, enum rl_tie tie,
				 struct ce_err *err);

/*
 * Ranking measures (m_ranking.c).  Each takes the list and a cutoff k
 * (k <= 0 means "no cutoff" for measures that accept one) and follows the
 * trec_eval source file named in its help text.
 */
double rank_ndcg(const struct ranked_list *rl, int64_t k);       /* ndcg (k<=0) / ndcg_cut.k */
double rank_map(const struct ranked_list *rl, int64_t k);        /* map (k<=0) / map_cut.k */
double rank_precision(const struct ranked_list *rl, int64_t k);  /* P.k (k >= 1) */
double rank_recall(const struct ranked_list *rl, int64_t k);     /* recall.k (k<=0: whole list) */
double rank_recip_rank(const struct ranked_list *rl, int64_t k); /* recip_rank (k<=0) / mrr_cut.k */
double rank_success(const struct ranked_list *rl, int64_t k);    /* success.k */

enum rank_agg {
	RANK_AGG_MEAN = 0, /* summary = mean over evaluated queries */
	RANK_AGG_SUM = 1   /* summary = sum (trec_eval's num_ret, num_rel, num_rel_ret) */
};

/*
 * One entry of the measure registry (trec_eval's TREC_MEAS idea).  The
 * registry is read by `ceval score` (by name, rank_measures_parse) and by
 * `ceval run`: Retrieval reports every entry that has a result_key, in
 * registry order, at each of the task's k values (once, k = 0, for a measure
 * without cutoffs); Reranking's trec values look entries up by name.
 */
struct rank_measure {
	const char *name;               /* trec_eval name, e.g. "ndcg_cut" */
	const char *help;               /* one paragraph */
	int has_cutoffs;                /* 1: needs ".k[,k...]" (defaults below if omitted) */
	const int64_t *default_cutoffs; /* trec_eval's defaults */
	size_t n_default_cutoffs;
	int is_count;                   /* 1: integer valued, printed with %ld */
	enum rank_agg agg;
	double (*fn)(const struct ranked_list *rl, int64_t k);
	const char *result_key;         /* MTEB results key prefix, "ndcg_at" -> "ndcg_at_10"; NULL: not in results */
	enum rl_tie result_tie;         /* tie rule `ceval run` Retrieval ranks by (R1; BEIR's MRR: input order) */
};

/* The registry (read-only) and its length. */
extern const struct rank_measure rank_measures[];
extern const size_t rank_measures_count;

/* Registry entry named name (exact match), or NULL. */
const struct rank_measure *rank_measure_find(const char *name);

/*
 * The key `ceval run` writes in results JSON for m at cutoff k:
 * m->result_key, then "_<k>" when m has cutoffs ("ndcg_at_10").
 *   [out] buf [size]
 * Returns 0, or -1 (buf then "") when m has no result key or buf is too small.
 */
int rank_measure_result_key(const struct rank_measure *m, int64_t k, char *buf, size_t size);

/* One requested measure value: a registry entry plus its cutoff. */
#define RANK_MEAS_NAME_MAX 64
struct rank_meas_inst {
	const struct rank_measure *m;
	int64_t k;                      /* cutoff, 0 when the measure has none */
	char name[RANK_MEAS_NAME_MAX];  /* output name as trec_eval prints it: "ndcg_cut_10", "map" */
};

/*
 * Parse a measure list in trec_eval's -m syntax, several separated by commas:
 *   "ndcg_cut.10,100,map,P.5,recip_rank,num_q"
 * A comma-separated token made only of digits adds a cutoff to the preceding
 * measure; a cutoff measure without ".k" gets trec_eval's default cutoffs.
 * Cutoffs of one measure are sorted ascending and de-duplicated (as trec_eval's
 * init procedures require).  Also accepts "mrr_cut.k" (MTEB mrr_at_k) and
 * "num_q" (number of evaluated queries; summary only).
 *   [out] *out (ce_free), *n_out
 * Errors: CE_E_INVALID_ARG naming the bad token, CE_E_NOMEM.
 */
enum ce_status rank_measures_parse(const char *spec, struct rank_meas_inst **out, size_t *n_out,
				   struct ce_err *err);

/*
 * Python's round(x, 5): the double nearest to the decimal value of x rounded
 * half-to-even at 5 decimals (BEIR/mteb R1 round retrieval means this way).
 * NaN and infinities are returned unchanged.
 */
double rank_round5(double x);

#endif
