/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore's half of bandwidth adaptation and active-speaker
 * detection: everything that is decided a few times a second rather than
 * per packet.
 *
 * Layers (adapt.c), every DP_ADAPT_INTERVAL_MS:
 *  - the layer meter (layer_meter.h) of each video stream becomes a bit
 *    rate per (spatial, temporal) layer and the choices' costs
 *    (layer_cost.h);
 *  - each receiver leg whose estimator has heard feedback (leg_bwe.h) has
 *    its video subscriptions decided together by bwe/layer_policy.h from
 *    the estimate, its wishes (SUB_SET_LAYERS as the cap, max_height,
 *    paused; LEG_SET_PREFS's max_video_sources, which keeps the videos of
 *    the room's most recent speakers) and its room's policy
 *    (ROOM_SET_POLICY; the room's loudest speaker first under
 *    SPEAKER_FIRST); the targets the workers apply (dp_sub.target_*) are
 *    the decision, never above the cap; each change is reported to
 *    strata-cp (STRATA_EVENT_LAYERS_CHANGED).  Down at once, up only after
 *    the estimate has held (the policy's hold, with back-off).
 *  - a leg without feedback keeps the cap as its targets: adaptation only
 *    starts once the receiver has said something about its bandwidth.
 *
 * Speakers (speaker_main.c), every DP_SPEAKER_TICK_MS: the last RFC 6464
 * level of each audio stream that is still sending (dp_stream.audio_level,
 * written by the publisher's worker) goes into its room's ranking
 * (speaker/speaker.h); a change of ranking or of the loudest becomes one
 * STRATA_EVENT_ACTIVE_SPEAKER, at most speaker_events_per_s per room (2 by
 * default, ROOM_SET_POLICY); changes in between are carried by the next
 * event allowed (the latest ranking, and loudest_changed if the loudest
 * moved meanwhile).
 */
#ifndef STRATA_DP_ADAPT_H
#define STRATA_DP_ADAPT_H

#include <stdbool.h>
#include <stdint.h>

#include <strata/messages.h>

#include "bwe/layer_policy.h"
#include "layer_cost.h"
#include "speaker/speaker.h"

#define DP_ADAPT_INTERVAL_MS 100
#define DP_SPEAKER_TICK_MS 20
#define DP_SPEAKER_SILENT_AFTER_MS 100 /* no packet for this long: silence (DTX) */
#define DP_SPEAKER_EVENTS_PER_S 2

struct dp_main;

/* A room's policy and its speakers [main]. */
struct dp_room_state {
	uint32_t room;
	uint8_t policy;               /* enum strata_layer_policy */
	uint8_t events_per_s;         /* ACTIVE_SPEAKER events at most per second */
	struct dp_speaker_room *spk;  /* while the room has audio streams with levels */
	uint32_t loudest_stream;      /* the last loudest published, 0 = none */
	uint32_t loudest_leg;
	bool pending;                 /* a change waits for the rate limit */
	bool pending_loudest;
	uint64_t last_event_tsc[DP_SPEAKER_MAX_EVENTS_PER_S]; /* ring of the last events */
	uint32_t events;              /* events sent (the ring's head) */
	struct dp_speaker_events ev;  /* the latest tick's outcome, for pending */
};

struct dp_adapt {
	struct dp_lp_config lp;
	struct dp_speaker_config spk_cfg;
	uint32_t max_legs, max_streams, max_subs;
	struct dp_lp_state *sub_state;      /* [max_subs + 1] */
	uint8_t *sub_adapted;               /* [max_subs + 1]: targets set by adaptation */
	struct dp_layer_rates *streams;     /* [max_streams + 1] */
	uint8_t *leg_max_sources;           /* [max_legs + 1], 0 = all */
	uint32_t *leg_head, *sub_next;      /* subscriptions grouped by leg, per run */
	/* Speakers: which room's ranking holds each audio stream. */
	struct dp_speaker_stream **spk_stream; /* [max_streams + 1] */
	uint32_t *spk_room;                 /* [max_streams + 1]: the room, 0 = none */
	uint32_t *spk_gen;
	struct rte_hash *rooms;             /* room -> struct dp_room_state */
	uint32_t max_rooms;
	uint64_t next_adapt_tsc, next_speaker_tsc, last_adapt_tsc;
	uint64_t layers_changed, speaker_events; /* events sent */
	uint64_t rooms_full;                /* rooms without state: the table was full */
};

/* Allocates the main lcore's state (-1: out of memory). */
int dp_adapt_init(struct dp_main *mn);
void dp_adapt_free(struct dp_main *mn);

/* The timers: called on every pass of the main loop. */
void dp_adapt_tick(struct dp_main *mn, uint64_t now_tsc);
void dp_speaker_main_tick(struct dp_main *mn, uint64_t now_tsc);

/* A room's state, created when `create` (NULL: none, or the table is full). */
struct dp_room_state *dp_room_state_get(struct dp_main *mn, uint32_t room, bool create);

/* Commands (commands.c): SUB_ADD and SUB_SET_LAYERS set the cap and the
 * wishes; LEG_ADD resets the leg's preferences. */
void dp_adapt_sub_caps(struct dp_main *mn, uint32_t sub_id, bool added);
void dp_adapt_leg_added(struct dp_main *mn, uint32_t leg_id);
enum strata_cmd_status dp_adapt_leg_prefs(struct dp_main *mn,
					  const struct strata_cmd_leg_set_prefs *c);
enum strata_cmd_status dp_adapt_room_policy(struct dp_main *mn,
					    const struct strata_cmd_room_set_policy *c);

#endif /* STRATA_DP_ADAPT_H */
