/*
 * model_config.c - config.json (generic part: model_type), modules.json,
 * pooling config and sentence_bert_config.json of a sentence-transformers
 * folder.  The architecture's own config.json keys are read by its entry in
 * the architecture table (model_arch.h).
 */
#include "model_config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "ce_json.h"
#include "fs_util.h"
#include "model_arch.h"

/* Config files are a few KB; anything larger is not a config. */
#define CONFIG_FILE_MAX ((size_t)16 << 20)

static const char *const pool_names[MODEL_POOL_COUNT] = {"cls", "max", "mean", "mean_sqrt_len", "weightedmean",
							 "lasttoken"};

const char *model_pool_name(unsigned mode_bit)
{
	for (int i = 0; i < MODEL_POOL_COUNT; i++)
		if (mode_bit == (1u << i))
			return pool_names[i];
	return "?";
}

int32_t model_config_pooled_dim(const struct model_config *cfg)
{
	int n = 0;
	for (int i = 0; i < MODEL_POOL_COUNT; i++)
		n += (cfg->pooling >> i) & 1u;
	return cfg->hidden * n;
}

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */

static enum ce_status load_object(const char *name, const char *json, size_t len, json_t **out, struct ce_err *err)
{
	json_error_t jerr;
	*out = NULL;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return ce_err_set(err, ce_json_status(&jerr), "%s:%d:%d: invalid JSON: %s", name, jerr.line > 0 ? jerr.line : 1,
				  jerr.column > 0 ? jerr.column : 1, ce_json_text(&jerr));
	if (!json_is_object(root)) {
		json_decref(root);
		return ce_err_set(err, CE_E_FORMAT, "%s: top level is not a JSON object", name);
	}
	*out = root;
	return CE_OK;
}

/* Integer key in [lo, hi]; required unless def_ok (then *v keeps its default when absent or null). */
static enum ce_status get_int(const char *name, json_t *o, const char *key, int64_t lo, int64_t hi, int required,
			      int32_t *v, struct ce_err *err)
{
	json_t *j = json_object_get(o, key);
	if (!j || json_is_null(j)) {
		CE_CHECK(!required, err, CE_E_FORMAT, "%s: missing key \"%s\"", name, key);
		return CE_OK;
	}
	CE_CHECK(json_is_integer(j), err, CE_E_FORMAT, "%s: \"%s\" must be an integer", name, key);
	json_int_t x = json_integer_value(j);
	CE_CHECK(x >= lo && x <= hi, err, CE_E_FORMAT, "%s: \"%s\" = %lld is out of range [%lld, %lld]", name, key,
		 (long long)x, (long long)lo, (long long)hi);
	*v = (int32_t)x;
	return CE_OK;
}

static enum ce_status get_bool(const char *name, json_t *o, const char *key, int *v, struct ce_err *err)
{
	json_t *j = json_object_get(o, key);
	if (!j || json_is_null(j))
		return CE_OK;
	CE_CHECK(json_is_boolean(j), err, CE_E_FORMAT, "%s: \"%s\" must be true or false", name, key);
	*v = json_is_true(j);
	return CE_OK;
}

/* ------------------------------------------------------------------------ */
/* config.json                                                              */

enum ce_status model_config_get_int(const char *name, const struct json_t *o, const char *key, int64_t lo,
				    int64_t hi, int required, int32_t *v, struct ce_err *err)
{
	return get_int(name, (json_t *)o, key, lo, hi, required, v, err);
}

/* "model_type" through the architecture table; the entry reads the rest. */
static enum ce_status parse_config(const char *name, json_t *o, struct model_config *cfg, struct ce_err *err)
{
	json_t *mt = json_object_get(o, "model_type");
	CE_CHECK(mt && json_is_string(mt), err, CE_E_FORMAT, "%s: missing string key \"model_type\"", name);
	const struct model_arch *a = model_arch_find(json_string_value(mt));
	if (!a) {
		char types[256];
		model_arch_list_types(types, sizeof types);
		return ce_err_set(err, CE_E_UNSUPPORTED, "%s: \"model_type\" is \"%s\"; only %s models are supported",
				  name, json_string_value(mt), types);
	}
	cfg->arch = a;
	return a->parse_config(name, o, cfg, err);
}

