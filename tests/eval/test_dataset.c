/*
 * Tests of eval/dataset.c.  Counts and label distributions are the ones
 * ../shared/data/cmteb-mini/SOURCES.md states for each file; the corpus text
 * rule is checked against Python's str.strip() (expected strings written out
 * from `python3 -c "print(repr(...strip()))"`).  Broken files are written to
 * a temp dir and must fail with file:line in the message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zstd.h>

#include "ce_alloc.h"
#include "dataset.h"
#include "fs_util.h"
#include "subset.h"
#include "task.h"
#include "test_util.h"

static struct task *load_task_file(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "tasks/cmteb-mini/%s.yaml", name);
	struct task *t;
	struct ce_err err;
	if (task_load_file(path, &t, &err) != CE_OK)
		fail_msg("%s", err.msg);
	return t;
}

static struct dataset *load_ok(const struct task *t, const char *root, const char *split)
{
	struct dataset *ds;
	struct ce_err err;
	if (dataset_load(t, root, split, &ds, &err) != CE_OK)
		fail_msg("%s: %s", t->name, err.msg);
	assert_int_equal(ds->type, t->type);
	assert_string_equal(ds->split, split);
	return ds;
}

static struct dataset *load_mini(const char *name, struct task **tp)
{
	struct task *t = load_task_file(name);
	struct dataset *ds = load_ok(t, tu_shared("data"), t->eval_splits[0]);
	*tp = t;
	return ds;
}

static int64_t count_score(const struct ds_sts *d, double v)
{
	int64_t c = 0;
	for (int64_t i = 0; i < d->s1.n; i++)
		c += d->score[i] == v;
	return c;
}

static void test_dataset_sts(void **state)
{
	(void)state;
	struct task *t;
	struct dataset *ds = load_mini("LCQMC-mini", &t);
	assert_int_equal(ds->sts.s1.n, 1000);
	assert_int_equal(ds->sts.s2.n, 1000);
	assert_int_equal(dataset_n_rows(ds), 1000);
	/* SOURCES.md: Score distribution in sample: 0: 502, 1: 498 */
	assert_int_equal(count_score(&ds->sts, 0), 502);
	assert_int_equal(count_score(&ds->sts, 1), 498);
	/* first line of the file */
	assert_string_equal(strtab_get(&ds->sts.s1, 0), "血红蛋白低吃什么好");
	assert_string_equal(strtab_get(&ds->sts.s2, 0), "吃什么补血红蛋白");
	assert_int_equal(strtab_len(&ds->sts.s2, 0), strlen("吃什么补血红蛋白"));
	dataset_free(ds);
	task_free(t);

	ds = load_mini("STSB-mini", &t);
	/* 0: 170, 1: 140, 2: 200, 3: 245, 4: 182, 5: 63 */
	static const int64_t want[6] = {170, 140, 200, 245, 182, 63};
	for (int v = 0; v <= 5; v++)
		assert_int_equal(count_score(&ds->sts, v), want[v]);
	dataset_free(ds);
	task_free(t);

	ds = load_mini("QBQTC-mini", &t);
	assert_int_equal(count_score(&ds->sts, 0), 232);
	assert_int_equal(count_score(&ds->sts, 1), 638);
	assert_int_equal(count_score(&ds->sts, 2), 130);
	dataset_free(ds);
	task_free(t);
}

static void test_dataset_pair(void **state)
{
	(void)state;
	struct task *t;
	struct dataset *ds = load_mini("Ocnli-mini", &t);
	assert_int_equal(ds->pair.s1.n, 1000);
	int64_t ones = 0;
	for (int64_t i = 0; i < ds->pair.s1.n; i++)
		ones += ds->pair.label[i];
	assert_int_equal(ones, 502); /* Labels in sample: 1=502, 0=498 */
	dataset_free(ds);
	task_free(t);
	ds = load_mini("Cmnli-mini", &t);
	ones = 0;
	for (int64_t i = 0; i < ds->pair.s1.n; i++)
		ones += ds->pair.label[i];
	assert_int_equal(ones, 531);
	dataset_free(ds);
	task_free(t);
}

static int64_t count_id(const int32_t *ids, int64_t n, int32_t id)
{
	int64_t c = 0;
	for (int64_t i = 0; i < n; i++)
		c += ids[i] == id;
	return c;
}

