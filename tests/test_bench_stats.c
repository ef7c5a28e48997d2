/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench run's statistics: the HDR-style histogram (percentiles of
 * known distributions within its stated relative error, merge equal to
 * recording everything in one), loss accounting per receiver (numbered
 * cases of gaps, late packets, duplicates and wraps), the attribution of
 * outputs to trials by RTP timestamp (an earlier trial's late outputs
 * counted apart, never as a later trial's), and the RFC 2544
 * NDR/PDR search against models of a router whose loss is a known function
 * of the offered rate.
 */
#include <math.h>

#include "hist.h"
#include "ndr.h"
#include "run_loss.h"
#include "test_util.h"

/* Within the histogram's bound: reported >= true and at most 1/128 above. */
static int close_to(uint64_t got, uint64_t want)
{
	return got >= want && (double)(got - want) <= (double)want / HIST_SUB + 1;
}

static void hist_buckets(void)
{
	/* Every bucket's range maps back to it, and ranges tile without gaps. */
	uint64_t prev_high = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		uint64_t lo = hist_bucket_low(i), hi = hist_bucket_high(i);
		CHECK(hist_index(lo) == i && hist_index(hi) == i, "bucket %u [%llu,%llu]", i,
		      (unsigned long long)lo, (unsigned long long)hi);
		if (i > 0)
			CHECK(lo == prev_high + 1, "bucket %u starts at %llu after %llu", i,
			      (unsigned long long)lo, (unsigned long long)prev_high);
		CHECK((double)(hi - lo) <= (double)lo / HIST_SUB, "bucket %u too wide", i);
		prev_high = hi;
	}
	CHECK(prev_high == UINT64_MAX, "last bucket ends at %llu", (unsigned long long)prev_high);
}

static void hist_uniform(void)
{
	/* 1..100000 ns once each: the p-th percentile is p*1000 exactly. */
	static struct hist h;
	hist_init(&h);
	for (uint64_t v = 100000; v >= 1; v--)
		hist_record(&h, v);
	const double ps[] = { 1, 50, 90, 99, 99.9, 99.99 };
	for (unsigned i = 0; i < ARRAY_LEN(ps); i++) {
		uint64_t want = (uint64_t)llround(ps[i] * 1000);
		uint64_t got = hist_percentile(&h, ps[i]);
		CHECK(close_to(got, want), "p%g: %llu, want %llu", ps[i], (unsigned long long)got,
		      (unsigned long long)want);
	}
	CHECK(hist_percentile(&h, 100) == 100000, "max");
	CHECK(h.min == 1 && h.max == 100000 && h.count == 100000, "min/max/count");
	CHECK(h.sum == 100000ull * 100001 / 2, "sum");
}

static void hist_tail(void)
{
	/* 99.9 % at 2 us, 0.1 % at 1 ms: p99 sees 2 us, p99.95 the tail. */
	static struct hist h;
	hist_init(&h);
	for (int i = 0; i < 999000; i++)
		hist_record(&h, 2000);
	for (int i = 0; i < 1000; i++)
		hist_record(&h, 1000000);
	CHECK(close_to(hist_percentile(&h, 99), 2000), "p99 %llu",
	      (unsigned long long)hist_percentile(&h, 99));
	CHECK(close_to(hist_percentile(&h, 99.9), 2000), "p99.9 %llu",
	      (unsigned long long)hist_percentile(&h, 99.9));
	CHECK(hist_percentile(&h, 99.95) == 1000000, "p99.95 %llu (clipped to max)",
	      (unsigned long long)hist_percentile(&h, 99.95));
	static struct hist e;
	hist_init(&e);
	CHECK(hist_percentile(&e, 99) == 0, "empty histogram");
}

static void hist_merging(void)
{
	static struct hist a, b, all;
	hist_init(&a);
	hist_init(&b);
	hist_init(&all);
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint64_t v = x % 5000000;
		hist_record(i & 1 ? &a : &b, v);
		hist_record(&all, v);
	}
	hist_merge(&a, &b);
	CHECK(a.count == all.count && a.min == all.min && a.max == all.max && a.sum == all.sum,
	      "merged totals");
	CHECK(memcmp(a.bucket, all.bucket, sizeof(a.bucket)) == 0, "merged buckets");
	CHECK(hist_percentile(&a, 99.9) == hist_percentile(&all, 99.9), "merged p99.9");
}

/* Loss cases: a sequence of received numbers; the counters expected. */
struct loss_case {
	const char *name;
	uint16_t seqs[16];
	unsigned n;
	uint64_t expected_sent;
	uint64_t received, gaps, missing, late, duplicates, lost;
};

