/*
 * task.h - task definitions: one YAML file per task (tasks/<group>/<Name>.yaml)
 * and suite files (tasks/suites/<suite>.yaml) naming a list of tasks.
 *
 * The schema (every key, type, default, example) is documented in
 * tasks/README.md.  Loading is strict: an unknown key, a wrong type, a missing
 * required key, a bad enum value or a duplicate key is CE_E_FORMAT with
 * "path:line:col: what was expected, what was found" (1-based, from libyaml's
 * marks).  This module does not read dataset files (see dataset.h).
 *
 * Ownership: a struct task owns every string and array it points to; it is
 * created by task_load_* and freed with task_free (accepts NULL).  A struct
 * suite owns its tasks.  Nothing here keeps a pointer to caller memory.
 */
#ifndef TASK_H
#define TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

enum task_type {
	TASK_TYPE_RETRIEVAL = 0,
	TASK_TYPE_RERANKING,
	TASK_TYPE_STS,
	TASK_TYPE_PAIR_CLASSIFICATION,
	TASK_TYPE_CLASSIFICATION,
	TASK_TYPE_CLUSTERING,
	TASK_TYPE_SUMMARIZATION,
	TASK_TYPE_COUNT
};

/* YAML spelling of a type: "retrieval", "reranking", "sts", "pair_classification",
 * "classification", "clustering".  Static string; "?" for an out-of-range value. */
const char *task_type_name(enum task_type t);
/* Inverse of task_type_name.  CE_OK and *out set, or CE_E_NOT_FOUND (no err: callers word it). */
enum ce_status task_type_from_name(const char *s, enum task_type *out);
/* "retrieval, reranking, sts, pair_classification, classification, clustering"
 * (every type, table order) into buf; truncated to cap (> 0). */
void task_type_list(char *buf, size_t cap);
/* Default main score of a type (R1): retrieval "ndcg_at_10", reranking "map",
 * sts "cosine_spearman", pair_classification "cosine_ap", classification
 * "accuracy", clustering "v_measure".  Static string. */
const char *task_type_default_main_score(enum task_type t);

/*
 * Compatibility level of a run (spec evaluation.md §0): which generation of
 * the reference code the numbers reproduce.  R1 = the 2023 C-MTEB code that
 * produced the published bge numbers; R3 = mteb 2.x.  (R2, mteb 1.12-1.39,
 * is only ever read from published files, never computed.)
 */
enum ce_compat { CE_COMPAT_R1 = 0, CE_COMPAT_R3 = 1 };
/* "R1" / "R3" (as recorded in results' ceval.compat); "?" out of range. Static. */
const char *ce_compat_name(enum ce_compat c);
/* Default main score of a type at level R3 (mteb 2.x task metadata): as R1,
 * except reranking "map_at_1000" and pair_classification "max_accuracy". Static. */
const char *task_type_default_main_score_r3(enum task_type t);

/*
 * The scores the evaluator of a type reports, NULL-terminated, static.
 * Retrieval gives the families ("ndcg_at", "map_at", "recall_at",
 * "precision_at", "mrr_at"), each reported as <family>_<k> for every k of
 * the task's k_values.  Classification reports ap / ap_stderr only for two
 * labels.
 */
const char *const *task_type_metric_names(enum task_type t);

struct task;
/* true if t's evaluator reports `metric` (k_values applied for retrieval).
 * task_load_* refuses a main_score for which this is false. */
bool task_reports_metric(const struct task *t, const char *metric);

/*
 * A retrieval task whose k_values differ from R1's default and go beyond its
 * corpus of n_corpus documents is a task-definition mistake: CE_E_FORMAT
 * naming the task file and the largest k.  (R1's own list, up to 1000, is
 * applied to every corpus, as MTEB does.)  CE_OK for other types.  Called by
 * `list` when the data is there and by the retrieval evaluator before it
 * encodes anything.
 */
/* The main score of t at level c: t->main_score (R1) or t->main_score_r3 (R3). Borrowed. */
const char *task_main_score(const struct task *t, enum ce_compat c);

enum ce_status task_check_k_values(const struct task *t, int64_t n_corpus, struct ce_err *err);

/*
 * Column (JSON key) names of the dataset files.  All are always set (defaults
 * below, C-MTEB / BEIR names); only the ones of the task's type are read.
 *   sts:                 sentence1, sentence2, score
 *   pair_classification: sentence1, sentence2, label
 *   classification:      text, label
 *   clustering:          sentences, labels
 *   reranking:           query, positive, negative
 *   retrieval:           id ("_id"), title, text   (corpus.jsonl; queries.jsonl uses id, text)
 */
struct task_columns {
	char *sentence1; /* "sentence1" */
	char *sentence2; /* "sentence2" */
	char *score;     /* "score" */
	char *label;     /* "label" */
	char *text;      /* "text" */
	char *sentences; /* "sentences" */
	char *labels;    /* "labels" */
	char *query;     /* "query" */
	char *positive;  /* "positive" */
	char *negative;  /* "negative" */
	char *id;        /* "_id" */
	char *title;     /* "title" */
	char *human_summaries;   /* "human_summaries" */
	char *machine_summaries; /* "machine_summaries" */
	char *relevance;         /* "relevance" */
};

#define TASK_MAX_SPLITS 16
#define TASK_MAX_PARTS 64
#define TASK_MAX_K_VALUES 32

