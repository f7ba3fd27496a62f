/* hub_download.c - the hub's download protocol over libcurl (hub_download.h). */
#include "hub_download.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ce_alloc.h"
#include "ce_log.h"
#include "fs_util.h"
#include "hub_sha.h"
#include "http_retry.h"

/* ------------------------------------------------------------ client */

struct hub_client {
	CURL *curl;
	char *endpoint;   /* no trailing '/' */
	char *auth;       /* "Authorization: Bearer <token>" or NULL */
	char *root;       /* cache root */
	int progress;
	int tty;
	int retries;      /* retries after the first attempt */
	long base_ms;     /* first back-off */
	double budget_s;  /* most seconds spent waiting between retries, per request */
};

int hub_offline(void)
{
	const char *e = getenv("HF_HUB_OFFLINE");
	if (!e)
		return 0;
	return strcmp(e, "1") == 0 || strcasecmp(e, "on") == 0 || strcasecmp(e, "yes") == 0 ||
	       strcasecmp(e, "true") == 0;
}

static long env_long(const char *name, long dflt, long lo, long hi)
{
	const char *e = getenv(name);
	if (!e || !*e)
		return dflt;
	char *end;
	long v = strtol(e, &end, 10);
	if (*end || v < lo || v > hi)
		return dflt;
	return v;
}

struct hub_client *hub_client_create(const struct hub_client_opts *opts, struct ce_err *err)
{
	static const struct hub_client_opts none = {0};
	if (!opts)
		opts = &none;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		ce_err_set(err, CE_E_IO, "libcurl failed to initialise");
		return NULL;
	}
	struct hub_client *c = ce_calloc(1, sizeof *c);
	if (!c) {
		curl_global_cleanup();
		ce_err_set(err, CE_E_NOMEM, "out of memory");
		return NULL;
	}
	const char *ep = opts->endpoint;
	if (!ep || !*ep)
		ep = getenv("HF_ENDPOINT");
	if (!ep || !*ep)
		ep = HUB_DEFAULT_ENDPOINT;
	c->endpoint = ce_strdup(ep);
	if (c->endpoint) {
		size_t l = strlen(c->endpoint);
		while (l > 0 && c->endpoint[l - 1] == '/')
			c->endpoint[--l] = '\0';
	}
	const char *tok = opts->token;
	if (!tok || !*tok)
		tok = getenv("HF_TOKEN");
	if (!tok || !*tok)
		tok = getenv("HUGGING_FACE_HUB_TOKEN");
	if (tok && *tok) {
		c->auth = ce_malloc(strlen(tok) + 32);
		if (c->auth)
			sprintf(c->auth, "Authorization: Bearer %s", tok);
	}
	c->root = opts->cache_root ? ce_strdup(opts->cache_root) : hub_cache_root();
	c->curl = curl_easy_init();
	if (!c->endpoint || !c->root || (tok && *tok && !c->auth) || !c->curl) {
		hub_client_free(c);
		ce_err_set(err, CE_E_NOMEM, "out of memory (or libcurl failed to start)");
		return NULL;
	}
	c->progress = opts->progress;
	c->tty = isatty(2);
	c->retries = (int)env_long("CEVAL_HUB_RETRIES", 5, 0, 100);
	c->base_ms = env_long("CEVAL_HUB_RETRY_BASE_MS", 1000, 0, 600000);
	c->budget_s = (double)env_long("CEVAL_HUB_RETRY_MAX_S", 120, 0, 86400);
	return c;
}

void hub_client_free(struct hub_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	ce_free(c->endpoint);
	ce_free(c->auth);
	ce_free(c->root);
	ce_free(c);
	curl_global_cleanup();
}

const char *hub_client_cache_root(const struct hub_client *c) { return c->root; }
const char *hub_client_endpoint(const struct hub_client *c) { return c->endpoint; }

