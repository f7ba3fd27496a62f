/*
 * main.c - `ceval`: dispatch argv over the subcommand table (eval/commands.c).
 * exit() is called only here; exit codes are documented in cli.h.
 */
#include <cblas.h>
#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <utf8proc.h>
#include <yaml.h>
#include <zstd.h>

#include "backend_mpi.h"
#include "ce_alloc.h"
#include "cli.h"
#include "engine.h"

static void print_usage(FILE *out)
{
	fputs("ceval - C-MTEB / MTEB text-embedding evaluation with a built-in encoder\n\n"
	      "Usage: ceval <command> [options]\n       ceval help <command>\n\nCommands:\n",
	      out);
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		fprintf(out, "  %-12s %s\n", (*c)->name, (*c)->summary);
	fputs("\nGlobal options:\n  -h, --help     show this help (or `ceval <command> --help`)\n"
	      "  -V, --version  print the version and the linked library versions\n\n"
	      "Exit codes:\n  " CLI_EXIT_CODES_TEXT ".\n\n"
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
	printf("  libcurl   %s\n", curl_version_info(CURLVERSION_NOW)->version);
	char kernels[160];
	engine_kernels_line(kernels, sizeof kernels);
	printf("Kernels: %s\n", kernels);
	char mpi_line[256];
	backend_mpi_version(mpi_line, sizeof mpi_line);
	printf("MPI: %s\n", mpi_line);
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

/*
 * OpenBLAS (DYNAMIC_ARCH builds such as Debian's 0.3.21) picks its kernels
 * from a table of CPU models it knows.  A CPU newer than the library (e.g.
 * Zen 5 for 0.3.21) is not in the table and falls back to the generic
 * Prescott (SSE3) kernels, which run sgemm about 2x slower although the CPU
 * has AVX2 and FMA.  The core can only be chosen by OPENBLAS_CORETYPE before
 * the library initialises (it reads it in its constructor, before main), so
 * when the user has not set it, OpenBLAS chose a core without AVX2 kernels and
 * the CPU supports AVX2+FMA, we set OPENBLAS_CORETYPE=Haswell and exec
 * ourselves once.  The re-exec happens only while OPENBLAS_CORETYPE is unset
 * and we set it before exec, so it cannot loop; CEVAL_BLAS_REEXEC carries the
 * original core name so that --verbose can say what happened.
 */
#define BLAS_REEXEC_ENV "CEVAL_BLAS_REEXEC"

static int core_has_avx2_kernels(const char *core)
{
	/* OpenBLAS core names whose sgemm kernels use AVX2/FMA or AVX-512. */
	static const char *const good[] = {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids", "excavator"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (strcasecmp(core, good[i]) == 0)
			return 1;
	return 0;
}

static void blas_core_fixup(int argc, char **argv)
{
#if !defined(__x86_64__)
	(void)argc, (void)argv; /* the Haswell fallback is an x86-64 matter */
	(void)core_has_avx2_kernels;
#else
	const char *prev = getenv(BLAS_REEXEC_ENV);
	if (prev) {
		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
				fprintf(stderr,
					"ceval: OpenBLAS chose core '%s' (no AVX2 kernels) on an AVX2+FMA CPU; "
					"re-executed with OPENBLAS_CORETYPE=Haswell (now '%s')\n",
					prev, openblas_get_corename());
				break;
			}
		unsetenv(BLAS_REEXEC_ENV);
		return;
	}
	if (getenv("OPENBLAS_CORETYPE"))
		return; /* the user's choice wins */
	const char *core = openblas_get_corename();
	if (!core || core_has_avx2_kernels(core))
		return;
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
		return;
	if (setenv("OPENBLAS_CORETYPE", "Haswell", 1) != 0 || setenv(BLAS_REEXEC_ENV, core, 1) != 0)
		return;
	execv("/proc/self/exe", argv);
	/* exec failed (no /proc?): carry on with the slow kernels */
	unsetenv("OPENBLAS_CORETYPE");
	unsetenv(BLAS_REEXEC_ENV);
#endif
}

/* 1 under an address-space or data-size limit (ulimit -v / -d), where OpenBLAS's threads may never get their buffers. */
static int memory_limited(void)
{
	struct rlimit l;
	return (getrlimit(RLIMIT_AS, &l) == 0 && l.rlim_cur != RLIM_INFINITY) ||
	       (getrlimit(RLIMIT_DATA, &l) == 0 && l.rlim_cur != RLIM_INFINITY);
}

static int dispatch(int argc, char **argv)
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
	/* a bad CEVAL_KERNELS stops every command, --version included */
	struct ce_err kerr;
	ce_err_clear(&kerr);
	if (engine_kernels_check(&kerr) != CE_OK)
		return cli_report(&kerr);
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

int main(int argc, char **argv)
{
	blas_core_fixup(argc, argv);
	/* under mpirun/srun only: ranks > 0 encode for rank 0 (cli/backend_mpi.h) */
	if (backend_mpi_launched()) {
		struct ce_err err;
		ce_err_clear(&err);
		int rank = backend_mpi_start(&err);
		if (rank < 0)
			return cli_report(&err);
		if (rank > 0)
			return backend_mpi_worker();
	}
	int rc = dispatch(argc, argv);
	backend_mpi_finish();
	if (cli_out_of_memory || ce_alloc_failed() || memory_limited()) {
		/* An OpenBLAS thread that could not map its work buffer (under
		 * ulimit -v, possibly from the library's start, even when the
		 * command itself needed little) retries forever, and OpenBLAS's
		 * destructor joins its threads at exit(): leave without running
		 * destructors. */
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	return rc;
}
