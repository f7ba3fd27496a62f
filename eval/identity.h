/*
 * identity.h - the identity of a task result: every input that can change
 * a vector or a score, and the comparison `ceval run` makes before it keeps
 * an existing results file.
 *
 * The identity is spread over fields of struct task_result (results.h):
 *   model files   ceval.model.fingerprint (weights, config.json, tokenizer,
 *                 pooling, normalisation, max length), .dim, .max_seq_length
 *   arithmetic    ceval.identity.backend, .precision, .kernels
 *   prompts       ceval.model.query_instruction (the only prompt ceval has;
 *                 null when the task type does not use it)
 *   task          ceval.identity.task_hash (the YAML file's bytes),
 *                 dataset_revision, ceval.subset (rule, N, M, seed)
 *   data          ceval.identity.data_hash (content of every evaluated split)
 *   scoring       ceval.identity.scoring_rev (CEVAL_SCORING_REV)
 * Batch size and thread count are not part of it: they move the last bits
 * of a vector (so they key the embedding cache) but not a score's meaning.
 *
 * Pure functions over caller-owned structs.
 */
#ifndef IDENTITY_H
#define IDENTITY_H

#include <stdint.h>

#include "results.h"

/*
 * The revision of ceval's scoring code: bump it whenever an evaluator or a
 * metric can give another number for the same vectors and data, so that
 * results scored by older code are recomputed, not kept.
 */
#define CEVAL_SCORING_REV 1

/* What of the identity can be compared. */
enum identity_scope {
	IDENTITY_BEFORE_DATA, /* everything but data_hash (known only once the data is loaded) */
	IDENTITY_ALL,
};

/*
 * The first difference between the identity of a stored result `old` and
 * the one a run would write, `want`, as a short phrase for the line
 * "recomputing <Task>: <reason>" (e.g. "query instruction changed"); NULL
 * when they match within scope.  ceval.subset is compared by the caller
 * (subset_record_matches), the rest here.  An old file without an identity
 * gives "results predate identity recording"; one without scores
 * "results hold no scores".
 */
const char *identity_diff(const struct task_result *old, const struct task_result *want, enum identity_scope scope);

/* Fold one split's content hash into a data hash (start from CE_FNV1A64_INIT). */
uint64_t identity_data_hash_add(uint64_t h, const char *split, uint64_t split_hash);

#endif
