/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the application shares of the signaling server's loop, and the
 * server's start-up, without clients:
 *
 *   timers      one-shot, re-armed, cancelled; a periodic one re-armed
 *               from its callback; freed after the server (safe)
 *   fds         a pipe watched: readable while data waits (level
 *               triggered), POLLIN off stops the calls, POLLOUT gives
 *               writable calls, sig_fd_close and a hang-up end the watch,
 *               the caller's fd stays open (the loop polls a dup)
 *   fdwatch     fdwatch.h's update/remove driving the same, the way the
 *               control socket will
 *   destroy     closes watched fds (closed called) with timers armed
 *   stop        from another thread
 *   create      refuses a missing certificate, a port in use; port 0
 *               picks one; IPv6 loopback
 *   self-signed a key of mode 0600, reused on the next start, replaced
 *               when others could read it or it does not match
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "sig_fdwatch.h"
#include "sig_server.h"
#include "sig_tls.h"
#include "test_util.h"

static char dir[64], cert[PATH_MAX], key[PATH_MAX];

static void no_request(void *app, struct sig_conn *c, const struct sig_request *req)
{
	(void)app;
	(void)c;
	(void)req;
}

static void quiet(void *app, int level, const char *msg)
{
	(void)app;
	(void)level;
	(void)msg;
}

static const struct sig_handlers handlers = { .on_request = no_request, .log = quiet };

static struct sig_server *start(const char *address, uint16_t port, char *err, size_t errlen)
{
	struct sig_server_config cfg = {
		.address = address, .port = port, .cert_file = cert, .key_file = key,
		.handlers = &handlers,
	};

	return sig_server_create(&cfg, err, errlen);
}

/* Services until *flag reaches want or 2 s pass. */
static bool spin(struct sig_server *s, const int *flag, int want)
{
	for (int i = 0; i < 200 && *flag < want; i++)
		sig_server_service(s, 10);
	return *flag >= want;
}

/* ---- timers --------------------------------------------------------------------- */

struct tick {
	struct sig_timer *t;
	int fired;
	int rearm;          /* re-arm from the callback this many times */
	uint64_t at[8];
	struct sig_server *s;
};

static void ticked(void *arg)
{
	struct tick *k = arg;

	if (k->fired < 8)
		k->at[k->fired] = sig_server_now_us(k->s);
	k->fired++;
	if (k->rearm-- > 0)
		sig_timer_arm(k->t, 20000);
}

static void check_timers(struct sig_server *s)
{
	struct tick a = { .s = s }, b = { .s = s }, c = { .s = s };
	uint64_t t0 = sig_server_now_us(s);

	a.t = sig_timer_new(s, ticked, &a);
	b.t = sig_timer_new(s, ticked, &b);
	c.t = sig_timer_new(s, ticked, &c);
	sig_timer_arm(a.t, 50000);
	sig_timer_arm(b.t, 30000);
	sig_timer_cancel(b.t);
	c.rearm = 3;
	sig_timer_arm(c.t, 20000);
	CHECK(spin(s, &a.fired, 1), "a timer fires");
	CHECK(a.at[0] - t0 >= 50000 && a.at[0] - t0 < 500000, "after 50 ms (%llu us)",
	      (unsigned long long)(a.at[0] - t0));
	CHECK(spin(s, &c.fired, 4) && c.fired == 4, "re-armed from its callback: 4 firings (%d)",
	      c.fired);
	for (int i = 0; i < 10; i++)
		sig_server_service(s, 10);
	CHECK(b.fired == 0, "a cancelled timer does not fire");
	CHECK(a.fired == 1 && c.fired == 4, "one-shot timers fire once (%d, %d)", a.fired, c.fired);
	/* Re-arming replaces the earlier deadline. */
	sig_timer_arm(a.t, 10000000);
	sig_timer_arm(a.t, 10000);
	CHECK(spin(s, &a.fired, 2), "re-armed sooner, it fires sooner");
	sig_timer_free(b.t);
	sig_timer_free(c.t);
	sig_timer_free(a.t);
}

/* ---- fds ------------------------------------------------------------------------ */

struct watch {
	int readable, writable, closed;
	int drain;          /* read what is there */
	int fd_seen;
};

static void w_readable(void *arg, struct sig_fd *f, int fd)
{
	struct watch *w = arg;
	char buf[64];

	(void)f;
	w->readable++;
	w->fd_seen = fd;
	if (w->drain)
		while (read(fd, buf, sizeof(buf)) > 0)
			;
}

