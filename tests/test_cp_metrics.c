/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's metrics (controlplane/metrics.c, metrics_http.c):
 *
 *   - the Prometheus text exposition of a registry, against golden text
 *     (HELP and TYPE lines, labels in order, escaping in label values and
 *     help texts, NaN, infinities, the shortest exact floats, the largest
 *     counter);
 *   - the registry's refusals (a table of bad metric and label names),
 *     series identity and removal, collectors;
 *   - GET /metrics over real TCP connections, driven by this thread's
 *     poll loop: the answer and its headers, HEAD, 404, 405, malformed
 *     requests (a table: 400, 431), a client that never finishes its
 *     request (others served, itself closed at the timeout), data sent
 *     after the request (the answer still arrives whole), the connection
 *     limit, IPv6, bad addresses, a port in use, the push (fdwatch) mode.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "log.h"
#include "metrics.h"
#include "test_util.h"

/* ---- The exposition ------------------------------------------------------- */

static const char golden[] =
	"# HELP strata_requests_total Requests, by method and code.\n"
	"# TYPE strata_requests_total counter\n"
	"strata_requests_total{method=\"GET\",code=\"200\"} 3\n"
	"strata_requests_total{method=\"POST\",code=\"500\"} 1\n"
	"# HELP strata_rooms Rooms open.\n"
	"# TYPE strata_rooms gauge\n"
	"strata_rooms 7\n"
	"# HELP strata_escape Help with \\\\ a backslash\\nand a newline, \"quotes\" kept.\n"
	"# TYPE strata_escape gauge\n"
	"strata_escape{path=\"C:\\\\dir \\\"quoted\\\"\\nline\"} -1.5\n"
	"# TYPE strata_floats gauge\n"
	"strata_floats{kind=\"nan\"} NaN\n"
	"strata_floats{kind=\"inf\"} +Inf\n"
	"strata_floats{kind=\"-inf\"} -Inf\n"
	"strata_floats{kind=\"tenth\"} 0.1\n"
	"strata_floats{kind=\"third\"} 0.33333333333333331\n"
	"strata_floats{kind=\"big\"} 1e+21\n"
	"strata_floats{kind=\"int\"} 42\n"
	"strata_floats{kind=\"utf8 caf\xc3\xa9 bad ?\"} 0\n"
	"# HELP strata_unused_total No series yet.\n"
	"# TYPE strata_unused_total counter\n"
	"# HELP strata_max_total The largest count.\n"
	"# TYPE strata_max_total counter\n"
	"strata_max_total 18446744073709551615\n";

static struct cp_metrics *golden_registry(void)
{
	struct cp_metrics *reg = cp_metrics_new();
	struct cp_metric *req, *rooms, *esc, *fl, *max;

	req = cp_metrics_counter(reg, "strata_requests_total", "Requests, by method and code.",
				 "method", "code", NULL);
	rooms = cp_metrics_gauge(reg, "strata_rooms", "Rooms open.", NULL);
	esc = cp_metrics_gauge(reg, "strata_escape",
			       "Help with \\ a backslash\nand a newline, \"quotes\" kept.", "path",
			       NULL);
	fl = cp_metrics_gauge(reg, "strata_floats", "", "kind", NULL);
	CHECK(cp_metrics_counter(reg, "strata_unused_total", "No series yet.", "x", NULL) != NULL,
	      "unused");
	max = cp_metrics_counter(reg, "strata_max_total", "The largest count.", NULL);
	CHECK(req && rooms && esc && fl && max, "registration");

