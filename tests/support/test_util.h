/*
 * test_util.h - helpers shared by the cmocka test binaries: paths to the
 * shared fixtures, a .npy reader, JSON-lines golden readers, temp dirs.
 * Every helper fails the current test (cmocka fail_msg) instead of returning
 * an error, so tests stay short.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* Directory of the shared fixtures: $CEVAL_SHARED, else "../shared". */
const char *tu_shared_dir(void);
/* tu_shared_dir() + "/" + rel, in a static rotating buffer (valid for 8 calls). */
const char *tu_shared(const char *rel);

/* Generated fixtures dir ($CEVAL_FIXTURES, set by make; else "build/fixtures"). */
const char *tu_fixtures_dir(void);
/* tu_fixtures_dir() + "/" + rel, e.g. tu_fixture("models/tiny-zh-cls-f16"). Same buffer rules. */
const char *tu_fixture(const char *rel);

/* A float32 (or float64, converted) C-order 2-D .npy array. */
struct tu_npy {
	int64_t rows, cols;
	float *data; /* rows * cols, free with tu_npy_free */
};
/* Loads path; fails the test on any problem. 1-D arrays load as rows=1. */
void tu_npy_load(const char *path, struct tu_npy *out);
void tu_npy_free(struct tu_npy *a);

/* Read every line of a text file (without '\n'); *n_lines set. Free with tu_lines_free. */
char **tu_read_lines(const char *path, size_t *n_lines);
void tu_lines_free(char **lines, size_t n);

/* Make a fresh empty temp directory (mkdtemp under $TMPDIR or /tmp); returns a heap string. */
char *tu_mkdtemp(void);
/* rm -rf path (for tu_mkdtemp directories). */
void tu_rm_rf(const char *path);
/* Write a file with the given bytes (fails the test on error). */
void tu_write_file(const char *path, const void *data, size_t len);
/* Write a printf-formatted string to path. */
void tu_write_text(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Member `key` of the JSON object in file `path` (relative to the repository
 * root, where make runs the tests).  The file is parsed on first use into
 * *doc, which the caller keeps (a static) for later calls; fails the test
 * when the file does not parse or has no such member. */
struct json_t;
struct json_t *tu_json_member(struct json_t **doc, const char *path, const char *key);

/* Cosine similarity of two float vectors (double accumulation). */
double tu_cosine(const float *a, const float *b, int64_t n);

#endif
