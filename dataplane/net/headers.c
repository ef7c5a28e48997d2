/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output headers for UDP datagrams: see headers.h.
 */
#include <string.h>

#include "headers.h"
#include "wire.h"

static void udp_build(uint8_t *udp, const struct strata_addr *src,
		      const struct strata_addr *dst, uint16_t udp_len)
{
	dp_put_be16(udp, src->port);
	dp_put_be16(udp + 2, dst->port);
	dp_put_be16(udp + DP_UDP_LEN_OFF, udp_len);
	udp[DP_UDP_CKSUM_OFF] = 0;
	udp[DP_UDP_CKSUM_OFF + 1] = 0;
}

uint16_t dp_udp_headers_build(uint8_t *out, const struct dp_iface *ifc, const uint8_t dst_mac[6],
			      const struct strata_addr *src, const struct strata_addr *dst,
			      uint16_t payload_len)
{
	uint16_t l2;
	uint8_t *ip;

	if (src->family != dst->family)
		return 0;

	if (src->family == STRATA_AF_INET) {
		uint32_t total = DP_IPV4_HLEN + DP_UDP_HLEN + (uint32_t)payload_len;

		if (total > UINT16_MAX)
			return 0;
		l2 = dp_eth_build(out, dst_mac, ifc->mac, ifc->vlan, RTE_ETHER_TYPE_IPV4);
		ip = out + l2;
		ip[0] = 0x45; /* version 4, IHL 5 */
		ip[1] = 0;    /* DSCP, ECN */
		dp_put_be16(ip + DP_IPV4_TOTLEN_OFF, (uint16_t)total);
		dp_put_be16(ip + DP_IPV4_ID_OFF, 0);
		dp_put_be16(ip + DP_IPV4_FRAG_OFF, DP_IPV4_DF);
		ip[DP_IPV4_TTL_OFF] = DP_DEFAULT_TTL;
		ip[DP_IPV4_PROTO_OFF] = IPPROTO_UDP;
		ip[DP_IPV4_CKSUM_OFF] = 0;
		ip[DP_IPV4_CKSUM_OFF + 1] = 0;
		memcpy(ip + DP_IPV4_SRC_OFF, src->ip, 4);
		memcpy(ip + DP_IPV4_DST_OFF, dst->ip, 4);
		udp_build(ip + DP_IPV4_HLEN, src, dst, (uint16_t)(total - DP_IPV4_HLEN));
		return (uint16_t)(l2 + DP_IPV4_HLEN + DP_UDP_HLEN);
	}

	if (src->family == STRATA_AF_INET6) {
		uint32_t udp_len = DP_UDP_HLEN + (uint32_t)payload_len;

		if (udp_len > UINT16_MAX)
			return 0;
		l2 = dp_eth_build(out, dst_mac, ifc->mac, ifc->vlan, RTE_ETHER_TYPE_IPV6);
		ip = out + l2;
		/* Version 6, traffic class 0, flow label 0. */
		ip[0] = 0x60;
		ip[1] = ip[2] = ip[3] = 0;
		dp_put_be16(ip + DP_IPV6_PLEN_OFF, (uint16_t)udp_len);
		ip[DP_IPV6_NH_OFF] = IPPROTO_UDP;
		ip[DP_IPV6_HOPS_OFF] = DP_DEFAULT_TTL;
		memcpy(ip + DP_IPV6_SRC_OFF, src->ip, 16);
		memcpy(ip + DP_IPV6_DST_OFF, dst->ip, 16);
		udp_build(ip + DP_IPV6_HLEN, src, dst, (uint16_t)udp_len);
		return (uint16_t)(l2 + DP_IPV6_HLEN + DP_UDP_HLEN);
	}
	return 0;
}

void dp_udp_checksum_fill(uint8_t *frame, uint16_t l2_len, uint8_t family, uint32_t total_len)
{
	uint8_t *ip = frame + l2_len;
	bool v6 = family == STRATA_AF_INET6;
	uint32_t l3_len = v6 ? DP_IPV6_HLEN : DP_IPV4_HLEN;

	if (total_len < (uint32_t)l2_len + l3_len + DP_UDP_HLEN)
		return;

	uint8_t *udp = ip + l3_len;
	uint32_t udp_len = total_len - l2_len - l3_len;

	if (!v6)
		dp_ipv4_cksum_set(ip);
	udp[DP_UDP_CKSUM_OFF] = 0;
	udp[DP_UDP_CKSUM_OFF + 1] = 0;
	dp_put_cksum(udp + DP_UDP_CKSUM_OFF, dp_l4_cksum(ip, v6, IPPROTO_UDP, udp, udp_len));
}

void dp_udp_offload_prepare(uint8_t *frame, uint16_t l2_len, uint8_t family,
			    struct dp_tx_offload *o)
{
	uint8_t *ip = frame + l2_len;
	uint16_t phdr;

	o->l2_len = l2_len;
	if (family == STRATA_AF_INET6) {
		o->l3_len = DP_IPV6_HLEN;
		o->ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
		phdr = rte_ipv6_phdr_cksum((const struct rte_ipv6_hdr *)ip, o->ol_flags);
	} else {
		o->l3_len = DP_IPV4_HLEN;
		o->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM;
		ip[DP_IPV4_CKSUM_OFF] = 0;
		ip[DP_IPV4_CKSUM_OFF + 1] = 0;
		phdr = rte_ipv4_phdr_cksum((const struct rte_ipv4_hdr *)ip, o->ol_flags);
	}
	dp_put_cksum(ip + o->l3_len + DP_UDP_CKSUM_OFF, phdr);
}
