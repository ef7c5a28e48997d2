/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The router's own reports, from the main lcore on a timer.
 *
 * RFC 3550 6.4.2: to each publisher, a receiver report per published
 * stream (loss, jitter, extended highest sequence number from the receive
 * statistics, rtcp_stats.c; LSR/DLSR from its last SR), so that it sees
 * the router as a receiver.
 *
 * RFC 3550 6.4.1 and 7.2 (translators): to each receiver, for each
 * subscription, a sender report in the receiver's terms: the SSRC it sees,
 * the RTP timestamp of "now" mapped by the subscription's timestamp offset
 * (fanout.c: out = in + ts_delta), the packets and octets it was actually
 * sent.  The NTP/RTP correspondence is the publisher's (its latest SR,
 * moved to our NTP clock by the leg's offset), so a receiver's lip sync
 * between a publisher's audio and video survives layer and simulcast
 * switches: only ts_delta changes at a switch, and it is applied here.
 *
 * RFC 3550 6.1: "Each individual RTCP packet [...] compound [...] SDES
 * CNAME"; each report goes with an SDES CNAME.  RFC 3550 6.2 / 6.3.1: the
 * interval is randomized over [0.5, 1.5] times its mean, so that reports
 * from many routers do not synchronise.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_random.h>

#include "keyframe_req.h"
#include "rtcp/rtcp_build.h"
#include "rtcp/rtcp_time.h"
#include "rtcp_rx.h"
#include "rtcp_state.h"

#define CNAME_MAX 32

/* RFC 3550 A.3: one report block about a stream we receive. */
static void rr_block(struct dp_rtcp *g, uint32_t stream, uint64_t now,
		     struct dp_rtcp_report_block *rb)
{
	struct dp_rtcp_stream *rs = &g->streams[stream];
	struct dp_rtcp_rx_stats *s = &rs->rx;
	uint32_t ext_max = s->cycles + s->max_seq;
	uint32_t expected = ext_max - s->base_seq + 1;
	uint32_t received = s->received;
	uint32_t expected_interval = expected - s->expected_prior;
	uint32_t received_interval = received - s->received_prior;

	s->expected_prior = expected;
	s->received_prior = received;
	memset(rb, 0, sizeof(*rb));
	rb->ssrc = g->dp->tables.streams[stream].ssrc;
	rb->fraction_lost = dp_rtcp_fraction_lost(expected_interval, received_interval);
	rb->cumulative_lost = dp_rtcp_clamp_cumulative_lost((int64_t)expected - received);
	rb->ext_highest_seq = ext_max;
	rb->jitter = s->jitter >> 4;
	/* LSR and DLSR from the publisher's last SR (read under its count). */
	uint32_t c0 = atomic_load_explicit(&rs->sr_seq, memory_order_acquire);
	uint64_t sr_ntp = rs->sr_ntp, sr_tsc = rs->sr_tsc;
	atomic_thread_fence(memory_order_acquire);
	if ((c0 & 1) == 0 && c0 != 0 &&
	    atomic_load_explicit(&rs->sr_seq, memory_order_relaxed) == c0) {
		rb->lsr = dp_rtcp_ntp_mid32(sr_ntp);
		rb->dlsr = dp_rtcp_dlsr_from_us((now - sr_tsc) / (g->dp->tsc_hz / 1000000));
	}
}

static void send_rr(struct dp_main *mn, uint32_t stream, uint64_t now)
{
	struct dp_rtcp *g = dp_rtcp_g;
	const struct dp_stream *st = &mn->dp->tables.streams[stream];
	struct dp_rtcp_report_block rb;
	static const uint8_t cname[] = "strata-dp";
	uint8_t buf[256];

	rr_block(g, stream, now, &rb);
	uint32_t ssrc = dp_rtcp_router_ssrc(mn, st->leg);
	struct dp_rtcp_part parts[2] = {
		{.type = DP_RTCP_PART_RR, .ssrc = ssrc, .report = {.blocks = &rb, .n = 1}},
		{.type = DP_RTCP_PART_SDES_CNAME, .ssrc = ssrc,
		 .sdes = {.cname = cname, .len = sizeof(cname) - 1}},
	};
	uint32_t len = dp_rtcp_build_compound(buf, sizeof(buf), parts, 2);
	if (len != 0 && dp_rtcp_main_send(mn, st->leg, &g->legs[st->leg].tx, buf, len) == 0)
		mn->c.rtcp[DP_RTCP_C_RR_SENT]++;
}

