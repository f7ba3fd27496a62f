/*
 * npy_read.h - read a 2-D numpy .npy array of float32 or float64 (what
 * `ceval embed` and numpy.save write) into float32, for `ceval check
 * --embeddings`.  Format: numpy's NEP 1 ("\x93NUMPY", version 1.0/2.0/3.0,
 * little-endian header length, a Python dict literal header with 'descr',
 * 'fortran_order' and 'shape', then the raw C-order data).
 *
 * Accepted: descr '<f4', '<f8' (also '=' / '|' byte order on this
 * little-endian build), fortran_order False, shape (rows, cols) or (n,) which
 * reads as one row.  Anything else is refused with a one-line message naming
 * the file; the data size must match the shape exactly.
 */
#ifndef NPY_READ_H
#define NPY_READ_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

#define NPY_READ_MAX_BYTES ((size_t)1 << 34) /* 16 GiB */

/* Parse buf[0..len).  [out] *data (ce_free; rows*cols floats, NULL when 0), *rows, *cols.
 * Errors: CE_E_FORMAT, CE_E_UNSUPPORTED (valid but not handled: big-endian,
 * Fortran order, other dtypes, >2 dims), CE_E_LIMIT, CE_E_NOMEM. */
enum ce_status npy_parse_f32(const char *name, const void *buf, size_t len, float **data, int64_t *rows, int64_t *cols,
			     struct ce_err *err);
/* Same from a file (plus CE_E_NOT_FOUND, CE_E_IO). */
enum ce_status npy_read_f32(const char *path, float **data, int64_t *rows, int64_t *cols, struct ce_err *err);

#endif
