/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which layers of each of its video subscriptions a receiver gets: the
 * targets (spatial, temporal) that select.h then applies packet by packet,
 * or "off".  From
 *  - the receiver's bandwidth estimate (bwe.h);
 *  - the receiver's wishes: per subscription the most spatial and
 *    temporal layers and the largest picture height it wants, and paused
 *    subscriptions; per receiver the most video sources it wants;
 *  - the room's policy: an equal share, or the active speaker first;
 *  - what each layer costs: per source, the measured bit rate of
 *    forwarding it at each (spatial, temporal) choice, cumulative (what a
 *    receiver at that choice gets: for simulcast the encoding's layers up
 *    to t, for SVC the spatial layers up to s with their temporal layers
 *    up to t), and the height of each spatial layer.
 *
 * The ladder of a subscription: its choices (s, t) within the wishes and
 * produced now (cost > 0), in the order (0,0), (0,1), ... (1,0), (1,1), ...,
 * keeping only those that cost more than the one before (so a step up the
 * ladder always costs more: a simulcast encoding whose 7.5 fps costs less
 * than the one below at 30 fps is reached at a frame rate that costs
 * more).  The lowest spatial layer is always allowed whatever its height
 * (a small tile of a larger picture is better than none).
 *
 * The allocation for a budget, in the receiver's priority order (speakers
 * first under SPEAKER_FIRST, then by rank, then by index):
 *  1. The first max_video_sources subscriptions that are not paused and
 *     have a ladder are eligible; the rest are off (LIMIT).
 *  2. Each eligible one gets its base step if it fits what is left, in
 *     order; one that does not fit is off (BANDWIDTH) and the next is tried
 *     (a cheaper base further down may still fit).
 *  3. SPEAKER_FIRST: the speaker climbs its ladder as far as what is left
 *     allows ("the speaker gets its top layers first").
 *  4. Round robin: one step each, in order, while any step fits (an
 *     equal share in steps, not in bits).
 *
 * Stability, per subscription, against two allocations: A0 for the whole
 * estimate and A1 for the estimate less the margin (10%):
 *  - Down at once: when the current choice costs more than A0 gives it
 *    (the estimate, or the policy, no longer covers it), it takes A0's.
 *  - Up only after a hold: when the lower of A0 and A1 gives it more than
 *    now, continuously (at every run) for the hold time, it takes that.
 *    Never above A0, so an up is never undone by the next run, and the sum
 *    of the choices never exceeds the estimate.
 *  - The hold starts at 2 s and doubles at each down-switch, up to 20 s
 *    (exponential back-off against flapping); each 30 s without a
 *    down-switch halves it again, back to 2 s.  So on an estimate that
 *    hovers around a step, a subscription switches at most once per hold,
 *    and one that keeps failing at a step tries it again only every half
 *    minute or so.
 *  - No hold for a first choice (a new subscription), nor when a
 *    subscription was off by the limits (it just became one of the
 *    max_video_sources, or was resumed), nor when its current choice no
 *    longer exists (its layer stopped, the wishes shrank): those take the
 *    lower of A0 and A1 at once.
 *  - keyframe: the spatial layer (or simulcast encoding) goes up, or the
 *    subscription goes on: the receiver cannot decode the new layer until
 *    a keyframe (or, for SVC, a switching point) of it.
 *
 * The caller runs this on every receiver periodically (a few times a
 * second) and when its estimate or the room changes; the continuity of a
 * pending up is judged at those runs.  No allocation; everything lives in
 * the caller's arrays.
 */
#ifndef STRATA_DP_BWE_LAYER_POLICY_H
#define STRATA_DP_BWE_LAYER_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#define DP_LP_MAX_SPATIAL 4
#define DP_LP_MAX_TEMPORAL 4
#define DP_LP_MAX_SUBS 64              /* subscriptions per receiver and run */
#define DP_LP_ALL 255                  /* "no limit" in a wish */

#define DP_LP_UP_MARGIN_PCT 10
#define DP_LP_HOLD_US 2000000
#define DP_LP_HOLD_MAX_US 20000000
#define DP_LP_HOLD_RESET_US 30000000

