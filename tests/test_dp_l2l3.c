/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore's L2/L3 work (dataplane/net/): ARP, ND and ICMP echo
 * answered in place, the neighbour table and its timer, next-hop choice,
 * and the output headers workers write.
 *
 * Two hosts on one segment, "us" (the dataplane) and "peer":
 *
 *     us    02:00:00:00:00:01   192.0.2.1/24  198.51.100.7/24
 *                               2001:db8::1/64  fe80::abcd/64
 *     peer  02:00:00:00:00:02   192.0.2.10/24   2001:db8::10/64
 *
 * Expected answers are written out byte by byte where they are short (ARP,
 * NA); otherwise the answers are checked field by field, and every
 * checksum is recomputed here by an independent byte-at-a-time RFC 1071
 * sum.  Handlers get heap buffers of exactly `cap` bytes, so ASan catches
 * a write past what they were given.  The output header builder is
 * checked by round trip: what "us" builds, "peer" classifies.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../dataplane/net/classify.h"
#include "../dataplane/net/headers.h"
#include "../dataplane/net/neighbor.h"
#include "../dataplane/net/slowpath.h"
#include "test_util.h"

static const char *const drop_names[] = {
#define DROP_NAME(name, str) str,
	DP_FOREACH_DROP(DROP_NAME)
#undef DROP_NAME
};

static const uint8_t our_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t new_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x22 };

static const uint8_t our4[4] = { 192, 0, 2, 1 };
static const uint8_t our4b[4] = { 198, 51, 100, 7 };
static const uint8_t peer4[4] = { 192, 0, 2, 10 };
static const uint8_t other4[4] = { 192, 0, 2, 20 };
static const uint8_t zero4[4];
static const uint8_t our6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t our6ll[16] = { 0xfe, 0x80, [14] = 0xab, [15] = 0xcd };
static const uint8_t peer6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
static const uint8_t unspec6[16];
static const uint8_t all_nodes6[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t sn_our6[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x01 };
static const uint8_t sn_our6_mac[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };

#define PORT 1
#define HZ 1000 /* the tests' clock: milliseconds */
/* RFC 4861 section 4.4: the Solicited and Override flags. */
#define NA_S 0x40
#define NA_O 0x20

static struct dp_iface us_iface(uint16_t vlan)
{
	struct dp_iface ifc = {
		.port_id = PORT,
		.vlan = vlan,
		.mtu = 1500,
		.n_addrs = 4,
		.verify_rx_cksum = true,
		.addrs = {
			{ .family = STRATA_AF_INET, .prefix_len = 24, .index = 1 },
			{ .family = STRATA_AF_INET, .prefix_len = 24, .index = 2 },
			{ .family = STRATA_AF_INET6, .prefix_len = 64, .index = 3 },
			{ .family = STRATA_AF_INET6, .prefix_len = 64, .index = 4 },
		},
	};
	memcpy(ifc.mac, our_mac, 6);
	memcpy(ifc.addrs[0].ip, our4, 4);
	memcpy(ifc.addrs[1].ip, our4b, 4);
	memcpy(ifc.addrs[2].ip, our6, 16);
	memcpy(ifc.addrs[3].ip, our6ll, 16);
	return ifc;
}

static struct dp_iface peer_iface(uint16_t vlan)
{
	struct dp_iface ifc = {
		.port_id = 7,
		.vlan = vlan,
		.mtu = 1500,
		.n_addrs = 2,
		.verify_rx_cksum = true,
		.addrs = {
			{ .family = STRATA_AF_INET, .prefix_len = 24, .index = 21 },
			{ .family = STRATA_AF_INET6, .prefix_len = 64, .index = 22 },
		},
	};
	memcpy(ifc.mac, peer_mac, 6);
	memcpy(ifc.addrs[0].ip, peer4, 4);
	memcpy(ifc.addrs[1].ip, peer6, 16);
	return ifc;
}

static struct dp_neighbor_table *table_new(uint32_t capacity)
{
	struct dp_neighbor_table *t = malloc(dp_neighbor_table_size(capacity));

	if (t == NULL)
		abort();
	dp_neighbor_table_init(t, capacity, HZ);
	return t;
}

/* ------------------------------------------------- independent checksums */

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

static uint32_t ref_pseudo(bool v6, const uint8_t *src, const uint8_t *dst, uint8_t proto,
			   uint32_t l4_len)
{
	uint32_t acc = ref_add(0, src, v6 ? 16 : 4);

	acc = ref_add(acc, dst, v6 ? 16 : 4);
	return acc + proto + (l4_len >> 16) + (l4_len & 0xffff);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Whether the IPv4 header at ip sums right. */
static bool ref_ipv4_ok(const uint8_t *ip)
{
	return ref_fold(ref_add(0, ip, 20)) == 0xffff;
}

/* Whether the upper-layer message at l4 (after the IP header at ip) sums
 * right; ICMPv4 has no pseudo-header. */
static bool ref_l4_ok(const uint8_t *ip, bool v6, uint8_t proto, const uint8_t *l4, uint32_t n)
{
	uint32_t acc = 0;

	if (v6)
		acc = ref_pseudo(true, ip + 8, ip + 24, proto, n);
	else if (proto != 1)
		acc = ref_pseudo(false, ip + 12, ip + 16, proto, n);
	return ref_fold(ref_add(acc, l4, n)) == 0xffff;
}

/* ------------------------------------------------------------ frames */

/* A heap buffer of cap bytes holding the len bytes of src. */
static uint8_t *heap(const uint8_t *src, uint32_t len, uint32_t cap)
{
	uint8_t *p = malloc(cap ? cap : 1);

	if (p == NULL)
		abort();
	memcpy(p, src, len);
	if (cap > len)
		memset(p + len, 0xa5, cap - len); /* not zero: padding must be written */
	return p;
}

/* Builds Ethernet + IPv6 + the ICMPv6 message msg (its checksum filled in
 * here), n bytes; returns the frame length. */
static uint32_t mk_icmp6(uint8_t *out, const uint8_t *dmac, const uint8_t *smac, uint8_t hops,
			 const uint8_t *src, const uint8_t *dst, const uint8_t *msg, uint32_t n)
{
	memcpy(out, dmac, 6);
	memcpy(out + 6, smac, 6);
	put16(out + 12, 0x86dd);

	uint8_t *ip = out + 14, *l4 = ip + 40;

	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)n);
	ip[6] = 58;
	ip[7] = hops;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	memcpy(l4, msg, n);
	put16(l4 + 2, 0);
	put16(l4 + 2, (uint16_t)~ref_fold(ref_add(ref_pseudo(true, src, dst, 58, n), l4, n)));
	return 14 + 40 + n;
}

