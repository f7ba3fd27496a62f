/* cmd_models.c - `ceval models`: the known model names and whether each is on disk. */
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "cli.h"
#include "model_ref.h"

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
	printf("%-26s %-30s %-8s %s\n", "NAME", "HUB ID", "PRESENT", "WHERE / NOTE");
	for (const struct known_model *m = known_models; m->name; m++) {
		struct model_ref ref;
		struct ce_err err;
		int found = model_ref_resolve(m->name, &ref, &err) == CE_OK;
		printf("%-26s %-30s %-8s %s\n", m->name, m->hub_id, found ? "yes" : "no", found ? ref.dir : m->note);
		if (found)
			model_ref_free(&ref);
	}
	return CLI_EXIT_OK;
}

const struct cli_command cmd_models = {
	"models",
	"List the model names ceval knows and whether each is present locally",
	"ceval models",
	"A known name (or its hub id) can be given to --model. ceval looks for it in $CEVAL_MODELS/<name>, then in "
	"the Hugging Face hub cache ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub). It never downloads; "
	"fetch a model once with `huggingface-cli download BAAI/<name>`.",
	"ceval models\nCEVAL_MODELS=/data/models ceval models",
	models_options,
	run_models,
};