static void test_dataset_classification(void **state)
{
	(void)state;
	struct task *t;
	struct dataset *ds = load_mini("Waimai-mini", &t);
	struct ds_classification *c = &ds->classification;
	assert_int_equal(c->train_texts.n, 2000);
	assert_int_equal(c->eval_texts.n, 1000);
	assert_int_equal(c->labels.n_classes, 2);
	assert_false(c->labels.is_string);
	assert_int_equal(c->labels.values[0], 0);
	assert_int_equal(c->labels.values[1], 1);
	/* 0 (test 666, train 1332); 1 (test 334, train 668) */
	assert_int_equal(count_id(c->eval_labels, 1000, 0), 666);
	assert_int_equal(count_id(c->train_labels, 2000, 1), 668);
	dataset_free(ds);
	task_free(t);

	ds = load_mini("TNews-mini", &t);
	c = &ds->classification;
	assert_int_equal(c->labels.n_classes, 15);
	assert_true(c->labels.is_string);
	/* ids in sorted order, like numpy.unique */
	assert_string_equal(strtab_get(&c->labels.names, 0), "news_agriculture");
	assert_string_equal(strtab_get(&c->labels.names, 14), "news_world");
	assert_int_equal(count_id(c->eval_labels, 1000, 0), 66);
	assert_int_equal(count_id(c->train_labels, 2000, 0), 138);
	/* news_stock (test 67, train 99) is id 10 */
	assert_string_equal(strtab_get(&c->labels.names, 10), "news_stock");
	assert_int_equal(count_id(c->train_labels, 2000, 10), 99);
	/* first test line: {"text": "通讯：中国助力埃塞俄比亚基础设施发展", "label": "news_world"} */
	assert_string_equal(strtab_get(&c->eval_texts, 0), "通讯：中国助力埃塞俄比亚基础设施发展");
	assert_int_equal(c->eval_labels[0], 14);
	dataset_free(ds);
	task_free(t);

	ds = load_mini("IFlyTek-mini", &t);
	c = &ds->classification;
	assert_int_equal(c->train_texts.n, 600);
	assert_int_equal(c->eval_texts.n, 400);
	assert_int_equal(c->labels.n_classes, 119); /* union of train and test labels */
	dataset_free(ds);
	task_free(t);

	ds = load_mini("EPRSTMT-mini", &t);
	c = &ds->classification;
	assert_int_equal(c->train_texts.n, 266);
	assert_int_equal(c->eval_texts.n, 610);
	assert_string_equal(strtab_get(&c->labels.names, 0), "Negative");
	assert_int_equal(count_id(c->eval_labels, 610, 0), 305);
	assert_int_equal(count_id(c->train_labels, 266, 1), 132);
	dataset_free(ds);
	task_free(t);
}

static void test_dataset_clustering(void **state)
{
	(void)state;
	struct task *t;
	struct dataset *ds = load_mini("CLSClusteringS2S-mini", &t);
	struct ds_clustering *c = &ds->clustering;
	assert_int_equal(c->n_sets, 3);
	for (int s = 0; s < 3; s++)
		assert_int_equal(c->set_off[s + 1] - c->set_off[s], 2000);
	assert_int_equal(c->sentences.n, 6000);
	assert_int_equal(c->label_set.n_classes, 13);
	/* 工学 (2626) over all sets; 军事学 (63) */
	int32_t gx = -1, js = -1;
	for (int32_t i = 0; i < 13; i++) {
		if (!strcmp(strtab_get(&c->label_set.names, i), "工学"))
			gx = i;
		if (!strcmp(strtab_get(&c->label_set.names, i), "军事学"))
			js = i;
	}
	assert_int_equal(count_id(c->labels, 6000, gx), 2626);
	assert_int_equal(count_id(c->labels, 6000, js), 63);
	assert_string_equal(strtab_get(&c->sentences, 0), "带利率和随机观测时间的布朗运动模型中最优分红策略");
	dataset_free(ds);
	task_free(t);

	ds = load_mini("ThuNewsClusteringS2S-mini", &t);
	assert_int_equal(ds->clustering.label_set.n_classes, 10);
	assert_string_equal(strtab_get(&ds->clustering.label_set.names, 0), "education");
	assert_int_equal(count_id(ds->clustering.labels, 6000, 0), 606);
	dataset_free(ds);
	task_free(t);
}

