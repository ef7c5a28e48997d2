/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/select.c: one receiver's layer decision.
 *
 *  - Scenarios as tables: each step is one packet (its encoding, frame
 *    bits, temporal layer, PictureID), the targets in force, the outcome
 *    expected and the receiver's layer after it.
 *  - Random streams (temporal patterns, Y bits, keyframes, packets per
 *    frame, targets that move) against a model of what each frame
 *    references: no receiver ever gets a frame that references one it did
 *    not get, every packet of a frame gets one decision, and a receiver
 *    reaches its target.
 */
#include "select.h"
#include "test_util.h"

/* Packet flags. */
#define S 0x01       /* first packet of a frame */
#define K 0x02       /* ... of a keyframe (with S) */
#define Y 0x04       /* sync bit */
#define NL 0x08      /* no layer information (has_layers = 0) */
#define NP 0x10      /* no PictureID */
#define P7 0x20      /* 7-bit PictureID */

#define FWD DP_SELECT_FORWARD
#define LF DP_SELECT_LAYER_FILTERED
#define WAIT DP_SELECT_WAITING_KEYFRAME
#define OTHER DP_SELECT_OTHER_ENCODING
#define SW DP_SELECT_SWITCHED_ENCODING
#define KN DP_SELECT_KEYFRAME_NEEDED

#define ANY (-1)

struct step {
	uint8_t enc, flags, tid;
	uint16_t pid;
	uint8_t target_s, target_t;
	int expect;
	int cur_t;   /* cur_temporal after the step, or ANY */
	int cur_s;   /* cur_spatial after the step, or ANY */
};

struct scenario {
	const char *name;
	struct step steps[24]; /* up to END_STEP */
};

#define NONE DP_NONE
/* Ends a scenario's steps. */
#define END_STEP { .enc = 0xff }

