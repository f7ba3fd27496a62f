/*
 * Tests of the evaluators (eval/types/ev_*.c) through the fake-embedder seam
 * of evaluator.h.  Each test writes a tiny hand-made dataset (JSON lines) to
 * a temp dir, loads it through dataset_load (so through the task-type table
 * and the record interface) and runs the type's evaluator from the table
 * with a deterministic fake embedder: a text "<name>|x,y,z" embeds as
 * (x, y, z).  Expected values are worked out by hand in the comments.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ce_alloc.h"
#include "dataset.h"
#include "evaluator.h"
#include "leaderboard.h"
#include "metrics.h"
#include "results.h"
#include "task.h"
#include "task_types.h"
#include "test_util.h"

#define DIM 3

/* ------------------------------------------------------------ fake embedder */

struct fake {
	int64_t calls;
	int64_t texts;
	char prefix_seen[64]; /* the start of the first text of the "queries" phase */
	const char *phase;
};

static enum ce_status fake_embed(void *self, const char *const *texts, int64_t n, float *out, struct ce_err *err)
{
	(void)err;
	struct fake *f = self;
	f->calls++;
	f->texts += n;
	for (int64_t i = 0; i < n; i++) {
		const char *bar = strchr(texts[i], '|');
		if (!bar)
			fail_msg("fake embedder: text without a vector: '%s'", texts[i]);
		if (f->phase && !strcmp(f->phase, "queries") && i == 0)
			snprintf(f->prefix_seen, sizeof f->prefix_seen, "%s", texts[i]);
		float x, y, z;
		if (sscanf(bar + 1, "%f,%f,%f", &x, &y, &z) != 3)
			fail_msg("fake embedder: bad vector in '%s'", texts[i]);
		out[i * DIM + 0] = x;
		out[i * DIM + 1] = y;
		out[i * DIM + 2] = z;
	}
	return CE_OK;
}

static void fake_phase(void *self, const char *phase)
{
	((struct fake *)self)->phase = phase;
}

/* ------------------------------------------------------------------ helpers */

static char *g_dir;
static enum ce_compat g_compat; /* level run_eval passes (R1 unless a test says) */

static int setup(void **state)
{
	(void)state;
	g_dir = tu_mkdtemp();
	char p[4200];
	snprintf(p, sizeof p, "%s/d", g_dir);
	if (mkdir(p, 0777) != 0)
		return -1;
	snprintf(p, sizeof p, "%s/d/qrels", g_dir);
	return mkdir(p, 0777) != 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rm_rf(g_dir);
	free(g_dir);
	return 0;
}

static void put(const char *rel, const char *text)
{
	char p[4200];
	snprintf(p, sizeof p, "%s/d/%s", g_dir, rel);
	tu_write_file(p, text, strlen(text));
}

static struct task *mk_task(const char *type, const char *split, const char *extra)
{
	char y[1024];
	snprintf(y, sizeof y, "name: T\ntype: %s\ndataset: {path: d}\neval_splits: [%s]\n%s", type, split,
		 extra ? extra : "");
	struct task *t;
	struct ce_err err;
	if (task_load_buffer("t.yaml", y, strlen(y), &t, &err) != CE_OK)
		fail_msg("%s", err.msg);
	return t;
}

/* Load split of t from the temp dir and run its evaluator; metrics into *m (metric_set_deinit). */
static void run_eval(const struct task *t, const char *split, const char *instruction, struct fake *f,
		     struct metric_set *m)
{
	struct dataset *ds;
	struct ce_err err;
	if (dataset_load(t, g_dir, split, &ds, &err) != CE_OK)
		fail_msg("%s", err.msg);
	memset(f, 0, sizeof *f);
	struct embedder emb = {.embed = fake_embed, .self = f, .dim = DIM, .set_phase = fake_phase};
	struct eval_ctx ctx = {.task = t, .emb = &emb, .query_instruction = instruction, .threads = 1, .compat = g_compat};
	metric_set_init(m);
	const struct evaluator *ev = evaluator_for(t->type);
	assert_non_null(ev);
	assert_ptr_equal(ev->run, task_types[t->type]->evaluator.run);
	if (ev->run(&ctx, ds, m, &err) != CE_OK)
		fail_msg("%s", err.msg);
	dataset_free(ds);
}

