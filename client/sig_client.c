/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The signaling client's connection mechanics on libwebsockets
 * (sig_client.h).  Each connection is a struct sig_client given to lws as
 * the connection's user data; messages to send wait in a queue written
 * when lws says the socket can take more, one per writable turn.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libwebsockets.h>
#include <openssl/ssl.h>

#include "sig_client.h"

#define DEFAULT_SUBPROTOCOL "strata.v1"
#define DEFAULT_MAX_MESSAGE (1u << 20)
#define PAUSED_RCVBUF 4096

struct out_msg {
	struct out_msg *next;
	int flags;                  /* lws_write_protocol */
	size_t len;
	unsigned char buf[];        /* LWS_PRE, then the payload */
};

struct sig_client {
	struct sig_client_ctx *ctx;
	struct lws *wsi;
	const struct sig_client_events *ev;
	void *user;
	size_t max_message;
	char *rx;
	size_t rx_len, rx_cap;
	bool rx_binary;
	bool rx_too_big;
	struct out_msg *q_head, *q_tail;
	size_t q_bytes;
	bool in_connect;            /* inside sig_client_connect: no callbacks */
	bool connect_failed;
	char connect_err[160];
	bool open;
	bool closing;
	int close_code;             /* what we close with */
	int peer_code;              /* what the server closed with, 0 = none */
	char peer_reason[124];
	bool shrunk;
};

struct sig_client_ctx {
	struct lws_context *lws;
	SSL_CTX *tls;               /* ours: lws 4.1.6 leaks the one it makes */
	lws_sorted_usec_list_t wake;
};

static void queue_free(struct sig_client *c)
{
	while (c->q_head) {
		struct out_msg *m = c->q_head;
		c->q_head = m->next;
		free(m);
	}
	c->q_tail = NULL;
	c->q_bytes = 0;
}

static void finish(struct sig_client *c, int code, const char *reason)
{
	queue_free(c);
	free(c->rx);
	c->rx = NULL;
	if (c->in_connect) {
		/* sig_client_connect reports it and frees c. */
		c->connect_failed = true;
		snprintf(c->connect_err, sizeof(c->connect_err), "%s", reason ? reason : "");
		return;
	}
	if (c->ev->on_close)
		c->ev->on_close(c->user, c, code, reason ? reason : "");
	free(c);
}

static int enqueue(struct sig_client *c, const void *data, size_t len, int flags)
{
	struct out_msg *m;

	if (!c || !c->open || c->closing)
		return -1;
	m = malloc(sizeof(*m) + LWS_PRE + len);
	if (!m)
		return -1;
	m->next = NULL;
	m->flags = flags;
	m->len = len;
	memcpy(m->buf + LWS_PRE, data, len);
	if (c->q_tail)
		c->q_tail->next = m;
	else
		c->q_head = m;
	c->q_tail = m;
	c->q_bytes += len;
	lws_callback_on_writable(c->wsi);
	return 0;
}

int sig_client_send(struct sig_client *c, const char *text, size_t len)
{
	return enqueue(c, text, len, LWS_WRITE_TEXT);
}

int sig_client_send_binary(struct sig_client *c, const void *data, size_t len)
{
	return enqueue(c, data, len, LWS_WRITE_BINARY);
}

int sig_client_send_fragments(struct sig_client *c, const char *text, size_t len,
			      unsigned frags)
{
	size_t per, off = 0;

	if (frags < 2)
		return sig_client_send(c, text, len);
	per = (len + frags - 1) / frags;
	for (unsigned i = 0; i < frags; i++) {
		size_t n = off + per > len ? len - off : per;
		int flags = (i == 0 ? LWS_WRITE_TEXT : LWS_WRITE_CONTINUATION) |
			    (i + 1 < frags ? LWS_WRITE_NO_FIN : 0);
		if (enqueue(c, text + off, n, flags) < 0)
			return -1;
		off += n;
	}
	return 0;
}

