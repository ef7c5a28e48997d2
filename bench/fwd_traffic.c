/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd: the publishing client, the "NIC", and the timed call.
 *
 * The client sends a video stream: frames of FWD_FRAME_PACKETS RTP packets
 * (the first frame a keyframe), 90 kHz timestamps, and for VP8 the payload
 * descriptor a WebRTC sender writes -- 15-bit PictureID, TL0PICIDX and three
 * temporal layers (TID 0, 2, 1, 2, ...); for H.264 single NAL unit packets,
 * the first frame's slices IDR.  Every receiver asks for all
 * layers, so every input goes to every receiver, each copy rewritten (SSRC,
 * payload type, sequence number, timestamp, PictureID, TL0PICIDX).
 *
 * The clients are libsrtp2: an independent implementation, and in a profile
 * their work is told apart from the worker's at a glance.
 *
 * The NIC's part is untimed: taking mbufs from the pool, writing each frame
 * (Ethernet, IPv4, UDP with correct checksums, and an SRTP packet the
 * client protected with the next sequence number), and, unless
 * --sw-checksum, the RX checksum flags a NIC with checksum offload sets.
 * Then only dp_worker_rx and dp_fanout_flush are timed.
 *
 * The timed bursts' frames are made ahead, FWD_STOCK at a time, and each
 * burst copies its 32 into mbufs, as a NIC's DMA writes them.  Made burst
 * by burst, libsrtp2 (with NSS under it: its code, tables and locks)
 * would run between any two timed bursts and leave the worker's code and
 * tables out of the caches, which no NIC does: that cost was the bench's,
 * yet counted as the forwarding path's.
 */
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "bench_libsrtp.h"
#include "bench_report.h"
#include "fanout.h"
#include "fwd_bench.h"
#include "net/headers.h"
#include "net/wire.h"
#include "rtp/rtp_header.h"

#define VP8_DESC_LEN 6

static inline uint8_t *plain_at(struct fwd_ctx *x, unsigned i)
{
	return x->plain + (size_t)i * FWD_BUF_STRIDE;
}

void fwd_traffic_size(struct fwd_ctx *x, unsigned size)
{
	uint32_t v = 0x2545f491u;

	x->size = size;
	for (unsigned i = 0; i < FWD_BURST; i++) {
		uint8_t *p = plain_at(x, i);

		for (unsigned k = FWD_HDR_LEN; k < FWD_HDR_LEN + size; k++) {
			v ^= v << 13, v ^= v >> 17, v ^= v << 5; /* xorshift32 */
			p[k] = (uint8_t)v;
		}
	}
}

/* The temporal layer of a frame: L1T3's TID 0, 2, 1, 2 pattern. */
static inline uint8_t frame_tid(uint16_t picture_id)
{
	static const uint8_t tid[4] = { 0, 2, 1, 2 };

	return tid[picture_id & 3];
}

