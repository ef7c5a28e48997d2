/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory segment strata-dp creates and strata-cp attaches to.
 *
 * Layout: the header below, then the rings it lists, each starting on a
 * cache line.  strata-dp creates the segment at start-up as a POSIX shared
 * memory object named by its configuration (default "/strata"), mode 0660,
 * owned by the control plane's group when one is configured.  A strata-dp
 * restart creates a new segment with a new boot_epoch: strata-cp notices
 * and replays the legs, streams and subscriptions it holds.  A strata-cp
 * restart reattaches to the same segment and asks for a DUMP.
 *
 * Who writes what:
 *   [dp-init]  strata-dp, once, before it sets magic (last) at creation
 *   [dp]       strata-dp's main lcore while it runs
 *   [cp]       strata-cp
 * The rings' own fields are described in ring.h.
 */
#ifndef STRATA_SHM_H
#define STRATA_SHM_H

#include <stdatomic.h>
#include <stdint.h>

#include "messages.h"
#include "ring.h"

#define STRATA_SHM_MAGIC 0x314d485341525453ull /* "STRASHM1" little-endian */
#define STRATA_SHM_ABI_VERSION 1
#define STRATA_SHM_DEFAULT_NAME "/strata"
#define STRATA_SHM_MAX_WORKERS 64

enum strata_ring_kind {
	STRATA_RING_COMMAND = 1, /* cp -> dp main lcore, struct strata_cmd */
	STRATA_RING_EVENT,       /* dp main lcore -> cp, struct strata_event */
	STRATA_RING_TX,          /* cp -> dp main lcore, struct strata_packet */
	STRATA_RING_PUNT,        /* dp worker `index` -> cp, struct strata_packet */
};

enum strata_dp_state {
	STRATA_DP_STARTING = 0,
	STRATA_DP_RUNNING = 1,
	STRATA_DP_STOPPING = 2,
};

struct strata_shm_header {
	/* Identity and geometry [dp-init]. */
	_Atomic uint64_t magic;      /* STRATA_SHM_MAGIC, stored last at creation */
	uint32_t abi_version;        /* STRATA_SHM_ABI_VERSION */
	uint32_t header_size;        /* sizeof(struct strata_shm_header) */
	uint64_t segment_size;       /* bytes, header and rings */
	uint64_t boot_epoch;         /* unique per strata-dp start */
	uint32_t dp_pid;
	uint32_t max_legs;           /* id ranges: 1..max */
	uint32_t max_streams;
	uint32_t max_sources;
	uint32_t max_subscriptions;
	uint32_t n_workers;
	/* Byte offsets from the start of the segment. */
	uint64_t command_ring;
	uint64_t event_ring;
	uint64_t tx_ring;
	uint64_t punt_ring[STRATA_SHM_MAX_WORKERS]; /* n_workers of them */

	/* strata-dp's liveness [dp]. */
	_Alignas(STRATA_CACHE_LINE) _Atomic uint64_t dp_heartbeat_ns; /* CLOCK_MONOTONIC */
	_Atomic uint32_t dp_state;   /* enum strata_dp_state */

	/* strata-cp's liveness [cp]. */
	_Alignas(STRATA_CACHE_LINE) _Atomic uint64_t cp_heartbeat_ns;
	_Atomic uint64_t cp_epoch;   /* strata-cp's own start, 0 = never attached */
	_Atomic uint32_t cp_pid;
};

static inline struct strata_ring *strata_shm_ring(struct strata_shm_header *h, uint64_t offset)
{
	return (struct strata_ring *)((uint8_t *)h + offset);
}

#endif /* STRATA_SHM_H */
