/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore's loop: everything that is not the packet path.
 *
 * Each pass applies strata-cp's commands, answers the slow path (ARP, ND,
 * ICMP echo) from the workers' rings, turns workers' notifications into
 * events, sends the UDP payloads strata-cp asked for, keeps neighbours
 * resolved, reports statistics and stopped streams, retires deleted entries
 * once no worker can see them, and beats the heart strata-cp watches.  Then
 * it sleeps (timers.housekeeping_us): the main lcore never busy-polls, so it
 * can share a core with strata-cp.
 */
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "adapt.h"
#include "keyframe_req.h"
#include "main_lcore.h"
#include "net/headers.h"
#include "tx_checksum.h"
#include "net/slowpath.h"
#include "shm.h"

#define COMMANDS_PER_PASS 256

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Worker 0 transmits the main lcore's frames on its own queues. */
void dp_main_tx(struct dp_main *mn, uint16_t pi, struct rte_mbuf *m)
{
	m->port = mn->dp->ports[pi].port_id;
	if (rte_ring_enqueue(mn->dp->workers[0]->from_main, m) != 0) {
		mn->c.tx_drop[DP_TX_DROP_TX_FULL]++;
		rte_pktmbuf_free(m);
	}
}

/* Sends an ARP request or a neighbour solicitation for entry idx. */
static void send_request(void *arg, uint32_t idx, const struct dp_neighbor *e)
{
	struct dp_main *mn = arg;
	struct dp *dp = mn->dp;
	uint16_t pi = dp->port_index[e->port_id];
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);

	(void)idx;
	if (m == NULL) {
		mn->c.tx_drop[DP_TX_DROP_NO_MBUF]++;
		return;
	}
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t len = e->family == STRATA_AF_INET
			       ? dp_arp_request_build(frame, &dp->ports[pi].ifc, e->ip)
			       : dp_nd_solicit_build(frame, &dp->ports[pi].ifc, e->ip);
	if (len == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	m->data_len = m->pkt_len = len;
	dp_main_tx(mn, pi, m);
}

void dp_main_resolve_leg(struct dp_main *mn, struct dp_leg *leg)
{
	struct dp *dp = mn->dp;
	uint16_t pi = dp->port_index[leg->port_id];
	uint8_t hop[16];
	bool ask = false;
	uint32_t idx = 0;

	if (dp_next_hop(&dp->ports[pi].ifc, leg->remote.family, leg->remote.ip, hop) == 0)
		idx = dp_neighbor_resolve(dp->neighbors, leg->port_id, leg->remote.family, hop,
					  rte_rdtsc(), &ask);
	atomic_store_explicit(&leg->neighbor, idx, memory_order_release);
	if (ask)
		send_request(mn, idx, &dp->neighbors->entries[idx]);
}

static void take_commands(struct dp_main *mn)
{
	struct strata_cmd cmd;

	for (unsigned i = 0; i < COMMANDS_PER_PASS && dp_shm_command_take(mn->dp->shm, &cmd); i++) {
		dp_command_apply(mn, &cmd);
		/* Keys were copied into the leg's sessions: none stay here. */
		explicit_bzero(&cmd, sizeof(cmd));
	}
}

/* ARP, ND and ICMP echo, handed over by the workers. */
static void serve_slowpath(struct dp_main *mn, uint64_t now)
{
	struct dp *dp = mn->dp;
	struct rte_mbuf *pkts[DP_BURST];

	for (unsigned k = 0; k < dp->n_workers; k++) {
		unsigned n = rte_ring_dequeue_burst(dp->workers[k]->slowpath, (void **)pkts,
						    DP_BURST, NULL);
		for (unsigned i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			uint16_t pi = dp->port_index[m->port];
			uint32_t cap = m->data_len + rte_pktmbuf_tailroom(m);
			struct dp_slow_result r = dp_slowpath_input(
				&dp->ports[pi].ifc, dp->neighbors, rte_pktmbuf_mtod(m, uint8_t *),
				m->data_len, cap, &dp_meta(m)->pkt, now);

			mn->c.slowpath_in++;
			switch (r.action) {
			case DP_SLOW_TX:
				m->data_len = (uint16_t)r.len;
				m->pkt_len = r.len;
				mn->c.replied++;
				dp_main_tx(mn, pi, m);
				break;
			case DP_SLOW_CONSUMED:
				/* An answer we learnt from, or nothing to do: handled,
				 * which counts as replied (disposed of). */
				mn->c.replied++;
				rte_pktmbuf_free(m);
				break;
			default:
				mn->c.drop[r.drop]++;
				rte_pktmbuf_free(m);
				break;
			}
		}
	}
}