static double get(const struct metric_set *m, const char *name)
{
	double v;
	if (!metric_set_get(m, name, &v))
		fail_msg("metric %s missing", name);
	return v;
}

#define assert_near(a, b) \
	do { \
		double a_ = (a), b_ = (b); \
		if (!(fabs(a_ - b_) <= 1e-6)) \
			fail_msg("%s = %.9g, want %.9g", #a, a_, b_); \
	} while (0)

/* -------------------------------------------------------------------- STS */

/* cosines of the pairs: 1, 1/sqrt2, 0, -1/sqrt2 */
#define STS_PAIRS(g0, g1, g2, g3) \
	"{\"sentence1\": \"a|1,0,0\", \"sentence2\": \"b|1,0,0\", \"score\": " #g0 "}\n" \
	"{\"sentence1\": \"c|1,0,0\", \"sentence2\": \"d|1,1,0\", \"score\": " #g1 "}\n" \
	"{\"sentence1\": \"e|1,0,0\", \"sentence2\": \"f|0,1,0\", \"score\": " #g2 "}\n" \
	"{\"sentence1\": \"g|1,0,0\", \"sentence2\": \"h|-1,1,0\", \"score\": " #g3 "}\n"

static void test_ev_sts(void **state)
{
	(void)state;
	struct task *t = mk_task("sts", "test", NULL);
	struct fake f;
	struct metric_set m;
	/* gold ranks = cosine ranks: Spearman 1 */
	put("test.jsonl", STS_PAIRS(3, 2, 1, 0));
	run_eval(t, "test", "", &f, &m);
	assert_near(get(&m, "cosine_spearman"), 1.0);
	assert_near(get(&m, "spearman"), 1.0);
	/* Pearson of x = (1, 1/sqrt2, 0, -1/sqrt2) with y = (3, 2, 1, 0): mean x = 1/4, mean y = 3/2;
	   sum dx dy = sum x dy = 1.5 + sqrt2, sum dx^2 = 2 - 4/16 = 1.75, sum dy^2 = 5 -> 0.98518 */
	assert_near(get(&m, "cosine_pearson"), (1.5 + sqrt(2.0)) / sqrt(1.75 * 5.0));
	assert_int_equal(f.texts, 8); /* 8 distinct texts, one embed call */
	assert_int_equal(f.calls, 1);
	metric_set_deinit(&m);
	/* reversed gold: -1 */
	put("test.jsonl", STS_PAIRS(0, 1, 2, 3));
	run_eval(t, "test", "", &f, &m);
	assert_near(get(&m, "cosine_spearman"), -1.0);
	metric_set_deinit(&m);
	/* two neighbours swapped: 1 - 6 * 2 / (4 * 15) = 0.8 */
	put("test.jsonl", STS_PAIRS(3, 2, 0, 1));
	run_eval(t, "test", "", &f, &m);
	assert_near(get(&m, "cosine_spearman"), 0.8);
	metric_set_deinit(&m);
	task_free(t);
}

/* ---------------------------------------------------------- summarization */

/* plain Pearson (for the hand computation below) */
static double pearson_plain(const double *x, const double *y, int n)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
	for (int i = 0; i < n; i++) {
		mx += x[i] / n;
		my += y[i] / n;
	}
	for (int i = 0; i < n; i++) {
		sxy += (x[i] - mx) * (y[i] - my);
		sxx += (x[i] - mx) * (x[i] - mx);
		syy += (y[i] - my) * (y[i] - my);
	}
	return sxy / sqrt(sxx * syy);
}

