/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench run: one trial, generator and sink on one lcore.
 *
 * Generator: at `rate` inputs per second, paced by the TSC, streams taken
 * in the schedule's order (run_setup.c).  Each input is a fresh RTP packet
 * -- the stream's next sequence number and timestamp, never a replay, so
 * strata-dp's replay protection sees a valid stream -- protected by the
 * publisher's own libsrtp2 context.  Its payload carries a stamp: the TSC
 * when it was built, its stream and index, its RTP timestamp and trial; the
 * rest is a pattern the sink checks.  VP8 streams are L1T3 as a WebRTC
 * sender writes them (strata-dp parses and rewrites the descriptor), frames
 * of 8 packets, the first frame a keyframe; Opus 20 ms packets.  Every trial
 * starts each stream on a new frame (the rest of a frame the trial before
 * began is not sent, as if the sender had dropped it), so no input of a
 * trial shares a timestamp with an earlier trial's: that is how outputs are
 * attributed to trials (run_loss.h).  Inputs the port does not
 * take (strata-dp's memif ring full) are offered and lost.
 *
 * Sink: every frame strata-dp sends back is checked (our MAC, IPv4/UDP to
 * the client address and the leg's port, from the leg's local port, an
 * SSRC of one of the leg's subscriptions) and attributed by its RTP
 * timestamp to this trial or an earlier one (run_origin_of).  This trial's
 * are counted for that subscription with their sequence numbers (run_loss.h:
 * strata-dp renumbers each receiver's copy, so a gap is a loss); an earlier
 * trial's are counted apart, as late; this trial's arriving more than
 * backlog_ms after its end, apart as backlog, lost.  One output in sample_every per
 * subscription (and its first, which gives strata-dp's timestamp offset) is
 * decrypted with the receiver's keys (libsrtp2), its payload compared with
 * what the publisher sent -- including the trial in its stamp against the
 * attribution -- and, if it is this trial's, its stamp's age recorded as
 * latency: memif both ways and strata-dp's work.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "bench_report.h"
#include "run_bench.h"

#define BURST 32
#define VP8_DESC 6
#define FRAME_PACKETS 8
#define STAMP_AT 8                  /* payload offset: after any codec header */
#define DRAIN_QUIET_MS 250          /* a trial ends this long after the last output */
#define DRAIN_MAX_MS 3000

static inline uint8_t pattern(uint32_t stream, unsigned k)
{
	return (uint8_t)(stream * 29u + k * 7u + 1u);
}

/* VP8: the next frame (its timestamp, PictureID, TL0PICIDX). */
static void next_frame(struct run_stream *s)
{
	static const uint8_t tids[4] = { 0, 2, 1, 2 };
	s->frame_packet = 0;
	s->ts += 3000;
	s->picture_id = (uint16_t)((s->picture_id + 1) & 0x7fff);
	if (tids[s->picture_id & 3] == 0)
		s->tl0++;
}

static unsigned build_rtp(struct run_state *st, struct run_stream *s, uint8_t *p, uint64_t now)
{
	const struct run_media *md = &st->sc->media[s->media];
	bool vp8 = md->codec == RUN_CODEC_VP8;
	bool start = s->frame_packet == 0, last = !vp8 || s->frame_packet == FRAME_PACKETS - 1;

	p[0] = 0x80;
	p[1] = (uint8_t)((last ? 0x80 : 0) | (vp8 ? 96 : 111));
	p[2] = (uint8_t)(s->seq >> 8), p[3] = (uint8_t)s->seq;
	uint32_t ts = (uint32_t)s->ts;
	/* A trial's timestamps must stay within half the 32-bit space for the
	 * sink to place every output (run_origin_of). */
	if (s->ts - s->ep.trial_first >= UINT64_C(1) << 31)
		bench_fail("stream %u's RTP timestamps went round half their space in one trial: "
			   "shorten --trial", s->id);
	p[4] = (uint8_t)(ts >> 24), p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8), p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(s->ssrc >> 24), p[9] = (uint8_t)(s->ssrc >> 16);
	p[10] = (uint8_t)(s->ssrc >> 8), p[11] = (uint8_t)s->ssrc;
	uint8_t *pl = p + RUN_RTP_HDR;
	for (unsigned k = STAMP_AT + RUN_STAMP_LEN; k < md->size; k++)
		pl[k] = pattern(s->id, k);
	memset(pl, 0, STAMP_AT);
	if (vp8) {
		/* RFC 7741 4.2: X, S, PID 0; I, L, T; 15-bit PictureID;
		 * TL0PICIDX; TID (0, 2, 1, 2) and Y.  The first payload byte of
		 * a frame is VP8's header: P = 0 on a keyframe. */
		static const uint8_t tids[4] = { 0, 2, 1, 2 };
		uint8_t tid = tids[s->picture_id & 3];
		pl[0] = (uint8_t)(0x80 | (start ? 0x10 : 0));
		pl[1] = 0xe0;
		pl[2] = (uint8_t)(0x80 | (s->picture_id >> 8));
		pl[3] = (uint8_t)s->picture_id;
		pl[4] = s->tl0;
		pl[5] = (uint8_t)(tid << 6 | (tid == 1 ? 0x20 : 0));
		if (start)
			pl[6] = s->sent == 0 ? 0x10 : 0x11;
	}
	memcpy(pl + STAMP_AT, &now, 8);
	memcpy(pl + STAMP_AT + 8, &s->id, 4);
	uint32_t idx = (uint32_t)s->sent;
	memcpy(pl + STAMP_AT + 12, &idx, 4);
	memcpy(pl + STAMP_AT + 16, &ts, 4);
	memcpy(pl + STAMP_AT + 20, &st->trial, 4);

	s->ep.newest = s->ts;
	s->seq++;
	s->sent++;
	if (vp8) {
		if (++s->frame_packet == FRAME_PACKETS)
			next_frame(s);
	} else {
		s->ts += 960;
	}
	return RUN_RTP_HDR + md->size;
}

/* n inputs into m[]; returns how many were built. */
static unsigned generate(struct run_state *st, struct rte_mbuf **m, unsigned n,
			 uint64_t *expected, uint64_t now)
{
	if (rte_pktmbuf_alloc_bulk(st->pool, m, n) != 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		/* Warming up, every stream in turn; then the mix's proportions. */
		struct run_stream *s = st->warm ? &st->streams[st->warm_pos++ % st->n_streams]
						: &st->streams[st->schedule[st->schedule_pos]];
		if (!st->warm && ++st->schedule_pos == st->schedule_len)
			st->schedule_pos = 0;
		uint8_t *f = rte_pktmbuf_mtod(m[i], uint8_t *);
		memcpy(f, s->hdr, RUN_HDR);
		int len = (int)build_rtp(st, s, f + RUN_HDR, now);
		int rc = srtp_protect(s->client, f + RUN_HDR, &len);
		if (rc != srtp_err_status_ok)
			bench_fail("the publisher's srtp_protect failed (%d)", rc);
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(f + 34);
		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
		m[i]->data_len = (uint16_t)(RUN_HDR + len);
		m[i]->pkt_len = m[i]->data_len;
		*expected += s->n_subs;
		for (unsigned k = 0; k < s->n_subs; k++)
			st->subs[s->first_sub + k].loss.expected++;
	}
	return n;
}

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One output; false if it is not what strata-dp should have sent. */
static bool sink_one(struct run_state *st, struct run_trial *t, struct rte_mbuf *m, uint64_t now)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	unsigned len = rte_pktmbuf_data_len(m);

	if (len < RUN_HDR + RUN_RTP_HDR || memcmp(f, st->my_mac, 6) != 0 ||
	    memcmp(f + 6, st->dp_mac, 6) != 0 || f[12] != 0x08 || f[13] != 0 || f[14 + 9] != 17 ||
	    memcmp(f + 14 + 16, st->client_ip, 4) != 0 || memcmp(f + 14 + 12, st->dp_ip, 4) != 0)
		return false;
	uint8_t *rtp = f + RUN_HDR;
	/* RFC 5761 4: RTCP's packet types 192-223 are RTP payload types 64-95
	 * with the marker set; strata-dp sends receivers its sender reports. */
	if ((rtp[1] & 0x7f) >= 64 && (rtp[1] & 0x7f) <= 95) {
		t->rtcp++;
		return true;
	}
	uint32_t ssrc = be32(rtp + 8);
	uint32_t si = ssrc - st->sub_ssrc_base - 1;
	if (si >= st->n_subs)
		return false;
	struct run_sub *u = &st->subs[si];
	const struct run_leg *l = &st->legs[u->leg];
	if (be16(f + 34) != l->local.port || be16(f + 36) != l->remote.port ||
	    be16(f + 38) != len - 34)
		return false;
	const struct run_stream *s = &st->streams[u->stream];
	uint32_t out_ts = be32(rtp + 4);
	uint16_t seq = be16(rtp + 2);
	/* The first output is always decrypted: its stamp gives strata-dp's
	 * timestamp offset for this receiver, which the attribution needs. */
	bool sample = !u->ts_known || u->seen % st->sample_every == 0;
	u->seen++;
	uint64_t stamp = 0;
	uint32_t stamp_trial = 0;
	if (sample) {
		const struct run_media *md = &st->sc->media[s->media];
		int rlen = (int)(len - RUN_HDR);
		if (srtp_unprotect(u->client, rtp, &rlen) != srtp_err_status_ok) {
			u->decrypt_fail++;
			return false;
		}
		u->decrypted++;
		const uint8_t *pl = rtp + RUN_RTP_HDR;
		uint32_t sid, in_ts;
		memcpy(&stamp, pl + STAMP_AT, 8);
		memcpy(&sid, pl + STAMP_AT + 8, 4);
		memcpy(&in_ts, pl + STAMP_AT + 16, 4);
		memcpy(&stamp_trial, pl + STAMP_AT + 20, 4);
		bool ok = (unsigned)rlen == RUN_RTP_HDR + md->size && sid == s->id && stamp <= now;
		for (unsigned k = STAMP_AT + RUN_STAMP_LEN; ok && k < md->size; k++)
			ok = pl[k] == pattern(s->id, k);
		if (md->codec == RUN_CODEC_VP8 && ok)
			ok = (pl[0] & 0x80) && (pl[2] & 0x80); /* descriptor kept its extensions */
		if (!ok) {
			u->payload_bad++;
			return false;
		}
		if (!u->ts_known) {
			u->ts_offset = out_ts - in_ts;
			u->ts_known = true;
		} else if (out_ts - in_ts != u->ts_offset) {
			bench_fail("subscription %u: strata-dp's RTP timestamp offset changed from %u "
				   "to %u (a simulcast switch?), so its outputs can no longer be "
				   "attributed to trials", u->id, u->ts_offset, out_ts - in_ts);
		}
	}
	uint64_t before = u->loss.received;
	enum run_origin o = run_loss_output(&u->loss, &s->ep, out_ts - u->ts_offset, seq);
	if (o == RUN_ORIGIN_NEVER_SENT)
		return false;
	if (sample && (stamp_trial == st->trial) != (o == RUN_ORIGIN_THIS_TRIAL))
		bench_fail("subscription %u: an output stamped in trial %u was attributed to %s "
			   "trial (now %u): the attribution by RTP timestamp is broken", u->id,
			   stamp_trial, o == RUN_ORIGIN_THIS_TRIAL ? "this" : "an earlier", st->trial);
	if (o == RUN_ORIGIN_EARLIER_TRIAL) {
		t->late++;
		return true;
	}
	/* A router that cannot keep up can still look loss-free in a short
	 * trial: its rings hold a backlog it empties after the trial (a
	 * 16k-entry memif ring is most of a second of a webinar's inputs).
	 * What comes that late is lost for this rate. */
	if (now > st->counted_until)
		t->backlog += u->loss.received - before;
	else
		t->received += u->loss.received - before;
	if (run_loss_check(&u->loss) != 0)
		bench_fail("subscription %u counted %llu outputs in this trial from %llu inputs "
			   "sent towards it: outputs were attributed to the wrong trial", u->id,
			   (unsigned long long)u->loss.received, (unsigned long long)u->loss.expected);
	if (sample && t->lat != NULL)
		hist_record(t->lat, (uint64_t)((double)(now - stamp) * 1e9 / st->tsc_hz));
	return true;
}

static unsigned sink(struct run_state *st, struct run_trial *t)
{
	struct rte_mbuf *m[BURST];
	uint16_t n = rte_eth_rx_burst(st->port_id, 0, m, BURST);
	if (n == 0)
		return 0;
	uint64_t now = rte_rdtsc();
	for (uint16_t i = 0; i < n; i++) {
		if (!sink_one(st, t, m[i], now))
			t->bad++;
		rte_pktmbuf_free(m[i]);
	}
	return n;
}

void run_trial(struct run_state *st, struct run_trial *t,
	       void (*progress)(void *arg, const struct run_trial *t, double done), void *arg)
{
	struct rte_mbuf *m[BURST];
	double hz = st->tsc_hz;

	/* A new trial: each stream's next input starts a frame, so its
	 * timestamp is above all the earlier trials' (run_loss.h), and the
	 * receivers' accounts start afresh. */
	st->trial++;
	for (unsigned i = 0; i < st->n_streams; i++) {
		struct run_stream *s = &st->streams[i];
		if (s->frame_packet != 0)
			next_frame(s);
		s->ep.trial_first = s->ts;
	}
	for (unsigned i = 0; i < st->n_subs; i++)
		run_loss_init(&st->subs[i].loss);
	t->offered = t->sent_ok = t->expected = t->received = t->rtcp = t->late = t->bad = 0;
	t->backlog = 0;
	st->counted_until = UINT64_MAX;

	/* Whatever an earlier trial left in the rings (an overloaded one can
	 * leave seconds of it) is drained first: checked, and counted as late,
	 * not as this trial's (it could not be: its timestamps are older). */
	uint64_t q = (uint64_t)(hz * 0.1), last0 = rte_rdtsc(), stop0 = last0 + (uint64_t)(hz * 10);
	for (uint64_t now0 = last0; now0 < stop0 && now0 - last0 < q; now0 = rte_rdtsc())
		if (sink(st, t) > 0)
			last0 = rte_rdtsc();
	uint64_t interval = (uint64_t)(hz / t->rate);
	if (interval == 0)
		interval = 1;
	uint64_t start = rte_rdtsc(), end = start + (uint64_t)(t->seconds * hz), next = start;
	st->counted_until = end + (uint64_t)(hz * st->backlog_ms / 1000);
	uint64_t next_progress = start + (uint64_t)(0.25 * hz);
	uint64_t now = start;
	while (now < end) {
		unsigned due = 0;
		while (next <= now && due < BURST)
			next += interval, due++;
		if (due > 0) {
			unsigned n = generate(st, m, due, &t->expected, now);
			if (n == 0)
				bench_fail("the bench's mbuf pool is empty");
			uint16_t sent = rte_eth_tx_burst(st->port_id, 0, m, (uint16_t)n);
			t->offered += n;
			t->sent_ok += sent;
			for (unsigned i = sent; i < n; i++)
				rte_pktmbuf_free(m[i]);
		}
		sink(st, t);
		now = rte_rdtsc();
		if (progress != NULL && now >= next_progress) {
			next_progress = now + (uint64_t)(0.25 * hz);
			t->elapsed = (double)(now - start) / hz;
			progress(arg, t, t->elapsed / t->seconds);
		}
	}
	t->elapsed = (double)(now - start) / hz;
	/* Stragglers: until DRAIN_QUIET_MS pass without an output. */
	uint64_t quiet = (uint64_t)(hz * DRAIN_QUIET_MS / 1000), last = rte_rdtsc();
	uint64_t stop = last + (uint64_t)(hz * DRAIN_MAX_MS / 1000);
	for (now = last; now < stop && now - last < quiet; now = rte_rdtsc())
		if (sink(st, t) > 0)
			last = rte_rdtsc();
	t->gaps = 0;
	for (unsigned i = 0; i < st->n_subs; i++) {
		t->gaps += st->subs[i].loss.gaps;
		run_loss_merge(&st->subs[i].total, &st->subs[i].loss);
	}
	if (t->received + t->backlog > t->expected)
		bench_fail("a trial counted %llu outputs from inputs that make %llu: outputs were "
			   "attributed to the wrong trial",
			   (unsigned long long)(t->received + t->backlog),
			   (unsigned long long)t->expected);
	t->loss = t->expected == 0 ? 1.0
		  : t->received >= t->expected ? 0.0
		  : 1.0 - (double)t->received / (double)t->expected;
}

void run_warmup(struct run_state *st, double timeout_s)
{
	/* Slowly, until every subscription has had outputs (every stream's
	 * first frame, VP8's keyframe, reached every receiver) and a whole
	 * trial passed without loss; then the accounts start afresh. */
	uint64_t start = rte_rdtsc();
	st->warm = true;
	for (unsigned round = 1;; round++) {
		/* Each stream a whole frame (FRAME_PACKETS), at most 5000/s. */
		double need = (double)st->n_streams * FRAME_PACKETS;
		struct run_trial t = { .rate = need < 500 ? 500 : need > 5000 ? 5000 : need };
		t.seconds = need / t.rate < 0.2 ? 0.2 : need / t.rate;
		run_trial(st, &t, NULL, NULL);
		unsigned silent = 0;
		for (unsigned i = 0; i < st->n_subs; i++)
			silent += st->subs[i].loss.received == 0;
		if (t.bad != 0)
			bench_fail("warm-up: %llu wrong outputs", (unsigned long long)t.bad);
		if (silent == 0 && t.received == t.expected)
			break;
		if ((double)(rte_rdtsc() - start) / st->tsc_hz > timeout_s) {
			struct rte_eth_stats es = { 0 };
			rte_eth_stats_get(st->port_id, &es);
			bench_fail("warm-up: after %u rounds, %u subscription(s) got nothing and the last "
				   "round had %llu of %llu outputs (this port: %llu received, %llu "
				   "missed, %llu without an mbuf); is strata-dp's gateway4 neighbour "
				   "this process's --mac?", round, silent,
				   (unsigned long long)t.received, (unsigned long long)t.expected,
				   (unsigned long long)es.ipackets, (unsigned long long)es.imissed,
				   (unsigned long long)es.rx_nombuf);
		}
	}
	st->warm = false;
	for (unsigned i = 0; i < st->n_subs; i++) {
		/* ts_offset stays: strata-dp keeps it (run_loss.h). */
		run_loss_init(&st->subs[i].loss);
		run_loss_init(&st->subs[i].total);
		st->subs[i].decrypted = st->subs[i].decrypt_fail = st->subs[i].payload_bad = 0;
	}
}
