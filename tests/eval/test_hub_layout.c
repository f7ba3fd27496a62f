/* Tests of eval/data/hub_layout.c: configs from README.md front matter, splits from
 * file names, one-split configs, symlinked and plain snapshots (tests/fixtures/hub),
 * and malformed cards. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "fs_util.h"
#include "hub_layout.h"
#include "test_util.h"

#define HUB "tests/fixtures/hub/"

/* the snapshot folder of a fixture repo (its only snapshot) */
static char *snapshot(const char *repo)
{
	char *base = fs_join(HUB, repo), *snaps = fs_join(base, "snapshots");
	DIR *d = opendir(snaps);
	assert_non_null(d);
	char *dir = NULL;
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (e->d_name[0] != '.') {
			n++;
			ce_free(dir);
			dir = fs_join(snaps, e->d_name);
		}
	closedir(d);
	assert_int_equal(n, 1);
	ce_free(base);
	ce_free(snaps);
	return dir;
}

static const char *rel(const struct hub_layout *l, const char *path)
{
	return path + strlen(l->dir) + 1;
}

static void test_hub_layout_infers_splits_from_file_names(void **state)
{
	(void)state;
	char *dir = snapshot("datasets--C-MTEB--Waimai-mini");
	struct hub_layout *l = NULL;
	struct ce_err err;
	assert_int_equal(hub_layout_read(dir, &l, &err), CE_OK);
	assert_int_equal(l->has_configs, 0);
	assert_int_equal(l->n_splits, 2);
	const struct hub_split *s = hub_layout_find(l, NULL, "test");
	assert_non_null(s);
	assert_string_equal(s->config, "default");
	assert_int_equal(s->n_files, 1);
	assert_true(strncmp(rel(l, s->files[0]), "data/test-00000-of-00001-", 25) == 0);
	assert_non_null(hub_layout_find(l, "default", "train"));
	assert_null(hub_layout_find(l, "default", "validation")); /* two splits: no fallback */
	assert_null(hub_layout_find(l, "corpus", "test"));
	hub_layout_free(l);
	ce_free(dir);
}

static void test_hub_layout_reads_configs_of_the_card(void **state)
{
	(void)state;
	char *dir = snapshot("datasets--mteb--MedDialogReranking-mini");
	struct hub_layout *l = NULL;
	struct ce_err err;
	assert_int_equal(hub_layout_read(dir, &l, &err), CE_OK);
	assert_int_equal(l->has_configs, 1);
	assert_int_equal(l->n_splits, 4);
	const char *configs[] = {"corpus", "queries", "default", "top_ranked"};
	const char *prefix[] = {"corpus/test-", "queries/test-", "data/test-", "top_ranked/test-"};
	for (int i = 0; i < 4; i++) {
		assert_true(hub_layout_has_config(l, configs[i]));
		const struct hub_split *s = hub_layout_find(l, configs[i], "test");
		assert_non_null(s);
		assert_int_equal(s->n_files, 1);
		assert_true(strncmp(rel(l, s->files[0]), prefix[i], strlen(prefix[i])) == 0);
		assert_true(fs_is_file(s->files[0])); /* a relative symlink into blobs/ */
	}
	/* a config with one split answers for any split name (MTEB) */
	const struct hub_split *any = hub_layout_find(l, "queries", "dev");
	assert_non_null(any);
	assert_string_equal(any->split, "test");
	hub_layout_free(l);
	ce_free(dir);
}

static void test_hub_layout_plain_copy_snapshot(void **state)
{
	(void)state;
	/* every fifth fixture repo is stored without blobs (HF_HUB_DISABLE_SYMLINKS) */
	char *dir = snapshot("datasets--C-MTEB--PAWSX-mini");
	char *blobs = fs_join(HUB, "datasets--C-MTEB--PAWSX-mini/blobs");
	assert_false(fs_is_dir(blobs));
	struct hub_layout *l = NULL;
	struct ce_err err;
	assert_int_equal(hub_layout_read(dir, &l, &err), CE_OK);
	const struct hub_split *s = hub_layout_find(l, NULL, "test");
	assert_non_null(s);
	assert_int_equal(s->n_files, 1);
	hub_layout_free(l);
	ce_free(blobs);
	ce_free(dir);
}

