/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stratactl, the real binary, against a control socket served by this
 * test: what it prints where and its exit status (0 OK, 1 ERR, 2 usage or
 * connection), for text and --json, quoting of its arguments, the socket
 * from --socket or $STRATA_STATE_DIR, the messages that say what to do
 * when strata-cp cannot be reached (no socket, no permission, something
 * else on the socket, no reply in time), and a reply of 5 MB.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "cp_ctl_fixture.h"
#include "test_util.h"

#ifndef STRATACTL_PATH
#error "STRATACTL_PATH: the meson build gives stratactl's path"
#endif

struct run {
	int status;     /* exit status, or -1 */
	char *out, *err;
	size_t out_len, err_len;
};

struct how {
	const char *state_dir;  /* $STRATA_STATE_DIR: NULL unset */
	uid_t uid;              /* 0: as we are */
};

static void append(char **buf, size_t *len, const char *p, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* Runs stratactl with the arguments (NULL-terminated). */
static void run_ctl(struct run *r, const struct how *how, ...)
{
	const char *argv[32] = { "stratactl" };
	int out[2], err[2], n = 1;
	struct pollfd p[2];
	va_list ap;
	pid_t pid;

	va_start(ap, how);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	memset(r, 0, sizeof(*r));
	append(&r->out, &r->out_len, "", 0);
	append(&r->err, &r->err_len, "", 0);
	if (pipe(out) < 0 || pipe(err) < 0) {
		perror("pipe");
		exit(1);
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		if (how && how->state_dir)
			setenv("STRATA_STATE_DIR", how->state_dir, 1);
		else
			unsetenv("STRATA_STATE_DIR");
		if (how && how->uid && (setgid(how->uid) < 0 || setuid(how->uid) < 0))
			_exit(99);
		execv(STRATACTL_PATH, (char *const *)argv);
		_exit(98);
	}
	close(out[1]);
	close(err[1]);
	p[0] = (struct pollfd){ .fd = out[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = err[0], .events = POLLIN };
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		char buf[65536];

		if (poll(p, 2, 10000) <= 0)
			break;
		for (int i = 0; i < 2; i++) {
			ssize_t k;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			k = read(p[i].fd, buf, sizeof(buf));
			if (k <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
			} else if (i == 0) {
				append(&r->out, &r->out_len, buf, (size_t)k);
			} else {
				append(&r->err, &r->err_len, buf, (size_t)k);
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	waitpid(pid, &r->status, 0);
	r->status = WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Checks the exit status, and stdout and stderr unless NULL. */
static void expect(const struct run *r, int status, const char *out, const char *err,
		   const char *what)
{
	CHECK(r->status == status && (!out || strcmp(r->out, out) == 0) &&
	      (!err || strcmp(r->err, err) == 0),
	      "%s: exit %d\nstdout: %s\nstderr: %s", what, r->status, r->out, r->err);
}

#define EXPECT(r, st, out_, err_, what) expect((r), (st), (out_), (err_), (what))

static void check_replies(struct ctl_fixture *f)
{
	struct run r;
	char want[200];

	run_ctl(&r, NULL, "--socket", f->path, "help", NULL);
	EXPECT(&r, 0, NULL, "", "help");
	CHECK(strstr(r.out, "echo [ARG...]\n") && strstr(r.out, "app add APP KEY\n"), "help: %s",
	      r.out);
	run_free(&r);

	run_ctl(&r, NULL, "--socket", f->path, "echo", "a", "b c", "q\"t", "", "back\\slash", NULL);
	EXPECT(&r, 0, "[a][b c][q\"t][][back\\slash]\n", "", "quoted arguments");
	run_free(&r);
	run_ctl(&r, NULL, "--socket", f->path, "--json", "echo", "x", NULL);
	EXPECT(&r, 0, "{\"args\":[\"x\"]}\n", "", "--json first");
	run_free(&r);
	run_ctl(&r, NULL, "-s", f->path, "echo", "x", "--json", NULL);
	EXPECT(&r, 0, "{\"args\":[\"x\"]}\n", "", "--json last");
	run_free(&r);
	snprintf(want, sizeof(want), "--socket=%s", f->path);
	run_ctl(&r, NULL, want, "echo", "y", NULL);
	EXPECT(&r, 0, "[y]\n", "", "--socket=");
	run_free(&r);

	run_ctl(&r, NULL, "-s", f->path, "nope", NULL);
	EXPECT(&r, 1, "", "unknown command \"nope\" (try \"help\")\n", "unknown command");
	run_free(&r);
	run_ctl(&r, NULL, "-s", f->path, "-j", "nope", NULL);
	EXPECT(&r, 1, "{\"error\":\"unknown command \\\"nope\\\" (try \\\"help\\\")\"}\n", "",
	       "unknown command, JSON");
	run_free(&r);
	run_ctl(&r, NULL, "-s", f->path, "app", "add", "app1", NULL);
	EXPECT(&r, 1, "", "wrong number of arguments for \"app add\" (expected 2, got 1)\n"
	       "usage: app add APP KEY\n", "wrong count");
	run_free(&r);

	run_ctl(&r, NULL, "-s", f->path, "whoami", NULL);
	snprintf(want, sizeof(want), "uid=%u pid=", (unsigned)geteuid());
	CHECK(r.status == 0 && strncmp(r.out, want, strlen(want)) == 0, "whoami: %s", r.out);
	run_free(&r);

	run_ctl(&r, NULL, "-s", f->path, "big", "5000000", NULL);
	CHECK(r.status == 0 && r.out_len == 5000000 && r.out[4999999] == '\n', "5 MB reply: %zu",
	      r.out_len);
	run_free(&r);
}

static void check_usage(struct ctl_fixture *f)
{
	struct run r;

	run_ctl(&r, NULL, NULL);
	CHECK(r.status == 2 && strncmp(r.err, "usage: stratactl", 16) == 0 && !r.out[0],
	      "no command: %d %s", r.status, r.err);
	run_free(&r);
	run_ctl(&r, NULL, "--json", NULL);
	CHECK(r.status == 2 && strncmp(r.err, "usage: stratactl", 16) == 0, "only --json");
	run_free(&r);
	run_ctl(&r, NULL, "--help", NULL);
	CHECK(r.status == 0 && strncmp(r.out, "usage: stratactl", 16) == 0, "--help");
	run_free(&r);
	run_ctl(&r, NULL, "--bogus", "help", NULL);
	CHECK(r.status == 2 && strstr(r.err, "usage: stratactl"), "unknown option: %s", r.err);
	run_free(&r);
	run_ctl(&r, NULL, "-t", "abc", "help", NULL);
	EXPECT(&r, 2, "", "stratactl: --timeout takes seconds (0 to 86400), not \"abc\"\n",
	       "bad timeout");
	run_free(&r);
	run_ctl(&r, NULL, "-s", f->path, "echo", "tab\there", NULL);
	EXPECT(&r, 2, "", "stratactl: argument 2 (\"tab\there\") has a control character or is "
	       "not UTF-8: no request can carry it\n", "control character");
	run_free(&r);
}

static void check_connection_errors(struct ctl_fixture *f)
{
	struct how env = { .state_dir = NULL };
	char dir[160], want[300];
	struct run r;

	run_ctl(&r, NULL, "-s", "/nonexistent-strata/ctl.sock", "help", NULL);
	EXPECT(&r, 2, "", "stratactl: cannot connect to /nonexistent-strata/ctl.sock: No such "
	       "file or directory: is strata-cp running? (or set --socket)\n", "no socket");
	run_free(&r);

	env.state_dir = "/nonexistent-strata";
	run_ctl(&r, &env, "status", NULL);
	EXPECT(&r, 2, "", "stratactl: cannot connect to /nonexistent-strata/ctl.sock: No such "
	       "file or directory: is strata-cp running? (or set --socket)\n", "state dir");
	run_free(&r);

	snprintf(dir, sizeof(dir), "%s/run", f->dir);
	env.state_dir = dir;
	run_ctl(&r, &env, "echo", "via-env", NULL);
	EXPECT(&r, 0, "[via-env]\n", "", "$STRATA_STATE_DIR");
	run_free(&r);

	run_ctl(&r, NULL, "-s", f->path, "-t", "1", "slow", "3000", NULL);
	snprintf(want, sizeof(want), "stratactl: no reply from strata-cp on %s within 1 s (a "
		 "longer --timeout may help)\n", f->path);
	EXPECT(&r, 2, "", want, "timeout");
	run_free(&r);

	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");
		struct how as_nobody = { .uid = pw ? pw->pw_uid : 65534 };

		run_ctl(&r, &as_nobody, "-s", f->path, "help", NULL);
		snprintf(want, sizeof(want), "stratactl: cannot connect to %s: Permission denied: "
			 "run stratactl as strata-cp's user or as root\n", f->path);
		EXPECT(&r, 2, "", want, "as nobody");
		run_free(&r);
	} else {
		printf("skip: stratactl as another uid (needs root)\n");
	}
}

/* Something that is not strata-cp on the socket. */
static void *impostor(void *arg)
{
	int lfd = *(int *)arg, fd = accept(lfd, NULL, NULL);
	char buf[256];

	if (fd >= 0) {
		if (recv(fd, buf, sizeof(buf), 0) < 0 || send(fd, "HELLO there\n", 12, MSG_NOSIGNAL) < 0)
			(void)0;
		close(fd);
	}
	return NULL;
}

static void check_impostor(struct ctl_fixture *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char want[300];
	struct run r;
	pthread_t t;
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/impostor.sock", f->dir);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0) {
		CHECK(0, "impostor socket: %s", strerror(errno));
		return;
	}
	pthread_create(&t, NULL, impostor, &lfd);
	run_ctl(&r, NULL, "-s", sa.sun_path, "help", NULL);
	snprintf(want, sizeof(want), "stratactl: %s did not answer in the control protocol: is it "
		 "strata-cp's socket?\n", sa.sun_path);
	EXPECT(&r, 2, "", want, "impostor");
	run_free(&r);
	pthread_join(t, NULL);
	close(lfd);
}

int main(void)
{
	struct ctl_fixture f;

	ctl_fixture_start(&f, NULL, false);
	check_replies(&f);
	check_usage(&f);
	check_connection_errors(&f);
	check_impostor(&f);
	ctl_fixture_stop(&f);
	return test_summary("cp_ctl_stratactl");
}