/* Ethernet + IPv4 + ICMP echo request with `data` bytes of data. */
static uint32_t mk_ping4(uint8_t *out, uint32_t data, uint16_t pad_to)
{
	memcpy(out, our_mac, 6);
	memcpy(out + 6, peer_mac, 6);
	put16(out + 12, 0x0800);

	uint8_t *ip = out + 14, *icmp = ip + 20;
	uint32_t n = 8 + data;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[1] = 0xb8; /* DSCP EF: must come back */
	put16(ip + 2, (uint16_t)(20 + n));
	put16(ip + 4, 0xbeef);
	put16(ip + 6, 0x4000);
	ip[8] = 3; /* a far-away sender */
	ip[9] = 1;
	memcpy(ip + 12, peer4, 4);
	memcpy(ip + 16, our4, 4);
	put16(ip + 10, (uint16_t)~ref_fold(ref_add(0, ip, 20)));
	icmp[0] = 8;
	icmp[1] = 0;
	put16(icmp + 4, 0x4242);
	put16(icmp + 6, 7);
	for (uint32_t i = 0; i < data; i++)
		icmp[8 + i] = (uint8_t)(i * 7 + 1);
	put16(icmp + 2, 0);
	put16(icmp + 2, (uint16_t)~ref_fold(ref_add(0, icmp, n)));

	uint32_t len = 14 + 20 + n;

	while (len < pad_to)
		out[len++] = 0;
	return len;
}

/* Classifies frame (len bytes) on ifc, expecting SLOWPATH. */
static bool classify_slow(const struct dp_iface *ifc, const uint8_t *frame, uint32_t len,
			  struct dp_pkt *p, const char *what)
{
	uint8_t *copy = heap(frame, len, len);
	enum dp_class c = dp_classify(ifc, copy, len, 0, p);

	free(copy);
	CHECK(c == DP_CLASS_SLOWPATH, "%s: class %d (drop %s)", what, c,
	      c == DP_CLASS_DROP ? drop_names[p->drop] : "-");
	return c == DP_CLASS_SLOWPATH;
}

/* Runs the handler for frame on ifc in a buffer of exactly cap bytes;
 * copies the answer (if any) to out. */
static struct dp_slow_result handle(const struct dp_iface *ifc, struct dp_neighbor_table *nbr,
				    const uint8_t *frame, uint32_t len, uint32_t cap, uint64_t now,
				    uint8_t *out, const char *what)
{
	struct dp_pkt p;
	struct dp_slow_result r = { .action = DP_SLOW_DROP, .drop = DP_DROP_COUNT };

	if (!classify_slow(ifc, frame, len, &p, what))
		return r;

	uint8_t *buf = heap(frame, len, cap);

	r = dp_slowpath_input(ifc, nbr, buf, len, cap, &p, now);
	CHECK(r.action != DP_SLOW_TX || (r.len <= cap && r.len >= 14),
	      "%s: answer of %u bytes in %u", what, r.len, cap);
	if (r.action == DP_SLOW_TX && out != NULL)
		memcpy(out, buf, r.len);
	free(buf);
	return r;
}

/* ---------------------------------------------------------------- ARP */

/* RFC 826 request from the peer for 192.0.2.1, padded to 60 as on the wire. */
static const char arp_request_hex[] =
	"ffffffffffff 020000000002 0806"
	"0001 0800 06 04 0001 020000000002 c000020a 000000000000 c0000201"
	"000000000000000000000000000000000000";
static const char arp_reply_hex[] =
	"020000000002 020000000001 0806"
	"0001 0800 06 04 0002 020000000001 c0000201 020000000002 c000020a"
	"000000000000000000000000000000000000";

static void test_arp(void)
{
	struct dp_iface ifc = us_iface(0);
	struct dp_neighbor_table *nbr = table_new(8);
	uint8_t req[64], want[64], out[128], mac[6];
	size_t req_len = test_hex(arp_request_hex, req, sizeof(req));
	size_t want_len = test_hex(arp_reply_hex, want, sizeof(want));

	/* 1. Request -> the exact reply; the requester is learnt. */
	struct dp_slow_result r = handle(&ifc, nbr, req, (uint32_t)req_len, 128, 5, out, "arp 1");

	CHECK(r.action == DP_SLOW_TX && r.len == want_len, "arp 1: action %d len %u", r.action, r.len);
	if (r.action == DP_SLOW_TX)
		CHECK_MEM(out, want, want_len, "arp 1: reply bytes");

	uint32_t idx = dp_neighbor_lookup(nbr, PORT, STRATA_AF_INET, peer4);

	CHECK(idx != 0 && dp_neighbor_mac(nbr, idx, mac) && memcmp(mac, peer_mac, 6) == 0,
	      "arp 1: requester learnt");
	CHECK(idx != 0 && nbr->entries[idx].state == DP_NEIGHBOR_REACHABLE &&
	      nbr->entries[idx].last_seen == 5, "arp 1: REACHABLE at 5");

	/* 2. The same request unpadded (42 bytes) in a buffer of exactly 42:
	 * the reply cannot be padded and must not be. */
	r = handle(&ifc, nbr, req, 42, 42, 6, out, "arp 2");
	CHECK(r.action == DP_SLOW_TX && r.len == 42, "arp 2: len %u", r.len);
	if (r.action == DP_SLOW_TX)
		CHECK_MEM(out, want, 42, "arp 2: reply bytes");

	/* 3. Tagged: the tag stays, the rest is the same reply. */
	struct dp_iface tagged = us_iface(100);
	uint8_t treq[64], twant[64];

	memcpy(treq, req, 12);
	put16(treq + 12, 0x8100);
	put16(treq + 14, 100);
	memcpy(treq + 16, req + 12, 30);
	memcpy(twant, want, 12);
	put16(twant + 12, 0x8100);
	put16(twant + 14, 100);
	memcpy(twant + 16, want + 12, 30);
	memset(twant + 46, 0, 14);
	r = handle(&tagged, nbr, treq, 46, 128, 7, out, "arp 3");
	CHECK(r.action == DP_SLOW_TX && r.len == 60, "arp 3: len %u", r.len);
	if (r.action == DP_SLOW_TX)
		CHECK_MEM(out, twant, 60, "arp 3: tagged reply bytes");

	/* 4. A reply to us from a new neighbour: learnt, consumed. */
	uint8_t rep[64];

	memcpy(rep, req, req_len);
	memcpy(rep, our_mac, 6);
	memcpy(rep + 6, new_mac, 6);
	put16(rep + 20, 2);
	memcpy(rep + 22, new_mac, 6);
	memcpy(rep + 28, other4, 4);
	memcpy(rep + 32, our_mac, 6);
	r = handle(&ifc, nbr, rep, 60, 60, 8, NULL, "arp 4");
	idx = dp_neighbor_lookup(nbr, PORT, STRATA_AF_INET, other4);
	CHECK(r.action == DP_SLOW_CONSUMED, "arp 4: action %d", r.action);
	CHECK(idx != 0 && dp_neighbor_mac(nbr, idx, mac) && memcmp(mac, new_mac, 6) == 0,
	      "arp 4: reply learnt");

	/* 5. Gratuitous ARP: the peer moves to new_mac; RFC 826's merge
	 * updates the entry although we are not the target. */
	uint8_t grat[64];

	memcpy(grat, req, req_len);
	memcpy(grat + 6, new_mac, 6);
	memcpy(grat + 22, new_mac, 6);
	memcpy(grat + 38, peer4, 4);
	r = handle(&ifc, nbr, grat, 60, 60, 9, NULL, "arp 5");
	idx = dp_neighbor_lookup(nbr, PORT, STRATA_AF_INET, peer4);
	CHECK(r.action == DP_SLOW_CONSUMED, "arp 5: action %d", r.action);
	CHECK(idx != 0 && dp_neighbor_mac(nbr, idx, mac) && memcmp(mac, new_mac, 6) == 0,
	      "arp 5: gratuitous ARP moved the peer");

	/* 6. Gratuitous ARP of a host we never talked to: not added. */
	uint8_t stranger[4] = { 192, 0, 2, 77 };

	memcpy(grat + 28, stranger, 4);
	memcpy(grat + 38, stranger, 4);
	r = handle(&ifc, nbr, grat, 60, 60, 10, NULL, "arp 6");
	CHECK(r.action == DP_SLOW_CONSUMED &&
	      dp_neighbor_lookup(nbr, PORT, STRATA_AF_INET, stranger) == 0,
	      "arp 6: stranger not added");

	/* 7. Someone claims our address: neither learnt nor answered. */
	uint8_t claim[64];
	uint32_t used = nbr->used;

	memcpy(claim, req, req_len);
	memcpy(claim + 28, our4b, 4);
	r = handle(&ifc, nbr, claim, 60, 60, 11, NULL, "arp 7");
	CHECK(r.action == DP_SLOW_DROP && r.drop == DP_DROP_ARP_INVALID && nbr->used == used,
	      "arp 7: conflict: action %d drop %d", r.action, r.drop);

	/* 8. A probe (RFC 5227: sender 0.0.0.0) for our address: answered to
	 * 0.0.0.0 at the prober's MAC, nothing learnt. */
	uint8_t probe[64];

	memcpy(probe, req, req_len);
	memcpy(probe + 28, zero4, 4);
	r = handle(&ifc, nbr, probe, 60, 60, 12, out, "arp 8");
	CHECK(r.action == DP_SLOW_TX && be16(out + 20) == 2 && memcmp(out + 38, zero4, 4) == 0 &&
	      memcmp(out + 32, peer_mac, 6) == 0 && memcmp(out, peer_mac, 6) == 0 &&
	      nbr->used == used,
	      "arp 8: probe answered");

	/* 9. A multicast sender hardware address. */
	uint8_t mc[64];

	memcpy(mc, req, req_len);
	mc[22] = 0x01;
	r = handle(&ifc, nbr, mc, 60, 60, 13, NULL, "arp 9");
	CHECK(r.action == DP_SLOW_DROP && r.drop == DP_DROP_ARP_INVALID, "arp 9: action %d",
	      r.action);

	free(nbr);
}