static void test_dataset_reranking(void **state)
{
	(void)state;
	struct task *t;
	struct dataset *ds = load_mini("MedDialogReranking-mini", &t);
	struct ds_reranking *r = &ds->reranking;
	assert_int_equal(r->queries.n, 200);
	for (int64_t i = 0; i < 200; i++) {
		assert_int_equal(r->pos_off[i + 1] - r->pos_off[i], 1);
		assert_int_equal(r->neg_off[i + 1] - r->neg_off[i], 10);
	}
	assert_int_equal(r->positives.n, 200);
	assert_int_equal(r->negatives.n, 2000);
	assert_true(strncmp(strtab_get(&r->queries, 0), "孩子刚出生没多久", strlen("孩子刚出生没多久")) == 0);
	dataset_free(ds);
	task_free(t);
}

static void test_dataset_retrieval(void **state)
{
	(void)state;
	struct task *t;
	struct dataset *ds = load_mini("MedDialogRetrieval-mini", &t);
	struct ds_retrieval *r = &ds->retrieval;
	assert_int_equal(r->query_ids.n, 300);
	assert_int_equal(r->corpus_ids.n, 1800);
	assert_int_equal(r->n_qrels, 300);
	for (int64_t i = 0; i < r->n_qrels; i++)
		assert_int_equal(r->qrel_score[i], 1);
	dataset_free(ds);
	task_free(t);

	ds = load_mini("CmrcRetrieval-mini", &t);
	r = &ds->retrieval;
	assert_int_equal(r->query_ids.n, 300);
	assert_int_equal(r->corpus_ids.n, 650);
	assert_int_equal(r->n_qrels, 300);
	/* qrels/dev.tsv line 2: q0	c464	1 */
	assert_string_equal(strtab_get(&r->query_ids, r->qrel_query[0]), "q0");
	assert_string_equal(strtab_get(&r->corpus_ids, r->qrel_doc[0]), "c464");
	/* corpus line 1: _id c0, title 战国无双3: text = title + " " + text */
	assert_string_equal(strtab_get(&r->corpus_ids, 0), "c0");
	const char *want = "战国无双3 《战国无双3》";
	assert_true(strncmp(strtab_get(&r->corpus_texts, 0), want, strlen(want)) == 0);
	dataset_free(ds);
	task_free(t);
}

/* ---- temp-dir fixtures */

static char *g_dir; /* per-test temp data root */

static int setup_tmp(void **state)
{
	(void)state;
	g_dir = tu_mkdtemp();
	char p[4200];
	snprintf(p, sizeof p, "%s/d", g_dir);
	mkdir(p, 0777);
	snprintf(p, sizeof p, "%s/d/qrels", g_dir);
	mkdir(p, 0777);
	return 0;
}

static int teardown_tmp(void **state)
{
	(void)state;
	tu_rm_rf(g_dir);
	free(g_dir);
	g_dir = NULL;
	return 0;
}

static void put(const char *rel, const char *text)
{
	char p[4200];
	snprintf(p, sizeof p, "%s/d/%s", g_dir, rel);
	tu_write_file(p, text, strlen(text));
}

static struct task *tmp_task(const char *type, const char *split)
{
	char y[512];
	snprintf(y, sizeof y, "name: T\ntype: %s\ndataset: {path: d}\neval_splits: [%s]\n", type, split);
	struct task *t;
	struct ce_err err;
	if (task_load_buffer("t.yaml", y, strlen(y), &t, &err) != CE_OK)
		fail_msg("%s", err.msg);
	return t;
}

/* Load must fail with code and a message starting "<tmp>/d/<file_line>" and containing `what`. */
static void expect_fail(const char *type, const char *split, enum ce_status code, const char *file_line,
			const char *what)
{
	struct task *t = tmp_task(type, split);
	struct dataset *ds = (struct dataset *)&ds;
	struct ce_err err;
	enum ce_status s = dataset_load(t, g_dir, split, &ds, &err);
	task_free(t);
	if (s != code)
		fail_msg("status %d, want %d: %s", (int)s, (int)code, err.msg);
	assert_null(ds);
	char want[4400];
	snprintf(want, sizeof want, "%s/d/%s", g_dir, file_line);
	if (strncmp(err.msg, want, strlen(want)) != 0 || !strstr(err.msg, what))
		fail_msg("got: %s\nwant prefix: %s ... %s", err.msg, want, what);
	assert_null(strchr(err.msg, '\n'));
}