void sig_client_pause_reading(struct sig_client *c, bool paused)
{
	if (!c->open)
		return;
	if (paused && !c->shrunk) {
		int size = PAUSED_RCVBUF;
		setsockopt(lws_get_socket_fd(c->wsi), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		c->shrunk = true;
	}
	lws_rx_flow_control(c->wsi, !paused);
}

void sig_client_close(struct sig_client *c, int code)
{
	if (!c->open || c->closing)
		return;
	c->closing = true;
	c->close_code = code;
	lws_callback_on_writable(c->wsi);
}

bool sig_client_is_open(const struct sig_client *c)
{
	return c->open && !c->closing;
}

size_t sig_client_queued(const struct sig_client *c)
{
	return c->q_bytes;
}

/* ---- libwebsockets callbacks ----------------------------------------------------- */

static int receive(struct sig_client *c, const void *in, size_t len)
{
	struct lws *wsi = c->wsi;
	size_t need;

	if (lws_is_first_fragment(wsi)) {
		c->rx_len = 0;
		c->rx_binary = lws_frame_is_binary(wsi);
	}
	need = c->rx_len + len;
	if (need > c->max_message) {
		static const char why[] = "message too big";
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)why,
				 sizeof(why) - 1);
		return -1;
	}
	if (need + 1 > c->rx_cap) {
		char *grown = realloc(c->rx, need + 1);
		if (!grown)
			return -1;
		c->rx = grown;
		c->rx_cap = need + 1;
	}
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len = need;
	if (!lws_is_final_fragment(wsi))
		return 0;
	c->rx[c->rx_len] = '\0';
	if (c->ev->on_message)
		c->ev->on_message(c->user, c, c->rx, c->rx_len, c->rx_binary);
	c->rx_len = 0;
	return 0;
}

static int writeable(struct sig_client *c)
{
	struct out_msg *m = c->q_head;

	if (m) {
		c->q_head = m->next;
		if (!c->q_head)
			c->q_tail = NULL;
		c->q_bytes -= m->len;
		int w = lws_write(c->wsi, m->buf + LWS_PRE, m->len, (enum lws_write_protocol)m->flags);
		free(m);
		if (w < 0)
			return -1;
	}
	if (c->q_head) {
		lws_callback_on_writable(c->wsi);
	} else if (c->closing) {
		lws_close_reason(c->wsi, (enum lws_close_status)c->close_code, NULL, 0);
		return -1;
	}
	return 0;
}

