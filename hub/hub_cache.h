/*
 * hub_cache.h - the Hugging Face hub cache on disk, exactly as
 * huggingface_hub lays it out (spec hub-datasets.md §1, encoder.md §5), so
 * files ceval downloads are the ones Python tools see and the other way round:
 *
 *   <root>/models--ORG--NAME/ (datasets--ORG--NAME/ for datasets)
 *     refs/<branch>                 the commit the branch pointed to (only when
 *                                   a branch name was asked for)
 *     blobs/<etag>                  content; etag = sha256 (LFS) or git blob sha1
 *     snapshots/<commit>/<path>     relative symlink to ../../blobs/<etag>
 *                                   (a plain file with HF_HUB_DISABLE_SYMLINKS)
 *     .no_exist/<commit>/<path>     empty: the file is known to be absent
 *   <root>/.locks/models--ORG--NAME/<etag>.lock   flock(2) lock of one blob
 *
 * This module only finds and writes paths; it never touches the network
 * (hub_download.h does).  Strings returned are new (ce_free) unless stated.
 */
#ifndef HUB_CACHE_H
#define HUB_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

enum hub_repo_type { HUB_REPO_MODEL = 0, HUB_REPO_DATASET = 1 };

/* "models" or "datasets" (the API path and cache folder prefix). Static. */
const char *hub_repo_type_plural(enum hub_repo_type type);

#define HUB_CACHE_MAX_ROOTS 5
#define HUB_PATH_MAX 1024

/*
 * The cache roots to search, most specific first: $HF_HUB_CACHE,
 * $HUGGINGFACE_HUB_CACHE (legacy), $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub,
 * $HOME/.cache/huggingface/hub (each only when its variable is set).
 * The first one is where huggingface_hub (and ceval) download to.
 * [out] roots; returns how many were written (0..HUB_CACHE_MAX_ROOTS).
 */
int hub_cache_search_roots(char roots[HUB_CACHE_MAX_ROOTS][HUB_PATH_MAX]);

/* The download root (the first search root, else "./.cache/huggingface/hub"). NULL when out of memory. */
char *hub_cache_root(void);

/* "<root>/models--ORG--NAME" ('/' of the id becomes "--"). NULL when out of memory. */
char *hub_cache_repo_dir(const char *root, enum hub_repo_type type, const char *repo_id);

/* 1 if rev is a full commit id (40 lowercase hex digits). */
int hub_is_commit(const char *rev);

/*
 * 1 if a repo-relative path or revision is safe to use as a path below a
 * cache folder: not empty, not absolute, no "." / ".." / empty components,
 * no backslash or control characters.
 */
int hub_path_is_safe(const char *path);

/*
 * Which snapshot a revision names, from the cache alone.  revision NULL means
 * "main".  A commit id names itself when snapshots/<id>/ exists; a branch is
 * read from refs/<branch>; for "main" without a usable ref, the only snapshot
 * (as folders copied by hand often have; their names need not be commit ids).
 * [out] snapshot: the snapshot folder's name, NUL-terminated, at most cap bytes.
 * CE_E_NOT_FOUND when the cache cannot say.
 */
enum ce_status hub_cache_resolve(const char *repo_dir, const char *revision, char *snapshot, size_t cap,
				 struct ce_err *err);

/* "<repo_dir>/snapshots/<commit>". */
char *hub_cache_snapshot_dir(const char *repo_dir, const char *commit);

/* "<repo_dir>/blobs/<etag>". */
char *hub_cache_blob_path(const char *repo_dir, const char *etag);

/* Write refs/<ref> = commit (no newline, as huggingface_hub writes it), atomically. */
enum ce_status hub_cache_write_ref(const char *repo_dir, const char *ref, const char *commit, struct ce_err *err);

/*
 * Point snapshots/<commit>/<path> at blobs/<etag> with a relative symlink
 * (../../blobs/<etag>, one more ../ per folder level of path), replacing an
 * existing link atomically (a temporary link renamed over it).
 */
enum ce_status hub_cache_link(const char *repo_dir, const char *commit, const char *path, const char *etag,
			      struct ce_err *err);

/*
 * 1 when HF_HUB_DISABLE_SYMLINKS is set to 1/ON/YES/TRUE (any case): snapshot
 * files are then plain files, as huggingface_hub writes them where symlinks
 * are not supported (Windows): the blob just downloaded is moved into
 * snapshots/ (blobs/ keeps nothing), an already cached blob is copied.
 */
int hub_cache_symlinks_disabled(void);

/*
 * Put blobs/<etag> at snapshots/<commit>/<path>: hub_cache_link, or with
 * symlinks disabled a plain file (moved when new_blob, else copied), written
 * under a temporary name and renamed over the final one.
 */
enum ce_status hub_cache_place(const char *repo_dir, const char *commit, const char *path, const char *etag,
			       int new_blob, struct ce_err *err);

/*
 * Record that <path> does not exist at <commit>: the empty file
 * <repo_dir>/.no_exist/<commit>/<path>, as huggingface_hub writes it when the
 * hub answers 404 for a file, so later offline runs know it is absent.
 */
enum ce_status hub_cache_mark_absent(const char *repo_dir, const char *commit, const char *path, struct ce_err *err);

/* 1 when .no_exist/<commit>/<path> says the file is absent. */
int hub_cache_known_absent(const char *repo_dir, const char *commit, const char *path);

/* 1 if snapshots/<commit>/<path> exists and resolves to a regular file. */
int hub_cache_has_file(const char *repo_dir, const char *commit, const char *path);

/*
 * Take the exclusive lock <root>/.locks/<repo folder name>/<etag>.lock
 * (flock, the lock huggingface_hub's filelock takes), waiting for another
 * process that holds it.  [out] *fd: pass to hub_cache_unlock.
 */
enum ce_status hub_cache_lock(const char *root, const char *repo_dir, const char *etag, int *fd, struct ce_err *err);
void hub_cache_unlock(int fd);

/* Total bytes of the regular files below dir (symlinks followed); -1 if dir is missing. */
int64_t hub_cache_tree_size(const char *dir);

#endif
