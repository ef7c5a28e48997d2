/* SPDX-License-Identifier: BSD-3-Clause */
/* Repairs from the publisher, and the receivers waiting for them
 * (rtx_repair.h explains the design). */
#include <string.h>

#include <rte_cycles.h>

#include "fanout_svc.h"
#include "rtcp_rx.h"
#include "rtcp_state.h"
#include "rtp/rtp_ext.h"
#include "rtp/rtp_header.h"
#include "rtp/rtp_rtx.h"
#include "rtx_repair.h"
#include "rtx_svc.h"
#include "seqmap_reverse.h"

#define SEQ_MASK 0xffffu

static inline void drop(struct dp_worker *w, struct rte_mbuf *m, enum dp_drop why)
{
	w->c.drop[why]++;
	rte_pktmbuf_free(m);
}

/*
 * A repair's dependency descriptor, parsed against a copy of the stream's
 * state: the stream's own state must not move for an old packet (an old
 * structure in it would become the current one again; its active decode
 * targets would replace the newer ones).  One copy per lcore, not on the
 * stack: a structure is a few kilobytes.
 */
static __thread struct dp_av1_dd_stream dd_scratch;

static bool dd_info(const struct dp_stream *st, const uint8_t *rtp, uint32_t hdr_len,
		    struct dp_mbuf_meta *meta, enum dp_drop *why)
{
	const struct dp_av1_dd_stream *sdd = st->dd;
	struct dp_av1_dd_frame *f = &meta->codec.dd;
	uint32_t dlen = 0;
	const uint8_t *dd = strata_rtp_ext_find(rtp, hdr_len, st->ext_dependency_descriptor, &dlen);

	*why = DP_DROP_DD_INVALID;
	if (dd == NULL || dd - rtp > UINT8_MAX || dlen > UINT8_MAX || !sdd->has_structure)
		return false;
	/* Only the current structure is needed (a different one in the
	 * repair goes into the other slot, and makes the repair stale). */
	dd_scratch.cur = 0;
	dd_scratch.slot[0] = sdd->slot[sdd->cur];
	dd_scratch.has_structure = sdd->has_structure;
	dd_scratch.started = sdd->started;
	dd_scratch.structure_gen = sdd->structure_gen;
	dd_scratch.active_mask = sdd->active_mask;
	dd_scratch.newest_frame = sdd->newest_frame;
	if (dp_av1_dd_parse(&dd_scratch, dd, dlen, f) != DP_AV1_DD_OK)
		return false;
	if (f->structure_gen != sdd->structure_gen) {
		*why = DP_DROP_RTX_STALE;
		return false;
	}
	f->structure = &sdd->slot[sdd->cur]; /* not the scratch copy */
	meta->dd_off = (uint8_t)(dd - rtp);
	meta->dd_len = (uint8_t)dlen;
	meta->path = DP_PATH_DD;
	meta->frame.frame_start = f->start_of_frame;
	meta->frame.keyframe = f->structure_attached;
	return true;
}

/*
 * What the fan-out's parse (fanout_svc.c, dp_fanout_svc_info) records for
 * a cached packet, for the repair: the same parsers, none of the stream
 * state they build (H.264's access units, the descriptor's structure).
 */
static bool repair_info(struct dp_stream *st, const uint8_t *rtp, uint32_t len,
			uint32_t hdr_len, struct dp_mbuf_meta *meta, enum dp_drop *why)
{
	memset(&meta->frame, 0, sizeof(meta->frame));
	memset(&meta->svc, 0, sizeof(meta->svc));
	meta->dd_len = 0;
	if (!dp_fanout_svc_payload(st, rtp + hdr_len, len - hdr_len, strata_be32(rtp + 4), false,
				   meta)) {
		*why = DP_DROP_NOT_VIDEO_PAYLOAD;
		return false;
	}
	if (st->dd != NULL)
		return dd_info(st, rtp, hdr_len, meta, why);
	return true;
}

