/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The smallest HTTP/1.1 server the capture page needs: GET and POST with a
 * Content-Length body, one request per connection ("Connection: close"),
 * driven from the caller's poll loop.  It only ever talks to the browser
 * in the other namespace.
 */
#ifndef STRATA_TESTS_WEBRTC_HTTP_H
#define STRATA_TESTS_WEBRTC_HTTP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define WRTC_HTTP_MAX_CLIENTS 8
#define WRTC_HTTP_MAX_REQUEST (256 * 1024)

struct wrtc_http_request {
	char method[8];
	char path[512];     /* up to, not including, '?' */
	char query[512];    /* after '?', or "" */
	const char *body;   /* NUL-terminated */
	size_t body_len;
};

struct wrtc_http_response {
	int status;               /* 200, 404, ... */
	const char *content_type;
	char *body;               /* malloc'd; freed by the server */
	size_t body_len;
};

typedef void (*wrtc_http_handler)(void *ctx, const struct wrtc_http_request *req,
				  struct wrtc_http_response *resp);

struct wrtc_http_client {
	int fd;
	char *buf;
	size_t len;
};

struct wrtc_http {
	int listen_fd;
	struct wrtc_http_client clients[WRTC_HTTP_MAX_CLIENTS];
	wrtc_http_handler handler;
	void *ctx;
};

/* Listens on addr:*port (0: any free port, written back).  Returns 0 or -1. */
int wrtc_http_listen(struct wrtc_http *h, const char *addr, uint16_t *port,
		     wrtc_http_handler handler, void *ctx);

/* Fills pollfds for the listening socket and the clients; returns how
 * many. */
int wrtc_http_pollfds(const struct wrtc_http *h, struct pollfd *fds, int max);

/* Handles the sockets poll() marked readable. */
void wrtc_http_service(struct wrtc_http *h, const struct pollfd *fds, int n);

void wrtc_http_close(struct wrtc_http *h);

#endif /* STRATA_TESTS_WEBRTC_HTTP_H */