enum ce_status model_config_parse(const char *name, const char *json, size_t len, struct model_config *cfg,
				  struct ce_err *err)
{
	json_t *o;
	CE_TRY(load_object(name, json, len, &o, err));
	enum ce_status s = parse_config(name, o, cfg, err);
	json_decref(o);
	return s;
}

enum ce_status model_config_parse_max_position(const char *name, const char *json, size_t len,
					       struct model_config *cfg, struct ce_err *err)
{
	json_t *o;
	CE_TRY(load_object(name, json, len, &o, err));
	enum ce_status s =
		get_int(name, o, "max_position_embeddings", 2, MODEL_CONFIG_DIM_MAX, 0, &cfg->max_position, err);
	json_decref(o);
	return s;
}

/* ------------------------------------------------------------------------ */
/* 1_Pooling/config.json                                                    */

static enum ce_status parse_pooling(const char *name, json_t *o, struct model_config *cfg, struct ce_err *err)
{
	static const char *const keys[MODEL_POOL_COUNT] = {
		"pooling_mode_cls_token",		"pooling_mode_max_tokens",
		"pooling_mode_mean_tokens",		"pooling_mode_mean_sqrt_len_tokens",
		"pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken",
	};
	int32_t dim = cfg->hidden;
	CE_TRY(get_int(name, o, "word_embedding_dimension", 1, MODEL_CONFIG_DIM_MAX, 0, &dim, err));
	CE_CHECK(dim == cfg->hidden, err, CE_E_MISMATCH,
		 "%s: \"word_embedding_dimension\" %d differs from hidden_size %d", name, dim, cfg->hidden);
	unsigned modes = 0;
	for (int i = 0; i < MODEL_POOL_COUNT; i++) {
		int on = 0;
		CE_TRY(get_bool(name, o, keys[i], &on, err));
		if (on)
			modes |= 1u << i;
	}
	CE_CHECK(modes != 0, err, CE_E_FORMAT, "%s: no pooling_mode_* key is true", name);
	cfg->pooling = modes;
	return CE_OK;
}

enum ce_status model_config_parse_pooling(const char *name, const char *json, size_t len, struct model_config *cfg,
					  struct ce_err *err)
{
	json_t *o;
	CE_TRY(load_object(name, json, len, &o, err));
	enum ce_status s = parse_pooling(name, o, cfg, err);
	json_decref(o);
	return s;
}

/* ------------------------------------------------------------------------ */
/* modules.json                                                             */

static int path_is_safe(const char *p)
{
	if (p[0] == '/')
		return 0;
	for (const char *s = p; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return 0;
		s += n;
		if (*s == '/')
			s++;
	}
	return 1;
}

enum ce_status model_config_parse_modules(const char *name, const char *json, size_t len, struct model_config *cfg,
					  char *pooling_path, size_t cap, struct ce_err *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return ce_err_set(err, ce_json_status(&jerr), "%s:%d:%d: invalid JSON: %s", name, jerr.line > 0 ? jerr.line : 1,
				  jerr.column > 0 ? jerr.column : 1, ce_json_text(&jerr));
	enum ce_status s = CE_OK;
	if (cap)
		pooling_path[0] = '\0';
	cfg->normalize = 0;
	if (!json_is_array(root)) {
		s = ce_err_set(err, CE_E_FORMAT, "%s: top level is not a JSON array", name);
		goto out;
	}
	int have_pool = 0;
	for (size_t i = 0; i < json_array_size(root); i++) {
		json_t *m = json_array_get(root, i);
		json_t *type = json_is_object(m) ? json_object_get(m, "type") : NULL;
		if (!type || !json_is_string(type)) {
			s = ce_err_set(err, CE_E_FORMAT, "%s: module %zu has no string \"type\"", name, i);
			goto out;
		}
		const char *t = json_string_value(type);
		if (strcmp(t, "sentence_transformers.models.Normalize") == 0) {
			cfg->normalize = 1;
		} else if (strcmp(t, "sentence_transformers.models.Pooling") == 0) {
			json_t *path = json_object_get(m, "path");
			if (!path || !json_is_string(path) || !path_is_safe(json_string_value(path))) {
				s = ce_err_set(err, CE_E_FORMAT, "%s: module %zu (Pooling) has a missing or unsafe \"path\"",
					       name, i);
				goto out;
			}
			if (have_pool || strlen(json_string_value(path)) >= cap) {
				s = ce_err_set(err, CE_E_UNSUPPORTED, "%s: module %zu: %s", name, i,
					       have_pool ? "more than one Pooling module" : "Pooling path too long");
				goto out;
			}
			strcpy(pooling_path, json_string_value(path));
			have_pool = 1;
		} else if (strcmp(t, "sentence_transformers.models.Transformer") != 0) {
			/* Dense, LayerNorm, ... would change the output; refuse rather than ignore. */
			s = ce_err_set(err, CE_E_UNSUPPORTED, "%s: module %zu: type \"%s\" is not supported", name, i, t);
			goto out;
		}
	}
out:
	json_decref(root);
	return s;
}

