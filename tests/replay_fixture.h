/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the end-to-end replay tests share: a sender's and a receiver's
 * session of the test key, plaintexts that carry their index, one op at a
 * time or a burst of kept packets, and a check after every burst that the
 * engine's counters add up to the statuses it returned.
 *
 * Every unprotect works on a heap copy of exactly the packet's length, so
 * AddressSanitizer sees any access past it.
 */
#ifndef STRATA_REPLAY_FIXTURE_H
#define STRATA_REPLAY_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "rtp_header.h"
#include "srtp.h"
#include "srtp_fixture.h"
#include "test_util.h"

#define SSRC 0x5eed1234u
#define PAYLOAD_LEN 24
#define RTP_LEN (STRATA_RTP_FIXED_HEADER_LEN + PAYLOAD_LEN)
#define RTCP_LEN 28 /* a sender report without report blocks */
#define MAX_OUT (RTP_LEN + STRATA_SRTP_MAX_TRAILER)

/* Runs a burst and checks every status was set, the count returned and the
 * engine's counters against the statuses. */
void run_burst(struct strata_srtp_engine *e, enum strata_srtp_direction dir,
	       struct strata_srtp_op *ops, unsigned n);

/* A plaintext RTP packet whose payload says which index it carries. */
uint32_t rtp_plain(uint8_t *p, uint32_t ssrc, uint64_t index);
/* A plaintext RTCP sender report, its body likewise marked. */
uint32_t rtcp_plain(uint8_t *p, uint32_t ssrc, uint64_t index);

struct sessions {
	struct strata_srtp_session *tx, *rx; /* the sender's and the receiver's */
};

/* Both sessions of profile id with a replay window of `window` (0: the
 * default); CHECKs that they were made. */
bool sessions_init(struct sessions *s, struct strata_srtp_engine *e, enum strata_srtp_profile_id id,
		   uint16_t window);
void sessions_free(struct sessions *s);

/* Protects one packet on the sender side; returns the status, and the
 * length in *out_len when OK. */
int protect(struct strata_srtp_engine *e, bool rtcp, struct strata_srtp_session *s,
	    struct strata_srtp_tx *tx, const uint8_t *in, uint32_t len, uint8_t *out, uint32_t cap,
	    uint32_t *out_len);
/* Unprotects a copy of pkt; on success copies the plaintext to out (unless
 * NULL).  Returns the status. */
int unprotect(struct strata_srtp_engine *e, bool rtcp, struct strata_srtp_session *s,
	      struct strata_srtp_rx *rx, const uint8_t *pkt, uint32_t len, uint8_t *out,
	      uint32_t *out_len);

/* A packet the sender made, kept to be presented (perhaps again) later. */
struct sent {
	uint64_t index;
	uint32_t len;
	uint8_t pkt[MAX_OUT];
};

/*
 * Puts the sender just after index - 1 when its own estimate could not
 * reach `index` from where it is: a sender jumps 2^15 or more only when a
 * test asks it to, and one that never sent is at ROC 0.
 */
void sender_seek(struct strata_srtp_tx *tx, uint64_t index);

/* Protects `index` (SRTP: ROC || SEQ, SRTCP: the SRTCP index) on tx,
 * positioned for it, into out; CHECKs that it was protected. */
void send_index(struct strata_srtp_engine *e, struct strata_srtp_session *s,
		struct strata_srtp_tx *tx, bool rtcp, uint64_t index, struct sent *out);
/* The same on a fresh sender of the sessions' tx. */
void make_packet(struct strata_srtp_engine *e, struct sessions *s, bool rtcp, uint64_t index,
		 struct sent *out);

/* Runs one unprotect burst over copies of pkts[i] and compares every status
 * with want[i]. */
void burst_expect(struct strata_srtp_engine *e, bool rtcp, struct strata_srtp_session *s,
		  struct strata_srtp_rx *rx, const struct sent *const *pkts, const int *want,
		  unsigned n, const char *what);

#endif /* STRATA_REPLAY_FIXTURE_H */
