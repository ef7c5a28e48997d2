/* SPDX-License-Identifier: BSD-3-Clause */
/* What the malformed-input tests share: see bad_input_fixture.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bad_input_fixture.h"

/* CC 1 -> 0: the CSRC is read as the extension header, length 0xffff. */
#define CSRC 0xc5c5ffffu
static const uint32_t ext_words[EXT_WORDS] = {
	0xe0e0e0e0,
	0x11110000, /* CC 1 -> 3: read as the extension header, length 0 */
	0xe2e2e2e2,
	0x3333ffff, /* CC 1 -> 5: length 0xffff */
	0xe4e4e4e4, 0xe5e5e5e5, 0xe6e6e6e6,
	0x77770006, /* CC 1 -> 9: length 6, header 76 bytes: room for no tag */
};

/* ---------------------------------------------------------- refusals */

void expect_refused(struct fixture *f, enum strata_srtp_direction dir, struct strata_srtp_op *op,
		    int want, const char *what)
{
	struct strata_srtp_counters c = *strata_srtp_engine_counters(f->e);
	bool is_protect = dir == RTP_PROTECT || dir == RTCP_PROTECT;
	const char *name = fx_dir_names[dir];
	uint8_t *src0 = NULL;

	if (is_protect && op->src != NULL && op->src != op->buf)
		src0 = fx_exact(op->src, op->len);
	memcpy(f->snap, f->st, sizeof(*f->st));

	unsigned ok = fx_burst(f->e, dir, op, 1);

	CHECK(ok == 0 && op->status == want, "%s %s, %s: %s (returned %u), want %s", f->p->name,
	      name, what, op->status >= 0 ? st_name(op->status) : "unset", ok, st_name(want));
	CHECK(memcmp(f->snap, f->st, sizeof(*f->st)) == 0,
	      "%s %s, %s: refused with %s, yet the stream or session state changed", f->p->name,
	      name, what, st_name(op->status));
	c.status[dir][want]++;
	CHECK(memcmp(&c, strata_srtp_engine_counters(f->e), sizeof(c)) == 0,
	      "%s %s, %s: the counters did not move by exactly (%s, %s) + 1", f->p->name, name,
	      what, name, st_name(want));
	if (src0 != NULL) {
		CHECK(memcmp(src0, op->src, op->len) == 0, "%s %s, %s: the source was written",
		      f->p->name, name, what);
		free(src0);
	}
	f->refused++;
}

void unprotect_refused(struct fixture *f, bool rtcp, struct strata_srtp_rx *rx,
		       const uint8_t *pkt, uint32_t len, int want, const char *what)
{
	uint8_t *buf = fx_exact(pkt, len);
	struct strata_srtp_op op = fx_op_unprotect(&f->st->rxs, rx, buf, len);

	expect_refused(f, fx_dir(rtcp, false), &op, want, what);
	free(buf);
}

void protect_refused(struct fixture *f, bool rtcp, const uint8_t *src, uint32_t len,
		     uint32_t cap, int want, const char *what)
{
	uint8_t *in = fx_exact(src, len);
	uint8_t *out = fx_xmalloc((size_t)cap + GUARD);
	struct strata_srtp_op op = fx_op_protect(&f->st->txs, &f->st->tx, in, out, len, cap);

	memset(out, 0xee, (size_t)cap + GUARD);
	expect_refused(f, fx_dir(rtcp, true), &op, want, what);
	for (uint32_t i = 0; i < GUARD; i++)
		if (out[cap + i] != 0xee) {
			CHECK(0, "%s %s: wrote %u bytes past cap", f->p->name, what, i + 1);
			break;
		}
	free(in);
	free(out);
}

/* ---------------------------------------------------------- packets */

void rtp_fixed(uint8_t *p, uint8_t b0, uint16_t seq, uint32_t ssrc)
{
	fx_rtp_header(p, b0, 96, seq, 0x01020304u + seq, ssrc);
}

