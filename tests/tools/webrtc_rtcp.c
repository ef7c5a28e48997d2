/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture tool's RTCP (webrtc_rtcp.h).
 */
#include <stdlib.h>
#include <string.h>

#include "rtp_header.h"
#include "webrtc_rtcp.h"

#define RTCP_SR 200
#define RTCP_RR 201
#define RTCP_RTPFB 205
#define RTCP_PSFB 206
#define FMT_PLI 1
#define FMT_TWCC 15

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int wrtc_rtcp_init(struct wrtc_rtcp *r, uint32_t our_ssrc)
{
	memset(r, 0, sizeof(*r));
	r->our_ssrc = our_ssrc;
	r->twcc_max = -1;
	r->twcc_arrival_us = calloc(65536, sizeof(*r->twcc_arrival_us));
	return r->twcc_arrival_us ? 0 : -1;
}

void wrtc_rtcp_free(struct wrtc_rtcp *r)
{
	free(r->twcc_arrival_us);
	r->twcc_arrival_us = NULL;
}

static struct wrtc_rx_stream *stream_of(struct wrtc_rtcp *r, uint32_t ssrc, uint16_t seq)
{
	for (int i = 0; i < r->n_streams; i++)
		if (r->streams[i].ssrc == ssrc)
			return &r->streams[i];
	if (r->n_streams == WRTC_MAX_STREAMS)
		return NULL;
	struct wrtc_rx_stream *s = &r->streams[r->n_streams++];
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
	s->base_seq = seq;
	s->max_seq = (uint16_t)(seq - 1);
	return s;
}

static void twcc_record(struct wrtc_rtcp *r, uint16_t seq, uint64_t now_us)
{
	int64_t ext;

	if (r->twcc_max < 0) {
		ext = seq;
		r->twcc_next = ext;
	} else {
		ext = r->twcc_max + (int16_t)(uint16_t)(seq - (uint16_t)r->twcc_max);
	}
	/* Already reported (a late or duplicate packet), or so far ahead that
	 * the table would wrap onto unreported numbers. */
	if (ext < r->twcc_next || ext >= r->twcc_next + 65536 - WRTC_TWCC_MAX_PER_FEEDBACK)
		return;
	if (ext > r->twcc_max)
		r->twcc_max = ext;
	r->twcc_arrival_us[ext & 0xffff] = now_us;
}

struct wrtc_rx_stream *wrtc_rtcp_on_rtp(struct wrtc_rtcp *r, const uint8_t *pkt, size_t len,
					uint64_t now_us, int twcc_seq)
{
	uint16_t seq = strata_rtp_seq(pkt);
	struct wrtc_rx_stream *s = stream_of(r, strata_rtp_ssrc(pkt), seq);

	if (twcc_seq >= 0)
		twcc_record(r, (uint16_t)twcc_seq, now_us);
	if (!s)
		return NULL;
	s->pt = pkt[1] & 0x7f;
	s->packets++;
	s->bytes += len;
	/* RFC 3550 appendix A.1, without the probation: a wrap is a small
	 * step forward across zero. */
	uint16_t delta = (uint16_t)(seq - s->max_seq);
	if (delta < 0x8000) {
		if (seq < s->max_seq)
			s->cycles += 1u << 16;
		s->max_seq = seq;
	}
	return s;
}

void wrtc_rtcp_on_rtcp(struct wrtc_rtcp *r, const uint8_t *pkt, size_t len, uint64_t now_us)
{
	size_t at = 0;

	while (at + 4 <= len) {
		const uint8_t *p = pkt + at;
		size_t plen = 4u * (strata_be16(p + 2) + 1u);

		if ((p[0] >> 6) != 2 || at + plen > len)
			return;
		if (p[1] == RTCP_SR && plen >= 28) {
			for (int i = 0; i < r->n_streams; i++) {
				struct wrtc_rx_stream *s = &r->streams[i];
				if (s->ssrc != strata_be32(p + 4))
					continue;
				/* RFC 3550 section 6.4.1: LSR is "the middle 32
				 * bits out of 64 in the NTP timestamp". */
				s->lsr = strata_be32(p + 8) << 16 | strata_be32(p + 12) >> 16;
				s->lsr_at_us = now_us;
			}
		}
		at += plen;
	}
}

/* RFC 3550 section 6.4.1/6.4.2 report block, appendix A.3 loss figures. */
static void report_block(struct wrtc_rx_stream *s, uint8_t *b, uint64_t now_us)
{
	uint32_t ext_max = s->cycles + s->max_seq;
	uint32_t expected = ext_max - s->base_seq + 1;
	uint32_t received = (uint32_t)s->packets;
	int32_t lost = (int32_t)(expected - received);
	uint32_t expected_interval = expected - s->expected_prior;
	uint32_t received_interval = received - s->received_prior;
	int32_t lost_interval = (int32_t)(expected_interval - received_interval);
	uint8_t fraction = 0;

	s->expected_prior = expected;
	s->received_prior = received;
	if (expected_interval > 0 && lost_interval > 0)
		fraction = (uint8_t)(((uint32_t)lost_interval << 8) / expected_interval);
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	else if (lost < -0x800000)
		lost = -0x800000;
	strata_put_be32(b, s->ssrc);
	strata_put_be32(b + 4, (uint32_t)fraction << 24 | ((uint32_t)lost & 0xffffff));
	strata_put_be32(b + 8, ext_max);
	strata_put_be32(b + 12, 0); /* jitter: not estimated */
	strata_put_be32(b + 16, s->lsr);
	/* DLSR in units of 1/65536 s. */
	strata_put_be32(b + 20, s->lsr ? (uint32_t)((now_us - s->lsr_at_us) * 65536 / 1000000) : 0);
}

