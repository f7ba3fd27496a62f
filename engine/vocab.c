#include "vocab.h"

#include <string.h>

#include "ce_alloc.h"
#include "ce_hash.h"
#include "fs_util.h"
#include "unicode.h"

struct vocab {
	char *blob;        /* all tokens, each NUL-terminated */
	size_t *off;       /* [n] offset of token id in blob */
	uint32_t *len;     /* [n] byte length of token id */
	int32_t *slots;    /* open addressing table of ids, -1 = empty */
	size_t mask;       /* table size - 1 (power of two) */
	int32_t n;
	size_t max_bytes;
	uint64_t digest;
};


static uint64_t fnv_final(uint64_t h)
{
	/* mix the high bits down so that masking the low bits spreads well */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return h;
}

void vocab_free(struct vocab *v)
{
	if (!v)
		return;
	ce_free(v->blob);
	ce_free(v->off);
	ce_free(v->len);
	ce_free(v->slots);
	ce_free(v);
}

int32_t vocab_find2(const struct vocab *v, const char *prefix, size_t plen, const char *s, size_t n)
{
	size_t total = plen + n;
	if (total > v->max_bytes)
		return -1;
	uint64_t h = fnv_final(ce_fnv1a64(ce_fnv1a64(CE_FNV1A64_INIT, prefix, plen), s, n));
	for (size_t i = (size_t)h & v->mask;; i = (i + 1) & v->mask) {
		int32_t id = v->slots[i];
		if (id < 0)
			return -1;
		if (v->len[id] == total) {
			const char *t = v->blob + v->off[id];
			if ((plen == 0 || memcmp(t, prefix, plen) == 0) && (n == 0 || memcmp(t + plen, s, n) == 0))
				return id;
		}
	}
}

int32_t vocab_find(const struct vocab *v, const char *s, size_t n)
{
	return vocab_find2(v, NULL, 0, s, n);
}

int32_t vocab_size(const struct vocab *v)
{
	return v->n;
}

size_t vocab_token_bytes_max(const struct vocab *v)
{
	return v->max_bytes;
}

const char *vocab_token(const struct vocab *v, int32_t id, size_t *len)
{
	if (id < 0 || id >= v->n)
		return NULL;
	if (len)
		*len = v->len[id];
	return v->blob + v->off[id];
}

uint64_t vocab_digest(const struct vocab *v)
{
	return v->digest;
}

/* Validate UTF-8 of a token; returns the byte offset of the first bad byte or n. */
static size_t utf8_bad_at(const char *s, size_t n)
{
	size_t pos = 0;
	while (pos < n) {
		size_t at = pos;
		uint32_t c = unicode_decode((const uint8_t *)s, n, &pos);
		if (c == UNICODE_REPLACEMENT) {
			/* a literal U+FFFD (EF BF BD) is valid text */
			if (!(pos - at == 3 && (unsigned char)s[at] == 0xEF && (unsigned char)s[at + 1] == 0xBF &&
			      (unsigned char)s[at + 2] == 0xBD))
				return at;
		}
	}
	return n;
}

/*
 * Strip leading and trailing Python whitespace (str.strip()) from a valid
 * UTF-8 token.  transformers' load_vocab strips each line: the tokenizer.json
 * it writes for bert-base-chinese (../shared/models/ceval-tiny-zh) has "" at
 * id 343 and "##" at id 13502 where vocab.txt has U+2028 and "##" U+2028.
 */
static void py_strip(const char **s, size_t *n)
{
	const uint8_t *b = (const uint8_t *)*s;
	size_t pos = 0, first = *n, last_end = 0;
	while (pos < *n) {
		size_t at = pos;
		uint32_t c = unicode_decode(b, *n, &pos);
		if (!unicode_is_py_space(c)) {
			if (first == *n)
				first = at;
			last_end = pos;
		}
	}
	if (first == *n) {
		*n = 0;
		return;
	}
	*s += first;
	*n = last_end - first;
}

