/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GET /metrics: a small, non-blocking HTTP/1.1 responder (metrics.h).
 *
 * One request per connection.  A connection reads its request (request
 * line and header block, at most HTTP_MAX_HEADER bytes, within the
 * request timeout), writes one answer with "Connection: close", shuts
 * down its sending side, then lingers: it reads and drops whatever the
 * client still sends until the client closes or LINGER_MS pass.  Closing
 * with unread bytes would make the kernel send a TCP reset, which can
 * destroy the answer before the client has read it (RFC 9112 section
 * 9.6: "...a server that performs a graceful close ... ensures the TCP
 * connection is not reset prematurely").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "log.h"
#include "metrics.h"

CP_LOG_MODULE(metrics);

#define HTTP_MAX_CONNS 32
#define HTTP_MAX_HEADER 8192
#define REQUEST_TIMEOUT_MS 10000
#define WRITE_TIMEOUT_MS 10000
#define LINGER_MS 2000
#define LINGER_MAX_BYTES (256u * 1024)

enum conn_state { READING, WRITING, LINGERING };

struct http_conn {
	int fd;
	enum conn_state state;
	short events;          /* what the loop watches for us */
	bool dead;
	uint64_t deadline;
	size_t drained;
	char *out;
	size_t out_len, out_off;
	size_t in_len;
	char in[HTTP_MAX_HEADER];
};

struct cp_metrics_http {
	struct cp_metrics *reg;
	int listen_fd;
	int port;
	int request_timeout_ms;
	struct http_conn *conns[HTTP_MAX_CONNS];
	size_t n_conns;
	struct cp_fdwatch watch;
	bool has_watch;
	struct cp_metrics_http_stats stats;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void set_events(struct cp_metrics_http *h, int fd, short *cur, short events)
{
	if (*cur == events)
		return;
	*cur = events;
	if (h->has_watch && h->watch.update)
		h->watch.update(h->watch.ctx, fd, events);
}

/* "host:port" or "[v6]:port" into its two halves; false when malformed. */
static bool split_address(const char *address, char *host, size_t hcap, char *port, size_t pcap)
{
	const char *colon;
	size_t hl;

	if (address[0] == '[') {
		const char *close = strchr(address, ']');

		if (!close || close[1] != ':')
			return false;
		hl = (size_t)(close - address - 1);
		if (hl == 0 || hl >= hcap)
			return false;
		memcpy(host, address + 1, hl);
		host[hl] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(address, ':');
		if (!colon)
			return false;
		hl = (size_t)(colon - address);
		if (hl == 0 || hl >= hcap || memchr(address, ':', hl))
			return false;
		memcpy(host, address, hl);
		host[hl] = '\0';
	}
	if (!colon[1] || strlen(colon + 1) >= pcap || strspn(colon + 1, "0123456789") !=
	    strlen(colon + 1) || atoi(colon + 1) > 65535)
		return false;
	strcpy(port, colon + 1);
	return true;
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

struct cp_metrics_http *cp_metrics_http_open(struct cp_metrics *reg, const char *address,
					     char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL, *ai;
	struct cp_metrics_http *h;
	char host[256], port[8];
	int fd = -1, e = 0, one = 1, gai;

	if (!address || !split_address(address, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, errlen, "bad metrics address \"%s\": give HOST:PORT, such as "
			 "127.0.0.1:9464 or [::1]:9464", address ? address : "");
		return NULL;
	}
	gai = getaddrinfo(host, port, &hints, &res);
	if (gai) {
		snprintf(err, errlen, "cannot resolve metrics address %s: %s", address,
			 gai_strerror(gai));
		return NULL;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s for metrics: %s%s", address, strerror(e),
			 e == EADDRINUSE ? ": is another strata-cp running? (or choose another "
					   "metrics address)" : "");
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->reg = reg;
	h->listen_fd = fd;
	h->port = bound_port(fd);
	h->request_timeout_ms = REQUEST_TIMEOUT_MS;
	return h;
}

int cp_metrics_http_port(const struct cp_metrics_http *h)
{
	return h->port;
}

void cp_metrics_http_set_timeout(struct cp_metrics_http *h, int ms)
{
	h->request_timeout_ms = ms > 0 ? ms : REQUEST_TIMEOUT_MS;
}

void cp_metrics_http_get_stats(const struct cp_metrics_http *h, struct cp_metrics_http_stats *st)
{
	*st = h->stats;
}

void cp_metrics_http_set_watch(struct cp_metrics_http *h, const struct cp_fdwatch *w)
{
	short none = 0;

	h->has_watch = w != NULL;
	if (w)
		h->watch = *w;
	if (!w)
		return;
	/* Announce what exists already. */
	set_events(h, h->listen_fd, &none, POLLIN);
	for (size_t i = 0; i < h->n_conns; i++) {
		short ev = h->conns[i]->events;

		h->conns[i]->events = 0;
		set_events(h, h->conns[i]->fd, &h->conns[i]->events, ev);
	}
}

static void conn_free(struct cp_metrics_http *h, struct http_conn *c)
{
	if (h->has_watch && h->watch.remove)
		h->watch.remove(h->watch.ctx, c->fd);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Frees the connections marked dead. */
static void reap(struct cp_metrics_http *h)
{
	size_t k = 0;

	for (size_t i = 0; i < h->n_conns; i++) {
		if (h->conns[i]->dead)
			conn_free(h, h->conns[i]);
		else
			h->conns[k++] = h->conns[i];
	}
	h->n_conns = k;
}

void cp_metrics_http_close(struct cp_metrics_http *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_conns; i++)
		h->conns[i]->dead = true;
	reap(h);
	if (h->has_watch && h->watch.remove)
		h->watch.remove(h->watch.ctx, h->listen_fd);
	close(h->listen_fd);
	free(h);
}

static void start_linger(struct cp_metrics_http *h, struct http_conn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->state = LINGERING;
	c->deadline = now_ms() + LINGER_MS;
	set_events(h, c->fd, &c->events, POLLIN);
}

static void conn_write(struct cp_metrics_http *h, struct http_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			set_events(h, c->fd, &c->events, POLLOUT);
			return;
		}
		if (w <= 0) {
			c->dead = true;
			return;
		}
		c->out_off += (size_t)w;
		c->deadline = now_ms() + WRITE_TIMEOUT_MS;
	}
	start_linger(h, c);
}

/* Queues the whole answer and starts writing it. */
static void respond(struct cp_metrics_http *h, struct http_conn *c, int status,
		    const char *reason, const char *type, const char *extra, const char *body,
		    size_t body_len, bool head)
{
	char header[512];
	int n = snprintf(header, sizeof(header),
			 "HTTP/1.1 %d %s\r\n"
			 "Content-Type: %s\r\n"
			 "Content-Length: %zu\r\n"
			 "%s"
			 "Connection: close\r\n"
			 "\r\n",
			 status, reason, type, body_len, extra ? extra : "");
	size_t total = (size_t)n + (head ? 0 : body_len);

	c->out = malloc(total);
	if (!c->out) {
		c->dead = true;
		return;
	}
	memcpy(c->out, header, (size_t)n);
	if (!head && body_len)
		memcpy(c->out + n, body, body_len);
	c->out_len = total;
	c->out_off = 0;
	c->state = WRITING;
	c->deadline = now_ms() + WRITE_TIMEOUT_MS;
	set_events(h, c->fd, &c->events, 0);
	conn_write(h, c);
}

static void respond_text(struct cp_metrics_http *h, struct http_conn *c, int status,
			 const char *reason, const char *extra, const char *text)
{
	respond(h, c, status, reason, "text/plain; charset=utf-8", extra, text, strlen(text), false);
}

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The request line (without its line end): METHOD SP TARGET SP HTTP/1.x.
 * Fills method and path (the target without its query); false when
 * malformed. */
static bool parse_request_line(const char *s, size_t n, char method[17], char *path, size_t pcap)
{
	size_t i = 0, m = 0, t0, tl;

	while (i < n && s[i] >= 'A' && s[i] <= 'Z' && m < 16)
		method[m++] = s[i++];
	method[m] = '\0';
	if (m == 0 || i == n || s[i] != ' ')
		return false;
	t0 = ++i;
	while (i < n && s[i] != ' ') {
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
		i++;
	}
	tl = i - t0;
	if (tl == 0 || s[t0] != '/' || i == n)
		return false;
	i++;
	if (n - i != 8 || (memcmp(s + i, "HTTP/1.1", 8) != 0 && memcmp(s + i, "HTTP/1.0", 8) != 0))
		return false;
	for (size_t k = 0; k < tl; k++)
		if (s[t0 + k] == '?') {
			tl = k;
			break;
		}
	if (tl >= pcap)
		tl = pcap - 1;  /* a long path is not /metrics anyway */
	memcpy(path, s + t0, tl);
	path[tl] = '\0';
	return true;
}

/* The next line of buf[*off, end) without its line end (LF or CRLF). */
static bool next_line(const char *buf, size_t end, size_t *off, const char **line, size_t *len)
{
	const char *nl;

	if (*off >= end)
		return false;
	nl = memchr(buf + *off, '\n', end - *off);
	if (!nl)
		return false;
	*line = buf + *off;
	*len = (size_t)(nl - *line);
	if (*len && (*line)[*len - 1] == '\r')
		(*len)--;
	*off = (size_t)(nl - buf) + 1;
	return true;
}

/* Header fields: "name: value", a token name, no folding (RFC 9112 5.2:
 * obsolete line folding is rejected). */
static bool headers_valid(const char *buf, size_t end, size_t off)
{
	const char *line;
	size_t len;

	while (next_line(buf, end, &off, &line, &len)) {
		size_t i = 0;

		if (len == 0)
			return true;  /* the end of the header block */
		while (i < len && is_tchar(line[i]))
			i++;
		if (i == 0 || i == len || line[i] != ':')
			return false;
		for (; i < len; i++)
			if (((unsigned char)line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
				return false;
	}
	return false;
}

static void serve(struct cp_metrics_http *h, struct http_conn *c, const char *method,
		  const char *path)
{
	bool head = strcmp(method, "HEAD") == 0;
	char *text;
	size_t len;

	if (!head && strcmp(method, "GET") != 0) {
		h->stats.bad_method++;
		respond_text(h, c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n",
			     "method not allowed: GET /metrics\n");
		return;
	}
	if (strcmp(path, "/metrics") != 0) {
		h->stats.not_found++;
		respond(h, c, 404, "Not Found", "text/plain; charset=utf-8", NULL,
			"not found: try /metrics\n", strlen("not found: try /metrics\n"), head);
		return;
	}
	text = cp_metrics_render(h->reg, &len);
	if (!text) {
		respond_text(h, c, 500, "Internal Server Error", NULL, "out of memory\n");
		return;
	}
	h->stats.ok++;
	respond(h, c, 200, "OK", CP_METRICS_CONTENT_TYPE, NULL, text, len, head);
	free(text);
}

static void bad_request(struct cp_metrics_http *h, struct http_conn *c)
{
	h->stats.bad_request++;
	CP_DBG("bad metrics request", CP_KV_INT("fd", c->fd));
	respond_text(h, c, 400, "Bad Request", NULL, "bad request\n");
}

/* Looks at what has arrived: answers as soon as the request is complete,
 * or as soon as its first line shows it is not a request. */
static void conn_parse(struct cp_metrics_http *h, struct http_conn *c)
{
	char method[17], path[64];
	const char *line, *end;
	size_t off = 0, len;

	if (!next_line(c->in, c->in_len, &off, &line, &len)) {
		if (c->in_len == sizeof(c->in)) {
			h->stats.too_large++;
			respond_text(h, c, 431, "Request Header Fields Too Large", NULL,
				     "request header fields too large\n");
		}
		return;
	}
	if (!parse_request_line(line, len, method, path, sizeof(path))) {
		bad_request(h, c);
		return;
	}
	end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
	if (!end)
		end = memmem(c->in, c->in_len, "\n\n", 2);
	if (!end) {
		if (c->in_len == sizeof(c->in)) {
			h->stats.too_large++;
			respond_text(h, c, 431, "Request Header Fields Too Large", NULL,
				     "request header fields too large\n");
		}
		return;
	}
	if (!headers_valid(c->in, c->in_len, off)) {
		bad_request(h, c);
		return;
	}
	serve(h, c, method, path);
}

static void conn_read(struct cp_metrics_http *h, struct http_conn *c)
{
	if (c->state == LINGERING) {
		/* Drop everything there is, up to the cap. */
		for (;;) {
			char sink[16384];
			ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			c->drained += n > 0 ? (size_t)n : 0;
			if (n <= 0 || c->drained > LINGER_MAX_BYTES) {
				c->dead = true;
				return;
			}
		}
	}
	if (c->state == READING) {
		ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			c->dead = true;  /* gone before asking anything */
			return;
		}
		c->in_len += (size_t)n;
		conn_parse(h, c);
	}
}

static void accept_all(struct cp_metrics_http *h)
{
	for (int i = 0; i < 16; i++) {
		int fd = accept4(h->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct http_conn *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				CP_WARN("metrics accept failed", CP_KV_STR("error", strerror(errno)));
			return;
		}
		if (h->n_conns == HTTP_MAX_CONNS || !(c = calloc(1, sizeof(*c)))) {
			h->stats.refused++;
			close(fd);
			continue;
		}
		c->fd = fd;
		c->state = READING;
		c->deadline = now_ms() + (uint64_t)h->request_timeout_ms;
		h->conns[h->n_conns++] = c;
		set_events(h, fd, &c->events, POLLIN);
	}
}

void cp_metrics_http_handle(struct cp_metrics_http *h, int fd, short revents)
{
	if (fd == h->listen_fd) {
		if (revents & POLLIN)
			accept_all(h);
		return;
	}
	for (size_t i = 0; i < h->n_conns; i++) {
		struct http_conn *c = h->conns[i];

		if (c->fd != fd || c->dead)
			continue;
		if (revents & POLLERR)
			c->dead = true;
		else if (c->state == WRITING && (revents & (POLLOUT | POLLHUP)))
			conn_write(h, c);
		else if (revents & (POLLIN | POLLHUP))
			conn_read(h, c);
		break;
	}
	reap(h);
}

size_t cp_metrics_http_pollfds(struct cp_metrics_http *h, struct pollfd *pfd, size_t cap)
{
	size_t n = 0;

	if (n < cap)
		pfd[n] = (struct pollfd){ .fd = h->listen_fd, .events = POLLIN };
	n++;
	for (size_t i = 0; i < h->n_conns; i++, n++)
		if (n < cap)
			pfd[n] = (struct pollfd){ .fd = h->conns[i]->fd, .events = h->conns[i]->events };
	return n;
}

int cp_metrics_http_timeout_ms(struct cp_metrics_http *h)
{
	uint64_t now = now_ms(), next = UINT64_MAX;

	for (size_t i = 0; i < h->n_conns; i++)
		if (h->conns[i]->deadline < next)
			next = h->conns[i]->deadline;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now > 3600000 ? 3600000 : next - now);
}

void cp_metrics_http_run_timers(struct cp_metrics_http *h)
{
	uint64_t now = now_ms();

	for (size_t i = 0; i < h->n_conns; i++) {
		struct http_conn *c = h->conns[i];

		if (c->deadline > now)
			continue;
		if (c->state == READING)
			h->stats.timed_out++;
		c->dead = true;
	}
	reap(h);
}

int cp_metrics_http_poll_once(struct cp_metrics_http *h, int timeout_ms)
{
	struct pollfd pfd[HTTP_MAX_CONNS + 1];
	size_t n = cp_metrics_http_pollfds(h, pfd, HTTP_MAX_CONNS + 1);
	int t = cp_metrics_http_timeout_ms(h), r;

	if (t < 0 || (timeout_ms >= 0 && timeout_ms < t))
		t = timeout_ms;
	r = poll(pfd, n, t);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	for (size_t i = 0; i < n && r > 0; i++) {
		if (!pfd[i].revents)
			continue;
		r--;
		cp_metrics_http_handle(h, pfd[i].fd, pfd[i].revents);
	}
	cp_metrics_http_run_timers(h);
	return 0;
}
