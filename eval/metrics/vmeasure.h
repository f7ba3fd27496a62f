/*
 * vmeasure.h - homogeneity, completeness and V-measure (beta = 1) of a
 * clustering against gold labels, as sklearn 1.2
 * homogeneity_completeness_v_measure (evaluation spec section 7.3),
 * including its summation order (numpy pairwise sums over the sorted
 * classes and the row-major non-zero contingency cells) and its
 * |term| < eps zeroing of mutual-information terms.
 * Labels are arbitrary int64 values; only equality matters.
 */
#ifndef VMEASURE_H
#define VMEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct vmeasure {
	double homogeneity;
	double completeness;
	double v_measure;
};

/*
 * [in] labels_true, labels_pred: n labels each.  n == 0 gives 1, 1, 1
 * (as sklearn).  [out] out.  CE_E_NOMEM.
 */
enum ce_status vmeasure_compute(const int64_t *labels_true, const int64_t *labels_pred, size_t n,
				struct vmeasure *out);

#endif
