/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay windows and rollover counters end to end: every table of
 * replay_tables.c (RFC 3711 sections 3.3.1, 3.3.2 and appendix A) through
 * strata_srtp_unprotect and strata_srtcp_unprotect, for every profile and
 * the window sizes at both ends of what a policy may ask for and two in
 * between.  A separate Strata sender protects the table's distinct indices
 * in index order, each into its own buffer; they are then presented in the
 * table's order.  Each row must get its status and leave the receiver at
 * its top, an accepted packet must give its own plaintext and count once
 * towards the key's lifetime, and a refused one must change neither the
 * stream nor the count.
 *
 * The same tables on the bare window functions are test_srtp_replay_window;
 * this one shows the engine wires them up as they are meant to be.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay_fixture.h"
#include "replay_tables.h"
#include "srtp_replay.h"

struct e2e {
	struct strata_srtp_engine *e;
	const struct strata_srtp_profile *p;
	uint16_t window;
	char who[64]; /* "<profile> W=..." */
	struct sessions s;
	bool rtcp;
	unsigned tables, rows;
};

static int cmp_sent(const void *a, const void *b)
{
	uint64_t x = ((const struct sent *)a)->index, y = ((const struct sent *)b)->index;

	return x < y ? -1 : x > y;
}

/* The distinct indices of a table, each protected once, in index order. */
static struct sent *send_all(struct e2e *c, const struct table *t, size_t *count)
{
	struct sent *sent = calloc(t->n ? t->n : 1, sizeof(*sent));
	struct strata_srtp_tx tx;
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		sent[i].index = t->rows[i].index;
	qsort(sent, t->n, sizeof(*sent), cmp_sent);
	for (size_t i = 0; i < t->n; i++)
		if (n == 0 || sent[i].index != sent[n - 1].index)
			sent[n++].index = sent[i].index;

	strata_srtp_tx_init(&tx, SSRC);
	for (size_t i = 0; i < n; i++)
		send_index(c->e, c->s.tx, &tx, c->rtcp, sent[i].index, &sent[i]);
	*count = n;
	return sent;
}

static void e2e_table(const struct table *t, void *arg)
{
	struct e2e *c = arg;
	size_t n_sent;
	struct sent *sent = send_all(c, t, &n_sent);
	struct strata_srtp_rx rx, rx0;
	struct strata_srtp_session *s = c->s.rx;
	struct strata_srtp_replay *r = c->rtcp ? &rx.rtcp : &rx.rtp;

	strata_srtp_rx_init(&rx, s, SSRC);
	CHECK(rx.window == c->window, "%s: rx window %u, policy asked for %u", c->p->name,
	      rx.window, c->window);
	if (t->started && c->rtcp)
		strata_replay_accept(&rx.rtcp, rx.rtcp_bits, RTCP_WORDS, t->start);
	else if (t->started)
		strata_replay_accept(&rx.rtp, rx.rtp_bits, RX_WORDS, t->start);

	for (size_t i = 0; i < t->n; i++) {
		const struct row *w = &t->rows[i];
		const struct sent key = { .index = w->index };
		const struct sent *pkt = bsearch(&key, sent, n_sent, sizeof(*sent), cmp_sent);
		uint64_t packets0 = c->rtcp ? s->srtcp_packets : s->srtp_packets;
		uint8_t plain[MAX_OUT], want[MAX_OUT];
		uint32_t len = 0;

		memcpy(&rx0, &rx, sizeof(rx));
		int st = unprotect(c->e, c->rtcp, s, &rx, pkt->pkt, pkt->len, plain, &len);
		uint64_t packets = c->rtcp ? s->srtcp_packets : s->srtp_packets;

		check_row(c->who, t, i, st, r);
		if (st == OK) {
			uint32_t want_len = c->rtcp ? rtcp_plain(want, SSRC, w->index)
						    : rtp_plain(want, SSRC, w->index);
			CHECK(len == want_len, "%s %s row %zu: plaintext of %u bytes, want %u",
			      c->p->name, t->name, i, len, want_len);
			CHECK_MEM(plain, want, want_len, "plaintext");
			CHECK(packets == packets0 + 1, "%s %s row %zu: key usage %llu -> %llu",
			      c->p->name, t->name, i, (unsigned long long)packets0,
			      (unsigned long long)packets);
		} else {
			CHECK(memcmp(&rx, &rx0, sizeof(rx)) == 0,
			      "%s %s row %zu: refused, yet the stream changed", c->who, t->name, i);
			CHECK(packets == packets0, "%s %s row %zu: refused, yet counted", c->p->name,
			      t->name, i);
		}
		c->rows++;
	}
	free(sent);
	c->tables++;
}

static void test_tables_e2e(struct strata_srtp_engine *e)
{
	for (size_t p = 0; p < FX_PROFILES; p++) {
		for (size_t w = 0; w < ARRAY_LEN(windows); w++) {
			struct e2e c = { .e = e, .p = fx_profile(p), .window = windows[w] };

			snprintf(c.who, sizeof(c.who), "%s W=%u", c.p->name, c.window);
			if (!sessions_init(&c.s, e, c.p->id, windows[w]))
				continue;
			all_srtp_tables(windows[w], e2e_table, &c);
			CHECK(c.tables > 30 && c.rows > 2 * RING, "e2e W=%u: only %u tables, %u rows",
			      windows[w], c.tables, c.rows);
			/* SRTCP's window does not depend on the policy. */
			if (w == 0) {
				c.rtcp = true;
				srtcp_tables(e2e_table, &c);
			}
			sessions_free(&c.s);
		}
	}
}

int main(void)
{
	struct strata_srtp_engine *e = fx_engine();

	test_tables_e2e(e);
	strata_srtp_engine_destroy(e);
	return test_summary("srtp_replay_stream");
}
