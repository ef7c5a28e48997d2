/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Both ends of a real segment: strata-dp (this process, dataplane/shm.c)
 * and a fork()ed strata-cp (tests/driver/dp_driver.c, as the driver
 * attaches).  Commands go one way and their results come back, punts
 * arrive on two worker rings, tx packets go out: order kept, nothing lost
 * or duplicated, and every ring's drop counter equals the failed reserves.
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm_ring_fixture.h"
#include "test_util.h"

#define PUNT_MARKER UINT64_MAX

struct xp {
	uint64_t n_cmd, n_punt, n_tx;
};

/* strata-cp's side, in the child: exits 0 when every check passed. */
static void cp_child(const char *name, const struct xp *x)
{
	char err[512];
	struct dp_driver *drv = attach(name, 0, err, sizeof(err));
	uint64_t sent = 0, send_fails = 0, results = 0, tx_sent = 0, tx_fails = 0;
	uint64_t punt_seq[2] = { 0 }, punt_last[2] = { 0 }, punt_attempts[2] = { 0 };
	bool marker[2] = { false, false };
	uint64_t deadline = now_ns() + 300ull * 1000000000ull;

	if (!drv) {
		fprintf(stderr, "child: %s\n", err);
		_exit(3);
	}
	CHECK(dp_driver_workers(drv) == 2, "workers %u", dp_driver_workers(drv));
	while (results < x->n_cmd || !marker[0] || !marker[1] || tx_sent < x->n_tx) {
		bool idle = true;

		if (now_ns() > deadline) {
			CHECK(0, "child: stuck at %llu results, %llu tx, markers %d %d",
			      (unsigned long long)results, (unsigned long long)tx_sent, marker[0],
			      marker[1]);
			break;
		}
		for (int i = 0; i < 8 && sent < x->n_cmd; i++) {
			struct strata_cmd cmd = { .type = STRATA_CMD_LEG_ADD };
			int64_t seq;

			cmd.u.leg_add.leg = (uint32_t)(sent + 1);
			key_pattern(&cmd.u.leg_add, (uint32_t)(sent + 1));
			seq = dp_driver_send(drv, &cmd);
			if (seq == -ENOBUFS) {
				send_fails++;
				break;
			}
			CHECK(seq == (int64_t)(sent + 1), "seq %lld for command %llu",
			      (long long)seq, (unsigned long long)sent + 1);
			sent++;
			idle = false;
		}
		for (int i = 0; i < 64; i++) {
			struct strata_event ev;

			if (dp_driver_next_event(drv, &ev, 0) != 1)
				break;
			idle = false;
			results++;
			if (ev.type != STRATA_EVENT_CMD_RESULT || ev.u.cmd_result.seq != results ||
			    ev.u.cmd_result.cmd_type != STRATA_CMD_LEG_ADD ||
			    ev.u.cmd_result.status != results % 7) {
				CHECK(0, "event %llu: type %u seq %u status %u",
				      (unsigned long long)results, ev.type, ev.u.cmd_result.seq,
				      ev.u.cmd_result.status);
				break;
			}
		}
		for (int i = 0; i < 64; i++) {
			static struct strata_packet pkt;
			unsigned w;
			uint64_t seq, attempt;

			if (dp_driver_next_punt(drv, &pkt, &w, 0) != 1)
				break;
			idle = false;
			memcpy(&seq, pkt.data, 8);
			memcpy(&attempt, pkt.data + 8, 8);
			if (seq == PUNT_MARKER) {
				marker[w] = true;
				punt_attempts[w] = attempt;
				continue;
			}
			if (seq != punt_seq[w] || attempt <= punt_last[w] ||
			    pkt.remote.port != w || pkt.len != 16 + seq % 100 ||
			    (pkt.len > 16 && pkt.data[pkt.len - 1] != (uint8_t)seq)) {
				CHECK(0, "punt %u/%llu: seq %llu attempt %llu port %u len %u", w,
				      (unsigned long long)punt_seq[w], (unsigned long long)seq,
				      (unsigned long long)attempt, pkt.remote.port, pkt.len);
				break;
			}
			punt_seq[w]++;
			punt_last[w] = attempt;
		}
		for (int i = 0; i < 8 && tx_sent < x->n_tx; i++) {
			struct strata_addr a = { .family = STRATA_AF_INET, .port = 1 };
			uint8_t data[64];
			int rc;

			memcpy(data, &tx_sent, 8);
			memset(data + 8, (int)(tx_sent & 0xff), sizeof(data) - 8);
			rc = dp_driver_send_packet(drv, &a, &a, data, 8 + tx_sent % 56);
			if (rc == -ENOBUFS) {
				tx_fails++;
				break;
			}
			tx_sent++;
			idle = false;
		}
		if (idle)
			sched_yield();
	}
	CHECK(atomic_load(&dp_driver_command_ring(drv)->drops) == send_fails,
	      "command ring drops %llu, failed sends %llu",
	      (unsigned long long)atomic_load(&dp_driver_command_ring(drv)->drops),
	      (unsigned long long)send_fails);
	CHECK(atomic_load(&dp_driver_tx_ring(drv)->drops) == tx_fails,
	      "tx ring drops %llu, failed sends %llu",
	      (unsigned long long)atomic_load(&dp_driver_tx_ring(drv)->drops),
	      (unsigned long long)tx_fails);
	for (unsigned w = 0; w < 2; w++) {
		uint64_t drops = atomic_load(&dp_driver_punt_ring(drv, w)->drops);

		/* The marker is one of the attempts and was received. */
		CHECK(punt_seq[w] + 1 + drops == punt_attempts[w],
		      "punt ring %u: %llu received + %llu dropped != %llu attempts", w,
		      (unsigned long long)punt_seq[w] + 1, (unsigned long long)drops,
		      (unsigned long long)punt_attempts[w]);
	}
	printf("child: %llu commands (%llu ring-full), %llu+%llu punts, %llu tx (%llu ring-full)\n",
	       (unsigned long long)sent, (unsigned long long)send_fails,
	       (unsigned long long)punt_seq[0], (unsigned long long)punt_seq[1],
	       (unsigned long long)tx_sent, (unsigned long long)tx_fails);
	fflush(stdout);
	dp_driver_detach(drv);
	_exit(test_failures ? 1 : 0);
}

