/*
 * dataset.h - load one split of a task's dataset into memory.
 *
 * dataset_load dispatches on the task type through the descriptor table
 * (eval/types/task_types.h): each type's loader (eval/types/t_<type>.c)
 * reads rows through the record interface (record.h), so the file format
 * (JSON lines or Parquet) is chosen there, not here.  The data is either a
 * folder in the layout below or a Hugging Face dataset snapshot (struct
 * data_location; each t_<type>.c maps the hub layouts to its rows).
 *
 * Files (under <data_root>/<task->dataset_path>/), each `X` also accepted as
 * `X.zst` (tried in that order; read through common/line_reader.h):
 *   sts, pair_classification, reranking, clustering:  <split>.jsonl
 *   classification:  <train_split>.jsonl and <split>.jsonl
 *   retrieval:       corpus.jsonl, queries.jsonl, qrels/<split>.tsv
 * One JSON object per line (jansson, duplicate keys rejected); blank lines
 * (only whitespace) are skipped.  Strings may not contain NUL (U+0000): texts
 * are handed to the tokenizer as C strings, so jansson's default refusal of
 * "\u0000" is kept.  Extra keys in a record are ignored (HF exports carry
 * them).  Every problem is CE_E_FORMAT with "file:line[:col]: what".
 *
 * Ownership: struct dataset owns everything (strings live in a few big
 * buffers, struct strtab in strtab.h); dataset_free accepts NULL.  Pointers returned by
 * strtab_get are valid until the dataset is freed.
 */
#ifndef DATASET_H
#define DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"
#include "strtab.h"
#include "task.h"

/* Retrieval: BEIR layout.  Corpus text = strip(title + " " + text) (Python str.strip). */
struct ds_retrieval {
	struct strtab corpus_ids;   /* n_corpus ids, distinct */
	struct strtab corpus_texts; /* same order */
	struct strtab query_ids;    /* n_queries ids, distinct */
	struct strtab query_texts;
	int64_t n_qrels;            /* rows of qrels/<split>.tsv, file order */
	int64_t *qrel_query;        /* index into query_ids */
	int64_t *qrel_doc;          /* index into corpus_ids */
	int32_t *qrel_score;        /* integer relevance (may be 0 or negative) */
};

/* Reranking: sample i has positives pos_off[i]..pos_off[i+1] in `positives`
 * and negatives neg_off[i]..neg_off[i+1] in `negatives`.  Empty lists are kept
 * (the R1 evaluator drops such samples, spec §3.2). */
struct ds_reranking {
	struct strtab queries;   /* one query per sample (n = queries.n), or with q_off each sample's list */
	struct strtab positives;
	struct strtab negatives;
	int64_t *pos_off;        /* n + 1 */
	int64_t *neg_off;        /* n + 1 */
	/* List-valued queries (mteb/mind_small: a user's click history): sample i's queries are
	 * q_off[i]..q_off[i+1] in `queries`, and a candidate's score is its highest cosine with
	 * any of them (mteb's RerankingEvaluator).  NULL for string queries. */
	int64_t *q_off;          /* n + 1, or NULL */
	int64_t n_lists;         /* with q_off: n */
};

/* The number of samples of d. */
static inline int64_t ds_reranking_n(const struct ds_reranking *d)
{
	return d->q_off ? d->n_lists : d->queries.n;
}

/* Sample i's queries: [*q0, *q1) in d->queries (one for string queries). */
static inline void ds_reranking_queries(const struct ds_reranking *d, int64_t i, int64_t *q0, int64_t *q1)
{
	*q0 = d->q_off ? d->q_off[i] : i;
	*q1 = d->q_off ? d->q_off[i + 1] : i + 1;
}

/* STS: n = s1.n pairs; score as given (not normalised). */
struct ds_sts {
	struct strtab s1, s2;
	double *score;
};

/* Summarization (SummEval): per row a text, its human summaries and its machine
 * summaries with one human relevance score each; row i owns human[h_off[i] ..
 * h_off[i+1]) and machine / relevance [m_off[i] .. m_off[i+1]) (n + 1 offsets). */
struct ds_summarization {
	struct strtab text, human, machine;
	double *relevance; /* one per machine summary */
	int64_t *h_off, *m_off;
	int64_t rel_cap;
};

/* Pair classification: label 0 or 1 (JSON integers 0/1 only). */
struct ds_pair {
	struct strtab s1, s2;
	int32_t *label;
};