static void emit_stream(struct dp_main *mn, enum strata_event_type type, uint32_t id)
{
	const struct dp_stream *st = &mn->dp->tables.streams[id];
	struct strata_event *ev = dp_event_reserve(mn, type);

	if (ev == NULL)
		return;
	ev->u.stream = (struct strata_event_stream){
		.stream = id, .source = st->source, .leg = st->leg, .ssrc = st->ssrc,
		.packets = st->packets, .bytes = st->bytes, .audio_level = st->audio_level};
	dp_event_commit(mn);
}

/* Which publisher SSRC a waiting receiver needs a keyframe of. */
static void emit_keyframe_needed(struct dp_main *mn, uint32_t sub_id)
{
	struct dp_tables *t = &mn->dp->tables;
	const struct dp_sub *sub = &t->subs[sub_id];
	const struct dp_source *src = &t->sources[sub->source];
	uint8_t want = atomic_load(&sub->target_spatial);
	uint32_t stream = 0;

	/* The target encoding, or the highest below it that exists. */
	for (int e = want < DP_SOURCE_MAX_ENCODINGS ? want : DP_SOURCE_MAX_ENCODINGS - 1;
	     e >= 0 && stream == 0; e--)
		stream = atomic_load(&src->encodings[e]);
	/* The router asks the publisher itself, throttled with the PLIs and
	 * FIRs of every other receiver of the stream (keyframe_req.c); the
	 * event tells strata-cp that it did. */
	dp_keyframe_request(mn, stream, false, rte_rdtsc());
	struct strata_event *ev;
	if (stream == 0 || (ev = dp_event_reserve(mn, STRATA_EVENT_KEYFRAME_NEEDED)) == NULL)
		return;
	ev->u.keyframe_needed = (struct strata_event_keyframe_needed){
		.stream = stream, .source = sub->source, .ssrc = t->streams[stream].ssrc,
		.sub = sub_id};
	dp_event_commit(mn);
}

static void emit_latched(struct dp_main *mn, uint32_t leg_id)
{
	struct dp_leg *leg = &mn->dp->tables.legs[leg_id];
	struct strata_event *ev;

	if (!leg->in_use)
		return;
	dp_main_resolve_leg(mn, leg);
	if ((ev = dp_event_reserve(mn, STRATA_EVENT_LEG_LATCHED)) == NULL)
		return;
	ev->u.leg_latched.leg = leg_id;
	ev->u.leg_latched.remote = leg->remote;
	dp_event_commit(mn);
}

static void serve_notifications(struct dp_main *mn)
{
	struct dp *dp = mn->dp;
	void *items[DP_BURST];

	for (unsigned k = 0; k < dp->n_workers; k++) {
		unsigned n = rte_ring_dequeue_burst(dp->workers[k]->notify, items, DP_BURST, NULL);
		for (unsigned i = 0; i < n; i++) {
			uint64_t v = (uint64_t)(uintptr_t)items[i];
			uint32_t id = (uint32_t)v;
			switch ((enum dp_notify)((v >> 32) & 0xff)) {
			case DP_NOTIFY_STREAM_STARTED:
				emit_stream(mn, STRATA_EVENT_STREAM_STARTED, id);
				break;
			case DP_NOTIFY_KEYFRAME_NEEDED:
				emit_keyframe_needed(mn, id);
				break;
			case DP_NOTIFY_LEG_LATCHED:
				emit_latched(mn, id);
				break;
			default:
				dp_rtcp_main_notify(mn, v, rte_rdtsc()); /* keyframe_req.h */
				break;
			}
		}
	}
}

