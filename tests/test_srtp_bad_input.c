/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Malformed input: every refusal has its own status, reads and writes
 * nothing outside the packet's buffer and changes no state.
 *
 * Each packet sits in a heap buffer of exactly its length (cap = len for
 * unprotect), so the AddressSanitizer build of the suite reports any access
 * past it; protect's output buffers also carry guard bytes past cap, so the
 * release build sees a write past cap too.  After every refused operation:
 *   - the sessions and streams are byte for byte what they were (memcmp of
 *     snapshots; a refused packet must not move a window, use up an index or
 *     count towards the key's lifetime);
 *   - the engine counter of (direction, status) went up by one, and no other
 *     counter moved;
 *   - a protect's source is untouched.
 * At the end the one packet kept aside from the start still unprotects:
 * nothing the garbage did damaged the streams.
 *
 * Runs for every profile, with SRTCP encrypted and unencrypted.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp_header.h"
#include "srtp.h"
#include "test_util.h"

enum {
	OK = STRATA_SRTP_OK,
	BAD_PARAM = STRATA_SRTP_BAD_PARAM,
	TOO_SHORT = STRATA_SRTP_TOO_SHORT,
	TOO_LONG = STRATA_SRTP_TOO_LONG,
	BAD_VERSION = STRATA_SRTP_BAD_VERSION,
	BAD_HEADER = STRATA_SRTP_BAD_HEADER,
	NO_TAG = STRATA_SRTP_NO_TAG,
	NO_ROOM = STRATA_SRTP_NO_ROOM,
	SSRC_MISMATCH = STRATA_SRTP_SSRC_MISMATCH,
	AUTH = STRATA_SRTP_AUTH_FAIL,
	DUP = STRATA_SRTP_REPLAY_DUP,
	OLD = STRATA_SRTP_REPLAY_OLD,
	E_FLAG = STRATA_SRTP_E_FLAG,
};

#define RTP_PROTECT STRATA_SRTP_RTP_PROTECT
#define RTP_UNPROTECT STRATA_SRTP_RTP_UNPROTECT
#define RTCP_PROTECT STRATA_SRTP_RTCP_PROTECT
#define RTCP_UNPROTECT STRATA_SRTP_RTCP_UNPROTECT

#define SSRC 0x0badf00du
#define OTHER_SSRC 0x0badf00eu
#define MAX_PKT STRATA_SRTP_MAX_PACKET
#define GUARD 64
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The RTP sample: V=2, X=1, CC=1, one CSRC, a header extension of
 * EXT_WORDS words, RTP_PAYLOAD bytes of payload.  Its CSRC and extension
 * words are chosen so that a bit flip in the CC field lands the parser on
 * a known "extension header" (profile and length), not on ciphertext:
 *
 *   offset  0 V P X CC M PT seq     12 CSRC         16 0xbede, length 8
 *          20 ext words 0..7        52 payload      72 tag
 */
#define EXT_WORDS 8
#define RTP_HDR (STRATA_RTP_FIXED_HEADER_LEN + 4 + 4 + 4 * EXT_WORDS) /* 52 */
#define RTP_PAYLOAD 20
#define RTP_PLAIN (RTP_HDR + RTP_PAYLOAD) /* 72 */
#define RTP_SAMPLE_SEQ 1050               /* 0x041a */
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

/* The SRTCP sample: a sender report without report blocks, index 300. */
#define RTCP_PLAIN 28
#define RTCP_SAMPLE_INDEX 300 /* 0x12c */

#define MAX_OUT (RTP_PLAIN + STRATA_SRTP_MAX_TRAILER)

static const enum strata_srtp_profile_id profile_ids[] = {
	STRATA_SRTP_AES_CM_128_HMAC_SHA1_80, STRATA_SRTP_AES_CM_128_HMAC_SHA1_32,
	STRATA_SRTP_AES_256_CM_HMAC_SHA1_80, STRATA_SRTP_AEAD_AES_128_GCM,
	STRATA_SRTP_AEAD_AES_256_GCM,
};

static const uint8_t master_key[32] = {
	0x24, 0x8a, 0x5b, 0x91, 0x0c, 0xd3, 0x7e, 0x46, 0xa1, 0x2f, 0x93, 0x58, 0xc4, 0x6d, 0x0b, 0xee,
	0x70, 0x19, 0xb5, 0x3a, 0xd8, 0x61, 0x0f, 0x9c, 0x47, 0xe2, 0x85, 0x1d, 0x6a, 0xf3, 0x3c, 0x92,
};
static const uint8_t master_salt[14] = {
	0x51, 0x7c, 0x0a, 0xe9, 0x34, 0xb6, 0x28, 0xd1, 0x9f, 0x63, 0x05, 0xca, 0x8e, 0x17,
};

/* Everything a refused operation must leave as it was. */
struct state {
	struct strata_srtp_session txs; /* the sender's keys */
	struct strata_srtp_session rxs; /* the receiver's keys (same master key) */
	struct strata_srtp_tx tx;       /* has sent 1000..1100 and SRTCP 200..310 */
	struct strata_srtp_rx rx;       /* has received all of those but 1050 and 300 */
	struct strata_srtp_rx fresh;    /* has received nothing */
};

struct fixture {
	struct strata_srtp_engine *e;
	const struct strata_srtp_profile *p;
	bool rtcp_encrypt;
	struct state *st, *snap;
	uint8_t rtp_sample[MAX_OUT], rtp_sample_plain[MAX_OUT];
	uint32_t rtp_sample_len;
	uint8_t rtcp_sample[MAX_OUT], rtcp_sample_plain[MAX_OUT];
	uint32_t rtcp_sample_len;
	unsigned refused; /* operations checked by expect_refused */
};

/* A label for failure messages. */
static const char *L(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *L(const char *fmt, ...)
{
	static char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

static const char *sn(int st)
{
	return strata_srtp_status_name(st);
}

static void *xmalloc(size_t n)
{
	/* malloc(0) may return NULL, which the engine would rightly call
	 * BAD_PARAM; glibc and ASan both return a pointer to 0 usable bytes. */
	void *p = malloc(n);

	if (p == NULL && n == 0)
		p = malloc(1);
	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

/* A heap copy of exactly len bytes. */
static uint8_t *exact(const uint8_t *p, uint32_t len)
{
	uint8_t *b = xmalloc(len);

	if (len)
		memcpy(b, p, len);
	return b;
}

static unsigned run(struct strata_srtp_engine *e, enum strata_srtp_direction dir,
		    struct strata_srtp_op *op)
{
	switch (dir) {
	case RTP_PROTECT: return strata_srtp_protect(e, op, 1);
	case RTP_UNPROTECT: return strata_srtp_unprotect(e, op, 1);
	case RTCP_PROTECT: return strata_srtcp_protect(e, op, 1);
	default: return strata_srtcp_unprotect(e, op, 1);
	}
}

static const char *const dir_names[] = { "rtp protect", "rtp unprotect", "rtcp protect",
					  "rtcp unprotect" };

/*
 * Runs one operation that must be refused with `want`, and checks that it
 * changed nothing: sessions and streams byte for byte, the source of a
 * protect, and every counter but (dir, want), which must go up by one.
 */
static void expect_refused(struct fixture *f, enum strata_srtp_direction dir,
			   struct strata_srtp_op *op, int want, const char *what)
{
	struct strata_srtp_counters c = *strata_srtp_engine_counters(f->e);
	bool is_protect = dir == RTP_PROTECT || dir == RTCP_PROTECT;
	uint8_t *src0 = NULL;

	if (is_protect && op->src != NULL && op->src != op->buf)
		src0 = exact(op->src, op->len);
	memcpy(f->snap, f->st, sizeof(*f->st));
	op->status = -1;

	unsigned ok = run(f->e, dir, op);

	CHECK(ok == 0 && op->status == want, "%s %s, %s: %s (returned %u), want %s", f->p->name,
	      dir_names[dir], what, op->status >= 0 ? sn(op->status) : "unset", ok, sn(want));
	CHECK(memcmp(f->snap, f->st, sizeof(*f->st)) == 0,
	      "%s %s, %s: refused with %s, yet the stream or session state changed", f->p->name,
	      dir_names[dir], what, sn(op->status));
	c.status[dir][want]++;
	CHECK(memcmp(&c, strata_srtp_engine_counters(f->e), sizeof(c)) == 0,
	      "%s %s, %s: the counters did not move by exactly (%s, %s) + 1", f->p->name,
	      dir_names[dir], what, dir_names[dir], sn(want));
	if (src0 != NULL) {
		CHECK(memcmp(src0, op->src, op->len) == 0, "%s %s, %s: the source was written",
		      f->p->name, dir_names[dir], what);
		free(src0);
	}
	f->refused++;
}

/* Unprotects a copy of pkt[0, len) in a buffer of exactly len bytes. */
static void unprotect_refused(struct fixture *f, bool rtcp, struct strata_srtp_rx *rx,
			      const uint8_t *pkt, uint32_t len, int want, const char *what)
{
	uint8_t *buf = exact(pkt, len);
	struct strata_srtp_op op = {
		.session = &f->st->rxs, .rx = rx, .buf = buf, .len = len, .cap = len,
	};

	expect_refused(f, rtcp ? RTCP_UNPROTECT : RTP_UNPROTECT, &op, want, what);
	free(buf);
}

/* Protects src[0, len) (copied to an exact buffer) into a buffer of cap
 * bytes followed by GUARD guard bytes, which must stay as they were. */
static void protect_refused(struct fixture *f, bool rtcp, const uint8_t *src, uint32_t len,
			    uint32_t cap, int want, const char *what)
{
	uint8_t *in = exact(src, len);
	uint8_t *out = xmalloc((size_t)cap + GUARD);
	struct strata_srtp_op op = {
		.session = &f->st->txs, .tx = &f->st->tx, .src = in, .buf = out, .len = len,
		.cap = cap,
	};

	memset(out, 0xee, (size_t)cap + GUARD);
	expect_refused(f, rtcp ? RTCP_PROTECT : RTP_PROTECT, &op, want, what);
	for (uint32_t i = 0; i < GUARD; i++)
		if (out[cap + i] != 0xee) {
			CHECK(0, "%s %s: wrote %u bytes past cap", f->p->name, what, i + 1);
			break;
		}
	free(in);
	free(out);
}

/* ---------------------------------------------------------- packets */

static void rtp_fixed(uint8_t *p, uint8_t b0, uint16_t seq, uint32_t ssrc)
{
	p[0] = b0;
	p[1] = 96;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	strata_put_be32(p + 4, 0x01020304u + seq);
	strata_put_be32(p + 8, ssrc);
}

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
	for (unsigned i = 0; i < RTP_PAYLOAD; i++)
		p[RTP_HDR + i] = (uint8_t)(seq * 13 + i);
	return RTP_PLAIN;
}

/* A plain RTP packet: 12-byte header and `payload` bytes. */
static uint32_t rtp_simple(uint8_t *p, uint16_t seq, uint32_t ssrc, uint32_t payload)
{
	rtp_fixed(p, 0x80, seq, ssrc);
	for (uint32_t i = 0; i < payload; i++)
		p[12 + i] = (uint8_t)(0x40 + i);
	return 12 + payload;
}

/* An RTCP packet of 8 + body bytes: SR when it has a body, else an empty RR. */
static uint32_t rtcp_simple(uint8_t *p, uint32_t ssrc, uint32_t body)
{
	p[0] = 0x80;
	p[1] = body ? 200 : 201;
	p[2] = 0;
	p[3] = (uint8_t)((8 + body) / 4 - 1);
	strata_put_be32(p + 4, ssrc);
	for (uint32_t i = 0; i < body; i++)
		p[8 + i] = (uint8_t)(0x90 + i);
	return 8 + body;
}

/*
 * Protects a packet with a throwaway sender (its own stream state, the
 * fixture's sender keys) so the fixture's sender is not involved.  SRTP
 * takes ROC 0; SRTCP takes `index`.
 */
static uint32_t make(struct fixture *f, bool rtcp, uint32_t ssrc, uint32_t index,
		     const uint8_t *plain, uint32_t len, uint8_t *out, uint32_t cap)
{
	struct strata_srtp_tx tx;
	struct strata_srtp_op op = {
		.session = &f->st->txs, .tx = &tx, .src = plain, .buf = out, .len = len, .cap = cap,
	};

	strata_srtp_tx_init(&tx, ssrc);
	tx.rtcp_index = index;
	unsigned ok = rtcp ? strata_srtcp_protect(f->e, &op, 1) : strata_srtp_protect(f->e, &op, 1);
	CHECK(ok == 1, "%s: could not make a %u-byte %s packet: %s", f->p->name, len,
	      rtcp ? "SRTCP" : "SRTP", sn(op.status));
	return op.len;
}

/* Where the last tag byte is: SRTCP with GCM ends in E||index instead. */
static uint32_t last_tag_byte(const struct fixture *f, bool rtcp, uint32_t len)
{
	return rtcp && f->p->aead ? len - STRATA_SRTCP_TRAILER_LEN - 1 : len - 1;
}

/* ---------------------------------------------------------- fixture */

static bool fixture_init(struct fixture *f, struct strata_srtp_engine *e,
			 enum strata_srtp_profile_id id, bool rtcp_encrypt)
{
	const struct strata_srtp_policy pol = {
		.profile = id, .master_key = master_key, .master_salt = master_salt,
		.rtcp_unencrypted = !rtcp_encrypt,
	};
	struct strata_srtp_op op;
	uint8_t plain[MAX_OUT], pkt[MAX_OUT];

	memset(f, 0, sizeof(*f));
	f->e = e;
	f->p = strata_srtp_profile_get(id);
	f->rtcp_encrypt = rtcp_encrypt;
	f->st = aligned_alloc(64, sizeof(*f->st));
	f->snap = aligned_alloc(64, sizeof(*f->snap));
	if (f->st == NULL || f->snap == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memset(f->st, 0, sizeof(*f->st));
	if (strata_srtp_session_init(&f->st->txs, e, &pol) != OK ||
	    strata_srtp_session_init(&f->st->rxs, e, &pol) != OK) {
		CHECK(0, "session_init(%s) failed", f->p->name);
		return false;
	}
	strata_srtp_tx_init(&f->st->tx, SSRC);
	strata_srtp_rx_init(&f->st->rx, &f->st->rxs, SSRC);
	strata_srtp_rx_init(&f->st->fresh, &f->st->rxs, SSRC);

	/* History: 1000..1100 sent, all but the sample received. */
	for (uint16_t seq = 1000; seq <= 1100; seq++) {
		uint32_t len = rtp_sample_plain(plain, seq);

		op = (struct strata_srtp_op){ .session = &f->st->txs, .tx = &f->st->tx, .src = plain,
					      .buf = pkt, .len = len, .cap = sizeof(pkt) };
		CHECK(strata_srtp_protect(e, &op, 1) == 1, "%s: history protect %u: %s", f->p->name,
		      seq, sn(op.status));
		if (seq == RTP_SAMPLE_SEQ) {
			memcpy(f->rtp_sample, pkt, op.len);
			memcpy(f->rtp_sample_plain, plain, len);
			f->rtp_sample_len = op.len;
			continue;
		}
		op = (struct strata_srtp_op){ .session = &f->st->rxs, .rx = &f->st->rx, .buf = pkt,
					      .len = op.len, .cap = op.len };
		CHECK(strata_srtp_unprotect(e, &op, 1) == 1, "%s: history unprotect %u: %s",
		      f->p->name, seq, sn(op.status));
	}
	/* SRTCP history: 200..310 sent, all but the sample received. */
	f->st->tx.rtcp_index = 200;
	for (uint32_t i = 200; i <= 310; i++) {
		uint32_t len = rtcp_simple(plain, SSRC, RTCP_PLAIN - 8);

		plain[8] = (uint8_t)i;
		op = (struct strata_srtp_op){ .session = &f->st->txs, .tx = &f->st->tx, .src = plain,
					      .buf = pkt, .len = len, .cap = sizeof(pkt) };
		CHECK(strata_srtcp_protect(e, &op, 1) == 1, "%s: history srtcp protect %u: %s",
		      f->p->name, i, sn(op.status));
		if (i == RTCP_SAMPLE_INDEX) {
			memcpy(f->rtcp_sample, pkt, op.len);
			memcpy(f->rtcp_sample_plain, plain, len);
			f->rtcp_sample_len = op.len;
			continue;
		}
		op = (struct strata_srtp_op){ .session = &f->st->rxs, .rx = &f->st->rx, .buf = pkt,
					      .len = op.len, .cap = op.len };
		CHECK(strata_srtcp_unprotect(e, &op, 1) == 1, "%s: history srtcp unprotect %u: %s",
		      f->p->name, i, sn(op.status));
	}
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

/* ---------------------------------------------------------- tests */

/* NULL pointers and a session without a profile, in all four directions. */
static void test_bad_param(struct fixture *f)
{
	uint8_t plain[MAX_OUT], out[MAX_OUT];
	struct strata_srtp_session *blank = aligned_alloc(64, sizeof(*blank));

	memset(blank, 0, sizeof(*blank)); /* never initialised: no profile */
	for (int rtcp = 0; rtcp <= 1; rtcp++) {
		uint32_t len = rtcp ? rtcp_simple(plain, SSRC, 20) : rtp_simple(plain, 7, SSRC, 20);
		enum strata_srtp_direction pd = rtcp ? RTCP_PROTECT : RTP_PROTECT;
		enum strata_srtp_direction ud = rtcp ? RTCP_UNPROTECT : RTP_UNPROTECT;
		const struct strata_srtp_op p0 = { .session = &f->st->txs, .tx = &f->st->tx,
						   .src = plain, .buf = out, .len = len,
						   .cap = sizeof(out) };
		const struct strata_srtp_op u0 = { .session = &f->st->rxs, .rx = &f->st->rx,
						   .buf = out, .len = len, .cap = len };
		struct strata_srtp_op op;

		op = p0, op.session = NULL;
		expect_refused(f, pd, &op, BAD_PARAM, "NULL session");
		op = p0, op.session = blank;
		expect_refused(f, pd, &op, BAD_PARAM, "session without a profile");
		op = p0, op.tx = NULL;
		expect_refused(f, pd, &op, BAD_PARAM, "NULL tx");
		op = p0, op.src = NULL;
		expect_refused(f, pd, &op, BAD_PARAM, "NULL src");
		op = p0, op.buf = NULL;
		expect_refused(f, pd, &op, BAD_PARAM, "NULL buf");

		memcpy(out, plain, len);
		op = u0, op.session = NULL;
		expect_refused(f, ud, &op, BAD_PARAM, "NULL session");
		op = u0, op.session = blank;
		expect_refused(f, ud, &op, BAD_PARAM, "session without a profile");
		op = u0, op.rx = NULL;
		expect_refused(f, ud, &op, BAD_PARAM, "NULL rx");
		op = u0, op.buf = NULL;
		expect_refused(f, ud, &op, BAD_PARAM, "NULL buf");
		op = u0, op.buf = NULL, op.len = 0;
		expect_refused(f, ud, &op, BAD_PARAM, "NULL buf, len 0");
	}
	free(blank);
}

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
		unprotect_refused(f, false, &f->st->rx, pkt, n, want, L("srtp length %u", n));
	}

	/* SRTP sample prefixes: the CSRC needs 16 bytes, the extension
	 * header 20, the extension 52; then the tag. */
	for (uint32_t n = 0; n < f->rtp_sample_len; n++) {
		int want = n < 12 ? TOO_SHORT : n < RTP_HDR ? BAD_HEADER : n < RTP_HDR + T ? NO_TAG
												: AUTH;
		unprotect_refused(f, false, &f->st->rx, f->rtp_sample, n, want,
				  L("srtp sample cut to %u bytes", n));
	}

	/* SRTCP: an empty receiver report (8 bytes), E||index, the tag. */
	plen = rtcp_simple(plain, SSRC, 0);
	len = make(f, true, SSRC, 1000, plain, plen, pkt, sizeof(pkt));
	CHECK(len == 8 + 4 + TC, "%s: shortest SRTCP is %u bytes", f->p->name, len);
	pkt[last_tag_byte(f, true, len)] ^= 0x01;
	for (uint32_t n = 0; n <= len; n++) {
		int want = n < 8 ? TOO_SHORT : n < 8 + 4 + TC ? NO_TAG : AUTH;
		unprotect_refused(f, true, &f->st->rx, pkt, n, want, L("srtcp length %u", n));
	}

	/* Protect refuses what is shorter than a fixed header. */
	plen = rtp_simple(plain, 2001, SSRC, 0);
	for (uint32_t n = 0; n < 12; n++)
		protect_refused(f, false, plain, n, 100, TOO_SHORT, L("srtp protect length %u", n));
	plen = rtcp_simple(plain, SSRC, 0);
	for (uint32_t n = 0; n < 8; n++)
		protect_refused(f, true, plain, n, 100, TOO_SHORT, L("srtcp protect length %u", n));
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
	uint32_t at = f->p->aead ? n - 4 : n - 4 - tl;
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
					  L("srtp payload %u, tag cut by %u", P, k));

		plen = rtcp_simple(plain, SSRC, P ? P + 1 : 0); /* bodies of 0, 4 and 21 */
		len = make(f, true, SSRC, 5000, plain, plen, pkt, sizeof(pkt));
		for (uint32_t k = 1; k <= TC; k++)
			unprotect_refused(f, true, &f->st->fresh, pkt, len - k,
					  srtcp_cut_expect(f, pkt, len - k),
					  L("srtcp body %u, tag cut by %u", plen - 8, k));
	}
	/* With no body at all the cut always reaches the trailer. */
	uint32_t plen = rtcp_simple(plain, SSRC, 0);
	uint32_t len = make(f, true, SSRC, 5001, plain, plen, pkt, sizeof(pkt));
	for (uint32_t k = 1; k <= TC; k++)
		CHECK(srtcp_cut_expect(f, pkt, len - k) == NO_TAG, "%s: empty SRTCP cut by %u",
		      f->p->name, k);
}

/* What a flip of bit b of byte i of the RTP sample must be refused with
 * (receiver: 1000..1100 in but 1050, window 1024). */
static int rtp_flip_expect(const struct fixture *f, uint32_t i, unsigned b)
{
	/* Byte 0 is V(2) P X CC(4) = 10 1 1 0001. */
	static const int byte0[8] = {
		BAD_HEADER,  /* CC 0: the CSRC reads as extension length 0xffff */
		AUTH,        /* CC 3: ext word 1 reads as length 0: header 28 */
		BAD_HEADER,  /* CC 5: ext word 3 reads as length 0xffff */
		NO_TAG,      /* CC 9: ext word 7 reads as length 6: header 76 */
		AUTH,        /* X off: the header ends after the CSRC */
		AUTH,        /* P: padding is the application's business */
		BAD_VERSION, /* V 3 */
		BAD_VERSION, /* V 0 */
	};
	/* SEQ 1050 = 0x041a.  High byte: SEQ ^ 256 << b. */
	static const int seq_hi[8] = {
		AUTH,        /* 1306: ahead of 1100, so only the tag can refuse it */
		AUTH,        /* 1562 */
		OLD,         /* 26: 1074 behind */
		AUTH, AUTH, AUTH, AUTH,
		AUTH,        /* 33818: 32718 ahead, still ROC 0 */
	};
	/* Low byte: 1051 1048 1054 1042 1034 1082 were received; 1114 and
	 * 1178 are ahead. */
	static const int seq_lo[8] = { DUP, DUP, DUP, DUP, DUP, DUP, AUTH, AUTH };
	/* Extension length 8, low byte: 9 10 12 0 words fit, 24 40 72 136 do not. */
	static const int ext_len_lo[8] = {
		AUTH, AUTH, AUTH, AUTH, BAD_HEADER, BAD_HEADER, BAD_HEADER, BAD_HEADER,
	};

	(void)f;
	if (i == 0)
		return byte0[b];
	if (i == 2)
		return seq_hi[b];
	if (i == 3)
		return seq_lo[b];
	if (i >= 8 && i < 12)
		return SSRC_MISMATCH;
	if (i == 18) /* length + 256 << b words */
		return BAD_HEADER;
	if (i == 19)
		return ext_len_lo[b];
	/* M, PT, timestamp, CSRC, extension profile and data, payload, tag. */
	return AUTH;
}

/* What a flip of bit b of byte i of the SRTCP sample must be refused with
 * (receiver: 200..310 in but 300, window 128). */
static int rtcp_flip_expect(const struct fixture *f, uint32_t i, unsigned b)
{
	uint32_t word_at = f->p->aead ? RTCP_PLAIN + f->p->rtcp_tag_len : RTCP_PLAIN;

	if (i == 0)
		return b >= 6 ? BAD_VERSION : AUTH; /* V, or P and RC */
	if (i >= 4 && i < 8)
		return SSRC_MISMATCH;
	if (i >= word_at && i < word_at + 4) {
		unsigned bit = (3 - (i - word_at)) * 8 + b;

		if (bit == 31)
			return E_FLAG;
		/* 300 = 0x12c: 301 302 296 292 268 were received; 44 is 266
		 * behind 310; every other flip lands ahead of 310. */
		switch (bit) {
		case 0: case 1: case 2: case 3: case 5: return DUP;
		case 8: return OLD;
		default: return AUTH;
		}
	}
	return AUTH; /* PT, length, body, tag */
}

/* Every bit of every byte of the samples, one at a time. */
static void test_bit_flips(struct fixture *f)
{
	uint8_t pkt[MAX_OUT];
	unsigned counts[STRATA_SRTP_STATUS_COUNT] = { 0 };

	for (uint32_t i = 0; i < f->rtp_sample_len; i++)
		for (unsigned b = 0; b < 8; b++) {
			int want = rtp_flip_expect(f, i, b);

			memcpy(pkt, f->rtp_sample, f->rtp_sample_len);
			pkt[i] ^= (uint8_t)(1u << b);
			unprotect_refused(f, false, &f->st->rx, pkt, f->rtp_sample_len, want,
					  L("srtp sample, byte %u bit %u flipped", i, b));
			counts[want]++;
		}
	for (uint32_t i = 0; i < f->rtcp_sample_len; i++)
		for (unsigned b = 0; b < 8; b++) {
			int want = rtcp_flip_expect(f, i, b);

			memcpy(pkt, f->rtcp_sample, f->rtcp_sample_len);
			pkt[i] ^= (uint8_t)(1u << b);
			unprotect_refused(f, true, &f->st->rx, pkt, f->rtcp_sample_len, want,
					  L("srtcp sample, byte %u bit %u flipped", i, b));
			counts[want]++;
		}
	/* The tables reach every status they are meant to. */
	static const int reached[] = { BAD_VERSION, BAD_HEADER, NO_TAG, SSRC_MISMATCH,
				       AUTH, DUP, OLD, E_FLAG };
	for (size_t k = 0; k < ARRAY_LEN(reached); k++)
		CHECK(counts[reached[k]] > 0, "%s: no flip gave %s", f->p->name, sn(reached[k]));
}

/* Headers whose CSRC list or extension runs past the end, and versions
 * other than 2, built by hand, on both sides. */
static void test_bad_headers(struct fixture *f)
{
	const uint32_t T = f->p->rtp_tag_len;
	static const struct {
		const char *name;
		uint8_t b0;       /* V P X CC */
		uint16_t ext_len; /* words, when X */
		uint32_t len;     /* bytes in the packet */
		int unprotect;    /* the receiver's answer */
	} rows[] = {
		{ "X, no extension header", 0x90, 0, 12, BAD_HEADER },
		{ "X, 3 bytes of extension header", 0x90, 0, 15, BAD_HEADER },
		{ "X, extension header only", 0x90, 0, 16, NO_TAG },
		{ "extension one byte past", 0x90, 4, 31, BAD_HEADER },
		{ "extension ends at the end", 0x90, 4, 32, NO_TAG },
		{ "extension 0xffff words", 0x90, 0xffff, 200, BAD_HEADER },
		{ "15 CSRCs, one byte short", 0x8f, 0, 71, BAD_HEADER },
		{ "15 CSRCs, exactly", 0x8f, 0, 72, NO_TAG },
		{ "15 CSRCs, X, no extension header", 0x9f, 0, 75, BAD_HEADER },
		{ "15 CSRCs, X, empty extension", 0x9f, 0, 76, NO_TAG },
		{ "15 CSRCs, X, extension past", 0x9f, 1, 79, BAD_HEADER },
		{ "1 CSRC, 12 bytes", 0x81, 0, 12, BAD_HEADER },
		{ "version 0", 0x00, 0, 40, BAD_VERSION },
		{ "version 1", 0x40, 0, 40, BAD_VERSION },
		{ "version 3", 0xc0, 0, 40, BAD_VERSION },
		{ "version 0, too short", 0x00, 0, 11, TOO_SHORT },
		{ "version 0, empty", 0x00, 0, 0, TOO_SHORT },
	};
	uint8_t pkt[256];

	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		uint32_t len = rows[r].len;
		uint32_t ext_at = 12 + 4 * (rows[r].b0 & 0x0f);

		memset(pkt, 0, sizeof(pkt));
		rtp_fixed(pkt, rows[r].b0, 6000, SSRC);
		for (uint32_t i = 12; i < ext_at; i++)
			pkt[i] = 0xc0; /* CSRCs */
		pkt[ext_at + 2] = (uint8_t)(rows[r].ext_len >> 8);
		pkt[ext_at + 3] = (uint8_t)rows[r].ext_len;
		unprotect_refused(f, false, &f->st->rx, pkt, len, rows[r].unprotect,
				  L("%s (%u bytes)", rows[r].name, len));
		/* Protect sees the same header; a NO_TAG header with T more
		 * bytes is a fine packet to protect, so only the others. */
		if (rows[r].unprotect != NO_TAG)
			protect_refused(f, false, pkt, len, len + 100, rows[r].unprotect,
					L("%s (%u bytes)", rows[r].name, len));
		/* With room for a tag the header still decides. */
		if (rows[r].unprotect == BAD_VERSION)
			unprotect_refused(f, false, &f->st->rx, pkt, len + T, BAD_VERSION,
					  L("%s (%u bytes)", rows[r].name, len + T));
	}

	/* RTCP: only the version is checked (and the SSRC, below). */
	for (uint8_t v = 0; v < 4; v++) {
		if (v == 2)
			continue;
		uint32_t len = rtcp_simple(pkt, SSRC, 20);
		pkt[0] = (uint8_t)(v << 6);
		protect_refused(f, true, pkt, len, 200, BAD_VERSION, L("srtcp version %u", v));
		unprotect_refused(f, true, &f->st->rx, pkt, len + 4 + f->p->rtcp_tag_len,
				  BAD_VERSION, L("srtcp version %u", v));
		unprotect_refused(f, true, &f->st->rx, pkt, 7, TOO_SHORT,
				  L("srtcp version %u, 7 bytes", v));
	}
}

