/* SPDX-License-Identifier: BSD-3-Clause */
/* RTCP from clients, on the worker that owns their leg (rtcp_rx.c). */
#ifndef STRATA_DP_RTCP_RX_H
#define STRATA_DP_RTCP_RX_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"
#include "rtcp/rtcp.h"

/*
 * The SRTCP receive state of an RTCP sender SSRC that the leg does not
 * publish (a receive-only client's); *slot identifies it for
 * dp_rtcp_rx_checked.  NULL when the leg's table of such senders is full.
 */
struct strata_srtp_rx *dp_rtcp_rx_lookup(struct dp_worker *w, uint32_t leg_id, uint32_t ssrc,
					 uint8_t *slot);
/* After the unprotect: a new sender is kept only if it authenticated. */
void dp_rtcp_rx_checked(struct dp_worker *w, uint32_t leg_id, uint8_t slot, bool ok);

/*
 * One authenticated, decrypted compound or reduced-size packet from the
 * leg (stream: the published stream whose SSRC sent it, or 0).  Returns
 * the packet's disposition: RTCP_CONSUMED, or RTCP_INVALID when a part of
 * it did not parse (the parts before that were still acted on; rtcp.h).
 */
enum dp_drop dp_rtcp_rx_process(struct dp_worker *w, uint32_t leg_id, uint32_t stream,
				 const uint8_t *p, uint32_t len, uint64_t now);

/* The publisher stream a subscription gets now (or wants), 0 = none. */
uint32_t dp_rtcp_sub_stream(const struct dp *dp, const struct dp_sub *sub);

/* RFC 4585 6.2.1: a receiver's Generic NACK, answered from the cache;
 * misses are asked of the publisher (rtcp_nack.c). */
void dp_rtcp_nack_answer(struct dp_worker *w, uint32_t leg_id, const struct dp_rtcp_nack *n,
			 uint64_t now);

#endif /* STRATA_DP_RTCP_RX_H */
