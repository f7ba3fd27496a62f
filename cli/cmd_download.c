/*
 * cmd_download.c - `ceval download`: fetch models, and the pinned dataset
 * revisions of tasks (the -qrels repos of v1 retrieval tasks included), into
 * the Hugging Face hub cache, in huggingface_hub's layout (hub/hub_cache.h),
 * so that Python tools see the same files.  Only the files ceval needs are
 * fetched: a model's config, tokenizer and sentence-transformers files and
 * one weight format (model.safetensors rather than pytorch_model.bin); a
 * dataset's README.md (the configs: card) and the data files of the splits
 * the task uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ce_alloc.h"
#include "ce_log.h"
#include "cli.h"
#include "fs_util.h"
#include "hub_cache.h"
#include "hub_download.h"
#include "hub_fetch.h"
#include "model_ref.h"
#include "paths.h"
#include "task.h"

static struct {
	const char *model, *revision, *suite, *tasks_dir;
	struct cli_list tasks;
	int dry_run, quiet, verbose;
} dl_args;

static const struct cli_opt *download_options(void)
{
	static const struct cli_opt opts[] = {
		{"model", 'm', CLI_OPT_STRING, &dl_args.model, "NAME|ORG/NAME",
		 "A model to fetch: a known name (see 'ceval models') or a hub id.", NULL, 0, 0, 0},
		{"revision", 0, CLI_OPT_STRING, &dl_args.revision, "REV",
		 "Branch, tag or commit of --model. A branch is recorded in refs/<branch>; a commit is not.", "main", 0,
		 0, 0},
		{"suite", 's', CLI_OPT_STRING, &dl_args.suite, "NAME|FILE",
		 "Fetch the datasets of every task of a suite, at the revisions the task files pin.", NULL, 0, 0, 0},
		{"task", 'T', CLI_OPT_LIST, &dl_args.tasks, "NAME",
		 "Fetch the datasets of these tasks (repeatable or comma-separated).", NULL, 0, 0, 0},
		{"tasks-dir", 0, CLI_OPT_STRING, &dl_args.tasks_dir, "DIR", "Where task and suite YAML files are.",
		 "$CEVAL_TASKS, else ./tasks", 0, 0, 0},
		{"dry-run", 'n', CLI_OPT_FLAG, &dl_args.dry_run, NULL,
		 "Ask the hub what would be fetched and print it with sizes; download nothing.", NULL, 0, 0, 0},
		{"quiet", 'q', CLI_OPT_FLAG, &dl_args.quiet, NULL, "No progress line; errors only.", NULL, 0, 0, 0},
		{"verbose", 'v', CLI_OPT_FLAG, &dl_args.verbose, NULL, "Say what is fetched from where.", NULL, 0, 0, 0},
		CLI_OPT_END,
	};
	return opts;
}

/* ---- which files ------------------------------------------------------ */

static int has_path(const struct hub_repo_info *info, const char *path)
{
	for (int32_t i = 0; i < info->n_files; i++)
		if (strcmp(info->files[i].path, path) == 0)
			return 1;
	return 0;
}

static int starts_ends(const char *s, const char *pre, const char *suf)
{
	size_t ls = strlen(s), lp = strlen(pre), lx = strlen(suf);
	return ls >= lp + lx && strncmp(s, pre, lp) == 0 && strcmp(s + ls - lx, suf) == 0;
}

