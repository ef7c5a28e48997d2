/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/bwe/twcc_send.c: the packets sent on a leg and the feedback
 * about them.
 *
 *  - Numbered cases: packets stamped, feedback messages begun (reference
 *    time, feedback count) and their statuses, each with the outcome and,
 *    for a result, the unwrapped number and arrival time expected (the
 *    send time and size are checked against what was stamped): in order,
 *    repeated, reordered and overlapping feedback, lost then received, the
 *    draft's "previously received, now not received", numbers never sent
 *    or long forgotten, the 16-bit and 24-bit wraps, feedback count gaps.
 *  - A randomised check: 50000 packets, each arriving or not, reported by
 *    feedback that overlaps, repeats, comes out of order or is lost; every
 *    packet must come out at most once as received (with its true times)
 *    and at most once as lost, a lost one received later as `recovered`,
 *    and nothing that no delivered feedback named.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "../dataplane/bwe/twcc_send.h"
#include "test_util.h"

enum kind { END = 0, STAMP, BEGIN, PKT };

#define R(o) DP_TWCC_##o
#define NOCHECK INT64_MIN

struct op {
	enum kind kind;
	int64_t a, b, c;     /* STAMP: count, first send time, step; BEGIN: ref, count;
			      * PKT: seq16, received, arrival relative to ref */
	enum dp_twcc_outcome want;
	int64_t want_seq;    /* unwrapped, or NOCHECK */
	int64_t want_arrival;
	bool want_recovered;
};

struct twcc_case {
	const char *name;
	uint16_t first_seq;
	struct op ops[24];
	uint64_t want_lost_fb, want_reordered_fb;
};

#define STAMPS(n, t0, dt) { STAMP, n, t0, dt }
#define FB(ref, count) { BEGIN, ref, count }
#define GOT(seq, at, useq, uat) { PKT, seq, 1, at, R(RESULT), useq, uat }
#define LOST(seq, useq) { PKT, seq, 0, 0, R(RESULT), useq, 0 }
#define RECOVERED(seq, at, useq, uat) { PKT, seq, 1, at, R(RESULT), useq, uat, true }
#define IGNORED(seq, rcv, why) { PKT, seq, rcv, 0, R(why), NOCHECK }

static const struct twcc_case cases[] = {
	{ "1 in order: received, lost, received", 100,
	  { STAMPS(3, 1000, 1000), FB(10, 0), GOT(100, 250, 100, 640250), LOST(101, 101),
	    GOT(102, 2000, 102, 642000) } },
	{ "2 the same feedback twice: nothing counts twice", 100,
	  { STAMPS(3, 1000, 1000), FB(0, 0), GOT(100, 250, 100, 250), LOST(101, 101),
	    GOT(102, 750, 102, 750), FB(0, 0), IGNORED(100, 1, DUPLICATE),
	    IGNORED(101, 0, STILL_LOST), IGNORED(102, 1, DUPLICATE) },
	  0, 1 },
	{ "3 feedback reordered: the later one first, each packet once", 100,
	  { STAMPS(4, 0, 5000), FB(1, 5), GOT(102, 500, 102, 64500), GOT(103, 5500, 103, 69500),
	    FB(0, 4), GOT(100, 100, 100, 100), GOT(101, 5100, 101, 5100) },
	  0, 1 },
	{ "4 not received, then received in an overlapping window: recovered", 7,
	  { STAMPS(3, 0, 1000), FB(0, 0), GOT(7, 100, 7, 100), LOST(8, 8), FB(0, 1),
	    RECOVERED(8, 2100, 8, 2100), GOT(9, 2200, 9, 2200), FB(0, 2),
	    IGNORED(8, 1, DUPLICATE) } },
	{ "5 received, then \"not received\" in an overlapping window (draft 3.1.1): ignored", 7,
	  { STAMPS(2, 0, 1000), FB(0, 0), GOT(7, 100, 7, 100), FB(0, 1),
	    IGNORED(7, 0, DUPLICATE), GOT(8, 900, 8, 900) } },
	{ "6 numbers never sent: ahead of the newest, before the first, before any stamp", 500,
	  { FB(0, 0), IGNORED(500, 1, UNKNOWN), STAMPS(2, 0, 1000), FB(0, 1),
	    IGNORED(502, 1, UNKNOWN), IGNORED(40000, 1, UNKNOWN), IGNORED(499, 1, UNKNOWN),
	    IGNORED(400, 0, UNKNOWN), GOT(501, 10, 501, 10) } },
	{ "7 a packet whose slot the ring reused is too old; its successor still known", 0,
	  { STAMPS(4097, 0, 100), FB(0, 0), IGNORED(0, 1, TOO_OLD), GOT(1, 50, 1, 50),
	    GOT(4096, 409600, 4096, 409600) } },
	{ "8 the 16-bit wrap: 65534, 65535, 0, 1 are 65534 .. 65537", 65534,
	  { STAMPS(4, 0, 1000), FB(0, 0), GOT(65534, 100, 65534, 100),
	    GOT(65535, 1100, 65535, 1100), LOST(0, 65536), GOT(1, 3100, 65537, 3100) } },
	{ "9 the reference time's 24-bit wrap: 0x7fffff then -0x800000 is 64 ms later", 0,
	  { STAMPS(2, 0, 64000), FB(0x7fffff, 0), GOT(0, 0, 0, 0x7fffffll * 64000),
	    FB(-0x800000, 1), GOT(1, 0, 1, 0x800000ll * 64000) } },
	{ "10 a negative reference time and a negative delta", 0,
	  { STAMPS(2, 0, 1000), FB(-2, 0), GOT(0, -250, 0, -128250), GOT(1, 1000, 1, -127000) } },
	{ "11 feedback counts: 0, 3 (two lost), 255 (older: reordered), 4", 0,
	  { STAMPS(1, 0, 0), FB(0, 0), FB(0, 3), FB(0, 255), FB(0, 4) },
	  2, 1 },
	{ "12 feedback counts wrap: 254, 255, 0, 2 (one lost)", 0,
	  { STAMPS(1, 0, 0), FB(0, 254), FB(0, 255), FB(0, 0), FB(0, 2) },
	  1, 0 },
};

