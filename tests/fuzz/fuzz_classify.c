/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: dp_classify on hostile frames, and the main lcore's
 * slow-path handlers (ARP, ICMP echo, ND) on what it calls SLOWPATH.
 *
 * Input: one configuration byte, then the frame.
 *
 *   bit 0      the port has VLAN 100 (else untagged)
 *   bit 1      the port verifies UDP checksums in software
 *   bits 2-3   the NIC's IP checksum verdict: UNKNOWN, GOOD, BAD, NONE
 *   bits 4-5   the NIC's L4 checksum verdict, likewise
 *   bit 6      the harness fixes the frame's checksums first (IPv4
 *              header, UDP, ICMP, ICMPv6: where its own parse finds them)
 *              so that mutations reach past the checksum checks
 *   bit 7      the handler's buffer has 64 bytes of tailroom (else none)
 *
 * The frame is copied into a heap buffer of exactly its length, so ASan
 * reports the first byte read past it; the handlers get a copy in a buffer
 * of exactly their `cap`, so a write past it is reported too.  Beyond
 * memory safety the target abort()s when a promise breaks:
 *
 *   - classify never writes to the frame; the class and drop reason are
 *     known values;
 *   - an accepted frame's offsets are ordered and within len: l3_off =
 *     l2_len (14 or 18), l4_off + l4_len <= ip_end <= len, the payload
 *     within the L4 span;
 *   - UDP classes follow RFC 7983 on the first payload byte; MEDIA has at
 *     least one byte, 128..191, and rtcp says whether the second is
 *     192..223; local_addr_index is one of the port's;
 *   - a handler's answer fits its buffer (14 <= len <= cap), comes from
 *     our MAC, and carries right checksums (checked here byte by byte);
 *   - the neighbour table never holds more than its capacity, and never
 *     learns a multicast or zero MAC.
 *
 * The seed corpus (corpus/classify/) holds one valid frame of each kind,
 * checksums right, to the port below from 02:00:00:00:00:02 (192.0.2.10,
 * 2001:db8::10): RTP, RTCP, STUN, DTLS over IPv4 and IPv6, tagged RTP,
 * an ARP request and reply, ICMP and ICMPv6 echo requests, a neighbour
 * solicitation to the solicited-node group and an advertisement; most
 * with bit 6 set.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf_core.h>

#include "../../dataplane/net/classify.h"
#include "../../dataplane/net/neighbor.h"
#include "../../dataplane/net/slowpath.h"
#include "fuzz_invariant.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NBR_CAPACITY 2

