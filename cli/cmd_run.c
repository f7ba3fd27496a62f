/*
 * cmd_run.c - `ceval run`: evaluate a model on a suite (or single tasks),
 * writing one MTEB-shaped results file per task and a summary table.
 *
 * Resumable: a task whose results file exists for the same model fingerprint
 * is not recomputed (unless --overwrite).  A task whose data is missing or
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

#include "ce_alloc.h"
#include "ce_log.h"
#include "cli.h"
#include "data_loc.h"
#include "dataset.h"
#include "embed_cache.h"
#include "engine.h"
#include "evaluator.h"
#include "fs_util.h"
#include "hub_fetch.h"
#include "model_ref.h"
#include "paths.h"
#include "results.h"
#include "subset.h"
#include "task.h"

static struct {
	const char *model, *suite, *tasks_dir, *data_dir, *output, *query_instruction, *precision;
	const char *cache_dir;
	struct cli_list tasks;
	int batch_size, threads, max_length, overwrite, quiet, verbose, no_instruction, no_cache;
	int subset, subset_corpus, offline;
} args;

static const struct cli_opt *run_options(void)
{
	static const struct cli_opt opts[] = {
		{"model", 'm', CLI_OPT_STRING, &args.model, "DIR|NAME",
		 "Model folder (Hugging Face layout) or known name such as bge-base-zh-v1.5 (see 'ceval models').",
		 NULL, 0, 0, 1},
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

/* ---- progress + embedder over the encoder -------------------------------- */