void dp_rtx_repair(struct dp_worker *w, struct rte_mbuf *m, struct dp_stream *st,
		   uint32_t stream_id)
{
	struct dp_rtcp *g = dp_rtcp_g;
	struct dp_mbuf_meta *meta = dp_meta(m);
	uint8_t *rtp = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->pkt.payload_off);
	uint32_t len = meta->pkt.payload_len, hdr_len;
	enum dp_drop why;

	if (g == NULL || st->kind != STRATA_MEDIA_VIDEO) {
		drop(w, m, DP_DROP_RTX_CONSUMED); /* no cache to fill */
		return;
	}
	/*
	 * RFC 4588 section 4: "Upon reception, the original packet is
	 * reconstructed by [...] restoring the SSRC, sequence number and
	 * payload type of the original packet, and removing the OSN" -- in
	 * place, the header moved two octets on, over the OSN (rtp/rtp_rtx.h).
	 */
	struct strata_rtx_original o;
	switch (strata_rtx_restore(rtp, len, st->rtx_pt, st->pt, st->ssrc, &o)) {
	case STRATA_RTX_OK:
		break;
	case STRATA_RTX_PADDING_ONLY:
		/* Padding alone: a sender probing the bandwidth. */
		drop(w, m, DP_DROP_PADDING_ONLY);
		return;
	default:
		drop(w, m, DP_DROP_RTX_INVALID);
		return;
	}
	rtp += o.off;
	meta->pkt.payload_off = (uint16_t)(meta->pkt.payload_off + o.off);
	len = o.len;
	hdr_len = o.hdr_len;
	meta->pkt.payload_len = (uint16_t)len;
	meta->rtp_hdr_len = (uint16_t)hdr_len;
	meta->rtx = 0;
	meta->stream = stream_id;
	meta->stream_gen = atomic_load_explicit(&st->gen, memory_order_relaxed);
	if (!repair_info(st, rtp, len, hdr_len, meta, &why)) {
		drop(w, m, why);
		return;
	}

	switch (dp_rtx_cache_put_repair(w, m, st, stream_id)) {
	case DP_RTX_PUT_CACHED:
		break;
	case DP_RTX_PUT_ALREADY:
		drop(w, m, DP_DROP_RTX_DUPLICATE);
		return;
	case DP_RTX_PUT_REFUSED:
		drop(w, m, DP_DROP_RTX_UNCACHED);
		return;
	}
	w->c.rtcp[DP_RTCP_C_RTX_REPAIRED]++;
	/* The other workers look at their waits again; this one now. */
	atomic_fetch_add_explicit(&g->rtx.repairs, 1, memory_order_release);
	bool waited = atomic_load_explicit(&g->rtx.caches[stream_id].waiting,
					   memory_order_relaxed) != 0;
	dp_rtx_wait_poll(w);
	if (waited) {
		w->c.forwarded++;
		rte_pktmbuf_free(m); /* the cache holds it */
	} else {
		drop(w, m, DP_DROP_RTX_CONSUMED);
	}
}

/* ---- The receivers' waits [the receiver's worker] --------------------- */

static void wait_remove(struct dp_rtx_worker *rw, uint32_t i)
{
	struct dp_rtx_cache *c = &dp_rtcp_g->rtx.caches[rw->wait[i].stream];

	atomic_fetch_sub_explicit(&c->waiting, 1, memory_order_relaxed);
	rw->wait[i] = rw->wait[--rw->n_wait];
}