#define SUMM_ROWS(relA) \
	/* A: kept, 3 machine summaries; cos (1, s, 0), dot (2, 1, 0) */ \
	"{\"text\": \"A\", \"human_summaries\": [\"ha|1,0,0\"], \"machine_summaries\": [\"a1|2,0,0\", \"a2|1,1,0\", " \
	"\"a3|0,1,0\"], \"relevance\": " relA "}\n" \
	/* B: skipped, constant relevance */ \
	"{\"text\": \"B\", \"human_summaries\": [\"hb|1,0,0\"], \"machine_summaries\": [\"b1|1,0,0\", \"b2|0,1,0\", " \
	"\"b3|1,1,0\"], \"relevance\": [2, 2, 2]}\n" \
	/* C: skipped, every cosine prediction 1 (dot 1, 2, 3 differ) */ \
	"{\"text\": \"C\", \"human_summaries\": [\"hc|1,0,0\"], \"machine_summaries\": [\"c1|1,0,0\", \"c2|2,0,0\", " \
	"\"c3|3,0,0\"], \"relevance\": [1, 2, 3]}\n" \
	/* D: kept, 2 human summaries (max over them): cos (1, 1, s, 0), dot (1, 2, 1, 0) */ \
	"{\"text\": \"D\", \"human_summaries\": [\"hd1|1,0,0\", \"hd2|0,1,0\"], \"machine_summaries\": [\"d1|1,0,0\", " \
	"\"d2|0,2,0\", \"d3|1,1,0\", \"d4|0,0,1\"], \"relevance\": [1, 2, 3, 4.0]}\n"

static void test_ev_summarization(void **state)
{
	(void)state;
	struct task *t = mk_task("summarization", "test", NULL);
	assert_string_equal(t->main_score, "cosine_spearman");
	struct fake f;
	struct metric_set m;
	put("test.jsonl", SUMM_ROWS("[3, 2, 1]"));
	const double s = 1 / sqrt(2.0), pi = acos(-1.0);
	/* A: Spearman 1 (cos and dot), dot Pearson 1: p = 0, (1 + 0) / 2 = 0.5.  cos Pearson rA with
	   n = 3 (df 1): p = I_{1-r^2}(1/2, 1/2) = (2 / pi) asin(sqrt(1 - r^2)). */
	double xa[3] = {1, s, 0}, ya[3] = {3, 2, 1};
	double ra = pearson_plain(xa, ya, 3), pa = 2 / pi * asin(sqrt(1 - ra * ra));
	/* D (n = 4, df 2): p = I_{1-r^2}(1, 1/2) = 1 - |r|, so (r + p) / 2 = r + 1/2 for r < 0.
	   cos ranks (3.5, 3.5, 2, 1) vs (1, 2, 3, 4): -4.5 / sqrt(22.5); dot ranks (2.5, 4, 2.5, 1):
	   -3 / sqrt(22.5); dot Pearson of (1, 2, 1, 0): -2 / sqrt(10). */
	double xd[4] = {1, 1, s, 0}, yd[4] = {1, 2, 3, 4};
	double rd = pearson_plain(xd, yd, 4);
	double want_cs = (0.5 + (-4.5 / sqrt(22.5) + 0.5)) / 2, want_cp = ((ra + pa) / 2 + (rd + 0.5)) / 2;
	double want_ds = (0.5 + (-3 / sqrt(22.5) + 0.5)) / 2, want_dp = (0.5 + (-2 / sqrt(10.0) + 0.5)) / 2;
	for (int level = 0; level < 2; level++) {
		/* R3 = R1: mteb 2.x evaluates SummEval with its deprecated (tuple-mean) evaluator */
		g_compat = level ? CE_COMPAT_R3 : CE_COMPAT_R1;
		run_eval(t, "test", "", &f, &m);
		assert_near(get(&m, "cosine_spearman"), want_cs);
		assert_near(get(&m, "cosine_pearson"), want_cp);
		assert_near(get(&m, "dot_spearman"), want_ds);
		assert_near(get(&m, "dot_pearson"), want_dp);
		assert_int_equal(f.texts, 5 + 13); /* every human and machine summary */
		assert_int_equal(f.calls, 2);
		metric_set_deinit(&m);
	}
	g_compat = CE_COMPAT_R1;
	/* the p-value and the incomplete beta directly: df 1 and df 2 closed forms, |r| = 1, n = 2 */
	assert_near(metric_corr_pvalue(0.6, 3), 2 / pi * asin(0.8));
	assert_near(metric_corr_pvalue(-0.3, 4), 0.7);
	assert_near(metric_corr_pvalue(1.0, 10), 0.0);
	assert_near(metric_corr_pvalue(0.2, 2), 1.0);
	assert_near(metric_betainc(2, 3, 0.4), 0.5248); /* 1 - sum_{j<2} C(4,j) 0.4^j 0.6^(4-j) */
	assert_near(metric_betainc(30, 0.5, 0.97), 1 - metric_betainc(0.5, 30, 0.03));
	/* relevance list shorter than machine_summaries: a one-line error naming the task and row */
	put("test.jsonl", SUMM_ROWS("[3, 2]"));
	struct dataset *ds;
	struct ce_err err;
	assert_int_equal(dataset_load(t, g_dir, "test", &ds, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "test.jsonl:1: task T: column 'relevance' has 2 scores"));
	assert_null(strchr(err.msg, '\n'));
	/* a text whose texts are all skipped: an error, not a NaN */
	put("test.jsonl", "{\"text\": \"C\", \"human_summaries\": [\"hc|1,0,0\"], \"machine_summaries\": [\"c1|1,0,0\", "
			  "\"c2|2,0,0\", \"c3|3,0,0\"], \"relevance\": [1, 2, 3]}\n");
	assert_int_equal(dataset_load(t, g_dir, "test", &ds, &err), CE_OK);
	memset(&f, 0, sizeof f);
	struct embedder emb = {.embed = fake_embed, .self = &f, .dim = DIM, .set_phase = fake_phase};
	struct eval_ctx ctx = {.task = t, .emb = &emb, .query_instruction = "", .threads = 1};
	metric_set_init(&m);
	assert_int_equal(evaluator_for(t->type)->run(&ctx, ds, &m, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "every text was skipped"));
	metric_set_deinit(&m);
	dataset_free(ds);
	task_free(t);
}

