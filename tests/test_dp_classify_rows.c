/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_classify (dataplane/net/classify.c) as tables of numbered cases, each
 * frame made by classify_fixture.h's builder:
 *
 *   rows[]        each accepted class with the offsets, addresses and ports
 *                 it must report, and each drop reason from a frame crafted
 *                 to hit it and nothing before it;
 *   vlan_rows[]   the same on a port with VLAN 100;
 *   flag_rows[]   the NIC's checksum verdicts (rx_ol_flags) against the
 *                 frame's actual checksums and the port's verify setting;
 *   arp_rows[]    ARP requests and replies, for us and not, and malformed.
 *
 * test_dp_classify_sweeps.c cuts and varies valid frames instead.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf_core.h>

#include "classify_fixture.h"
#include "test_util.h"

static const uint8_t other_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x03 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast4_mac[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

static const uint8_t other4[4] = { 192, 0, 2, 99 };
static const uint8_t bcast4[4] = { 255, 255, 255, 255 };
static const uint8_t subnet_bcast4[4] = { 192, 0, 2, 255 };
static const uint8_t mcast4[4] = { 224, 0, 0, 251 };
static const uint8_t loop4[4] = { 127, 0, 0, 1 };

static const uint8_t other6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x99 };
static const uint8_t mcast6[16] = { 0xff, 0x02, [15] = 0x01 };
static const uint8_t loop6[16] = { [15] = 0x01 };
static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
static const uint8_t sn_other6[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x99 };
static const uint8_t sn_other6_mac[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x99 };

/* --------------------------------------------------------- ARP builder */

/* An ARP packet (RFC 826) for Ethernet/IPv4, with knobs for the bad ones. */
struct arp_spec {
	const uint8_t *dmac;  /* NULL: broadcast */
	uint16_t op;          /* 0: request */
	uint16_t htype;       /* 0: 1 */
	uint8_t hlen;         /* 0: 6 */
	const uint8_t *spa, *tpa;
	uint16_t pad;
	int cut;              /* bytes removed from the ARP packet */
};

static uint8_t *build_arp(const struct arp_spec *s, uint32_t *len_out)
{
	uint8_t buf[128] = { 0 };
	uint8_t *a = buf + 14;

	memcpy(buf, s->dmac ? s->dmac : bcast_mac, 6);
	memcpy(buf + 6, peer_mac, 6);
	put16(buf + 12, 0x0806);
	put16(a, s->htype ? s->htype : 1);
	put16(a + 2, 0x0800);
	a[4] = s->hlen ? s->hlen : 6;
	a[5] = 4;
	put16(a + 6, s->op ? s->op : 1);
	memcpy(a + 8, peer_mac, 6);
	memcpy(a + 14, s->spa ? s->spa : peer4, 4);
	memcpy(a + 24, s->tpa ? s->tpa : our4, 4);

	uint32_t len = 14 + 28 - (uint32_t)s->cut + s->pad;
	uint8_t *frame = malloc(len);

	if (frame == NULL)
		abort();
	memcpy(frame, buf, len);
	*len_out = len;
	return frame;
}

/* ------------------------------------------------------------ payloads */

/* Besides rtp (classify_fixture.h): */
static const uint8_t rtp_marker[] = { 0x80, 0xe0, 0x12, 0x35, 0, 0, 0x10, 0, 0xde, 0xad, 0xbe,
				      0xef, 9, 9 };
