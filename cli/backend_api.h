/*
 * backend_api.h - an OpenAI-compatible embeddings API (POST
 * <endpoint>/embeddings) as an embedder (eval/embedder.h): the OpenAI API
 * itself, `ceval serve`, or any server speaking that protocol.
 *
 * One embed call is cut, in input order, into requests of at most
 * opts.batch texts and opts.max_chars bytes of text; up to opts.concurrency
 * requests are in flight at once (libcurl multi).  A refused or dropped
 * connection, a timeout, HTTP 429 and 5xx are tried again after an
 * exponential back-off with jitter (at least the server's Retry-After),
 * within opts.retries attempts per request and opts.budget_s seconds of
 * waiting in all; then the call fails with one line naming the last cause.
 * Every answer is checked - one vector per input, each index once, the
 * expected dimension, finite numbers - and anything else fails the call:
 * no partial or reordered rows are ever returned.
 *
 * Identity: backend "api"; the fingerprint hashes the backend tag, the
 * endpoint's host (without the port: `ceval serve` restarted on another
 * port keeps its cache), the model name and the dimensions, so API vectors
 * never share a cache folder or a result identity with local ones; results
 * record host:port as ceval.model.endpoint.  order is NULL (input order): the cache cuts calls into chunks of
 * batch x concurrency texts, so a run interrupted or stopped by rate limits
 * loses at most the requests in flight.
 *
 * The API key is sent as "Authorization: Bearer" and never printed or
 * written.  Ownership: backend_api_open returns an object freed by
 * backend_api_close (NULL accepted); strings in opts are copied.
 */
#ifndef BACKEND_API_H
#define BACKEND_API_H

#include <stdint.h>

#include "ce_status.h"
#include "embedder.h"

struct backend_api;

struct backend_api_opts {
	const char *endpoint; /* base URL, e.g. http://127.0.0.1:8080/v1 ("/embeddings" is appended) */
	const char *model;    /* model name sent in each request */
	const char *api_key;  /* NULL or "" = no Authorization header */
	int dimensions;       /* > 0: sent as "dimensions"; 0: the server's own */
	int concurrency;      /* requests in flight (default 4) */
	int batch;            /* inputs per request (default 64) */
	int64_t max_chars;    /* bytes of text per request (default 100000) */
	int retries;          /* further attempts per request (default 6; $CEVAL_API_RETRIES) */
	double budget_s;      /* seconds of back-off in all (default 300; $CEVAL_API_RETRY_BUDGET) */
	/* progress over one call, as encoder_options.progress; nonzero = stop (CE_E_INTERRUPTED) */
	int (*progress)(void *user, int64_t done, int64_t total);
	void *progress_user;
	void (*phase_fn)(void *user, const char *phase);
	void *phase_user;
};

/* opts with the defaults above (endpoint and model NULL). */
void backend_api_opts_init(struct backend_api_opts *o);

/*
 * opts for --model KIND:NAME (kind as backend_api_parse_model gives it): the
 * defaults, the model name, the endpoint (OpenAI's own when kind is 1 and
 * endpoint is NULL), the key from $OPENAI_API_KEY (kind 1) or $CEVAL_API_KEY,
 * and the command line's values where they are > 0.  name and endpoint are
 * borrowed.
 */
void backend_api_opts_for(struct backend_api_opts *o, int kind, const char *name, const char *endpoint,
			  int dimensions, int concurrency, int batch, int64_t max_chars);

/*
 * Split a --model value "openai:NAME" or "api:NAME": *kind = 1 (OpenAI) or
 * 2 (any OpenAI-compatible server), *name points into arg.  Returns 0 (and
 * leaves them) for any other value: a local model.
 */
int backend_api_parse_model(const char *arg, int *kind, const char **name);

/*
 * Check the endpoint and the model: one request embeds a short probe text
 * (which also learns the dimension when opts->dimensions is 0).  NULL and
 * err filled on failure (CE_E_INVALID_ARG for a bad URL, CE_E_IO for an
 * unreachable server or an error answer, CE_E_NOMEM).
 */
struct backend_api *backend_api_open(const struct backend_api_opts *opts, struct ce_err *err);
void backend_api_close(struct backend_api *b);

/* The embedder (identity filled); valid until backend_api_close. */
struct embedder *backend_api_embedder(struct backend_api *b);

/* Totals so far: requests answered, retries made, texts embedded. */
void backend_api_stats(const struct backend_api *b, int64_t *requests, int64_t *retries, int64_t *texts);

#endif
