/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's L2/L3 identity at run time: what the classifier compares
 * received frames against and what the output header builder writes.
 *
 * The main lcore fills one struct dp_iface per DPDK port at start-up,
 * before any worker runs, and never changes it afterwards: workers read it
 * without locks.  Addresses are in network byte order, IPv4 in ip[0..3]
 * with ip[4..15] zero, as in struct strata_addr.
 *
 * VLAN tags are read from the frame: the port must be configured without
 * RX VLAN stripping (RTE_ETH_RX_OFFLOAD_VLAN_STRIP), or the classifier
 * sees untagged frames on a tagged port and drops them (VLAN_MISMATCH).
 */
#ifndef STRATA_DP_NET_IFACE_H
#define STRATA_DP_NET_IFACE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <strata/messages.h>

#define DP_IFACE_MAX_ADDRS 8

/* One of the port's local addresses. */
struct dp_iface_addr {
	uint8_t family;     /* STRATA_AF_INET or STRATA_AF_INET6 */
	uint8_t prefix_len; /* of the connected prefix: 0..32 or 0..128 */
	uint16_t index;     /* in strata-dp's global local-address table */
	uint8_t ip[16];
};

struct dp_iface {
	uint16_t port_id;
	uint16_t vlan;            /* 802.1Q VID 1..4094; 0 = untagged */
	uint16_t mtu;             /* IP MTU: bytes after the L2 header */
	uint8_t mac[6];
	uint8_t n_addrs;          /* addrs[0 .. n_addrs-1] are valid */
	bool tx_cksum_offload;    /* the port computes IPv4 and UDP checksums */
	bool verify_rx_cksum;     /* verify UDP checksums the NIC did not */
	uint8_t pad;
	uint8_t gateway4[4];      /* 0.0.0.0 = no IPv4 gateway */
	uint8_t gateway6[16];     /* :: = no IPv6 gateway */
	struct dp_iface_addr addrs[DP_IFACE_MAX_ADDRS];
};

static inline unsigned dp_af_len(uint8_t family)
{
	return family == STRATA_AF_INET ? 4 : 16;
}

/* The length of the Ethernet header the port sends: 14, or 18 tagged. */
static inline uint16_t dp_iface_l2_len(const struct dp_iface *ifc)
{
	return ifc->vlan != 0 ? 18 : 14;
}

/* The slot in ifc->addrs of the local address (family, ip), or -1. */
static inline int dp_iface_addr_slot(const struct dp_iface *ifc, uint8_t family,
				     const uint8_t *ip)
{
	for (unsigned i = 0; i < ifc->n_addrs; i++) {
		const struct dp_iface_addr *a = &ifc->addrs[i];

		if (a->family != family)
			continue;
		if (family == STRATA_AF_INET ? memcmp(a->ip, ip, 4) == 0
					     : memcmp(a->ip, ip, 16) == 0)
			return (int)i;
	}
	return -1;
}

/* The global local-address index of (family, ip) on this port, or -1. */
static inline int dp_iface_find_addr(const struct dp_iface *ifc, uint8_t family,
				     const uint8_t *ip)
{
	int slot = dp_iface_addr_slot(ifc, family, ip);

	return slot < 0 ? -1 : ifc->addrs[slot].index;
}

/* Whether the first `bits` bits of a and b are equal. */
static inline bool dp_prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

/*
 * The slot of the local address whose connected prefix holds ip (the
 * longest such prefix), or -1: the address to speak from to an on-link
 * neighbour.
 */
static inline int dp_iface_connected_slot(const struct dp_iface *ifc, uint8_t family,
					  const uint8_t *ip)
{
	int best = -1;

	for (unsigned i = 0; i < ifc->n_addrs; i++) {
		const struct dp_iface_addr *a = &ifc->addrs[i];

		if (a->family != family || a->prefix_len > dp_af_len(family) * 8)
			continue;
		if (!dp_prefix_match(a->ip, ip, a->prefix_len))
			continue;
		if (best < 0 || a->prefix_len > ifc->addrs[best].prefix_len)
			best = (int)i;
	}
	return best;
}

/* The first local address of a family, or -1. */
static inline int dp_iface_first_slot(const struct dp_iface *ifc, uint8_t family)
{
	for (unsigned i = 0; i < ifc->n_addrs; i++)
		if (ifc->addrs[i].family == family)
			return (int)i;
	return -1;
}

#endif /* STRATA_DP_NET_IFACE_H */