static const uint8_t rtp_pt63_marker[] = { 0x80, 0xbf, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1 };
static const uint8_t rtcp_sr[] = { 0x80, 200, 0x00, 0x06, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0,
				   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t rtcp_192[] = { 0x81, 192, 0, 1, 0, 0, 0, 1 };
static const uint8_t rtcp_223[] = { 0x81, 223, 0, 1, 0, 0, 0, 1 };
static const uint8_t rtp_224[] = { 0x80, 224, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1 };
static const uint8_t one_byte_rtp[] = { 0x80 };
static const uint8_t stun[] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
				1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const uint8_t stun3[] = { 0x03, 0x00 };
static const uint8_t dtls[] = { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t dtls63[] = { 63 };
static const uint8_t turn_channel[] = { 0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4 };
static const uint8_t zrtp[] = { 0x10, 0x00 };
static const uint8_t byte127[] = { 127 };
static const uint8_t byte192[] = { 192, 0 };
static const uint8_t byte4[] = { 4 };

static const uint8_t echo4[] = { 8, 0, 0, 0, 0x12, 0x34, 0x00, 0x01, 'p', 'i', 'n', 'g' };
static const uint8_t echo4_reply[] = { 0, 0, 0, 0, 0x12, 0x34, 0x00, 0x01 };
static const uint8_t unreach4[] = { 3, 3, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 0 };
static const uint8_t icmp4_short[] = { 8, 0, 0, 0 };
static const uint8_t echo6[] = { 128, 0, 0, 0, 0x12, 0x34, 0x00, 0x01, 'p', 'i', 'n', 'g' };
static const uint8_t echo6_reply[] = { 129, 0, 0, 0, 0x12, 0x34, 0x00, 0x01 };
static const uint8_t rs6[] = { 133, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t icmp6_short[] = { 128, 0, 0, 0 };
/* NS for our6 with a source link-layer option; NS for other6; NA for
 * peer6 with a target link-layer option; an NS cut short. */
static const uint8_t ns_our6[] = { 135, 0, 0, 0, 0, 0, 0, 0,
				   0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
				   1, 1, 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t ns_other6[] = { 135, 0, 0, 0, 0, 0, 0, 0,
				     0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99,
				     1, 1, 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t na_peer6[] = { 136, 0, 0, 0, 0x60, 0, 0, 0,
				    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
				    2, 1, 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t ns_short[] = { 135, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8 };
static const uint8_t tcp_syn[] = { 0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
				   0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0 };

/* --------------------------------------------------------------- rows */

/* What an accepted frame must report beyond its class. */
struct expect {
	uint16_t l2_len;          /* 0: 14 */
	uint16_t local_index;
	bool rtcp;
	uint8_t slow;
	const uint8_t *local_ip;  /* NULL: no check */
};

struct row {
	int no;
	const char *what;
	struct spec s;
	enum dp_class cls;
	enum dp_drop drop;
	struct expect x;
	uint64_t ol;              /* rx_ol_flags */
	int no_verify;            /* the port does not verify UDP checksums */
};

#define ACCEPT4(cls_, idx_) .cls = (cls_), .x = { .local_index = (idx_) }
#define DROP(d) .cls = DP_CLASS_DROP, .drop = DP_DROP_##d

static const struct row rows[] = {
	/* Accepted IPv4 UDP: the RFC 7983 ranges, the RFC 5761 split. */
	{ 1, "IPv4 RTP", { PL(rtp) }, ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4) },
	{ 2, "IPv4 RTP, marker, PT 96 (224)", { PL(rtp_marker) }, ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4) },
	{ 3, "IPv4 RTP, marker, PT 63 (191)", { PL(rtp_pt63_marker) },
	  ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4) },
	{ 4, "IPv4 RTCP SR (200)", { PL(rtcp_sr) }, DP_CLASS_MEDIA, 0,
	  { .local_index = IDX_OUR4, .rtcp = true } },
	{ 5, "IPv4 RTCP type 192", { PL(rtcp_192) }, DP_CLASS_MEDIA, 0,
	  { .local_index = IDX_OUR4, .rtcp = true } },
	{ 6, "IPv4 RTCP type 223", { PL(rtcp_223) }, DP_CLASS_MEDIA, 0,
	  { .local_index = IDX_OUR4, .rtcp = true } },
	{ 7, "IPv4 second byte 224 is RTP", { PL(rtp_224) }, ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4) },
	{ 8, "IPv4 one-byte RTP", { PL(one_byte_rtp) }, ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4) },
	{ 9, "IPv4 STUN", { PL(stun) }, ACCEPT4(DP_CLASS_STUN, IDX_OUR4) },
	{ 10, "IPv4 first byte 3 is STUN", { PL(stun3) }, ACCEPT4(DP_CLASS_STUN, IDX_OUR4) },
	{ 11, "IPv4 DTLS handshake", { PL(dtls) }, ACCEPT4(DP_CLASS_DTLS, IDX_OUR4) },
	{ 12, "IPv4 first byte 63 is DTLS", { PL(dtls63) }, ACCEPT4(DP_CLASS_DTLS, IDX_OUR4) },
	{ 13, "IPv4 TURN channel (64)", { PL(turn_channel) }, ACCEPT4(DP_CLASS_UDP_OTHER, IDX_OUR4) },
	{ 14, "IPv4 ZRTP (16)", { PL(zrtp) }, ACCEPT4(DP_CLASS_UDP_OTHER, IDX_OUR4) },
	{ 15, "IPv4 first byte 4", { PL(byte4) }, ACCEPT4(DP_CLASS_UDP_OTHER, IDX_OUR4) },
	{ 16, "IPv4 first byte 127", { PL(byte127) }, ACCEPT4(DP_CLASS_UDP_OTHER, IDX_OUR4) },
	{ 17, "IPv4 first byte 192", { PL(byte192) }, ACCEPT4(DP_CLASS_UDP_OTHER, IDX_OUR4) },
	{ 18, "IPv4 empty UDP payload", { .pl_len = 0 }, ACCEPT4(DP_CLASS_UDP_OTHER, IDX_OUR4) },
	{ 19, "IPv4 RTP to our second address", { PL(rtp), .dst = our4b },
	  DP_CLASS_MEDIA, 0, { .local_index = IDX_OUR4B, .local_ip = our4b } },
	{ 20, "IPv4 RTP with Ethernet padding", { PL(one_byte_rtp), .pad = 17 },
	  ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4) },
	{ 21, "IPv4 RTP with zero UDP checksum (none)", { PL(rtp), .udp_ck = CK_ZERO },
	  ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4) },
	{ 22, "IPv4 RTP without DF", { PL(rtp), .frag = NO_FLAGS },
	  ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4) },

	/* Accepted IPv6 UDP. */
	{ 30, "IPv6 RTP", { .fam = 6, PL(rtp) }, DP_CLASS_MEDIA, 0, { .local_index = IDX_OUR6 } },
	{ 31, "IPv6 RTCP SR", { .fam = 6, PL(rtcp_sr) }, DP_CLASS_MEDIA, 0,
	  { .local_index = IDX_OUR6, .rtcp = true } },
	{ 32, "IPv6 STUN", { .fam = 6, PL(stun) }, DP_CLASS_STUN, 0, { .local_index = IDX_OUR6 } },
	{ 33, "IPv6 DTLS", { .fam = 6, PL(dtls) }, DP_CLASS_DTLS, 0, { .local_index = IDX_OUR6 } },
	{ 34, "IPv6 other", { .fam = 6, PL(turn_channel) }, DP_CLASS_UDP_OTHER, 0,
	  { .local_index = IDX_OUR6 } },
	{ 35, "IPv6 RTP to our link-local address", { .fam = 6, PL(rtp), .dst = our6ll },
	  DP_CLASS_MEDIA, 0, { .local_index = IDX_OUR6LL, .local_ip = our6ll } },
	{ 36, "IPv6 RTP with Ethernet padding", { .fam = 6, PL(one_byte_rtp), .pad = 3 },
	  DP_CLASS_MEDIA, 0, { .local_index = IDX_OUR6 } },

	/* Slow path. */
	{ 40, "ICMP echo request", { .proto = 1, PL(echo4) }, DP_CLASS_SLOWPATH, 0,
	  { .local_index = IDX_OUR4, .slow = DP_SLOW_ICMP_ECHO } },
	{ 41, "ICMPv6 echo request", { .fam = 6, .proto = 58, PL(echo6) }, DP_CLASS_SLOWPATH, 0,
	  { .local_index = IDX_OUR6, .slow = DP_SLOW_ICMP6_ECHO } },
	{ 42, "NS for our6 to its solicited-node group",
	  { .fam = 6, .proto = 58, .hops = 255, .dmac = sn_our6_mac, .dst = sn_our6, PL(ns_our6) },
	  DP_CLASS_SLOWPATH, 0, { .local_index = IDX_OUR6, .slow = DP_SLOW_ND_NS, .local_ip = our6 } },
	{ 43, "NS for our6 to our6 (unicast)", { .fam = 6, .proto = 58, .hops = 255, PL(ns_our6) },
	  DP_CLASS_SLOWPATH, 0, { .local_index = IDX_OUR6, .slow = DP_SLOW_ND_NS, .local_ip = our6 } },
	{ 44, "NS for our6 from :: (DAD)",
	  { .fam = 6, .proto = 58, .hops = 255, .src = unspec6, .dmac = sn_our6_mac, .dst = sn_our6,
	    PL(ns_our6) },
	  DP_CLASS_SLOWPATH, 0, { .local_index = IDX_OUR6, .slow = DP_SLOW_ND_NS, .local_ip = our6 } },
	{ 45, "NA to us", { .fam = 6, .proto = 58, .hops = 255, PL(na_peer6) }, DP_CLASS_SLOWPATH, 0,
	  { .local_index = IDX_OUR6, .slow = DP_SLOW_ND_NA } },

	/* Ethernet. */
	{ 50, "another unicast MAC", { PL(rtp), .dmac = other_mac }, DROP(ETH_NOT_FOR_US) },
	{ 51, "IPv4 to the broadcast MAC", { PL(rtp), .dmac = bcast_mac }, DROP(ETH_NOT_FOR_US) },
	{ 52, "IPv4 to an IPv4 multicast MAC", { PL(rtp), .dmac = mcast4_mac },
	  DROP(ETH_NOT_FOR_US) },
	{ 53, "IPv4 to a 33:33 MAC", { PL(rtp), .dmac = sn_our6_mac }, DROP(ETH_NOT_FOR_US) },
	{ 54, "IPv6 unicast to the broadcast MAC", { .fam = 6, PL(rtp), .dmac = bcast_mac },
	  DROP(ETH_NOT_FOR_US) },
	{ 55, "IPv6 unicast to a 33:33 MAC", { .fam = 6, PL(rtp), .dmac = sn_our6_mac },
	  DROP(ETH_NOT_FOR_US) },
	{ 56, "NS to the solicited-node group on another group's MAC",
	  { .fam = 6, .proto = 58, .hops = 255, .dmac = sn_other6_mac, .dst = sn_our6, PL(ns_our6) },
	  DROP(ETH_NOT_FOR_US) },
	{ 57, "NS to the solicited-node group on our unicast MAC",
	  { .fam = 6, .proto = 58, .hops = 255, .dst = sn_our6, PL(ns_our6) },
	  DROP(ETH_NOT_FOR_US) },
	{ 58, "tagged frame on an untagged port", { PL(rtp), .ntags = 1, .tci = { 100 } },
	  DROP(VLAN_MISMATCH) },
	{ 59, "priority-tagged (VID 0) frame on an untagged port",
	  { PL(rtp), .ntags = 1, .tci = { 0x6000 } }, DROP(VLAN_MISMATCH) },
	{ 60, "802.1ad tag on an untagged port", { PL(rtp), .ntags = 1, .tpid = { 0x88a8 } },
	  DROP(VLAN_MISMATCH) },
	{ 61, "LLDP ethertype", { PL(rtp), .etype = 0x88cc }, DROP(ETHERTYPE_UNKNOWN) },
	{ 62, "MPLS ethertype", { PL(rtp), .etype = 0x8847 }, DROP(ETHERTYPE_UNKNOWN) },

	/* IPv4 header. */
	{ 70, "IPv4 version 6 under ethertype IPv4", { PL(rtp), .ver = 6 }, DROP(IPV4_BAD_HEADER) },
	{ 71, "IPv4 version 5", { PL(rtp), .ver = 5 }, DROP(IPV4_BAD_HEADER) },
	{ 72, "IPv4 IHL 4", { PL(rtp), .ihl = 4 }, DROP(IPV4_BAD_HEADER) },
	{ 73, "IPv4 IHL 0", { PL(rtp), .ihl = IHL_0 }, DROP(IPV4_BAD_HEADER) },
	{ 74, "IPv4 IHL 6 (options)", { PL(rtp), .ihl = 6 }, DROP(IPV4_OPTIONS) },
	{ 75, "IPv4 IHL 15 (options)", { PL(rtp), .ihl = 15 }, DROP(IPV4_OPTIONS) },
	{ 76, "IPv4 total length past the frame", { PL(rtp), .ip_len_delta = 1 },
	  DROP(IPV4_BAD_HEADER) },
	{ 77, "IPv4 total length below the header", { .pl_len = 0, .ip_len_delta = -9 },
	  DROP(IPV4_BAD_HEADER) },
	{ 78, "IPv4 more fragments", { PL(rtp), .frag = 0x2000 }, DROP(IPV4_FRAGMENT) },
	{ 79, "IPv4 last fragment (offset)", { PL(rtp), .frag = 0x0010 }, DROP(IPV4_FRAGMENT) },
	{ 80, "IPv4 DF and an offset", { PL(rtp), .frag = 0x4001 }, DROP(IPV4_FRAGMENT) },
	{ 81, "IPv4 bad header checksum", { PL(rtp), .ip_ck_bad = true }, DROP(IPV4_BAD_CHECKSUM) },
	{ 82, "IPv4 to another host", { PL(rtp), .dst = other4 }, DROP(IPV4_NOT_FOR_US) },
	{ 83, "IPv4 to 255.255.255.255", { PL(rtp), .dst = bcast4 }, DROP(IPV4_NOT_FOR_US) },
	{ 84, "IPv4 to the subnet broadcast", { PL(rtp), .dst = subnet_bcast4 },
	  DROP(IPV4_NOT_FOR_US) },
	{ 85, "IPv4 to a multicast group", { PL(rtp), .dst = mcast4 }, DROP(IPV4_NOT_FOR_US) },
	{ 86, "IPv4 from a multicast source", { PL(rtp), .src = mcast4 }, DROP(IPV4_BAD_HEADER) },
	{ 87, "IPv4 from 0.0.0.0", { PL(rtp), .src = zero4 }, DROP(IPV4_BAD_HEADER) },
	{ 88, "IPv4 from 127.0.0.1", { PL(rtp), .src = loop4 }, DROP(IPV4_BAD_HEADER) },
	{ 89, "IPv4 from 255.255.255.255", { PL(rtp), .src = bcast4 }, DROP(IPV4_BAD_HEADER) },
	{ 90, "IPv4 TCP", { .proto = 6, PL(tcp_syn) }, DROP(L4_UNSUPPORTED) },
	{ 91, "IPv4 GRE", { .proto = 47, PL(tcp_syn) }, DROP(L4_UNSUPPORTED) },

	/* UDP. */
	{ 100, "UDP header cut (4 bytes, IP agreeing)", { PL(rtp), .l4_keep = 4 },
	  DROP(UDP_TRUNCATED) },
	{ 101, "UDP no bytes (IP length 20)", { PL(rtp), .ip_len_delta = -28 },
	  DROP(UDP_TRUNCATED) },
	{ 102, "UDP length 1 past the IP payload", { PL(rtp), .udp_len_delta = 1 },
	  DROP(UDP_BAD_LENGTH) },
	{ 103, "UDP length 1 short of the IP payload", { PL(rtp), .udp_len_delta = -1 },
	  DROP(UDP_BAD_LENGTH) },
	{ 104, "UDP length 7", { .pl_len = 0, .udp_len_delta = -1 }, DROP(UDP_BAD_LENGTH) },
	{ 105, "UDP length 0", { PL(rtp), .udp_len_delta = -28 }, DROP(UDP_BAD_LENGTH) },
	{ 106, "UDP bad checksum", { PL(rtp), .udp_ck = CK_BAD }, DROP(UDP_BAD_CHECKSUM) },
	{ 107, "UDP bad checksum, port does not verify", { PL(rtp), .udp_ck = CK_BAD },
	  ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4), .no_verify = 1 },
	{ 108, "IPv6 UDP zero checksum", { .fam = 6, PL(rtp), .udp_ck = CK_ZERO },
	  DROP(UDP_NO_CHECKSUM_V6) },
	{ 109, "IPv6 UDP zero checksum, port does not verify",
	  { .fam = 6, PL(rtp), .udp_ck = CK_ZERO }, DROP(UDP_NO_CHECKSUM_V6), .no_verify = 1 },
	{ 110, "IPv6 UDP bad checksum", { .fam = 6, PL(rtp), .udp_ck = CK_BAD },
	  DROP(UDP_BAD_CHECKSUM) },
	{ 111, "IPv6 UDP length past the payload", { .fam = 6, PL(rtp), .udp_len_delta = 2 },
	  DROP(UDP_BAD_LENGTH) },
	{ 112, "IPv6 UDP header cut", { .fam = 6, PL(rtp), .l4_keep = 7 }, DROP(UDP_TRUNCATED) },

	/* IPv6 header. */
	{ 120, "IPv6 version 4 under ethertype IPv6", { .fam = 6, PL(rtp), .ver = 4 },
	  DROP(IPV6_BAD_HEADER) },
	{ 121, "IPv6 payload length past the frame", { .fam = 6, PL(rtp), .ip_len_delta = 1 },
	  DROP(IPV6_BAD_HEADER) },
	{ 122, "IPv6 hop-by-hop options", { .fam = 6, .proto = PROTO_0, PL(tcp_syn) },
	  DROP(IPV6_EXT_HEADER) },
	{ 123, "IPv6 fragment header", { .fam = 6, .proto = 44, PL(tcp_syn) },
	  DROP(IPV6_EXT_HEADER) },
	{ 124, "IPv6 routing header", { .fam = 6, .proto = 43, PL(tcp_syn) },
	  DROP(IPV6_EXT_HEADER) },
	{ 125, "IPv6 destination options", { .fam = 6, .proto = 60, PL(tcp_syn) },
	  DROP(IPV6_EXT_HEADER) },
	{ 126, "IPv6 TCP", { .fam = 6, .proto = 6, PL(tcp_syn) }, DROP(L4_UNSUPPORTED) },
	{ 127, "IPv6 no next header (59)", { .fam = 6, .proto = 59, PL(tcp_syn) },
	  DROP(L4_UNSUPPORTED) },
	{ 128, "IPv6 to another host", { .fam = 6, PL(rtp), .dst = other6 }, DROP(IPV6_NOT_FOR_US) },
	{ 129, "IPv6 to all-nodes", { .fam = 6, PL(rtp), .dst = mcast6 }, DROP(IPV6_NOT_FOR_US) },
	{ 130, "IPv6 UDP to our solicited-node group",
	  { .fam = 6, PL(rtp), .dmac = sn_our6_mac, .dst = sn_our6 }, DROP(IPV6_NOT_FOR_US) },
	{ 131, "IPv6 from a multicast source", { .fam = 6, PL(rtp), .src = mcast6 },
	  DROP(IPV6_BAD_HEADER) },
	{ 132, "IPv6 from ::1", { .fam = 6, PL(rtp), .src = loop6 }, DROP(IPV6_BAD_HEADER) },
	{ 133, "IPv6 UDP from ::", { .fam = 6, PL(rtp), .src = unspec6 }, DROP(IPV6_BAD_HEADER) },

	/* ICMP and ICMPv6. */
	{ 140, "ICMP echo reply", { .proto = 1, PL(echo4_reply) }, DROP(ICMP_UNSUPPORTED) },
	{ 141, "ICMP port unreachable", { .proto = 1, PL(unreach4) }, DROP(ICMP_UNSUPPORTED) },
	{ 142, "ICMP message of 4 bytes", { .proto = 1, PL(icmp4_short) }, DROP(ICMP_INVALID) },
	{ 143, "ICMP echo to another host", { .proto = 1, PL(echo4), .dst = other4 },
	  DROP(IPV4_NOT_FOR_US) },
	{ 144, "ICMPv6 echo reply", { .fam = 6, .proto = 58, PL(echo6_reply) },
	  DROP(ICMP_UNSUPPORTED) },
	{ 145, "ICMPv6 router solicitation", { .fam = 6, .proto = 58, .hops = 255, PL(rs6) },
	  DROP(ICMP_UNSUPPORTED) },
	{ 146, "ICMPv6 message of 4 bytes", { .fam = 6, .proto = 58, PL(icmp6_short) },
	  DROP(ICMP_INVALID) },
	{ 147, "NS cut to 12 bytes", { .fam = 6, .proto = 58, .hops = 255, PL(ns_short) },
	  DROP(ICMP_INVALID) },
	{ 148, "NS for another host to its group",
	  { .fam = 6, .proto = 58, .hops = 255, .dmac = sn_other6_mac, .dst = sn_other6,
	    PL(ns_other6) },
	  DROP(IPV6_NOT_FOR_US) },
	{ 149, "NS for another host to our6", { .fam = 6, .proto = 58, .hops = 255, PL(ns_other6) },
	  DROP(IPV6_NOT_FOR_US) },
	{ 150, "NS for our6 to another group",
	  { .fam = 6, .proto = 58, .hops = 255, .dmac = sn_other6_mac, .dst = sn_other6,
	    PL(ns_our6) },
	  DROP(IPV6_NOT_FOR_US) },
	{ 151, "ICMPv6 echo to the solicited-node group",
	  { .fam = 6, .proto = 58, .dmac = sn_our6_mac, .dst = sn_our6, PL(echo6) },
	  DROP(IPV6_NOT_FOR_US) },
	{ 152, "ICMPv6 echo from ::", { .fam = 6, .proto = 58, .src = unspec6, PL(echo6) },
	  DROP(IPV6_BAD_HEADER) },
	{ 153, "NA to all-nodes", { .fam = 6, .proto = 58, .hops = 255,
				    .dmac = all_nodes_mac,
				    .dst = mcast6, PL(na_peer6) },
	  DROP(IPV6_NOT_FOR_US) },
};

