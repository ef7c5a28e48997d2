/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Layer targets for one receiver: two allocations (the whole estimate,
 * and the estimate less the margin) and, per subscription, down at once,
 * up after a hold that backs off (layer_policy.h has the rules and their
 * reasons).
 */
#include <string.h>

#include "layer_alloc.h"
#include "layer_policy.h"

const char *dp_lp_off_name(int off)
{
	switch (off) {
	case DP_LP_ON:
		return "on";
	case DP_LP_OFF_LIMIT:
		return "limit";
	case DP_LP_OFF_NO_LAYERS:
		return "no_layers";
	case DP_LP_OFF_BANDWIDTH:
		return "bandwidth";
	default:
		return "?";
	}
}

void dp_lp_config_default(struct dp_lp_config *cfg)
{
	cfg->policy = DP_LP_EQUAL_SHARE;
	cfg->up_margin_pct = DP_LP_UP_MARGIN_PCT;
	cfg->hold_us = DP_LP_HOLD_US;
	cfg->hold_max_us = DP_LP_HOLD_MAX_US;
	cfg->hold_reset_us = DP_LP_HOLD_RESET_US;
}

/* A choice: a step of the subscription's ladder, or off with a reason. */
struct choice {
	int8_t step; /* -1: off */
	uint8_t off;
};

static uint32_t choice_bps(const struct dp_lp_ladder *l, struct choice c)
{
	return c.step < 0 ? 0 : l->step[c.step].bps;
}

/*
 * The hold an up must wait now: each hold_reset_us without a down-switch
 * halves a backed-off hold, back to the first one.
 */
static int64_t current_hold(const struct dp_lp_config *cfg, struct dp_lp_state *st,
			    int64_t now_us)
{
	int64_t hold = st->hold_us ? st->hold_us : cfg->hold_us;

	while (st->downed && hold > cfg->hold_us && now_us - st->last_down_us >= cfg->hold_reset_us) {
		hold /= 2;
		st->last_down_us += cfg->hold_reset_us;
	}
	if (hold <= cfg->hold_us) {
		hold = cfg->hold_us;
		st->downed = false;
	}
	st->hold_us = hold;
	return hold;
}

static void apply(const struct dp_lp_ladder *l, struct dp_lp_state *st,
		  struct dp_lp_decision *d, struct choice c)
{
	bool on = c.step >= 0;
	uint8_t s = on ? l->step[c.step].spatial : 0;
	uint8_t t = on ? l->step[c.step].temporal : 0;
	bool changed = on != st->on || (on && (s != st->spatial || t != st->temporal));

	/* A fresh subscription counts as off: its first layers are a
	 * change the caller must apply, but not a switch. */
	d->changed = changed;
	d->keyframe = on && (!st->on || s > st->spatial);
	if (changed && st->started)
		st->switches++;
	st->on = on;
	st->spatial = s;
	st->temporal = t;
	st->off = on ? DP_LP_ON : c.off;
	st->started = true;
	st->up_pending = false;
}

/* Down now, and back off the next up if it was for want of bandwidth. */
static void down(const struct dp_lp_config *cfg, const struct dp_lp_ladder *l,
		 struct dp_lp_state *st, struct dp_lp_decision *d, struct choice c, int64_t now_us)
{
	if (c.step >= 0 || c.off == DP_LP_OFF_BANDWIDTH) {
		int64_t hold = current_hold(cfg, st, now_us) * 2;
		st->hold_us = hold < cfg->hold_max_us ? hold : cfg->hold_max_us;
		st->downed = true;
		st->last_down_us = now_us;
	}
	apply(l, st, d, c);
}

static void decide(const struct dp_lp_config *cfg, const struct dp_lp_sub *sub,
		   const struct dp_lp_ladder *l, struct dp_lp_state *st, struct dp_lp_decision *d,
		   struct choice a0, struct choice a1, int64_t now_us)
{
	/* The lower of the two: never above A0. */
	struct choice up = choice_bps(l, a1) < choice_bps(l, a0) ? a1 : a0;
	uint32_t cur_bps = st->on ? dp_lp_choice_bps(sub, st->spatial, st->temporal) : 0;
	bool cur_gone = st->on && cur_bps == 0;

