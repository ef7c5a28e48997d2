/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/bwe end to end: scripted traces on the simulated path of
 * test_dp_bwe_link.h (router, bottleneck, receiver, real TWCC feedback),
 * each a row of capacity and loss steps with what the estimate must do.
 * Print a trace with STRATA_BWE_DUMP=1.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "test_dp_bwe_link.h"
#include "test_util.h"

#define S(x) ((int64_t)((x) * 1000000))
#define KBPS(x) ((uint32_t)((x) * 1000))

/* What a trace must show; a 0 bound or time is not checked. */
struct expect {
	int64_t from_us, to_us;   /* over the samples in [from, to] */
	uint32_t min_bps;         /* every estimate >= */
	uint32_t max_bps;         /* every estimate <= */
	uint32_t mean_min_bps;    /* the mean >= */
	uint32_t mean_max_bps;    /* the mean <= */
};

struct trace_case {
	const char *name;
	struct link_spec spec;
	struct expect expect[4];
	/* A fall below `below_bps` within `within_us` of `event_us`, and the
	 * detector's over-use within `overuse_us` of it. */
	int64_t event_us, within_us;
	uint32_t below_bps;
	int64_t overuse_us;
	/* The queue stays below this over [queue_from_us, end] (0: no check). */
	int64_t queue_from_us, queue_max_us;
	/* est(t1) / est(t0) within [lo, hi] (t1 = 0: not checked). */
	struct {
		int64_t t0, t1;
		double lo, hi;
	} ratio[3];
	uint64_t min_loss_decreases; /* the loss-based controller acted, at least */
	uint64_t min_overuses;  /* detector over-use transitions, at least */
	bool no_overuse;        /* ... none at all */
};

