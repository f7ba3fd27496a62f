/*
 * embed_cache.c - on-disk embedding cache (layout and reasons in
 * embed_cache.h).  No index is kept in memory: a chunk's file name is the
 * hash of its text keys, so a lookup is one open().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "ce_alloc.h"
#include "ce_hash.h"
#include "ce_log.h"
#include "embed_cache.h"
#include "fs_util.h"

#define CACHE_MAGIC "CEVEMB01"
#define CACHE_VERSION 1u
#define CACHE_HEADER 64
#define CACHE_KEY_BYTES 16
#define CACHE_CHUNK_MAX (1 << 20) /* rows per chunk file */
#define CACHE_NAME_MAX 64

/* ---- hashing --------------------------------------------------------------- */

/* ce_hash64 for text keys (two seeds -> 128 bits) and for file checksums. */

struct text_key {
	uint64_t a, b;
};

static struct text_key key_of(const char *text)
{
	size_t len = strlen(text);
	struct text_key k = {ce_hash64(text, len, 0x6365766131ull), ce_hash64(text, len, 0x6365766132ull)};
	return k;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}
static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* ---- the cache object --------------------------------------------------- */

struct embed_cache {
	char *dir;
	int32_t dim;
};

static uint8_t *keys_of(const char *const *texts, int64_t n)
{
	uint8_t *keys = ce_malloc_array((size_t)n, CACHE_KEY_BYTES);
	if (!keys)
		return NULL;
	for (int64_t i = 0; i < n; i++) {
		struct text_key k = key_of(texts[i] ? texts[i] : "");
		put_u64(keys + (size_t)i * CACHE_KEY_BYTES, k.a);
		put_u64(keys + (size_t)i * CACHE_KEY_BYTES + 8, k.b);
	}
	return keys;
}

/* <dir>/<128-bit hash of the ordered keys>.cev (ce_free) */
static char *chunk_path(const struct embed_cache *c, const uint8_t *keys, int64_t n)
{
	size_t len = (size_t)n * CACHE_KEY_BYTES;
	char name[CACHE_NAME_MAX];
	snprintf(name, sizeof name, "%016llx%016llx.cev", (unsigned long long)ce_hash64(keys, len, 0x63686b31ull),
		 (unsigned long long)ce_hash64(keys, len, 0x63686b32ull));
	return fs_join(c->dir, name);
}

static void chunk_discard(const char *path, const char *why)
{
	ce_log(CE_LOG_WARN, "%s: corrupt embedding cache file (%s); discarded, its texts will be encoded again", path,
	       why);
	unlink(path);
}

/* ---- reading a chunk ---------------------------------------------------- */

static int read_exact(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t r = pread(fd, p, len, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
		off += r;
	}
	return 0;
}

/*
 * Check and decode the chunk file at path, which must hold exactly the keys
 * `want` (n rows).  Returns NULL with *why set for a broken file, NULL with
 * *why NULL when out of memory.
 */
static const char *chunk_decode(int fd, int32_t dim, const uint8_t *want, int64_t n, float *out, int *oom)
{
	uint8_t h[CACHE_HEADER];
	struct stat sb;
	*oom = 0;
	if (fstat(fd, &sb) != 0)
		return "cannot be read";
	if ((uint64_t)sb.st_size < CACHE_HEADER || read_exact(fd, h, CACHE_HEADER, 0) != 0)
		return "shorter than its header";
	if (memcmp(h, CACHE_MAGIC, 8) != 0)
		return "bad magic";
	if (ce_hash64(h, 56, 0) != get_u64(h + 56))
		return "header checksum mismatch";
	uint32_t version = get_u32(h + 8), fdim = get_u32(h + 12);
	uint64_t count = get_u64(h + 16), payload = get_u64(h + 24), keys_hash = get_u64(h + 32);
	uint64_t payload_hash = get_u64(h + 40), raw = get_u64(h + 48);
	if (version != CACHE_VERSION || fdim != (uint32_t)dim)
		return "other format version or dimension";
	if (count != (uint64_t)n || raw != count * fdim * sizeof(float))
		return "row count differs from its name";
	uint64_t keys_bytes = count * CACHE_KEY_BYTES;
	if (payload > (uint64_t)sb.st_size || (uint64_t)sb.st_size != CACHE_HEADER + keys_bytes + payload)
		return "truncated or wrong size";
	uint8_t *buf = ce_malloc((size_t)(keys_bytes + payload));
	if (!buf) {
		*oom = 1;
		return NULL;
	}
	const char *why = NULL;
	if (read_exact(fd, buf, (size_t)(keys_bytes + payload), CACHE_HEADER) != 0)
		why = "cannot read its body";
	else if (ce_hash64(buf, (size_t)keys_bytes, 0) != keys_hash)
		why = "key checksum mismatch";
	else if (memcmp(buf, want, (size_t)keys_bytes) != 0)
		why = "holds other texts than its name says";
	else if (ce_hash64(buf + keys_bytes, (size_t)payload, 0) != payload_hash)
		why = "payload checksum mismatch";
	else {
		size_t got = ZSTD_decompress(out, (size_t)raw, buf + keys_bytes, (size_t)payload);
		if (ZSTD_isError(got) || got != raw)
			why = "zstd frame does not decode to the recorded size";
	}
	ce_free(buf);
	return why;
}

