#include "model_ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "fs_util.h"
#include "hub_cache.h"

/* Instructions from FlagEmbedding's C_MTEB / MTEB evaluation scripts (spec encoder.md §3.6). */
#define ZH_INSTR "\xe4\xb8\xba\xe8\xbf\x99\xe4\xb8\xaa\xe5\x8f\xa5\xe5\xad\x90\xe7\x94\x9f\xe6\x88\x90\xe8\xa1\xa8\xe7\xa4\xba\xe4\xbb\xa5\xe7\x94\xa8\xe4\xba\x8e\xe6\xa3\x80\xe7\xb4\xa2\xe7\x9b\xb8\xe5\x85\xb3\xe6\x96\x87\xe7\xab\xa0\xef\xbc\x9a"
#define EN_INSTR "Represent this sentence for searching relevant passages: "

const struct known_model known_models[] = {
	{"bge-small-zh", "BAAI/bge-small-zh", ZH_INSTR, "512-d, 4 layers"},
	{"bge-base-zh", "BAAI/bge-base-zh", ZH_INSTR, "768-d, 12 layers"},
	{"bge-large-zh", "BAAI/bge-large-zh", ZH_INSTR, "1024-d, 24 layers"},
	{"bge-large-zh-noinstruct", "BAAI/bge-large-zh-noinstruct", "", "1024-d, no query instruction"},
	{"bge-small-zh-v1.5", "BAAI/bge-small-zh-v1.5", ZH_INSTR, "512-d, 4 layers"},
	{"bge-base-zh-v1.5", "BAAI/bge-base-zh-v1.5", ZH_INSTR, "768-d, 12 layers"},
	{"bge-large-zh-v1.5", "BAAI/bge-large-zh-v1.5", ZH_INSTR, "1024-d, 24 layers"},
	{"bge-small-en", "BAAI/bge-small-en", EN_INSTR, "384-d, 12 layers"},
	{"bge-base-en", "BAAI/bge-base-en", EN_INSTR, "768-d, 12 layers"},
	{"bge-large-en", "BAAI/bge-large-en", EN_INSTR, "1024-d, 24 layers"},
	{"bge-small-en-v1.5", "BAAI/bge-small-en-v1.5", EN_INSTR, "384-d, 12 layers"},
	{"bge-base-en-v1.5", "BAAI/bge-base-en-v1.5", EN_INSTR, "768-d, 12 layers"},
	{"bge-large-en-v1.5", "BAAI/bge-large-en-v1.5", EN_INSTR, "1024-d, 24 layers"},
	{NULL, NULL, NULL, NULL},
};

const struct known_model *known_model_find(const char *name_or_id)
{
	for (const struct known_model *m = known_models; m->name; m++)
		if (strcmp(m->name, name_or_id) == 0 || strcmp(m->hub_id, name_or_id) == 0)
			return m;
	return NULL;
}

static int is_model_dir(const char *dir)
{
	char *c = fs_join(dir, "config.json");
	int ok = c && fs_is_file(c);
	ce_free(c);
	return ok;
}

/* Append "  - <what>\n" to the looked-at list (truncating quietly). */
static void note_place(char *buf, size_t cap, const char *what)
{
	size_t l = strlen(buf);
	if (l + 8 < cap)
		snprintf(buf + l, cap - l, "%s%s", l ? ", " : "", what);
}

/* HF cache: <root>/models--ORG--NAME/{refs/main -> snapshots/<rev>} (hub_cache.h) */
static char *find_in_hf_cache(const char *root, const char *hub_id, char *looked, size_t looked_cap)
{
	char *rdir = hub_cache_repo_dir(root, HUB_REPO_MODEL, hub_id);
	if (!rdir)
		return NULL;
	note_place(looked, looked_cap, rdir);
	char *result = NULL;
	char snap[256];
	struct ce_err err;
	if (hub_cache_resolve(rdir, NULL, snap, sizeof snap, &err) == CE_OK) {
		result = hub_cache_snapshot_dir(rdir, snap);
		if (result && !is_model_dir(result)) {
			ce_free(result);
			result = NULL;
		}
	}
	ce_free(rdir);
	return result;
}

enum ce_status model_ref_resolve(const char *arg, struct model_ref *out, struct ce_err *err)
{
	memset(out, 0, sizeof *out);
	if (fs_is_dir(arg)) {
		if (!is_model_dir(arg))
			return ce_err_set(err, CE_E_NOT_FOUND, "%s: is a folder but has no config.json (expected a "
					  "Hugging Face model folder: config.json, vocab.txt, model.safetensors, ...)", arg);
		out->dir = ce_strdup(arg);
		out->name = fs_basename(arg);
		if (!out->dir || !out->name) {
			model_ref_free(out);
			return ce_err_set(err, CE_E_NOMEM, "out of memory");
		}
		out->known = known_model_find(out->name);
		return CE_OK;
	}
	const struct known_model *km = known_model_find(arg);
	const char *hub_id = km ? km->hub_id : arg;
	const char *short_name = km ? km->name : (strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg);
	char looked[2048] = "";
	char *found = NULL;

	const char *cm = getenv("CEVAL_MODELS");
	if (cm && *cm) {
		const char *cands[2] = {short_name, hub_id};
		for (int i = 0; i < 2 && !found; i++) {
			char *p = fs_join(cm, cands[i]);
			if (p) {
				note_place(looked, sizeof looked, p);
				if (is_model_dir(p))
					found = p;
				else
					ce_free(p);
			}
		}
	}
	if (!found && strchr(hub_id, '/')) {
		char roots[HUB_CACHE_MAX_ROOTS][HUB_PATH_MAX];
		int nr = hub_cache_search_roots(roots);
		for (int i = 0; i < nr && !found; i++)
			found = find_in_hf_cache(roots[i], hub_id, looked, sizeof looked);
	}
	if (!found) {
		if (!km && !strchr(arg, '/'))
			return ce_err_set(err, CE_E_NOT_FOUND,
					  "model '%s' not found: it is not a folder, not a known model name (see 'ceval "
					  "models') and not an ORG/NAME hub id%s%s",
					  arg, looked[0] ? "; looked in " : "", looked);
		return ce_err_set(err, CE_E_NOT_FOUND,
				  "model '%s' not found; looked in %s. Download it once with `ceval download --model %s` "
				  "(or `huggingface-cli download %s`; both fill ~/.cache/huggingface/hub) or put the "
				  "folder at $CEVAL_MODELS/%s",
				  arg, looked[0] ? looked : "(no cache directories set)", arg, hub_id, short_name);
	}
	out->dir = found;
	out->name = ce_strdup(short_name);
	out->known = km;
	if (!out->name) {
		model_ref_free(out);
		return ce_err_set(err, CE_E_NOMEM, "out of memory");
	}
	return CE_OK;
}

void model_ref_free(struct model_ref *ref)
{
	if (!ref)
		return;
	ce_free(ref->dir);
	ce_free(ref->name);
	ref->dir = ref->name = NULL;
}

const char *model_ref_query_instruction(const struct model_ref *ref, const char *override_instr)
{
	if (override_instr)
		return override_instr;
	if (ref && ref->known)
		return ref->known->query_instruction;
	return "";
}
