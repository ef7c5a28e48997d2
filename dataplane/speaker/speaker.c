/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Active speaker ranking from RFC 6464 audio levels (speaker.h explains
 * the scores, the hysteresis and the event limits).
 */
#include <string.h>

#include "speaker.h"

void dp_speaker_config_default(struct dp_speaker_config *cfg)
{
	cfg->voice_level = 60;
	cfg->min_voiced_bins = 8;
	cfg->loudest_margin = 6;
	cfg->rank_margin = 3;
	cfg->loudest_hold_us = 300000;
	cfg->max_ranking_per_s = 4;
	cfg->max_loudest_per_s = 2;
	cfg->honour_vad = true;
}

void dp_speaker_room_init(struct dp_speaker_room *r, const struct dp_speaker_config *cfg)
{
	memset(r, 0, sizeof(*r));
	if (cfg)
		r->cfg = *cfg;
	else
		dp_speaker_config_default(&r->cfg);
	if (r->cfg.max_ranking_per_s < 1)
		r->cfg.max_ranking_per_s = 1;
	if (r->cfg.max_ranking_per_s > DP_SPEAKER_MAX_EVENTS_PER_S)
		r->cfg.max_ranking_per_s = DP_SPEAKER_MAX_EVENTS_PER_S;
	if (r->cfg.max_loudest_per_s < 1)
		r->cfg.max_loudest_per_s = 1;
	if (r->cfg.min_voiced_bins > DP_SPEAKER_BINS)
		r->cfg.min_voiced_bins = DP_SPEAKER_BINS;
	r->loudest = -1;
	r->candidate = -1;
}

static uint16_t slot_of(const struct dp_speaker_room *r, const struct dp_speaker_stream *s)
{
	return (uint16_t)(s - r->streams);
}

struct dp_speaker_stream *dp_speaker_add(struct dp_speaker_room *r, uint32_t id)
{
	for (uint16_t i = 0; i < DP_SPEAKER_MAX_STREAMS; i++) {
		struct dp_speaker_stream *s = &r->streams[i];
		if (s->used)
			continue;
		memset(s, 0, sizeof(*s));
		s->id = id;
		s->used = true;
		s->use_vad = r->cfg.honour_vad;
		r->order[r->n++] = i;
		r->dirty = true;
		return s;
	}
	return NULL;
}

void dp_speaker_remove(struct dp_speaker_room *r, struct dp_speaker_stream *s)
{
	uint16_t slot = slot_of(r, s);
	uint16_t k = 0;

	if (!s->used)
		return;
	for (uint16_t i = 0; i < r->n; i++)
		if (r->order[i] != slot)
			r->order[k++] = r->order[i];
	r->n = k;
	s->used = false;
	r->dirty = true;
	if (r->loudest == slot) {
		r->loudest = -1;
		r->loudest_announced = false;
	}
	if (r->candidate == slot)
		r->candidate = -1;
}

/* Floor division (times are monotonic, but need not be positive). */
static int64_t bin_of(int64_t us)
{
	int64_t b = us / DP_SPEAKER_BIN_US;
	return (us % DP_SPEAKER_BIN_US < 0) ? b - 1 : b;
}

static uint32_t index_of(int64_t bin)
{
	int64_t i = bin % DP_SPEAKER_BINS;
	return (uint32_t)(i < 0 ? i + DP_SPEAKER_BINS : i);
}

void dp_speaker_update(struct dp_speaker_stream *s, uint8_t level, bool vad, int64_t now_us)
{
	int64_t bin = bin_of(now_us);

	level &= 0x7f;
	if (!s->heard) {
		memset(s->bin, 0, sizeof(s->bin));
		s->newest_bin = bin;
		s->heard = true;
	} else if (bin > s->newest_bin) {
		int64_t clear = bin - s->newest_bin;
		if (clear > DP_SPEAKER_BINS)
			clear = DP_SPEAKER_BINS;
		for (int64_t i = 1; i <= clear; i++)
			s->bin[index_of(s->newest_bin + i)] = 0;
		s->newest_bin = bin;
	} else if (bin <= s->newest_bin - DP_SPEAKER_BINS) {
		return;
	}
	uint8_t loud = (s->use_vad && !vad) ? 0 : (uint8_t)(DP_SPEAKER_SILENCE - level);
	uint32_t i = index_of(bin);
	if (loud > s->bin[i])
		s->bin[i] = loud;
}

/*
 * The stream's score and voiced bins over the window of whole bins that
 * ends before `bin` (the bin now being filled is left out: whether a
 * stream's packet for it came yet is a matter of its phase, and counting
 * it would make scores flicker from tick to tick).
 */
static void score(const struct dp_speaker_config *cfg, struct dp_speaker_stream *s, int64_t bin)
{
	uint32_t sum = 0, voiced = 0;
	uint8_t voice = (uint8_t)(DP_SPEAKER_SILENCE - cfg->voice_level);

	if (s->heard) {
		for (int64_t b = bin - DP_SPEAKER_BINS; b < bin; b++) {
			/* Bins after the newest packet, or so old that the ring
			 * has moved over them, are silence. */
			if (b > s->newest_bin || b <= s->newest_bin - DP_SPEAKER_BINS)
				continue;
			uint8_t loud = s->bin[index_of(b)];
			sum += loud;
			voiced += loud >= voice && loud > 0;
		}
	}
	s->score = (uint16_t)sum;
	s->voiced = (uint8_t)voiced;
}

