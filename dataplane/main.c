/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-dp: the DPDK dataplane.
 *
 *   strata-dp [-c FILE] [-- EAL-ARGS...]
 *
 * Start-up builds everything in order and unwinds in reverse on failure
 * (labelled gotos), with a message that says what to do; then the workers
 * run on their lcores and the main lcore runs the housekeeping loop until
 * SIGINT or SIGTERM.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "adapt.h"
#include "config.h"
#include "main_lcore.h"
#include "port.h"
#include "rtcp_state.h"
#include "shm.h"
#include "telemetry.h"

#define DEFAULT_CONFIG "/etc/strata/strata.conf"
#define NEIGHBOR_CAPACITY 4096

static struct dp the_dp;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&the_dp.stop, 1);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: strata-dp [-c FILE] [-- EAL-ARGS...]\n"
		   "  -c FILE   configuration (default " DEFAULT_CONFIG "; see conf/strata.conf)\n"
		   "  --        the rest goes to DPDK's EAL, after the configuration's own\n");
}

static struct rte_ring *ring(const char *what, unsigned k, unsigned size, unsigned flags)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "strata_%s_%u", what, k);
	return rte_ring_create(name, size, (int)rte_socket_id(), flags);
}

static int workers_create(struct dp *dp, const struct dp_config *cfg, char *err, size_t errlen)
{
	for (unsigned k = 0; k < cfg->n_workers; k++) {
		if (!rte_lcore_is_enabled(cfg->workers[k]) ||
		    cfg->workers[k] == rte_get_main_lcore()) {
			snprintf(err, errlen, "worker lcore %u is not an EAL worker lcore: check "
				 "dataplane.workers against eal.lcores and eal.main_lcore",
				 cfg->workers[k]);
			return -1;
		}
		struct dp_worker *w = rte_zmalloc_socket("strata_worker", sizeof(*w),
							 RTE_CACHE_LINE_SIZE,
							 (int)rte_lcore_to_socket_id(cfg->workers[k]));
		if (w == NULL)
			goto nomem;
		dp->workers[k] = w;
		w->index = k;
		w->lcore = cfg->workers[k];
		w->dp = dp;
		w->pool = dp->pool;
		w->srtp = strata_srtp_engine_create();
		w->handoff = ring("handoff", k, 4096, RING_F_SC_DEQ);
		w->fanout = ring("fanout", k, 4096, RING_F_SC_DEQ);
		w->slowpath = ring("slowpath", k, 256, RING_F_SP_ENQ | RING_F_SC_DEQ);
		w->notify = ring("notify", k, 1024, RING_F_SP_ENQ | RING_F_SC_DEQ);
		w->from_main = ring("from_main", k, 512, RING_F_SP_ENQ | RING_F_SC_DEQ);
		w->punt = dp_shm_punt_ring(dp->shm, k);
		if (!w->srtp || !w->handoff || !w->fanout || !w->slowpath || !w->notify ||
		    !w->from_main)
			goto nomem;
	}
	dp->n_workers = cfg->n_workers;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory creating the workers: raise dataplane.eal.memory_mb");
	return -1;
}

static void workers_free(struct dp *dp)
{
	for (unsigned k = 0; k < DP_MAX_WORKERS; k++) {
		struct dp_worker *w = dp->workers[k];
		if (w == NULL)
			continue;
		strata_srtp_engine_destroy(w->srtp);
		rte_ring_free(w->handoff);
		rte_ring_free(w->fanout);
		rte_ring_free(w->slowpath);
		rte_ring_free(w->notify);
		rte_ring_free(w->from_main);
		rte_free(w);
		dp->workers[k] = NULL;
	}
}

static int ports_start(struct dp *dp, const struct dp_config *cfg, char *err, size_t errlen)
{
	uint16_t next_addr = 0;

	if (cfg->n_ports > DP_MAX_PORTS) {
		snprintf(err, errlen, "%u ports configured, at most %d", cfg->n_ports, DP_MAX_PORTS);
		return -1;
	}
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		if (dp_port_start(&cfg->ports[p], (uint16_t)cfg->n_workers, dp->pool, &next_addr,
				  &dp->ports[p], err, errlen) != 0)
			return -1;
		dp->port_index[dp->ports[p].port_id] = (uint8_t)p;
		dp->n_ports++;
		for (unsigned n = 0; n < cfg->ports[p].n_neighbours; n++) {
			const struct dp_neighbour *nb = &cfg->ports[p].neighbours[n];
			dp_neighbor_add_static(dp->neighbors, dp->ports[p].port_id,
					       nb->ip.family == AF_INET ? STRATA_AF_INET
									 : STRATA_AF_INET6,
					       nb->ip.addr, nb->mac);
		}
	}
	return 0;
}

