/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Random but reproducible RTP and RTCP plaintexts for the interop tests.
 *
 * Every case draws from test_rand seeded from one base seed (printed in
 * every failure; STRATA_SRTP_INTEROP_SEED tries another) and its own tag,
 * so cases do not shift each other's packets and each binary draws the same
 * packets for a case as any other that runs it.  The packets have random
 * payload types, CSRC counts, RFC 8285 one-byte header extensions and
 * payload sizes, and sequence numbers that start a little below 65535 so
 * that the ROC goes from 0 to 1 in the middle of a run.
 */
#ifndef STRATA_INTEROP_PACKETS_H
#define STRATA_INTEROP_PACKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_PAYLOAD 1400
#define MAX_RTCP 400

extern uint64_t base_seed;

/* Sets base_seed from STRATA_SRTP_INTEROP_SEED, when set. */
void seed_from_env(void);

/* One generator per case: tag names the case, a and b its variant. */
uint64_t case_rng(unsigned tag, unsigned a, unsigned b);
void fill_random(uint64_t *rng, uint8_t *p, size_t n);

/*
 * The first sequence number of a stream: 40 to `most` packets before the
 * wrap, so that a stream of more than `most` packets crosses it.  Never
 * fewer than a burst, so the rollover is not in the receiver's very first
 * burst (test_first_burst_rollover covers that on its own); depending on
 * the seed it falls in a 32-burst or in the big one.
 */
uint16_t start_seq(uint64_t *rng, unsigned most);

/* A random RTP packet (RFC 3550 section 5.1) with the given SSRC and
 * sequence number; returns its length.  Every 97th packet has no payload
 * at all, the edge where there is nothing to encrypt. */
uint32_t gen_rtp(uint64_t *rng, uint8_t *p, uint32_t ssrc, uint16_t seq, uint32_t ts,
		 unsigned pkt_no);

/* A compound-looking RTCP packet of len bytes (a multiple of 4, at least
 * 8): one to a few sub-packets, each V=2, PT 200 (SR) or 201 (RR), with a
 * length field that matches; the first carries the stream's SSRC at bytes
 * 4..7, where SRTCP reads it.  Bodies are random. */
void gen_rtcp(uint64_t *rng, uint8_t *p, uint32_t ssrc, uint32_t len);

/* RTCP sizes 8..MAX_RTCP; the first two packets of a run are 8 and 12 bytes,
 * a header alone (nothing to encrypt) and one word of body. */
uint32_t rtcp_len(uint64_t *rng, unsigned pkt_no);

/* One SSRC's plaintexts: RTP, whose sequence number and timestamp (3000 a
 * packet) advance, or RTCP. */
struct flow {
	bool rtcp;
	uint32_t ssrc, ts;
	uint16_t seq;
};

/* Draws the SSRC, then the first timestamp and start_seq(rng, most); with
 * most = 0 only the SSRC (a one-way RTCP run needs nothing else). */
void flow_start(struct flow *f, uint64_t *rng, bool rtcp, unsigned most);
/* The flow's next plaintext, packet pkt_no of its run, into p; returns the
 * length. */
uint32_t flow_next(struct flow *f, uint64_t *rng, uint8_t *p, unsigned pkt_no);

#endif /* STRATA_INTEROP_PACKETS_H */
