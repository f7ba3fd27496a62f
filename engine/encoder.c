/*
 * encoder.c - engine.h: wires the tokenizer, the model settings and the
 * forward pass together and owns their lifetimes.  It knows them only through
 * their interfaces: the tokenizer table (tok_iface.h) and the architecture
 * table (model_arch.h) that config.json's model_type selects from.
 *
 * encode() follows sentence-transformers' SentenceTransformer.encode (spec
 * encoder.md §3.5): texts are ordered by length (descending), cut into
 * batches, embedded and written back in input order.  With our padding-free
 * forward pass the batching has no numeric effect, so the order only serves
 * to put texts of similar length together.
 *
 * Threads: the encoder owns a pool of `threads` workers, each with its own
 * workspace.  When there are at least two batches, the workers take whole
 * batches (tokenize + forward + copy out) and OpenBLAS runs single-threaded
 * inside each, so the many small GEMMs of a transformer do not pay OpenBLAS's
 * thread wake-up and spinning cost; a batch's numbers then do not depend on
 * which worker ran it, so results are bit-identical for any thread count.
 * With a single batch (or one thread) the calling thread runs it with
 * OpenBLAS using all threads instead (its GEMMs are then the only source of
 * parallelism); that only changes float summation order (~1e-7).
 * Where the linear layers run in ceval's own kernels (bf16, or fp32 on
 * AVX-512F or NEON) a row's result does not depend on its batch, so a job with fewer
 * batches than threads is cut into smaller batches for the pool instead, and
 * results stay bit-identical for any thread count.
 */
#include "engine.h"

#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gemm_bf16.h"
#include "kernels.h"
#include "ce_alloc.h"
#include "ce_hash.h"
#include "fs_util.h"
#include "model_arch.h"
#include "model_config.h"
#include "safetensors.h"
#include "tok_iface.h"

#define ENCODER_DEFAULT_BATCH 32

/* Revision of the engine's arithmetic: bump it with every change that alters
 * the bits of any embedding (summation order, kernels, blocking), so that
 * vectors cached by an older build are not reused (encoder_kernels).
 * 2: block-wise attention on gemm_f32.h's kernels; 3: AVX-512 softmax and
 * LayerNorm sums (two 8-lane accumulators). */
#define ENGINE_ARITH_REV 3

/* Bound on one worker's forward scratch: a batch whose tokens do not fit is
 * run as several consecutive forward calls (a deterministic split that does
 * not depend on the thread count). */
#define ENCODER_WS_BYTES ((int64_t)128 << 20)

struct encoder;

/* One worker: its scratch and, while a job runs, its own error. */
struct enc_worker {
	struct encoder *enc;
	void *ws;          /* the architecture's forward scratch */
	int32_t ws_tokens; /* token budget of ws */
	int32_t *ids;      /* [batch * max_len] packed ids of one batch */
	int32_t *lens;     /* [batch] */
	float *pooled;     /* [batch * dim] */
	pthread_t thread;
	int started;
	struct ce_err err;
};

/* The job the pool is working on (valid while a call to embed runs). */
struct enc_job {
	const char *const *texts;
	const struct order_item *order;
	int64_t n;
	float *out;
	int64_t n_batches;
	int32_t batch;      /* texts per batch (≤ enc->batch) */
	int64_t next;       /* next batch to take */
	int64_t n_done;     /* batches finished, in completion order in done_sz */
	int32_t *done_sz;   /* [n_batches] texts of each finished batch */
	int32_t active;     /* workers still inside the job */
	int stop;           /* failure or interruption: take no more batches */
	enum ce_status status;
	struct ce_err err;  /* first failure */
};

struct encoder {
	struct model_config cfg;
	struct tok *tok;
	void *model; /* made by cfg.arch */
	struct encoder_options opt;
	int32_t batch;   /* texts per forward batch */
	int32_t max_len; /* token limit incl. [CLS]/[SEP] */
	int32_t dim;
	int32_t threads;
	struct enc_worker *workers; /* [threads]; workers[0] also serves the calling thread */
	/* pool (threads > 1) */
	pthread_mutex_t mu;
	pthread_cond_t wake, done;
	int sync_ok;
	uint64_t generation; /* bumped for every job */
	int quit;
	struct enc_job job;
	char fingerprint[17];
	char kernels[48];
	char describe[256];
};

void encoder_options_init(struct encoder_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->precision = ENCODER_PRECISION_F32;
}

