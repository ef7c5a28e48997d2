/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's control socket: a table of registered commands, each with
 * its usage line, served on a Unix socket to stratactl and the tests (the
 * protocol is in ctl_proto.h).
 *
 *   static void cmd_room_show(const struct ctl_request *req, struct ctl_reply *reply,
 *                             void *arg)
 *   {
 *           struct room *r = room_find(arg, req->argv[0], req->argv[1]);
 *
 *           if (!r) {
 *                   ctl_reply_error(reply, "no room %s in application %s",
 *                                   req->argv[1], req->argv[0]);
 *                   return;
 *           }
 *           json_t *o = json_pack("{s:s, s:s, s:i}", "app", ..., "participants", n);
 *           if (ctl_reply_wants_json(reply))
 *                   ctl_reply_json(reply, o);
 *           else { ctl_reply_printf(reply, "room %s/%s: %d participants\n", ...); json_decref(o); }
 *   }
 *   ...
 *   ctl_register(ctl, "room show", "room show APP RESOURCE", 2, 2, cmd_room_show, rooms);
 *
 * A handler that gives only JSON gets a text reply for free (the JSON,
 * indented); one that gives only text answers --json with {"text": ...}.
 * "help [COMMAND]" is built in.
 *
 * Security: the socket is 0600 in a directory that must be 0700 and owned
 * by strata-cp's uid; every peer's uid (SO_PEERCRED) must be strata-cp's
 * own or root, or it gets an ERR line and is closed.  Every request is
 * written to the audit log (log.h) with its peer, and the arguments its
 * command declares secret (ctl_set_secret) redacted.
 *
 * Connections: any number of requests each, one at a time; non-blocking,
 * with per-connection buffers, so a slow or half-open client only ever
 * stalls itself.  A line longer than CTL_MAX_LINE gets "line too long"
 * and the connection closes; a connection with nothing to do for
 * idle_timeout_ms is closed (one waiting for a deferred reply never is).
 *
 * The event loop's side is described in fdwatch.h.  Single-threaded: call
 * everything from the loop's thread.
 */
#ifndef STRATA_CP_CTL_H
#define STRATA_CP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <poll.h>

#include "ctl_proto.h"
#include "fdwatch.h"

struct ctl;
struct ctl_reply;
struct cp_metrics;

/* What a handler is asked.  Valid until its reply is finished. */
struct ctl_request {
	const char *command;        /* the registered name: "room show" */
	int argc;                   /* the arguments after the command */
	const char *const *argv;    /* argv[argc] is NULL */
	bool json;                  /* the client asked for --json */
	uid_t uid;                  /* the peer (SO_PEERCRED); for ctl_execute, */
	gid_t gid;                  /* what its caller said */
	pid_t pid;
};

typedef void ctl_handler_fn(const struct ctl_request *req, struct ctl_reply *reply, void *arg);

/* max_args for a command that takes any number. */
#define CTL_ARGS_ANY -1

struct ctl_options {
	int idle_timeout_ms;   /* 0: 60000 */
	int max_connections;   /* 0: 64; more are answered ERR and closed */
};

/* A table with "help" registered.  opt NULL: the defaults.  NULL when out
 * of memory. */
struct ctl *ctl_new(const struct ctl_options *opt);
/* Closes every connection and the socket (removing its file).  Replies
 * still deferred become orphans: finishing them later audits and frees
 * them. */
void ctl_free(struct ctl *ctl);

/*
 * Registers a command.  name: one or two words of [a-z0-9_-] ("status",
 * "room show"); usage: the line "help" prints ("room show APP RESOURCE");
 * the handler runs with min_args..max_args arguments (CTL_ARGS_ANY: no
 * upper bound), others get an error and the usage.  Returns 0, -EINVAL
 * (bad name or bounds), -EEXIST, or -ENOMEM.
 */
int ctl_register(struct ctl *ctl, const char *name, const char *usage, int min_args,
		 int max_args, ctl_handler_fn *handler, void *arg);
/* Arguments of a registered command that the audit log must not show:
 * "2" (its second argument), "--key" (the word after --key, and VALUE in
 * --key=VALUE), several separated by spaces.  Returns 0, -ENOENT or
 * -EINVAL. */