	cp_series_add(CP_SERIES(req, "GET", "200"), 2);
	cp_series_inc(CP_SERIES(req, "POST", "500"));
	cp_series_inc(CP_SERIES(req, "GET", "200"));
	cp_series_set(cp_metric_series(rooms, NULL), 7);
	cp_series_set(CP_SERIES(esc, "C:\\dir \"quoted\"\nline"), -1.5);
	cp_series_set(CP_SERIES(fl, "nan"), NAN);
	cp_series_set(CP_SERIES(fl, "inf"), INFINITY);
	cp_series_set(CP_SERIES(fl, "-inf"), -INFINITY);
	cp_series_set(CP_SERIES(fl, "tenth"), 0.1);
	cp_series_set(CP_SERIES(fl, "third"), 1.0 / 3.0);
	cp_series_set(CP_SERIES(fl, "big"), 1e21);
	cp_series_gauge_add(CP_SERIES(fl, "int"), 40);
	cp_series_gauge_add(CP_SERIES(fl, "int"), 2);
	CHECK(CP_SERIES(fl, "utf8 caf\xc3\xa9 bad \xff") != NULL, "utf8 series");
	cp_series_set_counter(cp_metric_series(max, NULL), UINT64_MAX);
	return reg;
}

static void check_golden(void)
{
	struct cp_metrics *reg = golden_registry();
	size_t len = 0;
	char *text = cp_metrics_render(reg, &len);

	CHECK(text && len == strlen(golden) && strcmp(text, golden) == 0,
	      "exposition:\n%s\nwant:\n%s", text, golden);
	free(text);
	cp_metrics_free(reg);
}

static void check_registry(void)
{
	static const struct {
		const char *name;
		const char *labels[10];
		int err;   /* 0: accepted */
	} rows[] = {
		{ "ok_name", { NULL }, 0 },
		{ "ok:colon_total", { "a", "b_c", NULL }, 0 },
		{ "_leading", { "_l", NULL }, 0 },
		{ "", { NULL }, EINVAL },
		{ "1abc", { NULL }, EINVAL },
		{ "a-b", { NULL }, EINVAL },
		{ "a b", { NULL }, EINVAL },
		{ "caf\xc3\xa9", { NULL }, EINVAL },
		{ "good", { "__reserved", NULL }, EINVAL },
		{ "good", { "a:b", NULL }, EINVAL },
		{ "good", { "1x", NULL }, EINVAL },
		{ "good", { "", NULL }, EINVAL },
		{ "good", { "a", "a", NULL }, EINVAL },
		{ "good", { "a", "b", "c", "d", "e", "f", "g", "h", "i", NULL }, EINVAL },
		{ "ok_name", { NULL }, EEXIST },
	};
	struct cp_metrics *reg = cp_metrics_new();
	struct cp_metric *m, *g;
	struct cp_series *s1, *s2;
	char *text;

	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		errno = 0;
		m = cp_metrics_add(reg, CP_METRIC_GAUGE, rows[i].name, "h", rows[i].labels);
		CHECK(rows[i].err ? (!m && errno == rows[i].err) : m != NULL, "name row %zu (%s)", i,
		      rows[i].name);
	}
	CHECK(!cp_metrics_add(reg, (enum cp_metric_type)5, "typed", "h", NULL), "bad type");
	CHECK(cp_metrics_find(reg, "ok_name") && !cp_metrics_find(reg, "good"), "find");

	m = cp_metrics_counter(reg, "series_total", "Series.", "k", NULL);
	s1 = CP_SERIES(m, "a");
	s2 = CP_SERIES(m, "a");
	CHECK(s1 && s1 == s2 && CP_SERIES(m, "b") != s1, "series identity");
	CHECK(cp_metric_series(m, NULL) == NULL, "values needed");
	cp_series_add(s1, 5);
	cp_series_set(s1, -3);   /* a counter set below zero: 0 */
	CHECK(cp_series_value(s1) == 0, "counter clamps at 0");
	cp_series_set(s1, 9);
	cp_series_gauge_add(s1, -1);  /* counters never go down */
	CHECK(cp_series_value(s1) == 9, "counter %g", cp_series_value(s1));
	cp_metric_remove_series(m, (const char *const[]){ "a" });
	cp_metric_remove_series(m, (const char *const[]){ "zzz" });
	cp_series_inc(CP_SERIES(m, "c"));
	g = cp_metrics_gauge(reg, "g", "", NULL);
	cp_series_set_counter(cp_metric_series(g, NULL), 12);
	CHECK(cp_series_value(cp_metric_series(g, NULL)) == 12, "gauge from a count");
	text = cp_metrics_render(reg, NULL);
	CHECK(text && strstr(text, "# TYPE series_total counter\nseries_total{k=\"b\"} 0\n"
				   "series_total{k=\"c\"} 1\n# TYPE g gauge\ng 12\n"),
	      "after removal:\n%s", text);
	free(text);
	/* Removing the last series keeps the tail right. */
	cp_metric_remove_series(m, (const char *const[]){ "c" });
	cp_series_inc(CP_SERIES(m, "d"));
	text = cp_metrics_render(reg, NULL);
	CHECK(text && strstr(text, "series_total{k=\"b\"} 0\nseries_total{k=\"d\"} 1\n"),
	      "tail:\n%s", text);
	free(text);
	cp_metrics_free(reg);
	cp_metrics_free(NULL);
}

