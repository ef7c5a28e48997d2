/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The delay-based controller's parts (draft-ietf-rmcat-gcc-02 section 5),
 * each on its own:
 *
 *  - inter_arrival.c (5.1, 5.2): packets in, group samples out, as tables:
 *    groups by send time, a burst merged by the second condition, out of
 *    order packets, reordered groups and a clock jump resetting the model.
 *  - trendline.c (5.3, 5.4): synthetic group samples with a queue that is
 *    flat, grows, drains, or jitters, and the detector's signal after each
 *    phase; the adaptive threshold's floor and growth.
 *  - acked_rate.c: R_hat of a constant stream, its start, a gap.
 *  - aimd.c (5.5): the state table and every rate rule as numbered steps,
 *    each with the bit rate expected from the draft's formulas.
 */
#include <math.h>

#include "../dataplane/bwe/acked_rate.h"
#include "../dataplane/bwe/aimd.h"
#include "../dataplane/bwe/delay_bwe.h"
#include "../dataplane/bwe/inter_arrival.h"
#include "../dataplane/bwe/trendline.h"
#include "test_util.h"

#define MS(x) ((int64_t)((x) * 1000))

/* ---- inter_arrival ---------------------------------------------------- */

struct pkt {
	double send_ms, arrival_ms;
};

struct sample {
	double send_delta_ms, arrival_delta_ms;
};

struct ia_case {
	const char *name;
	struct pkt pkts[16];
	unsigned n_pkts;
	struct sample want[8];
	unsigned n_want;
	uint64_t skipped, resets;
};

static const struct ia_case ia_cases[] = {
	{ "1 pairs within 5 ms are groups; T(i) and t(i) are their last packets",
	  { { 0, 100 }, { 2, 102 }, { 10, 110 }, { 12, 112 }, { 20, 121 }, { 22, 124 }, { 30, 130 } },
	  7, { { 10, 10 }, { 10, 12 } }, 2 },
	{ "2 a group is what is sent within 5 ms of its first packet, inclusive",
	  { { 0, 50 }, { 5, 55 }, { 5.5, 55.5 }, { 10, 60 }, { 20, 70 } },
	  5, { { 5, 5 } }, 1 },
	{ "3 burst: sent 10 ms apart, arriving 2 ms apart (queued): one group",
	  { { 0, 100 }, { 10, 102 }, { 20, 104 }, { 30, 140 }, { 40, 150 }, { 50, 160 } },
	  6, { { 10, 36 }, { 10, 10 } }, 2 },
	{ "4 a group completing before its predecessor gives no sample",
	  { { 0, 1000 }, { 10, 1010 }, { 12, 1130 }, { 20, 1120 }, { 30, 1140 }, { 40, 1150 } },
	  6, { { 12, 130 }, { 10, 20 } }, 2 },
	{ "5 a packet sent before its group's first is out of order: skipped",
	  { { 0, 10 }, { 10, 20 }, { 9, 21 }, { 20, 30 }, { 30, 40 } },
	  5, { { 10, 10 }, { 10, 10 } }, 2, .skipped = 1 },
	{ "6 groups completing before their predecessors, three in a row: a reset",
	  { { 0, 0 }, { 2, 1000 }, { 10, 150 }, { 12, 900 }, { 20, 300 }, { 22, 800 },
	    { 30, 450 }, { 32, 700 }, { 40, 600 }, { 50, 610 }, { 60, 620 } },
	  11, { { 10, 10 } }, 1, .resets = 1 },
	{ "7 the receiver's clock jumps 10 s: a reset, then samples again",
	  { { 0, 0 }, { 10, 10 }, { 20, 10020 }, { 30, 10030 }, { 40, 10040 }, { 50, 10050 } },
	  6, { { 10, 10 }, { 10, 10 } }, 2, .resets = 1 },
};

