/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore's own state: it applies strata-cp's commands, answers the
 * slow path (ARP, ND, ICMP), resolves next hops, reports events and
 * statistics, and retires deleted entries.  It sleeps between passes so it
 * can share a core with strata-cp.
 */
#ifndef STRATA_DP_MAIN_LCORE_H
#define STRATA_DP_MAIN_LCORE_H

#include <rte_hash.h>

#include "dp.h"
#include "tables_update.h"

struct dp_main {
	struct dp *dp;
	struct strata_srtp_engine *srtp; /* for key derivation at LEG_ADD */
	struct dp_update update;
	struct dp_counters c;             /* slow path: replied, drops */
	struct rte_hash *rooms;           /* room id -> struct dp_room */
	uint32_t legs_per_worker[DP_MAX_WORKERS];
	uint64_t events_dropped;          /* event ring full */
	uint64_t next_stats_tsc;
	uint64_t next_timeout_tsc;
	uint64_t snapshot_seq;
	struct dp_adapt *adapt;           /* layers and speakers (adapt.h) */
};

struct dp_room {
	uint16_t worker;   /* where the room's legs go while it fits */
	uint32_t legs;     /* legs placed on that worker */
};

/* Reserves an event slot (NULL and a count when the ring is full). */
struct strata_event *dp_event_reserve(struct dp_main *mn, enum strata_event_type type);
void dp_event_commit(struct dp_main *mn);

/* Totals over every lcore, from consistent per-lcore snapshots. */
void dp_stats_totals(struct dp_main *mn, struct dp_counters *sum, struct strata_event_stats *st);
void dp_stats_emit(struct dp_main *mn, bool per_leg);

/* Applies one command and emits its CMD_RESULT (and any answer events). */
void dp_command_apply(struct dp_main *mn, const struct strata_cmd *cmd);

/* Sends a frame built by the main lcore on port index `pi`. */
void dp_main_tx(struct dp_main *mn, uint16_t pi, struct rte_mbuf *m);
/* Starts resolving the next hop of a leg's remote (ARP / NS). */
void dp_main_resolve_leg(struct dp_main *mn, struct dp_leg *leg);

/* One pass of the main loop; returns when it is time to sleep. */
void dp_main_iteration(struct dp_main *mn, uint64_t now);

#endif /* STRATA_DP_MAIN_LCORE_H */
