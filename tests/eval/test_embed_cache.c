/*
 * test_embed_cache.c - the on-disk embedding cache and the cached embedder:
 * hits return exactly what the wrapped embedder returned, a changed model key
 * never shares vectors, a corrupt or truncated chunk is discarded and
 * recomputed, an interrupted call keeps its finished chunks, and with the
 * real encoder the chunked, cached path is byte-identical to one uncached
 * encoder_embed call.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "ce_alloc.h"
#include "embed_cache.h"
#include "engine.h"
#include "test_util.h"

#define DIM 8

/* The reference embedder: a vector derived from the text's bytes, and a
 * count of what it was asked to encode; stop_after > 0 interrupts. */
struct fake {
	int64_t n_texts, n_calls, stop_after_calls;
};

static enum ce_status fake_embed(void *self, const char *const *texts, int64_t n, float *out, struct ce_err *err)
{
	struct fake *f = self;
	if (f->stop_after_calls > 0 && f->n_calls >= f->stop_after_calls)
		return ce_err_set(err, CE_E_INTERRUPTED, "stopped");
	f->n_calls++;
	f->n_texts += n;
	for (int64_t i = 0; i < n; i++) {
		uint32_t h = 2166136261u;
		for (const char *p = texts[i]; *p; p++)
			h = (h ^ (uint8_t)*p) * 16777619u;
		for (int d = 0; d < DIM; d++)
			out[i * DIM + d] = (float)((h >> (d * 3)) & 0xff) / 7.0f - (float)d;
	}
	return CE_OK;
}

static void fake_reference(const char *const *texts, int64_t n, float *out)
{
	struct fake f = {0};
	assert_int_equal(fake_embed(&f, texts, n, out, NULL), CE_OK);
}

#define N_TEXTS 100
static char text_buf[N_TEXTS][48];
static const char *texts[N_TEXTS];

static void make_texts(void)
{
	for (int i = 0; i < N_TEXTS; i++) {
		/* lengths vary so the length ordering matters; a few repeat a length */
		snprintf(text_buf[i], sizeof text_buf[i], "t%d %.*s", i, i % 23, "abcdefghijklmnopqrstuvwxyz");
		texts[i] = text_buf[i];
	}
}

static struct embed_cache *open_key(const char *root, const char *fp, const char *prec, int32_t maxlen)
{
	struct embedder_identity key = {.fingerprint = fp, .precision = prec, .max_length = maxlen, .dim = DIM,
					.batch_size = 4, .threads = 1};
	struct ce_err err;
	struct embed_cache *c = embed_cache_open(root, &key, &err);
	assert_non_null(c);
	return c;
}

static int count_chunks(const char *dir)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "ls '%s' | grep -c '\\.cev$'", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void embed_via(struct embed_cache *c, struct fake *f, int64_t chunk, float *out, enum ce_status want)
{
	struct embedder inner = {fake_embed, f, DIM, NULL, NULL, NULL};
	struct cached_embedder ce;
	cached_embedder_init(&ce, &inner, c, chunk);
	struct ce_err err;
	ce_err_clear(&err);
	assert_int_equal(ce.emb.embed(ce.emb.self, texts, N_TEXTS, out, &err), want);
}

