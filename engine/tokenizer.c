/*
 * tokenizer.c - BERT WordPiece tokenizer with the behaviour of Hugging Face's
 * fast (Rust) BertTokenizer; see tokenizer.h and ../shared/spec/encoder.md §1.
 *
 * tokenizer_encode is a streaming pipeline over code points:
 *   raw bytes -> added (special) tokens split out, matched on the raw text
 *   -> clean_text -> CJK isolation -> NFD + drop Mn -> lowercase
 *   -> whitespace / punctuation split -> WordPiece -> ids
 * Each stage hands code points to the next one, so memory is bounded by the
 * longest word considered (max_input_chars_per_word), not by the text; the
 * loop stops once max_len - 2 pieces exist.  Only the sentence-transformers
 * lower-casing (Python str.lower(), which needs the whole string for its
 * Final_Sigma rule) works on a lower-cased copy of the text.
 */
#include "tokenizer.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "ce_json.h"
#include "ce_hash.h"
#include "fs_util.h"
#include "tok_iface.h"
#include "unicode.h"
#include "vocab.h"

#define ADDED_MAX 256              /* added tokens we accept */
#define ADDED_BYTES_MAX 256        /* bytes per added token */
#define WORD_CHARS_LIMIT 10000     /* upper bound for max_input_chars_per_word */
#define RUN_MAX 32                 /* pending non-starters for NFD canonical reordering */
#define JSON_FILE_BYTES_MAX ((size_t)64 << 20)

struct added_token {
	char *content;
	size_t len;
	int32_t id;
};

struct tokenizer {
	struct vocab *vocab;
	struct tokenizer_settings s;
	int strip;                 /* resolved strip_accents */
	int32_t unk_id, cls_id, sep_id, pad_id;
	struct added_token *added;
	size_t n_added;
	uint8_t added_first[256];  /* first bytes of added tokens */
	int32_t max_length;
	char fingerprint[17];
};

void tokenizer_settings_init(struct tokenizer_settings *s)
{
	memset(s, 0, sizeof *s);
	s->lowercase = 1;
	s->strip_accents = -1;
	s->handle_chinese_chars = 1;
	s->clean_text = 1;
	s->st_lowercase = 0;
	s->max_input_chars_per_word = 100;
	s->model_max_length = 0;
}

void tokenizer_free(struct tokenizer *tok)
{
	if (!tok)
		return;
	vocab_free(tok->vocab);
	for (size_t i = 0; i < tok->n_added; i++)
		ce_free(tok->added[i].content);
	ce_free(tok->added);
	ce_free(tok);
}

/* ------------------------------------------------------------------------ */
/* Configuration: special token names and the added-token list             */

struct tok_names {
	char *unk, *cls, *sep, *pad, *mask;
};

static void names_free(struct tok_names *n)
{
	ce_free(n->unk);
	ce_free(n->cls);
	ce_free(n->sep);
	ce_free(n->pad);
	ce_free(n->mask);
}

