/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The tables' memory, and what the main lcore does to change them safely
 * under readers: publish with release stores, retire with RCU.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "tables.h"
#include "tables_update.h"

int dp_tables_init(struct dp_tables *t, uint32_t legs, uint32_t streams, uint32_t sources,
		   uint32_t subs, uint16_t n_addrs, int socket)
{
	memset(t, 0, sizeof(*t));
	t->max_legs = legs;
	t->max_streams = streams;
	t->max_sources = sources;
	t->max_subs = subs;
	t->n_addrs = n_addrs;
	/* Index 0 is never used: ids start at 1. */
	t->legs = rte_zmalloc_socket("strata_legs", sizeof(*t->legs) * (legs + 1), 64, socket);
	t->streams = rte_zmalloc_socket("strata_streams", sizeof(*t->streams) * (streams + 1), 64,
					socket);
	t->sources = rte_zmalloc_socket("strata_sources", sizeof(*t->sources) * (sources + 1), 64,
					socket);
	t->subs = rte_zmalloc_socket("strata_subs", sizeof(*t->subs) * (subs + 1), 64, socket);
	t->leg_by_port = rte_zmalloc_socket("strata_port_map", sizeof(*t->leg_by_port) * n_addrs,
					    64, socket);
	if (!t->legs || !t->streams || !t->sources || !t->subs || !t->leg_by_port)
		return -1;
	for (uint16_t a = 0; a < n_addrs; a++) {
		t->leg_by_port[a] = rte_zmalloc_socket("strata_port_map_addr",
						       sizeof(**t->leg_by_port) * 65536, 64, socket);
		if (t->leg_by_port[a] == NULL)
			return -1;
	}
	return 0;
}

void dp_tables_free(struct dp_tables *t)
{
	/* Keys live in the legs: wipe before the memory goes back. */
	if (t->legs != NULL) {
		for (uint32_t i = 1; i <= t->max_legs; i++) {
			strata_srtp_session_wipe(&t->legs[i].rx);
			strata_srtp_session_wipe(&t->legs[i].tx);
		}
	}
	for (uint32_t s = 1; t->sources && s <= t->max_sources; s++)
		rte_free(atomic_load(&t->sources[s].subs));
	for (uint32_t s = 1; t->streams && s <= t->max_streams; s++) {
		rte_free(t->streams[s].dd);
		rte_free(t->streams[s].h264);
	}
	for (uint16_t a = 0; t->leg_by_port && a < t->n_addrs; a++)
		rte_free(t->leg_by_port[a]);
	rte_free(t->leg_by_port);
	rte_free(t->legs);
	rte_free(t->streams);
	rte_free(t->sources);
	rte_free(t->subs);
	memset(t, 0, sizeof(*t));
}

/*
 * Builds the source's receiver list anew, grouped by serving worker, and
 * publishes it; the old list is retired through RCU (readers may hold it
 * until their next quiescent state).
 */
int dp_source_publish_subs(struct dp_update *u, uint32_t source_id)
{
	struct dp_tables *t = u->tables;
	struct dp_source *src = &t->sources[source_id];
	uint32_t count = 0;

	for (uint32_t s = 1; s <= t->max_subs; s++)
		count += t->subs[s].in_use && t->subs[s].source == source_id;

	struct dp_sub_list *list = rte_zmalloc("strata_sub_list",
					       sizeof(*list) + sizeof(uint32_t) * (count ? count : 1),
					       64);
	if (list == NULL)
		return -1;
	list->count = count;
	/* Counting sort by worker: first[w] is where worker w's run starts. */
	uint32_t per_worker[DP_MAX_WORKERS] = {0};
	for (uint32_t s = 1; s <= t->max_subs; s++)
		if (t->subs[s].in_use && t->subs[s].source == source_id)
			per_worker[t->subs[s].worker]++;
	list->first[0] = 0;
	for (unsigned w = 0; w < DP_MAX_WORKERS; w++)
		list->first[w + 1] = (uint16_t)(list->first[w] + per_worker[w]);
	uint32_t fill[DP_MAX_WORKERS];
	for (unsigned w = 0; w < DP_MAX_WORKERS; w++)
		fill[w] = list->first[w];
	for (uint32_t s = 1; s <= t->max_subs; s++)
		if (t->subs[s].in_use && t->subs[s].source == source_id)
			list->subs[fill[t->subs[s].worker]++] = s;

	struct dp_sub_list *old = atomic_exchange_explicit(&src->subs, list, memory_order_acq_rel);
	if (old != NULL)
		dp_retire(u, DP_RETIRE_SUB_LIST, 0, old);
	return 0;
}

void dp_retire(struct dp_update *u, enum dp_retire_kind kind, uint32_t id, void *ptr)
{
	struct dp_retired r = {.kind = kind, .id = id, .ptr = ptr};

	if (rte_rcu_qsbr_dq_enqueue(u->dq, &r) != 0) {
		/* The queue is sized for bursts of deletes; when it is full,
		 * wait for the grace period here (the main lcore only). */
		rte_rcu_qsbr_synchronize(u->rcu, RTE_QSBR_THRID_INVALID);
		dp_retired_free(u, &r, 1);
	}
}

/* After a grace period: no worker can still see the entry. */
void dp_retired_free(void *arg, void *entries, unsigned n)
{
	struct dp_update *u = arg;
	struct dp_tables *t = u->tables;
	struct dp_retired *r = entries;

	for (unsigned i = 0; i < n; i++) {
		switch (r[i].kind) {
		case DP_RETIRE_SUB_LIST:
			rte_free(r[i].ptr);
			break;
		case DP_RETIRE_LEG: {
			struct dp_leg *leg = &t->legs[r[i].id];
			strata_srtp_session_wipe(&leg->rx);
			strata_srtp_session_wipe(&leg->tx);
			leg->retiring = 0;
			break;
		}
		case DP_RETIRE_STREAM:
			rte_free(t->streams[r[i].id].dd);
			rte_free(t->streams[r[i].id].h264);
			t->streams[r[i].id].dd = NULL;
			t->streams[r[i].id].h264 = NULL;
			t->streams[r[i].id].retiring = 0;
			break;
		case DP_RETIRE_SUB:
			t->subs[r[i].id].retiring = 0;
			break;
		}
	}
}

static void dq_free(void *p, void *e, unsigned n)
{
	dp_retired_free(p, e, n);
}

int dp_update_init(struct dp_update *u, struct dp_tables *t, struct rte_rcu_qsbr *rcu,
		   uint32_t size)
{
	struct rte_rcu_qsbr_dq_parameters params = {
		.name = "strata_retire",
		.size = size,
		.esize = sizeof(struct dp_retired),
		.trigger_reclaim_limit = 1,
		.max_reclaim_size = 64,
		.free_fn = dq_free,
		.p = u,
		.v = rcu,
	};

	u->tables = t;
	u->rcu = rcu;
	u->dq = rte_rcu_qsbr_dq_create(&params);
	return u->dq ? 0 : -1;
}

void dp_update_reclaim(struct dp_update *u)
{
	unsigned freed, pending, available;

	rte_rcu_qsbr_dq_reclaim(u->dq, 64, &freed, &pending, &available);
}

void dp_update_fini(struct dp_update *u)
{
	if (u->dq != NULL) {
		/* Workers have stopped: everything can go now. */
		rte_rcu_qsbr_dq_delete(u->dq);
		u->dq = NULL;
	}
}
