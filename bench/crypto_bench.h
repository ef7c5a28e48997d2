/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench crypto, inside: one "cell" is one (engine, profile, op,
 * payload size) measured for a while.  crypto_bench.c runs the cells and
 * reports; crypto_engines.c has what each engine does per burst.
 */
#ifndef STRATA_CRYPTO_BENCH_H
#define STRATA_CRYPTO_BENCH_H

#include <stdint.h>

#include <srtp2/srtp.h>

#include "srtp.h"

#define CB_HDR_LEN 12           /* RTP fixed header, no CSRC, no extension */
#define CB_SSRC 0x5354524bu     /* "STRK" */

enum cb_engine { CB_STRATA, CB_LIBSRTP, CB_IPSECMB, CB_ENGINE_COUNT };
enum cb_op { CB_PROTECT, CB_UNPROTECT, CB_OP_COUNT };

extern const char *const cb_engine_names[CB_ENGINE_COUNT];
extern const char *const cb_op_names[CB_OP_COUNT];

/*
 * Everything a cell works on.  Packets live in two pools of `pool` slots:
 * src holds plaintext RTP packets, out what protect writes there (and what
 * unprotect then works on in place).  Bursts walk the pools in order.
 * Allocate 64-byte aligned: the sessions inside are.
 */
struct cb_cell {
	struct strata_srtp_session tx_session; /* keys the sender uses */
	struct strata_srtp_session rx_session; /* the same master key, receiving */
	struct strata_srtp_tx tx;
	struct strata_srtp_rx rx;

	const struct strata_srtp_profile *profile;
	enum cb_engine engine_id;
	enum cb_op op;
	unsigned len;           /* plaintext packet: header + payload */
	unsigned burst;
	unsigned pool;          /* slots in each pool, a multiple of burst */
	size_t src_stride, out_stride;
	uint8_t *src, *out;
	/* Each engine's next sequence number: the engines take turns on one
	 * cell, and each stream must stay in order for replay protection. */
	uint16_t seq[CB_ENGINE_COUNT];

	struct strata_srtp_engine *engine;
	struct strata_srtp_op ops[IMB_MAX_BURST_SIZE];

	srtp_t lib_tx, lib_rx;  /* libsrtp2: a sender's and a receiver's context */
	int lib_len[IMB_MAX_BURST_SIZE];

	IMB_JOB *jobs[IMB_MAX_BURST_SIZE];
	uint8_t iv[IMB_MAX_BURST_SIZE][16] __attribute__((aligned(16)));
	uint8_t tag[IMB_MAX_BURST_SIZE][16] __attribute__((aligned(16)));
};

/*
 * One burst of n packets from slot `first` on: does the untimed preparation
 * (fresh sequence numbers; for unprotect, protecting the packets), times
 * the operation itself and checks that every packet succeeded, aborting
 * otherwise.  Returns the TSC ticks of the timed part.
 */
typedef uint64_t (*cb_burst_fn)(struct cb_cell *c, unsigned first, unsigned n);

cb_burst_fn cb_burst_fn_for(enum cb_engine engine, enum cb_op op);

/* Fresh sessions, streams and libsrtp2 contexts for c->profile; every
 * engine's stream starts again at sequence number 1. */
void cb_cell_open(struct cb_cell *c);
void cb_cell_close(struct cb_cell *c);

#endif /* STRATA_CRYPTO_BENCH_H */