static void run_case(const struct twcc_case *c)
{
	struct dp_twcc_send *t = malloc(sizeof(*t));
	int64_t sent_at[8192];
	uint32_t sizes[8192];
	int64_t n_sent = 0;

	dp_twcc_send_init(t, c->first_seq);
	for (unsigned i = 0; i < ARRAY_LEN(c->ops) && c->ops[i].kind != END; i++) {
		const struct op *o = &c->ops[i];
		struct dp_twcc_result r;
		switch (o->kind) {
		case STAMP:
			for (int64_t k = 0; k < o->a; k++) {
				int64_t at = o->b + k * o->c;
				uint32_t size = 100 + (uint32_t)(n_sent % 1000);
				uint16_t seq = dp_twcc_send_stamp(t, at, size);
				CHECK(seq == (uint16_t)(c->first_seq + n_sent), "%s: stamp gave %u",
				      c->name, seq);
				sent_at[n_sent] = at;
				sizes[n_sent++] = size;
			}
			break;
		case BEGIN:
			dp_twcc_send_feedback_begin(t, (int32_t)o->a, (uint8_t)o->b);
			break;
		case PKT: {
			enum dp_twcc_outcome got =
				dp_twcc_send_packet(t, (uint16_t)o->a, o->b, o->c, &r);
			CHECK(got == o->want, "%s: op %u: %s, want %s", c->name, i,
			      dp_twcc_outcome_name(got), dp_twcc_outcome_name(o->want));
			if (got != DP_TWCC_RESULT || o->want != DP_TWCC_RESULT)
				break;
			int64_t k = r.seq - c->first_seq;
			CHECK(r.seq == o->want_seq, "%s: op %u: seq %" PRId64 ", want %" PRId64,
			      c->name, i, r.seq, o->want_seq);
			CHECK(k >= 0 && k < n_sent && r.send_us == sent_at[k] && r.size == sizes[k],
			      "%s: op %u: send time %" PRId64 " or size %u not as stamped", c->name,
			      i, r.send_us, r.size);
			CHECK(r.received == (o->b != 0), "%s: op %u: received %d", c->name, i,
			      r.received);
			CHECK(!r.received || r.arrival_us == o->want_arrival,
			      "%s: op %u: arrival %" PRId64 ", want %" PRId64, c->name, i,
			      r.arrival_us, o->want_arrival);
			CHECK(r.recovered == o->want_recovered, "%s: op %u: recovered %d", c->name, i,
			      r.recovered);
			break;
		}
		default:
			break;
		}
	}
	CHECK(t->feedback_lost == c->want_lost_fb, "%s: %" PRIu64 " feedback lost, want %" PRIu64,
	      c->name, t->feedback_lost, c->want_lost_fb);
	CHECK(t->feedback_reordered == c->want_reordered_fb,
	      "%s: %" PRIu64 " feedback reordered, want %" PRIu64, c->name,
	      t->feedback_reordered, c->want_reordered_fb);
	free(t);
}

/* ---- randomised ------------------------------------------------------ */

#define RN 50000