static const struct trace_case cases[] = {
	{ "1 constant 2 Mbit/s, start 300 kbit/s: grows to capacity and holds near it",
	  { .duration_us = S(60), .seed = 1, .steps = { { 0, KBPS(2000), 0 } } },
	  { { S(0), S(10), KBPS(250), KBPS(1200) },
	    { S(30), S(60), KBPS(1200), KBPS(2600), KBPS(1600), KBPS(2200) } },
	  .queue_from_us = S(30), .queue_max_us = 300000, .min_overuses = 1 },
	{ "2 constant 800 kbit/s, start 1.5 Mbit/s: comes down, then holds near it",
	  { .duration_us = S(40), .seed = 2, .start_bps = KBPS(1500),
	    .steps = { { 0, KBPS(800), 0 } } },
	  { { S(15), S(40), KBPS(450), KBPS(1050), KBPS(600), KBPS(900) } },
	  .event_us = S(0), .within_us = S(2), .below_bps = KBPS(800),
	  .queue_from_us = S(15), .queue_max_us = 300000, .min_overuses = 1 },
	{ "3 capacity drop 2.5 -> 1 Mbit/s at 40 s: over-use within a few hundred ms",
	  { .duration_us = S(70), .seed = 3, .start_bps = KBPS(1000),
	    .steps = { { 0, KBPS(2500), 0 }, { S(40), KBPS(1000), 0 } } },
	  { { S(25), S(40), KBPS(1500) },
	    { S(45), S(70), KBPS(550), KBPS(1300), KBPS(750), KBPS(1100) } },
	  .event_us = S(40), .within_us = 700000, .below_bps = KBPS(1000), .overuse_us = 300000,
	  .queue_from_us = S(50), .queue_max_us = 300000, .min_overuses = 2 },
	{ "4 capacity rises 1 -> 3 Mbit/s at 30 s: the estimate follows, slowly",
	  { .duration_us = S(80), .seed = 4, .start_bps = KBPS(800),
	    .steps = { { 0, KBPS(1000), 0 }, { S(30), KBPS(3000), 0 } } },
	  { { S(15), S(30), KBPS(600), KBPS(1300) },
	    { S(30), S(33), 0, KBPS(1700) },
	    { S(60), S(80), KBPS(1800), KBPS(3800), KBPS(2200) } } },
	{ "5 app-limited at 600 kbit/s on a 5 Mbit/s link: the estimate stays near "
	  "1.5 x what is sent",
	  { .duration_us = S(40), .seed = 5, .app_max_bps = KBPS(600),
	    .steps = { { 0, KBPS(5000), 0 } } },
	  { { S(20), S(40), KBPS(600), KBPS(1000) } },
	  .no_overuse = true },
	{ "6 feedback lost (20%) and reordered (20%): still converges on 2 Mbit/s",
	  { .duration_us = S(60), .seed = 6, .feedback_loss_pct = 20, .feedback_reorder_pct = 20,
	    .steps = { { 0, KBPS(2000), 0 } } },
	  { { S(35), S(60), KBPS(1100), KBPS(2700), KBPS(1500), KBPS(2300) } },
	  .queue_from_us = S(35), .queue_max_us = 400000 },
	{ "7 a short queue (40 ms) on 1.5 Mbit/s: the delay signal still acts before drops",
	  { .duration_us = S(60), .seed = 7, .queue_limit_us = 40000,
	    .steps = { { 0, KBPS(1500), 0 } } },
	  { { S(35), S(60), KBPS(500), KBPS(2300), KBPS(900), KBPS(1800) } } },
	{ "8 long path (150 ms each way), 1.2 Mbit/s",
	  { .duration_us = S(60), .seed = 8, .one_way_us = 150000,
	    .steps = { { 0, KBPS(1200), 0 } } },
	  { { S(35), S(60), KBPS(600), KBPS(1600), KBPS(850), KBPS(1400) } },
	  .queue_from_us = S(35), .queue_max_us = 400000 },
	{ "9 a 20% loss burst (20-24 s) on 3 Mbit/s: the loss-based estimate falls, then "
	  "recovers at 5%/s",
	  { .duration_us = S(40), .seed = 9, .start_bps = KBPS(2000),
	    .steps = { { 0, KBPS(3000), 0 }, { S(20), KBPS(3000), 0.2 },
		       { S(24), KBPS(3000), 0 } } },
	  { { S(10), S(20), KBPS(2000) } },
	  /* (1 - 0.5 * 0.2) per window of 500 ms: 0.9^8 = 0.43 */
	  .ratio = { { S(19.9), S(24), 0.3, 0.7 },
		     /* 1.05 a second: 1.05^10 = 1.63 */
		     { S(25), S(35), 1.4, 1.7 },
		     /* the last lossy window is judged after the burst */
		     { S(24), S(24.9), 0.85, 1.06 } },
	  .min_loss_decreases = 4 },
	{ "10 loss 20% (2 s), then 5% (hold), then none (increase) on 6 Mbit/s",
	  { .duration_us = S(45), .seed = 10, .start_bps = KBPS(4000),
	    .steps = { { 0, KBPS(6000), 0 }, { S(15), KBPS(6000), 0.2 },
		       { S(17), KBPS(6000), 0.05 }, { S(30), KBPS(6000), 0 } } },
	  .ratio = { { S(14.9), S(17.5), 0.5, 0.85 },
		     /* 2 to 10%: kept unchanged (but for one unlucky window
		      * either way: 5% of ~180 packets is under 2% or over 10%
		      * about once in 60 windows) */
		     { S(18), S(30), 0.89, 1.06 },
		     { S(31), S(41), 1.4, 1.7 } },
	  .min_loss_decreases = 2 },
	{ "11 1% random loss throughout on 2 Mbit/s: below 2%, not reacted to",
	  { .duration_us = S(50), .seed = 11, .steps = { { 0, KBPS(2000), 0.01 } } },
	  { { S(30), S(50), KBPS(1100), KBPS(2600), KBPS(1500), KBPS(2200) } } },
};

