/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the VP9 payload descriptor and scalability structure
 * (dataplane/codec/vp9.c) and the spatial/temporal layer selection
 * (dataplane/select.c) on hostile packets.
 *
 * The input is used twice:
 *
 *  1. Whole, as one RTP payload, copied into a heap buffer of exactly its
 *     length (ASan sees any read past it).  dp_vp9_parse_desc (with and
 *     without the SS out-parameter) and dp_vp9_parse must agree on
 *     accepting it; when they do, the fields must be consistent with the
 *     length and with each other (the descriptor's length is the sum of
 *     its parts and leaves VP9 data after it; TL0PICIDX exactly in
 *     non-flexible mode with L; F only with I; one to three P_DIFFs of
 *     1..127 exactly with P in flexible mode; D never on SID 0; the SID
 *     within the packet's own SS; a picture group beginning at TID 0 with
 *     no P_DIFF of 0; a keyframe only at B with P = 0 and D = 0), the frame
 *     info must say the same, desc_len must cover at most the PictureID,
 *     layer indices and TL0PICIDX; and dp_vp9_rewrite of a copy of the
 *     first desc_len octets, to numbers taken from the input, changes only
 *     the PictureID and TL0PICIDX octets and parses back to the same fields
 *     with the new numbers.
 *
 *  2. As a sequence of packets for one receiver, each record
 *         [control] [length] [length bytes of payload]
 *     control bit 0: the packet's simulcast encoding, bit 1: the target
 *     encoding, bits 2-4: the target spatial layer, bits 5-6: the target
 *     temporal layer, bit 7: the input's RTP marker.  Every packet that
 *     parses goes through dp_select_layers, which must return a known
 *     reason, set SWITCHED only with FORWARD and KEYFRAME_NEEDED only on a
 *     drop, forward only the current encoding, change encodings only at a
 *     key picture's first packet of the target, raise the spatial layer
 *     only at a key picture or by forwarding a frame of P = 0 of the new
 *     layer, raise the temporal layer only at a key picture or a U picture
 *     of a TID it had, give a packet with a PictureID the same reason when
 *     it comes again at once, and keep the input's marker bit.
 *
 * Any broken promise abort()s.
 *
 * Seeds (corpus/vp9/): capture-*.bin are payloads of
 * tests/data/vp9/l3t3.rtp (Chromium, flexible mode, full SVC) cut 10
 * octets after the descriptor: the key picture's first packet with its SS,
 * its SID 1 frame (P = 0, D = 1), a TID 2 frame's first packet and a
 * continuation packet; seq-capture.bin is the capture's first 80 packets
 * with VP9 data, each cut 3 octets after its descriptor, the targets
 * moving from S2T2 to S0T0 and back.  The others were written by hand with
 * the octets of tests/vp9_desc_build.h's layout: hand-*.bin are
 * descriptors from test_dp_vp9.c's known answers (libwebrtc's L3T3 key
 * picture in non-flexible mode with its SS and picture group, a k-SVC
 * delta frame, a flexible-mode frame with three P_DIFFs, a key picture
 * beginning at SID 1, F without I, an SS of 8 layers with a picture
 * group); seq-l3t3-full-svc.bin, seq-ksvc-refresh.bin, seq-flexible.bin
 * and seq-simulcast.bin are sequences: L3T3 in non-flexible mode, full
 * SVC, 12 pictures with the targets moving from S2T2 to S0T0 and back;
 * k-SVC with a layer refresh and a second key picture; flexible mode with
 * P_DIFFs; two simulcast encodings with a switch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_invariant.h"
#include "select.h"
#include "vp9.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dp_vp9_ss ss;