static void test_miss_then_hit(void **state)
{
	(void)state;
	make_texts();
	char *root = tu_mkdtemp();
	float ref[N_TEXTS * DIM], got[N_TEXTS * DIM];
	fake_reference(texts, N_TEXTS, ref);
	struct embed_cache *c = open_key(root, "00aa11bb22cc33dd", "f32", 512);
	struct fake f = {0};
	embed_via(c, &f, 16, got, CE_OK);
	assert_int_equal(f.n_texts, N_TEXTS);
	assert_memory_equal(got, ref, sizeof ref);
	assert_int_equal(count_chunks(embed_cache_dir(c)), (N_TEXTS + 15) / 16);
	embed_cache_close(c);

	/* a fresh process (re-open): nothing encoded, same bytes */
	c = open_key(root, "00aa11bb22cc33dd", "f32", 512);
	memset(got, 0, sizeof got);
	struct fake f2 = {0};
	embed_via(c, &f2, 16, got, CE_OK);
	assert_int_equal(f2.n_texts, 0);
	assert_memory_equal(got, ref, sizeof ref);

	/* another fingerprint, precision or max length: separate, all misses */
	const struct {
		const char *fp, *prec;
		int32_t maxlen;
	} others[] = {{"00aa11bb22cc33de", "f32", 512}, {"00aa11bb22cc33dd", "bf16", 512}, {"00aa11bb22cc33dd", "f32", 64}};
	for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
		struct embed_cache *o = open_key(root, others[k].fp, others[k].prec, others[k].maxlen);
		assert_string_not_equal(embed_cache_dir(o), embed_cache_dir(c));
		struct fake f3 = {0};
		embed_via(o, &f3, 16, got, CE_OK);
		assert_int_equal(f3.n_texts, N_TEXTS);
		embed_cache_close(o);
	}
	embed_cache_close(c);
	tu_rm_rf(root);
	ce_free(root);
}

/* Damage one chunk file in several ways: each is detected, the file is
 * deleted and re-encoded, and the output still equals the reference. */
static void test_corrupt_chunk(void **state)
{
	(void)state;
	make_texts();
	float ref[N_TEXTS * DIM], got[N_TEXTS * DIM];
	fake_reference(texts, N_TEXTS, ref);
	/* offsets into the file: header magic, header field, a key, the payload end; -1 truncates */
	const long damage[] = {0, 20, 64 + 5, -2, -1};
	for (size_t k = 0; k < sizeof damage / sizeof damage[0]; k++) {
		char *root = tu_mkdtemp();
		struct embed_cache *c = open_key(root, "0123456789abcdef", "f32", 512);
		struct fake f = {0};
		embed_via(c, &f, 25, got, CE_OK);
		char cmd[1024], path[1024] = "";
		snprintf(cmd, sizeof cmd, "ls '%s'/*.cev | head -1", embed_cache_dir(c));
		FILE *p = popen(cmd, "r");
		assert_non_null(fgets(path, sizeof path, p));
		pclose(p);
		path[strcspn(path, "\n")] = 0;
		FILE *fp = fopen(path, "r+b");
		assert_non_null(fp);
		fseek(fp, 0, SEEK_END);
		long size = ftell(fp);
		if (damage[k] == -1) {
			fclose(fp);
			assert_int_equal(truncate(path, size / 2), 0);
		} else {
			long off = damage[k] >= 0 ? damage[k] : size + damage[k];
			fseek(fp, off, SEEK_SET);
			int ch = fgetc(fp);
			fseek(fp, off, SEEK_SET);
			fputc(ch ^ 0x40, fp);
			fclose(fp);
		}
		memset(got, 0, sizeof got);
		struct fake f2 = {0};
		embed_via(c, &f2, 25, got, CE_OK);
		assert_int_equal(f2.n_texts, 25); /* exactly the damaged chunk again */
		assert_memory_equal(got, ref, sizeof ref);
		/* rewritten intact: a third pass encodes nothing */
		struct fake f3 = {0};
		embed_via(c, &f3, 25, got, CE_OK);
		assert_int_equal(f3.n_texts, 0);
		assert_memory_equal(got, ref, sizeof ref);
		embed_cache_close(c);
		tu_rm_rf(root);
		ce_free(root);
	}
}

/* Interrupted after two chunks: those two are kept and reused. */
static void test_interrupt_keeps_chunks(void **state)
{
	(void)state;
	make_texts();
	char *root = tu_mkdtemp();
	float ref[N_TEXTS * DIM], got[N_TEXTS * DIM];
	fake_reference(texts, N_TEXTS, ref);
	struct embed_cache *c = open_key(root, "0123456789abcdef", "f32", 512);
	struct fake f = {0, 0, 2};
	embed_via(c, &f, 20, got, CE_E_INTERRUPTED);
	assert_int_equal(count_chunks(embed_cache_dir(c)), 2);
	struct fake f2 = {0};
	embed_via(c, &f2, 20, got, CE_OK);
	assert_int_equal(f2.n_texts, N_TEXTS - 40);
	assert_memory_equal(got, ref, sizeof ref);
	embed_cache_close(c);
	tu_rm_rf(root);
	ce_free(root);
}

