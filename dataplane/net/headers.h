/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output headers: Ethernet (+ 802.1Q tag), IPv4 or IPv6, UDP, for the
 * packets a worker sends to one receiver.
 *
 * The sequence for one output:
 *
 *     hl = dp_udp_headers_build(buf, ifc, neighbour_mac, &local, &remote, n);
 *     ... write (encrypt) the n payload bytes at buf + hl ...
 *     if (ifc->tx_cksum_offload)
 *         dp_udp_tx_offload_mbuf(m, dp_iface_l2_len(ifc), family);
 *     else
 *         dp_udp_checksum_fill(buf, dp_iface_l2_len(ifc), family, hl + n);
 *
 * dp_udp_headers_build leaves both checksums zero: one of the two calls
 * after it fills them (or prepares them for the NIC).
 */
#ifndef STRATA_DP_NET_HEADERS_H
#define STRATA_DP_NET_HEADERS_H

#include <stdint.h>

#include <rte_mbuf.h>

#include <strata/messages.h>

#include "iface.h"

/* The most dp_udp_headers_build writes: Ethernet, a tag, IPv6, UDP. */
#define DP_UDP_HEADERS_MAX (14 + 4 + 40 + 8)

/*
 * Writes the headers of a UDP datagram of payload_len bytes from src to
 * dst (address and port; both of one family) on port ifc, to the next hop
 * dst_mac, into out (DP_UDP_HEADERS_MAX bytes of room), and returns their
 * length: the payload goes at out + that length.
 *
 * IPv4: TTL 64, DF set, identification 0 (RFC 6864 section 4.1: the field
 * has no meaning on atomic datagrams), TOS 0.  IPv6: hop limit 64, traffic
 * class and flow label 0.  Both checksums are left zero.
 *
 * Returns 0, writing nothing, when the families differ or are not
 * INET/INET6, or the datagram would not fit in an IP packet (the MTU is
 * the caller's: DP_TX_DROP_TOO_BIG).
 */
uint16_t dp_udp_headers_build(uint8_t *out, const struct dp_iface *ifc, const uint8_t dst_mac[6],
			      const struct strata_addr *src, const struct strata_addr *dst,
			      uint16_t payload_len);

/*
 * Fills in software the IPv4 header checksum (IPv4) and the UDP checksum
 * of the frame made by dp_udp_headers_build once its payload is written.
 * total_len is the whole frame's length: l2_len + IP header + UDP length
 * (the lengths in the headers must agree with it).
 */
void dp_udp_checksum_fill(uint8_t *frame, uint16_t l2_len, uint8_t family, uint32_t total_len);

/*
 * What an rte_mbuf needs for the NIC to compute the checksums
 * (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM and _UDP_CKSUM): its l2_len, l3_len and
 * ol_flags, and, in the frame, a zero IPv4 header checksum and the
 * pseudo-header sum in the UDP checksum field (rte_ipv4_phdr_cksum /
 * rte_ipv6_phdr_cksum), as rte_mbuf_core.h prescribes for
 * RTE_MBUF_F_TX_UDP_CKSUM.
 */
struct dp_tx_offload {
	uint64_t ol_flags; /* RTE_MBUF_F_TX_IPV4 | _IP_CKSUM | _UDP_CKSUM, or _IPV6 | _UDP_CKSUM */
	uint16_t l2_len;
	uint16_t l3_len;
};

/* Prepares the frame (written by dp_udp_headers_build) and says what to set
 * in its mbuf. */
void dp_udp_offload_prepare(uint8_t *frame, uint16_t l2_len, uint8_t family,
			    struct dp_tx_offload *o);

/* The same for a single-segment mbuf holding the frame from its start. */
static inline void dp_udp_tx_offload_mbuf(struct rte_mbuf *m, uint16_t l2_len, uint8_t family)
{
	struct dp_tx_offload o;

	dp_udp_offload_prepare(rte_pktmbuf_mtod(m, uint8_t *), l2_len, family, &o);
	m->l2_len = o.l2_len;
	m->l3_len = o.l3_len;
	m->ol_flags = (m->ol_flags & ~(RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IP_CKSUM |
				       RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) |
		      o.ol_flags;
}

#endif /* STRATA_DP_NET_HEADERS_H */
