/*
 * cmd_run.c - `ceval run`: evaluate a model on a suite (or single tasks),
 * writing one MTEB-shaped results file per task and a summary table.
 *
 * Resumable: a task whose results file records the same identity (every
 * input that can change a score: eval/identity.h) is not recomputed (unless
 * --overwrite); otherwise one line says why it is recomputed.  A task whose data is missing or
 * broken is reported and skipped; the others still run, and what finished is
 * kept.  Exit 0 when every task has a result, 3 when some were skipped or
 * failed on their input, 130 on SIGINT.
 */
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend_api.h"
#include "backend_local.h"
#include "backend_mpi.h"
#include "ce_alloc.h"
#include "ce_hash.h"
#include "ce_log.h"
#include "cli.h"
#include "data_loc.h"
#include "dataset.h"
#include "embed_cache.h"
#include "engine.h"
#include "evaluator.h"
#include "fs_util.h"
#include "hub_fetch.h"
#include "identity.h"
#include "model_ref.h"
#include "paths.h"
#include "results.h"
#include "subset.h"
#include "task.h"

static struct {
	const char *model, *suite, *tasks_dir, *data_dir, *output, *query_instruction, *precision;
	const char *cache_dir, *endpoint, *compat_arg;
	enum ce_compat compat;
	struct cli_list tasks;
	int dimensions, concurrency, api_batch, api_max_chars;
	int batch_size, threads, max_length, overwrite, quiet, verbose, no_instruction, no_cache;
	int subset, subset_corpus, offline;
} args;

static const struct cli_opt *run_options(void)
{
	static const struct cli_opt opts[] = {
		{"model", 'm', CLI_OPT_STRING, &args.model, "DIR|NAME|api:NAME|openai:NAME",
		 "Model folder (Hugging Face layout) or known name such as bge-base-zh-v1.5 (see 'ceval models'); "
		 "api:NAME = model NAME of the server at --endpoint; openai:NAME = the OpenAI API.",
		 NULL, 0, 0, 1},
		{"endpoint", 0, CLI_OPT_STRING, &args.endpoint, "URL",
		 "With --model api:NAME: base URL of an OpenAI-compatible server (e.g. http://127.0.0.1:8080/v1); "
		 "its key is $CEVAL_API_KEY when set. --model openai:NAME uses the OpenAI API with $OPENAI_API_KEY.",
		 NULL, 0, 0, 0},
		{"dimensions", 0, CLI_OPT_INT, &args.dimensions, "N",
		 "API models: ask for N dimensions (sent as \"dimensions\"); 0 = the model's own.", "0", 0, 1 << 20, 0},
		{"concurrency", 0, CLI_OPT_INT, &args.concurrency, "N", "API models: requests in flight.", "4", 1, 256,
		 0},
		{"api-batch", 0, CLI_OPT_INT, &args.api_batch, "N", "API models: texts per request.", "64", 1, 1 << 20,
		 0},
		{"api-max-chars", 0, CLI_OPT_INT, &args.api_max_chars, "N", "API models: bytes of text per request.",
		 "100000", 1, 1 << 30, 0},
		{"suite", 's', CLI_OPT_STRING, &args.suite, "NAME|FILE",
		 "Suite of tasks: a name under <tasks-dir>/suites/ (cmteb, cmteb-mini, ...) or a suite YAML file.",
		 NULL, 0, 0, 0},
		{"task", 'T', CLI_OPT_LIST, &args.tasks, "NAME",
		 "Run this task (repeatable, or comma-separated); combined with --suite it selects from the suite.",
		 NULL, 0, 0, 0},
		{"data-dir", 'd', CLI_OPT_STRING, &args.data_dir, "DIR",
		 "Root of the datasets; a task's files are under <data-dir>/<dataset path>.", "$CEVAL_DATA, else datasets/",
		 0, 0, 0},
		{"tasks-dir", 0, CLI_OPT_STRING, &args.tasks_dir, "DIR", "Where task and suite YAML files are.",
		 "$CEVAL_TASKS, else ./tasks, else the installed tasks", 0, 0, 0},
		{"output", 'o', CLI_OPT_STRING, &args.output, "DIR",
		 "Results folder; files go to <DIR>/<model-name>/<Task>.json.", "results", 0, 0, 0},
		{"overwrite", 0, CLI_OPT_FLAG, &args.overwrite, NULL,
		 "Recompute tasks that already have a results file.", NULL, 0, 0, 0},
		{"query-instruction", 0, CLI_OPT_STRING, &args.query_instruction, "TEXT",
		 "Instruction prepended to retrieval/reranking queries, overriding the model's own.",
		 "the known model's (bge zh/en), else none", 0, 0, 0},
		{"no-instruction", 0, CLI_OPT_FLAG, &args.no_instruction, NULL, "Use no query instruction at all.", NULL,
		 0, 0, 0},
		{"batch-size", 'b', CLI_OPT_INT, &args.batch_size, "N", "Texts per forward batch.", "32", 1, 65536, 0},
		{"threads", 't', CLI_OPT_INT, &args.threads, "N", "Compute threads (0 = all CPUs).", "0", 0, 1024, 0},
		{"max-length", 0, CLI_OPT_INT, &args.max_length, "N",
		 "Lower the token limit (incl. [CLS]/[SEP]); 0 = the model's own.", "0", 0, 1 << 20, 0},
		{"subset", 0, CLI_OPT_INT, &args.subset, "N",
		 "Evaluate a deterministic stratified subset of every task: N pairs/rows/queries, N items per "
		 "clustering set (rules: eval/subset.h); 0 = whole data. Overrides the suite's sizes; recorded in the results.",
		 "the suite's per-task sizes, else whole", 0, 1 << 30, 0},
		{"subset-corpus", 0, CLI_OPT_INT, &args.subset_corpus, "M",
		 "Retrieval subsets: corpus documents kept (never fewer than the relevant ones).", "10 x N", 1, 1 << 30,
		 0},
		{"precision", 0, CLI_OPT_STRING, &args.precision, "f32|bf16", "Encoder arithmetic.", "f32", 0, 0, 0},
		{"compat", 0, CLI_OPT_STRING, &args.compat_arg, "r1|r3",
		 "Whose semantics the scores follow. r1: the 2023 C-MTEB code that produced the published bge numbers "
		 "(the default, so cmteb / cmteb-v1 results compare with those tables); r3: mteb 2.x, what today's MTEB "
		 "leaderboard entries use (pair classification main score max_accuracy, reranking as retrieval over the "
		 "candidates with map_at_1000, ...). R3 results go to <DIR>/<model-name>@R3/; the two levels are never "
		 "mixed by leaderboard or check.",
		 "r1", 0, 0, 0},
		{"cache-dir", 0, CLI_OPT_STRING, &args.cache_dir, "DIR",
		 "Embedding cache root; one folder per model fingerprint, precision and max length.",
		 "$XDG_CACHE_HOME/ceval, else ~/.cache/ceval", 0, 0, 0},
		{"no-cache", 0, CLI_OPT_FLAG, &args.no_cache, NULL, "Neither read nor write the embedding cache.", NULL,
		 0, 0, 0},
		{"quiet", 'q', CLI_OPT_FLAG, &args.quiet, NULL, "No progress line; errors only on stderr.", NULL, 0, 0,
		 0},
		{"verbose", 'v', CLI_OPT_FLAG, &args.verbose, NULL, "Explain what is loaded from where.", NULL, 0, 0, 0},
		{"offline", 0, CLI_OPT_FLAG, &args.offline, NULL,
		 "Never use the network: a model missing from disk and the hub cache is an error (also HF_HUB_OFFLINE=1). "
		 "Without it, a known model name or ORG/NAME id not on disk is downloaded first (see 'ceval download').",
		 NULL, 0, 0, 0},
		CLI_OPT_END,
	};
	return opts;
}

