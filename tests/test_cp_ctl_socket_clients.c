/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Many clients of one control socket at once, over a real socket, none of
 * which may hold up the others: pipelined requests and a last line
 * without its newline; 40 clients whose requests arrive in pieces,
 * interleaved; a half-open client that never ends its line and a silent
 * one (others served at once, both closed at the idle timeout); a 1 MiB
 * line ("line too long", closed, others fine); the longest line that is
 * allowed; a client that sends without reading (its replies wait, others
 * do not); deferred replies (order kept on their connection, other
 * connections served meanwhile, a client gone before its reply); the
 * connection limit.
 *
 * Everything runs twice: with the server loop pulling descriptors
 * (ctl_pollfds) and with ctl pushing them (struct cp_fdwatch).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include "cp_ctl_fixture.h"
#include "test_util.h"

static struct ctl_reply_reader rd;
static struct fx_stream stream;

static bool reply_is(struct fx_stream *s, bool ok, const char *body, int timeout_ms)
{
	int rc = fx_next_reply(s, timeout_ms, &rd);

	if (rc != 0) {
		fprintf(stderr, "  no reply: %s\n", strerror(-rc));
		return false;
	}
	if (rd.ok != ok || rd.body.len != strlen(body) || memcmp(rd.body.p, body, rd.body.len)) {
		fprintf(stderr, "  reply %s \"%.*s\", want %s \"%s\"\n", rd.ok ? "OK" : "ERR",
			(int)(rd.body.len > 200 ? 200 : rd.body.len), rd.body.p, ok ? "OK" : "ERR",
			body);
		return false;
	}
	return true;
}

static void check_basic(struct ctl_fixture *f)
{
	char body[256];
	bool ok;
	int fd;

	CHECK(fx_request(f->path, "echo a \"b c\"", &ok, body, sizeof(body)) == 0 && ok &&
	      strcmp(body, "[a][b c]\n") == 0, "echo: %s", body);
	CHECK(fx_request(f->path, "echo x --json", &ok, body, sizeof(body)) == 0 && ok &&
	      strcmp(body, "{\"args\":[\"x\"]}\n") == 0, "json: %s", body);
	CHECK(fx_request(f->path, "nope", &ok, body, sizeof(body)) == 0 && !ok &&
	      strcmp(body, "unknown command \"nope\" (try \"help\")\n") == 0, "unknown: %s", body);

	/* Three requests in one write, then a last one without "\n". */
	fd = ctl_client_connect(f->path);
	fx_stream_init(&stream, fd);
	CHECK(fx_send(fd, "echo 1\necho 2\r\n\necho 3\n", 23) == 0, "send");
	CHECK(reply_is(&stream, true, "[1]\n", 2000), "pipelined 1");
	CHECK(reply_is(&stream, true, "[2]\n", 2000), "pipelined 2");
	CHECK(reply_is(&stream, false, "empty request: try \"help\"\n", 2000), "empty line");
	CHECK(reply_is(&stream, true, "[3]\n", 2000), "pipelined 3");
	CHECK(fx_send(fd, "echo 4", 6) == 0 && shutdown(fd, SHUT_WR) == 0, "half close");
	CHECK(reply_is(&stream, true, "[4]\n", 2000), "the line before EOF");
	CHECK(fx_wait_closed(fd, 2000), "closed after EOF");
	close(fd);

	/* A thousand requests on one connection. */
	fd = ctl_client_connect(f->path);
	fx_stream_init(&stream, fd);
	for (int i = 0; i < 1000; i++) {
		char req[32], want[32];

		snprintf(req, sizeof(req), "echo %d\n", i);
		snprintf(want, sizeof(want), "[%d]\n", i);
		if (fx_send(fd, req, strlen(req)) < 0 || !reply_is(&stream, true, want, 2000)) {
			CHECK(0, "request %d of 1000", i);
			break;
		}
	}
	close(fd);
}

#define N_CLIENTS 40

/* Forty clients, each sending its request in two pieces with the others'
 * in between; every reply must be its own. */
static void check_concurrent(struct ctl_fixture *f)
{
	static struct fx_stream s[N_CLIENTS];
	char req[N_CLIENTS][64];
	bool done[N_CLIENTS] = { false };
	int n_done = 0;
	uint64_t deadline;

	for (int i = 0; i < N_CLIENTS; i++) {
		int fd = ctl_client_connect(f->path);

		CHECK(fd >= 0, "client %d: connect %s", i, strerror(-fd));
		if (fd < 0)
			return;
		fx_stream_init(&s[i], fd);
		snprintf(req[i], sizeof(req[i]), "echo client-%d \"with space %d\"\n", i, i);
	}
	for (int i = 0; i < N_CLIENTS; i++)
		fx_send(s[i].fd, req[i], 7);
	for (int i = N_CLIENTS - 1; i >= 0; i--)
		fx_send(s[i].fd, req[i] + 7, strlen(req[i]) - 7);
	deadline = fx_now_ms() + 5000;
	while (n_done < N_CLIENTS && fx_now_ms() < deadline) {
		for (int i = 0; i < N_CLIENTS; i++) {
			char want[64];

			if (done[i])
				continue;
			if (fx_next_reply(&s[i], 5, &rd) != 0)
				continue;
			snprintf(want, sizeof(want), "[client-%d][with space %d]\n", i, i);
			CHECK(rd.ok && strcmp(rd.body.p, want) == 0, "client %d: %s", i, rd.body.p);
			done[i] = true;
			n_done++;
		}
	}
	CHECK(n_done == N_CLIENTS, "%d of %d clients answered", n_done, N_CLIENTS);
	for (int i = 0; i < N_CLIENTS; i++)
		close(s[i].fd);
}

