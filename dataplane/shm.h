/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-dp's side of the shared-memory segment (include/strata/shm.h):
 * creating it at start-up, the rings, liveness, and taking commands out of
 * the command ring so that the keys they carry do not stay there.
 *
 * Threads.  dp_shm_create and dp_shm_destroy run on the main lcore, before
 * the workers start and after they stop.  The command, event and tx rings
 * and the header's [dp] fields belong to the main lcore; punt ring w
 * belongs to worker w, which produces into it with strata_ring_reserve and
 * strata_ring_commit (ring.h).  No DPDK here: tests link this file alone.
 */
#ifndef STRATA_DP_SHM_H
#define STRATA_DP_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <strata/shm.h>

/* The largest ring dp_shm_create accepts, in slots. */
#define DP_SHM_MAX_SLOTS (1u << 20)

/*
 * A segment whose strata-dp is alive (its pid exists) and has beaten its
 * heart this recently is never replaced: a second strata-dp with the same
 * name is refused instead.  Older than this, the segment is stale.
 */
#define DP_SHM_LIVE_NS (3ull * 1000000000ull)

struct dp_shm_params {
	const char *name;          /* POSIX shm name: "/strata" */
	const char *group;         /* group (name or number) that owns the object,
				    * so strata-cp can open it; NULL or "" = ours */
	uint32_t command_slots;    /* ring sizes in slots, powers of two */
	uint32_t event_slots;
	uint32_t tx_slots;
	uint32_t punt_slots;       /* per worker */
	uint32_t n_workers;        /* 1..STRATA_SHM_MAX_WORKERS: one punt ring each */
	uint32_t max_legs;         /* pool sizes, published for strata-cp */
	uint32_t max_streams;
	uint32_t max_sources;
	uint32_t max_subscriptions;
	uint32_t dp_pid;           /* 0 = getpid() */
};

struct dp_shm;

/* Default name and ring sizes, one worker, no pools: callers set the rest. */
void dp_shm_params_default(struct dp_shm_params *p);

/*
 * Creates the segment: removes a stale one of the same name (a strata-dp
 * that crashed), creates the object (mode 0660, chowned to p->group),
 * sizes and maps it (prefaulted), lays out the header and the rings, draws
 * a new boot_epoch, sets dp_state STARTING and the heartbeat to now, and
 * stores the magic last (release), so a reader that sees the magic sees
 * the rest.  NULL on failure, with err saying what went wrong and what to
 * do about it.
 */
struct dp_shm *dp_shm_create(const struct dp_shm_params *p, char *err, size_t errlen);

/*
 * Marks the segment STOPPING, wipes any command still in the command ring
 * (they may hold keys), unmaps it and unlinks the name unless another
 * strata-dp has already replaced the object.  NULL is a no-op.
 */
void dp_shm_destroy(struct dp_shm *shm);

struct strata_shm_header *dp_shm_header(struct dp_shm *shm);
const char *dp_shm_name(const struct dp_shm *shm);
uint64_t dp_shm_boot_epoch(const struct dp_shm *shm);

struct strata_ring *dp_shm_command_ring(struct dp_shm *shm);
struct strata_ring *dp_shm_event_ring(struct dp_shm *shm);
struct strata_ring *dp_shm_tx_ring(struct dp_shm *shm);
/* Worker w's punt ring; NULL when w >= n_workers. */
struct strata_ring *dp_shm_punt_ring(struct dp_shm *shm, unsigned worker);

/* now_ns is CLOCK_MONOTONIC: strata-cp compares it with its own clock. */
void dp_shm_heartbeat(struct dp_shm *shm, uint64_t now_ns);
void dp_shm_set_state(struct dp_shm *shm, enum strata_dp_state state);

/*
 * Main lcore: takes the oldest command, if any.  Copies it into *out,
 * wipes the slot (explicit_bzero: keys cross the ring once) and only then
 * releases it to strata-cp.  The caller wipes *out in turn once it has
 * copied the keys into its own state.  false when the ring is empty.
 */
bool dp_shm_command_take(struct dp_shm *shm, struct strata_cmd *out);

/* Main lcore: posts an event; false (and a counted drop) when full. */
bool dp_shm_event_post(struct dp_shm *shm, const struct strata_event *ev);

#endif /* STRATA_DP_SHM_H */
