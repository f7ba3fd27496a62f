/*
 * model_config.h - the settings of a sentence-transformers folder:
 * config.json (architecture), modules.json (is there a Normalize module, where
 * is the Pooling module), <pooling>/config.json (pooling modes) and
 * sentence_bert_config.json (max_seq_length, do_lower_case).
 *
 * config.json is read generically up to its "model_type", which selects an
 * entry of the architecture table (model_arch.h); that entry reads the
 * architecture's own keys (BERT: bert_arch.c, spec encoder.md §2.1).  Every
 * value is range-checked; errors name the file and the key.
 * struct model_config is a plain value (no heap memory; arch points into the
 * static architecture table).
 */
#ifndef MODEL_CONFIG_H
#define MODEL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct json_t; /* jansson's, for the architectures' config readers */
struct model_arch;

/* Upper bound for any dimension read from config.json. */
#define MODEL_CONFIG_DIM_MAX 1000000

enum model_act {
	MODEL_ACT_GELU = 0,  /* "gelu": exact 0.5 x (1 + erf(x / sqrt 2)) */
	MODEL_ACT_GELU_TANH, /* "gelu_new", "gelu_pytorch_tanh": tanh approximation */
	MODEL_ACT_RELU,      /* "relu" */
	MODEL_ACT_COUNT
};

/* Pooling modes, as bits; several enabled are concatenated in this bit order
 * (sentence-transformers Pooling: cls, max, mean, mean_sqrt_len, weightedmean, lasttoken). */
enum model_pool {
	MODEL_POOL_CLS = 1 << 0,
	MODEL_POOL_MAX = 1 << 1,
	MODEL_POOL_MEAN = 1 << 2,
	MODEL_POOL_MEAN_SQRT_LEN = 1 << 3,
	MODEL_POOL_WEIGHTEDMEAN = 1 << 4,
	MODEL_POOL_LASTTOKEN = 1 << 5,
	MODEL_POOL_COUNT = 6 /* number of modes */
};

struct model_config {
	const struct model_arch *arch; /* the architecture config.json's model_type selected */
	int32_t hidden;        /* hidden_size H */
	int32_t heads;         /* num_attention_heads; H % heads == 0 */
	int32_t layers;        /* num_hidden_layers */
	int32_t intermediate;  /* intermediate_size */
	int32_t max_position;  /* max_position_embeddings */
	int32_t type_vocab;    /* type_vocab_size */
	int32_t vocab;         /* vocab_size */
	enum model_act act;
	float layer_norm_eps;
	unsigned pooling;      /* OR of enum model_pool, never 0 */
	int normalize;         /* modules.json lists sentence_transformers.models.Normalize */
	int32_t st_max_seq_length; /* sentence_bert_config.json max_seq_length; 0 = absent */
	int st_do_lower_case;  /* sentence_bert_config.json do_lower_case */
};

/* Name of one pooling mode bit ("cls", "mean", ...). */
const char *model_pool_name(unsigned mode_bit);
/* Output dimension of the pooling: hidden * number of enabled modes. */
int32_t model_config_pooled_dim(const struct model_config *cfg);

/*
 * Parsers of one file's bytes [in] json/len (need not be NUL-terminated);
 * name is the path used in messages.  They fill only their part of *cfg.
 * Errors: CE_E_FORMAT (bad JSON, missing key, out-of-range value),
 * CE_E_UNSUPPORTED (model_type not in the architecture table, a setting the
 * architecture does not implement), CE_E_MISMATCH (pooling dimension differs
 * from hidden_size).
 */
/* config.json: "model_type" picks cfg->arch, whose parse_config reads the rest. */
enum ce_status model_config_parse(const char *name, const char *json, size_t len, struct model_config *cfg,
				  struct ce_err *err);
/* cfg->hidden must already be set (word_embedding_dimension is checked against it). */
enum ce_status model_config_parse_pooling(const char *name, const char *json, size_t len, struct model_config *cfg,
					  struct ce_err *err);
/* Sets cfg->normalize; [out] pooling_path (room for cap bytes) gets the Pooling module's path ("" if none). */
enum ce_status model_config_parse_modules(const char *name, const char *json, size_t len, struct model_config *cfg,
					  char *pooling_path, size_t cap, struct ce_err *err);
enum ce_status model_config_parse_st(const char *name, const char *json, size_t len, struct model_config *cfg,
				     struct ce_err *err);

/*
 * Only max_position_embeddings of a config.json's bytes (any model_type; no
 * other key is read).  Sets cfg->max_position, left alone when the key is
 * absent or null.  Errors: CE_E_FORMAT (bad JSON, top level not an object,
 * value not an integer in [2, MODEL_CONFIG_DIM_MAX]).
 */
enum ce_status model_config_parse_max_position(const char *name, const char *json, size_t len,
					       struct model_config *cfg, struct ce_err *err);

/*
 * For the architectures' config readers: integer key of the JSON object [in] o
 * in [lo, hi]; required, or else *v keeps its value when the key is absent or
 * null.  Errors: CE_E_FORMAT naming name and key.
 */
enum ce_status model_config_get_int(const char *name, const struct json_t *o, const char *key, int64_t lo,
				    int64_t hi, int required, int32_t *v, struct ce_err *err);

/*
 * Read all of the above from a model folder.  config.json is required.
 * Without modules.json, sentence-transformers builds Transformer + mean
 * Pooling and no Normalize; we do the same.  A Pooling module without its
 * config.json is CE_E_NOT_FOUND.
 */
enum ce_status model_config_load_dir(const char *dir, struct model_config *cfg, struct ce_err *err);

/*
 * [out] max_position: max_position_embeddings of dir/config.json, or 0 when
 * the file or the key is absent.  For callers that need no model (`ceval
 * tokenize` on a tokenizer-only folder): unlike model_config_load_dir it
 * checks nothing else, so configs of other architectures are fine.
 * Errors: those of model_config_parse_max_position (messages name the file),
 * CE_E_IO, CE_E_LIMIT, CE_E_NOMEM from reading it.
 */
enum ce_status model_config_read_max_position(const char *dir, int32_t *max_position, struct ce_err *err);

#endif