struct task {
	char *name;             /* e.g. "LCQMC-mini" (required) */
	enum task_type type;    /* (required) */
	char *description;      /* "" when absent */
	char *dataset_path;     /* dataset.path, relative to the data root (required; NULL for an aggregate) */
	char *hf_id;            /* dataset.hf_id, NULL when absent */
	char *revision;         /* dataset.revision, NULL when absent */
	char *qrels_hf_id;      /* dataset.qrels_hf_id: second hub repo holding the qrels (v1 retrieval), or NULL */
	char *qrels_revision;   /* dataset.qrels_revision, NULL when absent */
	char *hf_id_r3;         /* dataset_r3.hf_id: the hub repo mteb 2.x reads (recorded; NULL when absent) */
	char *revision_r3;      /* dataset_r3.revision, NULL when absent */
	char **eval_splits_r3;  /* dataset_r3.eval_splits: the splits mteb 2.x evaluates (recorded; NULL/0 when absent) */
	int32_t n_eval_splits_r3;
	char *hf_subset;        /* "default" */
	char **eval_splits;     /* (required, 1..TASK_MAX_SPLITS, distinct) */
	int32_t n_eval_splits;
	char *train_split;      /* classification only: "train"; NULL for other types */
	char *main_score;       /* task_type_default_main_score(type) when absent */
	char *main_score_r3;    /* main_score_r3: the R3 main score; task_type_default_main_score_r3(type) when absent */
	char **languages;       /* ["cmn-Hans"] */
	int32_t n_languages;
	struct task_columns columns;
	bool query_instruction; /* prepend the model's query instruction to queries:
				   default true for retrieval/reranking, false otherwise
				   (true is an error for other types) */
	/* parameters: (a key that does not apply to the type is an error) */
	int32_t samples_per_label; /* classification: 8 */
	int32_t n_experiments;     /* classification: 10 */
	bool ignore_identical_ids; /* retrieval: true (R1, spec §2.3) */
	bool ignore_identical_ids_r3; /* retrieval at level R3: false; mteb 2.x sets it for T2, MMarco, Ecom,
					 Medical, Video retrieval (applied at scoring time) */
	int32_t fast_sample;       /* clustering: 0 = legacy per-set k-means (spec §7.1); N > 0 = mteb 2.x
				      fast clustering (§7.2, the `.v2` tasks): stratified down-sample to N
				      rows, N documents embedded, bootstrap k-means rounds */
	int32_t *k_values;         /* retrieval: 1,3,5,10,100,1000 (R1), ascending, distinct, >0 */
	int32_t n_k_values;
	bool has_score_range;      /* sts: score_min/score_max given (both or neither) */
	double score_min, score_max;
	char *source_path;         /* the file this was loaded from ("<buffer>" name for buffers) */
	/* aggregate: [Part, ...] (e.g. CQADupstackRetrieval, the mean of 12 sub-forum tasks): the part
	   tasks, loaded from <folder of this file>/<Part>.yaml, each of this type, with this main score
	   and query_instruction, evaluating at least these eval_splits; never aggregates themselves.
	   An aggregate has no data of its own: dataset_path, hf_id and revision are NULL, and
	   dataset, dataset_r3, hf_subset, train_split, columns and parameters are refused.  Its
	   result is the mean of each score over the parts (cli/cmd_run.c).  NULL/0 for other tasks. */
	struct task **parts;
	int32_t n_parts;
};

/*
 * Load one task file.  [in] path; [out] *out (task_free).  Files larger than
 * 1 MiB are CE_E_LIMIT.  Errors: CE_E_NOT_FOUND, CE_E_IO, CE_E_FORMAT, CE_E_LIMIT, CE_E_NOMEM.
 */
enum ce_status task_load_file(const char *path, struct task **out, struct ce_err *err);
/* Same from a buffer; name is used in messages and as source_path. */
enum ce_status task_load_buffer(const char *name, const char *data, size_t len, struct task **out,
				struct ce_err *err);
void task_free(struct task *t);

/*
 * Find the file of task `name` under tasks_root: the unique regular file
 * <tasks_root>/<any sub-path>/<name>.yaml (the suites/ folder is skipped;
 * depth at most 8).  [out] *path (ce_free).  CE_E_NOT_FOUND when absent,
 * CE_E_FORMAT when two files match, CE_E_INVALID_ARG for a name with '/' or
 * starting with '.'.
 */
enum ce_status task_find_file(const char *tasks_root, const char *name, char **path, struct ce_err *err);

struct suite {
	char *name;        /* the suite: key */
	char *description; /* "" when absent */
	struct task **tasks;
	int32_t n_tasks;
	int64_t *subset_n;      /* n_tasks entries: per-task subset size N (subset.h), 0 = whole */
	int64_t *subset_corpus; /* n_tasks entries: retrieval corpus size M, 0 = default (10 x N) */
	char *source_path;
};

/*
 * Load a suite and all its tasks.  suite_name is either a name, resolved as
 * <tasks_root>/suites/<suite_name>.yaml, or a path (contains '/' or ends in
 * ".yaml").  Each entry of `tasks:` is a task name (resolved with
 * task_find_file; the loaded task's name: must equal it) or a relative path
 * ending in ".yaml" (relative to the suite file's folder), or a mapping
 * {task: NAME|PATH, subset: N, subset_corpus: M} giving that task's subset
 * size (subset_corpus only for retrieval tasks, and only with subset).  A
 * task listed twice is CE_E_FORMAT.  [out] *out (suite_free).
 */
enum ce_status suite_load(const char *tasks_root, const char *suite_name, struct suite **out, struct ce_err *err);
void suite_free(struct suite *s);

#endif
