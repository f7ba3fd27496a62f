/*
 * cmd_list.c - `ceval list`: the tasks of a suite (or of every suite, and
 * the tasks outside suites) with type, split, main score, dataset folder and
 * whether the files dataset.h needs are present under the data root.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "cli.h"
#include "data_loc.h"
#include "dataset.h"
#include "fs_util.h"
#include "hub_cache.h"
#include "line_reader.h"
#include "paths.h"
#include "subset.h"
#include "task.h"

static struct {
	const char *suite, *tasks_dir, *data_dir;
} lo;

static const struct cli_opt *list_options(void)
{
	static const struct cli_opt opts[] = {
		{"suite", 's', CLI_OPT_STRING, &lo.suite, "NAME|FILE", "List only this suite's tasks.", "every suite", 0, 0,
		 0},
		{"tasks-dir", 0, CLI_OPT_STRING, &lo.tasks_dir, "DIR", "Where task and suite YAML files are.",
		 "$CEVAL_TASKS, else ./tasks, else the installed tasks", 0, 0, 0},
		{"data-dir", 'd', CLI_OPT_STRING, &lo.data_dir, "DIR",
		 "Root of the datasets; a task's files are under <data-dir>/<dataset path>.", "$CEVAL_DATA, else datasets/",
		 0, 0, 0},
		CLI_OPT_END,
	};
	return opts;
}

/* 1 if base or base.zst is a file (dataset.h accepts both). */
static int file_or_zst(const char *dir, const char *rel)
{
	char *p = fs_join(dir, rel);
	if (!p)
		return 0;
	size_t n = strlen(p) + 5;
	char *z = ce_malloc(n);
	int ok = fs_is_file(p);
	if (!ok && z) {
		snprintf(z, n, "%s.zst", p);
		ok = fs_is_file(z);
	}
	ce_free(z);
	ce_free(p);
	return ok;
}

static int have_data(const char *status);

/*
 * "yes", "no (folder missing)" or "no (missing X)" for the expected files of
 * dataset.h; when the folder is absent and the task names a hub repo that is
 * cached at its revision (data_loc.h), where it was found: "hub ORG/X@REV".
 */
static void data_status(const struct task *t, const char *data_dir, char *buf, size_t cap)
{
	if (t->n_parts > 0) { /* an aggregate: its parts' data */
		int n_have = 0;
		char first[300] = "";
		for (int32_t i = 0; i < t->n_parts; i++) {
			char st[1024];
			data_status(t->parts[i], data_dir, st, sizeof st);
			if (have_data(st))
				n_have++;
			else if (!first[0])
				snprintf(first, sizeof first, "%s: %s", t->parts[i]->name, st);
		}
		if (n_have == t->n_parts)
			snprintf(buf, cap, "yes (all %d parts)", (int)t->n_parts);
		else
			snprintf(buf, cap, "no (%d of %d parts have data; %s)", n_have, (int)t->n_parts, first);
		return;
	}
	char *dir = fs_join(data_dir, t->dataset_path);
	if (!dir) {
		snprintf(buf, cap, "?");
		return;
	}
	if (!fs_is_dir(dir) && t->hf_id) {
		struct data_found f;
		struct ce_err e;
		char src[600];
		if (data_locate(t, data_dir, &f, &e) == CE_OK && f.hub) {
			data_found_source(&f, src, sizeof src);
			snprintf(buf, cap, "hub %s", src);
		} else {
			snprintf(buf, cap, "no (no folder)"); /* nor in the hub cache: the summary line says how to fetch */
		}
		data_found_free(&f);
		ce_free(dir);
		return;
	}
	if (!fs_is_dir(dir)) {
		snprintf(buf, cap, "no (no folder)");
		ce_free(dir);
		return;
	}
	char need[8][256];
	int n = 0;
	if (t->type == TASK_TYPE_RETRIEVAL) {
		snprintf(need[n++], sizeof need[0], "corpus.jsonl");
		snprintf(need[n++], sizeof need[0], "queries.jsonl");
		for (int32_t i = 0; i < t->n_eval_splits && n < 8; i++)
			snprintf(need[n++], sizeof need[0], "qrels/%s.tsv", t->eval_splits[i]);
	} else {
		if (t->type == TASK_TYPE_CLASSIFICATION && t->train_split)
			snprintf(need[n++], sizeof need[0], "%s.jsonl", t->train_split);
		for (int32_t i = 0; i < t->n_eval_splits && n < 8; i++)
			snprintf(need[n++], sizeof need[0], "%s.jsonl", t->eval_splits[i]);
	}
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		if (!file_or_zst(dir, need[i]) && o < cap)
			o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? ", " : "no (missing ", need[i]);
	if (o && o < cap)
		snprintf(buf + o, cap - o, ")");
	if (!o)
		snprintf(buf, cap, "yes");
	ce_free(dir);
}

