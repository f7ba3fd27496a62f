/*
 * cmd_serve.c - `ceval serve`: the built-in encoder behind an
 * OpenAI-compatible HTTP API (POST /v1/embeddings, GET /v1/models,
 * GET /health), on libmicrohttpd.
 *
 * Dynamic batching: HTTP work (reading bodies, parsing, writing replies)
 * runs on libmicrohttpd's thread pool; each parsed request is queued for
 * the one encoder thread and its handler waits.  The encoder thread takes
 * what is queued, waits at most --batch-wait-ms for requests still being
 * read (none: no wait), up to --max-batch texts, encodes them in one call
 * and hands each request its rows.
 *
 * Identity with `ceval embed`: merging requests is bit-safe only when a
 * text's vector does not depend on the other texts of the call
 * (encoder_rows_independent: bf16, fp32 on AVX-512).  Otherwise (fp32 on
 * OpenBLAS, or --no-merge) requests still queue but each is encoded on its
 * own, exactly as `ceval embed` encodes the same list.
 *
 * Limits: the body size (413), inputs per request and bytes per text (400);
 * each connection times out (a slow or vanished client holds one
 * connection, never a pool thread, for at most --timeout seconds).
 */
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_json.h"
#include "backend_local.h"
#include "ce_alloc.h"
#include "ce_log.h"
#include "cli.h"
#include "engine.h"
#include "model_ref.h"

static struct {
	const char *model, *host, *api_key, *precision, *name;
	int port, threads, batch_size, max_length, max_inputs, max_text_bytes, max_body_mb, timeout, pool;
	int max_batch, batch_wait_ms, no_merge;
	int quiet, verbose;
} sargs;

static const struct cli_opt *serve_options(void)
{
	static const struct cli_opt opts[] = {
		{"model", 'm', CLI_OPT_STRING, &sargs.model, "DIR|NAME", "Model folder or known model name.", NULL, 0, 0,
		 1},
		{"host", 0, CLI_OPT_STRING, &sargs.host, "ADDR",
		 "IPv4 address to listen on; 0.0.0.0 exposes the server to the network.", "127.0.0.1", 0, 0, 0},
		{"port", 'p', CLI_OPT_INT, &sargs.port, "N", "TCP port; 0 = a free one (printed on stdout).", "8080", 0,
		 65535, 0},
		{"name", 0, CLI_OPT_STRING, &sargs.name, "NAME", "Model name clients must send (and /v1/models lists).",
		 "the model's name", 0, 0, 0},
		{"api-key", 0, CLI_OPT_STRING, &sargs.api_key, "KEY",
		 "Require 'Authorization: Bearer KEY' (also $CEVAL_SERVE_API_KEY).", "none", 0, 0, 0},
		{"max-inputs", 0, CLI_OPT_INT, &sargs.max_inputs, "N", "Inputs per request (more: 400).", "2048", 1,
		 1 << 20, 0},
		{"max-text-bytes", 0, CLI_OPT_INT, &sargs.max_text_bytes, "N", "Bytes per input text (more: 400).",
		 "65536", 1, 1 << 28, 0},
		{"max-body-mb", 0, CLI_OPT_INT, &sargs.max_body_mb, "N", "Request body size in MiB (more: 413).", "16",
		 1, 4096, 0},
		{"timeout", 0, CLI_OPT_INT, &sargs.timeout, "S", "Seconds a connection may stay idle.", "30", 1, 3600,
		 0},
		{"http-threads", 0, CLI_OPT_INT, &sargs.pool, "N", "HTTP worker threads (connections served at once).",
		 "8", 1, 256, 0},
		{"max-batch", 0, CLI_OPT_INT, &sargs.max_batch, "N",
		 "Texts merged into one encoder call at most (a larger request runs alone).", "256", 1, 1 << 20, 0},
		{"batch-wait-ms", 0, CLI_OPT_INT, &sargs.batch_wait_ms, "MS",
		 "Milliseconds the encoder waits for requests still arriving before it starts a batch.", "2", 0, 10000,
		 0},
		{"no-merge", 0, CLI_OPT_FLAG, &sargs.no_merge, NULL,
		 "Encode each request on its own even where merging is bit-safe.", NULL, 0, 0, 0},
		{"batch-size", 'b', CLI_OPT_INT, &sargs.batch_size, "N", "Texts per forward batch.", "32", 1, 65536, 0},
		{"threads", 't', CLI_OPT_INT, &sargs.threads, "N", "Compute threads (0 = all CPUs).", "0", 0, 1024, 0},
		{"max-length", 0, CLI_OPT_INT, &sargs.max_length, "N", "Lower the token limit; 0 = the model's own.",
		 "0", 0, 1 << 20, 0},
		{"precision", 0, CLI_OPT_STRING, &sargs.precision, "f32|bf16", "Encoder arithmetic.", "f32", 0, 0, 0},
		{"quiet", 'q', CLI_OPT_FLAG, &sargs.quiet, NULL, "Errors only.", NULL, 0, 0, 0},
		{"verbose", 'v', CLI_OPT_FLAG, &sargs.verbose, NULL, "Log every request.", NULL, 0, 0, 0},
		CLI_OPT_END,
	};
	return opts;
}