static void collect(struct cp_metrics *reg, void *arg)
{
	int *calls = arg;

	(*calls)++;
	cp_series_set(cp_metric_series(cp_metrics_find(reg, "collected"), NULL), *calls * 10);
}

static void check_collectors(void)
{
	struct cp_metrics *reg = cp_metrics_new();
	int calls = 0;
	char *text;

	cp_metrics_gauge(reg, "collected", "From a collector.", NULL);
	CHECK(cp_metrics_add_collector(reg, collect, &calls) == 0, "add collector");
	text = cp_metrics_render(reg, NULL);
	free(text);
	text = cp_metrics_render(reg, NULL);
	CHECK(calls == 2 && text && strstr(text, "\ncollected 20\n"), "collector: %d\n%s", calls,
	      text);
	free(text);
	cp_metrics_free(reg);
}

/* ---- HTTP --------------------------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int client(int port, int family)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
		CHECK(0, "connect to port %d: %s", port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

struct exchange {
	char resp[1 << 16];
	size_t len;
	bool closed;
};

/* Sends req (len bytes) on fd while the server runs, and reads until the
 * server closes or timeout_ms pass. */
static void exchange(struct cp_metrics_http *h, int fd, const char *req, size_t len,
		     int timeout_ms, struct exchange *x)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	size_t off = 0;

	x->len = 0;
	x->closed = false;
	while (now_ms() < deadline) {
		ssize_t n;

		if (off < len) {
			n = send(fd, req + off, len - off, MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				off = len;  /* the server is gone: read what it said */
		}
		cp_metrics_http_poll_once(h, 5);
		n = recv(fd, x->resp + x->len, sizeof(x->resp) - 1 - x->len, 0);
		if (n > 0)
			x->len += (size_t)n;
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			x->closed = true;
			break;
		}
	}
	x->resp[x->len] = '\0';
}

static const char *body_of(const struct exchange *x)
{
	const char *p = strstr(x->resp, "\r\n\r\n");

	return p ? p + 4 : "";
}

static void request(struct cp_metrics_http *h, const char *req, struct exchange *x)
{
	int fd = client(cp_metrics_http_port(h), AF_INET);

	if (fd < 0) {
		x->len = 0;
		x->resp[0] = '\0';
		x->closed = false;
		return;
	}
	exchange(h, fd, req, strlen(req), 3000, x);
	close(fd);
}

