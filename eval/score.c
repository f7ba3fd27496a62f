/*
 * score.c - qrels / run parsing and trec_eval-style evaluation and reports
 * (see score.h for the formats and the semantics reproduced).
 */
#include "score.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "lines.h"
#include "strtab.h"

/* ================================================================ fields */

struct span {
	const char *p;
	size_t n;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Blank line or '#' comment (after leading blanks). */
static int skip_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_blank(s[i]))
		i++;
	return i == n || s[i] == '#';
}

/* Split on runs of blanks; returns the field count (fields beyond max are counted, not stored). */
static size_t split_ws(const char *s, size_t n, struct span *f, size_t max)
{
	size_t k = 0, i = 0;
	for (;;) {
		while (i < n && is_blank(s[i]))
			i++;
		if (i >= n)
			return k;
		size_t st = i;
		while (i < n && !is_blank(s[i]))
			i++;
		if (k < max) {
			f[k].p = s + st;
			f[k].n = i - st;
		}
		k++;
	}
}

/* Split on single tabs (BEIR TSV, ids may hold spaces); a trailing '\r' is dropped. */
static size_t split_tab(const char *s, size_t n, struct span *f, size_t max)
{
	if (n && s[n - 1] == '\r')
		n--;
	size_t k = 0, st = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '\t') {
			if (k < max) {
				f[k].p = s + st;
				f[k].n = i - st;
			}
			k++;
			st = i + 1;
		}
	}
	return k;
}

static int span_eq(struct span a, const char *s)
{
	return a.n == strlen(s) && memcmp(a.p, s, a.n) == 0;
}

/* An id field: non-empty, no NUL byte. */
static enum ce_status check_id(const struct line_src *s, struct span f, const char *what, struct ce_err *err)
{
	if (f.n == 0)
		return ce_err_set(err, CE_E_FORMAT, "%s:%lld: empty %s", s->name, (long long)s->lineno, what);
	if (memchr(f.p, '\0', f.n))
		return ce_err_set(err, CE_E_FORMAT, "%s:%lld: NUL byte in %s", s->name, (long long)s->lineno, what);
	return CE_OK;
}

static enum ce_status parse_rel(const struct line_src *s, struct span f, int32_t *rel, struct ce_err *err)
{
	char buf[32];
	if (f.n == 0 || f.n >= sizeof buf || memchr(f.p, '\0', f.n))
		goto bad;
	memcpy(buf, f.p, f.n);
	buf[f.n] = '\0';
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (*end || end == buf)
		goto bad;
	if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX)
		return ce_err_set(err, CE_E_FORMAT, "%s:%lld: relevance %s is out of range (a 32-bit integer)", s->name,
				  (long long)s->lineno, buf);
	*rel = (int32_t)v;
	return CE_OK;
bad:
	return ce_err_set(err, CE_E_FORMAT, "%s:%lld: relevance '%.*s' is not an integer in int32 range", s->name,
			  (long long)s->lineno, (int)(f.n > 40 ? 40 : f.n), f.p);
}

static enum ce_status parse_score(const struct line_src *s, struct span f, double *v, struct ce_err *err)
{
	char buf[128];
	if (f.n == 0 || f.n >= sizeof buf || memchr(f.p, '\0', f.n))
		goto bad;
	memcpy(buf, f.p, f.n);
	buf[f.n] = '\0';
	char *end;
	*v = strtod(buf, &end);
	if (*end || end == buf || isnan(*v))
		goto bad;
	return CE_OK;
bad:
	return ce_err_set(err, CE_E_FORMAT, "%s:%lld: score '%.*s' is not a number", s->name, (long long)s->lineno,
			  (int)(f.n > 40 ? 40 : f.n), f.p);
}

/* ================================================================ qrels */

struct qrels_line {
	const char *qid, *docno;
	int32_t rel;
	int64_t line;
};

struct qrels_query {
	const char *qid;
	size_t start, count; /* range in judgements */
};

struct qrels {
	enum score_qrels_format format;
	struct strpool pool;
	struct qrels_query *queries;
	size_t n_queries;
	struct rl_judgement *judgements;
	size_t n_judgements;
};