int hub_repo_id_is_valid(const char *repo_id)
{
	if (!repo_id || !*repo_id || strlen(repo_id) > 200)
		return 0;
	int slashes = 0;
	for (const char *p = repo_id; *p; p++) {
		if (*p == '/')
			slashes++;
		else if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return 0;
	}
	return slashes <= 1 && hub_path_is_safe(repo_id) && repo_id[strlen(repo_id) - 1] != '/';
}

/* ------------------------------------------------------------ URLs */

/* Percent-encode s into a new string; keep '/' when keep_slash. */
static char *url_escape(const char *s, int keep_slash)
{
	char *out = ce_malloc(strlen(s) * 3 + 1);
	if (!out)
		return NULL;
	char *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/'))
			*o++ = (char)*p;
		else
			o += sprintf(o, "%%%02X", *p);
	}
	*o = '\0';
	return out;
}

static char *url_resolve(const struct hub_client *c, enum hub_repo_type type, const char *repo_id, const char *rev,
			 const char *path)
{
	char *r = url_escape(rev, 0), *p = url_escape(path, 1);
	char *u = NULL;
	if (r && p) {
		size_t cap = strlen(c->endpoint) + strlen(repo_id) + strlen(r) + strlen(p) + 32;
		u = ce_malloc(cap);
		if (u)
			snprintf(u, cap, "%s/%s%s/resolve/%s/%s", c->endpoint, type == HUB_REPO_DATASET ? "datasets/" : "",
				 repo_id, r, p);
	}
	ce_free(r);
	ce_free(p);
	return u;
}

/* ------------------------------------------------------------ one HTTP exchange */

struct resp {
	long status;
	char commit[64];     /* X-Repo-Commit */
	char etag[160];      /* X-Linked-Etag, else ETag (normalised) */
	int has_linked_etag;
	int64_t size;        /* X-Linked-Size, else Content-Length; -1 unknown */
	char location[2048]; /* Location */
	char error_code[64]; /* X-Error-Code */
	long retry_after;    /* seconds; -1 none */
};

struct xfer {
	struct hub_client *c;
	struct resp *r;
	FILE *file;         /* body sink for downloads, NULL: memory */
	int64_t offset;     /* bytes already in file when the request started */
	int started;        /* first body byte seen */
	char *mem;          /* memory body (also an error body of a download) */
	size_t mem_len, mem_cap;
	int write_failed;
	/* progress */
	const char *label;
	int64_t total;      /* expected whole-file size, -1 unknown */
	double t0, last;
	int64_t done;       /* bytes in file so far */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Trim and strip W/ and quotes from an ETag, as huggingface_hub normalises it. */
static void set_etag(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= 2 && v[0] == 'W' && v[1] == '/')
		v += 2, n -= 2;
	while (n > 0 && *v == '"')
		v++, n--;
	while (n > 0 && v[n - 1] == '"')
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *user)
{
	struct xfer *x = user;
	struct resp *r = x->r;
	size_t n = size * nitems;
	if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) { /* a new response (after a redirect): start over */
		long keep = r->status;
		memset(r, 0, sizeof *r);
		r->status = keep;
		r->size = -1;
		r->retry_after = -1;
		return n;
	}
	const char *colon = memchr(buf, ':', n);
	if (!colon)
		return n;
	size_t klen = (size_t)(colon - buf);
	const char *v = colon + 1;
	size_t vlen = n - klen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
	char val[2048];
	size_t cl = vlen < sizeof val - 1 ? vlen : sizeof val - 1;
	memcpy(val, v, cl);
	val[cl] = '\0';
#define IS(name) (klen == strlen(name) && strncasecmp(buf, name, klen) == 0)
	if (IS("X-Repo-Commit"))
		snprintf(r->commit, sizeof r->commit, "%s", val);
	else if (IS("X-Linked-Etag")) {
		set_etag(r->etag, sizeof r->etag, val, cl);
		r->has_linked_etag = 1;
	} else if (IS("ETag") && !r->has_linked_etag)
		set_etag(r->etag, sizeof r->etag, val, cl);
	else if (IS("X-Linked-Size"))
		r->size = strtoll(val, NULL, 10);
	else if (IS("Content-Length") && r->size < 0)
		r->size = strtoll(val, NULL, 10);
	else if (IS("Location"))
		snprintf(r->location, sizeof r->location, "%s", val);
	else if (IS("X-Error-Code"))
		snprintf(r->error_code, sizeof r->error_code, "%s", val);
	else if (IS("Retry-After"))
		r->retry_after = strtol(val, NULL, 10);
