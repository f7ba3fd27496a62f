/*
 * check.h - regression gate: compare a model's results with a baseline
 * (`ceval check`), and compare two embedding matrices row by row.
 *
 * Scores: each task's main score x 100 (leaderboard_task_score rules when the
 * task has a definition under the tasks folder, else the file's first entry's
 * main_score), unrounded.  delta = current - baseline.  A drop larger than the
 * task's tolerance (its type's override, else the global one) is a
 * regression; a rise larger than the tolerance is reported as an improvement;
 * anything else is ok.  Tasks present on only one side, and tasks whose two
 * files both carry ceval.dataset_hash with different values (the scores were
 * computed on different data), or record different subsets (ceval.subset:
 * rule, N, M, seed and selection hash; a subset against a full run - a file
 * without a subset record, mteb's included - also differs), or are of
 * different compatibility levels (ceval.compat, or the level an mteb file's
 * mteb_version implies: R1 against R3 compares different quantities; an
 * unknown level on either side is not a difference) are listed and
 * make the check fail with the data exit code, unless allow_mismatch (then
 * the differences are only noted).
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "ce_status.h"
#include "task.h"

enum check_verdict {
	CHECK_OK = 0,
	CHECK_IMPROVED,
	CHECK_REGRESSED,
	CHECK_MISSING_CURRENT,  /* in the baseline only */
	CHECK_MISSING_BASELINE, /* in the results only */
	CHECK_DATA_MISMATCH,    /* dataset hashes differ */
};

/* "ok", "improved", "REGRESSED", "MISSING in results", "MISSING in baseline", "DATA MISMATCH". */
const char *check_verdict_name(enum check_verdict v);

struct check_opts {
	double tolerance;                       /* points (x100 scale), >= 0 */
	double type_tolerance[TASK_TYPE_COUNT]; /* < 0: use tolerance */
	int allow_mismatch;
	const char *tasks_dir;                  /* task definitions (types, main scores); may be NULL */
};

/* tolerance 0.5, no overrides, mismatch refused, tasks_dir NULL. */
void check_opts_init(struct check_opts *o);

/*
 * Default tolerances (points, x100) against a published baseline
 * (`--baseline published:NAME`): the published numbers came from another
 * harness (mteb 1.1, sklearn of 2023) on other hardware (GPUs), so a correct
 * port differs from them by more than from its own earlier run.  Measured
 * (README, "Published baselines"):
 *   retrieval, reranking 0.15: largest move of a main score when the
 *     arithmetic changes (ceval bf16 against fp32 on cmteb-mini, a much larger
 *     change than GPU fp32 against CPU fp32): 0.13 (MedDialogRetrieval-mini),
 *     reranking 0.00; plus the published tables' own noise, 0.02 at most.
 *   sts, pair_classification 0.05: the same measurement gives at most 0.01.
 *   classification 1.1, clustering 1.1: the 90th percentile, over the 13
 *     published models, of the spread two runs with different random streams
 *     have (sqrt(2) x std / sqrt(experiments), std from the files'
 *     accuracy_stderr / v_measure_std): 1.09 and 1.04 points.
 *   summarization 0.5: not measured (no SummEval data here), the global
 *     default until it is.
 * check_opts_published_defaults sets these for every type that has no
 * override yet (--tolerance-type given by the user wins).
 */
double check_published_tolerance(enum task_type t);
void check_opts_published_defaults(struct check_opts *o);
/* Apply one "TYPE=POINTS" override (TYPE as in task YAML: clustering, sts, ...).
 * CE_E_INVALID_ARG with a message for a bad type or number. */
enum ce_status check_opts_type_tolerance(struct check_opts *o, const char *spec, struct ce_err *err);

struct check_row {
	char *task;
	int has_type;
	enum task_type type;
	double baseline, current; /* x100; NaN when missing */
	double delta, tolerance;
	enum check_verdict verdict;
	int data_differs;          /* hashes differ (also set when allowed) */
	int subset_differs;        /* subset records differ (also set when allowed) */
	int compat_differs;        /* compatibility levels (R1 / R2 / R3) differ (also set when allowed) */
	char base_compat[8], cur_compat[8]; /* the two levels when compat_differs */
	char *base_subset, *cur_subset; /* "full" or "n=N corpus=M seed=S selection=H" (NULL when missing) */
};

struct check_report {
	struct check_row *rows; /* sorted by task name */
	int32_t n;
	int32_t n_ok, n_improved, n_regressed, n_missing, n_mismatch;
};

/*
 * Compare results (a folder of <Task>.json, or one file) with baseline (same).
 * "model_meta.json" files are skipped.  [out] *out (check_report_free).
 * Errors: CE_E_NOT_FOUND/CE_E_IO (a path), CE_E_FORMAT (a malformed results
 * file or task definition: the message names it), CE_E_NOMEM.
 */
enum ce_status check_results(const char *results, const char *baseline, const struct check_opts *o,
			     struct check_report **out, struct ce_err *err);
void check_report_free(struct check_report *r);
/* 3 when something is missing or data differs (not allowed), else 1 when a regression, else 0. */
int check_exit_code(const struct check_report *r);
/* The table plus a summary line. */
void check_report_print(const struct check_report *r, FILE *out);

/* Row-wise cosine of two [rows, cols] float32 matrices. */
struct emb_check {
	int64_t rows, cols;
	double *cosine;       /* rows entries (ce_free via emb_check_deinit) */
	double min_cosine, mean_cosine;
	int64_t n_below;      /* rows under the threshold */
};
/*
 * Compare .npy files a and b (npy_read.h).  A row pair where both rows are
 * zero counts as cosine 1, one zero row as 0; NaN/inf values give NaN, which
 * is below any threshold.  CE_E_MISMATCH when the shapes differ; file errors
 * as npy_read_f32.  [out] *out (emb_check_deinit).
 */
enum ce_status check_embeddings(const char *a, const char *b, double min_cosine, struct emb_check *out,
				struct ce_err *err);
void emb_check_deinit(struct emb_check *e);
/* Summary and the worst `worst` rows (lowest cosine first). */
void emb_check_print(const struct emb_check *e, double min_cosine, int worst, FILE *out);

#endif