void qrels_free(struct qrels *q)
{
	if (!q)
		return;
	strpool_free(&q->pool);
	ce_free(q->queries);
	ce_free(q->judgements);
	ce_free(q);
}

static int cmp_qrels_line(const void *a, const void *b)
{
	const struct qrels_line *x = a, *y = b;
	int c = strcmp(x->qid, y->qid);
	if (c)
		return c;
	c = strcmp(x->docno, y->docno);
	if (c)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

static struct qrels *qrels_parse_src(struct line_src *s, enum score_qrels_format fmt, struct ce_err *err)
{
	struct qrels *q = ce_calloc(1, sizeof *q);
	struct qrels_line *lines = NULL;
	size_t n = 0, cap = 0;
	enum ce_status st;
	if (!q) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", s->name);
		return NULL;
	}
	if ((st = line_src_open(s, err)) != CE_OK)
		goto fail;
	int first = 1;
	for (;;) {
		const char *l;
		size_t len;
		int eof;
		if ((st = line_src_next(s, &l, &len, &eof, err)) != CE_OK)
			goto fail;
		if (eof)
			break;
		if (skip_line(l, len))
			continue;
		struct span f[4];
		size_t nf;
		if (first) {
			first = 0;
			if (fmt == SCORE_QRELS_AUTO)
				fmt = split_tab(l, len, f, 4) == 3 ? SCORE_QRELS_BEIR : SCORE_QRELS_TREC;
			if (fmt == SCORE_QRELS_BEIR && split_tab(l, len, f, 4) == 3 && span_eq(f[0], "query-id") &&
			    span_eq(f[1], "corpus-id") && span_eq(f[2], "score"))
				continue; /* the BEIR header */
		}
		struct span qid, docno, rel;
		if (fmt == SCORE_QRELS_BEIR) {
			nf = split_tab(l, len, f, 4);
			if (nf != 3) {
				st = ce_err_set(err, CE_E_FORMAT,
						"%s:%lld: expected 3 tab-separated fields (query-id corpus-id score), found %zu",
						s->name, (long long)s->lineno, nf);
				goto fail;
			}
			qid = f[0];
			docno = f[1];
			rel = f[2];
		} else {
			nf = split_ws(l, len, f, 4);
			if (nf != 4) {
				st = ce_err_set(err, CE_E_FORMAT,
						"%s:%lld: expected 4 fields (qid iter docno rel), found %zu", s->name,
						(long long)s->lineno, nf);
				goto fail;
			}
			qid = f[0];
			docno = f[2];
			rel = f[3];
		}
		int32_t r = 0;
		if ((st = check_id(s, qid, "query id", err)) != CE_OK || (st = check_id(s, docno, "docno", err)) != CE_OK ||
		    (st = parse_rel(s, rel, &r, err)) != CE_OK)
			goto fail;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			struct qrels_line *p = ce_realloc_array(lines, nc, sizeof *p);
			if (!p)
				goto nomem;
			lines = p;
			cap = nc;
		}
		struct qrels_line *e = &lines[n];
		e->qid = strpool_add(&q->pool, qid.p, qid.n);
		e->docno = strpool_add(&q->pool, docno.p, docno.n);
		if (!e->qid || !e->docno)
			goto nomem;
		e->rel = r;
		e->line = s->lineno;
		n++;
	}
	line_src_close(s);
	q->format = fmt == SCORE_QRELS_AUTO ? SCORE_QRELS_TREC : fmt;
	if (n > 1)
		qsort(lines, n, sizeof *lines, cmp_qrels_line);
	q->judgements = ce_malloc_array(n ? n : 1, sizeof *q->judgements);
	q->queries = ce_malloc_array(n ? n : 1, sizeof *q->queries);
	if (!q->judgements || !q->queries)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(lines[i].qid, lines[i - 1].qid) == 0 &&
		    strcmp(lines[i].docno, lines[i - 1].docno) == 0) {
			/* trec_eval refuses duplicate judgements ("duplicate docs") */
			st = ce_err_set(err, CE_E_FORMAT, "%s:%lld: duplicate judgement of doc '%s' for query '%s' (first at line %lld)",
					s->name, (long long)lines[i].line, lines[i].docno, lines[i].qid,
					(long long)lines[i - 1].line);
			goto fail;
		}
		if (i == 0 || strcmp(lines[i].qid, lines[i - 1].qid) != 0) {
			q->queries[q->n_queries].qid = lines[i].qid;
			q->queries[q->n_queries].start = i;
			q->queries[q->n_queries].count = 0;
			q->n_queries++;
		}
		q->queries[q->n_queries - 1].count++;
		q->judgements[i].docno = lines[i].docno;
		q->judgements[i].rel = lines[i].rel;
	}
	q->n_judgements = n;
	ce_free(lines);
	return q;
