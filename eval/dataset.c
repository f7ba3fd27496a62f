/*
 * dataset.c - one split of a task's dataset: loading through the task-type
 * table (the loaders are in eval/types/t_<type>.c and read through
 * record.h), freeing, row counts, the content hash and de-duplication.
 */
#include "dataset.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "ce_hash.h"
#include "fs_util.h"
#include "task_types.h"

void dataset_free(struct dataset *ds)
{
	if (!ds)
		return;
	ce_free(ds->split);
	/* every part is zeroed unless filled, so each type frees its own */
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		task_types[i]->deinit(ds);
	ce_free(ds);
}

enum ce_status dataset_load_at(const struct task *t, const struct data_location *loc, const char *split,
			       struct dataset **out, struct ce_err *err)
{
	*out = NULL;
	/* split names become file names: same rule as the task loader */
	if (!split[0] || split[0] == '.' || strchr(split, '/') || strlen(split) > 200)
		return ce_err_set(err, CE_E_INVALID_ARG, "'%s': not a valid split name", split);
	const struct task_type_desc *d = task_type_desc(t->type);
	if (!d)
		return ce_err_set(err, CE_E_INVALID_ARG, "task %s: bad type %d", t->name, (int)t->type);
	if (t->n_parts > 0)
		return ce_err_set(err, CE_E_INVALID_ARG, "task %s is an aggregate: it has no data of its own (its parts do)",
				  t->name);
	struct dataset *ds = ce_calloc(1, sizeof *ds);
	if (!ds || !(ds->split = ce_strdup(split))) {
		dataset_free(ds);
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	ds->type = t->type;
	ds->content_hash = CE_FNV1A64_INIT;
	enum ce_status st = d->load(t, loc, split, ds, err);
	if (st != CE_OK) {
		dataset_free(ds);
		return st;
	}
	*out = ds;
	return CE_OK;
}

enum ce_status dataset_load(const struct task *t, const char *data_root, const char *split, struct dataset **out,
			    struct ce_err *err)
{
	*out = NULL;
	if (t->n_parts > 0)
		return ce_err_set(err, CE_E_INVALID_ARG, "task %s is an aggregate: it has no data of its own (its parts do)",
				  t->name);
	char *dir = fs_join(data_root, t->dataset_path);
	if (!dir)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	struct data_location loc = {.dir = dir};
	enum ce_status st = dataset_load_at(t, &loc, split, out, err);
	ce_free(dir);
	return st;
}

int64_t dataset_n_rows(const struct dataset *ds)
{
	const struct task_type_desc *d = task_type_desc(ds->type);
	return d ? d->n_rows(ds) : 0;
}

void dataset_hash_hex(const struct dataset *ds, char buf[17])
{
	snprintf(buf, 17, "%016" PRIx64, ds->content_hash);
}

enum ce_status dataset_dedup(const char *const *texts, int64_t n, int64_t **uniq, int64_t *n_uniq, int64_t **map,
			     struct ce_err *err)
{
	*uniq = NULL;
	*map = NULL;
	*n_uniq = 0;
	if (n < 0)
		return ce_err_set(err, CE_E_INVALID_ARG, "dataset_dedup: negative count %" PRId64, n);
	int64_t *u = ce_malloc_array(n ? (size_t)n : 1, sizeof *u);
	int64_t *m = ce_malloc_array(n ? (size_t)n : 1, sizeof *m);
	struct str_index x = {0};
	if (!u || !m || str_index_init(&x, n) != CE_OK) {
		ce_free(u);
		ce_free(m);
		return ce_err_set(err, CE_E_NOMEM, "dataset_dedup: out of memory for %" PRId64 " texts", n);
	}
	int64_t nu = 0;
	for (int64_t i = 0; i < n; i++) {
		int64_t f = str_index_find_or_add(&x, texts, texts[i], i);
		if (f < 0) {
			m[i] = nu;
			u[nu++] = i;
		} else {
			m[i] = m[f];
		}
	}
	str_index_deinit(&x);
	*uniq = u;
	*map = m;
	*n_uniq = nu;
	return CE_OK;
}
