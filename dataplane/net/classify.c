/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Received-frame classification: see classify.h for what is accepted.
 *
 * This runs once for every received packet, so the common case (IPv4 or
 * IPv6 UDP to one of our addresses, checksums verified by the NIC) is a
 * straight line of compares on the first 50-odd bytes, and the only loops
 * are the address compares (at most DP_IFACE_MAX_ADDRS) and, when the port
 * asks for it and the NIC did not, the UDP checksum (rte_raw_cksum, wide
 * loads).
 */
#include <string.h>

#include <rte_mbuf_core.h>

#include "classify.h"
#include "wire.h"

#define ETH_TYPE_VLAN 0x8100  /* IEEE 802.1Q */
#define ETH_TYPE_QINQ 0x88a8  /* IEEE 802.1ad service tag */
#define ETH_TYPE_QINQ_OLD 0x9100

enum mac_kind { MAC_OURS, MAC_BROADCAST, MAC_IPV6_MCAST };

static inline enum dp_class drop(struct dp_pkt *out, enum dp_drop why)
{
	out->drop = why;
	return DP_CLASS_DROP;
}

static inline bool is_vlan_tpid(uint16_t type)
{
	return type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ || type == ETH_TYPE_QINQ_OLD;
}

/*
 * RFC 1122 section 3.2.1.3 lists the source addresses a host must not
 * accept: 0/8 ("this network"), 127/8 (loopback), and multicast, class E
 * and limited broadcast (224/4 and above).  Replies, STUN answers and
 * media to such a source would go nowhere or everywhere.
 */
static inline bool ipv4_source_ok(const uint8_t *src)
{
	return src[0] != 0 && src[0] != 127 && src[0] < 224;
}

/* IPv6 sources: never multicast, never loopback (RFC 4291 section 2.5.3,
 * 2.7).  The unspecified address is checked by the caller. */
static inline bool ipv6_source_ok(const uint8_t *src)
{
	static const uint8_t loopback[16] = { [15] = 1 };

	return !dp_ipv6_is_multicast(src) && memcmp(src, loopback, 16) != 0;
}

/* IPv6 next-header values that are extension headers (RFC 8200 section 4,
 * and the IANA "IPv6 Extension Header Types" registry). */
static inline bool ipv6_is_ext_header(uint8_t nh)
{
	switch (nh) {
	case 0:   /* hop-by-hop options */
	case 43:  /* routing */
	case 44:  /* fragment */
	case 50:  /* encapsulating security payload */
	case 51:  /* authentication header */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* host identity protocol */
	case 140: /* shim6 */
	case 253: /* experimentation */
	case 254:
		return true;
	default:
		return false;
	}
}

/*
 * RFC 7983 section 7, which updates RFC 5764 section 5.1.2:
 *
 *    The process for demultiplexing a packet is as follows.  The receiver
 *    looks at the first byte of the packet.  If the value of this byte is
 *    in between 0 and 3 (inclusive), then the packet is STUN.  If the
 *    value is between 16 and 19 (inclusive), then the packet is ZRTP.  If
 *    the value is between 20 and 63 (inclusive), then the packet is DTLS.
 *    If the value is between 64 and 79 (inclusive), then the packet is
 *    TURN Channel.  If the value is in between 128 and 191 (inclusive),
 *    then the packet is RTP (or RTCP, if both RTCP and RTP are being
 *    multiplexed over the same destination port).  If the value does not
 *    match any known range then the packet MUST be dropped and an alert
 *    MAY be logged.
 *
 * Strata speaks neither ZRTP nor TURN channels: those ranges, the unknown
 * ones and empty datagrams are UDP_OTHER, and the worker decides (drop,
 * or punt to strata-cp as STRATA_PACKET_OTHER).
 *
 * RTP and RTCP share the port (rtcp-mux).  RFC 5761 section 4:
 *
 *    When RTP and RTCP packets are multiplexed onto a single port, the
 *    RTCP packet type field occupies the same position in the packet as
 *    the combination of the RTP marker (M) bit and the RTP payload type
 *    (PT).  This field can be used to distinguish RTP and RTCP packets
 *    when two restrictions are observed: 1) the RTP payload type values
 *    used are distinct from the RTCP packet types used; and 2) for each
 *    RTP payload type (PT), PT+128 is distinct from the RTCP packet types
 *    used.
 *
 * and "payload type values in the range 64-95 MUST NOT be used", future
 * RTCP packet types being assigned "in the range 209-223, then in the
 * range 194-199, so that only the RTP payload types in the range 64-95 are
 * blocked".  So a second byte of 192..223 (PT 64..95, with or without the
 * marker) is RTCP: dp_is_rtcp in classify.h.
 */
