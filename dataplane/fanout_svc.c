/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fan-out's codec dispatch for scalable streams (fanout_svc.h): the
 * parsers of codec/ and the selections of select.c and select_dd.c put to
 * work on the packet path.  fanout.c keeps the output side (numbering,
 * rewrites, encryption); this file only decides.
 */
#include <string.h>

#include "codec/av1_dd.h"
#include "codec/h264.h"
#include "codec/vp8.h"
#include "codec/vp9.h"
#include "fanout_svc.h"
#include "rtp/rtp_ext.h"
#include "rtp/rtp_header.h"
#include "select_dd.h"

/*
 * The dependency descriptor of an input, for DP_PATH_DD.  The descriptor
 * speaks for the frame whatever the codec: its start of frame is the
 * frame's first packet.  The codec's own descriptor (VP8, VP9) still gave
 * fi its PictureID and TL0PICIDX, which each receiver's copy keeps
 * continuous.
 */
static bool dd_info(struct dp_stream *st, const uint8_t *rtp, uint32_t hdr_len,
		    struct dp_mbuf_meta *meta, enum dp_drop *why)
{
	struct dp_av1_dd_frame *f = &meta->codec.dd;
	uint32_t dlen = 0;
	const uint8_t *dd = strata_rtp_ext_find(rtp, hdr_len, st->ext_dependency_descriptor, &dlen);

	if (dd == NULL || dd - rtp > UINT8_MAX || dlen > UINT8_MAX ||
	    dp_av1_dd_parse(st->dd, dd, dlen, f) != DP_AV1_DD_OK) {
		*why = DP_DROP_DD_INVALID;
		return false;
	}
	meta->dd_off = (uint8_t)(dd - rtp);
	meta->dd_len = (uint8_t)dlen;
	meta->path = DP_PATH_DD;
	meta->frame.frame_start = f->start_of_frame;
	meta->frame.keyframe = f->structure_attached;
	return true;
}

bool dp_fanout_svc_info(struct dp_stream *st, const uint8_t *rtp, uint32_t len, uint32_t hdr_len,
			struct dp_mbuf_meta *meta, enum dp_drop *why)
{
	struct dp_frame_info *fi = &meta->frame;
	uint32_t end = len;

	memset(fi, 0, sizeof(*fi));
	memset(&meta->svc, 0, sizeof(meta->svc));
	meta->dd_len = 0;
	/* RFC 3550 section 5.1: "If the padding bit is set, the packet
	 * contains one or more additional padding octets at the end which are
	 * not part of the payload.  The last octet of the padding contains a
	 * count of how many padding octets should be ignored, including
	 * itself."  Browsers send packets of padding alone to probe the
	 * bandwidth: no receiver needs them. */
	if (rtp[0] & 0x20) {
		uint8_t pad = rtp[len - 1];
		if (pad == 0 || pad > len - hdr_len) {
			*why = DP_DROP_RTP_INVALID;
			return false;
		}
		end = len - pad;
	}
	if (end == hdr_len) {
		meta->path = DP_PATH_PADDING;
		return true;
	}
	if (!dp_fanout_svc_payload(st, rtp + hdr_len, end - hdr_len, strata_be32(rtp + 4), true,
				   meta)) {
		*why = DP_DROP_NOT_VIDEO_PAYLOAD;
		return false;
	}
	if (st->dd != NULL)
		return dd_info(st, rtp, hdr_len, meta, why);
	return true;
}

