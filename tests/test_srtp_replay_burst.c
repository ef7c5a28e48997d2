/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay protection where tables do not reach: inside one burst.  The
 * engine checks every packet's index against the window before any crypto
 * runs and commits only after its tag verified, so within one burst:
 *   - two copies of one index both pass the first check, and the second
 *     must still be refused (SRTP and SRTCP; across an ipsec-mb sub-burst
 *     boundary too), as must a packet an earlier one pushed out;
 *   - a stream's first burst must give every packet the ROC a
 *     packet-at-a-time receiver would (RFC 3711 appendix A), across a wrap
 *     and with a forgery ahead of a genuine packet;
 *   - a forgery must leave no trace: the stream byte for byte as it was and
 *     the key-usage count untouched, alone or in a burst with the genuine
 *     copy.
 * For every profile; every burst's statuses must add up in the engine's
 * counters (replay_fixture.h).
 */
#include <string.h>

#include "replay_fixture.h"

/*
 * Two copies of one packet in one burst both pass the window check before
 * any crypto runs; the second must still be refused when the first has been
 * accepted.  Likewise a packet the window still holds when the burst starts
 * but that an earlier packet of the same burst pushed out.
 */
static void test_burst_duplicates(struct strata_srtp_engine *e, enum strata_srtp_profile_id id)
{
	struct sessions s;
	struct strata_srtp_rx rx;
	struct sent p[8], big[200];

	if (!sessions_init(&s, e, id, 1024))
		return;
	const char *name = s.tx->profile->name;

	/* SRTP: 1 2 1 3 2 4 4 */
	for (unsigned i = 1; i <= 4; i++)
		make_packet(e, &s, false, i, &p[i]);
	strata_srtp_rx_init(&rx, s.rx, SSRC);
	{
		const struct sent *b[] = { &p[1], &p[2], &p[1], &p[3], &p[2], &p[4], &p[4] };
		const int want[] = { OK, OK, DUP, OK, DUP, OK, DUP };
		burst_expect(e, false, s.rx, &rx, b, want, 7, name);
		CHECK(rx.rtp.top == 4 && s.rx->srtp_packets == 4,
		      "%s: after the burst top %llu, %llu packets", name,
		      (unsigned long long)rx.rtp.top, (unsigned long long)s.rx->srtp_packets);
	}
	/* SRTP: index 1000 is in; 995 is inside the window when the burst
	 * starts, outside once 1000 + 1024 + 5 is accepted ahead of it. */
	make_packet(e, &s, false, 1000, &p[5]);
	make_packet(e, &s, false, 2029, &p[6]);
	make_packet(e, &s, false, 995, &p[7]);
	{
		const struct sent *b0[] = { &p[5] };
		const int want0[] = { OK };
		burst_expect(e, false, s.rx, &rx, b0, want0, 1, name);
		const struct sent *b[] = { &p[6], &p[7] };
		const int want[] = { OK, OLD };
		burst_expect(e, false, s.rx, &rx, b, want, 2, name);
	}

	/* More than one ipsec-mb burst (IMB_MAX_BURST_SIZE) in one call, with
	 * duplicates inside one sub-burst and across two. */
	{
		const struct sent *b[300];
		int want[300];
		unsigned n = 0;

		strata_srtp_rx_init(&rx, s.rx, SSRC);
		for (unsigned i = 0; i < 200; i++) {
			make_packet(e, &s, false, 5000 + i, &big[i]);
			b[n] = &big[i];
			want[n++] = OK;
			if (i % 2 == 1) {
				b[n] = &big[i - 1];
				want[n++] = DUP;
			}
		}
		burst_expect(e, false, s.rx, &rx, b, want, n, name);
		CHECK(rx.rtp.top == 5199, "%s: after 300 ops top %llu", name,
		      (unsigned long long)rx.rtp.top);
	}

	/* SRTCP: 7 7 8 7, then 8 + 128 + 10 ahead of 9 in one burst. */
	strata_srtp_rx_init(&rx, s.rx, SSRC);
	make_packet(e, &s, true, 7, &p[0]);
	make_packet(e, &s, true, 8, &p[1]);
	make_packet(e, &s, true, 146, &p[2]);
	make_packet(e, &s, true, 9, &p[3]);
	{
		const struct sent *b[] = { &p[0], &p[0], &p[1], &p[0] };
		const int want[] = { OK, DUP, OK, DUP };
		burst_expect(e, true, s.rx, &rx, b, want, 4, name);
		const struct sent *b2[] = { &p[2], &p[3] };
		const int want2[] = { OK, OLD };
		burst_expect(e, true, s.rx, &rx, b2, want2, 2, name);
		CHECK(rx.rtcp.top == 146 && s.rx->srtcp_packets == 3,
		      "%s: srtcp top %llu, %llu packets", name, (unsigned long long)rx.rtcp.top,
		      (unsigned long long)s.rx->srtcp_packets);
	}
	sessions_free(&s);
}

