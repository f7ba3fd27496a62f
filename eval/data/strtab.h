/*
 * strtab.h - the string tables, string index and content hash that dataset
 * loading, subsets and evaluators share.  No task type, no file format.
 *
 *   struct strtab     NUL-terminated strings back to back in one buffer
 *   struct str_index  open-addressing index over strings held elsewhere
 *   strtab_grow       growable arrays of fixed-size items
 *   struct strpool    chunked strings whose pointers stay valid (score.c)
 *
 * Ownership: a strtab owns its buffers (strtab_deinit); strings returned by
 * strtab_get are valid until the next push or deinit.
 */
#ifndef STRTAB_H
#define STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

/* A list of NUL-terminated strings stored back to back in one buffer. */
struct strtab {
	char *buf;     /* all strings, each followed by '\0' */
	size_t len;    /* bytes used */
	size_t cap;    /* bytes allocated */
	size_t *off;   /* off[i] = start of string i (n entries) */
	int64_t n;     /* number of strings */
	int64_t cap_n; /* entries allocated in off */
};

static inline const char *strtab_get(const struct strtab *t, int64_t i)
{
	return t->buf + t->off[i];
}
/* Length in bytes (without the NUL) of string i. */
static inline size_t strtab_len(const struct strtab *t, int64_t i)
{
	size_t end = (i + 1 < t->n) ? t->off[i + 1] : t->len;
	return end - t->off[i] - 1;
}
/* Append a copy of s[0..len) (must not contain NUL).  CE_E_NOMEM on failure. */
enum ce_status strtab_push(struct strtab *t, const char *s, size_t len);
void strtab_deinit(struct strtab *t); /* frees buffers, leaves a zeroed struct */

/* Helper: the n pointers of a strtab as an array (ce_free; pointers borrowed). NULL on NOMEM. */
const char **strtab_pointers(const struct strtab *t);

/*
 * Open-addressing index of strings held elsewhere (strings[i] is string i).
 * Slots hold index + 1 (0 = empty).  init sizes it for n strings.
 */
struct str_index {
	int64_t *slots;
	size_t mask;
};
enum ce_status str_index_init(struct str_index *x, int64_t n); /* CE_E_NOMEM */
void str_index_deinit(struct str_index *x);
/* Find s among strings[]; if absent, insert index i for it.  Returns the index
 * already present, or -1 when i was inserted. */
int64_t str_index_find_or_add(struct str_index *x, const char *const *strings, const char *s, int64_t i);
/* Find s[0..len) (no NUL inside) among strings[]; -1 if absent. */
int64_t str_index_find(const struct str_index *x, const char *const *strings, const char *s, size_t len);

/* Grow *p (items of `item` bytes, *cap of them) to hold at least need.  CE_E_NOMEM. */
enum ce_status strtab_grow(void **p, int64_t *cap, int64_t need, size_t item);

/*
 * Chunked string storage (used where pointers must stay valid while more
 * strings are added, unlike struct strtab): strings live until strpool_free,
 * or strpool_reset which forgets them but keeps the newest chunk for reuse.
 * Zero-initialise.
 */
struct strpool_chunk;
struct strpool {
	struct strpool_chunk *head;
};
/* Copy s[0..n) plus a NUL; NULL on NOMEM. */
char *strpool_add(struct strpool *p, const char *s, size_t n);
void strpool_reset(struct strpool *p);
void strpool_free(struct strpool *p);

#endif
