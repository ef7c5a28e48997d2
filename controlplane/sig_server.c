/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The signaling server's libwebsockets context: one vhost listening with
 * TLS, three protocols, and the loop the application shares.
 *
 *   protocols[0] "strata-http"  what lws gives every connection before the
 *                               upgrade: the accept filter, the TLS policy
 *                               hook, the handshake deadline, and a 404 for
 *                               plain HTTP.  An upgrade without a
 *                               subprotocol lands here and is refused.
 *   protocols[1] "strata.v1"    the signaling connections (sig_conn.c).
 *   protocols[2] "strata-fd"    the application's file descriptors
 *                               (libwebsockets' raw-file role).
 * A client that names "strata-http" or "strata-fd" as its subprotocol is
 * refused by the same filters.
 *
 * No permessage-deflate (no extensions are offered): compressing secrets
 * next to attacker-chosen text leaks them (CRIME), and a small compressed
 * message could inflate past any limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "sig_server_priv.h"
#include "sig_tls.h"

#define SIG_PROTO_HTTP "strata-http"
#define SIG_PROTO_FD "strata-fd"

void sig_log(struct sig_server *s, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s && s->h && s->h->log)
		s->h->log(s->app, level, msg);
	else
		fprintf(stderr, "strata-cp: signaling: %s\n", msg);
}

/* libwebsockets' own lines (errors only: its warnings fire for every
 * refused client, which a flood would turn into a log flood). */
static void lws_emit(int level, const char *line)
{
	(void)level;
	fprintf(stderr, "strata-cp: libwebsockets: %s", line);
}

/* Every connection gets handshake_timeout_s from its accept to the
 * WebSocket open, whatever libwebsockets' per-phase timeouts (TLS accept,
 * headers) would add up to: a client that dribbles its handshake a byte
 * at a time still goes. */
static void arm_handshake_deadline(struct sig_server *s, struct lws *wsi)
{
	lws_set_timer_usecs(wsi, (lws_usec_t)s->cfg.handshake_timeout_s * LWS_US_PER_SEC);
}

static int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
			 size_t len)
{
	struct sig_server *s = lws_context_user(lws_get_context(wsi));

	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: {
		const struct lws_filter_network_conn_args *f = user;
		s->stats.accepted++;
		if (f && s->h->on_accept &&
		    s->h->on_accept(s->app, (const struct sockaddr *)&f->cli_addr, f->clilen)) {
			s->stats.refused++;
			return -1;
		}
		return 0;
	}
	case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
		arm_handshake_deadline(s, wsi);
		return 0;
	case LWS_CALLBACK_TIMER:
		return -1;
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
		/* The vhost's SSL_CTX, certificate loaded: now the policy. */
		return sig_tls_apply_policy(user, s->tls_err, sizeof(s->tls_err)) < 0 ? 1 : 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return -1;
	case LWS_CALLBACK_HTTP:
		lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
		return -1;
	default:
		return 0;
	}
}

/* After a writable call the raw-file role clears POLLOUT, so a request
 * made inside the call is lost: it is made on the next turn instead. */
static void fd_rearm(lws_sorted_usec_list_t *sul)
{
	struct sig_fd *f = lws_container_of(sul, struct sig_fd, rearm);

	if (!f->closing && (f->events & POLLOUT))
		lws_callback_on_writable(f->wsi);
}