static void check_desc(const uint8_t *p, uint32_t len, const struct dp_vp9_desc *d)
{
	uint32_t pid_len = d->i ? d->picture_id_bits / 8u + 1 : 0;

	INVARIANT(d->len >= 1 && d->len < len);
	INVARIANT(d->len == 1 + pid_len + (d->l ? 1u + d->has_tl0 : 0u) + d->n_ref + d->ss_len);
	INVARIANT(d->i == !!(p[0] & 0x80) && d->p == !!(p[0] & 0x40) && d->l == !!(p[0] & 0x20));
	INVARIANT(d->f == (d->i && (p[0] & 0x10)));
	INVARIANT(d->b == !!(p[0] & 0x08) && d->e == !!(p[0] & 0x04) &&
		  d->v == !!(p[0] & 0x02) && d->z == (p[0] & 0x01));
	INVARIANT(d->i ? (d->picture_id_bits == 7 || d->picture_id_bits == 15) :
			 (d->picture_id_bits == 0 && d->picture_id == 0));
	INVARIANT(d->picture_id < (1u << (d->picture_id_bits ? d->picture_id_bits : 1)));
	INVARIANT(d->has_tl0 == (d->l && !d->f));
	INVARIANT(d->l || (d->tid == 0 && d->u == 0 && d->sid == 0 && d->d == 0));
	INVARIANT(d->tid <= 7 && d->sid <= 7 && d->u <= 1 && d->d <= 1);
	INVARIANT(!d->d || d->sid > 0);
	INVARIANT((d->n_ref > 0) == (d->p && d->f) && d->n_ref <= DP_VP9_MAX_REFS);
	for (unsigned k = 0; k < d->n_ref; k++)
		INVARIANT(d->p_diff[k] >= 1 && d->p_diff[k] <= 127);
	INVARIANT(d->v ? (d->ss_layers >= 1 && d->ss_layers <= DP_VP9_MAX_LAYERS && d->ss_len >= 1) :
			 (d->ss_layers == 0 && d->ss_len == 0));
	INVARIANT(!d->v || !d->l || d->sid < d->ss_layers);
	INVARIANT(!d->keyframe || (d->b && !d->p && !d->d));
	INVARIANT(!d->v || ss.n_layers == d->ss_layers);
}

static void check_ss(const struct dp_vp9_desc *d)
{
	if (!d->v)
		return;
	INVARIANT(ss.has_pg || ss.n_pg == 0);
	INVARIANT(ss.n_pg == 0 || ss.pg[0].tid == 0);
	for (unsigned k = 0; k < ss.n_pg; k++) {
		INVARIANT(ss.pg[k].n_ref <= 3 && ss.pg[k].tid <= 7 && ss.pg[k].u <= 1);
		for (unsigned j = 0; j < ss.pg[k].n_ref; j++)
			INVARIANT(ss.pg[k].p_diff[j] != 0);
	}
}

static void check_parse(const uint8_t *data, size_t size)
{
	uint32_t len = size > 4096 ? 4096 : (uint32_t)size;
	uint8_t *p = malloc(len ? len : 1);
	struct dp_vp9_desc d, d2;
	struct dp_frame_info fi;
	struct dp_frame_svc svc;

	memcpy(p, data, len);
	int r1 = dp_vp9_parse_desc(p, len, &d, &ss);
	int r2 = dp_vp9_parse_desc(p, len, &d2, NULL);
	int r3 = dp_vp9_parse(p, len, &fi, &svc);
	INVARIANT(r1 == r2 && r2 == r3);
	if (r1 != 0) {
		free(p);
		return;
	}
	INVARIANT(!memcmp(&d, &d2, sizeof(d)));
	/* The SS's own length, which the descriptor's must include. */
	uint32_t ss_len = 1 + (ss.has_resolution ? 4u * ss.n_layers : 0) + (ss.has_pg ? 1u : 0);
	for (unsigned k = 0; d.v && k < ss.n_pg; k++)
		ss_len += 1 + ss.pg[k].n_ref;
	INVARIANT(!d.v || d.ss_len == ss_len);
	check_ss(&d);
	check_desc(p, len, &d);

	INVARIANT(fi.keyframe == d.keyframe && fi.frame_start == d.b && fi.temporal == d.tid &&
		  fi.sync == d.u && fi.has_layers == d.l && fi.has_picture_id == d.i &&
		  fi.picture_id == d.picture_id && fi.picture_id_bits == d.picture_id_bits &&
		  fi.has_tl0 == d.has_tl0 && fi.tl0picidx == d.tl0picidx);
	INVARIANT(svc.kind == DP_SVC_VP9 && svc.spatial == d.sid && svc.inter_picture == d.p &&
		  svc.inter_layer == d.d && svc.frame_end == d.e && svc.not_ref_upper == d.z &&
		  svc.ss_layers == d.ss_layers && svc.flexible == d.f);
	uint32_t pid_len = d.i ? d.picture_id_bits / 8u + 1 : 0;
	INVARIANT(fi.desc_len == 1 + pid_len + (d.has_tl0 ? 2u : 0));
	INVARIANT(fi.desc_len <= DP_VP9_MAX_REWRITE_LEN && fi.desc_len <= d.len);

	/* Rewrite the first desc_len octets, in their own buffer. */
	uint16_t new_pid = len >= 2 ? (uint16_t)(p[len - 1] << 8 | p[len - 2]) : 0;
	uint8_t new_tl0 = (uint8_t)(p[len - 1] ^ 0x5a);
	uint8_t *desc = malloc(fi.desc_len);
	memcpy(desc, p, fi.desc_len);
	dp_vp9_rewrite(desc, &fi, new_pid, new_tl0);
	for (uint32_t b = 0; b < fi.desc_len; b++) {
		int in_pid = b >= 1 && b < 1 + pid_len;
		int in_tl0 = fi.has_tl0 && b == 2 + pid_len;
		INVARIANT(in_pid || in_tl0 || desc[b] == p[b]);
	}
	memcpy(p, desc, fi.desc_len);
	free(desc);

	struct dp_vp9_desc after;
	INVARIANT(dp_vp9_parse_desc(p, len, &after, NULL) == 0);
	struct dp_vp9_desc want = d;
	if (d.i)
		want.picture_id = (uint16_t)(new_pid & (d.picture_id_bits == 15 ? 0x7fffu : 0x7fu));
	if (d.has_tl0)
		want.tl0picidx = new_tl0;
	INVARIANT(!memcmp(&after, &want, sizeof(after)));
	free(p);
}

