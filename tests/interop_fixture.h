/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the interop tests share: the buffers an op works in, the failure
 * context of a case, the checks of one packet against libsrtp, and the
 * engine's counters, which must at the end equal the operations run, by
 * direction and status.
 *
 * The engine is driven through its burst API the way the router drives it:
 * bursts of 32, one longer than IMB_MAX_BURST_SIZE, protect in place and
 * into another buffer (both above and below the source in memory).
 */
#ifndef STRATA_INTEROP_FIXTURE_H
#define STRATA_INTEROP_FIXTURE_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "interop_libsrtp.h"
#include "interop_packets.h"
#include "rtp_header.h"
#include "srtp.h"
#include "srtp_fixture.h"
#include "test_util.h"

#define RTP_PACKETS 4000  /* per profile and direction */
#define RTCP_PACKETS 1000 /* per profile, direction and E setting */
#define BURST 32
#define BIG_BURST 200 /* more than IMB_MAX_BURST_SIZE: the engine splits it */
#define MAX_OPS BIG_BURST
/* 12 + 15 CSRCs + 4 + 16 words of extension + payload, plus libsrtp's
 * SRTP_MAX_TRAILER_LEN + 4 of room for protecting in place, rounded up. */
#define SLOT 2048
#define GUARD 16          /* bytes after a buffer's end that nobody may write */
#define GUARD_BYTE 0xa5
#define MAX_CASE_FAILURES 20 /* stop a case early rather than flood the log */

_Static_assert(BIG_BURST > IMB_MAX_BURST_SIZE, "the big burst must be split");
_Static_assert(12 + 60 + 4 + 64 + MAX_PAYLOAD + SRTP_MAX_TRAILER_LEN + 4 + GUARD <= SLOT,
	       "a slot holds the largest packet, libsrtp's trailer room and the guard");

/* ---- Bursts ---------------------------------------------------------------------- */

/*
 * Runs one burst and records what a correct engine must count for it: the
 * caller's expectation (want[i], or OK for all when want is NULL), not the
 * statuses the engine returned, so a status that is wrong shows up both at
 * the op and in the counters.
 */
unsigned run_burst(struct strata_srtp_engine *e, enum strata_srtp_direction d,
		   struct strata_srtp_op *ops, unsigned n, const int *want);

/* The burst sizes of a run: 32s, one burst of BIG_BURST and one of 1. */
unsigned burst_len(unsigned burst_no, unsigned left);

/* ---- Failure context -------------------------------------------------------------- */

/* What a failure message names: the case, its profile, the seed, the packet. */
struct tcase {
	const char *what;
	const char *profile;
	const char *rtcp; /* "", " E=1", " E=0" */
	unsigned pkt;
	unsigned fail0;   /* test_failures when the case began */
};