static const struct scenario scenarios[] = {
	{ "1 waits for a keyframe of the target, then starts on it", {
		{ 0, 0, 0, 10, 0, 2, WAIT | KN, ANY, NONE },
		{ 0, S, 0, 11, 0, 2, WAIT | KN, ANY, NONE },
		{ 0, S | K, 0, 12, 0, 2, FWD | SW, 2, 0 },
		{ 0, 0, 0, 12, 0, 2, FWD, 2, 0 },
		{ 0, S | Y, 2, 13, 0, 2, FWD, 2, 0 },
		{ 0, S, 0, 14, 0, 2, FWD, 2, 0 },
		END_STEP,
	} },
	{ "2 T0 of 0,2,1,2: only layer 0", {
		{ 0, S | K, 0, 0, 0, 0, FWD | SW, 0, 0 },
		{ 0, 0, 0, 0, 0, 0, FWD, 0, 0 },
		{ 0, S | Y, 2, 1, 0, 0, LF, 0, 0 },
		{ 0, 0, 2, 1, 0, 0, LF, 0, 0 },
		{ 0, S | Y, 1, 2, 0, 0, LF, 0, 0 },
		{ 0, S, 2, 3, 0, 0, LF, 0, 0 },
		{ 0, S, 0, 4, 0, 0, FWD, 0, 0 },
		{ 0, 0, 0, 4, 0, 0, FWD, 0, 0 },
		{ 0, S | Y, 2, 5, 0, 0, LF, 0, 0 },
		END_STEP,
	} },
	{ "3 T1 of 0,2,1,2: layers 0 and 1", {
		{ 0, S | K, 0, 0, 0, 1, FWD | SW, 1, 0 },
		{ 0, S | Y, 2, 1, 0, 1, LF, 1, 0 },
		{ 0, S | Y, 1, 2, 0, 1, FWD, 1, 0 },
		{ 0, 0, 1, 2, 0, 1, FWD, 1, 0 },
		{ 0, S, 2, 3, 0, 1, LF, 1, 0 },
		{ 0, S, 0, 4, 0, 1, FWD, 1, 0 },
		{ 0, S | Y, 2, 5, 0, 1, LF, 1, 0 },
		{ 0, S | Y, 1, 6, 0, 1, FWD, 1, 0 },
		END_STEP,
	} },
	{ "4 T2 of 0,2,1,2: everything", {
		{ 0, S | K, 0, 0, 0, 2, FWD | SW, 2, 0 },
		{ 0, S | Y, 2, 1, 0, 2, FWD, 2, 0 },
		{ 0, S | Y, 1, 2, 0, 2, FWD, 2, 0 },
		{ 0, S, 2, 3, 0, 2, FWD, 2, 0 },
		{ 0, 0, 2, 3, 0, 2, FWD, 2, 0 },
		{ 0, S, 0, 4, 0, 2, FWD, 2, 0 },
		END_STEP,
	} },
	{ "5 up 0 -> 2 one layer at a time, each at a Y frame of the next layer", {
		{ 0, S | K, 0, 0, 0, 0, FWD | SW, 0, 0 },
		{ 0, S | Y, 2, 1, 0, 0, LF, 0, 0 },
		{ 0, S | Y, 1, 2, 0, 0, LF, 0, 0 },
		{ 0, S, 2, 3, 0, 0, LF, 0, 0 },
		{ 0, S, 0, 4, 0, 2, FWD, 0, 0 },
		/* Y at layer 2 while at 0: layer 1 frames after it could
		 * reference layer 1 frames never sent, so not yet. */
		{ 0, S | Y, 2, 5, 0, 2, LF, 0, 0 },
		{ 0, S | Y, 1, 6, 0, 2, FWD, 1, 0 },
		{ 0, 0, 1, 6, 0, 2, FWD, 1, 0 },
		{ 0, S, 2, 7, 0, 2, LF, 1, 0 },
		{ 0, S, 0, 8, 0, 2, FWD, 1, 0 },
		{ 0, S | Y, 2, 9, 0, 2, FWD, 2, 0 },
		{ 0, S | Y, 1, 10, 0, 2, FWD, 2, 0 },
		{ 0, S, 2, 11, 0, 2, FWD, 2, 0 },
		END_STEP,
	} },
	{ "6 up-switch waits for a Y frame: non-Y frames of the layer stay out", {
		{ 0, S | K, 0, 0, 0, 0, FWD | SW, 0, 0 },
		{ 0, S, 1, 1, 0, 1, LF, 0, 0 },
		{ 0, S, 0, 2, 0, 1, FWD, 0, 0 },
		{ 0, S, 1, 3, 0, 1, LF, 0, 0 },
		{ 0, S | Y, 1, 4, 0, 1, FWD, 1, 0 },
		{ 0, S, 1, 5, 0, 1, FWD, 1, 0 },
		{ 0, S, 0, 6, 0, 1, FWD, 1, 0 },
		END_STEP,
	} },
	{ "7 down-switch takes effect at the next frame, never mid-frame", {
		{ 0, S | K, 0, 0, 0, 2, FWD | SW, 2, 0 },
		{ 0, S | Y, 2, 1, 0, 2, FWD, 2, 0 },
		{ 0, 0, 2, 1, 0, 0, FWD, 2, 0 },
		{ 0, 0, 2, 1, 0, 0, FWD, 2, 0 },
		{ 0, S | Y, 1, 2, 0, 0, LF, 0, 0 },
		{ 0, 0, 1, 2, 0, 0, LF, 0, 0 },
		{ 0, S, 2, 3, 0, 0, LF, 0, 0 },
		{ 0, S, 0, 4, 0, 0, FWD, 0, 0 },
		END_STEP,
	} },
	{ "8 simulcast switch waits for the target's keyframe; the current flows", {
		{ 0, S | K, 0, 100, 0, 2, FWD | SW, 2, 0 },
		{ 1, S, 0, 500, 0, 2, OTHER, 2, 0 },
		{ 1, S, 0, 501, 1, 2, OTHER | KN, 2, 0 },
		{ 0, S | Y, 2, 101, 1, 2, FWD, 2, 0 },
		{ 1, 0, 0, 501, 1, 2, OTHER | KN, 2, 0 },
		{ 0, 0, 2, 101, 1, 2, FWD, 2, 0 },
		{ 1, S | K, 0, 502, 1, 1, FWD | SW, 1, 1 },
		{ 0, S | Y, 1, 102, 1, 1, OTHER, 1, 1 },
		{ 1, 0, 0, 502, 1, 1, FWD, 1, 1 },
		{ 1, S | Y, 2, 503, 1, 1, LF, 1, 1 },
		{ 1, S | Y, 1, 504, 1, 1, FWD, 1, 1 },
		/* and back down: encoding 1 flows until encoding 0's keyframe */
		{ 0, S, 0, 105, 0, 1, OTHER | KN, 1, 1 },
		{ 1, S, 0, 505, 0, 1, FWD, 1, 1 },
		{ 0, S | K, 0, 106, 0, 1, FWD | SW, 1, 0 },
		{ 1, 0, 0, 505, 0, 1, OTHER, 1, 0 },
		END_STEP,
	} },
	{ "9 an encoding nobody targets is never forwarded nor asked for", {
		{ 2, S | K, 0, 1, 0, 2, OTHER, ANY, NONE },
		{ 0, S | K, 0, 7, 0, 2, FWD | SW, 2, 0 },
		{ 2, S | K, 0, 2, 0, 2, OTHER, 2, 0 },
		END_STEP,
	} },
	{ "10 without layer information the stream goes whole", {
		{ 0, S | NL, 0, 0, 0, 0, WAIT | KN, ANY, NONE },
		{ 0, S | K | NL, 0, 1, 0, 0, FWD | SW, 0, 0 },
		{ 0, NL, 0, 1, 0, 0, FWD, 0, 0 },
		{ 0, S | NL, 0, 2, 0, 0, FWD, 0, 0 },
		{ 0, S | NL | NP, 0, 0, 0, 0, FWD, 0, 0 },
		{ 0, NL | NP, 0, 0, 0, 0, FWD, 0, 0 },
		END_STEP,
	} },
	{ "11 a keyframe labelled with a higher layer still reaches a T0 receiver", {
		{ 0, S | K, 2, 40, 0, 0, FWD | SW, 0, 0 },
		{ 0, 0, 2, 40, 0, 0, FWD, 0, 0 },
		{ 0, S | Y, 2, 41, 0, 0, LF, 0, 0 },
		{ 0, S, 0, 42, 0, 0, FWD, 0, 0 },
		{ 0, S | K, 1, 43, 0, 0, FWD, 0, 0 },
		{ 0, 0, 1, 43, 0, 0, FWD, 0, 0 },
		END_STEP,
	} },
	{ "12 a frame's later packet arriving before its first gets one decision", {
		{ 0, S | K, 0, 0, 0, 1, FWD | SW, 1, 0 },
		/* frame 1 (layer 2, Y) while the target is 2: up at its first-seen packet */
		{ 0, Y, 2, 1, 0, 2, FWD, 2, 0 },
		{ 0, S | Y, 2, 1, 0, 2, FWD, 2, 0 },
		/* frame 2 (layer 2) after a down-switch to 1, seen out of order */
		{ 0, 0, 2, 2, 0, 1, LF, 1, 0 },
		{ 0, S, 2, 2, 0, 1, LF, 1, 0 },
		{ 0, 0, 2, 2, 0, 1, LF, 1, 0 },
		END_STEP,
	} },
	{ "13 a late packet of the previous frame keeps that frame's decision", {
		{ 0, S | K, 0, 0, 0, 2, FWD | SW, 2, 0 },
		{ 0, S | Y, 2, 1, 0, 2, FWD, 2, 0 },
		{ 0, S | Y, 1, 2, 0, 0, LF, 0, 0 },
		{ 0, 0, 2, 1, 0, 0, FWD, 0, 0 },   /* frame 1 was forwarded: finish it */
		{ 0, 0, 1, 2, 0, 0, LF, 0, 0 },
		/* now up at frame 5 while frame 4 (layer 2, no Y) was dropped */
		{ 0, S, 0, 3, 0, 1, FWD, 0, 0 },
		{ 0, S, 2, 4, 0, 1, LF, 0, 0 },
		{ 0, S | Y, 1, 5, 0, 1, FWD, 1, 0 },
		{ 0, 0, 2, 4, 0, 1, LF, 1, 0 },    /* frame 4 stays out */
		{ 0, 0, 1, 5, 0, 1, FWD, 1, 0 },
		/* older than the last two: judged by its layer */
		{ 0, 0, 1, 2, 0, 1, FWD, 1, 0 },
		{ 0, 0, 2, 1, 0, 1, LF, 1, 0 },
		END_STEP,
	} },
	{ "14 a late or repeated first packet decides nothing again", {
		{ 0, S | K, 0, 0, 0, 1, FWD | SW, 1, 0 },
		{ 0, S | Y, 1, 1, 0, 1, FWD, 1, 0 },
		{ 0, S | Y, 1, 1, 0, 0, FWD, 1, 0 },   /* repeated: same decision, no switch */
		{ 0, S, 0, 2, 0, 0, FWD, 0, 0 },
		{ 0, S | Y, 1, 1, 0, 0, FWD, 0, 0 },   /* previous frame's decision */
		{ 0, S | K, 1, 0, 0, 2, LF, 0, 0 },    /* old keyframe: no switch, by layer */
		END_STEP,
	} },
	{ "15 without PictureIDs a frame's packets follow its first packet", {
		{ 0, S | K | NP, 2, 0, 0, 0, FWD | SW, 0, 0 },
		{ 0, NP, 2, 0, 0, 0, FWD, 0, 0 },
		{ 0, S | Y | NP, 2, 0, 0, 0, LF, 0, 0 },
		{ 0, NP, 2, 0, 0, 0, LF, 0, 0 },
		{ 0, S | Y | NP, 1, 0, 0, 1, FWD, 1, 0 },
		{ 0, NP, 1, 0, 0, 0, FWD, 1, 0 },      /* target down mid-frame: finish it */
		{ 0, S | NP, 0, 0, 0, 0, FWD, 0, 0 },
		END_STEP,
	} },
	{ "16 7-bit PictureIDs across their wrap", {
		{ 0, S | K | P7, 0, 125, 0, 1, FWD | SW, 1, 0 },
		{ 0, S | Y | P7, 2, 126, 0, 1, LF, 1, 0 },
		{ 0, S | Y | P7, 1, 127, 0, 1, FWD, 1, 0 },
		{ 0, S | P7, 2, 0, 0, 1, LF, 1, 0 },
		{ 0, P7, 1, 127, 0, 1, FWD, 1, 0 },    /* previous frame, across the wrap */
		{ 0, P7, 2, 0, 0, 1, LF, 1, 0 },
		{ 0, S | P7, 0, 1, 0, 1, FWD, 1, 0 },
		END_STEP,
	} },
	{ "17 a new subscription: delta frames of the target ask for a keyframe", {
		{ 0, S | Y, 2, 9, 0, 2, WAIT | KN, ANY, NONE },
		{ 0, 0, 2, 9, 0, 2, WAIT | KN, ANY, NONE },
		{ 1, S, 0, 3, 0, 2, OTHER, ANY, NONE },
		{ 0, S | K, 0, 12, 0, 2, FWD | SW, 2, 0 },
		END_STEP,
	} },
	{ "18 a keyframe's later packet arriving before its first: only the rest goes", {
		/* Waiting: the early packet cannot be known as a keyframe's; the
		 * receiver sees a gap there and asks for it again. */
		{ 0, 0, 0, 7, 0, 2, WAIT | KN, ANY, NONE },
		{ 0, S | K, 0, 7, 0, 2, FWD | SW, 2, 0 },
		{ 0, 0, 0, 7, 0, 2, FWD, 2, 0 },
		/* Started: a layer-0 keyframe's early packet goes by its layer. */
		{ 0, 0, 0, 8, 0, 0, FWD, 0, 0 },
		{ 0, S | K, 0, 8, 0, 0, FWD, 0, 0 },
		END_STEP,
	} },
};

