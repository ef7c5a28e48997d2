/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated path of test_dp_bwe_link.h: router, bottleneck, receiver
 * and its transport feedback, in 1 ms ticks.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dataplane/bwe/bwe_rtcp.h"
#include "test_dp_bwe_link.h"
#include "test_dp_rtcp.h"
#include "test_util.h"

#define PACKET 1200
#define TICK_US 1000
/* The two clocks: the router's and the receiver's, unrelated bases. */
#define SEND_BASE_US 1000000000ll
#define RECV_BASE_US 777777777ll
#define FIRST_SEQ 65000 /* the 16-bit numbers wrap early in every run */
#define MAX_PENDING 256

struct pending {
	int64_t at_us; /* delivery, simulation time */
	uint8_t *buf;
	uint32_t len;
};

struct sim {
	const struct link_spec *spec;
	struct link_trace *tr;
	struct dp_bwe *b;
	uint64_t rng;
	/* Per packet k (k = sequence number - FIRST_SEQ, unwrapped). */
	int64_t *arrive;      /* simulation time of arrival; -1 dropped */
	uint64_t cap, sent;
	double credit;        /* octets the pacer may send */
	int64_t link_free;    /* when the bottleneck finishes its queue */
	/* The receiver. */
	uint64_t scan;        /* packets before this have arrived or were dropped */
	int64_t highest;      /* highest packet arrived; -1 none */
	uint64_t next_report;
	uint8_t fb_count;
	struct pending pend[MAX_PENDING];
	uint32_t n_pend;
	uint32_t trace_cap;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static const struct link_step *step_at(const struct link_spec *spec, int64_t t)
{
	const struct link_step *s = &spec->steps[0];
	for (unsigned i = 1; i < LINK_MAX_STEPS && spec->steps[i].capacity_bps; i++)
		if (spec->steps[i].at_us <= t)
			s = &spec->steps[i];
	return s;
}

static double uniform(struct sim *s)
{
	/* test_rand gives 31 bits. */
	return (double)test_rand(&s->rng) / 2147483648.0;
}

/* The router sends what its pacer allows in this tick. */
static void send_tick(struct sim *s, int64_t t)
{
	const struct link_spec *spec = s->spec;
	const struct link_step *st = step_at(spec, t);
	double rate = dp_bwe_estimate(s->b);

	if (spec->app_max_bps && rate > spec->app_max_bps)
		rate = spec->app_max_bps;
	s->credit += rate * TICK_US / 8e6;
	if (s->credit > 2 * PACKET)
		s->credit = 2 * PACKET;
	while (s->credit >= PACKET) {
		s->credit -= PACKET;
		uint16_t seq = dp_bwe_on_send(s->b, PACKET, SEND_BASE_US + t);
		uint64_t k = s->sent++;
		CHECK(seq == (uint16_t)(FIRST_SEQ + k), "stamp %" PRIu64 " gave %u", k, seq);
		if (k >= s->cap) {
			s->cap = s->cap ? 2 * s->cap : 65536;
			s->arrive = xrealloc(s->arrive, s->cap * sizeof(*s->arrive));
		}
		s->tr->sent++;
		if (uniform(s) < st->loss) {
			s->arrive[k] = -1;
			s->tr->dropped++;
			continue;
		}
		int64_t service = (int64_t)PACKET * 8 * 1000000 / st->capacity_bps;
		int64_t start = s->link_free > t ? s->link_free : t;
		if (start + service - t > spec->queue_limit_us) {
			s->arrive[k] = -1; /* drop-tail */
			s->tr->dropped++;
			continue;
		}
		s->link_free = start + service;
		s->arrive[k] = s->link_free + spec->one_way_us;
	}
}

/* The receiver's feedback, as libwebrtc's sends it. */
static void feedback(struct sim *s, int64_t t)
{
	/* What has arrived by now (the path is FIFO). */
	while (s->scan < s->sent && (s->arrive[s->scan] < 0 || s->arrive[s->scan] <= t)) {
		if (s->arrive[s->scan] >= 0)
			s->highest = (int64_t)s->scan;
		s->scan++;
	}
	if (s->highest < 0 || (uint64_t)s->highest < s->next_report)
		return;

	uint64_t first = s->next_report, last = (uint64_t)s->highest;
	uint32_t count = (uint32_t)(last - first + 1);
	uint8_t *status = xrealloc(NULL, count);
	int32_t *delta = xrealloc(NULL, count * sizeof(*delta));
	int64_t ref_units = -1, prev_tick = 0;

	for (uint32_t i = 0; i < count; i++) {
		int64_t a = s->arrive[first + i];
		if (a < 0 || a > t) {
			status[i] = 0;
			delta[i] = 0;
			continue;
		}
		int64_t recv_us = RECV_BASE_US + a;
		if (ref_units < 0) {
			ref_units = recv_us / 64000;
			prev_tick = ref_units * 256;
		}
		int64_t tick = recv_us / 250;
		delta[i] = (int32_t)(tick - prev_tick);
		prev_tick = tick;
		status[i] = delta[i] >= 0 && delta[i] <= 255 ? 1 : 2;
	}
	struct rt_twcc_spec sp = {
		.sender_ssrc = 0x11111111,
		.media_ssrc = 0x22222222,
		.base_seq = (uint16_t)(FIRST_SEQ + first),
		.reference_time = (int32_t)(ref_units & 0xffffff),
		.fb_count = s->fb_count++,
		.count = count,
		.status = status,
		.delta = delta,
		.pad = 1,
	};
	uint32_t cap = 28 + 4 * count;
	uint8_t *buf = xrealloc(NULL, cap);
	uint32_t len = rt_twcc_encode(buf, cap, &sp, &s->rng);
	free(status);
	free(delta);
	s->next_report = last + 1;
	s->tr->feedback_sent++;
	CHECK(len > 0, "feedback of %u statuses did not encode", count);

	if (test_rand(&s->rng) % 100 < s->spec->feedback_loss_pct || s->n_pend == MAX_PENDING) {
		s->tr->feedback_lost++;
		free(buf);
		return;
	}
	int64_t at = t + s->spec->one_way_us;
	if (test_rand(&s->rng) % 100 < s->spec->feedback_reorder_pct) {
		at += s->spec->feedback_us + TICK_US; /* after the next one */
		s->tr->feedback_reordered++;
	}
	s->pend[s->n_pend++] = (struct pending){ .at_us = at, .buf = buf, .len = len };
}

static void deliver(struct sim *s, int64_t t)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < s->n_pend; i++) {
		struct pending *p = &s->pend[i];
		if (p->at_us > t) {
			s->pend[k++] = *p;
			continue;
		}
		struct dp_rtcp_iter it;
		struct dp_rtcp_item item;
		dp_rtcp_iter_init(&it, p->buf, p->len, 0);
		while (dp_rtcp_next(&it, &item))
			dp_bwe_on_rtcp(s->b, &item, SEND_BASE_US + t);
		CHECK(it.err == DP_RTCP_OK, "feedback did not parse: %d", it.err);
		free(p->buf);
	}
	s->n_pend = k;
}

