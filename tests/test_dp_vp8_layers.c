/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * End to end, offline, with a real decoder: a VP8 L1T3 capture made by
 * GStreamer's vp8enc + rtpvp8pay (tests/data/vp8/l1t3.rtp, see capture.sh
 * next to it) goes through what strata-dp does for one receiver --
 * dp_vp8_parse, dp_select_packet, the seqmaps, dp_vp8_rewrite and the RTP
 * sequence number rewrite -- for several targets, and GStreamer's
 * rtpvp8depay + vp8dec decode each result (tests/tools/vp8_decode_check).
 *
 *   test_dp_vp8_layers CAPTURE [DECODE_CHECK]
 *
 * Checked for each target: the output's sequence numbers are gapless, its
 * PictureIDs continuous frame to frame, its TL0PICIDX as received; every
 * forwarded frame references only forwarded frames (by the capture's
 * layering: a Y frame references layer 0, any other frame the newest frame
 * of each layer up to its own); exactly the frames of layers <= T are
 * forwarded for a fixed target T; the decoder decodes every forwarded
 * frame with no error; and each decoded picture is pixel for pixel the
 * one the full capture gives for that frame.  That last check is the one
 * with teeth: a decoder does not notice a frame whose reference it never
 * got (it decodes from whatever its buffer holds), the pixels do.  A
 * control stream, broken on purpose (layer-2 frames forwarded without the
 * frames they reference), must fail it.
 *
 * Without DECODE_CHECK, or without GStreamer's VP8 elements, the offline
 * checks run and the test then reports "skipped" (exit 77).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode_fixture.h"
#include "rtp_header.h"
#include "select.h"
#include "test_util.h"
#include "tools/rtp_file.h"
#include "vp8.h"

#define SEQ_MASK 0xffffu

struct capture_frame;

struct scenario {
	const char *name;
	/* The target temporal layer in each third of the capture's packets
	 * (so changes fall mid-frame as well as between frames). */
	uint8_t targets[3];
	/* The control: which frames to forward instead of dp_select_packet. */
	bool (*broken)(const struct capture_frame *fr, uint32_t frame);
};

struct capture_frame {
	uint8_t tid, sync, key;
};

/* Layer 0, and from the middle on the layer-2 frames that are not sync
 * frames: each references layer 1 and 2 frames the receiver never got. */
static bool up_without_sync(const struct capture_frame *fr, uint32_t frame)
{
	return fr->tid == 0 || (frame >= 60 && fr->tid == 2 && !fr->sync);
}

static const struct scenario scenarios[] = {
	{ "T0", { 0, 0, 0 }, NULL },
	{ "T1", { 1, 1, 1 }, NULL },
	{ "T2", { 2, 2, 2 }, NULL },
	{ "T2->T0->T2", { 2, 0, 2 }, NULL },
	{ "T0->T1->T2", { 0, 1, 2 }, NULL },
	{ "T1->T2->T0", { 1, 2, 0 }, NULL },
	{ "control", { 0, 0, 0 }, up_without_sync },
};

struct capture {
	struct rtp_file file;
	struct dp_frame_info *fi;     /* per packet */
	uint32_t *hdr_len;            /* per packet */
	uint32_t *frame_of;           /* per packet: frame index */
	struct capture_frame *frames;
	uint32_t n_frames;
	uint32_t by_tid[4];
};

