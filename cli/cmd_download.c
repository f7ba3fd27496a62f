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

/* ---- fetching ---------------------------------------------------------- */

static enum ce_status fetch_repo(struct hub_client *c, enum hub_repo_type type, const char *repo, const char *rev,
				 hub_select_fn select, void *user, int dry, struct ce_err *err)
{
	if (dry)
		return hub_fetch_dry_run(c, type, repo, rev, select, user, err);
	char commit[41];
	ce_log(CE_LOG_INFO, "%s %s@%s: asking %s", type == HUB_REPO_DATASET ? "dataset" : "model", repo,
	       rev ? rev : "main", hub_client_endpoint(c));
	CE_TRY(hub_fetch_repo(c, type, repo, rev, select, user, 1, commit, NULL, err));
	char *repo_dir = hub_cache_repo_dir(hub_client_cache_root(c), type, repo);
	char *snap = repo_dir ? hub_cache_snapshot_dir(repo_dir, commit) : NULL;
	if (!snap) {
		ce_free(repo_dir);
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
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

/* The task's hub repos: its dataset, and for v1 retrieval the -qrels dataset. */
static enum ce_status fetch_task(struct hub_client *c, const struct task *t, int dry, int *n_skipped,
				 struct ce_err *err)
{
	if (t->n_parts > 0) { /* an aggregate: its parts' repos */
		ce_log(CE_LOG_INFO, "task %s: the data of its %d part tasks", t->name, (int)t->n_parts);
		for (int32_t i = 0; i < t->n_parts; i++)
			CE_TRY(fetch_task(c, t->parts[i], dry, n_skipped, err));
		return CE_OK;
	}
	if (!t->hf_id) {
		ce_log(CE_LOG_WARN, "task %s has no dataset.hf_id (local data only): nothing to fetch", t->name);
		(*n_skipped)++;
		return CE_OK;
	}
	if (!t->revision)
		ce_log(CE_LOG_WARN, "task %s pins no dataset.revision: fetching the main branch of %s", t->name, t->hf_id);
	for (int q = 0; q < 2; q++) {
		if (q && !t->qrels_hf_id)
			break;
		const char *repo = q ? t->qrels_hf_id : t->hf_id;
		const char *rev = q ? t->qrels_revision : t->revision;
		ce_log(CE_LOG_INFO, "dataset %s@%s: asking %s", repo, rev ? rev : "main", hub_client_endpoint(c));
		CE_TRY(hub_fetch_task_dataset(c, t, q, dry, err));
		if (!dry) { /* the snapshot folder on stdout, as for a model */
			char *rd = hub_cache_repo_dir(hub_client_cache_root(c), HUB_REPO_DATASET, repo);
			char snap[256];
			if (rd && hub_cache_resolve(rd, rev, snap, sizeof snap, err) == CE_OK)
				printf("%s/snapshots/%s\n", rd, snap);
			ce_free(rd);
		}
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
		if (fetch_repo(c, HUB_REPO_MODEL, hub_id, dl_args.revision, hub_fetch_model_select, NULL, dl_args.dry_run, &err) != CE_OK) {
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
	"task's dataset card and the data files of the configs and splits it reads (from the card's configs: "
	"globs, else the file names), at the revision the task file pins (and the -qrels "
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