/* ---------------------------------------------------- pair classification */

static void test_ev_pair_classification(void **state)
{
	(void)state;
	struct task *t = mk_task("pair_classification", "test", NULL);
	struct fake f;
	struct metric_set m;
	/* cosines 1 (pos), 1/sqrt2 (neg), 0 (pos), -1/sqrt2 (neg): ranked pos, neg, pos, neg.
	   AP = (1/1 + 2/3) / 2 = 5/6; best accuracy 3/4 (threshold at 1 or at 0) */
	put("test.jsonl", "{\"sentence1\": \"a|1,0,0\", \"sentence2\": \"b|1,0,0\", \"label\": 1}\n"
			  "{\"sentence1\": \"c|1,0,0\", \"sentence2\": \"d|1,1,0\", \"label\": 0}\n"
			  "{\"sentence1\": \"e|1,0,0\", \"sentence2\": \"f|0,1,0\", \"label\": 1}\n"
			  "{\"sentence1\": \"g|1,0,0\", \"sentence2\": \"h|-1,1,0\", \"label\": 0}\n");
	run_eval(t, "test", "", &f, &m);
	assert_near(get(&m, "cosine_ap"), 5.0 / 6.0);
	assert_near(get(&m, "cosine_accuracy"), 0.75);
	metric_set_deinit(&m);
	/* separable: positives have the higher cosines: AP 1, accuracy 1 */
	put("test.jsonl", "{\"sentence1\": \"a|1,0,0\", \"sentence2\": \"b|1,0,0\", \"label\": 1}\n"
			  "{\"sentence1\": \"c|1,0,0\", \"sentence2\": \"d|1,1,0\", \"label\": 1}\n"
			  "{\"sentence1\": \"e|1,0,0\", \"sentence2\": \"f|0,1,0\", \"label\": 0}\n"
			  "{\"sentence1\": \"g|1,0,0\", \"sentence2\": \"h|-1,1,0\", \"label\": 0}\n");
	run_eval(t, "test", "", &f, &m);
	assert_near(get(&m, "cosine_ap"), 1.0);
	assert_near(get(&m, "cosine_accuracy"), 1.0);
	assert_near(get(&m, "max_ap"), 1.0);
	metric_set_deinit(&m);
	task_free(t);
}

