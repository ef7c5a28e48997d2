/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/select.c for streams with spatial layers (VP9, RFC 9628):
 * scenarios as tables.  Each step is one packet (its encoding, PictureID,
 * SID, TID and descriptor bits), the targets in force, the outcome
 * expected, the receiver's spatial and temporal layers after it and the
 * RTP marker bit of its copy (dp_select_marker).
 *
 * The pictures follow libwebrtc's L3T3: TIDs 0, 2, 1, 2 after each key
 * picture (P_DIFFs 4, 1, 2, 1, or its picture group in non-flexible mode),
 * every picture a switching-up point (U), key pictures whose SID 0 frame
 * carries the SS and whose upper frames have P = 0 and D = 1; full SVC (D
 * on every upper frame, what Chromium sends for scalabilityMode L3T3: see
 * tests/data/vp9) or k-SVC (D on key pictures only, its default without a
 * scalabilityMode).  Selection reads no P_DIFF, so one table serves both
 * modes.  test_dp_select_svc_model.c checks random streams against their
 * references, test_dp_vp9_layers.c the real capture with a decoder.
 */
#include "select.h"
#include "test_util.h"

/* Packet flags. */
#define S 0x001  /* B: first packet of the layer frame */
#define E 0x002  /* E: its last packet */
#define P 0x004  /* P: inter-picture predicted */
#define D 0x008  /* D: depends on the layer below */
#define U 0x010  /* U: switching-up point */
#define K 0x020  /* the first packet of a key picture (fi->keyframe) */
#define M 0x040  /* the input's RTP marker */
#define NP 0x080 /* no PictureID */
#define P7 0x100 /* 7-bit PictureID */
#define NL 0x200 /* no layer indices */

#define FWD DP_SELECT_FORWARD
#define LF DP_SELECT_LAYER_FILTERED
#define WAIT DP_SELECT_WAITING_KEYFRAME
#define OTHER DP_SELECT_OTHER_ENCODING
#define SW DP_SELECT_SWITCHED_ENCODING
#define KN DP_SELECT_KEYFRAME_NEEDED

#define ANY (-1)
#define ALL DP_SELECT_ALL_LAYERS

struct step {
	uint8_t enc;
	uint16_t pid;
	uint8_t sid, tid;
	uint16_t flags;
	uint8_t ss;         /* the packet's SS: layers, 0 = none */
	uint8_t ts, tt;     /* targets: spatial, temporal */
	int expect;
	int layer, temporal; /* after the step, or ANY */
	int marker;          /* of the forwarded copy, or ANY */
	uint8_t te;          /* target encoding (0 unless given) */
};

struct scenario {
	const char *name;
	struct step steps[40];
};

#define END { .enc = 0xff }

