/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd --mix meeting: the untimed passes that check the
 * forwarding and record what the timed slices must make (fwd_meeting.c
 * explains the mix), and the checks of every slice: the receivers'
 * outputs decrypted as they would (libsrtp2), their retransmissions, and
 * strata-dp's counters and notifications.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "bench_libsrtp.h"
#include "bench_report.h"
#include "fanout.h"
#include "fwd_bench.h"
#include "fwd_meeting_priv.h"
#include "rtcp_state.h"
#include "rtp/rtp_header.h"

/*
 * Untimed, the main lcore's side: the worker's notifications.  A keyframe
 * request (a receiver's PLI mapped to the publisher's stream) must come at
 * most once per stream per throttle interval (keyframe_req.c): the worker
 * stamps the stream with its TSC when it asks (rtcp_rx.c), and the stamps
 * of two requests must be the interval apart.  NACKs the cache could not
 * answer are counted; the rest (a receiver waiting for a keyframe) go.
 */
void meeting_drain(struct fwd_ctx *x, struct meeting *m)
{
	/* dataplane.timers.keyframe_request_ms, as configured. */
	uint64_t kf_interval = (uint64_t)x->cfg.timers.keyframe_request_ms * bench_tsc_hz() / 1000;
	void *items[DP_BURST];
	unsigned n;

	while ((n = rte_ring_dequeue_burst(x->w->notify, items, DP_BURST, NULL)) > 0)
		for (unsigned i = 0; i < n; i++) {
			uint64_t v = (uint64_t)(uintptr_t)items[i];
			unsigned type = (unsigned)((v >> 32) & 0xff);
			uint32_t id = (uint32_t)v;
			if (type == DP_RTCP_NOTIFY_PLI || type == DP_RTCP_NOTIFY_FIR) {
				if (id != m->video_stream)
					bench_fail("meeting mix: a keyframe request for stream %u, not "
						   "the video's %u", id, m->video_stream);
				uint64_t t = dp_rtcp_g->streams[id].asked_tsc[x->w->index];
				if (m->kf_last != 0 && t - m->kf_last < kf_interval)
					bench_fail("meeting mix: two keyframe requests for stream %u "
						   "%.1f ms apart, within the throttle interval", id,
						   (double)(t - m->kf_last) * 1e3 / bench_tsc_hz());
				m->kf_last = t;
				m->kf_notes++;
			} else if (type == DP_RTCP_NOTIFY_NACK) {
				m->nack_notes++;
			}
		}
}

/* What a receiver got lately, to check the retransmissions against. */
#define KEPT 64 /* video outputs per receiver, a power of two */

struct kept {
	uint16_t seq, cipher_len, plain_len;
	bool valid;
	uint8_t cipher[MAX_RTP], plain[MAX_RTP];
};

struct rx_view {
	srtp_t client[3];       /* video, audio, video's RTX */
	uint16_t last_seq[3];
	bool started[3];
	struct kept *kept;      /* [KEPT], by sequence number */
};

enum record_pass { PASS_WARM, PASS_MODEL, PASS_CHECK };

/* A retransmission, checked once the burst's outputs are all in: strata-dp
 * queues its answers to a burst's NACKs before the burst's own outputs,
 * whose encryption waits for the flush, so one may answer a NACK of a
 * packet the receiver gets later in the same TX burst. */
struct pending {
	unsigned r;
	bool rtx;
	int len;
	uint8_t pkt[MAX_RTP];
};

struct record {
	struct fwd_ctx *x;
	struct meeting *m;
	struct rx_view *rx;
	unsigned cursor;        /* the input of the burst the outputs are at */
	enum record_pass pass;
	bool first[FWD_BURST];  /* the input's entry is recorded for the first time */
	bool answered[FWD_BURST]; /* the NACK input's retransmission came */
	struct pending *pending;  /* [FWD_BURST]: one a NACK, one a NACK input at most */
	unsigned n_pending;
	char error[256];
};

#define RECORD_FAIL(rc, ...) \
	do { \
		if ((rc)->error[0] == 0) \
			snprintf((rc)->error, sizeof((rc)->error), __VA_ARGS__); \
		return; \
	} while (0)

static int16_t seq_diff(uint16_t a, uint16_t b)
{
	return (int16_t)(a - b);
}

