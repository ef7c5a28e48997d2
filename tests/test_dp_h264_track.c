/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/codec/h264.c across packets and for receivers: dp_h264_track
 * (access unit starts, ids that come from an earlier packet), the
 * receiver's rule (dp_h264_filter) and the summary for select.h
 * (dp_h264_frame_info).  Numbered tables: packet sequences as they arrive,
 * each packet with what it must become.
 */
#include "h264.h"
#include "test_util.h"

/* What a packet must look like after dp_h264_track. */
struct step {
	const char *hex;
	uint32_t ts;
	uint8_t au_start, late, layers, did, tid, unknown;
};

struct sequence {
	const char *name;
	struct step steps[8];
};

/* Payloads used below. */
#define PREFIX_T0 "0e 80 80 07"
#define PREFIX_T1 "0e 80 80 27"
#define PREFIX_T2 "0e 80 80 4f"
#define STAP_PREFIX_T0_SLICE "18 00 04 0e 80 80 07 00 02 01 e0"
#define STAP_PREFIX_T1_SLICE "18 00 04 0e 80 80 27 00 02 01 e0"
#define FU_SLICE_START "1c 81 e0 00"
#define FU_SLICE_MIDDLE "1c 01 aa"
#define FU_SLICE_END "1c 41 bb"
#define FU_EXT_D1T2_START "7c 94 80 90 47 e0"
#define FU_EXT_MIDDLE "7c 14 aa"
#define FU_EXT_END "7c 54 aa"
#define SLICE "41 e0"

/* au late layers did tid unknown */
static const struct sequence sequences[] = {
	{ "1. l1t3.rtp: a prefix alone, then its slice in FU-As; the next AU",
	  { { PREFIX_T2, 1000, 1, 0, 1, 0, 2, 0 },
	    { FU_SLICE_START, 1000, 0, 0, 1, 0, 2, 0 },
	    { FU_SLICE_MIDDLE, 1000, 0, 0, 1, 0, 2, 0 },
	    { FU_SLICE_END, 1000, 0, 0, 1, 0, 2, 0 },
	    { PREFIX_T1, 4000, 1, 0, 1, 0, 1, 0 },
	    { FU_SLICE_START, 4000, 0, 0, 1, 0, 1, 0 } } },
	{ "2. the prefix packet lost: the slice's ids are unknown, all its fragments'",
	  { { STAP_PREFIX_T0_SLICE, 1000, 1, 0, 1, 0, 0, 0 },
	    { FU_SLICE_START, 4000, 1, 0, 0, 0, 0, 1 },
	    { FU_SLICE_MIDDLE, 4000, 0, 0, 0, 0, 0, 1 },
	    { FU_SLICE_END, 4000, 0, 0, 0, 0, 0, 1 },
	    { STAP_PREFIX_T1_SLICE, 7000, 1, 0, 1, 0, 1, 0 } } },
	{ "3. type 20 fragments take their start fragment's ids, not after the end",
	  { { FU_EXT_D1T2_START, 1000, 1, 0, 1, 1, 2, 0 },
	    { FU_EXT_MIDDLE, 1000, 0, 0, 1, 1, 2, 0 },
	    { FU_EXT_END, 1000, 0, 0, 1, 1, 2, 0 },
	    { FU_EXT_MIDDLE, 1000, 0, 0, 0, 0, 0, 1 } } },
	{ "4. the start fragment lost",
	  { { STAP_PREFIX_T0_SLICE, 1000, 1, 0, 1, 0, 0, 0 },
	    { FU_EXT_MIDDLE, 1000, 0, 0, 0, 0, 0, 1 },
	    { FU_EXT_END, 1000, 0, 0, 0, 0, 0, 1 } } },
	{ "5. plain AVC: nothing is ever unknown",
	  { { "7c 05 aa", 1000, 1, 0, 0, 0, 0, 0 },
	    { SLICE, 1000, 0, 0, 0, 0, 0, 0 },
	    { "7c 85 88", 4000, 1, 0, 0, 0, 0, 0 },
	    { "7c 45 88", 4000, 0, 0, 0, 0, 0, 0 } } },
	{ "6. a new access unit forgets the last one's prefix",
	  { { PREFIX_T2, 1000, 1, 0, 1, 0, 2, 0 },
	    { SLICE, 4000, 1, 0, 0, 0, 0, 1 } } },
	{ "7. a late packet (older timestamp) is never a start and changes nothing",
	  { { PREFIX_T0, 4000, 1, 0, 1, 0, 0, 0 },
	    { SLICE, 1000, 0, 1, 0, 0, 0, 1 },
	    { PREFIX_T2, 1000, 0, 1, 1, 0, 2, 0 },
	    { SLICE, 4000, 0, 0, 1, 0, 0, 0 } } },
	{ "8. timestamps wrap",
	  { { PREFIX_T0, 0xfffffff0u, 1, 0, 1, 0, 0, 0 },
	    { PREFIX_T1, 0x00000010u, 1, 0, 1, 0, 1, 0 },
	    { PREFIX_T2, 0xffffff00u, 0, 1, 1, 0, 2, 0 } } },
	{ "9. a later fragment of another type than the start's",
	  { { PREFIX_T2, 1000, 1, 0, 1, 0, 2, 0 },
	    { "7c 85 88", 1000, 0, 0, 1, 0, 2, 0 },
	    { "7c 01 aa", 1000, 0, 0, 0, 0, 0, 1 } } },
	{ "10. a packet between fragments ends the fragmented NAL unit",
	  { { FU_EXT_D1T2_START, 1000, 1, 0, 1, 1, 2, 0 },
	    { "09 f0", 1000, 0, 0, 0, 0, 0, 0 },
	    { FU_EXT_MIDDLE, 1000, 0, 0, 0, 0, 0, 1 } } },
	{ "11. the prefix scope crosses parameter sets and packets of one AU",
	  { { "18 00 05 6e c0 80 07 20 00 02 67 42 00 02 68 ce", 1000, 1, 0, 1, 0, 0, 0 },
	    { "7c 85 b8 00", 1000, 0, 0, 1, 0, 0, 0 },
	    { "7c 45 aa", 1000, 0, 0, 1, 0, 0, 0 },
	    { "14 c0 90 07 e0", 1000, 0, 0, 1, 1, 0, 0 } } },
};