/* --------------------------------------------------------------- ping */

static void test_ping4(void)
{
	struct dp_iface ifc = us_iface(0);
	struct dp_neighbor_table *nbr = table_new(4);
	static const uint32_t sizes[] = { 0, 1, 18, 56, 1472 };

	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		uint8_t req[1600], out[1600];
		uint32_t len = mk_ping4(req, sizes[i], 60);
		struct dp_slow_result r = handle(&ifc, nbr, req, len, len, 1, out, "ping4");
		uint32_t n = 8 + sizes[i];

		CHECK(r.action == DP_SLOW_TX && r.len == len, "ping4 %u: action %d len %u", sizes[i],
		      r.action, r.len);
		if (r.action != DP_SLOW_TX)
			continue;

		const uint8_t *ip = out + 14, *icmp = ip + 20;

		CHECK(memcmp(out, peer_mac, 6) == 0 && memcmp(out + 6, our_mac, 6) == 0,
		      "ping4 %u: MACs", sizes[i]);
		CHECK(memcmp(ip + 12, our4, 4) == 0 && memcmp(ip + 16, peer4, 4) == 0,
		      "ping4 %u: addresses", sizes[i]);
		CHECK(ip[8] == 64 && ip[1] == 0xb8 && be16(ip + 4) == 0xbeef && be16(ip + 2) == 20 + n,
		      "ping4 %u: TTL, TOS, id, length", sizes[i]);
		CHECK(ref_ipv4_ok(ip), "ping4 %u: IP header checksum", sizes[i]);
		CHECK(icmp[0] == 0 && icmp[1] == 0, "ping4 %u: type %u", sizes[i], icmp[0]);
		CHECK(ref_l4_ok(ip, false, 1, icmp, n), "ping4 %u: ICMP checksum", sizes[i]);
		CHECK_MEM(icmp + 4, req + 34 + 4, n - 4, "ping4: id, sequence and data");
		for (uint32_t k = 14 + 20 + n; k < len; k++)
			CHECK(out[k] == 0, "ping4 %u: padding byte %u", sizes[i], k);
	}

	/* A bad ICMP checksum, and a code other than 0. */
	uint8_t req[128];
	uint32_t len = mk_ping4(req, 8, 0);

	req[34 + 9] ^= 1;
	struct dp_slow_result r = handle(&ifc, nbr, req, len, len, 1, NULL, "ping4 bad sum");

	CHECK(r.action == DP_SLOW_DROP && r.drop == DP_DROP_ICMP_INVALID, "ping4 bad sum: %d",
	      r.action);
	len = mk_ping4(req, 8, 0);
	req[34 + 1] = 1;
	put16(req + 34 + 2, 0);
	put16(req + 34 + 2, (uint16_t)~ref_fold(ref_add(0, req + 34, 16))); /* the sum stays right */
	CHECK(ref_l4_ok(req + 14, false, 1, req + 34, 16), "ping4 code 1: test frame sums");
	r = handle(&ifc, nbr, req, len, len, 1, NULL, "ping4 code 1");
	CHECK(r.action == DP_SLOW_DROP && r.drop == DP_DROP_ICMP_INVALID, "ping4 code 1: %d",
	      r.action);
	free(nbr);
}