#undef IS
	return n;
}

static int mem_append(struct xfer *x, const char *p, size_t n)
{
	if (x->mem_len + n + 1 > x->mem_cap) {
		size_t cap = (x->mem_len + n + 1) * 2;
		if (cap > ((size_t)64 << 20))
			return -1; /* API answers are small */
		char *m = ce_realloc(x->mem, cap);
		if (!m)
			return -1;
		x->mem = m;
		x->mem_cap = cap;
	}
	memcpy(x->mem + x->mem_len, p, n);
	x->mem_len += n;
	x->mem[x->mem_len] = '\0';
	return 0;
}

static size_t on_body(char *buf, size_t size, size_t nmemb, void *user)
{
	struct xfer *x = user;
	size_t n = size * nmemb;
	long status = 0;
	curl_easy_getinfo(x->c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (!x->file || status >= 300)
		return mem_append(x, buf, n) == 0 ? n : 0;
	if (!x->started) {
		x->started = 1;
		if (status == 200 && x->offset > 0) { /* the server ignored Range: start again */
			if (fflush(x->file) != 0 || ftruncate(fileno(x->file), 0) != 0 || fseeko(x->file, 0, SEEK_SET) != 0) {
				x->write_failed = errno ? errno : EIO;
				return 0;
			}
			x->offset = 0;
			x->done = 0;
		}
	}
	if (fwrite(buf, 1, n, x->file) != n) {
		x->write_failed = errno ? errno : EIO;
		return 0;
	}
	x->done += (int64_t)n;
	return n;
}

static void human_bytes(double b, char *out, size_t cap)
{
	const char *u[] = {"B", "kB", "MB", "GB", "TB"};
	int i = 0;
	while (b >= 1000 && i < 4)
		b /= 1000, i++;
	snprintf(out, cap, i == 0 ? "%.0f %s" : "%.1f %s", b, u[i]);
}

static void progress_line(struct xfer *x, int final)
{
	double t = now_s() - x->t0;
	double rate = t > 0 ? (double)(x->done - x->offset) / t : 0;
	char got[32], tot[32], rt[32];
	human_bytes((double)x->done, got, sizeof got);
	human_bytes(x->total > 0 ? (double)x->total : 0, tot, sizeof tot);
	human_bytes(rate, rt, sizeof rt);
	char eta[32] = "";
	if (!final && x->total > 0 && rate > 0)
		snprintf(eta, sizeof eta, "  ETA %.0fs", (double)(x->total - x->done) / rate);
	if (final && x->done < ((int64_t)1 << 20) && x->total >= 0) { /* small files: no line of their own */
		if (x->c->tty)
			fprintf(stderr, "\r\033[K");
	} else if (final)
		fprintf(stderr, "%s%s  %s/%s  %s/s  %.1fs%s\n", x->c->tty ? "\r" : "", x->label, got,
			x->total > 0 ? tot : "?", rt, t, x->c->tty ? "\033[K" : "");
	else
		fprintf(stderr, "\r%s  %s/%s  %s/s%s\033[K", x->label, got, x->total > 0 ? tot : "?", rt, eta);
	fflush(stderr);
}

static int on_progress(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	struct xfer *x = user;
	double t = now_s();
	if (x->c->progress && x->c->tty && x->label && t - x->last >= 0.25) {
		x->last = t;
		progress_line(x, 0);
	}
	return 0;
}

/* One request, no retry.  method "HEAD" or "GET"; follow: follow redirects. */
static CURLcode http_once(struct hub_client *c, const char *method, const char *url, int follow, struct xfer *x,
			  char *curl_err)
{
	CURL *h = c->curl;
	curl_easy_reset(h);
	memset(x->r, 0, sizeof *x->r);
	x->r->size = -1;
	x->r->retry_after = -1;
	x->mem_len = 0;
	x->started = 0;
	struct curl_slist *hdrs = NULL;
	char range[64];
	hdrs = curl_slist_append(hdrs, "Accept-Encoding: identity");
	/* the token goes to the hub itself, never to a storage host it redirects to */
	if (c->auth && strncmp(url, c->endpoint, strlen(c->endpoint)) == 0)
		hdrs = curl_slist_append(hdrs, c->auth);
	if (x->file && x->offset > 0) {
		snprintf(range, sizeof range, "Range: bytes=%lld-", (long long)x->offset);
		hdrs = curl_slist_append(hdrs, range);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "ceval/1 (hub client; libcurl)");
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L); /* a stalled transfer becomes a retry */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
	curl_err[0] = '\0';
	CURLcode cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->r->status);
	curl_slist_free_all(hdrs);
	return cc;
}

