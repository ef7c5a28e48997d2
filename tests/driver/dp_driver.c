/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_driver: attaches to strata-dp's segment as strata-cp does and drives
 * it through the rings.  See dp_driver.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dp_driver.h"
#include "dpshm.h" /* controlplane/: mapping, checks, claim */

/* How often a wait looks whether strata-dp was replaced. */
#define CHECK_INTERVAL_NS (50ull * 1000000ull)

struct dp_driver {
	struct cp_dpshm shm;    /* the mapping, its rings, the claim */
	int timeout_ms;
	uint32_t next_seq;
	uint32_t last_seq;
	unsigned next_punt;

	/* Events read while waiting for something else: a FIFO. */
	struct strata_event *queue;
	size_t q_cap, q_head, q_len;
	uint64_t queue_drops;
	uint64_t stale_results;
};

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Polling with back-off: a few yields first (a result usually comes within
 * microseconds), then sleeps that grow to a millisecond.
 */
struct backoff {
	uint64_t deadline;
	uint64_t next_check;
	unsigned rounds;
};

static void backoff_start(struct backoff *b, int timeout_ms)
{
	uint64_t now = now_ns();

	b->deadline = now + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000ull;
	b->next_check = now + CHECK_INTERVAL_NS;
	b->rounds = 0;
}

/* 0 to poll again, -ETIMEDOUT, or what dp_driver_check says. */
static int backoff_wait(struct dp_driver *drv, struct backoff *b)
{
	uint64_t now = now_ns();

	if (now >= b->deadline)
		return -ETIMEDOUT;
	if (now >= b->next_check) {
		int rc = dp_driver_check(drv, NULL);

		if (rc < 0)
			return rc;
		if (drv->shm.claimed)
			atomic_store_explicit(&drv->shm.hdr->cp_heartbeat_ns, now,
					      memory_order_release);
		b->next_check = now + CHECK_INTERVAL_NS;
	}
	if (b->rounds < 64) {
		sched_yield();
	} else {
		unsigned shift = b->rounds - 64 < 7 ? b->rounds - 64 : 7;
		uint64_t ns = 8000ull << shift; /* 8 us .. 1 ms */
		struct timespec ts = { 0, (long)ns };

		if (now + ns > b->deadline)
			ts.tv_nsec = (long)(b->deadline - now);
		nanosleep(&ts, NULL);
	}
	b->rounds++;
	return 0;
}

/* ---- attaching ------------------------------------------------------------ */

static void queue_push(struct dp_driver *drv, const struct strata_event *ev)
{
	if (drv->q_len == drv->q_cap) {
		size_t cap = drv->q_cap ? drv->q_cap * 2 : 64;
		struct strata_event *q = NULL;

		if (cap <= DP_DRIVER_EVENT_QUEUE_MAX)
			q = malloc(cap * sizeof(*q));
		if (!q) {
			/* Full: the oldest goes. */
			drv->queue_drops++;
			drv->q_head = (drv->q_head + 1) % drv->q_cap;
			drv->q_len--;
		} else {
			for (size_t i = 0; i < drv->q_len; i++)
				q[i] = drv->queue[(drv->q_head + i) % drv->q_cap];
			free(drv->queue);
			drv->queue = q;
			drv->q_cap = cap;
			drv->q_head = 0;
		}
	}
	drv->queue[(drv->q_head + drv->q_len) % drv->q_cap] = *ev;
	drv->q_len++;
}

/* Removes the i-th queued event (0 = oldest) into *ev. */
static void queue_take(struct dp_driver *drv, size_t i, struct strata_event *ev)
{
	*ev = drv->queue[(drv->q_head + i) % drv->q_cap];
	for (; i + 1 < drv->q_len; i++)
		drv->queue[(drv->q_head + i) % drv->q_cap] =
			drv->queue[(drv->q_head + i + 1) % drv->q_cap];
	drv->q_len--;
	if (!drv->q_len)
		drv->q_head = 0;
}

/* Copies the oldest event out of the ring: true, or false when empty. */
static bool ring_event(struct dp_driver *drv, struct strata_event *ev)
{
	const void *slot = strata_ring_peek(drv->shm.event);

	if (!slot)
		return false;
	memcpy(ev, slot, sizeof(*ev));
	strata_ring_release(drv->shm.event);
	return true;
}

struct dp_driver *dp_driver_attach(const struct dp_driver_opts *opts, char *err, size_t errlen)
{
	struct dp_driver *drv = calloc(1, sizeof(*drv));
	const char *name = opts->name ? opts->name : STRATA_SHM_DEFAULT_NAME;
	uint64_t wait_ns = (uint64_t)(opts->wait_ms > 0 ? opts->wait_ms : 0) * 1000000ull;
	uint64_t deadline = now_ns() + wait_ns;
	struct strata_event ev;
	int rc;

	if (!drv) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	if (cp_dpshm_set_name(&drv->shm, name, err, errlen) < 0) {
		free(drv);
		return NULL;
	}
	drv->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DP_DRIVER_DEFAULT_TIMEOUT_MS;
	drv->next_seq = opts->first_seq ? opts->first_seq : 1;

