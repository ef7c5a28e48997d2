/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How strata-cp's socket servers (the control socket, ctl.h; the metrics
 * responder, metrics.h) fit into somebody else's event loop.
 *
 * Each server can be driven two ways, mixed freely:
 *
 *  - Pull: every loop iteration, ask it for its descriptors
 *    (ctl_pollfds(), cp_metrics_http_pollfds()), poll() them with the
 *    loop's own, and hand each one that fired back with its revents
 *    (ctl_handle(), ...).  The *_poll_once() helpers do exactly that for
 *    tests and small tools.
 *
 *  - Push: give the server a struct cp_fdwatch and it says when a
 *    descriptor appears, when the events it waits for change, and when it
 *    is about to close one.  This suits loops that keep their own
 *    registrations (libwebsockets' adopted raw descriptors, epoll).
 *
 * Either way the server never blocks: every socket is non-blocking and a
 * slow peer only ever waits on its own buffers.
 */
#ifndef STRATA_CP_FDWATCH_H
#define STRATA_CP_FDWATCH_H

struct cp_fdwatch {
	/* fd is open and wants `events` (POLLIN, POLLOUT or both; 0 while
	 * it waits for something else, such as a deferred reply).  Called
	 * when fd appears and whenever the events change. */
	void (*update)(void *ctx, int fd, short events);
	/* fd is about to be closed: forget it (do not close it). */
	void (*remove)(void *ctx, int fd);
	void *ctx;
};

#endif /* STRATA_CP_FDWATCH_H */
