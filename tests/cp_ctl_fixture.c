/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket tests' server thread and client helpers
 * (cp_ctl_fixture.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>

#include "cp_ctl_fixture.h"
#include "log.h"

uint64_t fx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void fx_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- The test commands (on the server thread) ----------------------------- */

#define MAX_SLOW 64

/* Deferred replies of "slow", finished by the loop when due. */
struct slow {
	struct ctl_reply *r;
	uint64_t due;
};

struct server {
	struct ctl_fixture *f;
	struct slow slow[MAX_SLOW];
	size_t n_slow;
	/* Push mode: what ctl announced. */
	struct pollfd watched[256];
	size_t n_watched;
};

static void h_echo(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)arg;
	if (req->json) {
		json_t *a = json_array();

		for (int i = 0; i < req->argc; i++)
			json_array_append_new(a, json_string(req->argv[i]));
		ctl_reply_json(r, json_pack("{s:o}", "args", a));
		return;
	}
	for (int i = 0; i < req->argc; i++)
		ctl_reply_printf(r, "[%s]", req->argv[i]);
	ctl_reply_printf(r, "\n");
}

static void h_big(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	long n = strtol(req->argv[0], NULL, 10);
	char *p;

	(void)arg;
	if (n < 1 || n > (1 << 24)) {
		ctl_reply_error(r, "big takes 1 to %d", 1 << 24);
		return;
	}
	p = malloc((size_t)n);
	memset(p, 'x', (size_t)n - 1);
	p[n - 1] = '\n';
	ctl_reply_append(r, p, (size_t)n);
	free(p);
}

static void h_slow(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	struct server *s = arg;

	if (s->n_slow == MAX_SLOW) {
		ctl_reply_error(r, "too many slow requests");
		return;
	}
	ctl_reply_defer(r);
	s->slow[s->n_slow].r = r;
	s->slow[s->n_slow].due = fx_now_ms() + (uint64_t)strtoul(req->argv[0], NULL, 10);
	s->n_slow++;
}

static void h_whoami(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)arg;
	ctl_reply_printf(r, "uid=%u pid=%d\n", (unsigned)req->uid, (int)req->pid);
}

static void h_stored(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)req, (void)arg;
	ctl_reply_printf(r, "stored\n");
}

static void finish_due(struct server *s, bool all)
{
	uint64_t now = fx_now_ms();
	size_t k = 0;

	for (size_t i = 0; i < s->n_slow; i++) {
		if (all || s->slow[i].due <= now) {
			ctl_reply_printf(s->slow[i].r, "slow done\n");
			ctl_reply_finish(s->slow[i].r);
		} else {
			s->slow[k++] = s->slow[i];
		}
	}
	s->n_slow = k;
}

/* ---- Push mode: the watch callbacks keep a pollfd table ---------------------- */

static void watch_update(void *ctx, int fd, short events)
{
	struct server *s = ctx;

	for (size_t i = 0; i < s->n_watched; i++)
		if (s->watched[i].fd == fd) {
			s->watched[i].events = events;
			return;
		}
	if (s->n_watched < 256)
		s->watched[s->n_watched++] = (struct pollfd){ .fd = fd, .events = events };
}

static void watch_remove(void *ctx, int fd)
{
	struct server *s = ctx;

	for (size_t i = 0; i < s->n_watched; i++)
		if (s->watched[i].fd == fd) {
			s->watched[i] = s->watched[--s->n_watched];
			return;
		}
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	struct ctl_fixture *f = s->f;
	struct pollfd pfd[300];

	for (;;) {
		size_t n;
		int t = ctl_timeout_ms(f->ctl);

		if (f->use_watch) {
			n = s->n_watched;
			memcpy(pfd, s->watched, n * sizeof(*pfd));
		} else {
			n = ctl_pollfds(f->ctl, pfd, 299);
		}
		pfd[n] = (struct pollfd){ .fd = f->wake[0], .events = POLLIN };
		for (size_t i = 0; i < s->n_slow; i++) {
			uint64_t now = fx_now_ms();
			int left = s->slow[i].due > now ? (int)(s->slow[i].due - now) : 0;

			if (t < 0 || left < t)
				t = left;
		}
		if (t < 0 || t > 100)
			t = 100;
		if (poll(pfd, n + 1, t) < 0 && errno != EINTR)
			break;
		if (pfd[n].revents)
			break;
		for (size_t i = 0; i < n; i++)
			if (pfd[i].revents)
				ctl_handle(f->ctl, pfd[i].fd, pfd[i].revents);
		ctl_run_timers(f->ctl);
		finish_due(s, false);
	}
	finish_due(s, true);
	return NULL;
}

/* ---- Start and stop -------------------------------------------------------------- */

static struct server *the_server;

