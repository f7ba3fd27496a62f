/* commands.c - the subcommand registry: one line per command (git's commands[]). */
#include <stddef.h>

#include "cli.h"

extern const struct cli_command cmd_tokenize, cmd_embed, cmd_models, cmd_run, cmd_score;
extern const struct cli_command cmd_list, cmd_leaderboard, cmd_check, cmd_cat, cmd_download, cmd_serve;

const struct cli_command *const cli_commands[] = {
	&cmd_run,
	&cmd_list,
	&cmd_leaderboard,
	&cmd_check,
	&cmd_score,
	&cmd_embed,
	&cmd_tokenize,
	&cmd_models,
	&cmd_cat,
	&cmd_download,
	&cmd_serve,
	NULL,
};
