/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTCP from clients, on the worker that owns their leg: the SRTCP state of
 * senders that publish nothing, then the compound's packets one by one.
 *
 *  - PLI and FIR name the SSRC the receiver sees (a subscription's); they
 *    become a keyframe request for the publisher stream that subscription
 *    gets now, which the main lcore coalesces and throttles per stream
 *    (keyframe_req.c).
 *  - NACK is answered from the retransmission cache (rtcp_nack.c).
 *  - SR and RR report blocks about subscriptions give loss, jitter and RTT;
 *    an SR from a publisher gives its NTP/RTP correspondence, which the
 *    translated SRs to its receivers are built from (rtcp_reports.c).
 *  - TWCC, REMB, SR and RR go to the bandwidth estimator (bwe_hook.h).
 */
#include <string.h>

#include <rte_cycles.h>

#include "bwe_hook.h"
#include "rtcp/rtcp_fb.h"
#include "rtcp/rtcp_time.h"
#include "rtcp_rx.h"
#include "rtcp_state.h"

struct strata_srtp_rx *dp_rtcp_rx_lookup(struct dp_worker *w, uint32_t leg_id, uint32_t ssrc,
					 uint8_t *slot)
{
	struct dp *dp = w->dp;
	struct dp_rtcp_leg *l = dp_rtcp_leg_owner(dp, leg_id);
	int free_slot = -1;

	for (unsigned i = 0; i <= DP_RTCP_LEG_PEERS; i++) {
		if (l->peers[i].used && l->peers[i].ssrc == ssrc) {
			l->peers[i].stamp = ++l->peer_stamp;
			*slot = (uint8_t)i;
			return &l->peers[i].rx;
		}
		if (!l->peers[i].used && free_slot < 0)
			free_slot = (int)i;
	}
	if (free_slot < 0) {
		w->c.rtcp[DP_RTCP_C_PEERS_FULL]++;
		return NULL;
	}
	/* Kept only if the packet authenticates (dp_rtcp_rx_checked): a
	 * forgery takes no slot and pushes no sender out. */
	struct dp_rtcp_peer *p = &l->peers[free_slot];
	p->used = 2;
	p->ssrc = ssrc;
	p->stamp = ++l->peer_stamp;
	strata_srtp_rx_init(&p->rx, &dp->tables.legs[leg_id].rx, ssrc);
	*slot = (uint8_t)free_slot;
	return &p->rx;
}

void dp_rtcp_rx_checked(struct dp_worker *w, uint32_t leg_id, uint8_t slot, bool ok)
{
	struct dp_rtcp_leg *l = &dp_rtcp_g->legs[leg_id];
	struct dp_rtcp_peer *p = &l->peers[slot];

	if (p->used != 2)
		return;
	if (!ok) {
		p->used = 0;
		return;
	}
	p->used = 1;
	if (slot < DP_RTCP_LEG_PEERS)
		return;
	/* A new sender authenticated while the table was full: the one heard
	 * from longest ago (a client that restarted its RTCP under a new
	 * SSRC) gives up its slot. */
	unsigned victim = 0;
	for (unsigned k = 1; k < DP_RTCP_LEG_PEERS; k++)
		if (l->peer_stamp - l->peers[k].stamp > l->peer_stamp - l->peers[victim].stamp)
			victim = k;
	l->peers[victim] = *p;
	p->used = 0;
	w->c.rtcp[DP_RTCP_C_PEERS_FULL]++;
}

/* Asks the main lcore for a keyframe of stream, unless this worker asked
 * within the throttle interval (the main lcore would coalesce it anyway). */
static void ask_keyframe(struct dp_worker *w, uint32_t stream, bool fir, uint64_t now)
{
	struct dp_rtcp_stream *rs = &dp_rtcp_g->streams[stream];

	if (rs->asked_tsc[w->index] != 0 &&
	    now - rs->asked_tsc[w->index] < dp_rtcp_g->keyframe_interval_tsc) {
		w->c.rtcp[DP_RTCP_C_KEYFRAME_PREFILTERED]++;
		return;
	}
	rs->asked_tsc[w->index] = now;
	if (rte_ring_enqueue(w->notify, dp_rtcp_notify_pack(fir ? DP_RTCP_NOTIFY_FIR
								 : DP_RTCP_NOTIFY_PLI,
							     stream, 0)) != 0)
		w->c.notify_dropped++;
}

uint32_t dp_rtcp_sub_stream(const struct dp *dp, const struct dp_sub *sub)
{
	const struct dp_source *src = &dp->tables.sources[sub->source];
	uint8_t e = sub->cur_spatial;

	if (e == DP_NONE)
		e = atomic_load_explicit(&sub->target_spatial, memory_order_relaxed);
	if (e >= DP_SOURCE_MAX_ENCODINGS)
		e = DP_SOURCE_MAX_ENCODINGS - 1;
	/* The encoding it gets (or wants), else the closest below. */
	for (int k = e; k >= 0; k--) {
		uint32_t s = atomic_load_explicit(&src->encodings[k], memory_order_relaxed);
		if (s != 0)
			return s;
	}
	for (int k = e + 1; k < DP_SOURCE_MAX_ENCODINGS; k++) {
		uint32_t s = atomic_load_explicit(&src->encodings[k], memory_order_relaxed);
		if (s != 0)
			return s;
	}
	return 0;
}

/* RFC 4585 6.3.1 (PLI) and RFC 5104 4.3.1 (FIR): a receiver lost its
 * decoder state; the publisher of what it gets must send a keyframe. */
static void on_keyframe_feedback(struct dp_worker *w, uint32_t leg_id, uint32_t media_ssrc,
				 bool fir, uint64_t now)
{
	struct dp *dp = w->dp;
	uint32_t sub_id = dp_rtcp_sub_by_ssrc(dp, leg_id, media_ssrc);
	uint32_t stream = sub_id ? dp_rtcp_sub_stream(dp, &dp->tables.subs[sub_id]) : 0;

	if (stream == 0) {
		w->c.rtcp[DP_RTCP_C_UNKNOWN_MEDIA]++;
		return;
	}
	ask_keyframe(w, stream, fir, now);
}

/* Our NTP time, as the middle 32 bits (the form of LSR and of A). */
static inline uint32_t ntp_mid32_now(uint64_t now)
{
	return dp_rtcp_ntp_mid32(dp_rtcp_ntp_at(dp_rtcp_g, now));
}

/*
 * RFC 3550 6.4.1: a report block about what we send this receiver.  "The
 * round-trip propagation delay [is] A - LSR - DLSR", where LSR is the NTP
 * time of our SR that the receiver last got (rtcp_reports.c sends them).
 */
static void on_report_block(struct dp_worker *w, uint32_t leg_id, struct dp_rtcp_leg *l,
			    const struct dp_rtcp_report_block *rb, uint64_t now)
{
	struct dp *dp = w->dp;
	uint32_t sub_id = dp_rtcp_sub_by_ssrc(dp, leg_id, rb->ssrc);

	w->c.rtcp[DP_RTCP_C_REPORT_BLOCKS]++;
	if (sub_id == 0) {
		w->c.rtcp[DP_RTCP_C_UNKNOWN_MEDIA]++;
		return;
	}
	struct dp_rtcp_sub *s = dp_rtcp_sub_owner(dp, sub_id);
	struct dp_rtcp_rx_report r = {
		.blocks = s->report.blocks + 1,
		.fraction_lost = rb->fraction_lost,
		.cumulative_lost = rb->cumulative_lost,
		.ext_highest_seq = rb->ext_highest_seq,
		.jitter = rb->jitter,
		.rtt_us = s->report.rtt_us,
	};
	if (rb->lsr != 0) {
		int64_t rtt = dp_rtcp_rtt_us(ntp_mid32_now(now), rb->lsr, rb->dlsr);
		if (rtt >= 0)
			r.rtt_us = rtt;
	}
	s->report = r;
	r.blocks = l->report.blocks + 1;
	l->report = r;
}

/* RFC 3550 6.4.1: a publisher's SR, the NTP/RTP pair its receivers'
 * translated SRs are computed from. */
static void on_sender_report(struct dp_worker *w, uint32_t leg_id, struct dp_rtcp_leg *l,
			     uint32_t stream, const struct dp_rtcp_sender_info *si, uint64_t now)
{
	struct dp_rtcp_stream *rs = &dp_rtcp_g->streams[stream];
	const struct dp_stream *st = &w->dp->tables.streams[stream];

	if (stream == 0 || st->leg != leg_id)
		return;
	/* The offset includes the SR's transit and queueing; the smallest seen
	 * is the closest to the clocks' real difference.  It is the leg's, not
	 * the stream's: the publisher's audio and video move alike. */
	int64_t offset = (int64_t)(dp_rtcp_ntp_at(dp_rtcp_g, now) - si->ntp);
	if (!l->have_ntp_offset || offset < l->ntp_offset) {
		l->ntp_offset = offset;
		l->have_ntp_offset = 1;
	}
	uint32_t seq = atomic_load_explicit(&rs->sr_seq, memory_order_relaxed);
	atomic_store_explicit(&rs->sr_seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	rs->sr_ntp = si->ntp;
	rs->sr_rtp = si->rtp_ts;
	rs->sr_tsc = now;
	atomic_store_explicit(&rs->sr_seq, seq + 2, memory_order_release);
}

static void to_bwe(struct dp_worker *w, uint32_t leg_id, const struct dp_rtcp_leg *l,
		   const struct dp_rtcp_item *it, uint64_t now)
{
	struct dp_bwe_feedback fb = {
		.leg = leg_id,
		.sender_ssrc = it->ssrc,
		.item = it,
		.now_tsc = now,
		.now_us = (int64_t)((now - dp_rtcp_g->start_tsc) / (w->dp->tsc_hz / 1000000)),
		.rtt_us = l->report.rtt_us,
	};
	w->c.rtcp[DP_RTCP_C_BWE_FEEDBACK]++;
	dp_bwe_on_feedback(w, &fb);
}

enum dp_drop dp_rtcp_rx_process(struct dp_worker *w, uint32_t leg_id, uint32_t stream,
				 const uint8_t *p, uint32_t len, uint64_t now)
{
	struct dp_rtcp_leg *l = dp_rtcp_leg_owner(w->dp, leg_id);
	struct dp_rtcp_iter it;
	struct dp_rtcp_item item;
	struct dp_rtcp_report_block rb;
	struct dp_rtcp_fir_entry fe;

	w->c.rtcp[DP_RTCP_C_RX]++;
	dp_rtcp_iter_init(&it, p, len, 0);
	while (dp_rtcp_next(&it, &item)) {
		w->c.rtcp_items[item.type]++;
		switch (item.type) {
		case DP_RTCP_ITEM_SR:
			on_sender_report(w, leg_id, l, stream, &item.report.si, now);
			/* its report blocks, as in an RR: */
			/* fall through */
		case DP_RTCP_ITEM_RR:
			for (unsigned i = 0; dp_rtcp_report_block(&item.report, i, &rb); i++)
				on_report_block(w, leg_id, l, &rb, now);
			to_bwe(w, leg_id, l, &item, now);
			break;
		case DP_RTCP_ITEM_PLI:
			on_keyframe_feedback(w, leg_id, item.fb.media_ssrc, false, now);
			break;
		case DP_RTCP_ITEM_FIR:
			/* RFC 5104 4.3.1.2: each entry names the media sender
			 * whose decoder refresh is asked for. */
			for (uint32_t i = 0; dp_rtcp_fir_entry(&item.fir, i, &fe); i++)
				on_keyframe_feedback(w, leg_id, fe.ssrc, true, now);
			break;
		case DP_RTCP_ITEM_NACK:
			dp_rtcp_nack_answer(w, leg_id, &item.nack, now);
			break;
		case DP_RTCP_ITEM_REMB:
		case DP_RTCP_ITEM_TWCC:
			to_bwe(w, leg_id, l, &item, now);
			break;
		default:
			/* SDES, BYE, APP, other feedback, unknown types:
			 * counted by type above, nothing to do. */
			break;
		}
	}
	if (it.err != DP_RTCP_OK) {
		w->c.rtcp_err[it.err]++;
		return DP_DROP_RTCP_INVALID;
	}
	return DP_DROP_RTCP_CONSUMED;
}
