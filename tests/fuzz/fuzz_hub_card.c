/* fuzz_hub_card.c - arbitrary bytes as a dataset card (README.md front matter) over a fixed
 * list of repo files (hub_layout_from_list): configs, data_files globs, the name rules. */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "hub_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"README.md", "data/test-00000-of-00001-0123456789abcdef.parquet", "data/train-00000-of-00002.parquet",
		"data/train-00001-of-00002.parquet", "corpus/corpus-0.parquet", "queries/queries-0.parquet",
		"top_ranked/test-0.parquet", "a/b/c/deep.parquet",
	};
	struct hub_layout *l = NULL;
	struct ce_err err;
	if (hub_layout_from_list("/snap", paths, (int32_t)(sizeof paths / sizeof *paths), (const char *)data, size, &l,
				 &err) == CE_OK) {
		/* every split names its config and split, and every file is one of the listed ones */
		for (int32_t i = 0; i < l->n_splits; i++) {
			const struct hub_split *s = &l->splits[i];
			CE_ASSERT(s->config && s->split);
			CE_ASSERT(hub_layout_find(l, s->config, s->split) == s);
			for (int32_t j = 0; j < s->n_files; j++) {
				int known = 0;
				for (size_t k = 0; k < sizeof paths / sizeof *paths && !known; k++)
					known = strcmp(s->files[j] + strlen("/snap/"), paths[k]) == 0;
				CE_ASSERT(strncmp(s->files[j], "/snap/", 6) == 0 && known);
			}
		}
		hub_layout_free(l);
	} else {
		CE_ASSERT(l == NULL && err.code != CE_OK);
	}
	return 0;
}
