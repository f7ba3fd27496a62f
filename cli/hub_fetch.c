/*
 * hub_fetch.c - what of a hub repo ceval needs (hub_fetch.h): a model's files,
 * the data files of the configs and splits a task reads (from the dataset
 * card), and fetching them on demand for `ceval run`.
 */
#include "hub_fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ce_alloc.h"
#include "ce_log.h"
#include "fs_util.h"
#include "hub_cache.h"
#include "hub_layout.h"

/* ---- models ------------------------------------------------------------ */

static int has_path(const struct hub_repo_info *info, const char *path)
{
	for (int32_t i = 0; i < info->n_files; i++)
		if (strcmp(info->files[i].path, path) == 0)
			return 1;
	return 0;
}

static int starts_ends(const char *s, const char *pre, const char *suf)
{
	size_t ls = strlen(s), lp = strlen(pre), lx = strlen(suf);
	return ls >= lp + lx && strncmp(s, pre, lp) == 0 && strcmp(s + ls - lx, suf) == 0;
}

/* Files a model folder may have and ceval reads when present (sentence-transformers and tokenizer files). */
static const char *const model_optional[] = {
	"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "modules.json",
	"sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json", NULL,
};

int hub_fetch_model_select(const struct hub_repo_info *info, const struct hub_file *file, void *user)
{
	(void)user;
	const char *p = file->path;
	if (strcmp(p, "config.json") == 0 || strcmp(p, "vocab.txt") == 0)
		return 1;
	for (int i = 0; model_optional[i]; i++)
		if (strcmp(p, model_optional[i]) == 0)
			return 1;
	const char *us = strstr(p, "_Pooling/config.json"); /* 1_Pooling/config.json */
	if (us && strcmp(us, "_Pooling/config.json") == 0 && !memchr(p, '/', (size_t)(us - p)))
		return 1;
	if (has_path(info, "model.safetensors"))
		return strcmp(p, "model.safetensors") == 0;
	if (has_path(info, "model.safetensors.index.json"))
		return strcmp(p, "model.safetensors.index.json") == 0 ||
		       (starts_ends(p, "model-", ".safetensors") && !strchr(p, '/'));
	return strcmp(p, "pytorch_model.bin") == 0 || strcmp(p, "pytorch_model.bin.index.json") == 0 ||
	       (starts_ends(p, "pytorch_model-", ".bin") && !strchr(p, '/'));
}

/* ---- fetching one repo ---------------------------------------------------- */

