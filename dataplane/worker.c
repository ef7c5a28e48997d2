/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker lcore: poll its RX queues, classify, and split hot from cold at
 * the first branch -- media on legs this worker owns goes down the media
 * path in bursts; media for another worker's legs goes to that worker's
 * handoff ring; ARP, ND and ICMP go to the main lcore; STUN, DTLS and
 * anything no leg owns go to strata-cp through this worker's punt ring.
 * Every ring is bounded: a full one drops and counts, it never blocks.
 *
 * The loop never allocates, locks or makes a system call.  At the end of
 * every iteration everything taken in has been disposed of, so the
 * counters balance there; that is where snapshots are taken and where the
 * worker reports an RCU quiescent state.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "fanout.h"
#include "media.h"
#include "port_link.h"
#include "rtcp_state.h"
#include "rtx_cache.h"
#include "rtx_repair.h"

static void punt(struct dp_worker *w, struct rte_mbuf *m, const struct dp_pkt *pkt,
		 uint16_t port_id, enum strata_packet_class cls)
{
	if (pkt->payload_len > STRATA_PACKET_MAX) {
		w->c.drop[DP_DROP_PUNT_TOO_BIG]++;
		rte_pktmbuf_free(m);
		return;
	}
	struct strata_packet *slot = strata_ring_reserve(w->punt);
	if (slot == NULL) {
		w->c.drop[DP_DROP_PUNT_FULL]++;
		rte_pktmbuf_free(m);
		return;
	}
	slot->local = pkt->local;
	slot->remote = pkt->remote;
	slot->len = pkt->payload_len;
	slot->class = (uint8_t)cls;
	slot->port_id = port_id;
	memcpy(slot->data, rte_pktmbuf_mtod_offset(m, uint8_t *, pkt->payload_off),
	       pkt->payload_len);
	strata_ring_commit(w->punt);
	w->c.punted++;
	rte_pktmbuf_free(m);
}

/* Media for a leg: this worker's, or its owner's through a ring. */
static bool take_media(struct dp_worker *w, struct rte_mbuf *m, uint16_t port_id)
{
	struct dp_tables *t = &w->dp->tables;
	struct dp_mbuf_meta *meta = dp_meta(m);
	uint32_t leg_id = dp_leg_by_port(t, meta->pkt.local_addr_index, meta->pkt.local.port);

	if (leg_id == 0) {
		punt(w, m, &meta->pkt, port_id, STRATA_PACKET_NO_LEG);
		return false;
	}
	const struct dp_leg *leg = &t->legs[leg_id];
	meta->leg = leg_id;
	meta->leg_gen = atomic_load_explicit(&leg->gen, memory_order_acquire);
	if (leg->worker == w->index)
		return true;
	if (rte_ring_enqueue(w->dp->workers[leg->worker]->handoff, m) != 0) {
		w->c.drop[DP_DROP_HANDOFF_FULL]++;
		rte_pktmbuf_free(m);
	} else {
		w->c.handoff_out++;
	}
	return false;
}

void dp_worker_rx(struct dp_worker *w, uint16_t port_index, struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp_port *port = &w->dp->ports[port_index];
	struct rte_mbuf *media[DP_BURST];
	unsigned n_media = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_mbuf_meta *meta = dp_meta(m);

		w->c.rx_packets++;
		w->c.rx_bytes += m->pkt_len;
		switch (dp_classify(&port->ifc, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
				    m->ol_flags, &meta->pkt)) {
		case DP_CLASS_MEDIA:
			if (take_media(w, m, port->port_id))
				media[n_media++] = m;
			break;
		case DP_CLASS_SLOWPATH:
			m->port = port->port_id;
			if (rte_ring_enqueue(w->slowpath, m) != 0) {
				w->c.drop[DP_DROP_SLOWPATH_FULL]++;
				rte_pktmbuf_free(m);
			} else {
				w->c.slowpath_out++;
			}
			break;
		case DP_CLASS_STUN:
			punt(w, m, &meta->pkt, port->port_id, STRATA_PACKET_STUN);
			break;
		case DP_CLASS_DTLS:
			punt(w, m, &meta->pkt, port->port_id, STRATA_PACKET_DTLS);
			break;
		case DP_CLASS_UDP_OTHER:
			punt(w, m, &meta->pkt, port->port_id, STRATA_PACKET_OTHER);
			break;
		default:
			w->c.drop[meta->pkt.drop]++;
			rte_pktmbuf_free(m);
			break;
		}
	}
	if (n_media > 0)
		dp_media_process(w, media, n_media);
}

