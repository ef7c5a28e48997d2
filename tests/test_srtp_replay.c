/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay windows and rollover counters (RFC 3711 sections 3.3.1, 3.3.2 and
 * appendix A), as tables in the manner of libsrtp's rdbx_driver and
 * roc_driver and of WireGuard's numbered counter selftest: each row is a
 * packet index to present, the status the receiver must answer, and the
 * highest index it must hold afterwards (whose top 32 bits are the ROC).
 *
 * Every table runs twice:
 *   direct      on strata_srtp_estimate_index, strata_replay_check and
 *               strata_replay_accept, the inline functions the engine uses;
 *   end to end  through strata_srtp_unprotect, on packets that a separate
 *               Strata sender protected in index order, each into its own
 *               buffer, and that are then presented in the table's order;
 * for the window sizes at both ends of what a policy may ask for and two in
 * between, and (end to end) for every profile.
 *
 * Then what tables do not express: the SRTCP window, duplicates inside one
 * burst, forgeries that must leave no trace, the sender's refusal to reuse
 * an index, and the key lifetime limits.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp_header.h"
#include "srtp.h"
#include "srtp_replay.h"
#include "test_util.h"

/* Short names: the tables read better with them. */
enum {
	OK = STRATA_SRTP_OK,
	DUP = STRATA_SRTP_REPLAY_DUP,
	OLD = STRATA_SRTP_REPLAY_OLD,
	EXPIRED = STRATA_SRTP_KEY_EXPIRED,
	AUTH = STRATA_SRTP_AUTH_FAIL,
};

#define SSRC 0x5eed1234u
#define ROC_MAX 0xffffffffull
#define IDX(roc, seq) (((uint64_t)(roc) << 16) | (uint16_t)(seq))

#define RX_WORDS STRATA_ARRAY_LEN(((struct strata_srtp_rx *)0)->rtp_bits)
#define RTCP_WORDS STRATA_ARRAY_LEN(((struct strata_srtp_rx *)0)->rtcp_bits)
/* Indices one lap of the bitmap ring apart share a bit. */
#define RING ((uint64_t)RX_WORDS * 64)
#define RTCP_RING ((uint64_t)RTCP_WORDS * 64)

#define PAYLOAD_LEN 24
#define RTP_LEN (STRATA_RTP_FIXED_HEADER_LEN + PAYLOAD_LEN)
#define RTCP_LEN 28 /* a sender report without report blocks */
#define MAX_OUT (RTP_LEN + STRATA_SRTP_MAX_TRAILER)

static const uint16_t windows[] = { 64, 128, 1024, 1984 };

static const enum strata_srtp_profile_id profile_ids[] = {
	STRATA_SRTP_AES_CM_128_HMAC_SHA1_80, STRATA_SRTP_AES_CM_128_HMAC_SHA1_32,
	STRATA_SRTP_AES_256_CM_HMAC_SHA1_80, STRATA_SRTP_AEAD_AES_128_GCM,
	STRATA_SRTP_AEAD_AES_256_GCM,
};

static const uint8_t master_key[32] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
	0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6, 0xc1, 0x73,
};
static const uint8_t master_salt[14] = {
	0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};

static const char *st_name(int st)
{
	return strata_srtp_status_name(st);
}

/* ---------------------------------------------------------------- tables */

struct row {
	uint64_t index; /* the sender's: ROC << 16 | SEQ (SRTCP: the index itself) */
	int status;     /* what the receiver must answer */
	uint64_t top;   /* the receiver's highest index afterwards */
};

struct table {
	const char *name;
	/* The receiver had already accepted `start`, as after libsrtp's
	 * srtp_set_stream_roc(): how a table begins at a ROC of 2^32 - 1. */
	bool started;
	uint64_t start;
	const struct row *rows;
	size_t n;
};

typedef void table_fn(const struct table *t, void *ctx);

