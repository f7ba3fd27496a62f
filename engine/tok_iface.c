/*
 * tok_iface.c - the tokenizer table and the handle over it (see tok_iface.h).
 */
#include "tok_iface.h"

#include "ce_alloc.h"

/* One line per kind; the first one reports a folder no kind recognises. */
static const struct tok_kind *const kind_table[] = {
	&tok_kind_wordpiece,
};

#define KIND_COUNT (sizeof kind_table / sizeof kind_table[0])

struct tok {
	const struct tok_kind *kind;
	void *impl;
	char describe[160];
};

struct tok *tok_open_dir(const char *dir, struct ce_err *err)
{
	const struct tok_kind *kind = kind_table[0];
	for (size_t i = 0; i < KIND_COUNT; i++)
		if (kind_table[i]->probe_dir(dir)) {
			kind = kind_table[i];
			break;
		}
	struct tok *t = ce_calloc(1, sizeof *t);
	if (!t) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
		return NULL;
	}
	t->kind = kind;
	t->impl = kind->open_dir(dir, err);
	if (!t->impl) {
		ce_free(t);
		return NULL;
	}
	kind->describe(t->impl, t->describe, sizeof t->describe);
	return t;
}

void tok_free(struct tok *t)
{
	if (!t)
		return;
	t->kind->free(t->impl);
	ce_free(t);
}

const struct tok_kind *tok_kind_of(const struct tok *t) { return t->kind; }

enum ce_status tok_encode(const struct tok *t, const char *text, size_t len, int32_t max_len, int32_t *ids,
			  int32_t *n_ids)
{
	return t->kind->encode(t->impl, text, len, max_len, ids, n_ids);
}

int32_t tok_max_length(const struct tok *t) { return t->kind->max_length(t->impl); }
int32_t tok_vocab_size(const struct tok *t) { return t->kind->vocab_size(t->impl); }

struct tok_special tok_special_ids(const struct tok *t)
{
	struct tok_special sp;
	t->kind->special_ids(t->impl, &sp);
	return sp;
}

const char *tok_fingerprint(const struct tok *t) { return t->kind->fingerprint(t->impl); }
const char *tok_describe(const struct tok *t) { return t->describe; }