int ctl_set_secret(struct ctl *ctl, const char *name, const char *spec);

/* "log level [MODULE] [LEVEL]" (show or set levels, log.h) and "log
 * reopen" (reopen the log and audit files after a rotation). */
int ctl_register_log_commands(struct ctl *ctl);

/* Counts requests and connections into reg: strata_ctl_requests_total
 * {result}, strata_ctl_refused_total{reason}, strata_ctl_connections. */
int ctl_set_metrics(struct ctl *ctl, struct cp_metrics *reg);

/*
 * Starts listening on path (NULL: ctl_default_socket_path()).  The
 * directory is created 0700 when missing (with its missing parents); an
 * existing one must belong to this uid and be closed to group and others.
 * A stale socket file (nobody listening) is replaced; a live one is an
 * error.  The socket is made 0600.  Returns 0, or -1 with err set to a
 * sentence that says what to do.
 */
int ctl_listen(struct ctl *ctl, const char *path, char *err, size_t errlen);
/* The socket's path, or NULL before ctl_listen. */
const char *ctl_path(const struct ctl *ctl);

/* ---- The event loop (fdwatch.h) ------------------------------------------ */

/* Writes up to cap descriptors with the events to poll for; returns how
 * many there are (more than cap: call again with a larger array). */
size_t ctl_pollfds(struct ctl *ctl, struct pollfd *pfd, size_t cap);
/* One of them fired with revents. */
void ctl_handle(struct ctl *ctl, int fd, short revents);
/* Milliseconds until ctl_run_timers has something to do; -1: nothing. */
int ctl_timeout_ms(struct ctl *ctl);
/* Closes connections idle past their deadline. */
void ctl_run_timers(struct ctl *ctl);
/* Push mode: w's callbacks hear of every descriptor (those that exist are
 * announced at once).  NULL: back to pull mode only. */
void ctl_set_watch(struct ctl *ctl, const struct cp_fdwatch *w);
/* A whole iteration for tests and small tools: poll() (at most timeout_ms;
 * -1 forever, shortened by the idle timers), handle, run the timers.
 * Returns 0, or -errno from poll. */
int ctl_poll_once(struct ctl *ctl, int timeout_ms);

/* ---- Replies (for handlers) -------------------------------------------- */

/* Text: appended to the body. */
void ctl_reply_printf(struct ctl_reply *reply, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ctl_reply_append(struct ctl_reply *reply, const char *text, size_t len);
/* JSON: the body's value (replacing any earlier one; the reply takes the
 * reference, even on failure). */
void ctl_reply_json(struct ctl_reply *reply, json_t *value);
/* Makes the reply an error with this message (the first error wins; the
 * text and JSON given are dropped). */
void ctl_reply_error(struct ctl_reply *reply, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool ctl_reply_wants_json(const struct ctl_reply *reply);
/* The request the reply answers. */
const struct ctl_request *ctl_reply_request(const struct ctl_reply *reply);

/* A handler that cannot answer before it returns (it waits for strata-dp)
 * defers: the connection reads no further request until the reply is
 * finished with ctl_reply_finish (from any later point of the loop;
 * exactly once).  The request stays valid until then. */
void ctl_reply_defer(struct ctl_reply *reply);
void ctl_reply_finish(struct ctl_reply *reply);

/* ---- Without a socket ------------------------------------------------------ */

/* The peer ctl_execute pretends sent the line. */
struct ctl_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

/*
 * Runs one request line (without its "\n") as if peer had sent it on the
 * socket, and appends the framed reply (ctl_proto.h) to out.  Returns 0;
 * 1 when the handler deferred (the reply, once finished, is audited and
 * dropped).  For tests, fuzzing, and scripted commands at start-up.
 */
int ctl_execute(struct ctl *ctl, const char *line, size_t len, const struct ctl_peer *peer,
		struct ctl_buf *out);

/* Counters since ctl_new. */
struct ctl_stats {
	uint64_t accepted, refused_uid, refused_limit, requests_ok, requests_error,
		too_long, timed_out;
	unsigned connections;  /* now */
};
void ctl_get_stats(const struct ctl *ctl, struct ctl_stats *st);

#endif /* STRATA_CP_CTL_H */