static void ia_tables(void)
{
	for (unsigned c = 0; c < ARRAY_LEN(ia_cases); c++) {
		const struct ia_case *t = &ia_cases[c];
		struct dp_inter_arrival ia;
		struct dp_group_delta g;
		unsigned got = 0;

		dp_inter_arrival_init(&ia);
		for (unsigned i = 0; i < t->n_pkts; i++) {
			if (!dp_inter_arrival_add(&ia, MS(t->pkts[i].send_ms), MS(t->pkts[i].arrival_ms),
						  1000, &g))
				continue;
			if (got < t->n_want) {
				CHECK(g.send_delta_us == MS(t->want[got].send_delta_ms) &&
					      g.arrival_delta_us == MS(t->want[got].arrival_delta_ms),
				      "%s: sample %u is %lld/%lld us, want %g/%g ms", t->name, got,
				      (long long)g.send_delta_us, (long long)g.arrival_delta_us,
				      t->want[got].send_delta_ms, t->want[got].arrival_delta_ms);
			}
			got++;
		}
		CHECK(got == t->n_want, "%s: %u samples, want %u", t->name, got, t->n_want);
		CHECK(ia.skipped == t->skipped && ia.resets == t->resets,
		      "%s: skipped %llu resets %llu", t->name, (unsigned long long)ia.skipped,
		      (unsigned long long)ia.resets);
	}

	/* The second condition merges a burst only while its arrivals span
	 * less than 100 ms: sent 10 ms apart, arriving 5 ms apart, the
	 * packet arriving at 100 ms starts a new group. */
	struct dp_inter_arrival ia;
	struct dp_group_delta g;
	dp_inter_arrival_init(&ia);
	for (int i = 0; i <= 20; i++)
		dp_inter_arrival_add(&ia, MS(10 * i), MS(5 * i), 1000, &g);
	CHECK(ia.prev.n == 20 && ia.cur.n == 1 && ia.cur.first_arrival_us == MS(100),
	      "burst cap: groups of %u and %u", ia.prev.n, ia.cur.n);
}

/* ---- trendline and detector ------------------------------------------ */

/* A phase: `groups` groups 10 ms apart whose delay changes by d_ms each
 * (plus +-jitter_ms, alternating), then the signal expected. */
struct phase {
	unsigned groups;
	double d_ms, jitter_ms;
	enum dp_bw_usage want;        /* after the phase */
	bool never_overuse;           /* at no group of the phase */
	unsigned overuse_within;      /* over-use at or before this group (0: no check) */
};

struct tl_case {
	const char *name;
	struct phase phases[4];
	double threshold_min, threshold_max; /* at the end (0: no check) */
	double m_min;                        /* m(i) at the end, at least */
};

static const struct tl_case tl_cases[] = {
	{ "1 a link that keeps up: normal, the threshold sinks to its 6 ms floor",
	  { { 200, 0, 0, DP_BW_NORMAL, true } }, 6.0, 6.0 },
	{ "2 the queue grows 1 ms per 10 ms: over-use within 25 groups",
	  { { 100, 0, 0, DP_BW_NORMAL, true }, { 40, 1.0, 0, DP_BW_OVERUSING, false, 25 } } },
	{ "3 the queue grows 0.5 ms per 10 ms (5%): over-use all the same",
	  { { 100, 0, 0, DP_BW_NORMAL, true }, { 100, 0.5, 0, DP_BW_OVERUSING, false, 40 } } },
	{ "3b 0.1 ms per 10 ms (1%): m(i) = 60 * 0.01 * 4 stays under the 6 ms floor",
	  { { 100, 0, 0, DP_BW_NORMAL, true }, { 200, 0.1, 0, DP_BW_NORMAL, true } } },
	{ "4 the queue drains 1 ms per 10 ms: under-use",
	  { { 100, 0, 0, DP_BW_NORMAL, true }, { 40, -1.0, 0, DP_BW_UNDERUSING, true } } },
	{ "5 +-3 ms of jitter around a flat queue: never over-use",
	  { { 400, 0, 3.0, DP_BW_NORMAL, true } } },
	{ "6 grows, then flat again: back to normal",
	  { { 100, 0, 0, DP_BW_NORMAL, true }, { 40, 1.0, 0, DP_BW_OVERUSING },
	    { 60, 0, 0, DP_BW_NORMAL } } },
	{ "7 a queue growing for long drags the threshold up toward m(i) (K_u)",
	  { { 100, 0, 0, DP_BW_NORMAL, true }, { 400, 0.5, 0, DP_BW_OVERUSING } },
	  10.0, 12.5 },
	{ "8 m(i) that leaps 15 ms past the threshold leaves it behind (a spike must not "
	  "drag it up)",
	  { { 100, 0, 0, DP_BW_NORMAL, true }, { 100, 5.0, 0, DP_BW_OVERUSING } },
	  6.0, 20.0, 60.0 },
};

