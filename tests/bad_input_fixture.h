/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the malformed-input tests share: a sender and a receiver with a
 * history, two samples kept aside from it, and the check that a refused
 * operation did no harm.
 *
 * Each packet sits in a heap buffer of exactly its length (cap = len for
 * unprotect), so the AddressSanitizer build of the suite reports any access
 * past it; protect's output buffers also carry guard bytes past cap, so the
 * release build sees a write past cap too.  After every refused operation:
 *   - the sessions and streams are byte for byte what they were (memcmp of
 *     snapshots; a refused packet must not move a window, use up an index or
 *     count towards the key's lifetime);
 *   - the engine counter of (direction, status) went up by one, and no other
 *     counter moved;
 *   - a protect's source is untouched.
 * At the end the samples kept aside from the start still unprotect: nothing
 * the garbage did damaged the streams.  Every test runs for every profile,
 * with SRTCP encrypted and unencrypted.
 */
#ifndef STRATA_BAD_INPUT_FIXTURE_H
#define STRATA_BAD_INPUT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "rtp_header.h"
#include "srtp.h"
#include "srtp_fixture.h"
#include "test_util.h"

#define RTP_PROTECT STRATA_SRTP_RTP_PROTECT
#define RTP_UNPROTECT STRATA_SRTP_RTP_UNPROTECT
#define RTCP_PROTECT STRATA_SRTP_RTCP_PROTECT
#define RTCP_UNPROTECT STRATA_SRTP_RTCP_UNPROTECT

#define SSRC 0x0badf00du
#define OTHER_SSRC 0x0badf00eu
#define MAX_PKT STRATA_SRTP_MAX_PACKET
#define GUARD 64

/*
 * The RTP sample: V=2, X=1, CC=1, one CSRC, a header extension of
 * EXT_WORDS words, RTP_PAYLOAD bytes of payload.  Its CSRC and extension
 * words are chosen so that a bit flip in the CC field lands the parser on
 * a known "extension header" (profile and length), not on ciphertext:
 *
 *   offset  0 V P X CC M PT seq     12 CSRC         16 0xbede, length 8
 *          20 ext words 0..7        52 payload      72 tag
 */
#define EXT_WORDS 8
#define RTP_HDR (STRATA_RTP_FIXED_HEADER_LEN + 4 + 4 + 4 * EXT_WORDS) /* 52 */
#define RTP_PAYLOAD 20
#define RTP_PLAIN (RTP_HDR + RTP_PAYLOAD) /* 72 */
#define RTP_SAMPLE_SEQ 1050               /* 0x041a */

/* The SRTCP sample: a sender report without report blocks, index 300. */
#define RTCP_PLAIN 28
#define RTCP_SAMPLE_INDEX 300 /* 0x12c */

#define MAX_OUT (RTP_PLAIN + STRATA_SRTP_MAX_TRAILER)

/* Everything a refused operation must leave as it was. */
struct state {
	struct strata_srtp_session txs; /* the sender's keys */
	struct strata_srtp_session rxs; /* the receiver's keys (same master key) */
	struct strata_srtp_tx tx;       /* has sent 1000..1100 and SRTCP 200..310 */
	struct strata_srtp_rx rx;       /* has received all of those but 1050 and 300 */
	struct strata_srtp_rx fresh;    /* has received nothing */
};

struct fixture {
	struct strata_srtp_engine *e;
	const struct strata_srtp_profile *p;
	bool rtcp_encrypt;
	struct state *st, *snap;
	uint8_t rtp_sample[MAX_OUT], rtp_sample_plain[MAX_OUT];
	uint32_t rtp_sample_len;
	uint8_t rtcp_sample[MAX_OUT], rtcp_sample_plain[MAX_OUT];
	uint32_t rtcp_sample_len;
	unsigned refused; /* operations checked by expect_refused */
};

/*
 * The main of a test binary: for every profile, SRTCP encrypted and not, a
 * fresh fixture for run(); then the samples must still unprotect and more
 * than min_refused refusals must have been checked.  Returns test_summary.
 */
int bad_input_main(const char *name, void (*run)(struct fixture *f), unsigned min_refused);

/*
 * Runs one operation that must be refused with `want`, and checks that it
 * changed nothing: sessions and streams byte for byte, the source of a
 * protect, and every counter but (dir, want), which must go up by one.
 */
void expect_refused(struct fixture *f, enum strata_srtp_direction dir, struct strata_srtp_op *op,
		    int want, const char *what);
/* Unprotects a copy of pkt[0, len) in a buffer of exactly len bytes. */
void unprotect_refused(struct fixture *f, bool rtcp, struct strata_srtp_rx *rx,
		       const uint8_t *pkt, uint32_t len, int want, const char *what);
/* Protects src[0, len) (copied to an exact buffer) into a buffer of cap
 * bytes followed by GUARD guard bytes, which must stay as they were. */
void protect_refused(struct fixture *f, bool rtcp, const uint8_t *src, uint32_t len,
		     uint32_t cap, int want, const char *what);

/* The fixed RTP header of the samples: PT 96, the timestamp from seq. */
void rtp_fixed(uint8_t *p, uint8_t b0, uint16_t seq, uint32_t ssrc);
/* A plain RTP packet: 12-byte header and `payload` bytes. */
uint32_t rtp_simple(uint8_t *p, uint16_t seq, uint32_t ssrc, uint32_t payload);
/* An RTCP packet of 8 + body bytes: SR when it has a body, else an empty RR. */
uint32_t rtcp_simple(uint8_t *p, uint32_t ssrc, uint32_t body);

/*
 * Protects a packet with a throwaway sender (its own stream state, the
 * fixture's sender keys) so the fixture's sender is not involved.  SRTP
 * takes ROC 0; SRTCP takes `index`.
 */
uint32_t make(struct fixture *f, bool rtcp, uint32_t ssrc, uint32_t index, const uint8_t *plain,
	      uint32_t len, uint8_t *out, uint32_t cap);

#endif /* STRATA_BAD_INPUT_FIXTURE_H */
