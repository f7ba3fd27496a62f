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
#include "report.h"
#include "task.h"

static struct {
	struct cli_list results;
	const char *suite, *output, *tasks_dir, *format, *published_dir;
	int published;
} lbo;

static const struct cli_opt *leaderboard_options(void)
{
	static const struct cli_opt opts[] = {
		{"results", 'r', CLI_OPT_LIST, &lbo.results, "DIR",
		 "Results: a root with one folder per model holding <Task>.json files (what 'ceval run --output DIR' "
		 "writes), the MTEB results repository (results/<org>__<model>/<revision>/<Task>.json) or one "
		 "model's folder. Files of every MTEB version are read. Repeatable.",
		 NULL, 0, 0, 0},
		{"published", 'p', CLI_OPT_FLAG, &lbo.published, NULL,
		 "Add the published C-MTEB rows (13 models, marked 'published'; see published/README.md).", NULL, 0, 0,
		 0},
		{"format", 'f', CLI_OPT_STRING, &lbo.format, "md|csv|html",
		 "Markdown tables, CSV (one row per model: averages and every task), or one self-contained HTML page "
		 "with sortable tables and a bar chart per task type.",
		 "md", 0, 0, 0},
		{"suite", 's', CLI_OPT_STRING, &lbo.suite, "NAME|FILE",
		 "Suite whose tasks make the columns and averages.", "cmteb", 0, 0, 0},
		{"output", 'o', CLI_OPT_STRING, &lbo.output, "FILE", "Write here instead of stdout.", "stdout", 0, 0, 0},
		{"tasks-dir", 0, CLI_OPT_STRING, &lbo.tasks_dir, "DIR", "Where task and suite YAML files are.",
		 "$CEVAL_TASKS, else ./tasks, else the installed tasks", 0, 0, 0},
		{"published-dir", 0, CLI_OPT_STRING, &lbo.published_dir, "DIR", "Where the published results are.",
		 "$CEVAL_PUBLISHED, else ./published, else the installed ones", 0, 0, 0},
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
	lbo.format = "md";
	enum cli_parse_result pr = cli_parse(self, leaderboard_options(), argc, argv, NULL, 0, NULL);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (lbo.results.n == 0 && !lbo.published)
		return cli_usage_error(self, "give --results DIR (repeatable) and/or --published");
	int fmt_md = strcmp(lbo.format, "md") == 0 || strcmp(lbo.format, "markdown") == 0;
	int fmt_csv = strcmp(lbo.format, "csv") == 0, fmt_html = strcmp(lbo.format, "html") == 0;
	if (!fmt_md && !fmt_csv && !fmt_html)
		return cli_usage_error(self, "--format must be md, csv or html (got '%s')", lbo.format);
	struct ce_err err;
	ce_err_clear(&err);
	char *tasks_dir = paths_tasks_dir(lbo.tasks_dir);
	char *pub_dir = lbo.published ? paths_published_dir(lbo.published_dir) : NULL;
	if (!tasks_dir || (lbo.published && !pub_dir)) {
		ce_free(tasks_dir);
		return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
	}
	struct suite *su = NULL;
	struct leaderboard *lb = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc = CLI_EXIT_OK;
	enum ce_status s = suite_load(tasks_dir, lbo.suite, &su, &err);
	if (s != CE_OK)
		cli_suggest_suite(tasks_dir, lbo.suite, &err);
	if (s == CE_OK)
		s = leaderboard_create(su, &lb, &err);
	for (int i = 0; i < lbo.results.n && s == CE_OK; i++)
		s = leaderboard_add(lb, lbo.results.items[i], 0, &err);
	if (s == CE_OK && pub_dir) {
		char *root = fs_join(pub_dir, "results");
		if (!root)
			s = ce_err_set(&err, CE_E_NOMEM, "out of memory");
		else if (!fs_is_dir(root))
			s = ce_err_set(&err, CE_E_NOT_FOUND, "%s: no published results here (set CEVAL_PUBLISHED or --published-dir)",
				       root);
		else
			s = leaderboard_add(lb, root, 1, &err);
		ce_free(root);
	}
	if (s == CE_OK)
		s = leaderboard_sort_marked(lb, &err); /* R1 / R3 rows kept apart and marked */
	if (s == CE_OK) {
		if (fmt_md)
			s = leaderboard_to_markdown(lb, &text, &len, &err);
		else if (fmt_csv)
			s = report_leaderboard_csv(lb, &text, &len, &err);
		else
			s = report_leaderboard_html(lb, &text, &len, &err);
	}
	if (s != CE_OK) {
		rc = cli_report(&err);
	} else if (lbo.output) {
		if (fs_write_atomic(lbo.output, text, len, &err) != CE_OK)
			rc = cli_report(&err);
		else
			fprintf(stderr, "ceval leaderboard: %d model(s) written to %s\n", (int)lb->n_models, lbo.output);
	} else {
		fwrite(text, 1, len, stdout);
	}
	if (rc == CLI_EXIT_OK && lb->n_models == 0) {
		char others[600] = "";
		if (lbo.results.n)
			suites_with_results(tasks_dir, lbo.results.items[0], su->name, others, sizeof others);
		fprintf(stderr, "ceval leaderboard: no results of suite '%s' under %s%s\n", su->name,
			lbo.results.n ? lbo.results.items[0] : pub_dir, others);
	}
	ce_free(text);
	leaderboard_free(lb);
	suite_free(su);
	ce_free(tasks_dir);
	ce_free(pub_dir);
	return rc;
}

const struct cli_command cmd_leaderboard = {
	"leaderboard",
	"Summarise the results of several models as C-MTEB tables (markdown, CSV or an HTML page)",
	"ceval leaderboard [--results DIR...] [--published] [--suite NAME] [--format md|csv|html] [--output FILE]",
	"Reads DIR/<model>/<Task>.json for every model folder (ceval's layout; also the MTEB results "
	"repository's results/<org>__<model>/<revision>/ layout, and results files of every mteb version: 1.0-1.1 "
	"split keys, >= 1.12 scores lists, NaN values, old task names) and writes: a summary table (Model, "
	"Embedding dimension, Avg, then one column per task type) and one table per type with every task. "
	"A task's score is its main score x100 rounded to 2 decimals, taken from the file's first score entry "
	"of the task's subset. Avg is the plain mean over all tasks of the suite (as the C-MTEB README's "
	"\"Average (35 datasets)\"), a type column the mean over that type's tasks. A model missing tasks gets "
	"averages over what it has, marked with * and listed under the table; they are never shown as complete. "
	"--published adds the published C-MTEB rows (BAAI bge, m3e, text2vec, luotuo, OpenAI ada-002), marked as "
	"such; with --suite cmteb-v1 (the 31 tasks of the original C-MTEB table) it prints that table. "
	"--format html writes one self-contained page (sortable tables, a bar chart per task type with your "
	"models highlighted); --format csv one row per model. "
	"Exit status: 0 ok, 2 usage error, 3 unreadable, ambiguous or malformed results (the file is named).",
	"ceval leaderboard --results results\n"
	"ceval leaderboard --published --suite cmteb-v1\n"
	"ceval leaderboard -r results --published --format html --output board.html\n"
	"ceval leaderboard -r results --suite cmteb --output leaderboard.md\n"
	"ceval leaderboard -r results --suite cmteb-mini",
	leaderboard_options,
	run_leaderboard,
};
