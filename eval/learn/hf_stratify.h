/*
 * hf_stratify.h - Hugging Face `datasets` Dataset.train_test_split(test_size=N,
 * seed=S, stratify_by_column=...) index selection, reproduced bit for bit
 * (mteb 2.x's stratified_subsampling for the `.v2` clustering tasks,
 * evaluation spec §7.2 step 2).
 *
 * What it is: numpy's default Generator, `np.random.default_rng(seed)`
 * (SeedSequence entropy mixing, PCG64 with the 128-bit multiplier, buffered
 * 32-bit draws), with the draws `datasets` uses: Generator.permutation
 * (Fisher-Yates from the end, masked-rejection random_interval) and
 * Generator.choice(a, size, replace=False) (Floyd's algorithm then an integer
 * shuffle, both with Lemire-bounded draws, or a tail shuffle for populations
 * above 10,000 when size > pop/50); then `datasets.utils.stratify`: approximate_mode
 * (floored proportional allocation, leftovers by descending remainder, ties
 * broken by choice) for the train then the test counts, one permutation per
 * class in class order, and a final permutation of the train then the test
 * indices.  Classes are 0..n_classes-1 in the order of ClassLabel ids (mteb
 * class-encodes the label column: sorted label strings).
 *
 * What it is not: float test sizes, shuffle=False, other Generator methods.
 *
 * Ownership: npgen is a caller-owned value; hf_stratified_test_indices
 * allocates its scratch and frees it.
 */
#ifndef HF_STRATIFY_H
#define HF_STRATIFY_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct npgen {
	unsigned __int128 state, inc; /* PCG64 */
	int has_u32;                  /* a buffered high half is pending */
	uint32_t u32;
};

/* [out] g: np.random.default_rng(seed) for 0 <= seed < 2^32. */
void npgen_seed(struct npgen *g, uint32_t seed);

uint64_t npgen_next_u64(struct npgen *g);
uint32_t npgen_next_u32(struct npgen *g); /* low half first, then the buffered high half */

/* Uniform in [0, max] as Generator draws bounded ints (Lemire; 64-bit above 2^32-1). */
uint64_t npgen_bounded(struct npgen *g, uint64_t max);

/* Generator.shuffle on a 1-D int64 array: for i = n-1 .. 1, swap a[i], a[random_interval(i)]. */
void npgen_shuffle_i64(struct npgen *g, int64_t *a, size_t n);

/* Generator.choice(range(pop), size, replace=False) (shuffle=True).  [out] out: size values.
 * CE_E_INVALID_ARG when size > pop, CE_E_NOMEM. */
enum ce_status npgen_choice_noreplace(struct npgen *g, int64_t pop, int64_t size, int64_t *out);

/*
 * datasets' stratified split: labels[i] in [0, n_classes) for n rows,
 * n_test rows to the test part, n_train = n - n_test.  [out] test: n_test
 * row indices in the order train_test_split(...)["test"] holds them.
 * CE_E_INVALID_ARG (with the reason in *why) where datasets raises:
 * n_test not in (0, n), a class with fewer than 2 rows, n_train or n_test
 * below the number of classes.  CE_E_NOMEM.
 */
enum ce_status hf_stratified_test_indices(const int32_t *labels, int64_t n, int32_t n_classes, uint64_t seed,
					  int64_t n_test, int64_t *test, const char **why);

#endif
