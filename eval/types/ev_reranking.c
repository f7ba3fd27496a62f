/*
 * ev_reranking.c - Reranking (spec evaluation.md §3).
 *
 * R1 (the published numbers, main score `map`): samples without positives or
 * without negatives are dropped; the query (with the model's query
 * instruction) is compared by cosine with each candidate (positives, then
 * negatives); `map` = mean sklearn AP over the full candidate list, `mrr` =
 * mean reciprocal rank of the first positive within the top 10 (candidates
 * ordered by score, stable).  R3's values over the same candidate lists are
 * reported too: `map_at_1000`, `mrr_at_10`, `ndcg_at_10` with trec_eval
 * semantics (ties by doc id descending; ids "apositive_<i>" / "negative_<i>"
 * as mteb's converter names them).
 *
 * List-valued queries (ds_reranking.q_off, MindSmallReranking): every query of
 * a sample is embedded (with the instruction), and a candidate's score is the
 * highest of its float32 cosines with them (mteb 1.x: torch.amax over the
 * query axis), then as above.  A kept sample with an empty list is an error
 * (mteb fails there too).  R3 scores such a task differently (mteb 2.x:
 * retrieval over mteb/MindSmallReranking with max_over_subqueries): refused.
 *
 * At level R3 (ctx->compat) reranking is retrieval over each query's
 * candidate list (spec §3.3): samples without a positive are dropped (those
 * without negatives are kept), and only the trec values are reported (no
 * sklearn `map` / `mrr`); main score map_at_1000.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "evaluator.h"
#include "metrics.h"
#include "ranked_list.h"

/* R3's trec values, in trec_eval -m syntax; keys from the registry ("map_at_1000") */
#define RERANK_TREC_MEASURES "map_cut.1000,mrr_cut.10,ndcg_cut.10"

struct scored {
	double score;
	int64_t idx;
};