static const struct loss_case loss_cases[] = {
	{ "1 continuous", { 10, 11, 12, 13 }, 4, 4, 4, 0, 0, 0, 0, 0 },
	{ "2 one gap of two", { 10, 11, 14, 15 }, 4, 6, 4, 1, 2, 0, 0, 2 },
	{ "3 late packet fills its hole", { 10, 12, 11, 13 }, 4, 4, 4, 1, 0, 1, 0, 0 },
	{ "4 duplicate of the newest", { 10, 11, 11, 12 }, 4, 3, 3, 0, 0, 0, 1, 0 },
	{ "5 duplicate of an older one", { 10, 11, 12, 11 }, 4, 3, 3, 0, 0, 0, 1, 0 },
	{ "6 wrap is continuous", { 65534, 65535, 0, 1 }, 4, 4, 4, 0, 0, 0, 0, 0 },
	{ "7 gap across the wrap", { 65534, 1, 2 }, 3, 5, 3, 1, 2, 0, 0, 2 },
	{ "8 nothing received", { 0 }, 0, 7, 0, 0, 0, 0, 0, 7 },
	{ "9 tail lost (no gap seen)", { 5, 6 }, 2, 4, 2, 0, 0, 0, 0, 2 },
};

static void loss(void)
{
	for (unsigned c = 0; c < ARRAY_LEN(loss_cases); c++) {
		const struct loss_case *t = &loss_cases[c];
		struct run_loss l;
		run_loss_init(&l);
		l.expected = t->expected_sent;
		for (unsigned i = 0; i < t->n; i++)
			run_loss_seq(&l, t->seqs[i]);
		CHECK(l.received == t->received && l.gaps == t->gaps && l.missing == t->missing &&
			      l.late == t->late && l.duplicates == t->duplicates &&
			      run_loss_lost(&l) == t->lost,
		      "%s: received %llu gaps %llu missing %llu late %llu dup %llu lost %llu",
		      t->name, (unsigned long long)l.received, (unsigned long long)l.gaps,
		      (unsigned long long)l.missing, (unsigned long long)l.late,
		      (unsigned long long)l.duplicates, (unsigned long long)run_loss_lost(&l));
	}
	/* 200000 in order across three wraps: continuous, no loss. */
	struct run_loss l;
	run_loss_init(&l);
	l.expected = 200000;
	for (uint32_t i = 0; i < 200000; i++)
		run_loss_seq(&l, (uint16_t)(40000 + i));
	CHECK(run_loss_lost(&l) == 0 && l.gaps == 0 && l.max_ext == 65536 + 40000 + 199999,
	      "long run: lost %llu gaps %llu", (unsigned long long)run_loss_lost(&l),
	      (unsigned long long)l.gaps);
}

/* Origins of input timestamps: 64-bit epochs, RTP's low 32 bits. */
struct origin_case {
	const char *name;
	struct run_epoch e;
	uint32_t in_ts;
	enum run_origin want;
};

#define W32 (UINT64_C(1) << 32)

static const struct origin_case origin_cases[] = {
	{ "1 nothing sent yet", { 90000, 90000, 0 }, 90000, RUN_ORIGIN_NEVER_SENT },
	{ "2 the trial's first", { 90000, 93000, 93000 }, 93000, RUN_ORIGIN_THIS_TRIAL },
	{ "3 the frame before it", { 90000, 93000, 93000 }, 90000, RUN_ORIGIN_EARLIER_TRIAL },
	{ "4 below the first ever", { 90000, 93000, 96000 }, 87000, RUN_ORIGIN_NEVER_SENT },
	{ "5 above the newest", { 90000, 93000, 96000 }, 99000, RUN_ORIGIN_NEVER_SENT },
	{ "6 nothing of this trial sent", { 90000, 93000, 90000 }, 90000,
	  RUN_ORIGIN_EARLIER_TRIAL },
	/* The trial began before the 32-bit wrap and is past it. */
	{ "7 this trial, before the wrap", { 90000, W32 - 3000, W32 + 6000 },
	  (uint32_t)(W32 - 3000), RUN_ORIGIN_THIS_TRIAL },
	{ "8 this trial, after the wrap", { 90000, W32 - 3000, W32 + 6000 }, 3000,
	  RUN_ORIGIN_THIS_TRIAL },
	{ "9 the earlier trial, before the wrap", { 90000, W32 - 3000, W32 + 6000 },
	  (uint32_t)(W32 - 6000), RUN_ORIGIN_EARLIER_TRIAL },
	{ "10 a whole wrap earlier", { 90000, 3 * W32, 3 * W32 + 6000 }, 100000,
	  RUN_ORIGIN_EARLIER_TRIAL },
};