/* Turn a final HTTP error status into the one-line error the user acts on. */
static enum ce_status http_error(const struct hub_client *c, const struct resp *r, const char *what,
				 const char *url, struct ce_err *err)
{
	long s = r->status;
	if (s == 401 || s == 403) {
		if (strcmp(r->error_code, "RepoNotFound") == 0)
			return ce_err_set(err, CE_E_NOT_FOUND,
					  "%s: not found, or private (HTTP %ld): check the name%s", what, s,
					  c->auth ? "; HF_TOKEN is set but gives no access to it" : ", or set HF_TOKEN");
		return ce_err_set(err, CE_E_NOT_FOUND,
				  "%s: access denied (HTTP %ld): the repo is gated or private; %s", what, s,
				  c->auth ? "HF_TOKEN is set but not accepted: accept the repo's terms on its hub page "
					    "with that account, or use a token with read access"
					  : "accept its terms on its hub page and set HF_TOKEN to a token with read access");
	}
	if (s == 404) {
		const char *hint = strcmp(r->error_code, "RevisionNotFound") == 0 ? "the revision does not exist"
				   : strcmp(r->error_code, "EntryNotFound") == 0  ? "the file does not exist"
										  : "check the name and the revision";
		return ce_err_set(err, CE_E_NOT_FOUND, "%s: not found (HTTP 404 from %s): %s", what, url, hint);
	}
	return ce_err_set(err, CE_E_IO, "%s: the hub answered HTTP %ld for %s", what, s, url);
}

/*
 * A request with retries: 429 and 5xx answers and dropped or refused
 * connections (not a host name that does not resolve: no network) are tried again after an exponential back-off (or the
 * server's Retry-After), within the retry count and the time budget.
 * For a download (x->file), each retry resumes from what the file holds.
 */
