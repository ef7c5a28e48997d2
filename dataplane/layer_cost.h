/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From the layer meter's octet counts (layer_meter.h) to what each layer
 * choice costs a receiver (bwe/layer_policy.h's struct dp_lp_source): the
 * arithmetic of adapt.c, apart so that it is tested without DPDK.
 *
 * Rates.  Every run (DP_ADAPT_INTERVAL_MS) the counts' growth over the
 * time since the last run is a rate; a layer's first octets set its rate,
 * the later runs move it by an exponential average whose time constant is
 * DP_LAYER_RATE_WINDOW_MS (so a layer that stops fades out in a few
 * seconds, and one frame's burst does not make a layer look dear).  A
 * stream is priced only once measured for DP_LAYER_WARMUP_MS from its
 * first octets: a layer
 * whose first frame has not come yet must not make the first decision
 * look cheap (that would take the receiver down, then hold it there).
 *
 * Costs (layer_policy.h: "cumulative, what a receiver at that choice
 * gets"):
 *  - simulcast (more than one encoding): choice (s, t) is encoding s with
 *    its temporal layers up to t;
 *  - one stream: its spatial layers up to s with their temporal layers up
 *    to t (VP9 SVC, the dependency descriptor);
 * and a choice whose own layer runs below DP_LAYER_PRODUCED_BPS is none (0).
 */
#ifndef STRATA_DP_LAYER_COST_H
#define STRATA_DP_LAYER_COST_H

#include <stdbool.h>
#include <stdint.h>

#include "bwe/layer_policy.h"

#define DP_LAYER_RATE_WINDOW_MS 1000
#define DP_LAYER_WARMUP_MS 1000
#define DP_LAYER_PRODUCED_BPS 1000.0

/* One stream's measured layers (the main lcore's). */
struct dp_layer_rates {
	uint32_t gen;                 /* the stream's gen the figures are for */
	bool primed;
	uint32_t ticks;               /* updates since primed */
	double measured_ms;           /* time measured since primed */
	uint64_t last_bytes[4][4];
	double bps[4][4];             /* smoothed bit rate of each layer alone, -1: none yet */
};

/* Forgets a stream (it went away, or is not video). */
void dp_layer_rates_reset(struct dp_layer_rates *r);

/* One run: the stream's counts now (bytes[spatial][temporal]), its gen,
 * and the seconds since the last run. */
void dp_layer_rates_update(struct dp_layer_rates *r, const uint64_t bytes[4][4], uint32_t gen,
			   double dt_s);

/* A layer's rate alone (bit/s), 0 before the warm-up is over. */
double dp_layer_rate(const struct dp_layer_rates *r, int spatial, int temporal);

/* The costs of a source whose encoding e is measured by enc[e] (NULL: no
 * such encoding). */
void dp_layer_costs(const struct dp_layer_rates *const enc[4], struct dp_lp_source *out);

#endif /* STRATA_DP_LAYER_COST_H */
