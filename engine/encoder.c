/*
 * encoder.c - engine.h: wires the tokenizer, the model settings and the BERT
 * forward pass together and owns their lifetimes.
 *
 * encode() follows sentence-transformers' SentenceTransformer.encode (spec
 * encoder.md §3.5): texts are ordered by length (descending), cut into
 * batches, embedded and written back in input order.  With our padding-free
 * forward pass the batching has no numeric effect, so the order only serves
 * to put texts of similar length together.
 */
#include "engine.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert.h"
#include "ce_alloc.h"
#include "fs_util.h"
#include "model_config.h"
#include "safetensors.h"
#include "tokenizer.h"

#define ENCODER_DEFAULT_BATCH 32

struct encoder {
	struct model_config cfg;
	struct tokenizer *tok;
	struct bert *bert;
	struct bert_workspace *ws;
	struct encoder_options opt;
	int32_t batch;   /* texts per forward batch */
	int32_t max_len; /* token limit incl. [CLS]/[SEP] */
	int32_t dim;
	int32_t *ids;    /* [batch * max_len] packed ids of one batch */
	int32_t *lens;   /* [batch] */
	float *pooled;   /* [batch * dim] */
	char fingerprint[17];
	char describe[256];
};

void encoder_options_init(struct encoder_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->precision = ENCODER_PRECISION_F32;
}

/* ------------------------------------------------------------------------ */
/* fingerprint hash                                                         */

/* A small 64-bit hash in the style of xxHash64's round/avalanche (constants
 * are xxHash64's primes); only used to tell models apart, not for security. */
#define FP_P1 0x9E3779B185EBCA87ull
#define FP_P2 0xC2B2AE3D27D4EB4Full
#define FP_P3 0x165667B19E3779F9ull

static uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t fp_update(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = rotl64(h ^ (w * FP_P2), 31) * FP_P1;
		p += 8;
		len -= 8;
	}
	while (len--) {
		h ^= (uint64_t)*p++ * FP_P3;
		h = rotl64(h, 11) * FP_P1;
	}
	return h;
}

static uint64_t fp_final(uint64_t h)
{
	h ^= h >> 33;
	h *= FP_P2;
	h ^= h >> 29;
	h *= FP_P3;
	h ^= h >> 32;
	return h;
}

/* ------------------------------------------------------------------------ */
/* open / close                                                             */

static enum ce_status open_weights(struct encoder *enc, const char *dir, uint64_t *hash, struct ce_err *err)
{
	char *path = fs_join(dir, "model.safetensors");
	if (!path)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
	if (!fs_is_file(path)) {
		char *bin = fs_join(dir, "pytorch_model.bin");
		int has_bin = bin && fs_is_file(bin);
		ce_free(bin);
		enum ce_status s = ce_err_set(err, CE_E_NOT_FOUND, "%s: not found%s", path,
					      has_bin ? " (pytorch_model.bin is not supported yet; convert to safetensors)"
						      : "");
		ce_free(path);
		return s;
	}
	struct safetensors *st = NULL;
	enum ce_status s = safetensors_open(path, &st, err);
	ce_free(path);
	if (s != CE_OK)
		return s;
	s = bert_create(&enc->cfg, st, &enc->bert, err);
	if (s == CE_OK) {
		size_t len;
		const uint8_t *data = safetensors_data(st, &len);
		*hash = fp_update(*hash, data, len);
	}
	safetensors_close(st);
	return s;
}

static void describe_pooling(unsigned modes, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < MODEL_POOL_COUNT; i++)
		if (modes & (1u << i))
			o += (size_t)snprintf(buf + o, o < cap ? cap - o : 0, "%s%s", o ? "+" : "",
					      model_pool_name(1u << i));
}

static enum ce_status encoder_init(struct encoder *enc, const char *dir, struct ce_err *err)
{
	const struct encoder_options *o = &enc->opt;
	CE_CHECK(o->batch_size >= 0 && o->threads >= 0 && o->max_seq_length >= 0, err, CE_E_INVALID_ARG,
		 "encoder options: batch_size, threads and max_seq_length must be >= 0");
	CE_CHECK(o->precision >= 0 && o->precision < ENCODER_PRECISION_COUNT, err, CE_E_INVALID_ARG,
		 "encoder options: unknown precision %d", (int)o->precision);
	CE_CHECK(o->precision == ENCODER_PRECISION_F32, err, CE_E_UNSUPPORTED,
		 "encoder options: bf16 precision is not implemented yet (use f32)");