static enum ce_status names_default(struct tok_names *n, struct ce_err *err)
{
	memset(n, 0, sizeof *n);
	n->unk = ce_strdup("[UNK]");
	n->cls = ce_strdup("[CLS]");
	n->sep = ce_strdup("[SEP]");
	n->pad = ce_strdup("[PAD]");
	n->mask = ce_strdup("[MASK]");
	if (!n->unk || !n->cls || !n->sep || !n->pad || !n->mask) {
		names_free(n);
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	return CE_OK;
}

static enum ce_status added_push(struct tokenizer *t, const char *src, const char *content, int32_t id,
				 struct ce_err *err)
{
	size_t len = strlen(content);
	if (len == 0 || len > ADDED_BYTES_MAX)
		return ce_err_set(err, CE_E_FORMAT, "%s: added token \"%.40s\" must have 1 to %d bytes", src, content,
				  ADDED_BYTES_MAX);
	for (size_t i = 0; i < t->n_added; i++) {
		if (t->added[i].len == len && memcmp(t->added[i].content, content, len) == 0) {
			if (t->added[i].id != id)
				return ce_err_set(err, CE_E_FORMAT, "%s: added token \"%s\" has two ids (%ld and %ld)",
						  src, content, (long)t->added[i].id, (long)id);
			return CE_OK;
		}
	}
	if (t->n_added >= ADDED_MAX)
		return ce_err_set(err, CE_E_LIMIT, "%s: more than %d added tokens", src, ADDED_MAX);
	if (id < 0 || id >= vocab_size(t->vocab))
		return ce_err_set(err, CE_E_UNSUPPORTED, "%s: added token \"%s\" has id %ld outside the vocabulary (%ld)",
				  src, content, (long)id, (long)vocab_size(t->vocab));
	int32_t vid = vocab_find(t->vocab, content, len);
	if (vid >= 0 && vid != id)
		return ce_err_set(err, CE_E_MISMATCH, "%s: added token \"%s\" has id %ld but the vocabulary says %ld", src,
				  content, (long)id, (long)vid);
	if (t->n_added == 0) {
		t->added = ce_malloc_array(ADDED_MAX, sizeof *t->added);
		if (!t->added)
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	char *c = ce_strndup(content, len);
	if (!c)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	t->added[t->n_added].content = c;
	t->added[t->n_added].len = len;
	t->added[t->n_added].id = id;
	t->n_added++;
	t->added_first[(unsigned char)content[0]] = 1;
	return CE_OK;
}

/* Resolve the special ids and, if no explicit added-token list was given, add the special tokens. */
static enum ce_status resolve_specials(struct tokenizer *t, const char *src, const struct tok_names *n, int add,
				       struct ce_err *err)
{
	const char *names[4] = {n->unk, n->cls, n->sep, n->pad};
	const char *what[4] = {"unk_token", "cls_token", "sep_token", "pad_token"};
	int32_t *ids[4] = {&t->unk_id, &t->cls_id, &t->sep_id, &t->pad_id};
	for (int i = 0; i < 4; i++) {
		int32_t id = vocab_find(t->vocab, names[i], strlen(names[i]));
		if (id < 0)
			return ce_err_set(err, CE_E_FORMAT, "%s: %s \"%s\" is not in the vocabulary", src, what[i],
					  names[i]);
		*ids[i] = id;
	}
	if (add) {
		/*
		 * As transformers does when it builds a fast tokenizer from vocab.txt:
		 * the special tokens become added tokens (normalized: false), so their
		 * literal occurrences in the raw text map straight to their ids.
		 */
		for (int i = 0; i < 4; i++)
			CE_TRY(added_push(t, src, names[i], *ids[i], err));
		int32_t mid = vocab_find(t->vocab, n->mask, strlen(n->mask));
		if (mid >= 0)
			CE_TRY(added_push(t, src, n->mask, mid, err));
	}
	return CE_OK;
}

/* FNV-1a (common/ce_hash.h) of v as 4 little-endian bytes */
static uint64_t fp_i32(uint64_t h, int32_t v)
{
	uint8_t b[4];
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)((uint32_t)v >> (8 * i));
	return ce_fnv1a64(h, b, sizeof b);
}

static void make_fingerprint(struct tokenizer *t)
{
	uint64_t h = vocab_digest(t->vocab);
	int32_t v[] = {t->s.lowercase, t->strip, t->s.handle_chinese_chars, t->s.clean_text, t->s.st_lowercase,
		       t->s.max_input_chars_per_word, t->unk_id, t->cls_id, t->sep_id, t->pad_id};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		h = fp_i32(h, v[i]);
	for (size_t i = 0; i < t->n_added; i++) {
		h = ce_fnv1a64(h, t->added[i].content, t->added[i].len + 1);
		h = fp_i32(h, t->added[i].id);
	}
	ce_hash_hex(h, t->fingerprint);
}

static enum ce_status check_settings(const char *src, const struct tokenizer_settings *s, struct ce_err *err)
{
	if (s->max_input_chars_per_word < 1 || s->max_input_chars_per_word > WORD_CHARS_LIMIT)
		return ce_err_set(err, CE_E_UNSUPPORTED, "%s: max_input_chars_per_word %ld is outside 1..%d", src,
				  (long)s->max_input_chars_per_word, WORD_CHARS_LIMIT);
	if (s->strip_accents < -1 || s->strip_accents > 1)
		return ce_err_set(err, CE_E_INVALID_ARG, "%s: strip_accents must be -1, 0 or 1", src);
	if (s->model_max_length < 0)
		return ce_err_set(err, CE_E_INVALID_ARG, "%s: negative model_max_length", src);
	return CE_OK;
}

static struct tokenizer *tokenizer_new(struct vocab *v, const struct tokenizer_settings *s)
{
	struct tokenizer *t = ce_calloc(1, sizeof *t);
	if (!t) {
		vocab_free(v);
		return NULL;
	}
	t->vocab = v;
	t->s = *s;
	t->s.lowercase = !!s->lowercase;
	t->s.handle_chinese_chars = !!s->handle_chinese_chars;
	t->s.clean_text = !!s->clean_text;
	t->s.st_lowercase = !!s->st_lowercase;
	/* BertNormalizer: strip_accents None follows lowercase */
	t->strip = s->strip_accents < 0 ? t->s.lowercase : s->strip_accents;
	t->max_length = s->model_max_length;
	return t;
}

struct tokenizer *tokenizer_create_from_buffer(const char *name, const char *vocab, size_t len,
					       const struct tokenizer_settings *s, struct ce_err *err)
{
	if (check_settings(name, s, err) != CE_OK)
		return NULL;
	struct vocab *v = vocab_parse(name, vocab, len, err);
	if (!v)
		return NULL;
	struct tokenizer *t = tokenizer_new(v, s);
	if (!t) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", name);
		return NULL;
	}
	struct tok_names n;
	if (names_default(&n, err) != CE_OK || resolve_specials(t, name, &n, 1, err) != CE_OK) {
		if (n.unk)
			names_free(&n);
		tokenizer_free(t);
		return NULL;
	}
	names_free(&n);
	make_fingerprint(t);
	return t;
}

