/*
 * vocab.h - a WordPiece vocabulary (vocab.txt): token -> id hash map and
 * id -> token array.
 *
 * File format as Hugging Face reads it: UTF-8, one token per line, id = 0-based
 * line number.  Lines are split on '\n' only (bert-base-chinese has U+2028 as
 * token 343, which str.splitlines() would break); a final '\r' of a CRLF line
 * is stripped, since both Python's universal newlines and Rust's
 * BufRead::lines() do that.  A lone '\r' inside a line is rejected: Python
 * would split the line there while Rust would not.  A missing final '\n' is
 * fine.  Rejected with CE_E_FORMAT: empty file, duplicate tokens, invalid
 * UTF-8, lone '\r', tokens longer than VOCAB_TOKEN_BYTES_MAX; CE_E_LIMIT:
 * more than VOCAB_SIZE_MAX tokens.
 *
 * A vocab is immutable after loading; lookups are thread-safe.
 */
#ifndef VOCAB_H
#define VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

#define VOCAB_SIZE_MAX (1 << 22)
#define VOCAB_TOKEN_BYTES_MAX 1024
#define VOCAB_FILE_BYTES_MAX ((size_t)256 << 20)

struct vocab;

/* Parse len bytes of vocab.txt content; name is used in messages ("name:line: ..."). */
struct vocab *vocab_parse(const char *name, const char *data, size_t len, struct ce_err *err);
/* Read and parse a file (at most VOCAB_FILE_BYTES_MAX bytes). */
struct vocab *vocab_load(const char *path, struct ce_err *err);
void vocab_free(struct vocab *v);

int32_t vocab_size(const struct vocab *v);
/* Longest token in bytes. */
size_t vocab_token_bytes_max(const struct vocab *v);
/* id of the token prefix + s (prefix may be NULL with plen 0), or -1.  No allocation. */
int32_t vocab_find2(const struct vocab *v, const char *prefix, size_t plen, const char *s, size_t n);
/* id of the n-byte token s, or -1. */
int32_t vocab_find(const struct vocab *v, const char *s, size_t n);
/* Token of id (NUL-terminated, valid until vocab_free) and its length, or NULL. */
const char *vocab_token(const struct vocab *v, int32_t id, size_t *len);
/* 64-bit FNV-1a of the vocabulary content (tokens and their order). */
uint64_t vocab_digest(const struct vocab *v);

#endif
