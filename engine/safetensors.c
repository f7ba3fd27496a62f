/*
 * safetensors.c - validating reader for model.safetensors (see safetensors.h).
 *
 * The checks mirror what huggingface/safetensors (safetensors/src/tensor.rs)
 * enforces when it loads a file: header length within the file and under
 * 100 MB, a JSON object header, known dtypes, data_offsets inside the buffer
 * with end - begin == numel * element size, no overlapping tensors.  We are
 * more lenient in one place: holes between tensors are accepted.
 *
 * What the names mean is not this file's business: the rules that turn a
 * checkpoint's names into the ones a model asks for come from the
 * architecture (struct st_naming, model_arch.h) and are applied as data.
 */
#include "safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ce_alloc.h"
#include "ce_json.h"
#include "model_arch.h"

struct safetensors {
	char *path;
	void *map;            /* mmap of the whole file, or NULL when borrowed */
	size_t map_len;
	const uint8_t *data;  /* data buffer (after header) */
	size_t data_len;
	struct st_tensor *tensors;
	size_t n_tensors;
	const struct st_naming *naming; /* borrowed; NULL = raw names */
};

/* ------------------------------------------------------------------------ */
/* dtypes                                                                   */

struct dtype_info {
	const char *name;
	size_t size; /* bytes per element */
	enum st_dtype dtype;
};

/* Every dtype string the safetensors format defines (safetensors/src/tensor.rs Dtype). */
static const struct dtype_info dtype_table[] = {
	{"F32", 4, ST_DTYPE_F32},    {"F16", 2, ST_DTYPE_F16},    {"BF16", 2, ST_DTYPE_BF16},
	{"I64", 8, ST_DTYPE_I64},    {"BOOL", 1, ST_DTYPE_OTHER}, {"U8", 1, ST_DTYPE_OTHER},
	{"I8", 1, ST_DTYPE_OTHER},   {"I16", 2, ST_DTYPE_OTHER},  {"U16", 2, ST_DTYPE_OTHER},
	{"I32", 4, ST_DTYPE_OTHER},  {"U32", 4, ST_DTYPE_OTHER},  {"F64", 8, ST_DTYPE_OTHER},
	{"U64", 8, ST_DTYPE_OTHER},  {"C64", 8, ST_DTYPE_OTHER},  {"F8_E4M3", 1, ST_DTYPE_OTHER},
	{"F8_E5M2", 1, ST_DTYPE_OTHER}, {"F8_E8M0", 1, ST_DTYPE_OTHER},
};

static const struct dtype_info *dtype_lookup(const char *s)
{
	for (size_t i = 0; i < sizeof dtype_table / sizeof dtype_table[0]; i++)
		if (strcmp(dtype_table[i].name, s) == 0)
			return &dtype_table[i];
	return NULL;
}

float safetensors_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exp = (h >> 10) & 0x1fu;
	uint32_t man = h & 0x3ffu;
	uint32_t bits;
	if (exp == 0x1f) {
		bits = sign | 0x7f800000u | (man << 13); /* inf / nan */
	} else if (exp != 0) {
		bits = sign | ((exp + 112u) << 23) | (man << 13);
	} else if (man == 0) {
		bits = sign;
	} else {
		/* subnormal half: renormalise into a normal float */
		uint32_t e = 113;
		while (!(man & 0x400u)) {
			man <<= 1;
			e--;
		}
		man &= 0x3ffu;
		bits = sign | (e << 23) | (man << 13);
	}
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

float safetensors_bf16_to_f32(uint16_t b)
{
	uint32_t bits = (uint32_t)b << 16;
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}

/* ------------------------------------------------------------------------ */
/* names                                                                    */

static int has_prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* In a NULL-terminated list (NULL list = empty). */
static const char *list_prefix_of(const char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (has_prefix(s, list[i]))
			return list[i];
	return NULL;
}

/* The name a tensor is addressed by under naming (NULL = the raw name), NULL
 * on allocation failure: a leading strip prefix removed, then a final
 * component found in tail_aliases replaced. */
