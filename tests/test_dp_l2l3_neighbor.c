/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reaching a neighbour (dataplane/net/neighbor.c, arp.c, nd.c): the
 * neighbour table and its timer, the next hop for a destination, and our
 * own ARP and neighbour solicitation requests, answered by the peer's
 * handlers and learnt by ours.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2l3_fixture.h"
#include "test_util.h"

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
	test_neighbor_table();
	test_next_hop();
	request_loop(0);
	request_loop(100);
	return test_summary("dp_l2l3_neighbor");
}
