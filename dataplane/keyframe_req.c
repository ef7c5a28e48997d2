/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the router asks of publishers, from the main lcore: keyframes
 * (PLI, FIR) and retransmissions (NACK), each SRTCP-protected under the
 * publisher leg's transmit session, as the router's own SSRC on that leg.
 *
 * Keyframe requests come from every receiver worker (a receiver's PLI or
 * FIR, a receiver waiting for a keyframe after joining or switching
 * layers) and meet here, one thread, so coalescing needs no lock: a stream
 * gets at most one request per dataplane.timers.keyframe_request_ms
 * (500 ms by default).  One join in a room of a thousand, where every
 * receiver asks at once, is one request.  (A keyframe takes a round trip
 * and an encode to arrive; a second request within that time would only
 * make the encoder send two.)
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_random.h>

#include "keyframe_req.h"
#include "leg_frame.h"
#include "rtcp/rtcp_build.h"
#include "rtcp_state.h"

/* The router's SRTCP sender on a leg [main], reset when the slot is reused. */
static struct dp_rtcp_leg *leg_main(struct dp_main *mn, uint32_t leg_id)
{
	struct dp_rtcp_leg *l = &dp_rtcp_g->legs[leg_id];
	uint32_t gen = atomic_load_explicit(&mn->dp->tables.legs[leg_id].gen, memory_order_acquire);

	if (!l->main_valid || l->main_gen != gen) {
		/* RFC 3550 8.1: an SSRC chosen at random. */
		l->router_ssrc = (uint32_t)rte_rand() | 1u;
		strata_srtp_tx_init(&l->tx, l->router_ssrc);
		l->main_gen = gen;
		l->main_valid = 1;
	}
	return l;
}

uint32_t dp_rtcp_router_ssrc(struct dp_main *mn, uint32_t leg_id)
{
	return leg_main(mn, leg_id)->router_ssrc;
}

int dp_rtcp_main_send(struct dp_main *mn, uint32_t leg_id, struct strata_srtp_tx *tx,
		      const uint8_t *rtcp, uint32_t len)
{
	struct dp *dp = mn->dp;
	struct dp_leg *leg = &dp->tables.legs[leg_id];
	const struct strata_srtp_profile *prof = leg->tx.profile;
	enum dp_tx_drop why = DP_TX_DROP_NO_MBUF;
	uint16_t pi = 0, hl = 0;
	uint32_t protected_len = len + STRATA_SRTCP_TRAILER_LEN + prof->rtcp_tag_len;
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
	uint8_t *out = NULL;

	if (m == NULL ||
	    (out = dp_leg_frame_start(dp, leg, m, (uint16_t)protected_len, &pi, &hl, &why)) == NULL)
		goto fail;
	struct strata_srtp_op op = {
		.session = &leg->tx,
		.tx = tx,
		.src = rtcp,
		.buf = out,
		.len = len,
		.cap = (uint32_t)(rte_pktmbuf_tailroom(m) - hl),
	};
	strata_srtcp_protect(mn->srtp, &op, 1);
	if (op.status != STRATA_SRTP_OK || op.len != protected_len) {
		why = DP_TX_DROP_SRTP_PROTECT;
		goto fail;
	}
	dp_leg_frame_finish(dp, m, pi, hl, (uint16_t)op.len);
	dp_main_tx(mn, pi, m);
	return 0;

fail:
	mn->c.tx_drop[why]++;
	mn->c.rtcp[DP_RTCP_C_SEND_FAILED]++;
	rte_pktmbuf_free(m);
	return -1;
}

