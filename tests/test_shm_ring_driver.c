/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver (tests/driver/dp_driver.c, strata-cp's side) against a
 * segment this process serves: results matched by seq with other events
 * queued in order, stale results dropped at attach, timeouts, the command
 * helpers against a responder thread, a restarted strata-dp noticed; and
 * the claim that keeps a second control plane out.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm_ring_fixture.h"
#include "test_util.h"

static void post_result(struct dp_shm *shm, uint32_t seq, uint16_t type, uint16_t status)
{
	struct strata_event ev = { .type = STRATA_EVENT_CMD_RESULT };

	ev.u.cmd_result.seq = seq;
	ev.u.cmd_result.cmd_type = type;
	ev.u.cmd_result.status = status;
	CHECK(dp_shm_event_post(shm, &ev), "event ring full");
}

static void post_stats(struct dp_shm *shm, uint32_t legs)
{
	struct strata_event ev = { .type = STRATA_EVENT_STATS };

	ev.u.stats.legs = legs;
	CHECK(dp_shm_event_post(shm, &ev), "event ring full");
}

/*
 * A strata-dp main lcore in a thread: a STATS event, then the result.  It
 * checks what it takes itself and shares nothing with the main thread but
 * the rings until it is joined: the two threads see the segment through
 * two mappings (dp_shm's and the driver's), where ThreadSanitizer cannot
 * pair the rings' release and acquire.  No CHECK here: the counters belong
 * to the main thread.
 */
struct responder {
	struct dp_shm *shm;
	_Atomic bool stop;
	uint64_t full;            /* event ring full: never expected */
	uint64_t leg_adds;        /* leg-adds taken */
	uint64_t bad;             /* leg-adds that arrived changed */
};

static void *respond(void *arg)
{
	struct responder *rs = arg;
	struct strata_cmd cmd;

	while (!atomic_load(&rs->stop)) {
		if (!dp_shm_command_take(rs->shm, &cmd)) {
			sched_yield();
			continue;
		}
		struct strata_event st = { .type = STRATA_EVENT_STATS };
		struct strata_event res = { .type = STRATA_EVENT_CMD_RESULT };

		if (cmd.type == STRATA_CMD_LEG_ADD) {
			struct strata_cmd_leg_add want = { .leg = cmd.u.leg_add.leg, .room = 9 };

			key_pattern(&want, want.leg - 1);
			rs->leg_adds++;
			if (memcmp(&want, &cmd.u.leg_add, sizeof(want)) != 0)
				rs->bad++;
		}
		st.u.stats.legs = cmd.seq;
		res.u.cmd_result.seq = cmd.seq;
		res.u.cmd_result.cmd_type = cmd.type;
		res.u.cmd_result.status = cmd.seq % 3 == 0 ? STRATA_CMD_EEXIST : STRATA_CMD_OK;
		if (!dp_shm_event_post(rs->shm, &st))
			rs->full++;
		if (!dp_shm_event_post(rs->shm, &res))
			rs->full++;
	}
	return NULL;
}

static void test_driver(void)
{
	char name[64], err[512];
	struct dp_shm_params p;
	struct dp_shm *shm;
	struct dp_driver *drv;
	struct strata_cmd a = { .type = STRATA_CMD_LEG_DEL }, b = { .type = STRATA_CMD_STREAM_DEL };
	struct strata_cmd taken;
	struct strata_event ev;
	struct responder rs = { 0 };
	pthread_t t;
	int64_t sa, sb;
	uint64_t t0;
	int rc, n;

	unique_name(name, sizeof(name));
	params_for(&p, name);
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "dp_shm_create: %s", err);
	if (!shm)
		return;

	/* Leftovers of an earlier control plane: a result and an event. */
	post_result(shm, 1, STRATA_CMD_LEG_ADD, STRATA_CMD_EEXIST);
	post_stats(shm, 42);
	drv = attach(name, 0, err, sizeof(err));
	CHECK(drv != NULL, "attach: %s", err);
	if (!drv) {
		dp_shm_destroy(shm);
		return;
	}
	CHECK(dp_driver_stale_results(drv) == 1, "stale results %llu",
	      (unsigned long long)dp_driver_stale_results(drv));
	CHECK(dp_driver_epoch(drv) == dp_shm_boot_epoch(shm), "epoch differs");
	CHECK(dp_driver_header(drv)->cp_pid == (uint32_t)getpid(), "no claim");
	CHECK(dp_driver_header(drv)->max_subscriptions == 400, "max_subscriptions");
	CHECK(dp_driver_check(drv, NULL) == 0, "check on a live segment");

	/* Two commands answered out of order, an event between the results. */
	sa = dp_driver_send(drv, &a);
	sb = dp_driver_send(drv, &b);
	CHECK(sa == 1 && sb == 2, "seqs %lld %lld", (long long)sa, (long long)sb);
	CHECK(dp_shm_command_take(shm, &taken) && taken.seq == 1 &&
		      taken.type == STRATA_CMD_LEG_DEL, "first command");
	CHECK(dp_shm_command_take(shm, &taken) && taken.seq == 2 &&
		      taken.type == STRATA_CMD_STREAM_DEL, "second command");
	CHECK(!dp_shm_command_take(shm, &taken), "a third command");
	post_result(shm, 2, STRATA_CMD_STREAM_DEL, STRATA_CMD_ENOENT);
	post_stats(shm, 7);
	post_result(shm, 1, STRATA_CMD_LEG_DEL, STRATA_CMD_EBUSY);
	rc = dp_driver_wait_result(drv, 1, 1000);
	CHECK(rc == STRATA_CMD_EBUSY, "result of 1: %d", rc);
	rc = dp_driver_wait_result(drv, 2, 0);
	CHECK(rc == STRATA_CMD_ENOENT, "result of 2 from the queue: %d", rc);
	CHECK(dp_driver_next_event(drv, &ev, 0) == 1 && ev.type == STRATA_EVENT_STATS &&
		      ev.u.stats.legs == 42, "the earlier process's event first");
	CHECK(dp_driver_next_event(drv, &ev, 0) == 1 && ev.type == STRATA_EVENT_STATS &&
		      ev.u.stats.legs == 7, "then the one between the results");
	CHECK(dp_driver_next_event(drv, &ev, 0) == 0, "nothing more");

	/* Nobody answers: a timeout, on time. */
	t0 = now_ns();
	rc = dp_driver_leg_del(drv, 5);
	CHECK(rc == -ETIMEDOUT, "unanswered: %d", rc);
	CHECK(now_ns() - t0 >= 1900000000ull && now_ns() - t0 < 4000000000ull,
	      "timeout took %llu ms", (unsigned long long)(now_ns() - t0) / 1000000);
	CHECK(dp_shm_command_take(shm, &taken) && taken.u.leg_del.leg == 5, "leg-del 5 sent");

	/* The helpers, against a responder thread. */
	rs.shm = shm;
	pthread_create(&t, NULL, respond, &rs);
	n = 0;
	for (uint32_t i = 0; i < 3000; i++) {
		struct strata_cmd_leg_add leg = { .leg = i + 1, .room = 9 };
		struct strata_cmd_stream_add st = { .stream = i + 1, .source = 2, .ssrc = 0xabc };
		struct strata_cmd_sub_add sub = { .sub = i + 1, .temporal = 255 };
		uint32_t seq;

		key_pattern(&leg, i);
		switch (i % 5) {
		case 0: rc = dp_driver_leg_add(drv, &leg); break;
		case 1: rc = dp_driver_stream_add(drv, &st); break;
		case 2: rc = dp_driver_sub_add(drv, &sub); break;
		case 3: rc = dp_driver_sub_set_layers(drv, i + 1, 2, 1); break;
		default: rc = i % 2 ? dp_driver_dump(drv) : dp_driver_stats(drv); break;
		}
		seq = dp_driver_last_seq(drv);
		CHECK(rc == (seq % 3 == 0 ? STRATA_CMD_EEXIST : STRATA_CMD_OK),
		      "command %u (seq %u): %d", i, seq, rc);
		/* Drain now and then: the queue keeps order across waits. */
		if (i % 100 == 99)
			while (dp_driver_next_event(drv, &ev, 0) == 1)
				CHECK(ev.type == STRATA_EVENT_STATS &&
					      ev.u.stats.legs == (uint32_t)(4 + n++),
				      "event %d out of order (%u)", n, ev.u.stats.legs);
	}
	CHECK(n == 3000, "%d events of 3000", n);
	atomic_store(&rs.stop, true);
	pthread_join(t, NULL);
	CHECK(rs.full == 0, "the responder found the event ring full %llu times",
	      (unsigned long long)rs.full);
	CHECK(rs.leg_adds == 600 && rs.bad == 0, "%llu of %llu leg-adds arrived changed",
	      (unsigned long long)rs.bad, (unsigned long long)rs.leg_adds);
	CHECK(dp_driver_queue_drops(drv) == 0, "queue drops");

	/* The name now holds another segment: the driver notices. */
	{
		uint64_t old = dp_shm_boot_epoch(shm), fresh = 0;
		struct dp_shm *next = dp_shm_create(&p, err, sizeof(err));

		CHECK(next != NULL, "re-create: %s", err);
		CHECK(dp_driver_check(drv, &fresh) == -ESTALE, "restart unnoticed");
		CHECK(next && fresh == dp_shm_boot_epoch(next) && fresh != old,
		      "new epoch %llx, old %llx", (unsigned long long)fresh,
		      (unsigned long long)old);
		rc = dp_driver_leg_del(drv, 1);
		CHECK(rc == -ESTALE, "a wait across a restart: %d", rc);
		dp_shm_destroy(next);
		CHECK(dp_driver_check(drv, NULL) == -ENOENT, "segment gone unnoticed");
	}
	dp_driver_detach(drv);
	dp_shm_destroy(shm);
}