	CE_TRY(model_config_load_dir(dir, &enc->cfg, err));
	enc->tok = tokenizer_open_dir(dir, err);
	if (!enc->tok)
		return err ? err->code : CE_E_FORMAT;
	CE_CHECK(tokenizer_vocab_size(enc->tok) <= enc->cfg.vocab, err, CE_E_MISMATCH,
		 "%s/vocab.txt: %d tokens but config.json vocab_size is %d", dir, tokenizer_vocab_size(enc->tok),
		 enc->cfg.vocab);

	uint64_t h = FP_P3;
	CE_TRY(open_weights(enc, dir, &h, err));
	enc->dim = bert_dim(enc->bert);

	/* sentence-transformers: max_seq_length from sentence_bert_config.json,
	 * else the tokenizer's limit; never beyond the position table. */
	int32_t lim = enc->cfg.st_max_seq_length > 0 ? enc->cfg.st_max_seq_length : tokenizer_max_length(enc->tok);
	if (lim <= 0 || lim > enc->cfg.max_position)
		lim = enc->cfg.max_position;
	if (o->max_seq_length > 0 && o->max_seq_length < lim)
		lim = o->max_seq_length;
	CE_CHECK(lim >= 2, err, CE_E_INVALID_ARG, "%s: max_seq_length %d leaves no room for [CLS] and [SEP]", dir, lim);
	enc->max_len = lim;

	enc->batch = o->batch_size > 0 ? o->batch_size : ENCODER_DEFAULT_BATCH;
	CE_CHECK((int64_t)enc->batch * enc->max_len <= (1 << 24), err, CE_E_LIMIT,
		 "encoder options: batch_size %d × max_seq_length %d tokens is too large", enc->batch, enc->max_len);
	CE_TRY(bert_workspace_create(enc->bert, enc->batch * enc->max_len, enc->max_len, &enc->ws, err));
	enc->ids = ce_malloc_array((size_t)enc->batch * (size_t)enc->max_len, sizeof *enc->ids);
	enc->lens = ce_malloc_array((size_t)enc->batch, sizeof *enc->lens);
	enc->pooled = ce_malloc_array((size_t)enc->batch * (size_t)enc->dim, sizeof *enc->pooled);
	CE_CHECK(enc->ids && enc->lens && enc->pooled, err, CE_E_NOMEM, "%s: out of memory", dir);

	/* OpenBLAS's thread count is process-wide; it is the only parallelism. */
	int32_t threads = o->threads;
	if (threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (int32_t)n : 1;
	}
	openblas_set_num_threads(threads);

	const char *tfp = tokenizer_fingerprint(enc->tok);
	h = fp_update(h, tfp, strlen(tfp));
	int32_t extra[3] = {(int32_t)enc->cfg.pooling, enc->cfg.normalize, enc->max_len};
	h = fp_update(h, extra, sizeof extra);
	snprintf(enc->fingerprint, sizeof enc->fingerprint, "%016llx", (unsigned long long)fp_final(h));

	char pool[96];
	describe_pooling(enc->cfg.pooling, pool, sizeof pool);
	snprintf(enc->describe, sizeof enc->describe, "bert H=%d L=%d heads=%d pooling=%s normalize=%s max_len=%d",
		 enc->cfg.hidden, enc->cfg.layers, enc->cfg.heads, pool, enc->cfg.normalize ? "yes" : "no",
		 enc->max_len);
	return CE_OK;
}

struct encoder *encoder_open(const char *dir, const struct encoder_options *opt, struct ce_err *err)
{
	struct encoder *enc = ce_calloc(1, sizeof *enc);
	if (!enc) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
		return NULL;
	}
	if (opt)
		enc->opt = *opt;
	else
		encoder_options_init(&enc->opt);
	if (encoder_init(enc, dir, err) != CE_OK) {
		encoder_close(enc);
		return NULL;
	}
	return enc;
}

void encoder_close(struct encoder *enc)
{
	if (!enc)
		return;
	tokenizer_free(enc->tok);
	bert_workspace_free(enc->ws);
	bert_free(enc->bert);
	ce_free(enc->ids);
	ce_free(enc->lens);
	ce_free(enc->pooled);
	ce_free(enc);
}

