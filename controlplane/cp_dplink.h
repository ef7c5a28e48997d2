/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's dataplane link: the shared-memory rings (dpshm.h) driven
 * from strata-cp's event loop, never blocking it.
 *
 *   commands   cp_dplink_send() queues a command and returns at once; its
 *              CMD_RESULT later calls the callback given with it (matched
 *              by seq).  When the command ring is full, commands wait in a
 *              backlog, in order, and go out as slots free up.
 *   events     every other event goes to ops->event; punted packets to
 *              ops->punt.
 *   liveness   cp_dplink_poll(), called every poll_us from a loop timer,
 *              writes strata-cp's heartbeat and, every CHECK_MS, checks
 *              that strata-dp is still the one attached to.
 *   restarts   a new object under the name (strata-dp restarted: a new
 *              boot_epoch) fails every outstanding command with -ESTALE,
 *              attaches to the new segment and calls ops->attached with
 *              replay = true: strata-cp programs its whole state again.
 *              A vanished segment detaches (ops->detached) and the link
 *              retries attaching every RETRY_MS.
 *   first      the first attach of a strata-cp process calls
 *              ops->attached with replay = false: state in the dataplane
 *              then belongs to an earlier strata-cp (see cp_dplink_dump).
 *
 * Single-threaded: everything from the loop's thread.  Keys cross the
 * command ring once; the backlog's copies are wiped when sent or dropped.
 */
#ifndef STRATA_CP_DPLINK_H
#define STRATA_CP_DPLINK_H

#include <stdbool.h>
#include <stdint.h>

#include <strata/shm.h>

#include "dpshm.h"

struct cp_dplink;

/* status: enum strata_cmd_status (>= 0), or -ESTALE (strata-dp restarted
 * or went away before answering). */
typedef void cp_dplink_result_fn(void *arg, const struct strata_cmd *cmd, int status);

struct cp_dplink_ops {
	void (*event)(void *arg, const struct strata_event *ev);
	void (*punt)(void *arg, const struct strata_packet *pkt, unsigned worker);
	void (*attached)(void *arg, bool replay);
	void (*detached)(void *arg, const char *why);
	void *arg;
};

struct cp_dplink_stats {
	uint64_t commands, results_ok, results_failed, stale, backlog_max;
	uint64_t events, punts, attaches, epoch_changes, detaches;
	uint64_t tx_packets, tx_dropped;
};

struct cp_dplink *cp_dplink_new(const char *shm_name, const struct cp_dplink_ops *ops,
				char *err, size_t errlen);
void cp_dplink_free(struct cp_dplink *l);

/* Attaches when detached (at most every RETRY_MS), checks liveness,
 * drains events and punts, pushes the backlog.  Call it often. */
void cp_dplink_poll(struct cp_dplink *l);

bool cp_dplink_up(const struct cp_dplink *l);
/* Why it is not up (the last attach error), "" when it is. */
const char *cp_dplink_error(const struct cp_dplink *l);
const struct strata_shm_header *cp_dplink_header(const struct cp_dplink *l);

/* Queues cmd (type and union filled; seq assigned here).  cb may be NULL.
 * Returns 0, or -ENOTCONN when no dataplane is attached (nothing queued,
 * cb not called). */
int cp_dplink_send(struct cp_dplink *l, const struct strata_cmd *cmd, cp_dplink_result_fn *cb,
		   void *arg);
/* Queues a UDP payload for strata-dp to send from local to remote (the tx
 * ring): 0, -ENOTCONN, -ENOBUFS (ring full: dropped), -EINVAL (too long). */
int cp_dplink_send_packet(struct cp_dplink *l, const struct strata_addr *local,
			  const struct strata_addr *remote, const void *data, size_t len);

/* Commands sent and not answered yet, plus the backlog. */
unsigned cp_dplink_outstanding(const struct cp_dplink *l);

void cp_dplink_get_stats(const struct cp_dplink *l, struct cp_dplink_stats *st);

#endif /* STRATA_CP_DPLINK_H */
