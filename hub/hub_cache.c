/* hub_cache.c - paths, refs, snapshots, links and locks of the hub cache (hub_cache.h). */
#include "hub_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ce_alloc.h"
#include "fs_util.h"

const char *hub_repo_type_plural(enum hub_repo_type type)
{
	return type == HUB_REPO_DATASET ? "datasets" : "models";
}

int hub_cache_search_roots(char roots[HUB_CACHE_MAX_ROOTS][HUB_PATH_MAX])
{
	int n = 0;
	const char *e;
	if ((e = getenv("HF_HUB_CACHE")) && *e)
		snprintf(roots[n++], HUB_PATH_MAX, "%s", e);
	if ((e = getenv("HUGGINGFACE_HUB_CACHE")) && *e)
		snprintf(roots[n++], HUB_PATH_MAX, "%s", e);
	if ((e = getenv("HF_HOME")) && *e)
		snprintf(roots[n++], HUB_PATH_MAX, "%s/hub", e);
	if ((e = getenv("XDG_CACHE_HOME")) && *e)
		snprintf(roots[n++], HUB_PATH_MAX, "%s/huggingface/hub", e);
	if ((e = getenv("HOME")) && *e)
		snprintf(roots[n++], HUB_PATH_MAX, "%s/.cache/huggingface/hub", e);
	return n;
}

char *hub_cache_root(void)
{
	char roots[HUB_CACHE_MAX_ROOTS][HUB_PATH_MAX];
	int n = hub_cache_search_roots(roots);
	return ce_strdup(n > 0 ? roots[0] : ".cache/huggingface/hub");
}

char *hub_cache_repo_dir(const char *root, enum hub_repo_type type, const char *repo_id)
{
	size_t cap = strlen(root) + strlen(repo_id) * 2 + 16;
	char *s = ce_malloc(cap);
	if (!s)
		return NULL;
	size_t k = (size_t)snprintf(s, cap, "%s/%s--", root, hub_repo_type_plural(type));
	for (const char *p = repo_id; *p; p++) {
		if (*p == '/') {
			s[k++] = '-';
			s[k++] = '-';
		} else {
			s[k++] = *p;
		}
	}
	s[k] = '\0';
	return s;
}

int hub_is_commit(const char *rev)
{
	if (!rev || strlen(rev) != 40)
		return 0;
	for (const char *p = rev; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

int hub_path_is_safe(const char *path)
{
	if (!path || !*path || path[0] == '/')
		return 0;
	const char *comp = path;
	for (const char *p = path;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t len = (size_t)(p - comp);
			if (len == 0 || (len == 1 && comp[0] == '.') || (len == 2 && comp[0] == '.' && comp[1] == '.'))
				return 0;
			if (*p == '\0')
				return 1;
			comp = p + 1;
		} else if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f) {
			return 0;
		}
	}
}

static char *join3(const char *a, const char *b, const char *c)
{
	size_t cap = strlen(a) + strlen(b) + strlen(c) + 3;
	char *s = ce_malloc(cap);
	if (s)
		snprintf(s, cap, "%s/%s/%s", a, b, c);
	return s;
}

char *hub_cache_snapshot_dir(const char *repo_dir, const char *commit)
{
	return join3(repo_dir, "snapshots", commit);
}

char *hub_cache_blob_path(const char *repo_dir, const char *etag)
{
	return join3(repo_dir, "blobs", etag);
}

static int snapshot_exists(const char *repo_dir, const char *commit)
{
	char *d = hub_cache_snapshot_dir(repo_dir, commit);
	int ok = d && fs_is_dir(d);
	ce_free(d);
	return ok;
}

/* A snapshot folder name read from refs/ or snapshots/: one safe path component. */
static int snapshot_name_ok(const char *name, size_t cap)
{
	return hub_path_is_safe(name) && !strchr(name, '/') && strlen(name) < cap;
}

enum ce_status hub_cache_resolve(const char *repo_dir, const char *revision, char *snapshot, size_t cap,
				 struct ce_err *err)
{
	const char *rev = revision ? revision : "main";
	CE_ASSERT(cap > 0);
	snapshot[0] = '\0';
	if (hub_is_commit(rev)) {
		if (!snapshot_exists(repo_dir, rev) || cap < 41)
			return ce_err_set(err, CE_E_NOT_FOUND, "%s: no snapshots/%s", repo_dir, rev);
		memcpy(snapshot, rev, 41);
		return CE_OK;
	}
	if (!hub_path_is_safe(rev))
		return ce_err_set(err, CE_E_INVALID_ARG, "revision '%s' is not a valid branch or commit name", rev);
	char *refp = join3(repo_dir, "refs", rev);
	if (!refp)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	char *data = NULL;
	size_t len = 0;
	struct ce_err rerr;
	if (fs_read_file(refp, 4096, &data, &len, &rerr) == CE_OK) {
		data[strcspn(data, "\r\n \t")] = '\0';
		if (snapshot_name_ok(data, cap) && snapshot_exists(repo_dir, data))
			snprintf(snapshot, cap, "%s", data);
	}
	ce_free(data);
	ce_free(refp);
	if (snapshot[0])
		return CE_OK;
	if (strcmp(rev, "main") == 0) { /* no usable ref: exactly one snapshot */
		char *snaps = fs_join(repo_dir, "snapshots");
		DIR *d = snaps ? opendir(snaps) : NULL;
		int count = 0;
		char only[256] = "";
		if (d) {
			struct dirent *e;
			while ((e = readdir(d))) {
				if (e->d_name[0] == '.')
					continue;
				count++;
				snprintf(only, sizeof only, "%s", e->d_name);
			}
			closedir(d);
		}
		ce_free(snaps);
		if (count == 1 && snapshot_name_ok(only, cap)) {
			snprintf(snapshot, cap, "%s", only);
			return CE_OK;
		}
	}
	return ce_err_set(err, CE_E_NOT_FOUND, "%s: revision '%s' is not in the cache", repo_dir, rev);
}