static const struct row vlan_rows[] = {
	{ 200, "tag 100 on port 100", { PL(rtp), .ntags = 1, .tci = { 100 } }, DP_CLASS_MEDIA, 0,
	  { .l2_len = 18, .local_index = IDX_OUR4 } },
	{ 201, "tag 100 with PCP 5 and DEI", { PL(rtcp_sr), .ntags = 1, .tci = { 0xb064 } },
	  DP_CLASS_MEDIA, 0, { .l2_len = 18, .local_index = IDX_OUR4, .rtcp = true } },
	{ 202, "IPv6 tag 100", { .fam = 6, PL(stun), .ntags = 1, .tci = { 100 } }, DP_CLASS_STUN, 0,
	  { .l2_len = 18, .local_index = IDX_OUR6 } },
	{ 203, "ICMP echo tag 100", { .proto = 1, PL(echo4), .ntags = 1, .tci = { 100 } },
	  DP_CLASS_SLOWPATH, 0, { .l2_len = 18, .local_index = IDX_OUR4, .slow = DP_SLOW_ICMP_ECHO } },
	{ 204, "tag 101 on port 100", { PL(rtp), .ntags = 1, .tci = { 101 } }, DROP(VLAN_MISMATCH) },
	{ 205, "untagged on port 100", { PL(rtp) }, DROP(VLAN_MISMATCH) },
	{ 206, "priority tag (VID 0) on port 100", { PL(rtp), .ntags = 1, .tci = { 0 } },
	  DROP(VLAN_MISMATCH) },
	{ 207, "two tags, 100 outside", { PL(rtp), .ntags = 2, .tci = { 100, 100 } },
	  DROP(VLAN_MISMATCH) },
	{ 208, "802.1ad outer tag 100",
	  { PL(rtp), .ntags = 2, .tpid = { 0x88a8 }, .tci = { 100, 100 } },
	  DROP(VLAN_MISMATCH) },
	{ 209, "tag 100 then an 802.1ad tag",
	  { PL(rtp), .ntags = 2, .tpid = { 0x8100, 0x88a8 }, .tci = { 100, 7 } },
	  DROP(VLAN_MISMATCH) },
	{ 210, "tag 100, unknown ethertype", { PL(rtp), .ntags = 1, .tci = { 100 }, .etype = 0x88cc },
	  DROP(ETHERTYPE_UNKNOWN) },
	{ 211, "tag 100 to another MAC", { PL(rtp), .ntags = 1, .tci = { 100 }, .dmac = other_mac },
	  DROP(ETH_NOT_FOR_US) },
	{ 212, "a single 802.1ad tag 100", { PL(rtp), .ntags = 1, .tpid = { 0x88a8 }, .tci = { 100 } },
	  DROP(VLAN_MISMATCH) },
};

