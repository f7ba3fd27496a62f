/*
 * bert.c - fp32 BertModel forward pass (see bert.h).
 *
 * Follows huggingface/transformers modeling_bert.py (post-LN encoder):
 *   x = LN(word[id] + type[0] + pos[t])
 *   per layer: a = LN(Attn(x)·Woᵀ + bo + x); x = LN(act(a·W1ᵀ + b1)·W2ᵀ + b2 + a)
 * with Q, K, V computed by one fused [3H, H] GEMM.  Reductions (LayerNorm
 * moments, softmax sums, pooling sums, norms) accumulate in double, which
 * keeps us within ~1e-7 of an exact computation; the reference's own float
 * rounding is of that order too.
 */
#include "bert.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ce_alloc.h"
#include "gemm_bf16.h"
#include "gemm_f32.h"
#include "safetensors.h"
#include "vmath.h"

struct bert_layer {
	float *wqkv, *bqkv; /* [3H, H], [3H]: query rows, then key, then value */
	float *wo, *bo;     /* [H, H], [H] attention.output.dense */
	float *ln1_g, *ln1_b;
	float *w1, *b1;     /* [I, H], [I] intermediate.dense */
	float *w2, *b2;     /* [H, I], [H] output.dense */
	float *ln2_g, *ln2_b;
	/* bf16 copies of the four weight matrices (bert_use_bf16); the fp32 ones are then freed */
	struct gbf_packed qkv_h, o_h, w1_h, w2_h;
	/* with gemm_f32.h's kernels: the fp32 matrices repacked (the row-major ones are freed) */
	struct gf32_packed qkv_f, o_f, w1_f, w2_f;
};

struct bert {
	struct model_config cfg;
	float *word, *pos, *type; /* [V, H], [P, H], [TV, H] */
	float *emb_ln_g, *emb_ln_b;
	struct bert_layer *layers;
	int bf16;   /* linear layers run in bf16 (bert_use_bf16) */
	int gf32;   /* gemm_f32.h's kernels (AVX-512F, NEON) run fp32 linear layers (packed at load) and attention,
		     * ATT_BLOCK query rows at a time; else OpenBLAS does both */
};

/* Query rows per attention block: the scores of one block of one head,
 * [ATT_BLOCK, n], are all that is ever materialised (96 KiB at n = 512). */
enum { ATT_BLOCK = 48 };

