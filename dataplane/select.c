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
 *
 * VP9 (select_spatial below) has its own reasoning, next to its code.
 */
#include <stdbool.h>

#include "codec/vp9.h"
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

/* Streams of one layer per frame (VP8): target_spatial is the encoding. */
static enum dp_select select_frames(struct dp_sub *sub, struct dp_select_frame *frame,
				    const struct dp_stream *stream,
				    const struct dp_frame_info *fi, uint8_t target_spatial,
				    uint8_t target_temporal)
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

/*
 * ---- Spatial layers in one stream: VP9 (RFC 9628) ----------------------
 *
 * A picture is one instant of the video: a layer frame per spatial layer
 * (SID 0, 1, ... in that order), all with its PictureID and RTP timestamp,
 * each in one or more packets (B on the first, E on the last).  Which frame
 * references which, in the RFC's words:
 *
 *   inter-picture: P_DIFFs name earlier pictures of the same layer, or the
 *   picture group of the SS does; a frame of temporal layer TID
 *   references only frames of layers <= TID.
 *   inter-layer, D: the frame depends on the frame of layer SID - 1 of
 *   the same picture.
 *
 * Spatial layers.  A receiver of layers 0..S gets every layer frame with
 * SID <= S (and a layer never depends on a higher one, so going down is
 * safe at once: at the next picture, so that no picture loses its top
 * half-way).  Going up to S + 1 needs a frame of S + 1 that references no
 * earlier picture: P = 0.  "When set to zero, the frame does not utilize
 * inter-picture prediction.  In this case, up-switching to a current
 * spatial layer's frame is possible from a directly lower spatial layer
 * frame."  Its D reference, the lower layer of the same picture, the
 * receiver must have.  Such frames are every layer frame of a key picture,
 * and the layer refreshes encoders send for an LRR (RFC 9627) or when they
 * (re)enable a layer, as libwebrtc does.  In k-SVC streams (inter-layer
 * prediction on key pictures only), there are no others: the receiver asks
 * for a keyframe (KEYFRAME_NEEDED on the next layer's packets).  We go up
 * one layer at a time: a frame of S + 2 with D needs S + 1, and in full
 * SVC every later frame of S + 2 does too.
 *
 * Temporal layers.  The U bit: "If this bit is set to 1 for the current
 * picture with temporal layer ID equal to TID, then "switch up" to a higher
 * frame rate is possible as subsequent higher temporal layer pictures will
 * not depend on any picture before the current picture (in coding order)
 * with temporal layer ID greater than TID."  So at a picture with U and a
 * TID the receiver gets (<= cur), every later picture up to any layer
 * references only pictures of layers <= TID before it (which the receiver
 * has) or pictures from it on (which it gets from then on): the receiver
 * goes straight to its target, from that picture on.  This is the RFC's
 * meaning and libwebrtc's (its encoder sets U from the picture group, and
 * in flexible mode when "all temporal layers higher than this [...] are
 * switch points"; its receiver ignores references across an up-switch
 * picture of lower TID).  It is not VP8's Y, which marks the frame itself:
 * a picture with U and TID cur + 1 may still reference an earlier picture
 * of its own layer, which the receiver never got.  The RFC defines U per
 * picture; we read it from the first layer frame of the picture we see.
 *
 * A spatial up-switch frame without U: later frames of its layer with a
 * higher TID may reference frames of the layer from before it (which the
 * receiver did not get), so the receiver's temporal layer drops to the
 * switch frame's (0: P = 0 implies TID 0) and climbs again at the next U.
 *
 * A key picture "completely resets the encoder state": nothing after it
 * references anything before it, so the receiver starts there (or comes
 * back after a simulcast switch), goes to its targets, and gets every
 * layer frame of it up to its spatial target, whatever its TID (as for
 * VP8 keyframes).
 *
 * A frame in the receiver's layers that depends (D) on a lower layer frame
 * it did not get (a stream whose layers of one picture have different
 * TIDs, say) is not forwarded, and as later frames of its layer may
 * reference it, the receiver goes below its layer until the next switch
 * point.
 *
 * Per layer frame: the decision is taken at the first packet seen of each
 * layer frame and remembered for the last DP_SELECT_PICTURES pictures,
 * known by their PictureIDs; the layers change only at the first packet
 * seen of a new picture (down, temporal up) or at a switch frame (spatial
 * up).
 */

/* The highest spatial layer the receiver should get: its target, within
 * the layers the stream has. */
static uint8_t want_layer(const struct dp_select_frame *f, uint8_t target)
{
	uint8_t want = target;

	if (f->n_layers && want >= f->n_layers)
		want = (uint8_t)(f->n_layers - 1);
	if (want < f->base_layer)
		want = f->base_layer;
	return want;
}

/* The layers the stream has: its scalability structure says (libwebrtc
 * sends one whenever they change), or at least the highest SID seen. */
static void learn_layers(struct dp_select_frame *f, const struct dp_frame_info *fi,
			 const struct dp_frame_svc *svc)
{
	uint8_t sid = fi->has_layers ? svc->spatial : 0;

	if (svc->ss_layers)
		f->n_layers = svc->ss_layers;
	if (sid >= f->n_layers)
		f->n_layers = (uint8_t)(sid + 1);
}