/* The data of a task is there (in the data folder or the hub cache), from its data_status. */
static int have_data(const char *status)
{
	return strcmp(status, "yes") == 0 || strncmp(status, "yes (", 5) == 0 || strncmp(status, "hub ", 4) == 0;
}

static void print_header(void)
{
	printf("%-34s %-20s %-11s %-16s %-3s %-11s %-9s %-48s %s\n", "TASK", "TYPE", "SPLIT", "MAIN SCORE", "QI",
	       "SUBSET", "TEXTS", "DATASET", "DATA");
}

/*
 * SUBSET: the suite's size for the task ("N", retrieval "N/M"; "-" = whole).
 * TEXTS: texts the run will encode in the first eval split (subset_count_texts
 * after subset_apply), for a task with a subset size whose data is there,
 * when `count` is set; else "-".
 */
static void subset_cols(const struct task *t, int64_t sub_n, int64_t sub_m, int count, int have_data,
			const char *data_dir, char *sub, size_t sub_cap, char *texts, size_t texts_cap)
{
	snprintf(sub, sub_cap, "-");
	snprintf(texts, texts_cap, "-");
	if (sub_n > 0 && t->type == TASK_TYPE_RETRIEVAL)
		snprintf(sub, sub_cap, "%lld/%lld", (long long)sub_n,
			 (long long)(sub_m > 0 ? sub_m : sub_n * SUBSET_CORPUS_FACTOR));
	else if (sub_n > 0)
		snprintf(sub, sub_cap, "%lld", (long long)sub_n);
	if (!count || !have_data || sub_n <= 0)
		return; /* whole tasks are not loaded: listing a full suite stays quick */
	if (t->n_parts > 0) { /* an aggregate: the sum over its parts, each subset alike */
		int64_t sum = 0;
		for (int32_t i = 0; i < t->n_parts; i++) {
			char sb[48], tx[32];
			subset_cols(t->parts[i], sub_n, sub_m, count, have_data, data_dir, sb, sizeof sb, tx, sizeof tx);
			if (strcmp(tx, "error") == 0) {
				snprintf(texts, texts_cap, "error");
				return;
			}
			sum += strtoll(tx, NULL, 10);
		}
		snprintf(texts, texts_cap, "%lld", (long long)sum);
		return;
	}
	struct dataset *ds = NULL;
	struct ce_err err;
	struct subset_info info;
	struct subset_spec spec = {sub_n, sub_m, SUBSET_SEED};
	struct data_found f;
	if (data_locate(t, data_dir, &f, &err) == CE_OK && dataset_load_at(t, &f.loc, t->eval_splits[0], &ds, &err) == CE_OK &&
	    subset_apply(ds, t, &spec, &info, &err) == CE_OK)
		snprintf(texts, texts_cap, "%lld", (long long)subset_count_texts(ds, t));
	else
		snprintf(texts, texts_cap, "error");
	dataset_free(ds);
	data_found_free(&f);
}

static void print_task(const struct task *t, const char *data_dir, int64_t sub_n, int64_t sub_m, int count)
{
	char split[128] = "";
	size_t o = 0;
	for (int32_t i = 0; i < t->n_eval_splits && o < sizeof split; i++)
		o += (size_t)snprintf(split + o, sizeof split - o, "%s%s", i ? "," : "", t->eval_splits[i]);
	char st[1024], sub[48], texts[32], ds[64];
	data_status(t, data_dir, st, sizeof st);
	subset_cols(t, sub_n, sub_m, count, have_data(st), data_dir, sub, sizeof sub, texts, sizeof texts);
	if (t->n_parts > 0)
		snprintf(ds, sizeof ds, "(mean of %d part tasks)", (int)t->n_parts);
	printf("%-34s %-20s %-11s %-16s %-3s %-11s %-9s %-48s %s\n", t->name, task_type_name(t->type), split,
	       t->main_score, t->query_instruction ? "yes" : "-", sub, texts, t->n_parts > 0 ? ds : t->dataset_path,
	       st);
}

