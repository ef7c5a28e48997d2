/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 neighbour discovery (RFC 4861) on the main lcore: answer
 * solicitations for our addresses, learn neighbours from solicitations and
 * advertisements, build solicitations.  Strata is a host, never a router:
 * no router advertisements, redirects or proxying.
 */
#include <string.h>

#include "slowpath.h"
#include "wire.h"

static inline struct dp_slow_result nd_drop(enum dp_drop why)
{
	return (struct dp_slow_result){ .action = DP_SLOW_DROP, .drop = why };
}

static const struct dp_slow_result consumed = { .action = DP_SLOW_CONSUMED };

/* What the handlers rely on from dp_pkt, checked against len. */
static bool nd_pkt_ok(const struct dp_pkt *pkt, enum dp_slow_kind kind, uint32_t len,
		      uint32_t cap)
{
	return pkt->slow == kind && len <= cap && pkt->l3_off >= DP_ETH_HLEN &&
	       pkt->l4_off == pkt->l3_off + DP_IPV6_HLEN && pkt->l4_len >= DP_ND_HLEN &&
	       (uint32_t)pkt->l4_off + pkt->l4_len == pkt->ip_end && pkt->ip_end <= len;
}

/*
 * RFC 4861 section 4.6: "All options are of the form
 *
 *      0                   1                   2                   3
 *      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *     |     Type      |    Length     |              ...              |
 *
 *   Length  8-bit unsigned integer.  The length of the option (including
 *           the type and length fields) in units of 8 octets.  The value 0
 *           is invalid.  Nodes MUST silently discard an ND packet that
 *           contains an option with length zero."
 *
 * Walks the options of the message (icmp, n bytes); sets *lla to the
 * link-layer address of the first option of type `want` (NULL if none).
 * Returns false when an option is malformed.
 */
static bool nd_options(const uint8_t *icmp, uint32_t n, uint8_t want, const uint8_t **lla)
{
	uint32_t off = DP_ND_HLEN;

	*lla = NULL;
	while (off < n) {
		if (n - off < 2)
			return false;

		uint32_t olen = (uint32_t)icmp[off + 1] * 8;

		if (olen == 0 || olen > n - off)
			return false;
		if (icmp[off] == want && *lla == NULL) {
			/* On Ethernet the option is exactly one unit (RFC 2464
			 * section 8). */
			if (olen != DP_ND_OPT_LLA_LEN)
				return false;
			*lla = icmp + off + 2;
		}
		off += olen;
	}
	return true;
}

/*
 * Validation common to solicitations and advertisements, RFC 4861
 * sections 7.1.1 and 7.1.2:
 *
 *    - The IP Hop Limit field has a value of 255, i.e., the packet
 *      could not possibly have been forwarded by a router.
 *    - ICMP Checksum is valid.
 *    - ICMP Code is 0.
 *    - ICMP length (derived from the IP length) is 24 or more octets.
 *    - Target Address is not a multicast address.
 *    - All included options have a length that is greater than zero.
 */
static bool nd_valid(const uint8_t *ip, const uint8_t *icmp, uint32_t n, uint8_t lla_type,
		     const uint8_t **lla)
{
	if (ip[DP_IPV6_HOPS_OFF] != DP_ND_HOP_LIMIT || icmp[1] != 0 || n < DP_ND_HLEN)
		return false;
	if (!dp_l4_cksum_ok(ip, true, IPPROTO_ICMPV6, icmp, n))
		return false;
	if (dp_ipv6_is_multicast(icmp + DP_ND_TARGET_OFF))
		return false;
	if (!nd_options(icmp, n, lla_type, lla))
		return false;
	return *lla == NULL || (!dp_mac_is_multicast(*lla) && !dp_mac_is_zero(*lla));
}

