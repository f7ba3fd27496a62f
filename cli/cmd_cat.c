/*
 * cmd_cat.c - `ceval cat`: print the rows of Parquet or JSON Lines (plain or
 * zstd) files as JSON Lines, optionally only some columns and rows.  Parquet
 * values are rendered as DuckDB's JSON export renders them (the reference of
 * tests/cli/test_parquet.sh).
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ce_alloc.h"
#include "cli.h"
#include "line_reader.h"
#include "parquet.h"

static struct {
	struct cli_list columns;
	int limit;
	int skip_crc;
	int schema;
	/* --columns split at commas: names point into copies owned by run_cat */
	const char **names;
	int n_names;
} cat_args;

static const struct cli_opt *cat_options(void)
{
	static const struct cli_opt opts[] = {
		{"columns", 'c', CLI_OPT_LIST, &cat_args.columns, "A,B",
		 "Print only these columns, in this order (top-level names; a missing column is an error for "
		 "Parquet, null for JSON Lines).",
		 "all, in file order", 0, 0, 0},
		{"limit", 'n', CLI_OPT_INT, &cat_args.limit, "N", "Stop after N rows in all (0: no limit).", "0", 0,
		 INT_MAX, 0},
		{"skip-crc", 0, CLI_OPT_FLAG, &cat_args.skip_crc, NULL,
		 "Parquet: do not verify the page checksums the writer stored.", NULL, 0, 0, 0},
		{"schema", 0, CLI_OPT_FLAG, &cat_args.schema, NULL,
		 "Parquet: print the columns (name, kind, list or not, why unsupported) and row count instead of rows.",
		 NULL, 0, 0, 0},
		CLI_OPT_END,
	};
	return opts;
}

static void put_key(const char *s, FILE *out)
{
	putc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			putc(c, out);
	}
	fputs("\":", out);
}

static const char *const kind_names[PARQUET_KIND_COUNT] = {"unsupported", "bool", "int", "uint", "double",
							    "string", "binary", "date", "timestamp"};

