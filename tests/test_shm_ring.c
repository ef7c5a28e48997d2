/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory rings and segment (include/strata/ring.h, shm.h) under
 * stress, and both ends of the segment: dataplane/shm.c (strata-dp's side)
 * and tests/driver/dp_driver.c (strata-cp's side, as the driver attaches).
 *
 *   threads     one producer and one consumer thread pass millions of
 *               numbered slots through rings of several geometries: order
 *               kept, nothing lost or duplicated, no torn slot; with a
 *               producer that retries on a full ring and one that drops,
 *               the ring's drop counter equals the failed reserves exactly
 *   processes   strata-dp (this process) and a fork()ed strata-cp on a
 *               real segment: commands one way and their results back,
 *               punts on two worker rings, tx packets; the same checks
 *   driver      results matched by seq with other events queued in order,
 *               stale results dropped at attach, timeouts, the cp claim
 *   wipe        a taken command's slot is zero; destroy wipes the rest
 *   refusals    attach refuses a missing, unfinished, foreign or
 *               mismatched segment, each with a message that says what to do
 *   lifecycle   a stale segment (its strata-dp died) is replaced, a live
 *               one is not; destroy leaves a successor's name alone;
 *               parameters, group and mode
 *
 * STRATA_TEST_RING_SCALE=N divides the item counts (for slow sanitizers);
 * under valgrind (meson test --setup valgrind) they are divided by 20.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../dataplane/shm.h"
#include "driver/dp_driver.h"
#include "test_util.h"

static unsigned scale = 1;
static unsigned name_counter;
/* A forked child _exits without the parent's cleanup; what it holds stays
 * reachable here, so valgrind in the child does not call it a leak. */
static void *volatile child_keep;

static uint64_t items(uint64_t n)
{
	return n / scale ? n / scale : 1;
}

static void unique_name(char *buf, size_t len)
{
	snprintf(buf, len, "/strata-test-%d-%u", (int)getpid(), name_counter++);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x | 1;
}

static void params_for(struct dp_shm_params *p, const char *name)
{
	dp_shm_params_default(p);
	p->name = name;
	p->command_slots = 64;
	p->event_slots = 64;
	p->tx_slots = 32;
	p->punt_slots = 32;
	p->n_workers = 2;
	p->max_legs = 100;
	p->max_streams = 200;
	p->max_sources = 150;
	p->max_subscriptions = 400;
}

static struct dp_driver *attach(const char *name, unsigned flags, char *err, size_t errlen)
{
	struct dp_driver_opts o = { .name = name, .flags = flags, .timeout_ms = 2000 };

	return dp_driver_attach(&o, err, errlen);
}

/* ---- threads --------------------------------------------------------------- */

/*
 * A slot carries its dense sequence number (successful produces so far),
 * the attempt that produced it, and a hash of the sequence in the middle
 * and at the end: a slot read before it was fully written shows up.
 */
static void fill_slot(uint8_t *slot, uint32_t size, uint64_t seq, uint64_t attempt)
{
	uint64_t h = mix(seq);

	memcpy(slot, &seq, 8);
	memcpy(slot + 8, &attempt, 8);
	memcpy(slot + size / 2, &h, 8);
	memcpy(slot + size - 8, &h, 8);
}

static bool slot_ok(const uint8_t *slot, uint32_t size, uint64_t seq, uint64_t *attempt)
{
	uint64_t s, h1, h2;

	memcpy(&s, slot, 8);
	memcpy(attempt, slot + 8, 8);
	memcpy(&h1, slot + size / 2, 8);
	memcpy(&h2, slot + size - 8, 8);
	return s == seq && h1 == mix(seq) && h2 == mix(seq);
}

struct pc {
	struct strata_ring *r;
	uint64_t target;          /* retry: items to pass; else attempts to make */
	bool retry;               /* the producer retries a full ring */
	unsigned pause_every;     /* the consumer sleeps every this many items */
	uint64_t attempts, fails; /* [producer] */
	_Atomic uint64_t produced; /* [producer] total, once done */
	_Atomic bool done;
	uint64_t received, bad;   /* [consumer] */
};

static void *producer(void *arg)
{
	struct pc *pc = arg;
	uint64_t seq = 0;

	while (pc->retry ? seq < pc->target : pc->attempts < pc->target) {
		uint8_t *slot = strata_ring_reserve(pc->r);

		pc->attempts++;
		if (!slot) {
			/* Either way the consumer gets the CPU: on a loaded machine
			 * a spinning producer would starve it and test nothing. */
			pc->fails++;
			sched_yield();
			continue;
		}
		fill_slot(slot, pc->r->slot_size, seq, pc->attempts);
		strata_ring_commit(pc->r);
		seq++;
	}
	atomic_store_explicit(&pc->produced, seq, memory_order_relaxed);
	atomic_store_explicit(&pc->done, true, memory_order_release);
	return NULL;
}

static void *consumer(void *arg)
{
	struct pc *pc = arg;
	uint64_t last_attempt = 0;

	for (;;) {
		const uint8_t *slot = strata_ring_peek(pc->r);
		uint64_t attempt;

		if (!slot) {
			if (atomic_load_explicit(&pc->done, memory_order_acquire) &&
			    pc->received == atomic_load_explicit(&pc->produced,
								 memory_order_relaxed) &&
			    !strata_ring_peek(pc->r))
				break;
			sched_yield();
			continue;
		}
		if (!slot_ok(slot, pc->r->slot_size, pc->received, &attempt) ||
		    attempt <= last_attempt) {
			if (pc->bad++ < 5)
				fprintf(stderr,
					"slot %llu: wrong sequence, hash or attempt order\n",
					(unsigned long long)pc->received);
		}
		last_attempt = attempt;
		strata_ring_release(pc->r);
		pc->received++;
		if (pc->pause_every && pc->received % pc->pause_every == 0)
			sleep_us(20);
	}
	return NULL;
}

static struct strata_ring *ring_alloc(uint32_t slot_size, uint32_t slots)
{
	size_t bytes = strata_ring_bytes(slot_size, slots);
	struct strata_ring *r = aligned_alloc(STRATA_CACHE_LINE, (bytes + 63) & ~(size_t)63);

	memset(r, 0, bytes);
	r->slot_size = slot_size;
	r->slot_count = slots;
	return r;
}

static void test_threads(void)
{
	static const struct {
		uint32_t slot_size, slots;
		uint64_t n;
	} geo[] = {
		{ 64, 8, 4000000 },   /* tiny: the producer laps the consumer all the time */
		{ STRATA_CMD_SLOT_SIZE, 1024, 2000000 },
		{ STRATA_PACKET_SLOT_SIZE, 64, 1000000 },
	};

	for (size_t g = 0; g < ARRAY_LEN(geo); g++) {
		for (int mode = 0; mode < 2; mode++) {
			struct pc pc = {
				.r = ring_alloc(geo[g].slot_size, geo[g].slots),
				.target = items(geo[g].n),
				.retry = mode == 0,
				.pause_every = mode == 0 ? 0 : 4096,
			};
			uint64_t produced, t0 = now_ns();
			pthread_t tp, tc;

			pthread_create(&tc, NULL, consumer, &pc);
			pthread_create(&tp, NULL, producer, &pc);
			pthread_join(tp, NULL);
			pthread_join(tc, NULL);
			produced = atomic_load(&pc.produced);
			printf("threads %u x %u, %s: %llu passed, %llu drops, %.2f Mslots/s\n",
			       geo[g].slot_size, geo[g].slots, pc.retry ? "retry" : "drop",
			       (unsigned long long)pc.received, (unsigned long long)pc.fails,
			       (double)pc.received * 1e3 / (double)(now_ns() - t0));
			CHECK(pc.bad == 0, "%llu bad slots", (unsigned long long)pc.bad);
			CHECK(pc.received == produced, "received %llu of %llu",
			      (unsigned long long)pc.received, (unsigned long long)produced);
			CHECK(atomic_load(&pc.r->drops) == pc.fails,
			      "drop counter %llu, failed reserves %llu",
			      (unsigned long long)atomic_load(&pc.r->drops),
			      (unsigned long long)pc.fails);
			CHECK(pc.attempts == produced + pc.fails, "attempts %llu != %llu + %llu",
			      (unsigned long long)pc.attempts, (unsigned long long)produced,
			      (unsigned long long)pc.fails);
			if (pc.retry)
				CHECK(produced == pc.target, "produced %llu of %llu",
				      (unsigned long long)produced, (unsigned long long)pc.target);
			else
				CHECK(pc.fails > 0, "a pausing consumer never filled the ring");
			CHECK(strata_ring_used(pc.r) == 0, "ring not empty at the end");
			free(pc.r);
		}
	}
}

/* ---- processes ------------------------------------------------------------- */

#define PUNT_MARKER UINT64_MAX

struct xp {
	uint64_t n_cmd, n_punt, n_tx;
};

static void key_pattern(struct strata_cmd_leg_add *l, uint32_t seq)
{
	for (size_t i = 0; i < sizeof(l->rx.key); i++)
		l->rx.key[i] = (uint8_t)(seq + i);
	for (size_t i = 0; i < sizeof(l->rx.salt); i++)
		l->rx.salt[i] = (uint8_t)(seq * 7 + i);
}

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

/* ---- driver ---------------------------------------------------------------- */

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

/* ---- wipe ------------------------------------------------------------------ */

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_wipe(void)
{
	char name[64], err[512];
	struct dp_shm_params p;
	struct dp_shm *shm;
	struct dp_driver *drv;
	struct strata_cmd cmd = { .type = STRATA_CMD_LEG_ADD }, got;
	struct strata_ring *r;
	const uint8_t *slot;

	unique_name(name, sizeof(name));
	params_for(&p, name);
	shm = dp_shm_create(&p, err, sizeof(err));
	drv = shm ? attach(name, 0, err, sizeof(err)) : NULL;
	CHECK(shm && drv, "setup: %s", err);
	if (!drv) {
		dp_shm_destroy(shm);
		return;
	}
	cmd.u.leg_add.leg = 3;
	key_pattern(&cmd.u.leg_add, 0x5a);
	memset(cmd.u.leg_add.tx.key, 0xa5, sizeof(cmd.u.leg_add.tx.key));
	CHECK(dp_driver_send(drv, &cmd) == 1, "send");
	r = dp_shm_command_ring(shm);
	slot = strata_ring_slot(r, 0);
	CHECK(!all_zero(slot, r->slot_size), "the key never reached the slot");
	CHECK(dp_shm_command_take(shm, &got), "take");
	CHECK(memcmp(&got, &cmd, sizeof(cmd)) == 0, "the command changed on its way");
	CHECK(all_zero(slot, r->slot_size), "slot not wiped after take");
	CHECK(atomic_load(&r->tail) == 1, "slot not released");
	CHECK(!dp_shm_command_take(shm, &got), "an empty ring gave a command");

	/* Commands never taken are wiped by destroy; the driver's mapping of
	 * the same object shows it. */
	for (int i = 0; i < 5; i++)
		CHECK(dp_driver_send(drv, &cmd) > 0, "send %d", i);
	r = dp_driver_command_ring(drv);
	CHECK(!all_zero(r->slots, (size_t)r->slot_size * r->slot_count), "keys not in the ring");
	dp_shm_destroy(shm);
	CHECK(all_zero(r->slots, (size_t)r->slot_size * r->slot_count),
	      "destroy left keys in the command ring");
	CHECK(atomic_load(&dp_driver_header(drv)->dp_state) == STRATA_DP_STOPPING,
	      "destroy did not mark STOPPING");
	CHECK(dp_driver_check(drv, NULL) == -ENOENT, "destroyed segment still named");
	dp_driver_detach(drv);
}

/* ---- refusals -------------------------------------------------------------- */

struct late_magic {
	struct strata_shm_header *h;
	uint64_t magic;
};

static void *set_magic_later(void *arg)
{
	struct late_magic *lm = arg;

	sleep_us(100000);
	atomic_store_explicit(&lm->h->magic, lm->magic, memory_order_release);
	return NULL;
}

static void expect_refusal(const char *name, const char *what, const char *needle)
{
	char err[512] = "";
	struct dp_driver *drv = attach(name, 0, err, sizeof(err));

	CHECK(!drv, "%s: attached", what);
	CHECK(strstr(err, needle) != NULL, "%s: message \"%s\" lacks \"%s\"", what, err, needle);
	dp_driver_detach(drv);
}

static void test_refusals(void)
{
	char name[64], err[512];
	struct dp_shm_params p;
	struct dp_shm *shm;
	struct strata_shm_header *h;
	struct dp_driver *drv;
	struct dp_driver_opts o = { .wait_ms = 3000 };
	struct late_magic lm;
	pthread_t t;
	uint64_t v;
	int fd;

	unique_name(name, sizeof(name));
	expect_refusal(name, "missing", "is strata-dp running? (no /dev/shm/strata-test-");

	params_for(&p, name);
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "create: %s", err);
	if (!shm)
		return;
	h = dp_shm_header(shm);

	v = atomic_load(&h->magic);
	atomic_store(&h->magic, 0x1122334455667788ull);
	expect_refusal(name, "foreign magic", "is not a Strata segment");
	atomic_store(&h->magic, 0);
	expect_refusal(name, "no magic yet", "has not finished creating");
	/* Waiting covers a strata-dp still creating the segment. */
	lm.h = h;
	lm.magic = v;
	pthread_create(&t, NULL, set_magic_later, &lm);
	o.name = name;
	drv = dp_driver_attach(&o, err, sizeof(err));
	CHECK(drv != NULL, "attach with --wait while strata-dp finishes: %s", err);
	dp_driver_detach(drv);
	pthread_join(t, NULL);

	h->abi_version++;
	expect_refusal(name, "ABI", "ABI version 2, this driver version 1");
	h->abi_version--;
	h->header_size += 64;
	expect_refusal(name, "header size", "byte header");
	h->header_size -= 64;
	h->segment_size += 4096;
	expect_refusal(name, "segment size", "restart strata-dp");
	h->segment_size -= 4096;
	h->n_workers = 0;
	expect_refusal(name, "no workers", "workers");
	h->n_workers = 2;
	strata_shm_ring(h, h->event_ring)->slot_size = 128;
	expect_refusal(name, "event slot size", "event ring 0 is malformed (slot size");
	strata_shm_ring(h, h->event_ring)->slot_size = STRATA_EVENT_SLOT_SIZE;
	strata_shm_ring(h, h->punt_ring[1])->slot_count = 48;
	expect_refusal(name, "punt slot count", "punt ring 1 is malformed");
	strata_shm_ring(h, h->punt_ring[1])->slot_count = 32;
	h->tx_ring = h->segment_size - 64;
	expect_refusal(name, "tx ring offset", "tx ring 0 is malformed");
	h->tx_ring = h->event_ring;
	expect_refusal(name, "tx ring pointing at the event ring", "tx ring 0 is malformed");
	h->tx_ring = (uint64_t)((uint8_t *)dp_shm_tx_ring(shm) - (uint8_t *)h);

	drv = attach(name, 0, err, sizeof(err));
	CHECK(drv != NULL, "restored header: %s", err);
	dp_driver_detach(drv);
	dp_shm_destroy(shm);

	/* Something else under the name: too small to be a segment. */
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 10) == 0, "tiny object");
	expect_refusal(name, "tiny", "smaller than the segment header");
	if (fd >= 0)
		close(fd);
	shm_unlink(name);
}

