/*
 * backend_mpi.c - encoder batches over MPI ranks (see backend_mpi.h).
 *
 * Messages are plain bytes (MPI_BYTE) on MPI_COMM_WORLD:
 *   rank 0 -> worker  TAG_OPEN   i32 batch_size, threads, max_length, precision; model dir (NUL-terminated)
 *   worker -> rank 0  TAG_HELLO  i32 ok, dim; then ok ? host, fingerprint, kernels : host, error (NUL-terminated)
 *   rank 0 -> worker  TAG_BATCH  i64 batch id; i32 n; i32 len[n]; the n texts' bytes back to back
 *   worker -> rank 0  TAG_ROWS   i64 batch id; i32 status; then n * dim floats, or the error message
 *   rank 0 -> worker  TAG_QUIT   (empty): leave
 * Each worker holds up to SLOTS batches so that it never waits for rank 0,
 * which encodes batches itself between serving the workers.
 */
#include "backend_mpi.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_local.h"
#include "ce_alloc.h"
#include "ce_log.h"
#include "cli.h"

/* ---- the part of OpenMPI's ABI we use (libmpi.so.40, loaded at run time) ---- */

typedef void *mpi_handle; /* MPI_Comm, MPI_Datatype, MPI_Request: pointers in OpenMPI */
struct mpi_status {
	int source, tag, error, cancelled_;
	size_t ucount_;
};
#define MPI_ANY_SOURCE_ (-1)
#define MPI_ANY_TAG_ (-1)

static struct {
	void *lib;
	mpi_handle comm, byte;
	int (*init)(int *, char ***);
	int (*finalize)(void);
	int (*comm_rank)(mpi_handle, int *);
	int (*comm_size)(mpi_handle, int *);
	int (*send)(const void *, int, mpi_handle, int, int, mpi_handle);
	int (*isend)(const void *, int, mpi_handle, int, int, mpi_handle, mpi_handle *);
	int (*recv)(void *, int, mpi_handle, int, int, mpi_handle, struct mpi_status *);
	int (*probe)(int, int, mpi_handle, struct mpi_status *);
	int (*iprobe)(int, int, mpi_handle, int *, struct mpi_status *);
	int (*get_count)(const struct mpi_status *, mpi_handle, int *);
	int (*wait)(mpi_handle *, struct mpi_status *);
	int (*abort)(mpi_handle, int);
	int (*processor_name)(char *, int *);
	int (*library_version)(char *, int *);
	int rank, size, started, quit_sent;
} mpi;

#define MPI_LIB "libmpi.so.40"

enum { TAG_OPEN = 1, TAG_HELLO, TAG_BATCH, TAG_ROWS, TAG_QUIT };
enum { SLOTS = 2 }; /* batches in flight per worker */

static int mpi_load(char *why, size_t cap)
{
	if (mpi.lib)
		return 1;
	/* RTLD_GLOBAL: OpenMPI's own plugins resolve libmpi's symbols */
	void *lib = dlopen(MPI_LIB, RTLD_NOW | RTLD_GLOBAL);
	if (!lib) {
		snprintf(why, cap, "%s", dlerror());
		return 0;
	}
	struct {
		const char *name;
		void **slot;
	} syms[] = {
		{"ompi_mpi_comm_world", &mpi.comm},
		{"ompi_mpi_byte", &mpi.byte},
		{"MPI_Init", (void **)&mpi.init},
		{"MPI_Finalize", (void **)&mpi.finalize},
		{"MPI_Comm_rank", (void **)&mpi.comm_rank},
		{"MPI_Comm_size", (void **)&mpi.comm_size},
		{"MPI_Send", (void **)&mpi.send},
		{"MPI_Isend", (void **)&mpi.isend},
		{"MPI_Recv", (void **)&mpi.recv},
		{"MPI_Probe", (void **)&mpi.probe},
		{"MPI_Iprobe", (void **)&mpi.iprobe},
		{"MPI_Get_count", (void **)&mpi.get_count},
		{"MPI_Wait", (void **)&mpi.wait},
		{"MPI_Abort", (void **)&mpi.abort},
		{"MPI_Get_processor_name", (void **)&mpi.processor_name},
		{"MPI_Get_library_version", (void **)&mpi.library_version},
	};
	for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		*syms[i].slot = dlsym(lib, syms[i].name);
		if (!*syms[i].slot) {
			snprintf(why, cap, "%s has no %s (not OpenMPI 4 or later?)", MPI_LIB, syms[i].name);
			dlclose(lib);
			return 0;
		}
	}
	mpi.lib = lib;
	return 1;
}