static void origins(void)
{
	for (unsigned c = 0; c < ARRAY_LEN(origin_cases); c++) {
		const struct origin_case *t = &origin_cases[c];
		enum run_origin got = run_origin_of(&t->e, t->in_ts);
		CHECK(got == t->want, "origin %s: %d, want %d", t->name, got, t->want);
	}
}

/*
 * The harness's accounting against a model of strata-bench and strata-dp:
 * one VP8 stream (frames of 8 packets, 3000 ticks apart), one receiver
 * whose outputs strata-dp renumbers (out seq = in - 1234) and re-times
 * (out ts = in + a constant), as dataplane/fanout.c does.  Trial 1 sends
 * 1003 inputs; strata-dp, overloaded, gets 600 of their outputs out during
 * it and the other 403 only after trial 2 has begun (less 3 it dropped), then
 * trial 2's 100 inputs' outputs.  Counted as before (every output the trial
 * sees), trial 2 "forwarded" 500 outputs from 100 inputs; attributed, it has
 * its 100, no gap, and the 400 late ones apart.
 */
struct model_gen {
	uint64_t ts;
	unsigned frame_packet;
	uint16_t seq;
	struct run_epoch ep;
};

/* As run_trial does: the trial's first input starts a frame. */
static void model_trial_start(struct model_gen *g)
{
	if (g->frame_packet != 0) {
		g->frame_packet = 0;
		g->ts += 3000;
	}
	g->ep.trial_first = g->ts;
}

struct model_out {
	uint32_t ts;
	uint16_t seq;
};

/* As build_rtp does, and strata-dp's rewrite of the output. */
static struct model_out model_send(struct model_gen *g, uint32_t ts_offset)
{
	struct model_out o = { (uint32_t)g->ts + ts_offset, (uint16_t)(g->seq - 1234) };
	g->ep.newest = g->ts;
	g->seq++;
	if (++g->frame_packet == 8) {
		g->frame_packet = 0;
		g->ts += 3000;
	}
	return o;
}

static void attribution(void)
{
	static struct model_out t1[1003], t2[100];
	/* Trial 1 ends mid-frame and its timestamps cross the 32-bit wrap. */
	const uint32_t offset = 0x9e3779b9;
	struct model_gen g = { .ts = W32 - 100 * 3000, .seq = 65000 };
	g.ep.run_first = g.ts;
	struct run_loss now, old;

	model_trial_start(&g);
	run_loss_init(&now);
	for (unsigned i = 0; i < ARRAY_LEN(t1); i++) {
		t1[i] = model_send(&g, offset);
		now.expected++;
	}
	for (unsigned i = 0; i < 600; i++)
		run_loss_output(&now, &g.ep, t1[i].ts - offset, t1[i].seq);
	CHECK(now.received == 600 && run_loss_lost(&now) == 403 && now.earlier == 0,
	      "trial 1: received %llu lost %llu", (unsigned long long)now.received,
	      (unsigned long long)run_loss_lost(&now));

	model_trial_start(&g);
	CHECK(g.ep.trial_first == W32 - 100 * 3000 + 126 * 3000, "trial 2 starts a frame");
	run_loss_init(&now);
	run_loss_init(&old);
	/* The late ones: in the drain before trial 2 and during it. */
	for (unsigned i = 600; i < ARRAY_LEN(t1); i++) {
		if (i == 700 || i == 701 || i == 900)
			continue; /* strata-dp dropped these three */
		CHECK(run_loss_output(&now, &g.ep, t1[i].ts - offset, t1[i].seq) ==
			      RUN_ORIGIN_EARLIER_TRIAL,
		      "trial 1's output %u attributed to trial 2", i);
		run_loss_seq(&old, t1[i].seq);
	}
	for (unsigned i = 0; i < ARRAY_LEN(t2); i++) {
		t2[i] = model_send(&g, offset);
		now.expected++;
		old.expected++;
		CHECK(run_loss_output(&now, &g.ep, t2[i].ts - offset, t2[i].seq) ==
			      RUN_ORIGIN_THIS_TRIAL,
		      "trial 2's output %u not attributed to it", i);
		run_loss_seq(&old, t2[i].seq);
	}
	CHECK(now.received == 100 && now.expected == 100 && now.earlier == 400 &&
		      now.gaps == 0 && run_loss_lost(&now) == 0 && run_loss_check(&now) == 0,
	      "trial 2: received %llu of %llu, %llu earlier, %llu gaps",
	      (unsigned long long)now.received, (unsigned long long)now.expected,
	      (unsigned long long)now.earlier, (unsigned long long)now.gaps);
	/* What the harness used to count: 5 outputs per input, and trial 1's
	 * gaps as trial 2's -- run_loss_check catches the first. */
	CHECK(old.received == 500 && old.gaps == 2 && run_loss_check(&old) == -1,
	      "counting every output: received %llu gaps %llu", (unsigned long long)old.received,
	      (unsigned long long)old.gaps);

	/* An output never sent is not counted at all. */
	uint64_t before = now.received + now.earlier;
	CHECK(run_loss_output(&now, &g.ep, (uint32_t)g.ep.newest + 1, 0) ==
		      RUN_ORIGIN_NEVER_SENT && now.received + now.earlier == before,
	      "an unsent timestamp counted");
}