static void check_http_answers(struct cp_metrics_http *h, const char *text)
{
	static struct exchange x;
	char want[256];

	request(h, "GET /metrics HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\n\r\n", &x);
	snprintf(want, sizeof(want),
		 "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(text));
	CHECK(x.closed && strncmp(x.resp, want, strlen(want)) == 0 &&
	      strcmp(body_of(&x), text) == 0, "GET /metrics:\n%s", x.resp);

	request(h, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &x);
	CHECK(x.closed && strcmp(x.resp, want) == 0, "HEAD:\n%s", x.resp);

	request(h, "GET /metrics?name[]=strata_rooms HTTP/1.1\r\n\r\n", &x);
	CHECK(strncmp(x.resp, "HTTP/1.1 200 OK\r\n", 17) == 0, "query string: %s", x.resp);
	request(h, "GET /metrics HTTP/1.0\n\n", &x);
	CHECK(strncmp(x.resp, "HTTP/1.1 200 OK\r\n", 17) == 0, "LF only, HTTP/1.0: %s", x.resp);

	request(h, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &x);
	CHECK(x.closed && strcmp(x.resp, "HTTP/1.1 404 Not Found\r\n"
			"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 24\r\n"
			"Connection: close\r\n\r\nnot found: try /metrics\n") == 0, "404:\n%s", x.resp);
	request(h, "GET /metricsx HTTP/1.1\r\n\r\n", &x);
	CHECK(strncmp(x.resp, "HTTP/1.1 404 ", 13) == 0, "/metricsx: %s", x.resp);
	request(h, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &x);
	CHECK(x.closed && strncmp(x.resp, "HTTP/1.1 405 Method Not Allowed\r\n", 33) == 0 &&
	      strstr(x.resp, "\r\nAllow: GET, HEAD\r\n"), "405:\n%s", x.resp);
}

static void check_http_refusals(struct cp_metrics_http *h)
{
	static const struct {
		const char *name, *req;
		const char *status;
	} rows[] = {
		{ "not HTTP", "hello\r\n\r\n", "400 Bad Request" },
		{ "garbage first line, no end", "\x16\x03\x01\x02\x05\x01\x07\x01\xfc\x03\x03\r\n",
		  "400 Bad Request" },
		{ "HTTP/2", "GET /metrics HTTP/2.0\r\n\r\n", "400 Bad Request" },
		{ "no version", "GET /metrics\r\n\r\n", "400 Bad Request" },
		{ "relative target", "GET metrics HTTP/1.1\r\n\r\n", "400 Bad Request" },
		{ "lower-case method", "get /metrics HTTP/1.1\r\n\r\n", "400 Bad Request" },
		{ "two spaces", "GET  /metrics HTTP/1.1\r\n\r\n", "400 Bad Request" },
		{ "header without colon", "GET /metrics HTTP/1.1\r\nBadHeader\r\n\r\n",
		  "400 Bad Request" },
		{ "folded header", "GET /metrics HTTP/1.1\r\nA: b\r\n continued\r\n\r\n",
		  "400 Bad Request" },
		{ "space before colon", "GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n", "400 Bad Request" },
		{ "control in a header", "GET /metrics HTTP/1.1\r\nA: b\x01\r\n\r\n", "400 Bad Request" },
	};
	static struct exchange x;
	static char big[9000];

	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char want[64];

		snprintf(want, sizeof(want), "HTTP/1.1 %s\r\n", rows[i].status);
		request(h, rows[i].req, &x);
		CHECK(x.closed && strncmp(x.resp, want, strlen(want)) == 0, "%s: %s", rows[i].name,
		      x.resp);
	}
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "GET /metrics HTTP/1.1\r\nX-Big: ", 30);
	request(h, big, &x);
	CHECK(x.closed && strncmp(x.resp, "HTTP/1.1 431 Request Header Fields Too Large\r\n", 46) == 0,
	      "431: %s", x.resp);
}

/* A client that never finishes its request: another is served meanwhile,
 * and it is closed at the timeout.  A client that sends more after its
 * request still gets the whole answer (the server lingers). */
