/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interop between Strata's SRTP engine and libsrtp2, an independent
 * implementation, for every profile, RTP and RTCP, both directions:
 *
 *   Strata protect -> libsrtp unprotect: the plaintext comes back, and
 *     Strata's packet is byte for byte the one libsrtp protects from the
 *     same plaintext, keys and index (both are deterministic);
 *   libsrtp protect -> Strata unprotect: STRATA_SRTP_OK and the plaintext.
 *
 * The packets are random but reproducible: every case draws from test_rand
 * seeded from one base seed (printed in every failure; set
 * STRATA_SRTP_INTEROP_SEED to try another).  They have random payload types,
 * CSRC counts, RFC 8285 one-byte header extensions and payload sizes, and
 * their sequence numbers start a little below 65535 so that the ROC goes
 * from 0 to 1 in the middle of the run.
 *
 * The engine is driven through its burst API the way the router drives it:
 * bursts of 32, one longer than IMB_MAX_BURST_SIZE, protect in place and
 * into another buffer (both above and below the source in memory), one
 * packet fanned out to 16 receivers with their own keys in one burst, and
 * several SSRCs on one session.  A few refused packets (tampered, replayed,
 * wrong E flag, no room, wrong stream) sit among good ones, every session
 * is wiped and checked to be all zero, and at the end the engine's counters
 * must equal the operations run, by direction and status.  Last, on an
 * engine of its own, a receiver whose very first burst spans the rollover.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "srtp.h"
#include "test_util.h"

#define SEED_DEFAULT 0x5354524154410001ull /* "STRATA" 0001 */

#define RTP_PACKETS 4000  /* per profile and direction */
#define RTCP_PACKETS 1000 /* per profile, direction and E setting */
#define BURST 32
#define BIG_BURST 200     /* more than IMB_MAX_BURST_SIZE: the engine splits it */
#define MAX_OPS BIG_BURST
#define FANOUT 16
#define SSRCS 8
#define MAX_PAYLOAD 1400
#define MAX_RTCP 400
/* 12 + 15 CSRCs + 4 + 16 words of extension + payload, plus libsrtp's
 * SRTP_MAX_TRAILER_LEN + 4 of room for protecting in place, rounded up. */
#define SLOT 2048
#define GUARD 16          /* bytes after a buffer's end that nobody may write */
#define GUARD_BYTE 0xa5
#define MAX_CASE_FAILURES 20 /* stop a case early rather than flood the log */

_Static_assert(BIG_BURST > IMB_MAX_BURST_SIZE, "the big burst must be split");
_Static_assert(12 + 60 + 4 + 64 + MAX_PAYLOAD + SRTP_MAX_TRAILER_LEN + 4 + GUARD <= SLOT,
	       "a slot holds the largest packet, libsrtp's trailer room and the guard");

static uint64_t base_seed = SEED_DEFAULT;

/* ---- What the engine's counters must say at the end ---------------------- */

static uint64_t expected[STRATA_SRTP_DIRECTION_COUNT][STRATA_SRTP_STATUS_COUNT];

static const char *const direction_names[STRATA_SRTP_DIRECTION_COUNT] = {
	"rtp_protect", "rtp_unprotect", "rtcp_protect", "rtcp_unprotect",
};

/*
 * Runs one burst and records what a correct engine must count for it: the
 * caller's expectation, not the statuses the engine returned, so a status
 * that is wrong shows up both at the op and in the counters.  Every op's
 * status is poisoned first so an op the engine forgets is seen.
 */
static unsigned run_burst(struct strata_srtp_engine *e, enum strata_srtp_direction d,
			  struct strata_srtp_op *ops, unsigned n, const int *want)
{
	for (unsigned i = 0; i < n; i++) {
		ops[i].status = -1;
		expected[d][want ? want[i] : STRATA_SRTP_OK]++;
	}
	switch (d) {
	case STRATA_SRTP_RTP_PROTECT: return strata_srtp_protect(e, ops, n);
	case STRATA_SRTP_RTP_UNPROTECT: return strata_srtp_unprotect(e, ops, n);
	case STRATA_SRTP_RTCP_PROTECT: return strata_srtcp_protect(e, ops, n);
	default: return strata_srtcp_unprotect(e, ops, n);
	}
}

/* ---- Failure context ------------------------------------------------------- */

/* What a failure message names: the case, its profile, the seed, the packet. */
struct tcase {
	const char *what;
	const char *profile;
	const char *rtcp; /* "", " E=1", " E=0" */
	unsigned pkt;
	unsigned fail0;   /* test_failures when the case began */
};