/* The score the ranking and the loudest go by: 0 unless speaking. */
static uint32_t rank_score(const struct dp_speaker_room *r, uint16_t slot)
{
	const struct dp_speaker_stream *s = &r->streams[slot];
	return s->voiced >= r->cfg.min_voiced_bins && s->voiced > 0 ? s->score : 0;
}

static void move_to_front(struct dp_speaker_room *r, uint16_t slot)
{
	uint16_t i = 0;

	while (i < r->n && r->order[i] != slot)
		i++;
	if (i == r->n || i == 0)
		return;
	memmove(&r->order[1], &r->order[0], i * sizeof(r->order[0]));
	r->order[0] = slot;
	r->dirty = true;
}

/* The loudest, with its margin, hold and event spacing. */
static bool track_loudest(struct dp_speaker_room *r, int64_t now_us)
{
	uint32_t margin = (uint32_t)r->cfg.loudest_margin * DP_SPEAKER_BINS;
	uint32_t loud_score = r->loudest >= 0 ? rank_score(r, (uint16_t)r->loudest) : 0;
	int32_t best = -1;
	uint32_t best_score = 0;

	/* The loudest other speaking stream; ties go to the higher ranked. */
	for (uint16_t k = 0; k < r->n; k++) {
		uint16_t slot = r->order[k];
		uint32_t sc = rank_score(r, slot);
		if ((int32_t)slot == r->loudest || sc == 0)
			continue;
		if (best < 0 || sc > best_score) {
			best = slot;
			best_score = sc;
		}
	}
	if (best < 0 || best_score <= loud_score + margin) {
		r->candidate = -1;
	} else if (best != r->candidate) {
		r->candidate = best;
		r->candidate_since_us = now_us;
	}

	int64_t spacing = 1000000 / r->cfg.max_loudest_per_s;
	bool may = !r->loudest_event_once || now_us - r->loudest_event_us >= spacing;
	if (r->candidate >= 0 && now_us - r->candidate_since_us >= r->cfg.loudest_hold_us && may) {
		r->loudest = r->candidate;
		r->candidate = -1;
		move_to_front(r, (uint16_t)r->loudest);
		r->loudest_announced = false;
	}
	if (r->loudest_announced || (r->loudest < 0 && !r->loudest_event_once))
		return false;
	if (!may)
		return false;
	/* A new loudest, or the old one left the room. */
	r->loudest_announced = true;
	r->loudest_event_once = true;
	r->loudest_event_us = now_us;
	r->loudest_events++;
	return true;
}

/* The others move up past a stream they beat by rank_margin. */
static void rerank(struct dp_speaker_room *r)
{
	uint32_t margin = (uint32_t)r->cfg.rank_margin * DP_SPEAKER_BINS;
	uint16_t first = (r->loudest >= 0 && r->n > 0 && r->order[0] == r->loudest) ? 1 : 0;

	for (uint16_t i = first + 1; i < r->n; i++) {
		uint16_t j = i;
		while (j > first &&
		       rank_score(r, r->order[j]) > rank_score(r, r->order[j - 1]) + margin) {
			uint16_t t = r->order[j];
			r->order[j] = r->order[j - 1];
			r->order[j - 1] = t;
			r->dirty = true;
			j--;
		}
	}
}

/* At most max_ranking_per_s ranking events in any second. */
static bool ranking_allowed(const struct dp_speaker_room *r, int64_t now_us)
{
	uint32_t k = r->cfg.max_ranking_per_s;

	if (r->ranking_events < k)
		return true;
	int64_t oldest = r->ranking_event_us[(r->ranking_events - k) % DP_SPEAKER_MAX_EVENTS_PER_S];
	return now_us - oldest >= 1000000;
}

bool dp_speaker_tick(struct dp_speaker_room *r, int64_t now_us, struct dp_speaker_events *ev)
{
	int64_t bin = bin_of(now_us);

	for (uint16_t k = 0; k < r->n; k++)
		score(&r->cfg, &r->streams[r->order[k]], bin);

	ev->loudest_changed = track_loudest(r, now_us);
	rerank(r);

	ev->ranking_changed = false;
	if (r->dirty) {
		bool same = r->n == r->n_published;
		for (uint16_t k = 0; same && k < r->n; k++)
			same = r->streams[r->order[k]].id == r->published[k];
		if (same) {
			r->dirty = false;
		} else if (ranking_allowed(r, now_us)) {
			for (uint16_t k = 0; k < r->n; k++)
				r->published[k] = r->streams[r->order[k]].id;
			r->n_published = r->n;
			r->dirty = false;
			r->ranking_event_us[r->ranking_events % DP_SPEAKER_MAX_EVENTS_PER_S] = now_us;
			r->ranking_events++;
			ev->ranking_changed = true;
		}
	}

	ev->loudest = r->loudest >= 0 ? r->streams[r->loudest].id : DP_SPEAKER_NONE;
	ev->n = r->n_published;
	memcpy(ev->order, r->published, r->n_published * sizeof(ev->order[0]));
	return ev->ranking_changed || ev->loudest_changed;
}