/*
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|  FMT=15 |    PT=205     |           length              |
 *   |                     SSRC of packet sender                     |
 *   |                      SSRC of media source                     |
 *   |      base sequence number     |      packet status count      |
 *   |                 reference time                | fb pkt. count |
 *   |          packet chunk         |         packet chunk          |
 *   .                              ....                             .
 *   |         packet chunk          |  recv delta   |  recv delta   |
 *   .                              ....                             .
 *
 * Here every chunk is a status vector chunk of seven 2-bit symbols ("1 1
 * s0 .. s6": 00 not received, 01 received with a small delta of one byte,
 * 10 received with a large or negative delta of two bytes), deltas in
 * 250 us ticks from the reference time (64 ms units) for the first
 * received packet and from the previous one after that.
 */
static size_t twcc_feedback(struct wrtc_rtcp *r, uint8_t *out, size_t cap)
{
	int64_t first = r->twcc_next, last = r->twcc_max;
	size_t count, n_chunks, at;
	int64_t prev_ticks = -1;
	uint64_t ref = 0;

	if (r->twcc_max < r->twcc_next)
		return 0;
	if (last - first + 1 > WRTC_TWCC_MAX_PER_FEEDBACK)
		last = first + WRTC_TWCC_MAX_PER_FEEDBACK - 1;
	count = (size_t)(last - first + 1);
	n_chunks = (count + 6) / 7;
	/* Worst case: every delta large. */
	if (cap < 20 + 2 * n_chunks + 2 * count + 4)
		return 0;
	for (int64_t s = first; s <= last && !ref; s++)
		ref = r->twcc_arrival_us[s & 0xffff] / 64000;

	uint8_t *p = out;
	strata_put_be32(p + 4, r->our_ssrc);
	strata_put_be32(p + 8, r->n_streams ? r->streams[0].ssrc : 0);
	put16(p + 12, (uint16_t)first);
	put16(p + 14, (uint16_t)count);
	strata_put_be32(p + 16, (uint32_t)(ref & 0xffffff) << 8 | r->twcc_fb_count++);
	at = 20 + 2 * n_chunks;
	prev_ticks = (int64_t)ref * 256;
	for (size_t c = 0; c < n_chunks; c++) {
		uint16_t chunk = 0xc000;

		for (size_t k = 0; k < 7; k++) {
			size_t i = c * 7 + k;
			if (i >= count)
				break;
			uint64_t *slot = &r->twcc_arrival_us[(first + (int64_t)i) & 0xffff];
			if (!*slot)
				continue;
			int64_t ticks = (int64_t)(*slot / 250), delta = ticks - prev_ticks;
			prev_ticks = ticks;
			*slot = 0;
			if (delta >= 0 && delta <= 255) {
				chunk |= (uint16_t)(1u << (2 * (6 - k)));
				out[at++] = (uint8_t)delta;
			} else {
				if (delta > 32767)
					delta = 32767;
				else if (delta < -32768)
					delta = -32768;
				chunk |= (uint16_t)(2u << (2 * (6 - k)));
				put16(out + at, (uint16_t)(int16_t)delta);
				at += 2;
			}
		}
		put16(p + 20 + 2 * c, chunk);
	}
	/* RFC 3550 section 6.4.1 padding: the last octet counts the padding
	 * octets, itself included, and the P bit says it is there. */
	size_t pad = (4 - at % 4) % 4;
	for (size_t i = 0; i < pad; i++)
		out[at++] = i + 1 == pad ? (uint8_t)pad : 0;
	out[0] = (uint8_t)(0x80 | (pad ? 0x20 : 0) | FMT_TWCC);
	out[1] = RTCP_RTPFB;
	put16(out + 2, (uint16_t)(at / 4 - 1));
	r->twcc_next = last + 1;
	return at;
}

size_t wrtc_rtcp_build(struct wrtc_rtcp *r, uint8_t *out, size_t cap, uint64_t now_us, int pli,
		       int twcc, const uint8_t report[WRTC_MAX_STREAMS])
{
	unsigned blocks = 0;
	size_t at;

	for (int i = 0; i < r->n_streams; i++)
		blocks += report[i] != 0;
	at = 8 + 24u * blocks;
	if (cap < at + 12u * (size_t)r->n_streams)
		return 0;
	out[0] = (uint8_t)(0x80 | blocks);
	out[1] = RTCP_RR;
	put16(out + 2, (uint16_t)(at / 4 - 1));
	strata_put_be32(out + 4, r->our_ssrc);
	blocks = 0;
	for (int i = 0; i < r->n_streams; i++)
		if (report[i])
			report_block(&r->streams[i], out + 8 + 24 * blocks++, now_us);
	for (int i = 0; pli && i < r->n_streams; i++) {
		uint8_t *p = out + at;
		p[0] = 0x80 | FMT_PLI;
		p[1] = RTCP_PSFB;
		put16(p + 2, 2);
		strata_put_be32(p + 4, r->our_ssrc);
		strata_put_be32(p + 8, r->streams[i].ssrc);
		at += 12;
	}
	if (twcc)
		at += twcc_feedback(r, out + at, cap - at);
	return at;
}
