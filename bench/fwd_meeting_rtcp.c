/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd --mix meeting: the receivers' RTCP.  Every receiver
 * sends SRTCP compound packets on its leg, timed by the mix's own media
 * clock (the capture's RTP timestamps), not the wall clock:
 *
 *  - a receiver report (RR + SDES CNAME) about every second of media: RFC
 *    3550 section 6.3.1 draws each interval from 0.5 to 1.5 times the
 *    deterministic one, which a video receiver of a small session keeps
 *    near its minimum (WebRTC's is 1 s);
 *  - a PLI (RFC 4585 section 6.3.1) every 2 to 3 s of media: a decoder
 *    that lost its state, or a window shown again;
 *  - a generic NACK (RFC 4585 section 6.2.1) for 1 % of the video packets
 *    it gets, naming one packet: a loss noticed when the third next one
 *    arrived, so the packet is in the router's retransmission cache; one
 *    NACK in five names a packet of 190 to 220 packets back, older than
 *    the cache's second of media, which strata-dp asks of the publisher.
 *
 * Feedback goes in compound packets (RFC 4585 section 3.1: RR, SDES, then
 * the feedback).  The receivers' video sequence numbers, which the NACKs
 * and reports name, come from a model learnt in an untimed pass: which
 * capture packets each receiver gets (its layers) and the number of its
 * first one; fwd_meeting.c's checked pass then checks every output's
 * number against it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "bench_libsrtp.h"
#include "bench_report.h"
#include "fwd_meeting_priv.h"
#include "rtcp_state.h"
#include "rtp/rtp_header.h"

#define HIT_BACK 3        /* video packets between a loss and its NACK */
#define OLD_BACK 190      /* the NACKs the cache cannot answer: this far ... */
#define OLD_MAX 220       /* ... to this far back (renumbering window 256) */
#define OLD_EVERY 5       /* one NACK in five */
#define RR_LEN (8 + 2 * 24)
#define SDES_LEN 28
#define CNAME_LEN 16
#define NACK_LEN 16
#define PLI_LEN 12

struct event {
	uint32_t t;       /* media time in the capture's 90 kHz units */
	uint32_t recv;
	uint8_t kind;
};

static uint32_t rng_next(uint32_t *s)
{
	/* xorshift32: the schedule is the same every run. */
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Uniform in [lo, hi) seconds, in 90 kHz units. */
static uint32_t rng_ticks(uint32_t *s, double lo, double hi)
{
	return (uint32_t)((lo + (hi - lo) * (rng_next(s) / 4294967296.0)) * 90000);
}

void meeting_rtcp_start(struct fwd_ctx *x, uint32_t video_per_second)
{
	struct dp_rtcp_config cfg;

	/* strata-dp's RTCP state.  The cache keeps a second of video
	 * (dataplane.rtcp.rtx_cache_ms) by the wall clock, while the bench's
	 * media runs thousands of times faster than real time: here its mbuf
	 * budget keeps that second of the mix's media (the capture's packets
	 * a second), and the age limit is beyond any run, so that a slice
	 * that lost its core, or the ceiling's turn, empties nothing. */
	dp_rtcp_config_defaults(&cfg);
	cfg.rtx_cache_ms = UINT32_MAX;
	cfg.rtx_cache_mbufs = video_per_second;
	if (dp_rtcp_g != NULL || dp_rtcp_init(&x->dp, &cfg) != 0)
		bench_fail("out of memory for strata-dp's RTCP state");
}

void meeting_rtcp_open(struct meeting *m)
{
	m->recv = calloc(m->fanout, sizeof(*m->recv));
	m->got = calloc((size_t)m->fanout * m->n_video, 1);
	m->rank = calloc((size_t)m->fanout * m->n_video, sizeof(*m->rank));
	if (m->recv == NULL || m->got == NULL || m->rank == NULL)
		bench_fail("out of memory");
	for (unsigned r = 0; r < m->fanout; r++) {
		struct meeting_recv *rv = &m->recv[r];
		rv->ssrc = 0x20000000u + m->first_recv_leg + r;
		rv->rtx = meeting_recv_rtx(r);
		rv->rtcp_client = bench_libsrtp_create(&m->recv_rx_keys[r], rv->ssrc, 0);
	}
}

void meeting_rtcp_close(struct fwd_ctx *x, struct meeting *m)
{
	/* The meeting's cached packets back to the pool (as the main lcore
	 * does for a deleted stream), out of the next meeting's budget. */
	dp_rtx_cache_reap(&x->dp, m->video_stream);
	dp_rtx_cache_reclaim(x->w);
	/* And strata-dp's RTCP state with them: each meeting has its own. */
	dp_rtcp_fini();
	for (unsigned r = 0; r < m->fanout; r++)
		srtp_dealloc(m->recv[r].rtcp_client);
	free(m->recv);
	free(m->got);
	free(m->rank);
	free(m->rtcp);
}

void meeting_rtcp_saw(struct meeting *m, unsigned r, uint32_t v, uint32_t loop, uint16_t seq)
{
	struct meeting_recv *rv = &m->recv[r];

	m->got[(size_t)r * m->n_video + v] = 1;
	if (!rv->known) {
		rv->known = true;
		rv->base_loop = loop;
		rv->ref_v = v;
		rv->ref_seq = seq;
	}
}

void meeting_rtcp_saw_audio(struct meeting *m, unsigned r, uint16_t in_seq, uint16_t out_seq)
{
	m->recv[r].audio_delta = (uint16_t)(out_seq - in_seq);
}

/* 32 bits: RFC 3550 6.4.1's extended highest sequence number wants them. */
static uint32_t seq_ext(const struct meeting *m, unsigned r, uint32_t v, uint32_t loop)
{
	const struct meeting_recv *rv = &m->recv[r];

	return rv->base_seq + (loop - rv->base_loop) * rv->total +
	       m->rank[(size_t)r * m->n_video + v];
}

uint16_t meeting_rtcp_seq(const struct meeting *m, unsigned r, uint32_t v, uint32_t loop)
{
	return (uint16_t)seq_ext(m, r, v, loop);
}

/* The newest packet receiver r got at most `back` packets before video
 * packet ve (negative: the pass before), no further back than `limit`. */
static bool find_got(const struct meeting *m, unsigned r, int64_t ve, unsigned back,
		     unsigned limit, uint32_t *v, int8_t *loop)
{
	const uint8_t *got = m->got + (size_t)r * m->n_video;

	for (int64_t j = ve - back; j >= ve - limit; j--) {
		int64_t k = j < 0 ? j + m->n_video : j;
		if (k >= 0 && got[k]) {
			*v = (uint32_t)k;
			*loop = j < 0 ? -1 : 0;
			return true;
		}
	}
	return false;
}

static int cmp_event(const void *a, const void *b)
{
	const struct event *p = a, *q = b;

	if (p->t != q->t)
		return p->t < q->t ? -1 : 1;
	return (p->recv > q->recv) - (p->recv < q->recv);
}

static void add(struct event **ev, uint32_t *n, uint32_t *cap, uint32_t t, uint32_t r, uint8_t k)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*ev = realloc(*ev, *cap * sizeof(**ev));
		if (*ev == NULL)
			bench_fail("out of memory");
	}
	(*ev)[(*n)++] = (struct event){ .t = t, .recv = r, .kind = k };
}

void meeting_rtcp_schedule(struct meeting *m, const uint32_t *video_ts, uint32_t ts_span)
{
	struct event *ev = NULL;
	uint32_t n_ev = 0, cap_ev = 0, nacks = 0;

	/* The model: each receiver's outputs of a pass, and their ranks. */
	for (unsigned r = 0; r < m->fanout; r++) {
		struct meeting_recv *rv = &m->recv[r];
		uint32_t total = 0;
		if (!rv->known)
			bench_fail("meeting mix: receiver %u got no video in the model pass", r);
		for (uint32_t v = 0; v < m->n_video; v++) {
			m->rank[(size_t)r * m->n_video + v] = (uint16_t)total;
			total += m->got[(size_t)r * m->n_video + v];
		}
		rv->total = total;
		rv->base_seq = (uint16_t)(rv->ref_seq - m->rank[(size_t)r * m->n_video + rv->ref_v]);
	}

	/* Each receiver's RTCP over one pass of the capture's media time. */
	for (unsigned r = 0; r < m->fanout; r++) {
		uint32_t s = 0x9e3779b9u * (r + 1), t;
		for (t = rng_ticks(&s, 0, 1); t < ts_span; t += rng_ticks(&s, 0.5, 1.5))
			add(&ev, &n_ev, &cap_ev, t, r, MEETING_RR);
		for (t = rng_ticks(&s, 0, 2.5); t < ts_span; t += rng_ticks(&s, 2, 3))
			add(&ev, &n_ev, &cap_ev, t, r, MEETING_PLI);
		uint32_t n = (m->recv[r].total + 50) / 100;
		for (uint32_t i = 0; i < n; i++) {
			t = (uint32_t)(((double)i + rng_next(&s) / 4294967296.0) * ts_span / n);
			add(&ev, &n_ev, &cap_ev, t, r,
			    ++nacks % OLD_EVERY == 0 ? MEETING_NACK_OLD : MEETING_NACK);
		}
	}
	qsort(ev, n_ev, sizeof(*ev), cmp_event);

	/* Merged into the cycle by media time (an audio packet at the time of
	 * the video packet before it). */
	uint32_t len = m->cycle_len + n_ev, k = 0, i = 0, new_pos = 0;
	uint32_t *entry = calloc(len, sizeof(*entry));
	uint16_t *entry_len = calloc(len, sizeof(*entry_len));
	m->rtcp = calloc(n_ev ? n_ev : 1, sizeof(*m->rtcp));
	if (entry == NULL || entry_len == NULL || m->rtcp == NULL)
		bench_fail("out of memory");
	int64_t ve = -1; /* the newest video packet placed */
	for (uint32_t old = 0; old <= m->cycle_len; old++) {
		uint32_t tm = UINT32_MAX;
		if (old < m->cycle_len && m->entry[old] != MEETING_AUDIO)
			tm = video_ts[m->entry[old]];
		else if (old < m->cycle_len)
			tm = ve < 0 ? 0 : video_ts[ve];
		for (; i < n_ev && ev[i].t < tm; i++) {
			struct meeting_rtcp *c = &m->rtcp[m->n_rtcp];
			uint32_t r = ev[i].recv;
			*c = (struct meeting_rtcp){ .recv = r, .kind = ev[i].kind };
			if (!find_got(m, r, ve, 0, m->n_video, &c->newest, &c->newest_loop))
				continue;
			if (c->kind == MEETING_NACK_OLD &&
			    !find_got(m, r, ve, OLD_BACK, OLD_MAX, &c->target, &c->target_loop))
				c->kind = MEETING_NACK; /* its layers have none that old */
			if (c->kind == MEETING_NACK &&
			    !find_got(m, r, ve, HIT_BACK, HIT_BACK + 64, &c->target, &c->target_loop))
				c->kind = MEETING_RR;
			c->len = RR_LEN + SDES_LEN + (c->kind == MEETING_PLI ? PLI_LEN
						      : c->kind == MEETING_RR ? 0 : NACK_LEN);
			entry[k] = MEETING_RTCP | m->n_rtcp++;
			entry_len[k++] = c->len;
		}
		if (old == m->cycle_len)
			break;
		if (old == m->pos)
			new_pos = k;
		if (m->entry[old] != MEETING_AUDIO)
			ve = m->entry[old];
		entry[k] = m->entry[old];
		entry_len[k++] = m->entry_len[old];
	}
	free(ev);
	free(m->entry);
	free(m->entry_len);
	free(m->out_count);
	m->entry = entry;
	m->entry_len = entry_len;
	m->cycle_len = k;
	m->pos = new_pos;
	m->out_count = calloc(k, sizeof(*m->out_count));
	if (m->out_count == NULL)
		bench_fail("out of memory");
	m->rtcp_on = true;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* RFC 3550 6.4.1: one report block. */
static uint8_t *report_block(uint8_t *p, uint32_t ssrc, uint8_t fraction, uint32_t lost,
			     uint32_t ext_seq, uint32_t jitter)
{
	strata_put_be32(p, ssrc);
	p[4] = fraction;
	p[5] = (uint8_t)(lost >> 16), p[6] = (uint8_t)(lost >> 8), p[7] = (uint8_t)lost;
	strata_put_be32(p + 8, ext_seq);
	strata_put_be32(p + 12, jitter);
	strata_put_be32(p + 16, 0); /* LSR: no SR from the router yet */
	strata_put_be32(p + 20, 0); /* DLSR */
	return p + 24;
}

uint32_t meeting_rtcp_packet(struct meeting *m, uint32_t e, uint8_t *out)
{
	struct meeting_rtcp *c = &m->rtcp[m->entry[e] & ~MEETING_RTCP];
	struct meeting_recv *rv = &m->recv[c->recv];
	uint32_t r = c->recv, video_ssrc = 0x10000000u + m->first_sub + 2 * r;
	uint8_t *p = out;

	/* RFC 3550 6.4.2: RR, two report blocks (video, audio). */
	p[0] = 0x80 | 2, p[1] = 201;
	put16(p + 2, RR_LEN / 4 - 1);
	strata_put_be32(p + 4, rv->ssrc);
	p = report_block(p + 8, video_ssrc, rv->lost ? 2 : 0, rv->lost,
			 seq_ext(m, r, c->newest, m->loops + c->newest_loop), 180);
	p = report_block(p, video_ssrc + 1, 0, 0, (uint16_t)(m->seq_a - 1 + rv->audio_delta), 96);
	/* RFC 3550 6.5: SDES, one chunk with the CNAME, an end item, padding. */
	p[0] = 0x80 | 1, p[1] = 202;
	put16(p + 2, SDES_LEN / 4 - 1);
	strata_put_be32(p + 4, rv->ssrc);
	p[8] = 1, p[9] = CNAME_LEN;
	char cname[CNAME_LEN + 1];
	snprintf(cname, sizeof(cname), "bench-recv%06u", r);
	memcpy(p + 10, cname, CNAME_LEN);
	memset(p + 10 + CNAME_LEN, 0, SDES_LEN - 10 - CNAME_LEN);
	p += SDES_LEN;
	if (c->kind == MEETING_PLI) {
		/* RFC 4585 6.3.1: FMT 1, PT PSFB, no FCI. */
		p[0] = 0x80 | 1, p[1] = 206;
		put16(p + 2, PLI_LEN / 4 - 1);
		strata_put_be32(p + 4, rv->ssrc);
		strata_put_be32(p + 8, video_ssrc);
		p += PLI_LEN;
	} else if (c->kind != MEETING_RR) {
		/* RFC 4585 6.2.1: FMT 1, PT RTPFB, one FCI: PID and BLP. */
		uint16_t pid = meeting_rtcp_seq(m, r, c->target, m->loops + c->target_loop);
		p[0] = 0x80 | 1, p[1] = 205;
		put16(p + 2, NACK_LEN / 4 - 1);
		strata_put_be32(p + 4, rv->ssrc);
		strata_put_be32(p + 8, video_ssrc);
		put16(p + 12, pid);
		put16(p + 14, 0);
		p += NACK_LEN;
		rv->lost++;
		if (c->kind == MEETING_NACK && (rv->rtx || !m->profile->aead) &&
		    rv->n_nacked < RTE_DIM(rv->nacked))
			rv->nacked[rv->n_nacked++] = pid;
	}
	int len = (int)(p - out);
	if (len != c->len)
		bench_fail("meeting mix: an RTCP packet of %d octets, %u expected", len, c->len);
	srtp_err_status_t st = srtp_protect_rtcp(rv->rtcp_client, out, &len);
	if (st != srtp_err_status_ok)
		bench_fail("receiver %u's srtp_protect_rtcp failed (%d)", r, st);
	return (uint32_t)len;
}

void meeting_rtcp_expected(const struct meeting *m, uint32_t from, uint64_t inputs,
			   struct meeting_rtcp_expect *e)
{
	bool aead = m->profile->aead;

	memset(e, 0, sizeof(*e));
	if (!m->rtcp_on)
		return;
	for (uint64_t i = 0; i < inputs; i++) {
		uint32_t en = m->entry[(from + i) % m->cycle_len];
		if (!meeting_is_rtcp(en))
			continue;
		const struct meeting_rtcp *c = &m->rtcp[en & ~MEETING_RTCP];
		bool rtx = m->recv[c->recv].rtx;
		e->packets++;
		e->pli += c->kind == MEETING_PLI;
		if (c->kind == MEETING_NACK) {
			e->nack++;
			if (!rtx && aead)
				e->refused++; /* checked before the cache is */
			else {
				e->hit++;
				e->rtx += rtx;
				e->retx += !rtx;
			}
		} else if (c->kind == MEETING_NACK_OLD) {
			e->nack++;
			if (!rtx && aead)
				e->refused++;
			else
				e->miss++;
		}
	}
}