/* The NIC's verdicts, against frames whose checksums are right or wrong. */
#define IP_GOOD RTE_MBUF_F_RX_IP_CKSUM_GOOD
#define IP_BAD RTE_MBUF_F_RX_IP_CKSUM_BAD
#define IP_NONE RTE_MBUF_F_RX_IP_CKSUM_NONE
#define L4_GOOD RTE_MBUF_F_RX_L4_CKSUM_GOOD
#define L4_BAD RTE_MBUF_F_RX_L4_CKSUM_BAD
#define L4_NONE RTE_MBUF_F_RX_L4_CKSUM_NONE

static const struct row flag_rows[] = {
	{ 300, "bad IP checksum, NIC says GOOD", { PL(rtp), .ip_ck_bad = true },
	  ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4), .ol = IP_GOOD },
	{ 301, "bad IP checksum, NIC says NONE (verified)", { PL(rtp), .ip_ck_bad = true },
	  ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4), .ol = IP_NONE },
	{ 302, "good IP checksum, NIC says BAD", { PL(rtp) }, DROP(IPV4_BAD_CHECKSUM), .ol = IP_BAD },
	{ 303, "bad IP checksum, NIC says nothing", { PL(rtp), .ip_ck_bad = true },
	  DROP(IPV4_BAD_CHECKSUM), .ol = L4_GOOD },
	{ 304, "bad UDP checksum, NIC says GOOD", { PL(rtp), .udp_ck = CK_BAD },
	  ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4), .ol = IP_GOOD | L4_GOOD },
	{ 305, "bad UDP checksum, NIC says NONE", { PL(rtp), .udp_ck = CK_BAD },
	  ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4), .ol = L4_NONE },
	{ 306, "good UDP checksum, NIC says BAD", { PL(rtp) }, DROP(UDP_BAD_CHECKSUM),
	  .ol = IP_GOOD | L4_BAD },
	{ 307, "good UDP checksum, NIC says BAD, port does not verify", { PL(rtp) },
	  DROP(UDP_BAD_CHECKSUM), .ol = L4_BAD, .no_verify = 1 },
	{ 308, "zero UDP checksum (IPv4), NIC says BAD", { PL(rtp), .udp_ck = CK_ZERO },
	  ACCEPT4(DP_CLASS_MEDIA, IDX_OUR4), .ol = L4_BAD },
	{ 309, "bad UDP checksum, NIC says nothing, port verifies", { PL(rtp), .udp_ck = CK_BAD },
	  DROP(UDP_BAD_CHECKSUM), .ol = IP_GOOD },
	{ 310, "IPv6 bad UDP checksum, NIC says GOOD", { .fam = 6, PL(rtp), .udp_ck = CK_BAD },
	  DP_CLASS_MEDIA, 0, { .local_index = IDX_OUR6 }, .ol = L4_GOOD },
	{ 311, "IPv6 good UDP checksum, NIC says BAD", { .fam = 6, PL(rtp) },
	  DROP(UDP_BAD_CHECKSUM), .ol = L4_BAD },
	{ 312, "IPv6 zero UDP checksum, NIC says GOOD", { .fam = 6, PL(rtp), .udp_ck = CK_ZERO },
	  DROP(UDP_NO_CHECKSUM_V6), .ol = L4_GOOD },
	{ 313, "IP flags on IPv6 are ignored", { .fam = 6, PL(rtp) }, DP_CLASS_MEDIA, 0,
	  { .local_index = IDX_OUR6 }, .ol = IP_BAD },
};

