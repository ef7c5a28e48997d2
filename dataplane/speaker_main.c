/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Active speakers on the main lcore (adapt.h): the audio levels the
 * workers keep per stream, sampled into each room's ranking
 * (speaker/speaker.h), and ACTIVE_SPEAKER events at a bounded rate.
 *
 * Why sampling and not every packet: the ranking keeps the loudest level
 * of each 50 ms bin, and a sample every DP_SPEAKER_TICK_MS (20 ms) sees
 * the last packet's level two or three times per bin; the rooms then live
 * on the main lcore, which already owns the rooms' other state, and the
 * packet path only stores one byte (media.c).  A stream with no packet for
 * DP_SPEAKER_SILENT_AFTER_MS is silence, as RFC 6464 senders under DTX
 * stop sending rather than send silence.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_hash.h>

#include "adapt.h"
#include "main_lcore.h"

static void unlink_stream(struct dp_main *mn, uint32_t id)
{
	struct dp_adapt *a = mn->adapt;
	struct dp_room_state *rs = dp_room_state_get(mn, a->spk_room[id], false);

	if (rs != NULL && rs->spk != NULL)
		dp_speaker_remove(rs->spk, a->spk_stream[id]);
	a->spk_stream[id] = NULL;
	a->spk_room[id] = 0;
}

static void link_stream(struct dp_main *mn, uint32_t id, uint32_t room, uint32_t gen)
{
	struct dp_adapt *a = mn->adapt;
	struct dp_room_state *rs = dp_room_state_get(mn, room, true);

	if (rs == NULL)
		return;
	if (rs->spk == NULL) {
		rs->spk = malloc(sizeof(*rs->spk));
		if (rs->spk == NULL)
			return;
		dp_speaker_room_init(rs->spk, &a->spk_cfg);
	}
	a->spk_stream[id] = dp_speaker_add(rs->spk, id);
	if (a->spk_stream[id] != NULL) {
		a->spk_room[id] = room;
		a->spk_gen[id] = gen;
	}
}

/* At most events_per_s events in any second: the ring of the last ones. */
static bool rate_allows(const struct dp_room_state *rs, uint64_t now, uint64_t hz)
{
	unsigned k = rs->events_per_s;

	if (rs->events < k)
		return true;
	return now - rs->last_event_tsc[rs->events % k] >= hz;
}

static void emit(struct dp_main *mn, struct dp_room_state *rs, uint64_t now)
{
	const struct dp_tables *t = &mn->dp->tables;
	struct strata_event *ev = dp_event_reserve(mn, STRATA_EVENT_ACTIVE_SPEAKER);

	if (ev == NULL)
		return; /* counted (events_dropped); still pending: the next tick tries again */
	struct strata_event_active_speaker *as = &ev->u.active_speaker;
	memset(as, 0, sizeof(*as));
	as->room = rs->room;
	as->loudest_stream = rs->ev.loudest == DP_SPEAKER_NONE ? 0 : rs->ev.loudest;
	as->loudest_leg = as->loudest_stream ? t->streams[as->loudest_stream].leg : 0;
	as->loudest_changed = rs->pending_loudest;
	as->n = (uint8_t)(rs->ev.n < STRATA_SPEAKER_MAX_RANKED ? rs->ev.n
							       : STRATA_SPEAKER_MAX_RANKED);
	memcpy(as->ranked, rs->ev.order, as->n * sizeof(as->ranked[0]));
	dp_event_commit(mn);
	rs->last_event_tsc[rs->events % rs->events_per_s] = now;
	rs->events++;
	rs->pending = rs->pending_loudest = false;
	mn->adapt->speaker_events++;
}

void dp_speaker_main_tick(struct dp_main *mn, uint64_t now)
{
	struct dp_adapt *a = mn->adapt;
	const struct dp_tables *t = &mn->dp->tables;
	uint64_t hz = mn->dp->tsc_hz;

	if (a == NULL || now < a->next_speaker_tsc)
		return;
	a->next_speaker_tsc = now + hz / 1000 * DP_SPEAKER_TICK_MS;
	int64_t now_us = (int64_t)(now / (hz / 1000000 ? hz / 1000000 : 1));
	uint64_t silent = hz / 1000 * DP_SPEAKER_SILENT_AFTER_MS;

	for (uint32_t id = 1; id <= t->max_streams; id++) {
		const struct dp_stream *st = &t->streams[id];
		bool want = st->in_use && st->kind == STRATA_MEDIA_AUDIO && st->ext_audio_level;
		uint32_t room = want ? t->legs[st->leg].room : 0;
		uint32_t gen = atomic_load_explicit(&st->gen, memory_order_relaxed);

		if (a->spk_stream[id] != NULL && (a->spk_room[id] != room || a->spk_gen[id] != gen))
			unlink_stream(mn, id);
		if (room == 0)
			continue;
		if (a->spk_stream[id] == NULL)
			link_stream(mn, id, room, gen);
		uint64_t last = st->last_packet_tsc;
		if (a->spk_stream[id] != NULL && st->started && now - last < silent)
			dp_speaker_update(a->spk_stream[id], st->audio_level, true, now_us);
	}

	const void *key;
	void *data;
	uint32_t it = 0;
	while (rte_hash_iterate(a->rooms, &key, &data, &it) >= 0) {
		struct dp_room_state *rs = data;
		struct dp_speaker_events ev;

		if (rs->spk == NULL)
			continue;
		if (rs->spk->n == 0 && !rs->pending) {
			free(rs->spk); /* no audio left: the memory goes */
			rs->spk = NULL;
			continue;
		}
		if (dp_speaker_tick(rs->spk, now_us, &ev)) {
			rs->ev = ev;
			rs->pending = true;
			if (ev.loudest_changed) {
				rs->pending_loudest = true;
				rs->loudest_stream = ev.loudest == DP_SPEAKER_NONE ? 0 : ev.loudest;
				rs->loudest_leg =
					rs->loudest_stream ? t->streams[rs->loudest_stream].leg : 0;
			}
		}
		if (rs->pending && rate_allows(rs, now, hz))
			emit(mn, rs, now);
	}
}