/* The folder disappears under a running cache: vectors are still right,
 * the failure is remembered and storing stops. */
static void test_store_failure(void **state)
{
	(void)state;
	make_texts();
	char *root = tu_mkdtemp();
	float ref[N_TEXTS * DIM], got[N_TEXTS * DIM];
	fake_reference(texts, N_TEXTS, ref);
	struct embed_cache *c = open_key(root, "0123456789abcdef", "f32", 512);
	tu_rm_rf(embed_cache_dir(c));
	struct fake f = {0};
	struct embedder inner = {fake_embed, &f, DIM, NULL, NULL, NULL};
	struct cached_embedder ce;
	cached_embedder_init(&ce, &inner, c, 10);
	struct ce_err err;
	assert_int_equal(ce.emb.embed(ce.emb.self, texts, N_TEXTS, got, &err), CE_OK);
	assert_true(ce.write_failed);
	assert_int_equal(ce.n_encoded, N_TEXTS);
	assert_memory_equal(got, ref, sizeof ref);
	embed_cache_close(c);
	tu_rm_rf(root);
	ce_free(root);

	struct embedder_identity bad = {.fingerprint = "NOT-HEX", .precision = "f32", .max_length = 512, .dim = DIM,
					.batch_size = 4, .threads = 1};
	assert_null(embed_cache_open("/tmp", &bad, &err));
	assert_int_equal(err.code, CE_E_INVALID_ARG);
	struct embedder_identity bad_kernels = bad;
	bad_kernels.fingerprint = "00ff";
	bad_kernels.kernels = "r2/../x";
	assert_null(embed_cache_open("/tmp", &bad_kernels, &err));
	assert_int_equal(err.code, CE_E_INVALID_ARG);
	assert_non_null(strstr(err.msg, "bad kernel id"));
}

/* A backend that processes texts in reverse: the first chunk the cache asks
 * it for is the last `chunk` texts, in reverse (the cache follows the
 * backend's order instead of assuming the local encoder's). */
struct order_probe {
	struct fake f;
	const char *first[8];
	int64_t n_first;
};
static enum ce_status probe_embed(void *self, const char *const *t, int64_t n, float *out, struct ce_err *err)
{
	struct order_probe *p = self;
	if (p->f.n_calls == 0)
		for (int64_t i = 0; i < n && i < 8; i++)
			p->first[p->n_first++] = t[i];
	return fake_embed(&p->f, t, n, out, err);
}
static enum ce_status reverse_order(void *self, const char *const *t, int64_t n, int64_t *order, struct ce_err *err)
{
	(void)self, (void)t, (void)err;
	for (int64_t i = 0; i < n; i++)
		order[i] = n - 1 - i;
	return CE_OK;
}
static void test_backend_order(void **state)
{
	(void)state;
	make_texts();
	char *root = tu_mkdtemp();
	struct embed_cache *c = open_key(root, "0abc", "f32", 512);
	struct embedder_identity id = {.backend = "fake", .fingerprint = "0abc", .precision = "f32", .max_length = 512,
				       .dim = DIM, .batch_size = 4, .threads = 1};
	struct order_probe p = {0};
	struct embedder inner = {probe_embed, &p, DIM, NULL, &id, reverse_order};
	struct cached_embedder ce;
	cached_embedder_init(&ce, &inner, c, 0);
	assert_int_equal(ce.chunk_texts, 32); /* 8 batches of the identity's batch size */
	assert_ptr_equal(ce.emb.id, &id);
	float got[N_TEXTS * DIM], ref[N_TEXTS * DIM];
	struct ce_err err;
	assert_int_equal(ce.emb.embed(ce.emb.self, texts, N_TEXTS, got, &err), CE_OK);
	fake_reference(texts, N_TEXTS, ref);
	assert_memory_equal(got, ref, sizeof ref);
	assert_int_equal(p.n_first, 8);
	for (int i = 0; i < 8; i++)
		assert_ptr_equal(p.first[i], texts[N_TEXTS - 1 - i]);
	embed_cache_close(c);
	tu_rm_rf(root);
	ce_free(root);
}

