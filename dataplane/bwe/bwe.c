/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One leg's estimate: min(delay-based or REMB, loss-based), floored and
 * capped (bwe.h says which input bounds which).
 */
#include <string.h>

#include "bwe.h"

const char *dp_bwe_source_name(int source)
{
	switch (source) {
	case DP_BWE_SOURCE_START:
		return "start";
	case DP_BWE_SOURCE_DELAY:
		return "delay";
	case DP_BWE_SOURCE_REMB:
		return "remb";
	case DP_BWE_SOURCE_LOSS:
		return "loss";
	default:
		return "?";
	}
}

void dp_bwe_config_default(struct dp_bwe_config *cfg)
{
	cfg->start_bps = DP_BWE_START_BPS;
	cfg->min_bps = DP_BWE_MIN_BPS;
	cfg->max_bps = DP_BWE_MAX_BPS;
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void dp_bwe_init(struct dp_bwe *b, const struct dp_bwe_config *cfg, uint16_t first_seq)
{
	memset(b, 0, sizeof(*b));
	if (cfg)
		b->cfg = *cfg;
	else
		dp_bwe_config_default(&b->cfg);
	if (b->cfg.min_bps == 0)
		b->cfg.min_bps = 1;
	if (b->cfg.max_bps < b->cfg.min_bps)
		b->cfg.max_bps = b->cfg.min_bps;
	b->cfg.start_bps = (uint32_t)clamp(b->cfg.start_bps, b->cfg.min_bps, b->cfg.max_bps);

	dp_twcc_send_init(&b->twcc, first_seq);
	dp_delay_bwe_init(&b->delay, b->cfg.start_bps, b->cfg.min_bps, b->cfg.max_bps);
	dp_loss_bwe_init(&b->loss);
	b->rtt_us = DP_BWE_RTT_DEFAULT_US;
	b->estimate_bps = b->cfg.start_bps;
	b->source = DP_BWE_SOURCE_START;
}

static bool fresh(bool have, int64_t at_us, int64_t now_us)
{
	return have && now_us - at_us <= DP_BWE_FEEDBACK_TIMEOUT_US;
}

static uint32_t recompute(struct dp_bwe *b, int64_t now_us)
{
	bool twcc_live = fresh(b->have_twcc, b->twcc_us, now_us);
	double bound;
	enum dp_bwe_source source;

	if (twcc_live || (b->have_twcc && (!b->have_remb || b->twcc_us >= b->remb_us))) {
		bound = dp_delay_bwe_estimate(&b->delay);
		source = DP_BWE_SOURCE_DELAY;
	} else if (b->have_remb) {
		bound = (double)b->remb_bps;
		source = DP_BWE_SOURCE_REMB;
	} else {
		bound = b->cfg.start_bps;
		source = DP_BWE_SOURCE_START;
	}
	if (source != DP_BWE_SOURCE_REMB && fresh(b->have_remb, b->remb_us, now_us) &&
	    (double)b->remb_bps < bound) {
		bound = (double)b->remb_bps;
		source = DP_BWE_SOURCE_REMB;
	}
	bound = clamp(bound, b->cfg.min_bps, b->cfg.max_bps);

	double est = dp_loss_bwe_update(&b->loss, bound, b->rtt_us, now_us);
	if (est < bound)
		source = DP_BWE_SOURCE_LOSS;
	b->estimate_bps = (uint32_t)clamp(est, b->cfg.min_bps, b->cfg.max_bps);
	b->source = source;
	return b->estimate_bps;
}

void dp_bwe_twcc_begin(struct dp_bwe *b, int32_t reference_time, uint8_t fb_count)
{
	dp_twcc_send_feedback_begin(&b->twcc, reference_time, fb_count);
	b->in_feedback = true;
}

void dp_bwe_twcc_packet(struct dp_bwe *b, uint16_t seq, bool received, int64_t arrival_rel_us)
{
	struct dp_twcc_result r;

	if (!b->in_feedback)
		return;
	if (dp_twcc_send_packet(&b->twcc, seq, received, arrival_rel_us, &r) != DP_TWCC_RESULT)
		return;
	if (r.recovered)
		dp_loss_bwe_recovered(&b->loss);
	else
		dp_loss_bwe_count(&b->loss, r.received ? 0 : 1, 1);
	dp_delay_bwe_on_packet(&b->delay, &r);
}

uint32_t dp_bwe_twcc_end(struct dp_bwe *b, int64_t now_us)
{
	if (!b->in_feedback)
		return b->estimate_bps;
	b->in_feedback = false;
	b->have_twcc = true;
	b->twcc_us = now_us;
	dp_delay_bwe_update(&b->delay, b->rtt_us, now_us);
	return recompute(b, now_us);
}

uint32_t dp_bwe_on_remb(struct dp_bwe *b, uint64_t bitrate_bps, int64_t now_us)
{
	b->have_remb = true;
	b->remb_bps = bitrate_bps;
	b->remb_us = now_us;
	b->remb_count++;
	return recompute(b, now_us);
}

uint32_t dp_bwe_on_loss_report(struct dp_bwe *b, uint8_t fraction_lost, uint32_t packets,
			       int64_t now_us)
{
	b->report_count++;
	/* With live transport feedback the losses are known packet by
	 * packet; the report would count them twice. */
	if (!fresh(b->have_twcc, b->twcc_us, now_us))
		dp_loss_bwe_count_fraction(&b->loss, fraction_lost, packets);
	return recompute(b, now_us);
}

void dp_bwe_set_rtt(struct dp_bwe *b, int64_t rtt_us)
{
	if (rtt_us >= 0)
		b->rtt_us = rtt_us;
}

uint32_t dp_bwe_update(struct dp_bwe *b, int64_t now_us)
{
	return recompute(b, now_us);
}
