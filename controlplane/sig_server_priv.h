/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What sig_server.c (the context, the loop, timers and fds) and sig_conn.c
 * (one WebSocket connection) share.
 */
#ifndef STRATA_CP_SIG_SERVER_PRIV_H
#define STRATA_CP_SIG_SERVER_PRIV_H

#include <arpa/inet.h>
#include <stdatomic.h>

#include <libwebsockets.h>

#include "sig_server.h"

/* How long a closing connection may take to flush what is queued, and
 * how many queued messages one writable turn writes before yielding. */
#define SIG_CLOSE_FLUSH_US (5 * LWS_US_PER_SEC)
#define SIG_WRITES_PER_TURN 16
/* A receive buffer above this is freed after its message. */
#define SIG_RX_KEEP 16384

struct sig_qmsg {
	struct sig_qmsg *next;
	size_t len;
	unsigned char buf[];        /* LWS_PRE bytes of room, then the text */
};

/* libwebsockets' per-session data of the signaling protocol: allocated
 * zeroed at the upgrade, freed after LWS_CALLBACK_CLOSED. */
struct sig_conn {
	struct sig_server *srv;
	struct lws *wsi;
	struct sig_conn *prev, *next;     /* the server's open connections */
	uint64_t serial;
	void *user;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	char peer_str[INET6_ADDRSTRLEN + 8];

	/* receiving */
	char *rx;                         /* the message being assembled */
	size_t rx_len, rx_cap;
	bool rx_binary;
	double tokens;                    /* rate limit: a token bucket */
	uint64_t tokens_us;
	uint64_t last_rx_us;              /* for the idle timeout */
	lws_sorted_usec_list_t idle_sul;
	/* liveness: anything at all from the peer (a fragment, a pong) */
	uint64_t last_heard_us;
	lws_sorted_usec_list_t live_sul;
	bool ping_due;                    /* write a ping at the next turn */
	bool ping_out;                    /* sent, nothing heard since */

	/* sending */
	struct sig_qmsg *q_head, *q_tail;
	size_t q_bytes;
	unsigned q_msgs;
	lws_sorted_usec_list_t flush_sul; /* deadline of a closing flush */

	bool opened;                      /* on_open was called, on_close owed */
	bool closing;                     /* sig_close: flush, then close */
	bool close_sent;                  /* the close frame is on its way */
	bool dropped;                     /* being killed: nothing more to do */
	bool has_reason;
	enum sig_close_reason reason;
};

struct sig_timer {
	struct sig_server *srv;           /* NULL once the server is gone */
	struct sig_timer *prev, *next;    /* every timer of the server */
	struct sig_timer *aprev, *anext;  /* the armed ones, soonest first */
	uint64_t deadline_us;
	bool armed;
	void (*cb)(void *arg);
	void *arg;
};

struct sig_fd {
	struct sig_server *srv;
	struct lws *wsi;
	int fd;                           /* the dup the loop polls */
	const struct sig_fd_ops *ops;
	void *arg;
	struct sig_fd *prev, *next;
	short events;                     /* POLLIN, POLLOUT wanted */
	lws_sorted_usec_list_t rearm;     /* asks for the next writable call */
	bool closing;
};

struct sig_server {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct sig_server_config cfg;     /* defaults filled in */
	const struct sig_handlers *h;
	void *app;
	struct sig_conn *conns;
	struct sig_timer *timers;
	struct sig_timer *armed;          /* soonest first */
	int timer_fd;                     /* timerfd set to the soonest */
	struct sig_fd *timer_watch;
	struct sig_timer *wake;           /* bounds sig_server_service's wait */
	struct sig_fd *fds;
	uint64_t next_serial;
	struct sig_server_stats stats;
	struct sig_request req;           /* scratch: one request at a time */
	atomic_bool stop;
	bool destroying;
	SSL_CTX *client_ctx;              /* an empty one, so lws makes none */
	char tls_err[256];
};

void sig_log(struct sig_server *s, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The application's timers (sig_timer.c): set up after the context,
 * let go of before it is destroyed. */
int sig_timers_init(struct sig_server *s);
void sig_timers_fini(struct sig_server *s);

/* The signaling protocol's libwebsockets callback (sig_conn.c). */
int sig_conn_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		      size_t len);

#endif /* STRATA_CP_SIG_SERVER_PRIV_H */
