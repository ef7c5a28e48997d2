/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The media path, second half: one decrypted input, many receivers.
 *
 * For each receiver of the input's source this worker serves: decide
 * whether the receiver gets the packet (its layers, a simulcast switch at a
 * keyframe), rewrite what the receiver must see (SSRC, payload type, gapless
 * sequence numbers, continuous timestamps and VP8 picture ids), and build
 * the output: headers and the rewritten RTP header and payload descriptor
 * are written into a fresh mbuf, and the SRTP engine encrypts the rest of
 * the payload straight from the input into it (one pass, no copy first).
 * Outputs are collected and encrypted in bursts (dp_fanout_flush), then
 * transmitted in bursts per port.
 *
 * Receivers served by other workers get the input through those workers'
 * fan-out rings: the decrypted mbuf is shared by reference count, so the
 * input is decrypted once however many workers serve its receivers.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "codec/vp8.h"
#include "dp.h"
#include "fanout.h"
#include "net/headers.h"
#include "tx_checksum.h"
#include "rtp/rtp_header.h"
#include "select.h"

#define SEQ_MASK 0xffffu

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* What the codec says about the packet's frame; -1 when it is unparsable. */
static int frame_info(const struct dp_stream *st, const uint8_t *payload, uint32_t len,
		      struct dp_frame_info *fi)
{
	memset(fi, 0, sizeof(*fi));
	switch (st->codec) {
	case STRATA_CODEC_VP8:
		return dp_vp8_parse(payload, len, fi);
	default:
		/* Audio, and video codecs whose layers come with later
		 * support: every packet stands alone as far as selection goes. */
		fi->frame_start = 1;
		fi->keyframe = 1;
		return 0;
	}
}

/* Asks the main lcore for a keyframe request, at most once per interval. */
static void want_keyframe(struct dp_worker *w, struct dp_sub *sub, uint32_t sub_id, uint64_t now)
{
	if (now - sub->keyframe_asked_tsc < w->dp->keyframe_interval_tsc)
		return;
	sub->keyframe_asked_tsc = now;
	if (rte_ring_enqueue(w->notify, dp_notify_pack(DP_NOTIFY_KEYFRAME_NEEDED, sub_id)) != 0)
		w->c.notify_dropped++;
}

/*
 * A simulcast switch (or the first packet): numbers continue from what the
 * receiver last got.  Timestamps continue by the wall-clock time since the
 * receiver's last packet, in the stream's clock, so lip sync and jitter
 * buffers see no jump.
 */
static void rebase(struct dp_worker *w, struct dp_sub *sub, const struct dp_stream *st,
		   const uint8_t *rtp, const struct dp_frame_info *fi, uint64_t now)
{
	uint16_t in_seq = strata_rtp_seq(rtp);
	uint32_t in_ts = strata_be32(rtp + 4);

	if (!sub->seq.started) {
		sub->ts_delta = 0;
		sub->tl0_delta = 0;
		return;
	}
	dp_seqmap_rebase(&sub->seq, in_seq, (sub->seq.last_out + 1) & SEQ_MASK, SEQ_MASK);
	uint64_t elapsed = (now - sub->last_out_tsc) * st->clock_rate / w->dp->tsc_hz;
	sub->ts_delta = sub->last_out_ts + (uint32_t)(elapsed ? elapsed : 1) - in_ts;
	if (fi->has_picture_id && sub->picture.started) {
		uint32_t mask = fi->picture_id_bits == 15 ? 0x7fff : 0x7f;
		dp_seqmap_rebase(&sub->picture, fi->picture_id, (sub->picture.last_out + 1) & mask,
				 mask);
	}
	if (fi->has_tl0)
		sub->tl0_delta = (uint8_t)(fi->tl0picidx - (uint8_t)(sub->last_tl0_out + 1));
}

/* The input is not for this receiver: later numbers close the gap. */
static void skip(struct dp_sub *sub, const struct dp_stream *st, const uint8_t *rtp,
		 const struct dp_frame_info *fi)
{
	if (st->encoding != sub->cur_spatial)
		return; /* another encoding's numbers mean nothing here */
	dp_seqmap_drop(&sub->seq, strata_rtp_seq(rtp), SEQ_MASK);
	if (fi->has_picture_id && fi->frame_start)
		dp_seqmap_drop(&sub->picture, fi->picture_id,
			       fi->picture_id_bits == 15 ? 0x7fff : 0x7f);
}

