/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A receiver's NACK, answered by the router.
 *
 * RFC 4585 section 6.2.1: "The Generic NACK message is used to indicate
 * the loss of one or more RTP packets.  The lost packet(s) are identified
 * by the means of a packet identifier and a bit mask."  The numbers are the
 * receiver's (gapless, seqmap.h); each is mapped back to the publisher's
 * number, looked up in the retransmission cache (rtx_cache.h) and sent
 * again under the receiver's keys:
 *
 *  - as RTX when the subscription has an RTX SSRC.  RFC 4588 section 4:
 *    "The retransmission packet [has] the same timestamp as the original
 *    packet", its own SSRC, payload type and sequence numbers, and "The
 *    payload of the retransmission packet [...] the original sequence
 *    number (OSN)" in its first two octets, then the original payload.
 *  - else as the original packet, same number and content, which is safe
 *    under AES-CM (the same plaintext under the same index gives the same
 *    ciphertext) but not under AES-GCM, where a header that differs from
 *    the first copy's (a transport-wide sequence number, say) under the
 *    same nonce would give away the authentication key: refused there.
 *
 * Either way the copy is the one the receiver got the first time: its
 * payload descriptor, marker and dependency descriptor (rtx_svc.h).
 *
 * What the cache does not have is asked of the publisher (keyframe_req.c
 * sends its NACK), in the publisher's numbers, and the receiver waits for
 * the publisher's RTX answer (rtx_repair.h), which this same path sends on.
 */
#include <string.h>

#include "leg_frame.h"
#include "rtcp/rtcp_fb.h"
#include "rtcp_rx.h"
#include "rtcp_state.h"
#include "rtp/rtp_header.h"
#include "rtx_repair.h"
#include "rtx_svc.h"
#include "seqmap_reverse.h"
#include "srtp/srtp_replay.h"

#define SEQ_MASK 0xffffu
#define NACK_MAX 128 /* sequence numbers answered per NACK item */

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