bool dp_fanout_svc_payload(struct dp_stream *st, const uint8_t *pl, uint32_t plen, uint32_t ts,
			   bool track, struct dp_mbuf_meta *meta)
{
	struct dp_frame_info *fi = &meta->frame;

	meta->path = DP_PATH_SIMPLE;
	switch (st->codec) {
	case STRATA_CODEC_VP8:
		return dp_vp8_parse(pl, plen, fi) == 0;
	case STRATA_CODEC_VP9:
		if (dp_vp9_parse(pl, plen, fi, &meta->svc) != 0)
			return false;
		meta->path = DP_PATH_VP9;
		return true;
	case STRATA_CODEC_H264: {
		struct dp_h264_info h;
		if ((track && st->h264 == NULL) || dp_h264_parse(pl, plen, &h) != DP_H264_OK)
			return false;
		if (track)
			dp_h264_track(st->h264, &h, ts);
		dp_h264_frame_info(&h, fi);
		meta->codec.h264 = h;
		meta->path = DP_PATH_H264;
		return true;
	}
	default:
		/* Audio, and AV1 without the descriptor: no layers to tell,
		 * every packet stands alone as far as selection goes. */
		fi->frame_start = 1;
		fi->keyframe = 1;
		return true;
	}
}

/*
 * H.264: simulcast and temporal layers by the VP8 rules (dp_h264_frame_info
 * describes the access unit as a VP8 frame: its first packet, IDR or
 * parameter sets as keyframe, temporal_id and sync), then the receiver's
 * dependency_id, which RFC 6190 section 4.2.2 lets go up only at an IDR
 * of the higher layer ("I": idr_flag) and which goes down at the next
 * access unit; dp_h264_filter drops the NAL units above it.
 */
static enum dp_select select_h264(struct dp_sub *sub, const struct dp_stream *st,
				  const struct dp_source *src, const struct dp_h264_info *in,
				  const struct dp_frame_info *fi, uint8_t encoding, uint8_t ts,
				  uint8_t tt)
{
	enum dp_select sel = dp_select_packet(sub, &sub->frame, st, fi, encoding, tt);

	if (dp_select_reason(sel) != DP_SELECT_FORWARD)
		return sel;
	uint8_t want = src->n_encodings > 1 || ts > DP_H264_ALL_LAYERS ? DP_H264_ALL_LAYERS : ts;
	if (sel & DP_SELECT_SWITCHED_ENCODING) {
		sub->h264_did = want; /* a keyframe: IDR in every layer */
	} else {
		if (fi->frame_start && want < sub->h264_did)
			sub->h264_did = want;
		if (want > sub->h264_did && (in->idr_dids & (1u << (sub->h264_did + 1))))
			sub->h264_did++;
	}
	if (dp_h264_filter(in, sub->h264_did, DP_H264_ALL_LAYERS) != DP_H264_FORWARD)
		return DP_SELECT_LAYER_FILTERED | (sel & DP_SELECT_SWITCHED_ENCODING);
	return sel;
}

enum dp_select dp_fanout_svc_select_codec(struct dp_sub *sub, const struct dp_stream *st,
					  const struct dp_source *src,
					  const struct dp_mbuf_meta *meta, uint8_t encoding,
					  bool marker_in, struct dp_svc_out *o)
{
	const struct dp_frame_info *fi = &meta->frame;
	uint8_t ts = atomic_load_explicit(&sub->target_spatial, memory_order_relaxed);
	uint8_t tt = atomic_load_explicit(&sub->target_temporal, memory_order_relaxed);

	o->marker = marker_in;
	o->dd_rewrite = 0;
	switch (meta->path) {
	case DP_PATH_VP9: {
		struct dp_select_target t = dp_select_target(src->n_encodings, encoding, ts, tt);
		enum dp_select sel = dp_select_layers(sub, &sub->frame, st, fi, &meta->svc, &t);
		if (dp_select_reason(sel) == DP_SELECT_FORWARD)
			o->marker = dp_select_marker(&sub->frame, fi, &meta->svc, marker_in);
		return sel;
	}
	case DP_PATH_H264:
		return select_h264(sub, st, src, &meta->codec.h264, fi, encoding, ts, tt);
	case DP_PATH_DD:
		return dp_fanout_svc_select_dd(sub, st, src, &meta->codec.dd, encoding, ts, tt,
					       marker_in, o);
	default:
		return dp_select_packet(sub, &sub->frame, st, fi, encoding, tt);
	}
}
