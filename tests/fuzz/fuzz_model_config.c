/*
 * fuzz_model_config.c - arbitrary bytes as config.json (whole, and the
 * max_position_embeddings-only read of `ceval tokenize`), modules.json,
 * 1_Pooling/config.json and sentence_bert_config.json.  Accepted configs must
 * satisfy the invariants the forward pass relies on.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct model_config cfg;
	struct ce_err err;
	memset(&cfg, 0, sizeof cfg);
	if (model_config_parse("config.json", json, size, &cfg, &err) == CE_OK) {
		if (cfg.hidden < 1 || cfg.heads < 1 || cfg.hidden % cfg.heads || cfg.layers < 1 ||
		    cfg.intermediate < 1 || cfg.max_position < 2 || cfg.vocab < 1 || cfg.type_vocab < 1 ||
		    !(cfg.layer_norm_eps > 0) || cfg.act >= MODEL_ACT_COUNT)
			abort();
	}
	memset(&cfg, 0, sizeof cfg);
	if (model_config_parse_max_position("config.json", json, size, &cfg, &err) == CE_OK) {
		if (cfg.max_position != 0 && (cfg.max_position < 2 || cfg.max_position > MODEL_CONFIG_DIM_MAX))
			abort();
	}
	cfg.hidden = 8;
	if (model_config_parse_pooling("1_Pooling/config.json", json, size, &cfg, &err) == CE_OK) {
		if (cfg.pooling == 0 || cfg.pooling >= (1u << MODEL_POOL_COUNT) || model_config_pooled_dim(&cfg) < 8)
			abort();
	}
	char path[64];
	if (model_config_parse_modules("modules.json", json, size, &cfg, path, sizeof path, &err) == CE_OK) {
		/* accepted paths are relative and never climb out: no ".." component
		 * (a name that merely starts with "..", like "..x", is fine) */
		size_t n = strnlen(path, sizeof path);
		if (n >= sizeof path || path[0] == '/' || strcmp(path, "..") == 0 || strncmp(path, "../", 3) == 0 ||
		    strstr(path, "/../") || (n >= 3 && strcmp(path + n - 3, "/..") == 0))
			abort();
	}
	(void)model_config_parse_st("sentence_bert_config.json", json, size, &cfg, &err);
	return 0;
}
