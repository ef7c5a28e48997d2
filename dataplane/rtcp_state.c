/* SPDX-License-Identifier: BSD-3-Clause */
/* strata-dp's RTCP state: set-up, and the per-leg subscription table. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "rtcp/rtcp_time.h"
#include "rtcp_state.h"

struct dp_rtcp *dp_rtcp_g;

static const char *const counter_names[DP_RTCP_COUNTER_COUNT] = {
#define DP_RTCP_COUNTER_NAME(name, str) str,
	DP_FOREACH_RTCP_COUNTER(DP_RTCP_COUNTER_NAME)
#undef DP_RTCP_COUNTER_NAME
};

const char *dp_rtcp_counter_name(int c)
{
	return c >= 0 && c < DP_RTCP_COUNTER_COUNT ? counter_names[c] : "unknown";
}

void dp_rtcp_config_defaults(struct dp_rtcp_config *cfg)
{
	cfg->rtx_cache_ms = 1000;
	cfg->rtx_cache_mbufs = 4096;
	cfg->report_interval_ms = 1000;
}

int dp_rtcp_init(struct dp *dp, const struct dp_rtcp_config *cfg)
{
	struct dp_tables *t = &dp->tables;
	struct dp_rtcp *g = rte_zmalloc("strata_rtcp", sizeof(*g), RTE_CACHE_LINE_SIZE);
	struct timespec now;

	if (g == NULL)
		return -1;
	g->dp = dp;
	g->cfg = *cfg;
	/* Per-id state that is large and mostly idle: ordinary memory, whose
	 * pages the kernel provides only once a leg or stream touches them. */
	g->legs = calloc(t->max_legs + 1, sizeof(*g->legs));
	g->subs = calloc(t->max_subs + 1, sizeof(*g->subs));
	g->streams = calloc(t->max_streams + 1, sizeof(*g->streams));
	g->rtx.caches = calloc(t->max_streams + 1, sizeof(*g->rtx.caches));
	g->rtx.workers = rte_zmalloc("strata_rtx_workers",
				     sizeof(*g->rtx.workers) * (dp->n_workers ? dp->n_workers : 1),
				     RTE_CACHE_LINE_SIZE);
	if (g->legs == NULL || g->subs == NULL || g->streams == NULL || g->rtx.caches == NULL ||
	    g->rtx.workers == NULL) {
		dp_rtcp_g = g;
		dp_rtcp_fini();
		return -1;
	}
	g->rtx.age_tsc = (uint64_t)cfg->rtx_cache_ms * (dp->tsc_hz / 1000);
	g->rtx.budget_per_worker = cfg->rtx_cache_mbufs / (dp->n_workers ? dp->n_workers : 1);
	g->keyframe_interval_tsc = dp->keyframe_interval_tsc;
	(void)now;
	g->hz = dp->tsc_hz;
	g->start_tsc = rte_rdtsc();
	dp_rtcp_clock_anchor(g, g->start_tsc);
	g->next_report_tsc = g->start_tsc + dp->tsc_hz;
	dp_rtcp_g = g;
	return 0;
}