struct tokenizer *tokenizer_create(const char *vocab_path, const struct tokenizer_settings *s, struct ce_err *err)
{
	char *data;
	size_t len;
	if (fs_read_file(vocab_path, VOCAB_FILE_BYTES_MAX, &data, &len, err) != CE_OK)
		return NULL;
	struct tokenizer *t = tokenizer_create_from_buffer(vocab_path, data, len, s, err);
	ce_free(data);
	return t;
}

/* ------------------------------------------------------------------------ */
/* JSON helpers (jansson); every message names the file and the key        */

/* Load a JSON object from dir/name.  Missing file: *out = NULL, CE_OK unless required. */
static enum ce_status json_file(const char *dir, const char *name, int required, json_t **out, char **path_out,
				struct ce_err *err)
{
	*out = NULL;
	*path_out = NULL;
	char *path = fs_join(dir, name);
	if (!path)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	if (!fs_is_file(path)) {
		if (required) {
			enum ce_status st = ce_err_set(err, CE_E_NOT_FOUND, "%s: missing", path);
			ce_free(path);
			return st;
		}
		ce_free(path);
		return CE_OK;
	}
	char *data;
	size_t len;
	enum ce_status st = fs_read_file(path, JSON_FILE_BYTES_MAX, &data, &len, err);
	if (st != CE_OK) {
		ce_free(path);
		return st;
	}
	json_error_t je;
	/* INT_AS_REAL: transformers writes model_max_length = int(1e30) when there is no limit */
	json_t *root = json_loadb(data, len, JSON_DECODE_INT_AS_REAL | JSON_REJECT_DUPLICATES, &je);
	ce_free(data);
	if (!root) {
		st = ce_json_status(&je) == CE_E_NOMEM ? ce_err_set(err, CE_E_NOMEM, "%s: %s", path, ce_json_text(&je))
			: ce_err_set(err, CE_E_FORMAT, "%s:%d:%d: %s", path, je.line, je.column, ce_json_text(&je));
		ce_free(path);
		return st;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		st = ce_err_set(err, CE_E_FORMAT, "%s: top level is not a JSON object", path);
		ce_free(path);
		return st;
	}
	*out = root;
	*path_out = path;
	return CE_OK;
}

/* Optional boolean: absent leaves *out; null sets *out = null_value if allow_null (>= -1) else error. */
static enum ce_status json_opt_bool(const char *path, const json_t *obj, const char *key, int allow_null,
				    int null_value, int *out, struct ce_err *err)
{
	const json_t *j = json_object_get(obj, key);
	if (!j)
		return CE_OK;
	if (json_is_boolean(j)) {
		*out = json_is_true(j);
		return CE_OK;
	}
	if (allow_null && json_is_null(j)) {
		*out = null_value;
		return CE_OK;
	}
	return ce_err_set(err, CE_E_FORMAT, "%s: key \"%s\": expected true or false%s", path, key,
			  allow_null ? " or null" : "");
}

/* Optional integral number in [lo, hi]; values >= big_as_none (if > 0) give *out = 0 ("no limit"). */
static enum ce_status json_opt_int(const char *path, const json_t *obj, const char *key, double lo, double hi,
				   double big_as_none, int32_t *out, struct ce_err *err)
{
	const json_t *j = json_object_get(obj, key);
	if (!j)
		return CE_OK;
	if (!json_is_number(j))
		return ce_err_set(err, CE_E_FORMAT, "%s: key \"%s\": expected a number", path, key);
	double d = json_number_value(j);
	if (big_as_none > 0 && d >= big_as_none) {
		*out = 0;
		return CE_OK;
	}
	if (!isfinite(d) || d != floor(d) || d < lo || d > hi)
		return ce_err_set(err, CE_E_FORMAT, "%s: key \"%s\": expected an integer in %.0f..%.0f, got %g", path,
				  key, lo, hi, d);
	*out = (int32_t)d;
	return CE_OK;
}

/* A token given as a string or as an AddedToken object {"content": ...}; absent leaves *out. */
static enum ce_status json_opt_token(const char *path, const json_t *obj, const char *key, char **out,
				     struct ce_err *err)
{
	const json_t *j = json_object_get(obj, key);
	if (!j)
		return CE_OK;
	if (json_is_object(j))
		j = json_object_get(j, "content");
	if (!j || !json_is_string(j) || json_string_length(j) == 0 || json_string_length(j) > ADDED_BYTES_MAX)
		return ce_err_set(err, CE_E_FORMAT, "%s: key \"%s\": expected a non-empty token string", path, key);
	char *s = ce_strdup(json_string_value(j));
	if (!s)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	ce_free(*out);
	*out = s;
	return CE_OK;
}

static enum ce_status read_names(const char *path, const json_t *obj, struct tok_names *n, struct ce_err *err)
{
	CE_TRY(json_opt_token(path, obj, "unk_token", &n->unk, err));
	CE_TRY(json_opt_token(path, obj, "cls_token", &n->cls, err));
	CE_TRY(json_opt_token(path, obj, "sep_token", &n->sep, err));
	CE_TRY(json_opt_token(path, obj, "pad_token", &n->pad, err));
	CE_TRY(json_opt_token(path, obj, "mask_token", &n->mask, err));
	return CE_OK;
}

