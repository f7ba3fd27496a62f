/* cmd_models.c - `ceval models`: the known model names and whether each is on disk. */
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "cli.h"
#include "hub_cache.h"
#include "model_ref.h"

/* About what a download of a bge model fetches: fp32 weights (4 bytes a parameter) plus the tokenizer. */
static const char *approx_download(const char *name)
{
	static const struct { const char *prefix, *size; } sizes[] = {
		{"bge-small-zh", "96 MB"}, {"bge-base-zh", "410 MB"}, {"bge-large-zh", "1.3 GB"},
		{"bge-small-en", "134 MB"}, {"bge-base-en", "438 MB"}, {"bge-large-en", "1.3 GB"},
	};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (strncmp(name, sizes[i].prefix, strlen(sizes[i].prefix)) == 0)
			return sizes[i].size;
	return "?";
}

static const struct cli_opt *models_options(void)
{
	static const struct cli_opt opts[] = {CLI_OPT_END};
	return opts;
}

static int run_models(const struct cli_command *self, int argc, char **argv)
{
	enum cli_parse_result pr = cli_parse(self, models_options(), argc, argv, NULL, 0, NULL);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	printf("%-26s %-30s %-8s %-10s %s\n", "NAME", "HUB ID", "PRESENT", "SIZE", "WHERE / NOTE");
	for (const struct known_model *m = known_models; m->name; m++) {
		struct model_ref ref;
		struct ce_err err;
		int found = model_ref_resolve(m->name, &ref, &err) == CE_OK;
		char size[32];
		if (found)
			snprintf(size, sizeof size, "%.1f MB", (double)hub_cache_tree_size(ref.dir) / 1e6);
		else
			snprintf(size, sizeof size, "~%s", approx_download(m->name));
		printf("%-26s %-30s %-8s %-10s %s\n", m->name, m->hub_id, found ? "yes" : "no", size, found ? ref.dir : m->note);
		if (found)
			model_ref_free(&ref);
	}
	printf("SIZE: on disk when present, else about what `ceval download --model NAME` fetches "
	       "(add --dry-run for the exact list)\n");
	return CLI_EXIT_OK;
}

const struct cli_command cmd_models = {
	"models",
	"List the model names ceval knows and whether each is present locally",
	"ceval models",
	"A known name (or its hub id) can be given to --model. ceval looks for it in $CEVAL_MODELS/<name>, then in "
	"the Hugging Face hub cache ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub). `ceval run` downloads "
	"a missing one on first use (unless --offline); `ceval download --model NAME` fetches one ahead.",
	"ceval models\nCEVAL_MODELS=/data/models ceval models",
	models_options,
	run_models,
};