struct bert_workspace {
	int32_t max_tokens, max_seq;
	float *x;      /* [T, H] hidden state */
	float *qkv;    /* [T, 3H] */
	float *ctx;    /* [T, H] attention context, later the FFN output */
	float *a;      /* [T, H] post-attention state */
	float *inter;  /* [T, I] */
	float *scores; /* one head of one sequence: [max_seq, max_seq], or [ATT_BLOCK, max_seq] (gf32) */
	float *kp, *vp; /* gf32: one head's keys and values packed for gemm_f32.h */
	uint16_t *xh;  /* bf16 mode: [T, max(H, I)] the current GEMM's input rounded to bf16 */
	int64_t forward_ns, matmul_ns; /* bert_workspace_times */
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void bert_workspace_times(const struct bert_workspace *ws, double *forward_s, double *matmul_s)
{
	*forward_s = (double)ws->forward_ns * 1e-9;
	*matmul_s = (double)ws->matmul_ns * 1e-9;
}

/* ------------------------------------------------------------------------ */
/* loading                                                                  */

static void shape_str(char *buf, size_t cap, int32_t nd, const int64_t *dims)
{
	size_t o = 0;
	o += (size_t)snprintf(buf + o, cap - o, "[");
	for (int32_t i = 0; i < nd && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%lld", i ? ", " : "", (long long)dims[i]);
	if (o < cap)
		snprintf(buf + o, cap - o, "]");
}

/* Find name, check its shape is [d0] or [d0, d1] (nd = 1 or 2) and convert it into dst (owned copy when dst_new). */
static enum ce_status load_tensor(const struct safetensors *st, const char *name, int32_t nd, int64_t d0, int64_t d1,
				  float **dst_new, float *dst_into, struct ce_err *err)
{
	int64_t want[2] = {d0, d1};
	char ws[64], hs[128];
	shape_str(ws, sizeof ws, nd, want);
	const struct st_tensor *t = safetensors_find(st, name);
	CE_CHECK(t, err, CE_E_NOT_FOUND, "%s: tensor '%s' is missing (expected shape %s)", safetensors_path(st), name,
		 ws);
	int ok = t->ndim == nd;
	for (int32_t i = 0; ok && i < nd; i++)
		ok = t->shape[i] == want[i];
	if (!ok) {
		shape_str(hs, sizeof hs, t->ndim, t->shape);
		return ce_err_set(err, CE_E_MISMATCH, "%s: tensor '%s' has shape %s but config.json implies %s",
				  safetensors_path(st), t->raw_name, hs, ws);
	}
	float *f;
	CE_TRY(safetensors_to_f32(st, t, &f, err));
	if (dst_new) {
		*dst_new = f;
	} else {
		memcpy(dst_into, f, (size_t)t->numel * sizeof *f);
		ce_free(f);
	}
	return CE_OK;
}

static enum ce_status load_layer(const struct safetensors *st, const struct model_config *c, int32_t li,
				 struct bert_layer *L, struct ce_err *err)
{
	const int64_t H = c->hidden, FF = c->intermediate;
	char n[160];
#define NAME(suffix) (snprintf(n, sizeof n, "encoder.layer.%d.%s", (int)li, suffix), n)
	L->wqkv = ce_malloc_array((size_t)(3 * H * H), sizeof(float));
	L->bqkv = ce_malloc_array((size_t)(3 * H), sizeof(float));
	if (!L->wqkv || !L->bqkv)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", safetensors_path(st));
	static const char *const qkv[3] = {"query", "key", "value"};
	for (int k = 0; k < 3; k++) {
		char s[64];
		snprintf(s, sizeof s, "attention.self.%s.weight", qkv[k]);
		CE_TRY(load_tensor(st, NAME(s), 2, H, H, NULL, L->wqkv + (size_t)k * (size_t)(H * H), err));
		snprintf(s, sizeof s, "attention.self.%s.bias", qkv[k]);
		CE_TRY(load_tensor(st, NAME(s), 1, H, 0, NULL, L->bqkv + (size_t)k * (size_t)H, err));
	}
	CE_TRY(load_tensor(st, NAME("attention.output.dense.weight"), 2, H, H, &L->wo, NULL, err));
	CE_TRY(load_tensor(st, NAME("attention.output.dense.bias"), 1, H, 0, &L->bo, NULL, err));
	CE_TRY(load_tensor(st, NAME("attention.output.LayerNorm.weight"), 1, H, 0, &L->ln1_g, NULL, err));
	CE_TRY(load_tensor(st, NAME("attention.output.LayerNorm.bias"), 1, H, 0, &L->ln1_b, NULL, err));
	CE_TRY(load_tensor(st, NAME("intermediate.dense.weight"), 2, FF, H, &L->w1, NULL, err));
	CE_TRY(load_tensor(st, NAME("intermediate.dense.bias"), 1, FF, 0, &L->b1, NULL, err));
	CE_TRY(load_tensor(st, NAME("output.dense.weight"), 2, H, FF, &L->w2, NULL, err));
	CE_TRY(load_tensor(st, NAME("output.dense.bias"), 1, H, 0, &L->b2, NULL, err));
	CE_TRY(load_tensor(st, NAME("output.LayerNorm.weight"), 1, H, 0, &L->ln2_g, NULL, err));
	CE_TRY(load_tensor(st, NAME("output.LayerNorm.bias"), 1, H, 0, &L->ln2_b, NULL, err));
#undef NAME
	return CE_OK;
}

static enum ce_status load_all(struct bert *b, const struct safetensors *st, struct ce_err *err)
{
	const struct model_config *c = &b->cfg;
	const int64_t H = c->hidden;
	CE_TRY(load_tensor(st, "embeddings.word_embeddings.weight", 2, c->vocab, H, &b->word, NULL, err));
	CE_TRY(load_tensor(st, "embeddings.position_embeddings.weight", 2, c->max_position, H, &b->pos, NULL, err));
	CE_TRY(load_tensor(st, "embeddings.token_type_embeddings.weight", 2, c->type_vocab, H, &b->type, NULL, err));
	CE_TRY(load_tensor(st, "embeddings.LayerNorm.weight", 1, H, 0, &b->emb_ln_g, NULL, err));
	CE_TRY(load_tensor(st, "embeddings.LayerNorm.bias", 1, H, 0, &b->emb_ln_b, NULL, err));
	b->layers = ce_calloc((size_t)c->layers, sizeof *b->layers);
	if (!b->layers)
		return ce_err_set(err, CE_E_NOMEM, "%s: out of memory", safetensors_path(st));
	for (int32_t i = 0; i < c->layers; i++)
		CE_TRY(load_layer(st, c, i, &b->layers[i], err));
	return CE_OK;
}

/* Repack the four matrices of every layer for gemm_f32.h and drop the row-major copies. */
static enum ce_status pack_f32(struct bert *b, struct ce_err *err)
{
	const struct model_config *c = &b->cfg;
	const int32_t H = c->hidden, FF = c->intermediate;
	for (int32_t i = 0; i < c->layers; i++) {
		struct bert_layer *L = &b->layers[i];
		CE_TRY(gf32_pack(L->wqkv, 3 * H, H, &L->qkv_f, err));
		ce_free(L->wqkv);
		L->wqkv = NULL;
		CE_TRY(gf32_pack(L->wo, H, H, &L->o_f, err));
		ce_free(L->wo);
		L->wo = NULL;
		CE_TRY(gf32_pack(L->w1, FF, H, &L->w1_f, err));
		ce_free(L->w1);
		L->w1 = NULL;
		CE_TRY(gf32_pack(L->w2, H, FF, &L->w2_f, err));
		ce_free(L->w2);
		L->w2 = NULL;
	}
	return CE_OK;
}

/* bf16-pack one matrix, from the row-major copy or else from the fp32 panels. */
static enum ce_status pack_bf16_one(const float *w, const struct gf32_packed *pf, int32_t out, int32_t in,
				    struct gbf_packed *dst, struct ce_err *err)
{
	if (w)
		return gbf_pack(w, out, in, dst, err);
	float *tmp = ce_malloc_array((size_t)out * (size_t)in, sizeof *tmp);
	CE_CHECK(tmp, err, CE_E_NOMEM, "bf16 pack: out of memory for [%d, %d]", out, in);
	gf32_unpack(pf, tmp);
	enum ce_status s = gbf_pack(tmp, out, in, dst, err);
	ce_free(tmp);
	return s;
}

enum ce_status bert_create(const struct model_config *cfg, const struct safetensors *st, struct bert **out,
			   struct ce_err *err)
{
	*out = NULL;
	struct bert *b = ce_calloc(1, sizeof *b);
	if (!b)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	b->cfg = *cfg;
	enum ce_status s = load_all(b, st, err);
	b->gf32 = gf32_supported();
	if (s == CE_OK && b->gf32)
		s = pack_f32(b, err);
	if (s != CE_OK) {
		bert_free(b);
		return s;
	}
	*out = b;
	return CE_OK;
}

void bert_free(struct bert *b)
{
	if (!b)
		return;
	if (b->layers) {
		for (int32_t i = 0; i < b->cfg.layers; i++) {
			struct bert_layer *L = &b->layers[i];
			float *p[] = {L->wqkv, L->bqkv, L->wo, L->bo, L->ln1_g, L->ln1_b,
				      L->w1,   L->b1,   L->w2, L->b2, L->ln2_g, L->ln2_b};
			for (size_t k = 0; k < sizeof p / sizeof p[0]; k++)
				ce_free(p[k]);
			gbf_packed_free(&L->qkv_h);
			gbf_packed_free(&L->o_h);
			gbf_packed_free(&L->w1_h);
			gbf_packed_free(&L->w2_h);
			gf32_packed_free(&L->qkv_f);
			gf32_packed_free(&L->o_f);
			gf32_packed_free(&L->w1_f);
			gf32_packed_free(&L->w2_f);
		}
		ce_free(b->layers);
	}
	ce_free(b->word);
	ce_free(b->pos);
	ce_free(b->type);
	ce_free(b->emb_ln_g);
	ce_free(b->emb_ln_b);
	ce_free(b);
}

enum ce_status bert_use_bf16(struct bert *b, struct ce_err *err)
{
	CE_CHECK(gbf_supported(), err, CE_E_UNSUPPORTED,
		 "bf16 precision needs a CPU with %s, which this one lacks; use f32", GBF_CPU_NEEDS);
	if (b->bf16)
		return CE_OK;
	const struct model_config *c = &b->cfg;
	const int32_t H = c->hidden, FF = c->intermediate;
	for (int32_t i = 0; i < c->layers; i++) {
		struct bert_layer *L = &b->layers[i];
		CE_TRY(pack_bf16_one(L->wqkv, &L->qkv_f, 3 * H, H, &L->qkv_h, err));
		CE_TRY(pack_bf16_one(L->wo, &L->o_f, H, H, &L->o_h, err));
		CE_TRY(pack_bf16_one(L->w1, &L->w1_f, FF, H, &L->w1_h, err));
		CE_TRY(pack_bf16_one(L->w2, &L->w2_f, H, FF, &L->w2_h, err));
	}
	for (int32_t i = 0; i < c->layers; i++) { /* only once every pack succeeded: b stays usable in f32 otherwise */
		struct bert_layer *L = &b->layers[i];
		ce_free(L->wqkv);
		ce_free(L->wo);
		ce_free(L->w1);
		ce_free(L->w2);
		L->wqkv = L->wo = L->w1 = L->w2 = NULL;
		gf32_packed_free(&L->qkv_f);
		gf32_packed_free(&L->o_f);
		gf32_packed_free(&L->w1_f);
		gf32_packed_free(&L->w2_f);
	}
	b->bf16 = 1;
	return CE_OK;
}

const struct model_config *bert_config(const struct bert *b) { return &b->cfg; }
int bert_rows_independent(const struct bert *b) { return b->bf16 || b->gf32; }
int32_t bert_dim(const struct bert *b) { return model_config_pooled_dim(&b->cfg); }

const char *bert_kernels(const struct bert *b)
{
	if (b->bf16)
		return gbf_kernel_id();
	if (b->gf32)
		return gf32_kernel_id();
	/* OpenBLAS linear layers (families portable and avx2: wider ones run
	 * gemm_f32.h); the id names the vector-maths path, whose bits differ
	 * (AVX2 keeps the id it always had).  "f32-openblas-neon" was the neon
	 * family's id before it had its own gemm. */
	return strcmp(vm_path_name(), "avx2") == 0 ? "f32-openblas" : "f32-openblas-scalar";
}

/* ------------------------------------------------------------------------ */
/* workspace                                                                */

enum ce_status bert_workspace_create(const struct bert *b, int32_t max_tokens, int32_t max_seq_len,
				     struct bert_workspace **out, struct ce_err *err)
{
	*out = NULL;
	const struct model_config *c = &b->cfg;
	CE_CHECK(max_tokens >= 1 && max_seq_len >= 1 && max_seq_len <= c->max_position, err, CE_E_INVALID_ARG,
		 "bert workspace: bad sizes (max_tokens %d, max_seq_len %d, max_position_embeddings %d)", max_tokens,
		 max_seq_len, c->max_position);
	int64_t widest = 3 * (int64_t)c->hidden > c->intermediate ? 3 * (int64_t)c->hidden : c->intermediate;
	CE_CHECK((int64_t)max_tokens * widest < INT_MAX && (int64_t)max_seq_len * max_seq_len < INT_MAX, err,
		 CE_E_LIMIT, "bert workspace: %d tokens × %lld columns is too large", max_tokens, (long long)widest);
	struct bert_workspace *ws = ce_calloc(1, sizeof *ws);
	if (!ws)
		return ce_err_set(err, CE_E_NOMEM, "bert workspace: out of memory");
	size_t T = (size_t)max_tokens, H = (size_t)c->hidden;
	ws->max_tokens = max_tokens;
	ws->max_seq = max_seq_len;
	ws->x = ce_malloc_aligned_array(T * H, sizeof(float));
	ws->qkv = ce_malloc_aligned_array(T * 3 * H, sizeof(float));
	ws->ctx = ce_malloc_aligned_array(T * H, sizeof(float));
	ws->a = ce_malloc_aligned_array(T * H, sizeof(float));
	ws->inter = ce_malloc_aligned_array(T * (size_t)c->intermediate, sizeof(float));
	const int32_t d = c->hidden / c->heads;
	if (b->gf32) {
		ws->scores = ce_malloc_aligned_array((size_t)ATT_BLOCK * (size_t)max_seq_len, sizeof(float));
		ws->kp = ce_malloc_aligned_array(gf32_packed_floats(max_seq_len, d), sizeof(float));
		ws->vp = ce_malloc_aligned_array(gf32_packed_floats(d, max_seq_len), sizeof(float));
	} else {
		ws->scores = ce_malloc_aligned_array((size_t)max_seq_len * (size_t)max_seq_len, sizeof(float));
	}
	if (b->bf16) {
		int32_t widest_in = c->hidden > c->intermediate ? c->hidden : c->intermediate;
		/* zeroed: the AMX kernel reads (and discards) whole 32-row blocks */
		size_t nxh = (size_t)gbf_rows_alloc(max_tokens) * (size_t)gbf_row_stride(widest_in);
		ws->xh = ce_malloc_aligned_array(nxh, sizeof *ws->xh);
		if (ws->xh)
			memset(ws->xh, 0, nxh * sizeof *ws->xh);
	}
	if (!ws->x || !ws->qkv || !ws->ctx || !ws->a || !ws->inter || !ws->scores || (b->bf16 && !ws->xh) ||
	    (b->gf32 && (!ws->kp || !ws->vp))) {
		bert_workspace_free(ws);
		return ce_err_set(err, CE_E_NOMEM, "bert workspace: out of memory (%d tokens)", max_tokens);
	}
	*out = ws;
	return CE_OK;
}

void bert_workspace_free(struct bert_workspace *ws)
{
	if (!ws)
		return;
	ce_free(ws->x);
	ce_free(ws->qkv);
	ce_free(ws->ctx);
	ce_free(ws->a);
	ce_free(ws->inter);
	ce_free(ws->scores);
	ce_free(ws->kp);
	ce_free(ws->vp);
	ce_free(ws->xh);
	ce_free(ws);
}

/* ------------------------------------------------------------------------ */
/* kernels                                                                  */

/* y[rows, out] = x[rows, in] · Wᵀ (+ bias when not NULL), W stored [out, in]
 * as torch.nn.Linear.  Callers that fuse the bias into the next step pass NULL. */
static void linear(float *y, const float *x, const float *w, const float *bias, int32_t rows, int32_t in, int32_t out)
{
	if (bias)
		for (int32_t r = 0; r < rows; r++)
			memcpy(y + (size_t)r * (size_t)out, bias, (size_t)out * sizeof *y);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, out, in, 1.0f, x, in, w, in, bias ? 1.0f : 0.0f, y,
		    out);
}

/* The same in any mode: OpenBLAS on row-major fp32, gemm_f32.h on packed fp32
 * (AVX-512F), or bf16 (x rounded into the workspace first). */
static void linear_p(const struct bert *b, struct bert_workspace *ws, float *y, const float *x, const float *w,
		     const struct gf32_packed *wf, const struct gbf_packed *wh, const float *bias, int32_t rows,
		     int32_t in, int32_t out)
{
	int64_t t0 = now_ns();
	if (!b->bf16) {
		if (wf->data)
			gf32_linear(y, x, wf, bias, rows);
		else
			linear(y, x, w, bias, rows, in, out);
	} else {
		gbf_convert_rows(ws->xh, x, rows, in);
		gbf_linear(y, ws->xh, wh, bias, rows);
	}
	ws->matmul_ns += now_ns() - t0;
}

/* v = act(v + bias) row-wise over rows x cols. */
static void bias_activate(float *v, const float *bias, int32_t rows, int32_t cols, enum model_act act)
{
	if (act == MODEL_ACT_GELU) { /* transformers "gelu" = torch GELU: exact erf form */
		vm_bias_gelu(v, bias, rows, cols);
		return;
	}
	for (int32_t r = 0; r < rows; r++)
		for (int32_t j = 0; j < cols; j++)
			v[(size_t)r * (size_t)cols + j] += bias[j];
	size_t n = (size_t)rows * (size_t)cols;
	switch (act) {
	case MODEL_ACT_GELU_TANH: /* transformers NewGELUActivation / gelu_pytorch_tanh */
		for (size_t i = 0; i < n; i++) {
			float x = v[i];
			v[i] = 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
		}
		break;
	case MODEL_ACT_RELU:
		for (size_t i = 0; i < n; i++)
			v[i] = v[i] > 0 ? v[i] : 0;
		break;
	default:
		CE_ASSERT(0);
	}
}

/* Row-wise softmax of s[n, n] (max-subtracted, as torch.softmax). */
static void softmax_rows(float *s, int32_t n)
{
	for (int32_t r = 0; r < n; r++)
		vm_softmax_row(s + (size_t)r * (size_t)n, n);
}

/* Self-attention of one sequence of n tokens: qkv rows [n, 3H] → ctx rows [n, H]. */
static void attention(const struct model_config *c, struct bert_workspace *ws, const float *qkv, float *ctx,
		      int32_t n)
{
	float *scores = ws->scores;
	const int32_t H = c->hidden, nh = c->heads, d = H / nh;
	/* transformers scales scores by head_dim^-0.5 (eager and SDPA paths) */
	const float scale = (float)(1.0 / sqrt((double)d));
	for (int32_t h = 0; h < nh; h++) {
		const float *q = qkv + (size_t)h * (size_t)d;
		const float *k = q + H;
		const float *v = q + 2 * (size_t)H;
		int64_t t0 = now_ns();
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, d, scale, q, 3 * H, k, 3 * H, 0.0f, scores,
			    n);
		int64_t t1 = now_ns();
		softmax_rows(scores, n);
		int64_t t2 = now_ns();
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, d, n, 1.0f, scores, n, v, 3 * H, 0.0f,
			    ctx + (size_t)h * (size_t)d, H);
		ws->matmul_ns += (t1 - t0) + (now_ns() - t2);
	}
}

