/*
 * np_sum.h - numpy's summation orders, for results that must round like
 * numpy's.  np.sum / ndarray.sum over a contiguous axis uses pairwise
 * summation (blocks of 128 with 8 interleaved accumulators, recursive halving
 * above), see numpy's loops_utils.h; np.cumsum is a plain running sum.
 * Pure computations; no allocation.
 */
#ifndef NP_SUM_H
#define NP_SUM_H

#include <stddef.h>

/* numpy pairwise sum of n doubles read with the given stride (in elements). */
double np_sum_f64(const double *a, size_t n, size_t stride);
/* The same over float32 with float32 accumulators (numpy sums float32 in float32). */
float np_sum_f32(const float *a, size_t n, size_t stride);

#endif