/* ---- progress ------------------------------------------------------------ */

struct run_state {
	const char *task;
	const char *phase;
	int tty;
	struct timespec phase_start;
	struct cached_embedder *cached; /* the embedder evaluators get (cache in front of the backend) */
	struct backend_api *api;        /* the API backend, or NULL (progress shows its requests and retries) */
	long kill_after;        /* test hook: SIGKILL ourselves at this progress report (0 = off) */
	long n_reports;         /* progress reports so far (one per encoded batch) */
};

static double elapsed_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

static int run_progress(void *user, int64_t done, int64_t total)
{
	struct run_state *rs = user;
	/* CEVAL_TEST_KILL_AFTER_BATCHES=N: die by SIGKILL after N batches, so the
	 * resume tests can interrupt at exact points (tests/cli/test_resume.sh). */
	if (rs->kill_after > 0 && ++rs->n_reports >= rs->kill_after)
		raise(SIGKILL);
	int64_t call_done = done, call_total = total;
	if (rs->cached && rs->cached->miss_total > 0) { /* the encoder sees one cache chunk at a time */
		done += rs->cached->miss_done;
		total = rs->cached->miss_total;
	}
	if (rs->tty && call_done >= call_total) {
		fputs("\r\033[K", stderr); /* the backend's call is finished: clear the line */
	} else if (rs->tty && total > 0) {
		double secs = elapsed_since(&rs->phase_start);
		double rate = secs > 0 ? (double)done / secs : 0;
		double left = rate > 0 ? (double)(total - done) / rate : 0;
		fprintf(stderr, "\r\033[K%s: %s %lld/%lld texts, %.0f texts/s, %.0fs left", rs->task, rs->phase,
			(long long)done, (long long)total, rate, left);
		if (rs->api) {
			int64_t nreq, nretry, ntext;
			backend_api_stats(rs->api, &nreq, &nretry, &ntext);
			fprintf(stderr, ", %lld requests, %lld retries", (long long)nreq, (long long)nretry);
		}
		fflush(stderr);
	}
	return cli_interrupted;
}

static void run_set_phase(void *self, const char *phase)
{
	struct run_state *rs = self;
	rs->phase = phase;
	clock_gettime(CLOCK_MONOTONIC, &rs->phase_start);
}

/* ---- one task ------------------------------------------------------------ */

enum task_outcome { OUT_DONE, OUT_CACHED, OUT_SKIPPED, OUT_FAILED, OUT_INTERRUPTED };

struct task_row {
	const char *name;
	const char *type;
	char split[64];
	double main;
	double secs;
	enum task_outcome outcome;
	char note[256];
	int is_part; /* a part of the aggregate row above it: shown, not averaged */
};

/* What every task of the run shares. */
struct run_ctx {
	const struct embedder_identity *id; /* the backend's (read only) */
	struct embedder *emb;               /* what evaluators embed with (cache in front) */
	struct run_state *rs;
	const char *model_name;
	const char *data_dir;
	const char *instr; /* "" or the query instruction */
};

/* FNV-1a of the file's bytes folded into *h; 0 when the task has no file (a buffer). */
static enum ce_status hash_task_file(const struct task *t, uint64_t *h, int *have, struct ce_err *err)
{
	if (!t->source_path || !fs_is_file(t->source_path))
		return CE_OK;
	char *data = NULL;
	size_t len = 0;
	CE_TRY(fs_read_file(t->source_path, (size_t)16 << 20, &data, &len, err));
	*h = ce_fnv1a64(*h, data, len);
	*have = 1;
	ce_free(data);
	return CE_OK;
}

/* 16 hex digits of the task file's bytes into hex (an aggregate: its file's, then each part's, in
 * order, so editing a part changes the aggregate's identity too); "" for a task loaded from a buffer. */
static enum ce_status task_file_hash(const struct task *t, char hex[17], struct ce_err *err)
{
	hex[0] = '\0';
	uint64_t h = CE_FNV1A64_INIT;
	int have = 0;
	CE_TRY(hash_task_file(t, &h, &have, err));
	for (int32_t i = 0; have && i < t->n_parts; i++)
		CE_TRY(hash_task_file(t->parts[i], &h, &have, err));
	if (have)
		ce_hash_hex(h, hex);
	return CE_OK;
}