/* The next packet of the stream, plaintext, at p; returns its length. */
static unsigned next_packet(struct fwd_ctx *x, struct fwd_group *g, uint8_t *p)
{
	bool start = g->frame_packet == 0, last = g->frame_packet == FWD_FRAME_PACKETS - 1;

	p[0] = 0x80;
	p[1] = (uint8_t)((last ? 0x80 : 0) | 96);
	p[2] = (uint8_t)(g->seq >> 8);
	p[3] = (uint8_t)g->seq;
	strata_put_be32(p + 4, g->ts);
	strata_put_be32(p + 8, g->ssrc);
	if (x->codec == FWD_CODEC_VP8) {
		uint8_t *d = p + FWD_HDR_LEN, tid = frame_tid(g->picture_id);

		d[0] = (uint8_t)(0x80 | (start ? 0x10 : 0)); /* X, S, PID 0 */
		d[1] = 0xe0;                                  /* I, L, T */
		d[2] = (uint8_t)(0x80 | (g->picture_id >> 8)); /* M: 15 bits */
		d[3] = (uint8_t)g->picture_id;
		d[4] = g->tl0;
		d[5] = (uint8_t)(tid << 6 | (tid == 1 ? 0x20 : 0)); /* TID, Y */
		if (start) /* the payload header: P = 0 on the keyframe, show_frame */
			d[6] = g->keyframe_sent ? 0x11 : 0x10;
	} else {
		/* H.264 (RFC 6184 5.6): each packet a single NAL unit, a slice
		 * of the frame's picture -- IDR for the first frame, so that
		 * receivers start there -- whose first_mb_in_slice is coded
		 * ue(v) 0 on the frame's first packet and 1 after. */
		uint8_t *nal = p + FWD_HDR_LEN;
		nal[0] = (uint8_t)(0x60 | (g->ts == FWD_FIRST_TS ? 5 : 1)); /* NRI 3 */
		nal[1] = start ? 0x80 : 0x40;
	}
	g->seq++;
	if (start)
		g->keyframe_sent = true;
	if (++g->frame_packet == FWD_FRAME_PACKETS) {
		g->frame_packet = 0;
		g->ts += 3000;
		g->picture_id = (uint16_t)((g->picture_id + 1) & 0x7fff);
		if (frame_tid(g->picture_id) == 0)
			g->tl0++;
	}
	return FWD_HDR_LEN + x->size;
}

/* The group's L2-L4 headers for this payload size, with the IPv4 checksum. */
static void header_template(struct fwd_ctx *x, struct fwd_group *g)
{
	uint16_t udp_payload = (uint16_t)(FWD_HDR_LEN + x->size + g->profile->rtp_tag_len);

	if (dp_udp_headers_build(g->hdr, &x->client_ifc, x->dp.ports[0].ifc.mac, &g->pub_remote,
				 &g->pub_local, udp_payload) != sizeof(g->hdr))
		bench_fail("cannot build the input frames' headers");
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(g->hdr + 14);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	g->hdr_size = x->size;
}

/* The client's next frame, whole, at frame (the NIC's bytes); returns its
 * length.  Its plaintext RTP packet stays at plain. */
static unsigned make_frame(struct fwd_ctx *x, struct fwd_group *g, uint8_t *frame, uint8_t *plain)
{
	int want = (int)(FWD_HDR_LEN + x->size + g->profile->rtp_tag_len);
	unsigned len = next_packet(x, g, plain);
	int out_len = (int)len;

	memcpy(frame, g->hdr, sizeof(g->hdr));
	memcpy(frame + sizeof(g->hdr), plain, len);
	srtp_err_status_t st = srtp_protect(g->client, frame + sizeof(g->hdr), &out_len);
	if (st != srtp_err_status_ok || out_len != want)
		bench_fail("the publishing client's srtp_protect failed (srtp_err_status %d, "
			   "%d bytes)", st, out_len);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + 14);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(frame + 34);
	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	return (unsigned)(sizeof(g->hdr) + (unsigned)out_len);
}