int backend_mpi_launched(void)
{
	/* mpirun sets OMPI_*; srun sets PMIX_* (--mpi=pmix) or PMI_* (--mpi=pmi2), but not in
	 * the batch script itself, where a plain ceval must stay plain */
	return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

int backend_mpi_active(void) { return mpi.started; }

/* rank 0 only: SIGTERM is how mpirun stops the job (a rank died, or Ctrl-C) */
static void on_sigterm(int sig)
{
	(void)sig;
	static const char msg[] = "ceval: the MPI job was stopped (a rank died, or mpirun was interrupted); "
				  "finished tasks and the texts encoded so far are kept: run the same command again to "
				  "resume.\n";
	ssize_t w = write(2, msg, sizeof msg - 1);
	(void)w;
	_exit(CLI_EXIT_INTERRUPTED);
}

int backend_mpi_start(struct ce_err *err)
{
	char why[512];
	if (!mpi_load(why, sizeof why)) {
		ce_err_set(err, CE_E_NOT_FOUND, "started by mpirun/srun, but OpenMPI could not be loaded: %s "
						 "(install openmpi-bin; see README, \"Running on a cluster\")", why);
		return -1;
	}
	/* a rank waiting for work yields its core rather than spinning on it (the user's setting wins) */
	setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
	if (mpi.init(NULL, NULL) != 0 || mpi.comm_rank(mpi.comm, &mpi.rank) != 0 ||
	    mpi.comm_size(mpi.comm, &mpi.size) != 0) {
		ce_err_set(err, CE_E_IO, "MPI_Init failed");
		return -1;
	}
	mpi.started = 1;
	if (mpi.rank == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_sigterm;
		sigaction(SIGTERM, &sa, NULL);
	}
	return mpi.rank;
}

void backend_mpi_version(char *buf, size_t cap)
{
	char why[512];
	if (!mpi_load(why, sizeof why)) {
		snprintf(buf, cap, "built in, but %s is not installed (apt-get install openmpi-bin)", MPI_LIB);
		return;
	}
	char v[4096] = "";
	int len = 0;
	if (mpi.library_version(v, &len) != 0)
		snprintf(v, sizeof v, "?");
	v[strcspn(v, ",\n")] = 0; /* "Open MPI v4.1.4" */
	snprintf(buf, cap, "built in (%s, loaded at run time under mpirun/srun)", v);
}

static void host_name(char *buf, int cap)
{
	int len = 0;
	if (cap < 256 || mpi.processor_name(buf, &len) != 0)
		snprintf(buf, (size_t)cap, "?");
}

/* Receive the next message from src with tag (or any), into a new buffer. */
static void *recv_any(int src, int tag, struct mpi_status *st, int *nbytes)
{
	if (mpi.probe(src, tag, mpi.comm, st) != 0 || mpi.get_count(st, mpi.byte, nbytes) != 0)
		return NULL;
	char *buf = ce_malloc((size_t)*nbytes + 1);
	if (!buf)
		return NULL;
	if (mpi.recv(buf, *nbytes, mpi.byte, st->source, st->tag, mpi.comm, st) != 0) {
		ce_free(buf);
		return NULL;
	}
	buf[*nbytes] = 0;
	return buf;
}

static void send_quit_all(void)
{
	if (mpi.quit_sent)
		return;
	mpi.quit_sent = 1;
	for (int r = 1; r < mpi.size; r++)
		mpi.send(NULL, 0, mpi.byte, r, TAG_QUIT, mpi.comm);
}

void backend_mpi_finish(void)
{
	if (!mpi.started)
		return;
	if (mpi.rank == 0)
		send_quit_all();
	mpi.finalize();
	mpi.started = 0;
}

/* ---- the worker (ranks > 0) ------------------------------------------------ */

struct slot {
	char *buf;
	size_t cap;
	mpi_handle req;
	int busy;
};

static int slot_fit(struct slot *s, size_t need)
{
	if (s->busy) {
		mpi.wait(&s->req, NULL);
		s->busy = 0;
	}
	if (need <= s->cap)
		return 1;
	char *nb = ce_malloc(need);
	if (!nb)
		return 0;
	ce_free(s->buf);
	s->buf = nb;
	s->cap = need;
	return 1;
}

static void hello_fail(const char *host, const char *msg)
{
	size_t hl = strlen(host) + 1, ml = strlen(msg) + 1;
	char *buf = ce_malloc(8 + hl + ml);
	if (!buf) {
		mpi.abort(mpi.comm, CLI_EXIT_FAIL);
		return;
	}
	int32_t h[2] = {0, 0};
	memcpy(buf, h, 8);
	memcpy(buf + 8, host, hl);
	memcpy(buf + 8 + hl, msg, ml);
	mpi.send(buf, (int)(8 + hl + ml), mpi.byte, 0, TAG_HELLO, mpi.comm);
	ce_free(buf);
}

/* "R:VALUE" for this rank (test hooks) or NULL */
static const char *rank_hook(const char *name)
{
	const char *v = getenv(name);
	if (!v)
		return NULL;
	char *end;
	long r = strtol(v, &end, 10);
	return r == mpi.rank && *end == ':' ? end + 1 : NULL;
}

/* Encode one TAG_BATCH message into slot s and send the rows (or the error). */
static int worker_batch(struct encoder *enc, const char *msg, int nbytes, struct slot *s)
{
	int64_t id;
	int32_t n;
	if (nbytes < 12)
		return 0;
	memcpy(&id, msg, 8);
	memcpy(&n, msg + 8, 4);
	if (n <= 0 || (int64_t)nbytes < 12 + 4LL * n)
		return 0;
	const char **texts = ce_malloc_array((size_t)n, sizeof *texts);
	char *copy = ce_malloc((size_t)nbytes);
	int32_t dim = encoder_dim(enc);
	if (!texts || !copy || !slot_fit(s, 12 + (size_t)n * (size_t)dim * sizeof(float) + 1024)) {
		ce_free(texts);
		ce_free(copy);
		return 0;
	}
	/* texts back to back: give each its NUL in a copy */
	const char *p = msg + 12 + 4 * (size_t)n;
	char *q = copy;
	for (int32_t i = 0; i < n; i++) {
		int32_t len;
		memcpy(&len, msg + 12 + 4 * (size_t)i, 4);
		memcpy(q, p, (size_t)len);
		q[len] = 0;
		texts[i] = q;
		p += len;
		q += len + 1;
	}
	struct ce_err err;
	ce_err_clear(&err);
	/* one call on exactly this batch: the bits a single process gives it */
	enum ce_status st = encoder_embed(enc, texts, n, (float *)(s->buf + 12), &err);
	int32_t code = (int32_t)st;
	memcpy(s->buf, &id, 8);
	memcpy(s->buf + 8, &code, 4);
	size_t len = 12 + (size_t)n * (size_t)dim * sizeof(float);
	if (st != CE_OK) {
		snprintf(s->buf + 12, 1000, "%s", err.msg[0] ? err.msg : ce_status_str(st));
		len = 12 + strlen(s->buf + 12) + 1;
	}
	s->busy = mpi.isend(s->buf, (int)len, mpi.byte, 0, TAG_ROWS, mpi.comm, &s->req) == 0;
	ce_free(texts);
	ce_free(copy);
	return 1;
}

int backend_mpi_worker(void)
{
	char host[512];
	host_name(host, sizeof host);
	struct encoder *enc = NULL;
	struct slot slots[SLOTS] = {0};
	int next_slot = 0;
	long batches = 0;
	const char *exit_env = rank_hook("CEVAL_TEST_MPI_KILL_AFTER");
	long kill_after = exit_env ? strtol(exit_env, NULL, 10) : 0;
	int rc = CLI_EXIT_OK;
	for (;;) {
		struct mpi_status st;
		int nbytes = 0;
		char *msg = recv_any(0, MPI_ANY_TAG_, &st, &nbytes);
		if (!msg) {
			fprintf(stderr, "ceval: rank %d (%s): lost rank 0 or out of memory\n", mpi.rank, host);
			mpi.abort(mpi.comm, CLI_EXIT_FAIL);
			return CLI_EXIT_FAIL;
		}
		if (st.tag == TAG_QUIT) {
			ce_free(msg);
			break;
		}
		if (st.tag == TAG_OPEN && nbytes > 16) {
			int32_t h[4];
			memcpy(h, msg, 16);
			const char *dir = rank_hook("CEVAL_TEST_MPI_MODEL");
			if (!dir)
				dir = msg + 16;
			struct encoder_options opt;
			encoder_options_init(&opt);
			opt.batch_size = h[0];
			opt.threads = h[1];
			opt.max_seq_length = h[2];
			opt.precision = (enum encoder_precision)h[3];
			struct ce_err err;
			ce_err_clear(&err);
			encoder_close(enc);
			enc = encoder_open(dir, &opt, &err);
			if (!enc) {
				hello_fail(host, err.msg);
			} else {
				const char *fp = encoder_fingerprint(enc), *k = encoder_kernels(enc);
				k = k ? k : "";
				size_t hl = strlen(host) + 1, fl = strlen(fp) + 1, kl = strlen(k) + 1;
				char *buf = ce_malloc(8 + hl + fl + kl);
				if (!buf) {
					hello_fail(host, "out of memory");
				} else {
					int32_t hh[2] = {1, encoder_dim(enc)};
					memcpy(buf, hh, 8);
					memcpy(buf + 8, host, hl);
					memcpy(buf + 8 + hl, fp, fl);
					memcpy(buf + 8 + hl + fl, k, kl);
					mpi.send(buf, (int)(8 + hl + fl + kl), mpi.byte, 0, TAG_HELLO, mpi.comm);
					ce_free(buf);
				}
			}
		} else if (st.tag == TAG_BATCH && enc) {
			if (!worker_batch(enc, msg, nbytes, &slots[next_slot])) {
				fprintf(stderr, "ceval: rank %d (%s): bad batch message or out of memory\n", mpi.rank, host);
				mpi.abort(mpi.comm, CLI_EXIT_FAIL);
			}
			next_slot = (next_slot + 1) % SLOTS;
			/* CEVAL_TEST_MPI_KILL_AFTER=R:N: rank R dies by SIGKILL after N batches (tests/cli/test_mpi.sh) */
			if (kill_after > 0 && ++batches >= kill_after) {
				fprintf(stderr, "ceval: rank %d (%s): killed by CEVAL_TEST_MPI_KILL_AFTER\n", mpi.rank, host);
				raise(SIGKILL);
			}
		}
		ce_free(msg);
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].busy)
			mpi.wait(&slots[i].req, NULL);
		ce_free(slots[i].buf);
	}
	encoder_close(enc);
	backend_mpi_finish();
	return rc;
}

