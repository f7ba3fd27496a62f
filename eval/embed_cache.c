/*
 * embed_cache.c - on-disk embedding cache (layout in embed_cache.h).
 *
 * Opening reads only each chunk's header and key section into an
 * open-addressing index (key -> chunk, row); vectors are decompressed from a
 * chunk only when a lookup hits it, and its payload hash is checked then.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "ce_alloc.h"
#include "ce_log.h"
#include "embed_cache.h"
#include "fs_util.h"

#define CACHE_MAGIC "CEVEMB01"
#define CACHE_VERSION 1u
#define CACHE_HEADER 64
#define CACHE_KEY_BYTES 16
#define CACHE_CHUNK_MAX (1 << 20) /* rows per chunk file */

/* ---- hashing --------------------------------------------------------------- */

/* A 64-bit hash with xxHash64's primes and murmur3's final avalanche; used
 * for text keys (two seeds -> 128 bits) and for file checksums.  Not for
 * security: it guards against truncation and bit rot, not an adversary. */
#define H_P1 0x9E3779B185EBCA87ull
#define H_P2 0xC2B2AE3D27D4EB4Full
#define H_P3 0x165667B19E3779F9ull

static uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t hash64(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data;
	uint64_t h = seed ^ ((uint64_t)len * H_P3);
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = rotl64(h ^ (w * H_P2), 31) * H_P1;
		p += 8;
		len -= 8;
	}
	while (len--) {
		h ^= (uint64_t)*p++ * H_P3;
		h = rotl64(h, 11) * H_P1;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

struct text_key {
	uint64_t a, b;
};

static struct text_key key_of(const char *text)
{
	size_t len = strlen(text);
	struct text_key k = {hash64(text, len, 0x6365766131ull), hash64(text, len, 0x6365766132ull)};
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

struct chunk {
	char *path;
	int64_t count;
	uint64_t payload_size, payload_hash, raw_size;
	int dead; /* found corrupt: its index entries are misses */
};

struct slot {
	struct text_key key;
	int32_t chunk; /* -1 = empty */
	int32_t row;
};

struct embed_cache {
	char *dir;
	int32_t dim;
	struct chunk *chunks;
	int32_t n_chunks, cap_chunks;
	struct slot *slots;
	size_t n_slots, n_used; /* power of two; load <= 1/2 */
};

static size_t slot_find(const struct embed_cache *c, struct text_key k)
{
	size_t mask = c->n_slots - 1, i = (size_t)k.a & mask;
	while (c->slots[i].chunk >= 0 && (c->slots[i].key.a != k.a || c->slots[i].key.b != k.b))
		i = (i + 1) & mask;
	return i;
}

static enum ce_status index_grow(struct embed_cache *c, struct ce_err *err)
{
	size_t n = c->n_slots ? c->n_slots * 2 : 1024;
	struct slot *old = c->slots, *s = ce_malloc_array(n, sizeof *s);
	if (!s)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory for the cache index", c->dir);
	for (size_t i = 0; i < n; i++)
		s[i].chunk = -1;
	size_t old_n = c->n_slots;
	c->slots = s;
	c->n_slots = n;
	for (size_t i = 0; i < old_n; i++)
		if (old[i].chunk >= 0)
			c->slots[slot_find(c, old[i].key)] = old[i];
	ce_free(old);
	return CE_OK;
}

/* First key wins: a text already indexed (from another chunk) keeps its entry. */
static enum ce_status index_add(struct embed_cache *c, struct text_key k, int32_t chunk, int32_t row,
				struct ce_err *err)
{
	if ((c->n_used + 1) * 2 > c->n_slots)
		CE_TRY(index_grow(c, err));
	size_t i = slot_find(c, k);
	if (c->slots[i].chunk >= 0 && !c->chunks[c->slots[i].chunk].dead)
		return CE_OK;
	if (c->slots[i].chunk < 0)
		c->n_used++;
	c->slots[i] = (struct slot){k, chunk, row};
	return CE_OK;
}

static enum ce_status chunk_add(struct embed_cache *c, const char *path, int64_t count, uint64_t payload_size,
				uint64_t payload_hash, uint64_t raw_size, int32_t *idx, struct ce_err *err)
{
	if (c->n_chunks == c->cap_chunks) {
		int32_t cap = c->cap_chunks ? c->cap_chunks * 2 : 16;
		struct chunk *n = ce_realloc_array(c->chunks, (size_t)cap, sizeof *n);
		if (!n)
			return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", c->dir);
		c->chunks = n;
		c->cap_chunks = cap;
	}
	char *p = ce_strdup(path);
	if (!p)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", c->dir);
	c->chunks[c->n_chunks] = (struct chunk){p, count, payload_size, payload_hash, raw_size, 0};
	*idx = c->n_chunks++;
	return CE_OK;
}

static void chunk_discard(struct embed_cache *c, struct chunk *ch, const char *why)
{
	ce_log(CE_LOG_WARN, "%s: corrupt embedding cache file (%s); discarded, its texts will be encoded again",
	       ch->path, why);
	unlink(ch->path);
	ch->dead = 1;
	(void)c;
}

/* ---- reading chunks ---------------------------------------------------- */

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
 * Validate one chunk's header and keys and index them.  Returns CE_OK also
 * for a broken file (which is warned about and deleted); errors are NOMEM.
 */
static enum ce_status chunk_load_keys(struct embed_cache *c, const char *path, struct ce_err *err)
{
	const char *why = NULL;
	uint8_t h[CACHE_HEADER];
	uint8_t *keys = NULL;
	enum ce_status st = CE_OK;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		why = "cannot be read";
		goto out;
	}
	if ((uint64_t)sb.st_size < CACHE_HEADER || read_exact(fd, h, CACHE_HEADER, 0) != 0) {
		why = "shorter than its header";
		goto out;
	}
	if (memcmp(h, CACHE_MAGIC, 8) != 0) {
		why = "bad magic";
		goto out;
	}
	if (hash64(h, 56, 0) != get_u64(h + 56)) {
		why = "header checksum mismatch";
		goto out;
	}
	uint32_t version = get_u32(h + 8), dim = get_u32(h + 12);
	uint64_t count = get_u64(h + 16), payload = get_u64(h + 24), keys_hash = get_u64(h + 32);
	uint64_t payload_hash = get_u64(h + 40), raw = get_u64(h + 48);
	if (version != CACHE_VERSION || dim != (uint32_t)c->dim) {
		why = "other version or dimension";
		goto out;
	}
	if (count == 0 || count > CACHE_CHUNK_MAX || raw != count * dim * sizeof(float)) {
		why = "impossible row count";
		goto out;
	}
	if (payload > (uint64_t)sb.st_size || (uint64_t)sb.st_size != CACHE_HEADER + count * CACHE_KEY_BYTES + payload) {
		why = "truncated or wrong size";
		goto out;
	}
	keys = ce_malloc((size_t)count * CACHE_KEY_BYTES);
	if (!keys) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	if (read_exact(fd, keys, (size_t)count * CACHE_KEY_BYTES, CACHE_HEADER) != 0) {
		why = "cannot read keys";
		goto out;
	}
	if (hash64(keys, (size_t)count * CACHE_KEY_BYTES, 0) != keys_hash) {
		why = "key checksum mismatch";
		goto out;
	}
	int32_t ci;
	st = chunk_add(c, path, (int64_t)count, payload, payload_hash, raw, &ci, err);
	for (uint64_t r = 0; st == CE_OK && r < count; r++) {
		struct text_key k = {get_u64(keys + r * CACHE_KEY_BYTES), get_u64(keys + r * CACHE_KEY_BYTES + 8)};
		st = index_add(c, k, ci, (int32_t)r, err);
	}
out:
	if (fd >= 0)
		close(fd);
	ce_free(keys);
	if (why && st == CE_OK) {
		struct chunk tmp = {(char *)path, 0, 0, 0, 0, 0};
		chunk_discard(c, &tmp, why);
	}
	return st;
}

/* Decompress a chunk's vectors into *rows (ce_free); NULL + why when broken. */
static float *chunk_read_vectors(const struct chunk *ch, const char **why)
{
	float *rows = NULL;
	void *comp = NULL;
	int fd = open(ch->path, O_RDONLY | O_CLOEXEC);
	*why = NULL;
	if (fd < 0) {
		*why = "vanished or unreadable";
		return NULL;
	}
	comp = ce_malloc(ch->payload_size ? (size_t)ch->payload_size : 1);
	rows = ce_malloc((size_t)ch->raw_size);
	if (!comp || !rows) {
		*why = "out of memory";
		goto fail;
	}
	if (read_exact(fd, comp, (size_t)ch->payload_size, CACHE_HEADER + (off_t)ch->count * CACHE_KEY_BYTES) != 0) {
		*why = "truncated payload";
		goto fail;
	}
	if (hash64(comp, (size_t)ch->payload_size, 0) != ch->payload_hash) {
		*why = "payload checksum mismatch";
		goto fail;
	}
	size_t got = ZSTD_decompress(rows, (size_t)ch->raw_size, comp, (size_t)ch->payload_size);
	if (ZSTD_isError(got) || got != ch->raw_size) {
		*why = "zstd frame does not decode to the recorded size";
		goto fail;
	}
	close(fd);
	ce_free(comp);
	return rows;
fail:
	close(fd);
	ce_free(comp);
	ce_free(rows);
	return NULL;
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

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A temp file "<name>.tmp.<pid>" left by a killed writer; a live writer's is kept. */
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

struct embed_cache *embed_cache_open(const char *root, const struct embed_cache_key *key, struct ce_err *err)
{
	if (!root || !key || !key->fingerprint || !key->precision || key->dim <= 0 || key->max_length <= 0) {
		ce_err_set(err, CE_E_INVALID_ARG, "embedding cache: incomplete model key");
		return NULL;
	}
	for (const char *p = key->fingerprint; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z'))) {
			ce_err_set(err, CE_E_INVALID_ARG, "embedding cache: fingerprint '%s' is not lowercase hex",
				   key->fingerprint);
			return NULL;
		}
	struct embed_cache *c = ce_calloc(1, sizeof *c);
	char name[256];
	snprintf(name, sizeof name, "%.64s-%.8s-L%d-d%d", key->fingerprint, key->precision, key->max_length, key->dim);
	char **names = NULL;
	size_t n_names = 0, cap_names = 0;
	DIR *d = NULL;
	if (!c || !(c->dir = fs_join(root, name))) {
		ce_err_set(err, CE_E_NOMEM, "embedding cache: out of memory");
		goto fail;
	}
	c->dim = key->dim;
	if (fs_mkdir_p(c->dir, err) != CE_OK || index_grow(c, err) != CE_OK)
		goto fail;
	/* a human-readable record of what the folder name stands for */
	char *kp = fs_join(c->dir, "KEY");
	if (!kp) {
		ce_err_set(err, CE_E_NOMEM, "embedding cache: out of memory");
		goto fail;
	}
	if (!fs_is_file(kp)) {
		char txt[512];
		int n = snprintf(txt, sizeof txt, "fingerprint %s\nprecision %s\nmax_length %d\ndim %d\nformat %u\n",
				 key->fingerprint, key->precision, key->max_length, key->dim, CACHE_VERSION);
		struct ce_err e2;
		if (fs_write_atomic(kp, txt, (size_t)n, &e2) != CE_OK) {
			ce_free(kp);
			*err = e2;
			goto fail;
		}
	}
	ce_free(kp);
	d = opendir(c->dir);
	if (!d) {
		ce_err_set(err, CE_E_IO, "%s: cannot list: %s", c->dir, strerror(errno));
		goto fail;
	}
	for (struct dirent *e; (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		if (is_stale_tmp(e->d_name)) {
			char *p = fs_join(c->dir, e->d_name);
			if (p)
				unlink(p);
			ce_free(p);
			continue;
		}
		if (l < 5 || strcmp(e->d_name + l - 4, ".cev") != 0)
			continue;
		if (n_names == cap_names) {
			size_t cap = cap_names ? cap_names * 2 : 64;
			char **nn = ce_realloc_array(names, cap, sizeof *nn);
			if (!nn) {
				ce_err_set(err, CE_E_NOMEM, "embedding cache: out of memory");
				goto fail;
			}
			names = nn;
			cap_names = cap;
		}
		if (!(names[n_names] = fs_join(c->dir, e->d_name))) {
			ce_err_set(err, CE_E_NOMEM, "embedding cache: out of memory");
			goto fail;
		}
		n_names++;
	}
	closedir(d);
	d = NULL;
	/* name order, so which duplicate wins does not depend on readdir */
	if (n_names)
		qsort(names, n_names, sizeof *names, cmp_str);
	for (size_t i = 0; i < n_names; i++)
		if (chunk_load_keys(c, names[i], err) != CE_OK)
			goto fail;
	for (size_t i = 0; i < n_names; i++)
		ce_free(names[i]);
	ce_free(names);
	return c;
fail:
	if (d)
		closedir(d);
	for (size_t i = 0; i < n_names; i++)
		ce_free(names[i]);
	ce_free(names);
	embed_cache_close(c);
	return NULL;
}

void embed_cache_close(struct embed_cache *c)
{
	if (!c)
		return;
	for (int32_t i = 0; i < c->n_chunks; i++)
		ce_free(c->chunks[i].path);
	ce_free(c->chunks);
	ce_free(c->slots);
	ce_free(c->dir);
	ce_free(c);
}

const char *embed_cache_dir(const struct embed_cache *c) { return c->dir; }

int64_t embed_cache_size(const struct embed_cache *c)
{
	int64_t n = 0;
	for (size_t i = 0; i < c->n_slots; i++)
		n += c->slots[i].chunk >= 0 && !c->chunks[c->slots[i].chunk].dead;
	return n;
}

/* ---- lookup / store ---------------------------------------------------- */

struct hit_ref {
	int32_t chunk, row;
	int64_t i; /* row of the caller's output */
};

static int cmp_hit(const void *a, const void *b)
{
	const struct hit_ref *x = a, *y = b;
	if (x->chunk != y->chunk)
		return x->chunk < y->chunk ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

enum ce_status embed_cache_lookup(struct embed_cache *c, const char *const *texts, int64_t n, float *out,
				  uint8_t *hit, int64_t *n_hit, struct ce_err *err)
{
	*n_hit = 0;
	if (n <= 0)
		return CE_OK;
	struct hit_ref *refs = ce_malloc_array((size_t)n, sizeof *refs);
	CE_CHECK(refs, err, CE_E_NOMEM, "embedding cache: out of memory for %lld lookups", (long long)n);
	int64_t m = 0;
	for (int64_t i = 0; i < n; i++) {
		hit[i] = 0;
		size_t s = slot_find(c, key_of(texts[i] ? texts[i] : ""));
		if (c->slots[s].chunk >= 0 && !c->chunks[c->slots[s].chunk].dead)
			refs[m++] = (struct hit_ref){c->slots[s].chunk, c->slots[s].row, i};
	}
	/* one decompression per chunk touched */
	qsort(refs, (size_t)m, sizeof *refs, cmp_hit);
	size_t dim = (size_t)c->dim;
	for (int64_t a = 0, b; a < m; a = b) {
		for (b = a + 1; b < m && refs[b].chunk == refs[a].chunk;)
			b++;
		struct chunk *ch = &c->chunks[refs[a].chunk];
		const char *why = NULL;
		float *rows = chunk_read_vectors(ch, &why);
		if (!rows) {
			if (strcmp(why, "out of memory") == 0) {
				ce_free(refs);
				return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", ch->path);
			}
			chunk_discard(c, ch, why);
			continue;
		}
		for (int64_t k = a; k < b; k++) {
			memcpy(out + (size_t)refs[k].i * dim, rows + (size_t)refs[k].row * dim, dim * sizeof *out);
			hit[refs[k].i] = 1;
			(*n_hit)++;
		}
		ce_free(rows);
	}
	ce_free(refs);
	return CE_OK;
}

enum ce_status embed_cache_store(struct embed_cache *c, const char *const *texts, int64_t n, const float *vecs,
				 struct ce_err *err)
{
	if (n <= 0)
		return CE_OK;
	CE_CHECK(n <= CACHE_CHUNK_MAX, err, CE_E_LIMIT, "embedding cache: %lld rows exceed one chunk", (long long)n);
	size_t raw = (size_t)n * (size_t)c->dim * sizeof(float);
	size_t bound = ZSTD_compressBound(raw);
	size_t keys_bytes = (size_t)n * CACHE_KEY_BYTES;
	uint8_t *buf = ce_malloc(CACHE_HEADER + keys_bytes + bound);
	CE_CHECK(buf, err, CE_E_NOMEM, "embedding cache: out of memory storing %lld vectors", (long long)n);
	uint8_t *keys = buf + CACHE_HEADER;
	for (int64_t i = 0; i < n; i++) {
		struct text_key k = key_of(texts[i] ? texts[i] : "");
		put_u64(keys + (size_t)i * CACHE_KEY_BYTES, k.a);
		put_u64(keys + (size_t)i * CACHE_KEY_BYTES + 8, k.b);
	}
	/* level 3: float mantissas barely compress; speed matters more than size */
	size_t comp = ZSTD_compress(keys + keys_bytes, bound, vecs, raw, 3);
	if (ZSTD_isError(comp)) {
		ce_free(buf);
		return ce_err_set(err, CE_E_INTERNAL, "embedding cache: zstd: %s", ZSTD_getErrorName(comp));
	}
	uint64_t payload_hash = hash64(keys + keys_bytes, comp, 0);
	memcpy(buf, CACHE_MAGIC, 8);
	put_u32(buf + 8, CACHE_VERSION);
	put_u32(buf + 12, (uint32_t)c->dim);
	put_u64(buf + 16, (uint64_t)n);
	put_u64(buf + 24, comp);
	put_u64(buf + 32, hash64(keys, keys_bytes, 0));
	put_u64(buf + 40, payload_hash);
	put_u64(buf + 48, raw);
	put_u64(buf + 56, hash64(buf, 56, 0));
	/* content-addressed name: unique across processes, and idempotent */
	char name[64];
	snprintf(name, sizeof name, "%016llx%016llx.cev", (unsigned long long)hash64(buf, 64, 1),
		 (unsigned long long)payload_hash);
	char *path = fs_join(c->dir, name);
	enum ce_status st = path ? CE_OK : ce_err_set(err, CE_E_NOMEM, "embedding cache: out of memory");
	if (st == CE_OK)
		st = fs_write_atomic(path, buf, CACHE_HEADER + keys_bytes + comp, err);
	int32_t ci = -1;
	if (st == CE_OK)
		st = chunk_add(c, path, n, comp, payload_hash, raw, &ci, err);
	for (int64_t i = 0; st == CE_OK && i < n; i++) {
		struct text_key k = {get_u64(keys + (size_t)i * CACHE_KEY_BYTES),
				     get_u64(keys + (size_t)i * CACHE_KEY_BYTES + 8)};
		st = index_add(c, k, ci, (int32_t)i, err);
	}
	ce_free(path);
	ce_free(buf);
	return st;
}

/* ---- cached embedder --------------------------------------------------- */

struct miss_item {
	size_t len;
	int64_t i;
};

/* Longest first, then input order: the encoder's own batching order, so the
 * chunks it sees hold texts of similar length (little padding work). */
static int cmp_miss(const void *a, const void *b)
{
	const struct miss_item *x = a, *y = b;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
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
	uint8_t *hit = ce_malloc((size_t)n);
	struct miss_item *miss = ce_malloc_array((size_t)n, sizeof *miss);
	int64_t chunk = ce->chunk_texts;
	const char **batch = ce_malloc_array((size_t)chunk, sizeof *batch);
	float *vec = ce_malloc_array((size_t)chunk * dim, sizeof *vec);
	enum ce_status st = CE_OK;
	if (!hit || !miss || !batch || !vec) {
		st = ce_err_set(err, CE_E_NOMEM, "out of memory embedding %lld texts", (long long)n);
		goto out;
	}
	int64_t n_hit = 0, n_miss = 0;
	if ((st = embed_cache_lookup(ce->cache, texts, n, out, hit, &n_hit, err)) != CE_OK)
		goto out;
	ce->n_from_cache += n_hit;
	for (int64_t i = 0; i < n; i++)
		if (!hit[i])
			miss[n_miss++] = (struct miss_item){texts[i] ? strlen(texts[i]) : 0, i};
	qsort(miss, (size_t)n_miss, sizeof *miss, cmp_miss);
	ce->miss_total = n_miss;
	ce->miss_done = 0;
	for (int64_t m0 = 0; m0 < n_miss; m0 += chunk) {
		int64_t nb = n_miss - m0 < chunk ? n_miss - m0 : chunk;
		for (int64_t k = 0; k < nb; k++)
			batch[k] = texts[miss[m0 + k].i];
		if ((st = ce->inner->embed(ce->inner->self, batch, nb, vec, err)) != CE_OK)
			goto out;
		ce->n_encoded += nb;
		ce->miss_done += nb;
		for (int64_t k = 0; k < nb; k++)
			memcpy(out + (size_t)miss[m0 + k].i * dim, vec + (size_t)k * dim, dim * sizeof *out);
		if (!ce->write_failed) {
			struct ce_err e2;
			ce_err_clear(&e2);
			if (embed_cache_store(ce->cache, batch, nb, vec, &e2) != CE_OK) {
				ce->write_failed = 1;
				ce_log(CE_LOG_WARN, "%s; embeddings are no longer cached in this run", e2.msg);
			}
		}
	}
out:
	ce->miss_total = ce->miss_done = 0;
	ce_free(hit);
	ce_free(miss);
	ce_free(batch);
	ce_free(vec);
	return st;
}

void cached_embedder_init(struct cached_embedder *ce, const struct embedder *inner, struct embed_cache *cache,
			  int64_t chunk_texts)
{
	memset(ce, 0, sizeof *ce);
	ce->inner = inner;
	ce->cache = cache;
	ce->chunk_texts = chunk_texts > 0 ? (chunk_texts < CACHE_CHUNK_MAX ? chunk_texts : CACHE_CHUNK_MAX) : 256;
	ce->emb.embed = cached_embed;
	ce->emb.self = ce;
	ce->emb.dim = inner->dim;
	ce->emb.set_phase = cached_set_phase;
}