/* The NACK input of this burst whose answer a retransmission to r with
 * original number osn is: it must have been asked for, once. */
static int answered_nack(struct record *rc, unsigned r, uint16_t osn)
{
	struct meeting *m = rc->m;
	struct meeting_recv *rv = &m->recv[r];
	unsigned k = 0;

	while (k < rv->n_nacked && rv->nacked[k] != osn)
		k++;
	if (k == rv->n_nacked)
		return -1;
	rv->nacked[k] = rv->nacked[--rv->n_nacked];
	for (unsigned i = 0; i < FWD_BURST; i++) {
		uint32_t e = m->entry[m->burst_entry[i]];
		if (!rc->answered[i] && meeting_is_rtcp(e) &&
		    m->rtcp[e & ~MEETING_RTCP].recv == r &&
		    m->rtcp[e & ~MEETING_RTCP].kind == MEETING_NACK) {
			rc->answered[i] = true;
			return (int)i;
		}
	}
	return -1;
}

/*
 * A retransmission to receiver r (checked pass): RTX (RFC 4588 section 4:
 * its own SSRC, payload type and numbers, the OSN, then the original's
 * payload under the original's timestamp), decrypted as the receiver
 * would; or the original packet again, which must be the very packet the
 * receiver got first (same number, so same keystream and bytes).
 */
static void record_retransmission(struct record *rc, unsigned r, uint8_t *rtp, int len, bool rtx)
{
	struct meeting *m = rc->m;
	struct rx_view *v = &rc->rx[r];
	uint16_t seq = strata_rtp_seq(rtp), osn = seq;
	uint8_t copy[MAX_RTP];

	if (rc->pass != PASS_CHECK)
		RECORD_FAIL(rc, "receiver %u: a retransmission before any NACK", r);
	if (len > MAX_RTP)
		RECORD_FAIL(rc, "receiver %u: a retransmission of %d octets", r, len);
	memcpy(copy, rtp, (size_t)len);
	if (rtx) {
		srtp_err_status_t st = srtp_unprotect(v->client[2], rtp, &len);
		if (st != srtp_err_status_ok)
			RECORD_FAIL(rc, "receiver %u: srtp_unprotect of an RTX packet says %d", r, st);
		if (v->started[2] && seq != (uint16_t)(v->last_seq[2] + 1))
			RECORD_FAIL(rc, "receiver %u: RTX sequence number %u after %u", r, seq,
				    v->last_seq[2]);
		v->started[2] = true;
		v->last_seq[2] = seq;
		if ((rtp[1] & 0x7f) != RTX_PT)
			RECORD_FAIL(rc, "receiver %u: RTX with payload type %u", r, rtp[1] & 0x7f);
	}
	uint32_t hl, end;
	hl = meeting_payload_of(rtp, (uint32_t)len, &end);
	if (rtx) {
		if (end < hl + 2)
			RECORD_FAIL(rc, "receiver %u: an RTX packet without its OSN", r);
		osn = strata_be16(rtp + hl);
	}
	int at = answered_nack(rc, r, osn);
	if (at < 0)
		RECORD_FAIL(rc, "receiver %u: a retransmission of %u, which it did not NACK "
			    "(or twice)", r, osn);
	const struct kept *k = &v->kept[osn & (KEPT - 1)];
	if (!k->valid || k->seq != osn)
		RECORD_FAIL(rc, "receiver %u: a retransmission of %u, which it never got", r, osn);
	if (rtx) {
		uint32_t khl, kend;
		khl = meeting_payload_of(k->plain, k->plain_len, &kend);
		/* The original's header but for the payload type, sequence
		 * number and SSRC: its timestamp, marker and extensions (the
		 * receiver's dependency descriptor) as the receiver got them. */
		if (hl != khl || rtp[0] != k->plain[0] || (rtp[1] & 0x80) != (k->plain[1] & 0x80) ||
		    memcmp(rtp + 4, k->plain + 4, 4) != 0 || memcmp(rtp + 12, k->plain + 12, hl - 12))
			RECORD_FAIL(rc, "receiver %u: the RTX of %u has another header than the "
				    "packet it got", r, osn);
		if (end - hl - 2 != kend - khl || memcmp(rtp + hl + 2, k->plain + khl, kend - khl) != 0)
			RECORD_FAIL(rc, "receiver %u: the RTX of %u is not the packet it got", r, osn);
	} else if (len != k->cipher_len || memcmp(copy, k->cipher, (size_t)len) != 0) {
		RECORD_FAIL(rc, "receiver %u: the retransmission of %u differs from the packet "
			    "it got", r, osn);
	}
	struct meeting_rtcp *c = &m->rtcp[m->entry[m->burst_entry[at]] & ~MEETING_RTCP];
	if (rc->first[at]) {
		m->out_count[m->burst_entry[at]]++;
		c->rtx_len = (uint16_t)(rtx ? len : len - (int)m->profile->rtp_tag_len);
	}
}

