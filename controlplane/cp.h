/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp as one struct: its configuration, the servers it runs in one
 * event loop (signaling, control socket, metrics), the app store, the
 * dataplane link, and the rooms with their participants.
 *
 *   main.c          start-up, signals, shut-down
 *   cp_join.c       joining and resuming (signaling), the away participants
 *   cp_session.c    the other signaling requests: publish, leave...
 *   cp_program.c    what participants mean for strata-dp: legs, streams,
 *                   subscriptions; replay after a strata-dp restart;
 *                   cleaning up after an earlier strata-cp
 *   cp_dplink.c     the shared-memory link to strata-dp (cp_dplink.h)
 *   cp_persist.c    sessions.state: taking legs over after a restart
 *   stun.c          STUN Binding answers for punted packets
 *   cp_commands.c   the control socket's commands (stratactl)
 *
 * Single-threaded: everything runs on the loop's thread.
 */
#ifndef STRATA_CP_CP_H
#define STRATA_CP_CP_H

#include <stdbool.h>
#include <stdint.h>

#include "appstore.h"
#include "cp_config.h"
#include "cp_dplink.h"
#include "ctl.h"
#include "idpool.h"
#include "masterkey.h"
#include "metrics.h"
#include "ratelimit.h"
#include "room.h"
#include "sig_fdwatch.h"
#include "sig_server.h"
#include "stun.h"

#define CP_VERSION "0.1.0"

/* An operator's ban of a user of an application. */
struct cp_ban {
	char app[CP_APP_ID_MAX + 1];
	char user[CP_USER_MAX + 1];
	uint64_t until_ms;              /* wall clock; 0 = for ever */
	struct cp_ban *next;
};

/* A "stats" reply waiting for strata-dp's STATS event. */
struct cp_stats_wait {
	struct ctl_reply *reply;
	struct cp_stats_wait *next;
};

/* Join outcomes, for the metrics and "stats". */
#define CP_FOREACH_JOIN_RESULT(_)                                              \
	_(OK, "ok")                                                            \
	_(RATE_LIMITED, "rate_limited")                                        \
	_(INVALID_TOKEN, "invalid_token")                                      \
	_(INVALID_RESOURCE_ID, "invalid_resource_id")                          \
	_(BANNED, "banned")                                                    \
	_(DRAINING, "draining")                                                \
	_(RESOURCE_FULL, "resource_full")                                      \
	_(UNSUPPORTED_MEDIA, "unsupported_media")                              \
	_(NO_DATAPLANE, "no_dataplane")                                        \
	_(DATAPLANE_REFUSED, "dataplane_refused")                              \
	_(OTHER, "other")

enum cp_join_result {
#define CP_JOIN_ENUM(name, str) CP_JOIN_##name,
	CP_FOREACH_JOIN_RESULT(CP_JOIN_ENUM)
#undef CP_JOIN_ENUM
	CP_JOIN_RESULT_COUNT
};

struct cp {
	struct cp_config cfg;
	const char *config_path;        /* NULL: defaults only */
	uint64_t started_ms;

	struct sig_server *sig;
	struct ctl *ctl;
	struct sig_fdwatch *ctl_watch, *metrics_watch, *sig_watch;
	struct cp_metrics *metrics;
	struct cp_metrics_http *http;
	struct sig_timer *tick;         /* every second: timers, log flush */
	struct sig_timer *dp_timer;     /* every poll_us: the dataplane link */
	struct cp_appstore *apps;
	uint8_t master[CP_MASTER_KEY_LEN]; /* seals the app store and sessions.state */
	struct sig_timer *save_timer;   /* sessions.state, SAVE_MS after a change */
	bool save_armed;
	bool restored;                  /* sessions came back from sessions.state */

	struct cp_dplink *dp;
	bool pools_ready;
	struct cp_idpool legs, streams, sources, subs, ports;
	bool cleaning;                  /* DUMP after attach: removing orphans */
	struct cp_orphans {             /* ids the DUMP listed, by kind */
		uint32_t *ids;
		uint8_t *kept;          /* at DUMP_END: 1 = a restored session's */
		size_t n, cap;
	} orphan_subs, orphan_streams, orphan_legs;
	struct strata_event_stats dp_stats;  /* the last STATS event */
	bool have_dp_stats;
	struct cp_stats_wait *stats_waits;

