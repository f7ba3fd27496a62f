/*
 * strtab.c - string tables, string index, growable arrays (strtab.h).
 */
#include "strtab.h"

#include <string.h>

#include "ce_alloc.h"
#include "ce_hash.h"

enum ce_status strtab_push(struct strtab *t, const char *s, size_t len)
{
	if (t->n == t->cap_n) {
		int64_t nc = t->cap_n ? t->cap_n * 2 : 256;
		size_t *no = ce_realloc_array(t->off, (size_t)nc, sizeof *no);
		if (!no)
			return CE_E_NOMEM;
		t->off = no;
		t->cap_n = nc;
	}
	if (len > SIZE_MAX / 2 - t->len - 1)
		return CE_E_NOMEM;
	if (t->len + len + 1 > t->cap) {
		size_t nc = t->cap ? t->cap : 4096;
		while (nc < t->len + len + 1)
			nc *= 2;
		char *nb = ce_realloc(t->buf, nc);
		if (!nb)
			return CE_E_NOMEM;
		t->buf = nb;
		t->cap = nc;
	}
	memcpy(t->buf + t->len, s, len);
	t->buf[t->len + len] = '\0';
	t->off[t->n++] = t->len;
	t->len += len + 1;
	return CE_OK;
}

void strtab_deinit(struct strtab *t)
{
	ce_free(t->buf);
	ce_free(t->off);
	memset(t, 0, sizeof *t);
}

const char **strtab_pointers(const struct strtab *t)
{
	const char **p = ce_malloc_array(t->n > 0 ? (size_t)t->n : 1, sizeof *p);
	if (!p)
		return NULL;
	for (int64_t i = 0; i < t->n; i++)
		p[i] = strtab_get(t, i);
	return p;
}

enum ce_status str_index_init(struct str_index *x, int64_t n)
{
	size_t cap = 16;
	while (cap < (size_t)n * 2 + 1)
		cap *= 2;
	x->slots = ce_calloc(cap, sizeof *x->slots);
	x->mask = cap - 1;
	return x->slots ? CE_OK : CE_E_NOMEM;
}

void str_index_deinit(struct str_index *x)
{
	ce_free(x->slots);
	x->slots = NULL;
}

int64_t str_index_find_or_add(struct str_index *x, const char *const *strings, const char *s, int64_t i)
{
	size_t h = (size_t)ce_fnv1a64(CE_FNV1A64_INIT, s, strlen(s)) & x->mask;
	for (;;) {
		int64_t v = x->slots[h];
		if (v == 0) {
			x->slots[h] = i + 1;
			return -1;
		}
		if (strcmp(strings[v - 1], s) == 0)
			return v - 1;
		h = (h + 1) & x->mask;
	}
}

int64_t str_index_find(const struct str_index *x, const char *const *strings, const char *s, size_t len)
{
	size_t h = (size_t)ce_fnv1a64(CE_FNV1A64_INIT, s, len) & x->mask;
	for (;;) {
		int64_t v = x->slots[h];
		if (v == 0)
			return -1;
		const char *c = strings[v - 1];
		if (strlen(c) == len && memcmp(c, s, len) == 0)
			return v - 1;
		h = (h + 1) & x->mask;
	}
}

enum ce_status strtab_grow(void **p, int64_t *cap, int64_t need, size_t item)
{
	if (need <= *cap)
		return CE_OK;
	int64_t nc = *cap ? *cap : 256;
	while (nc < need)
		nc *= 2;
	void *np = ce_realloc_array(*p, (size_t)nc, item);
	if (!np)
		return CE_E_NOMEM;
	*p = np;
	*cap = nc;
	return CE_OK;
}

/* ---- struct strpool: chunked storage, pointers stay valid until strpool_free */

struct strpool_chunk {
	struct strpool_chunk *next;
	size_t used, cap;
	char data[];
};

void strpool_free(struct strpool *p)
{
	struct strpool_chunk *c = p->head;
	while (c) {
		struct strpool_chunk *n = c->next;
		ce_free(c);
		c = n;
	}
	p->head = NULL;
}

/* Keep the newest chunk, forget the strings (reuse for the next query). */
void strpool_reset(struct strpool *p)
{
	if (!p->head)
		return;
	struct strpool_chunk *keep = p->head, *c = keep->next;
	while (c) {
		struct strpool_chunk *n = c->next;
		ce_free(c);
		c = n;
	}
	keep->next = NULL;
	keep->used = 0;
	p->head = keep;
}

char *strpool_add(struct strpool *p, const char *s, size_t n)
{
	struct strpool_chunk *c = p->head;
	if (!c || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > 65536 ? n + 1 : 65536;
		struct strpool_chunk *nc = ce_malloc(sizeof *nc + cap);
		if (!nc)
			return NULL;
		nc->used = 0;
		nc->cap = cap;
		nc->next = c;
		p->head = c = nc;
	}
	char *d = c->data + c->used;
	memcpy(d, s, n);
	d[n] = '\0';
	c->used += n + 1;
	return d;
}
