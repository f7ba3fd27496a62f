/*
 * backend_local.h - the built-in BERT encoder (engine.h) as an embedder
 * (eval/embedder.h): the first backend, and the model for others.
 *
 * backend_local_open opens the model folder and fills the embedder's
 * identity from the encoder (fingerprint, kernels, resolved batch size and
 * threads, ...); `ceval run` and the cache read only that identity.  The
 * embedder's order is the encoder's own batch order (encoder_batch_order).
 *
 * Ownership: backend_local_open returns an object freed by
 * backend_local_close (NULL accepted); the embedder and identity it hands
 * out live as long as it.
 */
#ifndef BACKEND_LOCAL_H
#define BACKEND_LOCAL_H

#include "ce_status.h"
#include "embedder.h"
#include "engine.h"

struct backend_local;

/*
 * The one parser of --precision: "f32" or "bf16" into *out.  Returns 0 for
 * any other name (the caller reports a usage error).
 */
int backend_local_parse_precision(const char *name, enum encoder_precision *out);
/*
 * encoder_options from the command line's values (0 = the engine's default for
 * each); the precision parsed as backend_local_parse_precision.  Returns 0 for
 * an unknown precision name (the caller reports a usage error).
 */
int backend_local_options(struct encoder_options *opt, int batch_size, int threads, int max_length,
			  const char *precision);
/* "f32" / "bf16" (static). */
const char *backend_local_precision_name(enum encoder_precision p);

/*
 * Open the model folder dir with opt (see encoder_open for the errors);
 * name (copied) is the model name the identity carries.
 * phase_fn (may be NULL) receives the evaluators' phase labels with
 * phase_user.  NULL and err filled on failure.
 */
struct backend_local *backend_local_open(const char *dir, const char *name, const struct encoder_options *opt,
					 void (*phase_fn)(void *user, const char *phase), void *phase_user,
					 struct ce_err *err);
void backend_local_close(struct backend_local *b);

/* The embedder (identity filled); valid until backend_local_close. */
struct embedder *backend_local_embedder(struct backend_local *b);

#endif