/* UDP payloads strata-cp sends through us (STUN answers, DTLS records). */
static void serve_tx_ring(struct dp_main *mn, uint64_t now)
{
	struct dp *dp = mn->dp;
	struct strata_ring *r = dp_shm_tx_ring(dp->shm);
	const struct strata_packet *pkt;

	for (unsigned i = 0; i < DP_BURST && (pkt = strata_ring_peek(r)) != NULL; i++) {
		uint16_t pi = 0;
		int addr = -1;
		for (uint16_t p = 0; p < dp->n_ports && addr < 0; p++)
			if ((addr = dp_iface_find_addr(&dp->ports[p].ifc, pkt->local.family,
						       pkt->local.ip)) >= 0)
				pi = p;
		uint8_t hop[16], mac[6];
		bool ask = false;
		uint32_t nh = 0;
		const struct dp_iface *ifc = &dp->ports[pi].ifc;
		if (addr >= 0 && pkt->len <= STRATA_PACKET_MAX &&
		    pkt->remote.family == pkt->local.family &&
		    dp_next_hop(ifc, pkt->remote.family, pkt->remote.ip, hop) == 0)
			nh = dp_neighbor_resolve(dp->neighbors, ifc->port_id, pkt->remote.family, hop,
						 now, &ask);
		if (ask)
			send_request(mn, nh, &dp->neighbors->entries[nh]);
		struct rte_mbuf *m = NULL;
		if (nh == 0 || !dp_neighbor_mac(dp->neighbors, nh, mac)) {
			mn->c.tx_drop[nh ? DP_TX_DROP_NO_NEIGHBOR : DP_TX_DROP_NO_REMOTE]++;
		} else if ((m = rte_pktmbuf_alloc(dp->pool)) == NULL) {
			mn->c.tx_drop[DP_TX_DROP_NO_MBUF]++;
		} else {
			uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
			uint16_t hl = dp_udp_headers_build(frame, ifc, mac, &pkt->local, &pkt->remote,
							   pkt->len);
			memcpy(frame + hl, pkt->data, pkt->len);
			m->data_len = m->pkt_len = (uint16_t)(hl + pkt->len);
			dp_udp_tx_checksum(m, ifc, hl);
			dp_main_tx(mn, pi, m);
		}
		strata_ring_release(r);
	}
}

/* Streams that went quiet get a STOPPED event (and START again later). */
static void check_stream_timeouts(struct dp_main *mn, uint64_t now)
{
	struct dp *dp = mn->dp;
	uint64_t limit = dp->cfg->timers.stream_timeout_ms * (dp->tsc_hz / 1000);

	for (uint32_t i = 1; i <= dp->tables.max_streams; i++) {
		struct dp_stream *st = &dp->tables.streams[i];
		if (st->in_use && st->started && now - st->last_packet_tsc > limit &&
		    !st->stop_reported) {
			st->stop_reported = 1;
			emit_stream(mn, STRATA_EVENT_STREAM_STOPPED, i);
		} else if (st->in_use && st->stop_reported && now - st->last_packet_tsc <= limit) {
			st->stop_reported = 0;
			emit_stream(mn, STRATA_EVENT_STREAM_STARTED, i);
		}
	}
}

void dp_main_iteration(struct dp_main *mn, uint64_t now)
{
	struct dp *dp = mn->dp;

	take_commands(mn);
	serve_slowpath(mn, now);
	serve_notifications(mn);
	serve_tx_ring(mn, now);
	dp_neighbor_tick(dp->neighbors, now, send_request, mn);
	if (now >= mn->next_stats_tsc) {
		mn->next_stats_tsc = now + dp->cfg->timers.stats_interval_ms * (dp->tsc_hz / 1000);
		dp_stats_emit(mn, false);
	}
	if (now >= mn->next_timeout_tsc) {
		mn->next_timeout_tsc = now + dp->tsc_hz / 10;
		check_stream_timeouts(mn, now);
	}
	dp_adapt_tick(mn, now);
	dp_speaker_main_tick(mn, now);
	dp_rtcp_main_tick(mn, now);
	dp_update_reclaim(&mn->update);
	dp_shm_heartbeat(dp->shm, monotonic_ns());
}