uint32_t rtp_simple(uint8_t *p, uint16_t seq, uint32_t ssrc, uint32_t payload)
{
	return fx_rtp(p, seq, 0x01020304u + seq, ssrc, payload, 0x40);
}

uint32_t rtcp_simple(uint8_t *p, uint32_t ssrc, uint32_t body)
{
	return fx_rtcp(p, ssrc, body, 0x90);
}

/* The RTP sample of sequence number seq. */
static uint32_t rtp_sample_plain(uint8_t *p, uint16_t seq)
{
	rtp_fixed(p, 0x80 | 0x10 | 1, seq, SSRC); /* V=2, X, CC=1 */
	strata_put_be32(p + 12, CSRC);
	p[16] = 0xbe;
	p[17] = 0xde;
	p[18] = 0;
	p[19] = EXT_WORDS;
	for (unsigned i = 0; i < EXT_WORDS; i++)
		strata_put_be32(p + 20 + 4 * i, ext_words[i]);
	fx_fill(p + RTP_HDR, RTP_PAYLOAD, (uint8_t)(seq * 13));
	return RTP_PLAIN;
}

/* The SRTCP sample's plaintext of index i: its body says which. */
static uint32_t rtcp_sample_plain(uint8_t *p, uint32_t i)
{
	uint32_t len = rtcp_simple(p, SSRC, RTCP_PLAIN - 8);

	p[8] = (uint8_t)i;
	return len;
}

uint32_t make(struct fixture *f, bool rtcp, uint32_t ssrc, uint32_t index, const uint8_t *plain,
	      uint32_t len, uint8_t *out, uint32_t cap)
{
	struct strata_srtp_tx tx;
	struct strata_srtp_op op = fx_op_protect(&f->st->txs, &tx, plain, out, len, cap);

	strata_srtp_tx_init(&tx, ssrc);
	tx.rtcp_index = index;
	unsigned ok = fx_burst(f->e, fx_dir(rtcp, true), &op, 1);
	CHECK(ok == 1, "%s: could not make a %u-byte %s packet: %s", f->p->name, len,
	      rtcp ? "SRTCP" : "SRTP", st_name(op.status));
	return op.len;
}

/* ---------------------------------------------------------- fixture */

/*
 * The history: `from`..`to` sent on the fixture's sender, all but `sample`
 * received on its receiver; the sample and its plaintext kept aside.
 */
static void history(struct fixture *f, bool rtcp, uint32_t from, uint32_t to, uint32_t sample,
		    uint8_t *kept, uint8_t *kept_plain, uint32_t *kept_len)
{
	const char *kind = rtcp ? "srtcp " : "";
	uint8_t plain[MAX_OUT], pkt[MAX_OUT];

	for (uint32_t i = from; i <= to; i++) {
		uint32_t len = rtcp ? rtcp_sample_plain(plain, i) : rtp_sample_plain(plain, (uint16_t)i);
		struct strata_srtp_op op =
			fx_op_protect(&f->st->txs, &f->st->tx, plain, pkt, len, sizeof(pkt));

		CHECK(fx_burst(f->e, fx_dir(rtcp, true), &op, 1) == 1, "%s: history %sprotect %u: %s",
		      f->p->name, kind, i, st_name(op.status));
		if (i == sample) {
			memcpy(kept, pkt, op.len);
			memcpy(kept_plain, plain, len);
			*kept_len = op.len;
			continue;
		}
		op = fx_op_unprotect(&f->st->rxs, &f->st->rx, pkt, op.len);
		CHECK(fx_burst(f->e, fx_dir(rtcp, false), &op, 1) == 1,
		      "%s: history %sunprotect %u: %s", f->p->name, kind, i, st_name(op.status));
	}
}

static bool fixture_init(struct fixture *f, struct strata_srtp_engine *e,
			 enum strata_srtp_profile_id id, bool rtcp_encrypt)
{
	struct strata_srtp_policy pol = fx_policy(id);