static int fd_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		       size_t len)
{
	struct sig_fd *f = lws_get_opaque_user_data(wsi);

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (f && !f->closing && (f->events & POLLIN) && f->ops->readable)
			f->ops->readable(f->arg, f, f->fd);
		return 0;
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (f && !f->closing && (f->events & POLLOUT) && f->ops->writable)
			f->ops->writable(f->arg, f, f->fd);
		/* lws gives one writable call per request; poll's level
		 * semantics mean asking again while POLLOUT is wanted. */
		if (f && !f->closing && (f->events & POLLOUT))
			lws_sul_schedule(f->srv->ctx, 0, &f->rearm, fd_rearm, 1);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (!f)
			return 0;
		lws_set_opaque_user_data(wsi, NULL);
		lws_sul_cancel(&f->rearm);
		if (f->prev)
			f->prev->next = f->next;
		else
			f->srv->fds = f->next;
		if (f->next)
			f->next->prev = f->prev;
		if (f->ops->closed)
			f->ops->closed(f->arg, f);
		free(f);
		return 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return -1;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{ SIG_PROTO_HTTP, http_callback, 0, 0, 0, NULL, 0 },
	/* rx_buffer_size: how much of a frame lws hands over at once; the
	 * message is assembled in sig_conn.c up to STRATA_SIG_MAX_MESSAGE. */
	{ STRATA_SIG_SUBPROTOCOL, sig_conn_callback, sizeof(struct sig_conn), 4096, 0, NULL, 0 },
	{ SIG_PROTO_FD, fd_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void fill_defaults(struct sig_server_config *c)
{
	if (!c->max_connections)
		c->max_connections = 1024;
	if (!c->handshake_timeout_s)
		c->handshake_timeout_s = 10;
	if (!c->idle_timeout_s)
		c->idle_timeout_s = 90;
	if (c->ping_interval_s && !c->pong_timeout_s)
		c->pong_timeout_s = 10;
	if (!c->msg_rate)
		c->msg_rate = 20;
	if (!c->msg_burst)
		c->msg_burst = 40;
	if (!c->queue_max_bytes)
		c->queue_max_bytes = 1u << 20;
	if (!c->queue_max_msgs)
		c->queue_max_msgs = 1024;
}

/* Binds a throwaway socket to the address first, so that the usual
 * mistakes (a port in use, an address not on this machine) get their own
 * sentence instead of libwebsockets' generic failure. */
static int check_address(const struct sig_server_config *cfg, char *err, size_t errlen)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(cfg->port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(cfg->port) };
	const char *addr = cfg->address ? cfg->address : "::";
	bool v6 = strchr(addr, ':') != NULL;
	int one = 1, fd, rc;

	if (v6 ? inet_pton(AF_INET6, addr, &a6.sin6_addr) != 1
	       : inet_pton(AF_INET, addr, &a4.sin_addr) != 1) {
		snprintf(err, errlen, "signaling: %s is not an IPv4 or IPv6 address", addr);
		return -1;
	}
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0; /* let libwebsockets report it */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rc = v6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6))
		: bind(fd, (struct sockaddr *)&a4, sizeof(a4));
	if (rc < 0)
		snprintf(err, errlen, "signaling: cannot listen on %s port %u: %s%s", addr, cfg->port,
			 strerror(errno),
			 errno == EADDRINUSE ? " (another strata-cp running?)" : "");
	close(fd);
	return rc < 0 ? -1 : 0;
}

