/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A signaling client on libwebsockets: WebSocket over TLS to strata-cp,
 * trusting only the CA (or self-signed certificate) it is given, one JSON
 * text per message.  The tests and strata-sigclient use it; the client
 * library (client/) grows from it, so it keeps to connection and session
 * mechanics and knows nothing of the tests.
 *
 * One context runs any number of connections in one poll() loop
 * (sig_client_ctx_service).  Events arrive through callbacks:
 *
 *   on_open       the WebSocket handshake completed
 *   on_message    one whole message (assembled from its fragments, at
 *                 most max_message bytes; a longer one closes with 1009)
 *   on_close      exactly once per connection that sig_client_connect
 *                 returned: code is the server's close code, 1006 when the
 *                 connection ended without one, or -1 when it never opened
 *                 (reason says why: refused, TLS verification, handshake);
 *                 the connection is freed when on_close returns.
 *
 * For tests it can also misbehave on purpose: send binary or fragmented
 * messages of any size, and stop reading (a slow reader) with a small
 * receive buffer.
 */
#ifndef STRATA_SIG_CLIENT_H
#define STRATA_SIG_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct sig_client_ctx;
struct sig_client;

struct sig_client_events {
	void (*on_open)(void *user, struct sig_client *c);
	void (*on_message)(void *user, struct sig_client *c, const char *text, size_t len,
			   bool binary);
	void (*on_close)(void *user, struct sig_client *c, int code, const char *reason);
};

struct sig_client_opts {
	const char *subprotocol;   /* NULL: "strata.v1"; "": none sent */
	size_t max_message;        /* 0: 1 MiB */
};

/* ca_file: PEM certificates to trust (and nothing else); NULL trusts the
 * system's CAs.  NULL with a sentence in err on failure. */
struct sig_client_ctx *sig_client_ctx_new(const char *ca_file, char *err, size_t errlen);
/* Closes every connection (each gets its on_close) and frees the context. */
void sig_client_ctx_free(struct sig_client_ctx *ctx);
/* One turn of the loop, waiting at most timeout_ms (negative: only what is
 * ready now, never waiting).  Returns 0. */
int sig_client_ctx_service(struct sig_client_ctx *ctx, int timeout_ms);

/* url: wss://HOST:PORT/PATH (ws:// for a server without TLS).  Returns the
 * connection (opening), or NULL with a sentence in err and no callback. */
struct sig_client *sig_client_connect(struct sig_client_ctx *ctx, const char *url,
				      const struct sig_client_opts *opts,
				      const struct sig_client_events *ev, void *user, char *err,
				      size_t errlen);

/* Splits wss://HOST:PORT/PATH (ws:// too; [v6] hosts): 0, or -1 when it
 * is not such a URL.  host and path have hostlen and pathlen bytes. */
int sig_client_parse_url(const char *url, char *host, size_t hostlen, int *port, char *path,
			 size_t pathlen, bool *tls);

/* Queue a message; 0, or -1 when the connection is not open (or closing)
 * or memory ran out.  sig_client_send_fragments sends text in `frags`
 * WebSocket frames (RFC 6455 section 5.4). */
int sig_client_send(struct sig_client *c, const char *text, size_t len);
int sig_client_send_binary(struct sig_client *c, const void *data, size_t len);
int sig_client_send_fragments(struct sig_client *c, const char *text, size_t len,
			      unsigned frags);

/* Stop (or resume) reading: the server's messages pile up in its queue.
 * The first pause also shrinks the socket's receive buffer. */
void sig_client_pause_reading(struct sig_client *c, bool paused);
/* Close with a code (1000 normally) once the queue is written. */
void sig_client_close(struct sig_client *c, int code);
bool sig_client_is_open(const struct sig_client *c);
/* Bytes and messages still queued to send. */
size_t sig_client_queued(const struct sig_client *c);

#endif /* STRATA_SIG_CLIENT_H */