/* n fresh mbufs, as the NIC hands them over, for frames written after. */
static void nic_mbufs(struct fwd_ctx *x, struct rte_mbuf **m, unsigned n)
{
	if (rte_pktmbuf_alloc_bulk(x->dp.pool, m, n) != 0)
		bench_fail("the mbuf pool is empty: are mbufs leaking?");
	for (unsigned i = 0; i < n; i++) {
		m[i]->port = x->port_id;
		m[i]->ol_flags = x->sw_checksum ? 0
				 : RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
}

void fwd_traffic_inputs(struct fwd_ctx *x, struct fwd_group *g, struct rte_mbuf **m, unsigned n)
{
	if (g->hdr_size != x->size)
		header_template(x, g);
	nic_mbufs(x, m, n);
	for (unsigned i = 0; i < n; i++) {
		unsigned len = make_frame(x, g, rte_pktmbuf_mtod(m[i], uint8_t *), plain_at(x, i));

		x->plain_len[i] = len - sizeof(g->hdr) - g->profile->rtp_tag_len;
		m[i]->data_len = (uint16_t)len;
		m[i]->pkt_len = len;
	}
}

/* The next FWD_STOCK frames of g's stream, made ahead. */
static void stock_fill(struct fwd_ctx *x, struct fwd_group *g)
{
	uint8_t plain[FWD_BUF_STRIDE];

	if (g->hdr_size != x->size)
		header_template(x, g);
	for (unsigned i = 0; i < FWD_STOCK; i++)
		x->stock_len[i] = (uint16_t)make_frame(x, g, x->stock + (size_t)i * FWD_BUF_STRIDE,
							plain);
	x->stock_group = g;
	x->stock_size = x->size;
	x->stock_next = 0;
	x->stock_count = FWD_STOCK;
}

uint64_t fwd_traffic_burst(struct fwd_ctx *x, struct fwd_group *g)
{
	struct rte_mbuf *m[FWD_BURST];

	/* Frames left of another group or size are dropped: their sequence
	 * numbers are a gap in that stream, a loss to its receivers. */
	if (x->stock_group != g || x->stock_size != x->size || x->stock_next == x->stock_count)
		stock_fill(x, g);
	nic_mbufs(x, m, FWD_BURST);
	for (unsigned i = 0; i < FWD_BURST; i++, x->stock_next++) {
		uint16_t len = x->stock_len[x->stock_next];

		memcpy(rte_pktmbuf_mtod(m[i], uint8_t *),
		       x->stock + (size_t)x->stock_next * FWD_BUF_STRIDE, len);
		m[i]->data_len = len;
		m[i]->pkt_len = len;
	}
	uint64_t t0 = bench_ticks();
	dp_worker_rx(x->w, 0, m, FWD_BURST);
	dp_fanout_flush(x->w);
	return bench_ticks() - t0;
}

void fwd_traffic_drain(struct fwd_ctx *x)
{
	void *items[DP_BURST];

	while (rte_ring_dequeue_burst(x->w->notify, items, DP_BURST, NULL) > 0)
		;
}

/* ---- checking what the receivers get ------------------------------------------ */

/* One receiver as its client sees it during the checked burst. */
struct receiver_view {
	srtp_t client;                       /* libsrtp2 with the keys the leg sends with */
	unsigned count;                      /* outputs so far = the input they come from */
	uint16_t d_seq, d_pid;               /* output minus input, fixed for the burst */
	uint32_t d_ts;
	uint8_t d_tl0;
};

struct verify {
	struct fwd_ctx *x;
	struct fwd_group *g;
	struct receiver_view *r;
	unsigned outputs;
	char error[256];
};

#define VERIFY_FAIL(v, ...) \
	do { \
		if ((v)->error[0] == 0) \
			snprintf((v)->error, sizeof((v)->error), __VA_ARGS__); \
		return; \
	} while (0)

static void verify_one(struct verify *v, struct rte_mbuf *m)
{
	struct fwd_ctx *x = v->x;
	struct fwd_group *g = v->g;
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	unsigned n = v->outputs++;
	const uint8_t *port_mac = x->dp.ports[0].ifc.mac;

	if (m->data_len < 42 + FWD_HDR_LEN || memcmp(f, x->gateway_mac, 6) != 0 ||
	    memcmp(f + 6, port_mac, 6) != 0 || f[12] != 0x08 || f[13] != 0x00)
		VERIFY_FAIL(v, "output %u: not an Ethernet/IPv4 frame to the gateway", n);
	if (memcmp(f + 14 + 16, g->recv_remote_ip, 4) != 0 || f[14 + 9] != 17)
		VERIFY_FAIL(v, "output %u: not UDP to the receivers' address", n);
	if (x->sw_checksum ? !dp_l4_cksum_ok(f + 14, false, 17, f + 34, m->data_len - 34u)
			   : !(m->ol_flags & RTE_MBUF_F_TX_UDP_CKSUM))
		VERIFY_FAIL(v, "output %u: UDP checksum neither right nor left to the NIC", n);
	unsigned r = strata_be16(f + 36) - g->first_recv_remote_port;
	if (r >= g->fanout || strata_be16(f + 34) != 20000 + g->first_recv_leg + r ||
	    strata_be16(f + 38) != m->data_len - 34u)
		VERIFY_FAIL(v, "output %u: wrong UDP ports or length", n);

	struct receiver_view *rv = &v->r[r];
	uint8_t *rtp = f + 42;
	int rtp_len = m->data_len - 42;
	srtp_err_status_t st = srtp_unprotect(rv->client, rtp, &rtp_len);
	if (st != srtp_err_status_ok)
		VERIFY_FAIL(v, "output %u: receiver %u's srtp_unprotect says srtp_err_status %d",
			    n, r, st);
	if (rv->count >= FWD_BURST)
		VERIFY_FAIL(v, "receiver %u got more outputs than there were inputs", r);
	const uint8_t *in = plain_at(x, rv->count);
	unsigned len = x->plain_len[rv->count], desc = x->codec == FWD_CODEC_VP8 ? VP8_DESC_LEN : 0;
	if ((unsigned)rtp_len != len || strata_rtp_ssrc(rtp) != 0x10000000u + g->first_sub + r ||
	    rtp[1] != ((in[1] & 0x80) | 100) ||
	    memcmp(rtp + FWD_HDR_LEN + desc, in + FWD_HDR_LEN + desc, len - FWD_HDR_LEN - desc))
		VERIFY_FAIL(v, "output %u: receiver %u's copy of input %u differs in length, SSRC, "
			    "payload type, marker or payload", n, r, rv->count);

	/* Rewritten numbers: nothing is dropped, so each stays a fixed
	 * distance from the input's. */
	uint16_t d_seq = (uint16_t)(strata_rtp_seq(rtp) - strata_rtp_seq(in));
	uint32_t d_ts = strata_be32(rtp + 4) - strata_be32(in + 4);
	uint16_t d_pid = 0;
	uint8_t d_tl0 = 0;
	if (desc) {
		const uint8_t *od = rtp + FWD_HDR_LEN, *id = in + FWD_HDR_LEN;
		if (od[0] != id[0] || od[1] != id[1] || od[5] != id[5] || !(od[2] & 0x80))
			VERIFY_FAIL(v, "output %u: VP8 descriptor rewritten wrongly", n);
		d_pid = (uint16_t)((strata_be16(od + 2) - strata_be16(id + 2)) & 0x7fff);
		d_tl0 = (uint8_t)(od[4] - id[4]);
	}
	if (rv->count == 0) {
		rv->d_seq = d_seq, rv->d_ts = d_ts, rv->d_pid = d_pid, rv->d_tl0 = d_tl0;
	} else if (d_seq != rv->d_seq || d_ts != rv->d_ts || d_pid != rv->d_pid ||
		   d_tl0 != rv->d_tl0) {
		VERIFY_FAIL(v, "output %u: receiver %u's numbering has a gap or a jump", n, r);
	}
	rv->count++;
}

static uint16_t verify_tx(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
			  void *arg)
{
	(void)port, (void)queue;
	for (uint16_t i = 0; i < n; i++)
		verify_one(arg, pkts[i]);
	return n;
}

void fwd_traffic_verify(struct fwd_ctx *x, struct fwd_group *g)
{
	struct verify v = { .x = x, .g = g };
	struct rte_mbuf *m[FWD_BURST];

	if ((v.r = calloc(g->fanout, sizeof(*v.r))) == NULL)
		bench_fail("out of memory");
	for (unsigned r = 0; r < g->fanout; r++)
		v.r[r].client = bench_libsrtp_create(&g->recv_keys[r], 0x10000000u + g->first_sub + r, 0);
	struct dp_counters before = x->w->c;
	unsigned in_use = rte_mempool_in_use_count(x->dp.pool);
	const struct rte_eth_rxtx_callback *cb = rte_eth_add_tx_callback(x->port_id, 0, verify_tx,
									 &v);
	if (cb == NULL)
		bench_fail("cannot add a TX callback to check the outputs");
	fwd_traffic_inputs(x, g, m, FWD_BURST);
	dp_worker_rx(x->w, 0, m, FWD_BURST);
	dp_fanout_flush(x->w);
	rte_eth_remove_tx_callback(x->port_id, 0, cb);
	rte_free((void *)(uintptr_t)cb); /* nothing else can be in it: one thread */

	fwd_traffic_drain(x);
	fwd_traffic_check(x, g, &before, FWD_BURST, in_use);
	if (v.error[0] == 0 && v.outputs != FWD_BURST * g->fanout)
		snprintf(v.error, sizeof(v.error), "%u outputs for %u inputs and %u receivers",
			 v.outputs, FWD_BURST, g->fanout);
	for (unsigned r = 0; r < g->fanout; r++)
		srtp_dealloc(v.r[r].client);
	free(v.r);
	if (v.error[0] != 0)
		bench_fail("%s fan-out %u: the receivers' first outputs are wrong: %s",
			   g->profile->name, g->fanout, v.error);
	explicit_bzero(g->recv_keys, sizeof(*g->recv_keys) * g->fanout);
	g->verified = true;
}

/* ---- the worker's accounts ------------------------------------------------------ */

void fwd_traffic_check(struct fwd_ctx *x, const struct fwd_group *g,
		       const struct dp_counters *before, uint64_t inputs,
		       unsigned mbufs_in_use_before)
{
	const struct dp_counters *c = &x->w->c;
	char why[1024] = "";
	size_t at = 0;

#define WHY(...) (at += (size_t)snprintf(why + at, at < sizeof(why) ? sizeof(why) - at : 0, \
					 __VA_ARGS__))
	for (unsigned d = 0; d < DP_DROP_COUNT; d++)
		if (c->drop[d] != before->drop[d])
			WHY(" dropped %s: %llu;", dp_drop_name(d),
			    (unsigned long long)(c->drop[d] - before->drop[d]));
	for (unsigned st = 1; st < STRATA_SRTP_STATUS_COUNT; st++)
		if (c->srtp_rx[st] != before->srtp_rx[st])
			WHY(" unprotect %s: %llu;", strata_srtp_status_name((int)st),
			    (unsigned long long)(c->srtp_rx[st] - before->srtp_rx[st]));
	for (unsigned d = 0; d < DP_TX_DROP_COUNT; d++)
		if (c->tx_drop[d] != before->tx_drop[d])
			WHY(" outputs dropped %s: %llu;", dp_tx_drop_name(d),
			    (unsigned long long)(c->tx_drop[d] - before->tx_drop[d]));
	if (c->rx_packets - before->rx_packets != inputs)
		WHY(" received %llu of %llu;", (unsigned long long)(c->rx_packets - before->rx_packets),
		    (unsigned long long)inputs);
	if (c->forwarded - before->forwarded != inputs)
		WHY(" forwarded %llu of %llu;", (unsigned long long)(c->forwarded - before->forwarded),
		    (unsigned long long)inputs);
	if (c->srtp_rx[STRATA_SRTP_OK] - before->srtp_rx[STRATA_SRTP_OK] != inputs)
		WHY(" authenticated %llu of %llu;",
		    (unsigned long long)(c->srtp_rx[STRATA_SRTP_OK] - before->srtp_rx[STRATA_SRTP_OK]),
		    (unsigned long long)inputs);
	if (c->tx_packets - before->tx_packets != inputs * g->fanout)
		WHY(" sent %llu outputs, not %llu;",
		    (unsigned long long)(c->tx_packets - before->tx_packets),
		    (unsigned long long)(inputs * g->fanout));
	if (c->punted != before->punted || c->handoff_out != before->handoff_out ||
	    c->slowpath_out != before->slowpath_out || c->notify_dropped != before->notify_dropped)
		WHY(" punted, handed off or lost notifications;");
	unsigned in_use = rte_mempool_in_use_count(x->dp.pool);
	if (in_use != mbufs_in_use_before)
		WHY(" %d mbufs leaked;", (int)(in_use - mbufs_in_use_before));
#undef WHY
	if (why[0] != 0)
		bench_fail("%s %u B fan-out %u: not every input went to every receiver:%s",
			   g->profile->name, x->size, g->fanout, why);
}
