/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the tests of dataplane/net (test_dp_classify_*, test_dp_l2l3_*)
 * share: two hosts on one segment, "us" (the dataplane's port) and "peer",
 *
 *     us    02:00:00:00:00:01   192.0.2.1/24  198.51.100.7/24
 *                               2001:db8::1/64  fe80::abcd/64
 *     peer  02:00:00:00:00:02   192.0.2.10/24   2001:db8::10/64
 *
 * the drop reasons' names, and checksums of their own: RFC 1071 computed
 * byte by byte in network order, sharing no code with the dataplane's.
 *
 * Nothing here CHECKs: each test counts its own checks.
 */
#ifndef STRATA_NET_FIXTURE_H
#define STRATA_NET_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../dataplane/net/classify.h"

extern const char *const drop_names[DP_DROP_COUNT];

extern const uint8_t our_mac[6], peer_mac[6];
extern const uint8_t our4[4], our4b[4], peer4[4], zero4[4];
extern const uint8_t our6[16], our6ll[16], peer6[16], unspec6[16];
/* ff02::1:ff00:1, the solicited-node group of our6, and its MAC. */
extern const uint8_t sn_our6[16], sn_our6_mac[6];

/* A port with no address yet: VLAN vlan (0: untagged), MTU 1500,
 * verifying receive checksums. */
struct dp_iface iface_new(uint16_t port_id, uint16_t vlan, const uint8_t mac[6]);
/* Adds the address ip (4 or 16 bytes by family) with its connected prefix
 * length and its index in the global local-address table. */
void iface_add(struct dp_iface *ifc, uint8_t family, const uint8_t *ip, uint8_t prefix_len,
	       uint16_t index);
/* Our port, port 1: its four addresses in the order above, with the global
 * address indexes first_index to first_index + 3. */
struct dp_iface our_iface(uint16_t vlan, uint16_t first_index);

/* RFC 1071 the slow way: big-endian 16-bit words, folded at the end. */
uint32_t ref_add(uint32_t acc, const uint8_t *p, size_t n);
uint16_t ref_fold(uint32_t acc);
/* The pseudo-header sum (RFC 768, RFC 8200 section 8.1). */
uint32_t ref_pseudo(bool v6, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		    uint32_t l4_len);
/* Whether the IPv4 header at ip sums right. */
bool ref_ipv4_ok(const uint8_t *ip);
/* Whether the upper-layer message at l4 (after the IP header at ip) sums
 * right; ICMPv4 has no pseudo-header. */
bool ref_l4_ok(const uint8_t *ip, bool v6, uint8_t proto, const uint8_t *l4, uint32_t n);

uint16_t be16(const uint8_t *p);
void put16(uint8_t *p, uint16_t v);

#endif /* STRATA_NET_FIXTURE_H */