/* A model's files: config, tokenizer, sentence-transformers modules, one weight format. */
static int model_select(const struct hub_repo_info *info, const struct hub_file *file, void *user)
{
	(void)user;
	static const char *const always[] = {
		"config.json",	    "vocab.txt",  "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
		"added_tokens.json", "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json",
		NULL,
	};
	const char *p = file->path;
	for (int i = 0; always[i]; i++)
		if (strcmp(p, always[i]) == 0)
			return 1;
	const char *us = strstr(p, "_Pooling/config.json"); /* 1_Pooling/config.json */
	if (us && strcmp(us, "_Pooling/config.json") == 0 && !memchr(p, '/', (size_t)(us - p)))
		return 1;
	if (has_path(info, "model.safetensors"))
		return strcmp(p, "model.safetensors") == 0;
	if (has_path(info, "model.safetensors.index.json"))
		return strcmp(p, "model.safetensors.index.json") == 0 ||
		       (starts_ends(p, "model-", ".safetensors") && !strchr(p, '/'));
	return strcmp(p, "pytorch_model.bin") == 0 || strcmp(p, "pytorch_model.bin.index.json") == 0 ||
	       (starts_ends(p, "pytorch_model-", ".bin") && !strchr(p, '/'));
}

struct ds_select {
	const char *splits[TASK_MAX_SPLITS + 4]; /* split (or config) names the task reads */
	int n_splits;
	int scanned, any_match;                  /* filled on the first call */
};

static int is_data_file(const char *path)
{
	static const char *const ext[] = {".parquet", ".jsonl", ".json", ".csv", ".tsv", ".arrow", ".txt", NULL};
	static const char *const comp[] = {"", ".gz", ".zst", ".bz2", ".xz", NULL};
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (strcmp(base, "dataset_infos.json") == 0 || strcmp(base, "dataset_dict.json") == 0 ||
	    strcmp(base, "README.md") == 0)
		return 0;
	for (int i = 0; ext[i]; i++)
		for (int k = 0; comp[k]; k++) {
			char suf[32];
			snprintf(suf, sizeof suf, "%s%s", ext[i], comp[k]);
			if (starts_ends(path, "", suf))
				return 1;
		}
	return 0;
}

/* A data file belongs to a split when its name starts with "<split>-", "<split>." or "<split>_",
 * or a folder on its path is named after the split (data/{split}-00000-of-00001-<hash>.parquet,
 * qrels/dev.tsv, corpus/...). */
static int data_file_matches(const struct ds_select *sel, const char *path)
{
	for (int i = 0; i < sel->n_splits; i++) {
		const char *s = sel->splits[i];
		size_t ls = strlen(s);
		const char *comp = path;
		for (;;) {
			const char *slash = strchr(comp, '/');
			size_t lc = slash ? (size_t)(slash - comp) : strlen(comp);
			if (slash ? (lc == ls && strncmp(comp, s, ls) == 0)
				  : (lc > ls && strncmp(comp, s, ls) == 0 && strchr("-._", comp[ls])))
				return 1;
			if (!slash)
				break;
			comp = slash + 1;
		}
	}
	return 0;
}

static int dataset_select(const struct hub_repo_info *info, const struct hub_file *file, void *user)
{
	struct ds_select *sel = user;
	if (!sel->scanned) {
		sel->scanned = 1;
		for (int32_t i = 0; i < info->n_files && !sel->any_match; i++)
			sel->any_match = is_data_file(info->files[i].path) && data_file_matches(sel, info->files[i].path);
		if (!sel->any_match)
			ce_log(CE_LOG_WARN, "no data file is named after the splits the task uses; fetching all data files");
	}
	const char *p = file->path;
	if (strcmp(p, "README.md") == 0 || strcmp(p, "dataset_infos.json") == 0)
		return 1;
	if (!is_data_file(p))
		return 0;
	return sel->any_match ? data_file_matches(sel, p) : 1;
}

/* ---- fetching ---------------------------------------------------------- */

int hub_fetch_offline(int offline_flag)
{
	return offline_flag || hub_offline();
}

static void human(double b, char *out, size_t cap)
{
	const char *u[] = {"B", "kB", "MB", "GB", "TB"};
	int i = 0;
	while (b >= 1000 && i < 4)
		b /= 1000, i++;
	snprintf(out, cap, i == 0 ? "%.0f %s" : "%.1f %s", b, u[i]);
}

