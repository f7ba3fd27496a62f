/*
 * cmd_encode.c - `ceval tokenize` and `ceval embed`: the encoder's two
 * parity commands (their outputs are compared with Hugging Face's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ce_alloc.h"
#include "ce_log.h"
#include "backend_api.h"
#include "backend_local.h"
#include "cli.h"
#include "engine.h"
#include "fs_util.h"
#include "model_ref.h"
#include "texts_input.h"

/* ---- tokenize ---------------------------------------------------------- */

static struct {
	const char *model, *input, *field;
	int max_length;
} tok_args;

static const struct cli_opt *tokenize_options(void)
{
	static const struct cli_opt opts[] = {
		{"model", 'm', CLI_OPT_STRING, &tok_args.model, "DIR|NAME",
		 "Model folder (only vocab.txt and tokenizer_config.json are needed) or model name.", NULL, 0, 0, 1},
		{"input", 'i', CLI_OPT_STRING, &tok_args.input, "FILE",
		 "JSON-lines file, one object with a string \"text\" per line (.zst accepted; - for stdin).", NULL, 0, 0,
		 1},
		{"field", 0, CLI_OPT_STRING, &tok_args.field, "NAME", "Name of the text member of each input object.",
		 "text", 0, 0, 0},
		{"max-length", 0, CLI_OPT_INT, &tok_args.max_length, "N",
		 "Token limit including [CLS]/[SEP]; 0 = what the model files say "
		 "(sentence_bert_config max_seq_length, else model_max_length, capped by max_position_embeddings).",
		 "0", 0, 1 << 20, 0},
		CLI_OPT_END,
	};
	return opts;
}

