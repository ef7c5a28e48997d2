/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane link: asynchronous commands over dpshm's rings.  See
 * cp_dplink.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_dplink.h"

#define RETRY_MS 500        /* attach attempts while detached */
#define CHECK_MS 100        /* is strata-dp still the one attached to? */
#define HEARTBEAT_MS 100
#define PENDING 65536       /* results awaited: a table indexed by seq */
#define EVENTS_PER_POLL 4096 /* so one poll cannot starve the loop */

struct pending {
	uint32_t seq;       /* 0: free */
	cp_dplink_result_fn *cb;
	void *arg;
	struct strata_cmd cmd; /* keys wiped: the callback sees ids, not keys */
};

struct backlog_item {
	struct strata_cmd cmd;
	cp_dplink_result_fn *cb;
	void *arg;
};

struct cp_dplink {
	struct cp_dpshm shm;
	struct cp_dplink_ops ops;
	bool up;
	bool ever_attached;
	uint64_t next_attach_ns, next_check_ns, next_heartbeat_ns;
	uint32_t next_seq;
	unsigned n_pending;
	struct pending *pending;
	struct backlog_item *backlog;   /* a FIFO ring */
	size_t bl_cap, bl_head, bl_len;
	unsigned next_punt;
	char error[512];
	struct cp_dplink_stats st;
};

struct cp_dplink *cp_dplink_new(const char *shm_name, const struct cp_dplink_ops *ops,
				char *err, size_t errlen)
{
	struct cp_dplink *l = calloc(1, sizeof(*l));

	if (!l || !(l->pending = calloc(PENDING, sizeof(*l->pending)))) {
		snprintf(err, errlen, "out of memory");
		free(l);
		return NULL;
	}
	if (cp_dpshm_set_name(&l->shm, shm_name, err, errlen) < 0) {
		free(l->pending);
		free(l);
		return NULL;
	}
	l->ops = *ops;
	l->next_seq = 1;
	snprintf(l->error, sizeof(l->error), "not attached yet");
	return l;
}

static void wipe_cmd(struct strata_cmd *cmd)
{
	explicit_bzero(cmd, sizeof(*cmd));
}

/* strata-dp is gone or replaced: nothing outstanding will be answered. */
static void fail_all(struct cp_dplink *l)
{
	for (uint32_t i = 0; i < PENDING && l->n_pending; i++) {
		struct pending *p = &l->pending[i];

		if (!p->seq)
			continue;
		p->seq = 0;
		l->n_pending--;
		l->st.stale++;
		if (p->cb)
			p->cb(p->arg, &p->cmd, -ESTALE);
	}
	while (l->bl_len) {
		struct backlog_item it = l->backlog[l->bl_head];

		wipe_cmd(&l->backlog[l->bl_head].cmd);
		l->bl_head = (l->bl_head + 1) % l->bl_cap;
		l->bl_len--;
		l->st.stale++;
		if (it.cb)
			it.cb(it.arg, &it.cmd, -ESTALE);
		wipe_cmd(&it.cmd);
	}
}

static void detach(struct cp_dplink *l, const char *why)
{
	bool was_up = l->up;

	l->up = false;
	cp_dpshm_unmap(&l->shm);
	snprintf(l->error, sizeof(l->error), "%s", why);
	fail_all(l);
	if (was_up) {
		l->st.detaches++;
		if (l->ops.detached)
			l->ops.detached(l->ops.arg, why);
	}
}

void cp_dplink_free(struct cp_dplink *l)
{
	if (!l)
		return;
	l->ops.detached = NULL;
	detach(l, "shutting down");
	free(l->pending);
	free(l->backlog);
	free(l);
}

