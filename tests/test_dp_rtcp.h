/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the dataplane/rtcp tests (test_dp_rtcp_*.c) and its fuzz
 * target:
 *
 *  - rt_exact(): a heap copy of exactly n octets, so that ASan reports any
 *    read past a packet's end;
 *  - rt_dump(): every field of every item the iterator returns, as text,
 *    one line per item and a last line "end <error name>", so that a test
 *    row states the exact expected fields as a string;
 *  - rt_twcc_encode(): an encoder for transport-wide CC feedback written
 *    from the draft, independent of the parser, that chooses among the
 *    chunk kinds that can express a run of statuses so that random
 *    feedback exercises all three.
 */
#ifndef STRATA_TEST_DP_RTCP_H
#define STRATA_TEST_DP_RTCP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dataplane/rtcp/rtcp.h"
#include "../dataplane/rtcp/rtcp_build.h"
#include "../dataplane/rtcp/rtcp_fb.h"
#include "../dataplane/rtcp/rtcp_time.h"
#include "../dataplane/rtcp/rtcp_twcc.h"

static inline uint8_t *rt_exact(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);
	if (!q) {
		fprintf(stderr, "rt_exact: out of memory\n");
		exit(2);
	}
	if (n)
		memcpy(q, p, n);
	return q;
}

/* A growing text buffer for rt_dump(). */
struct rt_text {
	char *s;
	size_t len, cap;
};