/* list-valued reranking queries (MindSmallReranking): offsets per sample; mixing is refused */
static void test_dataset_reranking_lists(void **state)
{
	(void)state;
	put("test.jsonl", "{\"query\": [\"a\", \"b\"], \"positive\": [\"p\"], \"negative\": [\"n1\", \"n2\"]}\n"
			  "{\"query\": [], \"positive\": [], \"negative\": [\"n3\"]}\n"
			  "{\"query\": [\"c\", \"d\", \"e\"], \"positive\": [\"p2\"], \"negative\": [\"n4\"]}\n");
	struct task *t = tmp_task("reranking", "test");
	struct dataset *ds = load_ok(t, g_dir, "test");
	const struct ds_reranking *r = &ds->reranking;
	assert_non_null(r->q_off);
	assert_int_equal(ds_reranking_n(r), 3);
	assert_int_equal(r->queries.n, 5);
	const int64_t want_q[] = {0, 2, 2, 5}, want_p[] = {0, 1, 1, 2}, want_n[] = {0, 2, 3, 4};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(r->q_off[i], want_q[i]);
		assert_int_equal(r->pos_off[i], want_p[i]);
		assert_int_equal(r->neg_off[i], want_n[i]);
	}
	assert_string_equal(strtab_get(&r->queries, 2), "c");
	/* queries + candidates of the two usable samples */
	assert_int_equal(subset_count_texts(ds, t), (2 + 3) + (3 + 2));
	/* a subset of 1 keeps one usable sample with its whole list */
	struct subset_spec spec = {1, 0, SUBSET_SEED};
	struct subset_info info;
	struct ce_err err;
	assert_int_equal(subset_apply(ds, t, &spec, &info, &err), CE_OK);
	assert_int_equal(ds_reranking_n(r), 1);
	assert_non_null(r->q_off);
	assert_int_equal(r->q_off[1], r->queries.n);
	assert_true(r->queries.n == 2 || r->queries.n == 3);
	dataset_free(ds);
	task_free(t);

	put("test.jsonl", "{\"query\": \"a\", \"positive\": [\"p\"], \"negative\": [\"n\"]}\n"
			  "{\"query\": [\"b\"], \"positive\": [\"p\"], \"negative\": [\"n\"]}\n");
	expect_fail("reranking", "test", CE_E_FORMAT, "test.jsonl:2", "a list here, but the earlier rows hold strings");
	put("test.jsonl", "{\"query\": [\"a\"], \"positive\": [\"p\"], \"negative\": [\"n\"]}\n"
			  "{\"query\": \"b\", \"positive\": [\"p\"], \"negative\": [\"n\"]}\n");
	expect_fail("reranking", "test", CE_E_FORMAT, "test.jsonl:2", "but the earlier rows hold lists");
	put("test.jsonl", "{\"query\": [\"a\", 3], \"positive\": [\"p\"], \"negative\": [\"n\"]}\n");
	expect_fail("reranking", "test", CE_E_FORMAT, "test.jsonl:1", "query");
}

static void test_dataset_zstd_identical(void **state)
{
	(void)state;
	/* compress LCQMC-mini/test.jsonl into <tmp>/d/test.jsonl.zst */
	char *data;
	size_t len;
	struct ce_err err;
	assert_int_equal(fs_read_file(tu_shared("data/cmteb-mini/LCQMC-mini/test.jsonl"), 1 << 24, &data, &len, &err),
			 CE_OK);
	size_t cap = ZSTD_compressBound(len);
	char *comp = malloc(cap);
	size_t clen = ZSTD_compress(comp, cap, data, len, 3);
	assert_false(ZSTD_isError(clen));
	char p[4200];
	snprintf(p, sizeof p, "%s/d/test.jsonl.zst", g_dir);
	tu_write_file(p, comp, clen);
	free(comp);
	ce_free(data);

	struct task *t = load_task_file("LCQMC-mini");
	struct dataset *a = load_ok(t, tu_shared("data"), "test");
	ce_free(t->dataset_path);
	t->dataset_path = ce_strdup("d");
	struct dataset *b = load_ok(t, g_dir, "test");
	assert_int_equal(a->sts.s1.n, b->sts.s1.n);
	assert_int_equal(a->sts.s1.len, b->sts.s1.len);
	assert_memory_equal(a->sts.s1.buf, b->sts.s1.buf, a->sts.s1.len);
	assert_memory_equal(a->sts.s2.buf, b->sts.s2.buf, a->sts.s2.len);
	assert_memory_equal(a->sts.score, b->sts.score, (size_t)a->sts.s1.n * sizeof(double));
	/* the hash covers decompressed content, so it is the same */
	assert_true(a->content_hash == b->content_hash);
	char h1[17], h2[17];
	dataset_hash_hex(a, h1);
	dataset_hash_hex(b, h2);
	assert_string_equal(h1, h2);
	assert_int_equal(strlen(h1), 16);
	dataset_free(a);
	dataset_free(b);
	task_free(t);
}