int hub_fetch_offline(int offline_flag)
{
	return offline_flag || hub_offline();
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void hub_fetch_human_bytes(double b, char *out, size_t cap)
{
	const char *u[] = {"B", "kB", "MB", "GB", "TB"};
	int i = 0;
	while (b >= 1000 && i < 4)
		b /= 1000, i++;
	snprintf(out, cap, i == 0 ? "%.0f %s" : "%.1f %s", b, u[i]);
}

enum ce_status hub_fetch_repo(struct hub_client *c, enum hub_repo_type type, const char *repo_id, const char *revision,
			      hub_select_fn select, void *user, int summary, char commit[41], int64_t *n_downloaded,
			      struct ce_err *err)
{
	commit[0] = '\0';
	if (n_downloaded)
		*n_downloaded = 0;
	const char *kind = type == HUB_REPO_DATASET ? "dataset" : "model";
	const char *rev = revision ? revision : "main";
	double t0 = now_s();
	struct hub_repo_info info;
	enum ce_status s = hub_repo_info_fetch(c, type, repo_id, revision, &info, err);
	char *repo_dir = s == CE_OK ? hub_cache_repo_dir(hub_client_cache_root(c), type, repo_id) : NULL;
	if (s == CE_OK && !repo_dir)
		s = ce_err_set(err, CE_E_NOMEM, "out of memory");
	int64_t got = 0;
	int n_files = 0;
	for (int32_t i = 0; s == CE_OK && i < info.n_files; i++) {
		if (select && !select(&info, &info.files[i], user))
			continue;
		int64_t one = 0;
		s = hub_download_file(c, type, repo_id, info.commit, info.files[i].path, &one, err);
		got += one;
		n_files++;
	}
	/* a model's optional files that the repo lacks: .no_exist markers, as huggingface_hub leaves
	 * after its 404s, so that offline tools know they are absent rather than not yet fetched */
	for (int i = 0; s == CE_OK && type == HUB_REPO_MODEL && model_optional[i]; i++)
		if (!has_path(&info, model_optional[i]))
			s = hub_cache_mark_absent(repo_dir, info.commit, model_optional[i], err);
	if (s == CE_OK && !hub_is_commit(rev))
		s = hub_cache_write_ref(repo_dir, rev, info.commit, err);
	if (s == CE_OK) {
		memcpy(commit, info.commit, 41);
		if (n_downloaded)
			*n_downloaded = got;
		if (summary && ce_log_get_level() >= CE_LOG_WARN) {
			double t = now_s() - t0;
			char sz[32], rt[32];
			hub_fetch_human_bytes((double)got, sz, sizeof sz);
			hub_fetch_human_bytes(t > 0 ? (double)got / t : 0, rt, sizeof rt);
			fprintf(stderr, "ceval: %s %s@%s: commit %s, %d file(s), %s downloaded in %.1fs (%s/s)\n", kind,
				repo_id, rev, info.commit, n_files, sz, t, rt);
		}
	}
	ce_free(repo_dir);
	hub_repo_info_deinit(&info);
	return s;
}

enum ce_status hub_fetch_model_ref(const char *arg, const char *revision, int offline, int quiet, struct model_ref *ref,
				   struct ce_err *err)
{
	enum ce_status s = model_ref_resolve(arg, ref, err);
	if (s != CE_E_NOT_FOUND || fs_is_dir(arg))
		return s;
	const struct known_model *km = known_model_find(arg);
	const char *hub_id = km ? km->hub_id : arg;
	if (!km && (!strchr(arg, '/') || !hub_repo_id_is_valid(arg)))
		return s; /* not a hub id: the not-found message stands */
	if (hub_fetch_offline(offline)) {
		ce_err_prefix(err, "offline (--offline or HF_HUB_OFFLINE=1), so nothing is downloaded");
		return CE_E_NOT_FOUND;
	}
	ce_log(CE_LOG_WARN, "model %s is not cached: downloading %s", arg, hub_id);
	struct hub_client_opts o = {0};
	o.progress = !quiet;
	struct hub_client *c = hub_client_create(&o, err);
	if (!c)
		return err ? err->code : CE_E_IO;
	char commit[41];
	s = hub_fetch_repo(c, HUB_REPO_MODEL, hub_id, revision, hub_fetch_model_select, NULL, 0, commit, NULL, err);
	hub_client_free(c);
	if (s != CE_OK)
		return s;
	return model_ref_resolve(arg, ref, err);
}

/* ---- which files of a dataset repo a task reads -------------------------- */

#define WANT_MAX (TASK_MAX_SPLITS * 4 + 8)

struct want {
	char config[128];
	char split[128];
	int exact; /* the split must match by name (find_want) */
};

static void want_add(struct want *w, int *n, const char *config, const char *split, int exact)
{
	if (*n >= WANT_MAX || strlen(config) >= sizeof w->config || strlen(split) >= sizeof w->split)
		return;
	for (int i = 0; i < *n; i++)
		if (strcmp(w[i].config, config) == 0 && strcmp(w[i].split, split) == 0)
			return;
	snprintf(w[*n].config, sizeof w->config, "%s", config);
	snprintf(w[*n].split, sizeof w->split, "%s", split);
	w[*n].exact = exact;
	(*n)++;
}

/*
 * The (config, split) pairs a task reads from one of its repos (qrels: its
 * -qrels repo), given what the repo's layout declares:
 *  - MTEB 2.x copies (mteb/...: configs corpus, queries, default): corpus and
 *    queries (either under the eval split's name or their own), the qrels in
 *    default at the eval splits, and top_ranked for reranking; with a
 *    language subset the configs are "<subset>-corpus" etc.;
 *  - C-MTEB v1 repos (one default config, splits named by file): the eval
 *    splits, train for classification; for retrieval with a -qrels repo the
 *    corpus and queries splits here and the eval splits there.
 */
static int task_wants(const struct task *t, int qrels, const struct hub_layout *l, struct want *w)
{
	int n = 0;
	const char *subset = t->hf_subset && strcmp(t->hf_subset, "default") != 0 ? t->hf_subset : NULL;
	char pfx[128] = "";
	if (subset)
		snprintf(pfx, sizeof pfx, "%s-", subset);
	char cfg[256];
	if (qrels) {
		for (int32_t i = 0; i < t->n_eval_splits; i++)
			want_add(w, &n, "default", t->eval_splits[i], 1);
		return n;
	}
	snprintf(cfg, sizeof cfg, "%scorpus", pfx);
	int v2 = (t->type == TASK_TYPE_RETRIEVAL || t->type == TASK_TYPE_RERANKING) && hub_layout_has_config(l, cfg);
	if (v2) {
		static const char *const parts[] = {"corpus", "queries", "default", "top_ranked", NULL};
		for (int k = 0; parts[k]; k++) {
			if (strcmp(parts[k], "top_ranked") == 0 && t->type != TASK_TYPE_RERANKING)
				continue;
			if (strcmp(parts[k], "default") == 0)
				snprintf(cfg, sizeof cfg, "%s", subset ? subset : "default");
			else
				snprintf(cfg, sizeof cfg, "%s%s", pfx, parts[k]);
			if (strcmp(parts[k], "queries") == 0 && !hub_layout_has_config(l, cfg))
				snprintf(cfg, sizeof cfg, "%squery", pfx); /* some repos name it so */
			if (strcmp(parts[k], "top_ranked") == 0 && !hub_layout_has_config(l, cfg))
				continue; /* optional */
			for (int32_t i = 0; i < t->n_eval_splits; i++)
				want_add(w, &n, cfg, t->eval_splits[i], strcmp(parts[k], "default") == 0);
		}
		return n;
	}
	snprintf(cfg, sizeof cfg, "%s", subset && hub_layout_has_config(l, subset) ? subset : "default");
	if (t->type == TASK_TYPE_RETRIEVAL) {
		want_add(w, &n, cfg, "corpus", 1);
		want_add(w, &n, cfg, "queries", 1);
		if (t->qrels_hf_id)
			return n; /* the qrels are in the other repo */
	}
	for (int32_t i = 0; i < t->n_eval_splits; i++)
		want_add(w, &n, cfg, t->eval_splits[i], 1);
	if (t->type == TASK_TYPE_CLASSIFICATION && t->train_split)
		want_add(w, &n, cfg, t->train_split, 1);
	return n;
}

/* The files of a wanted (config, split).  Splits of the data config (default, or the
 * subset's) must match by name: a v1 repo's only split "test" is not its "train".  The
 * corpus, queries and top_ranked configs of v2 repos may name their one split anything. */
static const struct hub_split *find_want(const struct hub_layout *l, const struct want *w, int exact)
{
	const struct hub_split *s = hub_layout_find(l, w->config, w->split);
	if (s && exact && strcmp(s->split, w->split) != 0)
		return NULL;
	return s;
}

void hub_pick_deinit(struct hub_pick *p)
{
	if (!p)
		return;
	for (int32_t i = 0; i < p->n; i++)
		ce_free(p->paths[i]);
	ce_free(p->paths);
	memset(p, 0, sizeof *p);
}

static enum ce_status pick_add(struct hub_pick *p, const char *path, struct ce_err *err)
{
	for (int32_t i = 0; i < p->n; i++)
		if (strcmp(p->paths[i], path) == 0)
			return CE_OK;
	char **v = ce_realloc(p->paths, (size_t)(p->n + 1) * sizeof *v);
	if (!v)
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	p->paths = v;
	if (!(p->paths[p->n] = ce_strdup(path)))
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	p->n++;
	return CE_OK;
}

int hub_pick_select(const struct hub_repo_info *info, const struct hub_file *file, void *user)
{
	(void)info;
	const struct hub_pick *p = user;
	for (int32_t i = 0; i < p->n; i++)
		if (strcmp(p->paths[i], file->path) == 0)
			return 1;
	return 0;
}

static int is_data_file(const char *path)
{
	static const char *const ext[] = {".parquet", ".jsonl", ".json", ".csv", ".tsv", ".arrow", ".txt", NULL};
	static const char *const comp[] = {"", ".gz", ".zst", ".bz2", ".xz", NULL};
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (base[0] == '.' || strcmp(base, "dataset_infos.json") == 0 || strcmp(base, "dataset_dict.json") == 0 ||
	    strcmp(base, "README.md") == 0)
		return 0;
	for (int i = 0; ext[i]; i++)
		for (int k = 0; comp[k]; k++) {
			char suf[32];
			snprintf(suf, sizeof suf, "%s%s", ext[i], comp[k]);
			if (starts_ends(path, "", suf))
				return 1;
		}
	return 0;
}

enum ce_status hub_fetch_dataset_plan(struct hub_client *c, const struct task *t, int qrels,
				      const struct hub_repo_info *info, struct hub_pick *pick, struct ce_err *err)
{
	memset(pick, 0, sizeof *pick);
	const char *repo = qrels ? t->qrels_hf_id : t->hf_id;
	char *card = NULL;
	size_t card_len = 0;
	enum ce_status s = CE_OK;
	/* the card first: its configs: say which files hold which split */
	if (has_path(info, "README.md")) {
		s = hub_download_file(c, HUB_REPO_DATASET, repo, info->commit, "README.md", NULL, err);
		char *rd = s == CE_OK ? hub_cache_repo_dir(hub_client_cache_root(c), HUB_REPO_DATASET, repo) : NULL;
		char *snap = rd ? hub_cache_snapshot_dir(rd, info->commit) : NULL;
		char *p = snap ? fs_join(snap, "README.md") : NULL;
		if (s == CE_OK && !p)
			s = ce_err_set(err, CE_E_NOMEM, "out of memory");
		if (s == CE_OK)
			s = fs_read_file(p, (size_t)4 << 20, &card, &card_len, err);
		ce_free(p);
		ce_free(snap);
		ce_free(rd);
		if (s == CE_OK)
			s = pick_add(pick, "README.md", err);
	}
	const char **paths = s == CE_OK ? ce_calloc((size_t)(info->n_files ? info->n_files : 1), sizeof *paths) : NULL;
	if (s == CE_OK && !paths)
		s = ce_err_set(err, CE_E_NOMEM, "out of memory");
	for (int32_t i = 0; s == CE_OK && i < info->n_files; i++)
		paths[i] = info->files[i].path;
	struct hub_layout *l = NULL;
	if (s == CE_OK)
		s = hub_layout_from_list(repo, paths, info->n_files, card, card_len, &l, err);
	ce_free(paths);
	ce_free(card);
	if (s != CE_OK) {
		hub_pick_deinit(pick);
		return s;
	}
	struct want w[WANT_MAX];
	int n_want = task_wants(t, qrels, l, w);
	char missing[512] = "";
	size_t mo = 0;
	int n_data = 0;
	size_t skip = strlen(repo) + 1;
	for (int i = 0; s == CE_OK && i < n_want; i++) {
		const struct hub_split *sp = find_want(l, &w[i], w[i].exact);
		if (!sp || sp->n_files == 0) {
			if (mo < sizeof missing)
				mo += (size_t)snprintf(missing + mo, sizeof missing - mo, "%s%s/%s", mo ? ", " : "",
						       w[i].config, w[i].split);
			continue;
		}
		for (int32_t k = 0; s == CE_OK && k < sp->n_files; k++, n_data++)
			s = pick_add(pick, sp->files[k] + skip, err);
	}
	hub_layout_free(l);
	if (s == CE_OK && n_data == 0) {
		ce_log(CE_LOG_WARN,
		       "%s: neither the dataset card nor the file names say which files hold %s; fetching every data file",
		       repo, missing[0] ? missing : "the task's splits");
		for (int32_t i = 0; s == CE_OK && i < info->n_files; i++)
			if (is_data_file(info->files[i].path))
				s = pick_add(pick, info->files[i].path, err);
	} else if (s == CE_OK && missing[0]) {
		ce_log(CE_LOG_WARN, "%s: no files for config/split %s (task %s)", repo, missing, t->name);
	}
	if (s != CE_OK)
		hub_pick_deinit(pick);
	return s;
}

/* ---- ceval run: fetch what is missing ------------------------------------ */

/* 1 when the snapshot of repo at revision in some hub cache holds every (config, split) the task reads. */
static int dataset_cached(const struct task *t, int qrels)
{
	const char *repo = qrels ? t->qrels_hf_id : t->hf_id;
	const char *rev = qrels ? t->qrels_revision : t->revision;
	char roots[HUB_CACHE_MAX_ROOTS][HUB_PATH_MAX];
	int nr = hub_cache_search_roots(roots), ok = 0;
	for (int i = 0; i < nr && !ok; i++) {
		char *rd = hub_cache_repo_dir(roots[i], HUB_REPO_DATASET, repo);
		char snap[256];
		struct ce_err err;
		if (rd && hub_cache_resolve(rd, rev, snap, sizeof snap, &err) == CE_OK) {
			char *sd = hub_cache_snapshot_dir(rd, snap);
			struct hub_layout *l = NULL;
			if (sd && hub_layout_read(sd, &l, &err) == CE_OK) {
				struct want w[WANT_MAX];
				int n = task_wants(t, qrels, l, w);
				ok = n > 0;
				for (int k = 0; k < n && ok; k++) {
					const struct hub_split *sp = find_want(l, &w[k], w[k].exact);
					ok = sp && sp->n_files > 0;
				}
			}
			hub_layout_free(l);
			ce_free(sd);
		}
		ce_free(rd);
	}
	return ok;
}

static int file_or_zst(const char *dir, const char *rel)
{
	char *p = fs_join(dir, rel);
	char *z = p ? ce_malloc(strlen(p) + 5) : NULL;
	int ok = 0;
	if (z) {
		sprintf(z, "%s.zst", p);
		ok = fs_is_file(p) || fs_is_file(z);
	}
	ce_free(z);
	ce_free(p);
	return ok;
}

/* 1 when <data_dir>/<dataset.path> holds the task's files in the JSON-lines layout (dataset.h). */
static int jsonl_present(const struct task *t, const char *data_dir)
{
	char *dir = fs_join(data_dir, t->dataset_path);
	int ok = dir && fs_is_dir(dir);
	char rel[300];
	if (ok && t->type == TASK_TYPE_RETRIEVAL) {
		ok = file_or_zst(dir, "corpus.jsonl") && file_or_zst(dir, "queries.jsonl");
		for (int32_t i = 0; ok && i < t->n_eval_splits; i++) {
			snprintf(rel, sizeof rel, "qrels/%s.tsv", t->eval_splits[i]);
			ok = file_or_zst(dir, rel);
		}
	} else if (ok) {
		if (t->type == TASK_TYPE_CLASSIFICATION && t->train_split) {
			snprintf(rel, sizeof rel, "%s.jsonl", t->train_split);
			ok = file_or_zst(dir, rel);
		}
		for (int32_t i = 0; ok && i < t->n_eval_splits; i++) {
			snprintf(rel, sizeof rel, "%s.jsonl", t->eval_splits[i]);
			ok = file_or_zst(dir, rel);
		}
	}
	ce_free(dir);
	return ok;
}

enum ce_status hub_fetch_task_dataset(struct hub_client *c, const struct task *t, int qrels, int dry,
				      struct ce_err *err)
{
	const char *repo = qrels ? t->qrels_hf_id : t->hf_id;
	const char *rev = qrels ? t->qrels_revision : t->revision;
	struct hub_repo_info info;
	enum ce_status s = hub_repo_info_fetch(c, HUB_REPO_DATASET, repo, rev, &info, err);
	struct hub_pick pick = {0};
	if (s == CE_OK)
		s = hub_fetch_dataset_plan(c, t, qrels, &info, &pick, err);
	/* fetch at the commit the listing named: the plan was made for it */
	const char *at = hub_is_commit(rev) ? rev : info.commit;
	char commit[41];
	if (s == CE_OK && dry)
		s = hub_fetch_dry_run(c, HUB_REPO_DATASET, repo, at, hub_pick_select, &pick, err);
	else if (s == CE_OK)
		s = hub_fetch_repo(c, HUB_REPO_DATASET, repo, at, hub_pick_select, &pick, 1, commit, NULL, err);
	if (s == CE_OK && !dry && !hub_is_commit(rev ? rev : "main")) { /* a branch: refs/<branch> as asked */
		char *rd = hub_cache_repo_dir(hub_client_cache_root(c), HUB_REPO_DATASET, repo);
		s = rd ? hub_cache_write_ref(rd, rev ? rev : "main", info.commit, err)
		       : ce_err_set(err, CE_E_NOMEM, "out of memory");
		ce_free(rd);
	}
	hub_pick_deinit(&pick);
	hub_repo_info_deinit(&info);
	return s;
}

enum ce_status hub_fetch_dry_run(struct hub_client *c, enum hub_repo_type type, const char *repo, const char *rev,
				 hub_select_fn select, void *user, struct ce_err *err)
{
	struct hub_repo_info info;
	enum ce_status s = hub_repo_info_fetch(c, type, repo, rev, &info, err);
	char *repo_dir = s == CE_OK ? hub_cache_repo_dir(hub_client_cache_root(c), type, repo) : NULL;
	if (s == CE_OK && !repo_dir)
		s = ce_err_set(err, CE_E_NOMEM, "out of memory");
	if (s == CE_OK) {
		int64_t need = 0, have = 0;
		int n_need = 0, n_have = 0;
		printf("%s %s@%s (commit %s)\n", type == HUB_REPO_DATASET ? "dataset" : "model", repo, rev ? rev : "main",
		       info.commit);
		for (int32_t i = 0; i < info.n_files; i++) {
			const struct hub_file *f = &info.files[i];
			if (!select(&info, f, user))
				continue;
			int cached = hub_cache_has_file(repo_dir, info.commit, f->path);
			char sz[32];
			hub_fetch_human_bytes(f->size >= 0 ? (double)f->size : 0, sz, sizeof sz);
			printf("  %-7s %10s  %s\n", cached ? "cached" : "fetch", f->size >= 0 ? sz : "?", f->path);
			if (cached)
				have += f->size > 0 ? f->size : 0, n_have++;
			else
				need += f->size > 0 ? f->size : 0, n_need++;
		}
		char a[32], b[32];
		hub_fetch_human_bytes((double)need, a, sizeof a);
		hub_fetch_human_bytes((double)have, b, sizeof b);
		printf("  would fetch %d file(s), %s; %d file(s), %s already cached\n", n_need, a, n_have, b);
	}
	ce_free(repo_dir);
	hub_repo_info_deinit(&info);
	return s;
}

enum ce_status hub_fetch_tasks_data(const struct task *const *tasks, int n_tasks, const char *data_dir, int offline,
				    int quiet, struct ce_err *err)
{
	struct hub_client *c = NULL;
	enum ce_status s = CE_OK;
	int off = hub_fetch_offline(offline), unreachable = 0;
	for (int i = 0; s == CE_OK && i < n_tasks; i++) {
		const struct task *t = tasks[i];
		if (t->n_parts > 0) { /* an aggregate: its parts' data */
			s = hub_fetch_tasks_data((const struct task *const *)t->parts, t->n_parts, data_dir, offline, quiet,
						 err);
			continue;
		}
		if (!t->hf_id || jsonl_present(t, data_dir))
			continue;
		for (int q = 0; s == CE_OK && q < 2; q++) {
			const char *repo = q ? t->qrels_hf_id : t->hf_id;
			const char *rev = q ? t->qrels_revision : t->revision;
			if (!repo || dataset_cached(t, q))
				continue;
			if (unreachable) {
				ce_log(CE_LOG_WARN, "%s: dataset %s@%s is not cached; not downloaded (the hub failed above)",
				       t->name, repo, rev ? rev : "main");
				break;
			}
			if (off) {
				ce_log(CE_LOG_WARN,
				       "%s: dataset %s@%s is neither in the hub cache nor under %s/%s, and the run is offline "
				       "(--offline or HF_HUB_OFFLINE=1): fetch it with `ceval download --task %s`",
				       t->name, repo, rev ? rev : "main", data_dir, t->dataset_path, t->name);
				break;
			}
			if (!c) {
				struct hub_client_opts o = {0};
				o.progress = !quiet;
				if (!(c = hub_client_create(&o, err))) {
					s = err->code;
					break;
				}
			}
			ce_log(CE_LOG_WARN, "%s: dataset %s@%s is not cached: downloading it", t->name, repo,
			       rev ? rev : "main");
			struct ce_err ferr;
			ce_err_clear(&ferr);
			enum ce_status fs = hub_fetch_task_dataset(c, t, q, 0, &ferr);
			if (fs == CE_E_NOMEM) {
				s = ce_err_set(err, fs, "task %s: %s", t->name, ferr.msg);
			} else if (fs != CE_OK) {
				/* the task is skipped for want of data, as one whose files are missing; the
				 * others go on.  After a network or server failure (CE_E_IO: unreachable,
				 * 5xx or 429 past the retries) the hub is not asked again in this run. */
				ce_log(CE_LOG_ERROR, "task %s: %s", t->name, ferr.msg);
				unreachable = fs == CE_E_IO;
				break;
			}
		}
	}
	hub_client_free(c);
	return s;
}
