/*
 * Hand-worked trec_eval cases for eval/ranked_list.h.  Every expected value is
 * derived in the comment next to it from trec_eval's rules (form_res_rels.c
 * ordering, m_*.c formulas): score descending, ties by docno descending
 * (strcmp), relevance_level 1, nDCG gain = qrels value, discount log2(rank+1).
 */
#include <math.h>
#include <string.h>

#include "ranked_list.h"
#include "ce_alloc.h"
#include "test_util.h"

#define TOL 1e-12
#define assert_near(a, b) assert_true(fabs((a) - (b)) <= TOL)

/*
 * Case A.  run: a 0.9, c 0.5, b 0.5, e 0.5, d 0.1
 * trec order: a, then the 0.5 tie by docno descending e, c, b, then d:
 *   rank 1 a, 2 e, 3 c, 4 b, 5 d
 * qrels: a=0 (judged non-relevant), b=2, c=1, d=3, e=-1 (unjudged: ignored),
 *        f=1 (never retrieved), g=0
 * rels by rank: [0, unjudged, 1, 2, 3]; R = |{b,c,d,f}| = 4; rel_ret = 3
 * ideal gains (values > 0, descending): 3, 2, 1, 1
 */
static const struct rl_entry case_a_run[] = {
	{"a", 0.9}, {"c", 0.5}, {"b", 0.5}, {"e", 0.5}, {"d", 0.1},
};
static const struct rl_judgement case_a_qrels[] = {
	{"a", 0}, {"b", 2}, {"c", 1}, {"d", 3}, {"e", -1}, {"f", 1}, {"g", 0},
};

static void build(struct ranked_list *rl, const struct rl_entry *run, size_t n, const struct rl_judgement *q,
		  size_t nq, enum rl_tie tie)
{
	struct ce_err err;
	enum ce_status st = ranked_list_build(rl, run, n, q, nq, tie, &err);
	if (st != CE_OK)
		fail_msg("build: %s", err.msg);
}

static void test_ranking_trec_ties_and_graded(void **state)
{
	(void)state;
	struct ranked_list rl;
	ranked_list_init(&rl);
	build(&rl, case_a_run, 5, case_a_qrels, 7, RL_TIE_DOCNO_DESC);
	assert_int_equal(rl.n_ret, 5);
	assert_int_equal(rl.n_rel, 4);
	assert_int_equal(rl.n_rel_ret, 3);
	const int32_t want_rels[5] = {0, RL_REL_UNJUDGED, 1, 2, 3};
	for (int i = 0; i < 5; i++)
		assert_int_equal(rl.rels[i], want_rels[i]);

	/* P@1 = 0/1; P@3 = 1/3; P@5 = 3/5; P@10 = 3/10 (divided by k although only 5 retrieved) */
	assert_near(rank_precision(&rl, 1), 0.0);
	assert_near(rank_precision(&rl, 3), 1.0 / 3.0);
	assert_near(rank_precision(&rl, 5), 0.6);
	assert_near(rank_precision(&rl, 10), 0.3);
	/* recall@3 = 1/4; recall@5 = 3/4 (f never retrieved) */
	assert_near(rank_recall(&rl, 3), 0.25);
	assert_near(rank_recall(&rl, 5), 0.75);
	assert_near(rank_recall(&rl, 1000), 0.75);
	/* first relevant doc (c) at rank 3 */
	assert_near(rank_recip_rank(&rl, 0), 1.0 / 3.0);
	assert_near(rank_recip_rank(&rl, 2), 0.0); /* mrr@2: none within the top 2 */
	assert_near(rank_success(&rl, 1), 0.0);
	assert_near(rank_success(&rl, 3), 1.0);
	/* AP: relevant at ranks 3, 4, 5 -> (1/3 + 2/4 + 3/5) / R=4 */
	assert_near(rank_map(&rl, 0), (1.0 / 3.0 + 2.0 / 4.0 + 3.0 / 5.0) / 4.0);
	/* map_cut.3 = (1/3)/4, denominator R not min(R, 3); map_cut.4 = (1/3 + 1/2)/4 */
	assert_near(rank_map(&rl, 3), (1.0 / 3.0) / 4.0);
	assert_near(rank_map(&rl, 4), (1.0 / 3.0 + 0.5) / 4.0);
	/* ndcg_cut.3: DCG = 1/log2(4); IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4) */
	assert_near(rank_ndcg(&rl, 3), (1.0 / 2.0) / (3.0 + 2.0 / log2(3.0) + 0.5));
	/* ndcg (whole list): DCG = 1/log2(4) + 2/log2(5) + 3/log2(6);
	 * IDCG = 3 + 2/log2(3) + 1/log2(4) + 1/log2(5) */
	double dcg = 0.5 + 2.0 / log2(5.0) + 3.0 / log2(6.0);
	double idcg = 3.0 + 2.0 / log2(3.0) + 0.5 + 1.0 / log2(5.0);
	assert_near(rank_ndcg(&rl, 0), dcg / idcg);
	/* ndcg_cut.10 with 5 retrieved: DCG stops at 5, IDCG runs over all 4 ideal gains */
	assert_near(rank_ndcg(&rl, 10), dcg / idcg);
	/* ndcg_cut.1: a is judged 0 -> DCG 0 */
	assert_near(rank_ndcg(&rl, 1), 0.0);
	ranked_list_deinit(&rl);
	ranked_list_deinit(&rl); /* idempotent */
}