static int run_tokenize(const struct cli_command *self, int argc, char **argv)
{
	memset(&tok_args, 0, sizeof tok_args);
	tok_args.field = "text";
	enum cli_parse_result pr = cli_parse(self, tokenize_options(), argc, argv, NULL, 0, NULL);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	struct ce_err err;
	ce_err_clear(&err);
	char *dir = NULL;
	if (fs_is_dir(tok_args.model)) {
		dir = ce_strdup(tok_args.model);
	} else {
		struct model_ref ref;
		if (model_ref_resolve(tok_args.model, &ref, &err) != CE_OK)
			return cli_report(&err);
		dir = ref.dir;
		ref.dir = NULL;
		model_ref_free(&ref);
	}
	/* The encoder's limit: the tokenizer files', capped by config.json's
	 * max_position_embeddings (optional here, but a broken one is an error). */
	struct encoder_tokenizer *tok = encoder_tokenizer_open(dir, tok_args.max_length, &err);
	ce_free(dir);
	if (!tok)
		return cli_report(&err);
	int32_t max_len = encoder_tokenizer_max_length(tok);
	struct texts_input in;
	const char *path = strcmp(tok_args.input, "-") == 0 ? "/dev/stdin" : tok_args.input;
	if (texts_input_load(path, tok_args.field, &in, &err) != CE_OK) {
		encoder_tokenizer_close(tok);
		return cli_report(&err);
	}
	int32_t *ids = ce_malloc_array((size_t)max_len, sizeof *ids);
	int rc = CLI_EXIT_OK;
	if (!ids) {
		rc = cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
		goto out;
	}
	for (int64_t i = 0; i < in.n; i++) {
		int32_t n;
		if (encoder_tokenizer_encode(tok, in.texts[i], in.lens[i], ids, &n, &err) != CE_OK) {
			rc = cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory while tokenizing"});
			goto out;
		}
		fputs("{\"input_ids\": [", stdout);
		for (int32_t j = 0; j < n; j++)
			printf(j ? ", %d" : "%d", ids[j]);
		fputs("]}\n", stdout);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = cli_report(&(struct ce_err){CE_E_IO, "writing to standard output failed"});
out:
	ce_free(ids);
	texts_input_free(&in);
	encoder_tokenizer_close(tok);
	return rc;
}

const struct cli_command cmd_tokenize = {
	"tokenize",
	"Print the token ids the encoder sees for each input text",
	"ceval tokenize --model DIR --input TEXTS.jsonl [options]",
	"Tokenizes each text exactly as Hugging Face's fast BertTokenizer configured by the model folder does "
	"([CLS] ... [SEP], right truncation) and prints one JSON line {\"input_ids\": [...]} per input line. "
	"Use it to check tokenizer parity with transformers.",
	"ceval tokenize --model ../shared/models/ceval-tiny-zh --input ../shared/golden/texts.jsonl\n"
	"echo '{\"text\": \"今天天气怎么样？\"}' | ceval tokenize -m bge-base-zh-v1.5 -i -",
	tokenize_options,
	run_tokenize,
};

/* ---- embed ------------------------------------------------------------- */

static struct {
	const char *model, *input, *output, *field, *precision, *query_instruction, *endpoint;
	int batch_size, threads, max_length, quiet, verbose, profile;
	int dimensions, concurrency, api_batch, api_max_chars;
} emb_args;

static const struct cli_opt *embed_options(void)
{
	static const struct cli_opt opts[] = {
		{"model", 'm', CLI_OPT_STRING, &emb_args.model, "DIR|NAME|api:NAME|openai:NAME",
		 "Model folder in Hugging Face / sentence-transformers layout, or a model name (see 'ceval models'); "
		 "api:NAME = model NAME of the OpenAI-compatible server at --endpoint ($CEVAL_API_KEY); openai:NAME = "
		 "the OpenAI API ($OPENAI_API_KEY).",
		 NULL, 0, 0, 1},
		{"endpoint", 0, CLI_OPT_STRING, &emb_args.endpoint, "URL",
		 "With --model api:NAME: the server's base URL (e.g. http://127.0.0.1:8080/v1).", NULL, 0, 0, 0},
		{"dimensions", 0, CLI_OPT_INT, &emb_args.dimensions, "N",
		 "API models: ask for N dimensions; 0 = the model's own.", "0", 0, 1 << 20, 0},
		{"concurrency", 0, CLI_OPT_INT, &emb_args.concurrency, "N", "API models: requests in flight.", "4", 1,
		 256, 0},
		{"api-batch", 0, CLI_OPT_INT, &emb_args.api_batch, "N", "API models: texts per request.", "64", 1,
		 1 << 20, 0},
		{"api-max-chars", 0, CLI_OPT_INT, &emb_args.api_max_chars, "N",
		 "API models: bytes of text per request.", "100000", 1, 1 << 30, 0},
		{"input", 'i', CLI_OPT_STRING, &emb_args.input, "FILE",
		 "JSON-lines file, one object with a string \"text\" per line (.zst accepted; - for stdin).", NULL, 0, 0,
		 1},
		{"output", 'o', CLI_OPT_STRING, &emb_args.output, "OUT.npy",
		 "Where to write the float32 [n, dim] embeddings (numpy .npy), rows in input order; - writes the .npy "
		 "to stdout (refused when stdout is a terminal).", NULL, 0, 0, 1},
		{"query-instruction", 0, CLI_OPT_STRING, &emb_args.query_instruction, "TEXT",
		 "Prepend TEXT to every input text, as 'ceval run' does for queries (e.g. bge zh: "
		 "为这个句子生成表示以用于检索相关文章：).", "none", 0, 0, 0},
		{"field", 0, CLI_OPT_STRING, &emb_args.field, "NAME", "Name of the text member of each input object.",
		 "text", 0, 0, 0},
		{"batch-size", 'b', CLI_OPT_INT, &emb_args.batch_size, "N", "Texts per forward batch.", "32", 1, 65536,
		 0},
		{"threads", 't', CLI_OPT_INT, &emb_args.threads, "N", "Compute threads (0 = all CPUs).", "0", 0, 1024,
		 0},
		{"max-length", 0, CLI_OPT_INT, &emb_args.max_length, "N",
		 "Lower the token limit (incl. [CLS]/[SEP]); 0 = the model's own.", "0", 0, 1 << 20, 0},
		{"precision", 0, CLI_OPT_STRING, &emb_args.precision, "f32|bf16",
		 "Arithmetic precision; f32 reproduces the reference.", "f32", 0, 0, 0},
		{"quiet", 'q', CLI_OPT_FLAG, &emb_args.quiet, NULL, "Print errors only.", NULL, 0, 0, 0},
		{"verbose", 'v', CLI_OPT_FLAG, &emb_args.verbose, NULL, "Explain what is loaded from where.", NULL, 0, 0,
		 0},
		{"profile", 0, CLI_OPT_FLAG, &emb_args.profile, NULL,
		 "Print (even with --quiet) where the encoding time went: seconds in forward passes, summed over "
		 "threads, and the share inside matrix products.",
		 NULL, 0, 0, 0},
		CLI_OPT_END,
	};
	return opts;
}

static int embed_progress(void *user, int64_t done, int64_t total)
{
	(void)user;
	if (isatty(2) && ce_log_get_level() >= CE_LOG_WARN) {
		fprintf(stderr, "\rembedding %lld/%lld", (long long)done, (long long)total);
		if (done == total)
			fputc('\n', stderr);
	}
	return cli_interrupted;
}

/* Prepend instr to every text of in (texts may hold NUL bytes: lens are authoritative). */
static enum ce_status prepend_instruction(struct texts_input *in, const char *instr, struct ce_err *err)
{
	size_t li = strlen(instr);
	for (int64_t i = 0; i < in->n && li > 0; i++) {
		char *s = ce_malloc(li + in->lens[i] + 1);
		if (!s)
			return ce_err_set(err, CE_E_NOMEM, "out of memory for the query instruction");
		memcpy(s, instr, li);
		memcpy(s + li, in->texts[i], in->lens[i] + 1);
		ce_free(in->texts[i]);
		in->texts[i] = s;
		in->lens[i] += li;
	}
	return CE_OK;
}

/* `ceval embed --model api:NAME|openai:NAME`: the texts through the API client into the .npy. */
static int embed_api(const struct cli_command *self, int kind, const char *name)
{
	if (!*name)
		return cli_usage_error(self, "--model %s: give the model name after the colon", emb_args.model);
	if (kind == 2 && !emb_args.endpoint)
		return cli_usage_error(self, "--model %s needs --endpoint URL", emb_args.model);
	if (kind == 1 && !getenv("OPENAI_API_KEY"))
		return cli_usage_error(self, "--model %s: set OPENAI_API_KEY", emb_args.model);
	struct backend_api_opts ao;
	backend_api_opts_for(&ao, kind, name, emb_args.endpoint, emb_args.dimensions, emb_args.concurrency, emb_args.api_batch,
			     emb_args.api_max_chars);
	ao.progress = embed_progress;
	struct ce_err err;
	ce_err_clear(&err);
	struct texts_input in;
	const char *path = strcmp(emb_args.input, "-") == 0 ? "/dev/stdin" : emb_args.input;
	if (texts_input_load(path, emb_args.field, &in, &err) != CE_OK ||
	    (emb_args.query_instruction && prepend_instruction(&in, emb_args.query_instruction, &err) != CE_OK)) {
		texts_input_free(&in);
		return cli_report(&err);
	}
	int rc = CLI_EXIT_OK;
	float *out = NULL;
	struct backend_api *api = backend_api_open(&ao, &err);
	if (!api) {
		rc = cli_report(&err);
		goto done;
	}
	struct embedder *e = backend_api_embedder(api);
	ce_log(CE_LOG_DEBUG, "%s", e->id->describe);
	out = ce_malloc_array((size_t)(in.n ? in.n : 1) * (size_t)e->dim, sizeof(float));
	if (!out) {
		rc = cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory for the embeddings"});
		goto done;
	}
	if (e->embed(e->self, (const char *const *)in.texts, in.n, out, &err) != CE_OK ||
	    npy_write_f32(emb_args.output, out, in.n, e->dim, &err) != CE_OK) {
		rc = cli_report(&err);
		goto done;
	}
	int64_t nreq, nretry, ntext;
	backend_api_stats(api, &nreq, &nretry, &ntext);
	ce_log(CE_LOG_INFO, "embedded %lld texts in %lld requests (%lld retries) -> %s [%lld x %d]", (long long)in.n,
	       (long long)nreq, (long long)nretry, emb_args.output, (long long)in.n, (int)e->dim);
done:
	ce_free(out);
	backend_api_close(api);
	texts_input_free(&in);
	return rc;
}

static int run_embed(const struct cli_command *self, int argc, char **argv)
{
	memset(&emb_args, 0, sizeof emb_args);
	emb_args.field = "text";
	emb_args.precision = "f32";
	enum cli_parse_result pr = cli_parse(self, embed_options(), argc, argv, NULL, 0, NULL);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	cli_apply_verbosity(emb_args.quiet, emb_args.verbose);
	struct encoder_options opt;
	if (!backend_local_options(&opt, emb_args.batch_size, emb_args.threads, emb_args.max_length, emb_args.precision))
		return cli_usage_error(self, "--precision must be f32 or bf16, got '%s'", emb_args.precision);
	if (strcmp(emb_args.output, "-") == 0 && isatty(STDOUT_FILENO))
		return cli_usage_error(self, "--output -: stdout is a terminal; redirect it to a file or a pipe "
					     "(or give a file name)");
	opt.progress = embed_progress;
	cli_install_sigint();

	struct ce_err err;
	ce_err_clear(&err);
	int api_kind = 0;
	const char *api_name = NULL;
	if (backend_api_parse_model(emb_args.model, &api_kind, &api_name))
		return embed_api(self, api_kind, api_name);
	if (emb_args.endpoint || emb_args.dimensions)
		return cli_usage_error(self, "--endpoint and --dimensions are for API models (--model api:NAME or "
					     "openai:NAME)");
	struct model_ref ref;
	if (model_ref_resolve(emb_args.model, &ref, &err) != CE_OK)
		return cli_report(&err);
	ce_log(CE_LOG_DEBUG, "model %s -> %s", emb_args.model, ref.dir);
	struct texts_input in;
	const char *path = strcmp(emb_args.input, "-") == 0 ? "/dev/stdin" : emb_args.input;
	if (texts_input_load(path, emb_args.field, &in, &err) != CE_OK ||
	    (emb_args.query_instruction && prepend_instruction(&in, emb_args.query_instruction, &err) != CE_OK)) {
		texts_input_free(&in);
		model_ref_free(&ref);
		return cli_report(&err);
	}
	int rc = CLI_EXIT_OK;
	float *out = NULL;
	struct encoder *enc = encoder_open(ref.dir, &opt, &err);
	if (!enc) {
		rc = cli_report(&err);
		goto done;
	}
	ce_log(CE_LOG_DEBUG, "%s", encoder_describe(enc));
	int32_t dim = encoder_dim(enc);
	out = ce_malloc_array((size_t)(in.n ? in.n : 1) * (size_t)dim, sizeof(float));
	if (!out) {
		rc = cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory for the embeddings"});
		goto done;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (encoder_embed_len(enc, (const char *const *)in.texts, in.lens, in.n, out, &err) != CE_OK) {
		rc = cli_report(&err);
		goto done;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	if (npy_write_f32(emb_args.output, out, in.n, dim, &err) != CE_OK) {
		rc = cli_report(&err);
		goto done;
	}
	ce_log(CE_LOG_INFO, "embedded %lld texts in %.2f s -> %s [%lld x %d]", (long long)in.n, secs,
	       emb_args.output, (long long)in.n, dim);
	if (emb_args.profile) {
		double fwd, mm;
		encoder_times(enc, &fwd, &mm);
		fprintf(stderr,
			"profile: encode %.3f s wall; forward passes %.3f s (all threads); "
			"matrix products %.3f s = %.1f%% of forward\n",
			secs, fwd, mm, fwd > 0 ? 100.0 * mm / fwd : 0.0);
	}
done:
	ce_free(out);
	encoder_close(enc);
	texts_input_free(&in);
	model_ref_free(&ref);
	return rc;
}

const struct cli_command cmd_embed = {
	"embed",
	"Embed texts with the built-in encoder into a .npy file",
	"ceval embed --model DIR|NAME --input TEXTS.jsonl --output OUT.npy [options]",
	"Computes sentence embeddings exactly as SentenceTransformer(model).encode(texts) does in fp32 "
	"(pooling and normalisation as the model folder's modules.json / 1_Pooling say) and writes them as a "
	"float32 numpy array of shape [n, dim], rows in input order.",
	"ceval embed -m ../shared/models/ceval-tiny-zh -i ../shared/golden/texts.jsonl -o emb.npy\n"
	"ceval embed -m bge-base-zh-v1.5 -i corpus.jsonl.zst -o corpus.npy --threads 2 --batch-size 64",
	embed_options,
	run_embed,
};