/* The claim: a second control plane is refused while the first lives. */
static void test_claim(void)
{
	char name[64], err[512];
	struct dp_shm_params p;
	struct dp_shm *shm;
	struct dp_driver *drv;
	int pipefd[2], status;
	pid_t child;
	char c;

	unique_name(name, sizeof(name));
	params_for(&p, name);
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "dp_shm_create: %s", err);
	if (!shm || pipe(pipefd) < 0)
		return;
	fflush(stdout);
	child = fork();
	if (child == 0) {
		struct dp_driver *d = attach(name, 0, err, sizeof(err));

		close(pipefd[0]);
		c = d ? 'y' : 'n';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	CHECK(read(pipefd[0], &c, 1) == 1 && c == 'y', "child could not attach");
	close(pipefd[0]);

	drv = attach(name, 0, err, sizeof(err));
	CHECK(!drv && strstr(err, "another control plane") && strstr(err, "--takeover"),
	      "second control plane: %s", drv ? "attached" : err);
	dp_driver_detach(drv);
	drv = attach(name, DP_DRIVER_READONLY, err, sizeof(err));
	CHECK(drv != NULL, "read-only beside a control plane: %s", err);
	if (drv) {
		struct strata_cmd dump = { .type = STRATA_CMD_DUMP };

		CHECK(dp_driver_send(drv, &dump) == -EPERM, "a read-only driver sent a command");
		CHECK(dp_driver_header(drv)->cp_pid == (uint32_t)child, "cp_pid %u",
		      dp_driver_header(drv)->cp_pid);
	}
	dp_driver_detach(drv);
	drv = attach(name, DP_DRIVER_TAKEOVER, err, sizeof(err));
	CHECK(drv != NULL, "takeover: %s", err);
	dp_driver_detach(drv);

	/* Claimed again by the child, which then dies: its claim is stale. */
	atomic_store(&dp_shm_header(shm)->cp_pid, (uint32_t)child);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	drv = attach(name, 0, err, sizeof(err));
	CHECK(drv != NULL, "attach after the claimant died: %s", err);
	dp_driver_detach(drv);
	CHECK(dp_shm_header(shm)->cp_pid == 0, "claim left behind");
	dp_shm_destroy(shm);
}

int main(void)
{
	shm_test_init();
	test_claim();
	test_driver();
	return test_summary("shm_ring_driver");
}