int32_t encoder_dim(const struct encoder *enc) { return enc->dim; }
int32_t encoder_max_seq_length(const struct encoder *enc) { return enc->max_len; }
const char *encoder_fingerprint(const struct encoder *enc) { return enc->fingerprint; }
const char *encoder_describe(const struct encoder *enc) { return enc->describe; }

/* ------------------------------------------------------------------------ */
/* embed                                                                    */

struct order_item {
	size_t len;
	int64_t idx;
};

/* Longer first; equal lengths keep input order so the batching is deterministic. */
static int cmp_order(const void *a, const void *b)
{
	const struct order_item *x = a, *y = b;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static enum ce_status embed(struct encoder *enc, const char *const *texts, const size_t *lens, int64_t n, float *out,
			    struct ce_err *err)
{
	CE_CHECK(n >= 0, err, CE_E_INVALID_ARG, "encoder_embed: negative text count %lld", (long long)n);
	if (n == 0)
		return CE_OK;
	CE_CHECK((uint64_t)n <= SIZE_MAX / sizeof(struct order_item), err, CE_E_LIMIT, "encoder_embed: too many texts");
	struct order_item *order = ce_malloc_array((size_t)n, sizeof *order);
	CE_CHECK(order, err, CE_E_NOMEM, "encoder_embed: out of memory for %lld texts", (long long)n);
	for (int64_t i = 0; i < n; i++) {
		order[i].len = !texts[i] ? 0 : lens ? lens[i] : strlen(texts[i]);
		order[i].idx = i;
	}
	qsort(order, (size_t)n, sizeof *order, cmp_order);

	enum ce_status s = CE_OK;
	for (int64_t b0 = 0; b0 < n && s == CE_OK; b0 += enc->batch) {
		int32_t nb = n - b0 < enc->batch ? (int32_t)(n - b0) : enc->batch;
		int32_t off = 0;
		for (int32_t k = 0; k < nb && s == CE_OK; k++) {
			const struct order_item *it = &order[b0 + k];
			const char *t = texts[it->idx] ? texts[it->idx] : "";
			s = tokenizer_encode(enc->tok, t, it->len, enc->max_len, enc->ids + off, &enc->lens[k]);
			if (s != CE_OK)
				ce_err_set(err, s, "encoder_embed: tokenizing text %lld failed: %s", (long long)it->idx,
					   ce_status_str(s));
			off += enc->lens[k];
		}
		if (s != CE_OK)
			break;
		s = bert_forward(enc->bert, enc->ws, enc->ids, enc->lens, nb, enc->cfg.normalize, enc->pooled, err);
		if (s != CE_OK)
			break;
		for (int32_t k = 0; k < nb; k++)
			memcpy(out + (size_t)order[b0 + k].idx * (size_t)enc->dim, enc->pooled + (size_t)k * (size_t)enc->dim,
			       (size_t)enc->dim * sizeof *out);
		if (enc->opt.progress && enc->opt.progress(enc->opt.progress_user, b0 + nb, n))
			s = ce_err_set(err, CE_E_INTERRUPTED, "encoder_embed: stopped by the progress callback after %lld of %lld texts",
				       (long long)(b0 + nb), (long long)n);
	}
	ce_free(order);
	return s;
}

enum ce_status encoder_embed(struct encoder *enc, const char *const *texts, int64_t n, float *out, struct ce_err *err)
{
	return embed(enc, texts, NULL, n, out, err);
}

enum ce_status encoder_embed_len(struct encoder *enc, const char *const *texts, const size_t *lens, int64_t n,
				 float *out, struct ce_err *err)
{
	return embed(enc, texts, lens, n, out, err);
}

enum ce_status encoder_tokenize(struct encoder *enc, const char *text, int32_t *ids, int32_t cap, int32_t *n_ids,
				struct ce_err *err)
{
	*n_ids = 0;
	CE_CHECK(cap >= 2, err, CE_E_INVALID_ARG, "encoder_tokenize: cap %d is below 2 ([CLS] and [SEP])", cap);
	int32_t lim = cap < enc->max_len ? cap : enc->max_len;
	enum ce_status s = tokenizer_encode(enc->tok, text ? text : "", text ? strlen(text) : 0, lim, ids, n_ids);
	if (s != CE_OK)
		return ce_err_set(err, s, "encoder_tokenize: %s", ce_status_str(s));
	return CE_OK;
}
