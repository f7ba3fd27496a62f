/*
 * qrels_tsv.h - the BEIR relevance-judgement file qrels/<split>.tsv, read line by
 * line: a header "query-id<TAB>corpus-id<TAB>score" (required: BEIR's loader
 * skips the first row, so a missing header would silently drop a judgement),
 * then one judgement per line with exactly 3 tab-separated fields (a
 * trailing CR dropped).  Blank lines are skipped.  Also X.zst.
 *
 * Every line read is folded into the content hash as record.h describes,
 * after the role name "qrels".  What the ids mean (lookup, duplicates) is
 * the retrieval loader's business.
 *
 * Ownership: qrels_close frees (accepts NULL); field pointers are valid until
 * the next qrels_next.
 */
#ifndef QRELS_TSV_H
#define QRELS_TSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct qrels_tsv;

/* Open <dir>/qrels/<split>.tsv (or .zst).  hash may be NULL. */
enum ce_status qrels_tsv_open(const char *dir, const char *split, uint64_t *hash, struct qrels_tsv **out,
			  struct ce_err *err);
/*
 * The same judgements read from a record source instead (the hub's Parquet
 * qrels: 2023 C-MTEB qid / pid / score, MTEB 2.x query-id / corpus-id /
 * score): no header; ids are strings or integers (written in decimal),
 * scores integers (or integral reals) in int32 range.  Takes ownership of s
 * (closed on failure too); errors name the source's file and row.
 */
struct record_source;
enum ce_status qrels_tsv_from_records(struct record_source *s, const char *qid_col, const char *did_col,
				      const char *score_col, struct qrels_tsv **out, struct ce_err *err);
/* Next judgement: the query and corpus id fields; *has_row = false at the end. */
enum ce_status qrels_tsv_next(struct qrels_tsv *q, const char **qid, size_t *qid_len, const char **did,
			  size_t *did_len, bool *has_row, struct ce_err *err);
/* The score field of the current judgement: an integer (optional sign, up to
 * 10 digits, int32 range), else "score: expected an integer, found '...'". */
enum ce_status qrels_tsv_score(const struct qrels_tsv *q, int32_t *score, struct ce_err *err);
/* CE_E_FORMAT "<path>:<line>: <fmt...>" at the current line. */
enum ce_status qrels_tsv_err(const struct qrels_tsv *q, struct ce_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int64_t qrels_tsv_lineno(const struct qrels_tsv *q);
const char *qrels_tsv_path(const struct qrels_tsv *q);
void qrels_tsv_close(struct qrels_tsv *q);

#endif