/* SRTCP whose E flag is not the session's policy: refused before any
 * crypto, whichever way it differs. */
static void test_e_flag(struct fixture *f)
{
	uint8_t pkt[MAX_OUT];
	uint32_t len = f->rtcp_sample_len;
	uint32_t word_at = f->p->aead ? len - 4 : len - 4 - f->p->rtcp_tag_len;

	memcpy(pkt, f->rtcp_sample, len);
	pkt[word_at] ^= 0x80;
	unprotect_refused(f, true, &f->st->rx, pkt, len, E_FLAG, "E flag flipped");
	/* E flipped on a replayed index: the E flag is checked first. */
	uint8_t old[MAX_OUT];
	memcpy(old, pkt, len);
	strata_put_be32(old + word_at, (strata_be32(pkt + word_at) & 0x80000000u) | 301);
	unprotect_refused(f, true, &f->st->rx, old, len, E_FLAG, "E flag flipped, index 301");
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
		uint8_t *buf = exact(plain, len);
		struct strata_srtp_op op = { .session = &f->st->txs, .tx = &f->st->tx, .src = buf,
					     .buf = buf, .len = len, .cap = len };
		expect_refused(f, RTP_PROTECT, &op, NO_ROOM, "in place, cap = len");
		free(buf);
	}
	{
		/* Exactly cap bytes, for AddressSanitizer. */
		uint8_t *out = xmalloc(len + T - 1);
		struct strata_srtp_op op = { .session = &f->st->txs, .tx = &f->st->tx, .src = plain,
					     .buf = out, .len = len, .cap = len + T - 1 };
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
	uint8_t *big = xmalloc(MAX_PKT + 1000);
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
	uint8_t *out = xmalloc(MAX_PKT);
	for (int rtcp = 0; rtcp <= 1; rtcp++) {
		uint32_t len = MAX_PKT - (rtcp ? grow : T);
		struct strata_srtp_op op = { .session = &f->st->txs, .tx = &tx, .src = big,
					     .buf = out, .len = len, .cap = MAX_PKT };

		if (rtcp)
			rtcp_simple(big, SSRC, 0);
		else
			rtp_simple(big, 7001, SSRC, 0);
		strata_srtp_tx_init(&tx, SSRC);
		strata_srtp_rx_init(&rx, &f->st->rxs, SSRC);
		unsigned ok = rtcp ? strata_srtcp_protect(f->e, &op, 1)
				   : strata_srtp_protect(f->e, &op, 1);
		CHECK(ok == 1 && op.len == MAX_PKT, "%s: protect %u bytes of %s: %s, len %u",
		      f->p->name, len, rtcp ? "RTCP" : "RTP", sn(op.status), op.len);
		op = (struct strata_srtp_op){ .session = &f->st->rxs, .rx = &rx, .buf = out,
					      .len = MAX_PKT, .cap = MAX_PKT };
		ok = rtcp ? strata_srtcp_unprotect(f->e, &op, 1) : strata_srtp_unprotect(f->e, &op, 1);
		CHECK(ok == 1 && op.len == len, "%s: unprotect a %u-byte %s packet: %s", f->p->name,
		      MAX_PKT, rtcp ? "SRTCP" : "SRTP", sn(op.status));
	}
	free(out);
	free(big);
}