/* Is hub dataset repo_id at revision (NULL = main) in a hub cache?  Adds its snapshot's bytes to *bytes. */
static int hub_repo_cached(const char *repo_id, const char *revision, int64_t *bytes)
{
	char roots[HUB_CACHE_MAX_ROOTS][HUB_PATH_MAX];
	int nr = hub_cache_search_roots(roots), found = 0;
	for (int i = 0; i < nr && !found; i++) {
		char *rd = hub_cache_repo_dir(roots[i], HUB_REPO_DATASET, repo_id);
		char snap[256];
		struct ce_err err;
		if (rd && hub_cache_resolve(rd, revision, snap, sizeof snap, &err) == CE_OK) {
			char *sd = hub_cache_snapshot_dir(rd, snap);
			int64_t n = sd ? hub_cache_tree_size(sd) : -1;
			*bytes += n > 0 ? n : 0;
			found = 1;
			ce_free(sd);
		}
		ce_free(rd);
	}
	return found;
}

/* One line after a suite's table: its hub dataset repos (pinned revisions) found in the hub cache. */
static void print_hub_summary(const struct suite *su)
{
	int n_repos = 0, n_cached = 0;
	int64_t bytes = 0;
	for (int32_t i = 0; i < su->n_tasks; i++) {
		const struct task *agg = su->tasks[i];
		for (int32_t j = 0; j < (agg->n_parts > 0 ? agg->n_parts : 1); j++) {
			const struct task *t = agg->n_parts > 0 ? agg->parts[j] : agg;
			if (t->hf_id)
				n_repos++, n_cached += hub_repo_cached(t->hf_id, t->revision, &bytes);
			if (t->qrels_hf_id)
				n_repos++, n_cached += hub_repo_cached(t->qrels_hf_id, t->qrels_revision, &bytes);
		}
	}
	if (n_repos == 0)
		return;
	printf("Hub cache: %d of %d dataset repo(s) at the pinned revisions cached (%.1f MB); "
	       "`ceval download --suite %s --dry-run` lists what would be fetched, with sizes\n",
	       n_cached, n_repos, (double)bytes / 1e6, su->name);
}

/* Documents in a retrieval task's corpus (non-blank lines of corpus.jsonl[.zst]); -1 if unreadable. */
static int64_t corpus_docs(const struct task *t, const char *data_dir)
{
	char *dir = fs_join(data_dir, t->dataset_path);
	char *p = dir ? fs_join(dir, "corpus.jsonl") : NULL;
	char *z = p ? ce_malloc(strlen(p) + 5) : NULL;
	int64_t n = -1;
	if (z) {
		sprintf(z, "%s.zst", p);
		struct ce_err err;
		struct line_reader *r = line_reader_open(fs_is_file(p) ? p : z, 0, &err);
		const char *line;
		size_t len;
		int eof = 0;
		for (n = 0; r && !eof;) {
			if (line_reader_next(r, &line, &len, &eof, &err) != CE_OK) {
				n = -1;
				break;
			}
			n += !eof && strspn(line, " \t\r") < len;
		}
		if (!r)
			n = -1;
		line_reader_close(r);
	}
	ce_free(z);
	ce_free(p);
	ce_free(dir);
	return n;
}

/* Task-definition mistakes that need the data (k_values beyond the corpus): said now, not after encoding. */
static int check_with_data(const struct task *t, const char *data_dir)
{
	int rc = CLI_EXIT_OK;
	for (int32_t i = 0; i < t->n_parts; i++)
		if (check_with_data(t->parts[i], data_dir) != CLI_EXIT_OK)
			rc = CLI_EXIT_DATA;
	if (t->n_parts > 0)
		return rc;
	struct ce_err err;
	ce_err_clear(&err);
	if (task_check_k_values(t, 1, &err) == CE_OK)
		return CLI_EXIT_OK; /* no k above 1 that could be wrong: skip counting the corpus */
	int64_t n = corpus_docs(t, data_dir);
	if (n < 1 || task_check_k_values(t, n, &err) == CE_OK)
		return CLI_EXIT_OK;
	return cli_report(&err);
}

