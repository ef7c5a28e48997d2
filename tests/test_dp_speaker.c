/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/speaker/speaker.c: active speaker ranking from RFC 6464 audio
 * levels.
 *
 *  - A scripted conversation (A talks, B talks, both talk, silence,
 *    coughs, noise without the V flag, a DTX stream that sends nothing in
 *    silence): packets every 20 ms per stream, a tick every 50 ms, and the
 *    loudest changes expected (which stream, in which time window, and no
 *    others) and the published ranking at chosen times.
 *  - A chaotic room (12 streams whose levels jump every 100 ms): the
 *    ranking events stay within K per second in every one-second window,
 *    loudest events at least 1 s / max_loudest_per_s apart.
 *  - Rooms: adding past the maximum, removing the loudest, the window's
 *    arithmetic (late packets, a gap longer than the window).
 */
#include <stdlib.h>
#include <string.h>

#include "../dataplane/speaker/speaker.h"
#include "test_util.h"

#define A 1
#define B 2
#define C 3
#define D 4

/* ---- the conversation ------------------------------------------------- */

struct segment {
	uint32_t id;
	int from_ms, to_ms;
	uint8_t level;  /* -dBov */
	bool vad;
};

/* Outside its segments a stream sends silence (127, no V), or nothing if
 * it uses DTX (stream D). */
static const struct segment talk[] = {
	{ A, 1000, 4000, 35, true },    /* A talks */
	{ C, 2000, 2250, 5, true },     /* C coughs, loud, while A talks */
	{ B, 4300, 7000, 30, true },    /* B answers */
	{ A, 7000, 8500, 30, true },    /* both talk, as loud: B keeps the stage */
	{ B, 7000, 10000, 30, true },
	{ A, 8500, 10000, 20, true },   /* A raises the voice: 10 dB louder */
	{ B, 10000, 12000, 20, false }, /* silence; B's noise is not voice (no V) */
	{ C, 12000, 12200, 10, true },  /* C coughs in the silence */
	{ D, 13000, 15000, 40, true },  /* D (DTX) talks, quietly, alone */
	{ A, 16000, 16350, 25, true },  /* A: "yes" (350 ms) */
};

struct loudest_change {
	uint32_t id;
	int from_ms, to_ms; /* the event comes within this window */
};

static const struct loudest_change want_loudest[] = {
	{ A, 1300, 2000 },   /* 400 ms of voice, then 300 ms louder */
	{ B, 4500, 5400 },   /* A's window empties as B's fills */
	{ A, 9100, 10000 },  /* louder by the margin for 300 ms */
	{ D, 13400, 14200 }, /* no cough became loudest; D after its 700 ms */
};

struct ranking_at {
	int at_ms;
	uint32_t order[4];
};

static const struct ranking_at want_ranking[] = {
	{ 900, { A, B, C, D } },   /* the join order, nothing said yet */
	{ 3000, { A, B, C, D } },
	{ 6000, { B, A, C, D } },
	{ 8400, { B, A, C, D } },
	{ 11000, { A, B, C, D } }, /* silence: unchanged */
	{ 12600, { A, B, C, D } }, /* the cough moved nothing */
	{ 15500, { D, A, B, C } },
	{ 17000, { D, A, B, C } }, /* A's "yes" was too short */
};

static bool find_level(uint32_t id, int t_ms, uint8_t *level, bool *vad)
{
	for (unsigned i = 0; i < ARRAY_LEN(talk); i++) {
		if (talk[i].id == id && t_ms >= talk[i].from_ms && t_ms < talk[i].to_ms) {
			*level = talk[i].level;
			*vad = talk[i].vad;
			return true;
		}
	}
	return false;
}