static void record_one(struct record *rc, struct rte_mbuf *mb)
{
	struct fwd_ctx *x = rc->x;
	struct meeting *m = rc->m;
	uint8_t *f = rte_pktmbuf_mtod(mb, uint8_t *);
	unsigned port = strata_be16(f + 36);
	uint32_t r = port - 30000 - m->first_recv_leg;

	if (mb->data_len < 42 + 12 || r >= m->fanout)
		RECORD_FAIL(rc, "an output to no receiver (UDP port %u)", port);
	uint8_t *rtp = f + 42;
	int len = mb->data_len - 42;
	uint32_t ssrc = strata_rtp_ssrc(rtp), video_ssrc = 0x10000000u + m->first_sub + 2 * r;
	unsigned audio = ssrc == video_ssrc + 1;
	struct rx_view *v = &rc->rx[r];
	bool rtx = meeting_recv_rtx(r) && ssrc == 0x30000000u + m->first_sub + 2 * r;
	uint16_t seq = strata_rtp_seq(rtp);
	if (rtx || (ssrc == video_ssrc && v->started[0] && seq_diff(seq, v->last_seq[0]) <= 0)) {
		if (rc->n_pending == FWD_BURST || len > MAX_RTP)
			RECORD_FAIL(rc, "receiver %u: more retransmissions than NACKs", r);
		struct pending *p = &rc->pending[rc->n_pending++];
		p->r = r, p->rtx = rtx, p->len = len;
		memcpy(p->pkt, rtp, (size_t)len);
		return;
	}
	if (!audio && ssrc != video_ssrc)
		RECORD_FAIL(rc, "receiver %u: an output with SSRC %08x", r, ssrc);
	struct kept *k = &v->kept[seq & (KEPT - 1)];
	if (!audio && len <= MAX_RTP) {
		memcpy(k->cipher, rtp, (size_t)len);
		k->cipher_len = (uint16_t)len;
	}
	srtp_err_status_t st = srtp_unprotect(v->client[audio], rtp, &len);
	if (st != srtp_err_status_ok)
		RECORD_FAIL(rc, "receiver %u: srtp_unprotect says %d", r, st);
	if (v->started[audio] && seq != (uint16_t)(v->last_seq[audio] + 1))
		RECORD_FAIL(rc, "receiver %u: %s sequence number %u after %u", r,
			    audio ? "audio" : "video", seq, v->last_seq[audio]);
	v->started[audio] = true;
	v->last_seq[audio] = seq;
	if (!audio && len <= MAX_RTP) {
		memcpy(k->plain, rtp, (size_t)len);
		k->plain_len = (uint16_t)len;
		k->seq = seq;
		k->valid = true;
	}

	/* The input it copies: the burst's outputs come in input order. */
	uint32_t ohl = 0, oend;
	ohl = meeting_payload_of(rtp, (uint32_t)len, &oend);
	for (; rc->cursor < FWD_BURST; rc->cursor++) {
		const uint8_t *in = x->plain + (size_t)rc->cursor * FWD_BUF_STRIDE;
		uint32_t ilen = x->plain_len[rc->cursor], iend, ihl;
		if (ilen == 0)
			continue; /* a receiver's RTCP */
		ihl = meeting_payload_of(in, ilen, &iend);
		if (strata_rtp_ssrc(in) == (audio ? m->audio_ssrc : m->video_ssrc) &&
		    len - ohl == ilen - ihl && memcmp(rtp + ohl, in + ihl, ilen - ihl) == 0)
			break;
	}
	if (rc->cursor == FWD_BURST)
		RECORD_FAIL(rc, "receiver %u: an output that is no input's copy", r);
	uint32_t e = m->entry[m->burst_entry[rc->cursor]], loop = m->burst_loop[rc->cursor];
	if (rc->pass == PASS_MODEL) {
		if (audio)
			meeting_rtcp_saw_audio(m, r, strata_rtp_seq(x->plain + (size_t)rc->cursor *
								     FWD_BUF_STRIDE), seq);
		else
			meeting_rtcp_saw(m, r, e, loop, seq);
	}
	if (rc->pass == PASS_CHECK && !audio && seq != meeting_rtcp_seq(m, r, e, loop))
		RECORD_FAIL(rc, "receiver %u: video sequence number %u, the model's %u: its "
			    "layers took other packets than in the model pass", r, seq,
			    meeting_rtcp_seq(m, r, e, loop));
	if (rc->pass == PASS_CHECK && rc->first[rc->cursor])
		m->out_count[m->burst_entry[rc->cursor]]++;
}

