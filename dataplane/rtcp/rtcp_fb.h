/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading the lists inside feedback items (rtcp.h): Generic NACK pairs and
 * the sequence numbers they name, FIR entries, REMB's SSRCs and its
 * exponent/mantissa bit rate.  Each accessor is bounded by the counts the
 * parser checked against the packet length.
 */
#ifndef STRATA_DP_RTCP_FB_H
#define STRATA_DP_RTCP_FB_H

#include <stdbool.h>
#include <stdint.h>

#include "rtcp.h"

/* RFC 5104 section 4.3.1.1: one FIR entry. */
struct dp_rtcp_fir_entry {
	uint32_t ssrc; /* the media sender asked for a decoder refresh point */
	uint8_t seq;   /* command sequence number, + 1 mod 256 per new request */
};

/* NACK pair i (0 .. n_pairs - 1); false past the end. */
bool dp_rtcp_nack_pair(const struct dp_rtcp_nack *n, uint32_t i, uint16_t *pid, uint16_t *blp);

/*
 * Writes the sequence numbers a Generic NACK reports lost, pair by pair,
 * each PID followed by the PID + i its BLP bits name in increasing i
 * (modulo 2^16), into seqs[0 .. cap - 1].  Returns how many the packet
 * names, which may be more than cap (then only the first cap are written,
 * as with snprintf).  Pairs that overlap name a number twice; it is written
 * twice.
 */
uint32_t dp_rtcp_nack_expand(const struct dp_rtcp_nack *n, uint16_t *seqs, uint32_t cap);

/* FIR entry i (0 .. n_entries - 1); false past the end. */
bool dp_rtcp_fir_entry(const struct dp_rtcp_fir *f, uint32_t i, struct dp_rtcp_fir_entry *e);

/* SSRC i (0 .. n_ssrcs - 1) of a REMB, or 0 past the end. */
uint32_t dp_rtcp_remb_ssrc(const struct dp_rtcp_remb *r, unsigned i);

/*
 * REMB's bit rate as mantissa << exp: the smallest exponent whose 18-bit
 * mantissa holds the rate, rounding down (as libwebrtc does).  Every 64-bit
 * rate fits: 2^64 - 1 needs exponent 46.
 */
void dp_rtcp_remb_encode(uint64_t bitrate_bps, uint8_t *exp, uint32_t *mantissa);

/* mantissa << exp, or false when it does not fit 64 bits. */
bool dp_rtcp_remb_decode(uint8_t exp, uint32_t mantissa, uint64_t *bitrate_bps);

#endif /* STRATA_DP_RTCP_FB_H */
