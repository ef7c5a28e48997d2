/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-dp's process-wide state and the per-lcore contexts.
 *
 * One struct dp holds what every lcore may read (tables, ports, pools);
 * each worker has its own struct dp_worker, cache-aligned and written by
 * nobody else (DESIGN.md: "per-lcore context, shared with nobody").
 */
#ifndef STRATA_DP_H
#define STRATA_DP_H

#include <stdatomic.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_rcu_qsbr.h>

#include <strata/shm.h>

#include "codec/h264.h"
#include "config.h"
#include "counters.h"
#include "net/classify.h"
#include "net/iface.h"
#include "net/neighbor.h"
#include "tables.h"

#define DP_BURST 32
#define DP_MAX_PORTS 8
/* Outputs collected before one protect call and one TX burst per port. */
#define DP_MAX_OUTPUTS 512
/* ...but a flush comes sooner: outputs in flight are cache footprint (an
 * mbuf header and up to 1.5 KB each), and past a few hundred they no
 * longer fit a core's L2. */
#ifndef DP_FLUSH_OUTPUTS
#define DP_FLUSH_OUTPUTS 128
#endif

/* What a worker keeps about a packet between classification and TX, in the
 * mbuf's private area so it travels with the packet through rings. */
struct dp_mbuf_meta {
	struct dp_pkt pkt;          /* classification */
	uint32_t leg;               /* media: the leg that owns the local port */
	uint32_t leg_gen;           /* its generation when looked up */
	uint32_t stream;            /* fan-out shares: the source stream */
	uint32_t stream_gen;
	struct dp_frame_info frame; /* fan-out shares: what the codec parser found */
	struct dp_frame_svc svc;    /* ... VP9's spatial layer (fanout_svc.h) */
	uint8_t path;               /* ... enum dp_codec_path: how receivers select */
	uint8_t dd_off;             /* ... the descriptor's offset in the RTP header */
	uint8_t dd_len;             /* ... and its length, 0 = none */
	union {
		struct dp_av1_dd_frame dd; /* DP_PATH_DD */
		struct dp_h264_info h264;  /* DP_PATH_H264 */
	} codec;
	uint64_t rx_tsc;
	uint16_t rtp_hdr_len;       /* fan-out: the RTP header's length */
	uint8_t latch;              /* from an address other than the leg's remote */
	uint8_t rtx;                /* on the stream's RTX SSRC */
};

static inline struct dp_mbuf_meta *dp_meta(struct rte_mbuf *m)
{
	return (struct dp_mbuf_meta *)rte_mbuf_to_priv(m);
}

/* Notifications from workers to the main lcore, packed into a ring entry. */
enum dp_notify {
	DP_NOTIFY_STREAM_STARTED = 1, /* id: stream */
	DP_NOTIFY_KEYFRAME_NEEDED,    /* id: subscription */
	DP_NOTIFY_LEG_LATCHED,        /* id: leg */
};

static inline void *dp_notify_pack(enum dp_notify type, uint32_t id)
{
	return (void *)(uintptr_t)(((uint64_t)type << 32) | id | (1ull << 63));
}

/* One output under construction: a receiver's copy of an input. */
struct dp_output {
	struct rte_mbuf *m;
	uint16_t port;
	uint16_t l2l3_len;    /* Ethernet + IP + UDP headers before the RTP packet */
	uint32_t leg;
	uint32_t sub;
};

struct dp_worker {
	unsigned index;
	unsigned lcore;
	struct dp *dp;
	struct strata_srtp_engine *srtp;
	struct rte_mempool *pool;

	/* RX queues this worker polls: queue `index` of every port. */
	uint16_t n_ports;
	/* TX queue of this worker on every port: its index. */

	struct rte_ring *handoff;   /* MP/SC: packets for legs this worker owns */
	struct rte_ring *fanout;    /* MP/SC: decrypted packets for its receivers */
	struct rte_ring *slowpath;  /* SP/SC to main: ARP, ND, ICMP frames */
	struct rte_ring *notify;    /* SP/SC to main: enum dp_notify entries */
	struct rte_ring *from_main; /* SP/SC from main: frames to transmit (m->port) */
	struct strata_ring *punt;   /* shm, to strata-cp */

	struct dp_counters c;

	/* Snapshot protocol: main asks (request = n), the worker copies its
	 * counters at a burst boundary and answers (done = n). */
	_Atomic uint64_t snapshot_request;
	_Atomic uint64_t snapshot_done;
	struct dp_counters snapshot;

	/* Scratch for one burst. */
	struct rte_mbuf *media[DP_MAX_OUTPUTS];
	struct strata_srtp_op in_ops[DP_MAX_OUTPUTS];
	struct strata_srtp_op out_ops[DP_MAX_OUTPUTS];
	struct dp_output outputs[DP_MAX_OUTPUTS];
	unsigned n_out;
	/* Output buffers taken from the pool in bulk, returned at each flush. */
	struct rte_mbuf *spare[DP_BURST];
	unsigned n_spare;
	/* Inputs whose outputs are not encrypted yet (they read from them). */
	struct rte_mbuf *held[DP_MAX_OUTPUTS];
	unsigned n_held;
	struct rte_mbuf *tx[DP_MAX_PORTS][DP_MAX_OUTPUTS];
	uint16_t n_tx[DP_MAX_PORTS];
} __rte_cache_aligned;

struct dp_port {
	uint16_t port_id;
	struct dp_iface ifc;
};

struct dp {
	const struct dp_config *cfg;
	struct dp_tables tables;
	struct dp_neighbor_table *neighbors;
	struct dp_port ports[DP_MAX_PORTS];
	uint16_t n_ports;
	/* Port id -> index in ports[], for RX. */
	uint8_t port_index[RTE_MAX_ETHPORTS];

	unsigned n_workers;
	struct dp_worker *workers[DP_MAX_WORKERS];
	struct rte_rcu_qsbr *rcu;
	struct rte_mempool *pool;
	struct dp_shm *shm;

	uint64_t tsc_hz;
	uint64_t keyframe_interval_tsc; /* least time between keyframe requests */
	_Atomic int stop;
};

/* Worker lcore entry point (rte_eal_remote_launch). */
int dp_worker_main(void *arg);

/* The burst path, also driven directly by strata-bench fwd. */
void dp_worker_rx(struct dp_worker *w, uint16_t port_index, struct rte_mbuf **pkts, uint16_t n);
void dp_worker_poll_rings(struct dp_worker *w);
/* One pass of the worker loop: RX on every port, rings, flush, snapshot. */
void dp_worker_iteration(struct dp_worker *w);

#endif /* STRATA_DP_H */
