/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine's insides, shared by the RTP and RTCP code: the per-thread
 * state and the burst driver that both use.
 *
 * A burst runs in three steps, in the manner of VPP's crypto nodes:
 *   1. prepare: for each operation, parse, check, compute the index and IV
 *      and fill one ipsec-mb job; refused operations get no job;
 *   2. submit all jobs in one IMB_SUBMIT_BURST (HMAC-SHA1 runs in the
 *      library's multi-buffer lanes, 16 packets at a time with AVX-512);
 *   3. finish the completed jobs, which come back in submission order:
 *      copy or compare the tag and commit stream state.
 */
#ifndef STRATA_SRTP_ENGINE_H
#define STRATA_SRTP_ENGINE_H

#include "srtp.h"

/* One AES block with AES-NI (the round keys in ipsec-mb's layout). */
void strata_srtp_aes_block(const uint8_t *round_keys, unsigned key_len, const uint8_t in[16],
			   uint8_t out[16]);

/* Per-job scratch: lives from prepare until finish. */
struct srtp_scratch {
	uint8_t iv[16] __attribute__((aligned(16)));
	uint8_t tag[32] __attribute__((aligned(16))); /* tag computed by the library */
	uint8_t rx_tag[STRATA_SRTP_MAX_TAG_LEN];      /* tag received in the packet */
	uint8_t aad[16];                               /* SRTCP AEAD: header, E||index */
	struct IMB_SGL_IOV segs[2];                    /* assembled AEAD protect */
	struct gcm_context_data gcm_ctx;
	uint64_t index;                                /* SRTP index or SRTCP index */
	uint32_t tag_at;                               /* where the tag sits in buf */
	uint32_t out_len;                              /* len after success */
};

struct strata_srtp_engine {
	IMB_MGR *mgr;
	IMB_ARCH arch;
	struct strata_srtp_counters counters;
	IMB_JOB *jobs[IMB_MAX_BURST_SIZE];
	struct strata_srtp_op *pending[IMB_MAX_BURST_SIZE];
	struct srtp_scratch scratch[IMB_MAX_BURST_SIZE];
};

/* prepare sees the operations already queued in this burst (e->pending[0,
 * queued) with e->scratch[0, queued)), for estimates that depend on them. */
typedef int (*srtp_prepare_fn)(const struct strata_srtp_engine *e, unsigned queued,
			       struct strata_srtp_op *op, struct srtp_scratch *sc, IMB_JOB *job);
typedef int (*srtp_finish_fn)(struct strata_srtp_op *op, struct srtp_scratch *sc);

/* Completes one job: crypto status first, then the operation's own finish. */
static inline __attribute__((always_inline)) unsigned
srtp_complete(struct strata_srtp_engine *e, IMB_JOB *job, enum strata_srtp_direction dir,
	      srtp_finish_fn finish)
{
	struct strata_srtp_op *op = job->user_data;
	int st = job->status == IMB_STATUS_COMPLETED ? finish(op, job->user_data2)
						     : STRATA_SRTP_CRYPTO;

	op->status = st;
	e->counters.status[dir][st]++;
	return st == STRATA_SRTP_OK;
}

/*
 * prepare returns this (never a public status) for an operation that must
 * wait for the packets queued before it: see rtp_unprotect_prepare.  The
 * driver runs such operations in a further pass over the same chunk.
 */
#define SRTP_DEFERRED STRATA_SRTP_STATUS_COUNT

/* Submits the queued jobs in one burst and completes them all. */
static inline __attribute__((always_inline)) unsigned
srtp_submit(struct strata_srtp_engine *e, unsigned queued, enum strata_srtp_direction dir,
	    srtp_finish_fn finish)
{
	IMB_MGR *mgr = e->mgr;
	unsigned ok = 0;
	unsigned done = IMB_SUBMIT_BURST(mgr, queued, e->jobs);

	if (done == 0 && imb_get_errno(mgr) != 0) {
		/* The library refused the whole burst before running any of
		 * it; every job is reported, none half-done. */
		for (unsigned i = 0; i < queued; i++) {
			e->pending[i]->status = STRATA_SRTP_CRYPTO;
			e->counters.status[dir][STRATA_SRTP_CRYPTO]++;
		}
		return 0;
	}
	for (unsigned i = 0; i < done; i++)
		ok += srtp_complete(e, e->jobs[i], dir, finish);
	for (unsigned left = queued - done; left > 0;) {
		unsigned f = IMB_FLUSH_BURST(mgr, left, e->jobs);

		for (unsigned i = 0; i < f; i++)
			ok += srtp_complete(e, e->jobs[i], dir, finish);
		left -= f;
	}
	return ok;
}

/*
 * Runs ops[0, n) through prepare, one ipsec-mb burst per IMB_MAX_BURST_SIZE
 * operations, and finish.  Always inlined so that prepare and finish are
 * direct calls.  Returns the number of operations that succeeded.
 */
static inline __attribute__((always_inline)) unsigned
srtp_run_burst(struct strata_srtp_engine *e, struct strata_srtp_op *ops, unsigned n,
	       enum strata_srtp_direction dir, srtp_prepare_fn prepare, srtp_finish_fn finish)
{
	unsigned ok = 0;

	while (n > 0) {
		unsigned chunk = n < IMB_MAX_BURST_SIZE ? n : IMB_MAX_BURST_SIZE;
		unsigned deferred = chunk;

		/* The first pass takes every operation; further passes (rare:
		 * only streams' first packets defer) take the deferred ones. */
		for (unsigned pass = 0; deferred > 0; pass++) {
			/* The queue is empty between bursts: all jobs come. */
			unsigned got = IMB_GET_NEXT_BURST(e->mgr, deferred, e->jobs);
			unsigned queued = 0;

			deferred = 0;
			for (unsigned i = 0; i < chunk && queued < got; i++) {
				struct strata_srtp_op *op = &ops[i];

				if (pass > 0 && op->status != SRTP_DEFERRED)
					continue;
				IMB_JOB *job = e->jobs[queued];
				int st = prepare(e, queued, op, &e->scratch[queued], job);

				if (st == SRTP_DEFERRED) {
					op->status = SRTP_DEFERRED;
					deferred++;
				} else if (st != STRATA_SRTP_OK) {
					op->status = st;
					e->counters.status[dir][st]++;
				} else {
					job->user_data = op;
					job->user_data2 = &e->scratch[queued];
					e->pending[queued++] = op;
				}
			}
			if (queued > 0)
				ok += srtp_submit(e, queued, dir, finish);
		}
		ops += chunk;
		n -= chunk;
	}
	return ok;
}

#endif /* STRATA_SRTP_ENGINE_H */
