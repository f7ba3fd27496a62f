/*
 * backend_mpi.h - `mpirun -np N ceval run ...` (or srun): one ceval per
 * rank.  Rank 0 runs the command as usual (tasks, data, cache, results);
 * its embedder (backend_mpi_open) hands out whole encoder batches - the
 * local backend's length-sorted order, cut exactly as one process cuts it -
 * to the worker ranks on demand and encodes batches itself between them.
 * Ranks > 0 run backend_mpi_worker: open the same model folder with the
 * same options, report the model fingerprint, kernels and host to rank 0,
 * then encode each batch they receive with one encoder_embed call on
 * exactly that batch, so every vector has the bits a single process gives.
 *
 * OpenMPI is not linked: libmpi.so.40 is loaded with dlopen only when the
 * environment says mpirun/srun started us (backend_mpi_launched), so plain
 * `ceval` keeps its start-up cost and memory.
 *
 * Ownership: backend_mpi_open returns an object freed by backend_mpi_close
 * (NULL accepted); its embedder and identity live as long as it.
 */
#ifndef BACKEND_MPI_H
#define BACKEND_MPI_H

#include <stddef.h>

#include "ce_status.h"
#include "embedder.h"
#include "engine.h"

struct backend_mpi;

/* 1 when mpirun or srun started this process (environment only; loads nothing). */
int backend_mpi_launched(void);
/* Load libmpi and MPI_Init: this process's rank (>= 0), or -1 with err filled. */
int backend_mpi_start(struct ce_err *err);
/* 1 between a successful backend_mpi_start and backend_mpi_finish. */
int backend_mpi_active(void);
/* A rank > 0's whole life: serve rank 0 until it says stop; the exit code. */
int backend_mpi_worker(void);
/* Rank 0 at exit: release the workers still waiting, MPI_Finalize.  No-op when not started. */
void backend_mpi_finish(void);
/* "built in (Open MPI v4.1.4, ...)" or why not, into buf[cap] (for --version). */
void backend_mpi_version(char *buf, size_t cap);

/*
 * Rank 0: open the model folder dir with opt here and on every worker; each
 * worker's fingerprint must equal this one (CE_E_MISMATCH naming its host
 * otherwise).  opt->progress is called once per finished batch of any rank.
 * Kernels that differ between ranks are warned about and all recorded in
 * the identity's kernels.  NULL and err filled on failure.
 */
struct backend_mpi *backend_mpi_open(const char *dir, const char *name, const struct encoder_options *opt,
				     void (*phase_fn)(void *user, const char *phase), void *phase_user,
				     struct ce_err *err);
void backend_mpi_close(struct backend_mpi *b);
/* The embedder (identity filled); valid until backend_mpi_close. */
struct embedder *backend_mpi_embedder(struct backend_mpi *b);
/* Ranks that encode (all of them: rank 0 encodes too). */
int backend_mpi_ranks(const struct backend_mpi *b);

#endif