/* Everything of res but scores, data hash and timing: the identity this run would write. */
static enum ce_status identity_fill(struct task_result *res, const struct task *t, const struct run_ctx *rc,
				    struct ce_err *err)
{
	const struct embedder_identity *id = rc->id;
	char task_hash[17];
	CE_TRY(task_result_set_task(res, t, err));
	CE_TRY(task_file_hash(t, task_hash, err));
	res->has_ceval = 1;
	res->has_identity = 1;
	res->scoring_rev = CEVAL_SCORING_REV;
	res->model_dim = id->dim;
	res->model_max_seq_length = id->max_length;
	CE_TRY(task_result_set_str(&res->ceval_version, cli_version, err));
	CE_TRY(task_result_set_str(&res->compat, ce_compat_name(args.compat), err));
	CE_TRY(task_result_set_str(&res->model_name, rc->model_name, err));
	CE_TRY(task_result_set_str(&res->model_fingerprint, id->fingerprint, err));
	CE_TRY(task_result_set_str(&res->model_endpoint, id->endpoint, err));
	CE_TRY(task_result_set_str(&res->query_instruction, t->query_instruction && *rc->instr ? rc->instr : NULL,
				   err));
	CE_TRY(task_result_set_str(&res->backend, id->backend, err));
	CE_TRY(task_result_set_str(&res->precision, id->precision, err));
	CE_TRY(task_result_set_str(&res->kernels, id->kernels, err));
	return task_result_set_str(&res->task_hash, task_hash[0] ? task_hash : NULL, err);
}

/* Load split of t from where its data is (data_loc.h); src gets the hub repos and revisions read, or "". */
static enum ce_status load_split(const struct task *t, const char *data_dir, const char *split, struct dataset **ds,
				 char *src, size_t cap, struct ce_err *err)
{
	struct data_found df;
	enum ce_status st = data_locate(t, data_dir, &df, err);
	ce_log(CE_LOG_DEBUG, "%s: loading split %s from %s", t->name, split, df.hub ? df.snapshot : df.dir ? df.dir : "?");
	*ds = NULL;
	if (st == CE_OK)
		st = dataset_load_at(t, &df.loc, split, ds, err);
	data_found_source(&df, src, cap);
	data_found_free(&df);
	return st;
}

/* Load every evaluated split (no encoding) to get the data hash a run would record. */
static enum ce_status data_hash_of(const struct task *t, const char *data_dir, char hex[17], struct ce_err *err)
{
	uint64_t h = CE_FNV1A64_INIT;
	for (int32_t s = 0; s < t->n_eval_splits; s++) {
		struct dataset *ds = NULL;
		char src[600];
		CE_TRY(load_split(t, data_dir, t->eval_splits[s], &ds, src, sizeof src, err));
		h = identity_data_hash_add(h, t->eval_splits[s], ds->content_hash);
		dataset_free(ds);
	}
	ce_hash_hex(h, hex);
	return CE_OK;
}

/*
 * Decide whether the results file at path can be kept for want: 1 = keep
 * (row filled), 0 = recompute, with *why set to the reason when the old file
 * is known to differ (NULL when there is no file).
 */
static int resume_check(const struct task *t, const struct subset_spec *sub, const struct run_ctx *rc,
			const char *path, struct task_result *want, const char **why, struct task_row *row)
{
	*why = NULL;
	if (!path || !fs_is_file(path))
		return 0;
	struct task_result old;
	struct ce_err rerr;
	ce_err_clear(&rerr);
	int keep = 0;
	if (results_read_file(path, &old, &rerr) != CE_OK) {
		*why = "existing results file is unreadable";
		ce_log(CE_LOG_DEBUG, "%s", rerr.msg);
	} else if (!(*why = identity_diff(&old, want, IDENTITY_BEFORE_DATA)) && !subset_record_matches(&old, t, sub)) {
		*why = "subset changed";
	}
	if (!*why && !args.overwrite) {
		char hex[17];
		ce_err_clear(&rerr);
		if (data_hash_of(t, rc->data_dir, hex, &rerr) != CE_OK) {
			/* nothing to compare with: the stored result is the only one there is */
			ce_log(CE_LOG_WARN, "%s: kept %s without checking its data: %s", t->name, path, rerr.msg);
			keep = 1;
		} else if (task_result_set_str(&want->data_hash, hex, &rerr) != CE_OK) {
			*why = "out of memory";
		} else {
			*why = identity_diff(&old, want, IDENTITY_ALL);
			keep = !*why;
		}
	}
	if (keep) {
		row->main = old.scores[0].main_score;
		snprintf(row->note, sizeof row->note, "kept %s", path);
	}
	task_result_deinit(&old);
	return keep;
}

/* Evaluate every split of t into res (identity already filled); data_hash set on success. */
static enum ce_status evaluate(const struct task *t, const struct subset_spec *sub, const struct run_ctx *rc,
			       struct task_result *res, enum task_outcome *outcome, struct ce_err *err)
{
	const struct evaluator *ev = evaluator_for(t->type);
	uint64_t data_hash = CE_FNV1A64_INIT;
	enum ce_status st = CE_OK;
	for (int32_t s = 0; st == CE_OK && s < t->n_eval_splits; s++) {
		struct dataset *ds = NULL;
		char src[600];
		st = load_split(t, rc->data_dir, t->eval_splits[s], &ds, src, sizeof src, err);
		if (st == CE_OK && s == 0 && src[0]) /* results record the hub repos and revisions read */
			st = task_result_set_str(&res->dataset_source, src, err);
		struct subset_info si;
		if (st == CE_OK && (st = subset_apply(ds, t, sub, &si, err)) == CE_OK && s == 0)
			st = subset_record(res, &si, err);
		if (st != CE_OK) {
			dataset_free(ds);
			*outcome = st == CE_E_NOT_FOUND ? OUT_SKIPPED : OUT_FAILED;
			return st;
		}
		data_hash = identity_data_hash_add(data_hash, t->eval_splits[s], ds->content_hash);
		struct eval_ctx ctx = {
			.task = t,
			.emb = rc->emb,
			.query_instruction = t->query_instruction ? rc->instr : "",
			.threads = args.threads,
			.compat = args.compat,
		};
		struct metric_set ms;
		metric_set_init(&ms);
		rc->rs->task = t->name;
		st = ev->run(&ctx, ds, &ms, err);
		if (st == CE_OK)
			st = task_result_add_split(res, t, t->eval_splits[s], &ms, err);
		metric_set_deinit(&ms);
		if (st == CE_OK && s == 0) {
			char hex[17];
			dataset_hash_hex(ds, hex);
			st = task_result_set_str(&res->dataset_hash, hex, err);
		}
		dataset_free(ds);
	}
	if (st == CE_OK) {
		char hex[17];
		ce_hash_hex(data_hash, hex);
		st = task_result_set_str(&res->data_hash, hex, err);
	}
	if (st != CE_OK)
		*outcome = OUT_FAILED;
	return st;
}

/* A task that produced no result leaves no old file that looks current:
 * one known to differ from this run's identity is renamed <file>.stale. */
