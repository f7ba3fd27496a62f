/*
 * backend_api.c - the embeddings API client behind struct embedder (see
 * backend_api.h; retry rules shared with the hub client in hub/http_retry.h).
 */
#include "backend_api.h"

#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_json.h"
#include "ce_alloc.h"
#include "ce_hash.h"
#include "ce_log.h"
#include "http_retry.h"

struct backend_api {
	struct embedder emb;
	struct embedder_identity id;
	struct backend_api_opts o;
	char *endpoint, *model, *url, *describe, *auth;
	char *host;      /* host[:port]: logs, errors, results */
	char *host_only; /* the fingerprint's: a server restarted on another port keeps its cache */
	char fingerprint[17];
	unsigned seed;
	int64_t n_requests, n_retries, n_texts;
	double waited_s; /* back-off spent so far, over the whole run */
};

/* One request: texts[start, start + n) of the current call. */
struct req {
	int64_t start, n;
	char *body;
	char *resp;
	size_t resp_len, resp_cap;
	long retry_after;
	int attempts;
	double not_before; /* monotonic seconds */
	int state;         /* 0 waiting, 1 in flight, 2 done */
	CURL *h;
	struct curl_slist *hdrs;
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	char *end;
	long x = strtol(v, &end, 10);
	return *end || x < 0 ? dflt : x;
}

void backend_api_opts_init(struct backend_api_opts *o)
{
	*o = (struct backend_api_opts){0};
	o->concurrency = 4;
	o->batch = 64;
	o->max_chars = 100000;
	o->retries = (int)env_long("CEVAL_API_RETRIES", 6);
	o->budget_s = (double)env_long("CEVAL_API_RETRY_BUDGET", 300);
}

void backend_api_opts_for(struct backend_api_opts *o, int kind, const char *name, const char *endpoint,
			  int dimensions, int concurrency, int batch, int64_t max_chars)
{
	backend_api_opts_init(o);
	o->model = name;
	o->endpoint = kind == 1 && !endpoint ? "https://api.openai.com/v1" : endpoint;
	o->api_key = getenv(kind == 1 ? "OPENAI_API_KEY" : "CEVAL_API_KEY");
	o->dimensions = dimensions;
	if (concurrency > 0)
		o->concurrency = concurrency;
	if (batch > 0)
		o->batch = batch;
	if (max_chars > 0)
		o->max_chars = max_chars;
}

int backend_api_parse_model(const char *arg, int *kind, const char **name)
{
	if (arg && strncmp(arg, "openai:", 7) == 0) {
		*kind = 1;
		*name = arg + 7;
		return 1;
	}
	if (arg && strncmp(arg, "api:", 4) == 0) {
		*kind = 2;
		*name = arg + 4;
		return 1;
	}
	return 0;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *user)
{
	struct req *r = user;
	size_t n = size * nitems;
	if (n > 12 && strncasecmp(buf, "Retry-After:", 12) == 0) {
		char tmp[32];
		size_t k = n - 12 < sizeof tmp - 1 ? n - 12 : sizeof tmp - 1;
		memcpy(tmp, buf + 12, k);
		tmp[k] = 0;
		r->retry_after = http_parse_retry_after(tmp);
	}
	return n;
}

static size_t on_body(char *buf, size_t size, size_t nmemb, void *user)
{
	struct req *r = user;
	size_t n = size * nmemb;
	if (r->resp_len + n + 1 > r->resp_cap) {
		size_t cap = r->resp_cap ? r->resp_cap : 65536;
		while (cap < r->resp_len + n + 1)
			cap *= 2;
		if (cap > ((size_t)1 << 31))
			return 0; /* an answer over 2 GiB is not an embeddings answer */
		char *p = ce_realloc(r->resp, cap);
		if (!p)
			return 0;
		r->resp = p;
		r->resp_cap = cap;
	}
	memcpy(r->resp + r->resp_len, buf, n);
	r->resp_len += n;
	r->resp[r->resp_len] = 0;
	return n;
}

