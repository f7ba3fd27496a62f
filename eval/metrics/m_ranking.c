/*
 * m_ranking.c - trec_eval ranking measures over a struct ranked_list, the
 * measure registry, the -m style measure-list parser and Python round(x, 5).
 *
 * Each measure re-derives the arithmetic of the trec_eval file named in its
 * comment, in the same operation order, so values agree to the last bit.
 */
#include "ranked_list.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"

/* relevance_level (trec_eval -l, pytrec_eval default) */
#define REL_LEVEL 1

/* Number of ranks examined for cutoff k: all of them when k <= 0. */
static int64_t ranks_upto(const struct ranked_list *rl, int64_t k)
{
	return (k <= 0 || k > rl->n_ret) ? rl->n_ret : k;
}

/* ---------------------------------------------------------------- measures */

/*
 * m_ndcg.c / m_ndcg_cut.c: DCG = sum over ranks i (0-based) with gain > 0 of
 * gain / log2(i + 2), gain = the qrels value; IDCG the same over the ideal
 * vector cut at k (it runs to k even when fewer than k docs were retrieved);
 * 0 when IDCG is 0.
 */
double rank_ndcg(const struct ranked_list *rl, int64_t k)
{
	int64_t n = ranks_upto(rl, k);
	double dcg = 0.0;
	for (int64_t i = 0; i < n; i++) {
		double gain = rl->rels[i];
		if (gain > 0)
			dcg += gain / log2((double)(i + 2));
	}
	int64_t ni = (k <= 0 || k > rl->n_ideal) ? rl->n_ideal : k;
	double idcg = 0.0;
	for (int64_t i = 0; i < ni; i++)
		idcg += (double)rl->ideal[i] / log2((double)(i + 2));
	return idcg > 0.0 ? dcg / idcg : 0.0;
}

/*
 * m_map.c / m_map_cut.c: sum over relevant ranks i <= k of
 * (relevant so far)/(rank), divided by R (not min(R, k)); 0 when R = 0.
 */
double rank_map(const struct ranked_list *rl, int64_t k)
{
	int64_t n = ranks_upto(rl, k);
	int64_t so_far = 0;
	double sum = 0.0;
	for (int64_t i = 0; i < n; i++) {
		if (rl->rels[i] >= REL_LEVEL) {
			so_far++;
			sum += (double)so_far / (double)(i + 1);
		}
	}
	return rl->n_rel ? sum / (double)rl->n_rel : 0.0;
}

/* m_P.c: relevant in the top k divided by k, even when fewer were retrieved. */
double rank_precision(const struct ranked_list *rl, int64_t k)
{
	if (k <= 0)
		k = rl->n_ret;
	if (k <= 0)
		return 0.0;
	int64_t n = ranks_upto(rl, k), so_far = 0;
	for (int64_t i = 0; i < n; i++)
		so_far += rl->rels[i] >= REL_LEVEL;
	return (double)so_far / (double)k;
}

/* m_recall.c: relevant in the top k divided by R; 0 when R = 0. */
double rank_recall(const struct ranked_list *rl, int64_t k)
{
	int64_t n = ranks_upto(rl, k), so_far = 0;
	for (int64_t i = 0; i < n; i++)
		so_far += rl->rels[i] >= REL_LEVEL;
	return rl->n_rel ? (double)so_far / (double)rl->n_rel : 0.0;
}

/*
 * m_recip_rank.c: 1/rank of the first relevant doc, 0 if none.  With a
 * cutoff it is MTEB's mrr_at_k for one query (first relevant within top k).
 */
double rank_recip_rank(const struct ranked_list *rl, int64_t k)
{
	int64_t n = ranks_upto(rl, k);
	for (int64_t i = 0; i < n; i++)
		if (rl->rels[i] >= REL_LEVEL)
			return 1.0 / (double)(i + 1);
	return 0.0;
}

