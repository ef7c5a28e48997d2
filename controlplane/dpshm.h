/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's side of strata-dp's shared-memory segment (include/strata/
 * shm.h): mapping it, checking every field a mistake could make unsafe to
 * use (magic, ABI version, header and ring geometry), claiming it as its
 * one control plane, and noticing a strata-dp restart.
 *
 * strata-cp's dataplane link (cp_dplink.h) and the tests' driver
 * (tests/driver/dp_driver.h) both stand on this, so the checks exist once.
 *
 * The rings are single-producer, single-consumer: one control plane per
 * segment.  cp_pid in the header is the claim, taken by compare-and-swap;
 * a live holder refuses a second claimant unless it takes over.
 */
#ifndef STRATA_CP_DPSHM_H
#define STRATA_CP_DPSHM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <strata/shm.h>

struct cp_dpshm {
	struct strata_shm_header *hdr;   /* NULL while unmapped */
	size_t size;
	dev_t dev;                       /* the object mapped, to tell a new one */
	ino_t ino;
	bool readonly;
	bool claimed;
	uint64_t epoch;                  /* its boot_epoch */
	struct strata_ring *command, *event, *tx;
	struct strata_ring *punt[STRATA_SHM_MAX_WORKERS];
	unsigned n_workers;
	char name[NAME_MAX + 1];         /* "/strata" */
};

/* CLOCK_MONOTONIC in nanoseconds, the clock of the heartbeats. */
uint64_t cp_dpshm_now_ns(void);

/* Sets m->name from "strata" or "/strata": 0, or -1 with err. */
int cp_dpshm_set_name(struct cp_dpshm *m, const char *name, char *err, size_t errlen);

/* One try at mapping m->name and checking it: 0; -EAGAIN when it is worth
 * retrying (strata-dp missing or still creating it); -1 otherwise.  err
 * says what to do ("is strata-dp running?"). */
int cp_dpshm_map(struct cp_dpshm *m, bool readonly, char *err, size_t errlen);

/* Claims the mapped segment (cp_pid, cp_epoch, cp_heartbeat_ns): 0, or -1
 * when another live control plane holds it and takeover is false. */
int cp_dpshm_claim(struct cp_dpshm *m, bool takeover, char *err, size_t errlen);

/* Gives the claim back (if held) and unmaps.  Safe on an unmapped m. */
void cp_dpshm_unmap(struct cp_dpshm *m);

/* 0 while the mapped object is still strata-dp's current one; -ESTALE when
 * the name holds another object (strata-dp restarted: *new_epoch gets its
 * boot_epoch once complete, else 0) or the old one is STOPPING; -ENOENT
 * when the name is gone.  new_epoch may be NULL. */
int cp_dpshm_check(struct cp_dpshm *m, uint64_t *new_epoch);

/* Our liveness for strata-dp: cp_heartbeat_ns = now (when claimed). */
void cp_dpshm_heartbeat(struct cp_dpshm *m, uint64_t now_ns);

#endif /* STRATA_CP_DPSHM_H */