static int parse_hex(const char *hex, struct dp_h264_info *in)
{
	uint8_t buf[64];
	size_t n = test_hex(hex, buf, sizeof(buf));
	uint8_t *p = malloc(n ? n : 1);

	memcpy(p, buf, n);
	enum dp_h264_status st = dp_h264_parse(p, (uint32_t)n, in);
	free(p);
	return st == DP_H264_OK ? 0 : -1;
}

static void test_sequences(void)
{
	for (unsigned s = 0; s < ARRAY_LEN(sequences); s++) {
		const struct sequence *q = &sequences[s];
		struct dp_h264_track t = { 0 };

		for (unsigned i = 0; i < ARRAY_LEN(q->steps) && q->steps[i].hex; i++) {
			const struct step *w = &q->steps[i];
			struct dp_h264_info in;

			if (parse_hex(w->hex, &in) != 0) {
				CHECK(0, "%s, packet %u: does not parse", q->name, i);
				break;
			}
			dp_h264_track(&t, &in, w->ts);
			CHECK(in.au_start == w->au_start && in.late == w->late &&
			      in.has_layers == w->layers && in.layers_unknown == w->unknown &&
			      (!w->layers || (in.max_did == w->did && in.max_tid == w->tid)),
			      "%s, packet %u: au %u late %u layers %u did %u tid %u unknown %u; "
			      "expected %u %u %u %u %u %u", q->name, i, in.au_start, in.late,
			      in.has_layers, in.max_did, in.max_tid, in.layers_unknown, w->au_start,
			      w->late, w->layers, w->did, w->tid, w->unknown);
		}
	}
}