void dp_worker_poll_rings(struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned n;

	n = rte_ring_dequeue_burst(w->handoff, (void **)pkts, DP_BURST, NULL);
	if (n > 0) {
		w->c.handoff_in += n;
		dp_media_process(w, pkts, n);
	}
	n = rte_ring_dequeue_burst(w->fanout, (void **)pkts, DP_BURST, NULL);
	for (unsigned i = 0; i < n; i++)
		dp_fanout_share(w, pkts[i]);
	/* Publishers' repairs its receivers wait for (rtx_repair.h). */
	dp_rtx_wait_poll(w);
	/* Evicted cache entries whose grace period has passed go back to the
	 * pool even when no new input of the stream comes to do it (the
	 * reclaim in dp_rtx_cache_put): an idle router holds none. */
	if (dp_rtcp_g != NULL)
		dp_rtx_cache_reclaim(w);
	/* The main lcore's frames: sent with this worker's outputs. */
	n = rte_ring_dequeue_burst(w->from_main, (void **)pkts, DP_BURST, NULL);
	for (unsigned i = 0; i < n; i++) {
		uint16_t p = w->dp->port_index[pkts[i]->port];
		if (w->n_tx[p] < DP_MAX_OUTPUTS)
			w->tx[p][w->n_tx[p]++] = pkts[i];
		else
			rte_pktmbuf_free(pkts[i]), w->c.tx_drop[DP_TX_DROP_TX_FULL]++;
	}
}

/* At a burst boundary: copy the counters if the main lcore asked. */
static inline void answer_snapshot(struct dp_worker *w)
{
	uint64_t req = atomic_load_explicit(&w->snapshot_request, memory_order_acquire);

	if (req != atomic_load_explicit(&w->snapshot_done, memory_order_relaxed)) {
		w->snapshot = w->c;
		atomic_store_explicit(&w->snapshot_done, req, memory_order_release);
	}
}

void dp_worker_iteration(struct dp_worker *w)
{
	struct dp *dp = w->dp;
	struct rte_mbuf *pkts[DP_BURST];

	for (uint16_t p = 0; p < dp->n_ports; p++) {
		uint16_t n = rte_eth_rx_burst(dp->ports[p].port_id, (uint16_t)w->index, pkts,
					      DP_BURST);
		if (n > 0)
			dp_worker_rx(w, p, pkts, n);
	}
	dp_worker_poll_rings(w);
	dp_fanout_flush(w);
	answer_snapshot(w);
}

int dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp *dp = w->dp;

	rte_rcu_qsbr_thread_register(dp->rcu, w->index);
	rte_rcu_qsbr_thread_online(dp->rcu, w->index);
	/* A port's driver may unmap a queue's memory from its own thread when
	 * the peer goes away; port_link.c makes that wait for this quiescent
	 * state, so none of it goes while a burst is reading it. */
	dp_port_link_worker_enter(dp->rcu);
	while (!atomic_load_explicit(&dp->stop, memory_order_relaxed)) {
		dp_worker_iteration(w);
		rte_rcu_qsbr_quiescent(dp->rcu, w->index);
	}
	dp_port_link_worker_leave();
	rte_rcu_qsbr_thread_offline(dp->rcu, w->index);
	rte_rcu_qsbr_thread_unregister(dp->rcu, w->index);
	return 0;
}