static void check_http_clients(struct cp_metrics_http *h, const char *text)
{
	static struct exchange x, y;
	struct cp_metrics_http_stats before, after;
	uint64_t start;
	int slow, fd;
	char *flood;

	cp_metrics_http_get_stats(h, &before);
	cp_metrics_http_set_timeout(h, 300);
	slow = client(cp_metrics_http_port(h), AF_INET);
	if (send(slow, "GET /metr", 9, MSG_NOSIGNAL) != 9)
		CHECK(0, "partial send");
	start = now_ms();
	request(h, "GET /metrics HTTP/1.1\r\n\r\n", &x);
	CHECK(strcmp(body_of(&x), text) == 0 && now_ms() - start < 250,
	      "served next to a slow client");
	exchange(h, slow, "", 0, 3000, &y);
	CHECK(y.closed && y.len == 0 && now_ms() - start >= 280, "slow client closed after %llu ms",
	      (unsigned long long)(now_ms() - start));
	close(slow);
	cp_metrics_http_set_timeout(h, 0);
	cp_metrics_http_get_stats(h, &after);
	CHECK(after.timed_out == before.timed_out + 1, "timed out");

	flood = malloc(200000);
	memset(flood, 'g', 200000);
	memcpy(flood, "GET /metrics HTTP/1.1\r\n\r\n", 25);
	fd = client(cp_metrics_http_port(h), AF_INET);
	exchange(h, fd, flood, 200000, 5000, &x);
	CHECK(x.closed && strcmp(body_of(&x), text) == 0, "answer whole despite more data (%zu bytes)",
	      x.len);
	close(fd);
	free(flood);

	/* 40 idle connections: 32 are kept, the rest closed at once. */
	{
		int fds[40];
		size_t closed = 0;

		for (int i = 0; i < 40; i++)
			fds[i] = client(cp_metrics_http_port(h), AF_INET);
		for (int i = 0; i < 20; i++)
			cp_metrics_http_poll_once(h, 5);
		for (int i = 0; i < 40; i++) {
			char c;
			ssize_t n = recv(fds[i], &c, 1, 0);

			if (n == 0 || (n < 0 && errno != EAGAIN))
				closed++;
		}
		cp_metrics_http_get_stats(h, &after);
		CHECK(closed == 8 && after.refused == before.refused + 8, "limit: %zu closed", closed);
		for (int i = 0; i < 40; i++)
			close(fds[i]);
		for (int i = 0; i < 20; i++)
			cp_metrics_http_poll_once(h, 5);
	}
}

/* Push mode: the responder announces its descriptors. */
static struct pollfd watched[64];
static size_t n_watched;

static void w_update(void *ctx, int fd, short events)
{
	(void)ctx;
	for (size_t i = 0; i < n_watched; i++)
		if (watched[i].fd == fd) {
			watched[i].events = events;
			return;
		}
	watched[n_watched++] = (struct pollfd){ .fd = fd, .events = events };
}

static void w_remove(void *ctx, int fd)
{
	(void)ctx;
	for (size_t i = 0; i < n_watched; i++)
		if (watched[i].fd == fd) {
			watched[i] = watched[--n_watched];
			return;
		}
}

static void check_http_watch(struct cp_metrics_http *h, const char *text)
{
	struct cp_fdwatch w = { w_update, w_remove, NULL };
	static struct exchange x;
	uint64_t deadline;
	int fd;

	cp_metrics_http_set_watch(h, &w);
	CHECK(n_watched == 1, "the listening socket announced");
	fd = client(cp_metrics_http_port(h), AF_INET);
	if (send(fd, "GET /metrics HTTP/1.1\r\n\r\n", 25, MSG_NOSIGNAL) != 25)
		CHECK(0, "send");
	x.len = 0;
	deadline = now_ms() + 3000;
	while (now_ms() < deadline) {
		struct pollfd p[64];
		size_t n = n_watched;
		ssize_t k;

		memcpy(p, watched, n * sizeof(*p));
		poll(p, n, 5);
		for (size_t i = 0; i < n; i++)
			if (p[i].revents)
				cp_metrics_http_handle(h, p[i].fd, p[i].revents);
		cp_metrics_http_run_timers(h);
		k = recv(fd, x.resp + x.len, sizeof(x.resp) - 1 - x.len, MSG_DONTWAIT);
		if (k > 0)
			x.len += (size_t)k;
		if (k == 0)
			break;
	}
	x.resp[x.len] = '\0';
	CHECK(strcmp(body_of(&x), text) == 0, "push mode answer");
	close(fd);
	for (int i = 0; i < 50 && n_watched > 1; i++) {
		struct pollfd p[64];
		size_t n = n_watched;

		memcpy(p, watched, n * sizeof(*p));
		poll(p, n, 10);
		for (size_t k = 0; k < n; k++)
			if (p[k].revents)
				cp_metrics_http_handle(h, p[k].fd, p[k].revents);
	}
	CHECK(n_watched == 1, "the connection was removed (%zu watched)", n_watched);
	cp_metrics_http_set_watch(h, NULL);
}