void dp_keyframe_request(struct dp_main *mn, uint32_t stream, bool fir, uint64_t now)
{
	struct dp_rtcp *g = dp_rtcp_g;
	struct dp *dp = mn->dp;
	const struct dp_stream *st = &dp->tables.streams[stream];
	uint8_t buf[64];
	uint32_t len;

	if (g == NULL || stream == 0 || stream > dp->tables.max_streams || !st->in_use)
		return;
	struct dp_rtcp_stream *rs = &g->streams[stream];
	mn->c.rtcp[DP_RTCP_C_KEYFRAME_ASKED]++;
	if (rs->last_request_tsc != 0 && now - rs->last_request_tsc < g->keyframe_interval_tsc) {
		mn->c.rtcp[DP_RTCP_C_KEYFRAME_COALESCED]++;
		return;
	}
	struct dp_rtcp_leg *l = leg_main(mn, st->leg);
	if (fir) {
		/* RFC 5104 4.3.1.2: "the sequence number [...] shall be
		 * increased by 1 for each new command". */
		struct dp_rtcp_fir_entry e = {.ssrc = st->ssrc, .seq = ++rs->fir_seq};
		len = dp_rtcp_build_fir(buf, sizeof(buf), l->router_ssrc, &e, 1);
	} else {
		/* RFC 4585 6.3.1: PLI, no FCI, "SSRC of media source" the
		 * stream whose decoder state is lost. */
		len = dp_rtcp_build_pli(buf, sizeof(buf), l->router_ssrc, st->ssrc);
	}
	if (len == 0 || dp_rtcp_main_send(mn, st->leg, &l->tx, buf, len) != 0)
		return; /* counted; a later request retries */
	rs->last_request_tsc = now;
	mn->c.rtcp[fir ? DP_RTCP_C_FIR_SENT : DP_RTCP_C_PLI_SENT]++;
}

/* Sends the NACKs collected since the last pass, one per stream. */
static void flush_nacks(struct dp_main *mn)
{
	struct dp_rtcp *g = dp_rtcp_g;
	struct dp *dp = mn->dp;
	uint16_t seqs[256];
	uint8_t buf[1200];

	while (g->n_nack > 0) {
		uint32_t stream = g->nack[0].stream;
		unsigned n = 0, keep = 0;
		for (unsigned i = 0; i < g->n_nack; i++) {
			if (g->nack[i].stream == stream)
				seqs[n++] = g->nack[i].seq;
			else
				g->nack[keep++] = g->nack[i];
		}
		g->n_nack = keep;
		const struct dp_stream *st = &dp->tables.streams[stream];
		if (!st->in_use)
			continue;
		struct dp_rtcp_leg *l = leg_main(mn, st->leg);
		uint32_t len = dp_rtcp_build_nack(buf, sizeof(buf), l->router_ssrc, st->ssrc, seqs, n);
		if (len != 0 && dp_rtcp_main_send(mn, st->leg, &l->tx, buf, len) == 0) {
			mn->c.rtcp[DP_RTCP_C_NACK_SENT]++;
			mn->c.rtcp[DP_RTCP_C_NACK_FORWARDED] += n;
		}
	}
}

bool dp_rtcp_main_notify(struct dp_main *mn, uint64_t v, uint64_t now)
{
	struct dp_rtcp *g = dp_rtcp_g;
	uint32_t id = (uint32_t)v;

	if (g == NULL)
		return false;
	switch ((enum dp_rtcp_notify)((v >> 32) & 0xff)) {
	case DP_RTCP_NOTIFY_PLI:
		dp_keyframe_request(mn, id, false, now);
		return true;
	case DP_RTCP_NOTIFY_FIR:
		dp_keyframe_request(mn, id, true, now);
		return true;
	case DP_RTCP_NOTIFY_NACK:
		if (id == 0 || id > mn->dp->tables.max_streams)
			return true;
		if (g->n_nack == RTE_DIM(g->nack))
			flush_nacks(mn);
		g->nack[g->n_nack].stream = id;
		g->nack[g->n_nack].seq = (uint16_t)(v >> 40);
		g->n_nack++;
		return true;
	}
	return false;
}

void dp_rtcp_main_tick(struct dp_main *mn, uint64_t now)
{
	if (dp_rtcp_g == NULL)
		return;
	flush_nacks(mn);
	dp_rtcp_reports_tick(mn, now);
}
