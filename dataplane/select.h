/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which packets of a source one receiver gets: the simulcast encoding, the
 * spatial layers within it (VP9 SVC) and the temporal layers, decided packet
 * by packet from what a codec parser (codec/vp8.c, codec/vp9.c, ...) found
 * in it (struct dp_frame_info, and struct dp_frame_svc for codecs with
 * spatial layers).  Codec-independent but for the rules each codec's
 * descriptor implies (struct dp_frame_svc's kind).
 *
 * The caller owns everything around the decision: it passes the targets
 * (the encoding clamped to one the source has), renumbers what is
 * forwarded (seqmap.h) and marks what is dropped, rebases its maps when
 * told the encoding switched, sets the RTP marker bit (dp_select_marker)
 * and rate-limits keyframe requests.
 */
#ifndef STRATA_DP_SELECT_H
#define STRATA_DP_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "select_frame.h"
#include "tables.h"

/*
 * The outcome: a reason in the low bits (FORWARD = 0), flags above them.
 * dp_select_reason() takes the reason alone.
 */
enum dp_select {
	DP_SELECT_FORWARD = 0,
	/* The packet's temporal or spatial layer is above what the receiver
	 * gets now (or the layer frame cannot be decoded by it). */
	DP_SELECT_LAYER_FILTERED = 1,
	/* Nothing has been forwarded yet: the receiver waits for a keyframe of
	 * the target encoding, and this packet is of that encoding. */
	DP_SELECT_WAITING_KEYFRAME = 2,
	/* Another simulcast encoding than the one the receiver gets (including
	 * the target's packets while a switch waits for its keyframe). */
	DP_SELECT_OTHER_ENCODING = 3,
	DP_SELECT_REASON_MASK = 0x0f,

	/* Flag, with FORWARD: the receiver's stream (re)starts with this
	 * packet, a keyframe of another encoding than before (or the first
	 * one).  The caller rebases its sequence number, timestamp, PictureID
	 * and TL0PICIDX maps so that the output continues where it was. */
	DP_SELECT_SWITCHED_ENCODING = 0x10,
	/* Flag: the receiver waits for a keyframe: of the encoding this packet
	 * belongs to (the target), or, with spatial layers, for a picture where
	 * it can go up to the layer of this packet, which it wants; the caller
	 * should ask its publisher for one (PLI/FIR), rate-limited.  Set on
	 * every such packet. */
	DP_SELECT_KEYFRAME_NEEDED = 0x20,
};

static inline enum dp_select dp_select_reason(enum dp_select s)
{
	return (enum dp_select)(s & DP_SELECT_REASON_MASK);
}

/* Every spatial layer a stream has. */
#define DP_SELECT_ALL_LAYERS 7

/*
 * What a receiver should get.  sub->target_spatial means the simulcast
 * encoding for a source of several encodings and the spatial layer for a
 * source of one (VP9 SVC: its layers in one stream), so the caller passes
 *   encoding  the target encoding, clamped to one the source has (for a
 *             source of one encoding: that one)
 *   spatial   src->n_encodings > 1 ? DP_SELECT_ALL_LAYERS : target_spatial
 *   temporal  target_temporal
 * (dp_select_target below).
 */
struct dp_select_target {
	uint8_t encoding;
	uint8_t spatial;
	uint8_t temporal;
};

static inline struct dp_select_target dp_select_target(uint8_t n_encodings, uint8_t encoding,
						       uint8_t target_spatial,
						       uint8_t target_temporal)
{
	return (struct dp_select_target){
		.encoding = encoding,
		.spatial = n_encodings > 1 ? DP_SELECT_ALL_LAYERS : target_spatial,
		.temporal = target_temporal,
	};
}

/*
 * Decides for one packet of `stream` (an encoding of the receiver's source)
 * whether receiver `sub` gets it, and updates sub->cur_spatial (the
 * encoding), cur_temporal, waiting_keyframe and *frame (the receiver's
 * sub->frame, select_frame.h, zeroed with it; for spatial streams it holds
 * the receiver's spatial layer, frame->layer).  svc may be NULL (no
 * spatial layers: VP8 rules).
 *
 * Simulcast, for every codec (RFC 7741 section 5 and common SFU practice):
 *  - A receiver starts (cur_spatial = DP_NONE) at the first packet of a
 *    keyframe of the target encoding, and switches encodings only there;
 *    until then it keeps getting the current one.
 *  - Streams without layer information (has_layers = 0) go whole.
 *  - A packet of a frame (or picture) older than the ones remembered is
 *    judged by its layers alone.
 *
 * VP8 temporal layers (svc NULL or kind DP_SVC_NONE):
 *  - A keyframe is forwarded whatever its temporal layer (it resets every
 *    reference buffer), and brings the receiver to the target layer.
 *  - Otherwise the temporal layer changes only between frames, at the
 *    first packet seen of a new frame: down at once; up one layer at a
 *    time, at a frame of layer cur_temporal + 1 with the sync (Y) bit
 *    (it depends only on the base layer).  A frame is forwarded when its
 *    layer is <= cur_temporal.
 *  - Every other packet of a frame gets the frame's decision.  (A
 *    keyframe is known by its first packet, which carries the codec's
 *    payload header: if a later packet of it arrives first, the frame is
 *    judged by its layer, like any other.)
 *
 * VP9 spatial and temporal layers (kind DP_SVC_VP9; select.c has the RFC
 * 9628 text each rule rests on):
 *  - A layer frame is forwarded when its SID <= frame->layer and its TID
 *    <= the picture's temporal layer, and, when it depends on the layer
 *    below (D), that layer's frame of the picture is forwarded too.
 *  - At a key picture (its first packet) the receiver goes to its targets,
 *    the spatial one clamped to the layers the stream has.  Every layer
 *    frame of a key picture is forwarded whatever its TID.
 *  - At the first packet seen of a new picture: both layers go down at
 *    once; the temporal layer goes up to the target at a picture with U
 *    whose TID is <= the current layer.
 *  - The spatial layer goes up one layer at a time, at a layer frame of
 *    SID frame->layer + 1 with P = 0 (no inter-picture prediction) whose
 *    lower layer the receiver gets; after one without U, the temporal
 *    layer drops to its TID.  Until then, KEYFRAME_NEEDED.
 *  - A layer frame that cannot be forwarded although in the receiver's
 *    layers (D, and its lower layer was not) takes the receiver down below
 *    it: later frames of its layer may reference it.
 *  - Every packet of a layer frame gets the decision of its first packet
 *    seen; a picture is known by its PictureID (without one, a layer frame
 *    starting at or below the last one's SID begins a new picture).
 * So a receiver never gets a frame that depends on one it did not get.
 */
enum dp_select dp_select_layers(struct dp_sub *sub, struct dp_select_frame *frame,
				const struct dp_stream *stream, const struct dp_frame_info *fi,
				const struct dp_frame_svc *svc,
				const struct dp_select_target *target);

/* dp_select_layers for streams without spatial layers (VP8), with
 * target_spatial the encoding. */
enum dp_select dp_select_packet(struct dp_sub *sub, struct dp_select_frame *frame,
				const struct dp_stream *stream, const struct dp_frame_info *fi,
				uint8_t target_spatial, uint8_t target_temporal);

/*
 * dp_select_packet's commonest case, decided inline: another packet of the
 * frame the receiver's last decision was about (a video frame spans many
 * packets), of the encoding it gets and still wants.  Every packet of a
 * frame gets the decision of its first (see select.c), so the answer is the
 * one remembered.  Returns false when dp_select_packet must judge.
 */
static inline bool dp_select_same_frame(struct dp_sub *sub, const struct dp_select_frame *frame,
					const struct dp_stream *stream,
					const struct dp_frame_info *fi, uint8_t target_spatial,
					enum dp_select *sel)
{
	if (stream->encoding != sub->cur_spatial || target_spatial != sub->cur_spatial ||
	    !frame->valid || !fi->has_picture_id || fi->picture_id != frame->picture_id ||
	    fi->picture_id_bits != frame->picture_id_bits)
		return false;
	sub->waiting_keyframe = 0;
	*sel = frame->forward ? DP_SELECT_FORWARD : DP_SELECT_LAYER_FILTERED;
	return true;
}

/*
 * The RTP marker bit of the receiver's copy of a packet dp_select_layers
 * forwarded: for VP9, set also on the last packet of the highest spatial
 * layer the receiver gets in the packet's picture (codec/vp9.h,
 * dp_vp9_marker, RFC 9628 section 4.1); otherwise the input's.
 */
bool dp_select_marker(const struct dp_select_frame *frame, const struct dp_frame_info *fi,
		      const struct dp_frame_svc *svc, bool marker_in);

/* The spatial layer the receiver gets in the packet's picture (for
 * dp_select_marker and dumps); frame->layer when the picture is not
 * remembered. */
uint8_t dp_select_layer_of(const struct dp_select_frame *frame, const struct dp_frame_info *fi,
			   const struct dp_frame_svc *svc);

#endif /* STRATA_DP_SELECT_H */
