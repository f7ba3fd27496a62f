/*
 * cmd_serve.c - `ceval serve`: the built-in encoder behind an
 * OpenAI-compatible HTTP API (POST /v1/embeddings, GET /v1/models,
 * GET /health), on libmicrohttpd.
 *
 * Identity with `ceval embed`: the local encoder's vectors depend on the
 * batch a text is encoded in (length-sorted batches; row results are not
 * batch-independent in f32, see encoder.c / bert_rows_independent), so each
 * request's texts are encoded exactly as `ceval embed` would encode the same
 * list: one encoder_embed_len call over the request's inputs.  Requests
 * that arrive together queue on the one encoder (a mutex) and run one after
 * another; HTTP work (reading bodies, parsing, writing replies) runs on
 * libmicrohttpd's thread pool in parallel.  Merging several requests into
 * one encoder call would change the bits, so it is not done.
 *
 * Limits: the body size (413), inputs per request and bytes per text (400);
 * each connection times out (a slow or vanished client holds one pool
 * thread for at most --timeout seconds).
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

#include "backend_local.h"
#include "ce_alloc.h"
#include "ce_log.h"
#include "cli.h"
#include "engine.h"
#include "model_ref.h"

static struct {
	const char *model, *host, *api_key, *precision, *name;
	int port, threads, batch_size, max_length, max_inputs, max_text_bytes, max_body_mb, timeout, pool;
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

struct server {
	struct encoder *enc;
	pthread_mutex_t lock; /* one encoder call at a time */
	const char *name;
	int32_t dim;
	size_t max_body;
	const char *api_key;
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
};

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

