/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The media path, first half: for a burst of RTP/RTCP packets on legs this
 * worker owns, find each packet's stream, authenticate and decrypt the whole
 * burst in one call to the SRTP engine, then learn from what passed:
 * latch remote addresses, count, and hand RTP to the fan-out.
 *
 * Remote addresses are latched only from packets that passed SRTP
 * authentication (DESIGN.md): a forged packet from elsewhere must not
 * redirect a call.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "fanout.h"
#include "media.h"
#include "rtcp_rx.h"
#include "rtcp_state.h"
#include "rtcp_stats.h"
#include "rtp/rtp_ext.h"
#include "rtp/rtp_header.h"
#include "rtx_repair.h"

static inline void drop(struct dp_worker *w, struct rte_mbuf *m, enum dp_drop why)
{
	w->c.drop[why]++;
	rte_pktmbuf_free(m);
}

static inline bool addr_equal(const struct strata_addr *a, const struct strata_addr *b)
{
	return a->port == b->port && a->family == b->family &&
	       memcmp(a->ip, b->ip, a->family == STRATA_AF_INET ? 4 : 16) == 0;
}

/* The stream a leg publishes on `ssrc`, or 0. */
static inline uint32_t leg_stream(const struct dp_leg *leg, uint32_t ssrc, bool *rtx)
{
	for (unsigned i = 0; i < DP_LEG_MAX_SSRCS; i++) {
		uint32_t s = atomic_load_explicit(&leg->ssrcs[i].stream, memory_order_acquire);
		if (s != 0 && leg->ssrcs[i].ssrc == ssrc) {
			*rtx = leg->ssrcs[i].rtx;
			return s;
		}
	}
	return 0;
}

/*
 * RFC 6464 section 3: the audio level extension is one byte, "V | level":
 * the V flag (voice activity) and the level in -dBov, 0..127 (127 is
 * silence).
 */
static inline void note_audio_level(struct dp_stream *st, const uint8_t *rtp, uint32_t len)
{
	uint32_t hdr_len, ext_len;
	const uint8_t *ext;

	if (strata_rtp_header_len(rtp, len, &hdr_len) != STRATA_RTP_PARSE_OK)
		return;
	ext = strata_rtp_ext_find(rtp, hdr_len, st->ext_audio_level, &ext_len);
	if (ext != NULL && ext_len >= 1)
		st->audio_level = ext[0] & 0x7f;
}

/* The remote address moved (or was learnt): only after authentication. */
static void latch(struct dp_worker *w, struct dp_leg *leg, uint32_t leg_id,
		  const struct strata_addr *from)
{
	leg->remote = *from;
	atomic_fetch_add_explicit(&leg->remote_gen, 1, memory_order_release);
	/* The main lcore resolves the new next hop and tells strata-cp. */
	if (rte_ring_enqueue(w->notify, dp_notify_pack(DP_NOTIFY_LEG_LATCHED, leg_id)) != 0)
		w->c.notify_dropped++;
}

/* What an unprotect failure says about the leg. */
static inline void count_srtp_failure(struct dp_worker *w, struct dp_leg *leg, int status)
{
	w->c.srtp_rx[status]++;
	leg->counters.rx_dropped++;
	if (status == STRATA_SRTP_AUTH_FAIL)
		leg->counters.srtp_auth_fail++;
	else if (status == STRATA_SRTP_REPLAY_DUP || status == STRATA_SRTP_REPLAY_OLD)
		leg->counters.srtp_replay++;
}

/* A stream's first authenticated packet, and its running counts. */
static inline void note_stream(struct dp_worker *w, struct dp_stream *st, uint32_t stream_id,
			       const uint8_t *rtp, uint32_t len, uint64_t now)
{
	st->packets++;
	st->bytes += len;
	st->last_packet_tsc = now;
	st->last_seq = strata_rtp_seq(rtp);
	st->last_ts = strata_be32(rtp + 4);
	if (st->ext_audio_level)
		note_audio_level(st, rtp, len);
	if (!st->started) {
		st->started = 1;
		if (rte_ring_enqueue(w->notify, dp_notify_pack(DP_NOTIFY_STREAM_STARTED, stream_id)))
			w->c.notify_dropped++;
	}
}

/*
 * Looks up the leg and stream of each packet and queues its unprotect.
 * Packets that cannot be processed are dropped here, each with its reason.
 */
