/*
 * evaluator.h - the six task-type evaluators and what they share.
 *
 * An evaluator takes a loaded dataset split and an embedder, and fills a
 * metric_set with every metric of its type (R1 semantics, spec
 * evaluation.md).  Evaluators never see the encoder itself: they embed
 * through struct embedder, so tests can use a deterministic fake and the
 * runner can put a cache in front of the real encoder.
 *
 * Ownership: evaluators borrow everything they are given; the metric_set is
 * the caller's.
 */
#ifndef EVALUATOR_H
#define EVALUATOR_H

#include <stdint.h>

#include "ce_status.h"
#include "dataset.h"
#include "embedder.h"
#include "results.h"
#include "task.h"

struct eval_ctx {
	const struct task *task;
	struct embedder *emb;
	const char *query_instruction; /* "" or the model's instruction; applied when task->query_instruction */
	int32_t threads;
};

typedef enum ce_status (*evaluator_fn)(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
				       struct ce_err *err);

struct evaluator {
	enum task_type type;
	const char *name;
	evaluator_fn run;
};

/* The evaluator of a type: task_types[type]->evaluator (task_types.c); NULL out of range. */
const struct evaluator *evaluator_for(enum task_type type);

/*
 * Embed texts[0..n) once each: duplicates are embedded once, `prefix` (may be
 * NULL or "") is prepended to every text, rows returned in input order.
 * [out] *out (ce_free) n * dim floats.
 */
enum ce_status ev_embed_texts(const struct eval_ctx *ctx, const char *phase, const char *const *texts, int64_t n,
			      const char *prefix, float **out, struct ce_err *err);

/*
 * CE_E_FORMAT naming the first text whose vector (vec[n * dim], row i =
 * texts[i]) holds a NaN or an infinity; CE_OK when all are finite.  Called by
 * ev_embed_texts on every batch it hands to evaluators.
 */
enum ce_status ev_check_finite(const struct eval_ctx *ctx, const char *const *texts, int64_t n, const float *vec,
			       struct ce_err *err);

/* Row-wise helpers used by several evaluators (double accumulation). */
double ev_dot(const float *a, const float *b, int32_t dim);
double ev_cosine(const float *a, const float *b, int32_t dim);
double ev_euclidean(const float *a, const float *b, int32_t dim);
double ev_manhattan(const float *a, const float *b, int32_t dim);

/* The evaluators (registered in the task-type table, task_types.c). */
enum ce_status ev_retrieval(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
			    struct ce_err *err);
enum ce_status ev_reranking(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
			    struct ce_err *err);
enum ce_status ev_sts(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out, struct ce_err *err);
enum ce_status ev_pair_classification(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
				      struct ce_err *err);
enum ce_status ev_classification(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
				 struct ce_err *err);
enum ce_status ev_clustering(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
			     struct ce_err *err);

#endif