/* One added-token record of tokenizer.json "added_tokens" or tokenizer_config.json "added_tokens_decoder". */
static enum ce_status read_added_record(struct tokenizer *t, const char *path, const char *where, const json_t *rec,
					double id, struct ce_err *err)
{
	if (!json_is_object(rec))
		return ce_err_set(err, CE_E_FORMAT, "%s: %s: expected an object", path, where);
	const json_t *c = json_object_get(rec, "content");
	if (!json_is_string(c))
		return ce_err_set(err, CE_E_FORMAT, "%s: %s: key \"content\": expected a string", path, where);
	if (!isfinite(id) || id != floor(id) || id < 0 || id > VOCAB_SIZE_MAX)
		return ce_err_set(err, CE_E_FORMAT, "%s: %s: key \"id\": expected a non-negative integer", path, where);
	static const char *const must_false[] = {"lstrip", "rstrip", "single_word", "normalized"};
	for (size_t k = 0; k < 4; k++) {
		const json_t *b = json_object_get(rec, must_false[k]);
		if (!b)
			continue;
		if (!json_is_boolean(b))
			return ce_err_set(err, CE_E_FORMAT, "%s: %s: key \"%s\": expected true or false", path, where,
					  must_false[k]);
		/* only the semantics of BERT's special tokens are implemented */
		if (json_is_true(b))
			return ce_err_set(err, CE_E_UNSUPPORTED, "%s: %s: added token \"%s\" with %s: true", path,
					  where, json_string_value(c), must_false[k]);
	}
	if (strlen(json_string_value(c)) != json_string_length(c))
		return ce_err_set(err, CE_E_FORMAT, "%s: %s: NUL in added token", path, where);
	return added_push(t, path, json_string_value(c), (int32_t)id, err);
}

/* tokenizer.json: normalizer, pre_tokenizer, model (WordPiece), added_tokens. *have_added set if a list was read. */
static enum ce_status read_tokenizer_json(struct tokenizer *t, const char *path, const json_t *root,
					  struct tokenizer_settings *s, struct tok_names *n, int *have_added,
					  struct ce_err *err)
{
	const json_t *norm = json_object_get(root, "normalizer");
	if (norm && !json_is_null(norm)) {
		const json_t *type = json_object_get(norm, "type");
		if (!json_is_object(norm) || !json_is_string(type))
			return ce_err_set(err, CE_E_FORMAT, "%s: key \"normalizer\": expected an object with a \"type\"",
					  path);
		if (strcmp(json_string_value(type), "BertNormalizer") != 0)
			return ce_err_set(err, CE_E_UNSUPPORTED, "%s: normalizer type \"%s\" (only BertNormalizer)", path,
					  json_string_value(type));
		CE_TRY(json_opt_bool(path, norm, "clean_text", 0, 0, &s->clean_text, err));
		CE_TRY(json_opt_bool(path, norm, "handle_chinese_chars", 0, 0, &s->handle_chinese_chars, err));
		CE_TRY(json_opt_bool(path, norm, "strip_accents", 1, -1, &s->strip_accents, err));
		CE_TRY(json_opt_bool(path, norm, "lowercase", 0, 0, &s->lowercase, err));
	}
	const json_t *pre = json_object_get(root, "pre_tokenizer");
	if (pre && !json_is_null(pre)) {
		const json_t *type = json_object_get(pre, "type");
		if (!json_is_string(type) || strcmp(json_string_value(type), "BertPreTokenizer") != 0)
			return ce_err_set(err, CE_E_UNSUPPORTED, "%s: key \"pre_tokenizer\": only BertPreTokenizer is supported",
					  path);
	}
	const json_t *model = json_object_get(root, "model");
	if (model) {
		const json_t *type = json_object_get(model, "type");
		if (!json_is_object(model) || !json_is_string(type) || strcmp(json_string_value(type), "WordPiece") != 0)
			return ce_err_set(err, CE_E_UNSUPPORTED, "%s: key \"model\": only a WordPiece model is supported", path);
		const json_t *pfx = json_object_get(model, "continuing_subword_prefix");
		if (pfx && !(json_is_string(pfx) && strcmp(json_string_value(pfx), "##") == 0))
			return ce_err_set(err, CE_E_UNSUPPORTED, "%s: key \"model.continuing_subword_prefix\": only \"##\"",
					  path);
		CE_TRY(json_opt_int(path, model, "max_input_chars_per_word", 1, WORD_CHARS_LIMIT, 0,
				    &s->max_input_chars_per_word, err));
		/* the WordPiece model's unk_token is what unknown words become */
		CE_TRY(json_opt_token(path, model, "unk_token", &n->unk, err));
		const json_t *mv = json_object_get(model, "vocab");
		if (mv) {
			if (!json_is_object(mv))
				return ce_err_set(err, CE_E_FORMAT, "%s: key \"model.vocab\": expected an object", path);
			if ((size_t)vocab_size(t->vocab) != json_object_size(mv))
				return ce_err_set(err, CE_E_MISMATCH, "%s: model.vocab has %zu tokens, vocab.txt has %ld",
						  path, json_object_size(mv), (long)vocab_size(t->vocab));
			const char *k;
			const json_t *val;
			json_object_foreach((json_t *)mv, k, val) {
				double d = json_is_number(val) ? json_number_value(val) : -1;
				int32_t id = vocab_find(t->vocab, k, strlen(k));
				if (id < 0 || (double)id != d)
					return ce_err_set(err, CE_E_MISMATCH,
							  "%s: model.vocab token \"%.40s\" differs from vocab.txt", path, k);
			}
		}
	}
	const json_t *added = json_object_get(root, "added_tokens");
	if (added && !json_is_null(added)) {
		if (!json_is_array(added))
			return ce_err_set(err, CE_E_FORMAT, "%s: key \"added_tokens\": expected an array", path);
		size_t i;
		const json_t *rec;
		json_array_foreach(added, i, rec) {
			char where[64];
			snprintf(where, sizeof where, "added_tokens[%zu]", i);
			const json_t *id = json_object_get(rec, "id");
			if (!json_is_number(id))
				return ce_err_set(err, CE_E_FORMAT, "%s: %s: key \"id\": expected a number", path, where);
			CE_TRY(read_added_record(t, path, where, rec, json_number_value(id), err));
		}
		*have_added = 1;
	}
	return CE_OK;
}