static void test_hub_layout_globs_lists_and_shards(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp();
	char path[1024];
	const char *files[] = {"data/train-00001-of-00002.parquet", "data/train-00000-of-00002.parquet",
			       "extra/a/b/x.parquet", "extra/y.parquet", "other.txt"};
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "%s/%s", tmp, files[i]);
		char *d = strdup(path);
		*strrchr(d, '/') = 0;
		struct ce_err e;
		assert_int_equal(fs_mkdir_p(d, &e), CE_OK);
		free(d);
		tu_write_text(path, "x");
	}
	snprintf(path, sizeof path, "%s/README.md", tmp);
	tu_write_text(path, "---\nlicense: mit\nconfigs:\n- config_name: a\n  data_files:\n  - split: train\n"
			    "    path:\n    - data/train-*\n    - data/train-00000-*\n- config_name: b\n"
			    "  data_files: extra/**\n---\n# card\n");
	struct hub_layout *l = NULL;
	struct ce_err err;
	assert_int_equal(hub_layout_read(tmp, &l, &err), CE_OK);
	const struct hub_split *a = hub_layout_find(l, "a", "train");
	assert_non_null(a);
	assert_int_equal(a->n_files, 2); /* matched twice, listed once, shards in order */
	assert_string_equal(rel(l, a->files[0]), "data/train-00000-of-00002.parquet");
	assert_string_equal(rel(l, a->files[1]), "data/train-00001-of-00002.parquet");
	const struct hub_split *b = hub_layout_find(l, "b", "train");
	assert_non_null(b);
	assert_int_equal(b->n_files, 2);
	assert_string_equal(rel(l, b->files[0]), "extra/a/b/x.parquet");
	hub_layout_free(l);

	/* malformed front matter: file:line:col */
	tu_write_text(path, "---\nconfigs:\n- config_name: a\n  data_files: [\n---\n");
	assert_int_equal(hub_layout_read(tmp, &l, &err), CE_E_FORMAT);
	assert_null(l);
	assert_non_null(strstr(err.msg, "README.md:"));
	tu_write_text(path, "---\nconfigs:\n- data_files: x\n---\n");
	assert_int_equal(hub_layout_read(tmp, &l, &err), CE_E_FORMAT);
	assert_non_null(strstr(err.msg, "README.md:3:3: configs: an entry without config_name"));
	/* without front matter the file names decide */
	tu_write_text(path, "# only prose\n---\n");
	assert_int_equal(hub_layout_read(tmp, &l, &err), CE_OK);
	assert_int_equal(l->has_configs, 0);
	a = hub_layout_find(l, NULL, "train");
	assert_non_null(a);
	assert_int_equal(a->n_files, 2);
	hub_layout_free(l);
	assert_int_equal(hub_layout_read("/nonexistent/snapshot", &l, &err), CE_E_NOT_FOUND);
	tu_rm_rf(tmp);
	free(tmp);
}

/* A remote repo: its listing and the card's text give the same splits as the folder. */
static void test_hub_layout_from_list_matches_the_folder(void **state)
{
	(void)state;
	static const char card[] = "---\nconfigs:\n- config_name: corpus\n  data_files:\n  - split: test\n"
				   "    path: corpus/test-*\n- config_name: default\n  data_files:\n  - split: dev\n"
				   "    path: data/dev-*\n  - split: test\n    path: [data/test-*, extra/t.parquet]\n---\n# x\n";
	const char *paths[] = {"README.md", ".gitattributes", "data/test-1.parquet", "corpus/test-0.parquet",
			       "data/dev-0.parquet", "data/test-0.parquet", "extra/t.parquet", "other/x.parquet"};
	struct hub_layout *l = NULL;
	struct ce_err err;
	assert_int_equal(hub_layout_from_list("org/ds", paths, 8, card, sizeof card - 1, &l, &err), CE_OK);
	assert_int_equal(l->has_configs, 1);
	assert_int_equal(l->n_splits, 3);
	const struct hub_split *s = hub_layout_find(l, NULL, "test");
	assert_non_null(s);
	assert_int_equal(s->n_files, 3); /* sorted: shards in order */
	assert_string_equal(s->files[0], "org/ds/data/test-0.parquet");
	assert_string_equal(s->files[1], "org/ds/data/test-1.parquet");
	assert_string_equal(s->files[2], "org/ds/extra/t.parquet");
	s = hub_layout_find(l, "corpus", "test");
	assert_non_null(s);
	assert_int_equal(s->n_files, 1);
	assert_string_equal(s->files[0], "org/ds/corpus/test-0.parquet");
	hub_layout_free(l);

	/* no card: the file-name convention */
	const char *v1[] = {"README.md", "data/train-00000-of-00001-ab.parquet", "data/test-00000-of-00001-cd.parquet"};
	assert_int_equal(hub_layout_from_list("C/x", v1, 3, NULL, 0, &l, &err), CE_OK);
	assert_int_equal(l->has_configs, 0);
	assert_int_equal(l->n_splits, 2);
	assert_non_null(hub_layout_find(l, NULL, "train"));
	hub_layout_free(l);

	/* a malformed card names README.md with the line */
	static const char bad[] = "---\nconfigs: [\n---\n";
	assert_int_equal(hub_layout_from_list("C/x", v1, 3, bad, sizeof bad - 1, &l, &err), CE_E_FORMAT);
	assert_null(l);
	assert_non_null(strstr(err.msg, "C/x/README.md:"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hub_layout_infers_splits_from_file_names),
		cmocka_unit_test(test_hub_layout_reads_configs_of_the_card),
		cmocka_unit_test(test_hub_layout_plain_copy_snapshot),
		cmocka_unit_test(test_hub_layout_globs_lists_and_shards),
		cmocka_unit_test(test_hub_layout_from_list_matches_the_folder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
