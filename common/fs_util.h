/*
 * fs_util.h - file-system helpers: whole-file reads with a size limit,
 * atomic writes (temp file + fsync + rename), mkdir -p.
 * errno is turned into text here and nowhere else.
 * Buffers returned through out-pointers are owned by the caller (ce_free).
 */
#ifndef FS_UTIL_H
#define FS_UTIL_H

#include <stddef.h>

#include "ce_status.h"

/*
 * Read a whole file into a NUL-terminated buffer.
 * [out] *data (ce_free), [out] *len (bytes, excluding the added NUL).
 * Errors: CE_E_NOT_FOUND (missing), CE_E_IO, CE_E_LIMIT (larger than max_bytes), CE_E_NOMEM.
 */
enum ce_status fs_read_file(const char *path, size_t max_bytes, char **data, size_t *len, struct ce_err *err);

/*
 * CE_OK when path is a regular file or does not exist (the open that follows
 * reports that); otherwise CE_E_IO naming what it is instead:
 * "path: is a directory, not a file", "is a FIFO (named pipe), not a file",
 * "is a device, not a file", "is a socket, not a file".  Never opens path, so
 * a FIFO cannot block it.
 */
enum ce_status fs_require_regular(const char *path, struct ce_err *err);

/* Write data to path atomically: path.tmp.<pid>, fsync, rename.  CE_E_IO on failure. */
enum ce_status fs_write_atomic(const char *path, const void *data, size_t len, struct ce_err *err);

/* Create a directory and its parents (mode 0777 & umask).  Existing is fine. */
enum ce_status fs_mkdir_p(const char *path, struct ce_err *err);

/* 1 if path exists and is a regular file / a directory. */
int fs_is_file(const char *path);
int fs_is_dir(const char *path);

/* "a" + "/" + "b" into a new string (ce_free); NULL on allocation failure. */
char *fs_join(const char *a, const char *b);

/* The one sub-folder of dir (names starting with '.' skipped), as a new path (ce_free);
 * NULL when there is none, several, or dir cannot be read. */
char *fs_only_subdir(const char *dir);

/* Final path component without trailing slashes, copied into a new string. */
char *fs_basename(const char *path);

#endif
