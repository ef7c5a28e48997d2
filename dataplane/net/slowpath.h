/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore's handlers for what dp_classify calls SLOWPATH: ARP
 * (arp.c), ICMP and ICMPv6 echo (icmp.c), neighbour solicitations and
 * advertisements (nd.c); and the requests the neighbour timer sends.
 *
 * A handler takes the frame as received (len bytes, in a buffer of cap >=
 * len bytes: an mbuf's data length plus its tailroom) and the struct
 * dp_pkt that dp_classify made of it, and either
 *
 *   TX        rewrote the frame in place into the answer, res.len bytes
 *             (<= cap; replies shorter than 60 bytes are zero-padded to
 *             60 when cap allows): send it back out of the same port;
 *   CONSUMED  took what it needed (a neighbour learnt, or nothing to do);
 *   DROP      refused it for res.drop.
 *
 * Handlers never write beyond cap bytes and never read beyond len.  They
 * re-check what they rely on from dp_pkt against len, so a dp_pkt from
 * another frame cannot make them overrun, only refuse.
 */
#ifndef STRATA_DP_NET_SLOWPATH_H
#define STRATA_DP_NET_SLOWPATH_H

#include <stdint.h>

#include "../counters.h"
#include "classify.h"
#include "iface.h"
#include "neighbor.h"

enum dp_slow_action {
	DP_SLOW_DROP = 0,
	DP_SLOW_TX,
	DP_SLOW_CONSUMED,
};

struct dp_slow_result {
	enum dp_slow_action action;
	enum dp_drop drop; /* DROP: why */
	uint32_t len;      /* TX: the answer's length */
};

/* ARP request for one of our addresses -> reply; ARP reply or announcement
 * -> learn (arp.c). */
struct dp_slow_result dp_arp_input(const struct dp_iface *ifc, struct dp_neighbor_table *nbr,
				   uint8_t *frame, uint32_t len, uint32_t cap,
				   const struct dp_pkt *pkt, uint64_t now);

/* ICMP echo request -> echo reply (icmp.c). */
struct dp_slow_result dp_icmp_echo_input(const struct dp_iface *ifc, uint8_t *frame,
					 uint32_t len, uint32_t cap, const struct dp_pkt *pkt);

/* ICMPv6 echo request -> echo reply (icmp.c). */
struct dp_slow_result dp_icmp6_echo_input(const struct dp_iface *ifc, uint8_t *frame,
					  uint32_t len, uint32_t cap, const struct dp_pkt *pkt);

/* Neighbour solicitation for one of our addresses -> advertisement, and
 * learn the solicitor (nd.c). */
struct dp_slow_result dp_nd_ns_input(const struct dp_iface *ifc, struct dp_neighbor_table *nbr,
				     uint8_t *frame, uint32_t len, uint32_t cap,
				     const struct dp_pkt *pkt, uint64_t now);

/* Neighbour advertisement -> learn (nd.c). */
struct dp_slow_result dp_nd_na_input(const struct dp_iface *ifc, struct dp_neighbor_table *nbr,
				     uint8_t *frame, uint32_t len, uint32_t cap,
				     const struct dp_pkt *pkt, uint64_t now);

/* The handler for pkt->slow. */
static inline struct dp_slow_result dp_slowpath_input(const struct dp_iface *ifc,
						      struct dp_neighbor_table *nbr,
						      uint8_t *frame, uint32_t len, uint32_t cap,
						      const struct dp_pkt *pkt, uint64_t now)
{
	switch (pkt->slow) {
	case DP_SLOW_ARP:
		return dp_arp_input(ifc, nbr, frame, len, cap, pkt, now);
	case DP_SLOW_ICMP_ECHO:
		return dp_icmp_echo_input(ifc, frame, len, cap, pkt);
	case DP_SLOW_ICMP6_ECHO:
		return dp_icmp6_echo_input(ifc, frame, len, cap, pkt);
	case DP_SLOW_ND_NS:
		return dp_nd_ns_input(ifc, nbr, frame, len, cap, pkt, now);
	case DP_SLOW_ND_NA:
		return dp_nd_na_input(ifc, nbr, frame, len, cap, pkt, now);
	default:
		return (struct dp_slow_result){ .action = DP_SLOW_DROP,
						.drop = DP_DROP_L4_UNSUPPORTED };
	}
}

/* The most a request builder writes (a tagged, padded-out NS: 90 bytes). */
#define DP_SLOW_REQUEST_MAX 96

/*
 * A broadcast ARP request for target (IPv4) from the port's address on the
 * target's prefix (else its first IPv4 address), into out
 * (DP_SLOW_REQUEST_MAX bytes).  Returns its length (60: padded), or 0 when
 * the port has no IPv4 address.
 */
uint32_t dp_arp_request_build(uint8_t *out, const struct dp_iface *ifc, const uint8_t target[4]);

/*
 * A neighbour solicitation for target (IPv6) to its solicited-node group
 * (MAC 33:33:ff:xx:xx:xx), from the port's address on the target's prefix
 * (else its first IPv6 address), with our source link-layer address.
 * Returns its length, or 0 when the port has no IPv6 address.
 */
uint32_t dp_nd_solicit_build(uint8_t *out, const struct dp_iface *ifc, const uint8_t target[16]);

#endif /* STRATA_DP_NET_SLOWPATH_H */