/*
 * The encoding the receiver should get: its target, or the closest lower
 * one the source has (the closest higher when there is none lower).
 */
static uint8_t target_encoding(const struct dp *dp, const struct dp_sub *sub)
{
	const struct dp_source *src = &dp->tables.sources[sub->source];
	uint8_t want = atomic_load_explicit(&sub->target_spatial, memory_order_relaxed);

	if (want >= DP_SOURCE_MAX_ENCODINGS)
		want = DP_SOURCE_MAX_ENCODINGS - 1;
	for (int e = want; e >= 0; e--)
		if (atomic_load_explicit(&src->encodings[e], memory_order_relaxed) != 0)
			return (uint8_t)e;
	for (int e = want + 1; e < DP_SOURCE_MAX_ENCODINGS; e++)
		if (atomic_load_explicit(&src->encodings[e], memory_order_relaxed) != 0)
			return (uint8_t)e;
	return want;
}

/* Queues one receiver's copy; returns false when the receiver skips it. */
static bool output_one(struct dp_worker *w, struct rte_mbuf *in, const struct dp_stream *st,
		       uint32_t sub_id, enum dp_drop *why, uint64_t now)
{
	struct dp *dp = w->dp;
	struct dp_sub *sub = &dp->tables.subs[sub_id];
	struct dp_mbuf_meta *meta = dp_meta(in);
	const struct dp_frame_info *fi = &meta->frame;
	uint8_t *rtp = rte_pktmbuf_mtod_offset(in, uint8_t *, meta->pkt.payload_off);
	uint32_t rtp_len = meta->pkt.payload_len, hdr_len = 0;

	enum dp_select sel = dp_select_packet(
		sub, &sub->frame, st, fi, target_encoding(dp, sub),
		atomic_load_explicit(&sub->target_temporal, memory_order_relaxed));
	if (sel & DP_SELECT_KEYFRAME_NEEDED)
		want_keyframe(w, sub, sub_id, now);
	switch (dp_select_reason(sel)) {
	case DP_SELECT_FORWARD:
		break;
	case DP_SELECT_WAITING_KEYFRAME:
		*why = DP_DROP_WAITING_KEYFRAME;
		goto skipped;
	case DP_SELECT_OTHER_ENCODING:
		*why = DP_DROP_OTHER_ENCODING;
		goto skipped;
	default:
		*why = DP_DROP_LAYER_FILTERED;
		goto skipped;
	}
	if (sel & DP_SELECT_SWITCHED_ENCODING)
		rebase(w, sub, st, rtp, fi, now);

	uint32_t out_seq, out_picture = 0;
	if (dp_seqmap_forward(&sub->seq, strata_rtp_seq(rtp), SEQ_MASK, &out_seq) != DP_SEQMAP_OK) {
		sub->dropped++;
		*why = DP_DROP_TOO_LATE;
		return false;
	}
	if (fi->has_picture_id &&
	    dp_seqmap_forward(&sub->picture, fi->picture_id,
			      fi->picture_id_bits == 15 ? 0x7fff : 0x7f,
			      &out_picture) != DP_SEQMAP_OK) {
		sub->dropped++;
		*why = DP_DROP_TOO_LATE;
		return false;
	}

	/* The packet goes to this receiver: from here on, failures are the
	 * output's, counted in the transmit account. */
	struct dp_leg *recv = &dp->tables.legs[sub->leg];
	const struct strata_srtp_profile *prof = recv->tx.profile;
	uint8_t mac[6];
	if (recv->remote.port == 0) {
		w->c.tx_drop[DP_TX_DROP_NO_REMOTE]++;
		return true;
	}
	uint32_t nh = atomic_load_explicit(&recv->neighbor, memory_order_acquire);
	if (nh == 0 || !dp_neighbor_mac(dp->neighbors, nh, mac)) {
		w->c.tx_drop[DP_TX_DROP_NO_NEIGHBOR]++;
		return true;
	}
	uint16_t pi = dp->port_index[recv->port_id];
	const struct dp_iface *ifc = &dp->ports[pi].ifc;
	uint32_t udp_len = rtp_len + prof->rtp_tag_len;
	uint32_t l3_len = (recv->local.family == STRATA_AF_INET ? 20 : 40) + 8;
	if (l3_len + udp_len > ifc->mtu) {
		w->c.tx_drop[DP_TX_DROP_TOO_BIG]++;
		return true;
	}
	struct rte_mbuf *o = rte_pktmbuf_alloc(w->pool);
	if (o == NULL) {
		w->c.tx_drop[DP_TX_DROP_NO_MBUF]++;
		return true;
	}

	uint8_t *frame = rte_pktmbuf_mtod(o, uint8_t *);
	uint16_t hl = dp_udp_headers_build(frame, ifc, mac, &recv->local, &recv->remote,
					   (uint16_t)udp_len);
	uint8_t *out = frame + hl;
	strata_rtp_header_len(rtp, rtp_len, &hdr_len); /* unprotect checked it */
	memcpy(out, rtp, hdr_len);
	if (sub->pt)
		out[1] = (uint8_t)((rtp[1] & 0x80) | sub->pt);
	put_be16(out + 2, (uint16_t)out_seq);
	uint32_t out_ts = strata_be32(rtp + 4) + sub->ts_delta;
	strata_put_be32(out + 4, out_ts);
	strata_put_be32(out + 8, sub->ssrc);

	uint32_t prefix = 0;
	if (fi->has_picture_id || fi->has_tl0) {
		uint8_t tl0 = (uint8_t)(fi->tl0picidx - sub->tl0_delta);
		prefix = fi->desc_len;
		memcpy(out + hdr_len, rtp + hdr_len, prefix);
		dp_vp8_rewrite(out + hdr_len, fi, (uint16_t)out_picture, tl0);
		if (fi->has_tl0)
			sub->last_tl0_out = tl0;
	}
	sub->last_out_ts = out_ts;
	sub->last_out_tsc = now;

	unsigned k = w->n_out++;
	w->out_ops[k] = (struct strata_srtp_op){
		.session = &recv->tx,
		.tx = &sub->srtp,
		.buf = out,
		.len = rtp_len,
		.cap = (uint32_t)(rte_pktmbuf_tailroom(o) - hl),
		.payload = rtp + hdr_len + prefix,
		.prefix = prefix,
	};
	w->outputs[k] = (struct dp_output){.m = o, .port = pi, .l2l3_len = hl, .leg = sub->leg,
					   .sub = sub_id};
	return true;

skipped:
	skip(sub, st, rtp, fi);
	sub->dropped++;
	return false;
}

