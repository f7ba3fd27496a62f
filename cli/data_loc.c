/*
 * data_loc.c - where a task's data is (data_loc.h).
 */
#include "data_loc.h"

#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "fs_util.h"
#include "hub_cache.h"

/* The snapshot folder of dataset repo_id at revision in the first cache root that has it; NULL if none. */
static char *find_snapshot(const char *repo_id, const char *revision, char *rev_read, size_t cap)
{
	char roots[HUB_CACHE_MAX_ROOTS][HUB_PATH_MAX];
	int nr = hub_cache_search_roots(roots);
	for (int i = 0; i < nr; i++) {
		char *rd = hub_cache_repo_dir(roots[i], HUB_REPO_DATASET, repo_id);
		struct ce_err e;
		char *sd = NULL;
		if (rd && hub_cache_resolve(rd, revision, rev_read, cap, &e) == CE_OK)
			sd = hub_cache_snapshot_dir(rd, rev_read);
		ce_free(rd);
		if (sd && fs_is_dir(sd))
			return sd;
		ce_free(sd);
	}
	return NULL;
}

static enum ce_status not_cached(const struct task *t, const char *dir, const char *repo_id, const char *revision,
				 struct ce_err *err)
{
	char *root = hub_cache_root();
	char rev[160];
	if (revision)
		snprintf(rev, sizeof rev, " --revision %s", revision);
	else
		rev[0] = '\0';
	enum ce_status st = ce_err_set(err, CE_E_NOT_FOUND,
				       "no data: %s%s%s is not in the hub cache: fetch it with `huggingface-cli download %s "
				       "--repo-type dataset%s` or `ceval download --task %s` (looked in %s and %s)",
				       repo_id, revision ? " at revision " : "", revision ? revision : "", repo_id, rev,
				       t->name, root ? root : "?", dir);
	ce_free(root);
	return st;
}

enum ce_status data_locate(const struct task *t, const char *data_dir, struct data_found *f, struct ce_err *err)
{
	memset(f, 0, sizeof *f);
	if (t->n_parts > 0)
		return ce_err_set(err, CE_E_INVALID_ARG,
				  "task %s is an aggregate of %d part tasks: it has no data of its own (its parts do)",
				  t->name, (int)t->n_parts);
	if (!(f->dir = fs_join(data_dir, t->dataset_path)))
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	f->loc.dir = f->dir;
	if (fs_is_dir(f->dir) || !t->hf_id)
		return CE_OK;
	if (!(f->snapshot = find_snapshot(t->hf_id, t->revision, f->revision, sizeof f->revision)))
		return not_cached(t, f->dir, t->hf_id, t->revision, err);
	if (t->qrels_hf_id &&
	    !(f->qrels_snapshot = find_snapshot(t->qrels_hf_id, t->qrels_revision, f->qrels_revision,
						sizeof f->qrels_revision)))
		return not_cached(t, f->dir, t->qrels_hf_id, t->qrels_revision, err);
	f->hub = 1;
	f->loc = (struct data_location){
		.snapshot = f->snapshot,
		.qrels_snapshot = f->qrels_snapshot,
		.repo_id = t->hf_id,
		.revision = f->revision,
		.qrels_repo_id = t->qrels_hf_id,
		.qrels_revision = t->qrels_hf_id ? f->qrels_revision : NULL,
	};
	return CE_OK;
}

void data_found_free(struct data_found *f)
{
	ce_free(f->dir);
	ce_free(f->snapshot);
	ce_free(f->qrels_snapshot);
	memset(f, 0, sizeof *f);
}

void data_found_source(const struct data_found *f, char *buf, size_t cap)
{
	if (!f->hub) {
		snprintf(buf, cap, "%s", "");
		return;
	}
	if (f->loc.qrels_repo_id)
		snprintf(buf, cap, "%s@%s + %s@%s", f->loc.repo_id, f->loc.revision, f->loc.qrels_repo_id,
			 f->loc.qrels_revision);
	else
		snprintf(buf, cap, "%s@%s", f->loc.repo_id, f->loc.revision);
}