#define R(i, st, t) { (i), (st), (t) }
#define TABLE(name, started, start, ...)                                       \
	do {                                                                   \
		const struct row rows_[] = { __VA_ARGS__ };                    \
		const struct table t_ = { (name), (started), (start), rows_,   \
					  STRATA_ARRAY_LEN(rows_) };           \
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

/*
 * RFC 3711 appendix A, row by row: from the highest index so far (ROC ||
 * s_l) and a SEQ, the estimate; then what the whole receive path (estimate,
 * window, accept) makes of it when only `top` was received before.
 */
struct estimate_row {
	bool started;
	uint64_t top;   /* ROC || s_l */
	uint16_t seq;
	int est;        /* strata_srtp_estimate_index's answer */
	uint64_t index; /* and its estimate, when OK */
	int status;     /* the receive path's answer */
	uint64_t after; /* the highest index afterwards */
};

static const struct estimate_row estimates[] = {
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

/* Each estimate row as a table of one row.  The sender's index is the
 * estimate; where there is none, the SEQ under the ROC the sender could
 * have been at (0, or 2^32 - 1 at the end of the index space). */
static void estimate_tables(table_fn *run, void *ctx)
{
	for (size_t i = 0; i < STRATA_ARRAY_LEN(estimates); i++) {
		const struct estimate_row *x = &estimates[i];
		uint64_t send = x->est == OK ? x->index
			      : (x->top >> 16) == ROC_MAX ? IDX(ROC_MAX, x->seq) : x->seq;
		const struct row r = { send, x->status, x->after };
		const struct table t = { "RFC 3711 appendix A", x->started, x->top, &r, 1 };
		run(&t, ctx);
	}
}

static void all_srtp_tables(uint64_t W, table_fn *run, void *ctx)
{
	srtp_tables(W, run, ctx);
	lap_sweep(W, run, ctx);
	slide_sweep(W, run, ctx);
	estimate_tables(run, ctx);
}

/* SRTCP carries its index: no estimate, a fixed window of 128. */
static void srtcp_tables(table_fn *run, void *ctx)
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

/* ------------------------------------------------------- direct driver */

struct direct {
	uint64_t window;
	bool rtcp;
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
			      "direct W=%llu %s row %zu: seq %u estimated as %#llx, sent as %#llx",
			      (unsigned long long)c->window, t->name, i, (unsigned)(w->index & 0xffff),
			      (unsigned long long)index, (unsigned long long)w->index);
		}
		if (st == OK)
			st = strata_replay_check(&r, bits, words, c->window, index);
		if (st == OK)
			strata_replay_accept(&r, bits, words, index);

		CHECK(st == w->status, "direct W=%llu %s row %zu: index %#llx -> %s, want %s",
		      (unsigned long long)c->window, t->name, i, (unsigned long long)w->index,
		      st_name(st), st_name(w->status));
		CHECK(r.started && r.top == w->top,
		      "direct W=%llu %s row %zu: top %#llx (ROC %llu), want %#llx (ROC %llu)",
		      (unsigned long long)c->window, t->name, i, (unsigned long long)r.top,
		      (unsigned long long)(r.top >> 16), (unsigned long long)w->top,
		      (unsigned long long)(w->top >> 16));
		if (st != OK)
			CHECK(memcmp(&r, &r0, sizeof(r)) == 0 && memcmp(bits, bits0, sizeof(bits)) == 0,
			      "direct W=%llu %s row %zu: refused, yet the window changed",
			      (unsigned long long)c->window, t->name, i);
		c->rows++;
	}
	c->tables++;
}