/* A chunk holding NaN is handed back (the evaluator reports it) but never stored. */
static enum ce_status nan_embed(void *self, const char *const *t, int64_t n, float *out, struct ce_err *err)
{
	CE_TRY(fake_embed(self, t, n, out, err));
	out[0] = NAN;
	return CE_OK;
}
static void test_nan_not_stored(void **state)
{
	(void)state;
	make_texts();
	char *root = tu_mkdtemp();
	struct embed_cache *c = open_key(root, "0abd", "f32", 512);
	struct fake f = {0};
	struct embedder inner = {nan_embed, &f, DIM, NULL, NULL, NULL};
	struct cached_embedder ce;
	cached_embedder_init(&ce, &inner, c, 10);
	float got[N_TEXTS * DIM];
	struct ce_err err;
	assert_int_equal(ce.emb.embed(ce.emb.self, texts, N_TEXTS, got, &err), CE_OK);
	assert_true(isnan(got[0]));
	assert_int_equal(count_chunks(embed_cache_dir(c)), 0);
	embed_cache_close(c);
	tu_rm_rf(root);
	ce_free(root);
}

/* Vectors of another kernel family or arithmetic revision live in another
 * folder: a newer build never reads an older build's vectors. */
static void test_kernels_in_key(void **state)
{
	(void)state;
	char *root = tu_mkdtemp();
	struct ce_err err;
	struct embedder_identity k1 = {.fingerprint = "00ff", .precision = "f32", .max_length = 512, .dim = DIM,
				       .batch_size = 4, .threads = 1, .kernels = "r1-f32-avx512"};
	struct embedder_identity k2 = k1;
	k2.kernels = "r2-f32-avx512";
	struct embed_cache *c1 = embed_cache_open(root, &k1, &err), *c2 = embed_cache_open(root, &k2, &err);
	assert_non_null(c1);
	assert_non_null(c2);
	const char *d1 = embed_cache_dir(c1), *d2 = embed_cache_dir(c2);
	assert_string_not_equal(d1, d2);
	assert_non_null(strstr(d1, "-t1-r1-f32-avx512"));
	assert_non_null(strstr(d2, "-t1-r2-f32-avx512"));
	embed_cache_close(c1);
	embed_cache_close(c2);
	tu_rm_rf(root);
	ce_free(root);
}

/* The real encoder: chunked + cached equals one uncached call, byte for byte. */
static void encoder_glue(void *self, const char *phase) { (void)self, (void)phase; }
static enum ce_status encoder_glue_embed(void *self, const char *const *t, int64_t n, float *out, struct ce_err *err)
{
	return encoder_embed(self, t, n, out, err);
}

static enum ce_status encoder_glue_order(void *self, const char *const *t, int64_t n, int64_t *order,
					 struct ce_err *err)
{
	return encoder_batch_order(self, t, n, order, err);
}