static enum ce_status http_request(struct hub_client *c, const char *method, const char *url, int follow,
				   struct xfer *x, const char *what, struct ce_err *err)
{
	double waited = 0;
	long delay_ms = c->base_ms;
	for (int attempt = 0;; attempt++) {
		char curl_err[CURL_ERROR_SIZE];
		if (x->file) {
			if (fflush(x->file) != 0)
				return ce_err_set(err, CE_E_IO, "%s: write failed: %s", what, strerror(errno));
			x->offset = ftello(x->file);
			x->done = x->offset;
		}
		x->write_failed = 0;
		CURLcode cc = http_once(c, method, url, follow, x, curl_err);
		if (x->write_failed)
			return ce_err_set(err, CE_E_IO, "%s: cannot write to the cache: %s", what, strerror(x->write_failed));
		long s = x->r->status;
		int retry = 0;
		char why[CURL_ERROR_SIZE + 64];
		if (cc != CURLE_OK) {
			retry = http_retryable_curl(cc);
			snprintf(why, sizeof why, "%s", curl_err[0] ? curl_err : curl_easy_strerror(cc));
		} else if (http_retryable_status(s)) {
			retry = 1;
			snprintf(why, sizeof why, "HTTP %ld", s);
		} else if (s == 416 && x->file && x->offset > 0) {
			return CE_OK; /* asked to resume at the end: the file is complete; the hash check decides */
		} else {
			return CE_OK; /* the caller judges the status */
		}
		long wait_ms = delay_ms;
		if (x->r->retry_after >= 0 && x->r->retry_after * 1000 > wait_ms)
			wait_ms = x->r->retry_after * 1000;
		if (!retry || attempt >= c->retries || waited + wait_ms / 1000.0 > c->budget_s) {
			if (cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_CONNECT ||
			    cc == CURLE_COULDNT_RESOLVE_PROXY || cc == CURLE_OPERATION_TIMEDOUT)
				return ce_err_set(err, CE_E_IO,
						  "%s: cannot reach %s (%s); check the network or proxy (https_proxy), "
						  "set HF_ENDPOINT for a mirror, or run with --offline to use what is cached",
						  what, c->endpoint, why);
			if (cc != CURLE_OK)
				return ce_err_set(err, CE_E_IO, "%s: transfer failed after %d attempt(s): %s", what,
						  attempt + 1, why);
			if (s == 429)
				return ce_err_set(err, CE_E_IO,
						  "%s: the hub keeps answering 429 (rate limited) after %d attempt(s); wait "
						  "and run the command again, or set HF_TOKEN (higher limits)",
						  what, attempt + 1);
			return ce_err_set(err, CE_E_IO, "%s: the hub answered HTTP %ld %d time(s) for %s; try again later",
					  what, s, attempt + 1, url);
		}
		ce_log(CE_LOG_WARN, "%s: %s; retrying in %.1fs (%d/%d)", what, why, wait_ms / 1000.0, attempt + 1,
		       c->retries);
		struct timespec ts = {wait_ms / 1000, (wait_ms % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
		}
		waited += wait_ms / 1000.0;
		delay_ms = delay_ms * 2 > 30000 ? 30000 : delay_ms * 2;
	}
}

/* ------------------------------------------------------------ repo info */

void hub_repo_info_deinit(struct hub_repo_info *info)
{
	if (!info)
		return;
	for (int32_t i = 0; i < info->n_files; i++)
		ce_free(info->files[i].path);
	ce_free(info->files);
	info->files = NULL;
	info->n_files = 0;
}

enum ce_status hub_repo_info_fetch(struct hub_client *c, enum hub_repo_type type, const char *repo_id,
				   const char *revision, struct hub_repo_info *info, struct ce_err *err)
{
	memset(info, 0, sizeof *info);
	const char *rev = revision ? revision : "main";
	char what[512];
	snprintf(what, sizeof what, "%s %s@%s", type == HUB_REPO_DATASET ? "dataset" : "model", repo_id, rev);
	if (!hub_repo_id_is_valid(repo_id))
		return ce_err_set(err, CE_E_INVALID_ARG, "'%s' is not a hub repo id (ORG/NAME)", repo_id);
	char *r = url_escape(rev, 0);
	size_t cap = strlen(c->endpoint) + strlen(repo_id) + (r ? strlen(r) : 0) + 64;
	char *url = ce_malloc(cap);
	if (!r || !url) {
		ce_free(r);
		ce_free(url);
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	snprintf(url, cap, "%s/api/%s/%s/revision/%s?blobs=true", c->endpoint, hub_repo_type_plural(type), repo_id, r);
	ce_free(r);
	struct resp rs;
	struct xfer x = {.c = c, .r = &rs, .total = -1};
	enum ce_status s = http_request(c, "GET", url, 1, &x, what, err);
	if (s == CE_OK && rs.status != 200)
		s = http_error(c, &rs, what, url, err);
	json_t *root = NULL;
	if (s == CE_OK) {
		json_error_t je;
		root = json_loadb(x.mem ? x.mem : "", x.mem_len, 0, &je);
		json_t *sha = root ? json_object_get(root, "sha") : NULL;
		json_t *sib = root ? json_object_get(root, "siblings") : NULL;
		if (!root || !json_is_string(sha) || !hub_is_commit(json_string_value(sha)) || !json_is_array(sib)) {
			s = ce_err_set(err, CE_E_FORMAT, "%s: the answer of %s is not a repo description (%s)", what, url,
				       root ? "no \"sha\" commit or \"siblings\" list" : je.text);
		} else {
			memcpy(info->commit, json_string_value(sha), 41);
			size_t n = json_array_size(sib);
			info->files = ce_calloc(n ? n : 1, sizeof *info->files);
			if (!info->files)
				s = ce_err_set(err, CE_E_NOMEM, "out of memory");
			for (size_t i = 0; s == CE_OK && i < n; i++) {
				json_t *e = json_array_get(sib, i);
				json_t *fn = json_object_get(e, "rfilename");
				json_t *sz = json_object_get(e, "size");
				if (!json_is_string(fn) || !hub_path_is_safe(json_string_value(fn))) {
					ce_log(CE_LOG_WARN, "%s: skipping a file with an unusable name", what);
					continue;
				}
				struct hub_file *f = &info->files[info->n_files];
				f->path = ce_strdup(json_string_value(fn));
				f->size = json_is_integer(sz) ? (int64_t)json_integer_value(sz) : -1;
				if (!f->path)
					s = ce_err_set(err, CE_E_NOMEM, "out of memory");
				else
					info->n_files++;
			}
		}
	}
	json_decref(root);
	ce_free(x.mem);
	ce_free(url);
	return s;
}

/* ------------------------------------------------------------ files */

/* Hash of a file as its etag names it: sha256 for 64 hex, git blob sha1 for 40. */
static enum ce_status hash_file(const char *path, size_t etag_len, char hex[65], int64_t *size, struct ce_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ce_err_set(err, CE_E_IO, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) != 0) {
		fclose(f);
		return ce_err_set(err, CE_E_IO, "%s: cannot stat: %s", path, strerror(errno));
	}
	*size = (int64_t)st.st_size;
	struct hub_sha256 s256;
	struct hub_sha1 s1;
	hub_sha256_init(&s256);
	hub_sha1_init(&s1);
	if (etag_len == 40) {
		char hdr[64];
		int n = snprintf(hdr, sizeof hdr, "blob %lld", (long long)st.st_size);
		hub_sha1_update(&s1, hdr, (size_t)n + 1); /* with the NUL */
	}
	size_t cap = (size_t)1 << 16, n;
	unsigned char *buf = ce_malloc(cap);
	if (!buf) {
		fclose(f);
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	while ((n = fread(buf, 1, cap, f)) > 0) {
		if (etag_len == 40)
			hub_sha1_update(&s1, buf, n);
		else
			hub_sha256_update(&s256, buf, n);
	}
	int bad = ferror(f);
	fclose(f);
	ce_free(buf);
	if (bad)
		return ce_err_set(err, CE_E_IO, "%s: read failed", path);
	if (etag_len == 40)
		hub_sha1_final(&s1, hex);
	else
		hub_sha256_final(&s256, hex);
	return CE_OK;
}

static int is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return 0;
	return 1;
}

/* Download url into <blob>.incomplete (resuming it), check it, rename it to blob. */
static enum ce_status fetch_blob(struct hub_client *c, const char *url, const char *blob, const char *etag,
				 int64_t size, const char *what, int64_t *n_downloaded, struct ce_err *err)
{
	size_t tl = strlen(blob) + 16;
	char *tmp = ce_malloc(tl);
	if (!tmp)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	snprintf(tmp, tl, "%s.incomplete", blob);
	size_t elen = strlen(etag);
	int checkable = is_hex(etag, 64) || is_hex(etag, 40);
	enum ce_status s = CE_OK;
	for (int round = 0; round < 2; round++) {
		FILE *f = fopen(tmp, "ab");
		if (!f) {
			s = ce_err_set(err, CE_E_IO, "%s: cannot create: %s", tmp, strerror(errno));
			break;
		}
		struct resp rs;
		struct xfer x = {.c = c, .r = &rs, .file = f, .label = what, .total = size};
		x.t0 = x.last = now_s();
		s = http_request(c, "GET", url, 1, &x, what, err);
		if (s == CE_OK && rs.status != 200 && rs.status != 206 && rs.status != 416)
			s = http_error(c, &rs, what, url, err);
		if (fclose(f) != 0 && s == CE_OK)
			s = ce_err_set(err, CE_E_IO, "%s: write failed: %s", tmp, strerror(errno));
		if (s == CE_OK && c->progress)
			progress_line(&x, 1);
		ce_free(x.mem);
		if (n_downloaded)
			*n_downloaded += x.done - x.offset;
		if (s != CE_OK)
			break; /* the .incomplete file stays, for the next run to resume */
		char hex[65] = "";
		int64_t got = 0;
		if ((s = hash_file(tmp, elen == 40 ? 40 : 64, hex, &got, err)) != CE_OK)
			break;
		const char *problem = NULL;
		char detail[256] = "";
		if (size >= 0 && got != size) {
			problem = "size";
			snprintf(detail, sizeof detail, "%lld bytes, expected %lld", (long long)got, (long long)size);
		} else if (checkable && strcmp(hex, etag) != 0) {
			problem = elen == 64 ? "sha256" : "git blob sha1";
			snprintf(detail, sizeof detail, "%s, expected %s", hex, etag);
		}
		if (!problem) {
			if (rename(tmp, blob) != 0)
				s = ce_err_set(err, CE_E_IO, "%s: cannot rename into the cache: %s", blob, strerror(errno));
			break;
		}
		unlink(tmp);
		if (round == 0) {
			ce_log(CE_LOG_WARN, "%s: %s mismatch (%s); deleted it, downloading again", what, problem, detail);
			continue;
		}
		s = ce_err_set(err, CE_E_MISMATCH,
			       "%s: %s mismatch (%s) twice; the file was deleted. The server or a proxy alters it: "
			       "try again later or another HF_ENDPOINT",
			       what, problem, detail);
	}
	ce_free(tmp);
	return s;
}

enum ce_status hub_download_file(struct hub_client *c, enum hub_repo_type type, const char *repo_id,
				 const char *commit, const char *path, int64_t *n_downloaded, struct ce_err *err)
{
	if (n_downloaded)
		*n_downloaded = 0;
	if (!hub_repo_id_is_valid(repo_id))
		return ce_err_set(err, CE_E_INVALID_ARG, "'%s' is not a hub repo id (ORG/NAME)", repo_id);
	if (!hub_is_commit(commit))
		return ce_err_set(err, CE_E_INVALID_ARG, "'%s' is not a commit id", commit);
	if (!hub_path_is_safe(path))
		return ce_err_set(err, CE_E_FORMAT, "%s: unsafe file name '%s'", repo_id, path);
	char *repo_dir = hub_cache_repo_dir(c->root, type, repo_id);
	if (!repo_dir)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	if (hub_cache_has_file(repo_dir, commit, path)) {
		ce_free(repo_dir);
		return CE_OK;
	}
	char what[768];
	snprintf(what, sizeof what, "%s/%s", repo_id, path);
	char *url = url_resolve(c, type, repo_id, commit, path);
	char *dl = NULL, *blob = NULL;
	int lock = -1;
	enum ce_status s = CE_OK;
	struct resp rs;
	struct xfer x = {.c = c, .r = &rs, .total = -1};
	if (!url) {
		s = ce_err_set(err, CE_E_NOMEM, "out of memory");
		goto out;
	}
	/* HEAD: metadata; follow only same-host (relative) redirects, as for a renamed repo */
	dl = ce_strdup(url);
	for (int hop = 0; s == CE_OK && dl; hop++) {
		s = http_request(c, "HEAD", dl, 0, &x, what, err);
		if (s != CE_OK)
			break;
		if (rs.status >= 300 && rs.status < 400 && rs.location[0] == '/' && hop < 5) {
			size_t cap = strlen(c->endpoint) + strlen(rs.location) + 1;
			char *next = ce_malloc(cap);
			if (next)
				snprintf(next, cap, "%s%s", c->endpoint, rs.location);
			ce_free(dl);
			dl = next;
			continue;
		}
		break;
	}
	if (s != CE_OK)
		goto out;
	if (!dl) {
		s = ce_err_set(err, CE_E_NOMEM, "out of memory");
		goto out;
	}
	if (rs.status >= 300 && rs.status < 400 && rs.location[0]) {
		ce_free(dl);
		dl = ce_strdup(rs.location); /* the storage URL of an LFS file */
	} else if (rs.status != 200) {
		s = http_error(c, &rs, what, dl, err);
		if (rs.status == 404 && strcmp(rs.error_code, "EntryNotFound") == 0) {
			struct ce_err merr; /* remembered for offline runs, as huggingface_hub does */
			if (hub_cache_mark_absent(repo_dir, commit, path, &merr) != CE_OK)
				ce_log(CE_LOG_WARN, "%s", merr.msg);
		}
		goto out;
	}
	if (!rs.etag[0] || strchr(rs.etag, '/') || !hub_path_is_safe(rs.etag)) {
		s = ce_err_set(err, CE_E_FORMAT, "%s: the server sent no usable ETag, so the file cannot be cached by content", what);
		goto out;
	}
	if (rs.commit[0] && strcmp(rs.commit, commit) != 0)
		ce_log(CE_LOG_WARN, "%s: server says commit %s, expected %s", what, rs.commit, commit);
	blob = hub_cache_blob_path(repo_dir, rs.etag);
	if (!dl || !blob) {
		s = ce_err_set(err, CE_E_NOMEM, "out of memory");
		goto out;
	}
	int new_blob = 0;
	if (!fs_is_file(blob)) {
		char *blobs = fs_join(repo_dir, "blobs");
		s = blobs ? fs_mkdir_p(blobs, err) : ce_err_set(err, CE_E_NOMEM, "out of memory");
		ce_free(blobs);
		if (s == CE_OK)
			s = hub_cache_lock(c->root, repo_dir, rs.etag, &lock, err);
		if (s == CE_OK && !fs_is_file(blob)) { /* another process may have finished it meanwhile */
			s = fetch_blob(c, dl, blob, rs.etag, rs.size, what, n_downloaded, err);
			new_blob = 1;
		}
		if (s == CE_OK) /* under the lock: with symlinks disabled the new blob moves away */
			s = hub_cache_place(repo_dir, commit, path, rs.etag, new_blob, err);
		hub_cache_unlock(lock);
		lock = -1;
	} else {
		s = hub_cache_place(repo_dir, commit, path, rs.etag, 0, err);
	}
out:
	ce_free(x.mem);
	ce_free(blob);
	ce_free(dl);
	ce_free(url);
	ce_free(repo_dir);
	return s;
}

enum ce_status hub_download_snapshot(struct hub_client *c, enum hub_repo_type type, const char *repo_id,
				     const char *revision, hub_select_fn select, void *user, char commit[41],
				     int64_t *n_downloaded, struct ce_err *err)
{
	if (n_downloaded)
		*n_downloaded = 0;
	commit[0] = '\0';
	struct hub_repo_info info;
	enum ce_status s = hub_repo_info_fetch(c, type, repo_id, revision, &info, err);
	for (int32_t i = 0; s == CE_OK && i < info.n_files; i++) {
		if (select && !select(&info, &info.files[i], user))
			continue;
		int64_t got = 0;
		s = hub_download_file(c, type, repo_id, info.commit, info.files[i].path, &got, err);
		if (n_downloaded)
			*n_downloaded += got;
	}
	if (s == CE_OK) {
		memcpy(commit, info.commit, 41);
		const char *rev = revision ? revision : "main";
		if (!hub_is_commit(rev)) {
			char *repo_dir = hub_cache_repo_dir(c->root, type, repo_id);
			s = repo_dir ? hub_cache_write_ref(repo_dir, rev, info.commit, err)
				     : ce_err_set(err, CE_E_NOMEM, "out of memory");
			ce_free(repo_dir);
		}
	}
	hub_repo_info_deinit(&info);
	return s;
}