enum picture_rel {
	PICTURE_NEW,   /* newer than any decided: begin it now */
	PICTURE_KNOWN, /* one of the remembered pictures */
	PICTURE_OLD,   /* older, or not known */
};

static enum picture_rel find_picture(const struct dp_select_frame *f,
				     const struct dp_frame_info *fi,
				     const struct dp_frame_svc *svc, unsigned *idx)
{
	const struct dp_select_picture *newest = &f->pictures[f->newest];

	*idx = f->newest;
	if (!newest->valid)
		return PICTURE_NEW;
	if (fi->has_picture_id && fi->picture_id_bits == f->pid_bits) {
		uint32_t mask = (1u << f->pid_bits) - 1;

		if (dp_seq_diff(fi->picture_id, newest->picture_id, mask) > 0)
			return PICTURE_NEW;
		for (unsigned k = 0; k < DP_SELECT_PICTURES; k++) {
			unsigned i = (f->newest + DP_SELECT_PICTURES - k) % DP_SELECT_PICTURES;
			if (!f->pictures[i].valid)
				break;
			if (f->pictures[i].picture_id == fi->picture_id) {
				*idx = i;
				return PICTURE_KNOWN;
			}
		}
		return PICTURE_OLD;
	}
	/* Without PictureIDs (or when their width changes): a picture's
	 * "frames' spatial layers MUST appear in increasing order", so a layer
	 * frame that begins at or below the last one's SID begins a picture. */
	if (fi->frame_start &&
	    (fi->has_picture_id || f->pid_bits || svc->spatial <= f->last_spatial))
		return PICTURE_NEW;
	return PICTURE_KNOWN;
}

static void push_picture(struct dp_select_frame *f, const struct dp_frame_info *fi,
			 uint8_t temporal, bool key)
{
	f->newest = (uint8_t)((f->newest + 1) % DP_SELECT_PICTURES);
	f->pictures[f->newest] = (struct dp_select_picture){
		.picture_id = fi->has_picture_id ? fi->picture_id : 0,
		.valid = 1,
		.layer = f->layer,
		.temporal = temporal,
		.key = key,
	};
	f->pid_bits = fi->has_picture_id ? fi->picture_id_bits : 0;
}

/* The first packet of a key picture: the receiver goes to its targets. */
static void begin_key_picture(struct dp_sub *sub, struct dp_select_frame *f,
			      const struct dp_frame_info *fi, const struct dp_frame_svc *svc,
			      const struct dp_select_target *t)
{
	f->base_layer = fi->has_layers ? svc->spatial : 0;
	f->layer = want_layer(f, t->spatial);
	sub->cur_temporal = t->temporal;
	push_picture(f, fi, sub->cur_temporal, true);
}

/* The first packet seen of another picture: down at once, temporal up at a
 * switching-up point. */
static void begin_picture(struct dp_sub *sub, struct dp_select_frame *f,
			  const struct dp_frame_info *fi, const struct dp_select_target *t)
{
	uint8_t want = want_layer(f, t->spatial);

	if (want < f->layer)
		f->layer = want;
	if (t->temporal < sub->cur_temporal)
		sub->cur_temporal = t->temporal;
	else if (t->temporal > sub->cur_temporal && fi->sync && fi->temporal <= sub->cur_temporal)
		sub->cur_temporal = t->temporal;
	push_picture(f, fi, sub->cur_temporal, false);
}

/* The receiver cannot have `layer` + 1 and above from now on. */
static void go_below(struct dp_select_frame *f, uint8_t layer)
{
	if (f->layer > layer)
		f->layer = layer;
	for (unsigned i = 0; i < DP_SELECT_PICTURES; i++)
		if (f->pictures[i].layer > layer)
			f->pictures[i].layer = layer;
}

/*
 * Whether the receiver gets the frame of layer sid - 1 of picture p.  When
 * none of its packets has been seen yet (reordered), it is decided now as
 * it would be when it comes, in the receiver's layers or not, so that both
 * decisions agree.
 */
static bool lower_forwarded(struct dp_select_picture *p, uint8_t sid)
{
	uint8_t bit = (uint8_t)(1u << (sid - 1));

	if (p->seen & bit)
		return p->forward & bit;
	p->seen |= bit;
	if (sid - 1 > p->layer)
		return false;
	p->forward |= bit;
	return true;
}

/* The decision for a layer frame seen for the first time. */
static bool decide_layer_frame(struct dp_sub *sub, struct dp_select_frame *f,
			       struct dp_select_picture *p, bool newest,
			       const struct dp_frame_info *fi, const struct dp_frame_svc *svc,
			       const struct dp_select_target *t)
{
	uint8_t sid = svc->spatial;

	if (!p->key && fi->temporal > p->temporal)
		return false;
	bool lower = sid == 0 || !svc->inter_layer || lower_forwarded(p, sid);
	if (sid <= p->layer) {
		if (!lower)
			go_below(f, (uint8_t)(sid - 1));
		return lower;
	}
	if (!newest || sid != p->layer + 1 || sid > want_layer(f, t->spatial) ||
	    svc->inter_picture || !lower)
		return false;
	/* A switch frame of the next layer up. */
	p->layer = f->layer = sid;
	if (!p->key && !fi->sync && fi->temporal < sub->cur_temporal)
		sub->cur_temporal = fi->temporal;
	return true;
}