/* The SR of one subscription, in its receiver's terms. */
static void send_sr(struct dp_main *mn, uint32_t sub_id, uint64_t now)
{
	struct dp_rtcp *g = dp_rtcp_g;
	struct dp *dp = mn->dp;
	const struct dp_sub *sub = &dp->tables.subs[sub_id];
	uint32_t stream = dp_rtcp_sub_stream(dp, sub);
	const struct dp_stream *st = &dp->tables.streams[stream];
	struct dp_rtcp_sub *rs = &g->subs[sub_id];
	uint64_t now_ntp = dp_rtcp_ntp_at(g, now);
	uint32_t rtp_now;

	if (stream == 0 || !st->in_use || sub->packets == 0)
		return;
	/* The publisher's NTP/RTP pair, moved to now on its clock. */
	struct dp_rtcp_stream *ps = &g->streams[stream];
	const struct dp_rtcp_leg *pl = &g->legs[st->leg];
	uint32_t c0 = atomic_load_explicit(&ps->sr_seq, memory_order_acquire);
	uint64_t sr_ntp = ps->sr_ntp;
	uint32_t sr_rtp = ps->sr_rtp;
	atomic_thread_fence(memory_order_acquire);
	bool have_sr = (c0 & 1) == 0 && c0 != 0 && pl->have_ntp_offset &&
		       atomic_load_explicit(&ps->sr_seq, memory_order_relaxed) == c0;
	if (have_sr) {
		int64_t since = (int64_t)(now_ntp - (uint64_t)pl->ntp_offset - sr_ntp);
		int64_t ticks = (int64_t)(((__int128)since * st->clock_rate) >> 32);
		rtp_now = sr_rtp + (uint32_t)ticks + sub->ts_delta;
	} else {
		/* No SR from the publisher yet: the receiver's own timeline,
		 * its last packet's timestamp moved on by the time since. */
		uint64_t last_tsc = sub->last_out_tsc;
		uint32_t last_ts = sub->last_out_ts;
		/* Read while the worker writes: the pair may be from two
		 * packets, and newer than `now` (read at the pass's start). */
		uint64_t since = now > last_tsc ? now - last_tsc : 0;
		rtp_now = last_ts + (uint32_t)((unsigned __int128)since * st->clock_rate / dp->tsc_hz);
	}
	if (!rs->main_valid || rs->main_gen != atomic_load(&sub->gen)) {
		strata_srtp_tx_init(&rs->sr_tx, sub->ssrc);
		rs->main_gen = atomic_load(&sub->gen);
		rs->main_valid = 1;
		rs->packets_at[0] = rs->packets_at[1] = 0;
	}
	/* RFC 3550 6.4: only while we send this receiver anything. */
	uint64_t packets = sub->packets;
	bool sending = packets != rs->packets_at[1];
	rs->packets_at[1] = rs->packets_at[0];
	rs->packets_at[0] = packets;
	if (!sending)
		return;
	struct dp_rtcp_sender_info si = {
		.ntp = now_ntp,
		.rtp_ts = rtp_now,
		.packet_count = (uint32_t)sub->packets,
		.octet_count = (uint32_t)sub->bytes,
	};
	char cname[CNAME_MAX];
	int cn = snprintf(cname, sizeof(cname), "strata-leg-%u", st->leg);
	struct dp_rtcp_part parts[2] = {
		{.type = DP_RTCP_PART_SR, .ssrc = sub->ssrc, .report = {.si = &si, .n = 0}},
		{.type = DP_RTCP_PART_SDES_CNAME, .ssrc = sub->ssrc,
		 .sdes = {.cname = (const uint8_t *)cname, .len = (unsigned)cn}},
	};
	uint8_t buf[256];
	uint32_t len = dp_rtcp_build_compound(buf, sizeof(buf), parts, 2);
	if (len != 0 && dp_rtcp_main_send(mn, sub->leg, &rs->sr_tx, buf, len) == 0)
		mn->c.rtcp[DP_RTCP_C_SR_SENT]++;
}

void dp_rtcp_reports_tick(struct dp_main *mn, uint64_t now)
{
	struct dp_rtcp *g = dp_rtcp_g;
	struct dp_tables *t = &mn->dp->tables;

	if (now < g->next_report_tsc)
		return;
	/* RFC 3550 6.3.1: "[0.5, 1.5] times the calculated interval". */
	uint64_t mean = (uint64_t)g->cfg.report_interval_ms * (mn->dp->tsc_hz / 1000);
	dp_rtcp_clock_anchor(g, now);
	g->next_report_tsc = now + mean / 2 + rte_rand_max(mean ? mean : 1);

	for (uint32_t i = 1; i <= t->max_streams; i++) {
		const struct dp_stream *st = &t->streams[i];
		struct dp_rtcp_rx_stats *rx = &g->streams[i].rx;
		if (!st->in_use && !st->retiring) {
			dp_rtx_cache_reap(mn->dp, i); /* a deleted stream's packets */
			continue;
		}
		if (!st->in_use || !st->started || !rx->valid || !t->legs[st->leg].in_use)
			continue;
		/* RFC 3550 6.4: blocks only for sources heard from lately. */
		uint32_t received = rx->received;
		bool heard = received != rx->received_at[1];
		rx->received_at[1] = rx->received_at[0];
		rx->received_at[0] = received;
		if (heard)
			send_rr(mn, i, now);
	}
	for (uint32_t i = 1; i <= t->max_subs; i++)
		if (t->subs[i].in_use && t->legs[t->subs[i].leg].in_use)
			send_sr(mn, i, now);
}
