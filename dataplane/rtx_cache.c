/* SPDX-License-Identifier: BSD-3-Clause */
/* The retransmission cache (rtx_cache.h explains the design). */
#include <rte_rcu_qsbr.h>

#include "dp.h"
#include "rtcp_state.h"
#include "rtp/rtp_header.h"

#define SLOT_MASK (DP_RTX_SLOTS - 1)
#define LIMBO_MASK (DP_RTX_LIMBO - 1)

void dp_rtx_cache_reclaim(struct dp_worker *w)
{
	struct dp_rtx_worker *rw = &dp_rtcp_g->rtx.workers[w->index];

	while (rw->tail != rw->head) {
		uint32_t i = rw->tail & LIMBO_MASK;
		if (rte_rcu_qsbr_check(w->dp->rcu, rw->limbo[i].token, false) != 1)
			break; /* later entries have later tokens */
		rte_pktmbuf_free(rw->limbo[i].m);
		rw->tail++;
	}
}

/* Takes slot s out of the cache; false (and nothing done) when the limbo
 * queue is full. */
static bool evict(struct dp_worker *w, struct dp_rtx_cache *c, struct dp_rtx_slot *s)
{
	struct dp_rtx_worker *rw = &dp_rtcp_g->rtx.workers[w->index];

	if (rw->head - rw->tail >= DP_RTX_LIMBO) {
		w->c.rtcp[DP_RTCP_C_RTX_LIMBO_FULL]++;
		return false;
	}
	atomic_store_explicit(&s->tag, 0, memory_order_release);
	uint32_t i = rw->head++ & LIMBO_MASK;
	rw->limbo[i].m = s->m;
	rw->limbo[i].token = rte_rcu_qsbr_start(w->dp->rcu);
	s->m = NULL;
	c->n--;
	rw->cached--;
	w->c.rtcp[DP_RTCP_C_RTX_EVICTED]++;
	return true;
}

/* Drops the oldest entry (skipping fifo entries whose slot was reused). */
static bool evict_oldest(struct dp_worker *w, struct dp_rtx_cache *c, uint64_t older_than,
			 bool by_age)
{
	while (c->tail != c->head) {
		uint16_t seq = c->fifo[c->tail & SLOT_MASK];
		struct dp_rtx_slot *s = &c->slots[seq & SLOT_MASK];
		uint32_t tag = atomic_load_explicit(&s->tag, memory_order_relaxed);
		if (tag != (DP_RTX_TAG_VALID | seq)) {
			c->tail++; /* stale: the slot went to a newer packet */
			continue;
		}
		if (by_age && s->tsc >= older_than)
			return false;
		if (!evict(w, c, s))
			return false;
		c->tail++;
		return true;
	}
	return false;
}

/* Puts m in the cache; a repair (an older number) never takes the slot
 * of a newer packet. */
static enum dp_rtx_put put(struct dp_worker *w, struct rte_mbuf *m, const struct dp_stream *st,
			   uint32_t stream_id, bool repair)
{
	struct dp_rtcp *g = dp_rtcp_g;
	struct dp_rtx_cache *c = &g->rtx.caches[stream_id];
	struct dp_rtx_worker *rw = &g->rtx.workers[w->index];
	const struct dp_mbuf_meta *meta = dp_meta(m);
	uint64_t now = meta->rx_tsc;
	uint32_t gen = atomic_load_explicit(&st->gen, memory_order_relaxed);
	const uint8_t *rtp = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->pkt.payload_off);
	uint16_t seq = strata_rtp_seq(rtp);

	dp_rtx_cache_reclaim(w);
	if (c->gen != gen) {
		/* A new stream in a reused slot: the old one's packets go. */
		while (c->n > 0 && evict_oldest(w, c, 0, false))
			;
		if (c->n > 0)
			return DP_RTX_PUT_REFUSED;
		c->head = c->tail = 0;
		c->gen = gen;
	}
	c->worker = (uint16_t)w->index;
	/* By time: what is older than the cache's age can go. */
	uint64_t limit = now > g->rtx.age_tsc ? now - g->rtx.age_tsc : 0;
	while (evict_oldest(w, c, limit, true))
		;
	struct dp_rtx_slot *s = &c->slots[seq & SLOT_MASK];
	uint32_t tag = atomic_load_explicit(&s->tag, memory_order_relaxed);
	if (repair && tag == (DP_RTX_TAG_VALID | seq))
		return DP_RTX_PUT_ALREADY;
	if (repair && tag != 0 && (int16_t)(uint16_t)((tag & 0xffffu) - seq) > 0)
		return DP_RTX_PUT_REFUSED;
	if (tag != 0 && !evict(w, c, s))
		return DP_RTX_PUT_REFUSED;
	/* By the budget: this stream's oldest makes room, if it has any. */
	uint64_t held = rw->cached - atomic_load_explicit(&rw->reaped, memory_order_relaxed);
	if (held >= g->rtx.budget_per_worker && !evict_oldest(w, c, 0, false)) {
		w->c.rtcp[DP_RTCP_C_RTX_BUDGET_FULL]++;
		return DP_RTX_PUT_REFUSED;
	}
	if (c->head - c->tail >= DP_RTX_SLOTS) {
		evict_oldest(w, c, 0, false); /* or only stale entries go */
		if (c->head - c->tail >= DP_RTX_SLOTS)
			return DP_RTX_PUT_REFUSED;
	}
	rte_mbuf_refcnt_update(m, 1);
	s->m = m;
	s->tsc = now;
	atomic_store_explicit(&s->tag, DP_RTX_TAG_VALID | seq, memory_order_release);
	c->fifo[c->head++ & SLOT_MASK] = seq;
	c->n++;
	rw->cached++;
	w->c.rtcp[DP_RTCP_C_RTX_CACHED]++;
	return DP_RTX_PUT_CACHED;
}

