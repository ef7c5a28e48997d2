/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * End to end, offline, with a real decoder: the VP8 simulcast captures of
 * headless Chromium (tests/data/vp8_simulcast: three SSRCs, rid l, m, h,
 * each L1T3; l1t3_dd.rtp also carries the dependency descriptor, as
 * browsers send VP8 when it is negotiated; capture.sh says how they were
 * made) go through what strata-dp does for one receiver:
 *
 *   dp_fanout_svc_info      the input's parse (fanout_svc.c: VP8 payload
 *                           descriptor, and the descriptor when negotiated)
 *   dp_select_packet        select.h's simulcast and VP8 temporal rules
 *                           (DP_PATH_SIMPLE), or dp_fanout_svc_select (the
 *                           dependency descriptor's path, DP_PATH_DD)
 *   then, as fanout.c does  the rebase at an encoding switch, the sequence
 *                           number and PictureID maps, TL0PICIDX's delta,
 *                           dp_vp8_rewrite, the descriptor's frame number
 *                           and active decode targets (dd_out.h)
 *
 * for each encoding at each temporal target (T0, T0-1, T0-2), for
 * receivers moved between encodings (0->2->1 and others) and temporal
 * targets mid-stream, and for a control broken on purpose.
 *
 *   test_dp_vp8_simulcast CAPTURE SIDECAR WEBRTC_SUMMARY [VP8_DECODE_CHECK]
 *
 * Checked, offline, on the output read back as the receiver reads it: one
 * SSRC, gapless sequence numbers, PictureIDs +1 frame to frame, TL0PICIDX
 * +1 at each layer-0 frame and unchanged at the others, timestamps moving
 * forward, and with the descriptor: every one parses with a fresh stream
 * state (the receiver's), frame numbers increase, and every frame's
 * references (frame_number - fdiff) were forwarded.  An encoding switch
 * happens at the first keyframe of the new target encoding after the
 * target changed, and nowhere else.  For a fixed target (E, T), the frames
 * forwarded are exactly encoding E's frames of TID <= T from its first
 * keyframe, and their number per encoding and layer is what webrtc_summary
 * (an independent reader of the capture) counts.  For every target, fixed
 * or moving, the frames forwarded are those select.h's rules give when
 * applied to the capture's frames (model(), below).  Each capture has three
 * keyframes per encoding: the first, and two from the PLIs capture.sh sent
 * at about 2 and 4 s; the moves between encodings happen at those.
 *
 * Then decoded (GStreamer rtpvp8depay + vp8dec, tests/tools/
 * vp8_decode_check): each encoding alone, the reference; each output with
 * no error, one picture per forwarded frame, each pixel for pixel the
 * reference's same frame.  The control (one delta layer-0 frame left out,
 * as a forwarder that loses a frame and closes its numbers up would) must
 * fail that check.
 *
 * Without VP8_DECODE_CHECK or GStreamer's VP8 elements the offline checks
 * run and the test reports "skipped" (exit 77).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/av1_dd.h"
#include "dd_out.h"
#include "decode_fixture.h"
#include "fanout_svc.h"
#include "rtp/rtp_ext.h"
#include "rtp/rtp_header.h"
#include "simulcast_capture.h"
#include "sub_renumber.h"
#include "test_util.h"
#include "tools/rtp_file.h"
#include "vp8.h"

#define OUT_SSRC 0x5ea7a0a0u

/* ---- Scenarios ---------------------------------------------------------------- */

struct target {
	uint8_t enc, t;
};

struct scenario {
	const char *name;
	/* The target in each third of the capture's packets. */
	struct target targets[3];
	/* The control: leave out the middle delta layer-0 frame of the
	 * encoding the receiver gets, numbers closed up. */
	bool lose_frame;
};

static const struct scenario scenarios[] = {
	{ "E0T0", { { 0, 0 }, { 0, 0 }, { 0, 0 } }, false },
	{ "E0T1", { { 0, 1 }, { 0, 1 }, { 0, 1 } }, false },
	{ "E0T2", { { 0, 2 }, { 0, 2 }, { 0, 2 } }, false },
	{ "E1T0", { { 1, 0 }, { 1, 0 }, { 1, 0 } }, false },
	{ "E1T1", { { 1, 1 }, { 1, 1 }, { 1, 1 } }, false },
	{ "E1T2", { { 1, 2 }, { 1, 2 }, { 1, 2 } }, false },
	{ "E2T0", { { 2, 0 }, { 2, 0 }, { 2, 0 } }, false },
	{ "E2T1", { { 2, 1 }, { 2, 1 }, { 2, 1 } }, false },
	{ "E2T2", { { 2, 2 }, { 2, 2 }, { 2, 2 } }, false },
	{ "E0T2->E2T2->E1T2", { { 0, 2 }, { 2, 2 }, { 1, 2 } }, false },
	{ "E0T0->E2T2->E1T1", { { 0, 0 }, { 2, 2 }, { 1, 1 } }, false },
	{ "E2T2->E0T1->E2T0", { { 2, 2 }, { 0, 1 }, { 2, 0 } }, false },
	{ "E1T2->E1T0->E1T2", { { 1, 2 }, { 1, 0 }, { 1, 2 } }, false },
	{ "control: E2T2, a T0 frame lost", { { 2, 2 }, { 2, 2 }, { 2, 2 } }, true },
};

static struct target target_at(const struct scenario *s, uint32_t i, uint32_t n)
{
	uint32_t phase = (uint32_t)((uint64_t)i * 3 / n);
	return s->targets[phase < 3 ? phase : 2];
}

/* ---- One receiver ------------------------------------------------------------ */

struct result {
	uint32_t packets, frames;
	uint32_t *index;        /* the capture's frame index of each forwarded frame */
	uint8_t *forwarded;     /* per capture frame */
	uint32_t switches;
	uint32_t lost;          /* the control's frame, or ~0u */
	unsigned violations;    /* the control's: what the receiver's view saw */
};

/* The receiver's side of the dependency descriptor: its own parse state and
 * the frame numbers it got. */
#define RX_FRAMES 4096
struct rx_dd {
	struct dp_av1_dd_stream st;
	uint64_t got[RX_FRAMES]; /* frame_number + 1 at frame_number % RX_FRAMES */
	uint64_t last;
	bool started;
};

/* The middle delta layer-0 frame of encoding e. */
static uint32_t frame_to_lose(const struct capture *c, uint8_t e)
{
	uint32_t half = c->enc_frames[e] / 2;

	for (uint32_t k = 0; k < c->n_frames; k++) {
		const struct capture_frame *fr = &c->frames[k];
		if (fr->enc == e && fr->index >= half && fr->tid == 0 && !fr->key)
			return k;
	}
	return ~0u;
}

/* Fan-out's state for the source: three streams, one per encoding. */
static struct dp_stream streams[ENCODINGS];
static struct dp_av1_dd_stream stream_dd[ENCODINGS];
static struct dp_source source;
static struct dp_sub sub;
static struct rx_dd rx;

static void reset_source(const struct capture *c)
{
	memset(streams, 0, sizeof(streams));
	memset(&source, 0, sizeof(source));
	source.n_encodings = ENCODINGS;
	for (unsigned e = 0; e < ENCODINGS; e++) {
		streams[e].in_use = 1;
		streams[e].codec = STRATA_CODEC_VP8;
		streams[e].encoding = (uint8_t)e;
		streams[e].ssrc = c->ssrc[e];
		streams[e].clock_rate = 90000;
		streams[e].ext_dependency_descriptor = c->dd_id;
		dp_av1_dd_stream_init(&stream_dd[e]);
		streams[e].dd = c->dd_id ? &stream_dd[e] : NULL;
	}
	memset(&sub, 0, sizeof(sub));
	sub.in_use = 1;
	sub.ssrc = OUT_SSRC;
	sub.cur_spatial = DP_NONE;
	sub.cur_temporal = DP_NONE;
	dp_select_dd_reset(&sub.dd);
	memset(&rx, 0, sizeof(rx));
	dp_av1_dd_stream_init(&rx.st);
}

/* fanout.c's rebase(), with the capture's clock for the wall clock: a
 * packet's time is its timestamp since its stream's first. */
static void rebase(const uint8_t *rtp, const struct dp_frame_info *fi, uint32_t now,
		   uint32_t last_out_now)
{
	int32_t elapsed = (int32_t)(now - last_out_now);

	dp_sub_rebase(&sub, rtp, fi, elapsed > 0 ? (uint32_t)elapsed : 0);
}

/* What the receiver reads, checked as it goes: for the control, its
 * violations counted instead (it must have some). */
struct view {
	bool control;
	bool picture_ids; /* the capture's VP8 descriptors have PictureIDs */
	unsigned violations;
	bool have_pkt, have_frame, have_tl0;
	uint16_t seq;
	uint32_t ts;
	uint16_t pid;
	uint8_t tl0;
};


/*
 * The receiver's view of one output packet: RTP, VP8 payload descriptor
 * and, with dd_id, the dependency descriptor (parsed with the receiver's
 * own stream state; every frame's references must have come before it).
 */
#define VIEW_CHECK(v, cond, ...)                                               \
	do {                                                                   \
		if ((v)->control)                                              \
			(v)->violations += !(cond);                            \
		else                                                           \
			CHECK(cond, __VA_ARGS__);                              \
	} while (0)

static void read_back(const char *name, uint32_t i, const uint8_t *pkt, uint32_t len,
		      uint8_t dd_id, bool switched, struct view *v)
{
	uint32_t hdr_len = 0;
	struct dp_frame_info o;

	if (strata_rtp_header_len(pkt, len, &hdr_len) != STRATA_RTP_PARSE_OK ||
	    dp_vp8_parse(pkt + hdr_len, len - hdr_len, &o) != 0) {
		VIEW_CHECK(v, 0, "%s: output of packet %u does not parse", name, i);
		return;
	}
	uint16_t seq = strata_rtp_seq(pkt);
	uint32_t ts = strata_be32(pkt + 4);
	VIEW_CHECK(v, strata_be32(pkt + 8) == OUT_SSRC, "%s: output of packet %u: SSRC %u", name, i,
	      strata_be32(pkt + 8));
	VIEW_CHECK(v, !v->have_pkt || seq == (uint16_t)(v->seq + 1), "%s: packet %u: sequence number %u "
	      "after %u", name, i, seq, v->seq);
	VIEW_CHECK(v, !v->have_pkt || (int32_t)(ts - v->ts) >= 0, "%s: packet %u: timestamp %u after %u",
	      name, i, ts, v->ts);
	uint32_t mask = o.picture_id_bits == 15 ? 0x7fff : 0x7f;
	if (o.frame_start) {
		VIEW_CHECK(v, !v->have_pkt || ts != v->ts, "%s: packet %u: a new frame with the last "
		      "frame's timestamp", name, i);
		VIEW_CHECK(v, o.has_picture_id == v->picture_ids, "%s: packet %u: PictureID "
			   "present: %u", name, i, o.has_picture_id);
		VIEW_CHECK(v, !o.has_picture_id || !v->have_frame || o.picture_id == ((v->pid + 1u) & mask), "%s: packet %u: "
		      "PictureID %u after %u", name, i, o.picture_id, v->pid);
		if (o.has_tl0) {
			uint8_t want = o.temporal == 0 ? (uint8_t)(v->tl0 + 1) : v->tl0;
			VIEW_CHECK(v, !v->have_tl0 || o.tl0picidx == want, "%s: packet %u: TL0PICIDX %u "
			      "(TID %u) after %u", name, i, o.tl0picidx, o.temporal, v->tl0);
			v->tl0 = o.tl0picidx;
			v->have_tl0 = true;
		}
		v->pid = o.picture_id;
		v->have_frame = true;
	} else {
		VIEW_CHECK(v, v->have_frame && (!o.has_picture_id || o.picture_id == v->pid) &&
			   ts == v->ts, "%s: packet %u: "
		      "PictureID %u, timestamp %u in a frame of %u, %u", name, i, o.picture_id, ts,
		      v->pid, v->ts);
		VIEW_CHECK(v, !o.has_tl0 || o.tl0picidx == v->tl0, "%s: packet %u: TL0PICIDX changed "
		      "inside a frame", name, i);
	}
	v->seq = seq;
	v->ts = ts;
	v->have_pkt = true;

	if (!dd_id)
		return;
	uint32_t dlen = 0;
	const uint8_t *d = strata_rtp_ext_find(pkt, hdr_len, dd_id, &dlen);
	struct dp_av1_dd_frame f;
	if (!d || dp_av1_dd_parse(&rx.st, d, dlen, &f) != DP_AV1_DD_OK) {
		VIEW_CHECK(v, 0, "%s: packet %u: the receiver cannot read its descriptor", name, i);
		return;
	}
	if (!f.start_of_frame)
		return;
	VIEW_CHECK(v, !rx.started || f.frame_number > rx.last, "%s: packet %u: frame number %llu after "
	      "%llu", name, i, (unsigned long long)f.frame_number,
	      (unsigned long long)rx.last);
	VIEW_CHECK(v, !rx.started || !switched || f.frame_number == rx.last + 1, "%s: packet %u: frame "
	      "number %llu after %llu at an encoding switch", name, i,
	      (unsigned long long)f.frame_number, (unsigned long long)rx.last);
	for (unsigned r = 0; r < f.fdiff_cnt; r++) {
		uint64_t ref = f.frame_number - f.fdiff[r];
		VIEW_CHECK(v, rx.got[ref % RX_FRAMES] == ref + 1, "%s: packet %u: frame %llu references "
		      "frame %llu, never forwarded", name, i, (unsigned long long)f.frame_number,
		      (unsigned long long)ref);
	}
	rx.got[f.frame_number % RX_FRAMES] = f.frame_number + 1;
	rx.last = f.frame_number;
	rx.started = true;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * Runs the capture through one receiver and writes what it gets to `out`:
 * the steps of fanout.c's output_one for DP_PATH_SIMPLE and DP_PATH_DD,
 * minus encryption, TWCC and the network.
 */
static void run(const struct capture *c, const struct scenario *s, FILE *out, struct result *r)
{
	static struct dp_mbuf_meta meta;
	uint32_t n = c->file.count;
	uint32_t first_ts[ENCODINGS] = { 0 }, last_out_now = 0;
	bool have_first[ENCODINGS] = { false };
	struct view v = { .control = s->lose_frame, .picture_ids = c->picture_ids };
	struct target last_target = { 0xff, 0xff };
	uint32_t target_changed = 0;

	reset_source(c);
	memset(r, 0, sizeof(*r));
	r->index = calloc(c->n_frames, sizeof(*r->index));
	r->forwarded = calloc(c->n_frames, 1);
	r->lost = ~0u;
	if (s->lose_frame)
		r->lost = frame_to_lose(c, s->targets[0].enc);

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *rtp = c->file.packets[i].data;
		uint32_t len = c->file.packets[i].len, hdr_len = 0;
		uint8_t e = c->enc[i];
		const struct dp_stream *st = &streams[e];
		const struct capture_frame *fr = &c->frames[c->frame_of[i]];
		struct target t = target_at(s, i, n);
		enum dp_drop why = 0;

		if (t.enc != last_target.enc)
			target_changed = i;
		last_target = t;
		atomic_store(&sub.target_spatial, t.enc);
		atomic_store(&sub.target_temporal, t.t);

		/* The publisher's worker: once per input. */
		CHECK(strata_rtp_header_len(rtp, len, &hdr_len) == STRATA_RTP_PARSE_OK, "packet %u",
		      i);
		memset(&meta, 0, sizeof(meta));
		if (!dp_fanout_svc_info(&streams[e], rtp, len, hdr_len, &meta, &why)) {
			CHECK(0, "%s: packet %u refused by dp_fanout_svc_info (drop reason %d)",
			      s->name, i, (int)why);
			continue;
		}
		const struct dp_frame_info *fi = &meta.frame;
		if (!have_first[e]) {
			first_ts[e] = strata_be32(rtp + 4);
			have_first[e] = true;
		}
		uint32_t now = strata_be32(rtp + 4) - first_ts[e];

		/* The receiver's decision. */
		struct dp_svc_out so = { .marker = (uint8_t)(rtp[1] >> 7) };
		enum dp_select sel;
		uint8_t path = meta.path;
		if (path == DP_PATH_SIMPLE) {
			if (!dp_select_same_frame(&sub, &sub.frame, st, fi, t.enc, &sel))
				sel = dp_select_packet(&sub, &sub.frame, st, fi, t.enc, t.t);
		} else {
			CHECK(path == DP_PATH_DD, "%s: packet %u: path %u", s->name, i, path);
			sel = dp_fanout_svc_select(&sub, st, &source, &meta, t.enc, rtp[1] >> 7, &so);
			if (sel & DP_SELECT_SWITCHED_ENCODING) {
				uint16_t fn = (uint16_t)(rtp[meta.dd_off + 1] << 8 |
							 rtp[meta.dd_off + 2]);
				sub.dd_fn_delta = sub.seq.started
					? (uint16_t)(fn - (uint16_t)(sub.dd_last_fn + 1)) : 0;
				rebase(rtp, fi, now, last_out_now);
			}
		}
		bool switched = (sel & DP_SELECT_SWITCHED_ENCODING) != 0;
		if (switched) {
			r->switches++;
			printf("    %s: switch to encoding %u at packet %u (%s frame %u of encoding "
			       "%u, %u packets after the target changed)\n", s->name, e, i,
			       fr->key ? "keyframe" : "DELTA", fr->index, e, i - target_changed);
			CHECK(e == t.enc && fr->key && fr->first_packet == i, "%s: switch at packet "
			      "%u, not the first packet of a keyframe of the target", s->name, i);
			/* The first keyframe of the target since it changed. */
			for (uint32_t k = target_changed; k < i && r->switches > 1; k++)
				CHECK(!(c->enc[k] == t.enc && c->frames[c->frame_of[k]].key &&
					c->frames[c->frame_of[k]].first_packet == k),
				      "%s: switch at packet %u, though a keyframe of the target "
				      "came at %u", s->name, i, k);
		}
		bool fwd = dp_select_reason(sel) == DP_SELECT_FORWARD;
		if (fwd && (uint32_t)c->frame_of[i] == r->lost)
			fwd = false; /* the control: numbers closed up over it */
		if (!fwd) {
			dp_sub_skip(&sub, st, rtp, fi);
			continue;
		}
		if (switched && path == DP_PATH_SIMPLE)
			rebase(rtp, fi, now, last_out_now);

		uint32_t out_seq = 0, out_picture = 0;
		CHECK(dp_seqmap_forward(&sub.seq, strata_rtp_seq(rtp), DP_SUB_SEQ_MASK, &out_seq) ==
		      DP_SEQMAP_OK, "%s: packet %u too late", s->name, i);
		if (fi->has_picture_id)
			CHECK(dp_seqmap_forward(&sub.picture, fi->picture_id,
						dp_sub_picture_mask(fi),
						&out_picture) == DP_SEQMAP_OK,
			      "%s: PictureID of packet %u too late", s->name, i);

		/* The header: the receiver's descriptor (dd_out.h). */
		uint8_t pkt[RTP_FILE_MAX_PACKET + DP_DD_OUT_MAX];
		uint32_t out_hdr_len = hdr_len;
		memcpy(pkt, rtp, hdr_len);
		if (path == DP_PATH_DD) {
			uint8_t dd[DP_DD_OUT_MAX];
			const struct dp_av1_dd_frame *f = &meta.codec.dd;
			sub.dd_last_fn = (uint16_t)((rtp[meta.dd_off + 1] << 8 | rtp[meta.dd_off + 2]) -
						    sub.dd_fn_delta);
			int dl = dp_dd_out(rtp + meta.dd_off, meta.dd_len, f->structure,
					   sub.dd.rx_mask, so.dd_rewrite, sub.dd_fn_delta, dd,
					   sizeof(dd));
			CHECK(dl >= 0, "%s: packet %u: the descriptor's rewrite failed", s->name, i);
			if (dl > 0) {
				out_hdr_len = dp_dd_out_header(rtp, hdr_len, c->dd_id, meta.dd_off,
							       meta.dd_len, dd, (uint32_t)dl, pkt,
							       sizeof(pkt), NULL);
				CHECK(out_hdr_len != 0, "%s: packet %u: no room for the descriptor",
				      s->name, i);
				if (!out_hdr_len)
					out_hdr_len = hdr_len;
			}
			pkt[1] = (uint8_t)((so.marker ? 0x80 : 0) | (rtp[1] & 0x7f));
		}
		uint32_t out_len = len - hdr_len + out_hdr_len;
		memcpy(pkt + out_hdr_len, rtp + hdr_len, len - hdr_len);
		put_be16(pkt + 2, (uint16_t)out_seq);
		uint32_t out_ts = strata_be32(rtp + 4) + sub.ts_delta;
		strata_put_be32(pkt + 4, out_ts);
		strata_put_be32(pkt + 8, sub.ssrc);
		uint8_t tl0 = (uint8_t)(fi->tl0picidx - sub.tl0_delta);
		if (fi->has_tl0)
			sub.last_tl0_out = tl0;
		if ((fi->has_picture_id && out_picture != fi->picture_id) ||
		    (fi->has_tl0 && tl0 != fi->tl0picidx))
			dp_vp8_rewrite(pkt + out_hdr_len, fi, (uint16_t)out_picture, tl0);
		sub.last_out_ts = out_ts;
		last_out_now = now;

		CHECK(rtp_file_write_packet(out, pkt, out_len) == 0, "%s: write failed", s->name);
		read_back(s->name, i, pkt, out_len, c->dd_id, switched, &v);
		r->violations = v.violations;
		r->packets++;
		uint32_t k = (uint32_t)c->frame_of[i];
		if (fr->first_packet == i) {
			r->forwarded[k] = 1;
			r->index[r->frames++] = k;
		} else {
			CHECK(r->forwarded[k], "%s: packet %u forwarded without its frame's first",
			      s->name, i);
		}
	}
}

/* The frames a fixed target (E, T) gets: encoding E's of TID <= T from its
 * first keyframe on (keyframes whatever their TID). */
static void check_fixed(const struct capture *c, const struct scenario *s, const struct result *r)
{
	const struct target *t = &s->targets[0];
	unsigned wrong = 0;
	uint32_t per_tid[LAYERS] = { 0 }, want = 0;

	for (uint32_t k = 0; k < c->n_frames; k++) {
		const struct capture_frame *fr = &c->frames[k];
		bool expect = fr->enc == t->enc && (int32_t)k >= c->first_key[t->enc] &&
			      (fr->tid <= t->t || fr->key);
		wrong += expect != (r->forwarded[k] != 0);
		if (r->forwarded[k] && fr->tid < LAYERS)
			per_tid[fr->tid]++;
	}
	for (unsigned l = 0; l <= t->t; l++)
		want += c->by_tid[t->enc][l];
	CHECK(wrong == 0, "%s: %u frames forwarded or dropped against the target", s->name, wrong);
	CHECK(r->frames == want, "%s: %u frames forwarded, the capture's layer counts say %u",
	      s->name, r->frames, want);
	CHECK(r->switches == 1, "%s: %u encoding switches, want the start alone", s->name,
	      r->switches);
	printf("    %s: TID 0/1/2 frames %u/%u/%u\n", s->name, per_tid[0], per_tid[1], per_tid[2]);
}

/*
 * The frames a receiver should get, from the rules select.h and select_dd.h
 * state, applied to the capture's frames (not select.c's code): it starts,
 * and moves to another encoding, at the first keyframe of its target
 * encoding; a keyframe brings it to its temporal target; otherwise it goes
 * down at once, and up -- by the VP8 payload descriptor, one layer at a
 * time at a frame of the next layer with Y; by the dependency descriptor,
 * to the target at a frame whose DTI for it is SWITCH -- and gets the frames
 * of its layers.
 */
static void model(const struct capture *c, const struct scenario *s, uint8_t *want)
{
	uint8_t cur_enc = 0xff, cur_t = 0;

	memset(want, 0, c->n_frames);
	for (uint32_t k = 0; k < c->n_frames; k++) {
		const struct capture_frame *fr = &c->frames[k];
		struct target t = target_at(s, fr->first_packet, c->file.count);

		if (fr->enc != cur_enc) {
			if (fr->enc == t.enc && fr->key) {
				cur_enc = fr->enc;
				cur_t = t.t;
				want[k] = 1;
			}
			continue;
		}
		if (fr->key) {
			cur_t = t.t;
			want[k] = 1;
			continue;
		}
		if (t.t < cur_t)
			cur_t = t.t;
		else if (t.t > cur_t && c->dd_id &&
			 dp_av1_dd_dti_of(fr->dti, t.t) == DP_AV1_DD_SWITCH)
			cur_t = t.t;
		else if (t.t > cur_t && !c->dd_id && fr->tid == cur_t + 1 && fr->sync)
			cur_t++;
		want[k] = fr->tid <= cur_t;
	}
}

/* Every forwarded frame is of the encoding the receiver was switched to
 * last and of a TID <= the target when it came (or a keyframe). */
static void check_moving(const struct capture *c, const struct scenario *s,
			 const struct result *r)
{
	unsigned above = 0;
	uint32_t n = c->file.count;

	for (uint32_t q = 0; q < r->frames; q++) {
		const struct capture_frame *fr = &c->frames[r->index[q]];
		struct target t = target_at(s, fr->first_packet, n);
		above += fr->tid > t.t && !fr->key;
	}
	CHECK(above == 0, "%s: %u frames above the temporal target", s->name, above);
	unsigned changes = 0;
	for (unsigned p = 1; p < 3; p++)
		changes += s->targets[p].enc != s->targets[p - 1].enc;
	CHECK(r->switches == 1 + changes, "%s: %u encoding switches, want %u", s->name,
	      r->switches, 1 + changes);
}

/* The frames forwarded are the model's. */
static void check_model(const struct capture *c, const struct scenario *s, const struct result *r)
{
	uint8_t *want = calloc(c->n_frames, 1);
	uint32_t n_want = 0, per_enc[ENCODINGS][LAYERS] = { { 0 } };
	unsigned wrong = 0;

	if (!want)
		return;
	model(c, s, want);
	for (uint32_t k = 0; k < c->n_frames; k++) {
		const struct capture_frame *fr = &c->frames[k];
		n_want += want[k];
		if (want[k] && fr->tid < LAYERS)
			per_enc[fr->enc][fr->tid]++;
		if (want[k] != (r->forwarded[k] != 0) && wrong++ < 5)
			fprintf(stderr, "%s: frame %u of encoding %u (TID %u%s%s) %s\n", s->name,
				fr->index, fr->enc, fr->tid, fr->key ? ", key" : "",
				fr->sync ? ", Y" : "", want[k] ? "not forwarded" : "forwarded");
	}
	CHECK(wrong == 0, "%s: %u frames forwarded or dropped against select.h's rules",
	      s->name, wrong);
	printf("    %s: the rules give %u frames:", s->name, n_want);
	for (unsigned e = 0; e < ENCODINGS; e++)
		printf(" E%u %u/%u/%u", e, per_enc[e][0], per_enc[e][1], per_enc[e][2]);
	printf(" (TID 0/1/2)\n");
	free(want);
}

/* ---- Decoding ---------------------------------------------------------------- */

/* Each encoding alone, as the publisher sent it: the reference pictures. */
static struct decoded reference(const char *tool, const struct capture *c, uint8_t e)
{
	char path[4096];
	struct decoded d = { .status = -1 };
	FILE *out = decode_temp_file(path, sizeof(path), "strata-vp8-simulcast-ref");

	if (!out)
		return d;
	for (uint32_t i = 0; i < c->file.count; i++)
		if (c->enc[i] == e && rtp_file_write_packet(out, c->file.packets[i].data,
							    c->file.packets[i].len) != 0)
			break;
	if (fclose(out) == 0)
		d = decode_hashes(tool, path, 32);
	unlink(path);
	return d;
}

int main(int argc, char **argv)
{
	static struct capture cap;
	const char *tool = argc > 4 ? argv[4] : NULL;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: test_dp_vp8_simulcast CAPTURE SIDECAR WEBRTC_SUMMARY "
				"[VP8_DECODE_CHECK]\n");
		return 2;
	}
	if (load_capture(argv[1], argv[2], &cap) != 0)
		return 1;
	printf("capture: %u packets, %u frames, %s, VP8 PictureIDs: %s\n", cap.file.count,
	       cap.n_frames, cap.dd_id ? "with the dependency descriptor" :
	       "VP8 payload descriptor only", cap.picture_ids ? "yes" : "no");
	for (unsigned e = 0; e < ENCODINGS; e++)
		printf("  encoding %u (SSRC %u): %u frames (TID 0/1/2: %u/%u/%u), %u keyframes\n", e,
		       cap.ssrc[e], cap.enc_frames[e], cap.by_tid[e][0], cap.by_tid[e][1],
		       cap.by_tid[e][2], cap.keys[e]);
	check_capture(&cap, argv[3], argv[1]);

	int decoding = decode_tool_probe(tool, "");
	struct decoded ref[ENCODINGS] = { 0 };
	for (unsigned e = 0; decoding && e < ENCODINGS; e++) {
		ref[e] = reference(tool, &cap, (uint8_t)e);
		CHECK(ref[e].status == 0 && ref[e].frames == cap.enc_frames[e] &&
		      ref[e].errors == 0 && ref[e].n_hashes == cap.enc_frames[e],
		      "reference E%u: status %d, %u of %u frames (%u hashes), %u errors", e,
		      ref[e].status, ref[e].frames, cap.enc_frames[e], ref[e].n_hashes,
		      ref[e].errors);
		printf("  encoding %u decodes alone: %u frames\n", e, ref[e].frames);
	}

	for (unsigned k = 0; k < ARRAY_LEN(scenarios); k++) {
		const struct scenario *s = &scenarios[k];
		char path[4096];
		struct result r;
		FILE *out = decode_temp_file(path, sizeof(path), "strata-vp8-simulcast");

		if (!out) {
			CHECK(0, "cannot create %s", path);
			continue;
		}
		run(&cap, s, out, &r);
		CHECK(fclose(out) == 0, "%s: write failed", s->name);
		bool fixed = !memcmp(&s->targets[0], &s->targets[1], sizeof(s->targets[0])) &&
			     !memcmp(&s->targets[1], &s->targets[2], sizeof(s->targets[0]));
		if (s->lose_frame) {
			CHECK(r.lost != ~0u && !r.forwarded[r.lost], "%s: no frame to lose", s->name);
			/* What sees the loss: TL0PICIDX (which jumps), or with the
			 * descriptor the references to the frame lost. */
			CHECK(r.violations > 0, "%s: the receiver's view sees nothing wrong", s->name);
			printf("    %s: the receiver's view has %u faults\n", s->name, r.violations);
		}
		else if (fixed)
			check_fixed(&cap, s, &r);
		else
			check_moving(&cap, s, &r);
		if (!s->lose_frame)
			check_model(&cap, s, &r);
		printf("%-34s forwarded %3u packets, %3u frames", s->name, r.packets, r.frames);
		if (decoding) {
			struct decoded d = decode_hashes(tool, path, 32);
			unsigned differ = 0;
			for (uint32_t q = 0; q < r.frames; q++) {
				const struct capture_frame *fr = &cap.frames[r.index[q]];
				const struct decoded *rf = &ref[fr->enc];
				differ += q >= d.n_hashes || fr->index >= rf->n_hashes ||
					  strcmp(d.hashes[q], rf->hashes[fr->index]) != 0;
			}
			printf("; decoded %u, %u errors, %u pictures differ from the encoding's own",
			       d.frames, d.errors, differ);
			if (s->lose_frame) {
				CHECK(differ > 0 || d.errors > 0 || d.frames != r.frames, "%s: broken "
				      "on purpose, yet every picture matches: the check sees nothing",
				      s->name);
			} else {
				CHECK(d.status == 0, "%s: vp8_decode_check exited with %d", s->name,
				      d.status);
				CHECK(d.packets == r.packets, "%s: the decoder read %u packets of %u",
				      s->name, d.packets, r.packets);
				CHECK(d.frames == r.frames, "%s: %u frames decoded, %u forwarded",
				      s->name, d.frames, r.frames);
				CHECK(d.errors == 0, "%s: %u decode errors", s->name, d.errors);
				CHECK(differ == 0, "%s: %u decoded pictures differ from the same frames "
				      "of the encoding decoded alone", s->name, differ);
			}
			decoded_free(&d);
		}
		printf("\n");
		unlink(path);
		free(r.index);
		free(r.forwarded);
	}
	for (unsigned e = 0; e < ENCODINGS; e++)
		decoded_free(&ref[e]);
	free_capture(&cap);

	int status = test_summary(cap.dd_id ? "dp_vp8_simulcast_dd" : "dp_vp8_simulcast");
	if (status == 0 && !decoding) {
		printf("SKIP: the offline checks passed, but nothing was decoded: %s\n",
		       tool && *tool ? "vp8_decode_check --probe failed (are GStreamer's "
				       "rtpvp8depay and vp8dec installed?)"
				     : "vp8_decode_check was not built (libgstreamer1.0-dev missing); "
				       "run scripts/setup");
		return 77;
	}
	return status;
}
