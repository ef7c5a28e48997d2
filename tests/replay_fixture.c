/* SPDX-License-Identifier: BSD-3-Clause */
/* What the end-to-end replay tests share: see replay_fixture.h. */
#include <stdlib.h>
#include <string.h>

#include "replay_fixture.h"

void run_burst(struct strata_srtp_engine *e, enum strata_srtp_direction dir,
	       struct strata_srtp_op *ops, unsigned n)
{
	struct strata_srtp_counters before = *strata_srtp_engine_counters(e);
	unsigned ok = fx_burst(e, dir, ops, n), want_ok = 0;

	for (unsigned i = 0; i < n; i++) {
		CHECK(ops[i].status >= 0 && ops[i].status < STRATA_SRTP_STATUS_COUNT,
		      "op %u: status %d not set", i, ops[i].status);
		if (ops[i].status >= 0 && ops[i].status < STRATA_SRTP_STATUS_COUNT)
			before.status[dir][ops[i].status]++;
		want_ok += ops[i].status == OK;
	}
	CHECK(ok == want_ok, "burst of %u: returned %u, %u statuses are ok", n, ok, want_ok);
	CHECK(memcmp(&before, strata_srtp_engine_counters(e), sizeof(before)) == 0,
	      "burst of %u: the counters do not add up to the statuses", n);
}

uint32_t rtp_plain(uint8_t *p, uint32_t ssrc, uint64_t index)
{
	return fx_rtp(p, (uint16_t)index, (uint32_t)index * 3000u, ssrc, PAYLOAD_LEN,
		      (uint8_t)(index * 31 + (index >> 16) * 7));
}

uint32_t rtcp_plain(uint8_t *p, uint32_t ssrc, uint64_t index)
{
	return fx_rtcp(p, ssrc, RTCP_LEN - STRATA_RTCP_FIXED_HEADER_LEN,
		       (uint8_t)(index * 17 + STRATA_RTCP_FIXED_HEADER_LEN));
}

bool sessions_init(struct sessions *s, struct strata_srtp_engine *e, enum strata_srtp_profile_id id,
		   uint16_t window)
{
	struct strata_srtp_policy pol = fx_policy(id);

	pol.replay_window = window;
	s->tx = fx_zalloc64(sizeof(*s->tx));
	s->rx = fx_zalloc64(sizeof(*s->rx));
	int a = strata_srtp_session_init(s->tx, e, &pol);
	int b = strata_srtp_session_init(s->rx, e, &pol);
	CHECK(a == OK && b == OK, "session_init(profile %d, window %u): %s, %s", id, window,
	      st_name(a), st_name(b));
	return a == OK && b == OK;
}

void sessions_free(struct sessions *s)
{
	strata_srtp_session_wipe(s->tx);
	strata_srtp_session_wipe(s->rx);
	free(s->tx);
	free(s->rx);
}

int protect(struct strata_srtp_engine *e, bool rtcp, struct strata_srtp_session *s,
	    struct strata_srtp_tx *tx, const uint8_t *in, uint32_t len, uint8_t *out, uint32_t cap,
	    uint32_t *out_len)
{
	struct strata_srtp_op op = fx_op_protect(s, tx, in, out, len, cap);

	run_burst(e, fx_dir(rtcp, true), &op, 1);
	if (op.status == OK)
		*out_len = op.len;
	return op.status;
}

int unprotect(struct strata_srtp_engine *e, bool rtcp, struct strata_srtp_session *s,
	      struct strata_srtp_rx *rx, const uint8_t *pkt, uint32_t len, uint8_t *out,
	      uint32_t *out_len)
{
	uint8_t *buf = fx_exact(pkt, len);
	struct strata_srtp_op op = fx_op_unprotect(s, rx, buf, len);

	run_burst(e, fx_dir(rtcp, false), &op, 1);
	if (op.status == OK && out != NULL) {
		memcpy(out, buf, op.len);
		*out_len = op.len;
	}
	free(buf);
	return op.status;
}

void sender_seek(struct strata_srtp_tx *tx, uint64_t index)
{
	if (tx->rtp.started && index > tx->rtp.top && index - tx->rtp.top < 32768)
		return;
	strata_srtp_tx_init(tx, SSRC);
	if (index > 0) {
		tx->rtp.top = index - 1;
		tx->rtp.started = true;
	}
}

void send_index(struct strata_srtp_engine *e, struct strata_srtp_session *s,
		struct strata_srtp_tx *tx, bool rtcp, uint64_t index, struct sent *out)
{
	uint8_t plain[MAX_OUT];
	uint32_t len;

	if (rtcp) {
		tx->rtcp_index = (uint32_t)index;
		len = rtcp_plain(plain, SSRC, index);
	} else {
		sender_seek(tx, index);
		len = rtp_plain(plain, SSRC, index);
	}
	out->index = index;
	int st = protect(e, rtcp, s, tx, plain, len, out->pkt, MAX_OUT, &out->len);
	CHECK(st == OK, "%s: the sender could not protect %#llx: %s", s->profile->name,
	      (unsigned long long)index, st_name(st));
}

void make_packet(struct strata_srtp_engine *e, struct sessions *s, bool rtcp, uint64_t index,
		 struct sent *out)
{
	struct strata_srtp_tx tx;

	strata_srtp_tx_init(&tx, SSRC);
	send_index(e, s->tx, &tx, rtcp, index, out);
}

void burst_expect(struct strata_srtp_engine *e, bool rtcp, struct strata_srtp_session *s,
		  struct strata_srtp_rx *rx, const struct sent *const *pkts, const int *want,
		  unsigned n, const char *what)
{
	struct strata_srtp_op *ops = calloc(n, sizeof(*ops));

	for (unsigned i = 0; i < n; i++)
		ops[i] = fx_op_unprotect(s, rx, fx_exact(pkts[i]->pkt, pkts[i]->len), pkts[i]->len);
	run_burst(e, fx_dir(rtcp, false), ops, n);
	for (unsigned i = 0; i < n; i++) {
		CHECK(ops[i].status == want[i], "%s: op %u (index %#llx): %s, want %s", what, i,
		      (unsigned long long)pkts[i]->index, st_name(ops[i].status), st_name(want[i]));
		free(ops[i].buf);
	}
	free(ops);
}
