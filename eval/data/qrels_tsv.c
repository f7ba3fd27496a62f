/*
 * qrels_tsv.c - the BEIR qrels TSV reader (qrels_tsv.h).
 */
#include "qrels_tsv.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "ce_hash.h"
#include "lines.h"
#include "record.h"

struct qrels_tsv {
	struct line_src src;
	char *path; /* owned */
	uint64_t *hash;
	int header_done;
	const char *f[3];
	size_t fl[3];
	/* record mode (qrels_tsv_from_records): rows of a record source */
	struct record_source *rec;
	char *cols[3];
	char num[2][24];
};

enum ce_status qrels_tsv_from_records(struct record_source *s, const char *qid_col, const char *did_col,
				      const char *score_col, struct qrels_tsv **out, struct ce_err *err)
{
	*out = NULL;
	struct qrels_tsv *q = ce_calloc(1, sizeof *q);
	if (q) {
		q->rec = s;
		q->cols[0] = ce_strdup(qid_col);
		q->cols[1] = ce_strdup(did_col);
		q->cols[2] = ce_strdup(score_col);
	}
	if (!q || !q->cols[0] || !q->cols[1] || !q->cols[2]) {
		if (q)
			q->rec = NULL;
		qrels_tsv_close(q);
		record_source_close(s);
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	*out = q;
	return CE_OK;
}

/* Id column k of the current record: a string, or an integer (mteb casts ids with str()). */
static enum ce_status rec_id(struct qrels_tsv *q, int k, struct ce_err *err)
{
	struct record_value v;
	CE_TRY(record_col(q->rec, q->cols[k], &v, err));
	if (v.kind == RECORD_STR) {
		q->f[k] = v.str;
		q->fl[k] = v.len;
	} else if (v.kind == RECORD_INT) {
		q->fl[k] = (size_t)snprintf(q->num[k], sizeof q->num[k], "%" PRId64, v.i);
		q->f[k] = q->num[k];
	} else {
		return record_err(q->rec, err, "column '%s': expected a string id, found %s", q->cols[k],
				  record_kind_name(v.kind));
	}
	return CE_OK;
}

static enum ce_status rec_next(struct qrels_tsv *q, bool *has_row, struct ce_err *err)
{
	CE_TRY(record_next(q->rec, has_row, err));
	if (!*has_row)
		return CE_OK;
	CE_TRY(rec_id(q, 0, err));
	return rec_id(q, 1, err);
}

static enum ce_status rec_score(const struct qrels_tsv *q, int32_t *score, struct ce_err *err)
{
	struct record_value v;
	CE_TRY(record_col(q->rec, q->cols[2], &v, err));
	double x = v.num;
	if ((v.kind != RECORD_INT && v.kind != RECORD_REAL) || (v.kind == RECORD_REAL && x != (double)(int64_t)x))
		return record_err(q->rec, err, "column '%s': expected an integer, found %s", q->cols[2],
				  v.kind == RECORD_REAL ? "a fraction" : record_kind_name(v.kind));
	if (x > INT32_MAX || x < INT32_MIN)
		return record_err(q->rec, err, "column '%s': %.17g is out of range (a 32-bit integer, %d to %d)",
				  q->cols[2], x, INT32_MIN, INT32_MAX);
	*score = v.kind == RECORD_INT ? (int32_t)v.i : (int32_t)x;
	return CE_OK;
}

enum ce_status qrels_tsv_open(const char *dir, const char *split, uint64_t *hash, struct qrels_tsv **out,
			  struct ce_err *err)
{
	*out = NULL;
	char rel[256];
	snprintf(rel, sizeof rel, "qrels/%s.tsv", split);
	char *p;
	CE_TRY(record_find_file(dir, rel, &p, err));
	struct qrels_tsv *q = ce_calloc(1, sizeof *q);
	if (!q) {
		enum ce_status st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", p);
		ce_free(p);
		return st;
	}
	q->path = p;
	q->src.name = q->src.path = p;
	enum ce_status st = line_src_open(&q->src, err);
	if (st != CE_OK) {
		ce_free(q->path);
		ce_free(q);
		return st;
	}
	q->hash = hash;
	if (hash)
		*hash = ce_fnv1a64(*hash, "qrels", sizeof "qrels");
	*out = q;
	return CE_OK;
}

/* Split a TSV line into exactly 3 fields (trailing '\r' dropped). */
static int split3(const char *line, size_t len, const char *f[3], size_t fl[3])
{
	if (len && line[len - 1] == '\r')
		len--;
	size_t start = 0;
	int k = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == '\t') {
			if (k == 3)
				return 0;
			f[k] = line + start;
			fl[k] = i - start;
			k++;
			start = i + 1;
		}
	}
	return k == 3;
}

