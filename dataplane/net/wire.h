/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wire layouts and checksums shared by the files of dataplane/net/.
 *
 * Frames are byte buffers: fields are read and written at their offsets
 * with explicit byte order, never through a struct pointer cast, so that
 * no access depends on the buffer's alignment.  The DPDK headers provide
 * the constants and sizes; rte_ip.h provides the one's-complement sums.
 */
#ifndef STRATA_DP_NET_WIRE_H
#define STRATA_DP_NET_WIRE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

/* Ethernet. */
#define DP_ETH_HLEN RTE_ETHER_HDR_LEN                     /* 14 */
#define DP_VLAN_HLEN ((unsigned)sizeof(struct rte_vlan_hdr)) /* 4 */
#define DP_ETH_MIN_LEN (RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN) /* 60 */
#define DP_ETH_TYPE_OFF 12
#define DP_VLAN_VID_MASK 0x0fff

/* IPv4 (RFC 791).  Offsets within the header. */
#define DP_IPV4_HLEN ((unsigned)sizeof(struct rte_ipv4_hdr)) /* 20 */
#define DP_IPV4_TOTLEN_OFF 2
#define DP_IPV4_ID_OFF 4
#define DP_IPV4_FRAG_OFF 6
#define DP_IPV4_TTL_OFF 8
#define DP_IPV4_PROTO_OFF 9
#define DP_IPV4_CKSUM_OFF 10
#define DP_IPV4_SRC_OFF 12
#define DP_IPV4_DST_OFF 16
#define DP_IPV4_DF 0x4000
#define DP_IPV4_MF_OFFSET 0x3fff /* more-fragments flag and fragment offset */

/* IPv6 (RFC 8200). */
#define DP_IPV6_HLEN ((unsigned)sizeof(struct rte_ipv6_hdr)) /* 40 */
#define DP_IPV6_PLEN_OFF 4
#define DP_IPV6_NH_OFF 6
#define DP_IPV6_HOPS_OFF 7
#define DP_IPV6_SRC_OFF 8
#define DP_IPV6_DST_OFF 24

/* UDP (RFC 768). */
#define DP_UDP_HLEN ((unsigned)sizeof(struct rte_udp_hdr)) /* 8 */
#define DP_UDP_LEN_OFF 4
#define DP_UDP_CKSUM_OFF 6

/* ARP for Ethernet and IPv4 (RFC 826): 28 bytes. */
#define DP_ARP_LEN ((unsigned)(sizeof(struct rte_arp_hdr)))
#define DP_ARP_OP_OFF 6
#define DP_ARP_SHA_OFF 8
#define DP_ARP_SPA_OFF 14
#define DP_ARP_THA_OFF 18
#define DP_ARP_TPA_OFF 24

/* ICMP and ICMPv6: type, code, checksum, then the message. */
#define DP_ICMP_CKSUM_OFF 2
#define DP_ICMP_ECHO_HLEN 8          /* type, code, checksum, id, sequence */
#define DP_ICMP_ECHO_REQUEST 8       /* RFC 792 */
#define DP_ICMP_ECHO_REPLY 0
#define DP_ICMP6_ECHO_REQUEST 128    /* RFC 4443 */
#define DP_ICMP6_ECHO_REPLY 129
#define DP_ND_NS 135                 /* RFC 4861 */
#define DP_ND_NA 136
#define DP_ND_HLEN 24                /* type .. target address */
#define DP_ND_TARGET_OFF 8
#define DP_ND_OPT_SLLA 1
#define DP_ND_OPT_TLLA 2
#define DP_ND_OPT_LLA_LEN 8          /* one 8-octet unit with a 6-byte MAC */
#define DP_ND_NA_ROUTER 0x80
#define DP_ND_NA_SOLICITED 0x40
#define DP_ND_NA_OVERRIDE 0x20
#define DP_ND_HOP_LIMIT 255

#define DP_DEFAULT_TTL 64

static inline uint16_t dp_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void dp_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline bool dp_mac_is_multicast(const uint8_t *mac)
{
	return (mac[0] & 1) != 0; /* includes broadcast */
}

static inline bool dp_mac_is_zero(const uint8_t *mac)
{
	return (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0;
}

static inline bool dp_ipv6_is_unspecified(const uint8_t *ip)
{
	static const uint8_t zero[16];

	return memcmp(ip, zero, 16) == 0;
}

static inline bool dp_ipv6_is_multicast(const uint8_t *ip)
{
	return ip[0] == 0xff;
}

/* ff02::1:ffXX:XXXX for ip (RFC 4291 section 2.7.1). */
static inline void dp_ipv6_solicited_node(uint8_t out[16], const uint8_t *ip)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

	memcpy(out, prefix, 13);
	memcpy(out + 13, ip + 13, 3);
}

/* Whether ip is a solicited-node multicast address (of any unicast). */
static inline bool dp_ipv6_is_solicited_node(const uint8_t *ip)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

	return memcmp(ip, prefix, 13) == 0;
}

/* 33:33 and the last four bytes of an IPv6 multicast address (RFC 2464
 * section 7). */
static inline void dp_ipv6_mcast_mac(uint8_t mac[6], const uint8_t *ip)
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, ip + 12, 4);
}

