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
#include <rte_prefetch.h>

#include "codec/av1_dd.h"
#include "codec/vp8.h"
#include "codec/vp9.h"
#include "dd_out.h"
#include "dp.h"
#include "fanout.h"
#include "fanout_svc.h"
#include "layer_meter.h"
#include "net/headers.h"
#include "net/wire.h"
#include "rtp/rtp_header.h"
#include "rtx_cache.h"
#include "select.h"
#include "sub_renumber.h"
#include "twcc_stamp.h"

#define RTP_COPY_FIXED 64

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * What the codec says about the packet's frame, for the common case kept
 * inline: VP8 and audio, without RTP padding or a dependency descriptor
 * (DP_PATH_SIMPLE).  Everything else is fanout_svc.c's.
 */
static inline bool frame_info(struct dp_stream *st, const uint8_t *rtp, uint32_t len,
			      uint32_t hdr_len, struct dp_mbuf_meta *meta, enum dp_drop *why)
{
	struct dp_frame_info *fi = &meta->frame;

	if ((st->codec != STRATA_CODEC_VP8 && st->kind != STRATA_MEDIA_AUDIO) ||
	    st->dd != NULL || (rtp[0] & 0x20))
		return dp_fanout_svc_info(st, rtp, len, hdr_len, meta, why);
	meta->path = DP_PATH_SIMPLE;
	memset(fi, 0, sizeof(*fi));
	if (st->codec == STRATA_CODEC_VP8) {
		if (dp_vp8_parse(rtp + hdr_len, len - hdr_len, fi) != 0) {
			*why = DP_DROP_NOT_VIDEO_PAYLOAD;
			return false;
		}
		return true;
	}
	/* Audio: every packet stands alone as far as selection goes. */
	fi->frame_start = 1;
	fi->keyframe = 1;
	return true;
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

/* dp_sub_rebase with the time since the receiver's last packet. */
static void rebase(struct dp_worker *w, struct dp_sub *sub, const struct dp_stream *st,
		   const uint8_t *rtp, const struct dp_frame_info *fi, uint64_t now)
{
	uint64_t elapsed = sub->seq.started
		? (now - sub->last_out_tsc) * st->clock_rate / w->dp->tsc_hz : 0;

	dp_sub_rebase(sub, rtp, fi, (uint32_t)elapsed);
}

/* A dependency descriptor's frame number (octets 1 and 2). */
static inline uint16_t dd_frame_number(const uint8_t *rtp, const struct dp_mbuf_meta *meta)
{
	return (uint16_t)(rtp[meta->dd_off + 1] << 8 | rtp[meta->dd_off + 2]);
}

/*
 * The encoding the receiver should get: its target, or the closest lower
 * one the source has (the closest higher when there is none lower).
 */
static uint8_t target_encoding(const struct dp_source *src, const struct dp_sub *sub)
{
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

/*
 * The output RTP header of an input whose dependency descriptor grows for
 * the receivers that need it rewritten: built for the first of them and
 * copied for the others whose descriptor has the same length (their
 * descriptor octets are written over it at dd_off).
 */
struct dd_header {
	uint32_t len;      /* 0 = not built yet */
	uint32_t dd_len;   /* the descriptor's length in it */
	uint32_t dd_off;
	uint8_t hdr[512];
};

/* What every receiver's copy of one input shares, worked out once. */
struct input_view {
	struct rte_mbuf *m;
	const struct dp_mbuf_meta *meta;
	const struct dp_stream *st;
	const struct dp_source *src;
	const struct dp_frame_info *fi;
	const uint8_t *rtp;
	uint32_t rtp_len;
	uint32_t hdr_len;
	uint16_t seq;
	uint32_t ts;
	uint32_t picture_mask;
	uint64_t now;
	struct dd_header *dd_hdr; /* DP_PATH_DD inputs */
};

/*
 * Writes the headers for a UDP payload of payload_len bytes at frame and
 * prepares m for the port's checksum offload.  Without offload the IPv4
 * header checksum is filled here and the UDP checksum, which covers the
 * payload, after it is written (template_finish).
 */
static inline void template_apply(const struct dp_out_template *t, uint8_t *frame,
					 struct rte_mbuf *m, uint16_t payload_len)
{
	uint16_t udp_len = (uint16_t)(DP_UDP_HLEN + payload_len);
	uint8_t *ip = frame + t->l2_len;
	uint8_t *udp = ip + t->l3_len;

	memcpy(frame, t->bytes, DP_OUT_TEMPLATE_BYTES);
	dp_put_be16(udp + DP_UDP_LEN_OFF, udp_len);
	if (t->family == STRATA_AF_INET) {
		uint16_t total = (uint16_t)(DP_IPV4_HLEN + udp_len);
		dp_put_be16(ip + DP_IPV4_TOTLEN_OFF, total);
		if (!t->ol_flags)
			dp_put_cksum(ip + DP_IPV4_CKSUM_OFF,
				     (uint16_t)~dp_sum_fold(t->ip_sum + htons(total)));
	} else {
		dp_put_be16(ip + DP_IPV6_PLEN_OFF, udp_len);
	}
	if (t->ol_flags) {
		/* The port wants the pseudo-header sum, not complemented. */
		dp_put_cksum(udp + DP_UDP_CKSUM_OFF, dp_sum_fold(t->pseudo_sum + htons(udp_len)));
		m->l2_len = t->l2_len;
		m->l3_len = t->l3_len;
		m->ol_flags |= t->ol_flags;
	}
}

/* After the payload is final: the UDP checksum, when the port does not. */
static inline void template_finish(const struct dp_out_template *t, uint8_t *frame,
					  uint32_t frame_len)
{
	if (!t->ol_flags)
		dp_udp_checksum_fill(frame, t->l2_len, t->family, frame_len);
}

/*
 * The receiving leg's output headers, rebuilt when its remote or its next
 * hop's MAC changed; NULL while the remote or the MAC is unknown.
 */
static inline const struct dp_out_template *out_template(const struct dp *dp, struct dp_leg *leg)
{
	uint32_t nh = atomic_load_explicit(&leg->neighbor, memory_order_acquire);
	if (leg->remote.port == 0 || nh == 0 || nh > dp->neighbors->capacity)
		return NULL;
	uint64_t mac_state = atomic_load_explicit(&dp->neighbors->entries[nh].mac_state,
						  memory_order_acquire);
	uint32_t remote_gen = atomic_load_explicit(&leg->remote_gen, memory_order_relaxed);
	struct dp_out_template *t = &leg->out;

	if (!(mac_state & DP_NEIGHBOR_MAC_VALID))
		return NULL;
	if (!t->valid || t->mac_state != mac_state || t->remote_gen != remote_gen) {
		uint8_t mac[6];
		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t)(mac_state >> (40 - 8 * i));
		dp_out_template_build(t, &dp->ports[dp->port_index[leg->port_id]].ifc, mac,
				      &leg->local, &leg->remote);
		t->mac_state = mac_state;
		t->remote_gen = remote_gen;
		if (!t->valid)
			return NULL;
	}
	return t;
}

/*
 * An output buffer, taken from the pool DP_BURST at a time.  Buffers in a
 * pool already have one reference, one segment and no next (the free path
 * leaves them so); only what this path relies on is set, not a full reset.
 */
static inline struct rte_mbuf *out_mbuf(struct dp_worker *w)
{
	if (w->n_spare == 0) {
		if (rte_mempool_get_bulk(w->pool, (void **)w->spare, DP_BURST) != 0)
			return rte_pktmbuf_alloc(w->pool);
		w->n_spare = DP_BURST;
	}
	struct rte_mbuf *m = w->spare[--w->n_spare];
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->data_len = 0;
	m->ol_flags = 0;
	return m;
}

/*
 * Queues one receiver's copy; returns false when the receiver skips it.
 * `path` is the input's (meta->path), passed apart so that the loop for
 * VP8 and audio inputs compiles with DP_PATH_SIMPLE in its place and
 * without the descriptor work of the others.
 */
static inline __attribute__((always_inline)) bool
output_one(struct dp_worker *w, const struct input_view *in, uint32_t sub_id, enum dp_drop *why,
	   uint8_t path)
{
	struct dp *dp = w->dp;
	struct dp_sub *sub = &dp->tables.subs[sub_id];
	const struct dp_stream *st = in->st;
	const struct dp_frame_info *fi = in->fi;
	const uint8_t *rtp = in->rtp;
	uint32_t rtp_len = in->rtp_len, hdr_len = in->hdr_len;
	uint64_t now = in->now;
	struct dp_svc_out so = {0};
	enum dp_select sel;

	/* Paused by the receiver or left out by the layer policy (adapt.c):
	 * nothing at all.  Back on, it starts again as a new receiver does,
	 * from the encoding's next keyframe (asked for then), numbered on
	 * from its last output (rebase). */
	if (atomic_load_explicit(&sub->off, memory_order_relaxed)) {
		sub->cur_spatial = DP_NONE;
		sub->dropped++;
		*why = DP_DROP_LAYER_FILTERED;
		return false;
	}
	if (path == DP_PATH_SIMPLE) {
		uint8_t target = target_encoding(in->src, sub);
		if (!dp_select_same_frame(sub, &sub->frame, st, fi, target, &sel))
			sel = dp_select_packet(sub, &sub->frame, st, fi, target,
					       atomic_load_explicit(&sub->target_temporal,
								    memory_order_relaxed));
	} else if (path == DP_PATH_PADDING) {
		*why = DP_DROP_PADDING_ONLY;
		goto skipped;
	} else {
		sel = dp_fanout_svc_select(sub, st, in->src, in->meta, target_encoding(in->src, sub),
					   rtp[1] >> 7, &so);
		/* The receiver's stream (re)started on this encoding, even
		 * where the packet itself does not go to it. */
		if (sel & DP_SELECT_SWITCHED_ENCODING) {
			if (path == DP_PATH_DD)
				sub->dd_fn_delta = sub->seq.started
					? (uint16_t)(dd_frame_number(rtp, in->meta) -
						     (uint16_t)(sub->dd_last_fn + 1))
					: 0;
			rebase(w, sub, st, rtp, fi, now);
		}
	}
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
	if ((sel & DP_SELECT_SWITCHED_ENCODING) && path == DP_PATH_SIMPLE)
		rebase(w, sub, st, rtp, fi, now);

	uint32_t out_seq, out_picture = 0;
	if (dp_seqmap_forward(&sub->seq, in->seq, DP_SUB_SEQ_MASK, &out_seq) != DP_SEQMAP_OK) {
		sub->dropped++;
		*why = DP_DROP_TOO_LATE;
		return false;
	}
	if (fi->has_picture_id &&
	    dp_seqmap_forward(&sub->picture, fi->picture_id, in->picture_mask, &out_picture) !=
		    DP_SEQMAP_OK) {
		sub->dropped++;
		*why = DP_DROP_TOO_LATE;
		return false;
	}

	/* The dependency descriptor as this receiver must see it: with its own
	 * active decode targets (select_dd.h: DP_SELECT_DD_REWRITE), numbered
	 * on from the encoding it got before a simulcast switch.  A longer
	 * descriptor makes a longer header (in->dd_hdr). */
	uint32_t out_hdr_len = hdr_len, dd_out_off = 0;
	uint8_t dd_out[UINT8_MAX + DP_AV1_DD_REWRITE_GROWTH];
	uint32_t dd_out_len = 0;
	bool hdr_built = false;
	if (path == DP_PATH_DD) {
		const struct dp_mbuf_meta *meta = in->meta;
		const struct dp_av1_dd_frame *f = &meta->codec.dd;
		uint16_t fn = (uint16_t)(dd_frame_number(rtp, meta) - sub->dd_fn_delta);
		sub->dd_last_fn = fn;
		dd_out_off = meta->dd_off;
		if (so.dd_rewrite && meta->dd_len == DP_AV1_DD_MIN_LEN && sub->dd_tail_len &&
		    sub->dd_tail_mask == sub->dd.rx_mask && sub->dd_tail_gen == f->structure_gen) {
			/* The mandatory fields alone: the receiver's extended
			 * fields after them, as last time. */
			memcpy(dd_out, rtp + meta->dd_off, DP_AV1_DD_MIN_LEN);
			/* All of dd_tail, a fixed size: no library call. */
			memcpy(dd_out + DP_AV1_DD_MIN_LEN, sub->dd_tail, sizeof(sub->dd_tail));
			dd_out_len = DP_AV1_DD_MIN_LEN + sub->dd_tail_len;
		} else if (so.dd_rewrite) {
			/* From the frame the input's parse read: no second parse. */
			dd_out_len = (uint32_t)dp_av1_dd_rewrite_frame(rtp + meta->dd_off, meta->dd_len,
								       f, sub->dd.rx_mask, dd_out,
								       sizeof(dd_out));
			if (meta->dd_len == DP_AV1_DD_MIN_LEN && dd_out_len > DP_AV1_DD_MIN_LEN &&
			    dd_out_len - DP_AV1_DD_MIN_LEN <= sizeof(sub->dd_tail)) {
				sub->dd_tail_len = (uint8_t)(dd_out_len - DP_AV1_DD_MIN_LEN);
				memcpy(sub->dd_tail, dd_out + DP_AV1_DD_MIN_LEN, sub->dd_tail_len);
				sub->dd_tail_mask = sub->dd.rx_mask;
				sub->dd_tail_gen = f->structure_gen;
			}
		} else if (sub->dd_fn_delta) {
			dd_out_len = meta->dd_len;
			memcpy(dd_out, rtp + meta->dd_off, dd_out_len);
		}
		if (so.dd_rewrite || sub->dd_fn_delta) {
			if (dd_out_len == 0) {
				*why = DP_DROP_DD_INVALID;
				goto skipped_late;
			}
			dp_av1_dd_put_frame_number(dd_out, fn);
		}
		if (dd_out_len != 0 && dd_out_len != meta->dd_len) {
			struct dd_header *h = in->dd_hdr;
			if (h->len == 0 || h->dd_len != dd_out_len) {
				h->len = dp_dd_out_header(rtp, hdr_len, st->ext_dependency_descriptor,
							  meta->dd_off, meta->dd_len, dd_out,
							  dd_out_len, h->hdr, sizeof(h->hdr),
							  &h->dd_off);
				if (h->len == 0) {
					*why = DP_DROP_DD_INVALID;
					goto skipped_late;
				}
				h->dd_len = dd_out_len;
			}
			out_hdr_len = h->len;
			dd_out_off = h->dd_off;
			hdr_built = true;
		}
	}
	uint32_t out_rtp_len = rtp_len - hdr_len + out_hdr_len;

	/* The packet goes to this receiver: from here on, failures are the
	 * output's, counted in the transmit account. */
	struct dp_leg *recv = &dp->tables.legs[sub->leg];
	const struct strata_srtp_profile *prof = recv->tx.profile;
	const struct dp_out_template *t = out_template(dp, recv);
	if (t == NULL) {
		w->c.tx_drop[recv->remote.port ? DP_TX_DROP_NO_NEIGHBOR : DP_TX_DROP_NO_REMOTE]++;
		return true;
	}
	uint16_t pi = dp->port_index[recv->port_id];
	uint32_t udp_len = out_rtp_len + prof->rtp_tag_len;
	if (t->l3_len + 8u + udp_len > dp->ports[pi].ifc.mtu) {
		w->c.tx_drop[DP_TX_DROP_TOO_BIG]++;
		return true;
	}
	struct rte_mbuf *o = out_mbuf(w);
	if (o == NULL) {
		w->c.tx_drop[DP_TX_DROP_NO_MBUF]++;
		return true;
	}

	uint8_t *frame = rte_pktmbuf_mtod(o, uint8_t *);
	template_apply(t, frame, o, (uint16_t)udp_len);
	uint16_t hl = t->hl;
	uint8_t *out = frame + hl;
	/* Headers are short: one fixed-size copy (a variable memcpy costs a
	 * library call per output).  Bytes past the header are overwritten by
	 * the encryption; the input buffer is an mbuf's, far longer than 64. */
	if (hdr_built)
		memcpy(out, in->dd_hdr->hdr, out_hdr_len);
	else if (hdr_len <= RTP_COPY_FIXED)
		memcpy(out, rtp, RTP_COPY_FIXED);
	else
		memcpy(out, rtp, hdr_len);
	if (dd_out_len)
		memcpy(out + dd_out_off, dd_out, dd_out_len);
	if (path != DP_PATH_SIMPLE)
		out[1] = (uint8_t)((so.marker ? 0x80 : 0) | (sub->pt ? sub->pt : rtp[1] & 0x7f));
	else if (sub->pt)
		out[1] = (uint8_t)((rtp[1] & 0x80) | sub->pt);
	put_be16(out + 2, (uint16_t)out_seq);
	uint32_t out_ts = in->ts + sub->ts_delta;
	strata_put_be32(out + 4, out_ts);
	strata_put_be32(out + 8, sub->ssrc);

	/* The payload descriptor is rewritten (and encrypted from the output
	 * buffer) only when this receiver's numbering differs from the input's;
	 * otherwise the whole payload is encrypted straight from the input. */
	uint32_t prefix = 0;
	uint8_t tl0 = (uint8_t)(fi->tl0picidx - sub->tl0_delta);
	if (fi->has_tl0)
		sub->last_tl0_out = tl0;
	if ((fi->has_picture_id && out_picture != fi->picture_id) ||
	    (fi->has_tl0 && tl0 != fi->tl0picidx)) {
		prefix = fi->desc_len;
		memcpy(out + out_hdr_len, rtp + hdr_len, prefix);
		if (st->codec == STRATA_CODEC_VP9)
			dp_vp9_rewrite(out + out_hdr_len, fi, (uint16_t)out_picture, tl0);
		else
			dp_vp8_rewrite(out + out_hdr_len, fi, (uint16_t)out_picture, tl0);
	}
	sub->last_out_ts = out_ts;
	sub->last_out_tsc = now;
	/* The receiver leg's transport-wide sequence number (twcc_stamp.h). */
	uint32_t grown = dp_twcc_stamp(w, recv, t, frame, out, out_hdr_len, prefix, out_rtp_len,
				       st->ext_transport_cc, now);
	out_hdr_len += grown;
	out_rtp_len += grown;

	unsigned k = w->n_out++;
	w->out_ops[k] = (struct strata_srtp_op){
		.session = &recv->tx,
		.tx = &sub->srtp,
		.buf = out,
		.len = out_rtp_len,
		.cap = (uint32_t)(rte_pktmbuf_tailroom(o) - hl),
		.payload = rtp + hdr_len + prefix,
		.prefix = (uint16_t)prefix,
		.hdr_len = (uint16_t)out_hdr_len,
	};
	w->outputs[k] = (struct dp_output){.m = o, .port = pi, .l2l3_len = hl, .leg = sub->leg,
					   .sub = sub_id};
	return true;

skipped:
	dp_sub_skip(sub, st, rtp, fi);
	sub->dropped++;
	return false;

skipped_late:
	/* Numbered already: the receiver sees a gap, as for a loss. */
	sub->dropped++;
	return false;
}

/*
 * Receivers [first, end) of the list; returns how many take the input.  The
 * next receiver's state and leg are prefetched while this one's copy is
 * built: with a few dozen receivers they no longer all sit in L1.
 */
static inline __attribute__((always_inline)) unsigned
fanout_loop(struct dp_worker *w, const struct input_view *in, const struct dp_sub_list *list,
	    unsigned first, unsigned end, enum dp_drop *why, uint8_t path)
{
	const struct dp_tables *t = &w->dp->tables;
	unsigned taken = 0;

	for (unsigned i = first; i < end; i++) {
		if (i + 1 < end) {
			const struct dp_sub *next = &t->subs[list->subs[i + 1]];
			rte_prefetch0(next);
			rte_prefetch0(&t->legs[next->leg]);
			rte_prefetch0(&t->legs[next->leg].out);
		}
		if (w->n_out >= DP_FLUSH_OUTPUTS)
			dp_fanout_flush(w);
		taken += output_one(w, in, list->subs[i], why, path);
	}
	return taken;
}

/* This worker's receivers of the input; returns how many take it. */
static unsigned fanout_local(struct dp_worker *w, struct rte_mbuf *m, const struct dp_stream *st,
			     const struct dp_sub_list *list, enum dp_drop *why)
{
	const struct dp_tables *t = &w->dp->tables;
	const struct dp_mbuf_meta *meta = dp_meta(m);
	const uint8_t *rtp = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->pkt.payload_off);
	struct dd_header dd_hdr;
	dd_hdr.len = 0;
	const struct input_view in = {
		.m = m,
		.meta = meta,
		.st = st,
		.src = &t->sources[st->source],
		.fi = &meta->frame,
		.rtp = rtp,
		.rtp_len = meta->pkt.payload_len,
		.hdr_len = meta->rtp_hdr_len,
		.seq = strata_rtp_seq(rtp),
		.ts = strata_be32(rtp + 4),
		.picture_mask = dp_sub_picture_mask(&meta->frame),
		.now = meta->rx_tsc,
		.dd_hdr = &dd_hdr,
	};
	unsigned first = list->first[w->index], end = list->first[w->index + 1];

	if (meta->path == DP_PATH_SIMPLE)
		return fanout_loop(w, &in, list, first, end, why, DP_PATH_SIMPLE);
	return fanout_loop(w, &in, list, first, end, why, meta->path);
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
	strata_rtp_header_len(rtp, meta->pkt.payload_len, &hdr_len); /* unprotect checked it */
	meta->rtp_hdr_len = (uint16_t)hdr_len;
	enum dp_drop bad;
	if (!frame_info(st, rtp, meta->pkt.payload_len, hdr_len, meta, &bad)) {
		w->c.drop[bad]++;
		rte_pktmbuf_free(m);
		return;
	}
	meta->stream = stream_id;
	meta->stream_gen = atomic_load_explicit(&st->gen, memory_order_relaxed);
	dp_rtx_cache_put(w, m, st, stream_id); /* for receivers' NACKs (rtx_cache.h) */
	dp_layer_meter_count(st, meta, meta->pkt.payload_len);

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

/* The frame is complete once encrypted: lengths, and the UDP checksum when
 * the port does not compute it. */
static inline void finish_output(struct dp_worker *w, struct dp_output *out,
				 const struct strata_srtp_op *op)
{
	struct rte_mbuf *o = out->m;
	const struct dp_leg *recv = &w->dp->tables.legs[out->leg];

	o->data_len = (uint16_t)(out->l2l3_len + op->len);
	o->pkt_len = o->data_len;
	template_finish(&recv->out, rte_pktmbuf_mtod(o, uint8_t *), o->data_len);
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
	if (w->n_spare > 0) {
		rte_mempool_put_bulk(w->pool, (void **)w->spare, w->n_spare);
		w->n_spare = 0;
	}

	/* The inputs were read by the encryption above; they can go. */
	rte_pktmbuf_free_bulk(w->held, w->n_held);
	w->n_held = 0;

	for (uint16_t p = 0; p < dp->n_ports; p++) {
		uint16_t k = w->n_tx[p];
		if (k == 0)
			continue;
		/* Counted before the burst: what the port takes is its own from
		 * then on (net_null, for one, frees it at once); what it
		 * leaves is still ours to read and free. */
		uint64_t bytes = 0;
		for (uint16_t i = 0; i < k; i++)
			bytes += w->tx[p][i]->pkt_len;
		uint16_t sent = rte_eth_tx_burst(dp->ports[p].port_id, (uint16_t)w->index,
						 w->tx[p], k);
		for (uint16_t i = sent; i < k; i++)
			bytes -= w->tx[p][i]->pkt_len;
		w->c.tx_bytes += bytes;
		w->c.tx_packets += sent;
		if (sent < k) {
			w->c.tx_drop[DP_TX_DROP_TX_FULL] += k - sent;
			rte_pktmbuf_free_bulk(&w->tx[p][sent], k - sent);
		}
		w->n_tx[p] = 0;
	}
}
