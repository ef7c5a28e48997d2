/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fan-out's codec dispatch for scalable streams: what each input says
 * about its layers (once per input, on the publisher's worker), and which
 * receivers get it (once per receiver), for every way a stream carries its
 * layers:
 *
 *   DP_PATH_SIMPLE   VP8 (RFC 7741), audio, and video without layer
 *                    information: select.h's VP8 rules (fanout.c inlines
 *                    this path, the hot one).
 *   DP_PATH_VP9      VP9's payload descriptor (RFC 9628): spatial and
 *                    temporal layers, select.h's dp_select_layers.
 *   DP_PATH_H264     H.264 (RFC 6184) simulcast and temporal layers by the
 *                    VP8 rules, RFC 6190 dependency_id by dp_h264_filter.
 *   DP_PATH_DD       any codec whose stream negotiated the dependency
 *                    descriptor (AV1 RTP specification, appendix A):
 *                    select_dd.h, whatever the payload (AV1, and VP8, VP9,
 *                    H.264 as browsers send them).
 *   DP_PATH_PADDING  an RTP packet of padding only: nobody gets it, every
 *                    receiver's sequence numbers close over it.
 */
#ifndef STRATA_DP_FANOUT_SVC_H
#define STRATA_DP_FANOUT_SVC_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"
#include "select.h"
#include "select_dd.h"

enum dp_codec_path {
	DP_PATH_SIMPLE = 0,
	DP_PATH_VP9,
	DP_PATH_H264,
	DP_PATH_DD,
	DP_PATH_PADDING,
};

/*
 * Fills meta->frame, svc, path, dd_* and codec for an input of `st` whose
 * decrypted RTP packet is rtp[0..len) with a header of hdr_len octets, for
 * every path but the simple one's VP8 (fanout.c).  Returns true, or false
 * with *why when the input is refused: a payload its codec's parser
 * refuses (DP_DROP_NOT_VIDEO_PAYLOAD), a dependency descriptor missing or
 * refused (DP_DROP_DD_INVALID).  Writes st's codec state [owner].
 */
bool dp_fanout_svc_info(struct dp_stream *st, const uint8_t *rtp, uint32_t len, uint32_t hdr_len,
			struct dp_mbuf_meta *meta, enum dp_drop *why);

/*
 * dp_fanout_svc_info's codec part: meta->frame, svc, codec.h264 and path
 * (DP_PATH_SIMPLE, _VP9 or _H264) from the payload pl[0..plen) of an input
 * of `st` with RTP timestamp ts.  With `track`, H.264 packets also update
 * the stream's access-unit state (dp_h264_track; a stream without it is
 * refused); without, the stream is left as it is (a retransmission's
 * repair, rtx_repair.c).  false: the codec's parser refused the payload.
 */
bool dp_fanout_svc_payload(struct dp_stream *st, const uint8_t *pl, uint32_t plen, uint32_t ts,
			   bool track, struct dp_mbuf_meta *meta);

/* What a receiver's copy needs besides the decision. */
struct dp_svc_out {
	uint8_t marker;     /* the RTP marker bit of its copy */
	uint8_t dd_rewrite; /* its descriptor needs active_decode_targets_bitmask
			     * = sub->dd.rx_mask (DP_SELECT_DD_REWRITE) */
};

/* dp_fanout_svc_select of the paths other than DP_PATH_DD and DP_PATH_VP9
 * (fanout_svc.c). */
enum dp_select dp_fanout_svc_select_codec(struct dp_sub *sub, const struct dp_stream *st,
					  const struct dp_source *src,
					  const struct dp_mbuf_meta *meta, uint8_t encoding,
					  bool marker_in, struct dp_svc_out *o);

/*
 * dp_fanout_svc_select's dependency descriptor path, inline as its VP9 path
 * is (both run for every receiver of every input, and a call costs a tenth
 * of the decision).  Simulcast encodings are separate streams with their
 * own structures, so
 * a receiver moves to another at a packet with a structure (a keyframe's
 * first) and starts its decode target selection there afresh; within the
 * stream, select_dd.c decides.
 */
static inline enum dp_select dp_fanout_svc_select_dd(struct dp_sub *sub,
						     const struct dp_stream *st,
						     const struct dp_source *src,
						     const struct dp_av1_dd_frame *f,
						     uint8_t encoding, uint8_t ts, uint8_t tt,
						     bool marker_in, struct dp_svc_out *o)
{
	enum dp_select extra = DP_SELECT_FORWARD;

	if (st->encoding != sub->cur_spatial) {
		if (st->encoding != encoding)
			return DP_SELECT_OTHER_ENCODING;
		if (!f->structure_attached)
			return (sub->cur_spatial == DP_NONE ? DP_SELECT_WAITING_KEYFRAME
							    : DP_SELECT_OTHER_ENCODING) |
			       DP_SELECT_KEYFRAME_NEEDED;
		sub->cur_spatial = st->encoding;
		dp_select_dd_reset(&sub->dd);
		extra = DP_SELECT_SWITCHED_ENCODING;
	}
	uint8_t spatial = src->n_encodings > 1 ? DP_SELECT_ALL_LAYERS : ts;
	enum dp_select_dd r = dp_select_dd_packet(&sub->dd, f, spatial, tt);
	if (r & DP_SELECT_DD_KEYFRAME_NEEDED)
		extra |= DP_SELECT_KEYFRAME_NEEDED;
	switch (dp_select_dd_reason(r)) {
	case DP_SELECT_DD_FORWARD:
		break;
	case DP_SELECT_DD_WAITING:
		return DP_SELECT_WAITING_KEYFRAME | extra;
	default:
		return DP_SELECT_LAYER_FILTERED | extra;
	}
	o->marker = marker_in || (r & DP_SELECT_DD_MARKER);
	o->dd_rewrite = (r & DP_SELECT_DD_REWRITE) != 0;
	return DP_SELECT_FORWARD | extra;
}

/*
 * Decides for receiver `sub` of `src` (whose target encoding, clamped to
 * one the source has, is `encoding`) whether it gets an input of `st`
 * described by meta, on every path but DP_PATH_SIMPLE; returns a select.h
 * verdict (the dependency descriptor's reasons mapped to its), and on
 * FORWARD fills *o.  marker_in is the input's marker bit.
 */
static inline enum dp_select dp_fanout_svc_select(struct dp_sub *sub, const struct dp_stream *st,
						  const struct dp_source *src,
						  const struct dp_mbuf_meta *meta, uint8_t encoding,
						  bool marker_in, struct dp_svc_out *o)
{
	uint8_t ts = atomic_load_explicit(&sub->target_spatial, memory_order_relaxed);
	uint8_t tt = atomic_load_explicit(&sub->target_temporal, memory_order_relaxed);

	o->marker = marker_in;
	o->dd_rewrite = 0;
	if (meta->path == DP_PATH_DD)
		return dp_fanout_svc_select_dd(sub, st, src, &meta->codec.dd, encoding, ts, tt,
					       marker_in, o);
	if (meta->path == DP_PATH_VP9) {
		const struct dp_frame_info *fi = &meta->frame;
		struct dp_select_target t = dp_select_target(src->n_encodings, encoding, ts, tt);
		enum dp_select sel = dp_select_layers(sub, &sub->frame, st, fi, &meta->svc, &t);
		if (dp_select_reason(sel) == DP_SELECT_FORWARD)
			o->marker = dp_select_marker(&sub->frame, fi, &meta->svc, marker_in);
		return sel;
	}
	return dp_fanout_svc_select_codec(sub, st, src, meta, encoding, marker_in, o);
}

#endif /* STRATA_DP_FANOUT_SVC_H */
