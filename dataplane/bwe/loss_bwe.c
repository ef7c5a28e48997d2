/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loss-based controller (draft-ietf-rmcat-gcc-02 section 6; the header
 * quotes it).
 */
#include <string.h>

#include "loss_bwe.h"

void dp_loss_bwe_init(struct dp_loss_bwe *l)
{
	memset(l, 0, sizeof(*l));
}

void dp_loss_bwe_count(struct dp_loss_bwe *l, uint32_t lost, uint32_t total)
{
	l->lost += lost;
	l->total += total;
}

void dp_loss_bwe_recovered(struct dp_loss_bwe *l)
{
	/* Counted lost (and in total) by a feedback not yet judged: now
	 * it is one received packet.  If that feedback was judged already,
	 * the judgement stands. */
	if (l->lost > 0)
		l->lost--;
}

void dp_loss_bwe_count_fraction(struct dp_loss_bwe *l, uint8_t fraction_lost, uint32_t packets)
{
	uint32_t n = packets ? packets : DP_LOSS_MIN_PACKETS;
	uint32_t lost = (uint32_t)(((uint64_t)fraction_lost * n + 128) / 256);

	dp_loss_bwe_count(l, lost, n);
	l->report = true;
}

double dp_loss_bwe_update(struct dp_loss_bwe *l, double bound_bps, int64_t rtt_us,
			  int64_t now_us)
{
	if (!l->limiting || l->estimate_bps > bound_bps) {
		/* Following the bound (or re-attached to it: the other
		 * estimate fell below us, so we do not limit). */
		l->estimate_bps = bound_bps;
		l->limiting = false;
	}
	if (!l->windowed) {
		l->window_us = now_us;
		l->windowed = true;
	}
	bool full = l->total >= DP_LOSS_MIN_PACKETS && now_us - l->window_us >= DP_LOSS_WINDOW_US;
	if (!full && !(l->report && l->total > 0))
		return l->estimate_bps;
	l->window_us = now_us;
	l->report = false;

	double p = (double)l->lost / (double)l->total;
	l->last_loss = p;
	l->lost = l->total = 0;
	l->reports++;

	if (p > DP_LOSS_HIGH) {
		if (!l->decreased_once || now_us - l->last_decrease_us >= DP_LOSS_DECREASE_US + rtt_us) {
			l->estimate_bps *= 1.0 - 0.5 * p;
			l->limiting = true;
			l->last_decrease_us = now_us;
			l->decreased_once = true;
			l->decreases++;
			/* The climb back starts a second from now. */
			l->last_increase_us = now_us;
			l->increased_once = true;
		}
	} else if (p < DP_LOSS_LOW) {
		if (l->limiting &&
		    (!l->increased_once || now_us - l->last_increase_us >= DP_LOSS_INCREASE_US)) {
			l->estimate_bps *= DP_LOSS_INCREASE;
			l->last_increase_us = now_us;
			l->increased_once = true;
			l->increases++;
			if (l->estimate_bps >= bound_bps) {
				l->estimate_bps = bound_bps;
				l->limiting = false;
			}
		}
	}
	/* 2 to 10%: "kept unchanged". */
	return l->estimate_bps;
}