static void try_attach(struct cp_dplink *l, uint64_t now, bool replay)
{
	char err[512];

	if (cp_dpshm_map(&l->shm, false, err, sizeof(err)) < 0 ||
	    cp_dpshm_claim(&l->shm, true, err, sizeof(err)) < 0) {
		cp_dpshm_unmap(&l->shm);
		snprintf(l->error, sizeof(l->error), "%s", err);
		l->next_attach_ns = now + RETRY_MS * 1000000ull;
		return;
	}
	/* Results already in the ring answer an earlier control plane. */
	while (strata_ring_peek(l->shm.event))
		strata_ring_release(l->shm.event);
	l->up = true;
	l->error[0] = 0;
	l->st.attaches++;
	l->next_check_ns = now + CHECK_MS * 1000000ull;
	if (l->ops.attached)
		l->ops.attached(l->ops.arg, replay || l->ever_attached);
	l->ever_attached = true;
}

bool cp_dplink_up(const struct cp_dplink *l)
{
	return l->up;
}

const char *cp_dplink_error(const struct cp_dplink *l)
{
	return l->up ? "" : l->error;
}

const struct strata_shm_header *cp_dplink_header(const struct cp_dplink *l)
{
	return l->up ? l->shm.hdr : NULL;
}

unsigned cp_dplink_outstanding(const struct cp_dplink *l)
{
	return l->n_pending + (unsigned)l->bl_len;
}

void cp_dplink_get_stats(const struct cp_dplink *l, struct cp_dplink_stats *st)
{
	*st = l->st;
}

/* Writes one command into the ring: true, or false when it cannot go now
 * (ring full, or its seq's slot in the table still busy). */
static bool push(struct cp_dplink *l, struct strata_cmd *cmd, cp_dplink_result_fn *cb,
		 void *arg)
{
	struct pending *p = &l->pending[l->next_seq % PENDING];
	void *slot;

	if (p->seq)
		return false;
	slot = strata_ring_reserve(l->shm.command);
	if (!slot)
		return false;
	cmd->seq = l->next_seq++;
	if (!l->next_seq)
		l->next_seq = 1; /* 0 is never a seq */
	memcpy(slot, cmd, sizeof(*cmd));
	strata_ring_commit(l->shm.command);
	p->seq = cmd->seq;
	p->cb = cb;
	p->arg = arg;
	p->cmd = *cmd;
	if (cmd->type == STRATA_CMD_LEG_ADD) {
		explicit_bzero(&p->cmd.u.leg_add.rx, sizeof(p->cmd.u.leg_add.rx));
		explicit_bzero(&p->cmd.u.leg_add.tx, sizeof(p->cmd.u.leg_add.tx));
	}
	l->n_pending++;
	l->st.commands++;
	return true;
}

static void push_backlog(struct cp_dplink *l)
{
	while (l->up && l->bl_len) {
		struct backlog_item *it = &l->backlog[l->bl_head];

		if (!push(l, &it->cmd, it->cb, it->arg))
			return;
		wipe_cmd(&it->cmd);
		l->bl_head = (l->bl_head + 1) % l->bl_cap;
		l->bl_len--;
	}
}

int cp_dplink_send(struct cp_dplink *l, const struct strata_cmd *cmd, cp_dplink_result_fn *cb,
		   void *arg)
{
	struct strata_cmd c = *cmd;

	if (!l->up)
		return -ENOTCONN;
	/* In order: nothing overtakes the backlog. */
	if (!l->bl_len && push(l, &c, cb, arg)) {
		wipe_cmd(&c);
		return 0;
	}
	if (l->bl_len == l->bl_cap) {
		size_t cap = l->bl_cap ? l->bl_cap * 2 : 256;
		struct backlog_item *b = calloc(cap, sizeof(*b));

		if (!b) {
			wipe_cmd(&c);
			return -ENOMEM;
		}
		for (size_t i = 0; i < l->bl_len; i++) {
			b[i] = l->backlog[(l->bl_head + i) % l->bl_cap];
			wipe_cmd(&l->backlog[(l->bl_head + i) % l->bl_cap].cmd);
		}
		free(l->backlog);
		l->backlog = b;
		l->bl_cap = cap;
		l->bl_head = 0;
	}
	l->backlog[(l->bl_head + l->bl_len) % l->bl_cap] =
		(struct backlog_item){ .cmd = c, .cb = cb, .arg = arg };
	l->bl_len++;
	if (l->bl_len > l->st.backlog_max)
		l->st.backlog_max = l->bl_len;
	wipe_cmd(&c);
	return 0;
}