/* mkdir -p of the folder part of path. */
static enum ce_status mkdir_parent(const char *path, struct ce_err *err)
{
	char *dir = ce_strdup(path);
	if (!dir)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	char *slash = strrchr(dir, '/');
	enum ce_status s = CE_OK;
	if (slash && slash != dir) {
		*slash = '\0';
		s = fs_mkdir_p(dir, err);
	}
	ce_free(dir);
	return s;
}

enum ce_status hub_cache_write_ref(const char *repo_dir, const char *ref, const char *commit, struct ce_err *err)
{
	if (!hub_path_is_safe(ref))
		return ce_err_set(err, CE_E_INVALID_ARG, "revision '%s' is not a valid branch name", ref);
	char *p = join3(repo_dir, "refs", ref);
	if (!p)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	enum ce_status s = mkdir_parent(p, err);
	if (s == CE_OK)
		s = fs_write_atomic(p, commit, strlen(commit), err);
	ce_free(p);
	return s;
}

enum ce_status hub_cache_link(const char *repo_dir, const char *commit, const char *path, const char *etag,
			      struct ce_err *err)
{
	if (!hub_path_is_safe(path))
		return ce_err_set(err, CE_E_FORMAT, "unsafe file name in repo: '%s'", path);
	char *snap = hub_cache_snapshot_dir(repo_dir, commit);
	char *link = snap ? fs_join(snap, path) : NULL;
	ce_free(snap);
	int depth = 2; /* snapshots/<commit>/ */
	for (const char *p = path; *p; p++)
		depth += *p == '/';
	size_t tcap = (size_t)depth * 3 + strlen(etag) + 8;
	char *target = ce_malloc(tcap);
	char *tmp = link ? ce_malloc(strlen(link) + 32) : NULL;
	enum ce_status s = CE_OK;
	if (!link || !target || !tmp) {
		s = ce_err_set(err, CE_E_NOMEM, "out of memory");
		goto out;
	}
	target[0] = '\0';
	for (int i = 0; i < depth; i++)
		strcat(target, "../");
	strcat(target, "blobs/");
	strcat(target, etag);
	if ((s = mkdir_parent(link, err)) != CE_OK)
		goto out;
	sprintf(tmp, "%s.tmp-link.%ld", link, (long)getpid());
	unlink(tmp);
	if (symlink(target, tmp) != 0 || rename(tmp, link) != 0) {
		int e = errno;
		unlink(tmp);
		s = ce_err_set(err, CE_E_IO, "%s: cannot create link: %s", link, strerror(e));
	}
out:
	ce_free(tmp);
	ce_free(target);
	ce_free(link);
	return s;
}

int hub_cache_symlinks_disabled(void)
{
	const char *e = getenv("HF_HUB_DISABLE_SYMLINKS");
	return e && (strcmp(e, "1") == 0 || strcasecmp(e, "on") == 0 || strcasecmp(e, "yes") == 0 ||
		     strcasecmp(e, "true") == 0);
}

/* Copy src to dst (a new file). */
static enum ce_status copy_file(const char *src, const char *dst, struct ce_err *err)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return ce_err_set(err, CE_E_IO, "%s: cannot open: %s", src, strerror(errno));
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		int e = errno;
		close(in);
		return ce_err_set(err, CE_E_IO, "%s: cannot create: %s", dst, strerror(e));
	}
	enum ce_status s = CE_OK;
	char buf[1 << 16];
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			s = ce_err_set(err, CE_E_IO, "%s: read failed: %s", src, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		for (ssize_t o = 0; o < n;) {
			ssize_t w = write(out, buf + o, (size_t)(n - o));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				s = ce_err_set(err, CE_E_IO, "%s: write failed: %s", dst, strerror(errno));
				break;
			}
			o += w;
		}
		if (s != CE_OK)
			break;
	}
	close(in);
	if (close(out) != 0 && s == CE_OK)
		s = ce_err_set(err, CE_E_IO, "%s: write failed: %s", dst, strerror(errno));
	return s;
}

