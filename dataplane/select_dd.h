/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which frames of a stream sent with the Dependency Descriptor one receiver
 * gets: layer selection by decode target, from what dp_av1_dd_parse found in
 * each packet (codec/av1_dd.h).  Codec-independent: AV1, and VP8, VP9 and
 * H.264 as Chrome sends them with the descriptor.
 *
 * Within one stream (one SSRC).  Simulcast encodings are separate streams,
 * each with its own descriptors; moving a receiver between them stays
 * select.h's job (at a keyframe), and the caller resets this state
 * (dp_select_dd_reset) when it does.
 *
 * The caller owns everything around the decision, as for select.h:
 * renumbering what is forwarded, asking the publisher for a keyframe
 * (rate-limited) when told, rewriting the descriptor when told (with
 * dp_av1_dd_rewrite and rx->rx_mask) and setting the RTP marker when told.
 */
#ifndef STRATA_DP_SELECT_DD_H
#define STRATA_DP_SELECT_DD_H

#include <stdint.h>

#include "codec/av1_dd.h"

#define DP_SELECT_DD_NONE 0xff

/* Frames remembered per receiver: decisions of the last WINDOW frame
 * numbers.  Chain differences (8 bits) reach 255 back; a reference older
 * than the window counts as received when it is after the receiver's start. */
#define DP_SELECT_DD_WINDOW 128
#define DP_SELECT_DD_WORDS (DP_SELECT_DD_WINDOW / 64)

/* A frame never seen is taken as lost once this many frames after it
 * have been (reordering of whole frames tolerated below that). */
#define DP_SELECT_DD_REORDER 2

/* One receiver's state for one stream [owner = the receiver leg's worker]. */
struct dp_select_dd_state {
	uint64_t newest;          /* newest frame number decided (unwrapped) */
	uint64_t start;           /* the frame the receiver started at */
	uint64_t decided[DP_SELECT_DD_WORDS];   /* ring: bit (frame % WINDOW) */
	uint64_t forwarded[DP_SELECT_DD_WORDS];
	uint32_t structure_gen;   /* the structure the receiver got, 0 = none */
	uint32_t rx_mask;         /* active decode targets the receiver knows of */
	uint8_t dt;               /* its decode target, DP_SELECT_DD_NONE = none yet */
	uint8_t started;
	uint8_t explicit_mask;    /* it needs its own bitmask in every packet */
	/* The decode target dp_select_dd_target last gave for these
	 * (structure, active decode targets, targets): most frames only
	 * confirm it, and need no new ranking. */
	uint8_t best;
	uint8_t best_ts, best_tt;
	uint8_t pad[2];
	uint32_t best_gen, best_active;
};

/*
 * The outcome: a reason in the low bits (FORWARD = 0), flags above them.
 */
enum dp_select_dd {
	DP_SELECT_DD_FORWARD = 0,
	/* Not part of the receiver's decode target (DTI NOT_PRESENT). */
	DP_SELECT_DD_NOT_PRESENT = 1,
	/* Part of it, but it references a frame the receiver did not get. */
	DP_SELECT_DD_NOT_DECODABLE = 2,
	/* The receiver has no decode target yet: it waits for a keyframe (the
	 * packet with the stream's structure) or a switch point. */
	DP_SELECT_DD_WAITING = 3,
	/* Older than the receiver's start or its window of decisions. */
	DP_SELECT_DD_TOO_OLD = 4,
	DP_SELECT_DD_REASON_MASK = 0x0f,

	/* Flag: the receiver's decode target changed at this frame (rx->dt),
	 * or it (re)started on a new structure.  With FORWARD; or with
	 * NOT_PRESENT or NOT_DECODABLE when it went down at a frame that does
	 * not go to it. */
	DP_SELECT_DD_SWITCHED = 0x10,
	/* Flag: the receiver cannot get its target without a keyframe (it has
	 * no structure yet, the chain protecting its decode target broke, or
	 * a switch point to its target came that it lacks the history for);
	 * the caller should ask the publisher for one, rate-limited. */
	DP_SELECT_DD_KEYFRAME_NEEDED = 0x20,
	/* Flag, with FORWARD: the receiver must get the descriptor rewritten
	 * with active_decode_targets_bitmask = rx->rx_mask
	 * (dp_av1_dd_rewrite); without it the descriptor goes unchanged.  Set
	 * when the packet as it is would leave the receiver believing another
	 * set than the one it can decode, and from then on on every packet
	 * until one signals the receiver's set by itself.  Never set for a
	 * receiver that gets every decode target the publisher has active and
	 * has always got them. */
	DP_SELECT_DD_REWRITE = 0x40,
	/* Flag, with FORWARD: the packet ends the receiver's temporal unit
	 * (the last packet of the highest spatial layer it gets, when it does
	 * not get them all): set the RTP marker bit. */
	DP_SELECT_DD_MARKER = 0x80,
};

static inline enum dp_select_dd dp_select_dd_reason(enum dp_select_dd s)
{
	return (enum dp_select_dd)(s & DP_SELECT_DD_REASON_MASK);
}

/* Forgets everything: the receiver starts again at the next keyframe. */
void dp_select_dd_reset(struct dp_select_dd_state *rx);

/*
 * The decode target for target layers (spatial, temporal) among the active
 * ones of structure s (A.7: "Every Decode target is associated with a
 * spatial and temporal layer, which the SFM may use to select which Decode
 * target to forward"): the highest whose layers (DecodeTargetSpatialId,
 * DecodeTargetTemporalId) fit within the targets -- highest spatial layer,
 * then highest temporal layer, then lowest index -- or, when none fits,
 * the lowest.  DP_SELECT_DD_NONE when no decode target is active.
 */
uint8_t dp_select_dd_target(const struct dp_av1_dd_structure *s, uint32_t active,
			    uint8_t target_spatial, uint8_t target_temporal);

/*
 * Decides for one packet whose descriptor dp_av1_dd_parse described in *f
 * whether the receiver gets it, and updates *rx.
 *
 * Rules (appendix A and common SFU practice; select_dd.c says why):
 *  - A receiver starts at a packet that carries the stream's structure (a
 *    keyframe's first packet), and starts again at the next one when the
 *    structure changes: without it it cannot read the descriptors.
 *  - A frame is forwarded iff its DTI for the receiver's decode target is
 *    not NOT_PRESENT and every frame it references (frame_number - fdiff)
 *    was forwarded to the receiver.  So no receiver ever gets a frame that
 *    depends on one it did not get.
 *  - The decode target changes only at the first packet seen of a new
 *    frame (a later frame number than any decided), towards
 *    dp_select_dd_target: to a decode target contained in the current one
 *    (down) at once, when the chain protecting it is intact; to any other
 *    (up, or sideways) only at a decodable frame whose DTI for it is
 *    SWITCH.  A switch point the receiver cannot decode asks for a keyframe.
 *  - A chain protecting the receiver's decode target that is broken (its
 *    previous frame is known not to have reached the receiver: refused, or
 *    not seen while DP_SELECT_DD_REORDER later frames were) asks for a
 *    keyframe, and moves the receiver to a decode target it can still
 *    decode, if any.
 *  - Every packet of a frame gets the frame's decision; a packet of a frame
 *    not seen before but older than the newest is judged without switching.
 */
enum dp_select_dd dp_select_dd_packet(struct dp_select_dd_state *rx, const struct dp_av1_dd_frame *f,
				      uint8_t target_spatial, uint8_t target_temporal);

#endif /* STRATA_DP_SELECT_DD_H */
