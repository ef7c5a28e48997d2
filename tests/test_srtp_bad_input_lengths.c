/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Malformed input, lengths: every length from nothing to the shortest
 * protected packet, every prefix of the RTP sample (whose CSRC and
 * extension make BAD_HEADER lengths), tags cut by every byte count, protect
 * into too little room, and lengths above what a UDP datagram carries and
 * exactly at the limit.  Each is refused with its own status (TOO_SHORT,
 * BAD_HEADER, NO_TAG, AUTH_FAIL, NO_ROOM, TOO_LONG), reads and writes
 * nothing outside its exact-size buffer and changes no state
 * (bad_input_fixture.h says how that is checked).
 */
#include <stdlib.h>
#include <string.h>

#include "bad_input_fixture.h"

/* Each fixture checks at least 194 refusals here; the three binaries'
 * floors add up to more than the 1000 the single binary once asked for. */
#define MIN_REFUSED 150

/*
 * Every length from 0 to the shortest possible protected packet: prefixes
 * of a real one, the full length with its tag damaged.  Then every prefix
 * of the RTP sample, whose CSRC and extension make BAD_HEADER lengths.
 */
static void test_lengths(struct fixture *f)
{
	const uint32_t T = f->p->rtp_tag_len, TC = f->p->rtcp_tag_len;
	uint8_t plain[MAX_OUT], pkt[MAX_OUT];
	uint32_t plen, len;

	/* SRTP: 12-byte header, no payload, the tag. */
	plen = rtp_simple(plain, 2000, SSRC, 0);
	len = make(f, false, SSRC, 0, plain, plen, pkt, sizeof(pkt));
	CHECK(len == 12 + T, "%s: shortest SRTP is %u bytes", f->p->name, len);
	pkt[len - 1] ^= 0x01;
	for (uint32_t n = 0; n <= len; n++) {
		int want = n < 12 ? TOO_SHORT : n < 12 + T ? NO_TAG : AUTH;
		unprotect_refused(f, false, &f->st->rx, pkt, n, want, fx_label("srtp length %u", n));
	}

	/* SRTP sample prefixes: the CSRC needs 16 bytes, the extension
	 * header 20, the extension 52; then the tag. */
	for (uint32_t n = 0; n < f->rtp_sample_len; n++) {
		int want = n < 12 ? TOO_SHORT : n < RTP_HDR ? BAD_HEADER : n < RTP_HDR + T ? NO_TAG
												: AUTH;
		unprotect_refused(f, false, &f->st->rx, f->rtp_sample, n, want,
				  fx_label("srtp sample cut to %u bytes", n));
	}

	/* SRTCP: an empty receiver report (8 bytes), E||index, the tag. */
	plen = rtcp_simple(plain, SSRC, 0);
	len = make(f, true, SSRC, 1000, plain, plen, pkt, sizeof(pkt));
	CHECK(len == 8 + 4 + TC, "%s: shortest SRTCP is %u bytes", f->p->name, len);
	pkt[fx_last_tag_byte(f->p, true, len)] ^= 0x01;
	for (uint32_t n = 0; n <= len; n++) {
		int want = n < 8 ? TOO_SHORT : n < 8 + 4 + TC ? NO_TAG : AUTH;
		unprotect_refused(f, true, &f->st->rx, pkt, n, want, fx_label("srtcp length %u", n));
	}

	/* Protect refuses what is shorter than a fixed header. */
	plen = rtp_simple(plain, 2001, SSRC, 0);
	for (uint32_t n = 0; n < 12; n++)
		protect_refused(f, false, plain, n, 100, TOO_SHORT, fx_label("srtp protect length %u", n));
	plen = rtcp_simple(plain, SSRC, 0);
	for (uint32_t n = 0; n < 8; n++)
		protect_refused(f, true, plain, n, 100, TOO_SHORT, fx_label("srtcp protect length %u", n));
}

