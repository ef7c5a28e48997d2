/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd --mix meeting: a video meeting's traffic on the
 * forwarding path, against the crypto-only ceiling of the same work.
 *
 * One meeting per (profile, fan-out): two publishers -- one sends VP9 with
 * three spatial and three temporal layers (Chromium's L3T3 capture,
 * tests/data/vp9/l3t3.rtp, replayed in a loop with its dependency
 * descriptor negotiated as Chromium negotiates it, so that the layers are
 * chosen by decode target; --mix meeting-vp9 leaves the descriptor
 * unnegotiated, and VP9's own payload descriptor decides), the other Opus audio
 * (20 ms packets of 90 octets with an RFC 6464 audio level) -- and F
 * receivers, each subscribed to both, at mixed layer targets (struct
 * target below: from all nine layers down to the base layer).  Inputs come
 * in the publishers' proportions: the capture's 158 video packets a second
 * to Opus's 50, so one audio packet after every three video packets.  Its
 * padding-only packets (bandwidth probes) come too, as they would.
 *
 * The loop: each pass over the capture renumbers what must stay monotonic
 * for the receivers' selection (sequence numbers, timestamps, VP9
 * PictureIDs and TL0PICIDX, the descriptor's frame numbers) by the
 * capture's span, so pass k + 1 continues pass k; the capture begins at a
 * key picture, which is where each pass restarts.
 *
 * Outputs per second are counted as the worker sent them (each receiver
 * gets only its layers).  Before timing, two passes run untimed: the
 * first brings every receiver to its layers, the second decrypts every
 * output as its receiver would (libsrtp2), checks its payload is the
 * input's and its sequence numbers gapless, and records how many outputs
 * each input of the pass made.  Every timed slice must then make exactly
 * as many (the selection is deterministic), with no drop but layers
 * filtered out and padding, or the run stops.  The ceiling does the same
 * crypto with raw intel-ipsec-mb: per input one decrypt of its length and
 * the recorded number of encrypts, with the receivers' keys.
 *
 * The receivers' RTCP is in the mix (fwd_meeting_rtcp.c), on the media's
 * clock: each receiver sends SRTCP compound packets, a receiver report
 * about every second of media, a PLI every 2 to 3 s, and a NACK for 1 %
 * of the video packets it gets (four in five name a packet the router's
 * cache holds, answered as RTX, or as the original packet for the one
 * receiver in four without RTX; one in five a packet too old for it, which
 * strata-dp asks of the publisher).  They go through the same timed calls
 * as the media, with strata-dp's RTCP state set up as strata-dp has it, so
 * the forwarding also pays for its retransmission cache.  The
 * retransmissions are outputs; the ceiling does an SRTCP decrypt per RTCP
 * packet and an encrypt per retransmission.  A third untimed pass comes
 * between the two (fwd_meeting_check.c): the model of each receiver's
 * sequence numbers (which capture packets its layers take), which the
 * NACKs and reports name and the checked pass, the only one with the RTCP
 * in the cycle, checks every output against; it also decrypts every
 * retransmission (right SSRC, sequence number, original sequence number,
 * payload), and every slice checks strata-dp's RTCP counters and that the
 * PLIs became at most one keyframe request per throttle interval.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "bench_libsrtp.h"
#include "bench_report.h"
#include "codec/av1_dd.h"
#include "codec/vp9.h"
#include "fanout.h"
#include "fwd_bench.h"
#include "fwd_meeting.h"
#include "fwd_meeting_priv.h"
#include "net/headers.h"
#include "rtp/rtp_ext.h"
#include "rtp/rtp_header.h"

#define VIDEO_PT 98
#define AUDIO_PT 111
#define DD_EXT_ID 13          /* the capture's (tests/data/vp9/l3t3.json) */
#define AUDIO_LEVEL_EXT_ID 1
#define AUDIO_PAYLOAD 90
#define AUDIO_HDR 20          /* fixed header + one-byte extension block */
#define VIDEO_PER_AUDIO 3

/* Receivers' layer targets, cycled: spatial, temporal. */
static const uint8_t targets[][2] = {
	{ 2, 2 }, { 1, 2 }, { 0, 2 }, { 2, 1 }, { 1, 1 }, { 0, 1 }, { 2, 0 }, { 1, 0 }, { 0, 0 },
	{ 1, 2 },
};
#define N_TARGETS (sizeof(targets) / sizeof(targets[0]))

static const uint8_t local_ip[4] = { 192, 0, 2, 2 };
static const uint8_t publisher_ip[4] = { 198, 51, 100, 1 };
static const uint8_t receiver_ip[4] = { 203, 0, 113, 10 };

/* The capture, and what a loop renumbers. */
struct capture {
	uint8_t **pkt;
	uint16_t *len;
	uint32_t n;
	uint32_t ts_span;
	uint16_t pid_span, fn_span;
	uint8_t tl0_span;
};


static struct capture cap;

static void random_bytes(void *p, size_t n)
{
	if (getrandom(p, n, 0) != (ssize_t)n)
		bench_fail("getrandom failed");
}

static struct strata_addr addr(const uint8_t ip[4], uint16_t port)
{
	struct strata_addr a = { .family = STRATA_AF_INET, .port = port };

	memcpy(a.ip, ip, 4);
	return a;
}

static void keying(struct strata_keying *k, const struct strata_srtp_profile *p)
{
	memset(k, 0, sizeof(*k));
	k->profile = (uint8_t)p->id;
	random_bytes(k->key, p->key_len);
	random_bytes(k->salt, p->salt_len);
}

/* RTP header length and payload (padding excluded) of a capture packet. */
uint32_t meeting_payload_of(const uint8_t *p, uint32_t len, uint32_t *end)
{
	uint32_t hl = 0;

	if (strata_rtp_header_len(p, len, &hl) != STRATA_RTP_PARSE_OK)
		bench_fail("the capture has a packet that is not RTP");
	*end = (p[0] & 0x20) ? len - p[len - 1] : len;
	return hl;
}

/* Reads tests/data/vp9/l3t3.rtp (rtp_file.h: 4-octet length, packet). */
static void capture_load(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t lenb[4];
	uint32_t cap_n = 0;

	if (f == NULL)
		bench_fail("cannot open the VP9 capture %s (--capture PATH)", path);
	memset(&cap, 0, sizeof(cap));
	while (fread(lenb, 1, 4, f) == 4) {
		uint32_t n = (uint32_t)lenb[0] << 24 | lenb[1] << 16 | lenb[2] << 8 | lenb[3];
		if (n < 12 || n > MAX_RTP - 64)
			bench_fail("%s: a packet of %u octets", path, n);
		if (cap.n == cap_n) {
			cap_n = cap_n ? cap_n * 2 : 1024;
			cap.pkt = realloc(cap.pkt, cap_n * sizeof(*cap.pkt));
			cap.len = realloc(cap.len, cap_n * sizeof(*cap.len));
			if (cap.pkt == NULL || cap.len == NULL)
				bench_fail("out of memory");
		}
		cap.pkt[cap.n] = malloc(n);
		if (cap.pkt[cap.n] == NULL || fread(cap.pkt[cap.n], 1, n, f) != n)
			bench_fail("%s: truncated", path);
		cap.len[cap.n++] = (uint16_t)n;
	}
	fclose(f);
	if (cap.n < 100)
		bench_fail("%s: only %u packets", path, cap.n);

	/* The spans a pass covers: first to last, plus one step. */
	uint32_t ts0 = strata_be32(cap.pkt[0] + 4), ts1 = strata_be32(cap.pkt[cap.n - 1] + 4);
	bool first = true, key0 = false;
	uint16_t pid0 = 0, pid1 = 0, fn0 = 0, fn1 = 0;
	uint8_t tl00 = 0, tl01 = 0;
	for (uint32_t i = 0; i < cap.n; i++) {
		uint32_t end, hl = meeting_payload_of(cap.pkt[i], cap.len[i], &end), dl;
		struct dp_frame_info fi;
		struct dp_frame_svc svc;
		if (end == hl)
			continue;
		if (dp_vp9_parse(cap.pkt[i] + hl, end - hl, &fi, &svc) != 0 || !fi.has_picture_id)
			bench_fail("%s: packet %u is not VP9 with a PictureID", path, i);
		const uint8_t *dd = strata_rtp_ext_find(cap.pkt[i], hl, DD_EXT_ID, &dl);
		if (dd == NULL || dl < DP_AV1_DD_MIN_LEN)
			bench_fail("%s: packet %u has no dependency descriptor", path, i);
		if (first)
			pid0 = fi.picture_id, tl00 = fi.tl0picidx, fn0 = strata_be16(dd + 1),
			key0 = fi.keyframe;
		first = false;
		pid1 = fi.picture_id, tl01 = fi.tl0picidx, fn1 = strata_be16(dd + 1);
	}
	if (!key0)
		bench_fail("%s: does not begin with a key picture", path);
	cap.ts_span = ts1 - ts0 + 3000;
	cap.pid_span = (uint16_t)((pid1 - pid0 + 1) & 0x7fff);
	cap.tl0_span = (uint8_t)(tl01 - tl00 + 1);
	cap.fn_span = (uint16_t)(fn1 - fn0 + 1);
}

/* The video packet `i` of pass `loop`, renumbered, at p; returns its length. */
static uint32_t video_packet(struct meeting *m, uint32_t i, uint8_t *p)
{
	uint32_t len = cap.len[i], end, hl, dl;

	memcpy(p, cap.pkt[i], len);
	hl = meeting_payload_of(p, len, &end);
	p[2] = (uint8_t)(m->seq_v >> 8);
	p[3] = (uint8_t)m->seq_v;
	m->seq_v++;
	strata_put_be32(p + 4, strata_be32(p + 4) + m->loops * cap.ts_span);
	strata_put_be32(p + 8, m->video_ssrc);
	if (end == hl || m->loops == 0)
		return len;
	struct dp_frame_info fi;
	struct dp_frame_svc svc;
	dp_vp9_parse(p + hl, end - hl, &fi, &svc);
	dp_vp9_rewrite(p + hl, &fi, (uint16_t)(fi.picture_id + m->loops * cap.pid_span),
		       (uint8_t)(fi.tl0picidx + m->loops * cap.tl0_span));
	uint8_t *dd = (uint8_t *)(uintptr_t)strata_rtp_ext_find(p, hl, DD_EXT_ID, &dl);
	dp_av1_dd_put_frame_number(dd, (uint16_t)(strata_be16(dd + 1) + m->loops * cap.fn_span));
	return len;
}

/* The next Opus packet at p, with its audio level; returns its length. */
static uint32_t audio_packet(struct meeting *m, uint8_t *p)
{
	p[0] = 0x90; /* V = 2, X */
	p[1] = AUDIO_PT;
	p[2] = (uint8_t)(m->seq_a >> 8);
	p[3] = (uint8_t)m->seq_a;
	strata_put_be32(p + 4, m->ts_a);
	strata_put_be32(p + 8, m->audio_ssrc);
	/* RFC 8285 one-byte block: one element (id 1, length 1), padding. */
	p[12] = 0xbe, p[13] = 0xde, p[14] = 0, p[15] = 1;
	p[16] = (uint8_t)(AUDIO_LEVEL_EXT_ID << 4), p[17] = 0x80 | 40, p[18] = 0, p[19] = 0;
	for (unsigned k = 0; k < AUDIO_PAYLOAD; k++)
		p[AUDIO_HDR + k] = (uint8_t)(m->seq_a * 31 + k);
	m->seq_a++;
	m->ts_a += 960;
	return AUDIO_HDR + AUDIO_PAYLOAD;
}

static void cycle_build(struct meeting *m)
{
	uint32_t n = cap.n + cap.n / VIDEO_PER_AUDIO, k = 0;

	m->entry = calloc(n, sizeof(*m->entry));
	m->entry_len = calloc(n, sizeof(*m->entry_len));
	m->out_count = calloc(n, sizeof(*m->out_count));
	if (m->entry == NULL || m->entry_len == NULL || m->out_count == NULL)
		bench_fail("out of memory");
	for (uint32_t v = 0; v < cap.n; v++) {
		m->entry[k] = v;
		m->entry_len[k++] = cap.len[v];
		if ((v + 1) % VIDEO_PER_AUDIO == 0) {
			m->entry[k] = UINT32_MAX;
			m->entry_len[k++] = AUDIO_HDR + AUDIO_PAYLOAD;
		}
	}
	m->cycle_len = k;
}

static void meeting_create(struct fwd_ctx *x, struct meeting *m, uint32_t *next_leg,
			   uint32_t *next_stream, uint32_t *next_sub)
{
	const struct strata_srtp_profile *p = m->profile;
	struct strata_cmd cmd;
	struct strata_keying client;

	/* The two publishers. */
	for (int audio = 0; audio < 2; audio++) {
		uint32_t leg = (*next_leg)++, stream = (*next_stream)++, ssrc;
		struct strata_addr local = addr(local_ip, (uint16_t)(20000 + leg));
		struct strata_addr remote = addr(publisher_ip, (uint16_t)(40000 + leg));

		memset(&cmd, 0, sizeof(cmd));
		cmd.type = STRATA_CMD_LEG_ADD;
		cmd.u.leg_add = (struct strata_cmd_leg_add){ .leg = leg, .local = local,
							     .remote = remote };
		keying(&cmd.u.leg_add.rx, p);
		keying(&cmd.u.leg_add.tx, p);
		client = cmd.u.leg_add.rx;
		fwd_command(x, &cmd);
		random_bytes(&ssrc, sizeof(ssrc));
		ssrc |= 1;
		memset(&cmd, 0, sizeof(cmd));
		cmd.type = STRATA_CMD_STREAM_ADD;
		cmd.u.stream_add = (struct strata_cmd_stream_add){
			.stream = stream, .source = stream, .leg = leg, .ssrc = ssrc,
			.clock_rate = audio ? 48000 : 90000,
			.kind = audio ? STRATA_MEDIA_AUDIO : STRATA_MEDIA_VIDEO,
			.codec = audio ? STRATA_CODEC_OPUS : STRATA_CODEC_VP9,
			.pt = audio ? AUDIO_PT : VIDEO_PT,
			.ext_audio_level = audio ? AUDIO_LEVEL_EXT_ID : 0,
			.ext_dependency_descriptor = audio || !m->dd ? 0 : DD_EXT_ID,
		};
		fwd_command(x, &cmd);
		if (audio) {
			m->audio_stream = stream;
			m->audio_leg = leg, m->audio_local = local, m->audio_remote = remote;
			m->audio_ssrc = ssrc;
			m->audio_client = bench_libsrtp_create(&client, ssrc, 0);
		} else {
			m->video_stream = stream;
			m->video_leg = leg, m->video_local = local, m->video_remote = remote;
			m->video_ssrc = ssrc;
			m->video_client = bench_libsrtp_create(&client, ssrc, 0);
		}
		explicit_bzero(&client, sizeof(client));
	}
	m->seq_v = 1, m->seq_a = 1, m->ts_a = 48000;

	/* The receivers: one leg, two subscriptions each. */
	m->recv_keys = calloc(m->fanout, sizeof(*m->recv_keys));
	m->recv_rx_keys = calloc(m->fanout, sizeof(*m->recv_rx_keys));
	if (m->recv_keys == NULL || m->recv_rx_keys == NULL)
		bench_fail("out of memory");
	m->first_recv_leg = *next_leg;
	m->first_sub = *next_sub;
	for (unsigned r = 0; r < m->fanout; r++) {
		uint32_t leg = (*next_leg)++;

		memset(&cmd, 0, sizeof(cmd));
		cmd.type = STRATA_CMD_LEG_ADD;
		cmd.u.leg_add.leg = leg;
		cmd.u.leg_add.local = addr(local_ip, (uint16_t)(20000 + leg));
		cmd.u.leg_add.remote = addr(receiver_ip, (uint16_t)(30000 + leg));
		keying(&cmd.u.leg_add.rx, p);
		keying(&cmd.u.leg_add.tx, p);
		m->recv_keys[r] = cmd.u.leg_add.tx;
		m->recv_rx_keys[r] = cmd.u.leg_add.rx;
		fwd_command(x, &cmd);
		for (int audio = 0; audio < 2; audio++) {
			uint32_t sub = (*next_sub)++;
			memset(&cmd, 0, sizeof(cmd));
			cmd.type = STRATA_CMD_SUB_ADD;
			cmd.u.sub_add = (struct strata_cmd_sub_add){
				.sub = sub, .leg = leg,
				.source = audio ? m->audio_stream : m->video_stream,
				.ssrc = 0x10000000u + sub, .pt = audio ? AUDIO_PT : VIDEO_PT,
				/* RFC 4588, as browsers negotiate it for video. */
				.rtx_ssrc = audio || !meeting_recv_rtx(r) ? 0 : 0x30000000u + sub,
				.rtx_pt = audio || !meeting_recv_rtx(r) ? 0 : RTX_PT,
				.spatial = audio ? 0 : targets[r % N_TARGETS][0],
				.temporal = audio ? 255 : targets[r % N_TARGETS][1],
			};
			fwd_command(x, &cmd);
		}
	}
	cycle_build(m);
}

/* Untimed, the NIC: n frames of the next inputs of the cycle. */
void meeting_inputs(struct fwd_ctx *x, struct meeting *m, struct rte_mbuf **mb, unsigned n)
{
	uint8_t hdr[64];

	if (rte_pktmbuf_alloc_bulk(x->dp.pool, mb, n) != 0)
		bench_fail("the mbuf pool is empty: are mbufs leaking?");
	for (unsigned i = 0; i < n; i++) {
		uint8_t *frame = rte_pktmbuf_mtod(mb[i], uint8_t *);
		uint8_t *plain = x->plain + (size_t)i * FWD_BUF_STRIDE;
		uint32_t e = m->entry[m->pos];
		bool audio = e == MEETING_AUDIO, rtcp = meeting_is_rtcp(e);
		int out_len;
		unsigned hl;

		m->burst_entry[i] = m->pos;
		m->burst_loop[i] = m->loops;
		if (rtcp) {
			/* A receiver's SRTCP, from its client to its leg. */
			uint32_t r = m->rtcp[e & ~MEETING_RTCP].recv, leg = m->first_recv_leg + r;
			struct strata_addr remote = addr(receiver_ip, (uint16_t)(30000 + leg));
			struct strata_addr local = addr(local_ip, (uint16_t)(20000 + leg));
			hl = dp_udp_headers_build(hdr, &x->client_ifc, x->dp.ports[0].ifc.mac, &remote,
						  &local, 0);
			out_len = (int)meeting_rtcp_packet(m, m->pos, frame + hl);
			dp_udp_headers_build(frame, &x->client_ifc, x->dp.ports[0].ifc.mac, &remote,
					     &local, (uint16_t)out_len);
			x->plain_len[i] = 0; /* no output copies it */
		} else {
			uint32_t len = audio ? audio_packet(m, plain) : video_packet(m, e, plain);
			out_len = (int)len;
			x->plain_len[i] = len;
			hl = dp_udp_headers_build(
				hdr, &x->client_ifc, x->dp.ports[0].ifc.mac,
				audio ? &m->audio_remote : &m->video_remote,
				audio ? &m->audio_local : &m->video_local,
				(uint16_t)(len + m->profile->rtp_tag_len));
			memcpy(frame, hdr, hl);
			memcpy(frame + hl, plain, len);
			srtp_err_status_t st = srtp_protect(audio ? m->audio_client : m->video_client,
							    frame + hl, &out_len);
			if (st != srtp_err_status_ok)
				bench_fail("a publishing client's srtp_protect failed (%d)", st);
		}
		if (++m->pos == m->cycle_len) {
			m->pos = 0;
			m->loops++;
		}
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + 14);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(frame + 34);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
		mb[i]->data_len = (uint16_t)(hl + (unsigned)out_len);
		mb[i]->pkt_len = mb[i]->data_len;
		mb[i]->port = x->port_id;
		mb[i]->ol_flags = x->sw_checksum ? 0
				  : RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
}

static uint64_t meeting_burst(struct fwd_ctx *x, struct meeting *m)
{
	struct rte_mbuf *mb[FWD_BURST];

	meeting_inputs(x, m, mb, FWD_BURST);
	uint64_t t0 = bench_ticks();
	dp_worker_rx(x->w, 0, mb, FWD_BURST);
	dp_fanout_flush(x->w);
	uint64_t t = bench_ticks() - t0;
	meeting_drain(x, m);
	return t;
}

/* The capture's video timestamps from its first (the RTCP's clock). */
static uint32_t *video_times(void)
{
	uint32_t *t = calloc(cap.n, sizeof(*t)), ts0 = strata_be32(cap.pkt[0] + 4);

	if (t == NULL)
		bench_fail("out of memory");
	for (uint32_t v = 0; v < cap.n; v++)
		t[v] = strata_be32(cap.pkt[v] + 4) - ts0;
	return t;
}

void meeting_schedule(struct meeting *m)
{
	uint32_t *ts = video_times();

	meeting_rtcp_schedule(m, ts, cap.ts_span);
	free(ts);
}

/* ---- slices and the cell -------------------------------------------------- */

struct lane {
	uint64_t best, bursts, disturbed;
};

static uint64_t recorded(const struct meeting *m, uint32_t from, uint64_t inputs)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < inputs; i++)
		sum += m->out_count[(from + i) % m->cycle_len];
	return sum;
}