/*
 * A stream's first burst: nothing is committed before the crypto runs, yet
 * each packet must get the ROC a packet-at-a-time receiver would give it.
 *   a. SEQ wraps inside the first burst: 0 and 1 after 65533..65535 are ROC 1.
 *   b. A forgery ahead of a genuine packet in the first burst must not
 *      change how the genuine one is estimated: a receiver taking them one
 *      at a time refuses the forgery (state unchanged) and accepts SEQ 5
 *      with ROC 0.  An estimate that trusted the forgery's SEQ 40000 as if
 *      accepted would give SEQ 5 ROC 1 (s_l - 2^15 > SEQ) and refuse the
 *      genuine packet too: one forged packet would cost a genuine one.
 */
static void test_first_burst(struct strata_srtp_engine *e, enum strata_srtp_profile_id id)
{
	struct sessions s;
	struct strata_srtp_rx rx;
	struct sent p[8];

	if (!sessions_init(&s, e, id, 1024))
		return;
	const char *name = s.tx->profile->name;

	make_packet(e, &s, false, 65533, &p[0]);
	make_packet(e, &s, false, IDX(1, 0), &p[1]);
	make_packet(e, &s, false, 65535, &p[2]);
	make_packet(e, &s, false, IDX(1, 1), &p[3]);
	make_packet(e, &s, false, 65534, &p[4]);
	strata_srtp_rx_init(&rx, s.rx, SSRC);
	{
		const struct sent *b[] = { &p[0], &p[1], &p[2], &p[3], &p[4], &p[1] };
		const int want[] = { OK, OK, OK, OK, OK, DUP };
		burst_expect(e, false, s.rx, &rx, b, want, 6, "first burst, SEQ wraps");
		CHECK(rx.rtp.top == IDX(1, 1), "%s: first-burst wrap left top %#llx, want %#llx", name,
		      (unsigned long long)rx.rtp.top, (unsigned long long)IDX(1, 1));
	}

	/* b: the forgery is a real packet of SEQ 40000 with its tag damaged. */
	make_packet(e, &s, false, 40000, &p[5]);
	p[5].pkt[p[5].len - 1] ^= 0x01;
	make_packet(e, &s, false, 5, &p[6]);
	strata_srtp_rx_init(&rx, s.rx, SSRC);
	{
		const struct sent *b[] = { &p[5], &p[6] };
		const int want[] = { AUTH, OK };
		burst_expect(e, false, s.rx, &rx, b, want, 2, "first burst, forgery ahead");
		CHECK(rx.rtp.started && rx.rtp.top == 5,
		      "%s: a forgery in the first burst: top %#llx (started %d), want 5", name,
		      (unsigned long long)rx.rtp.top, rx.rtp.started);
	}
	sessions_free(&s);
}

/*
 * A forgery must leave no trace: the stream byte for byte as it was, and
 * the key-usage count untouched, whether it would have moved the window
 * forward, filled a hole in it, or came in one burst with the genuine copy.
 */
static void test_forgery_leaves_no_trace(struct strata_srtp_engine *e,
					 enum strata_srtp_profile_id id)
{
	struct sessions s;
	struct strata_srtp_rx rx, rx0;
	struct strata_srtp_session s0;