#define CHECKC(c, cond, fmt, ...)                                                        \
	CHECK(cond, "%s %s%s (seed %#" PRIx64 ", packet %u): " fmt, (c)->what, (c)->profile, \
	      (c)->rtcp, base_seed, (c)->pkt, ##__VA_ARGS__)

/* rtcp_e: -1 for RTP, else the SRTCP E flag. */
struct tcase case_begin(const char *what, const char *profile, int rtcp_e);
bool case_given_up(const struct tcase *c);
void check_bytes(const struct tcase *c, const uint8_t *got, const uint8_t *want, size_t n,
		 const char *what);

/* ---- Buffers ----------------------------------------------------------------------- */

/*
 * The plaintexts stay in plain[] and are never handed to the engine.  An op
 * works in a[i] (in place) or from one of a[i], b[i] into the other (out
 * of place); a and b are separate arrays, so destinations land both above
 * and below their sources.
 */
struct pool {
	uint8_t plain[MAX_OPS][SLOT];
	uint8_t a[MAX_OPS][SLOT];
	uint8_t b[MAX_OPS][SLOT];
	uint8_t ref[SLOT]; /* libsrtp's packets */
	uint32_t plain_len[MAX_OPS];
	uint32_t in_len[MAX_OPS]; /* what an unprotect was given */
	bool in_place[MAX_OPS];
	struct strata_srtp_op ops[MAX_OPS];
};

/*
 * Sets up op i to protect plain[i].  Half the ops get exactly the room the
 * protected packet needs, the others a little more; the GUARD bytes after
 * cap must survive.
 */
void op_protect(struct pool *pl, uint64_t *rng, unsigned i, struct strata_srtp_session *s,
		struct strata_srtp_tx *tx, bool in_place, uint32_t grow);
/* Sets up op i to unprotect the len bytes at a[i] (already there). */
void op_unprotect(struct pool *pl, unsigned i, struct strata_srtp_session *s,
		  struct strata_srtp_rx *rx, uint32_t len);

/* ---- One test binary ----------------------------------------------------------- */

/* Reads the seed, starts libsrtp, makes the engine and the pool, and checks
 * that the new engine has counted nothing. */
void interop_begin(const char *name, struct strata_srtp_engine **e, struct pool **pl);
/* Checks the counters, frees it all; returns test_summary(name). */
int interop_end(const char *name, struct strata_srtp_engine *e, struct pool *pl);

/* A one-way run: w->packets plaintexts of one flow (RTP, or SRTCP with E=1
 * or E=0) between one libsrtp peer and one Strata session. */
struct oneway {
	const struct strata_srtp_profile *p;
	bool auth_only; /* SRTCP with E=0 */
	char what[40];  /* the case: "rtp strata->libsrtp" ... */
	struct tcase c;
	uint64_t rng;
	unsigned packets; /* RTP_PACKETS or RTCP_PACKETS */
	uint32_t grow;    /* what protecting adds */
	struct lib_peer lp;
	struct strata_srtp_session s;
	struct flow f; /* RTP starts 40 to 460 packets before the wrap */
};

typedef void oneway_fn(struct strata_srtp_engine *e, struct pool *pl, struct oneway *w);

/*
 * Runs fn on a fresh oneway of every profile: RTP (from case_rng(tag, k,
 * 0)), then SRTCP with E=1 and with E=0 (case_rng(tag + 2, k, auth_only)).
 * `dir` names the direction in the case; after each RTP run, libsrtp's
 * stream of its receiver (when Strata sends) or of its sender must have
 * gone through the rollover.  Every session is wiped and checked.
 */
void for_each_kind(struct strata_srtp_engine *e, struct pool *pl, const char *dir, unsigned tag,
		   bool strata_sends, oneway_fn *fn);

/* ---- Checks ------------------------------------------------------------------------- */

/*
 * Op i protected plain[i] with Strata.  Checks the status, the length,
 * that the source is untouched and nothing past cap was written, that the
 * packet is the one libsrtp's sender `ref` makes (unless ref is NULL) and
 * that libsrtp's receiver `rcv` gets the plaintext back.  ref protects
 * even when Strata failed, so that the two senders stay at the same index.
 */
void check_protected(const struct tcase *c, struct pool *pl, unsigned i, srtp_t ref, srtp_t rcv,
		     bool rtcp, uint32_t grow);
/* libsrtp's sender protects plain[i] into a[i] and op i is set up to
 * unprotect it with Strata. */
void lib_protect_for(const struct tcase *c, struct pool *pl, unsigned i, srtp_t snd, bool rtcp,
		     struct strata_srtp_session *s, struct strata_srtp_rx *rx);
/* Op i unprotected libsrtp's packet: it must be OK and the plaintext. */
void check_unprotected(const struct tcase *c, struct pool *pl, unsigned i);
/* Checks a burst's return value: the number of ops that succeeded. */
void check_burst_ok(const struct tcase *c, unsigned got, unsigned n);
/* A burst of n unprotects of libsrtp's packets, the run's packets sent and
 * on, returned got: every one must be OK and give the plaintext. */
void check_unprotect_burst(struct tcase *c, struct pool *pl, unsigned sent, unsigned n,
			   unsigned got);
/* The libsrtp stream of ssrc went through the rollover: the run did test
 * it.  Not asked of a case that stopped early. */
void check_roc(const struct tcase *c, srtp_t s, uint32_t ssrc, uint32_t want);
/* Every session a test makes ends here: wiped, and checked to be all zero. */
void wipe_and_check(struct strata_srtp_session *s, const char *profile);

#endif /* STRATA_INTEROP_FIXTURE_H */