static const struct scenario scenarios[] = {
	{ "1 S2T2 gets all of L3T3; it starts at the key picture", {
		{ 0, 99, 0, 2, S | E | P | U, 0, 2, 2, WAIT | KN, ANY, ANY, ANY },
		{ 0, 100, 0, 0, S | E | K | U, 3, 2, 2, FWD | SW, 2, 2, 0 },
		{ 0, 100, 1, 0, S | E | D | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 100, 2, 0, S | E | D | U | M, 0, 2, 2, FWD, 2, 2, 1 },
		{ 0, 101, 0, 2, S | E | P | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 101, 1, 2, S | E | P | D | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 101, 2, 2, S | P | D | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 101, 2, 2, E | P | D | U | M, 0, 2, 2, FWD, 2, 2, 1 },
		{ 0, 102, 0, 1, S | E | P | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 102, 1, 1, S | E | P | D | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 102, 2, 1, S | E | P | D | U | M, 0, 2, 2, FWD, 2, 2, 1 },
		END,
	} },
	{ "2 S1T1: SID 2 and TID 2 stay out; the marker moves to SID 1's last packet", {
		{ 0, 100, 0, 0, S | E | K | U, 3, 1, 1, FWD | SW, 1, 1, 0 },
		{ 0, 100, 1, 0, S | E | D | U, 0, 1, 1, FWD, 1, 1, 1 },
		{ 0, 100, 2, 0, S | E | D | U | M, 0, 1, 1, LF, 1, 1, ANY },
		{ 0, 101, 0, 2, S | E | P | U, 0, 1, 1, LF, 1, 1, ANY },
		{ 0, 101, 1, 2, S | E | P | D | U, 0, 1, 1, LF, 1, 1, ANY },
		{ 0, 101, 2, 2, S | E | P | D | U | M, 0, 1, 1, LF, 1, 1, ANY },
		{ 0, 102, 0, 1, S | E | P | U, 0, 1, 1, FWD, 1, 1, 0 },
		{ 0, 102, 1, 1, S | P | D | U, 0, 1, 1, FWD, 1, 1, 0 },
		{ 0, 102, 1, 1, E | P | D | U, 0, 1, 1, FWD, 1, 1, 1 },
		{ 0, 102, 2, 1, S | E | P | D | U | M, 0, 1, 1, LF, 1, 1, ANY },
		{ 0, 103, 0, 2, S | E | P | U, 0, 1, 1, LF, 1, 1, ANY },
		{ 0, 104, 0, 0, S | E | P | U, 0, 1, 1, FWD, 1, 1, 0 },
		{ 0, 104, 1, 0, S | E | P | D | U, 0, 1, 1, FWD, 1, 1, 1 },
		END,
	} },
	{ "3 temporal up at a U picture whose TID the receiver gets: straight to the target", {
		{ 0, 100, 0, 0, S | E | K | U | M, 1, 0, 0, FWD | SW, 0, 0, 1 },
		{ 0, 101, 0, 2, S | E | P | U | M, 0, 0, 2, LF, 0, 0, ANY },
		{ 0, 102, 0, 1, S | E | P | U | M, 0, 0, 2, LF, 0, 0, ANY },
		{ 0, 103, 0, 2, S | E | P | U | M, 0, 0, 2, LF, 0, 0, ANY },
		{ 0, 104, 0, 0, S | E | P | U | M, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 105, 0, 2, S | E | P | U | M, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 106, 0, 1, S | E | P | U | M, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 107, 0, 2, S | E | P | U | M, 0, 0, 2, FWD, 0, 2, 1 },
		END,
	} },
	{ "4 no up-switch without U, nor at a U picture above the receiver (unlike VP8's Y)", {
		{ 0, 200, 0, 0, S | E | K | U | M, 1, 0, 0, FWD | SW, 0, 0, 1 },
		{ 0, 201, 0, 2, S | E | P | U | M, 0, 0, 2, LF, 0, 0, ANY },
		/* U and TID 1 while at 0: a later TID 1 picture may reference an
		 * earlier TID 1 picture the receiver never got. */
		{ 0, 202, 0, 1, S | E | P | U | M, 0, 0, 2, LF, 0, 0, ANY },
		{ 0, 203, 0, 2, S | E | P | M, 0, 0, 2, LF, 0, 0, ANY },
		{ 0, 204, 0, 0, S | E | P | M, 0, 0, 2, FWD, 0, 0, 1 },
		{ 0, 205, 0, 2, S | E | P | U | M, 0, 0, 2, LF, 0, 0, ANY },
		{ 0, 206, 0, 1, S | E | P | U | M, 0, 0, 2, LF, 0, 0, ANY },
		{ 0, 208, 0, 0, S | E | P | U | M, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 209, 0, 2, S | E | P | M, 0, 0, 2, FWD, 0, 2, 1 },
		END,
	} },
	{ "5 from T1 up at a U picture of TID 1; down at the next picture, never mid-frame", {
		{ 0, 300, 0, 0, S | E | K | U | M, 1, 0, 1, FWD | SW, 0, 1, 1 },
		{ 0, 301, 0, 2, S | E | P | U | M, 0, 0, 1, LF, 0, 1, ANY },
		{ 0, 302, 0, 1, S | E | P | U | M, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 303, 0, 2, S | P | U, 0, 0, 2, FWD, 0, 2, 0 },
		{ 0, 303, 0, 2, P | U, 0, 0, 0, FWD, 0, 2, 0 },
		{ 0, 303, 0, 2, E | P | U | M, 0, 0, 0, FWD, 0, 2, 1 },
		{ 0, 304, 0, 0, S | E | P | U | M, 0, 0, 0, FWD, 0, 0, 1 },
		{ 0, 305, 0, 2, S | E | P | U | M, 0, 0, 0, LF, 0, 0, ANY },
		END,
	} },
	{ "6 spatial down at the next picture; the marker follows the top layer forwarded", {
		{ 0, 400, 0, 0, S | E | K | U, 3, 2, 2, FWD | SW, 2, 2, 0 },
		{ 0, 400, 1, 0, S | E | D | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 400, 2, 0, S | E | D | U | M, 0, 2, 2, FWD, 2, 2, 1 },
		{ 0, 401, 0, 2, S | E | P | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 401, 1, 2, S | E | P | D | U, 0, 0, 2, FWD, 2, 2, 0 },
		{ 0, 401, 2, 2, S | E | P | D | U | M, 0, 0, 2, FWD, 2, 2, 1 },
		{ 0, 402, 0, 1, S | E | P | U, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 402, 1, 1, S | E | P | D | U, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 402, 2, 1, S | E | P | D | U | M, 0, 0, 2, LF, 0, 2, ANY },
		END,
	} },
	{ "7 k-SVC: up waits for a key picture, asked for on the next layer's packets", {
		{ 0, 500, 0, 0, S | E | K | U, 3, 0, 2, FWD | SW, 0, 2, 1 },
		{ 0, 500, 1, 0, S | E | D | U, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 500, 2, 0, S | E | D | U | M, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 501, 0, 2, S | E | P | U, 0, 2, 2, FWD, 0, 2, 1 },
		{ 0, 501, 1, 2, S | E | P | U, 0, 2, 2, LF | KN, 0, 2, ANY },
		{ 0, 501, 2, 2, S | E | P | U | M, 0, 2, 2, LF, 0, 2, ANY },
		{ 0, 502, 1, 1, S | E | P | U, 0, 2, 2, LF | KN, 0, 2, ANY },
		{ 0, 503, 0, 0, S | E | K | U, 3, 2, 2, FWD, 2, 2, 0 },
		{ 0, 503, 1, 0, S | E | D | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 503, 2, 0, S | E | D | U | M, 0, 2, 2, FWD, 2, 2, 1 },
		{ 0, 504, 2, 2, S | E | P | U | M, 0, 2, 2, FWD, 2, 2, 1 },
		END,
	} },
	{ "8 up at layer refresh frames (P=0, D=1), one layer at a time", {
		{ 0, 600, 0, 0, S | E | K | U, 3, 0, 2, FWD | SW, 0, 2, 1 },
		{ 0, 600, 1, 0, S | E | D | U, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 600, 2, 0, S | E | D | U | M, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 601, 0, 2, S | E | P | U, 0, 2, 2, FWD, 0, 2, 1 },
		{ 0, 601, 1, 2, S | E | P | D | U, 0, 2, 2, LF | KN, 0, 2, ANY },
		/* a refresh of layer 2 while the receiver has only 0: not yet */
		{ 0, 601, 2, 2, S | E | D | U | M, 0, 2, 2, LF, 0, 2, ANY },
		/* Up in the middle of picture 604: its SID 0 was marked as the
		 * receiver's top layer, before the refresh of layer 1 came. */
		{ 0, 604, 0, 0, S | E | P | U, 0, 2, 2, FWD, 0, 2, 1 },
		{ 0, 604, 1, 0, S | E | D | U, 0, 2, 2, FWD, 1, 2, 1 },
		{ 0, 604, 2, 0, S | E | P | D | U | M, 0, 2, 2, LF | KN, 1, 2, ANY },
		{ 0, 605, 0, 2, S | E | P | U, 0, 2, 2, FWD, 1, 2, 0 },
		{ 0, 605, 1, 2, S | E | P | D | U, 0, 2, 2, FWD, 1, 2, 1 },
		{ 0, 605, 2, 2, S | E | P | D | U | M, 0, 2, 2, LF | KN, 1, 2, ANY },
		{ 0, 608, 0, 0, S | E | P | U, 0, 2, 2, FWD, 1, 2, 0 },
		{ 0, 608, 1, 0, S | E | P | D | U, 0, 2, 2, FWD, 1, 2, 1 },
		{ 0, 608, 2, 0, S | E | D | U | M, 0, 2, 2, FWD, 2, 2, 1 },
		{ 0, 609, 2, 2, S | E | P | D | U | M, 0, 2, 2, FWD, 2, 2, 1 },
		END,
	} },
	{ "9 an up-switch frame without U: temporal drops to its TID, climbs at the next U", {
		{ 0, 700, 0, 0, S | E | K | U, 2, 0, 2, FWD | SW, 0, 2, 1 },
		{ 0, 700, 1, 0, S | E | D | U | M, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 704, 0, 0, S | E | P, 0, 1, 2, FWD, 0, 2, 1 },
		{ 0, 704, 1, 0, S | E | D | M, 0, 1, 2, FWD, 1, 0, 1 },
		{ 0, 705, 0, 2, S | E | P | U, 0, 1, 2, LF, 1, 0, ANY },
		{ 0, 705, 1, 2, S | E | P | D | U | M, 0, 1, 2, LF, 1, 0, ANY },
		{ 0, 706, 0, 1, S | E | P | U, 0, 1, 2, LF, 1, 0, ANY },
		{ 0, 708, 0, 0, S | E | P | U, 0, 1, 2, FWD, 1, 2, 0 },
		{ 0, 708, 1, 0, S | E | P | D | U | M, 0, 1, 2, FWD, 1, 2, 1 },
		{ 0, 709, 0, 2, S | E | P | U, 0, 1, 2, FWD, 1, 2, 0 },
		{ 0, 709, 1, 2, S | E | P | D | U | M, 0, 1, 2, FWD, 1, 2, 1 },
		END,
	} },
	{ "10 a frame that depends (D) on a lower frame not forwarded takes the receiver below", {
		{ 0, 800, 0, 0, S | E | K | U, 2, 1, 1, FWD | SW, 1, 1, 0 },
		{ 0, 800, 1, 0, S | E | D | U | M, 0, 1, 1, FWD, 1, 1, 1 },
		/* layers of one picture with different TIDs */
		{ 0, 801, 0, 2, S | E | P, 0, 1, 1, LF, 1, 1, ANY },
		{ 0, 801, 1, 1, S | E | P | D | M, 0, 1, 1, LF | KN, 0, 1, ANY },
		{ 0, 802, 0, 0, S | E | P | U, 0, 1, 1, FWD, 0, 1, 1 },
		{ 0, 802, 1, 0, S | E | P | D | U | M, 0, 1, 1, LF | KN, 0, 1, ANY },
		{ 0, 804, 0, 0, S | E | P | U, 0, 1, 1, FWD, 0, 1, 1 },
		{ 0, 804, 1, 0, S | E | D | U | M, 0, 1, 1, FWD, 1, 1, 1 },
		END,
	} },
	{ "11 reordered: a frame's later packet first, a picture's SID 1 before its SID 0", {
		{ 0, 900, 0, 0, S | E | K | U, 2, 1, 2, FWD | SW, 1, 2, 0 },
		{ 0, 900, 1, 0, S | E | D | U | M, 0, 1, 2, FWD, 1, 2, 1 },
		{ 0, 901, 1, 2, E | P | D | U | M, 0, 1, 2, FWD, 1, 2, 1 },
		{ 0, 901, 0, 2, S | E | P | U, 0, 1, 2, FWD, 1, 2, 0 },
		{ 0, 901, 1, 2, S | P | D | U, 0, 1, 2, FWD, 1, 2, 0 },
		/* picture 902 begins with its SID 1, after a target down */
		{ 0, 902, 1, 1, S | E | P | D | U | M, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 902, 0, 1, S | E | P | U, 0, 0, 2, FWD, 0, 2, 1 },
		/* a late packet of 901: its picture's decision */
		{ 0, 901, 1, 2, P | D | U, 0, 0, 2, FWD, 0, 2, ANY },
		{ 0, 903, 0, 2, S | E | P | U, 0, 0, 2, FWD, 0, 2, 1 },
		END,
	} },
	{ "12 remembered pictures keep their decisions; older ones go by their layers", {
		{ 0, 1000, 0, 0, S | E | K | U, 3, 2, 2, FWD | SW, 2, 2, 0 },
		{ 0, 1000, 1, 0, S | E | D | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 1000, 2, 0, S | D | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 1001, 0, 2, S | E | P | U, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 1000, 2, 0, E | D | U | M, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 1001, 1, 2, S | E | P | D | U, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 1002, 0, 1, S | E | P | U, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 1003, 0, 2, S | E | P | U, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 1004, 0, 0, S | E | P | U, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 1000, 2, 0, E | D | U | M, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 1000, 0, 0, E | U, 0, 0, 2, FWD, 0, 2, ANY },
		END,
	} },
	{ "13 without PictureIDs: a frame beginning at or below the last SID begins a picture", {
		{ 0, 0, 0, 0, S | E | K | U | NP, 2, 1, 2, FWD | SW, 1, 2, 0 },
		{ 0, 0, 1, 0, S | E | D | U | M | NP, 0, 1, 2, FWD, 1, 2, 1 },
		{ 0, 0, 0, 2, S | P | U | NP, 0, 1, 2, FWD, 1, 2, 0 },
		{ 0, 0, 0, 2, E | P | U | NP, 0, 1, 2, FWD, 1, 2, 0 },
		{ 0, 0, 1, 2, S | E | P | D | U | M | NP, 0, 1, 2, FWD, 1, 2, 1 },
		{ 0, 0, 0, 1, S | E | P | U | NP, 0, 0, 2, FWD, 0, 2, 1 },
		{ 0, 0, 1, 1, S | E | P | D | U | M | NP, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 0, 0, 2, S | E | P | U | NP, 0, 0, 0, LF, 0, 0, ANY },
		END,
	} },
	{ "14 7-bit PictureIDs across their wrap", {
		{ 0, 126, 0, 0, S | E | K | U | P7, 2, 1, 1, FWD | SW, 1, 1, 0 },
		{ 0, 126, 1, 0, S | E | D | U | M | P7, 0, 1, 1, FWD, 1, 1, 1 },
		{ 0, 127, 0, 2, S | E | P | U | P7, 0, 1, 1, LF, 1, 1, ANY },
		{ 0, 0, 0, 1, S | E | P | U | P7, 0, 0, 1, FWD, 0, 1, 1 },
		{ 0, 127, 1, 2, S | E | P | D | U | M | P7, 0, 0, 1, LF, 0, 1, ANY },
		{ 0, 126, 1, 0, E | D | U | M | P7, 0, 0, 1, FWD, 0, 1, 1 },
		{ 0, 0, 1, 1, S | E | P | D | U | M | P7, 0, 0, 1, LF, 0, 1, ANY },
		{ 0, 1, 0, 2, S | E | P | U | P7, 0, 0, 1, LF, 0, 1, ANY },
		END,
	} },
	{ "15 a key picture beginning at SID 1 (layer 0 off in its SS): the lowest is 1", {
		{ 0, 1100, 1, 0, S | E | K | U | M, 2, 0, 2, FWD | SW, 1, 2, 1 },
		{ 0, 1101, 1, 2, S | E | P | U | M, 0, 0, 2, FWD, 1, 2, 1 },
		{ 0, 1102, 1, 1, S | E | P | U | M, 0, 2, 2, FWD, 1, 2, 1 },
		END,
	} },
	{ "16 a target above the layers the SS has is clamped: no keyframe requests", {
		{ 0, 1200, 0, 0, S | E | K | U, 2, 2, 2, FWD | SW, 1, 2, 0 },
		{ 0, 1200, 1, 0, S | E | D | U | M, 0, 2, 2, FWD, 1, 2, 1 },
		{ 0, 1201, 0, 2, S | E | P | U, 0, 2, 2, FWD, 1, 2, 0 },
		{ 0, 1201, 1, 2, S | E | P | D | U | M, 0, 2, 2, FWD, 1, 2, 1 },
		END,
	} },
	{ "17 without an SS the layers are learnt from the SIDs seen", {
		{ 0, 1300, 0, 0, S | E | K | U, 0, 2, 2, FWD | SW, 0, 2, 1 },
		{ 0, 1300, 1, 0, S | E | D | U, 0, 2, 2, FWD, 1, 2, 1 },
		{ 0, 1300, 2, 0, S | E | D | U | M, 0, 2, 2, FWD, 2, 2, 1 },
		{ 0, 1301, 0, 2, S | E | P | D | U, 0, 2, 2, FWD, 2, 2, 0 },
		END,
	} },
	{ "18 simulcast of VP9 encodings: switch at the target's key picture", {
		{ 0, 10, 0, 0, S | E | K | U | M, 1, ALL, 2, FWD | SW, 0, 2, 1, 0 },
		{ 1, 500, 0, 0, S | E | K | U | M, 1, ALL, 2, OTHER, 0, 2, ANY, 0 },
		{ 1, 501, 0, 2, S | E | P | U | M, 0, ALL, 2, OTHER | KN, 0, 2, ANY, 1 },
		{ 0, 11, 0, 2, S | E | P | U | M, 0, ALL, 2, FWD, 0, 2, 1, 1 },
		{ 1, 502, 0, 0, S | E | K | U | M, 1, ALL, 1, FWD | SW, 0, 1, 1, 1 },
		{ 0, 12, 0, 1, S | E | P | U | M, 0, ALL, 1, OTHER, 0, 1, ANY, 1 },
		{ 1, 503, 0, 2, S | E | P | U | M, 0, ALL, 1, LF, 0, 1, ANY, 1 },
		END,
	} },
	{ "19 without layer indices the stream goes whole once started", {
		{ 0, 5, 0, 0, S | E | P | NL | M, 0, 0, 0, WAIT | KN, ANY, ANY, ANY },
		{ 0, 6, 0, 0, S | E | K | NL | M, 0, 0, 0, FWD | SW, 0, 0, 1 },
		{ 0, 7, 0, 0, S | P | NL, 0, 0, 0, FWD, 0, 0, 0 },
		{ 0, 7, 0, 0, E | P | NL | M, 0, 0, 0, FWD, 0, 0, 1 },
		END,
	} },
	{ "20 a key picture brings a started receiver straight to its targets", {
		{ 0, 1400, 0, 0, S | E | K | U, 3, 0, 0, FWD | SW, 0, 0, 1 },
		{ 0, 1401, 1, 2, S | E | P | U, 0, 2, 2, LF | KN, 0, 0, ANY },
		{ 0, 1404, 0, 0, S | E | K | U, 3, 2, 2, FWD, 2, 2, 0 },
		{ 0, 1404, 1, 0, S | E | D | U, 0, 2, 2, FWD, 2, 2, 0 },
		{ 0, 1404, 2, 0, S | E | D | U | M, 0, 2, 2, FWD, 2, 2, 1 },
		{ 0, 1405, 2, 2, S | E | P | U | M, 0, 2, 2, FWD, 2, 2, 1 },
		END,
	} },
	{ "21 an old key picture's first packet is not a restart", {
		{ 0, 1500, 0, 0, S | E | K | U, 2, 1, 1, FWD | SW, 1, 1, 0 },
		{ 0, 1501, 0, 0, S | E | P | U, 0, 0, 0, FWD, 0, 0, 1 },
		{ 0, 1500, 0, 0, S | E | K | U, 2, 0, 0, FWD, 0, 0, ANY },
		{ 0, 1500, 1, 0, S | E | D | U | M, 0, 0, 0, FWD, 0, 0, ANY },
		{ 0, 1502, 1, 0, S | E | P | D | U | M, 0, 0, 0, LF, 0, 0, ANY },
		END,
	} },
	{ "22 one layer at a time: an intra frame two layers up (P=0, D=0) is not a way up", {
		{ 0, 1600, 0, 0, S | E | K | U, 3, 0, 2, FWD | SW, 0, 2, 1 },
		{ 0, 1600, 1, 0, S | E | D | U, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 1600, 2, 0, S | E | D | U | M, 0, 0, 2, LF, 0, 2, ANY },
		{ 0, 1604, 0, 0, S | E | P | U, 0, 2, 2, FWD, 0, 2, 1 },
		{ 0, 1604, 1, 0, S | E | P | U, 0, 2, 2, LF | KN, 0, 2, ANY },
		/* layer 1's frames would follow it, referencing ones never sent */
		{ 0, 1604, 2, 0, S | E | U | M, 0, 2, 2, LF, 0, 2, ANY },
		{ 0, 1605, 0, 2, S | E | P | U, 0, 2, 2, FWD, 0, 2, 1 },
		{ 0, 1605, 1, 2, S | E | P | U, 0, 2, 2, LF | KN, 0, 2, ANY },
		END,
	} },
};

