/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The signaling server: WebSocket (RFC 6455) over TLS on libwebsockets,
 * one JSON request per text message, answered through an interface the
 * application (rooms, participants) implements.  Everything runs on one
 * thread, in one poll() loop that the application shares for its own
 * timers and file descriptors (the control socket, the dataplane link).
 *
 * What a connection goes through:
 *
 *   accept       on_accept(app, address) may refuse it before any TLS
 *                work (rate limits per source address); past
 *                max_connections, accepting pauses until one closes.
 *   handshake    TLS, then the HTTP upgrade on STRATA_SIG_PATH with
 *                subprotocol STRATA_SIG_SUBPROTOCOL, within
 *                handshake_timeout_s altogether; garbage instead of TLS,
 *                a silent (half-open) peer, a wrong path or subprotocol,
 *                or plain HTTP end the connection (plain HTTP gets 404).
 *   open         on_open(app, c).  Each text message is checked (rate,
 *                size, type) and parsed (sig_msg.h); a good request goes
 *                to on_request, a bad one is answered with an error event
 *                by the server itself and the connection stays.
 *   refusals     more than STRATA_SIG_MAX_MESSAGE bytes: close 1009;
 *                a binary message: error MalformedMessage, close 1003;
 *                more than msg_rate a second (beyond msg_burst): error
 *                RateLimited, close 1008; no message for idle_timeout_s:
 *                error ConnectionTimeout, close 1001; a write queue past
 *                queue_max_bytes or queue_max_msgs (a reader too slow for
 *                what it is sent): dropped at once, without a close frame
 *                that could not get through anyway.  None of these block
 *                or slow any other connection.
 *   liveness     with ping_interval_s set, a connection the server has
 *                heard nothing from (no message, no frame, no pong) for
 *                ping_interval_s gets a WebSocket ping (RFC 6455 section
 *                5.5.2), which every client stack answers by itself; one
 *                still silent pong_timeout_s later is dead (its network
 *                went away without a FIN: a cable pulled, a link down):
 *                dropped at once, close reason "dead".  So a vanished peer
 *                is noticed within ping_interval_s + pong_timeout_s of the
 *                last thing it sent, whatever the idle timeout.
 *   close        on_close(app, c, cause) exactly once for every on_open,
 *                after which c is gone.
 *
 * Sending never blocks: sig_send queues (copying the text) and the loop
 * writes when the socket can take more.  Queued messages are wiped after
 * they are written (joined carries SRTP master keys).
 *
 * Other file descriptors and timers join the same loop (the lead's control
 * socket and dataplane link):
 *
 *   sig_timer_new(srv, cb, arg)    a one-shot timer; sig_timer_arm(t, us)
 *                                  (re)arms it, cb(arg) runs in the loop;
 *                                  re-arm from cb for a periodic one
 *                                  (lws_sul underneath).
 *   sig_watch_fd(srv, fd, ops, arg) polls a duplicate of fd (dup(2): fd
 *                                  stays the caller's to close) for the
 *                                  events sig_fd_set_events asks (POLLIN
 *                                  at first); ops->readable / writable run
 *                                  level-triggered, as with poll(2).
 *                                  libwebsockets' "raw file" role
 *                                  underneath.  Suits a listening unix
 *                                  socket, its connections, an eventfd, a
 *                                  signalfd (block the signals, watch the
 *                                  signalfd: the loop's way to stop).
 *   sig_fdwatch.h                  the same for servers that announce
 *                                  their descriptors through fdwatch.h's
 *                                  struct cp_fdwatch (ctl.h, metrics.h):
 *                                  sig_fdwatch_new(srv, handle, arg), then
 *                                  ctl_set_watch(ctl, sig_fdwatch_watch(w)).
 *   The dataplane link's rings have no descriptor: poll them from a
 *   periodic timer (1 ms, re-armed from its callback), or from an eventfd
 *   strata-dp signals, watched as above.
 *
 * Threads: every call here is for the loop's thread, except
 * sig_server_stop, which any thread may call.
 */
#ifndef STRATA_CP_SIG_SERVER_H
#define STRATA_CP_SIG_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <strata/signaling.h>

#include "sig_msg.h"

struct sig_server;
struct sig_conn;

/* How a connection ended: name, wire close code (0 = none sent). */
#define SIG_FOREACH_CLOSE(_)                                                    \
	_(PEER, "peer", 0)                  /* the client closed or vanished */  \
	_(NORMAL, "normal", 1000)           /* sig_close: done (after "left") */ \
	_(GOING_AWAY, "going-away", 1001)   /* sig_close: draining, restarting */ \
	_(POLICY, "policy", 1008)           /* sig_close: kicked, banned, refused */ \
	_(IDLE, "idle", 1001)               /* no message for idle_timeout_s */  \
	_(DEAD, "dead", 0)                  /* no answer to a ping: dropped */   \
	_(TOO_BIG, "too-big", 1009)         /* a message past the limit */      \
	_(BINARY, "binary", 1003)           /* a binary message */              \
	_(RATE, "rate", 1008)               /* messages faster than allowed */  \
	_(OVERFLOW, "overflow", 0)          /* write queue full: dropped */     \
	_(INTERNAL, "internal", 1011)       /* out of memory */                 \
	_(SHUTDOWN, "shutdown", 1001)       /* sig_server_destroy */

enum sig_close_reason {
#define SIG_CLOSE_ENUM(name, str, code) SIG_CLOSE_##name,
	SIG_FOREACH_CLOSE(SIG_CLOSE_ENUM)
#undef SIG_CLOSE_ENUM
	SIG_CLOSE_COUNT
};

const char *sig_close_name(enum sig_close_reason r);
int sig_close_code(enum sig_close_reason r);

struct sig_handlers {
	/* Optional: a TCP connection from addr was accepted; nonzero closes it
	 * before TLS.  For per-address limits: cheap, no I/O. */
	int (*on_accept)(void *app, const struct sockaddr *addr, socklen_t len);
	/* Optional: the WebSocket handshake completed. */
	void (*on_open)(void *app, struct sig_conn *c);
	/* A valid request (req is only valid during the call). */
	void (*on_request)(void *app, struct sig_conn *c, const struct sig_request *req);
	/* Optional: c is going away; do not use it after this returns. */
	void (*on_close)(void *app, struct sig_conn *c, enum sig_close_reason reason);
	/* Optional: the server's own log lines (level: LOG_ERR, LOG_WARNING,
	 * LOG_INFO of syslog.h); no secrets in them.  NULL: stderr. */
	void (*log)(void *app, int level, const char *msg);
};

struct sig_server_config {
	const char *address;           /* IP literal to listen on; NULL = all */
	uint16_t port;                 /* 0 = any free one: see sig_server_port */
	const char *cert_file;         /* PEM: certificate (chain) */
	const char *key_file;          /* PEM: its private key */
	/* Limits; 0 takes the default in brackets. */
	unsigned max_connections;      /* TLS connections at once [1024] */
	unsigned handshake_timeout_s;  /* accept to WebSocket open [10] */
	unsigned idle_timeout_s;       /* without a message [90] */
	unsigned ping_interval_s;      /* heard nothing this long: a ping [0: never] */
	unsigned pong_timeout_s;       /* still nothing this much later: dead [10] */
	unsigned msg_rate;             /* messages a second, sustained [20] */
	unsigned msg_burst;            /* messages at once [40] */
	size_t queue_max_bytes;        /* queued for one connection [1 MiB] */
	unsigned queue_max_msgs;       /* queued for one connection [1024] */
	const struct sig_handlers *handlers;
	void *app;
};

/* Starts listening.  NULL with a sentence in err ("address in use"...). */
struct sig_server *sig_server_create(const struct sig_server_config *cfg, char *err,
				     size_t errlen);
/* Closes every connection (on_close with SIG_CLOSE_SHUTDOWN), every
 * watched fd (ops->closed) and frees timers' scheduling (not the timers). */
void sig_server_destroy(struct sig_server *s);

/* Runs the loop until sig_server_stop.  Returns 0. */
int sig_server_run(struct sig_server *s);
/* One turn of the loop, waiting at most timeout_ms for something to do. */
int sig_server_service(struct sig_server *s, int timeout_ms);
/* Makes sig_server_run return after the current turn; any thread. */
void sig_server_stop(struct sig_server *s);

uint16_t sig_server_port(const struct sig_server *s);
/* Monotonic microseconds, the loop's clock. */
uint64_t sig_server_now_us(const struct sig_server *s);
/* sig_close on every open connection (draining, shutdown). */
void sig_server_close_all(struct sig_server *s, enum sig_close_reason reason);

struct sig_server_stats {
	uint64_t accepted;        /* TCP connections accepted */
	uint64_t refused;         /* by on_accept */
	uint64_t opened;          /* WebSocket handshakes completed */
	uint64_t open;            /* open now */
	uint64_t msgs_in, bytes_in, msgs_out, bytes_out;
	uint64_t requests;        /* handed to on_request */
	uint64_t errors[STRATA_SIG_ERROR_COUNT];   /* error events sent, by reason */
	uint64_t closes[SIG_CLOSE_COUNT];         /* connections ended, by reason */
};
void sig_server_stats(const struct sig_server *s, struct sig_server_stats *out);

/* ---- connections ---------------------------------------------------------------- */

/* Queues one message (a JSON text of len bytes) for c.  Returns 0; -1 when
 * c is closing, the text is larger than STRATA_SIG_MAX_MESSAGE, or memory
 * ran out; -1 also when the queue overflows, and then c is dropped (its
 * on_close follows from the loop, never from inside sig_send). */
int sig_send_n(struct sig_conn *c, const char *json, size_t len);
int sig_send(struct sig_conn *c, const char *json);
/* An error event: id < 0 when it answers no request; message may be NULL. */
int sig_send_error(struct sig_conn *c, int64_t id, enum strata_sig_error reason,
		   const char *message);
/* Closes c once what is queued has been written (at most 5 s more), with
 * the reason's close code.  Messages that arrive meanwhile are dropped.
 * The first reason given wins. */
void sig_close(struct sig_conn *c, enum sig_close_reason reason);

void sig_conn_set_user(struct sig_conn *c, void *user);
void *sig_conn_user(const struct sig_conn *c);
/* The client's address (for per-address limits) and as text:
 * "192.0.2.1:50000", "[2001:db8::1]:50000". */
const struct sockaddr *sig_conn_peer(const struct sig_conn *c, socklen_t *len);
const char *sig_conn_peer_str(const struct sig_conn *c);
/* A number unique for the server's life, for logs. */
uint64_t sig_conn_serial(const struct sig_conn *c);
struct sig_server *sig_conn_server(const struct sig_conn *c);

/* ---- the shared loop: timers and file descriptors ----------------------------- */

struct sig_timer;
struct sig_timer *sig_timer_new(struct sig_server *s, void (*cb)(void *arg), void *arg);
/* Fires once, usec from now (replacing any earlier arming). */
void sig_timer_arm(struct sig_timer *t, uint64_t usec);
void sig_timer_cancel(struct sig_timer *t);
void sig_timer_free(struct sig_timer *t);   /* cancels it too */

struct sig_fd;
struct sig_fd_ops {
	/* Level-triggered, as poll(2): called each turn while the fd has
	 * input (and POLLIN is wanted), or can take output (and POLLOUT is
	 * wanted).  fd is the loop's dup. */
	void (*readable)(void *arg, struct sig_fd *f, int fd);
	void (*writable)(void *arg, struct sig_fd *f, int fd);
	/* The watch ended (sig_fd_close, a hang-up without input,
	 * sig_server_destroy); f is freed after this returns. */
	void (*closed)(void *arg, struct sig_fd *f);
};
/* Watches a dup of fd for POLLIN.  NULL on failure (errno set). */
struct sig_fd *sig_watch_fd(struct sig_server *s, int fd, const struct sig_fd_ops *ops,
			    void *arg);
/* What to wait for: POLLIN, POLLOUT, both or 0. */
void sig_fd_set_events(struct sig_fd *f, short events);
/* Ends the watch at the loop's next turn (closes the dup; closed follows). */
void sig_fd_close(struct sig_fd *f);

#endif /* STRATA_CP_SIG_SERVER_H */