struct vocab *vocab_parse(const char *name, const char *data, size_t len, struct ce_err *err)
{
	if (len == 0) {
		ce_err_set(err, CE_E_FORMAT, "%s: empty vocabulary file", name);
		return NULL;
	}
	/* count lines: '\n' separated, a final line without '\n' counts */
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n')
			n++;
	if (data[len - 1] != '\n')
		n++;
	if (n > VOCAB_SIZE_MAX) {
		ce_err_set(err, CE_E_LIMIT, "%s: %zu tokens, more than the limit of %d", name, n, VOCAB_SIZE_MAX);
		return NULL;
	}
	struct vocab *v = ce_calloc(1, sizeof *v);
	if (!v)
		goto nomem;
	v->blob = ce_malloc(len + 1);
	v->off = ce_malloc_array(n, sizeof *v->off);
	v->len = ce_malloc_array(n, sizeof *v->len);
	size_t cap = 16;
	while (cap < 2 * n)
		cap <<= 1;
	v->slots = ce_malloc_array(cap, sizeof *v->slots);
	if (!v->blob || !v->off || !v->len || !v->slots)
		goto nomem;
	memset(v->slots, 0xff, cap * sizeof *v->slots);
	v->mask = cap - 1;
	v->digest = CE_FNV1A64_INIT;

	size_t pos = 0, bo = 0;
	for (size_t id = 0; id < n; id++) {
		size_t line = id + 1;
		const char *s = data + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t tl = nl ? (size_t)(nl - s) : len - pos;
		pos += tl + (nl ? 1 : 0);
		if (tl > 0 && s[tl - 1] == '\r')
			tl--; /* CRLF */
		const char *cr = memchr(s, '\r', tl);
		if (cr) {
			ce_err_set(err, CE_E_FORMAT, "%s:%zu:%zu: carriage return inside a token", name, line,
				   (size_t)(cr - s) + 1);
			goto fail;
		}
		if (tl > VOCAB_TOKEN_BYTES_MAX) {
			ce_err_set(err, CE_E_FORMAT, "%s:%zu: token of %zu bytes, more than the limit of %d", name, line,
				   tl, VOCAB_TOKEN_BYTES_MAX);
			goto fail;
		}
		size_t bad = utf8_bad_at(s, tl);
		if (bad < tl) {
			ce_err_set(err, CE_E_FORMAT, "%s:%zu:%zu: invalid UTF-8 in token", name, line, bad + 1);
			goto fail;
		}
		py_strip(&s, &tl);
		if (memchr(s, '\0', tl)) {
			ce_err_set(err, CE_E_FORMAT, "%s:%zu: NUL byte in token", name, line);
			goto fail;
		}
		int32_t dup = vocab_find2(v, NULL, 0, s, tl);
		if (dup >= 0) {
			ce_err_set(err, CE_E_FORMAT, "%s:%zu: duplicate token \"%.*s\" (first on line %ld)", name, line,
				   (int)(tl > 64 ? 64 : tl), s, (long)dup + 1);
			goto fail;
		}
		memcpy(v->blob + bo, s, tl);
		v->blob[bo + tl] = '\0';
		v->off[id] = bo;
		v->len[id] = (uint32_t)tl;
		bo += tl + 1;
		if (tl > v->max_bytes)
			v->max_bytes = tl;
		uint64_t h = fnv_final(ce_fnv1a64(CE_FNV1A64_INIT, s, tl));
		size_t i = (size_t)h & v->mask;
		while (v->slots[i] >= 0)
			i = (i + 1) & v->mask;
		v->slots[i] = (int32_t)id;
		v->n = (int32_t)id + 1;
		/* hash the stored copy: its NUL separates tokens (the source may end right after s) */
		v->digest = ce_fnv1a64(v->digest, v->blob + v->off[id], tl + 1);
	}
	return v;
nomem:
	ce_err_set(err, CE_E_NOMEM, "%s: out of memory loading the vocabulary", name);
fail:
	vocab_free(v);
	return NULL;
}

struct vocab *vocab_load(const char *path, struct ce_err *err)
{
	char *data;
	size_t len;
	if (fs_read_file(path, VOCAB_FILE_BYTES_MAX, &data, &len, err) != CE_OK)
		return NULL;
	struct vocab *v = vocab_parse(path, data, len, err);
	ce_free(data);
	return v;
}