bool dp_rtcp_resend(struct dp_worker *w, uint32_t sub_id, struct rte_mbuf *in, uint16_t out_seq,
		    bool as_rtx)
{
	struct dp *dp = w->dp;
	struct dp_sub *sub = &dp->tables.subs[sub_id];
	struct dp_leg *leg = &dp->tables.legs[sub->leg];
	const struct dp_mbuf_meta *meta = dp_meta(in);
	const struct dp_stream *st = &dp->tables.streams[meta->stream];
	const uint8_t *rtp = rte_pktmbuf_mtod_offset(in, const uint8_t *, meta->pkt.payload_off);
	uint32_t rtp_len = meta->pkt.payload_len, in_hdr = meta->rtp_hdr_len, hdr_len = 0;
	const struct dp_frame_info *fi = &meta->frame;
	const struct strata_srtp_profile *prof = leg->tx.profile;
	uint32_t osn = as_rtx ? 2 : 0;
	uint16_t pi = 0, hl = 0;
	enum dp_tx_drop why = DP_TX_DROP_NO_MBUF;
	struct rte_mbuf *o = NULL;
	uint8_t *out = NULL;
	uint8_t hdr[512];
	bool marker = false;

	if (in_hdr < STRATA_RTP_FIXED_HEADER_LEN || in_hdr > rtp_len)
		goto fail; /* not through the fan-out's parse: not cached */
	/* The header the receiver saw, as fanout.c rewrote it. */
	switch (dp_rtx_svc_header(sub, st, meta, rtp, hdr, sizeof(hdr), &hdr_len, &marker)) {
	case DP_RTX_SVC_OK:
		break;
	case DP_RTX_SVC_DD_STALE:
		w->c.rtcp[DP_RTCP_C_RTX_DD_STALE]++;
		return false;
	case DP_RTX_SVC_DD_CHANGED:
		w->c.rtcp[DP_RTCP_C_RTX_DD_CHANGED]++;
		return false;
	}
	uint32_t plain_len = rtp_len - in_hdr + hdr_len + osn;
	o = rte_pktmbuf_alloc(w->pool);
	if (o == NULL ||
	    (out = dp_leg_frame_start(dp, leg, o, (uint16_t)(plain_len + prof->rtp_tag_len), &pi,
				      &hl, &why)) == NULL)
		goto fail;

	memcpy(out, hdr, hdr_len);
	uint8_t pt = as_rtx ? sub->rtx_pt : (sub->pt ? sub->pt : (rtp[1] & 0x7f));
	out[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
	strata_put_be32(out + 4, strata_be32(rtp + 4) + sub->ts_delta);
	struct dp_rtcp_sub *rs = dp_rtcp_sub_owner(dp, sub_id);
	if (as_rtx) {
		put_be16(out + 2, rs->rtx_seq++);
		strata_put_be32(out + 8, sub->rtx_ssrc);
		put_be16(out + hdr_len, out_seq); /* RFC 4588 section 4: the OSN */
	} else {
		put_be16(out + 2, out_seq);
		strata_put_be32(out + 8, sub->ssrc);
	}
	memcpy(out + hdr_len + osn, rtp + in_hdr, rtp_len - in_hdr);
	/* VP8's and VP9's PictureID and TL0PICIDX as the receiver numbers them. */
	dp_rtx_svc_payload(sub, st->codec, fi, out + hdr_len + osn);

	/* Under the receiver's keys: the RTX SSRC's own state, or a copy of
	 * the subscription's (never written back) that takes the original's
	 * index again, so the same plaintext gives the same ciphertext. */
	struct strata_srtp_tx again;
	struct strata_srtp_op op = {
		.session = &leg->tx,
		.src = out,
		.buf = out,
		.len = plain_len,
		.cap = (uint32_t)(rte_pktmbuf_tailroom(o) - hl),
	};
	if (as_rtx) {
		op.tx = &rs->rtx_tx;
	} else {
		uint64_t index;
		again = sub->srtp;
		if (strata_srtp_estimate_index(&sub->srtp.rtp, out_seq, &index) != STRATA_SRTP_OK ||
		    index == 0) {
			why = DP_TX_DROP_SRTP_PROTECT;
			goto fail;
		}
		/* As if it were the newest: the index is the same (the ROC is
		 * estimated from the real state), and the protect does not
		 * refuse it as used or as older than its window. */
		memset(again.rtp_bits, 0, sizeof(again.rtp_bits));
		again.rtp.top = index - 1;
		op.tx = &again;
	}
	strata_srtp_protect(w->srtp, &op, 1);
	if (op.status != STRATA_SRTP_OK) {
		why = DP_TX_DROP_SRTP_PROTECT;
		goto fail;
	}
	dp_leg_frame_finish(dp, o, pi, hl, (uint16_t)op.len);
	if (w->n_tx[pi] >= DP_MAX_OUTPUTS) {
		why = DP_TX_DROP_TX_FULL;
		goto fail;
	}
	w->tx[pi][w->n_tx[pi]++] = o; /* out with the next flush */
	leg->counters.tx_packets++;
	leg->counters.tx_bytes += op.len;
	w->c.rtcp[as_rtx ? DP_RTCP_C_RTX_SENT : DP_RTCP_C_RETX_SENT]++;
	return true;

fail:
	w->c.tx_drop[why]++;
	w->c.rtcp[DP_RTCP_C_RTX_SEND_FAILED]++;
	rte_pktmbuf_free(o);
	return false;
}

void dp_rtcp_nack_answer(struct dp_worker *w, uint32_t leg_id, const struct dp_rtcp_nack *n,
			 uint64_t now)
{
	struct dp *dp = w->dp;
	uint32_t sub_id = dp_rtcp_sub_by_ssrc(dp, leg_id, n->media_ssrc);
	uint16_t seqs[NACK_MAX];

	if (sub_id == 0) {
		w->c.rtcp[DP_RTCP_C_UNKNOWN_MEDIA]++;
		return;
	}
	struct dp_sub *sub = &dp->tables.subs[sub_id];
	uint32_t stream = dp_rtcp_sub_stream(dp, sub);
	const struct dp_stream *st = &dp->tables.streams[stream];
	uint32_t count = dp_rtcp_nack_expand(n, seqs, NACK_MAX);
	bool as_rtx = sub->rtx_ssrc != 0;

	if (count > NACK_MAX)
		count = NACK_MAX;
	w->c.rtcp[DP_RTCP_C_NACK_SEQS] += count;
	if (stream == 0 || sub->cur_spatial == DP_NONE || st->encoding != sub->cur_spatial) {
		w->c.rtcp[DP_RTCP_C_RTX_UNMAPPED] += count;
		return;
	}
	if (!as_rtx && dp->tables.legs[leg_id].tx.profile->aead) {
		w->c.rtcp[DP_RTCP_C_RETX_REFUSED_AEAD] += count;
		return;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint32_t in_seq;
		if (!dp_seqmap_reverse(&sub->seq, seqs[i], SEQ_MASK, &in_seq)) {
			w->c.rtcp[DP_RTCP_C_RTX_UNMAPPED]++;
			continue;
		}
		struct rte_mbuf *m = dp_rtx_cache_get(w, stream, (uint16_t)in_seq);
		if (m == NULL) {
			w->c.rtcp[DP_RTCP_C_RTX_MISS]++;
			/* The publisher's answer goes to the receiver too. */
			dp_rtx_wait_add(w, stream, (uint16_t)in_seq, sub_id, seqs[i], now);
			if (rte_ring_enqueue(w->notify, dp_rtcp_notify_pack(DP_RTCP_NOTIFY_NACK, stream,
									    (uint16_t)in_seq)) != 0)
				w->c.notify_dropped++;
			continue;
		}
		w->c.rtcp[DP_RTCP_C_RTX_HIT]++;
		/* A repair of a packet the router never had is in the cache
		 * whatever its layer, and the receiver's numbers have a gap
		 * for it all the same (rtx_svc.h). */
		if (!dp_rtx_svc_wanted(sub, dp_meta(m)))
			w->c.rtcp[DP_RTCP_C_RTX_LAYER_FILTERED]++;
		else
			dp_rtcp_resend(w, sub_id, m, seqs[i], as_rtx);
		rte_pktmbuf_free(m);
	}
}