/* ---- rank 0: the embedder ---------------------------------------------------- */

struct pending {
	int64_t batch; /* -1: free */
	char *buf;
	size_t cap;
	mpi_handle req;
	int busy;
};

struct backend_mpi {
	struct embedder emb;
	struct embedder_identity id;
	struct backend_local *local;
	const struct embedder *inner;
	char *kernels;
	encoder_progress_fn progress;
	void *progress_user;
	int n_workers;
	struct pending *pend; /* [n_workers * SLOTS] */
};

static enum ce_status send_batch(int w, struct pending *p, int64_t bi, const char *const *texts,
				 const int64_t *order, int64_t b0, int32_t nb, struct ce_err *err)
{
	size_t need = 12 + 4 * (size_t)nb;
	for (int32_t k = 0; k < nb; k++)
		need += strlen(texts[order[b0 + k]] ? texts[order[b0 + k]] : "");
	CE_CHECK(need < INT32_MAX, err, CE_E_LIMIT, "MPI: one batch of texts exceeds 2 GB");
	if (p->busy) {
		mpi.wait(&p->req, NULL);
		p->busy = 0;
	}
	if (need > p->cap) {
		char *nbuf = ce_malloc(need);
		CE_CHECK(nbuf, err, CE_E_NOMEM, "MPI: out of memory for a batch");
		ce_free(p->buf);
		p->buf = nbuf;
		p->cap = need;
	}
	memcpy(p->buf, &bi, 8);
	memcpy(p->buf + 8, &nb, 4);
	char *q = p->buf + 12 + 4 * (size_t)nb;
	for (int32_t k = 0; k < nb; k++) {
		const char *t = texts[order[b0 + k]] ? texts[order[b0 + k]] : "";
		int32_t len = (int32_t)strlen(t);
		memcpy(p->buf + 12 + 4 * (size_t)k, &len, 4);
		memcpy(q, t, (size_t)len);
		q += len;
	}
	CE_CHECK(mpi.isend(p->buf, (int)need, mpi.byte, w + 1, TAG_BATCH, mpi.comm, &p->req) == 0, err, CE_E_IO,
		 "MPI: sending a batch to rank %d failed", w + 1);
	p->busy = 1;
	p->batch = bi;
	return CE_OK;
}

