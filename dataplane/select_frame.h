/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef STRATA_DP_SELECT_FRAME_H
#define STRATA_DP_SELECT_FRAME_H

#include <stdint.h>

/*
 * The decisions made for the receiver's last two frames, so that every
 * packet of a frame gets the same one whatever order its packets arrive
 * in.  A frame is known by its PictureID when the codec has one, else by
 * its first packet.  It lives in struct dp_sub's [owner] part (sub->frame).
 */
struct dp_select_frame {
	uint16_t picture_id;      /* the newest frame's, when picture_id_bits */
	uint16_t prev_picture_id; /* the one before it */
	uint8_t picture_id_bits;  /* 7 or 15; 0 = frames without PictureID */
	uint8_t valid;            /* a frame has been decided */
	uint8_t forward;          /* ... and its packets are forwarded */
	uint8_t prev_valid;
	uint8_t prev_forward;
	uint8_t pad[3];
};

#endif /* STRATA_DP_SELECT_FRAME_H */
