/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) echo on the main lcore: operators
 * ping strata-dp's addresses.  Both answer in place.
 */
#include <string.h>

#include "slowpath.h"
#include "wire.h"

static inline struct dp_slow_result icmp_drop(enum dp_drop why)
{
	return (struct dp_slow_result){ .action = DP_SLOW_DROP, .drop = why };
}

/* What both echo handlers rely on from dp_pkt, checked against len: the
 * IP header and the whole ICMP message lie within the frame. */
static bool echo_pkt_ok(const struct dp_pkt *pkt, enum dp_slow_kind kind, uint32_t l3_len,
			uint32_t len, uint32_t cap)
{
	return pkt->slow == kind && len <= cap && pkt->l3_off >= DP_ETH_HLEN &&
	       pkt->l4_off == pkt->l3_off + l3_len && pkt->l4_len >= DP_ICMP_ECHO_HLEN &&
	       (uint32_t)pkt->l4_off + pkt->l4_len == pkt->ip_end && pkt->ip_end <= len;
}

/* Ethernet: back to where it came from, from us.  A multicast source MAC
 * is not a place to answer to. */
static bool eth_reply(uint8_t *frame, const struct dp_iface *ifc)
{
	if (dp_mac_is_multicast(frame + 6))
		return false;
	memcpy(frame, frame + 6, 6);
	memcpy(frame + 6, ifc->mac, 6);
	return true;
}

/*
 * RFC 792, "Echo or Echo Reply Message":
 *
 *    Addresses
 *       The address of the source in an echo message will be the
 *       destination of the echo reply message.  To form an echo reply
 *       message, the source and destination addresses are simply reversed,
 *       the type code changed to 0, and the checksum recomputed.
 *
 *    Checksum
 *       The checksum is the 16-bit ones's complement of the one's
 *       complement sum of the ICMP message starting with the ICMP Type.
 *
 *    Description
 *       The data received in the echo message must be returned in the echo
 *       reply message.
 *
 * Code must be 0 (type 8 has no other).  The reply leaves with a fresh TTL
 * and the request's identification, TOS and DF; dp_classify has checked
 * that the request came to one of our unicast addresses from a unicast
 * one, without options or fragmentation.
 */
struct dp_slow_result dp_icmp_echo_input(const struct dp_iface *ifc, uint8_t *frame,
					 uint32_t len, uint32_t cap, const struct dp_pkt *pkt)
{
	if (!echo_pkt_ok(pkt, DP_SLOW_ICMP_ECHO, DP_IPV4_HLEN, len, cap))
		return icmp_drop(DP_DROP_ICMP_INVALID);

	uint8_t *ip = frame + pkt->l3_off, *icmp = frame + pkt->l4_off;
	uint32_t n = pkt->l4_len;

	if (icmp[0] != DP_ICMP_ECHO_REQUEST || icmp[1] != 0)
		return icmp_drop(DP_DROP_ICMP_INVALID);
	if (dp_sum_fold(dp_sum_add(0, icmp, n)) != 0xffff)
		return icmp_drop(DP_DROP_ICMP_INVALID);
	if (!eth_reply(frame, ifc))
		return icmp_drop(DP_DROP_ICMP_INVALID);

	uint8_t addr[4];

	memcpy(addr, ip + DP_IPV4_SRC_OFF, 4);
	memcpy(ip + DP_IPV4_SRC_OFF, ip + DP_IPV4_DST_OFF, 4);
	memcpy(ip + DP_IPV4_DST_OFF, addr, 4);
	ip[DP_IPV4_TTL_OFF] = DP_DEFAULT_TTL;
	dp_ipv4_cksum_set(ip);

	icmp[0] = DP_ICMP_ECHO_REPLY;
	icmp[DP_ICMP_CKSUM_OFF] = 0;
	icmp[DP_ICMP_CKSUM_OFF + 1] = 0;
	dp_put_cksum(icmp + DP_ICMP_CKSUM_OFF, (uint16_t)~dp_sum_fold(dp_sum_add(0, icmp, n)));

	return (struct dp_slow_result){ .action = DP_SLOW_TX,
					.len = dp_frame_pad(frame, pkt->ip_end, cap) };
}

/*
 * RFC 4443 section 4.2, "Echo Reply Message":
 *
 *    Every node MUST implement an ICMPv6 Echo responder function that
 *    receives Echo Requests and originates corresponding Echo Replies.
 *    [...]
 *    The source address of an Echo Reply sent in response to a unicast
 *    Echo Request message MUST be the same as the destination address of
 *    that Echo Request message.
 *    [...]
 *    The data received in the ICMPv6 Echo Request message MUST be returned
 *    entirely and unmodified in the ICMPv6 Echo Reply message.
 *
 * Section 2.3: "The checksum is the 16-bit one's complement of the one's
 * complement sum of the entire ICMPv6 message, starting with the ICMPv6
 * message type field, and prepended with a "pseudo-header" of IPv6 header
 * fields, as specified in [IPv6, Section 8.1].  The Next Header value used
 * in the pseudo-header is 58."
 *
 * dp_classify passes only echo requests to one of our unicast addresses.
 */
struct dp_slow_result dp_icmp6_echo_input(const struct dp_iface *ifc, uint8_t *frame,
					  uint32_t len, uint32_t cap, const struct dp_pkt *pkt)
{
	if (!echo_pkt_ok(pkt, DP_SLOW_ICMP6_ECHO, DP_IPV6_HLEN, len, cap))
		return icmp_drop(DP_DROP_ICMP_INVALID);

	uint8_t *ip = frame + pkt->l3_off, *icmp = frame + pkt->l4_off;
	uint32_t n = pkt->l4_len;

	if (icmp[0] != DP_ICMP6_ECHO_REQUEST || icmp[1] != 0)
		return icmp_drop(DP_DROP_ICMP_INVALID);
	if (!dp_l4_cksum_ok(ip, true, IPPROTO_ICMPV6, icmp, n))
		return icmp_drop(DP_DROP_ICMP_INVALID);
	if (!eth_reply(frame, ifc))
		return icmp_drop(DP_DROP_ICMP_INVALID);

	uint8_t addr[16];

	memcpy(addr, ip + DP_IPV6_SRC_OFF, 16);
	memcpy(ip + DP_IPV6_SRC_OFF, ip + DP_IPV6_DST_OFF, 16);
	memcpy(ip + DP_IPV6_DST_OFF, addr, 16);
	ip[DP_IPV6_HOPS_OFF] = DP_DEFAULT_TTL;

	icmp[0] = DP_ICMP6_ECHO_REPLY;
	icmp[DP_ICMP_CKSUM_OFF] = 0;
	icmp[DP_ICMP_CKSUM_OFF + 1] = 0;
	dp_put_cksum(icmp + DP_ICMP_CKSUM_OFF, dp_l4_cksum(ip, true, IPPROTO_ICMPV6, icmp, n));

	return (struct dp_slow_result){ .action = DP_SLOW_TX,
					.len = dp_frame_pad(frame, pkt->ip_end, cap) };
}
