/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The output headers workers write (dataplane/net/headers.c), checked by
 * round trip: what "us" builds, "peer" classifies; every field is also
 * read independently, and the checksums recomputed by net_fixture.h's sum,
 * in software and as the NIC would finish them after the offload setup.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2l3_fixture.h"
#include "test_util.h"

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

int main(void)
{
	test_headers();
	return test_summary("dp_l2l3_headers");
}