/* ------------------------------------------------------------- checks */

/* Checks what an accepted frame reports against the spec it came from. */
static void check_accepted(const struct row *r, const struct dp_pkt *p, const uint8_t *frame,
			   uint32_t len)
{
	const struct spec *s = &r->s;
	bool v6 = s->fam == 6;
	uint16_t l2 = r->x.l2_len ? r->x.l2_len : 14;
	uint16_t l3_len = v6 ? 40 : 20;
	const uint8_t *src = s->src ? s->src : v6 ? peer6 : peer4;
	const uint8_t *dst = s->dst ? s->dst : v6 ? our6 : our4;
	const uint8_t *local_ip = r->x.local_ip ? r->x.local_ip : dst;
	unsigned alen = v6 ? 16 : 4;
	uint8_t zero[16] = { 0 };

	CHECK(p->l2_len == l2 && p->l3_off == l2, "row %d: l2_len %u", r->no, p->l2_len);
	CHECK(p->l4_off == l2 + l3_len, "row %d: l4_off %u", r->no, p->l4_off);
	CHECK(p->family == (v6 ? STRATA_AF_INET6 : STRATA_AF_INET), "row %d: family", r->no);
	CHECK(p->local_addr_index == r->x.local_index, "row %d: local index %u, want %u", r->no,
	      p->local_addr_index, r->x.local_index);
	CHECK(p->local.family == p->family && p->remote.family == p->family, "row %d: addr family",
	      r->no);
	CHECK(memcmp(p->local.ip, local_ip, alen) == 0 &&
	      memcmp(p->local.ip + alen, zero, 16 - alen) == 0,
	      "row %d: local address", r->no);
	CHECK(memcmp(p->remote.ip, src, alen) == 0 &&
	      memcmp(p->remote.ip + alen, zero, 16 - alen) == 0,
	      "row %d: remote address", r->no);
	CHECK(p->ip_end == len - s->pad, "row %d: ip_end %u, frame %u, pad %u", r->no, p->ip_end,
	      len, s->pad);
	CHECK(p->ip_end <= len && p->l4_off + p->l4_len == p->ip_end, "row %d: l4 span", r->no);

	if (r->cls == DP_CLASS_SLOWPATH) {
		CHECK(p->slow == r->x.slow, "row %d: slow kind %u, want %u", r->no, p->slow, r->x.slow);
		CHECK(p->l4_len == s->pl_len, "row %d: l4_len %u", r->no, p->l4_len);
		CHECK(p->proto == (v6 ? 58 : 1), "row %d: proto %u", r->no, p->proto);
		return;
	}
	CHECK(p->proto == 17, "row %d: proto %u", r->no, p->proto);
	CHECK(p->local.port == DPORT && p->remote.port == SPORT, "row %d: ports %u %u", r->no,
	      p->local.port, p->remote.port);
	CHECK(p->payload_off == p->l4_off + 8, "row %d: payload_off %u", r->no, p->payload_off);
	CHECK(p->payload_len == s->pl_len, "row %d: payload_len %u, want %u", r->no, p->payload_len,
	      s->pl_len);
	CHECK(p->l4_len == s->pl_len + 8, "row %d: l4_len", r->no);
	CHECK(p->payload_off + p->payload_len <= len &&
	      (s->pl_len == 0 || memcmp(frame + p->payload_off, s->pl, s->pl_len) == 0),
	      "row %d: payload bytes", r->no);
	CHECK(p->rtcp == r->x.rtcp, "row %d: rtcp %d, want %d", r->no, p->rtcp, r->x.rtcp);
	CHECK(p->vlan == (l2 == 18 ? 100 : 0), "row %d: vlan %u", r->no, p->vlan);
}

