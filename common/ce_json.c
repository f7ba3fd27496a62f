#include "ce_json.h"

#include <string.h>

enum ce_status ce_json_status(const json_error_t *je)
{
	/* jansson fills text and code together; an empty text means an allocation failed before it could */
	if (je->text[0] == '\0' || json_error_code(je) == json_error_out_of_memory)
		return CE_E_NOMEM;
	return CE_E_FORMAT;
}

const char *ce_json_text(const json_error_t *je)
{
	if (ce_json_status(je) == CE_E_NOMEM)
		return "out of memory while parsing JSON";
	if (json_error_code(je) == json_error_null_character)
		return "text contains a NUL character (\\u0000), which is not supported";
	if (je->position <= 3 && strstr(je->text, "\xef\xbb\xbf"))
		return "UTF-8 byte-order mark at start of file (save it without one)";
	return je->text;
}
