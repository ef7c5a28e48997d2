/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The acknowledged bit rate: how fast the receiver got what we sent,
 * R_hat(i) of draft-ietf-rmcat-gcc-02 section 5.5:
 *
 *   "R_hat(i) is the incoming bitrate measured by the delay-based
 *    controller over a T seconds window:
 *
 *      R_hat(i) = 1/T * sum(L(j)) for j from 1 to N(i)
 *
 *    N(i) is the number of packets received the past T seconds and L(j) is
 *    the payload size of packet j.  A window between 0.5 and 1 second is
 *    RECOMMENDED."
 *
 * Measured on the receiver's arrival times (from the transport feedback),
 * so it is the rate the bottleneck delivered, not the rate we sent.  The
 * window is T = 500 ms in DP_ACKED_BINS bins of 50 ms, indexed by arrival
 * time, so the state is fixed and a packet whose feedback comes late still
 * lands in its own bin while that bin is in the window.  Until the
 * arrivals span DP_ACKED_MIN_SPAN_US there is no rate (0): a first burst
 * says nothing about a rate.  L(j) is the packet's size as sent (headers
 * included), which is what the link carries.
 */
#ifndef STRATA_DP_BWE_ACKED_RATE_H
#define STRATA_DP_BWE_ACKED_RATE_H

#include <stdbool.h>
#include <stdint.h>

#define DP_ACKED_BIN_US 50000
#define DP_ACKED_BINS 10                  /* T = 500 ms */
#define DP_ACKED_MIN_SPAN_US 100000

struct dp_acked_rate {
	uint32_t bytes[DP_ACKED_BINS];
	int64_t newest_bin;        /* arrival / DP_ACKED_BIN_US of the newest packet */
	int64_t first_arrival_us;
	int64_t newest_arrival_us;
	bool started;
};

void dp_acked_rate_init(struct dp_acked_rate *a);

/* Counts a packet received at arrival_us (the receiver's clock). */
void dp_acked_rate_add(struct dp_acked_rate *a, int64_t arrival_us, uint32_t size);

/* R_hat in bits per second over the window, or 0 while unknown. */
double dp_acked_rate_bps(const struct dp_acked_rate *a);

#endif /* STRATA_DP_BWE_ACKED_RATE_H */
