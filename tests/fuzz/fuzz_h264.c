/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: H.264 payloads and SVC layer ids (dataplane/codec/h264.c)
 * on hostile packets.
 *
 * The input is used twice:
 *
 *  1. Whole, as one RTP payload, copied into a heap buffer of exactly its
 *     length (ASan sees any read past it).  When dp_h264_parse accepts it,
 *     the summary must be consistent with the length and with itself: a
 *     known packet kind, 1 to len NAL units, no packet-structure type among
 *     the NAL unit types, S and E only on an FU-A and never both, an IDR
 *     or picture start only with a slice type, the layer mask, maxima,
 *     QID mask and uniform flag agreeing with one another, IDR DIDs within
 *     the mask (or the AVC base), pending bits only where the types allow
 *     them.  dp_h264_filter must forward everything at DP_H264_ALL_LAYERS,
 *     be monotonic in both limits, and call MIXED only what has NAL units
 *     on both sides; dp_h264_frame_info must agree with the summary.
 *
 *  2. As a sequence of packets of one stream, each record
 *         [control] [length, 16 bits] [length bytes of payload]
 *     control bits 0-1 move the RTP timestamp: 0 the same, 1 the next
 *     access unit (+3000), 2 back (-3000, a late packet), 3 a jump by the
 *     control octet's top bits; every packet that parses goes through
 *     dp_h264_track, after which: au_start and late never together; a
 *     late packet never changes the tracker's state; unknown ids only on a
 *     packet with pending bits; the same promises as in 1 hold.
 *
 * Any broken promise abort()s.
 *
 * Seeds (corpus/h264/): capture-*.bin are payloads of the committed
 * captures in tests/data/h264/ (FU-As cut 32 octets into the fragment, so
 * still valid): avc.rtp's first packet (a STAP-A of SPS, PPS, x264's SEI,
 * SPS, PPS and an IDR slice), a later IDR STAP-A (SPS and PPS around the
 * slice, as rtph264pay inserts them), an FU-A start and end; l1t3.rtp's
 * first STAP-A (a prefix NAL unit between parameter sets), a lone prefix
 * NAL unit, a prefix + slice STAP-A; l2t3.rtp's IDR STAP-A (SPS, subset
 * SPS, PPSs, prefix, IDR slice), a STAP-A mixing DID 0 and DID 1, a type
 * 20 FU-A start.  hand-*.bin are rows of test_dp_h264.c (PACSI with every
 * option, an SVC extension with every field, a STAP-A with a cut size, an
 * FU-A with S and E, STAP-B, type 31).  seq-l1t3.bin and seq-l2t3.bin are
 * each layered capture from its first packet, as records, as many as fit
 * in 2000 octets (FU-As cut 16 octets into the fragment, STAP-As over 300
 * octets left out), the control 1 where the capture's timestamp moves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_invariant.h"
#include "h264.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T(t) (1u << (t))

static int single_bit(uint64_t v)
{
	return v && !(v & (v - 1));
}

