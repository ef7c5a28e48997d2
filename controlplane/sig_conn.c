/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One signaling connection: the upgrade check, message assembly with its
 * size limit, the rate limit, the idle timeout, the bounded write queue,
 * and the ways it closes (sig_server.h has the list).
 *
 * RFC 6455 section 7.4.1 gives the close codes: 1009 "a message that is
 * too big for it to process", 1003 "a type of data it cannot accept (e.g.,
 * an endpoint that understands only text data MAY send this if it
 * receives a binary message)", 1008 "a message that violates its policy",
 * 1001 "going away".
 *
 * Liveness, RFC 6455 section 5.5.2: "Upon receipt of a Ping frame, an
 * endpoint MUST send a Pong frame in response, unless it already received
 * a Close frame."  So a ping finds out whether a silent peer is still
 * there without anything of the application's: browsers and libwebsockets
 * answer it by themselves.  Section 5.5.3: "A Pong frame MAY be sent
 * unsolicited"; any frame at all counts as hearing from the peer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <syslog.h>

#include "sig_server_priv.h"

static const char *const close_names[SIG_CLOSE_COUNT] = {
#define SIG_CLOSE_NAME(name, str, code) [SIG_CLOSE_##name] = str,
	SIG_FOREACH_CLOSE(SIG_CLOSE_NAME)
#undef SIG_CLOSE_NAME
};

static const int close_codes[SIG_CLOSE_COUNT] = {
#define SIG_CLOSE_CODE(name, str, code) [SIG_CLOSE_##name] = code,
	SIG_FOREACH_CLOSE(SIG_CLOSE_CODE)
#undef SIG_CLOSE_CODE
};

const char *sig_close_name(enum sig_close_reason r)
{
	return (unsigned)r < SIG_CLOSE_COUNT ? close_names[r] : NULL;
}

int sig_close_code(enum sig_close_reason r)
{
	return (unsigned)r < SIG_CLOSE_COUNT ? close_codes[r] : 0;
}

static void set_reason(struct sig_conn *c, enum sig_close_reason r)
{
	if (!c->has_reason) {
		c->has_reason = true;
		c->reason = r;
	}
}

static void queue_free(struct sig_conn *c)
{
	while (c->q_head) {
		struct sig_qmsg *m = c->q_head;
		c->q_head = m->next;
		explicit_bzero(m->buf, LWS_PRE + m->len);
		free(m);
	}
	c->q_tail = NULL;
	c->q_bytes = 0;
	c->q_msgs = 0;
}

/* Ends the connection at the loop's next turn, without a close frame: for
 * a peer that does not read, a frame would only wait in the queue. */