static char *normalise_name(const struct st_naming *naming, const char *raw)
{
	if (!naming)
		return ce_strdup(raw);
	const char *pre = list_prefix_of(naming->strip_prefixes, raw);
	const char *s = pre ? raw + strlen(pre) : raw;
	const char *last = strrchr(s, '.');
	const char *tail = last ? last + 1 : s;
	const char *repl = NULL;
	for (size_t i = 0; naming->tail_aliases && naming->tail_aliases[i] && !repl; i += 2)
		if (strcmp(tail, naming->tail_aliases[i]) == 0)
			repl = naming->tail_aliases[i + 1];
	if (!repl)
		return ce_strdup(s);
	size_t keep = (size_t)(tail - s);
	char *out = ce_malloc(keep + strlen(repl) + 1);
	if (!out)
		return NULL;
	memcpy(out, s, keep);
	strcpy(out + keep, repl);
	return out;
}

static int name_is_ignored(const struct st_naming *naming, const char *norm)
{
	if (!naming)
		return 0;
	if (list_prefix_of(naming->ignored_prefixes, norm))
		return 1;
	for (size_t i = 0; naming->ignored_names && naming->ignored_names[i]; i++)
		if (strcmp(norm, naming->ignored_names[i]) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* header parsing                                                           */

static int cmp_name(const void *a, const void *b)
{
	const struct st_tensor *x = *(const struct st_tensor *const *)a, *y = *(const struct st_tensor *const *)b;
	return strcmp(x->name, y->name);
}

static int cmp_offset(const void *a, const void *b)
{
	const struct st_tensor *x = *(const struct st_tensor *const *)a, *y = *(const struct st_tensor *const *)b;
	if (x->data != y->data)
		return x->data < y->data ? -1 : 1;
	return x->nbytes < y->nbytes ? -1 : x->nbytes > y->nbytes;
}

static enum ce_status parse_tensor(struct safetensors *st, const char *key, json_t *v, struct st_tensor *t,
				   struct ce_err *err)
{
	const char *p = st->path;
	t->raw_name = ce_strdup(key);
	t->name = normalise_name(st->naming, key);
	if (!t->raw_name || !t->name)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", p);
	t->ignored = name_is_ignored(st->naming, t->name);
	CE_CHECK(json_is_object(v), err, CE_E_FORMAT, "%s: header: tensor '%s' is not a JSON object", p, key);

	json_t *jd = json_object_get(v, "dtype");
	json_t *js = json_object_get(v, "shape");
	json_t *jo = json_object_get(v, "data_offsets");
	CE_CHECK(jd && json_is_string(jd), err, CE_E_FORMAT, "%s: header: tensor '%s': missing or non-string \"dtype\"",
		 p, key);
	CE_CHECK(js && json_is_array(js), err, CE_E_FORMAT, "%s: header: tensor '%s': missing or non-array \"shape\"",
		 p, key);
	CE_CHECK(jo && json_is_array(jo) && json_array_size(jo) == 2, err, CE_E_FORMAT,
		 "%s: header: tensor '%s': \"data_offsets\" must be an array [begin, end]", p, key);

	const char *ds = json_string_value(jd);
	const struct dtype_info *di = dtype_lookup(ds);
	CE_CHECK(di, err, CE_E_UNSUPPORTED, "%s: tensor '%s': unknown dtype \"%s\"", p, key, ds);
	CE_CHECK(di->dtype != ST_DTYPE_OTHER || t->ignored, err, CE_E_UNSUPPORTED,
		 "%s: tensor '%s': unsupported dtype %s (need F32, F16, BF16 or I64)", p, key, ds);
	t->dtype = di->dtype;
	t->dtype_str = di->name;

	size_t nd = json_array_size(js);
	CE_CHECK(nd <= SAFETENSORS_NDIM_MAX, err, CE_E_FORMAT, "%s: tensor '%s': %zu dimensions (at most %d supported)",
		 p, key, nd, SAFETENSORS_NDIM_MAX);
	t->ndim = (int32_t)nd;
	uint64_t numel = 1;
	int overflow = 0;
	for (size_t i = 0; i < nd; i++) {
		json_t *d = json_array_get(js, i);
		CE_CHECK(json_is_integer(d) && json_integer_value(d) >= 0, err, CE_E_FORMAT,
			 "%s: tensor '%s': shape[%zu] is not a non-negative integer", p, key, i);
		uint64_t dim = (uint64_t)json_integer_value(d);
		t->shape[i] = (int64_t)dim;
		if (dim != 0 && numel > UINT64_MAX / dim)
			overflow = 1;
		else
			numel *= dim;
	}
	/* A zero dimension makes the product 0 whatever the others are; only a
	 * non-zero product can overflow. */
	for (size_t i = 0; i < nd; i++)
		if (t->shape[i] == 0)
			overflow = 0, numel = 0;
	CE_CHECK(!overflow, err, CE_E_FORMAT, "%s: tensor '%s': shape element count overflows", p, key);
	CE_CHECK(numel <= SIZE_MAX / di->size, err, CE_E_FORMAT, "%s: tensor '%s': shape byte size overflows", p, key);
	t->numel = numel;
	uint64_t want = numel * di->size;

	json_t *jb = json_array_get(jo, 0), *je = json_array_get(jo, 1);
	CE_CHECK(json_is_integer(jb) && json_is_integer(je) && json_integer_value(jb) >= 0 &&
			 json_integer_value(je) >= 0,
		 err, CE_E_FORMAT, "%s: tensor '%s': data_offsets must be non-negative integers", p, key);
	uint64_t b = (uint64_t)json_integer_value(jb), e = (uint64_t)json_integer_value(je);
	CE_CHECK(b <= e, err, CE_E_FORMAT, "%s: tensor '%s': data_offsets [%llu, %llu] has end before begin", p, key,
		 (unsigned long long)b, (unsigned long long)e);
	CE_CHECK(e <= st->data_len, err, CE_E_FORMAT,
		 "%s: tensor '%s': data_offsets [%llu, %llu] past the end of the data buffer (%zu bytes)", p, key,
		 (unsigned long long)b, (unsigned long long)e, st->data_len);
	CE_CHECK(e - b == want, err, CE_E_FORMAT,
		 "%s: tensor '%s': data_offsets [%llu, %llu] hold %llu bytes but shape and dtype %s need %llu", p, key,
		 (unsigned long long)b, (unsigned long long)e, (unsigned long long)(e - b), ds,
		 (unsigned long long)want);
	t->data = st->data + b;
	t->nbytes = (size_t)want;
	return CE_OK;
}

static enum ce_status parse_header(struct safetensors *st, const uint8_t *buf, size_t len, struct ce_err *err)
{
	const char *p = st->path;
	CE_CHECK(len >= 8, err, CE_E_FORMAT, "%s: file too short for a safetensors header (%zu bytes)", p, len);
	uint64_t n = 0;
	for (int i = 7; i >= 0; i--)
		n = (n << 8) | buf[i];
	CE_CHECK(n <= SAFETENSORS_HEADER_MAX, err, CE_E_LIMIT, "%s: header length %llu exceeds the 100 MB limit", p,
		 (unsigned long long)n);
	CE_CHECK(n <= len - 8, err, CE_E_FORMAT, "%s: header length %llu runs past the end of the file (%zu bytes)", p,
		 (unsigned long long)n, len);
	CE_CHECK(n >= 2 && buf[8] == '{', err, CE_E_FORMAT, "%s: header is not a JSON object (must start with '{')", p);
	st->data = buf + 8 + n;
	st->data_len = len - 8 - (size_t)n;

	json_error_t jerr;
	json_t *root = json_loadb((const char *)buf + 8, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return ce_err_set(err, ce_json_status(&jerr), "%s: header JSON: line %d col %d: %s", p, jerr.line,
				  jerr.column, ce_json_text(&jerr));
	enum ce_status s = CE_OK;
	if (!json_is_object(root)) {
		s = ce_err_set(err, CE_E_FORMAT, "%s: header is not a JSON object", p);
		goto out;
	}
	size_t cap = json_object_size(root);
	st->tensors = ce_calloc(cap ? cap : 1, sizeof *st->tensors);
	if (!st->tensors) {
		s = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", p);
		goto out;
	}
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "__metadata__") == 0) {
			if (!json_is_object(v)) {
				s = ce_err_set(err, CE_E_FORMAT, "%s: header: \"__metadata__\" is not an object", p);
				goto out;
			}
			const char *mk;
			json_t *mv;
			json_object_foreach(v, mk, mv)
			{
				if (!json_is_string(mv)) {
					s = ce_err_set(err, CE_E_FORMAT,
						       "%s: header: \"__metadata__\" value of '%s' is not a string", p, mk);
					goto out;
				}
			}
			continue;
		}
		s = parse_tensor(st, key, v, &st->tensors[st->n_tensors++], err);
		if (s != CE_OK)
			goto out;
	}

	if (st->n_tensors > 1) {
		struct st_tensor **idx = ce_malloc_array(st->n_tensors, sizeof *idx);
		if (!idx) {
			s = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", p);
			goto out;
		}
		for (size_t i = 0; i < st->n_tensors; i++)
			idx[i] = &st->tensors[i];
		/* Raw duplicates are rejected by jansson; these are names that
		 * collide after normalisation ("bert.x" and "x"). */
		qsort(idx, st->n_tensors, sizeof *idx, cmp_name);
		for (size_t i = 1; i < st->n_tensors && s == CE_OK; i++)
			if (strcmp(idx[i - 1]->name, idx[i]->name) == 0)
				s = ce_err_set(err, CE_E_FORMAT, "%s: tensors '%s' and '%s' have the same name '%s'", p,
					       idx[i - 1]->raw_name, idx[i]->raw_name, idx[i]->name);
		qsort(idx, st->n_tensors, sizeof *idx, cmp_offset);
		for (size_t i = 1; i < st->n_tensors && s == CE_OK; i++) {
			const struct st_tensor *a = idx[i - 1], *b = idx[i];
			/* Empty tensors occupy no bytes and cannot overlap anything. */
			if (a->nbytes && b->nbytes && b->data < a->data + a->nbytes)
				s = ce_err_set(err, CE_E_FORMAT,
					       "%s: tensors '%s' [%zu, %zu) and '%s' [%zu, %zu) overlap in the data buffer",
					       p, a->raw_name, (size_t)(a->data - st->data),
					       (size_t)(a->data - st->data) + a->nbytes, b->raw_name,
					       (size_t)(b->data - st->data), (size_t)(b->data - st->data) + b->nbytes);
		}
		ce_free(idx);
	}
out:
	json_decref(root);
	return s;
}