/* Worker w's punt: 16 bytes of numbers, then a length that varies. */
static bool punt_one(struct strata_ring *r, unsigned w, uint64_t seq, uint64_t attempt)
{
	struct strata_packet *pkt = strata_ring_reserve(r);

	if (!pkt)
		return false;
	memset(pkt, 0, offsetof(struct strata_packet, data));
	pkt->remote.port = (uint16_t)w;
	pkt->len = (uint16_t)(seq == PUNT_MARKER ? 16 : 16 + seq % 100);
	memcpy(pkt->data, &seq, 8);
	memcpy(pkt->data + 8, &attempt, 8);
	memset(pkt->data + 16, (int)(seq & 0xff), pkt->len - 16);
	strata_ring_commit(r);
	return true;
}

static void test_processes(void)
{
	struct xp x = { items(1000000), items(1000000), items(500000) };
	char name[64], err[512];
	struct dp_shm_params p;
	struct dp_shm *shm;
	struct strata_cmd cmd;
	struct strata_event pending = { .type = STRATA_EVENT_CMD_RESULT };
	bool have_pending = false;
	uint64_t taken = 0, posted = 0, post_fails = 0, tx_seen = 0;
	uint64_t punt_attempts[2] = { 0 }, punt_ok[2] = { 0 }, punt_fails = 0, attempts = 0;
	bool punts_done = false, child_exited = false;
	uint64_t t0 = now_ns(), deadline = t0 + 300ull * 1000000000ull, iter = 0;
	int status = -1;
	pid_t child;

	unique_name(name, sizeof(name));
	params_for(&p, name);
	p.command_slots = 128;
	p.event_slots = 128;
	p.tx_slots = 64;
	p.punt_slots = 64;
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "dp_shm_create: %s", err);
	if (!shm)
		return;
	fflush(stdout);
	child_keep = shm;
	child = fork();
	if (child == 0)
		cp_child(name, &x);

	while (taken < x.n_cmd || posted < x.n_cmd || !punts_done || tx_seen < x.n_tx) {
		bool idle = true;

		if ((iter++ & 1023) == 0) {
			if (!child_exited && waitpid(child, &status, WNOHANG) == child)
				child_exited = true;
			if (now_ns() > deadline) {
				CHECK(0, "parent: stuck at %llu commands, %llu tx",
				      (unsigned long long)taken, (unsigned long long)tx_seen);
				break;
			}
		}
		/* Results first: a full event ring holds the next command back, so
		 * results leave in command order. */
		if (have_pending) {
			if (dp_shm_event_post(shm, &pending)) {
				have_pending = false;
				posted++;
			} else {
				post_fails++;
			}
		}
		while (!have_pending && dp_shm_command_take(shm, &cmd)) {
			struct strata_cmd_leg_add want = { .leg = (uint32_t)++taken };

			idle = false;
			key_pattern(&want, (uint32_t)taken);
			if (cmd.type != STRATA_CMD_LEG_ADD || cmd.seq != taken ||
			    memcmp(&cmd.u.leg_add, &want, sizeof(want)) != 0)
				CHECK(0, "command %llu: type %u seq %u leg %u",
				      (unsigned long long)taken, cmd.type, cmd.seq,
				      cmd.u.leg_add.leg);
			pending.u.cmd_result.seq = cmd.seq;
			pending.u.cmd_result.cmd_type = cmd.type;
			pending.u.cmd_result.status = (uint16_t)(cmd.seq % 7);
			explicit_bzero(&cmd, sizeof(cmd));
			if (dp_shm_event_post(shm, &pending)) {
				posted++;
			} else {
				post_fails++;
				have_pending = true;
			}
		}
		/* Punts: no retry, the drops are counted; then one marker per
		 * worker, retried until it goes in. */
		for (int i = 0; i < 8 && attempts < x.n_punt; i++, attempts++) {
			unsigned w = (unsigned)(attempts % 2);

			punt_attempts[w]++;
			if (punt_one(dp_shm_punt_ring(shm, w), w, punt_ok[w], punt_attempts[w])) {
				punt_ok[w]++;
				idle = false;
			} else {
				punt_fails++;
			}
		}
		if (attempts == x.n_punt && !punts_done) {
			punts_done = true;
			for (unsigned w = 0; w < 2; w++) {
				for (;;) {
					punt_attempts[w]++;
					if (punt_one(dp_shm_punt_ring(shm, w), w, PUNT_MARKER,
						     punt_attempts[w]))
						break;
					punt_fails++;
					sched_yield();
				}
			}
		}
		for (int i = 0; i < 64; i++) {
			struct strata_ring *tx = dp_shm_tx_ring(shm);
			const struct strata_packet *pkt = strata_ring_peek(tx);
			uint64_t seq;

			if (!pkt)
				break;
			memcpy(&seq, pkt->data, 8);
			if (seq != tx_seen || pkt->len != 8 + seq % 56 ||
			    (pkt->len > 8 && pkt->data[pkt->len - 1] != (uint8_t)seq) ||
			    pkt->local.family != STRATA_AF_INET)
				CHECK(0, "tx %llu: seq %llu len %u", (unsigned long long)tx_seen,
				      (unsigned long long)seq, pkt->len);
			strata_ring_release(tx);
			tx_seen++;
			idle = false;
		}
		if (idle && child_exited) {
			CHECK(0, "parent: the child left at %llu commands, %llu tx",
			      (unsigned long long)taken, (unsigned long long)tx_seen);
			break;
		}
		if (idle)
			sched_yield();
	}
	if (!child_exited)
		waitpid(child, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the cp child failed (status %#x)",
	      status);
	CHECK(atomic_load(&dp_shm_event_ring(shm)->drops) == post_fails,
	      "event ring drops %llu, failed posts %llu",
	      (unsigned long long)atomic_load(&dp_shm_event_ring(shm)->drops),
	      (unsigned long long)post_fails);
	CHECK(atomic_load(&dp_shm_punt_ring(shm, 0)->drops) +
			      atomic_load(&dp_shm_punt_ring(shm, 1)->drops) ==
		      punt_fails,
	      "punt ring drops != %llu failed reserves", (unsigned long long)punt_fails);
	CHECK(dp_shm_header(shm)->cp_pid == 0, "the child's claim outlived its detach");
	printf("processes: %llu commands and results (%llu event ring-full), %llu punts "
	       "(%llu dropped), %llu tx in %.2f s\n",
	       (unsigned long long)taken, (unsigned long long)post_fails,
	       (unsigned long long)(punt_ok[0] + punt_ok[1]), (unsigned long long)punt_fails,
	       (unsigned long long)tx_seen, (double)(now_ns() - t0) / 1e9);
	dp_shm_destroy(shm);
}

int main(void)
{
	shm_test_init();
	test_processes();
	return test_summary("shm_ring_processes");
}
