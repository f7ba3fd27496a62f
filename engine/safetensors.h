/*
 * safetensors.h - read-only access to a Hugging Face model.safetensors file.
 *
 * Layout (huggingface/safetensors README): u64 little-endian header length N,
 * N bytes of JSON object {name: {"dtype", "shape", "data_offsets"}, optional
 * "__metadata__": {str: str}}, then the data buffer the offsets point into.
 * The header is treated as hostile: every field is bounds-checked, ranges may
 * not overlap, names may not repeat (also after the naming below).
 *
 * The reader knows the file format only.  How a checkpoint's names map onto
 * the names a model asks for belongs to the model's architecture, which hands
 * its rules in as data (struct st_naming, e.g. BERT's in bert_arch.c: a
 * leading "bert." stripped, a final "gamma" / "beta" component read as
 * "weight" / "bias", "cls.", "pooler." and "embeddings.position_ids" ignored;
 * spec encoder.md §2.2, §4.4).  Ignored tensors are validated but
 * safetensors_find never returns them, and only they may have a dtype we do
 * not compute with.
 *
 * Ownership: safetensors_open* maps the file (read-only) and owns the mapping;
 * safetensors_parse_buffer* borrows the caller's buffer, which must outlive the
 * object.  Both are freed with safetensors_close (NULL is fine).  Tensor
 * pointers stay valid until then; safetensors_to_f32 returns an owned copy.
 */
#ifndef SAFETENSORS_H
#define SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

/* Hard cap on the JSON header, as the reference reader (100 MB). */
#define SAFETENSORS_HEADER_MAX ((uint64_t)100 * 1000 * 1000)
/* More dimensions than this is not a transformer weight. */
#define SAFETENSORS_NDIM_MAX 8

enum st_dtype {
	ST_DTYPE_F32 = 0,
	ST_DTYPE_F16,
	ST_DTYPE_BF16,
	ST_DTYPE_I64,
	ST_DTYPE_OTHER, /* a valid safetensors dtype we do not compute with (ignored tensors only) */
	ST_DTYPE_COUNT
};

struct st_tensor {
	const char *name;     /* name under the naming given at open (see above) */
	const char *raw_name; /* name as stored in the file */
	enum st_dtype dtype;
	const char *dtype_str; /* "F32", ... as in the file */
	int32_t ndim;
	int64_t shape[SAFETENSORS_NDIM_MAX];
	uint64_t numel;       /* product of shape (1 for a scalar) */
	const uint8_t *data;  /* numel * element size bytes, possibly unaligned */
	size_t nbytes;
	int ignored;          /* ignored by the naming (BERT: cls.*, pooler.*, embeddings.position_ids) */
};

struct safetensors;

/*
 * Name rules of one architecture's checkpoints, applied to every name when a
 * file is opened.  Each list is NULL-terminated; a NULL list is empty.
 */
struct st_naming {
	const char *const *strip_prefixes;   /* a name starting with one of these loses it (first match) */
	const char *const *tail_aliases;     /* pairs "from", "to": a final name component "from" reads as "to" */
	const char *const *ignored_prefixes; /* names (after the above) starting with one of these are ignored */
	const char *const *ignored_names;    /* names (after the above) ignored as a whole */
};

/*
 * Open and validate path, naming its tensors by [in] naming (borrowed, must
 * outlive the object; NULL = names as stored, nothing ignored).  Names that
 * coincide after naming are CE_E_FORMAT.  Errors (message starts with path):
 * CE_E_NOT_FOUND, CE_E_IO, CE_E_FORMAT (bad header/offsets/shapes/duplicates),
 * CE_E_UNSUPPORTED (dtype other than F32/F16/BF16/I64 in a used tensor),
 * CE_E_LIMIT (header over 100 MB), CE_E_NOMEM.
 */
enum ce_status safetensors_open_named(const char *path, const struct st_naming *naming, struct safetensors **out,
				      struct ce_err *err);

/* Same over an in-memory file image [in] buf of len bytes (borrowed); name is used in messages. */
enum ce_status safetensors_parse_buffer_named(const char *name, const uint8_t *buf, size_t len,
					      const struct st_naming *naming, struct safetensors **out,
					      struct ce_err *err);

/*
 * The two above with the naming of the default architecture
 * (model_arch_default(): BERT), for callers that address tensors by
 * BertModel names without going through config.json (tests, fuzzing).
 * The encoder opens a checkpoint with the naming of the architecture its
 * config.json names instead.
 */
enum ce_status safetensors_open(const char *path, struct safetensors **out, struct ce_err *err);
enum ce_status safetensors_parse_buffer(const char *name, const uint8_t *buf, size_t len, struct safetensors **out,
					struct ce_err *err);

void safetensors_close(struct safetensors *st);

/* Path or name given at open. */
const char *safetensors_path(const struct safetensors *st);
/* Number of tensors (ignored ones included) and the i-th in file order of the header. */
size_t safetensors_count(const struct safetensors *st);
const struct st_tensor *safetensors_get(const struct safetensors *st, size_t i);
/* Non-ignored tensor by its name under the naming, or NULL. */
const struct st_tensor *safetensors_find(const struct safetensors *st, const char *name);
/* The whole data buffer (after the header), e.g. for fingerprints. */
const uint8_t *safetensors_data(const struct safetensors *st, size_t *len);

/*
 * Convert a F32/F16/BF16 tensor to a new float array of t->numel values
 * [out] *out (ce_free).  CE_E_UNSUPPORTED for other dtypes, CE_E_NOMEM.
 */
enum ce_status safetensors_to_f32(const struct safetensors *st, const struct st_tensor *t, float **out,
				  struct ce_err *err);

/* Element conversions (exact): IEEE binary16 and bfloat16 to float. */
float safetensors_f16_to_f32(uint16_t h);
float safetensors_bf16_to_f32(uint16_t b);

#endif