/* --dry-run: list what select takes, cached or to fetch, with sizes. */
static enum ce_status dry_run(struct hub_client *c, enum hub_repo_type type, const char *repo, const char *rev,
			      hub_select_fn select, void *user, struct ce_err *err)
{
	struct hub_repo_info info;
	enum ce_status s = hub_repo_info_fetch(c, type, repo, rev, &info, err);
	char *repo_dir = s == CE_OK ? hub_cache_repo_dir(hub_client_cache_root(c), type, repo) : NULL;
	if (s == CE_OK && !repo_dir)
		s = ce_err_set(err, CE_E_NOMEM, "out of memory");
	if (s == CE_OK) {
		int64_t need = 0, have = 0;
		int n_need = 0, n_have = 0;
		printf("%s %s@%s (commit %s)\n", type == HUB_REPO_DATASET ? "dataset" : "model", repo, rev ? rev : "main",
		       info.commit);
		for (int32_t i = 0; i < info.n_files; i++) {
			const struct hub_file *f = &info.files[i];
			if (!select(&info, f, user))
				continue;
			int cached = hub_cache_has_file(repo_dir, info.commit, f->path);
			char sz[32];
			human(f->size >= 0 ? (double)f->size : 0, sz, sizeof sz);
			printf("  %-7s %10s  %s\n", cached ? "cached" : "fetch", f->size >= 0 ? sz : "?", f->path);
			if (cached)
				have += f->size > 0 ? f->size : 0, n_have++;
			else
				need += f->size > 0 ? f->size : 0, n_need++;
		}
		char a[32], b[32];
		human((double)need, a, sizeof a);
		human((double)have, b, sizeof b);
		printf("  would fetch %d file(s), %s; %d file(s), %s already cached\n", n_need, a, n_have, b);
	}
	ce_free(repo_dir);
	hub_repo_info_deinit(&info);
	return s;
}

