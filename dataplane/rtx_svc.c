/* SPDX-License-Identifier: BSD-3-Clause */
/* A retransmission as the receiver got the packet (rtx_svc.h). */
#include <string.h>

#include "codec/h264.h"
#include "codec/vp8.h"
#include "codec/vp9.h"
#include "dd_out.h"
#include "fanout_svc.h"
#include "rtx_svc.h"
#include "select.h"

/*
 * The dependency descriptor: the decision select_dd.c's forward_flags made
 * for the packet, made again from the receiver's state.  AV1 RTP
 * specification A.4: "Whenever the set of active Decode targets changes,
 * the sender MUST signal the new set of active Decode targets to the
 * receiver"; the receiver's set is written into its packets when the
 * packet as it is would say another (the packet's own bitmask, or a
 * structure, which makes all active), and into every packet after such a
 * one until a packet says the receiver's set by itself (explicit_mask).
 */
static enum dp_rtx_svc dd_header(const struct dp_sub *sub, const struct dp_stream *st,
				 const struct dp_mbuf_meta *meta, const uint8_t *rtp, uint8_t *hdr,
				 uint32_t cap, uint32_t *hdr_len, bool *marker)
{
	const struct dp_av1_dd_frame *f = &meta->codec.dd;
	const struct dp_select_dd_state *rx = &sub->dd;
	const struct dp_av1_dd_stream *sdd = st->dd;

	/* The structure the frame points at is the stream's until the stream
	 * has learnt two others after it (codec/av1_dd.h): refused once it
	 * learnt one, and when the receiver restarted on another. */
	if (sdd == NULL ||
	    __atomic_load_n(&sdd->structure_gen, __ATOMIC_ACQUIRE) != f->structure_gen ||
	    !rx->started || rx->structure_gen != f->structure_gen)
		return DP_RTX_SVC_DD_STALE;
	const struct dp_av1_dd_structure *s = f->structure;
	if (rx->dt >= s->dt_cnt || dp_av1_dd_dti_of(f->dti, rx->dt) == DP_AV1_DD_NOT_PRESENT)
		return DP_RTX_SVC_DD_CHANGED; /* not (or no longer) its decode target's */
	uint32_t want = s->subset[rx->dt] & f->active_mask;
	if (want != rx->rx_mask)
		return DP_RTX_SVC_DD_CHANGED;
	bool signals = f->active_present || f->structure_attached;
	uint32_t after = f->active_present ? f->active_mask
			 : f->structure_attached ? dp_av1_dd_all_dts(s) : rx->rx_mask;
	bool rewrite = after != want || (rx->explicit_mask && !signals);

	uint8_t dd[DP_DD_OUT_MAX];
	int len = dp_dd_out(rtp + meta->dd_off, meta->dd_len, s, rx->rx_mask, rewrite,
			    sub->dd_fn_delta, dd, sizeof(dd));
	uint32_t in_hdr = meta->rtp_hdr_len;
	if (len < 0)
		return DP_RTX_SVC_DD_STALE; /* the structure refuses it now */
	if (len == 0) {
		if (in_hdr > cap)
			return DP_RTX_SVC_DD_STALE;
		memcpy(hdr, rtp, in_hdr);
		*hdr_len = in_hdr;
	} else {
		*hdr_len = dp_dd_out_header(rtp, in_hdr, st->ext_dependency_descriptor, meta->dd_off,
					    meta->dd_len, dd, (uint32_t)len, hdr, cap, NULL);
		if (*hdr_len == 0)
			return DP_RTX_SVC_DD_STALE;
	}
	/* Read again: the structure must not have been replaced twice while
	 * it was read (it is written by the publisher's worker). */
	if (__atomic_load_n(&sdd->structure_gen, __ATOMIC_ACQUIRE) != f->structure_gen)
		return DP_RTX_SVC_DD_STALE;
	/* select_dd.c: the last packet of the highest spatial layer the
	 * receiver gets, when it does not get them all. */
	*marker = (rtp[1] & 0x80) ||
		  (f->end_of_frame && f->spatial == s->dt_spatial[rx->dt] &&
		   s->dt_spatial[rx->dt] < s->max_spatial);
	return DP_RTX_SVC_OK;
}