static void check_select(const uint8_t *data, size_t size)
{
	static struct dp_stream streams[2];
	static struct dp_sub sub;

	memset(&sub, 0, sizeof(sub));
	sub.cur_spatial = DP_NONE;
	sub.cur_temporal = DP_NONE;
	for (unsigned e = 0; e < 2; e++)
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
		struct dp_frame_svc svc;
		int ok = dp_vp9_parse(p, n, &fi, &svc) == 0;
		free(p);
		if (!ok)
			continue;

		uint8_t enc = ctl & 1;
		struct dp_select_target t = { .encoding = (ctl >> 1) & 1,
					      .spatial = (ctl >> 2) & 7,
					      .temporal = (ctl >> 5) & 3 };
		bool marker_in = ctl >> 7;
		uint8_t before = sub.cur_spatial, layer_before = sub.frame.layer;
		uint8_t temporal_before = sub.cur_temporal;
		enum dp_select s = dp_select_layers(&sub, &sub.frame, &streams[enc], &fi, &svc, &t);
		enum dp_select why = dp_select_reason(s);
		unsigned flags = (unsigned)s & ~(unsigned)DP_SELECT_REASON_MASK;

		INVARIANT(why <= DP_SELECT_OTHER_ENCODING);
		INVARIANT((flags & ~(unsigned)(DP_SELECT_SWITCHED_ENCODING |
					       DP_SELECT_KEYFRAME_NEEDED)) == 0);
		INVARIANT(!(s & DP_SELECT_SWITCHED_ENCODING) || why == DP_SELECT_FORWARD);
		INVARIANT(!(s & DP_SELECT_KEYFRAME_NEEDED) || why != DP_SELECT_FORWARD);
		INVARIANT(why != DP_SELECT_FORWARD || enc == sub.cur_spatial);
		INVARIANT(why != DP_SELECT_WAITING_KEYFRAME || sub.cur_spatial == DP_NONE);
		INVARIANT(sub.cur_spatial == t.encoding || sub.waiting_keyframe);
		if (sub.cur_spatial != before) {
			INVARIANT(fi.keyframe && enc == t.encoding);
			INVARIANT(s == (DP_SELECT_FORWARD | DP_SELECT_SWITCHED_ENCODING));
			continue;
		}
		if (sub.cur_spatial == DP_NONE)
			continue;
		INVARIANT(sub.frame.layer <= 7 && sub.cur_temporal <= 7);
		INVARIANT(sub.frame.n_layers >= 1 && sub.frame.n_layers <= 8);
		if (sub.frame.layer > layer_before)
			INVARIANT(fi.keyframe || (why == DP_SELECT_FORWARD && !svc.inter_picture &&
						  svc.spatial == sub.frame.layer));
		if (sub.cur_temporal > temporal_before)
			INVARIANT(fi.keyframe || (fi.sync && fi.temporal <= temporal_before));
		if (why == DP_SELECT_FORWARD) {
			bool m = dp_select_marker(&sub.frame, &fi, &svc, marker_in);
			INVARIANT(m || !marker_in);
		}
		/* The same packet again at once: the same reason. */
		if (fi.has_picture_id && fi.has_layers) {
			enum dp_select again = dp_select_layers(&sub, &sub.frame, &streams[enc], &fi,
								&svc, &t);
			INVARIANT(dp_select_reason(again) == why);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_parse(data, size);
	check_select(data, size);
	return 0;
}
