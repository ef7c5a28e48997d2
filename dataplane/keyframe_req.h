/* SPDX-License-Identifier: BSD-3-Clause */
/* The main lcore's RTCP: keyframe requests, NACKs and reports it sends
 * (keyframe_req.c, rtcp_reports.c). */
#ifndef STRATA_DP_KEYFRAME_REQ_H
#define STRATA_DP_KEYFRAME_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include "main_lcore.h"

/* Asks the publisher of stream for a keyframe (FIR or PLI), unless the
 * stream was asked within dataplane.timers.keyframe_request_ms. */
void dp_keyframe_request(struct dp_main *mn, uint32_t stream, bool fir, uint64_t now);

/* A worker's notification of enum dp_rtcp_notify; false if v is not one. */
bool dp_rtcp_main_notify(struct dp_main *mn, uint64_t v, uint64_t now);

/* Once per main pass: NACKs collected, and the reports when they are due. */
void dp_rtcp_main_tick(struct dp_main *mn, uint64_t now);
void dp_rtcp_reports_tick(struct dp_main *mn, uint64_t now);

/* SRTCP-protects len bytes of RTCP as tx's SSRC under the leg's transmit
 * session and sends them to the leg's client.  0, or -1 (counted). */
int dp_rtcp_main_send(struct dp_main *mn, uint32_t leg_id, struct strata_srtp_tx *tx,
		      const uint8_t *rtcp, uint32_t len);
/* The SSRC the router speaks as on a leg (chosen at random per leg). */
uint32_t dp_rtcp_router_ssrc(struct dp_main *mn, uint32_t leg_id);

#endif /* STRATA_DP_KEYFRAME_REQ_H */
