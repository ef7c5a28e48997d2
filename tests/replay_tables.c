/* SPDX-License-Identifier: BSD-3-Clause */
/* The replay and ROC tables: see replay_tables.h. */
#include <stdlib.h>

#include "replay_tables.h"
#include "srtp_fixture.h"

const uint16_t windows[4] = { 64, 128, 1024, 1984 };

#define R(i, st, t) { (i), (st), (t) }
#define TABLE(name, started, start, ...)                                       \
	do {                                                                   \
		const struct row rows_[] = { __VA_ARGS__ };                    \
		const struct table t_ = { (name), (started), (start), rows_,   \
					  ARRAY_LEN(rows_) };           \
		run(&t_, ctx);                                                 \
	} while (0)

/* The SRTP tables for a window of W packets. */
static void srtp_tables(uint64_t W, table_fn *run, void *ctx)
{
	TABLE("in order", false, 0,
	      R(0, OK, 0), R(1, OK, 1), R(2, OK, 2), R(3, OK, 3), R(4, OK, 4));

	TABLE("reordered inside the window", false, 0,
	      R(10, OK, 10), R(8, OK, 10), R(9, OK, 10), R(12, OK, 12), R(11, OK, 12),
	      R(7, OK, 12), R(13, OK, 13));

	TABLE("duplicates", false, 0,
	      R(20, OK, 20), R(20, DUP, 20), R(19, OK, 20), R(19, DUP, 20), R(21, OK, 21),
	      R(20, DUP, 21), R(21, DUP, 21));

	/* The window is (top - W, top]: W - 1 behind is the oldest index in it. */
	TABLE("window edge", false, 0,
	      R(W + 100, OK, W + 100),
	      R(101, OK, W + 100),     /* W - 1 behind: inside */
	      R(100, OLD, W + 100),    /* W behind: outside */
	      R(101, DUP, W + 100),
	      R(W + 99, OK, W + 100),
	      R(W + 101, OK, W + 101),
	      R(101, OLD, W + 101),    /* received, then slid out: OLD, not DUP */
	      R(102, OK, W + 101),     /* now the oldest index inside */
	      R(102, DUP, W + 101),
	      R(W + 100, DUP, W + 101));

	TABLE("far behind", true, 30000,
	      R(30000, DUP, 30000),
	      R(30000 - W + 1, OK, 30000),
	      R(30000 - W, OLD, 30000),
	      R(30000 - RING, OLD, 30000), /* the bit 30000 set: OLD, not DUP */
	      R(30000 - RING - 1, OLD, 30000),
	      R(1, OLD, 30000),
	      R(0, OLD, 30000));

	/* An index whole laps of the ring ahead uses the bit of one received
	 * before: the jump must have cleared it. */
	TABLE("jumps forward", false, 0,
	      R(5, OK, 5), R(6, OK, 6), R(40, OK, 40), R(60, OK, 60),
	      R(3 * RING + 62, OK, 3 * RING + 62),        /* three laps on */
	      R(3 * RING + 5, OK, 3 * RING + 62),         /* the bit of 5 */
	      R(3 * RING + 6, OK, 3 * RING + 62),
	      R(3 * RING + 40, OK, 3 * RING + 62),
	      R(3 * RING + 60, OK, 3 * RING + 62),
	      R(3 * RING + 5, DUP, 3 * RING + 62),
	      R(3 * RING + 61, OK, 3 * RING + 62),
	      R(4 * RING + 62, OK, 4 * RING + 62),        /* exactly one lap */
	      R(4 * RING + 5, OK, 4 * RING + 62),
	      R(4 * RING + 5, DUP, 4 * RING + 62),
	      R(3 * RING + 62, OLD, 4 * RING + 62),
	      /* More than the window, less than a lap. */
	      R(4 * RING + 62 + W + 10, OK, 4 * RING + 62 + W + 10),
	      R(4 * RING + 62 + 11, OK, 4 * RING + 62 + W + 10),
	      R(4 * RING + 62 + 10, OLD, 4 * RING + 62 + W + 10),
	      R(4 * RING + 62, OLD, 4 * RING + 62 + W + 10),
	      R(4 * RING + 5, OLD, 4 * RING + 62 + W + 10));

	/* SEQ wraps from 65535 to 0 with packets on both sides arriving out
	 * of order: each must get the ROC it was sent with. */
	TABLE("wrap with reordering", false, 0,
	      R(65533, OK, 65533),
	      R(IDX(1, 0), OK, IDX(1, 0)),
	      R(65535, OK, IDX(1, 0)),
	      R(IDX(1, 1), OK, IDX(1, 1)),
	      R(65534, OK, IDX(1, 1)),
	      R(65533, DUP, IDX(1, 1)),
	      R(IDX(1, 0), DUP, IDX(1, 1)),
	      R(65535, DUP, IDX(1, 1)),
	      R(IDX(1, 2), OK, IDX(1, 2)),
	      R(IDX(1, 2) - W, OLD, IDX(1, 2)),
	      R(IDX(1, 2) - W + 1, OK, IDX(1, 2)),
	      R(IDX(1, 30000), OK, IDX(1, 30000)),
	      R(IDX(1, 60000), OK, IDX(1, 60000)),
	      R(IDX(2, 1), OK, IDX(2, 1)),           /* the second wrap */
	      R(IDX(1, 65535), OK, IDX(2, 1)),
	      R(IDX(2, 0), OK, IDX(2, 1)),
	      R(IDX(2, 0), DUP, IDX(2, 1)),
	      R(IDX(1, 65535), DUP, IDX(2, 1)));

	/* ROC - 1 below zero: the packet would come from before the first. */
	TABLE("before the stream began", false, 0,
	      R(100, OK, 100),
	      R(40000, OLD, 100),      /* SEQ - s_l > 2^15: ROC - 1 = -1 */
	      R(32869, OLD, 100),      /* 2^15 + 1 ahead: still ROC - 1 */
	      R(32868, OK, 32868));    /* exactly 2^15 ahead: ROC 0 */

	TABLE("before the stream began, from 0", false, 0,
	      R(0, OK, 0),
	      R(32769, OLD, 0),
	      R(65535, OLD, 0),
	      R(32768, OK, 32768));

	/* ROC 2^32 - 1: an index needing ROC + 1 does not exist. */
	TABLE("the last ROC", true, IDX(ROC_MAX, 0xfff0),
	      R(IDX(ROC_MAX, 0xfff1), OK, IDX(ROC_MAX, 0xfff1)),
	      R(IDX(ROC_MAX, 0xffff), OK, IDX(ROC_MAX, 0xffff)), /* the last index */
	      R(IDX(ROC_MAX, 0xfffe), OK, IDX(ROC_MAX, 0xffff)),
	      R(IDX(ROC_MAX, 0x0000), EXPIRED, IDX(ROC_MAX, 0xffff)),
	      R(IDX(ROC_MAX, 0x7ffe), EXPIRED, IDX(ROC_MAX, 0xffff)), /* s_l - 2^15 > SEQ */
	      R(IDX(ROC_MAX, 0x7fff), OLD, IDX(ROC_MAX, 0xffff)),     /* s_l - 2^15 = SEQ */
	      R(IDX(ROC_MAX, 0xffff), DUP, IDX(ROC_MAX, 0xffff)),
	      R(IDX(ROC_MAX, 0xfff0), DUP, IDX(ROC_MAX, 0xffff)));
}