/* m_success.c: 1 if any relevant doc in the top k, else 0. */
double rank_success(const struct ranked_list *rl, int64_t k)
{
	int64_t n = ranks_upto(rl, k);
	for (int64_t i = 0; i < n; i++)
		if (rl->rels[i] >= REL_LEVEL)
			return 1.0;
	return 0.0;
}

static double meas_num_ret(const struct ranked_list *rl, int64_t k)
{
	(void)k;
	return (double)rl->n_ret;
}

static double meas_num_rel(const struct ranked_list *rl, int64_t k)
{
	(void)k;
	return (double)rl->n_rel;
}

static double meas_num_rel_ret(const struct ranked_list *rl, int64_t k)
{
	(void)k;
	return (double)rl->n_rel_ret;
}

/* num_q: each evaluated query contributes 1; the summary sums them. */
static double meas_num_q(const struct ranked_list *rl, int64_t k)
{
	(void)rl;
	(void)k;
	return 1.0;
}

static double meas_ndcg_full(const struct ranked_list *rl, int64_t k)
{
	(void)k;
	return rank_ndcg(rl, 0);
}

static double meas_map_full(const struct ranked_list *rl, int64_t k)
{
	(void)k;
	return rank_map(rl, 0);
}

static double meas_recip_rank_full(const struct ranked_list *rl, int64_t k)
{
	(void)k;
	return rank_recip_rank(rl, 0);
}

/* ---------------------------------------------------------------- registry */

/* trec_eval's default cutoffs (m_P.c, m_recall.c, m_ndcg_cut.c, m_map_cut.c, m_success.c). */
static const int64_t cut_default[] = {5, 10, 15, 20, 30, 100, 200, 500, 1000};
static const int64_t cut_success[] = {1, 5, 10};
/* MTEB's retrieval k list (R2/R3) for mrr_at_k. */
static const int64_t cut_mteb[] = {1, 3, 5, 10, 20, 100, 1000};

#define NCUT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The registry.  Order matters for `ceval run` only: Retrieval writes the
 * entries that have a result key in this order, which is the key order of
 * MTEB's results (ndcg, map, recall, precision, mrr); `ceval score` prints
 * measures in the order they are asked for.  A new measure is one line here
 * (append it; give it a result key to have Retrieval report it too).
 */
const struct rank_measure rank_measures[] = {
	{"num_q", "Number of queries evaluated (summary only).", 0, NULL, 0, 1, RANK_AGG_SUM, meas_num_q, NULL,
	 RL_TIE_DOCNO_DESC},
	{"num_ret", "Number of documents retrieved (summary: sum over queries).", 0, NULL, 0, 1, RANK_AGG_SUM,
	 meas_num_ret, NULL, RL_TIE_DOCNO_DESC},
	{"num_rel", "Number of relevant documents (qrels value >= 1) (summary: sum).", 0, NULL, 0, 1,
	 RANK_AGG_SUM, meas_num_rel, NULL, RL_TIE_DOCNO_DESC},
	{"num_rel_ret", "Number of relevant documents retrieved (summary: sum).", 0, NULL, 0, 1, RANK_AGG_SUM,
	 meas_num_rel_ret, NULL, RL_TIE_DOCNO_DESC},
	{"ndcg", "nDCG over the whole ranking, linear gain = qrels value (trec_eval m_ndcg.c).", 0, NULL, 0, 0,
	 RANK_AGG_MEAN, meas_ndcg_full, NULL, RL_TIE_DOCNO_DESC},
	{"ndcg_cut", "nDCG at cutoff k, linear gain = qrels value (trec_eval m_ndcg_cut.c).", 1, cut_default,
	 NCUT(cut_default), 0, RANK_AGG_MEAN, rank_ndcg, "ndcg_at", RL_TIE_DOCNO_DESC},
	{"map", "Mean average precision over the whole ranking (trec_eval m_map.c).", 0, NULL, 0, 0,
	 RANK_AGG_MEAN, meas_map_full, NULL, RL_TIE_DOCNO_DESC},
	{"map_cut", "Average precision over the top k, divided by R (trec_eval m_map_cut.c).", 1, cut_default,
	 NCUT(cut_default), 0, RANK_AGG_MEAN, rank_map, "map_at", RL_TIE_DOCNO_DESC},
	{"recall", "Recall at k: relevant in top k / R (trec_eval m_recall.c).", 1, cut_default,
	 NCUT(cut_default), 0, RANK_AGG_MEAN, rank_recall, "recall_at", RL_TIE_DOCNO_DESC},
	{"P", "Precision at k: relevant in top k / k (trec_eval m_P.c).", 1, cut_default, NCUT(cut_default), 0,
	 RANK_AGG_MEAN, rank_precision, "precision_at", RL_TIE_DOCNO_DESC},
	{"recip_rank", "Reciprocal rank of the first relevant document (trec_eval m_recip_rank.c).", 0, NULL, 0,
	 0, RANK_AGG_MEAN, meas_recip_rank_full, NULL, RL_TIE_DOCNO_DESC},
	{"success", "1 if a relevant document is in the top k (trec_eval m_success.c).", 1, cut_success,
	 NCUT(cut_success), 0, RANK_AGG_MEAN, rank_success, NULL, RL_TIE_DOCNO_DESC},
	/* BEIR's MRR (R1): ranked by score only, equal scores in the given order */
	{"mrr_cut", "MTEB mrr_at_k: 1/rank of the first relevant document within the top k, else 0.", 1,
	 cut_mteb, NCUT(cut_mteb), 0, RANK_AGG_MEAN, rank_recip_rank, "mrr_at", RL_TIE_INPUT_ORDER},
};
const size_t rank_measures_count = NCUT(rank_measures);