struct run_state {
	struct encoder *enc;
	const char *task;
	const char *phase;
	int tty;
	struct timespec phase_start;
	int64_t texts_embedded;
	struct cached_embedder *cached; /* the embedder evaluators get (cache in front of run_embed) */
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
	if (rs->cached && rs->cached->miss_total > 0) { /* the encoder sees one cache chunk at a time */
		done += rs->cached->miss_done;
		total = rs->cached->miss_total;
	}
	if (rs->tty && total > 0) {
		double secs = elapsed_since(&rs->phase_start);
		double rate = secs > 0 ? (double)done / secs : 0;
		double left = rate > 0 ? (double)(total - done) / rate : 0;
		fprintf(stderr, "\r\033[K%s: %s %lld/%lld texts, %.0f texts/s, %.0fs left", rs->task, rs->phase,
			(long long)done, (long long)total, rate, left);
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

static enum ce_status run_embed(void *self, const char *const *texts, int64_t n, float *out, struct ce_err *err)
{
	struct run_state *rs = self;
	enum ce_status st = encoder_embed(rs->enc, texts, n, out, err);
	if (rs->tty)
		fputs("\r\033[K", stderr);
	rs->texts_embedded += n;
	return st;
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
};

static enum task_outcome run_task(const struct task *t, const struct subset_spec *sub, const struct model_ref *ref,
				  struct run_state *rs, const char *data_dir, const char *instr, struct task_row *row,
				  struct ce_err *err)
{
	struct encoder *enc = rs->enc;
	row->name = t->name;
	row->type = task_type_name(t->type);
	snprintf(row->split, sizeof row->split, "%s", t->eval_splits[0]);
	row->main = NAN;

	if (!args.overwrite && results_exists(args.output, ref->name, t->name)) {
		struct task_result old;
		task_result_init(&old);
		char *p = results_path(args.output, ref->name, t->name, NULL);
		enum ce_status st = p ? results_read_file(p, &old, err) : CE_E_NOMEM;
		int same = st == CE_OK && old.has_ceval && old.model_fingerprint &&
			   strcmp(old.model_fingerprint, encoder_fingerprint(enc)) == 0 && old.n_scores > 0 &&
			   subset_record_matches(&old, t, sub);
		if (same) {
			row->main = old.scores[0].main_score;
			row->outcome = OUT_CACHED;
			snprintf(row->note, sizeof row->note, "kept %s", p);
		} else {
			ce_log(CE_LOG_WARN, "%s: existing %s is %s; recomputing", t->name, p ? p : "results",
			       st != CE_OK ? "unreadable" : "from another model fingerprint or subset");
		}
		ce_free(p);
		task_result_deinit(&old);
		if (same)
			return OUT_CACHED;
	}

	const struct evaluator *ev = evaluator_for(t->type);
	struct task_result res;
	task_result_init(&res);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum task_outcome outcome = OUT_DONE;
	enum ce_status st = task_result_set_task(&res, t, err);
	for (int32_t s = 0; st == CE_OK && s < t->n_eval_splits; s++) {
		struct dataset *ds = NULL;
		struct data_found df;
		st = data_locate(t, data_dir, &df, err);
		ce_log(CE_LOG_DEBUG, "%s: loading split %s from %s", t->name, t->eval_splits[s],
		       df.hub ? df.snapshot : df.dir ? df.dir : "?");
		if (st == CE_OK)
			st = dataset_load_at(t, &df.loc, t->eval_splits[s], &ds, err);
		if (st == CE_OK && s == 0 && df.hub) { /* results record the repos and revisions read */
			char src[600];
			data_found_source(&df, src, sizeof src);
			st = task_result_set_str(&res.dataset_source, src, err);
		}
		data_found_free(&df);
		struct subset_info si;
		if (st == CE_OK && (st = subset_apply(ds, t, sub, &si, err)) == CE_OK && s == 0)
			st = subset_record(&res, &si, err);
		if (st != CE_OK) {
			dataset_free(ds);
			outcome = st == CE_E_NOT_FOUND ? OUT_SKIPPED : OUT_FAILED;
			break;
		}
		struct eval_ctx ctx = {
			.task = t,
			.emb = &rs->cached->emb,
			.query_instruction = t->query_instruction ? instr : "",
			.threads = args.threads,
		};
		struct metric_set ms;
		metric_set_init(&ms);
		rs->task = t->name;
		st = ev->run(&ctx, ds, &ms, err);
		if (st == CE_OK)
			st = task_result_add_split(&res, t, t->eval_splits[s], &ms, err);
		metric_set_deinit(&ms);
		if (st == CE_OK && s == 0) {
			char hex[17];
			dataset_hash_hex(ds, hex);
			st = task_result_set_str(&res.dataset_hash, hex, err);
		}
		dataset_free(ds);
		if (st != CE_OK)
			outcome = OUT_FAILED;
	}
	row->secs = elapsed_since(&t0);
	if (st == CE_OK) {
		char date[21];
		results_now_iso8601(date);
		res.evaluation_time = row->secs;
		res.has_ceval = 1;
		res.model_dim = encoder_dim(enc);
		res.model_max_seq_length = encoder_max_seq_length(enc);
		if ((st = task_result_set_str(&res.date, date, err)) == CE_OK &&
		    (st = task_result_set_str(&res.ceval_version, cli_version, err)) == CE_OK &&
		    (st = task_result_set_str(&res.compat, "R1", err)) == CE_OK &&
		    (st = task_result_set_str(&res.model_name, ref->name, err)) == CE_OK &&
		    (st = task_result_set_str(&res.model_fingerprint, encoder_fingerprint(enc), err)) == CE_OK &&
		    (st = task_result_set_str(&res.query_instruction, t->query_instruction && *instr ? instr : NULL,
					      err)) == CE_OK) {
			char *path = NULL;
			st = results_write(args.output, &res, &path, err);
			if (st == CE_OK) {
				row->main = res.scores[0].main_score;
				snprintf(row->note, sizeof row->note, "%s", path);
			}
			ce_free(path);
		}
		if (st != CE_OK)
			outcome = OUT_FAILED;
	}
	if (outcome != OUT_DONE)
		snprintf(row->note, sizeof row->note, "%s", err->msg);
	task_result_deinit(&res);
	row->outcome = outcome;
	return outcome;
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
		char score[32] = "-", secs[32] = "-";
		if (!isnan(r->main)) {
			snprintf(score, sizeof score, "%.2f", r->main * 100.0);
			sum += r->main * 100.0;
			n_ok++;
		} else {
			n_bad++;
		}
		if (r->outcome == OUT_DONE)
			snprintf(secs, sizeof secs, "%.1fs", r->secs);
		fprintf(out, "%-34s %-20s %-10s %8s %8s  %s\n", r->name, r->type, r->split, score, secs, status);
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
	struct encoder_options opt;
	encoder_options_init(&opt);
	opt.batch_size = args.batch_size;
	opt.threads = args.threads;
	opt.max_seq_length = args.max_length;
	if (strcmp(args.precision, "f32") == 0)
		opt.precision = ENCODER_PRECISION_F32;
	else if (strcmp(args.precision, "bf16") == 0)
		opt.precision = ENCODER_PRECISION_BF16;
	else
		return cli_usage_error(self, "--precision must be f32 or bf16, got '%s'", args.precision);

	struct ce_err err;
	ce_err_clear(&err);
	int rc = CLI_EXIT_OK;
	struct suite *suite = NULL;
	struct task **tasks = NULL;
	int n_tasks = 0;
	struct task_row *rows = NULL;
	struct model_ref ref = {0};
	struct run_state rs = {0};
	struct embed_cache *cache = NULL;
	struct embedder base_emb = {run_embed, &rs, 0, run_set_phase};
	struct cached_embedder cached = {0};
	char *tasks_dir = paths_tasks_dir(args.tasks_dir);
	if (!tasks_dir)
		return cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});