/* ---- open / close ------------------------------------------------------ */

char *embed_cache_default_root(void)
{
	const char *x = getenv("XDG_CACHE_HOME");
	if (x && *x == '/')
		return fs_join(x, "ceval");
	const char *home = getenv("HOME");
	if (home && *home)
		return fs_join(home, ".cache/ceval");
	return ce_strdup(".ceval-cache");
}

/* A temp file "<name>.cev.tmp.<pid>" left by a killed writer; a live writer's is kept. */
static int is_stale_tmp(const char *name)
{
	const char *t = strstr(name, ".cev.tmp.");
	if (!t)
		return 0;
	char *end = NULL;
	long pid = strtol(t + 9, &end, 10);
	if (!end || *end || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* 1 if s may stand in a cache folder name: min..max characters of [0-9a-z],
 * and '-' when dash. */
static int name_part_ok(const char *s, int dash, size_t min, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'z') || (dash && s[n] == '-')))
			return 0;
	return n >= min && n <= max;
}

struct embed_cache *embed_cache_open(const char *root, const struct embedder_identity *key, struct ce_err *err)
{
	if (!root || !key || !key->fingerprint || !key->precision || key->dim <= 0 || key->max_length <= 0 ||
	    key->batch_size <= 0 || key->threads <= 0) {
		ce_err_set(err, CE_E_INVALID_ARG, "embedding cache: incomplete model key");
		return NULL;
	}
	if (!name_part_ok(key->fingerprint, 0, 0, SIZE_MAX)) {
		ce_err_set(err, CE_E_INVALID_ARG, "embedding cache: fingerprint '%s' is not lowercase hex",
			   key->fingerprint);
		return NULL;
	}
	if (!name_part_ok(key->precision, 0, 1, 16)) {
		ce_err_set(err, CE_E_INVALID_ARG, "embedding cache: unknown precision '%s'", key->precision);
		return NULL;
	}
	if (key->kernels && !name_part_ok(key->kernels, 1, 1, 40)) {
		ce_err_set(err, CE_E_INVALID_ARG, "embedding cache: bad kernel id '%s'", key->kernels);
		return NULL;
	}
	struct embed_cache *c = ce_calloc(1, sizeof *c);
	char name[256];
	snprintf(name, sizeof name, "%.64s-%s-L%d-d%d-b%d-t%d%s%s", key->fingerprint, key->precision, key->max_length,
		 key->dim, key->batch_size, key->threads, key->kernels ? "-" : "", key->kernels ? key->kernels : "");
	char *kp = NULL;
	if (!c || !(c->dir = fs_join(root, name)) || !(kp = fs_join(c->dir, "KEY"))) {
		ce_err_set(err, CE_E_NOMEM, "embedding cache: out of memory");
		goto fail;
	}
	c->dim = key->dim;
	if (fs_mkdir_p(c->dir, err) != CE_OK)
		goto fail;
	/* A human-readable record of what the folder name stands for; writing
	 * it also proves the folder is writable before any encoding starts. */
	if (!fs_is_file(kp)) {
		char txt[512];
		int n = snprintf(txt, sizeof txt,
				 "fingerprint %s\nprecision %s\nmax_length %d\ndim %d\nbatch_size %d\nthreads %d\n"
				 "kernels %s\nformat %u\n",
				 key->fingerprint, key->precision, key->max_length, key->dim, key->batch_size, key->threads,
				 key->kernels ? key->kernels : "any", CACHE_VERSION);
		if (fs_write_atomic(kp, txt, (size_t)n, err) != CE_OK)
			goto fail;
	}
	DIR *d = opendir(c->dir);
	if (!d) {
		ce_err_set(err, CE_E_IO, "%s: cannot list: %s", c->dir, strerror(errno));
		goto fail;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (!is_stale_tmp(e->d_name))
			continue;
		char *p = fs_join(c->dir, e->d_name);
		if (p)
			unlink(p);
		ce_free(p);
	}
	closedir(d);
	ce_free(kp);
	return c;
fail:
	ce_free(kp);
	embed_cache_close(c);
	return NULL;
}