static void retire_stale(const char *task, const char *path)
{
	char *stale = ce_malloc(strlen(path) + 7);
	if (!stale)
		return;
	sprintf(stale, "%s.stale", path);
	if (rename(path, stale) == 0)
		ce_log(CE_LOG_WARN, "%s: no new result; the old one, computed with other inputs, is now %s", task, stale);
	ce_free(stale);
}

/* Start t's summary row; returns t as this run scores it: at R3 a shallow copy in *t3 whose
 * main_score is the R3 one (borrowed strings, valid while t is). */
static const struct task *row_begin(struct task_row *row, const struct task *t, struct task *t3)
{
	row->name = t->name;
	row->type = task_type_name(t->type);
	snprintf(row->split, sizeof row->split, "%s", t->eval_splits[0]);
	row->main = NAN;
	if (args.compat != CE_COMPAT_R3)
		return t;
	*t3 = *t;
	t3->main_score = (char *)task_main_score(t, CE_COMPAT_R3);
	return t3;
}

static enum task_outcome run_task(const struct task *t, const struct subset_spec *sub, const struct run_ctx *rc,
				  struct task_row *row, struct ce_err *err)
{
	struct task t3;
	t = row_begin(row, t, &t3);

	struct task_result res;
	task_result_init(&res);
	enum task_outcome outcome = OUT_DONE;
	const char *why = NULL;
	/* R3 results live beside R1's, in <model>@R3 (results_model_folder) */
	char *folder = results_model_folder(rc->model_name, ce_compat_name(args.compat));
	char *path = folder ? results_path(args.output, folder, t->name, err) : NULL;
	if (!folder)
		ce_err_set(err, CE_E_NOMEM, "out of memory");
	ce_free(folder);
	enum ce_status st = path ? identity_fill(&res, t, rc, err) : err->code;
	if (st == CE_OK && resume_check(t, sub, rc, path, &res, &why, row)) {
		outcome = OUT_CACHED;
		goto out;
	}
	if (why && !args.overwrite)
		ce_log(CE_LOG_WARN, "recomputing %s: %s", t->name, why);

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (st == CE_OK)
		st = evaluate(t, sub, rc, &res, &outcome, err);
	row->secs = elapsed_since(&t0);
	if (st == CE_OK) {
		char date[21];
		results_now_iso8601(date);
		res.evaluation_time = row->secs;
		if ((st = task_result_set_str(&res.date, date, err)) == CE_OK) {
			char *written = NULL;
			st = results_write(args.output, &res, &written, err);
			if (st == CE_OK) {
				row->main = res.scores[0].main_score;
				snprintf(row->note, sizeof row->note, "%s", written);
			}
			ce_free(written);
		}
	}
	if (st != CE_OK) {
		if (outcome == OUT_DONE)
			outcome = OUT_FAILED;
		snprintf(row->note, sizeof row->note, "%s", err->msg);
		if (why && path && !cli_interrupted)
			retire_stale(t->name, path);
	}
out:
	ce_free(path);
	task_result_deinit(&res);
	row->outcome = outcome;
	return outcome;
}

/* The score entry of split in r (the first, as ceval writes one hf_subset per split), or NULL. */
static const struct result_score *split_entry(const struct task_result *r, const char *split)
{
	for (int32_t i = 0; i < r->n_scores; i++)
		if (strcmp(r->scores[i].split, split) == 0)
			return &r->scores[i];
	return NULL;
}

/*
 * The result of aggregate t from its parts' results pr[0..n): every score of
 * every split the mean over the parts (summed in part order, then divided), as
 * mteb's CQADupstack merge does; identity fields from rc, task hash over the
 * aggregate's and the parts' files, data hash and subset over the parts' own.
 */
static enum ce_status aggregate_result(const struct task *t, const struct run_ctx *rc, const struct task_result *pr,
				       int32_t n, struct task_result *res, struct ce_err *err)
{
	CE_TRY(identity_fill(res, t, rc, err));
	uint64_t dh = CE_FNV1A64_INIT, sh = CE_FNV1A64_INIT;
	double secs = 0;
	for (int32_t p = 0; p < n; p++) {
		const char *d = pr[p].data_hash ? pr[p].data_hash : "";
		dh = ce_fnv1a64(dh, d, strlen(d) + 1);
		if (pr[p].has_subset != pr[0].has_subset)
			return ce_err_set(err, CE_E_FORMAT, "%s: part %s is %s, part %s is not", t->name, pr[p].task_name,
					  pr[p].has_subset ? "a subset" : "whole", pr[0].task_name);
		if (pr[p].has_subset && pr[p].subset_hash)
			sh = ce_fnv1a64(sh, pr[p].subset_hash, strlen(pr[p].subset_hash) + 1);
		secs += pr[p].evaluation_time;
	}
	char hex[17];
	ce_hash_hex(dh, hex);
	CE_TRY(task_result_set_str(&res->data_hash, hex, err));
	if (pr[0].has_subset) {
		ce_hash_hex(sh, hex);
		CE_TRY(task_result_set_str(&res->subset_rule, pr[0].subset_rule, err));
		CE_TRY(task_result_set_str(&res->subset_hash, hex, err));
		res->subset_n = pr[0].subset_n;
		res->subset_corpus = pr[0].subset_corpus;
		res->subset_seed = pr[0].subset_seed;
		res->has_subset = 1;
	}
	res->evaluation_time = secs;
	for (int32_t s = 0; s < t->n_eval_splits; s++) {
		const char *split = t->eval_splits[s];
		const struct result_score *first = split_entry(&pr[0], split);
		if (!first)
			return ce_err_set(err, CE_E_FORMAT, "%s: part %s has no scores for split %s", t->name,
					  pr[0].task_name, split);
		struct metric_set ms;
		metric_set_init(&ms);
		enum ce_status st = CE_OK;
		for (int32_t k = 0; st == CE_OK && k < first->metrics.n; k++) {
			const char *name = first->metrics.names[k];
			double sum = 0;
			for (int32_t p = 0; st == CE_OK && p < n; p++) {
				const struct result_score *e = split_entry(&pr[p], split);
				double v;
				if (!e || !metric_set_get(&e->metrics, name, &v))
					st = ce_err_set(err, CE_E_FORMAT, "%s: part %s has no score %s for split %s", t->name,
							pr[p].task_name, name, split);
				else if (!isfinite(v))
					st = ce_err_set(err, CE_E_FORMAT, "%s: part %s: score %s of split %s is not a number",
							t->name, pr[p].task_name, name, split);
				else
					sum += v;
			}
			if (st == CE_OK && metric_set_add(&ms, name, sum / (double)n) != CE_OK)
				st = ce_err_set(err, CE_E_NOMEM, "%s: cannot record metrics", t->name);
		}
		if (st == CE_OK)
			st = task_result_add_split(res, t, split, &ms, err);
		metric_set_deinit(&ms);
		CE_TRY(st);
	}
	return CE_OK;
}