enum dp_rtx_svc dp_rtx_svc_header(const struct dp_sub *sub, const struct dp_stream *st,
				  const struct dp_mbuf_meta *meta, const uint8_t *rtp, uint8_t *hdr,
				  uint32_t cap, uint32_t *hdr_len, bool *marker)
{
	uint32_t in_hdr = meta->rtp_hdr_len;

	if (meta->path == DP_PATH_DD)
		return dd_header(sub, st, meta, rtp, hdr, cap, hdr_len, marker);
	if (in_hdr > cap)
		return DP_RTX_SVC_DD_STALE; /* not reached: headers are short */
	memcpy(hdr, rtp, in_hdr);
	*hdr_len = in_hdr;
	*marker = rtp[1] & 0x80;
	/* RFC 9628 section 4.1: "this bit MUST be set to 1 for the target
	 * spatial layer frame if a stream is being rewritten to remove higher
	 * spatial layers" -- the receiver's layer in that picture. */
	if (meta->path == DP_PATH_VP9)
		*marker = dp_select_marker(&sub->frame, &meta->frame, &meta->svc, *marker);
	return DP_RTX_SVC_OK;
}

bool dp_rtx_svc_wanted(const struct dp_sub *sub, const struct dp_mbuf_meta *meta)
{
	const struct dp_frame_info *fi = &meta->frame;
	bool temporal = !fi->has_layers || fi->temporal <= sub->cur_temporal;

	switch (meta->path) {
	case DP_PATH_DD: {
		/* A.1: a receiver gets the frames of its decode target, those
		 * whose DTI for it is not NOT_PRESENT. */
		const struct dp_av1_dd_frame *f = &meta->codec.dd;
		uint8_t dt = sub->dd.dt;
		return dt != DP_SELECT_DD_NONE && dt < f->dt_cnt &&
		       dp_av1_dd_dti_of(f->dti, dt) != DP_AV1_DD_NOT_PRESENT;
	}
	case DP_PATH_VP9:
		return temporal && (!fi->has_layers ||
				    meta->svc.spatial <= dp_select_layer_of(&sub->frame, fi, &meta->svc));
	case DP_PATH_H264:
		return temporal && dp_h264_filter(&meta->codec.h264, sub->h264_did,
						  DP_H264_ALL_LAYERS) == DP_H264_FORWARD;
	case DP_PATH_PADDING:
		return false;
	default:
		return temporal;
	}
}

void dp_rtx_svc_payload(const struct dp_sub *sub, uint8_t codec, const struct dp_frame_info *fi,
			uint8_t *desc)
{
	if ((codec != STRATA_CODEC_VP8 && codec != STRATA_CODEC_VP9) ||
	    !(fi->has_picture_id || fi->has_tl0))
		return;
	/* As fanout.c numbers them, mapped on a copy: the receiver's state
	 * must not move.  (VP9's PictureIDs differ from the input's by a
	 * constant, VP8's are closed up; the seqmap holds either.) */
	uint32_t pic = fi->picture_id;
	struct dp_seqmap map = sub->picture;
	if (fi->has_picture_id && map.started &&
	    dp_seqmap_forward(&map, fi->picture_id, fi->picture_id_bits == 15 ? 0x7fff : 0x7f,
			      &pic) != DP_SEQMAP_OK)
		pic = fi->picture_id;
	uint8_t tl0 = (uint8_t)(fi->tl0picidx - sub->tl0_delta);
	if (codec == STRATA_CODEC_VP9)
		dp_vp9_rewrite(desc, fi, (uint16_t)pic, tl0);
	else
		dp_vp8_rewrite(desc, fi, (uint16_t)pic, tl0);
}
