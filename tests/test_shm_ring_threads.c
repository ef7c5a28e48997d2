/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ring (include/strata/ring.h) between two threads: one producer and
 * one consumer pass millions of numbered slots through rings of several
 * geometries: order kept, nothing lost or duplicated, no torn slot; with a
 * producer that retries on a full ring and one that drops, the ring's drop
 * counter equals the failed reserves exactly.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shm_ring_fixture.h"
#include "test_util.h"

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x | 1;
}

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

int main(void)
{
	shm_test_init();
	test_threads();
	return test_summary("shm_ring_threads");
}