/* Every index of one lap, then a jump of one more lap: every bit of the
 * ring was set and every one must read as clear. */
static void lap_sweep(uint64_t W, table_fn *run, void *ctx)
{
	struct row *rows = calloc(2 * RING + 2, sizeof(*rows));
	uint64_t top = 2 * RING - 1;
	size_t n = 0;

	for (uint64_t i = 0; i < RING; i++)
		rows[n++] = (struct row){ i, OK, i };
	rows[n++] = (struct row){ top, OK, top };
	for (uint64_t i = top - W + 1; i < top; i++)
		rows[n++] = (struct row){ i, OK, top };
	rows[n++] = (struct row){ top - W, OLD, top };

	const struct table t = { "a whole lap, then the next lap", false, 0, rows, n };
	run(&t, ctx);
	free(rows);
}

/* Every index of one lap, then a slide of half a window: the older part of
 * the window must still read as received, the newer as not. */
static void slide_sweep(uint64_t W, table_fn *run, void *ctx)
{
	struct row *rows = calloc(RING + W + 2, sizeof(*rows));
	uint64_t top = RING - 1 + W / 2;
	size_t n = 0;

	for (uint64_t i = 0; i < RING; i++)
		rows[n++] = (struct row){ i, OK, i };
	rows[n++] = (struct row){ top, OK, top };
	for (uint64_t i = top - W + 1; i < top; i++)
		rows[n++] = (struct row){ i, i < RING ? DUP : OK, top };
	rows[n++] = (struct row){ top - W, OLD, top }; /* received once: OLD now */

	const struct table t = { "a whole lap, then half a window", false, 0, rows, n };
	run(&t, ctx);
	free(rows);
}

