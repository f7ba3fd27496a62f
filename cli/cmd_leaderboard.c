/*
 * cmd_leaderboard.c - `ceval leaderboard`: markdown tables of every model
 * folder under a results directory, aggregated as the C-MTEB tables
 * (leaderboard.h).  Exit 0, 2 usage, 3 unreadable/malformed input.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "cli.h"
#include "fs_util.h"
#include "leaderboard.h"
#include "paths.h"
#include "task.h"

static struct {
	const char *results, *suite, *output, *tasks_dir;
} lbo;

static const struct cli_opt *leaderboard_options(void)
{
	static const struct cli_opt opts[] = {
		{"results", 'r', CLI_OPT_STRING, &lbo.results, "DIR",
		 "Results root: one folder per model holding <Task>.json files (what 'ceval run --output DIR' writes).",
		 NULL, 0, 0, 1},
		{"suite", 's', CLI_OPT_STRING, &lbo.suite, "NAME|FILE",
		 "Suite whose tasks make the columns and averages.", "cmteb", 0, 0, 0},
		{"output", 'o', CLI_OPT_STRING, &lbo.output, "FILE.md", "Write the markdown here instead of stdout.",
		 "stdout", 0, 0, 0},
		{"tasks-dir", 0, CLI_OPT_STRING, &lbo.tasks_dir, "DIR", "Where task and suite YAML files are.",
		 "$CEVAL_TASKS, else ./tasks, else the installed tasks", 0, 0, 0},
		CLI_OPT_END,
	};
	return opts;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "; results exist for suite(s) a, b (use --suite NAME)" into buf, or "" when no other suite has any. */
static void suites_with_results(const char *tasks_dir, const char *results, const char *skip, char *buf, size_t cap)
{
	buf[0] = '\0';
	char *sdir = fs_join(tasks_dir, "suites");
	DIR *d = sdir ? opendir(sdir) : NULL;
	char *names[256];
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL && n < 256) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] != '.' && l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0)
			if ((names[n] = ce_strndup(de->d_name, l - 5)) != NULL)
				n++;
	}
	if (d)
		closedir(d);
	qsort(names, (size_t)n, sizeof *names, cmp_name);
	size_t o = 0;
	for (int i = 0; i < n; i++) {
		struct suite *su = NULL;
		struct leaderboard *lb = NULL;
		struct ce_err err;
		if (strcmp(names[i], skip) != 0 && suite_load(tasks_dir, names[i], &su, &err) == CE_OK &&
		    leaderboard_load(results, su, &lb, &err) == CE_OK && lb->n_models > 0 && o < cap)
			o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? ", " : "; results exist for suite(s) ",
					      names[i]);
		leaderboard_free(lb);
		suite_free(su);
		ce_free(names[i]);
	}
	if (o && o < cap)
		snprintf(buf + o, cap - o, " (use --suite NAME)");
	ce_free(sdir);
}

static int run_leaderboard(const struct cli_command *self, int argc, char **argv)
{
	memset(&lbo, 0, sizeof lbo);
	lbo.suite = "cmteb";
	enum cli_parse_result pr = cli_parse(self, leaderboard_options(), argc, argv, NULL, 0, NULL);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	struct ce_err err;
	ce_err_clear(&err);
	char *tasks_dir = paths_tasks_dir(lbo.tasks_dir);
	if (!tasks_dir)
		return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
	struct suite *su = NULL;
	struct leaderboard *lb = NULL;
	char *md = NULL;
	size_t len = 0;
	int rc = CLI_EXIT_OK;
	if (suite_load(tasks_dir, lbo.suite, &su, &err) != CE_OK)
		cli_suggest_suite(tasks_dir, lbo.suite, &err);
	if (err.code != CE_OK || leaderboard_load(lbo.results, su, &lb, &err) != CE_OK ||
	    leaderboard_to_markdown(lb, &md, &len, &err) != CE_OK) {
		rc = cli_report(&err);
	} else if (lbo.output) {
		if (fs_write_atomic(lbo.output, md, len, &err) != CE_OK)
			rc = cli_report(&err);
		else
			fprintf(stderr, "ceval leaderboard: %d model(s) written to %s\n", (int)lb->n_models, lbo.output);
	} else {
		fwrite(md, 1, len, stdout);
	}
	if (rc == CLI_EXIT_OK && lb->n_models == 0) {
		char others[600];
		suites_with_results(tasks_dir, lbo.results, su->name, others, sizeof others);
		fprintf(stderr, "ceval leaderboard: no results of suite '%s' under %s%s\n", su->name, lbo.results, others);
	}
	ce_free(md);
	leaderboard_free(lb);
	suite_free(su);
	ce_free(tasks_dir);
	return rc;
}

const struct cli_command cmd_leaderboard = {
	"leaderboard",
	"Summarise the results of several models as C-MTEB markdown tables",
	"ceval leaderboard --results DIR [--suite NAME] [--output FILE.md]",
	"Reads DIR/<model>/<Task>.json for every model folder and writes markdown: a summary table (Model, "
	"Embedding dimension, Avg, then one column per task type) and one table per type with every task. "
	"A task's score is its main score x100 rounded to 2 decimals, taken from the file's first score entry "
	"of the task's subset. Avg is the plain mean over all tasks of the suite (as the C-MTEB README's "
	"\"Average (35 datasets)\"), a type column the mean over that type's tasks. A model missing tasks gets "
	"averages over what it has, marked with * and listed under the table; they are never shown as complete. "
	"Exit status: 0 ok, 2 usage error, 3 unreadable or malformed results (the file is named).",
	"ceval leaderboard --results results\n"
	"ceval leaderboard -r results --suite cmteb --output leaderboard.md\n"
	"ceval leaderboard -r results --suite cmteb-mini",
	leaderboard_options,
	run_leaderboard,
};