static void w_writable(void *arg, struct sig_fd *f, int fd)
{
	struct watch *w = arg;

	(void)fd;
	if (++w->writable == 3)
		sig_fd_set_events(f, POLLIN);   /* enough: level-triggered until then */
}

static void w_closed(void *arg, struct sig_fd *f)
{
	struct watch *w = arg;

	(void)f;
	w->closed++;
}

static const struct sig_fd_ops w_ops = { w_readable, w_writable, w_closed };

static void check_fds(struct sig_server *s)
{
	struct watch w = { .drain = 0 }, out = { 0 };
	struct sig_fd *f, *fo;
	int p[2], q[2];

	CHECK(pipe2(p, O_NONBLOCK) == 0 && pipe2(q, O_NONBLOCK) == 0, "pipes");
	f = sig_watch_fd(s, p[0], &w_ops, &w);
	CHECK(f != NULL, "watch a pipe");
	for (int i = 0; i < 5; i++)
		sig_server_service(s, 10);
	CHECK(w.readable == 0, "nothing to read, no calls");
	CHECK(write(p[1], "x", 1) == 1, "write");
	CHECK(spin(s, &w.readable, 3), "readable again and again while data waits (%d)",
	      w.readable);
	CHECK(w.fd_seen != p[0] && w.fd_seen >= 0, "the loop polls its own dup");
	sig_fd_set_events(f, 0);
	int before = w.readable;
	for (int i = 0; i < 5; i++)
		sig_server_service(s, 10);
	CHECK(w.readable == before, "POLLIN off: no calls (%d -> %d)", before, w.readable);
	w.drain = 1;
	sig_fd_set_events(f, POLLIN);
	CHECK(spin(s, &w.readable, before + 1), "POLLIN on again");
	sig_fd_close(f);
	CHECK(spin(s, &w.closed, 1), "sig_fd_close: closed is called");
	CHECK(fcntl(p[0], F_GETFD) >= 0, "the caller's fd is still open");

	/* Output: a pipe's write end is writable at once. */
	fo = sig_watch_fd(s, q[1], &w_ops, &out);
	sig_fd_set_events(fo, POLLOUT);
	CHECK(spin(s, &out.writable, 3), "writable while POLLOUT is wanted (%d)", out.writable);
	for (int i = 0; i < 5; i++)
		sig_server_service(s, 10);
	CHECK(out.writable == 3, "POLLOUT dropped: no more writable calls (%d)", out.writable);
	/* A hang-up: the reader goes away. */
	close(q[0]);
	sig_fd_set_events(fo, POLLOUT);
	CHECK(spin(s, &out.closed, 1), "a hang-up ends the watch (closed %d)", out.closed);

	close(p[0]);
	close(p[1]);
	close(q[1]);
}

/* ---- fdwatch.h ------------------------------------------------------------------ */

struct fake_server {
	const struct cp_fdwatch *w;
	int handled_in, handled_out, handled_hup;
	int last_fd, last_in_fd;
};

static void fake_handle(void *arg, int fd, short revents)
{
	struct fake_server *fs = arg;
	char buf[64];

	fs->last_fd = fd;
	if (revents & POLLIN) {
		fs->handled_in++;
		fs->last_in_fd = fd;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	}
	if (revents & POLLOUT) {
		fs->handled_out++;
		fs->w->update(fs->w->ctx, fd, POLLIN);  /* wrote what it had */
	}
	if (revents & POLLHUP)
		fs->handled_hup++;
}

static void check_fdwatch(struct sig_server *s)
{
	struct fake_server fs = { 0 };
	struct sig_fdwatch *w = sig_fdwatch_new(s, fake_handle, &fs);
	int p[2];

	fs.w = sig_fdwatch_watch(w);
	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe");
	fs.w->update(fs.w->ctx, p[0], POLLIN);
	CHECK(write(p[1], "hello", 5) == 5, "write");
	CHECK(spin(s, &fs.handled_in, 1) && fs.last_in_fd == p[0],
	      "fdwatch: POLLIN handed back with the server's own fd");
	fs.w->update(fs.w->ctx, p[1], POLLOUT);
	CHECK(spin(s, &fs.handled_out, 1) && fs.last_fd == p[1], "fdwatch: POLLOUT");
	for (int i = 0; i < 5; i++)
		sig_server_service(s, 10);
	CHECK(fs.handled_out == 1, "back to POLLIN only (%d)", fs.handled_out);
	/* remove, then the server closes and reuses the number at once. */
	fs.w->remove(fs.w->ctx, p[0]);
	close(p[0]);
	int again[2];
	CHECK(pipe2(again, O_NONBLOCK) == 0, "pipe again");
	fs.w->update(fs.w->ctx, again[0], POLLIN);
	CHECK(write(again[1], "x", 1) == 1, "write");
	int before = fs.handled_in;
	CHECK(spin(s, &fs.handled_in, before + 1) && fs.last_in_fd == again[0],
	      "a reused descriptor number is watched anew");
	/* A hang-up the server has not seen: POLLHUP handed back. */
	close(again[1]);
	fs.w->update(fs.w->ctx, again[0], 0);
	CHECK(spin(s, &fs.handled_hup, 1), "fdwatch: POLLHUP on a hang-up (%d)", fs.handled_hup);
	fs.w->remove(fs.w->ctx, again[0]);
	close(again[0]);
	sig_fdwatch_free(w);
	for (int i = 0; i < 5; i++)
		sig_server_service(s, 10);
	close(p[1]);
}