/* A source's layers, as the dataplane measures them. */
struct dp_lp_source {
	/* Bits per second a receiver at (s, t) gets (cumulative, see
	 * above); 0: the source does not produce it now. */
	uint32_t bps[DP_LP_MAX_SPATIAL][DP_LP_MAX_TEMPORAL];
	/* Picture height of spatial layer s; 0: unknown. */
	uint16_t height[DP_LP_MAX_SPATIAL];
};

enum dp_lp_policy {
	DP_LP_EQUAL_SHARE = 0,
	DP_LP_SPEAKER_FIRST,
};

struct dp_lp_config {
	enum dp_lp_policy policy;
	uint32_t up_margin_pct;  /* an up needs estimate >= cost * (1 + margin) */
	int64_t hold_us;         /* the first hold */
	int64_t hold_max_us;     /* the back-off's cap */
	int64_t hold_reset_us;   /* each this long without a down-switch halves the hold */
};

/* What the receiver is like now. */
struct dp_lp_receiver {
	uint32_t estimate_bps;
	uint8_t max_video_sources;  /* DP_LP_ALL: no limit */
};

/* One video subscription of the receiver, as it is now. */
struct dp_lp_sub {
	const struct dp_lp_source *src;
	uint8_t max_spatial;   /* DP_LP_ALL: no limit */
	uint8_t max_temporal;  /* DP_LP_ALL: no limit */
	uint16_t max_height;   /* 0: no limit */
	uint16_t rank;         /* lower comes first (e.g. the room's speaker order) */
	bool speaker;          /* the active speaker's video */
	bool paused;           /* the receiver does not want it now */
};

enum dp_lp_off {
	DP_LP_ON = 0,
	DP_LP_OFF_LIMIT,      /* paused, or beyond max_video_sources */
	DP_LP_OFF_NO_LAYERS,  /* the source produces nothing within the wishes */
	DP_LP_OFF_BANDWIDTH,  /* not even its base layer fits */
};

const char *dp_lp_off_name(int off);

/* Per subscription, kept by the caller between runs; zero it to start. */
struct dp_lp_state {
	uint8_t spatial, temporal;
	bool on;
	bool started;        /* has had a choice */
	uint8_t off;         /* enum dp_lp_off, when !on */
	bool up_pending;
	int64_t up_since_us;
	int64_t hold_us;     /* the current hold; 0: the config's first */
	bool downed;
	int64_t last_down_us;    /* the last down-switch (moved on as the hold decays) */
	uint32_t switches;   /* changes of choice (telemetry, tests) */
};

/* The outcome of a run for one subscription. */
struct dp_lp_decision {
	uint8_t spatial, temporal;  /* the targets, when on */
	bool on;
	uint8_t off;                /* enum dp_lp_off, when !on */
	bool changed;
	bool keyframe;              /* a spatial / simulcast up-switch, or on */
	uint32_t bps;               /* the choice's cost */
	uint32_t next_bps;          /* the next step's cost; 0: none */
};

/* The outcome of a run for the receiver. */
struct dp_lp_summary {
	uint32_t used_bps;    /* the choices' costs together */
	uint32_t wanted_bps;  /* what the receiver could use, budget aside:
			       * above the estimate, probing would help */
	unsigned changed;     /* decisions with changed set */
};

void dp_lp_config_default(struct dp_lp_config *cfg);

/*
 * Decides the n (at most DP_LP_MAX_SUBS) subscriptions of one receiver:
 * reads subs[i] and state[i], writes state[i] and out[i], and *sum if not
 * NULL.  Returns the number of changed decisions (n is clamped).
 */
unsigned dp_layer_policy_run(const struct dp_lp_config *cfg, const struct dp_lp_receiver *rx,
			     const struct dp_lp_sub *subs, struct dp_lp_state *state,
			     struct dp_lp_decision *out, unsigned n, int64_t now_us,
			     struct dp_lp_summary *sum);

#endif /* STRATA_DP_BWE_LAYER_POLICY_H */
