/* fuzz_serve_request.c - arbitrary bytes as a POST /v1/embeddings body (api_parse_request). */
#include <stdint.h>
#include <string.h>

#include "api_json.h"
#include "ce_alloc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_request_limits lim = {"m", 4, 16, 64};
	struct api_request req;
	const char *code;
	char msg[256];
	int st = api_parse_request((const char *)data, size, &lim, &req, &code, msg, sizeof msg);
	if (st == 0) {
		CE_ASSERT(req.n >= 1 && req.n <= lim.max_inputs && strcmp(req.model, "m") == 0);
		for (size_t i = 0; i < req.n; i++) {
			CE_ASSERT(req.texts[i] && req.lens[i] <= lim.max_text_bytes);
			CE_ASSERT(memchr(req.texts[i], 0, req.lens[i] + 1) != NULL);
		}
	} else {
		CE_ASSERT((st == 400 || st == 404 || st == 500) && msg[0]);
	}
	api_request_free(&req);
	return 0;
}