/*
 * RFC 4861 section 7.1.1 adds for solicitations:
 *
 *    - If the IP source address is the unspecified address, the IP
 *      destination address is a solicited-node multicast address.
 *    - If the IP source address is the unspecified address, there is no
 *      source link-layer address option in the message.
 *
 * Section 7.2.3, "Receipt of Neighbor Solicitations":
 *
 *    If the Source Address is not the unspecified address and, on link
 *    layers that have addresses, the solicitation includes a Source
 *    Link-Layer Address option, then the recipient SHOULD create or
 *    update the Neighbor Cache entry for the IP Source Address of the
 *    solicitation.
 *    [...]
 *    After any updates to the Neighbor Cache, the node sends a Neighbor
 *    Advertisement response as described in the next section.
 *
 * Section 7.2.4, "Sending Solicited Neighbor Advertisements":
 *
 *    The Target Address of the advertisement is copied from the Target
 *    Address of the solicitation.  If the solicitation's IP Destination
 *    Address is not a multicast address, the Target Link-Layer Address
 *    option MAY be omitted; [...] Otherwise, the node MUST include the
 *    target link-layer address option in the advertisement.
 *    [...]
 *    If the source of the solicitation is the unspecified address, the
 *    node MUST set the Solicited flag to zero and multicast the
 *    advertisement to the all-nodes address.  Otherwise, the node MUST
 *    set the Solicited flag to one and unicast the advertisement to the
 *    Source Address of the solicitation.
 *
 * Section 4.4 on the Override flag: "It SHOULD NOT be set in solicited
 * advertisements for anycast addresses and in solicited proxy
 * advertisements.  It SHOULD be set in other solicited advertisements and
 * in unsolicited advertisements."  Ours are neither: O=1.  The
 * IP source is the target (one of our addresses: dp_classify made sure),
 * the hop limit 255.  The advertisement always carries the target
 * link-layer option when cap leaves room for it (an mbuf always does).
 * Without a source link-layer option it goes to the solicitation's
 * Ethernet source.
 */
struct dp_slow_result dp_nd_ns_input(const struct dp_iface *ifc, struct dp_neighbor_table *nbr,
				     uint8_t *frame, uint32_t len, uint32_t cap,
				     const struct dp_pkt *pkt, uint64_t now)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

	if (!nd_pkt_ok(pkt, DP_SLOW_ND_NS, len, cap))
		return nd_drop(DP_DROP_ICMP_INVALID);

	uint8_t *ip = frame + pkt->l3_off, *icmp = frame + pkt->l4_off;
	const uint8_t *sllao;

	if (icmp[0] != DP_ND_NS || !nd_valid(ip, icmp, pkt->l4_len, DP_ND_OPT_SLLA, &sllao))
		return nd_drop(DP_DROP_ICMP_INVALID);

	uint8_t src[16], target[16], dst_mac[6];
	bool dad = dp_ipv6_is_unspecified(ip + DP_IPV6_SRC_OFF);
	bool to_group = dp_ipv6_is_multicast(ip + DP_IPV6_DST_OFF);

	memcpy(src, ip + DP_IPV6_SRC_OFF, 16);
	memcpy(target, icmp + DP_ND_TARGET_OFF, 16);
	if (dp_iface_addr_slot(ifc, STRATA_AF_INET6, target) < 0)
		return nd_drop(DP_DROP_IPV6_NOT_FOR_US);

	if (dad) {
		if (!dp_ipv6_is_solicited_node(ip + DP_IPV6_DST_OFF) || sllao != NULL)
			return nd_drop(DP_DROP_ICMP_INVALID);
		/* Someone probes for one of our addresses: defend it. */
		memcpy(src, all_nodes, 16);
		dp_ipv6_mcast_mac(dst_mac, all_nodes);
	} else if (sllao != NULL) {
		dp_neighbor_learn(nbr, ifc->port_id, STRATA_AF_INET6, src, sllao, now);
		memcpy(dst_mac, sllao, 6);
	} else {
		if (dp_mac_is_multicast(frame + 6))
			return nd_drop(DP_DROP_ICMP_INVALID);
		memcpy(dst_mac, frame + 6, 6);
	}

	uint32_t na_len = DP_ND_HLEN + DP_ND_OPT_LLA_LEN;
	uint32_t l4_off = pkt->l4_off;

	if (l4_off + na_len > cap) {
		if (to_group)
			return nd_drop(DP_DROP_ICMP_INVALID);
		na_len = DP_ND_HLEN;
		if (l4_off + na_len > cap)
			return nd_drop(DP_DROP_ICMP_INVALID);
	}

	/* Ethernet: the tag, if any, and the type stay as they are. */
	memcpy(frame, dst_mac, 6);
	memcpy(frame + 6, ifc->mac, 6);

	ip[0] = 0x60;
	ip[1] = ip[2] = ip[3] = 0;
	dp_put_be16(ip + DP_IPV6_PLEN_OFF, (uint16_t)na_len);
	ip[DP_IPV6_NH_OFF] = IPPROTO_ICMPV6;
	ip[DP_IPV6_HOPS_OFF] = DP_ND_HOP_LIMIT;
	memcpy(ip + DP_IPV6_SRC_OFF, target, 16);
	memcpy(ip + DP_IPV6_DST_OFF, src, 16);

	icmp[0] = DP_ND_NA;
	icmp[1] = 0;
	icmp[DP_ICMP_CKSUM_OFF] = 0;
	icmp[DP_ICMP_CKSUM_OFF + 1] = 0;
	icmp[4] = (uint8_t)((dad ? 0 : DP_ND_NA_SOLICITED) | DP_ND_NA_OVERRIDE);
	icmp[5] = icmp[6] = icmp[7] = 0;
	memcpy(icmp + DP_ND_TARGET_OFF, target, 16);
	if (na_len > DP_ND_HLEN) {
		uint8_t *opt = icmp + DP_ND_HLEN;

		opt[0] = DP_ND_OPT_TLLA;
		opt[1] = 1;
		memcpy(opt + 2, ifc->mac, 6);
	}
	dp_put_cksum(icmp + DP_ICMP_CKSUM_OFF, dp_l4_cksum(ip, true, IPPROTO_ICMPV6, icmp, na_len));

	return (struct dp_slow_result){ .action = DP_SLOW_TX,
					.len = dp_frame_pad(frame, l4_off + na_len, cap) };
}

