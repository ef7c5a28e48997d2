/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /strata/ telemetry commands.  They run on DPDK's telemetry thread, so they
 * read a copy the main lcore publishes under a mutex (never a worker's live
 * counters), plus the tables' identity fields, which only change by
 * command.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <rte_telemetry.h>

#include "rtcp_state.h"
#include "telemetry.h"

static const char *const drop_names[DP_DROP_COUNT] = {
#define NAME(name, str) [DP_DROP_##name] = str,
	DP_FOREACH_DROP(NAME)
#undef NAME
};
static const char *const tx_drop_names[DP_TX_DROP_COUNT] = {
#define NAME(name, str) [DP_TX_DROP_##name] = str,
	DP_FOREACH_TX_DROP(NAME)
#undef NAME
};

const char *dp_drop_name(enum dp_drop d)
{
	return (unsigned)d < DP_DROP_COUNT ? drop_names[d] : "unknown";
}

const char *dp_tx_drop_name(enum dp_tx_drop d)
{
	return (unsigned)d < DP_TX_DROP_COUNT ? tx_drop_names[d] : "unknown";
}

static struct {
	pthread_mutex_t lock;
	struct dp_main *mn;
	struct dp_counters sum;
	struct strata_event_stats st;
	struct dp_counters workers[DP_MAX_WORKERS];
	unsigned n_workers;
} T = {.lock = PTHREAD_MUTEX_INITIALIZER};

void dp_telemetry_publish(const struct dp_counters *sum, const struct strata_event_stats *st,
			  const struct dp_counters *per_worker, unsigned n_workers)
{
	pthread_mutex_lock(&T.lock);
	T.sum = *sum;
	T.st = *st;
	memcpy(T.workers, per_worker, sizeof(*per_worker) * n_workers);
	T.n_workers = n_workers;
	pthread_mutex_unlock(&T.lock);
}

static int cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&T.lock);
	rte_tel_data_add_dict_u64(d, "rx_packets", T.st.rx_packets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", T.st.rx_bytes);
	rte_tel_data_add_dict_u64(d, "forwarded", T.st.forwarded);
	rte_tel_data_add_dict_u64(d, "punted", T.st.punted);
	rte_tel_data_add_dict_u64(d, "replied", T.st.replied);
	rte_tel_data_add_dict_u64(d, "dropped", T.st.dropped);
	rte_tel_data_add_dict_u64(d, "in_flight", T.st.in_flight);
	rte_tel_data_add_dict_u64(d, "tx_packets", T.st.tx_packets);
	rte_tel_data_add_dict_u64(d, "tx_bytes", T.st.tx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_dropped", T.st.tx_dropped);
	rte_tel_data_add_dict_u64(d, "legs", T.st.legs);
	rte_tel_data_add_dict_u64(d, "streams", T.st.streams);
	rte_tel_data_add_dict_u64(d, "subscriptions", T.st.subscriptions);
	rte_tel_data_add_dict_u64(d, "workers", T.st.workers);
	rte_tel_data_add_dict_u64(d, "mbufs_in_use", T.st.mbufs_in_use);
	rte_tel_data_add_dict_u64(d, "events_dropped", T.st.events_dropped);
	pthread_mutex_unlock(&T.lock);
	return 0;
}

static int cmd_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char name[64];

	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&T.lock);
	for (unsigned i = 0; i < DP_DROP_COUNT; i++)
		rte_tel_data_add_dict_u64(d, drop_names[i], T.sum.drop[i]);
	for (unsigned i = 0; i < DP_TX_DROP_COUNT; i++) {
		snprintf(name, sizeof(name), "tx_%s", tx_drop_names[i]);
		rte_tel_data_add_dict_u64(d, name, T.sum.tx_drop[i]);
	}
	for (unsigned i = 1; i < STRATA_SRTP_STATUS_COUNT; i++) {
		snprintf(name, sizeof(name), "srtp_%s", strata_srtp_status_name((int)i));
		rte_tel_data_add_dict_u64(d, name, T.sum.srtp_rx[i]);
	}
	/* The parser's refusals behind rtcp_invalid. */
	for (unsigned i = 1; i < DP_RTCP_ERROR_COUNT; i++) {
		snprintf(name, sizeof(name), "rtcp_err_%s", dp_rtcp_error_name((int)i));
		rte_tel_data_add_dict_u64(d, name, T.sum.rtcp_err[i]);
	}
	pthread_mutex_unlock(&T.lock);
	return 0;
}

static int cmd_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&T.lock);
	for (unsigned k = 0; k < T.n_workers; k++) {
		struct rte_tel_data *w = rte_tel_data_alloc();
		char key[32];
		if (w == NULL)
			break;
		rte_tel_data_start_dict(w);
		rte_tel_data_add_dict_u64(w, "rx_packets", T.workers[k].rx_packets);
		rte_tel_data_add_dict_u64(w, "forwarded", T.workers[k].forwarded);
		rte_tel_data_add_dict_u64(w, "tx_packets", T.workers[k].tx_packets);
		rte_tel_data_add_dict_u64(w, "handoff_in", T.workers[k].handoff_in);
		rte_tel_data_add_dict_u64(w, "handoff_out", T.workers[k].handoff_out);
		rte_tel_data_add_dict_u64(w, "fanout_in", T.workers[k].fanout_in);
		snprintf(key, sizeof(key), "worker%u", k);
		rte_tel_data_add_dict_container(d, key, w, 0);
	}
	pthread_mutex_unlock(&T.lock);
	return 0;
}

