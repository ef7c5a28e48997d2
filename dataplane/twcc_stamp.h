/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fan-out's one call for transport-wide congestion control: stamp the
 * receiver leg's next transport-wide sequence number on an output and
 * remember (number, size, send time) for the feedback (leg_bwe.h).
 *
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2.2: "This
 * sequence number is incremented by 1 for each packet being sent over the
 * same socket", so every packet strata-dp sends the leg gets one, whatever
 * source it comes from.  A leg that did not negotiate the extension costs
 * one predictable branch (ext_transport_cc == 0).
 *
 * The output's IP and UDP headers were written (fanout.c template_apply)
 * before the RTP header was copied after them; when the RTP header has to
 * grow to carry the number, their length fields and checksums are brought
 * up to date here, the same way template_apply writes them.
 */
#ifndef STRATA_DP_TWCC_STAMP_H
#define STRATA_DP_TWCC_STAMP_H

#include <rte_mbuf.h>

#include "dp.h"
#include "leg_bwe.h"
#include "net/wire.h"
#include "rtp/rtp_ext_twcc.h"

/* The headers template_apply wrote, for a UDP payload grown to payload_len. */
static inline void dp_twcc_fix_lengths(const struct dp_out_template *t, uint8_t *frame,
				       uint16_t payload_len)
{
	uint16_t udp_len = (uint16_t)(DP_UDP_HLEN + payload_len);
	uint8_t *ip = frame + t->l2_len;
	uint8_t *udp = ip + t->l3_len;

	dp_put_be16(udp + DP_UDP_LEN_OFF, udp_len);
	if (t->family == STRATA_AF_INET) {
		uint16_t total = (uint16_t)(DP_IPV4_HLEN + udp_len);
		dp_put_be16(ip + DP_IPV4_TOTLEN_OFF, total);
		if (!t->ol_flags)
			dp_put_cksum(ip + DP_IPV4_CKSUM_OFF,
				     (uint16_t)~dp_sum_fold(t->ip_sum + htons(total)));
	} else {
		dp_put_be16(ip + DP_IPV6_PLEN_OFF, udp_len);
	}
	if (t->ol_flags)
		dp_put_cksum(udp + DP_UDP_CKSUM_OFF, dp_sum_fold(t->pseudo_sum + htons(udp_len)));
}

/*
 * The slow half, out of line: recv has transport-cc.  Returns the octets
 * the RTP header grew by.
 */
uint32_t dp_twcc_stamp_out(struct dp_worker *w, struct dp_leg *recv,
			   const struct dp_out_template *t, uint8_t *frame, uint8_t *rtp_out,
			   uint32_t hdr_len, uint32_t tail, uint32_t rtp_len, uint8_t pub_id,
			   uint64_t now_tsc);

/*
 * One output to `recv`: frame holds its headers (template t), rtp_out its
 * RTP header (hdr_len octets) and `tail` octets of rewritten payload
 * descriptor; rtp_len is the RTP packet's length before the tag.  Returns
 * how many octets the RTP header grew by (add it to the SRTP operation's
 * header and packet lengths).
 */
static inline uint32_t dp_twcc_stamp(struct dp_worker *w, struct dp_leg *recv,
				     const struct dp_out_template *t, uint8_t *frame,
				     uint8_t *rtp_out, uint32_t hdr_len, uint32_t tail,
				     uint32_t rtp_len, uint8_t pub_id, uint64_t now_tsc)
{
	if (recv->ext_transport_cc == 0)
		return 0;
	return dp_twcc_stamp_out(w, recv, t, frame, rtp_out, hdr_len, tail, rtp_len, pub_id,
				 now_tsc);
}

#endif /* STRATA_DP_TWCC_STAMP_H */