/* The fingerprint is common/ce_hash.h's ce_hash64 chained over weights,
 * tokenizer digest, config.json and the pooling/length settings. */
#define FP_SEED 0x165667B19E3779F9ull

/* ------------------------------------------------------------------------ */
/* open / close                                                             */

/* CE_E_FORMAT naming the first used tensor element that is NaN or infinite.
 * Checked at load: the fast exp/softmax kernels clamp a NaN to a finite
 * value, so a NaN weight need not show in the vectors - they would just be
 * silently wrong (issue 21). */
/* Index of the first element of t whose exponent bits are all ones (NaN or
 * infinity), or t->numel; *nan tells which.  Constant-size loads, so the
 * loop stays cheap next to hashing the same bytes. */
static uint64_t first_non_finite(const struct st_tensor *t, int *nan)
{
	const uint8_t *p = t->data;
	if (t->dtype == ST_DTYPE_F32) {
		for (uint64_t k = 0; k < t->numel; k++) {
			uint32_t v;
			memcpy(&v, p + 4 * k, 4); /* little-endian host (x86) */
			if ((v & 0x7f800000u) == 0x7f800000u) {
				*nan = (v & 0x7fffffu) != 0;
				return k;
			}
		}
		return t->numel;
	}
	uint16_t exp = t->dtype == ST_DTYPE_F16 ? 0x7c00u : 0x7f80u, man = t->dtype == ST_DTYPE_F16 ? 0x3ffu : 0x7fu;
	for (uint64_t k = 0; k < t->numel; k++) {
		uint16_t v;
		memcpy(&v, p + 2 * k, 2);
		if ((v & exp) == exp) {
			*nan = (v & man) != 0;
			return k;
		}
	}
	return t->numel;
}

/* CE_E_FORMAT naming the first used tensor element that is NaN or infinite.
 * Checked at load: the fast exp/softmax kernels clamp a NaN to a finite
 * value, so a NaN weight need not show in the vectors - they would just be
 * silently wrong (issue 21). */