static void test_ping6(void)
{
	struct dp_iface ifc = us_iface(0);
	struct dp_neighbor_table *nbr = table_new(4);
	static const uint32_t sizes[] = { 0, 1, 56, 1452 };

	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		uint8_t msg[1500], req[1600], out[1600];
		uint32_t n = 8 + sizes[i];

		msg[0] = 128;
		msg[1] = 0;
		put16(msg + 4, 0x4243);
		put16(msg + 6, 9);
		for (uint32_t k = 0; k < sizes[i]; k++)
			msg[8 + k] = (uint8_t)(k * 13 + 5);

		uint32_t len = mk_icmp6(req, our_mac, peer_mac, 61, peer6, our6, msg, n);
		struct dp_slow_result r = handle(&ifc, nbr, req, len, len, 1, out, "ping6");

		CHECK(r.action == DP_SLOW_TX && r.len == (len < 60 ? 60 : len), "ping6 %u: %d len %u",
		      sizes[i], r.action, r.len);
		if (r.action != DP_SLOW_TX)
			continue;

		const uint8_t *ip = out + 14, *icmp = ip + 40;

		CHECK(memcmp(out, peer_mac, 6) == 0 && memcmp(out + 6, our_mac, 6) == 0,
		      "ping6 %u: MACs", sizes[i]);
		CHECK(memcmp(ip + 8, our6, 16) == 0 && memcmp(ip + 24, peer6, 16) == 0,
		      "ping6 %u: addresses", sizes[i]);
		CHECK(ip[7] == 64 && ip[6] == 58 && be16(ip + 4) == n, "ping6 %u: hops, nh, length",
		      sizes[i]);
		CHECK(icmp[0] == 129 && icmp[1] == 0, "ping6 %u: type %u", sizes[i], icmp[0]);
		CHECK(ref_l4_ok(ip, true, 58, icmp, n), "ping6 %u: ICMPv6 checksum", sizes[i]);
		CHECK_MEM(icmp + 4, msg + 4, n - 4, "ping6: id, sequence and data");
	}

	/* A bad checksum. */
	uint8_t msg[16] = { 128, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, req[128];
	uint32_t len = mk_icmp6(req, our_mac, peer_mac, 64, peer6, our6, msg, 16);

	req[14 + 40 + 15] ^= 0x80;
	struct dp_slow_result r = handle(&ifc, nbr, req, len, len, 1, NULL, "ping6 bad sum");

	CHECK(r.action == DP_SLOW_DROP && r.drop == DP_DROP_ICMP_INVALID, "ping6 bad sum: %d",
	      r.action);
	free(nbr);
}

/* ----------------------------------------------------------------- ND */

/* An NS for `target`, with a source link-layer option of `sll` (or none). */
static uint32_t ns_msg(uint8_t *msg, const uint8_t *target, const uint8_t *sll)
{
	memset(msg, 0, 32);
	msg[0] = 135;
	memcpy(msg + 8, target, 16);
	if (sll == NULL)
		return 24;
	msg[24] = 1;
	msg[25] = 1;
	memcpy(msg + 26, sll, 6);
	return 32;
}

/* An NA for `target` with flags and a target link-layer option (or none). */
static uint32_t na_msg(uint8_t *msg, const uint8_t *target, uint8_t flags, const uint8_t *tll)
{
	memset(msg, 0, 32);
	msg[0] = 136;
	msg[4] = flags;
	memcpy(msg + 8, target, 16);
	if (tll == NULL)
		return 24;
	msg[24] = 2;
	msg[25] = 1;
	memcpy(msg + 26, tll, 6);
	return 32;
}

/* The NA we expect for a solicitation, in full, checksum included. */
static uint32_t expected_na(uint8_t *out, const uint8_t *dmac, const uint8_t *dst, uint8_t flags,
			    bool tll)
{
	uint8_t msg[32];
	uint32_t n = na_msg(msg, our6, flags, tll ? our_mac : NULL);

	return mk_icmp6(out, dmac, our_mac, 255, our6, dst, msg, n);
}

static void test_nd(void)
{
	struct dp_iface ifc = us_iface(0);
	struct dp_neighbor_table *nbr = table_new(8);
	uint8_t msg[64], req[256], out[256], want[256], mac[6];
	uint32_t n, len, wlen, idx;
	struct dp_slow_result r;

	/* 1. NS to our solicited-node group with the peer's link-layer
	 * address: NA (S, O, target link-layer option) to the peer; the peer
	 * is learnt. */
	n = ns_msg(msg, our6, peer_mac);
	len = mk_icmp6(req, sn_our6_mac, peer_mac, 255, peer6, sn_our6, msg, n);
	r = handle(&ifc, nbr, req, len, 256, 3, out, "nd 1");
	wlen = expected_na(want, peer_mac, peer6, NA_S | NA_O, true);
	CHECK(r.action == DP_SLOW_TX && r.len == wlen && wlen == 86, "nd 1: %d len %u", r.action,
	      r.len);
	if (r.action == DP_SLOW_TX) {
		CHECK_MEM(out, want, wlen, "nd 1: NA bytes");
		CHECK(ref_l4_ok(out + 14, true, 58, out + 54, 32), "nd 1: NA checksum");
	}
	idx = dp_neighbor_lookup(nbr, PORT, STRATA_AF_INET6, peer6);
	CHECK(idx != 0 && dp_neighbor_mac(nbr, idx, mac) && memcmp(mac, peer_mac, 6) == 0,
	      "nd 1: solicitor learnt");

	/* 2. Unicast NS (no link-layer option), buffer of exactly the NS's
	 * 78 bytes: the NA omits the option (RFC 4861 7.2.4 allows it for a
	 * unicast solicitation) and goes to the Ethernet source. */
	n = ns_msg(msg, our6, NULL);
	len = mk_icmp6(req, our_mac, new_mac, 255, peer6, our6, msg, n);
	r = handle(&ifc, nbr, req, len, len, 4, out, "nd 2");
	wlen = expected_na(want, new_mac, peer6, NA_S | NA_O, false);
	CHECK(r.action == DP_SLOW_TX && r.len == wlen, "nd 2: %d len %u", r.action, r.len);
	if (r.action == DP_SLOW_TX)
		CHECK_MEM(out, want, wlen, "nd 2: NA bytes, no option");

	/* 3. The same with room: the option is there. */
	r = handle(&ifc, nbr, req, len, len + 8, 4, out, "nd 3");
	wlen = expected_na(want, new_mac, peer6, NA_S | NA_O, true);
	CHECK(r.action == DP_SLOW_TX && r.len == wlen, "nd 3: %d len %u", r.action, r.len);
	if (r.action == DP_SLOW_TX)
		CHECK_MEM(out, want, wlen, "nd 3: NA bytes with option");

	/* 4. Duplicate address detection (source ::): we defend our address
	 * with an NA to all-nodes, S clear; nothing is learnt. */
	uint32_t used = nbr->used;

	n = ns_msg(msg, our6, NULL);
	len = mk_icmp6(req, sn_our6_mac, new_mac, 255, unspec6, sn_our6, msg, n);
	r = handle(&ifc, nbr, req, len, 256, 5, out, "nd 4");
	{
		static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };

		wlen = expected_na(want, all_nodes_mac, all_nodes6, NA_O, true);
	}
	CHECK(r.action == DP_SLOW_TX && r.len == wlen, "nd 4: %d len %u", r.action, r.len);
	if (r.action == DP_SLOW_TX)
		CHECK_MEM(out, want, wlen, "nd 4: DAD defence bytes");
	CHECK(nbr->used == used, "nd 4: nothing learnt");

	/* 5..9. Solicitations RFC 4861 7.1.1 says to discard. */
	struct {
		const char *what;
		uint8_t hops;
		const uint8_t *src;
		bool sll;
		int mutate; /* 1: code 1, 2: option length 0, 3: bad checksum */
	} bad[] = {
		{ "nd 5: hop limit 64", 64, peer6, true, 0 },
		{ "nd 6: DAD with a link-layer option", 255, unspec6, true, 0 },
		{ "nd 7: code 1", 255, peer6, true, 1 },
		{ "nd 8: option of length 0", 255, peer6, true, 2 },
		{ "nd 9: bad checksum", 255, peer6, true, 3 },
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		n = ns_msg(msg, our6, bad[i].sll ? peer_mac : NULL);
		if (bad[i].mutate == 1)
			msg[1] = 1;
		if (bad[i].mutate == 2)
			msg[25] = 0;
		len = mk_icmp6(req, sn_our6_mac, peer_mac, bad[i].hops, bad[i].src, sn_our6, msg, n);
		if (bad[i].mutate == 3)
			req[len - 1] ^= 1;
		r = handle(&ifc, nbr, req, len, 256, 6, NULL, bad[i].what);
		CHECK(r.action == DP_SLOW_DROP && r.drop == DP_DROP_ICMP_INVALID, "%s: %d (%s)",
		      bad[i].what, r.action, r.action == DP_SLOW_DROP ? drop_names[r.drop] : "-");
	}

	free(nbr);
}

