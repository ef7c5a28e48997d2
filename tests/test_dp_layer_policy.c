/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/bwe/layer_policy.c: the layer targets of a receiver's video
 * subscriptions over time.
 *
 *  - Scripted cases: at each step the time, the receiver's estimate and
 *    any change (the speaker, ranks, wishes, the most video sources, a
 *    layer the source stops sending), and the decision expected for every
 *    subscription ("s.t", "s.t!" when a keyframe is needed, "off:reason").
 *    Estimates stepping down (at once) and up (after the hold, which backs
 *    off after each down-switch and resets after a quiet spell), receiver
 *    limits, max_video_sources, equal share against speaker first.
 *  - Noisy estimates around a layer boundary (random and slow waves): the
 *    switches are counted; an up never follows a down by less than the
 *    hold in force, and the choices never cost more than the estimate.
 *  - The probing hints: next_bps and wanted_bps.
 *
 * Every source here is a typical three-encoding simulcast (180p, 360p,
 * 720p, three temporal layers each); costs in kbit/s:
 *
 *          t0    t1    t2
 *   s0     60    90   150
 *   s1    200   300   500
 *   s2    600   900  1500
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dataplane/bwe/layer_policy.h"
#include "test_util.h"

#define MAX_SUBS 6

static const uint32_t costs[3][3] = {
	{ 60, 90, 150 }, { 200, 300, 500 }, { 600, 900, 1500 } };

static void source_init(struct dp_lp_source *src)
{
	memset(src, 0, sizeof(*src));
	for (int s = 0; s < 3; s++) {
		for (int t = 0; t < 3; t++)
			src->bps[s][t] = costs[s][t] * 1000;
		src->height[s] = (uint16_t)(180 << s);
	}
}

struct world {
	struct dp_lp_config cfg;
	struct dp_lp_receiver rx;
	struct dp_lp_source src[MAX_SUBS];
	struct dp_lp_sub subs[MAX_SUBS];
	struct dp_lp_state st[MAX_SUBS];
	struct dp_lp_decision out[MAX_SUBS];
	struct dp_lp_summary sum;
	unsigned n;
};

static void world_init(struct world *w, unsigned n, enum dp_lp_policy policy)
{
	memset(w, 0, sizeof(*w));
	dp_lp_config_default(&w->cfg);
	w->cfg.policy = policy;
	w->rx.max_video_sources = DP_LP_ALL;
	w->n = n;
	for (unsigned i = 0; i < n; i++) {
		source_init(&w->src[i]);
		w->subs[i] = (struct dp_lp_sub){ .src = &w->src[i], .max_spatial = DP_LP_ALL,
						  .max_temporal = DP_LP_ALL, .rank = (uint16_t)i };
	}
}

static void run(struct world *w, int64_t now_us)
{
	dp_layer_policy_run(&w->cfg, &w->rx, w->subs, w->st, w->out, w->n, now_us, &w->sum);
	CHECK(w->sum.used_bps <= w->rx.estimate_bps, "used %u > estimate %u", w->sum.used_bps,
	      w->rx.estimate_bps);
}

/* "s.t", "s.t!" or "off:reason" for decision i. */
static void describe(const struct dp_lp_decision *d, char *buf, size_t n)
{
	if (d->on)
		snprintf(buf, n, "%u.%u%s", d->spatial, d->temporal, d->keyframe ? "!" : "");
	else
		snprintf(buf, n, "off:%s", dp_lp_off_name(d->off));
}

/* ---- scripted cases --------------------------------------------------- */

struct lp_step {
	double t_s;
	uint32_t est_kbps;
	const char *change; /* tokens: "spk:I", "rank:A,B,..", "max:N", "I:sN", "I:tN",
			     * "I:hN", "I:pause", "I:resume", "I:dropN" (spatial N stops) */
	const char *want;   /* one token per subscription, space separated */
};

struct lp_case {
	const char *name;
	unsigned n;
	enum dp_lp_policy policy;
	struct lp_step steps[24];
};

