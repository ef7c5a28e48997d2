/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pieces of layer_policy.c that know nothing of time: a
 * subscription's ladder of choices, the receiver's priority order, and the
 * allocation of one budget over the ladders (layer_policy.h describes all
 * three).  Private to dataplane/bwe.
 */
#ifndef STRATA_DP_BWE_LAYER_ALLOC_H
#define STRATA_DP_BWE_LAYER_ALLOC_H

#include <stdint.h>

#include "layer_policy.h"

#define DP_LP_MAX_STEPS (DP_LP_MAX_SPATIAL * DP_LP_MAX_TEMPORAL)

struct dp_lp_step {
	uint8_t spatial, temporal;
	uint32_t bps;
};

/* A subscription's choices, cheapest first, each dearer than the last. */
struct dp_lp_ladder {
	struct dp_lp_step step[DP_LP_MAX_STEPS];
	uint8_t n;
};

/* What (s, t) costs this subscription now; 0 when it is not a choice
 * (not produced, or outside the wishes). */
uint32_t dp_lp_choice_bps(const struct dp_lp_sub *sub, uint8_t s, uint8_t t);

void dp_lp_ladder_build(const struct dp_lp_sub *sub, struct dp_lp_ladder *l);

/* The priority order: order[0] is the first subscription served. */
void dp_lp_order(enum dp_lp_policy policy, const struct dp_lp_sub *subs, unsigned n,
		 uint8_t *order);

/*
 * Allocates `budget_bps` over the ladders: step[i] is subscription i's
 * step (-1: off, with the reason in off[i]).
 */
void dp_lp_allocate(enum dp_lp_policy policy, uint8_t max_video_sources,
		    const struct dp_lp_sub *subs, const struct dp_lp_ladder *ladders,
		    const uint8_t *order, unsigned n, uint64_t budget_bps, int8_t *step,
		    uint8_t *off);

#endif /* STRATA_DP_BWE_LAYER_ALLOC_H */
