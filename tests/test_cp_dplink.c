/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's dataplane link (controlplane/cp_dplink.c) against a real
 * segment (dataplane/shm.c) whose dataplane side this test plays by hand:
 *
 *   attach     the first attach says replay = false
 *   backlog    100 commands through an 8-slot command ring: all go out,
 *              in order, each result reaches its own callback with its
 *              status; nothing left outstanding
 *   keys       a LEG_ADD's callback sees its ids but no key
 *   events     a STATS event reaches ops->event; a result nobody waits
 *              for (an earlier process's seq) is dropped, not passed on
 *   restart    a new segment under the name: outstanding commands fail
 *              with -ESTALE, detached then attached with replay = true
 *   gone       the segment removed: detached, sends refused (-ENOTCONN);
 *              back: attached again with replay = true
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../dataplane/shm.h"
#include "cp_dplink.h"
#include "test_util.h"

static char name[64];

struct seen {
	unsigned attached, replays, detached, events, stats_events;
	unsigned results, in_order_errors, stale;
	uint32_t next_id;       /* the id the next callback should carry */
	int key_leaked;
};

static void on_event(void *arg, const struct strata_event *ev)
{
	struct seen *s = arg;

	s->events++;
	s->stats_events += ev->type == STRATA_EVENT_STATS;
}

static void on_attached(void *arg, bool replay)
{
	struct seen *s = arg;

	s->attached++;
	s->replays += replay;
}

static void on_detached(void *arg, const char *why)
{
	struct seen *s = arg;

	(void)why;
	s->detached++;
}

static struct seen seen;

static void result(void *arg, const struct strata_cmd *cmd, int status)
{
	struct seen *s = arg;
	uint32_t id;

	memcpy(&id, cmd->u.raw, sizeof(id));
	s->results++;
	if (status == -ESTALE) {
		s->stale++;
		return;
	}
	if (id != s->next_id || status != (int)(id % 3))
		s->in_order_errors++;
	s->next_id++;
}

static void leg_result(void *arg, const struct strata_cmd *cmd, int status)
{
	struct seen *s = arg;
	uint8_t zero[32] = { 0 };

	(void)status;
	s->results++;
	if (memcmp(cmd->u.leg_add.rx.key, zero, sizeof(zero)) ||
	    memcmp(cmd->u.leg_add.tx.key, zero, sizeof(zero)) || cmd->u.leg_add.leg != 7)
		s->key_leaked++;
}

static struct dp_shm *create(void)
{
	struct dp_shm_params p;
	char err[256];
	struct dp_shm *shm;

	dp_shm_params_default(&p);
	p.name = name;
	p.command_slots = 8;
	p.event_slots = 256;
	p.max_legs = p.max_streams = p.max_sources = p.max_subscriptions = 64;
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "dp_shm_create: %s", err);
	if (shm)
		dp_shm_set_state(shm, STRATA_DP_RUNNING);
	return shm;
}

