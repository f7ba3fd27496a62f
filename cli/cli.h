/*
 * cli.h - the command layer: a table of subcommands (git's commands[] idea)
 * and declarative option tables from which parsing, `--help` text and
 * "did you mean" suggestions are generated, so every command documents every
 * option with its default the same way.
 *
 * Exit codes: enum cli_exit; their one wording is CLI_EXIT_CODES_TEXT.
 */
#ifndef CLI_H
#define CLI_H

#include <stdio.h>

#include "ce_status.h"

/* The one wording of the exit codes: `ceval --help`, every command's help,
 * the README and doc/ceval.1 say exactly this (tests/cli/test_trust_errors.sh). */
#define CLI_EXIT_CODES_TEXT                                                                                         \
	"0 ok, 1 evaluation failed or regression found, 2 usage error, 3 input or data error (also: some tasks "   \
	"skipped), 4 internal error, 130 interrupted"

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_DATA = 3,
	CLI_EXIT_INTERNAL = 4,
	CLI_EXIT_INTERRUPTED = 130,
};

enum cli_opt_type {
	CLI_OPT_FLAG,   /* int *: set to 1 */
	CLI_OPT_STRING, /* const char **: points into argv */
	CLI_OPT_INT,    /* int *: decimal, range-checked by min/max */
	CLI_OPT_DOUBLE, /* double * */
	CLI_OPT_LIST,   /* struct cli_list *: repeatable or comma-separated */
};

struct cli_list {
	const char *items[64];
	int n;
};

struct cli_opt {
	const char *name;       /* long name without dashes: "model" */
	char short_name;        /* 0 if none */
	enum cli_opt_type type;
	void *dest;
	const char *metavar;    /* "DIR", "N"; NULL for flags */
	const char *help;       /* one or more sentences */
	const char *default_text; /* shown as "(default: ...)"; NULL = none */
	long min, max;          /* for CLI_OPT_INT when min < max */
	int required;
};

#define CLI_OPT_END {0}

struct cli_command {
	const char *name;
	const char *summary;     /* one line for `ceval --help` */
	const char *usage;       /* "ceval embed --model DIR --input FILE --output OUT.npy [options]" */
	const char *description; /* paragraph(s) */
	const char *examples;    /* lines of examples */
	const struct cli_opt *(*options)(void); /* option table (for help); may be NULL */
	int (*run)(const struct cli_command *self, int argc, char **argv);
};

/* The registry (eval/commands.c), NULL-terminated. */
extern const struct cli_command *const cli_commands[];

const struct cli_command *cli_find_command(const char *name);

/* Result of cli_parse. */
enum cli_parse_result { CLI_PARSE_OK = 0, CLI_PARSE_HELP, CLI_PARSE_ERROR };

/*
 * Parse argv[1..argc) (argv[0] is the command name) against opts.
 * "--name value", "--name=value", "-x value"; "--help"/"-h" → CLI_PARSE_HELP
 * after printing the help to stdout. Unknown options print an error with the
 * closest valid option to stderr. Positional arguments are collected into
 * positional (up to max_positional; more is an error).
 */
enum cli_parse_result cli_parse(const struct cli_command *cmd, const struct cli_opt *opts, int argc, char **argv,
				const char **positional, int max_positional, int *n_positional);

/* Print the generated help of a command. */
void cli_print_help(const struct cli_command *cmd, FILE *out);

/* Print "ceval <cmd>: <msg>" + a hint to run --help, to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report an error record on stderr ("ceval: error: <msg>") and map its code to an exit code. */
int cli_report(const struct ce_err *err);
int cli_exit_code(enum ce_status s);

/* Closest candidate by edit distance, or NULL if none is close enough. */
const char *cli_closest(const char *word, const char *const *candidates, int n);

/*
 * "Did you mean" for names (cli/suggest.c).  When err is CE_E_NOT_FOUND for
 * the suite file itself (a bare name, not a path), cli_suggest_suite rewrites
 * it to "no suite 'X' in DIR; did you mean 'Y'? (suites: ...)";
 * cli_suggest_task appends "; did you mean 'Y'?" from the task files under
 * tasks_dir.  cli_suggest_among writes "; did you mean 'Y'?" (or "") for
 * name among names into buf and returns buf.
 */
void cli_suggest_suite(const char *tasks_dir, const char *name, struct ce_err *err);
void cli_suggest_task(const char *tasks_dir, const char *name, struct ce_err *err);
const char *cli_suggest_among(const char *name, const char *const *names, int n, char *buf, size_t cap);

/* Apply --quiet/--verbose style flags (shared by all commands). */
void cli_apply_verbosity(int quiet, int verbose);

/* Version string of ceval. */
extern const char cli_version[];

/*
 * Set when an out-of-memory error was reported (cli_report sets it); main()
 * then leaves by _exit, skipping OpenBLAS's exit-time join of worker threads
 * that may be spinning on an allocation that will never succeed.
 */
extern int cli_out_of_memory;

/* Set by the SIGINT handler; long jobs poll it. */
extern volatile int cli_interrupted;
void cli_install_sigint(void);

#endif
