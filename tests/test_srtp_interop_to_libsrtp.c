/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interop with Strata as the sender: for every profile, RTP and RTCP (with
 * E=1 and E=0), Strata protects and libsrtp2, an independent
 * implementation, unprotects.  The plaintext must come back, and Strata's
 * packet must be byte for byte the one libsrtp protects from the same
 * plaintext, keys and index (both are deterministic), so a wrong IV, AAD or
 * tag layout cannot pass as long as libsrtp has it right.
 *
 * The packets are random but reproducible (interop_packets.h: the seed is
 * printed in every failure), RTP crosses a rollover in the middle of the
 * run, and the bursts are the router's (interop_fixture.h): 32s, one longer
 * than IMB_MAX_BURST_SIZE, in place and into another buffer, with guard
 * bytes past every cap.  At the end the engine's counters must equal the
 * operations run.
 */
#include "interop_fixture.h"

/* Strata protects the flow in bursts; libsrtp must make the same packets
 * and read them. */
static void strata_to_libsrtp(struct strata_srtp_engine *e, struct pool *pl, struct oneway *w)
{
	const bool rtcp = w->f.rtcp;
	struct strata_srtp_tx tx;

	strata_srtp_tx_init(&tx, w->f.ssrc);
	for (unsigned sent = 0, b = 0; sent < w->packets && !case_given_up(&w->c); b++) {
		unsigned n = burst_len(b, w->packets - sent);

		for (unsigned i = 0; i < n; i++) {
			pl->plain_len[i] = flow_next(&w->f, &w->rng, pl->plain[i], sent + i);
			op_protect(pl, &w->rng, i, &w->s, &tx, test_rand(&w->rng) % 2, w->grow);
		}
		w->c.pkt = sent;
		check_burst_ok(&w->c, run_burst(e, fx_dir(rtcp, true), pl->ops, n, NULL), n);
		for (unsigned i = 0; i < n; i++) {
			/* Strata's first SRTCP index is 0, libsrtp's is 1: from
			 * Strata's second packet on the two senders agree. */
			bool first = rtcp && sent + i == 0;
			const struct strata_srtp_op *op = &pl->ops[i];

			w->c.pkt = sent + i;
			check_protected(&w->c, pl, i, first ? NULL : w->lp.ref, w->lp.rcv, rtcp,
					w->grow);
			if (first && op->status == STRATA_SRTP_OK) {
				/* So check the first packet's E||index word by hand. */
				uint32_t word = strata_be32(op->buf + fx_srtcp_word_at(w->p, op->len));

				CHECKC(&w->c, word == (w->auth_only ? 0 : 0x80000000u),
				       "first E||index word %08x", word);
			}
		}
		sent += n;
	}
}

int main(void)
{
	struct strata_srtp_engine *e;
	struct pool *pl;

	interop_begin("srtp_interop_to_libsrtp", &e, &pl);
	for_each_kind(e, pl, "strata->libsrtp", 1, true, strata_to_libsrtp);
	return interop_end("srtp_interop_to_libsrtp", e, pl);
}