/*
 * RFC 4861 section 7.1.2 adds for advertisements: "If the IP Destination
 * Address is a multicast address the Solicited flag is zero."
 *
 * Section 7.2.5, "Receipt of Neighbor Advertisements":
 *
 *    When a valid Neighbor Advertisement is received (either solicited or
 *    unsolicited), the Neighbor Cache is searched for the target's entry.
 *    If no entry exists, the advertisement SHOULD be silently discarded.
 *    [...]
 *    If the target's Neighbor Cache entry is in the INCOMPLETE state when
 *    the advertisement is received, [...] If the link layer has addresses
 *    and no Target Link-Layer Address option is included, the receiving
 *    node SHOULD silently discard the received advertisement.  Otherwise,
 *    the receiving node records the link-layer address in the Neighbor
 *    Cache entry.
 *    [...]
 *    If the Override flag is clear and the supplied link-layer address
 *    differs from that in the cache, then one of two actions takes
 *    place:
 *    a. If the state of the entry is REACHABLE, set it to STALE, but do
 *       not update the entry in any other way.
 *    b. Otherwise, the received advertisement should be ignored and MUST
 *       NOT update the cache.
 *
 * So: an entry is updated from the target link-layer option when it had
 * no MAC, when the Override flag is set, or when the MAC is the same (a
 * confirmation).  Our entries have fewer states than RFC 4861's; a
 * learnt MAC is REACHABLE (neighbor.h).
 */
