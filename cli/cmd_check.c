/*
 * cmd_check.c - `ceval check`: regression gate of a results folder against a
 * baseline, or row-wise cosine comparison of two embedding files (check.h).
 * Exit: 0 all within tolerance, 1 a regression (or rows below --min-cosine),
 * 2 usage, 3 missing tasks / data mismatch / malformed or unreadable input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "check.h"
#include "cli.h"
#include "fs_util.h"
#include "paths.h"
#include "report.h"

static struct {
	const char *results, *baseline, *embeddings, *reference, *tasks_dir, *format, *output, *published_dir;
	double tolerance, min_cosine;
	struct cli_list type_tol;
	int allow_mismatch, worst;
} ck;

static const struct cli_opt *check_options(void)
{
	static const struct cli_opt opts[] = {
		{"results", 'r', CLI_OPT_STRING, &ck.results, "DIR|FILE",
		 "The new results: a model's folder of <Task>.json files (as written by 'ceval run'), or one file.", NULL,
		 0, 0, 0},
		{"baseline", 'b', CLI_OPT_STRING, &ck.baseline, "DIR|FILE|published:NAME",
		 "The reference results, same layout (any MTEB results version). With a single file only that task is "
		 "checked. published:NAME takes the published numbers of a model (published:bge-base-zh-v1.5; see "
		 "'ceval leaderboard --published').",
		 NULL, 0, 0, 0},
		{"tolerance", 0, CLI_OPT_DOUBLE, &ck.tolerance, "POINTS",
		 "Largest allowed drop of a main score, in points of the x100 scale. Against published:NAME the "
		 "default is per type, measured: retrieval and reranking 0.15, sts and pair_classification 0.05, "
		 "classification and clustering 1.1 (README, \"Published baselines\"); --tolerance sets all types.",
		 "0.5", 0, 0, 0},
		{"tolerance-type", 0, CLI_OPT_LIST, &ck.type_tol, "TYPE=POINTS",
		 "Tolerance for one task type (retrieval, reranking, sts, pair_classification, classification, "
		 "clustering); repeatable or comma-separated.",
		 "none", 0, 0, 0},
		{"allow-mismatch", 0, CLI_OPT_FLAG, &ck.allow_mismatch, NULL,
		 "Compare tasks even when the two files' ceval.dataset_hash or ceval.subset differ (different data or "
		 "subsets, or a subset against a full run).",
		 NULL, 0, 0, 0},
		{"tasks-dir", 0, CLI_OPT_STRING, &ck.tasks_dir, "DIR",
		 "Task definitions, for task types and main scores.", "$CEVAL_TASKS, else ./tasks, else the installed tasks",
		 0, 0, 0},
		{"format", 'f', CLI_OPT_STRING, &ck.format, "text|csv|html",
		 "The table as text, CSV, or one self-contained HTML page with a diverging bar chart of the deltas and "
		 "each task's tolerance band.",
		 "text", 0, 0, 0},
		{"output", 'o', CLI_OPT_STRING, &ck.output, "FILE", "Write the report here instead of stdout.", "stdout",
		 0, 0, 0},
		{"published-dir", 0, CLI_OPT_STRING, &ck.published_dir, "DIR", "Where published:NAME is looked up.",
		 "$CEVAL_PUBLISHED, else ./published, else the installed ones", 0, 0, 0},
		{"embeddings", 'e', CLI_OPT_STRING, &ck.embeddings, "A.npy",
		 "Embedding mode: compare this float32/float64 [n, dim] .npy with --reference row by row.", NULL, 0, 0, 0},
		{"reference", 0, CLI_OPT_STRING, &ck.reference, "B.npy", "Reference embeddings for --embeddings.", NULL, 0,
		 0, 0},
		{"min-cosine", 0, CLI_OPT_DOUBLE, &ck.min_cosine, "C",
		 "Embedding mode: every row pair must have at least this cosine similarity.", "0.999", 0, 0, 0},
		{"worst", 0, CLI_OPT_INT, &ck.worst, "N", "Embedding mode: print the N lowest-cosine rows.", "10", 0,
		 1000000, 0},
		CLI_OPT_END,
	};
	return opts;
}

static int run_embeddings(const struct cli_command *self)
{
	if (!ck.reference)
		return cli_usage_error(self, "--embeddings needs --reference B.npy");
	if (ck.results || ck.baseline)
		return cli_usage_error(self, "--embeddings cannot be combined with --results/--baseline");
	if (!(ck.min_cosine >= -1.0 && ck.min_cosine <= 1.0))
		return cli_usage_error(self, "--min-cosine must be in [-1, 1]");
	struct ce_err err;
	ce_err_clear(&err);
	struct emb_check e;
	if (check_embeddings(ck.embeddings, ck.reference, ck.min_cosine, &e, &err) != CE_OK)
		return cli_report(&err);
	emb_check_print(&e, ck.min_cosine, ck.worst, stdout);
	int rc = e.n_below ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	printf("%s\n", rc ? "FAIL: rows below --min-cosine" : "OK");
	emb_check_deinit(&e);
	return rc;
}

static int run_check(const struct cli_command *self, int argc, char **argv)
{
	memset(&ck, 0, sizeof ck);
	ck.tolerance = NAN; /* not given: 0.5, or the measured per-type defaults against published:NAME */
	ck.format = "text";
	ck.min_cosine = 0.999;
	ck.worst = 10;
	enum cli_parse_result pr = cli_parse(self, check_options(), argc, argv, NULL, 0, NULL);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (ck.embeddings)
		return run_embeddings(self);
	if (ck.reference)
		return cli_usage_error(self, "--reference belongs to --embeddings");
	if (!ck.results || !ck.baseline)
		return cli_usage_error(self, "give --results DIR and --baseline DIR_OR_FILE (or --embeddings A.npy "
					     "--reference B.npy)");
	int tolerance_given = !isnan(ck.tolerance);
	if (tolerance_given && (!(ck.tolerance >= 0) || !isfinite(ck.tolerance)))
		return cli_usage_error(self, "--tolerance must be a number >= 0");
	int fmt_text = strcmp(ck.format, "text") == 0, fmt_csv = strcmp(ck.format, "csv") == 0,
	    fmt_html = strcmp(ck.format, "html") == 0;
	if (!fmt_text && !fmt_csv && !fmt_html)
		return cli_usage_error(self, "--format must be text, csv or html (got '%s')", ck.format);
	struct check_opts o;
	check_opts_init(&o);
	if (tolerance_given)
		o.tolerance = ck.tolerance;
	o.allow_mismatch = ck.allow_mismatch;
	struct ce_err err;
	ce_err_clear(&err);
	for (int i = 0; i < ck.type_tol.n; i++) {
		char *copy = ce_strdup(ck.type_tol.items[i]);
		if (!copy)
			return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
		enum ce_status s = CE_OK;
		for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && s == CE_OK;
		     tok = strtok_r(NULL, ",", &save))
			s = check_opts_type_tolerance(&o, tok, &err);
		ce_free(copy);
		if (s != CE_OK)
			return cli_usage_error(self, "%s", err.msg);
	}
	/* published:NAME -> that model's folder of published results, gated with measured tolerances */
	char *baseline = NULL;
	static const char pub_prefix[] = "published:";
	if (strncmp(ck.baseline, pub_prefix, sizeof pub_prefix - 1) == 0) {
		char *pub = paths_published_dir(ck.published_dir);
		if (!pub)
			return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
		baseline = paths_published_model(pub, ck.baseline + sizeof pub_prefix - 1, &err);
		ce_free(pub);
		if (!baseline)
			return cli_report(&err);
		if (!tolerance_given)
			check_opts_published_defaults(&o);
	} else if (!(baseline = ce_strdup(ck.baseline))) {
		return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
	}
	char *tasks_dir = paths_tasks_dir(ck.tasks_dir);
	if (!tasks_dir) {
		ce_free(baseline);
		return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
	}
	o.tasks_dir = tasks_dir;
	struct check_report *r = NULL;
	int rc;
	if (check_results(ck.results, baseline, &o, &r, &err) != CE_OK) {
		rc = cli_report(&err);
	} else {
		rc = check_exit_code(r);
		if (fmt_text && !ck.output) {
			check_report_print(r, stdout);
		} else {
			char *text = NULL, title[1024];
			size_t len = 0;
			enum ce_status st;
			if (fmt_text) {
				/* the text table into a file */
				FILE *f = open_memstream(&text, &len);
				if (f) {
					check_report_print(r, f);
					fclose(f);
				}
				st = text ? CE_OK : ce_err_set(&err, CE_E_NOMEM, "out of memory");
			} else if (fmt_csv) {
				st = report_check_csv(r, &text, &len, &err);
			} else {
				snprintf(title, sizeof title, "ceval check: %s against %s", ck.results, ck.baseline);
				st = report_check_html(r, title, &text, &len, &err);
			}
			if (st == CE_OK && ck.output)
				st = fs_write_atomic(ck.output, text, len, &err);
			else if (st == CE_OK)
				fwrite(text, 1, len, stdout);
			if (fmt_text)
				free(text); /* open_memstream's buffer comes from malloc */
			else
				ce_free(text);
			if (st != CE_OK) {
				check_report_free(r);
				ce_free(tasks_dir);
				ce_free(baseline);
				return cli_report(&err);
			}
		}
		if (rc == 3)
			fprintf(stderr, "ceval check: %d task(s) missing on one side, %d with different data; "
					"nothing is judged as passing\n",
				(int)r->n_missing, (int)r->n_mismatch);
		else if (rc == 1)
			fprintf(stderr, "ceval check: %d task(s) regressed beyond tolerance\n", (int)r->n_regressed);
	}
	check_report_free(r);
	ce_free(tasks_dir);
	ce_free(baseline);
	return rc;
}

