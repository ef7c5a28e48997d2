/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Single-producer, single-consumer rings of fixed-size slots in shared
 * memory: the only way strata-dp and strata-cp talk.
 *
 * strata-cp has no DPDK, so these are plain C11 atomics rather than
 * rte_ring.  Each ring has exactly one producer and one consumer (a process,
 * or one lcore of strata-dp); `head` is written only by the producer and
 * `tail` only by the consumer, each on its own cache line.  A full ring
 * never blocks: the producer counts the drop and goes on.
 *
 * Memory order: the producer writes the slot, then publishes it with a
 * release store of head; the consumer reads head with acquire, reads the
 * slot, then frees it with a release store of tail, which the producer
 * reads with acquire before reusing the slot.
 */
#ifndef STRATA_RING_H
#define STRATA_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define STRATA_CACHE_LINE 64

struct strata_ring {
	/* Written once when the segment is created [dp-init]. */
	uint32_t slot_size;  /* bytes per slot, a multiple of 64 */
	uint32_t slot_count; /* a power of two */
	uint32_t kind;       /* enum strata_ring_kind */
	uint32_t index;      /* which one of its kind (punt rings: the worker) */

	/* The producer's cache line [producer]. */
	_Alignas(STRATA_CACHE_LINE) _Atomic uint64_t head; /* slots produced */
	_Atomic uint64_t drops;                             /* produce on a full ring */

	/* The consumer's cache line [consumer]. */
	_Alignas(STRATA_CACHE_LINE) _Atomic uint64_t tail; /* slots consumed */

	_Alignas(STRATA_CACHE_LINE) uint8_t slots[];
};

static inline size_t strata_ring_bytes(uint32_t slot_size, uint32_t slot_count)
{
	return sizeof(struct strata_ring) + (size_t)slot_size * slot_count;
}

static inline void *strata_ring_slot(struct strata_ring *r, uint64_t n)
{
	return r->slots + (size_t)(n & (r->slot_count - 1)) * r->slot_size;
}

/* Producer: a slot to fill, or NULL (and a counted drop) when full. */
static inline void *strata_ring_reserve(struct strata_ring *r)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail >= r->slot_count) {
		atomic_store_explicit(&r->drops,
				      atomic_load_explicit(&r->drops, memory_order_relaxed) + 1,
				      memory_order_relaxed);
		return NULL;
	}
	return strata_ring_slot(r, head);
}

/* Producer: publishes the slot strata_ring_reserve returned. */
static inline void strata_ring_commit(struct strata_ring *r)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);

	atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

/* Consumer: the oldest unconsumed slot, or NULL when empty. */
static inline const void *strata_ring_peek(struct strata_ring *r)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);

	return head == tail ? NULL : strata_ring_slot(r, tail);
}

/* Consumer: frees the slot strata_ring_peek returned. */
static inline void strata_ring_release(struct strata_ring *r)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

static inline uint64_t strata_ring_used(struct strata_ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_acquire) -
	       atomic_load_explicit(&r->tail, memory_order_acquire);
}

#endif /* STRATA_RING_H */
