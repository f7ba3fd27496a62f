/*
 * task_types.h - one descriptor per task type, the way trec_eval registers
 * its measures: everything that differs between types is reached through
 * task_types[type], never through a switch on the type.
 *
 * A type lives in eval/types/t_<type>.c (loader, row count, subset rule,
 * text count; its evaluator may live there or in ev_<type>.c) and is listed
 * once in task_types.c.  Every field is required: the table's size is a
 * static assertion, and test_task_type_table (tests/eval/test_evaluators.c)
 * checks that every entry is present, in enum order, with no NULL member.
 *
 * Loaders read rows only through the record interface (record.h), by the
 * column names of the task (struct task_columns), so a new data format needs
 * no change here.
 */
#ifndef TASK_TYPES_H
#define TASK_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "ce_status.h"
#include "dataset.h"
#include "evaluator.h"
#include "subset.h"
#include "task.h"

/* Fill ds's part for the type from loc (a JSONL folder or a hub snapshot,
 * dataset.h), split `split`; ds->content_hash is the running content hash.
 * Errors as dataset_load. */
typedef enum ce_status (*task_load_fn)(const struct task *t, const struct data_location *loc, const char *split,
				       struct dataset *ds, struct ce_err *err);
/* Number of evaluation rows (dataset_n_rows). */
typedef int64_t (*task_rows_fn)(const struct dataset *ds);
/* Free the type's part of ds (the rest of ds stays). */
typedef void (*task_deinit_fn)(struct dataset *ds);
/* The subset rule (subset.h): fill nw with the n (and for retrieval m corpus)
 * rows drawn from ds with rng, folding every choice into *h; set
 * info->applied / rows_after (and the corpus fields). */
typedef enum ce_status (*task_subset_fn)(const struct dataset *ds, const struct task *t, int64_t n, int64_t m,
					 struct subset_rng *rng, struct dataset *nw, uint64_t *h,
					 struct subset_info *info, struct ce_err *err);
/* After a subset: move the parts kept whole (training rows, label tables) from ds to nw. */
typedef void (*task_subset_keep_fn)(struct dataset *ds, struct dataset *nw);
/* Texts a run will encode (subset_count_texts). */
typedef int64_t (*task_count_texts_fn)(const struct dataset *ds, const struct task *t);

struct task_type_desc {
	enum task_type type;
	const char *name;               /* YAML spelling: "sts" */
	const char *title;              /* leaderboard column: "STS" */
	const char *default_main_score; /* R1: "cosine_spearman" */
	const char *default_main_score_r3; /* R3 (mteb 2.x metadata): "max_accuracy" for pair classification */
	bool query_instruction;         /* default of query_instruction, and whether true is allowed */
	bool train_split;               /* reads a train split as well ("train" by default) */
	bool subset_corpus;             /* its subset rule also takes a corpus size M (subset_corpus) */
	const char *const *params;      /* the parameters: keys it accepts, NULL-terminated (may be empty) */
	const char *const *columns;     /* the task_columns keys it reads, NULL-terminated */
	const char *const *metrics;     /* the scores its evaluator reports, NULL-terminated (retrieval: name
					   prefixes, completed by _K for each K of parameters.k_values) */
	task_load_fn load;
	task_rows_fn n_rows;
	task_deinit_fn deinit;
	task_subset_fn subset;
	task_subset_keep_fn subset_keep;
	task_count_texts_fn count_texts;
	struct evaluator evaluator;     /* {type, name, run}: what evaluator_for returns */
};

/* The table: task_types[i]->type == i for every i < TASK_TYPE_COUNT. */
extern const struct task_type_desc *const task_types[];

/* Descriptor of t, NULL when out of range. */
const struct task_type_desc *task_type_desc(enum task_type t);

/* The descriptors, one per t_<type>.c. */
extern const struct task_type_desc task_type_retrieval;
extern const struct task_type_desc task_type_reranking;
extern const struct task_type_desc task_type_sts;
extern const struct task_type_desc task_type_pair_classification;
extern const struct task_type_desc task_type_classification;
extern const struct task_type_desc task_type_clustering;
extern const struct task_type_desc task_type_summarization;

#endif