/* The request body: {"model", "input": [...], "encoding_format": "float"[, "dimensions"]}. */
static char *make_body(const struct backend_api *b, const char *const *texts, int64_t n)
{
	json_t *in = json_array();
	for (int64_t i = 0; in && i < n; i++)
		if (json_array_append_new(in, json_string(texts[i])) != 0) {
			json_decref(in);
			in = NULL;
		}
	if (!in)
		return NULL;
	json_t *o = json_pack("{s:s,s:o,s:s}", "model", b->model, "input", in, "encoding_format", "float");
	if (o && b->o.dimensions > 0)
		json_object_set_new(o, "dimensions", json_integer(b->o.dimensions));
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

static int start_req(struct backend_api *b, CURLM *m, struct req *r)
{
	r->resp_len = 0;
	r->retry_after = -1;
	r->h = curl_easy_init();
	if (!r->h)
		return -1;
	r->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (b->auth)
		r->hdrs = curl_slist_append(r->hdrs, b->auth);
	curl_easy_setopt(r->h, CURLOPT_URL, b->url);
	curl_easy_setopt(r->h, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(r->h, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(r->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(r->h, CURLOPT_PRIVATE, r);
	curl_easy_setopt(r->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->h, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(r->h, CURLOPT_TIMEOUT, env_long("CEVAL_API_TIMEOUT", 300));
	curl_easy_setopt(r->h, CURLOPT_USERAGENT, "ceval");
	r->attempts++;
	r->state = 1;
	return curl_multi_add_handle(m, r->h) == CURLM_OK ? 0 : -1;
}

static void end_req(CURLM *m, struct req *r)
{
	if (r->h) {
		curl_multi_remove_handle(m, r->h);
		curl_easy_cleanup(r->h);
		r->h = NULL;
	}
	curl_slist_free_all(r->hdrs);
	r->hdrs = NULL;
}

/* The server's error message from OpenAI's error JSON, or the start of the body. */
static void error_message(const struct req *r, char *out, size_t cap)
{
	out[0] = 0;
	json_t *j = r->resp ? json_loadb(r->resp, r->resp_len, 0, NULL) : NULL;
	json_t *msg = json_object_get(json_object_get(j, "error"), "message");
	if (json_is_string(msg))
		snprintf(out, cap, "%s", json_string_value(msg));
	else if (r->resp_len)
		snprintf(out, cap, "%.120s", r->resp);
	json_decref(j);
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/* Check one 200 answer and write its rows into out (row i of the call = out + i * dim). */
static enum ce_status take_answer(struct backend_api *b, const struct req *r, float *out, int32_t *dim_seen,
				  struct ce_err *err)
{
	struct ce_err e;
	ce_err_clear(&e);
	enum ce_status st = api_parse_embeddings(r->resp, r->resp_len, r->n, r->start, out, dim_seen, &e);
	return st == CE_OK ? CE_OK : ce_err_set(err, st, "%s: %s", b->host, e.msg);
}

/*
 * Embed texts[0..n) into out (NULL: only check; *dim learns the dimension
 * when <= 0).  The request loop: keep up to concurrency requests in
 * flight, retry the retryable ones after their back-off, stop at the
 * first error.
 */
static enum ce_status api_call(struct backend_api *b, const char *const *texts, int64_t n, float *out, int32_t *dim,
			       struct ce_err *err)
{
	int64_t n_req = 0;
	for (int64_t i = 0; i < n; n_req++) {
		int64_t k = 0, chars = 0;
		while (i + k < n && k < b->o.batch && (k == 0 || chars + (int64_t)strlen(texts[i + k]) <= b->o.max_chars))
			chars += (int64_t)strlen(texts[i + k++]);
		i += k;
	}
	struct req *rq = ce_calloc((size_t)(n_req ? n_req : 1), sizeof *rq);
	CURLM *m = curl_multi_init();
	enum ce_status st = CE_OK;
	if (!rq || !m) {
		st = ce_err_set(err, CE_E_NOMEM, "out of memory");
		goto out;
	}
	for (int64_t i = 0, r = 0; i < n; r++) {
		int64_t k = 0, chars = 0;
		while (i + k < n && k < b->o.batch && (k == 0 || chars + (int64_t)strlen(texts[i + k]) <= b->o.max_chars))
			chars += (int64_t)strlen(texts[i + k++]);
		rq[r].start = i;
		rq[r].n = k;
		rq[r].body = make_body(b, texts + i, k);
		if (!rq[r].body) {
			st = ce_err_set(err, CE_E_NOMEM, "out of memory");
			goto out;
		}
		i += k;
	}
	int64_t done_req = 0, done_texts = 0, in_flight = 0, next = 0;
	while (done_req < n_req) {
		double t = now_s();
		/* start waiting requests, first the retries that are due, then new ones, in order */
		for (int64_t r = 0; r < n_req && in_flight < b->o.concurrency; r++) {
			if (rq[r].state != 0 || rq[r].not_before > t || (rq[r].attempts == 0 && r > next))
				continue;
			if (rq[r].attempts == 0)
				next = r + 1;
			if (start_req(b, m, &rq[r]) != 0) {
				st = ce_err_set(err, CE_E_NOMEM, "out of memory starting a request");
				goto out;
			}
			in_flight++;
		}
		int running = 0;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct req *r = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
			CURLcode cc = msg->data.result;
			long status = 0;
			curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &status);
			end_req(m, r);
			in_flight--;
			char why[256];
			int retry = 0;
			if (cc != CURLE_OK) {
				retry = http_retryable_curl(cc);
				snprintf(why, sizeof why, "%s", curl_easy_strerror(cc));
			} else if (status != 200) {
				retry = http_retryable_status(status);
				char m2[200];
				error_message(r, m2, sizeof m2);
				snprintf(why, sizeof why, "HTTP %ld%s%s", status, m2[0] ? ": " : "", m2);
			}
			if (cc == CURLE_OK && status == 200) {
				if ((st = take_answer(b, r, out, dim, err)) != CE_OK)
					goto out;
				r->state = 2;
				done_req++;
				done_texts += r->n;
				b->n_requests++;
				b->n_texts += r->n;
				if (b->o.progress && out && b->o.progress(b->o.progress_user, done_texts, n)) {
					st = ce_err_set(err, CE_E_INTERRUPTED, "interrupted");
					goto out;
				}
				continue;
			}
			long delay = env_long("CEVAL_API_BACKOFF_MS", 500);
			for (int a = 1; a < r->attempts && delay < 60000; a++)
				delay *= 2;
			long wait_ms = http_retry_wait_ms(delay, r->retry_after, 60000, &b->seed);
			if (!retry || r->attempts > b->o.retries || b->waited_s + wait_ms / 1000.0 > b->o.budget_s) {
				const char *hint = status == 401 || status == 403 ? " (check the API key)"
						   : status == 429 ? " (rate limited; run again later: finished requests "
								     "are in the embedding cache)"
								   : "";
				st = ce_err_set(err, CE_E_IO, "%s: %s%s%s", b->host, why,
						retry ? " (gave up after the retry limit)" : "", hint);
				goto out;
			}
			b->n_retries++;
			b->waited_s += wait_ms / 1000.0;
			ce_log(CE_LOG_WARN, "%s: %s; retrying in %.1fs (attempt %d of %d)", b->host, why, wait_ms / 1000.0,
			       r->attempts + 1, b->o.retries + 1);
			r->state = 0;
			r->not_before = now_s() + wait_ms / 1000.0;
		}
		if (done_req < n_req) {
			int numfds;
			curl_multi_poll(m, NULL, 0, 50, &numfds);
			if (b->o.progress && out && b->o.progress(b->o.progress_user, done_texts, n)) {
				st = ce_err_set(err, CE_E_INTERRUPTED, "interrupted");
				goto out;
			}
		}
	}
out:
	for (int64_t r = 0; rq && r < n_req; r++) {
		end_req(m, &rq[r]);
		ce_free(rq[r].resp);
		free(rq[r].body);
	}
	if (m)
		curl_multi_cleanup(m);
	ce_free(rq);
	return st;
}

static enum ce_status api_embed(void *self, const char *const *texts, int64_t n, float *out, struct ce_err *err)
{
	struct backend_api *b = self;
	int32_t d = b->id.dim;
	return n > 0 ? api_call(b, texts, n, out, &d, err) : CE_OK;
}

static void api_set_phase(void *self, const char *phase)
{
	struct backend_api *b = self;
	if (b->o.phase_fn)
		b->o.phase_fn(b->o.phase_user, phase);
}

struct backend_api *backend_api_open(const struct backend_api_opts *opts, struct ce_err *err)
{
	if (!opts->endpoint || !*opts->endpoint || !opts->model || !*opts->model) {
		ce_err_set(err, CE_E_INVALID_ARG, "an API model needs a model name and an endpoint URL");
		return NULL;
	}
	struct backend_api *b = ce_calloc(1, sizeof *b);
	if (!b) {
		ce_err_set(err, CE_E_NOMEM, "out of memory");
		return NULL;
	}
	b->o = *opts;
	if (b->o.concurrency < 1)
		b->o.concurrency = 1;
	if (b->o.batch < 1)
		b->o.batch = 1;
	if (b->o.max_chars < 1)
		b->o.max_chars = 1;
	b->seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	size_t el = strlen(opts->endpoint);
	while (el > 0 && opts->endpoint[el - 1] == '/')
		el--;
	b->endpoint = ce_strndup(opts->endpoint, el);
	b->model = ce_strdup(opts->model);
	b->url = b->endpoint ? ce_malloc(el + 16) : NULL;
	if (!b->endpoint || !b->model || !b->url) {
		ce_err_set(err, CE_E_NOMEM, "out of memory");
		backend_api_close(b);
		return NULL;
	}
	snprintf(b->url, el + 16, "%s/embeddings", b->endpoint);
	/* the host (and port) names the vectors' origin: fingerprint, logs, errors */
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *scheme = NULL;
	if (!u || curl_url_set(u, CURLUPART_URL, b->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		ce_err_set(err, CE_E_INVALID_ARG, "--endpoint: '%s' is not an http:// or https:// URL", opts->endpoint);
		curl_free(scheme);
		curl_free(host);
		curl_url_cleanup(u);
		backend_api_close(b);
		return NULL;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	size_t hl = strlen(host) + (port ? strlen(port) + 2 : 1);
	b->host = ce_malloc(hl);
	b->host_only = ce_strdup(host);
	if (b->host)
		snprintf(b->host, hl, "%s%s%s", host, port ? ":" : "", port ? port : "");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	if (opts->api_key && *opts->api_key) {
		size_t al = strlen(opts->api_key) + 32;
		b->auth = ce_malloc(al);
		if (b->auth)
			snprintf(b->auth, al, "Authorization: Bearer %s", opts->api_key);
	}
	if (!b->host || !b->host_only || (opts->api_key && *opts->api_key && !b->auth)) {
		ce_err_set(err, CE_E_NOMEM, "out of memory");
		backend_api_close(b);
		return NULL;
	}
	/* the probe: reachable, model known, key accepted, dimension learnt */
	int32_t dim = opts->dimensions > 0 ? opts->dimensions : 0;
	static const char *const probe[] = {"ceval"};
	struct backend_api_opts keep = b->o;
	b->o.concurrency = 1;
	enum ce_status st = api_call(b, probe, 1, NULL, &dim, err);
	b->o = keep;
	if (st != CE_OK) {
		backend_api_close(b);
		return NULL;
	}
	b->n_requests = b->n_texts = 0;
	uint64_t h = ce_hash64("api", 4, 0);
	h = ce_hash64(b->host_only, strlen(b->host_only) + 1, h);
	h = ce_hash64(b->model, strlen(b->model) + 1, h);
	h = ce_hash64(&dim, sizeof dim, h);
	ce_hash_hex(h, b->fingerprint);
	size_t dl = strlen(b->model) + strlen(b->host) + 64;
	b->describe = ce_malloc(dl);
	if (!b->describe) {
		ce_err_set(err, CE_E_NOMEM, "out of memory");
		backend_api_close(b);
		return NULL;
	}
	snprintf(b->describe, dl, "API model %s at %s, %d dimensions", b->model, b->host, (int)dim);
	b->id = (struct embedder_identity){
		.backend = "api",
		.name = b->model,
		.describe = b->describe,
		.dim = dim,
		.fingerprint = b->fingerprint,
		.precision = "f32",
		.kernels = NULL,
		.max_length = 1, /* the server's business; not known here */
		.batch_size = 1, /* order NULL: the cache chunks in input order */
		.threads = 1,
		.endpoint = b->host,
	};
	b->emb = (struct embedder){api_embed, b, dim, api_set_phase, &b->id, NULL};
	return b;
}

void backend_api_close(struct backend_api *b)
{
	if (!b)
		return;
	ce_free(b->endpoint);
	ce_free(b->model);
	ce_free(b->url);
	ce_free(b->host);
	ce_free(b->host_only);
	ce_free(b->describe);
	if (b->auth) { /* the key does not outlive its use */
		memset(b->auth, 0, strlen(b->auth));
		ce_free(b->auth);
	}
	ce_free(b);
}

struct embedder *backend_api_embedder(struct backend_api *b) { return &b->emb; }

void backend_api_stats(const struct backend_api *b, int64_t *requests, int64_t *retries, int64_t *texts)
{
	*requests = b->n_requests;
	*retries = b->n_retries;
	*texts = b->n_texts;
}