static void check_info(const struct dp_h264_info *in, uint32_t len)
{
	INVARIANT(in->packet >= DP_H264_PACKET_SINGLE && in->packet <= DP_H264_PACKET_FU_A);
	INVARIANT(in->nal_count >= 1 && in->nal_count <= len);
	INVARIANT(in->types && !(in->types & (T(0) | T(24) | T(25) | T(26) | T(27) | T(28) |
					      T(29) | T(31))));
	INVARIANT(in->nri <= 3);
	INVARIANT(!(in->fu_start && in->fu_end));
	INVARIANT(in->packet == DP_H264_PACKET_FU_A || (!in->fu_start && !in->fu_end));
	if (in->packet == DP_H264_PACKET_FU_A)
		INVARIANT(in->nal_count == 1 && in->types == T(in->nal_type));
	if (in->packet == DP_H264_PACKET_SINGLE)
		INVARIANT(in->nal_count == 1 && in->types == T(in->nal_type) && in->nal_type <= 23);
	INVARIANT(!in->idr || (in->types & T(5)));
	INVARIANT(!in->sps || (in->types & T(7)));
	INVARIANT(!in->pps || (in->types & T(8)));
	INVARIANT(!in->picture_start || (in->types & (T(1) | T(5))));
	INVARIANT(!in->has_pacsi || (in->types & T(30)));

	/* Layers: the mask, maxima and flags tell one story. */
	INVARIANT(in->has_layers == (in->layer_mask != 0));
	INVARIANT(in->has_layers == (in->qid_mask != 0));
	if (in->has_layers) {
		unsigned top = 63 - (unsigned)__builtin_clzll(in->layer_mask), did = 0, tid = 0;
		for (unsigned b = 0; b < 64; b++)
			if (in->layer_mask >> b & 1) {
				did = b / 8 > did ? b / 8 : did;
				tid = b % 8 > tid ? b % 8 : tid;
			}
		INVARIANT(in->max_did == did && in->max_tid == tid && top / 8 == did);
		INVARIANT(in->max_qid == 15u - (unsigned)__builtin_clz((unsigned)in->qid_mask << 16));
		INVARIANT(in->uniform == (single_bit(in->layer_mask) && single_bit(in->qid_mask)));
		INVARIANT(in->types & (T(1) | T(5) | T(12) | T(14) | T(20)));
	} else {
		INVARIANT(!in->max_did && !in->max_qid && !in->max_tid && !in->uniform);
	}
	for (unsigned d = 0; d < 8; d++) {
		uint64_t row = 0xffull << (d * 8);
		INVARIANT(!(in->idr_dids >> d & 1) || (in->layer_mask & row) ||
			  (d == 0 && (in->types & T(5))));
	}
	INVARIANT(!(in->pending & ~(DP_H264_PENDING_PREFIX | DP_H264_PENDING_FRAGMENT)));
	INVARIANT(!(in->pending & DP_H264_PENDING_FRAGMENT) ||
		  (in->packet == DP_H264_PACKET_FU_A && !in->fu_start));
	INVARIANT(!(in->pending & DP_H264_PENDING_PREFIX) || (in->types & (T(1) | T(5) | T(12))));
	INVARIANT(!in->prefix_out || (in->types & T(14)));

	/* The receiver's rule. */
	enum dp_h264_verdict all = dp_h264_filter(in, DP_H264_ALL_LAYERS, DP_H264_ALL_LAYERS);
	INVARIANT(all == DP_H264_FORWARD);
	for (uint8_t d = 0; d < 8; d++)
		for (uint8_t t = 0; t < 8; t++) {
			enum dp_h264_verdict v = dp_h264_filter(in, d, t);
			INVARIANT(v < DP_H264_VERDICT_COUNT);
			INVARIANT(v != DP_H264_LAYERS_UNKNOWN || in->layers_unknown);
			INVARIANT(v != DP_H264_MIXED_LAYERS || !in->uniform);
			if (v == DP_H264_FORWARD) {
				if (d < 7)
					INVARIANT(dp_h264_filter(in, (uint8_t)(d + 1), t) ==
						  DP_H264_FORWARD);
				if (t < 7)
					INVARIANT(dp_h264_filter(in, d, (uint8_t)(t + 1)) ==
						  DP_H264_FORWARD);
			}
			if (!in->has_layers && !in->layers_unknown)
				INVARIANT(v == DP_H264_FORWARD);
		}

	struct dp_frame_info fi;
	dp_h264_frame_info(in, &fi);
	INVARIANT(fi.frame_start == in->au_start);
	INVARIANT(fi.keyframe == (in->idr || in->sps || in->pps));
	INVARIANT(fi.has_layers == (in->has_layers || in->layers_unknown));
	INVARIANT(fi.temporal <= 7 && fi.desc_len == 0 && !fi.has_picture_id && !fi.has_tl0);
	INVARIANT(!fi.sync || (fi.has_layers && fi.temporal > 0));
}

static void check_one(const uint8_t *data, size_t size)
{
	uint32_t len = size > 4096 ? 4096 : (uint32_t)size;
	uint8_t *p = malloc(len ? len : 1);
	struct dp_h264_info in;

	memcpy(p, data, len);
	enum dp_h264_status st = dp_h264_parse(p, len, &in);
	free(p);
	INVARIANT(st < DP_H264_STATUS_COUNT);
	INVARIANT(dp_h264_status_str(st)[0] != '?');
	if (st != DP_H264_OK)
		return;
	INVARIANT(!in.au_start && !in.late && !in.layers_unknown);
	check_info(&in, len);
}

static void check_sequence(const uint8_t *data, size_t size)
{
	struct dp_h264_track t = { 0 };
	uint32_t ts = 1000000;
	size_t at = 0;

	while (at + 3 <= size) {
		uint8_t ctl = data[at];
		size_t n = (size_t)data[at + 1] << 8 | data[at + 2];
		at += 3;
		if (n > size - at)
			n = size - at;
		uint8_t *p = malloc(n ? n : 1);
		memcpy(p, data + at, n);
		at += n;

		switch (ctl & 3) {
		case 1:
			ts += 3000;
			break;
		case 2:
			ts -= 3000;
			break;
		case 3:
			ts += (uint32_t)(ctl >> 2) << 26;
			break;
		default:
			break;
		}
		struct dp_h264_info in;
		enum dp_h264_status st = dp_h264_parse(p, (uint32_t)n, &in);
		free(p);
		if (st != DP_H264_OK)
			continue;

		uint8_t pending = in.pending;
		struct dp_h264_track before = t;
		dp_h264_track(&t, &in, ts);
		INVARIANT(!(in.au_start && in.late));
		INVARIANT(!in.layers_unknown || pending);
		if (in.late)
			INVARIANT(!memcmp(&before, &t, sizeof(t)));
		INVARIANT(t.started && (in.late || t.ts == ts));
		check_info(&in, (uint32_t)n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_one(data, size);
	check_sequence(data, size);
	return 0;
}
