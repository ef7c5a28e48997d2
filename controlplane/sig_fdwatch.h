/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fdwatch.h's struct cp_fdwatch on the signaling server's loop: the
 * control socket (ctl.h) and the metrics responder (metrics.h) announce
 * their descriptors through it, and this polls them in the same loop as
 * the WebSocket connections and hands back what fired:
 *
 *   static void ctl_fired(void *arg, int fd, short revents)
 *   {
 *           ctl_handle(arg, fd, revents);
 *   }
 *   ...
 *   struct sig_fdwatch *w = sig_fdwatch_new(srv, ctl_fired, ctl);
 *   ctl_set_watch(ctl, sig_fdwatch_watch(w));
 *
 * handle gets POLLIN or POLLOUT as the descriptor is ready for what the
 * server asked, and POLLHUP when the loop saw a hang-up without input (the
 * server then closes the descriptor, calling remove as usual).
 */
#ifndef STRATA_CP_SIG_FDWATCH_H
#define STRATA_CP_SIG_FDWATCH_H

#include "fdwatch.h"
#include "sig_server.h"

struct sig_fdwatch;

typedef void sig_fdwatch_fn(void *arg, int fd, short revents);

struct sig_fdwatch *sig_fdwatch_new(struct sig_server *s, sig_fdwatch_fn *handle, void *arg);
/* The struct to give the server (valid until sig_fdwatch_free). */
const struct cp_fdwatch *sig_fdwatch_watch(struct sig_fdwatch *w);
/* Stops watching every descriptor (they stay open: they are the
 * server's); call it before the server that owns them is freed. */
void sig_fdwatch_free(struct sig_fdwatch *w);

#endif /* STRATA_CP_SIG_FDWATCH_H */