static void test_na(void)
{
	struct dp_iface ifc = us_iface(0);
	struct dp_neighbor_table *nbr = table_new(8);
	uint8_t msg[64], frame[256], mac[6];
	uint32_t n, len, idx;
	bool send;
	struct dp_slow_result r;

	/* 1. An NA for a host not in the table: consumed, not added. */
	n = na_msg(msg, peer6, NA_S | NA_O, peer_mac);
	len = mk_icmp6(frame, our_mac, peer_mac, 255, peer6, our6, msg, n);
	r = handle(&ifc, nbr, frame, len, len, 1, NULL, "na 1");
	CHECK(r.action == DP_SLOW_CONSUMED && nbr->used == 0, "na 1: %d used %u", r.action, nbr->used);

	/* 2. Resolve, then the NA: learnt, REACHABLE. */
	idx = dp_neighbor_resolve(nbr, PORT, STRATA_AF_INET6, peer6, 10, &send);
	CHECK(idx != 0 && send && !dp_neighbor_mac(nbr, idx, mac), "na 2: INCOMPLETE entry");
	r = handle(&ifc, nbr, frame, len, len, 20, NULL, "na 2");
	CHECK(r.action == DP_SLOW_CONSUMED && dp_neighbor_mac(nbr, idx, mac) &&
	      memcmp(mac, peer_mac, 6) == 0 && nbr->entries[idx].state == DP_NEIGHBOR_REACHABLE &&
	      nbr->entries[idx].last_seen == 20,
	      "na 2: learnt");

	/* 3. O clear and another MAC: ignored. */
	n = na_msg(msg, peer6, NA_S, new_mac);
	len = mk_icmp6(frame, our_mac, new_mac, 255, peer6, our6, msg, n);
	r = handle(&ifc, nbr, frame, len, len, 30, NULL, "na 3");
	CHECK(r.action == DP_SLOW_CONSUMED && dp_neighbor_mac(nbr, idx, mac) &&
	      memcmp(mac, peer_mac, 6) == 0 && nbr->entries[idx].last_seen == 20,
	      "na 3: not overridden");

	/* 4. O set: updated. */
	n = na_msg(msg, peer6, NA_O, new_mac);
	len = mk_icmp6(frame, our_mac, new_mac, 255, peer6, our6, msg, n);
	r = handle(&ifc, nbr, frame, len, len, 40, NULL, "na 4");
	CHECK(r.action == DP_SLOW_CONSUMED && dp_neighbor_mac(nbr, idx, mac) &&
	      memcmp(mac, new_mac, 6) == 0, "na 4: overridden");

	/* 5. O clear, same MAC: a confirmation. */
	n = na_msg(msg, peer6, NA_S, new_mac);
	len = mk_icmp6(frame, our_mac, new_mac, 255, peer6, our6, msg, n);
	r = handle(&ifc, nbr, frame, len, len, 50, NULL, "na 5");
	CHECK(r.action == DP_SLOW_CONSUMED && nbr->entries[idx].last_seen == 50, "na 5: confirmed");

	/* 6. No target link-layer option: nothing to learn. */
	n = na_msg(msg, peer6, NA_O, NULL);
	len = mk_icmp6(frame, our_mac, new_mac, 255, peer6, our6, msg, n);
	r = handle(&ifc, nbr, frame, len, len, 60, NULL, "na 6");
	CHECK(r.action == DP_SLOW_CONSUMED && nbr->entries[idx].last_seen == 50, "na 6: no option");

	/* 7. Hop limit 254: forwarded by a router, invalid. */
	n = na_msg(msg, peer6, NA_O, peer_mac);
	len = mk_icmp6(frame, our_mac, peer_mac, 254, peer6, our6, msg, n);
	r = handle(&ifc, nbr, frame, len, len, 70, NULL, "na 7");
	CHECK(r.action == DP_SLOW_DROP && r.drop == DP_DROP_ICMP_INVALID, "na 7: %d", r.action);

	/* 8. A multicast target. */
	n = na_msg(msg, all_nodes6, NA_O, peer_mac);
	len = mk_icmp6(frame, our_mac, peer_mac, 255, peer6, our6, msg, n);
	r = handle(&ifc, nbr, frame, len, len, 80, NULL, "na 8");
	CHECK(r.action == DP_SLOW_DROP && r.drop == DP_DROP_ICMP_INVALID, "na 8: %d", r.action);
	CHECK(dp_neighbor_mac(nbr, idx, mac) && memcmp(mac, new_mac, 6) == 0, "na 7-8: unchanged");
	free(nbr);
}

/* ----------------------------------------------------- neighbour table */

struct sent {
	unsigned n;
	uint32_t last_idx;
};

static void count_request(void *arg, uint32_t idx, const struct dp_neighbor *e)
{
	struct sent *s = arg;

	(void)e;
	s->n++;
	s->last_idx = idx;
}

