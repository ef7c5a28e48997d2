/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the receiver's congestion feedback leaves the RTCP path and enters
 * the bandwidth estimator: the one call between dataplane/rtcp_rx.c (which
 * parses the receiver's SRTCP) and dataplane/bwe/ (which estimates).
 *
 * Called on the worker that owns the receiver leg (the single writer of
 * that leg's estimator state), once per individual RTCP packet of these
 * types, after the compound passed SRTCP authentication:
 *   DP_RTCP_ITEM_TWCC  transport-wide feedback (item->twcc),
 *   DP_RTCP_ITEM_REMB  the receiver's own estimate (item->remb),
 *   DP_RTCP_ITEM_SR / DP_RTCP_ITEM_RR  report blocks (fraction lost) about
 *                      streams the router sends this receiver.
 * The item and the buffers it points into are valid only during the call.
 * The call must not block or allocate (it is on the packet path).
 *
 * The estimator defines it (leg_bwe.c).
 */
#ifndef STRATA_DP_BWE_HOOK_H
#define STRATA_DP_BWE_HOOK_H

#include <stdint.h>

#include "rtcp/rtcp.h"

struct dp_worker;

struct dp_bwe_feedback {
	uint32_t leg;                    /* the receiver leg the RTCP came from */
	uint32_t sender_ssrc;            /* item->ssrc: the receiver's RTCP SSRC */
	const struct dp_rtcp_item *item; /* TWCC, REMB, SR or RR */
	uint64_t now_tsc;                /* rte_rdtsc() read once per burst */
	int64_t now_us;                  /* the same instant, monotonic microseconds */
	int64_t rtt_us;                  /* the leg's latest RTT from its RRs, -1 = unknown */
};

void dp_bwe_on_feedback(struct dp_worker *w, const struct dp_bwe_feedback *fb);

#endif /* STRATA_DP_BWE_HOOK_H */
