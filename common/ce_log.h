/*
 * ce_log.h - diagnostics to stderr.  stdout carries results only.
 * The level is set once by the CLI (--quiet / --verbose).
 */
#ifndef CE_LOG_H
#define CE_LOG_H

enum ce_log_level { CE_LOG_ERROR = 0, CE_LOG_WARN, CE_LOG_INFO, CE_LOG_DEBUG };

void ce_log_set_level(enum ce_log_level level);
enum ce_log_level ce_log_get_level(void);
/* Prints "ceval: <msg>\n" (with "warning: " for CE_LOG_WARN) when level is enabled. */
void ce_log(enum ce_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
