/*
 * ce_status.h - one status enum for all of ceval, and the error record that
 * loaders fill in.
 *
 * Functions that can fail return enum ce_status and report details through a
 * caller-owned struct ce_err (a fixed buffer, never heap).  Values are pinned:
 * never renumber or reuse one (they are mapped to exit codes by the CLI).
 * Pure computations (metrics, kernels) do not take a ce_err.
 */
#ifndef CE_STATUS_H
#define CE_STATUS_H

#include <stdarg.h>
#include <stddef.h>

enum ce_status {
	CE_OK = 0,
	CE_E_NOMEM = 1,       /* allocation failed */
	CE_E_IO = 2,          /* open/read/write/rename failed (errno text in message) */
	CE_E_FORMAT = 3,      /* malformed input file (message has file:line:col) */
	CE_E_INVALID_ARG = 4, /* bad option or argument from the user */
	CE_E_UNSUPPORTED = 5, /* valid input that ceval does not handle (e.g. relative positions) */
	CE_E_LIMIT = 6,       /* a size or count limit was exceeded */
	CE_E_MISMATCH = 7,    /* shapes/dimensions/fingerprints disagree */
	CE_E_NOT_FOUND = 8,   /* a required file, tensor, key or model is missing */
	CE_E_INTERNAL = 9,    /* impossible state; a bug */
	CE_E_INTERRUPTED = 10,/* stopped by a signal */
	CE_STATUS_COUNT
};

/* Static English name of a status ("out of memory", ...). Never NULL. */
const char *ce_status_str(enum ce_status s);

#define CE_ERR_MSG_MAX 1024

/* Error record: code plus a one-line message "path:line:col: what is wrong". */
struct ce_err {
	enum ce_status code;
	char msg[CE_ERR_MSG_MAX];
};

/* Reset to CE_OK with an empty message. err may be NULL. */
void ce_err_clear(struct ce_err *err);

/*
 * Set err (may be NULL) to code and a printf-formatted message; returns code,
 * so callers can write `return ce_err_set(err, CE_E_FORMAT, "%s: ...", path);`.
 */
enum ce_status ce_err_set(struct ce_err *err, enum ce_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum ce_status ce_err_vset(struct ce_err *err, enum ce_status code, const char *fmt, va_list ap);

/* Prepend "prefix: " to an already set message (keeps the code). */
void ce_err_prefix(struct ce_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Forward a non-OK status. */
#define CE_TRY(expr)                                   \
	do {                                           \
		enum ce_status ce_try_s_ = (expr);     \
		if (ce_try_s_ != CE_OK)                \
			return ce_try_s_;              \
	} while (0)

/* If cond is false: set err and return code. */
#define CE_CHECK(cond, err, code, ...)                         \
	do {                                                   \
		if (!(cond))                                   \
			return ce_err_set((err), (code), __VA_ARGS__); \
	} while (0)

/* Programming-error assertion; stays on in release builds. */
void ce_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));
#define CE_ASSERT(cond) ((cond) ? (void)0 : ce_assert_fail(#cond, __FILE__, __LINE__))

#endif