/* This worker's receivers of the input; returns how many take it. */
static unsigned fanout_local(struct dp_worker *w, struct rte_mbuf *in, const struct dp_stream *st,
			     const struct dp_sub_list *list, enum dp_drop *why)
{
	unsigned taken = 0;
	uint64_t now = rte_rdtsc();

	for (unsigned i = list->first[w->index]; i < list->first[w->index + 1]; i++) {
		if (w->n_out == DP_MAX_OUTPUTS)
			dp_fanout_flush(w);
		taken += output_one(w, in, st, list->subs[i], why, now);
	}
	return taken;
}

/* The input stays until its outputs are encrypted from it. */
static void hold_or_free(struct dp_worker *w, struct rte_mbuf *m, unsigned taken)
{
	if (taken)
		w->held[w->n_held++] = m;
	else
		rte_pktmbuf_free(m);
}

void dp_fanout(struct dp_worker *w, struct rte_mbuf *m, struct dp_stream *st, uint32_t stream_id)
{
	struct dp *dp = w->dp;
	struct dp_mbuf_meta *meta = dp_meta(m);
	const struct dp_source *src = &dp->tables.sources[st->source];
	const struct dp_sub_list *list = atomic_load_explicit(&src->subs, memory_order_acquire);
	uint8_t *rtp = rte_pktmbuf_mtod_offset(m, uint8_t *, meta->pkt.payload_off);
	uint32_t hdr_len = 0;

	if (list == NULL || list->count == 0) {
		w->c.drop[DP_DROP_NO_SUBSCRIBERS]++;
		rte_pktmbuf_free(m);
		return;
	}
	strata_rtp_header_len(rtp, meta->pkt.payload_len, &hdr_len);
	if (frame_info(st, rtp + hdr_len, meta->pkt.payload_len - hdr_len, &meta->frame) != 0) {
		w->c.drop[DP_DROP_NOT_VIDEO_PAYLOAD]++;
		rte_pktmbuf_free(m);
		return;
	}
	meta->stream = stream_id;
	meta->stream_gen = atomic_load_explicit(&st->gen, memory_order_relaxed);

	/* Shares for the other workers serving this source's receivers. */
	unsigned shared = 0;
	for (unsigned k = 0; k < dp->n_workers; k++) {
		if (k == w->index || list->first[k + 1] == list->first[k])
			continue;
		rte_mbuf_refcnt_update(m, 1);
		if (rte_ring_enqueue(dp->workers[k]->fanout, m) != 0) {
			rte_mbuf_refcnt_update(m, -1);
			w->c.tx_drop[DP_TX_DROP_FANOUT_FULL]++;
			continue;
		}
		shared++;
	}

	enum dp_drop why = DP_DROP_LAYER_FILTERED;
	unsigned taken = fanout_local(w, m, st, list, &why);
	if (taken || shared)
		w->c.forwarded++;
	else
		w->c.drop[why]++;
	hold_or_free(w, m, taken);
}

