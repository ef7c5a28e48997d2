/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The signaling server tests' fixture: the server with the echo
 * application (tests/sigclient/sig_echo_app.h) on 127.0.0.1, a free port
 * and a fresh self-signed certificate, running in its own thread; and
 * test clients on one sig_client context in the test's thread, each
 * recording what it received.
 */
#ifndef STRATA_SIG_SERVER_FIXTURE_H
#define STRATA_SIG_SERVER_FIXTURE_H

#include <limits.h>
#include <stdbool.h>

#include "sig_client.h"
#include "sig_echo_app.h"

#define TC_MAX_MSGS 64

struct fx {
	struct echo_app app;           /* read it only after fx_stop */
	struct sig_server_config cfg;
	char dir[64];
	char cert[PATH_MAX], key[PATH_MAX];
	char url[128];
	uint16_t port;
	struct sig_client_ctx *cctx;
};

/* A test client's record. */
struct tc {
	struct sig_client *c;
	bool opened, closed;
	int close_code;                /* -1: never opened */
	char close_reason[128];
	unsigned n_msgs;               /* all messages received */
	unsigned n_type[16];           /* by tc_type_index */
	char last_error_reason[32];    /* of the last "error" */
	long long last_error_id;
	char first[TC_MAX_MSGS][256];  /* the first messages, cut */
	long long last_id;             /* id of the last answer received */
};

/* Starts the server with cfg's limits (address, port, certificate and
 * handlers are the fixture's).  Exits on failure. */
void fx_start(struct fx *fx, const struct sig_server_config *limits);
/* Stops the server thread and destroys the server (the app's counters
 * are final after this), the client context and the certificate. */
void fx_stop(struct fx *fx);

/* Connects a client (subprotocol NULL: strata.v1; path NULL: the right one). */
void tc_connect(struct fx *fx, struct tc *t, const char *subprotocol, const char *path);
/* Services the clients until done(arg) or timeout_ms; returns done's last value. */
bool fx_pump(struct fx *fx, bool (*done)(void *arg), void *arg, unsigned timeout_ms);
/* The same for one client: until it is open, closed, or has n messages. */
bool tc_wait_open(struct fx *fx, struct tc *t, unsigned timeout_ms);
bool tc_wait_closed(struct fx *fx, struct tc *t, unsigned timeout_ms);
bool tc_wait_type(struct fx *fx, struct tc *t, const char *type, unsigned count,
		  unsigned timeout_ms);
int tc_send(struct tc *t, const char *json);

/* Message types the fixture counts. */
unsigned tc_count(const struct tc *t, const char *type);

long fx_now_ms(void);

#endif /* STRATA_SIG_SERVER_FIXTURE_H */
