/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One receiver's layer decision.  See select.h for the rules; why they are
 * what they are:
 *
 * Simulcast encodings are independent streams, so a receiver can move to
 * another one only where it needs nothing from the past: at a keyframe.
 * It keeps getting the encoding it has until then, so a switch never
 * freezes the picture.
 *
 * Temporal layers (RFC 7741 section 5 for VP8): a frame of layer L may
 * reference frames of any layer <= L, so a receiver that gets layers
 * 0..cur can drop any frame above cur.  Going up is the delicate part.  A
 * frame with the Y bit "depends only on the base layer" (TID 0), so once
 * it is forwarded, later frames of its layer have everything they
 * reference, provided the layers between are forwarded too.  Hence up one
 * layer at a time: a Y frame of layer cur + 1.  Jumping from 0 straight to
 * 2 at a Y frame of layer 2 would be wrong: the next layer-2 frame may
 * reference a layer-1 frame the receiver never got.  A keyframe references
 * nothing and resets every reference buffer, so it is always forwarded (a
 * keyframe the encoder labelled with a higher layer still replaces the
 * frames the base layer references) and brings the receiver straight to
 * its target.
 *
 * Per frame: a layer change between two packets of one frame would send
 * half a frame, so the decision is taken once per frame and remembered.
 */
#include <stdbool.h>

#include "select.h"

enum frame_rel {
	FRAME_NEW,      /* newer than any decided: decide it now */
	FRAME_CURRENT,  /* the newest decided */
	FRAME_PREVIOUS, /* the one before */
	FRAME_OLD,      /* older, or not known */
};

static enum frame_rel frame_relation(const struct dp_select_frame *f,
				     const struct dp_frame_info *fi)
{
	if (f->valid && f->picture_id_bits && fi->has_picture_id &&
	    fi->picture_id_bits == f->picture_id_bits) {
		uint32_t mask = (1u << fi->picture_id_bits) - 1;
		int32_t d = dp_seq_diff(fi->picture_id, f->picture_id, mask);

		if (d > 0)
			return FRAME_NEW;
		if (d == 0)
			return FRAME_CURRENT;
		if (f->prev_valid && fi->picture_id == f->prev_picture_id)
			return FRAME_PREVIOUS;
		return FRAME_OLD;
	}
	/* Without PictureIDs a frame is known by its first packet, and the
	 * packets after it are taken to be its own. */
	if (fi->frame_start || !f->valid)
		return FRAME_NEW;
	return FRAME_CURRENT;
}

static void frame_remember(struct dp_select_frame *f, const struct dp_frame_info *fi,
			   bool forward)
{
	f->prev_valid = f->valid && f->picture_id_bits;
	f->prev_picture_id = f->picture_id;
	f->prev_forward = f->forward;
	f->valid = 1;
	f->forward = forward;
	f->picture_id_bits = fi->has_picture_id ? fi->picture_id_bits : 0;
	f->picture_id = fi->has_picture_id ? fi->picture_id : 0;
}

/* The decision for a frame seen for the first time, which moves the
 * receiver's temporal layer towards the target. */
static bool decide_frame(struct dp_sub *sub, const struct dp_frame_info *fi,
			 uint8_t target_temporal)
{
	if (fi->frame_start && fi->keyframe) {
		sub->cur_temporal = target_temporal;
		return true;
	}
	if (!fi->has_layers)
		return true;
	if (target_temporal < sub->cur_temporal)
		sub->cur_temporal = target_temporal;
	else if (target_temporal > sub->cur_temporal && fi->sync &&
		 fi->temporal == sub->cur_temporal + 1)
		sub->cur_temporal = fi->temporal;
	return fi->temporal <= sub->cur_temporal;
}

static enum dp_select verdict(bool forward)
{
	return forward ? DP_SELECT_FORWARD : DP_SELECT_LAYER_FILTERED;
}

enum dp_select dp_select_packet(struct dp_sub *sub, struct dp_select_frame *frame,
				const struct dp_stream *stream, const struct dp_frame_info *fi,
				uint8_t target_spatial, uint8_t target_temporal)
{
	uint8_t enc = stream->encoding;

	sub->waiting_keyframe = sub->cur_spatial != target_spatial;

	if (enc != sub->cur_spatial) {
		if (enc != target_spatial)
			return DP_SELECT_OTHER_ENCODING;
		if (!(fi->frame_start && fi->keyframe)) {
			enum dp_select why = sub->cur_spatial == DP_NONE ?
				DP_SELECT_WAITING_KEYFRAME : DP_SELECT_OTHER_ENCODING;
			return (enum dp_select)(why | DP_SELECT_KEYFRAME_NEEDED);
		}
		/* The target's keyframe: (re)start on it. */
		sub->cur_spatial = enc;
		sub->cur_temporal = target_temporal;
		sub->waiting_keyframe = 0;
		*frame = (struct dp_select_frame){ 0 };
		frame_remember(frame, fi, true);
		return (enum dp_select)(DP_SELECT_FORWARD | DP_SELECT_SWITCHED_ENCODING);
	}

	switch (frame_relation(frame, fi)) {
	case FRAME_NEW: {
		bool forward = decide_frame(sub, fi, target_temporal);
		frame_remember(frame, fi, forward);
		return verdict(forward);
	}
	case FRAME_CURRENT:
		return verdict(frame->forward);
	case FRAME_PREVIOUS:
		return verdict(frame->prev_forward);
	case FRAME_OLD:
	default:
		return verdict(!fi->has_layers || fi->temporal <= sub->cur_temporal);
	}
}
