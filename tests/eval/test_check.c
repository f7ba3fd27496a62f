/*
 * Tests of eval/check.c and eval/npy_read.c (library side of `ceval check`;
 * the CLI side is tests/cli/test_check.sh).  .npy inputs are the numpy-written
 * seed files of tests/fuzz/corpus/npy; results are the §12 bge goldens.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "check.h"
#include "npy_read.h"
#include "test_util.h"

#define NPY "tests/fuzz/corpus/npy/"
#define GOLD "tests/golden/bge-results/"

static void test_npy_numpy_files(void **state)
{
	(void)state;
	float *m;
	int64_t r, c;
	struct ce_err err;
	/* np.arange(12, dtype=float32).reshape(3, 4) */
	assert_int_equal(npy_read_f32(NPY "f32_3x4.npy", &m, &r, &c, &err), CE_OK);
	assert_int_equal(r, 3);
	assert_int_equal(c, 4);
	for (int i = 0; i < 12; i++)
		assert_true(m[i] == (float)i);
	ce_free(m);
	/* float64 [[1,2],[3,4]] */
	assert_int_equal(npy_read_f32(NPY "f64_2x2.npy", &m, &r, &c, &err), CE_OK);
	assert_true(r == 2 && c == 2 && m[0] == 1 && m[3] == 4);
	ce_free(m);
	/* 1-D reads as one row */
	assert_int_equal(npy_read_f32(NPY "f32_1d.npy", &m, &r, &c, &err), CE_OK);
	assert_true(r == 1 && c == 5 && m[4] == 1);
	ce_free(m);
	assert_int_equal(npy_read_f32(NPY "f32_0x3.npy", &m, &r, &c, &err), CE_OK);
	assert_true(r == 0 && c == 3 && m == NULL);
	assert_int_equal(npy_read_f32(NPY "fortran.npy", &m, &r, &c, &err), CE_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "fortran.npy: Fortran-order"));
	assert_int_equal(npy_read_f32(NPY "int32.npy", &m, &r, &c, &err), CE_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "dtype '<i4'"));
	assert_int_equal(npy_read_f32(NPY "truncated.npy", &m, &r, &c, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "truncated.npy: data is 43 bytes, shape (3, 4) of <f4 needs 48"));
	static const char hdr[] = "\x93NUMPY\x01\x00\x25\x00{'descr': '<f4', 'shape': (2, 2)}   \n";
	assert_int_equal(npy_parse_f32("h.npy", hdr, sizeof hdr - 1, &m, &r, &c, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "h.npy: .npy header lacks"));
}

static void test_check_identical_and_tolerances(void **state)
{
	(void)state;
	struct check_opts o;
	check_opts_init(&o);
	o.tasks_dir = "tasks";
	struct check_report *r = NULL;
	struct ce_err err;
	/* a model against another: bge-base-zh vs bge-base-zh-v1.5 (§12 rows) */
	assert_int_equal(check_results(GOLD "bge-base-zh", GOLD "bge-base-zh-v1.5", &o, &r, &err), CE_OK);
	assert_int_equal(r->n, 35);
	const struct check_row *pawsx = NULL, *mm = NULL;
	for (int32_t i = 0; i < r->n; i++) {
		if (!strcmp(r->rows[i].task, "PAWSX"))
			pawsx = &r->rows[i];
		if (!strcmp(r->rows[i].task, "MMarcoReranking"))
			mm = &r->rows[i];
	}
	assert_non_null(pawsx);
	/* PAWSX 20.40 -> 20.65: +0.25, within 0.5 */
	assert_true(fabs(pawsx->delta - 0.25) < 1e-9);
	assert_int_equal(pawsx->verdict, CHECK_OK);
	assert_int_equal(pawsx->type, TASK_TYPE_STS);
	/* MMarcoReranking 29.74 -> 28.24: -1.50 */
	assert_int_equal(mm->verdict, CHECK_REGRESSED);
	assert_int_equal(check_exit_code(r), 1);
	check_report_free(r);
	assert_int_equal(check_opts_type_tolerance(&o, "reranking=1.5", &err), CE_OK);
	assert_int_equal(check_opts_type_tolerance(&o, "rerank=1", &err), CE_E_INVALID_ARG);
	assert_int_equal(check_opts_type_tolerance(&o, "sts=-1", &err), CE_E_INVALID_ARG);
	assert_int_equal(check_results(GOLD "bge-base-zh", GOLD "bge-base-zh-v1.5", &o, &r, &err), CE_OK);
	for (int32_t i = 0; i < r->n; i++)
		if (!strcmp(r->rows[i].task, "MMarcoReranking"))
			assert_int_equal(r->rows[i].verdict, CHECK_OK); /* exactly at the tolerance */
	check_report_free(r);
	assert_int_equal(check_results(GOLD "nope", GOLD "bge-base-zh", &o, &r, &err), CE_E_NOT_FOUND);
	assert_null(r);
}

static void test_embeddings(void **state)
{
	(void)state;
	struct emb_check e;
	struct ce_err err;
	assert_int_equal(check_embeddings(NPY "f32_3x4.npy", NPY "f32_3x4.npy", 0.999, &e, &err), CE_OK);
	/* row 0 is [0,1,2,3]: cosine with itself 1 */
	assert_true(fabs(e.min_cosine - 1.0) < 1e-12);
	assert_int_equal(e.n_below, 0);
	emb_check_deinit(&e);
	assert_int_equal(check_embeddings(NPY "f32_3x4.npy", NPY "f64_2x2.npy", 0.999, &e, &err), CE_E_MISMATCH);
	assert_non_null(strstr(err.msg, "shape mismatch"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_npy_numpy_files),
		cmocka_unit_test(test_check_identical_and_tolerances),
		cmocka_unit_test(test_embeddings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