/* The same on gemm_f32.h's kernels, block-wise: per head, keys and values are
 * packed once, then each block of ATT_BLOCK query rows gets its scores
 * [rows, n], softmax and context.  Every score is (q·k summed in increasing
 * k)·scale, as cblas_sgemm with alpha = scale forms it. */
static void attention_blocked(const struct model_config *c, struct bert_workspace *ws, const float *qkv, float *ctx,
			      int32_t n)
{
	const int32_t H = c->hidden, nh = c->heads, d = H / nh;
	const size_t ld = 3 * (size_t)H;
	const float scale = (float)(1.0 / sqrt((double)d));
	for (int32_t h = 0; h < nh; h++) {
		const float *q = qkv + (size_t)h * (size_t)d;
		struct gf32_packed kp, vp;
		gf32_pack_view(q + H, ld, n, d, ws->kp, &kp);         /* W = K: scores = Q·Kᵀ */
		gf32_pack_t_view(q + 2 * (size_t)H, ld, d, n, ws->vp, &vp); /* W = Vᵀ: ctx = P·V */
		for (int32_t r0 = 0; r0 < n; r0 += ATT_BLOCK) {
			int32_t m = n - r0 < ATT_BLOCK ? n - r0 : ATT_BLOCK;
			int64_t t0 = now_ns();
			gf32_gemm(ws->scores, (size_t)n, q + (size_t)r0 * ld, ld, &kp, NULL, m);
			int64_t t1 = now_ns();
			for (int32_t r = 0; r < m; r++) {
				float *row = ws->scores + (size_t)r * (size_t)n;
				vm_scale(row, n, scale); /* vectorised: the baseline build's loop was scalar */
				vm_softmax_row(row, n);
			}
			int64_t t2 = now_ns();
			gf32_gemm(ctx + (size_t)r0 * (size_t)H + (size_t)h * (size_t)d, (size_t)H, ws->scores, (size_t)n,
				  &vp, NULL, m);
			ws->matmul_ns += (t1 - t0) + (now_ns() - t2);
		}
	}
}

