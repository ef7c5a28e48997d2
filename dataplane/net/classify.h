/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The first look at every received frame: validate L2, L3 and L4, decide
 * what the frame is, and say where its parts are.
 *
 * dp_classify reads at most `len` bytes of `frame`, never writes to it and
 * needs no EAL (it works on a byte buffer: pass rte_pktmbuf_mtod(m) and
 * rte_pktmbuf_data_len(m) of a single-segment mbuf, and m->ol_flags).  Each
 * way to refuse a frame has its own reason from counters.h.
 *
 * What it accepts:
 *
 *   L2   destination MAC: ours; broadcast for ARP only; 33:33:ff:xx:xx:xx
 *        (the solicited-node group of one of our IPv6 addresses) for
 *        neighbour solicitations only.  The port's VLAN tag exactly (or no
 *        tag on an untagged port), one 802.1Q tag at most.  Trailing bytes
 *        after the IP packet (Ethernet padding) are ignored.
 *   ARP  Ethernet/IPv4 requests and replies for one of our addresses, and
 *        gratuitous ones (sender = target), which may refresh a neighbour.
 *   IPv4 no options, no fragments, a right header checksum, to one of our
 *        unicast addresses, from a unicast source.
 *   IPv6 no extension headers, to one of our unicast addresses, from a
 *        unicast (or, for DAD solicitations, the unspecified) source.
 *   UDP  length field equal to the IP payload length; a checksum that the
 *        NIC or (when the port asks for it) the software found right; over
 *        IPv6 a checksum must be present.
 *   ICMP echo requests (v4 and v6), neighbour solicitations and
 *        advertisements: SLOWPATH, for the main lcore (slowpath.h), which
 *        checks their checksums and ND rules.
 */
#ifndef STRATA_DP_NET_CLASSIFY_H
#define STRATA_DP_NET_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include <strata/messages.h>

#include "../counters.h"
#include "iface.h"

enum dp_class {
	DP_CLASS_DROP = 0,  /* out->drop says why */
	DP_CLASS_SLOWPATH,  /* ARP, ICMP echo, ND: out->slow says which */
	DP_CLASS_MEDIA,     /* UDP, first payload byte 128..191: RTP or RTCP */
	DP_CLASS_STUN,      /* UDP, first byte 0..3 */
	DP_CLASS_DTLS,      /* UDP, first byte 20..63 */
	DP_CLASS_UDP_OTHER, /* UDP, any other first byte, or no payload */
};

/* What a SLOWPATH frame is, so the main lcore need not parse it again. */
enum dp_slow_kind {
	DP_SLOW_NONE = 0,
	DP_SLOW_ARP,         /* l4_off: the ARP packet (l4_len 28) */
	DP_SLOW_ICMP_ECHO,   /* IPv4 ICMP echo request */
	DP_SLOW_ICMP6_ECHO,  /* ICMPv6 echo request */
	DP_SLOW_ND_NS,       /* neighbour solicitation for one of our addresses */
	DP_SLOW_ND_NA,       /* neighbour advertisement to us */
};

/*
 * Where a classified frame's parts are (offsets from the frame's start).
 * Valid for every class but DROP, for which only `drop` is meaningful.
 *
 *   l2_len        14, or 18 with a VLAN tag
 *   l3_off        = l2_len: the IP header (or the ARP packet)
 *   l4_off        the UDP header, ICMP message or ARP packet
 *   l4_len        UDP length / ICMP message length / 28 for ARP
 *   payload_off   UDP payload (= l4_off + 8); for SLOWPATH = l4_off
 *   payload_len   UDP payload bytes; for SLOWPATH = l4_len
 *   ip_end        l3_off + the IP total length: bytes after it are padding
 *
 * local is our address and UDP destination port, remote the source
 * address and port (ports 0 for ARP and ICMP).  For ARP, local is the
 * target protocol address and remote the sender's.
 */
struct dp_pkt {
	uint16_t l2_len;
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t l4_len;
	uint16_t payload_off;
	uint16_t payload_len;
	uint16_t ip_end;
	uint16_t vlan;             /* the VID of the frame's tag, 0 = none */
	uint8_t family;            /* STRATA_AF_INET (also for ARP) or _INET6 */
	uint8_t proto;             /* IPPROTO_UDP, _ICMP, _ICMPV6; 0 for ARP */
	uint8_t slow;              /* enum dp_slow_kind, SLOWPATH only */
	bool rtcp;                 /* MEDIA only: RTCP per RFC 5761 section 4 */
	uint16_t local_addr_index; /* global index of the local address; for ARP
				    * and ND the one asked for, when ours */
	uint16_t pad;
	enum dp_drop drop;         /* DROP only */
	struct strata_addr local;
	struct strata_addr remote;
};

enum dp_class dp_classify(const struct dp_iface *ifc, const uint8_t *frame, uint32_t len,
			  uint64_t rx_ol_flags, struct dp_pkt *out);

/* Whether a UDP payload's first two bytes make it RTCP rather than RTP. */
static inline bool dp_is_rtcp(const uint8_t *payload, uint32_t payload_len)
{
	return payload_len >= 2 && payload[1] >= 192 && payload[1] <= 223;
}

#endif /* STRATA_DP_NET_CLASSIFY_H */