static void conversation(void)
{
	struct dp_speaker_room *r = malloc(sizeof(*r));
	struct dp_speaker_events *ev = malloc(sizeof(*ev));
	struct dp_speaker_stream *s[5];
	unsigned changes = 0, rank_checked = 0, ranking_events = 0;
	int64_t base = 1000000000;

	dp_speaker_room_init(r, NULL);
	for (uint32_t id = A; id <= D; id++)
		s[id] = dp_speaker_add(r, id);
	for (int t = 0; t <= 18000; t += 5) {
		for (uint32_t id = A; id <= D; id++) {
			/* Each stream's packets every 20 ms, in its own phase. */
			if ((t + 5 * (int)id) % 20)
				continue;
			uint8_t level = DP_SPEAKER_SILENCE;
			bool vad = false;
			if (!find_level(id, t, &level, &vad) && id == D)
				continue;
			dp_speaker_update(s[id], level, vad, base + t * 1000ll);
		}
		if (t % 50)
			continue;
		dp_speaker_tick(r, base + t * 1000ll, ev);
		ranking_events += ev->ranking_changed;
		if (ev->loudest_changed) {
			if (changes < ARRAY_LEN(want_loudest)) {
				const struct loudest_change *w = &want_loudest[changes];
				CHECK(ev->loudest == w->id && t >= w->from_ms && t <= w->to_ms,
				      "conversation: loudest %u at %d ms, want %u in [%d, %d]", ev->loudest,
				      t, w->id, w->from_ms, w->to_ms);
			} else {
				CHECK(0, "conversation: an extra loudest change to %u at %d ms",
				      ev->loudest, t);
			}
			changes++;
		}
		for (unsigned i = 0; i < ARRAY_LEN(want_ranking); i++) {
			if (want_ranking[i].at_ms != t)
				continue;
			rank_checked++;
			CHECK(ev->n == 4 && !memcmp(ev->order, want_ranking[i].order, sizeof(ev->order[0]) * 4),
			      "conversation: ranking at %d ms: %u %u %u %u", t, ev->order[0],
			      ev->order[1], ev->order[2], ev->order[3]);
		}
	}
	CHECK(changes == ARRAY_LEN(want_loudest), "conversation: %u loudest changes, want %zu",
	      changes, ARRAY_LEN(want_loudest));
	CHECK(rank_checked == ARRAY_LEN(want_ranking), "conversation: rankings checked");
	/* The room's first ranking; B to the front; A back to the front; D
	 * past B and C (louder by the rank margin) before it is loudest; D to
	 * the front.  (A's first loudest moved nothing: it was first.) */
	CHECK(ranking_events == 5, "conversation: %u ranking events", ranking_events);
	free(ev);
	free(r);
}

/* ---- event rate bounds ------------------------------------------------ */

static void chaos(void)
{
	struct dp_speaker_room *r = malloc(sizeof(*r));
	struct dp_speaker_events *ev = malloc(sizeof(*ev));
	struct dp_speaker_config cfg;
	struct dp_speaker_stream *s[12];
	int64_t rank_times[2000], loud_times[2000];
	unsigned n_rank = 0, n_loud = 0;
	uint64_t rng = 99;
	uint8_t level[12];
	bool vad[12];

	dp_speaker_config_default(&cfg);
	cfg.max_ranking_per_s = 3;
	cfg.max_loudest_per_s = 2;
	cfg.loudest_hold_us = 100000;   /* eager, to push on the limits */
	cfg.loudest_margin = 1;
	cfg.rank_margin = 0;
	cfg.min_voiced_bins = 2;
	dp_speaker_room_init(r, &cfg);
	for (unsigned i = 0; i < 12; i++)
		s[i] = dp_speaker_add(r, 100 + i);
	for (int64_t t = 0; t < 60000000; t += 10000) {
		if (t % 100000 == 0) {
			for (unsigned i = 0; i < 12; i++) {
				level[i] = (uint8_t)(test_rand(&rng) % 128);
				vad[i] = test_rand(&rng) % 4 != 0;
			}
		}
		if (t % 20000 == 0)
			for (unsigned i = 0; i < 12; i++)
				dp_speaker_update(s[i], level[i], vad[i], t);
		if (t % 50000 == 0) {
			dp_speaker_tick(r, t, ev);
			if (ev->ranking_changed && n_rank < ARRAY_LEN(rank_times))
				rank_times[n_rank++] = t;
			if (ev->loudest_changed && n_loud < ARRAY_LEN(loud_times))
				loud_times[n_loud++] = t;
		}
	}
	unsigned worst = 0;
	for (unsigned i = 0; i < n_rank; i++) {
		unsigned in = 0;
		for (unsigned j = i; j < n_rank && rank_times[j] - rank_times[i] < 1000000; j++)
			in++;
		if (in > worst)
			worst = in;
	}
	CHECK(worst <= 3 && n_rank > 60, "chaos: %u ranking events, up to %u in a second", n_rank,
	      worst);
	unsigned close = 0;
	for (unsigned i = 1; i < n_loud; i++)
		close += loud_times[i] - loud_times[i - 1] < 500000;
	CHECK(close == 0 && n_loud > 20, "chaos: %u loudest events, %u closer than 500 ms", n_loud,
	      close);
	free(ev);
	free(r);
}