	/* tasks: the suite's, filtered by --task; or --task alone */
	char *task_names[256];
	int n_names = 0;
	for (int i = 0; i < args.tasks.n; i++) {
		char *copy = ce_strdup(args.tasks.items[i]);
		for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && n_names < 256;
		     tok = strtok_r(NULL, ",", &save))
			task_names[n_names++] = ce_strdup(tok);
		ce_free(copy);
	}
	tasks = ce_calloc(256 + 512, sizeof *tasks);
	struct task **owned = ce_calloc(256, sizeof *owned);
	struct subset_spec *subs = ce_calloc(256 + 512, sizeof *subs);
	if (!tasks || !owned || !subs) {
		rc = cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
		goto out;
	}
	if (args.suite) {
		if (suite_load(tasks_dir, args.suite, &suite, &err) != CE_OK) {
			cli_suggest_suite(tasks_dir, args.suite, &err);
			rc = cli_report(&err);
			goto out;
		}
		for (int32_t i = 0; i < suite->n_tasks && n_tasks < 768; i++) {
			int want = n_names == 0;
			for (int k = 0; k < n_names && !want; k++)
				want = strcmp(task_names[k], suite->tasks[i]->name) == 0;
			if (want) {
				subs[n_tasks] = (struct subset_spec){suite->subset_n[i], suite->subset_corpus[i], SUBSET_SEED};
				tasks[n_tasks++] = suite->tasks[i];
			}
		}
		for (int k = 0; k < n_names; k++) {
			int found = 0;
			for (int i = 0; i < n_tasks && !found; i++)
				found = strcmp(tasks[i]->name, task_names[k]) == 0;
			if (!found) {
				const char *names[768];
				for (int32_t i = 0; i < suite->n_tasks && i < 768; i++)
					names[i] = suite->tasks[i]->name;
				char hint[300];
				rc = cli_usage_error(self, "task '%s' is not in suite '%s'%s", task_names[k], suite->name,
						     cli_suggest_among(task_names[k], names, suite->n_tasks < 768 ? suite->n_tasks : 768,
								       hint, sizeof hint));
				goto out;
			}
		}
	} else {
		for (int k = 0; k < n_names; k++) {
			char *path = NULL;
			if (task_find_file(tasks_dir, task_names[k], &path, &err) != CE_OK ||
			    task_load_file(path, &owned[k], &err) != CE_OK) {
				if (!path)
					cli_suggest_task(tasks_dir, task_names[k], &err);
				ce_free(path);
				rc = cli_report(&err);
				goto out;
			}
			ce_free(path);
			tasks[n_tasks++] = owned[k];
		}
	}

	for (int i = 0; i < n_tasks; i++) {
		subs[i].seed = SUBSET_SEED;
		if (args.subset >= 0)
			subs[i].n = args.subset;
		if (args.subset_corpus > 0)
			subs[i].corpus = args.subset_corpus;
	}
	if (hub_fetch_model_ref(args.model, NULL, args.offline, args.quiet, &ref, &err) != CE_OK) {
		rc = cli_report(&err);
		goto out;
	}
	ce_log(CE_LOG_INFO, "model %s: reading config.json, the tokenizer files and model.safetensors in %s", args.model, ref.dir);
	rs.tty = isatty(2) && !args.quiet;
	const char *kill_env = getenv("CEVAL_TEST_KILL_AFTER_BATCHES");
	rs.kill_after = kill_env ? strtol(kill_env, NULL, 10) : 0;
	opt.progress = run_progress;
	opt.progress_user = &rs;
	cli_install_sigint();
	rs.enc = encoder_open(ref.dir, &opt, &err);
	if (!rs.enc) {
		rc = cli_report(&err);
		goto out;
	}
	ce_log(CE_LOG_INFO, "%s", encoder_describe(rs.enc));
	if (!args.no_cache) {
		char *root = args.cache_dir ? ce_strdup(args.cache_dir) : embed_cache_default_root();
		long cpus = sysconf(_SC_NPROCESSORS_ONLN); /* as encoder_open resolves --threads 0 */
		struct embed_cache_key key = {encoder_fingerprint(rs.enc), args.precision, encoder_max_seq_length(rs.enc),
					      encoder_dim(rs.enc), args.batch_size ? args.batch_size : 32,
					      args.threads ? args.threads : cpus > 0 ? (int32_t)cpus : 1,
					      encoder_kernels(rs.enc)};
		struct ce_err cerr;
		ce_err_clear(&cerr);
		cache = root ? embed_cache_open(root, &key, &cerr) : NULL;
		if (!cache)
			ce_log(CE_LOG_WARN, "%s; running without the embedding cache", root ? cerr.msg : "out of memory");
		else
			ce_log(CE_LOG_INFO, "embedding cache: %s", embed_cache_dir(cache));
		ce_free(root);
	}
	cached_embedder_init(&cached, &base_emb, cache, (int64_t)(args.batch_size ? args.batch_size : 32) * 8);
	base_emb.dim = cached.emb.dim = encoder_dim(rs.enc);
	rs.cached = &cached;
	const char *instr = args.no_instruction ? "" : model_ref_query_instruction(&ref, args.query_instruction);
	if (*instr)
		ce_log(CE_LOG_INFO, "query instruction for retrieval/reranking: \"%s\"", instr);

	rows = ce_calloc((size_t)(n_tasks ? n_tasks : 1), sizeof *rows);
	if (!rows) {
		rc = cli_report(&(struct ce_err){CE_E_NOMEM, "out of memory"});
		goto out;
	}
	int n_rows = 0;
	for (int i = 0; i < n_tasks; i++) {
		if (cli_interrupted)
			break;
		ce_err_clear(&err);
		enum task_outcome o = run_task(tasks[i], &subs[i], &ref, &rs, args.data_dir, instr, &rows[n_rows], &err);
		n_rows++;
		if (o == OUT_SKIPPED || o == OUT_FAILED) {
			if (cli_interrupted) {
				rows[n_rows - 1].outcome = OUT_INTERRUPTED;
				break;
			}
			int oom = err.code == CE_E_NOMEM;
			ce_log(CE_LOG_ERROR, "%s: %s%s", tasks[i]->name, err.msg[0] ? err.msg : ce_status_str(err.code),
			       oom ? " (stopping the run; finished tasks are kept)"
			       : o == OUT_SKIPPED ? " (skipped; the other tasks continue)" : "");
			if (rc == CLI_EXIT_OK)
				rc = CLI_EXIT_DATA;
			if (oom) { /* the next task would only fail the same way, or worse */
				cli_out_of_memory = 1;
				break;
			}
		} else if (!args.quiet && !rs.tty) {
			ce_log(CE_LOG_INFO, "%s: %.2f", tasks[i]->name, rows[n_rows - 1].main * 100);
		}
	}
	print_summary(rows, n_rows, ref.name, stdout);
	fprintf(stdout, "Texts: %lld encoded, %lld from cache%s%s\n", (long long)cached.n_encoded,
		(long long)cached.n_from_cache, cache ? " " : " (cache off)", cache ? embed_cache_dir(cache) : "");
	if (cli_interrupted) {
		fprintf(stderr, "ceval: interrupted; finished tasks are saved under %s/%s%s%s. Run the same command "
				"again to resume.\n", args.output, ref.name, cache ? ", encoded texts under " : "",
			cache ? embed_cache_dir(cache) : "");
		rc = CLI_EXIT_INTERRUPTED;
	}
