/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A receiver's numbering across what it is not sent: the two moves of
 * struct dp_sub's maps (seqmap.h) that the fan-out makes besides
 * forwarding, shared with the tests that replay captures through the same
 * per-receiver steps.
 */
#ifndef STRATA_DP_SUB_RENUMBER_H
#define STRATA_DP_SUB_RENUMBER_H

#include "rtp/rtp_header.h"
#include "seqmap.h"
#include "tables.h"

#define DP_SUB_SEQ_MASK 0xffffu

static inline uint32_t dp_sub_picture_mask(const struct dp_frame_info *fi)
{
	return fi->picture_id_bits == 15 ? 0x7fff : 0x7f;
}

/*
 * A simulcast switch (or the first packet): numbers continue from what the
 * receiver last got.  Timestamps continue by `elapsed`, the time since the
 * receiver's last packet in the stream's clock (the caller's wall clock),
 * so lip sync and jitter buffers see no jump.
 */
static inline void dp_sub_rebase(struct dp_sub *sub, const uint8_t *rtp,
				 const struct dp_frame_info *fi, uint32_t elapsed)
{
	uint16_t in_seq = strata_rtp_seq(rtp);
	uint32_t in_ts = strata_be32(rtp + 4);

	if (!sub->seq.started) {
		sub->ts_delta = 0;
		sub->tl0_delta = 0;
		return;
	}
	dp_seqmap_rebase(&sub->seq, in_seq, (sub->seq.last_out + 1) & DP_SUB_SEQ_MASK,
			 DP_SUB_SEQ_MASK);
	sub->ts_delta = sub->last_out_ts + (elapsed ? elapsed : 1) - in_ts;
	if (fi->has_picture_id && sub->picture.started) {
		uint32_t mask = dp_sub_picture_mask(fi);
		dp_seqmap_rebase(&sub->picture, fi->picture_id, (sub->picture.last_out + 1) & mask,
				 mask);
	}
	if (fi->has_tl0)
		sub->tl0_delta = (uint8_t)(fi->tl0picidx - (uint8_t)(sub->last_tl0_out + 1));
}

/* The input is not for this receiver: later numbers close the gap. */
static inline void dp_sub_skip(struct dp_sub *sub, const struct dp_stream *st, const uint8_t *rtp,
			       const struct dp_frame_info *fi)
{
	if (st->encoding != sub->cur_spatial)
		return; /* another encoding's numbers mean nothing here */
	dp_seqmap_drop(&sub->seq, strata_rtp_seq(rtp), DP_SUB_SEQ_MASK);
	/* VP9's PictureIDs are not closed up: P_DIFFs and picture groups are
	 * differences of them (codec/vp9.h, dp_vp9_rewrite). */
	if (fi->has_picture_id && fi->frame_start && st->codec != STRATA_CODEC_VP9)
		dp_seqmap_drop(&sub->picture, fi->picture_id, dp_sub_picture_mask(fi));
}

#endif /* STRATA_DP_SUB_RENUMBER_H */
