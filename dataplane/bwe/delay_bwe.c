/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The four parts of the delay-based controller, one after the other
 * (delay_bwe.h).
 */
#include "delay_bwe.h"

void dp_delay_bwe_init(struct dp_delay_bwe *d, double start_bps, double min_bps,
		       double max_bps)
{
	dp_inter_arrival_init(&d->groups);
	dp_trendline_init(&d->trend);
	dp_acked_rate_init(&d->acked);
	dp_aimd_init(&d->rate, start_bps, min_bps, max_bps);
	d->overuse_seen = false;
	d->signal = DP_BW_NORMAL;
}

void dp_delay_bwe_on_packet(struct dp_delay_bwe *d, const struct dp_twcc_result *r)
{
	struct dp_group_delta g;

	if (!r->received)
		return;
	dp_acked_rate_add(&d->acked, r->arrival_us, r->size);
	if (dp_inter_arrival_add(&d->groups, r->send_us, r->arrival_us, r->size, &g) &&
	    dp_trendline_update(&d->trend, &g) == DP_BW_OVERUSING)
		d->overuse_seen = true;
}

double dp_delay_bwe_update(struct dp_delay_bwe *d, int64_t rtt_us, int64_t now_us)
{
	d->signal = d->overuse_seen ? DP_BW_OVERUSING : d->trend.usage;
	d->overuse_seen = false;
	return dp_aimd_update(&d->rate, d->signal, dp_acked_rate_bps(&d->acked), rtt_us, now_us);
}