/* ---- lifecycle ------------------------------------------------------------- */

static void test_lifecycle(void)
{
	char name[64], err[512], group[32], path[128];
	struct dp_shm_params p;
	struct dp_shm *shm, *other;
	struct dp_driver *drv;
	uint64_t epoch = 0;
	int pipefd[2], status, fd;
	struct stat st;
	pid_t child;
	mode_t old_umask;
	char c;

	unique_name(name, sizeof(name));
	params_for(&p, name);
	snprintf(path, sizeof(path), "/dev/shm%s", name);

	/* A strata-dp that died without cleaning up: its segment is replaced. */
	fflush(stdout);
	child = fork();
	if (child == 0) {
		child_keep = dp_shm_create(&p, err, sizeof(err));
		_exit(child_keep ? 0 : 1);
	}
	waitpid(child, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child create");
	drv = attach(name, DP_DRIVER_READONLY, err, sizeof(err));
	CHECK(drv != NULL, "the dead strata-dp's segment: %s", err);
	if (drv) {
		epoch = dp_driver_epoch(drv);
		CHECK(dp_driver_header(drv)->dp_pid == (uint32_t)child, "dp_pid");
	}
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "replacing a stale segment: %s", err);
	if (shm) {
		CHECK(dp_shm_boot_epoch(shm) != epoch && dp_shm_boot_epoch(shm) != 0,
		      "boot_epoch not new");
		CHECK(dp_shm_header(shm)->dp_pid == (uint32_t)getpid(), "dp_pid not ours");
	}
	CHECK(drv && dp_driver_check(drv, NULL) == -ESTALE, "the old attach did not notice");
	dp_driver_detach(drv);
	dp_shm_destroy(shm);
	CHECK(stat(path, &st) < 0 && errno == ENOENT, "destroy left %s", path);

	/* A live strata-dp's segment is not taken from it. */
	CHECK(pipe(pipefd) == 0, "pipe");
	child = fork();
	if (child == 0) {
		struct dp_shm *s = dp_shm_create(&p, err, sizeof(err));

		close(pipefd[0]);
		c = s ? 'y' : 'n';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		for (;;) {
			dp_shm_heartbeat(s, now_ns());
			sleep_us(10000);
		}
	}
	close(pipefd[1]);
	CHECK(read(pipefd[0], &c, 1) == 1 && c == 'y', "child create");
	close(pipefd[0]);
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(!shm && strstr(err, "belongs to a running strata-dp (pid") &&
		      strstr(err, "another shm name"),
	      "live segment: %s", shm ? "replaced" : err);
	dp_shm_destroy(shm);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "after the live one died: %s", err);

	/* Destroy unlinks only its own object: a successor keeps the name. */
	other = dp_shm_create(&p, err, sizeof(err)); /* our own pid: stale */
	CHECK(other != NULL, "successor: %s", err);
	dp_shm_destroy(shm);
	drv = attach(name, DP_DRIVER_READONLY, err, sizeof(err));
	CHECK(drv && other && dp_driver_epoch(drv) == dp_shm_boot_epoch(other),
	      "the predecessor's destroy removed the successor: %s", drv ? "" : err);
	dp_driver_detach(drv);
	dp_shm_destroy(other);

	/* A foreign object under the name is replaced too. */
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 10) == 0, "foreign object");
	if (fd >= 0)
		close(fd);
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "replacing a foreign object: %s", err);
	dp_shm_destroy(shm);

	/* Group and mode: 0660 whatever the umask. */
	old_umask = umask(077);
	snprintf(group, sizeof(group), "%u", (unsigned)getgid());
	p.group = group;
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "create with group %s: %s", group, err);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0660 && st.st_gid == getgid(),
	      "mode %o gid %u", (unsigned)(st.st_mode & 0777), (unsigned)st.st_gid);
	dp_shm_destroy(shm);
	umask(old_umask);
	p.group = "strata-no-such-group";
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(!shm && strstr(err, "groupadd strata-no-such-group"), "unknown group: %s",
	      shm ? "created" : err);
	dp_shm_destroy(shm);
	p.group = NULL;

	/* State and heartbeat reach the reader. */
	shm = dp_shm_create(&p, err, sizeof(err));
	drv = shm ? attach(name, DP_DRIVER_READONLY, err, sizeof(err)) : NULL;
	CHECK(drv != NULL, "attach: %s", err);
	if (drv) {
		CHECK(atomic_load(&dp_driver_header(drv)->dp_state) == STRATA_DP_STARTING,
		      "initial state");
		CHECK(dp_driver_heartbeat_age_ns(drv) < 1000000000ull, "initial heartbeat");
		dp_shm_set_state(shm, STRATA_DP_RUNNING);
		dp_shm_heartbeat(shm, now_ns() - 5000000000ull);
		CHECK(atomic_load(&dp_driver_header(drv)->dp_state) == STRATA_DP_RUNNING,
		      "state");
		CHECK(dp_driver_heartbeat_age_ns(drv) >= 5000000000ull, "heartbeat");
		CHECK(dp_driver_header(drv)->segment_size % 64 == 0 &&
			      dp_driver_header(drv)->command_ring % 64 == 0 &&
			      dp_driver_header(drv)->punt_ring[1] % 64 == 0,
		      "layout not on cache lines");
	}
	dp_driver_detach(drv);
	dp_shm_destroy(shm);
}

