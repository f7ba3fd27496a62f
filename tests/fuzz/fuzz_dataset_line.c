/*
 * fuzz_dataset_line.c - arbitrary bytes as a dataset file.  The first byte
 * picks the task type; the rest is written to a temp folder as the file that
 * type reads (for retrieval: corpus.jsonl, with fixed queries/qrels, or the
 * qrels file with a fixed corpus/queries, chosen by the second byte).
 * dataset_load only takes paths (line_reader streams files), hence the temp files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ce_alloc.h"
#include "dataset.h"
#include "fuzz.h"
#include "task.h"

static void write_file(const char *dir, const char *rel, const void *data, size_t len)
{
	char p[4200];
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	FILE *f = fopen(p, "wb");
	if (!f)
		abort();
	if (len && fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

static void rm(const char *dir, const char *rel)
{
	char p[4200];
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	unlink(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	static const char *const types[] = {"sts", "pair_classification", "classification", "clustering", "reranking",
					    "retrieval", "summarization"};
	const char *type = types[data[0] % 7];
	int qrels_mode = data[1] & 1;
	data += 2;
	size -= 2;
	char dir[] = "/tmp/ceval-fuzz-XXXXXX";
	if (!mkdtemp(dir))
		abort();
	char sub[64];
	snprintf(sub, sizeof sub, "%s/qrels", dir);
	mkdir(sub, 0777);
	const char *split = !strcmp(type, "retrieval") ? "dev" : "test";
	if (!strcmp(type, "retrieval")) {
		static const char corpus[] = "{\"_id\": \"d1\", \"text\": \"x\"}\n{\"_id\": \"d2\", \"title\": \"t\", \"text\": \"y\"}\n";
		static const char queries[] = "{\"_id\": \"q1\", \"text\": \"q\"}\n";
		static const char qrels[] = "query-id\tcorpus-id\tscore\nq1\td1\t1\n";
		write_file(dir, "queries.jsonl", queries, sizeof queries - 1);
		if (qrels_mode) {
			write_file(dir, "corpus.jsonl", corpus, sizeof corpus - 1);
			write_file(dir, "qrels/dev.tsv", data, size);
		} else {
			write_file(dir, "corpus.jsonl", data, size);
			write_file(dir, "qrels/dev.tsv", qrels, sizeof qrels - 1);
		}
	} else if (!strcmp(type, "classification")) {
		static const char train[] = "{\"text\": \"a\", \"label\": 1}\n";
		write_file(dir, "train.jsonl", train, sizeof train - 1);
		write_file(dir, "test.jsonl", data, size);
	} else {
		write_file(dir, "test.jsonl", data, size);
	}
	char y[512];
	/* dataset.path must be relative: the data root is /tmp and the path the temp dir's name */
	snprintf(y, sizeof y, "name: F\ntype: %s\ndataset: {path: %s}\neval_splits: [%s]\n", type, dir + 5, split);
	struct task *t = NULL;
	struct ce_err err;
	if (task_load_buffer("fuzz.yaml", y, strlen(y), &t, &err) != CE_OK)
		abort();
	struct dataset *ds = NULL;
	if (dataset_load(t, "/tmp", split, &ds, &err) == CE_OK) {
		CE_ASSERT(dataset_n_rows(ds) > 0);
		dataset_free(ds);
	} else {
		CE_ASSERT(ds == NULL);
	}
	task_free(t);
	rm(dir, "test.jsonl");
	rm(dir, "train.jsonl");
	rm(dir, "corpus.jsonl");
	rm(dir, "queries.jsonl");
	rm(dir, "qrels/dev.tsv");
	rmdir(sub);
	rmdir(dir);
	return 0;
}