static int main_create(struct dp_main *mn, struct dp *dp, char *err, size_t errlen)
{
	struct rte_hash_parameters hp = {
		.name = "strata_rooms",
		.entries = dp->tables.max_legs > 64 ? dp->tables.max_legs : 64,
		.key_len = sizeof(uint32_t),
		.socket_id = (int)rte_socket_id(),
	};

	memset(mn, 0, sizeof(*mn));
	mn->dp = dp;
	mn->srtp = strata_srtp_engine_create();
	mn->rooms = rte_hash_create(&hp);
	if (mn->srtp == NULL || mn->rooms == NULL ||
	    dp_update_init(&mn->update, &dp->tables, dp->rcu, 16384) != 0 ||
	    dp_adapt_init(mn) != 0) {
		snprintf(err, errlen, "out of memory for the main lcore's state");
		return -1;
	}
	return 0;
}

static void main_free(struct dp_main *mn)
{
	dp_adapt_free(mn);
	dp_update_fini(&mn->update);
	if (mn->rooms != NULL) {
		const void *key;
		void *data;
		uint32_t it = 0;
		while (rte_hash_iterate(mn->rooms, &key, &data, &it) >= 0)
			free(data);
		rte_hash_free(mn->rooms);
	}
	strata_srtp_engine_destroy(mn->srtp);
}

static int shm_create(struct dp *dp, const struct dp_config *cfg, char *err, size_t errlen)
{
	struct dp_shm_params p;

	dp_shm_params_default(&p);
	p.name = cfg->shm.name;
	p.group = cfg->shm.group;
	p.command_slots = cfg->shm.command_slots;
	p.event_slots = cfg->shm.event_slots;
	p.tx_slots = cfg->shm.tx_slots;
	p.punt_slots = cfg->shm.punt_slots;
	p.n_workers = cfg->n_workers;
	p.max_legs = cfg->limits.legs;
	p.max_streams = cfg->limits.streams;
	p.max_sources = cfg->limits.sources;
	p.max_subscriptions = cfg->limits.subscriptions;
	dp->shm = dp_shm_create(&p, err, errlen);
	return dp->shm ? 0 : -1;
}