/*
 * An aggregate task (task.h: CQADupstackRetrieval): each part runs as a task
 * of its own (own results file, resumed on its own identity; rows[1..n_parts]
 * show them), then the aggregate's file holds the mean of their scores.  A
 * part without a result leaves the aggregate without one (the other parts
 * still run, and what they computed is kept).  An aggregate file whose
 * identity and scores equal what the parts give now is left as it is.
 */
static enum task_outcome run_aggregate(const struct task *t, const struct subset_spec *sub, const struct run_ctx *rc,
				       struct task_row *rows, struct ce_err *err)
{
	struct task_row *row = &rows[0];
	struct task t3;
	t = row_begin(row, t, &t3);
	struct task_result *pr = ce_calloc((size_t)t->n_parts, sizeof *pr);
	char *folder = results_model_folder(rc->model_name, ce_compat_name(args.compat));
	if (!pr || !folder) {
		ce_free(pr);
		ce_free(folder);
		ce_err_set(err, CE_E_NOMEM, "out of memory");
		return row->outcome = OUT_FAILED;
	}
	int n_ok = 0, n_done = 0, n_missing = 0, skipped_only = 1, oom = 0;
	char first_bad[200] = "";
	struct ce_err first_err;
	ce_err_clear(&first_err);
	for (int32_t p = 0; p < t->n_parts; p++) {
		struct task_row *prow = &rows[1 + p];
		prow->is_part = 1;
		if (cli_interrupted || oom) {
			prow->name = t->parts[p]->name;
			prow->type = row->type;
			prow->main = NAN;
			prow->outcome = OUT_INTERRUPTED;
			snprintf(prow->note, sizeof prow->note, "not run");
			continue;
		}
		struct ce_err perr;
		ce_err_clear(&perr);
		enum task_outcome o = run_task(t->parts[p], sub, rc, prow, &perr);
		if (o == OUT_DONE || o == OUT_CACHED) {
			n_done += o == OUT_DONE;
			char *path = results_path(args.output, folder, t->parts[p]->name, &perr);
			if (path && results_read_file(path, &pr[n_ok], &perr) == CE_OK) {
				n_ok++;
			} else {
				task_result_deinit(&pr[n_ok]);
				memset(&pr[n_ok], 0, sizeof pr[n_ok]);
				o = prow->outcome = OUT_FAILED;
				snprintf(prow->note, sizeof prow->note, "%s", perr.msg);
			}
			ce_free(path);
		}
		if (o != OUT_DONE && o != OUT_CACHED) {
			if (o != OUT_SKIPPED)
				skipped_only = 0;
			if (!n_missing++) {
				snprintf(first_bad, sizeof first_bad, "%s", t->parts[p]->name);
				first_err = perr;
			}
			oom = perr.code == CE_E_NOMEM;
			if (!cli_interrupted)
				ce_log(CE_LOG_ERROR, "%s: part %s: %s", t->name, t->parts[p]->name,
				       perr.msg[0] ? perr.msg : ce_status_str(perr.code));
			else
				prow->outcome = OUT_INTERRUPTED;
		} else if (!args.quiet && !rc->rs->tty) {
			ce_log(CE_LOG_INFO, "%s: part %s: %.2f", t->name, t->parts[p]->name, prow->main * 100);
		}
	}
	enum task_outcome outcome = OUT_DONE;
	if (n_missing) {
		outcome = cli_interrupted ? OUT_INTERRUPTED : skipped_only ? OUT_SKIPPED : OUT_FAILED;
		ce_err_set(err, first_err.code ? first_err.code : CE_E_FORMAT,
			   "%d of %d parts have no result (first: %s: %s)", n_missing, (int)t->n_parts, first_bad,
			   first_err.msg);
		snprintf(row->note, sizeof row->note, "%s", err->msg);
		goto out;
	}
	struct task_result res;
	task_result_init(&res);
	char *path = results_path(args.output, folder, t->name, err);
	enum ce_status st = path ? aggregate_result(t, rc, pr, n_ok, &res, err) : err->code;
	if (st == CE_OK && n_done == 0 && fs_is_file(path)) { /* every part kept: keep an equal aggregate file */
		struct task_result old;
		struct ce_err rerr;
		if (results_read_file(path, &old, &rerr) == CE_OK && !identity_diff(&old, &res, IDENTITY_ALL) &&
		    subset_record_matches(&old, t, sub) && old.n_scores == res.n_scores &&
		    old.scores[0].main_score == res.scores[0].main_score) {
			row->main = old.scores[0].main_score;
			snprintf(row->note, sizeof row->note, "kept %s (mean of %d parts)", path, (int)t->n_parts);
			outcome = OUT_CACHED;
		}
		task_result_deinit(&old);
	}
	if (st == CE_OK && outcome == OUT_DONE) {
		char date[21];
		results_now_iso8601(date);
		char *written = NULL;
		if ((st = task_result_set_str(&res.date, date, err)) == CE_OK &&
		    (st = results_write(args.output, &res, &written, err)) == CE_OK) {
			row->main = res.scores[0].main_score;
			snprintf(row->note, sizeof row->note, "%s (mean of %d parts)", written, (int)t->n_parts);
		}
		ce_free(written);
	}
	for (int32_t p = 0; p < t->n_parts; p++)
		row->secs += rows[1 + p].secs;
	if (st != CE_OK) {
		outcome = OUT_FAILED;
		snprintf(row->note, sizeof row->note, "%s", err->msg);
	}
	ce_free(path);
	task_result_deinit(&res);
out:
	for (int32_t p = 0; p < n_ok; p++)
		task_result_deinit(&pr[p]);
	ce_free(pr);
	ce_free(folder);
	return row->outcome = outcome;
}