static void fill_fi(const struct step *st, struct dp_frame_info *fi)
{
	memset(fi, 0, sizeof(*fi));
	fi->frame_start = !!(st->flags & S);
	fi->keyframe = (st->flags & (S | K)) == (S | K);
	fi->sync = !!(st->flags & Y);
	fi->has_layers = !(st->flags & NL);
	fi->temporal = fi->has_layers ? st->tid : 0;
	fi->has_picture_id = !(st->flags & NP);
	fi->picture_id_bits = fi->has_picture_id ? (st->flags & P7 ? 7 : 15) : 0;
	fi->picture_id = fi->has_picture_id ? st->pid : 0;
}

static void new_sub(struct dp_sub *sub, struct dp_select_frame *frame)
{
	memset(sub, 0, sizeof(*sub));
	memset(frame, 0, sizeof(*frame));
	sub->cur_spatial = DP_NONE;
}

static void run_scenario(const struct scenario *sc)
{
	static struct dp_stream streams[4];
	static struct dp_sub sub;
	struct dp_select_frame frame;

	for (unsigned e = 0; e < ARRAY_LEN(streams); e++)
		streams[e].encoding = (uint8_t)e;
	new_sub(&sub, &frame);
	for (unsigned i = 0; i < ARRAY_LEN(sc->steps); i++) {
		const struct step *st = &sc->steps[i];
		struct dp_frame_info fi;

		if (st->enc == 0xff)
			break;
		fill_fi(st, &fi);
		int got = dp_select_packet(&sub, &frame, &streams[st->enc], &fi, st->target_s,
					   st->target_t);
		CHECK(got == st->expect, "scenario \"%s\" step %u: got %#x, expected %#x", sc->name,
		      i, got, st->expect);
		CHECK(st->cur_t == ANY || sub.cur_temporal == st->cur_t,
		      "scenario \"%s\" step %u: cur_temporal %u, expected %d", sc->name, i,
		      sub.cur_temporal, st->cur_t);
		CHECK(st->cur_s == ANY || sub.cur_spatial == st->cur_s,
		      "scenario \"%s\" step %u: cur_spatial %u, expected %d", sc->name, i,
		      sub.cur_spatial, st->cur_s);
		CHECK(sub.waiting_keyframe == (sub.cur_spatial != st->target_s),
		      "scenario \"%s\" step %u: waiting_keyframe %u", sc->name, i,
		      sub.waiting_keyframe);
		CHECK(dp_select_reason(got) == DP_SELECT_FORWARD || !(got & SW),
		      "scenario \"%s\" step %u: SWITCHED on a drop", sc->name, i);
	}
}