static uint16_t record_tx(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n,
			  void *arg)
{
	(void)port, (void)queue;
	for (uint16_t i = 0; i < n; i++)
		record_one(arg, pkts[i]);
	return n;
}

/* The pool's mbufs in use, but for those the retransmission cache holds
 * (in it, or evicted and waiting for their grace period). */
static unsigned mbufs_in_use(const struct fwd_ctx *x)
{
	unsigned n = rte_mempool_in_use_count(x->dp.pool);
	const struct dp_rtx_worker *rw = &dp_rtcp_g->rtx.workers[x->w->index];

	return n - (unsigned)(rw->cached - atomic_load(&rw->reaped)) - (rw->head - rw->tail);
}


void meeting_mark(const struct fwd_ctx *x, const struct meeting *m, struct meeting_mark *k)
{
	k->c = x->w->c;
	k->in_use = mbufs_in_use(x);
	k->kf_notes = m->kf_notes;
	k->nack_notes = m->nack_notes;
	k->from = m->pos;
}

/* Allowed drops: a receiver's layers leave the input out, or it is
 * padding, or it is a receiver's RTCP (consumed).  The RTCP counters must
 * say that every RTCP packet was read, every NACK answered as expected
 * and every PLI either asked for or absorbed by the throttle. */
void meeting_check(struct fwd_ctx *x, const struct meeting *m,
			  const struct meeting_mark *k, uint64_t inputs, uint64_t outputs)
{
	const struct dp_counters *c = &x->w->c, *before = &k->c;
	struct meeting_rtcp_expect e;
	char why[1536] = "";
	size_t at = 0;

	meeting_rtcp_expected(m, k->from, inputs, &e);
#define WHY(...) (at += (size_t)snprintf(why + at, at < sizeof(why) ? sizeof(why) - at : 0, \
					 __VA_ARGS__))