static void fill(const struct step *st, struct dp_frame_info *fi, struct dp_frame_svc *svc)
{
	memset(fi, 0, sizeof(*fi));
	memset(svc, 0, sizeof(*svc));
	fi->frame_start = !!(st->flags & S);
	fi->keyframe = (st->flags & (S | K)) == (S | K);
	fi->has_layers = !(st->flags & NL);
	fi->temporal = fi->has_layers ? st->tid : 0;
	fi->sync = fi->has_layers && (st->flags & U);
	fi->has_picture_id = !(st->flags & NP);
	fi->picture_id_bits = fi->has_picture_id ? (st->flags & P7 ? 7 : 15) : 0;
	fi->picture_id = fi->has_picture_id ? st->pid : 0;
	svc->kind = DP_SVC_VP9;
	svc->spatial = fi->has_layers ? st->sid : 0;
	svc->inter_picture = !!(st->flags & P);
	svc->inter_layer = !!(st->flags & D);
	svc->frame_end = !!(st->flags & E);
	svc->ss_layers = st->ss;
}

static void run_scenario(const struct scenario *sc)
{
	static struct dp_stream streams[2];
	static struct dp_sub sub;

	for (unsigned e = 0; e < ARRAY_LEN(streams); e++)
		streams[e].encoding = (uint8_t)e;
	memset(&sub, 0, sizeof(sub));
	sub.cur_spatial = DP_NONE;
	sub.cur_temporal = DP_NONE;
	for (unsigned i = 0; i < ARRAY_LEN(sc->steps); i++) {
		const struct step *st = &sc->steps[i];
		struct dp_frame_info fi;
		struct dp_frame_svc svc;

		if (st->enc == 0xff)
			break;
		fill(st, &fi, &svc);
		uint8_t enc = st->te;
		struct dp_select_target t = { .encoding = enc, .spatial = st->ts,
					      .temporal = st->tt };
		int got = dp_select_layers(&sub, &sub.frame, &streams[st->enc], &fi, &svc, &t);
		CHECK(got == st->expect, "scenario \"%s\" step %u: got %#x, expected %#x", sc->name,
		      i, got, st->expect);
		CHECK(st->layer == ANY || sub.frame.layer == st->layer,
		      "scenario \"%s\" step %u: layer %u, expected %d", sc->name, i,
		      sub.frame.layer, st->layer);
		CHECK(st->temporal == ANY || sub.cur_temporal == st->temporal,
		      "scenario \"%s\" step %u: temporal %u, expected %d", sc->name, i,
		      sub.cur_temporal, st->temporal);
		CHECK(dp_select_reason(got) == DP_SELECT_FORWARD || !(got & SW),
		      "scenario \"%s\" step %u: SWITCHED on a drop", sc->name, i);
		if (st->marker != ANY && dp_select_reason(got) == DP_SELECT_FORWARD) {
			bool m = dp_select_marker(&sub.frame, &fi, &svc, st->flags & M);
			CHECK(m == (bool)st->marker, "scenario \"%s\" step %u: marker %d, expected %d",
			      sc->name, i, m, st->marker);
		}
		/* waiting_keyframe: another encoding, or below the layer wanted. */
		if (sub.cur_spatial != DP_NONE) {
			uint8_t want = st->ts;
			if (want > sub.frame.n_layers - 1)
				want = (uint8_t)(sub.frame.n_layers - 1);
			if (want < sub.frame.base_layer)
				want = sub.frame.base_layer;
			CHECK(sub.waiting_keyframe ==
			      (sub.cur_spatial != enc || (fi.has_layers && sub.frame.layer < want)),
			      "scenario \"%s\" step %u: waiting_keyframe %u", sc->name, i,
			      sub.waiting_keyframe);
		}
	}
}