/* ---- destroy, stop, create -------------------------------------------------------- */

static void *stopper(void *arg)
{
	usleep(100000);
	sig_server_stop(arg);
	return NULL;
}

static void check_lifecycle(void)
{
	char err[512];
	struct watch w = { 0 };
	struct tick k = { 0 };
	struct sig_server *s = start("127.0.0.1", 0, err, sizeof(err)), *s2;
	int p[2];
	pthread_t th;

	CHECK(s && sig_server_port(s) > 0, "port 0 picks a port: %s", s ? "" : err);
	if (!s)
		return;
	s2 = start("127.0.0.1", sig_server_port(s), err, sizeof(err));
	CHECK(!s2 && strstr(err, "cannot listen") && strstr(err, "in use"),
	      "a port in use is refused: %s", err);
	sig_server_destroy(s2);
	s2 = start("localhost", 0, err, sizeof(err));
	CHECK(!s2 && strstr(err, "not an IPv4 or IPv6 address"), "a host name is refused: %s",
	      err);

	/* Stop from another thread. */
	pthread_create(&th, NULL, stopper, s);
	sig_server_run(s);
	pthread_join(th, NULL);
	CHECK(true, "sig_server_stop from a thread ends sig_server_run");

	/* Destroy with a watched fd and an armed timer. */
	CHECK(pipe(p) == 0, "pipe");
	sig_watch_fd(s, p[0], &w_ops, &w);
	k.s = s;
	k.t = sig_timer_new(s, ticked, &k);
	sig_timer_arm(k.t, 1000000);
	sig_server_destroy(s);
	CHECK(w.closed == 1, "destroy closes watched fds (%d)", w.closed);
	sig_timer_arm(k.t, 1000);  /* the server is gone: a no-op */
	sig_timer_free(k.t);
	CHECK(k.fired == 0, "a timer of a destroyed server never fires");
	close(p[0]);
	close(p[1]);

	s = start("::1", 0, err, sizeof(err));
	CHECK(s != NULL || strstr(err, "cannot listen"), "IPv6 loopback: %s", s ? "ok" : err);
	sig_server_destroy(s);

	struct sig_server_config bad = { .cert_file = "/nonexistent.pem", .key_file = key,
					 .handlers = &handlers };
	CHECK(!sig_server_create(&bad, err, sizeof(err)) && strstr(err, "/nonexistent.pem"),
	      "a missing certificate is named: %s", err);
	/* A file that is no certificate (libwebsockets' own failure path). */
	{
		char junk[PATH_MAX];
		FILE *f;
		snprintf(junk, sizeof(junk), "%s/junk.pem", dir);
		f = fopen(junk, "w");
		if (f) {
			fputs("not a certificate\n", f);
			fclose(f);
		}
		bad.cert_file = junk;
		bad.address = "127.0.0.1";
		/* When lws_create_context fails, libwebsockets 4.1.6 leaves
		 * 72 bytes of its lws_smd_register behind (strata-cp exits
		 * then anyway).  The refusal runs in a child that ends with
		 * _exit, so LeakSanitizer's exit-time check does not run for
		 * it and nothing needs suppressing. */
		pid_t pid = fork();
		if (pid == 0) {
			bool refused = !sig_server_create(&bad, err, sizeof(err)) &&
				       strstr(err, "certificate");
			_exit(refused ? 0 : 1);
		}
		int status = -1;
		waitpid(pid, &status, 0);
		CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "a file that is not a certificate is refused");
		unlink(junk);
	}
	bad.cert_file = cert;
	bad.handlers = NULL;
	CHECK(!sig_server_create(&bad, err, sizeof(err)), "no handlers, no server");
}

