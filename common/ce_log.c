#include "ce_log.h"

#include <stdarg.h>
#include <stdio.h>

static enum ce_log_level current_level = CE_LOG_WARN;

void ce_log_set_level(enum ce_log_level level) { current_level = level; }
enum ce_log_level ce_log_get_level(void) { return current_level; }

void ce_log(enum ce_log_level level, const char *fmt, ...)
{
	if (level > current_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs(level == CE_LOG_ERROR ? "ceval: error: " : level == CE_LOG_WARN ? "ceval: warning: " : "ceval: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