/* The appendix A rows on strata_srtp_estimate_index alone. */
static void test_estimate_direct(void)
{
	for (size_t i = 0; i < STRATA_ARRAY_LEN(estimates); i++) {
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

/* ---------------------------------------------------- end-to-end driver */

/* Counts every burst's statuses against the engine's own counters. */
static void run_burst(struct strata_srtp_engine *e, enum strata_srtp_direction dir,
		      struct strata_srtp_op *ops, unsigned n)
{
	struct strata_srtp_counters before = *strata_srtp_engine_counters(e);
	unsigned ok = 0, want_ok = 0;

	for (unsigned i = 0; i < n; i++)
		ops[i].status = -1;
	switch (dir) {
	case STRATA_SRTP_RTP_PROTECT: ok = strata_srtp_protect(e, ops, n); break;
	case STRATA_SRTP_RTP_UNPROTECT: ok = strata_srtp_unprotect(e, ops, n); break;
	case STRATA_SRTP_RTCP_PROTECT: ok = strata_srtcp_protect(e, ops, n); break;
	default: ok = strata_srtcp_unprotect(e, ops, n); break;
	}
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

static int run_one(struct strata_srtp_engine *e, enum strata_srtp_direction dir,
		   struct strata_srtp_op *op)
{
	run_burst(e, dir, op, 1);
	return op->status;
}

/* A plaintext RTP packet whose payload says which index it carries. */
static uint32_t rtp_plain(uint8_t *p, uint32_t ssrc, uint64_t index)
{
	p[0] = 0x80;
	p[1] = 96;
	p[2] = (uint8_t)(index >> 8);
	p[3] = (uint8_t)index;
	strata_put_be32(p + 4, (uint32_t)index * 3000u);
	strata_put_be32(p + 8, ssrc);
	for (unsigned i = 0; i < PAYLOAD_LEN; i++)
		p[STRATA_RTP_FIXED_HEADER_LEN + i] = (uint8_t)(index * 31 + (index >> 16) * 7 + i);
	return RTP_LEN;
}

/* A plaintext RTCP sender report, its body likewise marked. */
static uint32_t rtcp_plain(uint8_t *p, uint32_t ssrc, uint64_t index)
{
	p[0] = 0x80;
	p[1] = 200;
	p[2] = 0;
	p[3] = RTCP_LEN / 4 - 1;
	strata_put_be32(p + 4, ssrc);
	for (unsigned i = 8; i < RTCP_LEN; i++)
		p[i] = (uint8_t)(index * 17 + i);
	return RTCP_LEN;
}

struct sessions {
	struct strata_srtp_session *tx, *rx; /* the sender's and the receiver's */
};

static bool sessions_init(struct sessions *s, struct strata_srtp_engine *e,
			  enum strata_srtp_profile_id id, uint16_t window)
{
	const struct strata_srtp_policy pol = {
		.profile = id, .master_key = master_key, .master_salt = master_salt,
		.replay_window = window,
	};

	s->tx = aligned_alloc(64, sizeof(*s->tx));
	s->rx = aligned_alloc(64, sizeof(*s->rx));
	if (s->tx == NULL || s->rx == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memset(s->tx, 0, sizeof(*s->tx));
	memset(s->rx, 0, sizeof(*s->rx));
	int a = strata_srtp_session_init(s->tx, e, &pol);
	int b = strata_srtp_session_init(s->rx, e, &pol);
	CHECK(a == OK && b == OK, "session_init(profile %d, window %u): %s, %s", id, window,
	      st_name(a), st_name(b));
	return a == OK && b == OK;
}

static void sessions_free(struct sessions *s)
{
	strata_srtp_session_wipe(s->tx);
	strata_srtp_session_wipe(s->rx);
	free(s->tx);
	free(s->rx);
}

/* Protects one packet on the sender side; returns the status. */
static int protect(struct strata_srtp_engine *e, bool rtcp, struct strata_srtp_session *s,
		   struct strata_srtp_tx *tx, const uint8_t *in, uint32_t len, uint8_t *out,
		   uint32_t cap, uint32_t *out_len)
{
	struct strata_srtp_op op = {
		.session = s, .tx = tx, .src = in, .buf = out, .len = len, .cap = cap,
	};
	int st = run_one(e, rtcp ? STRATA_SRTP_RTCP_PROTECT : STRATA_SRTP_RTP_PROTECT, &op);

	if (st == OK)
		*out_len = op.len;
	return st;
}

/* Unprotects a copy of pkt held in a heap buffer of exactly its length
 * (so AddressSanitizer sees any access past it); on success copies the
 * plaintext out. */
static int unprotect(struct strata_srtp_engine *e, bool rtcp, struct strata_srtp_session *s,
		     struct strata_srtp_rx *rx, const uint8_t *pkt, uint32_t len, uint8_t *out,
		     uint32_t *out_len)
{
	uint8_t *buf = malloc(len);

	if (buf == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memcpy(buf, pkt, len);
	struct strata_srtp_op op = { .session = s, .rx = rx, .buf = buf, .len = len, .cap = len };
	int st = run_one(e, rtcp ? STRATA_SRTP_RTCP_UNPROTECT : STRATA_SRTP_RTP_UNPROTECT, &op);

	if (st == OK && out != NULL) {
		memcpy(out, buf, op.len);
		*out_len = op.len;
	}
	free(buf);
	return st;
}

/* A packet the sender made, kept to be presented (perhaps again) later. */
struct sent {
	uint64_t index;
	uint32_t len;
	uint8_t pkt[MAX_OUT];
};

static int cmp_sent(const void *a, const void *b)
{
	uint64_t x = ((const struct sent *)a)->index, y = ((const struct sent *)b)->index;

	return x < y ? -1 : x > y;
}

/*
 * Puts the sender just after index - 1 when its own estimate could not
 * reach `index` from where it is: a sender jumps 2^15 or more only when a
 * test asks it to, and one that never sent is at ROC 0.
 */
static void sender_seek(struct strata_srtp_tx *tx, uint64_t index)
{
	if (tx->rtp.started && index > tx->rtp.top && index - tx->rtp.top < 32768)
		return;
	strata_srtp_tx_init(tx, SSRC);
	if (index > 0) {
		tx->rtp.top = index - 1;
		tx->rtp.started = true;
	}
}

struct e2e {
	struct strata_srtp_engine *e;
	const struct strata_srtp_profile *p;
	uint16_t window;
	struct sessions s;
	bool rtcp;
	unsigned tables, rows;
};

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
	for (size_t i = 0; i < n; i++) {
		uint8_t plain[MAX_OUT];
		uint32_t len;
		int st;

		if (c->rtcp) {
			tx.rtcp_index = (uint32_t)sent[i].index;
			len = rtcp_plain(plain, SSRC, sent[i].index);
		} else {
			sender_seek(&tx, sent[i].index);
			len = rtp_plain(plain, SSRC, sent[i].index);
		}
		st = protect(c->e, c->rtcp, c->s.tx, &tx, plain, len, sent[i].pkt, MAX_OUT,
			     &sent[i].len);
		CHECK(st == OK, "%s: the sender could not protect %#llx: %s", c->p->name,
		      (unsigned long long)sent[i].index, st_name(st));
	}
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

		CHECK(st == w->status, "%s W=%u %s row %zu: index %#llx -> %s, want %s", c->p->name,
		      c->window, t->name, i, (unsigned long long)w->index, st_name(st),
		      st_name(w->status));
		CHECK(r->started && r->top == w->top,
		      "%s W=%u %s row %zu: top %#llx (ROC %llu), want %#llx (ROC %llu)", c->p->name,
		      c->window, t->name, i, (unsigned long long)r->top,
		      (unsigned long long)(r->top >> 16), (unsigned long long)w->top,
		      (unsigned long long)(w->top >> 16));
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
			      "%s W=%u %s row %zu: refused, yet the stream changed", c->p->name,
			      c->window, t->name, i);
			CHECK(packets == packets0, "%s %s row %zu: refused, yet counted", c->p->name,
			      t->name, i);
		}
		c->rows++;
	}
	free(sent);
	c->tables++;
}

static void test_tables_direct(void)
{
	for (size_t w = 0; w < STRATA_ARRAY_LEN(windows); w++) {
		struct direct c = { .window = windows[w] };

		all_srtp_tables(windows[w], direct_table, &c);
		CHECK(c.tables > 30 && c.rows > 2 * RING, "direct W=%u: only %u tables, %u rows",
		      windows[w], c.tables, c.rows);
	}
	struct direct c = { .window = STRATA_SRTCP_WINDOW, .rtcp = true };
	srtcp_tables(direct_table, &c);
	CHECK(c.tables == 6, "direct srtcp: %u tables", c.tables);
}

static void test_tables_e2e(struct strata_srtp_engine *e)
{
	for (size_t p = 0; p < STRATA_ARRAY_LEN(profile_ids); p++) {
		for (size_t w = 0; w < STRATA_ARRAY_LEN(windows); w++) {
			struct e2e c = { .e = e, .p = strata_srtp_profile_get(profile_ids[p]),
					 .window = windows[w] };

			if (!sessions_init(&c.s, e, profile_ids[p], windows[w]))
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

/* ------------------------------------------------- beyond the tables */

/* Protects `index` (SRTP: ROC || SEQ, SRTCP: the SRTCP index) on a sender
 * positioned for it, into `out`. */
static void make_packet(struct strata_srtp_engine *e, struct sessions *s, bool rtcp,
			uint64_t index, struct sent *out)
{
	struct strata_srtp_tx tx;
	uint8_t plain[MAX_OUT];
	uint32_t len;

	strata_srtp_tx_init(&tx, SSRC);
	if (rtcp) {
		tx.rtcp_index = (uint32_t)index;
		len = rtcp_plain(plain, SSRC, index);
	} else {
		sender_seek(&tx, index);
		len = rtp_plain(plain, SSRC, index);
	}
	out->index = index;
	int st = protect(e, rtcp, s->tx, &tx, plain, len, out->pkt, MAX_OUT, &out->len);
	CHECK(st == OK, "make_packet %#llx: %s", (unsigned long long)index, st_name(st));
}

/* Runs one unprotect burst over copies (exact heap buffers) of pkts[i] and
 * compares every status with want[i]. */
static void burst_expect(struct strata_srtp_engine *e, bool rtcp, struct strata_srtp_session *s,
			 struct strata_srtp_rx *rx, const struct sent *const *pkts,
			 const int *want, unsigned n, const char *what)
{
	struct strata_srtp_op *ops = calloc(n, sizeof(*ops));

	for (unsigned i = 0; i < n; i++) {
		ops[i].session = s;
		ops[i].rx = rx;
		ops[i].buf = malloc(pkts[i]->len);
		memcpy(ops[i].buf, pkts[i]->pkt, pkts[i]->len);
		ops[i].len = pkts[i]->len;
		ops[i].cap = pkts[i]->len;
	}
	run_burst(e, rtcp ? STRATA_SRTP_RTCP_UNPROTECT : STRATA_SRTP_RTP_UNPROTECT, ops, n);
	for (unsigned i = 0; i < n; i++) {
		CHECK(ops[i].status == want[i], "%s: op %u (index %#llx): %s, want %s", what, i,
		      (unsigned long long)pkts[i]->index, st_name(ops[i].status), st_name(want[i]));
		free(ops[i].buf);
	}
	free(ops);
}

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

/* Where a byte of the tag is: SRTCP with GCM ends in E||index, not the tag. */
static uint32_t tag_byte(const struct strata_srtp_profile *p, bool rtcp, uint32_t len)
{
	return rtcp && p->aead ? len - STRATA_SRTCP_TRAILER_LEN - 1 : len - 1;
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
			forged[i].pkt[tag_byte(s.tx->profile, rtcp, p[i].len)] ^= 0x01;
			if (i <= 10 && i != 7)
				CHECK(unprotect(e, rtcp, s.rx, &rx, p[i].pkt, p[i].len, NULL, NULL) == OK,
				      "%s: history packet %u refused", name, i);
		}

		/* 7: a hole in the window; 11: ahead, would move it; a
		 * payload bit rather than the tag. */
		struct sent payload = p[12];
		payload.pkt[rtcp ? 9 : STRATA_RTP_FIXED_HEADER_LEN + 1] ^= 0x80;
		const struct sent *cases[] = { &forged[7], &forged[11], &payload };
		for (size_t k = 0; k < STRATA_ARRAY_LEN(cases); k++) {
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
	for (size_t i = 0; i < STRATA_ARRAY_LEN(rows); i++) {
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
 * RFC 3711 section 9.2: at most 2^48 SRTP and 2^31 SRTCP packets under one
 * master key; and the SRTCP index is 31 bits.  The limits hold on both
 * sides and a refusal changes nothing.
 */
static void test_key_lifetime(struct strata_srtp_engine *e, enum strata_srtp_profile_id id)
{
	struct sessions s;
	struct strata_srtp_tx tx;
	struct strata_srtp_rx rx, rx0;
	struct tx_snap sn;
	uint8_t plain[MAX_OUT], out[MAX_OUT];
	uint32_t len, out_len;
	struct sent pkt;

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
	make_packet(e, &s, false, 10, &pkt);
	strata_srtp_rx_init(&rx, s.rx, SSRC);
	s.rx->srtp_packets = 1ull << 48;
	memcpy(&rx0, &rx, sizeof(rx));
	CHECK(unprotect(e, false, s.rx, &rx, pkt.pkt, pkt.len, NULL, NULL) == EXPIRED,
	      "%s: unprotect at 2^48 packets", name);
	CHECK(memcmp(&rx, &rx0, sizeof(rx)) == 0 && s.rx->srtp_packets == 1ull << 48,
	      "%s: expired unprotect changed state", name);
	s.rx->srtp_packets = (1ull << 48) - 1;
	CHECK(unprotect(e, false, s.rx, &rx, pkt.pkt, pkt.len, NULL, NULL) == OK,
	      "%s: unprotect the 2^48th packet", name);
	make_packet(e, &s, false, 11, &pkt);
	CHECK(unprotect(e, false, s.rx, &rx, pkt.pkt, pkt.len, NULL, NULL) == EXPIRED,
	      "%s: unprotect after the 2^48th", name);

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
	for (size_t i = 0; i < STRATA_ARRAY_LEN(rtcp_rows); i++) {
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
	make_packet(e, &s, true, 0x7fffffff, &pkt);
	strata_srtp_rx_init(&rx, s.rx, SSRC);
	s.rx->srtcp_packets = 1ull << 31;
	memcpy(&rx0, &rx, sizeof(rx));
	CHECK(unprotect(e, true, s.rx, &rx, pkt.pkt, pkt.len, NULL, NULL) == EXPIRED,
	      "%s: srtcp unprotect at 2^31 packets", name);
	CHECK(memcmp(&rx, &rx0, sizeof(rx)) == 0 && s.rx->srtcp_packets == 1ull << 31,
	      "%s: expired srtcp unprotect changed state", name);
	s.rx->srtcp_packets = (1ull << 31) - 1;
	CHECK(unprotect(e, true, s.rx, &rx, pkt.pkt, pkt.len, NULL, NULL) == OK,
	      "%s: srtcp unprotect of index 0x7fffffff, the 2^31st packet", name);
	make_packet(e, &s, true, 0x7ffffffe, &pkt);
	CHECK(unprotect(e, true, s.rx, &rx, pkt.pkt, pkt.len, NULL, NULL) == EXPIRED,
	      "%s: srtcp unprotect after the 2^31st", name);
	sessions_free(&s);
}

int main(void)
{
	struct strata_srtp_engine *e = strata_srtp_engine_create();

	if (e == NULL) {
		fprintf(stderr, "strata_srtp_engine_create failed\n");
		return 2;
	}
	test_estimate_direct();
	test_tables_direct();
	test_tables_e2e(e);
	for (size_t p = 0; p < STRATA_ARRAY_LEN(profile_ids); p++) {
		test_burst_duplicates(e, profile_ids[p]);
		test_first_burst(e, profile_ids[p]);
		test_forgery_leaves_no_trace(e, profile_ids[p]);
		test_sender_never_reuses(e, profile_ids[p]);
		test_key_lifetime(e, profile_ids[p]);
	}
	strata_srtp_engine_destroy(e);
	return test_summary("srtp_replay");
}