static void print_summary(const struct task_row *rows, int n, const char *model, FILE *out)
{
	fprintf(out, "\nModel: %s\n", model);
	fprintf(out, "%-34s %-20s %-10s %8s %8s  %s\n", "Task", "Type", "Split", "Score", "Time", "Status");
	double sum = 0;
	int n_ok = 0, n_bad = 0;
	for (int i = 0; i < n; i++) {
		const struct task_row *r = &rows[i];
		const char *status = r->outcome == OUT_DONE ? "done"
				     : r->outcome == OUT_CACHED ? "kept (already computed)"
				     : r->outcome == OUT_SKIPPED ? "SKIPPED: data missing"
				     : r->outcome == OUT_INTERRUPTED ? "interrupted"
								 : "FAILED";
		char score[32] = "-", secs[32] = "-", name[64];
		if (!isnan(r->main)) {
			snprintf(score, sizeof score, "%.2f", r->main * 100.0);
			if (!r->is_part) { /* an aggregate counts once, as its mean */
				sum += r->main * 100.0;
				n_ok++;
			}
		} else {
			n_bad++;
		}
		if (r->outcome == OUT_DONE)
			snprintf(secs, sizeof secs, "%.1fs", r->secs);
		snprintf(name, sizeof name, "%s%s", r->is_part ? "  part " : "", r->name);
		fprintf(out, "%-34s %-20s %-10s %8s %8s  %s\n", name, r->type, r->split, score, secs, status);
	}
	if (cli_interrupted) /* an average over part of the suite is no number to quote */
		fprintf(out, "No average: the run was interrupted.\n");
	else if (n_ok)
		fprintf(out, "%-34s %-20s %-10s %8.2f\n", "Average (tasks with a score)", "", "", sum / n_ok);
	if (n_bad) {
		fprintf(out, "\n%d task(s) without a score:\n", n_bad);
		for (int i = 0; i < n; i++)
			if (isnan(rows[i].main))
				fprintf(out, "  %s: %s\n", rows[i].name,
					rows[i].outcome == OUT_INTERRUPTED ? "interrupted; run the same command again to resume"
									   : rows[i].note);
	}
}

/* ---- which tasks ----------------------------------------------------------- */

/* The tasks of the run, in order, each with its subset; grown as needed. */
struct task_list {
	const struct task **tasks;
	struct subset_spec *subs;
	int n, cap;
	struct task **owned; /* loaded by --task alone (freed with the list) */
	int n_owned;
	struct suite *suite;
	char **names; /* --task names, split at commas */
	int n_names;
};

static void task_list_free(struct task_list *l)
{
	for (int i = 0; i < l->n_owned; i++)
		task_free(l->owned[i]);
	for (int i = 0; i < l->n_names; i++)
		ce_free(l->names[i]);
	ce_free(l->owned);
	ce_free(l->names);
	ce_free(l->tasks);
	ce_free(l->subs);
	suite_free(l->suite);
	memset(l, 0, sizeof *l);
}

/* Grow *v (of *cap elements of size) to hold need; 0 on NOMEM. */
static int grow(void **v, int *cap, int need, size_t size)
{
	if (need <= *cap)
		return 1;
	int nc = *cap ? *cap : 16;
	while (nc < need) {
		if (nc > INT_MAX / 2)
			return 0;
		nc *= 2;
	}
	void *nv = ce_realloc_array(*v, (size_t)nc, size);
	if (!nv)
		return 0;
	*v = nv;
	*cap = nc;
	return 1;
}

static int task_list_push(struct task_list *l, const struct task *t, struct subset_spec sub)
{
	int cap_t = l->cap, cap_s = l->cap;
	if (!grow((void **)&l->tasks, &cap_t, l->n + 1, sizeof *l->tasks) ||
	    !grow((void **)&l->subs, &cap_s, l->n + 1, sizeof *l->subs))
		return 0;
	l->cap = cap_t < cap_s ? cap_t : cap_s;
	l->tasks[l->n] = t;
	l->subs[l->n++] = sub;
	return 1;
}

/* --task values, split at commas, into l->names.  CE_E_NOMEM. */
static enum ce_status split_task_names(struct task_list *l, struct ce_err *err)
{
	int cap = 0;
	for (int i = 0; i < args.tasks.n; i++) {
		char *copy = ce_strdup(args.tasks.items[i]);
		CE_CHECK(copy, err, CE_E_NOMEM, "out of memory");
		for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			char *name = ce_strdup(tok);
			if (!name || !grow((void **)&l->names, &cap, l->n_names + 1, sizeof *l->names)) {
				ce_free(name);
				ce_free(copy);
				return ce_err_set(err, CE_E_NOMEM, "out of memory");
			}
			l->names[l->n_names++] = name;
		}
		ce_free(copy);
	}
	return CE_OK;
}

/* The suite's tasks filtered by --task, or the --task files alone; returns a CLI exit code. */
static int select_tasks(const struct cli_command *self, const char *tasks_dir, struct task_list *l)
{
	struct ce_err err;
	ce_err_clear(&err);
	if (split_task_names(l, &err) != CE_OK)
		return cli_report(&err);
	if (args.suite) {
		if (suite_load(tasks_dir, args.suite, &l->suite, &err) != CE_OK) {
			cli_suggest_suite(tasks_dir, args.suite, &err);
			return cli_report(&err);
		}
		const struct suite *su = l->suite;
		for (int32_t i = 0; i < su->n_tasks; i++) {
			int want = l->n_names == 0;
			for (int k = 0; k < l->n_names && !want; k++)
				want = strcmp(l->names[k], su->tasks[i]->name) == 0;
			struct subset_spec sub = {su->subset_n[i], su->subset_corpus[i], SUBSET_SEED};
			if (want && !task_list_push(l, su->tasks[i], sub))
				return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
		}
		for (int k = 0; k < l->n_names; k++) {
			int found = 0;
			for (int i = 0; i < l->n && !found; i++)
				found = strcmp(l->tasks[i]->name, l->names[k]) == 0;
			if (!found) {
				const char **names = ce_calloc((size_t)(su->n_tasks ? su->n_tasks : 1), sizeof *names);
				if (!names)
					return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
				for (int32_t i = 0; i < su->n_tasks; i++)
					names[i] = su->tasks[i]->name;
				char hint[300];
				int rc = cli_usage_error(self, "task '%s' is not in suite '%s'%s", l->names[k], su->name,
							 cli_suggest_among(l->names[k], names, su->n_tasks, hint, sizeof hint));
				ce_free(names);
				return rc;
			}
		}
	} else {
		int cap = 0;
		for (int k = 0; k < l->n_names; k++) {
			char *path = NULL;
			if (!grow((void **)&l->owned, &cap, l->n_owned + 1, sizeof *l->owned))
				return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
			struct task *t = NULL;
			if (task_find_file(tasks_dir, l->names[k], &path, &err) != CE_OK ||
			    task_load_file(path, &t, &err) != CE_OK) {
				if (!path)
					cli_suggest_task(tasks_dir, l->names[k], &err);
				ce_free(path);
				return cli_report(&err);
			}
			ce_free(path);
			l->owned[l->n_owned++] = t;
			if (!task_list_push(l, t, (struct subset_spec){0, 0, SUBSET_SEED}))
				return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
		}
	}
	for (int i = 0; i < l->n; i++) {
		l->subs[i].seed = SUBSET_SEED;
		if (args.subset >= 0)
			l->subs[i].n = args.subset;
		if (args.subset_corpus > 0)
			l->subs[i].corpus = args.subset_corpus;
	}
	return CLI_EXIT_OK;
}