struct truth {
	int64_t send_us, arrival_us; /* arrival -1: lost on the path */
	uint8_t got_received, got_lost, got_recovered;
	/* By a delivered feedback: received, and "not received" before
	 * any said received. */
	bool named_received, named_lost;
};

static void randomised(void)
{
	struct dp_twcc_send *t = malloc(sizeof(*t));
	struct truth *tr = calloc(RN, sizeof(*tr));
	uint64_t rng = 42;
	uint16_t first = 60000;
	int64_t next_fb = 0; /* the next packet a feedback starts at */
	uint8_t fb_count = 0;
	unsigned errors = 0;

	dp_twcc_send_init(t, first);
	for (int64_t k = 0; k < RN; k++) {
		tr[k].send_us = k * 1000;
		tr[k].arrival_us = test_rand(&rng) % 10 == 0 ? -1 : k * 1000 + 30000 +
							     (int64_t)(test_rand(&rng) % 4000);
		dp_twcc_send_stamp(t, tr[k].send_us, 1200);
		if (k - next_fb < 40 || test_rand(&rng) % 4)
			continue;
		/* A feedback from a bit before next_fb (overlap, or a repeat)
		 * up to k; some are lost, the ring's depth is respected. */
		int64_t from = next_fb - (int64_t)(test_rand(&rng) % 30);
		if (from < 0)
			from = 0;
		if (k - from >= (int64_t)DP_TWCC_SEND_RING / 2)
			from = k - DP_TWCC_SEND_RING / 2;
		next_fb = k + 1;
		bool lost_fb = test_rand(&rng) % 8 == 0;
		int32_t ref = (int32_t)((tr[from].send_us + 30000) / 64000);
		if (lost_fb) {
			fb_count++;
			continue;
		}
		dp_twcc_send_feedback_begin(t, ref, fb_count++);
		int64_t now = tr[k].send_us + 32000;
		for (int64_t j = from; j <= k; j++) {
			/* Not arrived yet, or lost: "not received".  And "not
			 * received" for a packet received but reported before:
			 * what the draft asks of an overlapping window. */
			bool rcv = tr[j].arrival_us >= 0 && tr[j].arrival_us <= now &&
				   !tr[j].named_received;
			struct dp_twcc_result r;
			enum dp_twcc_outcome o = dp_twcc_send_packet(
				t, (uint16_t)(first + j), rcv,
				rcv ? tr[j].arrival_us - (int64_t)ref * 64000 : 0, &r);
			if (rcv)
				tr[j].named_received = true;
			else if (!tr[j].named_received)
				tr[j].named_lost = true;
			if (o != DP_TWCC_RESULT)
				continue;
			int64_t idx = r.seq - first;
			if (idx != j || r.send_us != tr[j].send_us) {
				errors++;
				continue;
			}
			if (r.received) {
				tr[j].got_received++;
				tr[j].got_recovered += r.recovered;
				if (r.arrival_us != tr[j].arrival_us)
					errors++;
			} else {
				tr[j].got_lost++;
			}
		}
	}
	unsigned received = 0, lost = 0, recovered = 0;
	for (int64_t k = 0; k < RN; k++) {
		struct truth *x = &tr[k];
		/* Once each at most; named is given, given was named. */
		if (x->got_received != x->named_received || x->got_lost != x->named_lost)
			errors++;
		if (x->got_recovered != (x->got_received && x->got_lost))
			errors++;
		received += x->got_received;
		lost += x->got_lost;
		recovered += x->got_recovered;
	}
	printf("randomised: %u received, %u lost, %u recovered, %" PRIu64 " duplicate, %" PRIu64 " still lost, %" PRIu64 " feedback lost\n", received, lost, recovered, t->outcomes[DP_TWCC_DUPLICATE], t->outcomes[DP_TWCC_STILL_LOST], t->feedback_lost);
	CHECK(errors == 0, "randomised: %u inconsistencies", errors);
	CHECK(received > RN / 2 && lost > RN / 40 && recovered > 100,
	      "randomised: only %u received, %u lost, %u recovered", received, lost, recovered);
	CHECK(t->outcomes[DP_TWCC_DUPLICATE] > 0 && t->feedback_lost > 0,
	      "randomised: the feedback was too tame");
	free(tr);
	free(t);
}

int main(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++)
		run_case(&cases[i]);
	randomised();
	CHECK(dp_twcc_outcome_name(DP_TWCC_TOO_OLD)[0] == 't' &&
	      dp_twcc_outcome_name(DP_TWCC_OUTCOME_COUNT)[0] == '?', "outcome names");
	return test_summary("dp_bwe_twcc");
}
