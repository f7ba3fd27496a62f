/*
 * subset.h - deterministic, stratified subsets of a loaded dataset, for quick
 * CI runs (`ceval run --subset N`).
 *
 * Rule "ceval-subset-v1" (seed SUBSET_SEED unless told otherwise):
 *   sts                  N pairs, stratified by score bucket: SUBSET_STS_BUCKETS
 *                        equal-width buckets over [score_min, score_max] of the
 *                        task (else the observed min..max); bucket =
 *                        floor((s - lo) / (hi - lo) * B), the top edge in the
 *                        last bucket.
 *   pair_classification  N pairs, stratified by label (0, 1).
 *   classification       N eval rows, stratified by label; the training pool is
 *                        untouched (the undersampling draws from all of it).
 *   clustering           in every set, N sentences stratified by label (as
 *                        mteb's ".v2" clustering tasks subsample, spec §7.2,
 *                        but per set); a set of <= N sentences is kept whole.
 *   reranking            N samples (a query with all its candidates), drawn
 *                        uniformly among the samples with at least one positive
 *                        and one negative (the others are dropped by the
 *                        evaluator anyway).
 *   retrieval            N queries, drawn uniformly among the queries named in
 *                        the split's qrels; every document in the qrels of a
 *                        chosen query; then other corpus documents drawn
 *                        uniformly until the corpus has max(M, #relevant)
 *                        documents (M = --subset-corpus, default 10 x N),
 *                        or the whole corpus if smaller.  Qrels rows of the
 *                        chosen queries are kept (file order).
 *
 * Stratified allocation (largest remainder): with stratum sizes c_k, total T
 * and N < T, stratum k gets floor(N c_k / T) items, and the N - sum of those
 * leftovers go one each to the strata with the largest remainders
 * (N c_k mod T), ties to the lower stratum id (label ids are numpy.unique
 * order).  So each stratum is within one item of its exact share N c_k / T.
 *
 * Drawing: one splitmix64 stream seeded with the seed; strata are visited in
 * id order (clustering: sets in file order, then strata); inside a stratum the
 * members are listed in ascending row order and the first a_k positions of a
 * Fisher-Yates shuffle are taken, each position j drawn as
 * j + uniform(m - j) with rejection sampling (no modulo bias).  Chosen rows
 * are then sorted ascending (distinct keys: the order is unique), so the subset
 * keeps the file order.  Only integer arithmetic (and, for STS buckets, one
 * IEEE division per row) is involved: the same data, N, M and seed select the
 * same rows on every machine.
 *
 * Nothing is subset when N (and M) cover everything: then the dataset is left
 * as it is and the result is a full run (no subset record).
 *
 * The selection hash is FNV-1a 64 over the rule name, the type name, and for
 * every chosen row a role byte and its index as 8 little-endian bytes:
 * 'r' rows (sts/pairs/classification eval rows/reranking samples),
 * 's' set number then 'i' row within the set (clustering), 'q' query index and
 * 'd' corpus index (retrieval).
 */
#ifndef SUBSET_H
#define SUBSET_H

#include <stdint.h>

#include "ce_status.h"
#include "dataset.h"

#define SUBSET_RULE "ceval-subset-v1"
#define SUBSET_SEED 42
#define SUBSET_STS_BUCKETS 5
#define SUBSET_CORPUS_FACTOR 10

/* What was asked: n = 0 means no subset; corpus = 0 means the default (10 x n). */
struct subset_spec {
	int64_t n;
	int64_t corpus;
	uint64_t seed;
};

/* What was done (when applied is 0, the dataset is whole and nothing is recorded). */
struct subset_info {
	int applied;
	int64_t n;            /* requested N */
	int64_t corpus;       /* retrieval: effective M asked (10 x N default); 0 for other types */
	uint64_t seed;
	uint64_t hash;        /* selection hash (above) */
	int64_t rows_before;  /* dataset_n_rows before */
	int64_t rows_after;
	int64_t corpus_before, corpus_after; /* retrieval only */
};