static enum ce_status read_tokenizer_config(struct tokenizer *t, const char *path, const json_t *root,
					    struct tokenizer_settings *s, struct tok_names *n, int *have_added,
					    struct ce_err *err)
{
	const json_t *cls = json_object_get(root, "tokenizer_class");
	if (cls && !json_is_null(cls)) {
		if (!json_is_string(cls))
			return ce_err_set(err, CE_E_FORMAT, "%s: key \"tokenizer_class\": expected a string", path);
		const char *c = json_string_value(cls);
		if (strcmp(c, "BertTokenizer") != 0 && strcmp(c, "BertTokenizerFast") != 0)
			return ce_err_set(err, CE_E_UNSUPPORTED, "%s: tokenizer_class \"%s\" (only BertTokenizer)", path, c);
	}
	/* transformers' BertTokenizer default is do_lower_case=True */
	CE_TRY(json_opt_bool(path, root, "do_lower_case", 0, 0, &s->lowercase, err));
	CE_TRY(json_opt_bool(path, root, "strip_accents", 1, -1, &s->strip_accents, err));
	CE_TRY(json_opt_bool(path, root, "tokenize_chinese_chars", 0, 0, &s->handle_chinese_chars, err));
	CE_TRY(json_opt_int(path, root, "model_max_length", 1, 1e9, 1e18, &s->model_max_length, err));
	CE_TRY(read_names(path, root, n, err));
	const json_t *dec = json_object_get(root, "added_tokens_decoder");
	if (dec && !json_is_null(dec) && !*have_added) {
		if (!json_is_object(dec))
			return ce_err_set(err, CE_E_FORMAT, "%s: key \"added_tokens_decoder\": expected an object", path);
		const char *k;
		const json_t *rec;
		json_object_foreach((json_t *)dec, k, rec) {
			char where[80];
			snprintf(where, sizeof where, "added_tokens_decoder[\"%.40s\"]", k);
			char *end;
			double id = strtod(k, &end);
			if (end == k || *end)
				return ce_err_set(err, CE_E_FORMAT, "%s: %s: key is not an id", path, where);
			CE_TRY(read_added_record(t, path, where, rec, id, err));
		}
		*have_added = 1;
	}
	return CE_OK;
}

static enum ce_status open_dir_files(struct tokenizer **out, const char *dir, struct tok_names *n,
				     struct ce_err *err)
{
	enum ce_status st;
	char *vpath = fs_join(dir, "vocab.txt");
	if (!vpath)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	struct vocab *v = vocab_load(vpath, err);
	ce_free(vpath);
	if (!v)
		return err ? err->code : CE_E_FORMAT;
	struct tokenizer_settings s;
	tokenizer_settings_init(&s);
	struct tokenizer *t = tokenizer_new(v, &s);
	if (!t)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	*out = t;

