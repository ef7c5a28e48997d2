/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events to strata-cp, and the statistics they carry.
 *
 * Worker counters are read by snapshot: the main lcore bumps each worker's
 * request number and the worker copies its counters at its next burst
 * boundary, where they balance (counters.h).  Summing the snapshots gives
 * totals in which rx = forwarded + punted + replied + dropped + in flight
 * holds exactly.
 */
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_pause.h>

#include "leg_bwe.h"
#include "main_lcore.h"
#include "rtcp_state.h"
#include "shm.h"
#include "telemetry.h"

struct strata_event *dp_event_reserve(struct dp_main *mn, enum strata_event_type type)
{
	struct strata_event *ev = strata_ring_reserve(dp_shm_event_ring(mn->dp->shm));

	if (ev == NULL) {
		mn->events_dropped++;
		return NULL;
	}
	memset(ev, 0, sizeof(*ev));
	ev->type = (uint16_t)type;
	return ev;
}

void dp_event_commit(struct dp_main *mn)
{
	strata_ring_commit(dp_shm_event_ring(mn->dp->shm));
}

static void add_counters(struct dp_counters *sum, const struct dp_counters *c)
{
	const uint64_t *from = (const uint64_t *)c;
	uint64_t *to = (uint64_t *)sum;

	/* struct dp_counters is only uint64_t fields. */
	for (size_t i = 0; i < sizeof(*c) / sizeof(uint64_t); i++)
		to[i] += from[i];
}

/* Asks every worker for a snapshot and waits (microseconds) for them. */
static void snapshot_workers(struct dp_main *mn)
{
	struct dp *dp = mn->dp;
	uint64_t seq = ++mn->snapshot_seq;
	/* Workers answer within a burst; a second allows for a worker that
	 * the OS has descheduled on a shared machine. */
	uint64_t deadline = rte_rdtsc() + dp->tsc_hz;

	for (unsigned k = 0; k < dp->n_workers; k++)
		atomic_store_explicit(&dp->workers[k]->snapshot_request, seq, memory_order_release);
	for (unsigned k = 0; k < dp->n_workers; k++) {
		while (atomic_load_explicit(&dp->workers[k]->snapshot_done, memory_order_acquire) != seq) {
			if (rte_rdtsc() > deadline)
				break; /* a stuck worker: use its previous snapshot */
			rte_pause();
		}
	}
}

void dp_stats_totals(struct dp_main *mn, struct dp_counters *sum, struct strata_event_stats *st)
{
	struct dp *dp = mn->dp;
	struct timespec ts;

	snapshot_workers(mn);
	memset(sum, 0, sizeof(*sum));
	for (unsigned k = 0; k < dp->n_workers; k++)
		add_counters(sum, &dp->workers[k]->snapshot);
	add_counters(sum, &mn->c);

	uint64_t dropped = 0;
	for (unsigned d = 0; d < DP_DROP_COUNT; d++)
		dropped += sum->drop[d];
	uint64_t tx_dropped = 0;
	for (unsigned d = 0; d < DP_TX_DROP_COUNT; d++)
		tx_dropped += sum->tx_drop[d];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	memset(st, 0, sizeof(*st));
	st->time_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	st->rx_packets = sum->rx_packets;
	st->rx_bytes = sum->rx_bytes;
	st->forwarded = sum->forwarded;
	st->dropped = dropped;
	st->punted = sum->punted;
	st->replied = sum->replied;
	st->in_flight = (sum->handoff_out - sum->handoff_in) + (sum->slowpath_out - sum->slowpath_in);
	st->tx_packets = sum->tx_packets;
	st->tx_bytes = sum->tx_bytes;
	st->tx_dropped = tx_dropped;
	st->workers = dp->n_workers;
	st->mbufs_in_use = rte_mempool_in_use_count(dp->pool);
	st->events_dropped = mn->events_dropped;
	for (uint32_t i = 1; i <= dp->tables.max_legs; i++)
		st->legs += dp->tables.legs[i].in_use;
	for (uint32_t i = 1; i <= dp->tables.max_streams; i++)
		st->streams += dp->tables.streams[i].in_use;
	for (uint32_t i = 1; i <= dp->tables.max_subs; i++)
		st->subscriptions += dp->tables.subs[i].in_use;
}

static void emit_leg_stats(struct dp_main *mn, uint32_t id)
{
	const struct dp_leg *leg = &mn->dp->tables.legs[id];
	struct strata_event *ev = dp_event_reserve(mn, STRATA_EVENT_LEG_STATS);

	if (ev == NULL)
		return;
	struct strata_event_leg_stats *ls = &ev->u.leg_stats;
	ls->leg = id;
	/* Written by the owner worker, read here without a snapshot: each
	 * value is a single aligned 64-bit load. */
	ls->rx_packets = leg->counters.rx_packets;
	ls->rx_bytes = leg->counters.rx_bytes;
	ls->rx_dropped = leg->counters.rx_dropped;
	ls->tx_packets = leg->counters.tx_packets;
	ls->tx_bytes = leg->counters.tx_bytes;
	ls->tx_dropped = leg->counters.tx_dropped;
	ls->srtp_auth_fail = leg->counters.srtp_auth_fail;
	ls->srtp_replay = leg->counters.srtp_replay;
	ls->remote = leg->remote;
	if (leg->bwe != NULL) {
		ls->bwe_bps = dp_leg_bwe_estimate(leg->bwe);
		ls->bwe_source = atomic_load_explicit(&leg->bwe->source, memory_order_relaxed);
		ls->twcc_stamped = atomic_load_explicit(&leg->bwe->stamped, memory_order_relaxed);
		ls->twcc_feedbacks = atomic_load_explicit(&leg->bwe->feedbacks, memory_order_relaxed);
		ls->remb_count = atomic_load_explicit(&leg->bwe->rembs, memory_order_relaxed);
		ls->twcc_unstamped = atomic_load_explicit(&leg->bwe->unstamped, memory_order_relaxed);
	}
	/* Receiver reports, as the owner worker last wrote them (rtcp_rx.c). */
	const struct dp_rtcp_leg *rl = dp_rtcp_g ? &dp_rtcp_g->legs[id] : NULL;
	ls->rr_rtt_us = -1;
	if (rl != NULL && rl->valid && rl->report.blocks != 0) {
		ls->rr_blocks = rl->report.blocks;
		ls->rr_fraction_lost = rl->report.fraction_lost;
		ls->rr_cumulative_lost = rl->report.cumulative_lost;
		ls->rr_jitter = rl->report.jitter;
		ls->rr_rtt_us = rl->report.rtt_us;
	}
	dp_event_commit(mn);
}

void dp_stats_emit(struct dp_main *mn, bool per_leg)
{
	struct dp_counters sum;
	struct strata_event_stats st;

	dp_stats_totals(mn, &sum, &st);
	struct dp_counters per_worker[DP_MAX_WORKERS];
	for (unsigned k = 0; k < mn->dp->n_workers; k++)
		per_worker[k] = mn->dp->workers[k]->snapshot;
	dp_telemetry_publish(&sum, &st, per_worker, mn->dp->n_workers);
	struct strata_event *ev = dp_event_reserve(mn, STRATA_EVENT_STATS);
	if (ev != NULL) {
		ev->u.stats = st;
		dp_event_commit(mn);
	}
	for (uint32_t i = 1; per_leg && i <= mn->dp->tables.max_legs; i++)
		if (mn->dp->tables.legs[i].in_use)
			emit_leg_stats(mn, i);
}
