/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * struct cp_fdwatch on sig_watch_fd (sig_fdwatch.h).  One entry per
 * descriptor the server announced; an entry lives until the loop reports
 * its watch closed, so a descriptor number the server closes and reuses at
 * once gets a new entry while the old one winds down.
 */
#include <poll.h>
#include <stdlib.h>

#include "sig_fdwatch.h"

struct entry {
	struct sig_fdwatch *w;      /* NULL once sig_fdwatch_free let go */
	struct sig_fd *f;
	int fd;                     /* the server's descriptor (not the dup) */
	bool removed;               /* the server said remove */
	struct entry *next;
};

struct sig_fdwatch {
	struct sig_server *srv;
	sig_fdwatch_fn *handle;
	void *arg;
	struct cp_fdwatch watch;
	struct entry *entries;
};

static void unlink_entry(struct sig_fdwatch *w, struct entry *e)
{
	for (struct entry **p = &w->entries; *p; p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			return;
		}
}

static void fired_in(void *arg, struct sig_fd *f, int fd)
{
	struct entry *e = arg;

	(void)f;
	(void)fd;
	if (e->w && !e->removed)
		e->w->handle(e->w->arg, e->fd, POLLIN);
}

static void fired_out(void *arg, struct sig_fd *f, int fd)
{
	struct entry *e = arg;

	(void)f;
	(void)fd;
	if (e->w && !e->removed)
		e->w->handle(e->w->arg, e->fd, POLLOUT);
}

static void closed(void *arg, struct sig_fd *f)
{
	struct entry *e = arg;

	(void)f;
	if (e->w) {
		unlink_entry(e->w, e);
		/* A hang-up the server has not seen yet. */
		if (!e->removed)
			e->w->handle(e->w->arg, e->fd, POLLHUP);
	}
	free(e);
}

static const struct sig_fd_ops entry_ops = {
	.readable = fired_in,
	.writable = fired_out,
	.closed = closed,
};

static struct entry *find(struct sig_fdwatch *w, int fd)
{
	for (struct entry *e = w->entries; e; e = e->next)
		if (e->fd == fd && !e->removed)
			return e;
	return NULL;
}

static void update(void *ctx, int fd, short events)
{
	struct sig_fdwatch *w = ctx;
	struct entry *e = find(w, fd);

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return;
		e->w = w;
		e->fd = fd;
		e->f = sig_watch_fd(w->srv, fd, &entry_ops, e);
		if (!e->f) {
			free(e);
			return;
		}
		e->next = w->entries;
		w->entries = e;
	}
	sig_fd_set_events(e->f, events);
}

static void remove_fd(void *ctx, int fd)
{
	struct entry *e = find(ctx, fd);

	if (!e)
		return;
	e->removed = true;
	sig_fd_close(e->f);
}

struct sig_fdwatch *sig_fdwatch_new(struct sig_server *s, sig_fdwatch_fn *handle, void *arg)
{
	struct sig_fdwatch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->srv = s;
	w->handle = handle;
	w->arg = arg;
	w->watch.update = update;
	w->watch.remove = remove_fd;
	w->watch.ctx = w;
	return w;
}

const struct cp_fdwatch *sig_fdwatch_watch(struct sig_fdwatch *w)
{
	return &w->watch;
}

void sig_fdwatch_free(struct sig_fdwatch *w)
{
	if (!w)
		return;
	while (w->entries) {
		struct entry *e = w->entries;
		w->entries = e->next;
		e->w = NULL;
		e->removed = true;
		sig_fd_close(e->f);
	}
	free(w);
}
