/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A tiny HTTP/1.1 server for the capture page (webrtc_http.h).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "webrtc_http.h"

int wrtc_http_listen(struct wrtc_http *h, const char *addr, uint16_t *port,
		     wrtc_http_handler handler, void *ctx)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(*port) };
	socklen_t salen = sizeof(sa);
	int one = 1;

	memset(h, 0, sizeof(*h));
	for (int i = 0; i < WRTC_HTTP_MAX_CLIENTS; i++)
		h->clients[i].fd = -1;
	h->handler = handler;
	h->ctx = ctx;
	inet_pton(AF_INET, addr, &sa.sin_addr);
	h->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (h->listen_fd < 0)
		goto fail;
	setsockopt(h->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(h->listen_fd, 16) != 0 ||
	    getsockname(h->listen_fd, (struct sockaddr *)&sa, &salen) != 0)
		goto fail;
	*port = ntohs(sa.sin_port);
	return 0;
fail:
	fprintf(stderr, "webrtc_capture: HTTP listen on %s: %s\n", addr, strerror(errno));
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	h->listen_fd = -1;
	return -1;
}

int wrtc_http_pollfds(const struct wrtc_http *h, struct pollfd *fds, int max)
{
	int n = 0;

	if (n < max)
		fds[n++] = (struct pollfd){ .fd = h->listen_fd, .events = POLLIN };
	for (int i = 0; i < WRTC_HTTP_MAX_CLIENTS && n < max; i++)
		if (h->clients[i].fd >= 0)
			fds[n++] = (struct pollfd){ .fd = h->clients[i].fd, .events = POLLIN };
	return n;
}

static void drop(struct wrtc_http_client *c)
{
	close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
	c->len = 0;
}

static void send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			poll(&pfd, 1, 1000);
			continue;
		}
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	default: return "Error";
	}
}

/* Returns 1 when the request is complete and was answered, 0 when more
 * bytes are needed, -1 when it is malformed. */
static int try_request(struct wrtc_http *h, struct wrtc_http_client *c)
{
	char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
	struct wrtc_http_request req = { 0 };
	struct wrtc_http_response resp = { .status = 404, .content_type = "text/plain" };
	size_t head_len, content_len = 0;
	char target[512], hdr[256];

	if (!end)
		return 0;
	head_len = (size_t)(end - c->buf) + 4;
	if (sscanf(c->buf, "%7s %511s", req.method, target) != 2)
		return -1;
	/* Header names are case-insensitive (RFC 9110 section 5.1). */
	for (char *line = strstr(c->buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
		if (sscanf(line + 2, "%255[^:]: %zu", hdr, &content_len) == 2 &&
		    !strcasecmp(hdr, "Content-Length"))
			break;
		content_len = 0;
	}
	if (content_len > WRTC_HTTP_MAX_REQUEST)
		return -1;
	if (c->len < head_len + content_len)
		return 0;

	char *q = strchr(target, '?');
	if (q) {
		*q = '\0';
		snprintf(req.query, sizeof(req.query), "%s", q + 1);
	}
	snprintf(req.path, sizeof(req.path), "%s", target);
	c->buf[head_len + content_len] = '\0';
	req.body = c->buf + head_len;
	req.body_len = content_len;

	h->handler(h->ctx, &req, &resp);

	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
			 resp.status, reason(resp.status), resp.content_type, resp.body_len);
	send_all(c->fd, head, (size_t)n);
	if (resp.body)
		send_all(c->fd, resp.body, resp.body_len);
	free(resp.body);
	return 1;
}

void wrtc_http_service(struct wrtc_http *h, const struct pollfd *fds, int n)
{
	for (int i = 0; i < n; i++) {
		if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (fds[i].fd == h->listen_fd) {
			int fd = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			int slot = -1;

			if (fd < 0)
				continue;
			for (int k = 0; k < WRTC_HTTP_MAX_CLIENTS && slot < 0; k++)
				if (h->clients[k].fd < 0)
					slot = k;
			if (slot < 0) {
				close(fd);
				continue;
			}
			h->clients[slot].fd = fd;
			h->clients[slot].buf = malloc(WRTC_HTTP_MAX_REQUEST + 8192 + 1);
			h->clients[slot].len = 0;
			if (!h->clients[slot].buf)
				drop(&h->clients[slot]);
			continue;
		}
		for (int k = 0; k < WRTC_HTTP_MAX_CLIENTS; k++) {
			struct wrtc_http_client *c = &h->clients[k];
			size_t room = WRTC_HTTP_MAX_REQUEST + 8192 - c->len;
			ssize_t got;

			if (c->fd != fds[i].fd)
				continue;
			got = recv(c->fd, c->buf + c->len, room, 0);
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (got <= 0) {
				drop(c);
				break;
			}
			c->len += (size_t)got;
			c->buf[c->len] = '\0';
			int r = try_request(h, c);
			if (r < 0 || (r == 0 && c->len == WRTC_HTTP_MAX_REQUEST + 8192)) {
				static const char bad[] = "HTTP/1.1 400 Bad Request\r\n"
							  "Content-Length: 0\r\n"
							  "Connection: close\r\n\r\n";
				send_all(c->fd, bad, sizeof(bad) - 1);
				drop(c);
			} else if (r > 0) {
				drop(c);
			}
			break;
		}
	}
}

void wrtc_http_close(struct wrtc_http *h)
{
	for (int k = 0; k < WRTC_HTTP_MAX_CLIENTS; k++)
		if (h->clients[k].fd >= 0)
			drop(&h->clients[k]);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	h->listen_fd = -1;
}
