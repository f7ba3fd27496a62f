/*
 * results.h - per-task results files in the MTEB 2.x shape (spec §9.2), plus
 * the ordered metric list that evaluators fill.
 *
 * File: <dir>/<model>/<Task>.json, with '/' in the model name written as "__"
 * (as mteb does for "org/model").  Written with jansson, atomically
 * (common/fs_util.h fs_write_atomic), creating the folders.  Layout:
 *
 *   { "dataset_revision": str|null, "task_name": str, "mteb_version": null,
 *     "evaluation_time": float, "kg_co2_emissions": null, "date": str|null,
 *     "scores": { "<split>": [ { "hf_subset": str, "languages": [str...],
 *                                "main_score": float, "<metric>": float, ... } ] },
 *     "ceval": { "version": str, "compat": "R1", "main_score": str,
 *                "dataset_hash": str|null,
 *                ["dataset_source": "ORG/X@REV[ + ORG/X-qrels@REV]": only for data
 *                 read from the hub cache: the repos and the revisions read]
 *                "subset": null | { "rule": str, "n": int, "corpus": int|null,
 *                                   "seed": int, "selection_hash": str },
 *                "model": { "name": str, "dim": int, "fingerprint": str|null,
 *                           "max_seq_length": int, "query_instruction": str|null,
 *                           "endpoint": str (API models only) },
 *                "identity": { "scoring_rev": int, "backend": str, "precision": str,
 *                              "kernels": str|null, "task_hash": str|null,
 *                              "data_hash": str|null } } }
 *
 * mteb_version is null: ceval is not mteb, and the version of ceval is in
 * ceval.version (mteb_version would claim an mteb release that never ran).
 * dataset_revision is the task YAML's dataset.revision.  ceval.identity
 * (with ceval.model, ceval.subset and dataset_revision) is everything that
 * can change a score: `ceval run` keeps an existing file only when all of it
 * matches (eval/identity.h).  Files written before it existed have no
 * "identity" key (has_identity 0).  A metric that is NaN or infinite is written as null (JSON has
 * no NaN) and read back as NaN.
 *
 * Ownership: struct task_result owns all its strings (ce_strdup'd copies);
 * task_result_deinit frees them (safe on a zeroed or half-filled struct).
 */
#ifndef RESULTS_H
#define RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"
#include "task.h"

#define METRIC_NAME_MAX 128 /* bytes, including the NUL */

/* Ordered name -> value pairs; names are unique.  Zero-initialised = empty. */
struct metric_set {
	int32_t n, cap;
	char (*names)[METRIC_NAME_MAX];
	double *values;
};

void metric_set_init(struct metric_set *m);
void metric_set_deinit(struct metric_set *m);
/*
 * Append (name, value).  CE_E_INVALID_ARG for an empty name, a name of
 * METRIC_NAME_MAX bytes or more, a reserved name ("main_score", "hf_subset",
 * "languages", "mteb_version") or a name already present; CE_E_NOMEM.
 */
enum ce_status metric_set_add(struct metric_set *m, const char *name, double value);
/* 1 and *value set if name is present, else 0. */
int metric_set_get(const struct metric_set *m, const char *name, double *value);

/* One entry of scores[split]: one subset of one split. */
struct result_score {
	char *split;
	char *hf_subset;
	char **languages;
	int32_t n_languages;
	double main_score;
	struct metric_set metrics; /* without main_score */
};