	memset(d, 0, sizeof(*d));
	if (!st->started || cur_gone || (!st->on && st->off != DP_LP_OFF_BANDWIDTH)) {
		/* A first choice, a choice that no longer exists, or back from
		 * the limits: no hold. */
		apply(l, st, d, up);
	} else if (st->on && cur_bps > choice_bps(l, a0)) {
		down(cfg, l, st, d, a0, now_us);
	} else if (choice_bps(l, up) > cur_bps) {
		if (!st->up_pending) {
			st->up_pending = true;
			st->up_since_us = now_us;
		}
		if (now_us - st->up_since_us >= current_hold(cfg, st, now_us))
			apply(l, st, d, up);
	} else {
		st->up_pending = false;
		if (!st->on)
			st->off = a0.step < 0 ? a0.off : DP_LP_OFF_BANDWIDTH;
	}

	d->on = st->on;
	d->spatial = st->spatial;
	d->temporal = st->temporal;
	d->off = st->off;
	d->bps = st->on ? dp_lp_choice_bps(sub, st->spatial, st->temporal) : 0;
	/* The next step above the choice (the base, when off): what the
	 * estimate would have to reach for more. */
	d->next_bps = 0;
	for (unsigned k = 0; k < l->n; k++) {
		if (l->step[k].bps > d->bps) {
			d->next_bps = l->step[k].bps;
			break;
		}
	}
}

unsigned dp_layer_policy_run(const struct dp_lp_config *cfg, const struct dp_lp_receiver *rx,
			     const struct dp_lp_sub *subs, struct dp_lp_state *state,
			     struct dp_lp_decision *out, unsigned n, int64_t now_us,
			     struct dp_lp_summary *sum)
{
	struct dp_lp_config def;
	struct dp_lp_ladder ladders[DP_LP_MAX_SUBS];
	uint8_t order[DP_LP_MAX_SUBS];
	int8_t s0[DP_LP_MAX_SUBS], s1[DP_LP_MAX_SUBS], sall[DP_LP_MAX_SUBS];
	uint8_t o0[DP_LP_MAX_SUBS], o1[DP_LP_MAX_SUBS], oall[DP_LP_MAX_SUBS];
	unsigned changed = 0;
	uint64_t used = 0, wanted = 0;

	if (!cfg) {
		dp_lp_config_default(&def);
		cfg = &def;
	}
	if (n > DP_LP_MAX_SUBS)
		n = DP_LP_MAX_SUBS;
	for (unsigned i = 0; i < n; i++)
		dp_lp_ladder_build(&subs[i], &ladders[i]);
	dp_lp_order(cfg->policy, subs, n, order);

	uint64_t budget = rx->estimate_bps;
	uint64_t budget_up = budget * 100 / (100 + cfg->up_margin_pct);
	dp_lp_allocate(cfg->policy, rx->max_video_sources, subs, ladders, order, n, budget, s0, o0);
	dp_lp_allocate(cfg->policy, rx->max_video_sources, subs, ladders, order, n, budget_up, s1,
		       o1);
	dp_lp_allocate(cfg->policy, rx->max_video_sources, subs, ladders, order, n, UINT64_MAX,
		       sall, oall);

	for (unsigned i = 0; i < n; i++) {
		decide(cfg, &subs[i], &ladders[i], &state[i], &out[i],
		       (struct choice){ s0[i], o0[i] }, (struct choice){ s1[i], o1[i] }, now_us);
		changed += out[i].changed;
		used += out[i].bps;
		wanted += choice_bps(&ladders[i], (struct choice){ sall[i], oall[i] });
	}
	if (sum) {
		sum->used_bps = used > UINT32_MAX ? UINT32_MAX : (uint32_t)used;
		sum->wanted_bps = wanted > UINT32_MAX ? UINT32_MAX : (uint32_t)wanted;
		sum->changed = changed;
	}
	return changed;
}