#define DELTA(field) (c->field - before->field)
#define EXPECT(field, want) \
	do { \
		if (DELTA(field) != (uint64_t)(want)) \
			WHY(" %s: %llu, expected %llu;", #field, (unsigned long long)DELTA(field), \
			    (unsigned long long)(want)); \
	} while (0)
	for (unsigned d = 0; d < DP_DROP_COUNT; d++)
		if (c->drop[d] != before->drop[d] && d != DP_DROP_LAYER_FILTERED &&
		    d != DP_DROP_PADDING_ONLY && d != DP_DROP_RTCP_CONSUMED)
			WHY(" dropped %s: %llu;", dp_drop_name(d),
			    (unsigned long long)(c->drop[d] - before->drop[d]));
	EXPECT(drop[DP_DROP_RTCP_CONSUMED], e.packets);
	for (unsigned d = 0; d < DP_TX_DROP_COUNT; d++)
		if (c->tx_drop[d] != before->tx_drop[d])
			WHY(" outputs dropped %s: %llu;", dp_tx_drop_name(d),
			    (unsigned long long)(c->tx_drop[d] - before->tx_drop[d]));
	for (unsigned d = 0; d < DP_RTCP_ERROR_COUNT; d++)
		if (c->rtcp_err[d] != before->rtcp_err[d])
			WHY(" RTCP refused (error %u): %llu;", d,
			    (unsigned long long)(c->rtcp_err[d] - before->rtcp_err[d]));
	EXPECT(srtp_rx[STRATA_SRTP_OK], inputs);
	EXPECT(rtcp[DP_RTCP_C_RX], e.packets);
	EXPECT(rtcp_items[DP_RTCP_ITEM_PLI], e.pli);
	EXPECT(rtcp[DP_RTCP_C_UNKNOWN_MEDIA], 0);
	EXPECT(rtcp[DP_RTCP_C_PEERS_FULL], 0);
	EXPECT(rtcp[DP_RTCP_C_NACK_SEQS], e.nack);
	EXPECT(rtcp[DP_RTCP_C_RTX_HIT], e.hit);
	EXPECT(rtcp[DP_RTCP_C_RTX_MISS], e.miss);
	EXPECT(rtcp[DP_RTCP_C_RTX_UNMAPPED], 0);
	EXPECT(rtcp[DP_RTCP_C_RTX_SENT], e.rtx);
	EXPECT(rtcp[DP_RTCP_C_RETX_SENT], e.retx);
	EXPECT(rtcp[DP_RTCP_C_RETX_REFUSED_AEAD], e.refused);
	EXPECT(rtcp[DP_RTCP_C_RTX_SEND_FAILED], 0);
	EXPECT(rtcp[DP_RTCP_C_RTX_LIMBO_FULL], 0);
	EXPECT(notify_dropped, 0);
	/* Every PLI: a keyframe request, or absorbed on the worker. */
	if (DELTA(rtcp[DP_RTCP_C_KEYFRAME_PREFILTERED]) + (m->kf_notes - k->kf_notes) != e.pli)
		WHY(" %llu PLIs, %llu keyframe requests and %llu absorbed;",
		    (unsigned long long)e.pli, (unsigned long long)(m->kf_notes - k->kf_notes),
		    (unsigned long long)DELTA(rtcp[DP_RTCP_C_KEYFRAME_PREFILTERED]));
	if (m->nack_notes - k->nack_notes != e.miss)
		WHY(" %llu NACKed numbers asked of the publisher, expected %llu;",
		    (unsigned long long)(m->nack_notes - k->nack_notes), (unsigned long long)e.miss);
	if (outputs != UINT64_MAX && c->tx_packets - before->tx_packets != outputs)
		WHY(" sent %llu outputs, the recorded pass made %llu;",
		    (unsigned long long)(c->tx_packets - before->tx_packets),
		    (unsigned long long)outputs);
	if (mbufs_in_use(x) != k->in_use)
		WHY(" mbufs leaked;");
#undef EXPECT
#undef DELTA
#undef WHY
	if (why[0] != 0)
		bench_fail("meeting mix, %s fan-out %u:%s", m->profile->name, m->fanout, why);
}

/* Three untimed passes: warm-up; the receivers' model (media only); then
 * with their RTCP, checked and recorded. */
