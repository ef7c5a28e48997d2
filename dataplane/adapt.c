/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Layer adaptation on the main lcore (adapt.h): layer rates from the
 * meters, one layer-policy run per receiver leg with an estimate, the
 * targets the workers apply, and LAYERS_CHANGED events.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>

#include "adapt.h"
#include "leg_bwe.h"
#include "main_lcore.h"

int dp_adapt_init(struct dp_main *mn)
{
	const struct dp_tables *t = &mn->dp->tables;
	struct dp_adapt *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return -1;
	mn->adapt = a;
	dp_lp_config_default(&a->lp);
	dp_speaker_config_default(&a->spk_cfg);
	/* The router keeps the level, not V (media.c): loudness decides. */
	a->spk_cfg.honour_vad = false;
	/* adapt.h's limiter bounds the events; the ranking's own would only
	 * delay what it then merges. */
	a->spk_cfg.max_ranking_per_s = DP_SPEAKER_MAX_EVENTS_PER_S;
	a->spk_cfg.max_loudest_per_s = DP_SPEAKER_MAX_EVENTS_PER_S;
	a->max_legs = t->max_legs;
	a->max_streams = t->max_streams;
	a->max_subs = t->max_subs;
	a->sub_state = calloc(t->max_subs + 1, sizeof(*a->sub_state));
	a->sub_adapted = calloc(t->max_subs + 1, 1);
	a->streams = calloc(t->max_streams + 1, sizeof(*a->streams));
	a->leg_max_sources = calloc(t->max_legs + 1, 1);
	a->leg_head = calloc(t->max_legs + 1, sizeof(uint32_t));
	a->sub_next = calloc(t->max_subs + 1, sizeof(uint32_t));
	a->spk_stream = calloc(t->max_streams + 1, sizeof(*a->spk_stream));
	a->spk_room = calloc(t->max_streams + 1, sizeof(uint32_t));
	a->spk_gen = calloc(t->max_streams + 1, sizeof(uint32_t));
	/* Rooms never outnumber legs; a room without legs keeps its entry
	 * (its policy may be set before its first leg). */
	a->max_rooms = t->max_legs > 64 ? t->max_legs : 64;
	struct rte_hash_parameters hp = {
		.name = "strata_adapt_rooms",
		.entries = a->max_rooms,
		.key_len = sizeof(uint32_t),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};
	a->rooms = rte_hash_create(&hp);
	if (a->sub_state == NULL || a->sub_adapted == NULL || a->streams == NULL ||
	    a->leg_max_sources == NULL || a->leg_head == NULL || a->sub_next == NULL ||
	    a->spk_stream == NULL || a->spk_room == NULL || a->spk_gen == NULL ||
	    a->rooms == NULL) {
		dp_adapt_free(mn);
		return -1;
	}
	return 0;
}

void dp_adapt_free(struct dp_main *mn)
{
	struct dp_adapt *a = mn->adapt;

	if (a == NULL)
		return;
	for (uint32_t i = 1; i <= a->max_legs; i++)
		dp_leg_bwe_free(&mn->dp->tables.legs[i]);
	if (a->rooms != NULL) {
		const void *key;
		void *data;
		uint32_t it = 0;
		while (rte_hash_iterate(a->rooms, &key, &data, &it) >= 0) {
			struct dp_room_state *rs = data;
			free(rs->spk);
			free(rs);
		}
		rte_hash_free(a->rooms);
	}
	free(a->sub_state);
	free(a->sub_adapted);
	free(a->streams);
	free(a->leg_max_sources);
	free(a->leg_head);
	free(a->sub_next);
	free(a->spk_stream);
	free(a->spk_room);
	free(a->spk_gen);
	free(a);
	mn->adapt = NULL;
}

struct dp_room_state *dp_room_state_get(struct dp_main *mn, uint32_t room, bool create)
{
	struct dp_adapt *a = mn->adapt;
	void *data = NULL;

	if (a == NULL || room == 0)
		return NULL;
	if (rte_hash_lookup_data(a->rooms, &room, &data) >= 0)
		return data;
	if (!create)
		return NULL;
	struct dp_room_state *rs = calloc(1, sizeof(*rs));
	if (rs == NULL)
		return NULL;
	rs->room = room;
	rs->policy = STRATA_LAYER_POLICY_EQUAL_SHARE;
	rs->events_per_s = DP_SPEAKER_EVENTS_PER_S;
	if (rte_hash_add_key_data(a->rooms, &room, rs) < 0) {
		free(rs);
		a->rooms_full++;
		return NULL;
	}
	return rs;
}