/* A packet given with another SSRC's stream. */
static void test_ssrc_mismatch(struct fixture *f)
{
	uint8_t plain[MAX_OUT], pkt[MAX_OUT];
	uint32_t plen, len;

	plen = rtp_simple(plain, 8000, OTHER_SSRC, 20);
	protect_refused(f, false, plain, plen, 100, SSRC_MISMATCH, "srtp protect, other SSRC");
	len = make(f, false, OTHER_SSRC, 0, plain, plen, pkt, sizeof(pkt));
	unprotect_refused(f, false, &f->st->rx, pkt, len, SSRC_MISMATCH,
			  "srtp unprotect, other SSRC");
	unprotect_refused(f, false, &f->st->fresh, pkt, len, SSRC_MISMATCH,
			  "srtp unprotect, other SSRC, fresh stream");

	plen = rtcp_simple(plain, OTHER_SSRC, 20);
	protect_refused(f, true, plain, plen, 100, SSRC_MISMATCH, "srtcp protect, other SSRC");
	len = make(f, true, OTHER_SSRC, 9000, plain, plen, pkt, sizeof(pkt));
	unprotect_refused(f, true, &f->st->rx, pkt, len, SSRC_MISMATCH,
			  "srtcp unprotect, other SSRC");
}

/* After all that, the samples kept aside from the start still go in. */
static void test_still_works(struct fixture *f)
{
	for (int rtcp = 0; rtcp <= 1; rtcp++) {
		uint32_t len = rtcp ? f->rtcp_sample_len : f->rtp_sample_len;
		const uint8_t *want = rtcp ? f->rtcp_sample_plain : f->rtp_sample_plain;
		uint32_t want_len = rtcp ? RTCP_PLAIN : RTP_PLAIN;
		uint8_t *buf = exact(rtcp ? f->rtcp_sample : f->rtp_sample, len);
		struct strata_srtp_op op = { .session = &f->st->rxs, .rx = &f->st->rx, .buf = buf,
					     .len = len, .cap = len };
		unsigned ok = rtcp ? strata_srtcp_unprotect(f->e, &op, 1)
				   : strata_srtp_unprotect(f->e, &op, 1);

		CHECK(ok == 1 && op.len == want_len, "%s: the %s sample no longer unprotects: %s",
		      f->p->name, rtcp ? "SRTCP" : "SRTP", sn(op.status));
		if (ok == 1)
			CHECK_MEM(buf, want, want_len, rtcp ? "SRTCP sample" : "SRTP sample");
		free(buf);
	}
	CHECK(f->st->rx.rtp.top == 1100 && f->st->rx.rtcp.top == 310,
	      "%s: tops %llu and %llu after the samples", f->p->name,
	      (unsigned long long)f->st->rx.rtp.top, (unsigned long long)f->st->rx.rtcp.top);
}

int main(void)
{
	struct strata_srtp_engine *e = strata_srtp_engine_create();

	if (e == NULL) {
		fprintf(stderr, "strata_srtp_engine_create failed\n");
		return 2;
	}
	for (size_t i = 0; i < ARRAY_LEN(profile_ids); i++) {
		for (int enc = 1; enc >= 0; enc--) {
			struct fixture f;

			if (!fixture_init(&f, e, profile_ids[i], enc))
				continue;
			test_bad_param(&f);
			test_lengths(&f);
			test_truncated_tags(&f);
			test_bit_flips(&f);
			test_bad_headers(&f);
			test_e_flag(&f);
			test_no_room(&f);
			test_too_long(&f);
			test_ssrc_mismatch(&f);
			test_still_works(&f);
			CHECK(f.refused > 1000, "%s: only %u refusals checked", f.p->name, f.refused);
			fixture_free(&f);
		}
	}
	strata_srtp_engine_destroy(e);
	return test_summary("srtp_bad_input");
}
