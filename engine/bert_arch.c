/*
 * bert_arch.c - the BERT entry of the architecture table (model_arch.h):
 * BertConfig's keys of config.json, the names BERT checkpoints give their
 * tensors, and the forward pass of bert.h behind the generic interface.
 */
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bert.h"
#include "ce_log.h"
#include "model_arch.h"

/* ------------------------------------------------------------------------ */
/* config.json (transformers BertConfig; spec encoder.md §2.1)              */

static enum ce_status bert_parse_config(const char *name, const struct json_t *config, struct model_config *cfg,
				       struct ce_err *err)
{
	const json_t *o = config;
	const int64_t DMAX = MODEL_CONFIG_DIM_MAX;
	CE_TRY(model_config_get_int(name, o, "hidden_size", 1, DMAX, 1, &cfg->hidden, err));
	CE_TRY(model_config_get_int(name, o, "num_attention_heads", 1, DMAX, 1, &cfg->heads, err));
	CE_TRY(model_config_get_int(name, o, "num_hidden_layers", 1, 1000, 1, &cfg->layers, err));
	CE_TRY(model_config_get_int(name, o, "intermediate_size", 1, DMAX, 1, &cfg->intermediate, err));
	CE_TRY(model_config_get_int(name, o, "max_position_embeddings", 2, DMAX, 1, &cfg->max_position, err));
	cfg->type_vocab = 2; /* BertConfig default */
	CE_TRY(model_config_get_int(name, o, "type_vocab_size", 1, DMAX, 0, &cfg->type_vocab, err));
	CE_TRY(model_config_get_int(name, o, "vocab_size", 1, 100 * DMAX, 1, &cfg->vocab, err));
	CE_CHECK(cfg->hidden % cfg->heads == 0, err, CE_E_FORMAT,
		 "%s: \"hidden_size\" %d is not divisible by \"num_attention_heads\" %d", name, cfg->hidden, cfg->heads);

	cfg->act = MODEL_ACT_GELU; /* BertConfig default hidden_act */
	json_t *act = json_object_get(o, "hidden_act");
	if (act && !json_is_null(act)) {
		CE_CHECK(json_is_string(act), err, CE_E_FORMAT, "%s: \"hidden_act\" must be a string", name);
		const char *a = json_string_value(act);
		if (strcmp(a, "gelu") == 0)
			cfg->act = MODEL_ACT_GELU;
		else if (strcmp(a, "gelu_new") == 0 || strcmp(a, "gelu_pytorch_tanh") == 0)
			cfg->act = MODEL_ACT_GELU_TANH;
		else if (strcmp(a, "relu") == 0)
			cfg->act = MODEL_ACT_RELU;
		else
			return ce_err_set(err, CE_E_UNSUPPORTED, "%s: \"hidden_act\" \"%s\" is not supported", name, a);
	}

	cfg->layer_norm_eps = 1e-12f; /* BertConfig default */
	json_t *eps = json_object_get(o, "layer_norm_eps");
	if (eps && !json_is_null(eps)) {
		CE_CHECK(json_is_number(eps), err, CE_E_FORMAT, "%s: \"layer_norm_eps\" must be a number", name);
		double e = json_number_value(eps);
		/* eps is used as a float (as torch does): it must stay a positive normal float */
		CE_CHECK(isfinite(e) && e >= FLT_MIN && e < 1, err, CE_E_FORMAT,
			 "%s: \"layer_norm_eps\" = %g is out of range [%g, 1)", name, e, (double)FLT_MIN);
		cfg->layer_norm_eps = (float)e;
	}

	json_t *pe = json_object_get(o, "position_embedding_type");
	if (pe && !json_is_null(pe)) {
		CE_CHECK(json_is_string(pe), err, CE_E_FORMAT, "%s: \"position_embedding_type\" must be a string", name);
		CE_CHECK(strcmp(json_string_value(pe), "absolute") == 0, err, CE_E_UNSUPPORTED,
			 "%s: \"position_embedding_type\" \"%s\" is not supported (only \"absolute\")", name,
			 json_string_value(pe));
	}
	return CE_OK;
}

/* ------------------------------------------------------------------------ */
/* checkpoint names (spec encoder.md §2.2, §4.4)                            */

/* BertForPreTraining / BertForMaskedLM files prefix the encoder with "bert."
 * and carry heads (cls.*) we do not run; TF-converted files name LayerNorm
 * parameters gamma / beta; files saved by transformers < ~4.31 keep the
 * position_ids buffer. */