static const struct lp_case lp_cases[] = {
	{ "1 one subscription: down at once, up after a hold that doubles, halves after 30 s",
	  1, DP_LP_EQUAL_SHARE,
	  { { 0, 2000, NULL, "2.2!" },          /* a first choice: no hold */
	    { 1, 1000, NULL, "2.1" },           /* 1.5M no longer covered: down; hold 4 s */
	    { 2, 2000, NULL, "2.1" },           /* covered with 10%: pending from 2 s */
	    { 5.9, 2000, NULL, "2.1" },
	    { 6, 2000, NULL, "2.2" },           /* 4 s later: up (temporal: no keyframe) */
	    { 7, 400, NULL, "1.1" },            /* down; hold 8 s */
	    { 8, 2000, NULL, "1.1" },
	    { 15.9, 2000, NULL, "1.1" },
	    { 16, 2000, NULL, "2.2!" },         /* up a spatial layer: keyframe */
	    { 17, 50, NULL, "off:bandwidth" },  /* not even the base: off; hold 16 s */
	    { 18, 2000, NULL, "off:bandwidth" },
	    { 33.9, 2000, NULL, "off:bandwidth" },
	    { 34, 2000, NULL, "2.2!" },
	    { 65, 1000, NULL, "2.1" },          /* 48 s quiet: 16 -> 8 s, now 16 again */
	    { 66, 2000, NULL, "2.1" },
	    { 81.9, 2000, NULL, "2.1" },
	    { 82, 2000, NULL, "2.2" },
	    { 200, 1000, NULL, "2.1" },         /* 135 s quiet: back to 2 s, now 4 */
	    { 201, 2000, NULL, "2.1" },
	    { 205, 2000, NULL, "2.2" } } },
	{ "2 the margin: an up needs the step covered with 10% to spare", 1, DP_LP_EQUAL_SHARE,
	  { { 0, 950, NULL, "2.0!" },           /* fresh: min(A0, A1); 950 / 1.1 < 900 */
	    { 10, 989, NULL, "2.0" },           /* 989 / 1.1 = 899.1 */
	    { 11, 990, NULL, "2.0" },           /* 990 / 1.1 = 900: pending from 11 s */
	    { 12.9, 990, NULL, "2.0" },
	    { 13, 990, NULL, "2.1" },
	    { 14, 1649, NULL, "2.1" },          /* 1649 / 1.1 < 1500 */
	    { 30, 1649, NULL, "2.1" } } },
	{ "3 receiver limits: max spatial, max temporal, max height, the lowest always allowed",
	  1, DP_LP_EQUAL_SHARE,
	  { { 0, 5000, "0:s1", "1.2!" },
	    { 1, 5000, "0:t0", "1.0" },         /* the wish shrank: the choice is gone: at once */
	    { 2, 5000, "0:s255", "1.0" },       /* wider wishes: an up, after the hold */
	    { 4, 5000, NULL, "2.0!" },
	    { 5, 5000, "0:t255", "2.0" },
	    { 7, 5000, NULL, "2.2" },
	    { 8, 5000, "0:h360", "1.2" },       /* 720p is over 360: gone at once */
	    { 9, 5000, "0:h100", "0.2" },       /* below the lowest (180p): that one anyway */
	    { 10, 5000, "0:pause", "off:limit" },
	    { 11, 5000, "0:resume", "0.2!" } } }, /* back from the limits: no hold */
	{ "4 max_video_sources: the first by rank get video, a rank change swaps at once",
	  4, DP_LP_EQUAL_SHARE,
	  { { 0, 10000, "max:2", "2.2! 2.2! off:limit off:limit" },
	    { 1, 10000, "rank:1,2,3,0", "2.2 off:limit off:limit 2.2!" },
	    { 2, 10000, "max:255", "2.2 2.2! 2.2! 2.2" },
	    { 3, 10000, "max:0", "off:limit off:limit off:limit off:limit" } } },
	{ "5 equal share: the same layers for all, in steps", 3, DP_LP_EQUAL_SHARE,
	  { { 0, 2000, NULL, "2.0! 2.0! 2.0!" },  /* 3 x 600 = 1800 */
	    { 1, 1000, NULL, "1.1 1.1 1.1" },     /* 3 x 300 = 900; 500 for the first is 1100 */
	    { 2, 1100, NULL, "1.1 1.1 1.1" },     /* 1100 / 1.1 = 1000: no room with the margin */
	    { 3, 1210, NULL, "1.1 1.1 1.1" },     /* 1100: pending (hold 4 s after the down) */
	    { 7, 1210, NULL, "1.2 1.1 1.1" },     /* only the first fits */
	    { 8, 150, NULL, "0.1 0.0 off:bandwidth" } } }, /* bases 120, then a round */
	{ "6 speaker first: the speaker's top layers, then the others; the speaker changes",
	  3, DP_LP_SPEAKER_FIRST,
	  { { 0, 2000, "spk:1", "0.2! 2.2! 0.2!" },  /* A1 (1818): 1500 + 2 x 150 */
	    { 3, 2000, NULL, "0.2 2.2 0.2" },        /* A0 would give 1.0/1.1, A1 not: stays */
	    { 4, 2000, "spk:2", "0.2 1.0 0.2" },     /* the old speaker down at once ... */
	    { 5.9, 2000, NULL, "0.2 1.0 0.2" },
	    { 6, 2000, NULL, "0.2 1.0 2.2!" },       /* ... the new one up after the hold */
	    /* Bases 3 x 60; the speaker to 150 (200 won't fit); a round:
	     * the first other to 90, the second stays. */
	    { 7, 300, NULL, "0.1 0.0 0.2" } } },
	{ "7 a layer the source stops sending: the choice is gone, at once", 1, DP_LP_EQUAL_SHARE,
	  { { 0, 5000, NULL, "2.2!" },
	    { 1, 5000, "0:drop2", "1.2" },
	    { 2, 5000, "0:drop1", "0.2" },
	    { 3, 5000, "0:drop0", "off:no_layers" } } },
};

