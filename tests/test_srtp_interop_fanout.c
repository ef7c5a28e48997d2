/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interop of bursts that mix streams, checked packet by packet against
 * libsrtp2: one packet fanned out to 16 receivers with their own keys and
 * profiles in one burst (the router's forwarding step), and several SSRCs
 * on one session in random order (a bundle from one peer).  RTP and RTCP,
 * both directions for the SSRCs; every session is wiped and checked to be
 * all zero, and at the end the engine's counters must equal the operations
 * run.  Packets and bursts as in the other interop tests (interop_packets.h,
 * interop_fixture.h).
 */
#include "interop_fixture.h"

#define FANOUT 16
#define SSRCS 8

/* ---- Fan-out: one packet, 16 receivers, one burst ------------------------------- */

struct receiver {
	struct lib_peer lp;
	struct strata_srtp_session s;
	struct strata_srtp_tx tx;
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
	struct flow f;
	enum strata_srtp_direction d = fx_dir(rtcp, true);

	flow_start(&f, &rng, rtcp, packets - 50);
	if (r == NULL)
		exit(2);
	for (unsigned j = 0; j < FANOUT; j++) {
		bool auth_only = rtcp && (j / FX_PROFILES) % 2;

		lib_peer_open(&r[j].lp, &rng, fx_profile(j % FX_PROFILES)->id, auth_only);
		strata_session(&r[j].s, e, &r[j].lp.m);
		r[j].ssrc = j < FANOUT / 2 ? f.ssrc : f.ssrc + j;
		strata_srtp_tx_init(&r[j].tx, r[j].ssrc);
	}

	for (unsigned n = 0; n < packets && !case_given_up(&c); n++) {
		uint8_t src[SLOT];
		uint32_t len;

		c.pkt = n;
		len = flow_next(&f, &rng, src, n);
		for (unsigned j = 0; j < FANOUT; j++) {
			uint32_t grow = fx_grow(r[j].lp.m.prof, rtcp);

			memcpy(pl->plain[j], src, len);
			strata_put_be32(pl->plain[j] + (rtcp ? 4 : 8), r[j].ssrc);
			pl->plain_len[j] = len;
			op_protect(pl, &rng, j, &r[j].s, &r[j].tx, false, grow);
			if (j < FANOUT / 2)
				pl->ops[j].src = src; /* one source for the first half */
		}
		check_burst_ok(&c, run_burst(e, d, pl->ops, FANOUT, NULL), FANOUT);
		check_bytes(&c, src, pl->plain[0], len, "shared source after the fan-out");
		for (unsigned j = 0; j < FANOUT; j++) {
			const struct master *m = &r[j].lp.m;
			struct tcase cj = c;
			/* libsrtp starts SRTCP at index 1: no reference for 0. */
			srtp_t ref = rtcp && n == 0 ? NULL : r[j].lp.ref;

			cj.profile = m->prof->name;
			if (rtcp)
				cj.rtcp = m->rtcp_auth_only ? " E=0" : " E=1";
			check_protected(&cj, pl, j, ref, r[j].lp.rcv, rtcp, fx_grow(m->prof, rtcp));
		}
	}
	for (unsigned j = 0; j < FANOUT; j++) {
		if (!rtcp)
			check_roc(&c, r[j].lp.rcv, r[j].ssrc, 1);
		lib_peer_close(&r[j].lp);
		wipe_and_check(&r[j].s, r[j].lp.m.prof->name);
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
	const struct strata_srtp_profile *p = fx_profile(k);
	const unsigned packets = rtcp ? 600 : 2000;
	uint32_t grow = fx_grow(p, rtcp);
	struct tcase c = case_begin(rtcp ? "rtcp multi-ssrc" : "rtp multi-ssrc", p->name, -1);
	uint64_t rng = case_rng(6, k, rtcp);
	struct lib_peer lp;
	struct strata_srtp_session tx_s, rx_s;
	struct strata_srtp_tx tx[SSRCS];
	struct strata_srtp_rx rx[SSRCS];
	struct flow f[SSRCS];
	unsigned pick[MAX_OPS];
	bool rtcp_seen[SSRCS] = { false };

	lib_peer_open(&lp, &rng, p->id, false);
	strata_session(&tx_s, e, &lp.m);
	strata_session(&rx_s, e, &lp.m);
	for (unsigned j = 0; j < SSRCS; j++) {
		/* About packets / SSRCS each: wrap well before that. */
		flow_start(&f[j], &rng, rtcp, packets / SSRCS / 2);
		strata_srtp_tx_init(&tx[j], f[j].ssrc);
		strata_srtp_rx_init(&rx[j], &rx_s, f[j].ssrc);
	}

	for (unsigned sent = 0, b = 0; sent < packets && !case_given_up(&c); b++) {
		unsigned n = burst_len(b, packets - sent);

		/* Strata -> libsrtp. */
		for (unsigned i = 0; i < n; i++) {
			unsigned j = pick[i] = test_rand(&rng) % SSRCS;

			pl->plain_len[i] = flow_next(&f[j], &rng, pl->plain[i], sent + i);
			op_protect(pl, &rng, i, &tx_s, &tx[j], test_rand(&rng) % 2, grow);
		}
		c.pkt = sent;
		check_burst_ok(&c, run_burst(e, fx_dir(rtcp, true), pl->ops, n, NULL), n);
		for (unsigned i = 0; i < n; i++) {
			/* Each Strata stream's first SRTCP index is 0, libsrtp's
			 * is 1: no reference for a stream's first packet. */
			bool first = rtcp && !rtcp_seen[pick[i]];

			rtcp_seen[pick[i]] = true;
			c.pkt = sent + i;
			check_protected(&c, pl, i, first ? NULL : lp.ref, lp.rcv, rtcp, grow);
		}

		/* libsrtp -> Strata, the same plaintexts. */
		for (unsigned i = 0; i < n; i++) {
			c.pkt = sent + i;
			lib_protect_for(&c, pl, i, lp.snd, rtcp, &rx_s, &rx[pick[i]]);
		}
		check_unprotect_burst(&c, pl, sent, n,
				      run_burst(e, fx_dir(rtcp, false), pl->ops, n, NULL));
		sent += n;
	}
	if (!rtcp)
		for (unsigned j = 0; j < SSRCS; j++)
			check_roc(&c, lp.rcv, f[j].ssrc, 1);
	lib_peer_close(&lp);
	wipe_and_check(&tx_s, p->name);
	wipe_and_check(&rx_s, p->name);
}

int main(void)
{
	struct strata_srtp_engine *e;
	struct pool *pl;

	interop_begin("srtp_interop_fanout", &e, &pl);
	for (unsigned k = 0; k < FX_PROFILES; k++) {
		test_multi_ssrc(e, pl, k, false);
		test_multi_ssrc(e, pl, k, true);
	}
	test_fanout(e, pl, false);
	test_fanout(e, pl, true);
	return interop_end("srtp_interop_fanout", e, pl);
}