/* A client that never ends its line and one that says nothing: the
 * others are served at once; both are closed at the idle timeout (1 s),
 * the first with a reason. */
static void check_half_open(struct ctl_fixture *f)
{
	int half = ctl_client_connect(f->path), silent = ctl_client_connect(f->path);
	uint64_t start = fx_now_ms(), took;
	char body[64];
	bool ok;

	fx_stream_init(&stream, half);
	CHECK(fx_send(half, "echo never-ends", 15) == 0, "half send");
	for (int i = 0; i < 20; i++)
		CHECK(fx_request(f->path, "echo other", &ok, body, sizeof(body)) == 0 && ok,
		      "other client %d", i);
	took = fx_now_ms() - start;
	CHECK(took < 800, "20 other clients took %llu ms", (unsigned long long)took);
	CHECK(reply_is(&stream, false, "idle timeout: the request line never ended\n", 4000),
	      "half-open client told why");
	took = fx_now_ms() - start;
	CHECK(took >= 900, "closed after %llu ms, before the idle timeout", (unsigned long long)took);
	CHECK(fx_wait_closed(half, 2000), "half-open client closed");
	CHECK(fx_wait_closed(silent, 3000), "silent client closed");
	close(half);
	close(silent);
}

struct flood {
	int fd;
	size_t len;
	int result;   /* 0: all sent; else -errno */
};

static void *flood_main(void *arg)
{
	struct flood *fl = arg;
	char *line = malloc(fl->len);

	memset(line, 'z', fl->len);
	memcpy(line, "echo ", 5);
	line[fl->len - 1] = '\n';
	fl->result = fx_send(fl->fd, line, fl->len);
	free(line);
	return NULL;
}

/* A 1 MiB line: "line too long", closed; others served meanwhile. */
static void check_long_lines(struct ctl_fixture *f)
{
	struct flood fl = { .len = 1u << 20 };
	char body[CTL_MAX_LINE + 64], line[CTL_MAX_LINE + 8];
	pthread_t t;
	bool ok;

	fl.fd = ctl_client_connect(f->path);
	fx_stream_init(&stream, fl.fd);
	pthread_create(&t, NULL, flood_main, &fl);
	CHECK(fx_request(f->path, "echo during", &ok, body, sizeof(body)) == 0 && ok,
	      "served during the flood");
	CHECK(reply_is(&stream, false,
		       "line too long (a request is at most 4096 bytes with its newline)\n", 5000),
	      "1 MiB line refused");
	CHECK(fx_wait_closed(fl.fd, 3000), "closed after the long line");
	pthread_join(t, NULL);
	CHECK(fl.result == -EPIPE || fl.result == -ECONNRESET, "the flood's send: %s",
	      strerror(-fl.result));
	close(fl.fd);
	CHECK(fx_request(f->path, "echo after", &ok, body, sizeof(body)) == 0 && ok,
	      "served after the flood");

	/* The longest line allowed: 4095 bytes and its newline. */
	memset(line, 'y', CTL_MAX_LINE - 1);
	memcpy(line, "echo ", 5);
	line[CTL_MAX_LINE - 1] = '\0';
	CHECK(fx_request(f->path, line, &ok, body, sizeof(body)) == 0 && ok &&
	      strlen(body) == CTL_MAX_LINE - 6 + 3, "longest line: %zu", strlen(body));
	line[CTL_MAX_LINE - 1] = 'y';
	line[CTL_MAX_LINE] = '\0';
	CHECK(fx_request(f->path, line, &ok, body, sizeof(body)) == 0 && !ok &&
	      strncmp(body, "line too long", 13) == 0, "one byte more: %s", body);
}

/* A client that sends 40 requests for 100 kB replies without reading:
 * another client is served meanwhile, and then every reply arrives, in
 * order, whole. */