/* ---- the command ------------------------------------------------------------ */

/* The embedding cache of the backend's identity, or NULL (off, or not usable: warned). */
static struct embed_cache *open_cache(const struct embedder_identity *id)
{
	if (args.no_cache)
		return NULL;
	char *root = args.cache_dir ? ce_strdup(args.cache_dir) : embed_cache_default_root();
	struct ce_err cerr;
	ce_err_clear(&cerr);
	struct embed_cache *cache = root ? embed_cache_open(root, id, &cerr) : NULL;
	if (!cache)
		ce_log(CE_LOG_WARN, "%s; running without the embedding cache", root ? cerr.msg : "out of memory");
	else
		ce_log(CE_LOG_INFO, "embedding cache: %s", embed_cache_dir(cache));
	ce_free(root);
	return cache;
}

/* Run every task and print the summary; returns the exit code. */
static int run_tasks(const struct task_list *l, const struct run_ctx *rc, const struct cached_embedder *cached,
		     const struct embed_cache *cache)
{
	int rc_exit = CLI_EXIT_OK;
	size_t n_rows_max = (size_t)l->n + 1;
	for (int i = 0; i < l->n; i++)
		n_rows_max += (size_t)l->tasks[i]->n_parts;
	struct task_row *rows = ce_calloc(n_rows_max, sizeof *rows);
	if (!rows)
		return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
	int n_rows = 0;
	struct ce_err err;
	for (int i = 0; i < l->n; i++) {
		if (cli_interrupted)
			break;
		ce_err_clear(&err);
		const struct task *t = l->tasks[i];
		int at = n_rows;
		enum task_outcome o = t->n_parts > 0 ? run_aggregate(t, &l->subs[i], rc, &rows[n_rows], &err)
						     : run_task(t, &l->subs[i], rc, &rows[n_rows], &err);
		n_rows += 1 + t->n_parts;
		if (o == OUT_INTERRUPTED) /* an aggregate stopped between its parts */
			break;
		if (o == OUT_SKIPPED || o == OUT_FAILED) {
			if (cli_interrupted) {
				rows[at].outcome = OUT_INTERRUPTED;
				break;
			}
			int oom = err.code == CE_E_NOMEM;
			ce_log(CE_LOG_ERROR, "%s: %s%s", l->tasks[i]->name, err.msg[0] ? err.msg : ce_status_str(err.code),
			       oom ? " (stopping the run; finished tasks are kept)"
			       : o == OUT_SKIPPED ? " (skipped; the other tasks continue)" : "");
			if (rc_exit == CLI_EXIT_OK)
				rc_exit = CLI_EXIT_DATA;
			if (oom) { /* the next task would only fail the same way, or worse */
				cli_out_of_memory = 1;
				break;
			}
		} else if (!args.quiet && !rc->rs->tty) {
			ce_log(CE_LOG_INFO, "%s: %.2f", l->tasks[i]->name, rows[at].main * 100);
		}
	}
	print_summary(rows, n_rows, rc->model_name, stdout);
	fprintf(stdout, "Texts: %lld encoded, %lld from cache%s%s\n", (long long)cached->n_encoded,
		(long long)cached->n_from_cache, cache ? " " : " (cache off)", cache ? embed_cache_dir(cache) : "");
	if (cli_interrupted) {
		fprintf(stderr, "ceval: interrupted; finished tasks are saved under %s/%s%s%s. Run the same command "
				"again to resume.\n", args.output, rc->model_name, cache ? ", encoded texts under " : "",
			cache ? embed_cache_dir(cache) : "");
		rc_exit = CLI_EXIT_INTERRUPTED;
	}
	ce_free(rows);
	return rc_exit;
}