static void test_params(void)
{
	static const struct {
		const char *what, *name;
		uint32_t cmd, punt, workers;
		const char *needle;
	} bad[] = {
		{ "no slash", "strata", 64, 32, 1, "is not valid" },
		{ "two slashes", "/a/b", 64, 32, 1, "is not valid" },
		{ "not a power of two", NULL, 100, 32, 1, "command ring of 100 slots" },
		{ "zero slots", NULL, 64, 0, 1, "punt ring of 0 slots" },
		{ "no workers", NULL, 64, 32, 0, "0 workers" },
		{ "too many workers", NULL, 64, 32, STRATA_SHM_MAX_WORKERS + 1, "65 workers" },
	};
	char name[64], err[512];

	unique_name(name, sizeof(name));
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct dp_shm_params p;
		struct dp_shm *shm;

		params_for(&p, bad[i].name ? bad[i].name : name);
		p.command_slots = bad[i].cmd;
		p.punt_slots = bad[i].punt;
		p.n_workers = bad[i].workers;
		err[0] = 0;
		shm = dp_shm_create(&p, err, sizeof(err));
		CHECK(!shm && strstr(err, bad[i].needle), "%s: %s", bad[i].what,
		      shm ? "created" : err);
		dp_shm_destroy(shm);
	}
}

int main(void)
{
	const char *s = getenv("STRATA_TEST_RING_SCALE");
	const char *preload = getenv("LD_PRELOAD");

	if (preload && strstr(preload, "vgpreload"))
		scale = 20;
	if (s && atoi(s) > 0)
		scale = (unsigned)atoi(s);
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_params();
	test_wipe();
	test_refusals();
	test_lifecycle();
	test_claim();
	test_driver();
	test_threads();
	test_processes();
	return test_summary("shm_ring");
}
