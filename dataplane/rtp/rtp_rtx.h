/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The original packet of an RTX packet (RFC 4588): what the router does
 * with a publisher's answer to its NACK (rtx_repair.h).  No DPDK: the fuzz
 * target (tests/fuzz/fuzz_rtx_restore.c) and the unit test
 * (tests/test_dp_rtx_restore.c) run it alone.
 *
 * RFC 4588 section 4: "The format of a retransmission packet is shown
 * below: [RTP header] [OSN] [Original RTP Packet Payload]" -- "The
 * retransmission packet payload [...] contains the original sequence
 * number (OSN) [...] followed by the original payload".  Section 8.1: the
 * RTX payload type is bound to the original's ("apt").  And "upon
 * reception, the original packet is reconstructed" with the original
 * stream's SSRC, sequence number (the OSN) and payload type.
 */
#ifndef STRATA_RTP_RTX_H
#define STRATA_RTP_RTX_H

#include <stdint.h>

/* Why an RTX packet was refused: enum name, what it means. */
enum strata_rtx_status {
	STRATA_RTX_OK = 0,
	STRATA_RTX_BAD_HEADER,   /* not an RTP header strata_rtp_header_len accepts */
	STRATA_RTX_BAD_PADDING,  /* P set, its count 0 or past the payload */
	STRATA_RTX_PADDING_ONLY, /* no payload, padding at most: a bandwidth probe */
	STRATA_RTX_NO_OSN,       /* a payload of one octet: no OSN */
	STRATA_RTX_WRONG_PT,     /* not the stream's RTX payload type */
};

/* The original packet, where strata_rtx_restore left it. */
struct strata_rtx_original {
	uint32_t off;     /* it starts at rtp + off (2: the OSN's room) */
	uint32_t len;     /* its length: header and payload, no padding */
	uint32_t hdr_len; /* its RTP header's */
	uint16_t osn;
};

/*
 * Restores in place the original packet of the RTX packet rtp[0..len),
 * as stream (ssrc, pt) sent it: its header (CSRCs, extensions, marker and
 * timestamp as the RTX packet's) moves over the OSN, with payload type pt,
 * sequence number OSN and SSRC ssrc, and without the RTX packet's padding
 * (its own, RFC 3550 section 5.1; P is cleared).  rtx_pt 0 accepts any
 * payload type.  On an error rtp is unchanged.
 */
enum strata_rtx_status strata_rtx_restore(uint8_t *rtp, uint32_t len, uint8_t rtx_pt, uint8_t pt,
					  uint32_t ssrc, struct strata_rtx_original *o);

#endif /* STRATA_RTP_RTX_H */
