/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The limits of an index space and of a key: the sender never encrypts two
 * packets under one index (RFC 3711 section 9.1), whether sent again, with
 * another payload, twice in one burst or past the last ROC; and at most
 * 2^48 SRTP and 2^31 SRTCP packets under one master key (section 9.2), with
 * the SRTCP index 31 bits, on both sides.  Every refusal must change
 * nothing.  For every profile; every burst's statuses must add up in the
 * engine's counters (replay_fixture.h).
 */
#include <string.h>

#include "replay_fixture.h"

/* Snapshot helpers: a refused protect must leave sender and session alone. */
struct tx_snap {
	struct strata_srtp_tx tx;
	uint64_t srtp_packets, srtcp_packets;
};

static void tx_snap(struct tx_snap *sn, const struct strata_srtp_tx *tx,
		    const struct strata_srtp_session *s)
{
	memcpy(&sn->tx, tx, sizeof(*tx));
	sn->srtp_packets = s->srtp_packets;
	sn->srtcp_packets = s->srtcp_packets;
}

static bool tx_same(const struct tx_snap *sn, const struct strata_srtp_tx *tx,
		    const struct strata_srtp_session *s)
{
	return memcmp(&sn->tx, tx, sizeof(*tx)) == 0 && sn->srtp_packets == s->srtp_packets &&
	       sn->srtcp_packets == s->srtcp_packets;
}

/* Protects a plaintext with the given SEQ (SRTP) on tx; returns the status
 * and checks that a refusal changed nothing. */
static int send_seq(struct strata_srtp_engine *e, struct strata_srtp_session *s,
		    struct strata_srtp_tx *tx, uint16_t seq, uint8_t fill)
{
	uint8_t plain[MAX_OUT], out[MAX_OUT];
	uint32_t len = rtp_plain(plain, SSRC, seq), out_len;
	struct tx_snap sn;

	memset(plain + STRATA_RTP_FIXED_HEADER_LEN, fill, PAYLOAD_LEN);
	tx_snap(&sn, tx, s);
	int st = protect(e, false, s, tx, plain, len, out, sizeof(out), &out_len);
	if (st != OK)
		CHECK(tx_same(&sn, tx, s), "protect seq %u refused (%s), yet the sender changed",
		      seq, st_name(st));
	return st;
}

/*
 * The sender never encrypts two packets under one index (RFC 3711 section
 * 9.1: the keystream would repeat), even with different payloads.
 */