/* descending by score; equal scores keep input order (stable) */
static int cmp_scored(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

enum ce_status ev_reranking(const struct eval_ctx *ctx, const struct dataset *ds, struct metric_set *out,
			    struct ce_err *err)
{
	const struct task *t = ctx->task;
	const struct ds_reranking *d = &ds->reranking;
	int32_t dim = ctx->emb->dim;
	int64_t n = ds_reranking_n(d);
	enum ce_status st = CE_OK;
	int64_t *kept = ce_malloc_array((size_t)(n ? n : 1), sizeof *kept);
	int64_t n_kept = 0, n_cand = 0, max_cand = 0;
	const char **qtexts = NULL, **ctexts = NULL;
	float *qvec = NULL, *cvec = NULL;
	double *scores = NULL;
	uint8_t *labels = NULL;
	struct scored *order = NULL;
	struct rl_entry *run = NULL;
	struct rl_judgement *judg = NULL;
	char (*ids)[32] = NULL;
	struct rank_meas_inst *meas = NULL;
	size_t n_meas = 0;
	double *sum_meas = NULL;
	struct ranked_list rl;
	ranked_list_init(&rl);
	if (!kept)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
	int r3 = ctx->compat == CE_COMPAT_R3;
	int64_t n_q = 0; /* query texts of the kept samples */
	if (r3 && d->q_off) {
		ce_free(kept);
		return ce_err_set(err, CE_E_UNSUPPORTED,
				  "%s: list-valued queries are scored at R1 only (mteb 2.x rescored this task as "
				  "retrieval with max_over_subqueries, which ceval does not implement); run it with --compat r1",
				  t->name);
	}
	for (int64_t i = 0; i < n; i++) {
		int64_t np = d->pos_off[i + 1] - d->pos_off[i], nn = d->neg_off[i + 1] - d->neg_off[i];
		int64_t q0, q1;
		ds_reranking_queries(d, i, &q0, &q1);
		int64_t nq = q1 - q0;
		if (np > 0 && (nn > 0 || r3)) {
			if (nq == 0) {
				ce_free(kept);
				return ce_err_set(err, CE_E_FORMAT, "%s: sample %lld has an empty list of queries", t->name,
						  (long long)i + 1);
			}
			kept[n_kept++] = i;
			n_q += nq;
			n_cand += np + nn;
			if (np + nn > max_cand)
				max_cand = np + nn;
		}
	}
	if (n_kept == 0) {
		st = ce_err_set(err, CE_E_FORMAT, r3 ? "%s: no sample has a positive candidate"
						       : "%s: no sample has both a positive and a negative candidate",
				t->name);
		goto out;
	}
	qtexts = ce_malloc_array((size_t)n_q, sizeof *qtexts);
	ctexts = ce_malloc_array((size_t)n_cand, sizeof *ctexts);
	scores = ce_malloc_array((size_t)max_cand, sizeof *scores);
	labels = ce_malloc_array((size_t)max_cand, sizeof *labels);
	order = ce_malloc_array((size_t)max_cand, sizeof *order);
	run = ce_malloc_array((size_t)max_cand, sizeof *run);
	judg = ce_malloc_array((size_t)max_cand, sizeof *judg);
	ids = ce_malloc_array((size_t)max_cand, sizeof *ids);
	if (!qtexts || !ctexts || !scores || !labels || !order || !run || !judg || !ids) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	int64_t c = 0, cq = 0;
	for (int64_t k = 0; k < n_kept; k++) {
		int64_t i = kept[k];
		int64_t q0, q1;
		ds_reranking_queries(d, i, &q0, &q1);
		for (int64_t j = q0; j < q1; j++)
			qtexts[cq++] = strtab_get(&d->queries, j);
		for (int64_t j = d->pos_off[i]; j < d->pos_off[i + 1]; j++)
			ctexts[c++] = strtab_get(&d->positives, j);
		for (int64_t j = d->neg_off[i]; j < d->neg_off[i + 1]; j++)
			ctexts[c++] = strtab_get(&d->negatives, j);
	}
	if ((st = rank_measures_parse(RERANK_TREC_MEASURES, &meas, &n_meas, err)) != CE_OK)
		goto out;
	sum_meas = ce_calloc(n_meas, sizeof *sum_meas);
	if (!sum_meas) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", t->name);
		goto out;
	}
	if ((st = ev_embed_texts(ctx, "queries", qtexts, n_q, ctx->query_instruction, &qvec, err)) != CE_OK)
		goto out;
	if ((st = ev_embed_texts(ctx, "candidates", ctexts, n_cand, NULL, &cvec, err)) != CE_OK)
		goto out;

	double sum_ap = 0, sum_mrr = 0;
	c = cq = 0;
	for (int64_t k = 0; k < n_kept; k++) {
		int64_t i = kept[k];
		int64_t np = d->pos_off[i + 1] - d->pos_off[i], nn = d->neg_off[i + 1] - d->neg_off[i], m = np + nn;
		int64_t q0, q1;
		ds_reranking_queries(d, i, &q0, &q1);
		int64_t nq = q1 - q0;
		const float *q = qvec + (size_t)cq * (size_t)dim;
		cq += nq;
		for (int64_t j = 0; j < m; j++) {
			/* torch cos_sim on float32 embeddings gives float32 scores; with several
			 * queries the highest of them (torch.amax over the query axis) */
			const float *cand = cvec + (size_t)(c + j) * (size_t)dim;
			float best = (float)ev_cosine(q, cand, dim);
			for (int64_t x = 1; x < nq; x++) {
				float v = (float)ev_cosine(q + (size_t)x * (size_t)dim, cand, dim);
				if (v > best || isnan(v))
					best = v;
			}
			scores[j] = best;
			labels[j] = j < np;
			order[j] = (struct scored){scores[j], j};
			if (j < np)
				snprintf(ids[j], sizeof ids[j], "apositive_%05lld", (long long)j);
			else
				snprintf(ids[j], sizeof ids[j], "negative_%05lld", (long long)(j - np));
			run[j] = (struct rl_entry){ids[j], scores[j]};
			judg[j] = (struct rl_judgement){ids[j], j < np ? 1 : 0};
		}
		c += m;
		double ap;
		if ((st = metric_average_precision(scores, labels, (size_t)m, &ap)) != CE_OK) {
			ce_err_set(err, st, "%s: out of memory", t->name);
			goto out;
		}
		sum_ap += ap;
		qsort(order, (size_t)m, sizeof *order, cmp_scored);
		for (int64_t r = 0; r < m && r < 10; r++)
			if (labels[order[r].idx]) {
				sum_mrr += 1.0 / (double)(r + 1);
				break;
			}
		if ((st = ranked_list_build(&rl, run, (size_t)m, judg, (size_t)m, RL_TIE_DOCNO_DESC, err)) != CE_OK)
			goto out;
		for (size_t mi = 0; mi < n_meas; mi++)
			sum_meas[mi] += meas[mi].m->fn(&rl, meas[mi].k);
	}
	double nk = (double)n_kept;
	if (!r3 && ((st = metric_set_add(out, "map", sum_ap / nk)) != CE_OK ||
		    (st = metric_set_add(out, "mrr", sum_mrr / nk)) != CE_OK))
		ce_err_set(err, st, "%s: cannot record metrics", t->name);
	for (size_t mi = 0; mi < n_meas && st == CE_OK; mi++) {
		char key[64];
		if (rank_measure_result_key(meas[mi].m, meas[mi].k, key, sizeof key) != 0)
			st = CE_E_INVALID_ARG;
		else /* R3: the trec families rounded to 5 decimals as for retrieval (§2.4); MRR is not */
			st = metric_set_add(out, key,
					    r3 && strncmp(key, "mrr_", 4) != 0 ? rank_round5(sum_meas[mi] / nk)
										 : sum_meas[mi] / nk);
		if (st != CE_OK)
			ce_err_set(err, st, "%s: cannot record metrics", t->name);
	}
out:
	ranked_list_deinit(&rl);
	ce_free(kept);
	ce_free(qtexts);
	ce_free(ctexts);
	ce_free(qvec);
	ce_free(cvec);
	ce_free(scores);
	ce_free(labels);
	ce_free(order);
	ce_free(run);
	ce_free(judg);
	ce_free(ids);
	ce_free(meas);
	ce_free(sum_meas);
	return st;
}