static void drop(struct sig_conn *c, enum sig_close_reason r)
{
	if (c->dropped)
		return;
	set_reason(c, r);
	c->dropped = true;
	queue_free(c);
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void flush_deadline(lws_sorted_usec_list_t *sul)
{
	struct sig_conn *c = lws_container_of(sul, struct sig_conn, flush_sul);

	sig_log(c->srv, LOG_INFO, "connection %llu (%s): close did not flush in time",
		(unsigned long long)c->serial, c->peer_str);
	drop(c, c->reason);
}

void sig_close(struct sig_conn *c, enum sig_close_reason reason)
{
	if (!c || !c->opened || c->closing || c->dropped)
		return;
	c->closing = true;
	set_reason(c, reason);
	lws_sul_schedule(c->srv->ctx, 0, &c->flush_sul, flush_deadline, SIG_CLOSE_FLUSH_US);
	lws_callback_on_writable(c->wsi);
}

int sig_send_n(struct sig_conn *c, const char *json, size_t len)
{
	struct sig_server *s = c->srv;
	struct sig_qmsg *m;

	if (!c->opened || c->closing || c->dropped)
		return -1;
	if (len > STRATA_SIG_MAX_MESSAGE) {
		sig_log(s, LOG_ERR, "connection %llu: a %zu-byte message is past the %d-byte limit;"
			" not sent", (unsigned long long)c->serial, len, STRATA_SIG_MAX_MESSAGE);
		return -1;
	}
	if (c->q_bytes + len > s->cfg.queue_max_bytes || c->q_msgs + 1 > s->cfg.queue_max_msgs) {
		sig_log(s, LOG_WARNING, "connection %llu (%s): write queue full (%u messages, "
			"%zu bytes): dropped, the client reads too slowly",
			(unsigned long long)c->serial, c->peer_str, c->q_msgs, c->q_bytes);
		drop(c, SIG_CLOSE_OVERFLOW);
		return -1;
	}
	m = malloc(sizeof(*m) + LWS_PRE + len);
	if (!m) {
		drop(c, SIG_CLOSE_INTERNAL);
		return -1;
	}
	m->next = NULL;
	m->len = len;
	memcpy(m->buf + LWS_PRE, json, len);
	if (c->q_tail)
		c->q_tail->next = m;
	else
		c->q_head = m;
	c->q_tail = m;
	c->q_bytes += len;
	c->q_msgs++;
	lws_callback_on_writable(c->wsi);
	return 0;
}

int sig_send(struct sig_conn *c, const char *json)
{
	return json ? sig_send_n(c, json, strlen(json)) : -1;
}

int sig_send_error(struct sig_conn *c, int64_t id, enum strata_sig_error reason,
		   const char *message)
{
	char *json = sig_build_error(id, reason, message);
	int rc = json ? sig_send(c, json) : -1;

	if (rc == 0)
		c->srv->stats.errors[reason]++;
	sig_json_free(json);
	return rc;
}

void sig_conn_set_user(struct sig_conn *c, void *user)
{
	c->user = user;
}

void *sig_conn_user(const struct sig_conn *c)
{
	return c->user;
}

const struct sockaddr *sig_conn_peer(const struct sig_conn *c, socklen_t *len)
{
	if (len)
		*len = c->peer_len;
	return (const struct sockaddr *)&c->peer;
}

const char *sig_conn_peer_str(const struct sig_conn *c)
{
	return c->peer_str;
}

uint64_t sig_conn_serial(const struct sig_conn *c)
{
	return c->serial;
}

struct sig_server *sig_conn_server(const struct sig_conn *c)
{
	return c->srv;
}

/* ---- opening -------------------------------------------------------------------- */

/* The peer's address, an IPv4-mapped IPv6 one (from a dual-stack
 * listener) as plain IPv4, so per-address limits see one address. */
static void peer_address(struct sig_conn *c)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&c->peer;
	char ip[INET6_ADDRSTRLEN] = "?";

	c->peer_len = sizeof(c->peer);
	if (getpeername(lws_get_socket_fd(c->wsi), (struct sockaddr *)&c->peer, &c->peer_len) < 0) {
		memset(&c->peer, 0, sizeof(c->peer));
		c->peer_len = 0;
		snprintf(c->peer_str, sizeof(c->peer_str), "?");
		return;
	}
	if (c->peer.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
		struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = a6->sin6_port };
		memcpy(&a4.sin_addr, &a6->sin6_addr.s6_addr[12], 4);
		memset(&c->peer, 0, sizeof(c->peer));
		memcpy(&c->peer, &a4, sizeof(a4));
		c->peer_len = sizeof(a4);
	}
	if (c->peer.ss_family == AF_INET) {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&c->peer;
		inet_ntop(AF_INET, &a4->sin_addr, ip, sizeof(ip));
		snprintf(c->peer_str, sizeof(c->peer_str), "%s:%u", ip, ntohs(a4->sin_port));
	} else {
		inet_ntop(AF_INET6, &a6->sin6_addr, ip, sizeof(ip));
		snprintf(c->peer_str, sizeof(c->peer_str), "[%s]:%u", ip, ntohs(a6->sin6_port));
	}
}

