/*
 * backend_local.c - the built-in encoder behind struct embedder (see
 * backend_local.h and the backend contract in eval/embedder.h).
 */
#include "backend_local.h"

#include <string.h>

#include "ce_alloc.h"

struct backend_local {
	struct embedder emb;
	struct embedder_identity id;
	struct encoder *enc;
	char *name;
	void (*phase_fn)(void *user, const char *phase);
	void *phase_user;
};

static const char *const precision_names[ENCODER_PRECISION_COUNT] = {
	[ENCODER_PRECISION_F32] = "f32",
	[ENCODER_PRECISION_BF16] = "bf16",
};

int backend_local_parse_precision(const char *name, enum encoder_precision *out)
{
	for (int i = 0; i < ENCODER_PRECISION_COUNT; i++) {
		if (name && strcmp(name, precision_names[i]) == 0) {
			*out = (enum encoder_precision)i;
			return 1;
		}
	}
	return 0;
}

int backend_local_options(struct encoder_options *opt, int batch_size, int threads, int max_length,
			  const char *precision)
{
	encoder_options_init(opt);
	opt->batch_size = batch_size;
	opt->threads = threads;
	opt->max_seq_length = max_length;
	return backend_local_parse_precision(precision, &opt->precision);
}

const char *backend_local_precision_name(enum encoder_precision p)
{
	return (unsigned)p < ENCODER_PRECISION_COUNT ? precision_names[p] : "?";
}

static enum ce_status local_embed(void *self, const char *const *texts, int64_t n, float *out, struct ce_err *err)
{
	struct backend_local *b = self;
	return encoder_embed(b->enc, texts, n, out, err);
}

static enum ce_status local_order(void *self, const char *const *texts, int64_t n, int64_t *order,
				  struct ce_err *err)
{
	struct backend_local *b = self;
	return encoder_batch_order(b->enc, texts, n, order, err);
}

static void local_set_phase(void *self, const char *phase)
{
	struct backend_local *b = self;
	if (b->phase_fn)
		b->phase_fn(b->phase_user, phase);
}

struct backend_local *backend_local_open(const char *dir, const char *name, const struct encoder_options *opt,
					 void (*phase_fn)(void *user, const char *phase), void *phase_user,
					 struct ce_err *err)
{
	struct backend_local *b = ce_calloc(1, sizeof *b);
	if (!b) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
		return NULL;
	}
	b->name = ce_strdup(name);
	if (!b->name) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
		ce_free(b);
		return NULL;
	}
	b->enc = encoder_open(dir, opt, err);
	if (!b->enc) {
		backend_local_close(b);
		return NULL;
	}
	b->phase_fn = phase_fn;
	b->phase_user = phase_user;
	b->id = (struct embedder_identity){
		.backend = "local",
		.name = b->name,
		.describe = encoder_describe(b->enc),
		.dim = encoder_dim(b->enc),
		.fingerprint = encoder_fingerprint(b->enc),
		.precision = backend_local_precision_name(opt ? opt->precision : ENCODER_PRECISION_F32),
		.kernels = encoder_kernels(b->enc),
		.max_length = encoder_max_seq_length(b->enc),
		.batch_size = encoder_batch_size(b->enc),
		.threads = encoder_threads(b->enc),
	};
	b->emb = (struct embedder){local_embed, b, b->id.dim, local_set_phase, &b->id, local_order};
	return b;
}

void backend_local_close(struct backend_local *b)
{
	if (!b)
		return;
	encoder_close(b->enc);
	ce_free(b->name);
	ce_free(b);
}

struct embedder *backend_local_embedder(struct backend_local *b) { return &b->emb; }
