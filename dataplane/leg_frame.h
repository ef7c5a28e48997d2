/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A frame to a leg's client built outside the fan-out (retransmissions on
 * workers, the main lcore's own RTCP): the leg's addresses, its next hop's
 * MAC, Ethernet/IP/UDP headers around a payload written in between.
 */
#ifndef STRATA_DP_LEG_FRAME_H
#define STRATA_DP_LEG_FRAME_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dp.h"

/*
 * Writes the headers for a UDP payload of payload_len bytes into m and
 * returns where the payload goes; NULL with *why (NO_REMOTE, NO_NEIGHBOR,
 * TOO_BIG) when the leg cannot be sent to now.  *pi is the port index.
 */
uint8_t *dp_leg_frame_start(const struct dp *dp, const struct dp_leg *leg, struct rte_mbuf *m,
			    uint16_t payload_len, uint16_t *pi, uint16_t *hl, enum dp_tx_drop *why);

/* Sets the lengths and the UDP checksum (or the port's offload). */
void dp_leg_frame_finish(const struct dp *dp, struct rte_mbuf *m, uint16_t pi, uint16_t hl,
			 uint16_t payload_len);

#endif /* STRATA_DP_LEG_FRAME_H */