static void tl_tables(void)
{
	for (unsigned c = 0; c < ARRAY_LEN(tl_cases); c++) {
		const struct tl_case *t = &tl_cases[c];
		struct dp_trendline tl;
		int64_t send = 0, arrival = 5000000;
		int64_t queue_us = 0;

		dp_trendline_init(&tl);
		for (unsigned p = 0; p < ARRAY_LEN(t->phases) && t->phases[p].groups; p++) {
			const struct phase *ph = &t->phases[p];
			unsigned first_overuse = 0;
			for (unsigned g = 1; g <= ph->groups; g++) {
				int64_t prev_arrival = arrival;
				double jitter = (g % 2 ? 1 : -1) * ph->jitter_ms;
				queue_us += MS(ph->d_ms);
				send += 10000;
				arrival = send + 5000000 + queue_us + MS(jitter);
				struct dp_group_delta d = {
					.send_delta_us = 10000,
					.arrival_delta_us = arrival - prev_arrival,
					.arrival_us = arrival,
				};
				enum dp_bw_usage u = dp_trendline_update(&tl, &d);
				if (u == DP_BW_OVERUSING && !first_overuse)
					first_overuse = g;
			}
			CHECK(tl.usage == ph->want, "%s: phase %u ends %s, want %s (m %.2f, th %.2f)",
			      t->name, p, dp_bw_usage_name(tl.usage), dp_bw_usage_name(ph->want), tl.m,
			      tl.threshold_ms);
			CHECK(!ph->never_overuse || !first_overuse, "%s: phase %u over-used at group %u",
			      t->name, p, first_overuse);
			CHECK(!ph->overuse_within || (first_overuse && first_overuse <= ph->overuse_within),
			      "%s: phase %u over-use at group %u, want <= %u", t->name, p, first_overuse,
			      ph->overuse_within);
		}
		CHECK(!t->m_min || tl.m >= t->m_min, "%s: m(i) %.2f < %.2f", t->name, tl.m, t->m_min);
		CHECK(!t->threshold_max ||
			      (tl.threshold_ms >= t->threshold_min && tl.threshold_ms <= t->threshold_max),
		      "%s: threshold %.2f not in [%.1f, %.1f]", t->name, tl.threshold_ms,
		      t->threshold_min, t->threshold_max);
	}
}

/* ---- acked rate ------------------------------------------------------- */

static void acked(void)
{
	struct dp_acked_rate a;

	dp_acked_rate_init(&a);
	CHECK(dp_acked_rate_bps(&a) == 0, "acked: a rate before any packet");
	/* 1250 octets every 10 ms: 1 Mbit/s, from a negative time base. */
	int64_t t = -123456789;
	for (int i = 0; i < 5; i++, t += 10000)
		dp_acked_rate_add(&a, t, 1250);
	CHECK(dp_acked_rate_bps(&a) == 0, "acked: a rate from 40 ms of arrivals");
	for (int i = 0; i < 200; i++, t += 10000)
		dp_acked_rate_add(&a, t, 1250);
	double r = dp_acked_rate_bps(&a);
	CHECK(fabs(r - 1e6) < 0.03e6, "acked: %.0f bit/s for 1 Mbit/s", r);
	/* An arrival older than the window changes nothing. */
	dp_acked_rate_add(&a, t - 2000000, 100000);
	CHECK(dp_acked_rate_bps(&a) == r, "acked: an old arrival counted");
	/* 2 s of nothing, then one packet: what the last 500 ms held. */
	t += 2000000;
	dp_acked_rate_add(&a, t, 1250);
	r = dp_acked_rate_bps(&a);
	CHECK(r > 0 && r < 0.05e6, "acked: %.0f bit/s after a 2 s gap", r);
}

