/*
 * ev_retrieval.c - Retrieval (spec evaluation.md §2, R1 semantics).
 *
 * Every query (with the model's query instruction) is searched exactly over
 * the whole corpus: dot products of L2-normalised embeddings (= cosine) by
 * blocked sgemm, top max(k) per query with trec_eval's tie order, documents
 * whose id equals the query id removed before the cut when the task says so
 * (BEIR's self-skip).  Metrics as pytrec_eval computes them (nDCG@k with
 * graded gains, MAP@k, recall@k, P@k), averaged over the queries that have
 * qrels and rounded to 5 decimals (BEIR / mteb 1.x); MRR@k as BEIR's
 * custom metric: ties in input order, divided by the number of qrels queries.
 * The measures and their keys are the rank_measures[] entries that have a
 * result key (eval/metrics/m_ranking.c), in registry order.
 *
 * At level R3 (mteb 2.x, ctx->compat): queries without qrels are not
 * searched; the k list is 1,3,5,10,20,100,1000 when the task has R1's; a doc
 * whose id equals the query id is removed at scoring time when
 * ignore_identical_ids_r3 is set (after the top-k cut, as mteb does); MRR
 * orders ties by doc id descending (trec_eval's rule) and is a plain mean,
 * not rounded.
 *
 * Queries are processed in slices so the hit buffer stays bounded.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "evaluator.h"
#include "knn.h"
#include "ranked_list.h"

#define QUERY_SLICE 1024

/* R1's k list and R3's (spec §2.4) */
static const int32_t k_r1[] = {1, 3, 5, 10, 100, 1000};
static const int32_t k_r3[] = {1, 3, 5, 10, 20, 100, 1000};

/* 1 if m is the MRR entry (BEIR / mteb custom metric, not trec_eval's) */
static int is_mrr(const struct rank_measure *m)
{
	return m->result_key && strcmp(m->result_key, "mrr_at") == 0;
}

static int32_t l2_normalise_check(const float *v, int64_t n, int32_t dim)
{
	/* 1 if every row has unit length (within float32 noise) */
	for (int64_t i = 0; i < n; i++) {
		double s = 0;
		for (int32_t j = 0; j < dim; j++)
			s += (double)v[(size_t)i * (size_t)dim + (size_t)j] * v[(size_t)i * (size_t)dim + (size_t)j];
		if (fabs(s - 1.0) > 1e-3)
			return 0;
	}
	return 1;
}

enum ce_status ev_retrieval(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
			    struct ce_err *err)
{
	const struct task *t = ctx->task;
	const struct ds_retrieval *d = &ds->retrieval;
	int32_t dim = ctx->emb->dim;
	int64_t nq = d->query_ids.n, nd = d->corpus_ids.n;
	int r3 = ctx->compat == CE_COMPAT_R3;
	const int32_t *kv_list = t->k_values;
	int32_t nk = t->n_k_values;
	if (r3 && nk == (int32_t)(sizeof k_r1 / sizeof k_r1[0]) && memcmp(t->k_values, k_r1, sizeof k_r1) == 0) {
		kv_list = k_r3;
		nk = (int32_t)(sizeof k_r3 / sizeof k_r3[0]);
	}
	int64_t kmax = kv_list[nk - 1];
	/* a k_values mistake is said before anything is encoded */
	enum ce_status st = task_check_k_values(t, nd, err);
	if (st != CE_OK)
		return st;

	const char **qtexts = strtab_pointers(&d->query_texts), **ctexts = strtab_pointers(&d->corpus_texts);
	const char **qids = strtab_pointers(&d->query_ids), **cids = strtab_pointers(&d->corpus_ids);
	int64_t *qr_start = ce_calloc((size_t)nq + 1, sizeof *qr_start);
	struct rl_judgement *qr = ce_malloc_array((size_t)(d->n_qrels ? d->n_qrels : 1), sizeof *qr);
	int64_t *fill = ce_calloc((size_t)nq + 1, sizeof *fill);
	struct knn_hit *hits = ce_malloc_array((size_t)QUERY_SLICE * (size_t)kmax, sizeof *hits);
	int64_t *n_hits = ce_malloc_array(QUERY_SLICE, sizeof *n_hits);
	struct rl_entry *run = ce_malloc_array((size_t)kmax, sizeof *run);
	/* per registry entry with a result key: one sum per k value (one slot for a measure without cutoffs) */
	double *sums = ce_calloc(rank_measures_count * (size_t)nk, sizeof *sums);
	float *qvec = NULL, *cvec = NULL;
	struct ranked_list rl;
	ranked_list_init(&rl);
	if (!qtexts || !ctexts || !qids || !cids || !qr_start || !qr || !fill || !hits || !n_hits || !run || !sums) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	/* qrels grouped by query (counting sort, file order kept inside a query) */
	for (int64_t i = 0; i < d->n_qrels; i++)
		qr_start[d->qrel_query[i] + 1]++;
	for (int64_t q = 0; q < nq; q++)
		qr_start[q + 1] += qr_start[q];
	for (int64_t i = 0; i < d->n_qrels; i++) {
		int64_t q = d->qrel_query[i];
		qr[qr_start[q] + fill[q]++] = (struct rl_judgement){cids[d->qrel_doc[i]], d->qrel_score[i]};
	}
	int64_t n_qrels_queries = 0;
	for (int64_t q = 0; q < nq; q++)
		n_qrels_queries += qr_start[q + 1] > qr_start[q];
	if (n_qrels_queries == 0) {
		st = ce_err_set(err, CE_E_FORMAT, "%s: the qrels of split %s name no query", t->name, ds->split);
		goto out;
	}