static enum ce_status cat_parquet(const char *path, long long *left, struct ce_err *err)
{
	struct parquet_options opt;
	parquet_options_init(&opt);
	opt.verify_crc = !cat_args.skip_crc;
	struct parquet *pq = parquet_open(path, &opt, err);
	if (!pq)
		return err->code;
	enum ce_status st = CE_OK;
	int n = cat_args.n_names ? cat_args.n_names : parquet_num_columns(pq);
	int *cols = ce_malloc_array(n ? (size_t)n : 1, sizeof *cols);
	if (!cols) {
		st = ce_err_set(err, CE_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	if (cat_args.schema) {
		printf("%s: %lld rows, %d row groups, created by %s\n", path, (long long)parquet_num_rows(pq),
		       parquet_num_row_groups(pq), parquet_created_by(pq) ? parquet_created_by(pq) : "(unknown)");
		for (int i = 0; i < parquet_num_columns(pq); i++) {
			struct ce_err e2;
			enum ce_status cs = parquet_column_check(pq, i, &e2);
			printf("  %s: %s%s%s%s\n", parquet_column_name(pq, i), parquet_column_is_list(pq, i) ? "list of " : "",
			       kind_names[parquet_column_kind(pq, i)], cs ? " - " : "",
			       cs ? strstr(e2.msg, "': ") ? strstr(e2.msg, "': ") + 3 : e2.msg : "");
		}
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (cat_args.n_names) {
			cols[i] = parquet_column_find(pq, cat_args.names[i]);
			if (cols[i] < 0) {
				st = ce_err_set(err, CE_E_NOT_FOUND, "%s: no column '%s'", path, cat_args.names[i]);
				goto out;
			}
		} else {
			cols[i] = i;
		}
	}
	if ((st = parquet_select(pq, cols, n, err)) != CE_OK)
		goto out;
	while (*left != 0) {
		int has;
		if ((st = parquet_next_row(pq, &has, err)) != CE_OK || !has)
			break;
		putchar('{');
		for (int i = 0; i < n; i++) {
			if (i)
				putchar(',');
			put_key(parquet_column_name(pq, cols[i]), stdout);
			parquet_write_json_value(pq, cols[i], stdout);
		}
		fputs("}\n", stdout);
		if (*left > 0)
			(*left)--;
		if (cli_interrupted) {
			st = ce_err_set(err, CE_E_INTERRUPTED, "interrupted");
			break;
		}
	}
out:
	ce_free(cols);
	parquet_close(pq);
	return st;
}

static enum ce_status cat_jsonl(const char *path, long long *left, struct ce_err *err)
{
	struct line_reader *r = line_reader_open(path, 0, err);
	if (!r)
		return err->code;
	enum ce_status st = CE_OK;
	while (*left != 0) {
		const char *line;
		size_t len;
		int eof;
		if ((st = line_reader_next(r, &line, &len, &eof, err)) != CE_OK || eof)
			break;
		if (len == 0 || (len == 1 && line[0] == '\r'))
			continue;
		json_error_t je;
		json_t *j = json_loadb(line, len, JSON_ALLOW_NUL, &je);
		if (!j || !json_is_object(j)) {
			json_decref(j);
			st = ce_err_set(err, CE_E_FORMAT, "%s:%lld:%d: %s", path, (long long)line_reader_lineno(r),
					j ? 1 : je.column, j ? "expected a JSON object" : je.text);
			break;
		}
		if (!cat_args.n_names) {
			json_dumpf(j, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
		} else {
			putchar('{');
			for (int i = 0; i < cat_args.n_names; i++) {
				if (i)
					putchar(',');
				put_key(cat_args.names[i], stdout);
				json_t *v = json_object_get(j, cat_args.names[i]);
				if (v)
					json_dumpf(v, stdout, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER |
								      JSON_REAL_PRECISION(17));
				else
					fputs("null", stdout);
			}
			putchar('}');
		}
		putchar('\n');
		json_decref(j);
		if (*left > 0)
			(*left)--;
	}
	line_reader_close(r);
	return st;
}

static int cat_files(const char **files, int n_files);

static int is_parquet(const char *path)
{
	FILE *f = fopen(path, "rb");
	char m[4] = {0};
	if (f) {
		size_t got = fread(m, 1, 4, f);
		fclose(f);
		if (got == 4 && (!memcmp(m, "PAR1", 4) || !memcmp(m, "PARE", 4)))
			return 1;
	}
	size_t n = strlen(path);
	return n >= 8 && !strcmp(path + n - 8, ".parquet");
}

static int run_cat(const struct cli_command *self, int argc, char **argv)
{
	memset(&cat_args, 0, sizeof cat_args);
	const char *files[64];
	int n_files = 0;
	enum cli_parse_result pr = cli_parse(self, cat_options(), argc, argv, files, 64, &n_files);
	if (pr != CLI_PARSE_OK)
		return pr == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (n_files == 0)
		return cli_usage_error(self, "no input file");
	char *copies[64];
	int n_copies = 0;
	int n_max = 0;
	for (int i = 0; i < cat_args.columns.n; i++)
		n_max += 1 + (int)(strlen(cat_args.columns.items[i]) / 2);
	cat_args.names = ce_malloc_array((size_t)n_max + 1, sizeof *cat_args.names);
	if (!cat_args.names)
		return CLI_EXIT_INTERNAL;
	for (int i = 0; i < cat_args.columns.n; i++) {
		char *c = ce_strdup(cat_args.columns.items[i]);
		if (!c)
			return CLI_EXIT_INTERNAL;
		copies[n_copies++] = c;
		for (char *tok = c, *next; tok; tok = next) {
			next = strchr(tok, ',');
			if (next)
				*next++ = 0;
			if (*tok)
				cat_args.names[cat_args.n_names++] = tok;
		}
	}
	int rc = cat_files(files, n_files);
	for (int i = 0; i < n_copies; i++)
		ce_free(copies[i]);
	ce_free(cat_args.names);
	return rc;
}

static int cat_files(const char **files, int n_files)
{
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	long long left = cat_args.limit > 0 ? cat_args.limit : -1;
	struct ce_err err;
	ce_err_clear(&err);
	for (int i = 0; i < n_files && left != 0; i++) {
		enum ce_status st = is_parquet(files[i]) ? cat_parquet(files[i], &left, &err)
							 : cat_jsonl(files[i], &left, &err);
		if (st != CE_OK) {
			fflush(stdout);
			return cli_report(&err);
		}
	}
	if (fflush(stdout) != 0) {
		ce_err_set(&err, CE_E_IO, "writing to stdout failed");
		return cli_report(&err);
	}
	return CLI_EXIT_OK;
}

const struct cli_command cmd_cat = {
	"cat",
	"Print the rows of Parquet or JSON Lines files as JSON Lines",
	"ceval cat FILE.parquet|FILE.jsonl|FILE.jsonl.zst... [--columns A,B] [--limit N]",
	"Reads Parquet files with ceval's own reader (the one dataset loading uses: codecs UNCOMPRESSED, SNAPPY, "
	"GZIP, ZSTD, LZ4, LZ4_RAW, BROTLI; data pages v1 and v2; flat columns and lists of primitives) and prints "
	"one JSON object per row, columns in file order or in --columns order. Values are rendered as DuckDB's "
	"JSON export renders them: floats widened to double, dates \"YYYY-MM-DD\", binary bytes outside printable "
	"ASCII as \\\\xNN. Columns the reader does not handle (maps, structs, nested lists, INT96, decimals) "
	"are refused with an error naming the file and the column; select the others with --columns. "
	"JSON Lines files (plain or zstd-compressed) are printed object by object, --columns picking keys. "
	"Several files are printed one after the other; --limit counts rows over all of them. "
	"Exit status 3 when a file is unreadable, corrupt or unsupported.",
	"ceval cat train-00000-of-00001.parquet --limit 3\n"
	"ceval cat corpus.parquet --columns _id,text\n"
	"ceval cat data.parquet --schema\n"
	"ceval cat queries.jsonl.zst -n 5",
	cat_options,
	run_cat,
};