void embed_cache_close(struct embed_cache *c)
{
	if (!c)
		return;
	ce_free(c->dir);
	ce_free(c);
}

const char *embed_cache_dir(const struct embed_cache *c) { return c->dir; }

/* ---- get / put --------------------------------------------------------- */

enum ce_status embed_cache_get(struct embed_cache *c, const char *const *texts, int64_t n, float *out, int *found,
			       struct ce_err *err)
{
	*found = 0;
	if (n <= 0 || n > CACHE_CHUNK_MAX)
		return CE_OK;
	uint8_t *keys = keys_of(texts, n);
	char *path = keys ? chunk_path(c, keys, n) : NULL;
	enum ce_status st = CE_OK;
	if (!path) {
		st = ce_err_set(err, CE_E_NOMEM, "embedding cache: out of memory");
		goto out;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out; /* not cached (or unreadable: encode again) */
	int oom = 0;
	const char *why = chunk_decode(fd, c->dim, keys, n, out, &oom);
	close(fd);
	if (oom)
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
	else if (why)
		chunk_discard(path, why);
	else
		*found = 1;
out:
	ce_free(path);
	ce_free(keys);
	return st;
}

enum ce_status embed_cache_put(struct embed_cache *c, const char *const *texts, int64_t n, const float *vecs,
			       struct ce_err *err)
{
	if (n <= 0)
		return CE_OK;
	CE_CHECK(n <= CACHE_CHUNK_MAX, err, CE_E_LIMIT, "embedding cache: %lld rows exceed one chunk", (long long)n);
	size_t raw = (size_t)n * (size_t)c->dim * sizeof(float);
	size_t bound = ZSTD_compressBound(raw);
	size_t keys_bytes = (size_t)n * CACHE_KEY_BYTES;
	uint8_t *keys = keys_of(texts, n);
	uint8_t *buf = ce_malloc(CACHE_HEADER + keys_bytes + bound);
	char *path = keys ? chunk_path(c, keys, n) : NULL;
	enum ce_status st = CE_OK;
	if (!buf || !path) {
		st = ce_err_set(err, CE_E_NOMEM, "embedding cache: out of memory storing %lld vectors", (long long)n);
		goto out;
	}
	memcpy(buf + CACHE_HEADER, keys, keys_bytes);
	/* level 3: float mantissas barely compress; speed matters more than size */
	size_t comp = ZSTD_compress(buf + CACHE_HEADER + keys_bytes, bound, vecs, raw, 3);
	if (ZSTD_isError(comp)) {
		st = ce_err_set(err, CE_E_INTERNAL, "embedding cache: zstd: %s", ZSTD_getErrorName(comp));
		goto out;
	}
	memcpy(buf, CACHE_MAGIC, 8);
	put_u32(buf + 8, CACHE_VERSION);
	put_u32(buf + 12, (uint32_t)c->dim);
	put_u64(buf + 16, (uint64_t)n);
	put_u64(buf + 24, comp);
	put_u64(buf + 32, ce_hash64(keys, keys_bytes, 0));
	put_u64(buf + 40, ce_hash64(buf + CACHE_HEADER + keys_bytes, comp, 0));
	put_u64(buf + 48, raw);
	put_u64(buf + 56, ce_hash64(buf, 56, 0));
	st = fs_write_atomic(path, buf, CACHE_HEADER + keys_bytes + comp, err);
out:
	ce_free(path);
	ce_free(keys);
	ce_free(buf);
	return st;
}

/* ---- cached embedder --------------------------------------------------- */

/* A chunk with NaN/Inf is an engine failure the evaluator reports; never keep it. */
static int all_finite(const float *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

static void cached_set_phase(void *self, const char *phase)
{
	struct cached_embedder *ce = self;
	if (ce->inner->set_phase)
		ce->inner->set_phase(ce->inner->self, phase);
}

static enum ce_status cached_embed(void *self, const char *const *texts, int64_t n, float *out, struct ce_err *err)
{
	struct cached_embedder *ce = self;
	if (!ce->cache) {
		enum ce_status s = ce->inner->embed(ce->inner->self, texts, n, out, err);
		if (s == CE_OK)
			ce->n_encoded += n;
		return s;
	}
	if (n <= 0)
		return CE_OK;
	size_t dim = (size_t)ce->emb.dim;
	int64_t chunk = ce->chunk_texts;
	int64_t n_chunks = (n + chunk - 1) / chunk;
	int64_t *order = ce_malloc_array((size_t)n, sizeof *order);
	uint8_t *have = ce_calloc((size_t)n_chunks, 1);
	/* one inner call encodes up to `group` missing chunks (cached_embedder_init) */
	int64_t group = ce->group_chunks > 1 ? ce->group_chunks : 1;
	if (group > n_chunks)
		group = n_chunks;
	const char **batch = ce_malloc_array((size_t)(chunk * group), sizeof *batch);
	float *vec = ce_malloc_array((size_t)(chunk * group) * dim, sizeof *vec);
	int64_t *members = ce_malloc_array((size_t)group, sizeof *members);
	enum ce_status st = CE_OK;
	if (!order || !have || !batch || !vec || !members) {
		st = ce_err_set(err, CE_E_NOMEM, "out of memory embedding %lld texts", (long long)n);
		goto out;
	}
	/* the backend's processing order, so that chunks cut from it are batched
	 * as in one uncached call (embedder.h) */
	if (ce->inner->order) {
		if ((st = ce->inner->order(ce->inner->self, texts, n, order, err)) != CE_OK)
			goto out;
	} else {
		for (int64_t i = 0; i < n; i++)
			order[i] = i;
	}
	/* first every cached chunk, so progress counts only the work left */
	int64_t todo = 0;
	for (int64_t c = 0; c < n_chunks; c++) {
		int64_t c0 = c * chunk, nb = n - c0 < chunk ? n - c0 : chunk;
		for (int64_t k = 0; k < nb; k++)
			batch[k] = texts[order[c0 + k]];
		int found = 0;
		if ((st = embed_cache_get(ce->cache, batch, nb, vec, &found, err)) != CE_OK)
			goto out;
		if (!found) {
			todo += nb;
			continue;
		}
		have[c] = 1;
		ce->n_from_cache += nb;
		for (int64_t k = 0; k < nb; k++)
			memcpy(out + (size_t)order[c0 + k] * dim, vec + (size_t)k * dim, dim * sizeof *out);
	}
	ce->miss_total = todo;
	ce->miss_done = 0;
	/* The missing chunks, `group` at a time, in order.  Chunks are runs of
	 * whole batches of the backend's order (longest first, ties in input
	 * order), so the concatenation of any of them in order is already in
	 * that order and one inner call over it makes exactly the batches of
	 * separate calls: the same bits, stored as the same chunk files. */
	for (int64_t c = 0; c < n_chunks;) {
		int64_t m = 0, nt = 0;
		for (; c < n_chunks && m < group; c++) {
			if (have[c])
				continue;
			int64_t c0 = c * chunk, nb = n - c0 < chunk ? n - c0 : chunk;
			for (int64_t k = 0; k < nb; k++)
				batch[nt + k] = texts[order[c0 + k]];
			members[m++] = c;
			nt += nb;
		}
		if (m == 0)
			break;
		if ((st = ce->inner->embed(ce->inner->self, batch, nt, vec, err)) != CE_OK)
			goto out;
		ce->n_encoded += nt;
		ce->miss_done += nt;
		const float *row = vec;
		const char *const *key = batch;
		for (int64_t j = 0; j < m; j++) {
			int64_t c0 = members[j] * chunk, nb = n - c0 < chunk ? n - c0 : chunk;
			for (int64_t k = 0; k < nb; k++)
				memcpy(out + (size_t)order[c0 + k] * dim, row + (size_t)k * dim, dim * sizeof *out);
			if (!ce->write_failed && all_finite(row, (size_t)nb * dim)) {
				struct ce_err e2;
				ce_err_clear(&e2);
				if (embed_cache_put(ce->cache, key, nb, row, &e2) != CE_OK) {
					ce->write_failed = 1;
					ce_log(CE_LOG_WARN, "%s; embeddings are no longer cached in this run", e2.msg);
				}
			}
			row += (size_t)nb * dim;
			key += nb;
		}
	}
out:
	ce->miss_total = ce->miss_done = 0;
	ce_free(order);
	ce_free(have);
	ce_free(batch);
	ce_free(vec);
	ce_free(members);
	return st;
}

void cached_embedder_init(struct cached_embedder *ce, const struct embedder *inner, struct embed_cache *cache,
			  int64_t chunk_texts)
{
	memset(ce, 0, sizeof *ce);
	ce->inner = inner;
	ce->cache = cache;
	if (chunk_texts <= 0)
		chunk_texts = inner->id && inner->id->batch_size > 0 ? (int64_t)inner->id->batch_size * 8 : 256;
	ce->chunk_texts = chunk_texts < CACHE_CHUNK_MAX ? chunk_texts : CACHE_CHUNK_MAX;
	ce->emb.embed = cached_embed;
	ce->emb.self = ce;
	ce->emb.dim = inner->dim;
	ce->emb.set_phase = cached_set_phase;
	ce->emb.id = inner->id;
}