/* -------------------------------------------------------------- retrieval */

static void test_ev_retrieval(void **state)
{
	(void)state;
	struct task *t = mk_task("retrieval", "dev", NULL);
	struct fake f;
	struct metric_set m;
	/* q1 = (1,0,0): d1 1, d4 .6, d2 0, d3 0      -> its relevant d1 is first
	   q2 = (.8,.6,0): d4 .96, d1 .8, d2 .6, d3 0 -> its relevant d1 is second */
	put("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"d1|1,0,0\"}\n"
			    "{\"_id\": \"d2\", \"text\": \"d2|0,1,0\"}\n"
			    "{\"_id\": \"d3\", \"title\": \"\", \"text\": \"d3|0,0,1\"}\n"
			    "{\"_id\": \"d4\", \"text\": \"d4|0.6,0.8,0\"}\n");
	put("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"q1|1,0,0\"}\n{\"_id\": \"q2\", \"text\": \"q2|0.8,0.6,0\"}\n");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
	run_eval(t, "dev", "Q: ", &f, &m);
	/* only q1 is judged: perfect */
	assert_near(get(&m, "ndcg_at_10"), 1.0);
	assert_near(get(&m, "mrr_at_10"), 1.0);
	assert_near(get(&m, "recall_at_1"), 1.0);
	assert_near(get(&m, "precision_at_1"), 1.0);
	/* the query instruction is prepended to queries only */
	assert_int_equal(strncmp(f.prefix_seen, "Q: q1|", 6), 0);
	metric_set_deinit(&m);
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td1\t1\n");
	run_eval(t, "dev", "", &f, &m);
	/* q1: nDCG 1, q2: relevant at rank 2: 1 / log2(3) = 0.63093; mean 0.815465 (rounded to 5 places) */
	assert_near(get(&m, "ndcg_at_10"), 0.81546);
	assert_near(get(&m, "ndcg_at_1"), 0.5);
	assert_near(get(&m, "mrr_at_10"), 0.75);
	assert_near(get(&m, "map_at_10"), 0.75);
	assert_near(get(&m, "recall_at_1"), 0.5);
	assert_near(get(&m, "recall_at_3"), 1.0);
	assert_near(get(&m, "precision_at_1"), 0.5);
	/* P@3: one relevant among 3 for each query */
	assert_near(get(&m, "precision_at_3"), 0.33333);
	metric_set_deinit(&m);
	task_free(t);
}

/* -------------------------------------------------------------- reranking */

static void test_ev_reranking(void **state)
{
	(void)state;
	struct task *t = mk_task("reranking", "test", NULL);
	struct fake f;
	struct metric_set m;
	put("test.jsonl", "{\"query\": \"q|1,0,0\", \"positive\": [\"p|1,0,0\"], \"negative\": [\"n|0,1,0\"]}\n");
	run_eval(t, "test", "", &f, &m);
	assert_near(get(&m, "map"), 1.0);
	assert_near(get(&m, "mrr"), 1.0);
	metric_set_deinit(&m);
	/* candidates: A (.6,.8,0) pos cos .6, B (0,0,1) pos cos 0, C (.8,.6,0) neg cos .8:
	   ranked C, A, B -> AP = (1/2 + 2/3) / 2 = 7/12, MRR 1/2.  The second sample has no
	   negative: dropped (spec §3.2), so it does not count. */
	put("test.jsonl", "{\"query\": \"q|1,0,0\", \"positive\": [\"A|0.6,0.8,0\", \"B|0,0,1\"], \"negative\": [\"C|0.8,0.6,0\"]}\n"
			  "{\"query\": \"r|1,0,0\", \"positive\": [\"D|1,0,0\"], \"negative\": []}\n");
	run_eval(t, "test", "", &f, &m);
	assert_near(get(&m, "map"), 7.0 / 12.0);
	assert_near(get(&m, "mrr"), 0.5);
	metric_set_deinit(&m);
	task_free(t);
}