static void idle_check(lws_sorted_usec_list_t *sul)
{
	struct sig_conn *c = lws_container_of(sul, struct sig_conn, idle_sul);
	uint64_t idle = (uint64_t)c->srv->cfg.idle_timeout_s * LWS_US_PER_SEC;
	uint64_t now = (uint64_t)lws_now_usecs();
	char msg[64];

	if (c->closing || c->dropped)
		return;
	/* Messages move last_rx_us forward without touching the timer;
	 * it only re-arms for what is left. */
	if (now < c->last_rx_us + idle) {
		lws_sul_schedule(c->srv->ctx, 0, &c->idle_sul, idle_check,
				 (lws_usec_t)(c->last_rx_us + idle - now));
		return;
	}
	snprintf(msg, sizeof(msg), "no message for %u seconds", c->srv->cfg.idle_timeout_s);
	sig_send_error(c, -1, STRATA_SIG_ERR_CONNECTION_TIMEOUT, msg);
	sig_close(c, SIG_CLOSE_IDLE);
}

/* Anything from the peer: it is there. */
static void heard(struct sig_conn *c)
{
	c->last_heard_us = (uint64_t)lws_now_usecs();
	c->ping_out = false;
}

/* Silent for ping_interval_s: a ping; silent pong_timeout_s more: dead.
 * A peer whose network went away sends no FIN and no RST; without this
 * its connection would sit there until TCP gave up (minutes). */
static void live_check(lws_sorted_usec_list_t *sul)
{
	struct sig_conn *c = lws_container_of(sul, struct sig_conn, live_sul);
	struct sig_server *s = c->srv;
	uint64_t ping = (uint64_t)s->cfg.ping_interval_s * LWS_US_PER_SEC;
	uint64_t dead = ping + (uint64_t)s->cfg.pong_timeout_s * LWS_US_PER_SEC;
	uint64_t now = (uint64_t)lws_now_usecs();
	uint64_t quiet = now > c->last_heard_us ? now - c->last_heard_us : 0;
	int unread = 0;

	/* A closing connection has its own deadline (flush_deadline). */
	if (c->closing || c->dropped)
		return;
	/* Bytes from the peer waiting in the socket: it is there, and it is
	 * this loop that was slow (strata-cp busy or descheduled: libwebsockets
	 * runs ripe timers before it reads what arrived meanwhile).  Never
	 * blame a client for our own stall. */
	if (quiet >= dead && ioctl(lws_get_socket_fd(c->wsi), FIONREAD, &unread) == 0 &&
	    unread > 0) {
		heard(c);
		quiet = 0;
	}
	if (quiet >= dead) {
		sig_log(s, LOG_INFO, "connection %llu (%s): nothing heard for %llu ms, not even a "
			"pong to a ping: dead, dropped", (unsigned long long)c->serial, c->peer_str,
			(unsigned long long)(quiet / 1000));
		drop(c, SIG_CLOSE_DEAD);
		return;
	}
	if (quiet >= ping && !c->ping_out) {
		c->ping_due = true;
		c->ping_out = true;
		lws_callback_on_writable(c->wsi);
	}
	lws_sul_schedule(s->ctx, 0, &c->live_sul, live_check,
			 (lws_usec_t)(quiet >= ping ? dead - quiet : ping - quiet));
}

/* The upgrade is for us only on our path; lws already matched the
 * subprotocol. */
static int filter_upgrade(struct lws *wsi)
{
	char uri[sizeof(STRATA_SIG_PATH) + 1];
	int n = lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI);

	return n > 0 && strcmp(uri, STRATA_SIG_PATH) == 0 ? 0 : -1;
}