void dp_rtx_cache_put(struct dp_worker *w, struct rte_mbuf *m, const struct dp_stream *st,
		      uint32_t stream_id)
{
	if (dp_rtcp_g == NULL || st->kind != STRATA_MEDIA_VIDEO)
		return; /* audio is not retransmitted: Opus conceals */
	put(w, m, st, stream_id, false);
}

enum dp_rtx_put dp_rtx_cache_put_repair(struct dp_worker *w, struct rte_mbuf *m,
					const struct dp_stream *st, uint32_t stream_id)
{
	if (dp_rtcp_g == NULL || st->kind != STRATA_MEDIA_VIDEO)
		return DP_RTX_PUT_REFUSED;
	return put(w, m, st, stream_id, true);
}

struct rte_mbuf *dp_rtx_cache_get(struct dp_worker *w, uint32_t stream_id, uint16_t seq)
{
	struct dp_rtcp *g = dp_rtcp_g;
	struct dp_rtx_slot *s = &g->rtx.caches[stream_id].slots[seq & SLOT_MASK];
	uint32_t want = DP_RTX_TAG_VALID | seq;

	(void)w;
	if (atomic_load_explicit(&s->tag, memory_order_acquire) != want)
		return NULL;
	struct rte_mbuf *m = s->m;
	if (m == NULL)
		return NULL;
	/* Safe even if the writer evicted it meanwhile: it is in limbo until
	 * this worker's next quiescent state. */
	rte_mbuf_refcnt_update(m, 1);
	const struct dp_mbuf_meta *meta = dp_meta(m);
	const uint8_t *rtp = rte_pktmbuf_mtod_offset(m, const uint8_t *, meta->pkt.payload_off);
	if (atomic_load_explicit(&s->tag, memory_order_acquire) != want ||
	    strata_rtp_seq(rtp) != seq) {
		rte_mbuf_refcnt_update(m, -1); /* the cache or the limbo still holds it */
		return NULL;
	}
	return m;
}

void dp_rtx_cache_reap(struct dp *dp, uint32_t stream_id)
{
	struct dp_rtcp *g = dp_rtcp_g;
	struct dp_rtx_cache *c = &g->rtx.caches[stream_id];
	uint64_t freed = 0;

	(void)dp;
	if (c->n == 0)
		return;
	for (unsigned i = 0; i < DP_RTX_SLOTS; i++) {
		struct dp_rtx_slot *s = &c->slots[i];
		if (atomic_load_explicit(&s->tag, memory_order_relaxed) == 0)
			continue;
		atomic_store_explicit(&s->tag, 0, memory_order_relaxed);
		rte_pktmbuf_free(s->m);
		s->m = NULL;
		freed++;
	}
	c->n = 0;
	c->head = c->tail = 0;
	/* The packets counted against the worker's budget are gone. */
	atomic_fetch_add_explicit(&g->rtx.workers[c->worker].reaped, freed, memory_order_relaxed);
}
