/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_driver: strata-cp's side of the shared-memory segment, for tests.
 *
 * It attaches to a running strata-dp the way strata-cp does (shm_open,
 * mmap, checks of the magic, ABI version, header and ring geometry), sends
 * commands with sequence numbers and waits for their CMD_RESULT, reads
 * events and punted packets, sends packets through the tx ring, and notices
 * when strata-dp restarts (a new object under the name, a new boot_epoch).
 *
 * The rings are single-producer, single-consumer: one driver (or one
 * strata-cp) per segment at a time.  Attaching claims the segment's cp_pid
 * and refuses while another live process holds it, unless told to take
 * over; a read-only attach (status) claims nothing and consumes nothing.
 *
 * Return values: the command helpers return the command's result status
 * (enum strata_cmd_status, >= 0) or a negative errno from the driver
 * itself:
 *   -ENOBUFS    the command (or packet) ring is full; nothing was sent
 *   -ETIMEDOUT  no result within the timeout
 *   -ESTALE     strata-dp restarted (new boot_epoch) or is stopping
 *   -ENOENT     the segment is gone
 *   -EINVAL     a packet longer than STRATA_PACKET_MAX
 *   -EPERM      attached read-only
 * Not thread-safe: one thread per driver.  Names of commands, events and
 * statuses, and the text forms of messages, are in dp_driver_text.h.
 */
#ifndef STRATA_DP_DRIVER_H
#define STRATA_DP_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <strata/shm.h>

#define DP_DRIVER_DEFAULT_TIMEOUT_MS 5000
/* Events read while waiting for a result are kept, up to this many. */
#define DP_DRIVER_EVENT_QUEUE_MAX 65536

enum dp_driver_flags {
	DP_DRIVER_READONLY = 1 << 0, /* map read-only, claim nothing (status) */
	DP_DRIVER_TAKEOVER = 1 << 1, /* claim the segment even from a live cp */
};

struct dp_driver_opts {
	const char *name;     /* shm name; NULL = STRATA_SHM_DEFAULT_NAME */
	unsigned flags;       /* enum dp_driver_flags */
	int wait_ms;          /* keep trying this long for the segment to
			       * appear and be complete (strata-dp starting) */
	int timeout_ms;       /* command results; 0 = the default */
	uint32_t first_seq;   /* 0 = 1 */
};

struct dp_driver;

/*
 * NULL on failure, with err saying what to do ("is strata-dp running?").
 * A full attach drains the event ring into the driver's queue, dropping
 * CMD_RESULTs (no command of this driver is outstanding yet: they answer
 * an earlier process), and claims the segment (cp_pid).
 */
struct dp_driver *dp_driver_attach(const struct dp_driver_opts *opts, char *err, size_t errlen);
/* Gives the claim back and unmaps.  NULL is a no-op. */
void dp_driver_detach(struct dp_driver *drv);

const struct strata_shm_header *dp_driver_header(const struct dp_driver *drv);
const char *dp_driver_name(const struct dp_driver *drv);
/* The boot_epoch of the segment attached to. */
uint64_t dp_driver_epoch(const struct dp_driver *drv);
/* Nanoseconds since strata-dp's last heartbeat. */
uint64_t dp_driver_heartbeat_age_ns(const struct dp_driver *drv);
/* CMD_RESULTs found at attach and dropped: they answered an earlier process. */
uint64_t dp_driver_stale_results(const struct dp_driver *drv);
/* Events lost because the queue was full. */
uint64_t dp_driver_queue_drops(const struct dp_driver *drv);

/*
 * Whether strata-dp is still the one attached to: 0 yes; -ESTALE when the
 * name now holds another object (strata-dp restarted: *new_epoch gets its
 * boot_epoch once it is complete, else 0) or the old one is STOPPING;
 * -ENOENT when the name is gone.  new_epoch may be NULL.
 */
int dp_driver_check(struct dp_driver *drv, uint64_t *new_epoch);

/* The rings, for tests that drive them directly. */
struct strata_ring *dp_driver_command_ring(struct dp_driver *drv);
struct strata_ring *dp_driver_event_ring(struct dp_driver *drv);
struct strata_ring *dp_driver_tx_ring(struct dp_driver *drv);
struct strata_ring *dp_driver_punt_ring(struct dp_driver *drv, unsigned worker);
unsigned dp_driver_workers(const struct dp_driver *drv);

/* Commands. ------------------------------------------------------------ */

/*
 * Sends cmd (its type and union filled; seq is assigned here) without
 * waiting: returns the seq (> 0), or -ENOBUFS when the ring is full.  The
 * slot is written from cmd; the caller wipes cmd if it holds keys.
 */
int64_t dp_driver_send(struct dp_driver *drv, struct strata_cmd *cmd);
/*
 * Waits for the CMD_RESULT of seq; other events seen meanwhile are queued
 * for dp_driver_next_event.  Returns the status (>= 0) or -ETIMEDOUT,
 * -ESTALE, -ENOENT.  timeout_ms < 0 means the driver's timeout.
 */
int dp_driver_wait_result(struct dp_driver *drv, uint32_t seq, int timeout_ms);
/* Both: send and wait.  The seq used is dp_driver_last_seq afterwards. */
int dp_driver_cmd(struct dp_driver *drv, struct strata_cmd *cmd);
uint32_t dp_driver_last_seq(const struct dp_driver *drv);

int dp_driver_leg_add(struct dp_driver *drv, const struct strata_cmd_leg_add *p);
int dp_driver_leg_del(struct dp_driver *drv, uint32_t leg);
int dp_driver_stream_add(struct dp_driver *drv, const struct strata_cmd_stream_add *p);
int dp_driver_stream_del(struct dp_driver *drv, uint32_t stream);
int dp_driver_sub_add(struct dp_driver *drv, const struct strata_cmd_sub_add *p);
int dp_driver_sub_del(struct dp_driver *drv, uint32_t sub);
int dp_driver_sub_set_layers(struct dp_driver *drv, uint32_t sub, uint8_t spatial,
			     uint8_t temporal);
/* DUMP and STATS answer with events: read them with dp_driver_next_event. */
int dp_driver_dump(struct dp_driver *drv);
int dp_driver_stats(struct dp_driver *drv);

/* Events, punts, tx. ----------------------------------------------------- */

/*
 * The next event, queued ones first: 1 with *ev filled, 0 when none came
 * within timeout_ms (0 = do not wait), or -ESTALE / -ENOENT.
 */
int dp_driver_next_event(struct dp_driver *drv, struct strata_event *ev, int timeout_ms);

/* The next event already queued (read while waiting for a result), without
 * looking at the ring: true with *ev filled, false when the queue is empty. */
bool dp_driver_next_queued(struct dp_driver *drv, struct strata_event *ev);

/*
 * The next punted packet from any worker (round robin): 1 with *pkt and
 * *worker filled, 0 when none came within timeout_ms, or -ESTALE / -ENOENT.
 */
int dp_driver_next_punt(struct dp_driver *drv, struct strata_packet *pkt, unsigned *worker,
			int timeout_ms);

/* Queues a UDP payload for strata-dp to send: 0, -ENOBUFS or -EINVAL. */
int dp_driver_send_packet(struct dp_driver *drv, const struct strata_addr *local,
			  const struct strata_addr *remote, const void *data, size_t len);

#endif /* STRATA_DP_DRIVER_H */
