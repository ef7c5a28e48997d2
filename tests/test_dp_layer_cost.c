/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From layer meters to layer choices (dataplane/layer_cost.h, then
 * bwe/layer_policy.h as the main lcore runs them every 100 ms in adapt.c):
 * octet counts growing at known rates become the right costs, nothing is
 * priced before the warm-up, a stopped layer stops being a choice, and a
 * scripted estimate moves a receiver's choice in the expected direction:
 * down at once, up only after the hold.
 */
#include <math.h>

#include "../dataplane/layer_cost.h"
#include "test_util.h"

#define TICK_S 0.1

/* A stream whose layer (s, t) sends rate[s][t] bit/s, run for `ticks`. */
struct meter {
	uint64_t bytes[4][4];
	struct dp_layer_rates r;
};

static void run(struct meter *m, const double rate[4][4], int ticks)
{
	for (int i = 0; i < ticks; i++) {
		for (int s = 0; s < 4; s++)
			for (int t = 0; t < 4; t++)
				m->bytes[s][t] += (uint64_t)(rate[s][t] * TICK_S / 8);
		dp_layer_rates_update(&m->r, (const uint64_t(*)[4])m->bytes, 1, TICK_S);
	}
}

static bool near(double v, double want)
{
	return fabs(v - want) <= want * 0.02 + 1;
}

/* An L1T3 stream: 100, 60 and 80 kbit/s in temporal layers 0, 1, 2. */
static const double l1t3[4][4] = {{100e3, 60e3, 80e3}};

static void single_stream(void)
{
	struct meter m = {0};
	const struct dp_layer_rates *enc[4] = {&m.r};
	struct dp_lp_source src;

	/* Added long before the publisher sends: the warm-up waits for data. */
	const double silent[4][4] = {{0}};
	run(&m, silent, 30);
	run(&m, l1t3, 5);
	dp_layer_costs(enc, &src);
	CHECK(src.bps[0][0] == 0 && src.bps[0][2] == 0,
	      "priced before the warm-up: %u %u", src.bps[0][0], src.bps[0][2]);
	run(&m, l1t3, 20);
	dp_layer_costs(enc, &src);
	CHECK(near(src.bps[0][0], 100e3) && near(src.bps[0][1], 160e3) && near(src.bps[0][2], 240e3),
	      "L1T3 costs %u %u %u, want 100k 160k 240k (cumulative)", src.bps[0][0],
	      src.bps[0][1], src.bps[0][2]);
	CHECK(src.bps[0][3] == 0 && src.bps[1][0] == 0, "layers that are not produced cost 0");

	/* Temporal layer 2 stops: within a few seconds it is no choice. */
	const double l1t2[4][4] = {{100e3, 60e3}};
	run(&m, l1t2, 60);
	dp_layer_costs(enc, &src);
	CHECK(src.bps[0][2] == 0 && near(src.bps[0][1], 160e3),
	      "after layer 2 stopped: (0,1) %u, (0,2) %u", src.bps[0][1], src.bps[0][2]);

	/* A new stream in the slot (gen changes): measured afresh. */
	dp_layer_rates_update(&m.r, (const uint64_t(*)[4])m.bytes, 2, TICK_S);
	CHECK(dp_layer_rate(&m.r, 0, 0) == 0, "a new gen keeps the old stream's rates");
}

static void svc_and_simulcast(void)
{
	/* VP9 L2T2 in one stream: spatial layers build on each other. */
	const double l2t2[4][4] = {{100e3, 50e3}, {200e3, 100e3}};
	struct meter svc = {0};
	const struct dp_layer_rates *one[4] = {&svc.r};
	struct dp_lp_source src;

	run(&svc, l2t2, 30);
	dp_layer_costs(one, &src);
	CHECK(near(src.bps[1][0], 300e3) && near(src.bps[1][1], 450e3) && near(src.bps[0][1], 150e3),
	      "L2T2 costs (0,1) %u (1,0) %u (1,1) %u, want 150k 300k 450k", src.bps[0][1],
	      src.bps[1][0], src.bps[1][1]);

	/* Simulcast: two encodings, each on its own. */
	const double low[4][4] = {{150e3, 50e3}}, high[4][4] = {{600e3, 200e3}};
	struct meter e0 = {0}, e1 = {0};
	const struct dp_layer_rates *two[4] = {&e0.r, &e1.r};
	run(&e0, low, 30);
	run(&e1, high, 30);
	dp_layer_costs(two, &src);
	CHECK(near(src.bps[0][1], 200e3) && near(src.bps[1][0], 600e3) && near(src.bps[1][1], 800e3),
	      "simulcast costs (0,1) %u (1,0) %u (1,1) %u, want 200k 600k 800k", src.bps[0][1],
	      src.bps[1][0], src.bps[1][1]);
}

/* The policy over measured costs, as adapt.c runs it, on a scripted estimate. */
static void estimate_trace(void)
{
	struct meter m = {0};
	const struct dp_layer_rates *enc[4] = {&m.r};
	struct dp_lp_source src;
	struct dp_lp_config cfg;
	struct dp_lp_state st = {0};
	struct dp_lp_decision d;
	static const struct {
		double at_s;
		uint32_t estimate;
		int want_t;          /* the temporal target after this step */
		const char *why;
	} trace[] = {
		{0.0, 400000, 2, "first choice: all layers fit"},
		{1.0, 200000, 1, "estimate below 240k: down at once"},
		{1.1, 120000, 0, "below 160k: down again"},
		{1.2, 400000, 0, "up only after the hold"},
		{2.0, 400000, 0, "still holding"},
		{3.5, 400000, 0, "two down-switches doubled the 2 s hold twice: 8 s"},
		{9.0, 400000, 0, "8 s are not over"},
		{9.5, 400000, 2, "held 8 s: up"},
	};

	run(&m, l1t3, 20);
	dp_layer_costs(enc, &src);
	dp_lp_config_default(&cfg);
	for (size_t i = 0; i < ARRAY_LEN(trace); i++) {
		struct dp_lp_sub sub = {.src = &src, .max_spatial = DP_LP_ALL,
					.max_temporal = DP_LP_ALL};
		struct dp_lp_receiver rx = {.estimate_bps = trace[i].estimate,
					    .max_video_sources = DP_LP_ALL};
		/* Runs every 100 ms up to this step, as the main lcore does. */
		int64_t now = (int64_t)(trace[i].at_s * 1e6);
		int64_t from = i ? (int64_t)(trace[i - 1].at_s * 1e6) + 100000 : now;
		for (int64_t t = from; t <= now; t += 100000)
			dp_layer_policy_run(&cfg, &rx, &sub, &st, &d, 1, t, NULL);
		CHECK(d.on && d.temporal == trace[i].want_t && d.spatial == 0,
		      "t=%.1f s, estimate %u: temporal %u (on %d), want %d: %s", trace[i].at_s,
		      trace[i].estimate, d.temporal, d.on, trace[i].want_t, trace[i].why);
	}
}

int main(void)
{
	single_stream();
	svc_and_simulcast();
	estimate_trace();
	return test_summary("dp_layer_cost");
}