/* One request's texts, queued for the encoder thread. */
struct job {
	const char *const *texts;
	const size_t *lens;
	int64_t n;
	float *out; /* n * dim */
	enum ce_status st;
	struct ce_err err;
	int done;
	struct job *next;
};

struct server {
	struct encoder *enc;
	const char *name;
	int32_t dim;
	size_t max_body;
	const char *api_key;
	int merge;             /* merge queued requests into one encoder call */
	int64_t max_batch;     /* texts per merged call */
	long wait_ns;          /* --batch-wait-ms */
	pthread_mutex_t lock;  /* everything below */
	pthread_cond_t work;   /* a job was queued, or stop */
	pthread_cond_t done;   /* a job was finished */
	struct job *head, *tail;
	int64_t queued_texts;
	int arriving;          /* POSTs to /v1/embeddings being read or parsed */
	int stop;
	int64_t n_requests, n_texts, n_batches, max_merged;
	struct job **take; /* the encoder thread's current jobs (at most one per HTTP thread) */
	int take_cap;
};

/* A growing byte buffer (request bodies may hold any byte; replies are built in it). */
struct bbuf {
	char *data;
	size_t len, cap;
};

static int bb_add(struct bbuf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *q = ce_realloc(b->data, cap);
		if (!q)
			return -1;
		b->data = q;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

static int bb_printf(struct bbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bb_printf(struct bbuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof tmp)
		return -1;
	return bb_add(b, tmp, (size_t)k);
}

static void bb_free(struct bbuf *b)
{
	ce_free(b->data);
	*b = (struct bbuf){0};
}

/* Per-connection state: the request body read so far. */
struct conn {
	struct bbuf body;
	int too_big;
	int arriving; /* counted in server.arriving */
};

static void leave_arriving_locked(struct server *s, struct conn *st)
{
	if (st && st->arriving) {
		st->arriving = 0;
		s->arriving--;
	}
}

static void ts_add(struct timespec *t, long ns)
{
	t->tv_nsec += ns % 1000000000L;
	t->tv_sec += ns / 1000000000L + t->tv_nsec / 1000000000L;
	t->tv_nsec %= 1000000000L;
}

/* Encode jobs[0..k) in one encoder call (k == 1: straight into its rows). */
static void encode_jobs(struct server *s, struct job **jobs, int k)
{
	if (k == 1) {
		jobs[0]->st = encoder_embed_len(s->enc, jobs[0]->texts, jobs[0]->lens, jobs[0]->n, jobs[0]->out,
						&jobs[0]->err);
		return;
	}
	int64_t n = 0;
	for (int i = 0; i < k; i++)
		n += jobs[i]->n;
	const char **texts = ce_malloc_array((size_t)n, sizeof *texts);
	size_t *lens = ce_malloc_array((size_t)n, sizeof *lens);
	float *out = ce_malloc_array((size_t)n * (size_t)s->dim, sizeof *out);
	struct ce_err err;
	ce_err_clear(&err);
	enum ce_status st = CE_E_NOMEM;
	if (texts && lens && out) {
		for (int64_t i = 0, at = 0; i < k; at += jobs[i]->n, i++) {
			memcpy(texts + at, jobs[i]->texts, (size_t)jobs[i]->n * sizeof *texts);
			memcpy(lens + at, jobs[i]->lens, (size_t)jobs[i]->n * sizeof *lens);
		}
		st = encoder_embed_len(s->enc, texts, lens, n, out, &err);
	} else {
		ce_err_set(&err, CE_E_NOMEM, "out of memory merging %d requests", k);
	}
	size_t row = (size_t)s->dim * sizeof *out;
	for (int64_t i = 0, at = 0; i < k; at += jobs[i]->n, i++) {
		jobs[i]->st = st;
		jobs[i]->err = err;
		if (st == CE_OK)
			memcpy(jobs[i]->out, out + (size_t)at * (size_t)s->dim, (size_t)jobs[i]->n * row);
	}
	ce_free(texts);
	ce_free(lens);
	ce_free(out);
}

/* The encoder thread: take what is queued (merged when allowed), encode, hand back. */
static void *encoder_loop(void *arg)
{
	struct server *s = arg;
	struct job **take = s->take;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->head && !s->stop)
			pthread_cond_wait(&s->work, &s->lock);
		if (!s->head)
			break; /* stop, nothing left */
		if (s->merge && s->wait_ns > 0 && s->arriving > 0 && s->queued_texts < s->max_batch) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			ts_add(&until, s->wait_ns);
			while (!s->stop && s->arriving > 0 && s->queued_texts < s->max_batch &&
			       pthread_cond_timedwait(&s->work, &s->lock, &until) == 0)
				;
		}
		int k = 0;
		int64_t texts = 0;
		while (s->head && k < s->take_cap && (k == 0 || (s->merge && texts + s->head->n <= s->max_batch))) {
			struct job *j = s->head;
			s->head = j->next;
			if (!s->head)
				s->tail = NULL;
			s->queued_texts -= j->n;
			texts += j->n;
			s->take[k++] = j;
		}
		pthread_mutex_unlock(&s->lock);
		encode_jobs(s, take, k);
		pthread_mutex_lock(&s->lock);
		for (int i = 0; i < k; i++)
			take[i]->done = 1;
		s->n_batches++;
		if (k > s->max_merged)
			s->max_merged = k;
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Queue a job and wait for its rows. */
static void submit(struct server *s, struct conn *st, struct job *j)
{
	pthread_mutex_lock(&s->lock);
	leave_arriving_locked(s, st);
	j->next = NULL;
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	s->queued_texts += j->n;
	s->n_requests++;
	s->n_texts += j->n;
	pthread_cond_signal(&s->work);
	while (!j->done)
		pthread_cond_wait(&s->done, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

static volatile sig_atomic_t serve_stop;
static void on_term(int sig)
{
	(void)sig;
	serve_stop = 1;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *json, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)json, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* An error in OpenAI's shape: {"error": {"message", "type", "param", "code"}}. */
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *type, const char *code,
				   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *type, const char *code,
				   const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_t *o = json_pack("{s:{s:s,s:s,s:n,s:s?}}", "error", "message", msg, "type", type, "param", "code", code);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	enum MHD_Result ret = s ? reply(c, status, s, strlen(s)) : MHD_NO;
	free(s);
	return ret;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int buf_b64(struct bbuf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
			     i + 2 < n ? b64[v & 63] : '='};
		if (bb_add(b, q, 4) != 0)
			return -1;
	}
	return 0;
}

