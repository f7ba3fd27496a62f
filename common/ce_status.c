#include "ce_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[CE_STATUS_COUNT] = {
	[CE_OK] = "ok",
	[CE_E_NOMEM] = "out of memory",
	[CE_E_IO] = "I/O error",
	[CE_E_FORMAT] = "malformed input",
	[CE_E_INVALID_ARG] = "invalid argument",
	[CE_E_UNSUPPORTED] = "unsupported",
	[CE_E_LIMIT] = "limit exceeded",
	[CE_E_MISMATCH] = "mismatch",
	[CE_E_NOT_FOUND] = "not found",
	[CE_E_INTERNAL] = "internal error",
	[CE_E_INTERRUPTED] = "interrupted",
};

const char *ce_status_str(enum ce_status s)
{
	if ((unsigned)s >= CE_STATUS_COUNT)
		return "unknown status";
	return status_names[s];
}

void ce_err_clear(struct ce_err *err)
{
	if (!err)
		return;
	err->code = CE_OK;
	err->msg[0] = '\0';
}

enum ce_status ce_err_vset(struct ce_err *err, enum ce_status code, const char *fmt, va_list ap)
{
	if (err) {
		err->code = code;
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	}
	return code;
}

enum ce_status ce_err_set(struct ce_err *err, enum ce_status code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ce_err_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

void ce_err_prefix(struct ce_err *err, const char *fmt, ...)
{
	if (!err)
		return;
	char prefix[CE_ERR_MSG_MAX];
	char old[CE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
}

void ce_assert_fail(const char *expr, const char *file, int line)
{
	fprintf(stderr, "ceval: internal error: assertion `%s` failed at %s:%d\n", expr, file, line);
	abort();
}
