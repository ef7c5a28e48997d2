/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interop with Strata as the receiver: for every profile, RTP and RTCP
 * (with E=1 and E=0), libsrtp2, an independent implementation, protects and
 * Strata unprotects: STRATA_SRTP_OK and the plaintext, with nothing written
 * past the packet.
 *
 * The packets are random but reproducible (interop_packets.h: the seed is
 * printed in every failure), RTP crosses a rollover in the middle of the
 * run, and the bursts are the router's (interop_fixture.h).  At the end the
 * engine's counters must equal the operations run.  Last, on an engine of
 * its own, a receiver whose very first burst spans the rollover, and a
 * sender whose first burst does.
 */
#include "interop_fixture.h"

/* libsrtp protects the flow; Strata unprotects it in bursts. */
static void libsrtp_to_strata(struct strata_srtp_engine *e, struct pool *pl, struct oneway *w)
{
	struct strata_srtp_rx rx;

	strata_srtp_rx_init(&rx, &w->s, w->f.ssrc);
	for (unsigned sent = 0, b = 0; sent < w->packets && !case_given_up(&w->c); b++) {
		unsigned n = burst_len(b, w->packets - sent);

		for (unsigned i = 0; i < n; i++) {
			w->c.pkt = sent + i;
			pl->plain_len[i] = flow_next(&w->f, &w->rng, pl->plain[i], sent + i);
			lib_protect_for(&w->c, pl, i, w->lp.snd, w->f.rtcp, &w->s, &rx);
		}
		check_unprotect_burst(&w->c, pl, sent, n,
				      run_burst(e, fx_dir(w->f.rtcp, false), pl->ops, n, NULL));
		sent += n;
	}
}

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
	const struct strata_srtp_profile *p = fx_profile(k);
	struct tcase c = case_begin("rollover in the first burst", p->name, -1);
	uint64_t rng = case_rng(8, k, 0);
	struct strata_srtp_engine *e = strata_srtp_engine_create();
	struct lib_peer lp;
	struct strata_srtp_session s, s_tx;
	struct strata_srtp_rx rx;
	struct strata_srtp_tx tx;
	const unsigned n = 16;

	if (e == NULL)
		exit(2);
	lib_peer_open(&lp, &rng, p->id, false);
	strata_session(&s, e, &lp.m);
	strata_session(&s_tx, e, &lp.m);
	uint32_t ssrc = test_rand(&rng);
	strata_srtp_rx_init(&rx, &s, ssrc);
	strata_srtp_tx_init(&tx, ssrc);

	for (unsigned i = 0; i < n; i++) {
		c.pkt = i;
		uint16_t seq = (uint16_t)(65528 + i);

		pl->plain_len[i] = gen_rtp(&rng, pl->plain[i], ssrc, seq, 0, i + 1);
		lib_protect_for(&c, pl, i, lp.snd, false, &s, &rx);
	}
	check_unprotect_burst(&c, pl, 0, n, fx_burst(e, STRATA_SRTP_RTP_UNPROTECT, pl->ops, n));

	for (unsigned i = 0; i < n; i++)
		op_protect(pl, &rng, i, &s_tx, &tx, i % 2, p->rtp_tag_len);
	c.pkt = 0;
	check_burst_ok(&c, fx_burst(e, STRATA_SRTP_RTP_PROTECT, pl->ops, n), n);
	for (unsigned i = 0; i < n; i++) {
		c.pkt = i;
		check_protected(&c, pl, i, lp.ref, lp.rcv, false, p->rtp_tag_len);
	}

	lib_peer_close(&lp);
	wipe_and_check(&s, p->name);
	wipe_and_check(&s_tx, p->name);
	strata_srtp_engine_destroy(e);
}

int main(void)
{
	struct strata_srtp_engine *e;
	struct pool *pl;

	interop_begin("srtp_interop_from_libsrtp", &e, &pl);
	for_each_kind(e, pl, "libsrtp->strata", 2, false, libsrtp_to_strata);
	for (unsigned k = 0; k < FX_PROFILES; k++)
		test_first_burst_rollover(pl, k);
	return interop_end("srtp_interop_from_libsrtp", e, pl);
}