static int load_capture(const char *path, struct capture *c)
{
	memset(c, 0, sizeof(*c));
	if (rtp_file_read(path, &c->file) != 0)
		return -1;
	uint32_t n = c->file.count;
	c->fi = calloc(n, sizeof(*c->fi));
	c->hdr_len = calloc(n, sizeof(*c->hdr_len));
	c->frame_of = calloc(n, sizeof(*c->frame_of));
	c->frames = calloc(n, sizeof(*c->frames));
	if (!c->fi || !c->hdr_len || !c->frame_of || !c->frames)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = c->file.packets[i].data;
		uint32_t len = c->file.packets[i].len;

		if (strata_rtp_header_len(p, len, &c->hdr_len[i]) != STRATA_RTP_PARSE_OK ||
		    dp_vp8_parse(p + c->hdr_len[i], len - c->hdr_len[i], &c->fi[i]) != 0) {
			fprintf(stderr, "%s: packet %u does not parse\n", path, i);
			return -1;
		}
		const struct dp_frame_info *fi = &c->fi[i];
		if (fi->frame_start) {
			c->frames[c->n_frames] = (struct capture_frame){
				.tid = fi->temporal, .sync = fi->sync, .key = fi->keyframe };
			c->by_tid[fi->temporal & 3]++;
			c->n_frames++;
		}
		if (c->n_frames == 0) {
			fprintf(stderr, "%s: packet %u comes before any frame start\n", path, i);
			return -1;
		}
		c->frame_of[i] = c->n_frames - 1;
	}
	return 0;
}

static void free_capture(struct capture *c)
{
	rtp_file_free(&c->file);
	free(c->fi);
	free(c->hdr_len);
	free(c->frame_of);
	free(c->frames);
}

/* What the capture itself must be for the test to mean anything. */
static void check_capture(const struct capture *c)
{
	unsigned y_above0 = 0, pattern_ok = 1, keys = 0;

	for (uint32_t f = 0; f < c->n_frames; f++) {
		static const uint8_t tids[] = { 0, 2, 1, 2 };
		const struct capture_frame *fr = &c->frames[f];

		keys += fr->key;
		y_above0 += fr->tid > 0 && fr->sync;
		if (fr->tid != tids[f % 4])
			pattern_ok = 0;
	}
	CHECK(c->n_frames >= 40, "capture: only %u frames", c->n_frames);
	CHECK(c->frames[0].key, "capture: the first frame is not a keyframe");
	CHECK(keys >= 2, "capture: %u keyframes, want a few", keys);
	CHECK(pattern_ok, "capture: the TIDs do not follow 0,2,1,2");
	CHECK(y_above0 >= c->n_frames / 4, "capture: only %u frames above layer 0 with Y",
	      y_above0);
	CHECK(c->by_tid[0] && c->by_tid[1] && c->by_tid[2], "capture: a layer is empty");
}

struct result {
	uint32_t packets, frames;
	uint8_t *forwarded;  /* per frame */
	uint32_t *index;     /* the capture's frame index of each forwarded frame */
	unsigned broken_refs; /* forwarded frames whose references were not */
};

static uint8_t target_at(const struct scenario *s, uint32_t i, uint32_t n)
{
	uint32_t phase = (uint32_t)((uint64_t)i * 3 / n);
	return s->targets[phase < 3 ? phase : 2];
}

/*
 * Runs the capture through one receiver and writes what it gets to `out`.
 * The same steps as dataplane/fanout.c, minus encryption and the network.
 */
static void run(const struct capture *c, const struct scenario *s, FILE *out,
		struct result *r)
{
	static struct dp_sub sub;
	static struct dp_stream stream;
	uint32_t n = c->file.count;
	bool have_out = false, have_frame = false;
	uint32_t last_seq = 0, frame_pid = 0, last_frame_pid = 0;
	int last_tl0 = -1;

	memset(&sub, 0, sizeof(sub));
	sub.cur_spatial = DP_NONE;
	stream.encoding = 0;
	r->packets = r->frames = 0;
	r->forwarded = calloc(c->n_frames, 1);
	r->index = calloc(c->n_frames, sizeof(*r->index));
	r->broken_refs = 0;

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *in = c->file.packets[i].data;
		uint32_t len = c->file.packets[i].len, hdr = c->hdr_len[i];
		const struct dp_frame_info *fi = &c->fi[i];
		uint16_t in_seq = strata_rtp_seq(in);
		uint32_t pid_mask = fi->picture_id_bits == 15 ? 0x7fff : 0x7f;