static double slice(struct fwd_ctx *x, struct meeting *m, struct meeting_ceiling *c, bool fwd,
		    struct lane *l, double seconds, struct fwd_stats *st)
{
	uint64_t min_excess = (uint64_t)(bench_tsc_hz() * FWD_DISTURBED_US / 1e6);
	uint64_t ticks = 0, outputs = 0, all_inputs = 0;
	struct meeting_mark mark;
	struct bench_clock clk;

	meeting_mark(x, m, &mark);
	bench_clock_start(&clk);
	do {
		uint64_t before_tx = x->w->c.tx_packets, out = 0;
		uint64_t t = fwd ? meeting_burst(x, m) : meeting_ceiling_burst(c, &out);
		if (fwd)
			out = x->w->c.tx_packets - before_tx;
		all_inputs += FWD_BURST;
		l->bursts++;
		st->bursts++;
		if (t < l->best)
			l->best = t;
		if (t - l->best > min_excess && t - l->best > l->best) {
			l->disturbed++;
			st->disturbed++;
			continue;
		}
		ticks += t;
		outputs += out;
	} while (bench_clock_elapsed(&clk) < seconds || outputs == 0);
	if (fwd)
		meeting_check(x, m, &mark, all_inputs, recorded(m, mark.from, all_inputs));
	return (double)outputs * bench_tsc_hz() / (double)ticks;
}

