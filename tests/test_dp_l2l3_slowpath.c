/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore's slow path (dataplane/net/arp.c, icmp.c, nd.c): ARP, ICMP
 * and ICMPv6 echo, and neighbour discovery, answered in place, with what
 * the answers teach the neighbour table.
 *
 * Expected answers are written out byte by byte where they are short (ARP,
 * NA); otherwise the answers are checked field by field, and every
 * checksum is recomputed by net_fixture.h's independent byte-at-a-time
 * RFC 1071 sum.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2l3_fixture.h"
#include "test_util.h"

static const uint8_t all_nodes6[16] = { 0xff, 0x02, [15] = 0x01 };

/* RFC 4861 section 4.4: the Solicited and Override flags. */
#define NA_S 0x40
#define NA_O 0x20

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

int main(void)
{
	test_arp();
	test_ping4();
	test_ping6();
	test_nd();
	test_na();
	return test_summary("dp_l2l3_slowpath");
}