/* ---- AIMD ------------------------------------------------------------- */

enum { NOW_ABS = 1 };

struct aimd_step {
	double dt_ms;               /* since the previous step */
	enum dp_bw_usage signal;
	double acked_kbps;          /* 0: unknown */
	double want_kbps;           /* A_hat after it */
	enum dp_aimd_state state;   /* after it */
	bool near_max;
};

struct aimd_case {
	const char *name;
	double start_kbps, min_kbps, max_kbps, rtt_ms;
	struct aimd_step steps[12];
};

/* The draft's additive step from A kbit/s after dt ms with rtt ms. */
static double additive_kbps(double a_kbps, double dt_ms, double rtt_ms)
{
	double bits_per_frame = a_kbps * 1000 / 30;
	double packets = ceil(bits_per_frame / (1200 * 8));
	double alpha = 0.5 * fmin(dt_ms / (100 + rtt_ms), 1.0);
	return a_kbps + fmax(1000, alpha * bits_per_frame / packets) / 1000;
}

#define N DP_BW_NORMAL
#define O DP_BW_OVERUSING
#define U DP_BW_UNDERUSING
#define HOLD DP_AIMD_HOLD
#define INC DP_AIMD_INCREASE

static struct aimd_case aimd_cases[] = {
	{ "1 multiplicative: 8% a second, at most a second at a time", 1000, 30, 50000, 100,
	  { { 0, N, 1000, 1000, INC },             /* the first update starts the clock */
	    { 500, N, 1000, 1000 * 1.0392305, INC }, /* 1.08^0.5 */
	    { 500, N, 1000, 1080, INC },
	    { 3000, N, 1000, 1080 * 1.08, INC } } }, /* capped at one second */
	{ "2 decrease to 0.85 R_hat, then Hold; once per round trip", 1000, 30, 50000, 100,
	  { { 0, N, 1000, 1000, INC },
	    { 100, O, 900, 765, HOLD, true },
	    { 50, O, 700, 765, HOLD, true },         /* within the rtt: no second decrease */
	    { 60, O, 700, 595, HOLD, true },         /* after it: 0.85 * 700 */
	    { 50, O, 250, 212.5, HOLD, true } } },   /* R_hat < A/2: at once (the average
						      * max bitrate starts again from it) */
	{ "3 under-use holds; normal from Hold increases (additive near the max)", 1000, 30,
	  50000, 100,
	  { { 0, O, 1000, 850, HOLD, true },
	    { 100, U, 850, 850, HOLD, true },
	    { 100, N, 850, 850, INC, true },         /* Hold -> Increase starts the clock */
	    { 100, N, 850, -1, INC, true } } },      /* additive: filled in by the test */
	{ "4 R_hat past the average max bitrate + 3 deviations: multiplicative again", 1000, 30,
	  50000, 100,
	  { { 0, O, 1000, 850, HOLD, true },
	    { 100, N, 850, 850, INC, true },
	    { 1000, N, 1500, 850 * 1.08, INC, false } } },
	{ "5 A_hat < 1.5 R_hat + 10 kbit/s: an increase stops there", 1000, 30, 50000, 100,
	  { { 0, N, 500, 1000, INC },
	    { 1000, N, 500, 1000, INC },             /* 760 < 1000: no increase, no decrease */
	    { 1000, N, 700, 1060, INC } } },         /* min(1080, 1060) */
	{ "6 over-use before any R_hat: halve, at most every 200 ms", 1000, 30, 50000, 100,
	  { { 0, O, 0, 500, HOLD },
	    { 100, O, 0, 500, HOLD },
	    { 100, O, 0, 250, HOLD } } },
	{ "7 the floor and the ceiling", 100, 80, 1000, 100,
	  { { 0, O, 50, 80, HOLD, true },
	    { 100, N, 50, 80, INC, true },
	    { 0, O, 0, 80, HOLD, true } } },
	{ "8 the ceiling", 990, 80, 1000, 100,
	  { { 0, N, 990, 990, INC }, { 1000, N, 990, 1000, INC } } },
};

