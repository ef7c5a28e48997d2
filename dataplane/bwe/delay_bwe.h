/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The delay-based estimate of one receiver leg, draft-ietf-rmcat-gcc-02
 * section 5: "The delay-based control algorithm can be further decomposed
 * into four parts: a pre-filtering, an arrival-time filter, an over-use
 * detector, and a rate controller."  Here they are, in that order:
 * inter_arrival.h (sections 5.1 and 5.2), trendline.h (5.3 and 5.4),
 * acked_rate.h (R_hat) and aimd.h (5.5).
 *
 * Section 3: "The sender will map the received {sequence number, arrival
 * time} pairs to the send-time of each packet covered by the feedback
 * report, and feed those timestamps to the delay-based controller."  So:
 * each packet result of a feedback (twcc_send.h) goes to
 * dp_delay_bwe_on_packet, and once the feedback is read,
 * dp_delay_bwe_update runs the rate control once.  (The draft: "It is
 * RECOMMENDED that the routine to update A_hat(i) is run at least once
 * every response_time interval"; feedback comes every 50 to 100 ms.)
 *
 * The signal the rate control gets for a feedback is OVERUSING if the
 * detector said so at any group of it, else the detector's state after its
 * last group: an over-use that the next group of the same feedback already
 * calls normal again was still a queue we built.
 */
#ifndef STRATA_DP_BWE_DELAY_BWE_H
#define STRATA_DP_BWE_DELAY_BWE_H

#include <stdbool.h>
#include <stdint.h>

#include "acked_rate.h"
#include "aimd.h"
#include "inter_arrival.h"
#include "trendline.h"
#include "twcc_send.h"

struct dp_delay_bwe {
	struct dp_inter_arrival groups;
	struct dp_trendline trend;
	struct dp_acked_rate acked;
	struct dp_aimd rate;
	bool overuse_seen;          /* since the last update */
	enum dp_bw_usage signal;    /* what the last update acted on */
};

void dp_delay_bwe_init(struct dp_delay_bwe *d, double start_bps, double min_bps,
		       double max_bps);

/* One packet result of a feedback; lost ones are ignored here. */
void dp_delay_bwe_on_packet(struct dp_delay_bwe *d, const struct dp_twcc_result *r);

/* After a feedback: runs the rate control, returns A_hat in bits/s. */
double dp_delay_bwe_update(struct dp_delay_bwe *d, int64_t rtt_us, int64_t now_us);

/* A_hat without updating. */
static inline double dp_delay_bwe_estimate(const struct dp_delay_bwe *d)
{
	return d->rate.bitrate_bps;
}

#endif /* STRATA_DP_BWE_DELAY_BWE_H */