	if (!sessions_init(&s, e, id, 1024))
		return;
	const char *name = s.tx->profile->name;

	for (int rtcp = 0; rtcp <= 1; rtcp++) {
		struct sent p[16], forged[16];

		strata_srtp_rx_init(&rx, s.rx, SSRC);
		for (unsigned i = 1; i <= 13; i++) {
			make_packet(e, &s, rtcp, i, &p[i]);
			forged[i] = p[i];
			forged[i].pkt[fx_last_tag_byte(s.tx->profile, rtcp, p[i].len)] ^= 0x01;
			if (i <= 10 && i != 7)
				CHECK(unprotect(e, rtcp, s.rx, &rx, p[i].pkt, p[i].len, NULL, NULL) == OK,
				      "%s: history packet %u refused", name, i);
		}

		/* 7: a hole in the window; 11: ahead, would move it; a
		 * payload bit rather than the tag. */
		struct sent payload = p[12];
		payload.pkt[rtcp ? 9 : STRATA_RTP_FIXED_HEADER_LEN + 1] ^= 0x80;
		const struct sent *cases[] = { &forged[7], &forged[11], &payload };
		for (size_t k = 0; k < ARRAY_LEN(cases); k++) {
			memcpy(&rx0, &rx, sizeof(rx));
			memcpy(&s0, s.rx, sizeof(s0));
			int st = unprotect(e, rtcp, s.rx, &rx, cases[k]->pkt, cases[k]->len, NULL,
					   NULL);
			CHECK(st == AUTH, "%s %s forgery %zu: %s, want auth_fail", name,
			      rtcp ? "srtcp" : "srtp", k, st_name(st));
			CHECK(memcmp(&rx, &rx0, sizeof(rx)) == 0,
			      "%s %s forgery %zu: the stream changed", name, rtcp ? "srtcp" : "srtp", k);
			CHECK(memcmp(s.rx, &s0, sizeof(s0)) == 0,
			      "%s %s forgery %zu: the session changed (packets %llu/%llu, were %llu/%llu)",
			      name, rtcp ? "srtcp" : "srtp", k, (unsigned long long)s.rx->srtp_packets,
			      (unsigned long long)s.rx->srtcp_packets,
			      (unsigned long long)s0.srtp_packets, (unsigned long long)s0.srtcp_packets);
		}
		/* The genuine packets still go in after their forgeries. */
		CHECK(unprotect(e, rtcp, s.rx, &rx, p[7].pkt, p[7].len, NULL, NULL) == OK,
		      "%s: 7 refused after its forgery", name);
		CHECK(unprotect(e, rtcp, s.rx, &rx, p[11].pkt, p[11].len, NULL, NULL) == OK,
		      "%s: 11 refused after its forgery", name);

		/* In one burst: forgery first, then genuine; genuine, then
		 * forgery (the tag is checked before the window, so a forged
		 * copy is AUTH_FAIL, not a duplicate). */
		const struct sent *b[] = { &forged[12], &p[12], &p[13], &forged[13] };
		const int want[] = { AUTH, OK, OK, AUTH };
		uint64_t before = rtcp ? s.rx->srtcp_packets : s.rx->srtp_packets;
		burst_expect(e, rtcp, s.rx, &rx, b, want, 4, name);
		uint64_t after = rtcp ? s.rx->srtcp_packets : s.rx->srtp_packets;
		CHECK(after == before + 2, "%s: a burst with two forgeries counted %llu packets",
		      name, (unsigned long long)(after - before));
		CHECK((rtcp ? rx.rtcp.top : rx.rtp.top) == 13, "%s: top after the burst", name);
	}
	sessions_free(&s);
}

int main(void)
{
	static fx_profile_test *const tests[] = {
		test_burst_duplicates, test_first_burst, test_forgery_leaves_no_trace,
	};

	return fx_main_profiles("srtp_replay_burst", tests, ARRAY_LEN(tests));
}