static void aimd_tables(void)
{
	for (unsigned c = 0; c < ARRAY_LEN(aimd_cases); c++) {
		struct aimd_case *t = &aimd_cases[c];
		struct dp_aimd a;
		int64_t now = 777000000;

		dp_aimd_init(&a, t->start_kbps * 1000, t->min_kbps * 1000, t->max_kbps * 1000);
		for (unsigned i = 0; i < ARRAY_LEN(t->steps); i++) {
			struct aimd_step *s = &t->steps[i];
			if (i > 0 && s->want_kbps == 0)
				break;
			double before = a.bitrate_bps / 1000;
			now += MS(s->dt_ms);
			double got = dp_aimd_update(&a, s->signal, s->acked_kbps * 1000,
						    MS(t->rtt_ms), now) / 1000;
			double want = s->want_kbps >= 0 ? s->want_kbps
							: additive_kbps(before, s->dt_ms, t->rtt_ms);
			CHECK(fabs(got - want) <= want * 1e-6 + 1e-3,
			      "%s: step %u: %.4f kbit/s, want %.4f", t->name, i, got, want);
			CHECK(a.state == s->state, "%s: step %u: %s, want %s", t->name, i,
			      dp_aimd_state_name(a.state), dp_aimd_state_name(s->state));
			CHECK(dp_aimd_near_max(&a) == s->near_max, "%s: step %u: near max %d",
			      t->name, i, dp_aimd_near_max(&a));
		}
	}
}

/* ---- the four together ------------------------------------------------ */

/* Packets every 5 ms into a queue that grows (sent at 1.2x a 1 Mbit/s
 * link): the controller decreases to about 0.85 x 1 Mbit/s. */
static void together(void)
{
	struct dp_delay_bwe d;
	int64_t link_free = 0, now = 0;

	dp_delay_bwe_init(&d, 1.2e6, 30000, 50e6);
	for (int64_t seq = 0; seq < 2000; seq++) {
		int64_t send = seq * 8000; /* 1200 octets every 8 ms: 1.2 Mbit/s */
		int64_t start = link_free > send ? link_free : send;
		link_free = start + 9600; /* 1 Mbit/s */
		struct dp_twcc_result r = { .seq = seq, .send_us = send,
					    .arrival_us = link_free + 20000, .size = 1200,
					    .received = true };
		dp_delay_bwe_on_packet(&d, &r);
		if (seq % 10 == 9) {
			now = send + 40000;
			dp_delay_bwe_update(&d, 40000, now);
		}
		if (d.rate.decreases)
			break;
	}
	double est = dp_delay_bwe_estimate(&d);
	CHECK(d.rate.decreases == 1 && est > 0.8e6 && est < 0.9e6,
	      "together: %llu decreases, estimate %.0f", (unsigned long long)d.rate.decreases, est);
	CHECK(d.signal == DP_BW_OVERUSING, "together: signal %s", dp_bw_usage_name(d.signal));
}

int main(void)
{
	ia_tables();
	tl_tables();
	acked();
	aimd_tables();
	together();
	CHECK(dp_bw_usage_name(7)[0] == '?' && dp_aimd_state_name(7)[0] == '?', "names");
	return test_summary("dp_bwe_delay");
}