static void test_real_encoder_identical(void **state)
{
	(void)state;
	const char *model = tu_shared("models/ceval-tiny-zh");
	struct encoder_options opt;
	encoder_options_init(&opt);
	opt.batch_size = 8;
	opt.threads = 1;
	struct ce_err err;
	struct encoder *enc = encoder_open(model, &opt, &err);
	if (!enc)
		fail_msg("%s", err.msg);
	enum { N = 70 };
	char buf[N][160];
	const char *t[N];
	for (int i = 0; i < N; i++) {
		snprintf(buf[i], sizeof buf[i], "第%d条：今天的天气%s，我们去公园散步吧%.*s", i, i % 3 ? "很好" : "不错",
			 (i * 7) % 40, "。。。。。。。。。。。。。。。。。。。。。。。。。。。。。。。。。。。。。。。。");
		t[i] = buf[i];
	}
	int32_t dim = encoder_dim(enc);
	float *ref = ce_malloc_array((size_t)N * (size_t)dim, sizeof *ref);
	float *got = ce_malloc_array((size_t)N * (size_t)dim, sizeof *got);
	assert_int_equal(encoder_embed(enc, t, N, ref, &err), CE_OK);
	char *root = tu_mkdtemp();
	struct embedder_identity key = {.backend = "local", .fingerprint = encoder_fingerprint(enc), .precision = "f32",
					.max_length = encoder_max_seq_length(enc), .dim = dim, .batch_size = 8, .threads = 1,
					.kernels = encoder_kernels(enc)};
	struct embed_cache *c = embed_cache_open(root, &key, &err);
	assert_non_null(c);
	struct embedder inner = {encoder_glue_embed, enc, dim, encoder_glue, &key, encoder_glue_order};
	for (int pass = 0; pass < 2; pass++) {
		struct cached_embedder ce;
		cached_embedder_init(&ce, &inner, c, 16); /* two batches per chunk */
		memset(got, 0, sizeof(float) * (size_t)N * (size_t)dim);
		assert_int_equal(ce.emb.embed(ce.emb.self, t, N, got, &err), CE_OK);
		assert_int_equal(ce.n_encoded, pass == 0 ? N : 0);
		assert_int_equal(ce.n_from_cache, pass == 0 ? 0 : N);
		assert_memory_equal(got, ref, sizeof(float) * (size_t)N * (size_t)dim);
	}
	embed_cache_close(c);
	tu_rm_rf(root);
	ce_free(root);
	ce_free(ref);
	ce_free(got);
	encoder_close(enc);
}

/* group_chunks (MPI): one inner call over several missing chunks gives the
 * bits of separate calls and stores the same chunk files.  Real encoder and
 * its length order; two non-adjacent chunks deleted, then refilled by one
 * grouped call; a fresh cache filled grouped is then all hits ungrouped. */