	json_t *cfg = NULL, *stm = NULL, *tj = NULL, *sb = NULL;
	char *cfg_path = NULL, *stm_path = NULL, *tj_path = NULL, *sb_path = NULL;
	int have_added = 0;
	int32_t st_max = 0;
	st = json_file(dir, "tokenizer_config.json", 1, &cfg, &cfg_path, err);
	if (st == CE_OK)
		st = json_file(dir, "special_tokens_map.json", 0, &stm, &stm_path, err);
	if (st == CE_OK)
		st = json_file(dir, "tokenizer.json", 0, &tj, &tj_path, err);
	if (st == CE_OK)
		st = json_file(dir, "sentence_bert_config.json", 0, &sb, &sb_path, err);
	/* tokenizer.json first: its added_tokens are authoritative; its normalizer overrides below */
	struct tokenizer_settings sj = s;
	if (st == CE_OK && tj)
		st = read_tokenizer_json(t, tj_path, tj, &sj, n, &have_added, err);
	if (st == CE_OK)
		st = read_tokenizer_config(t, cfg_path, cfg, &s, n, &have_added, err);
	if (st == CE_OK && stm)
		st = read_names(stm_path, stm, n, err);
	if (st == CE_OK && tj) {
		/* the fast tokenizer's own normalizer and model settings win over tokenizer_config.json */
		const json_t *norm = json_object_get(tj, "normalizer");
		if (norm && !json_is_null(norm)) {
			s.clean_text = sj.clean_text;
			s.handle_chinese_chars = sj.handle_chinese_chars;
			s.strip_accents = sj.strip_accents;
			s.lowercase = sj.lowercase;
		}
		s.max_input_chars_per_word = sj.max_input_chars_per_word;
		/* tokenizer.json's model.unk_token was read into n before tokenizer_config.json */
		const json_t *model = json_object_get(tj, "model");
		if (model && json_object_get(model, "unk_token"))
			st = json_opt_token(tj_path, model, "unk_token", &n->unk, err);
	}
	if (st == CE_OK && sb) {
		st = json_opt_bool(sb_path, sb, "do_lower_case", 0, 0, &s.st_lowercase, err);
		if (st == CE_OK)
			st = json_opt_int(sb_path, sb, "max_seq_length", 1, 1e9, 0, &st_max, err);
	}
	if (st == CE_OK)
		st = resolve_specials(t, cfg_path, n, !have_added, err);
	if (st == CE_OK) {
		t->s = s;
		t->strip = s.strip_accents < 0 ? s.lowercase : s.strip_accents;
		t->max_length = st_max > 0 ? st_max : s.model_max_length;
		make_fingerprint(t);
	}
	json_decref(cfg);
	json_decref(stm);
	json_decref(tj);
	json_decref(sb);
	ce_free(cfg_path);
	ce_free(stm_path);
	ce_free(tj_path);
	ce_free(sb_path);
	return st;
}

struct tokenizer *tokenizer_open_dir(const char *dir, struct ce_err *err)
{
	struct tok_names n;
	if (names_default(&n, err) != CE_OK)
		return NULL;
	struct tokenizer *t = NULL;
	enum ce_status st = open_dir_files(&t, dir, &n, err);
	names_free(&n);
	if (st != CE_OK) {
		tokenizer_free(t);
		return NULL;
	}
	return t;
}

/* ------------------------------------------------------------------------ */
/* Encoding                                                                 */

struct enc {
	const struct tokenizer *t;
	int32_t *ids;
	int32_t n, limit;     /* ids[0..n); stop at limit (room for [SEP] kept) */
	int full;
	size_t max_chars;
	uint32_t *word;       /* [max_chars] current word */
	size_t wlen;
	int wover;            /* word exceeded max_chars */
	uint8_t *wbytes;      /* [4 * max_chars] UTF-8 of the word */
	size_t *woff;         /* [max_chars + 1] byte offset of each char */
	int32_t *pieces;      /* [max_chars] WordPiece output of one word */
	uint32_t run[RUN_MAX];
	uint8_t run_ccc[RUN_MAX];
	size_t nrun;
};

static void emit(struct enc *e, int32_t id)
{
	if (e->n < e->limit)
		e->ids[e->n++] = id;
	if (e->n >= e->limit)
		e->full = 1;
}

/*
 * WordPiece (tokenizers' WordPiece::tokenize): greedy longest match from the
 * left, continuation pieces looked up with "##"; if some position has no
 * match the whole word is the unk token.
 */
static void wordpiece(struct enc *e)
{
	const struct tokenizer *t = e->t;
	size_t nb = 0;
	for (size_t i = 0; i < e->wlen; i++) {
		e->woff[i] = nb;
		nb += unicode_encode(e->word[i], e->wbytes + nb);
	}
	e->woff[e->wlen] = nb;
	size_t np = 0, start = 0;
	size_t maxb = vocab_token_bytes_max(t->vocab);
	while (start < e->wlen) {
		size_t end = e->wlen;
		size_t pl = start > 0 ? 2 : 0;
		/* skip candidates longer than every token */
		while (end > start && e->woff[end] - e->woff[start] + pl > maxb)
			end--;
		int32_t id = -1;
		for (; end > start; end--) {
			const char *sub = (const char *)e->wbytes + e->woff[start];
			size_t sl = e->woff[end] - e->woff[start];
			id = vocab_find2(t->vocab, "##", pl, sub, sl);
			if (id >= 0)
				break;
		}
		if (id < 0) {
			emit(e, t->unk_id);
			return;
		}
		e->pieces[np++] = id;
		start = end;
	}
	for (size_t i = 0; i < np && !e->full; i++)
		emit(e, e->pieces[i]);
}

static void word_end(struct enc *e)
{
	if (e->wover)
		emit(e, e->t->unk_id); /* more than max_input_chars_per_word chars */
	else if (e->wlen > 0)
		wordpiece(e);
	e->wlen = 0;
	e->wover = 0;
}

static void word_push(struct enc *e, uint32_t c)
{
	if (e->wlen < e->max_chars)
		e->word[e->wlen++] = c;
	else
		e->wover = 1;
}

/* BertPreTokenizer: split on whitespace (removed) and punctuation (kept, isolated). */
static void stage_pretok(struct enc *e, uint32_t c)
{
	if (unicode_is_whitespace(c)) {
		word_end(e);
	} else if (unicode_is_punct(c)) {
		word_end(e);
		word_push(e, c);
		word_end(e);
	} else {
		word_push(e, c);
	}
}