/* A model router: no loss up to cap, a plateau of small loss up to cap2,
 * then it forwards only cap2 of what is offered. */
struct model {
	double cap, cap2, plateau;
	unsigned calls;
};

static int model_trial(void *ctx, double rate, double *loss)
{
	struct model *m = ctx;
	m->calls++;
	if (rate <= m->cap)
		*loss = 0;
	else if (rate <= m->cap2)
		*loss = m->plateau;
	else
		*loss = 1.0 - m->cap2 / rate;
	return 0;
}

static int failing_trial(void *ctx, double rate, double *loss)
{
	(void)ctx, (void)rate, (void)loss;
	return 7;
}

static void ndr(void)
{
	struct model m = { .cap = 1.234e6, .cap2 = 1.5e6, .plateau = 0.003 };
	struct ndr_params p = { .lo = 1e4, .hi = 1e7, .loss_threshold = 0,
				.resolution = 0.005, .max_trials = 30 };
	struct ndr_result r;
	CHECK(ndr_search(&p, model_trial, &m, &r) == 0, "ndr search");
	CHECK(r.found && r.rate <= m.cap && r.rate >= m.cap * (1 - 0.01) && r.loss == 0,
	      "NDR %.0f, capacity %.0f", r.rate, m.cap);
	CHECK(r.n_trials == m.calls && r.n_trials <= 30, "trials %u", r.n_trials);
	for (unsigned i = 0; i < r.n_trials; i++)
		CHECK(r.trials[i].pass == (r.trials[i].rate <= m.cap), "trial %u at %.0f", i,
		      r.trials[i].rate);

	/* PDR (0.5 %) passes the 0.3 % plateau and stops where loss passes 0.5 %:
	 * 1 - cap2/rate = 0.005 at rate = cap2 / 0.995. */
	p.loss_threshold = 0.005;
	CHECK(ndr_search(&p, model_trial, &m, &r) == 0, "pdr search");
	double pdr_true = m.cap2 / 0.995;
	CHECK(r.found && r.rate <= pdr_true && r.rate >= pdr_true * 0.99, "PDR %.0f, true %.0f",
	      r.rate, pdr_true);

	/* A router faster than the generator: one trial, at hi. */
	struct model fast = { .cap = 1e8, .cap2 = 1e8 };
	p.loss_threshold = 0;
	CHECK(ndr_search(&p, model_trial, &fast, &r) == 0 && r.found && r.rate == p.hi &&
		      r.n_trials == 1, "fast router: %.0f in %u trials", r.rate, r.n_trials);

	/* A router that loses at every rate: nothing found. */
	struct model dead = { .cap = 0, .cap2 = 0 };
	CHECK(ndr_search(&p, model_trial, &dead, &r) == 0 && !r.found && r.rate == 0 &&
		      r.n_trials == 2, "dead router: found %d trials %u", r.found, r.n_trials);

	/* The trial budget bounds the search. */
	p.max_trials = 5;
	p.resolution = 1e-9;
	CHECK(ndr_search(&p, model_trial, &m, &r) == 0 && r.n_trials == 5, "budget: %u",
	      r.n_trials);

	/* Bad parameters and a failing trial are reported. */
	struct ndr_params bad = p;
	bad.lo = 0;
	CHECK(ndr_search(&bad, model_trial, &m, &r) == -1, "lo 0 refused");
	bad = p;
	bad.hi = p.lo / 2;
	CHECK(ndr_search(&bad, model_trial, &m, &r) == -1, "hi < lo refused");
	bad = p;
	bad.max_trials = NDR_MAX_TRIALS + 1;
	CHECK(ndr_search(&bad, model_trial, &m, &r) == -1, "too many trials refused");
	CHECK(ndr_search(&p, failing_trial, NULL, &r) == 7, "trial error passed up");
}

int main(void)
{
	hist_buckets();
	hist_uniform();
	hist_tail();
	hist_merging();
	loss();
	origins();
	attribution();
	ndr();
	return test_summary("bench_stats");
}