static void run_rows(const struct row *tab, size_t n, uint16_t vlan)
{
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &tab[i];
		struct dp_iface ifc = make_iface(vlan);
		struct dp_pkt p;
		uint32_t len;
		uint8_t *frame = build(&r->s, &len);

		ifc.verify_rx_cksum = !r->no_verify;
		enum dp_class c = dp_classify(&ifc, frame, len, r->ol, &p);

		CHECK(c == r->cls, "row %d (%s): class %s, want %s (drop %s)", r->no, r->what,
		      class_names[c], class_names[r->cls], c == DP_CLASS_DROP ? drop_names[p.drop] : "-");
		if (c == r->cls && c == DP_CLASS_DROP)
			CHECK(p.drop == r->drop, "row %d (%s): drop %s, want %s", r->no, r->what,
			      drop_names[p.drop], drop_names[r->drop]);
		if (c == r->cls && c != DP_CLASS_DROP)
			check_accepted(r, &p, frame, len);
		free(frame);
	}
}

/* ---------------------------------------------------------------- ARP */

struct arp_row {
	int no;
	const char *what;
	struct arp_spec s;
	enum dp_class cls;
	enum dp_drop drop;
	uint16_t local_index;
};

static const struct arp_row arp_rows[] = {
	{ 400, "request for our4, broadcast", { 0 }, DP_CLASS_SLOWPATH, 0, IDX_OUR4 },
	{ 401, "request for our4b, unicast", { .dmac = our_mac, .tpa = our4b }, DP_CLASS_SLOWPATH, 0,
	  IDX_OUR4B },
	{ 402, "reply to us", { .dmac = our_mac, .op = 2 }, DP_CLASS_SLOWPATH, 0, IDX_OUR4 },
	{ 403, "request padded to 60 bytes", { .pad = 18 }, DP_CLASS_SLOWPATH, 0, IDX_OUR4 },
	{ 404, "gratuitous announcement of a neighbour", { .spa = peer4, .tpa = peer4 },
	  DP_CLASS_SLOWPATH, 0, 0 },
	{ 405, "request for another host", { .tpa = other4 }, DROP(ARP_NOT_FOR_US) },
	{ 406, "reply for another host", { .op = 2, .tpa = other4 }, DROP(ARP_NOT_FOR_US) },
	{ 407, "hardware type 6", { .htype = 6 }, DROP(ARP_INVALID) },
	{ 408, "hardware length 8", { .hlen = 8 }, DROP(ARP_INVALID) },
	{ 409, "opcode 3 (RARP)", { .op = 3 }, DROP(ARP_INVALID) },
	{ 410, "cut to 27 bytes", { .cut = 1 }, DROP(ARP_INVALID) },
	{ 411, "cut to 8 bytes", { .cut = 20 }, DROP(ARP_INVALID) },
	{ 412, "to another unicast MAC", { .dmac = other_mac }, DROP(ETH_NOT_FOR_US) },
	{ 413, "to a 33:33 MAC", { .dmac = sn_our6_mac }, DROP(ETH_NOT_FOR_US) },
};