	while ((rc = cp_dpshm_map(&drv->shm, opts->flags & DP_DRIVER_READONLY, err, errlen)) ==
		       -EAGAIN &&
	       now_ns() < deadline) {
		struct timespec ts = { 0, 10 * 1000000 };

		nanosleep(&ts, NULL);
	}
	if (rc < 0) {
		free(drv);
		return NULL;
	}
	if (!drv->shm.readonly) {
		if (cp_dpshm_claim(&drv->shm, opts->flags & DP_DRIVER_TAKEOVER, err, errlen) < 0) {
			dp_driver_detach(drv);
			return NULL;
		}
		/* No command of ours is outstanding: results here answer an
		 * earlier process and must not be taken for ours. */
		while (ring_event(drv, &ev)) {
			if (ev.type == STRATA_EVENT_CMD_RESULT)
				drv->stale_results++;
			else
				queue_push(drv, &ev);
		}
	}
	return drv;
}

void dp_driver_detach(struct dp_driver *drv)
{
	if (!drv)
		return;
	cp_dpshm_unmap(&drv->shm);
	free(drv->queue);
	free(drv);
}

const struct strata_shm_header *dp_driver_header(const struct dp_driver *drv)
{
	return drv->shm.hdr;
}

const char *dp_driver_name(const struct dp_driver *drv)
{
	return drv->shm.name;
}

uint64_t dp_driver_epoch(const struct dp_driver *drv)
{
	return drv->shm.epoch;
}

uint64_t dp_driver_heartbeat_age_ns(const struct dp_driver *drv)
{
	uint64_t hb = atomic_load_explicit(&drv->shm.hdr->dp_heartbeat_ns, memory_order_acquire);
	uint64_t now = now_ns();

	return now > hb ? now - hb : 0;
}

uint64_t dp_driver_stale_results(const struct dp_driver *drv)
{
	return drv->stale_results;
}

uint64_t dp_driver_queue_drops(const struct dp_driver *drv)
{
	return drv->queue_drops;
}

int dp_driver_check(struct dp_driver *drv, uint64_t *new_epoch)
{
	return cp_dpshm_check(&drv->shm, new_epoch);
}

struct strata_ring *dp_driver_command_ring(struct dp_driver *drv)
{
	return drv->shm.command;
}

struct strata_ring *dp_driver_event_ring(struct dp_driver *drv)
{
	return drv->shm.event;
}

struct strata_ring *dp_driver_tx_ring(struct dp_driver *drv)
{
	return drv->shm.tx;
}

struct strata_ring *dp_driver_punt_ring(struct dp_driver *drv, unsigned worker)
{
	return worker < drv->shm.n_workers ? drv->shm.punt[worker] : NULL;
}

unsigned dp_driver_workers(const struct dp_driver *drv)
{
	return drv->shm.n_workers;
}

/* ---- commands ------------------------------------------------------------- */

int64_t dp_driver_send(struct dp_driver *drv, struct strata_cmd *cmd)
{
	void *slot;

	if (drv->shm.readonly)
		return -EPERM;
	slot = strata_ring_reserve(drv->shm.command);
	if (!slot)
		return -ENOBUFS;
	cmd->seq = drv->next_seq++;
	if (!drv->next_seq)
		drv->next_seq = 1; /* 0 is never a seq */
	memcpy(slot, cmd, sizeof(*cmd));
	strata_ring_commit(drv->shm.command);
	drv->last_seq = cmd->seq;
	if (drv->shm.claimed)
		atomic_store_explicit(&drv->shm.hdr->cp_heartbeat_ns, now_ns(), memory_order_release);
	return cmd->seq;
}

int dp_driver_wait_result(struct dp_driver *drv, uint32_t seq, int timeout_ms)
{
	struct strata_event ev;
	struct backoff b;
	int rc;

	if (drv->shm.readonly)
		return -EPERM;
	for (size_t i = 0; i < drv->q_len; i++) {
		const struct strata_event *q = &drv->queue[(drv->q_head + i) % drv->q_cap];

		if (q->type == STRATA_EVENT_CMD_RESULT && q->u.cmd_result.seq == seq) {
			queue_take(drv, i, &ev);
			return ev.u.cmd_result.status;
		}
	}
	backoff_start(&b, timeout_ms < 0 ? drv->timeout_ms : timeout_ms);
	for (;;) {
		while (ring_event(drv, &ev)) {
			if (ev.type == STRATA_EVENT_CMD_RESULT && ev.u.cmd_result.seq == seq)
				return ev.u.cmd_result.status;
			queue_push(drv, &ev);
		}
		rc = backoff_wait(drv, &b);
		if (rc < 0)
			return rc;
	}
}

int dp_driver_cmd(struct dp_driver *drv, struct strata_cmd *cmd)
{
	int64_t seq = dp_driver_send(drv, cmd);

	if (seq < 0)
		return (int)seq;
	return dp_driver_wait_result(drv, (uint32_t)seq, -1);
}

