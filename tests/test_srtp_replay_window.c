/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay windows and rollover counters on the bare functions the engine
 * inlines (srtp_replay.h): strata_srtp_estimate_index, strata_replay_check
 * and strata_replay_accept, called in the engine's order on every row of
 * the tables in replay_tables.c (RFC 3711 sections 3.3.1, 3.3.2 and
 * appendix A), for the window sizes at both ends of what a policy may ask
 * for and two in between, and for SRTCP's fixed window.  A refused row must
 * leave the window as it was; the bitmap starts as garbage, which the first
 * accepted index must clear.  And the appendix A rows on the estimate
 * alone.
 *
 * Without crypto in the way a wrong answer here names the row; the same
 * tables run end to end in test_srtp_replay_stream.
 */
#include <stdio.h>
#include <string.h>

#include "replay_tables.h"
#include "srtp_fixture.h"
#include "srtp_replay.h"

struct direct {
	uint64_t window;
	bool rtcp;
	char who[32]; /* "direct W=..." */
	unsigned tables, rows;
};

/*
 * One row on the bare functions, in the order the engine calls them:
 * estimate (SRTP only), check, and accept only what passed.
 */
static void direct_table(const struct table *t, void *arg)
{
	struct direct *c = arg;
	unsigned words = c->rtcp ? RTCP_WORDS : RX_WORDS;
	struct strata_srtp_replay r, r0;
	uint64_t bits[RX_WORDS], bits0[RX_WORDS];

	memset(&r, 0, sizeof(r));
	/* Garbage: the first accepted index must clear the bitmap. */
	memset(bits, 0xa5, sizeof(bits));
	if (t->started)
		strata_replay_accept(&r, bits, words, t->start);

	for (size_t i = 0; i < t->n; i++) {
		const struct row *w = &t->rows[i];
		uint64_t index = w->index;
		int st = OK;

		memcpy(&r0, &r, sizeof(r));
		memcpy(bits0, bits, sizeof(bits));
		if (!c->rtcp) {
			st = strata_srtp_estimate_index(&r, (uint16_t)w->index, &index);
			CHECK(st != OK || index == w->index,
			      "%s %s row %zu: seq %u estimated as %#llx, sent as %#llx", c->who,
			      t->name, i, (unsigned)(w->index & 0xffff), (unsigned long long)index,
			      (unsigned long long)w->index);
		}
		if (st == OK)
			st = strata_replay_check(&r, bits, words, c->window, index);
		if (st == OK)
			strata_replay_accept(&r, bits, words, index);

		check_row(c->who, t, i, st, &r);
		if (st != OK)
			CHECK(memcmp(&r, &r0, sizeof(r)) == 0 && memcmp(bits, bits0, sizeof(bits)) == 0,
			      "%s %s row %zu: refused, yet the window changed", c->who, t->name, i);
		c->rows++;
	}
	c->tables++;
}

static struct direct direct_for(uint64_t window, bool rtcp)
{
	struct direct c = { .window = window, .rtcp = rtcp };

	snprintf(c.who, sizeof(c.who), "direct W=%llu", (unsigned long long)window);
	return c;
}

static void test_tables_direct(void)
{
	for (size_t w = 0; w < ARRAY_LEN(windows); w++) {
		struct direct c = direct_for(windows[w], false);

		all_srtp_tables(windows[w], direct_table, &c);
		CHECK(c.tables > 30 && c.rows > 2 * RING, "direct W=%u: only %u tables, %u rows",
		      windows[w], c.tables, c.rows);
	}
	struct direct c = direct_for(STRATA_SRTCP_WINDOW, true);
	srtcp_tables(direct_table, &c);
	CHECK(c.tables == 6, "direct srtcp: %u tables", c.tables);
}

/* The appendix A rows on strata_srtp_estimate_index alone. */
static void test_estimate_direct(void)
{
	for (size_t i = 0; i < n_estimates; i++) {
		const struct estimate_row *x = &estimates[i];
		struct strata_srtp_replay r = { .top = x->top, .started = x->started };
		uint64_t index = 0x5a5a5a5a5a5aull;
		int st = strata_srtp_estimate_index(&r, x->seq, &index);

		CHECK(st == x->est, "estimate row %zu (top %#llx, seq %u): %s, want %s", i,
		      (unsigned long long)x->top, x->seq, st_name(st), st_name(x->est));
		if (x->est == OK)
			CHECK(index == x->index, "estimate row %zu (top %#llx, seq %u): %#llx, want %#llx",
			      i, (unsigned long long)x->top, x->seq, (unsigned long long)index,
			      (unsigned long long)x->index);
		else
			CHECK(index == 0x5a5a5a5a5a5aull, "estimate row %zu: refused but wrote an index", i);
	}
}

int main(void)
{
	test_estimate_direct();
	test_tables_direct();
	return test_summary("srtp_replay_window");
}