/* Deterministic splitmix64 (Steele, Lea, Flood 2014; the generator of java.util.SplittableRandom). */
struct subset_rng {
	uint64_t state;
};
void subset_rng_seed(struct subset_rng *r, uint64_t seed);
uint64_t subset_rng_next(struct subset_rng *r);
/* Uniform integer in [0, bound) (bound >= 1), by rejection: no modulo bias. */
uint64_t subset_rng_below(struct subset_rng *r, uint64_t bound);

/*
 * Largest-remainder allocation of n items over k strata of the given sizes
 * (total T, 0 <= n <= T).  [out] alloc[0..k).  CE_E_INVALID_ARG for a negative
 * size or n outside [0, T].
 */
enum ce_status subset_allocate(const int64_t *sizes, int32_t k, int64_t n, int64_t *alloc, struct ce_err *err);

/*
 * Stratified sample of n of the rows 0..n_rows-1 whose stratum is
 * strata[row] (in [0, n_strata)), drawing from rng.  [out] out[0..n) ascending.
 * n >= n_rows selects every row.  CE_E_INVALID_ARG (stratum out of range),
 * CE_E_NOMEM.
 */
enum ce_status subset_stratified(const int32_t *strata, int64_t n_rows, int32_t n_strata, int64_t n,
				 struct subset_rng *rng, int64_t *out, int64_t *n_out, struct ce_err *err);

/*
 * Replace ds by its subset under spec (rules above; t supplies the STS score
 * range).  ds->content_hash and ds->split are kept: they name the full data.
 * spec->n <= 0 leaves ds untouched (info->applied = 0).  [out] *info.
 * Errors: CE_E_INVALID_ARG (negative sizes), CE_E_NOMEM; on error ds is unchanged.
 */
enum ce_status subset_apply(struct dataset *ds, const struct task *t, const struct subset_spec *spec,
			    struct subset_info *info, struct ce_err *err);

/*
 * Texts the evaluator of ds's type will encode, before de-duplication: pairs
 * 2 per pair; classification eval rows + at most n_experiments x
 * samples_per_label training rows per label; clustering all sentences;
 * reranking queries + candidates of usable samples; retrieval queries +
 * corpus.
 */
int64_t subset_count_texts(const struct dataset *ds, const struct task *t);

struct task_result;
/* Fill r's ceval.subset from info (nothing when !info->applied). CE_E_NOMEM. */
enum ce_status subset_record(struct task_result *r, const struct subset_info *info, struct ce_err *err);
/*
 * 1 if a stored result r may stand for a run of t under spec: both whole, or
 * both subsets with the same rule, N, M (retrieval) and seed.  (A subset whose
 * N covered the whole data was recorded as whole, so it never matches a
 * subset spec and is recomputed: cheap, such tasks are small.)
 */
int subset_record_matches(const struct task_result *r, const struct task *t, const struct subset_spec *spec);

/* ---- for the per-type subset rules (eval/types/t_*.c, task_types.h) ---- */

/* Sample n of rows 0..n_rows-1 with the given strata (subset_stratified);
 * [out] *sel (ce_free), *n_sel. */
enum ce_status subset_pick(const struct task *t, const int32_t *strata, int64_t n_rows, int32_t n_strata, int64_t n,
			   struct subset_rng *rng, int64_t **sel, int64_t *n_sel, struct ce_err *err);
/* Append row i of src to dst.  CE_E_NOMEM. */
enum ce_status subset_push_row(struct strtab *dst, const struct strtab *src, int64_t i);
/* Fold a choice into the selection hash: role byte + index as 8 little-endian bytes. */
uint64_t subset_hash_index(uint64_t h, char role, int64_t idx);
/* The out-of-memory error of a subset rule (needs `err` in scope). */
#define NOMEM_S(t) ce_err_set(err, CE_E_NOMEM, "%s: subset: out of memory", (t)->name)

/* "%016llx" of a hash into buf (>= 17 bytes). */
void subset_hash_hex(uint64_t h, char buf[17]);

#endif