static unsigned prepare(struct dp_worker *w, struct rte_mbuf **pkts, unsigned n,
			struct rte_mbuf **rtp, unsigned *n_rtp, struct rte_mbuf **rtcp,
			unsigned *n_rtcp)
{
	struct dp_tables *t = &w->dp->tables;
	struct strata_srtp_op *rtp_ops = w->in_ops;
	struct strata_srtp_op *rtcp_ops = w->in_ops + DP_MAX_OUTPUTS / 2;

	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_mbuf_meta *meta = dp_meta(m);
		struct dp_leg *leg = &t->legs[meta->leg];

		if (!leg->in_use ||
		    atomic_load_explicit(&leg->gen, memory_order_acquire) != meta->leg_gen) {
			drop(w, m, DP_DROP_LEG_GONE);
			continue;
		}
		meta->latch = !addr_equal(&meta->pkt.remote, &leg->remote);
		if (meta->latch && !leg->latch) {
			leg->counters.rx_dropped++;
			drop(w, m, DP_DROP_SPOOFED_SOURCE);
			continue;
		}
		uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->pkt.payload_off);
		uint32_t len = meta->pkt.payload_len;
		bool is_rtcp = meta->pkt.rtcp, rtx = false;
		if (len < (is_rtcp ? STRATA_RTCP_FIXED_HEADER_LEN : STRATA_RTP_FIXED_HEADER_LEN)) {
			drop(w, m, DP_DROP_RTP_INVALID);
			continue;
		}
		uint32_t ssrc = is_rtcp ? strata_rtcp_ssrc(p) : strata_rtp_ssrc(p);
		uint32_t sid = leg_stream(leg, ssrc, &rtx);
		/* RTCP from an SSRC the leg does not publish (a receive-only
		 * client's): the leg's own SRTCP state for that sender. */
		struct strata_srtp_rx *peer = NULL;
		uint8_t slot = 0;
		if (sid == 0 && is_rtcp && dp_rtcp_g != NULL)
			peer = dp_rtcp_rx_lookup(w, meta->leg, ssrc, &slot);
		if (sid == 0 && peer == NULL) {
			leg->counters.rx_dropped++;
			drop(w, m, DP_DROP_UNKNOWN_SSRC);
			continue;
		}
		struct dp_stream *st = &t->streams[sid];
		meta->stream = sid;
		/* For RTCP from such a sender (stream 0): its slot + 1. */
		meta->rtx = peer ? (uint8_t)(slot + 1) : rtx;
		struct strata_srtp_op op = {
			.session = &leg->rx,
			.rx = peer ? peer : rtx ? &st->srtp_rtx : &st->srtp,
			.buf = p,
			.len = len,
		};
		if (is_rtcp) {
			rtcp_ops[*n_rtcp] = op;
			rtcp[(*n_rtcp)++] = m;
		} else {
			rtp_ops[*n_rtp] = op;
			rtp[(*n_rtp)++] = m;
		}
	}
	return *n_rtp + *n_rtcp;
}

/* After unprotect: latch, count, and pass authenticated RTP on. */
static void finish(struct dp_worker *w, struct rte_mbuf **pkts, struct strata_srtp_op *ops,
		   unsigned n, bool is_rtcp, uint64_t now)
{
	struct dp_tables *t = &w->dp->tables;

	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_mbuf_meta *meta = dp_meta(m);
		struct dp_leg *leg = &t->legs[meta->leg];

		bool peer = is_rtcp && meta->stream == 0;
		if (peer)
			dp_rtcp_rx_checked(w, meta->leg, (uint8_t)(meta->rtx - 1),
					   ops[i].status == STRATA_SRTP_OK);
		if (ops[i].status != STRATA_SRTP_OK) {
			count_srtp_failure(w, leg, ops[i].status);
			drop(w, m, DP_DROP_SRTP_FAILED);
			continue;
		}
		w->c.srtp_rx[STRATA_SRTP_OK]++;
		leg->counters.rx_packets++;
		leg->counters.rx_bytes += meta->pkt.payload_len;
		if (meta->latch)
			latch(w, leg, meta->leg, &meta->pkt.remote);
		meta->pkt.payload_len = ops[i].len; /* the tag is gone */

		if (is_rtcp) {
			/* RTCP ends here (rtcp_rx.c): the router answers it or
			 * speaks for itself; nothing is forwarded as is. */
			drop(w, m, dp_rtcp_g == NULL ? DP_DROP_RTCP_CONSUMED
						     : dp_rtcp_rx_process(w, meta->leg, meta->stream,
									   ops[i].buf, ops[i].len,
									   now));
			continue;
		}
		struct dp_stream *st = &t->streams[meta->stream];
		meta->rx_tsc = now; /* the fan-out's clock, read once per burst */
		note_stream(w, st, meta->stream, ops[i].buf, ops[i].len, now);
		if (meta->rtx) {
			/* The publisher's answer to the router's NACK: restored
			 * into the cache, sent on to the receivers that wait
			 * for it (rtx_repair.h), never forwarded as it is. */
			dp_rtx_repair(w, m, st, meta->stream);
			continue;
		}
		dp_rtcp_on_rtp(w, meta->stream, ops[i].buf, now);
		dp_fanout(w, m, st, meta->stream);
	}
}

void dp_media_process(struct dp_worker *w, struct rte_mbuf **pkts, unsigned n)
{
	struct rte_mbuf *rtp[DP_MAX_OUTPUTS / 2], *rtcp[DP_MAX_OUTPUTS / 2];
	unsigned n_rtp = 0, n_rtcp = 0;

	while (n > 0) {
		unsigned chunk = n < DP_MAX_OUTPUTS / 2 ? n : DP_MAX_OUTPUTS / 2;

		n_rtp = n_rtcp = 0;
		if (prepare(w, pkts, chunk, rtp, &n_rtp, rtcp, &n_rtcp) > 0) {
			uint64_t now = rte_rdtsc();

			strata_srtp_unprotect(w->srtp, w->in_ops, n_rtp);
			strata_srtcp_unprotect(w->srtp, w->in_ops + DP_MAX_OUTPUTS / 2, n_rtcp);
			finish(w, rtp, w->in_ops, n_rtp, false, now);
			finish(w, rtcp, w->in_ops + DP_MAX_OUTPUTS / 2, n_rtcp, true, now);
		}
		pkts += chunk;
		n -= chunk;
	}
}