struct sig_server *sig_server_create(const struct sig_server_config *cfg, char *err,
				     size_t errlen)
{
	struct lws_context_creation_info info;
	struct sig_server *s;

	if (!cfg->handlers || !cfg->handlers->on_request || !cfg->cert_file || !cfg->key_file) {
		snprintf(err, errlen, "signaling: a certificate, a key and on_request are needed");
		return NULL;
	}
	if (access(cfg->cert_file, R_OK) < 0 || access(cfg->key_file, R_OK) < 0) {
		snprintf(err, errlen, "signaling: cannot read %s: %s",
			 access(cfg->cert_file, R_OK) < 0 ? cfg->cert_file : cfg->key_file,
			 strerror(errno));
		return NULL;
	}
	if (check_address(cfg, err, errlen) < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "signaling: out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	fill_defaults(&s->cfg);
	s->h = cfg->handlers;
	s->app = cfg->app;
	atomic_init(&s->stop, false);

	/* STRATA_LWS_LOG: libwebsockets' log bitmask (LLL_*), for debugging. */
	lws_set_log_level(getenv("STRATA_LWS_LOG") ? atoi(getenv("STRATA_LWS_LOG")) : LLL_ERR,
			  lws_emit);

	/* libwebsockets gives every vhost a client TLS context, loaded with
	 * the system's CAs, that this server never uses (and that 4.1.6 does
	 * not free): an empty one of ours takes its place. */
	s->client_ctx = SSL_CTX_new(TLS_client_method());
	if (!s->client_ctx) {
		snprintf(err, errlen, "signaling: out of memory");
		free(s);
		return NULL;
	}

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_VALIDATE_UTF8 |
		       LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
	info.provided_client_ssl_ctx = s->client_ctx;
	/* An IPv4 address needs an IPv4 socket; none or an IPv6 one a
	 * dual-stack IPv6 socket. */
	if (cfg->address && !strchr(cfg->address, ':'))
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	info.iface = cfg->address;
	info.port = cfg->port;
	info.protocols = protocols;
	info.user = s;
	info.vhost_name = "strata-signaling";
	info.server_string = "strata-cp";
	info.alpn = "http/1.1";              /* WebSocket over HTTP/1.1 only */
	info.ssl_cert_filepath = cfg->cert_file;
	info.ssl_private_key_filepath = cfg->key_file;
	info.ssl_cipher_list = SIG_TLS12_CIPHERS;
	info.tls1_3_plus_cipher_list = SIG_TLS13_CIPHERSUITES;
	info.simultaneous_ssl_restriction = (int)s->cfg.max_connections;
	info.timeout_secs = s->cfg.handshake_timeout_s;
	info.timeout_secs_ah_idle = s->cfg.handshake_timeout_s;
	info.keepalive_timeout = (int)s->cfg.handshake_timeout_s;
	/* TCP keepalive finds peers that vanished without a FIN. */
	info.ka_time = 60;
	info.ka_probes = 3;
	info.ka_interval = 10;

	s->ctx = lws_create_context(&info);
	if (!s->ctx) {
		snprintf(err, errlen,
			 "signaling: cannot listen on %s port %u%s%s (address in use, or a bad "
			 "certificate or key: see the libwebsockets line above)",
			 cfg->address ? cfg->address : "*", cfg->port, s->tls_err[0] ? ": " : "",
			 s->tls_err);
		SSL_CTX_free(s->client_ctx);
		free(s);
		return NULL;
	}
	s->vh = lws_get_vhost_by_name(s->ctx, "strata-signaling");
	if (!s->vh || lws_get_vhost_listen_port(s->vh) <= 0) {
		snprintf(err, errlen, "signaling: cannot listen on %s port %u",
			 cfg->address ? cfg->address : "*", cfg->port);
		goto fail;
	}
	if (sig_timers_init(s) < 0) {
		snprintf(err, errlen, "signaling: cannot make a timerfd: %s", strerror(errno));
		goto fail;
	}
	return s;
fail:
	lws_context_destroy(s->ctx);
	SSL_CTX_free(s->client_ctx);
	free(s);
	return NULL;
}

void sig_server_destroy(struct sig_server *s)
{
	if (!s)
		return;
	s->destroying = true;
	sig_timers_fini(s);
	/* lws reports every connection closed (on_close, SHUTDOWN) and every
	 * watched fd (closed) as it destroys the context. */
	lws_context_destroy(s->ctx);
	SSL_CTX_free(s->client_ctx);
	free(s);
}

int sig_server_service(struct sig_server *s, int timeout_ms)
{
	/* A timer bounds the wait: lws_service waits for its own events. */
	if (timeout_ms >= 0)
		sig_timer_arm(s->wake, (uint64_t)timeout_ms * 1000);
	return lws_service(s->ctx, 0) < 0 ? -1 : 0;
}

int sig_server_run(struct sig_server *s)
{
	while (!atomic_load(&s->stop))
		if (lws_service(s->ctx, 0) < 0)
			break;
	atomic_store(&s->stop, false);
	return 0;
}

void sig_server_stop(struct sig_server *s)
{
	atomic_store(&s->stop, true);
	lws_cancel_service(s->ctx);
}

uint16_t sig_server_port(const struct sig_server *s)
{
	return (uint16_t)lws_get_vhost_listen_port(s->vh);
}


void sig_server_close_all(struct sig_server *s, enum sig_close_reason reason)
{
	for (struct sig_conn *c = s->conns; c; c = c->next)
		sig_close(c, reason);
}

void sig_server_stats(const struct sig_server *s, struct sig_server_stats *out)
{
	*out = s->stats;
}

/* ---- file descriptors ----------------------------------------------------------- */

struct sig_fd *sig_watch_fd(struct sig_server *s, int fd, const struct sig_fd_ops *ops,
			    void *arg)
{
	struct sig_fd *f = calloc(1, sizeof(*f));
	lws_adopt_desc_t desc;
	int dup_fd;

	if (!f)
		return NULL;
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0) {
		free(f);
		return NULL;
	}
	f->srv = s;
	f->fd = dup_fd;
	f->ops = ops;
	f->arg = arg;
	f->events = POLLIN;
	f->next = s->fds;
	if (s->fds)
		s->fds->prev = f;
	s->fds = f;
	memset(&desc, 0, sizeof(desc));
	desc.vh = s->vh;
	desc.type = LWS_ADOPT_RAW_FILE_DESC;
	desc.fd.filefd = dup_fd;
	desc.vh_prot_name = SIG_PROTO_FD;
	desc.opaque = f;
	/* On failure lws closes the descriptor itself. */
	f->wsi = lws_adopt_descriptor_vhost_via_info(&desc);
	if (!f->wsi) {
		s->fds = f->next;
		if (f->next)
			f->next->prev = NULL;
		free(f);
		errno = EINVAL;
		return NULL;
	}
	return f;
}

void sig_fd_set_events(struct sig_fd *f, short events)
{
	short was = f->events;

	if (f->closing)
		return;
	f->events = events & (POLLIN | POLLOUT);
	if ((was ^ f->events) & POLLIN)
		lws_rx_flow_control(f->wsi, !!(f->events & POLLIN));
	if ((f->events & POLLOUT) && !(was & POLLOUT))
		lws_callback_on_writable(f->wsi);
}

void sig_fd_close(struct sig_fd *f)
{
	if (f->closing)
		return;
	f->closing = true;
	lws_set_timeout(f->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}