static void apply_change(struct world *w, const char *change)
{
	char buf[128];
	char *save = NULL;

	if (!change)
		return;
	snprintf(buf, sizeof(buf), "%s", change);
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		unsigned i, v;
		if (sscanf(tok, "spk:%u", &v) == 1) {
			for (unsigned k = 0; k < w->n; k++)
				w->subs[k].speaker = k == v;
		} else if (!strncmp(tok, "rank:", 5)) {
			char *p = tok + 5;
			for (unsigned k = 0; k < w->n && *p; k++) {
				w->subs[k].rank = (uint16_t)strtoul(p, &p, 10);
				if (*p == ',')
					p++;
			}
		} else if (sscanf(tok, "max:%u", &v) == 1) {
			w->rx.max_video_sources = (uint8_t)v;
		} else if (sscanf(tok, "%u:s%u", &i, &v) == 2) {
			w->subs[i].max_spatial = (uint8_t)v;
		} else if (sscanf(tok, "%u:t%u", &i, &v) == 2) {
			w->subs[i].max_temporal = (uint8_t)v;
		} else if (sscanf(tok, "%u:h%u", &i, &v) == 2) {
			w->subs[i].max_height = (uint16_t)v;
		} else if (sscanf(tok, "%u:drop%u", &i, &v) == 2) {
			for (int t = 0; t < DP_LP_MAX_TEMPORAL; t++)
				w->src[i].bps[v][t] = 0;
		} else if (sscanf(tok, "%u:", &i) == 1 && strstr(tok, "pause")) {
			w->subs[i].paused = true;
		} else if (sscanf(tok, "%u:", &i) == 1 && strstr(tok, "resume")) {
			w->subs[i].paused = false;
		} else {
			fprintf(stderr, "bad change token %s\n", tok);
			exit(2);
		}
	}
}

static void lp_tables(void)
{
	for (unsigned c = 0; c < ARRAY_LEN(lp_cases); c++) {
		const struct lp_case *k = &lp_cases[c];
		struct world w;

		world_init(&w, k->n, k->policy);
		for (unsigned s = 0; s < ARRAY_LEN(k->steps) && k->steps[s].want; s++) {
			const struct lp_step *st = &k->steps[s];
			char got[256] = "", one[32];
			apply_change(&w, st->change);
			w.rx.estimate_bps = st->est_kbps * 1000;
			run(&w, (int64_t)(st->t_s * 1e6) + 1000000000);
			for (unsigned i = 0; i < w.n; i++) {
				describe(&w.out[i], one, sizeof(one));
				strcat(got, i ? " " : "");
				strcat(got, one);
			}
			CHECK(!strcmp(got, st->want), "%s: at %.1f s (%u kbit/s): \"%s\", want \"%s\"",
			      k->name, st->t_s, st->est_kbps, got, st->want);
		}
	}
}

/* ---- noisy estimates ---------------------------------------------------- */

struct noisy_case {
	const char *name;
	double center_kbps, amplitude;  /* +- amplitude * center */
	double period_s;                /* 0: independent noise every tick */
	double duration_s;
	unsigned max_switches;
};

/* What a receiver without any hysteresis would get: the dearest choice
 * the estimate covers. */
static uint32_t naive_bps(uint32_t est)
{
	uint32_t best = 0;
	for (int s = 0; s < 3; s++)
		for (int t = 0; t < 3; t++)
			if (costs[s][t] * 1000 <= est && costs[s][t] * 1000 > best)
				best = costs[s][t] * 1000;
	return best;
}

