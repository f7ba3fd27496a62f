/*
 * knn_bench.c - `make bench`: time eval/knn.h's exact top-k search on
 * 1,000 queries x 100,000 documents x 768 dimensions (unit-length random
 * vectors, dot product, k = 1000 as mteb's retrieval top_k) and print the
 * wall time and the rate 2·nq·nd·dim / time, next to the rate of one plain
 * cblas_sgemm of the same shape (the full 1,000 x 100,000 score matrix, no
 * top-k): the kernel's target is >= 80% of it.
 * usage: knn_bench [threads]   (0 or absent = OpenBLAS default)
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ce_alloc.h"
#include "knn.h"

#define NQ 1000
#define ND 100000
#define DIM 768
#define K 1000

/* Deterministic uniform floats in [-1, 1) (xorshift64*), rows normalised. */
static void fill_unit_rows(float *v, int64_t rows, uint64_t seed)
{
	uint64_t s = seed;
	for (int64_t r = 0; r < rows; r++) {
		double ss = 0;
		float *row = v + r * DIM;
		for (int j = 0; j < DIM; j++) {
			s ^= s >> 12;
			s ^= s << 25;
			s ^= s >> 27;
			row[j] = (float)((double)((s * 2685821657736338717ull) >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
			ss += (double)row[j] * row[j];
		}
		float inv = (float)(1.0 / sqrt(ss));
		for (int j = 0; j < DIM; j++)
			row[j] *= inv;
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 0;
	if (threads > 0)
		openblas_set_num_threads(threads);
	float *q = ce_malloc_array((size_t)NQ * DIM, sizeof *q);
	float *d = ce_malloc_array((size_t)ND * DIM, sizeof *d);
	struct knn_hit *hits = ce_malloc_array((size_t)NQ * K, sizeof *hits);
	int64_t *n_hits = ce_malloc_array(NQ, sizeof *n_hits);
	if (!q || !d || !hits || !n_hits) {
		fprintf(stderr, "knn_bench: out of memory\n");
		return 1;
	}
	fill_unit_rows(q, NQ, 1);
	fill_unit_rows(d, ND, 2);
	struct knn_options opt;
	knn_options_init(&opt);
	opt.k = K;
	struct ce_err err = {0};
	double t0 = now_s();
	enum ce_status s = knn_search(q, NQ, d, ND, DIM, &opt, hits, n_hits, &err);
	double t = now_s() - t0;
	if (s != CE_OK) {
		fprintf(stderr, "knn_bench: %s\n", err.msg);
		return 1;
	}
	double gflop = 2.0 * NQ * (double)ND * DIM * 1e-9;
	/* the same product in one sgemm call, best of two (the first also pays page faults of its output) */
	float *c = ce_malloc_array((size_t)NQ * ND, sizeof *c);
	double ts = 0;
	for (int rep = 0; c && rep < 2; rep++) {
		double t1 = now_s();
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, NQ, ND, DIM, 1.0f, q, DIM, d, DIM, 0.0f, c, ND);
		double ti = now_s() - t1;
		ts = rep == 0 || ti < ts ? ti : ts;
	}
	ce_free(c);
	printf("knn_search %d queries x %d docs x %d (k=%d, %d threads): %.0f ms, %.1f GFLOP/s\n", NQ, ND, DIM, K,
	       threads > 0 ? threads : openblas_get_num_threads(), t * 1e3, gflop / t);
	if (ts > 0)
		printf("cblas_sgemm of the same shape (scores only): %.0f ms, %.1f GFLOP/s; knn_search reaches %.0f%% of it\n",
		       ts * 1e3, gflop / ts, 100.0 * ts / t);
	ce_free(q);
	ce_free(d);
	ce_free(hits);
	ce_free(n_hits);
	return 0;
}
