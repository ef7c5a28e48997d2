/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the tests of the main lcore's L2/L3 work (test_dp_l2l3_*.c) share,
 * besides net_fixture.h: the peer's own port, neighbour tables on the
 * tests' clock, heap buffers of an exact size, and handle(), which runs a
 * slow-path handler on a frame in a buffer of exactly `cap` bytes, so that
 * ASan catches a write past what the handler was given.
 *
 * classify_slow() and handle() CHECK what they are given; nothing else
 * here does.
 */
#ifndef STRATA_L2L3_FIXTURE_H
#define STRATA_L2L3_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "../dataplane/net/classify.h"
#include "../dataplane/net/headers.h"
#include "../dataplane/net/neighbor.h"
#include "../dataplane/net/slowpath.h"
#include "net_fixture.h"

extern const uint8_t new_mac[6];  /* where a neighbour moves to */
extern const uint8_t other4[4];   /* another host on our IPv4 prefix */

#define PORT 1   /* our_iface()'s port */
#define HZ 1000 /* the tests' clock: milliseconds */

/* Our port, with the global address indexes 1 to 4. */
static inline struct dp_iface us_iface(uint16_t vlan)
{
	return our_iface(vlan, 1);
}

/* The peer's port (7), its addresses indexed 21 and 22. */
struct dp_iface peer_iface(uint16_t vlan);
/* A neighbour table of capacity entries on the tests' clock; free() it. */
struct dp_neighbor_table *table_new(uint32_t capacity);

/* A heap buffer of cap bytes holding the len bytes of src. */
uint8_t *heap(const uint8_t *src, uint32_t len, uint32_t cap);

/* Classifies frame (len bytes) on ifc, expecting SLOWPATH. */
bool classify_slow(const struct dp_iface *ifc, const uint8_t *frame, uint32_t len,
		   struct dp_pkt *p, const char *what);
/* Runs the handler for frame on ifc in a buffer of exactly cap bytes;
 * copies the answer (if any) to out. */
struct dp_slow_result handle(const struct dp_iface *ifc, struct dp_neighbor_table *nbr,
			     const uint8_t *frame, uint32_t len, uint32_t cap, uint64_t now,
			     uint8_t *out, const char *what);

#endif /* STRATA_L2L3_FIXTURE_H */