const struct cli_command cmd_check = {
	"check",
	"Compare results with a baseline (regression gate), or two embedding files",
	"ceval check --results DIR --baseline DIR|FILE|published:NAME [--tolerance P] [--tolerance-type TYPE=P...]\n"
	"            [--format text|csv|html] [--output FILE]\n"
	"       ceval check --embeddings A.npy --reference B.npy [--min-cosine C]",
	"Results mode: for every task, compares the main score x100 of the new results with the baseline's and "
	"prints task, baseline, new, delta and a verdict. A drop larger than the tolerance is a regression; a rise "
	"larger than it is reported as an improvement. Tasks present on only one side are listed, and so are tasks "
	"whose two files record different dataset hashes or different subsets ('ceval run --subset'; a subset "
	"against a full run counts as different) are refused unless --allow-mismatch. Exit status: 0 all "
	"within tolerance, 1 a regression, 2 usage error, 3 missing tasks, different data or a malformed file. "
	"Either side may be results files of any MTEB version, or a model folder of the MTEB results repository. "
	"--baseline published:NAME gates against the published C-MTEB numbers of a model (the published/ folder), "
	"with per-type tolerances measured for that case; --format html writes one page with a diverging bar chart "
	"of the deltas and each task's tolerance band.\n"
	"Embeddings mode: row-wise cosine similarity of two [n, dim] .npy files; prints the worst rows. Exit 1 when "
	"a row is below --min-cosine, 3 when the shapes differ or a file is unreadable.",
	"ceval check --results results/bge-base-zh-v1.5 --baseline baselines/bge-base-zh-v1.5\n"
	"ceval check --results results/my-port --baseline published:bge-base-zh-v1.5\n"
	"ceval check -r results/my-port -b published:bge-base-zh-v1.5 --format html --output check.html\n"
	"ceval check -r results/my-model -b baselines/my-model --tolerance 0.3 --tolerance-type clustering=2\n"
	"ceval check -r results/my-model -b baselines/my-model/ATEC.json\n"
	"ceval check --embeddings emb.npy --reference reference.npy --min-cosine 0.9999",
	check_options,
	run_check,
};