const struct rank_measure *rank_measure_find(const char *name)
{
	for (size_t i = 0; i < rank_measures_count; i++)
		if (strcmp(rank_measures[i].name, name) == 0)
			return &rank_measures[i];
	return NULL;
}

int rank_measure_result_key(const struct rank_measure *m, int64_t k, char *buf, size_t size)
{
	int n = -1;
	if (m->result_key && m->has_cutoffs)
		n = snprintf(buf, size, "%s_%lld", m->result_key, (long long)k);
	else if (m->result_key)
		n = snprintf(buf, size, "%s", m->result_key);
	if (n < 0 || (size_t)n >= size) {
		if (size)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- parsing */

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int cmp_inst(const void *a, const void *b)
{
	const struct rank_meas_inst *x = a, *y = b;
	return (x->k > y->k) - (x->k < y->k);
}

static enum ce_status push_inst(struct rank_meas_inst **arr, size_t *n, size_t *cap,
				const struct rank_measure *m, int64_t k)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct rank_meas_inst *p = ce_realloc_array(*arr, nc, sizeof *p);
		if (!p)
			return CE_E_NOMEM;
		*arr = p;
		*cap = nc;
	}
	struct rank_meas_inst *it = &(*arr)[(*n)++];
	it->m = m;
	it->k = k;
	if (m->has_cutoffs)
		snprintf(it->name, sizeof it->name, "%s_%lld", m->name, (long long)k);
	else
		snprintf(it->name, sizeof it->name, "%s", m->name);
	return CE_OK;
}

/* Sort the cutoffs of the group [start, n) ascending and drop repeats. */
static void finish_group(struct rank_meas_inst *arr, size_t start, size_t *n)
{
	size_t len = *n - start;
	if (len < 2)
		return;
	qsort(arr + start, len, sizeof *arr, cmp_inst);
	size_t w = start + 1;
	for (size_t r = start + 1; r < *n; r++)
		if (arr[r].k != arr[w - 1].k)
			arr[w++] = arr[r];
	*n = w;
}