static inline enum dp_class demux_udp_payload(const uint8_t *payload, uint32_t payload_len,
					      struct dp_pkt *out)
{
	if (payload_len == 0)
		return DP_CLASS_UDP_OTHER;

	uint8_t b = payload[0];

	if (b >= 128 && b <= 191) {
		out->rtcp = dp_is_rtcp(payload, payload_len);
		return DP_CLASS_MEDIA;
	}
	if (b <= 3)
		return DP_CLASS_STUN;
	if (b >= 20 && b <= 63)
		return DP_CLASS_DTLS;
	return DP_CLASS_UDP_OTHER;
}

/*
 * UDP (RFC 768) over either IP.  l4_len is what the IP header says follows
 * it; the datagram must fill exactly that.
 *
 * The checksum: over IPv4 a zero means the sender computed none (RFC 768);
 * over IPv6 it is mandatory (RFC 8200 section 8.1: "IPv6 receivers must
 * discard UDP packets containing a zero checksum").  When the NIC looked,
 * its verdict stands (RTE_MBUF_F_RX_L4_CKSUM_NONE: the data is verified,
 * the field was not); otherwise the software verifies only when the port
 * asks for it: SRTP authenticates the payload anyway, and a 1200-byte sum
 * per packet is not free.
 */
static enum dp_class classify_udp(const struct dp_iface *ifc, const uint8_t *frame,
				  uint32_t l3_off, uint32_t l4_off, uint32_t l4_len, bool v6,
				  uint64_t ol, struct dp_pkt *out)
{
	const uint8_t *udp = frame + l4_off;

	if (l4_len < DP_UDP_HLEN)
		return drop(out, DP_DROP_UDP_TRUNCATED);
	if (dp_be16(udp + DP_UDP_LEN_OFF) != l4_len)
		return drop(out, DP_DROP_UDP_BAD_LENGTH);

	if (udp[DP_UDP_CKSUM_OFF] == 0 && udp[DP_UDP_CKSUM_OFF + 1] == 0) {
		if (v6)
			return drop(out, DP_DROP_UDP_NO_CHECKSUM_V6);
	} else {
		uint64_t l4f = ol & RTE_MBUF_F_RX_L4_CKSUM_MASK;

		if (l4f == RTE_MBUF_F_RX_L4_CKSUM_BAD)
			return drop(out, DP_DROP_UDP_BAD_CHECKSUM);
		if (l4f == RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN && ifc->verify_rx_cksum &&
		    !dp_l4_cksum_ok(frame + l3_off, v6, IPPROTO_UDP, udp, l4_len))
			return drop(out, DP_DROP_UDP_BAD_CHECKSUM);
	}

	out->proto = IPPROTO_UDP;
	out->l4_off = (uint16_t)l4_off;
	out->l4_len = (uint16_t)l4_len;
	out->remote.port = dp_be16(udp);
	out->local.port = dp_be16(udp + 2);
	out->payload_off = (uint16_t)(l4_off + DP_UDP_HLEN);
	out->payload_len = (uint16_t)(l4_len - DP_UDP_HLEN);
	return demux_udp_payload(udp + DP_UDP_HLEN, out->payload_len, out);
}

static inline enum dp_class slowpath(struct dp_pkt *out, enum dp_slow_kind kind,
				     uint32_t l4_off, uint32_t l4_len)
{
	out->slow = (uint8_t)kind;
	out->l4_off = (uint16_t)l4_off;
	out->l4_len = (uint16_t)l4_len;
	out->payload_off = (uint16_t)l4_off;
	out->payload_len = (uint16_t)l4_len;
	return DP_CLASS_SLOWPATH;
}

/*
 * IPv4 (RFC 791, RFC 1122 section 3.2.1).  In order: the fixed header is
 * present; version 4; IHL at least 5; total length within the frame (the
 * rest is padding) and at least the header; no options; no fragment; the
 * header checksum; a unicast source; one of our addresses as destination;
 * then UDP or ICMP.
 */
