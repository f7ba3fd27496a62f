/*
 * undersample.h - the classification training-set undersampling of MTEB
 * (mteb AbsTaskClassification._undersample_data), evaluation spec section 6.2.
 *
 * State is one permutation `idxs` of 0..n-1 that persists across experiments.
 * Each experiment reshuffles it in place with a fresh numpy RandomState(42)
 * (so experiment e applies the same permutation e times), then walks it and
 * keeps a row while its label has been kept fewer than samples_per_label times.
 *
 * Ownership: struct undersample is caller-owned; undersample_init allocates
 * idxs, undersample_deinit frees it (accepts a zeroed or half-built struct).
 */
#ifndef UNDERSAMPLE_H
#define UNDERSAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

#define UNDERSAMPLE_SEED 42

struct undersample {
	int64_t *idxs; /* current permutation of 0..n-1 (n entries) */
	int64_t n;     /* number of training rows */
};

/* [out] u: idxs = 0..n-1 (n >= 0).  CE_E_NOMEM, CE_E_INVALID_ARG (n < 0). */
enum ce_status undersample_init(struct undersample *u, int64_t n);
/* Frees idxs; u may be NULL or zeroed. */
void undersample_deinit(struct undersample *u);

/* Reshuffle idxs in place with a fresh RandomState(seed) (step 1 of one experiment). */
void undersample_shuffle(struct undersample *u, uint32_t seed);

/*
 * One experiment: undersample_shuffle(u, 42) and then the walk.
 * [in] labels: n class labels of the training rows (any int64 values).
 * [in] samples_per_label >= 0.
 * [out] rows: capacity >= u->n; receives the selected row indices in walk order.
 * [out] n_rows: how many were selected.
 * CE_E_NOMEM.
 */
enum ce_status undersample_next(struct undersample *u, const int64_t *labels, int64_t samples_per_label,
				int64_t *rows, int64_t *n_rows);

#endif