static const uint8_t port_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static struct dp_iface make_iface(uint8_t cfg)
{
	struct dp_iface ifc = {
		.port_id = 0,
		.vlan = (cfg & 1) ? 100 : 0,
		.mtu = 1500,
		.n_addrs = 4,
		.verify_rx_cksum = (cfg & 2) != 0,
		.gateway4 = { 192, 0, 2, 254 },
		.addrs = {
			{ .family = STRATA_AF_INET, .prefix_len = 24, .index = 1,
			  .ip = { 192, 0, 2, 1 } },
			{ .family = STRATA_AF_INET, .prefix_len = 24, .index = 2,
			  .ip = { 198, 51, 100, 1 } },
			{ .family = STRATA_AF_INET6, .prefix_len = 64, .index = 3,
			  .ip = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
			{ .family = STRATA_AF_INET6, .prefix_len = 64, .index = 4,
			  .ip = { 0xfe, 0x80, [15] = 1 } },
		},
	};
	memcpy(ifc.mac, port_mac, 6);
	return ifc;
}

static const uint64_t ip_flags[4] = { RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN, RTE_MBUF_F_RX_IP_CKSUM_GOOD,
				      RTE_MBUF_F_RX_IP_CKSUM_BAD, RTE_MBUF_F_RX_IP_CKSUM_NONE };
static const uint64_t l4_flags[4] = { RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
				      RTE_MBUF_F_RX_L4_CKSUM_BAD, RTE_MBUF_F_RX_L4_CKSUM_NONE };

/* ------------------------------------------- the harness's own checksums */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t ref_add(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t ref_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

static uint32_t ref_pseudo(const uint8_t *ip, bool v6, uint8_t proto, uint32_t n)
{
	uint32_t acc = v6 ? ref_add(0, ip + 8, 32) : ref_add(0, ip + 12, 8);

	return acc + proto + (n >> 16) + (n & 0xffff);
}

static void put_ck(uint8_t *p, uint16_t ck)
{
	p[0] = (uint8_t)(ck >> 8);
	p[1] = (uint8_t)ck;
}

/* Recomputes the checksum at l4 + ck_off over n bytes (with the IP
 * pseudo-header unless ICMPv4). */
static void fix_l4(const uint8_t *ip, bool v6, uint8_t proto, uint8_t *l4, uint32_t n,
		   uint32_t ck_off)
{
	if (n < ck_off + 2)
		return;
	put_ck(l4 + ck_off, 0);

	uint32_t acc = proto == 1 ? 0 : ref_pseudo(ip, v6, proto, n);
	uint16_t ck = (uint16_t)~ref_fold(ref_add(acc, l4, n));

	if (ck == 0 && proto == 17)
		ck = 0xffff;
	put_ck(l4 + ck_off, ck);
}

/* Finds the IP packet the simple way and makes its checksums right. */
static void fix_checksums(uint8_t *f, uint32_t len)
{
	uint32_t l2 = 14;

	if (len < 14)
		return;
	if (be16(f + 12) == 0x8100) {
		if (len < 18)
			return;
		l2 = 18;
	}

	uint16_t type = be16(f + l2 - 2);
	uint8_t *ip = f + l2;
	uint32_t avail = len - l2;

	if (type == 0x0800 && avail >= 20) {
		uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4, total = be16(ip + 2);

		if (ihl < 20 || ihl > avail)
			return;
		put_ck(ip + 10, 0);
		put_ck(ip + 10, (uint16_t)~ref_fold(ref_add(0, ip, ihl)));
		if (total < ihl || total > avail)
			return;
		if (ip[9] == 17)
			fix_l4(ip, false, 17, ip + ihl, total - ihl, 6);
		else if (ip[9] == 1)
			fix_l4(ip, false, 1, ip + ihl, total - ihl, 2);
	} else if (type == 0x86dd && avail >= 40) {
		uint32_t plen = be16(ip + 4);

		if (40 + plen > avail)
			return;
		if (ip[6] == 17)
			fix_l4(ip, true, 17, ip + 40, plen, 6);
		else if (ip[6] == 58)
			fix_l4(ip, true, 58, ip + 40, plen, 2);
	}
}

/* ------------------------------------------------------------ checks */

static void check_classified(const struct dp_iface *ifc, enum dp_class c, const struct dp_pkt *p,
			     const uint8_t *frame, uint32_t len)
{
	INVARIANT(c >= DP_CLASS_DROP && c <= DP_CLASS_UDP_OTHER);
	if (c == DP_CLASS_DROP) {
		INVARIANT((unsigned)p->drop < DP_DROP_COUNT);
		return;
	}
	INVARIANT(p->l2_len == 14 || p->l2_len == 18);
	INVARIANT(p->l2_len == (ifc->vlan ? 18 : 14));
	INVARIANT(p->vlan == ifc->vlan);
	INVARIANT(p->l3_off == p->l2_len);
	INVARIANT(p->l4_off >= p->l3_off);
	INVARIANT((uint32_t)p->l4_off + p->l4_len <= p->ip_end);
	INVARIANT(p->ip_end <= len);
	INVARIANT(p->payload_off >= p->l4_off);
	INVARIANT((uint32_t)p->payload_off + p->payload_len <= (uint32_t)p->l4_off + p->l4_len);
	INVARIANT(p->family == STRATA_AF_INET || p->family == STRATA_AF_INET6);
	INVARIANT(p->local.family == p->family && p->remote.family == p->family);

	if (c == DP_CLASS_SLOWPATH) {
		INVARIANT(p->slow >= DP_SLOW_ARP && p->slow <= DP_SLOW_ND_NA);
		return;
	}

	/* UDP. */
	INVARIANT(p->proto == 17);
	INVARIANT(p->l4_off == p->l3_off + (p->family == STRATA_AF_INET ? 20 : 40));
	INVARIANT(p->l4_off + p->l4_len == p->ip_end);
	INVARIANT(p->payload_off == p->l4_off + 8 && p->payload_len + 8 == p->l4_len);
	INVARIANT(dp_iface_find_addr(ifc, p->family, p->local.ip) == p->local_addr_index);
	INVARIANT(p->local.port == be16(frame + p->l4_off + 2));
	INVARIANT(p->remote.port == be16(frame + p->l4_off));

	const uint8_t *pl = frame + p->payload_off;

	if (p->payload_len == 0) {
		INVARIANT(c == DP_CLASS_UDP_OTHER);
		return;
	}
	uint8_t b = pl[0];

	if (c == DP_CLASS_MEDIA) {
		INVARIANT(b >= 128 && b <= 191);
		INVARIANT(p->rtcp == (p->payload_len >= 2 && pl[1] >= 192 && pl[1] <= 223));
	} else {
		INVARIANT(!(b >= 128 && b <= 191));
		INVARIANT((c == DP_CLASS_STUN) == (b <= 3));
		INVARIANT((c == DP_CLASS_DTLS) == (b >= 20 && b <= 63));
		INVARIANT(c != DP_CLASS_UDP_OTHER || (b > 3 && (b < 20 || b > 63)));
	}
}

/* The answer a handler made: from us, checksums right. */
static void check_answer(const struct dp_pkt *p, const uint8_t *out, uint32_t len)
{
	INVARIANT(len >= p->l3_off);
	INVARIANT(memcmp(out + 6, port_mac, 6) == 0);

	const uint8_t *ip = out + p->l3_off;

	switch (p->slow) {
	case DP_SLOW_ARP:
		INVARIANT(len >= p->l3_off + 28u);
		INVARIANT(be16(ip + 6) == 2);
		INVARIANT(memcmp(ip + 8, port_mac, 6) == 0);
		break;
	case DP_SLOW_ICMP_ECHO: {
		INVARIANT(len >= p->l3_off + 28u);
		uint32_t total = be16(ip + 2);

		INVARIANT(total >= 28 && p->l3_off + total <= len);
		INVARIANT(ref_fold(ref_add(0, ip, 20)) == 0xffff);
		INVARIANT(ref_fold(ref_add(0, ip + 20, total - 20)) == 0xffff);
		INVARIANT(ip[20] == 0);
		break;
	}
	case DP_SLOW_ICMP6_ECHO:
	case DP_SLOW_ND_NS: {
		INVARIANT(len >= p->l3_off + 48u);
		uint32_t plen = be16(ip + 4);

		INVARIANT(p->l3_off + 40 + plen <= len);
		uint32_t acc = ref_pseudo(ip, true, 58, plen);

		INVARIANT(ref_fold(ref_add(acc, ip + 40, plen)) == 0xffff);
		INVARIANT(ip[40] == (p->slow == DP_SLOW_ND_NS ? 136 : 129));
		break;
	}
	default:
		INVARIANT(!"an answer to an NA");
	}
}

static void check_table(const struct dp_neighbor_table *t)
{
	INVARIANT(t->used <= t->capacity);
	for (uint32_t i = 1; i <= t->used; i++) {
		uint8_t mac[6];

		if (dp_neighbor_mac(t, i, mac)) {
			INVARIANT(!(mac[0] & 1));
			INVARIANT((mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) != 0);
		} else {
			INVARIANT(t->entries[i].state == DP_NEIGHBOR_INCOMPLETE);
		}
	}
}

static _Alignas(64) uint8_t table_mem[sizeof(struct dp_neighbor_table) +
				      (NBR_CAPACITY + 1) * sizeof(struct dp_neighbor)];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;

	uint8_t cfg = data[0];
	uint32_t len = (uint32_t)(size - 1);
	struct dp_iface ifc = make_iface(cfg);
	uint64_t ol = ip_flags[(cfg >> 2) & 3] | l4_flags[(cfg >> 4) & 3];
	uint8_t *frame = malloc(len ? len : 1);
	uint8_t *before = malloc(len ? len : 1);

	INVARIANT(frame != NULL && before != NULL);
	memcpy(frame, data + 1, len);
	if (cfg & 0x40)
		fix_checksums(frame, len);
	memcpy(before, frame, len);

	struct dp_pkt p;
	enum dp_class c = dp_classify(&ifc, frame, len, ol, &p);

	INVARIANT(memcmp(frame, before, len) == 0);
	check_classified(&ifc, c, &p, frame, len);

	if (c == DP_CLASS_SLOWPATH) {
		uint32_t cap = len + ((cfg & 0x80) ? 64 : 0);
		uint8_t *buf = malloc(cap ? cap : 1);
		struct dp_neighbor_table *t = (struct dp_neighbor_table *)table_mem;

		INVARIANT(buf != NULL);
		memcpy(buf, frame, len);
		dp_neighbor_table_init(t, NBR_CAPACITY, 1000);
		/* A known neighbour, so that merges and NAs have something to
		 * update: the seeds' peer. */
		bool send;
		static const uint8_t peer4[4] = { 192, 0, 2, 10 };
		static const uint8_t peer6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };

		dp_neighbor_resolve(t, 0, (cfg & 0x20) ? STRATA_AF_INET6 : STRATA_AF_INET,
				    (cfg & 0x20) ? peer6 : peer4, 0, &send);

		struct dp_slow_result r = dp_slowpath_input(&ifc, t, buf, len, cap, &p, 5);

		INVARIANT(r.action == DP_SLOW_DROP || r.action == DP_SLOW_TX ||
			  r.action == DP_SLOW_CONSUMED);
		if (r.action == DP_SLOW_DROP)
			INVARIANT((unsigned)r.drop < DP_DROP_COUNT);
		if (r.action == DP_SLOW_TX) {
			INVARIANT(r.len >= 14 && r.len <= cap);
			check_answer(&p, buf, r.len);
		}
		check_table(t);
		free(buf);
	}
	free(before);
	free(frame);
	return 0;
}