static enum dp_class classify_ipv4(const struct dp_iface *ifc, const uint8_t *frame,
				   uint32_t len, uint32_t l3, uint64_t ol, struct dp_pkt *out)
{
	const uint8_t *ip = frame + l3;
	uint32_t avail = len - l3;

	if (avail < DP_IPV4_HLEN)
		return drop(out, DP_DROP_IPV4_TRUNCATED);
	if ((ip[0] >> 4) != 4)
		return drop(out, DP_DROP_IPV4_BAD_HEADER);

	uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	uint32_t total = dp_be16(ip + DP_IPV4_TOTLEN_OFF);

	if (ihl < DP_IPV4_HLEN || total < ihl || total > avail)
		return drop(out, DP_DROP_IPV4_BAD_HEADER);
	if (ihl != DP_IPV4_HLEN)
		return drop(out, DP_DROP_IPV4_OPTIONS);
	if (dp_be16(ip + DP_IPV4_FRAG_OFF) & DP_IPV4_MF_OFFSET)
		return drop(out, DP_DROP_IPV4_FRAGMENT);

	/* RTE_MBUF_F_RX_IP_CKSUM_NONE: the NIC verified the header's
	 * integrity without the field being right (it will not be forwarded
	 * as is): as good as GOOD. */
	uint64_t ipf = ol & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (ipf == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return drop(out, DP_DROP_IPV4_BAD_CHECKSUM);
	if (ipf == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN &&
	    dp_sum_fold(dp_sum_add(0, ip, DP_IPV4_HLEN)) != 0xffff)
		return drop(out, DP_DROP_IPV4_BAD_CHECKSUM);

	if (!ipv4_source_ok(ip + DP_IPV4_SRC_OFF))
		return drop(out, DP_DROP_IPV4_BAD_HEADER);

	int slot = dp_iface_addr_slot(ifc, STRATA_AF_INET, ip + DP_IPV4_DST_OFF);

	if (slot < 0)
		return drop(out, DP_DROP_IPV4_NOT_FOR_US);

	out->family = STRATA_AF_INET;
	out->local_addr_index = ifc->addrs[slot].index;
	out->local.family = STRATA_AF_INET;
	out->remote.family = STRATA_AF_INET;
	memcpy(out->local.ip, ip + DP_IPV4_DST_OFF, 4);
	memcpy(out->remote.ip, ip + DP_IPV4_SRC_OFF, 4);
	out->ip_end = (uint16_t)(l3 + total);

	uint32_t l4_off = l3 + DP_IPV4_HLEN, l4_len = total - DP_IPV4_HLEN;

	switch (ip[DP_IPV4_PROTO_OFF]) {
	case IPPROTO_UDP:
		return classify_udp(ifc, frame, l3, l4_off, l4_len, false, ol, out);
	case IPPROTO_ICMP:
		out->proto = IPPROTO_ICMP;
		if (l4_len < DP_ICMP_ECHO_HLEN)
			return drop(out, DP_DROP_ICMP_INVALID);
		if (frame[l4_off] != DP_ICMP_ECHO_REQUEST)
			return drop(out, DP_DROP_ICMP_UNSUPPORTED);
		return slowpath(out, DP_SLOW_ICMP_ECHO, l4_off, l4_len);
	default:
		return drop(out, DP_DROP_L4_UNSUPPORTED);
	}
}

/*
 * ICMPv6 to us: echo requests (RFC 4443 section 4.1) and neighbour
 * discovery (RFC 4861 sections 4.3, 4.4).  A solicitation may come to the
 * solicited-node group of its target, and from the unspecified address
 * (duplicate address detection); everything else to one of our unicast
 * addresses from a unicast one.  The target of a solicitation must be one
 * of our addresses: the main lcore never sees the solicitations for the
 * other hosts of a busy segment.
 */
static enum dp_class classify_icmp6(const struct dp_iface *ifc, const uint8_t *frame,
				    const uint8_t *ip, uint32_t l4_off, uint32_t l4_len,
				    bool to_group, bool from_unspec, struct dp_pkt *out)
{
	const uint8_t *icmp = frame + l4_off;

	out->proto = IPPROTO_ICMPV6;
	if (l4_len < DP_ICMP_ECHO_HLEN)
		return drop(out, DP_DROP_ICMP_INVALID);

	uint8_t type = icmp[0];

	if (type == DP_ND_NS) {
		if (l4_len < DP_ND_HLEN)
			return drop(out, DP_DROP_ICMP_INVALID);

		const uint8_t *target = icmp + DP_ND_TARGET_OFF;
		int slot = dp_iface_addr_slot(ifc, STRATA_AF_INET6, target);

		if (slot < 0)
			return drop(out, DP_DROP_IPV6_NOT_FOR_US);
		if (to_group) {
			uint8_t group[16];

			dp_ipv6_solicited_node(group, target);
			if (memcmp(group, ip + DP_IPV6_DST_OFF, 16) != 0)
				return drop(out, DP_DROP_IPV6_NOT_FOR_US);
		}
		/* local: the address asked for. */
		out->local_addr_index = ifc->addrs[slot].index;
		memcpy(out->local.ip, target, 16);
		return slowpath(out, DP_SLOW_ND_NS, l4_off, l4_len);
	}

	if (to_group)
		return drop(out, DP_DROP_IPV6_NOT_FOR_US);
	if (from_unspec)
		return drop(out, DP_DROP_IPV6_BAD_HEADER);

	switch (type) {
	case DP_ICMP6_ECHO_REQUEST:
		return slowpath(out, DP_SLOW_ICMP6_ECHO, l4_off, l4_len);
	case DP_ND_NA:
		if (l4_len < DP_ND_HLEN)
			return drop(out, DP_DROP_ICMP_INVALID);
		return slowpath(out, DP_SLOW_ND_NA, l4_off, l4_len);
	default:
		return drop(out, DP_DROP_ICMP_UNSUPPORTED);
	}
}

/*
 * IPv6 (RFC 8200).  In order: the fixed header is present; version 6; the
 * payload within the frame; a unicast (or unspecified) source; the
 * destination one of our addresses, or a solicited-node group on the
 * matching 33:33:ff MAC; then UDP or ICMPv6 (extension headers are
 * refused: media never carries them).
 */
static enum dp_class classify_ipv6(const struct dp_iface *ifc, const uint8_t *frame,
				   uint32_t len, uint32_t l3, enum mac_kind mac, uint64_t ol,
				   struct dp_pkt *out)
{
	const uint8_t *ip = frame + l3;
	uint32_t avail = len - l3;

	if (avail < DP_IPV6_HLEN)
		return drop(out, DP_DROP_IPV6_TRUNCATED);
	if ((ip[0] >> 4) != 6)
		return drop(out, DP_DROP_IPV6_BAD_HEADER);

	uint32_t plen = dp_be16(ip + DP_IPV6_PLEN_OFF);

	if (DP_IPV6_HLEN + plen > avail)
		return drop(out, DP_DROP_IPV6_BAD_HEADER);

	const uint8_t *src = ip + DP_IPV6_SRC_OFF, *dst = ip + DP_IPV6_DST_OFF;

	if (!ipv6_source_ok(src))
		return drop(out, DP_DROP_IPV6_BAD_HEADER);

	int slot = dp_iface_addr_slot(ifc, STRATA_AF_INET6, dst);
	bool to_group = false;

	if (slot >= 0) {
		if (mac != MAC_OURS)
			return drop(out, DP_DROP_ETH_NOT_FOR_US);
	} else if (dp_ipv6_is_solicited_node(dst)) {
		uint8_t group_mac[6];

		dp_ipv6_mcast_mac(group_mac, dst);
		if (mac != MAC_IPV6_MCAST || memcmp(frame, group_mac, 6) != 0)
			return drop(out, DP_DROP_ETH_NOT_FOR_US);
		to_group = true;
	} else {
		return drop(out, DP_DROP_IPV6_NOT_FOR_US);
	}

	bool from_unspec = dp_ipv6_is_unspecified(src);

	out->family = STRATA_AF_INET6;
	out->local.family = STRATA_AF_INET6;
	out->remote.family = STRATA_AF_INET6;
	memcpy(out->local.ip, dst, 16);
	memcpy(out->remote.ip, src, 16);
	if (slot >= 0)
		out->local_addr_index = ifc->addrs[slot].index;
	out->ip_end = (uint16_t)(l3 + DP_IPV6_HLEN + plen);

	uint32_t l4_off = l3 + DP_IPV6_HLEN;
	uint8_t nh = ip[DP_IPV6_NH_OFF];

	if (nh == IPPROTO_ICMPV6)
		return classify_icmp6(ifc, frame, ip, l4_off, plen, to_group, from_unspec, out);
	if (to_group)
		return drop(out, DP_DROP_IPV6_NOT_FOR_US);
	if (nh == IPPROTO_UDP) {
		if (from_unspec)
			return drop(out, DP_DROP_IPV6_BAD_HEADER);
		return classify_udp(ifc, frame, l3, l4_off, plen, true, ol, out);
	}
	if (ipv6_is_ext_header(nh))
		return drop(out, DP_DROP_IPV6_EXT_HEADER);
	return drop(out, DP_DROP_L4_UNSUPPORTED);
}

/*
 * ARP (RFC 826) for Ethernet and IPv4 only.  Requests for one of our
 * addresses go to the main lcore; so do gratuitous announcements (sender
 * and target protocol addresses equal), which RFC 826's merge step uses
 * to refresh an entry already in the table: that is how a gateway's
 * failover to another MAC is learnt.  Every other request on the segment
 * stops here.
 */
static enum dp_class classify_arp(const struct dp_iface *ifc, const uint8_t *frame,
				  uint32_t len, uint32_t l3, struct dp_pkt *out)
{
	const uint8_t *arp = frame + l3;

	if (len - l3 < DP_ARP_LEN)
		return drop(out, DP_DROP_ARP_INVALID);
	if (dp_be16(arp) != RTE_ARP_HRD_ETHER || dp_be16(arp + 2) != RTE_ETHER_TYPE_IPV4 ||
	    arp[4] != RTE_ETHER_ADDR_LEN || arp[5] != 4)
		return drop(out, DP_DROP_ARP_INVALID);

	uint16_t op = dp_be16(arp + DP_ARP_OP_OFF);

	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)
		return drop(out, DP_DROP_ARP_INVALID);

	const uint8_t *spa = arp + DP_ARP_SPA_OFF, *tpa = arp + DP_ARP_TPA_OFF;
	int slot = dp_iface_addr_slot(ifc, STRATA_AF_INET, tpa);

	if (slot < 0 && memcmp(spa, tpa, 4) != 0)
		return drop(out, DP_DROP_ARP_NOT_FOR_US);

	out->family = STRATA_AF_INET;
	out->local.family = STRATA_AF_INET;
	out->remote.family = STRATA_AF_INET;
	memcpy(out->local.ip, tpa, 4);
	memcpy(out->remote.ip, spa, 4);
	if (slot >= 0)
		out->local_addr_index = ifc->addrs[slot].index;
	out->ip_end = (uint16_t)(l3 + DP_ARP_LEN);
	return slowpath(out, DP_SLOW_ARP, l3, DP_ARP_LEN);
}