void meeting_record(struct fwd_ctx *x, struct meeting *m)
{
	struct record rc = { .x = x, .m = m };
	struct rte_mbuf *mb[FWD_BURST];

	rc.rx = calloc(m->fanout, sizeof(*rc.rx));
	rc.pending = calloc(FWD_BURST, sizeof(*rc.pending));
	if (rc.rx == NULL || rc.pending == NULL)
		bench_fail("out of memory");
	for (unsigned r = 0; r < m->fanout; r++) {
		for (unsigned a = 0; a < 2; a++)
			rc.rx[r].client[a] = bench_libsrtp_create(&m->recv_keys[r],
								0x10000000u + m->first_sub + 2 * r + a, 0);
		if (meeting_recv_rtx(r))
			rc.rx[r].client[2] = bench_libsrtp_create(&m->recv_keys[r],
								0x30000000u + m->first_sub + 2 * r, 0);
		rc.rx[r].kept = calloc(KEPT, sizeof(*rc.rx[r].kept));
		if (rc.rx[r].kept == NULL)
			bench_fail("out of memory");
	}
	const struct rte_eth_rxtx_callback *cb = rte_eth_add_tx_callback(x->port_id, 0, record_tx,
									 &rc);
	if (cb == NULL)
		bench_fail("cannot add a TX callback to check the outputs");
	uint8_t *seen = NULL;
	/* Pass 0 from the capture's start to its first loop; passes 1 and 2
	 * each until every entry of the cycle has been seen once. */
	for (unsigned pass = PASS_WARM; pass <= PASS_CHECK; pass++) {
		if (pass == PASS_CHECK)
			meeting_schedule(m);
		free(seen);
		seen = calloc(m->cycle_len, 1);
		if (seen == NULL)
			bench_fail("out of memory");
		struct meeting_mark mark;
		uint64_t inputs = 0;
		uint32_t left = m->cycle_len;

		meeting_mark(x, m, &mark);
		rc.pass = pass;
		while (pass == PASS_WARM ? m->loops == 0 : left > 0) {
			for (unsigned r = 0; r < m->fanout; r++)
				m->recv[r].n_nacked = 0;
			meeting_inputs(x, m, mb, FWD_BURST);
			for (unsigned i = 0; i < FWD_BURST; i++) {
				rc.first[i] = pass != PASS_WARM && !seen[m->burst_entry[i]];
				rc.answered[i] = false;
				if (rc.first[i]) {
					seen[m->burst_entry[i]] = 1;
					left--;
				}
			}
			rc.cursor = 0;
			rc.n_pending = 0;
			dp_worker_rx(x->w, 0, mb, FWD_BURST);
			dp_fanout_flush(x->w);
			for (unsigned k = 0; k < rc.n_pending && rc.error[0] == 0; k++)
				record_retransmission(&rc, rc.pending[k].r, rc.pending[k].pkt,
						      rc.pending[k].len, rc.pending[k].rtx);
			meeting_drain(x, m);
			inputs += FWD_BURST;
			for (unsigned r = 0; r < m->fanout && rc.error[0] == 0; r++)
				if (m->recv[r].n_nacked != 0)
					snprintf(rc.error, sizeof(rc.error), "receiver %u: NACKed %u, "
						 "which was not sent again", r, m->recv[r].nacked[0]);
			if (rc.error[0] != 0)
				break;
		}
		if (rc.error[0] != 0) {
			const uint64_t *now = x->w->c.rtcp, *then = mark.c.rtcp;
			bench_fail("meeting mix, %s fan-out %u: the receivers' outputs are wrong: %s "
				   "(strata-dp in this pass: %llu NACKed numbers, %llu cache hits, %llu "
				   "misses, %llu unmapped, %llu sent as RTX, %llu as the original, "
				   "%llu not sent, %llu refused under AEAD)", m->profile->name,
				   m->fanout, rc.error,
				   (unsigned long long)(now[DP_RTCP_C_NACK_SEQS] - then[DP_RTCP_C_NACK_SEQS]),
				   (unsigned long long)(now[DP_RTCP_C_RTX_HIT] - then[DP_RTCP_C_RTX_HIT]),
				   (unsigned long long)(now[DP_RTCP_C_RTX_MISS] - then[DP_RTCP_C_RTX_MISS]),
				   (unsigned long long)(now[DP_RTCP_C_RTX_UNMAPPED] -
							then[DP_RTCP_C_RTX_UNMAPPED]),
				   (unsigned long long)(now[DP_RTCP_C_RTX_SENT] - then[DP_RTCP_C_RTX_SENT]),
				   (unsigned long long)(now[DP_RTCP_C_RETX_SENT] - then[DP_RTCP_C_RETX_SENT]),
				   (unsigned long long)(now[DP_RTCP_C_RTX_SEND_FAILED] -
							then[DP_RTCP_C_RTX_SEND_FAILED]),
				   (unsigned long long)(now[DP_RTCP_C_RETX_REFUSED_AEAD] -
							then[DP_RTCP_C_RETX_REFUSED_AEAD]));
		}
		meeting_check(x, m, &mark, inputs, UINT64_MAX);
	}
	rte_eth_remove_tx_callback(x->port_id, 0, cb);
	rte_free((void *)(uintptr_t)cb);
	free(seen);
	for (unsigned r = 0; r < m->fanout; r++) {
		for (unsigned a = 0; a < 3; a++)
			if (rc.rx[r].client[a] != NULL)
				srtp_dealloc(rc.rx[r].client[a]);
		free(rc.rx[r].kept);
	}
	free(rc.rx);
	free(rc.pending);
}