static void test_sender_never_reuses(struct strata_srtp_engine *e, enum strata_srtp_profile_id id)
{
	static const struct {
		uint16_t seq;
		uint8_t fill;
		int status;
		uint64_t top;
	} rows[] = {
		{ 5, 0x11, OK, 5 },
		{ 5, 0x11, DUP, 5 },        /* the same packet again */
		{ 5, 0x22, DUP, 5 },        /* another packet, same index */
		{ 6, 0x11, OK, 6 },
		{ 4, 0x11, OK, 6 },         /* sending out of order is allowed */
		{ 4, 0x33, DUP, 6 },
		{ 300, 0x11, OK, 300 },
		{ 300 - STRATA_SRTP_TX_WINDOW, 0x11, OLD, 300 }, /* beyond the sender's memory */
		{ 300 - STRATA_SRTP_TX_WINDOW + 1, 0x11, OK, 300 },
		{ 30000, 0x11, OK, 30000 },
		{ 60000, 0x11, OK, 60000 },
		{ 65535, 0x11, OK, 65535 },
		{ 0, 0x11, OK, IDX(1, 0) },   /* the sender's own ROC advances */
		{ 65535, 0x44, DUP, IDX(1, 0) },
		{ 0, 0x44, DUP, IDX(1, 0) },
	};
	struct sessions s;
	struct strata_srtp_tx tx;

	if (!sessions_init(&s, e, id, 0))
		return;
	strata_srtp_tx_init(&tx, SSRC);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		int st = send_seq(e, s.tx, &tx, rows[i].seq, rows[i].fill);

		CHECK(st == rows[i].status, "%s sender row %zu (seq %u): %s, want %s",
		      s.tx->profile->name, i, rows[i].seq, st_name(st), st_name(rows[i].status));
		CHECK(tx.rtp.top == rows[i].top, "%s sender row %zu: top %#llx, want %#llx",
		      s.tx->profile->name, i, (unsigned long long)tx.rtp.top,
		      (unsigned long long)rows[i].top);
	}

	/* Twice in one burst: the sender commits an index as it queues it. */
	{
		uint8_t plain[MAX_OUT], out[2][MAX_OUT];
		uint32_t len = rtp_plain(plain, SSRC, 77);
		struct strata_srtp_op ops[2];

		strata_srtp_tx_init(&tx, SSRC);
		for (int i = 0; i < 2; i++)
			ops[i] = (struct strata_srtp_op){ .session = s.tx, .tx = &tx, .src = plain,
							  .buf = out[i], .len = len, .cap = MAX_OUT };
		run_burst(e, STRATA_SRTP_RTP_PROTECT, ops, 2);
		CHECK(ops[0].status == OK && ops[1].status == DUP,
		      "%s: SEQ 77 twice in one burst: %s, %s", s.tx->profile->name,
		      st_name(ops[0].status), st_name(ops[1].status));
	}

	/* At the last index there is, the next SEQ would need ROC 2^32. */
	strata_srtp_tx_init(&tx, SSRC);
	tx.rtp.top = IDX(ROC_MAX, 0xfffe);
	tx.rtp.started = true;
	CHECK(send_seq(e, s.tx, &tx, 0xffff, 0) == OK, "%s: the last index refused",
	      s.tx->profile->name);
	CHECK(send_seq(e, s.tx, &tx, 0, 0) == EXPIRED, "%s: SEQ 0 after the last index",
	      s.tx->profile->name);
	CHECK(send_seq(e, s.tx, &tx, 1000, 0) == EXPIRED, "%s: SEQ 1000 after the last index",
	      s.tx->profile->name);
	sessions_free(&s);
}

/*
 * The receiver's side of a lifetime of 2^bits packets (SRTP or SRTCP): with
 * 2^bits counted, packet `last` is refused and changes nothing; with one
 * fewer it is accepted, the 2^bits-th, and `next` is refused after it.
 */
static void rx_lifetime(struct strata_srtp_engine *e, struct sessions *s, bool rtcp,
			unsigned bits, uint64_t last, uint64_t next)
{
	const char *name = s->rx->profile->name, *kind = rtcp ? "srtcp " : "";
	uint64_t *count = rtcp ? &s->rx->srtcp_packets : &s->rx->srtp_packets;
	struct strata_srtp_rx rx, rx0;
	struct sent pkt;

	make_packet(e, s, rtcp, last, &pkt);
	strata_srtp_rx_init(&rx, s->rx, SSRC);
	*count = 1ull << bits;
	memcpy(&rx0, &rx, sizeof(rx));
	CHECK(unprotect(e, rtcp, s->rx, &rx, pkt.pkt, pkt.len, NULL, NULL) == EXPIRED,
	      "%s: %sunprotect at 2^%u packets", name, kind, bits);
	CHECK(memcmp(&rx, &rx0, sizeof(rx)) == 0 && *count == 1ull << bits,
	      "%s: expired %sunprotect changed state", name, kind);
	*count = (1ull << bits) - 1;
	CHECK(unprotect(e, rtcp, s->rx, &rx, pkt.pkt, pkt.len, NULL, NULL) == OK,
	      "%s: %sunprotect of index %#llx, the 2^%uth packet", name, kind,
	      (unsigned long long)last, bits);
	make_packet(e, s, rtcp, next, &pkt);
	CHECK(unprotect(e, rtcp, s->rx, &rx, pkt.pkt, pkt.len, NULL, NULL) == EXPIRED,
	      "%s: %sunprotect after the 2^%uth", name, kind, bits);
}

/*
 * RFC 3711 section 9.2: at most 2^48 SRTP and 2^31 SRTCP packets under one
 * master key; and the SRTCP index is 31 bits.  The limits hold on both
 * sides and a refusal changes nothing.
 */
