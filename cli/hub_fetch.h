/*
 * hub_fetch.h - what of a hub repo ceval needs, and fetching it on demand:
 * shared by `ceval download` and `ceval run` (which fetches a missing model
 * before it starts unless offline).
 */
#ifndef HUB_FETCH_H
#define HUB_FETCH_H

#include "ce_status.h"
#include "model_ref.h"

/* 1 when offline: the flag, or HF_HUB_OFFLINE=1 in the environment. */
int hub_fetch_offline(int offline_flag);

/*
 * Resolve a --model argument like model_ref_resolve; when it is a known name
 * or an ORG/NAME hub id that is not on disk and not offline, download the
 * model's files (revision NULL = main) into the hub cache first.  Offline, a
 * missing model is one error line naming `ceval download --model ...` and
 * `huggingface-cli download ...`.  [out] *ref as model_ref_resolve.
 */
enum ce_status hub_fetch_model_ref(const char *arg, const char *revision, int offline, int quiet, struct model_ref *ref,
				   struct ce_err *err);

#endif