static enum ce_status mpi_embed(void *self, const char *const *texts, int64_t n, float *out, struct ce_err *err)
{
	struct backend_mpi *b = self;
	if (n <= 0)
		return CE_OK;
	size_t dim = (size_t)b->id.dim;
	int32_t bs = b->id.batch_size;
	int64_t n_batches = (n + bs - 1) / bs;
	int64_t *order = ce_malloc_array((size_t)n, sizeof *order);
	const char **batch = ce_malloc_array((size_t)bs, sizeof *batch);
	float *vec = ce_malloc_array((size_t)bs * dim, sizeof *vec);
	enum ce_status st = CE_OK;
	if (!order || !batch || !vec) {
		st = ce_err_set(err, CE_E_NOMEM, "out of memory embedding %lld texts", (long long)n);
		goto out;
	}
	/* the single process's batches: consecutive runs of bs texts of its order */
	if ((st = b->inner->order(b->inner->self, texts, n, order, err)) != CE_OK)
		goto out;
	int64_t next = 0, done_texts = 0, in_flight = 0;
	int stop = 0;
	for (;;) {
		/* keep every worker busy: one batch in flight always, a second one
		 * (so that it need not wait while rank 0 encodes) only while more
		 * batches are left than ranks, so that at the end of the call no
		 * rank waits for another rank's queue */
		for (int w = 0; w < b->n_workers && !stop; w++) {
			for (int s = 0; s < SLOTS && next < n_batches; s++) {
				struct pending *p = &b->pend[w * SLOTS + s];
				if (p->batch >= 0)
					continue;
				int held = 0;
				for (int s2 = 0; s2 < SLOTS; s2++)
					held += b->pend[w * SLOTS + s2].batch >= 0;
				if (held > 0 && n_batches - next <= b->n_workers + 1)
					break;
				int64_t b0 = next * bs;
				int32_t nb = (int32_t)(n - b0 < bs ? n - b0 : bs);
				if ((st = send_batch(w, p, next, texts, order, b0, nb, err)) != CE_OK) {
					stop = 1;
					break;
				}
				next++;
				in_flight++;
			}
		}
		/* collect what has come back; rank 0 encodes the next batch itself when nothing has */
		int ready = 0;
		struct mpi_status ms;
		/* twice: Open MPI's iprobe reports only what earlier progress had
		 * already matched, and runs the progress engine after looking; a
		 * single probe saw a worker's rows one batch of rank 0 late, and the
		 * worker sat idle for that batch (13% of its time, bench/mpi_scale.sh) */
		for (int k = 0; k < 2 && in_flight > 0 && !ready; k++)
			if (mpi.iprobe(MPI_ANY_SOURCE_, TAG_ROWS, mpi.comm, &ready, &ms) != 0)
				ready = 0;
		if (!ready && next < n_batches && !stop) {
			int64_t b0 = next * bs;
			int32_t nb = (int32_t)(n - b0 < bs ? n - b0 : bs);
			for (int32_t k = 0; k < nb; k++)
				batch[k] = texts[order[b0 + k]];
			next++;
			if ((st = b->inner->embed(b->inner->self, batch, nb, vec, err)) != CE_OK) {
				stop = 1;
			} else {
				for (int32_t k = 0; k < nb; k++)
					memcpy(out + (size_t)order[b0 + k] * dim, vec + (size_t)k * dim, dim * sizeof *out);
				done_texts += nb;
				if (b->progress && b->progress(b->progress_user, done_texts, n)) {
					st = ce_err_set(err, CE_E_INTERRUPTED, "interrupted after %lld of %lld texts",
							(long long)done_texts, (long long)n);
					stop = 1;
				}
			}
			continue;
		}
		if (in_flight == 0)
			break;
		int nbytes = 0;
		char *msg = recv_any(MPI_ANY_SOURCE_, TAG_ROWS, &ms, &nbytes);
		if (!msg) {
			if (st == CE_OK)
				st = ce_err_set(err, CE_E_IO, "MPI: receiving embeddings failed");
			mpi.abort(mpi.comm, CLI_EXIT_FAIL);
			break;
		}
		int64_t bi = -1;
		int32_t code = CE_E_INTERNAL;
		if (nbytes >= 12) {
			memcpy(&bi, msg, 8);
			memcpy(&code, msg + 8, 4);
		}
		int w = ms.source - 1;
		struct pending *p = NULL;
		for (int s = 0; w >= 0 && w < b->n_workers && s < SLOTS; s++)
			if (b->pend[w * SLOTS + s].batch == bi)
				p = &b->pend[w * SLOTS + s];
		if (!p) {
			ce_free(msg);
			st = ce_err_set(err, CE_E_INTERNAL, "MPI: rank %d sent rows of an unknown batch", ms.source);
			mpi.abort(mpi.comm, CLI_EXIT_INTERNAL);
			break;
		}
		p->batch = -1;
		in_flight--;
		int64_t b0 = bi * bs;
		int32_t nb = (int32_t)(n - b0 < bs ? n - b0 : bs);
		if (code != CE_OK) {
			if (st == CE_OK)
				st = ce_err_set(err, (enum ce_status)code, "rank %d: %s", ms.source, nbytes > 12 ? msg + 12 : "?");
			stop = 1;
		} else if (nbytes != 12 + (int)((size_t)nb * dim * sizeof(float))) {
			if (st == CE_OK)
				st = ce_err_set(err, CE_E_INTERNAL, "MPI: rank %d sent %d bytes for a batch of %d", ms.source,
						nbytes, nb);
			stop = 1;
		} else if (!stop) {
			const float *rows = (const float *)(msg + 12);
			for (int32_t k = 0; k < nb; k++)
				memcpy(out + (size_t)order[b0 + k] * dim, rows + (size_t)k * dim, dim * sizeof *out);
			done_texts += nb;
			if (b->progress && b->progress(b->progress_user, done_texts, n)) {
				st = ce_err_set(err, CE_E_INTERRUPTED, "interrupted after %lld of %lld texts",
						(long long)done_texts, (long long)n);
				stop = 1;
			}
		}
		ce_free(msg);
	}
	if (st == CE_OK && done_texts != n)
		st = ce_err_set(err, CE_E_INTERNAL, "MPI: %lld of %lld texts came back", (long long)done_texts,
				(long long)n);
out:
	ce_free(order);
	ce_free(batch);
	ce_free(vec);
	return st;
}