enum ce_status hub_cache_place(const char *repo_dir, const char *commit, const char *path, const char *etag,
			       int new_blob, struct ce_err *err)
{
	if (!hub_cache_symlinks_disabled())
		return hub_cache_link(repo_dir, commit, path, etag, err);
	if (!hub_path_is_safe(path))
		return ce_err_set(err, CE_E_FORMAT, "unsafe file name in repo: '%s'", path);
	char *snap = hub_cache_snapshot_dir(repo_dir, commit);
	char *dst = snap ? fs_join(snap, path) : NULL;
	char *blob = hub_cache_blob_path(repo_dir, etag);
	char *tmp = dst ? ce_malloc(strlen(dst) + 32) : NULL;
	ce_free(snap);
	enum ce_status s = CE_OK;
	if (!dst || !blob || !tmp) {
		s = ce_err_set(err, CE_E_NOMEM, "out of memory");
		goto out;
	}
	if ((s = mkdir_parent(dst, err)) != CE_OK)
		goto out;
	sprintf(tmp, "%s.tmp-copy.%ld", dst, (long)getpid());
	unlink(tmp);
	if (new_blob) {
		if (rename(blob, tmp) != 0)
			s = ce_err_set(err, CE_E_IO, "%s: cannot move into the snapshot: %s", blob, strerror(errno));
	} else {
		s = copy_file(blob, tmp, err);
	}
	if (s == CE_OK && rename(tmp, dst) != 0)
		s = ce_err_set(err, CE_E_IO, "%s: cannot rename into the snapshot: %s", dst, strerror(errno));
	if (s != CE_OK)
		unlink(tmp);
out:
	ce_free(tmp);
	ce_free(blob);
	ce_free(dst);
	return s;
}

static char *no_exist_path(const char *repo_dir, const char *commit, const char *path)
{
	if (!hub_path_is_safe(path) || !hub_path_is_safe(commit) || strchr(commit, '/'))
		return NULL;
	size_t cap = strlen(repo_dir) + strlen(commit) + strlen(path) + 16;
	char *p = ce_malloc(cap);
	if (p)
		snprintf(p, cap, "%s/.no_exist/%s/%s", repo_dir, commit, path);
	return p;
}

enum ce_status hub_cache_mark_absent(const char *repo_dir, const char *commit, const char *path, struct ce_err *err)
{
	if (!hub_path_is_safe(path))
		return ce_err_set(err, CE_E_FORMAT, "unsafe file name in repo: '%s'", path);
	char *p = no_exist_path(repo_dir, commit, path);
	if (!p)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	enum ce_status s = mkdir_parent(p, err);
	if (s == CE_OK && !fs_is_file(p))
		s = fs_write_atomic(p, "", 0, err);
	ce_free(p);
	return s;
}

int hub_cache_known_absent(const char *repo_dir, const char *commit, const char *path)
{
	char *p = no_exist_path(repo_dir, commit, path);
	int ok = p && fs_is_file(p);
	ce_free(p);
	return ok;
}

int hub_cache_has_file(const char *repo_dir, const char *commit, const char *path)
{
	if (!hub_path_is_safe(path))
		return 0;
	char *snap = hub_cache_snapshot_dir(repo_dir, commit);
	char *p = snap ? fs_join(snap, path) : NULL;
	int ok = p && fs_is_file(p); /* stat follows the link: a dangling one is not a file */
	ce_free(p);
	ce_free(snap);
	return ok;
}

enum ce_status hub_cache_lock(const char *root, const char *repo_dir, const char *etag, int *fd, struct ce_err *err)
{
	*fd = -1;
	const char *name = strrchr(repo_dir, '/');
	name = name ? name + 1 : repo_dir;
	size_t cap = strlen(root) + strlen(name) + strlen(etag) + 32;
	char *p = ce_malloc(cap);
	if (!p)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	snprintf(p, cap, "%s/.locks/%s/%s.lock", root, name, etag);
	enum ce_status s = mkdir_parent(p, err);
	if (s == CE_OK) {
		int f = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (f < 0) {
			s = ce_err_set(err, CE_E_IO, "%s: cannot open lock file: %s", p, strerror(errno));
		} else {
			while (flock(f, LOCK_EX) != 0) {
				if (errno == EINTR)
					continue;
				s = ce_err_set(err, CE_E_IO, "%s: cannot lock: %s", p, strerror(errno));
				close(f);
				f = -1;
				break;
			}
			*fd = f;
		}
	}
	ce_free(p);
	return s;
}

void hub_cache_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

int64_t hub_cache_tree_size(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int64_t total = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = fs_join(dir, e->d_name);
		struct stat st;
		if (p && stat(p, &st) == 0) {
			if (S_ISREG(st.st_mode))
				total += (int64_t)st.st_size;
			else if (S_ISDIR(st.st_mode)) {
				int64_t sub = hub_cache_tree_size(p);
				if (sub > 0)
					total += sub;
			}
		}
		ce_free(p);
	}
	closedir(d);
	return total;
}
