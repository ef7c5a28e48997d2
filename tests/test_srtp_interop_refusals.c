/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interop refusals: packets that must be refused sit among good ones in
 * one burst, with libsrtp2 making the packets and checking what Strata
 * protects.  Tampered, replayed (inside one burst and across two), SRTCP
 * with the wrong E flag, no room, another SSRC's stream: each its own
 * status, the good ones still right, and a refused protect does not use up
 * its index.  This also gives the engine's counters, which must at the end
 * equal the operations run by direction and status, something other than
 * OK to count.  Last, a fresh session of every profile and E setting is
 * wiped and must be all zero.
 */
#include "interop_fixture.h"

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

/* What op i of a burst must come to, and what it is. */
struct expect {
	int status;
	const char *what;
};

/*
 * Runs ops[0, n) in direction d expecting x[i].status, and checks the
 * burst's count and each status; then the plaintext of every unprotect
 * that succeeded.
 */
static void run_expect(struct strata_srtp_engine *e, const struct tcase *c, struct pool *pl,
		       enum strata_srtp_direction d, const struct expect *x, unsigned n)
{
	int want[MAX_OPS];
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++) {
		want[i] = x[i].status;
		ok += want[i] == OK;
	}
	check_burst_ok(c, run_burst(e, d, pl->ops, n, want), ok);
	for (unsigned i = 0; i < n; i++) {
		check_status(c, &pl->ops[i], want[i], x[i].what);
		if (want[i] == OK && (d == STRATA_SRTP_RTP_UNPROTECT || d == STRATA_SRTP_RTCP_UNPROTECT))
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
	const struct strata_srtp_profile *p = fx_profile(k);
	struct tcase c = case_begin("refusals", p->name, -1);
	uint64_t rng = case_rng(7, k, 0);
	struct lib_peer lp;
	struct master m_e0;
	struct strata_srtp_session s, s_e0;
	struct strata_srtp_rx rx, rx_e0;
	struct strata_srtp_tx tx, other;

	lib_peer_open(&lp, &rng, p->id, false);
	m_e0 = lp.m;
	m_e0.rtcp_auth_only = true; /* the same key, SRTCP with E=0 */
	strata_session(&s, e, &lp.m);
	strata_session(&s_e0, e, &m_e0);
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
		lib_protect_for(&c, pl, i, lp.snd, false, &s, &rx);
	}
	duplicate(pl, 0, 1);
	duplicate(pl, 0, 2);
	duplicate(pl, 3, 4);
	pl->a[0][pl->in_len[0] - 1] ^= 0x01;
	for (unsigned i = 0; i < 5; i++)
		op_unprotect(pl, i, &s, &rx, pl->in_len[i]);
	static const struct expect rtp[] = {
		{ AUTH, "tampered rtp" }, { OK, "rtp" }, { DUP, "rtp twice in a burst" },
		{ OK, "next rtp" },
	};
	run_expect(e, &c, pl, STRATA_SRTP_RTP_UNPROTECT, rtp, ARRAY_LEN(rtp));
	duplicate(pl, 4, 0);
	op_unprotect(pl, 0, &s, &rx, pl->in_len[0]);
	static const struct expect dup[] = { { DUP, "rtp replayed in a later burst" } };
	run_expect(e, &c, pl, STRATA_SRTP_RTP_UNPROTECT, dup, ARRAY_LEN(dup));

	/* SRTCP (E=1): [tampered ciphertext, good, good again], then the same
	 * packet to the E=0 session of the same key. */
	pl->plain_len[0] = 40;
	gen_rtcp(&rng, pl->plain[0], ssrc, 40);
	lib_protect_for(&c, pl, 0, lp.snd, true, &s, &rx);
	for (unsigned i = 1; i < 4; i++)
		duplicate(pl, 0, i);
	pl->a[0][20] ^= 0x01;
	for (unsigned i = 0; i < 3; i++)
		op_unprotect(pl, i, &s, &rx, pl->in_len[i]);
	static const struct expect rtcp[] = {
		{ AUTH, "tampered rtcp" }, { OK, "rtcp" }, { DUP, "rtcp twice in a burst" },
	};
	run_expect(e, &c, pl, STRATA_SRTP_RTCP_UNPROTECT, rtcp, ARRAY_LEN(rtcp));
	duplicate(pl, 3, 0);
	op_unprotect(pl, 0, &s_e0, &rx_e0, pl->in_len[0]);
	static const struct expect e_flag[] = { { E_FLAG, "rtcp E=1 to an E=0 session" } };
	run_expect(e, &c, pl, STRATA_SRTP_RTCP_UNPROTECT, e_flag, ARRAY_LEN(e_flag));

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
	static const struct expect tx_rows[] = {
		{ NO_ROOM, "protect without room" },
		{ SSRC_MISMATCH, "protect on another SSRC's stream" },
		{ OK, "protect" },
		{ DUP, "protect of a used index" },
	};
	c.pkt = 0;
	run_expect(e, &c, pl, STRATA_SRTP_RTP_PROTECT, tx_rows, ARRAY_LEN(tx_rows));
	check_protected(&c, pl, 2, lp.ref, lp.rcv, false, p->rtp_tag_len);

	lib_peer_close(&lp);
	wipe_and_check(&s, p->name);
	wipe_and_check(&s_e0, p->name);
}

/* ---- Key wiping ---------------------------------------------------------------------- */

/* A fresh session of every profile and E setting, wiped: every byte zero. */
static void test_wipe(struct strata_srtp_engine *e)
{
	uint64_t rng = case_rng(9, 0, 0);

	for (unsigned k = 0; k < FX_PROFILES; k++)
		for (int auth_only = 0; auth_only < 2; auth_only++) {
			struct master m;
			struct strata_srtp_session s;

			memset(&s, 0, sizeof(s));
			master_random(&m, &rng, fx_profile(k)->id, auth_only);
			strata_session(&s, e, &m);
			wipe_and_check(&s, m.prof->name);
		}
}

int main(void)
{
	struct strata_srtp_engine *e;
	struct pool *pl;

	interop_begin("srtp_interop_refusals", &e, &pl);
	for (unsigned k = 0; k < FX_PROFILES; k++)
		test_refusals(e, pl, k);
	test_wipe(e);
	return interop_end("srtp_interop_refusals", e, pl);
}