/* ------------------------------------------------------------ R3 (mteb 2.x) */

static void test_ev_r3(void **state)
{
	(void)state;
	struct task *t = mk_task("retrieval", "dev", NULL);
	struct fake f;
	struct metric_set m;
	/* q1 = (1,0,0): da and db tie at .6, dc 0; relevant da.  q2 has no qrels. */
	put("corpus.jsonl", "{\"_id\": \"da\", \"text\": \"da|0.6,0.8,0\"}\n"
			    "{\"_id\": \"db\", \"text\": \"db|0.6,0,0.8\"}\n"
			    "{\"_id\": \"dc\", \"text\": \"dc|0,1,0\"}\n");
	put("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"q1|1,0,0\"}\n{\"_id\": \"q2\", \"text\": \"q2|0,0,1\"}\n");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\tda\t1\n");
	g_compat = CE_COMPAT_R3;
	run_eval(t, "dev", "", &f, &m);
	/* ties by doc id descending for MRR too: db ranks above da */
	assert_near(get(&m, "mrr_at_10"), 0.5);
	assert_near(get(&m, "ndcg_at_10"), 0.63093);
	/* R3's k list has 20; q2 (no qrels) is not even embedded: 3 docs + 1 query */
	assert_near(get(&m, "ndcg_at_20"), 0.63093);
	assert_int_equal(f.texts, 4);
	metric_set_deinit(&m);
	/* R1: no k = 20, every query embedded */
	g_compat = CE_COMPAT_R1;
	run_eval(t, "dev", "", &f, &m);
	double v;
	assert_false(metric_set_get(&m, "ndcg_at_20", &v));
	assert_int_equal(f.texts, 5);
	metric_set_deinit(&m);
	/* MRR is a plain mean in R3 (1/3 with the relevant third), rounded to 5 decimals in R1 */
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\tdc\t1\n");
	g_compat = CE_COMPAT_R3;
	run_eval(t, "dev", "", &f, &m);
	assert_true(get(&m, "mrr_at_10") == 1.0 / 3.0);
	metric_set_deinit(&m);
	g_compat = CE_COMPAT_R1;
	run_eval(t, "dev", "", &f, &m);
	assert_true(get(&m, "mrr_at_10") == 0.33333);
	metric_set_deinit(&m);
	task_free(t);
	/* ignore_identical_ids_r3: a doc whose id is the query's is removed at scoring time */
	t = mk_task("retrieval", "dev", "parameters: {ignore_identical_ids_r3: true}\n");
	put("queries.jsonl", "{\"_id\": \"dc\", \"text\": \"dc|0,1,0\"}\n");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\ndc\tda\t1\n");
	g_compat = CE_COMPAT_R3;
	run_eval(t, "dev", "", &f, &m);
	assert_near(get(&m, "mrr_at_10"), 1.0); /* dc itself (cos 1) gone: da (.8) first */
	metric_set_deinit(&m);
	task_free(t);
	t = mk_task("retrieval", "dev", NULL); /* the flag is off by default at R3 */
	run_eval(t, "dev", "", &f, &m);
	assert_near(get(&m, "mrr_at_10"), 0.5);
	metric_set_deinit(&m);
	task_free(t);

	/* reranking at R3: a sample without negatives counts; trec values only, main map_at_1000 */
	t = mk_task("reranking", "test", NULL);
	assert_string_equal(task_main_score(t, CE_COMPAT_R3), "map_at_1000");
	assert_string_equal(task_main_score(t, CE_COMPAT_R1), "map");
	put("test.jsonl", "{\"query\": \"q|1,0,0\", \"positive\": [\"A|0.6,0.8,0\", \"B|0,0,1\"], \"negative\": [\"C|0.8,0.6,0\"]}\n"
			  "{\"query\": \"r|1,0,0\", \"positive\": [\"D|1,0,0\"], \"negative\": []}\n"
			  "{\"query\": \"s|1,0,0\", \"positive\": [], \"negative\": [\"E|1,0,0\"]}\n");
	g_compat = CE_COMPAT_R3;
	run_eval(t, "test", "", &f, &m);
	/* (7/12 + 1) / 2 = 0.791666.. -> 0.79167 */
	assert_true(get(&m, "map_at_1000") == 0.79167);
	assert_near(get(&m, "mrr_at_10"), 0.75);
	assert_false(metric_set_get(&m, "map", &v));
	assert_false(metric_set_get(&m, "mrr", &v));
	metric_set_deinit(&m);
	g_compat = CE_COMPAT_R1;
	task_free(t);
	/* pair classification: R3 main score max_accuracy */
	t = mk_task("pair_classification", "test", NULL);
	assert_string_equal(task_main_score(t, CE_COMPAT_R3), "max_accuracy");
	assert_string_equal(task_main_score(t, CE_COMPAT_R1), "cosine_ap");
	task_free(t);
	/* a task file may name its own R3 main score */
	t = mk_task("pair_classification", "test", "main_score_r3: max_ap\n");
	assert_string_equal(task_main_score(t, CE_COMPAT_R3), "max_ap");
	task_free(t);
}

