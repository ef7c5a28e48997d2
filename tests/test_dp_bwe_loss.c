/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loss-based controller (dataplane/bwe/loss_bwe.c,
 * draft-ietf-rmcat-gcc-02 section 6) and a leg's estimate put together
 * (bwe.c, bwe_rtcp.c):
 *
 *  - loss_bwe as numbered steps: losses counted, the bound, the estimate
 *    expected: follows the bound under 2%, holds from 2 to 10%, 1 - 0.5p
 *    above, 5% a second back up, re-attached to the bound, the judgement
 *    window, the decrease spacing, receiver reports, recovered packets.
 *  - bwe: the start value, REMB-only receivers (REMB as the estimate, its
 *    floor and ceiling, loss from receiver reports below it, a stale REMB),
 *    transport feedback with a REMB cap that expires, receiver reports
 *    ignored while transport feedback lives, and the same through real
 *    RTCP packets (dp_rtcp_build_*) and dp_bwe_on_rtcp.
 */
#include <math.h>

#include "../dataplane/bwe/bwe.h"
#include "../dataplane/bwe/bwe_rtcp.h"
#include "../dataplane/bwe/loss_bwe.h"
#include "../dataplane/rtcp/rtcp_build.h"
#include "test_util.h"

#define MS(x) ((int64_t)((x) * 1000))

/* ---- loss_bwe ------------------------------------------------------------ */

struct loss_step {
	double dt_ms;
	uint32_t lost, total;   /* counted before the update */
	int fraction;           /* a receiver report's fraction lost, -1: none */
	uint32_t recovered;     /* packets taken back */
	double bound_kbps;
	double want_kbps;
	bool limiting;
};

struct loss_case {
	const char *name;
	double rtt_ms;
	struct loss_step steps[10];
};

#define NOF -1

static const struct loss_case loss_cases[] = {
	{ "1 under 2%: As_hat follows the bound", 100,
	  { { 0, 0, 0, NOF, 0, 1000, 1000 }, { 600, 0, 50, NOF, 0, 1000, 1000 },
	    { 600, 1, 100, NOF, 0, 1200, 1200 } } },
	{ "2 over 10%: As_hat(i) = As_hat(i-1)(1 - 0.5p), then it limits", 100,
	  { { 0, 0, 0, NOF, 0, 1000, 1000 }, { 600, 10, 50, NOF, 0, 1000, 900, true },
	    { 100, 0, 0, NOF, 0, 1200, 900, true } } },
	{ "3 2 to 10%: kept unchanged", 100,
	  { { 0, 0, 0, NOF, 0, 1000, 1000 }, { 600, 10, 50, NOF, 0, 1000, 900, true },
	    { 600, 5, 50, NOF, 0, 1000, 900, true }, { 600, 1, 50, NOF, 0, 1000, 900, true } } },
	{ "4 under 2% while limiting: 5% up, a second after the decrease and a second apart",
	  100,
	  { { 0, 0, 0, NOF, 0, 1000, 1000 }, { 600, 10, 50, NOF, 0, 1000, 900, true },
	    { 600, 0, 50, NOF, 0, 1000, 900, true },      /* 600 ms after: not yet */
	    { 500, 0, 50, NOF, 0, 1000, 945, true },      /* 1.1 s after */
	    { 600, 0, 50, NOF, 0, 1000, 945, true },
	    { 500, 0, 50, NOF, 0, 1000, 992.25, true } } },
	{ "5 back up to the bound: follows it again", 100,
	  { { 0, 0, 0, NOF, 0, 1000, 1000 }, { 600, 10, 50, NOF, 0, 1000, 900, true },
	    { 1100, 0, 50, NOF, 0, 940, 940, false }, { 600, 0, 50, NOF, 0, 1500, 1500 } } },
	{ "6 the bound falls below As_hat: follows the bound, no longer limiting", 100,
	  { { 0, 0, 0, NOF, 0, 1000, 1000 }, { 600, 10, 50, NOF, 0, 1000, 900, true },
	    { 100, 0, 0, NOF, 0, 800, 800, false }, { 100, 0, 0, NOF, 0, 1000, 1000 } } },
	{ "7 decreases at least 300 ms + rtt apart", 400,
	  { { 0, 0, 0, NOF, 0, 1000, 1000 }, { 600, 10, 50, NOF, 0, 1000, 900, true },
	    { 600, 10, 50, NOF, 0, 1000, 900, true },     /* 600 < 700 ms: no */
	    { 600, 10, 50, NOF, 0, 1000, 810, true } } },
	{ "8 fewer than 20 packets are not judged, whatever the time", 100,
	  { { 0, 0, 0, NOF, 0, 1000, 1000 }, { 600, 5, 10, NOF, 0, 1000, 1000 },
	    { 600, 5, 10, NOF, 0, 1000, 750, true } } },
	{ "9 a window shorter than 500 ms is not judged", 100,
	  { { 0, 0, 0, NOF, 0, 1000, 1000 }, { 100, 10, 50, NOF, 0, 1000, 1000 },
	    { 300, 0, 0, NOF, 0, 1000, 1000 }, { 100, 0, 0, NOF, 0, 1000, 900, true } } },
	{ "10 a receiver report is judged at once: 64/256 lost, x 0.875", 100,
	  { { 0, 0, 0, NOF, 0, 1000, 1000 }, { 10, 0, 0, 64, 0, 1000, 875, true },
	    { 1000, 0, 0, 4, 0, 1000, 918.75, true },     /* 1.6%: up, a second after */
	    { 10, 0, 0, 0, 0, 1000, 918.75, true } } },   /* a report, but too soon */
	{ "11 a packet counted lost and then received is taken back", 100,
	  { { 0, 0, 0, NOF, 0, 1000, 1000 }, { 600, 6, 50, NOF, 1, 1000, 1000 },
	    { 600, 6, 50, NOF, 0, 1000, 940, true } } },
};