static void test_dataset_corpus_strip_and_hash(void **state)
{
	(void)state;
	/* Python: ('\u3000 T\u00a0' + ' ' + 'x y\u200b\u2029\n').strip() == 'T\xa0 x y\u200b'
	           ('' + ' ' + '\u0085a\u180e').strip() == 'a\u180e' */
	put("corpus.jsonl", "{\"_id\": \"d1\", \"title\": \"\\u3000 T\\u00a0\", \"text\": \"x y\\u200b\\u2029\\n\"}\n"
			    "{\"_id\": \"d2\", \"text\": \"\\u0085a\\u180e\"}\n"
			    "\n"
			    "{\"_id\": 7, \"title\": null, \"text\": \"  \"}\n");
	put("queries.jsonl", "{\"_id\": \"q1\", \"text\": \" keep spaces \"}\n");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t2\r\nq1\t7\t0\n");
	struct task *t = tmp_task("retrieval", "dev");
	struct dataset *ds = load_ok(t, g_dir, "dev");
	struct ds_retrieval *r = &ds->retrieval;
	assert_int_equal(r->corpus_ids.n, 3);
	assert_string_equal(strtab_get(&r->corpus_texts, 0), "T\xc2\xa0 x y\xe2\x80\x8b");
	assert_string_equal(strtab_get(&r->corpus_texts, 1), "a\xe1\xa0\x8e");
	assert_string_equal(strtab_get(&r->corpus_ids, 2), "7");
	assert_string_equal(strtab_get(&r->corpus_texts, 2), "");
	assert_string_equal(strtab_get(&r->query_texts, 0), " keep spaces "); /* queries are not stripped */
	assert_int_equal(r->n_qrels, 2);
	assert_int_equal(r->qrel_doc[0], 0);
	assert_int_equal(r->qrel_score[0], 2);
	assert_int_equal(r->qrel_doc[1], 2);
	assert_int_equal(r->qrel_score[1], 0);
	uint64_t h = ds->content_hash;
	dataset_free(ds);
	/* any byte change changes the hash */
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t3\r\nq1\t7\t0\n");
	ds = load_ok(t, g_dir, "dev");
	assert_true(ds->content_hash != h);
	dataset_free(ds);
	task_free(t);
}

static void test_dataset_bad_json_and_columns(void **state)
{
	(void)state;
	put("test.jsonl", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": 1}\n\n{\"sentence1\": \"a\", \"sentence2\": }\n");
	expect_fail("sts", "test", CE_E_FORMAT, "test.jsonl:3:", "bad JSON");
	put("test.jsonl", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": 1}\n{\"sentence1\": \"a\", \"score\": 1}\n");
	expect_fail("sts", "test", CE_E_FORMAT, "test.jsonl:2: ", "missing column 'sentence2'");
	put("test.jsonl", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": \"1\"}\n");
	expect_fail("sts", "test", CE_E_FORMAT, "test.jsonl:1: ", "column 'score': expected a number, found a string");
	put("test.jsonl", "{\"sentence1\": \"a\", \"sentence1\": \"b\", \"sentence2\": \"b\", \"score\": 1}\n");
	expect_fail("sts", "test", CE_E_FORMAT, "test.jsonl:1:", "duplicate");
	put("test.jsonl", "{\"sentence1\": \"a\\u0000\", \"sentence2\": \"b\", \"score\": 1}\n");
	expect_fail("sts", "test", CE_E_FORMAT, "test.jsonl:1:", "bad JSON");
	put("test.jsonl", "[1, 2]\n");
	expect_fail("sts", "test", CE_E_FORMAT, "test.jsonl:1: ", "expected a JSON object");
	put("test.jsonl", "\n  \n");
	expect_fail("sts", "test", CE_E_FORMAT, "test.jsonl:2: ", "empty split");
	put("test.jsonl", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 2}\n");
	expect_fail("pair_classification", "test", CE_E_FORMAT, "test.jsonl:1: ", "expected the integer 0 or 1");
	expect_fail("sts", "nosplit", CE_E_NOT_FOUND, "nosplit.jsonl: not found", ".zst");
}