static int cmd_legs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	pthread_mutex_lock(&T.lock);
	if (T.mn != NULL) {
		const struct dp_tables *t = &T.mn->dp->tables;
		for (uint32_t i = 1; i <= t->max_legs; i++)
			if (t->legs[i].in_use)
				rte_tel_data_add_array_int(d, (int)i);
	}
	pthread_mutex_unlock(&T.lock);
	return 0;
}

static void add_addr(struct rte_tel_data *d, const char *key, const struct strata_addr *a)
{
	char ip[INET6_ADDRSTRLEN] = "", buf[INET6_ADDRSTRLEN + 16];

	if (a->family != STRATA_AF_NONE)
		inet_ntop(a->family == STRATA_AF_INET ? AF_INET : AF_INET6, a->ip, ip, sizeof(ip));
	snprintf(buf, sizeof(buf), a->family == STRATA_AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
		 a->port);
	rte_tel_data_add_dict_string(d, key, buf);
}

/* What rtcp_counters.h lists, and the RTCP packets read by type. */
static int cmd_rtcp(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char name[64];

	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&T.lock);
	for (unsigned i = 0; i < DP_RTCP_COUNTER_COUNT; i++)
		rte_tel_data_add_dict_u64(d, dp_rtcp_counter_name((int)i), T.sum.rtcp[i]);
	for (unsigned i = 0; i < DP_RTCP_ITEM_TYPE_COUNT; i++) {
		snprintf(name, sizeof(name), "rtcp_item_%s", dp_rtcp_item_type_name((int)i));
		rte_tel_data_add_dict_u64(d, name, T.sum.rtcp_items[i]);
	}
	pthread_mutex_unlock(&T.lock);
	return 0;
}

/* What the leg's receiver reports said (rtcp_rx.c), -1 RTT when unknown. */
static void add_rtcp_report(struct rte_tel_data *d, uint32_t id)
{
	const struct dp_rtcp_leg *l = dp_rtcp_g ? &dp_rtcp_g->legs[id] : NULL;

	if (l == NULL || !l->valid || l->report.blocks == 0) {
		rte_tel_data_add_dict_u64(d, "rr_blocks", 0);
		return;
	}
	/* Written by the owner worker: single aligned loads, a report may mix
	 * two blocks' fields, which telemetry can live with. */
	rte_tel_data_add_dict_u64(d, "rr_blocks", l->report.blocks);
	rte_tel_data_add_dict_u64(d, "rr_fraction_lost", l->report.fraction_lost);
	rte_tel_data_add_dict_int(d, "rr_cumulative_lost", l->report.cumulative_lost);
	rte_tel_data_add_dict_u64(d, "rr_jitter", l->report.jitter);
	rte_tel_data_add_dict_int(d, "rr_rtt_us", (int)l->report.rtt_us);
}

static int cmd_leg(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	if (params == NULL)
		return -1;
	unsigned long id = strtoul(params, NULL, 10);
	int rc = -1;

	pthread_mutex_lock(&T.lock);
	if (T.mn != NULL && id >= 1 && id <= T.mn->dp->tables.max_legs &&
	    T.mn->dp->tables.legs[id].in_use) {
		const struct dp_leg *leg = &T.mn->dp->tables.legs[id];
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_u64(d, "leg", id);
		rte_tel_data_add_dict_u64(d, "room", leg->room);
		rte_tel_data_add_dict_u64(d, "worker", leg->worker);
		add_addr(d, "local", &leg->local);
		add_addr(d, "remote", &leg->remote);
		rte_tel_data_add_dict_string(d, "rx_profile", leg->rx.profile->name);
		rte_tel_data_add_dict_string(d, "tx_profile", leg->tx.profile->name);
		rte_tel_data_add_dict_u64(d, "rx_packets", leg->counters.rx_packets);
		rte_tel_data_add_dict_u64(d, "rx_bytes", leg->counters.rx_bytes);
		rte_tel_data_add_dict_u64(d, "rx_dropped", leg->counters.rx_dropped);
		rte_tel_data_add_dict_u64(d, "tx_packets", leg->counters.tx_packets);
		rte_tel_data_add_dict_u64(d, "tx_bytes", leg->counters.tx_bytes);
		rte_tel_data_add_dict_u64(d, "tx_dropped", leg->counters.tx_dropped);
		rte_tel_data_add_dict_u64(d, "srtp_auth_fail", leg->counters.srtp_auth_fail);
		rte_tel_data_add_dict_u64(d, "srtp_replay", leg->counters.srtp_replay);
		add_rtcp_report(d, (uint32_t)id);
		rc = 0;
	}
	pthread_mutex_unlock(&T.lock);
	return rc;
}

void dp_telemetry_register(struct dp_main *mn)
{
	pthread_mutex_lock(&T.lock);
	T.mn = mn;
	pthread_mutex_unlock(&T.lock);
	rte_telemetry_register_cmd("/strata/stats", cmd_stats,
				   "strata-dp totals. Takes no parameters");
	rte_telemetry_register_cmd("/strata/drops", cmd_drops,
				   "Every drop reason's counter. Takes no parameters");
	rte_telemetry_register_cmd("/strata/workers", cmd_workers,
				   "Per-worker counters. Takes no parameters");
	rte_telemetry_register_cmd("/strata/rtcp", cmd_rtcp,
				   "RTCP counters and items read by type. Takes no parameters");
	rte_telemetry_register_cmd("/strata/legs", cmd_legs, "Leg ids in use. Takes no parameters");
	rte_telemetry_register_cmd("/strata/leg", cmd_leg, "One leg. Parameters: int leg_id");
}

void dp_telemetry_unregister(void)
{
	/* DPDK 22.11 cannot unregister commands: they answer empty from now. */
	pthread_mutex_lock(&T.lock);
	T.mn = NULL;
	memset(&T.st, 0, sizeof(T.st));
	pthread_mutex_unlock(&T.lock);
}