nomem:
	ce_err_set(err, CE_E_NOMEM, "%s: out of memory", s->name);
fail:
	line_src_close(s);
	ce_free(lines);
	qrels_free(q);
	return NULL;
}

struct qrels *qrels_load(const char *path, enum score_qrels_format fmt, struct ce_err *err)
{
	struct line_src s = {.name = path, .path = path};
	return qrels_parse_src(&s, fmt, err);
}

struct qrels *qrels_parse_mem(const char *name, const char *data, size_t len, enum score_qrels_format fmt,
			      struct ce_err *err)
{
	struct line_src s = {.name = name ? name : "<qrels>", .buf = data, .len = len};
	return qrels_parse_src(&s, fmt, err);
}

size_t qrels_n_queries(const struct qrels *q)
{
	return q->n_queries;
}

const char *qrels_query_id(const struct qrels *q, size_t i)
{
	return q->queries[i].qid;
}

size_t qrels_judgements(const struct qrels *q, size_t i, const struct rl_judgement **out)
{
	*out = q->judgements + q->queries[i].start;
	return q->queries[i].count;
}

int64_t qrels_find(const struct qrels *q, const char *qid)
{
	size_t lo = 0, hi = q->n_queries;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(q->queries[mid].qid, qid);
		if (c == 0)
			return (int64_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

enum score_qrels_format qrels_format(const struct qrels *q)
{
	return q->format;
}

/* ================================================================ string set */

/* Open-addressing set of query ids seen in the run (grouping check). */
struct strset {
	const char **slot;
	size_t cap, n;
	struct strpool pool;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void strset_free(struct strset *set)
{
	ce_free(set->slot);
	strpool_free(&set->pool);
	memset(set, 0, sizeof *set);
}

/* Insert s; *was_there = 1 if it already was.  Returns the stored copy or NULL (no memory). */
static const char *strset_add(struct strset *set, const char *s, int *was_there)
{
	if ((set->n + 1) * 2 > set->cap) {
		size_t nc = set->cap ? set->cap * 2 : 1024;
		const char **ns = ce_calloc(nc, sizeof *ns);
		if (!ns)
			return NULL;
		for (size_t i = 0; i < set->cap; i++) {
			if (!set->slot[i])
				continue;
			size_t j = hash_str(set->slot[i]) & (nc - 1);
			while (ns[j])
				j = (j + 1) & (nc - 1);
			ns[j] = set->slot[i];
		}
		ce_free(set->slot);
		set->slot = ns;
		set->cap = nc;
	}
	size_t j = hash_str(s) & (set->cap - 1);
	while (set->slot[j]) {
		if (strcmp(set->slot[j], s) == 0) {
			*was_there = 1;
			return set->slot[j];
		}
		j = (j + 1) & (set->cap - 1);
	}
	const char *c = strpool_add(&set->pool, s, strlen(s));
	if (!c)
		return NULL;
	set->slot[j] = c;
	set->n++;
	*was_there = 0;
	return c;
}

/* ================================================================ evaluation */

struct run_entry {
	const char *qid; /* only used when the whole run is loaded */
	const char *docno;
	double score;
	int64_t line;
};

struct qresult {
	const char *qid; /* in the string set's pool, or the qrels' */
	size_t vals;     /* offset of this query's values in ctx.values */
};

struct score_ctx {
	const struct score_options *opt;
	const char *run_name;
	struct qrels *qrels;
	struct rank_meas_inst *meas;
	size_t n_meas;
	struct ranked_list rl;
	struct rl_entry *rl_in;
	size_t cap_rl_in;
	struct qresult *res;
	size_t n_res, cap_res;
	double *values;
	size_t cap_values;
	uint8_t *done; /* [qrels queries] evaluated already */
	struct strset seen; /* run query ids; owns the qid strings of res[] */
};

static int cmp_entry_docno(const void *a, const void *b)
{
	const struct run_entry *x = a, *y = b;
	int c = strcmp(x->docno, y->docno);
	if (c)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

static int cmp_entry_line(const void *a, const void *b)
{
	const struct run_entry *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

/* Evaluate one query (qid stored by the caller for the report's lifetime). */
static enum ce_status eval_query(struct score_ctx *c, const char *qid, int64_t qi, struct run_entry *e, size_t n,
				 struct ce_err *err)
{
	const struct rl_judgement *j = NULL;
	size_t nj = qrels_judgements(c->qrels, (size_t)qi, &j);

	/* Duplicate docnos: report both lines (ranked_list_build would only name the doc). */
	if (n > 1) {
		qsort(e, n, sizeof *e, cmp_entry_docno);
		for (size_t i = 1; i < n; i++)
			if (strcmp(e[i].docno, e[i - 1].docno) == 0)
				return ce_err_set(err, CE_E_FORMAT,
						  "%s:%lld: duplicate docno '%s' for query '%s' (first at line %lld); trec_eval refuses duplicate docs",
						  c->run_name, (long long)e[i].line, e[i].docno, qid, (long long)e[i - 1].line);
	}
	if (n > c->cap_rl_in) {
		struct rl_entry *p = ce_realloc_array(c->rl_in, n, sizeof *p);
		if (!p)
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		c->rl_in = p;
		c->cap_rl_in = n;
	}
	/* Equal scores keep file order under RL_TIE_INPUT_ORDER: undo the docno sort. */
	if (c->opt->tie == RL_TIE_INPUT_ORDER && n > 1)
		qsort(e, n, sizeof *e, cmp_entry_line);
	for (size_t i = 0; i < n; i++) {
		c->rl_in[i].docno = e[i].docno;
		c->rl_in[i].score = e[i].score;
	}
	CE_TRY(ranked_list_build(&c->rl, c->rl_in, n, j, nj, c->opt->tie, err));

	if (c->n_res == c->cap_res) {
		size_t nc = c->cap_res ? c->cap_res * 2 : 256;
		struct qresult *p = ce_realloc_array(c->res, nc, sizeof *p);
		double *v = ce_realloc_array(c->values, nc * (c->n_meas ? c->n_meas : 1), sizeof *v);
		if (p)
			c->res = p;
		if (v)
			c->values = v;
		if (!p || !v)
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		c->cap_res = nc;
	}
	struct qresult *r = &c->res[c->n_res++];
	r->qid = qid;
	r->vals = (c->n_res - 1) * c->n_meas;
	for (size_t m = 0; m < c->n_meas; m++)
		c->values[r->vals + m] = c->meas[m].m->fn(&c->rl, c->meas[m].k);
	c->done[qi] = 1;
	return CE_OK;
}

static int cmp_entry_qid_line(const void *a, const void *b)
{
	const struct run_entry *x = a, *y = b;
	int c = strcmp(x->qid, y->qid);
	if (c)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}


/*
 * Read the run.  Streaming pass (whole == 0): one query at a time; returns
 * CE_OK with *ungrouped = 1 if a query id reappears after another query, so
 * the caller restarts with whole = 1, which loads all lines and groups them.
 */
static enum ce_status read_run(struct score_ctx *c, struct line_src *s, int whole, int *ungrouped,
			       struct ce_err *err)
{
	struct strset *seen = &c->seen; /* its pool keeps the qids of the results */
	struct strpool qpool = {0}; /* docnos of the current query (all of them when whole) */
	struct run_entry *e = NULL;
	size_t n = 0, cap = 0;
	const char *cur = NULL; /* current query id (in seen's pool) */
	enum ce_status st;
	*ungrouped = 0;

	if ((st = line_src_open(s, err)) != CE_OK)
		return st;
	for (;;) {
		const char *l;
		size_t len;
		int eof;
		if ((st = line_src_next(s, &l, &len, &eof, err)) != CE_OK)
			goto out;
		if (!eof && skip_line(l, len))
			continue;
		struct span f[6];
		const char *qid = NULL;
		if (!eof) {
			size_t nf = split_ws(l, len, f, 6);
			if (nf < 6) {
				st = ce_err_set(err, CE_E_FORMAT,
						"%s:%lld: expected 6 fields (qid Q0 docno rank score tag), found %zu",
						s->name, (long long)s->lineno, nf);
				goto out;
			}
			if ((st = check_id(s, f[0], "query id", err)) != CE_OK ||
			    (st = check_id(s, f[2], "docno", err)) != CE_OK)
				goto out;
			double score = 0.0;
			if ((st = parse_score(s, f[4], &score, err)) != CE_OK)
				goto out;
			/* query id switch (string compare against the current id) */
			if (!cur || f[0].n != strlen(cur) || memcmp(f[0].p, cur, f[0].n) != 0) {
				char *tmp = strpool_add(&qpool, f[0].p, f[0].n);
				int was = 0;
				if (!tmp || !(qid = strset_add(seen, tmp, &was)))
					goto nomem;
				if (was && !whole) {
					*ungrouped = 1;
					goto out;
				}
				if (!whole && cur) {
					/* finish the previous query */
					int64_t qi = qrels_find(c->qrels, cur);
					if (qi >= 0 && (st = eval_query(c, cur, qi, e, n, err)) != CE_OK)
						goto out;
					n = 0;
					strpool_reset(&qpool);
				}
				cur = qid;
			}
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 1024;
				struct run_entry *p = ce_realloc_array(e, nc, sizeof *p);
				if (!p)
					goto nomem;
				e = p;
				cap = nc;
			}
			e[n].qid = cur;
			e[n].docno = strpool_add(&qpool, f[2].p, f[2].n);
			if (!e[n].docno)
				goto nomem;
			e[n].score = score;
			e[n].line = s->lineno;
			n++;
			continue;
		}
		/* end of file */
		if (!whole) {
			if (cur) {
				int64_t qi = qrels_find(c->qrels, cur);
				if (qi >= 0)
					st = eval_query(c, cur, qi, e, n, err);
			}
		} else {
			if (n > 1)
				qsort(e, n, sizeof *e, cmp_entry_qid_line);
			for (size_t i = 0; i < n && st == CE_OK;) {
				size_t k = i + 1;
				while (k < n && e[k].qid == e[i].qid) /* same pooled pointer = same id */
					k++;
				int64_t qi = qrels_find(c->qrels, e[i].qid);
				if (qi >= 0)
					st = eval_query(c, e[i].qid, qi, e + i, k - i, err);
				i = k;
			}
		}
		break;
	}
out:
	line_src_close(s);
	strpool_free(&qpool);
	ce_free(e);
	return st;
nomem:
	st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", s->name);
	goto out;
}

/* ================================================================ reports */

static int cmp_result_qid(const void *a, const void *b)
{
	return strcmp(((const struct qresult *)a)->qid, ((const struct qresult *)b)->qid);
}

static void print_trec_value(FILE *out, const struct rank_meas_inst *mi, const char *qid, double v)
{
	/* trec_eval meas_print_single.c / meas_print_final.c formats */
	if (mi->m->is_count)
		fprintf(out, "%-22s\t%s\t%ld\n", mi->name, qid, (long)v);
	else
		fprintf(out, "%-22s\t%s\t%6.4f\n", mi->name, qid, v);
}

static json_t *json_value(const struct rank_meas_inst *mi, double v)
{
	return mi->m->is_count ? json_integer((json_int_t)v) : json_real(v);
}

static enum ce_status write_json(const struct score_ctx *c, const double *all, FILE *out, struct ce_err *err)
{
	json_t *root = json_object(), *js_all = json_object(), *pq = NULL;
	int bad = !root || !js_all;
	if (!bad)
		bad |= json_object_set_new(root, "num_q", json_integer((json_int_t)c->n_res));
	for (size_t m = 0; m < c->n_meas && !bad; m++)
		bad |= json_object_set_new(js_all, c->meas[m].name, json_value(&c->meas[m], all[m]));
	if (!bad) {
		bad |= json_object_set_new(root, "all", js_all);
		js_all = NULL;
	}
	if (!bad && c->opt->per_query) {
		pq = json_object();
		bad |= !pq;
		for (size_t i = 0; i < c->n_res && !bad; i++) {
			json_t *q = json_object();
			bad |= !q;
			for (size_t m = 0; m < c->n_meas && !bad; m++)
				if (strcmp(c->meas[m].m->name, "num_q") != 0)
					bad |= json_object_set_new(q, c->meas[m].name,
								   json_value(&c->meas[m], c->values[c->res[i].vals + m]));
			if (!bad)
				bad |= json_object_set_new(pq, c->res[i].qid, q);
			else
				json_decref(q);
		}
		if (!bad) {
			bad |= json_object_set_new(root, "per_query", pq);
			pq = NULL;
		}
	}
	if (!bad)
		bad |= json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0;
	if (!bad)
		fputc('\n', out);
	json_decref(js_all);
	json_decref(pq);
	json_decref(root);
	return bad ? ce_err_set(err, CE_E_NOMEM, "score: cannot build the JSON report") : CE_OK;
}

static void write_table_cell(FILE *out, const struct rank_meas_inst *mi, double v, int width)
{
	if (mi->m->is_count)
		fprintf(out, "  %*ld", width, (long)v);
	else
		fprintf(out, "  %*.4f", width, v);
}

static void write_table(const struct score_ctx *c, const double *all, FILE *out)
{
	if (!c->opt->per_query) {
		int w = 7;
		for (size_t m = 0; m < c->n_meas; m++)
			if ((int)strlen(c->meas[m].name) > w)
				w = (int)strlen(c->meas[m].name);
		fprintf(out, "%-*s  %10s\n", w, "measure", "all");
		for (size_t m = 0; m < c->n_meas; m++) {
			fprintf(out, "%-*s", w, c->meas[m].name);
			write_table_cell(out, &c->meas[m], all[m], 10);
			fputc('\n', out);
		}
		return;
	}
	int wq = 3;
	for (size_t i = 0; i < c->n_res; i++)
		if ((int)strlen(c->res[i].qid) > wq)
			wq = (int)strlen(c->res[i].qid);
	fprintf(out, "%-*s", wq, "qid");
	for (size_t m = 0; m < c->n_meas; m++)
		fprintf(out, "  %10s", c->meas[m].name);
	fputc('\n', out);
	for (size_t i = 0; i < c->n_res; i++) {
		fprintf(out, "%-*s", wq, c->res[i].qid);
		for (size_t m = 0; m < c->n_meas; m++)
			write_table_cell(out, &c->meas[m], c->values[c->res[i].vals + m], 10);
		fputc('\n', out);
	}
	fprintf(out, "%-*s", wq, "all");
	for (size_t m = 0; m < c->n_meas; m++)
		write_table_cell(out, &c->meas[m], all[m], 10);
	fputc('\n', out);
}

/* ================================================================ driver */

void score_options_init(struct score_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->qrels_format = SCORE_QRELS_AUTO;
	opt->output = SCORE_OUTPUT_TREC;
	opt->tie = RL_TIE_DOCNO_DESC;
}

static enum ce_status score_core(const struct score_options *opt, struct line_src *qs, struct line_src *rs,
				 FILE *out, struct ce_err *err)
{
	struct score_ctx c = {.opt = opt, .run_name = rs->name};
	double *all = NULL;
	enum ce_status st;
	ranked_list_init(&c.rl);

	st = rank_measures_parse(opt->measures ? opt->measures : SCORE_DEFAULT_MEASURES, &c.meas, &c.n_meas, err);
	if (st != CE_OK)
		goto out;
	c.qrels = qrels_parse_src(qs, opt->qrels_format, err);
	if (!c.qrels) {
		st = err ? err->code : CE_E_FORMAT;
		goto out;
	}
	c.done = ce_calloc(c.qrels->n_queries ? c.qrels->n_queries : 1, 1);
	all = ce_calloc(c.n_meas ? c.n_meas : 1, sizeof *all);
	if (!c.done || !all) {
		st = ce_err_set(err, CE_E_NOMEM, "score: out of memory");
		goto out;
	}
	int ungrouped;
	if ((st = read_run(&c, rs, 0, &ungrouped, err)) != CE_OK)
		goto out;
	if (ungrouped) {
		/* lines of a query are not contiguous: start over holding the whole run */
		c.n_res = 0;
		memset(c.done, 0, c.qrels->n_queries ? c.qrels->n_queries : 1);
		strset_free(&c.seen);
		if ((st = read_run(&c, rs, 1, &ungrouped, err)) != CE_OK)
			goto out;
	}
	if (opt->complete) {
		/* trec_eval -c: qrels queries absent from the run count as empty rankings */
		for (size_t i = 0; i < c.qrels->n_queries; i++)
			if (!c.done[i] &&
			    (st = eval_query(&c, c.qrels->queries[i].qid, (int64_t)i, NULL, 0, err)) != CE_OK)
				goto out;
	}
	if (c.n_res == 0) {
		st = ce_err_set(err, CE_E_MISMATCH, "%s: no query has both results and judgements in %s", rs->name,
				qs->name);
		goto out;
	}
	/* trec_eval accumulates in qrels order (strcmp of qid) */
	qsort(c.res, c.n_res, sizeof *c.res, cmp_result_qid);
	for (size_t m = 0; m < c.n_meas; m++) {
		double sum = 0.0;
		for (size_t i = 0; i < c.n_res; i++)
			sum += c.values[c.res[i].vals + m];
		all[m] = c.meas[m].m->agg == RANK_AGG_SUM ? sum : sum / (double)c.n_res;
	}

	switch (opt->output) {
	case SCORE_OUTPUT_JSON:
		st = write_json(&c, all, out, err);
		break;
	case SCORE_OUTPUT_TABLE:
		write_table(&c, all, out);
		break;
	case SCORE_OUTPUT_TREC:
	default:
		if (opt->per_query)
			for (size_t i = 0; i < c.n_res; i++)
				for (size_t m = 0; m < c.n_meas; m++)
					if (strcmp(c.meas[m].m->name, "num_q") != 0)
						print_trec_value(out, &c.meas[m], c.res[i].qid,
								 c.values[c.res[i].vals + m]);
		for (size_t m = 0; m < c.n_meas; m++)
			print_trec_value(out, &c.meas[m], "all", all[m]);
		break;
	}
out:
	ranked_list_deinit(&c.rl);
	ce_free(c.rl_in);
	ce_free(c.res);
	ce_free(c.values);
	ce_free(c.done);
	ce_free(c.meas);
	ce_free(all);
	strset_free(&c.seen);
	qrels_free(c.qrels);
	return st;
}

enum ce_status score_run(const struct score_options *opt, FILE *out, struct ce_err *err)
{
	CE_CHECK(opt->qrels_path && opt->run_path, err, CE_E_INVALID_ARG, "score: --qrels and --run are required");
	struct line_src qs = {.name = opt->qrels_path, .path = opt->qrels_path};
	struct line_src rs = {.name = opt->run_path, .path = opt->run_path};
	return score_core(opt, &qs, &rs, out, err);
}

enum ce_status score_run_mem(const struct score_options *opt, const char *qrels_data, size_t qrels_len,
			     const char *run_data, size_t run_len, FILE *out, struct ce_err *err)
{
	struct line_src qs = {.name = opt->qrels_path ? opt->qrels_path : "<qrels>", .buf = qrels_data,
			      .len = qrels_len};
	struct line_src rs = {.name = opt->run_path ? opt->run_path : "<run>", .buf = run_data, .len = run_len};
	return score_core(opt, &qs, &rs, out, err);
}
