/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writing RTCP: each builder writes one individual packet (V=2, no
 * padding) at buf and returns its length; or returns 0, having written
 * nothing, when it does not fit in `cap` octets or the arguments cannot
 * make a valid packet (more than 31 report blocks or BYE SSRCs, a NACK or
 * FIR without entries, a REMB with more than DP_RTCP_REMB_MAX_SSRCS SSRCs, a
 * CNAME longer than 255 octets).  No builder allocates.  What they write
 * parses back (dp_rtcp_next) to the fields they were given, except that a
 * cumulative lost count is clamped to 24 bits and a REMB bit rate is
 * rounded down to what an 18-bit mantissa holds.
 */
#ifndef STRATA_DP_RTCP_BUILD_H
#define STRATA_DP_RTCP_BUILD_H

#include <stdint.h>

#include "rtcp.h"
#include "rtcp_fb.h"

/* SR (RFC 3550 section 6.4.1): 28 + 24 * n_blocks octets. */
uint32_t dp_rtcp_build_sr(uint8_t *buf, uint32_t cap, uint32_t ssrc,
			  const struct dp_rtcp_sender_info *si,
			  const struct dp_rtcp_report_block *blocks, unsigned n_blocks);

/* RR (RFC 3550 section 6.4.2): 8 + 24 * n_blocks octets. */
uint32_t dp_rtcp_build_rr(uint8_t *buf, uint32_t cap, uint32_t ssrc,
			  const struct dp_rtcp_report_block *blocks, unsigned n_blocks);

/* SDES (RFC 3550 section 6.5) with one chunk: ssrc and its CNAME. */
uint32_t dp_rtcp_build_sdes_cname(uint8_t *buf, uint32_t cap, uint32_t ssrc,
				  const uint8_t *cname, unsigned cname_len);

/* BYE (RFC 3550 section 6.6) for n_ssrcs sources, without a reason. */
uint32_t dp_rtcp_build_bye(uint8_t *buf, uint32_t cap, const uint32_t *ssrcs, unsigned n_ssrcs);

/* PLI (RFC 4585 section 6.3.1): 12 octets. */
uint32_t dp_rtcp_build_pli(uint8_t *buf, uint32_t cap, uint32_t sender_ssrc,
			   uint32_t media_ssrc);

/* FIR (RFC 5104 section 4.3.1), media SSRC 0: 12 + 8 * n octets. */
uint32_t dp_rtcp_build_fir(uint8_t *buf, uint32_t cap, uint32_t sender_ssrc,
			   const struct dp_rtcp_fir_entry *entries, unsigned n);

/*
 * Generic NACK (RFC 4585 section 6.2.1) for the n sequence numbers in
 * seqs, packed into PID/BLP pairs: each pair starts at the first number
 * its predecessors do not cover, and takes the next ones that fall 1 to 16
 * after it.  Sorted input in RTP order (wrapping from 65535 to 0) gives the
 * fewest pairs; any order gives a packet that names exactly the same set.
 */
uint32_t dp_rtcp_build_nack(uint8_t *buf, uint32_t cap, uint32_t sender_ssrc,
			    uint32_t media_ssrc, const uint16_t *seqs, unsigned n);

/* REMB (draft-alvestrand-rmcat-remb-03), media SSRC 0: 20 + 4 * n octets. */
uint32_t dp_rtcp_build_remb(uint8_t *buf, uint32_t cap, uint32_t sender_ssrc,
			    uint64_t bitrate_bps, const uint32_t *ssrcs, unsigned n);

enum dp_rtcp_part_type {
	DP_RTCP_PART_SR,
	DP_RTCP_PART_RR,
	DP_RTCP_PART_SDES_CNAME,
	DP_RTCP_PART_BYE,
	DP_RTCP_PART_PLI,
	DP_RTCP_PART_FIR,
	DP_RTCP_PART_NACK,
	DP_RTCP_PART_REMB,
};

/* One packet of a compound packet: the arguments of its builder. */
struct dp_rtcp_part {
	enum dp_rtcp_part_type type;
	uint32_t ssrc;       /* the sender (every type but BYE) */
	uint32_t media_ssrc; /* PLI, NACK */
	union {
		struct {
			const struct dp_rtcp_sender_info *si; /* SR only */
			const struct dp_rtcp_report_block *blocks;
			unsigned n;
		} report;
		struct {
			const uint8_t *cname;
			unsigned len;
		} sdes;
		struct {
			const uint32_t *ssrcs;
			unsigned n;
		} list;              /* BYE's SSRCs */
		struct {
			const struct dp_rtcp_fir_entry *entries;
			unsigned n;
		} fir;
		struct {
			const uint16_t *seqs;
			unsigned n;
		} nack;
		struct {
			uint64_t bitrate_bps;
			const uint32_t *ssrcs;
			unsigned n;
		} remb;
	};
};

/*
 * Writes the n parts back to back: one compound packet.  Returns its
 * length, or 0 when any part cannot be built in what remains of cap (what
 * was written up to there is left in buf, unused).  It does not reorder or
 * check the parts: an SR or RR first and an SDES CNAME are the caller's to
 * put there (RFC 3550 section 6.1), or to leave out for a reduced-size
 * packet (RFC 5506).
 */
uint32_t dp_rtcp_build_compound(uint8_t *buf, uint32_t cap, const struct dp_rtcp_part *parts,
				unsigned n);

#endif /* STRATA_DP_RTCP_BUILD_H */