/* Pool one sequence's rows x[n, H] into out (concatenated modes, sentence-transformers Pooling). */
static void pool(const struct model_config *c, const float *x, int32_t n, float *out)
{
	const int32_t H = c->hidden;
	for (int m = 0; m < MODEL_POOL_COUNT; m++) {
		unsigned bit = 1u << m;
		if (!(c->pooling & bit))
			continue;
		for (int32_t j = 0; j < H; j++) {
			double acc = 0, wsum = 0;
			float mx = -INFINITY;
			for (int32_t t = 0; t < n; t++) {
				float v = x[(size_t)t * (size_t)H + (size_t)j];
				acc += v * (bit == MODEL_POOL_WEIGHTEDMEAN ? (double)(t + 1) : 1.0);
				wsum += bit == MODEL_POOL_WEIGHTEDMEAN ? (double)(t + 1) : 1.0;
				mx = v > mx ? v : mx;
			}
			float r;
			switch (bit) {
			case MODEL_POOL_CLS:
				r = x[j];
				break;
			case MODEL_POOL_MAX:
				r = mx;
				break;
			case MODEL_POOL_MEAN:
				r = (float)(acc / wsum);
				break;
			case MODEL_POOL_MEAN_SQRT_LEN:
				r = (float)(acc / sqrt(wsum));
				break;
			case MODEL_POOL_WEIGHTEDMEAN:
				r = (float)(acc / wsum);
				break;
			default: /* MODEL_POOL_LASTTOKEN */
				r = x[(size_t)(n - 1) * (size_t)H + (size_t)j];
				break;
			}
			out[j] = r;
		}
		out += H;
	}
}