/* ---- commands ------------------------------------------------------------ */

static void set_targets(struct dp_sub *sub, uint8_t spatial, uint8_t temporal)
{
	atomic_store_explicit(&sub->target_spatial, spatial, memory_order_relaxed);
	atomic_store_explicit(&sub->target_temporal, temporal, memory_order_relaxed);
}

/* Whether the receiver gets this source at all (dp_sub.off). */
static void set_off(struct dp_sub *sub, bool off)
{
	atomic_store_explicit(&sub->off, off, memory_order_relaxed);
}

void dp_adapt_sub_caps(struct dp_main *mn, uint32_t sub_id, bool added)
{
	struct dp_adapt *a = mn->adapt;
	struct dp_sub *sub = &mn->dp->tables.subs[sub_id];

	if (a == NULL || added || !a->sub_adapted[sub_id]) {
		if (a != NULL && added) {
			memset(&a->sub_state[sub_id], 0, sizeof(a->sub_state[sub_id]));
			a->sub_adapted[sub_id] = 0;
		}
		set_targets(sub, sub->cap_spatial, sub->cap_temporal);
		set_off(sub, sub->paused);
		return;
	}
	/* Adapted: a lower cap (or a pause) applies at once, a higher one
	 * (or the end of a pause) at the next run, through the policy. */
	if (sub->paused)
		set_off(sub, true);
	uint8_t s = atomic_load(&sub->target_spatial), t = atomic_load(&sub->target_temporal);
	set_targets(sub, s < sub->cap_spatial ? s : sub->cap_spatial,
		    t < sub->cap_temporal ? t : sub->cap_temporal);
}

void dp_adapt_leg_added(struct dp_main *mn, uint32_t leg_id)
{
	if (mn->adapt != NULL)
		mn->adapt->leg_max_sources[leg_id] = 0;
}

enum strata_cmd_status dp_adapt_leg_prefs(struct dp_main *mn,
					  const struct strata_cmd_leg_set_prefs *c)
{
	const struct dp_tables *t = &mn->dp->tables;

	if (c->leg == 0 || c->leg > t->max_legs || mn->adapt == NULL)
		return STRATA_CMD_EINVAL;
	if (!t->legs[c->leg].in_use)
		return STRATA_CMD_ENOENT;
	mn->adapt->leg_max_sources[c->leg] = c->max_video_sources;
	return STRATA_CMD_OK;
}

enum strata_cmd_status dp_adapt_room_policy(struct dp_main *mn,
					    const struct strata_cmd_room_set_policy *c)
{
	if (c->room == 0 || c->layer_policy > STRATA_LAYER_POLICY_SPEAKER_FIRST ||
	    c->speaker_events_per_s > DP_SPEAKER_MAX_EVENTS_PER_S)
		return STRATA_CMD_EINVAL;
	struct dp_room_state *rs = dp_room_state_get(mn, c->room, true);
	if (rs == NULL)
		return STRATA_CMD_ENOSPC;
	rs->policy = c->layer_policy;
	rs->events_per_s = c->speaker_events_per_s ? c->speaker_events_per_s
						   : DP_SPEAKER_EVENTS_PER_S;
	return STRATA_CMD_OK;
}

/* ---- layer rates --------------------------------------------------------- */

static void meter_streams(struct dp_adapt *a, const struct dp_tables *t, double dt_s)
{
	for (uint32_t i = 1; i <= t->max_streams; i++) {
		const struct dp_stream *st = &t->streams[i];
		uint64_t bytes[4][4];

		if (!st->in_use || st->kind != STRATA_MEDIA_VIDEO) {
			if (a->streams[i].primed)
				dp_layer_rates_reset(&a->streams[i]);
			continue;
		}
		/* One writer (the publisher's worker); an aligned 64-bit load is
		 * never torn on the platforms strata-dp runs on. */
		for (int s = 0; s < 4; s++)
			for (int l = 0; l < 4; l++)
				bytes[s][l] = __atomic_load_n(&st->layer_bytes[s][l], __ATOMIC_RELAXED);
		dp_layer_rates_update(&a->streams[i], (const uint64_t(*)[4])bytes,
				      atomic_load_explicit(&st->gen, memory_order_relaxed), dt_s);
	}
}