static const struct noisy_case noisy_cases[] = {
	{ "random +-15% around 950 kbit/s (the 900 kbit/s step)", 950, 0.15, 0, 120, 1 },
	{ "random +-40% around 950 kbit/s", 950, 0.40, 0, 120, 12 },
	{ "a wave of +-25% around 1 Mbit/s, 10 s period", 1000, 0.25, 10, 120, 12 },
	{ "a wave of +-30% around 1.2 Mbit/s, 6 s period", 1200, 0.30, 6, 120, 12 },
};

static void noisy(void)
{
	for (unsigned c = 0; c < ARRAY_LEN(noisy_cases); c++) {
		const struct noisy_case *k = &noisy_cases[c];
		struct world w;
		uint64_t rng = 7 + c;
		int64_t last_down = -1, hold_at_down = 0;
		unsigned switches = 0, ups = 0, downs = 0, naive = 0;
		uint32_t prev_bps = 0, prev_naive = 0;

		world_init(&w, 1, DP_LP_EQUAL_SHARE);
		for (int64_t t = 0; t <= (int64_t)(k->duration_s * 1e6); t += 100000) {
			double x;
			if (t < 2000000)
				x = 1.0; /* start at the top of the range: something to lose */
			else if (k->period_s > 0)
				x = sin(2 * 3.14159265358979 * (double)t / (k->period_s * 1e6));
			else
				x = 2.0 * test_rand(&rng) / 2147483648.0 - 1.0;
			w.rx.estimate_bps = (uint32_t)(k->center_kbps * 1000 * (1 + k->amplitude * x));
			run(&w, t);
			uint32_t nb = naive_bps(w.rx.estimate_bps);
			naive += t > 0 && nb != prev_naive;
			prev_naive = nb;
			if (t > 0 && w.out[0].changed) {
				switches++;
				if (w.out[0].bps > prev_bps) {
					ups++;
					CHECK(last_down < 0 || t - last_down >= hold_at_down,
					      "%s: up at %.1f s, %.1f s after a down (hold %.1f s)",
					      k->name, t / 1e6, (t - last_down) / 1e6, hold_at_down / 1e6);
				} else {
					downs++;
					last_down = t;
					hold_at_down = w.st[0].hold_us;
				}
			}
			prev_bps = w.out[0].bps;
		}
		/* At most one switch per base hold (2 s), in fact far fewer:
		 * the back-off lets a flapping boundary cross only every few
		 * tens of seconds, where a choice without hysteresis switches
		 * at every crossing. */
		CHECK(switches <= k->max_switches && switches <= k->duration_s / 2 &&
			      switches * 3 <= naive,
		      "%s: %u switches (%u up, %u down) in %.0f s, %u without hysteresis", k->name,
		      switches, ups, downs, k->duration_s, naive);
		if (getenv("STRATA_LP_DUMP"))
			fprintf(stderr, "%s: %u switches (%u up, %u down), %u without hysteresis\n",
				k->name, switches, ups, downs, naive);
		CHECK(switches == w.st[0].switches, "%s: the state counted %u switches", k->name,
		      w.st[0].switches);
	}
}

/* ---- probing hints ------------------------------------------------------ */

static void hints(void)
{
	struct world w;

	world_init(&w, 2, DP_LP_EQUAL_SHARE);
	w.rx.estimate_bps = 1500000;
	run(&w, 0);
	/* 2 x 600 fit 1500/1.1; the next step (900) would need more. */
	CHECK(w.out[0].on && w.out[0].bps == 600000 && w.out[0].next_bps == 900000,
	      "hints: %u next %u", w.out[0].bps, w.out[0].next_bps);
	CHECK(w.sum.used_bps == 1200000 && w.sum.wanted_bps == 3000000 && w.sum.changed == 2,
	      "hints: used %u wanted %u changed %u", w.sum.used_bps, w.sum.wanted_bps,
	      w.sum.changed);
	w.rx.estimate_bps = 10000;
	run(&w, 1000000);
	CHECK(!w.out[1].on && w.out[1].bps == 0 && w.out[1].next_bps == 60000,
	      "hints off: next %u", w.out[1].next_bps);
	/* No config: the defaults; more subscriptions than the maximum are
	 * clamped. */
	CHECK(dp_layer_policy_run(NULL, &w.rx, w.subs, w.st, w.out, 1, 2000000, NULL) == 0,
	      "defaults");
	CHECK(!strcmp(dp_lp_off_name(DP_LP_OFF_NO_LAYERS), "no_layers") &&
		      !strcmp(dp_lp_off_name(9), "?"),
	      "off names");
}

int main(void)
{
	lp_tables();
	noisy();
	hints();
	return test_summary("dp_layer_policy");
}
