/*
 * api_json.c - parsing the embeddings protocol's answers and requests (see
 * api_json.h).
 */
#include "api_json.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"

enum ce_status api_parse_embeddings(const char *buf, size_t len, int64_t n, int64_t start, float *out,
				    int32_t *dim, struct ce_err *err)
{
	json_error_t je;
	json_t *j = json_loadb(buf ? buf : "", buf ? len : 0, 0, &je);
	enum ce_status st = CE_OK;
	uint8_t *seen = NULL;
	json_t *data = json_object_get(j, "data");
	if (!j || !json_is_array(data)) {
		st = ce_err_set(err, CE_E_IO, "the answer is not embeddings JSON (%s)", j ? "no \"data\" list" : je.text);
		goto out;
	}
	if (n < 0 || (int64_t)json_array_size(data) != n) {
		st = ce_err_set(err, CE_E_IO, "asked for %lld embeddings, the answer holds %zu", (long long)n,
				json_array_size(data));
		goto out;
	}
	seen = ce_calloc((size_t)n, 1);
	if (!seen) {
		st = ce_err_set(err, CE_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < json_array_size(data); k++) {
		json_t *e = json_array_get(data, k);
		json_t *ix = json_object_get(e, "index");
		json_t *v = json_object_get(e, "embedding");
		if (!json_is_integer(ix) || json_integer_value(ix) < 0 || json_integer_value(ix) >= n ||
		    seen[json_integer_value(ix)]) {
			st = ce_err_set(err, CE_E_IO, "answer item %zu has a missing, out-of-range or repeated \"index\"", k);
			goto out;
		}
		int64_t i = json_integer_value(ix);
		seen[i] = 1;
		if (!json_is_array(v)) {
			st = ce_err_set(err, CE_E_IO,
					"answer item %zu has no \"embedding\" list (ask for encoding_format float)", k);
			goto out;
		}
		size_t dv = json_array_size(v);
		int32_t d = dv > INT32_MAX ? -1 : (int32_t)dv;
		if (*dim <= 0)
			*dim = d;
		if (d != *dim || d <= 0) {
			st = ce_err_set(err, CE_E_IO, "embedding %lld has %lld dimensions, expected %d",
					(long long)(start + i), (long long)dv, (int)*dim);
			goto out;
		}
		float *row = out ? out + (size_t)(start + i) * (size_t)d : NULL;
		for (int32_t t = 0; t < d; t++) {
			json_t *x = json_array_get(v, (size_t)t);
			double val = json_is_number(x) ? json_number_value(x) : NAN;
			float f = (float)val;
			if (!isfinite(f)) {
				st = ce_err_set(err, CE_E_IO, "embedding %lld holds a non-number or non-finite value at %d",
						(long long)(start + i), (int)t);
				goto out;
			}
			if (row)
				row[t] = f;
		}
	}
out:
	ce_free(seen);
	json_decref(j);
	return st;
}

static int fail(char *msg, size_t cap, int status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *msg, size_t cap, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, cap, fmt, ap);
	va_end(ap);
	return status;
}

void api_request_free(struct api_request *req)
{
	json_decref(req->json);
	ce_free(req->texts);
	ce_free(req->lens);
	*req = (struct api_request){0};
}

int api_parse_request(const char *body, size_t len, const struct api_request_limits *lim, struct api_request *req,
		      const char **code, char *msg, size_t cap)
{
	*req = (struct api_request){0};
	*code = NULL;
	json_error_t je;
	json_t *j = json_loadb(body ? body : "", body ? len : 0, 0, &je);
	req->json = j;
	if (!j || !json_is_object(j))
		return fail(msg, cap, 400, "request body is not a JSON object: %s", j ? "not an object" : je.text);
	json_t *model = json_object_get(j, "model");
	json_t *input = json_object_get(j, "input");
	json_t *fmt = json_object_get(j, "encoding_format");
	json_t *dims = json_object_get(j, "dimensions");
	if (!json_is_string(model))
		return fail(msg, cap, 400, "'model' is required (a string)");
	req->model = json_string_value(model);
	if (strcmp(req->model, lim->model) != 0 || strlen(req->model) != json_string_length(model)) {
		*code = "model_not_found";
		return fail(msg, cap, 404, "The model '%.200s' does not exist; this server serves '%s'", req->model,
			    lim->model);
	}
	if (fmt && !json_is_null(fmt)) {
		if (json_is_string(fmt) && strcmp(json_string_value(fmt), "base64") == 0)
			req->base64 = 1;
		else if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "float") != 0)
			return fail(msg, cap, 400, "'encoding_format' must be \"float\" or \"base64\"");
	}
	if (dims && !json_is_null(dims) && (!json_is_integer(dims) || json_integer_value(dims) != lim->dim))
		return fail(msg, cap, 400, "'dimensions' must be %d for this model (it cannot be shortened)",
			    (int)lim->dim);
	if (!json_is_string(input) && !json_is_array(input))
		return fail(msg, cap, 400, "'input' must be a string or a list of strings");
	size_t n = json_is_array(input) ? json_array_size(input) : 1;
	if (n == 0 || n > lim->max_inputs)
		return fail(msg, cap, 400, "'input' holds %zu texts; give 1 to %zu", n, lim->max_inputs);
	req->texts = ce_malloc_array(n, sizeof *req->texts);
	req->lens = ce_malloc_array(n, sizeof *req->lens);
	if (!req->texts || !req->lens)
		return fail(msg, cap, 500, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_is_array(input) ? json_array_get(input, i) : input;
		if (!json_is_string(t))
			return fail(msg, cap, 400, "input[%zu] is not a string (token arrays are not supported)", i);
		req->texts[i] = json_string_value(t);
		req->lens[i] = json_string_length(t);
		if (req->lens[i] > lim->max_text_bytes)
			return fail(msg, cap, 400, "input[%zu] is %zu bytes; the limit is %zu", i, req->lens[i],
				    lim->max_text_bytes);
	}
	req->n = n;
	return 0;
}
