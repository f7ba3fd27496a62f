/*
 * leaderboard.h - aggregate per-task results files of several models into
 * C-MTEB style tables (spec §10): per-task score = main score x 100 rounded
 * to 2 decimals, a type average = plain mean of that type's tasks, the
 * overall average = plain mean over all tasks of the suite (not the mean of
 * the type means).
 *
 * Layout read: <results_dir>/<model folder>/<Task>.json (what `ceval run`
 * writes, results.h).  Every sub-folder holding at least one results file of
 * a suite task is one model; files of tasks outside the suite are ignored.
 * Files of every MTEB version are read (results_mteb.h); more layouts at
 * leaderboard_add.
 *
 * Which number of a file is the task's score (leaderboard_task_score):
 *   - the split: the first of the task's eval_splits the file has (so the
 *     C-MTEB tables' test split of Amazon/Massive, not the validation split
 *     an mteb 1.x file holds too); none is CE_E_FORMAT;
 *   - the entry of that split: the one whose hf_subset is the task's; else
 *     the one Chinese subset ("zh", "zh-CN", "cmn-Hans", "cmo-Hans"; two
 *     different ones are CE_E_FORMAT, ambiguous); else the split's only
 *     entry when it is "default"; otherwise the file has no score for this
 *     task (CE_E_FORMAT, e.g. a German-only Massive file);
 *   - the value: the metric named by the task's main_score when the entry has
 *     it (so a foreign mteb 2.x file whose main_score is max_accuracy still
 *     gives the C-MTEB cosine_ap), else the entry's main_score; neither is
 *     CE_E_FORMAT (nothing is guessed).  For ceval's own files of level R3
 *     (`run --compat r3`) the task's R3 main score (task_main_score) is used.
 *
 * Compatibility levels (results.h compat; results_mteb.h for foreign files):
 * the files of one folder that are of different levels (R1, R2, R3) make
 * different rows, never one average; when rows of several levels are
 * present, R1 rows come first and every row's name carries its level
 * ("[R1]", "[R3]"; leaderboard_sort_marked).
 *
 * Incomplete models: averages are taken over the tasks the model has and are
 * flagged (`complete` = 0, shown as "62.80*" with a footnote listing what is
 * missing); they are never presented as if complete.  Models are ordered:
 * complete ones by overall average (descending), then incomplete ones by
 * number of tasks present (descending), then by average; ties by name.
 */
#ifndef LEADERBOARD_H
#define LEADERBOARD_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"
#include "results.h"
#include "task.h"

/* Column title of a type in the tables: "Retrieval", "STS", "PairClassification",
 * "Classification", "Reranking", "Clustering", "Summarization".  Static; "?" when out of range. */
const char *leaderboard_type_title(enum task_type t);

/* Order of the type columns in the summary table (C-MTEB README order). */
extern const enum task_type leaderboard_type_order[TASK_TYPE_COUNT];

/* x rounded to 2 decimals the way Python's round(x, 2) does (correctly rounded
 * from the binary value), as summarize_results.py does for every score. */
double leaderboard_round2(double x);

/*
 * The score of task t in result r (raw, 0-1 scale; see the rules above).
 * path is used in messages.  CE_E_FORMAT when r is for another task or has no
 * entry for t's subset, or the value is not finite.
 */
enum ce_status leaderboard_task_score(const struct task_result *r, const struct task *t, const char *path,
				      double *out, struct ce_err *err);

struct lb_model {
	char *name;       /* ceval.model.name of its first file, else the folder name */
	char *folder;     /* folder name under the results dir */
	int32_t dim;      /* ceval.model.dim; 0 when no file carries it; -1 when files disagree */
	double *score;    /* n_tasks entries: main score x 100 rounded to 2 decimals; NaN = missing */
	int32_t n_present;
	double avg;       /* mean over present tasks (NaN if none) */
	double type_avg[TASK_TYPE_COUNT];  /* mean over present tasks of the type (NaN if none) */
	int32_t type_present[TASK_TYPE_COUNT];
	int published;    /* 1: a published row (leaderboard_add with published = 1) */
	const char *compat; /* static "R1" / "R2" / "R3": the level of its files; NULL when unknown */
	int marked;       /* name carries its level mark (leaderboard_sort_marked) */
};

struct leaderboard {
	const struct suite *suite; /* borrowed; must outlive the leaderboard */
	int32_t type_total[TASK_TYPE_COUNT]; /* tasks of each type in the suite */
	struct lb_model *models;
	int32_t n_models;
	int32_t models_cap;
	int mixed;        /* rows of more than one compatibility level (set by leaderboard_sort) */
};

/* 1 when the summary tables show a column for type t: the suite has a task of
 * that type (so C-MTEB suites get no empty Summarization column). */
int leaderboard_type_shown(const struct leaderboard *lb, enum task_type t);

/*
 * Read every model folder of results_dir against suite.  [out] *out
 * (leaderboard_free).  Errors: CE_E_NOT_FOUND / CE_E_IO (results_dir),
 * CE_E_FORMAT (a malformed results file; the message names it), CE_E_NOMEM.
 * No model at all is not an error (n_models = 0).
 */
enum ce_status leaderboard_load(const char *results_dir, const struct suite *suite, struct leaderboard **out,
				struct ce_err *err);
void leaderboard_free(struct leaderboard *lb);

/*
 * The same in steps, for several sources: create an empty leaderboard,
 * add paths, sort.  A path may be (results_mteb.h reads every file shape):
 *   - a results root with one folder per model (ceval's layout, above);
 *   - the MTEB results repository's layout: <root>/results/<org>__<model>/<revision>/<Task>.json,
 *     or its results/ folder itself; a model with one revision folder of
 *     suite tasks is one row "org/model", with several one row per revision
 *     ("org/model@revision");
 *   - one model's folder of <Task>.json files (row named after the folder).
 * Files named by a task's old name (CMedQAv1.json) count for today's task;
 * both names in one folder is CE_E_FORMAT.  published marks the rows added.
 * Errors as leaderboard_load.
 */
enum ce_status leaderboard_create(const struct suite *suite, struct leaderboard **out, struct ce_err *err);
enum ce_status leaderboard_add(struct leaderboard *lb, const char *path, int published, struct ce_err *err);
/* Order the models (rule above); when rows of several compatibility levels
 * are present (mixed), every R1 row comes before every R2, then R3 row. */
void leaderboard_sort(struct leaderboard *lb);
/* leaderboard_sort, then, when mixed, suffix every row's name with its
 * level ("bge-small-zh-v1.5 [R3]").  CE_E_NOMEM. */
enum ce_status leaderboard_sort_marked(struct leaderboard *lb, struct ce_err *err);

/* 1 if model m has every task of the suite. */
static inline int lb_model_complete(const struct leaderboard *lb, const struct lb_model *m)
{
	return m->n_present == lb->suite->n_tasks;
}

/*
 * Markdown: a summary table (Model | Embedding dimension | Avg | Retrieval |
 * STS | PairClassification | Classification | Reranking | Clustering), notes
 * for incomplete models, then one table per type with every task of the type.
 * [out] *md (ce_free), *len.  CE_E_NOMEM.
 */
enum ce_status leaderboard_to_markdown(const struct leaderboard *lb, char **md, size_t *len, struct ce_err *err);

#endif
