/*
 * End-to-end tests of eval/score.h on small qrels / run files in a temp dir.
 * Expected numbers are worked by hand from trec_eval's rules (see the
 * comments); the report format is trec_eval's "%-22s\t%s\t%6.4f" / "%ld".
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score.h"
#include "test_util.h"

/*
 * q1: ranking a(0.9), then the 0.5 tie by docno descending e, c, b, then d.
 *     qrels a=0 b=2 c=1 d=3 e=-1 f=1 -> rels [0, unjudged, 1, 2, 3], R = 4
 *     map = (1/3 + 2/4 + 3/5)/4 = 0.358333; recip_rank = 1/3; P_5 = 3/5
 *     ndcg_cut_3 = (1/log2 4) / (3 + 2/log2 3 + 1/log2 4) = 0.105001
 * q2: w (not judged), x (rel 1): map = (1/2)/1; recip 1/2; P_5 = 1/5;
 *     ndcg_cut_3 = (1/log2 3)/1 = 0.630930
 * q3: judged only; q4: in the run only (skipped as trec_eval does).
 * all over q1, q2: num_ret 7, num_rel 5, num_rel_ret 4, map 0.429167,
 *     recip_rank 0.416667, P_5 0.4, ndcg_cut_3 0.367966
 */
static const char QRELS[] = "# judgements\n"
			    "q1 0 a 0\n"
			    "q1 0 b 2\n"
			    "q1 0 c 1\n"
			    "q1 0 d 3\n"
			    "q1 0 e -1\n"
			    "q1 0 f 1\n"
			    "\n"
			    "q2 0 x 1\n"
			    "q3 0 y 1\n";
static const char QRELS_BEIR[] = "query-id\tcorpus-id\tscore\r\n"
				 "q1\ta\t0\r\nq1\tb\t2\r\nq1\tc\t1\r\nq1\td\t3\r\nq1\te\t-1\r\nq1\tf\t1\r\n"
				 "q2\tx\t1\r\nq3\ty\t1\r\n";
static const char RUN[] = "q1 Q0 a 1 0.9 t\n"
			  "q1 Q0 c 2 0.5 t\n"
			  "q1 Q0 b 3 0.5 t\n"
			  "  \n"
			  "q1 Q0 e 4 0.5 t\n"
			  "q1 Q0 d 5 0.1 t\n"
			  "# a comment\n"
			  "q2 Q0 w 1 2.0 t\n"
			  "q2 Q0 x 2 1 t extra fields ignored\n"
			  "q4 Q0 x 1 1.0 t\n";
/* the same lines with queries interleaved (not grouped) */
static const char RUN_UNGROUPED[] = "q1 Q0 a 1 0.9 t\n"
				    "q2 Q0 w 1 2.0 t\n"
				    "q1 Q0 c 2 0.5 t\n"
				    "q4 Q0 x 1 1.0 t\n"
				    "q1 Q0 b 3 0.5 t\n"
				    "q2 Q0 x 2 1 t\n"
				    "q1 Q0 e 4 0.5 t\n"
				    "q1 Q0 d 5 0.1 t\n";

#define MEASURES "num_q,num_ret,num_rel,num_rel_ret,map,recip_rank,P.5,ndcg_cut.3"

static char *g_dir;

static int setup(void **state)
{
	(void)state;
	g_dir = tu_mkdtemp();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rm_rf(g_dir);
	free(g_dir);
	return 0;
}

static const char *tmp_file(const char *name, const char *content)
{
	static char paths[4][4200];
	static int turn;
	char *p = paths[turn++ % 4];
	snprintf(p, 4200, "%s/%s", g_dir, name);
	tu_write_file(p, content, strlen(content));
	return p;
}

/* Run score_run with output captured; returns the status, *text (free) on success. */
static enum ce_status run_score(struct score_options *o, char **text, struct ce_err *err)
{
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	enum ce_status st = score_run(o, f, err);
	fclose(f);
	*text = buf;
	return st;
}

static void append_line(char *dst, size_t cap, const char *meas, const char *qid, const char *val)
{
	size_t n = strlen(dst);
	snprintf(dst + n, cap - n, "%-22s\t%s\t%s\n", meas, qid, val);
}

static void summary_expected(char *e, size_t cap)
{
	e[0] = '\0';
	append_line(e, cap, "num_q", "all", "2");
	append_line(e, cap, "num_ret", "all", "7");
	append_line(e, cap, "num_rel", "all", "5");
	append_line(e, cap, "num_rel_ret", "all", "4");
	append_line(e, cap, "map", "all", "0.4292");
	append_line(e, cap, "recip_rank", "all", "0.4167");
	append_line(e, cap, "P_5", "all", "0.4000");
	append_line(e, cap, "ndcg_cut_3", "all", "0.3680");
}