static void test_neighbor_table(void)
{
	struct dp_neighbor_table *t = table_new(3);
	struct sent s = { 0 };
	uint8_t mac[6];
	bool send;

	/* 1. resolve creates INCOMPLETE and asks for the first request. */
	uint32_t a = dp_neighbor_resolve(t, PORT, STRATA_AF_INET, peer4, 0, &send);

	CHECK(a == 1 && send && t->entries[a].state == DP_NEIGHBOR_INCOMPLETE &&
	      t->entries[a].requests == 1, "table 1: resolve");
	CHECK(!dp_neighbor_mac(t, a, mac), "table 1: no MAC yet");
	CHECK(dp_neighbor_resolve(t, PORT, STRATA_AF_INET, peer4, 0, &send) == a && !send,
	      "table 1: resolve again: same entry, no request");

	/* 2. Retries: 1 s apart three times in all, then 2, 4, 8, 16, 30 s. */
	static const struct {
		uint64_t now;
		unsigned total;
	} timeline[] = {
		{ 999, 0 }, { 1000, 1 }, { 1500, 1 }, { 2000, 2 }, { 3999, 2 }, { 4000, 3 },
		{ 7999, 3 }, { 8000, 4 }, { 16000, 5 }, { 31999, 5 }, { 32000, 6 }, { 61999, 6 },
		{ 62000, 7 }, { 92000, 8 },
	};
	for (size_t i = 0; i < ARRAY_LEN(timeline); i++) {
		dp_neighbor_tick(t, timeline[i].now, count_request, &s);
		CHECK(s.n == timeline[i].total, "table 2: at %llu ms: %u requests, want %u",
		      (unsigned long long)timeline[i].now, s.n, timeline[i].total);
	}
	CHECK(s.last_idx == a, "table 2: request for the entry");

	/* 3. The answer: REACHABLE, MAC readable; no requests for 60 s. */
	CHECK(dp_neighbor_learn(t, PORT, STRATA_AF_INET, peer4, peer_mac, 100000) == a,
	      "table 3: learn");
	CHECK(dp_neighbor_mac(t, a, mac) && memcmp(mac, peer_mac, 6) == 0, "table 3: MAC");
	s.n = 0;
	dp_neighbor_tick(t, 159999, count_request, &s);
	CHECK(s.n == 0 && t->entries[a].state == DP_NEIGHBOR_REACHABLE, "table 3: quiet for 60 s");

	/* 4. 60 s on: STALE, refreshed, MAC still in use; then 1 s apart. */
	dp_neighbor_tick(t, 160000, count_request, &s);
	CHECK(s.n == 1 && t->entries[a].state == DP_NEIGHBOR_STALE && dp_neighbor_mac(t, a, mac),
	      "table 4: refresh");
	dp_neighbor_tick(t, 161000, count_request, &s);
	CHECK(s.n == 2, "table 4: second refresh request");
	dp_neighbor_learn(t, PORT, STRATA_AF_INET, peer4, new_mac, 161500);
	CHECK(t->entries[a].state == DP_NEIGHBOR_REACHABLE && dp_neighbor_mac(t, a, mac) &&
	      memcmp(mac, new_mac, 6) == 0, "table 4: confirmed with a new MAC");

	/* 5. Static: learn cannot move it, the timer leaves it alone. */
	uint32_t st = dp_neighbor_add_static(t, PORT, STRATA_AF_INET6, peer6, peer_mac);

	CHECK(st == 2 && t->entries[st].state == DP_NEIGHBOR_STATIC, "table 5: static");
	dp_neighbor_learn(t, PORT, STRATA_AF_INET6, peer6, new_mac, 200000);
	CHECK(dp_neighbor_mac(t, st, mac) && memcmp(mac, peer_mac, 6) == 0, "table 5: kept");
	s.n = 0;
	dp_neighbor_tick(t, 10000000, count_request, &s);
	CHECK(s.n == 1 && s.last_idx == a, "table 5: only the dynamic entry is refreshed");

	/* 6. Keys: the same address on another port, or of another family,
	 * is another entry; the table fills up. */
	uint32_t other_port = dp_neighbor_resolve(t, PORT + 1, STRATA_AF_INET, peer4, 0, &send);

	CHECK(other_port == 3 && send, "table 6: another port");
	CHECK(dp_neighbor_resolve(t, PORT, STRATA_AF_INET, other4, 0, &send) == 0 && !send,
	      "table 6: full");
	CHECK(dp_neighbor_learn(t, PORT, STRATA_AF_INET, other4, peer_mac, 0) == 0, "table 6: full");
	CHECK(dp_neighbor_lookup(t, PORT, STRATA_AF_INET, peer4) == a &&
	      dp_neighbor_lookup(t, PORT + 1, STRATA_AF_INET, peer4) == other_port &&
	      dp_neighbor_lookup(t, PORT, STRATA_AF_INET6, peer6) == st,
	      "table 6: lookups");
	CHECK(dp_neighbor_resolve(t, PORT, 0, peer4, 0, &send) == 0, "table 6: bad family");

	/* 7. Indices out of range read as no MAC. */
	CHECK(!dp_neighbor_mac(t, 0, mac) && !dp_neighbor_mac(t, 4, mac) &&
	      !dp_neighbor_mac(t, UINT32_MAX, mac), "table 7: bad indices");

	/* 8. Every MAC byte survives the packing. */
	struct dp_neighbor_table *t2 = table_new(1);
	static const uint8_t odd[6] = { 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54 };
	uint32_t b = dp_neighbor_learn(t2, PORT, STRATA_AF_INET, peer4, odd, 1);

	CHECK(b == 1 && dp_neighbor_mac(t2, b, mac) && memcmp(mac, odd, 6) == 0, "table 8: packing");
	free(t2);
	free(t);
}

/* ------------------------------------------------------------ next hop */

static void test_next_hop(void)
{
	struct dp_iface ifc = us_iface(0);
	static const uint8_t gw4[4] = { 192, 0, 2, 254 };
	static const uint8_t gw6[16] = { 0xfe, 0x80, [15] = 0x01 };
	struct {
		int no;
		uint8_t family;
		uint8_t dst[16];
		bool gateways;
		int rc;
		const uint8_t *want; /* NULL: dst itself */
	} rows[] = {
		{ 1, STRATA_AF_INET, { 192, 0, 2, 10 }, true, 0, NULL },
		{ 2, STRATA_AF_INET, { 198, 51, 100, 200 }, true, 0, NULL },
		{ 3, STRATA_AF_INET, { 203, 0, 113, 5 }, true, 0, gw4 },
		{ 4, STRATA_AF_INET, { 203, 0, 113, 5 }, false, -1, NULL },
		{ 5, STRATA_AF_INET, { 192, 0, 3, 1 }, true, 0, gw4 },
		{ 6, STRATA_AF_INET, { 224, 0, 0, 1 }, true, -1, NULL },
		{ 7, STRATA_AF_INET, { 0, 0, 0, 0 }, true, -1, NULL },
		{ 8, STRATA_AF_INET, { 255, 255, 255, 255 }, true, -1, NULL },
		{ 9, STRATA_AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 }, true, 0, NULL },
		{ 10, STRATA_AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0xff, [15] = 1 }, true, 0,
		  NULL },
		{ 11, STRATA_AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5 }, true, 0, gw6 },
		{ 12, STRATA_AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5 }, false, -1, NULL },
		{ 13, STRATA_AF_INET6, { 0xfe, 0x80, [15] = 0x99 }, true, 0, NULL },
		{ 14, STRATA_AF_INET6, { 0xff, 0x02, [15] = 0x01 }, true, -1, NULL },
		{ 15, STRATA_AF_INET6, { 0 }, true, -1, NULL },
		{ 16, STRATA_AF_NONE, { 192, 0, 2, 10 }, true, -1, NULL },
	};

	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		uint8_t out[16], want[16] = { 0 };
		unsigned alen = rows[i].family == STRATA_AF_INET6 ? 16 : 4;

		memset(ifc.gateway4, 0, 4);
		memset(ifc.gateway6, 0, 16);
		if (rows[i].gateways) {
			memcpy(ifc.gateway4, gw4, 4);
			memcpy(ifc.gateway6, gw6, 16);
		}
		int rc = dp_next_hop(&ifc, rows[i].family, rows[i].dst, out);

		CHECK(rc == rows[i].rc, "next hop %d: rc %d", rows[i].no, rc);
		if (rc == 0 && rows[i].rc == 0) {
			memcpy(want, rows[i].want ? rows[i].want : rows[i].dst, alen);
			CHECK_MEM(out, want, 16, "next hop");
		}
	}

	/* The longest connected prefix picks the source of a request. */
	struct dp_iface two = us_iface(0);
	static const uint8_t in_both[4] = { 192, 0, 2, 200 };

	memcpy(two.addrs[1].ip, (const uint8_t[]){ 192, 0, 2, 129 }, 4);
	two.addrs[1].prefix_len = 25;
	two.addrs[0].prefix_len = 16;
	CHECK(dp_iface_connected_slot(&two, STRATA_AF_INET, in_both) == 1, "longest prefix");
	CHECK(dp_iface_find_addr(&two, STRATA_AF_INET, our4) == 1 &&
	      dp_iface_find_addr(&two, STRATA_AF_INET6, our6ll) == 4 &&
	      dp_iface_find_addr(&two, STRATA_AF_INET, peer4) == -1 &&
	      dp_iface_find_addr(&two, STRATA_AF_INET6, (const uint8_t[16]){ 192, 0, 2, 1 }) == -1,
	      "find_addr");
}