/* ---- rooms and windows ------------------------------------------------ */

static void rooms(void)
{
	struct dp_speaker_room *r = malloc(sizeof(*r));
	struct dp_speaker_events *ev = malloc(sizeof(*ev));
	struct dp_speaker_stream *s[DP_SPEAKER_MAX_STREAMS];

	dp_speaker_room_init(r, NULL);
	for (unsigned i = 0; i < DP_SPEAKER_MAX_STREAMS; i++)
		s[i] = dp_speaker_add(r, 1000 + i);
	CHECK(s[DP_SPEAKER_MAX_STREAMS - 1] && !dp_speaker_add(r, 5), "room: full");
	dp_speaker_tick(r, 0, ev);
	CHECK(ev->ranking_changed && ev->n == DP_SPEAKER_MAX_STREAMS && ev->order[0] == 1000 &&
		      !ev->loudest_changed && ev->loudest == DP_SPEAKER_NONE,
	      "room: the first ranking");

	/* Stream 7 talks and becomes loudest; then leaves: no loudest (an
	 * event, but not sooner than 500 ms after the last one). */
	int64_t t = 0;
	bool became = false;
	int64_t became_at = 0;
	for (; t <= 1500000; t += 10000) {
		if (t % 20000 == 0)
			dp_speaker_update(s[7], 30, true, t);
		if (t % 50000 == 0) {
			dp_speaker_tick(r, t, ev);
			if (ev->loudest_changed && ev->loudest == 1007 && !became) {
				became = true;
				became_at = t;
			}
		}
	}
	CHECK(became && became_at <= 900000 && ev->order[0] == 1007,
	      "room: stream 7 loudest (at %lld us) and first", (long long)became_at);
	dp_speaker_remove(r, s[7]);
	dp_speaker_remove(r, s[7]); /* twice: nothing */
	dp_speaker_tick(r, t, ev);
	CHECK(ev->loudest_changed && ev->loudest == DP_SPEAKER_NONE && ev->ranking_changed &&
		      ev->n == DP_SPEAKER_MAX_STREAMS - 1 && ev->order[0] == 1000,
	      "room: the loudest left (%u, first %u)", ev->loudest, ev->order[0]);
	/* Its slot is free again. */
	CHECK(dp_speaker_add(r, 77) == s[7], "room: the slot is reused");

	/* The window: the 20 whole bins before the tick's; a late packet
	 * lands in its bin, one older than the window is dropped; after a gap
	 * the old bins are silence. */
	struct dp_speaker_stream *x = s[9];
	dp_speaker_update(x, 27, true, 10000000);      /* loudness 100, bin 200 */
	dp_speaker_update(x, 27, true, 9960000);       /* bin 199 */
	dp_speaker_update(x, 0, true, 8900000);        /* older than the window */
	dp_speaker_tick(r, 10000000, ev);
	CHECK(x->score == 100 && x->voiced == 1, "window: bin 200 not whole yet: %u/%u", x->score,
	      x->voiced);
	dp_speaker_tick(r, 10050000, ev);
	CHECK(x->score == 200 && x->voiced == 2, "window: %u/%u", x->score, x->voiced);
	dp_speaker_tick(r, 11000000, ev);
	CHECK(x->score == 100 && x->voiced == 1, "window: 1 s later %u", x->score);
	dp_speaker_tick(r, 11050000, ev);
	CHECK(x->score == 0, "window: 1.05 s later %u", x->score);
	dp_speaker_update(x, 100, true, 30000000);     /* after a 20 s gap */
	dp_speaker_tick(r, 30050000, ev);
	CHECK(x->score == 27 && x->voiced == 0, "window: after a gap %u/%u", x->score, x->voiced);
	/* Without V honoured, a packet without V counts. */
	struct dp_speaker_config cfg;
	dp_speaker_config_default(&cfg);
	cfg.honour_vad = false;
	dp_speaker_room_init(r, &cfg);
	x = dp_speaker_add(r, 1);
	dp_speaker_update(x, 27, false, 0);
	dp_speaker_tick(r, 50000, ev);
	CHECK(x->score == 100, "no vad: %u", x->score);
	free(ev);
	free(r);
}

int main(void)
{
	conversation();
	chaos();
	rooms();
	return test_summary("dp_speaker");
}