int backend_mpi_ranks(const struct backend_mpi *b)
{
	return b ? b->n_workers + 1 : 1;
}

static enum ce_status mpi_order(void *self, const char *const *texts, int64_t n, int64_t *order, struct ce_err *err)
{
	struct backend_mpi *b = self;
	return b->inner->order(b->inner->self, texts, n, order, err);
}

static void mpi_set_phase(void *self, const char *phase)
{
	struct backend_mpi *b = self;
	if (b->inner->set_phase)
		b->inner->set_phase(b->inner->self, phase);
}

/* Append kernel id k to b->kernels unless it is there ("a-and-b"). */
static int kernels_add(struct backend_mpi *b, const char *k)
{
	if (!k || !*k || (b->kernels && strstr(b->kernels, k)))
		return 0;
	size_t old = b->kernels ? strlen(b->kernels) : 0;
	char *nk = ce_malloc(old + strlen(k) + 6);
	if (!nk)
		return 0;
	snprintf(nk, old + strlen(k) + 6, "%s%s%s", b->kernels ? b->kernels : "", b->kernels ? "-and-" : "", k);
	ce_free(b->kernels);
	b->kernels = nk;
	return 1;
}

struct backend_mpi *backend_mpi_open(const char *dir, const char *name, const struct encoder_options *opt,
				     void (*phase_fn)(void *user, const char *phase), void *phase_user,
				     struct ce_err *err)
{
	struct backend_mpi *b = ce_calloc(1, sizeof *b);
	if (!b) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
		return NULL;
	}
	struct encoder_options o = *opt;
	b->progress = o.progress;
	b->progress_user = o.progress_user;
	o.progress = NULL; /* rank 0 reports per batch of any rank */
	b->local = backend_local_open(dir, name, &o, phase_fn, phase_user, err);
	if (!b->local) {
		ce_free(b);
		return NULL;
	}
	b->inner = backend_local_embedder(b->local);
	b->id = *b->inner->id;
	b->n_workers = mpi.size - 1;
	b->pend = ce_calloc((size_t)(b->n_workers * SLOTS + 1), sizeof *b->pend);
	if (!b->pend || (b->id.kernels && !kernels_add(b, b->id.kernels))) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
		backend_mpi_close(b);
		return NULL;
	}
	for (int i = 0; i < b->n_workers * SLOTS; i++)
		b->pend[i].batch = -1;
	/* every worker opens the same folder with the same options */
	size_t dl = strlen(dir) + 1;
	char *msg = ce_malloc(16 + dl);
	if (!msg) {
		ce_err_set(err, CE_E_NOMEM, "%s: out of memory", dir);
		backend_mpi_close(b);
		return NULL;
	}
	int32_t h[4] = {b->id.batch_size, opt->threads, opt->max_seq_length, (int32_t)opt->precision};
	memcpy(msg, h, 16);
	memcpy(msg + 16, dir, dl);
	for (int r = 1; r < mpi.size; r++)
		mpi.send(msg, (int)(16 + dl), mpi.byte, r, TAG_OPEN, mpi.comm);
	ce_free(msg);
	char host0[512];
	host_name(host0, sizeof host0);
	int mixed = 0;
	enum ce_status st = CE_OK;
	for (int r = 1; r < mpi.size; r++) {
		struct mpi_status ms;
		int nbytes = 0;
		char *hello = recv_any(r, TAG_HELLO, &ms, &nbytes);
		int32_t hh[2] = {0, 0};
		if (hello && nbytes >= 8)
			memcpy(hh, hello, 8);
		const char *host = hello && nbytes > 8 ? hello + 8 : "?";
		const char *f2 = hello && nbytes > 8 ? host + strlen(host) + 1 : "";
		const char *k2 = hh[0] ? f2 + strlen(f2) + 1 : "";
		if (st != CE_OK) {
			/* the first failure is the one reported */
		} else if (!hello) {
			st = ce_err_set(err, CE_E_IO, "MPI: no answer from rank %d", r);
		} else if (!hh[0]) {
			st = ce_err_set(err, CE_E_NOT_FOUND, "rank %d on host %s cannot open the model: %s", r, host, f2);
		} else if (strcmp(f2, b->id.fingerprint) != 0 || hh[1] != b->id.dim) {
			st = ce_err_set(err, CE_E_MISMATCH,
					"rank %d on host %s has a different model at %s (fingerprint %.16s, rank 0 on %s has "
					"%.16s): every node needs the same model files at the same path",
					r, host, dir, f2, host0, b->id.fingerprint);
		} else if (kernels_add(b, k2)) {
			mixed = 1;
			ce_log(CE_LOG_WARN, "rank %d on host %s encodes with kernels %s, rank 0 with %s: vectors may differ "
					    "in the last bits from a single-process run; all kernels are recorded",
			       r, host, k2, b->id.kernels ? b->id.kernels : "?");
		}
		ce_free(hello);
	}
	if (st != CE_OK) {
		backend_mpi_close(b);
		return NULL;
	}
	if (mixed)
		b->id.kernels = b->kernels;
	ce_log(CE_LOG_INFO, "MPI: %d ranks encode (rank 0 on %s and %d worker%s)", mpi.size, host0, b->n_workers,
	       b->n_workers == 1 ? "" : "s");
	b->emb = (struct embedder){mpi_embed, b, b->id.dim, mpi_set_phase, &b->id, mpi_order};
	return b;
}

void backend_mpi_close(struct backend_mpi *b)
{
	if (!b)
		return;
	for (int i = 0; b->pend && i < b->n_workers * SLOTS; i++) {
		if (b->pend[i].busy)
			mpi.wait(&b->pend[i].req, NULL);
		ce_free(b->pend[i].buf);
	}
	ce_free(b->pend);
	ce_free(b->kernels);
	backend_local_close(b->local);
	ce_free(b);
}

struct embedder *backend_mpi_embedder(struct backend_mpi *b) { return &b->emb; }