void dp_rtcp_clock_anchor(struct dp_rtcp *g, uint64_t tsc)
{
	struct timespec now;
	uint64_t hz = g->hz;

	/* The TSC read next to the wall clock, not the caller's (read at the
	 * start of its pass: the pass may have been descheduled since). */
	(void)tsc;
	uint64_t t1 = rte_rdtsc();
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t t2 = rte_rdtsc();
	tsc = t1 + (t2 - t1) / 2;
	uint64_t ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	/* The TSC rate over the last interval, if it is long enough to tell
	 * and near DPDK's estimate (else the wall clock was stepped). */
	if (g->anchor_ns != 0 && ns > g->anchor_ns + 100000000u && tsc > g->anchor_tsc) {
		uint64_t measured = (uint64_t)((unsigned __int128)(tsc - g->anchor_tsc) *
					       1000000000u / (ns - g->anchor_ns));
		uint64_t base = g->dp->tsc_hz;
		if (measured > base - base / 20 && measured < base + base / 20)
			hz = measured;
	}
	g->anchor_tsc = tsc;
	g->anchor_ns = ns;
	uint32_t seq = atomic_load_explicit(&g->clock_seq, memory_order_relaxed);
	atomic_store_explicit(&g->clock_seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	g->tsc0 = tsc;
	g->ntp0 = dp_rtcp_ntp_from_unix_us(ns / 1000u);
	g->hz = hz;
	atomic_store_explicit(&g->clock_seq, seq + 2, memory_order_release);
}

void dp_rtcp_fini(void)
{
	struct dp_rtcp *g = dp_rtcp_g;

	if (g == NULL)
		return;
	dp_rtcp_g = NULL;
	/* Cached packets go back to the pool with everything else. */
	free(g->legs);
	free(g->subs);
	free(g->streams);
	free(g->rtx.caches);
	rte_free(g->rtx.workers);
	rte_free(g);
}

static inline unsigned sub_hash(uint32_t ssrc)
{
	return (ssrc * 2654435761u) >> (32 - 8); /* DP_RTCP_LEG_SUBS = 2^8 */
}

_Static_assert(DP_RTCP_LEG_SUBS == 256, "sub_hash takes 8 bits");

void dp_rtcp_sub_added(struct dp *dp, uint32_t sub_id)
{
	struct dp_rtcp *g = dp_rtcp_g;
	const struct dp_sub *sub = &dp->tables.subs[sub_id];

	if (g == NULL)
		return;
	struct dp_rtcp_leg *l = &g->legs[sub->leg];
	uint64_t entry = (uint64_t)sub->ssrc << 32 | sub_id;
	for (unsigned k = 0, h = sub_hash(sub->ssrc); k < DP_RTCP_LEG_SUBS; k++) {
		_Atomic uint64_t *e = &l->subs[(h + k) % DP_RTCP_LEG_SUBS];
		uint64_t v = atomic_load_explicit(e, memory_order_relaxed);
		/* A free or deleted entry; or a stale one of a subscription
		 * that is gone (its leg was deleted without our hook). */
		uint32_t old = (uint32_t)v;
		if (v == 0 || old == 0 || !dp->tables.subs[old].in_use ||
		    dp->tables.subs[old].leg != sub->leg) {
			atomic_store_explicit(e, entry, memory_order_release);
			return;
		}
	}
	/* Full: feedback about this subscription is counted as unknown. */
}

void dp_rtcp_sub_removed(struct dp *dp, uint32_t sub_id)
{
	struct dp_rtcp *g = dp_rtcp_g;
	const struct dp_sub *sub = &dp->tables.subs[sub_id];

	if (g == NULL)
		return;
	struct dp_rtcp_leg *l = &g->legs[sub->leg];
	for (unsigned k = 0, h = sub_hash(sub->ssrc); k < DP_RTCP_LEG_SUBS; k++) {
		_Atomic uint64_t *e = &l->subs[(h + k) % DP_RTCP_LEG_SUBS];
		uint64_t v = atomic_load_explicit(e, memory_order_relaxed);
		if (v == 0)
			return;
		if ((uint32_t)v == sub_id) {
			/* Keeps the SSRC so later entries stay reachable. */
			atomic_store_explicit(e, v & ~0xffffffffull, memory_order_release);
			return;
		}
	}
}

uint32_t dp_rtcp_sub_by_ssrc(const struct dp *dp, uint32_t leg_id, uint32_t ssrc)
{
	const struct dp_rtcp_leg *l = &dp_rtcp_g->legs[leg_id];

	for (unsigned k = 0, h = sub_hash(ssrc); k < DP_RTCP_LEG_SUBS; k++) {
		uint64_t v = atomic_load_explicit(&l->subs[(h + k) % DP_RTCP_LEG_SUBS],
						  memory_order_acquire);
		if (v == 0)
			return 0;
		uint32_t id = (uint32_t)v;
		if ((uint32_t)(v >> 32) != ssrc || id == 0)
			continue;
		const struct dp_sub *sub = &dp->tables.subs[id];
		/* The table may lag a deletion: the subscription itself says. */
		if (sub->in_use && sub->leg == leg_id && sub->ssrc == ssrc)
			return id;
	}
	return 0;
}

struct dp_rtcp_leg *dp_rtcp_leg_owner(struct dp *dp, uint32_t leg_id)
{
	struct dp_rtcp_leg *l = &dp_rtcp_g->legs[leg_id];
	uint32_t gen = atomic_load_explicit(&dp->tables.legs[leg_id].gen, memory_order_acquire);

	if (!l->valid || l->gen != gen) {
		memset(l->peers, 0, sizeof(l->peers));
		memset(&l->report, 0, sizeof(l->report));
		l->report.rtt_us = -1;
		l->have_ntp_offset = 0;
		l->gen = gen;
		l->valid = 1;
	}
	return l;
}

struct dp_rtcp_sub *dp_rtcp_sub_owner(struct dp *dp, uint32_t sub_id)
{
	struct dp_rtcp_sub *s = &dp_rtcp_g->subs[sub_id];
	const struct dp_sub *sub = &dp->tables.subs[sub_id];
	uint32_t gen = atomic_load_explicit(&sub->gen, memory_order_acquire);

	if (!s->valid || s->gen != gen) {
		strata_srtp_tx_init(&s->rtx_tx, sub->rtx_ssrc);
		s->rtx_seq = (uint16_t)rte_rand();
		memset(&s->report, 0, sizeof(s->report));
		s->report.rtt_us = -1;
		s->gen = gen;
		s->valid = 1;
	}
	return s;
}