static enum dp_select select_spatial(struct dp_sub *sub, struct dp_select_frame *f,
				     const struct dp_stream *stream,
				     const struct dp_frame_info *fi,
				     const struct dp_frame_svc *svc,
				     const struct dp_select_target *t)
{
	uint8_t enc = stream->encoding;
	uint8_t sid = fi->has_layers ? svc->spatial : 0;
	unsigned idx;
	bool fwd;

	sub->waiting_keyframe = sub->cur_spatial != t->encoding;
	if (enc != sub->cur_spatial) {
		if (enc != t->encoding)
			return DP_SELECT_OTHER_ENCODING;
		if (!fi->keyframe) {
			enum dp_select why = sub->cur_spatial == DP_NONE ?
				DP_SELECT_WAITING_KEYFRAME : DP_SELECT_OTHER_ENCODING;
			return (enum dp_select)(why | DP_SELECT_KEYFRAME_NEEDED);
		}
		/* The target's key picture: (re)start on it. */
		sub->cur_spatial = enc;
		*f = (struct dp_select_frame){ 0 };
		learn_layers(f, fi, svc);
		begin_key_picture(sub, f, fi, svc, t);
		f->last_spatial = sid;
		f->pictures[f->newest].seen = f->pictures[f->newest].forward =
			(uint8_t)(1u << sid);
		sub->waiting_keyframe = f->layer < want_layer(f, t->spatial);
		return (enum dp_select)(DP_SELECT_FORWARD | DP_SELECT_SWITCHED_ENCODING);
	}
	/* Without layer indices there is nothing to choose. */
	if (!fi->has_layers)
		return DP_SELECT_FORWARD;

	learn_layers(f, fi, svc);
	switch (find_picture(f, fi, svc, &idx)) {
	case PICTURE_NEW:
		if (fi->keyframe)
			begin_key_picture(sub, f, fi, svc, t);
		else
			begin_picture(sub, f, fi, t);
		idx = f->newest;
		break;
	case PICTURE_KNOWN:
		break;
	case PICTURE_OLD:
	default:
		fwd = sid <= f->layer && fi->temporal <= sub->cur_temporal;
		return fwd ? DP_SELECT_FORWARD : DP_SELECT_LAYER_FILTERED;
	}
	if (fi->frame_start)
		f->last_spatial = sid;

	struct dp_select_picture *p = &f->pictures[idx];
	uint8_t bit = (uint8_t)(1u << sid);
	if (p->seen & bit) {
		fwd = p->forward & bit;
	} else {
		fwd = decide_layer_frame(sub, f, p, idx == f->newest, fi, svc, t);
		p->seen |= bit;
		if (fwd)
			p->forward |= bit;
	}

	uint8_t want = want_layer(f, t->spatial);
	sub->waiting_keyframe |= f->layer < want;
	if (fwd)
		return DP_SELECT_FORWARD;
	if (sid == f->layer + 1 && sid <= want)
		return (enum dp_select)(DP_SELECT_LAYER_FILTERED | DP_SELECT_KEYFRAME_NEEDED);
	return DP_SELECT_LAYER_FILTERED;
}

enum dp_select dp_select_layers(struct dp_sub *sub, struct dp_select_frame *frame,
				const struct dp_stream *stream, const struct dp_frame_info *fi,
				const struct dp_frame_svc *svc,
				const struct dp_select_target *target)
{
	if (svc && svc->kind == DP_SVC_VP9)
		return select_spatial(sub, frame, stream, fi, svc, target);
	return select_frames(sub, frame, stream, fi, target->encoding, target->temporal);
}

enum dp_select dp_select_packet(struct dp_sub *sub, struct dp_select_frame *frame,
				const struct dp_stream *stream, const struct dp_frame_info *fi,
				uint8_t target_spatial, uint8_t target_temporal)
{
	return select_frames(sub, frame, stream, fi, target_spatial, target_temporal);
}

uint8_t dp_select_layer_of(const struct dp_select_frame *frame, const struct dp_frame_info *fi,
			   const struct dp_frame_svc *svc)
{
	unsigned idx;

	if (fi->has_layers && find_picture(frame, fi, svc, &idx) == PICTURE_KNOWN)
		return frame->pictures[idx].layer;
	return frame->layer;
}

bool dp_select_marker(const struct dp_select_frame *frame, const struct dp_frame_info *fi,
		      const struct dp_frame_svc *svc, bool marker_in)
{
	if (!svc || svc->kind != DP_SVC_VP9)
		return marker_in;
	return dp_vp9_marker(marker_in, fi, svc, dp_select_layer_of(frame, fi, svc));
}