static void run(const struct trace_case *c)
{
	struct link_trace tr;
	unsigned before = test_failures;

	link_run(&c->spec, &tr);
	for (unsigned i = 0; i < ARRAY_LEN(c->expect) && c->expect[i].to_us; i++) {
		const struct expect *e = &c->expect[i];
		uint32_t lo = link_est_min(&tr, e->from_us, e->to_us);
		uint32_t hi = link_est_max(&tr, e->from_us, e->to_us);
		double mean = link_est_mean(&tr, e->from_us, e->to_us);
		CHECK(!e->min_bps || lo >= e->min_bps, "%s: [%.1f, %.1f] s: min %u < %u", c->name,
		      e->from_us / 1e6, e->to_us / 1e6, lo, e->min_bps);
		CHECK(!e->max_bps || hi <= e->max_bps, "%s: [%.1f, %.1f] s: max %u > %u", c->name,
		      e->from_us / 1e6, e->to_us / 1e6, hi, e->max_bps);
		CHECK(!e->mean_min_bps || mean >= e->mean_min_bps, "%s: [%.1f, %.1f] s: mean %.0f < %u",
		      c->name, e->from_us / 1e6, e->to_us / 1e6, mean, e->mean_min_bps);
		CHECK(!e->mean_max_bps || mean <= e->mean_max_bps, "%s: [%.1f, %.1f] s: mean %.0f > %u",
		      c->name, e->from_us / 1e6, e->to_us / 1e6, mean, e->mean_max_bps);
	}
	if (c->below_bps) {
		int64_t at = link_first_below(&tr, c->event_us, c->below_bps);
		CHECK(at >= 0 && at - c->event_us <= c->within_us,
		      "%s: below %u at %.2f s, not within %.2f s of %.2f s", c->name, c->below_bps,
		      at / 1e6, c->within_us / 1e6, c->event_us / 1e6);
	}
	if (c->overuse_us) {
		int64_t at = link_first_usage(&tr, c->event_us, DP_BW_OVERUSING);
		CHECK(at >= 0 && at - c->event_us <= c->overuse_us,
		      "%s: over-use at %.2f s, not within %.2f s of %.2f s", c->name, at / 1e6,
		      c->overuse_us / 1e6, c->event_us / 1e6);
	}
	if (c->queue_max_us) {
		int64_t q = link_queue_max(&tr, c->queue_from_us, c->spec.duration_us);
		CHECK(q <= c->queue_max_us, "%s: queue reached %.0f ms", c->name, q / 1e3);
	}
	for (unsigned i = 0; i < ARRAY_LEN(c->ratio) && c->ratio[i].t1; i++) {
		double a = link_est_at(&tr, c->ratio[i].t0), b = link_est_at(&tr, c->ratio[i].t1);
		CHECK(b / a >= c->ratio[i].lo && b / a <= c->ratio[i].hi,
		      "%s: est(%.1f s) / est(%.1f s) = %.0f / %.0f = %.3f, not in [%.2f, %.2f]",
		      c->name, c->ratio[i].t1 / 1e6, c->ratio[i].t0 / 1e6, b, a, b / a,
		      c->ratio[i].lo, c->ratio[i].hi);
	}
	CHECK(tr.bwe->loss.decreases >= c->min_loss_decreases,
	      "%s: %" PRIu64 " loss-based decreases, want >= %" PRIu64, c->name,
	      tr.bwe->loss.decreases, c->min_loss_decreases);
	CHECK(tr.overuses >= c->min_overuses, "%s: %" PRIu64 " over-uses, want >= %" PRIu64,
	      c->name, tr.overuses, c->min_overuses);
	if (c->no_overuse)
		CHECK(tr.overuses == 0, "%s: %" PRIu64 " over-uses on an idle link", c->name,
		      tr.overuses);
	/* The feedback made it through whole: every packet result counted. */
	CHECK(tr.bwe->twcc.outcomes[DP_TWCC_UNKNOWN] == 0, "%s: unknown statuses", c->name);
	if (c->spec.feedback_reorder_pct == 0)
		CHECK(tr.bwe->twcc.feedback_reordered == 0, "%s: reordered feedback seen", c->name);
	if (c->spec.feedback_loss_pct)
		CHECK(tr.bwe->twcc.feedback_lost > 0, "%s: no feedback loss noticed", c->name);
	if (test_failures != before || getenv("STRATA_BWE_DUMP"))
		link_dump(&tr, c->name);
	link_free(&tr);
}

int main(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++)
		run(&cases[i]);
	return test_summary("dp_bwe_trace");
}