static void stage_lower(struct enc *e, uint32_t c)
{
	if (!e->t->s.lowercase) {
		stage_pretok(e, c);
		return;
	}
	uint32_t m[2];
	size_t nm = unicode_lower_rust(c, m);
	for (size_t i = 0; i < nm; i++)
		stage_pretok(e, m[i]);
}

static void run_flush(struct enc *e)
{
	for (size_t i = 0; i < e->nrun; i++)
		stage_lower(e, e->run[i]);
	e->nrun = 0;
}

/*
 * strip_accents: NFD, then delete Mn.  NFD's canonical reordering sorts runs
 * of non-starters by combining class; Mn are deleted first (a stable sort of
 * the kept subset gives the same order), so the run holds only the rare
 * non-Mn marks with a non-zero class.  A run longer than RUN_MAX is flushed
 * unsorted (only reachable with more than 32 such marks in a row).
 */
static void stage_strip(struct enc *e, uint32_t c)
{
	if (!e->t->strip) {
		stage_lower(e, c);
		return;
	}
	uint32_t d[UNICODE_DECOMP_MAX];
	size_t nd = unicode_nfd_char(c, d, UNICODE_DECOMP_MAX);
	if (nd == 0) {
		d[0] = c;
		nd = 1;
	}
	for (size_t i = 0; i < nd; i++) {
		if (unicode_is_mn(d[i]))
			continue;
		int ccc = unicode_ccc(d[i]);
		if (ccc == 0) {
			run_flush(e);
			stage_lower(e, d[i]);
			continue;
		}
		if (e->nrun == RUN_MAX)
			run_flush(e);
		size_t k = e->nrun;
		while (k > 0 && e->run_ccc[k - 1] > ccc) {
			e->run[k] = e->run[k - 1];
			e->run_ccc[k] = e->run_ccc[k - 1];
			k--;
		}
		e->run[k] = d[i];
		e->run_ccc[k] = (uint8_t)ccc;
		e->nrun++;
	}
}

/* clean_text, then handle_chinese_chars (spaces around CJK ideographs). */
static void stage_clean(struct enc *e, uint32_t c)
{
	const struct tokenizer *t = e->t;
	if (t->s.clean_text) {
		if (c == 0 || c == UNICODE_REPLACEMENT || unicode_is_control(c))
			return;
		if (unicode_is_whitespace(c))
			c = ' ';
	}
	if (t->s.handle_chinese_chars && unicode_is_cjk(c)) {
		stage_strip(e, ' ');
		stage_strip(e, c);
		stage_strip(e, ' ');
	} else {
		stage_strip(e, c);
	}
}

static void segment_end(struct enc *e)
{
	run_flush(e);
	word_end(e);
}

/* Longest added token starting at s[0..len), or NULL. */
static const struct added_token *match_added(const struct tokenizer *t, const char *s, size_t len)
{
	if (!t->added_first[(unsigned char)s[0]])
		return NULL;
	const struct added_token *best = NULL;
	for (size_t i = 0; i < t->n_added; i++) {
		const struct added_token *a = &t->added[i];
		if (a->len <= len && (!best || a->len > best->len) && memcmp(s, a->content, a->len) == 0)
			best = a;
	}
	return best;
}

static const struct added_token *match_added(const struct tokenizer *t, const char *s, size_t len);

/*
 * sentence-transformers' do_lower_case: Python str.strip(), then str.lower()
 * of the text -- except the added special tokens, which keep their case and
 * stay special.  The reference shows it (../shared/golden, tiny-en-mean-bf16:
 * text 69 "[CLS] [SEP] [MASK] ..." embeds with ids 101 102 103, while text 70
 * "[cls] [Sep]" is plain text), as transformers' do_lower_case handling does
 * for its special tokens.  Each stretch between special tokens is lowered as
 * a whole (final-sigma context).
 */
static char *st_lower_copy(const struct tokenizer *t, const char *text, size_t len, size_t *out_len)
{
	const uint8_t *s = (const uint8_t *)text;
	size_t pos = 0, first = len, last_end = 0;
	while (pos < len) {
		size_t at = pos;
		uint32_t c = unicode_decode(s, len, &pos);
		if (!unicode_is_py_space(c)) {
			if (first == len)
				first = at;
			last_end = pos;
		}
	}
	if (first == len) {
		*out_len = 0;
		return ce_malloc(1);
	}
	size_t n = last_end - first;
	if (n > (SIZE_MAX - 1) / 3)
		return NULL;
	uint8_t *buf = ce_malloc(3 * n + 1);
	if (!buf)
		return NULL;
	const char *p = text + first;
	size_t seg = 0, o = 0, i = 0;
	while (i < n) {
		const struct added_token *a = match_added(t, p + i, n - i);
		if (!a) {
			i++;
			continue;
		}
		o += unicode_py_lower((const uint8_t *)p + seg, i - seg, buf + o);
		memcpy(buf + o, a->content, a->len);
		o += a->len;
		i += a->len;
		seg = i;
	}
	o += unicode_py_lower((const uint8_t *)p + seg, n - seg, buf + o);
	*out_len = o;
	return (char *)buf;
}

