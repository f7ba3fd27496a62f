/*
 * model_ref.h - turn a --model argument (a folder, a known short name such
 * as "bge-base-zh", or a hub id such as "BAAI/bge-base-zh-v1.5") into a model
 * folder on disk, without any network access, plus the table of models ceval
 * knows (hub id, query instruction).
 *
 * Lookup order for a name: $CEVAL_MODELS/<name>, $CEVAL_MODELS/<org>/<name>,
 * then the Hugging Face hub cache ($HF_HUB_CACHE, $HUGGINGFACE_HUB_CACHE,
 * $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub):
 * models--ORG--NAME/refs/main -> snapshots/<rev>/ (or the only snapshot).
 */
#ifndef MODEL_REF_H
#define MODEL_REF_H

#include "ce_status.h"

struct known_model {
	const char *name;              /* "bge-base-zh-v1.5" */
	const char *hub_id;            /* "BAAI/bge-base-zh-v1.5" */
	const char *query_instruction; /* prepended to retrieval/reranking queries; "" = none */
	const char *note;
};

/* NULL-terminated table. */
extern const struct known_model known_models[];

/* Entry for a short name or hub id (case-sensitive), or NULL. */
const struct known_model *known_model_find(const char *name_or_id);

struct model_ref {
	char *dir;                     /* resolved folder (ce_free) */
	char *name;                    /* display/results name: alias or folder basename (ce_free) */
	const struct known_model *known; /* NULL if not in the table */
};

/*
 * Resolve arg. CE_E_NOT_FOUND with a message listing every place looked at
 * and how to download the model when nothing matches.
 */
enum ce_status model_ref_resolve(const char *arg, struct model_ref *out, struct ce_err *err);
void model_ref_free(struct model_ref *ref);

/*
 * Query instruction for a model: override if non-NULL, else the table's for
 * known models, else "" (none).
 */
const char *model_ref_query_instruction(const struct model_ref *ref, const char *override_instr);

#endif