/* RFC 3711 appendix A's cases, row by row (see struct estimate_row). */
const struct estimate_row estimates[] = {
	/* Before the first packet the ROC is 0 (section 3.3.1). */
	{ false, 0, 65535, OK, 65535, OK, 65535 },
	{ false, 0, 0, OK, 0, OK, 0 },
	/* s_l < 2^15: SEQ more than 2^15 above s_l is from ROC - 1. */
	{ true, IDX(5, 100), 32868, OK, IDX(5, 32868), OK, IDX(5, 32868) }, /* SEQ - s_l = 2^15 */
	{ true, IDX(5, 100), 32869, OK, IDX(4, 32869), OLD, IDX(5, 100) },  /* 2^15 + 1 */
	{ true, IDX(5, 100), 40000, OK, IDX(4, 40000), OLD, IDX(5, 100) },
	{ true, IDX(5, 100), 99, OK, IDX(5, 99), OK, IDX(5, 100) },
	{ true, IDX(5, 100), 100, OK, IDX(5, 100), DUP, IDX(5, 100) },
	{ true, IDX(5, 100), 101, OK, IDX(5, 101), OK, IDX(5, 101) },
	{ true, IDX(5, 32767), 65535, OK, IDX(5, 65535), OK, IDX(5, 65535) }, /* 2^15 */
	{ true, IDX(5, 32766), 65535, OK, IDX(4, 65535), OLD, IDX(5, 32766) }, /* 2^15 + 1 */
	/* s_l >= 2^15: SEQ more than 2^15 below s_l is from ROC + 1. */
	{ true, IDX(5, 50000), 100, OK, IDX(6, 100), OK, IDX(6, 100) },
	{ true, IDX(5, 50000), 17231, OK, IDX(6, 17231), OK, IDX(6, 17231) }, /* s_l - 2^15 > SEQ */
	{ true, IDX(5, 50000), 17232, OK, IDX(5, 17232), OLD, IDX(5, 50000) }, /* s_l - 2^15 = SEQ */
	{ true, IDX(5, 32768), 0, OK, IDX(5, 0), OLD, IDX(5, 32768) },
	{ true, IDX(5, 32768), 65535, OK, IDX(5, 65535), OK, IDX(5, 65535) },
	{ true, IDX(5, 65535), 0, OK, IDX(6, 0), OK, IDX(6, 0) },
	{ true, IDX(1, 65530), 3, OK, IDX(2, 3), OK, IDX(2, 3) },
	/* ROC 0: ROC - 1 would be negative. */
	{ true, IDX(0, 100), 40000, OLD, 0, OLD, IDX(0, 100) },
	{ true, IDX(0, 0), 32769, OLD, 0, OLD, 0 },
	{ true, IDX(0, 0), 32768, OK, 32768, OK, 32768 },
	{ true, IDX(0, 32768), 0, OK, 0, OLD, 32768 },
	/* ROC 2^32 - 1: ROC + 1 does not exist. */
	{ true, IDX(ROC_MAX, 0xfff0), 0x0010, EXPIRED, 0, EXPIRED, IDX(ROC_MAX, 0xfff0) },
	{ true, IDX(ROC_MAX, 0xfff0), 0x7fef, EXPIRED, 0, EXPIRED, IDX(ROC_MAX, 0xfff0) },
	{ true, IDX(ROC_MAX, 0xfff0), 0x7ff0, OK, IDX(ROC_MAX, 0x7ff0), OLD, IDX(ROC_MAX, 0xfff0) },
	{ true, IDX(ROC_MAX, 0xfff0), 0xfff5, OK, IDX(ROC_MAX, 0xfff5), OK, IDX(ROC_MAX, 0xfff5) },
	{ true, IDX(ROC_MAX, 0xffff), 0x0000, EXPIRED, 0, EXPIRED, IDX(ROC_MAX, 0xffff) },
	{ true, IDX(ROC_MAX, 0x1000), 0x0fff, OK, IDX(ROC_MAX, 0x0fff), OK, IDX(ROC_MAX, 0x1000) },
};
const size_t n_estimates = ARRAY_LEN(estimates);