/* ---- one receiver's rule ------------------------------------------------ */

struct filter_row {
	const char *name;
	const char *setup; /* an earlier packet of the stream (ts 1000), or NULL */
	const char *hex;   /* this packet, ts 4000 */
	uint8_t max_did, max_tid;
	enum dp_h264_verdict verdict;
};

#define MIXED_STAP "18 00 04 0e 80 80 4f 00 02 01 e0 00 05 14 80 90 47 e0"

static const struct filter_row filter_rows[] = {
	{ "AVC slice, strictest limits", NULL, "41 9a", 0, 0, DP_H264_FORWARD },
	{ "SPS and PPS in a STAP-A", NULL, "18 00 02 67 42 00 02 68 ce", 0, 0, DP_H264_FORWARD },
	{ "prefix TID 2 to a TID 1 receiver", NULL, PREFIX_T2, 0, 1, DP_H264_ABOVE_LIMIT },
	{ "prefix TID 2 to a TID 2 receiver", NULL, PREFIX_T2, 0, 2, DP_H264_FORWARD },
	{ "prefix + slice TID 2, TID 1 receiver", NULL, "18 00 04 0e 80 80 4f 00 02 01 e0", 0, 1,
	  DP_H264_ABOVE_LIMIT },
	{ "SEI with a TID 2 slice goes with it", NULL,
	  "18 00 02 06 05 00 04 0e 80 80 4f 00 02 01 e0", 0, 1, DP_H264_ABOVE_LIMIT },
	{ "mixed STAP-A, DID 0 receiver", NULL, MIXED_STAP, 0, 2, DP_H264_MIXED_LAYERS },
	{ "mixed STAP-A, DID 1 receiver", NULL, MIXED_STAP, 1, 2, DP_H264_FORWARD },
	{ "mixed STAP-A, DID 1 TID 1 receiver: both above", NULL, MIXED_STAP, 1, 1,
	  DP_H264_ABOVE_LIMIT },
	{ "DID 1 TID 0 slice, DID 0 receiver", NULL, "14 80 90 07 e0", 0, 7,
	  DP_H264_ABOVE_LIMIT },
	{ "DID 1 TID 0 slice, DID 1 TID 0 receiver", NULL, "14 80 90 07 e0", 1, 0,
	  DP_H264_FORWARD },
	{ "DID 5 TID 6 at exactly its limits", NULL, "74 ea 59 d6", 5, 6, DP_H264_FORWARD },
	{ "DID 5 TID 6, DID 4 receiver", NULL, "74 ea 59 d6", 4, 7, DP_H264_ABOVE_LIMIT },
	{ "DID 5 TID 6, TID 5 receiver", NULL, "74 ea 59 d6", 7, 5, DP_H264_ABOVE_LIMIT },
	{ "PACSI's own ids do not count", NULL,
	  "18 00 05 1e 80 80 07 00 00 04 14 80 90 47", 0, 7, DP_H264_ABOVE_LIMIT },
	{ "unknown ids, no limit", PREFIX_T0, FU_SLICE_START, 7, 7, DP_H264_FORWARD },
	{ "unknown ids, a TID limit", PREFIX_T0, FU_SLICE_START, 7, 6, DP_H264_LAYERS_UNKNOWN },
	{ "unknown ids, a DID limit", PREFIX_T0, FU_SLICE_START, 6, 7, DP_H264_LAYERS_UNKNOWN },
	{ "known fragment ids", FU_EXT_D1T2_START, "", 1, 2, DP_H264_FORWARD },
};