static enum MHD_Result handle_embeddings(struct server *s, struct MHD_Connection *c, struct conn *st)
{
	struct api_request_limits lim = {s->name, s->dim, (size_t)sargs.max_inputs, (size_t)sargs.max_text_bytes};
	struct api_request rq;
	const char *code;
	char msg[512];
	int status = api_parse_request(st->body.data, st->body.len, &lim, &rq, &code, msg, sizeof msg);
	if (status != 0) {
		pthread_mutex_lock(&s->lock);
		leave_arriving_locked(s, st);
		pthread_mutex_unlock(&s->lock);
		api_request_free(&rq);
		return reply_error(c, (unsigned)status, status == 500 ? "server_error" : "invalid_request_error", code,
				   "%s", msg);
	}
	enum MHD_Result ret;
	size_t n = rq.n;
	struct bbuf out = {0};
	struct job job = {.texts = rq.texts, .lens = rq.lens, .n = (int64_t)n};
	job.out = ce_malloc_array(n * (size_t)s->dim, sizeof *job.out);
	if (!job.out) {
		pthread_mutex_lock(&s->lock);
		leave_arriving_locked(s, st);
		pthread_mutex_unlock(&s->lock);
		ret = reply_error(c, 500, "server_error", NULL, "out of memory");
		goto done;
	}
	ce_err_clear(&job.err);
	submit(s, st, &job);
	if (job.st != CE_OK) {
		ret = reply_error(c, 500, "server_error", NULL, "encoding failed: %s", job.err.msg);
		goto done;
	}
	int bad = 0;
	bad |= bb_printf(&out, "{\"object\":\"list\",\"model\":") != 0;
	json_t *mj = json_string(s->name);
	char *mq = mj ? json_dumps(mj, JSON_ENCODE_ANY) : NULL;
	json_decref(mj);
	bad |= !mq || bb_add(&out, mq, strlen(mq)) != 0 || bb_add(&out, ",\"data\":[", 9) != 0;
	free(mq);
	for (size_t i = 0; i < n && !bad; i++) {
		bad |= bb_printf(&out, "%s{\"object\":\"embedding\",\"index\":%zu,\"embedding\":", i ? "," : "", i) != 0;
		const float *v = job.out + i * (size_t)s->dim;
		if (rq.base64) {
			bad |= bb_add(&out, "\"", 1) != 0;
			bad |= buf_b64(&out, (const unsigned char *)v, (size_t)s->dim * sizeof *v) != 0;
			bad |= bb_add(&out, "\"}", 2) != 0;
		} else {
			for (int32_t d = 0; d < s->dim && !bad; d++) /* %.9g: every float32 round-trips */
				bad |= bb_printf(&out, "%s%.9g", d ? "," : "[", (double)v[d]) != 0;
			bad |= bb_add(&out, "]}", 2) != 0;
		}
	}
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += rq.lens[i];
	bad |= bb_printf(&out, "],\"usage\":{\"prompt_tokens\":%zu,\"total_tokens\":%zu}}", total, total) != 0;
	if (bad)
		ret = reply_error(c, 500, "server_error", NULL, "out of memory");
	else
		ret = reply(c, 200, out.data, out.len);
	if (sargs.verbose)
		ce_log(CE_LOG_INFO, "POST /v1/embeddings: %zu texts", n);
done:
	bb_free(&out);
	ce_free(job.out);
	api_request_free(&rq);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct server *s = cls;
	int is_post = strcmp(method, "POST") == 0;
	if (!*con_cls) {
		struct conn *st = ce_calloc(1, sizeof *st);
		if (!st)
			return MHD_NO;
		*con_cls = st;
		if (is_post) {
			const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
			if (cl && strtoull(cl, NULL, 10) > s->max_body)
				st->too_big = 1;
			if (strcmp(url, "/v1/embeddings") == 0) {
				pthread_mutex_lock(&s->lock);
				st->arriving = 1;
				s->arriving++;
				pthread_mutex_unlock(&s->lock);
			}
			return MHD_YES;
		}
	}
	struct conn *st = *con_cls;
	if (is_post && *upload_size) {
		if (!st->too_big && st->body.len + *upload_size > s->max_body)
			st->too_big = 1;
		if (!st->too_big && bb_add(&st->body, upload_data, *upload_size) != 0)
			st->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (s->api_key) {
		const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
		if (!auth || strncmp(auth, "Bearer ", 7) != 0 || strcmp(auth + 7, s->api_key) != 0)
			return reply_error(c, 401, "invalid_request_error", "invalid_api_key",
					   "missing or wrong API key (send 'Authorization: Bearer KEY')");
	}
	if (strcmp(url, "/health") == 0 && strcmp(method, "GET") == 0) {
		char h[256];
		pthread_mutex_lock(&s->lock);
		int k = snprintf(h, sizeof h,
				 "{\"status\":\"ok\",\"merging\":%s,\"requests\":%lld,\"texts\":%lld,\"batches\":%lld,"
				 "\"max_merged\":%lld}",
				 s->merge ? "true" : "false", (long long)s->n_requests, (long long)s->n_texts,
				 (long long)s->n_batches, (long long)s->max_merged);
		pthread_mutex_unlock(&s->lock);
		return reply(c, 200, h, (size_t)k);
	}
	if (strcmp(url, "/v1/models") == 0 && strcmp(method, "GET") == 0) {
		json_t *o = json_pack("{s:s,s:[{s:s,s:s,s:i,s:s}]}", "object", "list", "data", "id", s->name, "object",
				      "model", "created", 0, "owned_by", "ceval");
		char *js = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		enum MHD_Result r = js ? reply(c, 200, js, strlen(js)) : MHD_NO;
		free(js);
		return r;
	}
	if (strcmp(url, "/v1/embeddings") == 0) {
		if (!is_post)
			return reply_error(c, 405, "invalid_request_error", NULL, "use POST for /v1/embeddings");
		if (st->too_big)
			return reply_error(c, 413, "invalid_request_error", NULL,
					   "request body over the limit of %zu bytes", s->max_body);
		return handle_embeddings(s, c, st);
	}
	return reply_error(c, 404, "invalid_request_error", NULL, "no route %s %s", method, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	(void)c;
	(void)toe;
	struct conn *st = *con_cls;
	if (st) {
		if (st->arriving) { /* a request that never reached the queue (an error, a vanished client) */
			pthread_mutex_lock(&s->lock);
			leave_arriving_locked(s, st);
			pthread_mutex_unlock(&s->lock);
		}
		bb_free(&st->body);
		ce_free(st);
	}
	*con_cls = NULL;
}

static int run_serve(const struct cli_command *self, int argc, char **argv)
{
	memset(&sargs, 0, sizeof sargs);
	sargs.host = "127.0.0.1";
	sargs.port = 8080;
	sargs.precision = "f32";
	sargs.max_inputs = 2048;
	sargs.max_text_bytes = 65536;
	sargs.max_body_mb = 16;
	sargs.timeout = 30;
	sargs.pool = 8;
	sargs.max_batch = 256;
	sargs.batch_wait_ms = 2;
	enum cli_parse_result pr = cli_parse(self, serve_options(), argc, argv, NULL, 0, NULL);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	cli_apply_verbosity(sargs.quiet, sargs.verbose);
	struct encoder_options opt;
	if (!backend_local_options(&opt, sargs.batch_size, sargs.threads, sargs.max_length, sargs.precision))
		return cli_usage_error(self, "--precision must be f32 or bf16, got '%s'", sargs.precision);
	struct sockaddr_in addr = {0};
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)sargs.port);
	if (inet_pton(AF_INET, sargs.host, &addr.sin_addr) != 1)
		return cli_usage_error(self, "--host must be an IPv4 address such as 127.0.0.1, got '%s'", sargs.host);
	if (!sargs.api_key)
		sargs.api_key = getenv("CEVAL_SERVE_API_KEY");
	if (sargs.api_key && !*sargs.api_key)
		sargs.api_key = NULL;

