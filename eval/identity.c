/*
 * identity.c - comparing the identity of two task results (identity.h).
 */
#include "identity.h"

#include <string.h>

#include "ce_hash.h"

/* NULL-safe string equality (NULL equals only NULL). */
static int same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

const char *identity_diff(const struct task_result *old, const struct task_result *want, enum identity_scope scope)
{
	if (!old->has_ceval || !old->has_identity)
		return "results predate identity recording";
	if (old->n_scores == 0)
		return "results hold no scores";
	if (old->scoring_rev != want->scoring_rev)
		return "scoring revision changed";
	if (!same(old->task_name, want->task_name))
		return "task name changed";
	if (!same(old->task_hash, want->task_hash))
		return "task definition changed";
	if (!same(old->main_score_name, want->main_score_name))
		return "main score changed";
	if (!same(old->dataset_revision, want->dataset_revision))
		return "dataset revision changed";
	if (!same(old->backend, want->backend))
		return "embedding backend changed";
	if (old->model_max_seq_length != want->model_max_seq_length)
		return "max length changed";
	if (!same(old->precision, want->precision))
		return "precision changed";
	if (!same(old->kernels, want->kernels))
		return "kernels changed";
	if (old->model_dim != want->model_dim)
		return "embedding dimension changed";
	if (!same(old->model_fingerprint, want->model_fingerprint))
		return "model files changed";
	if (!same(old->query_instruction, want->query_instruction))
		return "query instruction changed";
	if (scope == IDENTITY_ALL && !same(old->data_hash, want->data_hash))
		return "data changed";
	return NULL;
}

uint64_t identity_data_hash_add(uint64_t h, const char *split, uint64_t split_hash)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(split_hash >> (8 * i));
	h = ce_fnv1a64(h, split, strlen(split) + 1);
	return ce_fnv1a64(h, b, sizeof b);
}
