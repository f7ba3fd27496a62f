/*
 * hub_download.h - fetch files of Hugging Face hub repos into the hub cache
 * (hub_cache.h) with the hub's own protocol (spec hub-datasets.md §2), over
 * libcurl:
 *
 *   GET  {endpoint}/api/{models|datasets}/{repo}/revision/{rev}?blobs=true
 *        -> commit ("sha") and files ("siblings[].rfilename", "size")
 *   HEAD {endpoint}/[datasets/]{repo}/resolve/{commit}/{path}
 *        -> X-Repo-Commit, X-Linked-Etag or ETag, X-Linked-Size, and for LFS
 *           files a redirect whose Location is the storage URL
 *   GET  the file (Range: bytes=N- to resume <blob>.incomplete)
 *
 * A file is written to blobs/<etag>.incomplete under the blob's lock, checked
 * (size; sha256 for an LFS etag, the git blob sha1 for a plain one), renamed
 * to blobs/<etag>, then linked from snapshots/<commit>/<path>.  A killed
 * download leaves only the .incomplete file, which the next run resumes.
 *
 * Environment: HF_ENDPOINT (mirror base URL), HF_TOKEN (sent only to the
 * endpoint, as "Authorization: Bearer"), HF_HUB_OFFLINE (hub_offline()),
 * proxies through curl's own variables (https_proxy, no_proxy, ...).
 * Retries (429, 5xx, dropped or refused connections) back off exponentially
 * from CEVAL_HUB_RETRY_BASE_MS (default 1000) for at most CEVAL_HUB_RETRIES
 * retries (default 5) and CEVAL_HUB_RETRY_MAX_S seconds of waiting (default
 * 120); a Retry-After header is honoured within that budget.
 *
 * Ownership: the client owns its curl handle; hub_repo_info owns its strings
 * (hub_repo_info_deinit).  Not thread-safe: one client per thread.
 */
#ifndef HUB_DOWNLOAD_H
#define HUB_DOWNLOAD_H

#include <stdint.h>

#include "ce_status.h"
#include "hub_cache.h"

#define HUB_DEFAULT_ENDPOINT "https://huggingface.co"

/* 1 if HF_HUB_OFFLINE is set to 1/ON/YES/TRUE (any case), as huggingface_hub reads it. */
int hub_offline(void);

struct hub_client_opts {
	const char *endpoint;   /* NULL: $HF_ENDPOINT, else HUB_DEFAULT_ENDPOINT */
	const char *token;      /* NULL: $HF_TOKEN, else $HUGGING_FACE_HUB_TOKEN, else none */
	const char *cache_root; /* NULL: hub_cache_root() */
	int progress;           /* 1: a progress line (bytes, rate, ETA) on stderr */
};

struct hub_client;

/* [out] NULL with err set on failure (CE_E_NOMEM, CE_E_IO when curl cannot start). */
struct hub_client *hub_client_create(const struct hub_client_opts *opts, struct ce_err *err);
void hub_client_free(struct hub_client *c);

/* Borrowed; valid until the client is freed. */
const char *hub_client_cache_root(const struct hub_client *c);
const char *hub_client_endpoint(const struct hub_client *c);

struct hub_file {
	char *path;   /* path in the repo ("1_Pooling/config.json") */
	int64_t size; /* bytes; -1 when the server did not say */
};

struct hub_repo_info {
	char commit[41];         /* the commit the revision resolved to */
	struct hub_file *files;  /* every file of the repo at that commit */
	int32_t n_files;
};

/*
 * Ask the hub which commit revision (NULL = "main") names and which files it
 * has.  Errors: CE_E_NOT_FOUND (404: wrong name or revision; 401/403: gated
 * or private, set HF_TOKEN), CE_E_IO (network, after retries), CE_E_FORMAT.
 * [out] *info (hub_repo_info_deinit, also after a failure).
 */
enum ce_status hub_repo_info_fetch(struct hub_client *c, enum hub_repo_type type, const char *repo_id,
				   const char *revision, struct hub_repo_info *info, struct ce_err *err);
void hub_repo_info_deinit(struct hub_repo_info *info);

/*
 * Make snapshots/<commit>/<path> of the repo present in the cache.  No
 * network when it already is.  [out] *n_downloaded (may be NULL): bytes
 * transferred.  Errors as above, plus CE_E_MISMATCH when the content's hash
 * disagrees with its etag twice (the bad file is deleted).
 */
enum ce_status hub_download_file(struct hub_client *c, enum hub_repo_type type, const char *repo_id,
				 const char *commit, const char *path, int64_t *n_downloaded, struct ce_err *err);

/* Which files of a repo to fetch: return 1 to fetch path. */
typedef int (*hub_select_fn)(const struct hub_repo_info *info, const struct hub_file *file, void *user);

/*
 * hub_repo_info_fetch, then hub_download_file for every file select accepts
 * (all when select is NULL), then refs/<revision> when revision is a branch
 * name (NULL = "main") rather than a commit.
 * [out] commit: the resolved commit (40 hex + NUL); [out] *n_downloaded (may be NULL).
 */
enum ce_status hub_download_snapshot(struct hub_client *c, enum hub_repo_type type, const char *repo_id,
				     const char *revision, hub_select_fn select, void *user, char commit[41],
				     int64_t *n_downloaded, struct ce_err *err);

/* 1 if repo_id looks like ORG/NAME (or NAME) with hub characters only. */
int hub_repo_id_is_valid(const char *repo_id);

#endif
