/*
 * texts_input.h - read the `{"text": ...}` JSON-lines input of `ceval
 * tokenize` / `ceval embed` (plain or .zst).
 * Ownership: texts_input_free releases every string.
 */
#ifndef TEXTS_INPUT_H
#define TEXTS_INPUT_H

#include <stdint.h>

#include "ce_status.h"

struct texts_input {
	char **texts; /* n UTF-8 strings, each NUL-terminated (may also contain NUL: use lens) */
	size_t *lens; /* byte length of each text */
	int64_t n;
};

/* Each non-blank line must be a JSON object with a string member "text"
 * (field name configurable); errors name file:line. */
enum ce_status texts_input_load(const char *path, const char *field, struct texts_input *out, struct ce_err *err);
void texts_input_free(struct texts_input *in);

/* Write a float32 C-order .npy file of shape [rows, cols] atomically; path "-" writes it to stdout. */
enum ce_status npy_write_f32(const char *path, const float *data, int64_t rows, int64_t cols, struct ce_err *err);

#endif