static void loss_tables(void)
{
	for (unsigned c = 0; c < ARRAY_LEN(loss_cases); c++) {
		const struct loss_case *t = &loss_cases[c];
		struct dp_loss_bwe l;
		int64_t now = 5000000;

		dp_loss_bwe_init(&l);
		for (unsigned i = 0; i < ARRAY_LEN(t->steps); i++) {
			const struct loss_step *s = &t->steps[i];
			if (i > 0 && s->bound_kbps == 0)
				break;
			now += MS(s->dt_ms);
			dp_loss_bwe_count(&l, s->lost, s->total);
			for (uint32_t k = 0; k < s->recovered; k++)
				dp_loss_bwe_recovered(&l);
			if (s->fraction >= 0)
				dp_loss_bwe_count_fraction(&l, (uint8_t)s->fraction, 0);
			double got = dp_loss_bwe_update(&l, s->bound_kbps * 1000, MS(t->rtt_ms), now);
			CHECK(fabs(got / 1000 - s->want_kbps) < 1e-6, "%s: step %u: %.3f kbit/s, want %.3f",
			      t->name, i, got / 1000, s->want_kbps);
			CHECK(l.limiting == s->limiting, "%s: step %u: limiting %d", t->name, i,
			      l.limiting);
		}
	}
}

/* ---- a leg's estimate ------------------------------------------------ */

/* Feeds `n` packets 10 ms apart over an uncongested path (20 ms), with a
 * feedback every 5 packets; returns the time reached. */
static int64_t twcc_flow(struct dp_bwe *b, int64_t now, unsigned n, uint8_t *fb_count)
{
	uint16_t seqs[5];
	int64_t sent[5];
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++, now += 10000) {
		sent[k] = now;
		seqs[k++] = dp_bwe_on_send(b, 1200, now);
		if (k < 5)
			continue;
		/* The receiver's clock: 123 s ahead; reference of 64 ms. */
		int64_t ref = (sent[0] + 123000000 + 20000) / 64000;
		dp_bwe_twcc_begin(b, (int32_t)ref, (*fb_count)++);
		for (unsigned j = 0; j < k; j++)
			dp_bwe_twcc_packet(b, seqs[j], true, sent[j] + 123000000 + 20000 - ref * 64000);
		dp_bwe_twcc_end(b, now + 20000);
		k = 0;
	}
	return now;
}

