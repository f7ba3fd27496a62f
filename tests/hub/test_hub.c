/* Tests of hub/: SHA-1 / SHA-256 vectors, git blob ids, cache paths, refs, snapshot links, path safety. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ce_alloc.h"
#include "fs_util.h"
#include "hub_cache.h"
#include "hub_download.h"
#include "hub_sha.h"
#include "test_util.h"

static void sha256_of(const void *data, size_t len, size_t piece, char hex[65])
{
	struct hub_sha256 s;
	hub_sha256_init(&s);
	for (size_t i = 0; i < len; i += piece)
		hub_sha256_update(&s, (const char *)data + i, len - i < piece ? len - i : piece);
	hub_sha256_final(&s, hex);
}

static void sha1_of(const void *data, size_t len, size_t piece, char hex[41])
{
	struct hub_sha1 s;
	hub_sha1_init(&s);
	for (size_t i = 0; i < len; i += piece)
		hub_sha1_update(&s, (const char *)data + i, len - i < piece ? len - i : piece);
	hub_sha1_final(&s, hex);
}

/* FIPS 180 example vectors; the million-'a' one fed in uneven pieces. */
static void test_hub_sha_vectors(void **state)
{
	(void)state;
	char h256[65], h1[41];
	sha256_of("", 0, 1, h256);
	assert_string_equal(h256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_of("abc", 3, 3, h256);
	assert_string_equal(h256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes: padding spills */
	sha256_of(m, strlen(m), 7, h256);
	assert_string_equal(h256, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	sha1_of(m, strlen(m), 5, h1);
	assert_string_equal(h1, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	sha1_of("abc", 3, 1, h1);
	assert_string_equal(h1, "a9993e364706816aba3e25717850c26c9cd0d89d");
	size_t n = 1000000;
	char *a = malloc(n);
	memset(a, 'a', n);
	sha256_of(a, n, 777, h256);
	assert_string_equal(h256, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	sha1_of(a, n, 4096, h1);
	assert_string_equal(h1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(a);
	/* git blob id: `printf 'hello\n' | git hash-object --stdin` */
	struct hub_sha1 s;
	hub_sha1_init(&s);
	hub_sha1_update(&s, "blob 6", 7); /* with its NUL */
	hub_sha1_update(&s, "hello\n", 6);
	hub_sha1_final(&s, h1);
	assert_string_equal(h1, "ce013625030ba8dba906f756967f9e9ca394464a");
}

static void test_hub_cache_paths(void **state)
{
	(void)state;
	char *d = hub_cache_repo_dir("/c", HUB_REPO_MODEL, "BAAI/bge-base-zh-v1.5");
	assert_string_equal(d, "/c/models--BAAI--bge-base-zh-v1.5");
	ce_free(d);
	d = hub_cache_repo_dir("/c", HUB_REPO_DATASET, "C-MTEB/T2Retrieval-qrels");
	assert_string_equal(d, "/c/datasets--C-MTEB--T2Retrieval-qrels");
	ce_free(d);
	assert_true(hub_is_commit("8731a845f1bf500a4f111cf1070785c793d10e64"));
	assert_false(hub_is_commit("8731A845F1BF500A4F111CF1070785C793D10E64"));
	assert_false(hub_is_commit("main"));
	assert_true(hub_path_is_safe("1_Pooling/config.json"));
	assert_true(hub_path_is_safe("refs/pr/1"));
	assert_false(hub_path_is_safe("../x"));
	assert_false(hub_path_is_safe("a/../../x"));
	assert_false(hub_path_is_safe("/etc/passwd"));
	assert_false(hub_path_is_safe("a//b"));
	assert_false(hub_path_is_safe("a/./b"));
	assert_false(hub_path_is_safe("a\\b"));
	assert_false(hub_path_is_safe(""));
	assert_true(hub_repo_id_is_valid("BAAI/bge-base-zh-v1.5"));
	assert_false(hub_repo_id_is_valid("a/b/c"));
	assert_false(hub_repo_id_is_valid("../x"));
	assert_false(hub_repo_id_is_valid("a b/c"));
}

static void test_hub_cache_env_roots(void **state)
{
	(void)state;
	char roots[HUB_CACHE_MAX_ROOTS][HUB_PATH_MAX];
	setenv("HF_HUB_CACHE", "/x/hub", 1);
	setenv("HF_HOME", "/y", 1);
	setenv("XDG_CACHE_HOME", "/z", 1);
	unsetenv("HUGGINGFACE_HUB_CACHE");
	setenv("HOME", "/h", 1);
	int n = hub_cache_search_roots(roots);
	assert_int_equal(n, 4);
	assert_string_equal(roots[0], "/x/hub");
	assert_string_equal(roots[1], "/y/hub");
	assert_string_equal(roots[2], "/z/huggingface/hub");
	assert_string_equal(roots[3], "/h/.cache/huggingface/hub");
	unsetenv("HF_HUB_CACHE");
	char *r = hub_cache_root();
	assert_string_equal(r, "/y/hub");
	ce_free(r);
	setenv("HF_HUB_OFFLINE", "True", 1);
	assert_true(hub_offline());
	setenv("HF_HUB_OFFLINE", "0", 1);
	assert_false(hub_offline());
	unsetenv("HF_HUB_OFFLINE");
}

/* Links, refs and resolve on a real folder: the layout huggingface_hub writes. */
static void test_hub_cache_link_ref_resolve(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp();
	char *repo = hub_cache_repo_dir(tmp, HUB_REPO_MODEL, "org/m");
	const char *c1 = "0123456789abcdef0123456789abcdef01234567";
	const char *c2 = "89abcdef0123456789abcdef0123456789abcdef";
	const char *etag = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	struct ce_err err;
	char snap[64];
	assert_int_equal(hub_cache_resolve(repo, NULL, snap, sizeof snap, &err), CE_E_NOT_FOUND);

	char *blobs = fs_join(repo, "blobs");
	assert_int_equal(fs_mkdir_p(blobs, &err), CE_OK);
	char *blob = hub_cache_blob_path(repo, etag);
	tu_write_text(blob, "%s", "");
	assert_int_equal(hub_cache_link(repo, c1, "config.json", etag, &err), CE_OK);
	assert_int_equal(hub_cache_link(repo, c1, "1_Pooling/config.json", etag, &err), CE_OK);
	assert_int_equal(hub_cache_link(repo, c1, "config.json", etag, &err), CE_OK); /* again: replaced */
	assert_int_equal(hub_cache_link(repo, c1, "../evil", etag, &err), CE_E_FORMAT);
	char path[PATH_MAX], target[PATH_MAX];
	snprintf(path, sizeof path, "%s/snapshots/%s/config.json", repo, c1);
	ssize_t l = readlink(path, target, sizeof target - 1);
	assert_true(l > 0);
	target[l] = '\0';
	assert_string_equal(target, "../../blobs/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	snprintf(path, sizeof path, "%s/snapshots/%s/1_Pooling/config.json", repo, c1);
	l = readlink(path, target, sizeof target - 1);
	assert_true(l > 0);
	target[l] = '\0';
	assert_string_equal(target, "../../../blobs/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_true(hub_cache_has_file(repo, c1, "1_Pooling/config.json"));
	assert_false(hub_cache_has_file(repo, c1, "vocab.txt"));
	assert_int_equal(hub_cache_link(repo, c1, "dangling", "00", &err), CE_OK);
	assert_false(hub_cache_has_file(repo, c1, "dangling")); /* a link to a missing blob is not a file */

	/* one snapshot, no refs: main resolves to it; a commit to itself; a branch is unknown */
	assert_int_equal(hub_cache_resolve(repo, NULL, snap, sizeof snap, &err), CE_OK);
	assert_string_equal(snap, c1);
	assert_int_equal(hub_cache_resolve(repo, c1, snap, sizeof snap, &err), CE_OK);
	assert_int_equal(hub_cache_resolve(repo, c2, snap, sizeof snap, &err), CE_E_NOT_FOUND);
	assert_int_equal(hub_cache_resolve(repo, "dev", snap, sizeof snap, &err), CE_E_NOT_FOUND);
	/* two snapshots: main needs refs/main, written without a newline */
	assert_int_equal(hub_cache_link(repo, c2, "config.json", etag, &err), CE_OK);
	assert_int_equal(hub_cache_resolve(repo, NULL, snap, sizeof snap, &err), CE_E_NOT_FOUND);
	assert_int_equal(hub_cache_write_ref(repo, "main", c2, &err), CE_OK);
	assert_int_equal(hub_cache_write_ref(repo, "pr/1", c1, &err), CE_OK);
	assert_int_equal(hub_cache_write_ref(repo, "../x", c1, &err), CE_E_INVALID_ARG);
	char *data = NULL;
	size_t len = 0;
	snprintf(path, sizeof path, "%s/refs/main", repo);
	assert_int_equal(fs_read_file(path, 100, &data, &len, &err), CE_OK);
	assert_int_equal(len, 40);
	assert_string_equal(data, c2);
	ce_free(data);
	assert_int_equal(hub_cache_resolve(repo, NULL, snap, sizeof snap, &err), CE_OK);
	assert_string_equal(snap, c2);
	assert_int_equal(hub_cache_resolve(repo, "pr/1", snap, sizeof snap, &err), CE_OK);
	assert_string_equal(snap, c1);
	assert_true(hub_cache_tree_size(repo) == 80); /* two refs; the blob is empty */
	assert_true(hub_cache_tree_size("/nonexistent/x") == -1);

	int fd = -1;
	assert_int_equal(hub_cache_lock(tmp, repo, etag, &fd, &err), CE_OK);
	assert_true(fd >= 0);
	snprintf(path, sizeof path, "%s/.locks/models--org--m/%s.lock", tmp, etag);
	assert_true(fs_is_file(path));
	hub_cache_unlock(fd);

	ce_free(blob);
	ce_free(blobs);
	ce_free(repo);
	tu_rm_rf(tmp);
	free(tmp);
}

/* .no_exist markers and HF_HUB_DISABLE_SYMLINKS placement (plain files). */
static void test_hub_cache_no_exist_and_copies(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp();
	char *repo = hub_cache_repo_dir(tmp, HUB_REPO_MODEL, "org/m");
	const char *c1 = "0123456789abcdef0123456789abcdef01234567";
	struct ce_err err;
	assert_false(hub_cache_known_absent(repo, c1, "modules.json"));
	assert_int_equal(hub_cache_mark_absent(repo, c1, "modules.json", &err), CE_OK);
	assert_int_equal(hub_cache_mark_absent(repo, c1, "1_Pooling/config.json", &err), CE_OK);
	assert_int_equal(hub_cache_mark_absent(repo, c1, "modules.json", &err), CE_OK); /* again: fine */
	assert_int_equal(hub_cache_mark_absent(repo, c1, "../x", &err), CE_E_FORMAT);
	assert_true(hub_cache_known_absent(repo, c1, "modules.json"));
	assert_true(hub_cache_known_absent(repo, c1, "1_Pooling/config.json"));
	assert_false(hub_cache_known_absent(repo, c1, "vocab.txt"));
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/.no_exist/%s/1_Pooling/config.json", repo, c1);
	assert_true(fs_is_file(path));
	assert_false(hub_cache_has_file(repo, c1, "modules.json")); /* a marker is not the file */

	const char *e1 = "aaaa", *e2 = "bbbb";
	char *blobs = fs_join(repo, "blobs");
	assert_int_equal(fs_mkdir_p(blobs, &err), CE_OK);
	char *b1 = hub_cache_blob_path(repo, e1), *b2 = hub_cache_blob_path(repo, e2);
	tu_write_text(b1, "%s", "one");
	tu_write_text(b2, "%s", "two");
	setenv("HF_HUB_DISABLE_SYMLINKS", "1", 1);
	assert_true(hub_cache_symlinks_disabled());
	assert_int_equal(hub_cache_place(repo, c1, "a/old.txt", e1, 0, &err), CE_OK); /* cached blob: copied */
	assert_int_equal(hub_cache_place(repo, c1, "new.txt", e2, 1, &err), CE_OK);   /* new blob: moved */
	unsetenv("HF_HUB_DISABLE_SYMLINKS");
	struct stat st;
	snprintf(path, sizeof path, "%s/snapshots/%s/a/old.txt", repo, c1);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(fs_read_file(path, 100, &data, &len, &err), CE_OK);
	assert_string_equal(data, "one");
	ce_free(data);
	assert_true(fs_is_file(b1));
	assert_false(fs_is_file(b2));
	assert_true(hub_cache_has_file(repo, c1, "new.txt"));
	snprintf(path, sizeof path, "%s/snapshots/%s/new.txt", repo, c1);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* without the variable: a link again */
	assert_false(hub_cache_symlinks_disabled());
	assert_int_equal(hub_cache_place(repo, c1, "l.txt", e1, 0, &err), CE_OK);
	snprintf(path, sizeof path, "%s/snapshots/%s/l.txt", repo, c1);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));

	ce_free(b1);
	ce_free(b2);
	ce_free(blobs);
	ce_free(repo);
	tu_rm_rf(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hub_sha_vectors),
		cmocka_unit_test(test_hub_cache_paths),
		cmocka_unit_test(test_hub_cache_env_roots),
		cmocka_unit_test(test_hub_cache_link_ref_resolve),
		cmocka_unit_test(test_hub_cache_no_exist_and_copies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
