/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ladders, priority order and the allocation of one budget
 * (layer_policy.h describes them).
 */
#include <stdbool.h>

#include "layer_alloc.h"

uint32_t dp_lp_choice_bps(const struct dp_lp_sub *sub, uint8_t s, uint8_t t)
{
	if (!sub->src || s >= DP_LP_MAX_SPATIAL || t >= DP_LP_MAX_TEMPORAL)
		return 0;
	if (sub->max_spatial != DP_LP_ALL && s > sub->max_spatial)
		return 0;
	if (sub->max_temporal != DP_LP_ALL && t > sub->max_temporal)
		return 0;
	/* The lowest spatial layer is allowed whatever its height. */
	if (s > 0 && sub->max_height && sub->src->height[s] > sub->max_height)
		return 0;
	return sub->src->bps[s][t];
}

void dp_lp_ladder_build(const struct dp_lp_sub *sub, struct dp_lp_ladder *l)
{
	uint32_t last = 0;

	l->n = 0;
	for (uint8_t s = 0; s < DP_LP_MAX_SPATIAL; s++) {
		for (uint8_t t = 0; t < DP_LP_MAX_TEMPORAL; t++) {
			uint32_t bps = dp_lp_choice_bps(sub, s, t);
			if (bps == 0 || bps <= last)
				continue;
			l->step[l->n++] = (struct dp_lp_step){ .spatial = s, .temporal = t, .bps = bps };
			last = bps;
		}
	}
}

/* a before b in the priority order. */
static bool before(enum dp_lp_policy policy, const struct dp_lp_sub *subs, uint8_t a, uint8_t b)
{
	if (policy == DP_LP_SPEAKER_FIRST && subs[a].speaker != subs[b].speaker)
		return subs[a].speaker;
	if (subs[a].rank != subs[b].rank)
		return subs[a].rank < subs[b].rank;
	return a < b;
}

void dp_lp_order(enum dp_lp_policy policy, const struct dp_lp_sub *subs, unsigned n,
		 uint8_t *order)
{
	/* Insertion sort: n is small and usually already in order. */
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;
		while (j > 0 && before(policy, subs, (uint8_t)i, order[j - 1])) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (uint8_t)i;
	}
}

/* Moves subscription i one step up if what is left allows it. */
static bool step_up(const struct dp_lp_ladder *l, int8_t *step, uint64_t *used, uint64_t budget)
{
	if (*step < 0 || *step + 1 >= l->n)
		return false;
	uint64_t next = *used - l->step[*step].bps + l->step[*step + 1].bps;
	if (next > budget)
		return false;
	*used = next;
	(*step)++;
	return true;
}

void dp_lp_allocate(enum dp_lp_policy policy, uint8_t max_video_sources,
		    const struct dp_lp_sub *subs, const struct dp_lp_ladder *ladders,
		    const uint8_t *order, unsigned n, uint64_t budget_bps, int8_t *step,
		    uint8_t *off)
{
	unsigned limit = max_video_sources == DP_LP_ALL ? n : max_video_sources;
	unsigned eligible = 0;
	uint64_t used = 0;

	/* 1. Who may have video at all. */
	for (unsigned k = 0; k < n; k++) {
		uint8_t i = order[k];
		step[i] = -1;
		if (subs[i].paused) {
			off[i] = DP_LP_OFF_LIMIT;
		} else if (ladders[i].n == 0) {
			off[i] = DP_LP_OFF_NO_LAYERS;
		} else if (eligible >= limit) {
			off[i] = DP_LP_OFF_LIMIT;
		} else {
			eligible++;
			off[i] = DP_LP_OFF_BANDWIDTH; /* until its base fits */
		}
	}
	/* 2. Base layers, in order. */
	for (unsigned k = 0; k < n; k++) {
		uint8_t i = order[k];
		if (off[i] != DP_LP_OFF_BANDWIDTH || used + ladders[i].step[0].bps > budget_bps)
			continue;
		used += ladders[i].step[0].bps;
		step[i] = 0;
		off[i] = DP_LP_ON;
	}
	/* 3. The speaker's top layers. */
	if (policy == DP_LP_SPEAKER_FIRST) {
		for (unsigned k = 0; k < n; k++) {
			uint8_t i = order[k];
			if (!subs[i].speaker)
				continue;
			while (step_up(&ladders[i], &step[i], &used, budget_bps))
				;
		}
	}
	/* 4. One step each, round and round. */
	bool progress = true;
	while (progress) {
		progress = false;
		for (unsigned k = 0; k < n; k++) {
			uint8_t i = order[k];
			if (step_up(&ladders[i], &step[i], &used, budget_bps))
				progress = true;
		}
	}
}