/* dp_select_layers without spatial information is dp_select_packet: the
 * same outcome and state on random VP8-like packets. */
static void test_vp8_equivalence(void)
{
	static struct dp_sub a, b;
	static struct dp_stream streams[3];
	uint64_t rng = 42;

	memset(&a, 0, sizeof(a));
	a.cur_spatial = DP_NONE;
	b = a;
	for (unsigned e = 0; e < 3; e++)
		streams[e].encoding = (uint8_t)e;
	for (unsigned i = 0; i < 20000; i++) {
		uint32_t r = test_rand(&rng);
		struct dp_frame_info fi = {
			.frame_start = r & 1,
			.keyframe = (r & 3) == 3 && (r >> 2) % 5 == 0,
			.temporal = (uint8_t)((r >> 5) % 3),
			.sync = (r >> 7) & 1,
			.has_layers = ((r >> 8) & 15) != 0,
			.has_picture_id = ((r >> 12) & 7) != 0,
			.picture_id_bits = 15,
			.picture_id = (uint16_t)(i / 3),
		};
		struct dp_select_target t = { .encoding = (uint8_t)((r >> 16) % 2),
					      .spatial = 0, .temporal = (uint8_t)((r >> 18) % 3) };
		const struct dp_stream *st = &streams[(r >> 20) % 3];
		int x = dp_select_packet(&a, &a.frame, st, &fi, t.encoding, t.temporal);
		int y = dp_select_layers(&b, &b.frame, st, &fi, NULL, &t);
		CHECK(x == y && !memcmp(&a, &b, sizeof(a)), "VP8 equivalence: packet %u: %#x vs %#x",
		      i, x, y);
		if (x != y)
			break;
	}
}

int main(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(scenarios); i++)
		run_scenario(&scenarios[i]);
	test_vp8_equivalence();
	return test_summary("dp_select_svc");
}