/* ---- the self-signed certificate ------------------------------------------------ */

static bool san_has(X509 *x, const char *what)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	bool found = false;

	for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		if (g->type == GEN_DNS && strcmp(what, (const char *)ASN1_STRING_get0_data(
							       g->d.dNSName)) == 0)
			found = true;
		if (g->type == GEN_IPADD && strcmp(what, "127.0.0.1") == 0 &&
		    ASN1_STRING_length(g->d.iPAddress) == 4 &&
		    memcmp(ASN1_STRING_get0_data(g->d.iPAddress), "\x7f\0\0\1", 4) == 0)
			found = true;
	}
	GENERAL_NAMES_free(names);
	return found;
}

static void check_self_signed(void)
{
	char c2[PATH_MAX], k2[PATH_MAX], note[1024];
	struct stat st;
	FILE *f;
	X509 *x;

	CHECK(stat(key, &st) == 0 && (st.st_mode & 0777) == 0600, "the key is mode 0600 (%o)",
	      st.st_mode & 0777);
	CHECK(stat(cert, &st) == 0 && (st.st_mode & 0777) == 0644, "the certificate is 0644");
	f = fopen(cert, "r");
	x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	CHECK(x && san_has(x, "localhost") && san_has(x, "127.0.0.1"),
	      "the certificate names localhost and 127.0.0.1");
	CHECK(x && EVP_PKEY_get_base_id(X509_get0_pubkey(x)) == EVP_PKEY_EC, "an EC key");
	{
		time_t soon = time(NULL) + 80L * 86400, late = time(NULL) + 100L * 86400;
		CHECK(x && X509_cmp_time(X509_get0_notAfter(x), &soon) > 0 &&
			      X509_cmp_time(X509_get0_notAfter(x), &late) < 0,
		      "valid for 90 days");
	}
	X509_free(x);

	CHECK(sig_tls_self_signed(dir, c2, k2, note, sizeof(note)) == SIG_TLS_SELF_REUSED &&
		      strstr(note, "using the self-signed") && strstr(note, "fingerprint"),
	      "the second start reuses it: %s", note);
	chmod(key, 0644);
	CHECK(sig_tls_self_signed(dir, c2, k2, note, sizeof(note)) == SIG_TLS_SELF_GENERATED &&
		      strstr(note, "readable by other users"),
	      "a key others could read is replaced: %s", note);
	CHECK(stat(key, &st) == 0 && (st.st_mode & 0777) == 0600, "the new key is 0600 again");
	/* A key that is not the certificate's. */
	{
		char other_dir[sizeof(dir) + 8], oc[PATH_MAX], ok[PATH_MAX], cmd[PATH_MAX * 2 + 16];
		snprintf(other_dir, sizeof(other_dir), "%s/other", dir);
		CHECK(sig_tls_self_signed(other_dir, oc, ok, note, sizeof(note)) ==
			      SIG_TLS_SELF_GENERATED,
		      "a second pair: %s", note);
		CHECK(rename(ok, key) == 0, "swap keys");
		CHECK(sig_tls_self_signed(dir, c2, k2, note, sizeof(note)) == SIG_TLS_SELF_GENERATED &&
			      strstr(note, "did not match"),
		      "a key that does not match is replaced: %s", note);
		unlink(oc);
		snprintf(cmd, sizeof(cmd), "%s", other_dir);
		rmdir(cmd);
	}
	CHECK(sig_tls_self_signed("/proc/no/such/dir", c2, k2, note, sizeof(note)) ==
		      SIG_TLS_SELF_ERROR && strstr(note, "cannot create"),
	      "an unusable state directory is an error: %s", note);
}

int main(void)
{
	char note[1024], err[512];
	struct sig_server *s;

	snprintf(dir, sizeof(dir), "/tmp/strata-sig-loop.XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	CHECK(sig_tls_self_signed(dir, cert, key, note, sizeof(note)) == SIG_TLS_SELF_GENERATED &&
		      strstr(note, "generated a self-signed") && strstr(note, "0600"),
	      "generated: %s", note);

	s = start("127.0.0.1", 0, err, sizeof(err));
	CHECK(s != NULL, "server: %s", err);
	if (s) {
		check_timers(s);
		check_fds(s);
		check_fdwatch(s);
		sig_server_destroy(s);
	}
	check_lifecycle();
	check_self_signed();

	unlink(cert);
	unlink(key);
	rmdir(dir);
	return test_summary("cp_sig_loop");
}