/* ------------------------------------------------------------------------ */
/* sentence_bert_config.json                                                */

enum ce_status model_config_parse_st(const char *name, const char *json, size_t len, struct model_config *cfg,
				     struct ce_err *err)
{
	json_t *o;
	CE_TRY(load_object(name, json, len, &o, err));
	enum ce_status s = get_int(name, o, "max_seq_length", 2, MODEL_CONFIG_DIM_MAX, 0, &cfg->st_max_seq_length, err);
	if (s == CE_OK)
		s = get_bool(name, o, "do_lower_case", &cfg->st_do_lower_case, err);
	json_decref(o);
	return s;
}

/* ------------------------------------------------------------------------ */
/* folder                                                                   */

typedef enum ce_status (*parse_fn)(const char *name, const char *json, size_t len, struct model_config *cfg,
				   struct ce_err *err);

/* Read dir/rel and run fn; a missing optional file leaves cfg alone and sets *found = 0. */
static enum ce_status parse_file(const char *dir, const char *rel, int required, parse_fn fn,
				 struct model_config *cfg, int *found, struct ce_err *err)
{
	char *path = fs_join(dir, rel);
	if (!path)
		return ce_err_set(err, CE_E_NOMEM, "%s/%s: out of memory", dir, rel);
	char *data = NULL;
	size_t len = 0;
	if (found)
		*found = 0;
	enum ce_status s;
	if (!required && !fs_is_file(path)) {
		s = CE_OK;
		goto out;
	}
	s = fs_read_file(path, CONFIG_FILE_MAX, &data, &len, err);
	if (s == CE_OK) {
		if (found)
			*found = 1;
		s = fn(path, data, len, cfg, err);
	}
out:
	ce_free(data);
	ce_free(path);
	return s;
}

enum ce_status model_config_load_dir(const char *dir, struct model_config *cfg, struct ce_err *err)
{
	memset(cfg, 0, sizeof *cfg);
	CE_TRY(parse_file(dir, "config.json", 1, model_config_parse, cfg, NULL, err));
	CE_TRY(parse_file(dir, "sentence_bert_config.json", 0, model_config_parse_st, cfg, NULL, err));

	char *mpath = fs_join(dir, "modules.json");
	if (!mpath)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
	char pool_dir[512] = "";
	enum ce_status s = CE_OK;
	if (fs_is_file(mpath)) {
		char *data = NULL;
		size_t len = 0;
		s = fs_read_file(mpath, CONFIG_FILE_MAX, &data, &len, err);
		if (s == CE_OK)
			s = model_config_parse_modules(mpath, data, len, cfg, pool_dir, sizeof pool_dir, err);
		ce_free(data);
		ce_free(mpath);
		CE_TRY(s);
		if (!pool_dir[0]) {
			/* modules.json without Pooling: we always pool, so refuse. */
			return ce_err_set(err, CE_E_UNSUPPORTED, "%s/modules.json: no Pooling module", dir);
		}
		char rel[600];
		snprintf(rel, sizeof rel, "%s/config.json", pool_dir);
		int found = 0;
		CE_TRY(parse_file(dir, rel, 1, model_config_parse_pooling, cfg, &found, err));
	} else {
		ce_free(mpath);
		/* sentence-transformers' fallback for a plain HF folder: mean pooling, no Normalize. */
		cfg->pooling = MODEL_POOL_MEAN;
		cfg->normalize = 0;
	}
	return CE_OK;
}

enum ce_status model_config_read_max_position(const char *dir, int32_t *max_position, struct ce_err *err)
{
	struct model_config cfg;
	memset(&cfg, 0, sizeof cfg);
	*max_position = 0;
	CE_TRY(parse_file(dir, "config.json", 0, model_config_parse_max_position, &cfg, NULL, err));
	*max_position = cfg.max_position;
	return CE_OK;
}