	struct ce_err err;
	ce_err_clear(&err);
	struct model_ref ref;
	if (model_ref_resolve(sargs.model, &ref, &err) != CE_OK)
		return cli_report(&err);
	struct server s = {0};
	int rc = CLI_EXIT_OK;
	s.enc = encoder_open(ref.dir, &opt, &err);
	if (!s.enc) {
		model_ref_free(&ref);
		return cli_report(&err);
	}
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.work, NULL);
	pthread_cond_init(&s.done, NULL);
	s.merge = !sargs.no_merge && encoder_rows_independent(s.enc);
	s.max_batch = sargs.max_batch;
	s.wait_ns = (long)sargs.batch_wait_ms * 1000000L;
	s.take_cap = sargs.pool;
	s.take = ce_malloc_array((size_t)s.take_cap, sizeof *s.take);
	pthread_t enc_thread;
	int enc_started = 0;
	if (!s.take) {
		rc = cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
		goto out;
	}
	if (pthread_create(&enc_thread, NULL, encoder_loop, &s) != 0) {
		rc = cli_report(&(struct ce_err){CE_E_NOMEM, "cannot start the encoder thread"});
		goto out;
	}
	enc_started = 1;
	s.name = sargs.name ? sargs.name : ref.name;
	s.dim = encoder_dim(s.enc);
	s.max_body = (size_t)sargs.max_body_mb << 20;
	s.api_key = sargs.api_key;

	struct sigaction sa = {0};
	sa.sa_handler = on_term;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, &s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)sargs.pool,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)sargs.timeout, MHD_OPTION_CONNECTION_LIMIT, 1024u,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s, MHD_OPTION_END);
	if (!d) {
		rc = cli_report(&(struct ce_err){CE_E_IO, "cannot listen on the given --host/--port (in use?)"});
		goto out;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = di ? di->port : (unsigned)sargs.port;
	ce_log(CE_LOG_INFO, "requests from concurrent clients are %s",
	       s.merge ? "merged into one encoder call (rows are batch-independent)"
		       : "encoded one by one (merging off or not bit-safe)");
	printf("ceval serve: %s (dim %d) on http://%s:%u/v1\n", s.name, (int)s.dim, sargs.host, port);
	fflush(stdout);
	while (!serve_stop)
		pause();
	MHD_stop_daemon(d);
	ce_log(CE_LOG_INFO, "stopped: %lld requests, %lld texts, %lld encoder calls", (long long)s.n_requests,
	       (long long)s.n_texts, (long long)s.n_batches);
out:
	if (enc_started) {
		pthread_mutex_lock(&s.lock);
		s.stop = 1;
		pthread_cond_broadcast(&s.work);
		pthread_mutex_unlock(&s.lock);
		pthread_join(enc_thread, NULL);
	}
	ce_free(s.take);
	pthread_cond_destroy(&s.work);
	pthread_cond_destroy(&s.done);
	pthread_mutex_destroy(&s.lock);
	encoder_close(s.enc);
	model_ref_free(&ref);
	return rc;
}