/* ---- random streams against a reference model --------------------------- */

/*
 * The model: VP8 temporal layering with one reference buffer per layer
 * (what libvpx and libwebrtc do).  A frame of layer L references the
 * newest frame of every layer <= L, except a Y frame, which references
 * only the newest layer 0 frame, and a keyframe, which references nothing
 * and becomes the newest frame of every layer.
 */
enum { FRAMES = 4000, MAX_LAYER = 2 };

struct frame_desc {
	uint8_t tid, y, key, packets;
};

static void random_run(uint64_t seed, int pattern)
{
	static struct frame_desc frames[FRAMES];
	static uint8_t forwarded[FRAMES];
	static struct dp_stream stream;
	static struct dp_sub sub;
	struct dp_select_frame frame;
	uint64_t rng = seed;
	int newest[MAX_LAYER + 1];
	unsigned next_key = 0;
	uint8_t target = 0;
	unsigned hold = 0, fwd_frames = 0;

	new_sub(&sub, &frame);
	for (unsigned f = 0; f < FRAMES; f++) {
		struct frame_desc *d = &frames[f];
		unsigned pos = f % 4;

		d->key = f == next_key;
		if (d->key)
			next_key = f + 20 + test_rand(&rng) % 100;
		if (pattern == 0) { /* 0,2,1,2 with Y on 2 and 1, as our captures */
			static const uint8_t tids[] = { 0, 2, 1, 2 };
			d->tid = tids[pos];
			d->y = pos == 1 || pos == 2;
		} else if (pattern == 1) { /* libwebrtc style: Y only on the first
					    * layer 1 and 2 frames of every 8 */
			static const uint8_t tids[] = { 0, 2, 1, 2 };
			d->tid = tids[pos];
			d->y = (f % 8 == 1) || (f % 8 == 2);
		} else { /* anything */
			d->tid = (uint8_t)(test_rand(&rng) % 3);
			d->y = d->tid && test_rand(&rng) % 4 == 0;
		}
		if (d->key)
			d->tid = test_rand(&rng) % 4 == 0 ? 2 : 0;
		d->packets = (uint8_t)(1 + test_rand(&rng) % 3);
	}

	for (unsigned f = 0; f < FRAMES; f++) {
		const struct frame_desc *d = &frames[f];
		int decision = -1;

		/* Targets move now and then; hold still at the end so the receiver
		 * must reach the target. */
		if (f < FRAMES - 200 && hold-- == 0) {
			target = (uint8_t)(test_rand(&rng) % (MAX_LAYER + 1));
			hold = test_rand(&rng) % 40;
		} else if (f == FRAMES - 200) {
			target = MAX_LAYER;
		}
		/* The first packet first, or (pattern 2) sometimes a later one.  Not
		 * for keyframes: a keyframe is known by its first packet, so a later
		 * one seen first is judged as an ordinary frame (and while waiting
		 * for a keyframe, dropped: scenario 18). */
		unsigned first = d->packets > 1 && pattern == 2 && !d->key &&
				 test_rand(&rng) % 4 == 0;
		for (unsigned k = 0; k < d->packets; k++) {
			unsigned which = k == 0 ? first : (k == first ? 0 : k);
			struct dp_frame_info fi = {
				.frame_start = which == 0,
				.keyframe = which == 0 && d->key,
				.temporal = d->tid,
				.sync = d->y,
				.has_layers = 1,
				.has_picture_id = 1,
				.picture_id_bits = 15,
				.picture_id = (uint16_t)((f + 32000) & 0x7fff),
			};
			/* Sometimes the target moves in the middle of a frame. */
			if (k > 0 && f < FRAMES - 200 && test_rand(&rng) % 8 == 0)
				target = (uint8_t)(test_rand(&rng) % (MAX_LAYER + 1));
			int got = dp_select_packet(&sub, &frame, &stream, &fi, 0, target);
			int fwd = dp_select_reason(got) == DP_SELECT_FORWARD;

			if (decision < 0)
				decision = fwd;
			CHECK(decision == fwd, "random %llu/%d: frame %u packet %u: decision %d, "
			      "the frame's first packet got %d", (unsigned long long)seed, pattern,
			      f, which, fwd, decision);
		}
		forwarded[f] = (uint8_t)decision;
		fwd_frames += forwarded[f];

		/* What this frame references, and whether the receiver has it. */
		if (d->key) {
			for (int l = 0; l <= MAX_LAYER; l++)
				newest[l] = (int)f;
			continue;
		}
		if (forwarded[f]) {
			CHECK(sub.cur_spatial == 0, "random: forwarded before any keyframe");
			for (int l = 0; l <= (d->y ? 0 : d->tid); l++)
				CHECK(forwarded[newest[l]], "random %llu/%d: frame %u (TID %u Y %u) "
				      "forwarded, but it references frame %d, which was not",
				      (unsigned long long)seed, pattern, f, d->tid, d->y, newest[l]);
		}
		newest[d->tid] = (int)f;
	}
	if (pattern != 2)
		CHECK(sub.cur_temporal == MAX_LAYER, "random %llu/%d: stuck at layer %u",
		      (unsigned long long)seed, pattern, sub.cur_temporal);
	CHECK(fwd_frames > FRAMES / 4, "random %llu/%d: only %u frames forwarded",
	      (unsigned long long)seed, pattern, fwd_frames);
}

int main(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(scenarios); i++)
		run_scenario(&scenarios[i]);
	for (uint64_t seed = 1; seed <= 20; seed++)
		for (int pattern = 0; pattern < 3; pattern++)
			random_run(seed, pattern);
	return test_summary("dp_select");
}