/*
 * Writes an Ethernet header (with an 802.1Q tag when vlan != 0: PCP 0,
 * DEI 0) and returns its length.
 */
static inline uint16_t dp_eth_build(uint8_t *out, const uint8_t dst_mac[6],
				    const uint8_t src_mac[6], uint16_t vlan, uint16_t ether_type)
{
	uint16_t l2 = DP_ETH_HLEN;

	memcpy(out, dst_mac, 6);
	memcpy(out + 6, src_mac, 6);
	if (vlan != 0) {
		dp_put_be16(out + DP_ETH_TYPE_OFF, RTE_ETHER_TYPE_VLAN);
		dp_put_be16(out + DP_ETH_HLEN, vlan & DP_VLAN_VID_MASK);
		l2 += DP_VLAN_HLEN;
	}
	dp_put_be16(out + l2 - 2, ether_type);
	return l2;
}

/*
 * Pads a frame the main lcore sends to the Ethernet minimum (60 bytes
 * before the FCS) with zeros, as far as cap allows, and returns its
 * length.  NICs pad short frames themselves; virtual ports may not.
 */
static inline uint32_t dp_frame_pad(uint8_t *frame, uint32_t len, uint32_t cap)
{
	uint32_t want = len < DP_ETH_MIN_LEN ? DP_ETH_MIN_LEN : len;

	if (want > cap)
		want = cap > len ? cap : len;
	if (want > len)
		memset(frame + len, 0, want - len);
	return want;
}

/*
 * One's-complement sums (RFC 1071), in the byte order of the buffer: a sum
 * over a correct checksummed region is 0xffff.  rte_raw_cksum adds 16-bit
 * words through memcpy, which the compiler turns into wide loads.
 */
static inline uint32_t dp_sum_add(uint32_t sum, const void *buf, size_t len)
{
	return __rte_raw_cksum(buf, len, sum);
}

static inline uint16_t dp_sum_fold(uint32_t sum)
{
	return __rte_raw_cksum_reduce(sum);
}

/*
 * The (unfolded) sum of the IPv4 or IPv6 pseudo-header for an upper-layer
 * packet of l4_len bytes and protocol proto, from the addresses in the IP
 * header at l3 (RFC 768, RFC 8200 section 8.1).
 */
static inline uint32_t dp_pseudo_sum(const uint8_t *l3, bool v6, uint8_t proto, uint32_t l4_len)
{
	uint8_t tail[8];
	uint32_t sum;

	if (v6) {
		sum = dp_sum_add(0, l3 + DP_IPV6_SRC_OFF, 32);
		/* Upper-layer length (32 bits), three zero bytes, next header. */
		tail[0] = (uint8_t)(l4_len >> 24);
		tail[1] = (uint8_t)(l4_len >> 16);
		tail[2] = (uint8_t)(l4_len >> 8);
		tail[3] = (uint8_t)l4_len;
		tail[4] = tail[5] = tail[6] = 0;
		tail[7] = proto;
		return dp_sum_add(sum, tail, 8);
	}
	sum = dp_sum_add(0, l3 + DP_IPV4_SRC_OFF, 8);
	tail[0] = 0;
	tail[1] = proto;
	tail[2] = (uint8_t)(l4_len >> 8);
	tail[3] = (uint8_t)l4_len;
	return dp_sum_add(sum, tail, 4);
}

/*
 * The checksum to store for an upper-layer packet at l4 (its checksum field
 * zero), with the pseudo-header from the IP header at l3.  RFC 768: "If the
 * computed checksum is zero, it is transmitted as all ones"; ICMPv6 needs
 * no such care (a zero never means "none" there) but takes it harmlessly.
 */
static inline uint16_t dp_l4_cksum(const uint8_t *l3, bool v6, uint8_t proto,
				   const uint8_t *l4, uint32_t l4_len)
{
	uint32_t sum = dp_pseudo_sum(l3, v6, proto, l4_len);
	uint16_t ck = (uint16_t)~dp_sum_fold(dp_sum_add(sum, l4, l4_len));

	return ck == 0 ? 0xffff : ck;
}

/* Whether an upper-layer packet's checksum (in place) is right. */
static inline bool dp_l4_cksum_ok(const uint8_t *l3, bool v6, uint8_t proto,
				  const uint8_t *l4, uint32_t l4_len)
{
	uint32_t sum = dp_pseudo_sum(l3, v6, proto, l4_len);

	return dp_sum_fold(dp_sum_add(sum, l4, l4_len)) == 0xffff;
}

/* Stores a checksum computed in buffer byte order (as the sums are). */
static inline void dp_put_cksum(uint8_t *p, uint16_t ck)
{
	memcpy(p, &ck, 2);
}

/* Writes the IPv4 header checksum of the 20-byte header at l3. */
static inline void dp_ipv4_cksum_set(uint8_t *l3)
{
	l3[DP_IPV4_CKSUM_OFF] = 0;
	l3[DP_IPV4_CKSUM_OFF + 1] = 0;
	dp_put_cksum(l3 + DP_IPV4_CKSUM_OFF,
		     (uint16_t)~dp_sum_fold(dp_sum_add(0, l3, DP_IPV4_HLEN)));
}

#endif /* STRATA_DP_NET_WIRE_H */