static const char *const bert_strip[] = {"bert.", NULL};
static const char *const bert_tails[] = {"gamma", "weight", "beta", "bias", NULL};
static const char *const bert_ignored_prefixes[] = {"cls.", "pooler.", NULL};
static const char *const bert_ignored_names[] = {"embeddings.position_ids", NULL};

static const struct st_naming bert_naming = {
	.strip_prefixes = bert_strip,
	.tail_aliases = bert_tails,
	.ignored_prefixes = bert_ignored_prefixes,
	.ignored_names = bert_ignored_names,
};

/* Encoder layers the checkpoint holds: 1 + the largest i of "encoder.layer.<i>.". */
static int32_t checkpoint_layers(const struct safetensors *st)
{
	static const char pre[] = "encoder.layer.";
	int32_t n = 0;
	for (size_t i = 0; i < safetensors_count(st); i++) {
		const struct st_tensor *t = safetensors_get(st, i);
		if (t->ignored || strncmp(t->name, pre, sizeof pre - 1) != 0)
			continue;
		const char *d = t->name + sizeof pre - 1;
		char *end;
		long li = strtol(d, &end, 10);
		if (end != d && *end == '.' && d[0] >= '0' && d[0] <= '9' && li >= 0 && li < 1000000 && li + 1 > n)
			n = (int32_t)(li + 1);
	}
	return n;
}

/* ------------------------------------------------------------------------ */
/* the interface over bert.h                                                */

static enum ce_status bert_arch_create(const struct model_config *cfg, const struct safetensors *st, void **model,
				       struct ce_err *err)
{
	struct bert *b = NULL;
	*model = NULL;
	CE_TRY(bert_create(cfg, st, &b, err));
	/* transformers warns about checkpoint weights the model does not use;
	 * the common case is a checkpoint cut to fewer layers by its config */
	int32_t have = checkpoint_layers(st);
	if (have > cfg->layers)
		ce_log(CE_LOG_WARN, "%s has %d encoder layers, config.json uses %d; the extra weights are ignored",
		       safetensors_path(st), have, cfg->layers);
	*model = b;
	return CE_OK;
}

static void bert_arch_free(void *model) { bert_free(model); }
static enum ce_status bert_arch_use_bf16(void *model, struct ce_err *err) { return bert_use_bf16(model, err); }
static int bert_arch_rows_independent(const void *model) { return bert_rows_independent(model); }
static const char *bert_arch_kernels(const void *model) { return bert_kernels(model); }
static int32_t bert_arch_dim(const void *model) { return bert_dim(model); }

/* bert.c's per-token scratch: x, qkv (3H), ctx, a, inter (I) */
static int64_t bert_arch_ws_bytes_per_token(const struct model_config *c)
{
	return (6 * (int64_t)c->hidden + c->intermediate) * (int64_t)sizeof(float);
}

static enum ce_status bert_arch_ws_create(const void *model, int32_t max_tokens, int32_t max_seq_len, void **ws,
					  struct ce_err *err)
{
	struct bert_workspace *w = NULL;
	enum ce_status s = bert_workspace_create(model, max_tokens, max_seq_len, &w, err);
	*ws = w;
	return s;
}

static void bert_arch_ws_free(void *ws) { bert_workspace_free(ws); }

static void bert_arch_ws_times(const void *ws, double *forward_s, double *matmul_s)
{
	bert_workspace_times(ws, forward_s, matmul_s);
}

static enum ce_status bert_arch_forward(const void *model, void *ws, const int32_t *ids, const int32_t *lens,
					int32_t n_seq, int normalize, float *out, struct ce_err *err)
{
	return bert_forward(model, ws, ids, lens, n_seq, normalize, out, err);
}

static const char *const bert_types[] = {"bert", NULL};

const struct model_arch model_arch_bert = {
	.name = "bert",
	.model_types = bert_types,
	.naming = &bert_naming,
	.parse_config = bert_parse_config,
	.create = bert_arch_create,
	.free = bert_arch_free,
	.use_bf16 = bert_arch_use_bf16,
	.rows_independent = bert_arch_rows_independent,
	.kernels = bert_arch_kernels,
	.dim = bert_arch_dim,
	.ws_bytes_per_token = bert_arch_ws_bytes_per_token,
	.ws_create = bert_arch_ws_create,
	.ws_free = bert_arch_ws_free,
	.ws_times = bert_arch_ws_times,
	.forward = bert_arch_forward,
};