/*
 * Class labels of a split (or of train+eval for classification), as dense ids
 * 0..n_classes-1 in sorted order of the original labels: integers ascending,
 * strings by byte order (= code point order) - the order of numpy.unique, so
 * id i is sklearn's classes_[i].  A split mixing integer and string labels is
 * an error.
 */
struct ds_labels {
	int32_t n_classes;
	int is_string;         /* 1: names holds the strings; 0: values holds the integers */
	struct strtab names;   /* is_string: n_classes names, by id */
	int64_t *values;       /* !is_string: n_classes integer labels, by id */
};

/* Classification: train and eval texts with label ids sharing one ds_labels. */
struct ds_classification {
	struct strtab train_texts;
	int32_t *train_labels;  /* train_texts.n ids */
	struct strtab eval_texts;
	int32_t *eval_labels;   /* eval_texts.n ids */
	struct ds_labels labels;
};

/* Clustering: set s holds sentences set_off[s]..set_off[s+1]; label ids are
 * shared over the split (one ds_labels). */
struct ds_clustering {
	int64_t n_sets;
	int64_t *set_off;       /* n_sets + 1 */
	struct strtab sentences;
	int32_t *labels;        /* sentences.n ids */
	struct ds_labels label_set;
};

struct dataset {
	enum task_type type;
	char *split;            /* the eval split loaded */
	uint64_t content_hash;  /* FNV-1a 64 over the decompressed bytes of every file read,
				   in read order, each preceded by its role name ("corpus",
				   "queries", "qrels", "train", "eval") and a NUL */
	/* exactly one of these is filled, per type */
	struct ds_retrieval retrieval;
	struct ds_reranking reranking;
	struct ds_sts sts;
	struct ds_pair pair;
	struct ds_classification classification;
	struct ds_clustering clustering;
	struct ds_summarization summarization;
};

/*
 * Where a task's data is, as the command layer found it (eval never looks in
 * the hub cache itself): either a folder in the JSONL layout above (dir), or
 * a Hugging Face dataset snapshot folder (snapshot; files found by
 * hub_layout.h, Parquet read by record_parquet.c) plus, for the 2023 C-MTEB
 * retrieval layout, the snapshot of the separate qrels repo.  How each type
 * maps a hub layout to its rows is in its t_<type>.c.  The repo ids and
 * revisions are for messages and results only.  All borrowed.
 */
struct data_location {
	const char *dir;            /* JSONL folder, or NULL when snapshot is set */
	const char *snapshot;       /* hub snapshot folder, or NULL */
	const char *qrels_snapshot; /* snapshot of the qrels repo (v1 retrieval), or NULL */
	const char *repo_id, *revision, *qrels_repo_id, *qrels_revision;
};

/* Load split `split` of task t from loc.  Errors as dataset_load. */
enum ce_status dataset_load_at(const struct task *t, const struct data_location *loc, const char *split,
			       struct dataset **out, struct ce_err *err);

/*
 * Load split `split` of task t from <data_root>/<t->dataset_path>.
 * [out] *out (dataset_free).  Errors: CE_E_NOT_FOUND (file missing: names the
 * paths tried), CE_E_IO, CE_E_FORMAT, CE_E_LIMIT (a line over 64 MiB, or more
 * than INT32_MAX classes), CE_E_NOMEM.  An empty split is CE_E_FORMAT.
 */
enum ce_status dataset_load(const struct task *t, const char *data_root, const char *split, struct dataset **out,
			    struct ce_err *err);
void dataset_free(struct dataset *ds);

/* Number of evaluation rows: pairs, eval texts, sets, samples or queries. */
int64_t dataset_n_rows(const struct dataset *ds);

/* "%016llx" of content_hash into buf (at least 17 bytes). */
void dataset_hash_hex(const struct dataset *ds, char buf[17]);

/*
 * De-duplicate texts so each is embedded once.  [in] texts[0..n) (NUL-terminated,
 * borrowed); [out] *uniq (ce_free): indices into texts of the first occurrence
 * of each distinct text, in order of first appearance, *n_uniq of them;
 * [out] *map (ce_free, n entries): map[i] = position in uniq of texts[i].
 * Errors: CE_E_NOMEM, CE_E_INVALID_ARG (n < 0).
 */
enum ce_status dataset_dedup(const char *const *texts, int64_t n, int64_t **uniq, int64_t *n_uniq, int64_t **map,
			     struct ce_err *err);

#endif
