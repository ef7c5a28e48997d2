/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A receiver leg's estimator on the packet path (leg_bwe.h): stamping what
 * the leg is sent, reading what its RTCP says, publishing the estimate.
 */
#include <stdlib.h>
#include <string.h>

#include "bwe/bwe_rtcp.h"
#include "bwe_hook.h"
#include "leg_bwe.h"
#include "twcc_stamp.h"

int dp_leg_bwe_attach(struct dp_leg *leg, uint64_t tsc_hz)
{
	struct dp_leg_bwe *lb = leg->bwe;

	if (lb == NULL) {
		lb = aligned_alloc(64, sizeof(*lb));
		if (lb == NULL)
			return -1;
		leg->bwe = lb;
	}
	memset(lb, 0, sizeof(*lb));
	struct dp_bwe_config cfg;
	dp_bwe_config_default(&cfg);
	cfg.start_bps = DP_LEG_BWE_START_BPS;
	/* Any first number is valid (section 2: the counter is the sender's). */
	dp_bwe_init(&lb->bwe, &cfg, 1);
	lb->tsc_per_us = tsc_hz / 1000000 ? tsc_hz / 1000000 : 1;
	atomic_store_explicit(&lb->estimate_bps, lb->bwe.estimate_bps, memory_order_relaxed);
	return 0;
}

void dp_leg_bwe_free(struct dp_leg *leg)
{
	free(leg->bwe);
	leg->bwe = NULL;
}

/* Main reads these on its timer; one writer, so relaxed stores suffice
 * but for `live`, which publishes the others. */
static void publish(struct dp_leg_bwe *lb)
{
	const struct dp_bwe *b = &lb->bwe;

	atomic_store_explicit(&lb->estimate_bps, b->estimate_bps, memory_order_relaxed);
	atomic_store_explicit(&lb->source, (uint8_t)b->source, memory_order_relaxed);
	atomic_store_explicit(&lb->feedbacks, b->twcc.feedbacks, memory_order_relaxed);
	atomic_store_explicit(&lb->rembs, b->remb_count, memory_order_relaxed);
	if (b->have_twcc || b->have_remb)
		atomic_store_explicit(&lb->live, 1, memory_order_release);
}

void dp_leg_bwe_on_rtcp(struct dp_leg *leg, const struct dp_rtcp_item *item, uint64_t now_tsc)
{
	struct dp_leg_bwe *lb = leg->bwe;

	if (lb == NULL)
		return;
	switch (item->type) {
	case DP_RTCP_ITEM_TWCC:
	case DP_RTCP_ITEM_REMB:
	case DP_RTCP_ITEM_SR:
	case DP_RTCP_ITEM_RR:
		dp_bwe_on_rtcp(&lb->bwe, item, dp_leg_bwe_us(lb, now_tsc));
		publish(lb);
		break;
	default:
		break;
	}
}

/*
 * bwe_hook.h: the RTCP path's call, on the leg's worker.  Times are taken
 * from now_tsc so that they are on the clock the stamps used.
 */
void dp_bwe_on_feedback(struct dp_worker *w, const struct dp_bwe_feedback *fb)
{
	struct dp_leg *leg;

	if (fb->leg == 0 || fb->leg > w->dp->tables.max_legs)
		return;
	leg = &w->dp->tables.legs[fb->leg];
	if (leg->bwe != NULL && fb->rtt_us > 0)
		dp_bwe_set_rtt(&leg->bwe->bwe, fb->rtt_us);
	dp_leg_bwe_on_rtcp(leg, fb->item, fb->now_tsc);
}

uint32_t dp_twcc_stamp_out(struct dp_worker *w, struct dp_leg *recv,
			   const struct dp_out_template *t, uint8_t *frame, uint8_t *rtp_out,
			   uint32_t hdr_len, uint32_t tail, uint32_t rtp_len, uint8_t pub_id,
			   uint64_t now_tsc)
{
	struct dp_leg_bwe *lb = recv->bwe;
	uint32_t tag = recv->tx.profile->rtp_tag_len;
	uint32_t udp_len = rtp_len + tag;
	uint32_t mtu = w->dp->ports[w->dp->port_index[recv->port_id]].ifc.mtu;
	uint32_t used = t->l3_len + DP_UDP_HLEN + udp_len;
	uint32_t room = mtu > used ? mtu - used : 0;

	if (lb == NULL)
		return 0;
	int g = dp_rtp_ext_twcc_growth(rtp_out, hdr_len, room, pub_id, recv->ext_transport_cc);
	if (g < 0) {
		/* One writer: a relaxed load and store, no locked add. */
		atomic_store_explicit(&lb->unstamped,
				      atomic_load_explicit(&lb->unstamped, memory_order_relaxed) + 1,
				      memory_order_relaxed);
		return 0;
	}
	uint16_t seq = dp_bwe_on_send(&lb->bwe, udp_len + (uint32_t)g, dp_leg_bwe_us(lb, now_tsc));
	dp_rtp_ext_twcc_put(rtp_out, hdr_len, tail, room, pub_id, recv->ext_transport_cc, seq);
	atomic_store_explicit(&lb->stamped, lb->bwe.twcc.stamped, memory_order_relaxed);
	if (g > 0)
		dp_twcc_fix_lengths(t, frame, (uint16_t)(udp_len + (uint32_t)g));
	return (uint32_t)g;
}
