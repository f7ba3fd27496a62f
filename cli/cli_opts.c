/*
 * cli_opts.c - option-table parsing, generated help, suggestions, exit codes.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ce_log.h"
#include "cli.h"

const char cli_version[] = "0.1.0";

/* Written only by the SIGINT handler (sig_atomic_t semantics). */
volatile int cli_interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	if (cli_interrupted) /* second Ctrl-C: leave at once */
		_exit(CLI_EXIT_INTERRUPTED);
	cli_interrupted = 1;
}

void cli_install_sigint(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

const struct cli_command *cli_find_command(const char *name)
{
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

/* ---- suggestions ------------------------------------------------------- */

static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 1000;
	int prev[65], cur[65];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(int) * (lb + 1));
	}
	return prev[lb];
}

const char *cli_closest(const char *word, const char *const *candidates, int n)
{
	const char *best = NULL;
	int best_d = INT_MAX;
	for (int i = 0; i < n; i++) {
		int d = edit_distance(word, candidates[i]);
		/* a prefix is a good hint too ("--out" -> "--output") */
		if (strncmp(candidates[i], word, strlen(word)) == 0 && strlen(word) >= 3)
			d = d < 1 ? d : 1;
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	size_t len = strlen(word);
	int limit = len <= 4 ? 2 : (int)(len / 2);
	return best_d <= limit ? best : NULL;
}

/* ---- help -------------------------------------------------------------- */

static void print_wrapped(FILE *out, const char *text, int indent, int width)
{
	int col = indent;
	fprintf(out, "%*s", indent, "");
	const char *p = text;
	while (*p) {
		if (*p == '\n') {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
			p++;
			continue;
		}
		const char *w = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		int wl = (int)(p - w);
		if (col > indent && col + 1 + wl > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		for (int k = 0; k < wl; k++) /* \x01 = non-breaking space */
			fputc(w[k] == '\x01' ? ' ' : w[k], out);
		col += wl;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

void cli_print_help(const struct cli_command *cmd, FILE *out)
{
	fprintf(out, "Usage: %s\n\n", cmd->usage);
	if (cmd->description) {
		print_wrapped(out, cmd->description, 2, 78);
		fputc('\n', out);
	}
	const struct cli_opt *opts = cmd->options ? cmd->options() : NULL;
	if (opts) {
		fputs("Options:\n", out);
		for (const struct cli_opt *o = opts; o->name; o++) {
			char head[128];
			if (o->short_name)
				snprintf(head, sizeof head, "-%c, --%s%s%s", o->short_name, o->name, o->metavar ? " " : "",
					 o->metavar ? o->metavar : "");
			else
				snprintf(head, sizeof head, "    --%s%s%s", o->name, o->metavar ? " " : "",
					 o->metavar ? o->metavar : "");
			fprintf(out, "  %s\n", head);
			char buf[1024];
			snprintf(buf, sizeof buf, "%s%s%s%s%s", o->help, o->default_text ? " (default:\x01" : "",
				 o->default_text ? o->default_text : "", o->default_text ? ")" : "",
				 o->required ? " (required)" : "");
			print_wrapped(out, buf, 8, 78);
		}
		fprintf(out, "  -h, --help\n");
		print_wrapped(out, "Show this help and exit.", 8, 78);
		fputc('\n', out);
	}
	if (cmd->examples) {
		fputs("Examples:\n", out);
		const char *p = cmd->examples;
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t l = nl ? (size_t)(nl - p) : strlen(p);
			fprintf(out, "  %.*s\n", (int)l, p);
			p += l + (nl ? 1 : 0);
		}
	}
	fputs("\nExit codes:\n", out);
	print_wrapped(out, CLI_EXIT_CODES_TEXT ".", 2, 78);
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "ceval %s: ", cmd ? cmd->name : "");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun 'ceval %s --help' for usage.\n", cmd ? cmd->name : "");
	return CLI_EXIT_USAGE;
}

/* ---- parsing ----------------------------------------------------------- */

static const struct cli_opt *find_long(const struct cli_opt *opts, const char *name, size_t len)
{
	for (const struct cli_opt *o = opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, char c)
{
	for (const struct cli_opt *o = opts; o && o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static int set_value(const struct cli_command *cmd, const struct cli_opt *o, const char *val)
{
	switch (o->type) {
	case CLI_OPT_FLAG:
		*(int *)o->dest = 1;
		return 0;
	case CLI_OPT_STRING:
		*(const char **)o->dest = val;
		return 0;
	case CLI_OPT_INT: {
		char *end;
		errno = 0;
		long v = strtol(val, &end, 10);
		if (errno || end == val || *end) {
			cli_usage_error(cmd, "--%s expects an integer, got '%s'", o->name, val);
			return -1;
		}
		if (o->min < o->max && (v < o->min || v > o->max)) {
			cli_usage_error(cmd, "--%s must be between %ld and %ld, got %ld", o->name, o->min, o->max, v);
			return -1;
		}
		*(int *)o->dest = (int)v;
		return 0;
	}
	case CLI_OPT_DOUBLE: {
		char *end;
		errno = 0;
		double v = strtod(val, &end);
		if (errno || end == val || *end) {
			cli_usage_error(cmd, "--%s expects a number, got '%s'", o->name, val);
			return -1;
		}
		*(double *)o->dest = v;
		return 0;
	}
	case CLI_OPT_LIST: {
		struct cli_list *l = o->dest;
		/* comma-separated values are split in place by the command; store raw here */
		if (l->n >= (int)(sizeof l->items / sizeof l->items[0])) {
			cli_usage_error(cmd, "too many --%s values", o->name);
			return -1;
		}
		l->items[l->n++] = val;
		return 0;
	}
	}
	return -1;
}

static void suggest_option(const struct cli_command *cmd, const struct cli_opt *opts, const char *name, size_t len)
{
	const char *names[128];
	int n = 0;
	for (const struct cli_opt *o = opts; o && o->name && n < 127; o++)
		names[n++] = o->name;
	names[n++] = "help";
	char word[128];
	snprintf(word, sizeof word, "%.*s", (int)(len < 127 ? len : 127), name);
	const char *best = cli_closest(word, names, n);
	if (best)
		cli_usage_error(cmd, "unknown option '--%s'; did you mean '--%s'?", word, best);
	else
		cli_usage_error(cmd, "unknown option '--%s'", word);
}

enum cli_parse_result cli_parse(const struct cli_command *cmd, const struct cli_opt *opts, int argc, char **argv,
				const char **positional, int max_positional, int *n_positional)
{
	int np = 0;
	int only_positional = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_positional || a[0] != '-' || a[1] == '\0') {
			if (np >= max_positional) {
				cli_usage_error(cmd, "unexpected argument '%s'", a);
				return CLI_PARSE_ERROR;
			}
			positional[np++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_print_help(cmd, stdout);
			return CLI_PARSE_HELP;
		}
		const struct cli_opt *o;
		const char *inline_val = NULL;
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			o = find_long(opts, name, len);
			if (!o) {
				suggest_option(cmd, opts, name, len);
				return CLI_PARSE_ERROR;
			}
			if (eq)
				inline_val = eq + 1;
		} else {
			o = a[2] == '\0' ? find_short(opts, a[1]) : NULL;
			if (!o) {
				cli_usage_error(cmd, "unknown option '%s'", a);
				return CLI_PARSE_ERROR;
			}
		}
		const char *val = NULL;
		if (o->type == CLI_OPT_FLAG) {
			if (inline_val) {
				cli_usage_error(cmd, "--%s takes no value", o->name);
				return CLI_PARSE_ERROR;
			}
		} else if (inline_val) {
			val = inline_val;
		} else {
			if (i + 1 >= argc) {
				cli_usage_error(cmd, "--%s needs a value (%s)", o->name, o->metavar ? o->metavar : "value");
				return CLI_PARSE_ERROR;
			}
			val = argv[++i];
		}
		if (set_value(cmd, o, val) != 0)
			return CLI_PARSE_ERROR;
	}
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		if (!o->required)
			continue;
		int missing = 0;
		if (o->type == CLI_OPT_STRING)
			missing = *(const char **)o->dest == NULL;
		else if (o->type == CLI_OPT_LIST)
			missing = ((struct cli_list *)o->dest)->n == 0;
		if (missing) {
			cli_usage_error(cmd, "missing required option --%s %s", o->name, o->metavar ? o->metavar : "");
			return CLI_PARSE_ERROR;
		}
	}
	if (n_positional)
		*n_positional = np;
	return CLI_PARSE_OK;
}

int cli_exit_code(enum ce_status s)
{
	switch (s) {
	case CE_OK:
		return CLI_EXIT_OK;
	case CE_E_INVALID_ARG:
		return CLI_EXIT_USAGE;
	case CE_E_INTERRUPTED:
		return CLI_EXIT_INTERRUPTED;
	case CE_E_INTERNAL:
		return CLI_EXIT_INTERNAL;
	case CE_E_MISMATCH:
	case CE_E_NOMEM:
	case CE_E_IO:
	case CE_E_FORMAT:
	case CE_E_UNSUPPORTED:
	case CE_E_LIMIT:
	case CE_E_NOT_FOUND:
	default:
		return CLI_EXIT_DATA;
	}
}

int cli_out_of_memory;

int cli_report(const struct ce_err *err)
{
	if (err->code == CE_E_NOMEM)
		cli_out_of_memory = 1;
	ce_log(CE_LOG_ERROR, "%s", err->msg[0] ? err->msg : ce_status_str(err->code));
	return cli_exit_code(err->code);
}

void cli_apply_verbosity(int quiet, int verbose)
{
	if (quiet)
		ce_log_set_level(CE_LOG_ERROR);
	else if (verbose)
		ce_log_set_level(CE_LOG_DEBUG);
	else
		ce_log_set_level(CE_LOG_WARN);
}
