/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VP8 payload descriptor and the first octet of the VP8 payload header.
 *
 * RFC 7741 section 4.2, the payload descriptor:
 *
 *          0 1 2 3 4 5 6 7                      0 1 2 3 4 5 6 7
 *         +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
 *         |X|R|N|S|R| PID | (REQUIRED)        |X|R|N|S|R| PID | (REQUIRED)
 *         +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
 *    X:   |I|L|T|K| RSV   | (OPTIONAL)   X:   |I|L|T|K| RSV   | (OPTIONAL)
 *         +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
 *    I:   |M| PictureID   | (OPTIONAL)   I:   |M| PictureID   | (OPTIONAL)
 *         +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
 *    L:   |   TL0PICIDX   | (OPTIONAL)        |   PictureID   |
 *         +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
 *    T/K: |TID|Y| KEYIDX  | (OPTIONAL)   L:   |   TL0PICIDX   | (OPTIONAL)
 *         +-+-+-+-+-+-+-+-+                   +-+-+-+-+-+-+-+-+
 *    VP8 payload                         T/K: |TID|Y| KEYIDX  | (OPTIONAL)
 *                                             +-+-+-+-+-+-+-+-+
 *                                             VP8 payload
 *
 *   (left: 7-bit PictureID, M = 0; right: 15-bit PictureID, M = 1)
 *
 * In the RFC's words and ours:
 *
 *   X  the extension octet follows; without it all optional fields are
 *      omitted.  R and RSV are reserved: set to 0 by senders and ignored
 *      by receivers (so we ignore them too).
 *   S  start of a VP8 partition; PID, the partition index, is 0 for the
 *      first partition.  "The S bit MUST be set to 1 for the first packet
 *      of each encoded frame", and only the first packet of a partition
 *      carries S, so S = 1 with PID = 0 marks exactly a frame's first packet.
 *   I  a PictureID is present; its first bit M says whether it has 7 or 15
 *      bits (one or two octets).  A running index of frames.
 *   L  TL0PICIDX is present, the running index of the base-layer (TID 0)
 *      frames; the RFC requires the T bit to be set with it, so a
 *      descriptor with L and no T is refused as inconsistent.
 *   T  TID (temporal layer, 2 bits) and Y (layer sync: the frame depends
 *      only on the base layer) are present.
 *   K  KEYIDX is present.  T and K share one octet: it is there when either
 *      is set; with K alone the TID and Y bits in it are to be ignored.
 *
 * Fields appear in this order, each moving up when an earlier one is absent.
 *
 * RFC 7741 section 4.3, the VP8 payload header, present only in a frame's
 * first packet (S = 1, PID = 0), right after the descriptor:
 *
 *          0 1 2 3 4 5 6 7
 *         +-+-+-+-+-+-+-+-+
 *         |Size0|H| VER |P|
 *         +-+-+-+-+-+-+-+-+
 *         |     Size1     |
 *         +-+-+-+-+-+-+-+-+
 *         |     Size2     |
 *         +-+-+-+-+-+-+-+-+
 *
 *   P  the inverse key frame flag: 0 for a key frame, 1 for an interframe.
 */
#include <stdbool.h>
#include <string.h>

#include "vp8.h"

#define VP8_X 0x80
#define VP8_S 0x10
#define VP8_PID 0x07

#define VP8_I 0x80
#define VP8_L 0x40
#define VP8_T 0x20
#define VP8_K 0x10

#define VP8_M 0x80

#define VP8_PAYLOAD_HEADER_LEN 3
#define VP8_P 0x01

int dp_vp8_parse(const uint8_t *p, uint32_t len, struct dp_frame_info *fi)
{
	uint32_t n = 1;

	memset(fi, 0, sizeof(*fi));
	if (len < 1)
		return -1;

	if (p[0] & VP8_X) {
		if (n >= len)
			return -1;
		uint8_t x = p[n++];

		if ((x & VP8_L) && !(x & VP8_T))
			return -1;
		if (x & VP8_I) {
			if (n >= len)
				return -1;
			if (p[n] & VP8_M) {
				if (n + 1 >= len)
					return -1;
				fi->picture_id = (uint16_t)((p[n] & 0x7f) << 8 | p[n + 1]);
				fi->picture_id_bits = 15;
				n += 2;
			} else {
				fi->picture_id = p[n] & 0x7f;
				fi->picture_id_bits = 7;
				n += 1;
			}
			fi->has_picture_id = 1;
		}
		if (x & VP8_L) {
			if (n >= len)
				return -1;
			fi->has_tl0 = 1;
			fi->tl0picidx = p[n++];
		}
		if (x & (VP8_T | VP8_K)) {
			if (n >= len)
				return -1;
			if (x & VP8_T) {
				fi->has_layers = 1;
				fi->temporal = p[n] >> 6;
				fi->sync = (p[n] >> 5) & 1;
			}
			n++;
		}
	}

	/* A packet carries at least one octet of VP8 data, and a frame's first
	 * packet at least the payload header. */
	if (n >= len)
		return -1;
	fi->desc_len = (uint8_t)n;
	if ((p[0] & VP8_S) && (p[0] & VP8_PID) == 0) {
		if (len - n < VP8_PAYLOAD_HEADER_LEN)
			return -1;
		fi->frame_start = 1;
		fi->keyframe = !(p[n] & VP8_P);
	}
	return 0;
}

void dp_vp8_rewrite(uint8_t *desc, const struct dp_frame_info *fi, uint16_t picture_id,
		    uint8_t tl0picidx)
{
	/* Any optional field means the X octet is there: fields start at 2. */
	uint32_t n = 2;

	if (fi->has_picture_id) {
		if (fi->picture_id_bits == 15) {
			desc[n] = (uint8_t)(VP8_M | ((picture_id >> 8) & 0x7f));
			desc[n + 1] = (uint8_t)picture_id;
			n += 2;
		} else {
			desc[n] = picture_id & 0x7f;
			n += 1;
		}
	}
	if (fi->has_tl0)
		desc[n] = tl0picidx;
}
