/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Changing the tables under lock-free readers (main lcore only).
 *
 * An entry being deleted is unpublished first (port map, SSRC slot,
 * receiver list), then retired: it stays untouched until every worker has
 * passed a quiescent state, and only then are its keys wiped and its slot
 * offered for reuse (`retiring` clears).
 */
#ifndef STRATA_DP_TABLES_UPDATE_H
#define STRATA_DP_TABLES_UPDATE_H

#include <rte_rcu_qsbr.h>

#include "tables.h"

enum dp_retire_kind {
	DP_RETIRE_SUB_LIST = 1, /* ptr: a replaced struct dp_sub_list */
	DP_RETIRE_LEG,          /* id: wipe keys, free the slot */
	DP_RETIRE_STREAM,
	DP_RETIRE_SUB,
};

struct dp_retired {
	uint32_t kind;
	uint32_t id;
	void *ptr;
};

struct dp_update {
	struct dp_tables *tables;
	struct rte_rcu_qsbr *rcu;
	struct rte_rcu_qsbr_dq *dq;
};

int dp_tables_init(struct dp_tables *t, uint32_t legs, uint32_t streams, uint32_t sources,
		   uint32_t subs, uint16_t n_addrs, int socket);
void dp_tables_free(struct dp_tables *t);

int dp_update_init(struct dp_update *u, struct dp_tables *t, struct rte_rcu_qsbr *rcu,
		   uint32_t size);
void dp_update_reclaim(struct dp_update *u);
void dp_update_fini(struct dp_update *u);

void dp_retire(struct dp_update *u, enum dp_retire_kind kind, uint32_t id, void *ptr);
void dp_retired_free(void *arg, void *entries, unsigned n);

/* Rebuilds and publishes a source's receiver list. -1: out of memory. */
int dp_source_publish_subs(struct dp_update *u, uint32_t source_id);

#endif /* STRATA_DP_TABLES_UPDATE_H */