static int run_run(const struct cli_command *self, int argc, char **argv)
{
	memset(&args, 0, sizeof args);
	args.output = "results";
	args.precision = "f32";
	args.subset = -1;
	enum cli_parse_result pr = cli_parse(self, run_options(), argc, argv, NULL, 0, NULL);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (!args.suite && args.tasks.n == 0)
		return cli_usage_error(self, "give --suite NAME or --task NAME (see 'ceval list')");
	cli_apply_verbosity(args.quiet, args.verbose);
	args.data_dir = paths_data_dir(args.data_dir);
	int api_kind = 0;
	const char *api_name = NULL;
	if (backend_api_parse_model(args.model, &api_kind, &api_name)) {
		if (!*api_name)
			return cli_usage_error(self, "--model %s: give the model name after the colon", args.model);
		if (api_kind == 2 && !args.endpoint)
			return cli_usage_error(self, "--model %s needs --endpoint URL (e.g. http://127.0.0.1:8080/v1)",
					       args.model);
		if (api_kind == 1 && !getenv("OPENAI_API_KEY"))
			return cli_usage_error(self, "--model %s: set OPENAI_API_KEY", args.model);
	} else if (args.endpoint || args.dimensions) {
		return cli_usage_error(self, "--endpoint and --dimensions are for API models (--model api:NAME or "
					     "openai:NAME)");
	}
	struct encoder_options opt;
	if (!backend_local_options(&opt, args.batch_size, args.threads, args.max_length, args.precision))
		return cli_usage_error(self, "--precision must be f32 or bf16, got '%s'", args.precision);
	if (!args.compat_arg || strcmp(args.compat_arg, "r1") == 0 || strcmp(args.compat_arg, "R1") == 0)
		args.compat = CE_COMPAT_R1;
	else if (strcmp(args.compat_arg, "r3") == 0 || strcmp(args.compat_arg, "R3") == 0)
		args.compat = CE_COMPAT_R3;
	else
		return cli_usage_error(self, "--compat must be r1 or r3, got '%s'", args.compat_arg);

	struct ce_err err;
	ce_err_clear(&err);
	int rc = CLI_EXIT_OK;
	struct task_list list = {0};
	struct model_ref ref = {0};
	struct run_state rs = {0};
	struct backend_local *backend = NULL;
	struct backend_mpi *mpi_backend = NULL; /* under mpirun/srun: rank 0 hands batches to the other ranks */
	struct backend_api *api = NULL;
	struct embed_cache *cache = NULL;
	struct cached_embedder cached = {0};
	char *tasks_dir = paths_tasks_dir(args.tasks_dir);
	if (!tasks_dir)
		return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
	if ((rc = select_tasks(self, tasks_dir, &list)) != CLI_EXIT_OK)
		goto out;
	if (hub_fetch_tasks_data(list.tasks, list.n, args.data_dir, args.offline, args.quiet, &err) != CE_OK) {
		rc = cli_report(&err);
		goto out;
	}
	rs.tty = isatty(2) && !args.quiet;
	const char *kill_env = getenv("CEVAL_TEST_KILL_AFTER_BATCHES");
	rs.kill_after = kill_env ? strtol(kill_env, NULL, 10) : 0;
	opt.progress = run_progress;
	opt.progress_user = &rs;
	struct embedder *base = NULL;
	int64_t chunk_texts = 0;
	if (api_kind) {
		/* an API model: no model files; the known-model table still gives the query instruction */
		ref.known = known_model_find(api_name);
		struct backend_api_opts ao;
		backend_api_opts_for(&ao, api_kind, api_name, args.endpoint, args.dimensions, args.concurrency, args.api_batch,
				     args.api_max_chars);
		ao.progress = run_progress;
		ao.progress_user = &rs;
		ao.phase_fn = run_set_phase;
		ao.phase_user = &rs;
		cli_install_sigint();
		api = backend_api_open(&ao, &err);
		if (!api) {
			rc = cli_report(&err);
			goto out;
		}
		rs.api = api;
		base = backend_api_embedder(api);
		/* a cache chunk = the requests in flight at once: stored as soon as they are all answered */
		chunk_texts = (int64_t)ao.batch * ao.concurrency;
	} else {
		if (hub_fetch_model_ref(args.model, NULL, args.offline, args.quiet, &ref, &err) != CE_OK) {
			rc = cli_report(&err);
			goto out;
		}
		ce_log(CE_LOG_INFO, "model %s: reading config.json, the tokenizer files and model.safetensors in %s",
		       args.model, ref.dir);
		cli_install_sigint();
		if (backend_mpi_active()) /* under mpirun/srun: rank 0 hands batches to the other ranks */
			mpi_backend = backend_mpi_open(ref.dir, ref.name, &opt, run_set_phase, &rs, &err);
		else
			backend = backend_local_open(ref.dir, ref.name, &opt, run_set_phase, &rs, &err);
		if (!backend && !mpi_backend) {
			rc = cli_report(&err);
			goto out;
		}
		base = mpi_backend ? backend_mpi_embedder(mpi_backend) : backend_local_embedder(backend);
	}
	ce_log(CE_LOG_INFO, "%s", base->id->describe);
	cache = open_cache(base->id);
	cached_embedder_init(&cached, base, cache, chunk_texts);
	/* several chunks per call under MPI: 8 batches per chunk would leave ranks
	 * idle at the end of every chunk (bench/mpi_scale.sh: 1.80x -> see README) */
	if (mpi_backend)
		cached.group_chunks = 4 * (int64_t)backend_mpi_ranks(mpi_backend);
	rs.cached = &cached;
	const char *instr = args.no_instruction ? "" : model_ref_query_instruction(&ref, args.query_instruction);
	if (*instr)
		ce_log(CE_LOG_INFO, "query instruction for retrieval/reranking: \"%s\"", instr);
	struct run_ctx rctx = {base->id, &cached.emb, &rs, base->id->name, args.data_dir, instr};
	rc = run_tasks(&list, &rctx, &cached, cache);
out:
	embed_cache_close(cache);
	if (api && !args.quiet) {
		int64_t nreq, nretry, ntext;
		backend_api_stats(api, &nreq, &nretry, &ntext);
		ce_log(CE_LOG_INFO, "API: %lld requests, %lld retries, %lld texts", (long long)nreq, (long long)nretry,
		       (long long)ntext);
	}
	backend_api_close(api);
	backend_local_close(backend);
	backend_mpi_close(mpi_backend);
	model_ref_free(&ref);
	task_list_free(&list);
	ce_free(tasks_dir);
	return rc;
}

const struct cli_command cmd_run = {
	"run",
	"Evaluate a model on a suite of tasks and write MTEB-format results",
	"ceval run --model DIR|NAME (--suite NAME | --task NAME...) [options]",
	"Embeds every text of each task with the built-in encoder (or, with --model api:NAME --endpoint URL or "
	"openai:NAME, an OpenAI-compatible embeddings API) and scores it with MTEB's definitions "
	"(C-MTEB 2023 semantics, \"R1\"; --compat r3 for mteb 2.x's). One results file per task is written to "
	"<output>/<model-name>/<Task>.json "
	"(MTEB 2.x shape). A task whose results file records the same identity (model files, precision, "
	"kernels, query instruction, task file, data, subset, scoring revision) is kept, so an interrupted run "
	"resumes where it stopped; otherwise one line says why it is recomputed. --overwrite recomputes. A task whose data is missing is reported and skipped, "
	"the others continue. An aggregate task (CQADupstackRetrieval) runs each of its parts as a task of its own, "
	"with its own results file, and writes the mean of their scores. Exit status: 0 all tasks scored, 3 some skipped or failed, 130 interrupted.",
	"ceval run --model ../shared/models/ceval-tiny-zh --suite cmteb-mini --data-dir ../shared/data\n"
	"ceval run --model bge-base-zh-v1.5 --suite cmteb --data-dir /data/cmteb --threads 8\n"
	"ceval run -m bge-small-zh-v1.5 --task T2Retrieval --task ATEC -d /data/cmteb",
	run_options,
	run_run,
};
