/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who is speaking in a room: a ranking of its audio streams and the
 * loudest of them, from the audio levels their packets carry (RFC 6464).
 *
 * RFC 6464 section 3: "The audio level is expressed in -dBov, with values
 * from 0 to 127 representing 0 to -127 dBov. ... a value of 127 indicates
 * digital silence" and the V bit "indicates whether the encoder believes
 * the audio packet contains voice activity".  The router reads both from
 * the header extension of each packet (decrypted, or not encrypted: RFC
 * 6904 is not in use) and calls dp_speaker_update; a few times a second it
 * calls dp_speaker_tick for the room.
 *
 * Per stream, time is cut into bins of 50 ms; a bin holds the loudness of
 * the loudest packet in it, 127 - level (0 = silence; a packet without V
 * counts as silence when the room honours V).  Over the last second (the
 * 20 whole bins before the one being filled), a stream has
 *  - a score: the sum of its bins' loudness (so the mean loudness times
 *    20; a bin without packets, as under DTX, is silence), and
 *  - voiced bins: those at least as loud as voice_level (-60 dBov).
 * A stream is speaking when at least min_voiced_bins (8: 400 ms of the
 * last second) are voiced; one that is not scores 0 for the ranking.
 *
 * Why this and not the dominant speaker identification of Volfin and
 * Cohen (which Jitsi uses): their three time scales (immediate, medium,
 * long) and likelihood-ratio scores exist to tell sustained speech from
 * transients, and need per-stream parameters fitted to a noise model.  The
 * voiced-bins test asks the same question in one line: a cough, a door or
 * a keyboard is loud for a few bins, speech is voiced for most of a
 * second.  A window mean is cheap (20 octets per stream, fixed), needs no
 * floating point, copes with DTX (no packets = silence) and with any
 * packet time, and its time constants are plain to read and tune.
 *
 * The loudest, with hysteresis: another speaking stream becomes the
 * loudest only after its score has exceeded the loudest's by
 * loudest_margin (mean loudness units) at every tick for loudest_hold
 * (300 ms); and loudest events are at least 1 s / max_loudest_per_s
 * apart.  When everyone falls silent the loudest stays (the last speaker
 * keeps the stage).
 *
 * The ranking: every stream of the room, the loudest first; the others
 * move up only past a stream whose score they beat by rank_margin, so
 * streams that are silent keep their order (the most recent speakers stay
 * near the top, which is what a last-N video choice wants).  New streams
 * join at the end.  A changed ranking is published at most
 * max_ranking_per_s times in any second; changes in between are published
 * with the next one allowed (the latest order, not each step).
 *
 * Everything is in the room's struct (fixed size, no allocation); times are
 * microseconds of one monotonic clock.  One writer: the room's worker.
 */
#ifndef STRATA_DP_SPEAKER_H
#define STRATA_DP_SPEAKER_H

#include <stdbool.h>
#include <stdint.h>

#define DP_SPEAKER_MAX_STREAMS 256
#define DP_SPEAKER_BIN_US 50000
#define DP_SPEAKER_BINS 20                 /* one second */
#define DP_SPEAKER_MAX_EVENTS_PER_S 16     /* the largest rate limit allowed */
#define DP_SPEAKER_NONE UINT32_MAX         /* no loudest */
#define DP_SPEAKER_SILENCE 127             /* RFC 6464 level of digital silence */

struct dp_speaker_config {
	uint8_t voice_level;          /* a bin is voiced at level <= this (-dBov): 60 */
	uint8_t min_voiced_bins;      /* speaking: voiced bins in the window: 8 */
	uint8_t loudest_margin;       /* mean loudness a new loudest must add: 6 */
	uint8_t rank_margin;          /* mean loudness to pass another in the ranking: 3 */
	int64_t loudest_hold_us;      /* louder for this long: 300 ms */
	uint8_t max_ranking_per_s;    /* ranking events per second, 1 .. 16: 4 */
	uint8_t max_loudest_per_s;    /* loudest events per second, >= 1: 2 */
	bool honour_vad;              /* a packet without V is silence: true */
};

struct dp_speaker_stream {
	uint32_t id;
	bool used;
	bool heard;                   /* a packet came */
	bool use_vad;
	uint8_t voiced;               /* at the last tick */
	uint16_t score;               /* at the last tick (sum of the bins) */
	int64_t newest_bin;           /* time / DP_SPEAKER_BIN_US of the newest packet */
	uint8_t bin[DP_SPEAKER_BINS]; /* loudness, indexed by bin number modulo */
};

struct dp_speaker_room {
	struct dp_speaker_config cfg;
	struct dp_speaker_stream streams[DP_SPEAKER_MAX_STREAMS];
	uint16_t order[DP_SPEAKER_MAX_STREAMS];     /* the working ranking (slots) */
	uint32_t published[DP_SPEAKER_MAX_STREAMS]; /* the ranking last published (ids) */
	uint16_t n;                                 /* streams in the room */
	uint16_t n_published;
	bool dirty;                                 /* order != published */
	int32_t loudest;                            /* slot, -1: none */
	int32_t candidate;                          /* slot louder than the loudest, -1 */
	int64_t candidate_since_us;
	bool loudest_announced;                     /* loudest was published */
	bool loudest_event_once;
	int64_t loudest_event_us;
	int64_t ranking_event_us[DP_SPEAKER_MAX_EVENTS_PER_S]; /* ring of the last ones */
	uint32_t ranking_events;                    /* all so far (the ring's head) */
	uint64_t loudest_events;
};

/* What a tick found. */
struct dp_speaker_events {
	bool ranking_changed;  /* order[] is the new ranking */
	bool loudest_changed;  /* loudest is the new loudest */
	uint32_t loudest;      /* its id, or DP_SPEAKER_NONE */
	uint16_t n;
	uint32_t order[DP_SPEAKER_MAX_STREAMS]; /* ids, the loudest first */
};

void dp_speaker_config_default(struct dp_speaker_config *cfg);

/* An empty room (cfg NULL: the defaults; rates are clamped to 1 .. 16). */
void dp_speaker_room_init(struct dp_speaker_room *r, const struct dp_speaker_config *cfg);

/* Adds a stream with the caller's id (unique in the room); NULL when full. */
struct dp_speaker_stream *dp_speaker_add(struct dp_speaker_room *r, uint32_t id);

/* Removes a stream (its pointer is free for the next add). */
void dp_speaker_remove(struct dp_speaker_room *r, struct dp_speaker_stream *s);

/*
 * One packet of the stream: the RFC 6464 level (7 bits, -dBov) and V, at
 * now_us.  Packets older than the window are ignored.
 */
void dp_speaker_update(struct dp_speaker_stream *s, uint8_t level, bool vad, int64_t now_us);

/*
 * Scores the room at now_us, moves the loudest and the ranking, and fills
 * *ev.  Returns true if anything was published (ranking or loudest).
 */
bool dp_speaker_tick(struct dp_speaker_room *r, int64_t now_us, struct dp_speaker_events *ev);

#endif /* STRATA_DP_SPEAKER_H */
