/*
 * hub_fetch.h - what of a hub repo ceval needs, and fetching it on demand:
 * shared by `ceval download` and `ceval run` (which fetches a missing model
 * and missing task datasets before it starts unless offline).
 *
 * A model: config, tokenizer and sentence-transformers files and one weight
 * format.  A dataset: its card (README.md) and the data files of the configs
 * and splits the task reads, found with the card's `configs:` globs or the
 * file-name convention (eval/data/hub_layout.h) applied to the repo listing.
 *
 * Ownership: struct hub_pick owns its strings (hub_pick_deinit).
 */
#ifndef HUB_FETCH_H
#define HUB_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"
#include "hub_download.h"
#include "model_ref.h"
#include "task.h"

/* 1 when offline: the flag, or HF_HUB_OFFLINE=1 in the environment. */
int hub_fetch_offline(int offline_flag);

/* "1.2 MB" (powers of 1000, as huggingface_hub's tqdm bars). */
void hub_fetch_human_bytes(double bytes, char *out, size_t cap);

/* hub_select_fn for a model: config, vocab, tokenizer and sentence-transformers files, one weight format. */
int hub_fetch_model_select(const struct hub_repo_info *info, const struct hub_file *file, void *user);

/*
 * Fetch the files select accepts of repo at revision (NULL = main) into the
 * client's cache, then for a model a .no_exist/<commit>/<path> marker for
 * each optional file the repo lacks (modules.json, 1_Pooling/config.json,
 * ...), then refs/<revision> when it is a branch.  summary: one line on
 * stderr (commit, files, bytes, time, rate).  [out] commit (40 hex + NUL),
 * *n_downloaded (may be NULL).  Errors as hub_download_file.
 */
enum ce_status hub_fetch_repo(struct hub_client *c, enum hub_repo_type type, const char *repo_id, const char *revision,
			      hub_select_fn select, void *user, int summary, char commit[41], int64_t *n_downloaded,
			      struct ce_err *err);

/* Print (stdout) what select takes of repo at rev, cached or to fetch, with sizes; download nothing. */
enum ce_status hub_fetch_dry_run(struct hub_client *c, enum hub_repo_type type, const char *repo, const char *rev,
				 hub_select_fn select, void *user, struct ce_err *err);

/* A list of repo paths; hub_pick_select accepts exactly them. */
struct hub_pick {
	char **paths;
	int32_t n;
};
void hub_pick_deinit(struct hub_pick *p);
int hub_pick_select(const struct hub_repo_info *info, const struct hub_file *file, void *user /* struct hub_pick */);

/*
 * Which files of a task's dataset repo (qrels 1: its -qrels repo) to fetch,
 * from the repo listing info and its card: README.md is downloaded into the
 * cache first (also for a dry run: it is small and says where the splits
 * are).  mteb/... v2 repos: the corpus, queries, default (the eval split) and,
 * for reranking, top_ranked configs; C-MTEB v1 repos: the eval splits, train
 * for classification, corpus and queries for retrieval (the eval split of the
 * -qrels repo).  When nothing matches, every data file, with a warning.
 * [out] *pick (hub_pick_deinit).
 */
enum ce_status hub_fetch_dataset_plan(struct hub_client *c, const struct task *t, int qrels,
				      const struct hub_repo_info *info, struct hub_pick *pick, struct ce_err *err);

/* Plan and fetch (or with dry, list) one dataset repo of a task at its pinned revision. */
enum ce_status hub_fetch_task_dataset(struct hub_client *c, const struct task *t, int qrels, int dry,
				      struct ce_err *err);

/*
 * Resolve a --model argument like model_ref_resolve; when it is a known name
 * or an ORG/NAME hub id that is not on disk and not offline, download the
 * model's files (revision NULL = main) into the hub cache first.  Offline, a
 * missing model is one error line naming `ceval download --model ...` and
 * `huggingface-cli download ...`.  [out] *ref as model_ref_resolve.
 */
enum ce_status hub_fetch_model_ref(const char *arg, const char *revision, int offline, int quiet, struct model_ref *ref,
				   struct ce_err *err);

/*
 * Before a run: for every task with dataset.hf_id (and qrels_hf_id) whose
 * data is neither under <data_dir>/<dataset.path> in the JSON-lines layout
 * nor in a hub cache at the pinned revision (every config/split the task
 * reads present), download what the task reads.  Offline (flag or
 * HF_HUB_OFFLINE=1) nothing is fetched: one warning per such task names
 * `ceval download --task NAME`, and the task then fails on its missing data.
 * A failed download is one error line ("task NAME: ...") and that task then
 * fails the same way; after a network or server failure (CE_E_IO) nothing
 * more is asked of the hub in this call.  quiet: no progress lines.
 * Returns CE_E_NOMEM only (with err set); else CE_OK.
 */
enum ce_status hub_fetch_tasks_data(const struct task *const *tasks, int n_tasks, const char *data_dir, int offline,
				    int quiet, struct ce_err *err);

#endif
