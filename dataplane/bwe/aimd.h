/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The delay-based rate control of draft-ietf-rmcat-gcc-02 section 5.5:
 * A_hat, moved by the over-use detector's signal (trendline.h) and the
 * acknowledged bit rate R_hat (acked_rate.h).
 *
 * "The rate control subsystem has 3 states: Increase, Decrease and Hold.
 * "Increase" is the state when no congestion is detected; "Decrease" is
 * the state where congestion is detected, and "Hold" is a state that waits
 * until built-up queues have drained before going to "increase" state.
 *
 *    +----+--------+-----------+------------+--------+
 *    |     \ State |   Hold    |  Increase  |Decrease|
 *    | Signal\     |           |            |        |
 *    +--------+----+-----------+------------+--------+
 *    |  Over-use   | Decrease  |  Decrease  |        |
 *    |  Normal     | Increase  |            |  Hold  |
 *    |  Under-use  |           |   Hold     |  Hold  |
 *    +-------------+-----------+------------+--------+"
 *
 * Increase: "The system does a multiplicative increase if the current
 * bandwidth estimate appears to be far from convergence, while it does an
 * additive increase if it appears to be closer to convergence.  We assume
 * that we are close to convergence if the currently incoming bitrate,
 * R_hat(i), is close to an average of the incoming bitrates at the time
 * when we previously have been in the Decrease state.  "Close" is defined
 * as three standard deviations around this average.  It is RECOMMENDED to
 * measure this average and standard deviation with an exponential moving
 * average with the smoothing factor 0.95 ...  If R_hat(i) increases above
 * three standard deviations of the average max bitrate, we assume that the
 * current congestion level has changed, at which point we reset the
 * average max bitrate and go back to the multiplicative increase state."
 *
 *   "eta = 1.08^min(time_since_last_update_ms / 1000, 1.0)
 *    A_hat(i) = eta * A_hat(i-1)"
 *
 *   "response_time_ms = 100 + rtt_ms
 *    alpha = 0.5 * min(time_since_last_update_ms / response_time_ms, 1.0)
 *    A_hat(i) = A_hat(i-1) + max(1000, alpha * expected_packet_size_bits)"
 *
 *   "bits_per_frame = A_hat(i-1) / 30
 *    packets_per_frame = ceil(bits_per_frame / (1200 * 8))
 *    avg_packet_size_bits = bits_per_frame / packets_per_frame"
 *
 *   "we must make sure that our estimate does not diverge from the rate at
 *    which the sender is actually sending. ...  A_hat(i) < 1.5 * R_hat(i)"
 *
 * Decrease: "When an over-use is detected the system transitions to the
 * decrease state, where the delay-based available bandwidth estimate is
 * decreased to a factor times the currently incoming bitrate.
 *
 *      A_hat(i) = beta * R_hat(i)
 *
 * beta is typically chosen to be in the interval [0.8, 0.95], 0.85 is the
 * RECOMMENDED value."
 *
 * Choices of our own (libwebrtc's AimdRateControl makes the same ones):
 *  - A decrease applies at once and the state goes to Hold: the draft's
 *    Decrease+Normal -> Hold in the same step.  While the queue drains the
 *    detector may still say over-use; another decrease comes only after
 *    max(10 ms, min(rtt, 200 ms)), or at once if R_hat fell below half of
 *    A_hat.  So one congestion event costs one decrease per round trip.
 *  - A decrease never raises A_hat: when beta * R_hat is above it (R_hat
 *    ran ahead), beta * the average max bitrate is tried, else it holds.
 *  - Over-use before any R_hat is known halves A_hat, at most every 200 ms.
 *  - The 1.5 * R_hat bound is 1.5 * R_hat + 10 kbit/s (so a quiet start
 *    can grow), and limits increases only.  For a router it means the
 *    estimate cannot run far past what the receiver's layers actually use:
 *    to find room for a higher layer the dataplane must send more (probe
 *    with padding or retransmissions) first; layer_policy.h names the rate
 *    it would need.
 *  - The average max bitrate is kept in kbit/s with libwebrtc's
 *    normalised variance (clamped to [0.4, 2.5]); "close" and the reset
 *    are estimate +- 3 * sqrt(variance * estimate).  It is also reset when
 *    a decrease finds R_hat below its lower bound.
 */
#ifndef STRATA_DP_BWE_AIMD_H
#define STRATA_DP_BWE_AIMD_H

#include <stdbool.h>
#include <stdint.h>

#include "trendline.h"

#define DP_GCC_BETA 0.85
#define DP_GCC_ETA 1.08                  /* multiplicative increase per second */
#define DP_GCC_RESPONSE_BASE_US 100000   /* response_time = 100 ms + rtt */
#define DP_GCC_MAX_RATE_FACTOR 1.5       /* A_hat < 1.5 * R_hat (+ 10 kbit/s) */
#define DP_GCC_MAX_RATE_SLACK_BPS 10000.0
#define DP_GCC_CAPACITY_ALPHA 0.05       /* smoothing factor 0.95 */

enum dp_aimd_state {
	DP_AIMD_HOLD = 0,
	DP_AIMD_INCREASE,
	DP_AIMD_DECREASE,
};

const char *dp_aimd_state_name(int state);

struct dp_aimd {
	double bitrate_bps;        /* A_hat */
	double min_bps, max_bps;
	enum dp_aimd_state state;
	int64_t last_change_us;    /* time of the last increase step (or start of Increase) */
	int64_t last_decrease_us;
	bool changed_once;         /* last_change_us is set */
	bool decreased_once;       /* last_decrease_us is set */
	/* The average max bitrate: R_hat at the times of Decrease. */
	bool capacity_valid;
	double capacity_kbps;
	double capacity_var;       /* normalised variance */
	uint64_t decreases;
};

void dp_aimd_init(struct dp_aimd *a, double start_bps, double min_bps, double max_bps);

/*
 * One update with the detector's signal, R_hat (0: unknown) and the round
 * trip time; returns the new A_hat in bits per second.
 */
double dp_aimd_update(struct dp_aimd *a, enum dp_bw_usage signal, double acked_bps,
		      int64_t rtt_us, int64_t now_us);

/* Whether A_hat is near convergence (additive increase). */
bool dp_aimd_near_max(const struct dp_aimd *a);

#endif /* STRATA_DP_BWE_AIMD_H */