uint32_t dp_driver_last_seq(const struct dp_driver *drv)
{
	return drv->last_seq;
}

static int simple_cmd(struct dp_driver *drv, enum strata_cmd_type type, uint32_t id)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = type;
	/* Every *_del command starts with its id. */
	memcpy(cmd.u.raw, &id, sizeof(id));
	return dp_driver_cmd(drv, &cmd);
}

int dp_driver_leg_add(struct dp_driver *drv, const struct strata_cmd_leg_add *p)
{
	struct strata_cmd cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_LEG_ADD;
	cmd.u.leg_add = *p;
	rc = dp_driver_cmd(drv, &cmd);
	explicit_bzero(&cmd, sizeof(cmd));
	return rc;
}

int dp_driver_leg_del(struct dp_driver *drv, uint32_t leg)
{
	return simple_cmd(drv, STRATA_CMD_LEG_DEL, leg);
}

int dp_driver_stream_add(struct dp_driver *drv, const struct strata_cmd_stream_add *p)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_STREAM_ADD;
	cmd.u.stream_add = *p;
	return dp_driver_cmd(drv, &cmd);
}

int dp_driver_stream_del(struct dp_driver *drv, uint32_t stream)
{
	return simple_cmd(drv, STRATA_CMD_STREAM_DEL, stream);
}

int dp_driver_sub_add(struct dp_driver *drv, const struct strata_cmd_sub_add *p)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_SUB_ADD;
	cmd.u.sub_add = *p;
	return dp_driver_cmd(drv, &cmd);
}

int dp_driver_sub_del(struct dp_driver *drv, uint32_t sub)
{
	return simple_cmd(drv, STRATA_CMD_SUB_DEL, sub);
}

int dp_driver_sub_set_layers(struct dp_driver *drv, uint32_t sub, uint8_t spatial,
			     uint8_t temporal)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_SUB_SET_LAYERS;
	cmd.u.sub_set_layers.sub = sub;
	cmd.u.sub_set_layers.spatial = spatial;
	cmd.u.sub_set_layers.temporal = temporal;
	return dp_driver_cmd(drv, &cmd);
}

int dp_driver_dump(struct dp_driver *drv)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_DUMP;
	return dp_driver_cmd(drv, &cmd);
}

int dp_driver_stats(struct dp_driver *drv)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_STATS;
	return dp_driver_cmd(drv, &cmd);
}

/* ---- events, punts, tx ---------------------------------------------------- */

int dp_driver_next_event(struct dp_driver *drv, struct strata_event *ev, int timeout_ms)
{
	struct backoff b;
	int rc;

	if (drv->q_len) {
		queue_take(drv, 0, ev);
		return 1;
	}
	if (drv->shm.readonly)
		return -EPERM;
	backoff_start(&b, timeout_ms);
	for (;;) {
		if (ring_event(drv, ev))
			return 1;
		rc = backoff_wait(drv, &b);
		if (rc == -ETIMEDOUT)
			return 0;
		if (rc < 0)
			return rc;
	}
}

bool dp_driver_next_queued(struct dp_driver *drv, struct strata_event *ev)
{
	if (!drv->q_len)
		return false;
	queue_take(drv, 0, ev);
	return true;
}

int dp_driver_next_punt(struct dp_driver *drv, struct strata_packet *pkt, unsigned *worker,
			int timeout_ms)
{
	struct backoff b;
	int rc;

	if (drv->shm.readonly)
		return -EPERM;
	backoff_start(&b, timeout_ms);
	for (;;) {
		for (unsigned i = 0; i < drv->shm.n_workers; i++) {
			unsigned w = (drv->next_punt + i) % drv->shm.n_workers;
			const void *slot = strata_ring_peek(drv->shm.punt[w]);

			if (slot) {
				memcpy(pkt, slot, sizeof(*pkt));
				strata_ring_release(drv->shm.punt[w]);
				drv->next_punt = (w + 1) % drv->shm.n_workers;
				if (worker)
					*worker = w;
				return 1;
			}
		}
		rc = backoff_wait(drv, &b);
		if (rc == -ETIMEDOUT)
			return 0;
		if (rc < 0)
			return rc;
	}
}

int dp_driver_send_packet(struct dp_driver *drv, const struct strata_addr *local,
			  const struct strata_addr *remote, const void *data, size_t len)
{
	struct strata_packet *pkt;

	if (drv->shm.readonly)
		return -EPERM;
	if (len > STRATA_PACKET_MAX)
		return -EINVAL;
	pkt = strata_ring_reserve(drv->shm.tx);
	if (!pkt)
		return -ENOBUFS;
	memset(pkt, 0, offsetof(struct strata_packet, data));
	pkt->local = *local;
	pkt->remote = *remote;
	pkt->len = (uint16_t)len;
	memcpy(pkt->data, data, len);
	strata_ring_commit(drv->shm.tx);
	return 0;
}