/* ------------------------------------------------------------------------ */
/* public API                                                               */

static struct safetensors *st_new(const char *name, const struct st_naming *naming)
{
	struct safetensors *st = ce_calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->naming = naming;
	st->path = ce_strdup(name ? name : "(buffer)");
	if (!st->path) {
		ce_free(st);
		return NULL;
	}
	return st;
}

enum ce_status safetensors_parse_buffer_named(const char *name, const uint8_t *buf, size_t len,
					      const struct st_naming *naming, struct safetensors **out, struct ce_err *err)
{
	*out = NULL;
	struct safetensors *st = st_new(name, naming);
	if (!st)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", name ? name : "(buffer)");
	enum ce_status s = parse_header(st, buf, len, err);
	if (s != CE_OK) {
		safetensors_close(st);
		return s;
	}
	*out = st;
	return CE_OK;
}

enum ce_status safetensors_open_named(const char *path, const struct st_naming *naming, struct safetensors **out,
				      struct ce_err *err)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ce_err_set(err, errno == ENOENT ? CE_E_NOT_FOUND : CE_E_IO, "%s: cannot open: %s", path,
				  strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		int e = errno;
		close(fd);
		return ce_err_set(err, CE_E_IO, "%s: not a readable regular file%s%s", path, e ? ": " : "",
				  e ? strerror(e) : "");
	}
	struct safetensors *st = st_new(path, naming);
	if (!st) {
		close(fd);
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
	}
	size_t len = (size_t)sb.st_size;
	if (len > 0) {
		void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			int e = errno;
			close(fd);
			safetensors_close(st);
			return ce_err_set(err, CE_E_IO, "%s: mmap failed: %s", path, strerror(e));
		}
		st->map = m;
		st->map_len = len;
	}
	close(fd);
	static const uint8_t empty[1];
	enum ce_status s = parse_header(st, st->map ? st->map : empty, len, err);
	if (s != CE_OK) {
		safetensors_close(st);
		return s;
	}
	*out = st;
	return CE_OK;
}