/* ------------------------------------------------------------------------ */
/* forward                                                                  */

enum ce_status bert_forward(const struct bert *b, struct bert_workspace *ws, const int32_t *ids, const int32_t *lens,
			    int32_t n_seq, int normalize, float *out, struct ce_err *err)
{
	const struct model_config *c = &b->cfg;
	const int32_t H = c->hidden, FF = c->intermediate, D = bert_dim(b);
	int64_t T = 0;
	for (int32_t s = 0; s < n_seq; s++) {
		CE_CHECK(lens[s] >= 1 && lens[s] <= ws->max_seq, err, CE_E_INVALID_ARG,
			 "bert_forward: sequence %d has length %d (allowed 1..%d)", s, lens[s], ws->max_seq);
		T += lens[s];
	}
	CE_CHECK(n_seq >= 0 && T <= ws->max_tokens, err, CE_E_INVALID_ARG,
		 "bert_forward: %lld tokens exceed the workspace (%d)", (long long)T, ws->max_tokens);
	for (int64_t i = 0; i < T; i++)
		CE_CHECK(ids[i] >= 0 && ids[i] < c->vocab, err, CE_E_INVALID_ARG,
			 "bert_forward: token id %d outside the vocabulary (size %d)", ids[i], c->vocab);
	if (T == 0)
		return CE_OK;
	const int32_t rows = (int32_t)T;
	const int64_t t_start = now_ns();

	/* Embeddings: (word + token_type 0) + position, the order of BertEmbeddings.forward. */
	for (int32_t s = 0, r = 0; s < n_seq; s++) {
		for (int32_t t = 0; t < lens[s]; t++, r++) {
			float *x = ws->x + (size_t)r * (size_t)H;
			const float *we = b->word + (size_t)ids[r] * (size_t)H;
			const float *pe = b->pos + (size_t)t * (size_t)H;
			for (int32_t j = 0; j < H; j++)
				x[j] = (we[j] + b->type[j]) + pe[j];
			vm_add_layer_norm(x, NULL, NULL, b->emb_ln_g, b->emb_ln_b, H, c->layer_norm_eps);
		}
	}

	for (int32_t li = 0; li < c->layers; li++) {
		const struct bert_layer *L = &b->layers[li];
		linear_p(b, ws, ws->qkv, ws->x, L->wqkv, &L->qkv_f, &L->qkv_h, L->bqkv, rows, H, 3 * H);
		for (int32_t s = 0, r = 0; s < n_seq; r += lens[s], s++) {
			const float *qkv = ws->qkv + (size_t)r * 3 * (size_t)H;
			float *ctx = ws->ctx + (size_t)r * (size_t)H;
			if (b->gf32)
				attention_blocked(c, ws, qkv, ctx, lens[s]);
			else
				attention(c, ws, qkv, ctx, lens[s]);
		}
		/* bias, residual and LayerNorm in one pass over each row */
		linear_p(b, ws, ws->a, ws->ctx, L->wo, &L->o_f, &L->o_h, NULL, rows, H, H);
		for (int32_t r = 0; r < rows; r++)
			vm_add_layer_norm(ws->a + (size_t)r * (size_t)H, L->bo, ws->x + (size_t)r * (size_t)H, L->ln1_g,
					  L->ln1_b, H, c->layer_norm_eps);
		linear_p(b, ws, ws->inter, ws->a, L->w1, &L->w1_f, &L->w1_h, NULL, rows, H, FF);
		bias_activate(ws->inter, L->b1, rows, FF, c->act);
		linear_p(b, ws, ws->x, ws->inter, L->w2, &L->w2_f, &L->w2_h, NULL, rows, FF, H);
		for (int32_t r = 0; r < rows; r++)
			vm_add_layer_norm(ws->x + (size_t)r * (size_t)H, L->b2, ws->a + (size_t)r * (size_t)H, L->ln2_g,
					  L->ln2_b, H, c->layer_norm_eps);
	}

	for (int32_t s = 0, r = 0; s < n_seq; r += lens[s], s++) {
		float *o = out + (size_t)s * (size_t)D;
		pool(c, ws->x + (size_t)r * (size_t)H, lens[s], o);
		if (normalize) {
			/* torch.nn.functional.normalize: v / max(||v||_2, 1e-12) */
			double ss = 0;
			for (int32_t j = 0; j < D; j++)
				ss += (double)o[j] * o[j];
			float nrm = (float)sqrt(ss);
			float den = nrm > 1e-12f ? nrm : 1e-12f;
			for (int32_t j = 0; j < D; j++)
				o[j] /= den;
		}
	}
	ws->forward_ns += now_ns() - t_start;
	return CE_OK;
}