out:
	embed_cache_close(cache);
	encoder_close(rs.enc);
	model_ref_free(&ref);
	ce_free(rows);
	for (int k = 0; k < n_names; k++) {
		ce_free(task_names[k]);
		if (owned)
			task_free(owned[k]);
	}
	ce_free(owned);
	ce_free(subs);
	ce_free(tasks);
	suite_free(suite);
	ce_free(tasks_dir);
	return rc;
}

const struct cli_command cmd_run = {
	"run",
	"Evaluate a model on a suite of tasks and write MTEB-format results",
	"ceval run --model DIR|NAME (--suite NAME | --task NAME...) [options]",
	"Embeds every text of each task with the built-in encoder and scores it with MTEB's definitions "
	"(C-MTEB 2023 semantics, \"R1\"). One results file per task is written to <output>/<model-name>/<Task>.json "
	"(MTEB 2.x shape). Tasks that already have results for the same model are kept, so an interrupted run "
	"resumes where it stopped; --overwrite recomputes. A task whose data is missing is reported and skipped, "
	"the others continue. Exit status: 0 all tasks scored, 3 some skipped or failed, 130 interrupted.",
	"ceval run --model ../shared/models/ceval-tiny-zh --suite cmteb-mini --data-dir ../shared/data\n"
	"ceval run --model bge-base-zh-v1.5 --suite cmteb --data-dir /data/cmteb --threads 8\n"
	"ceval run -m bge-small-zh-v1.5 --task T2Retrieval --task ATEC -d /data/cmteb",
	run_options,
	run_run,
};