static void test_dataset_labels(void **state)
{
	(void)state;
	put("train.jsonl", "{\"text\": \"a\", \"label\": 5}\n{\"text\": \"b\", \"label\": -1}\n");
	put("test.jsonl", "{\"text\": \"c\", \"label\": 5}\n{\"text\": \"d\", \"label\": 3}\n");
	struct task *t = tmp_task("classification", "test");
	struct dataset *ds = load_ok(t, g_dir, "test");
	struct ds_classification *c = &ds->classification;
	assert_int_equal(c->labels.n_classes, 3);
	assert_int_equal(c->labels.values[0], -1);
	assert_int_equal(c->labels.values[1], 3);
	assert_int_equal(c->labels.values[2], 5);
	assert_int_equal(c->train_labels[0], 2);
	assert_int_equal(c->train_labels[1], 0);
	assert_int_equal(c->eval_labels[0], 2);
	assert_int_equal(c->eval_labels[1], 1);
	dataset_free(ds);
	task_free(t);
	/* mixed types across train and test names both places */
	put("test.jsonl", "{\"text\": \"c\", \"label\": 5}\n{\"text\": \"d\", \"label\": \"x\"}\n");
	expect_fail("classification", "test", CE_E_FORMAT, "test.jsonl:2: ", "mixed label types");
	put("test.jsonl", "{\"text\": \"c\", \"label\": 1.5}\n");
	expect_fail("classification", "test", CE_E_FORMAT, "test.jsonl:1: ", "expected an integer or a string label");
	/* clustering */
	put("test.jsonl", "{\"sentences\": [\"a\", \"b\"], \"labels\": [\"x\", \"y\"]}\n{\"sentences\": [\"c\"], \"labels\": [\"x\", \"y\"]}\n");
	expect_fail("clustering", "test", CE_E_FORMAT, "test.jsonl:2: ", "has 2 labels but 'sentences' has 1 texts");
	put("test.jsonl", "{\"sentences\": [], \"labels\": []}\n");
	expect_fail("clustering", "test", CE_E_FORMAT, "test.jsonl:1: ", "empty list");
	put("test.jsonl", "{\"sentences\": [\"a\", 3], \"labels\": [1, 2]}\n");
	expect_fail("clustering", "test", CE_E_FORMAT, "test.jsonl:1: ", "column 'sentences'[1]: expected a string");
	put("test.jsonl", "{\"sentences\": [\"a\", \"b\"], \"labels\": [1, \"2\"]}\n");
	expect_fail("clustering", "test", CE_E_FORMAT, "test.jsonl:1: ", "mixed label types");
	/* reranking */
	put("test.jsonl", "{\"query\": \"q\", \"positive\": \"p\", \"negative\": []}\n");
	expect_fail("reranking", "test", CE_E_FORMAT, "test.jsonl:1: ", "column 'positive': expected an array");
}