		enum dp_select sel;
		if (s->broken)
			sel = s->broken(&c->frames[c->frame_of[i]], c->frame_of[i]) ?
				DP_SELECT_FORWARD : DP_SELECT_LAYER_FILTERED;
		else
			sel = dp_select_packet(&sub, &sub.frame, &stream, fi, 0, target_at(s, i, n));
		if (dp_select_reason(sel) != DP_SELECT_FORWARD) {
			dp_seqmap_drop(&sub.seq, in_seq, SEQ_MASK);
			if (fi->has_picture_id && fi->frame_start)
				dp_seqmap_drop(&sub.picture, fi->picture_id, pid_mask);
			continue;
		}
		uint32_t out_seq = 0, out_pid = 0;
		CHECK(dp_seqmap_forward(&sub.seq, in_seq, SEQ_MASK, &out_seq) == DP_SEQMAP_OK,
		      "%s: packet %u too late", s->name, i);
		if (fi->has_picture_id)
			CHECK(dp_seqmap_forward(&sub.picture, fi->picture_id, pid_mask, &out_pid) ==
			      DP_SEQMAP_OK, "%s: PictureID of packet %u too late", s->name, i);

		uint8_t pkt[RTP_FILE_MAX_PACKET];
		memcpy(pkt, in, len);
		pkt[2] = (uint8_t)(out_seq >> 8);
		pkt[3] = (uint8_t)out_seq;
		dp_vp8_rewrite(pkt + hdr, fi, (uint16_t)out_pid, fi->tl0picidx);
		CHECK(rtp_file_write_packet(out, pkt, len) == 0, "%s: write failed", s->name);

		/* The output, read back as a receiver would. */
		struct dp_frame_info ofi;
		CHECK(dp_vp8_parse(pkt + hdr, len - hdr, &ofi) == 0, "%s: output %u does not parse",
		      s->name, i);
		CHECK(!have_out || out_seq == ((last_seq + 1) & SEQ_MASK),
		      "%s: sequence number %u after %u", s->name, out_seq, last_seq);
		if (ofi.frame_start) {
			CHECK(!have_frame || ofi.picture_id == ((last_frame_pid + 1) & pid_mask),
			      "%s: PictureID %u after %u", s->name, ofi.picture_id, last_frame_pid);
			frame_pid = last_frame_pid = ofi.picture_id;
			have_frame = true;
			r->forwarded[c->frame_of[i]] = 1;
			r->index[r->frames++] = c->frame_of[i];
			if (ofi.temporal == 0 && ofi.has_tl0) {
				CHECK(last_tl0 < 0 || ofi.tl0picidx == ((last_tl0 + 1) & 0xff),
				      "%s: TL0PICIDX %u after %d", s->name, ofi.tl0picidx, last_tl0);
				last_tl0 = ofi.tl0picidx;
			}
		} else {
			CHECK(ofi.picture_id == frame_pid, "%s: packet %u of a frame has PictureID "
			      "%u, its frame %u", s->name, i, ofi.picture_id, frame_pid);
			CHECK(r->forwarded[c->frame_of[i]], "%s: packet %u forwarded without its "
			      "frame's first packet", s->name, i);
		}
		CHECK(ofi.tl0picidx == fi->tl0picidx, "%s: TL0PICIDX changed", s->name);
		last_seq = out_seq;
		have_out = true;
		r->packets++;
	}

	/* No forwarded frame references one that was not. */
	int newest[3] = { 0, 0, 0 };
	for (uint32_t f = 0; f < c->n_frames; f++) {
		const struct capture_frame *fr = &c->frames[f];
		if (fr->key) {
			newest[0] = newest[1] = newest[2] = (int)f;
			continue;
		}
		if (r->forwarded[f])
			for (int l = 0; l <= (fr->sync ? 0 : fr->tid) && l < 3; l++)
				r->broken_refs += !r->forwarded[newest[l]];
		if (fr->tid < 3)
			newest[fr->tid] = (int)f;
	}
}

/* How many of the output's pictures differ from the full capture's. */
static unsigned picture_mismatches(const struct decoded *full, const struct decoded *d,
				   const struct result *r)
{
	unsigned bad = 0;

	for (uint32_t k = 0; k < r->frames; k++)
		bad += k >= d->n_hashes || r->index[k] >= full->n_hashes ||
		       strcmp(d->hashes[k], full->hashes[r->index[k]]) != 0;
	return bad;
}