enum ce_status safetensors_open(const char *path, struct safetensors **out, struct ce_err *err)
{
	return safetensors_open_named(path, model_arch_default()->naming, out, err);
}

enum ce_status safetensors_parse_buffer(const char *name, const uint8_t *buf, size_t len, struct safetensors **out,
					struct ce_err *err)
{
	return safetensors_parse_buffer_named(name, buf, len, model_arch_default()->naming, out, err);
}

void safetensors_close(struct safetensors *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_tensors; i++) {
		ce_free((char *)st->tensors[i].name);
		ce_free((char *)st->tensors[i].raw_name);
	}
	/* a tensor whose parse failed half-way may hold names beyond n_tensors-1:
	 * n_tensors was incremented before parsing, so it is counted above. */
	ce_free(st->tensors);
	if (st->map)
		munmap(st->map, st->map_len);
	ce_free(st->path);
	ce_free(st);
}

const char *safetensors_path(const struct safetensors *st) { return st->path; }
size_t safetensors_count(const struct safetensors *st) { return st->n_tensors; }

const struct st_tensor *safetensors_get(const struct safetensors *st, size_t i)
{
	return i < st->n_tensors ? &st->tensors[i] : NULL;
}

const struct st_tensor *safetensors_find(const struct safetensors *st, const char *name)
{
	for (size_t i = 0; i < st->n_tensors; i++)
		if (!st->tensors[i].ignored && strcmp(st->tensors[i].name, name) == 0)
			return &st->tensors[i];
	return NULL;
}

