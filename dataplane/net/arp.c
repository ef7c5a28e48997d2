/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) on the main lcore: answer requests for our addresses,
 * learn neighbours, build requests.
 */
#include <string.h>

#include "slowpath.h"
#include "wire.h"

static inline struct dp_slow_result arp_drop(enum dp_drop why)
{
	return (struct dp_slow_result){ .action = DP_SLOW_DROP, .drop = why };
}

static const uint8_t zero4[4];

/*
 * RFC 826, "Packet Reception":
 *
 *   ?Do I have the hardware type in ar$hrd?
 *   Yes: (almost definitely)
 *     [optionally check the hardware length ar$hln]
 *     ?Do I speak the protocol in ar$pro?
 *     Yes:
 *       [optionally check the protocol length ar$pln]
 *       Merge_flag := false
 *       If the pair <protocol type, sender protocol address> is
 *           already in my translation table, update the sender
 *           hardware address field of the entry with the new
 *           information in the packet and set Merge_flag to true.
 *       ?Am I the target protocol address?
 *       Yes:
 *         If Merge_flag is false, add the triplet <protocol type,
 *             sender protocol address, sender hardware address> to
 *             the translation table.
 *         ?Is the opcode ares_op$REQUEST?  (NOW look at the opcode!!)
 *         Yes:
 *           Swap hardware and protocol fields, putting the local
 *               hardware and protocol addresses in the sender fields.
 *           Set the ar$op field to ares_op$REPLY
 *           Send the packet to the (new) target hardware address on
 *               the same hardware on which the request was received.
 *
 * dp_classify checked the hardware and protocol types and lengths, and
 * passes only packets whose target is one of our addresses or that
 * announce their sender (sender = target), so the merge step sees
 * gratuitous ARP.  Beyond RFC 826: a sender hardware address that is
 * multicast or zero is refused, a sender claiming one of our own
 * addresses is neither learnt nor answered (an address conflict), and a
 * probe (sender protocol address 0.0.0.0, RFC 5227) is answered without
 * being learnt.
 */
struct dp_slow_result dp_arp_input(const struct dp_iface *ifc, struct dp_neighbor_table *nbr,
				   uint8_t *frame, uint32_t len, uint32_t cap,
				   const struct dp_pkt *pkt, uint64_t now)
{
	if (pkt->slow != DP_SLOW_ARP || pkt->l4_off < DP_ETH_HLEN ||
	    (uint32_t)pkt->l4_off + DP_ARP_LEN > len || len > cap)
		return arp_drop(DP_DROP_ARP_INVALID);

	uint8_t *arp = frame + pkt->l4_off;
	uint8_t sha[6], spa[4], tpa[4];

	memcpy(sha, arp + DP_ARP_SHA_OFF, 6);
	memcpy(spa, arp + DP_ARP_SPA_OFF, 4);
	memcpy(tpa, arp + DP_ARP_TPA_OFF, 4);

	if (dp_mac_is_multicast(sha) || dp_mac_is_zero(sha))
		return arp_drop(DP_DROP_ARP_INVALID);
	if (dp_iface_addr_slot(ifc, STRATA_AF_INET, spa) >= 0)
		return arp_drop(DP_DROP_ARP_INVALID);

	bool probe = memcmp(spa, zero4, 4) == 0;
	bool merged = false;

	if (!probe && dp_neighbor_lookup(nbr, ifc->port_id, STRATA_AF_INET, spa) != 0) {
		dp_neighbor_learn(nbr, ifc->port_id, STRATA_AF_INET, spa, sha, now);
		merged = true;
	}

	if (dp_iface_addr_slot(ifc, STRATA_AF_INET, tpa) < 0)
		return (struct dp_slow_result){ .action = DP_SLOW_CONSUMED };

	/* A full table still lets us answer: the requester then knows us,
	 * and a leg's resolve will find no room either way. */
	if (!merged && !probe)
		dp_neighbor_learn(nbr, ifc->port_id, STRATA_AF_INET, spa, sha, now);

	if (dp_be16(arp + DP_ARP_OP_OFF) != RTE_ARP_OP_REQUEST)
		return (struct dp_slow_result){ .action = DP_SLOW_CONSUMED };

	/* The reply, in place: we are the sender, the requester the target. */
	dp_put_be16(arp + DP_ARP_OP_OFF, RTE_ARP_OP_REPLY);
	memcpy(arp + DP_ARP_SHA_OFF, ifc->mac, 6);
	memcpy(arp + DP_ARP_SPA_OFF, tpa, 4);
	memcpy(arp + DP_ARP_THA_OFF, sha, 6);
	memcpy(arp + DP_ARP_TPA_OFF, spa, 4);
	memcpy(frame, sha, 6);
	memcpy(frame + 6, ifc->mac, 6);

	uint32_t out = dp_frame_pad(frame, pkt->l4_off + DP_ARP_LEN, cap);

	return (struct dp_slow_result){ .action = DP_SLOW_TX, .len = out };
}

uint32_t dp_arp_request_build(uint8_t *out, const struct dp_iface *ifc, const uint8_t target[4])
{
	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	int slot = dp_iface_connected_slot(ifc, STRATA_AF_INET, target);

	if (slot < 0)
		slot = dp_iface_first_slot(ifc, STRATA_AF_INET);
	if (slot < 0)
		return 0;

	uint16_t l2 = dp_eth_build(out, broadcast, ifc->mac, ifc->vlan, RTE_ETHER_TYPE_ARP);
	uint8_t *arp = out + l2;

	dp_put_be16(arp, RTE_ARP_HRD_ETHER);
	dp_put_be16(arp + 2, RTE_ETHER_TYPE_IPV4);
	arp[4] = RTE_ETHER_ADDR_LEN;
	arp[5] = 4;
	dp_put_be16(arp + DP_ARP_OP_OFF, RTE_ARP_OP_REQUEST);
	memcpy(arp + DP_ARP_SHA_OFF, ifc->mac, 6);
	memcpy(arp + DP_ARP_SPA_OFF, ifc->addrs[slot].ip, 4);
	memset(arp + DP_ARP_THA_OFF, 0, 6);
	memcpy(arp + DP_ARP_TPA_OFF, target, 4);
	return dp_frame_pad(out, (uint32_t)l2 + DP_ARP_LEN, DP_SLOW_REQUEST_MAX);
}
