/*
 * parquet_bench.c - read rate and peak memory of the Parquet reader: streams
 * every row of the given columns (all columns when none are named) of a file
 * and sums the bytes of its strings, as a data loader would touch them.
 *   usage: parquet_bench FILE [COLUMN...]
 * Prints rows, string bytes, seconds, MB/s of file and peak RSS (getrusage).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "parquet.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: parquet_bench FILE [COLUMN...]\n");
		return 2;
	}
	struct ce_err err;
	double t0 = now();
	struct parquet *pq = parquet_open(argv[1], NULL, &err);
	if (!pq) {
		fprintf(stderr, "parquet_bench: %s\n", err.msg);
		return 3;
	}
	int n_cols = argc > 2 ? argc - 2 : parquet_num_columns(pq);
	int *cols = calloc((size_t)n_cols, sizeof *cols);
	for (int i = 0; i < n_cols; i++) {
		cols[i] = argc > 2 ? parquet_column_find(pq, argv[i + 2]) : i;
		if (cols[i] < 0) {
			fprintf(stderr, "parquet_bench: %s: no column '%s'\n", argv[1], argv[i + 2]);
			return 3;
		}
	}
	if (parquet_select(pq, cols, n_cols, &err) != CE_OK) {
		fprintf(stderr, "parquet_bench: %s\n", err.msg);
		return 3;
	}
	long long rows = 0, bytes = 0;
	for (;;) {
		int has = 0;
		if (parquet_next_row(pq, &has, &err) != CE_OK) {
			fprintf(stderr, "parquet_bench: %s\n", err.msg);
			return 3;
		}
		if (!has)
			break;
		rows++;
		for (int i = 0; i < n_cols; i++) {
			const char *s;
			size_t len;
			if (parquet_get_str(pq, cols[i], &s, &len))
				bytes += (long long)len;
		}
	}
	double secs = now() - t0;
	parquet_close(pq);
	free(cols);
	struct stat sb;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double file_mb = stat(argv[1], &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
	printf("rows %lld  string_bytes %lld  seconds %.2f  file_MB_per_s %.0f  peak_rss_MB %.0f\n", rows, bytes, secs,
	       file_mb / secs, (double)ru.ru_maxrss / 1024.0);
	return 0;
}