	if (r3) { /* _filter_queries_without_positives: only queries with qrels are searched */
		int64_t w = 0;
		for (int64_t q = 0; q < nq; q++) {
			if (qr_start[q + 1] == qr_start[q])
				continue;
			qtexts[w] = qtexts[q];
			qids[w] = qids[q];
			qr_start[w + 1] = qr_start[q + 1];
			fill[w] = qr_start[q]; /* start of the query's qrels */
			w++;
		}
		for (int64_t q = 0; q < w; q++)
			qr_start[q] = fill[q];
		nq = w;
	}
	if ((st = ev_embed_texts(ctx, "queries", qtexts, nq, ctx->query_instruction, &qvec, err)) != CE_OK)
		goto out;
	if ((st = ev_embed_texts(ctx, "corpus", ctexts, nd, NULL, &cvec, err)) != CE_OK)
		goto out;

	struct knn_options ko;
	knn_options_init(&ko);
	ko.k = kmax;
	/* bge embeddings are unit length: dot = cosine. Otherwise use cosine (R1 cos_sim). */
	ko.metric = l2_normalise_check(cvec, nd, dim) && l2_normalise_check(qvec, nq, dim) ? KNN_METRIC_DOT
											    : KNN_METRIC_COSINE;
	ko.doc_ids = cids;
	ko.exclude_identical_ids = r3 ? false : t->ignore_identical_ids; /* R3 removes them after the cut */

	int64_t n_eval = 0;
	for (int64_t q0 = 0; q0 < nq; q0 += QUERY_SLICE) {
		int64_t nqs = nq - q0 < QUERY_SLICE ? nq - q0 : QUERY_SLICE;
		ko.query_ids = qids + q0;
		if ((st = knn_search(qvec + (size_t)q0 * (size_t)dim, nqs, cvec, nd, dim, &ko, hits, n_hits, err)) !=
		    CE_OK)
			goto out;
		for (int64_t qi = 0; qi < nqs; qi++) {
			int64_t q = q0 + qi;
			int64_t nj = qr_start[q + 1] - qr_start[q];
			if (nj == 0)
				continue; /* pytrec_eval evaluates only queries present in the qrels */
			const struct knn_hit *h = hits + (size_t)qi * (size_t)kmax;
			int64_t n_run = 0;
			for (int64_t r = 0; r < n_hits[qi]; r++) {
				if (r3 && t->ignore_identical_ids_r3 && strcmp(cids[h[r].doc], qids[q]) == 0)
					continue;
				run[n_run++] = (struct rl_entry){cids[h[r].doc], (double)h[r].score};
			}
			n_eval++;
			/* the registry's measures with a result key; one ranking per tie rule in use:
			 * trec_eval's (docno descending), then BEIR's MRR one (score only: the hits' order) */
			for (int tie = RL_TIE_DOCNO_DESC; tie <= RL_TIE_INPUT_ORDER; tie++) {
				int built = 0;
				for (size_t m = 0; m < rank_measures_count; m++) {
					const struct rank_measure *rm = &rank_measures[m];
					/* R3: MRR too orders ties by doc id descending */
					int rtie = r3 && is_mrr(rm) ? RL_TIE_DOCNO_DESC : (int)rm->result_tie;
					if (!rm->result_key || rtie != tie)
						continue;
					if (!built) {
						st = ranked_list_build(&rl, run, (size_t)n_run, qr + qr_start[q],
								       (size_t)nj, (enum rl_tie)tie, err);
						if (st != CE_OK)
							goto out;
						built = 1;
					}
					for (int32_t k = 0; k < (rm->has_cutoffs ? nk : 1); k++) {
						int64_t kv = rm->has_cutoffs ? kv_list[k] : 0;
						sums[m * (size_t)nk + (size_t)k] += rm->fn(&rl, kv);
					}
				}
			}
		}
	}
	/* in registry order; means over the queries that have qrels (n_eval = n_qrels_queries), 5 decimals */
	for (size_t m = 0; m < rank_measures_count; m++) {
		const struct rank_measure *rm = &rank_measures[m];
		for (int32_t k = 0; rm->result_key && k < (rm->has_cutoffs ? nk : 1); k++) {
			char key[64];
			double sum = sums[m * (size_t)nk + (size_t)k];
			double v = rm->agg == RANK_AGG_SUM    ? sum
				   : r3 && is_mrr(rm)        ? sum / (double)n_eval
							     : rank_round5(sum / (double)n_eval);
			if (rank_measure_result_key(rm, rm->has_cutoffs ? kv_list[k] : 0, key, sizeof key) != 0)
				st = CE_E_INVALID_ARG;
			else
				st = metric_set_add(out, key, v);
			if (st != CE_OK) {
				ce_err_set(err, st, "%s: cannot record metrics", t->name);
				goto out;
			}
		}
	}
out:
	ranked_list_deinit(&rl);
	ce_free(qtexts);
	ce_free(ctexts);
	ce_free(qids);
	ce_free(cids);
	ce_free(qr_start);
	ce_free(qr);
	ce_free(fill);
	ce_free(hits);
	ce_free(n_hits);
	ce_free(run);
	ce_free(sums);
	ce_free(qvec);
	ce_free(cvec);
	return st;
}