const struct cli_command cmd_serve = {
	"serve",
	"Serve a model over an OpenAI-compatible embeddings API",
	"ceval serve --model DIR|NAME [--host 127.0.0.1] [--port 8080] [options]",
	"Answers POST /v1/embeddings (input: a string or a list of strings; encoding_format float or base64; "
	"dimensions only when equal to the model's), GET /v1/models and GET /health; errors come in OpenAI's "
	"error JSON with 4xx codes (413 for a body over --max-body-mb, 400 for too many inputs or a text over "
	"--max-text-bytes). Each request's vectors are bit for bit those of 'ceval embed' over the same texts "
	"(fp32 and bf16): concurrent requests are merged into one encoder call (waiting at most --batch-wait-ms) "
	"where that cannot change the bits (bf16, or fp32 on AVX-512 kernels), otherwise queued and encoded one by "
	"one. GET /health counts requests, texts, encoder calls and the most requests merged. Listens on loopback unless --host says otherwise; "
	"--port 0 picks a free port. The first stdout line names the URL. Stops on SIGINT/SIGTERM.",
	"ceval serve --model ../shared/models/ceval-tiny-zh --port 8080\n"
	"ceval run --model api:ceval-tiny-zh --endpoint http://127.0.0.1:8080/v1 --suite cmteb-mini",
	serve_options,
	run_serve,
};