static enum ce_status parse_cutoff(const char *tok, size_t len, int64_t *k, struct ce_err *err)
{
	char buf[32];
	if (!all_digits(tok, len) || len >= sizeof buf)
		return ce_err_set(err, CE_E_INVALID_ARG, "measure cutoff '%.*s' is not a positive integer",
				  (int)len, tok);
	memcpy(buf, tok, len);
	buf[len] = '\0';
	errno = 0;
	long long v = strtoll(buf, NULL, 10);
	if (errno || v <= 0 || v > 1000000000LL)
		return ce_err_set(err, CE_E_INVALID_ARG, "measure cutoff '%s' is out of range (1..1e9)", buf);
	*k = v;
	return CE_OK;
}

enum ce_status rank_measures_parse(const char *spec, struct rank_meas_inst **out, size_t *n_out,
				   struct ce_err *err)
{
	struct rank_meas_inst *arr = NULL;
	size_t n = 0, cap = 0, group = 0;
	const struct rank_measure *cur = NULL; /* cutoff measure taking more cutoffs */
	enum ce_status st = CE_OK;
	const char *p = spec;

	*out = NULL;
	*n_out = 0;
	while (st == CE_OK) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0) {
			st = ce_err_set(err, CE_E_INVALID_ARG, "empty measure name in '%s'", spec);
			break;
		}
		if (cur && all_digits(p, len)) {
			int64_t k;
			st = parse_cutoff(p, len, &k, err);
			if (st == CE_OK && push_inst(&arr, &n, &cap, cur, k) != CE_OK)
				st = ce_err_set(err, CE_E_NOMEM, "out of memory");
		} else {
			finish_group(arr, group, &n);
			group = n;
			cur = NULL;
			const char *dot = memchr(p, '.', len);
			size_t nlen = dot ? (size_t)(dot - p) : len;
			char name[RANK_MEAS_NAME_MAX];
			if (nlen >= sizeof name) {
				st = ce_err_set(err, CE_E_INVALID_ARG, "unknown measure '%.*s'", (int)len, p);
				break;
			}
			memcpy(name, p, nlen);
			name[nlen] = '\0';
			const struct rank_measure *m = rank_measure_find(name);
			if (!m) {
				st = ce_err_set(err, CE_E_INVALID_ARG, "unknown measure '%s'", name);
				break;
			}
			if (!m->has_cutoffs) {
				if (dot) {
					st = ce_err_set(err, CE_E_INVALID_ARG, "measure '%s' takes no cutoff", name);
					break;
				}
				if (push_inst(&arr, &n, &cap, m, 0) != CE_OK)
					st = ce_err_set(err, CE_E_NOMEM, "out of memory");
			} else if (dot) {
				int64_t k;
				st = parse_cutoff(dot + 1, len - nlen - 1, &k, err);
				if (st == CE_OK && push_inst(&arr, &n, &cap, m, k) != CE_OK)
					st = ce_err_set(err, CE_E_NOMEM, "out of memory");
				cur = m;
			} else {
				for (size_t i = 0; i < m->n_default_cutoffs && st == CE_OK; i++)
					if (push_inst(&arr, &n, &cap, m, m->default_cutoffs[i]) != CE_OK)
						st = ce_err_set(err, CE_E_NOMEM, "out of memory");
			}
		}
		if (!end)
			break;
		p = end + 1;
	}
	if (st != CE_OK) {
		ce_free(arr);
		return st;
	}
	finish_group(arr, group, &n);
	/* a measure named twice ("map,map", "P.5,P.5,10") is reported once */
	size_t w = 0;
	for (size_t r = 0; r < n; r++) {
		size_t i = 0;
		while (i < w && strcmp(arr[i].name, arr[r].name) != 0)
			i++;
		if (i == w)
			arr[w++] = arr[r];
	}
	n = w;
	*out = arr;
	*n_out = n;
	return CE_OK;
}

/* ---------------------------------------------------------------- rounding */

double rank_round5(double x)
{
	if (!isfinite(x))
		return x;
	/* glibc printf converts the exact binary value and rounds half-to-even,
	 * which is what CPython's round() does through its correctly rounded
	 * dtoa; strtod then returns the nearest double, as float(str) would. */
	char buf[400];
	snprintf(buf, sizeof buf, "%.5f", x);
	return strtod(buf, NULL);
}