/*
 * What SRTCP cut short is refused with.  The engine cannot see that bytes
 * are missing: it takes the E||index word from where a whole packet has it
 * (just before the tag with HMAC-SHA1, the last four bytes with GCM), so
 * the E flag it reads is whatever byte now sits there.  On a receiver that
 * has seen nothing any index passes the window, so what is left is the tag.
 */
static int srtcp_cut_expect(const struct fixture *f, const uint8_t *pkt, uint32_t n)
{
	uint32_t tl = f->p->rtcp_tag_len;

	if (n < 8)
		return TOO_SHORT;
	if (n < 8 + 4 + tl)
		return NO_TAG;
	uint32_t at = fx_srtcp_word_at(f->p, n);
	return ((pkt[at] & 0x80) != 0) != f->rtcp_encrypt ? E_FLAG : AUTH;
}

/*
 * A tag cut by 1..tag_len bytes.  NO_TAG means only "too short to hold a
 * header and a tag": the engine cannot tell a cut tag from a shorter
 * payload, so while payload bytes remain to stand in for the missing ones
 * the last tag_len bytes are authenticated as the tag, and fail: AUTH_FAIL
 * when payload >= cut, NO_TAG only when the cut eats into the header.
 */
static void test_truncated_tags(struct fixture *f)
{
	static const uint32_t payloads[] = { 0, 3, 20 };
	const uint32_t T = f->p->rtp_tag_len, TC = f->p->rtcp_tag_len;
	uint8_t plain[MAX_OUT], pkt[MAX_OUT];

	for (size_t i = 0; i < ARRAY_LEN(payloads); i++) {
		uint32_t P = payloads[i];
		uint32_t plen = rtp_simple(plain, (uint16_t)(3000 + P), SSRC, P);
		uint32_t len = make(f, false, SSRC, 0, plain, plen, pkt, sizeof(pkt));

		for (uint32_t k = 1; k <= T; k++)
			unprotect_refused(f, false, &f->st->rx, pkt, len - k, P >= k ? AUTH : NO_TAG,
					  fx_label("srtp payload %u, tag cut by %u", P, k));

		plen = rtcp_simple(plain, SSRC, P ? P + 1 : 0); /* bodies of 0, 4 and 21 */
		len = make(f, true, SSRC, 5000, plain, plen, pkt, sizeof(pkt));
		for (uint32_t k = 1; k <= TC; k++)
			unprotect_refused(f, true, &f->st->fresh, pkt, len - k,
					  srtcp_cut_expect(f, pkt, len - k),
					  fx_label("srtcp body %u, tag cut by %u", plen - 8, k));
	}
	/* With no body at all the cut always reaches the trailer. */
	uint32_t plen = rtcp_simple(plain, SSRC, 0);
	uint32_t len = make(f, true, SSRC, 5001, plain, plen, pkt, sizeof(pkt));
	for (uint32_t k = 1; k <= TC; k++)
		CHECK(srtcp_cut_expect(f, pkt, len - k) == NO_TAG, "%s: empty SRTCP cut by %u",
		      f->p->name, k);
}

/* Protect into too little room: NO_ROOM, and not a byte written past cap. */
static void test_no_room(struct fixture *f)
{
	const uint32_t T = f->p->rtp_tag_len, TC = f->p->rtcp_tag_len;
	uint8_t plain[MAX_OUT];
	uint32_t len = rtp_simple(plain, 4000, SSRC, 20);

	protect_refused(f, false, plain, len, len + T - 1, NO_ROOM, "cap one byte short");
	protect_refused(f, false, plain, len, len, NO_ROOM, "cap = len");
	protect_refused(f, false, plain, len, 0, NO_ROOM, "cap 0");
	{
		/* In place, in a buffer that holds only the packet. */
		uint8_t *buf = fx_exact(plain, len);
		struct strata_srtp_op op = fx_op_protect(&f->st->txs, &f->st->tx, buf, buf, len, len);
		expect_refused(f, RTP_PROTECT, &op, NO_ROOM, "in place, cap = len");
		free(buf);
	}
	{
		/* Exactly cap bytes, for AddressSanitizer. */
		uint8_t *out = fx_xmalloc(len + T - 1);
		struct strata_srtp_op op =
			fx_op_protect(&f->st->txs, &f->st->tx, plain, out, len, len + T - 1);
		expect_refused(f, RTP_PROTECT, &op, NO_ROOM, "exact buffer one byte short");
		free(out);
	}

	len = rtcp_simple(plain, SSRC, 20);
	protect_refused(f, true, plain, len, len + 4 + TC - 1, NO_ROOM, "cap one byte short");
	protect_refused(f, true, plain, len, len + TC, NO_ROOM, "cap without the trailer");
	protect_refused(f, true, plain, len, len + 4, NO_ROOM, "cap without the tag");
	protect_refused(f, true, plain, len, len, NO_ROOM, "cap = len");
}

