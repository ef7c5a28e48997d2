/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A receiving leg's output headers, built once and copied for every packet.
 *
 * Ethernet (+ VLAN), IP and UDP headers of everything sent to a leg are the
 * same but for three length fields and two checksums.  The worker that
 * serves the leg keeps them ready, with the one's-complement sums of the
 * parts that do not change, so each output costs one fixed-size copy and a
 * few additions instead of building headers and summing pseudo-headers.
 * The template is rebuilt when the leg's remote moves (remote_gen) or its
 * next hop's MAC changes (the neighbour entry's mac_state).
 */
#ifndef STRATA_DP_OUT_TEMPLATE_H
#define STRATA_DP_OUT_TEMPLATE_H

#include <stdint.h>

#include "net/iface.h"

#define DP_OUT_TEMPLATE_BYTES 72 /* >= DP_UDP_HEADERS_MAX (66), a multiple of 8 */

struct dp_out_template {
	uint64_t mac_state;      /* the neighbour entry's mac_state it was built for */
	uint64_t ol_flags;       /* checksum offload flags, 0 = computed in software */
	uint32_t remote_gen;     /* the leg's remote_gen it was built for */
	uint32_t ip_sum;         /* IPv4 header sum with length and checksum zero */
	uint32_t pseudo_sum;     /* pseudo-header sum without the UDP length */
	uint16_t hl;             /* Ethernet through UDP */
	uint8_t l2_len;
	uint8_t l3_len;
	uint8_t family;
	uint8_t valid;
	uint8_t pad[6];
	uint8_t bytes[DP_OUT_TEMPLATE_BYTES] __attribute__((aligned(8)));
};

/* Builds the template for (local -> remote via mac) on port ifc; valid
 * stays 0 when the addresses cannot make a header. */
void dp_out_template_build(struct dp_out_template *t, const struct dp_iface *ifc,
			   const uint8_t mac[6], const struct strata_addr *local,
			   const struct strata_addr *remote);

#endif /* STRATA_DP_OUT_TEMPLATE_H */