static int conn_open(struct sig_server *s, struct sig_conn *c, struct lws *wsi)
{
	uint64_t now = (uint64_t)lws_now_usecs();

	/* The handshake deadline (sig_server.c) is over. */
	lws_set_timer_usecs(wsi, LWS_SET_TIMER_USEC_CANCEL);
	c->srv = s;
	c->wsi = wsi;
	c->serial = ++s->next_serial;
	peer_address(c);
	c->tokens = s->cfg.msg_burst;
	c->tokens_us = now;
	c->last_rx_us = now;
	c->last_heard_us = now;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	c->opened = true;
	s->stats.opened++;
	s->stats.open++;
	lws_sul_schedule(s->ctx, 0, &c->idle_sul, idle_check,
			 (lws_usec_t)s->cfg.idle_timeout_s * LWS_US_PER_SEC);
	if (s->cfg.ping_interval_s)
		lws_sul_schedule(s->ctx, 0, &c->live_sul, live_check,
				 (lws_usec_t)s->cfg.ping_interval_s * LWS_US_PER_SEC);
	if (s->h->on_open)
		s->h->on_open(s->app, c);
	return 0;
}

static void conn_closed(struct sig_server *s, struct sig_conn *c)
{
	enum sig_close_reason r;

	if (!c->opened)
		return;
	lws_sul_cancel(&c->idle_sul);
	lws_sul_cancel(&c->live_sul);
	lws_sul_cancel(&c->flush_sul);
	queue_free(c);
	free(c->rx);
	c->rx = NULL;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->opened = false;
	r = c->has_reason ? c->reason : s->destroying ? SIG_CLOSE_SHUTDOWN : SIG_CLOSE_PEER;
	s->stats.open--;
	s->stats.closes[r]++;
	if (s->h->on_close)
		s->h->on_close(s->app, c, r);
}

/* ---- receiving ------------------------------------------------------------------ */

/* One token a message, msg_rate a second, at most msg_burst saved up. */
static bool take_token(struct sig_conn *c)
{
	struct sig_server *s = c->srv;
	uint64_t now = (uint64_t)lws_now_usecs();

	c->tokens += (double)(now - c->tokens_us) * s->cfg.msg_rate / 1e6;
	if (c->tokens > s->cfg.msg_burst)
		c->tokens = s->cfg.msg_burst;
	c->tokens_us = now;
	if (c->tokens < 1.0)
		return false;
	c->tokens -= 1.0;
	return true;
}

static void handle_message(struct sig_conn *c)
{
	struct sig_server *s = c->srv;
	struct sig_parse_error perr;
	char msg[96];

	s->stats.msgs_in++;
	s->stats.bytes_in += c->rx_len;
	c->last_rx_us = (uint64_t)lws_now_usecs();
	if (!take_token(c)) {
		snprintf(msg, sizeof(msg), "more than %u messages a second", s->cfg.msg_rate);
		sig_send_error(c, -1, STRATA_SIG_ERR_RATE_LIMITED, msg);
		sig_close(c, SIG_CLOSE_RATE);
		return;
	}
	if (c->rx_binary) {
		sig_send_error(c, -1, STRATA_SIG_ERR_MALFORMED_MESSAGE,
			       "binary messages are not part of the protocol: send JSON as text");
		sig_close(c, SIG_CLOSE_BINARY);
		return;
	}
	if (sig_request_parse(c->rx, c->rx_len, &s->req, &perr) < 0) {
		sig_send_error(c, perr.id, perr.reason, perr.message);
		return;
	}
	s->stats.requests++;
	s->h->on_request(s->app, c, &s->req);
}