static void test_dataset_retrieval_errors(void **state)
{
	(void)state;
	put("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"x\"}\n{\"_id\": \"d2\", \"text\": \"y\"}\n");
	put("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"x\"}\n");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td1\t1\n");
	expect_fail("retrieval", "dev", CE_E_FORMAT, "qrels/dev.tsv:3: ", "query id 'q2' is not in queries.jsonl");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\td9\t1\n");
	expect_fail("retrieval", "dev", CE_E_FORMAT, "qrels/dev.tsv:2: ", "corpus id 'd9' is not in corpus.jsonl");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t0.5\n");
	expect_fail("retrieval", "dev", CE_E_FORMAT, "qrels/dev.tsv:2: ", "score: expected an integer, found '0.5'");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td1\t2\n");
	expect_fail("retrieval", "dev", CE_E_FORMAT, "qrels/dev.tsv:3: ", "duplicate judgement");
	put("qrels/dev.tsv", "q1\td1\t1\n");
	expect_fail("retrieval", "dev", CE_E_FORMAT, "qrels/dev.tsv:1: ", "expected the header");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1 d1 1\n");
	expect_fail("retrieval", "dev", CE_E_FORMAT, "qrels/dev.tsv:2: ", "expected 3 tab-separated fields");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\n");
	expect_fail("retrieval", "dev", CE_E_FORMAT, "qrels/dev.tsv:1: ", "empty split");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
	put("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"x\"}\n{\"_id\": \"d2\", \"text\": \"y\"}\n{\"_id\": \"d1\", \"text\": \"z\"}\n");
	expect_fail("retrieval", "dev", CE_E_FORMAT, "corpus.jsonl:3: ", "duplicate id 'd1' (first on line 1)");
	put("corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"x\"}\n");
	put("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"x\"}\n{\"_id\": \"q1\", \"text\": \"x\"}\n");
	expect_fail("retrieval", "dev", CE_E_FORMAT, "queries.jsonl:2: ", "duplicate id 'q1'");
	put("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"x\"}\n");
	put("corpus.jsonl", "{\"_id\": \"d1\", \"title\": 3, \"text\": \"x\"}\n");
	expect_fail("retrieval", "dev", CE_E_FORMAT, "corpus.jsonl:1: ", "column 'title': expected a string");
	put("corpus.jsonl", "");
	expect_fail("retrieval", "dev", CE_E_FORMAT, "corpus.jsonl:0: ", "empty split");
}

static void test_dataset_dedup(void **state)
{
	(void)state;
	const char *texts[] = {"a", "b", "a", "c", "b", "", ""};
	int64_t *u, *m, nu;
	struct ce_err err;
	assert_int_equal(dataset_dedup(texts, 7, &u, &nu, &m, &err), CE_OK);
	assert_int_equal(nu, 4);
	const int64_t wu[] = {0, 1, 3, 5}, wm[] = {0, 1, 0, 2, 1, 3, 3};
	assert_memory_equal(u, wu, sizeof wu);
	assert_memory_equal(m, wm, sizeof wm);
	ce_free(u);
	ce_free(m);
	assert_int_equal(dataset_dedup(texts, 0, &u, &nu, &m, &err), CE_OK);
	assert_int_equal(nu, 0);
	ce_free(u);
	ce_free(m);
	assert_int_equal(dataset_dedup(texts, -1, &u, &nu, &m, &err), CE_E_INVALID_ARG);
	dataset_free(NULL);
}

/* Every allocation failure point of a retrieval load returns CE_E_NOMEM without leaks. */
static void test_dataset_alloc_failures(void **state)
{
	(void)state;
	put("corpus.jsonl", "{\"_id\": \"d1\", \"title\": \"t\", \"text\": \"x\"}\n{\"_id\": \"d2\", \"text\": \"y\"}\n");
	put("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"x\"}\n");
	put("qrels/dev.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\n");
	put("train.jsonl", "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": \"y\"}\n");
	put("test.jsonl", "{\"text\": \"a\", \"label\": \"y\"}\n");
	const char *types[] = {"retrieval", "classification"};
	const char *splits[] = {"dev", "test"};
	for (int k = 0; k < 2; k++) {
		struct task *t = tmp_task(types[k], splits[k]);
		int done = 0;
		for (long n = 0; n < 400 && !done; n++) {
			struct dataset *ds;
			struct ce_err err;
			ce_alloc_fail_after(n);
			enum ce_status s = dataset_load(t, g_dir, splits[k], &ds, &err);
			ce_alloc_fail_after(-1);
			if (s == CE_OK) {
				dataset_free(ds);
				done = 1;
			} else if (s != CE_E_NOMEM) {
				fail_msg("%s n=%ld: %d %s", types[k], n, (int)s, err.msg);
			}
		}
		assert_true(done);
		task_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dataset_sts),
		cmocka_unit_test(test_dataset_pair),
		cmocka_unit_test(test_dataset_classification),
		cmocka_unit_test(test_dataset_clustering),
		cmocka_unit_test(test_dataset_reranking),
		cmocka_unit_test(test_dataset_retrieval),
		cmocka_unit_test_setup_teardown(test_dataset_reranking_lists, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dataset_zstd_identical, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dataset_corpus_strip_and_hash, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dataset_bad_json_and_columns, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dataset_labels, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dataset_retrieval_errors, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_dataset_dedup),
		cmocka_unit_test_setup_teardown(test_dataset_alloc_failures, setup_tmp, teardown_tmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