static inline void rt_printf(struct rt_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void rt_printf(struct rt_text *t, const char *fmt, ...)
{
	va_list ap;

	for (;;) {
		size_t room = t->cap - t->len;
		va_start(ap, fmt);
		int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (t->s && (size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		size_t want = t->len + (size_t)n + 1;
		t->cap = want > 2 * t->cap ? want : 2 * t->cap;
		t->s = realloc(t->s, t->cap);
		if (!t->s) {
			fprintf(stderr, "rt_printf: out of memory\n");
			exit(2);
		}
	}
}

static inline void rt_text_free(struct rt_text *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

static inline void rt_dump_text(struct rt_text *t, const uint8_t *p, unsigned n)
{
	rt_printf(t, "\"");
	for (unsigned i = 0; i < n; i++)
		rt_printf(t, (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"') ? "%c" : "\\x%02x", p[i]);
	rt_printf(t, "\"");
}

static inline void rt_dump_blocks(struct rt_text *t, const struct dp_rtcp_report *r)
{
	struct dp_rtcp_report_block rb;

	for (unsigned i = 0; dp_rtcp_report_block(r, i, &rb); i++)
		rt_printf(t, " [%08x fl=%u cl=%d hs=%u j=%u lsr=%08x dlsr=%08x]", rb.ssrc,
			  rb.fraction_lost, rb.cumulative_lost, rb.ext_highest_seq, rb.jitter,
			  rb.lsr, rb.dlsr);
}

/* Appends one item's line (without the newline). */
static inline void rt_dump_item(struct rt_text *t, const struct dp_rtcp_item *it)
{
	switch (it->type) {
	case DP_RTCP_ITEM_SR:
		rt_printf(t, "sr ssrc=%08x ntp=%016" PRIx64 " rtp=%u packets=%u octets=%u ext=%u",
			  it->ssrc, it->report.si.ntp, it->report.si.rtp_ts,
			  it->report.si.packet_count, it->report.si.octet_count,
			  it->report.ext_len);
		rt_dump_blocks(t, &it->report);
		break;
	case DP_RTCP_ITEM_RR:
		rt_printf(t, "rr ssrc=%08x ext=%u", it->ssrc, it->report.ext_len);
		rt_dump_blocks(t, &it->report);
		break;
	case DP_RTCP_ITEM_SDES: {
		struct dp_rtcp_sdes_cursor cur = { 0 };
		struct dp_rtcp_sdes_chunk c;
		rt_printf(t, "sdes");
		while (dp_rtcp_sdes_next(&it->sdes, &cur, &c)) {
			rt_printf(t, " [%08x", c.ssrc);
			if (c.has_cname) {
				rt_printf(t, " cname=");
				rt_dump_text(t, c.cname, c.cname_len);
			}
			rt_printf(t, "]");
		}
		break;
	}
	case DP_RTCP_ITEM_BYE:
		rt_printf(t, "bye");
		for (unsigned i = 0; i < it->bye.n_ssrcs; i++)
			rt_printf(t, " %08x", dp_rtcp_bye_ssrc(&it->bye, i));
		if (it->bye.reason) {
			rt_printf(t, " reason=");
			rt_dump_text(t, it->bye.reason, it->bye.reason_len);
		}
		break;
	case DP_RTCP_ITEM_APP:
		rt_printf(t, "app ssrc=%08x sub=%u name=", it->ssrc, it->app.subtype);
		rt_dump_text(t, it->app.name, 4);
		rt_printf(t, " data=%u", it->app.data_len);
		break;
	case DP_RTCP_ITEM_NACK: {
		uint32_t total = dp_rtcp_nack_expand(&it->nack, NULL, 0);
		uint16_t *seqs = malloc((total ? total : 1) * sizeof(*seqs));
		dp_rtcp_nack_expand(&it->nack, seqs, total);
		rt_printf(t, "nack ssrc=%08x media=%08x lost=", it->ssrc, it->nack.media_ssrc);
		for (uint32_t i = 0; i < total; i++)
			rt_printf(t, i ? ",%u" : "%u", seqs[i]);
		free(seqs);
		break;
	}
	case DP_RTCP_ITEM_PLI:
		rt_printf(t, "pli ssrc=%08x media=%08x", it->ssrc, it->fb.media_ssrc);
		break;
	case DP_RTCP_ITEM_FIR: {
		struct dp_rtcp_fir_entry e;
		rt_printf(t, "fir ssrc=%08x media=%08x", it->ssrc, it->fir.media_ssrc);
		for (uint32_t i = 0; dp_rtcp_fir_entry(&it->fir, i, &e); i++)
			rt_printf(t, " [%08x #%u]", e.ssrc, e.seq);
		break;
	}
	case DP_RTCP_ITEM_REMB:
		rt_printf(t, "remb ssrc=%08x media=%08x bps=%" PRIu64 " exp=%u mantissa=%u ssrcs=",
			  it->ssrc, it->remb.media_ssrc, it->remb.bitrate_bps, it->remb.exp,
			  it->remb.mantissa);
		for (unsigned i = 0; i < it->remb.n_ssrcs; i++)
			rt_printf(t, i ? ",%08x" : "%08x", dp_rtcp_remb_ssrc(&it->remb, i));
		break;
	case DP_RTCP_ITEM_TWCC: {
		struct dp_rtcp_twcc_iter ti;
		struct dp_rtcp_twcc_packet pk;
		rt_printf(t, "twcc ssrc=%08x media=%08x base=%u count=%u ref=%d fb=%u",
			  it->ssrc, it->twcc.media_ssrc, it->twcc.base_seq, it->twcc.status_count,
			  it->twcc.reference_time, it->twcc.fb_count);
		dp_rtcp_twcc_iter_init(&ti, &it->twcc);
		while (dp_rtcp_twcc_iter_next(&ti, &pk)) {
			if (pk.received)
				rt_printf(t, " %u:%u@%" PRId64, pk.seq, pk.status, pk.arrival_us);
			else
				rt_printf(t, " %u:0", pk.seq);
		}
		break;
	}
	case DP_RTCP_ITEM_FB_OTHER:
		rt_printf(t, "fb pt=%u fmt=%u ssrc=%08x media=%08x fci=%u", it->pt, it->count,
			  it->ssrc, it->fb.media_ssrc, it->fb.fci_len);
		break;
	case DP_RTCP_ITEM_UNKNOWN:
	default:
		rt_printf(t, "unknown pt=%u count=%u len=%u", it->pt, it->count, it->len);
		break;
	}
}

/* Every item of the `len` octets at p, one per line, then "end <error>". */
static inline void rt_dump(struct rt_text *t, const uint8_t *p, uint32_t len, unsigned flags)
{
	struct dp_rtcp_iter it;
	struct dp_rtcp_item item;

	dp_rtcp_iter_init(&it, p, len, flags);
	while (dp_rtcp_next(&it, &item)) {
		rt_dump_item(t, &item);
		rt_printf(t, "\n");
	}
	rt_printf(t, "end %s\n", dp_rtcp_error_name(it.err));
}

/* rt_dump of an exact-size heap copy, into a fresh string to free(). */
static inline char *rt_dump_exact(const uint8_t *p, uint32_t len, unsigned flags)
{
	struct rt_text t = { 0 };
	uint8_t *q = rt_exact(p, len);
	rt_dump(&t, q, len, flags);
	free(q);
	return t.s;
}

/*
 * What must hold for any buffer, parsed or refused: every item lies in the
 * buffer, in order and without gaps; its body lies in the item; every
 * accessor walk stops at the counts the item states (and ASan sees any
 * read past the buffer); validate agrees with the iterator; a clean end
 * consumed the whole buffer.  Returns NULL, or what broke.
 */
static inline const char *rt_check_item(const uint8_t *p, uint32_t len,
					const struct dp_rtcp_item *it)
{
	if (it->len < 4 || it->len % 4 || it->off > len || it->len > len - it->off)
		return "item outside the buffer";
	if (it->body != p + it->off + 4 || it->body_len > it->len - 4)
		return "body outside its packet";
	switch (it->type) {
	case DP_RTCP_ITEM_SR:
	case DP_RTCP_ITEM_RR: {
		struct dp_rtcp_report_block rb;
		unsigned n = 0;
		while (dp_rtcp_report_block(&it->report, n, &rb))
			n++;
		if (n != it->count || it->report.n_blocks != it->count)
			return "report blocks differ from RC";
		uint32_t fixed = it->type == DP_RTCP_ITEM_SR ? 24 : 4;
		if (fixed + 24u * n + it->report.ext_len != it->body_len)
			return "report parts do not add up to the body";
		break;
	}
	case DP_RTCP_ITEM_SDES: {
		struct dp_rtcp_sdes_cursor cur = { 0 };
		struct dp_rtcp_sdes_chunk c;
		unsigned n = 0;
		while (dp_rtcp_sdes_next(&it->sdes, &cur, &c)) {
			if (c.has_cname && (c.cname < it->body ||
					    c.cname + c.cname_len > it->body + it->body_len))
				return "CNAME outside the packet";
			n++;
		}
		if (n != it->count)
			return "SDES chunks differ from SC";
		break;
	}
	case DP_RTCP_ITEM_BYE:
		if (4u * it->bye.n_ssrcs > it->body_len || it->bye.n_ssrcs != it->count)
			return "BYE SSRCs past the packet";
		if (it->bye.reason && it->bye.reason + it->bye.reason_len > it->body + it->body_len)
			return "BYE reason past the packet";
		break;
	case DP_RTCP_ITEM_NACK: {
		if (it->nack.n_pairs == 0 || 12 + 4 * it->nack.n_pairs != it->body_len + 4)
			return "NACK pairs differ from the length";
		uint32_t total = dp_rtcp_nack_expand(&it->nack, NULL, 0);
		if (total < it->nack.n_pairs || total > 17 * it->nack.n_pairs)
			return "NACK expands to an impossible count";
		break;
	}
	case DP_RTCP_ITEM_FIR: {
		struct dp_rtcp_fir_entry e;
		uint32_t n = 0;
		while (dp_rtcp_fir_entry(&it->fir, n, &e))
			n++;
		if (n == 0 || 12 + 8 * n != it->body_len + 4)
			return "FIR entries differ from the length";
		break;
	}
	case DP_RTCP_ITEM_REMB: {
		uint64_t bps;
		if (it->remb.n_ssrcs > DP_RTCP_REMB_MAX_SSRCS ||
		    20u + 4u * it->remb.n_ssrcs != it->body_len + 4)
			return "REMB SSRCs differ from the length";
		if (!dp_rtcp_remb_decode(it->remb.exp, it->remb.mantissa, &bps) ||
		    bps != it->remb.bitrate_bps || it->remb.mantissa > 0x3ffff)
			return "REMB bit rate inconsistent";
		break;
	}
	case DP_RTCP_ITEM_TWCC: {
		struct dp_rtcp_twcc_iter ti;
		struct dp_rtcp_twcc_packet pk;
		uint32_t n = 0, received = 0;
		uint16_t seq = it->twcc.base_seq;
		if (it->twcc.status_count == 0)
			return "TWCC without statuses";
		dp_rtcp_twcc_iter_init(&ti, &it->twcc);
		while (dp_rtcp_twcc_iter_next(&ti, &pk)) {
			if (pk.seq != seq++ || pk.status > 2 || pk.received != (pk.status != 0))
				return "TWCC packet out of sequence or with a bad status";
			received += pk.received;
			n++;
		}
		if (n != it->twcc.status_count || received != it->twcc.n_received)
			return "TWCC iterator disagrees with its counts";
		if (ti.delta > it->twcc.end || ti.chunk > it->twcc.deltas)
			return "TWCC iterator read past its FCI";
		if (it->twcc.end > it->body + it->body_len)
			return "TWCC FCI past the packet";
		break;
	}
	default:
		break;
	}
	return NULL;
}

static inline const char *rt_check_buffer(const uint8_t *p, uint32_t len, unsigned flags)
{
	struct dp_rtcp_iter it;
	struct dp_rtcp_item item;
	uint32_t next = 0;

	dp_rtcp_iter_init(&it, p, len, flags);
	while (dp_rtcp_next(&it, &item)) {
		if (item.off != next)
			return "items not back to back";
		const char *why = rt_check_item(p, len, &item);
		if (why)
			return why;
		next = item.off + item.len;
	}
	if (it.err == DP_RTCP_OK && next != len)
		return "clean end before the end of the buffer";
	if (it.err < 0 || it.err >= DP_RTCP_ERROR_COUNT)
		return "error outside the list";
	if (dp_rtcp_validate(p, len, flags) != it.err)
		return "validate disagrees with the iterator";
	return NULL;
}

/*
 * Transport-wide CC feedback from a list of statuses, written straight
 * from draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1.
 * status[i] is 0 (lost), 1 (small delta) or 2 (large delta) and
 * delta[i] its receive delta in 250 us ticks (0..255 for 1, int16 for 2).
 * `rand_state` picks, at each chunk, among the kinds that can hold the
 * statuses there (a run length chunk of up to 8191 equal statuses, a
 * one-bit vector of 14 statuses without large deltas, a two-bit vector of
 * 7) and how much of a run to take.  pad: 0 zero-pads the FCI to a word
 * without P (older libwebrtc), 1 sets P and pads as libwebrtc does now.
 * Returns the length written, or 0 if cap is too small.
 */
struct rt_twcc_spec {
	uint32_t sender_ssrc, media_ssrc;
	uint16_t base_seq;
	int32_t reference_time; /* 24-bit signed */
	uint8_t fb_count;
	uint32_t count; /* 1 .. 65535 */
	const uint8_t *status;
	const int32_t *delta;
	int pad;
};

static inline uint32_t rt_twcc_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static inline uint32_t rt_twcc_encode(uint8_t *buf, uint32_t cap, const struct rt_twcc_spec *sp,
				      uint64_t *rand_state)
{
	uint32_t n = 0, i = 0;
	size_t need = 20 + 2u * sp->count + 2u * sp->count + 8;

	if (cap < need)
		return 0;
	memset(buf, 0, need);
	/* Header, SSRCs, base, count, reference time, fb count. */
	buf[1] = 205;
	buf[4] = (uint8_t)(sp->sender_ssrc >> 24), buf[5] = (uint8_t)(sp->sender_ssrc >> 16);
	buf[6] = (uint8_t)(sp->sender_ssrc >> 8), buf[7] = (uint8_t)sp->sender_ssrc;
	buf[8] = (uint8_t)(sp->media_ssrc >> 24), buf[9] = (uint8_t)(sp->media_ssrc >> 16);
	buf[10] = (uint8_t)(sp->media_ssrc >> 8), buf[11] = (uint8_t)sp->media_ssrc;
	buf[12] = (uint8_t)(sp->base_seq >> 8), buf[13] = (uint8_t)sp->base_seq;
	buf[14] = (uint8_t)(sp->count >> 8), buf[15] = (uint8_t)sp->count;
	uint32_t ref = (uint32_t)sp->reference_time & 0xffffff;
	buf[16] = (uint8_t)(ref >> 16), buf[17] = (uint8_t)(ref >> 8), buf[18] = (uint8_t)ref;
	buf[19] = sp->fb_count;
	n = 20;

	while (i < sp->count) {
		uint32_t same = 1;
		while (i + same < sp->count && same < 8191 && sp->status[i + same] == sp->status[i])
			same++;
		bool one_bit_ok = true;
		for (uint32_t k = 0; k < 14 && i + k < sp->count; k++)
			if (sp->status[i + k] == 2)
				one_bit_ok = false;
		uint32_t choice = rt_twcc_rand(rand_state) % 3;
		if (choice == 1 && !one_bit_ok)
			choice = 2;
		if (choice == 0 && same < 2 && rt_twcc_rand(rand_state) % 2)
			choice = 2;
		uint16_t word;
		uint32_t took;
		if (choice == 0) {
			took = rt_twcc_rand(rand_state) % 2 ? same : 1 + rt_twcc_rand(rand_state) % same;
			word = (uint16_t)((uint32_t)sp->status[i] << 13 | took);
		} else if (choice == 1) {
			word = 0x8000;
			took = 0;
			for (uint32_t k = 0; k < 14; k++, took++) {
				if (i + k >= sp->count)
					break;
				word |= (uint16_t)((uint32_t)sp->status[i + k] << (13 - k));
			}
		} else {
			word = 0xc000;
			took = 0;
			for (uint32_t k = 0; k < 7; k++, took++) {
				if (i + k >= sp->count)
					break;
				word |= (uint16_t)((uint32_t)sp->status[i + k] << (12 - 2 * k));
			}
		}
		buf[n] = (uint8_t)(word >> 8), buf[n + 1] = (uint8_t)word;
		n += 2;
		i += took;
	}
	for (i = 0; i < sp->count; i++) {
		if (sp->status[i] == 1) {
			buf[n++] = (uint8_t)sp->delta[i];
		} else if (sp->status[i] == 2) {
			uint16_t d = (uint16_t)(int16_t)sp->delta[i];
			buf[n] = (uint8_t)(d >> 8), buf[n + 1] = (uint8_t)d;
			n += 2;
		}
	}
	/* Already a whole number of words: nothing to pad, no P. */
	uint32_t padded = (n + 3) & ~3u;
	if (sp->pad && padded > n) {
		buf[0] = 0x20;
		buf[padded - 1] = (uint8_t)(padded - n);
	}
	buf[0] |= 0x80 | 15;
	uint32_t words = padded / 4 - 1;
	buf[2] = (uint8_t)(words >> 8), buf[3] = (uint8_t)words;
	return padded;
}

#endif /* STRATA_TEST_DP_RTCP_H */
