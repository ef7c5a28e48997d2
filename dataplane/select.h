/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which packets of a source one receiver gets: the simulcast encoding and
 * the temporal layers, decided packet by packet from what a codec parser
 * (codec/vp8.c, ...) found in it (struct dp_frame_info).  Codec-independent.
 *
 * The caller owns everything around the decision: it passes the targets
 * (the encoding clamped to one the source has), renumbers what is
 * forwarded (seqmap.h) and marks what is dropped, rebases its maps when
 * told the encoding switched, and rate-limits keyframe requests.
 */
#ifndef STRATA_DP_SELECT_H
#define STRATA_DP_SELECT_H

#include <stdint.h>

#include "select_frame.h"
#include "tables.h"

/*
 * The outcome: a reason in the low bits (FORWARD = 0), flags above them.
 * dp_select_reason() takes the reason alone.
 */
enum dp_select {
	DP_SELECT_FORWARD = 0,
	/* The packet's temporal layer is above what the receiver gets now. */
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
	/* Flag: the receiver waits for a keyframe of the encoding this packet
	 * belongs to (the target); the caller should ask its publisher for one
	 * (PLI/FIR), rate-limited.  Set on every such packet. */
	DP_SELECT_KEYFRAME_NEEDED = 0x20,
};

static inline enum dp_select dp_select_reason(enum dp_select s)
{
	return (enum dp_select)(s & DP_SELECT_REASON_MASK);
}

/*
 * Decides for one packet of `stream` (an encoding of the receiver's source)
 * whether receiver `sub` gets it, and updates sub->cur_spatial,
 * cur_temporal, waiting_keyframe and *frame (the receiver's sub->frame,
 * select_frame.h: the decisions of its last two frames, zeroed with it).
 * target_spatial is the encoding index the receiver should get (the caller
 * clamps it to an encoding that exists); target_temporal the highest
 * temporal layer.
 *
 * Rules (RFC 7741 section 5 and common SFU practice):
 *  - A receiver starts (cur_spatial = DP_NONE) at the first packet of a
 *    keyframe of the target encoding, and switches encodings only there;
 *    until then it keeps getting the current one.
 *  - A keyframe is forwarded whatever its temporal layer (it resets every
 *    reference buffer), and brings the receiver to the target layer.
 *  - Otherwise the temporal layer changes only between frames, at the
 *    first packet seen of a new frame: down at once; up one layer at a
 *    time, at a frame of layer cur_temporal + 1 with the sync (Y) bit
 *    (it depends only on the base layer).  A frame is forwarded when its
 *    layer is <= cur_temporal.
 *  - Every other packet of a frame gets the frame's decision; a packet of
 *    a frame older than the last two is judged by its layer alone.  (A
 *    keyframe is known by its first packet, which carries the codec's
 *    payload header: if a later packet of it arrives first, the frame is
 *    judged by its layer, like any other.)
 *  - Streams without layer information (has_layers = 0) go whole.
 * So a receiver never gets a frame that depends on one it did not get.
 */
enum dp_select dp_select_packet(struct dp_sub *sub, struct dp_select_frame *frame,
				const struct dp_stream *stream, const struct dp_frame_info *fi,
				uint8_t target_spatial, uint8_t target_temporal);

#endif /* STRATA_DP_SELECT_H */