static void sample(struct sim *s, int64_t t)
{
	struct link_trace *tr = s->tr;

	if (tr->n == s->trace_cap) {
		s->trace_cap = s->trace_cap ? 2 * s->trace_cap : 1024;
		tr->t_us = xrealloc(tr->t_us, s->trace_cap * sizeof(*tr->t_us));
		tr->est_bps = xrealloc(tr->est_bps, s->trace_cap * sizeof(*tr->est_bps));
		tr->cap_bps = xrealloc(tr->cap_bps, s->trace_cap * sizeof(*tr->cap_bps));
		tr->queue_us = xrealloc(tr->queue_us, s->trace_cap * sizeof(*tr->queue_us));
		tr->usage = xrealloc(tr->usage, s->trace_cap);
	}
	tr->t_us[tr->n] = t;
	tr->est_bps[tr->n] = dp_bwe_estimate(s->b);
	tr->cap_bps[tr->n] = step_at(s->spec, t)->capacity_bps;
	tr->queue_us[tr->n] = s->link_free > t ? s->link_free - t : 0;
	tr->usage[tr->n] = (uint8_t)s->b->delay.signal;
	tr->n++;
}

void link_run(const struct link_spec *spec_in, struct link_trace *tr)
{
	struct link_spec spec = *spec_in;
	struct sim s;
	struct dp_bwe_config cfg;

	if (!spec.one_way_us)
		spec.one_way_us = 20000;
	if (!spec.queue_limit_us)
		spec.queue_limit_us = 500000;
	if (!spec.feedback_us)
		spec.feedback_us = 50000;
	memset(tr, 0, sizeof(*tr));
	memset(&s, 0, sizeof(s));
	s.spec = &spec;
	s.tr = tr;
	s.rng = spec.seed ? spec.seed : 1;
	s.highest = -1;
	tr->bwe = xrealloc(NULL, sizeof(*tr->bwe));
	s.b = tr->bwe;
	dp_bwe_config_default(&cfg);
	if (spec.start_bps)
		cfg.start_bps = spec.start_bps;
	dp_bwe_init(s.b, &cfg, FIRST_SEQ);
	dp_bwe_set_rtt(s.b, 2 * spec.one_way_us);

	for (int64_t t = 0; t < spec.duration_us; t += TICK_US) {
		deliver(&s, t);
		send_tick(&s, t);
		if (t % spec.feedback_us == 0)
			feedback(&s, t);
		if (t % LINK_SAMPLE_US == 0)
			sample(&s, t);
	}
	for (uint32_t i = 0; i < s.n_pend; i++)
		free(s.pend[i].buf);
	free(s.arrive);
	tr->overuses = s.b->delay.trend.overuses;
}

