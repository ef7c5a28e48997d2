/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd: a strata-dp in this process, built as dataplane/main.c
 * builds one, in the same order -- EAL, the mbuf pool, the shared-memory
 * segment (dp_command_apply reports every command's result there), the
 * tables, the neighbour table, one worker, the port, the main lcore's
 * command state -- and torn down in reverse.
 *
 * Differences from strata-dp, all on purpose:
 *   - EAL has one lcore, the worker's core; this thread is the worker.
 *     Nothing polls the port: the benchmark hands the worker its bursts
 *     (dp_worker_rx) and flushes (dp_fanout_flush) itself.
 *   - The port is net_null, whose TX frees what it is given.  It has no
 *     checksum offload; unless --sw-checksum, the bench sets the port's
 *     tx_cksum_offload as port start does on a NIC that has it, so the
 *     worker prepares mbufs for the NIC instead of summing 1200 bytes per
 *     output in software (net_null ignores the flags).
 *   - EAL runs with --no-huge (no hugepages taken from other DPDK
 *     processes on the machine) and its own --file-prefix; its runtime
 *     directory is removed at exit, however the process ends.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bench_libsrtp.h"
#include "bench_report.h"
#include "fwd_bench.h"
#include "leg_bwe.h"
#include "port.h"
#include "shm.h"

#define NEIGHBORS 64
#define EAL_MEMORY_MB "256"

static const uint8_t local_ip[4] = { 192, 0, 2, 2 };      /* the router's address */
static const uint8_t gateway_ip[4] = { 192, 0, 2, 1 };    /* every client is behind it */
static const uint8_t publisher_ip[4] = { 198, 51, 100, 1 };
static const uint8_t receiver_ip[4] = { 203, 0, 113, 10 };

/* What to undo when bench_fail exits half way. */
static struct {
	struct dp_shm *shm;
	bool eal;
	char runtime_dir[512]; /* EAL's, for this file prefix */
} live;

/* rte_eal_cleanup leaves EAL's runtime directory (config, sockets)
 * behind: remove it and what is in it. */
static void remove_runtime_dir(void)
{
	DIR *d;
	struct dirent *e;
	char path[1024];

	if (live.runtime_dir[0] == 0 || (d = opendir(live.runtime_dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", live.runtime_dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(live.runtime_dir);
	live.runtime_dir[0] = 0;
}

static void cleanup_at_exit(void)
{
	if (live.shm != NULL)
		dp_shm_destroy(live.shm);
	if (live.eal)
		rte_eal_cleanup();
	live.shm = NULL;
	live.eal = false;
	remove_runtime_dir();
}

static void random_bytes(void *p, size_t n)
{
	if (getrandom(p, n, 0) != (ssize_t)n)
		bench_fail("getrandom failed");
}

static void eal_init(struct fwd_ctx *x, unsigned core)
{
	char lcores[16], prefix[64];
	char why[256];
	/* Hugepages when the machine has free ones, as strata-dp's default
	 * (eal.hugepages = "auto") does: with 4 KB pages the mbuf pool's
	 * working set costs TLB misses that a real deployment does not pay. */
	bool huge = dp_hugepages_usable("/proc/meminfo", "/proc/mounts", atoi(EAL_MEMORY_MB), why,
					sizeof(why));
	char *argv[] = {
		"strata-bench-fwd", "-l", lcores, "--file-prefix", prefix,
		"-m", EAL_MEMORY_MB, "--no-pci", "--no-telemetry",
		"--vdev", "net_null0", "--log-level", "*:warning", huge ? NULL : "--no-huge", NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - (huge ? 2 : 1);
	x->hugepages = huge;

	snprintf(lcores, sizeof(lcores), "%u", core);
	snprintf(prefix, sizeof(prefix), "strata-bench-fwd-%d", (int)getpid());
	/* Where EAL puts it (eal_create_runtime_dir), known before init so
	 * that a failed init is cleaned up too. */
	const char *base = getuid() == 0 ? "/var/run" : getenv("XDG_RUNTIME_DIR");
	snprintf(live.runtime_dir, sizeof(live.runtime_dir), "%s/dpdk/%s", base ? base : "/tmp",
		 prefix);
	/* EAL logs to stdout by default: keep stdout for the table or JSON. */
	rte_openlog_stream(stderr);
	if (rte_eal_init(argc, argv) < 0)
		bench_fail("DPDK's EAL did not start on core %u (%s): see its messages above",
			   core, rte_strerror(rte_errno));
	live.eal = true;
	snprintf(live.runtime_dir, sizeof(live.runtime_dir), "%s", rte_eal_get_runtime_dir());
	x->core = core;
}

static struct rte_ring *ring(const char *what, unsigned size, unsigned flags)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "fwd_%s", what);
	if ((r = rte_ring_create(name, size, (int)rte_socket_id(), flags)) == NULL)
		bench_fail("cannot create ring %s: %s", name, rte_strerror(rte_errno));
	return r;
}

/* As dataplane/main.c's workers_create, for one worker on this lcore. */
static void worker_create(struct fwd_ctx *x)
{
	struct dp *dp = &x->dp;
	struct dp_worker *w = rte_zmalloc_socket("fwd_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
						 (int)rte_socket_id());

	if (w == NULL)
		bench_fail("out of memory for the worker");
	w->index = 0;
	w->lcore = rte_lcore_id();
	w->dp = dp;
	w->pool = dp->pool;
	if ((w->srtp = strata_srtp_engine_create()) == NULL)
		bench_fail("strata_srtp_engine_create failed");
	w->handoff = ring("handoff", 4096, RING_F_SC_DEQ);
	w->fanout = ring("fanout", 4096, RING_F_SC_DEQ);
	w->slowpath = ring("slowpath", 256, RING_F_SP_ENQ | RING_F_SC_DEQ);
	w->notify = ring("notify", 1024, RING_F_SP_ENQ | RING_F_SC_DEQ);
	w->from_main = ring("from_main", 512, RING_F_SP_ENQ | RING_F_SC_DEQ);
	w->punt = dp_shm_punt_ring(dp->shm, 0);
	dp->workers[0] = w;
	dp->n_workers = 1;
	x->w = w;
}

static void port_start(struct fwd_ctx *x)
{
	struct dp *dp = &x->dp;
	struct dp_port_config *pc = &x->port_cfg;
	uint16_t next_addr = 0;
	char err[512];

	memset(pc, 0, sizeof(*pc));
	snprintf(pc->device, sizeof(pc->device), "net_null0");
	pc->mtu = 1500;
	pc->rx_desc = pc->tx_desc = 1024;
	pc->addresses[0] = (struct dp_ip){ .family = AF_INET, .prefix_len = 24 };
	memcpy(pc->addresses[0].addr, local_ip, 4);
	pc->n_addresses = 1;
	pc->gateway4 = (struct dp_ip){ .family = AF_INET };
	memcpy(pc->gateway4.addr, gateway_ip, 4);
	pc->checksum = x->sw_checksum ? DP_CHECKSUM_SOFTWARE : DP_CHECKSUM_AUTO;
	pc->verify_rx_checksum = true;
	if (dp_port_start(pc, 1, dp->pool, &next_addr, &dp->ports[0], err, sizeof(err)) != 0)
		bench_fail("%s", err);
	x->port_id = dp->ports[0].port_id;
	dp->port_index[x->port_id] = 0;
	dp->n_ports = 1;
	if (!x->sw_checksum && !dp->ports[0].ifc.tx_cksum_offload) {
		dp->ports[0].ifc.tx_cksum_offload = true;
		x->checksum_modelled = true;
	}

	/* The gateway, a static neighbour: every client is behind it. */
	uint8_t gw[16] = { 0 };
	memcpy(gw, gateway_ip, 4);
	random_bytes(x->gateway_mac, 6);
	x->gateway_mac[0] = (uint8_t)((x->gateway_mac[0] & 0xfe) | 0x02); /* unicast, local */
	if (dp_neighbor_add_static(dp->neighbors, x->port_id, STRATA_AF_INET, gw,
				   x->gateway_mac) == 0)
		bench_fail("cannot add the gateway to the neighbour table");

	/* The wire as the gateway sends on it: frames to the router's MAC. */
	memset(&x->client_ifc, 0, sizeof(x->client_ifc));
	memcpy(x->client_ifc.mac, x->gateway_mac, 6);
	x->client_ifc.mtu = 1500;
}

/* As dataplane/main.c's main_create, without the rooms hash (room 0). */
static void main_create(struct fwd_ctx *x)
{
	struct dp_main *mn = &x->mn;

	memset(mn, 0, sizeof(*mn));
	mn->dp = &x->dp;
	if ((mn->srtp = strata_srtp_engine_create()) == NULL ||
	    dp_update_init(&mn->update, &x->dp.tables, x->dp.rcu, 16384) != 0)
		bench_fail("out of memory for the main lcore's state");
}

void fwd_setup(struct fwd_ctx *x, const struct fwd_setup_params *p)
{
	struct dp *dp = &x->dp;
	char err[512], shm_name[64];

	x->sw_checksum = p->sw_checksum;
	x->codec = p->codec;
	atexit(cleanup_at_exit);
	eal_init(x, p->core);

	dp_config_defaults(&x->cfg);
	if (p->mbuf_cache >= 0)
		x->cfg.pool.mbuf_cache = (uint32_t)p->mbuf_cache;
	x->cfg.limits.legs = p->max_legs;
	x->cfg.limits.streams = p->max_streams;
	x->cfg.limits.sources = p->max_streams;
	x->cfg.limits.subscriptions = p->max_subs;
	dp->cfg = &x->cfg;
	dp->tsc_hz = rte_get_tsc_hz();
	dp->keyframe_interval_tsc = x->cfg.timers.keyframe_request_ms * (dp->tsc_hz / 1000);

	/* strata-dp's default pool (dataplane.pool): how many mbufs the
	 * outputs cycle through, and how many of them the lcore cache keeps
	 * hot, matter to the CPU caches. */
	dp->pool = rte_pktmbuf_pool_create("fwd_mbufs", x->cfg.pool.mbufs, x->cfg.pool.mbuf_cache,
					   RTE_ALIGN(sizeof(struct dp_mbuf_meta), RTE_MBUF_PRIV_ALIGN),
					   RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp->pool == NULL)
		bench_fail("cannot create %u mbufs: %s", x->cfg.pool.mbufs, rte_strerror(rte_errno));

	struct dp_shm_params sp;
	dp_shm_params_default(&sp);
	snprintf(shm_name, sizeof(shm_name), "/strata-bench-fwd-%d", (int)getpid());
	sp.name = shm_name;
	sp.n_workers = 1;
	sp.max_legs = p->max_legs;
	sp.max_streams = sp.max_sources = p->max_streams;
	sp.max_subscriptions = p->max_subs;
	if ((dp->shm = dp_shm_create(&sp, err, sizeof(err))) == NULL)
		bench_fail("%s", err);
	live.shm = dp->shm;

	if (dp_tables_init(&dp->tables, p->max_legs, p->max_streams, p->max_streams, p->max_subs,
			   1, (int)rte_socket_id()) != 0)
		bench_fail("out of memory for the tables");
	dp->neighbors = rte_zmalloc("fwd_neighbors", dp_neighbor_table_size(NEIGHBORS),
				    RTE_CACHE_LINE_SIZE);
	dp->rcu = rte_zmalloc("fwd_rcu", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (dp->neighbors == NULL || dp->rcu == NULL || rte_rcu_qsbr_init(dp->rcu, 1) != 0)
		bench_fail("out of memory for the neighbour table or RCU");
	dp_neighbor_table_init(dp->neighbors, NEIGHBORS, dp->tsc_hz);

	worker_create(x);
	port_start(x);
	main_create(x);
	x->plain = aligned_alloc(64, FWD_BURST * FWD_BUF_STRIDE);
	x->stock = aligned_alloc(64, (size_t)FWD_STOCK * FWD_BUF_STRIDE);
	if (x->plain == NULL || x->stock == NULL)
		bench_fail("out of memory");
	memset(x->plain, 0, FWD_BURST * FWD_BUF_STRIDE);
}

void fwd_teardown(struct fwd_ctx *x)
{
	struct dp *dp = &x->dp;
	struct dp_worker *w = x->w;

	free(x->plain);
	free(x->stock);
	dp_update_fini(&x->mn.update);
	strata_srtp_engine_destroy(x->mn.srtp);
	dp_port_stop(&dp->ports[0]);
	strata_srtp_engine_destroy(w->srtp);
	rte_ring_free(w->handoff);
	rte_ring_free(w->fanout);
	rte_ring_free(w->slowpath);
	rte_ring_free(w->notify);
	rte_ring_free(w->from_main);
	rte_free(w);
	rte_free(dp->rcu);
	rte_free(dp->neighbors);
	/* LEG_ADD gave every leg an estimator (leg_bwe.h); strata-dp frees
	 * them with its adaptation state, which the bench does not run. */
	for (uint32_t i = 1; i <= dp->tables.max_legs; i++)
		dp_leg_bwe_free(&dp->tables.legs[i]);
	dp_tables_free(&dp->tables);
	dp_shm_destroy(dp->shm);
	live.shm = NULL;
	rte_mempool_free(dp->pool);
	rte_eal_cleanup();
	live.eal = false;
	remove_runtime_dir();
}

/* ---- commands ---------------------------------------------------------------- */

static const char *const cmd_names[STRATA_CMD_TYPE_COUNT] = {
	[STRATA_CMD_LEG_ADD] = "LEG_ADD",
	[STRATA_CMD_STREAM_ADD] = "STREAM_ADD",
	[STRATA_CMD_SUB_ADD] = "SUB_ADD",
};

/* Applies a command as the main lcore does and checks its CMD_RESULT. */
static void apply(struct fwd_ctx *x, struct strata_cmd *cmd)
{
	struct strata_ring *events = dp_shm_event_ring(x->dp.shm);
	const struct strata_event *ev;
	int status = -1;

	cmd->seq = ++x->cmd_seq;
	dp_command_apply(&x->mn, cmd);
	while ((ev = strata_ring_peek(events)) != NULL) {
		if (ev->type == STRATA_EVENT_CMD_RESULT && ev->u.cmd_result.seq == cmd->seq)
			status = ev->u.cmd_result.status;
		strata_ring_release(events);
	}
	if (status != STRATA_CMD_OK)
		bench_fail("%s (seq %u) failed: status %d", cmd_names[cmd->type], cmd->seq, status);
	/* As strata-dp does: keys cross the command once. */
	explicit_bzero(cmd, sizeof(*cmd));
}

void fwd_command(struct fwd_ctx *x, struct strata_cmd *cmd)
{
	apply(x, cmd);
}

void fwd_group_free(struct fwd_group *g)
{
	srtp_dealloc(g->client);
	if (g->recv_keys != NULL)
		explicit_bzero(g->recv_keys, sizeof(*g->recv_keys) * g->fanout);
	free(g->recv_keys);
	free(g);
}

static void keying(struct strata_keying *k, const struct strata_srtp_profile *p)
{
	memset(k, 0, sizeof(*k));
	k->profile = (uint8_t)p->id;
	random_bytes(k->key, p->key_len);
	random_bytes(k->salt, p->salt_len);
}

static struct strata_addr addr(const uint8_t ip[4], uint16_t port)
{
	struct strata_addr a = { .family = STRATA_AF_INET, .port = port };

	memcpy(a.ip, ip, 4);
	return a;
}

void fwd_group_create(struct fwd_ctx *x, struct fwd_group *g, uint32_t *next_leg,
		      uint32_t *next_stream, uint32_t *next_sub)
{
	const struct strata_srtp_profile *p = g->profile;
	struct strata_cmd cmd;
	struct strata_keying client_keys;

	/* The publisher: what it sends is protected with client_keys. */
	g->pub_leg = (*next_leg)++;
	g->pub_local = addr(local_ip, (uint16_t)(20000 + g->pub_leg));
	g->pub_remote = addr(publisher_ip, (uint16_t)(40000 + g->pub_leg));
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_LEG_ADD;
	cmd.u.leg_add.leg = g->pub_leg;
	cmd.u.leg_add.local = g->pub_local;
	cmd.u.leg_add.remote = g->pub_remote;
	keying(&cmd.u.leg_add.rx, p);
	keying(&cmd.u.leg_add.tx, p);
	client_keys = cmd.u.leg_add.rx;
	apply(x, &cmd);

	random_bytes(&g->ssrc, sizeof(g->ssrc));
	g->ssrc |= 1;
	g->client = bench_libsrtp_create(&client_keys, g->ssrc, 0);
	explicit_bzero(&client_keys, sizeof(client_keys));
	g->seq = 1;
	g->ts = FWD_FIRST_TS;

	g->stream = g->source = (*next_stream)++;
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_STREAM_ADD;
	cmd.u.stream_add = (struct strata_cmd_stream_add){
		.stream = g->stream, .source = g->source, .leg = g->pub_leg, .ssrc = g->ssrc,
		.clock_rate = 90000, .kind = STRATA_MEDIA_VIDEO,
		.codec = x->codec == FWD_CODEC_VP8 ? STRATA_CODEC_VP8 : STRATA_CODEC_H264,
		.pt = 96,
	};
	apply(x, &cmd);

	/* The receivers, each with its own keys, SSRC and address. */
	g->recv_keys = calloc(g->fanout, sizeof(*g->recv_keys));
	if (g->recv_keys == NULL)
		bench_fail("out of memory");
	g->first_recv_leg = *next_leg;
	g->first_sub = *next_sub;
	g->first_recv_remote_port = (uint16_t)(30000 + g->first_recv_leg);
	memcpy(g->recv_remote_ip, receiver_ip, 4);
	for (unsigned r = 0; r < g->fanout; r++) {
		uint32_t leg = (*next_leg)++, sub = (*next_sub)++;

		memset(&cmd, 0, sizeof(cmd));
		cmd.type = STRATA_CMD_LEG_ADD;
		cmd.u.leg_add.leg = leg;
		cmd.u.leg_add.local = addr(local_ip, (uint16_t)(20000 + leg));
		cmd.u.leg_add.remote = addr(receiver_ip, (uint16_t)(g->first_recv_remote_port + r));
		keying(&cmd.u.leg_add.rx, p);
		keying(&cmd.u.leg_add.tx, p);
		g->recv_keys[r] = cmd.u.leg_add.tx;
		apply(x, &cmd);

		memset(&cmd, 0, sizeof(cmd));
		cmd.type = STRATA_CMD_SUB_ADD;
		cmd.u.sub_add = (struct strata_cmd_sub_add){
			.sub = sub, .leg = leg, .source = g->source, .ssrc = 0x10000000u + sub,
			.pt = 100, .spatial = 0, .temporal = 255,
		};
		apply(x, &cmd);
	}
}