enum dp_class dp_classify(const struct dp_iface *ifc, const uint8_t *frame, uint32_t len,
			  uint64_t rx_ol_flags, struct dp_pkt *out)
{
	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	enum mac_kind mac;

	memset(out, 0, sizeof(*out));
	/* No Ethernet frame is longer (an IP packet is at most 65535 bytes):
	 * the clamp keeps every offset, ip_end included, within 16 bits. */
	if (len > UINT16_MAX)
		len = UINT16_MAX;
	if (len < DP_ETH_HLEN)
		return drop(out, DP_DROP_ETH_TRUNCATED);

	if (memcmp(frame, ifc->mac, 6) == 0)
		mac = MAC_OURS;
	else if (frame[0] == 0x33 && frame[1] == 0x33)
		mac = MAC_IPV6_MCAST;
	else if (memcmp(frame, broadcast, 6) == 0)
		mac = MAC_BROADCAST;
	else
		return drop(out, DP_DROP_ETH_NOT_FOR_US);

	uint16_t type = dp_be16(frame + DP_ETH_TYPE_OFF);
	uint32_t l2 = DP_ETH_HLEN;

	/* One 802.1Q tag, the port's, or none on an untagged port.  A tag
	 * with VID 0 (priority only) is not the absence of a tag here. */
	if (is_vlan_tpid(type)) {
		if (len < DP_ETH_HLEN + DP_VLAN_HLEN)
			return drop(out, DP_DROP_ETH_TRUNCATED);

		uint16_t vid = dp_be16(frame + DP_ETH_HLEN) & DP_VLAN_VID_MASK;

		if (type != ETH_TYPE_VLAN || ifc->vlan == 0 || vid != ifc->vlan)
			return drop(out, DP_DROP_VLAN_MISMATCH);
		type = dp_be16(frame + DP_ETH_HLEN + 2);
		if (is_vlan_tpid(type))
			return drop(out, DP_DROP_VLAN_MISMATCH);
		l2 += DP_VLAN_HLEN;
		out->vlan = vid;
	} else if (ifc->vlan != 0) {
		return drop(out, DP_DROP_VLAN_MISMATCH);
	}
	out->l2_len = (uint16_t)l2;
	out->l3_off = (uint16_t)l2;

	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		/* RFC 1122 section 3.3.6: a datagram that came by link-layer
		 * broadcast to a unicast IP address is discarded. */
		if (mac != MAC_OURS)
			return drop(out, DP_DROP_ETH_NOT_FOR_US);
		return classify_ipv4(ifc, frame, len, l2, rx_ol_flags, out);
	case RTE_ETHER_TYPE_IPV6:
		return classify_ipv6(ifc, frame, len, l2, mac, rx_ol_flags, out);
	case RTE_ETHER_TYPE_ARP:
		if (mac == MAC_IPV6_MCAST)
			return drop(out, DP_DROP_ETH_NOT_FOR_US);
		return classify_arp(ifc, frame, len, l2, out);
	default:
		return drop(out, DP_DROP_ETHERTYPE_UNKNOWN);
	}
}