struct counting {
	struct encoder *enc;
	int64_t calls, texts;
};
static enum ce_status counting_embed(void *self, const char *const *t, int64_t n, float *out, struct ce_err *err)
{
	struct counting *k = self;
	k->calls++;
	k->texts += n;
	return encoder_embed(k->enc, t, n, out, err);
}
static enum ce_status counting_order(void *self, const char *const *t, int64_t n, int64_t *order,
				     struct ce_err *err)
{
	struct counting *k = self;
	return encoder_batch_order(k->enc, t, n, order, err);
}
static void test_group_chunks(void **state)
{
	(void)state;
	struct encoder_options opt;
	encoder_options_init(&opt);
	opt.batch_size = 4;
	opt.threads = 1;
	struct ce_err err;
	struct encoder *enc = encoder_open(tu_shared("models/ceval-tiny-zh"), &opt, &err);
	if (!enc)
		fail_msg("%s", err.msg);
	enum { N = 45, CHUNK = 8 }; /* 6 chunks: 5 of 8 texts (2 batches each), the last of 5 */
	char buf[N][120];
	const char *t[N];
	for (int i = 0; i < N; i++) {
		/* lengths repeat, so ties cross chunk boundaries */
		snprintf(buf[i], sizeof buf[i], "第%d句%.*s", i % 10, (i * 5) % 17 * 3, "长长长长长长长长长长长长长长长长长");
		t[i] = buf[i];
	}
	int32_t dim = encoder_dim(enc);
	size_t bytes = sizeof(float) * (size_t)N * (size_t)dim;
	float *ref = ce_malloc(bytes), *got = ce_malloc(bytes);
	assert_non_null(ref);
	assert_non_null(got);
	struct counting k = {enc, 0, 0};
	struct embedder_identity key = {.backend = "local", .fingerprint = encoder_fingerprint(enc), .precision = "f32",
					.max_length = encoder_max_seq_length(enc), .dim = dim, .batch_size = 4, .threads = 1,
					.kernels = encoder_kernels(enc)};
	struct embedder inner = {counting_embed, &k, dim, NULL, &key, counting_order};
	char *root = tu_mkdtemp();
	struct embed_cache *c = embed_cache_open(root, &key, &err);
	assert_non_null(c);
	struct cached_embedder ce;
	cached_embedder_init(&ce, &inner, c, CHUNK);
	assert_int_equal(ce.emb.embed(ce.emb.self, t, N, ref, &err), CE_OK); /* ungrouped: the reference */
	assert_int_equal(k.calls, 6);
	int files = count_chunks(embed_cache_dir(c));
	assert_int_equal(files, 6);

	/* delete the 2nd and 5th chunk of the processing order */
	int64_t order[N];
	assert_int_equal(encoder_batch_order(enc, t, N, order, &err), CE_OK);
	/* chunk files are named by content: wipe the folder, store all but those two */
	tu_rm_rf(embed_cache_dir(c));
	embed_cache_close(c);
	c = embed_cache_open(root, &key, &err);
	assert_non_null(c);
	for (int j = 0; j < 6; j++) {
		if (j == 1 || j == 4)
			continue;
		int64_t c0 = (int64_t)j * CHUNK, nb = N - c0 < CHUNK ? N - c0 : CHUNK;
		const char *ct[CHUNK];
		for (int64_t i = 0; i < nb; i++)
			ct[i] = t[order[c0 + i]];
		float rows[CHUNK * 512];
		assert_true((size_t)dim <= 512);
		for (int64_t i = 0; i < nb; i++)
			memcpy(rows + i * dim, ref + (size_t)order[c0 + i] * (size_t)dim, sizeof(float) * (size_t)dim);
		assert_int_equal(embed_cache_put(c, ct, nb, rows, &err), CE_OK);
	}
	assert_int_equal(count_chunks(embed_cache_dir(c)), 4);
	k.calls = k.texts = 0;
	cached_embedder_init(&ce, &inner, c, CHUNK);
	ce.group_chunks = 3;
	memset(got, 0, bytes);
	assert_int_equal(ce.emb.embed(ce.emb.self, t, N, got, &err), CE_OK);
	assert_int_equal(k.calls, 1);      /* both missing chunks in one call */
	assert_int_equal(k.texts, 2 * CHUNK);
	assert_memory_equal(got, ref, bytes);
	assert_int_equal(count_chunks(embed_cache_dir(c)), 6);

	/* a fresh cache filled with groups of 4 (two calls: 4 + 2 chunks) ... */
	tu_rm_rf(embed_cache_dir(c));
	embed_cache_close(c);
	c = embed_cache_open(root, &key, &err);
	assert_non_null(c);
	k.calls = k.texts = 0;
	cached_embedder_init(&ce, &inner, c, CHUNK);
	ce.group_chunks = 4;
	memset(got, 0, bytes);
	assert_int_equal(ce.emb.embed(ce.emb.self, t, N, got, &err), CE_OK);
	assert_int_equal(k.calls, 2);
	assert_memory_equal(got, ref, bytes);
	/* ... is all hits for an ungrouped run: the same chunk files */
	k.calls = 0;
	cached_embedder_init(&ce, &inner, c, CHUNK);
	memset(got, 0, bytes);
	assert_int_equal(ce.emb.embed(ce.emb.self, t, N, got, &err), CE_OK);
	assert_int_equal(k.calls, 0);
	assert_int_equal(ce.n_from_cache, N);
	assert_memory_equal(got, ref, bytes);
	embed_cache_close(c);
	tu_rm_rf(root);
	ce_free(root);
	ce_free(ref);
	ce_free(got);
	encoder_close(enc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_miss_then_hit),
		cmocka_unit_test(test_corrupt_chunk),
		cmocka_unit_test(test_interrupt_keeps_chunks),
		cmocka_unit_test(test_store_failure),
		cmocka_unit_test(test_real_encoder_identical),
		cmocka_unit_test(test_backend_order),
		cmocka_unit_test(test_nan_not_stored),
		cmocka_unit_test(test_kernels_in_key),
		cmocka_unit_test(test_group_chunks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