/* ------------------------------------------------------------- clustering */

static void test_ev_clustering(void **state)
{
	(void)state;
	struct task *t = mk_task("clustering", "test", NULL);
	struct fake f;
	struct metric_set m;
	/* two well separated groups per set: any k-means finds them, V-measure 1 */
	put("test.jsonl",
	    "{\"sentences\": [\"a|1,0,0\", \"b|0.9,0.1,0\", \"c|0,0,1\", \"d|0,0.1,0.9\", \"e|1,0.05,0\"], "
	    "\"labels\": [\"x\", \"x\", \"y\", \"y\", \"x\"]}\n"
	    "{\"sentences\": [\"f|0,1,0\", \"g|0,0.95,0.05\", \"h|1,0,0\", \"i|0.95,0,0.05\"], "
	    "\"labels\": [\"u\", \"u\", \"w\", \"w\"]}\n");
	run_eval(t, "test", "", &f, &m);
	assert_near(get(&m, "v_measure"), 1.0);
	assert_near(get(&m, "v_measure_std"), 0.0);
	metric_set_deinit(&m);
	task_free(t);
}

/* --------------------------------------------------------- classification */

static void test_ev_classification(void **state)
{
	(void)state;
	struct task *t = mk_task("classification", "test", "parameters: {samples_per_label: 4, n_experiments: 2}\n");
	struct fake f;
	struct metric_set m;
	/* label 0 near (1,0,0), label 1 near (0,1,0): linearly separable */
	put("train.jsonl", "{\"text\": \"a|1,0,0\", \"label\": 0}\n{\"text\": \"b|0.9,0.1,0\", \"label\": 0}\n"
			   "{\"text\": \"c|1,0.2,0.1\", \"label\": 0}\n{\"text\": \"d|0.8,0,0.1\", \"label\": 0}\n"
			   "{\"text\": \"e|0,1,0\", \"label\": 1}\n{\"text\": \"f|0.1,0.9,0\", \"label\": 1}\n"
			   "{\"text\": \"g|0.2,1,0.1\", \"label\": 1}\n{\"text\": \"h|0,0.8,0.1\", \"label\": 1}\n");
	put("test.jsonl", "{\"text\": \"i|0.95,0.05,0\", \"label\": 0}\n{\"text\": \"j|0.05,0.95,0\", \"label\": 1}\n"
			  "{\"text\": \"k|1,0.1,0\", \"label\": 0}\n{\"text\": \"l|0.1,1,0\", \"label\": 1}\n");
	run_eval(t, "test", "", &f, &m);
	assert_near(get(&m, "accuracy"), 1.0);
	assert_near(get(&m, "f1"), 1.0);
	assert_near(get(&m, "accuracy_stderr"), 0.0);
	metric_set_deinit(&m);
	task_free(t);
}

