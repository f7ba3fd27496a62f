/*
 * data_loc.h - where a task's data is found, in the documented order
 * (README "Where datasets are looked up"):
 *   1. <data dir>/<dataset.path> (--data-dir, $CEVAL_DATA, ./datasets): the
 *      JSONL layout of eval/dataset.h, whenever that folder exists;
 *   2. the Hugging Face hub cache (hub_cache_search_roots: $HF_HUB_CACHE,
 *      $HF_HOME/hub, ~/.cache/huggingface/hub, ...) holding dataset.hf_id at
 *      dataset.revision (and dataset.qrels_hf_id at dataset.qrels_revision),
 *      symlinked or plain-copy snapshots alike.
 * The result is the struct data_location eval reads (eval/dataset.h).
 */
#ifndef DATA_LOC_H
#define DATA_LOC_H

#include <stddef.h>

#include "ce_status.h"
#include "dataset.h"
#include "task.h"

struct data_found {
	struct data_location loc; /* points into the strings below and the task */
	char *dir, *snapshot, *qrels_snapshot;
	char revision[128], qrels_revision[128]; /* the snapshots' names: the revisions actually read */
	int hub;                                 /* 1: found in the hub cache */
};

/*
 * Find task t's data.  [out] *f (data_found_free).  When the folder is absent
 * and the task names a hub repo that is not cached at its revision:
 * CE_E_NOT_FOUND with one line naming the command that fetches it
 * (`huggingface-cli download ORG/X --repo-type dataset --revision R`, or
 * `ceval download --task NAME`).  Without a hub repo, the folder is returned
 * even when absent, so loading reports the files it looked for.
 */
enum ce_status data_locate(const struct task *t, const char *data_dir, struct data_found *f, struct ce_err *err);
void data_found_free(struct data_found *f);

/* "ORG/X@REV" (and " + ORG/X-qrels@REV") for a hub location, "" otherwise. */
void data_found_source(const struct data_found *f, char *buf, size_t cap);

#endif