/* ----------------------------------------------------- output headers */

static void round_trip(uint8_t family, uint16_t vlan, uint16_t payload_len, uint8_t first)
{
	struct dp_iface us = us_iface(vlan), peer = peer_iface(vlan);
	bool v6 = family == STRATA_AF_INET6;
	struct strata_addr src = { .family = family, .port = 5004 };
	struct strata_addr dst = { .family = family, .port = 61000 };
	uint8_t buf[DP_UDP_HEADERS_MAX + 1500];

	memcpy(src.ip, v6 ? (const void *)our6 : (const void *)our4, v6 ? 16 : 4);
	memcpy(dst.ip, v6 ? (const void *)peer6 : (const void *)peer4, v6 ? 16 : 4);

	uint16_t hl = dp_udp_headers_build(buf, &us, peer_mac, &src, &dst, payload_len);
	uint16_t l2 = vlan ? 18 : 14;

	CHECK(hl == l2 + (v6 ? 40 : 20) + 8, "headers v%d vlan %u: length %u", v6 ? 6 : 4, vlan, hl);
	for (uint16_t i = 0; i < payload_len; i++)
		buf[hl + i] = (uint8_t)(i == 0 ? first : i * 31 + 3);
	dp_udp_checksum_fill(buf, l2, family, (uint32_t)hl + payload_len);

	/* The fields, read independently. */
	const uint8_t *ip = buf + l2, *udp = ip + (v6 ? 40 : 20);

	CHECK(memcmp(buf, peer_mac, 6) == 0 && memcmp(buf + 6, our_mac, 6) == 0, "headers: MACs");
	if (vlan)
		CHECK(be16(buf + 12) == 0x8100 && be16(buf + 14) == vlan, "headers: tag");
	if (v6) {
		CHECK(be16(buf + l2 - 2) == 0x86dd && ip[0] == 0x60 && ip[7] == 64 && ip[6] == 17 &&
		      be16(ip + 4) == 8 + payload_len, "headers: IPv6 fields");
	} else {
		CHECK(be16(buf + l2 - 2) == 0x0800 && ip[0] == 0x45 && ip[8] == 64 && ip[9] == 17 &&
		      be16(ip + 6) == 0x4000 && be16(ip + 4) == 0 && be16(ip + 2) == 28 + payload_len,
		      "headers: IPv4 fields");
		CHECK(ref_ipv4_ok(ip), "headers: IPv4 header checksum");
	}
	CHECK(be16(udp) == 5004 && be16(udp + 2) == 61000 && be16(udp + 4) == 8 + payload_len,
	      "headers: UDP fields");
	CHECK(be16(udp + 6) != 0 && ref_l4_ok(ip, v6, 17, udp, 8 + payload_len),
	      "headers v%d len %u: UDP checksum", v6 ? 6 : 4, payload_len);

	/* What the peer makes of it. */
	uint32_t len = hl + payload_len;
	uint8_t *frame = heap(buf, len, len);
	struct dp_pkt p;
	enum dp_class c = dp_classify(&peer, frame, len, 0, &p);
	enum dp_class want = payload_len == 0			? DP_CLASS_UDP_OTHER
			     : first >= 128 && first <= 191	? DP_CLASS_MEDIA
			     : first <= 3				? DP_CLASS_STUN
								: DP_CLASS_UDP_OTHER;

	CHECK(c == want, "round trip v%d vlan %u len %u: class %d (drop %s)", v6 ? 6 : 4, vlan,
	      payload_len, c, c == DP_CLASS_DROP ? drop_names[p.drop] : "-");
	if (c == want) {
		CHECK(memcmp(&p.local, &dst, sizeof(dst)) == 0 &&
		      memcmp(&p.remote, &src, sizeof(src)) == 0,
		      "round trip: addresses and ports");
		CHECK(p.payload_off == hl && p.payload_len == payload_len &&
		      memcmp(frame + p.payload_off, buf + hl, payload_len) == 0,
		      "round trip: payload");
		CHECK(p.vlan == vlan && p.l2_len == l2 && p.local_addr_index == (v6 ? 22 : 21),
		      "round trip: vlan, l2, address index");
	}
	free(frame);

	/* Offload: the frame as the NIC gets it, then what the NIC computes. */
	uint8_t off[sizeof(buf)];
	struct dp_tx_offload o;

	dp_udp_headers_build(off, &us, peer_mac, &src, &dst, payload_len);
	memcpy(off + hl, buf + hl, payload_len);
	dp_udp_offload_prepare(off, l2, family, &o);
	CHECK(o.l2_len == l2 && o.l3_len == (v6 ? 40 : 20), "offload: lengths");
	CHECK(o.ol_flags == (v6 ? (RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM)
				: (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
				   RTE_MBUF_F_TX_UDP_CKSUM)),
	      "offload: flags");

	uint8_t *oip = off + l2, *oudp = oip + (v6 ? 40 : 20);
	uint16_t phdr = ref_fold(v6 ? ref_pseudo(true, oip + 8, oip + 24, 17, 8 + payload_len)
				    : ref_pseudo(false, oip + 12, oip + 16, 17, 8 + payload_len));

	CHECK(be16(oudp + 6) == phdr, "offload: pseudo-header sum %04x, want %04x", be16(oudp + 6),
	      phdr);
	if (!v6)
		CHECK(be16(oip + 10) == 0, "offload: IPv4 checksum field zero");
	/* The NIC: the one's complement of the sum over the datagram as it
	 * is (the field holding the pseudo-header sum). */
	uint16_t nic = (uint16_t)~ref_fold(ref_add(0, oudp, 8 + payload_len));

	if (nic == 0)
		nic = 0xffff;
	CHECK(nic == be16(udp + 6), "offload: NIC result %04x, software %04x", nic, be16(udp + 6));

	/* The same through an rte_mbuf. */
	struct rte_mbuf m;

	memset(&m, 0, sizeof(m));
	dp_udp_headers_build(off, &us, peer_mac, &src, &dst, payload_len);
	m.buf_addr = off;
	m.data_off = 0;
	m.ol_flags = RTE_MBUF_F_TX_TCP_CKSUM; /* stale L4 request: replaced */
	dp_udp_tx_offload_mbuf(&m, l2, family);
	CHECK(m.l2_len == l2 && m.l3_len == (v6 ? 40u : 20u) && m.ol_flags == o.ol_flags,
	      "offload mbuf: l2 %u l3 %u flags %llx", (unsigned)m.l2_len, (unsigned)m.l3_len,
	      (unsigned long long)m.ol_flags);
}