/* ------------------------------------------------------------- the table */

static void test_task_type_table(void **state)
{
	(void)state;
	/* every entry present, in enum order, with every member set (a forgotten one is NULL) */
	for (int i = 0; i < TASK_TYPE_COUNT; i++) {
		const struct task_type_desc *d = task_types[i];
		assert_non_null(d);
		assert_int_equal(d->type, i);
		assert_ptr_equal(task_type_desc((enum task_type)i), d);
		assert_non_null(d->name);
		assert_non_null(d->title);
		assert_non_null(d->default_main_score);
		assert_non_null(d->params);
		assert_non_null(d->columns);
		assert_non_null(d->columns[0]);
		assert_non_null(d->metrics);
		assert_non_null(d->metrics[0]);
		/* the default main score is one of the scores the type reports */
		int reported = 0;
		for (int m = 0; d->metrics[m]; m++) {
			size_t n = strlen(d->metrics[m]);
			reported |= d->type == TASK_TYPE_RETRIEVAL ? strncmp(d->default_main_score, d->metrics[m], n) == 0 &&
									 d->default_main_score[n] == '_'
								   : strcmp(d->default_main_score, d->metrics[m]) == 0;
		}
		assert_true(reported);
		/* and so is the R3 one */
		assert_non_null(d->default_main_score_r3);
		reported = 0;
		for (int m = 0; d->metrics[m]; m++) {
			size_t n = strlen(d->metrics[m]);
			reported |= d->type == TASK_TYPE_RETRIEVAL
					    ? strncmp(d->default_main_score_r3, d->metrics[m], n) == 0 &&
						      d->default_main_score_r3[n] == '_'
					    : strcmp(d->default_main_score_r3, d->metrics[m]) == 0;
		}
		assert_true(reported);
		assert_non_null(d->load);
		assert_non_null(d->n_rows);
		assert_non_null(d->deinit);
		assert_non_null(d->subset);
		assert_non_null(d->subset_keep);
		assert_non_null(d->count_texts);
		assert_int_equal(d->evaluator.type, i);
		assert_string_equal(d->evaluator.name, d->name);
		assert_non_null(d->evaluator.run);
		assert_ptr_equal(evaluator_for((enum task_type)i), &d->evaluator);
		assert_string_equal(task_type_name((enum task_type)i), d->name);
		/* names distinct */
		for (int j = 0; j < i; j++)
			assert_string_not_equal(task_types[j]->name, d->name);
	}
	assert_null(task_type_desc(TASK_TYPE_COUNT));
	assert_null(evaluator_for(TASK_TYPE_COUNT));
	/* the leaderboard's column order names every type once */
	int seen[TASK_TYPE_COUNT] = {0};
	for (int i = 0; i < TASK_TYPE_COUNT; i++) {
		assert_in_range(leaderboard_type_order[i], 0, TASK_TYPE_COUNT - 1);
		seen[leaderboard_type_order[i]]++;
	}
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		assert_int_equal(seen[i], 1);
	assert_string_equal(leaderboard_type_title(TASK_TYPE_PAIR_CLASSIFICATION), "PairClassification");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_type_table),
		cmocka_unit_test(test_ev_sts),
		cmocka_unit_test(test_ev_pair_classification),
		cmocka_unit_test(test_ev_retrieval),
		cmocka_unit_test(test_ev_reranking),
		cmocka_unit_test(test_ev_r3),
		cmocka_unit_test(test_ev_clustering),
		cmocka_unit_test(test_ev_classification),
		cmocka_unit_test(test_ev_summarization),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