const uint8_t *safetensors_data(const struct safetensors *st, size_t *len)
{
	*len = st->data_len;
	return st->data;
}

enum ce_status safetensors_to_f32(const struct safetensors *st, const struct st_tensor *t, float **out,
				  struct ce_err *err)
{
	*out = NULL;
	if (t->dtype != ST_DTYPE_F32 && t->dtype != ST_DTYPE_F16 && t->dtype != ST_DTYPE_BF16)
		return ce_err_set(err, CE_E_UNSUPPORTED, "%s: tensor '%s': dtype %s cannot be used as float weights",
				  st->path, t->raw_name, t->dtype_str);
	float *f = ce_malloc_array(t->numel ? (size_t)t->numel : 1, sizeof *f);
	if (!f)
		return ce_err_set(err, CE_E_NOMEM, "%s: tensor '%s': out of memory (%llu floats)", st->path, t->raw_name,
				  (unsigned long long)t->numel);
	size_t n = (size_t)t->numel;
	if (t->dtype == ST_DTYPE_F32) {
		memcpy(f, t->data, n * sizeof *f); /* file is little-endian, as is every target we build for */
	} else {
		for (size_t i = 0; i < n; i++) {
			uint16_t h = (uint16_t)(t->data[2 * i] | (t->data[2 * i + 1] << 8));
			f[i] = t->dtype == ST_DTYPE_F16 ? safetensors_f16_to_f32(h) : safetensors_bf16_to_f32(h);
		}
	}
	*out = f;
	return CE_OK;
}