static void test_headers(void)
{
	static const uint16_t sizes[] = { 0, 1, 2, 100, 1200, 1472 };
	static const uint8_t firsts[] = { 0x80, 0x00, 0x42 };

	for (int v6 = 0; v6 < 2; v6++)
		for (int tag = 0; tag < 2; tag++)
			for (size_t s = 0; s < ARRAY_LEN(sizes); s++)
				for (size_t f = 0; f < ARRAY_LEN(firsts); f++)
					round_trip(v6 ? STRATA_AF_INET6 : STRATA_AF_INET,
						   tag ? 100 : 0, sizes[s], firsts[f]);

	/* What the builder refuses. */
	struct dp_iface us = us_iface(0);
	struct strata_addr a4 = { .family = STRATA_AF_INET }, a6 = { .family = STRATA_AF_INET6 },
			   none = { 0 };
	static uint8_t buf[DP_UDP_HEADERS_MAX];

	CHECK(dp_udp_headers_build(buf, &us, peer_mac, &a4, &a6, 10) == 0, "mixed families");
	CHECK(dp_udp_headers_build(buf, &us, peer_mac, &none, &none, 10) == 0, "no family");
	CHECK(dp_udp_headers_build(buf, &us, peer_mac, &a4, &a4, 65535 - 28) != 0 &&
	      dp_udp_headers_build(buf, &us, peer_mac, &a4, &a4, 65535 - 27) == 0,
	      "IPv4 total length limit");
	CHECK(dp_udp_headers_build(buf, &us, peer_mac, &a6, &a6, 65535 - 8) != 0 &&
	      dp_udp_headers_build(buf, &us, peer_mac, &a6, &a6, 65535 - 7) == 0,
	      "IPv6 payload length limit");
}

/* -------------------------------------------------- request builders */

/* Our request, answered by the peer's handlers, learnt by ours. */
static void request_loop(uint16_t vlan)
{
	struct dp_iface us = us_iface(vlan), peer = peer_iface(vlan);
	struct dp_neighbor_table *ours = table_new(4), *theirs = table_new(4);
	uint8_t req[DP_SLOW_REQUEST_MAX], ans[256], mac[6];
	bool send;
	uint16_t l2 = vlan ? 18 : 14;

	/* ARP. */
	uint32_t idx = dp_neighbor_resolve(ours, PORT, STRATA_AF_INET, peer4, 0, &send);
	uint32_t len = dp_arp_request_build(req, &us, peer4);
	uint8_t want[64];
	size_t wlen = test_hex("ffffffffffff 020000000001 0806 0001 0800 06 04 0001"
			       "020000000001 c0000201 000000000000 c000020a",
			       want, sizeof(want));

	CHECK(len == 60 && send, "arp request: %u bytes", len);
	if (vlan == 0)
		CHECK_MEM(req, want, wlen, "arp request bytes");
	else
		CHECK(be16(req + 12) == 0x8100 && be16(req + 14) == vlan &&
		      memcmp(req + 16, want + 12, wlen - 12) == 0, "tagged arp request bytes");
	for (uint32_t i = l2 + 28; i < len; i++)
		CHECK(req[i] == 0, "arp request padding");

	struct dp_slow_result r = handle(&peer, theirs, req, len, 128, 1, ans, "arp loop: peer");

	CHECK(r.action == DP_SLOW_TX, "arp loop: the peer answers");
	if (r.action == DP_SLOW_TX) {
		r = handle(&us, ours, ans, r.len, r.len, 2, NULL, "arp loop: us");
		CHECK(r.action == DP_SLOW_CONSUMED && dp_neighbor_mac(ours, idx, mac) &&
		      memcmp(mac, peer_mac, 6) == 0, "arp loop: learnt");
	}

	/* Neighbour solicitation. */
	idx = dp_neighbor_resolve(ours, PORT, STRATA_AF_INET6, peer6, 0, &send);
	len = dp_nd_solicit_build(req, &us, peer6);
	CHECK(len == (uint32_t)l2 + 72u, "NS: %u bytes", len);

	const uint8_t *ip = req + l2, *icmp = ip + 40;
	static const uint8_t sn_peer6[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x10 };
	static const uint8_t sn_peer6_mac[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x10 };

	CHECK(memcmp(req, sn_peer6_mac, 6) == 0 && memcmp(req + 6, our_mac, 6) == 0,
	      "NS: MACs");
	CHECK(ip[7] == 255 && memcmp(ip + 8, our6, 16) == 0 && memcmp(ip + 24, sn_peer6, 16) == 0,
	      "NS: hop limit, from our6 (same prefix) to the peer's group");
	CHECK(icmp[0] == 135 && memcmp(icmp + 8, peer6, 16) == 0 && icmp[24] == 1 &&
	      icmp[25] == 1 && memcmp(icmp + 26, our_mac, 6) == 0, "NS: target and option");
	CHECK(ref_l4_ok(ip, true, 58, icmp, 32), "NS: checksum");

	r = handle(&peer, theirs, req, len, 256, 3, ans, "nd loop: peer");
	CHECK(r.action == DP_SLOW_TX, "nd loop: the peer answers");
	if (r.action == DP_SLOW_TX) {
		uint32_t t = dp_neighbor_lookup(theirs, 7, STRATA_AF_INET6, our6);

		CHECK(t != 0 && dp_neighbor_mac(theirs, t, mac) && memcmp(mac, our_mac, 6) == 0,
		      "nd loop: the peer learnt us");
		r = handle(&us, ours, ans, r.len, r.len, 4, NULL, "nd loop: us");
		CHECK(r.action == DP_SLOW_CONSUMED && dp_neighbor_mac(ours, idx, mac) &&
		      memcmp(mac, peer_mac, 6) == 0, "nd loop: learnt");
	}

	/* A port without addresses of the family builds nothing. */
	struct dp_iface bare = us;

	bare.n_addrs = 0;
	CHECK(dp_arp_request_build(req, &bare, peer4) == 0 &&
	      dp_nd_solicit_build(req, &bare, peer6) == 0, "no address, no request");
	free(ours);
	free(theirs);
}

int main(void)
{
	test_arp();
	test_ping4();
	test_ping6();
	test_nd();
	test_na();
	test_neighbor_table();
	test_next_hop();
	test_headers();
	request_loop(0);
	request_loop(100);
	return test_summary("dp_l2l3");
}
