/*
 * hub_layout.h - which files of a Hugging Face dataset snapshot hold a given
 * config and split (spec hub-datasets.md §3).
 *
 * A dataset repo declares its configs in the YAML front matter of README.md:
 *
 *   configs:
 *   - config_name: corpus
 *     data_files:
 *     - split: corpus
 *       path: corpus/corpus-*          (a glob, or a list of globs)
 *
 * `data_files` may also be one glob or a list of globs (split "train"), as
 * `datasets` accepts.  Without a `configs:` block the only config is
 * "default" and splits come from file names, the convention `datasets` infers
 * from: data/<split>-NNNNN-of-NNNNN[-<hash>].parquet (also <split>.parquet and
 * <split>-*.parquet anywhere under data/).  Globs match paths relative to the
 * snapshot with fnmatch(3) ('*' stays within a folder, "**" crosses them).
 * Matches are sorted by path, so shards -00000-of-N ... -N-1 come in order.
 *
 * This module reads only the folder listing and README.md; it knows no task
 * type and no file format.  Symlinked snapshots (blobs/ + relative links) and
 * plain copies are the same to it.
 *
 * Ownership: struct hub_layout owns all its strings; hub_layout_free accepts
 * NULL and half-built objects.
 */
#ifndef HUB_LAYOUT_H
#define HUB_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "ce_status.h"

struct hub_split {
	char *config;  /* "default" when the card declares none */
	char *split;   /* e.g. "test", "corpus" */
	char **files;  /* absolute paths (snapshot dir + relative), sorted */
	int32_t n_files;
};

struct hub_layout {
	char *dir;               /* the snapshot folder */
	int has_configs;         /* 1 when README.md declared `configs:` */
	struct hub_split *splits;
	int32_t n_splits;
};

/*
 * Read the layout of the snapshot folder `dir`.  [out] *out (hub_layout_free).
 * Errors: CE_E_NOT_FOUND (no such folder), CE_E_FORMAT (README.md front
 * matter malformed, "README.md:line:col: ..."), CE_E_LIMIT (more than 100,000
 * files or folders nested deeper than 16), CE_E_IO, CE_E_NOMEM.
 */
enum ce_status hub_layout_read(const char *dir, struct hub_layout **out, struct ce_err *err);
void hub_layout_free(struct hub_layout *l);

/*
 * The same from a remote repo's file listing instead of a folder: paths are
 * relative to the repo ("data/test-00000-of-00001.parquet"), card is the text
 * of its README.md (card_len bytes, which need not end in a NUL; NULL when the repo has
 * none).  Files in the result are "<dir>/<path>"; dir only names the repo in
 * messages and prefixes the paths (e.g. the snapshot folder-to-be).
 * [out] *out (hub_layout_free).  Errors as hub_layout_read, less CE_E_NOT_FOUND.
 */
enum ce_status hub_layout_from_list(const char *dir, const char *const *paths, int32_t n_paths, const char *card,
				    size_t card_len, struct hub_layout **out, struct ce_err *err);

/*
 * The files of (config, split); config NULL means "default".  When the config
 * has exactly one split and `split` is not among them, that one split is
 * returned (MTEB: "if a config has one split, it is used whatever its
 * name").  Returns NULL when there is no such config or split.  Borrowed:
 * valid until hub_layout_free.
 */
const struct hub_split *hub_layout_find(const struct hub_layout *l, const char *config, const char *split);

/* 1 when the layout has a config of that name. */
int hub_layout_has_config(const struct hub_layout *l, const char *config);

#endif
