/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Misbehaving clients on plain sockets and OpenSSL (sig_misbehave.h).
 * Everything blocks, with receive timeouts, so each call is one
 * straight-line story; the tests run several at once in threads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "sig_misbehave.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int tcp_connect(const char *host, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		len = sizeof(*a6);
	} else {
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Waits for the peer to close fd (EOF or reset), reading and discarding
 * whatever it sends; the time it took from start, or -1. */
static long wait_closed(int fd, long start, unsigned timeout_ms)
{
	char buf[4096];

	for (;;) {
		long left = start + (long)timeout_ms - now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (left <= 0)
			return -1;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return now_ms() - start;
	}
}

long sig_mis_garbage(const char *host, int port, unsigned timeout_ms)
{
	char junk[4096];
	long start = now_ms(), r;
	int fd = tcp_connect(host, port);

	if (fd < 0)
		return -2;
	/* "GARBAGE..." is no TLS record type (RFC 8446 section 5.1). */
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = "GARBAGE!"[i % 8];
	(void)!send(fd, junk, sizeof(junk), MSG_NOSIGNAL);
	r = wait_closed(fd, start, timeout_ms);
	close(fd);
	return r;
}

long sig_mis_half_open(const char *host, int port, unsigned timeout_ms)
{
	long start = now_ms(), r;
	int fd = tcp_connect(host, port);

	if (fd < 0)
		return -2;
	r = wait_closed(fd, start, timeout_ms);
	close(fd);
	return r;
}

static SSL_CTX *client_ctx(const char *ca)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return NULL;
	if (ca) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		if (!SSL_CTX_load_verify_locations(ctx, ca, NULL)) {
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	return ctx;
}

long sig_mis_no_upgrade(const char *host, int port, const char *ca, bool dribble,
			unsigned timeout_ms)
{
	static const char partial[] = "GET /strata/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				      "Upgrade: websocket\r\nConnection: Upgrade\r\n";
	long start = now_ms(), r = -1;
	SSL_CTX *ctx = client_ctx(ca);
	SSL *ssl = NULL;
	int fd = -1;

	if (!ctx)
		return -2;
	fd = tcp_connect(host, port);
	ssl = fd >= 0 ? SSL_new(ctx) : NULL;
	if (!ssl || !SSL_set_fd(ssl, fd) || SSL_connect(ssl) != 1) {
		r = -2;
		goto out;
	}
	/* Never the blank line that ends the headers. */
	for (size_t i = 0; i < sizeof(partial) - 1;) {
		size_t n = dribble ? 1 : sizeof(partial) - 1;
		if (SSL_write(ssl, partial + i, (int)n) <= 0) {
			r = now_ms() - start;
			goto out;
		}
		i += n;
		if (dribble) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			if (poll(&p, 1, 1000) > 0) {
				char b[256];
				if (SSL_read(ssl, b, sizeof(b)) <= 0) {
					r = now_ms() - start;
					goto out;
				}
			}
			if (now_ms() - start > (long)timeout_ms)
				goto out;
		}
	}
	for (;;) {
		long left = start + (long)timeout_ms - now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char b[256];

		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		if (SSL_read(ssl, b, sizeof(b)) <= 0) {
			r = now_ms() - start;
			break;
		}
	}
out:
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

int sig_mis_tls_probe(const char *host, int port, const char *ca, int version,
		      const char *tls12_ciphers, char *info, size_t infolen)
{
	SSL_CTX *ctx = client_ctx(ca);
	SSL *ssl = NULL;
	int fd = -1, rc = -1;
	struct timeval tv = { 5, 0 };

	info[0] = '\0';
	if (!ctx)
		return snprintf(info, infolen, "cannot load %s", ca ? ca : "(no CA)"), -1;
	/* Allow the old protocols on our side, so only the server refuses. */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, version);
	SSL_CTX_set_max_proto_version(ctx, version);
	SSL_CTX_set_cipher_list(ctx, tls12_ciphers ? tls12_ciphers : "ALL:@SECLEVEL=0");
	fd = tcp_connect(host, port);
	if (fd < 0) {
		snprintf(info, infolen, "connect: %s", strerror(errno));
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) == 1) {
		snprintf(info, infolen, "%s %s", SSL_get_version(ssl), SSL_get_cipher_name(ssl));
		rc = 1;
	} else {
		unsigned long e = ERR_peek_last_error();
		const char *why = e ? ERR_reason_error_string(e) : NULL;
		snprintf(info, infolen, "%s", why ? why : "handshake failed");
		rc = 0;
	}
out:
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}