static void test_score_trec_output(void **state)
{
	(void)state;
	struct score_options o;
	score_options_init(&o);
	o.qrels_path = tmp_file("qrels.txt", QRELS);
	o.run_path = tmp_file("run.txt", RUN);
	o.measures = MEASURES;
	char *out, want[4096];
	struct ce_err err;
	assert_int_equal(run_score(&o, &out, &err), CE_OK);
	summary_expected(want, sizeof want);
	assert_string_equal(out, want);
	free(out);

	/* per-query lines first (qid order), num_q only in the summary */
	o.per_query = 1;
	assert_int_equal(run_score(&o, &out, &err), CE_OK);
	want[0] = '\0';
	append_line(want, sizeof want, "num_ret", "q1", "5");
	append_line(want, sizeof want, "num_rel", "q1", "4");
	append_line(want, sizeof want, "num_rel_ret", "q1", "3");
	append_line(want, sizeof want, "map", "q1", "0.3583");
	append_line(want, sizeof want, "recip_rank", "q1", "0.3333");
	append_line(want, sizeof want, "P_5", "q1", "0.6000");
	append_line(want, sizeof want, "ndcg_cut_3", "q1", "0.1050");
	append_line(want, sizeof want, "num_ret", "q2", "2");
	append_line(want, sizeof want, "num_rel", "q2", "1");
	append_line(want, sizeof want, "num_rel_ret", "q2", "1");
	append_line(want, sizeof want, "map", "q2", "0.5000");
	append_line(want, sizeof want, "recip_rank", "q2", "0.5000");
	append_line(want, sizeof want, "P_5", "q2", "0.2000");
	append_line(want, sizeof want, "ndcg_cut_3", "q2", "0.6309");
	char sum[2048];
	summary_expected(sum, sizeof sum);
	strcat(want, sum);
	assert_string_equal(out, want);
	free(out);
}

static void test_score_ungrouped_run_and_beir_qrels(void **state)
{
	(void)state;
	struct score_options o;
	score_options_init(&o);
	o.qrels_path = tmp_file("qrels.tsv", QRELS_BEIR);
	o.run_path = tmp_file("run2.txt", RUN_UNGROUPED);
	o.measures = MEASURES;
	char *out, want[4096];
	struct ce_err err;
	assert_int_equal(run_score(&o, &out, &err), CE_OK);
	summary_expected(want, sizeof want);
	assert_string_equal(out, want);
	free(out);
	struct qrels *q = qrels_load(o.qrels_path, SCORE_QRELS_AUTO, &err);
	assert_non_null(q);
	assert_int_equal(qrels_format(q), SCORE_QRELS_BEIR);
	assert_int_equal(qrels_n_queries(q), 3);
	assert_int_equal(qrels_find(q, "q2"), 1);
	assert_int_equal(qrels_find(q, "q4"), -1);
	const struct rl_judgement *j;
	assert_int_equal(qrels_judgements(q, 0, &j), 6);
	assert_string_equal(j[1].docno, "b");
	assert_int_equal(j[1].rel, 2);
	qrels_free(q);
}

static void test_score_complete(void **state)
{
	(void)state;
	/* -c: q3 (judged, not retrieved) counts as an empty ranking:
	 * num_q 3, num_rel 5 + 1, map (0.358333 + 0.5 + 0)/3 = 0.286111 */
	struct score_options o;
	score_options_init(&o);
	o.qrels_path = tmp_file("qrels.txt", QRELS);
	o.run_path = tmp_file("run.txt", RUN);
	o.measures = "num_q,num_rel,num_ret,map";
	o.complete = 1;
	char *out, want[1024] = "";
	struct ce_err err;
	assert_int_equal(run_score(&o, &out, &err), CE_OK);
	append_line(want, sizeof want, "num_q", "all", "3");
	append_line(want, sizeof want, "num_rel", "all", "6");
	append_line(want, sizeof want, "num_ret", "all", "7");
	append_line(want, sizeof want, "map", "all", "0.2861");
	assert_string_equal(out, want);
	free(out);
}

static void test_score_json_and_ties(void **state)
{
	(void)state;
	struct score_options o;
	score_options_init(&o);
	o.qrels_path = tmp_file("qrels.txt", QRELS);
	o.run_path = tmp_file("run.txt", RUN);
	o.measures = "map,P.5,recip_rank,num_ret";
	o.output = SCORE_OUTPUT_JSON;
	o.per_query = 1;
	char *out;
	struct ce_err err;
	assert_int_equal(run_score(&o, &out, &err), CE_OK);
	json_error_t je;
	json_t *root = json_loads(out, 0, &je);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "num_q")), 2);
	json_t *all = json_object_get(root, "all");
	double map = ((1.0 / 3 + 2.0 / 4 + 3.0 / 5) / 4 + 0.5) / 2;
	assert_true(fabs(json_real_value(json_object_get(all, "map")) - map) < 1e-15);
	assert_int_equal(json_integer_value(json_object_get(all, "num_ret")), 7);
	json_t *q2 = json_object_get(json_object_get(root, "per_query"), "q2");
	assert_true(json_real_value(json_object_get(q2, "P_5")) == 0.2);
	json_decref(root);
	free(out);

	/* input-order ties (BEIR R1 MRR): q1 file order a, c, b, e, d -> first
	 * relevant c at rank 2: recip (1/2 + 1/2)/2 = 0.5 */
	o.output = SCORE_OUTPUT_TREC;
	o.per_query = 0;
	o.measures = "recip_rank";
	o.tie = RL_TIE_INPUT_ORDER;
	assert_int_equal(run_score(&o, &out, &err), CE_OK);
	char want[256] = "";
	append_line(want, sizeof want, "recip_rank", "all", "0.5000");
	assert_string_equal(out, want);
	free(out);

	o.output = SCORE_OUTPUT_TABLE;
	assert_int_equal(run_score(&o, &out, &err), CE_OK);
	assert_non_null(strstr(out, "recip_rank"));
	assert_non_null(strstr(out, "0.5000"));
	free(out);
}