static void check_http(void)
{
	struct cp_metrics *reg = golden_registry();
	char err[256], addr[64];
	struct cp_metrics_http *h = cp_metrics_http_open(reg, "127.0.0.1:0", err, sizeof(err));
	struct cp_metrics_http_stats st;
	char *text;

	CHECK(h != NULL, "open: %s", err);
	if (!h)
		return;
	CHECK(cp_metrics_http_port(h) > 0, "port %d", cp_metrics_http_port(h));
	text = cp_metrics_render(reg, NULL);
	check_http_answers(h, text);
	check_http_refusals(h);
	check_http_clients(h, text);
	check_http_watch(h, text);
	cp_metrics_http_get_stats(h, &st);
	CHECK(st.ok >= 6 && st.not_found == 2 && st.bad_method == 1 && st.bad_request == 11 &&
	      st.too_large == 1, "stats: ok %llu 404 %llu 405 %llu 400 %llu 431 %llu",
	      (unsigned long long)st.ok, (unsigned long long)st.not_found,
	      (unsigned long long)st.bad_method, (unsigned long long)st.bad_request,
	      (unsigned long long)st.too_large);

	/* The same port again: in use, and the message says what to do. */
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", cp_metrics_http_port(h));
	CHECK(cp_metrics_http_open(reg, addr, err, sizeof(err)) == NULL &&
	      strstr(err, "Address already in use: is another strata-cp running?"), "in use: %s",
	      err);
	cp_metrics_http_close(h);

	/* IPv6, when the machine has it. */
	{
		int s6 = socket(AF_INET6, SOCK_STREAM, 0);
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };

		if (s6 >= 0 && bind(s6, (struct sockaddr *)&a, sizeof(a)) == 0) {
			static struct exchange x;
			int fd;

			close(s6);
			h = cp_metrics_http_open(reg, "[::1]:0", err, sizeof(err));
			CHECK(h != NULL, "[::1]: %s", err);
			if (h) {
				fd = client(cp_metrics_http_port(h), AF_INET6);
				exchange(h, fd, "GET /metrics HTTP/1.1\r\n\r\n", 25, 3000, &x);
				CHECK(strcmp(body_of(&x), text) == 0, "IPv6 answer");
				close(fd);
				cp_metrics_http_close(h);
			}
		} else {
			printf("skip: no IPv6 loopback\n");
			if (s6 >= 0)
				close(s6);
		}
	}
	free(text);
	cp_metrics_free(reg);
}

static void check_addresses(void)
{
	static const char *const bad[] = {
		"nohost", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", ":9464", "[::1]9464", "[::1",
		"[]:1", "127.0.0.1:abc", "127.0.0.1:-1", "::1:9464", "",
	};
	char err[256];

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		err[0] = '\0';
		CHECK(cp_metrics_http_open(NULL, bad[i], err, sizeof(err)) == NULL &&
		      strstr(err, "bad metrics address") && strstr(err, "127.0.0.1:9464"),
		      "address \"%s\": %s", bad[i], err);
	}
	CHECK(cp_metrics_http_open(NULL, NULL, err, sizeof(err)) == NULL, "NULL address");
	{
		struct cp_metrics_http *h = cp_metrics_http_open(NULL, "localhost:0", err, sizeof(err));

		CHECK(h && cp_metrics_http_port(h) > 0, "localhost: %s", h ? "" : err);
		cp_metrics_http_close(h);
	}
	CHECK(strcmp(CP_METRICS_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8") == 0,
	      "content type");
}

int main(void)
{
	int logfd = open("/dev/null", O_WRONLY);

	cp_log_set_fd(logfd);
	check_golden();
	check_registry();
	check_collectors();
	check_http();
	check_addresses();
	cp_log_set_fd(2);
	close(logfd);
	return test_summary("cp_metrics");
}