	pol.rtcp_unencrypted = !rtcp_encrypt;
	memset(f, 0, sizeof(*f));
	f->e = e;
	f->p = strata_srtp_profile_get(id);
	f->rtcp_encrypt = rtcp_encrypt;
	f->st = fx_zalloc64(sizeof(*f->st));
	f->snap = fx_zalloc64(sizeof(*f->snap));
	if (strata_srtp_session_init(&f->st->txs, e, &pol) != OK ||
	    strata_srtp_session_init(&f->st->rxs, e, &pol) != OK) {
		CHECK(0, "session_init(%s) failed", f->p->name);
		return false;
	}
	strata_srtp_tx_init(&f->st->tx, SSRC);
	strata_srtp_rx_init(&f->st->rx, &f->st->rxs, SSRC);
	strata_srtp_rx_init(&f->st->fresh, &f->st->rxs, SSRC);

	history(f, false, 1000, 1100, RTP_SAMPLE_SEQ, f->rtp_sample, f->rtp_sample_plain,
		&f->rtp_sample_len);
	f->st->tx.rtcp_index = 200;
	history(f, true, 200, 310, RTCP_SAMPLE_INDEX, f->rtcp_sample, f->rtcp_sample_plain,
		&f->rtcp_sample_len);
	CHECK(f->rtp_sample_len == RTP_PLAIN + (uint32_t)f->p->rtp_tag_len &&
	      f->rtcp_sample_len == RTCP_PLAIN + 4 + (uint32_t)f->p->rtcp_tag_len,
	      "%s: sample lengths %u and %u", f->p->name, f->rtp_sample_len, f->rtcp_sample_len);
	CHECK(f->st->rx.rtp.top == 1100 && f->st->rx.rtcp.top == 310, "%s: history did not load",
	      f->p->name);
	return true;
}

static void fixture_free(struct fixture *f)
{
	strata_srtp_session_wipe(&f->st->txs);
	strata_srtp_session_wipe(&f->st->rxs);
	free(f->st);
	free(f->snap);
}

/* After all that, the samples kept aside from the start still go in. */
static void check_still_works(struct fixture *f)
{
	for (int rtcp = 0; rtcp <= 1; rtcp++) {
		uint32_t len = rtcp ? f->rtcp_sample_len : f->rtp_sample_len;
		const uint8_t *want = rtcp ? f->rtcp_sample_plain : f->rtp_sample_plain;
		uint32_t want_len = rtcp ? RTCP_PLAIN : RTP_PLAIN;
		uint8_t *buf = fx_exact(rtcp ? f->rtcp_sample : f->rtp_sample, len);
		struct strata_srtp_op op = fx_op_unprotect(&f->st->rxs, &f->st->rx, buf, len);
		unsigned ok = fx_burst(f->e, fx_dir(rtcp, false), &op, 1);

		CHECK(ok == 1 && op.len == want_len, "%s: the %s sample no longer unprotects: %s",
		      f->p->name, rtcp ? "SRTCP" : "SRTP", st_name(op.status));
		if (ok == 1)
			CHECK_MEM(buf, want, want_len, rtcp ? "SRTCP sample" : "SRTP sample");
		free(buf);
	}
	CHECK(f->st->rx.rtp.top == 1100 && f->st->rx.rtcp.top == 310,
	      "%s: tops %llu and %llu after the samples", f->p->name,
	      (unsigned long long)f->st->rx.rtp.top, (unsigned long long)f->st->rx.rtcp.top);
}

int bad_input_main(const char *name, void (*run)(struct fixture *f), unsigned min_refused)
{
	struct strata_srtp_engine *e = fx_engine();

	for (unsigned k = 0; k < FX_PROFILES; k++) {
		for (int enc = 1; enc >= 0; enc--) {
			struct fixture f;

			if (!fixture_init(&f, e, fx_profile(k)->id, enc))
				continue;
			run(&f);
			check_still_works(&f);
			CHECK(f.refused > min_refused, "%s: only %u refusals checked", f.p->name,
			      f.refused);
			fixture_free(&f);
		}
	}
	strata_srtp_engine_destroy(e);
	return test_summary(name);
}