/* One malformed input and the "file:line: ..." text expected in the error. */
struct bad_case {
	const char *qrels, *run, *msg;
	enum ce_status code;
};

static void test_score_malformed(void **state)
{
	(void)state;
	const struct bad_case cases[] = {
		{QRELS, "q1 Q0 a 1 0.9 t\nq1 Q0 b 2 0.5\n", "run.txt:2: expected 6 fields", CE_E_FORMAT},
		{QRELS, "q1 Q0 a 1 abc t\n", "run.txt:1: score 'abc' is not a number", CE_E_FORMAT},
		{QRELS, "q1 Q0 a 1 nan t\n", "run.txt:1: score 'nan' is not a number", CE_E_FORMAT},
		{QRELS, "q1 Q0 a 1 1 t\nq1 Q0 b 2 1 t\nq1 Q0 a 3 0.5 t\n",
		 "run.txt:3: duplicate docno 'a' for query 'q1' (first at line 1)", CE_E_FORMAT},
		{"q1 0 a 1\nq1 0 b\n", RUN, "qrels.txt:2: expected 4 fields (qid iter docno rel), found 3", CE_E_FORMAT},
		{"q1 0 a 1\n\nq1 0 b x\n", RUN, "qrels.txt:3: relevance 'x' is not an integer", CE_E_FORMAT},
		{"q1 0 a 1.5\n", RUN, "qrels.txt:1: relevance '1.5'", CE_E_FORMAT},
		{"q1 0 a 99999999999\n", RUN, "qrels.txt:1: relevance", CE_E_FORMAT},
		{"q1 0 a 1\nq1 0 a 0\n", RUN, "qrels.txt:2: duplicate judgement of doc 'a' for query 'q1' (first at line 1)",
		 CE_E_FORMAT},
		{"query-id\tcorpus-id\tscore\nq1\ta\n", RUN, "qrels.txt:2: expected 3 tab-separated fields", CE_E_FORMAT},
		{"q9 0 a 1\n", RUN, "no query has both results and judgements", CE_E_MISMATCH},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct score_options o;
		score_options_init(&o);
		o.qrels_path = tmp_file("qrels.txt", cases[i].qrels);
		o.run_path = tmp_file("run.txt", cases[i].run);
		char *out;
		struct ce_err err;
		enum ce_status st = run_score(&o, &out, &err);
		if (st != cases[i].code || !strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: status %d, message '%s', want %d '%s'", i, st, st ? err.msg : "",
				 cases[i].code, cases[i].msg);
		assert_int_equal(out[0], '\0'); /* nothing written on error */
		free(out);
	}
}

static void test_score_bad_options_and_files(void **state)
{
	(void)state;
	struct score_options o;
	score_options_init(&o);
	o.qrels_path = tmp_file("qrels.txt", QRELS);
	o.run_path = tmp_file("run.txt", RUN);
	o.measures = "map,bogus";
	char *out;
	struct ce_err err;
	assert_int_equal(run_score(&o, &out, &err), CE_E_INVALID_ARG);
	assert_non_null(strstr(err.msg, "bogus"));
	free(out);
	o.measures = NULL; /* defaults */
	o.run_path = "/nonexistent/ceval/run.txt";
	assert_true(run_score(&o, &out, &err) != CE_OK);
	assert_non_null(strstr(err.msg, "/nonexistent/ceval/run.txt"));
	free(out);

	/* in-memory variant: a NUL byte inside a docno */
	static const char run_nul[] = "q1 Q0 a\0b 1 1 t\n";
	score_options_init(&o);
	o.run_path = "mem-run";
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(score_run_mem(&o, QRELS, strlen(QRELS), run_nul, sizeof run_nul - 1, f, &err), CE_E_FORMAT);
	fclose(f);
	free(buf);
	assert_non_null(strstr(err.msg, "mem-run:1: NUL byte in docno"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score_trec_output),
		cmocka_unit_test(test_score_ungrouped_run_and_beir_qrels),
		cmocka_unit_test(test_score_complete),
		cmocka_unit_test(test_score_json_and_ties),
		cmocka_unit_test(test_score_malformed),
		cmocka_unit_test(test_score_bad_options_and_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