static void leg(void)
{
	struct dp_bwe *b = malloc(sizeof(*b));
	struct dp_bwe_config cfg;
	int64_t now = 1000000;
	uint8_t fb = 0;

	/* Defaults, before anything is heard. */
	dp_bwe_init(b, NULL, 0);
	CHECK(dp_bwe_estimate(b) == DP_BWE_START_BPS && b->source == DP_BWE_SOURCE_START,
	      "start: %u from %s", dp_bwe_estimate(b), dp_bwe_source_name(b->source));
	CHECK(dp_bwe_update(b, now) == DP_BWE_START_BPS, "start: update moved it");
	/* Stray calls: a status or an end without a begin. */
	dp_bwe_twcc_packet(b, 0, true, 0);
	CHECK(dp_bwe_twcc_end(b, now) == DP_BWE_START_BPS && !b->have_twcc, "stray end");

	/* REMB only: the receiver's estimate is the estimate, floored and
	 * capped; it stands however old. */
	CHECK(dp_bwe_on_remb(b, 1500000, now) == 1500000 && b->source == DP_BWE_SOURCE_REMB,
	      "remb 1.5M: %u", dp_bwe_estimate(b));
	CHECK(dp_bwe_on_remb(b, 800000, now) == 800000, "remb 800k: %u", dp_bwe_estimate(b));
	CHECK(dp_bwe_on_remb(b, 10000, now) == DP_BWE_MIN_BPS, "remb under the floor: %u",
	      dp_bwe_estimate(b));
	CHECK(dp_bwe_on_remb(b, 100000000000ull, now) == DP_BWE_MAX_BPS, "remb over the ceiling");
	dp_bwe_on_remb(b, 2000000, now);
	CHECK(dp_bwe_update(b, now + 60000000) == 2000000, "remb 60 s old: %u", dp_bwe_estimate(b));
	now += 60000000;

	/* Loss from receiver reports, below the REMB: 25% lost, x 0.875;
	 * a clean report a second later, x 1.05. */
	CHECK(dp_bwe_on_loss_report(b, 64, 0, now) == 1750000 && b->source == DP_BWE_SOURCE_LOSS,
	      "rr 25%%: %u from %s", dp_bwe_estimate(b), dp_bwe_source_name(b->source));
	now += 1000000;
	CHECK(dp_bwe_on_loss_report(b, 0, 500, now) == 1837500, "rr 0%%: %u", dp_bwe_estimate(b));
	now += 1000000;
	dp_bwe_on_loss_report(b, 0, 500, now);
	CHECK(dp_bwe_estimate(b) == 1929375, "rr 0%% again: %u", dp_bwe_estimate(b));
	now += 1000000;
	dp_bwe_on_loss_report(b, 0, 500, now);
	CHECK(dp_bwe_estimate(b) == 2000000 && b->source == DP_BWE_SOURCE_REMB,
	      "rr back at the remb: %u", dp_bwe_estimate(b));

	/* A configured start, clamped into [min, max]. */
	cfg = (struct dp_bwe_config){ .start_bps = 900000000, .min_bps = 50000, .max_bps = 4000000 };
	dp_bwe_init(b, &cfg, 100);
	CHECK(dp_bwe_estimate(b) == 4000000, "start above the ceiling: %u", dp_bwe_estimate(b));
	cfg = (struct dp_bwe_config){ .start_bps = 1000000, .min_bps = 50000, .max_bps = 50000000 };
	dp_bwe_init(b, &cfg, 100);
	now = 1000000;

	/* Transport feedback: the delay-based estimate grows 8%/s from the
	 * start on a path that keeps up. */
	now = twcc_flow(b, now, 500, &fb);
	uint32_t d = dp_bwe_estimate(b);
	CHECK(b->source == DP_BWE_SOURCE_DELAY && d > 1000000 * 1.3 && d < 1000000 * 1.08 * 1.08 * 1.08 * 1.08 * 1.08,
	      "twcc 5 s: %u from %s", d, dp_bwe_source_name(b->source));
	CHECK(b->twcc.outcomes[DP_TWCC_RESULT] == 500, "twcc: %llu results",
	      (unsigned long long)b->twcc.outcomes[DP_TWCC_RESULT]);

	/* A REMB below it caps it while fresh; 5 s later it is stale. */
	CHECK(dp_bwe_on_remb(b, 700000, now) == 700000 && b->source == DP_BWE_SOURCE_REMB,
	      "twcc + remb: %u", dp_bwe_estimate(b));
	now = twcc_flow(b, now, 100, &fb);
	CHECK(dp_bwe_estimate(b) == 700000, "twcc + remb 1 s later: %u", dp_bwe_estimate(b));
	now = twcc_flow(b, now, 500, &fb);
	CHECK(dp_bwe_estimate(b) > 1000000 && b->source == DP_BWE_SOURCE_DELAY,
	      "twcc + stale remb: %u from %s", dp_bwe_estimate(b), dp_bwe_source_name(b->source));

	/* Receiver reports count nothing while transport feedback lives. */
	d = dp_bwe_estimate(b);
	CHECK(dp_bwe_on_loss_report(b, 255, 1000, now) == d, "rr during twcc: %u, want %u",
	      dp_bwe_estimate(b), d);
	/* Transport feedback gone for 6 s (its last is newer than the last
	 * REMB): the last delay estimate holds; now reports count. */
	now += 6000000;
	CHECK(dp_bwe_update(b, now) == d && b->source == DP_BWE_SOURCE_DELAY,
	      "twcc stopped: %u", dp_bwe_estimate(b));
	CHECK(dp_bwe_on_loss_report(b, 128, 0, now) == (uint32_t)(d * 0.75),
	      "rr after twcc stopped: %u, want %u", dp_bwe_estimate(b), (uint32_t)(d * 0.75));
	free(b);
}