static int cmp_double(const void *a, const void *b)
{
	double p = *(const double *)a, q = *(const double *)b;

	return (p > q) - (p < q);
}

void fwd_meeting_load(const char *capture_path, unsigned *mean_payload)
{
	uint64_t sum = 0, n = 0;

	capture_load(capture_path);
	for (uint32_t v = 0; v < cap.n; v++) {
		uint32_t end, hl = meeting_payload_of(cap.pkt[v], cap.len[v], &end);
		sum += cap.len[v] - hl;
		n++;
		if ((v + 1) % VIDEO_PER_AUDIO == 0)
			sum += AUDIO_PAYLOAD, n++;
	}
	*mean_payload = (unsigned)((sum + n / 2) / n);
}

void fwd_meeting_limits(unsigned fanout, unsigned nprofiles, struct fwd_setup_params *sp)
{
	sp->max_legs += nprofiles * (2 + fanout);
	sp->max_subs += nprofiles * 2 * fanout;
	sp->max_streams += nprofiles * 2;
}

void fwd_meeting_cell(struct fwd_ctx *x, const struct strata_srtp_profile *p, unsigned fanout,
		      double duration, bool no_ceiling, bool dd, uint32_t *next_leg, uint32_t *next_stream,
		      uint32_t *next_sub, struct fwd_result *res, struct fwd_stats *st)
{
	struct meeting *m = calloc(1, sizeof(*m));
	static struct meeting_ceiling c;
	double v[2][FWD_SLICES];
	struct lane lanes[2] = { { .best = UINT64_MAX }, { .best = UINT64_MAX } };
	unsigned n_lanes = no_ceiling ? 1 : 2;

	if (m == NULL)
		bench_fail("out of memory");
	m->profile = p;
	m->fanout = fanout;
	m->dd = dd;
	m->n_video = cap.n;
	/* The cache's second of media: the capture's video packets a second. */
	meeting_rtcp_start(x, (uint32_t)((uint64_t)cap.n * 90000 / cap.ts_span));
	meeting_create(x, m, next_leg, next_stream, next_sub);
	meeting_rtcp_open(m);
	explicit_bzero(m->recv_rx_keys, sizeof(*m->recv_rx_keys) * fanout);
	meeting_record(x, m);
	explicit_bzero(m->recv_keys, sizeof(*m->recv_keys) * fanout);
	if (!no_ceiling)
		meeting_ceiling_open(&c, x, m);
	double warmup = duration / 10 < 0.1 ? duration / 10 : 0.1;
	struct fwd_stats ignored = { 0 };
	for (unsigned e = 0; e < n_lanes; e++)
		slice(x, m, &c, e == 0, &lanes[e], warmup, &ignored);
	for (unsigned r = 0; r < FWD_SLICES; r++) {
		for (unsigned k = 0; k < n_lanes; k++) {
			unsigned e = (r + k) % n_lanes;
			v[e][r] = slice(x, m, &c, e == 0, &lanes[e], duration / FWD_SLICES, st);
		}
		bench_progress_update("slice %u/%u: out %.2f | ceiling %.2f Mpps", r + 1, FWD_SLICES,
				      v[0][r] / 1e6, no_ceiling ? 0 : v[1][r] / 1e6);
	}
	for (unsigned e = 0; e < n_lanes; e++)
		qsort(v[e], FWD_SLICES, sizeof(double), cmp_double);
	res->out_pps = (v[0][FWD_SLICES / 2 - 1] + v[0][FWD_SLICES / 2]) / 2;
	res->ceiling_out_pps = no_ceiling ? NAN
				: (v[1][FWD_SLICES / 2 - 1] + v[1][FWD_SLICES / 2]) / 2;
	uint64_t outputs = 0, rtx = 0;
	for (uint32_t e = 0; e < m->cycle_len; e++) {
		outputs += m->out_count[e];
		if (meeting_is_rtcp(m->entry[e]))
			rtx += m->out_count[e];
	}
	res->in_pps = res->out_pps * m->cycle_len / (double)outputs;
	res->rtcp_in_pps = res->in_pps * m->n_rtcp / m->cycle_len;
	res->rtx_out_pps = res->out_pps * (double)rtx / (double)outputs;
	if (!no_ceiling)
		meeting_ceiling_close(&c);
	srtp_dealloc(m->video_client);
	srtp_dealloc(m->audio_client);
	meeting_rtcp_close(x, m);
	free(m->recv_keys);
	free(m->recv_rx_keys);
	free(m->entry);
	free(m->entry_len);
	free(m->out_count);
	free(m);
}
