/*
 * results_mteb.h - read MTEB results files of every shape found in the wild
 * into a struct task_result (results.h), so that the leaderboard and the
 * regression gate can use published numbers beside ceval's own.
 *
 * Shapes (../shared/published/README.md lists the facts they rest on):
 *   - ceval's own files (a "ceval" object): read by results_read_buffer, strictly.
 *   - mteb 1.0-1.1 ("R1"): split keys at the top level ("dev", "test",
 *     "validation") holding metric dicts; multilingual tasks nest a language
 *     key ("zh", "zh-CN", ...); STS / pair classification metrics nest one
 *     more level ("cos_sim": {"spearman": ...}); "main_score" only in
 *     classification files; the task name is "mteb_dataset_name".
 *     Nested metrics are flattened to the mteb >= 1.12 names: cos_sim.x ->
 *     cosine_x, euclidean.x -> euclidean_x, manhattan.x, dot.x, max.x likewise.
 *     A split without language keys becomes one entry with hf_subset "default".
 *   - mteb >= 1.12 and 2.x: "task_name", "scores" -> split -> list of
 *     {hf_subset, languages, main_score, metrics...}; "date" (string or
 *     number), "evaluation_phases" and any other top-level key are ignored;
 *     list- or object-valued metric entries (scores_per_experiment, ...) are
 *     skipped.
 *   - Files converted from model cards ("external" folders): the same, with
 *     null mteb_version / evaluation_time and "None" revisions.
 *   - Bare NaN / Infinity / -Infinity (Python's json.dump writes them; strict
 *     JSON does not allow them) are read as NaN.
 * Old task names are mapped to today's: CMedQAv1 -> CMedQAv1-reranking,
 * CMedQAv2 -> CMedQAv2-reranking.
 *
 * A file that fits none of the shapes, or fits two (top-level split keys
 * beside "scores"), is CE_E_FORMAT with a one-line message naming it; nothing
 * is guessed.  Ownership as results.h: the caller deinits the task_result.
 */
#ifndef RESULTS_MTEB_H
#define RESULTS_MTEB_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"
#include "results.h"

enum results_shape {
	RESULTS_SHAPE_CEVAL = 0, /* ceval's own (results.h) */
	RESULTS_SHAPE_MTEB_R1,   /* mteb 1.0-1.1: top-level split keys */
	RESULTS_SHAPE_MTEB,      /* mteb >= 1.12 / 2.x: scores -> split -> [entries] */
};

/* "ceval", "mteb 1.0-1.1", "mteb >= 1.12". Static. */
const char *results_shape_name(enum results_shape s);

/* Today's name of a task an old results file names (CMedQAv1 -> CMedQAv1-reranking); name itself otherwise. Static or borrowed. */
const char *results_mteb_task_alias(const char *name);
/* The old file name stem of a task, or NULL when it has none (CMedQAv1-reranking -> CMedQAv1). Static. */
const char *results_mteb_old_name(const char *task);

/*
 * The compatibility level an mteb version implies (spec §0): before 1.12
 * "R1", 1.12 up to 2.0 "R2", 2.x and later "R3"; NULL for NULL or a string
 * that does not start with a number.  Static.  Files read by
 * results_mteb_read_* carry it in task_result.compat (the 1.0-1.1 shape is
 * always "R1"; no mteb_version, e.g. model-card files, leaves compat NULL);
 * ceval's own files carry their ceval.compat.
 */
const char *results_mteb_compat_of_version(const char *v);

/* 1 if hf_subset names a Chinese subset: "zh", "zh-CN", "cmn-Hans", "cmo-Hans". */
int results_mteb_is_chinese_subset(const char *hf_subset);

/*
 * Read a results file of any shape above.  [out] *out (task_result_deinit,
 * also on error), *shape (may be NULL).  For the mteb shapes, main_score is
 * NaN where the file has none, model fields are empty and has_ceval is 0.
 * Errors: CE_E_NOT_FOUND, CE_E_IO, CE_E_LIMIT (over 64 MiB), CE_E_FORMAT
 * ("path: ..." or "path:line:col: bad JSON"), CE_E_NOMEM.
 */
enum ce_status results_mteb_read_file(const char *path, struct task_result *out, enum results_shape *shape,
				      struct ce_err *err);
enum ce_status results_mteb_read_buffer(const char *name, const char *data, size_t len, struct task_result *out,
					enum results_shape *shape, struct ce_err *err);

/*
 * mteb's model_meta.json of a results folder (<dir>/model_meta.json): the
 * model's "name" and "embed_dim".  [out] *name (ce_free; NULL when absent),
 * *dim (0 when absent).  No file is CE_OK with both empty.  Errors:
 * CE_E_FORMAT (bad JSON, or name / embed_dim of the wrong type), CE_E_IO, CE_E_NOMEM.
 */
enum ce_status results_mteb_read_model_meta(const char *dir, char **name, int32_t *dim, struct ce_err *err);

#endif
