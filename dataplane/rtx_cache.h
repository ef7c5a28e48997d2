/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The retransmission cache: each publisher stream's recent decrypted
 * packets, kept by reference (the input mbuf the fan-out already holds,
 * its reference count raised), so that a receiver's NACK (RFC 4585 section
 * 6.2.1) is answered by the router instead of crossing the publisher's
 * link again.
 *
 * Sized by time (dataplane.rtcp.rtx_cache_ms, 1 s by default: a NACK later
 * than that is answered too late to help a jitter buffer) and capped by a
 * global budget of mbufs (dataplane.rtcp.rtx_cache_mbufs) shared out
 * equally between the workers, so the cache can never starve the
 * forwarding path of buffers.
 *
 * One writer per stream, the publisher leg's worker (in dp_fanout).  The
 * readers are the workers of the receivers that NACK, on other cores.  A
 * reader takes its own reference to a packet it finds; so that the packet
 * cannot be freed between the reader's lookup and that reference, an
 * evicted packet is freed only after an RCU grace period (every worker
 * reports a quiescent state once per loop, dp->rcu): the writer parks it
 * in its "limbo" queue with a token from rte_rcu_qsbr_start() and frees it
 * once rte_rcu_qsbr_check() says every reader has moved on.
 */
#ifndef STRATA_DP_RTX_CACHE_H
#define STRATA_DP_RTX_CACHE_H

#include <stdatomic.h>
#include <stdint.h>

#include <rte_mbuf.h>

#define DP_RTX_SLOTS 512 /* per stream, a power of two */
#define DP_RTX_LIMBO 4096 /* per worker, a power of two */
#define DP_RTX_TAG_VALID 0x10000u

struct dp_worker;
struct dp_stream;

struct dp_rtx_slot {
	_Atomic uint32_t tag; /* DP_RTX_TAG_VALID | sequence number, 0 = empty */
	uint32_t pad;
	uint64_t tsc;         /* when it was put in */
	struct rte_mbuf *m;
};

struct dp_rtx_cache {
	/* Receivers' waits for a repair of this stream (rtx_repair.h), over
	 * all workers [each receiver worker adds and removes its own]. */
	_Atomic uint32_t waiting;
	uint32_t gen;         /* the stream's generation it holds packets of */
	uint16_t worker;      /* whose budget its packets count against */
	uint16_t pad;
	uint32_t n;           /* valid slots */
	uint32_t head, tail;  /* fifo[tail .. head): sequence numbers, oldest first */
	uint16_t fifo[DP_RTX_SLOTS];
	struct dp_rtx_slot slots[DP_RTX_SLOTS];
};

/*
 * A receiver's NACKed number that the cache lacked and the publisher was
 * asked for (rtx_repair.h): when the publisher's repair reaches the cache,
 * the receiver's worker sends it on under the receiver's number.
 */
struct dp_rtx_waiter {
	uint32_t stream, stream_gen;
	uint32_t sub, sub_gen;
	uint16_t in_seq;      /* the publisher's number */
	uint16_t out_seq;     /* the receiver's */
	uint32_t pad;
	uint64_t until_tsc;   /* given up after this */
};

#define DP_RTX_WAITERS 64 /* per worker */

/* A worker's evicted packets, waiting for a grace period; and the repairs
 * its receivers wait for. */
struct dp_rtx_worker {
	uint64_t cached;      /* packets this worker put in caches [worker] */
	_Atomic uint64_t reaped; /* ... of those, freed by the main lcore [main] */
	uint32_t head, tail;
	struct {
		struct rte_mbuf *m;
		uint64_t token;
	} limbo[DP_RTX_LIMBO];
	/* [worker] its receivers' waits, and what it last looked at. */
	uint32_t n_wait;
	uint64_t wait_repairs;    /* dp_rtx_caches.repairs at the last scan */
	uint64_t wait_expiry_tsc; /* the earliest until_tsc of the waits */
	struct dp_rtx_waiter wait[DP_RTX_WAITERS];
} __attribute__((aligned(64)));

struct dp_rtx_caches {
	struct dp_rtx_cache *caches;         /* [max_streams + 1], calloc'd */
	struct dp_rtx_worker *workers;       /* [n_workers] */
	uint64_t age_tsc;
	uint64_t budget_per_worker;
	/* Repairs put in any cache [publisher workers]: the receiver workers
	 * look at their waits again when it moves. */
	_Atomic uint64_t repairs;
};

/* Puts an input in its stream's cache [publisher worker]. */
void dp_rtx_cache_put(struct dp_worker *w, struct rte_mbuf *m, const struct dp_stream *st,
		      uint32_t stream_id);

/* What became of a repair offered to the cache. */
enum dp_rtx_put {
	DP_RTX_PUT_CACHED = 0,
	DP_RTX_PUT_ALREADY,   /* the cache has the packet */
	DP_RTX_PUT_REFUSED,   /* a newer packet holds its slot, or no budget */
};

/*
 * Puts a restored packet of the publisher's RTX (rtx_repair.h) in its
 * stream's cache [publisher worker].  Unlike dp_rtx_cache_put it never
 * evicts a newer packet from the slot: the repair is of an older number.
 */
enum dp_rtx_put dp_rtx_cache_put_repair(struct dp_worker *w, struct rte_mbuf *m,
					const struct dp_stream *st, uint32_t stream_id);

/*
 * The cached packet of stream_id with sequence number seq, with a
 * reference the caller owns (rte_pktmbuf_free when done); NULL when not
 * cached [any worker].
 */
struct rte_mbuf *dp_rtx_cache_get(struct dp_worker *w, uint32_t stream_id, uint16_t seq);

/* Frees parked packets whose grace period has passed [each worker]. */
void dp_rtx_cache_reclaim(struct dp_worker *w);

/*
 * Frees the packets of a deleted stream's cache [main], once no worker can
 * see the stream (in_use and retiring both 0): nobody puts packets in it or
 * reads it any more, and its slot may not be reused for a long time.
 */
void dp_rtx_cache_reap(struct dp *dp, uint32_t stream_id);

#endif /* STRATA_DP_RTX_CACHE_H */