static void test_key_lifetime(struct strata_srtp_engine *e, enum strata_srtp_profile_id id)
{
	struct sessions s;
	struct strata_srtp_tx tx;
	struct tx_snap sn;
	uint8_t plain[MAX_OUT], out[MAX_OUT];
	uint32_t len, out_len;

	if (!sessions_init(&s, e, id, 0))
		return;
	const char *name = s.tx->profile->name;

	/* SRTP, sender. */
	strata_srtp_tx_init(&tx, SSRC);
	s.tx->srtp_packets = 1ull << 48;
	CHECK(send_seq(e, s.tx, &tx, 1, 0) == EXPIRED, "%s: protect at 2^48 packets", name);
	CHECK(!tx.rtp.started && s.tx->srtp_packets == 1ull << 48, "%s: expired protect counted",
	      name);
	s.tx->srtp_packets = (1ull << 48) - 1;
	CHECK(send_seq(e, s.tx, &tx, 1, 0) == OK, "%s: protect the 2^48th packet", name);
	CHECK(s.tx->srtp_packets == 1ull << 48, "%s: the 2^48th packet not counted", name);
	CHECK(send_seq(e, s.tx, &tx, 2, 0) == EXPIRED, "%s: protect after the 2^48th", name);

	/* SRTP, receiver. */
	s.tx->srtp_packets = 0;
	rx_lifetime(e, &s, false, 48, 10, 11);

	/* SRTCP, sender: the packet count, then the 31-bit index. */
	static const struct {
		uint64_t packets;
		uint32_t index;
		int status;
	} rtcp_rows[] = {
		{ 1ull << 31, 5, EXPIRED },
		{ (1ull << 31) - 1, 5, OK },
		{ 0, 0x80000000u, EXPIRED },
		{ 0, 0xffffffffu, EXPIRED },
		{ 0, 0x7fffffffu, OK }, /* the last index: leaves 0x80000000 */
	};
	for (size_t i = 0; i < ARRAY_LEN(rtcp_rows); i++) {
		strata_srtp_tx_init(&tx, SSRC);
		tx.rtcp_index = rtcp_rows[i].index;
		s.tx->srtcp_packets = rtcp_rows[i].packets;
		len = rtcp_plain(plain, SSRC, 0);
		tx_snap(&sn, &tx, s.tx);
		int st = protect(e, true, s.tx, &tx, plain, len, out, sizeof(out), &out_len);
		CHECK(st == rtcp_rows[i].status, "%s srtcp lifetime row %zu: %s, want %s", name, i,
		      st_name(st), st_name(rtcp_rows[i].status));
		if (st != OK)
			CHECK(tx_same(&sn, &tx, s.tx), "%s srtcp lifetime row %zu: state changed", name,
			      i);
		else
			CHECK(s.tx->srtcp_packets == rtcp_rows[i].packets + 1 &&
			      tx.rtcp_index == rtcp_rows[i].index + 1,
			      "%s srtcp lifetime row %zu: not counted", name, i);
	}
	/* The sender that used the last index has none left. */
	CHECK(tx.rtcp_index == 0x80000000u, "%s: rtcp_index after the last: %#x", name,
	      tx.rtcp_index);
	tx_snap(&sn, &tx, s.tx);
	CHECK(protect(e, true, s.tx, &tx, plain, len, out, sizeof(out), &out_len) == EXPIRED,
	      "%s: srtcp protect after index 0x7fffffff", name);
	CHECK(tx_same(&sn, &tx, s.tx), "%s: expired srtcp protect changed state", name);

	/* SRTCP, receiver: the packet count; the last index is accepted. */
	s.tx->srtcp_packets = 0;
	rx_lifetime(e, &s, true, 31, 0x7fffffff, 0x7ffffffe);
	sessions_free(&s);
}

int main(void)
{
	static fx_profile_test *const tests[] = { test_sender_never_reuses, test_key_lifetime };

	return fx_main_profiles("srtp_replay_limits", tests, ARRAY_LEN(tests));
}