int main(int argc, char **argv)
{
	struct capture cap;
	const char *tool = argc > 2 ? argv[2] : NULL;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: test_dp_vp8_layers CAPTURE [DECODE_CHECK]\n");
		return 2;
	}
	if (load_capture(argv[1], &cap) != 0)
		return 1;
	check_capture(&cap);
	printf("capture: %u packets, %u frames (TID 0: %u, 1: %u, 2: %u)\n", cap.file.count,
	       cap.n_frames, cap.by_tid[0], cap.by_tid[1], cap.by_tid[2]);

	int decoding = decode_tool_probe(tool, "");
	struct decoded full = { 0 };
	if (decoding) {
		/* The capture as it is decodes whole: the reference pictures. */
		full = decode_hashes(tool, argv[1], 32);
		CHECK(full.status == 0 && full.frames == cap.n_frames && full.errors == 0 &&
		      full.n_hashes == cap.n_frames,
		      "the capture itself: status %d, %u of %u frames (%u hashes), %u errors",
		      full.status, full.frames, cap.n_frames, full.n_hashes, full.errors);
	}

	for (unsigned k = 0; k < ARRAY_LEN(scenarios); k++) {
		const struct scenario *s = &scenarios[k];
		char path[4096];
		struct result r;
		FILE *out = decode_temp_file(path, sizeof(path), "strata-vp8-layers");

		if (!out) {
			CHECK(0, "cannot create %s", path);
			continue;
		}
		run(&cap, s, out, &r);
		CHECK(fclose(out) == 0, "%s: write failed", s->name);

		if (s->broken) {
			CHECK(r.broken_refs > 0, "%s: the control breaks no reference", s->name);
		} else {
			CHECK(r.broken_refs == 0, "%s: %u forwarded frames reference frames that "
			      "were not", s->name, r.broken_refs);
		}
		if (!s->broken && s->targets[0] == s->targets[1] && s->targets[1] == s->targets[2]) {
			uint32_t expect = 0;
			for (unsigned t = 0; t <= s->targets[0]; t++)
				expect += cap.by_tid[t];
			CHECK(r.frames == expect, "%s: %u frames forwarded, expected %u", s->name,
			      r.frames, expect);
		}
		printf("%-12s forwarded %3u packets, %3u of %u frames", s->name, r.packets,
		       r.frames, cap.n_frames);
		if (decoding) {
			struct decoded d = decode_hashes(tool, path, 32);
			unsigned differ = picture_mismatches(&full, &d, &r);

			printf("; decoded %u, %u errors, %u pictures differ from the full decode",
			       d.frames, d.errors, differ);
			CHECK(d.status == 0, "%s: vp8_decode_check exited with %d", s->name, d.status);
			CHECK(d.packets == r.packets, "%s: the decoder read %u packets of %u", s->name,
			      d.packets, r.packets);
			CHECK(d.frames == r.frames, "%s: %u frames decoded, %u forwarded", s->name,
			      d.frames, r.frames);
			CHECK(d.errors == 0, "%s: %u decode errors", s->name, d.errors);
			if (s->broken)
				CHECK(differ > 0, "%s: broken on purpose, yet every picture matches: "
				      "the picture check sees nothing", s->name);
			else
				CHECK(differ == 0, "%s: %u decoded pictures differ from the same frames "
				      "of the full capture", s->name, differ);
			decoded_free(&d);
		}
		printf("\n");
		unlink(path);
		free(r.forwarded);
		free(r.index);
	}
	decoded_free(&full);
	free_capture(&cap);

	int status = test_summary("dp_vp8_layers");
	if (status == 0 && !decoding) {
		printf("SKIP: the offline checks passed, but nothing was decoded: %s\n",
		       tool && *tool ? "vp8_decode_check --probe failed (are GStreamer's "
				       "rtpvp8depay and vp8dec installed? gstreamer1.0-plugins-good)"
				     : "vp8_decode_check was not built (libgstreamer1.0-dev missing); "
				       "run scripts/setup");
		return 77;
	}
	return status;
}
