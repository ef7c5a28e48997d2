/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the classifier's tests (test_dp_classify_*.c) share: our port with
 * known address indexes, and a builder of frames that shares no code with
 * the dataplane (net_fixture.h's checksums, in network order).  Each frame
 * comes in a heap buffer of exactly its length, so that under
 * AddressSanitizer a read one byte past the frame fails the test.
 *
 * Nothing here CHECKs: each test counts its own checks.
 */
#ifndef STRATA_CLASSIFY_FIXTURE_H
#define STRATA_CLASSIFY_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "net_fixture.h"

extern const char *const class_names[];

/* The global indexes of our four addresses (net_fixture.h's order). */
#define IDX_OUR4 11
#define IDX_OUR4B 12
#define IDX_OUR6 13
#define IDX_OUR6LL 14

static inline struct dp_iface make_iface(uint16_t vlan)
{
	return our_iface(vlan, IDX_OUR4);
}

enum { CK_GOOD = 0, CK_BAD, CK_ZERO };

/* A frame to build; zero fields take the value of a valid IPv4 UDP frame
 * from the peer to our4, port 40000 -> 5004. */
struct spec {
	uint8_t fam;             /* 4 or 6 */
	const uint8_t *dmac;     /* NULL: ours */
	uint8_t ntags;           /* 802.1Q tags to write */
	uint16_t tpid[2];        /* 0: 0x8100 */
	uint16_t tci[2];
	uint16_t etype;          /* 0: by family */
	uint8_t ver;             /* 0: by family */
	uint8_t ihl;             /* IPv4 header words, 0: 5, IHL_0: 0 (options are NOPs) */
	uint16_t frag;           /* IPv4 flags + offset, 0: DF, NO_FLAGS: 0 */
	int proto;               /* 0: UDP, PROTO_0: 0 */
	uint8_t hops;            /* 0: 64 */
	const uint8_t *src;      /* NULL: the peer's */
	const uint8_t *dst;      /* NULL: our first of the family */
	int ip_len_delta;        /* added to the IP length field */
	int udp_len_delta;       /* added to the UDP length field */
	uint8_t udp_ck;          /* CK_* */
	bool ip_ck_bad;
	const uint8_t *pl;       /* UDP payload, or the ICMP message */
	uint16_t pl_len;
	uint16_t pad;            /* bytes after the IP packet */
	uint16_t l4_keep;        /* nonzero: only this many L4 bytes, IP agreeing */
};

#define IHL_0 0x10
#define NO_FLAGS 0xffff
#define PROTO_0 256

#define SPORT 40000
#define DPORT 5004

/* Builds the frame into a heap buffer of exactly its length. */
uint8_t *build(const struct spec *s, uint32_t *len_out);

/* An RTP packet: the payload most rows and sweeps start from. */
extern const uint8_t rtp[20];

#define PL(a) .pl = (a), .pl_len = sizeof(a)

#endif /* STRATA_CLASSIFY_FIXTURE_H */