static enum ce_status check_weights_finite(const struct safetensors *st, const char *path, struct ce_err *err)
{
	for (size_t i = 0; i < safetensors_count(st); i++) {
		const struct st_tensor *t = safetensors_get(st, i);
		if (t->ignored || (t->dtype != ST_DTYPE_F32 && t->dtype != ST_DTYPE_F16 && t->dtype != ST_DTYPE_BF16))
			continue;
		int nan = 0;
		uint64_t k = first_non_finite(t, &nan);
		if (k < t->numel)
			return ce_err_set(err, CE_E_FORMAT, "%s: tensor %s holds %s at element %llu; the model cannot give "
					  "finite embeddings", path, t->raw_name, nan ? "NaN" : "an infinity",
					  (unsigned long long)k);
	}
	return CE_OK;
}

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
	enum ce_status s = safetensors_open_named(path, enc->cfg.arch->naming, &st, err);
	ce_free(path);
	if (s != CE_OK)
		return s;
	s = check_weights_finite(st, safetensors_path(st), err);
	if (s == CE_OK)
		s = enc->cfg.arch->create(&enc->cfg, st, &enc->model, err);
	if (s == CE_OK) {
		size_t len;
		const uint8_t *data = safetensors_data(st, &len);
		*hash = ce_hash64(data, len, *hash);
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

/* ------------------------------------------------------------------------ */
/* worker pool                                                              */

struct order_item {
	size_t len;
	int64_t idx;
};

static void run_job(struct enc_worker *w);

static void *worker_main(void *arg)
{
	struct enc_worker *w = arg;
	struct encoder *enc = w->enc;
	uint64_t seen = 0;
	pthread_mutex_lock(&enc->mu);
	for (;;) {
		while (!enc->quit && enc->generation == seen)
			pthread_cond_wait(&enc->wake, &enc->mu);
		if (enc->quit)
			break;
		seen = enc->generation;
		pthread_mutex_unlock(&enc->mu);
		run_job(w);
		pthread_mutex_lock(&enc->mu);
		enc->job.active--;
		pthread_cond_broadcast(&enc->done);
	}
	pthread_mutex_unlock(&enc->mu);
	return NULL;
}

static enum ce_status pool_start(struct encoder *enc, const char *dir, struct ce_err *err)
{
	const struct model_arch *a = enc->cfg.arch;
	int64_t per_tok = a->ws_bytes_per_token(&enc->cfg);
	int64_t budget = ENCODER_WS_BYTES / per_tok;
	if (budget < enc->max_len)
		budget = enc->max_len;
	if (budget > (int64_t)enc->batch * enc->max_len)
		budget = (int64_t)enc->batch * enc->max_len;
	enc->workers = ce_calloc((size_t)enc->threads, sizeof *enc->workers);
	CE_CHECK(enc->workers, err, CE_E_NOMEM, "%s: out of memory", dir);
	for (int32_t i = 0; i < enc->threads; i++) {
		struct enc_worker *w = &enc->workers[i];
		w->enc = enc;
		w->ws_tokens = (int32_t)budget;
		CE_TRY(a->ws_create(enc->model, w->ws_tokens, enc->max_len, &w->ws, err));
		w->ids = ce_malloc_array((size_t)enc->batch * (size_t)enc->max_len, sizeof *w->ids);
		w->lens = ce_malloc_array((size_t)enc->batch, sizeof *w->lens);
		w->pooled = ce_malloc_array((size_t)enc->batch * (size_t)enc->dim, sizeof *w->pooled);
		CE_CHECK(w->ids && w->lens && w->pooled, err, CE_E_NOMEM, "%s: out of memory", dir);
	}
	if (enc->threads < 2)
		return CE_OK;
	CE_CHECK(pthread_mutex_init(&enc->mu, NULL) == 0, err, CE_E_NOMEM, "%s: cannot create a mutex", dir);
	if (pthread_cond_init(&enc->wake, NULL) != 0) {
		pthread_mutex_destroy(&enc->mu);
		return ce_err_set(err, CE_E_NOMEM, "%s: cannot create a condition variable", dir);
	}
	if (pthread_cond_init(&enc->done, NULL) != 0) {
		pthread_cond_destroy(&enc->wake);
		pthread_mutex_destroy(&enc->mu);
		return ce_err_set(err, CE_E_NOMEM, "%s: cannot create a condition variable", dir);
	}
	enc->sync_ok = 1;
	for (int32_t i = 0; i < enc->threads; i++) {
		struct enc_worker *w = &enc->workers[i];
		CE_CHECK(pthread_create(&w->thread, NULL, worker_main, w) == 0, err, CE_E_NOMEM,
			 "%s: cannot start compute thread %d of %d", dir, i + 1, enc->threads);
		w->started = 1;
	}
	return CE_OK;
}

static void pool_stop(struct encoder *enc)
{
	if (enc->sync_ok) {
		pthread_mutex_lock(&enc->mu);
		enc->quit = 1;
		pthread_cond_broadcast(&enc->wake);
		pthread_mutex_unlock(&enc->mu);
	}
	for (int32_t i = 0; enc->workers && i < enc->threads; i++) {
		struct enc_worker *w = &enc->workers[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		enc->cfg.arch->ws_free(w->ws);
		ce_free(w->ids);
		ce_free(w->lens);
		ce_free(w->pooled);
	}
	ce_free(enc->workers);
	if (enc->sync_ok) {
		pthread_cond_destroy(&enc->done);
		pthread_cond_destroy(&enc->wake);
		pthread_mutex_destroy(&enc->mu);
	}
}

static enum ce_status encoder_init(struct encoder *enc, const char *dir, struct ce_err *err)
{
	const struct encoder_options *o = &enc->opt;
	CE_CHECK(o->batch_size >= 0 && o->threads >= 0 && o->max_seq_length >= 0, err, CE_E_INVALID_ARG,
		 "encoder options: batch_size, threads and max_seq_length must be >= 0");
	CE_CHECK(o->precision >= 0 && o->precision < ENCODER_PRECISION_COUNT, err, CE_E_INVALID_ARG,
		 "encoder options: unknown precision %d", (int)o->precision);
	CE_TRY(kernels_check(err));
	CE_CHECK(o->precision == ENCODER_PRECISION_F32 || gbf_supported(), err, CE_E_UNSUPPORTED,
		 "%s: bf16 precision needs a CPU with " GBF_CPU_NEEDS " and CEVAL_KERNELS at " GBF_FAMILY " or above "
		 "(kernels in use: %s); use f32",
		 dir, kernels_family_name(kernels_family()));

	CE_TRY(model_config_load_dir(dir, &enc->cfg, err));
	enc->tok = tok_open_dir(dir, err);
	if (!enc->tok)
		return err ? err->code : CE_E_FORMAT;
	CE_CHECK(tok_vocab_size(enc->tok) <= enc->cfg.vocab, err, CE_E_MISMATCH,
		 "%s/%s: %d tokens but config.json vocab_size is %d", dir, tok_kind_of(enc->tok)->vocab_file,
		 tok_vocab_size(enc->tok), enc->cfg.vocab);

	uint64_t h = FP_SEED;
	CE_TRY(open_weights(enc, dir, &h, err));
	if (o->precision == ENCODER_PRECISION_BF16)
		CE_TRY(enc->cfg.arch->use_bf16(enc->model, err));
	enc->dim = enc->cfg.arch->dim(enc->model);

	/* sentence-transformers: max_seq_length from sentence_bert_config.json,
	 * else the tokenizer's limit; never beyond the position table. */
	int32_t lim = enc->cfg.st_max_seq_length > 0 ? enc->cfg.st_max_seq_length : tok_max_length(enc->tok);
	if (lim <= 0 || lim > enc->cfg.max_position)
		lim = enc->cfg.max_position;
	if (o->max_seq_length > 0 && o->max_seq_length < lim)
		lim = o->max_seq_length;
	CE_CHECK(lim >= 2, err, CE_E_INVALID_ARG, "%s: max_seq_length %d leaves no room for [CLS] and [SEP]", dir, lim);
	enc->max_len = lim;

	enc->batch = o->batch_size > 0 ? o->batch_size : ENCODER_DEFAULT_BATCH;
	CE_CHECK((int64_t)enc->batch * enc->max_len <= (1 << 24), err, CE_E_LIMIT,
		 "encoder options: batch_size %d × max_seq_length %d tokens is too large", enc->batch, enc->max_len);
	int32_t threads = o->threads;
	if (threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (int32_t)n : 1;
	}
	enc->threads = threads;
	CE_TRY(pool_start(enc, dir, err));
	/* OpenBLAS's thread count is process-wide; embed() lowers it to 1 while
	 * the pool runs and restores this afterwards. */
	openblas_set_num_threads(threads);

	const char *tfp = tok_fingerprint(enc->tok);
	h = ce_hash64(tfp, strlen(tfp), h);
	/* config.json as bytes: every architecture field (layers, activation,
	 * layer_norm_eps, ...) changes the vectors, so any edit of the file
	 * gives another fingerprint (issue 21: the cache served an edited copy
	 * the old model's vectors). */
	char *cfg_path = fs_join(dir, "config.json"), *cfg_text = NULL;
	size_t cfg_len = 0;
	CE_CHECK(cfg_path, err, CE_E_NOMEM, "%s: out of memory", dir);
	enum ce_status cs = fs_read_file(cfg_path, (size_t)16 << 20, &cfg_text, &cfg_len, err);
	ce_free(cfg_path);
	CE_TRY(cs);
	h = ce_hash64("config.json", 12, h);
	h = ce_hash64(cfg_text, cfg_len, h);
	ce_free(cfg_text);
	int32_t extra[3] = {(int32_t)enc->cfg.pooling, enc->cfg.normalize, enc->max_len};
	h = ce_hash64(extra, sizeof extra, h);
	snprintf(enc->fingerprint, sizeof enc->fingerprint, "%016llx", (unsigned long long)h);

	char pool[96];
	describe_pooling(enc->cfg.pooling, pool, sizeof pool);
	snprintf(enc->describe, sizeof enc->describe, "%s H=%d L=%d heads=%d pooling=%s normalize=%s max_len=%d",
		 enc->cfg.arch->name, enc->cfg.hidden, enc->cfg.layers, enc->cfg.heads, pool,
		 enc->cfg.normalize ? "yes" : "no", enc->max_len);
	snprintf(enc->kernels, sizeof enc->kernels, "r%d-%s", ENGINE_ARITH_REV, enc->cfg.arch->kernels(enc->model));
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
	pool_stop(enc);
	tok_free(enc->tok);
	if (enc->model)
		enc->cfg.arch->free(enc->model);
	ce_free(enc);
}

int32_t encoder_dim(const struct encoder *enc) { return enc->dim; }
int32_t encoder_max_seq_length(const struct encoder *enc) { return enc->max_len; }
const char *encoder_fingerprint(const struct encoder *enc) { return enc->fingerprint; }
const char *encoder_describe(const struct encoder *enc) { return enc->describe; }
const char *encoder_kernels(const struct encoder *enc) { return enc->kernels; }
int32_t encoder_batch_size(const struct encoder *enc) { return enc->batch; }
int32_t encoder_threads(const struct encoder *enc) { return enc->threads; }
int encoder_rows_independent(const struct encoder *enc) { return enc->cfg.arch->rows_independent(enc->model); }

void encoder_times(const struct encoder *enc, double *forward_s, double *matmul_s)
{
	*forward_s = *matmul_s = 0;
	for (int32_t i = 0; enc->workers && i < enc->threads; i++) {
		if (!enc->workers[i].ws)
			continue;
		double f, m;
		enc->cfg.arch->ws_times(enc->workers[i].ws, &f, &m);
		*forward_s += f;
		*matmul_s += m;
	}
}

/* ------------------------------------------------------------------------ */
/* embed                                                                    */

/* Longer first; equal lengths keep input order so the batching is deterministic. */
static int cmp_order(const void *a, const void *b)
{
	const struct order_item *x = a, *y = b;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

enum ce_status encoder_batch_order(const struct encoder *enc, const char *const *texts, int64_t n, int64_t *order,
				   struct ce_err *err)
{
	(void)enc;
	if (n <= 0)
		return CE_OK;
	CE_CHECK((uint64_t)n <= SIZE_MAX / sizeof(struct order_item), err, CE_E_LIMIT, "encoder_batch_order: too many texts");
	struct order_item *it = ce_malloc_array((size_t)n, sizeof *it);
	CE_CHECK(it, err, CE_E_NOMEM, "encoder_batch_order: out of memory for %lld texts", (long long)n);
	for (int64_t i = 0; i < n; i++)
		it[i] = (struct order_item){texts[i] ? strlen(texts[i]) : 0, i};
	qsort(it, (size_t)n, sizeof *it, cmp_order); /* the order embed() uses */
	for (int64_t i = 0; i < n; i++)
		order[i] = it[i].idx;
	ce_free(it);
	return CE_OK;
}

/* Tokenize, forward and write out batch bi of the job with worker w's scratch.
 * Runs without the pool lock: the rows it writes belong to this batch only. */
static enum ce_status run_batch(struct enc_worker *w, const struct enc_job *job, int64_t bi, int32_t *nb_out)
{
	struct encoder *enc = w->enc;
	int64_t b0 = bi * job->batch;
	int32_t nb = job->n - b0 < job->batch ? (int32_t)(job->n - b0) : job->batch;
	*nb_out = nb;
	int32_t off = 0;
	for (int32_t k = 0; k < nb; k++) {
		const struct order_item *it = &job->order[b0 + k];
		const char *t = job->texts[it->idx] ? job->texts[it->idx] : "";
		enum ce_status s = tok_encode(enc->tok, t, it->len, enc->max_len, w->ids + off, &w->lens[k]);
		if (s != CE_OK)
			return ce_err_set(&w->err, s, "encoder_embed: tokenizing text %lld failed: %s", (long long)it->idx,
					  ce_status_str(s));
		off += w->lens[k];
	}
	/* forward as many consecutive sequences as the workspace holds */
	for (int32_t k0 = 0, t0 = 0; k0 < nb;) {
		int32_t k1 = k0, tok = 0;
		while (k1 < nb && (k1 == k0 || tok + w->lens[k1] <= w->ws_tokens))
			tok += w->lens[k1++];
		CE_TRY(enc->cfg.arch->forward(enc->model, w->ws, w->ids + t0, w->lens + k0, k1 - k0, enc->cfg.normalize,
					      w->pooled + (size_t)k0 * (size_t)enc->dim, &w->err));
		t0 += tok;
		k0 = k1;
	}
	for (int32_t k = 0; k < nb; k++)
		memcpy(job->out + (size_t)job->order[b0 + k].idx * (size_t)enc->dim,
		       w->pooled + (size_t)k * (size_t)enc->dim, (size_t)enc->dim * sizeof *job->out);
	return CE_OK;
}

/* A pool worker's share of the job: take batches until none is left. */
static void run_job(struct enc_worker *w)
{
	struct encoder *enc = w->enc;
	struct enc_job *job = &enc->job;
	for (;;) {
		pthread_mutex_lock(&enc->mu);
		if (job->stop || job->next >= job->n_batches) {
			pthread_mutex_unlock(&enc->mu);
			return;
		}
		int64_t bi = job->next++;
		pthread_mutex_unlock(&enc->mu);
		int32_t nb = 0;
		enum ce_status s = run_batch(w, job, bi, &nb);
		pthread_mutex_lock(&enc->mu);
		if (s != CE_OK && !job->stop) {
			job->stop = 1;
			job->status = s;
			job->err = w->err;
		}
		if (s == CE_OK)
			job->done_sz[job->n_done++] = nb;
		pthread_cond_broadcast(&enc->done);
		pthread_mutex_unlock(&enc->mu);
	}
}

static enum ce_status progress_stop(int64_t done, int64_t n, struct ce_err *err)
{
	return ce_err_set(err, CE_E_INTERRUPTED, "encoder_embed: stopped by the progress callback after %lld of %lld texts",
			  (long long)done, (long long)n);
}

/* The calling thread runs every batch itself, OpenBLAS using all threads. */
static enum ce_status embed_serial(struct encoder *enc, struct enc_job *job, struct ce_err *err)
{
	struct enc_worker *w = &enc->workers[0];
	int64_t done = 0;
	/* process-wide: another encoder may have changed it since we opened */
	openblas_set_num_threads(enc->threads);
	for (int64_t bi = 0; bi < job->n_batches; bi++) {
		int32_t nb = 0;
		w->err = (struct ce_err){0};
		enum ce_status s = run_batch(w, job, bi, &nb);
		if (s != CE_OK) {
			if (err)
				*err = w->err;
			return s;
		}
		done += nb;
		if (enc->opt.progress && enc->opt.progress(enc->opt.progress_user, done, job->n))
			return progress_stop(done, job->n, err);
	}
	return CE_OK;
}

/* The pool runs the batches (single-threaded OpenBLAS in each worker); the
 * calling thread reports progress, once per finished batch. */
static enum ce_status embed_pool(struct encoder *enc, struct enc_job *job, struct ce_err *err)
{
	job->done_sz = ce_malloc_array((size_t)job->n_batches, sizeof *job->done_sz);
	CE_CHECK(job->done_sz, err, CE_E_NOMEM, "encoder_embed: out of memory");
	openblas_set_num_threads(1);
	pthread_mutex_lock(&enc->mu);
	enc->job = *job;
	enc->job.active = enc->threads;
	enc->generation++;
	pthread_cond_broadcast(&enc->wake);
	int64_t reported = 0, done = 0;
	enum ce_status s = CE_OK;
	struct enc_job *j = &enc->job;
	for (;;) {
		while (j->active > 0 && reported == j->n_done)
			pthread_cond_wait(&enc->done, &enc->mu);
		if (reported == j->n_done && j->active == 0)
			break;
		int32_t nb = j->done_sz[reported++];
		done += nb;
		if (s == CE_OK && !j->stop && enc->opt.progress) {
			pthread_mutex_unlock(&enc->mu);
			int stop = enc->opt.progress(enc->opt.progress_user, done, j->n);
			pthread_mutex_lock(&enc->mu);
			if (stop) {
				s = progress_stop(done, j->n, err);
				j->stop = 1;
			}
		}
	}
	if (s == CE_OK && j->status != CE_OK) {
		s = j->status;
		if (err)
			*err = j->err;
	}
	ce_free(j->done_sz);
	*j = (struct enc_job){0};
	pthread_mutex_unlock(&enc->mu);
	openblas_set_num_threads(enc->threads);
	return s;
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

	/* When a row's numbers do not depend on the batch it is in (bf16, or fp32
	 * on gemm_f32.h: those kernels sum every output in the same order whatever
	 * the block shape, and attention is per sequence), smaller batches let
	 * every worker take part when there are fewer batches than threads.  On
	 * the OpenBLAS path the batching stays fixed, so that results do not
	 * depend on the thread count. */
	int32_t batch = enc->batch;
	if (enc->cfg.arch->rows_independent(enc->model) && enc->threads > 1 && n < (int64_t)enc->threads * batch)
		batch = (int32_t)((n + enc->threads - 1) / enc->threads);
	struct enc_job job = {
		.texts = texts, .order = order, .n = n, .out = out, .batch = batch, .n_batches = (n + batch - 1) / batch};
	enum ce_status s;
	if (enc->threads > 1 && job.n_batches > 1)
		s = embed_pool(enc, &job, err);
	else
		s = embed_serial(enc, &job, err);
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
	enum ce_status s = tok_encode(enc->tok, text ? text : "", text ? strlen(text) : 0, lim, ids, n_ids);
	if (s != CE_OK)
		return ce_err_set(err, s, "encoder_tokenize: %s", ce_status_str(s));
	return CE_OK;
}
