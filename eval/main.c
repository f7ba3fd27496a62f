/*
 * main.c - `ceval`: dispatch argv over the subcommand table (eval/commands.c).
 * exit() is called only here; exit codes are documented in cli.h.
 */
#include <cblas.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>
#include <yaml.h>
#include <zstd.h>

#include "cli.h"

static void print_usage(FILE *out)
{
	fputs("ceval - C-MTEB / MTEB text-embedding evaluation with a built-in encoder\n\n"
	      "Usage: ceval <command> [options]\n       ceval help <command>\n\nCommands:\n",
	      out);
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		fprintf(out, "  %-12s %s\n", (*c)->name, (*c)->summary);
	fputs("\nGlobal options:\n  -h, --help     show this help (or `ceval <command> --help`)\n"
	      "  -V, --version  print the version and the linked library versions\n\n"
	      "Exit codes: 0 ok, 1 evaluation failed or regression, 2 usage error, 3 input/data error,\n"
	      "            4 internal error, 130 interrupted.\n\n"
	      "Example:\n  ceval run --model ../shared/models/ceval-tiny-zh --suite cmteb-mini --data-dir ../shared/data\n",
	      out);
}

static void print_version(void)
{
	printf("ceval %s\n", cli_version);
	printf("  OpenBLAS  %s\n", openblas_get_config());
	printf("  libyaml   %s\n", yaml_get_version_string());
	printf("  zstd      %s\n", ZSTD_versionString());
	printf("  utf8proc  %s (Unicode %s)\n", utf8proc_version(), utf8proc_unicode_version());
	printf("  jansson   %s\n", JANSSON_VERSION);
}

static int suggest_command(const char *name)
{
	const char *names[64];
	int n = 0;
	for (const struct cli_command *const *c = cli_commands; *c && n < 63; c++)
		names[n++] = (*c)->name;
	names[n++] = "help";
	const char *best = cli_closest(name, names, n);
	if (best)
		fprintf(stderr, "ceval: unknown command '%s'; did you mean '%s'?\n", name, best);
	else
		fprintf(stderr, "ceval: unknown command '%s'\n", name);
	fputs("Run 'ceval --help' for the list of commands.\n", stderr);
	return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* A file-size limit (ulimit -f) must surface as a write error (EFBIG)
	 * reported like a full disk, not kill the process with SIGXFSZ. */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		print_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		print_usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0) {
		print_version();
		return CLI_EXIT_OK;
	}
	if (strcmp(cmd, "help") == 0) {
		if (argc < 3) {
			print_usage(stdout);
			return CLI_EXIT_OK;
		}
		const struct cli_command *c = cli_find_command(argv[2]);
		if (!c)
			return suggest_command(argv[2]);
		cli_print_help(c, stdout);
		return CLI_EXIT_OK;
	}
	const struct cli_command *c = cli_find_command(cmd);
	if (!c)
		return suggest_command(cmd);
	return c->run(c, argc - 1, argv + 1);
}