void link_free(struct link_trace *tr)
{
	free(tr->t_us);
	free(tr->est_bps);
	free(tr->cap_bps);
	free(tr->queue_us);
	free(tr->usage);
	free(tr->bwe);
	memset(tr, 0, sizeof(*tr));
}

uint32_t link_est_at(const struct link_trace *tr, int64_t t_us)
{
	uint32_t v = tr->n ? tr->est_bps[0] : 0;
	for (uint32_t i = 0; i < tr->n && tr->t_us[i] <= t_us; i++)
		v = tr->est_bps[i];
	return v;
}

uint32_t link_est_min(const struct link_trace *tr, int64_t t0, int64_t t1)
{
	uint32_t v = UINT32_MAX;
	for (uint32_t i = 0; i < tr->n; i++)
		if (tr->t_us[i] >= t0 && tr->t_us[i] <= t1 && tr->est_bps[i] < v)
			v = tr->est_bps[i];
	return v;
}

uint32_t link_est_max(const struct link_trace *tr, int64_t t0, int64_t t1)
{
	uint32_t v = 0;
	for (uint32_t i = 0; i < tr->n; i++)
		if (tr->t_us[i] >= t0 && tr->t_us[i] <= t1 && tr->est_bps[i] > v)
			v = tr->est_bps[i];
	return v;
}

double link_est_mean(const struct link_trace *tr, int64_t t0, int64_t t1)
{
	double sum = 0;
	uint32_t n = 0;
	for (uint32_t i = 0; i < tr->n; i++) {
		if (tr->t_us[i] >= t0 && tr->t_us[i] <= t1) {
			sum += tr->est_bps[i];
			n++;
		}
	}
	return n ? sum / n : 0;
}

int64_t link_first_below(const struct link_trace *tr, int64_t t0, uint32_t bps)
{
	for (uint32_t i = 0; i < tr->n; i++)
		if (tr->t_us[i] >= t0 && tr->est_bps[i] < bps)
			return tr->t_us[i];
	return -1;
}

int64_t link_first_usage(const struct link_trace *tr, int64_t t0, enum dp_bw_usage usage)
{
	for (uint32_t i = 0; i < tr->n; i++)
		if (tr->t_us[i] >= t0 && tr->usage[i] == usage)
			return tr->t_us[i];
	return -1;
}

int64_t link_queue_max(const struct link_trace *tr, int64_t t0, int64_t t1)
{
	int64_t v = 0;
	for (uint32_t i = 0; i < tr->n; i++)
		if (tr->t_us[i] >= t0 && tr->t_us[i] <= t1 && tr->queue_us[i] > v)
			v = tr->queue_us[i];
	return v;
}

void link_dump(const struct link_trace *tr, const char *name)
{
	fprintf(stderr, "# %s: t(s) estimate(kbit/s) capacity queue(ms) signal\n", name);
	for (uint32_t i = 0; i < tr->n; i += 5)
		fprintf(stderr, "#  %5.1f %8u %8u %6" PRId64 " %s\n", tr->t_us[i] / 1e6,
			tr->est_bps[i] / 1000, tr->cap_bps[i] / 1000, tr->queue_us[i] / 1000,
			dp_bw_usage_name(tr->usage[i]));
}