struct task_result {
	char *task_name;
	char *dataset_revision;   /* NULL -> null */
	double evaluation_time;   /* seconds */
	char *date;               /* ISO 8601 UTC ("2025-01-31T12:00:00Z"); NULL -> null */
	char *main_score_name;    /* e.g. "cosine_spearman" */
	struct result_score *scores;
	int32_t n_scores;
	/* the "ceval" object (all NULL/0 when a foreign mteb file was read) */
	int has_ceval;
	char *ceval_version;
	char *compat;             /* "R1" or "R3" (ceval's level, `run --compat`); for a foreign mteb file the
				     level its mteb_version implies ("R1" < 1.12, "R2" 1.12-1.x, "R3" >= 2),
				     NULL when unknown */
	char *dataset_hash;       /* 16 hex digits; NULL -> null */
	char *dataset_source;     /* hub data: "ORG/X@REV[ + ORG/Y@REV]"; NULL -> key absent */
	char *model_name;
	int32_t model_dim;
	char *model_fingerprint;  /* NULL -> null */
	int32_t model_max_seq_length;
	char *query_instruction;  /* NULL -> null (none used) */
	char *model_endpoint;     /* API models: host[:port] of the server; NULL -> no "endpoint" key */
	/* ceval.subset (subset.h): has_subset 0 = the whole dataset was evaluated
	   (written as null; an absent key reads the same) */
	int has_subset;
	char *subset_rule;        /* e.g. "ceval-subset-v1" */
	int64_t subset_n;         /* N */
	int64_t subset_corpus;    /* retrieval M; 0 -> null (other types) */
	int64_t subset_seed;
	char *subset_hash;        /* selection hash, 16 hex digits */
	/* ceval.identity; has_identity 0 when absent (older files) */
	int has_identity;
	int32_t scoring_rev;      /* CEVAL_SCORING_REV of the build that scored (eval/identity.h) */
	char *backend;            /* embedder backend, e.g. "local" */
	char *precision;          /* "f32", "bf16" */
	char *kernels;            /* arithmetic revision + kernel family; NULL -> null */
	char *task_hash;          /* 16 hex digits of the task YAML file's bytes; NULL -> null */
	char *data_hash;          /* 16 hex digits over every evaluated split's content hash; NULL -> null */
};

void task_result_init(struct task_result *r);
void task_result_deinit(struct task_result *r);
/* Copy task_name, dataset_revision and main_score_name from t. CE_E_NOMEM. */
enum ce_status task_result_set_task(struct task_result *r, const struct task *t, struct ce_err *err);
/*
 * Add an entry for split with hf_subset/languages taken from t, and move
 * *metrics into it (metrics is left empty).  main_score is copied from the
 * metric named t->main_score, which must be present (CE_E_INVALID_ARG
 * otherwise).  CE_E_NOMEM.
 */
enum ce_status task_result_add_split(struct task_result *r, const struct task *t, const char *split,
				     struct metric_set *metrics, struct ce_err *err);
/* Set a string field (r->date etc.) to a copy of s (NULL allowed). CE_E_NOMEM. */
enum ce_status task_result_set_str(char **field, const char *s, struct ce_err *err);
/* Current UTC time as ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void results_now_iso8601(char buf[21]);

/*
 * Path <dir>/<model with '/' -> "__">/<task>.json (ce_free).  NULL and err
 * set (CE_E_INVALID_ARG) for an empty name, ".", "..", or a task name with
 * '/'; CE_E_NOMEM.
 */
char *results_path(const char *dir, const char *model, const char *task, struct ce_err *err);
/* 1 if results_path(dir, model, task) is a regular file. */
int results_exists(const char *dir, const char *model, const char *task);

/* Serialise r (indented JSON, keys in the order above, trailing newline).
 * [out] *json (ce_free), *len.  CE_E_INVALID_ARG for a missing task name/model
 * name or no scores; CE_E_NOMEM. */
enum ce_status results_to_json(const struct task_result *r, char **json, size_t *len, struct ce_err *err);
/*
 * The model part of the results path of a run at compatibility level compat
 * ("R1", "R3"; NULL = R1): the model name for R1, "<model>@R3" otherwise, so
 * R1 and R3 results of one model never share (or overwrite) a folder.
 * ce_free; NULL on NOMEM or a NULL model.
 */
char *results_model_folder(const char *model, const char *compat);
/* Write r to results_path(dir, results_model_folder(r->model_name, r->compat), r->task_name), atomically.
 * [out] *path_out (ce_free) if non-NULL.  CE_E_IO (folder not writable), plus the above. */
enum ce_status results_write(const char *dir, const struct task_result *r, char **path_out, struct ce_err *err);

/*
 * Parse a results file, strictly: required keys present with the right types,
 * unknown top-level keys rejected, every metric a number (or null -> NaN);
 * list- or object-valued extras that mteb writes inside a score entry
 * (scores_per_experiment, v_measures, ...) are skipped.  The "ceval" object
 * is optional (foreign mteb files), but checked when present.
 * [out] *out (caller calls task_result_deinit even on error).
 * Errors: CE_E_NOT_FOUND, CE_E_IO, CE_E_LIMIT (over 64 MiB), CE_E_FORMAT
 * ("path:line:col: ..." for bad JSON, "path: scores.test[0].x: ..." otherwise).
 */
enum ce_status results_read_file(const char *path, struct task_result *out, struct ce_err *err);
enum ce_status results_read_buffer(const char *name, const char *data, size_t len, struct task_result *out,
				   struct ce_err *err);

#endif