static void run_arp_rows(void)
{
	struct dp_iface ifc = make_iface(0);

	for (size_t i = 0; i < ARRAY_LEN(arp_rows); i++) {
		const struct arp_row *r = &arp_rows[i];
		struct dp_pkt p;
		uint32_t len;
		uint8_t *frame = build_arp(&r->s, &len);
		enum dp_class c = dp_classify(&ifc, frame, len, 0, &p);

		CHECK(c == r->cls, "arp row %d (%s): class %s, want %s (drop %s)", r->no, r->what,
		      class_names[c], class_names[r->cls], c == DP_CLASS_DROP ? drop_names[p.drop] : "-");
		if (c == r->cls && c == DP_CLASS_DROP)
			CHECK(p.drop == r->drop, "arp row %d (%s): drop %s, want %s", r->no, r->what,
			      drop_names[p.drop], drop_names[r->drop]);
		if (c == r->cls && c == DP_CLASS_SLOWPATH) {
			CHECK(p.slow == DP_SLOW_ARP && p.l4_off == 14 && p.l4_len == 28 &&
			      p.ip_end == 42 && p.family == STRATA_AF_INET,
			      "arp row %d: layout", r->no);
			CHECK(p.local_addr_index == r->local_index, "arp row %d: index %u", r->no,
			      p.local_addr_index);
		}
		free(frame);
	}
}

int main(void)
{
	run_rows(rows, ARRAY_LEN(rows), 0);
	run_rows(vlan_rows, ARRAY_LEN(vlan_rows), 100);
	run_rows(flag_rows, ARRAY_LEN(flag_rows), 0);
	run_arp_rows();
	return test_summary("dp_classify_rows");
}