static void test_ranking_input_order_ties(void **state)
{
	(void)state;
	/* BEIR R1 MRR: stable sort on score only: a, c, b, e, d
	 * rels [0, 1, 2, unjudged, 3]: first relevant at rank 2 */
	struct ranked_list rl;
	ranked_list_init(&rl);
	build(&rl, case_a_run, 5, case_a_qrels, 7, RL_TIE_INPUT_ORDER);
	assert_int_equal(rl.rels[1], 1);
	assert_int_equal(rl.rels[2], 2);
	assert_near(rank_recip_rank(&rl, 10), 0.5);
	assert_near(rank_recip_rank(&rl, 1), 0.0);
	ranked_list_deinit(&rl);
}

static void test_ranking_bytewise_docno_order(void **state)
{
	(void)state;
	/* all tied: strcmp descending puts "\xe4\xb8\xad" (UTF-8, bytes > 0x7f)
	 * first, then "negative_1", "apositive_9", "Z" (0x5a < 'a' 0x61).
	 * Only "Z" is relevant -> rank 4 -> recip_rank 1/4. */
	const struct rl_entry run[] = {
		{"Z", 1.0}, {"apositive_9", 1.0}, {"negative_1", 1.0}, {"\xe4\xb8\xad", 1.0},
	};
	const struct rl_judgement q[] = {{"Z", 1}, {"negative_1", 0}};
	struct ranked_list rl;
	ranked_list_init(&rl);
	build(&rl, run, 4, q, 2, RL_TIE_DOCNO_DESC);
	assert_near(rank_recip_rank(&rl, 0), 0.25);
	assert_int_equal(rl.rels[1], 0);              /* negative_1 second */
	assert_int_equal(rl.rels[0], RL_REL_NONPOOL); /* the CJK id first, not judged */
	ranked_list_deinit(&rl);
}

static void test_ranking_empty_and_zero_judgements(void **state)
{
	(void)state;
	struct ranked_list rl;
	ranked_list_init(&rl);
	/* no results: everything 0, R still counted (2) */
	const struct rl_judgement q[] = {{"x", 1}, {"y", 2}, {"z", 0}};
	build(&rl, NULL, 0, q, 3, RL_TIE_DOCNO_DESC);
	assert_int_equal(rl.n_ret, 0);
	assert_int_equal(rl.n_rel, 2);
	assert_near(rank_ndcg(&rl, 10), 0.0);
	assert_near(rank_map(&rl, 0), 0.0);
	assert_near(rank_precision(&rl, 5), 0.0);
	assert_near(rank_recall(&rl, 5), 0.0);
	assert_near(rank_recip_rank(&rl, 0), 0.0);
	/* only zero / negative judgements: R = 0, IDCG = 0 -> all 0 */
	const struct rl_entry run[] = {{"z", 2.0}, {"w", 1.0}};
	const struct rl_judgement q0[] = {{"z", 0}, {"w", -3}};
	build(&rl, run, 2, q0, 2, RL_TIE_DOCNO_DESC);
	assert_int_equal(rl.n_rel, 0);
	assert_int_equal(rl.rels[1], RL_REL_UNJUDGED);
	assert_near(rank_ndcg(&rl, 0), 0.0);
	assert_near(rank_map(&rl, 0), 0.0);
	assert_near(rank_recall(&rl, 10), 0.0);
	/* P@2 = 0/2 */
	assert_near(rank_precision(&rl, 2), 0.0);
	ranked_list_deinit(&rl);
}