enum ce_status tokenizer_encode(const struct tokenizer *tok, const char *text, size_t len, int32_t max_len,
				int32_t *ids, int32_t *n_ids)
{
	*n_ids = 0;
	if (max_len < 2)
		return CE_E_INVALID_ARG;
	char *low = NULL;
	if (tok->s.st_lowercase) {
		low = st_lower_copy(tok, text, len, &len);
		if (!low)
			return CE_E_NOMEM;
		text = low;
	}
	struct enc e;
	memset(&e, 0, sizeof e);
	e.t = tok;
	e.ids = ids;
	e.limit = max_len - 1;
	e.max_chars = (size_t)tok->s.max_input_chars_per_word;
	e.word = ce_malloc_array(e.max_chars, sizeof *e.word);
	e.wbytes = ce_malloc_array(e.max_chars, 4);
	e.woff = ce_malloc_array(e.max_chars + 1, sizeof *e.woff);
	e.pieces = ce_malloc_array(e.max_chars, sizeof *e.pieces);
	if (!e.word || !e.wbytes || !e.woff || !e.pieces) {
		ce_free(e.word);
		ce_free(e.wbytes);
		ce_free(e.woff);
		ce_free(e.pieces);
		ce_free(low);
		return CE_E_NOMEM;
	}
	emit(&e, tok->cls_id);
	const uint8_t *s = (const uint8_t *)text;
	size_t pos = 0;
	while (pos < len && !e.full) {
		const struct added_token *a = match_added(tok, text + pos, len - pos);
		if (a) {
			/* added tokens are split out of the raw text before normalization */
			segment_end(&e);
			if (!e.full)
				emit(&e, a->id);
			pos += a->len;
			continue;
		}
		stage_clean(&e, unicode_decode(s, len, &pos));
	}
	if (!e.full)
		segment_end(&e);
	ids[e.n++] = tok->sep_id;
	*n_ids = e.n;
	ce_free(e.word);
	ce_free(e.wbytes);
	ce_free(e.woff);
	ce_free(e.pieces);
	ce_free(low);
	return CE_OK;
}

/* ------------------------------------------------------------------------ */

int32_t tokenizer_max_length(const struct tokenizer *tok)
{
	return tok->max_length;
}

int32_t tokenizer_vocab_size(const struct tokenizer *tok)
{
	return vocab_size(tok->vocab);
}

int32_t tokenizer_token_id(const struct tokenizer *tok, const char *token)
{
	return vocab_find(tok->vocab, token, strlen(token));
}

const char *tokenizer_id_token(const struct tokenizer *tok, int32_t id)
{
	return vocab_token(tok->vocab, id, NULL);
}

int32_t tokenizer_pad_id(const struct tokenizer *tok)
{
	return tok->pad_id;
}

const char *tokenizer_fingerprint(const struct tokenizer *tok)
{
	return tok->fingerprint;
}

/* ------------------------------------------------------------------------ */
/* The WordPiece entry of the tokenizer table (tok_iface.h)                 */

static int wp_probe_dir(const char *dir)
{
	char *p = fs_join(dir, "vocab.txt");
	int ok = p && fs_is_file(p);
	ce_free(p);
	return ok;
}

static void *wp_open_dir(const char *dir, struct ce_err *err) { return tokenizer_open_dir(dir, err); }
static void wp_free(void *impl) { tokenizer_free(impl); }

static enum ce_status wp_encode(const void *impl, const char *text, size_t len, int32_t max_len, int32_t *ids,
				int32_t *n_ids)
{
	return tokenizer_encode(impl, text, len, max_len, ids, n_ids);
}

static int32_t wp_max_length(const void *impl) { return tokenizer_max_length(impl); }
static int32_t wp_vocab_size(const void *impl) { return tokenizer_vocab_size(impl); }
static const char *wp_fingerprint(const void *impl) { return tokenizer_fingerprint(impl); }

static void wp_special_ids(const void *impl, struct tok_special *out)
{
	const struct tokenizer *t = impl;
	out->bos = t->cls_id;
	out->eos = t->sep_id;
	out->pad = t->pad_id;
	out->unk = t->unk_id;
}

static void wp_describe(const void *impl, char *buf, size_t cap)
{
	const struct tokenizer *t = impl;
	snprintf(buf, cap, "wordpiece vocab=%d lowercase=%s strip_accents=%s chinese_chars=%s st_lowercase=%s",
		 (int)vocab_size(t->vocab), t->s.lowercase ? "yes" : "no", t->strip ? "yes" : "no",
		 t->s.handle_chinese_chars ? "yes" : "no", t->s.st_lowercase ? "yes" : "no");
}

const struct tok_kind tok_kind_wordpiece = {
	.name = "wordpiece",
	.vocab_file = "vocab.txt",
	.probe_dir = wp_probe_dir,
	.open_dir = wp_open_dir,
	.free = wp_free,
	.encode = wp_encode,
	.max_length = wp_max_length,
	.vocab_size = wp_vocab_size,
	.special_ids = wp_special_ids,
	.fingerprint = wp_fingerprint,
	.describe = wp_describe,
};