	struct cp_rooms rooms;
	unsigned n_participants;
	uint64_t next_serial;
	struct cp_ratelimit rl_addr, rl_app;
	struct cp_ban *bans;
	bool draining;
	bool stopping;

	uint64_t joins[CP_JOIN_RESULT_COUNT];
	uint64_t stun[CP_STUN_RESULT_COUNT]; /* punted STUN, by outcome (stun.h) */
	uint64_t leaves, kicks, publishes, chats;
};

/* Clocks: monotonic and wall, in milliseconds. */
uint64_t cp_now_ms(void);
uint64_t cp_wall_ms(void);

/* cp_session.c: the signaling server's handlers. */
extern const struct sig_handlers cp_sig_handlers;
/* Removes a participant: closing reason sent first when conn is open and
 * close_reason is not NULL ("kicked", "Banned"), then the connection is
 * closed with `how`.  left_reason goes to the others' participant-left. */
void cp_participant_remove(struct cp *cp, struct cp_participant *p, const char *left_reason);
void cp_participant_kick(struct cp *cp, struct cp_participant *p, const char *closing_reason,
			 const char *left_reason);
const char *cp_join_result_name(enum cp_join_result r);
/* Every second: participants away (connection lost without "leave")
 * longer than sessions.resume_grace_s are removed. */
void cp_sessions_tick(struct cp *cp);
/* Every participant, connected or away, removed (shutting down). */
void cp_sessions_remove_all(struct cp *cp, const char *reason);
bool cp_is_banned(struct cp *cp, const char *app, const char *user);
/* Draining and the last room gone: stop the loop. */
void cp_check_drained(struct cp *cp);
/* Sends text to every joined member of room but `except`. */
void cp_room_broadcast(struct cp_room *room, const struct cp_participant *except,
		       const char *json);

/* cp_program.c: the dataplane's side. */
extern const struct cp_dplink_ops cp_dplink_handlers;
/* Dataplane ids; 0 when a pool is exhausted or the dataplane unknown. */
int cp_program_leg(struct cp *cp, struct cp_participant *p, cp_dplink_result_fn *cb);
void cp_program_pub(struct cp *cp, struct cp_participant *p, struct cp_pub *pub);
/* A subscription of receiver r to pub of publisher q (not sent yet when
 * over r's maxVideoSources). */
struct cp_sub *cp_program_sub(struct cp *cp, struct cp_participant *r, struct cp_participant *q,
			      struct cp_pub *pub);
void cp_program_sub_del(struct cp *cp, struct cp_participant *r, struct cp_sub *s);
void cp_program_pub_del(struct cp *cp, struct cp_participant *p, struct cp_pub *pub);
void cp_program_leg_del(struct cp *cp, struct cp_participant *p);
void cp_program_layers(struct cp *cp, struct cp_participant *r, struct cp_sub *s);
/* Applies r's maxVideoSources: programs or removes video subscriptions. */
void cp_program_video_limit(struct cp *cp, struct cp_participant *r);
/* Frees p once nothing outstanding names it (keys wiped). */
void cp_participant_release(struct cp *cp, struct cp_participant *p);

/* cp_persist.c: sessions.state.  save: now (0, or -1 logged); load: at
 * start-up, before the loop (0, or -1 logged: started without sessions);
 * changed: a participant's state changed, save soon. */
int cp_persist_save(struct cp *cp);
int cp_persist_load(struct cp *cp);
/* The part of load after the file is unsealed: the JSON into the rooms
 * (0, or -1 when it is not a sessions document).  fuzz_persist drives it. */
int cp_persist_restore(struct cp *cp, const char *text, size_t len);
void cp_state_changed(struct cp *cp);

/* main.c: re-reads the configuration file and applies the reloadable
 * settings (quotas, tokens, apps.rotation_grace_s, media, logs.level).
 * 0, or -1 with msg saying why nothing changed. */
int cp_reload(struct cp *cp, char *msg, size_t len);

/* cp_commands.c */
int cp_commands_register(struct cp *cp);
/* Finishes the "stats" replies waiting for strata-dp. */
void cp_commands_stats_ready(struct cp *cp);

#endif /* STRATA_CP_CP_H */