bool dp_rtx_wait_add(struct dp_worker *w, uint32_t stream, uint16_t in_seq, uint32_t sub_id,
		     uint16_t out_seq, uint64_t now)
{
	struct dp_rtcp *g = dp_rtcp_g;
	struct dp_rtx_worker *rw = &g->rtx.workers[w->index];
	const struct dp *dp = w->dp;
	uint64_t until = now + g->rtx.age_tsc;

	for (uint32_t i = 0; i < rw->n_wait; i++) {
		struct dp_rtx_waiter *e = &rw->wait[i];
		if (e->sub == sub_id && e->stream == stream && e->in_seq == in_seq) {
			e->out_seq = out_seq;
			e->until_tsc = until; /* asked again: waits on */
			return true;
		}
	}
	if (rw->n_wait == DP_RTX_WAITERS) {
		w->c.rtcp[DP_RTCP_C_RTX_WAIT_FULL]++;
		return false;
	}
	rw->wait[rw->n_wait++] = (struct dp_rtx_waiter){
		.stream = stream,
		.stream_gen = atomic_load_explicit(&dp->tables.streams[stream].gen,
						   memory_order_relaxed),
		.sub = sub_id,
		.sub_gen = atomic_load_explicit(&dp->tables.subs[sub_id].gen, memory_order_relaxed),
		.in_seq = in_seq,
		.out_seq = out_seq,
		.until_tsc = until,
	};
	if (rw->n_wait == 1 || until < rw->wait_expiry_tsc)
		rw->wait_expiry_tsc = until;
	atomic_fetch_add_explicit(&g->rtx.caches[stream].waiting, 1, memory_order_relaxed);
	w->c.rtcp[DP_RTCP_C_RTX_WAITING]++;
	return true;
}

/*
 * Sends the repair m of the wait e, if the receiver still numbers it so:
 * the same subscription, on the same encoding, whose number out_seq still
 * maps to the repaired one (not after a rebase); and if it is of layers the
 * receiver gets (the router never saw it, so the receiver's numbers left a
 * gap for it whatever its layer).
 */
static void serve(struct dp_worker *w, const struct dp_rtx_waiter *e, struct rte_mbuf *m)
{
	struct dp *dp = w->dp;
	struct dp_sub *sub = &dp->tables.subs[e->sub];
	uint32_t in_seq;

	if (!sub->in_use || atomic_load_explicit(&sub->gen, memory_order_relaxed) != e->sub_gen ||
	    dp_rtcp_sub_stream(dp, sub) != e->stream || sub->cur_spatial == DP_NONE ||
	    !dp_seqmap_reverse(&sub->seq, e->out_seq, SEQ_MASK, &in_seq) ||
	    in_seq != e->in_seq) {
		w->c.rtcp[DP_RTCP_C_RTX_UNMAPPED]++;
		return;
	}
	if (!dp_rtx_svc_wanted(sub, dp_meta(m))) {
		w->c.rtcp[DP_RTCP_C_RTX_LAYER_FILTERED]++;
		return;
	}
	if (dp_rtcp_resend(w, e->sub, m, e->out_seq, sub->rtx_ssrc != 0))
		w->c.rtcp[DP_RTCP_C_RTX_REPAIR_SENT]++;
}

void dp_rtx_wait_poll(struct dp_worker *w)
{
	struct dp_rtcp *g = dp_rtcp_g;

	if (g == NULL)
		return;
	struct dp_rtx_worker *rw = &g->rtx.workers[w->index];
	if (rw->n_wait == 0)
		return;
	uint64_t repairs = atomic_load_explicit(&g->rtx.repairs, memory_order_acquire);
	uint64_t now = rte_rdtsc();
	if (repairs == rw->wait_repairs && now < rw->wait_expiry_tsc)
		return;
	rw->wait_repairs = repairs;

	const struct dp_tables *t = &w->dp->tables;
	uint64_t expiry = UINT64_MAX;
	for (uint32_t i = 0; i < rw->n_wait;) {
		struct dp_rtx_waiter *e = &rw->wait[i];
		const struct dp_stream *st = &t->streams[e->stream];
		if (!st->in_use || atomic_load_explicit(&st->gen, memory_order_acquire) !=
					   e->stream_gen) {
			wait_remove(rw, i); /* the stream went */
			continue;
		}
		/* Too late to help a jitter buffer: given up first. */
		if (now >= e->until_tsc) {
			w->c.rtcp[DP_RTCP_C_RTX_REPAIR_EXPIRED]++;
			wait_remove(rw, i);
			continue;
		}
		struct rte_mbuf *m = dp_rtx_cache_get(w, e->stream, e->in_seq);
		if (m != NULL) {
			serve(w, e, m);
			rte_pktmbuf_free(m);
			wait_remove(rw, i);
			continue;
		}
		if (e->until_tsc < expiry)
			expiry = e->until_tsc;
		i++;
	}
	rw->wait_expiry_tsc = expiry;
}
