/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the VP8 payload descriptor (dataplane/codec/vp8.c) and
 * the layer selection (dataplane/select.c) on hostile packets.
 *
 * The input is used twice:
 *
 *  1. Whole, as one RTP payload, copied into a heap buffer of exactly its
 *     length (ASan sees any read past it).  When dp_vp8_parse accepts it,
 *     the fields must be consistent with the length and with each other
 *     (desc_len within the payload and at most 6, VP8 data after it, the
 *     3-octet payload header at a frame start, keyframe only at a frame
 *     start, TL0PICIDX only with T, PictureID within its 7 or 15 bits); and
 *     dp_vp8_rewrite of a copy of the descriptor, to numbers taken from the
 *     input, changes only the PictureID and TL0PICIDX octets, keeps the
 *     length, and parses back to the same fields with the new numbers.
 *
 *  2. As a sequence of packets for one receiver, each record
 *         [control] [length] [length bytes of payload]
 *     control bits 0-1: the packet's simulcast encoding, 2-3: the target
 *     encoding, 4-5: the target temporal layer.  Every packet that parses
 *     goes through dp_select_packet, which must return a known reason, set
 *     SWITCHED only with FORWARD, KEYFRAME_NEEDED only on a drop of the
 *     target's packets, keep waiting_keyframe equal to cur_spatial !=
 *     target, forward only the current encoding, and change encodings only
 *     at a keyframe's first packet.
 *
 * Any broken promise abort()s.
 *
 * Seeds (corpus/vp8/): capture-*.bin are payloads of tests/data/vp8/l1t3.rtp
 * cut 10 octets after the descriptor (a keyframe, layer 2 and 1 sync
 * frames, a layer 2 frame without Y, a continuation packet cut at 4);
 * hand-*.bin are descriptors from test_dp_vp8.c's known answers;
 * seq-temporal-switch.bin is the capture's first 60 packets (each cut 3
 * octets after its descriptor) with the target layer 2, then 0, then 2;
 * seq-simulcast-switch.bin its packets 0-19 and 110-134, each as encoding 0
 * and as encoding 1, the target moving from 0 to 1 before the keyframe at
 * packet 117.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_invariant.h"
#include "select.h"
#include "vp8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_fields(const struct dp_frame_info *a, const struct dp_frame_info *b)
{
	return a->keyframe == b->keyframe && a->frame_start == b->frame_start &&
	       a->temporal == b->temporal && a->sync == b->sync &&
	       a->has_layers == b->has_layers && a->desc_len == b->desc_len &&
	       a->has_picture_id == b->has_picture_id && a->has_tl0 == b->has_tl0 &&
	       a->picture_id_bits == b->picture_id_bits;
}

