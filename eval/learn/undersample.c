/* undersample.c - MTEB classification undersampling (see undersample.h). */
#include "undersample.h"

#include "ce_alloc.h"
#include "mt19937.h"
#include "sorted_i64.h"

enum ce_status undersample_init(struct undersample *u, int64_t n)
{
	u->idxs = NULL;
	u->n = 0;
	if (n < 0)
		return CE_E_INVALID_ARG;
	u->idxs = ce_malloc_array(n > 0 ? (size_t)n : 1, sizeof *u->idxs);
	if (!u->idxs)
		return CE_E_NOMEM;
	for (int64_t i = 0; i < n; i++)
		u->idxs[i] = i;
	u->n = n;
	return CE_OK;
}

void undersample_deinit(struct undersample *u)
{
	if (!u)
		return;
	ce_free(u->idxs);
	u->idxs = NULL;
	u->n = 0;
}

void undersample_shuffle(struct undersample *u, uint32_t seed)
{
	struct mt19937 mt;
	mt19937_seed(&mt, seed);
	mt19937_shuffle_i64(&mt, u->idxs, (size_t)u->n);
}

enum ce_status undersample_next(struct undersample *u, const int64_t *labels, int64_t samples_per_label,
				int64_t *rows, int64_t *n_rows)
{
	*n_rows = 0;
	size_t n = (size_t)u->n;
	undersample_shuffle(u, UNDERSAMPLE_SEED);
	if (n == 0)
		return CE_OK;
	/* Per-label counters keyed by the distinct label values (a dict in MTEB). */
	int64_t *uniq = ce_malloc_array(n, sizeof *uniq);
	int64_t *count = ce_calloc(n, sizeof *count);
	if (!uniq || !count) {
		ce_free(uniq);
		ce_free(count);
		return CE_E_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		uniq[i] = labels[i];
	size_t n_uniq = sorted_i64_unique(uniq, n);
	int64_t k = 0;
	for (size_t w = 0; w < n; w++) {
		int64_t row = u->idxs[w];
		size_t c = sorted_i64_find(uniq, n_uniq, labels[row]);
		if (count[c] < samples_per_label) {
			count[c]++;
			rows[k++] = row;
		}
	}
	*n_rows = k;
	ce_free(uniq);
	ce_free(count);
	return CE_OK;
}