/* What each choice of a source costs (layer_cost.h). */
static void source_costs(const struct dp_adapt *a, const struct dp_tables *t, uint32_t src_id,
			 struct dp_lp_source *out)
{
	const struct dp_source *src = &t->sources[src_id];
	const struct dp_layer_rates *enc[4] = {NULL, NULL, NULL, NULL};

	for (int e = 0; e < DP_SOURCE_MAX_ENCODINGS && e < 4; e++) {
		uint32_t s = atomic_load_explicit(&src->encodings[e], memory_order_relaxed);
		if (s != 0)
			enc[e] = &a->streams[s];
	}
	dp_layer_costs(enc, out);
}

/* The leg that publishes a source (its first encoding's), or 0. */
static uint32_t source_leg(const struct dp_tables *t, uint32_t src_id)
{
	const struct dp_source *src = &t->sources[src_id];

	for (int e = 0; e < DP_SOURCE_MAX_ENCODINGS; e++) {
		uint32_t s = atomic_load_explicit(&src->encodings[e], memory_order_relaxed);
		if (s != 0)
			return t->streams[s].leg;
	}
	return 0;
}

/*
 * Where a source's publisher stands in its room's speaker ranking (its
 * audio stream's place), so that a receiver limited to N videos sees the
 * N most recent speakers; sources of publishers without ranked audio come
 * after them, in subscription order (DP_SPEAKER_MAX_STREAMS + their index).
 */
static uint16_t speaker_rank(const struct dp_tables *t, const struct dp_room_state *rs,
			     uint32_t leg, unsigned index)
{
	for (unsigned i = 0; rs != NULL && leg != 0 && i < rs->ev.n; i++) {
		uint32_t s = rs->ev.order[i];
		if (s <= t->max_streams && t->streams[s].leg == leg)
			return (uint16_t)i;
	}
	return (uint16_t)(DP_SPEAKER_MAX_STREAMS + index);
}

/* ---- one receiver -------------------------------------------------------- */

static void emit_changed(struct dp_main *mn, uint32_t sub_id, const struct dp_sub *sub,
			 uint32_t estimate, const struct dp_lp_decision *d)
{
	struct strata_event *ev = dp_event_reserve(mn, STRATA_EVENT_LAYERS_CHANGED);

	if (ev == NULL)
		return;
	ev->u.layers_changed = (struct strata_event_layers_changed){
		.sub = sub_id,
		.leg = sub->leg,
		.estimate_bps = estimate,
		.bps = d->on ? d->bps : 0,
		.spatial = atomic_load(&sub->target_spatial),
		.temporal = atomic_load(&sub->target_temporal),
		.cap_spatial = sub->cap_spatial,
		.cap_temporal = sub->cap_temporal,
		.on = d->on,
		.off = d->on ? 0 : d->off,
	};
	dp_event_commit(mn);
	mn->adapt->layers_changed++;
}

static uint8_t wish(uint8_t cap, uint8_t limit)
{
	return cap >= limit ? DP_LP_ALL : cap;
}

