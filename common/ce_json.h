/*
 * ce_json.h - jansson's parse errors, worded for users.
 *
 * jansson leaves the error text empty (line -1) when it runs out of memory,
 * names its own flags ("\u0000 is not allowed without JSON_ALLOW_NUL") and
 * prints a byte-order mark as an invisible character.  Every place that
 * reports a failed json_load* goes through these two functions, so a message
 * is never empty and never library jargon.
 */
#ifndef CE_JSON_H
#define CE_JSON_H

#include <jansson.h>

#include "ce_status.h"

/* CE_E_NOMEM when the parse failed for want of memory, else CE_E_FORMAT. */
enum ce_status ce_json_status(const json_error_t *je);

/*
 * What went wrong, one line, never empty: "out of memory while parsing
 * JSON", "UTF-8 byte-order mark at start of file (save it without one)",
 * "text contains a NUL character (\u0000), which is not supported", else
 * jansson's own text.  Points into je or to a static string.
 */
const char *ce_json_text(const json_error_t *je);

#endif