/* The dataplane's turn: every command answered with status id % 3. */
static unsigned answer(struct dp_shm *shm)
{
	struct strata_cmd cmd;
	unsigned n = 0;

	while (dp_shm_command_take(shm, &cmd)) {
		struct strata_event ev = { .type = STRATA_EVENT_CMD_RESULT };
		uint32_t id;

		memcpy(&id, cmd.u.raw, sizeof(id));
		ev.u.cmd_result.seq = cmd.seq;
		ev.u.cmd_result.cmd_type = cmd.type;
		ev.u.cmd_result.status = (uint16_t)(cmd.type == STRATA_CMD_LEG_ADD ? 0 : id % 3);
		dp_shm_event_post(shm, &ev);
		n++;
	}
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

int main(void)
{
	struct cp_dplink_ops ops = { .event = on_event, .attached = on_attached,
				     .detached = on_detached, .arg = &seen };
	struct cp_dplink_stats st;
	struct strata_cmd cmd;
	struct cp_dplink *l;
	struct dp_shm *shm;
	char err[256];

	snprintf(name, sizeof(name), "/strata-test-dplink-%d", (int)getpid());
	shm = create();
	if (!shm)
		return test_summary("cp_dplink");
	l = cp_dplink_new(name, &ops, err, sizeof(err));
	CHECK(l != NULL, "cp_dplink_new: %s", err);
	cp_dplink_poll(l);
	CHECK(cp_dplink_up(l) && seen.attached == 1 && seen.replays == 0, "first attach");

	/* backlog */
	seen.next_id = 1;
	for (uint32_t id = 1; id <= 100; id++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.type = STRATA_CMD_SUB_DEL;
		cmd.u.sub_del.sub = id;
		CHECK(cp_dplink_send(l, &cmd, result, &seen) == 0, "send %u", id);
	}
	CHECK(cp_dplink_outstanding(l) == 100, "outstanding %u", cp_dplink_outstanding(l));
	for (int i = 0; i < 1000 && seen.results < 100; i++) {
		answer(shm);
		cp_dplink_poll(l);
	}
	cp_dplink_get_stats(l, &st);
	CHECK(seen.results == 100 && !seen.in_order_errors,
	      "backlog: %u results, %u out of order or wrong status", seen.results,
	      seen.in_order_errors);
	CHECK(st.backlog_max >= 90, "backlog max %llu", (unsigned long long)st.backlog_max);
	CHECK(cp_dplink_outstanding(l) == 0, "outstanding after");

	/* keys */
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_LEG_ADD;
	cmd.u.leg_add.leg = 7;
	memset(cmd.u.leg_add.rx.key, 0xab, sizeof(cmd.u.leg_add.rx.key));
	memset(cmd.u.leg_add.tx.key, 0xcd, sizeof(cmd.u.leg_add.tx.key));
	seen.results = 0;
	CHECK(cp_dplink_send(l, &cmd, leg_result, &seen) == 0, "leg add");
	for (int i = 0; i < 100 && seen.results < 1; i++) {
		answer(shm);
		cp_dplink_poll(l);
	}
	CHECK(seen.results == 1 && !seen.key_leaked, "leg add: the callback saw a key");

	/* events */
	struct strata_event ev = { .type = STRATA_EVENT_STATS };
	dp_shm_event_post(shm, &ev);
	ev.type = STRATA_EVENT_CMD_RESULT;
	ev.u.cmd_result.seq = 99999;
	dp_shm_event_post(shm, &ev);
	cp_dplink_poll(l);
	CHECK(seen.events == 1 && seen.stats_events == 1, "events %u", seen.events);

	/* restart: a new segment while three commands wait */
	seen.results = seen.stale = 0;
	for (uint32_t id = 1; id <= 3; id++) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.type = STRATA_CMD_SUB_DEL;
		cmd.u.sub_del.sub = id;
		cp_dplink_send(l, &cmd, result, &seen);
	}
	dp_shm_destroy(shm);
	shm = create();
	sleep_ms(150);
	cp_dplink_poll(l);
	CHECK(seen.stale == 3, "restart: %u of 3 failed -ESTALE", seen.stale);
	CHECK(seen.detached == 1 && seen.attached == 2 && seen.replays == 1 && cp_dplink_up(l),
	      "restart: detached %u attached %u replays %u", seen.detached, seen.attached,
	      seen.replays);
	cp_dplink_get_stats(l, &st);
	CHECK(st.epoch_changes == 1, "epoch changes %llu", (unsigned long long)st.epoch_changes);

	/* gone, then back */
	dp_shm_destroy(shm);
	sleep_ms(150);
	cp_dplink_poll(l);
	CHECK(!cp_dplink_up(l) && seen.detached == 2, "gone: up %d detached %u", cp_dplink_up(l),
	      seen.detached);
	CHECK(cp_dplink_send(l, &cmd, result, &seen) == -ENOTCONN, "send while gone");
	CHECK(strstr(cp_dplink_error(l), "is strata-dp running?") != NULL, "error: %s",
	      cp_dplink_error(l));
	shm = create();
	sleep_ms(600);
	cp_dplink_poll(l);
	CHECK(cp_dplink_up(l) && seen.attached == 3 && seen.replays == 2, "back: attached %u",
	      seen.attached);

	cp_dplink_free(l);
	if (shm)
		dp_shm_destroy(shm);
	return test_summary("cp_dplink");
}