static void on_result(struct cp_dplink *l, const struct strata_event_cmd_result *r)
{
	struct pending *p = &l->pending[r->seq % PENDING];
	struct pending done;

	if (!r->seq || p->seq != r->seq)
		return; /* not ours (an earlier process's) */
	done = *p;
	p->seq = 0;
	l->n_pending--;
	if (r->status == STRATA_CMD_OK)
		l->st.results_ok++;
	else
		l->st.results_failed++;
	if (done.cb)
		done.cb(done.arg, &done.cmd, r->status);
}

static void drain(struct cp_dplink *l)
{
	struct strata_event ev;
	unsigned n = 0;

	while (l->up && n++ < EVENTS_PER_POLL) {
		const void *slot = strata_ring_peek(l->shm.event);

		if (!slot)
			break;
		memcpy(&ev, slot, sizeof(ev));
		strata_ring_release(l->shm.event);
		if (ev.type == STRATA_EVENT_CMD_RESULT) {
			on_result(l, &ev.u.cmd_result);
		} else {
			l->st.events++;
			if (l->ops.event)
				l->ops.event(l->ops.arg, &ev);
		}
		push_backlog(l);
	}
	for (unsigned w = 0; l->up && w < l->shm.n_workers; w++) {
		unsigned k = (l->next_punt + w) % l->shm.n_workers;
		const void *slot;

		for (n = 0; l->up && n < 256 && (slot = strata_ring_peek(l->shm.punt[k])); n++) {
			struct strata_packet pkt;

			memcpy(&pkt, slot, sizeof(pkt));
			strata_ring_release(l->shm.punt[k]);
			l->st.punts++;
			if (l->ops.punt)
				l->ops.punt(l->ops.arg, &pkt, k);
		}
	}
	if (l->shm.n_workers)
		l->next_punt = (l->next_punt + 1) % l->shm.n_workers;
}

void cp_dplink_poll(struct cp_dplink *l)
{
	uint64_t now = cp_dpshm_now_ns();

	if (!l->up) {
		if (now >= l->next_attach_ns)
			try_attach(l, now, false);
		if (!l->up)
			return;
	}
	if (now >= l->next_check_ns) {
		uint64_t epoch;
		int rc = cp_dpshm_check(&l->shm, &epoch);

		l->next_check_ns = now + CHECK_MS * 1000000ull;
		if (rc == -ENOENT) {
			detach(l, "strata-dp's segment is gone: is strata-dp running?");
			return;
		}
		if (rc == -ESTALE) {
			/* Drain what the old strata-dp still answered, then move. */
			drain(l);
			l->st.epoch_changes++;
			detach(l, "strata-dp restarted (new boot epoch)");
			try_attach(l, now, true);
			if (!l->up)
				return;
		}
	}
	if (now >= l->next_heartbeat_ns) {
		cp_dpshm_heartbeat(&l->shm, now);
		l->next_heartbeat_ns = now + HEARTBEAT_MS * 1000000ull;
	}
	push_backlog(l);
	drain(l);
}

int cp_dplink_send_packet(struct cp_dplink *l, const struct strata_addr *local,
			  const struct strata_addr *remote, const void *data, size_t len)
{
	struct strata_packet *pkt;

	if (!l->up)
		return -ENOTCONN;
	if (len > STRATA_PACKET_MAX)
		return -EINVAL;
	pkt = strata_ring_reserve(l->shm.tx);
	if (!pkt) {
		l->st.tx_dropped++;
		return -ENOBUFS;
	}
	memset(pkt, 0, offsetof(struct strata_packet, data));
	pkt->local = *local;
	pkt->remote = *remote;
	pkt->len = (uint16_t)len;
	memcpy(pkt->data, data, len);
	strata_ring_commit(l->shm.tx);
	l->st.tx_packets++;
	return 0;
}