static int conn_receive(struct sig_conn *c, const void *in, size_t len)
{
	struct lws *wsi = c->wsi;
	size_t need;

	heard(c);
	/* After sig_close nothing more is read into the application; the
	 * bytes still flow so the peer's close reply gets through. */
	if (c->closing || c->dropped)
		return 0;
	if (lws_is_first_fragment(wsi)) {
		c->rx_len = 0;
		c->rx_binary = lws_frame_is_binary(wsi);
	}
	/* The frame header announced what is still coming of this frame, so
	 * an oversize message is refused before it is read. */
	need = c->rx_len + len + lws_remaining_packet_payload(wsi);
	if (need > STRATA_SIG_MAX_MESSAGE || need < c->rx_len) {
		static const char why[] = "message too big";
		set_reason(c, SIG_CLOSE_TOO_BIG);
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
				 (unsigned char *)why, sizeof(why) - 1);
		return -1;
	}
	if (!c->rx_binary) {
		if (need > c->rx_cap) {
			char *grown = realloc(c->rx, need);
			if (!grown) {
				set_reason(c, SIG_CLOSE_INTERNAL);
				return -1;
			}
			c->rx = grown;
			c->rx_cap = need;
		}
		memcpy(c->rx + c->rx_len, in, len);
	}
	c->rx_len += len;
	if (!lws_is_final_fragment(wsi))
		return 0;
	handle_message(c);
	if (c->rx_cap > SIG_RX_KEEP) {
		free(c->rx);
		c->rx = NULL;
		c->rx_cap = 0;
	}
	c->rx_len = 0;
	return 0;
}

/* ---- sending -------------------------------------------------------------------- */

static int conn_writeable(struct sig_conn *c)
{
	struct sig_server *s = c->srv;
	struct lws *wsi = c->wsi;
	int first = 0;

	if (c->dropped)
		return 0;
	if (c->ping_due && !c->closing) {
		unsigned char ping[LWS_PRE + 4] = { [LWS_PRE] = 'p', 'i', 'n', 'g' };

		/* Four bytes, not none: libwebsockets 4.1 sent an empty ping
		 * that got no pong (cp_sig_liveness failed with it). */
		c->ping_due = false;
		if (lws_write(wsi, ping + LWS_PRE, 4, LWS_WRITE_PING) < 0) {
			set_reason(c, SIG_CLOSE_PEER);
			return -1;
		}
		first = 1;
	}
	for (int n = first; c->q_head && n < SIG_WRITES_PER_TURN; n++) {
		struct sig_qmsg *m = c->q_head;
		int w;

		if (n && lws_send_pipe_choked(wsi))
			break;
		c->q_head = m->next;
		if (!c->q_head)
			c->q_tail = NULL;
		c->q_bytes -= m->len;
		c->q_msgs--;
		/* lws_write keeps what the socket does not take and reports
		 * writable again only once that is out. */
		w = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
		s->stats.msgs_out++;
		s->stats.bytes_out += m->len;
		explicit_bzero(m->buf, LWS_PRE + m->len);
		free(m);
		if (w < 0) {
			set_reason(c, SIG_CLOSE_PEER);
			return -1;
		}
	}
	if (c->q_head) {
		lws_callback_on_writable(wsi);
	} else if (c->closing && !c->close_sent) {
		/* Once: lws sends the close frame and, while it waits for the
		 * peer's, may offer more writable turns that must not close
		 * again (that would drop the connection unanswered). */
		const char *why = sig_close_name(c->reason);

		c->close_sent = true;
		lws_close_reason(wsi, (enum lws_close_status)sig_close_code(c->reason),
				 (unsigned char *)why, strlen(why));
		return -1;
	}
	return 0;
}

int sig_conn_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		      size_t len)
{
	struct sig_server *s = lws_context_user(lws_get_context(wsi));
	struct sig_conn *c = user;

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return filter_upgrade(wsi);
	case LWS_CALLBACK_ESTABLISHED:
		return conn_open(s, c, wsi);
	case LWS_CALLBACK_RECEIVE:
		return c->opened ? conn_receive(c, in, len) : -1;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return c->opened ? conn_writeable(c) : 0;
	case LWS_CALLBACK_RECEIVE_PONG:
		if (c->opened)
			heard(c);
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (c->opened)
			set_reason(c, SIG_CLOSE_PEER);
		return 0;
	case LWS_CALLBACK_CLOSED:
		conn_closed(s, c);
		return 0;
	case LWS_CALLBACK_TIMER:
		/* The handshake deadline, if it fires after the bind. */
		return c && c->opened ? 0 : -1;
	default:
		return 0;
	}
}