static void test_filter(void)
{
	for (unsigned r = 0; r < ARRAY_LEN(filter_rows); r++) {
		const struct filter_row *f = &filter_rows[r];
		struct dp_h264_track t = { 0 };
		struct dp_h264_info in;
		uint32_t ts = 4000;

		if (f->setup) {
			CHECK(parse_hex(f->setup, &in) == 0, "%s: setup", f->name);
			dp_h264_track(&t, &in, 1000);
		}
		/* An empty hex: a middle fragment of the setup's NAL unit. */
		const char *hex = f->hex[0] ? f->hex : FU_EXT_MIDDLE;
		if (!f->hex[0])
			ts = 1000;
		if (parse_hex(hex, &in) != 0) {
			CHECK(0, "%s: does not parse", f->name);
			continue;
		}
		dp_h264_track(&t, &in, ts);
		enum dp_h264_verdict v = dp_h264_filter(&in, f->max_did, f->max_tid);
		CHECK(v == f->verdict, "%s (limits DID %u TID %u): %s, expected %s", f->name,
		      f->max_did, f->max_tid, dp_h264_verdict_str(v),
		      dp_h264_verdict_str(f->verdict));
	}
}

/* ---- the summary for select.h ------------------------------------------- */

struct frame_row {
	const char *name;
	const char *setup;
	const char *hex;
	struct dp_frame_info fi;
};

#define FI(...) ((struct dp_frame_info){ __VA_ARGS__ })

static const struct frame_row frame_rows[] = {
	{ "AVC keyframe: SPS, PPS, IDR slice", NULL,
	  "78 00 04 67 42 c0 0d 00 02 68 ce 00 03 65 88 84",
	  FI(.frame_start = 1, .keyframe = 1) },
	{ "parameter sets alone start a keyframe", NULL, "18 00 02 67 42 00 02 68 ce",
	  FI(.frame_start = 1, .keyframe = 1) },
	{ "an IDR slice's later fragment", "7c 85 88", "7c 05 aa", FI() },
	{ "an IDR slice's start fragment, not first in its AU", "18 00 02 67 42", "7c 85 88",
	  FI(.keyframe = 1) },
	{ "a non-IDR slice", NULL, "41 9a", FI(.frame_start = 1) },
	{ "TID 2: a switching point", NULL, PREFIX_T2,
	  FI(.frame_start = 1, .has_layers = 1, .temporal = 2, .sync = 1) },
	{ "TID 0", NULL, STAP_PREFIX_T0_SLICE, FI(.frame_start = 1, .has_layers = 1) },
	{ "unknown ids", PREFIX_T0, FU_SLICE_START,
	  FI(.frame_start = 1, .has_layers = 1, .temporal = DP_H264_TID_UNKNOWN) },
};

static void test_frame_info(void)
{
	for (unsigned r = 0; r < ARRAY_LEN(frame_rows); r++) {
		const struct frame_row *f = &frame_rows[r];
		struct dp_h264_track t = { 0 };
		struct dp_h264_info in;
		struct dp_frame_info fi;
		uint32_t ts = 1000;

		if (f->setup) {
			CHECK(parse_hex(f->setup, &in) == 0, "%s: setup", f->name);
			dp_h264_track(&t, &in, ts);
			/* A setup of another access unit makes this one new. */
			if (!strcmp(f->setup, PREFIX_T0))
				ts = 4000;
		}
		if (parse_hex(f->hex, &in) != 0) {
			CHECK(0, "%s: does not parse", f->name);
			continue;
		}
		dp_h264_track(&t, &in, ts);
		memset(&fi, 0xa5, sizeof(fi));
		dp_h264_frame_info(&in, &fi);
		CHECK(fi.frame_start == f->fi.frame_start && fi.keyframe == f->fi.keyframe &&
		      fi.has_layers == f->fi.has_layers && fi.temporal == f->fi.temporal &&
		      fi.sync == f->fi.sync && fi.desc_len == 0 && fi.has_picture_id == 0 &&
		      fi.has_tl0 == 0 && fi.picture_id == 0 && fi.picture_id_bits == 0,
		      "%s: start %u key %u layers %u tid %u sync %u desc %u", f->name,
		      fi.frame_start, fi.keyframe, fi.has_layers, fi.temporal, fi.sync, fi.desc_len);
	}
}

int main(void)
{
	test_sequences();
	test_filter();
	test_frame_info();
	return test_summary("dp_h264_track");
}