enum ce_status qrels_tsv_next(struct qrels_tsv *q, const char **qid, size_t *qid_len, const char **did,
			  size_t *did_len, bool *has_row, struct ce_err *err)
{
	*has_row = false;
	if (q->rec) {
		CE_TRY(rec_next(q, has_row, err));
		if (*has_row) {
			*qid = q->f[0];
			*qid_len = q->fl[0];
			*did = q->f[1];
			*did_len = q->fl[1];
		}
		return CE_OK;
	}
	for (;;) {
		const char *line;
		size_t len;
		int eof;
		CE_TRY(line_src_next_data(&q->src, q->hash, &line, &len, &eof, err));
		if (eof)
			return CE_OK;
		if (!split3(line, len, q->f, q->fl))
			return qrels_tsv_err(q, err, "expected 3 tab-separated fields (query-id, corpus-id, score)");
		if (!q->header_done) {
			q->header_done = 1;
			if (!(q->fl[0] == 8 && !memcmp(q->f[0], "query-id", 8) && q->fl[1] == 9 &&
			      !memcmp(q->f[1], "corpus-id", 9) && q->fl[2] == 5 && !memcmp(q->f[2], "score", 5)))
				return qrels_tsv_err(q, err, "expected the header 'query-id<TAB>corpus-id<TAB>score'");
			continue;
		}
		*qid = q->f[0];
		*qid_len = q->fl[0];
		*did = q->f[1];
		*did_len = q->fl[1];
		*has_row = true;
		return CE_OK;
	}
}

enum ce_status qrels_tsv_score(const struct qrels_tsv *q, int32_t *score, struct ce_err *err)
{
	if (q->rec)
		return rec_score(q, score, err);
	/* integer relevance (pytrec_eval requires ints): optional sign, digits, int32 range */
	const char *p = q->f[2];
	size_t pl = q->fl[2], i = 0;
	int neg = 0;
	if (pl && (p[0] == '-' || p[0] == '+')) {
		neg = p[0] == '-';
		i = 1;
	}
	int64_t v = 0;
	int ok = i < pl, digits = (int)(pl - i);
	for (; ok && i < pl; i++) {
		if (p[i] < '0' || p[i] > '9')
			ok = 0;
		else if (v <= INT32_MAX)
			v = v * 10 + (p[i] - '0');
	}
	if (neg)
		v = -v;
	if (!ok)
		return qrels_tsv_err(q, err, "score: expected an integer, found '%.*s'", (int)(pl > 40 ? 40 : pl), p);
	if (digits > 10 || v > INT32_MAX || v < INT32_MIN)
		return qrels_tsv_err(q, err, "score: %.*s is out of range (a 32-bit integer, %d to %d)",
				     (int)(pl > 40 ? 40 : pl), p, INT32_MIN, INT32_MAX);
	*score = (int32_t)v;
	return CE_OK;
}

enum ce_status qrels_tsv_err(const struct qrels_tsv *q, struct ce_err *err, const char *fmt, ...)
{
	char msg[CE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (q->rec)
		return record_err(q->rec, err, "%s", msg);
	return ce_err_set(err, CE_E_FORMAT, "%s:%" PRId64 ": %s", q->path, q->src.lineno,
			  msg);
}

int64_t qrels_tsv_lineno(const struct qrels_tsv *q)
{
	if (q->rec)
		return record_pos(q->rec);
	return q->src.lineno;
}

const char *qrels_tsv_path(const struct qrels_tsv *q)
{
	if (q->rec)
		return q->rec->path;
	return q->path;
}

void qrels_tsv_close(struct qrels_tsv *q)
{
	if (!q)
		return;
	if (q->rec || q->cols[0] || q->cols[1] || q->cols[2]) {
		record_source_close(q->rec);
		for (int k = 0; k < 3; k++)
			ce_free(q->cols[k]);
		ce_free(q);
		return;
	}
	line_src_close(&q->src);
	ce_free(q->path);
	ce_free(q);
}
