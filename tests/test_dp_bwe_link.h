/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A simulated path for the bandwidth estimator tests, the topology:
 *
 *   router (dp_bwe) --pacer--> [bottleneck: FIFO queue, capacity C(t),
 *        ^                      random loss p(t), drop-tail] --one way-->
 *        |                                                      receiver
 *        +------ TWCC feedback every 50 ms (real RTCP octets) ------+
 *                     (one way back; some lost or reordered)
 *
 * The router sends 1200-octet packets at min(estimate, app limit),
 * stamping each with dp_bwe_on_send; the receiver records arrivals in its
 * own clock (another base than the router's) and sends transport-wide
 * feedback as libwebrtc's receiver does (from the first unreported packet
 * to the highest arrived, reference time of the first arrival, 250 us
 * deltas), encoded by test_dp_rtcp.h's independent encoder, parsed by
 * dp_rtcp_next and fed to dp_bwe_on_rtcp.  The capacity and loss follow a
 * schedule of steps.  Time advances in 1 ms ticks; every 100 ms the
 * estimate, capacity and queueing delay are sampled into a trace.
 */
#ifndef STRATA_TEST_DP_BWE_LINK_H
#define STRATA_TEST_DP_BWE_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "../dataplane/bwe/bwe.h"

#define LINK_MAX_STEPS 8
#define LINK_SAMPLE_US 100000

/* From at_us on (until the next step): this capacity and loss. */
struct link_step {
	int64_t at_us;
	uint32_t capacity_bps;
	double loss;
};

struct link_spec {
	int64_t duration_us;
	int64_t one_way_us;          /* propagation, each way (default 20 ms) */
	int64_t queue_limit_us;      /* drop-tail beyond this queueing delay (default 500 ms) */
	int64_t feedback_us;         /* feedback interval (default 50 ms) */
	uint32_t feedback_loss_pct;  /* feedback packets lost */
	uint32_t feedback_reorder_pct; /* feedback held back behind the next one */
	uint32_t app_max_bps;        /* the router has no more to send (0: no limit) */
	uint32_t start_bps;          /* the estimator's start (0: default) */
	uint64_t seed;
	struct link_step steps[LINK_MAX_STEPS]; /* the first at 0; end at capacity 0 */
};

struct link_trace {
	uint32_t n;
	int64_t *t_us;        /* sample times (from 0) */
	uint32_t *est_bps;
	uint32_t *cap_bps;
	int64_t *queue_us;    /* queueing delay at the bottleneck */
	uint8_t *usage;       /* the delay detector's last signal */
	uint64_t sent, dropped, feedback_sent, feedback_lost, feedback_reordered;
	uint64_t overuses;    /* detector transitions to over-use */
	struct dp_bwe *bwe;   /* the estimator, after the run (owned by the trace) */
};

/* Runs the spec; the trace's arrays are allocated (free with link_free). */
void link_run(const struct link_spec *spec, struct link_trace *tr);
void link_free(struct link_trace *tr);

/* The estimate at sample time t (the last sample at or before it). */
uint32_t link_est_at(const struct link_trace *tr, int64_t t_us);
/* Over the samples in [t0, t1]: min, max, mean of the estimate. */
uint32_t link_est_min(const struct link_trace *tr, int64_t t0, int64_t t1);
uint32_t link_est_max(const struct link_trace *tr, int64_t t0, int64_t t1);
double link_est_mean(const struct link_trace *tr, int64_t t0, int64_t t1);
/* The first sample time >= t0 with the estimate below bps; -1 if none. */
int64_t link_first_below(const struct link_trace *tr, int64_t t0, uint32_t bps);
/* The first sample time >= t0 whose detector signal is `usage`; -1 if none. */
int64_t link_first_usage(const struct link_trace *tr, int64_t t0, enum dp_bw_usage usage);
/* The largest queueing delay sampled in [t0, t1]. */
int64_t link_queue_max(const struct link_trace *tr, int64_t t0, int64_t t1);
/* Prints the trace (one line per second) to stderr, for a failing case. */
void link_dump(const struct link_trace *tr, const char *name);

#endif /* STRATA_TEST_DP_BWE_LINK_H */