static int list_suite(const char *tasks_dir, const char *name, const char *data_dir, int count, int *n_absent)
{
	struct suite *su = NULL;
	struct ce_err err;
	ce_err_clear(&err);
	if (suite_load(tasks_dir, name, &su, &err) != CE_OK) {
		cli_suggest_suite(tasks_dir, name, &err);
		return cli_report(&err);
	}
	printf("Suite %s: %d task(s)%s%s\n", su->name, (int)su->n_tasks, su->description[0] ? " - " : "",
	       su->description);
	print_header();
	int rc = CLI_EXIT_OK;
	for (int32_t i = 0; i < su->n_tasks; i++) {
		print_task(su->tasks[i], data_dir, su->subset_n[i], su->subset_corpus[i], count);
		char st[1024];
		data_status(su->tasks[i], data_dir, st, sizeof st);
		*n_absent += !have_data(st);
		if (have_data(st) && check_with_data(su->tasks[i], data_dir) != CLI_EXIT_OK)
			rc = CLI_EXIT_DATA;
	}
	print_hub_summary(su);
	suite_free(su);
	return rc;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_list(const struct cli_command *self, int argc, char **argv)
{
	memset(&lo, 0, sizeof lo);
	enum cli_parse_result pr = cli_parse(self, list_options(), argc, argv, NULL, 0, NULL);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	const char *data_dir = paths_data_dir(lo.data_dir);
	char *tasks_dir = paths_tasks_dir(lo.tasks_dir);
	if (!tasks_dir)
		return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
	printf("Tasks: %s    Data: %s    (QI = query instruction prepended)\n\n", tasks_dir, data_dir);
	int rc = CLI_EXIT_OK, n_absent = 0;
	if (lo.suite) {
		rc = list_suite(tasks_dir, lo.suite, data_dir, 1, &n_absent);
	} else {
		char *sdir = fs_join(tasks_dir, "suites");
		DIR *d = sdir ? opendir(sdir) : NULL;
		if (!d) {
			fprintf(stderr, "ceval list: no suites folder %s (use --tasks-dir)\n", sdir ? sdir : tasks_dir);
			rc = CLI_EXIT_DATA;
		} else {
			char *names[512];
			int n = 0;
			struct dirent *de;
			while ((de = readdir(d)) != NULL && n < 512) {
				size_t l = strlen(de->d_name);
				if (de->d_name[0] != '.' && l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0)
					names[n++] = ce_strndup(de->d_name, l - 5);
			}
			closedir(d);
			qsort(names, (size_t)n, sizeof *names, cmp_cstr);
			for (int i = 0; i < n; i++) {
				if (names[i] && rc == CLI_EXIT_OK) {
					int r = list_suite(tasks_dir, names[i], data_dir, 0, &n_absent);
					rc = r ? r : rc;
					printf("\n");
				}
				ce_free(names[i]);
			}
		}
		ce_free(sdir);
	}
	if (rc == CLI_EXIT_OK && n_absent)
		printf("%d task(s) without complete data under %s\n", n_absent, data_dir);
	ce_free(tasks_dir);
	return rc;
}

const struct cli_command cmd_list = {
	"list",
	"List the tasks of a suite and whether their data is present",
	"ceval list [--suite NAME] [--tasks-dir DIR] [--data-dir DIR]",
	"Prints every task of the suite (or of every suite under <tasks-dir>/suites) with its type, eval split, "
	"main score, whether the model's query instruction is used, its dataset folder (relative to the data dir) "
	"the suite's subset size for it (N, or N/M for retrieval corpora; see 'ceval run --subset'), with --suite "
	"and a subset size the number of texts a run will encode (first eval split, after the subset, before de-duplication; the "
	"data is loaded to count them), and whether the files it needs are present: retrieval corpus.jsonl, queries.jsonl and qrels/<split>.tsv; "
	"classification <train>.jsonl and <split>.jsonl; other types <split>.jsonl (each also as .zst). "
	"A present folder with missing files names them. Exit status: 0 (also when data is missing), 2 usage "
	"error, 3 broken task or suite files.",
	"ceval list\nceval list --suite cmteb --data-dir /data/cmteb\nceval list -s cmteb-mini -d ../shared/data",
	list_options,
	run_list,
};