static void check_slow_reader(struct ctl_fixture *f)
{
	int fd = ctl_client_connect(f->path);
	char body[64];
	bool ok;
	uint64_t start;

	fx_stream_init(&stream, fd);
	for (int i = 0; i < 40; i++)
		fx_send(fd, "big 100000\n", 11);
	fx_sleep_ms(100);
	start = fx_now_ms();
	CHECK(fx_request(f->path, "echo fast", &ok, body, sizeof(body)) == 0 && ok,
	      "served while another does not read");
	CHECK(fx_now_ms() - start < 500, "took %llu ms", (unsigned long long)(fx_now_ms() - start));
	for (int i = 0; i < 40; i++) {
		int rc = fx_next_reply(&stream, 3000, &rd);

		if (rc != 0 || !rd.ok || rd.body.len != 100000 || rd.body.p[99999] != '\n') {
			CHECK(0, "big reply %d: %s, %s, %zu bytes: %.60s", i, strerror(-rc),
			      rd.ok ? "OK" : "ERR", rd.body.len, rd.body.p ? rd.body.p : "");
			break;
		}
	}
	close(fd);
}

/* Deferred replies keep their connection's order and hold nobody else. */
static void check_deferred(struct ctl_fixture *f)
{
	int fd = ctl_client_connect(f->path), gone;
	uint64_t start = fx_now_ms();
	char body[64];
	bool ok;

	fx_stream_init(&stream, fd);
	CHECK(fx_send(fd, "slow 300\necho after-slow\n", 25) == 0, "send");
	CHECK(fx_request(f->path, "echo meanwhile", &ok, body, sizeof(body)) == 0 && ok &&
	      fx_now_ms() - start < 250, "another client during a deferred reply");
	CHECK(reply_is(&stream, true, "slow done\n", 3000) && fx_now_ms() - start >= 280,
	      "the deferred reply after %llu ms", (unsigned long long)(fx_now_ms() - start));
	CHECK(reply_is(&stream, true, "[after-slow]\n", 1000), "then the next request");
	close(fd);

	/* A client gone before its deferred reply. */
	gone = ctl_client_connect(f->path);
	CHECK(fx_send(gone, "slow 100\n", 9) == 0, "send");
	close(gone);
	fx_sleep_ms(300);
	CHECK(fx_request(f->path, "echo still-fine", &ok, body, sizeof(body)) == 0 && ok,
	      "after a client left its deferred reply");
}

static void run_all(bool use_watch)
{
	struct ctl_fixture f;
	char *audit;

	printf("%s mode\n", use_watch ? "push (cp_fdwatch)" : "pull (ctl_pollfds)");
	ctl_fixture_start(&f, NULL, use_watch);
	check_basic(&f);
	check_concurrent(&f);
	check_half_open(&f);
	check_long_lines(&f);
	check_slow_reader(&f);
	check_deferred(&f);
	audit = ctl_fixture_audit(&f);
	CHECK(strstr(audit, "\"command\":\"slow\",\"args\":[\"100\"],\"result\":\"ok\""),
	      "the orphaned deferred reply was audited");
	CHECK(strstr(audit, "\"command\":null,\"result\":\"error\",\"error\":\"line too long\""),
	      "the long line was audited");
	free(audit);
	fx_sleep_ms(300);  /* the server sees the last clients leave */
	ctl_fixture_stop(&f);
	CHECK(f.stats.too_long == 2, "too_long %llu", (unsigned long long)f.stats.too_long);
	CHECK(f.stats.timed_out >= 2, "timed_out %llu", (unsigned long long)f.stats.timed_out);
	CHECK(f.stats.requests_ok > 1000, "requests_ok %llu",
	      (unsigned long long)f.stats.requests_ok);
	CHECK(f.stats.connections == 0, "connections left %u", f.stats.connections);
}

/* At most max_connections: the next is told and closed; a slot frees up
 * when a client leaves. */
static void check_limit(void)
{
	struct ctl_options opt = { .idle_timeout_ms = 5000, .max_connections = 4 };
	struct ctl_fixture f;
	int fds[5];
	char body[128];
	bool ok;

	ctl_fixture_start(&f, &opt, false);
	for (int i = 0; i < 4; i++) {
		fds[i] = ctl_client_connect(f.path);
		fx_stream_init(&stream, fds[i]);
		fx_send(fds[i], "echo in\n", 8);
		CHECK(reply_is(&stream, true, "[in]\n", 2000), "client %d in", i);
	}
	CHECK(fx_request(f.path, "echo fifth", &ok, body, sizeof(body)) == 0 && !ok &&
	      strcmp(body, "too many control connections (4): try again later\n") == 0,
	      "fifth: %s", body);
	close(fds[0]);
	fx_sleep_ms(100);
	CHECK(fx_request(f.path, "echo fifth", &ok, body, sizeof(body)) == 0 && ok,
	      "after one left: %s", body);
	for (int i = 1; i < 4; i++)
		close(fds[i]);
	ctl_fixture_stop(&f);
	CHECK(f.stats.refused_limit == 1, "refused_limit %llu",
	      (unsigned long long)f.stats.refused_limit);
}

int main(void)
{
	run_all(false);
	run_all(true);
	check_limit();
	ctl_reply_reader_free(&rd);
	return test_summary("cp_ctl_socket_clients");
}