void dp_fanout_share(struct dp_worker *w, struct rte_mbuf *m)
{
	struct dp *dp = w->dp;
	struct dp_mbuf_meta *meta = dp_meta(m);
	const struct dp_stream *st = &dp->tables.streams[meta->stream];
	enum dp_drop why;

	w->c.fanout_in++;
	if (!st->in_use || atomic_load_explicit(&st->gen, memory_order_acquire) != meta->stream_gen) {
		rte_pktmbuf_free(m);
		return;
	}
	const struct dp_sub_list *list =
		atomic_load_explicit(&dp->tables.sources[st->source].subs, memory_order_acquire);
	unsigned taken = list ? fanout_local(w, m, st, list, &why) : 0;
	hold_or_free(w, m, taken);
}

/*
 * Transmit checksums: the port computes them when it can (the pseudo-header
 * sum goes in the UDP checksum field); otherwise they are computed here,
 * after encryption, over the ciphertext that is sent.
 */
static inline void finish_output(struct dp_worker *w, struct dp_output *out,
				 const struct strata_srtp_op *op)
{
	struct rte_mbuf *o = out->m;
	const struct dp_iface *ifc = &w->dp->ports[out->port].ifc;

	o->data_len = (uint16_t)(out->l2l3_len + op->len);
	o->pkt_len = o->data_len;
	dp_udp_tx_checksum(o, ifc, out->l2l3_len);
}

void dp_fanout_flush(struct dp_worker *w)
{
	struct dp *dp = w->dp;
	unsigned n = w->n_out;

	if (n > 0)
		strata_srtp_protect(w->srtp, w->out_ops, n);
	for (unsigned i = 0; i < n; i++) {
		struct dp_output *out = &w->outputs[i];
		struct strata_srtp_op *op = &w->out_ops[i];
		struct dp_leg *recv = &dp->tables.legs[out->leg];

		if (op->status != STRATA_SRTP_OK) {
			w->c.tx_drop[DP_TX_DROP_SRTP_PROTECT]++;
			recv->counters.tx_dropped++;
			rte_pktmbuf_free(out->m);
			continue;
		}
		finish_output(w, out, op);
		struct dp_sub *sub = &dp->tables.subs[out->sub];
		sub->packets++;
		sub->bytes += op->len;
		recv->counters.tx_packets++;
		recv->counters.tx_bytes += op->len;
		w->tx[out->port][w->n_tx[out->port]++] = out->m;
	}
	w->n_out = 0;

	/* The inputs were read by the encryption above; they can go. */
	rte_pktmbuf_free_bulk(w->held, w->n_held);
	w->n_held = 0;

	for (uint16_t p = 0; p < dp->n_ports; p++) {
		uint16_t k = w->n_tx[p];
		if (k == 0)
			continue;
		uint16_t sent = rte_eth_tx_burst(dp->ports[p].port_id, (uint16_t)w->index,
						 w->tx[p], k);
		for (uint16_t i = 0; i < sent; i++)
			w->c.tx_bytes += w->tx[p][i]->pkt_len;
		w->c.tx_packets += sent;
		if (sent < k) {
			w->c.tx_drop[DP_TX_DROP_TX_FULL] += k - sent;
			rte_pktmbuf_free_bulk(&w->tx[p][sent], k - sent);
		}
		w->n_tx[p] = 0;
	}
}
