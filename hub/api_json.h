/*
 * api_json.h - the two JSON documents of the embeddings protocol that ceval
 * reads from a peer: an answer to POST /v1/embeddings (the API client) and
 * a request to it (`ceval serve`).  Both are parsers of untrusted bytes
 * (fuzzed: tests/fuzz/fuzz_api_response.c, fuzz_serve_request.c).
 */
#ifndef API_JSON_H
#define API_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

/*
 * An answer {"data": [{"index": i, "embedding": [floats]}, ...]} to a
 * request of n texts.  Every index 0..n-1 must come once; every embedding
 * must have the same length (*dim when > 0 on entry, else it learns it) and
 * hold finite numbers.  out (NULL: check only) receives text i's vector at
 * out + (start + i) * dim.  Errors: CE_E_IO with a message naming the item
 * (start + i is the text's number in the caller's list).
 */
enum ce_status api_parse_embeddings(const char *buf, size_t len, int64_t n, int64_t start, float *out,
				    int32_t *dim, struct ce_err *err);

/* What a request may hold. */
struct api_request_limits {
	const char *model; /* the only model name served */
	int32_t dim;       /* "dimensions", when given, must equal it */
	size_t max_inputs, max_text_bytes;
};

/* A parsed request; texts point into it (valid until api_request_free). */
struct api_request {
	void *json; /* the document (owns the strings) */
	const char *model;
	const char **texts;
	size_t *lens;
	size_t n;
	int base64; /* encoding_format "base64" (else float) */
};

/*
 * Parse a request body of len bytes (any bytes).  0 when it is a request
 * this server can answer; otherwise the HTTP status to answer with (400 or
 * 404; 500 out of memory), *code the OpenAI error code or NULL, and msg a
 * one-line message.  req is always freed with api_request_free.
 */
int api_parse_request(const char *body, size_t len, const struct api_request_limits *lim, struct api_request *req,
		      const char **code, char *msg, size_t msg_cap);
void api_request_free(struct api_request *req);

#endif