static enum MHD_Result handle_embeddings(struct server *s, struct MHD_Connection *c, const struct conn *st)
{
	json_error_t je;
	json_t *req = json_loadb(st->body.data ? st->body.data : "", st->body.len, 0, &je);
	if (!req || !json_is_object(req)) {
		json_decref(req);
		return reply_error(c, 400, "invalid_request_error", NULL, "request body is not a JSON object: %s",
				   req ? "not an object" : je.text);
	}
	enum MHD_Result ret;
	const char **texts = NULL;
	size_t *lens = NULL;
	float *vecs = NULL;
	struct bbuf out = {0};
	json_t *model = json_object_get(req, "model");
	json_t *input = json_object_get(req, "input");
	json_t *fmt = json_object_get(req, "encoding_format");
	json_t *dims = json_object_get(req, "dimensions");
	if (!json_is_string(model)) {
		ret = reply_error(c, 400, "invalid_request_error", NULL, "'model' is required (a string)");
		goto done;
	}
	if (strcmp(json_string_value(model), s->name) != 0) {
		ret = reply_error(c, 404, "invalid_request_error", "model_not_found",
				  "The model '%s' does not exist; this server serves '%s'", json_string_value(model),
				  s->name);
		goto done;
	}
	int base64 = 0;
	if (fmt && !json_is_null(fmt)) {
		if (json_is_string(fmt) && strcmp(json_string_value(fmt), "base64") == 0)
			base64 = 1;
		else if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "float") != 0) {
			ret = reply_error(c, 400, "invalid_request_error", NULL,
					  "'encoding_format' must be \"float\" or \"base64\"");
			goto done;
		}
	}
	if (dims && !json_is_null(dims) && (!json_is_integer(dims) || json_integer_value(dims) != s->dim)) {
		ret = reply_error(c, 400, "invalid_request_error", NULL,
				  "'dimensions' must be %d for this model (it cannot be shortened)", (int)s->dim);
		goto done;
	}
	size_t n = json_is_array(input) ? json_array_size(input) : 1;
	if (!json_is_string(input) && !json_is_array(input)) {
		ret = reply_error(c, 400, "invalid_request_error", NULL, "'input' must be a string or a list of strings");
		goto done;
	}
	if (n == 0 || n > (size_t)sargs.max_inputs) {
		ret = reply_error(c, 400, "invalid_request_error", NULL, "'input' holds %zu texts; give 1 to %d", n,
				  sargs.max_inputs);
		goto done;
	}
	texts = ce_malloc_array(n, sizeof *texts);
	lens = ce_malloc_array(n, sizeof *lens);
	vecs = ce_malloc_array(n * (size_t)s->dim, sizeof *vecs);
	if (!texts || !lens || !vecs) {
		ret = reply_error(c, 500, "server_error", NULL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_is_array(input) ? json_array_get(input, i) : input;
		if (!json_is_string(t)) {
			ret = reply_error(c, 400, "invalid_request_error", NULL,
					  "input[%zu] is not a string (token arrays are not supported)", i);
			goto done;
		}
		texts[i] = json_string_value(t);
		lens[i] = json_string_length(t);
		if (lens[i] > (size_t)sargs.max_text_bytes) {
			ret = reply_error(c, 400, "invalid_request_error", NULL,
					  "input[%zu] is %zu bytes; the limit is %d", i, lens[i], sargs.max_text_bytes);
			goto done;
		}
	}
	struct ce_err err;
	ce_err_clear(&err);
	pthread_mutex_lock(&s->lock);
	enum ce_status st_enc = encoder_embed_len(s->enc, texts, lens, (int64_t)n, vecs, &err);
	pthread_mutex_unlock(&s->lock);
	if (st_enc != CE_OK) {
		ret = reply_error(c, 500, "server_error", NULL, "encoding failed: %s", err.msg);
		goto done;
	}
	int bad = 0;
	bad |= bb_printf(&out, "{\"object\":\"list\",\"model\":") != 0;
	char *mq = json_dumps(model, JSON_ENCODE_ANY);
	bad |= !mq || bb_printf(&out, "%s,\"data\":[", mq) != 0;
	free(mq);
	for (size_t i = 0; i < n && !bad; i++) {
		bad |= bb_printf(&out, "%s{\"object\":\"embedding\",\"index\":%zu,\"embedding\":", i ? "," : "", i) != 0;
		const float *v = vecs + i * (size_t)s->dim;
		if (base64) {
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
		total += lens[i];
	bad |= bb_printf(&out, "],\"usage\":{\"prompt_tokens\":%zu,\"total_tokens\":%zu}}", total, total) != 0;
	if (bad)
		ret = reply_error(c, 500, "server_error", NULL, "out of memory");
	else
		ret = reply(c, 200, out.data, out.len);
	if (sargs.verbose)
		ce_log(CE_LOG_INFO, "POST /v1/embeddings: %zu texts", n);
done:
	bb_free(&out);
	ce_free(texts);
	ce_free(lens);
	ce_free(vecs);
	json_decref(req);
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
	if (strcmp(url, "/health") == 0 && strcmp(method, "GET") == 0)
		return reply(c, 200, "{\"status\":\"ok\"}", 15);
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
	(void)cls;
	(void)c;
	(void)toe;
	struct conn *st = *con_cls;
	if (st) {
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
	s.enc = encoder_open(ref.dir, &opt, &err);
	if (!s.enc) {
		model_ref_free(&ref);
		return cli_report(&err);
	}
	pthread_mutex_init(&s.lock, NULL);
	s.name = sargs.name ? sargs.name : ref.name;
	s.dim = encoder_dim(s.enc);
	s.max_body = (size_t)sargs.max_body_mb << 20;
	s.api_key = sargs.api_key;

	struct sigaction sa = {0};
	sa.sa_handler = on_term;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int rc = CLI_EXIT_OK;
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, &s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)sargs.pool,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)sargs.timeout, MHD_OPTION_CONNECTION_LIMIT, 1024u,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (!d) {
		rc = cli_report(&(struct ce_err){CE_E_IO, "cannot listen on the given --host/--port (in use?)"});
		goto out;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = di ? di->port : (unsigned)sargs.port;
	printf("ceval serve: %s (dim %d) on http://%s:%u/v1\n", s.name, (int)s.dim, sargs.host, port);
	fflush(stdout);
	while (!serve_stop)
		pause();
	MHD_stop_daemon(d);
	ce_log(CE_LOG_INFO, "stopped");
out:
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
	"(fp32): requests run on the one encoder in turn. Listens on loopback unless --host says otherwise; "
	"--port 0 picks a free port. The first stdout line names the URL. Stops on SIGINT/SIGTERM.",
	"ceval serve --model ../shared/models/ceval-tiny-zh --port 8080\n"
	"ceval run --model api:ceval-tiny-zh --endpoint http://127.0.0.1:8080/v1 --suite cmteb-mini",
	serve_options,
	run_serve,
};