static int run(struct dp *dp)
{
	struct dp_main mn;
	char err[512] = "";
	const struct dp_config *cfg = dp->cfg;
	uint16_t n_addrs = 0;
	int rc = 1;

	dp->tsc_hz = rte_get_tsc_hz();
	dp->keyframe_interval_tsc = cfg->timers.keyframe_request_ms * (dp->tsc_hz / 1000);
	for (unsigned p = 0; p < cfg->n_ports; p++)
		n_addrs = (uint16_t)(n_addrs + cfg->ports[p].n_addresses);

	dp->pool = rte_pktmbuf_pool_create(
		"strata_mbufs", cfg->pool.mbufs, cfg->pool.mbuf_cache,
		RTE_ALIGN(sizeof(struct dp_mbuf_meta), RTE_MBUF_PRIV_ALIGN),
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp->pool == NULL) {
		snprintf(err, sizeof(err), "cannot create %u mbufs: lower dataplane.pool.mbufs or "
			 "raise dataplane.eal.memory_mb", cfg->pool.mbufs);
		goto out;
	}
	if (shm_create(dp, cfg, err, sizeof(err)) != 0)
		goto out_pool;
	if (dp_tables_init(&dp->tables, cfg->limits.legs, cfg->limits.streams,
			   cfg->limits.sources, cfg->limits.subscriptions, n_addrs,
			   (int)rte_socket_id()) != 0) {
		snprintf(err, sizeof(err), "out of memory for the tables: lower dataplane.limits "
			 "or raise dataplane.eal.memory_mb");
		goto out_tables;
	}
	dp->neighbors = rte_zmalloc("strata_neighbors", dp_neighbor_table_size(NEIGHBOR_CAPACITY),
				    RTE_CACHE_LINE_SIZE);
	size_t rcu_size = rte_rcu_qsbr_get_memsize(cfg->n_workers);
	dp->rcu = rte_zmalloc("strata_rcu", rcu_size, RTE_CACHE_LINE_SIZE);
	if (dp->neighbors == NULL || dp->rcu == NULL ||
	    rte_rcu_qsbr_init(dp->rcu, cfg->n_workers) != 0) {
		snprintf(err, sizeof(err), "out of memory: raise dataplane.eal.memory_mb");
		goto out_tables;
	}
	dp_neighbor_table_init(dp->neighbors, NEIGHBOR_CAPACITY, dp->tsc_hz);
	if (workers_create(dp, cfg, err, sizeof(err)) != 0)
		goto out_workers;
	struct dp_rtcp_config rtcp_cfg = {
		.rtx_cache_ms = cfg->rtcp.rtx_cache_ms,
		.rtx_cache_mbufs = cfg->rtcp.rtx_cache_mbufs,
		.report_interval_ms = cfg->rtcp.report_interval_ms,
	};
	if (dp_rtcp_init(dp, &rtcp_cfg) != 0) {
		snprintf(err, sizeof(err), "out of memory for the RTCP state: lower "
			 "dataplane.limits");
		goto out_workers;
	}
	if (ports_start(dp, cfg, err, sizeof(err)) != 0)
		goto out_ports;
	if (main_create(&mn, dp, err, sizeof(err)) != 0)
		goto out_main;
	dp_telemetry_register(&mn);

	for (unsigned k = 0; k < dp->n_workers; k++)
		rte_eal_remote_launch(dp_worker_main, dp->workers[k], dp->workers[k]->lcore);
	dp_shm_set_state(dp->shm, STRATA_DP_RUNNING);
	printf("strata-dp: running: %u port(s), %u worker(s), shared memory %s (epoch %016llx)\n",
	       dp->n_ports, dp->n_workers, dp_shm_name(dp->shm),
	       (unsigned long long)dp_shm_boot_epoch(dp->shm));
	fflush(stdout);

	struct timespec nap = {.tv_sec = 0, .tv_nsec = (long)cfg->timers.housekeeping_us * 1000};
	while (!atomic_load(&dp->stop)) {
		dp_main_iteration(&mn, rte_rdtsc());
		nanosleep(&nap, NULL);
	}
	printf("strata-dp: stopping\n");
	rte_eal_mp_wait_lcore();
	dp_telemetry_unregister();
	rc = 0;
out_main:
	main_free(&mn);
out_ports:
	for (uint16_t p = 0; p < dp->n_ports; p++)
		dp_port_stop(&dp->ports[p]);
out_workers:
	atomic_store(&dp->stop, 1);
	rte_eal_mp_wait_lcore();
	workers_free(dp);
	dp_rtcp_fini();
out_tables:
	rte_free(dp->rcu);
	rte_free(dp->neighbors);
	dp_tables_free(&dp->tables);
	dp_shm_destroy(dp->shm);
out_pool:
	rte_mempool_free(dp->pool);
out:
	if (err[0] != 0)
		fprintf(stderr, "strata-dp: %s\n", err);
	return rc;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	static struct dp_config cfg;
	char err[512] = "";
	int opt, eal_argc;
	char **eal_argv;

	while ((opt = getopt(argc, argv, "c:h")) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* getopt stops at "--": what follows is EAL's. */
	if (dp_config_load(path, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "strata-dp: %s\n", err);
		return 1;
	}
	if (dp_config_eal_args(&cfg, argc - optind, argv + optind, argv[0], &eal_argc, &eal_argv,
			       err, sizeof(err)) != 0) {
		fprintf(stderr, "strata-dp: %s\n", err);
		dp_config_free(&cfg);
		return 1;
	}
	if (err[0] != 0)
		fprintf(stderr, "strata-dp: warning: %s\n", err);
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "strata-dp: DPDK's EAL did not start (%s): see its messages above; "
			"a unique dataplane.eal.file_prefix avoids clashes with other DPDK "
			"processes\n", rte_strerror(rte_errno));
		free(eal_argv);
		dp_config_free(&cfg);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	the_dp.cfg = &cfg;
	int rc = run(&the_dp);
	rte_eal_cleanup();
	free(eal_argv);
	dp_config_free(&cfg);
	return rc;
}