/* Each estimate row as a table of one row.  The sender's index is the
 * estimate; where there is none, the SEQ under the ROC the sender could
 * have been at (0, or 2^32 - 1 at the end of the index space). */
static void estimate_tables(table_fn *run, void *ctx)
{
	for (size_t i = 0; i < n_estimates; i++) {
		const struct estimate_row *x = &estimates[i];
		uint64_t send = x->est == OK ? x->index
			      : (x->top >> 16) == ROC_MAX ? IDX(ROC_MAX, x->seq) : x->seq;
		const struct row r = { send, x->status, x->after };
		const struct table t = { "RFC 3711 appendix A", x->started, x->top, &r, 1 };
		run(&t, ctx);
	}
}

void all_srtp_tables(uint64_t W, table_fn *run, void *ctx)
{
	srtp_tables(W, run, ctx);
	lap_sweep(W, run, ctx);
	slide_sweep(W, run, ctx);
	estimate_tables(run, ctx);
}

/* SRTCP carries its index: no estimate, a fixed window of 128. */
void srtcp_tables(table_fn *run, void *ctx)
{
	const uint64_t W = STRATA_SRTCP_WINDOW;

	TABLE("srtcp in order", false, 0, R(0, OK, 0), R(1, OK, 1), R(2, OK, 2));

	TABLE("srtcp reordered and duplicated", false, 0,
	      R(5, OK, 5), R(3, OK, 5), R(4, OK, 5), R(3, DUP, 5), R(5, DUP, 5), R(6, OK, 6),
	      R(0, OK, 6), R(0, DUP, 6));

	TABLE("srtcp window edge", false, 0,
	      R(300, OK, 300),
	      R(300 - W + 1, OK, 300),
	      R(300 - W, OLD, 300),
	      R(300 - W + 1, DUP, 300),
	      R(301, OK, 301),
	      R(300 - W + 1, OLD, 301),
	      R(300 - W + 2, OK, 301));

	TABLE("srtcp jumps forward", false, 0,
	      R(198, OK, 198), R(200, OK, 200),
	      R(3 * RTCP_RING + 202, OK, 3 * RTCP_RING + 202),
	      R(3 * RTCP_RING + 198, OK, 3 * RTCP_RING + 202), /* the bit of 198 */
	      R(3 * RTCP_RING + 200, OK, 3 * RTCP_RING + 202),
	      R(3 * RTCP_RING + 198, DUP, 3 * RTCP_RING + 202),
	      R(4 * RTCP_RING + 202, OK, 4 * RTCP_RING + 202), /* one lap */
	      R(4 * RTCP_RING + 198, OK, 4 * RTCP_RING + 202),
	      R(4 * RTCP_RING + 198, DUP, 4 * RTCP_RING + 202));

	/* The first packet may carry any index. */
	TABLE("srtcp starts anywhere", false, 0,
	      R(1000, OK, 1000), R(5, OLD, 1000), R(1000 - W + 1, OK, 1000));

	TABLE("srtcp last index", false, 0,
	      R(0x7ffffffe, OK, 0x7ffffffe),
	      R(0x7fffffff, OK, 0x7fffffff),
	      R(0x7fffffff, DUP, 0x7fffffff),
	      R(0x7fffffff - W, OLD, 0x7fffffff),
	      R(0x7fffffff - W + 1, OK, 0x7fffffff),
	      R(0, OLD, 0x7fffffff));
}

void check_row(const char *who, const struct table *t, size_t i, int st,
	       const struct strata_srtp_replay *r)
{
	const struct row *w = &t->rows[i];

	CHECK(st == w->status, "%s %s row %zu: index %#llx -> %s, want %s", who, t->name, i,
	      (unsigned long long)w->index, st_name(st), st_name(w->status));
	CHECK(r->started && r->top == w->top,
	      "%s %s row %zu: top %#llx (ROC %llu), want %#llx (ROC %llu)", who, t->name, i,
	      (unsigned long long)r->top, (unsigned long long)(r->top >> 16),
	      (unsigned long long)w->top, (unsigned long long)(w->top >> 16));
}