static enum ce_status fetch_repo(struct hub_client *c, enum hub_repo_type type, const char *repo, const char *rev,
				 hub_select_fn select, void *user, int dry, struct ce_err *err)
{
	if (dry)
		return dry_run(c, type, repo, rev, select, user, err);
	char commit[41];
	int64_t got = 0;
	const char *kind = type == HUB_REPO_DATASET ? "dataset" : "model";
	ce_log(CE_LOG_INFO, "%s %s@%s: asking %s", kind, repo, rev ? rev : "main", hub_client_endpoint(c));
	enum ce_status s = hub_download_snapshot(c, type, repo, rev, select, user, commit, &got, err);
	if (s != CE_OK)
		return s;
	char *repo_dir = hub_cache_repo_dir(hub_client_cache_root(c), type, repo);
	char *snap = repo_dir ? hub_cache_snapshot_dir(repo_dir, commit) : NULL;
	if (!snap) {
		ce_free(repo_dir);
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	char sz[32];
	human((double)got, sz, sizeof sz);
	if (ce_log_get_level() >= CE_LOG_WARN)
		fprintf(stderr, "ceval: %s %s@%s: commit %s, %s downloaded\n", kind, repo, rev ? rev : "main", commit, sz);
	printf("%s\n", snap);
	ce_free(snap);
	ce_free(repo_dir);
	return CE_OK;
}

static struct hub_client *client_for(int quiet, struct ce_err *err)
{
	if (hub_offline()) {
		ce_err_set(err, CE_E_INVALID_ARG,
			   "HF_HUB_OFFLINE is set: ceval download needs the network; unset it (ceval run --offline uses "
			   "only what is cached)");
		return NULL;
	}
	struct hub_client_opts o = {0};
	o.progress = !quiet;
	return hub_client_create(&o, err);
}

enum ce_status hub_fetch_model_ref(const char *arg, const char *revision, int offline, int quiet, struct model_ref *ref,
				   struct ce_err *err)
{
	enum ce_status s = model_ref_resolve(arg, ref, err);
	if (s != CE_E_NOT_FOUND || fs_is_dir(arg))
		return s;
	const struct known_model *km = known_model_find(arg);
	const char *hub_id = km ? km->hub_id : arg;
	if (!km && (!strchr(arg, '/') || !hub_repo_id_is_valid(arg)))
		return s; /* not a hub id: the not-found message stands */
	if (hub_fetch_offline(offline)) {
		ce_err_prefix(err, "offline (--offline or HF_HUB_OFFLINE=1), so nothing is downloaded");
		return CE_E_NOT_FOUND;
	}
	ce_log(CE_LOG_WARN, "model %s is not cached: downloading %s", arg, hub_id);
	struct hub_client_opts o = {0};
	o.progress = !quiet;
	struct hub_client *c = hub_client_create(&o, err);
	if (!c)
		return err ? err->code : CE_E_IO;
	char commit[41];
	int64_t got = 0;
	s = hub_download_snapshot(c, HUB_REPO_MODEL, hub_id, revision, model_select, NULL, commit, &got, err);
	hub_client_free(c);
	if (s != CE_OK)
		return s;
	return model_ref_resolve(arg, ref, err);
}

/* The task's hub repos: its dataset, and for v1 retrieval the -qrels dataset. */
static enum ce_status fetch_task(struct hub_client *c, const struct task *t, int dry, int *n_skipped,
				 struct ce_err *err)
{
	if (!t->hf_id) {
		ce_log(CE_LOG_WARN, "task %s has no dataset.hf_id (local data only): nothing to fetch", t->name);
		(*n_skipped)++;
		return CE_OK;
	}
	if (!t->revision)
		ce_log(CE_LOG_WARN, "task %s pins no dataset.revision: fetching the main branch of %s", t->name, t->hf_id);
	struct ds_select sel = {0};
	if (t->type == TASK_TYPE_RETRIEVAL && t->qrels_hf_id) { /* v1: corpus/queries here, qrels in the other repo */
		sel.splits[sel.n_splits++] = "corpus";
		sel.splits[sel.n_splits++] = "queries";
	} else {
		for (int32_t i = 0; i < t->n_eval_splits && sel.n_splits < TASK_MAX_SPLITS; i++)
			sel.splits[sel.n_splits++] = t->eval_splits[i];
		if (t->train_split)
			sel.splits[sel.n_splits++] = t->train_split;
		if (t->type == TASK_TYPE_RETRIEVAL) { /* v2 layouts: corpus, queries, qrels configs */
			sel.splits[sel.n_splits++] = "corpus";
			sel.splits[sel.n_splits++] = "queries";
		}
	}
	CE_TRY(fetch_repo(c, HUB_REPO_DATASET, t->hf_id, t->revision, dataset_select, &sel, dry, err));
	if (t->qrels_hf_id) {
		struct ds_select qsel = {0};
		for (int32_t i = 0; i < t->n_eval_splits && qsel.n_splits < TASK_MAX_SPLITS; i++)
			qsel.splits[qsel.n_splits++] = t->eval_splits[i];
		CE_TRY(fetch_repo(c, HUB_REPO_DATASET, t->qrels_hf_id, t->qrels_revision, dataset_select, &qsel, dry, err));
	}
	return CE_OK;
}

static int run_download(const struct cli_command *self, int argc, char **argv)
{
	memset(&dl_args, 0, sizeof dl_args);
	enum cli_parse_result pr = cli_parse(self, download_options(), argc, argv, NULL, 0, NULL);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	cli_apply_verbosity(dl_args.quiet, dl_args.verbose);
	if (!dl_args.model && !dl_args.suite && dl_args.tasks.n == 0)
		return cli_usage_error(self, "say what to fetch: --model NAME, --suite NAME or --task NAME");
	if (dl_args.revision && !dl_args.model)
		return cli_usage_error(self, "--revision applies to --model (tasks pin their own dataset revisions)");
	struct ce_err err;
	ce_err_clear(&err);
	struct hub_client *c = client_for(dl_args.quiet || dl_args.dry_run, &err);
	if (!c)
		return cli_report(&err);
	int rc = CLI_EXIT_OK;
	struct suite *suite = NULL;
	char *tasks_dir = NULL;
	if (dl_args.model) {
		const struct known_model *km = known_model_find(dl_args.model);
		const char *hub_id = km ? km->hub_id : dl_args.model;
		if (!km && !strchr(hub_id, '/')) {
			rc = cli_usage_error(self, "'%s' is neither a known model name (see 'ceval models') nor an ORG/NAME hub id",
					     dl_args.model);
			goto out;
		}
		if (fetch_repo(c, HUB_REPO_MODEL, hub_id, dl_args.revision, model_select, NULL, dl_args.dry_run, &err) != CE_OK) {
			rc = cli_report(&err);
			goto out;
		}
	}
	if (dl_args.suite || dl_args.tasks.n > 0) {
		tasks_dir = paths_tasks_dir(dl_args.tasks_dir);
		if (!tasks_dir) {
			rc = cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
			goto out;
		}
		int n_skipped = 0;
		if (dl_args.suite) {
			if (suite_load(tasks_dir, dl_args.suite, &suite, &err) != CE_OK) {
				rc = cli_report(&err);
				goto out;
			}
			for (int32_t i = 0; i < suite->n_tasks; i++)
				if (fetch_task(c, suite->tasks[i], dl_args.dry_run, &n_skipped, &err) != CE_OK) {
					rc = cli_report(&err);
					goto out;
				}
		}
		for (int k = 0; k < dl_args.tasks.n; k++) {
			char *list = ce_strdup(dl_args.tasks.items[k]);
			for (char *save = NULL, *tok = list ? strtok_r(list, ",", &save) : NULL; tok && rc == CLI_EXIT_OK;
			     tok = strtok_r(NULL, ",", &save)) {
				char *path = NULL;
				struct task *t = NULL;
				if (task_find_file(tasks_dir, tok, &path, &err) != CE_OK || task_load_file(path, &t, &err) != CE_OK ||
				    fetch_task(c, t, dl_args.dry_run, &n_skipped, &err) != CE_OK)
					rc = cli_report(&err);
				task_free(t);
				ce_free(path);
			}
			ce_free(list);
			if (rc != CLI_EXIT_OK)
				goto out;
		}
	}
out:
	suite_free(suite);
	ce_free(tasks_dir);
	hub_client_free(c);
	return rc;
}

const struct cli_command cmd_download = {
	"download",
	"Fetch models and task datasets from the Hugging Face hub into its cache",
	"ceval download --model NAME|ORG/NAME [--revision REV] | --suite NAME | --task NAME... [options]",
	"Downloads into the Hugging Face hub cache ($HF_HUB_CACHE, else $HF_HOME/hub, else "
	"~/.cache/huggingface/hub) in huggingface_hub's own layout (blobs/, snapshots/<commit>/, refs/), so "
	"Python tools and ceval share the files. Only what ceval needs is fetched: a model's config, tokenizer and "
	"sentence-transformers files and model.safetensors (pytorch_model.bin only when there is no safetensors); a "
	"task's dataset card and the data files of its splits, at the revision the task file pins (and the -qrels "
	"repo of v1 retrieval tasks). Interrupted downloads resume; every file is checked against its sha256 (LFS) "
	"or git blob id before it enters the cache. Prints the snapshot folder of each repo on stdout. "
	"Environment: HF_ENDPOINT (a mirror), HF_TOKEN (gated or private repos), HF_HUB_CACHE / HF_HOME, "
	"https_proxy / no_proxy.",
	"ceval download --model bge-base-zh-v1.5\n"
	"ceval download --model BAAI/bge-small-zh-v1.5 --revision main\n"
	"ceval download --suite cmteb --dry-run\n"
	"HF_ENDPOINT=https://hf-mirror.com ceval download --task T2Retrieval",
	download_options,
	run_download,
};
