#include "fs_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ce_alloc.h"

/* What a non-regular file is, for messages; NULL for a regular file. */
static const char *kind_of(mode_t m)
{
	if (S_ISREG(m))
		return NULL;
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO (named pipe)";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

enum ce_status fs_require_regular(const char *path, struct ce_err *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return CE_OK;
	const char *kind = kind_of(st.st_mode);
	return kind ? ce_err_set(err, CE_E_IO, "%s: is %s, not a file", path, kind) : CE_OK;
}

enum ce_status fs_read_file(const char *path, size_t max_bytes, char **data, size_t *len, struct ce_err *err)
{
	*data = NULL;
	*len = 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		return ce_err_set(err, e == ENOENT ? CE_E_NOT_FOUND : CE_E_IO, "%s: cannot open: %s", path, strerror(e));
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return ce_err_set(err, CE_E_IO, "%s: cannot stat: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ce_err_set(err, CE_E_IO, "%s: is %s, not a file", path, kind_of(st.st_mode));
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if ((unsigned long long)st.st_size > max_bytes) {
		close(fd);
		return ce_err_set(err, CE_E_LIMIT, "%s: file is %lld bytes, more than the limit of %zu", path,
				  (long long)st.st_size, max_bytes);
	}
	size_t cap = (size_t)st.st_size;
	char *buf = ce_malloc(cap + 1);
	if (!buf) {
		close(fd);
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory reading %zu bytes", path, cap);
	}
	size_t got = 0;
	while (got < cap) {
		ssize_t r = read(fd, buf + got, cap - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			ce_free(buf);
			close(fd);
			return ce_err_set(err, CE_E_IO, "%s: read failed: %s", path, strerror(e));
		}
		if (r == 0)
			break; /* file shrank while reading */
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return CE_OK;
}

enum ce_status fs_write_atomic(const char *path, const void *data, size_t len, struct ce_err *err)
{
	size_t n = strlen(path) + 32;
	char *tmp = ce_malloc(n);
	if (!tmp)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
	snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		ce_free(tmp);
		return ce_err_set(err, CE_E_IO, "%s: cannot create: %s", path, strerror(e));
	}
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			unlink(tmp);
			ce_free(tmp);
			return ce_err_set(err, CE_E_IO, "%s: write failed: %s", path, strerror(e));
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0 && errno != EINVAL) {
		int e = errno;
		close(fd);
		unlink(tmp);
		ce_free(tmp);
		return ce_err_set(err, CE_E_IO, "%s: fsync failed: %s", path, strerror(e));
	}
	if (close(fd) != 0) {
		int e = errno;
		unlink(tmp);
		ce_free(tmp);
		return ce_err_set(err, CE_E_IO, "%s: close failed: %s", path, strerror(e));
	}
	if (rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		ce_free(tmp);
		return ce_err_set(err, CE_E_IO, "%s: rename failed: %s", path, strerror(e));
	}
	ce_free(tmp);
	return CE_OK;
}

enum ce_status fs_mkdir_p(const char *path, struct ce_err *err)
{
	char *p = ce_strdup(path);
	if (!p)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
	size_t n = strlen(p);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char c = p[i];
		p[i] = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			int e = errno;
			ce_err_set(err, CE_E_IO, "%s: cannot create directory: %s", p, strerror(e));
			ce_free(p);
			return CE_E_IO;
		}
		p[i] = c;
	}
	ce_free(p);
	if (!fs_is_dir(path))
		return ce_err_set(err, CE_E_IO, "%s: exists and is not a directory", path);
	return CE_OK;
}

int fs_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *fs_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int slash = la > 0 && a[la - 1] != '/';
	char *s = ce_malloc(la + (size_t)slash + lb + 1);
	if (!s)
		return NULL;
	memcpy(s, a, la);
	if (slash)
		s[la] = '/';
	memcpy(s + la + (size_t)slash, b, lb + 1);
	return s;
}

char *fs_basename(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t start = n;
	while (start > 0 && path[start - 1] != '/')
		start--;
	return ce_strndup(path + start, n - start);
}

char *fs_only_subdir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char *found = NULL;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *p = fs_join(dir, de->d_name);
		if (p && fs_is_dir(p) && n++ == 0) {
			found = p;
			continue;
		}
		ce_free(p);
	}
	closedir(d);
	if (n != 1) {
		ce_free(found);
		return NULL;
	}
	return found;
}