static int client_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			   void *in, size_t len)
{
	struct sig_client *c = user;
	char why[160];

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (!c)
			return 0;
		snprintf(why, sizeof(why), "%.*s", in ? (int)len : 0, in ? (const char *)in : "");
		if (!why[0])
			snprintf(why, sizeof(why), "connection failed");
		/* lws passes a NUL-terminated string with len 0 at times. */
		if (in && !len)
			snprintf(why, sizeof(why), "%s", (const char *)in);
		c->wsi = NULL;
		finish(c, -1, why);
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->wsi = wsi;
		c->open = true;
		if (c->ev->on_open)
			c->ev->on_open(c->user, c);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return receive(c, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return writeable(c);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (c && len >= 2) {
			const unsigned char *p = in;
			c->peer_code = p[0] << 8 | p[1];
			snprintf(c->peer_reason, sizeof(c->peer_reason), "%.*s",
				 (int)(len - 2 > 120 ? 120 : len - 2), (const char *)p + 2);
		} else if (c) {
			c->peer_code = 1005; /* RFC 6455 7.1.5: no status code */
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (!c)
			return 0;
		c->open = false;
		c->wsi = NULL;
		/* Our own close: the code we sent, once the server answered. */
		finish(c, c->peer_code ? c->peer_code : c->closing ? c->close_code : 1006,
		       c->peer_reason);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols client_protocols[] = {
	{ "sig-client", client_callback, 0, 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void lws_quiet(int level, const char *line)
{
	(void)level;
	(void)line;
}

struct sig_client_ctx *sig_client_ctx_new(const char *ca_file, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	struct sig_client_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* The client reports failures through on_close; lws' own lines would
	 * only repeat them. */
	lws_set_log_level(LLL_ERR, lws_quiet);
	/* The TLS client context: TLS 1.2 or later, trusting ca_file alone
	 * (lws checks the server's name or address per connection). */
	ctx->tls = SSL_CTX_new(TLS_client_method());
	if (!ctx->tls || !SSL_CTX_set_min_proto_version(ctx->tls, TLS1_2_VERSION) ||
	    (ca_file ? !SSL_CTX_load_verify_locations(ctx->tls, ca_file, NULL)
		     : !SSL_CTX_set_default_verify_paths(ctx->tls))) {
		snprintf(err, errlen, "cannot load the CA certificates %s",
			 ca_file ? ca_file : "of the system");
		SSL_CTX_free(ctx->tls);
		free(ctx);
		return NULL;
	}
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_VALIDATE_UTF8 |
		       LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = client_protocols;
	info.provided_client_ssl_ctx = ctx->tls;
	info.timeout_secs = 10;
	info.connect_timeout_secs = 10;
	ctx->lws = lws_create_context(&info);
	if (!ctx->lws) {
		snprintf(err, errlen, "cannot create the client context");
		SSL_CTX_free(ctx->tls);
		free(ctx);
		return NULL;
	}
	return ctx;
}

void sig_client_ctx_free(struct sig_client_ctx *ctx)
{
	if (!ctx)
		return;
	lws_sul_cancel(&ctx->wake);
	lws_context_destroy(ctx->lws);
	SSL_CTX_free(ctx->tls);
	free(ctx);
}

static void wake(lws_sorted_usec_list_t *sul)
{
	(void)sul;
}

int sig_client_ctx_service(struct sig_client_ctx *ctx, int timeout_ms)
{
	if (timeout_ms < 0) {
		/* lws polls with a zero timeout for a negative one. */
		lws_service(ctx->lws, -1);
		return 0;
	}
	lws_sul_schedule(ctx->lws, 0, &ctx->wake, wake,
			 (lws_usec_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000);
	lws_service(ctx->lws, 0);
	return 0;
}

int sig_client_parse_url(const char *url, char *host, size_t hostlen, int *port, char *path,
			 size_t pathlen, bool *tls)
{
	char buf[512];
	const char *scheme, *h, *p;

	if (snprintf(buf, sizeof(buf), "%s", url) >= (int)sizeof(buf) ||
	    lws_parse_uri(buf, &scheme, &h, port, &p) || (strcmp(scheme, "wss") && strcmp(scheme, "ws")))
		return -1;
	*tls = strcmp(scheme, "wss") == 0;
	snprintf(host, hostlen, "%s", h);
	/* lws_parse_uri drops the path's leading slash. */
	snprintf(path, pathlen, "/%s", p);
	return 0;
}

struct sig_client *sig_client_connect(struct sig_client_ctx *ctx, const char *url,
				      const struct sig_client_opts *opts,
				      const struct sig_client_events *ev, void *user, char *err,
				      size_t errlen)
{
	struct lws_client_connect_info i;
	char host[256], path[512];
	int port;
	bool tls;
	struct sig_client *c;
	const char *sub = opts && opts->subprotocol ? opts->subprotocol : DEFAULT_SUBPROTOCOL;

	if (sig_client_parse_url(url, host, sizeof(host), &port, path, sizeof(path), &tls) < 0) {
		snprintf(err, errlen, "not a ws:// or wss:// URL: %s", url);
		return NULL;
	}

	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->ctx = ctx;
	c->ev = ev;
	c->user = user;
	c->max_message = opts && opts->max_message ? opts->max_message : DEFAULT_MAX_MESSAGE;

	memset(&i, 0, sizeof(i));
	i.context = ctx->lws;
	i.address = host;
	i.port = port;
	i.path = path;
	i.host = host;
	i.origin = host;
	i.protocol = sub[0] ? sub : NULL;
	i.local_protocol_name = "sig-client";
	i.ssl_connection = tls ? LCCSCF_USE_SSL : 0;
	i.alpn = "http/1.1";
	i.userdata = c;
	i.pwsi = &c->wsi;

	c->in_connect = true;
	if (!lws_client_connect_via_info(&i) || c->connect_failed) {
		snprintf(err, errlen, "cannot connect to %s%s%s", url, c->connect_err[0] ? ": " : "",
			 c->connect_err);
		/* With connect_failed, lws is done with c; otherwise it never
		 * took it. */
		free(c);
		return NULL;
	}
	c->in_connect = false;
	return c;
}