/* Lengths above what a UDP datagram carries, and exactly at the limit. */
static void test_too_long(struct fixture *f)
{
	const uint32_t T = f->p->rtp_tag_len, grow = 4 + f->p->rtcp_tag_len;
	uint8_t *big = fx_xmalloc(MAX_PKT + 1000);
	struct strata_srtp_rx rx;
	struct strata_srtp_tx tx;

	memset(big, 0x3c, MAX_PKT + 1000);
	rtp_simple(big, 7000, SSRC, 0);
	unprotect_refused(f, false, &f->st->rx, big, MAX_PKT + 1, TOO_LONG, "srtp MAX + 1");
	unprotect_refused(f, false, &f->st->rx, big, MAX_PKT + 1000, TOO_LONG, "srtp MAX + 1000");
	unprotect_refused(f, false, &f->st->rx, big, MAX_PKT, AUTH, "srtp MAX (garbage tag)");
	protect_refused(f, false, big, MAX_PKT - T + 1, MAX_PKT + 16, TOO_LONG,
			"srtp MAX - tag + 1");
	protect_refused(f, false, big, MAX_PKT, MAX_PKT + 16, TOO_LONG, "srtp MAX");

	rtcp_simple(big, SSRC, 0);
	unprotect_refused(f, true, &f->st->rx, big, MAX_PKT + 1, TOO_LONG, "srtcp MAX + 1");
	protect_refused(f, true, big, MAX_PKT - grow + 1, MAX_PKT + 32, TOO_LONG,
			"srtcp MAX - trailer - tag + 1");

	/* The largest packets go through, both ways (own streams: these are
	 * not refusals). */
	uint8_t *out = fx_xmalloc(MAX_PKT);
	for (int rtcp = 0; rtcp <= 1; rtcp++) {
		uint32_t len = MAX_PKT - (rtcp ? grow : T);
		struct strata_srtp_op op = fx_op_protect(&f->st->txs, &tx, big, out, len, MAX_PKT);

		if (rtcp)
			rtcp_simple(big, SSRC, 0);
		else
			rtp_simple(big, 7001, SSRC, 0);
		strata_srtp_tx_init(&tx, SSRC);
		strata_srtp_rx_init(&rx, &f->st->rxs, SSRC);
		unsigned ok = fx_burst(f->e, fx_dir(rtcp, true), &op, 1);
		CHECK(ok == 1 && op.len == MAX_PKT, "%s: protect %u bytes of %s: %s, len %u",
		      f->p->name, len, rtcp ? "RTCP" : "RTP", st_name(op.status), op.len);
		op = fx_op_unprotect(&f->st->rxs, &rx, out, MAX_PKT);
		ok = fx_burst(f->e, fx_dir(rtcp, false), &op, 1);
		CHECK(ok == 1 && op.len == len, "%s: unprotect a %u-byte %s packet: %s", f->p->name,
		      MAX_PKT, rtcp ? "SRTCP" : "SRTP", st_name(op.status));
	}
	free(out);
	free(big);
}

static void run(struct fixture *f)
{
	test_lengths(f);
	test_truncated_tags(f);
	test_no_room(f);
	test_too_long(f);
}

int main(void)
{
	return bad_input_main("srtp_bad_input_lengths", run, MIN_REFUSED);
}
