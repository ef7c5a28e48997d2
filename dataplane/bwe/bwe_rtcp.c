/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsed RTCP items into a leg's estimator (bwe_rtcp.h).
 */
#include "bwe_rtcp.h"
#include "../rtcp/rtcp_twcc.h"

uint32_t dp_bwe_on_twcc(struct dp_bwe *b, const struct dp_rtcp_twcc *fb, int64_t now_us)
{
	struct dp_rtcp_twcc_iter it;
	struct dp_rtcp_twcc_packet p;

	dp_bwe_twcc_begin(b, fb->reference_time, fb->fb_count);
	dp_rtcp_twcc_iter_init(&it, fb);
	while (dp_rtcp_twcc_iter_next(&it, &p))
		dp_bwe_twcc_packet(b, p.seq, p.received, p.arrival_us);
	return dp_bwe_twcc_end(b, now_us);
}

uint32_t dp_bwe_on_rtcp(struct dp_bwe *b, const struct dp_rtcp_item *item, int64_t now_us)
{
	switch (item->type) {
	case DP_RTCP_ITEM_TWCC:
		return dp_bwe_on_twcc(b, &item->twcc, now_us);
	case DP_RTCP_ITEM_REMB:
		return dp_bwe_on_remb(b, item->remb.bitrate_bps, now_us);
	case DP_RTCP_ITEM_SR:
	case DP_RTCP_ITEM_RR: {
		struct dp_rtcp_report_block rb;
		uint32_t sum = 0, n = 0;
		for (unsigned i = 0; dp_rtcp_report_block(&item->report, i, &rb); i++) {
			sum += rb.fraction_lost;
			n++;
		}
		if (n == 0)
			return dp_bwe_estimate(b);
		return dp_bwe_on_loss_report(b, (uint8_t)((sum + n / 2) / n), 0, now_us);
	}
	default:
		return dp_bwe_estimate(b);
	}
}