void ctl_fixture_start(struct ctl_fixture *f, const struct ctl_options *opt, bool use_watch)
{
	struct ctl_options def = { .idle_timeout_ms = 1000, .max_connections = 64 };
	struct server *s = calloc(1, sizeof(*s));
	char err[512], name[160];

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/strata-ctl-XXXXXX");
	if (!s || !mkdtemp(f->dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(f->path, sizeof(f->path), "%s/run/ctl.sock", f->dir);
	snprintf(name, sizeof(name), "%s/audit", f->dir);
	f->audit_fd = open(name, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	snprintf(name, sizeof(name), "%s/log", f->dir);
	f->log_fd = open(name, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (f->audit_fd < 0 || f->log_fd < 0 || pipe2(f->wake, O_CLOEXEC) < 0) {
		perror("fixture files");
		exit(1);
	}
	cp_audit_set_fd(f->audit_fd);
	cp_log_set_fd(f->log_fd);

	s->f = f;
	f->use_watch = use_watch;
	f->ctl = ctl_new(opt ? opt : &def);
	if (!f->ctl ||
	    ctl_register(f->ctl, "echo", "echo [ARG...]", 0, CTL_ARGS_ANY, h_echo, s) < 0 ||
	    ctl_register(f->ctl, "big", "big N", 1, 1, h_big, s) < 0 ||
	    ctl_register(f->ctl, "slow", "slow MS", 1, 1, h_slow, s) < 0 ||
	    ctl_register(f->ctl, "whoami", "whoami", 0, 0, h_whoami, s) < 0 ||
	    ctl_register(f->ctl, "app add", "app add APP KEY", 2, 2, h_stored, s) < 0 ||
	    ctl_set_secret(f->ctl, "app add", "2") < 0) {
		fprintf(stderr, "fixture: cannot make the table\n");
		exit(1);
	}
	if (use_watch) {
		struct cp_fdwatch w = { watch_update, watch_remove, s };

		ctl_set_watch(f->ctl, &w);
	}
	if (ctl_listen(f->ctl, f->path, err, sizeof(err)) < 0) {
		fprintf(stderr, "fixture: %s\n", err);
		exit(1);
	}
	the_server = s;
	if (pthread_create(&f->thread, NULL, server_main, s) != 0) {
		fprintf(stderr, "fixture: pthread_create failed\n");
		exit(1);
	}
	f->running = true;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void ctl_fixture_stop(struct ctl_fixture *f)
{
	if (!f->running)
		return;
	if (write(f->wake[1], "x", 1) != 1)
		perror("wake");
	pthread_join(f->thread, NULL);
	f->running = false;
	ctl_get_stats(f->ctl, &f->stats);
	ctl_free(f->ctl);
	f->ctl = NULL;
	free(the_server);
	the_server = NULL;
	cp_audit_set_fd(2);
	cp_log_set_fd(2);
	close(f->wake[0]);
	close(f->wake[1]);
	close(f->audit_fd);
	close(f->log_fd);
	nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *read_all(int fd)
{
	off_t n = lseek(fd, 0, SEEK_END);
	char *p = calloc(1, (size_t)(n > 0 ? n : 0) + 1);

	if (p && n > 0 && pread(fd, p, (size_t)n, 0) != n)
		p[0] = '\0';
	return p;
}

char *ctl_fixture_audit(struct ctl_fixture *f)
{
	return read_all(f->audit_fd);
}

char *ctl_fixture_log(struct ctl_fixture *f)
{
	return read_all(f->log_fd);
}

/* ---- Clients ---------------------------------------------------------------------- */

int fx_request(const char *path, const char *line, bool *ok, char *body, size_t cap)
{
	struct ctl_reply_reader r = { 0 };
	char req[CTL_MAX_LINE + 2];
	int fd = ctl_client_connect(path), rc;
	size_t n;

	if (fd < 0)
		return fd;
	n = (size_t)snprintf(req, sizeof(req), "%s\n", line);
	rc = ctl_client_call(fd, req, n, 5000, &r);
	close(fd);
	if (rc == 0) {
		size_t k = r.body.len < cap - 1 ? r.body.len : cap - 1;

		*ok = r.ok;
		memcpy(body, r.body.p, k);
		body[k] = '\0';
	}
	ctl_reply_reader_free(&r);
	return rc;
}

void fx_stream_init(struct fx_stream *s, int fd)
{
	s->fd = fd;
	s->len = 0;
}

int fx_send(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int fx_next_reply(struct fx_stream *s, int timeout_ms, struct ctl_reply_reader *r)
{
	uint64_t deadline = fx_now_ms() + (uint64_t)timeout_ms;

	ctl_reply_reader_reset(r);
	for (;;) {
		size_t used = 0;
		enum ctl_read_result res = ctl_reply_feed(r, s->buf, s->len, &used);
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		uint64_t now;
		ssize_t n;

		memmove(s->buf, s->buf + used, s->len - used);
		s->len -= used;
		if (res == CTL_READ_DONE)
			return 0;
		if (res == CTL_READ_BAD)
			return -EPROTO;
		now = fx_now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)(deadline - now)) <= 0)
			continue;
		n = recv(s->fd, s->buf + s->len, sizeof(s->buf) - s->len, MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (n > 0)
			s->len += (size_t)n;
	}
}

bool fx_wait_closed(int fd, int timeout_ms)
{
	uint64_t deadline = fx_now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = fx_now_ms();
		char buf[4096];
		ssize_t n;

		if (now >= deadline)
			return false;
		if (poll(&p, 1, (int)(deadline - now)) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return true;
	}
}