/* The same inputs as RTCP octets through dp_bwe_on_rtcp. */
static void rtcp(void)
{
	struct dp_bwe *b = malloc(sizeof(*b));
	uint8_t buf[256];
	struct dp_rtcp_report_block blocks[2] = { { .ssrc = 1, .fraction_lost = 96 },
						  { .ssrc = 2, .fraction_lost = 32 } };
	uint32_t ssrcs[1] = { 0x1234 };
	struct dp_rtcp_part parts[3] = {
		{ .type = DP_RTCP_PART_RR, .ssrc = 9, .report = { .blocks = blocks, .n = 2 } },
		{ .type = DP_RTCP_PART_REMB, .ssrc = 9,
		  .remb = { .bitrate_bps = 1000000, .ssrcs = ssrcs, .n = 1 } },
		{ .type = DP_RTCP_PART_PLI, .ssrc = 9, .media_ssrc = 0x1234 },
	};
	uint32_t len = dp_rtcp_build_compound(buf, sizeof(buf), parts, 3);
	struct dp_rtcp_iter it;
	struct dp_rtcp_item item;

	CHECK(len > 0, "rtcp: compound did not build");
	dp_bwe_init(b, NULL, 0);
	dp_rtcp_iter_init(&it, buf, len, 0);
	while (dp_rtcp_next(&it, &item))
		dp_bwe_on_rtcp(b, &item, 2000000);
	CHECK(it.err == DP_RTCP_OK, "rtcp: parse %d", it.err);
	/* RR first: (96 + 32) / 2 = 64 = 25% below the 300k start: 262500;
	 * then the REMB of 1M is the bound, the loss estimate stays below. */
	CHECK(dp_bwe_estimate(b) == 262500 && b->remb_bps == 1000000 && b->remb_count == 1 &&
		      b->report_count == 1,
	      "rtcp: %u (remb %llu)", dp_bwe_estimate(b), (unsigned long long)b->remb_bps);
	/* An RR without blocks changes nothing. */
	len = dp_rtcp_build_rr(buf, sizeof(buf), 9, NULL, 0);
	dp_rtcp_iter_init(&it, buf, len, 0);
	while (dp_rtcp_next(&it, &item))
		dp_bwe_on_rtcp(b, &item, 3000000);
	CHECK(b->report_count == 1 && dp_bwe_estimate(b) == 262500, "rtcp: empty rr counted");
	free(b);
}

int main(void)
{
	loss_tables();
	leg();
	rtcp();
	CHECK(dp_bwe_source_name(9)[0] == '?', "source names");
	return test_summary("dp_bwe_loss");
}