static void test_ranking_duplicates_rejected(void **state)
{
	(void)state;
	struct ranked_list rl;
	struct ce_err err;
	ranked_list_init(&rl);
	const struct rl_entry run[] = {{"d1", 2.0}, {"d2", 1.0}, {"d1", 0.5}};
	const struct rl_judgement q[] = {{"d1", 1}};
	assert_int_equal(ranked_list_build(&rl, run, 3, q, 1, RL_TIE_DOCNO_DESC, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "duplicate docno 'd1' in the run"));
	assert_int_equal(rl.n_ret, 0);
	const struct rl_judgement qd[] = {{"d2", 1}, {"d2", 0}};
	assert_int_equal(ranked_list_build(&rl, run, 2, qd, 2, RL_TIE_DOCNO_DESC, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "in the qrels"));
	const struct rl_entry nan_run[] = {{"d1", NAN}};
	assert_int_equal(ranked_list_build(&rl, nan_run, 1, q, 1, RL_TIE_DOCNO_DESC, &err), CE_E_INVALID_ARG);
	ranked_list_deinit(&rl);
}

static void test_ranking_measure_parse(void **state)
{
	(void)state;
	struct rank_meas_inst *m;
	size_t n;
	struct ce_err err;
	assert_int_equal(rank_measures_parse("ndcg_cut.10,5,map,P,mrr_cut.10,num_q", &m, &n, &err), CE_OK);
	/* ndcg_cut 5 and 10 (sorted), map, P with its 9 default cutoffs, mrr_cut_10, num_q */
	assert_int_equal(n, 2 + 1 + 9 + 1 + 1);
	assert_string_equal(m[0].name, "ndcg_cut_5");
	assert_string_equal(m[1].name, "ndcg_cut_10");
	assert_string_equal(m[2].name, "map");
	assert_string_equal(m[3].name, "P_5");
	assert_string_equal(m[11].name, "P_1000");
	assert_string_equal(m[12].name, "mrr_cut_10");
	assert_int_equal(m[12].k, 10);
	assert_string_equal(m[13].name, "num_q");
	ce_free(m);
	/* repeats are reported once: map, P_5, P_10 */
	assert_int_equal(rank_measures_parse("map,P.5,map,P.10,5", &m, &n, &err), CE_OK);
	assert_int_equal(n, 3);
	assert_string_equal(m[2].name, "P_10");
	ce_free(m);
	const char *bad[] = {"foo", "map.5", "P.0", "P.x", "P.5,,map", "", "ndcg_cut.99999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		m = (void *)1;
		assert_int_equal(rank_measures_parse(bad[i], &m, &n, &err), CE_E_INVALID_ARG);
		assert_null(m);
	}
	assert_non_null(rank_measure_find("recip_rank"));
	assert_null(rank_measure_find("ndcg_cut_10"));
}

static void test_ranking_round5(void **state)
{
	(void)state;
	/* reference values printed by CPython: round(x, 5) */
	assert_true(rank_round5(0.123455) == 0.12345);
	assert_true(rank_round5(0.002675) == 0.00267);
	assert_true(rank_round5(1.5e-05) == 2e-05);
	assert_true(rank_round5(0.999995) == 0.99999);
	assert_true(rank_round5(1.000005) == 1.00001);
	assert_true(rank_round5(0.123456789) == 0.12346);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranking_trec_ties_and_graded),
		cmocka_unit_test(test_ranking_input_order_ties),
		cmocka_unit_test(test_ranking_bytewise_docno_order),
		cmocka_unit_test(test_ranking_empty_and_zero_judgements),
		cmocka_unit_test(test_ranking_duplicates_rejected),
		cmocka_unit_test(test_ranking_measure_parse),
		cmocka_unit_test(test_ranking_round5),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