static void run_leg(struct dp_main *mn, uint32_t leg_id, int64_t now_us)
{
	struct dp_adapt *a = mn->adapt;
	const struct dp_tables *t = &mn->dp->tables;
	const struct dp_leg *leg = &t->legs[leg_id];
	uint32_t estimate = dp_leg_bwe_estimate(leg->bwe);

	if (estimate == 0) {
		/* No feedback (yet, or any more for a new leg in the slot):
		 * the cap is the target. */
		for (uint32_t s = a->leg_head[leg_id]; s != 0; s = a->sub_next[s])
			if (a->sub_adapted[s]) {
				a->sub_adapted[s] = 0;
				set_targets(&t->subs[s], t->subs[s].cap_spatial, t->subs[s].cap_temporal);
				set_off(&t->subs[s], t->subs[s].paused);
			}
		return;
	}

	struct dp_lp_source costs[DP_LP_MAX_SUBS];
	struct dp_lp_sub subs[DP_LP_MAX_SUBS];
	struct dp_lp_state state[DP_LP_MAX_SUBS];
	struct dp_lp_decision out[DP_LP_MAX_SUBS];
	uint32_t ids[DP_LP_MAX_SUBS];
	unsigned n = 0;
	const struct dp_room_state *rs = dp_room_state_get(mn, leg->room, false);
	uint32_t loudest_leg = rs ? rs->loudest_leg : 0;

	for (uint32_t s = a->leg_head[leg_id]; s != 0 && n < DP_LP_MAX_SUBS; s = a->sub_next[s]) {
		const struct dp_sub *sub = &t->subs[s];
		uint32_t publisher = source_leg(t, sub->source);
		source_costs(a, t, sub->source, &costs[n]);
		subs[n] = (struct dp_lp_sub){
			.src = &costs[n],
			.max_spatial = wish(sub->cap_spatial, DP_LP_MAX_SPATIAL),
			.max_temporal = wish(sub->cap_temporal, DP_LP_MAX_TEMPORAL),
			.max_height = sub->max_height,
			.rank = speaker_rank(t, rs, publisher, n),
			.speaker = loudest_leg != 0 && publisher == loudest_leg,
			.paused = sub->paused != 0,
		};
		state[n] = a->sub_state[s];
		ids[n++] = s;
	}
	struct dp_lp_receiver rx = {
		.estimate_bps = estimate,
		.max_video_sources = a->leg_max_sources[leg_id] ? a->leg_max_sources[leg_id]
								 : DP_LP_ALL,
	};
	struct dp_lp_config cfg = a->lp;
	cfg.policy = rs && rs->policy == STRATA_LAYER_POLICY_SPEAKER_FIRST ? DP_LP_SPEAKER_FIRST
									  : DP_LP_EQUAL_SHARE;
	dp_layer_policy_run(&cfg, &rx, subs, state, out, n, now_us, NULL);

	for (unsigned i = 0; i < n; i++) {
		struct dp_sub *sub = &t->subs[ids[i]];
		uint8_t ts, tt;

		a->sub_state[ids[i]] = state[i];
		bool off = false;
		if (!out[i].on && out[i].off == DP_LP_OFF_NO_LAYERS) {
			/* Nothing measured within the wishes (not sending yet):
			 * nothing to decide; the cap stands. */
			ts = sub->cap_spatial;
			tt = sub->cap_temporal;
			off = sub->paused;
		} else if (out[i].on) {
			ts = out[i].spatial;
			tt = out[i].temporal;
		} else {
			/* Left out (paused, beyond max_video_sources, or not
			 * even the base layer fits the estimate): nothing at
			 * all, and from its lowest layer when back. */
			ts = 0;
			tt = 0;
			off = true;
		}
		bool moved = atomic_load(&sub->target_spatial) != ts ||
			     atomic_load(&sub->target_temporal) != tt ||
			     atomic_load(&sub->off) != off;
		a->sub_adapted[ids[i]] = 1;
		if (moved) {
			set_targets(sub, ts, tt);
			set_off(sub, off);
		}
		if (moved || out[i].changed)
			emit_changed(mn, ids[i], sub, estimate, &out[i]);
	}
}

void dp_adapt_tick(struct dp_main *mn, uint64_t now)
{
	struct dp_adapt *a = mn->adapt;
	const struct dp_tables *t = &mn->dp->tables;
	uint64_t hz = mn->dp->tsc_hz;

	if (a == NULL || now < a->next_adapt_tsc)
		return;
	a->next_adapt_tsc = now + hz / 1000 * DP_ADAPT_INTERVAL_MS;
	double dt = a->last_adapt_tsc ? (double)(now - a->last_adapt_tsc) / (double)hz : 0;
	a->last_adapt_tsc = now;
	meter_streams(a, t, dt);

	/* Video subscriptions by receiver leg, newest first. */
	memset(a->leg_head, 0, (t->max_legs + 1) * sizeof(uint32_t));
	for (uint32_t s = t->max_subs; s >= 1; s--) {
		const struct dp_sub *sub = &t->subs[s];
		if (!sub->in_use || t->sources[sub->source].kind != STRATA_MEDIA_VIDEO)
			continue;
		a->sub_next[s] = a->leg_head[sub->leg];
		a->leg_head[sub->leg] = s;
	}
	int64_t now_us = (int64_t)(now / (hz / 1000000 ? hz / 1000000 : 1));
	for (uint32_t l = 1; l <= t->max_legs; l++)
		if (a->leg_head[l] != 0 && t->legs[l].in_use)
			run_leg(mn, l, now_us);
}