#define CHECKC(c, cond, fmt, ...)                                                        \
	CHECK(cond, "%s %s%s (seed %#" PRIx64 ", packet %u): " fmt, (c)->what, (c)->profile, \
	      (c)->rtcp, base_seed, (c)->pkt, ##__VA_ARGS__)

static struct tcase case_begin(const char *what, const char *profile, int rtcp_e)
{
	return (struct tcase){
		.what = what,
		.profile = profile,
		.rtcp = rtcp_e < 0 ? "" : rtcp_e ? " E=1" : " E=0",
		.fail0 = test_failures,
	};
}

static bool case_given_up(const struct tcase *c)
{
	return test_failures - c->fail0 >= MAX_CASE_FAILURES;
}

static void check_bytes(const struct tcase *c, const uint8_t *got, const uint8_t *want, size_t n,
			const char *what)
{
	size_t i = 0;

	while (i < n && got[i] == want[i])
		i++;
	CHECKC(c, i == n, "%s: differs at byte %zu of %zu (%02x, expected %02x)", what, i, n,
	       i < n ? got[i] : 0, i < n ? want[i] : 0);
}

/* The GUARD bytes at p must still be GUARD_BYTE: nothing wrote past the end. */
static void check_guard(const struct tcase *c, const uint8_t *p, const char *what)
{
	unsigned i = 0;

	while (i < GUARD && p[i] == GUARD_BYTE)
		i++;
	CHECKC(c, i == GUARD, "%s: byte %u after the end was written", what, i);
}

/* ---- Deterministic randomness ---------------------------------------------- */

/* One generator per case, so that cases do not shift each other's packets. */
static uint64_t case_rng(unsigned tag, unsigned a, unsigned b)
{
	uint64_t z = base_seed ^ ((uint64_t)tag << 40) ^ ((uint64_t)a << 20) ^ b;

	/* splitmix64's finaliser: nearby tags give unrelated streams. */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill_random(uint64_t *rng, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(test_rand(rng) >> 7);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The first sequence number of a stream: 40 to `most` packets before the
 * wrap, so that a stream of more than `most` packets crosses it.  Never
 * fewer than a burst, so the rollover is not in the receiver's very first
 * burst (test_first_burst_rollover covers that on its own); depending on
 * the seed it falls in a 32-burst or in the big one.
 */
static uint16_t start_seq(uint64_t *rng, unsigned most)
{
	return (uint16_t)(65536 - 40 - test_rand(rng) % (most - 40 + 1));
}

/* The burst sizes of a run: 32s, one burst of BIG_BURST and one of 1. */
static unsigned burst_len(unsigned burst_no, unsigned left)
{
	unsigned n = burst_no == 2 ? BIG_BURST : burst_no == 3 ? 1 : BURST;

	return n < left ? n : left;
}

/* ---- Packets ----------------------------------------------------------------- */

/*
 * RFC 8285 section 4.2 one-byte header elements filling n bytes: ID 1-14
 * and length 1-16 in the first byte, then the data; zero bytes are padding,
 * between elements and at the end.
 */
static void fill_one_byte_ext(uint64_t *rng, uint8_t *p, uint32_t n)
{
	uint32_t i = 0;

	while (i + 2 <= n) {
		uint32_t room = n - i - 1;
		uint32_t len = 1 + test_rand(rng) % (room < 16 ? room : 16);

		p[i++] = (uint8_t)((1 + test_rand(rng) % 14) << 4 | (len - 1));
		fill_random(rng, p + i, len);
		i += len;
		if (i < n && test_rand(rng) % 4 == 0)
			p[i++] = 0;
	}
	while (i < n)
		p[i++] = 0;
}

/*
 * A random RTP packet (RFC 3550 section 5.1) with the given SSRC and
 * sequence number; returns its length.  Every 97th packet has no payload
 * at all, the edge where there is nothing to encrypt.
 */
static uint32_t gen_rtp(uint64_t *rng, uint8_t *p, uint32_t ssrc, uint16_t seq, uint32_t ts,
			unsigned pkt_no)
{
	uint32_t r = test_rand(rng);
	unsigned cc = r % 4 == 0 ? (r >> 2) % 16 : 0; /* CSRCs on a quarter */
	bool ext = (r >> 8) % 2;
	uint32_t n = 12;

	p[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | cc);
	p[1] = (uint8_t)((r >> 9) % 256); /* marker and payload type 0-127 */
	put_be16(p + 2, seq);
	put_be32(p + 4, ts);
	put_be32(p + 8, ssrc);
	for (unsigned i = 0; i < cc; i++, n += 4)
		put_be32(p + n, test_rand(rng));
	if (ext) {
		uint16_t words = (uint16_t)(test_rand(rng) % 17);

		put_be16(p + n, 0xbede); /* RFC 8285 one-byte header profile */
		put_be16(p + n + 2, words);
		fill_one_byte_ext(rng, p + n + 4, 4u * words);
		n += 4 + 4u * words;
	}
	uint32_t payload = pkt_no % 97 == 0 ? 0 : test_rand(rng) % (MAX_PAYLOAD + 1);
	fill_random(rng, p + n, payload);
	return n + payload;
}

/*
 * A compound-looking RTCP packet of len bytes (a multiple of 4, at least
 * 8): one to a few sub-packets, each V=2, PT 200 (SR) or 201 (RR), with a
 * length field that matches; the first carries the stream's SSRC at bytes
 * 4..7, where SRTCP reads it.  Bodies are random.
 */
static void gen_rtcp(uint64_t *rng, uint8_t *p, uint32_t ssrc, uint32_t len)
{
	for (uint32_t off = 0; off < len;) {
		uint32_t left = len - off, sub = left;

		if (left >= 16 && test_rand(rng) % 2)
			sub = 8 + 4 * (test_rand(rng) % ((left - 16) / 4 + 1));
		p[off] = (uint8_t)(0x80 | test_rand(rng) % 32);
		p[off + 1] = (uint8_t)(200 + test_rand(rng) % 2);
		put_be16(p + off + 2, (uint16_t)(sub / 4 - 1));
		put_be32(p + off + 4, off == 0 ? ssrc : test_rand(rng));
		fill_random(rng, p + off + 8, sub - 8);
		off += sub;
	}
}

/* RTCP sizes 8..MAX_RTCP; the first two packets of a run are 8 and 12 bytes,
 * a header alone (nothing to encrypt) and one word of body. */
static uint32_t rtcp_len(uint64_t *rng, unsigned pkt_no)
{
	if (pkt_no < 2)
		return 8 + 4 * pkt_no;
	return 8 + 4 * (test_rand(rng) % ((MAX_RTCP - 8) / 4 + 1));
}

/* ---- Buffers ------------------------------------------------------------------- */

/*
 * The plaintexts stay in plain[] and are never handed to the engine.  An op
 * works in a[i] (in place) or from one of a[i], b[i] into the other (out
 * of place); a and b are separate arrays, so destinations land both above
 * and below their sources.
 */
struct pool {
	uint8_t plain[MAX_OPS][SLOT];
	uint8_t a[MAX_OPS][SLOT];
	uint8_t b[MAX_OPS][SLOT];
	uint8_t ref[SLOT]; /* libsrtp's packets */
	uint32_t plain_len[MAX_OPS];
	uint32_t in_len[MAX_OPS]; /* what an unprotect was given */
	bool in_place[MAX_OPS];
	struct strata_srtp_op ops[MAX_OPS];
};

/*
 * Sets up op i to protect plain[i].  Half the ops get exactly the room the
 * protected packet needs, the others a little more; the GUARD bytes after
 * cap must survive.
 */
static void op_protect(struct pool *pl, uint64_t *rng, unsigned i, struct strata_srtp_session *s,
		       struct strata_srtp_tx *tx, bool in_place, uint32_t grow)
{
	struct strata_srtp_op *op = &pl->ops[i];
	uint32_t len = pl->plain_len[i];
	uint8_t *src = i % 2 ? pl->b[i] : pl->a[i];
	uint8_t *dst = i % 2 ? pl->a[i] : pl->b[i];
	uint32_t cap = len + grow + (test_rand(rng) % 2 ? 0 : test_rand(rng) % 64);

	if (in_place)
		src = dst = pl->a[i];
	memset(dst, GUARD_BYTE, cap + GUARD);
	memcpy(src, pl->plain[i], len);
	pl->in_place[i] = in_place;
	*op = (struct strata_srtp_op){
		.session = s, .tx = tx, .src = src, .buf = dst, .len = len, .cap = cap,
	};
}

/* Sets up op i to unprotect the len bytes at a[i] (already there). */
static void op_unprotect(struct pool *pl, unsigned i, struct strata_srtp_session *s,
			 struct strata_srtp_rx *rx, uint32_t len)
{
	pl->in_len[i] = len;
	memset(pl->a[i] + len, GUARD_BYTE, GUARD);
	pl->ops[i] = (struct strata_srtp_op){
		.session = s, .rx = rx, .buf = pl->a[i], .len = len,
	};
}

/* ---- Keys and sessions ---------------------------------------------------------- */

struct master {
	const struct strata_srtp_profile *prof;
	uint8_t key[STRATA_SRTP_MAX_KEY_LEN];
	uint8_t salt[STRATA_SRTP_MAX_SALT_LEN];
	bool rtcp_auth_only; /* SRTCP with E=0 */
};

static void master_random(struct master *m, uint64_t *rng, enum strata_srtp_profile_id id,
			  bool rtcp_auth_only)
{
	memset(m, 0, sizeof(*m));
	m->prof = strata_srtp_profile_get(id);
	fill_random(rng, m->key, m->prof->key_len);
	fill_random(rng, m->salt, m->prof->salt_len);
	m->rtcp_auth_only = rtcp_auth_only;
}

/* libsrtp's crypto policies for each profile.  For _32 only the SRTP tag
 * is short: SRTCP keeps 80 bits (RFC 4568 section 6.2.2). */
static void lib_crypto_policy(enum strata_srtp_profile_id id, srtp_crypto_policy_t *rtp,
			      srtp_crypto_policy_t *rtcp)
{
	switch (id) {
	case STRATA_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_rtp_default(rtp);
		srtp_crypto_policy_set_rtcp_default(rtcp);
		break;
	case STRATA_SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(rtp);
		srtp_crypto_policy_set_rtcp_default(rtcp);
		break;
	case STRATA_SRTP_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtcp);
		break;
	case STRATA_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(rtcp);
		break;
	default:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(rtcp);
		break;
	}
}

/*
 * A libsrtp session for any SSRC: a sender (outbound) or a receiver
 * (inbound, window 1024 like Strata's default).  Exits on failure: nothing
 * else in the test would mean anything.
 */
static srtp_t lib_session(const struct master *m, bool inbound)
{
	srtp_policy_t pol;
	uint8_t key_salt[STRATA_SRTP_MAX_KEY_LEN + STRATA_SRTP_MAX_SALT_LEN];
	srtp_t s = NULL;

	memset(&pol, 0, sizeof(pol));
	lib_crypto_policy(m->prof->id, &pol.rtp, &pol.rtcp);
	if (m->rtcp_auth_only)
		pol.rtcp.sec_serv = sec_serv_auth;
	memcpy(key_salt, m->key, m->prof->key_len);
	memcpy(key_salt + m->prof->key_len, m->salt, m->prof->salt_len);
	pol.key = key_salt;
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol.window_size = 1024;
	pol.next = NULL;
	srtp_err_status_t st = srtp_create(&s, &pol);
	explicit_bzero(key_salt, sizeof(key_salt));
	if (st != srtp_err_status_ok) {
		fprintf(stderr, "srtp_create(%s) failed: %d\n", m->prof->name, (int)st);
		exit(2);
	}
	return s;
}

static void strata_session(struct strata_srtp_session *s, struct strata_srtp_engine *e,
			   const struct master *m)
{
	struct strata_srtp_policy pol = {
		.profile = m->prof->id,
		.master_key = m->key,
		.master_salt = m->salt,
		.rtcp_unencrypted = m->rtcp_auth_only,
	};
	int st = strata_srtp_session_init(s, e, &pol);

	CHECK(st == STRATA_SRTP_OK, "session_init(%s): %s", m->prof->name,
	      strata_srtp_status_name(st));
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* Every session the test made ends here: wiped, and checked to be all zero. */
static void wipe_and_check(struct strata_srtp_session *s, const char *profile)
{
	CHECK(!all_zero(s, sizeof(*s)), "%s: session is all zero before the wipe", profile);
	strata_srtp_session_wipe(s);
	CHECK(all_zero(s, sizeof(*s)), "%s: session_wipe left non-zero bytes", profile);
}

static const struct strata_srtp_profile *profile_of(unsigned k)
{
	return strata_srtp_profile_get((enum strata_srtp_profile_id)(STRATA_SRTP_PROFILE_NONE + 1 +
								     k));
}

#define PROFILES (STRATA_SRTP_PROFILE_COUNT - 1)

/* What protecting adds to a packet: the tag, and for SRTCP the E||index. */
static uint32_t grow_of(const struct strata_srtp_profile *p, bool rtcp)
{
	return rtcp ? STRATA_SRTCP_TRAILER_LEN + p->rtcp_tag_len : p->rtp_tag_len;
}

static enum strata_srtp_direction direction(bool rtcp, bool protect)
{
	if (rtcp)
		return protect ? STRATA_SRTP_RTCP_PROTECT : STRATA_SRTP_RTCP_UNPROTECT;
	return protect ? STRATA_SRTP_RTP_PROTECT : STRATA_SRTP_RTP_UNPROTECT;
}

/* libsrtp, in place: len in, len out. */
static srtp_err_status_t lib_protect(srtp_t s, bool rtcp, uint8_t *pkt, int *len)
{
	return rtcp ? srtp_protect_rtcp(s, pkt, len) : srtp_protect(s, pkt, len);
}

static srtp_err_status_t lib_unprotect(srtp_t s, bool rtcp, uint8_t *pkt, int *len)
{
	return rtcp ? srtp_unprotect_rtcp(s, pkt, len) : srtp_unprotect(s, pkt, len);
}

/* ---- Checking one packet ------------------------------------------------------- */

/*
 * Op i protected plain[i] with Strata.  Checks the status, the length,
 * that the source is untouched and nothing past cap was written, that the
 * packet is the one libsrtp's sender `ref` makes (unless ref is NULL) and
 * that libsrtp's receiver `rcv` gets the plaintext back.  ref protects
 * even when Strata failed, so that the two senders stay at the same index.
 */
static void check_protected(const struct tcase *c, struct pool *pl, unsigned i, srtp_t ref,
			    srtp_t rcv, bool rtcp, uint32_t grow)
{
	const struct strata_srtp_op *op = &pl->ops[i];
	uint32_t len = pl->plain_len[i];
	int ref_len = (int)len;
	srtp_err_status_t st = srtp_err_status_ok;

	if (ref != NULL) {
		memcpy(pl->ref, pl->plain[i], len);
		st = lib_protect(ref, rtcp, pl->ref, &ref_len);
		CHECKC(c, st == srtp_err_status_ok, "libsrtp protect: error %d", (int)st);
	}
	CHECKC(c, op->status == STRATA_SRTP_OK, "protect status %s (%d), expected ok",
	       strata_srtp_status_name(op->status), op->status);
	if (op->status != STRATA_SRTP_OK)
		return;
	CHECKC(c, op->len == len + grow, "protected length %u, expected %u", op->len, len + grow);
	check_guard(c, op->buf + op->cap, "protect output");
	if (!pl->in_place[i])
		check_bytes(c, op->src, pl->plain[i], len, "source after out-of-place protect");
	if (op->len != len + grow)
		return;
	if (ref != NULL && st == srtp_err_status_ok) {
		CHECKC(c, (uint32_t)ref_len == op->len, "libsrtp's packet is %d bytes, Strata's %u",
		       ref_len, op->len);
		check_bytes(c, op->buf, pl->ref, op->len, "Strata's packet vs libsrtp's");
	}

	int out_len = (int)op->len;
	memcpy(pl->ref, op->buf, op->len);
	st = lib_unprotect(rcv, rtcp, pl->ref, &out_len);
	CHECKC(c, st == srtp_err_status_ok, "libsrtp unprotect of Strata's packet: error %d",
	       (int)st);
	if (st != srtp_err_status_ok)
		return;
	CHECKC(c, (uint32_t)out_len == len, "libsrtp unprotected %d bytes, expected %u", out_len,
	       len);
	check_bytes(c, pl->ref, pl->plain[i], len, "libsrtp's plaintext");
}

/*
 * libsrtp's sender protects plain[i] into a[i] and op i is set up to
 * unprotect it with Strata.
 */
static void lib_protect_for(const struct tcase *c, struct pool *pl, unsigned i, srtp_t snd,
			    bool rtcp, struct strata_srtp_session *s, struct strata_srtp_rx *rx)
{
	int len = (int)pl->plain_len[i];

	memcpy(pl->a[i], pl->plain[i], (size_t)len);
	srtp_err_status_t st = lib_protect(snd, rtcp, pl->a[i], &len);
	CHECKC(c, st == srtp_err_status_ok, "libsrtp protect: error %d", (int)st);
	op_unprotect(pl, i, s, rx, (uint32_t)len);
}

/* Op i unprotected libsrtp's packet: it must be OK and the plaintext. */
static void check_unprotected(const struct tcase *c, struct pool *pl, unsigned i)
{
	const struct strata_srtp_op *op = &pl->ops[i];

	CHECKC(c, op->status == STRATA_SRTP_OK, "unprotect status %s (%d), expected ok",
	       strata_srtp_status_name(op->status), op->status);
	check_guard(c, op->buf + pl->in_len[i], "unprotect buffer");
	if (op->status != STRATA_SRTP_OK)
		return;
	CHECKC(c, op->len == pl->plain_len[i], "unprotected length %u, expected %u", op->len,
	       pl->plain_len[i]);
	if (op->len == pl->plain_len[i])
		check_bytes(c, op->buf, pl->plain[i], op->len, "Strata's plaintext");
}

/* Checks a burst's return value: the number of ops that succeeded. */
static void check_burst_ok(const struct tcase *c, unsigned got, unsigned n)
{
	CHECKC(c, got == n, "burst of %u returned %u successes", n, got);
}

/* The libsrtp stream of ssrc went through the rollover: the run did test
 * it.  Not asked of a case that stopped early. */
static void check_roc(const struct tcase *c, srtp_t s, uint32_t ssrc, uint32_t want)
{
	uint32_t roc = 0;
	srtp_err_status_t st = srtp_get_stream_roc(s, ssrc, &roc);

	if (case_given_up(c))
		return;
	CHECKC(c, st == srtp_err_status_ok && roc == want,
	       "libsrtp's ROC is %u (error %d), expected %u", roc, (int)st, want);
}

/* ---- RTP, one profile, each direction ------------------------------------------- */

static void test_rtp_strata_to_libsrtp(struct strata_srtp_engine *e, struct pool *pl, unsigned k)
{
	const struct strata_srtp_profile *p = profile_of(k);
	struct tcase c = case_begin("rtp strata->libsrtp", p->name, -1);
	uint64_t rng = case_rng(1, k, 0);
	struct master m;
	struct strata_srtp_session s;
	struct strata_srtp_tx tx;

	master_random(&m, &rng, p->id, false);
	strata_session(&s, e, &m);
	srtp_t ref = lib_session(&m, false), rcv = lib_session(&m, true);
	uint32_t ssrc = test_rand(&rng), ts = test_rand(&rng);
	uint16_t seq = start_seq(&rng, 460);
	strata_srtp_tx_init(&tx, ssrc);

	for (unsigned sent = 0, b = 0; sent < RTP_PACKETS && !case_given_up(&c); b++) {
		unsigned n = burst_len(b, RTP_PACKETS - sent);

		for (unsigned i = 0; i < n; i++) {
			ts += 3000;
			pl->plain_len[i] = gen_rtp(&rng, pl->plain[i], ssrc, seq++, ts, sent + i);
			op_protect(pl, &rng, i, &s, &tx, test_rand(&rng) % 2, p->rtp_tag_len);
		}
		c.pkt = sent;
		check_burst_ok(&c, run_burst(e, STRATA_SRTP_RTP_PROTECT, pl->ops, n, NULL), n);
		for (unsigned i = 0; i < n; i++) {
			c.pkt = sent + i;
			check_protected(&c, pl, i, ref, rcv, false, p->rtp_tag_len);
		}
		sent += n;
	}
	check_roc(&c, rcv, ssrc, 1);
	srtp_dealloc(ref);
	srtp_dealloc(rcv);
	wipe_and_check(&s, p->name);
}

static void test_rtp_libsrtp_to_strata(struct strata_srtp_engine *e, struct pool *pl, unsigned k)
{
	const struct strata_srtp_profile *p = profile_of(k);
	struct tcase c = case_begin("rtp libsrtp->strata", p->name, -1);
	uint64_t rng = case_rng(2, k, 0);
	struct master m;
	struct strata_srtp_session s;
	struct strata_srtp_rx rx;

	master_random(&m, &rng, p->id, false);
	strata_session(&s, e, &m);
	srtp_t snd = lib_session(&m, false);
	uint32_t ssrc = test_rand(&rng), ts = test_rand(&rng);
	uint16_t seq = start_seq(&rng, 460);
	strata_srtp_rx_init(&rx, &s, ssrc);

	for (unsigned sent = 0, b = 0; sent < RTP_PACKETS && !case_given_up(&c); b++) {
		unsigned n = burst_len(b, RTP_PACKETS - sent);

		for (unsigned i = 0; i < n; i++) {
			c.pkt = sent + i;
			ts += 3000;
			pl->plain_len[i] = gen_rtp(&rng, pl->plain[i], ssrc, seq++, ts, sent + i);
			lib_protect_for(&c, pl, i, snd, false, &s, &rx);
		}
		c.pkt = sent;
		check_burst_ok(&c, run_burst(e, STRATA_SRTP_RTP_UNPROTECT, pl->ops, n, NULL), n);
		for (unsigned i = 0; i < n; i++) {
			c.pkt = sent + i;
			check_unprotected(&c, pl, i);
		}
		sent += n;
	}
	check_roc(&c, snd, ssrc, 1);
	srtp_dealloc(snd);
	wipe_and_check(&s, p->name);
}

/* ---- RTCP, one profile and E setting, each direction ---------------------------- */

static void test_rtcp_strata_to_libsrtp(struct strata_srtp_engine *e, struct pool *pl, unsigned k,
					bool auth_only)
{
	const struct strata_srtp_profile *p = profile_of(k);
	struct tcase c = case_begin("rtcp strata->libsrtp", p->name, !auth_only);
	uint64_t rng = case_rng(3, k, auth_only);
	uint32_t grow = STRATA_SRTCP_TRAILER_LEN + p->rtcp_tag_len;
	struct master m;
	struct strata_srtp_session s;
	struct strata_srtp_tx tx;

	master_random(&m, &rng, p->id, auth_only);
	strata_session(&s, e, &m);
	srtp_t ref = lib_session(&m, false), rcv = lib_session(&m, true);
	uint32_t ssrc = test_rand(&rng);
	strata_srtp_tx_init(&tx, ssrc);

	for (unsigned sent = 0, b = 0; sent < RTCP_PACKETS && !case_given_up(&c); b++) {
		unsigned n = burst_len(b, RTCP_PACKETS - sent);

		for (unsigned i = 0; i < n; i++) {
			pl->plain_len[i] = rtcp_len(&rng, sent + i);
			gen_rtcp(&rng, pl->plain[i], ssrc, pl->plain_len[i]);
			op_protect(pl, &rng, i, &s, &tx, test_rand(&rng) % 2, grow);
		}
		c.pkt = sent;
		check_burst_ok(&c, run_burst(e, STRATA_SRTP_RTCP_PROTECT, pl->ops, n, NULL), n);
		for (unsigned i = 0; i < n; i++) {
			c.pkt = sent + i;
			/* Strata's first SRTCP index is 0, libsrtp's is 1: from
			 * Strata's second packet on the two senders agree. */
			check_protected(&c, pl, i, sent + i == 0 ? NULL : ref, rcv, true, grow);
			if (sent + i == 0 && pl->ops[i].status == STRATA_SRTP_OK) {
				/* So check the first packet's E||index word by hand. */
				const struct strata_srtp_op *op = &pl->ops[i];
				uint32_t at = p->aead ? op->len - 4 : op->len - grow;

				CHECKC(&c, get_be32(op->buf + at) == (auth_only ? 0 : 0x80000000u),
				       "first E||index word %08x", get_be32(op->buf + at));
			}
		}
		sent += n;
	}
	srtp_dealloc(ref);
	srtp_dealloc(rcv);
	wipe_and_check(&s, p->name);
}

static void test_rtcp_libsrtp_to_strata(struct strata_srtp_engine *e, struct pool *pl, unsigned k,
					bool auth_only)
{
	const struct strata_srtp_profile *p = profile_of(k);
	struct tcase c = case_begin("rtcp libsrtp->strata", p->name, !auth_only);
	uint64_t rng = case_rng(4, k, auth_only);
	struct master m;
	struct strata_srtp_session s;
	struct strata_srtp_rx rx;

	master_random(&m, &rng, p->id, auth_only);
	strata_session(&s, e, &m);
	srtp_t snd = lib_session(&m, false);
	uint32_t ssrc = test_rand(&rng);
	strata_srtp_rx_init(&rx, &s, ssrc);

	for (unsigned sent = 0, b = 0; sent < RTCP_PACKETS && !case_given_up(&c); b++) {
		unsigned n = burst_len(b, RTCP_PACKETS - sent);

		for (unsigned i = 0; i < n; i++) {
			c.pkt = sent + i;
			pl->plain_len[i] = rtcp_len(&rng, sent + i);
			gen_rtcp(&rng, pl->plain[i], ssrc, pl->plain_len[i]);
			lib_protect_for(&c, pl, i, snd, true, &s, &rx);
		}
		c.pkt = sent;
		check_burst_ok(&c, run_burst(e, STRATA_SRTP_RTCP_UNPROTECT, pl->ops, n, NULL), n);
		for (unsigned i = 0; i < n; i++) {
			c.pkt = sent + i;
			check_unprotected(&c, pl, i);
		}
		sent += n;
	}
	srtp_dealloc(snd);
	wipe_and_check(&s, p->name);
}

/* ---- Fan-out: one packet, 16 receivers, one burst ------------------------------- */

struct receiver {
	struct master m;
	struct strata_srtp_session s;
	struct strata_srtp_tx tx;
	srtp_t ref, rcv;
	uint32_t ssrc;
};

/*
 * The router's forwarding step: one plaintext, protected for FANOUT
 * receivers in ONE burst, each under its own master key.  The receivers
 * cycle through all the profiles (and, for RTCP, both E settings), so one
 * ipsec-mb burst mixes CM+HMAC and GCM jobs of both key sizes.  The first
 * half keep the sender's SSRC and all read the same source buffer; the
 * others get the SSRC rewritten, as when the router renumbers, each from
 * its own copy.  Every output is checked against that receiver's libsrtp.
 */
static void test_fanout(struct strata_srtp_engine *e, struct pool *pl, bool rtcp)
{
	const unsigned packets = rtcp ? 100 : 250;
	struct tcase c = case_begin(rtcp ? "rtcp fan-out" : "rtp fan-out", "mixed profiles", -1);
	uint64_t rng = case_rng(5, rtcp, 0);
	struct receiver *r = calloc(FANOUT, sizeof(*r));
	uint32_t ssrc = test_rand(&rng), ts = test_rand(&rng);
	uint16_t seq = start_seq(&rng, packets - 50);
	enum strata_srtp_direction d = direction(rtcp, true);

	if (r == NULL)
		exit(2);
	for (unsigned j = 0; j < FANOUT; j++) {
		bool auth_only = rtcp && (j / PROFILES) % 2;

		master_random(&r[j].m, &rng, profile_of(j % PROFILES)->id, auth_only);
		strata_session(&r[j].s, e, &r[j].m);
		r[j].ssrc = j < FANOUT / 2 ? ssrc : ssrc + j;
		strata_srtp_tx_init(&r[j].tx, r[j].ssrc);
		r[j].ref = lib_session(&r[j].m, false);
		r[j].rcv = lib_session(&r[j].m, true);
	}

	for (unsigned n = 0; n < packets && !case_given_up(&c); n++) {
		uint8_t src[SLOT];
		uint32_t len;

		c.pkt = n;
		if (rtcp) {
			len = rtcp_len(&rng, n);
			gen_rtcp(&rng, src, ssrc, len);
		} else {
			len = gen_rtp(&rng, src, ssrc, seq++, ts += 3000, n);
		}
		for (unsigned j = 0; j < FANOUT; j++) {
			uint32_t grow = grow_of(r[j].m.prof, rtcp);

			memcpy(pl->plain[j], src, len);
			put_be32(pl->plain[j] + (rtcp ? 4 : 8), r[j].ssrc);
			pl->plain_len[j] = len;
			op_protect(pl, &rng, j, &r[j].s, &r[j].tx, false, grow);
			if (j < FANOUT / 2)
				pl->ops[j].src = src; /* one source for the first half */
		}
		check_burst_ok(&c, run_burst(e, d, pl->ops, FANOUT, NULL), FANOUT);
		check_bytes(&c, src, pl->plain[0], len, "shared source after the fan-out");
		for (unsigned j = 0; j < FANOUT; j++) {
			struct tcase cj = c;
			/* libsrtp starts SRTCP at index 1: no reference for 0. */
			srtp_t ref = rtcp && n == 0 ? NULL : r[j].ref;

			cj.profile = r[j].m.prof->name;
			if (rtcp)
				cj.rtcp = r[j].m.rtcp_auth_only ? " E=0" : " E=1";
			check_protected(&cj, pl, j, ref, r[j].rcv, rtcp,
					grow_of(r[j].m.prof, rtcp));
		}
	}
	for (unsigned j = 0; j < FANOUT; j++) {
		if (!rtcp)
			check_roc(&c, r[j].rcv, r[j].ssrc, 1);
		srtp_dealloc(r[j].ref);
		srtp_dealloc(r[j].rcv);
		wipe_and_check(&r[j].s, r[j].m.prof->name);
	}
	free(r);
}

/* ---- Several SSRCs on one session ------------------------------------------------ */

/*
 * One master key, SSRCS streams (as in a bundle from one peer): one Strata
 * session with a stream per SSRC, bursts that mix the SSRCs in random
 * order.  Both directions, RTP and RTCP.  libsrtp's any-SSRC sessions keep
 * a stream per SSRC on their side.
 */
static void test_multi_ssrc(struct strata_srtp_engine *e, struct pool *pl, unsigned k, bool rtcp)
{
	const struct strata_srtp_profile *p = profile_of(k);
	const unsigned packets = rtcp ? 600 : 2000;
	uint32_t grow = grow_of(p, rtcp);
	struct tcase c = case_begin(rtcp ? "rtcp multi-ssrc" : "rtp multi-ssrc", p->name, -1);
	uint64_t rng = case_rng(6, k, rtcp);
	struct master m;
	struct strata_srtp_session tx_s, rx_s;
	struct strata_srtp_tx tx[SSRCS];
	struct strata_srtp_rx rx[SSRCS];
	uint32_t ssrc[SSRCS], ts[SSRCS];
	uint16_t seq[SSRCS];
	unsigned pick[MAX_OPS];
	bool rtcp_seen[SSRCS] = { false };

	master_random(&m, &rng, p->id, false);
	strata_session(&tx_s, e, &m);
	strata_session(&rx_s, e, &m);
	srtp_t ref = lib_session(&m, false), rcv = lib_session(&m, true);
	srtp_t snd = lib_session(&m, false);
	for (unsigned j = 0; j < SSRCS; j++) {
		ssrc[j] = test_rand(&rng);
		ts[j] = test_rand(&rng);
		/* About packets / SSRCS each: wrap well before that. */
		seq[j] = start_seq(&rng, packets / SSRCS / 2);
		strata_srtp_tx_init(&tx[j], ssrc[j]);
		strata_srtp_rx_init(&rx[j], &rx_s, ssrc[j]);
	}

	for (unsigned sent = 0, b = 0; sent < packets && !case_given_up(&c); b++) {
		unsigned n = burst_len(b, packets - sent);

		/* Strata -> libsrtp. */
		for (unsigned i = 0; i < n; i++) {
			unsigned j = pick[i] = test_rand(&rng) % SSRCS;

			if (rtcp) {
				pl->plain_len[i] = rtcp_len(&rng, sent + i);
				gen_rtcp(&rng, pl->plain[i], ssrc[j], pl->plain_len[i]);
			} else {
				ts[j] += 3000;
				pl->plain_len[i] = gen_rtp(&rng, pl->plain[i], ssrc[j], seq[j]++,
							   ts[j], sent + i);
			}
			op_protect(pl, &rng, i, &tx_s, &tx[j], test_rand(&rng) % 2, grow);
		}
		c.pkt = sent;
		check_burst_ok(&c, run_burst(e, direction(rtcp, true), pl->ops, n, NULL), n);
		for (unsigned i = 0; i < n; i++) {
			/* Each Strata stream's first SRTCP index is 0, libsrtp's
			 * is 1: no reference for a stream's first packet. */
			bool first = rtcp && !rtcp_seen[pick[i]];

			rtcp_seen[pick[i]] = true;
			c.pkt = sent + i;
			check_protected(&c, pl, i, first ? NULL : ref, rcv, rtcp, grow);
		}

		/* libsrtp -> Strata, the same plaintexts. */
		for (unsigned i = 0; i < n; i++) {
			c.pkt = sent + i;
			lib_protect_for(&c, pl, i, snd, rtcp, &rx_s, &rx[pick[i]]);
		}
		c.pkt = sent;
		check_burst_ok(&c, run_burst(e, direction(rtcp, false), pl->ops, n, NULL), n);
		for (unsigned i = 0; i < n; i++) {
			c.pkt = sent + i;
			check_unprotected(&c, pl, i);
		}
		sent += n;
	}
	if (!rtcp)
		for (unsigned j = 0; j < SSRCS; j++)
			check_roc(&c, rcv, ssrc[j], 1);
	srtp_dealloc(ref);
	srtp_dealloc(rcv);
	srtp_dealloc(snd);
	wipe_and_check(&tx_s, p->name);
	wipe_and_check(&rx_s, p->name);
}

/* ---- Refusals ---------------------------------------------------------------------- */

static void check_status(const struct tcase *c, const struct strata_srtp_op *op, int want,
			 const char *what)
{
	CHECKC(c, op->status == want, "%s: status %s, expected %s", what,
	       strata_srtp_status_name(op->status), strata_srtp_status_name(want));
}

/* Op `to` gets plaintext and libsrtp packet of op `from` (a[from] must not
 * have been unprotected yet): the same packet sent twice. */
static void duplicate(struct pool *pl, unsigned from, unsigned to)
{
	memcpy(pl->plain[to], pl->plain[from], pl->plain_len[from]);
	pl->plain_len[to] = pl->plain_len[from];
	memcpy(pl->a[to], pl->a[from], pl->in_len[from]);
	pl->in_len[to] = pl->in_len[from];
}

/*
 * Runs ops[0, n) expecting the statuses want[], checks each, and checks the
 * plaintext of the ones that succeeded.
 */
static void run_expect_unprotect(struct strata_srtp_engine *e, const struct tcase *c,
				 struct pool *pl, enum strata_srtp_direction d, unsigned n,
				 const int *want, const char *const *what)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++)
		ok += want[i] == STRATA_SRTP_OK;
	check_burst_ok(c, run_burst(e, d, pl->ops, n, want), ok);
	for (unsigned i = 0; i < n; i++) {
		check_status(c, &pl->ops[i], want[i], what[i]);
		if (want[i] == STRATA_SRTP_OK)
			check_unprotected(c, pl, i);
	}
}

/*
 * A few packets that must be refused, mixed with good ones in one burst:
 * libsrtp's packet with a bit flipped (AUTH_FAIL), the same index twice
 * in one burst and again in a later one (REPLAY_DUP), SRTCP whose E flag
 * is not the session's (E_FLAG), and protects that lack room or name
 * another SSRC's stream.  Besides the statuses, this gives the counters
 * something other than OK to count, and shows that a refused protect does
 * not use up its index.
 */
static void test_refusals(struct strata_srtp_engine *e, struct pool *pl, unsigned k)
{
	const struct strata_srtp_profile *p = profile_of(k);
	struct tcase c = case_begin("refusals", p->name, -1);
	uint64_t rng = case_rng(7, k, 0);
	struct master m, m_e0;
	struct strata_srtp_session s, s_e0;
	struct strata_srtp_rx rx, rx_e0;
	struct strata_srtp_tx tx, other;

	master_random(&m, &rng, p->id, false);
	m_e0 = m;
	m_e0.rtcp_auth_only = true; /* the same key, SRTCP with E=0 */
	strata_session(&s, e, &m);
	strata_session(&s_e0, e, &m_e0);
	srtp_t snd = lib_session(&m, false), ref = lib_session(&m, false);
	srtp_t rcv = lib_session(&m, true);
	uint32_t ssrc = test_rand(&rng);
	strata_srtp_rx_init(&rx, &s, ssrc);
	strata_srtp_rx_init(&rx_e0, &s_e0, ssrc);
	strata_srtp_tx_init(&tx, ssrc);
	strata_srtp_tx_init(&other, ssrc + 1);

	/* RTP: [P0 with its tag's last bit flipped, P0, P0, P1], then P1 again.
	 * Slot 4 keeps P1 as libsrtp sent it for the replay. */
	for (unsigned i = 0; i < 4; i += 3) {
		uint16_t seq = (uint16_t)(1000 + i / 3);

		pl->plain_len[i] = gen_rtp(&rng, pl->plain[i], ssrc, seq, 0, 1);
		lib_protect_for(&c, pl, i, snd, false, &s, &rx);
	}
	duplicate(pl, 0, 1);
	duplicate(pl, 0, 2);
	duplicate(pl, 3, 4);
	pl->a[0][pl->in_len[0] - 1] ^= 0x01;
	for (unsigned i = 0; i < 5; i++)
		op_unprotect(pl, i, &s, &rx, pl->in_len[i]);
	static const int want_rtp[4] = { STRATA_SRTP_AUTH_FAIL, STRATA_SRTP_OK,
					 STRATA_SRTP_REPLAY_DUP, STRATA_SRTP_OK };
	static const char *const what_rtp[4] = { "tampered rtp", "rtp", "rtp twice in a burst",
						 "next rtp" };
	run_expect_unprotect(e, &c, pl, STRATA_SRTP_RTP_UNPROTECT, 4, want_rtp, what_rtp);
	duplicate(pl, 4, 0);
	op_unprotect(pl, 0, &s, &rx, pl->in_len[0]);
	static const int want_dup[1] = { STRATA_SRTP_REPLAY_DUP };
	static const char *const what_dup[1] = { "rtp replayed in a later burst" };
	run_expect_unprotect(e, &c, pl, STRATA_SRTP_RTP_UNPROTECT, 1, want_dup, what_dup);

	/* SRTCP (E=1): [tampered ciphertext, good, good again], then the same
	 * packet to the E=0 session of the same key. */
	pl->plain_len[0] = 40;
	gen_rtcp(&rng, pl->plain[0], ssrc, 40);
	lib_protect_for(&c, pl, 0, snd, true, &s, &rx);
	for (unsigned i = 1; i < 4; i++)
		duplicate(pl, 0, i);
	pl->a[0][20] ^= 0x01;
	for (unsigned i = 0; i < 3; i++)
		op_unprotect(pl, i, &s, &rx, pl->in_len[i]);
	static const int want_rtcp[3] = { STRATA_SRTP_AUTH_FAIL, STRATA_SRTP_OK,
					  STRATA_SRTP_REPLAY_DUP };
	static const char *const what_rtcp[3] = { "tampered rtcp", "rtcp",
						  "rtcp twice in a burst" };
	run_expect_unprotect(e, &c, pl, STRATA_SRTP_RTCP_UNPROTECT, 3, want_rtcp, what_rtcp);
	duplicate(pl, 3, 0);
	op_unprotect(pl, 0, &s_e0, &rx_e0, pl->in_len[0]);
	static const int want_e[1] = { STRATA_SRTP_E_FLAG };
	static const char *const what_e[1] = { "rtcp E=1 to an E=0 session" };
	run_expect_unprotect(e, &c, pl, STRATA_SRTP_RTCP_UNPROTECT, 1, want_e, what_e);

	/* RTP protect: [no room, another SSRC's stream, good, the same index
	 * again].  The good one must be libsrtp's packet for that index: the
	 * refused ones did not use it up. */
	pl->plain_len[0] = gen_rtp(&rng, pl->plain[0], ssrc, 7, 0, 1);
	for (unsigned i = 0; i < 4; i++) {
		if (i > 0) {
			memcpy(pl->plain[i], pl->plain[0], pl->plain_len[0]);
			pl->plain_len[i] = pl->plain_len[0];
		}
		op_protect(pl, &rng, i, &s, i == 1 ? &other : &tx, i % 2, p->rtp_tag_len);
	}
	pl->ops[0].cap = pl->plain_len[0] + p->rtp_tag_len - 1;
	static const int want_tx[4] = { STRATA_SRTP_NO_ROOM, STRATA_SRTP_SSRC_MISMATCH,
					STRATA_SRTP_OK, STRATA_SRTP_REPLAY_DUP };
	static const char *const what_tx[4] = { "protect without room",
						"protect on another SSRC's stream", "protect",
						"protect of a used index" };
	c.pkt = 0;
	check_burst_ok(&c, run_burst(e, STRATA_SRTP_RTP_PROTECT, pl->ops, 4, want_tx), 1);
	for (unsigned i = 0; i < 4; i++)
		check_status(&c, &pl->ops[i], want_tx[i], what_tx[i]);
	check_protected(&c, pl, 2, ref, rcv, false, p->rtp_tag_len);

	srtp_dealloc(snd);
	srtp_dealloc(ref);
	srtp_dealloc(rcv);
	wipe_and_check(&s, p->name);
	wipe_and_check(&s_e0, p->name);
}

/* ---- Rollover in a receiver's first burst ------------------------------------------ */

/*
 * A receiver that joins a stream just before the sequence number wraps
 * gets packets 65528..65535, 0..7 in its very first burst.  Packet by
 * packet (libsrtp, RFC 3711 appendix A) the ones after the wrap have ROC 1;
 * an engine must not estimate them from a state that only the end of the
 * burst commits.  Its own engine, so that a failure here does not also
 * show up as a counter mismatch.  The sender side of the same: a fresh
 * Strata tx whose first burst wraps, read by libsrtp.
 */
static void test_first_burst_rollover(struct pool *pl, unsigned k)
{
	const struct strata_srtp_profile *p = profile_of(k);
	struct tcase c = case_begin("rollover in the first burst", p->name, -1);
	uint64_t rng = case_rng(8, k, 0);
	struct strata_srtp_engine *e = strata_srtp_engine_create();
	struct master m;
	struct strata_srtp_session s, s_tx;
	struct strata_srtp_rx rx;
	struct strata_srtp_tx tx;
	const unsigned n = 16;

	if (e == NULL)
		exit(2);
	master_random(&m, &rng, p->id, false);
	strata_session(&s, e, &m);
	strata_session(&s_tx, e, &m);
	srtp_t snd = lib_session(&m, false), ref = lib_session(&m, false);
	srtp_t rcv = lib_session(&m, true);
	uint32_t ssrc = test_rand(&rng);
	strata_srtp_rx_init(&rx, &s, ssrc);
	strata_srtp_tx_init(&tx, ssrc);

	for (unsigned i = 0; i < n; i++) {
		c.pkt = i;
		uint16_t seq = (uint16_t)(65528 + i);

		pl->plain_len[i] = gen_rtp(&rng, pl->plain[i], ssrc, seq, 0, i + 1);
		lib_protect_for(&c, pl, i, snd, false, &s, &rx);
	}
	c.pkt = 0;
	check_burst_ok(&c, strata_srtp_unprotect(e, pl->ops, n), n);
	for (unsigned i = 0; i < n; i++) {
		c.pkt = i;
		check_unprotected(&c, pl, i);
	}

	for (unsigned i = 0; i < n; i++)
		op_protect(pl, &rng, i, &s_tx, &tx, i % 2, p->rtp_tag_len);
	c.pkt = 0;
	check_burst_ok(&c, strata_srtp_protect(e, pl->ops, n), n);
	for (unsigned i = 0; i < n; i++) {
		c.pkt = i;
		check_protected(&c, pl, i, ref, rcv, false, p->rtp_tag_len);
	}

	srtp_dealloc(snd);
	srtp_dealloc(ref);
	srtp_dealloc(rcv);
	wipe_and_check(&s, p->name);
	wipe_and_check(&s_tx, p->name);
	strata_srtp_engine_destroy(e);
}

/* ---- Key wiping and counters ------------------------------------------------------- */

/* A fresh session of every profile and E setting, wiped: every byte zero. */
static void test_wipe(struct strata_srtp_engine *e)
{
	uint64_t rng = case_rng(9, 0, 0);

	for (unsigned k = 0; k < PROFILES; k++)
		for (int auth_only = 0; auth_only < 2; auth_only++) {
			struct master m;
			struct strata_srtp_session s;

			memset(&s, 0, sizeof(s));
			master_random(&m, &rng, profile_of(k)->id, auth_only);
			strata_session(&s, e, &m);
			wipe_and_check(&s, m.prof->name);
		}
}

static void test_counters(const struct strata_srtp_engine *e)
{
	const struct strata_srtp_counters *cnt = strata_srtp_engine_counters(e);

	for (unsigned d = 0; d < STRATA_SRTP_DIRECTION_COUNT; d++)
		for (unsigned st = 0; st < STRATA_SRTP_STATUS_COUNT; st++)
			CHECK(cnt->status[d][st] == expected[d][st],
			      "counter %s/%s is %" PRIu64 ", expected %" PRIu64
			      " (seed %#" PRIx64 ")",
			      direction_names[d], strata_srtp_status_name((int)st),
			      cnt->status[d][st], expected[d][st], base_seed);
}

int main(void)
{
	const char *env = getenv("STRATA_SRTP_INTEROP_SEED");

	if (env != NULL && *env != '\0')
		base_seed = strtoull(env, NULL, 0);
	printf("srtp_interop: seed %#" PRIx64 "\n", base_seed);
	if (srtp_init() != srtp_err_status_ok) {
		fprintf(stderr, "srtp_init failed\n");
		return 2;
	}
	struct strata_srtp_engine *e = strata_srtp_engine_create();
	struct pool *pl = malloc(sizeof(*pl));
	if (e == NULL || pl == NULL) {
		fprintf(stderr, "out of memory\n");
		return 2;
	}
	printf("srtp_interop: ipsec-mb %s, %s\n", IMB_VERSION_STR, strata_srtp_engine_arch(e));
	test_counters(e); /* a new engine has counted nothing */

	for (unsigned k = 0; k < PROFILES; k++) {
		test_rtp_strata_to_libsrtp(e, pl, k);
		test_rtp_libsrtp_to_strata(e, pl, k);
		for (int auth_only = 0; auth_only < 2; auth_only++) {
			test_rtcp_strata_to_libsrtp(e, pl, k, auth_only);
			test_rtcp_libsrtp_to_strata(e, pl, k, auth_only);
		}
		test_multi_ssrc(e, pl, k, false);
		test_multi_ssrc(e, pl, k, true);
		test_refusals(e, pl, k);
	}
	test_fanout(e, pl, false);
	test_fanout(e, pl, true);
	test_wipe(e);
	test_counters(e);

	for (unsigned k = 0; k < PROFILES; k++)
		test_first_burst_rollover(pl, k);

	strata_srtp_engine_destroy(e);
	free(pl);
	srtp_shutdown();
	return test_summary("srtp_interop");
}
