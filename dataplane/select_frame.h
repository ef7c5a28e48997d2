/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef STRATA_DP_SELECT_FRAME_H
#define STRATA_DP_SELECT_FRAME_H

#include <stdint.h>

/*
 * What a codec parser found about a packet's spatial layer, next to struct
 * dp_frame_info (tables.h) for the codecs with spatial layers in one
 * stream: VP9 (codec/vp9.c, RFC 9628).  Zeroed (kind DP_SVC_NONE) for the
 * others, whose packets select.c judges by the VP8 rules.
 */
enum dp_svc_kind {
	DP_SVC_NONE = 0,
	DP_SVC_VP9 = 1, /* RFC 9628 semantics for the fields below and for sync (U) */
};

struct dp_frame_svc {
	uint8_t kind;          /* enum dp_svc_kind */
	uint8_t spatial;       /* SID: the layer frame's spatial layer (0 without L) */
	uint8_t inter_picture; /* P: it uses inter-picture prediction */
	uint8_t inter_layer;   /* D: it depends on layer spatial - 1 of its picture */
	uint8_t frame_end;     /* E: the last packet of the layer frame */
	uint8_t not_ref_upper; /* Z: higher layers do not depend on it */
	uint8_t ss_layers;     /* the packet carries a scalability structure of this
				* many spatial layers (N_S + 1); 0 = none */
	uint8_t flexible;      /* F (with I): flexible mode */
};

/*
 * One picture's decisions for a receiver of a stream with spatial layers:
 * which of its layer frames were judged and which forwarded (bit SID), and
 * the receiver's layers while it lasts.
 */
struct dp_select_picture {
	uint16_t picture_id;
	uint8_t valid;
	uint8_t seen;     /* layer frames decided, bit SID */
	uint8_t forward;  /* ... and forwarded */
	uint8_t layer;    /* the highest spatial layer the receiver gets in it */
	uint8_t temporal; /* the highest temporal layer, when it started */
	uint8_t key;      /* a key picture: seen from its first packet */
};

#define DP_SELECT_PICTURES 4

/*
 * A receiver's selection state for the stream it gets, zeroed with it (it
 * lives in struct dp_sub's [owner] part: sub->frame).
 *
 * VP8-style streams (one layer per frame): the decisions made for the
 * last two frames, so that every packet of a frame gets the same one
 * whatever order its packets arrive in.  A frame is known by its
 * PictureID when the codec has one, else by its first packet.
 *
 * Streams with spatial layers (VP9): the decisions of the last
 * DP_SELECT_PICTURES pictures, per layer frame, and the receiver's spatial
 * layer within the stream (sub->cur_spatial stays the simulcast encoding).
 */
struct dp_select_frame {
	uint16_t picture_id;      /* the newest frame's, when picture_id_bits */
	uint16_t prev_picture_id; /* the one before it */
	uint8_t picture_id_bits;  /* 7 or 15; 0 = frames without PictureID */
	uint8_t valid;            /* a frame has been decided */
	uint8_t forward;          /* ... and its packets are forwarded */
	uint8_t prev_valid;
	uint8_t prev_forward;

	/* Spatial streams.  Valid while sub->cur_spatial != DP_NONE. */
	uint8_t layer;        /* the highest spatial layer forwarded now */
	uint8_t n_layers;     /* layers the stream has (its SS, or the highest
			       * SID seen + 1) */
	uint8_t base_layer;   /* the lowest: the SID the last key picture began with */
	uint8_t newest;       /* pictures[newest] is the newest picture */
	uint8_t last_spatial; /* the SID of the last layer frame begun */
	uint8_t pid_bits;     /* the pictures' PictureID width (7, 15), 0 = none */
	uint8_t pad;
	struct dp_select_picture pictures[DP_SELECT_PICTURES];
};

#endif /* STRATA_DP_SELECT_FRAME_H */