struct dp_slow_result dp_nd_na_input(const struct dp_iface *ifc, struct dp_neighbor_table *nbr,
				     uint8_t *frame, uint32_t len, uint32_t cap,
				     const struct dp_pkt *pkt, uint64_t now)
{
	if (!nd_pkt_ok(pkt, DP_SLOW_ND_NA, len, cap))
		return nd_drop(DP_DROP_ICMP_INVALID);

	const uint8_t *ip = frame + pkt->l3_off, *icmp = frame + pkt->l4_off;
	const uint8_t *tllao;

	if (icmp[0] != DP_ND_NA || !nd_valid(ip, icmp, pkt->l4_len, DP_ND_OPT_TLLA, &tllao))
		return nd_drop(DP_DROP_ICMP_INVALID);
	if (dp_ipv6_is_multicast(ip + DP_IPV6_DST_OFF) && (icmp[4] & DP_ND_NA_SOLICITED))
		return nd_drop(DP_DROP_ICMP_INVALID);

	const uint8_t *target = icmp + DP_ND_TARGET_OFF;
	uint32_t idx = dp_neighbor_lookup(nbr, ifc->port_id, STRATA_AF_INET6, target);

	if (tllao == NULL || idx == 0)
		return consumed;

	uint8_t cur[6];
	bool has_mac = dp_neighbor_mac(nbr, idx, cur);

	if (!has_mac || (icmp[4] & DP_ND_NA_OVERRIDE) || memcmp(cur, tllao, 6) == 0)
		dp_neighbor_learn(nbr, ifc->port_id, STRATA_AF_INET6, target, tllao, now);
	return consumed;
}

/*
 * RFC 4861 section 7.2.2, "Sending Neighbor Solicitations": "the
 * solicitation is sent to the solicited-node multicast address
 * corresponding to the target address" and "If the source address of the
 * packet prompting the solicitation is the same as one of the addresses
 * assigned to the outgoing interface, that address SHOULD be placed in
 * the IP Source Address of the outgoing solicitation.  Otherwise, any one
 * of the addresses assigned to the interface should be used."  We use the
 * one on the target's prefix.  Section 4.3: the Source Link-Layer Address
 * option "MUST be included in multicast solicitations".
 */
uint32_t dp_nd_solicit_build(uint8_t *out, const struct dp_iface *ifc, const uint8_t target[16])
{
	int slot = dp_iface_connected_slot(ifc, STRATA_AF_INET6, target);

	if (slot < 0)
		slot = dp_iface_first_slot(ifc, STRATA_AF_INET6);
	if (slot < 0)
		return 0;

	uint8_t group[16], mac[6];

	dp_ipv6_solicited_node(group, target);
	dp_ipv6_mcast_mac(mac, group);

	uint16_t l2 = dp_eth_build(out, mac, ifc->mac, ifc->vlan, RTE_ETHER_TYPE_IPV6);
	uint8_t *ip = out + l2, *icmp = ip + DP_IPV6_HLEN;
	uint32_t n = DP_ND_HLEN + DP_ND_OPT_LLA_LEN;

	ip[0] = 0x60;
	ip[1] = ip[2] = ip[3] = 0;
	dp_put_be16(ip + DP_IPV6_PLEN_OFF, (uint16_t)n);
	ip[DP_IPV6_NH_OFF] = IPPROTO_ICMPV6;
	ip[DP_IPV6_HOPS_OFF] = DP_ND_HOP_LIMIT;
	memcpy(ip + DP_IPV6_SRC_OFF, ifc->addrs[slot].ip, 16);
	memcpy(ip + DP_IPV6_DST_OFF, group, 16);

	icmp[0] = DP_ND_NS;
	icmp[1] = 0;
	icmp[DP_ICMP_CKSUM_OFF] = 0;
	icmp[DP_ICMP_CKSUM_OFF + 1] = 0;
	memset(icmp + 4, 0, 4);
	memcpy(icmp + DP_ND_TARGET_OFF, target, 16);
	icmp[DP_ND_HLEN] = DP_ND_OPT_SLLA;
	icmp[DP_ND_HLEN + 1] = 1;
	memcpy(icmp + DP_ND_HLEN + 2, ifc->mac, 6);
	dp_put_cksum(icmp + DP_ICMP_CKSUM_OFF, dp_l4_cksum(ip, true, IPPROTO_ICMPV6, icmp, n));
	return (uint32_t)l2 + DP_IPV6_HLEN + n;
}