static void check_parse(const uint8_t *data, size_t size)
{
	uint32_t len = size > 4096 ? 4096 : (uint32_t)size;
	uint8_t *p = malloc(len ? len : 1);
	struct dp_frame_info fi;

	memcpy(p, data, len);
	if (dp_vp8_parse(p, len, &fi) != 0) {
		free(p);
		return;
	}
	INVARIANT(fi.desc_len >= 1 && fi.desc_len <= DP_VP8_MAX_DESC_LEN);
	INVARIANT(fi.desc_len < len);
	INVARIANT(!fi.frame_start || len - fi.desc_len >= 3);
	INVARIANT(!fi.keyframe || fi.frame_start);
	INVARIANT(fi.temporal <= 3 && fi.sync <= 1);
	INVARIANT(fi.has_layers || (fi.temporal == 0 && fi.sync == 0));
	INVARIANT(!fi.has_tl0 || fi.has_layers);
	INVARIANT(fi.has_picture_id ? (fi.picture_id_bits == 7 || fi.picture_id_bits == 15) :
				      (fi.picture_id_bits == 0 && fi.picture_id == 0));
	INVARIANT(fi.picture_id < (1u << (fi.picture_id_bits ? fi.picture_id_bits : 1)));
	INVARIANT(fi.desc_len == 1 + !!(p[0] & 0x80) + (fi.has_picture_id ?
		  fi.picture_id_bits / 8 + 1 : 0) + fi.has_tl0 +
		  (fi.desc_len > 1 && (p[1] & 0x30) ? 1 : 0));

	/* Rewrite the descriptor, in its own buffer of exactly desc_len. */
	uint16_t new_pid = len >= 2 ? (uint16_t)(p[len - 1] << 8 | p[len - 2]) : 0;
	uint8_t new_tl0 = (uint8_t)(p[len - 1] ^ 0x5a);
	uint8_t *desc = malloc(fi.desc_len);
	memcpy(desc, p, fi.desc_len);
	dp_vp8_rewrite(desc, &fi, new_pid, new_tl0);

	uint32_t pid_len = fi.has_picture_id ? fi.picture_id_bits / 8 + 1u : 0;
	for (uint32_t b = 0; b < fi.desc_len; b++) {
		int in_pid = b >= 2 && b < 2 + pid_len;
		int in_tl0 = fi.has_tl0 && b == 2 + pid_len;
		INVARIANT(in_pid || in_tl0 || desc[b] == p[b]);
	}
	memcpy(p, desc, fi.desc_len);
	free(desc);

	struct dp_frame_info after;
	INVARIANT(dp_vp8_parse(p, len, &after) == 0);
	INVARIANT(same_fields(&fi, &after));
	if (fi.has_picture_id)
		INVARIANT(after.picture_id ==
			  (new_pid & (fi.picture_id_bits == 15 ? 0x7fffu : 0x7fu)));
	if (fi.has_tl0)
		INVARIANT(after.tl0picidx == new_tl0);
	free(p);
}

static void check_select(const uint8_t *data, size_t size)
{
	static struct dp_stream streams[4];
	static struct dp_sub sub;

	memset(&sub, 0, sizeof(sub));
	sub.cur_spatial = DP_NONE;
	for (unsigned e = 0; e < 4; e++)
		streams[e].encoding = (uint8_t)e;

	size_t at = 0;
	while (at + 2 <= size) {
		uint8_t ctl = data[at], n = data[at + 1];
		at += 2;
		if (n > size - at)
			n = (uint8_t)(size - at);
		uint8_t *p = malloc(n ? n : 1);
		memcpy(p, data + at, n);
		at += n;

		struct dp_frame_info fi;
		int ok = dp_vp8_parse(p, n, &fi) == 0;
		free(p);
		if (!ok)
			continue;

		uint8_t enc = ctl & 3, target_s = (ctl >> 2) & 3, target_t = (ctl >> 4) & 3;
		uint8_t before = sub.cur_spatial;
		enum dp_select s = dp_select_packet(&sub, &sub.frame, &streams[enc], &fi, target_s,
						    target_t);
		enum dp_select why = dp_select_reason(s);
		unsigned flags = (unsigned)s & ~(unsigned)DP_SELECT_REASON_MASK;

		INVARIANT(why <= DP_SELECT_OTHER_ENCODING);
		INVARIANT((flags & ~(unsigned)(DP_SELECT_SWITCHED_ENCODING |
					       DP_SELECT_KEYFRAME_NEEDED)) == 0);
		INVARIANT(!(s & DP_SELECT_SWITCHED_ENCODING) || why == DP_SELECT_FORWARD);
		INVARIANT(!(s & DP_SELECT_KEYFRAME_NEEDED) ||
			  (why != DP_SELECT_FORWARD && enc == target_s));
		INVARIANT(why != DP_SELECT_FORWARD || enc == sub.cur_spatial);
		INVARIANT(why != DP_SELECT_WAITING_KEYFRAME || sub.cur_spatial == DP_NONE);
		if (sub.cur_spatial != before) {
			INVARIANT(fi.frame_start && fi.keyframe && enc == target_s);
			INVARIANT(s == (DP_SELECT_FORWARD | DP_SELECT_SWITCHED_ENCODING));
		}
		INVARIANT(sub.waiting_keyframe == (sub.cur_spatial != target_s));
		INVARIANT(sub.cur_spatial == DP_NONE || sub.cur_temporal <= 3);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_parse(data, size);
	check_select(data, size);
	return 0;
}
